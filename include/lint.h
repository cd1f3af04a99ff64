/* lint.h - warnings about policies that compile but are probably wrong.
 *
 * Rules (each warning carries its id):
 *   config-override  a config key (user, env NAME, label K, file PATH, ...) set
 *                    twice in one block, fragments expanded; a note points at
 *                    the earlier statement
 *   include-exclude  a primitive both included and excluded in one block
 *   unused-let       a let never read (names starting with '_' are exempt)
 *   unused-const     a const never read, in a module that has policies
 *   unused-import    an import never used
 *   dead-check       a deny/warn whose condition is always false
 *   user-root        a policy that never sets user, or sets it to root
 *   unknown-user     a user or directory owner that names an account or
 *                    group no account/group statement of the policy declares
 *                    (numbers are not checked: lint cannot see the image)
 * With catalogs (lint_catalogs; errors unless said otherwise):
 *   unknown-primitive        include/base of a name no primitive has or
 *                            provides (a warning for exclude)
 *   unsatisfiable-constraint a version constraint no catalog version meets
 *   admit-rejects-all        admit filters that reject every version of an
 *                            included name
 * A comment `# cpolc:ignore RULE[,RULE...]` at the end of a line suppresses
 * these rules' diagnostics on that line; alone on its line, on the next line
 * with code. Errors of the parser and of sema cannot be suppressed.
 * Only the main module of the program is linted: imported modules are
 * libraries and their exports are meant to be used elsewhere.
 */
#ifndef CPOLC_LINT_H
#define CPOLC_LINT_H

#include "diag.h"

struct program;

/* Add the warnings for p's main module to d (p must have been loaded; lint
 * is meaningful when sema found no errors but tolerates them). Returns the
 * number of warnings added. */
int lint_program(const struct program *p, struct diag *d);

struct catset;

/* Check p's main module against the catalogs cs (both borrowed; p loaded
 * without errors). Adds the diagnostics to d and returns their number. */
int lint_catalogs(const struct program *p, const struct catset *cs, struct diag *d);

#endif
