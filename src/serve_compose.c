/* serve_compose.c - the compositions of cpolc serve.
 *
 * A pull of NAME:REF by a client is answered from a memo for as long as the
 * files that decided it (the policy's modules, the request file, each
 * catalog's index, the index of the `from` image's layout) keep the stat
 * stamps they had, so a warm pull costs a few stat calls. When one changed,
 * the composition key is worked out from content: the digests of the
 * policy's modules, of the canonical request (with input.client), of each
 * catalog's index and of the `from` image's manifest (the policy is
 * evaluated without catalogs to learn which image that is). A key composed before
 * (by this process, an earlier one, or for another client whose request is
 * the same) is a lookup; a new key runs `cpolc build` in a child process,
 * at most max_compositions at once, into the state's layout under the tag
 * KEY, so that what is served is exactly what `cpolc build` gives.
 * Identical pulls in flight wait for the first.
 */
#include "config.h"

#include "serve_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "build.h"
#include "cache.h"
#include "lock.h"
#include "module.h"
#include "oci.h"

#define REQUEST_MAX_BYTES  (1u << 20)
#define MANIFEST_MAX_BYTES (4u << 20)
#define STDERR_MAX_BYTES   (256u << 10)
#define REFS_MAX	   16 /* referrers of one composition served */

/* A file that decided a pull, and its stamp then ("" when missing). */
struct watch {
	char *path, *stamp;
};

/* The memo of one NAME:REF for one client. */
struct pull {
	struct watch *watch;
	size_t nwatch;
	bool busy;	/* being worked out by one thread; the others wait */
	bool transient; /* a failure that may not recur: not kept */
	enum serve_status status;
	struct serve_comp *comp;
	char *message;
};

struct catident {
	char *stamp;
	char digest[72];
};

struct serve_composer {
	const struct serve_opts *o;
	struct serve_log *audit;
	struct serve_store *store; /* or NULL */
	char *layout, *compdir, *reqdir, *lockdir, *remotedir;
	pthread_mutex_t mu;
	pthread_cond_t changed;	 /* a pull finished, or a slot freed */
	struct strmap comps;	 /* KEY -> serve_comp */
	struct strmap manifests; /* NAME \1 IDENTITY \1 DIGEST -> serve_comp */
	struct strmap blobs;	 /* NAME \1 IDENTITY \1 DIGEST -> non-NULL */
	struct strmap pulls;	 /* NAME \1 REF \1 IDENTITY \1 ROLES -> pull */
	struct strmap catids;	 /* index path -> catident */
	unsigned running, waiting;
	/* collection (serve_collect): the keys being removed from disk, whose
	 * composition waits; compositions collected, kept (a few KB each) for
	 * the threads that may still hold them, freed at the end */
	struct strmap collecting;
	struct serve_comp **gone;
	size_t ngone, capgone;
	pthread_t gc_thread;
	pthread_cond_t gc_wake;
	bool gc_started, stopping;
};

static char *stamp_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? cache_stamp(&st) : xstrdup("");
}

/* ---- names -------------------------------------------------------------- */

static bool alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool serve_valid_name(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > 255)
		return false;
	for (const char *p = name; *p;) {
		if (!alnum_lower(*p))
			return false; /* a component starts alphanumeric */
		while (*p && *p != '/') {
			if (alnum_lower(*p)) {
				p++;
				continue;
			}
			if ((*p != '.' && *p != '_' && *p != '-') || !alnum_lower(p[1]))
				return false;
			p++;
		}
		if (*p == '/' && !*++p)
			return false;
	}
	return true;
}

/* DIR/NAME.cpol, else DIR/NAME.cpolb, when it is a regular file; else NULL. */
static char *policy_path(struct serve_composer *c, const char *name)
{
	static const char *const exts[] = {".cpol", ".cpolb"};
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		char *p = xasprintf("%s/%s%s", c->o->policies, name, exts[i]);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			return p;
		free(p);
	}
	return NULL;
}

bool serve_has_policy(struct serve_composer *c, const char *name)
{
	char *p = policy_path(c, name);

	free(p);
	return p != NULL;
}

char **serve_tags(struct serve_composer *c, const char *name, size_t *n)
{
	char *dir, **v = NULL;
	size_t cap = 0;
	struct dirent *e;
	DIR *dh;

	*n = 0;
	if (!serve_has_policy(c, name))
		return NULL;
	dir = xasprintf("%s/%s", c->o->policies, name);
	dh = opendir(dir);
	while (dh && (e = readdir(dh))) {
		size_t len = strlen(e->d_name);
		char *tag;
		if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		tag = xstrndup(e->d_name, len - 5);
		if (!tag_valid(tag)) {
			free(tag);
			continue;
		}
		xgrow((void **)&v, &cap, *n + 1, sizeof(*v));
		v[(*n)++] = tag;
	}
	if (dh)
		closedir(dh);
	free(dir);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_strp);
	return v ? v : xcalloc(1, sizeof(*v));
}

char *serve_blob_path(struct serve_composer *c, const char *digest)
{
	return xasprintf("%s/blobs/sha256/%s", c->layout, digest + 7);
}

/* ---- known compositions ------------------------------------------------- */

static char *key3(const char *a, const char *b, const char *cc)
{
	return xasprintf("%s\x01%s\x01%s", a, b, cc);
}

/* Parse a manifest's blobs into comp. 0, or -1 when it is no image manifest. */
static int manifest_blobs(struct serve_comp *comp)
{
	json_t *m = json_loadb(comp->bytes, comp->len, 0, NULL), *layers, *l;
	const char *cfg = json_string_value(json_object_get(json_object_get(m, "config"), "digest"));
	const char *mt = json_string_value(json_object_get(m, "mediaType"));
	size_t i;

	layers = json_object_get(m, "layers");
	if (!cfg || !digest_valid(cfg) || !json_is_array(layers)) {
		json_decref(m);
		return -1;
	}
	comp->media_type = xstrdup(mt ? mt : "application/vnd.oci.image.manifest.v1+json");
	comp->blobs = xcalloc(json_array_size(layers) + 1, sizeof(*comp->blobs));
	comp->blobs[comp->nblobs++] = xstrdup(cfg);
	json_array_foreach(layers, i, l)
	{
		const char *dg = json_string_value(json_object_get(l, "digest"));
		if (dg && digest_valid(dg))
			comp->blobs[comp->nblobs++] = xstrdup(dg);
	}
	json_decref(m);
	return 0;
}

