/* registry.h - a client of the OCI distribution API, over libcurl.
 *
 * One struct registry talks to one registry host: it pings /v2/ on its
 * first request, which decides the scheme (https; http only when TLS
 * checks are off and https does not answer) and how the registry wants
 * clients to authenticate (Basic, or Docker token auth: a Bearer token
 * fetched from the realm of the 401's WWW-Authenticate, with Basic
 * credentials when there are any, cached per scope). It keeps one
 * connection open across requests. It is not thread-safe: use one per
 * thread (registry_push_layout runs several).
 *
 * Every request is bounded: a manifest body at most REGISTRY_MAX_MANIFEST
 * bytes, other bodies (tokens, errors) at most REGISTRY_MAX_BODY and only
 * their first bytes kept for messages, at most REGISTRY_MAX_HEADERS header
 * lines a response, REGISTRY_MAX_REDIRECTS redirects and never from https
 * to http, a connect timeout and a low-speed limit. A request that fails
 * with 5xx, 429 or a dropped connection is tried again, at most
 * REGISTRY_TRIES times in all, after waits that double from 250 ms and add
 * up to at most 8 s (a 429's Retry-After is honoured within that); a 4xx is
 * never tried again, except a 401 once with new credentials. Blob uploads
 * are retried whole, from a new upload session.
 *
 * Text a registry sends (error messages) reaches diagnostics with control
 * characters replaced and its length bounded. Library code: nothing here
 * prints; errors go to the struct diag with rule "registry" (the registry
 * or the network failed) or "registry-input" (a bad reference, option or
 * local file).
 */
#ifndef CPOLC_REGISTRY_H
#define CPOLC_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define REGISTRY_MAX_MANIFEST  (4u << 20) /* as the distribution spec suggests */
#define REGISTRY_MAX_BODY      (1u << 20) /* a token or an error body */
#define REGISTRY_MAX_HEADERS   100	  /* header lines of one response */
#define REGISTRY_MAX_REDIRECTS 5
#define REGISTRY_TRIES	       5
/* Blobs larger than this are uploaded in PATCH chunks of this size; the
 * rest in one PUT. Some proxies in front of registries refuse larger
 * request bodies. */
#define REGISTRY_CHUNK_DEFAULT (64u << 20)
/* Blobs of one image uploaded at once by registry_push_layout, each over a
 * connection of its own. */
#define REGISTRY_JOBS_DEFAULT 4
#define REGISTRY_JOBS_MAX     32

/* A reference REGISTRY/REPO[:TAG][@DIGEST]. REGISTRY is a host name (with
 * a dot or a port, or "localhost") or an IP address, optionally with a
 * port; REPO is lowercase path components; TAG at most 128 word
 * characters, '.' and '-'; DIGEST "sha256:" and 64 hex digits. */
struct registry_ref {
	char *host;   /* "127.0.0.1:5000" */
	char *repo;   /* "team/web" */
	char *tag;    /* or NULL */
	char *digest; /* or NULL */
};
/* Parse s into r (released by registry_ref_release). 0, or -1 with an
 * error in d (rule "registry-input"). */
int registry_ref_parse(const char *s, struct registry_ref *r, struct diag *d);
void registry_ref_release(struct registry_ref *r);
/* "HOST/REPO[:TAG][@DIGEST]"; caller frees. */
char *registry_ref_str(const struct registry_ref *r);

/* Progress of a push, for a progress line: called as bytes go out, at most
 * about ten times a second, and once per blob when it is done. */
struct registry_progress {
	size_t blob, nblobs;	/* the blob being pushed (from 1) of how many */
	uint64_t done, total;	/* bytes of it sent, and its size */
	uint64_t all_done, all; /* the same over every blob */
};
typedef void (*registry_progress_fn)(void *ctx, const struct registry_progress *p);

/* How to reach and authenticate to a registry. Every pointer is borrowed
 * for the life of the struct registry. */
struct registry_opts {
	const char *creds;     /* "USER:PASSWORD", or NULL: from the auth files */
	const char *auth_file; /* NULL: $REGISTRY_AUTH_FILE, else
				* $XDG_RUNTIME_DIR/containers/auth.json,
				* ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json,
				* ~/.docker/config.json: the first that has the host */
	bool insecure;	       /* no TLS verification; plain http when https fails */
	const char *ca_file;   /* PEM file of the CAs to trust instead of the system's */
	const char *cert_dir;  /* the *.crt in it are the CAs to trust; a
				* NAME.cert with NAME.key is a client certificate */
	uint64_t chunk_size;   /* 0: REGISTRY_CHUNK_DEFAULT */
	int jobs;	       /* 0: REGISTRY_JOBS_DEFAULT; at most REGISTRY_JOBS_MAX */
	bool no_referrers;     /* push the image alone, not its referrers (its SBOM) */
	registry_progress_fn progress;
	void *progress_ctx;
};

struct registry;

/* A client of the registry at host ("HOST[:PORT]"). No I/O happens until
 * the first request. */
struct registry *registry_new(const char *host, const struct registry_opts *o);
void registry_free(struct registry *r);

