/* check_maint.c - the maintainer-script classifier and reader, the status
 * stanza of the package database, and Debian license names as SPDX. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "dpkgdb.h"
#include "maint.h"
#include "sbom.h"
#include "util.h"

static enum maint_class classify(const char *line)
{
	char *s = xstrdup(line), *w[32], *save = NULL;
	size_t n = 0;
	enum maint_class k;

	for (char *t = strtok_r(s, " ", &save); t && n < 32; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	k = maint_classify(w, n);
	free(s);
	return k;
}

START_TEST(test_classify)
{
	ck_assert_int_eq(classify("[ -x /usr/bin/foo ]"), MAINT_MOOT);
	ck_assert_int_eq(classify("if command -v foo"), MAINT_MOOT);
	ck_assert_int_eq(classify("X=1 deb-systemd-helper enable x.service"), MAINT_MOOT);
	ck_assert_int_eq(classify("dpkg --compare-versions 1 lt 2"), MAINT_MOOT);
	ck_assert_int_eq(classify("dpkg --add-architecture i386"), MAINT_NOT_REPRODUCED);
	ck_assert_int_eq(classify("sed -n p /etc/x"), MAINT_MOOT);
	ck_assert_int_eq(classify("sed -i s/a/b/ /etc/x"), MAINT_NOT_REPRODUCED);
	ck_assert_int_eq(classify("/usr/sbin/update-ca-certificates --fresh"), MAINT_REPRODUCED);
	ck_assert_int_eq(classify("update-alternatives --install /a a /b 1"), MAINT_REPRODUCED);
	ck_assert_int_eq(classify("update-alternatives --remove a /b"), MAINT_MOOT);
	ck_assert_int_eq(classify("update-alternatives --set a /b"), MAINT_NOT_REPRODUCED);
	ck_assert_int_eq(classify("adduser --system x"), MAINT_REPRODUCED);
	ck_assert_int_eq(classify("adduser x"), MAINT_NOT_REPRODUCED);
	ck_assert_int_eq(classify("useradd -r x"), MAINT_REPRODUCED);
	ck_assert_int_eq(classify("mkdir -p /var/x"), MAINT_NOT_REPRODUCED);
}
END_TEST

/* The warning and accounts of one postinst. */
static char *scan(const char *postinst, struct maint *m)
{
	struct cat_prim p = {.name = "pkg", .version = "1"};
	const struct cat_prim *v[] = {&p};
	json_t *info = json_pack("{s:s, s:{s:s}, s:[]}", "control", "Package: pkg\n", "scripts", "postinst",
				 postinst, "files");
	char *w;

	maint_init(m);
	maint_scan(m, v, &info, 1);
	w = xstrdup(m->nwarnings ? m->warnings[0].commands : "");
	json_decref(info);
	return w;
}

static void expect_scan(const char *postinst, const char *want)
{
	struct maint m;
	char *w = scan(postinst, &m);

	ck_assert_str_eq(w, want);
	free(w);
	maint_release(&m);
}

START_TEST(test_reader)
{
	/* only the branches a first install runs */
	expect_scan("case \"$1\" in\n configure)\n  touch /a\n  ;;\n abort-upgrade|remove)\n  rm /b\n  ;;\n"
		    "esac\n",
		    "touch");
	expect_scan("case $1 in\n(configure|upgrade) cp a b ;;\n*) true ;;\nesac\n", "cp");
	/* quotes, comments, separators, substitutions, here-documents */
	expect_scan("echo \"a; rm -rf /\" # rm -rf /\nls && chmod 1 /x || chown a /y\n", "chmod, chown");
	expect_scan("x=$(getent passwd u || useradd u)\n", "useradd");
	expect_scan("cat <<EOF >/dev/null\nrm -rf /\nEOF\nln -s a b\n", "ln");
	expect_scan("f() {\n  mv a b\n}\nf\nf\n", "mv");
	expect_scan("echo x 2>&1 >>/etc/x\n", "output to /etc/x");
	expect_scan(". /usr/share/debconf/confmodule\ndb_input high x || true\ndb_go\n",
		    ". (sources a file), debconf");
	/* what is reproduced draws nothing, unless its arguments are variables */
	expect_scan("update-alternatives --install /usr/bin/a a /usr/bin/a1 5\n", "");
	expect_scan("update-alternatives --install /usr/bin/a a $P 5\n", "update-alternatives");
	expect_scan("adduser --system --group --home /var/lib/s s >/dev/null\n", "");
	expect_scan("adduser --system $U\n", "adduser");
	/* bounds: a pattern of many stars is taken to match, unread */
	expect_scan("case \"$1\" in\n*x*x*x*x*x*x*x*x*x*x*x*x*x*x*x*x*) touch /a ;;\nesac\n", "touch");
}
END_TEST

START_TEST(test_notes_bound)
{
	struct strbuf sb = STRBUF_INIT;
	struct maint m;
	char *w;
	size_t items = 1;

	for (int i = 0; i < 1000; i++)
		sb_addf(&sb, "cmd%d\n", i);
	w = scan(sb.buf, &m);
	for (const char *p = w; (p = strchr(p, ',')); p++)
		items++;
	ck_assert_uint_eq(items, 33); /* 32 names, then "..." */
	ck_assert(!strcmp(w + strlen(w) - 5, ", ..."));
	free(w);
	maint_release(&m);
	sb_release(&sb);
}
END_TEST

START_TEST(test_accounts_read)
{
	struct maint m;
	char *w = scan("addgroup --system g\nadduser --system --ingroup g --shell /bin/sh --home /h u\n", &m);

	ck_assert_str_eq(w, "");
	ck_assert_uint_eq(m.naccounts, 2);
	ck_assert(m.accounts[0].group_only);
	ck_assert_str_eq(m.accounts[0].name, "g");
	ck_assert_str_eq(m.accounts[1].name, "u");
	ck_assert_str_eq(m.accounts[1].group, "g");
	ck_assert_str_eq(m.accounts[1].shell, "/bin/sh");
	ck_assert_str_eq(m.accounts[1].home, "/h");
	free(w);
	maint_release(&m);
}
END_TEST

START_TEST(test_stanza)
{
	char *s = dpkgdb_stanza(
		"Version: 1\nStatus: purge ok not-installed\nPackage: p\nDescription: d\n more\n"
		" .\n\nPackage: second\n");

	ck_assert_str_eq(s,
			 "Package: p\nStatus: install ok installed\nVersion: 1\nDescription: d\n more\n .\n");
	free(s);
	ck_assert_ptr_null(dpkgdb_stanza("Version: 1\n"));
}
END_TEST

START_TEST(test_license)
{
	static const char *const cases[][2] = {
		{"GPL-2+", "GPL-2.0-or-later"},
		{"GPL-2+ or Artistic", "GPL-2.0-or-later OR Artistic-1.0"},
		{"expat and bsd-3-clause", "MIT AND BSD-3-Clause"},
		{"public-domain", "LicenseRef-public-domain"},
		{"GPL-2+ with OpenSSL exception", "LicenseRef-GPL-2--with-OpenSSL-exception"},
		{"", "NOASSERTION"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *s = sbom_license(cases[i][0]);
		ck_assert_str_eq(s, cases[i][1]);
		free(s);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("maint");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_classify);
	tcase_add_test(tc, test_reader);
	tcase_add_test(tc, test_accounts_read);
	tcase_add_test(tc, test_notes_bound);
	tcase_add_test(tc, test_stanza);
	tcase_add_test(tc, test_license);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
