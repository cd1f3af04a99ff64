/* cmd.h - what the command files under src/cmd/ share.
 *
 * Each command of cpolc lives in its own file here, as cmd_NAME(argc, argv)
 * with its option table, help text and output; src/main.c dispatches to it
 * from a table. Commands parse options with opt.h, report through a struct
 * diag that cmd_report prints, and alone choose the exit status (below).
 */
#ifndef CPOLC_CMD_H
#define CPOLC_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "build.h"
#include "diag.h"
#include "opt.h"
#include "registry.h"
#include "util.h"

/* The exit status of every command (doc/cpolc.1, EXIT STATUS). */
enum {
	EXIT_OK = 0,
	EXIT_DENY = 1,	   /* a deny held; lint found errors */
	EXIT_USAGE = 2,	   /* bad invocation or bad input */
	EXIT_RESOLVE = 3,  /* resolution failed */
	EXIT_MISMATCH = 4, /* lock or verification mismatch */
	EXIT_REGISTRY = 5, /* the registry refused, or could not be reached */
	EXIT_NOLIB = 127,  /* a library could not be loaded, as the dynamic loader exits */
};

/* A command, or a subcommand of a command group. */
struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the command's name */
	unsigned libs;			  /* DYNLIB_* it opens before running */
	const char *summary;		  /* one line for the group's help */
};

/* Run the command of tbl named argv[0] (argv[1] for a group: prefix is
 * "cpolc catalog"), after opening the libraries it needs. Prints the
 * group's help for --help, or an error for an unknown name. */
int cmd_dispatch(const char *prefix, const struct cmd *tbl, size_t n, int argc, char **argv);

/* How diagnostics are printed: --diag-format and --[no-]caret. */
struct diag_opts {
	int format; /* enum diag_format */
	int caret;  /* -1: when stderr is a terminal */
};
#define DIAG_OPTS_INIT                                                                                       \
	{                                                                                                    \
		DIAG_FMT_GCC, -1                                                                             \
	}
extern const char *const diag_format_names[]; /* indexed by enum diag_format */
#define OPT_DIAG(o)                                                                                          \
	OPT_GROUP("diagnostics:"),                                                                           \
		OPT_CHOICE(0, "diag-format", &(o)->format, "F", diag_format_names,                           \
			   "print diagnostics as F: gcc (FILE:LINE:COL: error: ...),\n"                      \
			   "JSON, a SARIF 2.1.0 log or GitHub annotations"),                                 \
		OPT_BOOL(0, "caret", &(o)->caret,                                                            \
			 "show the source line and a caret under each\n"                                     \
			 "diagnostic (default: when stderr is a terminal)")

/* Print d's diagnostics to stderr as o says, after flushing stdout, and
 * release d. Passes rc through. */
int cmd_report(const struct diag_opts *o, struct diag *d, int rc);
/* The same to out. */
int cmd_report_to(const struct diag_opts *o, struct diag *d, FILE *out, int rc);

/* The inputs of a decision: the policy (the first operand) and the options
 * eval, graph and build share. */
struct policy_args {
	const char *request, *policy, *stdlib;
	struct strvec defs, catalogs;
};
#define OPT_POLICY_MODULE(pa)                                                                                \
	OPT_STRING(0, "policy", &(pa)->policy, "NAME", "the policy to use when the file holds several"),     \
		OPT_STRING(0, "stdlib", &(pa)->stdlib, "DIR", "search DIR first for imported modules")
#define OPT_POLICY_INPUTS(pa)                                                                                \
	OPT_STRING('r', "request", &(pa)->request, "FILE",                                                   \
		   "the request, a JSON object ('-': standard input)"),                                      \
		OPT_LIST('D', "define", &(pa)->defs, "K=V",                                                  \
			 "set request key K (dots nest) to the string V;\n"                                  \
			 "K:=JSON sets it to a JSON value (repeat)"),                                        \
		OPT_LIST('C', "catalog", &(pa)->catalogs, "DIR",                                             \
			 "resolve against the catalog DIR (repeat;\n"                                        \
			 "earlier catalogs take precedence)"),                                               \
		OPT_POLICY_MODULE(pa)

/* Parse argv for a command whose one operand is the policy (or module).
 * Returns -1 to go on, with the policy in argv[0]; else the exit status
 * (help printed, or a usage error reported). */
int cmd_parse_policy(const struct opt_cmd *c, int argc, char **argv);

