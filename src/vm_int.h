/* vm_int.h - what src/vm.c and src/vm_decision.c share; not an interface. */
#ifndef CPOLC_VM_INT_H
#define CPOLC_VM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "bc.h"
#include "decision.h"
#include "diag.h"
#include "value.h"

struct vm_req {
	struct value name, constraint;
	uint32_t cmp; /* 0: none */
	bool base;
	uint32_t pc;
};

struct vm_named {
	struct value name;
	uint32_t pc;
};

struct vm_cfgop {
	uint32_t cfg;
	struct value key, val;
	uint32_t pc;
};

struct vm_file {
	struct value path, data;
	uint32_t mode, pc;
};

/* account (v: name uid gid comment home shell), group (name gid),
 * directory (path owner; mode). */
struct vm_decl {
	uint8_t op; /* OP_ACCOUNT, OP_GROUP, OP_DIRECTORY */
	struct value v[6];
	uint32_t mode, pc;
};

struct vm_closure {
	uint8_t op;	     /* OP_DENY, OP_WARN (also for DENYM, WARNM), OP_ADMIT */
	bool reads_selected; /* its block's, kept here for the check loops */
	bool dyn;	     /* DENYM/WARNM: the block returns the message or null;
			      * msg is the text shown while the check is pending */
	uint32_t block;	     /* the condition's code */
	uint32_t pc;	     /* the recording instruction in the policy block */
	struct value msg;
	struct value *caps;
	const char *at; /* set once copied into a decision */
};

#define VEC(T, name)                                                                                         \
	T *name;                                                                                             \
	size_t n##name, cap##name

/* One remembered field read per field-name constant: FIELD k on the same
 * record in the same evaluation (gen) gives the same value, without
 * hashing the name again. Values may live in the arena, so every arena
 * reset starts a new generation. */
struct vm_fcache {
	const json_t *obj;
	uint32_t gen, flags;
	struct value v;
};

struct vm {
	struct arena arena;
	uint64_t max_steps; /* steps per evaluation (val_ctx): loop iterations and work */
	size_t max_bytes;   /* arena bytes (and recorded statements) per evaluation */
	struct val_ctx vc;  /* the budget value operations draw on */
	/* A statement recorded past the bytes (vec_push, record_closure) sets
	 * over and keeps nothing; the run fails at its end, located at over_pc.
	 * The common record pays no check. */
	bool over;
	uint32_t over_pc;
	uint8_t *trace; /* vm_trace: MARKs reached, ntrace of them */
	size_t ntrace;
	union {
		struct vm_req req;
		struct vm_named named;
		struct vm_cfgop cfg;
		struct vm_file file;
		struct vm_decl decl;
		struct vm_closure closure;
	} scratch;
	struct vm_fcache *fcache;
	size_t capfcache;
	uint32_t gen;
	struct value *stack, *locals;
	size_t capstack, caplocals;
	uint8_t *hold; /* results of a batch of checks (struct vm_batch) */
	size_t caphold;
	struct value *msgs; /* the messages of the dyn checks of a batch that fired */
	size_t capmsgs;
	struct value input, selected;
	bool have_selected;

	/* results of the last selection, in the arena */
	const struct bc_program *prog;
	uint32_t pblock;
	struct vm_named platform, from;
	VEC(struct vm_req, reqs);
	VEC(struct vm_named, excls);
	VEC(struct vm_cfgop, cfgs);
	VEC(struct vm_file, files);
	VEC(struct vm_closure, closures);
	VEC(struct vm_decl, decls);
};

/* What a decision keeps of the selection (dec->vmstate). */
struct vm_state {
	const struct bc_program *prog;
	json_t *request;
	struct arena mem;
	struct vm_closure *closures;
	size_t nclosures;
};

/* Report a runtime error at pc of block b; always returns -1. */
int vm_fail(const struct bc_program *p, const struct bc_block *b, uint32_t pc, struct diag *d,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A malloc'd, NUL-terminated copy of string value v. */
char *vm_strdup(const struct value *v);

/* Fill dec from the selection vm just ran (vm_decision.c): the requests and
 * excludes, the config, the files, and the recorded checks with copies of
 * their captured values (within the evaluation's budget). 0, or -1 after
 * reporting. */
int vm_fill_decision(struct vm *vm, const json_t *request, struct decision *dec, struct diag *d);

#endif
