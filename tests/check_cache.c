/* check_cache.c - the layer cache: default location, store and lookup,
 * corrupt entries, hard links into the output, concurrent builds, pruning. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache.h"
#include "oci.h"
#include "tarmaker.h"
#include "util.h"

static char *dir;

static void setup(void)
{
	dir = tm_tmpdir();
}

static void teardown(void)
{
	tm_rmrf(dir);
	free(dir);
}

START_TEST(test_default_dir)
{
	char *s;

	setenv("CPOLC_CACHE", "/c/x", 1);
	s = cache_default_dir();
	ck_assert_str_eq(s, "/c/x");
	free(s);
	unsetenv("CPOLC_CACHE");
	setenv("XDG_CACHE_HOME", "/xdg", 1);
	s = cache_default_dir();
	ck_assert_str_eq(s, "/xdg/cpolc");
	free(s);
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/u", 1);
	s = cache_default_dir();
	ck_assert_str_eq(s, "/home/u/.cache/cpolc");
	free(s);
	unsetenv("HOME");
	ck_assert_ptr_null(cache_default_dir());
}
END_TEST

static const char *blob_digest(const char *path, char buf[72])
{
	char hex[65];

	ck_assert_int_eq(sha256_file(path, hex), 0);
	snprintf(buf, 72, "sha256:%s", hex);
	return buf;
}

START_TEST(test_store_lookup_corrupt)
{
	char *cache = path_join(dir, "c"), *tmpd, *tmp, key[65], dg[72];
	struct cache_entry e, got;
	struct diag d;
	FILE *f;

	diag_init(&d);
	ck_assert_int_eq(cache_open(cache, &d), 0);
	tmpd = cache_tmpdir(cache);
	tmp = path_join(tmpd, "blob");
	f = fopen(tmp, "w");
	fputs("layer bytes", f);
	fclose(f);
	memset(&e, 0, sizeof(e));
	blob_digest(tmp, dg);
	snprintf(e.digest, sizeof(e.digest), "%s", dg);
	snprintf(e.diff_id, sizeof(e.diff_id), "%s", dg);
	e.size = 11;
	sha256_hex("key", 3, key);
	ck_assert_int_eq(cache_lookup(cache, key, "key", &got, &d), 0);
	ck_assert_int_eq(cache_store(cache, key, "key", tmp, &e, &d), 0);
	ck_assert_int_eq(access(tmp, F_OK), -1); /* consumed */
	ck_assert_int_eq(cache_lookup(cache, key, "key", &got, &d), 1);
	ck_assert_str_eq(got.digest, dg);
	ck_assert_uint_eq(got.size, 11);
	ck_assert_str_eq(got.blob, e.blob);
	/* corrupt the blob (same size): the entry is dropped */
	f = fopen(e.blob, "w");
	fputs("LAYER BYTES", f);
	fclose(f);
	cache_entry_release(&got);
	ck_assert_int_eq(cache_lookup(cache, key, "key", &got, &d), 0);
	ck_assert_int_eq(access(e.blob, F_OK), -1);
	ck_assert_int_eq(cache_lookup(cache, "not-a-key", "key", &got, &d), 0);
	ck_assert_uint_eq(d.nerrors, 0);
	cache_entry_release(&e);
	diag_release(&d);
	free(tmp);
	free(tmpd);
	free(cache);
}
END_TEST

static void make_src(struct oci_layer_src *s, char **tar, const char **tars, const char **dgs,
		     const char *text)
{
	struct tm_ent e = {"etc/data", 'f', text, 0};

	*tar = xasprintf("%s/%s.tar", dir, text);
	dgs[0] = xstrdup(tm_make(*tar, &e, 1));
	tars[0] = *tar;
	memset(s, 0, sizeof(*s));
	s->name = text;
	s->tars = tars;
	s->tar_digests = dgs;
	s->ntars = 1;
}

static int compose_cached(const char *out, const char *cache, const struct oci_layer_src *s, size_t n,
			  struct oci_result *res)
{
	struct oci_opts o;
	struct diag d;
	char *op = path_join(dir, out);
	int rc;

	memset(&o, 0, sizeof(o));
	o.out = op;
	o.cache_dir = cache;
	diag_init(&d);
	rc = oci_compose(&o, s, n, NULL, NULL, NULL, res, &d);
	if (rc < 0)
		diag_print(&d, stderr, DIAG_FMT_GCC, 0);
	diag_release(&d);
	free(op);
	return rc;
}

