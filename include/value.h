/* value.h - runtime values of the policy language and the arena they live in.
 *
 * A value is 16 bytes, passed by value. Strings, versions and lists point
 * into an arena (or into a constant pool, or into a borrowed JSON tree);
 * records point at a borrowed jansson object. Nothing here owns heap memory
 * except the arena, which keeps its chunks across arena_reset so that a
 * decision after warm-up allocates nothing from the heap.
 *
 * Semantics are those of doc/cpol.5, "EXPRESSIONS". Operations that can
 * fail return -1 and leave a message in the struct val_err passed in (no
 * diag: the VM turns it into a located error).
 */
#ifndef CPOLC_VALUE_H
#define CPOLC_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

/* The numbers tag constants in .cpolb modules: append only (opcode_list.h). */
enum val_type {
	VAL_NULL,
	VAL_BOOL,
	VAL_INT,
	VAL_STR,
	VAL_VER,  /* a Debian version; text in s/len */
	VAL_LIST, /* items/len */
	VAL_REC,  /* rec; len = 1 for a primitive record (its `version` is a version) */
};

struct value {
	uint8_t type;  /* enum val_type */
	uint8_t flags; /* VAL_F_GROW: a list whose buffer val_list_append may extend */
	uint32_t len;  /* bytes of a string/version, items of a list, flags of a record */
	union {
		bool b;
		int64_t i;
		const char *s;		   /* NUL-terminated; may hold NULs before len */
		const struct value *items; /* len values */
		const json_t *rec;	   /* a JSON object, borrowed */
	} u;
};

#define VAL_REC_PRIM 1u
#define VAL_F_GROW   1u

static inline struct value val_null(void)
{
	return (struct value){.type = VAL_NULL};
}
static inline struct value val_bool(bool b)
{
	return (struct value){.type = VAL_BOOL, .u.b = b};
}
static inline struct value val_int(int64_t i)
{
	return (struct value){.type = VAL_INT, .u.i = i};
}
static inline struct value val_str(const char *s, size_t n)
{
	return (struct value){.type = VAL_STR, .len = (uint32_t)n, .u.s = s};
}
static inline struct value val_rec(const json_t *o, unsigned flags)
{
	return (struct value){.type = VAL_REC, .len = flags, .u.rec = o};
}

/* ---- arena -------------------------------------------------------------- */

struct arena_chunk;
struct arena {
	struct arena_chunk *head; /* every chunk, kept across resets */
	struct arena_chunk *cur;
	size_t used;  /* bytes used in cur */
	size_t total; /* bytes handed out since the last reset */
	size_t nchunks;
	unsigned char *next; /* cur's first free byte, `left` bytes before its end */
	size_t left;
};

/* Bounds on one value, so that a single operation cannot exhaust memory
 * (the VM bounds the total per evaluation). */
#define VAL_MAX_STR  (64u << 20) /* bytes */
#define VAL_MAX_LIST (4u << 20)	 /* items */

void arena_init(struct arena *a);
void arena_release(struct arena *a);
/* Forget every allocation; keep the chunks for reuse. */
void arena_reset(struct arena *a);
/* 16-byte aligned memory valid until the next reset. Never NULL. */
void *arena_alloc_slow(struct arena *a, size_t n);
static inline void *arena_alloc(struct arena *a, size_t n)
{
	/* inline when the current chunk has room: the VM allocates a few
	 * dozen small strings and lists per decision */
	size_t m = (n + 15) & ~(size_t)15;

	if (m && m <= a->left) {
		void *p = a->next;
		a->next += m;
		a->left -= m;
		a->used += m;
		a->total += m;
		return p;
	}
	return arena_alloc_slow(a, n);
}
/* A NUL-terminated copy of s[0..n). */
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* ---- errors ------------------------------------------------------------- */

