/* check_lock.c - lock files: key order, canonical request, atomic and
 * idempotent writes, loading, and readable comparisons. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"
#include "tarmaker.h"
#include "util.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static void sample(struct lock *lk)
{
	json_t *req = json_pack("{s:s, s:{s:i, s:b}, s:s}", "zone", "eu", "app", "port", 8080, "debug", 0,
				"env", "prod");
	json_t *cfg = json_pack("{s:[s], s:s}", "Entrypoint", "/bin/app", "User", "65532");

	lock_init(lk);
	lock_set_policy(lk, "web", "linux/amd64");
	lock_add_module(lk, "web.cpol", D1);
	lock_set_program(lk, "web.cpolb", D2);
	lock_add_catalog(lk, "catalog", D2);
	lock_set_request(lk, req);
	lock_add_prim(lk, "libc6", "2.36-9", D1, D2, "dependency of app", D3, D1, 1234);
	lock_add_prim(lk, "app", "1.0", D2, D3, "include at web.cpol:3:5", D1, D2, 99);
	lock_set_config(lk, cfg);
	lock_set_image(lk, D3, D1);
	lk->layer_format = 4;
	json_decref(req);
	json_decref(cfg);
}

START_TEST(test_dump_order)
{
	struct lock lk;
	char *text;
	const char *keys[] = {"\"lockVersion\": 3",
			      "\"policy\": \"web\"",
			      "\"platform\"",
			      "\"modules\"",
			      "\"program\": {\n    \"path\": \"web.cpolb\",\n    \"digest\": \"" D2 "\"",
			      "\"request\"",
			      "\"catalogs\"",
			      "\"primitives\"",
			      "\"config\"",
			      "\"image\""};
	const char *prev;
	size_t i;

	sample(&lk);
	text = lock_dump(&lk, NULL);
	ck_assert_int_eq(strncmp(text, "{\n  \"lockVersion\": 3,\n", 22), 0);
	ck_assert_int_eq(text[strlen(text) - 1], '\n');
	prev = text;
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *at = strstr(text, keys[i]);
		ck_assert_msg(at && at >= prev, "key %s out of order", keys[i]);
		prev = at;
	}
	/* the request is canonical: keys sorted at every level */
	ck_assert_ptr_nonnull(
		strstr(text, "\"request\": {\n    \"app\": {\n      \"debug\": false,\n      \"port\": 8080\n"
			     "    },\n    \"env\": \"prod\",\n    \"zone\": \"eu\"\n  }"));
	/* primitives keep their order; their keys are fixed */
	ck_assert_ptr_nonnull(strstr(
		text, "\"name\": \"libc6\",\n      \"version\": \"2.36-9\",\n      \"digest\": \"" D1
		      "\",\n      \"metadataDigest\": \"" D2 "\",\n      \"reason\": \"dependency of app\""));
	ck_assert(strstr(text, "libc6") < strstr(text, "\"name\": \"app\""));
	ck_assert_ptr_nonnull(strstr(text, "\"layer\": {\n        \"digest\": \"" D3
					   "\",\n        \"diffId\": \"" D1
					   "\",\n        \"size\": 1234,\n        \"index\": 0\n"));
	ck_assert_ptr_nonnull(strstr(text,
				     "\"image\": {\n    \"manifest\": \"" D3 "\",\n    \"config\": \"" D1
				     "\",\n    \"layerFormat\": 4,\n    \"epoch\": 0\n  }"));
	free(text);
	lock_release(&lk);
}
END_TEST

