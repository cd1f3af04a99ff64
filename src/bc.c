/* bc.c - compiled programs: building, the .cpolb file format, disassembly.
 * The verifier is in bc_verify.c. */
#include "config.h"

#include "bc.h"
#include "schema.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const struct bc_opinfo bc_ops[OP__COUNT] = {
#define OP(name, kind, in, out, doc) {#name, OPK_##kind, in, out, doc},
#include "opcode_list.h"
#undef OP
};

static const char *const cmp_names[] = {NULL, "==", "!=", "<", "<=", ">", ">="};
static const char *const cfg_names[] = {NULL,		"Entrypoint", "Cmd",	   "Env",
					"User",		"WorkingDir", "Labels",	   "annotations",
					"ExposedPorts", "Volumes",    "StopSignal"};

const char *bc_cmp_name(uint32_t cmp)
{
	return cmp >= 1 && cmp < ARRAY_SIZE(cmp_names) ? cmp_names[cmp] : NULL;
}

const char *bc_cfg_name(uint32_t cfg)
{
	return cfg >= 1 && cfg < ARRAY_SIZE(cfg_names) ? cfg_names[cfg] : NULL;
}

/* ---- building ----------------------------------------------------------- */

struct bc_program *bc_new(void)
{
	struct bc_program *p = xcalloc(1, sizeof(*p));

	arena_init(&p->mem);
	return p;
}

void bc_free(struct bc_program *p)
{
	if (!p)
		return;
	json_decref(p->schema);
	for (size_t i = 0; i < p->nfiles; i++)
		free(p->files[i].path);
	free(p->files);
	for (size_t i = 0; i < p->npolicies; i++)
		free(p->policies[i].name);
	free(p->policies);
	for (size_t i = 0; i < p->nblocks; i++) {
		free(p->blocks[i].captures);
		free(p->blocks[i].code);
		free(p->blocks[i].lines);
	}
	free(p->blocks);
	for (size_t i = 0; i < p->nconsts; i++)
		free(p->const_items[i]);
	free(p->const_items);
	free(p->khash);
	free(p->consts);
	arena_release(&p->mem);
	free(p);
}

/* ---- the constant pool -------------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15u + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdu;
}

/* The hash of a constant's content: its type, and its scalar, its bytes or
 * (a list) its items' indices. */
static uint64_t const_hash(const struct value *v, const uint32_t *items)
{
	uint64_t h = mix(1469598103934665603u, v->type);

	switch (v->type) {
	case VAL_BOOL:
		return mix(h, v->u.b);
	case VAL_INT:
		return mix(h, (uint64_t)v->u.i);
	case VAL_STR:
	case VAL_VER:
		for (uint32_t i = 0; i < v->len; i++)
			h = (h ^ (unsigned char)v->u.s[i]) * 1099511628211u;
		return mix(h, v->len);
	case VAL_LIST:
	case VAL_REC:
		for (uint32_t i = 0; i < val_nparts(v); i++)
			h = mix(h, items[i]);
		return mix(h, v->len);
	default:
		return h;
	}
}

/* Is pool constant i the same as v (a list: with item indices items)?
 * Same type and the same bytes: stricter than val_equal ("1.0" the string
 * and 1.0 the version stay distinct constants). */
static bool const_same(const struct bc_program *p, size_t i, const struct value *v, const uint32_t *items)
{
	const struct value *a = &p->consts[i];

	if (a->type != v->type || a->len != v->len)
		return false;
	switch (a->type) {
	case VAL_BOOL:
		return a->u.b == v->u.b;
	case VAL_INT:
		return a->u.i == v->u.i;
	case VAL_STR:
	case VAL_VER:
		return !memcmp(a->u.s, v->u.s, a->len);
	case VAL_LIST:
	case VAL_REC:
		return !memcmp(p->const_items[i], items, (size_t)val_nparts(a) * sizeof(*items));
	default:
		return true;
	}
}

static void khash_put(struct bc_program *p, uint32_t idx);

