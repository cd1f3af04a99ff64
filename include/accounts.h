/* accounts.h - the image's users and groups: /etc/passwd and /etc/group.
 *
 * An account set gathers users and groups from every source that has a say
 * in an image: the /etc/passwd and /etc/group a primitive or the `from`
 * image ships (accounts_parse_passwd, accounts_parse_group), the policy's
 * `account` and `group` statements, and the system users and groups a
 * package's maintainer scripts would have created (accounts_add_user and
 * accounts_add_group with that package as the source). Sources are added
 * in that order, so a clash is reported at the later one, which is where a
 * policy author can fix it.
 *
 * Two entries clash when they share a name but not an id, or an id but not
 * a name: a located error (rule 'account-clash') at the later entry's `at`,
 * naming the earlier. An entry with the same name and id as an earlier one
 * replaces the other fields it gives (a policy's home or shell wins over a
 * primitive's; one it leaves out stays the primitive's), keeping its place.
 *
 * The files written (accounts_passwd_text, accounts_group_text) list the
 * entries sorted by id, then name, one "name:x:uid:gid:gecos:home:shell"
 * (passwd) or "name:x:gid:members" (group) line each: the same set gives
 * the same bytes whatever the order it was added in. No /etc/shadow is
 * written: the password field of a declared account is "x" and no shadow
 * entry exists, so no password can log in as it.
 *
 * Bounds: ACCOUNTS_MAX users and as many groups, ACCOUNTS_FILE_MAX bytes
 * per parsed file, names of ACCOUNTS_NAME_MAX bytes at most; lookups are
 * linear, so a set costs at most ACCOUNTS_MAX^2 comparisons to build.
 */
#ifndef CPOLC_ACCOUNTS_H
#define CPOLC_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define ACCOUNTS_MAX	  4096
#define ACCOUNTS_FILE_MAX (1u << 20)
#define ACCOUNTS_NAME_MAX 32
#define ACCOUNTS_ID_MAX	  4294967294u /* (uid_t)-1 means "no change" to chown(2) */

struct acct_user {
	char *name;
	uint32_t uid, gid;
	/* NULL: not given, the default (accounts_add_user) */
	char *passwd; /* the second field */
	char *gecos;
	char *home;  /* accounts_home() */
	char *shell; /* accounts_shell() */
	char *at;    /* where it was declared: "FILE:LINE:COL" of a statement, or a
		      * description such as "'/etc/passwd' of base-passwd 3.6.1" */
};

struct acct_group {
	char *name;
	uint32_t gid;
	char *members; /* comma-separated user names, "" when none */
	char *at;
};

struct accounts {
	struct acct_user *users; /* owned, in the order added */
	size_t nusers, capusers;
	struct acct_group *groups;
	size_t ngroups, capgroups;
};

void accounts_init(struct accounts *a);
void accounts_release(struct accounts *a);

/* A user or group name fit for the files and for `useradd`: 1 to
 * ACCOUNTS_NAME_MAX bytes of [A-Za-z0-9._-], not starting with '-', and
 * not all digits (a runtime would read it as a uid). */
bool accounts_valid_name(const char *name);
/* A home directory or shell: an absolute path without ':' or control
 * characters. */
bool accounts_valid_path(const char *path);

/* Add a user (u's strings are copied; a NULL passwd, gecos, home or shell
 * means "x", "", "/nonexistent" and "/usr/sbin/nologin", Debian's for a
 * system user, unless an entry of the same name and uid has it). Returns 1
 * when added, 0 when it updated an entry of the same name and uid, -1
 * after reporting an invalid field or a clash at u->at. */
int accounts_add_user(struct accounts *a, const struct acct_user *u, struct diag *d);
/* The same for a group (NULL members: none, or those of the entry of the
 * same name and gid). */
int accounts_add_group(struct accounts *a, const struct acct_group *g, struct diag *d);

/* Add every line of an /etc/passwd (or /etc/group) text, origin naming it
 * in messages and in each entry's `at` (with the line number). A malformed
 * line is an error at origin:LINE; a clash is reported as above. Returns
 * the number of errors, 0 when all went in. */
int accounts_parse_passwd(struct accounts *a, const char *text, size_t len, const char *origin,
			  struct diag *d);
int accounts_parse_group(struct accounts *a, const char *text, size_t len, const char *origin,
			 struct diag *d);

/* A user's home and shell, defaults applied. */
const char *accounts_home(const struct acct_user *u);
const char *accounts_shell(const struct acct_user *u);

/* Lookups; BORROWED results (owned by the set), NULL when absent. */
const struct acct_user *accounts_user(const struct accounts *a, const char *name);
const struct acct_user *accounts_user_by_uid(const struct accounts *a, uint32_t uid);
const struct acct_group *accounts_group(const struct accounts *a, const char *name);
const struct acct_group *accounts_group_by_gid(const struct accounts *a, uint32_t gid);

/* The lowest id in [lo, hi] that no user (accounts_free_uid) or group
 * (accounts_free_gid) has, as adduser --system picks one; false when all
 * are taken. */
bool accounts_free_uid(const struct accounts *a, uint32_t lo, uint32_t hi, uint32_t *out);
bool accounts_free_gid(const struct accounts *a, uint32_t lo, uint32_t hi, uint32_t *out);

/* Resolve a user specification as the OCI config's User has it: "USER" or
 * "USER:GROUP", each a name or a number. A user named without a group gets
 * its primary group; a number without a group gets the group of its
 * account, else 0. "root" is 0 (user and group) when no entry has it, as
 * every runtime takes it. Returns 0 and the ids, or -1 with *unknown pointing
 * into spec at the name that no entry has (the rest of spec follows it). */
int accounts_resolve(const struct accounts *a, const char *spec, uint32_t *uid, uint32_t *gid,
		     const char **unknown);

/* The text of /etc/passwd and /etc/group for the set (see above); caller
 * frees; *len receives the length. */
char *accounts_passwd_text(const struct accounts *a, size_t *len);
char *accounts_group_text(const struct accounts *a, size_t *len);

#endif
