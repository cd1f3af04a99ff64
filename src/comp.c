/* comp.c - lowering the checked AST to bytecode (see comp.h). */
#include "config.h"

#include "comp.h"
#include "schema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "vm.h"

#define MAX_USE_DEPTH 64
/* The most instructions a program may have, over all its blocks: each
 * `use` expands its fragment in place, so fragments that use the one
 * below twice, 30 deep, would be 2^30 copies of a 1 KB file. */
#define COMP_MAX_CODE (1u << 22)

struct const_fold {
	const struct ast *node;
	uint32_t k;
	int state; /* 1 folding, 2 done, -1 failed */
};

struct comp {
	const struct program *prog;
	struct diag *d;
	struct bc_program *bc;
	struct vm *vm; /* runs constant expressions */
	bool folding;  /* compiling an expression to run now */
	struct const_fold *folds;
	size_t nfolds, capfolds;
	struct ptrmap fold_at; /* const node -> index in folds + 1 */
	size_t ncode;	       /* instructions emitted, over all blocks */
	size_t last_mod;       /* the module of the last line_of */
	struct loc use_loc;    /* the outermost `use` being expanded */
	bool too_big;	       /* past COMP_MAX_CODE: reported once, then stop */
	bool marks;	       /* a MARK before each statement (test coverage) */
	int nerrors;
	struct comp_parts *parts; /* cpolc explain: admit filters' parts, or NULL */
};

struct binding {
	const struct ast *node;
	uint32_t slot;
	size_t prev; /* the index of the binding of node this one hides, or NONE */
};
#define NONE SIZE_MAX

/* A block being compiled. bc->blocks may move while a closure is added,
 * so the block is always reached through its index. */
struct cblock {
	struct comp *c;
	uint32_t bi;
	struct binding *scope;
	size_t nscope, capscope;
	struct ptrmap bound; /* node -> index of its innermost binding in scope */
	uint32_t nslots, maxslots;
	int use_depth;
	bool too_many_slots; /* reported once */
};

static void expr(struct cblock *cb, const struct ast *n);
static void stmts(struct cblock *cb, const struct ast_list *l);

