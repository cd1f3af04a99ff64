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

#endif
