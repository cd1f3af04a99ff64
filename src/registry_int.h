/* registry_int.h - interfaces shared by src/registry*.c and their tests. */
#ifndef CPOLC_REGISTRY_INT_H
#define CPOLC_REGISTRY_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "registry.h"
#include "util.h"

#define REG_KEEP_ERROR	     4096 /* bytes of an error body kept for its message */
#define REG_MAX_VALUE	     8192 /* bytes of a header value kept */
#define REG_MAX_HEADER_BYTES (64u << 10)

enum reg_auth { REG_AUTH_NONE, REG_AUTH_BASIC, REG_AUTH_BEARER };

struct reg_token {
	char *scope, *value;
	long long expires; /* CLOCK_MONOTONIC seconds */
};

struct registry {
	char *host;	/* as given: the key of the auth files */
	char *api_host; /* where requests go: docker.io is registry-1.docker.io */
	struct registry_opts o;
	void *curl; /* CURL *, kept so its connection is reused */
	char *base; /* "https://HOST" (or http) once pinged, else NULL */
	enum reg_auth auth;
	char *realm, *service; /* of a Bearer challenge */
	int creds_state;       /* 0: not looked up, 1: found, -1: none */
	char *user, *pass;
	struct reg_token *tokens;
	size_t ntokens, captokens;
	int certs_state; /* 0: not loaded, 1: loaded */
	struct strbuf cainfo;
	char *sslcert, *sslkey;
	struct registry_progress prog; /* of the blob being pushed */
	long long progress_ms;	       /* when progress was last reported */
};

/* One HTTP request. */
struct reg_req {
	const char *method; /* GET, HEAD, POST, PUT, PATCH */
	const char *url;
	const char *scope; /* the token scope it needs: "repository:R:pull" */
	const char *accept, *content_type, *content_range;
	const void *data; /* a body in memory, */
	size_t len;
	int fd; /* or read from fd (when data is NULL and fd >= 0) */
	uint64_t off, size;
	size_t max_body;	   /* a 2xx body up to this is kept; more is an error */
	bool once;		   /* not retried (an upload session's data) */
	bool progress;		   /* report upload progress */
	bool no_auth;		   /* send no credentials (the token realm's own) */
	const char *authorization; /* this Authorization header instead */
};

struct reg_resp {
	long status;
	struct strbuf body;
	uint64_t received;
	char *location, *digest, *content_type, *www_auth, *range, *retry_after;
	char *subject; /* OCI-Subject: the registry indexed the manifest's subject */
	uint64_t length;
	bool has_length;
	size_t nheaders, header_bytes;
	const char *hostile; /* why the transfer was stopped, or NULL */
};
void reg_resp_release(struct reg_resp *p);
void reg_resp_reset(struct reg_resp *p);

/* A new client of r's registry with r's options, scheme, credentials
 * and tokens (no connection), for another thread. */
struct registry *reg_clone(const struct registry *r);
/* Start libcurl and ping the registry, once. 0, or -1 with an error. */
int reg_connect(struct registry *r, struct diag *d);
/* Send q (pinging the registry and authenticating first when needed),
 * retrying as registry.h says. 0 when a response arrived (of any status),
 * -1 with an error in d. */
int reg_do(struct registry *r, const struct reg_req *q, struct reg_resp *p, struct diag *d);
/* Report a response that is not what was wanted: the status, and the
 * registry's error code and message when the body has them. what: "push
 * the manifest of 'web'". */
