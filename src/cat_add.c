/* cat_add.c - writing catalogs: init, add, commit, the index, set-scan. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cat.h"
#include "cat_int.h"
#include "rel.h"
#include "ver.h"

static int sys_error(struct diag *d, const char *path, const char *what)
{
	diag_file_error(d, path, 0, 0, CAT_RULE, "%s: %s", what, file_strerror(errno));
	return -1;
}

int cat_init(const char *dir, struct diag *d)
{
	static const char text[] = "{\"cpolCatalog\": 1}\n";
	char *cj = path_join(dir, "catalog.json"), *blobs = path_join(dir, "blobs/sha256");
	char *prims = path_join(dir, "primitives"), *index = path_join(dir, "index");
	struct stat st;
	int rc = -1;

	if (stat(cj, &st) == 0) {
		diag_file_error(d, cj, 0, 0, CAT_RULE, "a catalog already exists here");
		goto out;
	}
	if (mkdir_p(blobs, 0755) < 0 || mkdir_p(prims, 0755) < 0) {
		sys_error(d, dir, "cannot create catalog");
		goto out;
	}
	if (write_file_atomic(index, CAT_INDEX_MAGIC "\n", strlen(CAT_INDEX_MAGIC) + 1, 0644) < 0 ||
	    write_file_atomic(cj, text, strlen(text), 0644) < 0) {
		sys_error(d, dir, "cannot create catalog");
		goto out;
	}
	rc = 0;
out:
	free(cj);
	free(blobs);
	free(prims);
	free(index);
	return rc;
}

int cat_lock(const char *dir, struct diag *d)
{
	char *path = path_join(dir, ".lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		sys_error(d, path, "cannot lock catalog");
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

void cat_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* ---- the index ------------------------------------------------------------ */

struct lines {
	char **v;
	size_t n, cap;
};

static void lines_release(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* Does line describe name@version? */
static bool line_is(const char *line, const char *name, const char *version)
{
	size_t nl = strlen(name), vl = strlen(version);

	return !strncmp(line, name, nl) && line[nl] == '\t' && !strncmp(line + nl + 1, version, vl) &&
	       line[nl + 1 + vl] == '\t';
}

/* Is text an index: "cpolc-index 1" or "cpolc-index 2", a newline? */
static bool index_magic(const char *text, size_t len)
{
	size_t m = strlen(CAT_INDEX_MAGIC);

	return len >= m + 1 &&
	       (!memcmp(text, CAT_INDEX_MAGIC "\n", m + 1) || !memcmp(text, CAT_INDEX_MAGIC2 "\n", m + 1));
}

/* The length of the magic and header lines ("@pack ...", "@scans ...") of
 * an index text: where its entries begin. */
static size_t header_len(const char *text, size_t len)
{
	const char *p = memchr(text, '\n', len), *end = text + len;

	if (!p)
		return len;
	for (p++; p < end && *p == '@';) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return len;
		p = nl + 1;
	}
	return (size_t)(p - text);
}

/* Read DIR/index: 1 with *text (caller frees), 0 when there is none, -1
 * after reporting. */
static int index_text(const char *dir, char **text, size_t *len, struct diag *d)
{
	char *path = path_join(dir, "index");
	int rc = 1;

	*text = NULL;
	if (read_file(path, text, len) < 0) {
		rc = errno == ENOENT ? 0 : sys_error(d, path, "cannot read index");
	} else if (!index_magic(*text, *len)) {
		diag_file_error(d, path, 1, 0, CAT_RULE, "not a cpolc catalog index");
		free(*text);
		*text = NULL;
		rc = -1;
	}
	free(path);
	return rc;
}

int index_header_read(const char *dir, char pack[72], struct diag *d)
{
	char *text;
	size_t len, h;
	int rc = index_text(dir, &text, &len, d);

	*pack = '\0';
	if (rc <= 0)
		return rc;
	h = header_len(text, len);
	for (char *p = strchr(text, '\n') + 1; p < text + h;) {
		char *nl = strchr(p, '\n');
		*nl = '\0';
		if (!strncmp(p, "@pack ", 6) && strlen(p + 6) < 72)
			strcpy(pack, p + 6);
		p = nl + 1;
	}
	free(text);
	return 0;
}

