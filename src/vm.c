/* vm.c - the dispatch loop and the three phases: selection, admit, checks.
 *
 * Programs reaching run() have been verified (bc_verify): operands are in
 * range and the stack never under- or overflows, so the loop checks only
 * what the language defines as runtime errors (types, overflow, division
 * by zero) and the loop state that bytecode could forge.
 *
 * Dispatch is a jump table (computed goto) with gcc and clang, a switch
 * elsewhere or when built with -DCPOLC_SWITCH_DISPATCH. Either way the
 * cases read the same (Lua's vmdispatch/vmcase/vmbreak).
 */
#include "config.h"

#include "vm.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "util.h"
#include "vm_int.h"

struct vm *vm_new(void)
{
	struct vm *vm = xcalloc(1, sizeof(*vm));

	arena_init(&vm->arena);
	vm->max_steps = VM_MAX_STEPS;
	vm->max_bytes = VM_MAX_BYTES;
	val_ctx_init(&vm->vc, &vm->arena, vm->max_steps, vm->max_bytes);
	return vm;
}

void vm_set_limits(struct vm *vm, uint64_t max_steps, size_t max_bytes)
{
	vm->max_steps = max_steps;
	vm->max_bytes = max_bytes;
	val_ctx_init(&vm->vc, &vm->arena, max_steps, max_bytes);
}

void vm_free(struct vm *vm)
{
	if (!vm)
		return;
	arena_release(&vm->arena);
	free(vm->fcache);
	free(vm->stack);
	free(vm->locals);
	free(vm->hold);
	free(vm->msgs);
	free(vm->reqs);
	free(vm->excls);
	free(vm->cfgs);
	free(vm->files);
	free(vm->closures);
	free(vm->decls);
	free(vm);
}

/* The bytes the recorded statements hold: the capacity of their vectors
 * (kept across evaluations, as the arena's chunks are). */
static size_t records_held(const struct vm *vm)
{
	return vm->capreqs * sizeof(*vm->reqs) + vm->capexcls * sizeof(*vm->excls) +
	       vm->capcfgs * sizeof(*vm->cfgs) + vm->capfiles * sizeof(*vm->files) +
	       vm->capclosures * sizeof(*vm->closures) + vm->capdecls * sizeof(*vm->decls);
}

/* The next element of a vector of recorded statements, or NULL when
 * growing it would pass the evaluation's bytes. Growth is where the check
 * goes: the common push costs nothing more. */
/* The arena may hand out what the evaluation's bytes leave beside what the
 * records hold. */
static void limit_arena(struct vm *vm)
{
	size_t held = vm->vc.held;

	arena_set_limit(&vm->arena, held < vm->max_bytes ? vm->max_bytes - held : 1);
}

static void over_at(struct vm *vm, uint32_t pc)
{
	if (!vm->over) { /* the first record kept nowhere: the run fails at its end */
		vm->over = true;
		vm->over_pc = pc;
	}
}

static inline void *vec_push(struct vm *vm, void **v, size_t *n, size_t *cap, size_t sz, uint32_t pc)
{
	if (*n >= *cap) {
		size_t old = *cap;
		if (vm->arena.total + vm->vc.held + (*cap ? *cap : 4) * sz > vm->max_bytes) {
			over_at(vm, pc);
			return &vm->scratch;
		}
		xgrow(v, cap, *n + 1, sz);
		vm->vc.held += (*cap - old) * sz;
		limit_arena(vm);
	}
	return (char *)*v + (*n)++ * sz;
}
#define PUSH(vm, name, pc)                                                                                   \
	((__typeof__((vm)->name))vec_push((vm), (void **)&(vm)->name, &(vm)->n##name, &(vm)->cap##name,      \
					  sizeof(*(vm)->name), (pc)))

/* ---- errors ------------------------------------------------------------- */

int vm_fail(const struct bc_program *p, const struct bc_block *b, uint32_t pc, struct diag *d,
	    const char *fmt, ...)
{
	char msg[256];
	const struct bc_line *l = pc < b->ncode ? &b->lines[pc] : NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l && l->file < p->nfiles)
		diag_file_error(d, p->files[l->file].path, l->line, l->col, "runtime", "%s", msg);
	else
		diag_file_error(d, "<bytecode>", 0, 0, "runtime", "%s", msg);
	return -1;
}

/* ---- the dispatch loop -------------------------------------------------- */

#if !defined(CPOLC_SWITCH_DISPATCH) && defined(__GNUC__)
#define CPOLC_COMPUTED_GOTO 1
#endif

#ifdef CPOLC_COMPUTED_GOTO
/* Each instruction ends with its own fetch and indirect jump, so that the
 * branch predictor sees one jump site per opcode. */
#define vmdispatch(x) goto *disptab[x];
#define vmcase(l)     L_##l:
#define vmbreak                                                                                              \
	do {                                                                                                 \
		w = code[pc];                                                                                \
		a = BC_A(w);                                                                                 \
		goto *disptab[BC_OP(w)];                                                                     \
	} while (0)
#else
#define vmdispatch(x) switch (x)
#define vmcase(l)     case l:
#define vmbreak	      break
#endif

static void vm_reset_arena(struct vm *vm)
{
	arena_reset(&vm->arena);
	vm->vc.held = records_held(vm);
	limit_arena(vm);
	if (++vm->gen == 0) { /* wrapped: forget everything */
		memset(vm->fcache, 0, vm->capfcache * sizeof(*vm->fcache));
		vm->gen = 1;
	}
}

static void ensure_space(struct vm *vm, const struct bc_program *p)
{
	if (vm->capfcache < p->nconsts) {
		size_t old = vm->capfcache;
		vm->capfcache = p->nconsts + 64;
		vm->fcache = xrealloc(vm->fcache, vm->capfcache * sizeof(*vm->fcache));
		memset(vm->fcache + old, 0, (vm->capfcache - old) * sizeof(*vm->fcache));
	}
	if (vm->capstack < p->maxstack + 1u) {
		free(vm->stack);
		vm->capstack = p->maxstack + 1u;
		vm->stack = xmalloc(vm->capstack * sizeof(*vm->stack));
	}
	if (vm->caplocals < p->maxlocals + 1u) {
		free(vm->locals);
		vm->caplocals = p->maxlocals + 1u;
		vm->locals = xmalloc(vm->caplocals * sizeof(*vm->locals));
	}
}

