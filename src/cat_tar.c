/* cat_tar.c - the file tree of a primitive being added, and its canonical tar.
 *
 * Entries are collected from files, directories and archives (member data is
 * copied to an unlinked spool file, never held in memory), checked for
 * hostile content, then written as one pax tar: entries sorted bytewise by
 * path, parent directories present (0755 when implied), owner 0:0, no user
 * or group names, mtime 0, no xattrs, atime or ctime, permission bits kept
 * as given (masked to 07777, independent of the umask). Hardlinked files
 * are written once, at the bytewise-smallest path of the group, and the
 * other paths link to it, so the data always comes before its links.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "cat_int.h"
#include "member.h"

#define MAX_DEPTH 256

void tree_init(struct tree *t, const char *tmpdir, bool allow_setuid)
{
	memset(t, 0, sizeof(*t));
	t->spool_fd = -1;
	t->tmpdir = xstrdup(tmpdir);
	t->allow_setuid = allow_setuid;
}

static void tent_release(struct tent *e)
{
	free(e->path);
	free(e->link);
	free(e->src);
}

void tree_release(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		tent_release(&t->v[i]);
	free(t->v);
	for (size_t i = 0; i < t->norigins; i++)
		free(t->origins[i]);
	free(t->origins);
	if (t->spool_fd >= 0)
		close(t->spool_fd);
	free(t->tmpdir);
	memset(t, 0, sizeof(*t));
	t->spool_fd = -1;
}

static char *origin(struct tree *t, const char *s)
{
	xgrow((void **)&t->origins, &t->caporigins, t->norigins + 1, sizeof(*t->origins));
	return t->origins[t->norigins++] = xstrdup(s);
}

static struct tent *add_entry(struct tree *t, char *path, enum tent_type type, unsigned mode,
			      const char *orig)
{
	struct tent *e;

	xgrow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v));
	e = &t->v[t->n++];
	memset(e, 0, sizeof(*e));
	e->path = path;
	e->type = type;
	e->mode = mode & 07777;
	e->origin = (char *)orig;
	return e;
}

static int hostile(struct diag *d, const char *orig, const char *member, const char *why)
{
	diag_file_error(d, orig, 0, 0, CAT_HOSTILE, "refused: member '%s' %s", member, why);
	return -1;
}

/* ---- archives ------------------------------------------------------------- */

static int spool_open(struct tree *t, struct diag *d)
{
	char *tmp;

	if (t->spool_fd >= 0)
		return 0;
	tmp = xasprintf("%s/.spool.XXXXXX", t->tmpdir);
	t->spool_fd = mkstemp(tmp);
	if (t->spool_fd < 0) {
		diag_file_error(d, tmp, 0, 0, CAT_RULE, "cannot create a temporary file: %s",
				file_strerror(errno));
		free(tmp);
		return -1;
	}
	unlink(tmp);
	free(tmp);
	return 0;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int spool_member(struct tree *t, struct archive *a, struct tent *e, int64_t want, const char *orig,
			struct diag *d)
{
	char buf[65536];
	la_ssize_t n;
	uint64_t got = 0;

	if (spool_open(t, d) < 0)
		return -1;
	e->spool_off = t->spool_len;
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		if (tree_over_cap(a, &t->limits, t->packed, orig, d))
			return -2;
		if (write_all(t->spool_fd, buf, (size_t)n) < 0) {
			diag_file_error(d, orig, 0, 0, CAT_RULE, "cannot write a temporary file: %s",
					file_strerror(errno));
			return -1;
		}
		got += (uint64_t)n;
	}
	if (n < 0) {
		diag_file_error(d, orig, 0, 0, CAT_RULE, "cannot read member '%s': %s", e->path,
				archive_error_string(a));
		return -1;
	}
	if (want >= 0 && got != (uint64_t)want) {
		diag_file_error(d, orig, 0, 0, CAT_RULE, "member '%s' is truncated", e->path);
		return -1;
	}
	e->size = got;
	t->spool_len += got;
	return 0;
}

static int add_member(struct tree *t, struct archive *a, struct archive_entry *ae, const char *orig,
		      struct diag *d)
{
	static const enum tent_type types[] = {[MEMBER_FILE] = TENT_FILE,
					       [MEMBER_DIR] = TENT_DIR,
					       [MEMBER_SYMLINK] = TENT_SYMLINK,
					       [MEMBER_HARDLINK] = TENT_HARDLINK};
	struct member m;
	const char *why = NULL;
	char *path, *link;
	struct tent *e;