/* Write DIR/index: the header, then body (entry lines). */
static int index_write(const char *dir, const char *pack, const char *body, size_t blen, struct diag *d)
{
	char *path = path_join(dir, "index");
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	if (*pack) {
		sb_adds(&sb, CAT_INDEX_MAGIC2 "\n");
		sb_addf(&sb, "@pack %s\n", pack);
	} else {
		sb_adds(&sb, CAT_INDEX_MAGIC "\n");
	}
	sb_add(&sb, body, blen);
	if (write_file_atomic(path, sb.buf, sb.len, 0644) < 0)
		rc = sys_error(d, path, "cannot write index");
	sb_release(&sb);
	free(path);
	return rc;
}

int index_header_write(const char *dir, const char *pack, struct diag *d)
{
	char *text;
	size_t len, h;
	int rc = index_text(dir, &text, &len, d);

	if (rc < 0)
		return -1;
	h = text ? header_len(text, len) : 0;
	rc = index_write(dir, pack, text ? text + h : "", text ? len - h : 0, d);
	free(text);
	return rc;
}

/* Replace (or add) the index line of name@version with line (may be NULL:
 * only remove). Runs under the catalog lock. */
static int index_put(const char *dir, const char *name, const char *version, const char *line, struct diag *d)
{
	char *text = NULL, *p, pack[72];
	struct lines l = {0};
	struct strbuf sb = STRBUF_INIT;
	size_t len = 0;
	int rc = -1;

	if (index_header_read(dir, pack, d) < 0 || index_text(dir, &text, &len, d) < 0)
		goto out;
	for (p = text ? text + header_len(text, len) : NULL; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		if (!line_is(p, name, version)) {
			xgrow((void **)&l.v, &l.cap, l.n + 1, sizeof(*l.v));
			l.v[l.n++] = xstrndup(p, n);
		}
		p += n;
	}
	if (line) {
		xgrow((void **)&l.v, &l.cap, l.n + 1, sizeof(*l.v));
		l.v[l.n++] = xstrdup(line);
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), cmp_strp);
	for (size_t i = 0; i < l.n; i++)
		sb_adds(&sb, l.v[i]);
	rc = index_write(dir, pack, sb.buf ? sb.buf : "", sb.len, d);
out:
	sb_release(&sb);
	lines_release(&l);
	free(text);
	return rc;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_dir(const char *path, struct lines *out, struct diag *d)
{
	DIR *dir = opendir(path);
	struct dirent *de;

	if (!dir)
		return sys_error(d, path, "cannot open directory");
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = xstrdup(de->d_name);
	}
	closedir(dir);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_line);
	return 0;
}

static int scan_one(const char *path, struct strbuf *sb, struct diag *d)
{
	char *text, hex[65], ref[72];
	size_t len;
	json_error_t err;
	json_t *m;
	int rc = -1;

	if (read_file(path, &text, &len) < 0)
		return sys_error(d, path, "cannot read metadata");
	m = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!m) {
		diag_file_error(d, path, (unsigned)err.line, (unsigned)err.column, CAT_RULE, "%s", err.text);
	} else if (meta_check(m, path, true, d) == 0) {
		char *want = meta_file_path("", json_string_value(json_object_get(m, "name")),
					    json_string_value(json_object_get(m, "version")));
		size_t wl = strlen(want), pl = strlen(path);
		if (pl < wl || strcmp(path + pl - wl, want)) {
			diag_file_error(d, path, 0, 0, CAT_RULE, "file name does not match name and version");
		} else {
			sha256_hex(text, len, hex);
			snprintf(ref, sizeof(ref), "sha256:%s", hex);
			meta_index_line(m, ref, sb);
			rc = 0;
		}
		free(want);
	}
	json_decref(m);
	free(text);
	return rc;
}