static void khash_grow(struct bc_program *p)
{
	free(p->khash);
	p->khcap = p->khcap ? 2 * p->khcap : 64;
	p->khash = xmalloc(p->khcap * sizeof(*p->khash));
	memset(p->khash, 0xff, p->khcap * sizeof(*p->khash));
	for (size_t i = 0; i < p->nconsts; i++)
		khash_put(p, (uint32_t)i);
}

static void khash_put(struct bc_program *p, uint32_t idx)
{
	size_t m = p->khcap - 1, at = const_hash(&p->consts[idx], p->const_items[idx]) & m;

	while (p->khash[at] != UINT32_MAX)
		at = (at + 1) & m;
	p->khash[at] = idx;
}

static int const_lookup(const struct bc_program *p, const struct value *v, const uint32_t *items)
{
	size_t m, at;

	if (!p->khcap)
		return -1;
	m = p->khcap - 1;
	for (at = const_hash(v, items) & m; p->khash[at] != UINT32_MAX; at = (at + 1) & m)
		if (const_same(p, p->khash[at], v, items))
			return (int)p->khash[at];
	return -1;
}

/* Append v (strings copied into mem; a list's items given as indices). */
static uint32_t const_append(struct bc_program *p, const struct value *v, uint32_t *items)
{
	struct value c = *v;

	c.flags = v->flags & VAL_F_LIT;
	if (v->type == VAL_STR || v->type == VAL_VER) {
		c.u.s = arena_strndup(&p->mem, v->u.s, v->len);
	} else if (v->type == VAL_LIST || v->type == VAL_REC) {
		struct value *iv = arena_alloc(&p->mem, (size_t)val_nparts(v) * sizeof(*iv));
		for (uint32_t k = 0; k < val_nparts(v); k++)
			iv[k] = p->consts[items[k]]; /* shared with the pool */
		c.u.items = iv;
	}
	xgrow((void **)&p->consts, &p->capconsts, p->nconsts + 1, sizeof(*p->consts));
	p->const_items = xrealloc(p->const_items, p->capconsts * sizeof(*p->const_items));
	p->consts[p->nconsts] = c;
	p->const_items[p->nconsts] = items;
	if (2 * (p->nconsts + 1) > p->khcap) {
		p->nconsts++;
		khash_grow(p);
	} else {
		khash_put(p, (uint32_t)p->nconsts);
		p->nconsts++;
	}
	return (uint32_t)(p->nconsts - 1);
}

/* What bc_const_add has added for a list in this call, by the address of
 * its items: a list that shares its parts is walked once per part. An
 * open-addressed table (cap a power of two, or 0). */
struct seen {
	const struct value *items;
	uint32_t len, k;
};
struct adding {
	struct seen *v;
	size_t n, cap, parts;
};

static struct seen *seen_slot(const struct adding *ad, const struct value *items, uint32_t len)
{
	size_t m = ad->cap - 1, at = (size_t)mix((uintptr_t)items, len) & m;

	while (ad->v[at].items && !(ad->v[at].items == items && ad->v[at].len == len))
		at = (at + 1) & m;
	return &ad->v[at];
}

static void seen_put(struct adding *ad, const struct value *items, uint32_t len, uint32_t k)
{
	if (2 * (ad->n + 1) > ad->cap) {
		struct adding old = *ad;
		ad->cap = old.cap ? 2 * old.cap : 64;
		ad->v = xcalloc(ad->cap, sizeof(*ad->v));
		for (size_t i = 0; i < old.cap; i++)
			if (old.v[i].items)
				*seen_slot(ad, old.v[i].items, old.v[i].len) = old.v[i];
		free(old.v);
	}
	*seen_slot(ad, items, len) = (struct seen){items, len, k};
	ad->n++;
}

