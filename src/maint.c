/* maint.c - the maintainer scripts read, never run (include/maint.h): the
 * classifier, update-alternatives, system accounts and the warnings. */
#include "config.h"

#include "maint.h"

#include "accounts.h"

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
				   has_opt(w, n, "--print-foreign-architectures", "--assert-multi-arch")))
		return MAINT_MOOT;
	if (!strcmp(c, "sed") && !has_opt(w, n, "-i", "--in-place"))
		return MAINT_MOOT;
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

/* ---- reading a script ------------------------------------------------------ */

/* The words of the script being read, one simple command at a time. */
struct reader {
	struct maint *m;
	const struct cat_prim *p;
	const char *arg; /* "install" (preinst) or "configure" (postinst) */
	struct strvec words;
	struct strbuf word, notes; /* notes: the commands not reproduced */
	bool in_word;
	/* `case "$1" in`: per level, on $1, and the branch matches arg */
	struct case_state {
		bool on_arg, active, in_branch;
	} cases[CASE_DEPTH];
	int ncases, skipped; /* skipped: nested deeper than CASE_DEPTH */
	struct strvec funcs; /* the functions the script defines: calls are moot */
};

static bool active(const struct reader *r)
{
	for (int i = 0; i < r->ncases; i++)
		if (r->cases[i].on_arg && r->cases[i].in_branch && !r->cases[i].active)
			return false;
	return true;
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

/* A `case` pattern line "a|b*)": does one alternative match arg? */
static bool pattern_matches(const char *pat, const char *arg)
{
	char *s = xstrdup(pat), *save = NULL;
	bool yes = false;

	if (*s == '(')
		memmove(s, s + 1, strlen(s));
	s[strcspn(s, ")")] = '\0';
	for (char *t = strtok_r(s, "|", &save); t && !yes; t = strtok_r(NULL, "|", &save)) {
		size_t stars = 0;
		for (const char *c = t; *c; c++)
			stars += *c == '*';
		/* fnmatch backtracks: a pattern of many stars is not tried, and
		 * its branch counts as one that runs (conservative) */
		yes = stars > STARS_MAX || fnmatch(t, arg, 0) == 0;
	}
	free(s);
	return yes;
}

/* The end of a simple command: classify it, or follow case structure. */
static void end_command(struct reader *r)
{
	char **w = r->words.v;
	size_t n = r->words.n;

	if (!n)
		return;
	if (!strcmp(w[0], "case") && n >= 3 && !strcmp(w[n - 1], "in")) {
		if (r->ncases < CASE_DEPTH)
			r->cases[r->ncases++] = (struct case_state){!strcmp(w[1], "$1"), false, false};
		else
			r->skipped++;
	} else if (!strcmp(w[0], "esac")) {
		if (r->skipped)
			r->skipped--;
		else if (r->ncases)
			r->ncases--;
	} else if ((n >= 2 && !strcmp(w[1], "()")) || (n >= 2 && !strcmp(w[0], "function"))) {
		strvec_push(&r->funcs, !strcmp(w[0], "function") ? w[1] : w[0]); /* NAME () { */
	} else if (active(r)) {
		for (size_t i = 0; i < r->funcs.n; i++)
			if (!strcmp(r->funcs.v[i], w[lead(w, n) < n ? lead(w, n) : 0]))
				n = 0;
		if (n)
			do_command(r, w, n);
	}
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
		struct reader sub = {.m = r->m, .p = r->p, .arg = r->arg};
		char *inner = xstrndup(start, (size_t)(p - start - (level ? 0 : 1)));
		read_text(&sub, inner, depth + 1);
		separator(&sub, false);
		if (sub.notes.len)
			notes_merge(&r->notes, sub.notes.buf);
		sb_release(&sub.notes);
		sb_release(&sub.word);
		strvec_clear(&sub.words);
		strvec_clear(&sub.funcs);
		free(inner);
	}
	sb_adds(&r->word, "$(...)");
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
		size_t k = strcspn(p, ")\n");
		char *pat = xstrndup(p, k);
		r->cases[r->ncases - 1].in_branch = true;
		r->cases[r->ncases - 1].active = pattern_matches(pat, r->arg);
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
			separator(r, c == ';' && p[1] == ';');
			if (c == ';' && p[1] == ';')
				p++;
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
	if (*end || w[i + 1][0] != '/' || w[i + 3][0] != '/')
		return false;
	for (k = i + 5; k < n; k += 4)
		if (k + 3 >= n || strcmp(w[k], "--slave") || w[k + 1][0] != '/' || w[k + 3][0] != '/')
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
	if (!n || k == MAINT_MOOT)
		return;
	c = base(w[0]);
	if (k == MAINT_REPRODUCED && !strcmp(c, "update-ca-certificates"))
		r->m->ca = true;
	else if (k != MAINT_REPRODUCED ||
		 !(!strcmp(c, "update-alternatives") ? alternatives(r, w, n) : account(r, w, n)))
		note(r, !strcmp(w[0], ".") || !strcmp(w[0], "source") ? ". (sources a file)"
			: !strncmp(c, "db_", 3)			      ? "debconf"
								      : c);
	free(v);
}

static void read_script(struct maint *m, const struct cat_prim *p, const char *text, const char *arg,
			struct strbuf *notes)
{
	struct reader r = {.m = m, .p = p, .arg = arg};

	read_text(&r, text, 0);
	separator(&r, false);
	if (r.notes.len)
		notes_merge(notes, r.notes.buf);
	sb_release(&r.notes);
	sb_release(&r.word);
	strvec_clear(&r.words);
	strvec_clear(&r.funcs);
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

/* The paths the selected packages hold (their file lists), sorted. */
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

/* The alternative that wins for each name: the highest priority among the
 * masters whose path a selected package holds (ties: the path first in
 * byte order), and its slaves whose path is held. */
static void plan_alternatives(struct maint *m, json_t *const *info, size_t n)
{
	struct held h;

	held_make(&h, info, n);
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
	free(h.v);
}

void maint_scan(struct maint *m, const struct cat_prim *const *v, json_t *const *info, size_t n)
{
	static const char *const scripts[][2] = {{"preinst", "install"}, {"postinst", "configure"}};

	for (size_t i = 0; i < n; i++) {
		json_t *sc = json_object_get(info[i], "scripts");
		struct strbuf notes = STRBUF_INIT;
		for (size_t k = 0; k < ARRAY_SIZE(scripts); k++) {
			json_t *t = json_object_get(sc, scripts[k][0]);
			if (json_is_null(t)) {
				notes_add(&notes, "a script that is not UTF-8");
				continue;
			}
			if (json_is_string(t) && json_string_length(t) <= SCRIPT_MAX)
				read_script(m, v[i], json_string_value(t), scripts[k][1], &notes);
			else if (t)
				notes_add(&notes, "a script of over 1 MiB");
		}
		if (notes.len) {
			xgrow((void **)&m->warnings, &m->capwarnings, m->nwarnings + 1, sizeof(*m->warnings));
			m->warnings[m->nwarnings++] =
				(struct maint_warning){xstrdup(v[i]->name), sb_detach(&notes, NULL)};
		}
		sb_release(&notes);
	}
	plan_alternatives(m, info, n);
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