static void cerror(struct comp *c, struct loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cerror(struct comp *c, struct loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport(c->d, DIAG_ERROR, loc, "compile", fmt, ap);
	va_end(ap);
	c->nerrors++;
}

/* ---- emission ----------------------------------------------------------- */

static struct bc_block *blk(struct cblock *cb)
{
	return &cb->c->bc->blocks[cb->bi];
}

static struct bc_line line_of(struct comp *c, struct loc loc)
{
	struct bc_line l = {0, 0, 0};
	unsigned line, col;
	size_t first = c->last_mod < c->prog->nmods ? c->last_mod : 0;

	/* the module of the last location first: a scan of the modules per
	 * instruction would cost modules * instructions */
	for (size_t k = 0; k < c->prog->nmods; k++) {
		size_t i = (first + k) % c->prog->nmods;
		if (c->prog->mods[i]->file == loc.file) {
			c->last_mod = i;
			l.file = (uint32_t)i;
			diag_linecol(c->d, loc.file, loc.begin, &line, &col);
			l.line = line;
			l.col = col;
			break;
		}
	}
	return l;
}

static uint32_t emit(struct cblock *cb, enum bc_op op, uint32_t a, struct loc loc)
{
	struct comp *c = cb->c;

	if (++c->ncode > COMP_MAX_CODE && !c->too_big) {
		if (cb->use_depth) /* at the policy's `use` whose expansion it is */
			cerror(c, c->use_loc,
			       "expanding this fragment makes the program larger than %u instructions",
			       COMP_MAX_CODE);
		else
			cerror(c, loc, "the program is larger than %u instructions", COMP_MAX_CODE);
		c->too_big = true;
	}
	if (a > BC_AMAX) {
		cerror(cb->c, loc, "program too large (operand %u)", (unsigned)a);
		a = 0;
	}
	return bc_emit(blk(cb), BC_WORD(op, a), line_of(cb->c, loc));
}

static uint32_t here(struct cblock *cb)
{
	return blk(cb)->ncode;
}

static void patch(struct cblock *cb, uint32_t pc, uint32_t target)
{
	uint32_t *w = &blk(cb)->code[pc];

	*w = BC_WORD(BC_OP(*w), target);
}

static void emit_k(struct cblock *cb, const struct value *v, struct loc loc)
{
	emit(cb, OP_PUSHK, bc_const(cb->c->bc, v), loc);
}

static void emit_str(struct cblock *cb, const char *s, size_t n, struct loc loc)
{
	struct value v = val_str(s ? s : "", s ? n : 0);

	emit_k(cb, &v, loc);
}

/* ---- scopes and slots --------------------------------------------------- */

/* n new local slots for what is at loc; past the verifier's bound the
 * block is reported here, where the source says why. */
static uint32_t new_slots(struct cblock *cb, uint32_t n, struct loc loc)
{
	uint32_t s = cb->nslots;

	if ((uint64_t)cb->nslots + n > BC_MAXLOCALS) {
		if (!cb->too_many_slots)
			cerror(cb->c, loc, "a block needs more than %u local values (lets, loop variables)",
			       BC_MAXLOCALS);
		cb->too_many_slots = true;
		return 0;
	}
	cb->nslots += n;
	if (cb->nslots > cb->maxslots)
		cb->maxslots = cb->nslots;
	return s;
}

static void bind(struct cblock *cb, const struct ast *node, uint32_t slot)
{
	size_t *at = ptrmap_get(&cb->bound, node);

	xgrow((void **)&cb->scope, &cb->capscope, cb->nscope + 1, sizeof(*cb->scope));
	cb->scope[cb->nscope].node = node;
	cb->scope[cb->nscope].slot = slot;
	cb->scope[cb->nscope].prev = at ? *at : NONE;
	ptrmap_put(&cb->bound, node, cb->nscope);
	cb->nscope++;
}

/* Drop the bindings made since the scope had n: their nodes are bound as
 * they were before. */
static void unbind_to(struct cblock *cb, size_t n)
{
	while (cb->nscope > n) {
		const struct binding *b = &cb->scope[--cb->nscope];
		ptrmap_put(&cb->bound, b->node, b->prev);
	}
}

/* The slot of node's innermost binding, or -1: a lookup in the map, where
 * a scan of the scope made 200,000 lets quadratic. */
static int lookup(const struct cblock *cb, const struct ast *node)
{
	const size_t *at = ptrmap_get(&cb->bound, node);

	return at && *at != NONE ? (int)cb->scope[*at].slot : -1;
}

/* ---- constants ---------------------------------------------------------- */

static void cblock_init(struct cblock *cb, struct comp *c, enum bc_block_kind kind)
{
	memset(cb, 0, sizeof(*cb));
	cb->c = c;
	cb->bi = bc_block_new(c->bc, kind);
}

static void cblock_finish(struct cblock *cb)
{
	blk(cb)->nlocals = cb->maxslots;
	free(cb->scope);
	cb->scope = NULL;
	ptrmap_release(&cb->bound);
}

/* Compile expression n (NULL: null) into a temporary block, run it once and
 * make its value a constant. Errors go to d. The block is dropped. */
static bool eval_now(struct comp *c, const struct ast *n, struct loc loc, struct diag *d, uint32_t *k)
{
	struct cblock cb;
	struct value v;
	int before = c->nerrors;
	bool ok = false, was = c->folding;

	c->folding = true;
	cblock_init(&cb, c, BC_EXPR);
	if (n)
		expr(&cb, n);
	else
		emit(&cb, OP_PUSHNULL, 0, loc);
	emit(&cb, OP_RET, 0, loc);
	cblock_finish(&cb);
	c->folding = was;
	if (c->nerrors == before && bc_verify_block(c->bc, cb.bi, "<const>", d) == 0 &&
	    vm_eval_expr(c->vm, c->bc, cb.bi, &v, d) == 0) {
		ok = bc_const_add(c->bc, &v, k) == 0;
		if (!ok)
			diag_error(d, loc, "compile",
				   "the value is too large to keep as a constant (more than %u parts, or "
				   "nested deeper than %u)",
				   BC_MAX_CONSTS, VAL_MAX_DEPTH);
	}
	/* drop the temporary block: it is the last one */
	c->bc->nblocks--;
	free(c->bc->blocks[cb.bi].code);
	free(c->bc->blocks[cb.bi].lines);
	free(c->bc->blocks[cb.bi].captures);
	return ok;
}

/* Run the const's expression once; its value becomes a constant. */
static bool fold_const(struct comp *c, const struct ast *n, uint32_t *k)
{
	struct const_fold *f = NULL;
	uint32_t kk = 0;
	int before = c->nerrors;
	size_t nd = c->d->nerrors;
	bool ok;

	size_t *at = ptrmap_get(&c->fold_at, n);

	if (at)
		f = &c->folds[*at];
	if (f && f->state == 2) {
		*k = f->k;
		return true;
	}
	if (f) {
		if (f->state == 1)
			cerror(c, n->loc, "const '%s' depends on itself", n->str);
		return false;
	}
	xgrow((void **)&c->folds, &c->capfolds, c->nfolds + 1, sizeof(*c->folds));
	ptrmap_put(&c->fold_at, n, c->nfolds);
	c->folds[c->nfolds++] = (struct const_fold){n, 0, 1};
	ok = eval_now(c, n->a, n->loc, c->d, &kk);
	if (!ok && c->nerrors == before)
		c->nerrors++; /* the verifier or the VM reported why */
	(void)nd;
	f = &c->folds[*ptrmap_get(&c->fold_at, n)]; /* folds may have moved */
	f->state = ok ? 2 : -1;
	f->k = kk;
	*k = kk;
	return ok;
}

/* Does n depend on nothing but literals and consts? Such an expression is
 * computed once, here (comprehensions and quantifiers are left alone). */
static bool pure(const struct ast *n)
{
	switch (n->kind) {
	case AST_NULL:
	case AST_BOOL:
	case AST_INT:
	case AST_STRING:
		return true;
	case AST_NAME:
		return n->ref && n->ref->kind == AST_CONST;
	case AST_LIST:
	case AST_CALL:
	case AST_RECORD:
		for (size_t i = 0; i < n->kids.n; i++)
			if (!pure(n->kids.v[i]))
				return false;
		return true;
	case AST_FIELD:
	case AST_UNARY:
	case AST_MEMBER:
		return pure(n->a);
	case AST_INDEX:
	case AST_BINARY:
		return pure(n->a) && pure(n->b);
	default:
		return false;
	}
}

/* Fold a pure compound expression to one constant. An expression that fails
 * (1 / 0 in a branch never taken) is left to fail at run time, if reached. */
static bool try_fold(struct cblock *cb, const struct ast *n)
{
	struct comp *c = cb->c;
	struct diag quiet;
	uint32_t k;
	bool ok;

	if (c->folding || n->kind <= AST_STRING || n->kind == AST_NAME || !pure(n))
		return false;
	diag_init(&quiet);
	ok = eval_now(c, n, n->loc, &quiet, &k);
	diag_release(&quiet);
	if (ok)
		emit(cb, OP_PUSHK, k, n->loc);
	return ok;
}

/* ---- expressions -------------------------------------------------------- */

static void name(struct cblock *cb, const struct ast *n)
{
	const struct ast *ref = n->ref;
	uint32_t k = 0;
	int slot;

	if (!ref) {
		cerror(cb->c, n->loc, "unknown name '%s'", n->str);
		return;
	}
	if (ref->kind == AST_CONST) {
		if (fold_const(cb->c, ref, &k))
			emit(cb, OP_PUSHK, k, n->loc);
		else
			emit(cb, OP_PUSHNULL, 0, n->loc);
		return;
	}
	slot = lookup(cb, ref);
	if (slot < 0) {
		cerror(cb->c, n->loc, "'%s' cannot be used here", n->str);
		return;
	}
	emit(cb, OP_LOAD, (uint32_t)slot, n->loc);
}

static void list_comp(struct cblock *cb, const struct ast *n)
{
	uint32_t s, loop, saved = cb->nslots;
	size_t nscope = cb->nscope;

	expr(cb, n->b);
	s = new_slots(cb, 3, n->loc);
	emit(cb, OP_FORPREP, s, n->loc);
	emit(cb, OP_NEWLIST, 0, n->loc);
	loop = emit(cb, OP_FORNEXT, s, n->loc);
	bc_emit(blk(cb), 0, line_of(cb->c, n->loc));
	bind(cb, n, s + 2);
	if (n->c) {
		expr(cb, n->c);
		emit(cb, OP_JF, loop, n->c->loc);
	}
	expr(cb, n->a);
	emit(cb, OP_APPEND, 0, n->loc);
	emit(cb, OP_JMP, loop, n->loc);
	blk(cb)->code[loop + 1] = here(cb);
	unbind_to(cb, nscope);
	cb->nslots = saved;
}

static bool const_operand(struct cblock *cb, const struct ast *n, uint32_t *kp);

/* any x in l : x == K with K known now, the common membership test, is
 * ITER (the loop's type check, at the loop) and ANYEQK (at the condition,
 * where the loop's steps are counted): the same result, errors and
 * locations as the loop, without dispatching four instructions an item. */
static bool quant_eq_const(struct cblock *cb, const struct ast *n)
{
	const struct ast *c = n->b;
	uint32_t k;

	if (n->op != AST_OP_ANY || c->kind != AST_BINARY || c->op != AST_OP_EQ || c->a->kind != AST_NAME ||
	    c->a->ref != n || !const_operand(cb, c, &k))
		return false;
	expr(cb, n->a);
	emit(cb, OP_ITER, 0, n->loc);
	emit(cb, OP_ANYEQK, k, c->loc);
	return true;
}

/* any/all: the loop exits early on the first element that decides. */
static void quant(struct cblock *cb, const struct ast *n)
{
	bool any = n->op == AST_OP_ANY;
	uint32_t s, loop, done, saved = cb->nslots;
	size_t nscope = cb->nscope;

	if (quant_eq_const(cb, n))
		return;
	expr(cb, n->a);
	s = new_slots(cb, 3, n->loc);
	emit(cb, OP_FORPREP, s, n->loc);
	loop = emit(cb, OP_FORNEXT, s, n->loc);
	bc_emit(blk(cb), 0, line_of(cb->c, n->loc));
	bind(cb, n, s + 2);
	expr(cb, n->b);
	emit(cb, any ? OP_JF : OP_JT, loop, n->b->loc);
	emit(cb, any ? OP_PUSHTRUE : OP_PUSHFALSE, 0, n->loc);
	done = emit(cb, OP_JMP, 0, n->loc);
	blk(cb)->code[loop + 1] = here(cb);
	emit(cb, any ? OP_PUSHFALSE : OP_PUSHTRUE, 0, n->loc);
	patch(cb, done, here(cb));
	unbind_to(cb, nscope);
	cb->nslots = saved;
}

/* Is n a bool whenever its evaluation succeeds? */
static bool known_bool(const struct ast *n)
{
	switch (n->kind) {
	case AST_BOOL:
	case AST_QUANT:
		return true;
	case AST_UNARY:
		return n->op == AST_OP_NOT;
	case AST_BINARY:
		return (n->op >= AST_OP_EQ && n->op <= AST_OP_NOTIN) || n->op == AST_OP_AND ||
		       n->op == AST_OP_OR;
	default:
		return false;
	}
}

/* a && b: a false is the result; a true gives way to b (checked to be a
 * bool). a || b likewise with true. a ?? b: a unless null. */
static void logic(struct cblock *cb, const struct ast *n)
{
	uint32_t j;

	expr(cb, n->a);
	if (n->op == AST_OP_COALESCE) {
		j = emit(cb, OP_JNN, 0, n->loc);
		expr(cb, n->b);
		patch(cb, j, here(cb));
		return;
	}
	j = emit(cb, n->op == AST_OP_AND ? OP_JFK : OP_JTK, 0, n->a->loc);
	expr(cb, n->b);
	if (!known_bool(n->b))
		emit(cb, OP_BOOL, 0, n->b->loc);
	patch(cb, j, here(cb));
}

static enum bc_op binop(int op)
{
	switch (op) {
	case AST_OP_EQ:
		return OP_EQ;
	case AST_OP_NE:
		return OP_NE;
	case AST_OP_LT:
		return OP_LT;
	case AST_OP_LE:
		return OP_LE;
	case AST_OP_GT:
		return OP_GT;
	case AST_OP_GE:
		return OP_GE;
	case AST_OP_IN:
		return OP_IN;
	case AST_OP_NOTIN:
		return OP_NOTIN;
	case AST_OP_ADD:
		return OP_ADD;
	case AST_OP_SUB:
		return OP_SUB;
	case AST_OP_MUL:
		return OP_MUL;
	case AST_OP_DIV:
		return OP_DIV;
	case AST_OP_MOD:
		return OP_MOD;
	default:
		return OP__COUNT;
	}
}

static void call(struct cblock *cb, const struct ast *n)
{
	int id = builtin_lookup(n->str);

	if (id < 0) {
		cerror(cb->c, n->loc, "unknown function '%s'", n->str);
		return;
	}
	if (n->kids.n != builtin_table[id].arity) {
		cerror(cb->c, n->loc, "%s() takes %u argument%s, not %u", n->str, builtin_table[id].arity,
		       builtin_table[id].arity == 1 ? "" : "s", n->kids.n);
		return;
	}
	for (size_t i = 0; i < n->kids.n; i++)
		expr(cb, n->kids.v[i]);
	emit(cb, OP_CALL, (uint32_t)id, n->loc);
}

/* The constant index of the right side of a == K or a != K when K is
 * known now. */
static bool const_operand(struct cblock *cb, const struct ast *n, uint32_t *kp)
{
	struct diag quiet;
	struct value v;
	uint32_t k;
	bool ok = true;

	switch (n->b->kind) {
	case AST_INT:
		v = val_int(n->b->num);
		k = bc_const(cb->c->bc, &v);
		break;
	case AST_STRING:
		v = val_str(n->b->str, n->b->len);
		k = bc_const(cb->c->bc, &v);
		break;
	default:
		if (cb->c->folding || !pure(n->b))
			return false;
		diag_init(&quiet);
		ok = eval_now(cb->c, n->b, n->b->loc, &quiet, &k);
		diag_release(&quiet);
		break;
	}
	if (ok)
		*kp = k;
	return ok;
}

/* a == K and a != K with K known now: one instruction for the right side
 * and the comparison. */
static bool compare_const(struct cblock *cb, const struct ast *n)
{
	uint32_t k;

	if (!const_operand(cb, n, &k))
		return false;
	expr(cb, n->a);
	emit(cb, n->op == AST_OP_EQ ? OP_EQK : OP_NEK, k, n->nameloc);
	return true;
}

static void field(struct cblock *cb, const struct ast *n)
{
	struct value v = val_str(n->str ? n->str : "", n->str ? n->len : 0);

	if (n->a->kind == AST_INPUT) {
		emit(cb, OP_INFIELD, bc_const(cb->c->bc, &v), n->nameloc);
		return;
	}
	expr(cb, n->a);
	emit(cb, OP_FIELD, bc_const(cb->c->bc, &v), n->nameloc);
}

static void binary(struct cblock *cb, const struct ast *n)
{
	if (n->op == AST_OP_AND || n->op == AST_OP_OR || n->op == AST_OP_COALESCE) {
		logic(cb, n);
		return;
	}
	if ((n->op == AST_OP_EQ || n->op == AST_OP_NE) && compare_const(cb, n))
		return;
	expr(cb, n->a);
	expr(cb, n->b);
	if (binop(n->op) == OP__COUNT)
		cerror(cb->c, n->loc, "unknown operator");
	else
		emit(cb, binop(n->op), 0, n->nameloc);
}

/* [a, b, ...]: its elements are on the stack at once, within the bound
 * the verifier puts on a block's stack. */
static void list_literal(struct cblock *cb, const struct ast *n)
{
	if (n->kids.n > BC_MAXSTACK / 2) {
		cerror(cb->c, n->loc, "a list literal of more than %u elements", BC_MAXSTACK / 2);
		return;
	}
	for (size_t i = 0; i < n->kids.n; i++)
		expr(cb, n->kids.v[i]);
	emit(cb, OP_MKLIST, (uint32_t)n->kids.n, n->loc);
}

/* {"k": v, ...}: its keys and values are on the stack at once (sema
 * refused a key given twice). */
static void record_literal(struct cblock *cb, const struct ast *n)
{
	if (n->kids.n > BC_MAXSTACK / 4) {
		cerror(cb->c, n->loc, "a record literal of more than %u members", BC_MAXSTACK / 4);
		return;
	}
	for (size_t i = 0; i < n->kids.n; i++) {
		const struct ast *m = n->kids.v[i];
		emit_str(cb, m->str, m->len, m->nameloc);
		expr(cb, m->a);
	}
	emit(cb, OP_MKREC, (uint32_t)n->kids.n, n->loc);
}

static void expr(struct cblock *cb, const struct ast *n)
{
	struct value v;

	if (try_fold(cb, n))
		return;
	switch (n->kind) {
	case AST_NULL:
		emit(cb, OP_PUSHNULL, 0, n->loc);
		break;
	case AST_BOOL:
		emit(cb, n->num ? OP_PUSHTRUE : OP_PUSHFALSE, 0, n->loc);
		break;
	case AST_INT:
		v = val_int(n->num);
		emit_k(cb, &v, n->loc);
		break;
	case AST_STRING:
		emit_str(cb, n->str, n->len, n->loc);
		break;
	case AST_NAME:
		name(cb, n);
		break;
	case AST_INPUT:
		emit(cb, OP_INPUT, 0, n->loc);
		break;
	case AST_SELECTED:
		if (blk(cb)->kind != BC_CHECK && blk(cb)->kind != BC_ADMIT)
			cerror(cb->c, n->loc,
			       "'selected' may be read only in deny/warn conditions and admit filters");
		emit(cb, OP_SELECTED, 0, n->loc);
		break;
	case AST_LIST:
		list_literal(cb, n);
		break;
	case AST_RECORD:
		record_literal(cb, n);
		break;
	case AST_COMP:
		list_comp(cb, n);
		break;
	case AST_QUANT:
		quant(cb, n);
		break;
	case AST_FIELD:
		field(cb, n);
		break;
	case AST_INDEX:
		expr(cb, n->a);
		expr(cb, n->b);
		emit(cb, OP_INDEX, 0, n->loc);
		break;
	case AST_CALL:
		call(cb, n);
		break;
	case AST_UNARY:
		expr(cb, n->a);
		emit(cb, n->op == AST_OP_NOT ? OP_NOT : OP_NEG, 0, n->loc);
		break;
	case AST_BINARY:
		binary(cb, n);
		break;
	default:
		cerror(cb->c, n->loc, "not an expression");
		emit(cb, OP_PUSHNULL, 0, n->loc);
		break;
	}
}

/* ---- closures ----------------------------------------------------------- */

struct captures {
	const struct ast **nodes;
	uint32_t *slots;
	size_t n, cap;
	struct ptrmap seen; /* nodes already captured */
};

/* Every name in n bound in cb's scope, once each, in order of appearance. */
static void collect(const struct cblock *cb, const struct ast *n, struct captures *cap)
{
	int slot;

	if (!n)
		return;
	if (n->kind == AST_NAME && n->ref && (slot = lookup(cb, n->ref)) >= 0) {
		if (ptrmap_get(&cap->seen, n->ref))
			return;
		ptrmap_put(&cap->seen, n->ref, 1);
		size_t c2 = cap->cap;
		xgrow((void **)&cap->nodes, &cap->cap, cap->n + 1, sizeof(*cap->nodes));
		xgrow((void **)&cap->slots, &c2, cap->n + 1, sizeof(*cap->slots));
		cap->nodes[cap->n] = n->ref;
		cap->slots[cap->n++] = (uint32_t)slot;
		return;
	}
	collect(cb, n->a, cap);
	collect(cb, n->b, cap);
	collect(cb, n->c, cap);
	for (size_t i = 0; i < n->kids.n; i++)
		collect(cb, n->kids.v[i], cap);
}

/* One part of admit filter stmt (cpolc explain): e as a BC_ADMIT block with
 * the filter's locals (the captures cap, then the candidate); as_text: the
 * result is string([e]). */
static uint32_t part_block(struct cblock *cb, const struct ast *stmt, const struct captures *cap,
			   const struct ast *e, bool as_text)
{
	struct cblock nb;
	struct bc_block *b;

	cblock_init(&nb, cb->c, BC_ADMIT);
	nb.use_depth = cb->use_depth;
	new_slots(&nb, (uint32_t)cap->n, stmt->loc);
	for (size_t i = 0; i < cap->n; i++)
		bind(&nb, cap->nodes[i], (uint32_t)i);
	bind(&nb, stmt, new_slots(&nb, 1, stmt->loc));
	expr(&nb, e);
	if (as_text) {
		emit(&nb, OP_MKLIST, 1, e->loc);
		emit(&nb, OP_CALL, BI_STRING, e->loc);
	}
	emit(&nb, OP_RET, 0, e->loc);
	cblock_finish(&nb);
	b = &cb->c->bc->blocks[nb.bi];
	b->ncaptures = (uint32_t)cap->n;
	b->captures = xcalloc(cap->n + 1, sizeof(*b->captures));
	if (cap->n)
		memcpy(b->captures, cap->slots, cap->n * sizeof(*cap->slots));
	return nb.bi;
}

/* The conjuncts of admit filter stmt's condition e (the operands of its
 * `and`s, left to right), each a part, with a comparison's operands. */
static void admit_parts(struct cblock *cb, const struct ast *stmt, const struct ast *e,
			const struct captures *cap, uint32_t filter)
{
	struct comp_parts *ps = cb->c->parts;
	struct comp_part *pt;
	bool cmp;

	if (e->kind == AST_BINARY && e->op == AST_OP_AND) {
		admit_parts(cb, stmt, e->a, cap, filter);
		admit_parts(cb, stmt, e->b, cap, filter);
		return;
	}
	cmp = e->kind == AST_BINARY && e->op >= AST_OP_EQ && e->op <= AST_OP_NOTIN;
	xgrow((void **)&ps->v, &ps->cap, ps->n + 1, sizeof(*ps->v));
	pt = &ps->v[ps->n++];
	*pt = (struct comp_part){filter,
				 part_block(cb, stmt, cap, e, false),
				 {UINT32_MAX, UINT32_MAX},
				 e->loc,
				 {LOC_NONE, LOC_NONE}};
	for (int i = 0; cmp && i < 2; i++) {
		uint32_t b = part_block(cb, stmt, cap, i ? e->b : e->a, true);
		pt = &ps->v[ps->n - 1];
		pt->operand[i] = b;
		pt->oloc[i] = (i ? e->b : e->a)->loc;
	}
}

/* Compile cond (NULL: true) as a block of kind `kind` closing over cb;
 * binder (the admit statement) is bound to the slot after the captures.
 * With msg (a deny/warn message computed when the check fires) the block
 * returns the message when cond holds, else null. */
static uint32_t closure(struct cblock *cb, enum bc_block_kind kind, const struct ast *stmt,
			const struct ast *cond, const struct ast *msg)
{
	struct captures cap = {0};
	struct cblock nb;
	struct bc_block *b;
	uint32_t jf = 0;

	collect(cb, cond, &cap);
	collect(cb, msg, &cap);
	cblock_init(&nb, cb->c, kind);
	nb.use_depth = cb->use_depth;
	new_slots(&nb, (uint32_t)cap.n, stmt->loc);
	for (size_t i = 0; i < cap.n; i++)
		bind(&nb, cap.nodes[i], (uint32_t)i);
	if (kind == BC_ADMIT)
		bind(&nb, stmt, new_slots(&nb, 1, stmt->loc));
	if (msg) {
		if (cond) {
			expr(&nb, cond);
			jf = emit(&nb, OP_JF, 0, cond->loc);
		}
		expr(&nb, msg);
		emit(&nb, OP_RET, 0, msg->loc);
		if (cond) {
			patch(&nb, jf, here(&nb));
			emit(&nb, OP_PUSHNULL, 0, cond->loc);
			emit(&nb, OP_RET, 0, cond->loc);
		}
	} else if (cond) {
		expr(&nb, cond);
		emit(&nb, OP_RET, 0, cond->loc);
	} else {
		emit(&nb, OP_PUSHTRUE, 0, stmt->loc);
		emit(&nb, OP_RET, 0, stmt->loc);
	}
	cblock_finish(&nb);
	b = &cb->c->bc->blocks[nb.bi];
	b->ncaptures = (uint32_t)cap.n;
	b->captures = cap.slots;
	if (!b->captures)
		b->captures = xcalloc(1, sizeof(*b->captures));
	if (kind == BC_ADMIT && cb->c->parts && cond)
		admit_parts(cb, stmt, cond, &cap, nb.bi);
	free(cap.nodes);
	ptrmap_release(&cap.seen);
	return nb.bi;
}

/* The source of a computed message, its white space runs made one space
 * and cut at 200 bytes: what a pending check shows. */
static void emit_msg_text(struct cblock *cb, const struct ast *msg)
{
	const struct diag_file *f = diag_file(cb->c->d, msg->loc.file);
	struct strbuf sb = STRBUF_INIT;
	bool space = false;

	for (uint32_t i = msg->loc.begin; f && i < msg->loc.end && i < f->len; i++) {
		char ch = f->text[i];
		if (sb.len >= 200 && ((unsigned char)ch & 0xc0) != 0x80) /* not inside a character */
			break;
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			space = true;
			continue;
		}
		if (space)
			sb_addc(&sb, ' ');
		space = false;
		sb_addc(&sb, ch);
	}
	if (sb.len >= 200)
		sb_adds(&sb, "...");
	emit_str(cb, sb.buf, sb.len, msg->loc);
	sb_release(&sb);
}

