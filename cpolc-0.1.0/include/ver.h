/* ver.h - Debian version strings: parsing, ordering and constraints.
 *
 * Ordering is dpkg's (dpkg --compare-versions): [epoch:]upstream[-revision],
 * with '~' sorting before everything, even the end of the string.
 */
#ifndef CPOLC_VER_H
#define CPOLC_VER_H

#include <stdbool.h>

/* <0, 0 or >0 as a sorts before, equal to, or after b. Total on any input
 * strings (a malformed epoch is treated as part of the upstream version). */
int ver_cmp(const char *a, const char *b);

/* Is v a well-formed Debian version? On failure *why (static text) says why. */
bool ver_valid(const char *v, const char **why);

/* Does version v satisfy "OP constraint"? op is a Debian relation
 * ("<<" "<=" "=" ">=" ">>", and the obsolete "<" ">" meaning <= and >=) or
 * a .cpol comparison ("==" "!=" "<" "<=" ">" ">="); lang selects which set
 * "<" and ">" belong to. Unknown op: false. */
bool ver_satisfies(const char *v, const char *op, const char *constraint, bool lang);

#endif
