/* cat_apt.c - `catalog import-apt`: the package indexes of apt repositories
 * into a catalog's pack, through the archive's trust chain (apt.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "apt.h"
#include "cat.h"
#include "cat_int.h"
#include "fetch.h"
#include "rel.h"
#include "ver.h"

struct import {
	const char *dir;
	const char *gpgv;
	struct diag *d;
	char *tmp; /* the staging directory, removed at the end */
	unsigned nstaged;
	struct sarena strs;
	struct pack_pkg *pkgs;
	size_t npkgs, cappkgs;
	struct strvec uris;  /* the pack's repositories */
	struct strmap ranks; /* name -> 1 + order of first mention */
	uintptr_t nranks;
	unsigned errors;
	bool allow_rollback;
	struct release_date *dates; /* the Date of the last Release of each URI and suite */
	size_t ndates, capdates;
};

struct release_date {
	char *source; /* "URI SUITE" */
	long long date;
};

#define MAX_ERRORS 20 /* bad stanzas reported before the rest are counted */

/* ---- staging ------------------------------------------------------------------ */

static char *staged(struct import *im, const char *name)
{
	return xasprintf("%s/%u-%s", im->tmp, im->nstaged++, name);
}

/* Remove the staging directory: its files and those gpgv left in its home. */
static void remove_tree(const char *dir)
{
	char *gnupg = path_join(dir, "gnupg");

	remove_old_files(dir, "gnupg", -1, NULL);
	rmdir(gnupg);
	remove_old_files(dir, ".", -1, NULL);
	rmdir(dir);
	free(gnupg);
}

/* "URI/dists/SUITE" without doubled slashes. */
static char *dists_url(const struct cat_apt_source *s)
{
	size_t n = strlen(s->uri);

	while (n && s->uri[n - 1] == '/')
		n--;
	return xasprintf("%.*s/dists/%s", (int)n, s->uri, s->suite);
}

/* ---- the Release ------------------------------------------------------------------ */

/* Fetch url to a staged file; 1 fetched, 0 missing (not reported), -1. */
static int stage(struct import *im, const char *url, const char *name, uint64_t size, uint64_t max,
		 char **path)
{
	struct fetch_item it = {.url = url, .size = size, .max = max};
	int rc = 1;

	*path = staged(im, name);
	it.path = *path;
	if (fetch_one(&it) < 0) {
		rc = it.missing ? 0 : -1;
		if (rc < 0)
			diag_error(im->d, LOC_NONE, CAT_RULE, "cannot fetch '%s': %s", url, it.error);
	}
	fetch_item_release(&it);
	return rc;
}

/* The verified text of the suite's InRelease, else Release + Release.gpg. */
static int fetch_release(struct import *im, const struct cat_apt_source *s, const char *base, char **text,
			 size_t *len, char **what)
{
	const char *keyring = s->keyring ? s->keyring : CAT_APT_KEYRING;
	char *url = xasprintf("%s/InRelease", base), *file = NULL, *sig = NULL, *sigurl = NULL;
	int rc = stage(im, url, "InRelease", 0, APT_MAX_RELEASE, &file);

	if (rc > 0) {
		rc = apt_verify_signature(im->gpgv, keyring, file, NULL, url, im->tmp, text, len, im->d);
		*what = url;
		url = NULL;
	} else if (rc == 0) {
		free(url), free(file);
		url = xasprintf("%s/Release", base);
		sigurl = xasprintf("%s/Release.gpg", base);
		rc = stage(im, url, "Release", 0, APT_MAX_RELEASE, &file);
		if (rc == 0)
			diag_error(im->d, LOC_NONE, CAT_RULE, "'%s' has neither InRelease nor Release", base);
		if (rc > 0 && (rc = stage(im, sigurl, "Release.gpg", 0, APT_MAX_RELEASE, &sig)) == 0)
			diag_error(im->d, LOC_NONE, CAT_RULE, "'%s' has no signature '%s'", url, sigurl);
		if (rc > 0)
			rc = apt_verify_signature(im->gpgv, keyring, file, sig, url, im->tmp, text, len,
						  im->d);
		else
			rc = -1;
		*what = url;
		url = NULL;
	}
	free(url);
	free(file);
	free(sig);
	free(sigurl);
	return rc < 0 ? -1 : 0;
}

