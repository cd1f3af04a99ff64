/* cat_remote.c - content on demand: the .deb of a pack primitive fetched
 * (at most two at once, resumable), checked against the SHA256 its
 * Packages stanza lists, imported as import-deb imports it (maintainer
 * scripts never run), and remembered:
 *
 *   DIR/tmp/debs/DEBHEX.deb[.part]  a .deb being fetched; removed once imported
 *   DIR/fetched/sha256/DEBHEX       "sha256:TARHEX\n": the content of that .deb
 *
 * Fetches run under the catalog's lock; the blob is placed before its
 * record is written, so a reader that finds the record finds the blob.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cat.h"
#include "cat_int.h"
#include "fetch.h"

static char *record_path(const struct cat_prim *p, struct diag *d)
{
	char hex[65];
	uint64_t size;

	if (pack_deb(p, hex, &size, NULL, d) < 0)
		return NULL;
	return xasprintf("%s/fetched/sha256/%s", p->cat->dir, hex);
}

int remote_lookup(struct cat_prim *p, struct diag *d)
{
	char *path = record_path(p, d), *text = NULL;
	size_t len;
	int rc = 0;

	if (!path)
		return -1;
	if (read_file(path, &text, &len) < 0) {
		if (errno != ENOENT)
			rc = -1, diag_file_error(d, path, 0, 0, CAT_RULE, "cannot read: %s", strerror(errno));
	} else if (len != 72 || text[71] != '\n' || (text[71] = '\0', !digest_valid(text))) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "malformed record of fetched content");
		rc = -1;
	} else {
		free(p->digest);
		p->digest = xstrdup(text);
	}
	free(text);
	free(path);
	return rc;
}

/* ---- fetching --------------------------------------------------------------------- */

/* A primitive whose content is wanted. */
struct want {
	struct cat_prim *p;
	char sha256[65];
	uint64_t size;
	char *url, *path; /* path: DIR/tmp/debs/SHA256.deb */
};

static void want_release(struct want *w)
{
	free(w->url);
	free(w->path);
}

/* Check the .deb of w against its stanza's SHA256, import its content and
 * remember it. The .deb is removed either way. */
static int import_one(struct want *w, bool allow_setuid, struct diag *d)
{
	const struct cat_prim *p = w->p;
	char *blobdir = path_join(p->cat->dir, "blobs/sha256"), *tmp = NULL, *rec = NULL, *rdir = NULL;
	char got[65], digest[72], *line;
	struct deb_ids ids = {0};
	uint64_t size;
	int rc = -1;

	if (sha256_file(w->path, got) < 0) {
		diag_error(d, LOC_NONE, CAT_RULE, "cannot read '%s': %s", w->path, strerror(errno));
		goto out;
	}
	if (strcmp(got, w->sha256)) {
		diag_error(d, LOC_NONE, CAT_RULE,
			   "'%s' has sha256:%s, but its Packages stanza lists sha256:%s: the .deb was "
			   "altered",
			   w->url, got, w->sha256);
		goto out;
	}
	if (deb_content(w->path, w->url, blobdir, allow_setuid, &ids, &tmp, digest, &size, d) < 0)
		goto out;
	if (!ids.package || strcmp(ids.package, p->name) || !ids.version || strcmp(ids.version, p->version) ||
	    !ids.arch || strcmp(ids.arch, p->arch ? p->arch : "all")) {
		diag_error(d, LOC_NONE, CAT_RULE, "'%s' is '%s' version '%s' (%s), not '%s' version '%s'",
			   w->url, ids.package ? ids.package : "?", ids.version ? ids.version : "?",
			   ids.arch ? ids.arch : "?", p->name, p->version);
		unlink(tmp);
		goto out;
	}
	rec = xasprintf("%s/fetched/sha256/%s", p->cat->dir, w->sha256);
	rdir = path_dirname(rec);
	line = xasprintf("%s\n", digest);
	if (cat_place_blob(p->cat->dir, tmp, digest, d) == 0) {
		if (mkdir_p(rdir, 0755) < 0 || write_file_atomic(rec, line, strlen(line), 0644) < 0)
			diag_file_error(d, rec, 0, 0, CAT_RULE, "cannot write: %s", strerror(errno));
		else
			rc = 0;
	}
	free(line);
out:
	if (rc == 0) {
		free(w->p->digest);
		w->p->digest = xstrdup(digest);
	}
	unlink(w->path);
	free(ids.package);
	free(ids.version);
	free(ids.arch);
	free(tmp);
	free(rec);
	free(rdir);
	free(blobdir);
	return rc;
}

/* The pack primitives of v from catalog cat whose content is not known yet
 * (looked up again: another process may have fetched it). */
