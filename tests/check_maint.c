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
	ck_assert_int_eq(classify("dpkg -s libc6"), MAINT_MOOT);
	ck_assert_int_eq(classify("dpkg -i x.deb"), MAINT_NOT_REPRODUCED);
	ck_assert_int_eq(classify("db_get libc6/upgrade"), MAINT_MOOT);
	ck_assert_int_eq(classify(". /usr/share/debconf/confmodule"), MAINT_MOOT);
	ck_assert_int_eq(classify(". /usr/share/x/helpers"), MAINT_NOT_REPRODUCED);
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

/* The warning and accounts of one script (which: "postinst" unless it
 * starts with "preinst:"). */
static char *scan(const char *script, struct maint *m)
{
	struct cat_prim p = {.name = "pkg", .version = "1"};
	const struct cat_prim *v[] = {&p};
	bool pre = !strncmp(script, "preinst:", 8);
	json_t *info = json_pack("{s:s, s:{s:s}, s:[s]}", "control", "Package: pkg\n", "scripts",
				 pre ? "preinst" : "postinst", script + (pre ? 8 : 0), "files", "/.");
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
	expect_scan(". /usr/share/debconf/confmodule\ndb_input high x || true\ndb_go\n. /etc/x.conf\n",
		    ". (sources a file)");
	/* what is reproduced draws nothing, unless its arguments are variables */
	expect_scan("update-alternatives --install /usr/bin/a a /usr/bin/a1 5\n", "");
	expect_scan("update-alternatives --install /usr/bin/a a $P 5\n", "update-alternatives");
	/* a name that would leave /etc/alternatives (or the database's directory) */
	expect_scan("update-alternatives --install /usr/bin/a ../../etc/passwd /usr/bin/a1 5\n",
		    "update-alternatives");
	expect_scan("update-alternatives --install /usr/bin/a a /usr/bin/a1 5 --slave /usr/bin/b .. "
		    "/usr/bin/b1\n",
		    "update-alternatives");
	expect_scan("adduser --system --group --home /var/lib/s s >/dev/null\n", "");
	expect_scan("adduser --system $U\n", "adduser");
	/* if: branches a first install never takes ($2 is empty) are not read */
	expect_scan("if [ -n \"$2\" ]; then\n  rm /a\nfi\ntouch /b\n", "touch");
	expect_scan("if [ -z \"$2\" ]; then touch /a; else rm /b; fi\n", "touch");
	expect_scan(
		"if [ \"$1\" = configure ] && [ -n \"$2\" ]; then rm /a; elif true; then cp a b; else mv a "
		"b; fi\n",
		"cp");
	expect_scan(
		"old=\"$2\"\nif [ \"$old\" ] && dpkg --compare-versions \"$old\" lt 1.2; then rm /a; fi\n",
		"");
	expect_scan("if dpkg --compare-versions \"$2\" lt 1.2; then rm /a; fi\n", "rm");
	expect_scan("if dpkg --compare-versions \"$2\" lt-nl 1.2; then rm /a; fi\n", "");
	expect_scan("v=1.0~rc1\nif dpkg --compare-versions \"$v\" lt 1.0; then touch /a; else rm /b; fi\n",
		    "touch");
	expect_scan("[ -n \"$2\" ] && rm /a || touch /b\n[ -z \"$2\" ] || cp a b\n", "touch");
	expect_scan("t=$1\ncase \"$t\" in\n configure) touch /a ;;\n *) rm /b ;;\nesac\n", "touch");
	expect_scan("case \"$1\" in\n  abort-upgrade|\\\n  remove)\n    rm /a ;;\n  \"configure\") touch /b "
		    ";;\nesac\n",
		    "touch");
	expect_scan("f() {\n  true\n}\nv=$(f)\nw=$(g)\n", "g");
	expect_scan("if [ \"configure\" = \"$1\" -a \"x$2\" != \"x\" ]; then rm /a; fi\n", "");
	expect_scan("if [ \"$1\" = install -o \"$1\" = configure ]; then touch /a; fi\n", "touch");
	/* at configure, a path the package ships exists (the scanned package ships /.) */
	expect_scan("if [ ! -e /. ]; then rm /a; fi\nif [ ! -e /nope ]; then touch /b; fi\n", "touch");
	expect_scan("preinst:if [ ! -e /. ]; then rm /a; fi\n", "rm"); /* not unpacked yet */
	expect_scan("preinst:if [ \"$1\" = install ]; then touch /a; else rm /b; fi\n", "touch");
	/* not known: both branches are read */
	expect_scan("if [ -x /usr/bin/x ]; then rm /a; else touch /b; fi\n", "rm, touch");
	expect_scan("if [ -n \"$V\" ]; then rm /a; fi\n", "rm");
	expect_scan("if [ -n \"${2#x}\" ]; then rm /a; fi\n", "rm");
	expect_scan("if [ -n \"${X:-}\" ]; then rm /a; fi\n", "rm");
	/* ${N:-WORD}, $DPKG_ROOT (empty), arithmetic, probes */
	expect_scan("if [ -n \"${2:-}\" ]; then rm /a; fi\nif [ -n \"${2:-x}\" ]; then touch /b; fi\n",
		    "touch");
	expect_scan("if [ \"$DPKG_ROOT\" = \"\" ]; then touch /a; else rm /b; fi\n", "touch");
	expect_scan("n=$(( $(cat /x) + 1 ))\nm=$((1 + $(mkdir /y)))\n", "mkdir");
	expect_scan("perl -e \"\" 2>/dev/null || true\nperl -e 'unlink \"/x\"'\n", "perl");
	expect_scan("if [ -n \"$2\" ] | cat; then rm /a; fi\n", "rm");
	/* a variable set where it may not run, in a function, or by `.` is unknown */
	expect_scan("v=1\nif [ -x /x ]; then v=; fi\nif [ -n \"$v\" ]; then rm /a; fi\n", "rm");
	expect_scan("v=1\nf() {\n  v=\n}\nf\nv=1\nif [ \"$v\" = 1 ]; then touch /a; else rm /b; fi\n",
		    "touch, rm");
	expect_scan("f() {\n  if [ -n \"$2\" ]; then rm /a; fi\n}\nf x y\n", "rm");
	expect_scan("v=1\n. /x\nif [ \"$v\" = 1 ]; then touch /a; else rm /b; fi\n",
		    ". (sources a file), touch, rm");
	expect_scan("v=$2\n. /usr/share/debconf/confmodule\nif [ -n \"$v\" ]; then rm /a; fi\n", "");
	expect_scan("v=1\nwhile read l; do v=; done </x\nif [ -n \"$v\" ]; then rm /a; fi\n", "rm");
	expect_scan("v=1\nfor l in $L; do\n  v=\ndone\nif [ -n \"$v\" ]; then rm /a; fi\n", "rm");
	expect_scan("v=1\ncase \"$1\" in\n  *x*x*x*x*x*) v= ;;\nesac\nif [ -n \"$v\" ]; then rm /a; fi\n",
		    "rm");
	expect_scan("v=1\n( v= )\nif [ -n \"$v\" ]; then rm /a; fi\n", "rm");
	expect_scan("v=\n( v=1 ) && true\nif [ -n \"$v\" ]; then rm /a; else touch /b; fi\n", "rm, touch");
	expect_scan("set -- upgrade 1.0\nif [ -n \"$2\" ]; then rm /a; fi\n", "rm");
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

/* More variables set in functions than the reader follows: then none is
 * known, since any of them may be the one a later call changes. */
START_TEST(test_taint_bound)
{
	struct strbuf sb = STRBUF_INIT;
	struct maint m;
	char *w;

	sb_adds(&sb, "f() {\n");
	for (int i = 0; i < 300; i++)
		sb_addf(&sb, "  v%d=\n", i);
	sb_adds(&sb, "}\nx=1\nf\nif [ -n \"$x\" ]; then touch /a; else rm /b; fi\n");
	w = scan(sb.buf, &m);
	ck_assert_str_eq(w, "touch, rm");
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
	tcase_add_test(tc, test_taint_bound);
	tcase_add_test(tc, test_stanza);
	tcase_add_test(tc, test_license);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
