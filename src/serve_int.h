/* serve_int.h - what the files of cpolc serve share: the HTTP front
 * (serve.c), compositions (serve_compose.c), clients (serve_auth.c) and the
 * logs (serve_log.c). */
#ifndef CPOLC_SERVE_INT_H
#define CPOLC_SERVE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "serve.h"
#include "util.h"

/* ---- clients (serve_auth.c) --------------------------------------------- */

struct serve_user {
	char *name;
	char *hash;  /* crypt(3) hash, bcrypt ($2y$, $2b$) */
	char *roles; /* "a,b" as the file gives them, or "" */
};

struct serve_auth {
	char *path;
	char *stamp; /* of the file when read */
	struct serve_user *users;
	size_t nusers;
	pthread_mutex_t lock;
};

int serve_auth_open(struct serve_auth *a, const char *path, struct diag *d);
void serve_auth_release(struct serve_auth *a);
/* Check user and password (re-reading the file when it changed). Returns
 * true and the user's roles ("a,b"; caller frees) when they match. */
bool serve_auth_check(struct serve_auth *a, const char *user, const char *password, char **roles);

/* ---- logs (serve_log.c) ------------------------------------------------- */

struct serve_log {
	int fd;
	pthread_mutex_t lock;
	pthread_cond_t synced_cond;
	uint64_t written, synced; /* lines written, lines known on disk */
	bool syncing;		  /* a thread is in fdatasync */
	bool failed;		  /* a write or sync failed: nothing more is served */
};

int serve_log_open(struct serve_log *l, const char *path, struct diag *d);
void serve_log_close(struct serve_log *l);
/* Append one line (a JSON object; a newline is added) and return once it
 * is on disk (fdatasync; one call covers the lines of every thread that
 * wrote meanwhile). 0 or -1. */
int serve_log_append(struct serve_log *l, const char *line);
/* The time now as RFC 3339 UTC, for log records. */
void serve_now(char out[32]);

/* ---- compositions (serve_compose.c) ------------------------------------- */

/* An artifact whose subject is a composition's manifest (its SBOM). */
struct serve_ref {
	char digest[72]; /* of its manifest */
	char *bytes;	 /* the manifest */
	size_t len;
	char *type; /* its artifactType */
	char *desc; /* its descriptor in a referrers index, as JSON */
};

/* A finished composition. Owned by the composer; never freed while it runs. */
struct serve_comp {
	char key[65];
	char *name, *ref, *identity;
	char manifest[72]; /* "sha256:HEX" */
	char *bytes;	   /* the manifest */
	size_t len;
	char *media_type;
	char **blobs; /* config and layer digests, then those of its referrers */
	size_t nblobs;
	struct serve_ref *refs; /* its referrers, as the layout lists them */
	size_t nrefs;
	bool remote; /* found in --store: its blobs are there, not here */
	time_t used; /* pulled last (its record's mtime, from an earlier run) */
};

/* The outcome of asking for NAME:REF as a client. */
enum serve_status {
	SERVE_OK,	    /* comp is set */
	SERVE_NAME_UNKNOWN, /* no such policy */
	SERVE_REF_UNKNOWN,  /* no such request */
	SERVE_DENIED,	    /* a deny held: message holds the denials */
	SERVE_UNRESOLVED,   /* resolution failed: message says why */
	SERVE_ERROR,	    /* a bad policy or request, or a failed composition */
	SERVE_BUSY,	    /* too many compositions waiting */
};

struct serve_result {
	enum serve_status status;
	const struct serve_comp *comp;
	char *message; /* for the error body; caller frees */
};

struct serve_composer;

/* ---- the store (serve_store.c) ------------------------------------------ */

struct serve_store;
/* A store at spec "REGISTRY/REPO". No I/O yet. NULL with an error in d. */
struct serve_store *serve_store_open(const char *spec, const char *creds, bool insecure, struct diag *d);
void serve_store_free(struct serve_store *st);
/* The manifest of the composition key in the store: 1 found (bytes,
 * checked against digest, caller frees), 0 none, -1 an error in d. */
int serve_store_find(struct serve_store *st, const char *key, char **bytes, size_t *len, char digest[72],
		     struct diag *d);
/* Push the image tagged key of layout to the store. 0 or -1. */
int serve_store_put(struct serve_store *st, const char *layout, const char *key, struct diag *d);
/* The store's URL of a blob, for a redirect. Caller frees. */
char *serve_store_blob_url(struct serve_store *st, const char *digest);

struct serve_composer *serve_composer_new(const struct serve_opts *o, struct serve_log *audit,
					  struct serve_store *store, struct diag *d);
void serve_composer_free(struct serve_composer *c);
/* The composition of NAME:REF for a client (identity "" without
 * authentication, else "USER" and roles "a,b"), composing it when what
 * decides it changed. client is the peer's address, for the audit log. */
void serve_compose(struct serve_composer *c, const char *name, const char *ref, const char *identity,
		   const char *roles, const char *client, struct serve_result *r);
/* The composition of NAME whose manifest is digest, for identity; NULL when none. */
const struct serve_comp *serve_find_manifest(struct serve_composer *c, const char *name, const char *identity,
					     const char *digest);
/* The composition of NAME for identity that names blob digest (which it
 * may then read), or NULL. */
const struct serve_comp *serve_blob_owner(struct serve_composer *c, const char *name, const char *identity,
					  const char *digest);
/* The referrer of comp whose manifest is digest, or NULL. */
const struct serve_ref *serve_comp_ref(const struct serve_comp *comp, const char *digest);
/* The path of a blob in the state layout. Caller frees. */
char *serve_blob_path(struct serve_composer *c, const char *digest);
/* The tags of NAME (its request files), sorted; NULL when NAME is no policy. */
char **serve_tags(struct serve_composer *c, const char *name, size_t *n);
/* Is name a policy of the policy directory? */
bool serve_has_policy(struct serve_composer *c, const char *name);

/* ---- names -------------------------------------------------------------- */

/* An OCI repository name whose components are [a-z0-9]+([._-][a-z0-9]+)*,
 * at most 255 bytes. */
bool serve_valid_name(const char *name);

#endif
