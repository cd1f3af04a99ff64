/* oci_deflate.c - one raw deflate stream per layer, compressed by libdeflate
 * in parallel chunks.
 *
 * A layer of at most OCI_GZ_WHOLE bytes is deflated in one call. A larger
 * one is cut into OCI_GZ_CHUNK pieces that a pool of threads compresses
 * independently; each piece but the last is then made joinable the way
 * zlib's gzappend.c example does it: inflate it with Z_BLOCK to find where
 * its last block starts and ends, clear that block's BFINAL bit and append
 * an empty stored block, which ends the piece on a byte boundary. The
 * pieces concatenated are one standard deflate stream. Chunk boundaries are
 * fixed offsets of the stream, so the bytes depend only on the input, never
 * on the number of threads. At most a few chunks are in flight per layer,
 * so memory stays bounded whatever the layer's size.
 *
 * Buffers of a MiB or more are mapped with mmap(2) and unmapped when done:
 * through malloc, glibc's sliding mmap threshold would keep them in the
 * threads' arenas after the first one is freed, and the peak of resident
 * memory would grow with the size of the largest layer. A stream's buffer
 * is mapped at its full size once: only the pages written count; when a
 * layer turns out larger than OCI_GZ_WHOLE, each chunk's pages are given
 * back as the chunk is moved out of it.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <libdeflate.h>
#include <zlib.h>

#include "oci_int.h"
#include "util.h"

#define LEVEL	1
#define SCRATCH (1u << 16)
#define BIG	(1u << 20) /* buffers this large are mapped */

static void *big_alloc(size_t n)
{
	void *p;

	if (n < BIG)
		return xmalloc(n);
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		abort(); /* out of memory, as in xmalloc */
	return p;
}

static void big_free(void *p, size_t n)
{
	if (!p)
		return;
	if (n < BIG)
		free(p);
	else
		munmap(p, n);
}

struct zchunk {
	unsigned char *in, *out;
	size_t inlen, outlen;
	size_t incap, outcap; /* allocated sizes, for big_free */
	bool last, done;
	const char *err;      /* static text */
	struct zchunk *qnext; /* pool queue */
	struct zchunk *fnext; /* the stream's in-flight FIFO */
};

struct oci_zpool {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct zchunk *head, *tail;
	bool stop;
	pthread_t *th;
	int nth;
};

/* Bit offsets, in a complete raw deflate stream d[0..n), of its last
 * block's header and of the end of that block. 0 or -1. */
static int last_block(const unsigned char *d, size_t n, uint64_t *hdr, uint64_t *end, unsigned char *scratch)
{
	z_stream z;
	uint64_t pos = 0, bit;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -15) != Z_OK)
		return -1;
	z.next_in = (Bytef *)d;
	z.avail_in = (uInt)n;
	/* With Z_BLOCK inflate stops after each block (data_type & 128, its
	 * low bits the unused bits of the last byte read); after the final
	 * block it stops once more with 64 set, before skipping the padding. */
	for (;;) {
		z.next_out = scratch;
		z.avail_out = SCRATCH;
		rc = inflate(&z, Z_BLOCK);
		if (rc != Z_OK) {
			inflateEnd(&z);
			return -1;
		}
		if (!(z.data_type & 128))
			continue;
		bit = (uint64_t)z.total_in * 8 - (uint64_t)(z.data_type & 7);
		if (z.data_type & 64) {
			*hdr = pos;
			*end = bit;
			break;
		}
		pos = bit;
	}
	inflateEnd(&z);
	return 0;
}

