/* accounts.c - the image's users and groups (include/accounts.h). */
#include "config.h"

#include "accounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void accounts_init(struct accounts *a)
{
	memset(a, 0, sizeof(*a));
}

static void user_release(struct acct_user *u)
{
	free(u->name);
	free(u->passwd);
	free(u->gecos);
	free(u->home);
	free(u->shell);
	free(u->at);
}

static void group_release(struct acct_group *g)
{
	free(g->name);
	free(g->members);
	free(g->at);
}

void accounts_release(struct accounts *a)
{
	for (size_t i = 0; i < a->nusers; i++)
		user_release(&a->users[i]);
	for (size_t i = 0; i < a->ngroups; i++)
		group_release(&a->groups[i]);
	free(a->users);
	free(a->groups);
	memset(a, 0, sizeof(*a));
}

bool accounts_valid_name(const char *name)
{
	size_t n = 0;
	bool digits = true;

	if (!name || !*name || *name == '-')
		return false;
	for (; name[n]; n++) {
		char c = name[n];
		if (n >= ACCOUNTS_NAME_MAX)
			return false;
		if (c >= '0' && c <= '9')
			continue;
		digits = false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return !digits;
}

/* No ':' (the field separator), no control characters (a newline would
 * forge a line); members may hold ','. */
static bool valid_field(const char *s, size_t max)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (n >= max || s[n] == ':' || (unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			return false;
	return true;
}

bool accounts_valid_path(const char *path)
{
	return path && path[0] == '/' && valid_field(path, 4096);
}

const struct acct_user *accounts_user(const struct accounts *a, const char *name)
{
	for (size_t i = 0; i < a->nusers; i++)
		if (!strcmp(a->users[i].name, name))
			return &a->users[i];
	return NULL;
}

const struct acct_user *accounts_user_by_uid(const struct accounts *a, uint32_t uid)
{
	for (size_t i = 0; i < a->nusers; i++)
		if (a->users[i].uid == uid)
			return &a->users[i];
	return NULL;
}

const struct acct_group *accounts_group(const struct accounts *a, const char *name)
{
	for (size_t i = 0; i < a->ngroups; i++)
		if (!strcmp(a->groups[i].name, name))
			return &a->groups[i];
	return NULL;
}

const struct acct_group *accounts_group_by_gid(const struct accounts *a, uint32_t gid)
{
	for (size_t i = 0; i < a->ngroups; i++)
		if (a->groups[i].gid == gid)
			return &a->groups[i];
	return NULL;
}

static const char *dflt(const char *s, const char *def)
{
	return s ? s : def;
}

static int bad_field(struct diag *d, const char *at, const char *what, const char *name, const char *value)
{
	diag_report_at(d, DIAG_ERROR, at, "account", "%s of '%.64s' is not valid: '%.64s'", what, name,
		       value);
	return -1;
}

static int check_user(const struct acct_user *u, struct diag *d)
{
	if (!accounts_valid_name(u->name)) {
		diag_report_at(d, DIAG_ERROR, u->at, "account",
			       "'%.64s' is not a valid account name (1 to %d of A-Z a-z 0-9 . _ -, not all "
			       "digits, not starting with '-')",
			       u->name ? u->name : "", ACCOUNTS_NAME_MAX);
		return -1;
	}
	if (u->uid > ACCOUNTS_ID_MAX || u->gid > ACCOUNTS_ID_MAX)
		return bad_field(d, u->at, "the uid or gid", u->name, "4294967295");
	if (u->home && !accounts_valid_path(u->home))
		return bad_field(d, u->at, "the home directory", u->name, u->home);
	if (u->shell && !accounts_valid_path(u->shell))
		return bad_field(d, u->at, "the shell", u->name, u->shell);
	if (u->passwd && !valid_field(u->passwd, 4096))
		return bad_field(d, u->at, "the password field", u->name, "...");
	if (u->gecos && !valid_field(u->gecos, 4096))
		return bad_field(d, u->at, "the comment", u->name, u->gecos);
	return 0;
}

static void set(char **dst, const char *s)
{
	if (!s)
		return;
	free(*dst);
	*dst = xstrdup(s);
}

/* Copy u's fields into dst; a NULL string field keeps dst's (none for a
 * new entry: the default). */
static void user_fill(struct acct_user *dst, const struct acct_user *u)
{
	set(&dst->name, u->name);
	dst->uid = u->uid;
	dst->gid = u->gid;
	set(&dst->passwd, u->passwd);
	set(&dst->gecos, u->gecos);
	set(&dst->home, u->home);
	set(&dst->shell, u->shell);
	set(&dst->at, u->at);
}

const char *accounts_home(const struct acct_user *u)
{
	return dflt(u->home, "/nonexistent");
}

const char *accounts_shell(const struct acct_user *u)
{
	return dflt(u->shell, "/usr/sbin/nologin");
}

static int clash(struct diag *d, const char *at, const char *kind, const char *name, const char *idname,
		 uint32_t id, const char *oname, uint32_t oid, const char *oat)
{
	if (strcmp(name, oname) != 0)
		diag_report_at(d, DIAG_ERROR, at, "account-clash",
			       "%s '%s' has %s %u, which %s '%s' already has (at %s)", kind, name, idname, id,
			       kind, oname, oat ? oat : "?");
	else
		diag_report_at(d, DIAG_ERROR, at, "account-clash", "%s '%s' has %s %u here but %u at %s",
			       kind, name, idname, id, oid, oat ? oat : "?");
	return -1;
}

int accounts_add_user(struct accounts *a, const struct acct_user *u, struct diag *d)
{
	const struct acct_user *by_name, *by_id;
	struct acct_user *dst;

	if (check_user(u, d) < 0)
		return -1;
	by_name = accounts_user(a, u->name);
	by_id = accounts_user_by_uid(a, u->uid);
	if (by_name && by_name->uid != u->uid)
		return clash(d, u->at, "user", u->name, "uid", u->uid, by_name->name, by_name->uid,
			     by_name->at);
	if (!by_name && by_id)
		return clash(d, u->at, "user", u->name, "uid", u->uid, by_id->name, by_id->uid, by_id->at);
	if (by_name) {
		user_fill(&a->users[by_name - a->users], u);
		return 0;
	}
	if (a->nusers >= ACCOUNTS_MAX) {
		diag_report_at(d, DIAG_ERROR, u->at, "account", "more than %d users", ACCOUNTS_MAX);
		return -1;
	}
	xgrow((void **)&a->users, &a->capusers, a->nusers + 1, sizeof(*a->users));
	dst = &a->users[a->nusers++];
	memset(dst, 0, sizeof(*dst));
	user_fill(dst, u);
	return 1;
}

int accounts_add_group(struct accounts *a, const struct acct_group *g, struct diag *d)
{
	const struct acct_group *by_name, *by_id;
	struct acct_group *dst;

	if (!accounts_valid_name(g->name)) {
		diag_report_at(d, DIAG_ERROR, g->at, "account", "'%.64s' is not a valid group name",
			       g->name ? g->name : "");
		return -1;
	}
	if (g->gid > ACCOUNTS_ID_MAX)
		return bad_field(d, g->at, "the gid", g->name, "4294967295");
	if (g->members && !valid_field(g->members, 65536))
		return bad_field(d, g->at, "the members", g->name, g->members);
	by_name = accounts_group(a, g->name);
	by_id = accounts_group_by_gid(a, g->gid);
	if (by_name && by_name->gid != g->gid)
		return clash(d, g->at, "group", g->name, "gid", g->gid, by_name->name, by_name->gid,
			     by_name->at);
	if (!by_name && by_id)
		return clash(d, g->at, "group", g->name, "gid", g->gid, by_id->name, by_id->gid, by_id->at);
	if (by_name) {
		dst = &a->groups[by_name - a->groups];
	} else if (a->ngroups >= ACCOUNTS_MAX) {
		diag_report_at(d, DIAG_ERROR, g->at, "account", "more than %d groups", ACCOUNTS_MAX);
		return -1;
	} else {
		xgrow((void **)&a->groups, &a->capgroups, a->ngroups + 1, sizeof(*a->groups));
		dst = &a->groups[a->ngroups++];
		memset(dst, 0, sizeof(*dst));
		dst->members = xstrdup("");
	}
	set(&dst->name, g->name);
	dst->gid = g->gid;
	set(&dst->members, g->members);
	set(&dst->at, g->at);
	return by_name ? 0 : 1;
}

/* ---- parsing the files ---------------------------------------------------- */

/* Split line (NUL-terminated, modified) at ':' into exactly n fields. */
static bool split(char *line, char **f, size_t n)
{
	size_t k = 0;

	f[k++] = line;
	for (char *p = line; *p; p++) {
		if (*p != ':')
			continue;
		if (k == n)
			return false;
		*p = '\0';
		f[k++] = p + 1;
	}
	return k == n;
}

static bool parse_id(const char *s, uint32_t *out)
{
	unsigned long long v = 0;

	if (!*s || strlen(s) > 10)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > ACCOUNTS_ID_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Call one(a, fields, at, d) for each line of text with n fields; blank
 * lines and NIS "+"/"-" lines (which name no entry) are skipped. */
static int parse_lines(struct accounts *a, const char *text, size_t len, const char *origin, size_t n,
		       int (*one)(struct accounts *, char **, const char *, struct diag *), struct diag *d)
{
	char *buf, *line, *next, *f[7];
	unsigned lineno = 0;
	int errors = 0;

	if (len > ACCOUNTS_FILE_MAX) {
		diag_file_error(d, origin, 0, 0, "account", "'%s' is larger than %u bytes", origin,
				ACCOUNTS_FILE_MAX);
		return 1;
	}
	if (memchr(text, '\0', len)) {
		diag_file_error(d, origin, 0, 0, "account", "'%s' holds a NUL byte", origin);
		return 1;
	}
	buf = xstrndup(text, len);
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (!*line || *line == '+' || *line == '-')
			continue;
		if (!split(line, f, n)) {
			diag_file_error(d, origin, lineno, 0, "account", "not %zu fields separated by ':'",
					n);
			errors++;
			continue;
		}
		char *at = xasprintf("%s:%u", origin, lineno);
		errors += one(a, f, at, d) < 0;
		free(at);
	}
	free(buf);
	return errors;
}

static int one_user(struct accounts *a, char **f, const char *at, struct diag *d)
{
	struct acct_user u = {f[0], 0, 0, f[1], f[4], f[5], f[6], (char *)at};

	if (!parse_id(f[2], &u.uid) || !parse_id(f[3], &u.gid)) {
		diag_report_at(d, DIAG_ERROR, at, "account", "bad uid or gid for '%.64s'", f[0]);
		return -1;
	}
	/* an empty home or shell is legal in the file and means what login
	 * makes of it: written out as such */
	if (!*u.home)
		u.home = "/";
	if (!*u.shell)
		u.shell = "/bin/sh";
	return accounts_add_user(a, &u, d);
}

static int one_group(struct accounts *a, char **f, const char *at, struct diag *d)
{
	struct acct_group g = {f[0], 0, f[3], (char *)at};

	if (!parse_id(f[2], &g.gid)) {
		diag_report_at(d, DIAG_ERROR, at, "account", "bad gid for '%.64s'", f[0]);
		return -1;
	}
	return accounts_add_group(a, &g, d);
}

int accounts_parse_passwd(struct accounts *a, const char *text, size_t len, const char *origin,
			  struct diag *d)
{
	return parse_lines(a, text, len, origin, 7, one_user, d);
}

int accounts_parse_group(struct accounts *a, const char *text, size_t len, const char *origin, struct diag *d)
{
	return parse_lines(a, text, len, origin, 4, one_group, d);
}

/* ---- ids, resolution ------------------------------------------------------ */

static bool free_id(const struct accounts *a, bool users, uint32_t lo, uint32_t hi, uint32_t *out)
{
	for (uint64_t id = lo; id <= hi; id++) {
		if (users ? accounts_user_by_uid(a, (uint32_t)id) != NULL
			  : accounts_group_by_gid(a, (uint32_t)id) != NULL)
			continue;
		*out = (uint32_t)id;
		return true;
	}
	return false;
}

bool accounts_free_uid(const struct accounts *a, uint32_t lo, uint32_t hi, uint32_t *out)
{
	return free_id(a, true, lo, hi, out);
}

bool accounts_free_gid(const struct accounts *a, uint32_t lo, uint32_t hi, uint32_t *out)
{
	return free_id(a, false, lo, hi, out);
}

int accounts_resolve(const struct accounts *a, const char *spec, uint32_t *uid, uint32_t *gid,
		     const char **unknown)
{
	const char *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	char *user = xstrndup(spec, ulen);
	const struct acct_user *u = NULL;
	int rc = -1;

	*unknown = spec;
	if (parse_id(user, uid)) {
		u = accounts_user_by_uid(a, *uid);
	} else if ((u = accounts_user(a, user)) != NULL) {
		*uid = u->uid;
	} else if (!strcmp(user, "root")) {
		*uid = 0;
	} else {
		goto out;
	}
	*gid = u ? u->gid : 0;
	if (colon) {
		const struct acct_group *g = NULL;
		*unknown = colon + 1;
		if (!parse_id(colon + 1, gid)) {
			if ((g = accounts_group(a, colon + 1)) != NULL)
				*gid = g->gid;
			else if (!strcmp(colon + 1, "root"))
				*gid = 0;
			else
				goto out;
		}
	}
	rc = 0;
out:
	free(user);
	return rc;
}

/* ---- writing the files ---------------------------------------------------- */

static int cmp_user(const void *x, const void *y)
{
	const struct acct_user *a = *(const struct acct_user *const *)x,
			       *b = *(const struct acct_user *const *)y;

	if (a->uid != b->uid)
		return a->uid < b->uid ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int cmp_group(const void *x, const void *y)
{
	const struct acct_group *a = *(const struct acct_group *const *)x,
				*b = *(const struct acct_group *const *)y;

	if (a->gid != b->gid)
		return a->gid < b->gid ? -1 : 1;
	return strcmp(a->name, b->name);
}

char *accounts_passwd_text(const struct accounts *a, size_t *len)
{
	const struct acct_user **v = xcalloc(a->nusers + 1, sizeof(*v));
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < a->nusers; i++)
		v[i] = &a->users[i];
	qsort(v, a->nusers, sizeof(*v), cmp_user);
	for (size_t i = 0; i < a->nusers; i++)
		sb_addf(&sb, "%s:%s:%u:%u:%s:%s:%s\n", v[i]->name, dflt(v[i]->passwd, "x"), v[i]->uid,
			v[i]->gid, dflt(v[i]->gecos, ""), accounts_home(v[i]), accounts_shell(v[i]));
	free(v);
	return sb_detach(&sb, len);
}

char *accounts_group_text(const struct accounts *a, size_t *len)
{
	const struct acct_group **v = xcalloc(a->ngroups + 1, sizeof(*v));
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < a->ngroups; i++)
		v[i] = &a->groups[i];
	qsort(v, a->ngroups, sizeof(*v), cmp_group);
	for (size_t i = 0; i < a->ngroups; i++)
		sb_addf(&sb, "%s:x:%u:%s\n", v[i]->name, v[i]->gid, v[i]->members);
	free(v);
	return sb_detach(&sb, len);
}