/* The blob of digest read from path, when it is a regular file of at most
 * MANIFEST_MAX_BYTES that hashes to it; else NULL. */
static char *read_checked(const char *path, const char *digest, size_t *len)
{
	struct stat st;
	char *bytes = NULL, hex[65];

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MANIFEST_MAX_BYTES ||
	    read_file(path, &bytes, len) < 0)
		return NULL;
	sha256_hex(bytes, *len, hex);
	if (strcmp(hex, digest + 7)) {
		free(bytes);
		return NULL;
	}
	return bytes;
}

/* Read manifest digest of the state layout into comp. 0 or -1. */
static int read_manifest(struct serve_composer *c, struct serve_comp *comp)
{
	char *path = comp->remote ? path_join(c->remotedir, comp->manifest + 7)
				  : serve_blob_path(c, comp->manifest);

	comp->bytes = read_checked(path, comp->manifest, &comp->len);
	free(path);
	return comp->bytes ? manifest_blobs(comp) : -1;
}

/* Add the digest of descriptor desc to comp's blobs, when it is one. */
static void add_blob(struct serve_comp *comp, const json_t *desc, size_t *cap)
{
	const char *dg = json_string_value(json_object_get(desc, "digest"));

	if (!dg || !digest_valid(dg))
		return;
	xgrow((void **)&comp->blobs, cap, comp->nblobs + 1, sizeof(*comp->blobs));
	comp->blobs[comp->nblobs++] = xstrdup(dg);
}

/* The referrers of comp's manifest among refs (oci_referrers of the
 * layout), at most REFS_MAX: their manifests, checked against their
 * digests, and their blobs, which comp then serves too. One that does not
 * hold up is left out. */
static void attach_referrers(struct serve_composer *c, struct serve_comp *comp, const json_t *refs)
{
	const json_t *e, *l;
	size_t i, k, cap = comp->nblobs;

	json_array_foreach(json_object_get(refs, comp->manifest), i, e)
	{
		const char *dg = json_string_value(json_object_get(e, "digest")), *type;
		char *path, *bytes;
		size_t len = 0;
		struct serve_ref *r;
		json_t *m;
		if (!dg || !digest_valid(dg) || comp->nrefs >= REFS_MAX)
			continue;
		path = serve_blob_path(c, dg);
		bytes = read_checked(path, dg, &len);
		free(path);
		if (!bytes || !(m = json_loadb(bytes, len, 0, NULL))) {
			free(bytes);
			continue;
		}
		comp->refs = xrealloc(comp->refs, (comp->nrefs + 1) * sizeof(*comp->refs));
		r = &comp->refs[comp->nrefs++];
		memcpy(r->digest, dg, 72);
		r->bytes = bytes, r->len = len;
		type = json_string_value(json_object_get(e, "artifactType"));
		r->type = xstrdup(type ? type : "");
		r->desc = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
		add_blob(comp, json_object_get(m, "config"), &cap);
		json_array_foreach(json_object_get(m, "layers"), k, l) add_blob(comp, l, &cap);
		json_decref(m);
	}
}

const struct serve_ref *serve_comp_ref(const struct serve_comp *comp, const char *digest)
{
	for (size_t i = 0; i < comp->nrefs; i++)
		if (!strcmp(comp->refs[i].digest, digest))
			return &comp->refs[i];
	return NULL;
}

static void comp_free(struct serve_comp *comp)
{
	if (!comp)
		return;
	free(comp->name);
	free(comp->ref);
	free(comp->identity);
	free(comp->bytes);
	free(comp->media_type);
	for (size_t i = 0; i < comp->nblobs; i++)
		free(comp->blobs[i]);
	free(comp->blobs);
	for (size_t i = 0; i < comp->nrefs; i++) {
		free(comp->refs[i].bytes);
		free(comp->refs[i].type);
		free(comp->refs[i].desc);
	}
	free(comp->refs);
	free(comp);
}

/* Let comp's manifest and blobs be fetched by digest (under c->mu). */
static void name_content(struct serve_composer *c, struct serve_comp *comp)
{
	char *k = key3(comp->name, comp->identity, comp->manifest);

	strmap_put(&c->manifests, k, comp);
	free(k);
	for (size_t i = 0; i < comp->nrefs; i++) {
		k = key3(comp->name, comp->identity, comp->refs[i].digest);
		strmap_put(&c->manifests, k, comp);
		free(k);
	}
	for (size_t i = 0; i < comp->nblobs; i++) {
		k = key3(comp->name, comp->identity, comp->blobs[i]);
		strmap_put(&c->blobs, k, comp);
		free(k);
	}
}

/* Make comp known (under c->mu). Takes it; returns the one kept. */
static struct serve_comp *add_comp(struct serve_composer *c, struct serve_comp *comp)
{
	struct serve_comp *old = strmap_get(&c->comps, comp->key);

	if (old) {
		comp_free(comp);
		return old;
	}
	strmap_put(&c->comps, comp->key, comp);
	name_content(c, comp);
	return comp;
}

/* Load STATE/compositions/KEY.json; NULL when it does not hold up. */
static struct serve_comp *load_comp(struct serve_composer *c, const char *file)
{
	char *path = path_join(c->compdir, file), *dg;
	json_error_t jerr;
	json_t *j = json_load_regular(path, REQUEST_MAX_BYTES, JSON_REJECT_DUPLICATES, &jerr);
	const char *key = json_string_value(json_object_get(j, "key")),
		   *name = json_string_value(json_object_get(j, "name")),
		   *ref = json_string_value(json_object_get(j, "ref")),
		   *identity = json_string_value(json_object_get(j, "identity")),
		   *manifest = json_string_value(json_object_get(j, "manifest"));
	struct serve_comp *comp = NULL;
	bool remote = json_is_true(json_object_get(j, "remote"));
	struct stat st;
	time_t used = stat(path, &st) == 0 ? st.st_mtime : 0;

