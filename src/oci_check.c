/* oci_check.c - checks over inputs and outputs: path collisions between
 * sources, and verification of an image layout on disk (every blob against
 * its digest, every layer's uncompressed stream against its diff_id).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#include "cache.h"
#include "lock.h"
#include "member.h"
#include "oci_int.h"
#include "util.h"

#define BUF_SIZE (1u << 17)

/* ---------------------------------------------------------------------------
 * Collisions.
 */
struct owner {
	char *path;	      /* normalised */
	char *what;	      /* "d", "f:HEX", "l:TARGET", "h:PATH"; NULL: a file not hashed */
	size_t src, tar, idx; /* source, its tar and the member's index there */
	int64_t size;	      /* regular files; -1 otherwise */
	bool want;	      /* its content must be hashed */
};

/* A member path as the layer writer normalises it; one it would refuse
 * (with "..") is kept as written: composing reports it. */
static char *norm(const char *in)
{
	char *p = oci_norm_path(in);

	return p ? p : xstrdup(in);
}

struct owners {
	struct owner *v;
	size_t n, cap;
};

static void owners_add(struct owners *o, char *path, char *what, const struct owner *at)
{
	if (!*path) {
		free(path);
		free(what);
		return;
	}
	xgrow((void **)&o->v, &o->cap, o->n + 1, sizeof(*o->v));
	o->v[o->n] = *at;
	o->v[o->n].path = path;
	o->v[o->n++].what = what;
}

static char *hash_data(struct archive *a)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char dg[EVP_MAX_MD_SIZE], *buf = xmalloc(BUF_SIZE);
	unsigned n = 0, i;
	la_ssize_t r;
	struct strbuf sb = STRBUF_INIT;

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		abort();
	while ((r = archive_read_data(a, buf, BUF_SIZE)) > 0)
		EVP_DigestUpdate(md, buf, (size_t)r);
	free(buf);
	if (r < 0) {
		EVP_MD_CTX_free(md);
		return NULL;
	}
	EVP_DigestFinal_ex(md, dg, &n);
	EVP_MD_CTX_free(md);
	sb_adds(&sb, "f:");
	for (i = 0; i < n; i++)
		sb_addf(&sb, "%02x", dg[i]);
	return sb_detach(&sb, NULL);
}

/* Record member m of the tar at path (from a source whose metadata allows
 * `allow`), after checking it against the rules of member.h; -1 after
 * reporting a refusal. */
static int record_member(const char *path, const struct member *m, int64_t size, unsigned allow,
			 struct owner *at, struct owners *o, struct diag *d)
{
	const char *why = NULL;
	char *norm_path, *link, *what = NULL;

	if (member_check(m, allow, &norm_path, &link, &why) < 0) {
		diag_file_error(d, path, 0, 0, "hostile-content", "refused: member '%s' %s",
				m->name ? m->name : "(unnamed)", why);
		return -1;
	}
	free(link);
	at->size = m->type == MEMBER_FILE ? size : -1;
	if (m->type == MEMBER_HARDLINK)
		what = xasprintf("h:%s", m->link);
	else if (m->type == MEMBER_DIR)
		what = xstrdup("d");
	else if (m->type == MEMBER_SYMLINK)
		what = xasprintf("l:%s", m->link);
	owners_add(o, norm_path, what, at);
	return 0;
}

/* Read tar number `tar` of source `src`. Without `want`, check and record
 * every member, leaving regular files unhashed (the data is skipped, not
 * read). With `want` (n owners sorted by member index, all of this tar),
 * hash the content of those members only. */
