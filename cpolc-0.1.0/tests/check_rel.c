/* check_rel.c - Debian relationship fields. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "rel.h"

START_TEST(test_simple)
{
	struct rel_list l;
	const char *why = NULL;
	char *s;

	ck_assert_int_eq(rel_parse("libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0", &l, &why), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(l.alts[0].n, 1);
	ck_assert_str_eq(l.alts[0].atoms[0].name, "libc6");
	ck_assert_str_eq(l.alts[0].atoms[0].op, ">=");
	ck_assert_str_eq(l.alts[0].atoms[0].version, "2.34");
	ck_assert_uint_eq(l.alts[1].n, 2);
	ck_assert_str_eq(l.alts[1].atoms[1].name, "debconf-2.0");
	ck_assert_ptr_null(l.alts[1].atoms[1].op);
	s = rel_alt_str(&l.alts[1]);
	ck_assert_str_eq(s, "debconf (>= 0.5) | debconf-2.0");
	free(s);
	rel_list_release(&l);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(test_spacing_and_ops)
{
	struct rel_list l;
	const char *why = NULL;
	char *s;

	/* folded lines, odd spacing, all operators, obsolete < and > */
	ck_assert_int_eq(rel_parse(" a(<<1) ,\n b ( <= 1:2.0-1 )|c (= 3),d (>>4), e (<5), f (>6)", &l, &why),
			 0);
	ck_assert_uint_eq(l.n, 5);
	s = rel_alt_str(&l.alts[0]);
	ck_assert_str_eq(s, "a (<< 1)");
	free(s);
	s = rel_alt_str(&l.alts[1]);
	ck_assert_str_eq(s, "b (<= 1:2.0-1) | c (= 3)");
	free(s);
	ck_assert_str_eq(l.alts[3].atoms[0].op, "<=");
	ck_assert_str_eq(l.alts[4].atoms[0].op, ">=");
	rel_list_release(&l);
	ck_assert_int_eq(rel_parse("   ", &l, &why), 0);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(test_multiarch)
{
	struct rel_alt a;
	const char *why = NULL;

	ck_assert_int_eq(rel_parse_alt("python3:any (>= 3.11)", &a, &why), 0);
	ck_assert_str_eq(a.atoms[0].name, "python3");
	ck_assert_str_eq(a.atoms[0].version, "3.11");
	rel_alt_release(&a);
}
END_TEST

START_TEST(test_errors)
{
	static const char *const bad[] = {
		"",	"Libc6",     "a (>= )",	     "a (>= 1",	  "a (~ 1)", "a b", "a |",
		"a, b", "a [amd64]", "a <!nocheck>", "a (>= x1)", "a:",	     "-a",  "a (>= 1) b",
	};
	struct rel_alt a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = NULL;
		ck_assert_msg(rel_parse_alt(bad[i], &a, &why) == -1, "'%s' should be refused", bad[i]);
		ck_assert_ptr_nonnull(why);
		ck_assert_ptr_null(a.atoms);
	}
}
END_TEST

START_TEST(test_names)
{
	ck_assert(rel_valid_name("libc6"));
	ck_assert(rel_valid_name("gcc-12-base"));
	ck_assert(rel_valid_name("g++"));
	ck_assert(rel_valid_name("x"));
	ck_assert(!rel_valid_name(""));
	ck_assert(!rel_valid_name("Hello"));
	ck_assert(!rel_valid_name(".hidden"));
	ck_assert(!rel_valid_name("a/b"));
	ck_assert(!rel_valid_name("a_b"));
	ck_assert(!rel_valid_name(NULL));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rel");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_simple);
	tcase_add_test(tc, test_spacing_and_ops);
	tcase_add_test(tc, test_multiarch);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
