/* check_cat.c - catalogs: canonical content, metadata, index, immutability,
 * hostile content, catalog sets, records, blob checks, verify. */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/cat_int.h"
#include "cat.h"
#include "util.h"
#include "../src/cat_int.h" /* tree_add_arg and tree_write: the walk and the reads */

static char root[64];

static void setup(void)
{
	strcpy(root, "/tmp/cpolc-check-cat-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static char *at(const char *rel)
{
	return path_join(root, rel);
}

static void put(const char *rel, const char *text, unsigned mode)
{
	char *p = at(rel), *dir = path_dirname(p);

	ck_assert_int_eq(mkdir_p(dir, 0755), 0);
	ck_assert_int_eq(write_file_atomic(p, text, strlen(text), mode), 0);
	free(dir);
	free(p);
}

static char *new_catalog(const char *rel)
{
	char *dir = at(rel);
	struct diag d;

	diag_init(&d);
	ck_assert_int_eq(cat_init(dir, &d), 0);
	ck_assert_uint_eq(d.nerrors, 0);
	diag_release(&d);
	return dir;
}

/* Add paths as name@version; returns cat_add's result, errors in *msg. */
static int add(const char *dir, const char *name, const char *version, const char *const *paths, size_t n,
	       bool allow, char **msg)
{
	struct cat_add_opts o = {
		.name = name, .version = version, .paths = paths, .npaths = n, .allow_setuid = allow};
	struct diag d;
	int rc;

	diag_init(&d);
	rc = cat_add(dir, &o, &d);
	if (msg) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < d.nentries; i++)
			sb_addf(&sb, "%s\n", d.entries[i].message);
		*msg = sb_detach(&sb, NULL);
	}
	diag_release(&d);
	return rc;
}

struct tmember {
	const char *path;
	unsigned type, mode;
	const char *data, *link;
	bool hardlink;
};

static char *make_tar(const char *rel, const struct tmember *m, size_t n)
{
	char *path = at(rel);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	archive_write_set_format_pax_restricted(a);
	ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		archive_entry_clear(e);
		archive_entry_set_pathname(e, m[i].path);
		archive_entry_set_filetype(e, m[i].type);
		archive_entry_set_perm(e, m[i].mode);
		archive_entry_set_size(e, m[i].data ? (la_int64_t)strlen(m[i].data) : 0);
		if (m[i].link && m[i].hardlink)
			archive_entry_set_hardlink(e, m[i].link);
		else if (m[i].link)
			archive_entry_set_symlink(e, m[i].link);
		ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
		if (m[i].data)
			archive_write_data(a, m[i].data, strlen(m[i].data));
	}
	archive_write_close(a);
	archive_write_free(a);
	archive_entry_free(e);
	return path;
}

/* "path type mode uid mtime [-> link]" lines of a blob. */
static char *list_blob(const char *blob)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct strbuf sb = STRBUF_INIT;

	archive_read_support_format_tar(a);
	ck_assert_int_eq(archive_read_open_filename(a, blob, 10240), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		sb_addf(&sb, "%s %o %o %d %d", archive_entry_pathname(e), archive_entry_filetype(e) >> 12,
			archive_entry_perm(e), (int)archive_entry_uid(e), (int)archive_entry_mtime(e));
		ck_assert(!archive_entry_uname(e) || !*archive_entry_uname(e));
		ck_assert(!archive_entry_gname(e) || !*archive_entry_gname(e));
		ck_assert(!archive_entry_atime_is_set(e) && !archive_entry_ctime_is_set(e));
		if (archive_entry_symlink(e))
			sb_addf(&sb, " -> %s", archive_entry_symlink(e));
		if (archive_entry_hardlink(e))
			sb_addf(&sb, " => %s", archive_entry_hardlink(e));
		sb_addc(&sb, '\n');
	}
	archive_read_free(a);
	return sb_detach(&sb, NULL);
}

