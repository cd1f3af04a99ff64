/* registry_http.c - the HTTP core of the registry client: one request
 * through libcurl with its bounds, retries with backoff, the ping that
 * finds the scheme and the kind of auth, a 401 answered once with new
 * credentials, TLS settings, and the messages of failed answers. */
#include "config.h"

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
	free(p->subject);
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
	else if (IS("OCI-Subject"))
		set_value(&p->subject, buf + v, len - v, false);
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
			if (s > BACKOFF_TOTAL_MS / 1000)
				wait = BACKOFF_TOTAL_MS + 1; /* longer than we wait: give up */
			else if (s > 0 && s * 1000 > wait)
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
	if (!r->o.insecure)
		diag_note(d, LOC_NONE, "a test registry without TLS needs --tls-verify=false");
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
			   file_strerror(errno));
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
					   file_strerror(errno));
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
