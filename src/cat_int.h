/* cat_int.h - what the cat_*.c files share; not a public interface. */
#ifndef CPOLC_CAT_INT_H
#define CPOLC_CAT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "cat.h"
#include "diag.h"
#include "util.h"

struct archive;

#define CAT_INDEX_MAGIC "cpolc-index 1"
#define CAT_NFIELDS	11
#define CAT_RULE	"catalog"
#define CAT_HOSTILE	"hostile-content"

/* ---- metadata (cat_meta.c) ---------------------------------------------- */

/* Check a metadata object's fields and types; what names it in messages.
 * full: name, version, kind and content are required. */
int meta_check(json_t *m, const char *what, bool full, struct diag *d);
/* Check a scan object. */
int meta_check_scan(json_t *scan, const char *what, struct diag *d);
/* Append the index line of m (checked) to sb. */
void meta_index_line(json_t *m, const char *meta_digest, struct strbuf *sb);
/* The metadata serialised as written to VERSION.json (sorted keys,
 * two-space indent, final newline). Caller frees. */
char *meta_dump(json_t *m, size_t *len);
/* "DIR/primitives/NAME/VERSIONFILE.json"; caller frees. */
char *meta_file_path(const char *dir, const char *name, const char *version);
/* Does m allow the exception word ("setuid")? */
bool meta_allows(json_t *m, const char *what);
/* Record in m that it allows what (an --allow on the command line): the
 * readers of the catalog (verify, build) check members as it says. */
void meta_allow(json_t *m, const char *what);
bool is_sha256_ref(const char *s);

/* ---- the file tree of a primitive being added (cat_tar.c) --------------- */

enum tent_type { TENT_FILE, TENT_DIR, TENT_SYMLINK, TENT_HARDLINK };

struct tent {
	char *path; /* normalised: no leading '/' or "./", no trailing '/' */
	enum tent_type type;
	unsigned mode;	    /* permission bits, masked to 07777 */
	uint64_t size;	    /* regular files */
	char *link;	    /* symlink target, or hardlink target path (normalised) */
	char *src;	    /* regular file content from this file system path, or */
	uint64_t dev, ino;  /* ... (the file walked there), */
	uint64_t spool_off; /* ... from this offset of the spool file */
	char *origin;	    /* what the user named (for messages), borrowed from tree */
};

struct tree {
	struct tent *v;
	size_t n, cap;
	char **origins; /* owned strings that tent.origin borrows */
	size_t norigins, caporigins;
	int spool_fd; /* unlinked temporary file holding archive member data */
	uint64_t spool_len;
	char *tmpdir; /* where spool and blob temporaries go */
	bool allow_setuid;
	bool headers_only;	  /* archives: keep no member data (checking only) */
	struct cat_limits limits; /* on what an archive may expand to */
	uint64_t packed;	  /* the size on disk of the archive being read */
};

void tree_init(struct tree *t, const char *tmpdir, bool allow_setuid);
void tree_release(struct tree *t);
/* A `catalog add` PATH argument: FILE, DIR, ARCHIVE or SRC=DEST. */
int tree_add_arg(struct tree *t, const char *arg, struct diag *d);
/* Every member of an archive opened for reading, named origin in messages;
 * members are placed at their own (normalised) paths. packed: the
 * archive's size on disk, for the ratio bound of t->limits (0: none). */
int tree_add_archive(struct tree *t, struct archive *a, const char *origin, uint64_t packed, struct diag *d);
/* Read and drop the rest of the current member's data, within the bound;
 * 0, or -1 after reporting. */
int tree_drain(struct archive *a, const struct cat_limits *limits, uint64_t packed, const char *origin,
	       struct diag *d);
/* The most an archive of packed bytes (0: unknown) may expand to under
 * limits. */
uint64_t tree_cap(const struct cat_limits *limits, uint64_t packed);
/* Is a (reading an archive of packed bytes) past the cap? Then report it,
 * naming origin. */
bool tree_over_cap(struct archive *a, const struct cat_limits *limits, uint64_t packed, const char *origin,
		   struct diag *d);
/* Refuse a hostile tree (the rules of member.h over the whole tree:
 * repeated paths, members below a symlink or a file, symlinks that climb,
 * hardlinks to a path the tree does not hold); sorts and completes it.
 * 0, or -1 after reporting every refusal. */
int tree_check(struct tree *t, struct diag *d);
/* Write the canonical tar of the tree to a temporary file in t->tmpdir.
 * Refuses hostile trees first. On success *tmp (caller frees and renames or
 * unlinks), digest "sha256:HEX", *size the sum of regular file sizes. */
int tree_write(struct tree *t, char **tmp, char digest[72], uint64_t *size, struct diag *d);

/* ---- packs: the packages of apt repositories (cat_pack.c) --------------- */

/* The index of a catalog that has a pack starts "cpolc-index 2" and names
 * it on the next line, "@pack sha256:HEX"; the file is
 * DIR/packs/sha256/HEX, and the file of its metadata records beside it. */