static void chunk_run(struct zchunk *c, struct libdeflate_compressor *cmp, unsigned char *scratch)
{
	size_t bound = libdeflate_deflate_compress_bound(cmp, c->inlen);
	uint64_t hdr, end;
	size_t n;

	c->outcap = bound + 8;
	c->out = big_alloc(c->outcap);
	n = libdeflate_deflate_compress(cmp, c->in, c->inlen, c->out, bound);
	if (n == 0) {
		c->err = "libdeflate failed";
		return;
	}
	c->outlen = n;
	if (c->last)
		return;
	if (last_block(c->out, n, &hdr, &end, scratch) < 0 || end > (uint64_t)n * 8) {
		c->err = "cannot find the last deflate block";
		return;
	}
	/* not final any more, then an empty stored block: 3 zero header bits,
	 * zero padding to the byte boundary, LEN 0000, NLEN ffff */
	c->out[hdr / 8] &= (unsigned char)~(1u << (hdr % 8));
	n = (size_t)((end + 3 + 7) / 8);
	if (end % 8)
		c->out[end / 8] &= (unsigned char)((1u << (end % 8)) - 1);
	memset(c->out + (end + 7) / 8, 0, n - (size_t)((end + 7) / 8));
	memcpy(c->out + n, "\0\0\xff\xff", 4);
	c->outlen = n + 4;
}

static void *pool_main(void *arg)
{
	struct oci_zpool *p = arg;
	struct libdeflate_compressor *cmp = libdeflate_alloc_compressor(LEVEL);
	unsigned char *scratch = xmalloc(SCRATCH);

	if (!cmp)
		abort();
	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct zchunk *c;
		while (!p->head && !p->stop)
			pthread_cond_wait(&p->work, &p->mu);
		if (!p->head)
			break;
		c = p->head;
		p->head = c->qnext;
		if (!p->head)
			p->tail = NULL;
		pthread_mutex_unlock(&p->mu);
		chunk_run(c, cmp, scratch);
		pthread_mutex_lock(&p->mu);
		c->done = true;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	libdeflate_free_compressor(cmp);
	free(scratch);
	return NULL;
}

struct oci_zpool *oci_zpool_new(int threads)
{
	struct oci_zpool *p;
	int i;

	if (threads <= 1)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->th = xcalloc((size_t)threads, sizeof(*p->th));
	for (i = 0; i < threads; i++)
		if (pthread_create(&p->th[i], NULL, pool_main, p) != 0)
			break;
	p->nth = i;
	if (i == 0) { /* no thread: compress inline */
		oci_zpool_free(p);
		return NULL;
	}
	return p;
}

void oci_zpool_free(struct oci_zpool *p)
{
	int i;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p->th);
	free(p);
}

/* ---------------------------------------------------------------------------
 * One stream.
 */
struct oci_gz {
	struct oci_zpool *pool;
	oci_gz_emit_fn emit;
	void *ctx;
	unsigned char *buf; /* input not yet submitted */
	size_t len, cap;
	bool whole; /* everything so far is in buf */
	struct zchunk *fhead, *ftail;
	size_t inflight;
	const char *err;
};

struct oci_gz *oci_gz_new(struct oci_zpool *pool, oci_gz_emit_fn emit, void *ctx)
{
	struct oci_gz *g = xcalloc(1, sizeof(*g));

	g->pool = pool;
	g->emit = emit;
	g->ctx = ctx;
	g->whole = true;
	return g;
}

static size_t max_inflight(const struct oci_gz *g)
{
	return g->pool ? (size_t)g->pool->nth + 1 : 1;
}

static void chunk_free(struct zchunk *c)
{
	big_free(c->in, c->incap);
	big_free(c->out, c->outcap);
	free(c);
}

/* Wait for the oldest chunk, emit it, free it. */
static int pop_oldest(struct oci_gz *g)
{
	struct zchunk *c = g->fhead;
	int rc = 0;

	if (g->pool) {
		pthread_mutex_lock(&g->pool->mu);
		while (!c->done)
			pthread_cond_wait(&g->pool->done, &g->pool->mu);
		pthread_mutex_unlock(&g->pool->mu);
	}
	g->fhead = c->fnext;
	if (!g->fhead)
		g->ftail = NULL;
	g->inflight--;
	if (c->err) {
		g->err = c->err;
		rc = -1;
	} else if (!g->err && g->emit(g->ctx, c->out, c->outlen) < 0) {
		rc = -1;
	}
	chunk_free(c);
	return rc;
}