static struct cat_prim *open_one(struct catset *cs, const char *dir, const char *name, const char *version)
{
	struct diag d;
	const char *dirs[] = {dir};

	diag_init(&d);
	ck_assert_int_eq(catset_open(cs, dirs, 1, &d), 0);
	diag_release(&d);
	return catset_find(cs, name, version);
}

/* Walk rel (as `catalog add DIR` does), let swap change the tree, then
 * write the tar: the message of the failure, or NULL when it was written
 * (and then the content of src/f in *blob_has). */
static char *walk_swap_write(void (*swap)(void))
{
	struct tree t;
	struct diag d;
	char *arg = at("src"), *tmpd = at("tmp"), *tmp = NULL, dg[72], *msg = NULL;
	uint64_t size;

	diag_init(&d);
	ck_assert_int_eq(mkdir_p(tmpd, 0755), 0);
	tree_init(&t, tmpd, false);
	ck_assert_int_eq(tree_add_arg(&t, arg, &d), 0);
	swap();
	if (tree_write(&t, &tmp, dg, &size, &d) < 0) {
		ck_assert_uint_ge(d.nerrors, 1);
		msg = xstrdup(d.entries[0].message);
	} else {
		unlink(tmp);
		free(tmp);
	}
	tree_release(&t);
	diag_release(&d);
	free(arg);
	free(tmpd);
	return msg;
}

static void swap_for_symlink(void) /* src/f -> a secret of the same size */
{
	char *f = at("src/f"), *secret = at("secret");
	ck_assert_int_eq(unlink(f), 0);
	ck_assert_int_eq(symlink(secret, f), 0);
	free(f);
	free(secret);
}

static void swap_parent(void) /* src/d -> a directory holding another f */
{
	char *d = at("src/d"), *other = at("other"), *old = at("old");
	ck_assert_int_eq(rename(d, old), 0);
	ck_assert_int_eq(symlink(other, d), 0);
	free(d);
	free(other);
	free(old);
}

static void swap_file(void) /* src/f replaced by another file of the same size */
{
	put("src/f.new", "SECRET", 0644);
	char *a = at("src/f.new"), *b = at("src/f");
	ck_assert_int_eq(rename(a, b), 0);
	free(a);
	free(b);
}

static void no_swap(void)
{
}

/* catalog add DIR opens each file it walked and checks that it is that
 * file: a file swapped for a link to /etc/shadow between the walk and the
 * read (or its directory for a link, or it for another file) used to put
 * the other file's bytes into the world-readable blob. */
START_TEST(test_add_race)
{
	char *msg;

	put("src/f", "public", 0644);
	put("src/d/f", "public", 0644);
	put("secret", "SECRET", 0600);
	put("other/f", "SECRET", 0600);
	ck_assert_ptr_null(walk_swap_write(no_swap));
	msg = walk_swap_write(swap_for_symlink);
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(strstr(msg, "changed while being added"), "%s", msg);
	free(msg);
	put("src/f", "public", 0644);
	msg = walk_swap_write(swap_parent);
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(strstr(msg, "changed while being added"), "%s", msg);
	free(msg);
	msg = walk_swap_write(swap_file);
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(strstr(msg, "changed while being added"), "%s", msg);
	free(msg);
}
END_TEST

