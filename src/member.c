/* member.c - the rules every tar member must follow (member.h). */
#include "config.h"

#include "member.h"

#include <stdlib.h>
#include <string.h>

#include <archive_entry.h>

#include "util.h"

char *member_norm_path(const char *name, bool allow_abs, const char **why)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = name;
	size_t len = strlen(name);

	if (*name == '/' && !allow_abs) {
		*why = "is an absolute path";
		return NULL;
	}
	if (len > MEMBER_MAX_PATH) {
		*why = "is too long";
		return NULL;
	}
	if (!utf8_valid(name, len, NULL)) {
		*why = "is not valid UTF-8";
		return NULL;
	}
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			sb_release(&sb);
			*why = "climbs out of the root with '..'";
			return NULL;
		}
		if (n && !(n == 1 && *p == '.')) {
			if (sb.len)
				sb_addc(&sb, '/');
			sb_add(&sb, p, n);
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return sb_detach(&sb, NULL);
}

const char *member_symlink_refusal(const char *path, const char *target)
{
	const char *p = target;
	long depth = 0;

	if (!target)
		return "is a symlink without a target";
	if (!*p)
		return "is a symlink with an empty target";
	if (strlen(p) > MEMBER_MAX_PATH)
		return "is a symlink whose target is too long";
	if (!utf8_valid(p, strlen(p), NULL))
		return "is a symlink whose target is not valid UTF-8";
	if (*p == '/')
		return NULL; /* resolves inside the image's root */
	for (const char *s = path; *s; s++)
		depth += *s == '/';
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return "is a symlink whose target climbs above the root";
		} else if (n && !(n == 1 && *p == '.')) {
			depth++;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return NULL;
}

int member_check(const struct member *m, unsigned allow, char **path, char **link, const char **why)
{
	const char *bad = NULL;
	char *p, *l = NULL;

	*path = *link = NULL;
	if (!m->name) {
		*why = "has a name that cannot be read";
		return -1;
	}
	p = member_norm_path(m->name, false, why);
	if (!p)
		return -1;
	switch (m->type) {
	case MEMBER_FILE:
		if ((m->mode & 06000) && !(allow & MEMBER_ALLOW_SETUID))
			bad = "is setuid or setgid (metadata does not allow \"setuid\")";
		break;
	case MEMBER_DIR:
		break;
	case MEMBER_SYMLINK:
		bad = member_symlink_refusal(p, m->link);
		break;
	case MEMBER_HARDLINK:
		l = m->link ? member_norm_path(m->link, false, &bad) : NULL;
		if (!l || !*l)
			bad = "is a hardlink to a path outside the primitive";
		break;
	default:
		bad = "is a device node, fifo or socket";
		break;
	}
	if (bad) {
		free(p);
		free(l);
		*why = bad;
		return -1;
	}
	*path = p;
	*link = l;
	return 0;
}

void member_from_entry(struct archive_entry *ae, struct member *m)
{
	m->name = archive_entry_pathname(ae);
	if (!m->name)
		m->name = archive_entry_pathname_utf8(ae);
	m->mode = archive_entry_perm(ae) & 07777;
	m->link = NULL;
	if (archive_entry_hardlink(ae)) {
		m->type = MEMBER_HARDLINK;
		m->link = archive_entry_hardlink(ae);
		return;
	}
	switch (archive_entry_filetype(ae)) {
	case AE_IFREG:
		m->type = MEMBER_FILE;
		break;
	case AE_IFDIR:
		m->type = MEMBER_DIR;
		break;
	case AE_IFLNK:
		m->type = MEMBER_SYMLINK;
		m->link = archive_entry_symlink(ae);
		break;
	default:
		m->type = MEMBER_OTHER;
		break;
	}
}