	member_from_entry(ae, &m);
	if (member_check(&m, t->allow_setuid ? MEMBER_ALLOW_SETUID : 0, &path, &link, &why) < 0)
		return hostile(d, orig, m.name ? m.name : "(unnamed)", why);
	if (!*path) { /* the root directory itself */
		free(path);
		free(link);
		return 0;
	}
	e = add_entry(t, path, types[m.type], m.type == MEMBER_SYMLINK ? 0777 : m.mode, orig);
	e->link = m.type == MEMBER_SYMLINK ? xstrdup(m.link) : link;
	if (m.type != MEMBER_FILE || t->headers_only)
		return 0;
	return spool_member(t, a, e, archive_entry_size_is_set(ae) ? archive_entry_size(ae) : -1, orig, d);
}

uint64_t tree_cap(const struct cat_limits *limits, uint64_t packed)
{
	uint64_t max = limits->max_size ? limits->max_size : CAT_DEFAULT_MAX_SIZE;
	uint64_t ratio = limits->max_ratio ? limits->max_ratio : CAT_DEFAULT_MAX_RATIO, by_ratio;

	if (!packed)
		return max;
	by_ratio = packed > UINT64_MAX / ratio ? UINT64_MAX : packed * ratio;
	if (by_ratio < CAT_RATIO_FLOOR)
		by_ratio = CAT_RATIO_FLOOR;
	return by_ratio < max ? by_ratio : max;
}

bool tree_over_cap(struct archive *a, const struct cat_limits *limits, uint64_t packed, const char *origin,
		   struct diag *d)
{
	uint64_t cap = tree_cap(limits, packed),
		 max = limits->max_size ? limits->max_size : CAT_DEFAULT_MAX_SIZE;
	la_int64_t got = archive_filter_bytes(a, 0);

	if (got < 0 || (uint64_t)got <= cap)
		return false;
	if (cap == max)
		diag_file_error(d, origin, 0, 0, CAT_RULE,
				"refused: '%s' expands to more than %" PRIu64
				" bytes (the size limit of an import)",
				origin, max);
	else
		diag_file_error(d, origin, 0, 0, CAT_RULE,
				"refused: '%s' expands to more than %u times its %" PRIu64
				" bytes (the ratio limit of an import)",
				origin, limits->max_ratio ? limits->max_ratio : CAT_DEFAULT_MAX_RATIO,
				packed);
	return true;
}

int tree_drain(struct archive *a, const struct cat_limits *limits, uint64_t packed, const char *origin,
	       struct diag *d)
{
	char buf[65536];
	la_ssize_t n;

	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
		if (tree_over_cap(a, limits, packed, origin, d))
			return -1;
	if (n < 0) {
		diag_file_error(d, origin, 0, 0, CAT_RULE, "cannot read archive: %s",
				archive_error_string(a));
		return -1;
	}
	return 0;
}

int tree_add_archive(struct tree *t, struct archive *a, const char *orig_name, uint64_t packed,
		     struct diag *d)
{
	struct archive_entry *ae;
	const char *orig = origin(t, orig_name);
	int r, rc = 0, m;

	t->packed = packed;
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		if (tree_over_cap(a, &t->limits, packed, orig, d))
			return -1;
		m = add_member(t, a, ae, orig, d);
		if (m == -2) /* over the cap: stop reading */
			return -1;
		if (m < 0)
			rc = -1;
		/* data a member should not have (a directory's) is read, not
		 * skipped inside libarchive, so that the cap holds */
		if (!t->headers_only && tree_drain(a, &t->limits, packed, orig, d) < 0)
			return -1;
	}
	if (r != ARCHIVE_EOF) {
		diag_file_error(d, orig, 0, 0, CAT_RULE, "cannot read archive: %s", archive_error_string(a));
		return -1;
	}
	return rc;
}

/* ---- files and directories ------------------------------------------------ */

static char *join_dest(const char *dest, const char *rel)
{
	if (!*dest)
		return xstrdup(rel);
	if (!*rel)
		return xstrdup(dest);
	return xasprintf("%s/%s", dest, rel);
}

static int add_fs(struct tree *t, const char *src, const char *dest, const char *orig, int depth, bool top,
		  struct diag *d);

