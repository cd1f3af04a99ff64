/* check_util.c - allocation helpers, buffers, files, hashing, UTF-8. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

START_TEST(test_strbuf)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;
	size_t n;

	sb_adds(&sb, "abc");
	sb_addc(&sb, '-');
	sb_addf(&sb, "%d", 42);
	ck_assert_str_eq(sb.buf, "abc-42");
	s = sb_detach(&sb, &n);
	ck_assert_uint_eq(n, 6);
	ck_assert_ptr_null(sb.buf);
	free(s);
	s = sb_detach(&sb, &n);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_sha256)
{
	char hex[65];

	sha256_hex("abc", 3, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("", 0, hex);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(test_format_size)
{
	char buf[SIZE_TEXT_MAX];

	ck_assert_str_eq(format_size(0, buf), "0 B");
	ck_assert_str_eq(format_size(1023, buf), "1023 B");
	ck_assert_str_eq(format_size(1024, buf), "1.0 KiB");
	ck_assert_str_eq(format_size(1536, buf), "1.5 KiB");
	ck_assert_str_eq(format_size((UINT64_C(1) << 20) - 1, buf), "1.0 MiB"); /* rounds up a unit */
	ck_assert_str_eq(format_size(UINT64_C(12) << 20, buf), "12.0 MiB");
	ck_assert_str_eq(format_size(UINT64_C(3) << 30 | UINT64_C(1) << 28, buf), "3.3 GiB");
	ck_assert_str_eq(format_size(UINT64_MAX, buf), "16.0 EiB");
}
END_TEST