/* ---- statements --------------------------------------------------------- */

static uint32_t cmp_of(int op)
{
	switch (op) {
	case AST_OP_EQ:
		return BC_CMP_EQ;
	case AST_OP_NE:
		return BC_CMP_NE;
	case AST_OP_LT:
		return BC_CMP_LT;
	case AST_OP_LE:
		return BC_CMP_LE;
	case AST_OP_GT:
		return BC_CMP_GT;
	default:
		return BC_CMP_GE;
	}
}

static void request(struct cblock *cb, const struct ast *n, bool base)
{
	emit_str(cb, n->str, n->len, n->nameloc);
	if (n->op && n->a) {
		expr(cb, n->a);
		emit(cb, base ? OP_BASEV : OP_INCLUDEV, cmp_of(n->op), n->loc);
	} else {
		emit(cb, base ? OP_BASE : OP_INCLUDE, 0, n->loc);
	}
}

static void use(struct cblock *cb, const struct ast *n)
{
	const struct ast *frag = n->ref;
	uint32_t saved = cb->nslots, first;
	size_t nscope = cb->nscope;

	if (!frag || frag->kind != AST_FRAGMENT) {
		cerror(cb->c, n->loc, "unknown fragment");
		return;
	}
	if (frag->params.n != n->kids.n) {
		cerror(cb->c, n->loc, "fragment '%s' takes %u argument%s, not %u", frag->str, frag->params.n,
		       frag->params.n == 1 ? "" : "s", n->kids.n);
		return;
	}
	if (cb->use_depth >= MAX_USE_DEPTH) {
		cerror(cb->c, n->loc, "fragments nest deeper than %d (recursive use?)", MAX_USE_DEPTH);
		return;
	}
	if (cb->c->too_big) /* reported: expand no further */
		return;
	if (cb->use_depth == 0)
		cb->c->use_loc = n->loc;
	first = new_slots(cb, (uint32_t)n->kids.n, n->loc);
	for (size_t i = 0; i < n->kids.n; i++) {
		expr(cb, n->kids.v[i]);
		emit(cb, OP_STORE, first + (uint32_t)i, n->kids.v[i]->loc);
	}
	for (size_t i = 0; i < n->kids.n; i++)
		bind(cb, frag->params.v[i], first + (uint32_t)i);
	cb->use_depth++;
	stmts(cb, &frag->kids);
	cb->use_depth--;
	unbind_to(cb, nscope);
	cb->nslots = saved;
}

