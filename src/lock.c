/* lock.c - writing, reading and comparing lock files (see lock.h). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lock.h"
#include "module.h"
#include "util.h"

void lock_init(struct lock *lk)
{
	memset(lk, 0, sizeof(*lk));
	lk->version = LOCK_VERSION;
}

static void ref_free(struct lock_ref *r)
{
	free(r->path);
	free(r->digest);
}

static void prim_free(struct lock_prim *p)
{
	free(p->name);
	free(p->version);
	free(p->digest);
	free(p->meta_digest);
	free(p->reason);
	free(p->layer_digest);
	free(p->diff_id);
}

void lock_release(struct lock *lk)
{
	size_t i;

	free(lk->policy);
	free(lk->platform);
	for (i = 0; i < lk->nmodules; i++)
		ref_free(&lk->modules[i]);
	free(lk->modules);
	for (i = 0; i < lk->ncatalogs; i++)
		ref_free(&lk->catalogs[i]);
	free(lk->catalogs);
	for (i = 0; i < lk->nprims; i++)
		prim_free(&lk->prims[i]);
	free(lk->prims);
	json_decref(lk->request);
	json_decref(lk->config);
	free(lk->manifest_digest);
	free(lk->config_digest);
	free(lk->from);
	free(lk->from_digest);
	free(lk->program);
	free(lk->program_digest);
	lock_init(lk);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = dup_or_null(s);
}

void lock_set_policy(struct lock *lk, const char *policy, const char *platform)
{
	set_str(&lk->policy, policy);
	set_str(&lk->platform, platform);
}

static void add_ref(struct lock_ref **v, size_t *n, size_t *cap, const char *path, const char *digest)
{
	xgrow((void **)v, cap, *n + 1, sizeof(**v));
	(*v)[*n].path = xstrdup(path ? path : "");
	(*v)[*n].digest = xstrdup(digest ? digest : "");
	(*n)++;
}

void lock_add_module(struct lock *lk, const char *path, const char *digest)
{
	add_ref(&lk->modules, &lk->nmodules, &lk->capmodules, path, digest);
}

void lock_add_catalog(struct lock *lk, const char *path, const char *digest)
{
	add_ref(&lk->catalogs, &lk->ncatalogs, &lk->capcatalogs, path, digest);
}

/* A deep copy whose objects have their keys inserted in sorted order, so
 * that dumping without JSON_SORT_KEYS still gives a canonical text. */
static json_t *sorted_copy(const json_t *j)
{
	json_t *out, *v;
	const char *k, **keys;
	size_t i, n;

	if (json_is_array(j)) {
		out = json_array();
		json_array_foreach((json_t *)j, i, v) json_array_append_new(out, sorted_copy(v));
		return out;
	}
	if (!json_is_object(j))
		return json_deep_copy(j);
	n = json_object_size(j);
	keys = xcalloc(n ? n : 1, sizeof(*keys));
	i = 0;
	json_object_foreach((json_t *)j, k, v) keys[i++] = k;
	qsort(keys, n, sizeof(*keys), cmp_strp);
	out = json_object();
	for (i = 0; i < n; i++)
		json_object_set_new(out, keys[i], sorted_copy(json_object_get(j, keys[i])));
	free(keys);
	return out;
}

void lock_set_request(struct lock *lk, const json_t *request)
{
	json_decref(lk->request);
	lk->request = request ? sorted_copy(request) : NULL;
}

void lock_set_config(struct lock *lk, const json_t *config)
{
	json_decref(lk->config);
	lk->config = config ? sorted_copy(config) : NULL;
}

void lock_set_image(struct lock *lk, const char *manifest_digest, const char *config_digest)
{
	set_str(&lk->manifest_digest, manifest_digest);
	set_str(&lk->config_digest, config_digest);
}

void lock_set_program(struct lock *lk, const char *path, const char *digest)
{
	set_str(&lk->program, path);
	set_str(&lk->program_digest, digest);
}

void lock_set_from(struct lock *lk, const char *from, const char *manifest_digest)
{
	set_str(&lk->from, from);
	set_str(&lk->from_digest, manifest_digest);
}

struct lock_prim *lock_add_prim(struct lock *lk, const char *name, const char *version, const char *digest,
				const char *meta_digest, const char *reason, const char *layer_digest,
				const char *diff_id, uint64_t layer_size)
{
	struct lock_prim *p;

	xgrow((void **)&lk->prims, &lk->capprims, lk->nprims + 1, sizeof(*lk->prims));
	p = &lk->prims[lk->nprims++];
	p->name = xstrdup(name ? name : "");
	p->version = xstrdup(version ? version : "");
	p->digest = dup_or_null(digest);
	p->meta_digest = dup_or_null(meta_digest);
	p->reason = dup_or_null(reason);
	p->layer_digest = dup_or_null(layer_digest);
	p->diff_id = dup_or_null(diff_id);
	p->layer_size = layer_size;
	p->layer_index = 0;
	return p;
}