/* Copy a value field by field. A struct copy is one 16-byte load, which
 * the CPU cannot forward from the two or more smaller stores that have
 * just written the value (val_int(), val_bool(), a builtin's *out): the
 * load waits until they reach the cache, a stall of a dozen cycles or
 * more. Loads of the single fields are forwarded. */
static inline void vcopy(struct value *d, const struct value *s)
{
	d->type = s->type;
	d->flags = s->flags;
	d->len = s->len;
	d->u.i = s->u.i;
}

static bool is_string(const struct value *v)
{
	return v->type == VAL_STR;
}

static int cmp_op(struct val_ctx *vc, enum bc_op op, const struct value *a, const struct value *b, bool *res)
{
	int c;
	bool isnull;

	switch (op) {
	case OP_EQ:
	case OP_NE:
		if ((c = val_equal(vc, a, b)) < 0)
			return -1;
		*res = (c == 1) == (op == OP_EQ);
		return 0;
	case OP_IN:
	case OP_NOTIN:
		if (val_in(vc, a, b, res) < 0)
			return -1;
		if (op == OP_NOTIN)
			*res = !*res;
		return 0;
	default:
		break;
	}
	if (val_order(vc, a, b, &c, &isnull) < 0)
		return -1;
	if (isnull) {
		*res = false;
		return 0;
	}
	*res = op == OP_LT ? c < 0 : op == OP_LE ? c <= 0 : op == OP_GT ? c > 0 : c >= 0;
	return 0;
}

static int record_stmt(struct vm *vm, const struct bc_program *p, uint32_t w, uint32_t pc, struct value *sp,
		       struct val_err *e, uint64_t *steps);

/* The step counter of run() is a local, kept in a register; the value
 * operations charge vc->work. CHARGED hands the count over for one call
 * and takes back what is left. */
#define CHARGED(call) (vc->work = steps, rcv = (call), steps = vc->work, rcv)

/* The guards of the dispatch loop, after Lua's vmcheck macros, so that each
 * case reads as what its opcode does: vmtry runs a value operation (which
 * charges the step counter) and fails the evaluation on its error;
 * vmerror fails it with a message; vmchecktype fails it unless a value
 * has a type (the message takes the value's type); vmstep counts one unit
 * of work against the bound. */
#define vmtry(call)                                                                                          \
	do {                                                                                                 \
		if (CHARGED(call) < 0)                                                                       \
			goto fail;                                                                           \
	} while (0)
#define vmerror(...)                                                                                         \
	do {                                                                                                 \
		val_fail(&vc->err, __VA_ARGS__);                                                             \
		goto fail;                                                                                   \
	} while (0)
#define vmchecktype(v, t, fmt)                                                                               \
	do {                                                                                                 \
		if ((v)->type != (t))                                                                        \
			vmerror(fmt, val_a_type(v));                                                         \
	} while (0)
#define vmstep()                                                                                             \
	do {                                                                                                 \
		if (!--steps)                                                                                \
			goto toolong;                                                                        \
	} while (0)
/* vmjump goes to target; a backward jump costs as many steps as the loop
 * body it closes has instructions, so that every instruction run is paid
 * for (straight-line code runs once between two backward jumps): a loop
 * whose body is long stops as soon as a short one would. vmequal sets q to
 * 1 when x equals y, else 0, charging what a deep comparison visits. */
#define vmjump(target)                                                                                       \
	do {                                                                                                 \
		if ((target) <= pc) {                                                                        \
			uint64_t body_ = (uint64_t)(pc - (target)) + 1;                                      \
			if (steps <= body_)                                                                  \
				goto toolong;                                                                \
			steps -= body_;                                                                      \
		}                                                                                            \
		pc = (target);                                                                               \
	} while (0)
#define vmequal(q, x, y)                                                                                     \
	do {                                                                                                 \
		(q) = val_equal_quick(x, y);                                                                 \
		if ((q) == 2 && ((q) = CHARGED(val_equal(vc, x, y))) < 0)                                    \
			goto fail;                                                                           \
	} while (0)

/* The deny/warn checks of a selection, run back to back by one run(): at
 * RET the condition's bool goes to hold[i] and the next check's block
 * starts without leaving the dispatch loop (entering run() once per check
 * cost as much as a short condition). Admit filters and, without
 * have_selected, checks that read `selected` are skipped. */
struct vm_batch {
	const struct vm_closure *cl;
	size_t n, i; /* closures; the one running, or where the batch stopped */
	bool have_selected;
	uint8_t *hold;
};

/* Move bt->i to the next check to run; false when none is left. */
static inline bool batch_next(struct vm_batch *bt)
{
	for (; bt->i < bt->n; bt->i++) {
		const struct vm_closure *cl = &bt->cl[bt->i];
		if (cl->op != OP_ADMIT && (bt->have_selected || !cl->reads_selected))
			return true;
	}
	return false;
}

/* RET of a check with a value other than a bool: a DENYM/WARNM check's
 * message (it fired) or null (it did not); anything else fails the
 * evaluation at the RET (the message's location) or, for a condition, at
 * the block's end. */
static int batch_message(struct vm *vm, struct vm_batch *bt, const struct value *r, size_t *pc,
			 const struct bc_block *b)
{
	const struct vm_closure *cl = &bt->cl[bt->i];

	if (!cl->dyn) {
		*pc = b->ncode - 1;
		return val_fail(&vm->vc.err, "a condition needs a bool, not %s", val_a_type(r));
	}
	if (r->type == VAL_NULL) {
		bt->hold[bt->i] = 0;
		return 0;
	}
	if (r->type != VAL_STR)
		return val_fail(&vm->vc.err, "a %s message must be a string, not %s",
				cl->op == OP_DENY ? "deny" : "warn", val_a_type(r));
	if (vm->capmsgs < bt->n)
		xgrow((void **)&vm->msgs, &vm->capmsgs, bt->n, sizeof(*vm->msgs));
	vm->msgs[bt->i] = *r;
	bt->hold[bt->i] = 1;
	return 0;
}

