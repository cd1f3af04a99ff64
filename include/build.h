/* build.h - the pipeline behind eval, graph, build and verify.
 *
 *   policy (.cpol or .cpolb) + request --VM--> decision
 *   catalogs --resolver (admit filters in the VM)--> selected primitives
 *   --VM--> deny/warn checks --composer--> OCI image + lock file + depfile
 *
 * A struct build holds everything one run loaded; build_release frees it.
 * Every function reports through the struct diag and returns an enum
 * build_status, which main.c maps one to one onto its exit status.
 */
#ifndef CPOLC_BUILD_H
#define CPOLC_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "bc.h"
#include "cat.h"
#include "decision.h"
#include "diag.h"
#include "module.h"
#include "oci.h"
#include "vm.h"

enum build_status {
	BUILD_OK = 0,
	BUILD_DENIED = 1,     /* a deny held */
	BUILD_BAD_INPUT = 2,  /* unreadable or malformed input, compile or runtime error */
	BUILD_UNRESOLVED = 3, /* resolution failed or two primitives collide */
	BUILD_MISMATCH = 4,   /* lock or verification mismatch */
};

/* Inputs and settings; every pointer is borrowed. */
struct build_opts {
	const char *policy_path; /* .cpol source or .cpolb module */
	const char *policy;	 /* --policy NAME, or NULL */
	const char *request;	 /* -r FILE, "-" or NULL */
	char *const *defs;	 /* -D definitions */
	size_t ndefs;
	const char *const *catalogs; /* -C directories, in precedence order */
	size_t ncatalogs;
	struct program_opts popts;

	/* build only */
	const char *out; /* NULL: POLICY.oci beside the policy */
	enum oci_format format;
	const char *tag;       /* NULL: the policy name */
	const char *lock_path; /* NULL: POLICY.lock beside the policy (POLICY@TAG.lock with tag) */
	bool locked;	       /* the resolution and the image must be the lock's */
	bool locked_strict;    /* with locked: every input the lock records too */
	const char *cache_dir; /* NULL: the default cache */
	bool no_cache;
	int max_layers;
	enum oci_compression compression;
	bool offline; /* fail when content is not fetched yet (cat_fetch) */
	/* progress of content downloads, or NULL (cat_fetch_opts) */
	void (*progress)(void *ctx, uint64_t bytes, uint64_t total, size_t files, size_t nfiles);
	void *progress_ctx;
	const char *sbom;	    /* --sbom FILE: the SPDX document, or NULL */
	const char *depfile;	    /* -M FILE, or NULL */
	const char *depfile_target; /* -MT TARGET, or NULL */
	long long epoch;	    /* SOURCE_DATE_EPOCH */
};

struct comp_parts;

struct build {
	struct bc_program *prog;
	const char *policy_path; /* where prog came from (borrowed from build_opts) */
	json_t *request;
	struct catset cs;
	bool have_catalogs;
	struct vm *vm;
	struct decision dec;
	bool runtime_error;		/* an admit filter failed at run time */
	struct comp_parts *parts;	/* explain: collect the admit filters' parts (borrowed) */
	char from_digest[72];		/* manifest digest of the `from` image, or "" */
	char program_digest[72];	/* digest of the compiled module run, or "" */
	long long epoch;		/* SOURCE_DATE_EPOCH of the layers composed */
	struct build_summary {		/* what build_image wrote, when it returned BUILD_OK */
		char *out, *tag, *lock; /* the image, its tag, the lock file */
		char manifest_digest[72];
		size_t nlayers;
		uint64_t size; /* the layers' blob bytes */
	} image;
};

void build_init(struct build *b);
void build_release(struct build *b);

/* Load the policy and request, run the selection phase, resolve against the
 * catalogs when there are any, and run the checks. The decision is in
 * b->dec; BUILD_DENIED means it is complete but a deny held. */
enum build_status build_decide(struct build *b, const struct build_opts *o, struct diag *d);

/* The `from` image of the policy's decision for request, evaluated
 * without catalogs: 1 with *layout (caller frees; PATH[:TAG] relative to
 * where the build runs) and its manifest digest, 0 when the decision starts
 * from no image, -1 after reporting. cpolc serve keys compositions by it. */
int build_from_image(const struct build_opts *o, const json_t *request, char **layout, char digest[72],
		     struct diag *d);

/* build_decide for a program and a request b already holds (b->prog,
 * b->request; b owns them): the selection, resolution against o's
 * catalogs (opened once, kept in b), the checks. Run again with another
 * request after decision_release/decision_init of b->dec. */
enum build_status build_decide_loaded(struct build *b, const struct build_opts *o, struct diag *d);
/* build_decide, then fetch the content of the selected packages of apt
 * repositories that has not been fetched (cat_fetch), compose the image,
 * write the lock and the depfile. Nothing is written (but fetched content
 * in the catalogs) unless every step before composing succeeded. */
enum build_status build_image(struct build *b, const struct build_opts *o, struct diag *d);

/* cpolc explain: build_decide, then why the primitive name is in the
 * image (the include statements that name it, or a shortest dependency
 * chain from one, each link with the Depends element it met and the
 * metadata file it is in) or why not (where it is excluded, the includes
 * and Depends that name it, and with catalogs each version's eligibility:
 * the constraint it fails, the platform, the admit filter and its CVEs, or
 * no candidate at all), as text into out, and as a JSON object into *json
 * (caller frees; cpolc(1) describes it). A candidate an admit filter
 * rejects is shown with the first conjunct of the filter that is false
 * for it and the values of that comparison's operands (for a source
 * policy: its filters' parts are compiled, comp_load_parts, and run only
 * here). *in_image: whether it is in (or,
 * without catalogs, included). Returns build_decide's status; the text is
 * written unless that is BUILD_BAD_INPUT (or BUILD_UNRESOLVED without
 * catalogs). */
struct strbuf;
enum build_status build_explain(struct build *b, const struct build_opts *o, const char *name,
				struct strbuf *out, json_t **json, bool *in_image, struct diag *d);

/* cpolc verify: check the image at image_path against the lock file, and
 * re-run the policy's admit filters and checks on the locked primitives
 * with today's catalog metadata. */
enum build_status build_verify(const char *lock_path, const char *image_path, struct diag *d);

/* cpolc verify --digests-only: check the image at image_path against the
 * lock's digests alone (oci_verify without derived layers: the index names
 * the lock's manifest, the manifest and config have their digests, every
 * layer blob its digest, size and diff_id, each locked primitive's layer is
 * at its index), without the policy or the catalogs. */
enum build_status build_verify_digests(const char *lock_path, const char *image_path, struct diag *d);

/* "DIR/BASE.EXT" for the policy path with its extension replaced. Caller frees. */
char *build_default_path(const char *policy_path, const char *ext);

#endif