#define CAT_INDEX_MAGIC2 "cpolc-index 2"

/* Strings that live as long as an import: chunks that never move. */
struct sarena {
	char **chunks;
	size_t n, cap;
	char *cur;
	size_t left;
};
/* A copy of s[0..n) with a NUL; "" for n == 0. */
const char *sa_dup(struct sarena *a, const char *s, size_t n);
void sa_release(struct sarena *a);

/* Priority values, apt's numbers (lower is more important). */
enum { PRIO_NONE, PRIO_REQUIRED, PRIO_IMPORTANT, PRIO_STANDARD, PRIO_OPTIONAL, PRIO_EXTRA };

/* A package as an import holds it: every string borrowed, "" when absent;
 * relationship fields in canonical form (rel_alt_str, joined by ", "). */
struct pack_pkg {
	const char *name, *version, *arch; /* arch "" for "all" */
	const char *depends;		   /* Pre-Depends then Depends */
	const char *pre_depends, *provides, *conflicts, *breaks, *recommends, *suggests, *enhances, *replaces;
	const char *section, *source, *filename, *multi_arch, *priority;
	const char *scan; /* the scan results, a JSON object, or "" */
	char sha256[65];  /* of the .deb, hex */
	uint64_t deb_size, installed_kib;
	uint32_t src;  /* index of its repository's URI */
	uint32_t rank; /* apt's package order (first mention across the indexes) */
	uint32_t seq;  /* of one name, version and architecture, the lowest is kept */
	bool essential, important;
};

/* apt's number for a Priority word: 0 none, 1 required .. 5 extra (and
 * for a word it does not know). */
uint8_t pack_priority(const char *word);

/* Sort pkgs (name, version highest first, version bytewise, architecture,
 * seq) and write them as a pack into DIR/packs/sha256/ with the repository
 * URIs srcs. Of one name, version and architecture the lowest seq is kept,
 * with the repository of the highest (where to fetch may move; what was
 * recorded may not); different .deb digests for one are an error naming
 * both. digest: "sha256:HEX" of the pack. Returns 0 or -1 after reporting. */
int pack_write(const char *dir, struct pack_pkg *pkgs, size_t n, const char *const *srcs, size_t nsrcs,
	       char digest[72], struct diag *d);

/* Map DIR/packs/sha256/HEX of digest, check its digest and structure.
 * Returns the pack (free with pack_free), or NULL after reporting. */
struct cat_pack *pack_load(const char *dir, const char *digest, struct diag *d);
void pack_free(struct cat_pack *pk);
size_t pack_count(const struct cat_pack *pk);
/* Entry i as a pack_pkg, its metadata record read and checked (strings
 * borrowed from pk, valid until the next pack_get). 0 or -1 after
 * reporting. */
int pack_get(struct cat_pack *pk, size_t i, struct pack_pkg *out, struct diag *d);
/* Copy the strings of k (as pack_get left them) into a. */
void pack_keep(struct sarena *a, struct pack_pkg *k);
/* The repository URIs. */
size_t pack_nsrcs(const struct cat_pack *pk);
const char *pack_src(const struct cat_pack *pk, size_t i);
const char *pack_path(const struct cat_pack *pk);
/* Append the pack's packages to cat->prims (index entries first). */
void pack_add_prims(struct catalog *cat, struct cat_pack *pk);
/* The providers of the pack, sorted as catset's: virt, provider name,
 * version highest first. Entries borrow from pk; prims are cat's. */
void pack_providers(const struct catalog *cat, struct cat_provider **v, size_t *n, size_t *cap);
/* The metadata of a pack primitive (keys as doc/DESIGN.md, "Catalogs",
 * "apt" holding the repository's fields) and the digest of its record.
 * Caller owns the object. NULL after reporting. */
json_t *pack_meta(const struct cat_prim *p, char meta_digest[72], struct diag *d);
/* The .deb of p: SHA256 (hex), size and URL (caller frees). 0 or -1. */
int pack_deb(const struct cat_prim *p, char sha256[65], uint64_t *size, char **url, struct diag *d);

/* Remove the files of DIR/packs/sha256 that are not keep's (its table,
 * records and marker) and were last modified more than age seconds ago:
 * the packs imports and scans replaced, once no reader can still be
 * opening them. Best effort. */
void pack_prune(const char *dir, const struct cat_pack *keep, long age);
#define PACK_PRUNE_AGE (24L * 3600) /* a day, as the layouts' temporaries */

/* Note that pack primitive p owns allocations (cat_close frees them). */
void cat_touch(struct cat_prim *p);

/* ---- content on demand (cat_remote.c) ------------------------------------ */

/* Set p->digest (a pack primitive) when its content was fetched before:
 * DIR/fetched/sha256/DEBHEX holds the digest of its canonical tar. Returns
 * 0 (fetched or not), or -1 after reporting a malformed record. */