	free(path);
	/* the key names files (the lock, the request, this record, a tag): 64
	 * hex digits, the record's own name, nothing else */
	dg = key ? xasprintf("sha256:%s", key) : NULL;
	if (dg && digest_valid(dg) && !strncmp(file, key, 64) && name && ref && identity && manifest &&
	    digest_valid(manifest) && serve_valid_name(name) && tag_valid(ref)) {
		comp = xcalloc(1, sizeof(*comp));
		memcpy(comp->key, key, 65);
		comp->name = xstrdup(name);
		comp->ref = xstrdup(ref);
		comp->identity = xstrdup(identity);
		memcpy(comp->manifest, manifest, 72);
		comp->remote = remote;
		comp->used = used;
		if (read_manifest(c, comp) < 0) {
			comp_free(comp);
			comp = NULL;
		}
	}
	free(dg);
	json_decref(j);
	return comp;
}

/* The compositions a previous run left, in name order. */
static void load_comps(struct serve_composer *c)
{
	struct dirent *e;
	DIR *dh = opendir(c->compdir);
	struct strvec files = STRVEC_INIT;
	json_t *refs;

	while (dh && (e = readdir(dh)))
		if (strlen(e->d_name) == 69 && !strcmp(e->d_name + 64, ".json"))
			strvec_push(&files, e->d_name);
	if (dh)
		closedir(dh);
	if (files.n)
		qsort(files.v, files.n, sizeof(*files.v), cmp_strp);
	refs = files.n ? oci_referrers(c->layout) : NULL;
	for (size_t i = 0; i < files.n; i++) {
		struct serve_comp *comp = load_comp(c, files.v[i]);
		if (comp && !comp->remote)
			attach_referrers(c, comp, refs);
		if (comp)
			add_comp(c, comp);
	}
	json_decref(refs);
	strvec_clear(&files);
}

/* ---- collection ----------------------------------------------------------
 *
 * With --gc-after, a composition nobody pulled for that long goes: first
 * from memory (no map names it, no memo holds it; a pull of its key waits
 * until its files are gone, then composes again), then its tag from the
 * state layout with the blobs no other tag references, its record and its
 * request; its lock stays with the audit log. A pass runs at start and
 * every gc_after / 4 (1 s to 1 h). When a composition was last pulled is
 * kept in memory and written to its record's mtime on each pass, so a
 * restart goes on from there. */

static void pull_reset(struct pull *p);
static char *diag_text(struct diag *d);

/* Forget the compositions pulled last before cutoff (under c->mu): their
 * keys into keys (marked collecting), remote manifests into remote. */
static void forget_stale(struct serve_composer *c, time_t cutoff, struct strvec *keys, struct strvec *remote)
{
	for (size_t i = 0; i < c->comps.cap; i++) {
		struct serve_comp *comp = c->comps.v[i].val;
		if (!comp || comp->used > cutoff)
			continue;
		strvec_push(keys, comp->key);
		if (comp->remote)
			strvec_push(remote, comp->manifest);
		strmap_put(&c->collecting, comp->key, comp);
		strmap_put(&c->comps, comp->key, NULL);
		xgrow((void **)&c->gone, &c->capgone, c->ngone + 1, sizeof(*c->gone));
		c->gone[c->ngone++] = comp;
	}
	if (!keys->n)
		return;
	for (size_t i = 0; i < c->pulls.cap; i++) {
		struct pull *p = c->pulls.v[i].val;
		if (p && !p->busy && p->comp && strmap_get(&c->collecting, p->comp->key))
			pull_reset(p); /* worked out again at its next pull */
	}
	/* what is fetched by digest: the compositions that stay */
	strmap_clear(&c->manifests);
	strmap_clear(&c->blobs);
	for (size_t i = 0; i < c->comps.cap; i++)
		if (c->comps.v[i].val)
			name_content(c, c->comps.v[i].val);
}

static void audit_collected(struct serve_composer *c, const struct serve_comp *comp)
{
	char now[32], *line;
	json_t *rec;

	serve_now(now);
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "time", now, "event", "collected", "identity",
			comp->identity, "name", comp->name, "reference", comp->ref, "key", comp->key,
			"manifest", comp->manifest);
	line = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (serve_log_append(c->audit, line) < 0 && c->o->log)
		c->o->log(c->o->log_ctx, "gc: cannot append to the audit log");
	free(line);
	json_decref(rec);
}

/* The files of the forgotten keys: the layout's tags (and the blobs only
 * they referenced), the records and the requests; remote manifests no
 * remaining composition names. Then their keys may be composed again. */
static void remove_files(struct serve_composer *c, const struct strvec *keys, const struct strvec *remote)
{
	struct diag d;
	bool untagged;

	diag_init(&d);
	untagged = oci_layout_untag(c->layout, (const char *const *)keys->v, keys->n, &d) == 0;
	for (size_t i = 0; i < keys->n; i++) {
		char *rec = xasprintf("%s/%s.json", c->compdir, keys->v[i]);
		char *req = xasprintf("%s/%s.json", c->reqdir, keys->v[i]);
		const struct serve_comp *comp;
		if (untagged) /* else the next start loads it, and a pass tries again */
			unlink(rec);
		unlink(req);
		pthread_mutex_lock(&c->mu);
		comp = strmap_get(&c->collecting, keys->v[i]); /* kept in c->gone */
		pthread_mutex_unlock(&c->mu);
		audit_collected(c, comp); /* an fsync: not under the lock */
		pthread_mutex_lock(&c->mu);
		strmap_put(&c->collecting, keys->v[i], NULL);
		pthread_mutex_unlock(&c->mu);
		free(rec);
		free(req);
	}
	for (size_t i = 0; i < remote->n; i++) {
		bool named = false;
		pthread_mutex_lock(&c->mu);
		for (size_t k = 0; k < c->comps.cap && !named; k++) {
			const struct serve_comp *comp = c->comps.v[k].val;
			named = comp && !strcmp(comp->manifest, remote->v[i]);
		}
		if (!named) {
			char *path = path_join(c->remotedir, remote->v[i] + 7);
			unlink(path);
			free(path);
		}
		pthread_mutex_unlock(&c->mu);
	}
	if (!untagged && c->o->log) {
		char *msg = diag_text(&d), *line = xasprintf("gc: %s", msg);
		c->o->log(c->o->log_ctx, line);
		free(line);
		free(msg);
	}
	diag_release(&d);
	pthread_mutex_lock(&c->mu);
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->mu);
}

