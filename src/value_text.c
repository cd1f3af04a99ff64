/* value_text.c - values as text (string()) and glob(), within the budget.
 *
 * string() of a list or record is compact JSON with sorted keys, as
 * json_dumps(JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) writes it,
 * but written here, paying for every element and byte on the way: a list
 * that shares its parts (let a1 = [a0, a0]; ... a30) would otherwise be
 * expanded to 2^30 elements in memory before anything was counted.
 *
 * glob() is fnmatch(3) with no flags in the C locale, whose `*` takes
 * exponential time on patterns like "*a*a*a*a*b". The pattern is split at
 * its stars into star-free segments of fixed length; the first and last
 * are anchored and each middle one is placed at its leftmost fit (which is
 * optimal for fixed-length segments). Each placement is decided by
 * fnmatch(3) on the segment alone, so brackets, classes and escapes mean
 * exactly what they mean to fnmatch, and a star-free match is linear.
 */
#include "config.h"

#include "value.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- string() --------------------------------------------------------------- */

struct writer {
	struct val_ctx *c;
	char *buf;
	size_t len, cap, max;
};

static int w_put(struct writer *w, const char *s, size_t n)
{
	if (n > w->max - w->len)
		return val_out_of_bytes(w->c);
	if (val_charge(w->c, val_bytes_work(n)) < 0)
		return -1;
	if (w->len + n > w->cap) {
		w->cap = w->len + n > 2 * w->cap ? w->len + n : 2 * w->cap;
		w->buf = xrealloc(w->buf, w->cap);
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	return 0;
}

static int w_str(struct writer *w, const char *s)
{
	return w_put(w, s, strlen(s));
}

/* A JSON string as jansson writes it (no ASCII or slash escaping); text
 * that is not UTF-8 cannot be written. */
static int w_quoted(struct writer *w, const char *s, size_t n)
{
	size_t i, run = 0;
	char esc[8];

	if (!utf8_valid(s, n, NULL))
		return val_fail(&w->c->err, "cannot convert a string that is not UTF-8 to JSON");
	if (w_put(w, "\"", 1) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		const char *e = NULL;
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		if (w_put(w, s + run, i - run) < 0)
			return -1;
		switch (ch) {
		case '"':
			e = "\\\"";
			break;
		case '\\':
			e = "\\\\";
			break;
		case '\b':
			e = "\\b";
			break;
		case '\f':
			e = "\\f";
			break;
		case '\n':
			e = "\\n";
			break;
		case '\r':
			e = "\\r";
			break;
		case '\t':
			e = "\\t";
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04X", ch);
			e = esc;
			break;
		}
		if (w_str(w, e) < 0)
			return -1;
		run = i + 1;
	}
	if (w_put(w, s + run, n - run) < 0)
		return -1;
	return w_put(w, "\"", 1);
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int w_json(struct writer *w, const json_t *j, unsigned depth);

static int w_object(struct writer *w, const json_t *j, unsigned depth)
{
	size_t n = json_object_size(j), i = 0;
	const char **keys, *key;
	json_t *v;
	int rc = 0;

	if (val_charge(w->c, 1 + n) < 0)
		return -1;
	keys = xcalloc(n, sizeof(*keys));
	json_object_foreach((json_t *)j, key, v) keys[i++] = key;
	if (n)
		qsort(keys, n, sizeof(*keys), cmp_keys);
	rc = w_put(w, "{", 1);
	for (i = 0; rc == 0 && i < n; i++) {
		if ((i && w_put(w, ",", 1) < 0) || w_quoted(w, keys[i], strlen(keys[i])) < 0 ||
		    w_put(w, ":", 1) < 0 || w_json(w, json_object_get(j, keys[i]), depth + 1) < 0)
			rc = -1;
	}
	free(keys);
	return rc < 0 ? -1 : w_put(w, "}", 1);
}

/* A JSON value (a record or a member of one), as json_dumps writes it. */
static int w_json(struct writer *w, const json_t *j, unsigned depth)
{
	char buf[32];
	char *real;
	int rc;

	if (depth > VAL_MAX_DEPTH)
		return val_fail(&w->c->err, "a value nested deeper than %u levels", VAL_MAX_DEPTH);
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return w_object(w, j, depth);
	case JSON_ARRAY:
		if (w_put(w, "[", 1) < 0)
			return -1;
		for (size_t i = 0; i < json_array_size(j); i++)
			if ((i && w_put(w, ",", 1) < 0) || w_json(w, json_array_get(j, i), depth + 1) < 0)
				return -1;
		return w_put(w, "]", 1);
	case JSON_STRING:
		return w_quoted(w, json_string_value(j), json_string_length(j));
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		return w_str(w, buf);
	case JSON_REAL: /* jansson's own digits for reals */
		real = json_dumps(j, JSON_ENCODE_ANY);
		rc = real ? w_str(w, real) : val_fail(&w->c->err, "cannot write a number");
		free(real);
		return rc;
	case JSON_TRUE:
		return w_str(w, "true");
	case JSON_FALSE:
		return w_str(w, "false");
	default:
		return w_str(w, "null");
	}
}

static int w_value(struct writer *w, const struct value *v, unsigned depth);

/* A record literal: its members are already in bytewise key order. */
static int w_lit(struct writer *w, const struct value *v, unsigned depth)
{
	if (val_charge(w->c, 1 + (uint64_t)v->len) < 0 || w_put(w, "{", 1) < 0)
		return -1;
	for (uint32_t i = 0; i < v->len; i++) {
		const struct value *k = &v->u.items[2 * i];
		if ((i && w_put(w, ",", 1) < 0) || w_quoted(w, k->u.s, k->len) < 0 || w_put(w, ":", 1) < 0 ||
		    w_value(w, &v->u.items[2 * i + 1], depth + 1) < 0)
			return -1;
	}
	return w_put(w, "}", 1);
}

static int w_value(struct writer *w, const struct value *v, unsigned depth)
{
	char buf[32];

	if (depth > VAL_MAX_DEPTH)
		return val_fail(&w->c->err, "a value nested deeper than %u levels", VAL_MAX_DEPTH);
	switch (v->type) {
	case VAL_NULL:
		return w_str(w, "null");
	case VAL_BOOL:
		return w_str(w, v->u.b ? "true" : "false");
	case VAL_INT:
		snprintf(buf, sizeof(buf), "%" PRId64, v->u.i);
		return w_str(w, buf);
	case VAL_STR:
	case VAL_VER:
		return w_quoted(w, v->u.s, v->len);
	case VAL_LIST:
		if (w_put(w, "[", 1) < 0)
			return -1;
		for (uint32_t i = 0; i < v->len; i++)
			if ((i && w_put(w, ",", 1) < 0) || w_value(w, &v->u.items[i], depth + 1) < 0)
				return -1;
		return w_put(w, "]", 1);
	default:
		if (v->flags & VAL_F_LIT)
			return w_lit(w, v, depth);
		return w_json(w, v->u.rec, depth);
	}
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

static int list_text(struct val_ctx *c, const struct value *v, struct value *out)
{
	const struct arena *a = c->arena;
	size_t room = a->limit ? a->limit - a->total : VAL_MAX_STR;
	struct writer w = {c, NULL, 0, 0, room < VAL_MAX_STR ? room : VAL_MAX_STR};
	char *s;

	if (w_value(&w, v, 0) < 0) {
		free(w.buf);
		return -1;
	}
	s = val_alloc(c, w.len + 1);
	if (s) {
		memcpy(s, w.buf, w.len);
		s[w.len] = '\0';
		*out = val_str(s, w.len);
	}
	free(w.buf);
	return s ? 0 : -1;
}

int val_to_text(struct val_ctx *c, const struct value *v, struct value *out)
{
	char buf[32];
	char *s;
	size_t n;

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
		/* the digits written backwards straight into the arena, ending
		 * at the NUL that closes a block of 32 (rounded up anyway) */
		s = arena_alloc(c->arena, sizeof(buf));
		if (!s)
			return val_out_of_bytes(c);
		s[sizeof(buf) - 1] = '\0';
		n = int_text(v->u.i, s + sizeof(buf) - 1);
		*out = val_str(s + sizeof(buf) - 1 - n, n);
		return 0;
	default:
		return list_text(c, v, out);
	}
}

/* ---- glob() ----------------------------------------------------------------- */

/* The end of a bracket expression starting at p ('['), as fnmatch reads
 * it, or NULL when it is not closed (the '[' is then an ordinary
 * character). */
static const char *bracket_end(const char *p)
{
	const char *q = p + 1;

	if (*q == '!' || *q == '^')
		q++;
	for (bool first = true;; first = false) {
		if (*q == '\0')
			return NULL;
		if (*q == ']' && !first)
			return q + 1;
		if (*q == '\\') {
			if (!q[1])
				return NULL;
			q += 2;
			continue;
		}
		if (*q == '[' && (q[1] == ':' || q[1] == '.' || q[1] == '=')) {
			char kind = q[1];
			const char *r = q + 2;
			while (*r && !(r[0] == kind && r[1] == ']') &&
			       (kind != ':' || (*r >= 'a' && *r < 'z')))
				r++;
			if (r[0] == kind && r[1] == ']') {
				q = r + 2;
				continue;
			}
			if (kind != ':' && !*r)
				return NULL;
		}
		q++;
	}
}

/* The length of the pattern element at p: a character, '?', an escape or
 * a bracket expression. */
static size_t elem_len(const char *p)
{
	const char *end;

	if (*p == '\\')
		return p[1] ? 2 : 1;
	if (*p == '[' && (end = bracket_end(p)))
		return (size_t)(end - p);
	return 1;
}

struct seg {
	const char *p; /* the segment's pattern text, NUL-terminated copy */
	size_t n;      /* elements: the bytes of string it matches */
};

/* Split pattern p at its stars into segments (copies in *mem); the number
 * of segments is the number of stars plus one. */
static size_t split_stars(const char *p, struct seg **segs, char **mem)
{
	size_t len = strlen(p), nseg = 1, k = 0;
	char *out = xmalloc(2 * len + 2);
	struct seg *v = xcalloc(len + 2, sizeof(*v));

	v[0].p = out;
	while (*p) {
		size_t e = *p == '*' ? 1 : elem_len(p);
		if (*p == '*') {
			out[k++] = '\0';
			v[nseg].p = out + k;
			nseg++;
		} else {
			memcpy(out + k, p, e);
			k += e;
			v[nseg - 1].n++;
		}
		p += e;
	}
	out[k] = '\0';
	*segs = v;
	*mem = out;
	return nseg;
}

/* Does segment g match s[at, at + g->n)? tmp has room for the piece. */
static int seg_match(struct val_ctx *c, const struct seg *g, const char *s, size_t at, char *tmp, bool *ok)
{
	if (val_charge(c, val_bytes_work(strlen(g->p))) < 0)
		return -1;
	memcpy(tmp, s + at, g->n);
	tmp[g->n] = '\0';
	*ok = fnmatch(g->p, tmp, 0) == 0;
	return 0;
}

/* Place segments g[0..nseg) (nseg >= 2: the pattern has a star) in s:
 * the first at the start, the last at the end, each middle one at its
 * leftmost fit after the one before. */
static int glob_segs(struct val_ctx *c, const struct seg *g, size_t nseg, const char *s, char *tmp, bool *res)
{
	size_t n = strlen(s), pos, last = nseg - 1, limit;
	bool ok = false;

	*res = false;
	if (g[0].n + g[last].n > n)
		return 0;
	if (seg_match(c, &g[0], s, 0, tmp, &ok) < 0)
		return -1;
	if (!ok)
		return 0;
	pos = g[0].n;
	limit = n - g[last].n;
	for (size_t i = 1; i < last; i++) {
		size_t at = pos;
		for (ok = false; at + g[i].n <= limit; at++) {
			if (seg_match(c, &g[i], s, at, tmp, &ok) < 0)
				return -1;
			if (ok)
				break;
		}
		if (!ok)
			return 0;
		pos = at + g[i].n;
	}
	if (seg_match(c, &g[last], s, limit, tmp, &ok) < 0)
		return -1;
	*res = ok;
	return 0;
}

int val_glob(struct val_ctx *c, const char *p, const char *s, bool *res)
{
	struct seg *g;
	char *mem, *tmp;
	size_t nseg;
	int rc;

	if (!strchr(p, '*')) { /* star-free: fnmatch is linear */
		if (val_charge(c, val_bytes_work(strlen(p) + strlen(s))) < 0)
			return -1;
		*res = fnmatch(p, s, 0) == 0;
		return 0;
	}
	nseg = split_stars(p, &g, &mem);
	if (nseg == 1) { /* the stars were in brackets: star-free after all */
		free(mem);
		free(g);
		if (val_charge(c, val_bytes_work(strlen(p) + strlen(s))) < 0)
			return -1;
		*res = fnmatch(p, s, 0) == 0;
		return 0;
	}
	tmp = xmalloc(strlen(p) + 1);
	rc = glob_segs(c, g, nseg, s, tmp, res);
	free(tmp);
	free(mem);
	free(g);
	return rc;
}
