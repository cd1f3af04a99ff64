/* vm.h - the evaluator: runs a verified bc_program against a request.
 *
 * A struct vm is reusable and owns an arena that is reset at the start of
 * every evaluation, so repeated decisions allocate nothing from the heap
 * once warm (the struct decision they fill is the exception: it owns
 * malloc'd strings and JSON by design). Errors are reported to the diag as
 * "FILE:LINE:COL: error: ..." from the program's line table, with rule
 * "runtime"; the function then returns -1 (fail closed).
 */
#ifndef CPOLC_VM_H
#define CPOLC_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "bc.h"
#include "decision.h"
#include "diag.h"
#include "value.h"

struct vm;
struct cat_prim;

struct vm *vm_new(void);
void vm_free(struct vm *vm);

/* Bytecode from a file may loop or grow values without end (source never
 * does, but it can be built to need a lot). Each evaluation of a block
 * stops with a runtime error after max_steps steps (a backward jump costs
 * the instructions of the loop body it closes) or once its values take
 * max_bytes. */
#define VM_MAX_STEPS (1u << 24)
#define VM_MAX_BYTES ((size_t)64 << 20)
void vm_set_limits(struct vm *vm, uint64_t max_steps, size_t max_bytes);

/* The index of policy `name` in p->policies; NULL: the only policy. Reports
 * an error listing the policies (and returns -1) when there is no such
 * policy, or several and none named. */
int vm_find_policy(const struct bc_program *p, const char *name, struct diag *d);

/* Selection phase: run policy `name` (NULL: the only policy) against request
 * (a JSON object, borrowed; NULL means {}). Fills dec: policy, platform
 * (default "linux/amd64"), from, requests, excludes, config (keys in the
 * order Entrypoint Cmd Env User WorkingDir Labels ExposedPorts Volumes
 * StopSignal, only keys set; Env "K=V" in statement order, a later same
 * name replacing the earlier value in place; Labels/ExposedPorts/Volumes
 * with sorted keys), annotations (sorted), files (sha256 digest, mode
 * default 0644; a later file at the same path replaces the earlier one in
 * place), and dec->vmstate: the recorded deny/warn/admit closures with
 * copies of their captured values. dec->vmstate keeps a reference to the
 * request and borrows p: p must outlive dec. Returns 0, or -1 after
 * reporting a located runtime error. */
int vm_select(struct vm *vm, const struct bc_program *p, const char *name, const json_t *request,
	      struct decision *dec, struct diag *d);

/* Run every recorded admit filter on candidate `cand` (its record is
 * cat_prim_record(cand)). *ok is false when one rejects it, and *failed_at
 * is then the "FILE:LINE:COL" (owned by dec) of the first that did. */
int vm_admit(struct vm *vm, struct decision *dec, const struct cat_prim *cand, bool *ok,
	     const char **failed_at, struct diag *d);

/* cpolc explain: which recorded admit filter of dec a *failed_at of
 * vm_admit names (not only where: a filter in a loop is recorded once per
 * iteration), with *block its block; SIZE_MAX (and UINT32_MAX) for none. */
size_t vm_admit_which(const struct decision *dec, const char *failed_at, uint32_t *block);
/* cpolc explain: evaluate block `block` of dec's program, a part of that
 * filter (comp_load_parts), with the filter's locals: the values it
 * captured, then cand's record. One evaluation under the VM's bounds, as
 * the filter's own. *out lives until the next call on vm. */
int vm_admit_part(struct vm *vm, struct decision *dec, const struct cat_prim *cand, size_t which,
		  uint32_t block, struct value *out, struct diag *d);

/* Run the recorded deny/warn checks, in statement order, once. With
 * have_selected, `selected` is the records of dec->selected in order;
 * without, checks whose condition reads `selected` go to dec->pending
 * instead. Appends to dec->denials, dec->warnings and dec->pending. */
int vm_check(struct vm *vm, struct decision *dec, bool have_selected, struct diag *d);

/* ---- lower level: the allocation-free core (bench, compiler) ------------ */

/* Selection into the VM's own storage only (no struct decision). */
int vm_run(struct vm *vm, const struct bc_program *p, int policy, const json_t *request, struct diag *d);
/* The checks recorded by the last vm_run, without `selected`: counts of
 * denials and warnings that hold and of checks left pending. */
int vm_run_checks(struct vm *vm, const struct bc_program *p, size_t *ndenied, size_t *nwarned,
		  size_t *npending, struct diag *d);
/* Evaluate a verified BC_EXPR block whose first nargs slots (its
 * captures) hold args (cpolc test: the decision). *out lives until the
 * next call on vm. */
int vm_eval_block(struct vm *vm, const struct bc_program *p, uint32_t block, const struct value *args,
		  uint32_t nargs, struct value *out, struct diag *d);
/* Statement coverage (cpolc test --coverage): while set, every MARK the
 * policy block runs at pc < ncode sets hit[pc]; NULL stops it. A program
 * has MARKs only when compiled for coverage (comp_test_program). */
void vm_trace(struct vm *vm, uint8_t *hit, size_t ncode);
/* Evaluate a verified BC_EXPR block with no input (constant folding). *out
 * lives until the next call on vm. */
int vm_eval_expr(struct vm *vm, const struct bc_program *p, uint32_t block, struct value *out,
		 struct diag *d);

#endif
