/* depfile.h - make(1) rules naming the files a build read (cpolc build -M).
 *
 * A path is written so that GNU make reads back exactly that file name, or
 * refused: make has no quoting for some characters, and a newline or tab
 * in a rule would let a file name inject recipe lines into the Makefile
 * that includes the rule. The rules, as tested against GNU make 4.3
 * (tests/depfile.sh):
 *   escaped:  space -> "\ ", '#' -> "\#", ':' -> "\:", '*' '?' '[' -> "\*"
 *             "\?" "\[" (else make globs), '$' -> "$$", and '%' -> "\%" in
 *             a target (else the rule is a pattern rule; a prerequisite's
 *             '%' is literal, and "\%" there would not be unescaped);
 *   refused:  control characters (newline, tab, CR, ...),
 *             '=' (a variable assignment), ';' (a recipe on the rule line),
 *             '|' (order-only prerequisites), '\' (its meaning depends on
 *             what follows), a trailing space, a leading '~' (a home
 *             directory), "NAME(MEMBER)" (an archive member), the empty
 *             path, make's special targets (".PHONY", ".IGNORE", ... with
 *             any leading "./", which make strips) and directive words
 *             ("define", "include", ...).
 * Every other byte, UTF-8 included, is written as it is.
 */
#ifndef CPOLC_DEPFILE_H
#define CPOLC_DEPFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "util.h"

/* Append path to sb as make reads it as a target (target) or as a
 * prerequisite. false (sb unchanged) with a reason in *why when make
 * cannot name that file. */
bool depfile_quote(struct strbuf *sb, const char *path, bool target, const char **why);

/* The rule "TARGET: DEP..." and an empty rule per prerequisite (so that a
 * deleted one does not stop make), the prerequisites sorted and each named
 * once. deps are borrowed. NULL, with an error naming the path in d (file
 * depfile, rule "depfile"), when a path cannot be written; else the text
 * (caller frees). */
char *depfile_rule(const char *depfile, const char *target, char *const *deps, size_t ndeps, struct diag *d);

#endif
