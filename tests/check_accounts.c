/* check_accounts.c - users and groups: parsing, merging, clashes, the
 * written files, resolution of a config User. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"

static const char base_passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
				  "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
				  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
static const char base_group[] = "root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n";

static void load_base(struct accounts *a, struct diag *d)
{
	ck_assert_int_eq(accounts_parse_passwd(a, base_passwd, strlen(base_passwd), "/etc/passwd", d), 0);
	ck_assert_int_eq(accounts_parse_group(a, base_group, strlen(base_group), "/etc/group", d), 0);
}

/* The text of the last diagnostic, with where it points. */
static char *last(struct diag *d)
{
	const struct diag_entry *e = &d->entries[d->nentries - 1];
	char *where = diag_where(d, e);
	size_t n = strlen(where) + strlen(e->message) + strlen(e->rule) + 8;
	char *s = malloc(n);

	snprintf(s, n, "%s: %s [%s]", where, e->message, e->rule);
	free(where);
	return s;
}

START_TEST(test_merge_and_write)
{
	struct accounts a;
	struct diag d;
	struct acct_user u = {
		.name = "nonroot", .uid = 65532, .gid = 65532, .home = "/home/nonroot", .at = "web.cpol:3:3"};
	struct acct_group g = {.name = "nonroot", .gid = 65532, .at = "web.cpol:3:3"};
	char *text;
	size_t len;

	accounts_init(&a);
	diag_init(&d);
	load_base(&a, &d);
	ck_assert_int_eq(accounts_add_user(&a, &u, &d), 1);
	ck_assert_int_eq(accounts_add_group(&a, &g, &d), 1);
	/* the same name and uid: the fields given win, in place; the others stay */
	u.shell = "/bin/sh";
	u.home = NULL;
	ck_assert_int_eq(accounts_add_user(&a, &u, &d), 0);
	{
		struct acct_user dn = {
			.name = "daemon", .uid = 1, .gid = 1, .shell = "/bin/false", .at = "x:1:1"};
		struct acct_group dg = {.name = "daemon", .gid = 1, .at = "x:1:1"};
		ck_assert_int_eq(accounts_add_user(&a, &dn, &d), 0);
		ck_assert_int_eq(accounts_add_group(&a, &dg, &d), 0);
		ck_assert_str_eq(accounts_user(&a, "daemon")->gecos, "daemon");
		ck_assert_str_eq(accounts_home(accounts_user(&a, "daemon")), "/usr/sbin");
		ck_assert_str_eq(accounts_user(&a, "daemon")->at, "x:1:1");
	}
	ck_assert_int_eq(d.nerrors, 0);
	text = accounts_passwd_text(&a, &len);
	ck_assert_uint_eq(len, strlen(text));
	ck_assert_str_eq(text, "root:x:0:0:root:/root:/bin/bash\n"
			       "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
			       "nonroot:x:65532:65532::/home/nonroot:/bin/sh\n"
			       "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
	free(text);
	text = accounts_group_text(&a, &len);
	ck_assert_str_eq(text, "root:x:0:\ndaemon:x:1:\nnonroot:x:65532:\nnogroup:x:65534:\n");
	free(text);
	accounts_release(&a);
	accounts_release(&a); /* harmless twice */
	diag_release(&d);
}
END_TEST

/* The same set in another order writes the same bytes. */
START_TEST(test_order_independent)
{
	struct accounts a, b;
	struct diag d;
	struct acct_user u = {.name = "app", .uid = 1000, .gid = 1000};
	char *ta, *tb;
	size_t la, lb;

	accounts_init(&a);
	accounts_init(&b);
	diag_init(&d);
	ck_assert_int_eq(accounts_add_user(&a, &u, &d), 1);
	load_base(&a, &d);
	load_base(&b, &d);
	ck_assert_int_eq(accounts_add_user(&b, &u, &d), 1);
	ta = accounts_passwd_text(&a, &la);
	tb = accounts_passwd_text(&b, &lb);
	ck_assert_str_eq(ta, tb);
	free(ta);
	free(tb);
	accounts_release(&a);
	accounts_release(&b);
	diag_release(&d);
}
END_TEST

START_TEST(test_clashes)
{
	struct accounts a;
	struct diag d;
	struct acct_user same_name = {.name = "daemon", .uid = 2, .gid = 2, .at = "web.cpol:4:3"};
	struct acct_user same_uid = {.name = "demon", .uid = 1, .gid = 1, .at = "web.cpol:5:3"};
	struct acct_group gclash = {.name = "staff", .gid = 65534, .at = "web.cpol:6:3"};
	char *s;

	accounts_init(&a);
	diag_init(&d);
	load_base(&a, &d);
	ck_assert_int_eq(accounts_add_user(&a, &same_name, &d), -1);
	s = last(&d);
	ck_assert_str_eq(s,
			 "web.cpol:4:3: user 'daemon' has uid 2 here but 1 at /etc/passwd:2 [account-clash]");
	free(s);
	ck_assert_int_eq(accounts_add_user(&a, &same_uid, &d), -1);
	s = last(&d);
	ck_assert_str_eq(s, "web.cpol:5:3: user 'demon' has uid 1, which user 'daemon' already has (at "
			    "/etc/passwd:2) [account-clash]");
	free(s);
	ck_assert_int_eq(accounts_add_group(&a, &gclash, &d), -1);
	s = last(&d);
	ck_assert_str_eq(s,
			 "web.cpol:6:3: group 'staff' has gid 65534, which group 'nogroup' already has (at "
			 "/etc/group:3) [account-clash]");
	free(s);
	ck_assert_int_eq(d.nerrors, 3);
	ck_assert_uint_eq(a.nusers, 3); /* nothing added */
	accounts_release(&a);
	diag_release(&d);
}
END_TEST

START_TEST(test_invalid)
{
	struct accounts a;
	struct diag d;
	static const char *bad[] = {
		"", "-x", "1234", "a:b", "a\nb", "a b", "abcdefghijabcdefghijabcdefghijabc"};
	static const char *good[] = {"a", "nonroot", "www-data", "_apt", "systemd-network", "a.b", "1a"};
	struct acct_user u = {.name = "x", .uid = 10, .gid = 10, .home = "/h\nevil:x:0:0::/:/bin/sh"};
	static const char forged[] = "a:x:1:1::/:/bin/sh\nb:x:2\nc:x:3:3::/:/bin/sh:extra\n"
				     "d:x:4294967295:1::/:\n+nis\n\ne:x:5:5:::\n";

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(!accounts_valid_name(bad[i]), "%s", bad[i]);
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		ck_assert_msg(accounts_valid_name(good[i]), "%s", good[i]);
	accounts_init(&a);
	diag_init(&d);
	/* a newline in a field would forge a root line */
	ck_assert_int_eq(accounts_add_user(&a, &u, &d), -1);
	ck_assert_uint_eq(a.nusers, 0);
	/* three malformed lines, each reported at its line; the others go in */
	ck_assert_int_eq(accounts_parse_passwd(&a, forged, strlen(forged), "p", &d), 3);
	ck_assert_uint_eq(a.nusers, 2);
	ck_assert_str_eq(accounts_user(&a, "e")->home, "/");
	ck_assert_str_eq(accounts_user(&a, "e")->shell, "/bin/sh");
	ck_assert_uint_eq(d.entries[1].line, 2);
	ck_assert_uint_eq(d.entries[2].line, 3);
	ck_assert_int_eq(accounts_parse_passwd(&a, "a\0b", 3, "p", &d), 1);
	accounts_release(&a);
	diag_release(&d);
}
END_TEST

START_TEST(test_resolve)
{
	struct accounts a;
	struct diag d;
	struct acct_user u = {.name = "app", .uid = 1000, .gid = 1001};
	struct acct_group g = {.name = "app", .gid = 1001};
	uint32_t uid = 7, gid = 7, id;
	const char *unknown;

	accounts_init(&a);
	diag_init(&d);
	load_base(&a, &d);
	accounts_add_user(&a, &u, &d);
	accounts_add_group(&a, &g, &d);
	ck_assert_int_eq(accounts_resolve(&a, "app", &uid, &gid, &unknown), 0);
	ck_assert_uint_eq(uid, 1000);
	ck_assert_uint_eq(gid, 1001);
	ck_assert_int_eq(accounts_resolve(&a, "app:daemon", &uid, &gid, &unknown), 0);
	ck_assert_uint_eq(gid, 1);
	ck_assert_int_eq(accounts_resolve(&a, "1000", &uid, &gid, &unknown), 0);
	ck_assert_uint_eq(gid, 1001);
	ck_assert_int_eq(accounts_resolve(&a, "4321", &uid, &gid, &unknown), 0);
	ck_assert_uint_eq(uid, 4321);
	ck_assert_uint_eq(gid, 0);
	accounts_release(&a);
	accounts_init(&a); /* no entries: root is still 0 */
	ck_assert_int_eq(accounts_resolve(&a, "root:root", &uid, &gid, &unknown), 0);
	ck_assert_uint_eq(uid, 0);
	ck_assert_uint_eq(gid, 0);
	load_base(&a, &d);
	accounts_add_user(&a, &u, &d);
	accounts_add_group(&a, &g, &d);
	ck_assert_int_eq(accounts_resolve(&a, "ghost", &uid, &gid, &unknown), -1);
	ck_assert_str_eq(unknown, "ghost");
	ck_assert_int_eq(accounts_resolve(&a, "app:ghosts", &uid, &gid, &unknown), -1);
	ck_assert_str_eq(unknown, "ghosts");
	ck_assert(accounts_free_uid(&a, 0, 10, &id));
	ck_assert_uint_eq(id, 2);
	ck_assert(!accounts_free_gid(&a, 0, 1, &id));
	ck_assert(accounts_free_gid(&a, 1000, 1005, &id));
	ck_assert_uint_eq(id, 1000);
	accounts_release(&a);
	diag_release(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("accounts");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_merge_and_write);
	tcase_add_test(tc, test_order_independent);
	tcase_add_test(tc, test_clashes);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_resolve);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
