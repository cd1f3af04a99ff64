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
	VAL_REC,  /* rec; len = 1 for a primitive record (its `version` is a version);
		   * a record literal (VAL_F_LIT) has len members in items */
};

struct value {
	uint8_t type;  /* enum val_type */
	uint8_t flags; /* VAL_F_GROW: a list whose buffer val_list_append may extend;
			* VAL_F_LIT: a record built by the policy */
	uint32_t len;  /* bytes of a string/version, items of a list, flags of a
			* record (members of a VAL_F_LIT record) */
	union {
		bool b;
		int64_t i;
		const char *s;		   /* NUL-terminated; may hold NULs before len */
		const struct value *items; /* len values; a VAL_F_LIT record: 2 * len,
					    * key and value, keys strings sorted
					    * bytewise, each once */
		const json_t *rec;	   /* a JSON object, borrowed */
	} u;
};

#define VAL_REC_PRIM 1u
#define VAL_F_GROW   1u
#define VAL_F_LIT    2u

/* Is v a record literal's value (members in the arena, not a JSON object)? */
static inline bool val_is_lit(const struct value *v)
{
	return v->type == VAL_REC && (v->flags & VAL_F_LIT);
}
/* The values v holds: a list's items, a record literal's keys and values. */
static inline uint32_t val_nparts(const struct value *v)
{
	return v->type == VAL_LIST ? v->len : val_is_lit(v) ? 2 * v->len : 0;
}

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
	unsigned char *next; /* cur's first free byte */
	size_t left;	     /* bytes free at next, within the limit too */
	size_t limit;	     /* most bytes handed out between resets; 0: none */
};

/* Bounds on one value, so that a single operation cannot exhaust memory
 * (the VM bounds the total per evaluation). */
#define VAL_MAX_STR   (64u << 20) /* bytes */
#define VAL_MAX_LIST  (4u << 20)  /* items */
#define VAL_MAX_DEPTH 1024u	  /* lists in lists, for ==, string() and copies */

void arena_init(struct arena *a);
void arena_release(struct arena *a);
/* Forget every allocation; keep the chunks for reuse. */
void arena_reset(struct arena *a);
/* Bound the bytes handed out between resets (0: no bound). */
void arena_set_limit(struct arena *a, size_t limit);
/* 16-byte aligned memory valid until the next reset. NULL only past the
 * arena's limit (never without one). The limit costs the inline path
 * nothing: `left` never reaches past it. */
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

/* ---- the budget of an evaluation ------------------------------------------ */

/* What operations on values may spend. Every operation charges `work`
 * before it does the work: one unit for every element (list item, record
 * member) it visits and one for every VAL_WORK_BYTES bytes it reads, at
 * least one in all; and everything it produces comes from the arena
 * through val_alloc, whose bytes (with `held`, bytes the caller keeps
 * elsewhere for the evaluation) may not pass max_bytes. An operation
 * that would overdraw either fails, with "evaluation took more than N
 * steps" or "evaluation needs more than N MiB" in err. The VM's loop
 * iterations draw on the same work. Builtins take their arguments' sizes
 * as work before they run (builtin_call), so a new builtin cannot forget
 * to pay for what it reads; deep walks (==, in, string(), copies) pay per
 * element as they go, which also bounds values that share their parts
 * (let a1 = [a0, a0]; ... a30 is 2^30 elements deep). */
#define VAL_WORK_BYTES 64u
struct val_ctx {
	struct arena *arena;
	uint64_t work;	   /* units left; 0 is spent */
	uint64_t max_work; /* for messages */
	size_t max_bytes;  /* for messages: the arena's limit plus held */
	size_t held;	   /* bytes the evaluation holds outside the arena */
	struct val_err err;
};

/* Set c up with a budget, and a's limit to max_bytes. */
void val_ctx_init(struct val_ctx *c, struct arena *a, uint64_t max_work, size_t max_bytes);
/* Fail with the step message (work is left at 0). */
int val_out_of_work(struct val_ctx *c);
int val_out_of_bytes(struct val_ctx *c);
/* Take units of work; -1 (reported) when fewer are left. */
static inline int val_charge(struct val_ctx *c, uint64_t units)
{
	if (units >= c->work)
		return val_out_of_work(c);
	c->work -= units;
	return 0;
}
/* The work of reading or writing n bytes. */
static inline uint64_t val_bytes_work(size_t n)
{
	return 1 + n / VAL_WORK_BYTES;
}
/* n bytes of the arena (16-byte aligned), NULL (reported) past its limit,
 * which the owner of the context sets to max_bytes - held. Writing them
 * needs no work of its own: the bytes an evaluation produces are bounded,
 * and so is the time to write them. */
static inline void *val_alloc(struct val_ctx *c, size_t n)
{
	void *p = arena_alloc(c->arena, n);

	if (!p)
		val_out_of_bytes(c);
	return p;
}

/* ---- operations --------------------------------------------------------- */

/* "null", "bool", "int", "string", "version", "list", "record". */
const char *val_type_name(const struct value *v);
/* The same with an article, for messages: "an int", "a list", "null". */
const char *val_a_type(const struct value *v);

/* Convert a JSON value to a value (arrays become arena lists). A JSON real
 * is an error here: the language has only integers. Requests are checked
 * when read (request_load); a catalog field holding 1.5 is reported where
 * it is used (fail closed). */