static int missing(const struct catalog *cat, const struct cat_prim *const *v, size_t n, struct want **out,
		   size_t *nout, struct diag *d)
{
	size_t cap = 0;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < n; i++) {
		struct cat_prim *p = (struct cat_prim *)v[i]; /* the lazily filled cache */
		struct want w = {p, "", 0, NULL, NULL};
		if (p->cat != cat || !p->pack_index || (remote_lookup(p, d) == 0 && p->digest))
			continue;
		if (pack_deb(p, w.sha256, &w.size, &w.url, d) < 0) {
			rc = -1;
			continue;
		}
		w.path = xasprintf("%s/tmp/debs/%s.deb", cat->dir, w.sha256);
		xgrow((void **)out, &cap, *nout + 1, sizeof(**out));
		(*out)[(*nout)++] = w;
	}
	return rc;
}

/* Imports as the fetches finish, in order: a want whose .deb was there
 * already is imported before the next fetched one. */
struct importer {
	struct want *w;
	size_t nw, next; /* next want to import */
	bool allow_setuid;
	struct fetch_item *items;
	struct diag *d;
	int failed;
};

/* Item i was fetched (or failed); SIZE_MAX: import all that is left. */
static void imported(void *ctx, size_t i)
{
	struct importer *ic = ctx;
	const char *until = i == SIZE_MAX ? NULL : ic->items[i].path;

	for (; ic->next < ic->nw; ic->next++) {
		struct want *w = &ic->w[ic->next];
		bool last = until && !strcmp(w->path, until);
		if (last && ic->items[i].status < 0) {
			diag_error(ic->d, LOC_NONE, CAT_RULE, "cannot fetch the content of '%s': %s", w->url,
				   ic->items[i].error);
			ic->failed = 1;
		} else if (import_one(w, ic->allow_setuid, ic->d) < 0) {
			ic->failed = 1;
		}
		if (last) {
			ic->next++;
			break;
		}
	}
}

static int fetch_catalog(const struct catalog *cat, const struct cat_prim *const *v, size_t n,
			 const struct cat_fetch_opts *o, struct diag *d)
{
	char *debs = path_join(cat->dir, "tmp/debs");
	struct fetch_item *items = NULL;
	struct want *w = NULL;
	struct importer ic;
	size_t nw = 0, nitems = 0;
	int lock = cat_lock(cat->dir, d), rc = -1;

	if (lock < 0 || missing(cat, v, n, &w, &nw, d) < 0)
		goto out;
	if (nw && mkdir_p(debs, 0755) < 0) {
		diag_file_error(d, debs, 0, 0, CAT_RULE, "cannot create directory: %s", strerror(errno));
		goto out;
	}
	items = xcalloc(nw + 1, sizeof(*items));
	for (size_t i = 0; i < nw; i++) {
		struct stat st;
		if (stat(w[i].path, &st) == 0 && (uint64_t)st.st_size == w[i].size)
			continue; /* fetched by a run that stopped before importing it */
		items[nitems++] = (struct fetch_item){
			.url = w[i].url, .path = w[i].path, .size = w[i].size, .resume = true};
	}
	ic = (struct importer){w, nw, 0, o && o->allow_setuid, items, d, 0};
	fetch_many(items, nitems, o && o->parallel ? o->parallel : 2, o ? o->progress : NULL,
		   o ? o->ctx : NULL, imported, &ic);
	imported(&ic, SIZE_MAX); /* the wants that needed no fetch after the last */
	rc = ic.failed ? -1 : 0;
out:
	for (size_t i = 0; i < nitems; i++)
		fetch_item_release(&items[i]);
	for (size_t i = 0; i < nw; i++)
		want_release(&w[i]);
	free(items);
	free(w);
	free(debs);
	cat_unlock(lock);
	return rc;
}

int cat_fetch(const struct cat_prim *const *v, size_t n, const struct cat_fetch_opts *o, struct diag *d)
{
	const struct catalog **cats = xcalloc(n + 1, sizeof(*cats));
	size_t ncats = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		struct cat_prim *p = (struct cat_prim *)v[i]; /* the lazily filled cache */
		bool seen = false;
		if (!p->pack_index || (remote_lookup(p, d) == 0 && p->digest))
			continue;
		if (o && o->offline) {
			diag_error(
				d, LOC_NONE, CAT_RULE,
				"the content of '%s' version '%s' was never fetched, and offline it cannot "
				"be",
				p->name, p->version);
			rc = -1;
			continue;
		}
		for (size_t j = 0; j < ncats && !seen; j++)
			seen = cats[j] == p->cat;
		if (!seen)
			cats[ncats++] = p->cat;
	}
	for (size_t i = 0; i < ncats && rc == 0; i++)
		if (fetch_catalog(cats[i], v, n, o, d) < 0)
			rc = -1;
	free(cats);
	return rc;
}
