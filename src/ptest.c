/* ptest.c - cpolc test: run the test blocks of policy modules (ptest.h). */
#include "config.h"

#include "ptest.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ast.h"
#include "bc.h"
#include "build.h"
#include "comp.h"
#include "decision.h"
#include "schema.h"
#include "value.h"
#include "vm.h"

/* The source text of an expression shown in a report: white space runs
 * made one space, cut at 300 bytes (not inside a character). */
#define SHOWN_MAX 300

enum { T_PASS, T_FAIL, T_ERROR };

struct tcase {
	char *name, *at; /* the test's name and location */
	int status;
	struct strbuf detail; /* why it failed: one expectation after another */
};

/* Statement coverage of one tested policy: the location of every
 * statement of its block, and whether a test reached it. */
struct cov {
	char *pol, *name;    /* the policy's location (the key) and name */
	char **locs;	     /* per pc: the statement a MARK starts, or NULL */
	struct bc_line *key; /* per pc: its place, to sort by */
	uint8_t *hit;
	size_t n;
};

struct run {
	const struct ptest_opts *o;
	struct diag *d;
	struct tcase *cases;
	size_t ncases, capcases;
	struct cov *covs;
	size_t ncovs, capcovs;
	/* -C: opened at the first test that resolves, lent to each one */
	struct catset cs;
	int cs_state; /* 0 not yet, 1 open, -2 failed (reported) */
};

static void source_text(struct diag *d, struct loc loc, struct strbuf *sb)
{
	diag_source_text(d, loc, SHOWN_MAX, sb);
}

/* The policies a test of the main module may test: the main module's, or
 * when it has none, those of the modules it imports. */
static size_t candidates(const struct program *p, const struct ast ***out)
{
	const struct ast **v = NULL;
	size_t n = 0, cap = 0;
	const struct module *m = p->mods[0];

	for (int pass = 0; pass < 2 && !n; pass++) {
		for (size_t k = 0; k < (pass ? m->nimports : 1); k++) {
			const struct ast *root = pass ? m->imports[k]->root : m->root;
			for (size_t i = 0; i < root->kids.n; i++) {
				if (root->kids.v[i]->kind != AST_POLICY)
					continue;
				xgrow((void **)&v, &cap, n + 1, sizeof(*v));
				v[n++] = root->kids.v[i];
			}
		}
	}
	*out = v;
	return n;
}

static const struct ast *tested_policy(const struct program *p, const struct ast *t, struct diag *d)
{
	const struct ast **v, *pol = NULL;
	size_t n = candidates(p, &v);
	struct strbuf names = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		sb_addf(&names, "%s'%s'", i ? ", " : "", v[i]->str);
		if (t->alias && !strcmp(v[i]->str, t->alias))
			pol = v[i];
	}
	if (!t->alias && n == 1)
		pol = v[0];
	if (pol)
		;
	else if (!n)
		diag_error(d, t->nameloc, "test",
			   "test '%s': no policy to test (the module declares none and imports none)",
			   t->str);
	else if (t->alias)
		diag_error(d, t->nameloc, "test", "test '%s': no policy '%s'; policies: %s", t->str, t->alias,
			   names.buf);
	else
		diag_error(d, t->nameloc, "test",
			   "test '%s': several policies (%s); name one with test \"...\" for \"NAME\"",
			   t->str, names.buf);
	sb_release(&names);
	free(v);
	return pol;
}

/* ---- coverage ------------------------------------------------------------ */

static struct cov *coverage_of(struct run *R, const struct ast *pol, const struct bc_program *bc)
{
	const struct bc_block *b = &bc->blocks[bc->policies[0].block];
	struct cov *c;
	char buf[600];

	char *key = diag_locstr(R->d, pol->loc);

