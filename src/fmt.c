/* fmt.c - the canonical layout of .cpol source, and a unified line diff.
 *
 * A printer over the token stream (lex_tokens, comments included): each
 * token is copied byte for byte from the source, and only the white space
 * between tokens is decided here, from the token kinds, the block and
 * bracket nesting and whether the author broke the line there. The rules are
 * listed in include/fmt.h. Since output tokens are the input tokens, the
 * result parses to the same tree as long as no two tokens are glued into
 * one; fmt_source checks that by parsing its output.
 */
#include "config.h"

#include "fmt.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "parse.h"
#include "parser.h"
#include "util.h"

#define INDENT	     2
#define DIFF_CONTEXT 3
/* Largest LCS table of the diff (cells); beyond it the changed middle of
 * the files is shown as one replacement. */
#define DIFF_MAX_CELLS (4u << 20)

struct bracket {
	int closer;		/* ')' or ']' ('}' of a record literal is kept as ')') */
	bool record;		/* a record literal's braces */
	unsigned contents;	/* indentation of lines inside */
	unsigned closer_indent; /* indentation of a line starting with the closer */
};

struct fmt {
	const char *text;
	struct strbuf out;
	unsigned depth; /* block nesting */
	struct bracket *br;
	size_t nbr, capbr;
	unsigned line_indent; /* indentation of the current output line */
	bool line_empty;      /* only indentation on the current output line */
	bool in_stmt;	      /* inside a statement or declaration */
	bool need_nl;	      /* a comment ended the line */
	bool decl_ended;      /* top level: a declaration just ended */
	int decl_kw;	      /* keyword that began the current top-level declaration */
	int last_decl_kw;     /* ... and the one that began the previous one */
	int prev;	      /* last token emitted, comments included (0: none) */
	int prev_code;	      /* last non-comment token emitted */
	bool prev_field;      /* prev_code is a field name (after '.') */
	bool prev_unary;      /* prev_code is a unary operator */
	unsigned nquant;      /* any/all whose ':' has not come yet */
	int next_code;	      /* for a comment: the next code token, when only
			       * comments without blank lines separate them */
};

/* ---- spacing ------------------------------------------------------------- */

/* Does the last code token end an operand (so '-' after it is binary, '['
 * indexes and '(' calls)? */
static bool operand_end(const struct fmt *F)
{
	switch (F->prev_code) {
	case IDENT:
	case STRING:
	case INT:
	case TRUE:
	case FALSE:
	case NULL_KW:
	case INPUT:
	case SELECTED:
	case ')':
	case ']':
		return true;
	default:
		return F->prev_field;
	}
}

/* One space between the last token and `kind` on the same line? */
static bool need_space(const struct fmt *F, int kind)
{
	int p = F->prev_code;

	if (F->line_empty || p == '(' || p == '[' || p == '.' || F->prev_unary)
		return false;
	switch (kind) {
	case ')':
	case ']':
	case ',':
	case ';':
	case '.':
		return false;
	case '(':
		return !(p == IDENT || F->prev_field);
	case '[':
		return !operand_end(F);
	case ':': /* any x in l : body; but "key": value, name: type */
		return F->nquant > 0;
	case '?': /* name: type?; */
		return false;
	default:
		return true;
	}
}

/* ---- line breaks --------------------------------------------------------- */

static unsigned indent_for(const struct fmt *F, int kind)
{
	if (F->nbr) {
		const struct bracket *b = &F->br[F->nbr - 1];
		return kind == b->closer ? b->closer_indent : b->contents;
	}
	if (kind == '}')
		return F->depth ? INDENT * (F->depth - 1) : 0;
	return INDENT * F->depth + (F->in_stmt ? INDENT : 0);
}

/* Blank lines before a token that starts a line; nl is the number of line
 * ends the author had before it. */
static unsigned blank_lines(const struct fmt *F, int kind, unsigned nl)
{
	unsigned blanks = nl > 1 ? 1 : 0;

	if (kind == '}' || F->prev == '{' || F->in_stmt || F->nbr)
		return 0;
	if (F->depth == 0 && F->decl_ended) {
		if (kind == COMMENT)
			kind = F->next_code;
		bool grouped = (kind == IMPORT || kind == CONST) && kind == F->last_decl_kw;
		return grouped && nl <= 1 ? 0 : 1;
	}
	return blanks;
}

