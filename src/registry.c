/* registry.c - references, the HTTP core (ping, auth, retries, bounds)
 * and the manifest and blob requests of the OCI distribution API. */
#include "config.h"

#include "registry.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

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

static bool tag_valid(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 128 || s[0] == '.' || s[0] == '-')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
			return false;
	return true;
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
	return r;
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

/* ---- responses --------------------------------------------------------------- */

void reg_resp_release(struct reg_resp *p)
{
	sb_release(&p->body);
	free(p->location);
	free(p->digest);
	free(p->content_type);
	free(p->www_auth);
	free(p->range);
	free(p->retry_after);
	memset(p, 0, sizeof(*p));
}

void reg_resp_reset(struct reg_resp *p)
{
	reg_resp_release(p);
}

/* The OCI error body's first error: "CODE: message". */
static char *error_text(const struct reg_resp *p)
{
	json_t *j, *e;
	const char *code, *msg;
	char *out = NULL, *c, *m;

	if (!p->body.len)
		return NULL;
	j = json_loadb(p->body.buf, p->body.len, 0, NULL);
	e = json_array_get(json_object_get(j, "errors"), 0);
	code = json_string_value(json_object_get(e, "code"));
	msg = json_string_value(json_object_get(e, "message"));
	if (code || msg) {
		c = reg_clean(code ? code : "", code ? strlen(code) : 0, 64);
		m = reg_clean(msg ? msg : "", msg ? strlen(msg) : 0, 300);
		out = xasprintf("%s%s%s", c, *c && *m ? ": " : "", m);
		free(c);
		free(m);
	}
	json_decref(j);
	return out;
}

void reg_fail(struct diag *d, const struct reg_resp *p, const char *fmt, ...)
{
	va_list ap;
	char *what, *text;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	text = error_text(p);
	if (p->hostile)
		diag_error(d, LOC_NONE, "registry", "cannot %s: %s", what, p->hostile);
	else if (text)
		diag_error(d, LOC_NONE, "registry", "cannot %s: the registry answered %ld (%s)", what,
			   p->status, text);
	else
		diag_error(d, LOC_NONE, "registry", "cannot %s: the registry answered %ld", what, p->status);
	if (p->status == 401 && !p->hostile)
		diag_note(d, LOC_NONE,
			  "give credentials with --creds USER:PASSWORD or in an auth file (cpolc(1))");
	free(text);
	free(what);
}

/* ---- curl callbacks ---------------------------------------------------------- */

struct xfer {
	struct registry *r;
	const struct reg_req *q;
	struct reg_resp *p;
	uint64_t sent;	   /* of a file body */
	bool setup_failed; /* the TLS files could not be read */
};

static void set_value(char **slot, const char *v, size_t n, bool join)
{
	if (n > REG_MAX_VALUE)
		n = REG_MAX_VALUE;
	if (join && *slot) {
		char *j = xasprintf("%s, %.*s", *slot, (int)n, v);
		free(*slot);
		*slot = j;
		return;
	}
	free(*slot);
	*slot = xstrndup(v, n);
}

/* One header line; a status line starts a new response (after a 100 or a
 * redirect). */
