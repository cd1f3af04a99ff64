/* cat_verify.c - `catalog verify`: recompute every digest, check the index. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include <archive.h>

#include "cat.h"
#include "cat_int.h"

struct vlines {
	char **v;
	size_t n, cap;
	char *text;
};

/* Split text (owned by l) into lines, skipping the magic line and the
 * header lines ("@pack ..."). */
static void split_lines(struct vlines *l, char *text)
{
	char *p = strchr(text, '\n');

	l->text = text;
	p = p ? p + 1 : text + strlen(text);
	while (*p == '@') {
		char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : p + strlen(p);
	}
	while (*p) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = p;
		p = nl ? nl + 1 : p + strlen(p);
	}
}

/* Length of the "name\tversion" key at the start of an index line. */
static size_t key_len(const char *s)
{
	const char *t = strchr(s, '\t');

	if (t)
		t = strchr(t + 1, '\t');
	return t ? (size_t)(t - s) : strlen(s);
}

static int cmp_key(const char *a, const char *b)
{
	size_t ka = key_len(a), kb = key_len(b);
	int c = strncmp(a, b, ka < kb ? ka : kb);

	return c ? c : (ka > kb) - (ka < kb);
}

static char *key_text(const char *line)
{
	char *s = xstrdup(line), *t = strchr(s, '\t');

	if (t) {
		*t = '@';
		if ((t = strchr(t, '\t')))
			*t = '\0';
	}
	return s;
}

static int compare_index(const char *dir, struct vlines *want, struct vlines *have, struct diag *d)
{
	char *path = path_join(dir, "index");
	size_t i = 0, j = 0;
	int problems = 0;

	while (i < want->n || j < have->n) {
		int c = i == want->n ? 1 : j == have->n ? -1 : cmp_key(want->v[i], have->v[j]);
		char *k = key_text(c <= 0 ? want->v[i] : have->v[j]);
		if (c < 0)
			diag_file_error(d, path, 0, 0, CAT_RULE,
					"'%s' has metadata but is missing from the index", k);
		else if (c > 0)
			diag_file_error(d, path, 0, 0, CAT_RULE,
					"'%s' is in the index but has no metadata file", k);
		else if (strcmp(want->v[i], have->v[j]))
			diag_file_error(d, path, 0, 0, CAT_RULE,
					"the index entry of '%s' does not match its metadata file", k);
		problems += c != 0 || strcmp(want->v[i], have->v[j]) != 0;
		free(k);
		i += c <= 0;
		j += c >= 0;
	}
	free(path);
	return problems;
}

/* Does the metadata of name@version allow setuid files? */
static bool allows_setuid(const char *dir, const char *name, const char *version)
{
	char *path = meta_file_path(dir, name, version);
	json_error_t err;
	json_t *m = json_load_regular(path, JSON_FILE_MAX, JSON_REJECT_DUPLICATES, &err);
	bool yes = m && meta_allows(m, "setuid");

	json_decref(m);
	free(path);
	return yes;
}

/* The members of the blob at path follow the rules of a primitive's
 * content (member.h), as `catalog add` checked them: a hand-made catalog
 * gets no pass. Returns the number of refusals (each reported). */
static int check_members(const char *dir, const char *path, const char *name, const char *version,
			 struct diag *d)
{
	struct archive *a = archive_read_new();
	struct tree t;
	size_t before = d->nerrors;
	int fd = open_regular(path, 0, NULL), rc;

	tree_init(&t, dir, allows_setuid(dir, name, version));
	t.headers_only = true;
	t.limits.max_size = UINT64_MAX; /* a catalog tar is not compressed */
	archive_read_support_format_tar(a);
	archive_read_support_format_empty(a);
	if (fd < 0 || archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "cannot read '%s': %s", path,
				fd < 0 ? file_strerror(errno) : archive_error_string(a));
		rc = -1;
	} else {
		rc = tree_add_archive(&t, a, path, 0, d);
		if (tree_check(&t, d) < 0)
			rc = -1;
	}
	archive_read_free(a);
	if (fd >= 0)
		close(fd);
	tree_release(&t);
	return rc < 0 ? (int)(d->nerrors - before) + (d->nerrors == before) : 0;
}

/* The blob ref that what (a fetched record's .deb, a primitive) names. */
static int check_ref_blob(const char *dir, const char *name, const char *ref, struct diag *d)
{
	char *blob = xasprintf("%s/blobs/sha256/%s", dir, ref + 7), hex[65];
	int bad = 1;

	if (sha256_file(blob, hex) < 0)
		diag_file_error(d, blob, 0, 0, CAT_RULE, "a blob of %s is unreadable: %s", name,
				strerror(errno));
	else if (strcmp(hex, ref + 7))
		diag_file_error(d, blob, 0, 0, CAT_RULE, "blob has digest sha256:%s, expected %s", hex, ref);
	else
		bad = 0;
	free(blob);
	return bad;
}

