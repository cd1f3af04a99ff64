/* check_diag.c - locations, counting and the gcc-style format. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"

START_TEST(test_linecol)
{
	struct diag d;
	unsigned line, col;
	uint32_t f;
	char *s;

	diag_init(&d);
	f = diag_add_file(&d, "web.cpol", xstrdup("ab\ncde\n\nx"), 9);
	diag_linecol(&d, f, 0, &line, &col);
	ck_assert_uint_eq(line, 1);
	ck_assert_uint_eq(col, 1);
	diag_linecol(&d, f, 4, &line, &col);
	ck_assert_uint_eq(line, 2);
	ck_assert_uint_eq(col, 2);
	diag_linecol(&d, f, 8, &line, &col);
	ck_assert_uint_eq(line, 4);
	ck_assert_uint_eq(col, 1);
	s = diag_locstr(&d, (struct loc){f, 3, 6});
	ck_assert_str_eq(s, "web.cpol:2:1");
	free(s);
	diag_release(&d);
}
END_TEST

START_TEST(test_print)
{
	struct diag d;
	uint32_t f;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	diag_init(&d);
	f = diag_add_file(&d, "p.cpol", xstrdup("policy \"x\" {\n  bogus;\n}\n"), 24);
	diag_error(&d, (struct loc){f, 15, 20}, "syntax", "unexpected '%s'", "bogus");
	diag_warning(&d, (struct loc){f, 0, 6}, "user-root", "no user set");
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_uint_eq(d.nwarnings, 1);
	out = open_memstream(&buf, &len);
	diag_print(&d, out, DIAG_FMT_GCC, DIAG_CARET);
	fclose(out);
	ck_assert_str_eq(buf, "p.cpol:2:3: error: unexpected 'bogus' [syntax]\n"
			      "    2 |   bogus;\n"
			      "      |   ^~~~~\n"
			      "p.cpol:1:1: warning: no user set [user-root]\n"
			      "    1 | policy \"x\" {\n"
			      "      | ^~~~~~\n");
	free(buf);
	diag_release(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("diag");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_linecol);
	tcase_add_test(tc, test_print);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