/* When each remaining composition was pulled last, as its record's mtime. */
static void stamp_used(struct serve_composer *c)
{
	struct strvec keys = STRVEC_INIT;
	time_t *used = NULL;
	size_t cap = 0;

	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < c->comps.cap; i++) {
		const struct serve_comp *comp = c->comps.v[i].val;
		if (!comp)
			continue;
		xgrow((void **)&used, &cap, keys.n + 1, sizeof(*used));
		used[keys.n] = comp->used;
		strvec_push(&keys, comp->key);
	}
	pthread_mutex_unlock(&c->mu);
	for (size_t i = 0; i < keys.n; i++) {
		char *rec = xasprintf("%s/%s.json", c->compdir, keys.v[i]);
		struct timespec t[2] = {{.tv_sec = used[i]}, {.tv_sec = used[i]}};
		struct stat st;
		if (stat(rec, &st) == 0 && st.st_mtime < used[i])
			utimensat(AT_FDCWD, rec, t, 0);
		free(rec);
	}
	strvec_clear(&keys);
	free(used);
}

static void collect_pass(struct serve_composer *c)
{
	struct strvec keys = STRVEC_INIT, remote = STRVEC_INIT;

	pthread_mutex_lock(&c->mu);
	forget_stale(c, time(NULL) - (time_t)c->o->gc_after, &keys, &remote);
	pthread_mutex_unlock(&c->mu);
	if (keys.n)
		remove_files(c, &keys, &remote);
	stamp_used(c);
	strvec_clear(&keys);
	strvec_clear(&remote);
}

static void *gc_main(void *arg)
{
	struct serve_composer *c = arg;
	unsigned every = c->o->gc_after / 4;

	every = every < 1 ? 1 : every > 3600 ? 3600 : every;
	pthread_mutex_lock(&c->mu);
	while (!c->stopping) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += every;
		pthread_cond_timedwait(&c->gc_wake, &c->mu, &ts);
		if (c->stopping)
			break;
		pthread_mutex_unlock(&c->mu);
		collect_pass(c);
		pthread_mutex_lock(&c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* ---- the composer ------------------------------------------------------- */

struct serve_composer *serve_composer_new(const struct serve_opts *o, struct serve_log *audit,
					  struct serve_store *store, struct diag *d)
{
	struct serve_composer *c = xcalloc(1, sizeof(*c));
	const char *dirs[5];

	c->o = o;
	c->audit = audit;
	c->layout = path_join(o->state, "layout");
	c->compdir = path_join(o->state, "compositions");
	c->reqdir = path_join(o->state, "requests");
	c->lockdir = path_join(o->state, "locks");
	c->remotedir = path_join(o->state, "remote");
	c->store = store;
	dirs[0] = c->layout, dirs[1] = c->compdir, dirs[2] = c->reqdir, dirs[3] = c->lockdir;
	dirs[4] = c->remotedir;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (mkdir_p(dirs[i], 0755) < 0) {
			diag_file_error(d, dirs[i], 0, 0, "serve", "cannot create '%s': %s", dirs[i],
					file_strerror(errno));
			serve_composer_free(c);
			return NULL;
		}
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->changed, NULL);
	pthread_cond_init(&c->gc_wake, NULL);
	load_comps(c);
	if (o->gc_after) {
		collect_pass(c); /* before the first pull */
		c->gc_started = pthread_create(&c->gc_thread, NULL, gc_main, c) == 0;
	}
	return c;
}

static void pull_reset(struct pull *p)
{
	for (size_t i = 0; i < p->nwatch; i++) {
		free(p->watch[i].path);
		free(p->watch[i].stamp);
	}
	free(p->watch);
	free(p->message);
	p->watch = NULL;
	p->nwatch = 0;
	p->message = NULL;
	p->comp = NULL;
}

void serve_composer_free(struct serve_composer *c)
{
	if (!c)
		return;
	if (c->gc_started) {
		pthread_mutex_lock(&c->mu);
		c->stopping = true;
		pthread_cond_signal(&c->gc_wake);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->gc_thread, NULL);
	}
	for (size_t i = 0; i < c->ngone; i++)
		comp_free(c->gone[i]);
	free(c->gone);
	strmap_clear(&c->collecting);
	for (size_t i = 0; i < c->comps.cap; i++)
		comp_free(c->comps.v[i].val);
	for (size_t i = 0; i < c->pulls.cap; i++) {
		struct pull *p = c->pulls.v[i].val;
		if (p)
			pull_reset(p);
		free(p);
	}
	for (size_t i = 0; i < c->catids.cap; i++) {
		struct catident *ci = c->catids.v[i].val;
		if (ci)
			free(ci->stamp);
		free(ci);
	}
	strmap_clear(&c->comps);
	strmap_clear(&c->manifests);
	strmap_clear(&c->blobs);
	strmap_clear(&c->pulls);
	strmap_clear(&c->catids);
	if (c->layout) {
		pthread_mutex_destroy(&c->mu);
		pthread_cond_destroy(&c->changed);
		pthread_cond_destroy(&c->gc_wake);
	}
	free(c->layout);
	free(c->compdir);
	free(c->reqdir);
	free(c->lockdir);
	free(c->remotedir);
	free(c);
}

