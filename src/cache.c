/* cache.c - the layer cache (see cache.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cache.h"
#include "util.h"

void cache_entry_release(struct cache_entry *e)
{
	free(e->blob);
	e->blob = NULL;
}

char *cache_default_dir(void)
{
	const char *v = getenv("CPOLC_CACHE");

	if (v && *v)
		return xstrdup(v);
	v = getenv("XDG_CACHE_HOME");
	if (v && *v)
		return path_join(v, "cpolc");
	v = getenv("HOME");
	if (v && *v)
		return xasprintf("%s%s.cache/cpolc", v, v[strlen(v) - 1] == '/' ? "" : "/");
	return NULL;
}

static bool valid_key(const char *key)
{
	size_t i;

	for (i = 0; key[i]; i++)
		if (!((key[i] >= '0' && key[i] <= '9') || (key[i] >= 'a' && key[i] <= 'f')))
			return false;
	return i == 64;
}

int cache_open(const char *dir, struct diag *d)
{
	static const char *const sub[] = {"blobs/sha256", "layers", "tmp"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sub); i++) {
		char *p = path_join(dir, sub[i]);
		int rc = mkdir_p(p, 0755);
		free(p);
		if (rc < 0) {
			diag_file_error(d, dir, 0, 0, "oci-io", "cannot create cache directory '%s': %s", dir,
					strerror(errno));
			return -1;
		}
	}
	return 0;
}

char *cache_tmpdir(const char *dir)
{
	return path_join(dir, "tmp");
}

static char *entry_path(const char *dir, const char *key)
{
	return xasprintf("%s/layers/%s.json", dir, key);
}

static char *blob_path(const char *dir, const char *digest)
{
	return xasprintf("%s/blobs/sha256/%s", dir, digest + 7);
}

/* A blob whose stamp still matches the one recorded when it was last
 * hashed holds the bytes that were hashed. */
char *cache_stamp(const struct stat *st)
{
	return xasprintf("%llu:%llu:%llu:%lld.%09ld", (unsigned long long)st->st_dev,
			 (unsigned long long)st->st_ino, (unsigned long long)st->st_size,
			 (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
}

/* Write the entry for key: the blob's digests and size, its stamp, and the
 * recipe the key is the digest of. A lost or stale entry only costs a
 * re-hash, so it is not fsync'd twice. */
static int write_entry(const char *ep, const char *recipe, const struct cache_entry *e, const struct stat *st)
{
	char *stamp = cache_stamp(st), *text;
	json_t *j = json_pack("{s:s, s:s, s:I, s:s, s:s}", "digest", e->digest, "diffId", e->diff_id, "size",
			      (json_int_t)e->size, "stamp", stamp, "recipe", recipe);
	int rc;

	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	free(stamp);
	if (!text)
		abort();
	rc = write_file_atomic(ep, text, strlen(text), 0644);
	free(text);
	return rc;
}

/* Read the entry at path. With recipe (else NULL: any), it must record
 * that recipe: an entry is only ever used for the inputs it was made from. */
static int parse_entry(const char *path, const char *recipe, struct cache_entry *e, char **stamp)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	const char *dg = NULL, *di = NULL, *rec = NULL;
	json_int_t size = -1;
	int rc = -1;

	if (!j)
		return -1;
	errno = EINVAL;
	if (json_unpack(j, "{s:s, s:s, s:I, s:s}", "digest", &dg, "diffId", &di, "size", &size, "recipe",
			&rec) == 0 &&
	    digest_valid(dg) && digest_valid(di) && size >= 0 && (!recipe || strcmp(rec, recipe) == 0)) {
		const char *st = json_string_value(json_object_get(j, "stamp"));
		snprintf(e->digest, sizeof(e->digest), "%s", dg);
		snprintf(e->diff_id, sizeof(e->diff_id), "%s", di);
		e->size = (uint64_t)size;
		*stamp = st ? xstrdup(st) : NULL;
		rc = 0;
	}
	json_decref(j);
	return rc;
}

int cache_lookup(const char *dir, const char *key, const char *recipe, struct cache_entry *e, struct diag *d)
{
	char *ep, *bp = NULL, *stamp = NULL, *now = NULL, hex[65];
	struct stat st;
	int rc = 0, ck;

	memset(e, 0, sizeof(*e));
	if (!valid_key(key))
		return 0;
	ep = entry_path(dir, key);
	if (parse_entry(ep, recipe, e, &stamp) < 0) {
		if (errno != ENOENT)
			unlink(ep); /* malformed, or made of other inputs: drop it */
		goto out;
	}
	bp = blob_path(dir, e->digest);
	if (stat(bp, &st) < 0 || (uint64_t)st.st_size != e->size) {
		unlink(ep);
		goto out;
	}
	/* Unchanged since it was hashed: use it. Otherwise hash it again. */
	now = cache_stamp(&st);
	if (!stamp || strcmp(stamp, now)) {
		ck = sha256_file(bp, hex) < 0 ? -1 : strcmp(hex, e->digest + 7) != 0;
		if (ck < 0) {
			if (errno == ENOENT)
				goto out;
			diag_file_error(d, bp, 0, 0, "oci-io", "cannot read '%s': %s", bp, strerror(errno));
			rc = -1;
			goto out;
		}
		if (ck > 0) { /* corrupt: drop the blob and the entry, rebuild */
			unlink(bp);
			unlink(ep);
			goto out;
		}
		write_entry(ep, recipe, e, &st); /* best effort: a stale stamp costs a hash */
	}
	/* LRU by the blob's mtime, touched at most once a day so that the
	 * stamp stays valid between builds. */
	if (time(NULL) - st.st_mtim.tv_sec > 86400 && utimensat(AT_FDCWD, bp, NULL, 0) == 0 &&
	    stat(bp, &st) == 0)
		write_entry(ep, recipe, e, &st);
	e->blob = bp;
	bp = NULL;
	rc = 1;
out:
	free(ep);
	free(bp);
	free(stamp);
	free(now);
	return rc;
}

int cache_store(const char *dir, const char *key, const char *recipe, const char *tmp_blob,
		struct cache_entry *e, struct diag *d)
{
	char *bp = blob_path(dir, e->digest), *ep = entry_path(dir, key);
	struct stat st;
	int rc = -1;

	if (rename(tmp_blob, bp) < 0) {
		diag_file_error(d, bp, 0, 0, "oci-io", "cannot store '%s' in the cache: %s", bp,
				strerror(errno));
		unlink(tmp_blob);
		goto out;
	}
	if (stat(bp, &st) < 0 || write_entry(ep, recipe, e, &st) < 0) {
		diag_file_error(d, ep, 0, 0, "oci-io", "cannot write '%s': %s", ep, strerror(errno));
		goto out;
	}
	free(e->blob);
	e->blob = bp;
	bp = NULL;
	rc = 0;
out:
	free(bp);
	free(ep);
	return rc;
}

/* --- pruning ---------------------------------------------------------------- */

struct pblob {
	char *name;
	long long mtime_ns;
	uint64_t size;
};

static int pblob_cmp(const void *a, const void *b)
{
	const struct pblob *x = a, *y = b;

	if (x->mtime_ns != y->mtime_ns)
		return x->mtime_ns < y->mtime_ns ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int list_blobs(const char *bdir, struct pblob **out, size_t *n, uint64_t *total)
{
	DIR *dh = opendir(bdir);
	struct dirent *de;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	*total = 0;
	if (!dh)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(dh))) {
		struct stat st;
		char *p;
		if (!valid_key(de->d_name))
			continue;
		p = path_join(bdir, de->d_name);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			xgrow((void **)out, &cap, *n + 1, sizeof(**out));
			(*out)[*n].name = xstrdup(de->d_name);
			(*out)[*n].mtime_ns =
				(long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
			(*out)[*n].size = (uint64_t)st.st_size;
			*total += (uint64_t)st.st_size;
			(*n)++;
		}
		free(p);
	}
	closedir(dh);
	return 0;
}