static void if_stmt(struct cblock *cb, const struct ast *n)
{
	uint32_t jf, jend;

	expr(cb, n->a);
	jf = emit(cb, OP_JF, 0, n->a->loc);
	stmts(cb, &n->kids);
	if (!n->b) {
		patch(cb, jf, here(cb));
		return;
	}
	jend = emit(cb, OP_JMP, 0, n->loc);
	patch(cb, jf, here(cb));
	if (n->b->kind == AST_IF) {
		if (cb->c->marks) /* `else if` is a statement of its own */
			emit(cb, OP_MARK, 0, n->b->loc);
		if_stmt(cb, n->b);
	} else {
		stmts(cb, &n->b->kids);
	}
	patch(cb, jend, here(cb));
}

static uint32_t cfg_of(int cfg)
{
	switch (cfg) {
	case CFG_ENTRYPOINT:
		return BC_CFG_ENTRYPOINT;
	case CFG_CMD:
		return BC_CFG_CMD;
	case CFG_ENV:
		return BC_CFG_ENV;
	case CFG_USER:
		return BC_CFG_USER;
	case CFG_WORKDIR:
		return BC_CFG_WORKDIR;
	case CFG_LABEL:
		return BC_CFG_LABEL;
	case CFG_ANNOTATION:
		return BC_CFG_ANNOTATION;
	case CFG_EXPOSE:
		return BC_CFG_EXPOSE;
	case CFG_VOLUME:
		return BC_CFG_VOLUME;
	default:
		return BC_CFG_STOPSIGNAL;
	}
}

