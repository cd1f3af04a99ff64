/* cat.h - primitive catalogs: content-addressed, append-only directories.
 *
 * The catalog helper extends this header; the fields below are the contract
 * other modules rely on.
 */
#ifndef CPOLC_CAT_H
#define CPOLC_CAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "diag.h"

struct catalog;

/* One version of one primitive, as loaded from primitives/NAME/VERSION.json.
 * Owned by its catalog set. */
struct cat_prim {
	char *name;
	char *version;
	char *kind;          /* "executable" "library" "config" "data" "base" */
	char *digest;        /* "sha256:HEX" of the content tar */
	char *meta_digest;   /* "sha256:HEX" of the metadata file's bytes */
	char *meta_path;     /* path of VERSION.json */
	uint64_t size;       /* bytes of file content */
	char *os, *arch;     /* NULL when the primitive fits every platform */
	json_t *meta;        /* the whole metadata object */
	const struct catalog *cat;
};

/* The record of p that admit filters and `selected` see (LANGUAGE.md 6):
 * a jansson object with name, version, kind, digest, size, os, arch,
 * license, depends, provides, scan {critical, high, medium, low, cves},
 * resources, labels; a field the entry lacks is null. Borrowed: owned by
 * p, valid while p lives. */
json_t *cat_prim_record(const struct cat_prim *p);

#endif
