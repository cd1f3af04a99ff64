/* registry.c - references, the client, and the manifest and blob
 * requests of the OCI distribution API (the HTTP core is in
 * registry_http.c). */
#include "config.h"

#include "registry.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "registry_int.h"
#include "util.h"

/* ---- references ------------------------------------------------------------ */

bool reg_digest_valid(const char *s)
{
	if (strncmp(s, "sha256:", 7) || strlen(s) != 71)
		return false;
	for (s += 7; *s; s++)
		if (!isdigit((unsigned char)*s) && !(*s >= 'a' && *s <= 'f'))
			return false;
	return true;
}

static bool host_valid(const char *h, size_t n)
{
	size_t i = 0, port;

	if (n && h[0] == '[') { /* [IPv6]:port */
		const char *e = memchr(h, ']', n);
		if (!e || e == h + 1)
			return false;
		for (const char *p = h + 1; p < e; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
				return false;
		i = (size_t)(e - h) + 1;
	} else {
		while (i < n && (isalnum((unsigned char)h[i]) || h[i] == '.' || h[i] == '-'))
			i++;
		if (!i || h[0] == '-' || h[0] == '.' || h[i - 1] == '-')
			return false;
	}
	if (i == n)
		return true;
	if (h[i] != ':')
		return false;
	port = ++i;
	while (i < n && isdigit((unsigned char)h[i]))
		i++;
	return i == n && i > port && i - port <= 5;
}

/* A path component: [a-z0-9]+ joined by '.', '_', '__' or dashes. */
static bool component_valid(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = i;
		while (i < n && (islower((unsigned char)s[i]) || isdigit((unsigned char)s[i])))
			i++;
		if (i == run)
			return false;
		if (i == n)
			return true;
		if (s[i] == '.' || (s[i] == '_' && (i + 1 == n || s[i + 1] != '_')))
			i++;
		else if (s[i] == '_')
			i += 2;
		else
			while (i < n && s[i] == '-')
				i++;
		if (i == n)
			return false;
	}
	return n > 0;
}

static bool repo_valid(const char *s)
{
	const char *slash;

	if (!*s || strlen(s) > 255)
		return false;
	while ((slash = strchr(s, '/'))) {
		if (!component_valid(s, (size_t)(slash - s)))
			return false;
		s = slash + 1;
	}
	return component_valid(s, strlen(s));
}

int reg_check_names(const char *repo, const char *reference, struct diag *d)
{
	const char *bad = !repo_valid(repo)						       ? repo
			  : reference && !reg_digest_valid(reference) && !tag_valid(reference) ? reference
											       : NULL;
	char *c;

	if (!bad)
		return 0;
	c = reg_clean(bad, strlen(bad), 200);
	diag_error(d, LOC_NONE, "registry-input", "'%s' is no %s", c,
		   bad == repo ? "repository name" : "tag or digest");
	free(c);
	return -1;
}

void registry_ref_release(struct registry_ref *r)
{
	free(r->host);
	free(r->repo);
	free(r->tag);
	free(r->digest);
	memset(r, 0, sizeof(*r));
}

/* Split "HOST/REPO[:TAG]" (the digest already cut off) into r. */
static const char *split_ref(char *s, struct registry_ref *r)
{
	char *slash = strchr(s, '/'), *colon;

	if (!slash)
		return "no repository";
	if (!host_valid(s, (size_t)(slash - s)) ||
	    (!memchr(s, '.', (size_t)(slash - s)) && !memchr(s, ':', (size_t)(slash - s)) &&
	     strncmp(s, "localhost/", 10)))
		return "no registry host";
	r->host = xstrndup(s, (size_t)(slash - s));
	colon = strrchr(slash, ':');
	if (colon) {
		*colon = '\0';
		if (!tag_valid(colon + 1))
			return "a bad tag";
		r->tag = xstrdup(colon + 1);
	}
	if (!repo_valid(slash + 1))
		return "a bad repository name";
	r->repo = xstrdup(slash + 1);
	return NULL;
}