static void config(struct cblock *cb, const struct ast *n)
{
	uint32_t cfg = cfg_of(n->op);

	switch (cfg) {
	case BC_CFG_ENV:
	case BC_CFG_LABEL:
	case BC_CFG_ANNOTATION:
		emit_str(cb, n->str, n->len, n->nameloc);
		expr(cb, n->a);
		emit(cb, OP_CFGKV, cfg, n->loc);
		break;
	case BC_CFG_EXPOSE:
	case BC_CFG_VOLUME:
		emit_str(cb, n->str, n->len, n->nameloc);
		emit(cb, OP_CFGKEY, cfg, n->loc);
		break;
	default:
		expr(cb, n->a);
		emit(cb, OP_CFG, cfg, n->loc);
		break;
	}
}

static void decl(struct cblock *cb, const struct ast *n);

static void stmt(struct cblock *cb, const struct ast *n)
{
	uint32_t b;

	if (cb->c->marks && n->kind != AST_BLOCK)
		emit(cb, OP_MARK, 0, n->loc);
	switch (n->kind) {
	case AST_INCLUDE:
	case AST_BASE:
		request(cb, n, n->kind == AST_BASE);
		break;
	case AST_EXCLUDE:
		emit_str(cb, n->str, n->len, n->nameloc);
		emit(cb, OP_EXCLUDE, 0, n->loc);
		break;
	case AST_ADMIT:
		b = closure(cb, BC_ADMIT, n, n->a, NULL);
		emit(cb, OP_ADMIT, b, n->loc);
		break;
	case AST_USE:
		use(cb, n);
		break;
	case AST_LET:
		expr(cb, n->a);
		b = new_slots(cb, 1, n->loc);
		emit(cb, OP_STORE, b, n->loc);
		bind(cb, n, b);
		break;
	case AST_IF:
		if_stmt(cb, n);
		break;
	case AST_BLOCK:
		stmts(cb, &n->kids);
		break;
	case AST_DENY:
	case AST_WARN:
		if (n->b) {
			emit_msg_text(cb, n->b);
			b = closure(cb, BC_CHECK, n, n->a, n->b);
			emit(cb, n->kind == AST_DENY ? OP_DENYM : OP_WARNM, b, n->loc);
			break;
		}
		emit_str(cb, n->str, n->len, n->nameloc);
		b = closure(cb, BC_CHECK, n, n->a, NULL);
		emit(cb, n->kind == AST_DENY ? OP_DENY : OP_WARN, b, n->loc);
		break;
	case AST_PLATFORM:
	case AST_FROM:
		emit_str(cb, n->str, n->len, n->nameloc);
		emit(cb, n->kind == AST_FROM ? OP_FROM : OP_PLATFORM, 0, n->loc);
		break;
	case AST_CONFIG:
		config(cb, n);
		break;
	case AST_FILE:
		emit_str(cb, n->str, n->len, n->nameloc);
		expr(cb, n->a);
		emit(cb, OP_FILE, n->has_mode ? (uint32_t)(n->num & 07777) : 0644, n->loc);
		break;
	case AST_ACCOUNT:
	case AST_GROUP:
	case AST_DIRECTORY:
		decl(cb, n);
		break;
	default:
		cerror(cb->c, n->loc, "not a statement");
		break;
	}
}