int cat_scan_index(const char *dir, struct strbuf *sb, struct diag *d)
{
	char *pdir = path_join(dir, "primitives");
	struct lines names = {0}, lines = {0};
	struct strbuf body = STRBUF_INIT;
	int rc = list_dir(pdir, &names, d);

	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		char *nd = path_join(pdir, names.v[i]);
		struct lines files = {0};
		if (list_dir(nd, &files, d) < 0)
			rc = -1;
		for (size_t j = 0; j < files.n; j++) {
			char *f = path_join(nd, files.v[j]);
			size_t len = strlen(f);
			sb_reset(&body);
			if (len > 5 && !strcmp(f + len - 5, ".json")) {
				if (scan_one(f, &body, d) < 0)
					rc = -1;
				else {
					xgrow((void **)&lines.v, &lines.cap, lines.n + 1, sizeof(*lines.v));
					lines.v[lines.n++] = sb_detach(&body, NULL);
				}
			}
			free(f);
		}
		lines_release(&files);
		free(nd);
	}
	if (lines.n)
		qsort(lines.v, lines.n, sizeof(*lines.v), cmp_strp);
	for (size_t i = 0; i < lines.n; i++)
		sb_adds(sb, lines.v[i]);
	sb_release(&body);
	lines_release(&lines);
	lines_release(&names);
	free(pdir);
	return rc;
}

int cat_reindex_locked(const char *dir, struct diag *d)
{
	struct strbuf sb = STRBUF_INIT;
	char pack[72];
	int rc = -1;

	if (index_header_read(dir, pack, d) == 0 && cat_scan_index(dir, &sb, d) == 0)
		rc = index_write(dir, pack, sb.buf ? sb.buf : "", sb.len, d);
	sb_release(&sb);
	return rc;
}

int cat_reindex(const char *dir, struct diag *d)
{
	int lock = cat_check_dir(dir, d) < 0 ? -1 : cat_lock(dir, d), rc;

	if (lock < 0)
		return -1;
	rc = cat_reindex_locked(dir, d);
	cat_unlock(lock);
	return rc;
}

/* ---- committing a primitive ------------------------------------------------ */

int meta_store(const char *dir, json_t *m, char ref[72], struct diag *d)
{
	const char *name = json_string_value(json_object_get(m, "name"));
	const char *version = json_string_value(json_object_get(m, "version"));
	char *path = meta_file_path(dir, name, version), *pdir = path_dirname(path), *text;
	char hex[65];
	size_t len;
	int rc = -1;

	text = meta_dump(m, &len);
	sha256_hex(text, len, hex);
	snprintf(ref, 72, "sha256:%s", hex);
	if (mkdir_p(pdir, 0755) < 0)
		sys_error(d, pdir, "cannot create directory");
	else if (write_file_atomic(path, text, len, 0644) < 0)
		sys_error(d, path, "cannot write metadata");
	else
		rc = 0;
	free(text);
	free(pdir);
	free(path);
	return rc;
}

/* Write m as the metadata of its name@version and update the index. */
static int write_meta(const char *dir, json_t *m, struct diag *d)
{
	struct strbuf line = STRBUF_INIT;
	char ref[72];
	int rc = -1;

	if (meta_store(dir, m, ref, d) == 0) {
		meta_index_line(m, ref, &line);
		rc = index_put(dir, json_string_value(json_object_get(m, "name")),
			       json_string_value(json_object_get(m, "version")), line.buf, d);
	}
	sb_release(&line);
	return rc;
}

/* A jansson line or column for a diagnostic: -1 (the file could not be
 * opened) becomes 0, no position. */
static unsigned json_pos(int n)
{
	return n > 0 ? (unsigned)n : 0;
}

/* The existing metadata of name@version: 1 with *out set, 0 when absent,
 * -1 after reporting. */
static int existing_meta(const char *dir, const char *name, const char *version, json_t **out, struct diag *d)
{
	char *path = meta_file_path(dir, name, version);
	json_error_t err;

	*out = json_load_regular(path, JSON_FILE_MAX, JSON_REJECT_DUPLICATES, &err);
	if (!*out) {
		struct stat st;
		int rc = stat(path, &st) < 0 && errno == ENOENT ? 0 : -1;
		if (rc < 0)
			diag_file_error(d, path, json_pos(err.line), json_pos(err.column), CAT_RULE, "%s",
					err.text);
		free(path);
		return rc;
	}
	free(path);
	return 1;
}

