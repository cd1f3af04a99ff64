/* rel.c - Debian relationship fields (see rel.h). */
#include "config.h"

#include "rel.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "ver.h"

#define REL_MAX_NAME 255

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *skip_space(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

static bool name_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	return !first && (c == '+' || c == '-' || c == '.');
}

bool rel_valid_name(const char *s)
{
	size_t n = 0;

	if (!s || !name_char(s[0], true))
		return false;
	for (; s[n]; n++)
		if (!name_char(s[n], n == 0) || n >= REL_MAX_NAME)
			return false;
	return true;
}

static void atom_release(struct rel_atom *a)
{
	free(a->name);
	free(a->op);
	free(a->version);
}

void rel_alt_release(struct rel_alt *alt)
{
	for (size_t i = 0; i < alt->n; i++)
		atom_release(&alt->atoms[i]);
	free(alt->atoms);
	alt->atoms = NULL;
	alt->n = 0;
}

void rel_list_release(struct rel_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		rel_alt_release(&list->alts[i]);
	free(list->alts);
	list->alts = NULL;
	list->n = 0;
}

/* Read an operator at *pp; returns its normalised spelling or NULL. */
static const char *parse_op(const char **pp)
{
	static const struct {
		const char *text, *norm;
	} ops[] = {{"<<", "<<"}, {"<=", "<="}, {">>", ">>"}, {">=", ">="},
		   {"=", "="},	 {"<", "<="},  {">", ">="}};

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		size_t n = strlen(ops[i].text);
		if (!strncmp(*pp, ops[i].text, n)) {
			*pp += n;
			return ops[i].norm;
		}
	}
	return NULL;
}

static int parse_name(const char **pp, struct rel_atom *a, const char **why)
{
	const char *p = *pp, *start = p;

	while (name_char(*p, p == start))
		p++;
	if (p == start || p - start > REL_MAX_NAME) {
		*why = p == start ? "expected a package name" : "package name too long";
		return -1;
	}
	a->name = xstrndup(start, (size_t)(p - start));
	if (*p == ':') { /* multiarch qualifier: accepted and dropped */
		const char *q = ++p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')
			p++;
		if (p == q) {
			*why = "expected an architecture after ':'";
			return -1;
		}
	}
	*pp = p;
	return 0;
}

static int parse_restriction(const char **pp, struct rel_atom *a, const char **why)
{
	const char *p = skip_space(*pp + 1), *op, *start;
	const char *vwhy;

	op = parse_op(&p);
	if (!op) {
		*why = "expected a version operator (<< <= = >= >>)";
		return -1;
	}
	p = skip_space(p);
	start = p;
	while (*p && *p != ')' && !is_space(*p))
		p++;
	if (p == start) {
		*why = "expected a version";
		return -1;
	}
	a->op = xstrdup(op);
	a->version = xstrndup(start, (size_t)(p - start));
	if (!ver_valid(a->version, &vwhy)) {
		*why = vwhy ? vwhy : "invalid version";
		return -1;
	}
	p = skip_space(p);
	if (*p != ')') {
		*why = "expected ')'";
		return -1;
	}
	*pp = p + 1;
	return 0;
}

static int parse_atom(const char **pp, struct rel_atom *a, const char **why)
{
	const char *p = skip_space(*pp);

	memset(a, 0, sizeof(*a));
	if (parse_name(&p, a, why) < 0)
		return -1;
	p = skip_space(p);
	if (*p == '(' && parse_restriction(&p, a, why) < 0)
		return -1;
	p = skip_space(p);
	if (*p == '[' || *p == '<') {
		*why = "architecture restrictions and build profiles are not allowed here";
		return -1;
	}
	*pp = p;
	return 0;
}

/* Parse alternatives up to end or ','; *pp is left at the ',' or NUL. */
static int parse_alt_at(const char **pp, struct rel_alt *out, const char **why)
{
	const char *p = *pp;
	size_t cap = 0;

	out->atoms = NULL;
	out->n = 0;
	for (;;) {
		xgrow((void **)&out->atoms, &cap, out->n + 1, sizeof(*out->atoms));
		if (parse_atom(&p, &out->atoms[out->n], why) < 0) {
			out->n++;
			rel_alt_release(out);
			return -1;
		}
		out->n++;
		if (*p != '|')
			break;
		p++;
	}
	if (*p && *p != ',') {
		*why = "unexpected character after a relationship";
		rel_alt_release(out);
		return -1;
	}
	*pp = p;
	return 0;
}

int rel_parse_alt(const char *text, struct rel_alt *out, const char **why)
{
	const char *p = text;

	if (parse_alt_at(&p, out, why) < 0)
		return -1;
	if (*p) {
		*why = "one relationship expected, found ','";
		rel_alt_release(out);
		return -1;
	}
	return 0;
}

int rel_parse(const char *text, struct rel_list *out, const char **why)
{
	const char *p = skip_space(text);
	size_t cap = 0;

	out->alts = NULL;
	out->n = 0;
	if (!*p)
		return 0;
	for (;;) {
		xgrow((void **)&out->alts, &cap, out->n + 1, sizeof(*out->alts));
		if (parse_alt_at(&p, &out->alts[out->n], why) < 0) {
			rel_list_release(out);
			return -1;
		}
		out->n++;
		if (!*p)
			break;
		p++; /* ',' */
	}
	return 0;
}

char *rel_atom_str(const struct rel_atom *a)
{
	if (!a->op)
		return xstrdup(a->name);
	return xasprintf("%s (%s %s)", a->name, a->op, a->version);
}

char *rel_alt_str(const struct rel_alt *alt)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < alt->n; i++) {
		char *s = rel_atom_str(&alt->atoms[i]);
		if (i)
			sb_adds(&sb, " | ");
		sb_adds(&sb, s);
		free(s);
	}
	return sb_detach(&sb, NULL);
}
