/* util.c - allocation, buffers, files and hashing. */
#include "config.h"

#include "util.h"

#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

static void oom(void)
{
	fputs("cpolc: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void xgrow(void **p, size_t *cap, size_t need, size_t sz)
{
	size_t n = *cap;

	if (need <= n)
		return;
	if (n < 8)
		n = 8;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			oom();
		n *= 2;
	}
	if (n > SIZE_MAX / sz)
		oom();
	*p = xrealloc(*p, n * sz);
	*cap = n;
}

#define HUGE_PAGE ((size_t)2 << 20)

void *xcalloc_big(size_t n)
{
	size_t len = (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
	char *p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *q;

	if (p == MAP_FAILED)
		oom();
	q = (char *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (q > p)
		munmap(p, (size_t)(q - p));
	if (q + len < p + len + HUGE_PAGE)
		munmap(q + len, (size_t)(p + len + HUGE_PAGE - (q + len)));
#ifdef MADV_HUGEPAGE
	madvise(q, len, MADV_HUGEPAGE);
#endif
	return q;
}

void xfree_big(void *p, size_t n)
{
	if (p)
		munmap(p, (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		oom();
	xgrow((void **)&sb.buf, &sb.cap, (size_t)n + 1, 1);
	vsnprintf(sb.buf, (size_t)n + 1, fmt, ap);
	return sb.buf;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void sb_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

void sb_release(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void sb_add(struct strbuf *sb, const void *data, size_t n)
{
	xgrow((void **)&sb->buf, &sb->cap, sb->len + n + 1, 1);
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addc(struct strbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	sb_adds(sb, s);
	free(s);
}

char *sb_detach(struct strbuf *sb, size_t *len)
{
	char *p;

	if (!sb->buf)
		sb_add(sb, "", 0);
	p = sb->buf;
	if (len)
		*len = sb->len;
	sb_init(sb);
	return p;
}

int open_regular(const char *path, unsigned flags, struct stat *st)
{
	struct stat tmp;
	int fd, saved;

	if (!st)
		st = &tmp;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (flags & OPEN_NOFOLLOW ? O_NOFOLLOW : 0));
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0)
		goto fail;
	if (!S_ISREG(st->st_mode)) {
		errno = S_ISDIR(st->st_mode) ? EISDIR : E_NOTREG;
		goto fail;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

const char *file_strerror(int e)
{
	if (e == E_NOTREG)
		return "not a regular file";
	if (e == ELOOP)
		return "a symbolic link where a regular file must be";
	return strerror(e);
}

int read_fd_max(int fd, size_t max, char **data, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	ssize_t n;
	int saved;

	/* stop past max: the file may grow while it is read, or never end */
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if ((size_t)n > max - sb.len) {
			errno = EFBIG;
			goto fail;
		}
		sb_add(&sb, buf, (size_t)n);
	}
	*data = sb_detach(&sb, len);
	return 0;
fail:
	saved = errno;
	sb_release(&sb);
	errno = saved;
	return -1;
}

int read_file_max(const char *path, size_t max, unsigned flags, char **data, size_t *len)
{
	int fd = open_regular(path, flags, NULL), rc, saved;

	if (fd < 0)
		return -1;
	rc = read_fd_max(fd, max, data, len);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int read_file(const char *path, char **data, size_t *len)
{
	return read_file_max(path, READ_FILE_MAX, 0, data, len);
}

json_t *json_load_regular(const char *path, size_t max, size_t flags, json_error_t *err)
{
	char *data;
	size_t len;
	json_t *j;

	if (read_file_max(path, max, 0, &data, &len) < 0) {
		memset(err, 0, sizeof(*err));
		err->line = err->column = err->position = -1;
		snprintf(err->text, sizeof(err->text), "cannot read '%.80s': %s", path, file_strerror(errno));
		return NULL;
	}
	j = json_loadb(data, len, flags, err);
	free(data);
	return j;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	int fd, saved;

	fd = mkstemp(tmp);
	if (fd < 0)
		goto fail_nofd;
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		fd = -1;
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
fail_nofd:
	saved = errno;
	free(tmp);
	errno = saved;
	return -1;
}

int mkdir_p(const char *path, unsigned mode)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
		if (rc)
			break;
	}
	if (!rc && mkdir(p, mode) < 0 && errno != EEXIST)
		rc = -1;
	if (!rc) {
		struct stat st;
		if (stat(p, &st) < 0)
			rc = -1;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			rc = -1;
		}
	}
	free(p);
	return rc;
}

int open_subdir(const char *top, const char *sub)
{
	char *copy = xstrdup(sub), *save = NULL;
	int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC), saved;

	for (char *c = strtok_r(copy, "/", &save); fd >= 0 && c; c = strtok_r(NULL, "/", &save)) {
		int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		saved = errno;
		close(fd);
		errno = saved;
		fd = next;
	}
	saved = errno;
	free(copy);
	errno = saved;
	return fd;
}

int remove_old_files(const char *top, const char *sub, long age, bool (*match)(const char *name))
{
	int fd = open_subdir(top, sub);
	DIR *dh = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	time_t now = time(NULL);

	if (!dh) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((de = readdir(dh))) {
		struct stat st;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    (match && !match(de->d_name)))
			continue;
		if (fstatat(dirfd(dh), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    (age < 0 || now - st.st_mtime > age))
			unlinkat(dirfd(dh), de->d_name, 0);
	}
	closedir(dh);
	return 0;
}

char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	while (*name == '/')
		name++;
	if (n == 1 && dir[0] == '/')
		return xasprintf("/%s", name);
	return xasprintf("%.*s/%s", (int)n, dir, name);
}

char *path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static void hex(const unsigned char *md, unsigned n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * n] = '\0';
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL))
		abort();
	hex(md, n, out);
}