static size_t on_header(char *buf, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	struct reg_resp *p = x->p;
	size_t len = size * n, name, v;

	if (len >= 5 && !memcmp(buf, "HTTP/", 5)) {
		const char *sp = memchr(buf, ' ', len);
		reg_resp_reset(p);
		p->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	p->header_bytes += len;
	if (++p->nheaders > REGISTRY_MAX_HEADERS || p->header_bytes > REG_MAX_HEADER_BYTES) {
		p->hostile = "the registry sent too many headers";
		return 0;
	}
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	for (name = 0; name < len && buf[name] != ':'; name++)
		;
	if (name == len)
		return size * n;
	for (v = name + 1; v < len && (buf[v] == ' ' || buf[v] == '\t'); v++)
		;
#define IS(h) (name == sizeof(h) - 1 && !strncasecmp(buf, h, name))
	if (IS("Location"))
		set_value(&p->location, buf + v, len - v, false);
	else if (IS("Docker-Content-Digest"))
		set_value(&p->digest, buf + v, len - v, false);
	else if (IS("Content-Type"))
		set_value(&p->content_type, buf + v, len - v, false);
	else if (IS("WWW-Authenticate"))
		set_value(&p->www_auth, buf + v, len - v, true);
	else if (IS("Range"))
		set_value(&p->range, buf + v, len - v, false);
	else if (IS("Retry-After"))
		set_value(&p->retry_after, buf + v, len - v, false);
	else if (IS("Content-Length")) {
		char *e;
		unsigned long long l = strtoull(buf + v, &e, 10);
		p->has_length = e != buf + v;
		p->length = l;
	}
#undef IS
	return size * n;
}

static size_t on_body(char *buf, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	struct reg_resp *p = x->p;
	size_t len = size * n;
	bool ok = p->status >= 200 && p->status < 300;
	uint64_t limit = ok && x->q->max_body ? x->q->max_body : REGISTRY_MAX_BODY;

	p->received += len;
	if (p->received > limit) {
		p->hostile = ok && x->q->max_body ? "the registry sent a body larger than the limit"
						  : "the registry sent too long a body";
		return 0;
	}
	if (ok ? x->q->max_body > 0 : p->body.len < REG_KEEP_ERROR)
		sb_add(&p->body, buf,
		       ok ? len : (len < REG_KEEP_ERROR - p->body.len ? len : REG_KEEP_ERROR - p->body.len));
	return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	const struct reg_req *q = x->q;
	uint64_t left = q->size - x->sent;
	size_t want = size * n < left ? size * n : (size_t)left;
	ssize_t got;

	if (!want)
		return 0;
	do
		got = pread(q->fd, buf, want, (off_t)(q->off + x->sent));
	while (got < 0 && errno == EINTR);
	if (got <= 0)
		return CURL_READFUNC_ABORT; /* the file shrank or cannot be read */
	x->sent += (uint64_t)got;
	return (size_t)got;
}

static int on_seek(void *ctx, curl_off_t off, int origin)
{
	struct xfer *x = ctx;

	if (origin != SEEK_SET || off < 0 || (uint64_t)off > x->q->size)
		return CURL_SEEKFUNC_CANTSEEK;
	x->sent = (uint64_t)off;
	return CURL_SEEKFUNC_OK;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = ctx;
	struct registry *r = x->r;
	long long t = now_ms();
	uint64_t base = x->q->off, done = base + (uint64_t)ulnow;

	(void)dltotal, (void)dlnow, (void)ultotal;
	if (!r->o.progress || t - r->progress_ms < 100 || done <= r->prog.done)
		return 0;
	r->prog.all_done += done - r->prog.done;
	r->prog.done = done;
	r->progress_ms = t;
	r->o.progress(r->o.progress_ctx, &r->prog);
	return 0;
}

/* ---- requests ------------------------------------------------------------------ */

/* The CAs and client certificate of --cert-dir: every NAME.crt (sorted, so
 * the bundle does not depend on readdir order) and a NAME.cert with its
 * NAME.key. */
static int load_cert_dir(struct registry *r, struct diag *d);

static int setup_tls(struct registry *r, CURL *c, struct diag *d)
{
	if (r->o.insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
		return 0;
	}
	if (r->o.ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, r->o.ca_file);
	if (r->o.cert_dir) {
		if (!r->certs_state && load_cert_dir(r, d) < 0)
			return -1;
		r->certs_state = 1;
		if (r->cainfo.len) {
			struct curl_blob b = {r->cainfo.buf, r->cainfo.len, CURL_BLOB_COPY};
			curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &b);
		}
		if (r->sslcert) {
			curl_easy_setopt(c, CURLOPT_SSLCERT, r->sslcert);
			curl_easy_setopt(c, CURLOPT_SSLKEY, r->sslkey);
		}
	}
	return 0;
}

static struct curl_slist *headers_of(const struct reg_req *q, const char *auth)
{
	struct curl_slist *h = NULL;
	char *line;

#define ADD(fmt, v)                                                                                          \
	do {                                                                                                 \
		line = xasprintf(fmt, v);                                                                    \
		h = curl_slist_append(h, line);                                                              \
		free(line);                                                                                  \
	} while (0)
	if (q->accept)
		ADD("Accept: %s", q->accept);
	if (q->content_type)
		ADD("Content-Type: %s", q->content_type);
	if (q->content_range)
		ADD("Content-Range: %s", q->content_range);
	if (auth)
		ADD("Authorization: %s", auth);
#undef ADD
	h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
	return h;
}

