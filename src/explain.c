/* explain.c - cpolc explain: why a primitive is in the image or not (see
 * build.h, build_explain). */
#include "config.h"

#include "build.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "comp.h"
#include "rel.h"
#include "res.h"
#include "util.h"

/* The source text of an expression and the value of an operand shown in an
 * explanation: cut at 300 bytes (as cpolc test shows an expectation's). */
#define SHOWN_MAX 300

struct sel_name {
	const char *name;
	const struct dec_selected *s;
};

struct ex {
	struct build *b;
	struct strbuf *out;
	json_t *j; /* the same as JSON (build_explain) */
	struct diag *d;
	struct sel_name *sel; /* selected, sorted by name */
	size_t nsel;
	size_t *by_to;	 /* edge indices sorted by their `to` */
	bool unresolved; /* the resolution failed: nothing is selected */
	const struct comp_parts *parts;
	/* the last admit_cb: whether the filters rejected the candidate, where,
	 * and which of dec's recorded filters did */
	bool rejected;
	const char *failed_at;
	size_t which;
};

static int sel_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sel_name *)a)->name, ((const struct sel_name *)b)->name);
}

static const struct dec_selected *find_sel(const struct ex *x, const char *name)
{
	struct sel_name key = {name, NULL}, *hit = bsearch(&key, x->sel, x->nsel, sizeof(key), sel_cmp);

	return hit ? hit->s : NULL;
}

struct edge_to {
	const char *to, *from;
	size_t index;
};

static int to_cmp(const void *a, const void *b)
{
	const struct edge_to *x = a, *y = b;
	int c = strcmp(x->to, y->to);

	return c ? c : strcmp(x->from, y->from);
}

static void ex_init(struct ex *x, struct build *b, struct strbuf *out, struct diag *d)
{
	const struct decision *dec = &b->dec;
	struct edge_to *e = xcalloc(dec->nedges + 1, sizeof(*e));

	*x = (struct ex){.b = b,
			 .out = out,
			 .j = json_object(),
			 .d = d,
			 .sel = xcalloc(dec->nselected + 1, sizeof(*x->sel)),
			 .nsel = dec->nselected,
			 .by_to = xcalloc(dec->nedges + 1, sizeof(size_t)),
			 .parts = b->parts};
	for (size_t i = 0; i < dec->nselected; i++)
		x->sel[i] = (struct sel_name){dec->selected[i].prim->name, &dec->selected[i]};
	qsort(x->sel, x->nsel, sizeof(*x->sel), sel_cmp);
	for (size_t i = 0; i < dec->nedges; i++)
		e[i] = (struct edge_to){dec->edges[i].to, dec->edges[i].from, i};
	qsort(e, dec->nedges, sizeof(*e), to_cmp);
	for (size_t i = 0; i < dec->nedges; i++)
		x->by_to[i] = e[i].index;
	free(e);
}