static void start_line(struct fmt *F, int kind, unsigned nl)
{
	if (F->out.len) {
		unsigned blanks = blank_lines(F, kind, nl);
		sb_addc(&F->out, '\n');
		while (blanks--)
			sb_addc(&F->out, '\n');
	}
	F->line_indent = indent_for(F, kind);
	F->line_empty = true;
	F->need_nl = false;
}

/* Should a code token start a new line? */
static bool breaks_before(const struct fmt *F, int kind, unsigned nl)
{
	if (!F->out.len)
		return false;
	if (F->need_nl || kind == '}')
		return true;
	if (!F->in_stmt)
		return !(kind == ELSE && F->prev_code == '}');
	if (kind == ';' || kind == ',' || kind == '{' || F->prev_code == ELSE)
		return false;
	return nl > 0;
}

/* ---- emitting ------------------------------------------------------------ */

static void put_indent(struct fmt *F)
{
	if (!F->line_empty)
		return;
	for (unsigned i = 0; i < F->line_indent; i++)
		sb_addc(&F->out, ' ');
}

static void emit_comment(struct fmt *F, const struct lex_token *t, unsigned nl)
{
	uint32_t end = t->end;

	while (end > t->begin &&
	       (F->text[end - 1] == ' ' || F->text[end - 1] == '\t' || F->text[end - 1] == '\r'))
		end--;
	if (nl == 0 && F->out.len && !F->line_empty) {
		sb_addc(&F->out, ' '); /* an end-of-line comment */
	} else {
		start_line(F, COMMENT, nl);
		put_indent(F);
		F->decl_ended = false;
	}
	sb_add(&F->out, F->text + t->begin, end - t->begin);
	F->line_empty = false;
	F->need_nl = true;
	F->prev = COMMENT;
}

/* Track nesting and statement boundaries after a code token. */
static void after_code(struct fmt *F, int kind)
{
	if (kind == '(' || kind == '[') {
		xgrow((void **)&F->br, &F->capbr, F->nbr + 1, sizeof(*F->br));
		F->br[F->nbr].closer = kind == '(' ? ')' : ']';
		F->br[F->nbr].record = false;
		F->br[F->nbr].contents = F->line_indent + INDENT;
		F->br[F->nbr].closer_indent = F->line_indent;
		F->nbr++;
	} else if ((kind == ')' || kind == ']') && F->nbr) {
		F->nbr--;
	}
	if (kind == '{') {
		F->depth++;
		F->in_stmt = false;
	} else if (kind == '}' || (kind == ';' && !F->nbr)) {
		F->in_stmt = false;
		if (F->depth == 0) {
			F->decl_ended = true;
			F->last_decl_kw = F->decl_kw;
		}
	} else if (!F->in_stmt) {
		F->in_stmt = true;
		if (F->depth == 0) {
			F->decl_kw = kind;
			F->decl_ended = false;
		}
	}
}

static void emit_code(struct fmt *F, const struct lex_token *t, unsigned nl)
{
	int kind = t->kind;
	bool unary = (kind == '-' && !operand_end(F)) || kind == '!';
	/* a brace where an operand goes opens a record literal, laid out as
	 * a parenthesis; a block's brace follows an operand or 'else' */
	bool rec_open = kind == '{' && F->in_stmt && !operand_end(F) && F->prev_code != ELSE;

	if (rec_open)
		kind = '(';
	else if (kind == '}' && F->nbr && F->br[F->nbr - 1].record)
		kind = ')';

	if (breaks_before(F, kind, nl))
		start_line(F, kind, nl);
	else if (F->out.len && need_space(F, kind))
		sb_addc(&F->out, ' ');
	if (kind == '}' && F->depth)
		F->depth--;
	put_indent(F);
	if (kind == NOTIN)
		sb_adds(&F->out, "not in");
	else
		sb_add(&F->out, F->text + t->begin, t->end - t->begin);
	F->line_empty = false;
	F->prev_field = F->prev_code == '.';
	F->prev_unary = unary;
	if (kind == ANY || kind == ALL)
		F->nquant++;
	else if (kind == ':' && F->nquant)
		F->nquant--;
	after_code(F, kind);
	if (rec_open)
		F->br[F->nbr - 1].record = true;
	F->prev = kind;
	F->prev_code = kind;
}