int registry_ref_parse(const char *s, struct registry_ref *r, struct diag *d)
{
	char *copy = xstrdup(s), *at = strchr(copy, '@');
	const char *why = NULL;

	memset(r, 0, sizeof(*r));
	if (strlen(s) > 1024)
		why = "too long";
	else if (at) {
		*at = '\0';
		if (!reg_digest_valid(at + 1))
			why = "a bad digest (sha256:HEX)";
		else
			r->digest = xstrdup(at + 1);
	}
	if (!why)
		why = split_ref(copy, r);
	free(copy);
	if (!why)
		return 0;
	char *clean = reg_clean(s, strlen(s), 200);
	diag_error(d, LOC_NONE, "registry-input", "'%s' is no image reference REGISTRY/REPO[:TAG]: %s", clean,
		   why);
	free(clean);
	registry_ref_release(r);
	return -1;
}

char *registry_ref_str(const struct registry_ref *r)
{
	return xasprintf("%s/%s%s%s%s%s", r->host, r->repo, r->tag ? ":" : "", r->tag ? r->tag : "",
			 r->digest ? "@" : "", r->digest ? r->digest : "");
}

/* ---- the client ---------------------------------------------------------------- */

struct registry *registry_new(const char *host, const struct registry_opts *o)
{
	struct registry *r = xcalloc(1, sizeof(*r));

	r->host = xstrdup(host);
	r->api_host = xstrdup(!strcmp(host, "docker.io") ? "registry-1.docker.io" : host);
	r->o = *o;
	if (!r->o.chunk_size)
		r->o.chunk_size = REGISTRY_CHUNK_DEFAULT;
	if (r->o.jobs <= 0)
		r->o.jobs = REGISTRY_JOBS_DEFAULT;
	if (r->o.jobs > REGISTRY_JOBS_MAX)
		r->o.jobs = REGISTRY_JOBS_MAX;
	return r;
}

struct registry *reg_clone(const struct registry *r)
{
	struct registry *c = registry_new(r->host, &r->o);

	c->base = r->base ? xstrdup(r->base) : NULL;
	sb_add(&c->cainfo, r->cainfo.buf ? r->cainfo.buf : "", r->cainfo.len);
	c->certs_state = r->certs_state;
	c->sslcert = r->sslcert ? xstrdup(r->sslcert) : NULL;
	c->sslkey = r->sslkey ? xstrdup(r->sslkey) : NULL;
	reg_auth_copy(c, r);
	return c;
}

void registry_free(struct registry *r)
{
	if (!r)
		return;
	if (r->curl)
		curl_easy_cleanup(r->curl);
	reg_auth_release(r);
	sb_release(&r->cainfo);
	free(r->sslcert);
	free(r->sslkey);
	free(r->base);
	free(r->api_host);
	free(r->host);
	free(r);
}

char *reg_clean(const char *s, size_t n, size_t max)
{
	size_t len = n < max ? n : max;
	char *out = xmalloc(len + 4);

	for (size_t i = 0; i < len; i++)
		out[i] = (s[i] < 0x20 || s[i] > 0x7e) ? '?' : s[i];
	strcpy(out + len, n > max ? "..." : "");
	return out;
}

char *reg_url(const struct registry *r, const char *repo, const char *kind, const char *ref)
{
	return xasprintf("%s/v2/%s/%s/%s", r->base ? r->base : "https://", repo, kind, ref);
}

char *registry_blob_url(struct registry *r, const char *repo, const char *digest)
{
	if (!repo_valid(repo) || !reg_digest_valid(digest))
		return NULL;
	if (!r->base)
		return xasprintf("https://%s/v2/%s/blobs/%s", r->api_host, repo, digest);
	return reg_url(r, repo, "blobs", digest);
}

