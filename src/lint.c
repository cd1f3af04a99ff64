/* lint.c - the warnings of `cpolc lint` over a checked program.
 *
 * Each rule is a walk over the main module's tree. Blocks are analysed with
 * the fragments they `use` expanded in place (depth-limited, so a recursive
 * fragment already reported by sema cannot loop here).
 */
#include "config.h"

#include "lint.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "lint_int.h"
#include "module.h"
#include "parse.h"
#include "parser.h"
#include "sema.h"
#include "util.h"

#define EXPAND_DEPTH 64

/* Statements visited through `use` per policy: fragments that use another
 * twice, 60 levels deep, would otherwise take forever to expand. */
#define EXPAND_WORK 50000

static void warn(struct lint *L, struct loc loc, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void warn(struct lint *L, struct loc loc, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lint_vreport(L, DIAG_WARNING, loc, rule, fmt, ap);
	va_end(ap);
}

/* Attach a related location and note to the last queued warning. */
static void note(struct lint *L, struct loc loc, const char *msg)
{
	L->v[L->n - 1].related = loc;
	L->v[L->n - 1].note = xstrdup(msg);
}

void lint_vreport(struct lint *L, enum diag_severity sev, struct loc loc, const char *rule, const char *fmt,
		  va_list ap)
{
	struct lint_pending *w;

	xgrow((void **)&L->v, &L->cap, L->n + 1, sizeof(*L->v));
	w = &L->v[L->n];
	memset(w, 0, sizeof(*w));
	w->sev = sev;
	w->loc = loc;
	w->rule = rule;
	w->seq = L->n++;
	w->msg = xvasprintf(fmt, ap);
}

void lint_report(struct lint *L, enum diag_severity sev, struct loc loc, const char *rule, const char *fmt,
		 ...)
{
	va_list ap;

	va_start(ap, fmt);
	lint_vreport(L, sev, loc, rule, fmt, ap);
	va_end(ap);
}

static int cmp_pending(const void *x, const void *y)
{
	const struct lint_pending *a = x, *b = y;

	if (a->loc.file != b->loc.file)
		return a->loc.file < b->loc.file ? -1 : 1;
	if (a->loc.begin != b->loc.begin)
		return a->loc.begin < b->loc.begin ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* ---- inline suppression: # cpolc:ignore RULE[,RULE...] ------------------ */

static unsigned line_of(struct lint *L, uint32_t off)
{
	unsigned line, col;

	diag_linecol(L->d, L->file, off, &line, &col);
	return line;
}

/* Record the rules named by the comment [s, end) for `line`. */
static void add_suppressions(struct lint *L, const char *s, const char *end, unsigned line)
{
	static const char tag[] = "cpolc:ignore";

	s++; /* '#' */
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if ((size_t)(end - s) <= sizeof(tag) - 1 || memcmp(s, tag, sizeof(tag) - 1) ||
	    (s[sizeof(tag) - 1] != ' ' && s[sizeof(tag) - 1] != '\t'))
		return;
	s += sizeof(tag) - 1;
	for (;;) {
		const char *r;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		for (r = s; s < end && (isalnum((unsigned char)*s) || *s == '-' || *s == '_'); s++)
			;
		if (s == r)
			return;
		xgrow((void **)&L->sup, &L->capsup, L->nsup + 1, sizeof(*L->sup));
		L->sup[L->nsup].line = line;
		L->sup[L->nsup].rule = xstrndup(r, (size_t)(s - r));
		L->nsup++;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s == end || *s != ',')
			return;
		s++;
	}
}

static bool mentions(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);
	const char *end = s + n, *p;

	for (p = s; (size_t)(end - p) >= w && (p = memchr(p, word[0], (size_t)(end - p) - w + 1)); p++)
		if (!memcmp(p, word, w))
			return true;
	return false;
}

/* An ignore comment at the end of a line applies to that line; one alone on
 * its line applies to the next line holding code. */