const struct serve_comp *serve_find_manifest(struct serve_composer *c, const char *name, const char *identity,
					     const char *digest)
{
	char *k = key3(name, identity, digest);
	struct serve_comp *comp;

	pthread_mutex_lock(&c->mu);
	comp = strmap_get(&c->manifests, k);
	if (comp)
		comp->used = time(NULL);
	pthread_mutex_unlock(&c->mu);
	free(k);
	return comp;
}

const struct serve_comp *serve_blob_owner(struct serve_composer *c, const char *name, const char *identity,
					  const char *digest)
{
	char *k = key3(name, identity, digest);
	const struct serve_comp *comp;

	pthread_mutex_lock(&c->mu);
	comp = strmap_get(&c->blobs, k);
	pthread_mutex_unlock(&c->mu);
	free(k);
	return comp;
}

/* ---- one composition ---------------------------------------------------- */

/* What a pull is worked out from, while it is. */
struct job {
	struct serve_composer *c;
	const char *name, *ref, *identity, *roles, *client;
	char *policy, *reqfile;
	struct watch *watch;
	size_t nwatch, capwatch;
	json_t *request;		 /* canonical, with input.client */
	struct strvec modules, catalogs; /* "PATH DIGEST" */
	char *from, from_digest[72];	 /* the decision's `from` image, or NULL */
	char key[65];
	enum serve_status status;
	char *message;
	struct serve_comp *comp;
	bool transient; /* the composition failed for a reason the inputs may not decide */
};

static void watch_add(struct job *j, const char *path)
{
	xgrow((void **)&j->watch, &j->capwatch, j->nwatch + 1, sizeof(*j->watch));
	j->watch[j->nwatch++] = (struct watch){xstrdup(path), stamp_of(path)};
}

static void job_fail(struct job *j, enum serve_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void job_fail(struct job *j, enum serve_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(j->message);
	j->message = xvasprintf(fmt, ap);
	va_end(ap);
	j->status = st;
}

/* The messages of d, "; "-separated, with their locations. */
static char *diag_text(struct diag *d)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < d->nentries; i++) {
		char *where = diag_where(d, &d->entries[i]);
		if (d->entries[i].sev != DIAG_ERROR)
			continue;
		sb_addf(&sb, "%s%s%s%s", sb.len ? "; " : "", where ? where : "", where ? ": " : "",
			d->entries[i].message);
		free(where);
	}
	return sb_detach(&sb, NULL);
}

