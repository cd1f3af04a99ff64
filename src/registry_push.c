/* registry_push.c - blob uploads: mount, monolithic, chunked. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "registry_int.h"

#define OCTETS "application/octet-stream"

/* ---- blobs ------------------------------------------------------------------ */

/* The outcome of one try of an upload. */
enum try_result { TRY_OK, TRY_AGAIN, TRY_FAIL };

struct upload {
	struct registry *r;
	const char *repo, *digest, *scope;
	int fd;
	uint64_t size;
	char *location; /* of the upload session */
};

/* Move the session to the Location of p. */
static int follow(struct upload *u, const struct reg_resp *p, struct diag *d)
{
	char *next;

	if (!p->location) {
		diag_error(d, LOC_NONE, "registry", "the registry started an upload without a location");
		return -1;
	}
	if (!(next = reg_resolve(u->location, p->location, d)))
		return -1;
	free(u->location);
	u->location = next;
	return 0;
}

/* A status of an upload request: what to do about it. */
static enum try_result judge(const struct reg_resp *p, long want, struct diag *d, const char *what,
			     const struct upload *u)
{
	if (!p->hostile && p->status == want)
		return TRY_OK;
	reg_fail(d, p, "%s %s to '%s'", what, u->digest, u->repo);
	return !p->hostile && (p->status >= 500 || p->status == 429) ? TRY_AGAIN : TRY_FAIL;
}

/* POST a new upload session, or mount from another repository. 1 mounted,
 * 0 with a session in u->location, -1 when neither (the POST was retried
 * already). */
static int start(struct upload *u, const char *from, struct diag *d)
{
	char *base = reg_url(u->r, u->repo, "blobs", "uploads/"), *url;
	struct reg_resp p = {0};
	struct reg_req q = {.method = "POST", .scope = u->scope, .fd = -1};
	int rc = -1;

	url = from ? xasprintf("%s?mount=%s&from=%s", base, u->digest, from) : xstrdup(base);
	free(u->location);
	u->location = xstrdup(url);
	q.url = url;
	if (reg_do(u->r, &q, &p, d) == 0) {
		if (from && !p.hostile && p.status == 201)
			rc = 1;
		else if (judge(&p, 202, d, from ? "mount" : "start the upload of", u) == TRY_OK)
			rc = follow(u, &p, d);
	}
	reg_resp_release(&p);
	free(url);
	free(base);
	return rc;
}

/* After a chunk, the registry's Range ("0-LAST") must cover the bytes
 * sent so far: one that lost some is tried again from the start. */
static enum try_result check_range(const struct reg_resp *p, uint64_t sent, const struct upload *u,
				   struct diag *d)
{
	char *e;
	unsigned long long last;

	if (!p->range)
		return TRY_OK; /* optional in practice */
	last = strtoull(p->range + (strncmp(p->range, "0-", 2) ? 0 : 2), &e, 10);
	if (!strncmp(p->range, "0-", 2) && !*e && last + 1 == sent)
		return TRY_OK;
	e = reg_clean(p->range, strlen(p->range), 40);
	diag_error(d, LOC_NONE, "registry", "the registry holds '%s' of %llu bytes sent of %s", e,
		   (unsigned long long)sent, u->digest);
	free(e);
	return TRY_AGAIN;
}

/* url with "digest=D" added to its query. */
static char *with_digest(const char *url, const char *digest)
{
	return xasprintf("%s%cdigest=%s", url, strchr(url, '?') ? '&' : '?', digest);
}

/* Send the blob through the session u->location: one PUT up to the chunk
 * size, else PATCHes of a chunk each and an empty PUT. */
static enum try_result send_blob(struct upload *u, struct diag *d)
{
	uint64_t chunk = u->r->o.chunk_size, off = 0;
	bool chunked = u->size > chunk;
	struct reg_resp p = {0};
	enum try_result res = TRY_OK;
	char *url, range[64];

