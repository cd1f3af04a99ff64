/* util.h - allocation, growable buffers, files and hashing shared by every module.
 *
 * Allocation failure aborts here, in one place: callers of the x* functions
 * never test for NULL (doc/STYLE.md, "Objects and ownership").
 */
#ifndef CPOLC_UTIL_H
#define CPOLC_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow *p (an array of *cap elements of size sz) to hold at least need. */
void xgrow(void **p, size_t *cap, size_t need, size_t sz);
/* A large zero-filled block the kernel may back with huge pages: a few
 * faults instead of one per 4 KiB page for arrays of megabytes. Free with
 * xfree_big(p, n), n as allocated. */
void *xcalloc_big(size_t n);
void xfree_big(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* A growable byte buffer, always NUL-terminated. */
struct strbuf {
	char *buf;
	size_t len, cap;
};
#define STRBUF_INIT                                                                                          \
	{                                                                                                    \
		NULL, 0, 0                                                                                   \
	}
void sb_init(struct strbuf *sb);
void sb_release(struct strbuf *sb);
void sb_reset(struct strbuf *sb);
void sb_add(struct strbuf *sb, const void *data, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Take the buffer; the strbuf is left empty. Never NULL. Caller frees. */
char *sb_detach(struct strbuf *sb, size_t *len);

/* Files are read only when they are regular files: a FIFO, a device or a
 * socket named where a file is expected must neither hang nor feed data
 * without end. open_regular opens path read-only without blocking on a
 * FIFO and fails with errno E_NOTREG for anything but a regular file
 * (EISDIR for a directory); with OPEN_NOFOLLOW a symbolic link as the last
 * component fails too (ELOOP). st (may be NULL) receives the file's stat.
 * Returns the descriptor or -1. */
#define E_NOTREG      ENODEV
#define OPEN_NOFOLLOW 1u
struct stat;
int open_regular(const char *path, unsigned flags, struct stat *st);
/* strerror, with the errors of open_regular said plainly. */
const char *file_strerror(int e);

/* The size bound of read_file: the largest policy source (PARSE_MAX_BYTES)
 * and the largest catalog index. */
#define READ_FILE_MAX ((size_t)256 << 20)
/* Read a whole regular file of at most max bytes (more: errno EFBIG).
 * Returns 0, or -1 with errno set. *data is NUL-terminated and owned by the
 * caller. flags as for open_regular. */
int read_file_max(const char *path, size_t max, unsigned flags, char **data, size_t *len);
/* The size bound of the JSON documents cpolc reads (catalog.json, metadata,
 * scan results, requests, image configs); OCI manifests and indexes have
 * the smaller bound of the distribution spec. */
#define JSON_FILE_MAX	 ((size_t)16 << 20)
#define OCI_MANIFEST_MAX ((size_t)4 << 20)
/* The same from an open descriptor of any kind (stdin), to its end. */
int read_fd_max(int fd, size_t max, char **data, size_t *len);
/* read_file_max(path, READ_FILE_MAX, 0, ...). */
int read_file(const char *path, char **data, size_t *len);
/* json_load_file for a regular file of at most max bytes; a file that
 * cannot be read gives "cannot read 'PATH': REASON" in err->text, line -1. */
json_t *json_load_regular(const char *path, size_t max, size_t flags, json_error_t *err);

/* Write data to path atomically: a temporary file in the same directory,
 * fsync, rename. Returns 0, or -1 with errno set; nothing is left behind on
 * failure. mode is applied as given (not through the umask). */
int write_file_atomic(const char *path, const void *data, size_t len, unsigned mode);

/* Create a directory and its parents (like mkdir -p). Returns 0 or -1/errno. */
int mkdir_p(const char *path, unsigned mode);

/* Open the directory top/sub for reading: top as named (it may be a
 * symbolic link), then each component of sub with O_NOFOLLOW, so that what
 * is opened is inside top. Returns the descriptor, or -1 with errno (ELOOP
 * or ENOTDIR when a component is a link or not a directory). */
int open_subdir(const char *top, const char *sub);

/* Remove the regular files directly in top/sub (opened by open_subdir)
 * last modified more than age seconds ago (every one when age < 0) whose
 * name match accepts (match may be NULL: all); each is examined and removed
 * relative to the directory's descriptor, never through a link. Best
 * effort: what cannot be removed is left. 0, or -1 with errno when the
 * directory cannot be opened (ENOENT: there is none). */
int remove_old_files(const char *top, const char *sub, long age, bool (*match)(const char *name));

/* "dir/name" with exactly one slash between; caller frees. */
char *path_join(const char *dir, const char *name);
/* The directory part of path ("." when none); caller frees. */
char *path_dirname(const char *path);

/* SHA-256 of a buffer as 64 lowercase hex digits plus NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);
/* SHA-256 of a regular file (open_regular), streamed. Returns 0, or -1
 * with errno set. */
int sha256_file(const char *path, char out[65]);
/* SHA-256 of what is left to read from fd. Returns 0, or -1 with errno set. */
int sha256_fd(int fd, char out[65]);

/* A map from pointers (not NULL) to size_t values: open addressing, so
 * that N lookups cost N, where the passes over a program scanned lists. A
 * zeroed struct is an empty map. */
struct ptrmap_ent {
	const void *key;
	size_t val;
};
struct ptrmap {
	struct ptrmap_ent *v;
	size_t n, cap; /* cap is 0 or a power of two */
};
/* The value of key, or NULL when absent; the pointer is valid until the
 * next put. */
size_t *ptrmap_get(const struct ptrmap *m, const void *key);
/* Set key's value (adding key when absent). */
void ptrmap_put(struct ptrmap *m, const void *key, size_t val);
void ptrmap_release(struct ptrmap *m);

/* A growable, NULL-terminated array of owned strings (git's strvec). */
struct strvec {
	char **v; /* v[n] is NULL once anything was pushed */
	size_t n, cap;
};
#define STRVEC_INIT                                                                                          \
	{                                                                                                    \
		NULL, 0, 0                                                                                   \
	}
/* Append a copy of s. */
void strvec_push(struct strvec *sv, const char *s);
/* Append s itself; the strvec takes ownership (s from malloc). */
void strvec_push_nodup(struct strvec *sv, char *s);
/* Free every string and the array; the strvec is left empty. */
void strvec_clear(struct strvec *sv);

/* A map from strings to pointers (open addressing). Keys are copied;
 * values are borrowed. Not thread-safe. */
struct strmap {
	struct strmap_slot {
		char *key;
		void *val;
	} * v;
	size_t n, cap;
};
#define STRMAP_INIT                                                                                          \
	{                                                                                                    \
		NULL, 0, 0                                                                                   \
	}
/* The value of key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);
/* Set key to val (replacing an old value, which is returned; else NULL). */
void *strmap_put(struct strmap *m, const char *key, void *val);
/* Free the keys and the table (not the values). */
void strmap_clear(struct strmap *m);

/* The multiplier of a size suffix (n bytes at s): KB, MB, GB, TB (powers of
 * 1000) and KiB, MiB, GiB, TiB (powers of 1024), as cpol(5) size literals
 * take them; 0 when s is no suffix. */
uint64_t size_suffix(const char *s, size_t n);
/* Parse a byte size: decimal digits and an optional size_suffix. Returns 0
 * with *out set, or -1 (not a size, or above 2^63). */
int parse_size(const char *s, uint64_t *out);
/* n bytes for people, into buf: "512 B", else one decimal and the largest
 * binary unit it reaches ("1.5 KiB", "12.0 MiB", up to EiB). Returns buf. */
#define SIZE_TEXT_MAX 16
char *format_size(uint64_t n, char buf[SIZE_TEXT_MAX]);

/* Is s a content digest as every file cpolc reads must spell one: "sha256:"
 * and exactly 64 lowercase hex digits, nothing more? Every reader of a
 * digest (locks, catalogs, the cache, image layouts) checks with this before
 * using it, above all before making a path of it. NULL is not valid. */
#define DIGEST_LEN 71 /* strlen("sha256:") + 64 */
bool digest_valid(const char *s);

/* Whether s is a tag as the OCI distribution spec has them:
 * [A-Za-z0-9_][A-Za-z0-9._-]{0,127} (so also a safe file name part). */
bool tag_valid(const char *s);

/* Byte-wise string compare for qsort over char * arrays. */
int cmp_strp(const void *a, const void *b);

/* Is s (of length n) valid UTF-8? On failure *bad is the offset of the first
 * bad byte. */
bool utf8_valid(const char *s, size_t n, size_t *bad);

/* The name of names[0..n) closest to s for a "did you mean": at most one
 * edit away (two for names of six bytes or more), counting a swap of two
 * neighbours as one (optimal string alignment) and fewer edits than the
 * shorter of the two has bytes ('c' is not near 'a'); NULL when none is, or
 * when s or a name is longer than SUGGEST_MAX bytes (the cost is bounded
 * by n * SUGGEST_MAX^2). The first of equally close names wins. */
#define SUGGEST_MAX 64
const char *suggest_name(const char *s, const char *const *names, size_t n);

#endif