/* Run block b with its locals already in vm->locals[0..ncaptures]; the
 * rest start as null. RET leaves the result in *res, or with bt, moves
 * on to the batch's next check. */
#if defined(CPOLC_COMPUTED_GOTO) && !defined(__clang__)
/* Keep one indirect jump per instruction: gcc would otherwise merge the
 * identical vmbreak tails into a dozen shared jumps, each harder for the
 * branch predictor (CPython builds ceval.c likewise). Without gcse, as
 * gcc's manual advises for computed gotos: it hoisted &sp[-1] and &sp[-2]
 * into every dispatch, two instructions of the eight of a PUSHK. */
__attribute__((optimize("no-crossjumping", "no-gcse")))
#endif
static int
run(struct vm *vm, const struct bc_program *p, const struct bc_block *b, struct value *res,
    struct vm_batch *bt, struct diag *d)
{
#ifdef CPOLC_COMPUTED_GOTO
	static void *const disptab[OP__COUNT] = {
#define OP(name, kind, in, out, doc) &&L_OP_##name,
#include "opcode_list.h"
#undef OP
	};
#endif
	const uint32_t *code = b->code;
	const struct value *k = p->consts;
	struct value *sp = vm->stack, *loc = vm->locals, tmp;
	struct val_ctx *vc = &vm->vc;
	size_t pc = 0; /* not uint32_t: pc++ would cost a zero extension an instruction */
	uint32_t w, a;
	uint64_t steps = vm->max_steps;
	int rcv, q;
	bool bres;