/* Push the literal of attribute word w of n, or null. */
static void attr(struct cblock *cb, const struct ast *n, const char *w)
{
	for (size_t i = 0; i < n->kids.n; i++) {
		const struct ast *v = n->kids.v[i]->a;
		if (strcmp(n->kids.v[i]->str, w) != 0 || !v)
			continue;
		if (v->kind == AST_INT) {
			struct value k = val_int(v->num);
			emit_k(cb, &k, v->loc);
		} else {
			emit_str(cb, v->str, v->len, v->loc);
		}
		return;
	}
	emit(cb, OP_PUSHNULL, 0, n->loc);
}

/* account, group, directory: the name, then the attributes in the order
 * the opcode takes them (include/opcode_list.h). */
static void decl(struct cblock *cb, const struct ast *n)
{
	static const char *const words[][5] = {
		{"uid", "gid", "comment", "home", "shell"}, {"gid"}, {"owner"}};
	size_t k = n->kind == AST_ACCOUNT ? 0 : n->kind == AST_GROUP ? 1 : 2;
	uint32_t mode = 0755;

	emit_str(cb, n->str, n->len, n->nameloc);
	for (size_t i = 0; i < 5 && words[k][i]; i++)
		attr(cb, n, words[k][i]);
	for (size_t i = 0; i < n->kids.n; i++)
		if (!strcmp(n->kids.v[i]->str, "mode") && n->kids.v[i]->a)
			mode = (uint32_t)(n->kids.v[i]->a->num & 07777);
	emit(cb,
	     n->kind == AST_ACCOUNT ? OP_ACCOUNT
	     : n->kind == AST_GROUP ? OP_GROUP
				    : OP_DIRECTORY,
	     n->kind == AST_DIRECTORY ? mode : 0, n->loc);
}

