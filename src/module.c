/* module.c - loading a policy file and, transitively, the modules it imports.
 *
 * Each file is read, checked to be UTF-8, parsed once (modules are deduped by
 * realpath) and its imports are followed depth first; a module met again
 * while it is still loading closes an import cycle, reported with the chain.
 *
 * A module is a policy source: a file whose name, as given and once every
 * symbolic link is resolved, ends in ".cpol". Any other file is refused
 * unread, since the parser's messages and the caret lines under them would
 * print what it holds (`import "/etc/shadow"`, a lock naming it, or a
 * symbolic link x.cpol to it). A file that is not UTF-8 is parsed for
 * nothing and its text is never quoted.
 */
#include "config.h"

#include "module.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "parse.h"
#include "sema.h"
#include "util.h"

struct loader {
	struct program *p;
	const struct program_opts *opts;
	struct diag *d;
	struct module **stack; /* modules being loaded, for cycle chains */
	size_t nstack, capstack;
};

void program_init(struct program *p)
{
	memset(p, 0, sizeof(*p));
}

static void module_free(struct module *m)
{
	if (!m)
		return;
	ast_free(m->root);
	free(m->path);
	free(m->name);
	free(m->real);
	free(m->imports);
	free(m);
}

void program_release(struct program *p)
{
	for (size_t i = 0; i < p->nmods; i++)
		module_free(p->mods[i]);
	free(p->mods);
	free(p->policies);
	memset(p, 0, sizeof(*p));
}

size_t program_policies(const struct program *p, struct ast ***out)
{
	*out = p->policies;
	return p->npolicies;
}

static struct module *find_loaded(struct program *p, const char *real)
{
	for (size_t i = 0; i < p->nmods; i++)
		if (!strcmp(p->mods[i]->real, real))
			return p->mods[i];
	return NULL;
}

