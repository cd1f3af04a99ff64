/* module.h - loading a policy and everything it imports.
 *
 * A program is the main module plus every module reachable through imports,
 * each parsed exactly once and checked by sema. The program owns the modules
 * and their trees; source texts are owned by the struct diag they were
 * registered with.
 */
#ifndef CPOLC_MODULE_H
#define CPOLC_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"

struct module {
	char *path;           /* resolved file path, as opened */
	char *name;           /* display name: the import name, or the path */
	uint32_t file;        /* diag file id */
	struct ast *root;     /* AST_MODULE */
	char digest[65];      /* SHA-256 of the source bytes */
	struct module **imports; /* borrowed, in the order of the import statements */
	size_t nimports, capimports;
};

struct program {
	struct module **mods; /* owned; mods[0] is the main module */
	size_t nmods, capmods;
};

struct program_opts {
	const char *stdlib_dir; /* --stdlib DIR, or NULL */
};

void program_init(struct program *p);
void program_release(struct program *p);

/* Parse path and every module it imports, then run semantic analysis.
 * Every error found is added to d. Returns 0 when no error was found. */
int program_load(struct program *p, const char *path, const struct program_opts *opts, struct diag *d);

/* The policies of the main module, in source order. */
size_t program_policies(const struct program *p, struct ast ***out);

#endif