void reg_fail(struct diag *d, const struct reg_resp *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Copy at most max bytes of s to a new string, control characters and
 * bytes above 0x7e replaced with '?'. */
char *reg_clean(const char *s, size_t n, size_t max);
/* "BASE/v2/REPO/KIND/REF" (after reg_connect); caller frees. */
char *reg_url(const struct registry *r, const char *repo, const char *kind, const char *ref);
/* The absolute URL of a Location header loc received for a request to
 * url, or NULL (with an error in d) when it is malformed or goes from
 * https to http. Caller frees. */
char *reg_resolve(const char *url, const char *loc, struct diag *d);
/* registry_manifest_get with a token for actions ("pull,push" while
 * pushing, so that one token serves the push). */
int reg_manifest_get(struct registry *r, const char *repo, const char *reference, const char *actions,
		     bool head, struct registry_manifest *m, struct diag *d);
/* registry_manifest_put; the registry's OCI-Subject header (cleaned) goes
 * to *subject when subject is not NULL (NULL when it sent none). */
int reg_manifest_put(struct registry *r, const char *repo, const char *reference, const char *media_type,
		     const void *data, size_t len, char digest_out[72], char **subject, struct diag *d);
/* registry_blob_exists with a token for actions ("pull,push" while
 * pushing, so that one token serves the push). */
int reg_blob_head(struct registry *r, const char *repo, const char *digest, const char *actions,
		  uint64_t *size, struct diag *d);
/* Is repo a repository name, and reference (unless NULL) a tag or a
 * digest? 0, or -1 with an error in d: names go into URLs and scopes. */
int reg_check_names(const char *repo, const char *reference, struct diag *d);
/* Is s TYPE/SUBTYPE of RFC 6838's restricted names? It goes into a
 * header. reg_check_media_type: 0, or -1 with an error in d. */
bool reg_media_type_valid(const char *s);
int reg_check_media_type(const char *mt, struct diag *d);
/* Is s "sha256:" and 64 lowercase hex digits? */
bool reg_digest_valid(const char *s);

/* ---- referrers (registry_referrers.c) ------------------------------------- */

/* The descriptor of the manifest man (len bytes of media type mt, digest)
 * that lists it among its subject's referrers (distribution spec 1.1):
 * mediaType, digest, size, artifactType (its own, else its config's media
 * type) and its annotations. A new reference. */
json_t *reg_referrer_desc(const json_t *man, const char *mt, const char *digest, size_t len);
/* The referrers tag of a subject digest: "sha256-HEX". */
void reg_referrers_tag(const char *subject, char tag[72]);
/* The referrers list have (NULL: the tag had none) with desc added, into
 * *out and *len (caller frees): 1, or 0 when desc's digest is listed
 * already (nothing to write), or -1 with an error naming what (the tag)
 * when have is no image index. Entries already there are kept; they are
 * sorted by digest. */
int reg_referrers_merge(const struct registry_manifest *have, const json_t *desc, const char *what,
			char **out, size_t *len, struct diag *d);
/* Add desc to the referrers list of subject in repo, at its referrers tag
 * (the fallback for a registry without the referrers API). 0, or -1 with
 * an error in d. */
int reg_referrers_add(struct registry *r, const char *repo, const char *subject, const json_t *desc,
		      struct diag *d);

/* ---- auth (registry_auth.c) ----------------------------------------------- */

/* One challenge of a WWW-Authenticate header. */
struct reg_challenge {
	char *scheme; /* "Bearer", "Basic" */
	char *realm, *service, *scope, *error;
};
#define REG_MAX_CHALLENGES 8
/* Parse the challenges of h into out[0..max): returns how many, or -1 when
 * h is malformed. Unknown parameters are skipped. */
int reg_parse_challenges(const char *h, struct reg_challenge *out, size_t max);
void reg_challenge_release(struct reg_challenge *c);

/* Base64 (RFC 4648, with padding). decode: NULL when s is not canonical
 * base64 (the bits past the last byte must be 0); *n is the length.
 * Callers free. */
char *reg_base64_encode(const void *data, size_t n);
char *reg_base64_decode(const char *s, size_t *n);

/* The credentials for host from the file at path, or from the first
 * standard file that has the host when path is NULL (registry.h). A key
 * of "auths" names the host, with or without a scheme and a path. 1 with
 * *user and *pass set, 0 when none has it, -1 with an error in d (a file
 * that exists and is malformed). */
int reg_creds_lookup(const char *path, const char *host, char **user, char **pass, struct diag *d);

/* The Authorization header value for a request needing scope (NULL when
 * none is to be sent): a cached Bearer token, a new one fetched from the
 * realm, or Basic credentials. 0, or -1 with an error in d. */
int reg_auth_header(struct registry *r, const char *scope, char **header, struct diag *d);
/* A 401 came with www_auth: take its challenge (realm, service) and drop
 * the token cached for scope, so that reg_auth_header fetches another. 0
 * when trying again may help, -1 (with an error in d) when not. */
int reg_auth_challenged(struct registry *r, const char *www_auth, const char *scope, bool had_auth,
			struct diag *d);
void reg_auth_release(struct registry *r);
/* Copy the auth state (scheme, realm, credentials, tokens) of src. */
void reg_auth_copy(struct registry *dst, const struct registry *src);

#endif
