/* fetch_http.c - http:// and https:// fetches through libcurl (opened on
 * first use, src/dynlib.c). Each thread of fetch_many has one handle,
 * which keeps its connection alive from file to file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "fetch_int.h"
#include "util.h"

#define CONNECT_TIMEOUT 30L /* seconds */
#define STALL_TIME	60L /* seconds below one byte a second */

/* One transfer into PATH.part. */
struct xfer {
	struct fetch_pool *pool;
	int fd;
	uint64_t have, limit;
	bool over, bad_write;
};

static size_t on_data(char *buf, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;

	if (x->have + n > x->limit) {
		x->over = true;
		return 0;
	}
	for (size_t off = 0; off < n;) {
		ssize_t w = write(x->fd, buf + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			x->bad_write = true;
			return 0;
		}
		off += (size_t)w;
	}
	x->have += n;
	fetch_count(x->pool, n);
	return n;
}

static void set_options(CURL *c, const char *url, struct xfer *x, char *errbuf, uint64_t start)
{
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, STALL_TIME);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "cpolc/" PACKAGE_VERSION);
	if (start)
		curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)start);
}

/* Where to start: the size of a PATH.part to resume, else 0. */
static uint64_t resume_at(const struct fetch_item *it, const char *part)
{
	struct stat st;

	if (!it->resume || stat(part, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return 0;
	if (it->size && (uint64_t)st.st_size >= it->size)
		return 0;
	return (uint64_t)st.st_size;
}

/* One attempt from start. 1: the server cannot resume, start over. */
static int attempt(CURL *c, struct fetch_pool *pool, struct fetch_item *it, const char *part, uint64_t start)
{
	struct xfer x = {pool, -1, start, it->size ? it->size : it->max ? it->max : UINT64_MAX, false, false};
	char errbuf[CURL_ERROR_SIZE] = "";
	long code = 0;
	CURLcode rc;

	x.fd = open(part, O_WRONLY | O_CREAT | O_CLOEXEC | (start ? O_APPEND : O_TRUNC), 0644);
	if (x.fd < 0) {
		fetch_fail(it, false, "cannot write '%s': %s", part, strerror(errno));
		return -1;
	}
	set_options(c, it->url, &x, errbuf, start);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	it->done = x.have;
	if (rc == CURLE_OK && fsync(x.fd) < 0)
		x.bad_write = true;
	close(x.fd);
	if (start && (rc == CURLE_RANGE_ERROR || code == 416 || (rc == CURLE_OK && code == 200)))
		return 1;
	if (rc == CURLE_OK && !x.bad_write)
		return fetch_finish(it, part);
	if (x.over)
		fetch_fail(it, false, "'%s' is larger than the %llu bytes expected", it->url,
			   (unsigned long long)x.limit);
	else if (x.bad_write)
		fetch_fail(it, false, "cannot write '%s': %s", part, strerror(errno));
	else if (rc == CURLE_HTTP_RETURNED_ERROR)
		fetch_fail(it, code == 404 || code == 410, "'%s': HTTP status %ld", it->url, code);
	else
		fetch_fail(it, false, "'%s': %s", it->url, *errbuf ? errbuf : curl_easy_strerror(rc));
	if (x.over || rc == CURLE_HTTP_RETURNED_ERROR)
		unlink(part);
	return -1;
}

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

int fetch_http(void **curl, struct fetch_pool *pool, struct fetch_item *it)
{
	char *part = xasprintf("%s.part", it->path);
	uint64_t start = resume_at(it, part);
	int r;

	pthread_once(&global_once, global_init);
	if (!*curl && !(*curl = curl_easy_init())) {
		fetch_fail(it, false, "cannot fetch '%s': libcurl failed to start", it->url);
		free(part);
		return -1;
	}
	fetch_count(pool, start);
	r = attempt(*curl, pool, it, part, start);
	if (r > 0) /* the server sends the whole file: start over */
		r = attempt(*curl, pool, it, part, 0);
	free(part);
	return r < 0 ? -1 : 0;
}

void fetch_http_end(void *curl)
{
	if (curl)
		curl_easy_cleanup(curl);
}
