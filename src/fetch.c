/* fetch.c - fetching URLs into files (fetch.h): file:// here, http(s)://
 * through libcurl (fetch_http.c). */
#include "config.h"

#include "fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fetch_int.h"
#include "util.h"

#define MAX_PARALLEL 16

bool fetch_supported(const char *url)
{
	return !strncmp(url, "file:", 5) || !strncmp(url, "http://", 7) || !strncmp(url, "https://", 8);
}

void fetch_item_release(struct fetch_item *it)
{
	free(it->error);
	it->error = NULL;
}

void fetch_fail(struct fetch_item *it, bool missing, const char *fmt, ...)
{
	va_list ap;

	free(it->error);
	va_start(ap, fmt);
	it->error = xvasprintf(fmt, ap);
	va_end(ap);
	it->status = -1;
	it->missing = missing;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* The path of a file: URL, %XX decoded; NULL when malformed. */
static char *file_path(const char *url)
{
	const char *p = url + 5;
	struct strbuf sb = STRBUF_INIT;

	if (!strncmp(p, "//", 2)) {
		p += 2;
		if (strncmp(p, "localhost/", 10) == 0)
			p += 9;
		else if (*p != '/')
			return NULL; /* another host */
	}
	if (*p != '/')
		return NULL;
	for (; *p; p++) {
		if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			char c = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			if (!c) {
				sb_release(&sb);
				return NULL;
			}
			sb_addc(&sb, c);
			p += 2;
		} else {
			sb_addc(&sb, *p);
		}
	}
	return sb_detach(&sb, NULL);
}

static int copy_fd(int in, int out, uint64_t limit, uint64_t *done)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (*done + (uint64_t)n > limit) {
			errno = EFBIG;
			return -1;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -1;
			off += w;
		}
		*done += (uint64_t)n;
	}
	return 0;
}

/* Move PATH.part to PATH once it is complete. */
int fetch_finish(struct fetch_item *it, const char *part)
{
	if (it->size && it->done != it->size) {
		fetch_fail(it, false, "'%s' has %llu bytes, expected %llu", it->url,
			   (unsigned long long)it->done, (unsigned long long)it->size);
		unlink(part);
		return -1;
	}
	if (rename(part, it->path) < 0) {
		fetch_fail(it, false, "cannot rename '%s': %s", part, strerror(errno));
		unlink(part);
		return -1;
	}
	it->status = 0;
	return 0;
}

static int fetch_file(struct fetch_item *it)
{
	char *src = file_path(it->url), *part = xasprintf("%s.part", it->path);
	uint64_t limit = it->size ? it->size : it->max;
	int in = -1, out = -1, rc = -1;

	it->done = 0;
	if (!src) {
		fetch_fail(it, false, "malformed file URL '%s'", it->url);
		goto out;
	}
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		fetch_fail(it, errno == ENOENT, "cannot read '%s': %s", src, strerror(errno));
		goto out;
	}
	out = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0 || copy_fd(in, out, limit ? limit : UINT64_MAX, &it->done) < 0 || fsync(out) < 0) {
		if (errno == EFBIG)
			fetch_fail(it, false, "'%s' is larger than the %llu bytes expected", it->url,
				   (unsigned long long)limit);
		else
			fetch_fail(it, false, "cannot copy '%s': %s", src, strerror(errno));
		unlink(part);
		goto out;
	}
	close(out);
	out = -1;
	rc = fetch_finish(it, part);
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	free(src);
	free(part);
	return rc;
}

/* One item, in the calling thread (with its curl handle). */
static int fetch_any(void **curl, struct fetch_pool *pool, struct fetch_item *it)
{
	free(it->error);
	it->error = NULL;
	it->status = -1;
	it->missing = false;
	if (!strncmp(it->url, "file:", 5))
		it->status = fetch_file(it);
	else if (!strncmp(it->url, "http://", 7) || !strncmp(it->url, "https://", 8))
		it->status = fetch_http(curl, pool, it);
	else
		fetch_fail(it, false, "unsupported URL '%s' (file://, http:// and https:// are)", it->url);
	return it->status;
}

