/* bc.h - compiled programs: in memory, as .cpolb files, verified, disassembled.
 *
 * A struct bc_program owns everything it points to. It comes from the
 * compiler (comp_program) or from bc_load, which verifies an untrusted file
 * before returning it. The VM only ever runs verified programs.
 *
 * File format (all integers little-endian):
 *   magic "\x7f" "CPOLB\r\n" (8 bytes), u32 format version (BC_FORMAT)
 *   u32 nfiles,  per file:   str path, str sha256 hex digest
 *   u32 nconsts, per const:  u8 type, then int: i64 | str/ver: str |
 *                            list: u32 n, n x u32 index of an earlier constant |
 *                            record: u32 n, n x (u32 key, u32 value) indices of
 *                            earlier constants, keys strings in bytewise order
 *   u32 npolicies, per policy: str name, u32 block
 *   u32 nblocks, per block:  u8 kind, u32 nlocals, u32 ncaptures,
 *                            ncaptures x u32 slot (in the closing block),
 *                            u32 ncode, ncode x u32 word,
 *                            ncode x (u32 file, u32 line, u32 col)
 *   str input schema: its JSON (schema.h), sorted keys; empty for none
 * where str is u32 length + bytes. Nothing may follow the schema.
 */
#ifndef CPOLC_BC_H
#define CPOLC_BC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "util.h"
#include "value.h"

/* The format version. Bump it whenever a module of the previous format would
 * be read differently: an opcode renumbered or changed (opcode_list.h says
 * what is part of the format), or the layout above changed.
 * 2: ITER and ANYEQK inserted before RET.
 * 3: MKREC (record literals) before INCLUDE; DENYM and WARNM (messages
 *    computed when a check fires) appended; record constants. */
#define BC_FORMAT 3
#define BC_MAGIC                                                                                             \
	"\x7f"                                                                                               \
	"CPOLB\r\n"
#define BC_MAGIC_LEN 8

enum bc_op {
#define OP(name, kind, in, out, doc) OP_##name,
#include "opcode_list.h"
#undef OP
	OP__COUNT
};

enum bc_opkind { OPK_NONE, OPK_K, OPK_J, OPK_S, OPK_N, OPK_F, OPK_C, OPK_SJ };

struct bc_opinfo {
	const char *name;
	enum bc_opkind kind;
	int in, out;
	const char *doc;
};
extern const struct bc_opinfo bc_ops[OP__COUNT];

#define BC_OP(w)       ((enum bc_op)((w)&0xffu))
#define BC_A(w)	       ((uint32_t)(w) >> 8)
#define BC_WORD(op, a) ((uint32_t)(op) | ((uint32_t)(a) << 8))
#define BC_AMAX	       0xffffffu

/* Comparison operators of INCLUDEV/BASEV (stable file encoding). */
enum bc_cmp { BC_CMP_EQ = 1, BC_CMP_NE, BC_CMP_LT, BC_CMP_LE, BC_CMP_GT, BC_CMP_GE };
const char *bc_cmp_name(uint32_t cmp);
/* Config keys of CFG/CFGKV/CFGKEY (stable file encoding). */
enum bc_cfg {
	BC_CFG_ENTRYPOINT = 1,
	BC_CFG_CMD,
	BC_CFG_ENV,
	BC_CFG_USER,
	BC_CFG_WORKDIR,
	BC_CFG_LABEL,
	BC_CFG_ANNOTATION,
	BC_CFG_EXPOSE,
	BC_CFG_VOLUME,
	BC_CFG_STOPSIGNAL,
};
const char *bc_cfg_name(uint32_t cfg);

enum bc_block_kind { BC_POLICY, BC_CHECK, BC_ADMIT, BC_EXPR };

struct bc_line {
	uint32_t file, line, col;
};