START_TEST(test_canonical_tar)
{
	char *dir = new_catalog("cat"), *src = at("src"), *lnk = at("src/bin/sh"), *listing, *blob;
	const char *paths[] = {src};
	struct catset cs;
	struct cat_prim *p;
	mode_t old;

	put("src/bin/busybox", "#!busybox\n", 0755);
	put("src/etc/motd", "hello\n", 0640);
	ck_assert_int_eq(symlink("busybox", lnk), 0);
	old = umask(077); /* the umask of the adding process changes nothing */
	ck_assert_int_eq(add(dir, "busybox", "1:1.35.0-4", paths, 1, false, NULL), 0);
	umask(old);
	p = open_one(&cs, dir, "busybox", "1:1.35.0-4");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->size, 16);
	blob = cat_blob_path(p);
	listing = list_blob(blob);
	ck_assert_str_eq(listing, "bin/ 4 755 0 0\n"
				  "bin/busybox 10 755 0 0\n"
				  "bin/sh 12 777 0 0 -> busybox\n"
				  "etc/ 4 755 0 0\n"
				  "etc/motd 10 640 0 0\n");
	free(listing);
	free(blob);
	/* the file name encodes ':' */
	ck_assert(strstr(p->meta_path ? p->meta_path : "", "") != NULL);
	ck_assert_int_eq(cat_prim_load(p, &(struct diag){0}), 0);
	ck_assert_ptr_nonnull(strstr(p->meta_path, "primitives/busybox/1%3a1.35.0-4.json"));
	catset_release(&cs);
	free(src);
	free(lnk);
	free(dir);
}
END_TEST

START_TEST(test_deterministic)
{
	char *c1 = new_catalog("c1"), *c2 = new_catalog("c2"), *a = at("a"), *b = at("b");
	const char *pa[] = {a}, *pb[] = {b};
	struct catset s1, s2;
	struct cat_prim *p1, *p2;

	put("a/x/1", "one", 0644);
	put("a/y", "two", 0600);
	put("b/y", "two", 0600); /* created in the other order */
	put("b/x/1", "one", 0644);
	ck_assert_int_eq(add(c1, "t", "1", pa, 1, false, NULL), 0);
	ck_assert_int_eq(add(c2, "t", "1", pb, 1, false, NULL), 0);
	p1 = open_one(&s1, c1, "t", "1");
	p2 = open_one(&s2, c2, "t", "1");
	ck_assert_str_eq(p1->digest, p2->digest);
	ck_assert_str_eq(p1->meta_digest, p2->meta_digest);
	catset_release(&s1);
	catset_release(&s2);
	free(c1);
	free(c2);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_immutable)
{
	char *dir = new_catalog("cat"), *a = at("a"), *msg, *idx = at("cat/index"), *before, *after;
	const char *pa[] = {a};
	size_t n1, n2;

	put("a/f", "one", 0644);
	ck_assert_int_eq(add(dir, "t", "1.0", pa, 1, false, NULL), 0);
	ck_assert_int_eq(read_file(idx, &before, &n1), 0);
	ck_assert_int_eq(add(dir, "t", "1.0", pa, 1, false, NULL), 1); /* same content: no-op */
	put("a/f", "two", 0644);
	ck_assert_int_eq(add(dir, "t", "1.0", pa, 1, false, &msg), -1);
	ck_assert_ptr_nonnull(strstr(msg, "already in the catalog with other content"));
	ck_assert_int_eq(read_file(idx, &after, &n2), 0);
	ck_assert_str_eq(before, after);
	free(msg);
	ck_assert_int_eq(add(dir, "t", "1.1", pa, 1, false, NULL), 0);
	ck_assert_int_eq(add(dir, "T", "1.1", pa, 1, false, NULL), -1);
	ck_assert_int_eq(add(dir, "t", "x1", pa, 1, false, NULL), -1);
	free(before);
	free(after);
	free(idx);
	free(a);
	free(dir);
}
END_TEST

static void expect_hostile(const char *dir, const struct tmember *m, size_t n, const char *want, bool allow)
{
	char *tar = make_tar("h.tar", m, n), *msg;
	const char *paths[] = {tar};

	ck_assert_int_eq(add(dir, "h", "1", paths, 1, allow, &msg), -1);
	ck_assert_msg(strstr(msg, want) != NULL, "wanted '%s' in '%s'", want, msg);
	free(msg);
	free(tar);
}

