/* lint.c - cpolc lint: check policies and report errors and warnings. */
#include "config.h"

#include "cmd.h"

#include <stdio.h>

#include "cat.h"
#include "lint.h"
#include "module.h"

struct lint_args {
	struct diag_opts dopts;
	int format; /* --format, the older spelling of --diag-format; -1 unset */
	int werror;
	const char *stdlib;
	struct strvec catalogs;
};

/* Lint one file into d. Returns -1 when it could not be read, else 0. */
static int lint_file(const char *path, const struct program_opts *popts, struct catset *cs, struct diag *d)
{
	struct program p;
	int r;

	program_init(&p);
	r = program_load(&p, path, popts, d);
	if (r == 0) { /* warnings only once a file has no errors */
		lint_program(&p, d);
		if (cs)
			lint_catalogs(&p, cs, d);
	}
	program_release(&p);
	return r == -2 ? -1 : 0;
}

int cmd_lint(int argc, char **argv)
{
	struct lint_args a = {.dopts = DIAG_OPTS_INIT, .format = -1};
	const struct opt opts[] = {
		OPT_STRING(0, "stdlib", &a.stdlib, "DIR", "search DIR first for imported modules"),
		OPT_LIST('C', "catalog", &a.catalogs, "DIR",
			 "also check against the catalog DIR: unknown primitives,\n"
			 "version constraints no version meets, admit filters\n"
			 "that reject every version of an included name (repeat)"),
		OPT_BOOL_F(0, "Werror", &a.werror, "treat warnings as errors for the exit status",
			   OPT_DASH | OPT_NONEG),
		OPT_DIAG(&a.dopts),
		OPT_CHOICE(0, "format", &a.format, "F", diag_format_names, "the same as --diag-format"),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "lint",
		.usage = "lint FILE... [-C CATALOG]... [--stdlib DIR] [-Werror] [--diag-format "
			 "gcc|json|sarif|github]",
		.about = "Check .cpol policies: syntax, names, imports, types that are known\n"
			 "statically, and warnings about likely mistakes. Exit 0 when no error was\n"
			 "found, 1 on errors (or warnings with -Werror), 2 on bad usage or an\n"
			 "unreadable file. Warnings are reported for files without errors.\n"
			 "gcc diagnostics go to stderr, the other formats to stdout.\n",
		.more = "A comment '# cpolc:ignore RULE[,RULE...]' at the end of a line, or alone on\n"
			"the line before, suppresses those lint rules' diagnostics on that line.\n",
		.opts = opts,
	};
	struct program_opts popts = {.no_digest = true};
	bool unreadable = false;
	struct catset cs = {0};
	struct diag d;
	int n = opt_parse(&c, argc, argv), rc;

	if (n <= 0) {
		strvec_clear(&a.catalogs);
		return n < 0 ? opt_exit(n) : opt_usage_error(&c, "no file given");
	}
	if (a.format >= 0)
		a.dopts.format = a.format;
	popts.stdlib_dir = a.stdlib;
	diag_init(&d);
	if (a.catalogs.n && catset_open(&cs, (const char **)a.catalogs.v, a.catalogs.n, &d) < 0)
		unreadable = true, n = 0; /* a bad catalog is bad input */
	for (int i = 0; i < n; i++)
		if (lint_file(argv[i], &popts, a.catalogs.n ? &cs : NULL, &d) < 0)
			unreadable = true;
	if (a.catalogs.n)
		catset_release(&cs);
	strvec_clear(&a.catalogs);
	rc = unreadable ? EXIT_USAGE : d.nerrors || (a.werror && d.nwarnings) ? EXIT_DENY : EXIT_OK;
	return cmd_report_to(&a.dopts, &d, a.dopts.format == DIAG_FMT_GCC ? stderr : stdout, rc);
}