static int cmp_dirent(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_dir(struct tree *t, const char *src, const char *dest, const char *orig, int depth,
		   struct diag *d)
{
	DIR *dir = opendir(src);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!dir) {
		diag_file_error(d, src, 0, 0, CAT_RULE, "cannot open directory: %s", file_strerror(errno));
		return -1;
	}
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		xgrow((void **)&names, &cap, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), cmp_dirent);
	for (size_t i = 0; i < n; i++) {
		char *s = path_join(src, names[i]), *dd = join_dest(dest, names[i]);
		if (add_fs(t, s, dd, orig, depth + 1, false, d) < 0)
			rc = -1;
		free(s);
		free(dd);
		free(names[i]);
	}
	free(names);
	return rc;
}

static int add_fs(struct tree *t, const char *src, const char *dest, const char *orig, int depth, bool top,
		  struct diag *d)
{
	struct stat st;
	struct tent *e;

	if ((top ? stat(src, &st) : lstat(src, &st)) < 0) {
		diag_file_error(d, src, 0, 0, CAT_RULE, "cannot stat: %s", file_strerror(errno));
		return -1;
	}
	if (depth > MAX_DEPTH)
		return hostile(d, orig, dest, "is nested too deeply");
	if (!utf8_valid(dest, strlen(dest), NULL) || strlen(dest) > MEMBER_MAX_PATH)
		return hostile(d, orig, dest, "has a name that is not valid UTF-8 or too long");
	if (S_ISDIR(st.st_mode)) {
		if (*dest)
			add_entry(t, xstrdup(dest), TENT_DIR, st.st_mode, orig);
		return add_dir(t, src, dest, orig, depth, d);
	}
	if (!*dest)
		return hostile(d, orig, src, "is not a directory but is placed at the root");
	if (S_ISREG(st.st_mode)) {
		if ((st.st_mode & 06000) && !t->allow_setuid)
			return hostile(d, orig, dest,
				       "is setuid or setgid (metadata does not allow \"setuid\")");
		e = add_entry(t, xstrdup(dest), TENT_FILE, st.st_mode, orig);
		/* a file named on the command line may be a link: open its target */
		e->src = top ? realpath(src, NULL) : xstrdup(src);
		if (!e->src) {
			diag_file_error(d, src, 0, 0, CAT_RULE, "cannot add: %s", file_strerror(errno));
			return -1;
		}
		e->size = (uint64_t)st.st_size;
		e->dev = (uint64_t)st.st_dev;
		e->ino = (uint64_t)st.st_ino;
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		char buf[MEMBER_MAX_PATH + 1];
		ssize_t n = readlink(src, buf, sizeof(buf) - 1);
		if (n < 0) {
			diag_file_error(d, src, 0, 0, CAT_RULE, "cannot read link: %s", file_strerror(errno));
			return -1;
		}
		buf[n] = '\0';
		e = add_entry(t, xstrdup(dest), TENT_SYMLINK, 0777, orig);
		e->link = xstrdup(buf);
		return 0;
	}
	return hostile(d, orig, dest, "is a device node, fifo or socket");
}

/* Is the regular file at path an archive that libarchive reads? Then it is
 * left open in *out. */
static bool open_archive(const char *path, struct archive **out)
{
	struct archive *a = archive_read_new();

	/* Every format but mtree (which names other files to read, and can be
	 * guessed from plain text), raw and empty; ar is left to import-deb. */
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_iso9660(a);
	archive_read_support_format_xar(a);
	archive_read_support_format_cab(a);
	archive_read_support_format_lha(a);
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	archive_read_support_format_warc(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		archive_read_free(a);
		return false;
	}
	*out = a;
	return true;
}

int tree_add_arg(struct tree *t, const char *arg, struct diag *d)
{
	const char *eq = strchr(arg, '='), *why = NULL;
	char *src = eq ? xstrndup(arg, (size_t)(eq - arg)) : xstrdup(arg), *dest = NULL;
	const char *orig = origin(t, arg);
	struct stat st;
	struct archive *a;
	int rc = -1;

	if (stat(src, &st) < 0) {
		diag_file_error(d, src, 0, 0, CAT_RULE, "cannot add: %s", file_strerror(errno));
		goto out;
	}
	if (eq) {
		dest = member_norm_path(eq + 1, true, &why);
		if (!dest) {
			hostile(d, orig, eq + 1, why);
			goto out;
		}
	} else if (S_ISDIR(st.st_mode)) {
		dest = xstrdup("");
	} else if (S_ISREG(st.st_mode) && st.st_size > 0 && open_archive(src, &a)) {
		rc = tree_add_archive(t, a, arg, (uint64_t)st.st_size, d);
		archive_read_free(a);
		goto out;
	} else {
		const char *base = strrchr(src, '/');
		dest = xstrdup(base ? base + 1 : src);
	}
	rc = add_fs(t, src, dest, orig, 0, true, d);
out:
	free(src);
	free(dest);
	return rc;
}