static void fmt_date(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* Valid-Until and the suite the Release says it is. */
static int check_release(struct import *im, const struct cat_apt_source *s, const struct apt_release *r,
			 const char *what)
{
	time_t now = time(NULL);
	char when[32];

	if (r->valid_until && now > r->valid_until) {
		fmt_date(r->valid_until, when);
		diag_error(im->d, LOC_NONE, CAT_RULE,
			   "'%s' expired on %s (Valid-Until): the repository's metadata is out of date", what,
			   when);
		return -1;
	}
	if ((*r->suite || *r->codename) && strcmp(s->suite, r->suite) && strcmp(s->suite, r->codename)) {
		diag_error(im->d, LOC_NONE, CAT_RULE, "'%s' is for suite '%s' (codename '%s'), not '%s'",
			   what, r->suite, r->codename, s->suite);
		return -1;
	}
	return 0;
}

static uint32_t add_uri(struct import *im, const char *uri)
{
	size_t n = strlen(uri);

	while (n > 1 && uri[n - 1] == '/')
		n--;
	for (size_t i = 0; i < im->uris.n; i++)
		if (strlen(im->uris.v[i]) == n && !strncmp(im->uris.v[i], uri, n))
			return (uint32_t)i;
	strvec_push_nodup(&im->uris, xstrndup(uri, n));
	return (uint32_t)(im->uris.n - 1);
}

/* ---- release dates: a repository does not go back in time ------------------------ */

#define RELEASES_FILE "apt-releases"
#define RELEASES_MAX  (1u << 20)

static struct release_date *date_of(struct import *im, const char *source)
{
	for (size_t i = 0; i < im->ndates; i++)
		if (!strcmp(im->dates[i].source, source))
			return &im->dates[i];
	return NULL;
}

static void date_set(struct import *im, const char *source, long long date)
{
	struct release_date *r = date_of(im, source);

	if (r) {
		if (date > r->date)
			r->date = date;
		return;
	}
	xgrow((void **)&im->dates, &im->capdates, im->ndates + 1, sizeof(*im->dates));
	im->dates[im->ndates++] = (struct release_date){xstrdup(source), date};
}

/* DIR/apt-releases: "DATE URI SUITE" lines, DATE in seconds since 1970. */
static int dates_load(struct import *im)
{
	char *path = path_join(im->dir, RELEASES_FILE), *data, *line, *save = NULL;
	size_t len;
	unsigned lineno = 0;
	int rc = 0;

	if (read_file_max(path, RELEASES_MAX, 0, &data, &len) < 0) {
		if (errno != ENOENT) {
			diag_file_error(im->d, path, 0, 0, CAT_RULE, "cannot read '%s': %s", path,
					file_strerror(errno));
			rc = -1;
		}
		free(path);
		return rc;
	}
	for (line = strtok_r(data, "\n", &save); line && rc == 0; line = strtok_r(NULL, "\n", &save)) {
		char *end, *sp;
		long long date = strtoll(line, &end, 10);
		lineno++;
		if (end == line || *end != ' ' || date < 0 || !(sp = strchr(end + 1, ' ')) || sp == end + 1 ||
		    !sp[1] || strchr(sp + 1, ' ')) {
			diag_file_error(im->d, path, lineno, 0, CAT_RULE,
					"not a line 'DATE URI SUITE' (the catalog was altered)");
			rc = -1;
		} else {
			date_set(im, end + 1, date);
		}
	}
	free(data);
	free(path);
	return rc;
}

static int cmp_dates(const void *a, const void *b)
{
	return strcmp(((const struct release_date *)a)->source, ((const struct release_date *)b)->source);
}

static int dates_write(struct import *im)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = path_join(im->dir, RELEASES_FILE);
	int rc;

	qsort(im->dates, im->ndates, sizeof(*im->dates), cmp_dates);
	for (size_t i = 0; i < im->ndates; i++)
		sb_addf(&sb, "%lld %s\n", im->dates[i].date, im->dates[i].source);
	rc = write_file_atomic(path, sb.buf ? sb.buf : "", sb.len, 0644);
	if (rc < 0)
		diag_file_error(im->d, path, 0, 0, CAT_RULE, "cannot write '%s': %s", path,
				file_strerror(errno));
	sb_release(&sb);
	free(path);
	return rc;
}