/* The first edge index in by_to whose `to` is name (or nedges). */
static size_t first_to(const struct ex *x, const char *name)
{
	size_t lo = 0, hi = x->b->dec.nedges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(x->b->dec.edges[x->by_to[mid]].to, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* s as a JSON string (a byte that is not UTF-8 as '?'), or null. */
static json_t *jstr(const char *s)
{
	json_t *j = s ? json_string(s) : json_null();
	char *c;

	if (j)
		return j;
	c = xstrdup(s);
	for (char *q = c; *q; q++)
		if ((unsigned char)*q >= 0x80)
			*q = '?';
	j = json_string(c);
	free(c);
	return j;
}

/* The array at key of x's JSON, made empty when missing. */
static json_t *jarr(const struct ex *x, const char *key)
{
	json_t *a = json_object_get(x->j, key);

	if (!a) {
		a = json_array();
		json_object_set_new(x->j, key, a);
	}
	return a;
}

/* The include statements that name name, one line each, and into arr. */
static size_t explain_requests(const struct ex *x, const char *name, const char *indent, json_t *arr)
{
	const struct decision *dec = &x->b->dec;
	size_t n = 0;

	for (size_t i = 0; i < dec->nrequests; i++) {
		const struct dec_request *q = &dec->requests[i];
		if (strcmp(q->name, name))
			continue;
		sb_addf(x->out, "%s%s at %s: %s \"%s\"", indent, q->is_base ? "base" : "included", q->at,
			q->is_base ? "base" : "include", q->name);
		if (q->op)
			sb_addf(x->out, " %s \"%s\"", q->op, q->constraint ? q->constraint : "");
		sb_addc(x->out, '\n');
		json_array_append_new(
			arr,
			json_pack("{s:o, s:s, s:o, s:o}", "at", jstr(q->at), "statement",
				  q->is_base ? "base" : "include", "op", jstr(q->op), "constraint",
				  q->op ? json_string(q->constraint ? q->constraint : "") : json_null()));
		n++;
	}
	return n;
}

/* The element of from's Depends that to meets (by name or by what to
 * provides), as text, or NULL. Caller frees. */
static char *depends_on(const struct cat_prim *from, const struct cat_prim *to)
{
	struct rel_list deps = {0}, prov = {0};
	const char *why;
	char *s = NULL;

	if (rel_parse(from->depends ? from->depends : "", &deps, &why) < 0)
		return NULL;
	if (rel_parse(to->provides ? to->provides : "", &prov, &why) < 0)
		prov.n = 0;
	for (size_t i = 0; i < deps.n && !s; i++)
		for (size_t j = 0; j < deps.alts[i].n && !s; j++) {
			const char *want = deps.alts[i].atoms[j].name;
			bool hit = !strcmp(want, to->name);
			for (size_t k = 0; k < prov.n && !hit; k++)
				hit = prov.alts[k].n && !strcmp(prov.alts[k].atoms[0].name, want);
			if (hit)
				s = rel_alt_str(&deps.alts[i]);
		}
	rel_list_release(&deps);
	rel_list_release(&prov);
	return s;
}

/* One link of a chain: from depends on to. */
static void explain_link(const struct ex *x, const struct dec_selected *from, const struct dec_selected *to)
{
	char *rel = depends_on(from->prim, to->prim);

	sb_addf(x->out, "  %s %s depends on %s %s: Depends '%s' (%s)\n", from->prim->name,
		from->prim->version, to->prim->name, to->prim->version, rel ? rel : "?",
		from->prim->meta_path ? from->prim->meta_path : "metadata");
	json_array_append_new(jarr(x, "chain"),
			      json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "from", jstr(from->prim->name),
					"from_version", jstr(from->prim->version), "to", jstr(to->prim->name),
					"to_version", jstr(to->prim->version), "depends", jstr(rel),
					"metadata", jstr(from->prim->meta_path)));
	free(rel);
}

/* The included primitive a chain starts from, and its includes. */
static void explain_root(const struct ex *x, const struct dec_selected *r)
{
	json_t *inc = json_array();

	sb_addf(x->out, "  %s %s is ", r->prim->name, r->prim->version);
	explain_requests(x, r->prim->name, "", inc);
	json_object_set_new(x->j, "root",
			    json_pack("{s:o, s:o, s:o}", "name", jstr(r->prim->name), "version",
				      jstr(r->prim->version), "includes", inc));
}

/* A shortest chain from an included primitive down to s (breadth first
 * over the edges reversed), link by link. */
static void explain_chain(const struct ex *x, const struct dec_selected *s)
{
	const struct decision *dec = &x->b->dec;
	const struct dec_selected **queue = xcalloc(x->nsel + 1, sizeof(*queue));
	size_t *parent = xcalloc(x->nsel + 1, sizeof(*parent)), head = 0, n = 0, found = (size_t)-1;
	bool *seen = xcalloc(x->nsel + 1, sizeof(*seen));

	queue[n++] = s;
	seen[find_sel(x, s->prim->name) - dec->selected] = true;
	while (head < n && found == (size_t)-1) {
		const struct dec_selected *c = queue[head];
		if (c->requested) {
			found = head;
			break;
		}
		for (size_t k = first_to(x, c->prim->name);
		     k < dec->nedges && !strcmp(dec->edges[x->by_to[k]].to, c->prim->name); k++) {
			const struct dec_selected *p = find_sel(x, dec->edges[x->by_to[k]].from);
			if (!p || seen[p - dec->selected])
				continue;
			seen[p - dec->selected] = true;
			parent[n] = head;
			queue[n++] = p;
		}
		head++;
	}
	jarr(x, "chain");
	if (found == (size_t)-1) {
		const char *note = s->reason ? s->reason : "no chain from an include";
		sb_addf(x->out, "  (%s)\n", note);
		json_object_set_new(x->j, "note", json_string(note));
	} else {
		explain_root(x, queue[found]);
		for (size_t i = found; i != 0; i = parent[i])
			explain_link(x, queue[i], queue[parent[i]]);
	}
	free(queue);
	free(parent);
	free(seen);
}

static int admit_cb(void *ctx, const struct cat_prim *cand, bool *ok, const char **failed_at, struct diag *d)
{
	struct ex *x = ctx;
	int rc = vm_admit(x->b->vm, &x->b->dec, cand, ok, failed_at, d);

	x->rejected = rc == 0 && !*ok;
	x->failed_at = x->rejected ? *failed_at : NULL;
	return rc;
}

/* Does expression text s hold a size literal (64MiB)? */
static bool has_unit(const char *s)
{
	for (; *s; s++)
		if (*s >= '0' && *s <= '9' && s[1] && strchr("KMGTPE", s[1]) &&
		    (s[2] == 'B' || (s[2] == 'i' && s[3] == 'B')))
			return true;
	return false;
}

/* Does the text of a comparison speak of bytes: a field named size, or a
 * size literal? */
static bool of_bytes(const char *s)
{
	return strstr(s, "size") || has_unit(s);
}

/* Operand k of part pt on candidate p: its source text and value (JSON,
 * cut at SHOWN_MAX; null when it could not be evaluated) into op. */
static void operand(struct ex *x, const struct cat_prim *p, const struct comp_part *pt, int k, json_t *op)
{
	struct strbuf e = STRBUF_INIT, v = STRBUF_INIT;
	struct diag quiet;
	struct value val;
	bool ok;

	diag_init(&quiet);
	diag_source_text(x->d, pt->oloc[k], SHOWN_MAX, &e);
	ok = vm_admit_part(x->b->vm, &x->b->dec, p, x->which, pt->operand[k], &val, &quiet) == 0 &&
	     val.type == VAL_STR && val.len >= 2;
	if (ok) { /* "[JSON]" */
		size_t len = val.len - 2, cut = len > SHOWN_MAX ? SHOWN_MAX : len;
		while (cut < len && cut > 0 && ((unsigned char)val.u.s[1 + cut] & 0xc0) == 0x80)
			cut--;
		sb_add(&v, val.u.s + 1, cut);
		if (cut < len)
			sb_adds(&v, "...");
	}
	json_object_set_new(op, "expr", jstr(e.buf ? e.buf : ""));
	json_object_set_new(op, "value", ok ? jstr(v.buf ? v.buf : "") : json_null());
	sb_release(&e);
	sb_release(&v);
	diag_release(&quiet);
}

/* Has expression text e a space outside brackets and strings (so that
 * "E = V" would read wrong without parentheses)? */
static bool compound(const char *e)
{
	int depth = 0;
	char quote = 0;

	for (; *e; e++) {
		if (quote && *e == '\\' && e[1])
			e++;
		else if (quote)
			quote = *e == quote ? 0 : quote;
		else if (*e == '"')
			quote = *e;
		else if (strchr("([{", *e))
			depth++;
		else if (strchr(")]}", *e))
			depth--;
		else if (*e == ' ' && depth <= 0)
			return true;
	}
	return false;
}

/* The operands of a comparison as text: " (E = V, ...)", leaving out an
 * operand that is its own value (a literal); an int of bytes also for
 * people. */
static void operands_text(struct strbuf *sb, json_t *ops, const char *whole)
{
	size_t i, shown = 0;
	json_t *op;

	json_array_foreach(ops, i, op)
	{
		const char *e = json_string_value(json_object_get(op, "expr"));
		const char *v = json_string_value(json_object_get(op, "value"));
		char size[SIZE_TEXT_MAX], *end;
		unsigned long long n;
		if (v && !strcmp(e, v))
			continue;
		sb_addf(sb, compound(e) ? "%s(%s) = %s" : "%s%s = %s", shown++ ? ", " : " (", e,
			v ? v : "(error)");
		if (!v || *v < '0' || *v > '9' || has_unit(e) || !of_bytes(whole))
			continue;
		n = strtoull(v, &end, 10);
		if (!*end && n >= 1024)
			sb_addf(sb, " (%s)", format_size(n, size));
	}
	if (shown)
		sb_addc(sb, ')');
}

/* The first part of filter block f (x->parts is sorted by filter), or
 * x->parts->n. */
static size_t first_part(const struct ex *x, uint32_t f)
{
	size_t lo = 0, hi = x->parts ? x->parts->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x->parts->v[mid].filter < f)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first conjunct of the filter at x->failed_at that is false for p
 * (the filter's own order), with a comparison's operands: ": EXPR is
 * false (...)" into sb, and into adm (the candidate's "admit"). Nothing
 * without the filter's parts (a compiled module). */
static void admit_detail(struct ex *x, const struct cat_prim *p, struct strbuf *sb, json_t *adm)
{
	uint32_t filter;
	const struct comp_part *pt = NULL;
	struct strbuf e = STRBUF_INIT;
	struct diag quiet;
	struct value v;
	json_t *ops;
	char *at;

	diag_init(&quiet);
	x->which = vm_admit_which(&x->b->dec, x->failed_at, &filter);
	for (size_t i = first_part(x, filter); x->parts && i < x->parts->n && !pt; i++) {
		const struct comp_part *q = &x->parts->v[i];
		if (q->filter != filter)
			break;
		if (vm_admit_part(x->b->vm, &x->b->dec, p, x->which, q->block, &v, &quiet) < 0 ||
		    v.type != VAL_BOOL || !v.u.b)
			pt = q;
	}
	if (pt) {
		diag_source_text(x->d, pt->loc, SHOWN_MAX, &e);
		at = diag_locstr(x->d, pt->loc);
		ops = json_array();
		for (int k = 0; k < 2 && pt->operand[k] != UINT32_MAX; k++) {
			json_t *op = json_object();
			operand(x, p, pt, k, op);
			json_array_append_new(ops, op);
		}
		if (quiet.nentries) { /* as the filter's own run did not, it cannot */
			sb_addf(sb, ": %s failed: %s", e.buf ? e.buf : "", quiet.entries[0].message);
			json_object_set_new(adm, "error", jstr(quiet.entries[0].message));
		} else {
			sb_addf(sb, ": %s is false", e.buf ? e.buf : "");
			operands_text(sb, ops, e.buf ? e.buf : "");
		}
		json_object_set_new(adm, "expr", jstr(e.buf ? e.buf : ""));
		json_object_set_new(adm, "expr_at", jstr(at));
		json_object_set_new(adm, "operands", ops);
		free(at);
	}
	sb_release(&e);
	diag_release(&quiet);
}

/* The CVEs of p's scan, as {"id", "severity"}. */
static json_t *cves_json(const struct cat_prim *p)
{
	json_t *out = json_array(), *c;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(cat_prim_record(p), "scan"), "cves"), i, c)
		json_array_append_new(out,
				      json_pack("{s:o, s:o}", "id", json_incref(json_object_get(c, "id")),
						"severity", json_incref(json_object_get(c, "severity"))));
	return out;
}