START_TEST(test_hostile)
{
	char *dir = new_catalog("cat");
	struct tmember dotdot[] = {{"a/../../etc/passwd", AE_IFREG, 0644, "x", NULL, false}};
	struct tmember abs[] = {{"/etc/passwd", AE_IFREG, 0644, "x", NULL, false}};
	struct tmember climb[] = {{"a/b/l", AE_IFLNK, 0777, NULL, "../../../etc", false}};
	struct tmember hard[] = {{"a", AE_IFREG, 0644, NULL, "missing", true}};
	struct tmember through[] = {{"lib", AE_IFLNK, 0777, NULL, "usr/lib", false},
				    {"lib/x.so", AE_IFREG, 0644, "x", NULL, false}};
	struct tmember dev[] = {{"dev/null", AE_IFCHR, 0666, NULL, NULL, false}};
	struct tmember fifo[] = {{"f", AE_IFIFO, 0666, NULL, NULL, false}};
	struct tmember suid[] = {{"bin/su", AE_IFREG, 04755, "x", NULL, false}};
	struct tmember ok[] = {{"a/b/l", AE_IFLNK, 0777, NULL, "../../etc", false},
			       {"lib64/ld.so", AE_IFLNK, 0777, NULL, "/lib/x86_64-linux-gnu/ld.so", false}};
	char *tar, *msg;
	const char *paths[1];

	expect_hostile(dir, dotdot, 1, "member 'a/../../etc/passwd' climbs out of the root", false);
	expect_hostile(dir, abs, 1, "member '/etc/passwd' is an absolute path", false);
	expect_hostile(dir, climb, 1, "member 'a/b/l' is a symlink whose target climbs above the root",
		       false);
	expect_hostile(dir, hard, 1, "member 'a' is a hardlink to a path the primitive does not hold", false);
	expect_hostile(dir, through, 2, "member 'lib/x.so' is written through a symlink", false);
	expect_hostile(dir, dev, 1, "member 'dev/null' is a device node", false);
	expect_hostile(dir, fifo, 1, "member 'f' is a device node, fifo or socket", false);
	expect_hostile(dir, suid, 1, "member 'bin/su' is setuid or setgid", false);
	tar = make_tar("s.tar", suid, 1);
	paths[0] = tar;
	ck_assert_int_eq(add(dir, "su", "1", paths, 1, true, NULL), 0);
	free(tar);
	tar = make_tar("ok.tar", ok, 2);
	paths[0] = tar;
	ck_assert_int_eq(add(dir, "ok", "1", paths, 1, false, &msg), 0);
	ck_assert_str_eq(msg, "");
	free(msg);
	free(tar);
	free(dir);
}
END_TEST

START_TEST(test_hardlinks_and_dest)
{
	char *dir = new_catalog("cat"), *listing, *blob, *f = at("app.conf"), *arg;
	struct tmember m[] = {{"./z/file", AE_IFREG, 0755, "data", NULL, false},
			      {"./a/link", AE_IFREG, 0755, NULL, "./z/file", true}};
	char *tar = make_tar("l.tar", m, 2);
	const char *paths[2];
	struct catset cs;
	struct cat_prim *p;

	put("app.conf", "k=v\n", 0644);
	arg = xasprintf("%s=/etc/app/app.conf", f);
	paths[0] = tar;
	paths[1] = arg;
	ck_assert_int_eq(add(dir, "l", "1", paths, 2, false, NULL), 0);
	p = open_one(&cs, dir, "l", "1");
	ck_assert_uint_eq(p->size, 8); /* the hardlinked data counts once */
	blob = cat_blob_path(p);
	listing = list_blob(blob);
	ck_assert_str_eq(listing, "a/ 4 755 0 0\n"
				  "a/link 10 755 0 0\n"
				  "etc/ 4 755 0 0\n"
				  "etc/app/ 4 755 0 0\n"
				  "etc/app/app.conf 10 644 0 0\n"
				  "z/ 4 755 0 0\n"
				  "z/file 0 755 0 0 => a/link\n");
	free(listing);
	free(blob);
	catset_release(&cs);
	free(arg);
	free(f);
	free(tar);
	free(dir);
}
END_TEST

