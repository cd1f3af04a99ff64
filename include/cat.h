/* cat.h - primitive catalogs: content-addressed, append-only directories.
 *
 * Layout (doc/DESIGN.md, "Catalogs"):
 *
 *   CATALOG/catalog.json                  {"cpolCatalog": 1}
 *   CATALOG/index                         one line per primitive (below)
 *   CATALOG/primitives/NAME/VERSION.json  metadata, keys sorted
 *   CATALOG/blobs/sha256/HEX              content: a canonical uncompressed tar
 *
 * VERSION is the version with every ':' written as "%3a" (the only character
 * of a Debian version that is awkward in file names; '%' itself cannot occur
 * in a version, so the encoding is reversible).
 *
 * The index lets a catalog of 10,000 primitives load in a few milliseconds:
 * its first line is "cpolc-index 1", then one line per primitive, sorted
 * bytewise by name then version, of tab-separated fields
 *
 *   NAME VERSION KIND DIGEST META_DIGEST SIZE OS ARCH DEPENDS PROVIDES CONFLICTS
 *
 * where OS and ARCH are empty for "fits every platform" and the relationship
 * fields are the metadata lists joined with ", " (CONFLICTS holds conflicts
 * and breaks). Every add, import-deb and set-scan rewrites it atomically under
 * an flock of CATALOG/.lock. Metadata files are read lazily (cat_prim_load),
 * checked against META_DIGEST; `catalog verify` checks everything.
 */
#ifndef CPOLC_CAT_H
#define CPOLC_CAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "diag.h"
#include "util.h"

struct catalog;

/* One version of one primitive. Owned by its catalog; every string is
 * borrowed by users. The index fields are set when the catalog is opened;
 * meta and meta_path are NULL until cat_prim_load (res_resolve loads every
 * primitive it selects). */
struct cat_prim {
	char *name;
	char *version;
	char *kind;	   /* "executable" "library" "config" "data" "base" */
	char *digest;	   /* "sha256:HEX" of the content tar */
	char *meta_digest; /* "sha256:HEX" of the metadata file's bytes */
	char *meta_path;   /* path of VERSION.json (after cat_prim_load) */
	uint64_t size;	   /* bytes of file content */
	char *os, *arch;   /* NULL when the primitive fits every platform */
	json_t *meta;	   /* the whole metadata object (after cat_prim_load) */
	const struct catalog *cat;

	/* Relationship fields as Debian field text ("a (>= 1), b | c"), "" when
	 * empty; parse with rel_parse. conflicts holds Conflicts and Breaks. */
	char *depends, *provides, *conflicts;
	json_t *record; /* cache of cat_prim_record */
	int load_state; /* 0 not loaded, 1 loaded, -1 failed */

	/* A package of an apt repository (cat_pack.c) is known by its metadata;
	 * its content is fetched the first time a build selects it. For one,
	 * pack_index is 1 + its entry in cat->pack; digest is NULL until its
	 * content was fetched, meta_digest and meta_path until cat_prim_load,
	 * and both digests are owned. Zero for the others. */
	uint32_t pack_index;
	char *deb_info;	  /* a pack primitive's package data digest, once
			     fetched (owned); NULL for the others */
	uint32_t rank;	  /* apt's order of packages: ties go to the higher */
	uint8_t priority; /* Priority: 0 none, 1 required, 2 important, 3 standard,
			     4 optional, 5 extra (apt's numbers: lower wins) */
	bool essential;	  /* Essential: yes (and apt, as apt forces it) */
	bool important;	  /* Important: yes or Protected: yes */
	bool hidden;	  /* a twin in an earlier catalog of the set wins */
	bool touched;	  /* listed in cat->touched */
};

struct cat_pack;