/* Why version p is not eligible, w as res_why_not says it (without
 * "version V "), with the false part of an admit filter after its place. */
static void explain_candidate(struct ex *x, const struct cat_prim *p, const char *w, json_t *c)
{
	const char *at = x->rejected ? strstr(w, x->failed_at) : NULL;
	struct strbuf sb = STRBUF_INIT;

	if (at) {
		json_t *adm = json_pack("{s:o}", "at", jstr(x->failed_at));
		at += strlen(x->failed_at);
		sb_add(&sb, w, (size_t)(at - w));
		admit_detail(x, p, &sb, adm);
		sb_adds(&sb, at);
		json_object_set_new(c, "admit", adm);
		json_object_set_new(c, "cves", cves_json(p));
		w = sb.buf;
	}
	sb_addf(x->out, "    %s %s: %s\n", p->name, p->version, w);
	json_object_set_new(c, "why", jstr(w));
	sb_release(&sb);
}

/* Each version of name in the catalogs, eligible or why not. */
static void explain_candidates(struct ex *x, const char *name)
{
	size_t n;
	struct cat_prim *const *v = catset_versions(&x->b->cs, name, &n);
	json_t *arr = jarr(x, "candidates");

	if (!n) {
		sb_addf(x->out, "  no candidate: no primitive '%s' in the catalogs\n", name);
		return;
	}
	sb_adds(x->out, "  candidates:\n");
	for (size_t i = 0; i < n; i++) {
		char *why;
		const char *w;
		size_t vl = strlen(v[i]->version);
		json_t *c = json_pack("{s:o, s:b}", "version", jstr(v[i]->version), "eligible", 0);
		x->rejected = false;
		why = res_why_not(&x->b->cs, &x->b->dec, v[i], admit_cb, x, x->d);
		w = why ? why : "eligible";
		if (!strncmp(w, "version ", 8) && !strncmp(w + 8, v[i]->version, vl) && w[8 + vl] == ' ')
			w += 9 + vl; /* "version V is for ..." said once */
		if (why) {
			explain_candidate(x, v[i], w, c);
		} else {
			sb_addf(x->out, "    %s %s: eligible\n", v[i]->name, v[i]->version);
			json_object_set_new(c, "eligible", json_true());
			json_object_set_new(c, "why", json_null());
		}
		json_array_append_new(arr, c);
		free(why);
	}
}