/* --- writing ------------------------------------------------------------------ */

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *refs_json(const struct lock_ref *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "path", v[i].path, "digest", v[i].digest));
	return a;
}

static json_t *prim_json(const struct lock_prim *p)
{
	json_t *o = json_object(), *l = json_object();

	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "version", json_string(p->version));
	json_object_set_new(o, "digest", jstr(p->digest));
	json_object_set_new(o, "metadataDigest", jstr(p->meta_digest));
	json_object_set_new(o, "reason", jstr(p->reason));
	json_object_set_new(l, "digest", jstr(p->layer_digest));
	json_object_set_new(l, "diffId", jstr(p->diff_id));
	json_object_set_new(l, "size", json_integer((json_int_t)p->layer_size));
	json_object_set_new(l, "index", json_integer((json_int_t)p->layer_index));
	json_object_set_new(o, "layer", l);
	return o;
}

static json_t *lock_to_json(const struct lock *lk)
{
	json_t *o = json_object(), *prims = json_array();
	size_t i;

	json_object_set_new(o, "lockVersion", json_integer(lk->version));
	json_object_set_new(o, "policy", jstr(lk->policy));
	if (lk->platform)
		json_object_set_new(o, "platform", json_string(lk->platform));
	json_object_set_new(o, "modules", refs_json(lk->modules, lk->nmodules));
	if (lk->program)
		json_object_set_new(
			o, "program",
			json_pack("{s:s, s:o}", "path", lk->program, "digest", jstr(lk->program_digest)));
	json_object_set_new(o, "request", lk->request ? json_incref(lk->request) : json_object());
	json_object_set_new(o, "catalogs", refs_json(lk->catalogs, lk->ncatalogs));
	for (i = 0; i < lk->nprims; i++)
		json_array_append_new(prims, prim_json(&lk->prims[i]));
	json_object_set_new(o, "primitives", prims);
	if (lk->from)
		json_object_set_new(
			o, "from",
			json_pack("{s:s, s:o}", "image", lk->from, "manifest", jstr(lk->from_digest)));
	json_object_set_new(o, "config", lk->config ? json_incref(lk->config) : json_object());
	json_object_set_new(o, "image",
			    json_pack("{s:o, s:o, s:i, s:I}", "manifest", jstr(lk->manifest_digest), "config",
				      jstr(lk->config_digest), "layerFormat", lk->layer_format, "epoch",
				      (json_int_t)lk->epoch));
	return o;
}

char *lock_dump(const struct lock *lk, size_t *len)
{
	json_t *j = lock_to_json(lk);
	char *text = json_dumps(j, JSON_INDENT(2));
	struct strbuf sb = STRBUF_INIT;

	json_decref(j);
	if (!text)
		abort();
	sb_adds(&sb, text);
	sb_addc(&sb, '\n');
	free(text);
	return sb_detach(&sb, len);
}

int lock_write(const char *path, const struct lock *lk, struct diag *d)
{
	size_t len, olen;
	char *text = lock_dump(lk, &len), *old = NULL;
	int rc = 1;

	if (read_file(path, &old, &olen) == 0 && olen == len && memcmp(old, text, len) == 0) {
		rc = 0;
	} else if (write_file_atomic(path, text, len, 0644) < 0) {
		diag_file_error(d, path, 0, 0, "lock", "cannot write '%s': %s", path, file_strerror(errno));
		rc = -1;
	}
	free(old);
	free(text);
	return rc;
}

/* --- reading ------------------------------------------------------------------ *
 *
 * A lock is read as hostile input: every field the writer writes is checked
 * for presence and type, every digest for its form (digest_valid), and each
 * problem is reported with the lock's path and the key's path in it, e.g.
 * 'web.lock': primitives[2].layer.digest is missing. Nothing of a value is
 * echoed. */

struct reader {
	const char *path;
	struct diag *d;
	int errors;
};

static void bad(struct reader *r, const char *at, const char *key, const char *what)
{
	diag_file_error(r->d, r->path, 0, 0, "lock", "'%s': %s%s%s %s", r->path, at, *at ? "." : "", key,
			what);
	r->errors++;
}

enum { F_OPTIONAL = 1, F_NULL = 2, F_DIGEST = 4 };

/* The string o[key] (at: the path of o), or NULL: absent when F_OPTIONAL,
 * null when F_NULL, or an error reported. A string must be non-empty and
 * hold no NUL; with F_DIGEST, a digest. */