START_TEST(test_implied_dirs)
{
	char *dir = new_catalog("cat"), *listing, *blob;
	struct tmember m[] = {{"a/b/c/f1", AE_IFREG, 0644, "1", NULL, false},
			      {"x/y/z", AE_IFREG, 0600, "3", NULL, false},
			      {"a/e", AE_IFREG, 0644, "2", NULL, false},
			      {"x/y", AE_IFDIR, 0700, NULL, NULL, false},
			      {"a/b/d/f2", AE_IFREG, 0644, "4", NULL, false},
			      {"a/b/c/f0", AE_IFREG, 0644, "5", NULL, false}};
	char *tar = make_tar("i.tar", m, 6);
	const char *paths[] = {tar};
	struct catset cs;
	struct cat_prim *p;

	ck_assert_int_eq(add(dir, "i", "1", paths, 1, false, NULL), 0);
	p = open_one(&cs, dir, "i", "1");
	blob = cat_blob_path(p);
	listing = list_blob(blob);
	ck_assert_str_eq(listing, "a/ 4 755 0 0\n"
				  "a/b/ 4 755 0 0\n"
				  "a/b/c/ 4 755 0 0\n"
				  "a/b/c/f0 10 644 0 0\n"
				  "a/b/c/f1 10 644 0 0\n"
				  "a/b/d/ 4 755 0 0\n"
				  "a/b/d/f2 10 644 0 0\n"
				  "a/e 10 644 0 0\n"
				  "x/ 4 755 0 0\n"
				  "x/y/ 4 700 0 0\n"
				  "x/y/z 10 600 0 0\n");
	ck_assert_uint_eq(p->size, 5);
	free(listing);
	free(blob);
	catset_release(&cs);
	free(tar);
	free(dir);
}
END_TEST

static void add_meta(const char *dir, const char *name, const char *version, const char *json)
{
	char *mf = at("meta.json"), *src = at("m");
	const char *paths[] = {src};
	struct cat_add_opts o = {
		.name = name, .version = version, .meta_file = mf, .paths = paths, .npaths = 1};
	struct diag d;

	put("meta.json", json, 0644);
	char *content = xasprintf("%s %s", name, version);

	put("m/f", content, 0644);
	free(content);
	diag_init(&d);
	ck_assert_int_eq(cat_add(dir, &o, &d), 0);
	diag_release(&d);
	free(mf);
	free(src);
}