/* The package data blob that the metadata of name@version names. */
static int check_deb_info(const char *dir, const char *name, const char *version, struct diag *d)
{
	char *path = meta_file_path(dir, name, version), *what;
	json_error_t err;
	json_t *m = json_load_regular(path, JSON_FILE_MAX, JSON_REJECT_DUPLICATES, &err);
	const char *ref = json_string_value(json_object_get(m, "deb_info"));
	int bad = 0;

	if (ref && digest_valid(ref)) { /* the metadata's own checks say the rest */
		what = xasprintf("'%s' version '%s'", name, version);
		bad = check_ref_blob(dir, what, ref, d);
		free(what);
	}
	json_decref(m);
	free(path);
	return bad;
}

/* Check the blob named by one generated index line. */
static int check_blob(const char *dir, const char *line, struct diag *d)
{
	char *k = key_text(line), *f = xstrdup(line), *fields[5], *p = f, *path;
	char hex[65];
	int bad = 0;

	for (int n = 0; n < 5; n++) {
		fields[n] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	path = xasprintf("%s/blobs/sha256/%s", dir, fields[3] + 7);
	if (sha256_file(path, hex) < 0) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "blob of '%s' is unreadable: %s", k,
				file_strerror(errno));
		bad = 1;
	} else if (strcmp(hex, fields[3] + 7)) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "blob of '%s' has digest sha256:%s, expected %s", k,
				hex, fields[3]);
		bad = 1;
	} else {
		bad = check_members(dir, path, fields[0], fields[1], d);
		bad |= check_deb_info(dir, fields[0], fields[1], d);
	}
	free(path);
	free(f);
	free(k);
	return bad;
}

/* The blobs a fetched record (DIR/fetched/sha256/NAME) names: the content
 * and, when it names one, the package data. */
static int check_fetched(const char *dir, const char *name, struct diag *d)
{
	char *path = xasprintf("%s/fetched/sha256/%s", dir, name), *text = NULL;
	size_t len;
	int bad = 1;

	if (strlen(name) != 64 || strspn(name, "0123456789abcdef") != 64 ||
	    read_file(path, &text, &len) < 0 || cat_fetched_parse(text, len) < 0) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "malformed record of fetched content");
	} else {
		char *what = xasprintf("the .deb sha256:%s", name);
		bad = check_ref_blob(dir, what, text, d);
		if (len > 72)
			bad |= check_ref_blob(dir, what, text + 72, d);
		free(what);
	}
	free(text);
	free(path);
	return bad;
}

/* The pack: every record against its digest, every fetched content. */
static int check_pack(const char *dir, struct catalog *cat, struct diag *d)
{
	char *fdir = path_join(dir, "fetched/sha256");
	struct vlines names = {0};
	DIR *dh;
	struct dirent *de;
	int problems = 0;

	for (size_t i = 0; i < pack_count(cat->pack); i++) {
		struct pack_pkg k;
		problems += pack_get(cat->pack, i, &k, d) < 0;
	}
	if ((dh = opendir(fdir))) {
		while ((de = readdir(dh)))
			if (de->d_name[0] != '.') {
				xgrow((void **)&names.v, &names.cap, names.n + 1, sizeof(*names.v));
				names.v[names.n++] = xstrdup(de->d_name);
			}
		closedir(dh);
	}
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), cmp_strp);
	for (size_t i = 0; i < names.n; i++) {
		problems += check_fetched(dir, names.v[i], d);
		free(names.v[i]);
	}
	free(names.v);
	free(fdir);
	return problems;
}

int cat_verify(const char *dir, struct diag *d)
{
	struct strbuf sb = STRBUF_INIT;
	struct vlines want = {0}, have = {0};
	char *ipath = path_join(dir, "index"), *text;
	size_t len, before = d->nerrors;
	int problems = 0;
	struct catalog *cat;

	if (cat_check_dir(dir, d) < 0) {
		free(ipath);
		return -1;
	}
	cat = cat_open(dir, d); /* the index syntax, the pack's table */
	if (!cat) {
		free(ipath);
		return (int)(d->nerrors - before) + 1;
	}
	if (cat->pack)
		problems += check_pack(dir, cat, d);
	cat_close(cat);
	sb_adds(&sb, CAT_INDEX_MAGIC "\n");
	if (cat_scan_index(dir, &sb, d) < 0)
		problems++;
	split_lines(&want, sb_detach(&sb, NULL));
	if (read_file(ipath, &text, &len) < 0) {
		diag_file_error(d, ipath, 0, 0, CAT_RULE, "cannot read index: %s", file_strerror(errno));
		problems++;
	} else {
		split_lines(&have, text);
		problems += compare_index(dir, &want, &have, d);
	}
	for (size_t i = 0; i < want.n; i++)
		problems += check_blob(dir, want.v[i], d);
	free(want.v);
	free(want.text);
	free(have.v);
	free(have.text);
	free(ipath);
	if (problems == 0 && d->nerrors > before)
		problems = (int)(d->nerrors - before);
	return problems;
}
