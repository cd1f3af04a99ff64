/* maint.c - the maintainer scripts read, never run (include/maint.h): the
 * classifier, update-alternatives, system accounts and the warnings. */
#include "config.h"

#include "maint.h"

#include "accounts.h"
#include "ver.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* Bounds on one script: what is read of it, and the words of a command. */
#define SCRIPT_MAX   (1024 * 1024)
#define WORDS_MAX    4096
#define CASE_DEPTH   32
#define NOTES_MAX    32 /* the commands a warning names, then "..." */
#define NOTE_LEN_MAX 128
#define ALTS_MAX     1024 /* update-alternatives entries of the selected set */
#define STARS_MAX    4	  /* of a case pattern: more, and it is taken to match */
#define IF_DEPTH     32
#define VARS_MAX     256  /* variables whose value is known */
#define VALUE_MAX    4096 /* a longer value is not known */
#define TEST_MAX     64	  /* words of a [ ] that is evaluated */
#define NAME_CHARS   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789"

struct maint_alt {
	char *pkg, *link, *name, *path;
	long prio;
	size_t master; /* a --slave: 1 + the index of its master; 0 a master */
};

void maint_init(struct maint *m)
{
	memset(m, 0, sizeof(*m));
}

void maint_release(struct maint *m)
{
	for (size_t i = 0; i < m->naccounts; i++) {
		struct maint_account *a = &m->accounts[i];
		free(a->pkg), free(a->name), free(a->group), free(a->home), free(a->shell);
	}
	for (size_t i = 0; i < m->nwarnings; i++)
		free(m->warnings[i].pkg), free(m->warnings[i].commands);
	for (size_t i = 0; i < m->nalts; i++)
		free(m->alts[i].pkg), free(m->alts[i].link), free(m->alts[i].name), free(m->alts[i].path);
	free(m->accounts);
	free(m->warnings);
	free(m->alts);
	free(m->files);
	strvec_clear(&m->strs);
	memset(m, 0, sizeof(*m));
}

/* ---- classifying ----------------------------------------------------------- */

static const char *const moot[] = {
	/* shell structure and builtins that test or set variables */
	"[", "[[", "test", "true", "false", ":", "echo", "printf", "exit", "return", "set", "shift", "local",
	"export", "readonly", "unset", "command", "which", "type", "wait", "break", "continue", "cd", "trap",
	"getent", "dpkg-query", "fi", "then", "else", "elif", "do", "done", "esac", "{", "}", ";;", "for",
	"case", "read", "sleep", "eval_gettext", "gettext",
	/* commands that only read, when they write no file (redirections are
	 * checked apart, and sed -i is not this) */
	"grep", "egrep", "fgrep", "cut", "tr", "uname", "readlink", "realpath", "ischroot", "basename",
	"dirname", "head", "tail", "sort", "uniq", "cat", "wc", "expr", "seq", "id", "stat", "ls", "awk",
	"mawk", "gawk", "env", "pidof", "logger", "dpkg-architecture",
	/* services: there is no init system in an image */
	"deb-systemd-helper", "deb-systemd-invoke", "invoke-rc.d", "update-rc.d", "systemctl", "service",
	"telinit", "initctl", "busctl", "start-stop-daemon", "systemd",
	/* upgrades, caches, triggers */
	"dpkg-maintscript-helper", "ldconfig", "dpkg-trigger"};

static const char *base(const char *w)
{
	const char *s = strrchr(w, '/');

	return s ? s + 1 : w;
}

static bool is_assignment(const char *w)
{
	const char *eq = strchr(w, '=');

	if (!eq || eq == w)
		return false;
	for (const char *p = w; p < eq; p++)
		if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (p > w && *p >= '0' && *p <= '9')))
			return false;
	return true;
}

static bool has_opt(char *const *w, size_t n, const char *a, const char *b)
{
	for (size_t i = 1; i < n; i++)
		if (!strcmp(w[i], a) || (b && !strcmp(w[i], b)))
			return true;
	return false;
}

/* Past the words that lead into a command: assignments and keywords. */
static size_t lead(char *const *w, size_t n)
{
	static const char *const kw[] = {"!", "if", "then", "else", "elif", "do", "while", "until", "{"};
	size_t i = 0;

	for (; i < n; i++) {
		bool k = is_assignment(w[i]);
		for (size_t j = 0; j < ARRAY_SIZE(kw) && !k; j++)
			k = !strcmp(w[i], kw[j]);
		if (!k)
			break;
	}
	return i;
}

enum maint_class maint_classify(char *const *w, size_t n)
{
	const char *c;
	size_t skip = lead(w, n);

	w += skip;
	n -= skip;
	if (!n)
		return MAINT_MOOT;
	c = base(w[0]);
	for (size_t i = 0; i < ARRAY_SIZE(moot); i++)
		if (!strcmp(c, moot[i]))
			return MAINT_MOOT;
	if (!strcmp(c, "dpkg") && (has_opt(w, n, "--compare-versions", "--print-architecture") ||
				   has_opt(w, n, "--print-foreign-architectures", "--assert-multi-arch") ||
				   has_opt(w, n, "-s", "--status") || has_opt(w, n, "-l", "--list") ||
				   has_opt(w, n, "-L", "--listfiles") || has_opt(w, n, "-S", "--search")))
		return MAINT_MOOT; /* questions only */
	if ((!strcmp(c, "dpkg-divert") || !strcmp(c, "dpkg-statoverride")) && has_opt(w, n, "--list", NULL))
		return MAINT_MOOT;
	/* debconf's questions: their answers are the defaults; what a script
	 * does with them is read as any other command */
	if (!strncmp(c, "db_", 3) || ((!strcmp(c, ".") || !strcmp(c, "source")) && n == 2 &&
				      !strcmp(w[1], "/usr/share/debconf/confmodule")))
		return MAINT_MOOT;
	if (!strcmp(c, "sed") && !has_opt(w, n, "-i", "--in-place"))
		return MAINT_MOOT;
	if ((!strcmp(c, "perl") || !strncmp(c, "python", 6)) && n == 3 &&
	    (!strcmp(w[1], "-e") || !strcmp(w[1], "-c")) && !*w[2])
		return MAINT_MOOT; /* is it there? an empty program */
	if (!strcmp(c, "update-alternatives"))
		return has_opt(w, n, "--install", NULL) ? MAINT_REPRODUCED
		       : has_opt(w, n, "--remove", "--remove-all") || has_opt(w, n, "--query", "--display")
			       ? MAINT_MOOT
			       : MAINT_NOT_REPRODUCED;
	if (!strcmp(c, "adduser") || !strcmp(c, "addgroup"))
		return has_opt(w, n, "--system", NULL) ? MAINT_REPRODUCED : MAINT_NOT_REPRODUCED;
	if (!strcmp(c, "useradd") || !strcmp(c, "groupadd"))
		return has_opt(w, n, "-r", "--system") ? MAINT_REPRODUCED : MAINT_NOT_REPRODUCED;
	if (!strcmp(c, "update-ca-certificates"))
		return MAINT_REPRODUCED;
	return MAINT_NOT_REPRODUCED;
}

