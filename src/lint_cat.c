/* lint_cat.c - `cpolc lint -C CATALOG`: policies checked against catalogs.
 *
 * Rules:
 *   unknown-primitive        include/base (error) or exclude (warning) of a
 *                            name no primitive has or provides
 *   unsatisfiable-constraint a version constraint no catalog version of the
 *                            name meets: constants folded from the tree for
 *                            every statement, and the values the VM computes
 *                            for the statements a policy reaches with an
 *                            empty request (fragment arguments)
 *   admit-rejects-all        admit filters that reject every version of a
 *                            name the policy includes
 *   maint-script             (warning) a package the policy selects with an
 *                            empty request has maintainer scripts that run
 *                            what cpolc does not reproduce (maint.h); at the
 *                            include that selects it, else the first include
 * The last runs each policy with an empty request (vm_select) and applies
 * its recorded admit filters to every catalog version of each included name
 * (vm_admit). A filter that reads input, selected, or a let, parameter or
 * other outer name is not judged: with an empty request its verdict means
 * nothing. Since vm_admit stops at the first filter that rejects, a version
 * counts as rejected only when that first filter is a judged one.
 */
#include "config.h"

#include "lint.h"

#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "bc.h"
#include "cat.h"
#include "comp.h"
#include "decision.h"
#include "lint_int.h"
#include "maint.h"
#include "module.h"
#include "res.h"
#include "sema.h"
#include "util.h"
#include "ver.h"
#include "vm.h"

/* A statement of the program by the "FILE:LINE:COL" the VM names it with. */
struct site {
	char *at;
	const struct ast *n;
	bool judged;  /* AST_ADMIT: its filter may be judged */
	bool checked; /* include/base: constraint already checked */
};

struct lcat {
	struct lint L;
	const struct catset *cs;
	const struct program *p;
	struct site *sites;
	size_t nsites, capsites;
	json_t *reported; /* the set of "at\tname" of admit-rejects-all reports */
};

static bool known_name(const struct catset *cs, const char *name)
{
	size_t n = 0;

	if (catset_versions(cs, name, &n) && n)
		return true;
	catset_providers(cs, name, &n);
	return n > 0;
}

/* Report when no version of name meets "op constraint". */
static void check_constraint(struct lcat *C, const char *name, const char *op, const char *constraint,
			     struct loc loc)
{
	size_t n = 0;
	struct cat_prim *const *v = catset_versions(C->cs, name, &n);

	if (!n)
		return; /* only provided (virtual): the resolver decides */
	for (size_t i = 0; i < n; i++)
		if (ver_satisfies(v[i]->version, op, constraint, true))
			return;
	lint_report(&C->L, DIAG_ERROR, loc, "unsatisfiable-constraint",
		    "no catalog version of '%s' satisfies %s %s (the highest is %s)", name, op, constraint,
		    v[0]->version);
}

/* ---- the tree: names and constant constraints ---------------------------- */

static int cmp_site(const void *x, const void *y)
{
	const struct site *a = x, *b = y;

	return strcmp(a->at, b->at);
}

/* The statement at "FILE:LINE:COL" (sites sorted by cmp_site), or NULL. */
static struct site *site_of(struct lcat *C, const char *at)
{
	struct site key = {(char *)at, NULL, false, false};

	return C->nsites ? bsearch(&key, C->sites, C->nsites, sizeof(*C->sites), cmp_site) : NULL;
}

/* Does e read a name bound outside it (let, parameter)? */
static bool reads_outer(const struct ast *e)
{
	if (!e)
		return false;
	if (e->kind == AST_NAME && e->ref && (e->ref->kind == AST_LET || e->ref->kind == AST_PARAM))
		return true;
	if (reads_outer(e->a) || reads_outer(e->b) || reads_outer(e->c))
		return true;
	for (size_t i = 0; i < e->kids.n; i++)
		if (reads_outer(e->kids.v[i]))
			return true;
	return false;
}

static void add_site(struct lcat *C, const struct ast *n)
{
	struct site *s;

	xgrow((void **)&C->sites, &C->capsites, C->nsites + 1, sizeof(*C->sites));
	s = &C->sites[C->nsites++];
	memset(s, 0, sizeof(*s));
	s->at = diag_locstr(C->L.d, n->loc);
	s->n = n;
	if (n->kind == AST_ADMIT)
		s->judged = n->a && !n->a->reads_input && !n->a->reads_selected && !reads_outer(n->a);
}

