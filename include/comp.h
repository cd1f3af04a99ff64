/* comp.h - the compiler: a checked program's AST to a bc_program.
 *
 * Each policy becomes one block. Fragments are expanded inline at `use`
 * with their arguments bound to fresh local slots, so only what a compiled
 * policy uses is compiled. `const`s are folded at compile time by running
 * their expression once in the VM, and become constants. Every deny/warn
 * condition and admit filter becomes a block of its own that captures the
 * values of the let/param names it references when the statement is
 * reached. Every instruction carries FILE:LINE:COL in the line table.
 */
#ifndef CPOLC_COMP_H
#define CPOLC_COMP_H

#include "bc.h"
#include "diag.h"
#include "module.h"

/* Compile the policies of p's main module: only the one named `only`, or
 * all when only is NULL. p must have loaded without errors (sema filled
 * the refs). Returns a verified program the caller frees with bc_free, or
 * NULL after reporting every error to d (p's source texts must be
 * registered with d). */
struct bc_program *comp_program(const struct program *p, const char *only, struct diag *d);

/* An expression a test runs (cpolc test): its value, or with as_text the
 * string() of a list of it, "[JSON]" (a request, the operands of a failed
 * expectation); binder is
 * the AST_TEST whose `decision` the expression reads (slot 0), or NULL. */
struct comp_expr {
	const struct ast *expr;
	const struct ast *binder;
	bool as_text;
};
/* The program of a module's tests: policy pol (from any module of p) as
 * comp_program compiles it, verified (so the policy's code is the code
 * eval runs), then each of xs[0..n) as a BC_EXPR block of its own, its
 * index in blocks[i], run with vm_eval_block. With marks, a MARK starts
 * each statement of the policy (vm_trace). NULL after reporting. */
struct bc_program *comp_test_program(const struct program *p, const struct ast *pol,
				     const struct comp_expr *xs, size_t n, uint32_t *blocks, bool marks,
				     struct diag *d);
/* cpolc explain: a conjunct of an admit filter (an operand of its `and`s,
 * or the whole condition), compiled into a BC_ADMIT block of its own with
 * the filter's locals (its captures, then the candidate), so that it runs
 * on the values the filter ran on (vm_admit_part): `block` gives its bool;
 * for a comparison, operand[0] and [1] give its operands as the text
 * "[JSON]", else they are UINT32_MAX. loc and oloc are the source's. */
struct comp_part {
	uint32_t filter; /* the filter's block */
	uint32_t block, operand[2];
	struct loc loc, oloc[2];
};
struct comp_parts {
	struct comp_part *v; /* by filter (blocks in increasing order), then
			      * its conjuncts left to right */
	size_t n, cap;
};
/* Load what build/eval/graph/disasm are given: a .cpolb module (told by its
 * magic, not its name) is read and verified; anything else is loaded as
 * .cpol source with its imports (opts may be NULL) and compiled, only
 * policy `only` when not NULL (a module keeps every policy it holds).
 * Returns NULL after reporting to d. */
struct bc_program *comp_load(const char *path, const char *only, const struct program_opts *opts,
			     struct diag *d);
/* comp_load, and for a source, the parts of its admit filters added to
 * *parts (not for a .cpolb module, which has no source). The parts are
 * compiled only here, never for a build. */
struct bc_program *comp_load_parts(const char *path, const char *only, const struct program_opts *opts,
				   struct comp_parts *parts, struct diag *d);

#endif