/* Selected primitives whose Depends name name (met otherwise). */
static size_t explain_dependents(const struct ex *x, const char *name)
{
	const struct decision *dec = &x->b->dec;
	json_t *arr = jarr(x, "dependents");
	size_t n = 0;

	for (size_t i = 0; i < dec->nselected; i++) {
		const struct cat_prim *p = dec->selected[i].prim;
		struct cat_prim stub = {.name = (char *)name};
		char *rel = depends_on(p, &stub);
		if (rel) {
			sb_addf(x->out, "  %s %s depends on '%s', met by another alternative\n", p->name,
				p->version, rel);
			json_array_append_new(arr,
					      json_pack("{s:o, s:o, s:o}", "name", jstr(p->name), "version",
							jstr(p->version), "depends", jstr(rel)));
		}
		n += rel != NULL;
		free(rel);
	}
	return n;
}

/* Why name is not in the image, in one word (cpolc(1), explain). */
static const char *absent_reason(const struct ex *x, size_t nexcl, size_t nreq, size_t ndeps)
{
	size_t i, n = 0;
	json_t *c, *cands = json_object_get(x->j, "candidates");

	json_array_foreach(cands, i, c) n += json_is_true(json_object_get(c, "eligible"));
	if (nexcl)
		return "excluded";
	if (x->b->have_catalogs && !json_array_size(cands))
		return "absent";
	if (nreq)
		return n ? "unresolved" : "rejected";
	return ndeps ? "alternative" : "not-included";
}

