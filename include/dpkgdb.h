/* dpkgdb.h - the package database of an image, as files: what dpkg and
 * the scanners (Trivy, Grype, Syft) read to know what is installed.
 *
 * For each selected primitive imported from a .deb (one with package data,
 * cat_prim_debinfo), dpkgdb_plan adds
 *
 *   /var/lib/dpkg/status.d/NAME          its control stanza, "Package" first
 *                                        then "Status: install ok installed"
 *   /var/lib/dpkg/status.d/NAME.md5sums  its md5sums file, when it has one
 *
 * (the layout distroless images use), and when dpkg itself is selected
 *
 *   /var/lib/dpkg/status                 every stanza, sorted by name, one
 *                                        blank line between
 *   /var/lib/dpkg/info/NAME.list         its file list ("/." first)
 *   /var/lib/dpkg/info/NAME.md5sums      its md5sums file
 *
 * so that dpkg -l works inside the image. Nothing depends on the order of
 * the input: the same set gives the same bytes. Every pointer in the
 * files is owned by the struct dpkgdb.
 */
#ifndef CPOLC_DPKGDB_H
#define CPOLC_DPKGDB_H

#include <stddef.h>

#include <jansson.h>

#include "cat.h"
#include "oci.h"
#include "util.h"

struct dpkgdb {
	struct oci_file *files;
	size_t nfiles, capfiles;
	struct strvec strs; /* the paths and contents the files point to */
	size_t npkgs;	    /* packages with a status stanza */
};

void dpkgdb_init(struct dpkgdb *db);
void dpkgdb_release(struct dpkgdb *db);

/* The status stanza of a control text: its first paragraph with any
 * Status field dropped, "Package" first and "Status: install ok
 * installed" second, ending in one newline; NULL when it has no Package
 * field. Caller frees. */
char *dpkgdb_stanza(const char *control);

/* Add the database files of v[0..n), whose package data objects (NULL for
 * a primitive without) are info[0..n). */
void dpkgdb_plan(struct dpkgdb *db, const struct cat_prim *const *v, json_t *const *info, size_t n);

#endif
