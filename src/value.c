/* value.c - the arena, value operations and builtins (doc/cpol.5,
 * "EXPRESSIONS" and "BUILTINS"). */
#include "config.h"

#include "value.h"

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

/* What is free at next: the rest of the chunk, within the limit. */
static size_t room(const struct arena *a)
{
	size_t chunk = a->cur ? a->cur->size - a->used : 0;

	if (a->limit && a->limit - a->total < chunk)
		return a->limit - a->total;
	return chunk;
}

void arena_reset(struct arena *a)
{
	a->cur = a->head;
	a->used = 0;
	a->total = 0;
	a->next = a->head ? a->head->data : NULL;
	a->left = room(a);
}

void arena_set_limit(struct arena *a, size_t limit)
{
	a->limit = limit;
	if (limit && a->total > limit)
		a->limit = a->total; /* nothing more */
	a->left = room(a);
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
	if (a->limit && (n > a->limit || a->total > a->limit - n))
		return NULL;
	a->total += n;
	for (;;) {
		if (a->cur && a->cur->size - a->used >= n) {
			void *p = a->cur->data + a->used;
			a->used += n;
			a->next = a->cur->data + a->used;
			a->left = room(a);
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

	if (!p)
		return NULL;
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

/* ---- the budget ----------------------------------------------------------- */

void val_ctx_init(struct val_ctx *c, struct arena *a, uint64_t max_work, size_t max_bytes)
{
	memset(c, 0, sizeof(*c));
	c->arena = a;
	c->work = c->max_work = max_work;
	c->max_bytes = max_bytes;
	arena_set_limit(a, max_bytes);
}

int val_out_of_work(struct val_ctx *c)
{
	c->work = 0;
	return val_fail(&c->err, "evaluation took more than %" PRIu64 " steps", c->max_work);
}

int val_out_of_bytes(struct val_ctx *c)
{
	return val_fail(&c->err, "evaluation needs more than %zu MiB", c->max_bytes >> 20);
}

/* A NUL-terminated copy of s[0..n) in the arena, charged. */
static char *val_strndup(struct val_ctx *c, const char *s, size_t n)
{
	char *p = val_alloc(c, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
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

int val_from_json(struct val_ctx *c, const json_t *j, struct value *out)
{
	struct value *items;
	size_t n;

	if (val_charge(c, 1) < 0)
		return -1;
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
		return val_fail(&c->err, "number %g is not an integer", json_real_value(j));
	case JSON_STRING:
		if (json_string_length(j) > VAL_MAX_STR)
			return val_fail(&c->err, "string too long");
		*out = val_str(json_string_value(j), json_string_length(j));
		return 0;
	case JSON_OBJECT:
		*out = val_rec(j, 0);
		return 0;
	case JSON_ARRAY:
		n = json_array_size(j);
		if (n > VAL_MAX_LIST)
			return val_fail(&c->err, "list too long");
		items = val_alloc(c, n * sizeof(*items));
		if (!items)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (val_from_json(c, json_array_get(j, i), &items[i]) < 0)
				return -1;
		out->type = VAL_LIST;
		out->flags = 0;
		out->len = (uint32_t)n;
		out->u.items = items;
		return 0;
	}
	return val_fail(&c->err, "unsupported JSON value");
}

/* Compare key k with s[0..n) bytewise, the shorter first on a tie. */
static int key_cmp(const struct value *k, const char *s, size_t n)
{
	size_t m = k->len < n ? k->len : n;
	int r = memcmp(k->u.s, s, m);

	return r ? r : (k->len > n) - (k->len < n);
}

/* The member s[0..n) of record literal r, or NULL: a binary search, each
 * probe charged by the bytes it compares. */
static const struct value *lit_find(struct val_ctx *c, const struct value *r, const char *s, size_t n)
{
	uint32_t lo = 0, hi = r->len;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int d;
		if (val_charge(c, val_bytes_work(n)) < 0)
			return NULL;
		d = key_cmp(&r->u.items[2 * mid], s, n);
		if (d == 0)
			return &r->u.items[2 * mid + 1];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int lit_get(struct val_ctx *c, const struct value *r, const char *s, size_t n, struct value *out)
{
	const struct value *v = lit_find(c, r, s, n);

	if (!v && !c->work)
		return -1;
	*out = v ? *v : val_null();
	return 0;
}

size_t val_rec_size(const struct value *r)
{
	return (r->flags & VAL_F_LIT) ? r->len : json_object_size(r->u.rec);
}

int val_field(struct val_ctx *c, const struct value *r, const char *name, struct value *out)
{
	return val_fieldn(c, r, name, strlen(name), out);
}

int val_fieldn(struct val_ctx *c, const struct value *r, const char *name, size_t n, struct value *out)
{
	const json_t *j;

	if (r->type == VAL_NULL) {
		*out = val_null();
		return 0;
	}
	if (r->type != VAL_REC)
		return val_fail(&c->err, "cannot read field '%s' of %s", name, val_a_type(r));
	if (r->flags & VAL_F_LIT)
		return lit_get(c, r, name, n, out);
	j = json_object_getn(r->u.rec, name, n);
	if (!j) {
		*out = val_null();
		return 0;
	}
	if (val_from_json(c, j, out) < 0) {
		char inner[sizeof(c->err.msg)];
		if (!c->work) /* out of budget: say so as it is */
			return -1;
		memcpy(inner, c->err.msg, sizeof(inner));
		return val_fail(&c->err, "field '%s': %.120s", name, inner);
	}
	if ((r->len & VAL_REC_PRIM) && out->type == VAL_STR && n == 7 && !memcmp(name, "version", 7))
		out->type = VAL_VER;
	return 0;
}

int val_index(struct val_ctx *c, const struct value *x, const struct value *i, struct value *out)
{
	if (x->type == VAL_NULL) {
		*out = val_null();
		return 0;
	}
	if (x->type == VAL_LIST) {
		if (i->type != VAL_INT)
			return val_fail(&c->err, "list index must be an int, not %s", val_a_type(i));
		if (i->u.i < 0 || i->u.i >= (int64_t)x->len)
			*out = val_null();
		else
			*out = x->u.items[i->u.i];
		return 0;
	}
	if (x->type == VAL_REC) {
		if (i->type != VAL_STR)
			return val_fail(&c->err, "record index must be a string, not %s", val_a_type(i));
		if (val_charge(c, val_bytes_work(i->len)) < 0)
			return -1;
		if (x->flags & VAL_F_LIT)
			return lit_get(c, x, i->u.s, i->len, out);
		if (memchr(i->u.s, '\0', i->len)) {
			*out = val_null();
			return 0;
		}
		return val_field(c, x, i->u.s, out);
	}
	return val_fail(&c->err, "cannot index %s", val_a_type(x));
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

/* Versions compare in time linear in their text. */
static int ver_compare(struct val_ctx *c, const struct value *a, const struct value *b, int *res)
{
	if (val_charge(c, val_bytes_work((size_t)a->len + b->len)) < 0)
		return -1;
	*res = ver_cmp(a->u.s, b->u.s);
	return 0;
}

static int json_equal_charged(struct val_ctx *c, const json_t *a, const json_t *b, unsigned depth);

static int json_members_equal(struct val_ctx *c, const json_t *a, const json_t *b, unsigned depth)
{
	const char *key;
	json_t *v;
	int eq;

	if (json_object_size(a) != json_object_size(b))
		return 0;
	json_object_foreach((json_t *)a, key, v)
	{
		const json_t *w = json_object_get(b, key);
		if (val_charge(c, val_bytes_work(strlen(key))) < 0)
			return -1;
		if (!w)
			return 0;
		if ((eq = json_equal_charged(c, v, w, depth + 1)) != 1)
			return eq;
	}
	return 1;
}

/* json_equal, paying for every node and byte it visits. */
static int json_equal_charged(struct val_ctx *c, const json_t *a, const json_t *b, unsigned depth)
{
	int eq;

	if (val_charge(c, 1) < 0)
		return -1;
	if (depth >= VAL_MAX_DEPTH)
		return val_fail(&c->err, "a value nested deeper than %u levels", VAL_MAX_DEPTH);
	if (a == b)
		return 1;
	if (json_typeof(a) != json_typeof(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_OBJECT:
		return json_members_equal(c, a, b, depth);
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (size_t i = 0; i < json_array_size(a); i++)
			if ((eq = json_equal_charged(c, json_array_get(a, i), json_array_get(b, i),
						     depth + 1)) != 1)
				return eq;
		return 1;
	case JSON_STRING:
		if (val_charge(c, val_bytes_work(json_string_length(a))) < 0)
			return -1;
		return json_equal((json_t *)a, (json_t *)b);
	default:
		return json_equal((json_t *)a, (json_t *)b);
	}
}

static int too_deep(struct val_ctx *c)
{
	return val_fail(&c->err, "a value nested deeper than %u levels", VAL_MAX_DEPTH);
}

static int eq_rec(struct val_ctx *c, const struct value *a, const struct value *b, unsigned depth);
static int eq_lit(struct val_ctx *c, const struct value *a, const struct value *b, unsigned depth);

static int eq_items(struct val_ctx *c, const struct value *a, const struct value *b, unsigned depth)
{
	int eq;

	if (a->len != b->len)
		return 0;
	if (depth >= VAL_MAX_DEPTH)
		return too_deep(c);
	for (uint32_t i = 0; i < a->len; i++) {
		const struct value *x = &a->u.items[i], *y = &b->u.items[i];
		eq = val_equal_quick(x, y);
		if (eq == 2)
			eq = eq_rec(c, x, y, depth + 1);
		if (eq != 1)
			return eq < 0 || val_charge(c, i + 1) < 0 ? -1 : 0;
	}
	return val_charge(c, a->len) < 0 ? -1 : 1;
}

/* A record literal a equal to record b (a literal or a JSON object): the
 * same number of members, and each of a's in b with an equal value. */
static int eq_lit(struct val_ctx *c, const struct value *a, const struct value *b, unsigned depth)
{
	struct value w;
	int eq;

	if (!(a->flags & VAL_F_LIT)) {
		const struct value *t = a;
		a = b;
		b = t;
	}
	if (val_rec_size(a) != val_rec_size(b))
		return 0;
	if (depth >= VAL_MAX_DEPTH)
		return too_deep(c);
	for (uint32_t i = 0; i < a->len; i++) {
		const struct value *k = &a->u.items[2 * i];
		if (b->flags & VAL_F_LIT) {
			const struct value *f = lit_find(c, b, k->u.s, k->len);
			if (!f)
				return c->work ? 0 : -1;
			w = *f;
		} else {
			if (memchr(k->u.s, '\0', k->len) || !json_object_getn(b->u.rec, k->u.s, k->len))
				return val_charge(c, val_bytes_work(k->len)) < 0 ? -1 : 0;
			if (val_field(c, b, k->u.s, &w) < 0)
				return -1;
		}
		eq = val_equal_quick(&a->u.items[2 * i + 1], &w);
		if (eq == 2)
			eq = eq_rec(c, &a->u.items[2 * i + 1], &w, depth + 1);
		if (eq != 1)
			return eq;
	}
	return 1;
}

static int eq_rec(struct val_ctx *c, const struct value *a, const struct value *b, unsigned depth)
{
	int r;

	if (val_charge(c, 1) < 0)
		return -1;
	if (a->type != b->type) {
		if (is_text(a) && is_text(b))
			return ver_compare(c, a, b, &r) < 0 ? -1 : r == 0;
		return 0;
	}
	switch (a->type) {
	case VAL_NULL:
		return 1;
	case VAL_BOOL:
		return a->u.b == b->u.b;
	case VAL_INT:
		return a->u.i == b->u.i;
	case VAL_STR:
		if (a->len != b->len)
			return 0;
		if (val_charge(c, val_bytes_work(a->len)) < 0)
			return -1;
		return !memcmp(a->u.s, b->u.s, a->len);
	case VAL_VER:
		return ver_compare(c, a, b, &r) < 0 ? -1 : r == 0;
	case VAL_LIST:
		return eq_items(c, a, b, depth);
	case VAL_REC:
		if ((a->flags | b->flags) & VAL_F_LIT)
			return eq_lit(c, a, b, depth);
		return a->u.rec == b->u.rec ? 1 : json_equal_charged(c, a->u.rec, b->u.rec, 0);
	}
	return 0;
}

int val_equal(struct val_ctx *c, const struct value *a, const struct value *b)
{
	return eq_rec(c, a, b, 0);
}

int val_order(struct val_ctx *c, const struct value *a, const struct value *b, int *res, bool *isnull)
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
		if (val_charge(c, val_bytes_work(a->len < b->len ? a->len : b->len)) < 0)
			return -1;
		*res = bytes_cmp(a, b);
		return 0;
	}
	if (is_text(a) && is_text(b))
		return ver_compare(c, a, b, res);
	return val_fail(&c->err, "cannot order %s and %s", val_a_type(a), val_a_type(b));
}

int val_in(struct val_ctx *c, const struct value *x, const struct value *coll, bool *res)
{
	int eq;

	*res = false;
	switch (coll->type) {
	case VAL_LIST:
		for (uint32_t i = 0; i < coll->len; i++) {
			if ((eq = val_equal_fast(c, x, &coll->u.items[i])) < 0)
				return -1;
			if (eq) {
				*res = true;
				return val_charge(c, i + 1);
			}
		}
		return val_charge(c, coll->len);
	case VAL_REC:
		if (x->type != VAL_STR)
			return val_fail(&c->err, "record keys are strings, not %s", val_a_type(x));
		if (val_charge(c, val_bytes_work(x->len)) < 0)
			return -1;
		if (coll->flags & VAL_F_LIT) {
			*res = lit_find(c, coll, x->u.s, x->len) != NULL;
			return *res || c->work ? 0 : -1;
		}
		*res = !memchr(x->u.s, '\0', x->len) && json_object_get(coll->u.rec, x->u.s) != NULL;
		return 0;
	default:
		return val_fail(&c->err, "'in' needs a list or a record, not %s", val_a_type(coll));
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

int val_arith(struct val_ctx *c, int op, const struct value *x, const struct value *y, struct value *out)
{
	if (x->type == VAL_INT && y->type == VAL_INT) {
		int64_t r = 0;
		if (int_arith(op, x->u.i, y->u.i, &r, &c->err) < 0)
			return -1;
		*out = val_int(r);
		return 0;
	}
	if (op == '+' && x->type == VAL_STR && y->type == VAL_STR) {
		size_t n = (size_t)x->len + y->len;
		char *s;
		if (n > VAL_MAX_STR)
			return val_fail(&c->err, "string longer than %u bytes", VAL_MAX_STR);
		s = val_alloc(c, n + 1);
		if (!s || val_charge(c, val_bytes_work(n)) < 0)
			return -1;
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
			return val_fail(&c->err, "list longer than %u items", VAL_MAX_LIST);
		items = val_alloc(c, n * sizeof(*items));
		if (!items || val_charge(c, n) < 0)
			return -1;
		if (x->len)
			memcpy(items, x->u.items, x->len * sizeof(*items));
		if (y->len)
			memcpy(items + x->len, y->u.items, y->len * sizeof(*items));
		out->type = VAL_LIST;
		out->flags = 0;
		out->len = (uint32_t)n;
		out->u.items = items;
		return 0;
	}
	return val_fail(&c->err, "cannot apply '%c' to %s and %s", op, val_a_type(x), val_a_type(y));
}

/* Order of two members (key, value) by key. */
static int member_cmp(const void *x, const void *y)
{
	const struct value *a = x, *b = y;

	return key_cmp(a, b->u.s, b->len);
}

int val_make_rec(struct val_ctx *c, const struct value *kv, uint32_t n, struct value *out)
{
	struct value *m;
	uint64_t work = 1, rounds = 1;

	for (uint32_t i = 0; i < n; i++) {
		if (kv[2 * i].type != VAL_STR)
			return val_fail(&c->err, "record keys are strings, not %s", val_a_type(&kv[2 * i]));
		work += val_bytes_work(kv[2 * i].len);
	}
	/* a sort reads every key about log2 n times */
	for (uint32_t m2 = n; m2 > 1; m2 >>= 1)
		rounds++;
	if (val_charge(c, work * rounds) < 0)
		return -1;
	m = val_alloc(c, (size_t)n * 2 * sizeof(*m));
	if (n && !m)
		return -1;
	if (n)
		memcpy(m, kv, (size_t)n * 2 * sizeof(*m));
	if (n > 1)
		qsort(m, n, 2 * sizeof(*m), member_cmp);
	for (uint32_t i = 1; i < n; i++)
		if (!key_cmp(&m[2 * i], m[2 * i - 2].u.s, m[2 * i - 2].len))
			return val_fail(&c->err, "duplicate key '%.60s' in a record", m[2 * i].u.s);
	*out = (struct value){.type = VAL_REC, .flags = VAL_F_LIT, .len = n, .u.items = m};
	return 0;
}

int val_list_append(struct val_ctx *c, struct value *l, const struct value *v)
{
	/* A list built here (VAL_F_GROW) has a buffer of a power of two
	 * elements, at least len + 1 unless len itself is a power of two; any
	 * other list is copied before it grows. */
	struct value *items = (struct value *)l->u.items;
	uint32_t n = l->len;

	if (n >= VAL_MAX_LIST)
		return val_fail(&c->err, "list longer than %u items", VAL_MAX_LIST);
	if (!(l->flags & VAL_F_GROW) || n == 0 || (n & (n - 1)) == 0) {
		size_t cap = 4;
		while (cap <= n)
			cap *= 2;
		struct value *nv = val_alloc(c, cap * sizeof(*nv));
		if (!nv)
			return -1;
		if (n)
			memcpy(nv, items, n * sizeof(*nv));
		items = nv;
	}
	items[n] = *v;
	l->u.items = items;
	l->len = n + 1;
	l->flags |= VAL_F_GROW;
	return 0;
}

static int copy_rec(struct val_ctx *c, const struct value *v, struct value *out, unsigned depth)
{
	struct value r = *v;

	r.flags = 0;
	if (val_charge(c, 1) < 0)
		return -1;
	if (v->type == VAL_STR || v->type == VAL_VER) {
		if (!(r.u.s = val_strndup(c, v->u.s, v->len)))
			return -1;
	} else if (v->type == VAL_LIST || val_is_lit(v)) {
		uint32_t n = val_nparts(v);
		struct value *items = val_alloc(c, (size_t)n * sizeof(*items));
		if (!items)
			return -1;
		if (depth >= VAL_MAX_DEPTH)
			return too_deep(c);
		r.flags = v->flags & VAL_F_LIT;
		for (uint32_t i = 0; i < n; i++)
			if (copy_rec(c, &v->u.items[i], &items[i], depth + 1) < 0)
				return -1;
		r.u.items = items;
	}
	*out = r;
	return 0;
}

int val_copy(struct val_ctx *c, const struct value *v, struct value *out)
{
	return copy_rec(c, v, out, 0);
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
	[BI_HUMAN_SIZE] = {"human_size", 1},
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
		*out = val_int((int64_t)val_rec_size(x));
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

static int bi_minmax(struct val_ctx *c, const struct value *x, bool max, struct value *out)
{
	struct value l;
	int r;
	bool isnull;

	if (need_list(x, max ? "max" : "min", &l, &c->err) < 0)
		return -1;
	*out = val_null();
	for (uint32_t i = 0; i < l.len; i++) {
		const struct value *v = &l.u.items[i];
		if (v->type != VAL_INT && !is_text(v))
			return val_fail(&c->err, "%s: cannot order %s", max ? "max" : "min", val_a_type(v));
		if (i == 0) {
			*out = *v;
			continue;
		}
		if (val_order(c, v, out, &r, &isnull) < 0)
			return -1;
		if (max ? r > 0 : r < 0)
			*out = *v;
	}
	return 0;
}

static int bi_case(struct val_ctx *c, const struct value *x, bool upper, struct value *out)
{
	char *s;

	if (need(x, VAL_STR, upper ? "upper" : "lower", 0, &c->err) < 0)
		return -1;
	if (!(s = val_strndup(c, x->u.s, x->len)))
		return -1;
	for (uint32_t i = 0; i < x->len; i++) {
		if (upper && s[i] >= 'a' && s[i] <= 'z')
			s[i] = (char)(s[i] - 'a' + 'A');
		else if (!upper && s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	}
	*out = val_str(s, x->len);
	return 0;
}

/* The first occurrence of p[0..pn) in s[0..sn), or NULL: memmem is linear
 * (two-way), where a naive search takes sn * pn. */
static const char *find_bytes(const char *s, size_t sn, const char *p, size_t pn)
{
	return pn ? memmem(s, sn, p, pn) : s;
}

static int bi_strpred(struct val_ctx *c, int id, const struct value *args, struct value *out)
{
	const char *fn = builtin_table[id].name;
	const struct value *s = &args[0], *p = &args[1];
	bool match = false;

	if (need(s, VAL_STR, fn, 0, &c->err) < 0 || need(p, VAL_STR, fn, 1, &c->err) < 0)
		return -1;
	switch (id) {
	case BI_STARTSWITH:
		*out = val_bool(p->len <= s->len && !memcmp(s->u.s, p->u.s, p->len));
		break;
	case BI_ENDSWITH:
		*out = val_bool(p->len <= s->len && !memcmp(s->u.s + s->len - p->len, p->u.s, p->len));
		break;
	case BI_CONTAINS:
		*out = val_bool(find_bytes(s->u.s, s->len, p->u.s, p->len) != NULL);
		break;
	default: /* BI_GLOB */
		if (val_glob(c, p->u.s, s->u.s, &match) < 0)
			return -1;
		*out = val_bool(match);
		break;
	}
	return 0;
}

static int split_piece(struct val_ctx *c, struct value *l, const char *s, size_t n)
{
	char *copy = val_strndup(c, s, n);
	struct value piece;

	if (!copy)
		return -1;
	piece = val_str(copy, n);
	return val_list_append(c, l, &piece);
}

static int bi_split(struct val_ctx *c, const struct value *s, const struct value *sep, struct value *out)
{
	struct value l = {.type = VAL_LIST};
	const char *p = s->u.s, *end, *hit;

	if (need(s, VAL_STR, "split", 0, &c->err) < 0 || need(sep, VAL_STR, "split", 1, &c->err) < 0)
		return -1;
	if (sep->len == 0)
		return val_fail(&c->err, "split: empty separator");
	end = s->u.s + s->len;
	while ((hit = find_bytes(p, (size_t)(end - p), sep->u.s, sep->len))) {
		if (split_piece(c, &l, p, (size_t)(hit - p)) < 0)
			return -1;
		p = hit + sep->len;
	}
	if (split_piece(c, &l, p, (size_t)(end - p)) < 0)
		return -1;
	*out = l;
	return 0;
}

static int bi_join(struct val_ctx *c, const struct value *x, const struct value *sep, struct value *out)
{
	struct value l;
	size_t n = 0, off = 0;
	char *s;

	if (need_list(x, "join", &l, &c->err) < 0 || need(sep, VAL_STR, "join", 1, &c->err) < 0)
		return -1;
	for (uint32_t i = 0; i < l.len; i++) {
		if (l.u.items[i].type != VAL_STR)
			return val_fail(&c->err, "join: element %u is %s, not a string", i,
					val_a_type(&l.u.items[i]));
		n += l.u.items[i].len + (i ? sep->len : 0);
		if (n > VAL_MAX_STR)
			return val_fail(&c->err, "join: string longer than %u bytes", VAL_MAX_STR);
	}
	if (!(s = val_alloc(c, n + 1)))
		return -1;
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

/* human_size(n): a byte count for people, as format_size spells it. */
static int bi_human_size(struct val_ctx *c, const struct value *n, struct value *out)
{
	char buf[SIZE_TEXT_MAX], *copy;
	size_t len;

	if (need(n, VAL_INT, "human_size", 0, &c->err) < 0)
		return -1;
	if (n->u.i < 0)
		return val_fail(&c->err, "human_size: %lld is negative", (long long)n->u.i);
	len = strlen(format_size((uint64_t)n->u.i, buf));
	if (!(copy = val_strndup(c, buf, len)))
		return -1;
	*out = val_str(copy, len);
	return 0;
}

/* The work of reading an argument: its bytes or its items. */
static uint64_t arg_work(const struct value *v)
{
	if (v->type == VAL_STR || v->type == VAL_VER)
		return val_bytes_work(v->len);
	if (v->type == VAL_LIST || val_is_lit(v))
		return 1 + (uint64_t)v->len;
	return 1;
}

int builtin_call(struct val_ctx *c, int id, const struct value *args, struct value *out)
{
	uint64_t work = 0;

	if (id < 0 || id >= BI__COUNT)
		return val_fail(&c->err, "unknown builtin %d", id);
	for (unsigned i = 0; i < builtin_table[id].arity; i++)
		work += arg_work(&args[i]);
	if (val_charge(c, work) < 0)
		return -1;
	switch (id) {
	case BI_LEN:
		return bi_len(&args[0], out, &c->err);
	case BI_SUM:
		return bi_sum(&args[0], out, &c->err);
	case BI_MIN:
	case BI_MAX:
		return bi_minmax(c, &args[0], id == BI_MAX, out);
	case BI_LOWER:
	case BI_UPPER:
		return bi_case(c, &args[0], id == BI_UPPER, out);
	case BI_STARTSWITH:
	case BI_ENDSWITH:
	case BI_CONTAINS:
	case BI_GLOB:
		return bi_strpred(c, id, args, out);
	case BI_SPLIT:
		return bi_split(c, &args[0], &args[1], out);
	case BI_JOIN:
		return bi_join(c, &args[0], &args[1], out);
	case BI_VERSION:
		return bi_version(&args[0], out, &c->err);
	case BI_HUMAN_SIZE:
		return bi_human_size(c, &args[0], out);
	default: /* BI_STRING */
		return val_to_text(c, &args[0], out);
	}
}