static const char *str_at(struct reader *r, const json_t *o, const char *at, const char *key, unsigned fl)
{
	const json_t *v = json_object_get(o, key);
	const char *s = json_string_value(v);

	if (!v) {
		if (!(fl & F_OPTIONAL))
			bad(r, at, key, "is missing");
		return NULL;
	}
	if (json_is_null(v) && (fl & F_NULL))
		return NULL;
	if (!s || !*s || strlen(s) != json_string_length(v)) {
		bad(r, at, key, fl & F_DIGEST ? "must be a digest" : "must be a non-empty string");
		return NULL;
	}
	if ((fl & F_DIGEST) && !digest_valid(s)) {
		bad(r, at, key, "must be a digest (\"sha256:\" and 64 lowercase hex digits)");
		return NULL;
	}
	return s;
}

/* o[key], which must be of the given JSON type (unless absent and optional). */
static const json_t *get_typed(struct reader *r, const json_t *o, const char *at, const char *key,
			       json_type type, bool optional)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "an object",   [JSON_ARRAY] = "a list",	 [JSON_STRING] = "a string",
		[JSON_INTEGER] = "an integer", [JSON_REAL] = "a number", [JSON_TRUE] = "a boolean",
		[JSON_FALSE] = "a boolean",    [JSON_NULL] = "null",
	};
	const json_t *v = json_object_get(o, key);
	char *what;

	if (!v && optional)
		return NULL;
	if (v && json_typeof(v) == type)
		return v;
	what = xasprintf(v ? "must be %s" : "is missing", names[type]);
	bad(r, at, key, what);
	free(what);
	return NULL;
}

static void load_refs(struct reader *r, const json_t *j, struct lock *lk, bool modules)
{
	const char *key = modules ? "modules" : "catalogs";
	const json_t *a = get_typed(r, j, "", key, JSON_ARRAY, false), *v;
	size_t i;

	if (modules && a && json_array_size(a) == 0)
		bad(r, "", key, "is empty: a lock names the modules it was built from");
	json_array_foreach((json_t *)a, i, v)
	{
		char *at = xasprintf("%s[%zu]", key, i);
		const char *p, *dg;
		if (!json_is_object(v)) {
			bad(r, "", at, "must be an object");
			free(at);
			continue;
		}
		p = str_at(r, v, at, "path", 0);
		dg = str_at(r, v, at, "digest", F_DIGEST);
		if (p && dg && modules)
			lock_add_module(lk, p, dg);
		else if (p && dg)
			lock_add_catalog(lk, p, dg);
		free(at);
	}
}

static void load_prim(struct reader *r, const json_t *v, const char *at, struct lock *lk)
{
	const json_t *l, *size, *index;
	struct lock_prim *p;
	const char *name, *ver, *dg, *md, *why, *ldg, *di;
	char *lat = xasprintf("%s.layer", at);

	name = str_at(r, v, at, "name", 0);
	ver = str_at(r, v, at, "version", 0);
	dg = str_at(r, v, at, "digest", F_DIGEST);
	md = str_at(r, v, at, "metadataDigest", F_DIGEST);
	why = str_at(r, v, at, "reason", F_OPTIONAL | F_NULL);
	l = get_typed(r, v, at, "layer", JSON_OBJECT, false);
	ldg = l ? str_at(r, l, lat, "digest", F_DIGEST) : NULL;
	di = l ? str_at(r, l, lat, "diffId", F_DIGEST) : NULL;
	size = l ? get_typed(r, l, lat, "size", JSON_INTEGER, false) : NULL;
	index = l ? get_typed(r, l, lat, "index", JSON_INTEGER, false) : NULL;
	if (size && json_integer_value(size) < 0) {
		bad(r, lat, "size", "must not be negative");
		size = NULL;
	}
	if (index && (json_integer_value(index) < 0 || json_integer_value(index) > LOCK_MAX_LAYER)) {
		bad(r, lat, "index", "is out of range");
		index = NULL;
	}
	if (name && ver && dg && md && ldg && di && size && index) {
		p = lock_add_prim(lk, name, ver, dg, md, why, ldg, di, (uint64_t)json_integer_value(size));
		p->layer_index = (uint32_t)json_integer_value(index);
	}
	free(lat);
}

struct named {
	const char *name;
	size_t idx;
};