START_TEST(test_digest_valid)
{
	const char *hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	char *good = xasprintf("sha256:%s", hex);
	const char *bad[] = {
		"",
		"sha256:",
		"sha256:///////////////////////////////////////////../../etc/shadow",
		"sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85/",
		"sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	};

	ck_assert(digest_valid(good));
	ck_assert_uint_eq(strlen(good), DIGEST_LEN);
	ck_assert(!digest_valid(NULL));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(!digest_valid(bad[i]), "'%s' taken for a digest", bad[i]);
	free(good);
}
END_TEST

START_TEST(test_tag_valid)
{
	char long_tag[130];

	ck_assert(tag_valid("latest"));
	ck_assert(tag_valid("_v1.2-rc_3"));
	ck_assert(tag_valid("A"));
	ck_assert(!tag_valid(""));
	ck_assert(!tag_valid(".hidden"));
	ck_assert(!tag_valid("-x"));
	ck_assert(!tag_valid("a/b"));
	ck_assert(!tag_valid("a:b"));
	ck_assert(!tag_valid("caf\xc3\xa9"));
	memset(long_tag, 'a', 128);
	long_tag[128] = '\0';
	ck_assert(tag_valid(long_tag));
	long_tag[128] = 'a', long_tag[129] = '\0';
	ck_assert(!tag_valid(long_tag));
}
END_TEST

START_TEST(test_atomic_write)
{
	char dir[] = "/tmp/cpolc-check-XXXXXX";
	char *path, *data, hex[65];
	size_t len;
	struct stat st;
	mode_t old = umask(077);

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = path_join(dir, "f");
	ck_assert_int_eq(write_file_atomic(path, "hello", 5, 0644), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0644);
	ck_assert_int_eq(read_file(path, &data, &len), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_str_eq(data, "hello");
	ck_assert_int_eq(sha256_file(path, hex), 0);
	ck_assert_str_eq(hex, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	free(data);
	ck_assert_int_eq(read_file(dir, &data, &len), -1);
	ck_assert_int_eq(errno, EISDIR);
	unlink(path);
	rmdir(dir);
	free(path);
	umask(old);
}
END_TEST

/* Only regular files are read: a FIFO nobody writes, a device and a
 * symlink (with OPEN_NOFOLLOW) are refused at once, and a bound holds. */
START_TEST(test_read_special)
{
	char dir[] = "/tmp/cpolc-check-XXXXXX";
	char *fifo, *link, *file, *data = NULL, hex[65];
	size_t len;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	fifo = path_join(dir, "fifo");
	link = path_join(dir, "link");
	file = path_join(dir, "file");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(read_file(fifo, &data, &len), -1);
	ck_assert_int_eq(errno, E_NOTREG);
	ck_assert_str_eq(file_strerror(errno), "not a regular file");
	ck_assert_int_eq(sha256_file(fifo, hex), -1);
	ck_assert_int_eq(read_file("/dev/zero", &data, &len), -1);
	ck_assert_int_eq(errno, E_NOTREG);
	ck_assert_int_eq(sha256_file("/dev/zero", hex), -1);
	ck_assert_int_eq(write_file_atomic(file, "0123456789", 10, 0644), 0);
	ck_assert_int_eq(symlink(file, link), 0);
	ck_assert_int_eq(read_file_max(link, 10, 0, &data, &len), 0);
	ck_assert_uint_eq(len, 10);
	free(data);
	ck_assert_int_eq(read_file_max(link, 10, OPEN_NOFOLLOW, &data, &len), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_int_eq(read_file_max(file, 9, 0, &data, &len), -1);
	ck_assert_int_eq(errno, EFBIG);
	unlink(fifo);
	unlink(link);
	unlink(file);
	rmdir(dir);
	free(fifo);
	free(link);
	free(file);
}
END_TEST

START_TEST(test_paths)
{
	char *s;

	s = path_join("a/", "/b");
	ck_assert_str_eq(s, "a/b");
	free(s);
	s = path_join("/", "b");
	ck_assert_str_eq(s, "/b");
	free(s);
	s = path_dirname("x/y/z.cpol");
	ck_assert_str_eq(s, "x/y");
	free(s);
	s = path_dirname("z.cpol");
	ck_assert_str_eq(s, ".");
	free(s);
}
END_TEST

START_TEST(test_utf8)
{
	size_t bad = 99;

	ck_assert(utf8_valid("h\xc3\xa9llo", 6, &bad));
	ck_assert(!utf8_valid("ab\xff", 3, &bad));
	ck_assert_uint_eq(bad, 2);
	ck_assert(!utf8_valid("\xc3", 1, &bad));	 /* truncated */
	ck_assert(!utf8_valid("\xc0\xaf", 2, &bad));	 /* overlong */
	ck_assert(!utf8_valid("\xed\xa0\x80", 3, &bad)); /* surrogate */
	ck_assert(utf8_valid("\xf0\x9f\x98\x80", 4, &bad));
}
END_TEST

/* "did you mean": one edit for short names, two from six bytes, a swap of
 * neighbours is one edit, the closest (then the first) wins, long names
 * are not compared. */
START_TEST(test_suggest)
{
	const char *const names[] = {"env", "version", "roles", "replicas", "string", "int"};
	char longer[SUGGEST_MAX + 2];

	ck_assert_str_eq(suggest_name("evn", names, 6), "env");
	ck_assert_str_eq(suggest_name("en", names, 6), "env");
	ck_assert_str_eq(suggest_name("verison", names, 6), "version");
	ck_assert_str_eq(suggest_name("replcas", names, 6), "replicas");
	ck_assert_str_eq(suggest_name("strng", names, 6), "string");
	ck_assert_ptr_null(suggest_name("envx2", names, 6));
	ck_assert_ptr_null(suggest_name("env", names, 6)); /* itself is no suggestion */
	ck_assert_ptr_null(suggest_name("zzz", names, 6));
	{
		const char *const ab[] = {"a", "b"};
		ck_assert_ptr_null(suggest_name("c", ab, 2)); /* every byte differs */
	}
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	ck_assert_ptr_null(suggest_name(longer, names, 6));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_strbuf);
	tcase_add_test(tc, test_sha256);
	tcase_add_test(tc, test_digest_valid);
	tcase_add_test(tc, test_tag_valid);
	tcase_add_test(tc, test_format_size);
	tcase_add_test(tc, test_atomic_write);
	tcase_add_test(tc, test_read_special);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_suggest);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