	for (size_t i = 0; i < R->ncovs; i++)
		if (!strcmp(R->covs[i].pol, key)) {
			free(key);
			return &R->covs[i];
		}
	xgrow((void **)&R->covs, &R->capcovs, R->ncovs + 1, sizeof(*R->covs));
	c = &R->covs[R->ncovs++];
	c->pol = key;
	c->name = xstrdup(pol->str);
	c->n = b->ncode;
	c->locs = xcalloc(b->ncode + 1, sizeof(*c->locs));
	c->hit = xcalloc(b->ncode + 1, 1);
	c->key = xcalloc(b->ncode + 1, sizeof(*c->key));
	for (uint32_t pc = 0; pc < b->ncode; pc++) {
		enum bc_op op = BC_OP(b->code[pc]);
		if (op == OP_FORNEXT) { /* two words: B is no opcode */
			pc++;
		} else if (op == OP_MARK) {
			bc_where(bc, b, pc, buf, sizeof(buf));
			c->locs[pc] = xstrdup(buf);
			c->key[pc] = b->lines[pc];
		}
	}
	return c;
}

struct cov_mark {
	const char *loc;
	struct bc_line key;
	bool hit;
};

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

static int mark_cmp(const void *a, const void *b)
{
	const struct bc_line *x = &((const struct cov_mark *)a)->key, *y = &((const struct cov_mark *)b)->key;

	return x->file != y->file   ? CMP(x->file, y->file)
	       : x->line != y->line ? CMP(x->line, y->line)
				    : CMP(x->col, y->col);
}

/* Every statement no test reached, once, by file (the tested module
 * first), line and column. A statement is reached when any of its MARKs
 * is (a fragment's statement is marked once per `use`). */
static void report_coverage(struct run *R, struct strbuf *out, const char *prefix, const char *suffix)
{
	for (size_t i = 0; i < R->ncovs; i++) {
		struct cov *c = &R->covs[i];
		struct cov_mark *m = xcalloc(c->n + 1, sizeof(*m));
		size_t n = 0, k = 0;

		for (size_t pc = 0; pc < c->n; pc++)
			if (c->locs[pc])
				m[n++] = (struct cov_mark){c->locs[pc], c->key[pc], c->hit[pc]};
		qsort(m, n, sizeof(*m), mark_cmp);
		for (size_t j = 0; j < n; j++) { /* one per statement */
			if (k && !mark_cmp(&m[k - 1], &m[j]))
				m[k - 1].hit |= m[j].hit;
			else
				m[k++] = m[j];
		}
		for (size_t j = 0; j < k; j++)
			if (!m[j].hit)
				sb_addf(out, "%snot reached by any test: %s (policy '%s')%s\n", prefix,
					m[j].loc, c->name, suffix);
		free(m);
	}
}

static void cov_release(struct cov *c)
{
	for (size_t pc = 0; pc < c->n; pc++)
		free(c->locs[pc]);
	free(c->locs);
	free(c->key);
	free(c->hit);
	free(c->pol);
	free(c->name);
}

/* ---- one test ------------------------------------------------------------ */

static bool is_comparison(const struct ast *e)
{
	return e->kind == AST_BINARY && e->op >= AST_OP_EQ && e->op <= AST_OP_NOTIN;
}

/* The expressions a test runs: its request (as text), then per
 * expectation the expectation and, for a comparison, its operands (as
 * text). */
static size_t test_exprs(const struct ast *t, struct comp_expr **out)
{
	struct comp_expr *xs = xcalloc(3 * t->kids.n + 1, sizeof(*xs));
	size_t n = 0;

	for (size_t i = 0; i < t->kids.n; i++) {
		const struct ast *s = t->kids.v[i];
		if (s->kind == AST_REQUEST)
			xs[n++] = (struct comp_expr){s->a, NULL, true};
	}
	for (size_t i = 0; i < t->kids.n; i++) {
		const struct ast *s = t->kids.v[i];
		if (s->kind != AST_EXPECT)
			continue;
		xs[n++] = (struct comp_expr){s->a, t, false};
		if (is_comparison(s->a)) {
			xs[n++] = (struct comp_expr){s->a->a, t, true};
			xs[n++] = (struct comp_expr){s->a->b, t, true};
		}
	}
	*out = xs;
	return n;
}

/* The request of a test: its record as JSON, or {} without one. */
static json_t *test_request(struct vm *vm, const struct bc_program *bc, const struct comp_expr *x,
			    uint32_t blk, const struct ast *t, struct diag *d)
{
	struct value v;
	json_t *j;

	if (!x || x->binder)
		return json_object();
	if (vm_eval_block(vm, bc, blk, NULL, 0, &v, d) < 0)
		return NULL;
	j = v.len > 2 ? json_loadb(v.u.s + 1, v.len - 2, JSON_REJECT_DUPLICATES, NULL) : NULL;
	if (!j || !json_is_object(j)) {
		json_decref(j);
		diag_error(d, x->expr->loc, "test", "the request of test '%s' must be a record", t->str);
		return NULL;
	}
	return j;
}