START_TEST(test_catset)
{
	char *a = new_catalog("a"), *b = new_catalog("b");
	const char *dirs[] = {a, b};
	struct catset cs;
	struct diag d;
	size_t n;
	struct cat_prim *const *v;
	const struct cat_provider *pv;

	add_meta(a, "x", "1.0", "{\"provides\": [\"virt (= 2)\"]}");
	add_meta(a, "x", "1.0~rc1", "{}");
	add_meta(b, "x", "1:0.1", "{}");
	add_meta(b, "x", "1.0", "{\"provides\": [\"virt (= 2)\"]}"); /* same content as in a */
	add_meta(b, "y", "2", "{\"provides\": [\"virt\"]}");
	diag_init(&d);
	ck_assert_int_eq(catset_open(&cs, dirs, 2, &d), 0);
	v = catset_versions(&cs, "x", &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(v[0]->version, "1:0.1");
	ck_assert_str_eq(v[1]->version, "1.0");
	ck_assert_ptr_eq(v[1]->cat, cs.cats[0]); /* the earlier catalog wins */
	ck_assert_str_eq(v[2]->version, "1.0~rc1");
	ck_assert_ptr_null(catset_versions(&cs, "nope", &n));
	pv = catset_providers(&cs, "virt", &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(pv[0].prim->name, "x");
	ck_assert_str_eq(pv[0].version, "2");
	ck_assert_str_eq(pv[1].prim->name, "y");
	ck_assert_ptr_null(pv[1].version);
	catset_release(&cs);
	diag_release(&d);

	/* same name and version, other content */
	add_meta(b, "z", "1", "{}");
	put("m/extra", "x", 0644);
	add_meta(a, "z", "1", "{}");
	diag_init(&d);
	ck_assert_int_eq(catset_open(&cs, dirs, 2, &d), -1);
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_ptr_nonnull(strstr(d.entries[0].message, a));
	ck_assert_ptr_nonnull(strstr(d.entries[0].message, b));
	catset_release(&cs);
	diag_release(&d);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_record)
{
	char *dir = new_catalog("cat");
	struct catset cs;
	struct cat_prim *p;
	json_t *r;

	add_meta(dir, "web", "2.0",
		 "{\"license\": \"MIT\", \"depends\": [\"libc6 (>= 2.34)\"], \"platform\": {\"os\": "
		 "\"linux\", "
		 "\"architecture\": \"amd64\"}, \"scan\": {\"scanner\": \"grype\", \"critical\": 1, "
		 "\"high\": 2, "
		 "\"cves\": [{\"id\": \"CVE-1\", \"severity\": \"critical\", \"fixed\": \"2.1\"}]}, "
		 "\"resources\": {\"memory\": 64}, \"labels\": {\"team\": \"a\"}}");
	add_meta(dir, "bare", "1", "{}");
	p = open_one(&cs, dir, "web", "2.0");
	r = cat_prim_record(p);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_eq(r, cat_prim_record(p)); /* built once */
	ck_assert_str_eq(json_string_value(json_object_get(r, "license")), "MIT");
	ck_assert_str_eq(json_string_value(json_object_get(r, "os")), "linux");
	ck_assert_str_eq(json_string_value(json_object_get(r, "arch")), "amd64");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "scan"), "critical")), 1);
	ck_assert(json_is_null(json_object_get(json_object_get(r, "scan"), "low")));
	ck_assert_str_eq(
		json_string_value(json_object_get(
			json_array_get(json_object_get(json_object_get(r, "scan"), "cves"), 0), "fixed")),
		"2.1");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "resources"), "memory")), 64);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r, "depends"), 0)),
			 "libc6 (>= 2.34)");
	ck_assert(cat_prim_fits(p, "linux/amd64"));
	ck_assert(!cat_prim_fits(p, "linux/arm64"));
	ck_assert(cat_prim_fits(p, "linux/amd64/v3"));
	p = catset_find(&cs, "bare", "1");
	r = cat_prim_record(p);
	ck_assert(json_is_null(json_object_get(r, "license")));
	ck_assert(json_is_null(json_object_get(r, "scan")));
	ck_assert(json_is_null(json_object_get(r, "os")));
	ck_assert(json_is_null(json_object_get(r, "labels")));
	ck_assert(cat_prim_fits(p, "linux/arm64"));
	catset_release(&cs);
	free(dir);
}
END_TEST

START_TEST(test_bad_meta)
{
	char *dir = new_catalog("cat"), *mf = at("meta.json"), *src = at("m");
	const char *paths[] = {src};
	static const char *const bad[] = {"{\"colour\": 1}",
					  "{\"depends\": [\"a (>= )\"]}",
					  "{\"provides\": [\"a (>= 1)\"]}",
					  "{\"scan\": {\"critical\": -1}}",
					  "{\"resources\": {\"memory\": \"1G\"}}",
					  "[1]",
					  "{\"allow\": [\"devices\"]}",
					  "{\"platform\": {\"os\": \"Linux\"}}"};

	put("m/f", "x", 0644);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cat_add_opts o = {
			.name = "b", .version = "1", .meta_file = mf, .paths = paths, .npaths = 1};
		struct diag d;
		put("meta.json", bad[i], 0644);
		diag_init(&d);
		ck_assert_msg(cat_add(dir, &o, &d) == -1, "'%s' accepted", bad[i]);
		ck_assert_uint_ge(d.nerrors, 1);
		diag_release(&d);
	}
	free(mf);
	free(src);
	free(dir);
}
END_TEST