/* ---- what the selected set holds ---------------------------------------------- */

/* Every path the selected packages list (dpkg's info/NAME.list), sorted. */
struct held {
	const char **v;
	size_t n, cap;
};

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void held_make(struct held *h, json_t *const *info, size_t n)
{
	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < n; i++) {
		size_t k;
		json_t *f;
		json_array_foreach(json_object_get(info[i], "files"), k, f)
		{
			if (!json_is_string(f))
				continue;
			xgrow((void **)&h->v, &h->cap, h->n + 1, sizeof(*h->v));
			h->v[h->n++] = json_string_value(f);
		}
	}
	if (h->n)
		qsort(h->v, h->n, sizeof(*h->v), cmp_cstr);
}

static bool holds(const struct held *h, const char *path)
{
	return h->n && bsearch(&path, h->v, h->n, sizeof(*h->v), cmp_cstr);
}

/* ---- reading a script ------------------------------------------------------ */

/* The words of the script being read, one simple command at a time. */
struct reader {
	struct maint *m;
	const struct cat_prim *p;
	const char *arg; /* "install" (preinst) or "configure" (postinst) */
	const struct held *held;
	struct strvec words;
	struct strbuf word, notes; /* notes: the commands not reproduced */
	bool in_word;
	/* `case WORD in`: per level, whether WORD's value is known (then a
	 * branch runs when it matches that value) */
	struct case_state {
		bool known, active, in_branch;
		bool matched; /* an earlier branch matched: no later one runs */
		bool sure;    /* this branch certainly runs: its pattern matched */
		char *value;
	} cases[CASE_DEPTH];
	int ncases, skipped; /* skipped: nested deeper than CASE_DEPTH */
	/* `if`: per level, the part being read (a condition or a branch) */
	struct if_state {
		bool in_cond;	   /* reading the condition of if or elif */
		bool active;	   /* that part may run ... */
		bool certain;	   /* ... or certainly runs */
		bool taken, maybe; /* an earlier branch certainly, or possibly, ran */
	} ifs[IF_DEPTH];
	int nifs, ifskipped;
	/* `a && b`, `a || b`: how the last command joins the next, its value */
	int chain, chain_val, last_val;
	int sep; /* the separator that ends the command being read */
	/* the known variables (names[i] = values[i]); tainted ones never are */
	struct strvec names, values, tainted;
	bool args_unknown;	    /* `set --` changed $1 and $2 */
	bool taint_all;		    /* more tainted names than VARS_MAX */
	int brace;		    /* depth of { } */
	int loops, parens;	    /* depth of do ... done, of ( ) subshells */
	int in_func;		    /* in a function body: 1 + the depth it opened at; else 0 */
	bool func_next;		    /* a function is defined: its body opens at the next { */
	struct strvec funcs;	    /* the functions the script defines: calls are moot */
	const struct reader *outer; /* of a command substitution: its script's */
};

enum { SEP_SEQ, SEP_AND, SEP_OR, SEP_PIPE };
/* Kleene logic: what a condition is known to be */
enum { C_NO, C_YES, C_MAYBE };

static void reader_release(struct reader *r)
{
	for (int i = 0; i < r->ncases; i++)
		free(r->cases[i].value);
	sb_release(&r->notes);
	sb_release(&r->word);
	strvec_clear(&r->words);
	strvec_clear(&r->funcs);
	strvec_clear(&r->names);
	strvec_clear(&r->values);
	strvec_clear(&r->tainted);
}

static bool active(const struct reader *r)
{
	for (int i = 0; i < r->ncases; i++)
		if (r->cases[i].known && r->cases[i].in_branch && !r->cases[i].active)
			return false;
	for (int i = 0; i < r->nifs; i++)
		if (!r->ifs[i].active)
			return false;
	return true;
}

/* Does the part being read certainly run (when it is reached at all)? */
static bool certain(const struct reader *r)
{
	for (int i = 0; i < r->ncases; i++)
		if (r->cases[i].in_branch && !r->cases[i].sure)
			return false;
	for (int i = 0; i < r->nifs; i++)
		if (!r->ifs[i].certain)
			return false;
	/* a loop body may run no time, a subshell's variables stay there */
	return !r->skipped && !r->ifskipped && !r->in_func && !r->loops && !r->parens;
}

/* Add what to the list sb ("a, b"), unless it is there. */
static void notes_add(struct strbuf *sb, const char *what)
{
	size_t n = strlen(what), count = 0;

	for (const char *p = sb->buf; p && *p; count++) {
		size_t k = strcspn(p, ",");
		if ((k == n && !strncmp(p, what, n)) || !strcmp(p, "..."))
			return;
		p += k;
		p += strspn(p, ", ");
	}
	if (sb->len)
		sb_adds(sb, ", ");
	/* a bounded list: a hostile script's thousands of names cost no more */
	sb_adds(sb, count < NOTES_MAX && n <= NOTE_LEN_MAX ? what : "...");
}

static void note(struct reader *r, const char *what)
{
	notes_add(&r->notes, what);
}

/* Add each of the list text ("a, b") to sb. */
static void notes_merge(struct strbuf *sb, const char *text)
{
	for (const char *p = text; *p;) {
		size_t k = strcspn(p, ",");
		char *one = xstrndup(p, k);
		notes_add(sb, one);
		free(one);
		p += k;
		p += strspn(p, ", ");
	}
}

static void do_command(struct reader *r, char *const *w, size_t n);
static size_t strip_redirections(char *const *w, size_t n, char **v);

/* ---- values and conditions ---------------------------------------------------
 *
 * A branch a first install never takes is not read: the reader knows $1
 * (install or configure), that $2 (the version being upgraded from) is
 * empty, and the variables a certainly run assignment gives a known value.
 * It evaluates `[`/`test` on those, dpkg --compare-versions, true and
 * false, `!`, && and ||; anything else may go either way, and then both
 * branches are read (conservative: a command is dropped only when it
 * certainly does not run). */

static int not3(int v)
{
	return v == C_MAYBE ? C_MAYBE : v == C_YES ? C_NO : C_YES;
}

static int and3(int a, int b)
{
	return a == C_NO || b == C_NO ? C_NO : a == C_YES && b == C_YES ? C_YES : C_MAYBE;
}

static int or3(int a, int b)
{
	return not3(and3(not3(a), not3(b)));
}

static int var_index(const struct strvec *v, const char *name, size_t len)
{
	for (size_t i = 0; i < v->n; i++)
		if (strlen(v->v[i]) == len && !strncmp(v->v[i], name, len))
			return (int)i;
	return -1;
}