	for (uint32_t i = b->ncaptures + (b->kind == BC_ADMIT); i < b->nlocals; i++)
		loc[i] = val_null();
	for (;;) {
		w = code[pc];
		a = BC_A(w);
		vmdispatch(BC_OP(w))
		{
			vmcase(OP_NOP) pc++;
			vmbreak;
			vmcase(OP_PUSHK) *sp++ = k[a];
			pc++;
			vmbreak;
			vmcase(OP_PUSHNULL) *sp++ = val_null();
			pc++;
			vmbreak;
			vmcase(OP_PUSHTRUE) *sp++ = val_bool(true);
			pc++;
			vmbreak;
			vmcase(OP_PUSHFALSE) *sp++ = val_bool(false);
			pc++;
			vmbreak;
			vmcase(OP_INPUT) *sp++ = vm->input;
			pc++;
			vmbreak;
			vmcase(OP_SELECTED) *sp++ = vm->selected;
			pc++;
			vmbreak;
			vmcase(OP_LOAD) vcopy(sp++, &loc[a]);
			pc++;
			vmbreak;
			vmcase(OP_STORE) vcopy(&loc[a], --sp);
			pc++;
			vmbreak;
			vmcase(OP_POP) sp--;
			pc++;
			vmbreak;
			vmcase(OP_INFIELD)
			{
				*sp++ = vm->input;
			}
			/* fall through */
			vmcase(OP_FIELD)
			{
				struct vm_fcache *fc = &vm->fcache[a];
				if (sp[-1].type == VAL_REC && fc->gen == vm->gen && fc->obj == sp[-1].u.rec &&
				    fc->flags == sp[-1].len) {
					sp[-1] = fc->v;
					pc++;
					vmbreak;
				}
				vmtry(val_fieldn(vc, &sp[-1], k[a].u.s, k[a].len, &tmp));
				if (sp[-1].type == VAL_REC) {
					fc->obj = sp[-1].u.rec;
					fc->flags = sp[-1].len;
					fc->gen = vm->gen;
					vcopy(&fc->v, &tmp);
				}
				vcopy(&sp[-1], &tmp);
				pc++;
			}
			vmbreak;
			vmcase(OP_INDEX)
			{
				vmtry(val_index(vc, &sp[-2], &sp[-1], &tmp));
				sp -= 2;
				vcopy(sp++, &tmp);
				pc++;
			}
			vmbreak;
			vmcase(OP_MKLIST)
			{
				struct value *items = arena_alloc(&vm->arena, (size_t)a * sizeof(*items));
				if (!items)
					goto toobig;
				sp -= a;
				if (a)
					memcpy(items, sp, (size_t)a * sizeof(*items));
				sp->type = VAL_LIST;
				sp->flags = 0;
				sp->len = a;
				sp->u.items = items;
				sp++;
				pc++;
			}
			vmbreak;
			vmcase(OP_MKREC)
			{
				sp -= 2 * (size_t)a;
				vmtry(val_make_rec(vc, sp, a, &tmp));
				vcopy(sp++, &tmp);
				pc++;
			}
			vmbreak;
			vmcase(OP_NEWLIST)
			{
				sp->type = VAL_LIST;
				sp->flags = 0;
				sp->len = 0;
				sp->u.items = NULL;
				sp++;
				pc++;
			}
			vmbreak;
			vmcase(OP_APPEND)
			{
				vmchecktype(&sp[-2], VAL_LIST, "cannot append to %s");
				vmtry(val_list_append(vc, &sp[-2], &sp[-1]));
				sp--;
				pc++;
			}
			vmbreak;
			/* ADD: int + int inline unless it overflows; strings, lists
			 * and errors in val_arith with the other operators. */
			vmcase(OP_ADD)
			{
				int64_t r;
				if (sp[-2].type == VAL_INT && sp[-1].type == VAL_INT &&
				    !__builtin_add_overflow(sp[-2].u.i, sp[-1].u.i, &r)) {
					sp--;
					sp[-1] = val_int(r);
					pc++;
					vmbreak;
				}
			}
			/* fall through */
			vmcase(OP_SUB) vmcase(OP_MUL) vmcase(OP_DIV) vmcase(OP_MOD)
			{
				static const char ops[] = {[OP_ADD - OP_ADD] = '+',
							   [OP_SUB - OP_ADD] = '-',
							   [OP_MUL - OP_ADD] = '*',
							   [OP_DIV - OP_ADD] = '/',
							   [OP_MOD - OP_ADD] = '%'};
				vmtry(val_arith(vc, ops[BC_OP(w) - OP_ADD], &sp[-2], &sp[-1], &tmp));
				sp -= 2;
				vcopy(sp++, &tmp);
				pc++;
			}
			vmbreak;
			vmcase(OP_EQK) vmcase(OP_NEK)
			{
				vmequal(q, &sp[-1], &k[a]);
				sp[-1] = val_bool((q == 1) == (BC_OP(w) == OP_EQK));
				pc++;
			}
			vmbreak;
			vmcase(OP_EQ)
			{
				vmequal(q, &sp[-2], &sp[-1]);
				sp -= 2;
				*sp++ = val_bool(q == 1);
				pc++;
			}
			vmbreak;
			/* LT LE GT GE: two ints inline, the rest in cmp_op */
			vmcase(OP_LT) vmcase(OP_LE) vmcase(OP_GT) vmcase(OP_GE)
			{
				if (sp[-2].type == VAL_INT && sp[-1].type == VAL_INT) {
					int64_t x = sp[-2].u.i, y = sp[-1].u.i;
					switch (BC_OP(w)) {
					case OP_LT:
						bres = x < y;
						break;
					case OP_LE:
						bres = x <= y;
						break;
					case OP_GT:
						bres = x > y;
						break;
					default:
						bres = x >= y;
						break;
					}
				} else {
					vmtry(cmp_op(vc, BC_OP(w), &sp[-2], &sp[-1], &bres));
				}
				sp -= 2;
				*sp++ = val_bool(bres);
				pc++;
			}
			vmbreak;
			/* IN: membership in a list inline, one step an item
			 * visited; records and errors in cmp_op with NE and NOTIN */
			vmcase(OP_IN)
			{
				if (sp[-1].type == VAL_LIST) {
					const struct value *it = sp[-1].u.items;
					uint32_t i, n = sp[-1].len;
					for (i = 0, q = 0; i < n && q != 1; i++) {
						vmequal(q, &sp[-2], &it[i]);
					}
					if (i >= steps)
						goto toolong;
					steps -= i;
					sp -= 2;
					*sp++ = val_bool(q == 1);
					pc++;
					vmbreak;
				}
			}
			/* fall through */
			vmcase(OP_NE) vmcase(OP_NOTIN)
			{
				vmtry(cmp_op(vc, BC_OP(w), &sp[-2], &sp[-1], &bres));
				sp -= 2;
				*sp++ = val_bool(bres);
				pc++;
			}
			vmbreak;
			vmcase(OP_NOT)
			{
				vmchecktype(&sp[-1], VAL_BOOL, "'!' needs a bool, not %s");
				sp[-1].u.b = !sp[-1].u.b;
				pc++;
			}
			vmbreak;
			vmcase(OP_NEG)
			{
				vmchecktype(&sp[-1], VAL_INT, "'-' needs an int, not %s");
				if (sp[-1].u.i == INT64_MIN)
					vmerror("integer overflow in negation");
				sp[-1].u.i = -sp[-1].u.i;
				pc++;
			}
			vmbreak;
			vmcase(OP_BOOL)
			{
				vmchecktype(&sp[-1], VAL_BOOL, "expected a bool, not %s");
				pc++;
			}
			vmbreak;
			/* CALL A: len() of a list or string is its len, inline;
			 * string() straight to val_to_text; the rest through
			 * builtin_call */
			vmcase(OP_CALL)
			{
				unsigned n = builtin_table[a].arity;
				if (a == BI_LEN && (sp[-1].type == VAL_LIST || sp[-1].type == VAL_STR)) {
					sp[-1] = val_int(sp[-1].len);
					pc++;
					vmbreak;
				}
				if (a == BI_STRING) {
					vmtry(val_to_text(vc, &sp[-1], &tmp));
					vcopy(&sp[-1], &tmp);
					pc++;
					vmbreak;
				}
				vmtry(builtin_call(vc, (int)a, sp - n, &tmp));
				sp -= n;
				vcopy(sp++, &tmp);
				pc++;
			}
			vmbreak;
			vmcase(OP_JMP)
			{
				vmjump(a);
			}
			vmbreak;
			vmcase(OP_JF) vmcase(OP_JT)
			{
				sp--;
				vmchecktype(sp, VAL_BOOL, "condition must be a bool, not %s");
				if (sp->u.b == (BC_OP(w) == OP_JT)) {
					vmjump(a);
				} else {
					pc++;
				}
			}
			vmbreak;
			vmcase(OP_JFK) vmcase(OP_JTK)
			{
				vmchecktype(&sp[-1], VAL_BOOL, "condition must be a bool, not %s");
				if (sp[-1].u.b == (BC_OP(w) == OP_JTK)) {
					vmjump(a);
				} else {
					sp--;
					pc++;
				}
			}
			vmbreak;
			vmcase(OP_JNN)
			{
				if (sp[-1].type != VAL_NULL) {
					vmjump(a);
				} else {
					sp--;
					pc++;
				}
			}
			vmbreak;
			vmcase(OP_FORPREP)
			{
				sp--;
				vmchecktype(sp, VAL_LIST, "cannot iterate over %s");
				loc[a] = *sp;
				loc[a + 1] = val_int(0);
				pc++;
			}
			vmbreak;
			vmcase(OP_FORNEXT)
			{
				struct value *l = &loc[a], *i = &loc[a + 1];
				if (l->type != VAL_LIST || i->type != VAL_INT)
					vmerror("corrupt loop state");
				if (i->u.i < 0 || i->u.i >= (int64_t)l->len) {
					vmjump(code[pc + 1]);
				} else {
					loc[a + 2] = l->u.items[i->u.i++];
					pc += 2;
				}
			}
			vmbreak;
			/* ITER: the top must be a list (FORPREP's check, kept at the
			 * line of the loop that ANYEQK replaces). */
			vmcase(OP_ITER)
			{
				vmchecktype(&sp[-1], VAL_LIST, "cannot iterate over %s");
				pc++;
			}
			vmbreak;
			/* ANYEQK A: any x in l : x == K[A], the loop in one
			 * instruction. Each item that is not equal counts as the
			 * loop's backward jump (JF), against the same step bound. */
			vmcase(OP_ANYEQK)
			{
				vmchecktype(&sp[-1], VAL_LIST, "cannot iterate over %s");
				q = 0;
				for (uint32_t i = 0, n = sp[-1].len; i < n; i++) {
					vmequal(q, &sp[-1].u.items[i], &k[a]);
					if (q == 1)
						break;
					vmstep();
				}
				sp[-1] = val_bool(q == 1);
				pc++;
			}
			vmbreak;
			vmcase(OP_RET)
			{
				const struct vm_closure *cl;
				if (!bt) {
					vcopy(res, &sp[-1]);
					return 0;
				}
				/* a DENYM/WARNM check returns its message or null; a
				 * bool from one (forged code) is refused there, as it
				 * would name a message never made */
				if (sp[-1].type == VAL_BOOL && !bt->cl[bt->i].dyn)
					bt->hold[bt->i] = sp[-1].u.b;
				else if (batch_message(vm, bt, &sp[-1], &pc, b) < 0)
					goto fail;
				bt->i++;
				if (!batch_next(bt))
					return 0;
				cl = &bt->cl[bt->i];
				b = &p->blocks[cl->block];
				code = b->code;
				/* whole values: the captures were written at
				 * selection, long before (see vcopy) */
				for (uint32_t i = 0; i < b->ncaptures; i++)
					loc[i] = cl->caps[i];
				for (uint32_t i = b->ncaptures; i < b->nlocals; i++)
					loc[i] = val_null();
				sp = vm->stack;
				pc = 0;
				steps = vm->max_steps;
			}
			vmbreak;
			vmcase(OP_HALT)
			{
				if (vm->over)
					goto over;
				return 0;
			}
			vmcase(OP_MARK)
			{
				if (pc < vm->ntrace)
					vm->trace[pc] = 1;
				pc++;
			}
			vmbreak;
			vmcase(OP_INCLUDE) vmcase(OP_INCLUDEV) vmcase(OP_BASE) vmcase(OP_BASEV)
				vmcase(OP_EXCLUDE) vmcase(OP_PLATFORM) vmcase(OP_FROM) vmcase(OP_CFG)
					vmcase(OP_CFGKV) vmcase(OP_CFGKEY) vmcase(OP_FILE) vmcase(OP_DENY)
						vmcase(OP_WARN) vmcase(OP_ADMIT) vmcase(OP_DENYM)
							vmcase(OP_WARNM) vmcase(OP_GROUP) vmcase(OP_ACCOUNT)
								vmcase(OP_DIRECTORY)
			{
				/* CFG may visit a list (entrypoint, cmd), charged to steps
				 * (record_stmt is inlined here: steps stays a register) */
				int n = record_stmt(vm, p, w, pc, sp, &vc->err, &steps);
				if (n < 0)
					goto fail; /* record_stmt set the error */
				sp -= n;
				pc++;
			}
			vmbreak;
#ifndef CPOLC_COMPUTED_GOTO
		default:
			vmerror("bad opcode");
#endif
		}
	}
toolong:
	if (vm->over) /* what a loop of records ran into first */
		goto over;
	val_out_of_work(vc);
	goto fail;
over:
	pc = vm->over_pc;
toobig:
	val_out_of_bytes(vc);
fail:
	return vm_fail(p, b, pc, d, "%s", vc->err.msg);
}