struct bc_block {
	enum bc_block_kind kind;
	uint32_t nlocals;
	uint32_t *captures; /* slots of the closing block, copied into 0..n-1 */
	uint32_t ncaptures;
	uint32_t *code;
	struct bc_line *lines; /* one per code word */
	uint32_t ncode, capcode;
	/* computed by the verifier (or the compiler): */
	uint32_t maxstack;
	bool reads_selected; /* contains SELECTED */
};

struct bc_file {
	char *path;
	char digest[65];
};

struct bc_policy {
	char *name;
	uint32_t block;
};

struct bc_program {
	struct bc_file *files;
	size_t nfiles, capfiles;
	struct value *consts; /* strings, versions and lists point into `mem` */
	size_t nconsts, capconsts;
	uint32_t **const_items; /* per constant: a list's items as constant indices, or NULL */
	uint32_t *khash;	/* open-addressed index of consts by content; UINT32_MAX empty */
	size_t khcap;
	struct bc_policy *policies;
	size_t npolicies, cappolicies;
	struct bc_block *blocks;
	size_t nblocks, capblocks;
	struct arena mem;	      /* constant payloads */
	uint32_t maxlocals, maxstack; /* over all blocks */
	bool from_module;	      /* comp_load read it from a .cpolb module */
	json_t *schema;		      /* the input schema (schema.h) of the policy's module, or NULL */
};

struct bc_program *bc_new(void);
void bc_free(struct bc_program *p);

/* What the verifier accepts of a block: its operand stack and its local
 * slots (the compiler reports a policy that needs more where it does). */
#define BC_MAXSTACK  4096u
#define BC_MAXLOCALS 65536u

/* Add a constant (deduplicated through a hash of its content, so that N
 * constants cost N, not N^2); strings are copied, and a list's items are
 * constants themselves, so that a list that shares its parts (a DAG) is
 * added in time linear in its distinct parts and stays shared. Returns 0
 * with *k its index, or -1 when v nests deeper than VAL_MAX_DEPTH or has
 * more than BC_MAX_CONSTS distinct parts. */
#define BC_MAX_CONSTS (1u << 20)
int bc_const_add(struct bc_program *p, const struct value *v, uint32_t *k);
/* bc_const_add of a value that is not a list (it cannot fail). */
uint32_t bc_const(struct bc_program *p, const struct value *v);
/* Add an empty block; returns its index. */
uint32_t bc_block_new(struct bc_program *p, enum bc_block_kind kind);
/* Append a word with its source position. Returns its index in the block. */
uint32_t bc_emit(struct bc_block *b, uint32_t word, struct bc_line line);

/* Does data start with the .cpolb magic? */
bool bc_is_module(const void *data, size_t len);
/* Serialize p into out (appended). */
void bc_save(const struct bc_program *p, struct strbuf *out);
/* Parse and verify a module read from `path` (named in messages). Returns
 * NULL after reporting every problem found to d. Caller frees the result. */
struct bc_program *bc_load(const void *data, size_t len, const char *path, struct diag *d);
/* Check every block of p: opcodes, operands, jump targets, constant
 * indices, local slots, closures and stack depth; fills maxstack and
 * reads_selected. Returns 0 or -1 with errors reported (path names p). */
int bc_verify(struct bc_program *p, const char *path, struct diag *d);
/* Verify block i alone (the compiler's constant folding runs BC_EXPR blocks). */
int bc_verify_block(struct bc_program *p, size_t i, const char *path, struct diag *d);

/* Print p readably. */
void bc_disasm(const struct bc_program *p, FILE *out);
/* Print the instruction set of opcode_list.h (cpolc disasm --opcodes): a
 * header line, then one line per opcode in number order: number, name,
 * operand kind, stack effect (values popped -> pushed; A: the operand,
 * arity: the builtin's) and its one-line description. */
void bc_print_opcodes(FILE *out);
/* "FILE:LINE:COL" of word pc of block b into buf. */
void bc_where(const struct bc_program *p, const struct bc_block *b, uint32_t pc, char *buf, size_t n);

#endif