START_TEST(test_write_load_roundtrip)
{
	char *dir = tm_tmpdir(), *path = path_join(dir, "web.lock"), *a, *b;
	struct lock lk, back;
	struct diag d;
	struct stat st;
	struct timespec ts[2] = {{1000, 0}, {1000, 0}};

	diag_init(&d);
	sample(&lk);
	ck_assert_int_eq(lock_write(path, &lk, &d), 1);
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
	ck_assert_int_eq(lock_write(path, &lk, &d), 0); /* same bytes: untouched */
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mtim.tv_sec, 1000);
	ck_assert_int_eq(lock_load(path, &back, &d), 0);
	a = lock_dump(&lk, NULL);
	b = lock_dump(&back, NULL);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	lock_release(&back);
	/* a changed lock is rewritten */
	lock_set_image(&lk, D1, D1);
	ck_assert_int_eq(lock_write(path, &lk, &d), 1);
	ck_assert_uint_eq(d.nerrors, 0);
	/* malformed input */
	ck_assert_int_eq(write_file_atomic(path, "{\"lockVersion\": 9}", 18, 0644), 0);
	ck_assert_int_eq(lock_load(path, &back, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.entries[0].message, "is not a version 3 or 2 lock file"));
	ck_assert_int_eq(write_file_atomic(path, "{", 1, 0644), 0);
	ck_assert_int_eq(lock_load(path, &back, &d), -1);
	ck_assert_uint_eq(d.nerrors, 2);
	lock_release(&lk);
	diag_release(&d);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_compare)
{
	struct lock a, b;
	struct strbuf sb = STRBUF_INIT;
	json_t *req = json_pack("{s:s}", "zone", "us");

	sample(&a);
	sample(&b);
	ck_assert_uint_eq(lock_compare(&a, &b, &sb), 0);
	ck_assert_uint_eq(sb.len, 0);
	free(b.prims[1].version);
	b.prims[1].version = xstrdup("1.1");
	lock_add_prim(&b, "zlib", "1.3", D1, D1, "dependency of app", D1, D1, 1);
	lock_add_module(&b, "lib.cpol", D3);
	lock_set_request(&b, req);
	lock_set_image(&b, D2, D1);
	ck_assert_uint_eq(lock_compare(&a, &b, &sb), 5);
	ck_assert_str_eq(
		sb.buf,
		"module 'lib.cpol' added\n"
		"request changed: {\"app\":{\"debug\":false,\"port\":8080},\"env\":\"prod\",\"zone\":\"eu\"}"
		" -> {\"zone\":\"us\"}\n"
		"primitive 'app': version 1.0 -> 1.1\n"
		"primitive 'zlib' 1.3 added\n"
		"manifest digest: " D3 " -> " D2 "\n");
	sb_reset(&sb);
	ck_assert_uint_eq(lock_compare(&b, &a, &sb), 5);
	ck_assert_ptr_nonnull(strstr(sb.buf, "primitive 'zlib' 1.3 removed\n"));
	ck_assert_ptr_nonnull(strstr(sb.buf, "module 'lib.cpol' removed\n"));
	sb_release(&sb);
	json_decref(req);
	lock_release(&a);
	lock_release(&b);
}
END_TEST

/* Load j as a lock; on failure, the messages joined. */
static int try_load(const json_t *j, char **msgs)
{
	struct lock lk;
	struct diag d;
	struct strbuf sb = STRBUF_INIT;
	int rc;

	diag_init(&d);
	rc = lock_from_json(j, &lk, "t.lock", &d);
	for (size_t i = 0; i < d.nentries; i++)
		sb_addf(&sb, "%s\n", d.entries[i].message);
	ck_assert_int_eq(rc == 0, d.nerrors == 0);
	if (rc == 0)
		ck_assert_ptr_nonnull(lk.modules);
	lock_release(&lk);
	diag_release(&d);
	*msgs = sb_detach(&sb, NULL);
	return rc;
}

static bool optional_key(const char *path)
{
	static const char *const opt[] = {"platform", "program", "from", ".reason"};

	for (size_t i = 0; i < ARRAY_SIZE(opt); i++) {
		size_t n = strlen(opt[i]), m = strlen(path);
		if (opt[i][0] == '.' ? m >= n && !strcmp(path + m - n, opt[i]) : !strcmp(path, opt[i]))
			return true;
	}
	return false;
}

/* The lock must refuse root with its value at path (key in parent) replaced
 * by bad, naming path; absent, unless path is optional. */
static void expect_refused(json_t *root, json_t *parent, const char *key, size_t idx, const char *path,
			   json_t *bad)
{
	json_t *old = json_is_object(parent) ? json_object_get(parent, key) : json_array_get(parent, idx);
	char *msgs, *want = xasprintf("'t.lock': %s ", path);

	json_incref(old);
	if (json_is_object(parent))
		json_object_set_new(parent, key, bad);
	else
		json_array_set_new(parent, idx, bad);
	ck_assert_msg(try_load(root, &msgs) < 0, "%s replaced: accepted", path);
	ck_assert_msg(strstr(msgs, want), "%s replaced: the error does not name it: %s", path, msgs);
	free(msgs);
	if (json_is_object(parent)) {
		json_object_del(parent, key);
		ck_assert_msg((try_load(root, &msgs) == 0) == optional_key(path), "%s missing: %s", path,
			      msgs);
		ck_assert_msg(optional_key(path) || strstr(msgs, want), "%s missing: not named: %s", path,
			      msgs);
		free(msgs);
		json_object_set(parent, key, old);
	} else {
		json_array_set(parent, idx, old);
	}
	json_decref(old);
	free(want);
}