/* A block of statements: its lets are gone at the closing brace. */
static void stmts(struct cblock *cb, const struct ast_list *l)
{
	uint32_t saved = cb->nslots;
	size_t nscope = cb->nscope;

	for (size_t i = 0; i < l->n && !cb->c->too_big; i++)
		if (l->v[i])
			stmt(cb, l->v[i]);
	unbind_to(cb, nscope);
	cb->nslots = saved;
}

/* ---- programs ----------------------------------------------------------- */

static void add_files(struct comp *c)
{
	struct bc_program *bc = c->bc;

	for (size_t i = 0; i < c->prog->nmods; i++) {
		const struct module *m = c->prog->mods[i];
		const struct diag_file *f = diag_file(c->d, m->file);
		xgrow((void **)&bc->files, &bc->capfiles, bc->nfiles + 1, sizeof(*bc->files));
		bc->files[bc->nfiles].path = xstrdup(f ? f->path : m->path);
		memcpy(bc->files[bc->nfiles].digest, m->digest, sizeof(m->digest));
		bc->nfiles++;
	}
}

/* The input schema of pol's module, kept with the program (once). */
static void keep_schema(struct comp *c, const struct ast *pol)
{
	const struct ast *root = pol->mod ? pol->mod->root : NULL;

	for (size_t i = 0; root && !c->bc->schema && i < root->kids.n; i++)
		if (root->kids.v[i]->kind == AST_SCHEMA)
			c->bc->schema = schema_from_ast(root->kids.v[i]);
}

