/* apt.h - the formats of apt repositories: deb822 paragraphs (Packages,
 * Release, .sources files), Release files and their OpenPGP signatures,
 * dates as Release files write them.
 *
 * A repository (the "archive") at URI holds, for a suite:
 *
 *   URI/dists/SUITE/InRelease          the Release text, clearsigned
 *   URI/dists/SUITE/Release            the same, unsigned ...
 *   URI/dists/SUITE/Release.gpg        ... with a detached signature
 *   URI/dists/SUITE/COMP/binary-ARCH/Packages[.xz|.gz]
 *   URI/pool/...                       the .deb files (Packages: Filename)
 *
 * The trust chain is apt's: the Release text is verified with gpgv against
 * a keyring; it lists the SHA256 and size of each Packages file; each
 * Packages stanza lists the SHA256 and size of its .deb. Valid-Until, when
 * present, bounds how long a Release text may be used.
 *
 * Nothing here fetches: src/fetch.c does; src/cat_apt.c puts it together.
 */
#ifndef CPOLC_APT_H
#define CPOLC_APT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "diag.h"

/* Size bounds of what a repository may send. */
#define APT_MAX_RELEASE	 (64u << 20)  /* an InRelease, Release or Release.gpg */
#define APT_MAX_PACKAGES (512u << 20) /* a Packages index, uncompressed */
#define APT_MAX_COUNT	 2000000u     /* packages of one import, old and new */

/* ---- deb822 paragraphs --------------------------------------------------- */

/* A field of a paragraph: its name and its raw value (first line after the
 * colon, leading blanks skipped, then the continuation lines with their
 * newlines), both borrowed from the text. */
struct apt_field {
	const char *name, *val;
	size_t nlen, vlen;
};

struct apt_para {
	struct apt_field *v;
	size_t n, cap;
	unsigned line; /* line of its first field, from 1 */
};

void apt_para_init(struct apt_para *p);
void apt_para_release(struct apt_para *p);

/* Read the paragraph that starts at or after *pos (blank lines before it
 * are skipped; with comments, so are lines starting with '#'). Returns 1
 * with *pos after it, 0 when no paragraph is left, or -1 with *why (static
 * text) and *line set to the bad line. *line counts lines across calls
 * (start it at 0). */
int apt_para_next(const char **pos, const char *end, bool comments, struct apt_para *p, unsigned *line,
		  const char **why);
/* The field named name (case-insensitive), or NULL. */
const struct apt_field *apt_para_get(const struct apt_para *p, const char *name);
/* The value with its lines joined by one space and blanks trimmed; "" for
 * a missing field. Caller frees. */
char *apt_field_text(const struct apt_field *f);

/* ---- Release files -------------------------------------------------------- */

struct apt_release_file {
	char *path; /* relative to dists/SUITE/ */
	uint64_t size;
	char sha256[65];
};

struct apt_release {
	char *suite, *codename;
	time_t date, valid_until; /* 0 when absent */
	bool by_hash;		  /* Acquire-By-Hash: yes */
	struct apt_release_file *files;
	size_t nfiles;
};

/* Parse a Release text (already verified). what names it in messages.
 * Returns 0, or -1 after reporting. */
int apt_release_parse(const char *text, size_t len, const char *what, struct apt_release *r, struct diag *d);
void apt_release_release(struct apt_release *r);
/* The entry of path, or NULL. */
const struct apt_release_file *apt_release_find(const struct apt_release *r, const char *path);

/* A path a repository may name (Release lists, Filename): relative, with
 * no empty, "." or ".." component and only [A-Za-z0-9+-._~/]. */
bool apt_safe_path(const char *p);

/* A date as Release files write it (RFC 1123: "Sat, 11 Jul 2026 10:16:37
 * UTC", zone UTC, GMT, Z or +HHMM/-HHMM). Returns 0 with *out, or -1. */
int apt_parse_date(const char *s, time_t *out);

/* ---- signatures ------------------------------------------------------------- */

/* Check the OpenPGP signature of a Release text with gpgv (a child process,
 * its home an empty directory under tmpdir) against keyring: file is an
 * InRelease when sig is NULL, else a Release with the detached signature
 * sig. At least one good signature by a key of the keyring is required and
 * no bad one; signatures by keys the keyring lacks are ignored, as apt
 * ignores them. On success, *text (caller frees) is the signed text only.
 * Messages name the file what (its URL). Returns 0, or -1 after reporting
 * what is wrong: a bad signature, no signature by a key of the keyring, an
 * expired key, or what gpgv said. */
int apt_verify_signature(const char *gpgv, const char *keyring, const char *file, const char *sig,
			 const char *what, const char *tmpdir, char **text, size_t *len, struct diag *d);

#endif
