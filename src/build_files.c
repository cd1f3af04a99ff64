/* build_files.c - what cpolc writes into an image's top layer besides the
 * policy's `file` statements: /etc/passwd and /etc/group, account homes,
 * `directory` statements, /tmp and the workdir (doc/cpol.5, STATEMENTS).
 *
 * Accounts. When the policy declares accounts or groups, or names a user or
 * an owner (rather than giving numbers), the accounts the lower layers hold
 * are read first: the `from` image's /etc/passwd and /etc/group (its layers
 * stacked, whiteouts applied), then each selected primitive's, in the
 * decision's order; base-passwd ships its files as
 * /usr/share/base-passwd/{passwd,group}.master and makes /etc/passwd from
 * them in its maintainer script, so those stand in when no layer has an
 * /etc/passwd. The policy's accounts are added after them (src/accounts.c):
 * a clash is an error at the policy's statement. When the policy declares
 * any, the merged files are written with the `replaces` mark (they stand for
 * the lower layers' files, which the collision check would otherwise find
 * different).
 *
 * Everything generated is a function of the decision and of the content of
 * the lower layers, so a rebuild and `cpolc verify` make the same bytes.
 */
#include "config.h"

#include "build_int.h"
#include "maint.h"

#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "cat.h"
#include "util.h"

void gen_release(struct gen *g)
{
	for (size_t i = 0; i < g->nown; i++)
		free(g->own[i]);
	free(g->own);
	free(g->v);
	accounts_release(&g->acc);
	memset(g, 0, sizeof(*g));
}

static const char *keep(struct gen *g, char *s)
{
	xgrow((void **)&g->own, &g->capown, g->nown + 1, sizeof(*g->own));
	g->own[g->nown++] = s;
	return s;
}

static bool same_path(const char *a, const char *b)
{
	return !strcmp(a + (a[0] == '/'), b + (b[0] == '/'));
}

static bool gen_has(const struct gen *g, const char *path)
{
	for (size_t i = 0; i < g->n; i++)
		if (same_path(g->v[i].path, path))
			return true;
	return false;
}

static struct oci_file *gen_add(struct gen *g, const char *path, char type, unsigned mode)
{
	struct oci_file *f;

	xgrow((void **)&g->v, &g->cap, g->n + 1, sizeof(*g->v));
	f = &g->v[g->n++];
	*f = (struct oci_file){.path = path, .type = type, .mode = mode};
	return f;
}

/* "UID[:GID]" of a numeric user, else false. */
static bool numeric_user(const char *u)
{
	if (!u || *u < '0' || *u > '9')
		return false;
	while (*u >= '0' && *u <= '9')
		u++;
	if (*u == ':' && u[1] >= '0' && u[1] <= '9')
		for (u++; *u >= '0' && *u <= '9'; u++)
			;
	return *u == '\0';
}

/* Whether the image's accounts must be known: the policy declares some, or
 * names a user or an owner. */
static bool needs_accounts(const struct decision *dec)
{
	const char *user = json_string_value(json_object_get(dec->config, "User"));

	if (dec->accounts.nusers || dec->accounts.ngroups || (user && !numeric_user(user)))
		return true;
	for (size_t i = 0; i < dec->ndirs; i++)
		if (dec->dirs[i].owner && !numeric_user(dec->dirs[i].owner))
			return true;
	return false;
}

static int parse(struct accounts *acc, bool group, const char *text, size_t len, const char *origin,
		 struct diag *d)
{
	return (group ? accounts_parse_group : accounts_parse_passwd)(acc, text, len, origin, d) ? -1 : 0;
}

/* The accounts of the lower layers for one file ("etc/passwd" or
 * "etc/group"); *found tells whether any layer had it. */
