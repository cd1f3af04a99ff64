/* tarmaker.h - make small tars for the composer's tests (libarchive). */
#ifndef CPOLC_TARMAKER_H
#define CPOLC_TARMAKER_H

#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* One member: type 'f' file, 'd' dir, 'l' symlink, 'h' hardlink. */
struct tm_ent {
	const char *path;
	char type;
	const char *data; /* file content, or link target */
	unsigned mode;
};

/* Write the members, in the given order, to path with messy metadata (user
 * names, ids, varying mtimes) that the composer must normalise away.
 * Returns "sha256:HEX" of the tar (static buffer). */
static inline const char *tm_make(const char *path, const struct tm_ent *e, size_t n)
{
	static char dg[72];
	struct archive *a = archive_write_new();
	char hex[65];
	size_t i;

	ck_assert_int_eq(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, e[i].path);
		archive_entry_set_mtime(ae, 1600000000 + (time_t)i * 7, 123);
		archive_entry_set_uname(ae, "builder");
		archive_entry_set_gname(ae, "staff");
		archive_entry_set_uid(ae, 0);
		archive_entry_set_gid(ae, 0);
		switch (e[i].type) {
		case 'd':
			archive_entry_set_filetype(ae, AE_IFDIR);
			archive_entry_set_perm(ae, e[i].mode ? e[i].mode : 0755);
			break;
		case 'l':
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, e[i].data);
			archive_entry_set_perm(ae, 0777);
			break;
		case 'h':
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_hardlink(ae, e[i].data);
			archive_entry_set_perm(ae, e[i].mode ? e[i].mode : 0644);
			break;
		default:
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_perm(ae, e[i].mode ? e[i].mode : 0644);
			archive_entry_set_size(ae, (la_int64_t)strlen(e[i].data));
		}
		ck_assert_int_eq(archive_write_header(a, ae), ARCHIVE_OK);
		if (e[i].type == 'f' && *e[i].data)
			ck_assert_int_eq(archive_write_data(a, e[i].data, strlen(e[i].data)),
					 (la_ssize_t)strlen(e[i].data));
		archive_entry_free(ae);
	}
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	ck_assert_int_eq(sha256_file(path, hex), 0);
	snprintf(dg, sizeof(dg), "sha256:%s", hex);
	return dg;
}

/* A fresh temporary directory (caller frees the string). */
static inline char *tm_tmpdir(void)
{
	char *d = xstrdup("/tmp/cpolc-check-XXXXXX");

	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

static inline void tm_rmrf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

#endif
