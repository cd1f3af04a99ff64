/* cat_remote.c - content on demand: the .deb of a pack primitive fetched
 * (at most two at once, resumable), checked against the SHA256 its
 * Packages stanza lists, imported as import-deb imports it (maintainer
 * scripts never run), and remembered:
 *
 *   DIR/tmp/debs/DEBHEX.deb[.part]  a .deb being fetched; removed once imported
 *   DIR/fetched/sha256/DEBHEX       "sha256:TARHEX\nsha256:INFOHEX\n": the content of
 *                                   that .deb and its package data (cat_debinfo.c);
 *                                   a record of an older cpolc has the first line only
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

int cat_fetched_parse(char *text, size_t len)
{
	if ((len != 72 && len != 144) || text[71] != '\n' || (text[71] = '\0', !digest_valid(text)))
		return -1;
	if (len == 144 && (text[143] != '\n' || (text[143] = '\0', !digest_valid(text + 72))))
		return -1;
	return 0;
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
	} else if (cat_fetched_parse(text, len) < 0) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "malformed record of fetched content");
		rc = -1;
	} else {
		cat_touch(p);
		free(p->digest);
		p->digest = xstrdup(text);
		free(p->deb_info);
		p->deb_info = len > 72 ? xstrdup(text + 72) : NULL;
	}
	free(text);
	free(path);
	return rc;
}

/* ---- fetching --------------------------------------------------------------------- */

/* A primitive whose content is wanted: its .deb is checked and imported
 * into a temporary blob in a fetching thread (prepare), then committed in
 * the caller's, in order (commit). */
struct want {
	struct cat_prim *p;
	char sha256[65];
	uint64_t size;
	char *url, *path; /* path: DIR/tmp/debs/SHA256.deb */
	size_t item;	  /* its fetch item */
	/* prepare's results */
	int ok;	   /* 1 prepared, -1 failed */
	char *tmp; /* the content, a blob to place */
	char digest[72];
	struct deb_info info; /* its package data, a blob to place */
	struct diag d;	      /* what prepare found, moved to the caller's in order */
};

static void want_release(struct want *w)
{
	if (w->tmp)
		unlink(w->tmp);
	free(w->tmp);
	free(w->info.text);
	free(w->url);
	free(w->path);
	diag_release(&w->d);
}

/* The .deb matches the SHA256 of its stanza. */
static int check_deb(struct want *w)
{
	char got[65];

	if (sha256_file(w->path, got) < 0) {
		diag_error(&w->d, LOC_NONE, CAT_RULE, "cannot read '%s': %s", w->path, strerror(errno));
		return -1;
	}
	if (strcmp(got, w->sha256)) {
		diag_error(
			&w->d, LOC_NONE, CAT_RULE,
			"'%s' has sha256:%s, but its Packages stanza lists sha256:%s: the .deb was altered",
			w->url, got, w->sha256);
		return -1;
	}
	return 0;
}

/* Check the .deb and import its content into a temporary blob; the .deb
 * is removed either way. Touches only w: it runs in a fetching thread. */
static void prepare(struct want *w, bool allow_setuid)
{
	const struct cat_prim *p = w->p;
	char *blobdir = path_join(p->cat->dir, "blobs/sha256");
	struct deb_ids ids = {0};
	uint64_t size;

	w->ok = -1;
	if (check_deb(w) == 0 && deb_content(w->path, blobdir, allow_setuid, &ids, &w->tmp, w->digest, &size,
					     &w->info, &w->d) == 0) {
		if (!ids.package || strcmp(ids.package, p->name) || !ids.version ||
		    strcmp(ids.version, p->version) || !ids.arch ||
		    strcmp(ids.arch, p->arch ? p->arch : "all"))
			diag_error(&w->d, LOC_NONE, CAT_RULE,
				   "'%s' is '%s' version '%s' (%s), not '%s' version '%s'", w->url,
				   ids.package ? ids.package : "?", ids.version ? ids.version : "?",
				   ids.arch ? ids.arch : "?", p->name, p->version);
		else
			w->ok = 1;
	}
	if (w->ok < 0) /* the messages name the file: say what it was */
		diag_note(&w->d, LOC_NONE, "the .deb of '%s' version '%s', from '%s'", p->name, p->version,
			  w->url);
	unlink(w->path);
	free(ids.package);
	free(ids.version);
	free(ids.arch);
	free(blobdir);
}

