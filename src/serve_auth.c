/* serve_auth.c - the clients of cpolc serve: an htpasswd file.
 *
 * One line per user, "USER:HASH" as htpasswd -B writes it (bcrypt, checked
 * with crypt(3)), optionally followed by ":ROLE,ROLE..." for the roles a
 * policy reads as input.client.roles. Blank lines and lines starting with
 * '#' are skipped. The file is read again when it changes.
 */
#include "config.h"

#include "serve_int.h"

#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cache.h"

#define AUTH_MAX_BYTES (16u << 20)

static void free_users(struct serve_auth *a)
{
	for (size_t i = 0; i < a->nusers; i++) {
		free(a->users[i].name);
		free(a->users[i].hash);
		free(a->users[i].roles);
	}
	free(a->users);
	a->users = NULL;
	a->nusers = 0;
}

static bool valid_roles(const char *s)
{
	for (; *s; s++)
		if (!(*s == ',' || *s == '-' || *s == '_' || *s == '.' || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* Parse the file's text into a->users. 0, or -1 with an error in d. */
static int parse(struct serve_auth *a, char *text, struct diag *d)
{
	size_t cap = 0;
	unsigned lineno = 0;

	for (char *line = text, *next; line && *line; line = next) {
		char *user, *hash, *roles;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (!*line || *line == '#')
			continue;
		user = line;
		hash = strchr(user, ':');
		if (!hash || hash == user)
			goto bad;
		*hash++ = '\0';
		roles = strchr(hash, ':');
		if (roles)
			*roles++ = '\0';
		if (strncmp(hash, "$2y$", 4) && strncmp(hash, "$2b$", 4) && strncmp(hash, "$2a$", 4)) {
			diag_file_error(d, a->path, lineno, 0, "serve",
					"user '%s': only bcrypt hashes are accepted (htpasswd -B)", user);
			return -1;
		}
		if (roles && !valid_roles(roles))
			goto bad;
		xgrow((void **)&a->users, &cap, a->nusers + 1, sizeof(*a->users));
		a->users[a->nusers++] =
			(struct serve_user){xstrdup(user), xstrdup(hash), xstrdup(roles ? roles : "")};
	}
	return 0;
bad:
	diag_file_error(d, a->path, lineno, 0, "serve", "expected USER:BCRYPT-HASH[:ROLE,ROLE...]");
	return -1;
}

/* Read the file if it changed since it was last read. 0 or -1. */
static int reload(struct serve_auth *a, struct diag *d)
{
	struct stat st;
	char *text, *stamp;
	size_t len;

	if (stat(a->path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > AUTH_MAX_BYTES) {
		diag_file_error(d, a->path, 0, 0, "serve", "cannot read '%s': %s", a->path,
				errno && !S_ISREG(st.st_mode) ? file_strerror(errno)
							      : "not a regular file of at most 16 MiB");
		return -1;
	}
	stamp = cache_stamp(&st);
	if (a->stamp && !strcmp(stamp, a->stamp)) {
		free(stamp);
		return 0;
	}
	if (read_file(a->path, &text, &len) < 0) {
		diag_file_error(d, a->path, 0, 0, "serve", "cannot read '%s': %s", a->path,
				file_strerror(errno));
		free(stamp);
		return -1;
	}
	free_users(a);
	if (parse(a, text, d) < 0) {
		free_users(a);
		free(text);
		free(stamp);
		return -1;
	}
	free(text);
	free(a->stamp);
	a->stamp = stamp;
	return 0;
}

int serve_auth_open(struct serve_auth *a, const char *path, struct diag *d)
{
	memset(a, 0, sizeof(*a));
	a->path = xstrdup(path);
	pthread_mutex_init(&a->lock, NULL);
	return reload(a, d);
}

void serve_auth_release(struct serve_auth *a)
{
	free_users(a);
	free(a->path);
	free(a->stamp);
	pthread_mutex_destroy(&a->lock);
}

bool serve_auth_check(struct serve_auth *a, const char *user, const char *password, char **roles)
{
	struct crypt_data cd;
	const struct serve_user *u = NULL;
	char *hash = NULL;
	const char *h;
	bool ok = false;
	struct diag d;

	diag_init(&d);
	pthread_mutex_lock(&a->lock);
	if (reload(a, &d) < 0) { /* an unreadable or broken file lets nobody in */
		free_users(a);
		free(a->stamp);
		a->stamp = NULL;
	}
	for (size_t i = 0; i < a->nusers && !u; i++)
		if (!strcmp(a->users[i].name, user))
			u = &a->users[i];
	if (u) {
		hash = xstrdup(u->hash);
		*roles = xstrdup(u->roles);
	}
	pthread_mutex_unlock(&a->lock);
	diag_release(&d);
	memset(&cd, 0, sizeof(cd));
	if (!hash) { /* spend the same time on an unknown user */
		(void)crypt_r(password, "$2y$10$abcdefghijklmnopqrstuu5Bd4yLUpYgCvDGHY4uRQSLjkgqWB9fC", &cd);
		return false;
	}
	h = crypt_r(password, hash, &cd);
	ok = h && strlen(h) == strlen(hash) && !strcmp(h, hash);
	free(hash);
	if (!ok) {
		free(*roles);
		*roles = NULL;
	}
	return ok;
}
