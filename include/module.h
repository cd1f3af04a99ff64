/* module.h - loading a policy and everything it imports.
 *
 * A program is the main module plus every module reachable through imports,
 * each parsed exactly once and checked by sema. The program owns the modules
 * and their trees; source texts are owned by the struct diag they were
 * registered with.
 */
#ifndef CPOLC_MODULE_H
#define CPOLC_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"

struct module {
	char *path;		 /* resolved file path, as opened */
	char *name;		 /* display name: the import name, or the path */
	uint32_t file;		 /* diag file id */
	struct ast *root;	 /* AST_MODULE */
	char digest[65];	 /* SHA-256 of the source bytes */
	struct module **imports; /* borrowed, in the order of the import statements
				  * that loaded (each AST_IMPORT's ref is the
				  * imported module's AST_MODULE root, or NULL) */
	size_t nimports, capimports;
	char *real;  /* realpath, to parse every file once */
	int state;   /* loader: 0 new, 1 loading (cycle check), 2 loaded */
	bool stdlib; /* found on the stdlib path; shown as <stdlib>/NAME.cpol */
};

/* The prefix under which stdlib modules appear in locations and locks. */
#define PROGRAM_STDLIB_PREFIX "<stdlib>/"

struct program {
	struct module **mods; /* owned; mods[0] is the main module */
	size_t nmods, capmods;
	struct ast **policies; /* the main module's AST_POLICY nodes, borrowed */
	size_t npolicies, cappolicies;
};

struct program_opts {
	const char *stdlib_dir; /* --stdlib DIR, or NULL */
	bool no_digest;		/* leave module digests empty (lint: saves the hashing) */
};

void program_init(struct program *p);
void program_release(struct program *p);

/* Parse path and every module it imports, then run semantic analysis.
 * Every error found is added to d. Returns 0 when no error was found, -1
 * after errors, and -2 when path itself cannot be read (a missing file, a
 * directory: the caller's "bad input"). Stdlib modules (`import "NAME";`) are
 * searched in opts->stdlib_dir, each directory of $CPOL_PATH, the installed
 * stdlib, then the source tree's stdlib/. Each AST_MODULE root's `mod` and
 * every top-level declaration's `mod` point at their module. */
int program_load(struct program *p, const char *path, const struct program_opts *opts, struct diag *d);

/* May path be read as a policy source: does its name, and that of the file
 * it links to, end in ".cpol"? No other file is read (or quoted under a
 * diagnostic) as a policy. */
bool program_source_name(const char *path);

/* The file of stdlib module NAME on the search path, or NULL. Caller frees. */
char *program_find_stdlib(const struct program_opts *opts, const char *name);

/* The policies of the main module, in source order: *out is borrowed from
 * the program (do not free it). */
size_t program_policies(const struct program *p, struct ast ***out);

#endif
