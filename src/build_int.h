/* build_int.h - what src/build.c and src/build_files.c share; not an
 * interface. */
#ifndef CPOLC_BUILD_INT_H
#define CPOLC_BUILD_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "accounts.h"
#include "decision.h"
#include "diag.h"
#include "oci.h"

/* The generated entries of the image's top layer (src/build_files.c). */
struct gen {
	struct oci_file *v; /* paths and data borrowed from the decision, acc and own */
	size_t n, cap;
	char **own; /* texts made here */
	size_t nown, capown;
	struct accounts acc; /* the image's accounts, when they had to be known */
};

struct maint;

/* What else the top layer gets, from src/build.c: files (those at a path
 * the policy writes itself are left out), and the system accounts that
 * maintainer scripts create (maint.h), added after the policy's. */
struct gen_extra {
	const struct oci_file *files;
	size_t nfiles;
	const struct maint *maint; /* or NULL */
};

/* Plan the top layer of dec's image: its files, then its accounts (merged
 * with those of the `from` image at from, "DIR[:TAG]" or NULL, and of the
 * selected primitives), directories, /tmp (unless has_base or a `from`
 * image) and workdir. A config User that names an account becomes
 * "UID:GID". 0, or -1 after reporting (a clash, an unknown name, an
 * unreadable layer); g is to be released either way. */
int gen_plan(struct gen *g, struct decision *dec, const char *from, bool has_base, const struct gen_extra *x,
	     struct diag *d);
void gen_release(struct gen *g);

#endif
