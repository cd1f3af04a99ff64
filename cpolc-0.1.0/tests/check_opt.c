/* check_opt.c - the option parser every command uses (src/opt.c). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opt.h"
#include "util.h"

/* The options of a made-up command, reset before each parse. */
static const char *s_tag;
static int s_flag, s_caret, s_choice;
static long long s_num;
static uint64_t s_size;
static struct strvec s_list;
static const char *const words[] = {"gcc", "json", "sarif", NULL};

static const struct opt opts[] = {
	OPT_STRING('t', "tag", &s_tag, "T", "a tag"),
	OPT_BOOL_F('f', "flag", &s_flag, "a flag", OPT_NONEG),
	OPT_BOOL('c', "caret", &s_caret, "a negatable flag"),
	OPT_LIST('D', "define", &s_list, "K=V", "repeated"),
	OPT_CHOICE(0, "format", &s_choice, "F", words, "one of three"),
	OPT_INT(0, "max", &s_num, "N", 1, 1000, "a number"),
	OPT_SIZE(0, "max-size", &s_size, "N", "a size"),
	OPT_BOOL_F(0, "Werror", &s_flag, "one dash", OPT_DASH | OPT_NONEG),
	OPT_STRING_F(0, "MT", &s_tag, "TARGET", "one dash with a value", OPT_DASH),
	OPT_END(),
};
static const struct opt_cmd cmd = {"test", "test [options] FILE...", "About.\n", NULL, opts};

static char out[4096], err[4096];
static char *words_buf; /* the parsed words: string options point into it */

/* Parse the words of line (split at spaces) with stdout and stderr caught. */
static int parse(const char *line)
{
	char *copy, *argv[32], *save = NULL;
	int argc = 0, r, fd1 = dup(1), fd2 = dup(2);
	FILE *o = tmpfile(), *e = tmpfile();
	size_t n;

	free(words_buf);
	copy = words_buf = xstrdup(line);
	s_tag = NULL, s_flag = 0, s_caret = -1, s_choice = -1, s_num = 0, s_size = 0;
	strvec_clear(&s_list);
	argv[argc++] = "test";
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	fflush(stdout), fflush(stderr);
	dup2(fileno(o), 1), dup2(fileno(e), 2);
	r = opt_parse(&cmd, argc, argv);
	fflush(stdout), fflush(stderr);
	dup2(fd1, 1), dup2(fd2, 2);
	close(fd1), close(fd2);
	rewind(o), rewind(e);
	n = fread(out, 1, sizeof(out) - 1, o);
	out[n] = '\0';
	n = fread(err, 1, sizeof(err) - 1, e);
	err[n] = '\0';
	fclose(o), fclose(e);
	/* the operands, joined, into err when there is no error */
	if (r >= 0) {
		struct strbuf sb = STRBUF_INIT;
		for (int i = 0; i < r; i++)
			sb_addf(&sb, "%s%s", i ? "," : "", argv[i]);
		snprintf(err, sizeof(err), "%s", sb.buf ? sb.buf : "");
		sb_release(&sb);
	}
	return r;
}

START_TEST(test_values)
{
	ck_assert_int_eq(parse("--tag x a"), 1);
	ck_assert_str_eq(s_tag, "x");
	ck_assert_str_eq(err, "a");
	ck_assert_int_eq(parse("--tag=y a"), 1);
	ck_assert_str_eq(s_tag, "y");
	ck_assert_int_eq(parse("-tz a"), 1);
	ck_assert_str_eq(s_tag, "z");
	ck_assert_int_eq(parse("-t w a"), 1);
	ck_assert_str_eq(s_tag, "w");
	ck_assert_int_eq(parse("--tag= a"), 1); /* an empty value is a value */
	ck_assert_str_eq(s_tag, "");
	ck_assert_int_eq(parse("-Da=1 --define b=2 -D c=3"), 0);
	ck_assert_uint_eq(s_list.n, 3);
	ck_assert_str_eq(s_list.v[0], "a=1");
	ck_assert_str_eq(s_list.v[2], "c=3");
	ck_assert_int_eq(parse("--format json"), 0);
	ck_assert_int_eq(s_choice, 1);
	ck_assert_int_eq(parse("--max=1000"), 0);
	ck_assert_int_eq(s_num, 1000);
}
END_TEST

START_TEST(test_flags)
{
	ck_assert_int_eq(parse("-fc a"), 1);
	ck_assert_int_eq(s_flag, 1);
	ck_assert_int_eq(s_caret, 1);
	ck_assert_int_eq(parse("--caret --no-caret"), 0);
	ck_assert_int_eq(s_caret, 0);
	ck_assert_int_eq(parse("--no-flag"), OPT_ERROR); /* OPT_NONEG */
	ck_assert_ptr_nonnull(strstr(err, "unknown option '--no-flag'"));
	ck_assert_int_eq(parse("--flag=1"), OPT_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "option '--flag' takes no value"));
	ck_assert_int_eq(parse("-Werror a"), 1);
	ck_assert_int_eq(s_flag, 1);
	ck_assert_int_eq(parse("-MT out a"), 1);
	ck_assert_str_eq(s_tag, "out");
	ck_assert_int_eq(parse("--Werror"), OPT_ERROR); /* spelled with one dash only */
}
END_TEST