static void setup_body(CURL *c, const struct reg_req *q)
{
	bool post = !strcmp(q->method, "POST");

	if (!strcmp(q->method, "HEAD")) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (q->data || post) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->data ? (const char *)q->data : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(q->data ? q->len : 0));
		if (!post)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
	} else if (q->fd >= 0 || !strcmp(q->method, "PUT") || !strcmp(q->method, "PATCH")) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(q->fd >= 0 ? q->size : 0));
		if (strcmp(q->method, "PUT"))
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
	}
}

/* One try of q. Returns the curl result; the response is in x->p. */
static CURLcode perform(struct registry *r, struct xfer *x, const char *auth, char *errbuf, struct diag *d)
{
	const struct reg_req *q = x->q;
	CURL *c = r->curl;
	struct curl_slist *h;
	bool https = !strncmp(q->url, "https://", 8);
	CURLcode rc;

	curl_easy_reset(c);
	if (setup_tls(r, c, d) < 0) {
		x->setup_failed = true;
		return CURLE_SSL_CACERT_BADFILE;
	}
	curl_easy_setopt(c, CURLOPT_URL, q->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)REGISTRY_MAX_REDIRECTS);
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
	if (q->fd < 0)
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "cpolc/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	if (q->fd >= 0 && !q->data) {
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, x);
		curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
		curl_easy_setopt(c, CURLOPT_SEEKDATA, x);
	}
	if (q->progress && r->o.progress) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	setup_body(c, q);
	h = headers_of(q, auth);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	errbuf[0] = '\0';
	x->sent = 0;
	reg_resp_reset(x->p);
	rc = curl_easy_perform(c);
	curl_slist_free_all(h);
	return rc;
}

static bool transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