int fetch_one(struct fetch_item *it)
{
	void *curl = NULL;
	int rc = fetch_any(&curl, NULL, it);

	fetch_http_end(curl);
	return rc;
}

/* ---- many at once --------------------------------------------------------------- */

struct fetch_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* an item finished */
	struct fetch_item *v;
	size_t n, next;
	bool *finished;
	fetch_progress_fn progress;
	void *progress_ctx;
	fetch_done_fn work;
	void *ctx;
	uint64_t bytes, total;
	size_t files;
	struct timespec shown;
};

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Under the mutex: show the progress at most ten times a second. */
static void show(struct fetch_pool *pool, bool force)
{
	if (!pool->progress || (!force && seconds_since(&pool->shown) < 0.1))
		return;
	pool->progress(pool->progress_ctx, pool->bytes, pool->total, pool->files, pool->n);
	clock_gettime(CLOCK_MONOTONIC, &pool->shown);
}

void fetch_count(struct fetch_pool *pool, uint64_t bytes)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->mu);
	pool->bytes += bytes;
	show(pool, false);
	pthread_mutex_unlock(&pool->mu);
}

static void *worker(void *arg)
{
	struct fetch_pool *pool = arg;
	void *curl = NULL;

	for (;;) {
		size_t i;
		pthread_mutex_lock(&pool->mu);
		i = pool->next < pool->n ? pool->next++ : SIZE_MAX;
		pthread_mutex_unlock(&pool->mu);
		if (i == SIZE_MAX)
			break;
		if (pool->v[i].have)
			pool->v[i].status = 0;
		else
			fetch_any(&curl, pool, &pool->v[i]);
		if (pool->v[i].status == 0 && pool->work)
			pool->work(pool->ctx, i);
		pthread_mutex_lock(&pool->mu);
		pool->finished[i] = true;
		pool->files++;
		if (!strncmp(pool->v[i].url, "file:", 5))
			pool->bytes += pool->v[i].done;
		show(pool, true);
		pthread_cond_broadcast(&pool->cv);
		pthread_mutex_unlock(&pool->mu);
	}
	fetch_http_end(curl);
	return NULL;
}

size_t fetch_many(struct fetch_item *v, size_t n, unsigned parallel, const struct fetch_hooks *hooks)
{
	struct fetch_pool pool = {.mu = PTHREAD_MUTEX_INITIALIZER,
				  .cv = PTHREAD_COND_INITIALIZER,
				  .v = v,
				  .n = n,
				  .progress = hooks ? hooks->progress : NULL,
				  .progress_ctx = hooks ? hooks->progress_ctx : NULL,
				  .work = hooks ? hooks->work : NULL,
				  .ctx = hooks ? hooks->ctx : NULL};
	size_t nth = parallel > MAX_PARALLEL ? MAX_PARALLEL
		     : parallel		     ? parallel
					     : 1,
	       started = 0, failed = 0;
	pthread_t th[MAX_PARALLEL];

	pool.finished = xcalloc(n + 1, sizeof(*pool.finished));
	for (size_t i = 0; i < n; i++)
		pool.total += v[i].size;
	clock_gettime(CLOCK_MONOTONIC, &pool.shown);
	for (size_t i = 0; i < nth && i < n; i++)
		if (pthread_create(&th[started], NULL, worker, &pool) == 0)
			started++;
	if (!started && n)
		worker(&pool); /* no thread: fetch them here */
	for (size_t i = 0; i < n; i++) {
		pthread_mutex_lock(&pool.mu);
		while (!pool.finished[i])
			pthread_cond_wait(&pool.cv, &pool.mu);
		pthread_mutex_unlock(&pool.mu);
		failed += v[i].status < 0;
		if (hooks && hooks->done)
			hooks->done(hooks->ctx, i);
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(pool.finished);
	return failed;
}