	while (chunked && off < u->size && res == TRY_OK) {
		uint64_t n = u->size - off < chunk ? u->size - off : chunk;
		struct reg_req q = {.method = "PATCH",
				    .url = u->location,
				    .scope = u->scope,
				    .content_type = OCTETS,
				    .content_range = range,
				    .fd = u->fd,
				    .off = off,
				    .size = n,
				    .once = true,
				    .progress = true};
		snprintf(range, sizeof(range), "%llu-%llu", (unsigned long long)off,
			 (unsigned long long)(off + n - 1));
		if (reg_do(u->r, &q, &p, d) < 0)
			res = TRY_AGAIN;
		else if ((res = judge(&p, 202, d, "upload a chunk of", u)) == TRY_OK)
			res = follow(u, &p, d) < 0 ? TRY_FAIL : check_range(&p, off + n, u, d);
		reg_resp_release(&p);
		off += n;
	}
	if (res != TRY_OK)
		return res;
	url = with_digest(u->location, u->digest);
	struct reg_req q = {.method = "PUT",
			    .url = url,
			    .scope = u->scope,
			    .content_type = OCTETS,
			    .data = chunked ? "" : NULL,
			    .fd = chunked ? -1 : u->fd,
			    .size = chunked ? 0 : u->size,
			    .once = true,
			    .progress = true};
	if (reg_do(u->r, &q, &p, d) < 0)
		res = TRY_AGAIN;
	else
		res = judge(&p, 201, d, "upload", u);
	reg_resp_release(&p);
	free(url);
	return res;
}

/* The last error of tmp into d (tmp had every try's). */
static void keep_last(struct diag *d, struct diag *tmp, int tries)
{
	const struct diag_entry *e = NULL;

	for (size_t i = tmp->nentries; i-- > 0;)
		if (tmp->entries[i].sev == DIAG_ERROR) {
			e = &tmp->entries[i];
			break;
		}
	if (e && tries > 1)
		diag_error(d, LOC_NONE, e->rule, "%s (tried %d times)", e->message, tries);
	else if (e)
		diag_error(d, LOC_NONE, e->rule, "%s", e->message);
	diag_release(tmp);
}

static int open_blob(const char *path, uint64_t size, struct diag *d)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != size) {
		if (fd >= 0 && !S_ISREG(st.st_mode))
			diag_error(d, LOC_NONE, "registry-input", "'%s' is no regular file", path);
		else if (fd >= 0)
			diag_error(d, LOC_NONE, "registry-input", "'%s' has %llu bytes, not %llu", path,
				   (unsigned long long)st.st_size, (unsigned long long)size);
		else
			diag_error(d, LOC_NONE, "registry-input", "cannot open '%s': %s", path,
				   file_strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void sleep_ms(long long ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Mount from one of from, else upload, from a new session each try, as
 * a session whose data request failed cannot be trusted; the waits double
 * from 250 ms. A request that starts a session was retried already. */
static int upload(struct upload *u, const char *const *from, size_t nfrom, enum registry_blob_how *how,
		  struct diag *d)
{
	struct diag tmp;
	enum try_result res = TRY_FAIL;
	long long wait = 250;
	bool session = false;
	int tries, m;

	diag_init(&tmp);
	for (size_t i = 0; i < nfrom && !session; i++) {
		if ((m = start(u, from[i], &tmp)) == 1) {
			*how = REGISTRY_BLOB_MOUNTED;
			diag_release(&tmp);
			return 0;
		}
		session = m == 0; /* not mounted: the registry opened a session instead */
	}
	*how = REGISTRY_BLOB_UPLOADED;
	for (tries = 1;; tries++) {
		if (!session && start(u, NULL, &tmp) < 0) {
			res = TRY_FAIL;
			break;
		}
		u->r->prog.done = 0;
		res = send_blob(u, &tmp);
		session = false;
		if (res != TRY_AGAIN || tries == REGISTRY_TRIES)
			break;
		sleep_ms(wait);
		wait *= 2;
	}
	if (res == TRY_OK) {
		diag_release(&tmp);
		return 0;
	}
	keep_last(d, &tmp, tries);
	return -1;
}

int registry_blob_push(struct registry *r, const char *repo, const char *digest, const char *path,
		       uint64_t size, const char *const *from, size_t nfrom, enum registry_blob_how *how,
		       struct diag *d)
{
	struct strbuf scope = STRBUF_INIT;
	struct upload u = {r, repo, digest, NULL, -1, size, NULL};
	int rc = -1;

	if (!reg_digest_valid(digest)) {
		diag_error(d, LOC_NONE, "registry-input", "bad digest '%s'", digest);
		return -1;
	}
	if (reg_check_names(repo, NULL, d) < 0)
		return -1;
	for (size_t i = 0; i < nfrom; i++)
		if (reg_check_names(from[i], NULL, d) < 0)
			return -1;
	if ((u.fd = open_blob(path, size, d)) < 0)
		return -1;
	sb_addf(&scope, "repository:%s:pull,push", repo);
	for (size_t i = 0; i < nfrom; i++)
		sb_addf(&scope, " repository:%s:pull", from[i]);
	u.scope = scope.buf;
	if (reg_connect(r, d) == 0)
		rc = upload(&u, from, nfrom, how, d);
	close(u.fd);
	free(u.location);
	sb_release(&scope);
	return rc;
}
