/* cat_debinfo.c - what a .deb says about itself beside its files: the
 * package data of a primitive imported from a .deb.
 *
 * import-deb and the fetch of a pack primitive keep, besides the content
 * tar, one more blob in CATALOG/blobs/sha256/: a JSON object (keys sorted,
 * compact, final newline), the package data:
 *
 *   "control"    the control file's text, as the .deb has it
 *   "md5sums"    its md5sums file (absent when the .deb has none)
 *   "conffiles"  its conffiles file (absent when none)
 *   "scripts"    {"postinst": TEXT, ...}: the maintainer scripts (preinst,
 *                postinst, prerm, postrm, config, triggers); a script that
 *                is not UTF-8 is null
 *   "files"      the paths dpkg lists in info/NAME.list: "/." then every
 *                member of the content, directories included, sorted
 *   "license"    the License of the "Files: *" paragraph of a
 *                machine-readable /usr/share/doc/NAME/copyright (absent
 *                when there is none)
 *
 * The metadata of an imported .deb names the blob ("deb_info"); a fetched
 * pack primitive's record names it on its second line (cat_remote.c). The
 * package data is derived from the .deb alone, so one .deb always gives
 * the same blob. Nothing here runs a script.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cat.h"
#include "cat_int.h"

static const char *const members[DEBCTL_N] = {
	[DEBCTL_CONTROL] = "control", [DEBCTL_MD5SUMS] = "md5sums",   [DEBCTL_CONFFILES] = "conffiles",
	[DEBCTL_PREINST] = "preinst", [DEBCTL_POSTINST] = "postinst", [DEBCTL_PRERM] = "prerm",
	[DEBCTL_POSTRM] = "postrm",   [DEBCTL_CONFIG] = "config",     [DEBCTL_TRIGGERS] = "triggers",
};

int debctl_member(const char *name)
{
	if (!strncmp(name, "./", 2))
		name += 2;
	for (int i = 0; i < DEBCTL_N; i++)
		if (!strcmp(name, members[i]))
			return i;
	return -1;
}

void debctl_release(struct debctl *c)
{
	for (int i = 0; i < DEBCTL_N; i++)
		free(c->text[i]);
	memset(c, 0, sizeof(*c));
}

/* The value of the field (case-insensitive name) of one paragraph
 * [p, end): its first line, trimmed; NULL when absent. Caller frees. */
static char *para_field(const char *p, const char *end, const char *field)
{
	size_t fl = strlen(field);

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end, *v;
		if ((size_t)(le - p) > fl && p[fl] == ':' && !strncasecmp(p, field, fl)) {
			v = p + fl + 1;
			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			while (le > v && (le[-1] == ' ' || le[-1] == '\t' || le[-1] == '\r'))
				le--;
			return xstrndup(v, (size_t)(le - v));
		}
		p = eol ? eol + 1 : end;
	}
	return NULL;
}

/* The end of the paragraph that starts at p: the blank line after it. */
static const char *para_end(const char *p, const char **next)
{
	const char *q = p;

	for (;;) {
		const char *eol = strchr(q, '\n');
		if (!eol) {
			*next = q + strlen(q);
			return *next;
		}
		q = eol + 1;
		if (*q == '\n' || (*q == '\r' && q[1] == '\n')) {
			*next = q + (*q == '\r' ? 2 : 1);
			return q;
		}
		if (!*q) {
			*next = q;
			return q;
		}
	}
}

/* Is "*" one of the whitespace-separated patterns of a Files value? */
static bool files_star(const char *v)
{
	for (const char *p = v; *p;) {
		size_t n;
		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n == 1 && *p == '*')
			return true;
		p += n;
	}
	return false;
}

char *debinfo_license(const char *text)
{
	const char *p = text, *end, *next;
	char *fmt, *v, *lic = NULL;

	end = para_end(p, &next);
	fmt = para_field(p, end, "Format");
	if (!fmt || !strstr(fmt, "copyright-format/1.0")) {
		free(fmt);
		return NULL;
	}
	free(fmt);
	for (p = next; *p && !lic; p = next) {
		end = para_end(p, &next);
		v = para_field(p, end, "Files");
		if (v && files_star(v))
			lic = para_field(p, end, "License");
		free(v);
	}
	if (lic && !*lic) {
		free(lic);
		lic = NULL;
	}
	return lic;
}

#define COPYRIGHT_MAX (1024 * 1024)