/* ---- statements --------------------------------------------------------- */

static int need_str(const struct value *v, const char *what, struct val_err *e)
{
	if (is_string(v))
		return 0;
	return val_fail(e, "%s must be a string, not %s", what, val_a_type(v));
}

/* Strings and ints (in decimal) for env values, labels, users. */
/* A config value: a string (a version reads as its text). An int is a
 * type error as cpol(5) says (write string(n)), not converted. */
static int scalar_text(struct vm *vm, struct value *v, const char *what, struct val_err *e)
{
	(void)vm;
	if (v->type == VAL_VER) {
		v->type = VAL_STR;
		return 0;
	}
	return need_str(v, what, e);
}

static int str_list(struct vm *vm, const struct value *v, const char *what, struct val_err *e,
		    uint64_t *steps)
{
	if (v->type != VAL_LIST)
		return val_fail(e, "%s must be a list of strings, not %s", what, val_a_type(v));
	if (1 + (uint64_t)v->len >= *steps)
		return val_out_of_work(&vm->vc);
	*steps -= 1 + (uint64_t)v->len;
	for (uint32_t i = 0; i < v->len; i++)
		if (!is_string(&v->u.items[i]))
			return val_fail(e, "%s must be a list of strings; item %u is %s", what, i,
					val_a_type(&v->u.items[i]));
	return 0;
}

static int record_req(struct vm *vm, enum bc_op op, uint32_t a, uint32_t pc, struct value *sp,
		      struct val_err *e)
{
	bool with = op == OP_INCLUDEV || op == OP_BASEV;
	struct value *name = with ? &sp[-2] : &sp[-1];
	struct vm_req *r;

	if (need_str(name, "a primitive name", e) < 0)
		return -1;
	if (with) {
		if (sp[-1].type == VAL_INT && val_to_text(&vm->vc, &sp[-1], &sp[-1]) < 0)
			return -1;
		if (sp[-1].type != VAL_STR && sp[-1].type != VAL_VER)
			return val_fail(e, "a version constraint must be a string or a version, not %s",
					val_a_type(&sp[-1]));
	}
	r = PUSH(vm, reqs, pc);
	vcopy(&r->name, name);
	r->constraint = val_null();
	if (with)
		vcopy(&r->constraint, &sp[-1]);
	r->cmp = with ? a : 0;
	r->base = op == OP_BASE || op == OP_BASEV;
	r->pc = pc;
	return with ? 2 : 1;
}