/* The value of $NAME ($1, $2, a variable) into out, or false. */
static bool lookup(const struct reader *r, const char *name, size_t len, struct strbuf *out)
{
	int i;

	if (r->outer && (r->args_unknown || r->in_func || r->taint_all ||
			 var_index(&r->tainted, name, len) >= 0 || var_index(&r->names, name, len) >= 0))
		return false; /* a substitution's own variables: not followed */
	if (r->outer)
		return lookup(r->outer, name, len, out);
	if (len == 1 && (*name == '1' || *name == '2')) {
		if (r->args_unknown || r->in_func) /* a function's $1 is its own */
			return false;
		sb_adds(out, *name == '1' ? r->arg : "");
		return true;
	}
	if (len == 9 && !strncmp(name, "DPKG_ROOT", 9) && var_index(&r->names, name, len) < 0 &&
	    !r->taint_all && var_index(&r->tainted, name, len) < 0)
		return true; /* dpkg sets it, empty for an install into / */
	if (r->taint_all || var_index(&r->tainted, name, len) >= 0 ||
	    (i = var_index(&r->names, name, len)) < 0)
		return false;
	sb_adds(out, r->values.v[i]);
	return true;
}

/* The value of word w (quotes already gone) when it is known: literal
 * text, $1, $2, $NAME, ${NAME} and ${NAME:-WORD} of known variables; no
 * glob, no substitution, no other ${...}. Bounded by VALUE_MAX. */
static bool value_of(const struct reader *r, const char *w, struct strbuf *out)
{
	sb_reset(out);
	for (const char *p = w; *p; p++) {
		size_t len, mark = out->len;
		const char *name, *alt = NULL;
		if (out->len > VALUE_MAX || strchr("*?`", *p) || (*p == '~' && p == w))
			return false; /* a glob, a substitution, ~ expanded (1.0~rc1 is not) */
		if (*p != '$') {
			sb_addc(out, *p);
			continue;
		}
		name = ++p;
		if (*p == '{') { /* ${NAME}, or ${NAME:-WORD} with a literal WORD */
			name = ++p;
			len = strspn(p, NAME_CHARS);
			if (p[len] == ':' && p[len + 1] == '-') {
				alt = p + len + 2;
				p = alt + strcspn(alt, "}$`\\");
			} else {
				p += len;
			}
			if (*p != '}' || !len)
				return false; /* ${#N}, ${N%x}, ${N:=x}, ... */
		} else if (*p >= '0' && *p <= '9') {
			len = 1;
		} else {
			len = strspn(p, NAME_CHARS);
			if (!len || (*p >= '0' && *p <= '9'))
				return false; /* $(, $@, $#, $?, a lone $ */
			p += len - 1;
		}
		if (!lookup(r, name, len, out))
			return false;
		if (alt && out->len == mark)
			sb_add(out, alt, (size_t)(p - alt));
	}
	return out->len <= VALUE_MAX;
}

/* [ ARGS ] / test ARGS with the operands the reader knows. */
static int test_eval(const struct reader *r, char *const *a, size_t n)
{
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	int v = C_MAYBE;

	if (n > TEST_MAX)
		return C_MAYBE;			      /* splitting at -a and -o costs n * n */
	for (int pass = 0; n > 3 && pass < 2; pass++) /* -o binds looser than -a */
		for (size_t i = 1; i + 1 < n; i++)
			if (!strcmp(a[i], pass ? "-a" : "-o")) {
				int lv = test_eval(r, a, i), rv = test_eval(r, a + i + 1, n - i - 1);
				return pass ? and3(lv, rv) : or3(lv, rv);
			}
	if (n && !strcmp(a[0], "!"))
		return not3(test_eval(r, a + 1, n - 1));
	if (n == 0)
		v = C_NO;
	else if (n == 2 && !strcmp(a[0], "-e") && value_of(r, a[1], &x) && x.buf && holds(r->held, x.buf))
		v = C_YES; /* a path a selected package ships is there */
	else if (n == 1 && value_of(r, a[0], &x))
		v = x.len ? C_YES : C_NO;
	else if (n == 2 && (!strcmp(a[0], "-n") || !strcmp(a[0], "-z")) && value_of(r, a[1], &x))
		v = (x.len > 0) == (a[0][1] == 'n') ? C_YES : C_NO;
	else if (n == 3 && (!strcmp(a[1], "=") || !strcmp(a[1], "==") || !strcmp(a[1], "!=")) &&
		 value_of(r, a[0], &x) && value_of(r, a[2], &y))
		v = (x.len == y.len && !memcmp(x.buf ? x.buf : "", y.buf ? y.buf : "", x.len)) ==
				    (a[1][0] != '!')
			    ? C_YES
			    : C_NO;
	sb_release(&x);
	sb_release(&y);
	return v;
}

/* dpkg --compare-versions A OP B: an empty version is earlier than any
 * (OP-nl: later), as dpkg(1) says. */
static int compare_versions(const struct reader *r, char *const *w)
{
	static const struct {
		const char *op;
		int lo, hi; /* the comparison's sign must be in [lo, hi] */
		bool nl;
	} ops[] = {{"lt", -1, -1, false}, {"<<", -1, -1, false},   {"le", -1, 0, false},
		   {"<=", -1, 0, false},  {"<", -1, 0, false},	   {"eq", 0, 0, false},
		   {"=", 0, 0, false},	  {"ne", -1, 1, false},	   {"ge", 0, 1, false},
		   {">=", 0, 1, false},	  {">", 0, 1, false},	   {"gt", 1, 1, false},
		   {">>", 1, 1, false},	  {"lt-nl", -1, -1, true}, {"le-nl", -1, 0, true},
		   {"ge-nl", 0, 1, true}, {"gt-nl", 1, 1, true}};
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int v = C_MAYBE;

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		int c;
		if (strcmp(w[1], ops[i].op) || !value_of(r, w[0], &a) || !value_of(r, w[2], &b))
			continue;
		if (!a.len || !b.len)
			c = a.len == b.len ? 0 : (!a.len) != ops[i].nl ? -1 : 1;
		else
			c = ver_cmp(a.buf, b.buf);
		c = c < 0 ? -1 : c > 0;
		v = ops[i].lo <= c && c <= ops[i].hi && (strcmp(w[1], "ne") || c) ? C_YES : C_NO;
		break;
	}
	sb_release(&a);
	sb_release(&b);
	return v;
}

/* The exit status of a simple command, as far as it is known. */
static int cond_eval(const struct reader *r, char *const *all, size_t nall)
{
	char **w = xcalloc(nall + 1, sizeof(*w));
	size_t n = strip_redirections(all, nall, w), i = 0;
	bool neg = false;
	int v = C_MAYBE;

	for (; i < n && !strcmp(w[i], "!"); i++)
		neg = !neg;
	if (i < n) {
		const char *c = base(w[i]);
		size_t k = n - i;
		if (!strcmp(c, "true") || !strcmp(c, ":"))
			v = C_YES;
		else if (!strcmp(c, "false"))
			v = C_NO;
		else if (!strcmp(c, "test"))
			v = test_eval(r, w + i + 1, k - 1);
		else if ((!strcmp(c, "[") && !strcmp(w[n - 1], "]")) ||
			 (!strcmp(c, "[[") && !strcmp(w[n - 1], "]]")))
			v = test_eval(r, w + i + 1, k - 2);
		else if (!strcmp(c, "dpkg") && k == 5 && !strcmp(w[i + 1], "--compare-versions"))
			v = compare_versions(r, w + i + 2);
	}
	free(w);
	return neg ? not3(v) : v;
}