static int named_cmp(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* A name listed twice is an error (n log n: a lock may be large). */
static void check_unique(struct reader *r, const struct lock *lk)
{
	struct named *v = xcalloc(lk->nprims + 1, sizeof(*v));

	for (size_t i = 0; i < lk->nprims; i++)
		v[i] = (struct named){lk->prims[i].name, i};
	qsort(v, lk->nprims, sizeof(*v), named_cmp);
	for (size_t i = 1; i < lk->nprims; i++)
		if (!strcmp(v[i].name, v[i - 1].name)) {
			char *at = xasprintf("primitives[%zu]", v[i].idx);
			bad(r, at, "name", "names a primitive listed before");
			free(at);
		}
	free(v);
}

static void load_prims(struct reader *r, const json_t *j, struct lock *lk)
{
	const json_t *a = get_typed(r, j, "", "primitives", JSON_ARRAY, false), *v;
	size_t i;

	json_array_foreach((json_t *)a, i, v)
	{
		char *at = xasprintf("primitives[%zu]", i);
		if (json_is_object(v))
			load_prim(r, v, at, lk);
		else
			bad(r, "", at, "must be an object");
		free(at);
	}
	if (!r->errors)
		check_unique(r, lk);
}

static void load_image(struct reader *r, const json_t *j, struct lock *lk)
{
	const json_t *img = get_typed(r, j, "", "image", JSON_OBJECT, false), *fmt, *epoch;
	const char *m, *c;

	if (!img)
		return;
	m = str_at(r, img, "image", "manifest", F_DIGEST);
	c = str_at(r, img, "image", "config", F_DIGEST);
	fmt = get_typed(r, img, "image", "layerFormat", JSON_INTEGER, false);
	epoch = get_typed(r, img, "image", "epoch", JSON_INTEGER, false);
	if (fmt && (json_integer_value(fmt) < 1 || json_integer_value(fmt) > INT_MAX))
		bad(r, "image", "layerFormat", "is out of range");
	else if (fmt)
		lk->layer_format = (int)json_integer_value(fmt);
	if (epoch && json_integer_value(epoch) < 0)
		bad(r, "image", "epoch", "must not be negative");
	else if (epoch)
		lk->epoch = (long long)json_integer_value(epoch);
	lock_set_image(lk, m, c);
}

/* The parts of a lock after its version, each checked; r counts errors. */
static void load_parts(struct reader *r, const json_t *j, struct lock *lk)
{
	const json_t *o;
	const char *pol = str_at(r, j, "", "policy", 0), *plat = str_at(r, j, "", "platform", F_OPTIONAL);

	lock_set_policy(lk, pol, plat);
	load_refs(r, j, lk, true);
	if ((o = get_typed(r, j, "", "program", JSON_OBJECT, true)))
		lock_set_program(lk, str_at(r, o, "program", "path", 0),
				 str_at(r, o, "program", "digest", F_DIGEST));
	if ((o = get_typed(r, j, "", "request", JSON_OBJECT, false)))
		lock_set_request(lk, o);
	load_refs(r, j, lk, false);
	load_prims(r, j, lk);
	if ((o = get_typed(r, j, "", "from", JSON_OBJECT, true)))
		lock_set_from(lk, str_at(r, o, "from", "image", 0),
			      str_at(r, o, "from", "manifest", F_DIGEST));
	if ((o = get_typed(r, j, "", "config", JSON_OBJECT, false)))
		lock_set_config(lk, o);
	load_image(r, j, lk);
}

int lock_from_json(const json_t *j, struct lock *lk, const char *path, struct diag *d)
{
	struct reader r = {path, d, 0};
	const json_t *ver = json_object_get(j, "lockVersion");

	lock_init(lk);
	if (!json_is_object(j) || !json_is_integer(ver)) {
		diag_file_error(d, path, 0, 0, "lock", "'%s' is not a lock file (no \"lockVersion\")", path);
		return -1;
	}
	if (json_integer_value(ver) != LOCK_VERSION && json_integer_value(ver) != LOCK_VERSION_OLD) {
		diag_file_error(d, path, 0, 0, "lock",
				"'%s' is not a version %d or %d lock file: build again to write one", path,
				LOCK_VERSION, LOCK_VERSION_OLD);
		return -1;
	}
	load_parts(&r, j, lk);
	lk->version = (int)json_integer_value(ver);
	/* a program or a from image whose path or digest was bad is not half-set */
	if (!r.errors && ((lk->program && !lk->program_digest) || (lk->from && !lk->from_digest)))
		r.errors++;
	if (r.errors) {
		lock_release(lk);
		return -1;
	}
	return 0;
}

int lock_parse(const char *text, size_t len, const char *path, struct lock *lk, struct diag *d)
{
	json_error_t e;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	int rc;

	lock_init(lk);
	if (!j) {
		diag_file_error(d, path, e.line > 0 ? (unsigned)e.line : 0,
				e.column > 0 ? (unsigned)e.column : 0, "lock", "malformed lock file '%s': %s",
				path, e.text);
		return -1;
	}
	rc = lock_from_json(j, lk, path, d);
	json_decref(j);
	return rc;
}

int lock_load(const char *path, struct lock *lk, struct diag *d)
{
	char *text;
	size_t len;
	int rc;

	lock_init(lk);
	if (read_file(path, &text, &len) < 0) {
		diag_file_error(d, path, 0, 0, "lock", "cannot read lock file '%s': %s", path,
				file_strerror(errno));
		return -1;
	}
	rc = lock_parse(text, len, path, lk, d);
	free(text);
	return rc;
}

/* --- paths ------------------------------------------------------------------ */

/* path made absolute from the working directory, "." and ".." resolved
 * lexically, with no "//" nor final "/". */
static char *lexical_abs(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *cwd = path[0] == '/' ? NULL : getcwd(NULL, 0), *all, *tok, *save = NULL;

	all = cwd ? xasprintf("%s/%s", cwd, path) : xstrdup(path);
	for (tok = strtok_r(all, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			while (sb.len && sb.buf[sb.len - 1] != '/')
				sb.len--;
			if (sb.len)
				sb.len--;
			continue;
		}
		sb_addf(&sb, "/%s", tok);
	}
	if (!sb.len)
		sb_addc(&sb, '/');
	free(all);
	free(cwd);
	return sb_detach(&sb, NULL);
}

/* path absolute and canonical: realpath when it exists, else lexical. */
static char *canonical(const char *path)
{
	char *r = realpath(path, NULL);

	return r ? r : lexical_abs(path);
}

char *lock_dir(const char *lock_path)
{
	char *dir = path_dirname(lock_path), *c = canonical(dir);

	free(dir);
	return c;
}

/* The number of components of the absolute path p ("/" has none). */
static size_t ncomponents(const char *p)
{
	size_t n = 0;

	for (; *p; p++)
		n += p[0] == '/' && p[1];
	return n;
}

char *lock_rel_path(const char *dir, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *abs;
	size_t i, end = 0, k = 0;

	if (!strncmp(path, PROGRAM_STDLIB_PREFIX, strlen(PROGRAM_STDLIB_PREFIX)))
		return xstrdup(path);
	abs = canonical(path);
	/* end: where the common leading components (k of them) end in both */
	for (i = 1;; i++) {
		bool ea = !abs[i] || abs[i] == '/', ed = !dir[i] || dir[i] == '/';
		if (ea && ed && i > 1 && abs[i - 1] != '/') {
			end = i;
			k++;
		}
		if (!abs[i] || !dir[i] || abs[i] != dir[i])
			break;
	}
	if (k == 0) /* only / in common: a place outside the tree, kept absolute */
		return abs;
	for (i = ncomponents(dir) - k; i > 0; i--)
		sb_adds(&sb, "../");
	sb_adds(&sb, abs[end] ? abs + end + 1 : "");
	if (!sb.len)
		sb_addc(&sb, '.');
	else if (sb.buf[sb.len - 1] == '/')
		sb.buf[--sb.len] = '\0';
	free(abs);
	return sb_detach(&sb, NULL);
}

char *lock_open_path(const char *lock_path, const char *path)
{
	char *dir, *s;

	if (path[0] == '/' || !strncmp(path, PROGRAM_STDLIB_PREFIX, strlen(PROGRAM_STDLIB_PREFIX)))
		return xstrdup(path);
	dir = path_dirname(lock_path);
	s = path_join(dir, path);
	free(dir);
	return s;
}

/* --- comparing ---------------------------------------------------------------- */

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static const char *or_none(const char *s)
{
	return s ? s : "(none)";
}

static size_t cmp_str(struct strbuf *out, const char *what, const char *a, const char *b)
{
	if (str_eq(a, b))
		return 0;
	sb_addf(out, "%s: %s -> %s\n", what, or_none(a), or_none(b));
	return 1;
}

static size_t cmp_refs(struct strbuf *out, const char *what, const struct lock_ref *a, size_t na,
		       const struct lock_ref *b, size_t nb)
{
	size_t i, j, n = 0;

	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && strcmp(a[i].path, b[j].path) != 0; j++)
			;
		if (j == nb) {
			sb_addf(out, "%s '%s' removed\n", what, a[i].path);
			n++;
		} else if (strcmp(a[i].digest, b[j].digest) != 0) {
			sb_addf(out, "%s '%s' changed: %s -> %s\n", what, a[i].path, a[i].digest,
				b[j].digest);
			n++;
		}
	}
	for (j = 0; j < nb; j++) {
		for (i = 0; i < na && strcmp(a[i].path, b[j].path) != 0; i++)
			;
		if (i == na) {
			sb_addf(out, "%s '%s' added\n", what, b[j].path);
			n++;
		}
	}
	return n;
}