static void check_stmt(struct lcat *C, const struct ast *n, bool main)
{
	struct sema_value v;

	if (n->kind == AST_ADMIT) {
		add_site(C, n);
		return;
	}
	if (n->kind != AST_INCLUDE && n->kind != AST_BASE && n->kind != AST_EXCLUDE)
		return;
	add_site(C, n);
	if (!main)
		return;
	if (!known_name(C->cs, n->str)) {
		const char *near = catset_suggest(C->cs, n->str);
		lint_report(&C->L, n->kind == AST_EXCLUDE ? DIAG_WARNING : DIAG_ERROR, n->nameloc,
			    "unknown-primitive", "no catalog has or provides a primitive named '%s'%s%s%s",
			    n->str, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
		C->sites[C->nsites - 1].checked = true;
		return;
	}
	if (n->kind == AST_EXCLUDE || !n->op || !n->a)
		return;
	sema_fold(n->a, &v);
	if (v.known && v.type == SV_STRING && v.s && !memchr(v.s, '\0', v.len)) {
		char *c = xstrndup(v.s, v.len);
		check_constraint(C, n->str, ast_op_name(n->op), c, n->a->loc);
		C->sites[C->nsites - 1].checked = true;
		free(c);
	}
}

static void walk(struct lcat *C, const struct ast_list *l, bool main)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct ast *n = l->v[i];
		if (n->kind == AST_IF) {
			for (const struct ast *b = n; b; b = b->kind == AST_IF ? b->b : NULL)
				walk(C, &b->kids, main);
		} else {
			check_stmt(C, n, main);
		}
	}
}

/* ---- the VM: reached constraints and admit filters ---------------------- */

static bool already_reported(struct lcat *C, const char *at, const char *name)
{
	char *key = xasprintf("%s\t%s", at, name);
	bool seen;

	if (!C->reported)
		C->reported = json_object();
	seen = json_object_get(C->reported, key) != NULL; /* a set: no scan of the reports */
	if (!seen)
		json_object_set_new_nocheck(C->reported, key, json_true());
	free(key);
	return seen;
}

/* The judged admit filter that rejects every version of name, or NULL. */
static const struct site *rejecting_admit(struct lcat *C, struct vm *vm, struct decision *dec,
					  const char *name, struct diag *scratch)
{
	size_t n = 0;
	struct cat_prim *const *v = catset_versions(C->cs, name, &n);
	const struct site *first = NULL;

	for (size_t i = 0; i < n; i++) {
		const char *at = NULL;
		const struct site *s;
		bool ok = true;
		if (vm_admit(vm, dec, v[i], &ok, &at, scratch) < 0 || ok || !at)
			return NULL;
		s = site_of(C, at);
		if (!s || !s->judged)
			return NULL;
		if (!first)
			first = s;
	}
	return first;
}

static void check_request(struct lcat *C, struct vm *vm, struct decision *dec, const struct dec_request *r,
			  struct diag *scratch)
{
	struct site *inc = site_of(C, r->at);
	const struct site *adm;

	if (!inc || inc->n->loc.file != C->L.file || !known_name(C->cs, r->name))
		return;
	if (r->op && r->constraint && !inc->checked) {
		inc->checked = true;
		check_constraint(C, r->name, r->op, r->constraint, inc->n->a ? inc->n->a->loc : inc->n->loc);
	}
	adm = rejecting_admit(C, vm, dec, r->name, scratch);
	if (!adm || already_reported(C, adm->at, r->name))
		return;
	if (adm->n->loc.file == C->L.file)
		lint_report(&C->L, DIAG_ERROR, adm->n->loc, "admit-rejects-all",
			    "this admit filter rejects every catalog version of '%s'", r->name);
	else
		lint_report(&C->L, DIAG_ERROR, inc->n->loc, "admit-rejects-all",
			    "the admit filter at %s rejects every catalog version of '%s'", adm->at, r->name);
}

struct admit_ctx {
	struct vm *vm;
	struct decision *dec;
};