static void compile_policy(struct comp *c, const struct ast *pol)
{
	struct cblock cb;
	struct bc_policy *bp;

	keep_schema(c, pol);
	cblock_init(&cb, c, BC_POLICY);
	stmts(&cb, &pol->kids);
	emit(&cb, OP_HALT, 0, pol->loc);
	cblock_finish(&cb);
	xgrow((void **)&c->bc->policies, &c->bc->cappolicies, c->bc->npolicies + 1, sizeof(*bp));
	bp = &c->bc->policies[c->bc->npolicies++];
	bp->name = xstrdup(pol->str);
	bp->block = cb.bi;
}

static struct bc_program *compile(const struct program *p, const char *only, struct comp_parts *parts,
				  struct diag *d)
{
	struct comp c = {.prog = p, .d = d, .parts = parts};
	struct ast **pols;
	size_t npols = program_policies(p, &pols);
	struct strbuf names = STRBUF_INIT;
	bool found = false;

	c.bc = bc_new();
	c.vm = vm_new();
	add_files(&c);
	for (size_t i = 0; i < npols; i++) {
		sb_addf(&names, "%s'%s'", i ? ", " : "", pols[i]->str);
		if (only && strcmp(pols[i]->str, only))
			continue;
		found = true;
		compile_policy(&c, pols[i]);
	}
	if (only && !found) {
		const char **v = xcalloc(npols + 1, sizeof(*v)), *near;
		for (size_t i = 0; i < npols; i++)
			v[i] = pols[i]->str;
		near = suggest_name(only, v, npols);
		cerror(&c, LOC_NONE, "no policy '%s'%s%s%s; policies: %s", only,
		       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "",
		       npols ? names.buf : "none");
		free(v);
	}
	sb_release(&names);
	vm_free(c.vm);
	free(c.folds);
	ptrmap_release(&c.fold_at);
	if (c.nerrors == 0 && bc_verify(c.bc, "<compiled>", d) < 0)
		c.nerrors++;
	if (c.nerrors) {
		bc_free(c.bc);
		return NULL;
	}
	return c.bc;
}

struct bc_program *comp_program(const struct program *p, const char *only, struct diag *d)
{
	return compile(p, only, NULL, d);
}

/* One expression of a test as a BC_EXPR block: binder (the test, whose
 * `decision` it reads) in slot 0 when given; as_text: the result is
 * string() of the value. */
static uint32_t test_block(struct comp *c, const struct comp_expr *x)
{
	struct cblock cb;
	struct bc_block *b;

	cblock_init(&cb, c, BC_EXPR);
	if (x->binder)
		bind(&cb, x->binder, new_slots(&cb, 1, x->expr->loc));
	expr(&cb, x->expr);
	if (x->as_text) { /* string([v]): JSON, a string quoted too */
		emit(&cb, OP_MKLIST, 1, x->expr->loc);
		emit(&cb, OP_CALL, BI_STRING, x->expr->loc);
	}
	emit(&cb, OP_RET, 0, x->expr->loc);
	cblock_finish(&cb);
	b = &c->bc->blocks[cb.bi];
	b->ncaptures = x->binder ? 1 : 0;
	b->captures = xcalloc(1, sizeof(*b->captures));
	return cb.bi;
}

struct bc_program *comp_test_program(const struct program *p, const struct ast *pol,
				     const struct comp_expr *xs, size_t n, uint32_t *blocks, bool marks,
				     struct diag *d)
{
	struct comp c = {.prog = p, .d = d, .marks = marks};

	c.bc = bc_new();
	c.vm = vm_new();
	add_files(&c);
	compile_policy(&c, pol);
	if (c.nerrors == 0 && bc_verify(c.bc, "<compiled>", d) < 0)
		c.nerrors++;
	for (size_t i = 0; c.nerrors == 0 && i < n; i++) {
		blocks[i] = test_block(&c, &xs[i]);
		if (c.nerrors == 0 && bc_verify_block(c.bc, blocks[i], "<test>", d) < 0)
			c.nerrors++;
	}
	vm_free(c.vm);
	free(c.folds);
	ptrmap_release(&c.fold_at);
	if (c.nerrors) {
		bc_free(c.bc);
		return NULL;
	}
	return c.bc;
}

struct bc_program *comp_load(const char *path, const char *only, const struct program_opts *opts,
			     struct diag *d)
{
	return comp_load_parts(path, only, opts, NULL, d);
}

struct bc_program *comp_load_parts(const char *path, const char *only, const struct program_opts *opts,
				   struct comp_parts *parts, struct diag *d)
{
	struct program_opts none = {0};
	struct program prog;
	struct bc_program *bc = NULL;
	char *data;
	size_t len;

	if (read_file(path, &data, &len) < 0) {
		diag_file_error(d, path, 0, 0, NULL, "cannot read '%s': %s", path, file_strerror(errno));
		return NULL;
	}
	if (bc_is_module(data, len)) {
		bc = bc_load(data, len, path, d);
		free(data);
		if (bc)
			bc->from_module = true;
		return bc;
	}
	free(data);
	program_init(&prog);
	if (program_load(&prog, path, opts ? opts : &none, d) == 0)
		bc = compile(&prog, only, parts, d);
	program_release(&prog);
	return bc;
}