START_TEST(test_compose_uses_cache)
{
	struct oci_layer_src s;
	char *tar, *cache = path_join(dir, "cache"), *b1, *b2, *layer;
	const char *tars[1], *dgs[1];
	struct oci_result r1, r2;
	struct stat st1, st2;
	char dgbuf[72];
	FILE *f;

	make_src(&s, &tar, tars, dgs, "alpha");
	ck_assert_int_eq(compose_cached("o1", cache, &s, 1, &r1), 0);
	ck_assert(!r1.layers[0].cached);
	ck_assert_int_eq(compose_cached("o2", cache, &s, 1, &r2), 0);
	ck_assert(r2.layers[0].cached);
	ck_assert_str_eq(r1.manifest_digest, r2.manifest_digest);
	/* output blobs are hard links to the cache's */
	b1 = xasprintf("%s/blobs/sha256/%s", cache, r1.layers[0].digest + 7);
	b2 = xasprintf("%s/o2/blobs/sha256/%s", dir, r1.layers[0].digest + 7);
	ck_assert_int_eq(stat(b1, &st1), 0);
	ck_assert_int_eq(stat(b2, &st2), 0);
	ck_assert_uint_eq(st1.st_ino, st2.st_ino);
	/* a corrupted cache blob is rebuilt, not used */
	ck_assert_int_eq(unlink(b1), 0);
	f = fopen(b1, "w");
	fputs("junk", f);
	fclose(f);
	layer = xasprintf("%s/o3/blobs/sha256/%s", dir, r1.layers[0].digest + 7);
	oci_result_release(&r2);
	ck_assert_int_eq(compose_cached("o3", cache, &s, 1, &r2), 0);
	ck_assert(!r2.layers[0].cached);
	ck_assert_str_eq(r1.manifest_digest, r2.manifest_digest);
	ck_assert_int_eq(strcmp(blob_digest(b1, dgbuf), r1.layers[0].digest), 0);
	ck_assert_int_eq(strcmp(blob_digest(layer, dgbuf), r1.layers[0].digest), 0);
	oci_result_release(&r1);
	oci_result_release(&r2);
	free(b1);
	free(b2);
	free(layer);
	free(tar);
	free((char *)dgs[0]);
	free(cache);
}
END_TEST

/* The entry of a layer's key, the JSON text. */
static char *entry_of(const char *cache)
{
	char *ldir = path_join(cache, "layers"), *p = NULL, *text = NULL;
	DIR *dh = opendir(ldir);
	struct dirent *de;
	size_t len;

	while (dh && (de = readdir(dh)))
		if (de->d_name[0] != '.') {
			ck_assert_ptr_null(p); /* only one */
			p = path_join(ldir, de->d_name);
		}
	closedir(dh);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(read_file(p, &text, &len), 0);
	free(p);
	free(ldir);
	return text;
}

/* An entry is bound to the inputs it was made of: the entry of one
 * primitive's layer written over another's key is not used for it (it used
 * to be: the next build took the other primitive's layer). */
