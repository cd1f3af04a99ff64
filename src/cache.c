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

/* Report why top/sub could not be opened by open_subdir. */
static void subdir_error(const char *top, const char *sub, int err, struct diag *d)
{
	char *p = *sub ? path_join(top, sub) : xstrdup(top);
	struct stat st;

	if (*sub && lstat(p, &st) == 0 && S_ISLNK(st.st_mode))
		diag_file_error(
			d, p, 0, 0, "oci-io",
			"cache directory '%s' is a symbolic link: a link out of the cache is not followed",
			p);
	else
		diag_file_error(d, p, 0, 0, "oci-io", "cannot open cache directory '%s': %s", p,
				strerror(err));
	free(p);
}

/* top/sub must be a directory of the cache itself (no link on the way from
 * top), owned by this user (or root), that every user cannot write. */
static int check_dir(const char *top, const char *sub, struct diag *d)
{
	int fd = open_subdir(top, sub);
	struct stat st;
	const char *why = NULL;

	if (fd < 0) {
		subdir_error(top, sub, errno, d);
		return -1;
	}
	if (fstat(fd, &st) < 0)
		why = file_strerror(errno);
	else if (st.st_uid != geteuid() && st.st_uid != 0)
		why = "it belongs to another user";
	else if (st.st_mode & S_IWOTH)
		why = "every user may write to it";
	close(fd);
	if (why) {
		char *p = *sub ? path_join(top, sub) : xstrdup(top);
		diag_file_error(d, p, 0, 0, "oci-io", "refusing to use cache directory '%s': %s", p, why);
		free(p);
		return -1;
	}
	return 0;
}

int cache_open(const char *dir, struct diag *d)
{
	static const char *const sub[] = {"", "blobs", "blobs/sha256", "layers", "tmp", "checks", "scans"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sub); i++) {
		char *p = *sub[i] ? path_join(dir, sub[i]) : xstrdup(dir);
		struct stat st;
		int rc = lstat(p, &st) == 0 && S_ISLNK(st.st_mode) && *sub[i] ? 0 : mkdir_p(p, 0755);
		free(p);
		if (rc < 0) {
			diag_file_error(d, dir, 0, 0, "oci-io", "cannot create cache directory '%s': %s", dir,
					file_strerror(errno));
			return -1;
		}
		if (check_dir(dir, sub[i], d) < 0)
			return -1;
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

/* An entry holds a few digests and the recipe, which grows with the
 * number of sources of a layer: far below this. */
#define ENTRY_MAX (16u << 20)

/* The text of the regular file name in the directory dfd (not through a
 * link), at most max bytes, or NULL. */
static char *read_at(int dfd, const char *name, size_t max)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	char buf[8192];
	ssize_t r;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0 && sb.len <= max)
		sb_add(&sb, buf, (size_t)r);
	close(fd);
	if (r < 0 || sb.len > max) {
		sb_release(&sb);
		errno = EINVAL;
		return NULL;
	}
	return sb_detach(&sb, NULL);
}

/* Parse an entry's text. With recipe (else NULL: any), it must record that
 * recipe: an entry is only ever used for the inputs it was made from. */
