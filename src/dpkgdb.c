/* dpkgdb.c - the package database of an image (include/dpkgdb.h). */
#include "config.h"

#include "dpkgdb.h"

#include <stdlib.h>
#include <string.h>

#define STATUS_LINE "Status: install ok installed\n"

void dpkgdb_init(struct dpkgdb *db)
{
	memset(db, 0, sizeof(*db));
}

void dpkgdb_release(struct dpkgdb *db)
{
	free(db->files);
	strvec_clear(&db->strs);
	memset(db, 0, sizeof(*db));
}

/* Is the field at line p named name? */
static bool field_is(const char *p, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len > n && p[n] == ':' && !strncasecmp(p, name, n);
}

char *dpkgdb_stanza(const char *control)
{
	struct strbuf pkg = STRBUF_INIT, rest = STRBUF_INIT;
	struct strbuf *cur = NULL;
	const char *p = control;

	while (*p && *p != '\n') {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (*p != ' ' && *p != '\t') { /* a field starts; else a continuation */
			cur = field_is(p, len, "Status") ? NULL : field_is(p, len, "Package") ? &pkg : &rest;
			if (cur == &pkg && pkg.len) /* a second Package field: dropped */
				cur = NULL;
		}
		if (cur) {
			sb_add(cur, p, len);
			sb_addc(cur, '\n');
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	if (!pkg.len) {
		sb_release(&pkg);
		sb_release(&rest);
		return NULL;
	}
	sb_adds(&pkg, STATUS_LINE);
	sb_add(&pkg, rest.buf ? rest.buf : "", rest.len);
	sb_release(&rest);
	return sb_detach(&pkg, NULL);
}

/* Add the file path with content text (taken), mode 0644. */
static void add_file(struct dpkgdb *db, char *path, char *text)
{
	strvec_push_nodup(&db->strs, path);
	strvec_push_nodup(&db->strs, text);
	xgrow((void **)&db->files, &db->capfiles, db->nfiles + 1, sizeof(*db->files));
	db->files[db->nfiles++] =
		(struct oci_file){.path = path, .data = text, .len = strlen(text), .mode = 0644};
}

/* The file list of info/NAME.list: one path a line. */
static char *list_text(json_t *files)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	json_t *f;

	json_array_foreach(files, i, f)
	{
		if (json_is_string(f)) {
			sb_adds(&sb, json_string_value(f));
			sb_addc(&sb, '\n');
		}
	}
	return sb_detach(&sb, NULL);
}

struct stanza {
	const char *name;
	char *text;
};

static int stanza_cmp(const void *a, const void *b)
{
	return strcmp(((const struct stanza *)a)->name, ((const struct stanza *)b)->name);
}

/* /var/lib/dpkg/status: the stanzas v[0..n), sorted by name. */
static char *status_text(struct stanza *v, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	qsort(v, n, sizeof(*v), stanza_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addc(&sb, '\n');
		sb_adds(&sb, v[i].text);
	}
	return sb_detach(&sb, NULL);
}

void dpkgdb_plan(struct dpkgdb *db, const struct cat_prim *const *v, json_t *const *info, size_t n)
{
	struct stanza *st = xcalloc(n + 1, sizeof(*st));
	bool have_dpkg = false;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const char *ctl = info[i] ? json_string_value(json_object_get(info[i], "control")) : NULL;
		char *text = ctl ? dpkgdb_stanza(ctl) : NULL;
		if (!text)
			continue;
		st[k++] = (struct stanza){v[i]->name, text};
		have_dpkg |= !strcmp(v[i]->name, "dpkg");
	}
	db->npkgs = k;
	for (size_t i = 0; i < n; i++) {
		const char *md5 = info[i] ? json_string_value(json_object_get(info[i], "md5sums")) : NULL;
		if (!info[i] || !json_is_string(json_object_get(info[i], "control")))
			continue;
		if (md5)
			add_file(db, xasprintf("/var/lib/dpkg/status.d/%s.md5sums", v[i]->name),
				 xstrdup(md5));
		if (!have_dpkg)
			continue;
		add_file(db, xasprintf("/var/lib/dpkg/info/%s.list", v[i]->name),
			 list_text(json_object_get(info[i], "files")));
		if (md5)
			add_file(db, xasprintf("/var/lib/dpkg/info/%s.md5sums", v[i]->name), xstrdup(md5));
	}
	for (size_t i = 0; i < k; i++)
		add_file(db, xasprintf("/var/lib/dpkg/status.d/%s", st[i].name), xstrdup(st[i].text));
	if (have_dpkg)
		add_file(db, xstrdup("/var/lib/dpkg/status"), status_text(st, k));
	for (size_t i = 0; i < k; i++)
		free(st[i].text);
	free(st);
}
