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

#include "diag.h"
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

static int cmd_lint(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cpolc: lint: not implemented yet\n", stderr);
	return EXIT_USAGE;
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
