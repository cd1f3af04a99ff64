/* ast.h - the syntax tree of a .cpol module.
 *
 * One node type for every form. Which fields a kind uses is listed beside the
 * kind; unused fields are zero. Every node carries its source range. A node
 * owns its children, strings and lists; the nodes of a tree are allocated
 * from a pool that its AST_MODULE root owns (parsing makes thousands of
 * nodes, and freeing them one by one cost a quarter of `cpolc lint`).
 * The fields after "filled by sema" are written by semantic analysis and are
 * borrowed pointers into the same program's trees.
 */
#ifndef CPOLC_AST_H
#define CPOLC_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

enum ast_kind {
	/* expressions */
	AST_NULL,     /* null */
	AST_BOOL,     /* num: 0 or 1 */
	AST_INT,      /* num; a literal -N is folded into one AST_INT. op 1 marks
		       * the unnegated literal 9223372036854775808 (an
		       * overflow error reported by sema; num holds INT64_MIN) */
	AST_STRING,   /* str, len (may hold NUL bytes after \0 escapes) */
	AST_NAME,     /* str: identifier; ref after sema */
	AST_INPUT,    /* input */
	AST_SELECTED, /* selected */
	AST_LIST,     /* kids: elements */
	AST_COMP,     /* [a for str in b if c]: a element, str binder, b iterable, c filter/NULL */
	AST_FIELD,    /* a.str */
	AST_INDEX,    /* a[b] */
	AST_CALL,     /* str(kids...): builtin name; num: builtin id after sema */
	AST_UNARY,    /* op a: op is AST_OP_NOT or AST_OP_NEG */
	AST_BINARY,   /* a op b */
	AST_QUANT,    /* any/all str in a : b   (op AST_OP_ANY or AST_OP_ALL) */
	AST_RECORD,   /* {kids...}: AST_MEMBER nodes in source order */
	AST_MEMBER,   /* "str": a, a member of a record literal */

	/* statements */
	AST_INCLUDE,   /* include str [op a]; op is 0 or a comparison op */
	AST_EXCLUDE,   /* exclude str */
	AST_ADMIT,     /* admit str if a */
	AST_USE,       /* use a(kids...); a is AST_NAME or AST_FIELD(alias, name); ref after sema */
	AST_LET,       /* let str = a */
	AST_IF,	       /* if a { kids } else b: b NULL, an AST_IF (else if) or AST_BLOCK */
	AST_BLOCK,     /* { kids } (else branch) */
	AST_DENY,      /* deny str [when a]; a NULL means true; a message that
			* is not a string literal is the expression b (str NULL) */
	AST_WARN,      /* warn str [when a], or warn b [when a] */
	AST_PLATFORM,  /* platform str */
	AST_BASE,      /* base str [op a] */
	AST_FROM,      /* from str */
	AST_CONFIG,    /* op: enum ast_config; str: key for env/label/annotation/expose/volume
			* (NULL otherwise); a: value expression (NULL for expose/volume) */
	AST_FILE,      /* file str = a [mode num]; has_mode tells whether mode was given */
	AST_ACCOUNT,   /* account str attrs: kids AST_ATTR (uid gid home shell comment) */
	AST_GROUP,     /* group str attrs: kids AST_ATTR (gid) */
	AST_DIRECTORY, /* directory str attrs: kids AST_ATTR (mode special owner) */
	AST_ATTR,      /* str a: an attribute word and its literal (a NULL for a word alone) */

	/* declarations */
	AST_IMPORT,   /* import str [as alias] */
	AST_CONST,    /* const str = a */
	AST_FRAGMENT, /* fragment str (params) { kids }; params: AST_PARAM nodes */
	AST_PARAM,    /* str: parameter name */
	AST_POLICY,   /* policy str { kids } */
	AST_MODULE,   /* kids: declarations */
	AST_TEST,     /* test str [for alias] { kids }: AST_REQUEST and AST_EXPECT */
	AST_REQUEST,  /* request a (in a test) */
	AST_EXPECT,   /* expect a (in a test) */
	AST_SCHEMA,   /* input { kids }: AST_SFIELD nodes */
	AST_SFIELD,   /* str: a (AST_STYPE) [? when op is 1] [= b] */
	AST_STYPE,    /* op enum ast_stype: NAMED str, LIST of a, RECORD of kids
		       * (AST_SFIELD), UNION of kids (literals) */
	AST_ERROR,    /* placeholder left by parser error recovery */
};