const struct lock_prim *lock_find_prim(const struct lock *lk, const char *name)
{
	size_t i;

	for (i = 0; i < lk->nprims; i++)
		if (strcmp(lk->prims[i].name, name) == 0)
			return &lk->prims[i];
	return NULL;
}

static size_t cmp_prim(struct strbuf *out, const struct lock_prim *a, const struct lock_prim *b)
{
	static const struct {
		const char *what;
		size_t off;
	} f[] = {
		{"version", offsetof(struct lock_prim, version)},
		{"content digest", offsetof(struct lock_prim, digest)},
		{"metadata digest", offsetof(struct lock_prim, meta_digest)},
		{"reason", offsetof(struct lock_prim, reason)},
		{"layer digest", offsetof(struct lock_prim, layer_digest)},
		{"layer diff_id", offsetof(struct lock_prim, diff_id)},
	};
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		const char *x = *(char *const *)((const char *)a + f[i].off);
		const char *y = *(char *const *)((const char *)b + f[i].off);
		if (!str_eq(x, y)) {
			sb_addf(out, "primitive '%s': %s %s -> %s\n", a->name, f[i].what, or_none(x),
				or_none(y));
			n++;
		}
	}
	if (a->layer_index != b->layer_index) {
		sb_addf(out, "primitive '%s': layer index %" PRIu32 " -> %" PRIu32 "\n", a->name,
			a->layer_index, b->layer_index);
		n++;
	}
	if (a->layer_size != b->layer_size) {
		sb_addf(out, "primitive '%s': layer size %" PRIu64 " -> %" PRIu64 "\n", a->name,
			a->layer_size, b->layer_size);
		n++;
	}
	return n;
}