struct catalog {
	char *dir;
	struct cat_prim *prims;	 /* the index's, sorted by name then version
				    bytewise, then the pack's (sorted by name,
				    version highest first, architecture) */
	size_t nprims, nlocal;	 /* nlocal: how many come from the index */
	size_t prims_big;	 /* bytes of prims when from xcalloc_big, else 0 */
	struct cat_pack *pack;	 /* the repositories' packages, or NULL */
	const char *pack_digest; /* from the index, or NULL */
	/* the pack primitives that own something (cat_close frees only those,
	 * not walking 63,000 untouched entries) */
	struct cat_prim **touched;
	size_t ntouched, captouched;
	char *index_text; /* the index file; prim strings point into it */
	size_t index_len;
	char identity[72]; /* "sha256:HEX" of the index file */
};

/* A provider of a virtual name: prim's Provides names virt, optionally with
 * a version (NULL when unversioned). */
struct cat_provider {
	char *virt;
	char *version;
	struct cat_prim *prim;
};

struct cat_name {
	const char *name;
	size_t first, n; /* range in catset.prims */
};

/* Several catalogs seen as one: every version in every catalog is a
 * candidate; earlier catalogs take precedence for the same name and version
 * with the same digest, and different digests are an error. */
struct catset {
	struct catalog **cats;
	size_t ncats;
	struct cat_prim **prims; /* sorted by name, then highest version first */
	size_t nprims;
	struct cat_name *names; /* sorted by name */
	size_t nnames;
	struct cat_provider *provs; /* sorted by virt, provider name, version desc */
	size_t nprovs;
	struct strvec owned; /* the strings of provs parsed from index entries */
};

/* ---- reading ------------------------------------------------------------ */

/* Open one catalog (reads catalog.json and the index; a catalog without an
 * index is scanned, which is slow but correct). Caller frees with
 * cat_close. Returns NULL after reporting in d. */
struct catalog *cat_open(const char *dir, struct diag *d);
void cat_close(struct catalog *cat);

/* Open dirs[0..n) as a set. Returns 0, or -1 after reporting every problem
 * in d (cs is then empty but may be released). */
int catset_open(struct catset *cs, const char *const *dirs, size_t n, struct diag *d);
void catset_release(struct catset *cs);

/* The name of a primitive (or a virtual one) of cs spelt closest to name,
 * an edit or two away (suggest_name), or NULL: for "did you mean". */
const char *catset_suggest(const struct catset *cs, const char *name);

/* All versions of name, highest first (ver_cmp); NULL and *n = 0 when none. */
struct cat_prim *const *catset_versions(const struct catset *cs, const char *name, size_t *n);
/* The providers of a virtual name; NULL and *n = 0 when none. */
const struct cat_provider *catset_providers(const struct catset *cs, const char *virt, size_t *n);
/* The primitive name@version, or NULL. */
struct cat_prim *catset_find(const struct catset *cs, const char *name, const char *version);

/* Read, check (against the index's metadata digest, name, version and
 * content digest) and parse the metadata of p; sets p->meta and
 * p->meta_path. Idempotent. Returns 0 or -1 after reporting in d. */
int cat_prim_load(const struct cat_prim *p, struct diag *d);

/* The record that policies see (doc/cpol.5, "PRIMITIVE RECORDS"): name,
 * version, kind, digest, size, os, arch, license, depends, provides, scan
 * {critical,high,medium,low,cves}, resources, labels; a missing field is
 * null. Built once per primitive; BORROWED (owned by the primitive). Loads
 * the metadata if needed; NULL when it cannot be loaded or verified. */
json_t *cat_prim_record(const struct cat_prim *p);

/* p's known CVEs from its scan results, "CVE-1 (critical), CVE-2 (high)",
 * at most max then "and N more"; NULL when it has none (or its metadata
 * cannot be read). Caller frees. */
char *cat_prim_cves(const struct cat_prim *p, size_t max);

/* Does p's metadata (loaded) allow the exception `what` ("allow":
 * ["setuid"])? False when it is not loaded. */
bool cat_prim_allows(const struct cat_prim *p, const char *what);

/* The package data of a primitive imported from a .deb (its control
 * file, md5sums, maintainer scripts, file list and copyright license;
 * src/cat_debinfo.c says how it is kept): the digest of its blob, or NULL
 * when p has none (not from a .deb, or imported by an older cpolc). p's
 * metadata is loaded. BORROWED. */
