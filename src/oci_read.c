/* oci_read.c - reading one file out of a tar or out of the `from` image:
 * what /etc/passwd and /etc/group the image's lower layers hold. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "oci_int.h"
#include "util.h"

/* What a layer says about path: a file (its content), a deletion
 * (whiteout of it or an opaque directory above it), or nothing. */
enum seen { SEEN_NONE, SEEN_FILE, SEEN_GONE };

/* Is member m (normalised) a whiteout of path or an opaque marker of one
 * of path's directories? */
static bool whiteout_of(const char *m, const char *path)
{
	const char *base = strrchr(m, '/');
	size_t dir = base ? (size_t)(base - m + 1) : 0;

	base = base ? base + 1 : m;
	if (strncmp(base, ".wh.", 4) != 0)
		return false;
	if (!strcmp(base, ".wh..wh..opq"))
		return strncmp(m, path, dir) == 0 && path[dir] != '\0';
	return strncmp(m, path, dir) == 0 && strcmp(base + 4, path + dir) == 0;
}

static int read_data(struct archive *a, int64_t size, size_t max, char **data, size_t *len)
{
	char *buf;
	la_ssize_t n;
	size_t got = 0;

	if (size < 0 || (uint64_t)size > max)
		return -1;
	buf = xmalloc((size_t)size + 1);
	while (got < (size_t)size && (n = archive_read_data(a, buf + got, (size_t)size - got)) > 0)
		got += (size_t)n;
	if (got != (size_t)size) {
		free(buf);
		return -1;
	}
	buf[got] = '\0';
	free(*data);
	*data = buf;
	*len = got;
	return 0;
}

/* Scan the tar (compressed or not) at file for path; the last member
 * decides, as on extraction. With whiteouts, a deletion counts. */
static int scan(const char *file, const char *path, size_t max, bool whiteouts, enum seen *seen, char **data,
		size_t *len, struct diag *d)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	int rc, fd = open_regular(file, 0, NULL);
	const char *why = NULL;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_empty(a);
	if (fd < 0 || archive_read_open_fd(a, fd, 1u << 16) != ARCHIVE_OK)
		goto fail;
	while ((rc = archive_read_next_header(a, &ae)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
		char *m = oci_norm_path(archive_entry_pathname(ae) ? archive_entry_pathname(ae) : "");
		if (!m)
			continue;
		if (!strcmp(m, path) && archive_entry_filetype(ae) == AE_IFREG) {
			if (read_data(a, archive_entry_size(ae), max, data, len) < 0) {
				why = "too large or truncated";
				free(m);
				goto fail;
			}
			*seen = SEEN_FILE;
		} else if (!strcmp(m, path) || (whiteouts && whiteout_of(m, path))) {
			*seen = SEEN_GONE;
		}
		free(m);
	}
	if (rc != ARCHIVE_EOF)
		goto fail;
	archive_read_free(a);
	close(fd);
	return 0;
fail:
	if (!why)
		why = fd >= 0 && archive_error_string(a) ? archive_error_string(a) : file_strerror(errno);
	diag_file_error(d, file, 0, 0, "oci-io", "cannot read '/%s' from '%s': %s", path, file, why);
	archive_read_free(a);
	if (fd >= 0)
		close(fd);
	return -1;
}

int oci_tar_file(const char *tar, const char *path, size_t max, char **data, size_t *len, struct diag *d)
{
	enum seen seen = SEEN_NONE;

	*data = NULL;
	*len = 0;
	if (scan(tar, path, max, false, &seen, data, len, d) < 0) {
		free(*data);
		*data = NULL;
		return -1;
	}
	if (seen != SEEN_FILE) {
		free(*data);
		*data = NULL;
		return 0;
	}
	return 1;
}

int oci_from_file(const char *spec, const char *platform, const char *path, size_t max, char **data,
		  size_t *len, struct diag *d)
{
	struct oci_base b;
	char *os = NULL, *arch = NULL, *variant = NULL;
	enum seen seen = SEEN_NONE;
	int rc = 0;

	*data = NULL;
	*len = 0;
	if (oci_parse_platform(platform, &os, &arch, &variant) < 0) {
		diag_error(d, LOC_NONE, "oci-input", "bad platform '%s'", platform);
		return -1;
	}
	rc = oci_base_load(spec, os, arch, &b, d);
	free(os);
	free(arch);
	free(variant);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < json_array_size(b.layers); i++) {
		const char *dg = json_string_value(json_object_get(json_array_get(b.layers, i), "digest"));
		char *blob = dg ? oci_blob_path(b.dir, dg) : NULL;
		enum seen s = SEEN_NONE;
		rc = blob ? scan(blob, path, max, true, &s, data, len, d) : -1;
		free(blob);
		if (rc < 0)
			break;
		if (s != SEEN_NONE)
			seen = s;
	}
	oci_base_release(&b);
	if (rc < 0 || seen != SEEN_FILE) {
		free(*data);
		*data = NULL;
		return rc < 0 ? -1 : 0;
	}
	return 1;
}
