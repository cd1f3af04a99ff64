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
};

void tree_init(struct tree *t, const char *tmpdir, bool allow_setuid);
void tree_release(struct tree *t);
/* A `catalog add` PATH argument: FILE, DIR, ARCHIVE or SRC=DEST. */
int tree_add_arg(struct tree *t, const char *arg, struct diag *d);
/* Every member of an archive opened for reading, named origin in messages;
 * members are placed at their own (normalised) paths. */
int tree_add_archive(struct tree *t, struct archive *a, const char *origin, struct diag *d);
/* Write the canonical tar of the tree to a temporary file in t->tmpdir.
 * Refuses hostile trees first. On success *tmp (caller frees and renames or
 * unlinks), digest "sha256:HEX", *size the sum of regular file sizes. */
int tree_write(struct tree *t, char **tmp, char digest[72], uint64_t *size, struct diag *d);

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
