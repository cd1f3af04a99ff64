/* registry_layout.c - the push of an image of an OCI layout: its layers by
 * up to opts.jobs workers at once, each with a client of its own, then the
 * config, then the manifest; an index's manifests before the index. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "oci.h"
#include "registry_int.h"

#define MAX_DEPTH    2	  /* an index of manifests; no deeper */
#define MAX_CHILDREN 1000 /* manifests of an index, layers of a manifest */

struct blob {
	const char *digest;
	uint64_t size;
};

struct push {
	struct registry *r; /* the first client; the workers clone it */
	const char *layout, *repo;
	const char *const *from;
	size_t nfrom;
	struct registry_push_result *res;
	pthread_mutex_t mu; /* guards what follows, and res */
	const struct blob *blobs;
	size_t nblobs, next;
	bool failed;
	struct registry_progress prog; /* over every blob */
	size_t finished;
};

/* One worker: a client and the diagnostics of its blobs. */
struct worker {
	struct push *p;
	struct registry *r;
	struct diag d;
	uint64_t seen; /* of its client's all_done, added to p->prog */
};

static char *blob_path(const char *layout, const char *digest)
{
	return xasprintf("%s/blobs/sha256/%s", layout, digest + 7);
}

/* Report progress over every blob; called by the clients, under no lock. */
static void worker_progress(void *ctx, const struct registry_progress *cp)
{
	struct worker *w = ctx;
	struct push *p = w->p;
	struct registry_progress out;

	pthread_mutex_lock(&p->mu);
	p->prog.all_done += cp->all_done - w->seen;
	w->seen = cp->all_done;
	out = p->prog;
	out.blob = p->finished < p->prog.nblobs ? p->finished + 1 : p->prog.nblobs;
	out.done = cp->done;
	out.total = cp->total;
	p->r->o.progress(p->r->o.progress_ctx, &out);
	pthread_mutex_unlock(&p->mu);
}

static void blob_done(struct registry *r)
{
	r->prog.all_done += r->prog.total - (r->prog.done < r->prog.total ? r->prog.done : r->prog.total);
	r->prog.done = r->prog.total;
	if (r->o.progress)
		r->o.progress(r->o.progress_ctx, &r->prog);
}

/* Put one blob into the repository with the client r unless it is there. */
static int push_blob(struct push *p, struct registry *r, const struct blob *b, struct diag *d)
{
	enum registry_blob_how how = REGISTRY_BLOB_UPLOADED;
	char *path;
	int rc;

	r->prog.done = 0;
	r->prog.total = b->size;
	if ((rc = reg_blob_head(r, p->repo, b->digest, "pull,push", NULL, d)) < 0)
		return -1;
	if (rc == 0) {
		path = blob_path(p->layout, b->digest);
		rc = registry_blob_push(r, p->repo, b->digest, path, b->size, p->from, p->nfrom, &how, d);
		free(path);
		if (rc < 0)
			return -1;
	}
	pthread_mutex_lock(&p->mu);
	p->finished++;
	if (rc == 1)
		p->res->skipped++;
	else {
		p->res->pushed++;
		p->res->mounted += how == REGISTRY_BLOB_MOUNTED;
		p->res->bytes += how == REGISTRY_BLOB_MOUNTED ? 0 : b->size;
	}
	pthread_mutex_unlock(&p->mu);
	blob_done(r);
	return 0;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct push *p = w->p;

	for (;;) {
		size_t i;
		pthread_mutex_lock(&p->mu);
		i = p->failed ? p->nblobs : p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->nblobs)
			return NULL;
		if (push_blob(p, w->r, &p->blobs[i], &w->d) < 0) {
			pthread_mutex_lock(&p->mu);
			p->failed = true;
			pthread_mutex_unlock(&p->mu);
		}
	}
}

/* Push blobs[0..n) with up to jobs workers, each a clone of p->r (which
 * has pinged and holds a token for the push already). */