int cat_place_blob(const char *dir, const char *tmp, const char *digest, struct diag *d)
{
	char *path = xasprintf("%s/blobs/sha256/%s", dir, digest + 7);
	struct stat st;
	int rc = 0;

	if (stat(path, &st) == 0) { /* same digest, same bytes: keep the old one */
		unlink(tmp);
	} else if (rename(tmp, path) < 0) {
		rc = sys_error(d, path, "cannot store blob");
		unlink(tmp);
	}
	free(path);
	return rc;
}

int cat_commit(const char *dir, json_t *m, const char *tmp, const char *digest, uint64_t size, struct diag *d)
{
	const char *name = json_string_value(json_object_get(m, "name"));
	const char *version = json_string_value(json_object_get(m, "version"));
	json_t *old = NULL;
	int lock, rc = -1, ex;

	json_object_set_new(m, "content", json_string(digest));
	json_object_set_new(m, "size", json_integer((json_int_t)size));
	if (meta_check(m, name, true, d) < 0) {
		unlink(tmp);
		return -1;
	}
	lock = cat_check_dir(dir, d) < 0 ? -1 : cat_lock(dir, d);
	if (lock < 0) {
		unlink(tmp);
		return -1;
	}
	ex = existing_meta(dir, name, version, &old, d);
	if (ex < 0) {
		unlink(tmp);
	} else if (ex > 0) {
		const char *had = json_string_value(json_object_get(old, "content"));
		unlink(tmp);
		if (!had || strcmp(had, digest)) {
			diag_error(d, LOC_NONE, CAT_RULE,
				   "'%s' version '%s' is already in the catalog with other content (%s, not "
				   "%s); "
				   "catalogs are append-only: use a new version",
				   name, version, had ? had : "?", digest);
		} else {
			rc = 1;
		}
	} else if (cat_place_blob(dir, tmp, digest, d) == 0 && write_meta(dir, m, d) == 0) {
		rc = 0;
	}
	json_decref(old);
	cat_unlock(lock);
	return rc;
}

/* ---- catalog add ----------------------------------------------------------- */

static void set_list(json_t *m, const char *key, const char *const *v, size_t n)
{
	json_t *arr = json_object_get(m, key);

	if (!n)
		return;
	if (!json_is_array(arr)) {
		arr = json_array();
		json_object_set_new(m, key, arr);
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_string(v[i]));
}

/* "OS/ARCH[/VARIANT]" into the platform object (words checked later). */
static int set_platform(json_t *m, const char *platform, struct diag *d)
{
	const char *slash = strchr(platform, '/'), *var;
	json_t *p;

	var = slash ? strchr(slash + 1, '/') : NULL;
	if (!slash || slash == platform || slash[1] == '/' || !slash[1] || (var && !var[1])) {
		diag_error(d, LOC_NONE, CAT_RULE, "bad platform '%s': expected OS/ARCH[/VARIANT]", platform);
		return -1;
	}
	p = json_object();
	json_object_set_new(p, "os", json_stringn(platform, (size_t)(slash - platform)));
	json_object_set_new(p, "architecture",
			    var ? json_stringn(slash + 1, (size_t)(var - slash - 1))
				: json_string(slash + 1));
	if (var)
		json_object_set_new(p, "variant", json_string(var + 1));
	json_object_set_new(m, "platform", p);
	return 0;
}