/* A Release dated before the last one imported from the same URI and suite
 * is a replay of old metadata (a freeze or rollback attack: its signature
 * is still good, and its Valid-Until may be far off), unless the user says
 * otherwise. */
static int check_rollback(struct import *im, const struct cat_apt_source *s, const struct apt_release *r,
			  const char *what)
{
	char *source = xasprintf("%s %s", im->uris.v[add_uri(im, s->uri)], s->suite);
	struct release_date *last = date_of(im, source);
	char was[32], is[32];
	int rc = 0;

	if (last && (long long)r->date < last->date && !im->allow_rollback) {
		fmt_date(last->date, was);
		fmt_date(r->date, is);
		diag_error(im->d, LOC_NONE, CAT_RULE,
			   "'%s' is dated %s, before the Release of %s this catalog imported: the repository "
			   "was rolled back or its metadata replayed (--allow-rollback accepts it)",
			   what, r->date ? is : "nothing (no Date)", was);
		rc = -1;
	} else if (!last || (long long)r->date > last->date) {
		date_set(im, source, (long long)r->date);
	}
	free(source);
	return rc;
}

/* ---- one Packages index -------------------------------------------------------- */

/* Decompress (xz, gz or none) path into *text. */
static int decompress(struct import *im, const char *path, const char *what, char **text, size_t *len)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	la_ssize_t n = 0;
	int rc = -1;

	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	archive_read_support_format_empty(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		diag_error(im->d, LOC_NONE, CAT_RULE, "cannot read '%s': %s", what, archive_error_string(a));
		goto out;
	}
	if (archive_read_next_header(a, &ae) == ARCHIVE_OK)
		while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
			if (sb.len + (size_t)n > APT_MAX_PACKAGES) {
				diag_error(im->d, LOC_NONE, CAT_RULE,
					   "'%s' is larger than %u MiB uncompressed", what,
					   APT_MAX_PACKAGES >> 20);
				goto out;
			}
			sb_add(&sb, buf, (size_t)n);
		}
	if (n < 0) {
		diag_error(im->d, LOC_NONE, CAT_RULE, "cannot decompress '%s': %s", what,
			   archive_error_string(a));
		goto out;
	}
	*text = sb_detach(&sb, len);
	rc = 0;
out:
	sb_release(&sb);
	archive_read_free(a);
	return rc;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

/* Record the first mention of each name of a raw relationship field, as
 * apt's cache numbers packages ("name:any" is another package there). */