static int lower_file(const struct decision *dec, const char *from, bool group, struct accounts *acc,
		      bool *found, struct diag *d)
{
	const char *path = group ? "etc/group" : "etc/passwd";
	char *data, *origin;
	size_t len;
	int rc = 0, r;

	if (from && (r = oci_from_file(from, dec->platform, path, ACCOUNTS_FILE_MAX, &data, &len, d)) != 0) {
		if (r < 0)
			return -1;
		origin = xasprintf("%s:/%s", from, path);
		rc |= parse(acc, group, data, len, origin, d);
		*found = true;
		free(origin);
		free(data);
	}
	for (size_t i = 0; i < dec->nselected; i++) {
		const struct cat_prim *p = dec->selected[i].prim;
		char *tar = cat_blob_path(p);
		r = oci_tar_file(tar, path, ACCOUNTS_FILE_MAX, &data, &len, d);
		free(tar);
		if (r < 0)
			return -1;
		if (!r)
			continue;
		origin = xasprintf("%s %s:/%s", p->name, p->version, path);
		rc |= parse(acc, group, data, len, origin, d);
		*found = true;
		free(origin);
		free(data);
	}
	return rc;
}

/* base-passwd's master files, when no layer has the file itself. */
static int base_passwd(const struct decision *dec, bool group, struct accounts *acc, struct diag *d)
{
	const char *path =
		group ? "usr/share/base-passwd/group.master" : "usr/share/base-passwd/passwd.master";

	for (size_t i = 0; i < dec->nselected; i++) {
		const struct cat_prim *p = dec->selected[i].prim;
		char *tar, *data, *origin;
		size_t len;
		int r, rc;
		if (strcmp(p->name, "base-passwd") != 0)
			continue;
		tar = cat_blob_path(p);
		r = oci_tar_file(tar, path, ACCOUNTS_FILE_MAX, &data, &len, d);
		free(tar);
		if (r <= 0)
			return r;
		origin = xasprintf("%s %s:/%s", p->name, p->version, path);
		rc = parse(acc, group, data, len, origin, d);
		free(origin);
		free(data);
		return rc;
	}
	return 0;
}

/* The lower layers' accounts, then the policy's; a declared account whose
 * gid no group has gets a group of its name. */
static int merge_accounts(const struct decision *dec, const char *from, struct accounts *acc, struct diag *d)
{
	int rc = 0;

	for (int group = 0; group < 2; group++) {
		bool found = false;
		if (lower_file(dec, from, group, acc, &found, d) < 0)
			rc = -1;
		else if (!found && base_passwd(dec, group, acc, d) < 0)
			rc = -1;
	}
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < dec->accounts.ngroups; i++)
		if (accounts_add_group(acc, &dec->accounts.groups[i], d) < 0)
			rc = -1;
	for (size_t i = 0; i < dec->accounts.nusers; i++)
		if (accounts_add_user(acc, &dec->accounts.users[i], d) < 0)
			rc = -1;
	for (size_t i = 0; rc == 0 && i < dec->accounts.nusers; i++) {
		const struct acct_user *u = &dec->accounts.users[i];
		struct acct_group g = {u->name, u->gid, NULL, u->at};
		if (!accounts_group_by_gid(acc, u->gid) && !accounts_group(acc, u->name) &&
		    accounts_add_group(acc, &g, d) < 0)
			rc = -1;
	}
	return rc;
}

/* Resolve a user or owner specification into *uid, *gid; -1 after
 * reporting one that names no account of the image. */
static int resolve(const struct accounts *acc, const char *spec, const char *at, const char *what,
		   unsigned *uid, unsigned *gid, struct diag *d)
{
	uint32_t u, g;
	const char *unknown;

	if (accounts_resolve(acc, spec, &u, &g, &unknown) < 0) {
		if (unknown == spec && !strchr(spec, ':'))
			diag_report_at(d, DIAG_ERROR, at, "account",
				       "%s '%s' is not an account of the image (declare it with 'account')",
				       what, spec);
		else
			diag_report_at(
				d, DIAG_ERROR, at, "account",
				"%s '%s' names %s '%.*s', which the image does not have (declare it with "
				"'%s')",
				what, spec, unknown == spec ? "user" : "group", (int)strcspn(unknown, ":"),
				unknown, unknown == spec ? "account" : "group");
		return -1;
	}
	*uid = u;
	*gid = g;
	return 0;
}