int val_from_json(struct val_ctx *c, const json_t *j, struct value *out);

/* r.name, null-safe: a field of null or a missing field is null; a field of
 * anything else than a record or null is a type error. */
int val_field(struct val_ctx *c, const struct value *r, const char *name, struct value *out);
/* The same with the name's length (n bytes, NUL-terminated), as the VM has
 * it for its constants: no strlen, and jansson's lookup by length. */
int val_fieldn(struct val_ctx *c, const struct value *r, const char *name, size_t n, struct value *out);
/* a[i]: list by int (out of range: null), record by string, null: null. */
int val_index(struct val_ctx *c, const struct value *x, const struct value *i, struct value *out);

/* Structural equality (doc/cpol.5, "Value rules"): different types are unequal, except
 * version vs string which compare as versions. 1 equal, 0 not, -1 when
 * out of budget. */
int val_equal(struct val_ctx *c, const struct value *a, const struct value *b);
/* n bytes of x and y equal? Short strings (names, tags) inline rather than
 * through a call of memcmp: 4 to 16 bytes as two overlapping words of each
 * (the first and the last), which never reads outside the n bytes. */
static inline bool val_bytes_equal(const char *x, const char *y, size_t n)
{
	if (n > 16)
		return !memcmp(x, y, n);
	if (n >= 8) {
		uint64_t x0, x1, y0, y1;
		memcpy(&x0, x, 8);
		memcpy(&y0, y, 8);
		memcpy(&x1, x + n - 8, 8);
		memcpy(&y1, y + n - 8, 8);
		return ((x0 ^ y0) | (x1 ^ y1)) == 0;
	}
	if (n >= 4) {
		uint32_t x0, x1, y0, y1;
		memcpy(&x0, x, 4);
		memcpy(&y0, y, 4);
		memcpy(&x1, x + n - 4, 4);
		memcpy(&y1, y + n - 4, 4);
		return ((x0 ^ y0) | (x1 ^ y1)) == 0;
	}
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return false;
	return true;
}
/* Equality decided without charge when it is cheap: 1 or 0, or 2 when it
 * needs val_equal (long strings, versions, lists, records). Two ints, two
 * strings of different lengths or of at most VAL_WORK_BYTES bytes, and two
 * values of different types other than a string and a version are cheap. */
static inline int val_equal_quick(const struct value *a, const struct value *b)
{
	if (a->type == b->type) {
		if (a->type == VAL_INT)
			return a->u.i == b->u.i;
		if (a->type == VAL_STR) {
			if (a->len != b->len)
				return 0;
			if (a->len <= VAL_WORK_BYTES)
				return val_bytes_equal(a->u.s, b->u.s, a->len);
		}
		return 2;
	}
	return (a->type == VAL_STR || a->type == VAL_VER) && (b->type == VAL_STR || b->type == VAL_VER) ? 2
													: 0;
}
/* val_equal, deciding the cheap cases inline. */
static inline int val_equal_fast(struct val_ctx *c, const struct value *a, const struct value *b)
{
	int q = val_equal_quick(a, b);

	return q != 2 ? q : val_equal(c, a, b);
}
/* Ordering for < <= > >=: *res is <0, 0, >0; *isnull when either side is
 * null (every ordering is then false). Type error for other mixes. */
int val_order(struct val_ctx *c, const struct value *a, const struct value *b, int *res, bool *isnull);
/* x in coll: list membership or record key; any other coll is a type
 * error. */
int val_in(struct val_ctx *c, const struct value *x, const struct value *coll, bool *res);

/* Arithmetic, op one of '+' '-' '*' '/' '%'; overflow and division by zero
 * are errors. '+' also concatenates strings and lists into the arena. */
int val_arith(struct val_ctx *c, int op, const struct value *x, const struct value *y, struct value *out);

/* The record of n members from kv[0..2n) (key, value, ...), sorted into
 * the arena: keys must be strings, each once. Charges the sort. */
int val_make_rec(struct val_ctx *c, const struct value *kv, uint32_t n, struct value *out);
/* The number of members of a record. */
size_t val_rec_size(const struct value *r);

/* Append v to the list *l (grown in the arena). */
int val_list_append(struct val_ctx *c, struct value *l, const struct value *v);

/* A deep copy of strings and lists into c's arena (records stay borrowed). */
int val_copy(struct val_ctx *c, const struct value *v, struct value *out);

/* The value as text for string(x) and messages: ints in decimal, strings as
 * is, lists and records as compact JSON with sorted keys. */
int val_to_text(struct val_ctx *c, const struct value *v, struct value *out);

/* Does string s match the glob pattern p, as fnmatch(3) with no flags in
 * the C locale (both NUL-terminated)? Charges its steps: at most |s| * |p|,
 * where fnmatch can take exponential time. */
int val_glob(struct val_ctx *c, const char *p, const char *s, bool *res);

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
	BI_HUMAN_SIZE, /* the CALL operand is the .cpolb format: append only */
	BI__COUNT
};

struct builtin_info {
	const char *name;
	unsigned arity;
};
extern const struct builtin_info builtin_table[BI__COUNT];
/* The builtin of that name, or -1. */
int builtin_lookup(const char *name);
/* Call builtin id on args[0..arity), after charging the work of reading
 * its arguments (their bytes or items). */
int builtin_call(struct val_ctx *c, int id, const struct value *args, struct value *out);

#endif