/* ---- variables ---------------------------------------------------------------- */

/* NAME's value is unknown from now on; in a function body, for good (the
 * function may run anywhere later). */
static void var_forget(struct reader *r, const char *name, size_t len)
{
	int i = var_index(&r->names, name, len);

	if (i >= 0) {
		free(r->names.v[i]);
		free(r->values.v[i]);
		r->names.v[i] = r->names.v[r->names.n - 1];
		r->values.v[i] = r->values.v[r->values.n - 1];
		r->names.n--, r->values.n--;
	}
	if (r->in_func && var_index(&r->tainted, name, len) < 0) {
		if (r->tainted.n < VARS_MAX)
			strvec_push_nodup(&r->tainted, xstrndup(name, len));
		else
			r->taint_all = true; /* too many to follow: none is known */
	}
}

/* NAME=VALUE: known from now on when it certainly runs and its value is
 * known, outside a function body; else unknown. */
static void assign(struct reader *r, const char *w, bool sure)
{
	size_t len = strcspn(w, "=");
	struct strbuf v = STRBUF_INIT;

	var_forget(r, w, len);
	if (sure && !r->in_func && r->names.n < VARS_MAX && value_of(r, w + len + 1, &v)) {
		strvec_push_nodup(&r->names, xstrndup(w, len));
		strvec_push(&r->values, v.buf ? v.buf : "");
	}
	sb_release(&v);
}

/* The variables a command that runs sets: assignments alone (`A=1 B=2`,
 * `export A=1`), or read, for and local (unknown); `.`, eval and `set --`
 * may set anything. */
static void track_vars(struct reader *r, char *const *w, size_t n, bool sure)
{
	size_t i = 0;
	const char *c = base(w[0]);

	if ((!strcmp(c, ".") || !strcmp(c, "source") || !strcmp(c, "eval")) &&
	    maint_classify(w, n) != MAINT_MOOT) { /* debconf's confmodule runs the script again, same $1 $2 */
		strvec_clear(&r->names);
		strvec_clear(&r->values);
		r->args_unknown |= !strcmp(c, "eval");
		return;
	}
	if (!strcmp(c, "set") && n > 1 && (w[1][0] != '-' || !strcmp(w[1], "--")))
		r->args_unknown = true;
	if (!strcmp(c, "for") && n > 1) {
		var_forget(r, w[1], strlen(w[1]));
		return;
	}
	if (!strcmp(c, "export") || !strcmp(c, "readonly") || !strcmp(c, "local") || !strcmp(c, "read"))
		i = 1;
	for (size_t j = i; j < n && i == 0; j++)
		if (!is_assignment(w[j]))
			return; /* A=1 cmd: for cmd only */
	for (; i < n; i++) {
		if (is_assignment(w[i]))
			assign(r, w[i], sure && strcmp(c, "local"));
		else if (w[i][0] != '-')
			var_forget(r, w[i], strlen(w[i]));
	}
}

/* A `case` pattern line "a|b*)": does an alternative match value? C_MAYBE
 * when one cannot be told (a variable in it, too many stars). */
static int pattern_matches(const char *pat, const char *value)
{
	char *s = xstrdup(pat), *save = NULL, *d = s;
	int v = C_NO;

	for (const char *c = *pat == '(' ? pat + 1 : pat; *c && *c != ')'; c++) {
		if (c[0] == '\\' && c[1] == '\n')
			c++;
		else if (!strchr("\"' \t\n", *c))
			*d++ = *c; /* quotes, blanks, continued lines go: "configure" | abort-*) */
	}
	*d = '\0';
	for (char *t = strtok_r(s, "|", &save); t && v != C_YES; t = strtok_r(NULL, "|", &save)) {
		size_t stars = 0;
		for (const char *c = t; *c; c++)
			stars += *c == '*';
		/* fnmatch backtracks: a pattern of many stars is not tried */
		if (stars > STARS_MAX || strchr(t, '$') || strchr(t, '\\'))
			v = C_MAYBE;
		else if (fnmatch(t, value, 0) == 0)
			v = C_YES;
	}
	free(s);
	return v;
}

/* if, then, elif, else, fi, { and } at the front of w: follow them.
 * Returns how many words they were. */
static size_t keywords(struct reader *r, char *const *w, size_t n)
{
	size_t i = 0;

	for (; i < n; i++) {
		struct if_state *f = r->nifs && !r->ifskipped ? &r->ifs[r->nifs - 1] : NULL;
		const char *k = w[i];
		if (!strcmp(k, "if") && r->nifs < IF_DEPTH && !r->ifskipped) {
			r->ifs[r->nifs++] =
				(struct if_state){.in_cond = true, .active = true, .certain = true};
		} else if (!strcmp(k, "if")) {
			r->ifskipped++; /* too deep: read as if every branch ran */
		} else if (!strcmp(k, "then") && f) {
			int c = f->in_cond ? r->last_val : C_MAYBE;
			f->active = f->active && c != C_NO;
			f->certain = f->certain && c == C_YES;
			f->taken |= f->certain;
			f->maybe |= f->active;
			f->in_cond = false;
		} else if ((!strcmp(k, "elif") || !strcmp(k, "else")) && f) {
			f->active = !f->taken;
			f->certain = !f->maybe;
			f->in_cond = k[2] == 'i';
			f->maybe |= !f->in_cond && f->active;
		} else if (!strcmp(k, "fi")) {
			if (r->ifskipped)
				r->ifskipped--;
			else if (r->nifs)
				r->nifs--;
		} else if (!strcmp(k, "do")) {
			r->loops++;
		} else if (!strcmp(k, "done")) {
			r->loops -= r->loops > 0;
		} else if (!strcmp(k, "{")) {
			if (r->func_next && !r->in_func)
				r->in_func = r->brace + 1;
			r->func_next = false;
			r->brace++;
		} else if (!strcmp(k, "}")) {
			r->brace -= r->brace > 0;
			if (r->in_func && r->brace < r->in_func)
				r->in_func = 0;
		} else if (strcmp(k, "then") && strcmp(k, "elif") && strcmp(k, "else")) {
			break;
		}
		r->chain = SEP_SEQ;
	}
	return i;
}

/* A simple command ended by separator sep: skipped when the && or ||
 * before it decides so; else classified if it may run, its variables
 * tracked, and its exit status (as far as known) kept for what follows. */
