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

/* ---- committing (cat_add.c) --------------------------------------------- */

/* Take the finished blob tmp (digest) and metadata m (content and size are
 * set here) into catalog dir. Returns as cat_add. Consumes tmp (renamed or
 * unlinked). */
int cat_commit(const char *dir, json_t *m, const char *tmp, const char *digest, uint64_t size,
	       struct diag *d);
/* Is dir a catalog (catalog.json says version 1)? 0 or -1 after reporting. */
int cat_check_dir(const char *dir, struct diag *d);
/* flock DIR/.lock; returns the fd or -1 after reporting. */
int cat_lock(const char *dir, struct diag *d);
void cat_unlock(int fd);
/* Rebuild the index of dir from its metadata files (under the lock). */
int cat_reindex_locked(const char *dir, struct diag *d);
/* Scan the metadata files of dir; the index text (without magic) into sb. */
int cat_scan_index(const char *dir, struct strbuf *sb, struct diag *d);

#endif