/* Hand in[0..len) (allocated size cap, by big_alloc) to a chunk. */
static int submit(struct oci_gz *g, unsigned char *in, size_t len, size_t cap, bool last)
{
	struct zchunk *c = xcalloc(1, sizeof(*c));

	c->in = in;
	c->inlen = len;
	c->incap = cap;
	c->last = last;
	while (g->inflight >= max_inflight(g))
		if (pop_oldest(g) < 0)
			return -1;
	if (g->ftail)
		g->ftail->fnext = c;
	else
		g->fhead = c;
	g->ftail = c;
	g->inflight++;
	if (!g->pool) {
		struct libdeflate_compressor *cmp = libdeflate_alloc_compressor(LEVEL);
		unsigned char *scratch = xmalloc(SCRATCH);
		if (!cmp)
			abort();
		chunk_run(c, cmp, scratch);
		c->done = true;
		libdeflate_free_compressor(cmp);
		free(scratch);
		return 0;
	}
	pthread_mutex_lock(&g->pool->mu);
	if (g->pool->tail)
		g->pool->tail->qnext = c;
	else
		g->pool->head = c;
	g->pool->tail = c;
	pthread_cond_signal(&g->pool->work);
	pthread_mutex_unlock(&g->pool->mu);
	return 0;
}

/* Submit every full chunk of buf, keeping the remainder. */
static int submit_full(struct oci_gz *g)
{
	size_t off = 0;

	while (g->len - off >= OCI_GZ_CHUNK) {
		unsigned char *in = big_alloc(OCI_GZ_CHUNK);
		memcpy(in, g->buf + off, OCI_GZ_CHUNK);
		if (g->cap >= BIG) /* moved, not copied: give the pages back */
			madvise(g->buf + off, OCI_GZ_CHUNK, MADV_DONTNEED);
		off += OCI_GZ_CHUNK;
		if (submit(g, in, OCI_GZ_CHUNK, OCI_GZ_CHUNK, false) < 0)
			return -1;
	}
	memmove(g->buf, g->buf + off, g->len - off);
	g->len -= off;
	return 0;
}

int oci_gz_write(struct oci_gz *g, const void *data, size_t n)
{
	const unsigned char *p = data;

	while (n) {
		size_t room = (g->whole ? OCI_GZ_WHOLE : OCI_GZ_CHUNK) - g->len, k = n < room ? n : room;
		if (!g->buf) {
			g->cap = g->whole ? OCI_GZ_WHOLE : OCI_GZ_CHUNK;
			g->buf = big_alloc(g->cap);
		}
		memcpy(g->buf + g->len, p, k);
		g->len += k;
		p += k;
		n -= k;
		if (n == 0)
			break;
		/* buf is full and more comes: chunked from here on */
		if (submit_full(g) < 0)
			return -1;
		if (g->whole) { /* the whole-stream buffer is not needed any more */
			unsigned char *b = big_alloc(OCI_GZ_CHUNK);
			memcpy(b, g->buf, g->len);
			big_free(g->buf, g->cap);
			g->buf = b;
			g->cap = OCI_GZ_CHUNK;
			g->whole = false;
		}
	}
	return 0;
}

int oci_gz_finish(struct oci_gz *g)
{
	int rc = 0;

	if (!g->whole && submit_full(g) < 0)
		rc = -1;
	if (rc == 0) {
		unsigned char *in = g->buf;
		size_t len = g->len, cap = g->cap;
		g->buf = NULL;
		g->len = g->cap = 0;
		rc = submit(g, in, len, cap, true);
	}
	while (g->fhead)
		if (pop_oldest(g) < 0)
			rc = -1;
	return rc;
}

const char *oci_gz_error(const struct oci_gz *g)
{
	return g->err;
}

void oci_gz_free(struct oci_gz *g)
{
	if (!g)
		return;
	if (!g->err)
		g->err = "aborted"; /* drain without emitting */
	while (g->fhead)
		pop_oldest(g);
	big_free(g->buf, g->cap);
	free(g);
}