static void simple_command(struct reader *r, char *const *w, size_t n, int sep)
{
	bool skip = (r->chain == SEP_AND && r->chain_val == C_NO) ||
		    (r->chain == SEP_OR && r->chain_val == C_YES);
	bool run = active(r) && !skip;
	bool sure = run && certain(r) &&
		    (r->chain == SEP_SEQ || (r->chain == SEP_AND && r->chain_val == C_YES) ||
		     (r->chain == SEP_OR && r->chain_val == C_NO));
	size_t at = lead(w, n) < n ? lead(w, n) : 0;
	int v = skip ? r->chain_val : cond_eval(r, w, n);

	if (!skip && r->chain == SEP_AND)
		v = and3(r->chain_val, v);
	else if (!skip && r->chain == SEP_OR)
		v = or3(r->chain_val, v);
	if (run) {
		bool called = false;
		for (const struct reader *o = r; o && !called; o = o->outer)
			for (size_t i = 0; i < o->funcs.n && !called; i++)
				called = !strcmp(o->funcs.v[i], w[at]);
		if (!called)
			do_command(r, w, n);
		track_vars(r, w, n, sure);
	}
	r->last_val = sep == SEP_PIPE ? C_MAYBE : v;
	r->chain = sep == SEP_AND || sep == SEP_OR ? sep : SEP_SEQ;
	r->chain_val = v;
}

/* The end of a command: follow if and case structure, note a function
 * definition, or read a simple command. */
static void end_command(struct reader *r)
{
	char **w = r->words.v;
	size_t n = r->words.n, k;
	int sep = r->sep;
	struct strbuf v = STRBUF_INIT;

	r->sep = SEP_SEQ;
	if (!n)
		return;
	k = keywords(r, w, n);
	w += k, n -= k;
	if (!n) {
	} else if (!strcmp(w[0], "case") && n >= 3 && !strcmp(w[n - 1], "in")) {
		if (r->ncases < CASE_DEPTH) {
			bool known = value_of(r, w[1], &v);
			r->cases[r->ncases++] = (struct case_state){
				.known = known, .value = known ? sb_detach(&v, NULL) : NULL};
		} else {
			r->skipped++;
		}
	} else if (!strcmp(w[0], "esac")) {
		if (r->skipped)
			r->skipped--;
		else if (r->ncases)
			free(r->cases[--r->ncases].value);
	} else if (n >= 2 && (!strcmp(w[1], "()") || !strcmp(w[0], "function"))) {
		strvec_push(&r->funcs, !strcmp(w[0], "function") ? w[1] : w[0]); /* NAME () { */
		r->func_next = true;
		for (size_t i = 2; i < n; i++)
			if (!strcmp(w[i], "{"))
				keywords(r, w + i, 1);
	} else {
		simple_command(r, w, n, sep);
	}
	sb_release(&v);
	strvec_clear(&r->words);
}

static void end_word(struct reader *r)
{
	if (r->in_word && r->words.n < WORDS_MAX)
		strvec_push(&r->words, r->word.buf ? r->word.buf : "");
	sb_reset(&r->word);
	r->in_word = false;
}

/* ";;" ends a case branch; other separators end a command. */
static void separator(struct reader *r, bool dsemi)
{
	end_word(r);
	end_command(r);
	if (dsemi && r->ncases)
		r->cases[r->ncases - 1].in_branch = false;
}

/* Read the text from p to its end: words, quotes, separators, comments,
 * command substitutions (read as commands of their own). */
static void read_text(struct reader *r, const char *p, int depth);

static const char *read_subst(struct reader *r, const char *p, char close, int depth)
{
	const char *start = p;
	int level = 1;

	for (; *p && level; p++) {
		if (close == ')' && *p == '(')
			level++;
		else if (*p == close)
			level--;
	}
	if (depth < 8) {
		struct reader sub = {.m = r->m, .p = r->p, .arg = r->arg, .held = r->held, .outer = r};
		char *inner = xstrndup(start, (size_t)(p - start - (level ? 0 : 1)));
		read_text(&sub, inner, depth + 1);
		separator(&sub, false);
		if (sub.notes.len)
			notes_merge(&r->notes, sub.notes.buf);
		reader_release(&sub);
		free(inner);
	}
	sb_adds(&r->word, "$(...)");
	r->in_word = true;
	return p;
}

/* $(( EXPR )): arithmetic, no command; only the substitutions in it are
 * read. p is past "$((". */
static const char *read_arith(struct reader *r, const char *p, int depth)
{
	int level = 2;

	while (*p && level) {
		if ((p[0] == '$' && p[1] == '(' && p[2] != '(') || p[0] == '`') {
			p = read_subst(r, p + (p[0] == '$' ? 2 : 1), p[0] == '$' ? ')' : '`', depth);
			continue;
		}
		level += (*p == '(') - (*p == ')');
		p++;
	}
	sb_adds(&r->word, "$((...))");
	r->in_word = true;
	return p;
}

/* A here-document: p at "<<": its delimiter into delim (quotes dropped,
 * "<<-" allows leading tabs); returns where the operator ends. */
static const char *heredoc_start(const char *p, char *delim, size_t max, bool *tabs)
{
	size_t n = 0;

	p += 2;
	*tabs = *p == '-';
	p += *tabs;
	p += strspn(p, " \t");
	while (*p && !strchr(" \t\n;&|<>()", *p)) {
		if (*p != '\'' && *p != '"' && *p != '\\' && n + 1 < max)
			delim[n++] = *p;
		p++;
	}
	delim[n] = '\0';
	return p;
}

/* Past the body of a here-document that starts at p (after its line). */
static const char *heredoc_skip(const char *p, const char *delim, bool tabs)
{
	size_t n = strlen(delim);

	while (*p) {
		const char *line = p;
		size_t len = strcspn(p, "\n");
		p += len + (p[len] == '\n');
		if (tabs)
			while (*line == '\t')
				line++, len--;
		if (len == n && !strncmp(line, delim, n))
			break;
	}
	return p;
}

/* At p, a case pattern ("a|b*)", the branch it opens) or the "()" of a
 * function definition: past it, else p. */
static const char *structure(struct reader *r, const char *p)
{
	if (!r->in_word && !r->words.n && r->ncases && !r->cases[r->ncases - 1].in_branch && *p != ';' &&
	    strncmp(p, "esac", 4) && !(p[0] == '(' && p[1] == ')')) {
		size_t k = 0;
		char *pat;
		while (p[k] && p[k] != ')' && p[k] != '\n')
			k += p[k] == '\\' && p[k + 1] == '\n' ? 2 : 1; /* a|\<newline>b) */
		pat = xstrndup(p, k);
		struct case_state *cs = &r->cases[r->ncases - 1];
		int m = cs->known && !cs->matched ? pattern_matches(pat, cs->value) : C_MAYBE;
		cs->in_branch = true;
		cs->active = !cs->known || (!cs->matched && m != C_NO);
		cs->sure = cs->known && !cs->matched && m == C_YES;
		cs->matched |= cs->known && m == C_YES;
		free(pat);
		return p + k + (p[k] == ')');
	}
	if (p[0] == '(' && p[1] == ')') { /* NAME() { */
		end_word(r);
		strvec_push(&r->words, "()");
		return p + 2;
	}
	return p;
}