/* Remove layer entries whose blob is gone. */
static void prune_entries(const char *dir)
{
	char *ldir = path_join(dir, "layers");
	DIR *dh = opendir(ldir);
	struct dirent *de;

	while (dh && (de = readdir(dh))) {
		struct cache_entry e;
		char *p, *bp, *stamp = NULL;
		if (de->d_name[0] == '.')
			continue;
		p = path_join(ldir, de->d_name);
		memset(&e, 0, sizeof(e));
		if (parse_entry(p, NULL, &e, &stamp) == 0) {
			bp = blob_path(dir, e.digest);
			if (access(bp, F_OK) < 0 && errno == ENOENT)
				unlink(p);
			free(bp);
			free(stamp);
		}
		free(p);
	}
	if (dh)
		closedir(dh);
	free(ldir);
}

/* Remove the files of DIR/sub as remove_old_files does. */
static void prune_files(const char *dir, const char *sub, long age)
{
	char *sdir = path_join(dir, sub);

	remove_old_files(sdir, age, NULL);
	free(sdir);
}

long long cache_prune(const char *dir, uint64_t max_bytes, struct diag *d)
{
	char *bdir = path_join(dir, "blobs/sha256");
	struct pblob *b;
	size_t n, i;
	uint64_t total;
	long long freed = 0;

	if (list_blobs(bdir, &b, &n, &total) < 0) {
		diag_file_error(d, bdir, 0, 0, "oci-io", "cannot read '%s': %s", bdir, strerror(errno));
		free(bdir);
		return -1;
	}
	if (n)
		qsort(b, n, sizeof(*b), pblob_cmp);
	for (i = 0; i < n; i++) {
		if (total > max_bytes) {
			char *p = path_join(bdir, b[i].name);
			if (unlink(p) == 0 || errno == ENOENT) {
				total -= b[i].size;
				freed += (long long)b[i].size;
			}
			free(p);
		}
		free(b[i].name);
	}
	free(b);
	free(bdir);
	prune_entries(dir);
	prune_files(dir, "tmp", 86400);
	/* the collision check's memos: the next build makes them again */
	prune_files(dir, "checks", -1);
	prune_files(dir, "scans", -1);
	return freed;
}