static size_t cmp_json(struct strbuf *out, const char *what, const json_t *a, const json_t *b)
{
	char *x = a ? json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : xstrdup("{}");
	char *y = b ? json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : xstrdup("{}");
	size_t n = 0;

	if (strcmp(x, y) != 0) {
		sb_addf(out, "%s changed: %s -> %s\n", what, x, y);
		n = 1;
	}
	free(x);
	free(y);
	return n;
}

size_t lock_compare(const struct lock *want, const struct lock *got, struct strbuf *out)
{
	size_t n = 0, i;

	if (want->version != got->version) {
		sb_addf(out, "lock version: %d -> %d\n", want->version, got->version);
		n++;
	}
	n += cmp_str(out, "policy", want->policy, got->policy);
	n += cmp_str(out, "platform", want->platform, got->platform);
	n += cmp_refs(out, "module", want->modules, want->nmodules, got->modules, got->nmodules);
	n += cmp_json(out, "request", want->request, got->request);
	n += cmp_refs(out, "catalog", want->catalogs, want->ncatalogs, got->catalogs, got->ncatalogs);
	for (i = 0; i < want->nprims; i++) {
		const struct lock_prim *b = lock_find_prim(got, want->prims[i].name);
		if (!b) {
			sb_addf(out, "primitive '%s' %s removed\n", want->prims[i].name,
				want->prims[i].version);
			n++;
		} else {
			n += cmp_prim(out, &want->prims[i], b);
		}
	}
	for (i = 0; i < got->nprims; i++) {
		if (!lock_find_prim(want, got->prims[i].name)) {
			sb_addf(out, "primitive '%s' %s added\n", got->prims[i].name, got->prims[i].version);
			n++;
		}
	}
	n += cmp_json(out, "image config", want->config, got->config);
	n += cmp_str(out, "from image", want->from, got->from);
	n += cmp_str(out, "from image manifest", want->from_digest, got->from_digest);
	n += cmp_str(out, "manifest digest", want->manifest_digest, got->manifest_digest);
	n += cmp_str(out, "config digest", want->config_digest, got->config_digest);
	return n;
}

size_t lock_compare_resolution(const struct lock *want, const struct lock *got, struct strbuf *out)
{
	size_t n = cmp_str(out, "policy", want->policy, got->policy);

	for (size_t i = 0; i < want->nprims; i++) {
		const struct lock_prim *a = &want->prims[i], *b = lock_find_prim(got, a->name);
		if (!b) {
			sb_addf(out, "primitive '%s' %s removed\n", a->name, a->version);
			n++;
		} else if (strcmp(a->version, b->version)) {
			sb_addf(out, "primitive '%s': version %s -> %s (%s -> %s)\n", a->name, a->version,
				b->version, or_none(a->digest), or_none(b->digest));
			n++;
		} else if (!str_eq(a->digest, b->digest)) {
			sb_addf(out, "primitive '%s' %s: content %s -> %s\n", a->name, a->version,
				or_none(a->digest), or_none(b->digest));
			n++;
		}
	}
	for (size_t i = 0; i < got->nprims; i++)
		if (!lock_find_prim(want, got->prims[i].name)) {
			sb_addf(out, "primitive '%s' %s added\n", got->prims[i].name, got->prims[i].version);
			n++;
		}
	return n;
}

