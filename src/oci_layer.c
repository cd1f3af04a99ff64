/* oci_layer.c - one reproducible layer: tars in, normalised tar out, compressed.
 *
 * Pass 1 reads every input tar once, front to back, hashing every byte: a
 * tar that does not match its digest is refused before anything is
 * written. It records each member's header and the offset of its data, and
 * builds the sorted entry list: paths normalised, duplicates dropped,
 * missing parent directories added, hardlinks re-anchored on the first
 * member in sorted order. Pass 2 writes a fresh ustar/pax stream in that
 * order, reading file data with pread(2) from the descriptors pass 1 kept
 * open (sparse members, whose data is not contiguous, go through a
 * libarchive reader instead). The tar stream is hashed (diff_id),
 * compressed, hashed again (digest) and written to a temporary file.
 * Memory is bounded by the entry count, not by the content size.
 *
 * The inputs are catalog blobs, immutable by contract; a file rewritten in
 * place between the two passes is not detected.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <libdeflate.h>
#include <zlib.h>
#include <zstd.h>

#include "member.h"
#include "oci_int.h"
#include "util.h"

#define TBUF_SIZE (1u << 20) /* tar bytes handed to the compressor at once */
#define OBUF_SIZE (1u << 18) /* compressed bytes per write(2) */
#define RBUF_SIZE (1u << 17) /* read callback buffer */
/* gzip goes through oci_deflate.c: libdeflate, about three times faster
 * than zlib at the same ratio (bench/RESULTS.md), in parallel chunks for
 * large layers; always one standard gzip member. */

/* ---------------------------------------------------------------------------
 * Errors: a job runs on a worker thread, so it keeps its own message.
 */
struct job {
	char *err;
};