char *reg_resolve(const char *url, const char *loc, struct diag *d)
{
	const char *host_end;
	char *clean;

	for (const char *p = loc; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			goto bad;
	if (!strncmp(loc, "https://", 8) || !strncmp(loc, "http://", 7)) {
		if (!strncmp(url, "https://", 8) && !strncmp(loc, "http://", 7)) {
			diag_error(d, LOC_NONE, "registry", "the registry sent an upload from https to http");
			return NULL;
		}
		return xstrdup(loc);
	}
	if (loc[0] != '/' || loc[1] == '/')
		goto bad;
	host_end = strchr(strstr(url, "://") + 3, '/');
	return xasprintf("%.*s%s", (int)(host_end ? host_end - url : (ptrdiff_t)strlen(url)), url, loc);
bad:
	clean = reg_clean(loc, strlen(loc), 200);
	diag_error(d, LOC_NONE, "registry", "the registry sent a bad location '%s'", clean);
	free(clean);
	return NULL;
}

/* ---- manifests and blobs ----------------------------------------------------- */

#define MANIFEST_TYPES                                                                                       \
	"application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "              \
	"application/vnd.docker.distribution.manifest.v2+json, "                                             \
	"application/vnd.docker.distribution.manifest.list.v2+json"

static char *scope_of(const char *repo, const char *actions)
{
	return xasprintf("repository:%s:%s", repo, actions);
}

void registry_manifest_release(struct registry_manifest *m)
{
	free(m->media_type);
	free(m->data);
	memset(m, 0, sizeof(*m));
}

/* The response's digest: Docker-Content-Digest, checked against the bytes
 * when there are bytes and against want when not NULL. */
static int check_digest(const struct reg_resp *p, const char *want, const void *data, size_t len,
			bool have_data, char out[72], struct diag *d)
{
	char hex[65], got[72] = "";

	if (have_data) {
		sha256_hex(data, len, hex);
		snprintf(got, sizeof(got), "sha256:%s", hex);
	}
	if (p->digest && *got && strcmp(p->digest, got) && reg_digest_valid(p->digest)) {
		diag_error(d, LOC_NONE, "registry", "the registry sent a manifest whose digest is not %s",
			   p->digest);
		return -1;
	}
	if (!*got && p->digest && reg_digest_valid(p->digest))
		snprintf(got, sizeof(got), "%s", p->digest);
	if (want && *got && strcmp(want, got)) {
		diag_error(d, LOC_NONE, "registry", "the registry sent a manifest of digest %s for %s", got,
			   want);
		return -1;
	}
	if (!*got && want)
		snprintf(got, sizeof(got), "%s", want);
	memcpy(out, got, sizeof(got));
	return 0;
}

int registry_manifest_get(struct registry *r, const char *repo, const char *reference, bool head,
			  struct registry_manifest *m, struct diag *d)
{
	return reg_manifest_get(r, repo, reference, "pull", head, m, d);
}

int reg_manifest_get(struct registry *r, const char *repo, const char *reference, const char *actions,
		     bool head, struct registry_manifest *m, struct diag *d)
{
	char *url = NULL, *scope = scope_of(repo, actions);
	struct reg_req q = {.method = head ? "HEAD" : "GET",
			    .scope = scope,
			    .accept = MANIFEST_TYPES,
			    .fd = -1,
			    .max_body = REGISTRY_MAX_MANIFEST};
	struct reg_resp p = {0};
	int rc = -1;

	memset(m, 0, sizeof(*m));
	if (reg_check_names(repo, reference, d) == 0 && reg_connect(r, d) == 0) {
		url = reg_url(r, repo, "manifests", reference);
		q.url = url;
		rc = reg_do(r, &q, &p, d);
	}
	if (rc < 0)
		goto out;
	rc = -1;
	if (p.status == 404 && !p.hostile) {
		rc = 0;
		goto out;
	}
	if (p.hostile || p.status != 200) {
		reg_fail(d, &p, "get the manifest '%s' of '%s'", reference, repo);
		goto out;
	}
	if (check_digest(&p, reg_digest_valid(reference) ? reference : NULL, p.body.buf, p.body.len, !head,
			 m->digest, d) < 0)
		goto out;
	m->media_type = xstrdup(p.content_type ? p.content_type : "");
	m->len = head ? (size_t)p.length : p.body.len;
	if (!head)
		m->data = sb_detach(&p.body, NULL);
	rc = 1;
out:
	reg_resp_release(&p);
	free(scope);
	free(url);
	return rc;
}

bool reg_media_type_valid(const char *s)
{
	size_t n = strlen(s), slash = strcspn(s, "/");

	if (!n || n > 255 || slash == 0 || slash >= n - 1 || strchr(s + slash + 1, '/'))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("!#$&^_.+-/", *s))
			return false;
	return true;
}