/* At p, an operator that ends a command: ; ;; && || | & ( ) or a newline.
 * Returns its last byte. */
static const char *operator(struct reader *r, const char *p)
{
	char c = *p;
	bool two = (c == ';' || c == '&' || c == '|') && p[1] == c;

	r->sep = two && c == '&'	? SEP_AND
		 : two && c == '|'	? SEP_OR
		 : c == '&' || c == '|' ? SEP_PIPE
					: SEP_SEQ;
	separator(r, c == ';' && p[1] == ';'); /* the command before ( or ) ends */
	if (c == '(')
		r->parens++;
	else if (c == ')')
		r->parens -= r->parens > 0;
	return p + two;
}

static void read_text(struct reader *r, const char *p, int depth)
{
	const char *e;
	char q = 0, delim[64] = "";
	bool tabs = false;

	while (*p) {
		char c = *p;
		if (!q && c == '<' && p[1] == '<' && p[2] != '<') { /* the body is data, not commands */
			p = heredoc_start(p, delim, sizeof(delim), &tabs);
			continue;
		}
		if (!q && c == '\n' && *delim) {
			separator(r, false);
			p = heredoc_skip(p + 1, delim, tabs);
			delim[0] = '\0';
			continue;
		}
		if (q == '\'') {
			if (c == '\'')
				q = 0;
			else
				sb_addc(&r->word, c);
			p++;
			continue;
		}
		if (c == '\\' && p[1]) {
			if (p[1] != '\n')
				sb_addc(&r->word, p[1]), r->in_word = true;
			p += 2;
			continue;
		}
		if (c == '$' && p[1] == '(' && p[2] == '(') {
			p = read_arith(r, p + 3, depth);
			continue;
		}
		if ((c == '$' && p[1] == '(') || c == '`') {
			p = read_subst(r, p + (c == '$' ? 2 : 1), c == '$' ? ')' : '`', depth);
			continue;
		}
		if (q == '"') {
			if (c == '"')
				q = 0;
			else
				sb_addc(&r->word, c);
			p++;
			continue;
		}
		if (c != '\n' && c != ' ' && c != '\t' && (e = structure(r, p)) != p) {
			p = e;
			continue;
		}
		if (c == '&' && r->in_word && r->word.len &&
		    (r->word.buf[r->word.len - 1] == '>' || r->word.buf[r->word.len - 1] == '<')) {
			sb_addc(&r->word, c); /* 2>&1 */
		} else if (c == '\'' || c == '"') {
			q = c;
			r->in_word = true;
		} else if (c == '#' && !r->in_word) {
			p += strcspn(p, "\n");
			continue;
		} else if (c == ' ' || c == '\t') {
			end_word(r);
		} else if (c == '\n' || c == ';' || c == '&' || c == '|' || c == ')' ||
			   (c == '(' && !r->in_word)) {
			p = operator(r, p);
		} else {
			sb_addc(&r->word, c);
			r->in_word = true;
		}
		p++;
	}
}

/* ---- the commands reproduced ------------------------------------------------ */

static bool literal(const char *w)
{
	return !strchr(w, '$') && !strchr(w, '*') && !strchr(w, '?');
}

static void add_alt(struct maint *m, const char *pkg, char *const *w, long prio, size_t master)
{
	if (m->nalts >= ALTS_MAX)
		return;
	xgrow((void **)&m->alts, &m->capalts, m->nalts + 1, sizeof(*m->alts));
	m->alts[m->nalts++] =
		(struct maint_alt){xstrdup(pkg), xstrdup(w[0]), xstrdup(w[1]), xstrdup(w[2]), prio, master};
}

/* update-alternatives [OPTIONS] --install LINK NAME PATH PRIO [--slave LINK NAME PATH]...
 * with literal arguments; false when it cannot be read so. */
/* An alternative's name as update-alternatives takes it: not empty, no
 * '/' and no blank, so /etc/alternatives/NAME and
 * /var/lib/dpkg/alternatives/NAME stay in their directories. */
static bool alt_name(const char *s)
{
	return *s && strcmp(s, ".") && strcmp(s, "..") && !s[strcspn(s, "/ \t\n")];
}

static bool alternatives(struct reader *r, char *const *w, size_t n)
{
	size_t i = 1, k, first;
	char *end;
	long prio;

	while (i < n && strcmp(w[i], "--install"))
		i++;
	if (i + 4 >= n)
		return false;
	for (k = i + 1; k < n; k++)
		if (!literal(w[k]))
			return false;
	prio = strtol(w[i + 4], &end, 10);
	if (*end || w[i + 1][0] != '/' || w[i + 3][0] != '/' || !alt_name(w[i + 2]))
		return false;
	for (k = i + 5; k < n; k += 4)
		if (k + 3 >= n || strcmp(w[k], "--slave") || w[k + 1][0] != '/' || w[k + 3][0] != '/' ||
		    !alt_name(w[k + 2]))
			return false;
	if (r->m->nalts + (n - i - 1) / 4 > ALTS_MAX)
		return false; /* beyond the bound: reported as not reproduced */
	first = r->m->nalts;
	add_alt(r->m, r->p->name, w + i + 1, prio, 0);
	for (k = i + 5; k < n; k += 4)
		add_alt(r->m, r->p->name, w + k + 1, prio, first + 1);
	return true;
}

/* adduser --system / addgroup --system / useradd -r / groupadd -r */
static bool account(struct reader *r, char *const *w, size_t n)
{
	static const char *const with_arg[] = {"--home",  "--shell",   "--ingroup",  "--gid",	  "--uid",
					       "--gecos", "--comment", "--firstuid", "--lastuid", "--conf",
					       "-d",	  "-s",	       "-g",	     "-u",	  "-c",
					       "-G",	  "-K",	       "-k",	     "-e",	  "-f"};
	const char *c = base(w[0]), *name = NULL, *group = NULL, *home = NULL, *shell = NULL;
	bool useradd = !strcmp(c, "useradd") || !strcmp(c, "groupadd"), own = false, extra = false;
	struct maint_account a = {0};

	for (size_t i = 1; i < n; i++) {
		bool takes = false;
		for (size_t k = 0; k < ARRAY_SIZE(with_arg); k++)
			takes |= !strcmp(w[i], with_arg[k]);
		if (takes && i + 1 < n) {
			const char *o = w[i], *v = w[++i];
			if (!strcmp(o, "--home") || !strcmp(o, "-d"))
				home = v;
			else if (!strcmp(o, "--shell") || !strcmp(o, "-s"))
				shell = v;
			else if (!strcmp(o, "--ingroup") || !strcmp(o, "-g"))
				group = v;
			else if (strcmp(o, "--gecos") && strcmp(o, "--comment") && strcmp(o, "-c"))
				extra = true; /* fixed ids and the rest: not reproduced */
		} else if (!strcmp(w[i], "--group") || !strcmp(w[i], "-U")) {
			own = true;
		} else if (w[i][0] == '-') {
			continue; /* --system, --quiet, --no-create-home, --disabled-password, -M, -N, -r */
		} else if (!name) {
			name = w[i];
		} else {
			extra = true; /* adduser USER GROUP: a membership */
		}
	}
	if (!name || extra || !literal(name) || (home && !literal(home)) || (shell && !literal(shell)) ||
	    (group && !literal(group)))
		return false;
	a.group_only = !strcmp(c, "addgroup") || !strcmp(c, "groupadd");
	a.own_group = own || (useradd && !a.group_only && !group && !has_opt(w, n, "-N", "--no-user-group"));
	a.pkg = xstrdup(r->p->name);
	a.name = xstrdup(name);
	a.group = group ? xstrdup(group) : NULL;
	a.home = home ? xstrdup(home) : NULL;
	a.shell = shell ? xstrdup(shell) : NULL;
	xgrow((void **)&r->m->accounts, &r->m->capaccounts, r->m->naccounts + 1, sizeof(*r->m->accounts));
	r->m->accounts[r->m->naccounts++] = a;
	return true;
}

