/* fetch_int.h - what fetch.c and fetch_http.c share; not a public interface. */
#ifndef CPOLC_FETCH_INT_H
#define CPOLC_FETCH_INT_H

#include "fetch.h"

struct fetch_pool;

/* Set it's error (and status -1). */
void fetch_fail(struct fetch_item *it, bool missing, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Check the size of a complete PATH.part (part) and rename it to PATH.
 * Returns 0, or -1 with it's error set (part removed). */
int fetch_finish(struct fetch_item *it, const char *part);
/* Count bytes received for the progress (pool may be NULL). */
void fetch_count(struct fetch_pool *pool, uint64_t bytes);

/* Fetch one http(s) item with the calling thread's handle *curl (made on
 * first use; free with fetch_http_end). Returns its status. */
int fetch_http(void **curl, struct fetch_pool *pool, struct fetch_item *it);
void fetch_http_end(void *curl);

#endif
