/* fetch.c - fetching URLs into files (fetch.h): file:// here, http(s)://
 * through libcurl (fetch_http.c). */
#include "config.h"

#include "fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetch_int.h"
#include "util.h"

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
		fetch_fail(it, false,
			   errno == EFBIG ? "'%s' is larger than expected" : "cannot copy '%s': %s", src,
			   strerror(errno));
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

int fetch_one(struct fetch_item *it)
{
	free(it->error);
	it->error = NULL;
	it->status = -1;
	it->missing = false;
	if (!strncmp(it->url, "file:", 5))
		return it->status = fetch_file(it);
	if (!strncmp(it->url, "http://", 7) || !strncmp(it->url, "https://", 8)) {
		struct fetch_item *one = it;
		struct fetch_http_progress hp = {NULL, NULL, 0, 0, 0, 1};
		return fetch_http_many(&one, 1, 1, &hp) ? -1 : 0;
	}
	fetch_fail(it, false, "unsupported URL '%s' (file://, http:// and https:// are)", it->url);
	return -1;
}

size_t fetch_many(struct fetch_item *v, size_t n, unsigned parallel, fetch_progress_fn progress, void *ctx)
{
	size_t failed = 0, files = 0, nhttp = 0, total_files = n;
	uint64_t bytes = 0, total = 0;
	struct fetch_item **http = xcalloc(n + 1, sizeof(*http));

	for (size_t i = 0; i < n; i++)
		total += v[i].size;
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(v[i].url, "http://", 7) || !strncmp(v[i].url, "https://", 8)) {
			http[nhttp++] = &v[i];
			continue;
		}
		if (fetch_one(&v[i]) < 0)
			failed++;
		bytes += v[i].done;
		files++;
		if (progress)
			progress(ctx, bytes, total, files, total_files);
	}
	if (nhttp) {
		struct fetch_http_progress hp = {progress, ctx, bytes, total, files, total_files};
		for (size_t i = 0; i < nhttp; i++) {
			free(http[i]->error);
			http[i]->error = NULL;
			http[i]->status = -1;
			http[i]->missing = false;
		}
		failed += fetch_http_many(http, nhttp, parallel ? parallel : 1, &hp);
	}
	free(http);
	return failed;
}
