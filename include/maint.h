/* maint.h - what the maintainer scripts of the selected packages would have
 * made, reproduced without running any script, and what they would have
 * done that is not.
 *
 * The scripts are the package data's (cat_prim_debinfo). Only what runs
 * when a package is installed counts: preinst (for "install") and postinst
 * (for "configure"); the branches of if, case, && and || that a first
 * install cannot take ($2 is empty; see maint.c, "values and conditions")
 * are passed over. Each command line is classified
 * (maint_classify), conservatively: a command is either
 *
 *   reproduced   update-alternatives --install (the links, in auto mode: the
 *                highest priority of the selected set wins), adduser
 *                --system / addgroup --system / useradd -r / groupadd -r
 *                (the accounts, for the account set: maint_accounts),
 *                update-ca-certificates (the CA bundle: maint_cabundle);
 *   moot         what has no effect on the files of a new image: shell
 *                structure and builtins that only test or set variables,
 *                service managers (deb-systemd-helper, deb-systemd-invoke,
 *                invoke-rc.d, update-rc.d, systemctl), dpkg-maintscript-helper
 *                and dpkg --compare-versions (upgrades), dpkg's queries,
 *                debconf's questions (db_*, its confmodule), ldconfig (the
 *                dynamic linker's own paths serve without a cache),
 *                dpkg-trigger and update-alternatives --remove;
 *   not reproduced   everything else, reported per package (maint_report,
 *                rule "maint-script") with the commands' names.
 *
 * The files are generated like the policy's: /etc/alternatives/NAME and
 * the links, the CA bundle /etc/ssl/certs/ca-certificates.crt, its
 * /etc/ssl/certs/NAME.pem links and the HASH.N links OpenSSL's CApath
 * reads, and /etc/ca-certificates.conf when no selected package ships one.
 * Every pointer in the files is owned by the struct maint; the same set
 * gives the same bytes.
 */
#ifndef CPOLC_MAINT_H
#define CPOLC_MAINT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cat.h"
#include "diag.h"
#include "oci.h"
#include "util.h"

/* A system account a script creates. */
struct maint_account {
	char *pkg;		    /* the package whose script creates it */
	char *name;		    /* user, or group when group_only */
	char *group;		    /* the user's primary group (--group, --ingroup, -g), or NULL */
	char *home, *shell;	    /* or NULL: adduser's defaults */
	bool group_only, own_group; /* addgroup; adduser --group */
};

/* A package's commands that are not reproduced. */
struct maint_warning {
	char *pkg;
	char *commands; /* "cmd1, cmd2", each once, in order of appearance */
};

struct maint {
	struct oci_file *files;
	size_t nfiles, capfiles;
	struct strvec strs; /* what the files point to */
	struct maint_account *accounts;
	size_t naccounts, capaccounts;
	struct maint_warning *warnings;
	size_t nwarnings, capwarnings;
	struct maint_alt *alts; /* update-alternatives --install lines */
	size_t nalts, capalts;
	bool ca; /* a selected package runs update-ca-certificates */
};

void maint_init(struct maint *m);
void maint_release(struct maint *m);

enum maint_class { MAINT_MOOT, MAINT_REPRODUCED, MAINT_NOT_REPRODUCED };

/* The class of one simple command (words[0..n), unquoted). */
enum maint_class maint_classify(char *const *words, size_t n);

/* Read the scripts of v[0..n) (package data info[0..n), NULL for none):
 * alternatives, accounts and warnings; the alternatives' links are added
 * to the files for the targets some selected package holds. */
void maint_scan(struct maint *m, const struct cat_prim *const *v, json_t *const *info, size_t n);

/* When a scanned script runs update-ca-certificates: the CA bundle and
 * its links, from the certificates of the selected primitives' content
 * (read from their catalog tars). 0, or -1 after reporting. */
int maint_cabundle(struct maint *m, const struct cat_prim *const *v, json_t *const *info, size_t n,
		   struct diag *d);

/* Add a generated symlink path -> target, or a file path (mode 0644)
 * holding text (taken). */
void maint_link(struct maint *m, const char *path, const char *target);
void maint_file(struct maint *m, const char *path, char *text);

/* Add the system accounts the scripts create to acc, as adduser --system
 * would (after the policy's): a user or group that exists is left as it
 * is; a new one takes the lowest free id in 100..999; a user without a
 * group of its own is in nogroup (65534, created when absent); home and
 * shell default as accounts_add_user says. 0, or -1 after reporting. */
struct accounts;
int maint_accounts(const struct maint *m, struct accounts *acc, struct diag *d);

/* The warnings as diagnostics (rule "maint-script"). */
void maint_report(const struct maint *m, struct diag *d);

#endif
