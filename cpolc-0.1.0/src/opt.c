/* opt.c - the table-driven option parser (see opt.h for the rules). */
#include "config.h"

#include "opt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define HELP_COLUMN 26

static void print_usage(const struct opt_cmd *c, FILE *out)
{
	const char *u = c->usage;
	bool first = true;

	while (*u) {
		size_t n = strcspn(u, "\n");
		fprintf(out, "%s cpolc %.*s\n", first ? "usage:" : "   or:", (int)n, u);
		first = false;
		u += n;
		if (*u == '\n')
			u++;
		/* a line that starts with a blank continues the form above,
		 * aligned after the command's name */
		while (*u == ' ') {
			u += strspn(u, " ");
			n = strcspn(u, "\n");
			fprintf(out, "%*s%.*s\n", (int)(strlen("usage: cpolc ") + strlen(c->name) + 1), "",
				(int)n, u);
			u += n;
			if (*u == '\n')
				u++;
		}
	}
}

/* "-r, --request FILE" for the help; returns its width. */
static int print_spelling(const struct opt *o, FILE *out)
{
	int w = fprintf(out, "  ");

	if (o->short_name)
		w += fprintf(out, "-%c%s", o->short_name, o->long_name ? ", " : "");
	else if (!(o->flags & OPT_DASH))
		w += fprintf(out, "    ");
	if (o->long_name)
		w += fprintf(out, "%s%s%s", o->flags & OPT_DASH ? "-" : "--",
			     o->type == OPT_T_BOOL && !(o->flags & OPT_NONEG) ? "[no-]" : "", o->long_name);
	if (o->argh)
		w += fprintf(out, " %s", o->argh);
	return w;
}

static void print_option(const struct opt *o, FILE *out)
{
	int w = print_spelling(o, out);
	const char *h = o->help;

	if (w >= HELP_COLUMN - 1) {
		fputc('\n', out);
		w = 0;
	}
	fprintf(out, "%*s", HELP_COLUMN - w, "");
	while (*h) {
		size_t n = strcspn(h, "\n");
		fprintf(out, "%.*s\n", (int)n, h);
		h += n;
		if (*h == '\n' && *++h)
			fprintf(out, "%*s", HELP_COLUMN, "");
	}
	if (o->type == OPT_T_CHOICE) {
		fprintf(out, "%*s(", HELP_COLUMN + 2, "");
		for (size_t i = 0; o->choices[i]; i++)
			fprintf(out, "%s%s", i ? ", " : "", o->choices[i]);
		fputs(")\n", out);
	}
}

void opt_print_help(const struct opt_cmd *c)
{
	print_usage(c, stdout);
	if (c->about)
		printf("\n%s", c->about);
	for (const struct opt *o = c->opts; o->type != OPT_T_END; o++) {
		if (o->flags & OPT_HIDDEN)
			continue;
		if (o->type == OPT_T_GROUP)
			printf("\n%s\n", o->help);
		else if (o == c->opts)
			printf("\noptions:\n");
		if (o->type != OPT_T_GROUP)
			print_option(o, stdout);
	}
	printf("  -h, --help              print this help\n");
	if (c->more)
		printf("\n%s", c->more);
}

/* For the bash completion: every spelling, one a line, with '=' after one
 * that takes a value and a CHOICE's words after that. */
static void print_completion(const struct opt_cmd *c)
{
	for (const struct opt *o = c->opts; o->type != OPT_T_END; o++) {
		const char *eq = o->type == OPT_T_BOOL ? "" : "=";
		if (o->type == OPT_T_GROUP)
			continue;
		if (o->short_name)
			printf("-%c%s\n", o->short_name, eq);
		if (!o->long_name)
			continue;
		printf("%s%s%s", o->flags & OPT_DASH ? "-" : "--", o->long_name, eq);
		for (size_t i = 0; o->type == OPT_T_CHOICE && o->choices[i]; i++)
			printf(" %s", o->choices[i]);
		putchar('\n');
		if (o->type == OPT_T_BOOL && !(o->flags & OPT_NONEG))
			printf("--no-%s\n", o->long_name);
	}
	printf("--help\n");
}