/* The License of the tree's /usr/share/doc/PACKAGE/copyright, or NULL. */
static char *tree_license(const struct tree *t, const char *package)
{
	char *path = xasprintf("usr/share/doc/%s/copyright", package), *buf, *lic = NULL;
	const struct tent *e = NULL;

	for (size_t i = 0; i < t->n && !e; i++)
		if (t->v[i].type == TENT_FILE && !strcmp(t->v[i].path, path))
			e = &t->v[i];
	free(path);
	if (!e || e->src || t->spool_fd < 0 || e->size > COPYRIGHT_MAX)
		return NULL;
	buf = xmalloc(e->size + 1);
	if (pread(t->spool_fd, buf, e->size, (off_t)e->spool_off) == (ssize_t)e->size) {
		buf[e->size] = '\0';
		if (!memchr(buf, '\0', e->size) && utf8_valid(buf, e->size, NULL))
			lic = debinfo_license(buf);
	}
	free(buf);
	return lic;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The JSON text of the package data (keys sorted, compact, final
 * newline), of the control members c and the checked, sorted tree t. */
char *debinfo_text(const struct debctl *c, const struct tree *t, const char *package, size_t *len)
{
	json_t *o = json_object(), *scripts = json_object(), *files = json_array();
	char **paths = xcalloc(t->n + 1, sizeof(*paths)), *lic, *s;
	struct strbuf sb = STRBUF_INIT;

	for (int i = 0; i < DEBCTL_N; i++) {
		const char *v = c->text[i];
		bool ok = v && utf8_valid(v, strlen(v), NULL);
		if (!v)
			continue;
		if (i >= DEBCTL_PREINST)
			json_object_set_new(scripts, members[i], ok ? json_string(v) : json_null());
		else if (ok)
			json_object_set_new(o, members[i], json_string(v));
	}
	json_object_set_new(o, "scripts", scripts);
	for (size_t i = 0; i < t->n; i++)
		paths[i] = t->v[i].path;
	qsort(paths, t->n, sizeof(*paths), cmp_path);
	json_array_append_new(files, json_string("/."));
	for (size_t i = 0; i < t->n; i++) {
		sb_reset(&sb);
		sb_addf(&sb, "/%s", paths[i]);
		if (utf8_valid(sb.buf, sb.len, NULL))
			json_array_append_new(files, json_string(sb.buf));
	}
	json_object_set_new(o, "files", files);
	if (package && (lic = tree_license(t, package))) {
		json_object_set_new(o, "license", json_string(lic));
		free(lic);
	}
	s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	sb_reset(&sb);
	sb_adds(&sb, s);
	sb_addc(&sb, '\n');
	free(s);
	free(paths);
	json_decref(o);
	return sb_detach(&sb, len);
}

int cat_place_bytes(const char *dir, const char *data, size_t len, const char *digest, struct diag *d)
{
	char *bdir = path_join(dir, "blobs/sha256"), *path = path_join(bdir, digest + 7);
	struct stat st;
	int rc = 0;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == len)
		goto out; /* content-addressed: the bytes are there (verify checks them) */
	if (mkdir_p(bdir, 0755) < 0 || write_file_atomic(path, data, len, 0644) < 0) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "cannot write: %s", file_strerror(errno));
		rc = -1;
	}
out:
	free(path);
	free(bdir);
	return rc;
}

const char *cat_prim_deb_info(const struct cat_prim *p)
{
	if (p->pack_index)
		return p->deb_info;
	return json_string_value(json_object_get(p->meta, "deb_info"));
}

int cat_prim_debinfo(const struct cat_prim *p, json_t **out, struct diag *d)
{
	const char *ref = cat_prim_deb_info(p);
	char *path, *text = NULL, hex[65];
	json_error_t err;
	json_t *o = NULL;
	size_t len;

	*out = NULL;
	if (!ref)
		return 0;
	if (!digest_valid(ref)) {
		diag_error(d, LOC_NONE, CAT_RULE, "bad package data digest of '%s'", p->name);
		return -1;
	}
	path = xasprintf("%s/blobs/sha256/%s", p->cat->dir, ref + 7);
	if (read_file_max(path, READ_FILE_MAX, OPEN_NOFOLLOW, &text, &len) < 0) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "cannot read the package data of '%s': %s", p->name,
				file_strerror(errno));
	} else if (sha256_hex(text, len, hex), strcmp(hex, ref + 7)) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "blob has digest sha256:%s, expected %s", hex, ref);
	} else if (!(o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err)) || !json_is_object(o) ||
		   !json_is_string(json_object_get(o, "control")) ||
		   !json_is_object(json_object_get(o, "scripts")) ||
		   !json_is_array(json_object_get(o, "files"))) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "malformed package data of '%s'", p->name);
		json_decref(o);
		o = NULL;
	}
	free(text);
	free(path);
	*out = o;
	return o ? 0 : -1;
}