static int record_cfg(struct vm *vm, enum bc_op op, uint32_t a, uint32_t pc, struct value *sp,
		      uint64_t *steps, struct val_err *e)
{
	static const struct value null;
	struct vm_cfgop *c;
	struct value *key = NULL, *val = NULL; /* on the stack, converted in place */

	if (op == OP_CFGKEY) {
		key = &sp[-1];
		if (need_str(key, "the key", e) < 0)
			return -1;
	} else if (op == OP_CFGKV) {
		key = &sp[-2];
		val = &sp[-1];
		if (need_str(key, "the key", e) < 0 ||
		    scalar_text(vm, val,
				a == BC_CFG_ENV	    ? "an env value"
				: a == BC_CFG_LABEL ? "a label value"
						    : "an annotation value",
				e) < 0)
			return -1;
	} else {
		val = &sp[-1];
		if (a == BC_CFG_ENTRYPOINT || a == BC_CFG_CMD) {
			if (str_list(vm, val, a == BC_CFG_CMD ? "cmd" : "entrypoint", e, steps) < 0)
				return -1;
		} else if (scalar_text(vm, val,
				       a == BC_CFG_USER	     ? "user"
				       : a == BC_CFG_WORKDIR ? "workdir"
							     : "stopsignal",
				       e) < 0) {
			return -1;
		}
	}
	c = PUSH(vm, cfgs, pc);
	c->cfg = a;
	vcopy(&c->key, key ? key : &null);
	vcopy(&c->val, val ? val : &null);
	c->pc = pc;
	return op == OP_CFGKV ? 2 : 1;
}

static int record_closure(struct vm *vm, const struct bc_program *p, enum bc_op op, uint32_t a, uint32_t pc,
			  struct value *sp, struct val_err *e)
{
	const struct bc_block *c = &p->blocks[a];
	struct vm_closure *cl;

	if (op != OP_ADMIT && need_str(&sp[-1], "a message", e) < 0)
		return -1;
	cl = PUSH(vm, closures, pc);
	cl->dyn = op == OP_DENYM || op == OP_WARNM;
	cl->op = (uint8_t)(op == OP_DENYM ? OP_DENY : op == OP_WARNM ? OP_WARN : op);
	cl->reads_selected = c->reads_selected;
	cl->block = a;
	cl->pc = pc;
	cl->msg = val_null();
	if (op != OP_ADMIT)
		vcopy(&cl->msg, &sp[-1]);
	cl->caps = arena_alloc(&vm->arena, c->ncaptures * sizeof(*cl->caps));
	if (!cl->caps) { /* past the bytes: the run fails at its end */
		over_at(vm, pc);
		return op == OP_ADMIT ? 0 : 1;
	}
	for (uint32_t i = 0; i < c->ncaptures; i++)
		vcopy(&cl->caps[i], &vm->locals[c->captures[i]]);
	cl->at = NULL;
	return op == OP_ADMIT ? 0 : 1;
}

/* An account, group or directory: its values' types (the compiler pushes
 * literals of the right type; a forged module may not). */
static int record_decl(struct vm *vm, enum bc_op op, uint32_t a, uint32_t pc, struct value *sp,
		       struct val_err *e)
{
	int n = op == OP_ACCOUNT ? 6 : 2;
	struct value *v = sp - n;
	struct vm_decl *dc;

	if (need_str(&v[0], op == OP_DIRECTORY ? "a directory path" : "an account name", e) < 0)
		return -1;
	for (int i = 1; i < n; i++) {
		bool num = op == OP_ACCOUNT ? i <= 2 : op == OP_GROUP;
		if (v[i].type == VAL_NULL && (op != OP_GROUP && !(op == OP_ACCOUNT && i == 1)))
			continue;
		if (num ? v[i].type != VAL_INT : !is_string(&v[i]))
			return val_fail(e, "an attribute of '%.*s' must be %s, not %s",
					(int)(v[0].len > 64 ? 64 : v[0].len), v[0].u.s,
					num ? "an int" : "a string", val_a_type(&v[i]));
	}
	dc = PUSH(vm, decls, pc);
	dc->op = (uint8_t)op;
	for (int i = 0; i < n; i++)
		vcopy(&dc->v[i], &v[i]);
	dc->mode = a;
	dc->pc = pc;
	return n;
}

/* Record statement w at pc; returns how many values it pops, or -1. A
 * statement recorded (in a loop of forged bytecode) holds memory outside
 * the arena: it counts against the evaluation's bytes too (vec_push). */
static int record_stmt(struct vm *vm, const struct bc_program *p, uint32_t w, uint32_t pc, struct value *sp,
		       struct val_err *e, uint64_t *steps)
{
	enum bc_op op = BC_OP(w);
	uint32_t a = BC_A(w);
	struct vm_named *nm;
	struct vm_file *f;

	switch (op) {
	case OP_INCLUDE:
	case OP_INCLUDEV:
	case OP_BASE:
	case OP_BASEV:
		return record_req(vm, op, a, pc, sp, e);
	case OP_EXCLUDE:
		if (need_str(&sp[-1], "a primitive name", e) < 0)
			return -1;
		nm = PUSH(vm, excls, pc);
		vcopy(&nm->name, &sp[-1]);
		nm->pc = pc;
		return 1;
	case OP_PLATFORM:
	case OP_FROM:
		if (need_str(&sp[-1], op == OP_FROM ? "from" : "platform", e) < 0)
			return -1;
		nm = op == OP_FROM ? &vm->from : &vm->platform;
		vcopy(&nm->name, &sp[-1]);
		nm->pc = pc;
		return 1;
	case OP_CFG:
	case OP_CFGKV:
	case OP_CFGKEY:
		return record_cfg(vm, op, a, pc, sp, steps, e);
	case OP_FILE:
		if (need_str(&sp[-2], "a file path", e) < 0 || need_str(&sp[-1], "file content", e) < 0)
			return -1;
		f = PUSH(vm, files, pc);
		vcopy(&f->path, &sp[-2]);
		vcopy(&f->data, &sp[-1]);
		f->mode = a;
		f->pc = pc;
		return 2;
	case OP_GROUP:
	case OP_ACCOUNT:
	case OP_DIRECTORY:
		return record_decl(vm, op, a, pc, sp, e);
	default:
		return record_closure(vm, p, op, a, pc, sp, e);
	}
}

