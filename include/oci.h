/* oci.h - the composer: reproducible OCI image layouts from canonical tars.
 *
 * oci_compose turns an ordered list of layer sources (each one or more
 * uncompressed tars, plus generated files) into an OCI image layout
 * directory or oci-archive. Every layer is normalised (entries sorted
 * bytewise, parents present, mtime = epoch, no names, xattrs or times).
 * Layers are built in parallel by `jobs` worker threads, heaviest first.
 * gzip uses libdeflate, and a large layer is split into chunks that are
 * deflated in parallel and joined into one stream. A layer is streamed from
 * its tars to its blob, so memory does not grow with content size. Input
 * tars are checked against their digests before any output is written.
 * Blobs are written first, each through a temporary name and rename;
 * index.json comes last. Then blobs that only the previous index referenced
 * are removed. Builds into one layout directory may run at once: they take
 * turns under an flock of the directory from placing their first blob to
 * removing the old ones.
 *
 * Ownership: every pointer in the option and source structs is borrowed for
 * the duration of the call. struct oci_result is owned by the caller and
 * released with oci_result_release. Errors are added to the struct diag
 * (rule ids: "oci-input", "oci-io", "oci-collision", "oci-digest",
 * "oci-verify"). Library code here never prints and never exits.
 */
#ifndef CPOLC_OCI_H
#define CPOLC_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "diag.h"

enum oci_compression { OCI_COMP_GZIP, OCI_COMP_ZSTD, OCI_COMP_NONE };
enum oci_format { OCI_FMT_DIR, OCI_FMT_ARCHIVE };

#define OCI_DEFAULT_MAX_LAYERS 100
/* Bumped whenever layer bytes change for the same inputs; part of cache keys. */
#define OCI_LAYER_FORMAT 4

/* A generated file (policy `file` statement). */
struct oci_file {
	const char *path; /* inside the image; leading '/' optional */
	const void *data;
	size_t len;
	unsigned mode; /* permission bits; 0 means 0644 (0755 for a directory) */
	char type;     /* 0 or 'f' a file, 'd' a directory (data and len unused),
			* 'l' a symbolic link to the len bytes of data */
	unsigned uid, gid;
	bool replaces; /* stands for what lower layers hold at path, merged
			* (/etc/passwd): not a collision when they differ */
};

/* One layer to produce, bottom to top. */
struct oci_layer_src {
	const char *name;		/* for history: "busybox 1:1.35.0-4", "files" */
	const char *const *tars;	/* canonical uncompressed tar paths */
	const char *const *tar_digests; /* "sha256:HEX" of each (verified while
					 * reading; NULL entries or array = unchecked) */
	size_t ntars;
	const struct oci_file *files; /* generated files, or NULL */
	size_t nfiles;
	bool allow_setuid; /* its metadata allows setuid files (member.h) */
};

struct oci_result;
/* An artifact attached to the image (src/oci_referrer.c): make returns its
 * one blob (caller frees) once the image manifest's digest is known. */
struct oci_referrer {
	const char *artifact_type; /* and the media type of its blob */
	char *(*make)(void *ctx, const char *manifest_digest, size_t *len);
	void *ctx;
};

struct oci_opts {
	const char *out;	/* layout directory or archive path */
	enum oci_format format; /* OCI_FMT_DIR default */
	const char *tag;	/* ref name; NULL = "latest" */
	enum oci_compression compression;
	long long epoch;	 /* SOURCE_DATE_EPOCH; >= 0 */
	const char *cache_dir;	 /* NULL = no cache */
	int max_layers;		 /* primitive layers; <= 0 means 100 */
	int jobs;		 /* worker threads; <= 0 means online CPUs */
	const char *from_layout; /* "DIR[:TAG]" of an existing layout, or NULL */
	bool no_gc;		 /* keep unreferenced blobs in a layout dir */
	/* Called when the image's blobs are written and res is filled, before
	 * anything refers to them (index.json, the archive), or NULL: when it
	 * returns -1 (its errors in d), oci_compose fails as if it had. */
	int (*before_publish)(void *ctx, const struct oci_result *res, struct diag *d);
	void *publish_ctx;
	const struct oci_referrer *referrer; /* or NULL */
};

/* One layer of the image as written. */
struct oci_layer_info {
	char *name;	  /* history name: the source name(s), or "from: ..." */
	char digest[72];  /* "sha256:HEX" of the blob */
	char diff_id[72]; /* "sha256:HEX" of the uncompressed tar */
	uint64_t size;	  /* blob bytes */
	const char *media_type;
	bool from_base; /* inherited from opts.from_layout */
	bool cached;	/* taken from the layer cache */
};

struct oci_result {
	struct oci_layer_info *layers; /* bottom to top */
	size_t nlayers;
	size_t *src_layer; /* src_layer[i]: index into layers of source i */
	size_t nsrc;
	char manifest_digest[72];
	uint64_t manifest_size;
	char config_digest[72];
	char referrer_digest[72]; /* the artifact's manifest, or "" */
	json_t *config;		  /* the image config's "config" object (owned) */
};

void oci_result_init(struct oci_result *res);
void oci_result_release(struct oci_result *res);

/* Compose the image. config: the OCI config keys set by the policy (Env,
 * Entrypoint, ...), or NULL; annotations: an object or NULL; platform
 * "os/arch[/variant]". Returns 0 on success, -1 with errors in d; on failure
 * nothing visible changes (no new index.json, archive not replaced). */