static json_t *add_meta(const struct cat_add_opts *o, struct diag *d)
{
	json_t *m;
	json_error_t err;

	if (o->meta_file) {
		m = json_load_regular(o->meta_file, JSON_FILE_MAX, JSON_REJECT_DUPLICATES, &err);
		if (!m) {
			diag_file_error(d, o->meta_file, json_pos(err.line), json_pos(err.column), CAT_RULE,
					"%s", err.text);
			return NULL;
		}
		if (meta_check(m, o->meta_file, false, d) < 0) {
			json_decref(m);
			return NULL;
		}
		json_object_del(m, "content");
		json_object_del(m, "size");
	} else {
		m = json_object();
	}
	json_object_set_new(m, "name", json_string(o->name));
	json_object_set_new(m, "version", json_string(o->version));
	if (o->kind || !json_object_get(m, "kind"))
		json_object_set_new(m, "kind", json_string(o->kind ? o->kind : "executable"));
	set_list(m, "depends", o->depends, o->ndepends);
	set_list(m, "provides", o->provides, o->nprovides);
	set_list(m, "conflicts", o->conflicts, o->nconflicts);
	if (o->license)
		json_object_set_new(m, "license", json_string(o->license));
	if (o->allow_setuid)
		meta_allow(m, "setuid");
	if (o->platform && set_platform(m, o->platform, d) < 0) {
		json_decref(m);
		return NULL;
	}
	return m;
}

static int check_name_version(const char *name, const char *version, struct diag *d)
{
	const char *why = NULL;

	if (!name || !cat_valid_name(name)) {
		diag_error(d, LOC_NONE, CAT_RULE,
			   "bad primitive name '%s': use lowercase letters, digits and '+', '-', '.'",
			   name ? name : "");
		return -1;
	}
	if (!version || !ver_valid(version, &why)) {
		diag_error(d, LOC_NONE, CAT_RULE, "bad version '%s': %s", version ? version : "",
			   why ? why : "missing");
		return -1;
	}
	return 0;
}

int cat_add(const char *dir, const struct cat_add_opts *o, struct diag *d)
{
	char *blobdir = path_join(dir, "blobs/sha256"), *tmp = NULL, digest[72];
	struct tree t;
	uint64_t size;
	json_t *m;
	int rc = -1;

	if (cat_check_dir(dir, d) < 0 || check_name_version(o->name, o->version, d) < 0) {
		free(blobdir);
		return -1;
	}
	m = add_meta(o, d);
	if (!m) {
		free(blobdir);
		return -1;
	}
	if (meta_check(m, o->meta_file ? o->meta_file : o->name, false, d) < 0)
		goto out;
	tree_init(&t, blobdir, meta_allows(m, "setuid"));
	t.limits = o->limits;
	for (size_t i = 0; i < o->npaths; i++)
		if (tree_add_arg(&t, o->paths[i], d) < 0)
			rc = -2;
	if (rc == -1 && tree_write(&t, &tmp, digest, &size, d) == 0)
		rc = cat_commit(dir, m, tmp, digest, size, d);
	else
		rc = -1;
	tree_release(&t);
out:
	free(tmp);
	json_decref(m);
	free(blobdir);
	return rc;
}

/* ---- set-scan -------------------------------------------------------------- */

int cat_set_scan(const char *dir, const char *name, const char *version, const char *file, struct diag *d)
{
	json_error_t err;
	json_t *scan, *m = NULL;
	int lock, rc = -1;

	if (cat_check_dir(dir, d) < 0 || check_name_version(name, version, d) < 0)
		return -1;
	scan = json_load_regular(file, JSON_FILE_MAX, JSON_REJECT_DUPLICATES, &err);
	if (!scan) {
		diag_file_error(d, file, json_pos(err.line), json_pos(err.column), CAT_RULE, "%s", err.text);
		return -1;
	}
	if (meta_check_scan(scan, file, d) < 0) {
		json_decref(scan);
		return -1;
	}
	lock = cat_lock(dir, d);
	if (lock < 0) {
		json_decref(scan);
		return -1;
	}
	rc = existing_meta(dir, name, version, &m, d);
	if (rc == 0)
		diag_error(d, LOC_NONE, CAT_RULE, "no primitive '%s' version '%s' in '%s'", name, version,
			   dir);
	if (rc > 0) {
		json_object_set(m, "scan", scan);
		rc = meta_check(m, name, true, d) == 0 && write_meta(dir, m, d) == 0 ? 0 : -1;
	} else {
		rc = -1;
	}
	cat_unlock(lock);
	json_decref(m);
	json_decref(scan);
	return rc;
}