static void verror(const struct opt_cmd *c, const char *fmt, va_list ap)
{
	fprintf(stderr, "cpolc %s: ", c->name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	print_usage(c, stderr);
	fprintf(stderr, "Run 'cpolc %s --help' for the options.\n", c->name);
}

static int error(const struct opt_cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int error(const struct opt_cmd *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(c, fmt, ap);
	va_end(ap);
	return OPT_ERROR;
}

int opt_usage_error(const struct opt_cmd *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(c, fmt, ap);
	va_end(ap);
	return 2;
}

int opt_exit(int r)
{
	return r == OPT_HELP ? 0 : 2;
}

/* The option's name as the user wrote it, for messages. */
static char *spelled(const struct opt *o, bool as_short)
{
	if (as_short || !o->long_name)
		return xasprintf("-%c", o->short_name);
	return xasprintf("%s%s", o->flags & OPT_DASH ? "-" : "--", o->long_name);
}

/* A size: parse_size, or N followed by K, M, G or T (powers of 1024). */
static int parse_size_arg(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	size_t n = strlen(s);
	const char *u = n > 1 ? strchr(units, s[n - 1]) : NULL;
	char *digits;
	uint64_t v;
	int rc;

	if (!u || !*u)
		return parse_size(s, out);
	digits = xstrndup(s, n - 1);
	rc = parse_size(digits, &v);
	free(digits);
	if (rc < 0 || s[n - 2] < '0' || s[n - 2] > '9' || v > (UINT64_C(1) << 63) >> (10 * (u - units + 1)))
		return -1;
	*out = v << (10 * (u - units + 1));
	return 0;
}

static int parse_int_arg(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	*out = v;
	return 0;
}

/* Store value (NULL for a flag; neg for --no-NAME) into o. */
static int store(const struct opt_cmd *c, const struct opt *o, bool as_short, const char *value, bool neg)
{
	char *name = spelled(o, as_short);
	int rc = 0;

	switch (o->type) {
	case OPT_T_BOOL:
		*(int *)o->value = !neg;
		break;
	case OPT_T_STRING:
		*(const char **)o->value = value;
		break;
	case OPT_T_LIST:
		strvec_push((struct strvec *)o->value, value);
		break;
	case OPT_T_CHOICE: {
		size_t i = 0;
		while (o->choices[i] && strcmp(o->choices[i], value))
			i++;
		if (o->choices[i]) {
			*(int *)o->value = (int)i;
			break;
		}
		struct strbuf sb = STRBUF_INIT;
		for (i = 0; o->choices[i]; i++)
			sb_addf(&sb, "%s%s", i ? (o->choices[i + 1] ? ", " : " or ") : "", o->choices[i]);
		rc = error(c, "option '%s': '%s' is not %s%s", name, value, i > 2 ? "one of " : "", sb.buf);
		sb_release(&sb);
		break;
	}
	case OPT_T_INT:
		if (parse_int_arg(value, o->min, o->max, (long long *)o->value) < 0)
			rc = error(c, "option '%s': '%s' is not a whole number from %lld to %lld", name,
				   value, o->min, o->max);
		break;
	case OPT_T_SIZE:
		if (parse_size_arg(value, (uint64_t *)o->value) < 0)
			rc = error(
				c,
				"option '%s': '%s' is not a size (a number of bytes, optionally with KB, MB, "
				"GB, TB, KiB, MiB, GiB, TiB, or K, M, G, T for KiB..TiB)",
				name, value);
		break;
	default:
		break;
	}
	free(name);
	return rc;
}

static bool takes_value(const struct opt *o)
{
	return o->type != OPT_T_BOOL;
}

/* A long option (or a one-dash one when dash1): "--name", "--name=V", "--no-name". */
static int parse_long(const struct opt_cmd *c, const char *arg, bool dash1, int argc, char **argv, int *i)
{
	const char *name = arg + (dash1 ? 1 : 2), *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name);

	for (int neg = 0; neg < 2; neg++) {
		const char *want = name;
		size_t wn = n;
		if (neg) {
			if (dash1 || n < 4 || strncmp(name, "no-", 3))
				break;
			want += 3, wn -= 3;
		}
		for (const struct opt *o = c->opts; o->type != OPT_T_END; o++) {
			if (!o->long_name || o->type == OPT_T_GROUP || !(o->flags & OPT_DASH) != !dash1 ||
			    strlen(o->long_name) != wn || strncmp(o->long_name, want, wn))
				continue;
			if (neg && (o->type != OPT_T_BOOL || (o->flags & OPT_NONEG)))
				continue;
			if (!takes_value(o)) {
				if (eq)
					return error(c, "option '%.*s' takes no value", (int)(eq - arg), arg);
				return store(c, o, false, NULL, neg);
			}
			if (eq)
				return store(c, o, false, eq + 1, false);
			if (*i + 1 >= argc)
				return error(c, "option '%s' needs a value (%s)", arg, o->argh);
			return store(c, o, false, argv[++*i], false);
		}
	}
	return dash1 ? 1 : error(c, "unknown option '%.*s'", (int)n + 2, arg);
}

static const struct opt *find_short(const struct opt_cmd *c, char ch)
{
	for (const struct opt *o = c->opts; o->type != OPT_T_END; o++)
		if (o->short_name == ch && o->type != OPT_T_GROUP)
			return o;
	return NULL;
}

/* "-x", "-xVALUE", "-x VALUE", "-ab" (flags), or a one-dash long option. */
static int parse_short(const struct opt_cmd *c, const char *arg, int argc, char **argv, int *i)
{
	int r = parse_long(c, arg, true, argc, argv, i);

	if (r <= 0)
		return r;
	for (const char *p = arg + 1; *p; p++) {
		const struct opt *o = find_short(c, *p);
		if (!o && p == arg + 1)
			return error(c, "unknown option '%s'", arg);
		if (!o)
			return error(c, "unknown option '-%c' in '%s'", *p, arg);
		if (!takes_value(o)) {
			if (store(c, o, true, NULL, false) < 0)
				return OPT_ERROR;
			continue;
		}
		if (p[1])
			return store(c, o, true, p + 1, false);
		if (*i + 1 >= argc)
			return error(c, "option '-%c' needs a value (%s)", *p, o->argh);
		return store(c, o, true, argv[++*i], false);
	}
	return 0;
}

int opt_parse(const struct opt_cmd *c, int argc, char **argv)
{
	int n = 0;
	bool only_operands = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r;

		if (only_operands || a[0] != '-' || !a[1]) {
			argv[n++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			only_operands = true;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			opt_print_help(c);
			return OPT_HELP;
		}
		if (!strcmp(a, "--completion-helper")) {
			print_completion(c);
			return OPT_HELP;
		}
		r = a[1] == '-' ? parse_long(c, a, false, argc, argv, &i) : parse_short(c, a, argc, argv, &i);
		if (r < 0)
			return OPT_ERROR;
	}
	argv[n] = NULL;
	return n;
}