/* The text of operand block blk, or its error. */
static void operand(struct vm *vm, const struct bc_program *bc, uint32_t blk, const struct value *dec,
		    struct strbuf *sb)
{
	struct diag quiet;
	struct value v;

	diag_init(&quiet);
	if (vm_eval_block(vm, bc, blk, dec, 1, &v, &quiet) == 0 && v.len >= 2)
		sb_add(sb, v.u.s + 1, v.len - 2); /* "[JSON]" */
	else
		sb_addf(sb, "(error: %s)", quiet.nentries ? quiet.entries[0].message : "?");
	diag_release(&quiet);
}

/* Evaluate the expectations; a false one is described in tc->detail. */
static int expectations(struct run *R, struct tcase *tc, const struct bc_program *bc,
			const struct comp_expr *xs, const uint32_t *blocks, size_t from, size_t n,
			const json_t *decision)
{
	struct vm *vm = vm_new();
	struct value dec = val_rec(decision, 0), v;
	int status = T_PASS;

	for (size_t i = from; i < n && status != T_ERROR; i++) {
		const struct ast *e = xs[i].expr;
		bool cmp = is_comparison(e);
		if (vm_eval_block(vm, bc, blocks[i], &dec, 1, &v, R->d) < 0) {
			status = T_ERROR;
		} else if (v.type != VAL_BOOL) {
			char *at = diag_locstr(R->d, e->loc);
			diag_report_at(R->d, DIAG_ERROR, at, "test", "an expectation must be a bool, not %s",
				       val_a_type(&v));
			free(at);
			status = T_ERROR;
		} else if (!v.u.b) {
			char *at = diag_locstr(R->d, e->loc);
			sb_addf(&tc->detail, "%s: expectation failed: ", at);
			source_text(R->d, e->loc, &tc->detail);
			sb_addc(&tc->detail, '\n');
			free(at);
			if (cmp) {
				sb_adds(&tc->detail, "  left:  ");
				operand(vm, bc, blocks[i + 1], &dec, &tc->detail);
				sb_adds(&tc->detail, "\n  right: ");
				operand(vm, bc, blocks[i + 2], &dec, &tc->detail);
				sb_addc(&tc->detail, '\n');
			}
			status = T_FAIL;
		}
		i += cmp ? 2 : 0;
	}
	vm_free(vm);
	return status;
}

/* The test's request, checked against the policy's schema (located at
 * the request statement, or the test without one), or NULL. */
static json_t *valid_request(struct run *R, const struct tcase *tc, struct vm *vm,
			     const struct bc_program *bc, const struct comp_expr *xs, const uint32_t *blocks,
			     size_t n, const struct ast *t)
{
	bool has_request = n && xs[0].binder == NULL;
	json_t *req = test_request(vm, bc, n ? &xs[0] : NULL, n ? blocks[0] : 0, t, R->d);
	char *at = has_request ? diag_locstr(R->d, xs[0].expr->loc) : xstrdup(tc->at);

	if (req && bc->schema && schema_validate(bc->schema, req, at, R->d)) {
		json_decref(req);
		req = NULL;
	}
	free(at);
	return req;
}

/* The policy failed on the test's request (a runtime error, a resolution
 * that fails): the test fails, its detail the errors reported since mark,
 * which stay on stderr too. */
static int policy_failed(struct run *R, struct tcase *tc, size_t mark, enum build_status st)
{
	sb_adds(&tc->detail,
		st == BUILD_UNRESOLVED ? "the resolution failed:\n" : "the policy failed at run time:\n");
	for (size_t i = mark; i < R->d->nentries; i++) {
		const struct diag_entry *e = &R->d->entries[i];
		char *where;
		if (e->sev != DIAG_ERROR)
			continue;
		where = diag_where(R->d, e);
		sb_addf(&tc->detail, "  %s%s%s\n", where ? where : "", where ? ": " : "", e->message);
		free(where);
	}
	return T_FAIL;
}