static int job_fail(struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int job_fail(struct job *j, const char *fmt, ...)
{
	va_list ap;

	if (j->err)
		return -1;
	va_start(ap, fmt);
	j->err = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

static void md_hex(EVP_MD_CTX *md, char out[72])
{
	unsigned char buf[EVP_MAX_MD_SIZE];
	unsigned n = 0, i;

	EVP_DigestFinal_ex(md, buf, &n);
	memcpy(out, "sha256:", 7);
	for (i = 0; i < n; i++)
		sprintf(out + 7 + 2 * i, "%02x", buf[i]);
}

static EVP_MD_CTX *md_new(void)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		abort();
	return md;
}

/* ---------------------------------------------------------------------------
 * The sink: tar bytes -> diff_id hash -> compressor -> digest hash -> file.
 */
struct sink {
	struct job *job;
	int fd;
	enum oci_compression comp;
	EVP_MD_CTX *tar_md, *blob_md;
	unsigned char *tbuf, *obuf, *dbuf; /* tar input, compressed output, file data */
	size_t tlen;
	struct oci_gz *gz;
	uint32_t crc;
	uint64_t isize;
	ZSTD_CCtx *zc;
	uint64_t blob_size;
};

static int sink_emit(struct sink *s, const void *data, size_t n)
{
	const char *p = data;

	if (s->fd < 0)
		return 0; /* oci_layer_diff_id: the tar's hash is all that is wanted */
	EVP_DigestUpdate(s->blob_md, data, n);
	s->blob_size += n;
	while (n) {
		ssize_t w = write(s->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return job_fail(s->job, "cannot write layer: %s", file_strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int zstd_run(struct sink *s, const void *data, size_t n, ZSTD_EndDirective end)
{
	ZSTD_inBuffer in = {data, n, 0};
	size_t left;

	do {
		ZSTD_outBuffer out = {s->obuf, OBUF_SIZE, 0};
		left = ZSTD_compressStream2(s->zc, &out, &in, end);
		if (ZSTD_isError(left))
			return job_fail(s->job, "zstd: %s", ZSTD_getErrorName(left));
		if (sink_emit(s, s->obuf, out.pos) < 0)
			return -1;
	} while (end == ZSTD_e_end ? left != 0 : in.pos < in.size);
	return 0;
}

static int sink_compress(struct sink *s, const void *data, size_t n, bool last)
{
	switch (s->comp) {
	case OCI_COMP_GZIP:
		s->crc = libdeflate_crc32(s->crc, data, n);
		s->isize += n;
		if (oci_gz_write(s->gz, data, n) < 0 || (last && oci_gz_finish(s->gz) < 0))
			return s->job->err ? -1 : job_fail(s->job, "%s", oci_gz_error(s->gz));
		return 0;
	case OCI_COMP_ZSTD:
		return zstd_run(s, data, n, last ? ZSTD_e_end : ZSTD_e_continue);
	case OCI_COMP_NONE:
		return sink_emit(s, data, n);
	}
	return -1;
}

static int sink_flush(struct sink *s, bool last)
{
	int rc = sink_compress(s, s->tbuf, s->tlen, last);

	s->tlen = 0;
	return rc;
}

static int sink_write(struct sink *s, const void *data, size_t n)
{
	const char *p = data;

	EVP_DigestUpdate(s->tar_md, data, n);
	while (n) {
		size_t k = TBUF_SIZE - s->tlen;
		if (k > n)
			k = n;
		memcpy(s->tbuf + s->tlen, p, k);
		s->tlen += k;
		p += k;
		n -= k;
		if (s->tlen == TBUF_SIZE && sink_flush(s, false) < 0)
			return -1;
	}
	return 0;
}

static int gz_emit(void *ctx, const void *data, size_t n)
{
	return sink_emit(ctx, data, n);
}

static int sink_init(struct sink *s, struct job *job, int fd, enum oci_compression comp,
		     struct oci_zpool *pool)
{
	/* gzip member header: no name, mtime 0, no extra flags, OS unknown */
	static const unsigned char gzhdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};

	memset(s, 0, sizeof(*s));
	s->job = job;
	s->fd = fd;
	s->comp = comp;
	s->tar_md = md_new();
	s->blob_md = md_new();
	s->tbuf = xmalloc(TBUF_SIZE);
	s->obuf = xmalloc(OBUF_SIZE);
	s->dbuf = xmalloc(RBUF_SIZE);
	if (comp == OCI_COMP_GZIP) {
		s->gz = oci_gz_new(pool, gz_emit, s);
		s->crc = 0;
		return sink_emit(s, gzhdr, sizeof(gzhdr));
	}
	if (comp == OCI_COMP_ZSTD) {
		s->zc = ZSTD_createCCtx();
		if (!s->zc || ZSTD_isError(ZSTD_CCtx_setParameter(s->zc, ZSTD_c_compressionLevel, 3)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(s->zc, ZSTD_c_checksumFlag, 1)))
			return job_fail(job, "cannot initialise zstd");
	}
	return 0;
}

static int sink_finish(struct sink *s)
{
	unsigned char trailer[8];
	int i;

	if (sink_flush(s, true) < 0)
		return -1;
	if (s->comp == OCI_COMP_GZIP) {
		for (i = 0; i < 4; i++) {
			trailer[i] = (unsigned char)(s->crc >> (8 * i));
			trailer[4 + i] = (unsigned char)(s->isize >> (8 * i));
		}
		if (sink_emit(s, trailer, sizeof(trailer)) < 0)
			return -1;
	}
	return 0;
}

static void sink_release(struct sink *s)
{
	oci_gz_free(s->gz);
	ZSTD_freeCCtx(s->zc);
	EVP_MD_CTX_free(s->tar_md);
	EVP_MD_CTX_free(s->blob_md);
	free(s->tbuf);
	free(s->obuf);
	free(s->dbuf);
}

/* ---------------------------------------------------------------------------
 * Writing tar headers: ustar, with a pax extended header only when a value
 * does not fit. Every field is fixed, so equal entries give equal bytes.
 */
struct lent {
	char *path; /* normalised: no leading "/" or "./", no trailing "/" */
	char type;  /* 'f' file, 'd' directory, 'l' symlink, 'h' hardlink */
	unsigned mode;
	int64_t uid, gid;
	uint64_t size;
	char *link;   /* symlink target or hardlink path (normalised) */
	int tar;      /* index of the input tar; -1 synthesised; -2 generated */
	size_t ord;   /* entry ordinal in its tar, or index of the generated file */
	uint64_t off; /* offset of the data in its tar */
	bool sparse;  /* data not stored contiguously: read through libarchive */
	int src;      /* index of the source (for messages) */
};

static void octal(char *field, size_t width, uint64_t v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*" PRIo64, (int)(width - 1), v);
	memcpy(field, tmp, width - 1);
	field[width - 1] = '\0';
}

static void pax_add(struct strbuf *sb, const char *key, const char *val)
{
	size_t body = strlen(key) + strlen(val) + 3; /* ' ' '=' '\n' */
	size_t n = body + 1, digits;

	for (;;) {
		digits = (size_t)snprintf(NULL, 0, "%zu", n);
		if (body + digits == n)
			break;
		n = body + digits;
	}
	sb_addf(sb, "%zu %s=%s\n", n, key, val);
}

static int write_block_padded(struct sink *s, const void *data, size_t n)
{
	static const char zero[512];

	if (sink_write(s, data, n) < 0)
		return -1;
	return n % 512 ? sink_write(s, zero, 512 - n % 512) : 0;
}

static int raw_header(struct sink *s, const char *name, const char *prefix, char type, unsigned mode,
		      uint64_t uid, uint64_t gid, uint64_t size, long long mtime, const char *link)
{
	unsigned char h[512];
	unsigned sum = 0;
	size_t i;

	memset(h, 0, sizeof(h));
	memcpy(h, name, strlen(name) < 100 ? strlen(name) : 100);
	octal((char *)h + 100, 8, mode);
	octal((char *)h + 108, 8, uid);
	octal((char *)h + 116, 8, gid);
	octal((char *)h + 124, 12, size);
	octal((char *)h + 136, 12, (uint64_t)mtime);
	memset(h + 148, ' ', 8);
	h[156] = (unsigned char)type;
	if (link)
		memcpy(h + 157, link, strlen(link) < 100 ? strlen(link) : 100);
	memcpy(h + 257,
	       "ustar\0"
	       "00",
	       8);
	octal((char *)h + 329, 8, 0);
	octal((char *)h + 337, 8, 0);
	if (prefix)
		memcpy(h + 345, prefix, strlen(prefix) < 155 ? strlen(prefix) : 155);
	for (i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
	return sink_write(s, h, sizeof(h));
}

static int tar_header(struct sink *s, const struct lent *e, long long mtime)
{
	static const char types[] = {'f', '0', 'd', '5', 'l', '2', 'h', '1'};
	struct strbuf pax = STRBUF_INIT, name = STRBUF_INIT;
	const char *nm, *prefix = NULL, *link = e->link;
	char num[32], type = '0', *pre = NULL, *lnk = NULL, *trunc = NULL;
	uint64_t uid = (uint64_t)e->uid, gid = (uint64_t)e->gid, size = e->type == 'f' ? e->size : 0;
	size_t i, len;
	int rc;

	for (i = 0; i < sizeof(types); i += 2)
		if (types[i] == e->type)
			type = types[i + 1];
	sb_adds(&name, e->path);
	if (e->type == 'd')
		sb_addc(&name, '/');
	nm = name.buf;
	len = name.len;
	if (len > 100) {
		/* split at a '/' into prefix (<= 155) and name (<= 100) */
		for (i = len - 1; i > 0; i--)
			if (name.buf[i] == '/' && i <= 155 && len - i - 1 <= 100 && len - i - 1 > 0)
				break;
		if (i > 0 && name.buf[i] == '/') {
			pre = xstrndup(name.buf, i);
			prefix = pre;
			nm = name.buf + i + 1;
		} else {
			pax_add(&pax, "path", name.buf);
			trunc = xstrndup(name.buf, 100);
			nm = trunc;
		}
	}
	if (link && strlen(link) > 100) {
		/* libarchive wants a non-empty ustar linkname under a pax
		 * linkpath; like GNU tar and Python, keep its first 100 bytes */
		pax_add(&pax, "linkpath", link);
		lnk = xstrndup(link, 100);
		link = lnk;
	}
	if (size > 077777777777ull) {
		snprintf(num, sizeof(num), "%" PRIu64, size);
		pax_add(&pax, "size", num);
		size = 0;
	}
	if (uid > 07777777) {
		snprintf(num, sizeof(num), "%" PRIu64, uid);
		pax_add(&pax, "uid", num);
		uid = 0;
	}
	if (gid > 07777777) {
		snprintf(num, sizeof(num), "%" PRIu64, gid);
		pax_add(&pax, "gid", num);
		gid = 0;
	}
	rc = 0;
	if (pax.len)
		rc = raw_header(s, "././@PaxHeader", NULL, 'x', 0644, 0, 0, pax.len, mtime, NULL) < 0 ||
				     write_block_padded(s, pax.buf, pax.len) < 0
			     ? -1
			     : 0;
	if (rc == 0)
		rc = raw_header(s, nm, prefix, type, e->mode, uid, gid, size, mtime, link);
	free(pre);
	free(lnk);
	free(trunc);
	sb_release(&pax);
	sb_release(&name);
	return rc;
}

/* ---------------------------------------------------------------------------
 * Reading input tars.
 */
struct rd {
	struct job *job;
	const char *path;
	int fd;
	EVP_MD_CTX *md; /* NULL in pass 1 */
	struct archive *a;
	long long cur; /* ordinal of the last header read; -1 before the first */
	bool eof;      /* the last header was read */
	unsigned char *buf;
};

static la_ssize_t rd_read(struct archive *a, void *data, const void **buf)
{
	struct rd *r = data;
	ssize_t n;

	do
		n = read(r->fd, r->buf, RBUF_SIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read error");
		return -1;
	}
	if (r->md)
		EVP_DigestUpdate(r->md, r->buf, (size_t)n);
	*buf = r->buf;
	return n;
}

static la_int64_t rd_skip(struct archive *a, void *data, la_int64_t req)
{
	struct rd *r = data;

	(void)a;
	if (r->md || lseek(r->fd, req, SEEK_CUR) < 0)
		return 0;
	return req;
}

static int rd_open(struct rd *r)
{
	if (r->a) {
		archive_read_free(r->a);
		r->a = NULL;
	}
	if (lseek(r->fd, 0, SEEK_SET) < 0)
		return job_fail(r->job, "cannot seek '%s': %s", r->path, file_strerror(errno));
	if (r->md)
		EVP_DigestInit_ex(r->md, EVP_sha256(), NULL);
	r->cur = -1;
	r->eof = false;
	r->a = archive_read_new();
	if (!r->a)
		abort();
	archive_read_support_format_tar(r->a);
	archive_read_support_format_empty(r->a);
	archive_read_set_read_callback(r->a, rd_read);
	if (!r->md)
		archive_read_set_skip_callback(r->a, rd_skip);
	archive_read_set_callback_data(r->a, r);
	if (archive_read_open1(r->a) != ARCHIVE_OK)
		return job_fail(r->job, "cannot read '%s': %s", r->path, archive_error_string(r->a));
	return 0;
}

static int rd_init(struct rd *r, struct job *job, const char *path, bool hash)
{
	memset(r, 0, sizeof(*r));
	r->job = job;
	r->path = path;
	r->cur = -1;
	r->fd = open_regular(path, 0, NULL);
	r->buf = xmalloc(RBUF_SIZE);
	r->md = hash ? md_new() : NULL;
	if (r->fd < 0)
		return job_fail(job, "cannot open '%s': %s", path, file_strerror(errno));
	return 0;
}

static void rd_release(struct rd *r)
{
	if (r->a)
		archive_read_free(r->a);
	if (r->fd >= 0)
		close(r->fd);
	EVP_MD_CTX_free(r->md);
	free(r->buf);
}

/* Advance r to entry ord; reopen when it lies behind. */
static int rd_seek(struct rd *r, size_t ord, struct archive_entry **ae)
{
	int rc;

	if (!r->a || r->cur > (long long)ord)
		if (rd_open(r) < 0)
			return -1;
	while (r->cur < (long long)ord) {
		rc = archive_read_next_header(r->a, ae);
		if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
			return job_fail(r->job, "cannot read '%s': %s", r->path,
					rc == ARCHIVE_EOF ? "tar changed while reading"
							  : archive_error_string(r->a));
		r->cur++;
	}
	return 0;
}

/* Read the rest of the tar and compare its hash. */
static int rd_verify(struct rd *r, const char *digest)
{
	struct archive_entry *ae;
	char got[72];
	ssize_t n;
	int rc = ARCHIVE_EOF;

	if (!r->a && rd_open(r) < 0)
		return -1;
	while (!r->eof && ((rc = archive_read_next_header(r->a, &ae)) == ARCHIVE_OK || rc == ARCHIVE_WARN))
		r->cur++;
	if (!r->eof && rc != ARCHIVE_EOF)
		return job_fail(r->job, "cannot read '%s': %s", r->path, archive_error_string(r->a));
	r->eof = true;
	while ((n = read(r->fd, r->buf, RBUF_SIZE)) > 0)
		EVP_DigestUpdate(r->md, r->buf, (size_t)n);
	if (n < 0)
		return job_fail(r->job, "cannot read '%s': %s", r->path, file_strerror(errno));
	md_hex(r->md, got);
	if (digest && strcmp(got, digest) != 0)
		return job_fail(r->job, "'%s' does not match its digest %s (found %s)", r->path, digest, got);
	return 0;
}

/* ---------------------------------------------------------------------------
 * Pass 1: the entry list.
 */
struct plan {
	struct job *job;
	const struct oci_layer_src *const *srcs;
	size_t nsrcs;
	const char **tars, **digests; /* flattened over srcs */
	int *tar_src;
	size_t ntars;
	struct rd *rds;	 /* one per tar: pass 1 readers, descriptors kept for pass 2 */
	struct rd *srds; /* readers for sparse members, opened on demand */
	size_t nrds;
	const struct oci_file **files; /* flattened generated files */
	int *file_src;
	size_t nfiles;
	struct lent *e;
	size_t n, cap;
};

/* Normalise a member path; NULL when it is absolute after "./" stripping
 * would not help (".." components, empty components are collapsed). */
char *oci_norm_path(const char *in)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = in, *q;

	while (*p) {
		while (*p == '/')
			p++;
		q = strchr(p, '/');
		if (!q)
			q = p + strlen(p);
		if (q - p == 2 && p[0] == '.' && p[1] == '.') {
			sb_release(&sb);
			return NULL;
		}
		if (q > p && !(q - p == 1 && p[0] == '.')) {
			if (sb.len)
				sb_addc(&sb, '/');
			sb_add(&sb, p, (size_t)(q - p));
		}
		p = q;
	}
	return sb_detach(&sb, NULL);
}

static struct lent *plan_add(struct plan *pl)
{
	struct lent *e;

	xgrow((void **)&pl->e, &pl->cap, pl->n + 1, sizeof(*pl->e));
	e = &pl->e[pl->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* Every member passes the rules of member.h (a hand-made catalog gets no
 * pass for having been read before), as the source's metadata allows. */
static int collect_entry(struct plan *pl, int t, size_t ord, struct archive_entry *ae)
{
	static const char types[] = {
		[MEMBER_FILE] = 'f', [MEMBER_DIR] = 'd', [MEMBER_SYMLINK] = 'l', [MEMBER_HARDLINK] = 'h'};
	const struct oci_layer_src *src = pl->srcs[pl->tar_src[t]];
	struct member m;
	const char *why = NULL;
	char *path, *link;
	struct lent *e;

	member_from_entry(ae, &m);
	if (member_check(&m, src->allow_setuid ? MEMBER_ALLOW_SETUID : 0, &path, &link, &why) < 0)
		return job_fail(pl->job, "'%s': refused: member '%s' %s", pl->tars[t],
				m.name ? m.name : "(unnamed)", why);
	if (!*path) { /* the root directory itself */
		free(path);
		free(link);
		return 0;
	}
	e = plan_add(pl);
	e->path = path;
	e->type = types[m.type];
	e->link = m.type == MEMBER_SYMLINK ? xstrdup(m.link) : link;
	e->tar = t;
	e->ord = ord;
	e->src = pl->tar_src[t];
	e->mode = m.type == MEMBER_SYMLINK ? 0777 : m.mode;
	e->off = (uint64_t)archive_filter_bytes(pl->rds[t].a, 0);
	e->sparse = archive_entry_sparse_count(ae) > 0;
	e->uid = archive_entry_uid(ae);
	e->gid = archive_entry_gid(ae);
	if (m.type == MEMBER_FILE)
		e->size = (uint64_t)archive_entry_size(ae);
	if (e->uid < 0 || e->gid < 0)
		return job_fail(pl->job, "'%s': member '%s' has a negative owner", pl->tars[t], m.name);
	return 0;
}

static int collect_tar(struct plan *pl, int t)
{
	struct archive_entry *ae;
	struct rd *r = &pl->rds[t];
	size_t ord = 0;
	int ar;

	if (rd_init(r, pl->job, pl->tars[t], true) < 0 || rd_open(r) < 0)
		return -1;
	while ((ar = archive_read_next_header(r->a, &ae)) == ARCHIVE_OK || ar == ARCHIVE_WARN) {
		r->cur++;
		if (collect_entry(pl, t, ord++, ae) < 0)
			return -1;
	}
	if (ar != ARCHIVE_EOF)
		return job_fail(pl->job, "cannot read '%s': %s", pl->tars[t], archive_error_string(r->a));
	r->eof = true;
	return rd_verify(r, pl->digests[t]);
}

static int lent_cmp(const void *a, const void *b)
{
	const struct lent *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	/* sources in order; within one tar the later member wins, as on extraction */
	if (x->tar != y->tar)
		return (x->tar < 0 ? 1000000 : x->tar) < (y->tar < 0 ? 1000000 : y->tar) ? -1 : 1;
	return x->ord < y->ord ? 1 : x->ord > y->ord ? -1 : 0;
}

static int lent_find(const struct plan *pl, const char *path)
{
	size_t lo = 0, hi = pl->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(path, pl->e[mid].path);
		if (c == 0)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static void lent_free(struct lent *e)
{
	free(e->path);
	free(e->link);
}

static int dedup(struct plan *pl)
{
	size_t i, o = 0;

	for (i = 0; i < pl->n; i++) {
		struct lent *e = &pl->e[i], *k = o ? &pl->e[o - 1] : NULL;
		if (k && strcmp(k->path, e->path) == 0) {
			if (k->src != e->src && (k->type != e->type || k->size != e->size ||
						 (k->link && strcmp(k->link, e->link) != 0)))
				return job_fail(pl->job, "'%s' differs between %s and %s", e->path,
						pl->srcs[k->src]->name, pl->srcs[e->src]->name);
			lent_free(e);
			continue;
		}
		pl->e[o++] = *e;
	}
	pl->n = o;
	return 0;
}

/* Add every missing parent directory (0755, 0:0). */
static int add_parents(struct plan *pl)
{
	char **miss = NULL;
	size_t nmiss = 0, cap = 0, i, n = pl->n;

	for (i = 0; i < n; i++) {
		char *p = xstrdup(pl->e[i].path), *slash;
		while ((slash = strrchr(p, '/'))) {
			int k;
			*slash = '\0';
			k = lent_find(pl, p);
			if (k >= 0) {
				if (pl->e[k].type != 'd') {
					job_fail(pl->job, "'%s' is not a directory but holds '%s'", p,
						 pl->e[i].path);
					free(p);
					goto fail;
				}
				break;
			}
			xgrow((void **)&miss, &cap, nmiss + 1, sizeof(*miss));
			miss[nmiss++] = xstrdup(p);
		}
		free(p);
	}
	if (nmiss) /* miss is NULL when every parent is there */
		qsort(miss, nmiss, sizeof(*miss), cmp_strp);
	for (i = 0; i < nmiss; i++) {
		struct lent *e;
		if (i && strcmp(miss[i], pl->e[pl->n - 1].path) == 0) {
			free(miss[i]);
			continue;
		}
		e = plan_add(pl);
		e->path = miss[i];
		e->type = 'd';
		e->mode = 0755;
		e->tar = -1;
		e->src = -1;
	}
	free(miss);
	if (pl->n)
		qsort(pl->e, pl->n, sizeof(*pl->e), lent_cmp);
	return 0;
fail:
	for (i = 0; i < nmiss; i++)
		free(miss[i]);
	free(miss);
	return -1;
}

/* Hardlinks: the member of each group that sorts first carries the data,
 * so that every link follows its target in the stream. */
static int fix_hardlinks(struct plan *pl)
{
	size_t *carrier = xmalloc(pl->n * sizeof(*carrier)), i;
	int rc = -1;

	for (i = 0; i < pl->n; i++)
		carrier[i] = i;
	for (i = 0; i < pl->n; i++) {
		struct lent *e = &pl->e[i];
		int t;
		if (e->type != 'h')
			continue;
		t = lent_find(pl, e->link);
		if (t < 0 || pl->e[t].type != 'f') {
			job_fail(pl->job,
				 "hardlink '%s' points to '%s', which the layer does not hold as a file",
				 e->path, e->link);
			goto out;
		}
		if (i < carrier[t])
			carrier[t] = i;
	}
	for (i = 0; i < pl->n; i++) {
		struct lent *t = &pl->e[i], *c, tmp;
		size_t j;
		if (t->type != 'f' || carrier[i] == i)
			continue;
		c = &pl->e[carrier[i]];
		/* c takes t's data and metadata; t and the other members link to c */
		tmp = *t;
		free(c->link);
		c->type = 'f';
		c->link = NULL;
		c->mode = tmp.mode;
		c->uid = tmp.uid;
		c->gid = tmp.gid;
		c->size = tmp.size;
		c->tar = tmp.tar;
		c->ord = tmp.ord;
		c->off = tmp.off;
		c->sparse = tmp.sparse;
		t->type = 'h';
		t->size = 0;
		t->link = xstrdup(c->path);
		for (j = 0; j < pl->n; j++)
			if (j != carrier[i] && pl->e[j].type == 'h' && pl->e[j].link != t->link &&
			    strcmp(pl->e[j].link, tmp.path) == 0) {
				free(pl->e[j].link);
				pl->e[j].link = xstrdup(c->path);
			}
	}
	rc = 0;
out:
	free(carrier);
	return rc;
}

static void add_files(struct plan *pl)
{
	size_t i;

	for (i = 0; i < pl->nfiles; i++) {
		const struct oci_file *f = pl->files[i];
		char *path = oci_norm_path(f->path);
		struct lent *e;
		if (!path || !*path) {
			free(path);
			job_fail(pl->job, "generated file '%s' has an invalid path", f->path);
			return;
		}
		e = plan_add(pl);
		e->path = path;
		e->type = f->type == 'd' || f->type == 'l' ? f->type : 'f';
		e->mode = f->type == 'l' ? 0777 : f->mode ? f->mode & 07777 : f->type == 'd' ? 0755 : 0644;
		e->uid = f->uid;
		e->gid = f->gid;
		e->size = e->type == 'f' ? f->len : 0;
		if (f->type == 'l')
			e->link = xstrndup(f->data, f->len);
		e->tar = -2;
		e->ord = i;
		e->src = pl->file_src[i];
	}
}

static int plan_build(struct plan *pl)
{
	size_t i, j;

	for (i = 0; i < pl->nsrcs; i++) {
		const struct oci_layer_src *s = pl->srcs[i];
		for (j = 0; j < s->ntars; j++) {
			pl->tars = xrealloc(pl->tars, (pl->ntars + 1) * sizeof(*pl->tars));
			pl->digests = xrealloc(pl->digests, (pl->ntars + 1) * sizeof(*pl->digests));
			pl->tar_src = xrealloc(pl->tar_src, (pl->ntars + 1) * sizeof(*pl->tar_src));
			pl->tars[pl->ntars] = s->tars[j];
			pl->digests[pl->ntars] = s->tar_digests ? s->tar_digests[j] : NULL;
			pl->tar_src[pl->ntars++] = (int)i;
		}
		for (j = 0; j < s->nfiles; j++) {
			pl->files = xrealloc(pl->files, (pl->nfiles + 1) * sizeof(*pl->files));
			pl->file_src = xrealloc(pl->file_src, (pl->nfiles + 1) * sizeof(*pl->file_src));
			pl->files[pl->nfiles] = &s->files[j];
			pl->file_src[pl->nfiles++] = (int)i;
		}
	}
	pl->rds = xcalloc(pl->ntars ? pl->ntars : 1, sizeof(*pl->rds));
	pl->srds = xcalloc(pl->ntars ? pl->ntars : 1, sizeof(*pl->srds));
	for (i = 0; i < pl->ntars; i++) {
		pl->nrds = i + 1;
		if (collect_tar(pl, (int)i) < 0)
			return -1;
	}
	add_files(pl);
	if (pl->job->err)
		return -1;
	if (pl->n)
		qsort(pl->e, pl->n, sizeof(*pl->e), lent_cmp);
	if (dedup(pl) < 0 || add_parents(pl) < 0 || fix_hardlinks(pl) < 0)
		return -1;
	return 0;
}

static void plan_release(struct plan *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++)
		lent_free(&pl->e[i]);
	for (i = 0; i < pl->nrds; i++) {
		rd_release(&pl->rds[i]);
		if (pl->srds[i].buf)
			rd_release(&pl->srds[i]);
	}
	free(pl->rds);
	free(pl->srds);
	free(pl->e);
	free(pl->tars);
	free(pl->digests);
	free(pl->tar_src);
	free(pl->files);
	free(pl->file_src);
}

/* ---------------------------------------------------------------------------
 * Pass 2: the stream.
 */
/* Data of a sparse member, through a libarchive reader. */
static int copy_sparse(struct sink *s, struct plan *pl, const struct lent *e)
{
	struct rd *r = &pl->srds[e->tar];
	struct archive_entry *ae;
	uint64_t done = 0;
	la_ssize_t n;

	if (!r->buf && rd_init(r, s->job, pl->tars[e->tar], false) < 0)
		return -1;
	if (rd_seek(r, e->ord, &ae) < 0)
		return -1;
	while ((n = archive_read_data(r->a, s->dbuf, RBUF_SIZE)) > 0) {
		if (done + (uint64_t)n > e->size)
			break;
		if (sink_write(s, s->dbuf, (size_t)n) < 0)
			return -1;
		done += (uint64_t)n;
	}
	if (n < 0)
		return job_fail(s->job, "cannot read '%s' from '%s': %s", e->path, r->path,
				archive_error_string(r->a));
	if (done != e->size)
		return job_fail(s->job, "'%s' in '%s' changed size while reading", e->path, r->path);
	return 0;
}

/* Data of a plain member: its bytes at e->off. */
static int copy_plain(struct sink *s, struct plan *pl, const struct lent *e)
{
	const struct rd *r = &pl->rds[e->tar];
	uint64_t done = 0;

	while (done < e->size) {
		size_t want = e->size - done < RBUF_SIZE ? (size_t)(e->size - done) : RBUF_SIZE;
		ssize_t n = pread(r->fd, s->dbuf, want, (off_t)(e->off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return job_fail(s->job, "cannot read '%s' from '%s': %s", e->path, r->path,
					n < 0 ? file_strerror(errno) : "the tar is truncated");
		if (sink_write(s, s->dbuf, (size_t)n) < 0)
			return -1;
		done += (uint64_t)n;
	}
	return 0;
}

static int write_stream(struct plan *pl, struct sink *s, long long epoch)
{
	static const char zero[1024];
	size_t i;

	for (i = 0; i < pl->n; i++) {
		const struct lent *e = &pl->e[i];
		int rc;
		if (tar_header(s, e, epoch) < 0)
			return -1;
		if (e->type != 'f' || e->size == 0)
			continue;
		if (e->tar == -2)
			rc = sink_write(s, pl->files[e->ord]->data, e->size);
		else
			rc = e->sparse ? copy_sparse(s, pl, e) : copy_plain(s, pl, e);
		if (rc < 0)
			return -1;
		if (e->size % 512 && sink_write(s, zero, 512 - e->size % 512) < 0)
			return -1;
	}
	if (sink_write(s, zero, sizeof(zero)) < 0)
		return -1;
	return sink_finish(s);
}

int oci_layer_build(const struct oci_layer_src *const *srcs, size_t nsrcs, enum oci_compression comp,
		    long long epoch, const char *tmpdir, struct oci_zpool *pool, struct oci_layer_out *out,
		    char **err)
{
	struct job job = {NULL};
	struct plan pl;
	struct sink s;
	char *tmp = path_join(tmpdir, ".tmp-layer-XXXXXX");
	int fd = -1, rc = -1;

	memset(&pl, 0, sizeof(pl));
	memset(out, 0, sizeof(*out));
	pl.job = &job;
	pl.srcs = srcs;
	pl.nsrcs = nsrcs;
	memset(&s, 0, sizeof(s));
	if (plan_build(&pl) < 0)
		goto out;
	fd = mkstemp(tmp);
	if (fd < 0) {
		job_fail(&job, "cannot create a file in '%s': %s", tmpdir, file_strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0644) < 0) {
		job_fail(&job, "cannot chmod '%s': %s", tmp, file_strerror(errno));
		goto out;
	}
	if (sink_init(&s, &job, fd, comp, pool) < 0 || write_stream(&pl, &s, epoch) < 0)
		goto out;
	if (close(fd) < 0) {
		fd = -1;
		job_fail(&job, "cannot write '%s': %s", tmp, file_strerror(errno));
		goto out;
	}
	fd = -1;
	md_hex(s.tar_md, out->diff_id);
	md_hex(s.blob_md, out->digest);
	out->size = s.blob_size;
	out->tmp_path = tmp;
	tmp = NULL;
	rc = 0;
out:
	if (s.tar_md)
		sink_release(&s);
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	plan_release(&pl);
	free(tmp);
	*err = job.err;
	return rc;
}

int oci_layer_diff_id(const struct oci_layer_src *const *srcs, size_t nsrcs, long long epoch,
		      char diff_id[72], char **err)
{
	struct job job = {NULL};
	struct plan pl;
	struct sink s;
	int rc = -1;

	memset(&pl, 0, sizeof(pl));
	memset(&s, 0, sizeof(s));
	pl.job = &job;
	pl.srcs = srcs;
	pl.nsrcs = nsrcs;
	if (plan_build(&pl) == 0 && sink_init(&s, &job, -1, OCI_COMP_NONE, NULL) == 0 &&
	    write_stream(&pl, &s, epoch) == 0) {
		md_hex(s.tar_md, diff_id);
		rc = 0;
	}
	if (s.tar_md)
		sink_release(&s);
	plan_release(&pl);
	*err = job.err;
	return rc;
}
