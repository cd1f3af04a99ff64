/* res.c - the resolver (algorithm in res.h). */
#include "config.h"

#include "res.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rel.h"
#include "util.h"
#include "ver.h"

#define NO_NODE SIZE_MAX

struct node {
	const struct cat_prim *p;
	size_t parent;	/* the dependent that pulled it in first, or NO_NODE */
	const char *at; /* include location when requested */
	bool requested;
	size_t choice; /* the choice point that selected it */
};

struct work {
	size_t from;
	struct rel_alt alt;
};

struct res_edge {
	size_t from, to;
};

/* Where an enumeration of candidates stands: alternative alt, position i
 * among its versions, or among its providers once prov is set; in apt
 * order, phase 0 enumerates apt's own solutions (res.h), phase 1 the rest. */
struct cursor {
	size_t alt, i;
	bool prov;
	int phase;
};

/* Depth first (apt order), the dependency elements of a selected node not
 * yet decided, queue[next..end); up is the frame of its dependent (index +
 * 1, 0 for none). Frames are never changed, only added: moving on adds a
 * frame, so a choice point restores the walk by truncating them. */
struct frame {
	size_t next, end, up;
};

/* The state of the search, which only ever grows between choices: undoing
 * a choice truncates the arrays back to their lengths then. */
struct mark {
	size_t nnodes, nedges, nqueue;
	size_t head;	     /* the work item being decided, when !include (breadth first) */
	size_t inc;	     /* the include being decided, when include */
	size_t nframes, top; /* the walk (depth first) */
};

/* A decision that picked one candidate among possibly several. */
struct choice {
	struct mark m;
	bool include;	   /* for includes[m.inc], else for the current work item */
	struct cursor cur; /* the candidates after the one taken */
};

/* One version constraint: .cpol (lang) or Debian operators. */
struct cons {
	const char *op, *ver;
	bool lang;
	const char *origin; /* for messages: "include at X" or a primitive name */
};

struct res {
	const struct catset *cs;
	struct decision *dec;
	res_admit_fn admit;
	void *ctx;
	struct diag *d;
	struct node *nodes;
	size_t nnodes, capnodes;
	size_t *slots; /* open addressing: node index + 1, keyed by name */
	size_t nslots;
	struct work *queue;
	size_t nqueue, capqueue, head;
	bool apt;	      /* apt order: depth first, apt's choice of solutions (res.h) */
	struct res_pin *pins; /* sorted by name */
	size_t npins;
	struct elig {
		const struct cat_prim *p;
		bool ok;
	} * elig; /* eligible() remembered, open addressing */
	size_t nelig, nelig_used;
	struct frame *frames; /* apt order: the walk */
	size_t nframes, capframes, top;
	struct res_edge *edges;
	size_t nedges, capedges;
	const struct dec_request **incs; /* included names, sorted, minus exclusions */
	size_t ninc, inc;		 /* inc: the next to take */
	struct choice *choices;
	size_t nchoices, capchoices;
	bool *blame; /* per choice: could undoing it cure the failures met? */
	size_t capblame;
	size_t tries;	      /* choices undone so far */
	bool quiet;	      /* searching: a failure is noted, not reported */
	bool failed;	      /* quiet: the current attempt failed */
	bool fatal;	      /* an admit filter failed at run time */
	const char *platform; /* dec->platform, or the default "linux/amd64" */
	/* reporting: a name that cannot be had is reported at its first
	 * dependent; the others are counted, then named in one note */
	struct told {
		char *name, *at;
		size_t more;
		struct strbuf who;
	} * told;
	size_t ntold, captold;
	struct strmap told_by_name; /* name -> 1 + its index in told */
};

/* ---- small helpers ---------------------------------------------------------- */

static uint64_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static size_t *slot_of(struct res *r, const char *name)
{
	size_t i = (size_t)hash_name(name) & (r->nslots - 1);

	while (r->slots[i] && strcmp(r->nodes[r->slots[i] - 1].p->name, name))
		i = (i + 1) & (r->nslots - 1);
	return &r->slots[i];
}

static struct node *chosen(struct res *r, const char *name)
{
	size_t s = *slot_of(r, name);

	return s ? &r->nodes[s - 1] : NULL;
}

static void rehash(struct res *r)
{
	free(r->slots);
	r->nslots *= 2;
	r->slots = xcalloc(r->nslots, sizeof(*r->slots));
	for (size_t i = 0; i < r->nnodes; i++)
		*slot_of(r, r->nodes[i].p->name) = i + 1;
}

static size_t add_node(struct res *r, const struct cat_prim *p, size_t parent, const char *at)
{
	size_t i = r->nnodes;

	xgrow((void **)&r->nodes, &r->capnodes, i + 1, sizeof(*r->nodes));
	r->nodes[i] = (struct node){p, parent, at, at != NULL, r->nchoices - 1};
	r->nnodes++;
	if (r->nnodes * 2 > r->nslots)
		rehash(r);
	else
		*slot_of(r, p->name) = i + 1;
	return i;
}

static void add_edge(struct res *r, size_t from, size_t to)
{
	if (from == NO_NODE || from == to)
		return;
	xgrow((void **)&r->edges, &r->capedges, r->nedges + 1, sizeof(*r->edges));
	r->edges[r->nedges++] = (struct res_edge){from, to};
}

static bool excluded(struct res *r, const char *name, const char **at)
{
	for (size_t i = 0; i < r->dec->nexcludes; i++)
		if (!strcmp(r->dec->excludes[i].name, name)) {
			if (at)
				*at = r->dec->excludes[i].at;
			return true;
		}
	return false;
}

/* "web -> app -> libssl3": the chain from the policy to node k, then to. */
static char *chain(struct res *r, size_t k, const char *to)
{
	struct strbuf sb = STRBUF_INIT;
	const char **names = NULL;
	size_t n = 0, cap = 0, hops = 0;

	for (; k != NO_NODE && hops <= r->nnodes; k = r->nodes[k].parent, hops++) {
		xgrow((void **)&names, &cap, n + 1, sizeof(*names));
		names[n++] = r->nodes[k].p->name;
	}
	sb_adds(&sb, r->dec->policy ? r->dec->policy : "policy");
	while (n)
		sb_addf(&sb, " -> %s", names[--n]);
	if (to)
		sb_addf(&sb, " -> %s", to);
	free(names);
	return sb_detach(&sb, NULL);
}

