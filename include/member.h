/* member.h - the rules every tar member must follow, wherever a tar is read.
 *
 * cpolc(1): unless a primitive's metadata allows them, these are refused:
 * member paths that are absolute or climb out with "..", names that are not
 * UTF-8 or longer than MEMBER_MAX_PATH, relative symlink targets that climb
 * above the root, hardlinks to a path outside the root, device nodes,
 * FIFOs and sockets, and setuid or setgid bits on regular files. One
 * checker serves every reader: `catalog add` and `import-deb` (which also
 * refuse hardlinks to a path the primitive does not hold and members
 * written through a symlink, over the whole tree), `catalog verify`, and
 * build's collision check and layer writer.
 */
#ifndef CPOLC_MEMBER_H
#define CPOLC_MEMBER_H

#include <stdbool.h>

#define MEMBER_MAX_PATH 4096

enum member_type { MEMBER_FILE, MEMBER_DIR, MEMBER_SYMLINK, MEMBER_HARDLINK, MEMBER_OTHER };

/* One member as an archive describes it; every pointer is borrowed. */
struct member {
	const char *name; /* as written; NULL when it cannot be read */
	enum member_type type;
	unsigned mode;	  /* permission bits */
	const char *link; /* the symlink's target or the hardlink's target path */
};

/* What a primitive's metadata allows ("allow": ["setuid"]). */
#define MEMBER_ALLOW_SETUID 1u

/* A member path normalised: no leading "./", no empty or "." components;
 * "" is the root. NULL, with *why saying so, for a path that is absolute
 * (unless allow_abs: a leading '/' is then dropped), climbs with "..", is
 * not UTF-8 or is too long. Caller frees. */
char *member_norm_path(const char *name, bool allow_abs, const char **why);

/* Why a symlink at path (normalised) pointing at target is refused, or NULL
 * when it is fine. Absolute targets are fine: they resolve inside the
 * image's root. */
const char *member_symlink_refusal(const char *path, const char *target);

/* Check m. Returns 0 with *path (normalised; "" for the root itself) and
 * *link (a hardlink's normalised target, else NULL) malloc'd; or -1 with
 * *why (a phrase to follow "member 'NAME' ") and both NULL. */
int member_check(const struct member *m, unsigned allow, char **path, char **link, const char **why);

/* Describe a libarchive entry as a member (borrowing its strings). */
struct archive_entry;
void member_from_entry(struct archive_entry *ae, struct member *m);

#endif
