/* sema.h - semantic analysis of a loaded program, and the builtin table.
 *
 * sema_check resolves every name across modules, folds and checks consts,
 * checks where `selected` may appear, fragment arity and recursion,
 * duplicates, builtin names and arities, literal types of conditions and
 * integer literal overflow. It fills the "filled by sema" fields of
 * include/ast.h:
 *   AST_NAME   ref = the binding (AST_LET, AST_CONST, AST_PARAM, AST_COMP,
 *              AST_QUANT, AST_ADMIT). A reference to an imported module's
 *              const, written alias.NAME, is rewritten in place from
 *              AST_FIELD(AST_NAME alias, NAME) into AST_NAME NAME with ref set
 *              to the other module's AST_CONST.
 *   AST_USE    ref = the AST_FRAGMENT (local or alias.NAME).
 *   AST_CALL   num = enum sema_builtin.
 *   AST_IMPORT ref = the imported AST_MODULE (set by the loader); used.
 *   AST_LET/AST_CONST/AST_IMPORT used = number of references;
 *   AST_FRAGMENT used = number of `use` statements naming it.
 *   every expression: reads_input / reads_selected (through names too; a
 *   fragment parameter counts as reading input, since its argument may).
 * Consts may only use consts declared before them (so there are no const
 * cycles); a const that reads input or selected is an error.
 * Errors are added to d. Library code: nothing is printed.
 */
#ifndef CPOLC_SEMA_H
#define CPOLC_SEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"

struct program;

/* The builtins, in the order of doc/cpol.5, "BUILTINS". The
 * bytecode's CALL operand is enum builtin (value.h), not these ids. */
#define SEMA_BUILTINS(X)                                                                                     \
	X(LEN, "len", 1)                                                                                     \
	X(SUM, "sum", 1)                                                                                     \
	X(MIN, "min", 1)                                                                                     \
	X(MAX, "max", 1)                                                                                     \
	X(LOWER, "lower", 1)                                                                                 \
	X(UPPER, "upper", 1)                                                                                 \
	X(STARTSWITH, "startswith", 2)                                                                       \
	X(ENDSWITH, "endswith", 2)                                                                           \
	X(CONTAINS, "contains", 2)                                                                           \
	X(SPLIT, "split", 2)                                                                                 \
	X(JOIN, "join", 2)                                                                                   \
	X(GLOB, "glob", 2)                                                                                   \
	X(VERSION, "version", 1)                                                                             \
	X(STRING, "string", 1)                                                                               \
	X(HUMAN_SIZE, "human_size", 1)

enum sema_builtin {
#define X(id, name, arity) BUILTIN_##id,
	SEMA_BUILTINS(X)
#undef X
		BUILTIN_COUNT
};

struct sema_builtin_info {
	const char *name;
	int arity;
};
extern const struct sema_builtin_info sema_builtins[BUILTIN_COUNT];

/* Static knowledge about an expression's value: its type when known
 * (SV_UNKNOWN otherwise) and, when `known`, the value itself. */
enum sema_type { SV_UNKNOWN, SV_NULL, SV_BOOL, SV_INT, SV_STRING, SV_LIST, SV_VERSION, SV_RECORD };

struct sema_value {
	enum sema_type type;
	bool known;
	int64_t i;     /* SV_BOOL (0/1), SV_INT */
	const char *s; /* SV_STRING: borrowed from the tree, len bytes */
	size_t len;
};

/* Fold an expression of a checked tree as far as literals, consts and lets
 * allow. Never reports; integer overflow or division by zero just leave the
 * value unknown. */
void sema_fold(const struct ast *e, struct sema_value *v);
/* A name for messages: "bool", "integer", "string", ... */
const char *sema_type_name(enum sema_type t);

/* Look a builtin up by name: its id, or -1. */
int sema_builtin_lookup(const char *name);

/* Check every module of p (mods[0] and its imports). Returns the number of
 * errors added to d. */
int sema_check(struct program *p, struct diag *d);

#endif