static unsigned newlines(const char *text, uint32_t from, uint32_t to)
{
	unsigned n = 0;

	for (uint32_t i = from; i < to; i++)
		n += text[i] == '\n';
	return n;
}

/* The kind of the first code token after comment i when no blank line
 * separates them (a comment block written right above an import is grouped
 * with it), else 0. */
static int next_code(const char *text, const struct lex_token *t, size_t n, size_t i)
{
	for (size_t j = i + 1; j < n; j++) {
		if (newlines(text, t[j - 1].end, t[j].begin) > 1)
			return 0;
		if (t[j].kind != COMMENT)
			return t[j].kind;
	}
	return 0;
}

static char *layout(const char *text, const struct lex_token *t, size_t n, size_t *outlen)
{
	struct fmt F;

	memset(&F, 0, sizeof(F));
	F.text = text;
	sb_init(&F.out);
	for (size_t i = 0; i < n; i++) {
		unsigned nl = newlines(text, i ? t[i - 1].end : 0, t[i].begin);
		if (t[i].kind == COMMENT) {
			F.next_code = next_code(text, t, n, i);
			emit_comment(&F, &t[i], nl);
		} else
			emit_code(&F, &t[i], nl);
	}
	if (F.out.len)
		sb_addc(&F.out, '\n');
	free(F.br);
	return sb_detach(&F.out, outlen);
}

/* The tree of text as a string, or NULL (with the errors in d) when it does
 * not parse. */
static char *tree_of(struct diag *d, uint32_t file, const char *text, size_t len)
{
	size_t before = d->nerrors;
	struct ast *root = parse_module(d, file, text, len);
	char *dump = d->nerrors == before ? ast_dump(root) : NULL;

	ast_free(root);
	return dump;
}

int fmt_source(struct diag *d, uint32_t file, char **out, size_t *outlen)
{
	const struct diag_file *f = diag_file(d, file);
	struct lex_token *toks = NULL;
	char *want, *got = NULL, *res;
	struct diag check;
	size_t n, len;
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	want = tree_of(d, file, f->text, f->len);
	if (!want)
		return -1;
	n = lex_tokens(d, file, f->text, f->len, &toks);
	res = layout(f->text, toks, n, &len);
	diag_init(&check);
	got = tree_of(&check, diag_add_file(&check, f->path, xstrndup(res, len), len), res, len);
	if (got && !strcmp(got, want)) {
		*out = res;
		*outlen = len;
		res = NULL;
		rc = 0;
	} else {
		diag_error(d, (struct loc){file, 0, 0}, "internal",
			   "formatting would change the meaning of this file; left as it is");
	}
	diag_release(&check);
	free(res);
	free(got);
	free(want);
	free(toks);
	return rc;
}

/* ---- unified diff ------------------------------------------------------- */

struct line {
	const char *s;
	size_t len; /* with the '\n', when there is one */
};

static struct line *split_lines(const char *s, size_t len, size_t *n)
{
	struct line *v = NULL;
	size_t cap = 0, i = 0;

	*n = 0;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (s + i)) + 1 : len - i;
		xgrow((void **)&v, &cap, *n + 1, sizeof(*v));
		v[*n].s = s + i;
		v[*n].len = l;
		(*n)++;
		i += l;
	}
	return v;
}

static bool line_eq(const struct line *a, const struct line *b)
{
	return a->len == b->len && !memcmp(a->s, b->s, a->len);
}

struct op {
	char type;     /* ' ', '-' or '+' */
	size_t ai, bi; /* line indices in a and b before this op */
};

/* The edit script between the middles a[p, p+na) and b[p, p+nb): LCS by
 * dynamic programming, or delete-then-insert when too large. */
static void diff_middle(const struct line *a, const struct line *b, size_t p, size_t na, size_t nb,
			struct op **ops, size_t *nops, size_t *cap)
{
	uint32_t *dp = NULL;
	size_t i = 0, j = 0, w = nb + 1;