/* ---- checking the whole tree ---------------------------------------------- */

static int cmp_tent(const void *a, const void *b)
{
	return strcmp(((const struct tent *)a)->path, ((const struct tent *)b)->path);
}

/* Binary search among the first n (sorted) entries. */
static struct tent *find_in(struct tree *t, size_t n, const char *path)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(path, t->v[mid].path);
		if (!c)
			return &t->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static struct tent *find(struct tree *t, const char *path)
{
	return find_in(t, t->n, path);
}

/* Sort, then drop repeated directories; any other repeated path is an error. */
static int dedupe(struct tree *t, struct diag *d)
{
	size_t k = 0;
	int rc = 0;

	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), cmp_tent);
	for (size_t i = 0; i < t->n; i++) {
		if (k && !strcmp(t->v[k - 1].path, t->v[i].path)) {
			if (t->v[k - 1].type != TENT_DIR || t->v[i].type != TENT_DIR) {
				diag_file_error(d, t->v[i].origin, 0, 0, CAT_RULE,
						"path '%s' is given twice (also by '%s')", t->v[i].path,
						t->v[k - 1].origin);
				rc = -1;
			}
			tent_release(&t->v[i]);
			continue;
		}
		t->v[k++] = t->v[i];
	}
	t->n = k;
	return rc;
}

/* Add implied parent directories (0755); refuse members below a symlink or
 * a file. The tree is sorted and free of repeats on entry and on exit. */
static int add_parents(struct tree *t, struct diag *d)
{
	size_t n = t->n;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		char *p = xstrdup(t->v[i].path), *slash;
		const char *orig = t->v[i].origin;
		while ((slash = strrchr(p, '/'))) {
			struct tent *e;
			*slash = '\0';
			e = find_in(t, n, p);
			if (!e) {
				add_entry(t, xstrdup(p), TENT_DIR, 0755, orig); /* repeats dropped below */
				continue;
			}
			if (e->type != TENT_DIR) {
				hostile(d, orig, t->v[i].path,
					e->type == TENT_SYMLINK ? "is written through a symlink"
								: "is below a path that is not a directory");
				rc = -1;
			}
			break; /* e's own parents are checked as an entry of their own */
		}
		free(p);
	}
	if (dedupe(t, d) < 0)
		rc = -1;
	return rc;
}

/* Resolve hardlink chains; the group's smallest path (the first in the
 * sorted tree) carries the data and the others link to it. */
static int fix_hardlinks(struct tree *t, struct diag *d)
{
	size_t *root = xcalloc(t->n, sizeof(*root)), *carrier = xcalloc(t->n, sizeof(*carrier));
	int rc = 0;

	for (size_t i = 0; i < t->n; i++) {
		struct tent *target = &t->v[i];
		int hops = 0;
		root[i] = carrier[i] = i;
		if (target->type != TENT_HARDLINK)
			continue;
		while (target && target->type == TENT_HARDLINK && hops++ < 64)
			target = find(t, target->link);
		if (!target || target->type != TENT_FILE) {
			hostile(d, t->v[i].origin, t->v[i].path,
				"is a hardlink to a path the primitive does not hold");
			rc = -1;
			continue;
		}
		root[i] = (size_t)(target - t->v);
	}
	for (size_t i = 0; i < t->n; i++)
		if (root[i] != i && i < carrier[root[i]])
			carrier[root[i]] = i;
	for (size_t i = 0; rc == 0 && i < t->n; i++) {
		struct tent *e = &t->v[i], *c = &t->v[carrier[root[i]]];
		if (root[i] == i && carrier[i] != i) { /* a root that does not sort first */
			c->type = TENT_FILE;
			c->mode = e->mode;
			c->size = e->size;
			c->src = e->src;
			c->spool_off = e->spool_off;
			free(c->link);
			c->link = NULL;
			e->type = TENT_HARDLINK;
			e->src = NULL;
			e->link = xstrdup(c->path);
		} else if (root[i] != i && c != e) {
			free(e->link);
			e->link = xstrdup(c->path);
		}
	}
	free(root);
	free(carrier);
	return rc;
}