/* A command that shows a decision (eval, graph): parse argv against c (whose
 * table holds OPT_POLICY_INPUTS(pa) and OPT_DIAG(dopts)), decide, and when
 * the decision is complete (allowed or denied) call show, whose status is
 * the command's; report; release pa. need_catalog: -C is required.
 * Returns the exit status. */
int cmd_decide(const struct opt_cmd *c, int argc, char **argv, struct policy_args *pa,
	       const struct diag_opts *dopts, bool need_catalog,
	       enum build_status (*show)(struct build *b, struct diag *d, void *ctx), void *ctx);

void policy_args_release(struct policy_args *pa);
/* Fill the decision inputs of bo from pa and the policy path (borrowed). */
void policy_args_apply(const struct policy_args *pa, const char *policy_path, struct build_opts *bo);

/* A progress callback for downloads (cat_fetch_opts, build_opts): one
 * line on stderr, rewritten; ctx is a bool set once something was shown,
 * so that the caller ends the line. Use it when stderr is a terminal. */
void cmd_progress_line(void *ctx, uint64_t bytes, uint64_t total, size_t files, size_t nfiles);

/* How to push to a registry: push's options, and build's with --push. */
struct push_args {
	const char *creds, *authfile, *ca_file, *cert_dir;
	int tls_verify; /* 0: true, 1: false (the index of its CHOICE) */
	uint64_t chunk_size;
	long long jobs;
	struct strvec mount_from;
	int no_referrers;
};
extern const char *const tls_verify_names[];
#define OPT_PUSH(pa)                                                                                         \
	OPT_STRING(0, "creds", &(pa)->creds, "USER:PASSWORD",                                                \
		   "authenticate with these credentials (default:\nfrom the auth files, see cpolc(1))"),     \
		OPT_STRING(0, "authfile", &(pa)->authfile, "FILE",                                           \
			   "read credentials from FILE (default: the\nstandard auth files)"),                \
		OPT_CHOICE(0, "tls-verify", &(pa)->tls_verify, "BOOL", tls_verify_names,                     \
			   "check the registry's TLS certificate (default true);\n"                          \
			   "false also allows plain http"),                                                  \
		OPT_STRING(0, "ca-file", &(pa)->ca_file, "FILE",                                             \
			   "trust the CAs in FILE instead of the system's"),                                 \
		OPT_STRING(0, "cert-dir", &(pa)->cert_dir, "DIR",                                            \
			   "trust the CAs of DIR/*.crt instead of the system's;\n"                           \
			   "DIR/NAME.cert and NAME.key: a client certificate"),                              \
		OPT_SIZE(0, "chunk-size", &(pa)->chunk_size, "SIZE",                                         \
			 "upload blobs larger than SIZE in chunks of SIZE\n(default 64M)"),                  \
		OPT_INT(0, "jobs", &(pa)->jobs, "N", 1, REGISTRY_JOBS_MAX,                                   \
			"upload up to N blobs at once (default 4)"),                                         \
		OPT_LIST(0, "mount-from", &(pa)->mount_from, "REPO",                                         \
			 "mount missing blobs from the repository REPO of\nthe same registry (repeat)"),     \
		OPT_BOOL_F(0, "no-referrers", &(pa)->no_referrers,                                           \
			   "push the image alone, without its referrers\n(the SBOM)", OPT_NONEG)

/* Push the image tagged tag (NULL: the only one) of the layout to dest as
 * pa says, printing "REF DIGEST N blobs pushed, M skipped[, K referrers]" to stdout and a
 * progress line to stderr when it is a terminal. Returns the exit status;
 * errors in d. */
int cmd_push_image(const struct push_args *pa, const char *layout, const char *tag,
		   const struct registry_ref *dest, struct diag *d);
void push_args_release(struct push_args *pa);

/* The commands. */
int cmd_build(int argc, char **argv);
int cmd_cache(int argc, char **argv);
int cmd_catalog(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_verify(int argc, char **argv);

/* The subcommands of catalog (catalog.c dispatches). */
int cmd_catalog_add(int argc, char **argv);
int cmd_catalog_import_deb(int argc, char **argv);
int cmd_catalog_import_apt(int argc, char **argv);
int cmd_catalog_fetch(int argc, char **argv);
int cmd_catalog_import_scan(int argc, char **argv);
int cmd_catalog_resolve(int argc, char **argv);

#endif