/* ---- phases ------------------------------------------------------------- */

int vm_find_policy(const struct bc_program *p, const char *name, struct diag *d)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < p->npolicies; i++)
		if (name ? !strcmp(p->policies[i].name, name) : p->npolicies == 1)
			return (int)i;
	for (size_t i = 0; i < p->npolicies; i++)
		sb_addf(&sb, "%s'%s'", i ? ", " : "", p->policies[i].name);
	if (!p->npolicies)
		diag_error(d, LOC_NONE, NULL, "the program declares no policy");
	else if (name) {
		const char **v = xcalloc(p->npolicies + 1, sizeof(*v)), *near;
		for (size_t i = 0; i < p->npolicies; i++)
			v[i] = p->policies[i].name;
		near = suggest_name(name, v, p->npolicies);
		diag_error(d, LOC_NONE, NULL, "no policy '%s'%s%s%s; policies: %s", name,
			   near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "", sb.buf);
		free(v);
	} else
		diag_error(d, LOC_NONE, NULL, "several policies (%s); choose one with --policy", sb.buf);
	sb_release(&sb);
	return -1;
}

static void reset_results(struct vm *vm)
{
	vm_reset_arena(vm);
	vm->over = false;
	vm->over_pc = 0;
	vm->nreqs = vm->nexcls = vm->ncfgs = vm->nfiles = vm->nclosures = vm->ndecls = 0;
	vm->platform.name = vm->from.name = val_null();
}

int vm_run(struct vm *vm, const struct bc_program *p, int policy, const json_t *request, struct diag *d)
{
	reset_results(vm);
	ensure_space(vm, p);
	vm->prog = p;
	vm->pblock = p->policies[policy].block;
	vm->input = request ? val_rec(request, 0) : val_null();
	vm->selected = (struct value){.type = VAL_LIST};
	return run(vm, p, &p->blocks[vm->pblock], NULL, NULL, d);
}

int vm_eval_expr(struct vm *vm, const struct bc_program *p, uint32_t block, struct value *out, struct diag *d)
{
	vm_reset_arena(vm);
	ensure_space(vm, p);
	vm->input = val_null();
	vm->selected = (struct value){.type = VAL_LIST};
	return run(vm, p, &p->blocks[block], out, NULL, d);
}

int vm_eval_block(struct vm *vm, const struct bc_program *p, uint32_t block, const struct value *args,
		  uint32_t nargs, struct value *out, struct diag *d)
{
	vm_reset_arena(vm);
	ensure_space(vm, p);
	vm->input = val_null();
	vm->selected = (struct value){.type = VAL_LIST};
	for (uint32_t i = 0; i < nargs && i < p->blocks[block].ncaptures; i++)
		vm->locals[i] = args[i];
	return run(vm, p, &p->blocks[block], out, NULL, d);
}

void vm_trace(struct vm *vm, uint8_t *hit, size_t ncode)
{
	vm->trace = hit;
	vm->ntrace = hit ? ncode : 0;
}

/* Evaluate closure cl (cand: the candidate record for admit filters). */
static int run_closure(struct vm *vm, const struct bc_program *p, const struct vm_closure *cl,
		       const struct value *cand, bool *res, struct diag *d)
{
	const struct bc_block *b = &p->blocks[cl->block];
	struct value r;

	if (b->ncaptures)
		memcpy(vm->locals, cl->caps, b->ncaptures * sizeof(*cl->caps));
	if (cand)
		vm->locals[b->ncaptures] = *cand;
	if (run(vm, p, b, &r, NULL, d) < 0)
		return -1;
	if (r.type != VAL_BOOL)
		return vm_fail(p, b, b->ncode - 1, d, "%s needs a bool, not %s",
			       cl->op == OP_ADMIT ? "an admit filter" : "a condition", val_a_type(&r));
	*res = r.u.b;
	return 0;
}

/* Run the checks among closures cl[0..n) as one batch; vm->hold[i] is
 * the result of each that ran. *stop is n, or on a runtime error (-1) the
 * index of the check that failed. */
static int run_batch(struct vm *vm, const struct bc_program *p, const struct vm_closure *cl, size_t n,
		     bool have_selected, size_t *stop, struct diag *d)
{
	struct vm_batch bt = {cl, n, 0, have_selected, NULL};
	const struct bc_block *b;
	int rc;

	if (vm->caphold < n)
		xgrow((void **)&vm->hold, &vm->caphold, n, sizeof(*vm->hold));
	bt.hold = vm->hold;
	*stop = n;
	if (!batch_next(&bt))
		return 0;
	b = &p->blocks[cl[bt.i].block];
	for (uint32_t i = 0; i < b->ncaptures; i++)
		vcopy(&vm->locals[i], &cl[bt.i].caps[i]);
	rc = run(vm, p, b, NULL, &bt, d);
	if (rc < 0)
		*stop = bt.i;
	return rc;
}

int vm_run_checks(struct vm *vm, const struct bc_program *p, size_t *ndenied, size_t *nwarned,
		  size_t *npending, struct diag *d)
{
	size_t stop;

	*ndenied = *nwarned = *npending = 0;
	ensure_space(vm, p);
	if (run_batch(vm, p, vm->closures, vm->nclosures, false, &stop, d) < 0)
		return -1;
	for (size_t i = 0; i < vm->nclosures; i++) {
		const struct vm_closure *cl = &vm->closures[i];
		if (cl->op == OP_ADMIT)
			continue;
		if (cl->reads_selected)
			(*npending)++;
		else if (vm->hold[i])
			(*(cl->op == OP_DENY ? ndenied : nwarned))++;
	}
	return 0;
}