START_TEST(test_tamper)
{
	char *dir = new_catalog("cat"), *blob, *meta;
	struct catset cs;
	struct cat_prim *p;
	struct diag d;
	int fd = -1;

	add_meta(dir, "t", "1", "{}");
	add_meta(dir, "u", "1", "{}");
	p = open_one(&cs, dir, "t", "1");
	diag_init(&d);
	ck_assert_int_eq(cat_blob_open(p, &fd, &d), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), 0);
	close(fd);
	ck_assert_int_eq(cat_verify(dir, &d), 0);
	ck_assert_uint_eq(d.nerrors, 0);
	/* flip a byte of the blob */
	blob = cat_blob_path(p);
	ck_assert_int_eq(chmod(blob, 0644), 0);
	fd = open(blob, O_WRONLY);
	ck_assert_int_eq(pwrite(fd, "X", 1, 600), 1);
	close(fd);
	ck_assert_int_eq(cat_blob_open(p, &fd, &d), -1);
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_int_eq(cat_verify(dir, &d), 1);
	diag_release(&d);
	/* edit a metadata file behind the index's back */
	meta = at("cat/primitives/u/1.json");
	put("cat/primitives/u/1.json",
	    "{\"name\": \"u\", \"version\": \"1\", \"kind\": \"data\", \"content\": "
	    "\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"}",
	    0644);
	diag_init(&d);
	ck_assert_int_eq(cat_prim_load(catset_find(&cs, "u", "1"), &d), -1);
	ck_assert_ptr_nonnull(strstr(d.entries[0].message, "does not match the index"));
	ck_assert_int_ge(cat_verify(dir, &d), 3); /* the blob, the index entry, u's missing blob */
	diag_release(&d);
	free(meta);
	free(blob);
	catset_release(&cs);
	free(dir);
}
END_TEST

START_TEST(test_index_mismatch)
{
	char *dir = new_catalog("cat"), *idx = at("cat/index"), *text, *tab;
	struct catset cs;
	struct diag d;
	size_t n;

	add_meta(dir, "t", "1", "{\"depends\": [\"a\"]}");
	/* drop the dependency from the index only */
	ck_assert_int_eq(read_file(idx, &text, &n), 0);
	tab = strstr(text, "\ta\t");
	ck_assert_ptr_nonnull(tab);
	memmove(tab + 1, tab + 2, strlen(tab + 2) + 1);
	ck_assert_int_eq(write_file_atomic(idx, text, strlen(text), 0644), 0);
	diag_init(&d);
	ck_assert_int_eq(cat_prim_load(open_one(&cs, dir, "t", "1"), &d), -1);
	ck_assert_ptr_nonnull(strstr(d.entries[0].message, "differs from its index entry"));
	ck_assert_int_eq(cat_verify(dir, &d), 1);
	diag_release(&d);
	catset_release(&cs);
	free(text);
	free(idx);
	free(dir);
}
END_TEST

START_TEST(test_set_scan_and_reindex)
{
	char *dir = new_catalog("cat"), *scan = at("scan.json"), *idx = at("cat/index"), *before, *after;
	struct catset cs;
	struct cat_prim *p;
	struct diag d;
	size_t n;

	add_meta(dir, "t", "1:2", "{}");
	put("scan.json", "{\"scanner\": \"grype\", \"high\": 3, \"cves\": []}", 0644);
	diag_init(&d);
	ck_assert_int_eq(cat_set_scan(dir, "t", "1:2", scan, &d), 0);
	ck_assert_int_eq(cat_set_scan(dir, "t", "9", scan, &d), -1);
	diag_release(&d);
	p = open_one(&cs, dir, "t", "1:2");
	ck_assert_int_eq(
		json_integer_value(json_object_get(json_object_get(cat_prim_record(p), "scan"), "high")), 3);
	catset_release(&cs);
	ck_assert_int_eq(read_file(idx, &before, &n), 0);
	unlink(idx);
	diag_init(&d);
	ck_assert_ptr_nonnull(open_one(&cs, dir, "t", "1:2")); /* scanned without an index */
	catset_release(&cs);
	ck_assert_int_eq(cat_reindex(dir, &d), 0);
	diag_release(&d);
	ck_assert_int_eq(read_file(idx, &after, &n), 0);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	free(idx);
	free(scan);
	free(dir);
}
END_TEST

