/* cache.h - the layer cache: compressed layers by the digest of their inputs.
 *
 * Layout of a cache directory:
 *   DIR/blobs/sha256/HEX      a compressed layer blob
 *   DIR/layers/KEY.json       {"digest":..., "diffId":..., "size":N, "stamp":...,
 *                             "recipe":...} for one key; stamp is the blob's
 *                             cache_stamp when it was last hashed
 *   DIR/tmp/                  temporary files of builds in progress
 *   DIR/checks/HEX            a set of sources that passed the collision check
 *   DIR/scans/HEX             the member table of a catalog tar, by its digest
 * A key is the SHA-256 (64 hex digits) of a layer's recipe: the content
 * digests of its inputs and every setting that shapes its bytes; the
 * composer writes it. An entry records the recipe it was made for and is
 * used only for that recipe, so an entry is bound to the primitive content
 * and settings it was made from; one that names other inputs is dropped.
 * The cache trusts whoever can write it to write entries honestly (a blob
 * named right but made of other content is not detected by a build);
 * `cpolc verify` derives every layer from catalog content and so catches
 * one (doc/cpolc.1). Every file is written through a temporary name and
 * rename(2), so any number of builds may share one cache: readers see
 * either nothing or a whole entry, and writers of one key write equal bytes.
 * A blob is re-hashed before use when its stat data changed since it was
 * last hashed; a corrupt entry is dropped.
 *
 * All strings passed in are borrowed. Functions returning char * return a
 * malloc'd string the caller frees.
 */
#ifndef CPOLC_CACHE_H
#define CPOLC_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "diag.h"

struct cache_entry {
	char digest[72];  /* "sha256:HEX" of the blob */
	char diff_id[72]; /* "sha256:HEX" of the uncompressed layer */
	uint64_t size;	  /* blob bytes */
	char *blob;	  /* path of the blob in the cache (owned; cache_entry_release) */
};

void cache_entry_release(struct cache_entry *e);

/* $CPOLC_CACHE, else $XDG_CACHE_HOME/cpolc, else $HOME/.cache/cpolc; NULL
 * when none of them is set. */
char *cache_default_dir(void);

/* Create DIR and its subdirectories. 0 or -1 with an error in d. */
int cache_open(const char *dir, struct diag *d);

/* What stat says of a file, to tell later whether it may have changed:
 * "DEV:INO:SIZE:MTIME.NS". Writing to a file through any of its links
 * changes its mtime; the change time is left out, since linking a cached
 * blob into an output changes it. */
char *cache_stamp(const struct stat *st);

/* The directory for temporary files (same file system as the blobs). */
char *cache_tmpdir(const char *dir);

/* Look key up; the entry must record recipe. 1: found and its blob verified (e filled; the blob's mtime
 * is refreshed for LRU at most once a day); 0: missing or corrupt (a
 * corrupt entry is removed); -1: I/O error, in d. A blob is verified by
 * hashing it, unless its stat data (device, inode, size and mtime to the
 * nanosecond) still equal those recorded when it was last hashed: a write
 * to it changes its mtime, so only a changed blob is hashed again. */
int cache_lookup(const char *dir, const char *key, const char *recipe, struct cache_entry *e, struct diag *d);

/* Move the finished blob tmp_blob (in cache_tmpdir) into the cache under
 * e->digest and record key -> e, made of recipe. On success e->blob is set. tmp_blob is
 * consumed (renamed or removed) either way. 0 or -1 with an error in d. */
int cache_store(const char *dir, const char *key, const char *recipe, const char *tmp_blob,
		struct cache_entry *e, struct diag *d);

/* Remove least recently used blobs (oldest mtime first, then by name) until
 * the blobs total at most max_bytes, every entry whose blob is gone,
 * temporary files older than a day (left by killed builds), and the
 * collision check's memos (checks/, scans/), which builds make again. A blob pruned
 * while a build is linking it makes that build fail: prune between builds.
 * Returns the number of bytes freed, or -1 with an error in d. */
long long cache_prune(const char *dir, uint64_t max_bytes, struct diag *d);

/* One layer entry, as cache list shows it. */
struct cache_item {
	char key[65];
	char digest[72], diff_id[72];
	uint64_t size;	/* blob bytes */
	bool present;	/* the blob is in the cache */
	long long used; /* the blob's mtime, seconds since the epoch: its last
			 * use, to the day (cache_lookup refreshes it daily) */
};

/* Every well-formed layer entry of the cache, sorted by key, into *items
 * (caller frees). Directories are opened as cache_prune opens them. Returns
 * the count (0 for a cache that does not exist), or -1 with an error in d. */
long long cache_list(const char *dir, struct cache_item **items, struct diag *d);

#endif