const char *cat_prim_deb_info(const struct cat_prim *p);
/* The package data object, read and checked against its digest: *out is
 * the object (caller owns it), or NULL when p has none. 0, or -1 after
 * reporting. */
int cat_prim_debinfo(const struct cat_prim *p, json_t **out, struct diag *d);

/* Path of p's content blob. Caller frees. */
char *cat_blob_path(const struct cat_prim *p);
/* Open p's content blob for reading, after hashing it in full and checking
 * the digest; *fd is positioned at offset 0 and owned by the caller.
 * Returns 0, or -1 after reporting in d. */
int cat_blob_open(const struct cat_prim *p, int *fd, struct diag *d);

/* Does p fit platform "OS/ARCH[/VARIANT]" (NULL: any)? A primitive
 * without a platform, or with arch "all", fits every platform. */
bool cat_prim_fits(const struct cat_prim *p, const char *platform);

/* ---- writing ------------------------------------------------------------ */

/* Is name a valid primitive name (Debian package-name charset)? */
bool cat_valid_name(const char *name);
/* The file name used for a version ("1%3a2.0-1" for "1:2.0-1"). Caller frees. */
char *cat_version_filename(const char *version);

int cat_init(const char *dir, struct diag *d);

/* Bounds on what an archive added or imported may expand to (cpolc(1),
 * RESOURCE BOUNDS); a field of 0 takes the default. What is read from one
 * archive (its uncompressed stream, headers included) may be at most
 * max_size bytes and, past the first CAT_RATIO_FLOOR bytes, at most
 * max_ratio times the archive's size on disk; beyond, the add or import
 * fails and writes nothing. */
#define CAT_DEFAULT_MAX_SIZE  ((uint64_t)8 << 30)
#define CAT_DEFAULT_MAX_RATIO 200u
#define CAT_RATIO_FLOOR	      ((uint64_t)16 << 20)
struct cat_limits {
	uint64_t max_size;  /* bytes; 0: CAT_DEFAULT_MAX_SIZE */
	unsigned max_ratio; /* 0: CAT_DEFAULT_MAX_RATIO */
};

struct cat_add_opts {
	const char *name, *version, *kind; /* kind NULL: "executable" */
	const char *const *depends, *const *provides, *const *conflicts;
	size_t ndepends, nprovides, nconflicts;
	const char *platform;  /* "OS/ARCH" or NULL */
	const char *license;   /* or NULL */
	const char *meta_file; /* JSON object merged first, or NULL */
	const char *const *paths;
	size_t npaths;
	bool allow_setuid;	  /* also set by "allow": ["setuid"] in meta_file */
	struct cat_limits limits; /* for the archives among paths */
};

/* Add a primitive. Returns 0 when added, 1 when the same name, version and
 * content are already there (nothing changes), -1 after reporting in d
 * (nothing changes; a different content for an existing name and version
 * is such an error). */
int cat_add(const char *dir, const struct cat_add_opts *o, struct diag *d);

/* Import a Debian binary package (maintainer scripts are never run).
 * Returns as cat_add. */
struct cat_import_opts {
	bool allow_setuid; /* recorded as "allow": ["setuid"] */
	struct cat_limits limits;
};
int cat_import_deb_opts(const char *dir, const char *deb, const struct cat_import_opts *o, struct diag *d);
/* The same with the default limits. */
int cat_import_deb(const char *dir, const char *deb, bool allow_setuid, struct diag *d);

/* ---- apt repositories (cat_apt.c; doc/DESIGN.md, "Catalogs") ---------- */

#define CAT_APT_KEYRING "/usr/share/keyrings/debian-archive-keyring.gpg"
#define CAT_APT_ARCH	"amd64"

/* A repository to import: the fields of a sources.list line. Borrowed. */
struct cat_apt_source {
	const char *uri, *suite;
	const char *const *components;
	size_t ncomponents;
	const char *const *archs; /* NULL: CAT_APT_ARCH */
	size_t narchs;
	const char *keyring; /* NULL: CAT_APT_KEYRING */
};

