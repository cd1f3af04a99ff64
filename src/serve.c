/* serve.c - the HTTP front of cpolc serve: the pull side of the OCI
 * distribution API over libmicrohttpd (one thread per connection, so a
 * composition blocks only the connection that waits for it).
 *
 *   GET  /v2/                            200 {} (401 without credentials, with --auth)
 *   GET|HEAD /v2/NAME/manifests/REF      REF a tag (composes) or a digest (looks up)
 *   GET|HEAD /v2/NAME/blobs/DIGEST       streamed from the state layout, Range too
 *   GET  /v2/NAME/tags/list              the requests of NAME (?n=&last= pages)
 *   GET  /v2/NAME/referrers/DIGEST       the artifacts (SBOM) of a manifest (?artifactType=)
 *
 * Errors are the spec's JSON bodies ({"errors": [{"code", "message"}]}).
 * Nothing a client sends is accepted as a body; headers are bounded by the
 * connection memory limit, idle connections time out.
 */
#include "config.h"

#include "oci.h"
#include "serve_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define REALM	     "cpolc"

struct serve {
	struct serve_opts o;
	struct MHD_Daemon *mhd;
	struct serve_composer *comp;
	struct serve_log audit, access;
	struct serve_auth auth;
	bool have_auth;
	struct serve_store *store; /* --store, or NULL */
	char *tls_cert, *tls_key;
	unsigned port;
};

/* What one request is about. */
struct req {
	struct serve *s;
	struct MHD_Connection *conn;
	const char *method, *url;
	bool head;
	char client[64];
	char *user, *roles; /* with --auth */
};

static void logf_(struct serve *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct serve *s, const char *fmt, ...)
{
	va_list ap;
	char *line;

	if (!s->o.log)
		return;
	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	s->o.log(s->o.log_ctx, line);
	free(line);
}

static enum MHD_Result queue(struct req *r, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result ret;

	MHD_add_response_header(resp, "Docker-Distribution-API-Version", "registry/2.0");
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	logf_(r->s, "%s %s %s %s %u", r->client, r->user ? r->user : "-", r->method, r->url, status);
	return ret;
}

static struct MHD_Response *buffer(const char *data, size_t len, const char *type)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);

	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	return resp;
}

/* An error of the distribution spec: {"errors": [{"code", "message"}]}. */
static enum MHD_Result error(struct req *r, unsigned status, const char *code, const char *message)
{
	json_t *body = json_pack("{s:[{s:s,s:s}]}", "errors", "code", code, "message", message);
	char *text = json_dumps(body, JSON_COMPACT);
	struct MHD_Response *resp = buffer(text, strlen(text), "application/json");

	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic realm=\"" REALM "\"");
	if (status == MHD_HTTP_TOO_MANY_REQUESTS)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "5");
	free(text);
	json_decref(body);
	return queue(r, status, resp);
}

/* ---- manifests ---------------------------------------------------------- */

/* Does the client take media type mt (an absent Accept takes anything)? */
static bool accepts(struct req *r, const char *mt)
{
	const char *accept = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);

	return !accept || strstr(accept, mt) || strstr(accept, "*/*");
}

static int access_log(struct req *r, const char *name, const char *ref, const char *digest)
{
	char now[32], *line;
	json_t *rec;
	int rc;

	serve_now(now);
	rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "time", now, "client", r->client, "identity",
			r->user ? r->user : "", "name", name, "reference", ref, "manifest", digest);
	line = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	rc = serve_log_append(&r->s->access, line);
	free(line);
	json_decref(rec);
	return rc;
}

static enum MHD_Result send_manifest(struct req *r, const char *name, const char *ref,
				     const struct serve_comp *c)
{
	struct MHD_Response *resp;

	if (!accepts(r, c->media_type))
		return error(r, MHD_HTTP_NOT_FOUND, "MANIFEST_UNKNOWN",
			     "the manifest's media type is not in Accept");
	if (access_log(r, name, ref, c->manifest) < 0)
		return error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "UNKNOWN", "cannot write the access log");
	resp = buffer(c->bytes, c->len, c->media_type);
	MHD_add_response_header(resp, "Docker-Content-Digest", c->manifest);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, c->manifest);
	return queue(r, MHD_HTTP_OK, resp);
}

/* A referrer's manifest (an artifact manifest: its SBOM), by digest. */
static enum MHD_Result send_referrer(struct req *r, const char *name, const struct serve_ref *ref)
{
	struct MHD_Response *resp;

