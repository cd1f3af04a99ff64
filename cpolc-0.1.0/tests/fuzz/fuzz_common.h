/* fuzz_common.h - shared helpers of the libFuzzer targets: a private
 * scratch directory per process and file writing. Not part of libcpolc. */
#ifndef CPOLC_FUZZ_COMMON_H
#define CPOLC_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ftw.h>
#include <unistd.h>

static char fz_dir[256];

static void fz_init_dir(const char *name)
{
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(fz_dir, sizeof fz_dir, "%s/%s.XXXXXX", base, name);
	if (!mkdtemp(fz_dir))
		abort();
}

/* DIR/name into buf. */
static const char *fz_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", fz_dir, name);
	return buf;
}

static void fz_write(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (len && fwrite(data, 1, len, f) != len)
		abort();
	if (fclose(f) != 0)
		abort();
}

static int fz_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

/* Remove everything under path (path included). */
static void fz_rmtree(const char *path)
{
	nftw(path, fz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