static int scan_tar(const char *path, size_t src, size_t tar, unsigned allow, struct owners *o,
		    struct owner **want, size_t n, struct diag *d)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	struct owner at = {NULL, NULL, src, tar, 0, -1, false};
	int rc, fd = open_regular(path, 0, NULL);
	bool refused = false;

	archive_read_support_format_tar(a);
	archive_read_support_format_empty(a);
	if (fd < 0 || archive_read_open_fd(a, fd, BUF_SIZE) != ARCHIVE_OK)
		goto fail;
	for (; (rc = archive_read_next_header(a, &ae)) == ARCHIVE_OK || rc == ARCHIVE_WARN; at.idx++) {
		struct member m;
		if (want) {
			if (!n)
				break;
			if ((*want)->idx != at.idx)
				continue;
			if (!((*want)->what = hash_data(a)))
				goto fail;
			want++;
			n--;
			continue;
		}
		member_from_entry(ae, &m);
		if (record_member(path, &m, archive_entry_size(ae), allow, &at, o, d) < 0)
			refused = true;
	}
	if (want ? n && rc != ARCHIVE_EOF : rc != ARCHIVE_EOF)
		goto fail;
	if (refused) {
		archive_read_free(a);
		close(fd);
		return -1;
	}
	if (n) {
		diag_file_error(d, path, 0, 0, "oci-io", "'%s' changed while it was read", path);
		archive_read_free(a);
		close(fd);
		return -1;
	}
	archive_read_free(a);
	close(fd);
	return 0;
fail:
	diag_file_error(d, path, 0, 0, "oci-io", "cannot read '%s': %s", path,
			fd >= 0 && archive_error_string(a) ? archive_error_string(a) : file_strerror(errno));
	archive_read_free(a);
	if (fd >= 0)
		close(fd);
	return -1;
}

/* The member tables of catalog tars are kept in the cache, by the tar's
 * digest, so that a changed set of sources reads only the tars it has not
 * seen: CACHE/scans/HEX holds the line "cpolc scan 2 STAMP SHA256" and then
 * one record "IDX\0SIZE\0WHAT\0PATH\0" per member (WHAT empty for a
 * regular file, SIZE -1 for others), SHA256 being the digest of the
 * records. STAMP is the tar's cache_stamp when it was scanned: a table is
 * used only while the tar's stamp is unchanged. */
#define SCAN_MAGIC "cpolc scan 2 " /* 2: members were checked */

static char *scan_file(const char *cache, const char *digest)
{
	if (!cache || !digest_valid(digest))
		return NULL;
	return xasprintf("%s/scans/%s", cache, digest + 7);
}

static bool parse_num(const char *s, long long min, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return *s && !*end && !errno && *out >= min;
}

/* Add the members recorded in data[0, len) for tar `tar` of source src. */
static bool parse_scan(const char *data, size_t len, size_t src, size_t tar, struct owners *o)
{
	const char *p = data, *end = data + len, *f[4];
	long long idx, size;

	while (p < end) {
		for (int i = 0; i < 4; i++) {
			const char *z = memchr(p, '\0', (size_t)(end - p));
			if (!z)
				return false;
			f[i] = p;
			p = z + 1;
		}
		if (!parse_num(f[0], 0, &idx) || !parse_num(f[1], -1, &size) || !*f[3])
			return false;
		owners_add(o, xstrdup(f[3]), *f[2] ? xstrdup(f[2]) : NULL,
			   &(struct owner){NULL, NULL, src, tar, (size_t)idx, size, false});
	}
	return true;
}

/* The stamp of the file at path, or NULL. */
static char *stamp_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? cache_stamp(&st) : NULL;
}

/* Add the members of the tar at path from the cached table at file, if it
 * is whole and the tar's stamp is unchanged. */
static bool load_scan(const char *file, const char *path, size_t src, size_t tar, struct owners *o)
{
	char *data = NULL, *stamp = stamp_of(path), *nl, hex[65];
	size_t len, first = o->n, head;
	bool ok = false;

	if (!stamp || read_file(file, &data, &len) < 0)
		goto out;
	nl = memchr(data, '\n', len);
	head = strlen(SCAN_MAGIC) + strlen(stamp) + 1;
	if (!nl || (size_t)(nl - data) != head + 64 || memcmp(data, SCAN_MAGIC, strlen(SCAN_MAGIC)) != 0 ||
	    memcmp(data + strlen(SCAN_MAGIC), stamp, strlen(stamp)) != 0 || data[head - 1] != ' ')
		goto out;
	sha256_hex(nl + 1, len - (size_t)(nl + 1 - data), hex);
	if (memcmp(hex, data + head, 64) != 0)
		goto out;
	ok = parse_scan(nl + 1, len - (size_t)(nl + 1 - data), src, tar, o);
	while (!ok && o->n > first) { /* a damaged table: scan the tar again */
		o->n--;
		free(o->v[o->n].path);
		free(o->v[o->n].what);
	}
out:
	free(data);
	free(stamp);
	return ok;
}