START_TEST(test_entry_bound_to_recipe)
{
	struct oci_layer_src s[2];
	char *tar[2], *ca = path_join(dir, "ca"), *cb = path_join(dir, "cb"), *ea, *eb, *pa;
	const char *tars[2][1], *dgs[2][1];
	struct oci_result r1, r2, r3;
	DIR *dh;
	struct dirent *de;

	make_src(&s[0], &tar[0], tars[0], dgs[0], "alpha");
	make_src(&s[1], &tar[1], tars[1], dgs[1], "bravo");
	ck_assert_int_eq(compose_cached("o1", ca, &s[0], 1, &r1), 0);
	ck_assert_int_eq(compose_cached("o2", cb, &s[1], 1, &r2), 0);
	ck_assert_str_ne(r1.layers[0].diff_id, r2.layers[0].diff_id);
	ea = entry_of(ca);
	eb = entry_of(cb);
	ck_assert_ptr_nonnull(strstr(ea, "\"recipe\":\"cpolc-layer\\n"));
	ck_assert_ptr_nonnull(strstr(ea, dgs[0][0]));
	/* poison ca: alpha's key now names bravo's blob (copied in, digest right) */
	pa = xasprintf("%s/blobs/sha256/%s", cb, r2.layers[0].digest + 7);
	{
		char *to = xasprintf("%s/blobs/sha256/%s", ca, r2.layers[0].digest + 7), *data;
		size_t len;
		ck_assert_int_eq(read_file(pa, &data, &len), 0);
		ck_assert_int_eq(write_file_atomic(to, data, len, 0644), 0);
		free(data);
		free(to);
	}
	free(pa);
	pa = path_join(ca, "layers");
	dh = opendir(pa);
	while ((de = readdir(dh)))
		if (de->d_name[0] != '.') {
			char *ep = path_join(pa, de->d_name);
			ck_assert_int_eq(write_file_atomic(ep, eb, strlen(eb), 0644), 0);
			free(ep);
		}
	closedir(dh);
	ck_assert_int_eq(compose_cached("o3", ca, &s[0], 1, &r3), 0);
	ck_assert(!r3.layers[0].cached);
	ck_assert_str_eq(r3.layers[0].diff_id, r1.layers[0].diff_id);
	ck_assert_str_eq(r3.manifest_digest, r1.manifest_digest);
	oci_result_release(&r1);
	oci_result_release(&r2);
	oci_result_release(&r3);
	for (int i = 0; i < 2; i++) {
		free(tar[i]);
		free((char *)dgs[i][0]);
	}
	free(ea);
	free(eb);
	free(pa);
	free(ca);
	free(cb);
}
END_TEST

START_TEST(test_concurrent_builds)
{
	struct oci_layer_src s[3];
	char *tar[3], *cache = path_join(dir, "shared"), *want = NULL;
	const char *tars[3][1], *dgs[3][1];
	static const char *const texts[] = {"one", "two", "three"};
	pid_t pid[4];
	int i, status;

	for (i = 0; i < 3; i++)
		make_src(&s[i], &tar[i], tars[i], dgs[i], texts[i]);
	for (i = 0; i < 4; i++) {
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			struct oci_result r;
			char *out = xasprintf("o%d", i), *mp;
			int rc = compose_cached(out, cache, s, 3, &r);
			if (rc == 0) {
				mp = xasprintf("%s/digest%d", dir, i);
				rc = write_file_atomic(mp, r.manifest_digest, strlen(r.manifest_digest),
						       0644);
				free(mp);
				oci_result_release(&r);
			}
			free(out);
			_exit(rc == 0 ? 0 : 1);
		}
	}
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert(WIFEXITED(status));
		ck_assert_int_eq(WEXITSTATUS(status), 0);
	}
	for (i = 0; i < 4; i++) {
		char *mp = xasprintf("%s/digest%d", dir, i), *got;
		size_t len;
		ck_assert_int_eq(read_file(mp, &got, &len), 0);
		if (!want)
			want = got;
		else {
			ck_assert_str_eq(got, want);
			free(got);
		}
		free(mp);
	}
	free(want);
	for (i = 0; i < 3; i++) {
		free(tar[i]);
		free((char *)dgs[i][0]);
	}
	free(cache);
}
END_TEST

static void put_blob(const char *cache, const char *text, time_t mtime, char dg[72])
{
	char hex[65], *p;
	struct timespec ts[2];
	FILE *f;

	sha256_hex(text, strlen(text), hex);
	snprintf(dg, 72, "sha256:%s", hex);
	p = xasprintf("%s/blobs/sha256/%s", cache, hex);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	ts[0].tv_sec = ts[1].tv_sec = mtime;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	ck_assert_int_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
	free(p);
}

