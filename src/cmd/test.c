/* test.c - cpolc test: run the test blocks of policy modules (ptest.h). */
#include "config.h"

#include "cmd.h"

#include <stdio.h>

#include "ptest.h"

int cmd_test(int argc, char **argv)
{
	static const char *const formats[] = {"text", "tap", "junit", NULL};
	struct diag_opts dopts = DIAG_OPTS_INIT;
	struct strvec catalogs = {0};
	const char *stdlib = NULL, *pattern = NULL;
	int format = 0, coverage = 0;
	const struct opt opts[] = {
		OPT_LIST('C', "catalog", &catalogs, "DIR",
			 "resolve against the catalog DIR, so that decision.selected\n"
			 "holds the resolved set (repeat; earlier catalogs take precedence)"),
		OPT_STRING('k', NULL, &pattern, "PATTERN", "run only the tests whose name contains PATTERN"),
		OPT_CHOICE(0, "format", &format, "F", formats, "report as text, TAP 13 or JUnit XML"),
		OPT_BOOL(0, "coverage", &coverage,
			 "also list every statement of the tested policies\nthat no test reached"),
		OPT_STRING(0, "stdlib", &stdlib, "DIR", "search DIR first for imported modules"),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "test",
		.usage = "test FILE... [-C CATALOG]... [-k PATTERN] [--format text|tap|junit] [--coverage]\n"
			 "     [--stdlib DIR]",
		.about = "Run the test blocks of .cpol files: each decides its policy for its request\n"
			 "and checks its expectations against the decision. The report goes to\n"
			 "stdout, errors to stderr. Exit 0 when every test passed, 1 when a test\n"
			 "failed (an expectation, or the policy on the test's request), 2 on errors\n"
			 "(a file that does not load, a test that cannot run).\n",
		.opts = opts,
	};
	struct ptest_opts po = {0};
	struct ptest_counts counts;
	struct strbuf out = STRBUF_INIT;
	enum ptest_status st;
	struct diag d;
	int n = opt_parse(&c, argc, argv);

	if (n <= 0) {
		strvec_clear(&catalogs);
		return n < 0 ? opt_exit(n) : opt_usage_error(&c, "no file given");
	}
	po.files = (const char *const *)argv;
	po.nfiles = (size_t)n;
	po.pattern = pattern;
	po.format = (enum ptest_format)format;
	po.coverage = coverage;
	po.catalogs = (const char *const *)catalogs.v;
	po.ncatalogs = catalogs.n;
	po.popts.stdlib_dir = stdlib;
	diag_init(&d);
	st = ptest_run(&po, &out, &counts, &d);
	if (out.len)
		fwrite(out.buf, 1, out.len, stdout);
	sb_release(&out);
	strvec_clear(&catalogs);
	return cmd_report(&dopts, &d, (int)st);
}