/* Note each redirection of w to a file (it writes the file). */
static void redirections(struct reader *r, char *const *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *x = w[i] + strspn(w[i], "0123456789");
		const char *to = x[0] == '>' ? x + 1 + (x[1] == '>') : NULL;
		if (to && !*to && i + 1 < n)
			to = w[i + 1];
		if (to && *to && *to != '&' && strcmp(to, "/dev/null")) {
			char *what = xasprintf("output to %s", to);
			note(r, what);
			free(what);
		}
	}
}

/* w without its redirections ("2>&1", "> FILE", "<FILE"): into v. */
static size_t strip_redirections(char *const *w, size_t n, char **v)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const char *x = w[i] + strspn(w[i], "0123456789");
		if (*x == '>' || *x == '<') {
			x += 1 + (x[1] == '>' || x[1] == '<');
			if (!*x)
				i++; /* the target is the next word */
			continue;
		}
		v[k++] = w[i];
	}
	return k;
}

/* A simple command of an active branch. */
static void do_command(struct reader *r, char *const *all, size_t nall)
{
	char **v = xcalloc(nall + 1, sizeof(*v)), **w = v;
	size_t n = strip_redirections(all, nall, v), skip = lead(w, n);
	enum maint_class k = maint_classify(w, n);
	const char *c;

	redirections(r, all, nall);
	w += skip;
	n -= skip;
	if (!n || k == MAINT_MOOT) {
		free(v);
		return;
	}
	c = base(w[0]);
	if (k == MAINT_REPRODUCED && !strcmp(c, "update-ca-certificates"))
		r->m->ca = true;
	else if (k != MAINT_REPRODUCED ||
		 !(!strcmp(c, "update-alternatives") ? alternatives(r, w, n) : account(r, w, n)))
		note(r, !strcmp(w[0], ".") || !strcmp(w[0], "source") ? ". (sources a file)" : c);
	free(v);
}

static void read_script(struct maint *m, const struct cat_prim *p, const struct held *held, const char *text,
			const char *arg, struct strbuf *notes)
{
	struct reader r = {.m = m, .p = p, .arg = arg, .held = held};

	read_text(&r, text, 0);
	separator(&r, false);
	if (r.notes.len)
		notes_merge(notes, r.notes.buf);
	reader_release(&r);
}

/* ---- the selected set ------------------------------------------------------- */

static void add_file(struct maint *m, char *path, char *data, char type, unsigned mode)
{
	strvec_push_nodup(&m->strs, path);
	strvec_push_nodup(&m->strs, data);
	xgrow((void **)&m->files, &m->capfiles, m->nfiles + 1, sizeof(*m->files));
	m->files[m->nfiles++] = (struct oci_file){
		.path = path, .data = data, .len = strlen(data), .type = type, .mode = mode};
}

void maint_link(struct maint *m, const char *path, const char *target)
{
	add_file(m, xstrdup(path), xstrdup(target), 'l', 0);
}

void maint_file(struct maint *m, const char *path, char *text)
{
	add_file(m, xstrdup(path), text, 'f', 0644);
}

/* The alternative that wins for each name: the highest priority among the
 * masters whose path a selected package holds (ties: the path first in
 * byte order), and its slaves whose path is held. */
static int cmp_alt_path(const void *a, const void *b)
{
	return strcmp((*(const struct maint_alt *const *)a)->path,
		      (*(const struct maint_alt *const *)b)->path);
}

/* /var/lib/dpkg/alternatives/NAME, as update-alternatives keeps it: auto
 * mode, the master link, each slave's name and link; then per choice
 * whose path the image holds (by path) its path, its priority and each
 * slave's path for it (empty when it has none). */
static void alternatives_db(struct maint *m, const struct held *h, const struct maint_alt *best)
{
	struct strbuf sb = STRBUF_INIT;
	struct strvec slaves = STRVEC_INIT, links = STRVEC_INIT;
	const struct maint_alt **choices = xcalloc(m->nalts + 1, sizeof(*choices));
	size_t n = 0, *pos = xcalloc(m->nalts + 1, sizeof(*pos));
	const char **tab;

	for (size_t i = 0; i < m->nalts; i++) {
		const struct maint_alt *a = &m->alts[i];
		if (!a->master && !strcmp(a->name, best->name) && holds(h, a->path))
			choices[n++] = a;
	}
	qsort(choices, n, sizeof(*choices), cmp_alt_path);
	for (size_t i = 0; i <= m->nalts; i++)
		pos[i] = SIZE_MAX;
	for (size_t c = 0; c < n; c++) /* the same path installed twice: its first */
		if (!c || strcmp(choices[c]->path, choices[c - 1]->path))
			pos[choices[c] - m->alts] = c;
	for (size_t i = 0; i < m->nalts; i++) { /* the slaves of the choices, once each */
		const struct maint_alt *s = &m->alts[i];
		bool seen = false;
		if (!s->master || pos[s->master - 1] == SIZE_MAX)
			continue;
		for (size_t k = 0; k < slaves.n && !seen; k++)
			seen = !strcmp(slaves.v[k], s->name);
		if (!seen) {
			strvec_push(&slaves, s->name);
			strvec_push(&links, s->link);
		}
	}
	tab = xcalloc(n * slaves.n + 1, sizeof(*tab)); /* [choice][slave]: its path */
	for (size_t i = 0; i < m->nalts; i++) {
		const struct maint_alt *s = &m->alts[i];
		if (!s->master || pos[s->master - 1] == SIZE_MAX)
			continue;
		for (size_t k = 0; k < slaves.n; k++)
			if (!strcmp(slaves.v[k], s->name))
				tab[pos[s->master - 1] * slaves.n + k] = s->path;
	}
	sb_addf(&sb, "auto\n%s\n", best->link);
	for (size_t k = 0; k < slaves.n; k++)
		sb_addf(&sb, "%s\n%s\n", slaves.v[k], links.v[k]);
	sb_addc(&sb, '\n');
	for (size_t c = 0; c < n; c++) {
		if (c && !strcmp(choices[c]->path, choices[c - 1]->path))
			continue;
		sb_addf(&sb, "%s\n%ld\n", choices[c]->path, choices[c]->prio);
		for (size_t k = 0; k < slaves.n; k++)
			sb_addf(&sb, "%s\n", tab[c * slaves.n + k] ? tab[c * slaves.n + k] : "");
	}
	sb_addc(&sb, '\n');
	{
		char *path = xasprintf("/var/lib/dpkg/alternatives/%s", best->name);
		maint_file(m, path, sb_detach(&sb, NULL));
		free(path);
	}
	strvec_clear(&slaves);
	strvec_clear(&links);
	free(choices);
	free(pos);
	free(tab);
}