size_t lock_compare_inputs(const struct lock *want, const struct lock *got, struct strbuf *out)
{
	size_t n = 0;

	if (want->version != got->version) {
		sb_addf(out, "lock version: %d -> %d\n", want->version, got->version);
		n++;
	}
	n += cmp_refs(out, "module", want->modules, want->nmodules, got->modules, got->nmodules);
	n += cmp_json(out, "request", want->request, got->request);
	n += cmp_refs(out, "catalog", want->catalogs, want->ncatalogs, got->catalogs, got->ncatalogs);
	for (size_t i = 0; i < want->nprims; i++) {
		const struct lock_prim *a = &want->prims[i], *b = lock_find_prim(got, a->name);
		if (!b || strcmp(a->version, b->version))
			continue;
		if (!str_eq(a->meta_digest, b->meta_digest)) {
			sb_addf(out, "primitive '%s' %s: metadata %s -> %s\n", a->name, a->version,
				or_none(a->meta_digest), or_none(b->meta_digest));
			n++;
		}
		if (!str_eq(a->reason, b->reason)) {
			sb_addf(out, "primitive '%s' %s: reason %s -> %s\n", a->name, a->version,
				or_none(a->reason), or_none(b->reason));
			n++;
		}
	}
	return n;
}

/* Each top-level key of two config objects that differs, one line each. */
static size_t cmp_config(struct strbuf *out, const json_t *a, const json_t *b)
{
	json_t *keys = json_object(), *v;
	const char *k, **v_keys;
	size_t n = 0, i = 0, nk;

	json_object_foreach((json_t *)a, k, v) json_object_set(keys, k, json_null());
	json_object_foreach((json_t *)b, k, v) json_object_set(keys, k, json_null());
	nk = json_object_size(keys);
	v_keys = xcalloc(nk + 1, sizeof(*v_keys));
	json_object_foreach(keys, k, v) v_keys[i++] = k;
	qsort(v_keys, nk, sizeof(*v_keys), cmp_strp);
	for (i = 0; i < nk; i++) {
		char *what = xasprintf("config %s", v_keys[i]);
		const json_t *x = json_object_get(a, v_keys[i]), *y = json_object_get(b, v_keys[i]);
		if (!x || !y || !json_equal((json_t *)x, (json_t *)y))
			n += cmp_json(out, what, x ? x : json_null(), y ? y : json_null());
		free(what);
	}
	free(v_keys);
	json_decref(keys);
	return n;
}

static size_t cmp_layer(struct strbuf *out, const struct lock_prim *a, const struct lock_prim *b)
{
	size_t n = 0;

	if (a->layer_index != b->layer_index) {
		sb_addf(out, "primitive '%s': layer %" PRIu32 " -> %" PRIu32 "\n", a->name, a->layer_index,
			b->layer_index);
		n++;
	}
	if (!str_eq(a->diff_id, b->diff_id)) {
		sb_addf(out, "primitive '%s': layer content (diff_id) %s -> %s\n", a->name,
			or_none(a->diff_id), or_none(b->diff_id));
		n++;
	} else if (!str_eq(a->layer_digest, b->layer_digest)) {
		sb_addf(out, "primitive '%s': layer blob %s -> %s (the same content compressed otherwise)\n",
			a->name, or_none(a->layer_digest), or_none(b->layer_digest));
		n++;
	}
	return n;
}

size_t lock_compare_image(const struct lock *want, const struct lock *got, struct strbuf *out)
{
	size_t n = cmp_str(out, "platform", want->platform, got->platform);

	n += cmp_str(out, "from image", want->from, got->from);
	n += cmp_str(out, "from image manifest", want->from_digest, got->from_digest);
	n += cmp_config(out, want->config, got->config);
	for (size_t i = 0; i < want->nprims; i++) {
		const struct lock_prim *b = lock_find_prim(got, want->prims[i].name);
		if (b)
			n += cmp_layer(out, &want->prims[i], b);
	}
	if (want->layer_format != got->layer_format) {
		sb_addf(out, "layer format: %d -> %d\n", want->layer_format, got->layer_format);
		n++;
	}
	if (want->epoch != got->epoch) {
		sb_addf(out, "epoch (SOURCE_DATE_EPOCH): %lld -> %lld\n", want->epoch, got->epoch);
		n++;
	}
	if (!n)
		sb_adds(out, "the policy's files, annotations or the image's layout\n");
	n += cmp_str(out, "manifest", want->manifest_digest, got->manifest_digest);
	return n;
}