struct val_err {
	char msg[160];
};
/* Record a message; always returns -1. */
int val_fail(struct val_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- operations --------------------------------------------------------- */

/* "null", "bool", "int", "string", "version", "list", "record". */
const char *val_type_name(const struct value *v);
/* The same with an article, for messages: "an int", "a list", "null". */
const char *val_a_type(const struct value *v);

/* Convert a JSON value to a value (arrays become arena lists). A JSON real
 * is an error here: the language has only integers. Requests are checked
 * when read (request_load); a catalog field holding 1.5 is reported where
 * it is used (fail closed). */
int val_from_json(struct arena *a, const json_t *j, struct value *out, struct val_err *e);

/* r.name, null-safe: a field of null or a missing field is null; a field of
 * anything else than a record or null is a type error. */
int val_field(struct arena *a, const struct value *r, const char *name, struct value *out, struct val_err *e);
/* a[i]: list by int (out of range: null), record by string, null: null. */
int val_index(struct arena *a, const struct value *x, const struct value *i, struct value *out,
	      struct val_err *e);

/* Structural equality (doc/cpol.5, "Value rules"): different types are
 * unequal, except version vs string which compare as versions. */
bool val_equal(const struct value *a, const struct value *b);
/* n bytes of x and y equal? Short strings (names, tags) byte by byte
 * rather than through a call of memcmp. */
static inline bool val_bytes_equal(const char *x, const char *y, size_t n)
{
	if (n > 16)
		return !memcmp(x, y, n);
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return false;
	return true;
}
/* The same, deciding the common cases (two ints, two strings) inline. */
static inline bool val_equal_fast(const struct value *a, const struct value *b)
{
	if (a->type == b->type) {
		if (a->type == VAL_INT)
			return a->u.i == b->u.i;
		if (a->type == VAL_STR)
			return a->len == b->len && val_bytes_equal(a->u.s, b->u.s, a->len);
	}
	return val_equal(a, b);
}
/* Ordering for < <= > >=: *res is <0, 0, >0; *isnull when either side is
 * null (every ordering is then false). Type error for other mixes. */
int val_order(const struct value *a, const struct value *b, int *res, bool *isnull, struct val_err *e);
/* x in c: list membership or record key; any other c is a type error. */
int val_in(const struct value *x, const struct value *c, bool *res, struct val_err *e);

/* Arithmetic, op one of '+' '-' '*' '/' '%'; overflow and division by zero
 * are errors. '+' also concatenates strings and lists into the arena. */
int val_arith(struct arena *a, int op, const struct value *x, const struct value *y, struct value *out,
	      struct val_err *e);

/* Append v to the list *l (grown in the arena). */
void val_list_append(struct arena *a, struct value *l, const struct value *v);

/* Deep copy of strings and lists into arena a (records stay borrowed). */
struct value val_copy(struct arena *a, const struct value *v);

/* The value as text for string(x) and messages: ints in decimal, strings as
 * is, lists and records as JSON. */
int val_to_text(struct arena *a, const struct value *v, struct value *out, struct val_err *e);

/* The value as a new JSON value (caller owns it). Versions become strings. */
json_t *val_to_json(const struct value *v);

/* ---- builtins ----------------------------------------------------------- */

/* A builtin's number is the operand of CALL in .cpolb modules: append only
 * (opcode_list.h). */
enum builtin {
	BI_LEN,
	BI_SUM,
	BI_MIN,
	BI_MAX,
	BI_LOWER,
	BI_UPPER,
	BI_STARTSWITH,
	BI_ENDSWITH,
	BI_CONTAINS,
	BI_SPLIT,
	BI_JOIN,
	BI_GLOB,
	BI_VERSION,
	BI_STRING,
	BI__COUNT
};

struct builtin_info {
	const char *name;
	unsigned arity;
};
extern const struct builtin_info builtin_table[BI__COUNT];
/* The builtin of that name, or -1. */
int builtin_lookup(const char *name);
/* Call builtin id on args[0..arity). */
int builtin_call(struct arena *a, int id, const struct value *args, struct value *out, struct val_err *e);

#endif
