/* main.c - the cpolc command line: dispatches to the command files under
 * src/cmd/, one per command (see src/cmd/cmd.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "dynlib.h"

#define ARC  DYNLIB_ARCHIVE
#define CRY  DYNLIB_CRYPTO
#define CURL DYNLIB_CURL
/* libs: what a command needs of libarchive, libcrypto and libcurl, opened before it
 * runs so that a missing library stops it before it writes (catalog opens
 * per subcommand) */
static const struct cmd commands[] = {
	{"build", cmd_build, ARC | CRY, "compose an OCI image from a policy, a request and catalogs"},
	{"eval", cmd_eval, CRY, "print a policy's decision for a request"},
	{"lint", cmd_lint, 0, "check policies and report errors and warnings"},
	{"test", cmd_test, CRY, "run the test blocks of policies"},
	{"fmt", cmd_fmt, 0, "rewrite policies in the canonical layout"},
	{"compile", cmd_compile, CRY, "compile a policy to a .cpolb bytecode module"},
	{"disasm", cmd_disasm, 0, "print a .cpolb module or a policy's bytecode"},
	{"graph", cmd_graph, CRY, "print the dependency graph of a decision"},
	{"explain", cmd_explain, CRY, "say why a primitive is in a policy's image or not"},
	{"verify", cmd_verify, ARC | CRY, "check an image against its lock file"},
	{"diff", cmd_diff, 0, "list what changed between two lock files"},
	{"push", cmd_push, CRY | CURL, "copy an image of an OCI layout to a registry"},
	{"serve", cmd_serve, ARC | CRY | DYNLIB_SERVE,
	 "serve a registry that composes images when they are pulled"},
	{"cache", cmd_cache, 0, "list and prune the layer cache"},
	{"catalog", cmd_catalog, 0, "create, fill and inspect primitive catalogs"},
};
#undef ARC
#undef CRY
#undef CURL

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("cpolc %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	return cmd_dispatch("cpolc", commands, ARRAY_SIZE(commands), argc - 1, argv + 1);
}