int remote_lookup(struct cat_prim *p, struct diag *d);
/* Check a fetched record's text (len bytes): one or two digest lines;
 * each '\n' becomes a NUL, so text is the content digest and text + 72
 * (when len is 144) the package data's. 0, or -1 when malformed. */
int cat_fetched_parse(char *text, size_t len);

/* ---- .deb files (cat_deb.c) ---------------------------------------------- */

/* Package, Version and Architecture of a control file (owned, may be NULL). */
struct deb_ids {
	char *package, *version, *arch;
};

/* Read the .deb at path: its data.tar as a
 * canonical tar in a temporary file of blobdir (*tmp, digest, *size as
 * tree_write), the ids of its control file and its package data (the
 * blob's bytes and digest: cat_debinfo.c); caller frees them.
 * Returns 0, or -1 after reporting. */
struct deb_info {
	char *text;
	size_t len;
	char digest[72];
};
int deb_content(const char *path, const char *blobdir, bool allow_setuid, struct deb_ids *ids, char **tmp,
		char digest[72], uint64_t *size, struct deb_info *info, struct diag *d);

/* ---- the control file of a .deb (cat_deb.c) ------------------------------ */

struct control {
	char *package, *version, *arch, *depends, *predepends, *provides, *conflicts, *breaks, *isize;
};
/* Parse the first paragraph of a control file (RFC 822 style, continuation
 * lines folded into one line) into c (zeroed first); linear in the text. */
void cat_control_parse(struct control *c, const char *text);
void cat_control_release(struct control *c);
/* The metadata of the package c describes (deb names it in messages), or
 * NULL after reporting. */
json_t *cat_control_meta(const struct control *c, const char *deb, struct diag *d);

/* ---- the package data of a .deb (cat_debinfo.c) ----------------------- */

/* The members of control.tar kept (besides control itself, parsed by
 * cat_control_parse): text of each, NULL when absent. */
enum {
	DEBCTL_CONTROL,
	DEBCTL_MD5SUMS,
	DEBCTL_CONFFILES,
	DEBCTL_PREINST,
	DEBCTL_POSTINST,
	DEBCTL_PRERM,
	DEBCTL_POSTRM,
	DEBCTL_CONFIG,
	DEBCTL_TRIGGERS,
	DEBCTL_N
};
struct debctl {
	char *text[DEBCTL_N];
};
/* The DEBCTL_ index of a control.tar member name ("./postinst"), or -1. */
int debctl_member(const char *name);
void debctl_release(struct debctl *c);
/* The License of the "Files: *" paragraph of a machine-readable
 * debian/copyright text (Format: .../copyright-format/1.0/), or NULL.
 * Caller frees. */
char *debinfo_license(const char *text);
/* The package data blob's bytes (cat_debinfo.c says what it holds) of the
 * control members c and the tree t (checked and sorted: after tree_write);
 * package names its copyright file. Caller frees. */
char *debinfo_text(const struct debctl *c, const struct tree *t, const char *package, size_t *len);
/* Write data (digest "sha256:HEX" of it) as a blob of catalog dir, unless
 * it is there. 0 or -1 after reporting. */
int cat_place_bytes(const char *dir, const char *data, size_t len, const char *digest, struct diag *d);

/* ---- committing (cat_add.c) --------------------------------------------- */

/* Write m (checked) as DIR/primitives/NAME/VERSION.json, without touching
 * the index (the caller reindexes); ref gets its digest. 0 or -1. */
int meta_store(const char *dir, json_t *m, char ref[72], struct diag *d);

/* Take the finished blob tmp (digest) and metadata m (content and size are
 * set here) into catalog dir. Returns as cat_add. Consumes tmp (renamed or
 * unlinked). */
int cat_commit(const char *dir, json_t *m, const char *tmp, const char *digest, uint64_t size,
	       struct diag *d);
/* Move the finished blob tmp (digest) into dir's blobs (a blob already
 * there has the same bytes: tmp is removed). 0 or -1 after reporting. */
int cat_place_blob(const char *dir, const char *tmp, const char *digest, struct diag *d);
/* Is dir a catalog (catalog.json says version 1)? 0 or -1 after reporting. */
int cat_check_dir(const char *dir, struct diag *d);
/* flock DIR/.lock; returns the fd or -1 after reporting. */
int cat_lock(const char *dir, struct diag *d);
void cat_unlock(int fd);
/* The pack DIR/index names ("" when none, or there is no index). Returns 0,
 * or -1 after reporting. */
int index_header_read(const char *dir, char pack[72], struct diag *d);
/* Rewrite DIR/index naming pack ("" for none), under the lock. */
int index_header_write(const char *dir, const char *pack, struct diag *d);
/* Rebuild the index of dir from its metadata files (under the lock). */
int cat_reindex_locked(const char *dir, struct diag *d);
/* Scan the metadata files of dir; the index text (without magic) into sb. */
int cat_scan_index(const char *dir, struct strbuf *sb, struct diag *d);

#endif