	if (!accepts(r, OCI_MT_MANIFEST))
		return error(r, MHD_HTTP_NOT_FOUND, "MANIFEST_UNKNOWN",
			     "the manifest's media type is not in Accept");
	if (access_log(r, name, ref->digest, ref->digest) < 0)
		return error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "UNKNOWN", "cannot write the access log");
	resp = buffer(ref->bytes, ref->len, OCI_MT_MANIFEST);
	MHD_add_response_header(resp, "Docker-Content-Digest", ref->digest);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, ref->digest);
	return queue(r, MHD_HTTP_OK, resp);
}

static enum MHD_Result manifest(struct req *r, const char *name, const char *ref)
{
	static const struct {
		unsigned status;
		const char *code;
	} errs[] = {
		[SERVE_NAME_UNKNOWN] = {MHD_HTTP_NOT_FOUND, "NAME_UNKNOWN"},
		[SERVE_REF_UNKNOWN] = {MHD_HTTP_NOT_FOUND, "MANIFEST_UNKNOWN"},
		[SERVE_DENIED] = {MHD_HTTP_FORBIDDEN, "DENIED"},
		[SERVE_UNRESOLVED] = {MHD_HTTP_NOT_FOUND, "MANIFEST_UNKNOWN"},
		[SERVE_ERROR] = {MHD_HTTP_INTERNAL_SERVER_ERROR, "UNKNOWN"},
		[SERVE_BUSY] = {MHD_HTTP_TOO_MANY_REQUESTS, "TOOMANYREQUESTS"},
	};
	const char *identity = r->user ? r->user : "";
	struct serve_result res;
	enum MHD_Result ret;

	if (!strncmp(ref, "sha256:", 7)) {
		const struct serve_comp *c =
			digest_valid(ref) ? serve_find_manifest(r->s->comp, name, identity, ref) : NULL;
		if (!c)
			return error(r, MHD_HTTP_NOT_FOUND, "MANIFEST_UNKNOWN", "no such manifest");
		if (serve_comp_ref(c, ref))
			return send_referrer(r, name, serve_comp_ref(c, ref));
		return send_manifest(r, name, ref, c);
	}
	if (!tag_valid(ref))
		return error(r, MHD_HTTP_BAD_REQUEST, "TAG_INVALID", "not a valid tag");
	serve_compose(r->s->comp, name, ref, identity, r->roles ? r->roles : "", r->client, &res);
	if (res.status == SERVE_OK) {
		ret = send_manifest(r, name, ref, res.comp);
	} else {
		if (res.status == SERVE_DENIED || res.status == SERVE_UNRESOLVED || res.status == SERVE_ERROR)
			logf_(r->s, "%s:%s: %s", name, ref, res.message ? res.message : "");
		ret = error(r, errs[res.status].status, errs[res.status].code,
			    res.message ? res.message : "");
	}
	free(res.message);
	return ret;
}

/* ---- blobs -------------------------------------------------------------- */

/* Parse "bytes=A-B", "bytes=A-" or "bytes=-N" against size. 1: a range;
 * 0: no Range header; -1: unsatisfiable or malformed. */
static int parse_range(const char *h, uint64_t size, uint64_t *from, uint64_t *to)
{
	char *end;
	unsigned long long a, b;

	if (!h)
		return 0;
	if (strncmp(h, "bytes=", 6) || strchr(h, ','))
		return -1;
	h += 6;
	if (*h == '-') {
		errno = 0;
		b = strtoull(h + 1, &end, 10);
		if (errno || end == h + 1 || *end || b == 0 || size == 0)
			return -1;
		*from = b >= size ? 0 : size - b;
		*to = size - 1;
		return 1;
	}
	errno = 0;
	a = strtoull(h, &end, 10);
	if (errno || end == h || *end != '-' || a >= size)
		return -1;
	h = end + 1;
	b = size - 1;
	if (*h) {
		b = strtoull(h, &end, 10);
		if (errno || *end || b < a)
			return -1;
		if (b >= size)
			b = size - 1;
	}
	*from = a, *to = b;
	return 1;
}

static enum MHD_Result blob(struct req *r, const char *name, const char *digest)
{
	const char *range = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
	uint64_t from = 0, to = 0;
	const struct serve_comp *owner;
	struct MHD_Response *resp;
	struct stat st;
	char *path, buf[96];
	int fd, rr;

