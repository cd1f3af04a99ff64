/* fetch.h - fetching URLs into files.
 *
 * file:// URLs are read directly (file:///abs/path or file:/abs/path, with
 * %XX escapes); http:// and https:// go through libcurl, opened on first
 * use (src/dynlib.c). A fetch writes to PATH.part and renames it to PATH
 * when complete; with resume, a PATH.part left by an interrupted fetch is
 * continued (an HTTP range request) instead of started over. Sizes are
 * bounded: by the expected size when it is known, else by max.
 *
 * Library code: nothing is printed; fetch_many reports progress to a
 * callback the caller may give.
 */
#ifndef CPOLC_FETCH_H
#define CPOLC_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fetch_item {
	const char *url;  /* borrowed */
	const char *path; /* where the file goes (borrowed) */
	uint64_t size;	  /* the size it must have, or 0 when unknown */
	uint64_t max;	  /* the most it may have when size is 0 */
	bool resume;	  /* continue PATH.part if there is one */
	bool have;	  /* PATH is there already: fetch nothing, only the hooks run */
	/* results */
	int status;    /* 0 fetched, -1 failed (error says why) */
	bool missing;  /* it failed because the server has no such file */
	char *error;   /* owned; NULL on success */
	uint64_t done; /* bytes of the file now */
};

/* Progress: bytes and files done of the totals (totals count files of
 * known size only). */
typedef void (*fetch_progress_fn)(void *ctx, uint64_t bytes, uint64_t total_bytes, size_t files,
				  size_t total_files);

/* Called for item i once it is fetched or failed. */
typedef void (*fetch_done_fn)(void *ctx, size_t i);

/* What to do with the files, besides the progress. work (may be NULL)
 * runs in the fetching thread right after item i was fetched (not when it
 * failed), so that work on one file overlaps the fetch of the next: it
 * must touch only what belongs to item i. done (may be NULL) runs in the
 * caller's thread for i = 0, 1, ... in order, after work, while later
 * items are still being fetched. */
struct fetch_hooks {
	fetch_progress_fn progress;
	void *progress_ctx;
	fetch_done_fn work, done;
	void *ctx;
};

/* Fetch every item, at most parallel at once (at least 1) by threads of
 * their own; progress runs in those threads, one at a time. Each item gets
 * its status; returns the number that failed. */
size_t fetch_many(struct fetch_item *v, size_t n, unsigned parallel, const struct fetch_hooks *hooks);
/* One item. Returns its status. */
int fetch_one(struct fetch_item *it);
void fetch_item_release(struct fetch_item *it);

/* Is url one fetch_many takes (file, http or https)? */
bool fetch_supported(const char *url);

#endif