static void find_suppressions(struct lint *L)
{
	const struct diag_file *f = diag_file(L->d, L->file);
	struct lex_token *t = NULL;
	struct diag scratch;
	size_t n;

	if (!mentions(f->text, f->len, "cpolc:ignore"))
		return; /* the common case: no need to scan the file again */
	diag_init(&scratch);
	n = lex_tokens(&scratch, L->file, f->text, f->len, &t);
	diag_release(&scratch);
	for (size_t i = 0; i < n; i++) {
		bool alone = i == 0 || memchr(f->text + t[i - 1].end, '\n', t[i].begin - t[i - 1].end);
		size_t j = i;
		if (t[i].kind != COMMENT)
			continue;
		if (alone)
			while (j < n && t[j].kind == COMMENT)
				j++;
		if (j < n)
			add_suppressions(L, f->text + t[i].begin, f->text + t[i].end, line_of(L, t[j].begin));
	}
	free(t);
}

static int cmp_sup(const void *a, const void *b)
{
	const struct lint_sup *x = a, *y = b;

	return x->line != y->line ? (x->line > y->line) - (x->line < y->line) : strcmp(x->rule, y->rule);
}

/* Is w suppressed? L->sup is sorted by line: a binary search, where a scan
 * per warning was quadratic in a file of many of both. */
