/* fetch_int.h - what fetch.c and fetch_http.c share; not a public interface. */
#ifndef CPOLC_FETCH_INT_H
#define CPOLC_FETCH_INT_H

#include "fetch.h"

/* Set it's error (and status -1). */
void fetch_fail(struct fetch_item *it, bool missing, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Check the size of a complete PATH.part (part) and rename it to PATH.
 * Returns 0, or -1 with it's error set (part removed). */
int fetch_finish(struct fetch_item *it, const char *part);

/* Progress so far, passed on to the caller's callback. */
struct fetch_http_progress {
	fetch_progress_fn fn;
	void *ctx;
	uint64_t bytes, total;
	size_t files, total_files;
};

/* Fetch the http(s) items, parallel at once. Returns how many failed. */
size_t fetch_http_many(struct fetch_item **v, size_t n, unsigned parallel, struct fetch_http_progress *p);

#endif