/* The config's User, when it names an account, becomes "UID:GID". */
static int resolve_user(struct decision *dec, const struct accounts *acc, struct diag *d)
{
	const char *user = json_string_value(json_object_get(dec->config, "User"));
	unsigned uid, gid;

	if (!user || numeric_user(user))
		return 0;
	if (resolve(acc, user, NULL, "the image's user", &uid, &gid, d) < 0)
		return -1;
	json_object_set_new(dec->config, "User", json_sprintf("%u:%u", uid, gid));
	return 0;
}

/* The merged account files and the declared accounts' homes. */
static void account_files(struct gen *g, const struct decision *dec)
{
	size_t len;
	struct oci_file *f;
	const char *text;

	text = keep(g, accounts_passwd_text(&g->acc, &len));
	f = gen_add(g, "/etc/passwd", 'f', 0644);
	f->data = text;
	f->len = len;
	f->replaces = true;
	text = keep(g, accounts_group_text(&g->acc, &len));
	f = gen_add(g, "/etc/group", 'f', 0644);
	f->data = text;
	f->len = len;
	f->replaces = true;
	for (size_t i = 0; i < dec->accounts.nusers; i++) {
		const struct acct_user *u = accounts_user(&g->acc, dec->accounts.users[i].name);
		const char *home = accounts_home(u);
		if (!strcmp(home, "/") || !strcmp(home, "/nonexistent") || gen_has(g, home))
			continue;
		f = gen_add(g, home, 'd', 0755);
		f->uid = u->uid;
		f->gid = u->gid;
	}
}

int gen_plan(struct gen *g, struct decision *dec, const char *from, bool has_base, const struct gen_extra *x,
	     struct diag *d)
{
	const char *wd = json_string_value(json_object_get(dec->config, "WorkingDir"));
	const char *user;
	bool scripted = x && x->maint && x->maint->naccounts, accounts = needs_accounts(dec) || scripted;
	int rc = 0;

	memset(g, 0, sizeof(*g));
	accounts_init(&g->acc);
	for (size_t i = 0; i < dec->nfiles; i++) {
		struct oci_file *f = gen_add(g, dec->files[i].path, 'f', dec->files[i].mode);
		f->data = dec->files[i].data;
		f->len = dec->files[i].len;
	}
	if (accounts &&
	    (merge_accounts(dec, from, &g->acc, d) < 0 ||
	     (scripted && maint_accounts(x->maint, &g->acc, d) < 0) || resolve_user(dec, &g->acc, d) < 0))
		return -1;
	user = json_string_value(json_object_get(dec->config, "User"));
	/* the policy's directories come before what cpolc adds on its own */
	for (size_t i = 0; i < dec->ndirs; i++) {
		const struct dec_dir *dd = &dec->dirs[i];
		struct oci_file *f;
		if (gen_has(g, dd->path))
			continue; /* a file statement there: the collision check reports it */
		f = gen_add(g, dd->path, 'd', dd->mode);
		if (dd->owner && resolve(&g->acc, dd->owner, dd->at, "the owner", &f->uid, &f->gid, d) < 0)
			rc = -1;
	}
	if (dec->accounts.nusers || dec->accounts.ngroups || scripted)
		account_files(g, dec);
	if (!has_base && !dec->from && !gen_has(g, "/tmp"))
		gen_add(g, "/tmp", 'd', 01777);
	if (wd && wd[0] == '/' && wd[1] && !gen_has(g, wd) && !same_path(wd, "/tmp")) {
		struct oci_file *f = gen_add(g, wd, 'd', 0755);
		if (user && resolve(&g->acc, user, NULL, "the image's user", &f->uid, &f->gid, d) < 0)
			rc = -1;
	}
	for (size_t i = 0; x && i < x->nfiles; i++) /* the package database, the scripts' products */
		if (!gen_has(g, x->files[i].path))
			*gen_add(g, x->files[i].path, 'f', 0) = x->files[i];
	return rc;
}