int oci_compose(const struct oci_opts *opts, const struct oci_layer_src *layers, size_t n,
		const json_t *config, const json_t *annotations, const char *platform, struct oci_result *res,
		struct diag *d);

/* Report every path that two sources put different content at (an error
 * with rule "oci-collision" naming the path and both sources). Reads the
 * tars' headers and hashes regular file content, streaming. Identical
 * content, and directories, are fine. With a cache directory (else NULL),
 * the member table of each tar whose digest is known is taken from
 * CACHE/scans while the tar's stat data is unchanged, and kept there after
 * a read. Returns the number of collisions, or -1 when a tar could not be
 * read. */
int oci_check_collisions(const struct oci_layer_src *layers, size_t n, const char *cache, struct diag *d);

/* Split an image reference "DIR[:TAG]" into malloc'd *dir and *tag (NULL
 * without a tag). A tag is what follows the last ':' when that has no '/',
 * unless the whole of spec names a directory. */
void oci_split_ref(const char *spec, char **dir, char **tag);

/* The manifest digest ("sha256:HEX", into out) of the image that spec
 * ("DIR[:TAG]", as for oci_opts.from_layout) names. 0, or -1 with an error
 * in d. */
int oci_from_digest(const char *spec, char out[72], struct diag *d);

/* The image of the layout dir tagged tag (NULL: the only one), as its
 * index.json describes it: the manifest's digest and media type, and its
 * tag (the ref.name annotation, or NULL). 0, or -1 with an error in d. */
struct oci_image_desc {
	char digest[72];
	char *media_type; /* OCI_MT_MANIFEST when the descriptor names none */
	char *tag;
};
int oci_layout_image(const char *dir, const char *tag, struct oci_image_desc *out, struct diag *d);
void oci_image_desc_release(struct oci_image_desc *img);

/* The content of the regular file at path (normalised: "etc/passwd") as
 * the tar at tar (compressed or not; the last member wins), or as the
 * image spec ("DIR[:TAG]", for platform) holds it once its layers are
 * stacked (whiteouts and opaque directories delete it). Returns 1 with
 * *data (NUL-terminated, caller frees) and *len, 0 when there is no such
 * file, -1 after reporting (unreadable, or larger than max bytes). */
int oci_tar_file(const char *tar, const char *path, size_t max, char **data, size_t *len, struct diag *d);
int oci_from_file(const char *spec, const char *platform, const char *path, size_t max, char **data,
		  size_t *len, struct diag *d);

/* Parse "os/arch[/variant]"; returns 0 or -1. Out strings are malloc'd. */
int oci_parse_platform(const char *platform, char **os, char **arch, char **variant);

/* Media types. */
const char *oci_layer_media_type(enum oci_compression c);
#define OCI_MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_MT_INDEX	"application/vnd.oci.image.index.v1+json"
#define OCI_MT_CONFIG	"application/vnd.oci.image.config.v1+json"

/* The referrers the layout dir lists: an object from each subject's
 * manifest digest to the index entries (descriptors with artifactType) of
 * the artifacts whose manifest names it, in index order. Unreadable
 * entries are passed over; an unreadable index gives {}. */
json_t *oci_referrers(const char *dir);

/* Remove the images tagged tags[0..n) from the layout dir's index, with
 * the referrers of images that go, and every blob nothing listed still
 * references; under the layout's lock, which builds into it take too. 0 or
 * -1 with an error in d. */
int oci_layout_untag(const char *dir, const char *const *tags, size_t n, struct diag *d);

/* Verify an image layout against digests: the manifest named by tag (NULL:
 * the only one) must have digest manifest_digest (NULL: not checked), every
 * blob it references must hash to its digest, and each uncompressed layer
 * to its diff_id. Returns 0 when all hold, else -1 with errors in d (rule
 * "oci-verify"). */
int oci_verify_layout(const char *dir, const char *tag, const char *manifest_digest, struct diag *d);

/* The diff_id of the layer oci_compose makes of the sources srcs[0..n)
 * (those of one layer, in order) at epoch: the layer's tar is written
 * nowhere and hashed; each tar is checked against its digest while read.
 * What it costs is reading the tars twice, nothing is compressed. 0, or -1
 * with an error in d ("oci-verify"). */
int oci_layer_derive(const struct oci_layer_src *srcs, size_t n, long long epoch, char diff_id[72],
		     struct diag *d);

/* A layer as derived from its sources: the diff_id layer `index` of the
 * image must have (index -1: the top layer). */
struct oci_derived {
	char *name; /* for messages: the sources' names */
	char diff_id[72];
	long index;
};

/* Check an image on disk against its lock: oci_verify_layout with the
 * lock's manifest digest, then the config digest, and each locked
 * primitive's layer (digest, diff_id, size) must be the layer at its index
 * in the image. With derived (else NULL), each derived layer must have its
 * diff_id, and every other layer must be one of the `from` image's, below
 * every derived one: a layer that nothing accounts for is an error.
 * Returns 0 when all hold, else -1 with every mismatch in d ("oci-verify").
 * The policy re-check is the caller's. */
struct lock;
int oci_verify(const char *dir, const char *tag, const struct lock *lk, const struct oci_derived *derived,
	       size_t nderived, struct diag *d);

#endif
