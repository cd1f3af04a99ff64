/* lock.h - the lock file: every input and output of a build, in JSON with a
 * stable key order (doc/DESIGN.md, "The lock file").
 *
 *   {"lockVersion": 3, "policy": "web", "platform": "linux/amd64",
 *    "modules": [{"path": "web.cpol", "digest": "sha256:..."}],  (at least one)
 *    "program": {"path": "web.cpolb", "digest": "sha256:..."},
 *               (only when the build ran a compiled module: the digest is
 *                that of the module file's bytes)
 *    "request": {...canonical, keys sorted...},
 *    "catalogs": [{"path": "cat", "digest": "sha256:..."}],
 *    "primitives": [{"name", "version", "digest", "metadataDigest", "reason",
 *                    "layer": {"digest", "diffId", "size", "index"}}],
 *    "from": {"image": "base.oci:base", "manifest": "sha256:..."},  (only with `from`)
 *    "config": {...keys sorted...},
 *    "image": {"manifest": "sha256:...", "config": "sha256:...",
 *              "layerFormat": 4, "epoch": 0}}
 *   (layerFormat: OCI_LAYER_FORMAT of the cpolc that wrote the layers;
 *    epoch: their SOURCE_DATE_EPOCH; with these verify can derive each
 *    layer's diff_id from the catalog content)
 *
 * Paths (modules, program, catalogs, and the file of an "include at" reason)
 * are relative to the lock file's directory (lock_rel_path), or absolute when
 * they share no directory but / with it; "<stdlib>/NAME.cpol" names a module
 * of the stdlib wherever it is installed. A version 2 lock (LOCK_VERSION_OLD)
 * is read the same way; its relative paths are from where its build ran.
 *
 * Reading checks every field's presence and type, and every digest's form
 * (digest_valid); the errors name the key, e.g. primitives[2].layer.digest.
 * A struct lock owns everything it points to (strings are copied in by the
 * lock_add_* functions, JSON values are taken as references the lock holds);
 * lock_release frees it. Primitives keep the order they were added in (the
 * decision's order, dependencies first); modules and catalogs too.
 */
#ifndef CPOLC_LOCK_H
#define CPOLC_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "diag.h"
#include "util.h"

#define LOCK_VERSION	 3
#define LOCK_VERSION_OLD 2     /* read too: its paths are from where the build ran */
#define LOCK_MAX_LAYER	 65535 /* a layer index above this is refused */

struct lock_ref {
	char *path;
	char *digest; /* "sha256:HEX" */
};

struct lock_prim {
	char *name, *version;
	char *digest;	    /* content digest */
	char *meta_digest;  /* metadata file digest */
	char *reason;	    /* "include at F:L:C" or "dependency of NAME" */
	char *layer_digest; /* blob of the layer that carries it */
	char *diff_id;
	uint64_t layer_size;
	uint32_t layer_index; /* of the layer in the image's manifest, from 0 */
};

struct lock {
	int version;
	char *policy;
	char *platform; /* may be NULL */
	struct lock_ref *modules;
	size_t nmodules, capmodules;
	char *program;	      /* the .cpolb module the build ran, or NULL (it compiled
			       * the modules); not compared by lock_compare */
	char *program_digest; /* "sha256:HEX" of its bytes when program is set */
	json_t *request;      /* owned reference, or NULL */
	struct lock_ref *catalogs;
	size_t ncatalogs, capcatalogs;
	struct lock_prim *prims;
	size_t nprims, capprims;
	json_t *config; /* owned reference, or NULL */
	char *manifest_digest, *config_digest;
	int layer_format;	  /* OCI_LAYER_FORMAT of the layers; 0: not known */
	long long epoch;	  /* SOURCE_DATE_EPOCH of the layers */
	char *from, *from_digest; /* the `from` image ("DIR[:TAG]" as the policy
				   * names it) and its manifest digest, or NULL */
};

void lock_init(struct lock *lk);
void lock_release(struct lock *lk);