static void explain_absent(struct ex *x, const char *name)
{
	const struct decision *dec = &x->b->dec;
	json_t *excl = jarr(x, "excluded_at");
	size_t nreq, ndeps = 0;

	sb_addf(x->out, "%s is not in the image%s\n", name, x->unresolved ? ": the resolution failed" : "");
	for (size_t i = 0; i < dec->nexcludes; i++)
		if (!strcmp(dec->excludes[i].name, name)) {
			sb_addf(x->out, "  excluded at %s\n", dec->excludes[i].at);
			json_array_append_new(excl, jstr(dec->excludes[i].at));
		}
	nreq = explain_requests(x, name, "  ", jarr(x, "includes"));
	if (x->b->have_catalogs)
		ndeps = explain_dependents(x, name);
	if (!json_array_size(excl) && !nreq && !ndeps && !x->b->have_catalogs)
		sb_adds(x->out, "  the policy does not include it (selection only: give -C CATALOG to see "
				"dependencies)\n");
	else if (!json_array_size(excl) && !nreq && !ndeps)
		sb_adds(x->out, "  nothing includes it and no selected primitive depends on it\n");
	if (x->b->have_catalogs)
		explain_candidates(x, name);
	json_object_set_new(x->j, "reason",
			    json_string(absent_reason(x, json_array_size(excl), nreq, ndeps)));
}

