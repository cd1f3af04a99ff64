/* rel.h - Debian relationship fields: Depends, Provides, Conflicts, Breaks.
 *
 * A field is a comma-separated list of elements; an element is one or more
 * alternatives separated by '|'; an alternative is a package name with an
 * optional architecture qualifier (":any", ":native", ":amd64", dropped) and an
 * optional version restriction in parentheses:
 *
 *     libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0
 *
 * Operators are "<<" "<=" "=" ">=" ">>" and the obsolete "<" and ">" (which
 * dpkg reads as "<=" and ">="; they are normalised to those). Architecture
 * restrictions ("[amd64]") and build profiles ("<!nocheck>") belong to source
 * packages and are rejected. The catalog stores each element as one string;
 * rel_parse_alt reads one element, rel_parse a whole field.
 */
#ifndef CPOLC_REL_H
#define CPOLC_REL_H

#include <stdbool.h>
#include <stddef.h>

struct rel_atom {
	char *name;    /* package name, owned */
	char *op;      /* "<<" "<=" "=" ">=" ">>", or NULL when unversioned; owned */
	char *version; /* owned, NULL when op is NULL */
};

/* One element: alternatives tried in order. */
struct rel_alt {
	struct rel_atom *atoms;
	size_t n;
};

/* A whole field. */
struct rel_list {
	struct rel_alt *alts;
	size_t n;
};

/* Parse one element ("a (>= 1) | b"). Returns 0, or -1 with *why (static
 * text) saying what is wrong; out is then empty. Release with rel_alt_release. */
int rel_parse_alt(const char *text, struct rel_alt *out, const char **why);
/* Parse a whole field ("a, b | c (<< 2)"); an empty or all-blank field is
 * an empty list. Returns 0, or -1 with *why. */
int rel_parse(const char *text, struct rel_list *out, const char **why);
void rel_alt_release(struct rel_alt *alt);
void rel_list_release(struct rel_list *list);

/* The canonical text of an atom / an element ("a (>= 1) | b"). Caller frees. */
char *rel_atom_str(const struct rel_atom *a);
char *rel_alt_str(const struct rel_alt *alt);

/* Is s a valid package name: [a-z0-9][a-z0-9+.-]* (Debian policy 5.6.1,
 * without the two-character minimum) and at most 255 bytes? */
bool rel_valid_name(const char *s);

#endif
