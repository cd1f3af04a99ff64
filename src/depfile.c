/* depfile.c - make(1) rules naming the files a build read (see depfile.h). */
#include "config.h"

#include "depfile.h"

#include <stdlib.h>
#include <string.h>

static bool special_target(const char *p)
{
	while (p[0] == '.' && p[1] == '/') /* make strips leading "./" */
		p += 2;
	if (p[0] != '.' || !p[1])
		return false;
	return strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == strlen(p + 1);
}

static bool directive(const char *p)
{
	static const char *const words[] = {"define",	"endef",    "undefine", "ifdef",  "ifndef",
					    "ifeq",	"ifneq",    "else",	"endif",  "include",
					    "-include", "sinclude", "override", "export", "unexport",
					    "private",	"vpath",    "load",	"-load"};

	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcmp(p, words[i]))
			return true;
	return false;
}

/* Why make cannot name path, or NULL. */
static const char *unrepresentable(const char *p)
{
	size_t n = strlen(p);

	if (!n)
		return "it is empty";
	for (const unsigned char *s = (const unsigned char *)p; *s; s++) {
		if (*s < 0x20 || *s == 0x7f)
			return "it holds a control character (a newline or a tab would end the rule)";
		if (strchr("=;|\\", *s))
			return "it holds one of = ; | \\, which make gives a meaning of its own";
	}
	if (p[n - 1] == ' ')
		return "it ends in a space";
	if (p[0] == '~')
		return "it begins with '~', which make expands";
	if (p[n - 1] == ')' && strchr(p, '('))
		return "make would read NAME(MEMBER) as an archive member";
	if (special_target(p))
		return "it is the name of a special target of make";
	if (directive(p))
		return "it is a make directive";
	return NULL;
}

bool depfile_quote(struct strbuf *sb, const char *path, bool target, const char **why)
{
	if ((*why = unrepresentable(path)))
		return false;
	for (const char *s = path; *s; s++) {
		if (strchr(" #:*?[", *s) || (target && *s == '%'))
			sb_addc(sb, '\\');
		else if (*s == '$')
			sb_addc(sb, '$');
		sb_addc(sb, *s);
	}
	return true;
}

/* path for a message: control characters and backslashes escaped C-style,
 * so that a hostile name cannot write to the terminal. */
static char *shown(const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	for (const unsigned char *s = (const unsigned char *)path; *s; s++) {
		if (*s == '\n')
			sb_adds(&sb, "\\n");
		else if (*s == '\t')
			sb_adds(&sb, "\\t");
		else if (*s == '\\')
			sb_adds(&sb, "\\\\");
		else if (*s < 0x20 || *s == 0x7f)
			sb_addf(&sb, "\\x%02x", *s);
		else
			sb_addc(&sb, (char)*s);
	}
	return sb_detach(&sb, NULL);
}

static bool quote_or_fail(struct strbuf *sb, const char *depfile, const char *path, bool target,
			  struct diag *d)
{
	const char *why;
	char *s;

	if (depfile_quote(sb, path, target, &why))
		return true;
	s = shown(path);
	diag_file_error(d, depfile, 0, 0, "depfile", "cannot write '%s': make cannot name the file '%s': %s",
			depfile, s, why);
	free(s);
	return false;
}

char *depfile_rule(const char *depfile, const char *target, char *const *deps, size_t ndeps, struct diag *d)
{
	struct strbuf sb = STRBUF_INIT;
	char **v = xcalloc(ndeps + 1, sizeof(*v));
	size_t k = 0;
	bool ok;

	memcpy(v, deps, ndeps * sizeof(*v));
	qsort(v, ndeps, sizeof(*v), cmp_strp);
	for (size_t i = 0; i < ndeps; i++)
		if (!k || strcmp(v[k - 1], v[i]))
			v[k++] = v[i];
	ok = quote_or_fail(&sb, depfile, target, true, d);
	sb_addc(&sb, ':');
	for (size_t i = 0; i < k; i++) { /* every path that make cannot name is reported */
		sb_adds(&sb, " \\\n  ");
		ok = quote_or_fail(&sb, depfile, v[i], false, d) && ok;
	}
	sb_addc(&sb, '\n');
	for (size_t i = 0; ok && i < k; i++) {
		sb_addc(&sb, '\n');
		depfile_quote(&sb, v[i], true, &(const char *){NULL}); /* the empty rule's target */
		sb_adds(&sb, ":\n");
	}
	free(v);
	if (!ok) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb, NULL);
}