int vm_select(struct vm *vm, const struct bc_program *p, const char *name, const json_t *request,
	      struct decision *dec, struct diag *d)
{
	int pol = vm_find_policy(p, name, d);

	if (pol < 0)
		return -1;
	if (request && !json_is_object(request)) {
		diag_error(d, LOC_NONE, NULL, "the request must be a JSON object");
		return -1;
	}
	if (vm_run(vm, p, pol, request, d) < 0)
		return -1;
	free(dec->policy);
	dec->policy = xstrdup(p->policies[pol].name);
	free(dec->platform);
	dec->platform =
		vm->platform.name.type == VAL_STR ? vm_strdup(&vm->platform.name) : xstrdup("linux/amd64");
	free(dec->from);
	dec->from = vm->from.name.type == VAL_STR ? vm_strdup(&vm->from.name) : NULL;
	return vm_fill_decision(vm, request, dec, d);
}

static void add_message(struct dec_message **m, size_t *n, size_t *cap, const struct vm_closure *cl,
			const struct value *msg)
{
	xgrow((void **)m, cap, *n + 1, sizeof(**m));
	(*m)[*n].message = vm_strdup(msg ? msg : &cl->msg);
	(*m)[*n].at = xstrdup(cl->at);
	(*n)++;
}

/* The record value of a primitive (its `version` reads as a version). */
static int prim_value(const struct cat_prim *p, struct value *out, struct diag *d)
{
	const json_t *r = cat_prim_record(p);

	if (!r) {
		diag_error(d, LOC_NONE, NULL, "cannot read the metadata of primitive '%s' %s", p->name,
			   p->version);
		return -1;
	}
	*out = val_rec(r, VAL_REC_PRIM);
	return 0;
}

/* Point vm at the state of a decision for the check and admit phases. */
static struct vm_state *enter(struct vm *vm, struct decision *dec)
{
	struct vm_state *st = dec->vmstate;

	if (!st)
		return NULL;
	vm_reset_arena(vm);
	ensure_space(vm, st->prog);
	vm->input = st->request ? val_rec(st->request, 0) : val_null();
	vm->selected = (struct value){.type = VAL_LIST};
	return st;
}

int vm_check(struct vm *vm, struct decision *dec, bool have_selected, struct diag *d)
{
	struct vm_state *st = enter(vm, dec);
	struct value *items;
	const struct value *msg;
	size_t stop;
	int rc;

	if (!st)
		return 0;
	if (have_selected && dec->nselected) {
		items = arena_alloc(&vm->arena, dec->nselected * sizeof(*items));
		if (!items) {
			diag_error(d, LOC_NONE, NULL, "the selected primitives need more than %zu MiB",
				   vm->max_bytes >> 20);
			return -1;
		}
		for (size_t i = 0; i < dec->nselected; i++)
			if (prim_value(dec->selected[i].prim, &items[i], d) < 0)
				return -1;
		vm->selected.u.items = items;
		vm->selected.len = (uint32_t)dec->nselected;
	}
	/* the messages of the checks before a failing one are kept */
	rc = run_batch(vm, st->prog, st->closures, st->nclosures, have_selected, &stop, d);
	for (size_t i = 0; i < stop; i++) {
		const struct vm_closure *cl = &st->closures[i];
		if (cl->op == OP_ADMIT)
			continue;
		if (!have_selected && cl->reads_selected) {
			add_message(&dec->pending, &dec->npending, &dec->cappending, cl, NULL);
			continue;
		}
		if (!vm->hold[i])
			continue;
		msg = cl->dyn ? &vm->msgs[i] : NULL;
		if (cl->op == OP_DENY)
			add_message(&dec->denials, &dec->ndenials, &dec->capdenials, cl, msg);
		else
			add_message(&dec->warnings, &dec->nwarnings, &dec->capwarnings, cl, msg);
	}
	return rc;
}

int vm_admit(struct vm *vm, struct decision *dec, const struct cat_prim *cand, bool *ok,
	     const char **failed_at, struct diag *d)
{
	struct vm_state *st = enter(vm, dec);
	struct value rec;

	*ok = true;
	*failed_at = NULL;
	if (!st)
		return 0;
	for (size_t i = 0; i < st->nclosures; i++) {
		const struct vm_closure *cl = &st->closures[i];
		bool pass = false;
		if (cl->op != OP_ADMIT)
			continue;
		if (prim_value(cand, &rec, d) < 0)
			return -1;
		if (run_closure(vm, st->prog, cl, &rec, &pass, d) < 0)
			return -1;
		if (!pass) {
			*ok = false;
			*failed_at = cl->at;
			return 0;
		}
	}
	return 0;
}

size_t vm_admit_which(const struct decision *dec, const char *failed_at, uint32_t *block)
{
	const struct vm_state *st = dec->vmstate;

	for (size_t i = 0; st && failed_at && i < st->nclosures; i++)
		if (st->closures[i].op == OP_ADMIT && st->closures[i].at == failed_at) {
			*block = st->closures[i].block;
			return i;
		}
	*block = UINT32_MAX;
	return SIZE_MAX;
}

int vm_admit_part(struct vm *vm, struct decision *dec, const struct cat_prim *cand, size_t which,
		  uint32_t block, struct value *out, struct diag *d)
{
	struct vm_state *st = enter(vm, dec);
	const struct vm_closure *cl = st && which < st->nclosures ? &st->closures[which] : NULL;
	const struct bc_block *b =
		cl && cl->op == OP_ADMIT && block < st->prog->nblocks ? &st->prog->blocks[block] : NULL;

	if (!b || b->kind != BC_ADMIT || b->ncaptures != st->prog->blocks[cl->block].ncaptures) {
		diag_error(d, LOC_NONE, NULL, "block %" PRIu32 " is not a part of admit filter %zu", block,
			   which);
		return -1;
	}
	if (prim_value(cand, &vm->locals[b->ncaptures], d) < 0)
		return -1;
	if (b->ncaptures)
		memcpy(vm->locals, cl->caps, b->ncaptures * sizeof(*cl->caps));
	return run(vm, st->prog, b, out, NULL, d);
}