/* Read the request, add input.client. 0 or -1 (job failed). */
static int load_request(struct job *j)
{
	json_error_t err;
	struct stat st;
	json_t *req;

	if (stat(j->reqfile, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > REQUEST_MAX_BYTES) {
		job_fail(j, SERVE_ERROR, "request '%s:%s' is not a regular file of at most 1 MiB", j->name,
			 j->ref);
		return -1;
	}
	req = json_load_file(j->reqfile, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(req)) {
		job_fail(j, SERVE_ERROR, "%s:%d:%d: request is not a JSON object: %s", j->reqfile, err.line,
			 err.column, req ? "another value" : err.text);
		json_decref(req);
		return -1;
	}
	if (*j->identity) {
		json_t *roles = json_array();
		char *rs = xstrdup(j->roles), *save = NULL;
		for (char *r = strtok_r(rs, ",", &save); r; r = strtok_r(NULL, ",", &save))
			json_array_append_new(roles, json_string(r));
		free(rs);
		json_object_set_new(req, "client",
				    json_pack("{s:s,s:o}", "name", j->identity, "roles", roles));
	}
	j->request = req;
	return 0;
}

/* The digests of the policy's modules. 0 or -1 (job failed). */
static int load_policy(struct job *j)
{
	struct program_opts po = {.stdlib_dir = j->c->o->stdlib};
	struct program p;
	struct diag d;
	char hex[65];
	size_t n = strlen(j->policy);

	if (n > 6 && !strcmp(j->policy + n - 6, ".cpolb")) {
		if (sha256_file(j->policy, hex) < 0) {
			job_fail(j, SERVE_ERROR, "cannot read '%s': %s", j->policy, file_strerror(errno));
			return -1;
		}
		strvec_push_nodup(&j->modules, xasprintf("%s sha256:%s", j->policy, hex));
		return 0;
	}
	diag_init(&d);
	program_init(&p);
	if (program_load(&p, j->policy, &po, &d) < 0) {
		char *msg = diag_text(&d);
		job_fail(j, SERVE_ERROR, "%s", msg);
		free(msg);
	} else {
		for (size_t i = 0; i < p.nmods; i++) {
			strvec_push_nodup(&j->modules,
					  xasprintf("%s sha256:%s", p.mods[i]->path, p.mods[i]->digest));
			if (i)
				watch_add(j, p.mods[i]->path);
		}
	}
	program_release(&p);
	diag_release(&d);
	return j->status == SERVE_OK ? 0 : -1;
}

/* Each catalog's identity, the digest of its index, known by its stamp. */
static int load_catalogs(struct job *j)
{
	struct serve_composer *c = j->c;

	for (size_t i = 0; i < c->o->ncatalogs; i++) {
		char *index = path_join(c->o->catalogs[i], "index"), *stamp = stamp_of(index), hex[65];
		struct catident *ci;
		pthread_mutex_lock(&c->mu);
		ci = strmap_get(&c->catids, index);
		if (ci && !strcmp(ci->stamp, stamp))
			strvec_push_nodup(&j->catalogs, xasprintf("%s %s", c->o->catalogs[i], ci->digest));
		pthread_mutex_unlock(&c->mu);
		if (j->catalogs.n == i) {
			if (!*stamp || sha256_file(index, hex) < 0) {
				job_fail(j, SERVE_ERROR, "cannot read the catalog index '%s'", index);
				free(index);
				free(stamp);
				return -1;
			}
			ci = xcalloc(1, sizeof(*ci));
			ci->stamp = xstrdup(stamp);
			snprintf(ci->digest, sizeof(ci->digest), "sha256:%s", hex);
			strvec_push_nodup(&j->catalogs, xasprintf("%s %s", c->o->catalogs[i], ci->digest));
			pthread_mutex_lock(&c->mu);
			ci = strmap_put(&c->catids, index, ci);
			pthread_mutex_unlock(&c->mu);
			if (ci)
				free(ci->stamp);
			free(ci);
		}
		free(index);
		free(stamp);
	}
	return 0;
}

/* The `from` image the decision starts from, by its manifest digest: its
 * layout is watched, and a changed base image is a new key. 0 or -1 (job
 * failed). */
static int load_from(struct job *j)
{
	struct build_opts bo = {.policy_path = j->policy, .popts = {.stdlib_dir = j->c->o->stdlib}};
	char *dir, *tag, *index;
	struct diag d;
	int rc;

	diag_init(&d);
	rc = build_from_image(&bo, j->request, &j->from, j->from_digest, &d);
	if (rc < 0) {
		char *msg = diag_text(&d);
		job_fail(j, SERVE_ERROR, "%s", msg);
		free(msg);
	}
	diag_release(&d);
	if (rc <= 0)
		return rc;
	oci_split_ref(j->from, &dir, &tag);
	index = path_join(dir, "index.json");
	watch_add(j, index);
	free(index);
	free(dir);
	free(tag);
	return 0;
}

/* KEY: the digest of everything that decides the composition. */
static void compute_key(struct job *j)
{
	struct strbuf sb = STRBUF_INIT;
	char *req = json_dumps(j->request, JSON_COMPACT | JSON_SORT_KEYS);

	sb_addf(&sb, "cpolc-serve 1\npolicy %s\n", j->name);
	for (size_t i = 0; i < j->modules.n; i++)
		sb_addf(&sb, "module %s\n", strchr(j->modules.v[i], ' ') + 1);
	sb_addf(&sb, "request %s\n", req);
	for (size_t i = 0; i < j->catalogs.n; i++)
		sb_addf(&sb, "catalog %s\n", strchr(j->catalogs.v[i], ' ') + 1);
	if (j->from)
		sb_addf(&sb, "from %s\n", j->from_digest);
	sha256_hex(sb.buf, sb.len, j->key);
	free(req);
	sb_release(&sb);
}

/* Read the child's stderr (at most STDERR_MAX_BYTES kept) until it closes
 * or timeout seconds pass (then kill it), and reap it. Returns its exit
 * status, or -1 when it was killed. */
static int collect(int fd, pid_t pid, unsigned timeout, struct strbuf *sb)
{
	struct timespec start, now;
	char buf[8192];
	int status;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		long left;
		ssize_t n;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (long)timeout * 1000 -
		       ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0) {
			kill(pid, SIGKILL);
			sb_adds(sb, "\n[the composition took longer than the limit and was stopped]");
			break;
		}
		if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR)
			break;
		if (!(pfd.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (sb->len < STDERR_MAX_BYTES)
			sb_add(sb, buf, (size_t)n);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Run `cpolc build` for the job's key. Returns its exit status (or -1 when
 * it could not run or was killed) and its stderr in *err. */
static int run_build(struct job *j, char **err)
{
	const struct serve_opts *o = j->c->o;
	char *reqfile = xasprintf("%s/%s.json", j->c->reqdir, j->key);
	char *lockfile = xasprintf("%s/%s.lock", j->c->lockdir, j->key);
	char *req = json_dumps(j->request, JSON_INDENT(2) | JSON_SORT_KEYS);
	struct strvec argv = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	int pipefd[2], status = -1;
	pid_t pid;

	if (write_file_atomic(reqfile, req, strlen(req), 0644) < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		*err = xasprintf("cannot write '%s': %s", reqfile, file_strerror(errno));
		goto out;
	}
	strvec_push(&argv, o->exe);
	strvec_push(&argv, "build");
	strvec_push(&argv, "--request");
	strvec_push(&argv, reqfile);
	for (size_t i = 0; i < o->ncatalogs; i++) {
		strvec_push(&argv, "--catalog");
		strvec_push(&argv, o->catalogs[i]);
	}
	strvec_push(&argv, "--output");
	strvec_push(&argv, j->c->layout);
	strvec_push(&argv, "--tag");
	strvec_push(&argv, j->key);
	strvec_push(&argv, "--lock");
	strvec_push(&argv, lockfile);
	strvec_push(&argv, "--diag-format");
	strvec_push(&argv, "json");
	if (o->cache) {
		strvec_push(&argv, "--cache");
		strvec_push(&argv, o->cache);
	}
	if (o->stdlib) {
		strvec_push(&argv, "--stdlib");
		strvec_push(&argv, o->stdlib);
	}
	strvec_push(&argv, "--");
	strvec_push(&argv, j->policy);
	pid = fork();
	if (pid == 0) { /* only async-signal-safe calls until exec */
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 0), dup2(null, 1), dup2(pipefd[1], 2);
		execv(o->exe, argv.v);
		_exit(127);
	}
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		*err = xasprintf("cannot start a composition: %s", file_strerror(errno));
		goto out;
	}
	status = collect(pipefd[0], pid, o->compose_timeout, &sb);
	close(pipefd[0]);
	*err = sb_detach(&sb, NULL);
out:
	strvec_clear(&argv);
	free(req);
	free(reqfile);
	free(lockfile);
	return status;
}

/* The messages of the JSON diagnostics build printed whose rule is (or,
 * with rule NULL, whose severity is error), "; "-separated and located. */
static char *build_messages(const char *err, const char *rule)
{
	json_t *arr = json_loads(err, JSON_DISABLE_EOF_CHECK, NULL), *e;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	json_array_foreach(arr, i, e)
	{
		const char *r = json_string_value(json_object_get(e, "rule")),
			   *sev = json_string_value(json_object_get(e, "severity")),
			   *msg = json_string_value(json_object_get(e, "message")),
			   *file = json_string_value(json_object_get(e, "file"));
		json_int_t line = json_integer_value(json_object_get(e, "line")),
			   col = json_integer_value(json_object_get(e, "column"));
		if (!msg || (rule ? !r || strcmp(r, rule) : !sev || strcmp(sev, "error")))
			continue;
		sb_adds(&sb, sb.len ? "; " : "");
		if (file && line)
			sb_addf(&sb, "%s:%lld:%lld: ", file, (long long)line, (long long)col);
		sb_adds(&sb, msg);
	}
	if (!json_is_array(arr) && err && *err)
		sb_addf(&sb, "%.*s", 2000, err); /* not what build prints: say what it said */
	json_decref(arr);
	return sb_detach(&sb, NULL);
}

