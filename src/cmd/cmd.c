/* cmd.c - dispatch, diagnostics output and the decision inputs that the
 * commands share. */
#include "config.h"

#include "cmd.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dynlib.h"

const char *const diag_format_names[] = {"gcc", "json", "sarif", "github", NULL};

static const struct cmd *find(const struct cmd *tbl, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(tbl[i].name, name))
			return &tbl[i];
	return NULL;
}

static void group_help(const char *prefix, const struct cmd *tbl, size_t n, FILE *out)
{
	fprintf(out, "usage: %s COMMAND [ARGS]\n\ncommands:\n", prefix);
	for (size_t i = 0; i < n; i++)
		if (tbl[i].summary)
			fprintf(out, "  %-11s %s\n", tbl[i].name, tbl[i].summary);
	fprintf(out, "\nRun '%s COMMAND --help' for a command's options.\n", prefix);
}

int cmd_dispatch(const char *prefix, const struct cmd *tbl, size_t n, int argc, char **argv)
{
	const struct cmd *c;
	const char *err;

	if (argc < 1) {
		group_help(prefix, tbl, n, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h") || !strcmp(argv[0], "help")) {
		group_help(prefix, tbl, n, stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[0], "--completion-helper")) {
		for (size_t i = 0; i < n; i++)
			if (tbl[i].summary)
				printf("%s\n", tbl[i].name);
		return EXIT_OK;
	}
	c = find(tbl, n, argv[0]);
	if (!c) {
		fprintf(stderr, "%s: '%s' is not a %s command; see '%s --help'\n", prefix, argv[0], prefix,
			prefix);
		return EXIT_USAGE;
	}
	if (dynlib_open(c->libs, &err) < 0) {
		fprintf(stderr, "cpolc: %s\n", err);
		return EXIT_NOLIB;
	}
	return c->fn(argc, argv);
}

int cmd_report_to(const struct diag_opts *o, struct diag *d, FILE *out, int rc)
{
	bool caret = o->caret < 0 ? isatty(STDERR_FILENO) : o->caret;

	fflush(stdout);
	diag_print(d, out, (enum diag_format)o->format, caret ? DIAG_CARET : 0);
	diag_release(d);
	return rc;
}

int cmd_report(const struct diag_opts *o, struct diag *d, int rc)
{
	return cmd_report_to(o, d, stderr, rc);
}

int cmd_parse_policy(const struct opt_cmd *c, int argc, char **argv)
{
	int n = opt_parse(c, argc, argv);

	if (n < 0)
		return opt_exit(n);
	if (n != 1)
		return opt_usage_error(c, n ? "more than one policy given" : "no policy given");
	return -1;
}

int cmd_decide(const struct opt_cmd *c, int argc, char **argv, struct policy_args *pa,
	       const struct diag_opts *dopts, bool need_catalog,
	       enum build_status (*show)(struct build *b, struct diag *d, void *ctx), void *ctx)
{
	struct build_opts bo = {0};
	struct build b;
	struct diag d;
	enum build_status st;
	int rc = cmd_parse_policy(c, argc, argv);

	if (rc < 0 && need_catalog && !pa->catalogs.n)
		rc = opt_usage_error(c, "no catalog given (-C DIR)");
	if (rc >= 0) {
		policy_args_release(pa);
		return rc;
	}
	policy_args_apply(pa, argv[0], &bo);
	diag_init(&d);
	build_init(&b);
	st = build_decide(&b, &bo, &d);
	if (st == BUILD_OK || st == BUILD_DENIED)
		st = show(&b, &d, ctx);
	build_release(&b);
	policy_args_release(pa);
	return cmd_report(dopts, &d, (int)st);
}

void policy_args_release(struct policy_args *pa)
{
	strvec_clear(&pa->defs);
	strvec_clear(&pa->catalogs);
}

void policy_args_apply(const struct policy_args *pa, const char *policy_path, struct build_opts *bo)
{
	bo->policy_path = policy_path;
	bo->policy = pa->policy;
	bo->request = pa->request;
	bo->defs = pa->defs.v;
	bo->ndefs = pa->defs.n;
	bo->catalogs = (const char *const *)pa->catalogs.v;
	bo->ncatalogs = pa->catalogs.n;
	bo->popts.stdlib_dir = pa->stdlib;
}

void cmd_progress_line(void *ctx, uint64_t bytes, uint64_t total, size_t files, size_t nfiles)
{
	*(bool *)ctx = true;
	fprintf(stderr, "\rfetching: %zu/%zu packages, %.1f/%.1f MB", files, nfiles, (double)bytes / 1e6,
		(double)total / 1e6);
	fflush(stderr);
}
