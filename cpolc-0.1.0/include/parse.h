/* parse.h - the flex/bison front end: source text to an AST_MODULE tree.
 *
 * The scanner and the parser are reentrant; one call parses one file. Every
 * lexical and syntax error is added to the diag; the parser recovers at
 * statement boundaries, so the tree returned may contain AST_ERROR nodes and
 * is only meaningful when no error was added.
 */
#ifndef CPOLC_PARSE_H
#define CPOLC_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"

/* Deepest expression or statement nesting accepted; deeper input is an
 * error ("expression nested too deeply") so that no recursive walk over a
 * tree can exhaust the C stack. */
#define PARSE_MAX_DEPTH 1000

/* Largest source file accepted (offsets are 32-bit). */
#define PARSE_MAX_BYTES (256u << 20)

/* Parse text (len bytes, registered in d as file id `file`; borrowed).
 * Returns an AST_MODULE tree, never NULL; the caller frees it with ast_free. */
struct ast *parse_module(struct diag *d, uint32_t file, const char *text, size_t len);

/* One token of a source text: kind is a token number of the generated
 * parser.h (a character for one-character tokens, COMMENT for comments) and
 * [begin, end) its bytes (a string token includes its quotes). */
struct lex_token {
	int kind;
	uint32_t begin, end;
};

/* Scan text (len bytes, file id `file` in d; borrowed) into *out, comments
 * included. Returns the number of tokens; *out is malloc'd (NULL when none)
 * and the caller frees it. Lexical errors are added to d. */
size_t lex_tokens(struct diag *d, uint32_t file, const char *text, size_t len, struct lex_token **out);

#endif