/* Record the members o->v[first..] of a tar read with the given stamp
 * (best effort). */
static void save_scan(const char *file, const char *stamp, const struct owners *o, size_t first)
{
	struct strbuf body = STRBUF_INIT, all = STRBUF_INIT;
	char hex[65], *dir;

	for (size_t i = first; i < o->n; i++) {
		const struct owner *w = &o->v[i];
		sb_addf(&body, "%zu", w->idx);
		sb_addc(&body, '\0');
		sb_addf(&body, "%lld", (long long)w->size);
		sb_addc(&body, '\0');
		sb_add(&body, w->what ? w->what : "", (w->what ? strlen(w->what) : 0) + 1);
		sb_add(&body, w->path, strlen(w->path) + 1);
	}
	sha256_hex(body.buf ? body.buf : "", body.len, hex);
	sb_addf(&all, "%s%s %s\n", SCAN_MAGIC, stamp, hex);
	sb_add(&all, body.buf ? body.buf : "", body.len);
	dir = path_dirname(file);
	if (mkdir_p(dir, 0755) == 0)
		write_file_atomic(file, all.buf, all.len, 0644);
	free(dir);
	sb_release(&body);
	sb_release(&all);
}

/* Add the members of tar j of source i: from the cache when it holds
 * them, else by reading the tar's headers (and then remembering them). */
static int scan_source_tar(const struct oci_layer_src *s, size_t i, size_t j, const char *cache,
			   struct owners *o, struct diag *d)
{
	char *file = scan_file(cache, s->tar_digests ? s->tar_digests[j] : NULL), *before, *after;
	size_t first = o->n;
	int rc = 0;

	if (file && load_scan(file, s->tars[j], i, j, o)) {
		free(file);
		return 0;
	}
	before = file ? stamp_of(s->tars[j]) : NULL;
	rc = scan_tar(s->tars[j], i, j, s->allow_setuid ? MEMBER_ALLOW_SETUID : 0, o, NULL, 0, d);
	after = before ? stamp_of(s->tars[j]) : NULL;
	if (rc == 0 && after && strcmp(before, after) == 0) /* unchanged while read */
		save_scan(file, before, o, first);
	free(before);
	free(after);
	free(file);
	return rc;
}

static int owner_cmp(const void *a, const void *b)
{
	const struct owner *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	return x->src < y->src ? -1 : x->src > y->src;
}

