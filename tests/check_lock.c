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
	lock_set_program(lk, "web.cpolb");
	lock_add_catalog(lk, "catalog", D2);
	lock_set_request(lk, req);
	lock_add_prim(lk, "libc6", "2.36-9", D1, D2, "dependency of app", D3, D1, 1234);
	lock_add_prim(lk, "app", "1.0", D2, D3, "include at web.cpol:3:5", D1, D2, 99);
	lock_set_config(lk, cfg);
	lock_set_image(lk, D3, D1);
	json_decref(req);
	json_decref(cfg);
}

START_TEST(test_dump_order)
{
	struct lock lk;
	char *text;
	const char *keys[] = {"\"lockVersion\": 1",
			      "\"policy\": \"web\"",
			      "\"platform\"",
			      "\"modules\"",
			      "\"program\": \"web.cpolb\"",
			      "\"request\"",
			      "\"catalogs\"",
			      "\"primitives\"",
			      "\"config\"",
			      "\"image\""};
	const char *prev;
	size_t i;

	sample(&lk);
	text = lock_dump(&lk, NULL);
	ck_assert_int_eq(strncmp(text, "{\n  \"lockVersion\": 1,\n", 22), 0);
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
					   "\",\n        \"diffId\": \"" D1 "\",\n        \"size\": 1234\n"));
	ck_assert_ptr_nonnull(
		strstr(text, "\"image\": {\n    \"manifest\": \"" D3 "\",\n    \"config\": \"" D1 "\""));
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
	ck_assert_ptr_nonnull(strstr(d.entries[0].message, "is not a version 1 lock file"));
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

int main(void)
{
	Suite *s = suite_create("lock");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_dump_order);
	tcase_add_test(tc, test_write_load_roundtrip);
	tcase_add_test(tc, test_compare);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
