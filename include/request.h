/* request.h - the deployment request: a JSON object from a file or stdin,
 * merged with -D definitions (doc/DESIGN.md, "The request").
 */
#ifndef CPOLC_REQUEST_H
#define CPOLC_REQUEST_H

#include <stddef.h>

#include <jansson.h>

#include "diag.h"

/* Read the request from path ("-": stdin; NULL: start from {}), then apply
 * each definition of defs in order (see request_define). Returns a new
 * object (caller decrefs), or NULL after reporting: unreadable file,
 * malformed JSON at FILE:LINE:COL, a request that is not an object, a bad
 * definition. */
json_t *request_load(const char *path, char *const *defs, size_t ndefs, struct diag *d);

/* Bounds on a request, wherever it comes from (a file, stdin, -D, a lock):
 * its JSON text at most REQUEST_MAX_BYTES, containers nested at most
 * REQUEST_MAX_DEPTH deep (a -D key of at most that many components). */
#define REQUEST_MAX_BYTES ((size_t)16 << 20)
#define REQUEST_MAX_DEPTH 64

/* Check req against the bounds and for reals (the language has only
 * integers); name says where it came from in messages. 0 or -1 after
 * reporting. */
int request_check(const json_t *req, const char *name, struct diag *d);

/* Apply one definition to req: "a.b.c=text" sets a string, "a.b:=JSON" a
 * JSON value; dotted keys create nested objects. A path through a value
 * that is not an object is an error. Returns 0 or -1 after reporting. */
int request_define(json_t *req, const char *def, struct diag *d);

#endif
