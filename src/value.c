/* value.c - the arena, value operations and builtins (doc/cpol.5,
 * "EXPRESSIONS" and "BUILTINS"). */
#include "config.h"

#include "value.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "ver.h"

/* ---- arena -------------------------------------------------------------- */

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	_Alignas(16) unsigned char data[];
};

/* Chunks grow from 4 KiB to 64 KiB: a small arena (a decision's recorded
 * checks) stays small, a busy one (the VM's) soon allocates in big steps. */
#define ARENA_FIRST (4 * 1024)
#define ARENA_CHUNK (64 * 1024)

void arena_init(struct arena *a)
{
	memset(a, 0, sizeof(*a));
}

void arena_release(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	memset(a, 0, sizeof(*a));
}

void arena_reset(struct arena *a)
{
	a->cur = a->head;
	a->used = 0;
	a->total = 0;
	a->next = a->head ? a->head->data : NULL;
	a->left = a->head ? a->head->size : 0;
}

static struct arena_chunk *chunk_new(size_t size)
{
	struct arena_chunk *c = xmalloc(sizeof(*c) + size);

	c->next = NULL;
	c->size = size;
	return c;
}

void *arena_alloc_slow(struct arena *a, size_t n)
{
	struct arena_chunk *c;

	n = (n + 15) & ~(size_t)15;
	if (!n)
		n = 16;
	a->total += n;
	for (;;) {
		if (a->cur && a->cur->size - a->used >= n) {
			void *p = a->cur->data + a->used;
			a->used += n;
			a->next = a->cur->data + a->used;
			a->left = a->cur->size - a->used;
			return p;
		}
		/* Move on to the next kept chunk, or add one. A chunk too small
		 * for this request is skipped (it is reused by later resets). */
		if (a->cur && a->cur->next) {
			a->cur = a->cur->next;
			a->used = 0;
			continue;
		}
		size_t want = ARENA_FIRST << (a->nchunks < 4 ? a->nchunks : 4);
		c = chunk_new(n > want ? n : want);
		a->nchunks++;
		if (a->cur)
			a->cur->next = c;
		else
			a->head = c;
		a->cur = c;
		a->used = 0;
	}
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ---- errors ------------------------------------------------------------- */

int val_fail(struct val_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *const type_names[] = {"null", "bool", "int", "string", "version", "list", "record"};

const char *val_type_name(const struct value *v)
{
	return v->type < ARRAY_SIZE(type_names) ? type_names[v->type] : "?";
}

const char *val_a_type(const struct value *v)
{
	static const char *const a[] = {"null",	     "a bool", "an int",  "a string",
					"a version", "a list", "a record"};

	return v->type < ARRAY_SIZE(a) ? a[v->type] : "?";
}

/* ---- conversions -------------------------------------------------------- */

int val_from_json(struct arena *a, const json_t *j, struct value *out, struct val_err *e)
{
	struct value *items;
	size_t n;

	switch (json_typeof(j)) {
	case JSON_NULL:
		*out = val_null();
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		*out = val_bool(json_is_true(j));
		return 0;
	case JSON_INTEGER:
		*out = val_int(json_integer_value(j));
		return 0;
	case JSON_REAL:
		return val_fail(e, "number %g is not an integer", json_real_value(j));
	case JSON_STRING:
		if (json_string_length(j) > VAL_MAX_STR)
			return val_fail(e, "string too long");
		*out = val_str(json_string_value(j), json_string_length(j));
		return 0;
	case JSON_OBJECT:
		*out = val_rec(j, 0);
		return 0;
	case JSON_ARRAY:
		n = json_array_size(j);
		if (n > VAL_MAX_LIST)
			return val_fail(e, "list too long");
		items = arena_alloc(a, n * sizeof(*items));
		for (size_t i = 0; i < n; i++)
			if (val_from_json(a, json_array_get(j, i), &items[i], e) < 0)
				return -1;
		out->type = VAL_LIST;
		out->len = (uint32_t)n;
		out->u.items = items;
		return 0;
	}
	return val_fail(e, "unsupported JSON value");
}

int val_field(struct arena *a, const struct value *r, const char *name, struct value *out, struct val_err *e)
{
	const json_t *j;

	if (r->type == VAL_NULL) {
		*out = val_null();
		return 0;
	}
	if (r->type != VAL_REC)
		return val_fail(e, "cannot read field '%s' of %s", name, val_a_type(r));
	j = json_object_get(r->u.rec, name);
	if (!j) {
		*out = val_null();
		return 0;
	}
	if (val_from_json(a, j, out, e) < 0) {
		char inner[sizeof(e->msg)];
		memcpy(inner, e->msg, sizeof(inner));
		return val_fail(e, "field '%s': %.120s", name, inner);
	}
	if ((r->len & VAL_REC_PRIM) && out->type == VAL_STR && !strcmp(name, "version"))
		out->type = VAL_VER;
	return 0;
}

int val_index(struct arena *a, const struct value *x, const struct value *i, struct value *out,
	      struct val_err *e)
{
	if (x->type == VAL_NULL) {
		*out = val_null();
		return 0;
	}
	if (x->type == VAL_LIST) {
		if (i->type != VAL_INT)
			return val_fail(e, "list index must be an int, not %s", val_a_type(i));
		if (i->u.i < 0 || i->u.i >= (int64_t)x->len)
			*out = val_null();
		else
			*out = x->u.items[i->u.i];
		return 0;
	}
	if (x->type == VAL_REC) {
		if (i->type != VAL_STR)
			return val_fail(e, "record index must be a string, not %s", val_a_type(i));
		if (memchr(i->u.s, '\0', i->len)) {
			*out = val_null();
			return 0;
		}
		return val_field(a, x, i->u.s, out, e);
	}
	return val_fail(e, "cannot index %s", val_a_type(x));
}

/* ---- comparison --------------------------------------------------------- */

static bool is_text(const struct value *v)
{
	return v->type == VAL_STR || v->type == VAL_VER;
}

static int bytes_cmp(const struct value *a, const struct value *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->u.s, b->u.s, n);

	if (c)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

bool val_equal(const struct value *a, const struct value *b)
{
	if (a->type != b->type) {
		if (is_text(a) && is_text(b))
			return ver_cmp(a->u.s, b->u.s) == 0;
		return false;
	}
	switch (a->type) {
	case VAL_NULL:
		return true;
	case VAL_BOOL:
		return a->u.b == b->u.b;
	case VAL_INT:
		return a->u.i == b->u.i;
	case VAL_STR:
		return a->len == b->len && !memcmp(a->u.s, b->u.s, a->len);
	case VAL_VER:
		return ver_cmp(a->u.s, b->u.s) == 0;
	case VAL_LIST:
		if (a->len != b->len)
			return false;
		for (uint32_t i = 0; i < a->len; i++)
			if (!val_equal(&a->u.items[i], &b->u.items[i]))
				return false;
		return true;
	case VAL_REC:
		return a->u.rec == b->u.rec || json_equal((json_t *)a->u.rec, (json_t *)b->u.rec);
	}
	return false;
}

int val_order(const struct value *a, const struct value *b, int *res, bool *isnull, struct val_err *e)
{
	*isnull = false;
	*res = 0;
	if (a->type == VAL_NULL || b->type == VAL_NULL) {
		*isnull = true;
		return 0;
	}
	if (a->type == VAL_INT && b->type == VAL_INT) {
		*res = (a->u.i > b->u.i) - (a->u.i < b->u.i);
		return 0;
	}
	if (a->type == VAL_STR && b->type == VAL_STR) {
		*res = bytes_cmp(a, b);
		return 0;
	}
	if (is_text(a) && is_text(b)) {
		*res = ver_cmp(a->u.s, b->u.s);
		return 0;
	}
	return val_fail(e, "cannot order %s and %s", val_a_type(a), val_a_type(b));
}

int val_in(const struct value *x, const struct value *c, bool *res, struct val_err *e)
{
	*res = false;
	switch (c->type) {
	case VAL_LIST:
		for (uint32_t i = 0; i < c->len; i++)
			if (val_equal_fast(x, &c->u.items[i])) {
				*res = true;
				break;
			}
		return 0;
	case VAL_REC:
		if (x->type != VAL_STR)
			return val_fail(e, "record keys are strings, not %s", val_a_type(x));
		*res = !memchr(x->u.s, '\0', x->len) && json_object_get(c->u.rec, x->u.s) != NULL;
		return 0;
	default:
		return val_fail(e, "'in' needs a list or a record, not %s", val_a_type(c));
	}
}

/* ---- arithmetic --------------------------------------------------------- */

static int int_arith(int op, int64_t x, int64_t y, int64_t *r, struct val_err *e)
{
	bool ovf = false;

	switch (op) {
	case '+':
		ovf = __builtin_add_overflow(x, y, r);
		break;
	case '-':
		ovf = __builtin_sub_overflow(x, y, r);
		break;
	case '*':
		ovf = __builtin_mul_overflow(x, y, r);
		break;
	case '/':
	case '%':
		if (y == 0)
			return val_fail(e, op == '/' ? "division by zero" : "modulo by zero");
		if (x == INT64_MIN && y == -1)
			ovf = true;
		else
			*r = op == '/' ? x / y : x % y;
		break;
	default:
		return val_fail(e, "bad operator");
	}
	if (ovf)
		return val_fail(e, "integer overflow in %" PRId64 " %c %" PRId64, x, op, y);
	return 0;
}

int val_arith(struct arena *a, int op, const struct value *x, const struct value *y, struct value *out,
	      struct val_err *e)
{
	if (x->type == VAL_INT && y->type == VAL_INT) {
		int64_t r = 0;
		if (int_arith(op, x->u.i, y->u.i, &r, e) < 0)
			return -1;
		*out = val_int(r);
		return 0;
	}
	if (op == '+' && x->type == VAL_STR && y->type == VAL_STR) {
		size_t n = (size_t)x->len + y->len;
		char *s;
		if (n > VAL_MAX_STR)
			return val_fail(e, "string longer than %u bytes", VAL_MAX_STR);
		s = arena_alloc(a, n + 1);
		memcpy(s, x->u.s, x->len);
		memcpy(s + x->len, y->u.s, y->len);
		s[n] = '\0';
		*out = val_str(s, n);
		return 0;
	}
	if (op == '+' && x->type == VAL_LIST && y->type == VAL_LIST) {
		size_t n = (size_t)x->len + y->len;
		struct value *items;
		if (n > VAL_MAX_LIST)
			return val_fail(e, "list longer than %u items", VAL_MAX_LIST);
		items = arena_alloc(a, n * sizeof(*items));
		if (x->len)
			memcpy(items, x->u.items, x->len * sizeof(*items));
		if (y->len)
			memcpy(items + x->len, y->u.items, y->len * sizeof(*items));
		out->type = VAL_LIST;
		out->len = (uint32_t)n;
		out->u.items = items;
		return 0;
	}
	return val_fail(e, "cannot apply '%c' to %s and %s", op, val_a_type(x), val_a_type(y));
}

void val_list_append(struct arena *a, struct value *l, const struct value *v)
{
	/* A list built here (VAL_F_GROW) has a buffer of a power of two
	 * elements, at least len + 1 unless len itself is a power of two; any
	 * other list is copied before it grows. */
	struct value *items = (struct value *)l->u.items;
	uint32_t n = l->len;

	if (!(l->flags & VAL_F_GROW) || n == 0 || (n & (n - 1)) == 0) {
		size_t cap = 4;
		while (cap <= n)
			cap *= 2;
		struct value *nv = arena_alloc(a, cap * sizeof(*nv));
		if (n)
			memcpy(nv, items, n * sizeof(*nv));
		items = nv;
	}
	items[n] = *v;
	l->u.items = items;
	l->len = n + 1;
	l->flags |= VAL_F_GROW;
}

struct value val_copy(struct arena *a, const struct value *v)
{
	struct value r = *v;

	r.flags = 0;
	if (v->type == VAL_STR || v->type == VAL_VER) {
		r.u.s = arena_strndup(a, v->u.s, v->len);
	} else if (v->type == VAL_LIST) {
		struct value *items = arena_alloc(a, (size_t)v->len * sizeof(*items));
		for (uint32_t i = 0; i < v->len; i++)
			items[i] = val_copy(a, &v->u.items[i]);
		r.u.items = items;
	}
	return r;
}

json_t *val_to_json(const struct value *v)
{
	json_t *arr;

	switch (v->type) {
	case VAL_NULL:
		return json_null();
	case VAL_BOOL:
		return json_boolean(v->u.b);
	case VAL_INT:
		return json_integer(v->u.i);
	case VAL_STR:
	case VAL_VER:
		return json_stringn_nocheck(v->u.s, v->len);
	case VAL_LIST:
		arr = json_array();
		for (uint32_t i = 0; i < v->len; i++)
			json_array_append_new(arr, val_to_json(&v->u.items[i]));
		return arr;
	case VAL_REC:
		return json_deep_copy(v->u.rec);
	}
	return json_null();
}

/* Decimal digits of i ending just before end; returns their count. */
static size_t int_text(int64_t i, char *end)
{
	uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
	char *p = end;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (i < 0)
		*--p = '-';
	return (size_t)(end - p);
}

int val_to_text(struct arena *a, const struct value *v, struct value *out, struct val_err *e)
{
	char buf[32];
	char *s;
	size_t n;
	json_t *j;

	switch (v->type) {
	case VAL_STR:
		*out = *v;
		return 0;
	case VAL_VER:
		*out = val_str(v->u.s, v->len);
		return 0;
	case VAL_NULL:
		*out = val_str("null", 4);
		return 0;
	case VAL_BOOL:
		*out = v->u.b ? val_str("true", 4) : val_str("false", 5);
		return 0;
	case VAL_INT:
		/* arena_strndup, with the few digits copied inline */
		n = int_text(v->u.i, buf + sizeof(buf));
		s = arena_alloc(a, n + 1);
		for (size_t i = 0; i < n; i++)
			s[i] = buf[sizeof(buf) - n + i];
		s[n] = '\0';
		*out = val_str(s, n);
		return 0;
	default:
		j = val_to_json(v);
		s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		json_decref(j);
		if (!s)
			return val_fail(e, "cannot convert %s to a string", val_a_type(v));
		*out = val_str(arena_strndup(a, s, strlen(s)), strlen(s));
		free(s);
		return 0;
	}
}

/* ---- builtins ----------------------------------------------------------- */

const struct builtin_info builtin_table[BI__COUNT] = {
	[BI_LEN] = {"len", 1},
	[BI_SUM] = {"sum", 1},
	[BI_MIN] = {"min", 1},
	[BI_MAX] = {"max", 1},
	[BI_LOWER] = {"lower", 1},
	[BI_UPPER] = {"upper", 1},
	[BI_STARTSWITH] = {"startswith", 2},
	[BI_ENDSWITH] = {"endswith", 2},
	[BI_CONTAINS] = {"contains", 2},
	[BI_SPLIT] = {"split", 2},
	[BI_JOIN] = {"join", 2},
	[BI_GLOB] = {"glob", 2},
	[BI_VERSION] = {"version", 1},
	[BI_STRING] = {"string", 1},
};

int builtin_lookup(const char *name)
{
	for (int i = 0; i < BI__COUNT; i++)
		if (!strcmp(builtin_table[i].name, name))
			return i;
	return -1;
}

static int need(const struct value *v, enum val_type t, const char *fn, unsigned argn, struct val_err *e)
{
	static const char *const an[] = {"first", "second"};
	struct value want = {.type = (uint8_t)t};

	if (v->type == t)
		return 0;
	return val_fail(e, "%s: %s argument must be %s, not %s", fn, an[argn ? 1 : 0], val_a_type(&want),
			val_a_type(v));
}

/* A list argument (null is a type error too: write `x ?? []`). */
static int need_list(const struct value *v, const char *fn, struct value *out, struct val_err *e)
{
	if (need(v, VAL_LIST, fn, 0, e) < 0)
		return -1;
	*out = *v;
	return 0;
}

static int bi_len(const struct value *x, struct value *out, struct val_err *e)
{
	switch (x->type) {
	case VAL_STR:
	case VAL_LIST:
		*out = val_int(x->len);
		return 0;
	case VAL_REC:
		*out = val_int((int64_t)json_object_size(x->u.rec));
		return 0;
	default:
		return val_fail(e, "len: cannot take the length of %s", val_a_type(x));
	}
}

static int bi_sum(const struct value *x, struct value *out, struct val_err *e)
{
	struct value l;
	int64_t s = 0;

	if (need_list(x, "sum", &l, e) < 0)
		return -1;
	for (uint32_t i = 0; i < l.len; i++) {
		if (l.u.items[i].type != VAL_INT)
			return val_fail(e, "sum: element %u is %s, not an int", i, val_a_type(&l.u.items[i]));
		if (__builtin_add_overflow(s, l.u.items[i].u.i, &s))
			return val_fail(e, "sum: integer overflow");
	}
	*out = val_int(s);
	return 0;
}

static int bi_minmax(const struct value *x, bool max, struct value *out, struct val_err *e)
{
	struct value l;
	int c;
	bool isnull;

	if (need_list(x, max ? "max" : "min", &l, e) < 0)
		return -1;
	*out = val_null();
	for (uint32_t i = 0; i < l.len; i++) {
		const struct value *v = &l.u.items[i];
		if (v->type != VAL_INT && !is_text(v))
			return val_fail(e, "%s: cannot order %s", max ? "max" : "min", val_a_type(v));
		if (i == 0) {
			*out = *v;
			continue;
		}
		if (val_order(v, out, &c, &isnull, e) < 0)
			return -1;
		if (max ? c > 0 : c < 0)
			*out = *v;
	}
	return 0;
}

static int bi_case(struct arena *a, const struct value *x, bool upper, struct value *out, struct val_err *e)
{
	char *s;

	if (need(x, VAL_STR, upper ? "upper" : "lower", 0, e) < 0)
		return -1;
	s = arena_strndup(a, x->u.s, x->len);
	for (uint32_t i = 0; i < x->len; i++) {
		if (upper && s[i] >= 'a' && s[i] <= 'z')
			s[i] = (char)(s[i] - 'a' + 'A');
		else if (!upper && s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	}
	*out = val_str(s, x->len);
	return 0;
}

static bool has_sub(const struct value *s, const struct value *p)
{
	if (p->len > s->len)
		return false;
	for (size_t i = 0; i + p->len <= s->len; i++)
		if (!memcmp(s->u.s + i, p->u.s, p->len))
			return true;
	return false;
}

static int bi_strpred(int id, const struct value *args, struct value *out, struct val_err *e)
{
	const char *fn = builtin_table[id].name;
	const struct value *s = &args[0], *p = &args[1];

	if (need(s, VAL_STR, fn, 0, e) < 0 || need(p, VAL_STR, fn, 1, e) < 0)
		return -1;
	switch (id) {
	case BI_STARTSWITH:
		*out = val_bool(p->len <= s->len && !memcmp(s->u.s, p->u.s, p->len));
		break;
	case BI_ENDSWITH:
		*out = val_bool(p->len <= s->len && !memcmp(s->u.s + s->len - p->len, p->u.s, p->len));
		break;
	case BI_CONTAINS:
		*out = val_bool(has_sub(s, p));
		break;
	default: /* BI_GLOB */
		*out = val_bool(fnmatch(p->u.s, s->u.s, 0) == 0);
		break;
	}
	return 0;
}

static int bi_split(struct arena *a, const struct value *s, const struct value *sep, struct value *out,
		    struct val_err *e)
{
	struct value l = {.type = VAL_LIST};
	size_t start = 0;

	if (need(s, VAL_STR, "split", 0, e) < 0 || need(sep, VAL_STR, "split", 1, e) < 0)
		return -1;
	if (sep->len == 0)
		return val_fail(e, "split: empty separator");
	for (size_t i = 0; i + sep->len <= s->len;) {
		if (memcmp(s->u.s + i, sep->u.s, sep->len)) {
			i++;
			continue;
		}
		struct value piece = val_str(arena_strndup(a, s->u.s + start, i - start), i - start);
		val_list_append(a, &l, &piece);
		i += sep->len;
		start = i;
	}
	struct value last = val_str(arena_strndup(a, s->u.s + start, s->len - start), s->len - start);
	val_list_append(a, &l, &last);
	*out = l;
	return 0;
}

static int bi_join(struct arena *a, const struct value *x, const struct value *sep, struct value *out,
		   struct val_err *e)
{
	struct value l;
	size_t n = 0, off = 0;
	char *s;

	if (need_list(x, "join", &l, e) < 0 || need(sep, VAL_STR, "join", 1, e) < 0)
		return -1;
	for (uint32_t i = 0; i < l.len; i++) {
		if (l.u.items[i].type != VAL_STR)
			return val_fail(e, "join: element %u is %s, not a string", i,
					val_a_type(&l.u.items[i]));
		n += l.u.items[i].len + (i ? sep->len : 0);
	}
	if (n > VAL_MAX_STR)
		return val_fail(e, "join: string longer than %u bytes", VAL_MAX_STR);
	s = arena_alloc(a, n + 1);
	for (uint32_t i = 0; i < l.len; i++) {
		if (i) {
			memcpy(s + off, sep->u.s, sep->len);
			off += sep->len;
		}
		memcpy(s + off, l.u.items[i].u.s, l.u.items[i].len);
		off += l.u.items[i].len;
	}
	s[n] = '\0';
	*out = val_str(s, n);
	return 0;
}

static int bi_version(const struct value *x, struct value *out, struct val_err *e)
{
	const char *why = NULL;

	if (x->type == VAL_VER) {
		*out = *x;
		return 0;
	}
	if (need(x, VAL_STR, "version", 0, e) < 0)
		return -1;
	if (memchr(x->u.s, '\0', x->len) || !ver_valid(x->u.s, &why))
		return val_fail(e, "version: '%.60s' is not a valid version: %s", x->u.s,
				why ? why : "embedded NUL");
	*out = *x;
	out->type = VAL_VER;
	return 0;
}

int builtin_call(struct arena *a, int id, const struct value *args, struct value *out, struct val_err *e)
{
	switch (id) {
	case BI_LEN:
		return bi_len(&args[0], out, e);
	case BI_SUM:
		return bi_sum(&args[0], out, e);
	case BI_MIN:
	case BI_MAX:
		return bi_minmax(&args[0], id == BI_MAX, out, e);
	case BI_LOWER:
	case BI_UPPER:
		return bi_case(a, &args[0], id == BI_UPPER, out, e);
	case BI_STARTSWITH:
	case BI_ENDSWITH:
	case BI_CONTAINS:
	case BI_GLOB:
		return bi_strpred(id, args, out, e);
	case BI_SPLIT:
		return bi_split(a, &args[0], &args[1], out, e);
	case BI_JOIN:
		return bi_join(a, &args[0], &args[1], out, e);
	case BI_VERSION:
		return bi_version(&args[0], out, e);
	case BI_STRING:
		return val_to_text(a, &args[0], out, e);
	}
	return val_fail(e, "unknown builtin %d", id);
}