static void mention(struct import *im, const char *s, size_t n)
{
	const char *end = s + n;
	char name[256];

	while (s < end) {
		const char *t = s, *start;
		size_t k;
		while (t < end && (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r'))
			t++;
		for (start = t; t < end && name_char(*t); t++)
			;
		k = (size_t)(t - start);
		if (k && k < sizeof(name) && !(end - t >= 4 && !memcmp(t, ":any", 4))) {
			memcpy(name, start, k);
			name[k] = '\0';
			if (!strmap_get(&im->ranks, name))
				strmap_put(&im->ranks, name, (void *)++im->nranks);
		}
		while (t < end && *t != ',' && *t != '|')
			t++;
		s = t + 1;
	}
}

static void bad(struct import *im, const char *what, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void bad(struct import *im, const char *what, unsigned line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (im->errors++ >= MAX_ERRORS)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_file_error(im->d, what, line, 0, CAT_RULE, "%s", msg);
	free(msg);
}

/* The text of a field in the arena ("" when absent). */
static const char *text_of(struct import *im, const struct apt_para *p, const char *field)
{
	char *t = apt_field_text(apt_para_get(p, field));
	const char *s = sa_dup(&im->strs, t, strlen(t));

	free(t);
	return s;
}

/* A relationship field in canonical form, in the arena. */
static int canon(struct import *im, const struct apt_para *p, const char *field, const char **out,
		 const char *what, const char *pkg)
{
	const struct apt_field *f = apt_para_get(p, field);
	struct strbuf sb = STRBUF_INIT;
	struct rel_list l;
	const char *why;
	char *raw;
	int rc = 0;

	*out = "";
	if (!f)
		return 0;
	mention(im, f->val, f->vlen);
	raw = apt_field_text(f);
	if (rel_parse(raw, &l, &why) < 0) {
		bad(im, what, p->line, "bad %s of '%s': %s in '%s'", field, pkg, why, raw);
		rc = -1;
	} else {
		for (size_t i = 0; i < l.n; i++) {
			char *e = rel_alt_str(&l.alts[i]);
			if (i)
				sb_adds(&sb, ", ");
			sb_adds(&sb, e);
			free(e);
		}
		rel_list_release(&l);
		*out = sa_dup(&im->strs, sb.buf ? sb.buf : "", sb.len);
	}
	sb_release(&sb);
	free(raw);
	return rc;
}

static int parse_count(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 15)
		return -1;
	*out = strtoull(s, &end, 10);
	return 0;
}

static bool is_hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static bool yes(const char *s)
{
	return !strcasecmp(s, "yes");
}

/* The identity of a stanza: name, version, architecture, .deb. 1 when it is
 * for one of archs, 0 when for another architecture, -1 when malformed. */
static int stanza_identity(struct import *im, const struct apt_para *p, const char *what,
			   const struct cat_apt_source *s, struct pack_pkg *k)
{
	const char *why = NULL, *arch, *sha, *size;
	bool ours = false;

	k->name = text_of(im, p, "Package");
	k->version = text_of(im, p, "Version");
	arch = text_of(im, p, "Architecture");
	if (!cat_valid_name(k->name) || !ver_valid(k->version, &why)) {
		bad(im, what, p->line, "bad Package or Version in '%s' '%s'%s%s", k->name, k->version,
		    why ? ": " : "", why ? why : "");
		return -1;
	}
	for (size_t i = 0; i < (s->archs ? s->narchs : 1); i++)
		ours = ours || !strcmp(arch, s->archs ? s->archs[i] : CAT_APT_ARCH);
	if (!ours && strcmp(arch, "all"))
		return 0;
	k->arch = strcmp(arch, "all") ? arch : "";
	k->filename = text_of(im, p, "Filename");
	sha = text_of(im, p, "SHA256");
	size = text_of(im, p, "Size");
	if (!apt_safe_path(k->filename) || !is_hex64(sha) || parse_count(size, &k->deb_size) < 0) {
		bad(im, what, p->line, "'%s' version '%s' lacks a good Filename, Size or SHA256", k->name,
		    k->version);
		return -1;
	}
	memcpy(k->sha256, sha, 65);
	return 1;
}

/* One stanza of a Packages index into im->pkgs (skipped when it is for
 * another architecture). */
static void parse_stanza(struct import *im, const struct apt_para *p, const char *what,
			 const struct cat_apt_source *s, uint32_t src)
{
	struct pack_pkg k = {0};
	const char *isize, *dep, *ma;
	int rc = 0;

	if (stanza_identity(im, p, what, s, &k) <= 0)
		return;
	mention(im, k.name, strlen(k.name));
	rc |= canon(im, p, "Pre-Depends", &k.pre_depends, what, k.name);
	rc |= canon(im, p, "Depends", &dep, what, k.name);
	rc |= canon(im, p, "Conflicts", &k.conflicts, what, k.name);
	rc |= canon(im, p, "Breaks", &k.breaks, what, k.name);
	rc |= canon(im, p, "Recommends", &k.recommends, what, k.name);
	rc |= canon(im, p, "Suggests", &k.suggests, what, k.name);
	rc |= canon(im, p, "Replaces", &k.replaces, what, k.name);
	rc |= canon(im, p, "Enhances", &k.enhances, what, k.name);
	rc |= canon(im, p, "Provides", &k.provides, what, k.name);
	if (rc)
		return;
	if (*k.pre_depends && *dep) {
		char *both = xasprintf("%s, %s", k.pre_depends, dep);
		k.depends = sa_dup(&im->strs, both, strlen(both));
		free(both);
	} else {
		k.depends = *k.pre_depends ? k.pre_depends : dep;
	}
	isize = text_of(im, p, "Installed-Size");
	if (*isize && parse_count(isize, &k.installed_kib) < 0)
		bad(im, what, p->line, "bad Installed-Size '%s' of '%s'", isize, k.name);
	k.section = text_of(im, p, "Section");
	k.source = text_of(im, p, "Source");
	ma = text_of(im, p, "Multi-Arch");
	k.multi_arch = !strcmp(ma, "same") || !strcmp(ma, "foreign") || !strcmp(ma, "allowed") ? ma : "";
	k.priority = text_of(im, p, "Priority");
	k.scan = "";
	k.essential = yes(text_of(im, p, "Essential"));
	k.important = yes(text_of(im, p, "Important")) || yes(text_of(im, p, "Protected"));
	k.src = src;
	k.rank = (uint32_t)(uintptr_t)strmap_get(&im->ranks, k.name);
	if (im->npkgs >= APT_MAX_COUNT) {
		bad(im, what, p->line, "more than %u packages in one import", APT_MAX_COUNT);
		return;
	}
	xgrow((void **)&im->pkgs, &im->cappkgs, im->npkgs + 1, sizeof(*im->pkgs));
	im->pkgs[im->npkgs++] = k;
}

static int parse_packages(struct import *im, const char *text, size_t len, const char *what,
			  const struct cat_apt_source *s, uint32_t src)
{
	struct apt_para p;
	const char *pos = text, *why = NULL;
	unsigned line = 0, before = im->errors;
	int r;

	apt_para_init(&p);
	while ((r = apt_para_next(&pos, text + len, false, &p, &line, &why)) > 0)
		parse_stanza(im, &p, what, s, src);
	if (r < 0)
		bad(im, what, line, "malformed Packages index: %s", why);
	apt_para_release(&p);
	if (im->errors > MAX_ERRORS && before <= MAX_ERRORS)
		diag_note(im->d, LOC_NONE, "%u more errors in '%s' not shown", im->errors - MAX_ERRORS, what);
	return im->errors > before ? -1 : 0;
}

/* Fetch f (by hash when the Release says the repository serves that) and
 * check its size and SHA256. 1 fetched and good, 0 missing, -1 failed. */
static int fetch_index(struct import *im, const char *base, const struct apt_release_file *f, bool by_hash,
		       const char *what, char **path)
{
	const char *slash = strrchr(f->path, '/');
	char *url = NULL, got[65];
	int rc = 0;

	if (f->size > APT_MAX_PACKAGES) {
		diag_error(im->d, LOC_NONE, CAT_RULE, "'%s' is larger than %u MiB", what,
			   APT_MAX_PACKAGES >> 20);
		return -1;
	}
	if (slash && by_hash) {
		url = xasprintf("%s/%.*s/by-hash/SHA256/%s", base, (int)(slash - f->path), f->path,
				f->sha256);
		rc = stage(im, url, "Packages", f->size, 0, path);
		free(url);
		if (rc == 0)
			free(*path);
	}
	if (rc == 0)
		rc = stage(im, what, "Packages", f->size, 0, path);
	if (rc <= 0)
		return rc;
	if (sha256_file(*path, got) < 0) {
		diag_error(im->d, LOC_NONE, CAT_RULE, "cannot read '%s': %s", *path, strerror(errno));
		return -1;
	}
	if (strcmp(got, f->sha256)) {
		diag_error(im->d, LOC_NONE, CAT_RULE,
			   "'%s' has sha256:%s, but its Release lists sha256:%s: the index was altered or "
			   "is out of date",
			   what, got, f->sha256);
		return -1;
	}
	return 1;
}

/* The Packages index of comp/arch: the first the Release lists and the
 * repository has, of .xz, .gz and uncompressed. */
static int import_index(struct import *im, const struct cat_apt_source *s, const struct apt_release *r,
			const char *base, const char *comp, const char *arch, uint32_t src)
{
	static const char *const exts[] = {".xz", ".gz", ""};
	bool listed = false;
	int rc = 0;

	for (size_t i = 0; i < ARRAY_SIZE(exts) && rc == 0; i++) {
		char *rel = xasprintf("%s/binary-%s/Packages%s", comp, arch, exts[i]);
		const struct apt_release_file *f = apt_release_find(r, rel);
		char *what = xasprintf("%s/%s", base, rel), *path = NULL, *text = NULL;
		size_t len;
		if (f) {
			listed = true;
			rc = fetch_index(im, base, f, r->by_hash, what, &path);
		}
		if (rc > 0)
			rc = decompress(im, path, what, &text, &len) == 0
				     ? parse_packages(im, text, len, what, s, src) + 1
				     : -1;
		if (path)
			unlink(path);
		free(text);
		free(path);
		free(what);
		free(rel);
	}
	if (rc == 0)
		diag_error(im->d, LOC_NONE, CAT_RULE, "%s: no Packages index for %s/%s %s", base, comp, arch,
			   listed ? "could be fetched" : "is listed in the Release");
	return rc > 0 ? 0 : -1;
}

static int import_source(struct import *im, const struct cat_apt_source *s)
{
	char *base = dists_url(s), *text = NULL, *what = NULL;
	struct apt_release r = {0};
	size_t len;
	uint32_t src = add_uri(im, s->uri);
	int rc = -1;

	if (!fetch_supported(s->uri)) {
		diag_error(im->d, LOC_NONE, CAT_RULE,
			   "unsupported repository URI '%s' (file://, http://, https://)", s->uri);
		goto out;
	}
	if (fetch_release(im, s, base, &text, &len, &what) < 0 ||
	    apt_release_parse(text, len, what, &r, im->d) < 0 || check_release(im, s, &r, what) < 0 ||
	    check_rollback(im, s, &r, what) < 0)
		goto out;
	rc = 0;
	for (size_t c = 0; c < s->ncomponents; c++)
		for (size_t a = 0; a < (s->archs ? s->narchs : 1); a++)
			if (import_index(im, s, &r, base, s->components[c],
					 s->archs ? s->archs[a] : CAT_APT_ARCH, src) < 0)
				rc = -1;
out:
	apt_release_release(&r);
	free(text);
	free(what);
	free(base);
	return rc;
}

/* ---- committing ------------------------------------------------------------------- */

/* Add the packages of the pack the catalog has: new ranks come after its,
 * and its packages take the new rank of their name. Its packages sort
 * before the new ones, so where both have a package the old metadata (and
 * its scan results) stays (pack_write). */
static int add_old(struct import *im)
{
	char pack[72];
	struct cat_pack *old;
	size_t n, base = 0, nnew = im->npkgs;
	int rc = 0;

	if (index_header_read(im->dir, pack, im->d) < 0)
		return -1;
	if (!*pack)
		return 0;
	if (!(old = pack_load(im->dir, pack, im->d)))
		return -1;
	n = pack_count(old);
	if (nnew + n > APT_MAX_COUNT) {
		diag_error(im->d, LOC_NONE, CAT_RULE, "more than %u packages in the pack", APT_MAX_COUNT);
		pack_free(old);
		return -1;
	}
	xgrow((void **)&im->pkgs, &im->cappkgs, nnew + n, sizeof(*im->pkgs));
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct pack_pkg *k = &im->pkgs[im->npkgs];
		if (pack_get(old, i, k, im->d) < 0) {
			rc = -1;
			break;
		}
		pack_keep(&im->strs, k);
		k->src = add_uri(im, pack_src(old, k->src));
		k->seq = (uint32_t)i;
		if (k->rank >= base)
			base = k->rank + 1;
		im->npkgs++;
	}
	for (size_t i = 0; i < nnew; i++) {
		im->pkgs[i].rank += (uint32_t)base;
		im->pkgs[i].seq = (uint32_t)(n + i);
	}
	for (size_t i = nnew; i < im->npkgs; i++) {
		uintptr_t r = (uintptr_t)strmap_get(&im->ranks, im->pkgs[i].name);
		if (r)
			im->pkgs[i].rank = (uint32_t)(r + base);
	}
	pack_free(old);
	return rc;
}

static long commit(struct import *im)
{
	struct cat_pack *now;
	char pack[72];
	long rc = -1;

	for (size_t i = 0; i < im->npkgs; i++)
		im->pkgs[i].seq = (uint32_t)i;
	if (add_old(im) < 0 ||
	    pack_write(im->dir, im->pkgs, im->npkgs, (const char *const *)im->uris.v, im->uris.n, pack,
		       im->d) < 0 ||
	    dates_write(im) < 0 || index_header_write(im->dir, pack, im->d) < 0)
		return -1;
	now = pack_load(im->dir, pack, im->d);
	if (now) {
		rc = (long)pack_count(now);
		pack_prune(im->dir, now, PACK_PRUNE_AGE);
	}
	pack_free(now);
	return rc;
}

/* No space or control byte: a URI and a suite are written as words of
 * DIR/apt-releases lines (and a URL has none). */
static bool one_word(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static int check_source(const struct cat_apt_source *s, struct diag *d)
{
	if (s->uri && s->suite && (!one_word(s->uri) || !one_word(s->suite))) {
		diag_error(d, LOC_NONE, CAT_RULE,
			   "a repository's URI and suite hold no spaces or control characters");
		return -1;
	}
	if (!s->uri || !*s->uri || !s->suite || !*s->suite || strchr(s->suite, '/') ||
	    !strcmp(s->suite, "..")) {
		diag_error(d, LOC_NONE, CAT_RULE,
			   "a repository needs a URI and a suite (flat repositories, "
			   "whose suite ends in '/', are not supported)");
		return -1;
	}
	if (!s->ncomponents) {
		diag_error(d, LOC_NONE, CAT_RULE, "'%s' %s: no component given", s->uri, s->suite);
		return -1;
	}
	for (size_t i = 0; i < s->ncomponents; i++)
		if (!apt_safe_path(s->components[i])) {
			diag_error(d, LOC_NONE, CAT_RULE, "bad component '%s'", s->components[i]);
			return -1;
		}
	for (size_t i = 0; s->archs && i < s->narchs; i++)
		if (!cat_valid_name(s->archs[i])) {
			diag_error(d, LOC_NONE, CAT_RULE, "bad architecture '%s'", s->archs[i]);
			return -1;
		}
	return 0;
}

long cat_import_apt(const char *dir, const struct cat_apt_source *srcs, size_t n,
		    const struct cat_apt_opts *o, struct diag *d)
{
	struct import im = {.dir = dir,
			    .gpgv = o && o->gpgv ? o->gpgv : "gpgv",
			    .d = d,
			    .allow_rollback = o && o->allow_rollback};
	char *tmpdir = path_join(dir, "tmp");
	long rc = -1;
	int lock = -1;

	for (size_t i = 0; i < n; i++)
		if (check_source(&srcs[i], d) < 0)
			goto out;
	if (cat_check_dir(dir, d) < 0 || (lock = cat_lock(dir, d)) < 0 || dates_load(&im) < 0)
		goto out;
	im.tmp = path_join(tmpdir, "apt.XXXXXX");
	if (mkdir_p(tmpdir, 0755) < 0 || !mkdtemp(im.tmp)) {
		diag_file_error(d, tmpdir, 0, 0, CAT_RULE, "cannot create a temporary directory: %s",
				strerror(errno));
		free(im.tmp);
		im.tmp = NULL;
		goto out;
	}
	rc = 0;
	for (size_t i = 0; i < n; i++)
		if (import_source(&im, &srcs[i]) < 0)
			rc = -1;
	if (rc == 0)
		rc = commit(&im);
out:
	if (im.tmp)
		remove_tree(im.tmp);
	cat_unlock(lock);
	free(im.tmp);
	free(tmpdir);
	free(im.pkgs);
	strvec_clear(&im.uris);
	strmap_clear(&im.ranks);
	for (size_t i = 0; i < im.ndates; i++)
		free(im.dates[i].source);
	free(im.dates);
	sa_release(&im.strs);
	return rc;
}

/* ---- .sources files ----------------------------------------------------------------- */

void cat_apt_sources_release(struct cat_apt_sources *s)
{
	for (size_t i = 0; i < s->nlists; i++)
		free(s->lists[i]);
	free(s->lists);
	free(s->v);
	strvec_clear(&s->strs);
	memset(s, 0, sizeof(*s));
}

/* The words of a field, as a NULL-terminated array the sources own. */
static const char **words(struct cat_apt_sources *s, const struct apt_para *p, const char *field, size_t *n)
{
	char *t = apt_field_text(apt_para_get(p, field)), *save = NULL;
	const char **v = NULL;
	size_t cap = 0;

	*n = 0;
	for (char *w = strtok_r(t, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		strvec_push(&s->strs, w);
		xgrow((void **)&v, &cap, *n + 2, sizeof(*v));
		v[(*n)++] = s->strs.v[s->strs.n - 1];
		v[*n] = NULL;
	}
	free(t);
	if (v) {
		xgrow((void **)&s->lists, &s->caplists, s->nlists + 1, sizeof(*s->lists));
		s->lists[s->nlists++] = v;
	}
	return v;
}

static bool has_word(const char **v, size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], w))
			return true;
	return false;
}