static int member_cmp(const void *a, const void *b)
{
	const struct owner *x = *(struct owner *const *)a, *y = *(struct owner *const *)b;

	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	if (x->tar != y->tar)
		return x->tar < y->tar ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Within each path's owners (o->v sorted by path), a regular file whose
 * size equals that of another source's file there must be hashed; any other
 * file differs from everything else at its path by its size or type alone.
 * Hash those, reading each tar concerned once. */
static int hash_wanted(const struct oci_layer_src *layers, struct owners *o, struct diag *d)
{
	struct owner **w = NULL;
	size_t i, j, k, l, nw = 0, cap = 0;
	int rc = 0;

	for (i = 0; i < o->n; i = j) {
		for (j = i + 1; j < o->n && strcmp(o->v[j].path, o->v[i].path) == 0; j++)
			;
		for (k = i; k < j; k++)
			for (l = k + 1; l < j; l++)
				if (o->v[k].size >= 0 && o->v[k].size == o->v[l].size &&
				    o->v[k].src != o->v[l].src) {
					o->v[k].want = !o->v[k].what;
					o->v[l].want = !o->v[l].what;
				}
	}
	for (i = 0; i < o->n; i++)
		if (o->v[i].want) {
			xgrow((void **)&w, &cap, nw + 1, sizeof(*w));
			w[nw++] = &o->v[i];
		}
	if (nw)
		qsort(w, nw, sizeof(*w), member_cmp);
	for (i = 0; i < nw; i = j) {
		for (j = i + 1; j < nw && w[j]->src == w[i]->src && w[j]->tar == w[i]->tar; j++)
			;
		if (scan_tar(layers[w[i]->src].tars[w[i]->tar], w[i]->src, w[i]->tar, 0, o, &w[i], j - i, d) <
		    0)
			rc = -1;
	}
	free(w);
	return rc;
}

static bool same_content(const struct owner *x, const struct owner *y)
{
	return x->what && y->what && strcmp(x->what, y->what) == 0;
}

int oci_check_collisions(const struct oci_layer_src *layers, size_t n, const char *cache, struct diag *d)
{
	struct owners o = {NULL, 0, 0};
	size_t i, j, k, last;
	int found = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < layers[i].ntars; j++)
			if (scan_source_tar(&layers[i], i, j, cache, &o, d) < 0)
				found = -1;
		for (j = 0; j < layers[i].nfiles; j++) {
			const struct oci_file *f = &layers[i].files[j];
			struct owner at = {NULL, NULL, i, 0, 0, f->type == 'd' ? -1 : (int64_t)f->len, false};
			char hex[65];
			if (f->replaces)
				continue;
			if (f->type == 'd') {
				owners_add(&o, norm(f->path), xstrdup("d"), &at);
				continue;
			}
			if (f->type == 'l') {
				at.size = -1;
				owners_add(&o, norm(f->path),
					   xasprintf("l:%.*s", (int)f->len, (const char *)f->data), &at);
				continue;
			}
			sha256_hex(f->data, f->len, hex);
			owners_add(&o, norm(f->path), xasprintf("f:%s", hex), &at);
		}
	}
	if (o.n)
		qsort(o.v, o.n, sizeof(*o.v), owner_cmp);
	if (found >= 0 && hash_wanted(layers, &o, d) < 0)
		found = -1;
	for (i = 0; found >= 0 && i < o.n; i = j) {
		for (j = i + 1; j < o.n && strcmp(o.v[j].path, o.v[i].path) == 0; j++)
			;
		/* each later source that differs from the first owner, once */
		for (k = i + 1, last = o.v[i].src; k < j; k++) {
			if (o.v[k].src == last || same_content(&o.v[k], &o.v[i]))
				continue;
			last = o.v[k].src;
			diag_error(d, LOC_NONE, "oci-collision", "'/%s' differs between %s and %s",
				   o.v[i].path, layers[o.v[i].src].name, layers[o.v[k].src].name);
			found++;
		}
	}
	for (i = 0; i < o.n; i++) {
		free(o.v[i].path);
		free(o.v[i].what);
	}
	free(o.v);
	return found;
}

/* ---------------------------------------------------------------------------
 * Verification of a layout.
 */
struct vhash {
	EVP_MD_CTX *blob, *tar;
	uint64_t size;
};

static int hex_of(EVP_MD_CTX *md, char out[72])
{
	unsigned char dg[EVP_MAX_MD_SIZE];
	unsigned n = 0, i;

	EVP_DigestFinal_ex(md, dg, &n);
	strcpy(out, "sha256:");
	for (i = 0; i < n; i++)
		sprintf(out + 7 + 2 * i, "%02x", dg[i]);
	return 0;
}

/* A layer's stream being checked: the blob's hash and size, and the
 * uncompressed stream's hash and size. */
struct lcheck {
	enum oci_compression comp;
	z_stream z;
	ZSTD_DCtx *zd;
	EVP_MD_CTX *blob, *tar;
	uint64_t size, tar_size;
	unsigned char *out;
};

static void tar_feed(struct lcheck *k, const unsigned char *p, size_t n)
{
	EVP_DigestUpdate(k->tar, p, n);
	k->tar_size += n;
}

