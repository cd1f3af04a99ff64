/* check_ver.c - Debian version ordering (expected values from dpkg
 * --compare-versions), validity and constraints. */
#include "config.h"

#include <check.h>
#include <stdlib.h>

#include "ver.h"

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

START_TEST(test_cmp_dpkg)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{"1.0", "1.0", 0},
		{"1.0", "1.1", -1},
		{"1.1", "1.0", 1},
		{"1.0~rc1", "1.0", -1},
		{"1.0~~", "1.0~", -1},
		{"1.0~", "1.0", -1},
		{"1.0", "1.0+", -1},
		{"1:1.0", "2.0", 1},
		{"0:1.0", "1.0", 0},
		{"1.0-1", "1.0-2", -1},
		{"1.0-1", "1.0", 1},
		{"1.0a", "1.0", 1},
		{"1.0a", "1.0+", -1},
		{"1.0a", "1.0.", -1},
		{"001", "1", 0},
		{"1.01", "1.1", 0},
		{"1.010", "1.9", 1},
		{"2.36-9+deb12u14", "2.36-9+deb12u4", 1},
		{"12.2.0-14+deb12u1", "12.2.0-14", 1},
		{"1.2.3", "1.2.3-0", 0},
		{"1.0-1~bpo1", "1.0-1", -1},
		{"1:1.0-1", "1:1.0-1.1", -1},
		{"2:1.8+git20210923~", "1:0.9.git20220301-2", 1},
		{"1.0.0", "1.0", 1},
		{"1.0+dfsg", "1.0", 1},
		{"1.0.a", "1.0.1", 1},
		{"7", "7a", -1},
		{"1:12", "1:12.2.0-14+deb12u1", -1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(sign(ver_cmp(cases[i].a, cases[i].b)) == cases[i].want, "%s vs %s: want %d",
			      cases[i].a, cases[i].b, cases[i].want);
		ck_assert_msg(sign(ver_cmp(cases[i].b, cases[i].a)) == -cases[i].want, "%s vs %s reversed",
			      cases[i].a, cases[i].b);
	}
}
END_TEST

START_TEST(test_valid)
{
	static const char *const good[] = {"1", "1.0-1", "1:2.0~rc1-3+deb12u1", "0:0", "2.10-3", "1.2.3-a.b"};
	static const char *const bad[] = {"",	 "a1",	  "1.0-", ":1.0",  "x:1.0",
					  "1 0", "1.0\t", "1:",	  "1.0_1", "1.0/2"};
	const char *why;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(ver_valid(good[i], &why), "'%s' should be valid", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		ck_assert_msg(!ver_valid(bad[i], &why), "'%s' should be invalid", bad[i]);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(test_satisfies)
{
	/* Debian operators */
	ck_assert(ver_satisfies("2.36-9", ">=", "2.34", false));
	ck_assert(!ver_satisfies("2.33", ">=", "2.34", false));
	ck_assert(ver_satisfies("1.0", "<<", "1.1", false));
	ck_assert(!ver_satisfies("1.1", "<<", "1.1", false));
	ck_assert(ver_satisfies("1.1", "<=", "1.1", false));
	ck_assert(ver_satisfies("1.2", ">>", "1.1", false));
	ck_assert(ver_satisfies("0:1.0", "=", "1.0", false));
	ck_assert(ver_satisfies("1.1", "<", "1.1", false)); /* obsolete: <= */
	ck_assert(ver_satisfies("1.1", ">", "1.1", false)); /* obsolete: >= */
	ck_assert(!ver_satisfies("1.1", "==", "1.1", false));
	/* .cpol operators */
	ck_assert(!ver_satisfies("1.1", "<", "1.1", true));
	ck_assert(!ver_satisfies("1.1", ">", "1.1", true));
	ck_assert(ver_satisfies("1.1", "==", "1.1", true));
	ck_assert(ver_satisfies("1.1", "!=", "1.2", true));
	ck_assert(ver_satisfies("1.35.0-4", ">=", "1.35", true));
	ck_assert(!ver_satisfies("1.0~rc1", ">=", "1.0", true));
	ck_assert(!ver_satisfies("1.0", "<<", "2.0", true)); /* not a .cpol operator */
	ck_assert(!ver_satisfies("1.0", "~=", "1.0", false));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ver");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_cmp_dpkg);
	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_satisfies);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