	if (!digest_valid(digest))
		return error(r, MHD_HTTP_BAD_REQUEST, "DIGEST_INVALID", "not a sha256 digest");
	owner = serve_blob_owner(r->s->comp, name, r->user ? r->user : "", digest);
	if (!owner)
		return error(r, MHD_HTTP_NOT_FOUND, "BLOB_UNKNOWN", "no such blob in this repository");
	if (owner->remote) { /* composed by another instance: the store has it */
		char *url = serve_store_blob_url(r->s->store, digest);
		resp = buffer("", 0, "application/octet-stream");
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, url);
		free(url);
		return queue(r, MHD_HTTP_TEMPORARY_REDIRECT, resp);
	}
	path = serve_blob_path(r->s->comp, digest);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	free(path);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return error(r, MHD_HTTP_NOT_FOUND, "BLOB_UNKNOWN", "the blob is gone from the state");
	}
	rr = parse_range(range, (uint64_t)st.st_size, &from, &to);
	if (rr < 0) {
		close(fd);
		resp = buffer("", 0, "application/octet-stream");
		snprintf(buf, sizeof(buf), "bytes */%" PRIu64, (uint64_t)st.st_size);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, buf);
		return queue(r, MHD_HTTP_RANGE_NOT_SATISFIABLE, resp);
	}
	if (rr == 0)
		to = st.st_size ? (uint64_t)st.st_size - 1 : 0;
	resp = MHD_create_response_from_fd_at_offset64(st.st_size ? to - from + 1 : 0, fd, from);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
	MHD_add_response_header(resp, "Docker-Content-Digest", digest);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, digest);
	if (rr == 1) {
		snprintf(buf, sizeof(buf), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, from, to,
			 (uint64_t)st.st_size);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, buf);
	}
	return queue(r, rr == 1 ? MHD_HTTP_PARTIAL_CONTENT : MHD_HTTP_OK, resp);
}

/* ---- tags --------------------------------------------------------------- */

static enum MHD_Result tags(struct req *r, const char *name)
{
	const char *ns = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "n"),
		   *last = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "last");
	long n = ns ? strtol(ns, NULL, 10) : -1;
	size_t count, shown = 0;
	char **v = serve_tags(r->s->comp, name, &count), *text;
	json_t *arr = json_array(), *body;
	struct MHD_Response *resp;

	if (!v)
		return error(r, MHD_HTTP_NOT_FOUND, "NAME_UNKNOWN", "no such policy");
	for (size_t i = 0; i < count; i++) {
		if ((!last || strcmp(v[i], last) > 0) && (n < 0 || (long)shown < n)) {
			json_array_append_new(arr, json_string(v[i]));
			shown++;
		}
		free(v[i]);
	}
	free(v);
	body = json_pack("{s:s,s:o}", "name", name, "tags", arr);
	text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	resp = buffer(text, strlen(text), "application/json");
	free(text);
	json_decref(body);
	return queue(r, MHD_HTTP_OK, resp);
}

/* ---- referrers ------------------------------------------------------------ */

/* GET /v2/NAME/referrers/DIGEST[?artifactType=T] (distribution spec 1.1):
 * an image index of the artifacts whose subject is DIGEST, empty when the
 * client may see no such manifest (never 404), filtered by artifactType. */
static enum MHD_Result referrers(struct req *r, const char *name, const char *digest)
{
	const char *type = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "artifactType");
	const struct serve_comp *c;
	json_t *list = json_array(), *body;
	struct MHD_Response *resp;
	char *text;

	if (!digest_valid(digest))
		return error(r, MHD_HTTP_BAD_REQUEST, "DIGEST_INVALID", "not a sha256 digest");
	c = serve_find_manifest(r->s->comp, name, r->user ? r->user : "", digest);
	for (size_t i = 0; c && !strcmp(c->manifest, digest) && i < c->nrefs; i++)
		if (!type || !strcmp(type, c->refs[i].type))
			json_array_append_new(list, json_loads(c->refs[i].desc, 0, NULL));
	body = json_pack("{s:i, s:s, s:o}", "schemaVersion", 2, "mediaType", OCI_MT_INDEX, "manifests", list);
	text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(body);
	resp = buffer(text, strlen(text), OCI_MT_INDEX);
	free(text);
	if (type)
		MHD_add_response_header(resp, "OCI-Filters-Applied", "artifactType");
	return queue(r, MHD_HTTP_OK, resp);
}

/* ---- routing ------------------------------------------------------------ */