/* Feed the compressed bytes in[0..n) to the decompressor and the tar hash. */
static int inflate_feed(struct lcheck *k, unsigned char *in, size_t n)
{
	if (k->comp == OCI_COMP_GZIP) {
		k->z.next_in = in;
		k->z.avail_in = (uInt)n;
		while (k->z.avail_in) {
			int rc;
			k->z.next_out = k->out;
			k->z.avail_out = BUF_SIZE;
			rc = inflate(&k->z, Z_NO_FLUSH);
			tar_feed(k, k->out, BUF_SIZE - k->z.avail_out);
			if (rc == Z_STREAM_END && k->z.avail_in) /* another member */
				rc = inflateReset(&k->z);
			if (rc != Z_OK && rc != Z_STREAM_END)
				return -1;
		}
		return 0;
	}
	if (k->comp == OCI_COMP_ZSTD) {
		ZSTD_inBuffer ib = {in, n, 0};
		while (ib.pos < ib.size) {
			ZSTD_outBuffer ob = {k->out, BUF_SIZE, 0};
			size_t r = ZSTD_decompressStream(k->zd, &ob, &ib);
			if (ZSTD_isError(r))
				return -1;
			tar_feed(k, k->out, ob.pos);
		}
		return 0;
	}
	tar_feed(k, in, n);
	return 0;
}

/* The uncompressed stream may be at most max_ratio times the blob's
 * size, past the floor; 0: no bound. */
static bool over_ratio(const struct lcheck *k, unsigned max_ratio, uint64_t blob_size)
{
	uint64_t cap;

	if (!max_ratio)
		return false;
	cap = blob_size > UINT64_MAX / max_ratio ? UINT64_MAX : blob_size * max_ratio;
	return k->tar_size > (cap > OCI_RATIO_FLOOR ? cap : OCI_RATIO_FLOOR);
}

/* Read the blob at path into k: the whole blob is hashed; decompression
 * stops at the first error or past the ratio bound, saying so in *why.
 * -1 with *why when the blob cannot be read. */
static int read_layer(const char *path, struct lcheck *k, unsigned max_ratio, const char **why)
{
	unsigned char *in = xmalloc(BUF_SIZE);
	struct stat st;
	ssize_t n;
	int fd = open_regular(path, OPEN_NOFOLLOW, &st), rc = 0; /* a blob is a regular file */

	if (fd < 0) {
		*why = file_strerror(errno);
		free(in);
		return -1;
	}
	while ((n = read(fd, in, BUF_SIZE)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why = file_strerror(errno);
			rc = -1;
			break;
		}
		EVP_DigestUpdate(k->blob, in, (size_t)n);
		k->size += (uint64_t)n;
		if (*why)
			continue;
		if (inflate_feed(k, in, (size_t)n) < 0)
			*why = "does not decompress";
		else if (over_ratio(k, max_ratio, (uint64_t)st.st_size))
			*why = "expands beyond the bound on its compression ratio";
	}
	close(fd);
	free(in);
	return rc;
}