/* Decide for the test's request and check its expectations. A catalog
 * that does not open is an error of the run; the policy's own failure
 * fails the test. */
static int decide_and_expect(struct run *R, struct tcase *tc, const struct ast *t, struct bc_program *bc,
			     const struct comp_expr *xs, const uint32_t *blocks, size_t n, struct cov *cov)
{
	struct build_opts bo = {0};
	struct build b;
	enum build_status st;
	size_t first = n && xs[0].binder == NULL ? 1 : 0, mark;
	json_t *dj;
	int status = T_ERROR;

	build_init(&b);
	b.vm = vm_new();
	b.request = valid_request(R, tc, b.vm, bc, xs, blocks, n, t);
	b.prog = bc;
	bo.catalogs = R->o->catalogs;
	bo.ncatalogs = R->o->ncatalogs;
	bo.policy_path = "";
	if (b.request && bo.ncatalogs && !R->cs_state)
		R->cs_state = catset_open(&R->cs, bo.catalogs, bo.ncatalogs, R->d) < 0 ? -2 : 1;
	else if (b.request && bo.ncatalogs && R->cs_state < 0)
		diag_error(R->d, t->nameloc, "test", "test '%s': the catalogs did not open (above)", t->str);
	if (b.request && bo.ncatalogs && R->cs_state < 0) {
		json_decref(b.request);
		b.request = NULL;
	} else if (bo.ncatalogs) {
		b.cs = R->cs; /* lent: a resolution only reads it */
		b.have_catalogs = true;
	}
	if (b.request) {
		mark = R->d->nentries;
		vm_trace(b.vm, cov->hit, cov->n);
		st = build_decide_loaded(&b, &bo, R->d);
		if (st == BUILD_OK || st == BUILD_DENIED) {
			dj = decision_to_json(&b.dec);
			status = expectations(R, tc, bc, xs, blocks, first, n, dj);
			json_decref(dj);
		} else {
			status = policy_failed(R, tc, mark, st);
		}
	}
	b.have_catalogs = false; /* the run's, not the build's */
	memset(&b.cs, 0, sizeof(b.cs));
	build_release(&b); /* frees bc */
	return status;
}

static void run_test(struct run *R, const struct program *p, const struct ast *t)
{
	struct tcase *tc;
	const struct ast *pol = tested_policy(p, t, R->d);
	struct comp_expr *xs;
	size_t n = test_exprs(t, &xs);
	uint32_t *blocks = xcalloc(n + 1, sizeof(*blocks));
	size_t errors = R->d->nerrors;
	struct bc_program *bc = pol ? comp_test_program(p, pol, xs, n, blocks, R->o->coverage, R->d) : NULL;

	xgrow((void **)&R->cases, &R->capcases, R->ncases + 1, sizeof(*R->cases));
	tc = &R->cases[R->ncases++];
	memset(tc, 0, sizeof(*tc));
	tc->name = xstrdup(t->str);
	tc->at = diag_locstr(R->d, t->loc);
	sb_init(&tc->detail);
	tc->status = T_ERROR;
	if (bc)
		tc->status = decide_and_expect(R, tc, t, bc, xs, blocks, n, coverage_of(R, pol, bc));
	if (bc && tc->status != T_PASS && R->d->nerrors > errors)
		diag_note(R->d, t->nameloc, "in test '%s'", t->str);
	free(xs);
	free(blocks);
}

/* ---- reports ------------------------------------------------------------- */

static void xml_escaped(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			sb_adds(sb, "&lt;");
			break;
		case '>':
			sb_adds(sb, "&gt;");
			break;
		case '&':
			sb_adds(sb, "&amp;");
			break;
		case '"':
			sb_adds(sb, "&quot;");
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				sb_addc(sb, *s);
			break;
		}
	}
}

/* The detail indented under a line, prefix before each of its lines. */
static void indented(struct strbuf *out, const char *text, const char *prefix)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		sb_addf(out, "%s%.*s\n", prefix, (int)len, text);
		text += len + (nl != NULL);
	}
}

static const char *const status_word[] = {"PASS", "FAIL", "ERROR"};