START_TEST(test_operands)
{
	ck_assert_int_eq(parse("a -f b - c"), 4);
	ck_assert_str_eq(err, "a,b,-,c");
	ck_assert_int_eq(parse("a -- -f --tag"), 3);
	ck_assert_str_eq(err, "a,-f,--tag");
	ck_assert_int_eq(s_flag, 0);
	ck_assert_int_eq(parse(""), 0);
}
END_TEST

START_TEST(test_errors)
{
	ck_assert_int_eq(parse("--frob"), OPT_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "cpolc test: unknown option '--frob'"));
	ck_assert_ptr_nonnull(strstr(err, "usage: cpolc test [options] FILE..."));
	ck_assert_int_eq(parse("--ta x"), OPT_ERROR); /* no abbreviations */
	ck_assert_int_eq(parse("-x"), OPT_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "unknown option '-x'"));
	ck_assert_int_eq(parse("-fx"), OPT_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "unknown option '-x' in '-fx'"));
	ck_assert_int_eq(parse("a --tag"), OPT_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "option '--tag' needs a value (T)"));
	ck_assert_int_eq(parse("-t"), OPT_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "option '-t' needs a value"));
	ck_assert_int_eq(parse("--format yaml"), OPT_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "option '--format': 'yaml' is not one of gcc, json or sarif"));
	ck_assert_int_eq(parse("--max 0"), OPT_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "'0' is not a whole number from 1 to 1000"));
	ck_assert_int_eq(parse("--max 1001"), OPT_ERROR);
	ck_assert_int_eq(parse("--max 5x"), OPT_ERROR);
	ck_assert_int_eq(parse("--max=+5"), OPT_ERROR);
	ck_assert_int_eq(parse("--max ''"), OPT_ERROR);
}
END_TEST

START_TEST(test_sizes)
{
	static const struct {
		const char *arg;
		uint64_t want;
	} ok[] = {
		{"0", 0},
		{"17", 17},
		{"10KB", 10000},
		{"10MB", 10000000},
		{"2GB", 2000000000},
		{"1TB", 1000000000000},
		{"10KiB", 10240},
		{"10MiB", 10485760},
		{"2GiB", UINT64_C(2) << 30},
		{"1TiB", UINT64_C(1) << 40},
		{"10K", 10240},
		{"10M", 10485760},
		{"3G", UINT64_C(3) << 30},
		{"1T", UINT64_C(1) << 40},
		{"8388608TiB", UINT64_C(1) << 63},
	};
	static const char *const bad[] = {
		"",    "M", "-1", "1.5M", "10X", "10mib", "10MiBs", "8388609TiB", "99999999999999999999",
		"0x10"};

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		char line[64];
		snprintf(line, sizeof(line), "--max-size=%s", ok[i].arg);
		ck_assert_msg(parse(line) == 0, "%s: %s", ok[i].arg, err);
		ck_assert_msg(s_size == ok[i].want, "%s: %llu", ok[i].arg, (unsigned long long)s_size);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char line[64];
		snprintf(line, sizeof(line), "--max-size=%s", bad[i]);
		ck_assert_msg(parse(line) == OPT_ERROR, "%s accepted", bad[i]);
		ck_assert_ptr_nonnull(strstr(err, "is not a size"));
	}
}
END_TEST

START_TEST(test_help)
{
	ck_assert_int_eq(parse("a --help --frob"), OPT_HELP);
	ck_assert_ptr_nonnull(strstr(out, "usage: cpolc test [options] FILE...\n\nAbout.\n"));
	ck_assert_ptr_nonnull(strstr(out, "  -t, --tag T"));
	ck_assert_ptr_nonnull(strstr(out, "  -c, --[no-]caret"));
	ck_assert_ptr_nonnull(strstr(out, "  -Werror"));
	ck_assert_ptr_nonnull(strstr(out, "(gcc, json, sarif)"));
	ck_assert_int_eq(opt_exit(OPT_HELP), 0);
	ck_assert_int_eq(opt_exit(OPT_ERROR), 2);
	ck_assert_int_eq(parse("--completion-helper"), OPT_HELP);
	ck_assert_ptr_nonnull(strstr(out, "-t=\n--tag=\n-f\n--flag\n-c\n--caret\n--no-caret\n"));
	ck_assert_ptr_nonnull(strstr(out, "--format= gcc json sarif\n"));
	ck_assert_ptr_nonnull(strstr(out, "-Werror\n-MT=\n--help\n"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("opt");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_flags);
	tcase_add_test(tc, test_operands);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_help);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	strvec_clear(&s_list);
	free(words_buf);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
