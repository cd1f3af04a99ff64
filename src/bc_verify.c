/* bc_verify.c - the bytecode verifier: nothing unchecked reaches the VM.
 *
 * A loaded module is untrusted. Before the VM runs it, every block is
 * decoded (opcodes known, two-word instructions complete), every operand
 * range-checked (constants, slots, builtins, closures, config keys,
 * comparison operators, jump targets on instruction starts), and the stack
 * depth computed by abstract interpretation over the control-flow graph:
 * each instruction is reached with one depth only, never underflows and
 * stays under BC_MAXSTACK; no path falls off the end of a block; statement
 * opcodes appear only in policy blocks, RET and SELECTED only in check and
 * admit blocks; only JMP, JF and JT jump backward (the VM counts those,
 * so that a forged loop cannot run forever). The VM then needs no per-instruction bounds checks beyond
 * the value-type checks of the language itself.
 */
#include "config.h"

#include "bc.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct vctx {
	struct bc_program *p;
	const char *path;
	struct diag *d;
	size_t bi; /* block being checked */
	struct bc_block *b;
	int32_t *depth; /* per word: stack depth on entry, -1 unknown */
	bool *start;	/* per word: an instruction starts here */
	uint32_t *work;
	size_t nwork;
};

static int vfail(struct vctx *v, uint32_t pc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int vfail(struct vctx *v, uint32_t pc, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_file_error(v->d, v->path, 0, 0, "bytecode", "invalid bytecode: block %zu word %" PRIu32 ": %s",
			v->bi, pc, msg);
	return -1;
}

static int decode_starts(struct vctx *v)
{
	struct bc_block *b = v->b;

	for (uint32_t pc = 0; pc < b->ncode; pc++)
		if (b->lines[pc].file >= v->p->nfiles)
			return vfail(v, pc, "line table names file %" PRIu32, b->lines[pc].file);
	for (uint32_t pc = 0; pc < b->ncode;) {
		enum bc_op op = BC_OP(b->code[pc]);
		uint32_t len;
		if (op >= OP__COUNT)
			return vfail(v, pc, "unknown opcode %u", (unsigned)op);
		len = bc_ops[op].kind == OPK_SJ ? 2 : 1;
		if (len > b->ncode - pc)
			return vfail(v, pc, "instruction runs past the end");
		if (bc_ops[op].kind == OPK_NONE && BC_A(b->code[pc]) != 0)
			return vfail(v, pc, "%s takes no operand", bc_ops[op].name);
		v->start[pc] = true;
		pc += len;
	}
	return 0;
}

static int flow_to(struct vctx *v, uint32_t from, uint32_t to, int32_t depth)
{
	if (to >= v->b->ncode || !v->start[to])
		return vfail(v, from, "jump to %" PRIu32 " is not an instruction", to);
	if (v->depth[to] < 0) {
		v->depth[to] = depth;
		v->work[v->nwork++] = to;
		return 0;
	}
	if (v->depth[to] != depth)
		return vfail(v, from, "stack depth %" PRId32 " meets %" PRId32 " at %" PRIu32, depth,
			     v->depth[to], to);
	return 0;
}

/* Statements are told by number: INCLUDE and everything after it (and
 * HALT, which ends a policy block). So the statement opcodes must stay the
 * last ones of opcode_list.h. The assertion lists them: twenty distinct
 * opcodes at or after INCLUDE fill [INCLUDE, OP__COUNT) exactly, so a
 * reorder that moves one out, or any other opcode in, fails to compile. */
#define STMT_AT_END(op) ((op) >= OP_INCLUDE)
_Static_assert(STMT_AT_END(OP_INCLUDE) && STMT_AT_END(OP_INCLUDEV) && STMT_AT_END(OP_BASE) &&
		       STMT_AT_END(OP_BASEV) && STMT_AT_END(OP_EXCLUDE) && STMT_AT_END(OP_PLATFORM) &&
		       STMT_AT_END(OP_FROM) && STMT_AT_END(OP_CFG) && STMT_AT_END(OP_CFGKV) &&
		       STMT_AT_END(OP_CFGKEY) && STMT_AT_END(OP_FILE) && STMT_AT_END(OP_DENY) &&
		       STMT_AT_END(OP_WARN) && STMT_AT_END(OP_ADMIT) && STMT_AT_END(OP_DENYM) &&
		       STMT_AT_END(OP_WARNM) && STMT_AT_END(OP_GROUP) && STMT_AT_END(OP_ACCOUNT) &&
		       STMT_AT_END(OP_DIRECTORY) && STMT_AT_END(OP_MARK) && OP__COUNT - OP_INCLUDE == 20,
	       "the statement opcodes must be the last ones of opcode_list.h, and only they");

static bool is_statement(enum bc_op op)
{
	return op >= OP_INCLUDE || op == OP_HALT;
}

static int check_config(struct vctx *v, uint32_t pc, enum bc_op op, uint32_t a)
{
	bool ok;

	switch (op) {
	case OP_CFG:
		ok = a == BC_CFG_ENTRYPOINT || a == BC_CFG_CMD || a == BC_CFG_USER || a == BC_CFG_WORKDIR ||
		     a == BC_CFG_STOPSIGNAL;
		break;
	case OP_CFGKV:
		ok = a == BC_CFG_ENV || a == BC_CFG_LABEL || a == BC_CFG_ANNOTATION;
		break;
	default:
		ok = a == BC_CFG_EXPOSE || a == BC_CFG_VOLUME;
		break;
	}
	return ok ? 0 : vfail(v, pc, "%s with config key %" PRIu32, bc_ops[op].name, a);
}

static int check_closure(struct vctx *v, uint32_t pc, enum bc_op op, uint32_t a)
{
	const struct bc_block *c;
	enum bc_block_kind want = op == OP_ADMIT ? BC_ADMIT : BC_CHECK;

	if (a >= v->p->nblocks || a == v->bi)
		return vfail(v, pc, "closure of block %" PRIu32, a);
	c = &v->p->blocks[a];
	if (c->kind != want)
		return vfail(v, pc, "%s of a block of the wrong kind", bc_ops[op].name);
	for (uint32_t k = 0; k < c->ncaptures; k++)
		if (c->captures[k] >= v->b->nlocals)
			return vfail(v, pc, "block %" PRIu32 " captures slot %" PRIu32 " of %" PRIu32, a,
				     c->captures[k], v->b->nlocals);
	return 0;
}

/* Operand checks; *in is set for the variable-input opcodes. */
static int check_operand(struct vctx *v, uint32_t pc, enum bc_op op, int32_t depth, int *in)
{
	struct bc_block *b = v->b;
	uint32_t a = BC_A(b->code[pc]);
	const struct value *k;

	*in = bc_ops[op].in;
	switch (bc_ops[op].kind) {
	case OPK_K:
		if (a >= v->p->nconsts)
			return vfail(v, pc, "constant %" PRIu32 " of %zu", a, v->p->nconsts);
		k = &v->p->consts[a];
		if ((op == OP_FIELD || op == OP_INFIELD) && (k->type != VAL_STR || strlen(k->u.s) != k->len))
			return vfail(v, pc, "field name is not a string");
		return 0;
	case OPK_J:
		return 0; /* checked by flow_to */
	case OPK_S:
		if (a >= b->nlocals || (op == OP_FORPREP && a + 1 >= b->nlocals))
			return vfail(v, pc, "slot %" PRIu32 " of %" PRIu32, a, b->nlocals);
		return 0;
	case OPK_SJ:
		if (a + 2 >= b->nlocals || a + 2 < a)
			return vfail(v, pc, "slot %" PRIu32 " of %" PRIu32, a, b->nlocals);
		return 0;
	case OPK_F:
		if (a >= BI__COUNT)
			return vfail(v, pc, "unknown builtin %" PRIu32, a);
		*in = (int)builtin_table[a].arity;
		return 0;
	case OPK_C:
		return check_closure(v, pc, op, a);
	case OPK_N:
		if (op == OP_MKLIST) {
			if ((int64_t)a > depth)
				return vfail(v, pc, "list of %" PRIu32 " values from a stack of %" PRId32, a,
					     depth);
			*in = (int)a;
		} else if (op == OP_MKREC) {
			if (2 * (int64_t)a > depth)
				return vfail(v, pc, "record of %" PRIu32 " members from a stack of %" PRId32,
					     a, depth);
			*in = (int)(2 * a);
		} else if (op == OP_INCLUDEV || op == OP_BASEV) {
			if (!bc_cmp_name(a))
				return vfail(v, pc, "bad comparison %" PRIu32, a);
		} else if (op == OP_FILE || op == OP_DIRECTORY) {
			if (a > 07777)
				return vfail(v, pc, "bad file mode %" PRIo32, a);
		} else {
			return check_config(v, pc, op, a);
		}
		return 0;
	default:
		return 0;
	}
}

static int check_placement(struct vctx *v, uint32_t pc, enum bc_op op)
{
	bool policy = v->b->kind == BC_POLICY;

	if (is_statement(op) && !policy)
		return vfail(v, pc, "%s outside a policy block", bc_ops[op].name);
	if ((op == OP_RET || op == OP_SELECTED) && policy)
		return vfail(v, pc, "%s in a policy block", bc_ops[op].name);
	if (op == OP_SELECTED)
		v->b->reads_selected = true;
	return 0;
}

static int step(struct vctx *v, uint32_t pc)
{
	struct bc_block *b = v->b;
	enum bc_op op = BC_OP(b->code[pc]);
	int32_t depth = v->depth[pc], nd;
	uint32_t a = BC_A(b->code[pc]);
	int in;

	if (check_placement(v, pc, op) < 0 || check_operand(v, pc, op, depth, &in) < 0)
		return -1;
	if (depth < in)
		return vfail(v, pc, "%s needs %d values, the stack holds %" PRId32, bc_ops[op].name, in,
			     depth);
	nd = depth - in + bc_ops[op].out;
	if ((uint32_t)nd > BC_MAXSTACK)
		return vfail(v, pc, "stack deeper than %u", BC_MAXSTACK);
	if ((uint32_t)nd > b->maxstack)
		b->maxstack = (uint32_t)nd;
	switch (op) {
	case OP_RET:
		return depth == 1 ? 0 : vfail(v, pc, "RET with %" PRId32 " values on the stack", depth);
	case OP_HALT:
		return 0;
	case OP_JMP:
		return flow_to(v, pc, a, nd);
	case OP_JF:
	case OP_JT:
		if (flow_to(v, pc, a, nd) < 0)
			return -1;
		break;
	case OP_JNN:
		if (a <= pc)
			return vfail(v, pc, "backward JNN");
		/* fall through */
	case OP_JFK:
	case OP_JTK:
		if (flow_to(v, pc, a, depth) < 0)
			return -1;
		break;
	case OP_FORNEXT:
		if (b->code[pc + 1] <= pc)
			return vfail(v, pc, "backward loop exit");
		if (flow_to(v, pc, b->code[pc + 1], nd) < 0)
			return -1;
		return flow_to(v, pc, pc + 2, nd);
	default:
		break;
	}
	if (pc + 1 >= b->ncode)
		return vfail(v, pc, "control falls off the end of the block");
	return flow_to(v, pc, pc + 1, nd);
}

static int verify_block(struct vctx *v)
{
	struct bc_block *b = v->b;
	int rc = -1;

	if (b->ncode == 0)
		return vfail(v, 0, "empty block");
	if (b->ncode > BC_AMAX)
		return vfail(v, 0, "block too long");
	if (b->nlocals > BC_MAXLOCALS)
		return vfail(v, 0, "%" PRIu32 " locals", b->nlocals);
	if (b->ncaptures + (b->kind == BC_ADMIT) > b->nlocals)
		return vfail(v, 0, "captures do not fit in the locals");
	if (b->kind == BC_POLICY && b->ncaptures)
		return vfail(v, 0, "a policy block captures nothing");
	v->depth = xmalloc(b->ncode * sizeof(*v->depth));
	v->start = xcalloc(b->ncode, sizeof(*v->start));
	v->work = xmalloc(b->ncode * sizeof(*v->work));
	v->nwork = 0;
	for (uint32_t i = 0; i < b->ncode; i++)
		v->depth[i] = -1;
	b->maxstack = 0;
	b->reads_selected = false;
	if (decode_starts(v) < 0)
		goto out;
	v->depth[0] = 0;
	v->work[v->nwork++] = 0;
	while (v->nwork)
		if (step(v, v->work[--v->nwork]) < 0)
			goto out;
	rc = 0;
out:
	free(v->depth);
	free(v->start);
	free(v->work);
	return rc;
}

int bc_verify_block(struct bc_program *p, size_t i, const char *path, struct diag *d)
{
	struct vctx v = {.p = p, .path = path, .d = d, .bi = i, .b = &p->blocks[i]};

	if (verify_block(&v) < 0)
		return -1;
	if (v.b->nlocals > p->maxlocals)
		p->maxlocals = v.b->nlocals;
	if (v.b->maxstack > p->maxstack)
		p->maxstack = v.b->maxstack;
	return 0;
}

int bc_verify(struct bc_program *p, const char *path, struct diag *d)
{
	int rc = 0;

	for (size_t i = 0; i < p->npolicies; i++)
		if (p->policies[i].block >= p->nblocks || p->blocks[p->policies[i].block].kind != BC_POLICY) {
			diag_file_error(d, path, 0, 0, "bytecode",
					"invalid bytecode: policy '%s' has no policy block",
					p->policies[i].name);
			rc = -1;
		}
	p->maxlocals = p->maxstack = 0;
	for (size_t i = 0; i < p->nblocks; i++) {
		if (p->blocks[i].kind == BC_EXPR) {
			diag_file_error(d, path, 0, 0, "bytecode",
					"invalid bytecode: block %zu: expression block in a module", i);
			rc = -1;
			continue;
		}
		if (bc_verify_block(p, i, path, d) < 0)
			rc = -1;
	}
	return rc;
}