/* The sources of a deb822 .sources file; owns everything it points to. */
struct cat_apt_sources {
	struct cat_apt_source *v;
	size_t n, cap;
	struct strvec strs;
	const char ***lists; /* the component and architecture arrays */
	size_t nlists, caplists;
};

/* Read FILE (deb822, as /etc/apt/sources.list.d/NAME.sources): one source
 * per URI and suite of each enabled "deb" entry; Signed-By must name a
 * keyring file. Returns 0, or -1 after reporting (out is then empty). */
int cat_apt_sources_load(const char *file, struct cat_apt_sources *out, struct diag *d);
void cat_apt_sources_release(struct cat_apt_sources *s);

struct cat_apt_opts {
	const char *gpgv;    /* NULL: "gpgv" from PATH */
	bool allow_rollback; /* accept a Release dated before the last one imported */
};

/* Import the package indexes of srcs into catalog dir as metadata: each
 * Release verified with gpgv against its keyring, Valid-Until enforced, its
 * Date no earlier than that of the last Release imported from the same URI
 * and suite (DIR/apt-releases; a replayed or rolled-back repository),
 * each Packages index checked against the SHA256 its Release lists, every
 * package recorded in the catalog's pack (its content is fetched when a
 * build first selects it). Packages already there are kept; a package
 * already there at the same name, version and architecture with another
 * .deb digest is an error. Everything is staged under DIR/tmp and
 * committed under the catalog's lock; on failure nothing changes. Returns
 * the number of packages in the pack, or -1 after reporting. */
long cat_import_apt(const char *dir, const struct cat_apt_source *srcs, size_t n,
		    const struct cat_apt_opts *o, struct diag *d);

/* Content on demand (cat_remote.c). */
struct cat_fetch_opts {
	bool offline;	    /* fail, naming each primitive whose content is missing */
	unsigned parallel;  /* connections at once; 0: 2 */
	bool allow_setuid;  /* accept setuid/setgid files in the content */
	bool download_only; /* fetch and check the .debs (kept in DIR/tmp/debs,
			       imported by the next fetch), import nothing */
	/* progress of the downloads, or NULL (fetch.h, fetch_progress_fn) */
	void (*progress)(void *ctx, uint64_t bytes, uint64_t total, size_t files, size_t nfiles);
	void *ctx;
};

/* Make sure every pack primitive of v has its content: fetch its .deb,
 * check it against the SHA256 of its Packages stanza, import its data.tar
 * as a canonical tar and remember it; digest is set. Other primitives are
 * passed over. A .deb that fails a check is removed and nothing of it is
 * kept. Returns 0, or -1 after reporting every failure. */
int cat_fetch(const struct cat_prim *const *v, size_t n, const struct cat_fetch_opts *o, struct diag *d);

/* Scan feeds (cat_scan.c). */
enum cat_scan_format { CAT_SCAN_OSV, CAT_SCAN_GRYPE };

/* Record what the vulnerability feed file (or, OSV, directory of files)
 * finds in the catalog's primitives as their scan results, in one run
 * under the lock: with OSV every primitive gets a record (empty when no
 * advisory affects it), with grype those it names. Returns the number of
 * primitives with findings, or -1 after reporting (nothing changes). */
long cat_import_scan(const char *dir, const char *file, enum cat_scan_format fmt, struct diag *d);

/* Replace the scan results of name@version with the object in file. */
int cat_set_scan(const char *dir, const char *name, const char *version, const char *file, struct diag *d);

/* Rebuild the index from the metadata files (`catalog reindex`), e.g. after
 * generating metadata with another tool. */
int cat_reindex(const char *dir, struct diag *d);

/* Recompute every blob digest and metadata digest and compare with the
 * metadata and the index; every mismatch is an error in d. Returns the
 * number of problems found (0: all good), or -1 when dir is not a catalog. */
int cat_verify(const char *dir, struct diag *d);

#endif
