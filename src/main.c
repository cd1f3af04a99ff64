/* main.c - the cpolc command line: parses arguments, drives the library,
 * prints results and diagnostics, and alone chooses the exit status.
 *
 * Exit codes (DESIGN.md): 0 success, 1 the policy said no or lint found
 * errors, 2 bad invocation or input, 3 resolution failed, 4 lock or
 * verification mismatch.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <stdbool.h>

#include "diag.h"
#include "lint.h"
#include "module.h"
#include "util.h"

enum { EXIT_OK = 0, EXIT_DENY = 1, EXIT_USAGE = 2, EXIT_RESOLVE = 3, EXIT_MISMATCH = 4 };

static const char usage_text[] =
	"usage: cpolc COMMAND [ARGS]\n"
	"\n"
	"commands:\n"
	"  build     compose an OCI image from a policy, a request and catalogs\n"
	"  eval      print a policy's decision for a request\n"
	"  lint      check policies and report errors and warnings\n"
	"  compile   compile a policy to a .cpolb bytecode module\n"
	"  disasm    print a .cpolb module or a policy's bytecode\n"
	"  graph     print the dependency graph of a decision\n"
	"  verify    check an image against its lock file\n"
	"  cache     inspect and prune the layer cache\n"
	"  catalog   create, fill and inspect primitive catalogs\n"
	"\n"
	"Run 'cpolc COMMAND --help' for a command's options.\n";



/* ======================================================================
 * lint (front end)
 * ====================================================================== */

static const char lint_usage[] =
	"usage: cpolc lint FILE... [--stdlib DIR] [--caret] [-Werror] [--format gcc|json|github|sarif]\n"
	"\n"
	"Check .cpol policies: syntax, names, imports, types that are known\n"
	"statically, and warnings about likely mistakes. Exit 0 when no error was\n"
	"found, 1 on errors (or warnings with -Werror), 2 on bad usage or an\n"
	"unreadable file. Warnings are reported for files without errors.\n"
	"\n"
	"  --stdlib DIR   search DIR first for `import \"NAME\";` modules\n"
	"  --caret        show the source line and a caret under each diagnostic\n"
	"                 (the default when stderr is a terminal; --no-caret to turn off)\n"
	"  -Werror        treat warnings as errors for the exit status\n"
	"  --format F     gcc (default, on stderr), json, github or sarif (stdout)\n"
	"  -C CATALOG     accepted for compatibility; catalog checks are not done yet\n";

static int parse_diag_format(const char *s, enum diag_format *out)
{
	static const struct {
		const char *name;
		enum diag_format fmt;
	} fmts[] = { { "gcc", DIAG_FMT_GCC }, { "json", DIAG_FMT_JSON }, { "github", DIAG_FMT_GITHUB },
		     { "sarif", DIAG_FMT_SARIF } };

	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
		if (!strcmp(s, fmts[i].name)) {
			*out = fmts[i].fmt;
			return 0;
		}
	}
	return -1;
}