/* Split "NAME/KIND/REST" at the last "/manifests/", "/blobs/",
 * "/tags/list" or "/referrers/". Returns the kind (0 none, 1 manifests, 2
 * blobs, 3 tags, 4 referrers) and
 * sets *name (allocated) and *rest (inside path). */
static int route(const char *path, char **name, const char **rest)
{
	static const char *const kinds[] = {"/manifests/", "/blobs/", "/tags/list", "/referrers/"};
	const char *best = NULL;
	int kind = 0;

	for (int k = 0; k < 4; k++) {
		const char *p = path, *hit = NULL;
		while ((p = strstr(p, kinds[k])))
			hit = p++;
		if (hit && (!best || hit > best))
			best = hit, kind = k + 1;
	}
	if (!best || (kind == 3 && best[strlen(kinds[2])]))
		return 0;
	*name = xstrndup(path, (size_t)(best - path));
	*rest = best + strlen(kinds[kind - 1]);
	return kind;
}

/* Basic credentials, with --auth. false after queueing a 401. */
static bool authenticate(struct req *r)
{
	char *pass = NULL, *user;

	if (!r->s->have_auth)
		return true;
	user = MHD_basic_auth_get_username_password(r->conn, &pass);
	if (user && pass && serve_auth_check(&r->s->auth, user, pass, &r->roles))
		r->user = xstrdup(user);
	if (user)
		MHD_free(user);
	if (pass)
		MHD_free(pass);
	return r->user != NULL;
}

static void peer(struct MHD_Connection *conn, char out[64])
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, 64, "-");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, 64);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, 64);
}

static enum MHD_Result dispatch(struct req *r)
{
	const char *rest;
	char *name = NULL;
	enum MHD_Result ret;
	int kind;

	if (strcmp(r->method, MHD_HTTP_METHOD_GET) && !r->head)
		return error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "UNSUPPORTED",
			     "this registry serves pulls only");
	if (strncmp(r->url, "/v2/", 4))
		return error(r, MHD_HTTP_NOT_FOUND, "NOT_FOUND", "not an OCI distribution endpoint");
	if (!authenticate(r))
		return error(r, MHD_HTTP_UNAUTHORIZED, "UNAUTHORIZED", "authentication required");
	if (!r->url[4])
		return queue(r, MHD_HTTP_OK, buffer("{}", 2, "application/json"));
	kind = route(r->url + 4, &name, &rest);
	if (!kind || !serve_valid_name(name))
		ret = error(r, MHD_HTTP_NOT_FOUND, kind ? "NAME_INVALID" : "NOT_FOUND",
			    kind ? "not a valid repository name" : "no such endpoint");
	else if (kind == 1)
		ret = manifest(r, name, rest);
	else if (kind == 2)
		ret = blob(r, name, rest);
	else if (kind == 4)
		ret = r->head ? error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "UNSUPPORTED", "use GET")
			      : referrers(r, name, rest);
	else
		ret = r->head ? error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "UNSUPPORTED", "use GET")
			      : tags(r, name);
	free(name);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct req r = {.s = cls, .conn = conn, .method = method, .url = url};
	enum MHD_Result ret;

	(void)version, (void)upload_data;
	if (!*con_cls) { /* the headers: answer once the request is complete */
		*con_cls = r.s;
		return MHD_YES;
	}
	if (*upload_data_size) { /* a body is read and dropped */
		*upload_data_size = 0;
		return MHD_YES;
	}
	r.head = !strcmp(method, MHD_HTTP_METHOD_HEAD);
	peer(conn, r.client);
	ret = dispatch(&r);
	free(r.user);
	free(r.roles);
	return ret;
}

/* ---- the daemon --------------------------------------------------------- */