int sha256_fd(int fd, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned char buf[65536];
	unsigned n = 0;
	EVP_MD_CTX *ctx;
	ssize_t r;
	int saved;

	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		abort();
	while ((r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			EVP_MD_CTX_free(ctx);
			errno = saved;
			return -1;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)r);
	}
	EVP_DigestFinal_ex(ctx, md, &n);
	EVP_MD_CTX_free(ctx);
	hex(md, n, out);
	return 0;
}

void strvec_push_nodup(struct strvec *sv, char *s)
{
	xgrow((void **)&sv->v, &sv->cap, sv->n + 2, sizeof(*sv->v));
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void strvec_push(struct strvec *sv, const char *s)
{
	strvec_push_nodup(sv, xstrdup(s));
}

void strvec_clear(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

static size_t strmap_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 32));
}

static struct strmap_slot *strmap_slot(const struct strmap *m, const char *key)
{
	size_t i = strmap_hash(key) & (m->cap - 1);

	while (m->v[i].key && strcmp(m->v[i].key, key))
		i = (i + 1) & (m->cap - 1);
	return &m->v[i];
}

void *strmap_get(const struct strmap *m, const char *key)
{
	return m->cap ? strmap_slot(m, key)->val : NULL;
}

void *strmap_put(struct strmap *m, const char *key, void *val)
{
	struct strmap_slot *sl;
	void *old;

	if (2 * (m->n + 1) > m->cap) {
		struct strmap bigger = {xcalloc(m->cap ? 2 * m->cap : 16, sizeof(*m->v)), 0,
					m->cap ? 2 * m->cap : 16};
		for (size_t i = 0; i < m->cap; i++)
			if (m->v[i].key)
				*strmap_slot(&bigger, m->v[i].key) = m->v[i];
		bigger.n = m->n;
		free(m->v);
		*m = bigger;
	}
	sl = strmap_slot(m, key);
	old = sl->val;
	if (!sl->key) {
		sl->key = xstrdup(key);
		m->n++;
	}
	sl->val = val;
	return old;
}

void strmap_clear(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->v[i].key);
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}

static const struct {
	const char *name;
	uint64_t mult;
} size_suffixes[] = {
	{"KB", UINT64_C(1000)},		 {"MB", UINT64_C(1000000)},  {"GB", UINT64_C(1000000000)},
	{"TB", UINT64_C(1000000000000)}, {"KiB", UINT64_C(1) << 10}, {"MiB", UINT64_C(1) << 20},
	{"GiB", UINT64_C(1) << 30},	 {"TiB", UINT64_C(1) << 40},
};

uint64_t size_suffix(const char *s, size_t n)
{
	for (size_t k = 0; k < ARRAY_SIZE(size_suffixes); k++)
		if (strlen(size_suffixes[k].name) == n && !memcmp(s, size_suffixes[k].name, n))
			return size_suffixes[k].mult;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	size_t i = 0;

	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0)
		return -1;
	if (s[i] && !(mult = size_suffix(s + i, strlen(s + i))))
		return -1;
	if (v > (UINT64_C(1) << 63) / mult)
		return -1;
	*out = v * mult;
	return 0;
}