START_TEST(test_prune)
{
	char *cache = path_join(dir, "p"), a[72], b[72], c[72], *pa, *pb, *pc;
	struct diag d;

	diag_init(&d);
	ck_assert_int_eq(cache_open(cache, &d), 0);
	put_blob(cache, "aaaaaaaaaa", 1000, a); /* oldest */
	put_blob(cache, "bbbbbbbbbb", 3000, b); /* newest */
	put_blob(cache, "cccccccccc", 2000, c);
	pa = xasprintf("%s/blobs/sha256/%s", cache, a + 7);
	pb = xasprintf("%s/blobs/sha256/%s", cache, b + 7);
	pc = xasprintf("%s/blobs/sha256/%s", cache, c + 7);
	{ /* a killed build's temporary file goes after a day; a fresh one stays */
		char *stale = xasprintf("%s/tmp/.tmp-layer-old", cache),
		     *fresh = xasprintf("%s/tmp/.tmp-layer-new", cache);
		struct timespec ts[2] = {{1000, 0}, {1000, 0}};
		ck_assert_int_eq(write_file_atomic(stale, "x", 1, 0644), 0);
		ck_assert_int_eq(write_file_atomic(fresh, "x", 1, 0644), 0);
		ck_assert_int_eq(utimensat(AT_FDCWD, stale, ts, 0), 0);
		ck_assert_int_eq(cache_prune(cache, 1000, &d), 0);
		ck_assert_int_eq(access(stale, F_OK), -1);
		ck_assert_int_eq(access(fresh, F_OK), 0);
		unlink(fresh);
		free(stale);
		free(fresh);
	}
	ck_assert_int_eq(cache_prune(cache, 30, &d), 0);
	ck_assert_int_eq(cache_prune(cache, 15, &d), 20);
	ck_assert_int_eq(access(pa, F_OK), -1);
	ck_assert_int_eq(access(pc, F_OK), -1);
	ck_assert_int_eq(access(pb, F_OK), 0);
	ck_assert_uint_eq(d.nerrors, 0);
	diag_release(&d);
	free(pa);
	free(pb);
	free(pc);
	free(cache);
}
END_TEST

/* victim/NAME: a file outside the cache that nothing may remove. */
static char *victim(const char *vdir, const char *name, time_t mtime)
{
	char *p = path_join(vdir, name);
	struct timespec ts[2] = {{mtime, 0}, {mtime, 0}};

	ck_assert_int_eq(write_file_atomic(p, "{}", 2, 0644), 0);
	ck_assert_int_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
	return p;
}

/* Prune never follows a symbolic link out of the cache: with checks/,
 * scans/, tmp/, layers/ and blobs/sha256 links to a directory of files,
 * those files stay (prune used to remove every regular file in the
 * target of checks/ or scans/, and old ones in that of tmp/). */
START_TEST(test_prune_symlinks)
{
	static const char *const subs[] = {"checks", "scans", "tmp", "layers"};
	char *cache = path_join(dir, "c"), *vdir = path_join(dir, "victims"), *v[4], *blobs, *link;
	char hex[65];
	struct diag d;
	size_t i;

	diag_init(&d);
	ck_assert_int_eq(mkdir(cache, 0755), 0);
	ck_assert_int_eq(mkdir(vdir, 0755), 0);
	sha256_hex("x", 1, hex);
	v[0] = victim(vdir, "passwd", 1000);
	v[1] = victim(vdir, hex, 1000); /* a blob's name */
	v[2] = victim(vdir, ".tmp-layer-x", 1000);
	v[3] = victim(vdir, "0000.json", 1000);
	for (i = 0; i < ARRAY_SIZE(subs); i++) {
		link = path_join(cache, subs[i]);
		ck_assert_int_eq(symlink(vdir, link), 0);
		free(link);
	}
	blobs = path_join(cache, "blobs");
	ck_assert_int_eq(mkdir(blobs, 0755), 0);
	link = path_join(blobs, "sha256");
	ck_assert_int_eq(symlink(vdir, link), 0);
	free(link);
	ck_assert_int_eq(cache_prune(cache, 0, &d), -1);
	ck_assert_uint_ge(d.nerrors, 1);
	ck_assert_ptr_nonnull(strstr(d.entries[0].message, "is a symbolic link"));
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		ck_assert_msg(access(v[i], F_OK) == 0, "'%s' was removed", v[i]);
		free(v[i]);
	}
	/* and a build does not use such a cache */
	ck_assert_int_eq(cache_open(cache, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.entries[d.nentries - 1].message, "is a symbolic link"));
	diag_release(&d);
	free(blobs);
	free(vdir);
	free(cache);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_default_dir);
	tcase_add_test(tc, test_store_lookup_corrupt);
	tcase_add_test(tc, test_compose_uses_cache);
	tcase_add_test(tc, test_entry_bound_to_recipe);
	tcase_add_test(tc, test_concurrent_builds);
	tcase_add_test(tc, test_prune);
	tcase_add_test(tc, test_prune_symlinks);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
