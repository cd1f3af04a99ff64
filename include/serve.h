/* serve.h - cpolc serve: a registry that composes an image when it is
 * pulled.
 *
 * The pull side of the OCI distribution API over libmicrohttpd. A
 * repository NAME is a policy (POLICIES/NAME.cpol or .cpolb) and a tag REF
 * is a request (POLICIES/NAME/REF.json). The first pull of NAME:REF
 * evaluates, resolves and composes the image by running `cpolc build` into
 * the state directory's layout; later pulls are a lookup for as long as
 * nothing that decided the composition changed (policy modules, request,
 * catalogs, client identity). The manual page doc/cpolc.1 says what
 * clients see. The state directory:
 *
 *   STATE/layout/                 an OCI image layout: every composition, tagged by its key
 *   STATE/compositions/KEY.json   what each key composed: name, reference, manifest digest
 *   STATE/requests/KEY.json       the request it was composed from
 *   STATE/locks/KEY.lock          its lock file (cpolc verify checks the image with it)
 *   STATE/audit.log               one JSON line per composition, fsync'd before it is served
 *   STATE/remote/HEX              manifests of compositions found in --store
 *   STATE/access.log              one JSON line per manifest served, fsync'd before it is served
 */
#ifndef CPOLC_SERVE_H
#define CPOLC_SERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

struct serve_opts {
	const char *listen;	     /* "ADDR:PORT"; default 127.0.0.1:5000 */
	const char *policies;	     /* the policy directory */
	const char *const *catalogs; /* -C, in precedence order */
	size_t ncatalogs;
	const char *state;		/* the state directory */
	const char *cache;		/* the layer cache, or NULL for the default */
	const char *stdlib;		/* --stdlib, or NULL */
	const char *auth;		/* htpasswd file (bcrypt), or NULL: no authentication */
	const char *tls_cert, *tls_key; /* PEM files, or NULL: plain HTTP */
	const char *exe;		/* the cpolc binary that composes (runs `build`) */
	const char *store;		/* REGISTRY/REPO compositions are shared through, or NULL */
	const char *store_creds;	/* USER:PASSWORD for it, or NULL: the auth files */
	bool store_insecure;		/* no TLS verification for it (plain HTTP allowed) */
	unsigned max_connections;	/* open connections at most */
	unsigned timeout;		/* seconds a connection may idle */
	unsigned max_compositions;	/* compositions running at once */
	unsigned max_queue;		/* compositions waiting for a slot, beyond which 429 */
	unsigned compose_timeout;	/* seconds a composition may take */
	unsigned gc_after;		/* seconds a composition may go unpulled before it is
					   collected; 0: never */
	/* Called with one line (no newline) for each request served and each
	 * composition; from any thread, one call at a time. May be NULL. */
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
};

struct serve;

/* Check the options, open the state directory and start listening. Returns
 * the server, or NULL with errors in d. */
struct serve *serve_start(const struct serve_opts *o, struct diag *d);
/* The port it listens on (useful with port 0). */
unsigned serve_port(const struct serve *s);
/* Stop accepting connections, let the responses in flight finish (waiting
 * at most grace seconds), stop, and free everything. */
void serve_stop(struct serve *s, unsigned grace);

#endif