static bool suppressed(struct lint *L, const struct lint_pending *w)
{
	size_t lo = 0, hi = L->nsup;
	unsigned line;

	if (w->loc.file != L->file || !L->nsup)
		return false;
	line = line_of(L, w->loc.begin);
	while (lo < hi) { /* the first suppression at line or after */
		size_t mid = lo + (hi - lo) / 2;
		if (L->sup[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < L->nsup && L->sup[lo].line == line; lo++)
		if (!strcmp(L->sup[lo].rule, w->rule))
			return true;
	return false;
}

void lint_init(struct lint *L, const struct program *p, struct diag *d)
{
	memset(L, 0, sizeof(*L));
	L->d = d;
	L->work = EXPAND_WORK;
	if (p->nmods) {
		L->file = p->mods[0]->file;
		find_suppressions(L);
	}
}

size_t lint_flush(struct lint *L)
{
	size_t count = 0;

	if (L->n)
		qsort(L->v, L->n, sizeof(*L->v), cmp_pending);
	if (L->nsup)
		qsort(L->sup, L->nsup, sizeof(*L->sup), cmp_sup);
	for (size_t i = 0; i < L->n; i++) {
		struct lint_pending *w = &L->v[i];
		if (!suppressed(L, w)) {
			diag_report(L->d, w->sev, w->loc, w->rule, "%s", w->msg);
			if (w->note) {
				diag_set_related(L->d, w->related);
				diag_note(L->d, w->related, "%s", w->note);
			}
			count++;
		}
		free(w->msg);
		free(w->note);
	}
	free(L->v);
	for (size_t i = 0; i < L->nsup; i++)
		free(L->sup[i].rule);
	free(L->sup);
	memset(L, 0, sizeof(*L));
	return count;
}

/* ---- keys set in one block ----------------------------------------------- */

struct kent {
	char *key;
	const struct ast *top;	/* the statement of this block that set it */
	const struct ast *stmt; /* the statement that set it (maybe in a fragment) */
};

struct kset {
	struct kent *v;
	size_t n, cap; /* open addressing; cap a power of two */
};

static uint32_t hash_key(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct kent *kset_slot(struct kset *k, const char *key)
{
	size_t i;

	for (i = hash_key(key) & (k->cap - 1); k->v[i].key; i = (i + 1) & (k->cap - 1))
		if (!strcmp(k->v[i].key, key))
			break;
	return &k->v[i];
}

static struct kent *kset_get(struct kset *k, const char *key)
{
	struct kent *e;

	if (!k->cap)
		return NULL;
	e = kset_slot(k, key);
	return e->key ? e : NULL;
}

/* Find key; when absent insert it (taking key) and return NULL. */
static struct kent *kset_add(struct kset *k, char *key, const struct ast *top, const struct ast *stmt)
{
	struct kent *e;

	if (2 * (k->n + 1) > k->cap) {
		struct kset old = *k;
		k->cap = old.cap ? 2 * old.cap : 16;
		k->v = xcalloc(k->cap, sizeof(*k->v));
		for (size_t i = 0; i < old.cap; i++)
			if (old.v[i].key)
				*kset_slot(k, old.v[i].key) = old.v[i];
		free(old.v);
	}
	e = kset_slot(k, key);
	if (e->key) {
		free(key);
		return e;
	}
	e->key = key;
	e->top = top;
	e->stmt = stmt;
	k->n++;
	return NULL;
}

static void kset_release(struct kset *k)
{
	for (size_t i = 0; i < k->cap; i++)
		free(k->v[i].key);
	free(k->v);
	memset(k, 0, sizeof(*k));
}

/* The config key a statement sets, or NULL. Caller frees. Built with
 * strbuf: xasprintf cost 2,000 instructions a key, 4% of a lint. */
static char *config_key(const struct ast *n)
{
	struct strbuf sb;
	const char *word;

	if (n->kind == AST_PLATFORM)
		return xstrdup("platform");
	if (n->kind == AST_FILE)
		word = "file";
	else if (n->kind != AST_CONFIG || n->op == CFG_EXPOSE || n->op == CFG_VOLUME)
		return NULL;
	else
		word = ast_config_name(n->op);
	sb_init(&sb);
	if (n->kind == AST_FILE || n->str) { /* file 'PATH', label 'KEY' */
		sb_adds(&sb, word);
		sb_adds(&sb, " '");
		sb_adds(&sb, n->str);
	} else { /* 'user' */
		sb_addc(&sb, '\'');
		sb_adds(&sb, word);
	}
	sb_addc(&sb, '\'');
	return sb_detach(&sb, NULL);
}

struct block {
	struct lint *L;
	struct kset config, incl, excl;
	const struct ast *warned_top, *warned_prev; /* one warning per pair of statements */
};

static void note_earlier(struct lint *L, const struct kent *e)
{
	note(L, e->top->loc,
	     e->top == e->stmt ? "the earlier statement is here" : "set earlier through this fragment");
}

static void block_config(struct block *B, const struct ast *top, const struct ast *n)
{
	char *key = config_key(n);
	struct kent *e;

	if (!key)
		return;
	e = kset_add(&B->config, key, top, n);
	if (!e || e->top == top)
		return; /* first time, or both inside one fragment (linted there) */
	if (B->warned_top == top && B->warned_prev == e->top)
		return;
	B->warned_top = top;
	B->warned_prev = e->top;
	warn(B->L, top->loc, "config-override", "%s is set again%s; the earlier value is overridden", e->key,
	     top == n ? "" : " by this fragment");
	note_earlier(B->L, e);
}

static void block_incl(struct block *B, const struct ast *top, const struct ast *n)
{
	bool inc = n->kind == AST_INCLUDE;
	struct kent *e = kset_get(inc ? &B->excl : &B->incl, n->str);

	kset_add(inc ? &B->incl : &B->excl, xstrdup(n->str), top, n);
	if (!e || e->top == top)
		return;
	warn(B->L, top->loc, "include-exclude",
	     "'%s' is both included and excluded in this block (the exclusion wins)", n->str);
	note_earlier(B->L, e);
}

/* Statements of one block, with `use` expanded: top is the statement of the
 * block being analysed that (through fragments) led to n. */
static void block_stmt(struct block *B, const struct ast *top, const struct ast *n, int depth)
{
	if (n->kind == AST_INCLUDE || n->kind == AST_EXCLUDE) {
		block_incl(B, top, n);
	} else if (n->kind == AST_USE && n->ref && depth < EXPAND_DEPTH) {
		for (size_t i = 0; i < n->ref->kids.n && B->L->work-- > 0; i++)
			block_stmt(B, top, n->ref->kids.v[i], depth + 1);
	} else {
		block_config(B, top, n);
	}
}

static void lint_block(struct lint *L, const struct ast_list *l)
{
	struct block B;

	memset(&B, 0, sizeof(B));
	B.L = L;
	for (size_t i = 0; i < l->n; i++) {
		const struct ast *n = l->v[i];
		block_stmt(&B, n, n, 0);
		for (const struct ast *b = n->kind == AST_IF ? n : NULL; b; b = b->b) {
			lint_block(L, &b->kids);
			if (b->kind == AST_BLOCK)
				break;
		}
	}
	kset_release(&B.config);
	kset_release(&B.incl);
	kset_release(&B.excl);
}

/* ---- per-statement rules: unused lets, dead checks ------------------------- */

static void lint_stmts(struct lint *L, const struct ast_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct ast *n = l->v[i];
		struct sema_value v;

		switch (n->kind) {
		case AST_LET:
			if (!n->used && n->str[0] != '_')
				warn(L, n->nameloc, "unused-let", "let '%s' is never used", n->str);
			break;
		case AST_DENY:
		case AST_WARN:
			if (!n->a)
				break;
			sema_fold(n->a, &v);
			if (v.type == SV_BOOL && v.known && !v.i)
				warn(L, n->a->loc, "dead-check",
				     "this %s can never fire: its condition is always false",
				     n->kind == AST_DENY ? "deny" : "warn");
			break;
		case AST_FILE:
			if (n->has_mode && (n->num & 07000))
				warn(L, n->loc, "special-mode",
				     "file '%s' has mode 0o%llo: setuid, setgid or sticky bits", n->str,
				     (unsigned long long)n->num);
			break;
		case AST_DIRECTORY:
			for (size_t k = 0; k < n->kids.n; k++) {
				const struct ast *m = n->kids.v[k]->a;
				if (!strcmp(n->kids.v[k]->str, "mode") && m && m->kind == AST_INT &&
				    (m->num & 07000))
					warn(L, n->loc, "special-mode",
					     "directory '%s' has mode 0o%llo: setuid, setgid or sticky bits",
					     n->str, (unsigned long long)m->num);
			}
			break;
		case AST_IF:
			for (const struct ast *b = n; b; b = b->b) {
				lint_stmts(L, &b->kids);
				if (b->kind == AST_BLOCK)
					break;
			}
			break;
		default:
			break;
		}
	}
}

/* ---- user-root --------------------------------------------------------- */

/* A user statement or directory owner that names an account (a known
 * string whose user part is not a number). */
struct named_user {
	const struct ast *n, *top;
	const char *s; /* the name, len bytes, then ':' GROUP or nothing */
	size_t len;
};

struct users {
	const struct ast *root_stmt; /* a user statement that sets root */
	const struct ast *root_top;
	bool any;
	long work;
	struct named_user *named; /* for unknown-user */
	size_t nnamed, capnamed;
	const struct ast **decls; /* account and group statements */
	size_t ndecls, capdecls;
};

static void add_named(struct users *U, const struct ast *n, const struct ast *top, const char *s, size_t len)
{
	if (!len || (*s >= '0' && *s <= '9') ||
	    (len >= 4 && !memcmp(s, "root", 4) && (len == 4 || s[4] == ':')))
		return;
	xgrow((void **)&U->named, &U->capnamed, U->nnamed + 1, sizeof(*U->named));
	U->named[U->nnamed++] = (struct named_user){n, top, s, len};
}

static void add_decl(struct users *U, const struct ast *n)
{
	xgrow((void **)&U->decls, &U->capdecls, U->ndecls + 1, sizeof(*U->decls));
	U->decls[U->ndecls++] = n;
}

/* The owner attribute of a directory statement, or NULL. */
static const struct ast *owner_of(const struct ast *n)
{
	for (size_t i = 0; i < n->kids.n; i++)
		if (!strcmp(n->kids.v[i]->str, "owner") && n->kids.v[i]->a &&
		    n->kids.v[i]->a->kind == AST_STRING)
			return n->kids.v[i]->a;
	return NULL;
}

static bool is_root_user(const struct sema_value *v)
{
	static const char *const roots[] = {"0", "root"};

	if (v->type != SV_STRING || !v->known)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(roots); i++) {
		size_t n = strlen(roots[i]);
		if (v->len >= n && !memcmp(v->s, roots[i], n) && (v->len == n || v->s[n] == ':'))
			return true;
	}
	return false;
}

static void find_users(struct users *U, const struct ast *top, const struct ast_list *l, int depth)
{
	for (size_t i = 0; i < l->n && U->work-- > 0; i++) {
		const struct ast *n = l->v[i], *t = top ? top : n;
		struct sema_value v;

		if (n->kind == AST_CONFIG && n->op == CFG_USER) {
			U->any = true;
			sema_fold(n->a, &v);
			if (is_root_user(&v) && !U->root_stmt) {
				U->root_stmt = n;
				U->root_top = t;
			}
			if (v.type == SV_STRING && v.known)
				add_named(U, n, t, v.s, v.len);
		} else if (n->kind == AST_ACCOUNT || n->kind == AST_GROUP) {
			add_decl(U, n);
		} else if (n->kind == AST_DIRECTORY && owner_of(n)) {
			add_named(U, n, t, owner_of(n)->str, owner_of(n)->len);
		} else if (n->kind == AST_FROM) {
			U->any = true; /* the user comes from the from image */
		} else if (n->kind == AST_USE && n->ref && depth < EXPAND_DEPTH) {
			find_users(U, t, &n->ref->kids, depth + 1);
		} else if (n->kind == AST_IF) {
			for (const struct ast *b = n; b; b = b->b) {
				find_users(U, top, &b->kids, depth);
				if (b->kind == AST_BLOCK)
					break;
			}
		}
	}
}

static bool declared(const struct users *U, enum ast_kind kind, const char *s, size_t len)
{
	for (size_t i = 0; i < U->ndecls; i++)
		if ((U->decls[i]->kind == kind || kind == AST_GROUP) && U->decls[i]->len == len &&
		    !memcmp(U->decls[i]->str, s, len))
			return true; /* an account's name names its group too */
	return false;
}

/* unknown-user: a user or owner that names an account (or group) that no
 * statement of the policy declares. Lint sees only the policy: a primitive's
 * /etc/passwd may have it, so the message says what the build will do. */
static void lint_named(struct lint *L, const struct users *U)
{
	for (size_t i = 0; i < U->nnamed; i++) {
		const struct named_user *u = &U->named[i];
		const char *colon = memchr(u->s, ':', u->len);
		size_t ulen = colon ? (size_t)(colon - u->s) : u->len;
		bool user_ok = (*u->s >= '0' && *u->s <= '9') || declared(U, AST_ACCOUNT, u->s, ulen);
		bool group_ok = !colon || (colon[1] >= '0' && colon[1] <= '9') ||
				declared(U, AST_GROUP, colon + 1, u->len - ulen - 1);
		if (user_ok && group_ok)
			continue;
		warn(L, u->top->loc, "unknown-user",
		     "%s '%.*s' names %s '%.*s' that no %s statement of the policy declares: the build fails "
		     "unless a primitive's %s has it",
		     u->n->kind == AST_DIRECTORY ? "the owner" : "the user", (int)u->len, u->s,
		     user_ok ? "the group" : "the account", user_ok ? (int)(u->len - ulen - 1) : (int)ulen,
		     user_ok ? colon + 1 : u->s, user_ok ? "group" : "account",
		     user_ok ? "/etc/group" : "/etc/passwd");
	}
}

static void lint_user(struct lint *L, const struct ast *policy)
{
	struct users U = {NULL, NULL, false, EXPAND_WORK, NULL, 0, 0, NULL, 0, 0};

	find_users(&U, NULL, &policy->kids, 0);
	lint_named(L, &U);
	free(U.named);
	free(U.decls);
	if (!U.any)
		warn(L, policy->nameloc, "user-root",
		     "policy '%s' never sets 'user', so the image runs as root (add 'use security.nonroot;')",
		     policy->str);
	else if (U.root_stmt)
		warn(L, U.root_top->loc, "user-root", "policy '%s' runs the image as root%s", policy->str,
		     U.root_top == U.root_stmt ? "" : " (through this fragment)");
}

/* ---- module level ------------------------------------------------------ */

int lint_program(const struct program *p, struct diag *d)
{
	struct lint L;
	const struct ast *root;
	bool has_policy = false;

	if (!p->nmods)
		return 0;
	lint_init(&L, p, d);
	root = p->mods[0]->root;
	for (size_t i = 0; i < root->kids.n; i++)
		has_policy |= root->kids.v[i]->kind == AST_POLICY;
	for (size_t i = 0; i < root->kids.n; i++) {
		const struct ast *n = root->kids.v[i];
		switch (n->kind) {
		case AST_IMPORT:
			if (!n->used && n->ref)
				warn(&L, n->loc, "unused-import", "module '%s' is imported but never used",
				     n->alias ? n->alias : n->str);
			break;
		case AST_CONST:
			if (!n->used && has_policy && n->str[0] != '_')
				warn(&L, n->nameloc, "unused-const", "const '%s' is never used", n->str);
			break;
		case AST_FRAGMENT:
		case AST_POLICY:
			lint_stmts(&L, &n->kids);
			L.work = EXPAND_WORK;
			lint_block(&L, &n->kids);
			if (n->kind == AST_POLICY)
				lint_user(&L, n);
			break;
		default:
			break;
		}
	}
	return (int)lint_flush(&L);
}