/* A manifest as the registry has it. */
struct registry_manifest {
	char digest[72];  /* from Docker-Content-Digest, else of the bytes */
	char *media_type; /* Content-Type */
	char *data;	  /* the bytes (NULL after a HEAD) */
	size_t len;	  /* their number (Content-Length after a HEAD) */
};
void registry_manifest_release(struct registry_manifest *m);

/* GET (or, with head, HEAD) the manifest of repo by reference (a tag or a
 * digest), accepting OCI and Docker v2 manifests and indexes. The bytes
 * of a GET must hash to the digest the registry names (and, for a digest
 * reference, to that). 1 when found, 0 when the registry has none
 * (404), -1 with an error in d. */
int registry_manifest_get(struct registry *r, const char *repo, const char *reference, bool head,
			  struct registry_manifest *m, struct diag *d);

/* PUT a manifest (len bytes of media_type) to repo under reference (a tag,
 * or the manifest's digest). Its digest goes to digest_out when not NULL.
 * Every blob it names must be in repo already. 0, or -1 with an error. */
int registry_manifest_put(struct registry *r, const char *repo, const char *reference, const char *media_type,
			  const void *data, size_t len, char digest_out[72], struct diag *d);

/* HEAD a blob: 1 when repo has it (its size into *size when not NULL), 0
 * when not, -1 with an error in d. */
int registry_blob_exists(struct registry *r, const char *repo, const char *digest, uint64_t *size,
			 struct diag *d);

/* How a blob came to be in the repository. */
enum registry_blob_how { REGISTRY_BLOB_UPLOADED, REGISTRY_BLOB_MOUNTED };

/* Put the blob digest of size bytes, read from the file at path (streamed,
 * never held whole in memory), into repo: first by a cross-repository
 * mount from each of the nfrom repositories of the same registry in from,
 * when there are any, else by upload (one PUT up to the chunk size, else
 * PATCH chunks and a closing PUT). The registry checks the digest.
 * 0 with *how set, or -1 with an error in d. */
int registry_blob_push(struct registry *r, const char *repo, const char *digest, const char *path,
		       uint64_t size, const char *const *from, size_t nfrom, enum registry_blob_how *how,
		       struct diag *d);

/* The URL of a blob of repo, for an HTTP redirect to it: "SCHEME://HOST/v2/
 * REPO/blobs/DIGEST". The scheme is what the ping found (https before the
 * first request). Caller frees; NULL when repo or digest is malformed. A
 * client that follows it must be able to authenticate to the registry
 * itself. */
char *registry_blob_url(struct registry *r, const char *repo, const char *digest);

/* The result of a push. */
struct registry_push_result {
	char digest[72];		 /* of the manifest pushed */
	char *tag;			 /* the tag it was pushed under, or NULL (by digest) */
	size_t pushed, mounted, skipped; /* blobs; mounted ones count in pushed too */
	size_t referrers;		 /* artifact manifests pushed with the image */
	uint64_t bytes;			 /* blob bytes uploaded */
};
void registry_push_result_release(struct registry_push_result *res);

enum registry_status {
	REGISTRY_OK = 0,
	REGISTRY_BAD_INPUT = 2, /* a bad layout, reference, option or auth file */
	REGISTRY_FAILED = 5,	/* the registry refused, or could not be reached */
};

/* Push the image tagged tag (NULL: the layout's only image) of the OCI
 * layout directory layout to dest: every blob that a HEAD does not find
 * (mounted from one of the nfrom repositories in from, when it can be),
 * the layers (o->jobs at once), then the config, an index's manifests
 * before the index, and the manifest last, under dest's tag, else tag,
 * else the layout's tag of the image, else "latest" (or by digest only,
 * when dest has a digest, which must then be the manifest's). Then,
 * unless o->no_referrers, its referrers (the artifacts of the layout whose
 * subject is that manifest: the SBOM), by digest in the order of their
 * digests, each as an image: its blobs, then its manifest by digest; a
 * registry that does not answer with OCI-Subject has the referrer added
 * to the image index at the tag "sha256-HEX" of the subject (created when
 * there is none; an error when it holds something else). Manifest bytes
 * are checked against their digests before they go; the registry checks
 * every blob's. The counts of res (referrers' blobs among them) do not
 * depend on o->jobs. A client of dest's host is made for the push and
 * freed. */
enum registry_status registry_push_layout(const char *layout, const char *tag,
					  const struct registry_ref *dest, const struct registry_opts *o,
					  const char *const *from, size_t nfrom,
					  struct registry_push_result *res, struct diag *d);

/* The same through the client r, which the caller keeps across pushes
 * (cpolc serve --store: its connection and tokens live on), to repo under
 * reference: a tag, the image's digest, or NULL (tag, else the layout's,
 * else "latest"). The workers clone r. */
enum registry_status registry_push_image(struct registry *r, const char *layout, const char *tag,
					 const char *repo, const char *reference, const char *const *from,
					 size_t nfrom, struct registry_push_result *res, struct diag *d);

#endif
