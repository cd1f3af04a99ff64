/* fmt.h - the canonical layout of .cpol source (`cpolc fmt`).
 *
 * The formatter works on the token stream of the scanner, comments
 * included, so string and number literals are kept byte for byte and every
 * comment stays where it was: own-line comments on their own line at the
 * indentation of the code around them, end-of-line comments at the end of
 * their line after one space. The layout:
 *   - two spaces of indentation per block level; `{` on the line of its
 *     statement, `}` on its own line, `else` and `else if` on the `}` line;
 *   - one statement per line; a statement the author broke over several
 *     lines keeps its line breaks (not before `;`, `,` or `{`): continuation
 *     lines are indented two more spaces, lines inside brackets two more
 *     than the line that opened the bracket, a line starting with the
 *     closing bracket as much as that line;
 *   - single spaces around binary operators (and the `:` of any/all), after
 *     commas and keywords; none inside brackets and parentheses, around `.`,
 *     after unary `!` and `-`, before `(` of a call or parameter list and
 *     before `[` of an index;
 *   - one blank line between top-level declarations, except that adjacent
 *     `import`s (and adjacent `const`s) written without a blank line between
 *     them (comment lines may) stay together; inside blocks at most one blank line where the
 *     author had some, none after `{` or before `}`;
 *   - no trailing spaces, LF line ends, one final newline.
 * Formatting is idempotent and never changes meaning: fmt_source parses its
 * own output and refuses to return it unless the syntax tree (ast_dump) is
 * the same as the input's.
 */
#ifndef CPOLC_FMT_H
#define CPOLC_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* Format the source registered in d as file id `file`. Returns 0 with the
 * formatted text in *out (NUL-terminated, *outlen bytes; the caller frees),
 * or -1 after adding the errors to d: syntax errors in the input (nothing is
 * formatted then), or an internal error if the result would not parse to
 * the same tree. */
int fmt_source(struct diag *d, uint32_t file, char **out, size_t *outlen);

/* A unified diff (3 lines of context) from a to b, with headers
 * `--- a/PATH` and `+++ b/PATH`; an empty string when they are equal.
 * Caller frees. */
char *fmt_diff(const char *path, const char *a, size_t alen, const char *b, size_t blen);

#endif