/* A minimal SARIF 2.1.0 log of the diagnostics. */
static void print_sarif(struct diag *d, FILE *out)
{
	json_t *results = json_array(), *run, *log;

	for (size_t i = 0; i < d->nentries; i++) {
		const struct diag_entry *e = &d->entries[i];
		json_t *r = json_object(), *msg = json_object();
		unsigned line = 0, col = 0;

		json_object_set_new(r, "ruleId", json_string(e->rule ? e->rule : "cpolc"));
		json_object_set_new(r, "level", json_string(e->sev == DIAG_ERROR	  ? "error" :
							    e->sev == DIAG_WARNING ? "warning" :
										     "note"));
		json_object_set_new(msg, "text", json_string(e->message));
		json_object_set_new(r, "message", msg);
		if (e->loc.file) {
			diag_linecol(d, e->loc.file, e->loc.begin, &line, &col);
			json_object_set_new(r, "locations",
					    json_pack("[{s:{s:{s:s},s:{s:i,s:i}}}]", "physicalLocation",
						      "artifactLocation", "uri", diag_file(d, e->loc.file)->path,
						      "region", "startLine", (int)line, "startColumn", (int)col));
		}
		json_array_append_new(results, r);
	}
	run = json_pack("{s:{s:{s:s,s:s}},s:o}", "tool", "driver", "name", "cpolc", "version", PACKAGE_VERSION,
			"results", results);
	log = json_pack("{s:s,s:s,s:[o]}", "$schema", "https://json.schemastore.org/sarif-2.1.0.json",
			"version", "2.1.0", "runs", run);
	json_dumpf(log, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(log);
}

static int cmd_lint(int argc, char **argv)
{
	struct program_opts opts = { .stdlib_dir = NULL, .no_digest = true };
	enum diag_format fmt = DIAG_FMT_GCC;
	bool caret = isatty(STDERR_FILENO), werror = false, unreadable = false;
	const char **files = xcalloc((size_t)argc, sizeof(*files));
	size_t nfiles = 0;
	struct diag d;
	int rc = EXIT_OK;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(lint_usage, stdout);
			free(files);
			return EXIT_OK;
		} else if (!strcmp(a, "--caret")) {
			caret = true;
		} else if (!strcmp(a, "--no-caret")) {
			caret = false;
		} else if (!strcmp(a, "-Werror")) {
			werror = true;
		} else if (!strncmp(a, "--stdlib=", 9)) {
			opts.stdlib_dir = a + 9;
		} else if (!strncmp(a, "--format=", 9) && parse_diag_format(a + 9, &fmt) == 0) {
			continue;
		} else if ((!strcmp(a, "--stdlib") || !strcmp(a, "--format") || !strcmp(a, "-C")) && i + 1 < argc) {
			const char *v = argv[++i];
			if (!strcmp(a, "--stdlib")) {
				opts.stdlib_dir = v;
			} else if (!strcmp(a, "--format") && parse_diag_format(v, &fmt) < 0) {
				fprintf(stderr, "cpolc: lint: unknown format '%s' (gcc, json, github or sarif)\n", v);
				free(files);
				return EXIT_USAGE;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "cpolc: lint: unknown or incomplete option '%s'\n%s", a, lint_usage);
			free(files);
			return EXIT_USAGE;
		} else {
			files[nfiles++] = a;
		}
	}
	if (!nfiles) {
		fputs(lint_usage, stderr);
		free(files);
		return EXIT_USAGE;
	}
	diag_init(&d);
	for (size_t i = 0; i < nfiles; i++) {
		struct program p;
		int r;

		program_init(&p);
		r = program_load(&p, files[i], &opts, &d);
		if (r == -2)
			unreadable = true;
		else if (r == 0)
			lint_program(&p, &d); /* warnings only once a file has no errors */
		program_release(&p);
	}
	if (fmt == DIAG_FMT_SARIF)
		print_sarif(&d, stdout);
	else
		diag_print(&d, fmt == DIAG_FMT_GCC ? stderr : stdout, fmt, caret ? DIAG_CARET : 0);
	if (unreadable)
		rc = EXIT_USAGE;
	else if (d.nerrors || (werror && d.nwarnings))
		rc = EXIT_DENY;
	diag_release(&d);
	free(files);
	return rc;
}

/* ======================================================================
 * eval, compile, disasm (compiler and VM)
 * ====================================================================== */

static int cmd_eval(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cpolc: eval: not implemented yet\n", stderr);
	return EXIT_USAGE;
}

static int cmd_compile(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cpolc: compile: not implemented yet\n", stderr);
	return EXIT_USAGE;
}

static int cmd_disasm(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cpolc: disasm: not implemented yet\n", stderr);
	return EXIT_USAGE;
}

/* ======================================================================
 * catalog, graph (catalog and resolver)
 * ====================================================================== */

static int cmd_catalog(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cpolc: catalog: not implemented yet\n", stderr);
	return EXIT_USAGE;
}

static int cmd_graph(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cpolc: graph: not implemented yet\n", stderr);
	return EXIT_USAGE;
}

/* ======================================================================
 * build, verify (composer)
 * ====================================================================== */

static int cmd_build(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cpolc: build: not implemented yet\n", stderr);
	return EXIT_USAGE;
}

static int cmd_verify(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cpolc: verify: not implemented yet\n", stderr);
	return EXIT_USAGE;
}

/* ====================================================================== */

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "build", cmd_build },	    { "catalog", cmd_catalog }, { "compile", cmd_compile },
	{ "disasm", cmd_disasm },   { "eval", cmd_eval },	{ "graph", cmd_graph },
	{ "lint", cmd_lint },	    { "verify", cmd_verify },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("cpolc %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "cpolc: '%s' is not a cpolc command; see 'cpolc --help'\n", argv[1]);
	return EXIT_USAGE;
}