/* Setters copy their string arguments. */
void lock_set_policy(struct lock *lk, const char *policy, const char *platform);
void lock_add_module(struct lock *lk, const char *path, const char *digest);
void lock_set_program(struct lock *lk, const char *path, const char *digest);
void lock_add_catalog(struct lock *lk, const char *path, const char *digest);
/* request/config: borrowed; the lock keeps a sorted deep copy. */
void lock_set_request(struct lock *lk, const json_t *request);
void lock_set_config(struct lock *lk, const json_t *config);
void lock_set_image(struct lock *lk, const char *manifest_digest, const char *config_digest);
void lock_set_from(struct lock *lk, const char *from, const char *manifest_digest);
/* Returns the new entry (owned by lk) with every string copied. */
struct lock_prim *lock_add_prim(struct lock *lk, const char *name, const char *version, const char *digest,
				const char *meta_digest, const char *reason, const char *layer_digest,
				const char *diff_id, uint64_t layer_size);

/* The lock as JSON text: keys in the documented order, two-space indent,
 * final newline. Caller frees. */
char *lock_dump(const struct lock *lk, size_t *len);

/* Write atomically. When the file already holds exactly these bytes it is
 * left alone (its mtime stays). Returns 1 if written, 0 if unchanged, -1 on
 * error (in d). */
int lock_write(const char *path, const struct lock *lk, struct diag *d);

/* Read a lock file (lock_load), its text (lock_parse) or its JSON. 0, or
 * -1 with every problem in d (rule "lock") and lk empty. path is for
 * messages only in the last two. */
int lock_load(const char *path, struct lock *lk, struct diag *d);
int lock_parse(const char *text, size_t len, const char *path, struct lock *lk, struct diag *d);
int lock_from_json(const json_t *j, struct lock *lk, const char *path, struct diag *d);

/* The directory of the lock file at lock_path, absolute, with symbolic links
 * resolved when it exists (else lexically: "." and ".." removed). Caller
 * frees. */
char *lock_dir(const char *lock_path);
/* path (as the build was given it, from the working directory) as the lock
 * in the directory dir (from lock_dir) records it: relative to dir, or
 * absolute when the two share no directory but /. "<stdlib>/..." paths are
 * kept. The result does not depend on the working directory. Caller frees. */
char *lock_rel_path(const char *dir, const char *path);
/* A path the lock at lock_path records, as a path to open: a relative one
 * is joined to the lock's directory. Caller frees. */
char *lock_open_path(const char *lock_path, const char *path);

/* The primitive named name, or NULL. */
const struct lock_prim *lock_find_prim(const struct lock *lk, const char *name);

/* Describe every difference between the locked state `want` and the new
 * resolution `got`, one line each ("primitive 'x': version 1 -> 2"), into
 * out. Returns the number of differences (0: equal). */
size_t lock_compare(const struct lock *want, const struct lock *got, struct strbuf *out);

/* What --locked compares, each difference one line into out, returning
 * their number. The resolution: the policy, and each primitive's name,
 * version and content digest ("primitive 'x': version 1 -> 2 (D1 -> D2)").
 * The inputs that may change without changing the resolution: the lock
 * version, modules, request, catalogs, each primitive's metadata digest and
 * reason. The image: platform, from image, each config key, each
 * primitive's layer, layer format, epoch, then the manifest (when only the
 * manifest differs, a line says the policy's files, annotations or the
 * layout changed). */
size_t lock_compare_resolution(const struct lock *want, const struct lock *got, struct strbuf *out);
size_t lock_compare_inputs(const struct lock *want, const struct lock *got, struct strbuf *out);
size_t lock_compare_image(const struct lock *want, const struct lock *got, struct strbuf *out);

/* cpolc diff: what changed from lock a to lock b, as JSON (keys in this
 * order, arrays by name, objects by key):
 *   {"same": BOOL,
 *    "primitives": {"added": [P...], "removed": [P...],
 *                   "changed": [{"name", "from": P, "to": P}...]},
 *    "config": {"added": {K: V}, "removed": {K: V}, "changed": {K: {"from", "to"}}},
 *    "image": {"policy"|"platform"|"from"|"fromManifest"|"manifest": {"from", "to"}}}
 * P is {"name", "version", "digest", "metadataDigest"}; a primitive changed
 * when its version, content or metadata digest did. *ndiff: the number of
 * differences (0: same). Costs O(n log n) in the primitives. */
json_t *lock_diff(const struct lock *a, const struct lock *b, size_t *ndiff);

#endif
