/* cat_deb.c - importing Debian binary packages (.deb) into a catalog.
 *
 * A .deb is an ar archive holding debian-binary, control.tar.{gz,xz,zst}
 * and data.tar.{gz,xz,zst,bz2} (or uncompressed). The control file gives
 * the metadata; data.tar is streamed through the same checks and canonical
 * tar writer as `catalog add`. Maintainer scripts are never run.
 *
 * Fields: Package, Version, Architecture ("all": no platform; otherwise
 * linux/ARCH), Depends and Pre-Depends (merged, Pre-Depends first),
 * Provides, Conflicts, Breaks, Installed-Size (kept as installed_size in
 * KiB; size is the real content size). kind is "library" for packages whose
 * name starts with "lib", else "executable".
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "cat.h"
#include "cat_int.h"
#include "rel.h"
#include "ver.h"

#define MAX_CONTROL (1024 * 1024)

/* Read the current member of a (an open archive) fully into memory, up to
 * max bytes. */
static int read_member(struct archive *a, char **out, size_t *len, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[16384];
	la_ssize_t n;

	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		if (sb.len + (size_t)n > max) {
			sb_release(&sb);
			return -1;
		}
		sb_add(&sb, buf, (size_t)n);
	}
	if (n < 0) {
		sb_release(&sb);
		return -1;
	}
	*out = sb_detach(&sb, len);
	return 0;
}

/* An inner archive read through the current member of the outer one. */
struct inner {
	struct archive *outer;
	char block[65536];
};

static la_ssize_t inner_read(struct archive *a, void *ud, const void **buf)
{
	struct inner *in = ud;

	(void)a;
	*buf = in->block;
	return archive_read_data(in->outer, in->block, sizeof(in->block));
}

static int inner_close(struct archive *a, void *ud)
{
	(void)a;
	free(ud);
	return ARCHIVE_OK;
}

static struct archive *open_inner(struct archive *outer)
{
	struct archive *a = archive_read_new();
	struct inner *in = xmalloc(sizeof(*in));

	in->outer = outer;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	/* the close callback frees in, also when opening fails */
	if (archive_read_open(a, in, NULL, inner_read, inner_close) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* ---- the control file ------------------------------------------------------ */

void cat_control_release(struct control *c)
{
	free(c->package);
	free(c->version);
	free(c->arch);
	free(c->depends);
	free(c->predepends);
	free(c->provides);
	free(c->conflicts);
	free(c->breaks);
	free(c->isize);
}

static char **control_slot(struct control *c, const char *field, size_t n)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{"Package", offsetof(struct control, package)},
		{"Version", offsetof(struct control, version)},
		{"Architecture", offsetof(struct control, arch)},
		{"Depends", offsetof(struct control, depends)},
		{"Pre-Depends", offsetof(struct control, predepends)},
		{"Provides", offsetof(struct control, provides)},
		{"Conflicts", offsetof(struct control, conflicts)},
		{"Breaks", offsetof(struct control, breaks)},
		{"Installed-Size", offsetof(struct control, isize)},
	};

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (strlen(fields[i].name) == n && !strncasecmp(fields[i].name, field, n))
			return (char **)((char *)c + fields[i].off);
	return NULL;
}

/* The field being read goes to *slot once its last continuation line is
 * in: each line is appended once, so folding is linear in the text. */
static void field_end(char **slot, struct strbuf *val)
{
	if (slot) {
		free(*slot);
		*slot = sb_detach(val, NULL);
	}
	sb_reset(val);
}

