/* explain.c - cpolc explain: why a primitive is in the image or not (see
 * build.h, build_explain). */
#include "config.h"

#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "rel.h"
#include "res.h"
#include "util.h"

struct sel_name {
	const char *name;
	const struct dec_selected *s;
};

struct ex {
	struct build *b;
	struct strbuf *out;
	struct diag *d;
	struct sel_name *sel; /* selected, sorted by name */
	size_t nsel;
	size_t *by_to;	 /* edge indices sorted by their `to` */
	bool unresolved; /* the resolution failed: nothing is selected */
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

	*x = (struct ex){b,
			 out,
			 d,
			 xcalloc(dec->nselected + 1, sizeof(*x->sel)),
			 dec->nselected,
			 xcalloc(dec->nedges + 1, sizeof(size_t)),
			 false};
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

/* The include statements that name name, one line each. */
static size_t explain_requests(const struct ex *x, const char *name, const char *indent)
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
	free(rel);
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
	if (found == (size_t)-1) {
		sb_addf(x->out, "  (%s)\n", s->reason ? s->reason : "no chain from an include");
	} else {
		sb_addf(x->out, "  %s %s is ", queue[found]->prim->name, queue[found]->prim->version);
		explain_requests(x, queue[found]->prim->name, "");
		for (size_t i = found; i != 0; i = parent[i])
			explain_link(x, queue[i], queue[parent[i]]);
	}
	free(queue);
	free(parent);
	free(seen);
}

static int admit_cb(void *ctx, const struct cat_prim *cand, bool *ok, const char **failed_at, struct diag *d)
{
	struct build *b = ctx;

	return vm_admit(b->vm, &b->dec, cand, ok, failed_at, d);
}

/* Each version of name in the catalogs, eligible or why not. */
static void explain_candidates(const struct ex *x, const char *name)
{
	size_t n;
	struct cat_prim *const *v = catset_versions(&x->b->cs, name, &n);

	if (!n) {
		sb_addf(x->out, "  no candidate: no primitive '%s' in the catalogs\n", name);
		return;
	}
	sb_adds(x->out, "  candidates:\n");
	for (size_t i = 0; i < n; i++) {
		char *why = res_why_not(&x->b->cs, &x->b->dec, v[i], admit_cb, x->b, x->d);
		const char *w = why ? why : "eligible";
		size_t vl = strlen(v[i]->version);
		if (!strncmp(w, "version ", 8) && !strncmp(w + 8, v[i]->version, vl) && w[8 + vl] == ' ')
			w += 9 + vl; /* "version V is for ..." said once */
		sb_addf(x->out, "    %s %s: %s\n", v[i]->name, v[i]->version, w);
		free(why);
	}
}

/* Selected primitives whose Depends name name (met otherwise). */
static size_t explain_dependents(const struct ex *x, const char *name)
{
	const struct decision *dec = &x->b->dec;
	size_t n = 0;

	for (size_t i = 0; i < dec->nselected; i++) {
		const struct cat_prim *p = dec->selected[i].prim;
		struct cat_prim stub = {.name = (char *)name};
		char *rel = depends_on(p, &stub);
		if (rel)
			sb_addf(x->out, "  %s %s depends on '%s', met by another alternative\n", p->name,
				p->version, rel);
		n += rel != NULL;
		free(rel);
	}
	return n;
}

static bool explain_absent(const struct ex *x, const char *name)
{
	const struct decision *dec = &x->b->dec;
	size_t n = 0;

	sb_addf(x->out, "%s is not in the image%s\n", name, x->unresolved ? ": the resolution failed" : "");
	for (size_t i = 0; i < dec->nexcludes; i++)
		if (!strcmp(dec->excludes[i].name, name)) {
			sb_addf(x->out, "  excluded at %s\n", dec->excludes[i].at);
			n++;
		}
	n += explain_requests(x, name, "  ");
	if (x->b->have_catalogs)
		n += explain_dependents(x, name);
	if (!n && !x->b->have_catalogs)
		sb_adds(x->out, "  the policy does not include it (selection only: give -C CATALOG to see "
				"dependencies)\n");
	else if (!n)
		sb_adds(x->out, "  nothing includes it and no selected primitive depends on it\n");
	if (x->b->have_catalogs)
		explain_candidates(x, name);
	return false;
}

static bool requested(const struct decision *dec, const char *name)
{
	for (size_t i = 0; i < dec->nrequests; i++)
		if (!strcmp(dec->requests[i].name, name))
			return true;
	return false;
}

enum build_status build_explain(struct build *b, const struct build_opts *o, const char *name,
				struct strbuf *out, bool *in_image, struct diag *d)
{
	enum build_status st = build_decide(b, o, d);
	const struct dec_selected *s;
	struct ex x;

	*in_image = false;
	if (st != BUILD_OK && st != BUILD_DENIED && st != BUILD_UNRESOLVED)
		return st;
	if (st == BUILD_UNRESOLVED && !b->have_catalogs)
		return st;
	ex_init(&x, b, out, d);
	x.unresolved = st == BUILD_UNRESOLVED;
	s = x.unresolved ? NULL : find_sel(&x, name);
	if (s) {
		*in_image = true;
		sb_addf(out, "%s %s is in the image%s\n", s->prim->name, s->prim->version,
			s->requested ? "" : ", a dependency");
		if (s->requested)
			explain_requests(&x, name, "  ");
		else
			explain_chain(&x, s);
	} else if (!b->have_catalogs && requested(&b->dec, name)) {
		sb_addf(out, "%s is included (selection only: give -C CATALOG to resolve)\n", name);
		explain_requests(&x, name, "  ");
		*in_image = true;
	} else {
		explain_absent(&x, name);
	}
	free(x.sel);
	free(x.by_to);
	return st;
}
