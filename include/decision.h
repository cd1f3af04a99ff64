/* decision.h - what evaluating a policy against a request decides.
 *
 * The VM's selection phase fills requests, excludes, config, files and the
 * recorded checks; the resolver fills selected and edges; the VM's check
 * phase fills denials, warnings and pending. The composer reads it all.
 * Everything here is owned by the decision; decision_release frees it.
 * Locations are kept as "FILE:LINE:COL" strings because a decision may come
 * from a .cpolb module whose source text is not at hand.
 */
#ifndef CPOLC_DECISION_H
#define CPOLC_DECISION_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "accounts.h"
#include "diag.h"

struct cat_prim;

struct dec_request {
	char *name;
	char *op;	  /* "==" "!=" "<" "<=" ">" ">=", or NULL when unconstrained */
	char *constraint; /* version text, or NULL */
	char *at;	  /* "FILE:LINE:COL" of the statement */
	bool is_base;	  /* from a `base` statement */
};

/* A `directory` statement. */
struct dec_dir {
	char *path;
	unsigned mode;
	char *owner; /* "NAME[:GROUP]" or "UID[:GID]" as written, or NULL for root */
	char *at;
};

struct dec_exclude {
	char *name;
	char *at;
};

struct dec_file {
	char *path; /* absolute path inside the image */
	char *data; /* content, len bytes */
	size_t len;
	unsigned mode;	 /* default 0644 */
	char digest[72]; /* "sha256:HEX" */
	char *at;
};

struct dec_selected {
	const struct cat_prim *prim; /* borrowed from the catalog set */
	char *reason;		     /* "include at FILE:LINE:COL" or "dependency of NAME" */
	bool requested;		     /* named by an include/base statement */
};

struct dec_edge {
	char *from, *to;
};

struct dec_message {
	char *message;
	char *at;
};

struct decision {
	char *policy;
	char *platform; /* "linux/amd64" default */
	char *from;	/* `from` path[:tag], or NULL */
	struct dec_request *requests;
	size_t nrequests, caprequests;
	struct dec_exclude *excludes;
	size_t nexcludes, capexcludes;
	json_t *config;	     /* OCI config keys the policy set, in doc/DESIGN.md order */
	json_t *annotations; /* object, keys sorted */
	struct dec_file *files;
	size_t nfiles, capfiles;
	struct accounts accounts; /* the account and group statements, in order */
	struct dec_dir *dirs;	  /* the directory statements; a later one for a path replaces it */
	size_t ndirs, capdirs;

	struct dec_selected *selected; /* dependencies before dependents */
	size_t nselected, capselected;
	struct dec_edge *edges;
	size_t nedges, capedges;

	struct dec_message *denials, *warnings, *pending;
	size_t ndenials, capdenials, nwarnings, capwarnings, npending, cappending;

	void *vmstate; /* recorded deny/warn/admit closures; owned by the VM, freed
			* through the release hook below */
	void (*vmstate_free)(void *);
};

void decision_init(struct decision *dec);
void decision_release(struct decision *dec);

/* The decision as the JSON object of doc/DESIGN.md, "The decision", keys
 * in the documented order. Caller owns the result. */
json_t *decision_to_json(const struct decision *dec);

/* Report the denials as errors ("denied: MESSAGE", rule "deny") and the
 * warnings as warnings (rule "warn") into d, at their statements. */
void decision_report(const struct decision *dec, struct diag *d);

#endif