static int add_rec(struct bc_program *p, const struct value *v, struct adding *ad, unsigned depth,
		   uint32_t *k)
{
	uint32_t *items = NULL;
	struct seen *sn;
	int i;

	if (++ad->parts > BC_MAX_CONSTS || depth > VAL_MAX_DEPTH)
		return -1;
	if (v->type == VAL_REC && !val_is_lit(v))
		return -1; /* a record of the request or a catalog is never constant */
	if (v->type == VAL_LIST || v->type == VAL_REC) {
		if (v->len && ad->cap && (sn = seen_slot(ad, v->u.items, val_nparts(v)))->items) {
			*k = sn->k;
			return 0;
		}
		items = xmalloc(((size_t)val_nparts(v) + 1) * sizeof(*items));
		for (uint32_t j = 0; j < val_nparts(v); j++)
			if (add_rec(p, &v->u.items[j], ad, depth + 1, &items[j]) < 0) {
				free(items);
				return -1;
			}
	}
	i = const_lookup(p, v, items);
	if (i >= 0) {
		free(items);
		*k = (uint32_t)i;
	} else {
		*k = const_append(p, v, items);
	}
	if ((v->type == VAL_LIST || v->type == VAL_REC) && v->len)
		seen_put(ad, v->u.items, val_nparts(v), *k);
	return 0;
}

int bc_const_add(struct bc_program *p, const struct value *v, uint32_t *k)
{
	struct adding ad = {0};
	int rc = add_rec(p, v, &ad, 0, k);

	free(ad.v);
	return rc;
}

uint32_t bc_const(struct bc_program *p, const struct value *v)
{
	uint32_t k = 0;

	if (bc_const_add(p, v, &k) < 0)
		abort(); /* only lists can fail */
	return k;
}

uint32_t bc_block_new(struct bc_program *p, enum bc_block_kind kind)
{
	struct bc_block *b;

	xgrow((void **)&p->blocks, &p->capblocks, p->nblocks + 1, sizeof(*p->blocks));
	b = &p->blocks[p->nblocks];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	return (uint32_t)p->nblocks++;
}

uint32_t bc_emit(struct bc_block *b, uint32_t word, struct bc_line line)
{
	size_t cap = b->capcode;

	xgrow((void **)&b->code, &cap, b->ncode + 1, sizeof(*b->code));
	if (cap != b->capcode) {
		b->lines = xrealloc(b->lines, cap * sizeof(*b->lines));
		b->capcode = (uint32_t)cap;
	}
	b->code[b->ncode] = word;
	b->lines[b->ncode] = line;
	return b->ncode++;
}

bool bc_is_module(const void *data, size_t len)
{
	return len >= BC_MAGIC_LEN && !memcmp(data, BC_MAGIC, BC_MAGIC_LEN);
}

void bc_where(const struct bc_program *p, const struct bc_block *b, uint32_t pc, char *buf, size_t n)
{
	const struct bc_line *l;

	if (pc >= b->ncode || b->lines[pc].file >= p->nfiles) {
		snprintf(buf, n, "<unknown>");
		return;
	}
	l = &b->lines[pc];
	snprintf(buf, n, "%s:%" PRIu32 ":%" PRIu32, p->files[l->file].path, l->line, l->col);
}

/* ---- saving ------------------------------------------------------------- */

static void put_u32(struct strbuf *sb, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	sb_add(sb, b, 4);
}

static void put_str(struct strbuf *sb, const char *s, size_t n)
{
	put_u32(sb, (uint32_t)n);
	sb_add(sb, s, n);
}

static void save_const(const struct bc_program *p, size_t i, struct strbuf *out)
{
	const struct value *v = &p->consts[i];
	uint64_t u;

	sb_addc(out, (char)v->type);
	switch (v->type) {
	case VAL_INT:
		u = (uint64_t)v->u.i;
		put_u32(out, (uint32_t)u);
		put_u32(out, (uint32_t)(u >> 32));
		break;
	case VAL_STR:
	case VAL_VER:
		put_str(out, v->u.s, v->len);
		break;
	case VAL_LIST:
	case VAL_REC: /* members: key and value indices in key order */
		put_u32(out, v->len);
		for (uint32_t k = 0; k < val_nparts(v); k++)
			put_u32(out, p->const_items[i][k]);
		break;
	case VAL_BOOL:
		sb_addc(out, (char)v->u.b);
		break;
	default:
		break;
	}
}