/* The audit record of a new composition, written and fsync'd. */
static int audit(struct job *j, const struct lock *lk, const struct serve_comp *comp)
{
	json_t *rec = json_object(), *mods = json_array(), *cats = json_array(), *sel = json_array();
	char now[32], *line, hex[65], *req = json_dumps(j->request, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	serve_now(now);
	sha256_hex(req, strlen(req), hex);
	for (size_t i = 0; i < j->modules.n; i++)
		json_array_append_new(mods, json_string(j->modules.v[i]));
	for (size_t i = 0; i < j->catalogs.n; i++)
		json_array_append_new(cats, json_string(j->catalogs.v[i]));
	for (size_t i = 0; lk && i < lk->nprims; i++)
		json_array_append_new(sel, json_sprintf("%s %s %s", lk->prims[i].name, lk->prims[i].version,
							lk->prims[i].digest));
	json_object_set_new(rec, "time", json_string(now));
	json_object_set_new(rec, "client", json_string(j->client));
	json_object_set_new(rec, "identity", json_string(j->identity));
	json_object_set_new(rec, "roles", json_string(j->roles));
	json_object_set_new(rec, "name", json_string(j->name));
	json_object_set_new(rec, "reference", json_string(j->ref));
	json_object_set_new(rec, "key", json_string(j->key));
	json_object_set_new(rec, "modules", mods);
	json_object_set_new(rec, "request", json_sprintf("sha256:%s", hex));
	json_object_set_new(rec, "catalogs", cats);
	json_object_set_new(rec, "selected", sel);
	json_object_set_new(rec, "manifest", json_string(comp->manifest));
	if (lk)
		json_object_set_new(rec, "lock", json_sprintf("locks/%s.lock", j->key));
	else /* another instance composed it: its lock is in that one's state */
		json_object_set_new(rec, "source", json_string("store"));
	line = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	rc = serve_log_append(j->c->audit, line);
	free(line);
	free(req);
	json_decref(rec);
	return rc;
}

/* Audit comp (lk: its lock, or NULL when it came from the store), write its
 * record and make it known; the job's comp. Takes comp. 0, or -1 (job
 * failed). */
static int record(struct job *j, const struct lock *lk, struct serve_comp *comp)
{
	struct serve_composer *c = j->c;
	char *recfile = xasprintf("%s/%s.json", c->compdir, j->key), *rec;
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "key", j->key, "name", j->name, "ref", j->ref,
			      "identity", j->identity, "manifest", comp->manifest, "remote", comp->remote);
	int rc = 0;

	rec = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (audit(j, lk, comp) < 0 || write_file_atomic(recfile, rec, strlen(rec), 0644) < 0) {
		job_fail(j, SERVE_ERROR, "cannot record the composition: %s", file_strerror(errno));
		comp_free(comp);
		rc = -1;
	} else {
		pthread_mutex_lock(&c->mu);
		j->comp = add_comp(c, comp);
		pthread_mutex_unlock(&c->mu);
	}
	free(recfile);
	free(rec);
	return rc;
}

static struct serve_comp *new_comp(const struct job *j)
{
	struct serve_comp *comp = xcalloc(1, sizeof(*comp));

	memcpy(comp->key, j->key, 65);
	comp->name = xstrdup(j->name);
	comp->ref = xstrdup(j->ref);
	comp->identity = xstrdup(j->identity);
	comp->used = time(NULL);
	return comp;
}

/* The composition of the job's key that another instance pushed to the
 * store: its manifest kept under STATE/remote. true when found. */
static bool adopt(struct job *j)
{
	struct serve_composer *c = j->c;
	struct serve_comp *comp;
	char digest[72], *bytes = NULL, *path;
	size_t len;
	struct diag d;
	int found;

	diag_init(&d);
	found = serve_store_find(c->store, j->key, &bytes, &len, digest, &d);
	diag_release(&d);
	if (found != 1)
		return false;
	comp = new_comp(j);
	comp->remote = true;
	memcpy(comp->manifest, digest, 72);
	path = path_join(c->remotedir, digest + 7);
	if (len > MANIFEST_MAX_BYTES || write_file_atomic(path, bytes, len, 0644) < 0 ||
	    read_manifest(c, comp) < 0) {
		comp_free(comp);
		comp = NULL;
	}
	free(path);
	free(bytes);
	return comp && record(j, NULL, comp) == 0;
}

/* After a build that succeeded: the composition from its lock, recorded
 * and audited before anyone is served it, then pushed to the store. */
static void finish(struct job *j)
{
	struct serve_composer *c = j->c;
	char *lockfile = xasprintf("%s/%s.lock", c->lockdir, j->key);
	struct serve_comp *comp = new_comp(j);
	struct lock lk;
	struct diag d;
	json_t *refs;

	diag_init(&d);
	lock_init(&lk);
	if (lock_load(lockfile, &lk, &d) < 0 || !lk.manifest_digest || !digest_valid(lk.manifest_digest)) {
		job_fail(j, SERVE_ERROR, "the composition's lock '%s' cannot be read", lockfile);
		goto out;
	}
	if (j->from && (!lk.from_digest || strcmp(lk.from_digest, j->from_digest))) {
		job_fail(j, SERVE_ERROR, "the base image '%s' changed while it was composed on; pull again",
			 j->from);
		goto out;
	}
	memcpy(comp->manifest, lk.manifest_digest, 72);
	if (read_manifest(c, comp) < 0) {
		job_fail(j, SERVE_ERROR, "the composed manifest %s cannot be read", comp->manifest);
		goto out;
	}
	refs = oci_referrers(c->layout); /* its SBOM */
	attach_referrers(c, comp, refs);
	json_decref(refs);
	if (record(j, &lk, comp) == 0) {
		comp = NULL;
		if (c->store && serve_store_put(c->store, c->layout, j->key, &d) < 0 && c->o->log) {
			char *msg = diag_text(&d);
			char *line = xasprintf("store: cannot push %s: %s", j->key, msg);
			c->o->log(c->o->log_ctx, line);
			free(line);
			free(msg);
		}
	}
out:
	comp_free(comp);
	lock_release(&lk);
	diag_release(&d);
	free(lockfile);
}