static int parse_entry_text(const char *text, const char *recipe, struct cache_entry *e, char **stamp)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
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
	char *ep, *bp = NULL, *stamp = NULL, *now = NULL, *text = NULL, hex[65];
	struct stat st;
	int rc = 0, ck;

	memset(e, 0, sizeof(*e));
	if (!valid_key(key))
		return 0;
	ep = entry_path(dir, key);
	text = read_at(AT_FDCWD, ep, ENTRY_MAX);
	if (!text || parse_entry_text(text, recipe, e, &stamp) < 0) {
		if (text || errno != ENOENT)
			unlink(ep); /* malformed, not a file, or made of other inputs: drop it */
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
			diag_file_error(d, bp, 0, 0, "oci-io", "cannot read '%s': %s", bp,
					file_strerror(errno));
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
	free(text);
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
				file_strerror(errno));
		unlink(tmp_blob);
		goto out;
	}
	if (stat(bp, &st) < 0 || write_entry(ep, recipe, e, &st) < 0) {
		diag_file_error(d, ep, 0, 0, "oci-io", "cannot write '%s': %s", ep, file_strerror(errno));
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

/* The blobs in the directory bfd, and their total size. */
static void list_blobs(int bfd, struct pblob **out, size_t *n, uint64_t *total)
{
	int fd = dup(bfd);
	DIR *dh = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	*total = 0;
	while (dh && (de = readdir(dh))) {
		struct stat st;
		if (!valid_key(de->d_name) || fstatat(bfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		xgrow((void **)out, &cap, *n + 1, sizeof(**out));
		(*out)[*n].name = xstrdup(de->d_name);
		(*out)[*n].mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		(*out)[*n].size = (uint64_t)st.st_size;
		*total += (uint64_t)st.st_size;
		(*n)++;
	}
	if (dh)
		closedir(dh);
	else if (fd >= 0)
		close(fd);
}

/* Remove least recently used blobs of the directory bfd until they total
 * at most max_bytes. Returns the bytes freed. */
static long long prune_blobs(int bfd, uint64_t max_bytes)
{
	struct pblob *b;
	size_t n, i;
	uint64_t total;
	long long freed = 0;

	list_blobs(bfd, &b, &n, &total);
	if (n)
		qsort(b, n, sizeof(*b), pblob_cmp);
	for (i = 0; i < n; i++) {
		if (total > max_bytes && (unlinkat(bfd, b[i].name, 0) == 0 || errno == ENOENT)) {
			total -= b[i].size;
			freed += (long long)b[i].size;
		}
		free(b[i].name);
	}
	free(b);
	return freed;
}

/* Call fn for each well-formed entry of the layers directory lfd (name
 * borrowed, e parsed). */
static void each_entry(int lfd, void (*fn)(int lfd, const char *name, const struct cache_entry *e, void *ctx),
		       void *ctx)
{
	int fd = dup(lfd);
	DIR *dh = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	while (dh && (de = readdir(dh))) {
		struct cache_entry e;
		char *text, *stamp = NULL;
		if (de->d_name[0] == '.' || !(text = read_at(lfd, de->d_name, ENTRY_MAX)))
			continue;
		memset(&e, 0, sizeof(e));
		if (parse_entry_text(text, NULL, &e, &stamp) == 0)
			fn(lfd, de->d_name, &e, ctx);
		free(stamp);
		free(text);
	}
	if (dh)
		closedir(dh);
	else if (fd >= 0)
		close(fd);
}

/* An entry whose blob (in the directory *ctx, -1: none left) is gone goes. */
static void prune_entry(int lfd, const char *name, const struct cache_entry *e, void *ctx)
{
	int bfd = *(int *)ctx;
	struct stat st;

	if (bfd < 0 || (fstatat(bfd, e->digest + 7, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT))
		unlinkat(lfd, name, 0);
}

/* Open top/sub, or report why not (nothing for one that does not exist). */
static int prune_dir(const char *top, const char *sub, int *fd, struct diag *d)
{
	*fd = open_subdir(top, sub);
	if (*fd >= 0 || errno == ENOENT)
		return 0;
	subdir_error(top, sub, errno, d);
	return -1;
}

/* Every directory is opened from the cache's own, one component at a time
 * and never through a link, and every file examined and removed relative
 * to its directory: a link planted in the cache leads nowhere outside. */
long long cache_prune(const char *dir, uint64_t max_bytes, struct diag *d)
{
	static const struct {
		const char *sub;
		long age;
	} memos[] = {{"tmp", 86400}, {"checks", -1}, {"scans", -1}};
	long long freed = 0;
	int bfd, lfd, rc = prune_dir(dir, "blobs/sha256", &bfd, d);

	if (bfd >= 0)
		freed = prune_blobs(bfd, max_bytes);
	if (prune_dir(dir, "layers", &lfd, d) < 0)
		rc = -1;
	else if (lfd >= 0 && (bfd >= 0 || rc == 0)) /* blobs unknown: keep the entries */
		each_entry(lfd, prune_entry, &bfd);
	/* temporary files of killed builds, and the collision check's memos:
	 * the next build makes them again */
	for (size_t i = 0; i < ARRAY_SIZE(memos); i++)
		if (remove_old_files(dir, memos[i].sub, memos[i].age, NULL) < 0 && errno != ENOENT) {
			subdir_error(dir, memos[i].sub, errno, d);
			rc = -1;
		}
	if (bfd >= 0)
		close(bfd);
	if (lfd >= 0)
		close(lfd);
	return rc < 0 ? -1 : freed;
}

/* --- listing ---------------------------------------------------------------- */

static int item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cache_item *)a)->key, ((const struct cache_item *)b)->key);
}

struct list {
	int bfd;
	struct cache_item *items;
	size_t n, cap;
};

static void list_entry(int lfd, const char *name, const struct cache_entry *e, void *ctx)
{
	struct list *l = ctx;
	struct cache_item *it;
	struct stat st;

	(void)lfd;
	if (strlen(name) != 69 || strcmp(name + 64, ".json"))
		return;
	xgrow((void **)&l->items, &l->cap, l->n + 1, sizeof(*l->items));
	it = &l->items[l->n++];
	memset(it, 0, sizeof(*it));
	memcpy(it->key, name, 64);
	memcpy(it->digest, e->digest, sizeof(it->digest));
	memcpy(it->diff_id, e->diff_id, sizeof(it->diff_id));
	it->size = e->size;
	if (l->bfd >= 0 && fstatat(l->bfd, e->digest + 7, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode)) {
		it->present = true;
		it->used = (long long)st.st_mtim.tv_sec;
	}
}

long long cache_list(const char *dir, struct cache_item **items, struct diag *d)
{
	struct list l = {-1, NULL, 0, 0};
	int lfd = -1;

	*items = NULL;
	if (prune_dir(dir, "blobs/sha256", &l.bfd, d) < 0 || prune_dir(dir, "layers", &lfd, d) < 0) {
		if (l.bfd >= 0)
			close(l.bfd);
		return -1;
	}
	if (lfd >= 0)
		each_entry(lfd, list_entry, &l);
	if (l.bfd >= 0)
		close(l.bfd);
	if (lfd >= 0)
		close(lfd);
	if (l.n)
		qsort(l.items, l.n, sizeof(*l.items), item_cmp);
	*items = l.items;
	return (long long)l.n;
}