void bc_save(const struct bc_program *p, struct strbuf *out)
{
	sb_add(out, BC_MAGIC, BC_MAGIC_LEN);
	put_u32(out, BC_FORMAT);
	put_u32(out, (uint32_t)p->nfiles);
	for (size_t i = 0; i < p->nfiles; i++) {
		put_str(out, p->files[i].path, strlen(p->files[i].path));
		put_str(out, p->files[i].digest, strlen(p->files[i].digest));
	}
	put_u32(out, (uint32_t)p->nconsts);
	for (size_t i = 0; i < p->nconsts; i++)
		save_const(p, i, out);
	put_u32(out, (uint32_t)p->npolicies);
	for (size_t i = 0; i < p->npolicies; i++) {
		put_str(out, p->policies[i].name, strlen(p->policies[i].name));
		put_u32(out, p->policies[i].block);
	}
	put_u32(out, (uint32_t)p->nblocks);
	for (size_t i = 0; i < p->nblocks; i++) {
		const struct bc_block *b = &p->blocks[i];
		sb_addc(out, (char)b->kind);
		put_u32(out, b->nlocals);
		put_u32(out, b->ncaptures);
		for (uint32_t k = 0; k < b->ncaptures; k++)
			put_u32(out, b->captures[k]);
		put_u32(out, b->ncode);
		for (uint32_t k = 0; k < b->ncode; k++)
			put_u32(out, b->code[k]);
		for (uint32_t k = 0; k < b->ncode; k++) {
			put_u32(out, b->lines[k].file);
			put_u32(out, b->lines[k].line);
			put_u32(out, b->lines[k].col);
		}
	}
	{
		char *js = p->schema ? json_dumps(p->schema, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		put_str(out, js ? js : "", js ? strlen(js) : 0);
		free(js);
	}
}

/* ---- loading ------------------------------------------------------------ */

struct reader {
	const unsigned char *p;
	size_t len, off;
	const char *what; /* first failure, or NULL */
};

static bool rd_fail(struct reader *r, const char *what)
{
	if (!r->what)
		r->what = what;
	return false;
}

static bool rd_u8(struct reader *r, uint8_t *v)
{
	if (r->what || r->len - r->off < 1)
		return rd_fail(r, "truncated");
	*v = r->p[r->off++];
	return true;
}

static bool rd_u32(struct reader *r, uint32_t *v)
{
	const unsigned char *b;

	if (r->what || r->len - r->off < 4)
		return rd_fail(r, "truncated");
	b = r->p + r->off;
	*v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	r->off += 4;
	return true;
}

/* A count of items of at least `each` bytes that must fit in what is left. */
static bool rd_count(struct reader *r, uint32_t *n, size_t each, const char *what)
{
	if (!rd_u32(r, n))
		return false;
	if ((size_t)*n > (r->len - r->off) / each)
		return rd_fail(r, what);
	return true;
}

/* A string; *s points into the input (not NUL-terminated). */
static bool rd_str(struct reader *r, const char **s, uint32_t *n)
{
	if (!rd_count(r, n, 1, "string runs past the end"))
		return false;
	*s = (const char *)r->p + r->off;
	r->off += *n;
	return true;
}

static char *rd_cstr(struct reader *r, const char *what)
{
	const char *s;
	uint32_t n;

	if (!rd_str(r, &s, &n))
		return NULL;
	if (memchr(s, '\0', n)) {
		rd_fail(r, what);
		return NULL;
	}
	return xstrndup(s, n);
}

static bool load_files(struct reader *r, struct bc_program *p)
{
	uint32_t n;

	if (!rd_count(r, &n, 8, "bad file count"))
		return false;
	p->files = xcalloc(n, sizeof(*p->files));
	for (uint32_t i = 0; i < n; i++) {
		const char *s;
		uint32_t len;
		p->files[i].path = rd_cstr(r, "NUL byte in a file name");
		if (!p->files[i].path)
			return false;
		p->nfiles++;
		if (!rd_str(r, &s, &len))
			return false;
		if (len != 64 && len != 0)
			return rd_fail(r, "bad source digest");
		memcpy(p->files[i].digest, s, len);
		p->files[i].digest[len] = '\0';
	}
	return true;
}

/* Bytewise order of two strings, the shorter first on a tie. */
static int key_order(const struct value *a, const struct value *b)
{
	size_t m = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->u.s, b->u.s, m);

	return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* A record constant: n members, each a key (an earlier string constant,
 * in strictly increasing bytewise order) and a value. */
static bool load_rec_const(struct reader *r, struct bc_program *p, struct value *v)
{
	uint32_t n, idx;
	struct value *items;

	if (!rd_count(r, &n, 8, "bad record constant length"))
		return false;
	items = arena_alloc(&p->mem, (size_t)n * 2 * sizeof(*items));
	p->const_items[p->nconsts] = xmalloc(((size_t)n * 2 + 1) * sizeof(uint32_t));
	for (uint32_t k = 0; k < 2 * n; k++) {
		if (!rd_u32(r, &idx))
			return false;
		if (idx >= p->nconsts)
			return rd_fail(r, "record constant refers to a later constant");
		items[k] = p->consts[idx];
		p->const_items[p->nconsts][k] = idx;
		if (k % 2 == 0 && items[k].type != VAL_STR)
			return rd_fail(r, "record constant with a key that is not a string");
		if (k % 2 == 0 && k && key_order(&items[k - 2], &items[k]) >= 0)
			return rd_fail(r, "record constant with keys out of order");
	}
	v->flags = VAL_F_LIT;
	v->len = n;
	v->u.items = items;
	return true;
}

static bool load_const(struct reader *r, struct bc_program *p, struct value *v)
{
	uint8_t t, b;
	uint32_t lo, hi, n;
	const char *s;
	struct value *items;

	if (!rd_u8(r, &t))
		return false;
	memset(v, 0, sizeof(*v));
	v->type = t;
	switch (t) {
	case VAL_NULL:
		return true;
	case VAL_BOOL:
		if (!rd_u8(r, &b) || b > 1)
			return rd_fail(r, "bad boolean constant");
		v->u.b = b;
		return true;
	case VAL_INT:
		if (!rd_u32(r, &lo) || !rd_u32(r, &hi))
			return false;
		v->u.i = (int64_t)((uint64_t)hi << 32 | lo);
		return true;
	case VAL_STR:
	case VAL_VER:
		if (!rd_str(r, &s, &n))
			return false;
		v->len = n;
		v->u.s = arena_strndup(&p->mem, s, n);
		return true;
	case VAL_LIST:
		if (!rd_count(r, &n, 4, "bad list constant length"))
			return false;
		items = arena_alloc(&p->mem, (size_t)n * sizeof(*items));
		p->const_items[p->nconsts] = xmalloc(((size_t)n + 1) * sizeof(uint32_t));
		for (uint32_t k = 0; k < n; k++) {
			uint32_t idx;
			if (!rd_u32(r, &idx))
				return false;
			if (idx >= p->nconsts)
				return rd_fail(r, "list constant refers to a later constant");
			items[k] = p->consts[idx];
			p->const_items[p->nconsts][k] = idx;
		}
		v->len = n;
		v->u.items = items;
		return true;
	case VAL_REC:
		return load_rec_const(r, p, v);
	default:
		return rd_fail(r, "bad constant type");
	}
}

static bool load_consts(struct reader *r, struct bc_program *p)
{
	uint32_t n;

	if (!rd_count(r, &n, 1, "bad constant count"))
		return false;
	p->consts = xcalloc(n, sizeof(*p->consts));
	p->const_items = xcalloc(n ? n : 1, sizeof(*p->const_items));
	p->capconsts = n;
	for (uint32_t i = 0; i < n; i++) {
		if (!load_const(r, p, &p->consts[i])) {
			free(p->const_items[i]); /* a list read in part */
			p->const_items[i] = NULL;
			return false;
		}
		p->nconsts++;
	}
	return true;
}

static bool load_policies(struct reader *r, struct bc_program *p)
{
	uint32_t n;

	if (!rd_count(r, &n, 8, "bad policy count"))
		return false;
	p->policies = xcalloc(n, sizeof(*p->policies));
	for (uint32_t i = 0; i < n; i++) {
		p->policies[i].name = rd_cstr(r, "NUL byte in a policy name");
		if (!p->policies[i].name)
			return false;
		p->npolicies++;
		if (!rd_u32(r, &p->policies[i].block))
			return false;
	}
	return true;
}

static bool load_block(struct reader *r, struct bc_block *b)
{
	uint8_t kind;

	if (!rd_u8(r, &kind))
		return false;
	if (kind > BC_ADMIT)
		return rd_fail(r, "bad block kind");
	b->kind = kind;
	if (!rd_u32(r, &b->nlocals) || !rd_count(r, &b->ncaptures, 4, "bad capture count"))
		return false;
	b->captures = xcalloc(b->ncaptures, sizeof(*b->captures));
	for (uint32_t k = 0; k < b->ncaptures; k++)
		if (!rd_u32(r, &b->captures[k]))
			return false;
	if (!rd_count(r, &b->ncode, 16, "bad code length"))
		return false;
	b->capcode = b->ncode;
	b->code = xcalloc(b->ncode, sizeof(*b->code));
	b->lines = xcalloc(b->ncode, sizeof(*b->lines));
	for (uint32_t k = 0; k < b->ncode; k++)
		rd_u32(r, &b->code[k]);
	for (uint32_t k = 0; k < b->ncode; k++) {
		rd_u32(r, &b->lines[k].file);
		rd_u32(r, &b->lines[k].line);
		rd_u32(r, &b->lines[k].col);
	}
	return !r->what;
}

static bool load_blocks(struct reader *r, struct bc_program *p)
{
	uint32_t n;

	if (!rd_count(r, &n, 13, "bad block count"))
		return false;
	p->blocks = xcalloc(n, sizeof(*p->blocks));
	p->capblocks = n;
	for (uint32_t i = 0; i < n; i++) {
		p->nblocks++;
		if (!load_block(r, &p->blocks[i]))
			return false;
	}
	return true;
}

/* The input schema: its JSON text, empty for none; a schema must be well
 * formed (schema_well_formed), as the validator trusts its shape. */
static bool load_schema(struct reader *r, struct bc_program *p)
{
	const char *s;
	uint32_t n;

	if (!rd_str(r, &s, &n))
		return false;
	if (!n)
		return true;
	p->schema = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
	if (!p->schema || !schema_well_formed(p->schema))
		return rd_fail(r, "bad input schema");
	return true;
}

struct bc_program *bc_load(const void *data, size_t len, const char *path, struct diag *d)
{
	struct reader r = {data, len, 0, NULL};
	struct bc_program *p;
	uint32_t version;

	if (!bc_is_module(data, len)) {
		diag_file_error(d, path, 0, 0, "bytecode", "not a cpolc bytecode module");
		return NULL;
	}
	r.off = BC_MAGIC_LEN;
	if (!rd_u32(&r, &version) || version != BC_FORMAT) {
		diag_file_error(d, path, 0, 0, "bytecode",
				"unsupported bytecode format version %" PRIu32 " (this cpolc reads %d)",
				r.what ? 0 : version, BC_FORMAT);
		return NULL;
	}
	p = bc_new();
	if (load_files(&r, p) && load_consts(&r, p) && load_policies(&r, p) && load_blocks(&r, p) &&
	    load_schema(&r, p) && r.off != r.len)
		rd_fail(&r, "trailing bytes after the input schema");
	if (r.what) {
		diag_file_error(d, path, 0, 0, "bytecode", "corrupt bytecode module at byte %zu: %s", r.off,
				r.what);
		bc_free(p);
		return NULL;
	}
	if (bc_verify(p, path, d) < 0) {
		bc_free(p);
		return NULL;
	}
	return p;
}

/* ---- disassembly -------------------------------------------------------- */

static void print_text(FILE *out, const char *s, uint32_t n)
{
	fputc('"', out);
	for (uint32_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u{%x}", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* A constant as source text; a list shows at most *left elements in all
 * (then "..."): a list of a module's pool may share its parts, and 30
 * levels of sharing would print 2^30 elements. */
static void print_const_in(FILE *out, const struct value *v, size_t *left, unsigned depth)
{
	switch (v->type) {
	case VAL_NULL:
		fputs("null", out);
		break;
	case VAL_BOOL:
		fputs(v->u.b ? "true" : "false", out);
		break;
	case VAL_INT:
		fprintf(out, "%" PRId64, v->u.i);
		break;
	case VAL_STR:
		print_text(out, v->u.s, v->len);
		break;
	case VAL_VER:
		fputs("version(", out);
		print_text(out, v->u.s, v->len);
		fputc(')', out);
		break;
	case VAL_LIST:
		fputc('[', out);
		for (uint32_t i = 0; i < v->len; i++) {
			if (i)
				fputs(", ", out);
			if (!*left || depth >= 32) {
				fputs("...", out);
				break;
			}
			--*left;
			print_const_in(out, &v->u.items[i], left, depth + 1);
		}
		fputc(']', out);
		break;
	case VAL_REC:
		fputc('{', out);
		for (uint32_t i = 0; i < v->len; i++) {
			if (i)
				fputs(", ", out);
			if (!*left || depth >= 32) {
				fputs("...", out);
				break;
			}
			--*left;
			print_text(out, v->u.items[2 * i].u.s, v->u.items[2 * i].len);
			fputs(": ", out);
			print_const_in(out, &v->u.items[2 * i + 1], left, depth + 1);
		}
		fputc('}', out);
		break;
	default:
		fputs("?", out);
	}
}

static void print_const(FILE *out, const struct value *v)
{
	size_t left = 256;

	print_const_in(out, v, &left, 0);
}

static void print_operand(FILE *out, const struct bc_program *p, const struct bc_block *b, uint32_t pc)
{
	uint32_t w = b->code[pc], a = BC_A(w);
	enum bc_op op = BC_OP(w);

	switch (bc_ops[op].kind) {
	case OPK_NONE:
		break;
	case OPK_K:
		fprintf(out, "#%" PRIu32 " ", a);
		if (a < p->nconsts)
			print_const(out, &p->consts[a]);
		break;
	case OPK_J:
		fprintf(out, "-> %04" PRIu32, a);
		break;
	case OPK_S:
		fprintf(out, "$%" PRIu32, a);
		break;
	case OPK_N:
		if ((op == OP_INCLUDEV || op == OP_BASEV) && bc_cmp_name(a))
			fprintf(out, "%s", bc_cmp_name(a));
		else if ((op == OP_CFG || op == OP_CFGKV || op == OP_CFGKEY) && bc_cfg_name(a))
			fprintf(out, "%s", bc_cfg_name(a));
		else if (op == OP_FILE)
			fprintf(out, "mode 0%" PRIo32, a);
		else
			fprintf(out, "%" PRIu32, a);
		break;
	case OPK_F:
		fprintf(out, "%s", a < BI__COUNT ? builtin_table[a].name : "?");
		break;
	case OPK_C:
		fprintf(out, "block %" PRIu32, a);
		break;
	case OPK_SJ:
		fprintf(out, "$%" PRIu32 " -> %04" PRIu32, a, pc + 1 < b->ncode ? b->code[pc + 1] : 0);
		break;
	}
}

static const char *const block_kinds[] = {"policy", "check", "admit", "expr"};

void bc_print_opcodes(FILE *out)
{
	static const char *const kinds[] = {
		[OPK_NONE] = "-",   [OPK_K] = "const",	 [OPK_J] = "jump",  [OPK_S] = "slot",
		[OPK_N] = "number", [OPK_F] = "builtin", [OPK_C] = "block", [OPK_SJ] = "slot+jump",
	};

	fprintf(out, "; cpolc bytecode, format %d: %d opcodes\n", BC_FORMAT, (int)OP__COUNT);
	fprintf(out, "%3s  %-9s %-9s %-11s %s\n", "op", "name", "operand", "stack", "effect");
	for (int i = 0; i < OP__COUNT; i++) {
		const struct bc_opinfo *o = &bc_ops[i];
		char stack[32];
		if (o->in < 0)
			snprintf(stack, sizeof(stack), "%s -> %d", o->kind == OPK_F ? "arity" : "A", o->out);
		else
			snprintf(stack, sizeof(stack), "%d -> %d", o->in, o->out);
		fprintf(out, "%3d  %-9s %-9s %-11s %s\n", i, o->name, kinds[o->kind], stack, o->doc);
	}
}

static void disasm_block(FILE *out, const struct bc_program *p, size_t i)
{
	const struct bc_block *b = &p->blocks[i];
	char where[512], last[512] = "";

	fprintf(out, "\nblock %zu %s locals=%" PRIu32 " stack=%" PRIu32, i,
		b->kind <= BC_EXPR ? block_kinds[b->kind] : "?", b->nlocals, b->maxstack);
	if (b->ncaptures) {
		fputs(" captures=", out);
		for (uint32_t k = 0; k < b->ncaptures; k++)
			fprintf(out, "%s$%" PRIu32, k ? "," : "", b->captures[k]);
	}
	if (b->reads_selected)
		fputs(" reads-selected", out);
	fputc('\n', out);
	for (uint32_t pc = 0; pc < b->ncode;) {
		enum bc_op op = BC_OP(b->code[pc]);
		if (op >= OP__COUNT) {
			fprintf(out, "  %04" PRIu32 "  .word 0x%08" PRIx32 "\n", pc, b->code[pc]);
			pc++;
			continue;
		}
		char *text = NULL;
		size_t tlen = 0;
		FILE *m = open_memstream(&text, &tlen);
		if (!m)
			abort();
		fprintf(m, "  %04" PRIu32 "  %-9s ", pc, bc_ops[op].name);
		print_operand(m, p, b, pc);
		fclose(m);
		while (tlen && text[tlen - 1] == ' ')
			text[--tlen] = '\0';
		fputs(text, out);
		bc_where(p, b, pc, where, sizeof(where));
		if (strcmp(where, last)) {
			fprintf(out, "%*s; %s", tlen < 44 ? (int)(44 - tlen) : 1, "", where);
			snprintf(last, sizeof(last), "%s", where);
		}
		free(text);
		fputc('\n', out);
		pc += bc_ops[op].kind == OPK_SJ ? 2 : 1;
	}
}

void bc_disasm(const struct bc_program *p, FILE *out)
{
	fprintf(out, "; cpolc bytecode, format %d\n", BC_FORMAT);
	for (size_t i = 0; i < p->nfiles; i++)
		fprintf(out, "file %zu %s sha256:%s\n", i, p->files[i].path, p->files[i].digest);
	for (size_t i = 0; i < p->npolicies; i++) {
		fputs("policy ", out);
		print_text(out, p->policies[i].name, (uint32_t)strlen(p->policies[i].name));
		fprintf(out, " block %" PRIu32 "\n", p->policies[i].block);
	}
	fprintf(out, "\nconstants %zu\n", p->nconsts);
	for (size_t i = 0; i < p->nconsts; i++) {
		fprintf(out, "  #%zu ", i);
		print_const(out, &p->consts[i]);
		fputc('\n', out);
	}
	for (size_t i = 0; i < p->nblocks; i++)
		disasm_block(out, p, i);
}