/* Wait for a composition slot. false when too many wait already. */
static bool take_slot(struct serve_composer *c)
{
	pthread_mutex_lock(&c->mu);
	if (c->running >= c->o->max_compositions && c->waiting >= c->o->max_queue) {
		pthread_mutex_unlock(&c->mu);
		return false;
	}
	c->waiting++;
	while (c->running >= c->o->max_compositions)
		pthread_cond_wait(&c->changed, &c->mu);
	c->waiting--;
	c->running++;
	pthread_mutex_unlock(&c->mu);
	return true;
}

static void give_slot(struct serve_composer *c)
{
	pthread_mutex_lock(&c->mu);
	c->running--;
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->mu);
}

/* Compose the job's key with `cpolc build`. */
static void compose(struct job *j)
{
	char *err = NULL;
	int status;

	if (!take_slot(j->c)) {
		job_fail(j, SERVE_BUSY, "too many compositions are waiting; try again later");
		return;
	}
	status = run_build(j, &err);
	give_slot(j->c);
	if (status == 0) {
		finish(j);
		j->transient = j->status != SERVE_OK;
	} else {
		char *msg = build_messages(err, status == 1 ? "deny" : NULL);
		job_fail(j,
			 status == 1   ? SERVE_DENIED
			 : status == 3 ? SERVE_UNRESOLVED
				       : SERVE_ERROR,
			 "%s",
			 *msg	      ? msg
			 : status < 0 ? "the composition failed"
				      : err);
		free(msg);
	}
	free(err);
}

/* Work a pull out from its files: its key, then the composition. */
static void work_out(struct job *j)
{
	struct serve_comp *comp;

	watch_add(j, j->reqfile);
	watch_add(j, j->policy);
	for (size_t i = 0; i < j->c->o->ncatalogs; i++) {
		char *index = path_join(j->c->o->catalogs[i], "index");
		watch_add(j, index);
		free(index);
	}
	if (load_request(j) < 0 || load_policy(j) < 0 || load_catalogs(j) < 0 || load_from(j) < 0)
		return;
	compute_key(j);
	pthread_mutex_lock(&j->c->mu);
	while (strmap_get(&j->c->collecting, j->key)) /* its files are going: compose it again after */
		pthread_cond_wait(&j->c->changed, &j->c->mu);
	comp = strmap_get(&j->c->comps, j->key);
	if (comp)
		comp->used = time(NULL);
	pthread_mutex_unlock(&j->c->mu);
	if (comp && !strcmp(comp->identity, j->identity) && !strcmp(comp->name, j->name)) {
		j->comp = comp;
		return;
	}
	if (j->c->store && adopt(j))
		return;
	compose(j);
}

static bool fresh(const struct pull *p)
{
	for (size_t i = 0; i < p->nwatch; i++) {
		char *st = stamp_of(p->watch[i].path);
		bool same = !strcmp(st, p->watch[i].stamp);
		free(st);
		if (!same)
			return false;
	}
	return p->nwatch > 0;
}

static void result_of(const struct pull *p, struct serve_result *r)
{
	r->status = p->status;
	r->comp = p->comp;
	r->message = p->message ? xstrdup(p->message) : NULL;
}

void serve_compose(struct serve_composer *c, const char *name, const char *ref, const char *identity,
		   const char *roles, const char *client, struct serve_result *r)
{
	char *pkey = xasprintf("%s\x01%s\x01%s\x01%s", name, ref, identity, roles);
	struct job j = {
		.c = c, .name = name, .ref = ref, .identity = identity, .roles = roles, .client = client};
	struct pull *p;

	memset(r, 0, sizeof(*r));
	j.policy = policy_path(c, name);
	if (!j.policy) {
		r->status = SERVE_NAME_UNKNOWN;
		r->message = xasprintf("no policy '%s'", name);
		free(pkey);
		return;
	}
	j.reqfile = xasprintf("%s/%s/%s.json", c->o->policies, name, ref);
	if (access(j.reqfile, F_OK) < 0) {
		r->status = SERVE_REF_UNKNOWN;
		r->message = xasprintf("no request '%s' for '%s'", ref, name);
		goto out;
	}
	pthread_mutex_lock(&c->mu);
	p = strmap_get(&c->pulls, pkey);
	if (!p)
		strmap_put(&c->pulls, pkey, p = xcalloc(1, sizeof(*p)));
	while (p->busy)
		pthread_cond_wait(&c->changed, &c->mu);
	if (fresh(p) && p->status != SERVE_BUSY && !p->transient) {
		if (p->comp)
			p->comp->used = time(NULL);
		result_of(p, r);
		pthread_mutex_unlock(&c->mu);
		goto out;
	}
	p->busy = true;
	pthread_mutex_unlock(&c->mu);

	work_out(&j);

	pthread_mutex_lock(&c->mu);
	pull_reset(p);
	p->watch = j.watch, p->nwatch = j.nwatch;
	j.watch = NULL, j.nwatch = 0;
	p->status = j.status;
	p->transient = j.transient;
	p->comp = j.comp;
	p->message = j.message, j.message = NULL;
	p->busy = false;
	result_of(p, r);
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->mu);
out:
	for (size_t i = 0; i < j.nwatch; i++) {
		free(j.watch[i].path);
		free(j.watch[i].stamp);
	}
	free(j.watch);
	free(j.message);
	json_decref(j.request);
	strvec_clear(&j.modules);
	strvec_clear(&j.catalogs);
	free(j.from);
	free(j.policy);
	free(j.reqfile);
	free(pkey);
}