	if (na && nb && (na + 1) * w <= DIFF_MAX_CELLS) {
		dp = xcalloc((na + 1) * w, sizeof(*dp));
		for (size_t x = na; x-- > 0;)
			for (size_t y = nb; y-- > 0;)
				dp[x * w + y] = line_eq(&a[p + x], &b[p + y]) ? dp[(x + 1) * w + y + 1] + 1
						: dp[(x + 1) * w + y] >= dp[x * w + y + 1]
							? dp[(x + 1) * w + y]
							: dp[x * w + y + 1];
	}
	while (i < na || j < nb) {
		char t;
		if (dp && i < na && j < nb && line_eq(&a[p + i], &b[p + j]))
			t = ' ';
		else if (i < na && (j == nb || !dp || dp[(i + 1) * w + j] >= dp[i * w + j + 1]))
			t = '-';
		else
			t = '+';
		xgrow((void **)ops, cap, *nops + 1, sizeof(**ops));
		(*ops)[(*nops)++] = (struct op){t, p + i, p + j};
		i += t != '+';
		j += t != '-';
	}
	free(dp);
}

static void range(struct strbuf *sb, char sign, size_t start, size_t count)
{
	sb_addf(sb, " %c%zu", sign, count ? start + 1 : start);
	if (count != 1)
		sb_addf(sb, ",%zu", count);
}

static void put_line(struct strbuf *sb, char type, const struct line *l)
{
	sb_addc(sb, type);
	sb_add(sb, l->s, l->len);
	if (!l->len || l->s[l->len - 1] != '\n')
		sb_adds(sb, "\n\\ No newline at end of file\n");
}

static void hunk(struct strbuf *sb, const struct op *ops, size_t from, size_t to, const struct line *a,
		 const struct line *b)
{
	size_t na = 0, nb = 0;

	for (size_t k = from; k < to; k++) {
		na += ops[k].type != '+';
		nb += ops[k].type != '-';
	}
	sb_adds(sb, "@@");
	range(sb, '-', ops[from].ai, na);
	range(sb, '+', ops[from].bi, nb);
	sb_adds(sb, " @@\n");
	for (size_t k = from; k < to; k++)
		put_line(sb, ops[k].type, ops[k].type == '+' ? &b[ops[k].bi] : &a[ops[k].ai]);
}

char *fmt_diff(const char *path, const char *a, size_t alen, const char *b, size_t blen)
{
	struct strbuf sb = STRBUF_INIT;
	size_t na, nb, p = 0, s = 0, nops = 0, cap = 0, i = 0;
	struct line *la = split_lines(a, alen, &na), *lb = split_lines(b, blen, &nb);
	struct op *ops = NULL;

	while (p < na && p < nb && line_eq(&la[p], &lb[p]))
		p++;
	while (s < na - p && s < nb - p && line_eq(&la[na - 1 - s], &lb[nb - 1 - s]))
		s++;
	for (size_t k = 0; k < p; k++) {
		xgrow((void **)&ops, &cap, nops + 1, sizeof(*ops));
		ops[nops++] = (struct op){' ', k, k};
	}
	diff_middle(la, lb, p, na - p - s, nb - p - s, &ops, &nops, &cap);
	for (size_t k = 0; k < s; k++) {
		xgrow((void **)&ops, &cap, nops + 1, sizeof(*ops));
		ops[nops++] = (struct op){' ', na - s + k, nb - s + k};
	}
	if (p < na || p < nb)
		sb_addf(&sb, "--- a/%s\n+++ b/%s\n", path, path);
	while (i < nops) {
		size_t start, end, j;
		if (ops[i].type == ' ') {
			i++;
			continue;
		}
		start = i > DIFF_CONTEXT ? i - DIFF_CONTEXT : 0;
		end = i;
		for (j = i; j < nops;) {
			size_t run = 0;
			if (ops[j].type != ' ') {
				end = j++;
				continue;
			}
			while (j + run < nops && ops[j + run].type == ' ')
				run++;
			if (j + run == nops || run > 2 * DIFF_CONTEXT)
				break;
			j += run;
		}
		end = end + 1 + DIFF_CONTEXT < nops ? end + 1 + DIFF_CONTEXT : nops;
		hunk(&sb, ops, start, end, la, lb);
		i = end;
	}
	free(ops);
	free(la);
	free(lb);
	return sb_detach(&sb, NULL);
}