void cat_control_parse(struct control *c, const char *text)
{
	struct strbuf val = STRBUF_INIT;
	const char *p = text;
	char **slot = NULL;

	while (*p && *p != '\n') {
		const char *eol = strchr(p, '\n'), *colon;
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (*p == ' ' || *p == '\t') {
			if (slot) { /* a continuation: folded into one line */
				sb_addc(&val, ' ');
				sb_add(&val, p, len);
			}
		} else if ((colon = memchr(p, ':', len))) {
			const char *v = colon + 1;
			field_end(slot, &val);
			while (v < p + len && (*v == ' ' || *v == '\t'))
				v++;
			slot = control_slot(c, p, (size_t)(colon - p));
			if (slot)
				sb_add(&val, v, (size_t)(p + len - v));
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	field_end(slot, &val);
	sb_release(&val);
}

/* Add the elements of a relationship field to list key of m. */
static int add_rel_field(json_t *m, const char *key, const char *field, const char *deb, struct diag *d)
{
	struct rel_list l;
	const char *why;
	json_t *arr;

	if (!field)
		return 0;
	if (rel_parse(field, &l, &why) < 0) {
		diag_file_error(d, deb, 0, 0, CAT_RULE, "bad %s field '%s': %s", key, field, why);
		return -1;
	}
	arr = json_object_get(m, key);
	if (!arr && l.n) {
		arr = json_array();
		json_object_set_new(m, key, arr);
	}
	for (size_t i = 0; i < l.n; i++) {
		char *s = rel_alt_str(&l.alts[i]);
		json_array_append_new(arr, json_string(s));
		free(s);
	}
	rel_list_release(&l);
	return 0;
}

json_t *cat_control_meta(const struct control *c, const char *deb, struct diag *d)
{
	json_t *m = json_object();
	const char *why = NULL;
	int rc = 0;

	if (!c->package || !cat_valid_name(c->package)) {
		diag_file_error(d, deb, 0, 0, CAT_RULE, "missing or bad Package field");
		json_decref(m);
		return NULL;
	}
	if (!c->version || !ver_valid(c->version, &why)) {
		diag_file_error(d, deb, 0, 0, CAT_RULE, "missing or bad Version field: %s",
				why ? why : "missing");
		json_decref(m);
		return NULL;
	}
	json_object_set_new(m, "name", json_string(c->package));
	json_object_set_new(m, "version", json_string(c->version));
	json_object_set_new(m, "kind", json_string(strncmp(c->package, "lib", 3) ? "executable" : "library"));
	if (c->arch && strcmp(c->arch, "all")) {
		json_t *p = json_object();
		json_object_set_new(p, "os", json_string("linux"));
		json_object_set_new(p, "architecture", json_string(c->arch));
		json_object_set_new(m, "platform", p);
	}
	rc |= add_rel_field(m, "depends", c->predepends, deb, d);
	rc |= add_rel_field(m, "depends", c->depends, deb, d);
	rc |= add_rel_field(m, "provides", c->provides, deb, d);
	rc |= add_rel_field(m, "conflicts", c->conflicts, deb, d);
	rc |= add_rel_field(m, "breaks", c->breaks, deb, d);
	if (c->isize) {
		char *end;
		errno = 0;
		long long k = strtoll(c->isize, &end, 10);
		if (!errno && end != c->isize && !*end && k >= 0)
			json_object_set_new(m, "installed_size", json_integer(k));
	}
	if (rc || meta_check(m, deb, false, d) < 0) {
		json_decref(m);
		return NULL;
	}
	return m;
}

/* What one .deb import reads: the package, its size on disk and bounds. */
struct deb {
	const char *path;
	uint64_t size;
	const struct cat_limits *limits;
};

#define MAX_MD5SUMS (64 * 1024 * 1024)

/* Read control.tar: ./control parsed into c, it and the other members the
 * package data keeps (cat_debinfo.c) into k. */
static int read_control(struct archive *outer, struct control *c, struct debctl *k, const struct deb *deb,
			struct diag *d)
{
	struct archive *a = open_inner(outer);
	struct archive_entry *ae;
	char *orig = xasprintf("%s:control.tar", deb->path);
	int r, rc = -1;

	if (!a) {
		diag_file_error(d, deb->path, 0, 0, CAT_RULE, "cannot read control.tar");
		free(orig);
		return -1;
	}
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ae);
		int m = name && archive_entry_filetype(ae) == AE_IFREG ? debctl_member(name) : -1;
		char *text;
		size_t len;
		/* skipping a member decompresses it: the bounds hold here too */
		if (tree_over_cap(a, deb->limits, deb->size, orig, d)) {
			r = ARCHIVE_FATAL;
			rc = -2;
			break;
		}
		if (m < 0 || k->text[m]) {
			if (tree_drain(a, deb->limits, deb->size, orig, d) < 0) {
				r = ARCHIVE_FATAL;
				rc = -2;
				break;
			}
			continue;
		}
		if (read_member(a, &text, &len, m == DEBCTL_MD5SUMS ? MAX_MD5SUMS : MAX_CONTROL) < 0 ||
		    memchr(text, '\0', len)) {
			diag_file_error(d, deb->path, 0, 0, CAT_RULE, "unreadable or oversized %s file",
					name + (name[0] == '.' && name[1] == '/' ? 2 : 0));
			rc = -2;
			break;
		}
		k->text[m] = text;
		if (m == DEBCTL_CONTROL) {
			cat_control_parse(c, text);
			rc = 0;
		}
	}
	if (rc != -2 && r != ARCHIVE_EOF) {
		diag_file_error(d, deb->path, 0, 0, CAT_RULE, "cannot read control.tar: %s",
				archive_error_string(a));
		rc = -1;
	} else if (rc == -1) {
		diag_file_error(d, deb->path, 0, 0, CAT_RULE, "no control file in control.tar");
	}
	archive_read_free(a);
	free(orig);
	return rc < 0 ? -1 : 0;
}

static int read_data(struct archive *outer, struct tree *t, const struct deb *deb, struct diag *d)
{
	struct archive *a = open_inner(outer);
	char *orig;
	int rc;

	if (!a) {
		diag_file_error(d, deb->path, 0, 0, CAT_RULE, "cannot read data.tar");
		return -1;
	}
	orig = xasprintf("%s:data.tar", deb->path);
	rc = tree_add_archive(t, a, orig, deb->size, d);
	free(orig);
	archive_read_free(a);
	return rc;
}