/* Where an error about something needed through node k is reported: the
 * include statement at the root of its chain. */
static const char *root_at(struct res *r, size_t k, const char *fallback)
{
	size_t hops = 0;

	while (k != NO_NODE && r->nodes[k].parent != NO_NODE && hops++ <= r->nnodes)
		k = r->nodes[k].parent;
	return k != NO_NODE && r->nodes[k].at ? r->nodes[k].at : fallback;
}

static void vreport(struct diag *d, enum diag_severity sev, const char *at, const char *rule, const char *fmt,
		    va_list ap)
{
	diag_vreport_at(d, sev, at, rule, fmt, ap);
}

static void report(struct diag *d, const char *at, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void report(struct diag *d, const char *at, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(d, DIAG_ERROR, at, rule, fmt, ap);
	va_end(ap);
}

static void note(struct diag *d, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(struct diag *d, const char *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(d, DIAG_NOTE, at, NULL, fmt, ap);
	va_end(ap);
}

/* ---- pins -------------------------------------------------------------------------- */

static int cmp_pin(const void *a, const void *b)
{
	return strcmp(((const struct res_pin *)a)->name, ((const struct res_pin *)b)->name);
}

/* The position of name's pinned version in its versions v[0..n), or n. */
static size_t pin_index(const struct res *r, const char *name, struct cat_prim *const *v, size_t n)
{
	struct res_pin key = {name, NULL};
	const struct res_pin *pin =
		r->npins ? bsearch(&key, r->pins, r->npins, sizeof(*r->pins), cmp_pin) : NULL;

	for (size_t i = 0; pin && i < n; i++)
		if (!strcmp(v[i]->version, pin->version))
			return i;
	return n;
}

/* The i-th version of name in candidate order: the pinned one first. */
static struct cat_prim *version_at(const struct res *r, struct cat_prim *const *v, size_t n, size_t i)
{
	size_t k = n ? pin_index(r, v[0]->name, v, n) : 0;

	if (k == n)
		return v[i];
	return i == 0 ? v[k] : i <= k ? v[i - 1] : v[i];
}

/* ---- eligibility --------------------------------------------------------------- */

static char *cons_fail(const struct cat_prim *p, const struct cons *c)
{
	if (!c->op || ver_satisfies(p->version, c->op, c->ver, c->lang))
		return NULL;
	return xasprintf("version %s does not satisfy '%s %s' (%s)", p->version, c->op, c->ver, c->origin);
}

/* NULL when p is eligible (include constraints on its name, the extra
 * constraint, platform, admit filter); else why not (caller frees). */
static char *why_not(struct res *r, const struct cat_prim *p, const struct cons *extra)
{
	char *why = extra ? cons_fail(p, extra) : NULL, *cves;
	const char *failed_at = NULL;
	bool ok = true;

	for (size_t i = 0; !why && i < r->dec->nrequests; i++) {
		const struct dec_request *q = &r->dec->requests[i];
		char *origin;
		if (strcmp(q->name, p->name) || !q->op)
			continue;
		origin = xasprintf("include at %s", q->at ? q->at : "?");
		why = cons_fail(p, &(struct cons){q->op, q->constraint ? q->constraint : "", true, origin});
		free(origin);
	}
	if (why)
		return why;
	if (!cat_prim_fits(p, r->platform))
		return xasprintf("version %s is for %s/%s, not %s", p->version, p->os, p->arch, r->platform);
	if (!r->admit)
		return NULL;
	/* the admit filter loads the metadata if it reads the record */
	if (r->admit(r->ctx, p, &ok, &failed_at, r->d) < 0) {
		r->fatal = true;
		return xasprintf("version %s: the admit filter failed", p->version);
	}
	if (ok)
		return NULL;
	cves = cat_prim_cves(p, 8);
	why = xasprintf("version %s rejected by admit filter at %s%s%s", p->version,
			failed_at ? failed_at : "?", cves ? "; it has " : "", cves ? cves : "");
	free(cves);
	return why;
}

static bool provides_ok(const struct cat_provider *pv, const struct rel_atom *a)
{
	return !a->op || (pv->version && ver_satisfies(pv->version, a->op, a->version, false));
}

/* Notes: why each candidate for a was rejected. */
static void explain(struct res *r, const char *at, const struct rel_atom *a, const struct cons *extra)
{
	size_t n, np;
	struct cat_prim *const *v = catset_versions(r->cs, a->name, &n);
	const struct cat_provider *pv = catset_providers(r->cs, a->name, &np);
	struct node *c = chosen(r, a->name);
	const char *xat;

	if (excluded(r, a->name, &xat))
		note(r->d, xat, "'%s' is excluded here", a->name);
	if (c)
		note(r->d, at, "'%s' version %s is already selected", a->name, c->p->version);
	for (size_t i = 0; i < n && !c; i++) {
		char *why = why_not(r, v[i], extra);
		note(r->d, at, "candidate %s: %s", v[i]->name, why ? why : "eligible");
		free(why);
	}
	for (size_t i = 0; i < np; i++) {
		char *why = NULL;
		if (!provides_ok(&pv[i], a))
			why = xasprintf("provides '%s%s%s' only", a->name, pv[i].version ? " = " : "",
					pv[i].version ? pv[i].version : "");
		else if (excluded(r, pv[i].prim->name, NULL))
			why = xstrdup("is excluded");
		else if (chosen(r, pv[i].prim->name))
			why = xasprintf("version %s is already selected",
					chosen(r, pv[i].prim->name)->p->version);
		else
			why = why_not(r, pv[i].prim, NULL);
		note(r->d, at, "provider %s %s: %s", pv[i].prim->name, pv[i].prim->version,
		     why ? why : "eligible");
		free(why);
	}
}

/* ---- blame: which choices could cure a failure -------------------------------- */

/* Blame every choice that led to node k: its own, and those of the
 * dependents that pulled it in, up to an include. */
static void blame_node(struct res *r, size_t k)
{
	for (size_t hops = 0; k != NO_NODE && hops <= r->nnodes; k = r->nodes[k].parent, hops++)
		r->blame[r->nodes[k].choice] = true;
}

/* Blame the choices of selected primitives that block the alternatives of
 * alt: the name chosen at a version that does not meet it, or a provider
 * already chosen. */
static void blame_blockers(struct res *r, const struct rel_alt *alt)
{
	for (size_t i = 0; i < alt->n; i++) {
		const struct rel_atom *a = &alt->atoms[i];
		struct node *c = chosen(r, a->name);
		size_t np;
		const struct cat_provider *pv = catset_providers(r->cs, a->name, &np);

		if (c)
			blame_node(r, (size_t)(c - r->nodes));
		for (size_t j = 0; j < np; j++)
			if ((c = chosen(r, pv[j].prim->name)) != NULL)
				blame_node(r, (size_t)(c - r->nodes));
	}
}

/* A field of node k's metadata does not parse: searching, a failure that
 * another choice for k may cure; else an error. */
static void bad_field(struct res *r, size_t k, const char *rule, const char *field, const char *why)
{
	const struct cat_prim *p = r->nodes[k].p;

	if (r->quiet) {
		blame_node(r, k);
		r->failed = true;
	} else {
		report(r->d, root_at(r, k, NULL), rule, "bad %s of '%s' version %s: %s", field, p->name,
		       p->version, why);
	}
}

/* ---- the work queue --------------------------------------------------------------- */

static void push_frame(struct res *r, size_t next, size_t end, size_t up)
{
	xgrow((void **)&r->frames, &r->capframes, r->nframes + 1, sizeof(*r->frames));
	r->frames[r->nframes++] = (struct frame){next, end, up};
	r->top = r->nframes;
}

/* The work item to decide next, or NO_NODE when none is left: breadth
 * first, the queue in order; depth first, the next element of the dependent
 * selected last that has one left. */
static size_t current(struct res *r)
{
	if (!r->apt)
		return r->head < r->nqueue ? r->head : NO_NODE;
	while (r->top) {
		const struct frame *f = &r->frames[r->top - 1];
		if (f->next < f->end)
			return f->next;
		r->top = f->up;
	}
	return NO_NODE;
}

/* Move past the current work item. */
static void advance(struct res *r)
{
	struct frame f;

	if (!r->apt) {
		r->head++;
		return;
	}
	f = r->frames[r->top - 1];
	push_frame(r, f.next + 1, f.end, f.up);
}

static void queue_depends(struct res *r, size_t k)
{
	const struct cat_prim *p = r->nodes[k].p;
	struct rel_list l;
	const char *why;

	if (!*p->depends)
		return;
	if (rel_parse(p->depends, &l, &why) < 0) {
		bad_field(r, k, "no-eligible-version", "depends", why);
		return;
	}
	for (size_t i = 0; i < l.n; i++) {
		xgrow((void **)&r->queue, &r->capqueue, r->nqueue + 1, sizeof(*r->queue));
		r->queue[r->nqueue++] = (struct work){k, l.alts[i]};
	}
	if (r->apt && l.n)
		push_frame(r, r->nqueue - l.n, r->nqueue, r->top);
	free(l.alts);
}

/* A selected node that satisfies atom a (by name or Provides), or NO_NODE. */
static size_t satisfied_by(struct res *r, const struct rel_atom *a)
{
	struct node *c = chosen(r, a->name);
	size_t np;
	const struct cat_provider *pv;

	if (c && (!a->op || ver_satisfies(c->p->version, a->op, a->version, false)))
		return (size_t)(c - r->nodes);
	pv = catset_providers(r->cs, a->name, &np);
	for (size_t i = 0; i < np; i++) {
		c = chosen(r, pv[i].prim->name);
		if (c && c->p == pv[i].prim && provides_ok(&pv[i], a))
			return (size_t)(c - r->nodes);
	}
	return NO_NODE;
}

/* ---- apt order --------------------------------------------------------------------- */

/* Is p eligible (why_not without an extra constraint)? Remembered per
 * primitive: eligibility does not change during a resolution. */
static bool eligible(struct res *r, const struct cat_prim *p)
{
	size_t i, mask;
	char *why;

	if (!r->nelig || (r->nelig_used + 1) * 2 > r->nelig) {
		struct elig *old = r->elig;
		size_t n = r->nelig;
		r->nelig = n ? n * 2 : 256;
		r->elig = xcalloc(r->nelig, sizeof(*r->elig));
		r->nelig_used = 0;
		for (size_t j = 0; j < n; j++)
			if (old[j].p) {
				for (i = ((uintptr_t)old[j].p >> 4) & (r->nelig - 1); r->elig[i].p;
				     i = (i + 1) & (r->nelig - 1))
					;
				r->elig[i] = old[j];
				r->nelig_used++;
			}
		free(old);
	}
	mask = r->nelig - 1;
	for (i = ((uintptr_t)p >> 4) & mask; r->elig[i].p; i = (i + 1) & mask)
		if (r->elig[i].p == p)
			return r->elig[i].ok;
	why = why_not(r, p, NULL);
	if (r->fatal) {
		free(why);
		return false;
	}
	r->elig[i] = (struct elig){p, !why};
	r->nelig_used++;
	free(why);
	return r->elig[i].ok;
}

/* apt's candidate of name: its highest eligible version, or NULL (also for
 * an excluded name). */
static const struct cat_prim *candidate(struct res *r, const char *name)
{
	size_t n;
	struct cat_prim *const *v = catset_versions(r->cs, name, &n);

	if (excluded(r, name, NULL))
		return NULL;
	for (size_t i = 0; i < n && !r->fatal; i++)
		if (eligible(r, version_at(r, v, n, i)))
			return version_at(r, v, n, i);
	return NULL;
}

/* Can atom a be met by a selected primitive or by the candidate of its name
 * or of one of its providers? */
static bool candidate_meets(struct res *r, const struct rel_atom *a)
{
	const struct cat_prim *c;
	const struct cat_provider *pv;
	size_t np;

	if (satisfied_by(r, a) != NO_NODE)
		return true;
	c = chosen(r, a->name) ? NULL : candidate(r, a->name);
	if (c && (!a->op || ver_satisfies(c->version, a->op, a->version, false)))
		return true;
	pv = catset_providers(r->cs, a->name, &np);
	for (size_t i = 0; i < np; i++)
		if (provides_ok(&pv[i], a) && !chosen(r, pv[i].prim->name) &&
		    candidate(r, pv[i].prim->name) == pv[i].prim)
			return true;
	return false;
}

/* apt takes a package only when each of its dependencies can be met by a
 * selected package or by a candidate (IsInstallOkDependenciesSatisfiable-
 * ByCandidates in apt's depcache.cc): a one-step look ahead. */
static bool lookahead_ok(struct res *r, const struct cat_prim *p)
{
	struct rel_list l;
	const char *why;
	bool ok = true;

	if (!*p->depends || rel_parse(p->depends, &l, &why) < 0)
		return true; /* a bad field is reported when p is taken */
	for (size_t i = 0; i < l.n && ok; i++) {
		bool any = false;
		for (size_t j = 0; j < l.alts[i].n && !any && !r->fatal; j++)
			any = candidate_meets(r, &l.alts[i].atoms[j]);
		ok = any;
	}
	rel_list_release(&l);
	return ok;
}

/* apt's preference among the solutions of one alternative (CompareProviders
 * in apt's depcache.cc, what of it an empty status leaves): Essential, then
 * Important, then the lower Priority number, then the package apt numbered
 * later; then name, version highest first. Primitives of other catalogs
 * have none of these: name order. */
static int cmp_apt(const struct cat_prim *a, const struct cat_prim *b)
{
	int c;

	if (a->essential != b->essential)
		return a->essential ? -1 : 1;
	if (a->important != b->important)
		return a->important ? -1 : 1;
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank > b->rank ? -1 : 1;
	if ((c = strcmp(a->name, b->name)))
		return c;
	return ver_cmp(b->version, a->version);
}

static int cmp_apt_p(const void *a, const void *b)
{
	return cmp_apt(*(const struct cat_prim *const *)a, *(const struct cat_prim *const *)b);
}

/* The solutions of alternative a for a dependent: phase 0, apt's (the
 * candidate of its name if it meets a, then the providers that are their
 * name's candidate, in apt's preference); phase 1, the other eligible
 * versions that meet it and the other eligible providers. Caller frees. */
static const struct cat_prim **solutions(struct res *r, const struct rel_atom *a, int phase, size_t *n)
{
	size_t nv, np, cap = 0, first;
	struct cat_prim *const *v = catset_versions(r->cs, a->name, &nv);
	const struct cat_provider *pv = catset_providers(r->cs, a->name, &np);
	const struct cat_prim *c = candidate(r, a->name), **out = NULL;

	*n = 0;
	for (size_t i = 0; i < nv && !r->fatal; i++) {
		const struct cat_prim *p = version_at(r, v, nv, i);
		bool take = phase == 0 ? p == c : p != c && eligible(r, p);
		if (take && (!a->op || ver_satisfies(p->version, a->op, a->version, false))) {
			xgrow((void **)&out, &cap, *n + 1, sizeof(*out));
			out[(*n)++] = p;
		}
	}
	first = *n;
	for (size_t i = 0; i < np && !r->fatal; i++) {
		const struct cat_prim *p = pv[i].prim;
		if (!provides_ok(&pv[i], a) || excluded(r, p->name, NULL) || chosen(r, p->name))
			continue;
		if (phase == 0 ? candidate(r, p->name) != p : candidate(r, p->name) == p || !eligible(r, p))
			continue;
		xgrow((void **)&out, &cap, *n + 1, sizeof(*out));
		out[(*n)++] = p;
	}
	if (phase == 0 && *n - first > 1)
		qsort(out + first, *n - first, sizeof(*out), cmp_apt_p);
	return out;
}

/* next_candidate in apt order: apt's solutions of every alternative, in
 * order, that pass apt's look ahead; then the others. */
static const struct cat_prim *next_candidate_apt(struct res *r, const struct rel_alt *alt, struct cursor *c)
{
	for (; c->phase < 2; c->phase++, c->alt = 0, c->i = 0) {
		for (; c->alt < alt->n && !r->fatal; c->alt++, c->i = 0) {
			const struct rel_atom *a = &alt->atoms[c->alt];
			const struct cat_prim **v;
			size_t n;
			if (excluded(r, a->name, NULL) || chosen(r, a->name))
				continue;
			v = solutions(r, a, c->phase, &n);
			while (c->i < n && !r->fatal) {
				const struct cat_prim *p = v[c->i++];
				if (lookahead_ok(r, p)) {
					free(v);
					return p;
				}
			}
			free(v);
		}
	}
	return NULL;
}

/* The next eligible candidate for alt from *c on, leaving *c after it;
 * NULL when none is left. For a dependency (origin names the dependent):
 * alternative by alternative, the eligible versions meeting the relation,
 * highest first, then the eligible providers; an excluded or already
 * chosen name is passed over. For an include (origin NULL): the versions of
 * its name, or its providers when the name has no versions. */
static const struct cat_prim *next_candidate(struct res *r, const struct rel_alt *alt, const char *origin,
					     struct cursor *c)
{
	if (r->apt && origin)
		return next_candidate_apt(r, alt, c);
	for (; c->alt < alt->n && !r->fatal; c->alt++, c->i = 0, c->prov = false) {
		const struct rel_atom *a = &alt->atoms[c->alt];
		struct cons cons = {a->op, a->version, false, origin};
		size_t n, np;
		struct cat_prim *const *v = catset_versions(r->cs, a->name, &n);
		const struct cat_provider *pv = catset_providers(r->cs, a->name, &np);

		if (origin && (excluded(r, a->name, NULL) || chosen(r, a->name)))
			continue;
		while (!c->prov && c->i < n && !r->fatal) {
			const struct cat_prim *p = version_at(r, v, n, c->i++);
			char *why = why_not(r, p, origin ? &cons : NULL);
			if (!why)
				return p;
			free(why);
		}
		if (!c->prov) {
			c->prov = true;
			c->i = 0;
		}
		if (!origin && n)
			continue;
		while (c->i < np && !r->fatal) {
			const struct cat_provider *e = &pv[c->i++];
			char *why;
			if (!provides_ok(e, a) || excluded(r, e->prim->name, NULL) ||
			    chosen(r, e->prim->name))
				continue;
			why = why_not(r, e->prim, NULL);
			if (!why)
				return e->prim;
			free(why);
		}
	}
	return NULL;
}

/* Select p for the current include (include) or work item, remembering
 * the candidates after it (cur) as a choice point. */
static void take(struct res *r, const struct cat_prim *p, bool include, struct cursor cur)
{
	struct choice *c;
	size_t k;

	xgrow((void **)&r->choices, &r->capchoices, r->nchoices + 1, sizeof(*r->choices));
	xgrow((void **)&r->blame, &r->capblame, r->nchoices + 1, sizeof(*r->blame));
	c = &r->choices[r->nchoices];
	c->m = (struct mark){r->nnodes, r->nedges, r->nqueue, r->head, r->inc, r->nframes, r->top};
	c->include = include;
	c->cur = cur;
	r->blame[r->nchoices++] = false;
	if (include) {
		const struct dec_request *q = r->incs[r->inc++];
		k = add_node(r, p, NO_NODE, q->at ? q->at : "?");
	} else {
		size_t from = r->queue[current(r)].from;
		advance(r);
		k = add_node(r, p, from, NULL);
		add_edge(r, from, k);
	}
	queue_depends(r, k);
}

/* Was the failure to get name reported already? Then count dependent
 * from, which needs need (the first TOLD_NAMES are named). */
#define TOLD_NAMES 8
static bool told_before(struct res *r, const char *name, const char *from, const char *need, const char *at)
{
	uintptr_t k = (uintptr_t)strmap_get(&r->told_by_name, name);
	struct told *t;

	if (!k) { /* the first: reported by the caller */
		xgrow((void **)&r->told, &r->captold, r->ntold + 1, sizeof(*r->told));
		r->told[r->ntold++] = (struct told){xstrdup(name), at ? xstrdup(at) : NULL, 0, STRBUF_INIT};
		strmap_put(&r->told_by_name, name, (void *)(uintptr_t)r->ntold);
		return false;
	}
	t = &r->told[k - 1];
	if (t->more++ < TOLD_NAMES)
		sb_addf(&t->who, "%s'%s': %s", t->more > 1 ? ", " : "", from, need);
	return true;
}

static void told_notes(struct res *r)
{
	for (size_t i = 0; i < r->ntold; i++) {
		struct told *t = &r->told[i];
		if (t->more)
			note(r->d, t->at, "%zu more primitive%s need%s '%s' too: %s%s", t->more,
			     t->more == 1 ? "" : "s", t->more == 1 ? "s" : "", t->name, t->who.buf,
			     t->more > TOLD_NAMES ? ", ..." : "");
		free(t->name);
		free(t->at);
		sb_release(&t->who);
	}
	free(r->told);
	r->told = NULL;
	r->ntold = r->captold = 0;
	strmap_clear(&r->told_by_name);
}

static void dep_error(struct res *r, const struct work *w)
{
	const struct rel_atom *a = &w->alt.atoms[0];
	char *text = rel_alt_str(&w->alt), *ch = chain(r, w->from, a->name);
	const char *at = root_at(r, w->from, NULL), *xat = NULL;
	const char *from = r->nodes[w->from].p->name;
	struct node *c = chosen(r, a->name);
	size_t n;

	if (w->alt.n == 1 && !c && told_before(r, a->name, from, text, at)) {
		/* counted: one note names them all */
	} else if (w->alt.n == 1 && excluded(r, a->name, &xat)) {
		report(r->d, at, "excluded-dependency", "'%s' is excluded but '%s' depends on it (%s)",
		       a->name, from, ch);
		note(r->d, xat, "excluded here");
	} else if (w->alt.n == 1 && c) {
		report(r->d, at, "version-conflict",
		       "'%s' needs '%s' but version %s of '%s' is already selected (%s)", from, text,
		       c->p->version, a->name, ch);
	} else if (w->alt.n == 1 && !catset_versions(r->cs, a->name, &n) &&
		   !catset_providers(r->cs, a->name, &n)) {
		report(r->d, at, "missing-primitive",
		       "no primitive '%s' in the catalogs, needed by '%s' (%s)", a->name, from, ch);
	} else {
		report(r->d, at, "no-eligible-version", "no eligible version for '%s', needed by '%s' (%s)",
		       text, from, ch);
		for (size_t i = 0; i < w->alt.n; i++) {
			const struct rel_atom *ai = &w->alt.atoms[i];
			struct cons c2 = {ai->op, ai->version, false, from};
			explain(r, at, ai, &c2);
		}
	}
	free(text);
	free(ch);
}

/* A work item no candidate is left for: searching, blame what could cure
 * it; else report it and go on. */
static void dep_failed(struct res *r, const struct work *w)
{
	if (r->quiet) {
		blame_node(r, w->from);
		blame_blockers(r, &w->alt);
		r->failed = true;
	} else {
		dep_error(r, w);
		advance(r);
	}
}

static void process(struct res *r, size_t item)
{
	const struct work w = r->queue[item]; /* the queue may move as it grows */
	struct cursor cur = {0, 0, false, 0};
	const struct cat_prim *p;

	for (size_t i = 0; i < w.alt.n; i++) {
		size_t k = satisfied_by(r, &w.alt.atoms[i]);
		if (k != NO_NODE) {
			add_edge(r, w.from, k);
			advance(r);
			return;
		}
	}
	p = next_candidate(r, &w.alt, r->nodes[w.from].p->name, &cur);
	if (p)
		take(r, p, false, cur);
	else if (!r->fatal)
		dep_failed(r, &w);
}

/* ---- includes ----------------------------------------------------------------- */

static int cmp_req(const void *a, const void *b)
{
	const struct dec_request *x = *(const struct dec_request *const *)a;
	const struct dec_request *y = *(const struct dec_request *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x < y ? -1 : x > y);
}

static void include_error(struct res *r, const struct dec_request *q)
{
	size_t n, np;
	struct rel_atom a = {q->name, NULL, NULL};

	if (!catset_versions(r->cs, q->name, &n) && !catset_providers(r->cs, q->name, &np)) {
		const char *near = catset_suggest(r->cs, q->name);
		report(r->d, q->at, "missing-primitive", "no primitive '%s' in the catalogs (%s -> %s)%s%s%s",
		       q->name, r->dec->policy ? r->dec->policy : "policy", q->name,
		       near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
		return;
	}
	report(r->d, q->at, "no-eligible-version", "no eligible version of '%s' (%s -> %s)", q->name,
	       r->dec->policy ? r->dec->policy : "policy", q->name);
	explain(r, q->at, &a, NULL);
}

static void include_failed(struct res *r, const struct rel_alt *alt)
{
	if (r->quiet) {
		blame_blockers(r, alt);
		r->failed = true;
	} else {
		include_error(r, r->incs[r->inc]);
		r->inc++;
	}
}

static void include_one(struct res *r)
{
	const struct dec_request *q = r->incs[r->inc];
	struct rel_atom a = {q->name, NULL, NULL};
	struct rel_alt alt = {&a, 1};
	struct cursor cur = {0, 0, false, 0};
	const struct cat_prim *p;

	if (chosen(r, q->name)) {
		r->inc++;
		return;
	}
	p = next_candidate(r, &alt, NULL, &cur);
	if (p)
		take(r, p, true, cur);
	else if (!r->fatal)
		include_failed(r, &alt);
}

/* The included names minus the excluded ones, in name order. */
static void list_includes(struct res *r)
{
	r->incs = xcalloc(r->dec->nrequests + 1, sizeof(*r->incs));
	for (size_t i = 0; i < r->dec->nrequests; i++)
		if (!excluded(r, r->dec->requests[i].name, NULL))
			r->incs[r->ninc++] = &r->dec->requests[i];
	if (r->ninc)
		qsort(r->incs, r->ninc, sizeof(*r->incs), cmp_req);
}

/* ---- conflicts ------------------------------------------------------------------ */

/* Does node j match conflict atom a (by name, or a virtual name it provides)? */
static bool conflicts_with(struct res *r, size_t j, const struct rel_atom *a)
{
	const struct cat_prim *p = r->nodes[j].p;
	size_t np;
	const struct cat_provider *pv;

	if (!strcmp(p->name, a->name))
		return !a->op || ver_satisfies(p->version, a->op, a->version, false);
	pv = catset_providers(r->cs, a->name, &np);
	for (size_t i = 0; i < np; i++)
		if (pv[i].prim == p && provides_ok(&pv[i], a))
			return true;
	return false;
}

static void conflict_error(struct res *r, size_t i, size_t j)
{
	const struct cat_prim *p = r->nodes[i].p;
	char *c1 = chain(r, i, NULL), *c2 = chain(r, j, NULL);

	report(r->d, root_at(r, i, NULL), "conflict",
	       "'%s' version %s conflicts with '%s' version %s (%s; %s)", p->name, p->version,
	       r->nodes[j].p->name, r->nodes[j].p->version, c1, c2);
	free(c1);
	free(c2);
}

/* Report every conflict between selected primitives; searching, blame the
 * first one's choices and stop. */
static void check_conflicts(struct res *r)
{
	for (size_t i = 0; i < r->nnodes && !r->failed; i++) {
		const struct cat_prim *p = r->nodes[i].p;
		struct rel_list l;
		const char *why;
		if (!*p->conflicts)
			continue;
		if (rel_parse(p->conflicts, &l, &why) < 0) { /* fail closed */
			bad_field(r, i, "conflict", "conflicts", why);
			continue;
		}
		for (size_t j = 0; j < r->nnodes && !r->failed; j++) {
			bool hit = false;
			if (j == i)
				continue;
			for (size_t e = 0; e < l.n && !hit; e++)
				for (size_t k = 0; k < l.alts[e].n && !hit; k++)
					hit = conflicts_with(r, j, &l.alts[e].atoms[k]);
			if (hit && r->quiet) {
				blame_node(r, i);
				blame_node(r, j);
				r->failed = true;
			} else if (hit) {
				conflict_error(r, i, j);
			}
		}
		rel_list_release(&l);
	}
}

/* ---- the search ------------------------------------------------------------------ */

/* Take includes, then dependencies breadth first (apt order: each include
 * and its dependencies depth first), until every one is handled or,
 * searching, one fails. */
static void forward(struct res *r)
{
	while (!r->fatal && !r->failed) {
		size_t w = r->apt || r->inc >= r->ninc ? current(r) : NO_NODE;
		if (w != NO_NODE)
			process(r, w);
		else if (r->inc < r->ninc)
			include_one(r);
		else
			break;
	}
}

/* Go back to the state of mark m. */
static void restore(struct res *r, const struct mark *m)
{
	for (size_t i = m->nqueue; i < r->nqueue; i++)
		rel_alt_release(&r->queue[i].alt);
	r->nqueue = m->nqueue;
	r->head = m->head;
	r->inc = m->inc;
	r->nframes = m->nframes;
	r->top = m->top;
	r->nedges = m->nedges;
	r->nnodes = m->nnodes;
	memset(r->slots, 0, r->nslots * sizeof(*r->slots));
	for (size_t i = 0; i < r->nnodes; i++)
		*slot_of(r, r->nodes[i].p->name) = i + 1;
}

/* Undo the latest blamed choice and every later one, and take its next
 * candidate. A choice with no candidate left fails in its turn, blaming
 * what led to it. False when no blamed choice is left, or after
 * RES_MAX_BACKTRACKS choices were undone. */
static bool backjump(struct res *r)
{
	for (;;) {
		size_t t = r->nchoices;
		struct choice c;
		struct rel_atom a;
		struct rel_alt alt;
		size_t from = NO_NODE;
		const struct cat_prim *p;

		while (t > 0 && !r->blame[t - 1])
			t--;
		if (t == 0 || r->tries >= RES_MAX_BACKTRACKS)
			return false;
		r->tries++;
		c = r->choices[--t];
		r->nchoices = t;
		restore(r, &c.m);
		r->failed = false;
		if (c.include) {
			a = (struct rel_atom){r->incs[r->inc]->name, NULL, NULL};
			alt = (struct rel_alt){&a, 1};
			p = next_candidate(r, &alt, NULL, &c.cur);
		} else {
			size_t w = current(r);
			alt = r->queue[w].alt;
			from = r->queue[w].from;
			p = next_candidate(r, &alt, r->nodes[from].p->name, &c.cur);
		}
		if (r->fatal)
			return false;
		if (p) {
			take(r, p, c.include, c.cur);
			return true;
		}
		blame_node(r, from);
		blame_blockers(r, &alt);
	}
}

/* Search for a selection that meets every constraint: the greedy choices
 * first, then, after a failure, the next candidates of the choices that
 * could cure it, latest first. */
static bool search(struct res *r)
{
	r->quiet = true;
	for (;;) {
		forward(r);
		if (r->fatal)
			return false;
		if (!r->failed)
			check_conflicts(r);
		if (!r->failed)
			return true;
		if (!backjump(r))
			return false;
	}
}

/* ---- ordering: dependencies first, cycles together, ties by name ------------------ */

struct order {
	struct res *r;
	size_t *index, *low, *comp, *stack;
	bool *on;
	size_t next, sp, ncomp;
	size_t *adj, *adjstart; /* edges grouped by from */
};

static void strong(struct order *o, size_t v)
{
	o->index[v] = o->low[v] = ++o->next;
	o->stack[o->sp++] = v;
	o->on[v] = true;
	for (size_t e = o->adjstart[v]; e < o->adjstart[v + 1]; e++) {
		size_t w = o->adj[e];
		if (!o->index[w]) {
			strong(o, w);
			if (o->low[w] < o->low[v])
				o->low[v] = o->low[w];
		} else if (o->on[w] && o->index[w] < o->low[v]) {
			o->low[v] = o->index[w];
		}
	}
	if (o->low[v] == o->index[v]) {
		size_t w;
		do {
			w = o->stack[--o->sp];
			o->on[w] = false;
			o->comp[w] = o->ncomp;
		} while (w != v);
		o->ncomp++;
	}
}

static int cmp_edge(const void *a, const void *b)
{
	const struct res_edge *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (x->to > y->to) - (x->to < y->to);
}

/* The node indexes in output order (caller frees). */
static size_t *order_nodes(struct res *r)
{
	size_t n = r->nnodes, *out = xcalloc(n, sizeof(*out)), nout = 0;
	struct order o = {.r = r};
	size_t *pending, *minname;
	bool *done;

	o.index = xcalloc(n, sizeof(size_t));
	o.low = xcalloc(n, sizeof(size_t));
	o.comp = xcalloc(n, sizeof(size_t));
	o.stack = xcalloc(n, sizeof(size_t));
	o.on = xcalloc(n, sizeof(bool));
	o.adj = xcalloc(r->nedges, sizeof(size_t));
	o.adjstart = xcalloc(n + 1, sizeof(size_t));
	if (r->nedges)
		qsort(r->edges, r->nedges, sizeof(*r->edges), cmp_edge);
	for (size_t e = 0; e < r->nedges; e++) {
		o.adj[e] = r->edges[e].to;
		o.adjstart[r->edges[e].from + 1]++;
	}
	for (size_t v = 0; v < n; v++)
		o.adjstart[v + 1] += o.adjstart[v];
	for (size_t v = 0; v < n; v++)
		if (!o.index[v])
			strong(&o, v);
	/* Kahn over components: ready = all dependencies emitted; smallest name first */
	pending = xcalloc(o.ncomp, sizeof(size_t));
	minname = xcalloc(o.ncomp, sizeof(size_t));
	done = xcalloc(n, sizeof(bool));
	for (size_t c = 0; c < o.ncomp; c++)
		minname[c] = SIZE_MAX;
	for (size_t v = 0; v < n; v++) {
		size_t c = o.comp[v];
		if (minname[c] == SIZE_MAX || strcmp(r->nodes[v].p->name, r->nodes[minname[c]].p->name) < 0)
			minname[c] = v;
	}
	for (size_t e = 0; e < r->nedges; e++)
		if (o.comp[r->edges[e].from] != o.comp[r->edges[e].to])
			pending[o.comp[r->edges[e].from]]++;
	for (size_t emitted = 0; emitted < o.ncomp; emitted++) {
		size_t best = SIZE_MAX;
		for (size_t c = 0; c < o.ncomp; c++)
			if (!pending[c] && minname[c] != SIZE_MAX &&
			    (best == SIZE_MAX ||
			     strcmp(r->nodes[minname[c]].p->name, r->nodes[minname[best]].p->name) < 0))
				best = c;
		/* members of the component in name order */
		for (;;) {
			size_t pickv = SIZE_MAX;
			for (size_t v = 0; v < n; v++)
				if (o.comp[v] == best && !done[v] &&
				    (pickv == SIZE_MAX ||
				     strcmp(r->nodes[v].p->name, r->nodes[pickv].p->name) < 0))
					pickv = v;
			if (pickv == SIZE_MAX)
				break;
			done[pickv] = true;
			out[nout++] = pickv;
		}
		minname[best] = SIZE_MAX;
		for (size_t e = 0; e < r->nedges; e++)
			if (o.comp[r->edges[e].to] == best && o.comp[r->edges[e].from] != best)
				pending[o.comp[r->edges[e].from]]--;
	}
	free(pending);
	free(minname);
	free(done);
	free(o.index);
	free(o.low);
	free(o.comp);
	free(o.stack);
	free(o.on);
	free(o.adj);
	free(o.adjstart);
	return out;
}

/* ---- the result ------------------------------------------------------------------- */

static int cmp_dec_edge(const void *a, const void *b)
{
	const struct dec_edge *x = a, *y = b;
	int c = strcmp(x->from, y->from);

	return c ? c : strcmp(x->to, y->to);
}

static void fill_decision(struct res *r)
{
	struct decision *dec = r->dec;
	size_t *ord = order_nodes(r);

	for (size_t i = 0; i < r->nnodes; i++) {
		const struct node *nd = &r->nodes[ord[i]];
		struct dec_selected *s;
		xgrow((void **)&dec->selected, &dec->capselected, dec->nselected + 1, sizeof(*dec->selected));
		s = &dec->selected[dec->nselected++];
		s->prim = nd->p;
		s->requested = nd->requested;
		s->reason = nd->requested ? xasprintf("include at %s", nd->at)
					  : xasprintf("dependency of %s", r->nodes[nd->parent].p->name);
	}
	free(ord);
	for (size_t e = 0; e < r->nedges; e++) {
		const char *from = r->nodes[r->edges[e].from].p->name, *to = r->nodes[r->edges[e].to].p->name;
		if (e && r->edges[e].from == r->edges[e - 1].from && r->edges[e].to == r->edges[e - 1].to)
			continue; /* edges are sorted by index, so repeats are adjacent */
		xgrow((void **)&dec->edges, &dec->capedges, dec->nedges + 1, sizeof(*dec->edges));
		dec->edges[dec->nedges++] = (struct dec_edge){xstrdup(from), xstrdup(to)};
	}
	if (dec->nedges)
		qsort(dec->edges, dec->nedges, sizeof(*dec->edges), cmp_dec_edge);
}

int res_resolve(const struct catset *cs, struct decision *dec, res_admit_fn admit, void *ctx, struct diag *d)
{
	return res_resolve_pinned(cs, dec, NULL, 0, admit, ctx, d);
}

int res_resolve_pinned(const struct catset *cs, struct decision *dec, const struct res_pin *pins,
		       size_t npins, res_admit_fn admit, void *ctx, struct diag *d)
{
	struct res r = {.cs = cs, .dec = dec, .admit = admit, .ctx = ctx, .d = d};
	size_t before = d->nerrors;
	int rc = 0;

	/* a decision resolved before starts over */
	for (size_t i = 0; i < dec->nselected; i++)
		free(dec->selected[i].reason);
	for (size_t i = 0; i < dec->nedges; i++) {
		free(dec->edges[i].from);
		free(dec->edges[i].to);
	}
	dec->nselected = dec->nedges = 0;
	r.platform = dec->platform ? dec->platform : RES_DEFAULT_PLATFORM;
	if (npins) {
		r.pins = xcalloc(npins, sizeof(*r.pins));
		memcpy(r.pins, pins, npins * sizeof(*pins));
		qsort(r.pins, npins, sizeof(*r.pins), cmp_pin);
		r.npins = npins;
	}
	for (size_t i = 0; i < cs->ncats; i++)
		r.apt = r.apt || cs->cats[i]->pack;
	r.nslots = 64;
	r.slots = xcalloc(r.nslots, sizeof(*r.slots));
	list_includes(&r);
	if (!search(&r) && !r.fatal) {
		/* No selection found: report what the greedy choices run into. */
		restore(&r, &(struct mark){0, 0, 0, 0, 0, 0, 0});
		r.nchoices = 0;
		r.quiet = r.failed = false;
		forward(&r);
		if (!r.fatal)
			check_conflicts(&r);
		told_notes(&r);
		if (r.tries >= RES_MAX_BACKTRACKS)
			note(d, NULL, "gave up after trying %u other candidates", RES_MAX_BACKTRACKS);
		if (d->nerrors == before && !r.fatal)
			report(d, NULL, "no-eligible-version", "no selection meets every constraint");
	}
	for (size_t i = 0; i < r.nnodes && !r.fatal; i++)
		if (cat_prim_load(r.nodes[i].p, d) < 0)
			r.fatal = true;
	if (r.fatal || d->nerrors > before)
		rc = -1;
	else
		fill_decision(&r);
	for (size_t i = 0; i < r.nqueue; i++)
		rel_alt_release(&r.queue[i].alt);
	free(r.queue);
	free(r.nodes);
	free(r.slots);
	free(r.edges);
	free(r.incs);
	free(r.choices);
	free(r.blame);
	free(r.frames);
	free(r.elig);
	free(r.pins);
	return rc;
}

/* ---- graph output ------------------------------------------------------------------ */

static void dot_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

void res_graph_dot(const struct decision *dec, FILE *out)
{
	fputs("digraph ", out);
	dot_string(out, dec->policy ? dec->policy : "policy");
	fputs(" {\n\trankdir=LR;\n\tnode [shape=box, fontname=\"monospace\"];\n", out);
	for (size_t i = 0; i < dec->nselected; i++) {
		const struct dec_selected *s = &dec->selected[i];
		char *label = xasprintf("%s\n%s", s->prim->name, s->prim->version);
		fputc('\t', out);
		dot_string(out, s->prim->name);
		fputs(" [label=", out);
		dot_string(out, label);
		fputs(s->requested ? ", style=bold, penwidth=2];\n" : "];\n", out);
		free(label);
	}
	for (size_t i = 0; i < dec->nedges; i++) {
		fputc('\t', out);
		dot_string(out, dec->edges[i].from);
		fputs(" -> ", out);
		dot_string(out, dec->edges[i].to);
		fputs(";\n", out);
	}
	fputs("}\n", out);
}

json_t *res_graph_json(const struct decision *dec)
{
	json_t *o = json_object(), *nodes = json_array(), *edges = json_array();

	json_object_set_new(o, "policy", json_string(dec->policy ? dec->policy : ""));
	json_object_set_new(o, "platform", json_string(dec->platform ? dec->platform : "linux/amd64"));
	for (size_t i = 0; i < dec->nselected; i++) {
		const struct dec_selected *s = &dec->selected[i];
		json_t *n = json_object();
		json_object_set_new(n, "name", json_string(s->prim->name));
		json_object_set_new(n, "version", json_string(s->prim->version));
		json_object_set_new(n, "digest",
				    s->prim->digest ? json_string(s->prim->digest) : json_null());
		json_object_set_new(n, "requested", json_boolean(s->requested));
		json_object_set_new(n, "reason", json_string(s->reason));
		json_array_append_new(nodes, n);
	}
	for (size_t i = 0; i < dec->nedges; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "from", json_string(dec->edges[i].from));
		json_object_set_new(e, "to", json_string(dec->edges[i].to));
		json_array_append_new(edges, e);
	}
	json_object_set_new(o, "nodes", nodes);
	json_object_set_new(o, "edges", edges);
	return o;
}

char *res_why_not(const struct catset *cs, struct decision *dec, const struct cat_prim *p, res_admit_fn admit,
		  void *ctx, struct diag *d)
{
	struct res r = {.cs = cs, .dec = dec, .admit = admit, .ctx = ctx, .d = d};

	r.platform = dec->platform ? dec->platform : RES_DEFAULT_PLATFORM;
	return why_not(&r, p, NULL);
}