/* A value of another type than v; for a string, also the digest-like
 * path traversal and the empty string. */
static void each_bad_value(json_t *root, json_t *parent, const char *key, size_t idx, const char *path,
			   const json_t *v)
{
	if (json_is_string(v)) {
		expect_refused(root, parent, key, idx, path, json_integer(5));
		expect_refused(root, parent, key, idx, path, json_string(""));
		expect_refused(root, parent, key, idx, path, json_stringn("a\0b", 3));
		if (strncmp(json_string_value(v), "sha256:", 7) == 0) {
			expect_refused(root, parent, key, idx, path,
				       json_string("sha256:////////////////////////////////////////"
						   "///../../../etc/shadow"));
			expect_refused(root, parent, key, idx, path,
				       json_string("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA"
						   "495991B7852B855"));
		}
	} else if (json_is_integer(v)) {
		expect_refused(root, parent, key, idx, path, json_string("5"));
		expect_refused(root, parent, key, idx, path, json_real(1.5));
		if (strcmp(path, "lockVersion"))
			expect_refused(root, parent, key, idx, path, json_integer(-1));
	} else if (json_is_array(v)) {
		expect_refused(root, parent, key, idx, path, json_object());
	} else if (json_is_object(v)) {
		expect_refused(root, parent, key, idx, path, json_array());
	}
}

/* Every key under path, each replaced by bad values and removed in turn. */
static size_t walk(json_t *root, json_t *parent, const char *key, size_t idx, const char *path)
{
	json_t *v = json_is_object(parent) ? json_object_get(parent, key) : json_array_get(parent, idx);
	const char **keys = xcalloc(json_object_size(v) + 1, sizeof(*keys)), *name;
	size_t n = 1, i = 0, nk;
	json_t *k;

	each_bad_value(root, parent, key, idx, path, v);
	if (!strcmp(path, "request") || !strcmp(path, "config")) {
		free(keys);
		return n; /* free-form */
	}
	json_object_foreach(v, name, k) keys[i++] = xstrdup(name); /* removing a key frees its name */
	nk = i;
	for (i = 0; i < nk; i++) {
		char *sub = xasprintf("%s.%s", path, keys[i]);
		n += walk(root, v, keys[i], 0, sub);
		free(sub);
		free((char *)keys[i]);
	}
	for (i = 0; i < json_array_size(v); i++) {
		char *sub = xasprintf("%s[%zu]", path, i);
		n += walk(root, v, NULL, i, sub);
		free(sub);
	}
	free(keys);
	return n;
}

static void expect_load_error(const char *text, const char *want)
{
	json_t *j = json_loads(text, 0, NULL);
	char *msgs;

	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(try_load(j, &msgs), -1);
	ck_assert_msg(strstr(msgs, want), "wanted '%s' in: %s", want, msgs);
	free(msgs);
	json_decref(j);
}

/* Every field of a lock, missing or of a wrong type or form, is refused
 * with its key path named; the reader used to take a primitive without a
 * "digest" and verify then passed NULL to strcmp. */