char *format_size(uint64_t n, char buf[SIZE_TEXT_MAX])
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	uint64_t whole, tenths;
	size_t k = 0;

	if (n < 1024) {
		snprintf(buf, SIZE_TEXT_MAX, "%u B", (unsigned)n);
		return buf;
	}
	while (k + 1 < ARRAY_SIZE(units) && n >> (10 * (k + 2)) != 0)
		k++;
	whole = n >> (10 * (k + 1));
	/* (n mod unit) * 10 < 2^60 * 10 fits in 64 bits */
	tenths = ((n & ((UINT64_C(1) << (10 * (k + 1))) - 1)) * 10 + (UINT64_C(1) << (10 * (k + 1) - 1))) >>
		 (10 * (k + 1));
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	if (whole == 1024 && k + 1 < ARRAY_SIZE(units)) {
		whole = 1;
		k++;
	}
	snprintf(buf, SIZE_TEXT_MAX, "%u.%u %s", (unsigned)whole, (unsigned)tenths, units[k]);
	return buf;
}

bool digest_valid(const char *s)
{
	if (!s || strncmp(s, "sha256:", 7) != 0)
		return false;
	s += 7;
	return strspn(s, "0123456789abcdef") == 64 && s[64] == '\0';
}

bool tag_valid(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 128 || s[0] == '.' || s[0] == '-')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
			return false;
	return true;
}

int sha256_file(const char *path, char out[65])
{
	int fd = open_regular(path, 0, NULL), rc, saved;

	if (fd < 0)
		return -1;
	rc = sha256_fd(fd, out);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

static size_t ptr_hash(const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15u;

	return (size_t)(h ^ (h >> 29));
}

static struct ptrmap_ent *ptrmap_slot(const struct ptrmap *m, const void *key)
{
	size_t mask = m->cap - 1, i = ptr_hash(key) & mask;

	while (m->v[i].key && m->v[i].key != key)
		i = (i + 1) & mask;
	return &m->v[i];
}

size_t *ptrmap_get(const struct ptrmap *m, const void *key)
{
	struct ptrmap_ent *e;

	if (!m->cap)
		return NULL;
	e = ptrmap_slot(m, key);
	return e->key ? &e->val : NULL;
}

void ptrmap_put(struct ptrmap *m, const void *key, size_t val)
{
	struct ptrmap_ent *e;

	if (2 * (m->n + 1) > m->cap) {
		struct ptrmap old = *m;
		m->cap = old.cap ? 2 * old.cap : 64;
		m->v = xcalloc(m->cap, sizeof(*m->v));
		for (size_t i = 0; i < old.cap; i++)
			if (old.v[i].key)
				*ptrmap_slot(m, old.v[i].key) = old.v[i];
		free(old.v);
	}
	e = ptrmap_slot(m, key);
	if (!e->key) {
		e->key = key;
		m->n++;
	}
	e->val = val;
}

void ptrmap_release(struct ptrmap *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The length of the run of whole 8-byte words of plain ASCII at s. */
static size_t ascii_words(const unsigned char *s, size_t n)
{
	size_t i = 0;
	uint64_t w;

	for (; n - i >= sizeof(w); i += sizeof(w)) {
		memcpy(&w, s + i, sizeof(w));
		if (w & 0x8080808080808080u)
			break;
	}
	return i;
}

bool utf8_valid(const char *s, size_t n, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i], need, min;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			i += ascii_words(p + i, n - i);
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			need = 1, min = 0x80, cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2, min = 0x800, cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3, min = 0x10000, cp = c & 0x07;
		} else {
			goto invalid;
		}
		if (n - i <= need)
			goto invalid;
		for (unsigned k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				goto invalid;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto invalid;
		i += need + 1;
	}
	return true;
invalid:
	if (bad)
		*bad = i;
	return false;
}

/* The optimal string alignment distance of a and b (each at most
 * SUGGEST_MAX bytes). */
static size_t osa_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];

	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], m = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < m)
				m = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < m)
				m = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < m)
				m = d[i - 2][j - 2] + 1;
			d[i][j] = m;
		}
	}
	return d[la][lb];
}

const char *suggest_name(const char *s, const char *const *names, size_t n)
{
	size_t ls = strlen(s), best = SIZE_MAX, limit = ls >= 6 ? 2 : 1;
	const char *pick = NULL;

	if (ls > SUGGEST_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t ln = strlen(names[i]), dist;
		if (ln > SUGGEST_MAX || (ln > ls ? ln - ls : ls - ln) > limit || !strcmp(s, names[i]))
			continue;
		dist = osa_distance(s, ls, names[i], ln);
		if (dist <= limit && dist < best && dist < (ls < ln ? ls : ln)) {
			best = dist;
			pick = names[i];
		}
	}
	return pick;
}