static int sources_entry(struct cat_apt_sources *s, const struct apt_para *p, const char *file,
			 struct diag *d)
{
	size_t nt, nu, ns, nc, na, nk;
	const char **types = words(s, p, "Types", &nt), **uris = words(s, p, "URIs", &nu);
	const char **suites = words(s, p, "Suites", &ns), **comps = words(s, p, "Components", &nc);
	const char **archs = words(s, p, "Architectures", &na), **key = words(s, p, "Signed-By", &nk);

	if (!has_word(types, nt, "deb"))
		return 0;
	if (!nu || !ns) {
		diag_file_error(d, file, p->line, 0, CAT_RULE, "an entry needs URIs and Suites");
		return -1;
	}
	if (nk > 1 || (nk == 1 && key[0][0] != '/')) {
		diag_file_error(d, file, p->line, 0, CAT_RULE,
				"Signed-By must name a keyring file (keys inline or by fingerprint are not "
				"supported)");
		return -1;
	}
	for (size_t u = 0; u < nu; u++)
		for (size_t k = 0; k < ns; k++) {
			xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
			s->v[s->n++] = (struct cat_apt_source){
				uris[u], suites[k], comps, nc, na ? archs : NULL, na, nk ? key[0] : NULL};
		}
	return 0;
}

int cat_apt_sources_load(const char *file, struct cat_apt_sources *out, struct diag *d)
{
	struct apt_para p;
	char *text;
	size_t len;
	const char *pos, *why = NULL;
	unsigned line = 0;
	int r, rc = 0;

	memset(out, 0, sizeof(*out));
	if (read_file(file, &text, &len) < 0) {
		diag_file_error(d, file, 0, 0, CAT_RULE, "cannot read: %s", strerror(errno));
		return -1;
	}
	apt_para_init(&p);
	for (pos = text; (r = apt_para_next(&pos, text + len, true, &p, &line, &why)) > 0;) {
		char *en = apt_field_text(apt_para_get(&p, "Enabled"));
		if (strcasecmp(en, "no") && sources_entry(out, &p, file, d) < 0)
			rc = -1;
		free(en);
	}
	if (r < 0) {
		diag_file_error(d, file, line, 0, CAT_RULE, "%s", why);
		rc = -1;
	}
	if (rc == 0 && !out->n) {
		diag_file_error(d, file, 0, 0, CAT_RULE, "no enabled 'deb' entry");
		rc = -1;
	}
	if (rc < 0) /* nothing for the caller to release */
		cat_apt_sources_release(out);
	apt_para_release(&p);
	free(text);
	return rc;
}