/* --- lock_diff ---------------------------------------------------------------- */

static int prim_ptr_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct lock_prim *const *)a)->name,
		      (*(const struct lock_prim *const *)b)->name);
}

/* lk's primitives sorted by name (names are unique in a loaded lock). */
static const struct lock_prim **sorted_prims(const struct lock *lk)
{
	const struct lock_prim **v = xcalloc(lk->nprims + 1, sizeof(*v));

	for (size_t i = 0; i < lk->nprims; i++)
		v[i] = &lk->prims[i];
	qsort(v, lk->nprims, sizeof(*v), prim_ptr_cmp);
	return v;
}

static json_t *prim_brief(const struct lock_prim *p)
{
	return json_pack("{s:s, s:s, s:o, s:o}", "name", p->name, "version", p->version, "digest",
			 jstr(p->digest), "metadataDigest", jstr(p->meta_digest));
}

static void diff_prims(const struct lock *a, const struct lock *b, json_t *out)
{
	const struct lock_prim **x = sorted_prims(a), **y = sorted_prims(b);
	json_t *added = json_array(), *removed = json_array(), *changed = json_array();
	size_t i = 0, j = 0;

	while (i < a->nprims || j < b->nprims) {
		int c = i == a->nprims ? 1 : j == b->nprims ? -1 : strcmp(x[i]->name, y[j]->name);
		if (c < 0) {
			json_array_append_new(removed, prim_brief(x[i++]));
		} else if (c > 0) {
			json_array_append_new(added, prim_brief(y[j++]));
		} else {
			if (strcmp(x[i]->version, y[j]->version) || !str_eq(x[i]->digest, y[j]->digest) ||
			    !str_eq(x[i]->meta_digest, y[j]->meta_digest))
				json_array_append_new(changed,
						      json_pack("{s:s, s:o, s:o}", "name", x[i]->name, "from",
								prim_brief(x[i]), "to", prim_brief(y[j])));
			i++, j++;
		}
	}
	json_object_set_new(out, "added", added);
	json_object_set_new(out, "removed", removed);
	json_object_set_new(out, "changed", changed);
	free(x);
	free(y);
}

static void diff_config(const json_t *a, const json_t *b, json_t *out)
{
	json_t *added = json_object(), *removed = json_object(), *changed = json_object(), *v;
	const char *k;

	json_object_foreach((json_t *)a, k, v)
	{
		const json_t *w = json_object_get(b, k);
		if (!w)
			json_object_set(removed, k, v);
		else if (!json_equal(v, (json_t *)w))
			json_object_set_new(changed, k, json_pack("{s:O, s:O}", "from", v, "to", w));
	}
	json_object_foreach((json_t *)b, k, v) if (!json_object_get(a, k)) json_object_set(added, k, v);
	json_object_set_new(out, "added", sorted_copy(added));
	json_object_set_new(out, "removed", sorted_copy(removed));
	json_object_set_new(out, "changed", sorted_copy(changed));
	json_decref(added);
	json_decref(removed);
	json_decref(changed);
}

static void diff_field(json_t *out, const char *key, const char *a, const char *b)
{
	if (!str_eq(a, b))
		json_object_set_new(out, key, json_pack("{s:o, s:o}", "from", jstr(a), "to", jstr(b)));
}

static size_t diff_count(const json_t *part)
{
	return json_array_size(json_object_get(part, "added")) +
	       json_array_size(json_object_get(part, "removed")) +
	       json_array_size(json_object_get(part, "changed")) +
	       json_object_size(json_object_get(part, "added")) +
	       json_object_size(json_object_get(part, "removed")) +
	       json_object_size(json_object_get(part, "changed"));
}

json_t *lock_diff(const struct lock *a, const struct lock *b, size_t *ndiff)
{
	json_t *out = json_object(), *prims = json_object(), *cfg = json_object(), *other = json_object();

	diff_field(other, "policy", a->policy, b->policy);
	diff_field(other, "platform", a->platform, b->platform);
	diff_field(other, "from", a->from, b->from);
	diff_field(other, "fromManifest", a->from_digest, b->from_digest);
	diff_field(other, "manifest", a->manifest_digest, b->manifest_digest);
	diff_prims(a, b, prims);
	diff_config(a->config, b->config, cfg);
	*ndiff = diff_count(prims) + diff_count(cfg) + json_object_size(other);
	json_object_set_new(out, "same", json_boolean(*ndiff == 0));
	json_object_set_new(out, "primitives", prims);
	json_object_set_new(out, "config", cfg);
	json_object_set_new(out, "image", other);
	return out;
}