/* Place the blob, then the record of what .deb it came from. */
static int commit(struct want *w, struct diag *d)
{
	const char *dir = w->p->cat->dir;
	char *rec = xasprintf("%s/fetched/sha256/%s", dir, w->sha256), *rdir = path_dirname(rec);
	char *line = xasprintf("%s\n%s\n", w->digest, w->info.digest);
	int rc = -1;

	diag_move(d, &w->d);
	if (w->ok > 0 && cat_place_bytes(dir, w->info.text, w->info.len, w->info.digest, d) == 0 &&
	    cat_place_blob(dir, w->tmp, w->digest, d) == 0) {
		if (mkdir_p(rdir, 0755) < 0 || write_file_atomic(rec, line, strlen(line), 0644) < 0) {
			diag_file_error(d, rec, 0, 0, CAT_RULE, "cannot write: %s", strerror(errno));
		} else {
			cat_touch(w->p);
			free(w->p->digest);
			w->p->digest = xstrdup(w->digest);
			free(w->p->deb_info);
			w->p->deb_info = xstrdup(w->info.digest);
			rc = 0;
		}
	}
	free(w->tmp); /* placed or removed */
	w->tmp = NULL;
	free(line);
	free(rec);
	free(rdir);
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
		struct want w = {.p = p, .item = SIZE_MAX};
		if (p->cat != cat || !p->pack_index || (remote_lookup(p, d) == 0 && p->digest))
			continue;
		if (pack_deb(p, w.sha256, &w.size, &w.url, d) < 0) {
			rc = -1;
			continue;
		}
		w.path = xasprintf("%s/tmp/debs/%s.deb", cat->dir, w.sha256);
		diag_init(&w.d);
		xgrow((void **)out, &cap, *nout + 1, sizeof(**out));
		(*out)[(*nout)++] = w;
	}
	return rc;
}

/* The wants and their fetches, for the hooks. */
struct importer {
	struct want *w;
	size_t nw, next; /* next want to commit */
	size_t *want_of; /* item -> want */
	bool allow_setuid, download_only;
	struct fetch_item *items;
	struct diag *d;
	int failed;
};

static void work_on(const struct importer *ic, struct want *w)
{
	if (!ic->download_only)
		prepare(w, ic->allow_setuid);
	else if ((w->ok = check_deb(w) == 0 ? 1 : -1) < 0)
		unlink(w->path);
}

/* In a fetching thread, item i fetched. */
static void work(void *ctx, size_t i)
{
	struct importer *ic = ctx;

	work_on(ic, &ic->w[ic->want_of[i]]);
}

/* In the caller's thread: commit the wants up to item i's (SIZE_MAX: all
 * that are left). */
static void done(void *ctx, size_t i)
{
	struct importer *ic = ctx;
	size_t until = i == SIZE_MAX ? ic->nw : ic->want_of[i] + 1;

	for (; ic->next < until; ic->next++) {
		struct want *w = &ic->w[ic->next];
		if (w->item != SIZE_MAX && ic->items[w->item].status < 0) {
			diag_error(ic->d, LOC_NONE, CAT_RULE, "cannot fetch the content of '%s': %s", w->url,
				   ic->items[w->item].error);
			ic->failed = 1;
			continue;
		}
		if (ic->download_only) {
			diag_move(ic->d, &w->d);
			ic->failed |= w->ok < 0;
		} else if (commit(w, ic->d) < 0) {
			ic->failed = 1;
		}
	}
}

static int fetch_catalog(const struct catalog *cat, const struct cat_prim *const *v, size_t n,
			 const struct cat_fetch_opts *o, struct diag *d)
{
	char *debs = path_join(cat->dir, "tmp/debs");
	struct importer ic = {
		.allow_setuid = o && o->allow_setuid, .download_only = o && o->download_only, .d = d};
	struct fetch_hooks hooks = {o ? o->progress : NULL, o ? o->ctx : NULL, work, done, &ic};
	size_t nitems = 0;
	int lock = cat_lock(cat->dir, d), rc = -1;

	if (lock < 0 || missing(cat, v, n, &ic.w, &ic.nw, d) < 0)
		goto out;
	if (ic.nw && mkdir_p(debs, 0755) < 0) {
		diag_file_error(d, debs, 0, 0, CAT_RULE, "cannot create directory: %s", strerror(errno));
		goto out;
	}
	ic.items = xcalloc(ic.nw + 1, sizeof(*ic.items));
	ic.want_of = xcalloc(ic.nw + 1, sizeof(*ic.want_of));
	for (size_t i = 0; i < ic.nw; i++) {
		struct stat st;
		ic.want_of[nitems] = i;
		ic.w[i].item = nitems;
		ic.items[nitems++] = (struct fetch_item){
			.url = ic.w[i].url,
			.path = ic.w[i].path,
			.size = ic.w[i].size,
			.resume = true,
			/* fetched by a run that stopped before importing it */
			.have = stat(ic.w[i].path, &st) == 0 && (uint64_t)st.st_size == ic.w[i].size};
	}
	fetch_many(ic.items, nitems, o && o->parallel ? o->parallel : 2, &hooks);
	done(&ic, SIZE_MAX); /* the wants after the last fetched one */
	rc = ic.failed ? -1 : 0;
out:
	for (size_t i = 0; i < nitems; i++)
		fetch_item_release(&ic.items[i]);
	for (size_t i = 0; i < ic.nw; i++)
		want_release(&ic.w[i]);
	free(ic.items);
	free(ic.want_of);
	free(ic.w);
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
