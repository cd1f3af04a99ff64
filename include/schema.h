/* schema.h - input schemas: the declared shape of a policy's request.
 *
 *     input {
 *       env: "dev" | "staging" | "prod";
 *       version: version = "0.0.0";
 *       roles: [string] = [];
 *       replicas: int?;
 *     }
 *
 * sema checks the declaration (schema_check_decl) and the compiler keeps it
 * with the program in a JSON form (schema_from_ast):
 *
 *   type  {"t": "string" | "int" | "bool" | "version"}
 *         {"t": "list", "of": TYPE}
 *         {"t": "record", "fields": {NAME: FIELD, ...}}
 *         {"t": "enum", "values": [literal, ...]}
 *   field {"type": TYPE, "optional": true?, "default": JSON?}
 *
 * eval, build and test convert -D strings per the declared type, then
 * validate the request (schema_validate): every mismatch is reported with
 * the request's name and the key's path, and the defaults are filled in.
 */
#ifndef CPOLC_SCHEMA_H
#define CPOLC_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ast.h"
#include "diag.h"

/* Report what is wrong with declaration n (an AST_SCHEMA): unknown type
 * names (with a "did you mean"), fields given twice, defaults that are not
 * literals or do not have the field's type. Returns the number of errors. */
int schema_check_decl(const struct ast *n, struct diag *d);

/* The JSON form of a checked declaration (a new reference). */
json_t *schema_from_ast(const struct ast *n);

/* Is s a schema of the JSON form above (a record type at the top, types
 * nested at most 64 deep)? A .cpolb module's schema is checked with it. */
bool schema_well_formed(const json_t *s);

/* The field declared for name in a record type of the AST form (its
 * AST_SFIELD), or NULL; with suggest, a close declared name or NULL. */
const struct ast *schema_field(const struct ast *record_fields_owner, const char *name, const char **suggest);

/* Convert the values that `-D K=V` set as strings (defs, "K=V" or
 * "K:=JSON") to the type declared for K: an int or a bool. A value that
 * does not convert is left for schema_validate to report. */
void schema_convert_defs(const json_t *schema, json_t *request, char *const *defs, size_t ndefs);

/* Fill in the defaults of missing fields, then report every mismatch of
 * request with schema, naming `what` (the request file, or "the request")
 * and the key path. Returns the number of mismatches. */
int schema_validate(const json_t *schema, json_t *request, const char *what, struct diag *d);

#endif