int oci_check_layer(const char *root, const json_t *l, const char *diff_id, unsigned max_ratio,
		    const char *what, const char *rule, struct diag *d)
{
	const char *dg = json_string_value(json_object_get(l, "digest"));
	const char *mt = json_string_value(json_object_get(l, "mediaType"));
	const json_t *size = json_object_get(l, "size");
	const char *why = NULL;
	char *path, got[72], gotdiff[72];
	struct lcheck k;
	int rc = -1;

	if (!digest_valid(dg)) {
		diag_file_error(d, root, 0, 0, rule, "%s with a malformed digest", what);
		return -1;
	}
	if (!json_is_integer(size) || json_integer_value(size) < 0) {
		diag_file_error(d, root, 0, 0, rule, "%s %s has a malformed size", what, dg);
		return -1;
	}
	memset(&k, 0, sizeof(k));
	if (oci_layer_comp(mt, &k.comp) < 0) {
		diag_file_error(d, root, 0, 0, rule, "%s %s has the unknown media type '%s'", what, dg,
				mt ? mt : "(none)");
		return -1;
	}
	path = oci_blob_path(root, dg);
	k.out = xmalloc(BUF_SIZE);
	k.blob = EVP_MD_CTX_new();
	k.tar = EVP_MD_CTX_new();
	k.zd = ZSTD_createDCtx();
	if (!k.blob || !k.tar || !k.zd || !EVP_DigestInit_ex(k.blob, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(k.tar, EVP_sha256(), NULL) || inflateInit2(&k.z, 15 + 32) != Z_OK)
		abort();
	if (read_layer(path, &k, max_ratio, &why) < 0) {
		diag_file_error(d, path, 0, 0, rule, "%s %s %s", what, dg, why);
		goto out;
	}
	hex_of(k.blob, got);
	hex_of(k.tar, gotdiff);
	if (strcmp(got, dg) != 0)
		diag_file_error(d, path, 0, 0, rule, "%s %s does not match its digest (found %s)", what, dg,
				got);
	else if ((json_int_t)k.size != json_integer_value(size))
		diag_file_error(d, path, 0, 0, rule, "%s %s has the wrong size", what, dg);
	else if (why)
		diag_file_error(d, path, 0, 0, rule, "%s %s %s", what, dg, why);
	else if (!diff_id || strcmp(gotdiff, diff_id) != 0)
		diag_file_error(d, path, 0, 0, rule, "%s %s does not match its diff_id", what, dg);
	else
		rc = 0;
out:
	inflateEnd(&k.z);
	ZSTD_freeDCtx(k.zd);
	EVP_MD_CTX_free(k.blob);
	EVP_MD_CTX_free(k.tar);
	free(k.out);
	free(path);
	return rc;
}

/* oci_verify_layout, leaving the manifest and config it read in *man_out
 * and *cfg_out (NULL when not read; the caller releases them). */
static int verify_layout(const char *dir, const char *tag, const char *manifest_digest, json_t **man_out,
			 json_t **cfg_out, struct diag *d)
{
	json_t *desc = oci_find_manifest(dir, tag, manifest_digest, d), *man = NULL, *cfg = NULL, *l, *diffs;
	const char *dg;
	size_t i;
	int rc = -1;

	*man_out = *cfg_out = NULL;
	if (!desc)
		return -1;
	dg = json_string_value(json_object_get(desc, "digest"));
	if (manifest_digest && (!dg || strcmp(dg, manifest_digest) != 0)) {
		diag_file_error(d, dir, 0, 0, "oci-verify", "manifest is %s, expected %s", dg ? dg : "(none)",
				manifest_digest);
		goto out;
	}
	man = oci_read_json_blob(dir, dg, d);
	if (!man)
		goto out;
	cfg = oci_read_json_blob(
		dir, json_string_value(json_object_get(json_object_get(man, "config"), "digest")), d);
	if (!cfg)
		goto out;
	diffs = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
	if (json_array_size(diffs) != json_array_size(json_object_get(man, "layers"))) {
		diag_file_error(d, dir, 0, 0, "oci-verify", "the config lists %zu diff_ids for %zu layers",
				json_array_size(diffs), json_array_size(json_object_get(man, "layers")));
		goto out;
	}
	rc = 0;
	json_array_foreach(json_object_get(man, "layers"), i, l)
	{
		if (oci_check_layer(dir, l, json_string_value(json_array_get(diffs, i)), 0, "layer",
				    "oci-verify", d) < 0)
			rc = -1;
	}
out:
	json_decref(desc);
	*man_out = man;
	*cfg_out = cfg;
	return rc;
}

int oci_verify_layout(const char *dir, const char *tag, const char *manifest_digest, struct diag *d)
{
	json_t *man, *cfg;
	int rc = verify_layout(dir, tag, manifest_digest, &man, &cfg, d);

	json_decref(man);
	json_decref(cfg);
	return rc;
}

int oci_layer_derive(const struct oci_layer_src *srcs, size_t n, long long epoch, char diff_id[72],
		     struct diag *d)
{
	const struct oci_layer_src **v = xcalloc(n ? n : 1, sizeof(*v));
	char *err = NULL;
	int rc;

	for (size_t i = 0; i < n; i++)
		v[i] = &srcs[i];
	rc = oci_layer_diff_id(v, n, epoch, diff_id, &err);
	if (rc < 0)
		diag_error(d, LOC_NONE, "oci-verify", "cannot derive the layer of %s: %s",
			   n && srcs[0].name ? srcs[0].name : "the files", err ? err : "?");
	free(err);
	free(v);
	return rc;
}

/* Is the layer at p's index the one the lock says? (verify_layout checked
 * every layer's digest, size and diff_id against its blob.) */
static bool layer_listed(const json_t *layers, const json_t *diffs, const struct lock_prim *p)
{
	const json_t *l = json_array_get(layers, p->layer_index);
	const char *dg = json_string_value(json_object_get(l, "digest"));
	const char *di = json_string_value(json_array_get(diffs, p->layer_index));

	return dg && di && strcmp(dg, p->layer_digest) == 0 && strcmp(di, p->diff_id) == 0 &&
	       (json_int_t)p->layer_size == json_integer_value(json_object_get(l, "size"));
}

/* Every layer is derived, or one of the `from` image's below them all. */
static int account_layers(const char *dir, const json_t *diffs, const struct lock *lk,
			  const struct oci_derived *dv, size_t ndv, struct diag *d)
{
	size_t n = json_array_size(diffs), lowest = n;
	bool *seen = xcalloc(n + 1, sizeof(*seen));
	int rc = 0;

	for (size_t i = 0; i < ndv; i++) {
		size_t at = dv[i].index < 0 ? n - 1 : (size_t)dv[i].index;
		const char *di = json_string_value(json_array_get(diffs, at));
		if (!n || at >= n || !di || strcmp(di, dv[i].diff_id)) {
			diag_file_error(
				d, dir, 0, 0, "oci-verify",
				"layer %zu of the image is not the one cpolc makes of %s (diff_id %s, "
				"expected %s)",
				at, dv[i].name, at < n && di ? di : "(none)", dv[i].diff_id);
			rc = -1;
			continue;
		}
		seen[at] = true;
		lowest = at < lowest ? at : lowest;
	}
	for (size_t i = 0; i < n; i++)
		if (!seen[i] && (!lk->from || i > lowest)) {
			diag_file_error(d, dir, 0, 0, "oci-verify",
					"layer %zu of the image (%s) comes from no primitive of the lock%s",
					i, json_string_value(json_array_get(diffs, i)),
					lk->from ? " nor from the from image" : "");
			rc = -1;
		}
	free(seen);
	return rc;
}

int oci_verify(const char *dir, const char *tag, const struct lock *lk, const struct oci_derived *derived,
	       size_t nderived, struct diag *d)
{
	json_t *man, *cfg, *layers, *diffs;
	const char *cdg;
	size_t i;
	int rc;

	if (!lk->manifest_digest) {
		diag_error(d, LOC_NONE, "oci-verify", "the lock names no manifest digest");
		return -1;
	}
	rc = verify_layout(dir, tag, lk->manifest_digest, &man, &cfg, d);
	if (rc < 0)
		goto out;
	cdg = json_string_value(json_object_get(json_object_get(man, "config"), "digest"));
	if (!lk->config_digest || strcmp(cdg, lk->config_digest) != 0) {
		diag_file_error(d, dir, 0, 0, "oci-verify", "config is %s, the lock says %s", cdg,
				lk->config_digest ? lk->config_digest : "(none)");
		rc = -1;
	}
	layers = json_object_get(man, "layers");
	diffs = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
	for (i = 0; i < lk->nprims; i++) {
		if (!layer_listed(layers, diffs, &lk->prims[i])) {
			diag_file_error(d, dir, 0, 0, "oci-verify",
					"the layer of '%s' %s (%s) is not layer %" PRIu32 " of the image",
					lk->prims[i].name, lk->prims[i].version, lk->prims[i].layer_digest,
					lk->prims[i].layer_index);
			rc = -1;
		}
	}
	if (derived && account_layers(dir, diffs, lk, derived, nderived, d) < 0)
		rc = -1;
out:
	json_decref(man);
	json_decref(cfg);
	return rc;
}