static int push_parallel(struct push *p, const struct blob *blobs, size_t n, struct diag *d)
{
	size_t jobs = (size_t)p->r->o.jobs < n ? (size_t)p->r->o.jobs : n, started = 0;
	struct worker *w;
	pthread_t *t;

	if (!n)
		return 0;
	w = xcalloc(jobs, sizeof(*w));
	t = xcalloc(jobs, sizeof(*t));
	p->blobs = blobs;
	p->nblobs = n;
	p->next = 0;
	for (size_t i = 0; i < jobs; i++) {
		w[i].p = p;
		w[i].r = reg_clone(p->r);
		w[i].r->o.progress = p->r->o.progress ? worker_progress : NULL;
		w[i].r->o.progress_ctx = &w[i];
		diag_init(&w[i].d);
	}
	for (; jobs > 1 && started < jobs; started++)
		if (pthread_create(&t[started], NULL, work, &w[started]) != 0)
			break;
	if (!started)
		work(&w[0]); /* one job, or no thread to be had: here */
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	for (size_t i = 0; i < jobs; i++) {
		for (size_t k = 0; k < w[i].d.nentries; k++)
			diag_report(d, w[i].d.entries[k].sev, LOC_NONE, w[i].d.entries[k].rule, "%s",
				    w[i].d.entries[k].message);
		diag_release(&w[i].d);
		registry_free(w[i].r);
	}
	free(t);
	free(w);
	return p->failed ? -1 : 0;
}

/* At most max bytes of the file at path: NULL with errno EFBIG when it
 * holds more (however it changes while read). */
