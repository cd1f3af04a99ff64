/* oci_archive.c - an image layout as one reproducible tar (oci-archive). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "oci_int.h"
#include "util.h"

/* Every path under root (relative, directories too), unsorted. */
static int walk(const char *root, const char *rel, char ***out, size_t *n, size_t *cap)
{
	char *dir = *rel ? path_join(root, rel) : xstrdup(root);
	DIR *dh = opendir(dir);
	struct dirent *de;
	int rc = 0;

	free(dir);
	if (!dh)
		return -1;
	while (rc == 0 && (de = readdir(dh))) {
		char *r;
		struct stat st;
		char *full;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = *rel ? path_join(rel, de->d_name) : xstrdup(de->d_name);
		full = path_join(root, r);
		if (lstat(full, &st) < 0) {
			rc = -1;
		} else {
			xgrow((void **)out, cap, *n + 1, sizeof(**out));
			(*out)[(*n)++] = xstrdup(r);
			if (S_ISDIR(st.st_mode))
				rc = walk(root, r, out, n, cap);
		}
		free(full);
		free(r);
	}
	closedir(dh);
	return rc;
}

static int add_member(struct archive *a, const char *root, const char *rel, long long epoch)
{
	char *full = path_join(root, rel), buf[1 << 16];
	struct archive_entry *e = archive_entry_new();
	struct stat st;
	int rc = -1, fd = -1;
	ssize_t n;

	if (lstat(full, &st) < 0 || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)))
		goto out;
	archive_entry_set_pathname(e, rel);
	archive_entry_set_filetype(e, S_ISDIR(st.st_mode) ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(e, S_ISDIR(st.st_mode) ? 0755 : 0644);
	archive_entry_set_mtime(e, (time_t)epoch, 0);
	archive_entry_set_size(e, S_ISREG(st.st_mode) ? st.st_size : 0);
	if (S_ISREG(st.st_mode) && (fd = open_regular(full, OPEN_NOFOLLOW, NULL)) < 0)
		goto out;
	if (archive_write_header(a, e) != ARCHIVE_OK)
		goto out;
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(a, buf, (size_t)n) != n)
			goto out;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	archive_entry_free(e);
	free(full);
	return rc;
}

int oci_archive_write(const char *root, const char *path, long long epoch, struct diag *d)
{
	char **names = NULL, *tmp = xasprintf("%s.tmp-XXXXXX", path);
	size_t n = 0, cap = 0, i;
	struct archive *a = NULL;
	int fd, rc = -1;

	if (walk(root, "", &names, &n, &cap) < 0) {
		diag_file_error(d, root, 0, 0, "oci-io", "cannot read '%s': %s", root, file_strerror(errno));
		goto out;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_strp);
	fd = mkstemp(tmp);
	if (fd < 0) {
		diag_file_error(d, path, 0, 0, "oci-io", "cannot create '%s': %s", tmp, file_strerror(errno));
		goto out;
	}
	a = archive_write_new();
	if (fchmod(fd, 0644) < 0 || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_fd(a, fd) != ARCHIVE_OK)
		goto fail;
	for (i = 0; i < n; i++)
		if (add_member(a, root, names[i], epoch) < 0)
			goto fail;
	if (archive_write_close(a) != ARCHIVE_OK || fsync(fd) < 0)
		goto fail;
	archive_write_free(a);
	a = NULL;
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		diag_file_error(d, path, 0, 0, "oci-io", "cannot write '%s': %s", path, file_strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
	goto out;
fail:
	diag_file_error(d, path, 0, 0, "oci-io", "cannot write '%s': %s", path,
			a && archive_error_string(a) ? archive_error_string(a) : file_strerror(errno));
	if (a)
		archive_write_free(a);
	close(fd);
	unlink(tmp);
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tmp);
	return rc;
}

void oci_remove_tree(const char *path)
{
	struct stat st;
	DIR *dh;
	struct dirent *de;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	dh = opendir(path);
	while (dh && (de = readdir(dh))) {
		char *p;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = path_join(path, de->d_name);
		oci_remove_tree(p);
		free(p);
	}
	if (dh)
		closedir(dh);
	rmdir(path);
}