static void report(struct run *R, struct strbuf *out, const struct ptest_counts *c)
{
	const enum ptest_format f = R->o->format;

	if (f == PTEST_TAP)
		sb_addf(out, "TAP version 13\n1..%zu\n", R->ncases);
	if (f == PTEST_JUNIT)
		sb_addf(out,
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<testsuite name=\"cpolc test\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
			R->ncases, c->failed, c->errors);
	for (size_t i = 0; i < R->ncases; i++) {
		const struct tcase *tc = &R->cases[i];
		const char *detail = tc->detail.buf ? tc->detail.buf : "";
		if (f == PTEST_TEXT) {
			sb_addf(out, "%-5s %s (%s)\n", status_word[tc->status], tc->name, tc->at);
			indented(out, detail, "  ");
		} else if (f == PTEST_TAP) {
			sb_addf(out, "%s %zu - %s\n", tc->status == T_PASS ? "ok" : "not ok", i + 1,
				tc->name);
			if (tc->status == T_PASS)
				continue;
			sb_addf(out, "  ---\n  at: %s\n", tc->at);
			if (tc->status == T_ERROR)
				sb_adds(out, "  message: the test could not run (see the diagnostics)\n");
			else if (*detail)
				sb_adds(out, "  message: |\n");
			indented(out, detail, "    ");
			sb_adds(out, "  ...\n");
		} else {
			sb_adds(out, "  <testcase name=\"");
			xml_escaped(out, tc->name);
			sb_adds(out, "\" classname=\"");
			xml_escaped(out, tc->at);
			sb_adds(out, "\">\n");
			if (tc->status != T_PASS) {
				sb_addf(out, "    <%s message=\"%s\">",
					tc->status == T_FAIL ? "failure" : "error",
					tc->status == T_FAIL ? "expectation failed"
							     : "the test could not run");
				xml_escaped(out, detail);
				sb_addf(out, "</%s>\n", tc->status == T_FAIL ? "failure" : "error");
			}
			sb_adds(out, "  </testcase>\n");
		}
	}
	if (R->o->coverage)
		report_coverage(R, out,
				f == PTEST_TAP	   ? "# "
				: f == PTEST_JUNIT ? "<!-- "
						   : "",
				f == PTEST_JUNIT ? " -->" : "");
	if (f == PTEST_JUNIT)
		sb_adds(out, "</testsuite>\n");
	else
		sb_addf(out, "%s%zu passed, %zu failed, %zu error%s\n", f == PTEST_TAP ? "# " : "", c->passed,
			c->failed, c->errors, c->errors == 1 ? "" : "s");
}

/* ---- files --------------------------------------------------------------- */

static int run_file(struct run *R, const char *path)
{
	struct program prog;
	const struct ast *root;
	int rc = 0;

	program_init(&prog);
	if (program_load(&prog, path, &R->o->popts, R->d) != 0) {
		rc = -1;
	} else {
		root = prog.mods[0]->root;
		for (size_t i = 0; i < root->kids.n; i++) {
			const struct ast *t = root->kids.v[i];
			if (t->kind == AST_TEST && (!R->o->pattern || strstr(t->str, R->o->pattern)))
				run_test(R, &prog, t);
		}
	}
	program_release(&prog);
	return rc;
}

enum ptest_status ptest_run(const struct ptest_opts *o, struct strbuf *out, struct ptest_counts *c,
			    struct diag *d)
{
	struct run R = {.o = o, .d = d};
	bool load_error = false;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < o->nfiles; i++)
		load_error |= run_file(&R, o->files[i]) < 0;
	for (size_t i = 0; i < R.ncases; i++) {
		int s = R.cases[i].status;
		*(s == T_PASS ? &c->passed : s == T_FAIL ? &c->failed : &c->errors) += 1;
	}
	report(&R, out, c);
	for (size_t i = 0; i < R.ncases; i++) {
		free(R.cases[i].name);
		free(R.cases[i].at);
		sb_release(&R.cases[i].detail);
	}
	free(R.cases);
	for (size_t i = 0; i < R.ncovs; i++)
		cov_release(&R.covs[i]);
	free(R.covs);
	if (R.cs_state)
		catset_release(&R.cs);
	if (load_error || c->errors)
		return PTEST_ERROR;
	return c->failed ? PTEST_FAILED : PTEST_PASSED;
}