START_TEST(test_load_malformed)
{
	struct lock lk;
	char *text, *msgs;
	json_t *root, *v;
	const char *keys[16], *name;
	size_t n = 0, nk = 0;

	sample(&lk);
	lock_set_from(&lk, "base.oci", D2);
	text = lock_dump(&lk, NULL);
	root = json_loads(text, 0, NULL);
	ck_assert_int_eq(try_load(root, &msgs), 0);
	free(msgs);
	json_object_foreach(root, name, v) keys[nk++] = xstrdup(name);
	for (size_t i = 0; i < nk; i++) {
		if (strcmp(keys[i], "lockVersion"))
			n += walk(root, root, keys[i], 0, keys[i]);
		free((char *)keys[i]);
	}
	ck_assert_uint_ge(n, 40);		    /* every field was tried */
	ck_assert_int_eq(try_load(root, &msgs), 0); /* and put back */
	free(msgs);
	json_object_set_new(root, "modules", json_array());
	ck_assert_int_eq(try_load(root, &msgs), -1);
	ck_assert_ptr_nonnull(strstr(msgs, "modules is empty"));
	free(msgs);
	json_decref(root);
	free(text);
	lock_release(&lk);

	expect_load_error("[]", "is not a lock file");
	expect_load_error("{\"lockVersion\": \"2\"}", "is not a lock file");
	expect_load_error("{\"lockVersion\": 1, \"policy\": \"p\"}", "is not a version 3 or 2 lock file");
	expect_load_error("{\"lockVersion\": 4, \"policy\": \"p\"}", "is not a version 3 or 2 lock file");
	expect_load_error("{\"lockVersion\": 2}", "'t.lock': policy is missing"); /* 2 is read as strictly */
	expect_load_error("{\"lockVersion\": 3}", "'t.lock': policy is missing");
	expect_load_error("{\"lockVersion\": 3}", "'t.lock': image is missing");
	expect_load_error("{\"lockVersion\": 3, \"modules\": [5]}", "'t.lock': modules[0] must be an object");
	expect_load_error("{\"lockVersion\": 3, \"primitives\": [{\"name\": \"a\", \"version\": \"1\", "
			  "\"layer\": {}}]}",
			  "'t.lock': primitives[0].digest is missing");
	expect_load_error("{\"lockVersion\": 3, \"primitives\": [{\"name\": \"a\", \"version\": \"1\", "
			  "\"layer\": {}}]}",
			  "'t.lock': primitives[0].layer.diffId is missing");
	lock_init(&lk);
	lock_add_prim(&lk, "a", "1", D1, D1, NULL, D1, D1, 1);
	lock_add_prim(&lk, "b", "1", D1, D1, NULL, D1, D1, 1);
	lock_add_prim(&lk, "a", "2", D1, D1, NULL, D1, D1, 1);
	lock_add_module(&lk, "p.cpol", D1);
	lock_set_image(&lk, D1, D1);
	lock_set_policy(&lk, "p", NULL);
	lk.layer_format = 4;
	text = lock_dump(&lk, NULL);
	expect_load_error(text, "'t.lock': primitives[2].name names a primitive listed before");
	free(text);
	lock_release(&lk);
}
END_TEST

/* Paths in a lock are relative to its directory, whatever the working
 * directory; outside the tree (only / in common) they stay absolute. */
