/* ver.c - Debian version ordering, as dpkg's verrevcmp in lib/dpkg/version.c.
 *
 * A version is [epoch:]upstream[-revision]. The epoch compares numerically;
 * upstream and revision compare by alternating runs: a run of non-digits
 * compared character by character (letters before non-letters, '~' before
 * everything including the end), then a run of digits compared as a number.
 */
#include "config.h"

#include "ver.h"

#include <string.h>

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(int c)
{
	return is_digit(c) || is_alpha(c);
}

/* The weight of one character in a non-digit run. */
static int order(int c)
{
	if (is_digit(c))
		return 0;
	if (is_alpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

/* Compare the byte ranges [a, ae) and [b, be). */
static int verrevcmp(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae || b < be) {
		int first_diff = 0;

		while ((a < ae && !is_digit(*a)) || (b < be && !is_digit(*b))) {
			int ac = a < ae ? order((unsigned char)*a) : 0;
			int bc = b < be ? order((unsigned char)*b) : 0;

			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (a < ae && *a == '0')
			a++;
		while (b < be && *b == '0')
			b++;
		while (a < ae && b < be && is_digit(*a) && is_digit(*b)) {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (a < ae && is_digit(*a))
			return 1;
		if (b < be && is_digit(*b))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

struct parts {
	const char *epoch, *epoch_end; /* digits, possibly empty */
	const char *up, *up_end;
	const char *rev, *rev_end; /* empty when there is no revision */
};

static void split(const char *v, struct parts *p)
{
	const char *colon = strchr(v, ':'), *hyphen, *s;
	const char *end = v + strlen(v);

	p->epoch = p->epoch_end = v;
	p->up = v;
	if (colon) {
		for (s = v; s < colon && is_digit(*s); s++)
			;
		if (s == colon && colon > v) {
			p->epoch_end = colon;
			p->up = colon + 1;
		}
	}
	hyphen = strrchr(p->up, '-');
	if (hyphen) {
		p->up_end = hyphen;
		p->rev = hyphen + 1;
		p->rev_end = end;
	} else {
		p->up_end = end;
		p->rev = p->rev_end = end;
	}
}

/* Compare two digit strings as unbounded non-negative integers. */
static int numcmp(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae && *a == '0')
		a++;
	while (b < be && *b == '0')
		b++;
	if (ae - a != be - b)
		return ae - a < be - b ? -1 : 1;
	for (; a < ae; a++, b++)
		if (*a != *b)
			return *a < *b ? -1 : 1;
	return 0;
}

int ver_cmp(const char *a, const char *b)
{
	struct parts pa, pb;
	int r;

	split(a, &pa);
	split(b, &pb);
	r = numcmp(pa.epoch, pa.epoch_end, pb.epoch, pb.epoch_end);
	if (r)
		return r;
	r = verrevcmp(pa.up, pa.up_end, pb.up, pb.up_end);
	if (r)
		return r;
	return verrevcmp(pa.rev, pa.rev_end, pb.rev, pb.rev_end);
}

bool ver_valid(const char *v, const char **why)
{
	const char *colon = strchr(v, ':');
	struct parts p;

	if (!*v)
		return *why = "version string is empty", false;
	for (const char *s = v; *s; s++)
		if ((unsigned char)*s <= ' ')
			return *why = "version string has embedded spaces", false;
	if (colon) {
		if (colon == v)
			return *why = "epoch in version is empty", false;
		for (const char *s = v; s < colon; s++)
			if (!is_digit(*s))
				return *why = "epoch in version is not number", false;
		if (colon - v > 9)
			return *why = "epoch in version is too big", false;
	}
	split(v, &p);
	if (p.up == p.up_end)
		return *why = "nothing after colon in version number", false;
	if (strrchr(p.up, '-') && p.rev == p.rev_end)
		return *why = "revision number is empty", false;
	if (!is_digit(*p.up))
		return *why = "version number does not start with digit", false;
	for (const char *s = p.up; s < p.up_end; s++)
		if (!is_alnum(*s) && !strchr(".-+~:", *s))
			return *why = "invalid character in version number", false;
	for (const char *s = p.rev; s < p.rev_end; s++)
		if (!is_alnum(*s) && !strchr(".+~", *s))
			return *why = "invalid character in revision number", false;
	if (!colon && memchr(p.up, ':', (size_t)(p.up_end - p.up)))
		return *why = "invalid character in version number", false;
	return true;
}

bool ver_satisfies(const char *v, const char *op, const char *constraint, bool lang)
{
	int c = ver_cmp(v, constraint);

	if (!strcmp(op, "<="))
		return c <= 0;
	if (!strcmp(op, ">="))
		return c >= 0;
	if (!strcmp(op, "<"))
		return lang ? c < 0 : c <= 0;
	if (!strcmp(op, ">"))
		return lang ? c > 0 : c >= 0;
	if (lang) {
		if (!strcmp(op, "=="))
			return c == 0;
		if (!strcmp(op, "!="))
			return c != 0;
		return false;
	}
	if (!strcmp(op, "<<"))
		return c < 0;
	if (!strcmp(op, ">>"))
		return c > 0;
	if (!strcmp(op, "="))
		return c == 0;
	return false;
}
