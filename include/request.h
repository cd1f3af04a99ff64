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

/* Apply one definition to req: "a.b.c=text" sets a string, "a.b:=JSON" a
 * JSON value; dotted keys create nested objects. A path through a value
 * that is not an object is an error. Returns 0 or -1 after reporting. */
int request_define(json_t *req, const char *def, struct diag *d);

#endif