static void sleep_ms(long long ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

#define BACKOFF_FIRST_MS 250
#define BACKOFF_TOTAL_MS 8000

/* Send q with auth, trying again on 5xx, 429 and dropped connections. 0
 * with the response in p, or -1 with an error in d. */
static int send_retrying(struct registry *r, const struct reg_req *q, struct reg_resp *p, const char *auth,
			 struct diag *d)
{
	struct xfer x = {r, q, p, 0, false};
	char errbuf[CURL_ERROR_SIZE];
	long long wait = BACKOFF_FIRST_MS, slept = 0;

	for (int try = 1;; try++) {
		CURLcode rc = perform(r, &x, auth, errbuf, d);
		bool again;

		if (x.setup_failed)
			return -1;
		if (rc != CURLE_OK && !p->hostile && !transient(rc)) {
			diag_error(d, LOC_NONE, "registry", "cannot reach '%s': %s", r->api_host,
				   errbuf[0] ? errbuf : curl_easy_strerror(rc));
			return -1;
		}
		if (p->hostile)
			return 0; /* the caller reports it */
		again = rc != CURLE_OK || p->status == 429 || p->status >= 500;
		if (!again)
			return 0;
		if (p->status == 429 && p->retry_after) {
			long long s = strtoll(p->retry_after, NULL, 10);
			if (s > 0 && s * 1000 > wait)
				wait = s * 1000;
		}
		if (q->once || try >= REGISTRY_TRIES || slept + wait > BACKOFF_TOTAL_MS) {
			if (rc == CURLE_OK)
				return 0;
			diag_error(d, LOC_NONE, "registry", "cannot reach '%s': %s (tried %d times)",
				   r->api_host, errbuf[0] ? errbuf : curl_easy_strerror(rc), try);
			return -1;
		}
		sleep_ms(wait);
		slept += wait;
		wait *= 2;
	}
}

/* Learn the scheme and the kind of auth from GET /v2/. */
static int ping(struct registry *r, struct diag *d)
{
	static const char *const schemes[] = {"https", "http"};
	struct reg_resp p = {0};

	for (size_t i = 0; i < (r->o.insecure ? 2u : 1u); i++) {
		char *url = xasprintf("%s://%s/v2/", schemes[i], r->api_host);
		struct reg_req q = {.method = "GET",
				    .url = url,
				    .fd = -1,
				    .no_auth = true,
				    .once = i == 0 && r->o.insecure};
		struct diag tmp;
		int rc;

		diag_init(&tmp);
		rc = send_retrying(r, &q, &p, NULL, i == 0 && r->o.insecure ? &tmp : d);
		diag_release(&tmp);
		free(url);
		if (rc < 0 || p.hostile)
			continue;
		if (p.status == 200 || p.status == 401) {
			r->base = xasprintf("%s://%s", schemes[i], r->api_host);
			if (p.status == 401 && reg_auth_challenged(r, p.www_auth, NULL, false, d) < 0)
				break;
			reg_resp_release(&p);
			return 0;
		}
		reg_fail(d, &p, "use '%s' as a registry (GET /v2/)", r->api_host);
		break;
	}
	if (p.hostile)
		reg_fail(d, &p, "use '%s' as a registry (GET /v2/)", r->api_host);
	reg_resp_release(&p);
	if (!d->nerrors)
		diag_error(d, LOC_NONE, "registry", "cannot reach '%s'", r->api_host);
	return -1;
}

int reg_connect(struct registry *r, struct diag *d)
{
	if (!r->curl && !(r->curl = curl_easy_init())) {
		diag_error(d, LOC_NONE, "registry", "cannot start libcurl");
		return -1;
	}
	return r->base ? 0 : ping(r, d);
}

int reg_do(struct registry *r, const struct reg_req *q, struct reg_resp *p, struct diag *d)
{
	char *auth = NULL;
	bool had;
	int rc;

	if (reg_connect(r, d) < 0)
		return -1;
	if (q->authorization)
		auth = xstrdup(q->authorization);
	else if (!q->no_auth && reg_auth_header(r, q->scope, &auth, d) < 0)
		return -1;
	had = auth != NULL;
	rc = send_retrying(r, q, p, auth, d);
	free(auth);
	auth = NULL;
	if (rc < 0 || p->status != 401 || q->no_auth || q->authorization)
		return rc;
	if (reg_auth_challenged(r, p->www_auth, q->scope, had, d) < 0 ||
	    reg_auth_header(r, q->scope, &auth, d) < 0)
		return -1;
	if (!auth)
		return 0; /* no credentials to try: the caller reports the 401 */
	rc = send_retrying(r, q, p, auth, d);
	free(auth);
	return rc;
}

static int load_cert_dir(struct registry *r, struct diag *d)
{
	struct strvec names = STRVEC_INIT;
	DIR *dir = opendir(r->o.cert_dir);
	struct dirent *e;
	int rc = 0;

	if (!dir) {
		diag_error(d, LOC_NONE, "registry-input", "cannot open '%s': %s", r->o.cert_dir,
			   strerror(errno));
		return -1;
	}
	while ((e = readdir(dir)))
		if (e->d_name[0] != '.')
			strvec_push(&names, e->d_name);
	closedir(dir);
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), cmp_strp);
	for (size_t i = 0; i < names.n && !rc; i++) {
		size_t n = strlen(names.v[i]);
		char *path = path_join(r->o.cert_dir, names.v[i]), *data;
		size_t len;

		if (n > 4 && !strcmp(names.v[i] + n - 4, ".crt")) {
			if (read_file(path, &data, &len) < 0) {
				diag_error(d, LOC_NONE, "registry-input", "cannot read '%s': %s", path,
					   strerror(errno));
				rc = -1;
			} else {
				sb_add(&r->cainfo, data, len);
				sb_addc(&r->cainfo, '\n');
				free(data);
			}
		} else if (n > 5 && !strcmp(names.v[i] + n - 5, ".cert") && !r->sslcert) {
			r->sslcert = xstrdup(path);
			r->sslkey = xasprintf("%.*s.key", (int)(strlen(path) - 5), path);
			if (access(r->sslkey, R_OK) < 0) {
				diag_error(d, LOC_NONE, "registry-input",
					   "no key '%s' for the certificate '%s'", r->sslkey, path);
				rc = -1;
			}
		}
		free(path);
	}
	strvec_clear(&names);
	return rc;
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
	char *url = NULL, *scope = scope_of(repo, "pull");
	struct reg_req q = {.method = head ? "HEAD" : "GET",
			    .scope = scope,
			    .accept = MANIFEST_TYPES,
			    .fd = -1,
			    .max_body = REGISTRY_MAX_MANIFEST};
	struct reg_resp p = {0};
	int rc = -1;

	memset(m, 0, sizeof(*m));
	if (reg_connect(r, d) == 0) {
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

int registry_manifest_put(struct registry *r, const char *repo, const char *reference, const char *media_type,
			  const void *data, size_t len, char digest_out[72], struct diag *d)
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