static bool is_identifier(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return false;
	return true;
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* BINDIR/../share/cpolc/stdlib of the running cpolc, so that an install
 * moved elsewhere (or staged with DESTDIR) still finds its stdlib. */
static void exe_relative_stdlib(char **out, size_t *n)
{
	char exe[4096], *dir, *up, *s;
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (len <= 0)
		return;
	exe[len] = '\0';
	dir = path_dirname(exe);
	up = path_dirname(dir);
	s = path_join(up, "share/cpolc/stdlib");
	free(dir);
	free(up);
	if (strcmp(s, CPOLC_STDLIBDIR) && access(s, F_OK) == 0)
		out[(*n)++] = s;
	else
		free(s);
}

/* The stdlib directories, in search order: --stdlib, CPOL_PATH, beside the
 * binary, the configured $(pkgdatadir)/stdlib, the source tree's. */
static void stdlib_dirs(const struct program_opts *opts, char ***out, size_t *n)
{
	size_t cap = 0;
	const char *cp = getenv("CPOL_PATH");

	*out = NULL;
	*n = 0;
	if (opts && opts->stdlib_dir) {
		xgrow((void **)out, &cap, *n + 1, sizeof(**out));
		(*out)[(*n)++] = xstrdup(opts->stdlib_dir);
	}
	while (cp && *cp) {
		const char *e = strchr(cp, ':');
		size_t len = e ? (size_t)(e - cp) : strlen(cp);
		if (len) {
			xgrow((void **)out, &cap, *n + 1, sizeof(**out));
			(*out)[(*n)++] = xstrndup(cp, len);
		}
		cp = e ? e + 1 : NULL;
	}
	xgrow((void **)out, &cap, *n + 3, sizeof(**out));
	exe_relative_stdlib(*out, n);
	(*out)[(*n)++] = xstrdup(CPOLC_STDLIBDIR);
	(*out)[(*n)++] = xstrdup(CPOLC_SRC_STDLIBDIR);
}

/* Find stdlib module NAME; returns the path (caller frees) or NULL with
 * *searched listing the directories tried. */
static char *find_stdlib(const struct program_opts *opts, const char *name, struct strbuf *searched)
{
	char **dirs, *found = NULL, *file = xasprintf("%s.cpol", name);
	size_t n;

	stdlib_dirs(opts, &dirs, &n);
	for (size_t i = 0; i < n; i++) {
		char *cand = path_join(dirs[i], file);
		if (!found && is_file(cand)) {
			found = cand;
			cand = NULL;
		}
		if (!found)
			sb_addf(searched, "%s%s", searched->len ? ", " : "", dirs[i]);
		free(cand);
		free(dirs[i]);
	}
	free(dirs);
	free(file);
	return found;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The stdlib module spelt closest to name (suggest_name), or NULL; the
 * names of the search path's modules, sorted, at most STDLIB_NEAR_MAX. */
#define STDLIB_NEAR_MAX 4096
static char *near_stdlib(const struct program_opts *opts, const char *name)
{
	struct strvec names = STRVEC_INIT;
	char **dirs, *pick = NULL;
	const char *p;
	size_t n;

	stdlib_dirs(opts, &dirs, &n);
	for (size_t i = 0; i < n; i++) {
		DIR *dh = opendir(dirs[i]);
		struct dirent *de;
		while (dh && (de = readdir(dh)) && names.n < STDLIB_NEAR_MAX) {
			size_t l = strlen(de->d_name);
			if (l > 5 && !strcmp(de->d_name + l - 5, ".cpol"))
				strvec_push_nodup(&names, xstrndup(de->d_name, l - 5));
		}
		if (dh)
			closedir(dh);
		free(dirs[i]);
	}
	free(dirs);
	qsort(names.v, names.n, sizeof(*names.v), cmp_str); /* not readdir's order */
	if ((p = suggest_name(name, (const char *const *)names.v, names.n)))
		pick = xstrdup(p);
	strvec_clear(&names);
	return pick;
}

/* dir/rel with leading "./" components of rel dropped; absolute rel kept. */
static char *relative_to(const char *importer, const char *rel)
{
	char *dir, *out;

	if (rel[0] == '/')
		return xstrdup(rel);
	while (rel[0] == '.' && rel[1] == '/') {
		rel += 2;
		while (*rel == '/')
			rel++;
	}
	dir = path_dirname(importer);
	out = strcmp(dir, ".") ? path_join(dir, rel) : xstrdup(rel);
	free(dir);
	return out;
}

static void report_cycle(struct loader *L, struct module *again, struct ast *imp)
{
	struct strbuf chain = STRBUF_INIT;
	size_t i = 0;

	while (i < L->nstack && L->stack[i] != again)
		i++;
	for (; i < L->nstack; i++)
		sb_addf(&chain, "%s -> ", L->stack[i]->name);
	sb_adds(&chain, again->name);
	diag_error(L->d, imp->nameloc, "import-cycle", "import cycle: %s", chain.buf);
	sb_release(&chain);
}

static struct module *load_file(struct loader *L, const char *path, const char *name, struct ast *from);

/* Resolve one import statement of module m and load its target. */
static void load_import(struct loader *L, struct module *m, struct ast *imp)
{
	struct strbuf searched = STRBUF_INIT;
	struct module *t;
	char *path;
	bool is_path = strchr(imp->str, '/') || (imp->len > 5 && !strcmp(imp->str + imp->len - 5, ".cpol"));

	if (strlen(imp->str) != imp->len || imp->len == 0) {
		diag_error(L->d, imp->nameloc, "import", "invalid module name");
		return;
	}
	if (is_path) {
		if (!imp->alias) {
			diag_error(L->d, imp->nameloc, "import",
				   "importing a path needs a name: import \"%s\" as NAME;", imp->str);
			return;
		}
		path = relative_to(m->path, imp->str);
	} else {
		if (!is_identifier(imp->str)) {
			diag_error(L->d, imp->nameloc, "import", "invalid stdlib module name '%s'", imp->str);
			return;
		}
		path = find_stdlib(L->opts, imp->str, &searched);
		if (!path) {
			char *near = near_stdlib(L->opts, imp->str);
			diag_error(L->d, imp->nameloc, "import",
				   "cannot find stdlib module '%s' (searched %s)%s%s%s", imp->str,
				   searched.buf, near ? "; did you mean '" : "", near ? near : "",
				   near ? "'?" : "");
			free(near);
			sb_release(&searched);
			return;
		}
	}
	t = load_file(L, path, is_path ? path : imp->str, imp);
	if (t) {
		imp->ref = t->root;
		xgrow((void **)&m->imports, &m->capimports, m->nimports + 1, sizeof(*m->imports));
		m->imports[m->nimports++] = t;
	}
	free(path);
	sb_release(&searched);
}

static struct module *new_module(struct loader *L, const char *path, const char *name, char *real)
{
	struct module *m = xcalloc(1, sizeof(*m));

	m->path = xstrdup(path);
	m->name = xstrdup(name);
	m->real = real;
	xgrow((void **)&L->p->mods, &L->p->capmods, L->p->nmods + 1, sizeof(*L->p->mods));
	L->p->mods[L->p->nmods++] = m;
	return m;
}

static void read_error(struct loader *L, const char *path, struct ast *from, int err)
{
	if (from)
		diag_error(L->d, from->nameloc, "import", "cannot read '%s': %s", path, file_strerror(err));
	else
		diag_file_error(L->d, path, 0, 0, "io", "cannot read '%s': %s", path, file_strerror(err));
}

/* Parse one module's text and follow its imports. */
static void parse_and_follow(struct loader *L, struct module *m, char *text, size_t len)
{
	size_t bad;

	char *shown = NULL;

	if (!L->opts || !L->opts->no_digest)
		sha256_hex(text, len, m->digest);
	/* A stdlib module is shown as <stdlib>/NAME.cpol wherever it is
	 * installed, so that locations in decisions and locks are the same on
	 * every machine. */
	if (m->stdlib)
		shown = xasprintf("%s%s.cpol", PROGRAM_STDLIB_PREFIX, m->name);
	m->file = diag_add_file(L->d, shown ? shown : m->path, text, len);
	free(shown);
	if (!utf8_valid(text, len, &bad)) {
		struct loc l = {m->file, (uint32_t)bad, (uint32_t)bad + 1};
		diag_no_quote(L->d, m->file);
		diag_error(L->d, l, "encoding", "invalid UTF-8 (byte 0x%02x)", (unsigned char)text[bad]);
		m->root = ast_new_root((struct loc){m->file, 0, 0});
	} else {
		m->root = parse_module(L->d, m->file, text, len);
	}
	m->root->mod = m;
	xgrow((void **)&L->stack, &L->capstack, L->nstack + 1, sizeof(*L->stack));
	L->stack[L->nstack++] = m;
	m->state = 1;
	for (size_t i = 0; i < m->root->kids.n; i++) {
		struct ast *decl = m->root->kids.v[i];
		decl->mod = m;
		if (decl->kind == AST_IMPORT)
			load_import(L, m, decl);
	}
	m->state = 2;
	L->nstack--;
}

bool program_source_name(const char *path)
{
	size_t n = strlen(path);
	const char *slash = strrchr(path, '/');

	return n > 5 && !strcmp(path + n - 5, ".cpol") && (!slash || path + n - slash > 6);
}

#define NOT_SOURCE "'%s' is not a policy source (the name of the file, links resolved, must end in .cpol)"

static void not_source(struct loader *L, const char *path, struct ast *from)
{
	if (from)
		diag_error(L->d, from->nameloc, "import", NOT_SOURCE, path);
	else
		diag_file_error(L->d, path, 0, 0, "io", NOT_SOURCE, path);
}

static struct module *load_file(struct loader *L, const char *path, const char *name, struct ast *from)
{
	char *real, *text;
	size_t len;
	struct module *m;

	if (!program_source_name(path)) {
		not_source(L, path, from);
		return NULL;
	}
	real = realpath(path, NULL);
	if (!real) {
		read_error(L, path, from, errno);
		return NULL;
	}
	if (!program_source_name(real)) { /* a symbolic link to another file */
		not_source(L, path, from);
		free(real);
		return NULL;
	}
	m = find_loaded(L->p, real);
	if (m) {
		free(real);
		if (m->state == 1) {
			report_cycle(L, m, from);
			return NULL;
		}
		return m;
	}
	if (read_file_max(path, PARSE_MAX_BYTES, 0, &text, &len) < 0) {
		read_error(L, path, from, errno);
		free(real);
		return NULL;
	}
	m = new_module(L, path, name, real);
	m->stdlib = from && name == from->str;
	parse_and_follow(L, m, text, len);
	return m;
}

static void collect_policies(struct program *p)
{
	struct ast *root = p->mods[0]->root;

	for (size_t i = 0; i < root->kids.n; i++) {
		if (root->kids.v[i]->kind != AST_POLICY)
			continue;
		xgrow((void **)&p->policies, &p->cappolicies, p->npolicies + 1, sizeof(*p->policies));
		p->policies[p->npolicies++] = root->kids.v[i];
	}
}

int program_load(struct program *p, const char *path, const struct program_opts *opts, struct diag *d)
{
	struct loader L = {p, opts, d, NULL, 0, 0};
	size_t errors = d->nerrors;
	struct module *m;

	m = load_file(&L, path, path, NULL);
	free(L.stack);
	if (!m)
		return -2;
	collect_policies(p);
	sema_check(p, d);
	return d->nerrors > errors ? -1 : 0;
}

char *program_find_stdlib(const struct program_opts *opts, const char *name)
{
	struct strbuf searched = STRBUF_INIT;
	char *path = find_stdlib(opts, name, &searched);

	sb_release(&searched);
	return path;
}
