/* serve_log.c - the append-only logs of cpolc serve. */
#include "config.h"

#include "serve_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int serve_log_open(struct serve_log *l, const char *path, struct diag *d)
{
	struct stat st;
	char last;

	l->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (l->fd < 0 || fstat(l->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		diag_file_error(d, path, 0, 0, "serve", "cannot open '%s' for appending: %s", path,
				l->fd < 0 ? file_strerror(errno) : "not a regular file");
		if (l->fd >= 0)
			close(l->fd);
		l->fd = -1;
		return -1;
	}
	/* a line cut short by a crash stays alone on its line */
	if (st.st_size > 0) {
		int rfd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (rfd >= 0 && pread(rfd, &last, 1, st.st_size - 1) == 1 && last != '\n')
			(void)!write(l->fd, "\n", 1);
		if (rfd >= 0)
			close(rfd);
	}
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->synced_cond, NULL);
	l->written = l->synced = 0;
	l->syncing = l->failed = false;
	return 0;
}

void serve_log_close(struct serve_log *l)
{
	if (l->fd < 0)
		return;
	close(l->fd);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->synced_cond);
	l->fd = -1;
}

int serve_log_append(struct serve_log *l, const char *line)
{
	size_t n = strlen(line);
	char *buf = xmalloc(n + 1);
	uint64_t mine;
	int rc = 0;

	memcpy(buf, line, n);
	buf[n] = '\n';
	pthread_mutex_lock(&l->lock);
	if (l->failed || write(l->fd, buf, n + 1) != (ssize_t)(n + 1))
		l->failed = true;
	mine = ++l->written;
	/* group commit: one thread syncs what every thread wrote so far */
	while (!l->failed && l->synced < mine) {
		if (l->syncing) {
			pthread_cond_wait(&l->synced_cond, &l->lock);
			continue;
		}
		uint64_t upto = l->written;
		l->syncing = true;
		pthread_mutex_unlock(&l->lock);
		rc = fdatasync(l->fd);
		pthread_mutex_lock(&l->lock);
		l->syncing = false;
		if (rc < 0)
			l->failed = true;
		else
			l->synced = upto;
		pthread_cond_broadcast(&l->synced_cond);
	}
	rc = l->failed ? -1 : 0;
	pthread_mutex_unlock(&l->lock);
	free(buf);
	return rc;
}

void serve_now(char out[32])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
