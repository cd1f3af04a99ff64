/* oci_int.h - interfaces shared by src/oci_*.c only; not for other modules. */
#ifndef CPOLC_OCI_INT_H
#define CPOLC_OCI_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "diag.h"
#include "oci.h"

/* Normalise the tars and files of srcs[0..nsrcs) into one layer, compressed,
 * written to a new temporary file in tmpdir. On success *tmp_path (caller
 * frees and renames or unlinks) and the digests are set. On failure returns
 * -1 with a message in *err (malloc'd) and leaves no file behind. Thread-safe. */
struct oci_layer_out {
	char *tmp_path;
	char digest[72];
	char diff_id[72];
	uint64_t size;
};
struct oci_zpool;
int oci_layer_build(const struct oci_layer_src *const *srcs, size_t nsrcs, enum oci_compression comp,
		    long long epoch, const char *tmpdir, struct oci_zpool *pool, struct oci_layer_out *out,
		    char **err);

/* The diff_id of the layer oci_layer_build makes of srcs at epoch: the
 * same tar, hashed and written nowhere (every input tar is still checked
 * against its digest). 0, or -1 with a message in *err. */
int oci_layer_diff_id(const struct oci_layer_src *const *srcs, size_t nsrcs, long long epoch,
		      char diff_id[72], char **err);

/* Parallel deflate (oci_deflate.c). A pool of threads shared by every
 * layer of a compose; NULL (threads <= 1) compresses in the caller. */
#define OCI_GZ_WHOLE (16u << 20) /* a stream this small is deflated in one call */
#define OCI_GZ_CHUNK (4u << 20)	 /* else in chunks of this size (divides WHOLE) */
struct oci_zpool;
struct oci_zpool *oci_zpool_new(int threads);
void oci_zpool_free(struct oci_zpool *p);
/* One raw deflate stream; emit receives its bytes in order. Not thread-safe
 * (one producer per stream); every call returns 0 or -1 (oci_gz_error, or
 * the emit function's own failure). */
typedef int (*oci_gz_emit_fn)(void *ctx, const void *data, size_t n);
struct oci_gz;
struct oci_gz *oci_gz_new(struct oci_zpool *pool, oci_gz_emit_fn emit, void *ctx);
int oci_gz_write(struct oci_gz *g, const void *data, size_t n);
int oci_gz_finish(struct oci_gz *g);
const char *oci_gz_error(const struct oci_gz *g);
void oci_gz_free(struct oci_gz *g);

/* The compression of a known layer media type (the three OCI layer types
 * and Docker's gzip rootfs diff) into *c; -1 for any other. */
int oci_layer_comp(const char *mt, enum oci_compression *c);

/* Check the layer blob that descriptor l names under root: a regular file
 * of l's size whose bytes hash to l's digest and whose uncompressed stream
 * (by l's media type, which must be known) hashes to diff_id. max_ratio > 0
 * bounds the uncompressed stream to that many times the blob's size (past
 * the first OCI_RATIO_FLOOR bytes). what names the layer in messages
 * ("layer", "base layer"), with diag rule `rule`. 0, or -1 after reporting. */
#define OCI_RATIO_FLOOR	   ((uint64_t)16 << 20)
#define OCI_BASE_MAX_RATIO 1000u /* for `from` layers: gzip cannot pass 1032 */
int oci_check_layer(const char *root, const json_t *l, const char *diff_id, unsigned max_ratio,
		    const char *what, const char *rule, struct diag *d);

/* Verify that the file at path hashes to digest ("sha256:HEX"). 0 if equal,
 * 1 on mismatch, -1 on I/O error (errno set). */
int oci_blob_check(const char *path, const char *digest);
/* Place src at dst: hard link when possible, else copy through a temporary
 * file and rename. 0 or -1/errno. */
int oci_link_or_copy(const char *src, const char *dst);

/* blobs/sha256/HEX under root; caller frees. */
char *oci_blob_path(const char *root, const char *digest);
/* Put the blob src into root under digest: moved (rename) or linked/copied.
 * An existing correct blob is kept. 0 or -1 with an error in d. */
int oci_place_blob(const char *root, const char *src, const char *digest, bool move, struct diag *d);
/* Write data as a blob under root, named by its digest (set in digest). */
int oci_write_bytes_blob(const char *root, const char *data, size_t len, char digest[72], struct diag *d);
/* Write j as a canonical JSON blob (sorted keys, compact) under root. */
int oci_write_json_blob(const char *root, const json_t *j, char digest[72], uint64_t *size, struct diag *d);
/* Read and parse the blob digest under root, verifying its hash. NULL with
 * an error in d (rule "oci-digest" on a mismatch). */
json_t *oci_read_json_blob(const char *root, const char *digest, struct diag *d);
/* The annotation that names an image of a layout: its tag. */
#define OCI_REF_NAME "org.opencontainers.image.ref.name"

/* Find the manifest descriptor in root/index.json named tag. Without a
 * tag: the only one, or, when there are several, the one whose digest is
 * digest (may be NULL). Returns a new reference or NULL with an error in d. */
json_t *oci_find_manifest(const char *root, const char *tag, const char *digest, struct diag *d);

/* ---- referrers (oci_referrer.c) ---- */

/* Write the artifact r makes for the image manifest mdigest (msize bytes):
 * its blob, the empty config and its manifest (digest into out), created
 * the RFC 3339 time of its annotation. Returns its index.json entry, or
 * NULL with an error in d. */
json_t *oci_referrer_write(const char *root, const struct oci_referrer *r, const char *mdigest,
			   uint64_t msize, const char *created, char out[72], struct diag *d);
/* Is an index.json entry an artifact (it has an artifactType)? */
bool oci_is_artifact(const json_t *entry);
/* Is entry an artifact whose subject is none of the images among
 * v[0..n)? */
bool oci_referrer_stale(const char *root, const json_t *entry, json_t *const *v, size_t n);

/* The `from` image. */
struct oci_base {
	char *dir;
	json_t *manifest; /* verified */
	json_t *config;	  /* verified */
	json_t *layers;	  /* borrowed from manifest: layer descriptors */
	json_t *diff_ids; /* borrowed from config */
	json_t *history;  /* borrowed from config, or NULL */
};
/* spec "DIR[:TAG]". Checks that its platform is os/arch. */
int oci_base_load(const char *spec, const char *os, const char *arch, struct oci_base *b, struct diag *d);
void oci_base_release(struct oci_base *b);

/* Write the layout under root as a reproducible tar at path (temporary
 * name, then rename). */
int oci_archive_write(const char *root, const char *path, long long epoch, struct diag *d);
/* rm -rf; best effort. */
void oci_remove_tree(const char *path);

/* A tar member path without leading '/', "./" and empty components, or
 * NULL when it has a ".." component. Caller frees. */
char *oci_norm_path(const char *in);

#endif