int tree_check(struct tree *t, struct diag *d)
{
	int rc = 0;

	if (dedupe(t, d) < 0)
		rc = -1;
	if (add_parents(t, d) < 0)
		rc = -1;
	for (size_t i = 0; i < t->n; i++) {
		const struct tent *e = &t->v[i];
		const char *why = e->type == TENT_SYMLINK ? member_symlink_refusal(e->path, e->link) : NULL;
		if (why) {
			hostile(d, e->origin, e->path, why);
			rc = -1;
		}
	}
	if (rc == 0 && fix_hardlinks(t, d) < 0)
		rc = -1;
	return rc;
}

/* ---- writing the canonical tar --------------------------------------------- */

struct sink {
	int fd;
	EVP_MD_CTX *md;
	int err;
};

static la_ssize_t sink_write(struct archive *a, void *ud, const void *buf, size_t n)
{
	struct sink *s = ud;

	if (write_all(s->fd, buf, n) < 0) {
		s->err = errno;
		archive_set_error(a, errno, "cannot write: %s", file_strerror(errno));
		return -1;
	}
	EVP_DigestUpdate(s->md, buf, n);
	return (la_ssize_t)n;
}

/* Copy n bytes from fd (at off when spooled, else from its start) into a. */
static int copy_data(struct archive *a, int fd, bool spooled, uint64_t off, uint64_t n, const char **why)
{
	char buf[65536];

	while (n) {
		size_t want = n < sizeof(buf) ? (size_t)n : sizeof(buf);
		ssize_t r = spooled ? pread(fd, buf, want, (off_t)off) : read(fd, buf, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			*why = r < 0 ? file_strerror(errno) : "file shrank while being added";
			return -1;
		}
		if (archive_write_data(a, buf, (size_t)r) != r) {
			*why = archive_error_string(a);
			return -1;
		}
		off += (uint64_t)r;
		n -= (uint64_t)r;
	}
	return 0;
}

/* Open the file walked at e->src, and make sure it is that file: not
 * through a link in its place (O_NOFOLLOW), and the same regular file
 * (device, inode and size) whatever was swapped on its way. Between the
 * walk and the read the tree is not ours; without this a file swapped for
 * a link to /etc/shadow would put that file into a world-readable blob. */