static int admit_cb(void *ctx, const struct cat_prim *cand, bool *ok, const char **failed_at, struct diag *d)
{
	struct admit_ctx *a = ctx;

	return vm_admit(a->vm, a->dec, cand, ok, failed_at, d);
}

/* The include of the main file that selects name, else its first. */
static struct site *include_site(struct lcat *C, const struct decision *dec, const char *name)
{
	struct site *first = NULL;

	for (size_t k = 0; k < dec->nrequests; k++) {
		struct site *s = site_of(C, dec->requests[k].at);
		if (!s || s->n->loc.file != C->L.file)
			continue;
		if (!strcmp(dec->requests[k].name, name))
			return s;
		if (!first)
			first = s;
	}
	return first;
}

/* Resolve dec as a build would and report the scripts' warnings. */
static void check_scripts(struct lcat *C, struct vm *vm, struct decision *dec, struct diag *scratch)
{
	struct admit_ctx a = {vm, dec};
	const struct cat_prim **v;
	json_t **info;
	struct maint m;

	if (!dec->nrequests || res_resolve(C->cs, dec, admit_cb, &a, scratch) < 0)
		return;
	v = xcalloc(dec->nselected + 1, sizeof(*v));
	info = xcalloc(dec->nselected + 1, sizeof(*info));
	for (size_t i = 0; i < dec->nselected; i++) {
		v[i] = dec->selected[i].prim;
		if (cat_prim_debinfo(v[i], &info[i], scratch) < 0)
			info[i] = NULL;
	}
	maint_init(&m);
	maint_scan(&m, v, info, dec->nselected);
	for (size_t i = 0; i < m.nwarnings; i++) {
		struct site *s = include_site(C, dec, m.warnings[i].pkg);
		if (s)
			lint_report(
				&C->L, DIAG_WARNING, s->n->loc, "maint-script",
				"the maintainer scripts of '%s' would run what cpolc does not reproduce: %s",
				m.warnings[i].pkg, m.warnings[i].commands);
	}
	maint_release(&m);
	for (size_t i = 0; i < dec->nselected; i++)
		json_decref(info[i]);
	free(info);
	free(v);
}

static void run_policies(struct lcat *C)
{
	struct diag scratch;
	struct bc_program *prog;
	struct vm *vm;

	/* runtime errors with an empty request are no findings: keep them out */
	diag_init(&scratch);
	for (uint32_t id = 1; id < C->L.d->nfiles; id++) { /* the same file ids */
		const struct diag_file *f = diag_file(C->L.d, id);
		diag_add_file(&scratch, f->path, xstrndup(f->text, f->len), f->len);
	}
	prog = comp_program(C->p, NULL, &scratch);
	vm = prog ? vm_new() : NULL;
	for (size_t i = 0; prog && i < prog->npolicies; i++) {
		struct decision dec;
		decision_init(&dec);
		if (vm_select(vm, prog, prog->policies[i].name, NULL, &dec, &scratch) == 0) {
			for (size_t k = 0; k < dec.nrequests; k++)
				check_request(C, vm, &dec, &dec.requests[k], &scratch);
			check_scripts(C, vm, &dec, &scratch);
		}
		decision_release(&dec);
	}
	vm_free(vm);
	bc_free(prog);
	diag_release(&scratch);
}

int lint_catalogs(const struct program *p, const struct catset *cs, struct diag *d)
{
	struct lcat C;

	if (!p->nmods)
		return 0;
	memset(&C, 0, sizeof(C));
	lint_init(&C.L, p, d);
	C.cs = cs;
	C.p = p;
	for (size_t m = 0; m < p->nmods; m++) {
		const struct ast *root = p->mods[m]->root;
		for (size_t i = 0; i < root->kids.n; i++) {
			const struct ast *n = root->kids.v[i];
			if (n->kind == AST_POLICY || n->kind == AST_FRAGMENT)
				walk(&C, &n->kids, m == 0);
		}
	}
	if (C.nsites)
		qsort(C.sites, C.nsites, sizeof(*C.sites), cmp_site);
	run_policies(&C);
	for (size_t i = 0; i < C.nsites; i++)
		free(C.sites[i].at);
	free(C.sites);
	json_decref(C.reported);
	return (int)lint_flush(&C.L);
}