static char *read_bounded(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	size_t n = 0;
	ssize_t got = 1;
	int err;

	if (fd < 0)
		return NULL;
	buf = xmalloc(max + 2);
	while (n <= max && got > 0) {
		got = read(fd, buf + n, max + 1 - n);
		if (got < 0 && errno == EINTR)
			got = 1;
		else if (got > 0)
			n += (size_t)got;
	}
	err = got < 0 ? errno : EFBIG;
	close(fd);
	if (got < 0 || n > max) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The bytes of a manifest blob, checked against its digest. */
static char *read_manifest(const char *layout, const char *digest, size_t *len, struct diag *d)
{
	char *path = blob_path(layout, digest), *data, hex[65];

	if (!(data = read_bounded(path, REGISTRY_MAX_MANIFEST, len)) && errno == EFBIG)
		diag_error(d, LOC_NONE, "registry-input", "'%s' is larger than a manifest may be (4 MiB)",
			   path);
	else if (!data)
		diag_error(d, LOC_NONE, "registry-input", "cannot read '%s': %s", path, file_strerror(errno));
	else if (sha256_hex(data, *len, hex), strcmp(hex, digest + 7)) {
		diag_error(d, LOC_NONE, "registry-input", "'%s' does not match its digest", path);
		free(data);
		data = NULL;
	}
	free(path);
	return data;
}

/* A descriptor's digest, size and media type, checked. */
static int desc_of(const json_t *desc, const char **digest, uint64_t *size, const char **mt, struct diag *d,
		   const char *where)
{
	json_t *sz = json_object_get(desc, "size");

	*digest = json_string_value(json_object_get(desc, "digest"));
	*mt = json_string_value(json_object_get(desc, "mediaType"));
	if (!*digest || !reg_digest_valid(*digest) || !json_is_integer(sz) || json_integer_value(sz) < 0) {
		diag_error(d, LOC_NONE, "registry-input", "a bad descriptor in the manifest %s", where);
		return -1;
	}
	*size = (uint64_t)json_integer_value(sz);
	return 0;
}

/* Prime the first client with a token for the push, so that the
 * workers' clones start with it. */
static int prime(struct push *p, struct diag *d)
{
	char *scope = xasprintf("repository:%s:pull,push", p->repo), *h = NULL;
	int rc = reg_connect(p->r, d) < 0 ? -1 : reg_auth_header(p->r, scope, &h, d);

	free(h);
	free(scope);
	return rc;
}

/* The blobs of an image manifest: its layers (at once), then its config. */
static int push_image_blobs(struct push *p, const json_t *man, const char *digest, struct diag *d)
{
	const json_t *layers = json_object_get(man, "layers"), *l;
	const char *mt;
	size_t i, n = json_array_size(layers);
	struct blob *b;
	int rc = -1;

	if (!json_is_array(layers) || n > MAX_CHILDREN || !json_is_object(json_object_get(man, "config"))) {
		diag_error(d, LOC_NONE, "registry-input", "the manifest %s has no config or layers", digest);
		return -1;
	}
	b = xcalloc(n + 1, sizeof(*b));
	json_array_foreach(layers, i, l)
	{
		if (desc_of(l, &b[i].digest, &b[i].size, &mt, d, digest) < 0)
			goto out;
	}
	if (desc_of(json_object_get(man, "config"), &b[n].digest, &b[n].size, &mt, d, digest) < 0)
		goto out;
	p->prog.nblobs += n + 1;
	for (i = 0; i <= n; i++)
		p->prog.all += b[i].size;
	if (prime(p, d) < 0)
		goto out;
	rc = push_parallel(p, b, n, d) < 0 || push_parallel(p, b + n, 1, d) < 0 ? -1 : 0;
out:
	free(b);
	return rc;
}

/* What the push of a referrer needs of the push of its manifest. */
struct pushed {
	json_t *man;   /* the manifest */
	char *mt;      /* its media type */
	size_t len;    /* its bytes */
	char *subject; /* the registry's OCI-Subject, or NULL */
};

static void pushed_release(struct pushed *o)
{
	json_decref(o->man);
	free(o->mt);
	free(o->subject);
	memset(o, 0, sizeof(*o));
}

/* Push the manifest digest of media type mt and what it names, then put
 * it under reference (a tag, or NULL: its digest); what it was into out
 * when not NULL (released by pushed_release). */
static int push_manifest(struct push *p, const char *digest, const char *mt, const char *reference, int depth,
			 struct pushed *out, struct diag *d)
{
	size_t len, i;
	char *data = read_manifest(p->layout, digest, &len, d), got[72];
	json_t *man = data ? json_loadb(data, len, 0, NULL) : NULL, *ms, *m;
	const char *own = json_string_value(json_object_get(man, "mediaType")), *cd, *cmt;
	uint64_t size;
	int rc = -1;

	if (data && !json_is_object(man))
		diag_error(d, LOC_NONE, "registry-input", "the manifest %s of '%s' is no JSON object", digest,
			   p->layout);
	if (!json_is_object(man))
		goto out;
	mt = mt ? mt : own ? own : OCI_MT_MANIFEST;
	if (reg_check_media_type(mt, d) < 0)
		goto out;				/* before any blob goes */
	if ((ms = json_object_get(man, "manifests"))) { /* an index */
		if (depth >= MAX_DEPTH || !json_is_array(ms) || json_array_size(ms) > MAX_CHILDREN) {
			diag_error(d, LOC_NONE, "registry-input",
				   "the index %s nests too deep or is malformed", digest);
			goto out;
		}
		json_array_foreach(ms, i, m)
		{
			if (desc_of(m, &cd, &size, &cmt, d, digest) < 0 ||
			    push_manifest(p, cd, cmt, NULL, depth + 1, NULL, d) < 0)
				goto out;
		}
	} else if (push_image_blobs(p, man, digest, d) < 0)
		goto out;
	if (reg_manifest_put(p->r, p->repo, reference ? reference : digest, mt, data, len, got,
			     out ? &out->subject : NULL, d) < 0)
		goto out;
	if (strcmp(got, digest)) {
		diag_error(d, LOC_NONE, "registry", "the registry stored the manifest %s as %s", digest, got);
		goto out;
	}
	if (out) {
		out->man = json_incref(man);
		out->mt = xstrdup(mt);
		out->len = len;
	}
	rc = 0;
out:
	json_decref(man);
	free(data);
	return rc;
}

/* Push the referrer digest of subject: as an image, by digest; then, when
 * the registry did not take its subject (no OCI-Subject), add it to the
 * subject's referrers tag. */
static int push_referrer(struct push *p, const char *digest, const char *subject, struct diag *d)
{
	struct pushed o = {0};
	json_t *desc;
	const char *s;
	int rc = -1;

	if (push_manifest(p, digest, NULL, NULL, 0, &o, d) < 0)
		goto out;
	s = json_string_value(json_object_get(json_object_get(o.man, "subject"), "digest"));
	if (!s || strcmp(s, subject)) { /* the layout changed since it was listed */
		diag_error(d, LOC_NONE, "registry-input", "the referrer %s of '%s' is not of %s", digest,
			   p->layout, subject);
		goto out;
	}
	rc = 0;
	if (!o.subject || strcmp(o.subject, subject)) {
		desc = reg_referrer_desc(o.man, o.mt, digest, o.len);
		rc = reg_referrers_add(p->r, p->repo, subject, desc, d);
		json_decref(desc);
	}
	if (rc == 0)
		p->res->referrers++;
out:
	pushed_release(&o);
	return rc;
}

/* Push the referrers the layout has of the manifest subject, in the order
 * of their digests. */
static int push_referrers(struct push *p, const char *subject, struct diag *d)
{
	json_t *refs = oci_layout_referrers(p->layout, subject, d), *j;
	size_t i;
	int rc = refs ? 0 : -1;

	json_array_foreach(refs, i, j)
	{
		if ((rc = push_referrer(p, json_string_value(j), subject, d)) < 0)
			break;
	}
	json_decref(refs);
	return rc;
}

void registry_push_result_release(struct registry_push_result *res)
{
	free(res->tag);
	memset(res, 0, sizeof(*res));
}

/* BAD_INPUT when the first error since first is about local input. */
static enum registry_status status_of(const struct diag *d, size_t first)
{
	for (size_t i = first; i < d->nentries; i++)
		if (d->entries[i].sev == DIAG_ERROR)
			return d->entries[i].rule && (!strcmp(d->entries[i].rule, "registry-input") ||
						      !strncmp(d->entries[i].rule, "oci-", 4))
				       ? REGISTRY_BAD_INPUT
				       : REGISTRY_FAILED;
	return REGISTRY_FAILED;
}

enum registry_status registry_push_image(struct registry *r, const char *layout, const char *tag,
					 const char *repo, const char *reference, const char *const *from,
					 size_t nfrom, struct registry_push_result *res, struct diag *d)
{
	struct oci_image_desc img;
	struct push p = {.r = r, .layout = layout, .repo = repo, .from = from, .nfrom = nfrom, .res = res};
	bool by_digest = reference && reg_digest_valid(reference);
	size_t first = d->nentries;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (reg_check_names(repo, reference, d) < 0)
		return REGISTRY_BAD_INPUT;
	for (size_t i = 0; i < nfrom; i++)
		if (reg_check_names(from[i], NULL, d) < 0)
			return REGISTRY_BAD_INPUT;
	if (oci_layout_image(layout, tag, &img, d) < 0)
		return status_of(d, first);
	if (by_digest && strcmp(reference, img.digest)) {
		diag_error(d, LOC_NONE, "registry-input", "the image of '%s' is %s, not %s", layout,
			   img.digest, reference);
		goto out;
	}
	if (!by_digest)
		res->tag = xstrdup(reference ? reference : tag ? tag : img.tag ? img.tag : "latest");
	pthread_mutex_init(&p.mu, NULL);
	rc = push_manifest(&p, img.digest, img.media_type, res->tag, 0, NULL, d);
	if (rc == 0 && !r->o.no_referrers && (rc = push_referrers(&p, img.digest, d)) < 0)
		diag_note(d, LOC_NONE, "the image %s is in '%s' under '%s', without its referrers",
			  img.digest, repo, res->tag ? res->tag : img.digest);
	pthread_mutex_destroy(&p.mu);
	if (rc == 0)
		memcpy(res->digest, img.digest, sizeof(res->digest));
out:
	oci_image_desc_release(&img);
	return rc == 0 ? REGISTRY_OK : status_of(d, first);
}

enum registry_status registry_push_layout(const char *layout, const char *tag,
					  const struct registry_ref *dest, const struct registry_opts *o,
					  const char *const *from, size_t nfrom,
					  struct registry_push_result *res, struct diag *d)
{
	struct registry *r = registry_new(dest->host, o);
	enum registry_status st = registry_push_image(
		r, layout, tag, dest->repo, dest->digest ? dest->digest : dest->tag, from, nfrom, res, d);

	registry_free(r);
	return st;
}
