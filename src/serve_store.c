/* serve_store.c - cpolc serve --store REGISTRY/REPO: compositions shared
 * through a registry.
 *
 * Each composition is pushed to REPO under the tag "cpolc-KEY" (KEY, the
 * composition key, is the digest of what decided it), so that any instance
 * serving the same policies and catalogs finds it there instead of
 * composing it again, and sends its clients to the registry for the blobs.
 * The registry scales on its own storage; cpolc serve keeps the decisions.
 */
#include "config.h"

#include "serve_int.h"

#include <stdlib.h>
#include <string.h>

#include "registry.h"

struct serve_store {
	struct registry_ref ref;
	struct registry_opts opts;
	char *creds;
	struct registry *r; /* for lookups and URLs, under lock */
	pthread_mutex_t lock;
};

struct serve_store *serve_store_open(const char *spec, const char *creds, bool insecure, struct diag *d)
{
	struct serve_store *st = xcalloc(1, sizeof(*st));

	if (registry_ref_parse(spec, &st->ref, d) < 0) {
		free(st);
		return NULL;
	}
	if (st->ref.tag || st->ref.digest) {
		diag_error(d, LOC_NONE, "serve", "--store takes REGISTRY/REPO, without a tag or digest: '%s'",
			   spec);
		registry_ref_release(&st->ref);
		free(st);
		return NULL;
	}
	st->creds = creds ? xstrdup(creds) : NULL;
	st->opts.creds = st->creds;
	st->opts.insecure = insecure;
	st->r = registry_new(st->ref.host, &st->opts);
	pthread_mutex_init(&st->lock, NULL);
	return st;
}

void serve_store_free(struct serve_store *st)
{
	if (!st)
		return;
	registry_free(st->r);
	registry_ref_release(&st->ref);
	free(st->creds);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

static char *tag_of(const char *key)
{
	return xasprintf("cpolc-%s", key);
}

int serve_store_find(struct serve_store *st, const char *key, char **bytes, size_t *len, char digest[72],
		     struct diag *d)
{
	struct registry_manifest m = {0};
	char *tag = tag_of(key);
	int rc;

	pthread_mutex_lock(&st->lock);
	rc = registry_manifest_get(st->r, st->ref.repo, tag, false, &m, d);
	pthread_mutex_unlock(&st->lock);
	if (rc == 1) {
		*bytes = m.data, *len = m.len;
		m.data = NULL;
		memcpy(digest, m.digest, 72);
	}
	registry_manifest_release(&m);
	free(tag);
	return rc;
}

int serve_store_put(struct serve_store *st, const char *layout, const char *key, struct diag *d)
{
	struct registry_ref dest = st->ref;
	struct registry_push_result res;
	enum registry_status rs;

	memset(&res, 0, sizeof(res));
	dest.tag = tag_of(key);
	rs = registry_push_layout(layout, key, &dest, &st->opts, NULL, 0, &res, d);
	registry_push_result_release(&res);
	free(dest.tag);
	return rs == REGISTRY_OK ? 0 : -1;
}

char *serve_store_blob_url(struct serve_store *st, const char *digest)
{
	char *url;

	pthread_mutex_lock(&st->lock);
	url = registry_blob_url(st->r, st->ref.repo, digest);
	pthread_mutex_unlock(&st->lock);
	return url;
}