START_TEST(test_rel_path)
{
	char *tmp = tm_tmpdir(), *real = realpath(tmp, NULL), *sub = path_join(real, "a/b"),
	     *cwd = getcwd(NULL, 0);
	char *s;
	struct {
		const char *dir, *path, *want;
	} c[] = {
		{"/x/y", "/x/y/p.cpol", "p.cpol"}, {"/x/y", "/x/y", "."},
		{"/x/y", "/x/z/cat", "../z/cat"},  {"/x/y", "/x", ".."},
		{"/x/yz", "/x/y/p", "../y/p"},	   {"/x/y/z/w", "/x/q", "../../../q"},
		{"/x/y", "/srv/cat", "/srv/cat"},  {"/", "/srv/cat", "/srv/cat"},
		{"/x/y", "/x/./y/../y//p", "p"},   {"/x/y", "<stdlib>/oci.cpol", "<stdlib>/oci.cpol"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		s = lock_rel_path(c[i].dir, c[i].path);
		ck_assert_msg(!strcmp(s, c[i].want), "%s from %s: %s, want %s", c[i].path, c[i].dir, s,
			      c[i].want);
		free(s);
	}
	/* relative paths are from the working directory, the result is not */
	ck_assert_int_eq(mkdir_p(sub, 0755), 0);
	ck_assert_int_eq(chdir(sub), 0);
	s = lock_dir("../out/web.lock"); /* not there yet: lexical */
	ck_assert_str_eq(s + strlen(real), "/a/out");
	free(s);
	s = lock_dir("web.lock");
	ck_assert_str_eq(s + strlen(real), "/a/b");
	free(s);
	s = path_join(real, "a/out");
	char *r1 = lock_rel_path(s, "../../a/b/p.cpol"), *r2;
	ck_assert_int_eq(chdir(real), 0);
	r2 = lock_rel_path(s, "a/b/p.cpol");
	ck_assert_str_eq(r1, "../b/p.cpol");
	ck_assert_str_eq(r2, r1);
	free(r1);
	free(r2);
	free(s);
	s = lock_open_path("out/web.lock", "../b/p.cpol");
	ck_assert_str_eq(s, "out/../b/p.cpol");
	free(s);
	s = lock_open_path("out/web.lock", "/srv/cat");
	ck_assert_str_eq(s, "/srv/cat");
	free(s);
	ck_assert_int_eq(chdir(cwd), 0);
	rmdir(sub);
	s = path_join(real, "a");
	rmdir(s);
	free(s);
	rmdir(real);
	free(sub);
	free(real);
	free(tmp);
	free(cwd);
}
END_TEST

/* What --locked tells apart: the resolution, the inputs that may change
 * without it, and the image. */
START_TEST(test_compare_parts)
{
	struct lock a, b;
	struct strbuf sb = STRBUF_INIT;
	json_t *cfg = json_pack("{s:[s], s:s}", "Entrypoint", "/bin/app", "User", "0");

	sample(&a);
	sample(&b);
	free(b.prims[0].meta_digest);
	b.prims[0].meta_digest = xstrdup(D3); /* a scan update */
	free(b.modules[0].digest);
	b.modules[0].digest = xstrdup(D2);
	ck_assert_uint_eq(lock_compare_resolution(&a, &b, &sb), 0);
	ck_assert_uint_eq(lock_compare_inputs(&a, &b, &sb), 2);
	ck_assert_str_eq(sb.buf, "module 'web.cpol' changed: " D1 " -> " D2 "\n"
				 "primitive 'libc6' 2.36-9: metadata " D2 " -> " D3 "\n");
	sb_reset(&sb);
	free(b.prims[1].version);
	b.prims[1].version = xstrdup("1.1");
	free(b.prims[0].digest);
	b.prims[0].digest = xstrdup(D3);
	lock_add_prim(&b, "zlib", "1.3", D1, D1, "dependency of app", D1, D1, 1);
	ck_assert_uint_eq(lock_compare_resolution(&a, &b, &sb), 3);
	ck_assert_str_eq(sb.buf, "primitive 'libc6' 2.36-9: content " D1 " -> " D3 "\n"
				 "primitive 'app': version 1.0 -> 1.1 (" D2 " -> " D2 ")\n"
				 "primitive 'zlib' 1.3 added\n");
	sb_reset(&sb);
	lock_set_config(&b, cfg);
	free(b.prims[1].layer_digest);
	b.prims[1].layer_digest = xstrdup(D3);
	lock_set_image(&b, D2, D1);
	ck_assert_uint_eq(lock_compare_image(&a, &b, &sb), 3);
	ck_assert_str_eq(sb.buf, "config User changed: \"65532\" -> \"0\"\n"
				 "primitive 'app': layer blob " D1 " -> " D3
				 " (the same content compressed otherwise)\n"
				 "manifest: " D3 " -> " D2 "\n");
	sb_reset(&sb);
	lock_set_config(&b, a.config);
	lock_release(&b);
	sample(&b);
	lock_set_image(&b, D2, D1);
	ck_assert_uint_eq(lock_compare_image(&a, &b, &sb), 1);
	ck_assert_str_eq(sb.buf, "the policy's files, annotations or the image's layout\n"
				 "manifest: " D3 " -> " D2 "\n");
	sb_release(&sb);
	json_decref(cfg);
	lock_release(&a);
	lock_release(&b);
}
END_TEST

/* lock_diff merges the primitives sorted by name: 30,000 a side stay
 * fast (a name-by-name search was quadratic). */
START_TEST(test_diff_large)
{
	struct lock a, b;
	size_t n = 30000, ndiff;
	char name[32];
	json_t *j;

	lock_init(&a);
	lock_init(&b);
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "p%zu", (i * 7919) % n);
		lock_add_prim(&a, name, "1", D1, D1, NULL, D1, D1, 1);
		snprintf(name, sizeof(name), "p%zu", (i * 7919) % n + (i % 10 == 0 ? n : 0));
		lock_add_prim(&b, name, i % 10 == 1 ? "2" : "1", D1, D1, NULL, D1, D1, 1);
	}
	j = lock_diff(&a, &b, &ndiff);
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(j, "primitives"), "added")),
			  n / 10);
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(j, "primitives"), "removed")),
			  n / 10);
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(j, "primitives"), "changed")),
			  n / 10);
	ck_assert_uint_eq(ndiff, 3 * n / 10);
	ck_assert(json_is_false(json_object_get(j, "same")));
	json_decref(j);
	j = lock_diff(&a, &a, &ndiff);
	ck_assert_uint_eq(ndiff, 0);
	ck_assert(json_is_true(json_object_get(j, "same")));
	json_decref(j);
	lock_release(&a);
	lock_release(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lock");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_dump_order);
	tcase_add_test(tc, test_write_load_roundtrip);
	tcase_add_test(tc, test_compare);
	tcase_add_test(tc, test_load_malformed);
	tcase_add_test(tc, test_rel_path);
	tcase_add_test(tc, test_compare_parts);
	tcase_add_test(tc, test_diff_large);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