static int parse_listen(const char *spec, struct sockaddr_in *sa, struct diag *d)
{
	const char *colon = strrchr(spec, ':');
	char *host;
	long port;
	char *end;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	errno = 0;
	port = colon ? strtol(colon + 1, &end, 10) : -1;
	if (!colon || errno || end == colon + 1 || *end || port < 0 || port > 65535) {
		diag_error(d, LOC_NONE, "serve", "'%s' is not ADDRESS:PORT (an IPv4 address)", spec);
		return -1;
	}
	host = xstrndup(spec, (size_t)(colon - spec));
	if (inet_pton(AF_INET, *host ? host : "127.0.0.1", &sa->sin_addr) != 1) {
		diag_error(d, LOC_NONE, "serve", "'%s' is not an IPv4 address", host);
		free(host);
		return -1;
	}
	free(host);
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

/* libmicrohttpd's own messages (a client that speaks TLS to plain HTTP,
 * say) go to the log. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct serve *s = cls;
	char *line = xvasprintf(fmt, ap);
	size_t n = strlen(line);

	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	logf_(s, "http: %s", line);
	free(line);
}

static void release(struct serve *s)
{
	serve_composer_free(s->comp);
	serve_store_free(s->store);
	serve_log_close(&s->audit);
	serve_log_close(&s->access);
	if (s->have_auth)
		serve_auth_release(&s->auth);
	free(s->tls_cert);
	free(s->tls_key);
	free(s);
}

static int open_state(struct serve *s, struct diag *d)
{
	char *audit = path_join(s->o.state, "audit.log"), *access = path_join(s->o.state, "access.log");
	int rc = -1;

	s->audit.fd = s->access.fd = -1;
	if (mkdir_p(s->o.state, 0755) < 0)
		diag_file_error(d, s->o.state, 0, 0, "serve", "cannot create '%s': %s", s->o.state,
				file_strerror(errno));
	else if (serve_log_open(&s->audit, audit, d) == 0 && serve_log_open(&s->access, access, d) == 0 &&
		 (!s->o.store ||
		  (s->store = serve_store_open(s->o.store, s->o.store_creds, s->o.store_insecure, d))) &&
		 (s->comp = serve_composer_new(&s->o, &s->audit, s->store, d)))
		rc = 0;
	free(audit);
	free(access);
	return rc;
}

static int read_tls(struct serve *s, struct diag *d)
{
	size_t n;

	if (!s->o.tls_cert && !s->o.tls_key)
		return 0;
	if (!s->o.tls_cert || !s->o.tls_key) {
		diag_error(d, LOC_NONE, "serve", "--tls-cert and --tls-key go together");
		return -1;
	}
	if (read_file(s->o.tls_cert, &s->tls_cert, &n) < 0) {
		diag_file_error(d, s->o.tls_cert, 0, 0, "serve", "cannot read '%s': %s", s->o.tls_cert,
				file_strerror(errno));
		return -1;
	}
	if (read_file(s->o.tls_key, &s->tls_key, &n) < 0) {
		diag_file_error(d, s->o.tls_key, 0, 0, "serve", "cannot read '%s': %s", s->o.tls_key,
				file_strerror(errno));
		return -1;
	}
	return 0;
}

struct serve *serve_start(const struct serve_opts *o, struct diag *d)
{
	struct serve *s = xcalloc(1, sizeof(*s));
	struct sockaddr_in sa;
	struct stat st;
	const union MHD_DaemonInfo *di;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG;

	s->o = *o;
	if (stat(o->policies, &st) < 0 || !S_ISDIR(st.st_mode)) {
		diag_file_error(d, o->policies, 0, 0, "serve", "the policy directory '%s' is not a directory",
				o->policies);
		free(s);
		return NULL;
	}
	if (parse_listen(o->listen, &sa, d) < 0 || read_tls(s, d) < 0 || open_state(s, d) < 0) {
		release(s);
		return NULL;
	}
	if (o->auth) {
		s->have_auth = true; /* serve_auth_open leaves s->auth to release either way */
		if (serve_auth_open(&s->auth, o->auth, d) < 0) {
			release(s);
			return NULL;
		}
	}
	if (s->tls_cert)
		flags |= MHD_USE_TLS;
	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_LIMIT,
				  o->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, o->timeout,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 << 10),
				  MHD_OPTION_THREAD_STACK_SIZE, (size_t)(2 << 20),
				  MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
				  s->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, s->tls_cert,
				  MHD_OPTION_HTTPS_MEM_KEY, s->tls_key, MHD_OPTION_END);
	if (!s->mhd) {
		diag_error(d, LOC_NONE, "serve", "cannot listen on %s: %s", o->listen, file_strerror(errno));
		release(s);
		return NULL;
	}
	di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : ntohs(sa.sin_port);
	return s;
}

unsigned serve_port(const struct serve *s)
{
	return s->port;
}

void serve_stop(struct serve *s, unsigned grace)
{
	MHD_quiesce_daemon(s->mhd);
	for (unsigned i = 0; i < grace * 10; i++) {
		const union MHD_DaemonInfo *di =
			MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (!di || di->num_connections == 0)
			break;
		usleep(100000);
	}
	MHD_stop_daemon(s->mhd);
	release(s);
}