static void plan_alternatives(struct maint *m, const struct held *held)
{
	const struct held h = *held;

	for (size_t i = 0; i < m->nalts; i++) {
		const struct maint_alt *a = &m->alts[i];
		bool best = !a->master && holds(&h, a->path);
		for (size_t j = 0; j < m->nalts && best; j++) {
			const struct maint_alt *b = &m->alts[j];
			if (j == i || b->master || strcmp(a->name, b->name) || !holds(&h, b->path))
				continue;
			if (b->prio > a->prio || (b->prio == a->prio && strcmp(b->path, a->path) < 0) ||
			    (b->prio == a->prio && !strcmp(b->path, a->path) && j < i))
				best = false;
		}
		if (!best)
			continue;
		alternatives_db(m, &h, a);
		for (size_t j = i; j < m->nalts; j++) {
			const struct maint_alt *s = &m->alts[j];
			char *alt;
			if (j != i && s->master != i + 1)
				continue;
			if (!holds(&h, s->path) || holds(&h, s->link))
				continue; /* a real file at the link is never replaced */
			alt = xasprintf("/etc/alternatives/%s", s->name);
			maint_link(m, alt, s->path);
			maint_link(m, s->link, alt);
			free(alt);
		}
	}
}

void maint_scan(struct maint *m, const struct cat_prim *const *v, json_t *const *info, size_t n)
{
	static const char *const scripts[][2] = {{"preinst", "install"}, {"postinst", "configure"}};
	struct held h;

	held_make(&h, info, n);
	for (size_t i = 0; i < n; i++) {
		json_t *sc = json_object_get(info[i], "scripts");
		struct strbuf notes = STRBUF_INIT;
		struct held own, none = {0};
		/* what surely exists when a script runs: nothing before the
		 * unpack (preinst); the package's own files at configure (the
		 * other packages of the set may not be unpacked yet) */
		held_make(&own, &info[i], 1);
		for (size_t k = 0; k < ARRAY_SIZE(scripts); k++) {
			json_t *t = json_object_get(sc, scripts[k][0]);
			if (json_is_null(t)) {
				notes_add(&notes, "a script that is not UTF-8");
				continue;
			}
			if (json_is_string(t) && json_string_length(t) <= SCRIPT_MAX)
				read_script(m, v[i], k ? &own : &none, json_string_value(t), scripts[k][1],
					    &notes);
			else if (t)
				notes_add(&notes, "a script of over 1 MiB");
		}
		free(own.v);
		if (notes.len) {
			xgrow((void **)&m->warnings, &m->capwarnings, m->nwarnings + 1, sizeof(*m->warnings));
			m->warnings[m->nwarnings++] =
				(struct maint_warning){xstrdup(v[i]->name), sb_detach(&notes, NULL)};
		}
		sb_release(&notes);
	}
	plan_alternatives(m, &h);
	free(h.v);
}

void maint_report(const struct maint *m, struct diag *d)
{
	for (size_t i = 0; i < m->nwarnings; i++)
		diag_warning(d, LOC_NONE, "maint-script",
			     "the maintainer scripts of '%s' would run what cpolc does not reproduce: %s",
			     m->warnings[i].pkg, m->warnings[i].commands);
}

/* ---- accounts ------------------------------------------------------------- */

#define SYS_FIRST 100u /* adduser's FIRST_SYSTEM_UID and _GID */
#define SYS_LAST  999u
#define NOGROUP	  65534u

/* The group name, created with the first free system gid when absent. */
static int script_group(struct accounts *acc, const char *name, const char *at, uint32_t *gid, struct diag *d)
{
	const struct acct_group *g = accounts_group(acc, name);
	struct acct_group ng = {0};

	if (g) {
		*gid = g->gid;
		return 0;
	}
	if (!accounts_free_gid(acc, SYS_FIRST, SYS_LAST, gid)) {
		diag_error(d, LOC_NONE, "maint-script", "%s: no system gid is free for group '%s'", at, name);
		return -1;
	}
	ng.name = (char *)name;
	ng.gid = *gid;
	ng.at = (char *)at;
	return accounts_add_group(acc, &ng, d) < 0 ? -1 : 0;
}

static int script_user(struct accounts *acc, const struct maint_account *a, const char *at, struct diag *d)
{
	struct acct_user u = {0};
	uint32_t gid = NOGROUP;

	if (accounts_user(acc, a->name))
		return 0; /* adduser --system of a user that exists changes nothing */
	if (!accounts_free_uid(acc, SYS_FIRST, SYS_LAST, &u.uid)) {
		diag_error(d, LOC_NONE, "maint-script", "%s: no system uid is free for user '%s'", at,
			   a->name);
		return -1;
	}
	if ((a->own_group || a->group) && script_group(acc, a->group ? a->group : a->name, at, &gid, d) < 0)
		return -1;
	if (!a->own_group && !a->group && !accounts_group_by_gid(acc, NOGROUP)) {
		struct acct_group ng = {.name = "nogroup", .gid = NOGROUP, .at = (char *)at};
		if (accounts_add_group(acc, &ng, d) < 0)
			return -1;
	}
	u.name = a->name;
	u.gid = a->own_group || a->group ? gid : NOGROUP;
	u.home = a->home;
	u.shell = a->shell;
	u.at = (char *)at;
	return accounts_add_user(acc, &u, d) < 0 ? -1 : 0;
}

int maint_accounts(const struct maint *m, struct accounts *acc, struct diag *d)
{
	int rc = 0;

	for (size_t i = 0; i < m->naccounts; i++) {
		const struct maint_account *a = &m->accounts[i];
		char *at = xasprintf("the maintainer scripts of '%s'", a->pkg);
		uint32_t gid;
		if (a->group_only ? script_group(acc, a->name, at, &gid, d) < 0
				  : script_user(acc, a, at, d) < 0)
			rc = -1;
		free(at);
	}
	return rc;
}