static bool requested(const struct decision *dec, const char *name)
{
	for (size_t i = 0; i < dec->nrequests; i++)
		if (!strcmp(dec->requests[i].name, name))
			return true;
	return false;
}

static void explain_in(struct ex *x, const struct dec_selected *s)
{
	sb_addf(x->out, "%s %s is in the image%s\n", s->prim->name, s->prim->version,
		s->requested ? "" : ", a dependency");
	json_object_set_new(x->j, "version", jstr(s->prim->version));
	json_object_set_new(x->j, "reason", json_string(s->requested ? "included" : "dependency"));
	if (s->requested)
		explain_requests(x, s->prim->name, "  ", jarr(x, "includes"));
	else
		explain_chain(x, s);
	jarr(x, "includes");
}

enum build_status build_explain(struct build *b, const struct build_opts *o, const char *name,
				struct strbuf *out, json_t **json, bool *in_image, struct diag *d)
{
	struct comp_parts parts = {0};
	enum build_status st;
	const struct dec_selected *s;
	struct ex x;

	*in_image = false;
	*json = NULL;
	b->parts = &parts;
	st = build_decide(b, o, d);
	if ((st != BUILD_OK && st != BUILD_DENIED && st != BUILD_UNRESOLVED) ||
	    (st == BUILD_UNRESOLVED && !b->have_catalogs)) {
		free(parts.v);
		b->parts = NULL;
		return st;
	}
	ex_init(&x, b, out, d);
	x.unresolved = st == BUILD_UNRESOLVED;
	s = x.unresolved ? NULL : find_sel(&x, name);
	if (s) {
		*in_image = true;
		explain_in(&x, s);
	} else if (!b->have_catalogs && requested(&b->dec, name)) {
		sb_addf(out, "%s is included (selection only: give -C CATALOG to resolve)\n", name);
		explain_requests(&x, name, "  ", jarr(&x, "includes"));
		json_object_set_new(x.j, "reason", json_string("included"));
		*in_image = true;
	} else {
		explain_absent(&x, name);
	}
	json_object_set_new(x.j, "name", jstr(name));
	json_object_set_new(x.j, "in_image", json_boolean(*in_image));
	json_object_set_new(x.j, "resolved", json_boolean(b->have_catalogs && !x.unresolved));
	*json = x.j;
	free(x.sel);
	free(x.by_to);
	free(parts.v);
	b->parts = NULL;
	return st;
}