START_TEST(test_names)
{
	char *s = cat_version_filename("1:2.0~rc1-1");

	ck_assert_str_eq(s, "1%3a2.0~rc1-1");
	free(s);
	ck_assert(cat_valid_name("libc6"));
	ck_assert(!cat_valid_name("../x"));
}
END_TEST

/* A .deb that expands beyond the bounds is refused, naming the bound,
 * and each field of struct cat_limits moves the bound. */
START_TEST(test_deb_limits)
{
	const char *src = getenv("CPOLC_SRCDIR");
	char *dir = new_catalog("debs"), *deb = xasprintf("%s/tests/hostile/deb/bomb.deb", src ? src : ".");
	struct cat_import_opts o = {0};
	struct diag d;

	diag_init(&d);
	ck_assert_int_eq(cat_import_deb_opts(dir, deb, &o, &d), -1); /* 300 MiB from 10 KB */
	ck_assert_ptr_nonnull(strstr(d.entries[0].message, "more than 200 times its"));
	ck_assert_ptr_nonnull(strstr(d.entries[0].message, "(the ratio limit of an import)"));
	diag_release(&d);
	diag_init(&d);
	o.limits.max_size = 1 << 20;
	ck_assert_int_eq(cat_import_deb_opts(dir, deb, &o, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.entries[0].message, "more than 1048576 bytes (the size limit"));
	diag_release(&d);
	diag_init(&d);
	o.limits.max_size = 20 << 20;
	o.limits.max_ratio = 1000000; /* the ratio allows 10 GB: the size binds */
	ck_assert_int_eq(cat_import_deb_opts(dir, deb, &o, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.entries[0].message, "more than 20971520 bytes (the size limit"));
	diag_release(&d);
	free(deb);
	free(dir);
}
END_TEST

/* Folding continuation lines is linear: 200,000 of them take well under
 * the test's timeout (the old folding copied the field per line). */
START_TEST(test_control_fold)
{
	struct strbuf sb = STRBUF_INIT;
	struct control c = {0};
	size_t n = 200000;

	sb_adds(&sb, "Package: p\nDepends: a,\n");
	for (size_t i = 0; i < n; i++)
		sb_adds(&sb, " b,\n");
	sb_adds(&sb, "\tc\nVersion: 1\n\nPackage: second\n");
	cat_control_parse(&c, sb.buf);
	ck_assert_str_eq(c.package, "p");
	ck_assert_str_eq(c.version, "1");
	ck_assert_uint_eq(strlen(c.depends), 2 + n * 4 + 3);
	ck_assert(!strncmp(c.depends, "a,  b,  b,", 10));
	ck_assert_str_eq(c.depends + strlen(c.depends) - 6, " b, \tc");
	cat_control_release(&c);
	sb_release(&sb);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cat");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_canonical_tar);
	tcase_add_test(tc, test_add_race);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_immutable);
	tcase_add_test(tc, test_hostile);
	tcase_add_test(tc, test_hardlinks_and_dest);
	tcase_add_test(tc, test_implied_dirs);
	tcase_add_test(tc, test_catset);
	tcase_add_test(tc, test_record);
	tcase_add_test(tc, test_bad_meta);
	tcase_add_test(tc, test_tamper);
	tcase_add_test(tc, test_index_mismatch);
	tcase_add_test(tc, test_set_scan_and_reindex);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_deb_limits);
	tcase_add_test(tc, test_control_fold);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