static int open_walked(const struct tent *e, struct diag *d)
{
	int fd = open(e->src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;

	if (fd < 0 && errno != ELOOP) {
		diag_file_error(d, e->src, 0, 0, CAT_RULE, "cannot open: %s", file_strerror(errno));
		return -1;
	}
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_dev != e->dev ||
	    (uint64_t)st.st_ino != e->ino || (uint64_t)st.st_size != e->size) {
		diag_file_error(d, e->src, 0, 0, CAT_RULE,
				"cannot add '%s': the file changed while being added (it is not the file "
				"found when its directory was read)",
				e->path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int write_data(struct tree *t, struct archive *a, const struct tent *e, struct diag *d)
{
	const char *why = NULL;
	int fd = t->spool_fd, rc;
	char extra;

	if (e->src && (fd = open_walked(e, d)) < 0)
		return -1;
	rc = copy_data(a, fd, !e->src, e->spool_off, e->size, &why);
	if (rc == 0 && e->src && read(fd, &extra, 1) != 0) {
		why = "file grew while being added";
		rc = -1;
	}
	if (e->src)
		close(fd);
	if (rc < 0)
		diag_file_error(d, e->src ? e->src : e->origin, 0, 0, CAT_RULE, "cannot add '%s': %s",
				e->path, why ? why : "read error");
	return rc;
}

static int write_entry(struct tree *t, struct archive *a, struct archive_entry *ae, const struct tent *e,
		       struct diag *d)
{
	static const unsigned types[] = {[TENT_FILE] = AE_IFREG,
					 [TENT_DIR] = AE_IFDIR,
					 [TENT_SYMLINK] = AE_IFLNK,
					 [TENT_HARDLINK] = AE_IFREG};

	archive_entry_clear(ae);
	archive_entry_set_pathname(ae, e->path);
	archive_entry_set_filetype(ae, types[e->type]);
	archive_entry_set_perm(ae, e->mode);
	archive_entry_set_uid(ae, 0);
	archive_entry_set_gid(ae, 0);
	archive_entry_set_mtime(ae, 0, 0);
	archive_entry_set_size(ae, e->type == TENT_FILE ? (la_int64_t)e->size : 0);
	if (e->type == TENT_SYMLINK)
		archive_entry_set_symlink(ae, e->link);
	if (e->type == TENT_HARDLINK)
		archive_entry_set_hardlink(ae, e->link);
	if (archive_write_header(a, ae) != ARCHIVE_OK) {
		diag_file_error(d, e->origin, 0, 0, CAT_RULE, "cannot write '%s': %s", e->path,
				archive_error_string(a));
		return -1;
	}
	return e->type == TENT_FILE ? write_data(t, a, e, d) : 0;
}

static int write_tar_in_locale(struct tree *t, struct sink *s, uint64_t *size, bool utf8, struct diag *d);

/* Paths are UTF-8 (norm_path checks). libarchive converts names from the
 * locale's charset for pax headers, so the writer runs in a thread-local
 * C.UTF-8 locale, whatever the process's locale is; where that locale is
 * missing, names are written as raw bytes with hdrcharset=BINARY. */
static int write_tar(struct tree *t, struct sink *s, uint64_t *size, struct diag *d)
{
	locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0), old = (locale_t)0;
	bool utf8 = loc != (locale_t)0;
	int rc;

	if (utf8)
		old = uselocale(loc);
	rc = write_tar_in_locale(t, s, size, utf8, d);
	if (utf8) {
		uselocale(old);
		freelocale(loc);
	}
	return rc;
}

static int write_tar_in_locale(struct tree *t, struct sink *s, uint64_t *size, bool utf8, struct diag *d)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	int rc = 0;

	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    (!utf8 && archive_write_set_format_option(a, "pax", "hdrcharset", "BINARY") != ARCHIVE_OK) ||
	    archive_write_add_filter_none(a) != ARCHIVE_OK ||
	    archive_write_open(a, s, NULL, sink_write, NULL) != ARCHIVE_OK) {
		diag_error(d, LOC_NONE, CAT_RULE, "cannot start a tar: %s", archive_error_string(a));
		rc = -1;
	}
	*size = 0;
	for (size_t i = 0; rc == 0 && i < t->n; i++) {
		rc = write_entry(t, a, ae, &t->v[i], d);
		if (t->v[i].type == TENT_FILE)
			*size += t->v[i].size;
	}
	if (rc == 0 && archive_write_close(a) != ARCHIVE_OK) {
		diag_error(d, LOC_NONE, CAT_RULE, "cannot finish a tar: %s", archive_error_string(a));
		rc = -1;
	}
	archive_entry_free(ae);
	archive_write_free(a);
	return rc;
}

int tree_write(struct tree *t, char **tmp, char digest[72], uint64_t *size, struct diag *d)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	struct sink s = {-1, NULL, 0};
	char *path;

	if (tree_check(t, d) < 0)
		return -1;
	path = xasprintf("%s/.blob.XXXXXX", t->tmpdir);
	s.fd = mkstemp(path);
	if (s.fd < 0) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "cannot create a temporary file: %s",
				file_strerror(errno));
		free(path);
		return -1;
	}
	s.md = EVP_MD_CTX_new();
	if (!s.md || !EVP_DigestInit_ex(s.md, EVP_sha256(), NULL))
		abort();
	if (write_tar(t, &s, size, d) < 0 || fchmod(s.fd, 0644) < 0 || fsync(s.fd) < 0) {
		if (!d->nerrors)
			diag_file_error(d, path, 0, 0, CAT_RULE, "cannot write: %s", file_strerror(errno));
		goto fail;
	}
	if (close(s.fd) < 0) {
		s.fd = -1;
		diag_file_error(d, path, 0, 0, CAT_RULE, "cannot write: %s", file_strerror(errno));
		goto fail;
	}
	EVP_DigestFinal_ex(s.md, md, &mdlen);
	EVP_MD_CTX_free(s.md);
	strcpy(digest, "sha256:");
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(digest + 7 + 2 * i, 3, "%02x", md[i]);
	*tmp = path;
	return 0;
fail:
	if (s.fd >= 0)
		close(s.fd);
	EVP_MD_CTX_free(s.md);
	unlink(path);
	free(path);
	return -1;
}