int reg_check_media_type(const char *mt, struct diag *d)
{
	char *c;

	if (reg_media_type_valid(mt))
		return 0;
	c = reg_clean(mt, strlen(mt), 100);
	diag_error(d, LOC_NONE, "registry-input", "'%s' is no media type", c);
	free(c);
	return -1;
}

int registry_manifest_put(struct registry *r, const char *repo, const char *reference, const char *media_type,
			  const void *data, size_t len, char digest_out[72], struct diag *d)
{
	return reg_manifest_put(r, repo, reference, media_type, data, len, digest_out, NULL, d);
}

int reg_manifest_put(struct registry *r, const char *repo, const char *reference, const char *media_type,
		     const void *data, size_t len, char digest_out[72], char **subject, struct diag *d)
{
	char *scope = scope_of(repo, "pull,push"), *url = NULL, digest[72];
	struct reg_req q = {.method = "PUT",
			    .scope = scope,
			    .content_type = media_type,
			    .data = data,
			    .len = len,
			    .fd = -1};
	struct reg_resp p = {0};
	int rc = -1;

	if (subject)
		*subject = NULL;
	if (reg_check_names(repo, reference, d) < 0)
		goto out;
	if (reg_check_media_type(media_type, d) < 0)
		goto out;
	if (len > REGISTRY_MAX_MANIFEST) {
		diag_error(d, LOC_NONE, "registry-input", "the manifest is larger than %u bytes",
			   REGISTRY_MAX_MANIFEST);
		goto out;
	}
	if (reg_connect(r, d) < 0)
		goto out;
	q.url = url = reg_url(r, repo, "manifests", reference);
	if (reg_do(r, &q, &p, d) < 0)
		goto out;
	if (p.hostile || p.status != 201) {
		reg_fail(d, &p, "push the manifest '%s' of '%s'", reference, repo);
		goto out;
	}
	/* the digest the registry names must be that of the bytes sent */
	if (check_digest(&p, NULL, data, len, true, digest, d) < 0)
		goto out;
	if (digest_out)
		memcpy(digest_out, digest, sizeof(digest));
	if (subject)
		*subject = p.subject ? reg_clean(p.subject, strlen(p.subject), 80) : NULL;
	rc = 0;
out:
	reg_resp_release(&p);
	free(url);
	free(scope);
	return rc;
}

int reg_blob_head(struct registry *r, const char *repo, const char *digest, const char *actions,
		  uint64_t *size, struct diag *d)
{
	char *scope = scope_of(repo, actions), *url = NULL;
	struct reg_req q = {.method = "HEAD", .scope = scope, .fd = -1};
	struct reg_resp p = {0};
	int rc = -1;

	if (reg_check_names(repo, digest, d) < 0)
		goto out;
	if (!reg_digest_valid(digest)) {
		diag_error(d, LOC_NONE, "registry-input", "'%s' is no digest", digest);
		goto out;
	}
	if (reg_connect(r, d) < 0)
		goto out;
	q.url = url = reg_url(r, repo, "blobs", digest);
	if (reg_do(r, &q, &p, d) < 0)
		goto out;
	if (p.status == 404 && !p.hostile)
		rc = 0;
	else if (p.status == 200 && !p.hostile) {
		rc = 1;
		if (size)
			*size = p.length;
	} else
		reg_fail(d, &p, "look for the blob %s in '%s'", digest, repo);
out:
	reg_resp_release(&p);
	free(url);
	free(scope);
	return rc;
}

int registry_blob_exists(struct registry *r, const char *repo, const char *digest, uint64_t *size,
			 struct diag *d)
{
	return reg_blob_head(r, repo, digest, "pull", size, d);
}