enum ast_op {
	AST_OP_NONE = 0,
	AST_OP_EQ,
	AST_OP_NE,
	AST_OP_LT,
	AST_OP_LE,
	AST_OP_GT,
	AST_OP_GE,
	AST_OP_IN,
	AST_OP_NOTIN,
	AST_OP_ADD,
	AST_OP_SUB,
	AST_OP_MUL,
	AST_OP_DIV,
	AST_OP_MOD,
	AST_OP_AND,
	AST_OP_OR,
	AST_OP_COALESCE,
	AST_OP_NOT,
	AST_OP_NEG,
	AST_OP_ANY,
	AST_OP_ALL,
};

enum ast_stype { AST_STYPE_NAMED = 1, AST_STYPE_LIST, AST_STYPE_RECORD, AST_STYPE_UNION };

enum ast_config {
	CFG_ENTRYPOINT = 1,
	CFG_CMD,
	CFG_ENV,
	CFG_USER,
	CFG_WORKDIR,
	CFG_LABEL,
	CFG_ANNOTATION,
	CFG_EXPOSE,
	CFG_VOLUME,
	CFG_STOPSIGNAL,
};

struct ast;
struct ast_pool;

/* n and cap fit 32 bits: a source has at most PARSE_MAX_BYTES (256 MiB),
 * and every item of a list takes at least one byte of it. */
struct ast_list {
	struct ast **v;
	uint32_t n, cap;
};

/* What sema_fold knows of the value of a let or const, kept once its
 * expression is checked (struct ast's fold). */
struct ast_fold {
	uint8_t type; /* enum sema_type */
	bool known;
	int64_t i;
	const char *s;
	size_t len;
};

/* The fields are ordered so that the small ones share words, and the rare
 * ones are out of line: a 2,000-line policy has some 11,000 nodes, so each
 * 8 bytes of a node are 21 more pages to fault in (bench/notes.md). */
struct ast {
	enum ast_kind kind;
	int op;		    /* enum ast_op, or enum ast_config for AST_CONFIG */
	struct loc loc;	    /* whole node */
	struct loc nameloc; /* the name/string operand, where it has one */
	uint32_t depth;	    /* parser: height of this subtree (1 for a leaf) */
	int used;	    /* sema, AST_LET/AST_CONST/AST_IMPORT: number of references;
			     * AST_FRAGMENT: number of `use` statements */
	bool has_mode;
	bool reads_input;    /* sema: expression mentions input (directly or via a name) */
	bool reads_selected; /* sema: expression mentions selected */
	/* sema, AST_LET/AST_CONST: fold_ready once the expression is checked;
	 * fold_state 0 not folded, 1 folding, 2 kept in *fold, so that a chain
	 * of lets folds in linear time */
	bool fold_ready;
	uint8_t fold_state;
	char *str;   /* owned; NUL-terminated */
	size_t len;  /* bytes in str */
	char *alias; /* AST_IMPORT: the `as` name; AST_TEST: the `for` policy; or NULL */
	int64_t num;
	struct ast *a, *b, *c;
	struct ast_list kids;
	struct ast_list params;
	struct ast_pool *pool; /* a root: the pool of its tree's nodes; else NULL */

	/* filled by sema */
	struct ast *ref;       /* AST_NAME: the binding node (AST_LET, AST_CONST,
				* AST_PARAM, AST_COMP, AST_QUANT, AST_ADMIT);
				* AST_USE: the AST_FRAGMENT;
				* AST_IMPORT: the imported AST_MODULE (set by the
				* loader; NULL when the import failed) */
	struct module *mod;    /* declarations: the module that holds them */
	struct ast_fold *fold; /* fold_state 2: owned */
};

/* A new AST_MODULE node, the root of a tree: it owns the pool that every
 * node of its tree is allocated from. */
struct ast *ast_new_root(struct loc loc);
/* A new zeroed node of the tree rooted at root (an ast_new_root node). */
struct ast *ast_new(struct ast *root, enum ast_kind kind, struct loc loc);
/* Release a subtree's strings and lists. A node's memory goes back with its
 * root's pool, so ast_free of the root frees the whole tree and the pool;
 * after ast_free of any node, no node of that subtree may be used. */
void ast_free(struct ast *n);
void ast_list_push(struct ast_list *l, struct ast *n);
/* ast_free every node of the list and free the array; the list is left empty. */
void ast_list_release(struct ast_list *l);
/* A short name of a kind or operator for messages and dumps ("include", "&&"). */
const char *ast_kind_name(enum ast_kind kind);
const char *ast_op_name(int op);
const char *ast_config_name(int cfg);
/* A one-line S-expression of a tree, for tests and debugging:
 * `(+ 1 (* a 2))`, `(include "openssl" >= "3.0")`. Caller frees. */
char *ast_dump(const struct ast *n);

#endif