/* Walk the ar members: control.tar and data.tar, in that order. */
static int read_deb(struct deb *deb, struct control *c, struct debctl *k, struct tree *t, struct diag *d)
{
	struct archive *ar = archive_read_new();
	struct archive_entry *ae;
	struct stat st;
	bool have_control = false, have_data = false;
	int r, rc = 0, fd = open_regular(deb->path, 0, &st);

	archive_read_support_format_ar(ar);
	if (fd < 0) {
		diag_file_error(d, deb->path, 0, 0, CAT_RULE, "cannot read '%s': %s", deb->path,
				file_strerror(errno));
		archive_read_free(ar);
		return -1;
	}
	deb->size = (uint64_t)st.st_size;
	if (archive_read_open_fd(ar, fd, 65536) != ARCHIVE_OK) {
		diag_file_error(d, deb->path, 0, 0, CAT_RULE, "not a Debian package: %s",
				archive_error_string(ar));
		archive_read_free(ar);
		close(fd);
		return -1;
	}
	while (rc == 0 && (r = archive_read_next_header(ar, &ae)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ae);
		if (!name)
			continue;
		if (!strncmp(name, "control.tar", 11) && !have_control) {
			rc = read_control(ar, c, k, deb, d);
			have_control = true;
		} else if (!strncmp(name, "data.tar", 8) && !have_data) {
			if (!have_control) {
				diag_file_error(d, deb->path, 0, 0, CAT_RULE,
						"data.tar comes before control.tar");
				rc = -1;
			} else {
				rc = read_data(ar, t, deb, d);
				have_data = true;
			}
		}
	}
	if (rc == 0 && (!have_control || !have_data)) {
		diag_file_error(d, deb->path, 0, 0, CAT_RULE, "not a Debian package: %s missing",
				have_control ? "data.tar" : "control.tar");
		rc = -1;
	}
	archive_read_free(ar);
	close(fd);
	return rc;
}

/* The package data of a .deb read (cat_debinfo.c). */
static void deb_info_make(struct deb_info *info, const struct debctl *k, const struct tree *t,
			  const char *package)
{
	char hex[65];

	info->text = debinfo_text(k, t, package, &info->len);
	sha256_hex(info->text, info->len, hex);
	snprintf(info->digest, sizeof(info->digest), "sha256:%s", hex);
}

int cat_import_deb_opts(const char *dir, const char *path, const struct cat_import_opts *o, struct diag *d)
{
	char *blobdir = path_join(dir, "blobs/sha256"), *tmp = NULL, digest[72];
	struct deb deb = {path, 0, &o->limits};
	struct control c = {0};
	struct debctl k = {0};
	struct deb_info info = {0};
	struct tree t;
	uint64_t size;
	json_t *m = NULL;
	int rc = -1;

	tree_init(&t, blobdir, o->allow_setuid);
	t.limits = o->limits;
	if (cat_check_dir(dir, d) < 0 || read_deb(&deb, &c, &k, &t, d) < 0)
		goto out;
	m = cat_control_meta(&c, path, d);
	if (m && o->allow_setuid)
		meta_allow(m, "setuid");
	if (!m || tree_write(&t, &tmp, digest, &size, d) < 0)
		goto out;
	deb_info_make(&info, &k, &t, c.package);
	json_object_set_new(m, "deb_info", json_string(info.digest));
	if (cat_place_bytes(dir, info.text, info.len, info.digest, d) == 0)
		rc = cat_commit(dir, m, tmp, digest, size, d);
	else
		unlink(tmp);
out:
	json_decref(m);
	free(tmp);
	free(info.text);
	tree_release(&t);
	cat_control_release(&c);
	debctl_release(&k);
	free(blobdir);
	return rc;
}

int cat_import_deb(const char *dir, const char *deb, bool allow_setuid, struct diag *d)
{
	struct cat_import_opts o = {.allow_setuid = allow_setuid};

	return cat_import_deb_opts(dir, deb, &o, d);
}

int deb_content(const char *path, const char *blobdir, bool allow_setuid, struct deb_ids *ids, char **tmp,
		char digest[72], uint64_t *size, struct deb_info *info, struct diag *d)
{
	struct cat_import_opts o = {.allow_setuid = allow_setuid};
	struct deb deb = {path, 0, &o.limits};
	struct control c = {0};
	struct debctl k = {0};
	struct tree t;
	int rc = -1;

	tree_init(&t, blobdir, allow_setuid);
	t.limits = o.limits;
	if (read_deb(&deb, &c, &k, &t, d) == 0 && tree_write(&t, tmp, digest, size, d) == 0) {
		deb_info_make(info, &k, &t, c.package);
		ids->package = c.package, ids->version = c.version, ids->arch = c.arch;
		c.package = c.version = c.arch = NULL;
		rc = 0;
	}
	tree_release(&t);
	cat_control_release(&c);
	debctl_release(&k);
	return rc;
}
