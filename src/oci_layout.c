/* oci_layout.c - composing an image: plan layers, build them in parallel
 * (or take them from the cache), write config, manifest and index.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libdeflate.h>
#include <openssl/evp.h>
#include <zstd.h>

#include "cache.h"
#include "oci.h"
#include "oci_int.h"
#include "util.h"

void oci_result_init(struct oci_result *res)
{
	memset(res, 0, sizeof(*res));
}

void oci_result_release(struct oci_result *res)
{
	size_t i;

	for (i = 0; i < res->nlayers; i++)
		free(res->layers[i].name);
	free(res->layers);
	free(res->src_layer);
	json_decref(res->config);
	oci_result_init(res);
}

const char *oci_layer_media_type(enum oci_compression c)
{
	switch (c) {
	case OCI_COMP_GZIP:
		return "application/vnd.oci.image.layer.v1.tar+gzip";
	case OCI_COMP_ZSTD:
		return "application/vnd.oci.image.layer.v1.tar+zstd";
	case OCI_COMP_NONE:
		break;
	}
	return "application/vnd.oci.image.layer.v1.tar";
}

int oci_layer_comp(const char *mt, enum oci_compression *c)
{
	static const struct {
		const char *mt;
		enum oci_compression c;
	} known[] = {
		{"application/vnd.oci.image.layer.v1.tar", OCI_COMP_NONE},
		{"application/vnd.oci.image.layer.v1.tar+gzip", OCI_COMP_GZIP},
		{"application/vnd.oci.image.layer.v1.tar+zstd", OCI_COMP_ZSTD},
		{"application/vnd.docker.image.rootfs.diff.tar.gzip", OCI_COMP_GZIP},
	};

	for (size_t i = 0; mt && i < ARRAY_SIZE(known); i++)
		if (strcmp(mt, known[i].mt) == 0) {
			*c = known[i].c;
			return 0;
		}
	return -1;
}

static const char *comp_name(enum oci_compression c)
{
	return c == OCI_COMP_GZIP ? "gzip" : c == OCI_COMP_ZSTD ? "zstd" : "none";
}

int oci_parse_platform(const char *platform, char **os, char **arch, char **variant)
{
	const char *a, *v;

	*os = *arch = *variant = NULL;
	a = platform ? strchr(platform, '/') : NULL;
	if (!a || a == platform || !a[1])
		return -1;
	v = strchr(a + 1, '/');
	if (v && (v == a + 1 || !v[1] || strchr(v + 1, '/')))
		return -1;
	*os = xstrndup(platform, (size_t)(a - platform));
	*arch = v ? xstrndup(a + 1, (size_t)(v - a - 1)) : xstrdup(a + 1);
	*variant = v ? xstrdup(v + 1) : NULL;
	return 0;
}

/* ---------------------------------------------------------------------------
 * Blobs.
 */
int oci_blob_check(const char *path, const char *digest)
{
	char hex[65];
	int fd, rc, saved;

	if (!digest_valid(digest))
		return 1;
	fd = open_regular(path, OPEN_NOFOLLOW, NULL); /* a blob is a regular file */
	if (fd < 0)
		return -1;
	rc = sha256_fd(fd, hex);
	saved = errno;
	close(fd);
	errno = saved;
	if (rc < 0)
		return -1;
	return strcmp(hex, digest + 7) == 0 ? 0 : 1;
}

static int copy_fd(int in, int out)
{
	char buf[1 << 16];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		char *p = buf;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			p += w;
			n -= w;
		}
	}
	return 0;
}

/* Did link() make dst the regular file open as in (st)? A src swapped for
 * a symlink meanwhile gives a link to that symlink instead. */
static bool linked_same(const char *dst, const struct stat *st)
{
	struct stat got;

	return lstat(dst, &got) == 0 && S_ISREG(got.st_mode) && got.st_ino == st->st_ino &&
	       got.st_dev == st->st_dev;
}

int oci_link_or_copy(const char *src, const char *dst)
{
	char *tmp;
	struct stat st;
	int in, out = -1, saved;

	/* only a regular file is placed, never a symlink, FIFO or device */
	in = open_regular(src, OPEN_NOFOLLOW, &st);
	if (in < 0)
		return -1;
	/* an existing dst has the same content: blobs are named by digest */
	if (link(src, dst) == 0) {
		if (linked_same(dst, &st)) {
			close(in);
			return 0;
		}
		unlink(dst);
	} else if (errno == EEXIST) {
		close(in);
		return 0;
	}
	tmp = xasprintf("%s.tmp.XXXXXX", dst);
	out = mkstemp(tmp);
	if (out < 0 || fchmod(out, 0644) < 0 || copy_fd(in, out) < 0 || fsync(out) < 0)
		goto fail;
	if (close(out) < 0) {
		out = -1;
		goto fail;
	}
	out = -1;
	if (rename(tmp, dst) < 0)
		goto fail;
	close(in);
	free(tmp);
	return 0;
fail:
	saved = errno;
	close(in);
	if (out >= 0)
		close(out);
	unlink(tmp);
	free(tmp);
	errno = saved;
	return -1;
}

/* A digest that is not one never becomes a path out of blobs/sha256 (its
 * readers check digest_valid first and report it; this is the backstop). */
char *oci_blob_path(const char *root, const char *digest)
{
	if (!digest_valid(digest))
		return xasprintf("%s/blobs/sha256/invalid-digest", root);
	return xasprintf("%s/blobs/sha256/%s", root, digest + 7);
}

/* Put src (a verified blob) into the layout as digest. An existing blob of
 * that name is kept when it hashes right, replaced otherwise. */
int oci_place_blob(const char *root, const char *src, const char *digest, bool move, struct diag *d)
{
	char *dst = oci_blob_path(root, digest);
	int rc = 0, ck;

	if (access(dst, F_OK) == 0) {
		ck = oci_blob_check(dst, digest);
		if (ck == 0) {
			if (move)
				unlink(src);
			goto out;
		}
		if (!move)
			unlink(dst); /* wrong content: replace (link would fail on EEXIST) */
	}
	if (move ? rename(src, dst) : oci_link_or_copy(src, dst)) {
		diag_file_error(d, dst, 0, 0, "oci-io", "cannot write '%s': %s", dst, file_strerror(errno));
		if (move)
			unlink(src);
		rc = -1;
	}
out:
	free(dst);
	return rc;
}

/* Write data as a blob of root (unless it is there already). */
int oci_write_bytes_blob(const char *root, const char *data, size_t len, char digest[72], struct diag *d)
{
	char hex[65], *path;
	int rc = 0;

	sha256_hex(data, len, hex);
	snprintf(digest, 72, "sha256:%s", hex);
	path = oci_blob_path(root, digest);
	if (oci_blob_check(path, digest) != 0 && write_file_atomic(path, data, len, 0644) < 0) {
		diag_file_error(d, path, 0, 0, "oci-io", "cannot write '%s': %s", path, file_strerror(errno));
		rc = -1;
	}
	free(path);
	return rc;
}

/* Write a JSON value as a canonical blob (sorted keys, compact). */
int oci_write_json_blob(const char *root, const json_t *j, char digest[72], uint64_t *size, struct diag *d)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	if (!text)
		abort();
	*size = strlen(text);
	rc = oci_write_bytes_blob(root, text, *size, digest, d);
	free(text);
	return rc;
}

/* ---------------------------------------------------------------------------
 * Planning: which sources share a layer.
 */
struct group {
	const struct oci_layer_src **srcs;
	size_t nsrcs;
	size_t first;	 /* index of the first source, for ordering */
	uint64_t weight; /* input bytes */
	char key[65];	 /* cache key, "" when not cacheable */
	char *recipe;	 /* what the key is the digest of (a cache entry records it) */
	struct oci_layer_out out;
	char *err;
	bool cached;
	struct cache_entry ce;
};

struct sized {
	size_t idx;
	uint64_t size;
};

static int sized_cmp(const void *a, const void *b)
{
	const struct sized *x = a, *y = b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static uint64_t src_weight(const struct oci_layer_src *s)
{
	uint64_t w = 0;
	size_t i;

	for (i = 0; i < s->ntars; i++) {
		struct stat st;
		if (stat(s->tars[i], &st) == 0)
			w += (uint64_t)st.st_size;
	}
	for (i = 0; i < s->nfiles; i++)
		w += s->files[i].type == 'd' ? 0 : s->files[i].len;
	return w;
}

static void group_add(struct group *g, const struct oci_layer_src *s, size_t idx, uint64_t w)
{
	g->srcs = xrealloc(g->srcs, (g->nsrcs + 1) * sizeof(*g->srcs));
	if (!g->nsrcs)
		g->first = idx;
	g->srcs[g->nsrcs++] = s;
	g->weight += w;
}

/* Sources with tars beyond max_layers: the largest keep their own layer, the
 * rest share one placed where the first of them was. Sources holding only
 * generated files always keep their own layer. src_group[i] receives the
 * group of source i. */
static struct group *plan_groups(const struct oci_layer_src *srcs, size_t n, int max_layers, size_t *ngroups,
				 size_t *src_group)
{
	struct sized *sz = xcalloc(n ? n : 1, sizeof(*sz));
	bool *merged = xcalloc(n ? n : 1, sizeof(*merged));
	struct group *g = xcalloc(n ? n : 1, sizeof(*g));
	size_t i, nprim = 0, ng = 0, mg = (size_t)-1;
	uint64_t *w = xcalloc(n ? n : 1, sizeof(*w));

	for (i = 0; i < n; i++) {
		w[i] = src_weight(&srcs[i]);
		if (srcs[i].ntars) {
			sz[nprim].idx = i;
			sz[nprim++].size = w[i];
		}
	}
	if (max_layers <= 0)
		max_layers = OCI_DEFAULT_MAX_LAYERS;
	if (nprim > (size_t)max_layers) {
		qsort(sz, nprim, sizeof(*sz), sized_cmp);
		for (i = (size_t)max_layers - 1; i < nprim; i++)
			merged[sz[i].idx] = true;
	}
	for (i = 0; i < n; i++) {
		if (merged[i]) {
			if (mg == (size_t)-1)
				mg = ng++;
			group_add(&g[mg], &srcs[i], i, w[i]);
			src_group[i] = mg;
		} else {
			group_add(&g[ng], &srcs[i], i, w[i]);
			src_group[i] = ng++;
		}
	}
	free(sz);
	free(merged);
	free(w);
	*ngroups = ng;
	return g;
}

static char *group_name(const struct group *g)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < g->nsrcs; i++) {
		if (i)
			sb_adds(&sb, ", ");
		sb_adds(&sb, g->srcs[i]->name ? g->srcs[i]->name : "layer");
	}
	return sb_detach(&sb, NULL);
}

/* The cache key: every input digest and every setting that shapes the bytes. */
static void group_key(struct group *g, const struct oci_opts *o)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, j;
	char hex[65];

	g->key[0] = '\0';
	/* the compressor's version too: another version may give other bytes */
	sb_addf(&sb, "cpolc-layer\nformat %d\ncompression %s\nlibdeflate %s\nzstd %s\nepoch %lld\n",
		OCI_LAYER_FORMAT, comp_name(o->compression), LIBDEFLATE_VERSION_STRING, ZSTD_versionString(),
		o->epoch);
	/* layers cached before the layer writer checked members are not used */
	sb_adds(&sb, "member rules 1\n");
	for (i = 0; i < g->nsrcs; i++) {
		const struct oci_layer_src *s = g->srcs[i];
		sb_adds(&sb, s->allow_setuid ? "source allowing setuid\n" : "source\n");
		for (j = 0; j < s->ntars; j++) {
			if (!s->tar_digests || !s->tar_digests[j]) {
				sb_release(&sb);
				return; /* unverifiable input: never cached */
			}
			sb_addf(&sb, "tar %s\n", s->tar_digests[j]);
		}
		for (j = 0; j < s->nfiles; j++) {
			const struct oci_file *f = &s->files[j];
			if (f->type == 'd') {
				sb_addf(&sb, "dir %zu:%s %o %u:%u\n", strlen(f->path), f->path, f->mode,
					f->uid, f->gid);
				continue;
			}
			if (f->type == 'l') {
				sb_addf(&sb, "link %zu:%s %zu:%.*s\n", strlen(f->path), f->path, f->len,
					(int)f->len, (const char *)f->data);
				continue;
			}
			sha256_hex(f->data, f->len, hex);
			sb_addf(&sb, "file %zu:%s %o sha256:%s\n", strlen(f->path), f->path, f->mode, hex);
		}
	}
	sha256_hex(sb.buf, sb.len, g->key);
	g->recipe = sb_detach(&sb, NULL);
}

/* ---------------------------------------------------------------------------
 * The worker pool.
 */
struct pool {
	struct group **todo; /* heaviest first */
	size_t ntodo, next;
	pthread_mutex_t mu;
	const struct oci_opts *o;
	const char *tmpdir;
	struct oci_zpool *zpool;
};

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		struct group *g;
		pthread_mutex_lock(&p->mu);
		g = p->next < p->ntodo ? p->todo[p->next++] : NULL;
		pthread_mutex_unlock(&p->mu);
		if (!g)
			return NULL;
		oci_layer_build(g->srcs, g->nsrcs, p->o->compression, p->o->epoch, p->tmpdir, p->zpool,
				&g->out, &g->err);
	}
}

static int group_weight_cmp(const void *a, const void *b)
{
	const struct group *x = *(struct group *const *)a, *y = *(struct group *const *)b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->first < y->first ? -1 : 1;
}

static int jobs_count(int jobs)
{
	long n;

	if (jobs > 0)
		return jobs;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)(n > 64 ? 64 : n) : 1;
}

static int build_groups(struct group *g, size_t ng, const struct oci_opts *o, const char *tmpdir)
{
	struct pool p;
	pthread_t *th;
	size_t i, nth;
	int nj = jobs_count(o->jobs);

	memset(&p, 0, sizeof(p));
	p.todo = xcalloc(ng ? ng : 1, sizeof(*p.todo));
	for (i = 0; i < ng; i++)
		if (!g[i].cached)
			p.todo[p.ntodo++] = &g[i];
	qsort(p.todo, p.ntodo, sizeof(*p.todo), group_weight_cmp);
	p.o = o;
	p.tmpdir = tmpdir;
	pthread_mutex_init(&p.mu, NULL);
	p.zpool = p.ntodo ? oci_zpool_new(nj) : NULL;
	nth = (size_t)nj < p.ntodo ? (size_t)nj : p.ntodo;
	th = xcalloc(nth ? nth : 1, sizeof(*th));
	for (i = 0; i < nth; i++)
		if (pthread_create(&th[i], NULL, worker, &p) != 0)
			break;
	if (i == 0 && p.ntodo)
		worker(&p); /* no thread could start: do it here */
	nth = i;
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&p.mu);
	oci_zpool_free(p.zpool);
	free(th);
	free(p.todo);
	return 0;
}

/* ---------------------------------------------------------------------------
 * Config, manifest, index.
 */
static void rfc3339(long long epoch, char out[32])
{
	time_t t = (time_t)epoch;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static size_t env_name_len(const char *s)
{
	const char *eq = strchr(s, '=');

	return eq ? (size_t)(eq - s) : strlen(s);
}

/* Env: the base's variables, each replaced in place by the policy's value of
 * the same name, then the policy's new ones in its order. */
static json_t *merge_env(const json_t *base, const json_t *pol)
{
	json_t *out = json_array(), *v, *names = json_object(), *at;
	size_t i, j;
	bool *used = xcalloc(json_array_size(pol) + 1, sizeof(*used));

	/* the policy's names, each to its last index: one lookup per base
	 * variable, not a scan of the policy's (a base of 16 MiB is large) */
	json_array_foreach(pol, j, v)
	{
		const char *p = json_string_value(v);
		if (p) {
			char *name = xstrndup(p, env_name_len(p));
			json_object_set_new(names, name, json_integer((json_int_t)j));
			free(name);
		}
	}
	json_array_foreach(base, i, v)
	{
		const char *b = json_string_value(v);
		char *name;
		if (!b)
			continue;
		name = xstrndup(b, env_name_len(b));
		at = json_object_get(names, name);
		free(name);
		if (at) {
			j = (size_t)json_integer_value(at);
			used[j] = true;
			json_array_append(out, json_array_get(pol, j));
		} else {
			json_array_append(out, v);
		}
	}
	json_decref(names);
	json_array_foreach(pol, j, v)
	{
		if (!used[j])
			json_array_append(out, v);
	}
	free(used);
	return out;
}

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Env gets PATH first when neither the base nor the policy sets one, so that
 * `docker run IMAGE python3` does not depend on the runtime's default. */
static void default_path(json_t *cfg)
{
	json_t *env = json_object_get(cfg, "Env"), *v, *out;
	size_t i;

	json_array_foreach(env, i, v)
	{
		const char *s = json_string_value(v);
		if (s && env_name_len(s) == 4 && !strncmp(s, "PATH", 4))
			return;
	}
	out = json_array();
	json_array_append_new(out, json_string(DEFAULT_PATH));
	if (json_is_array(env))
		json_array_extend(out, env);
	json_object_set_new(cfg, "Env", out);
}

/* The image's "config": the base's, overridden key by key by the policy's;
 * Env merged by variable, Labels/ExposedPorts/Volumes merged by key; a null
 * value removes the key. */
static json_t *merge_config(const json_t *base, const json_t *pol)
{
	json_t *out = base ? json_deep_copy(base) : json_object(), *v;
	const char *k;

	if (!json_is_object(out)) {
		json_decref(out);
		out = json_object();
	}
	json_object_foreach((json_t *)pol, k, v)
	{
		json_t *old = json_object_get(out, k);
		if (json_is_null(v)) {
			json_object_del(out, k);
		} else if (strcmp(k, "Env") == 0 && json_is_array(old) && json_is_array(v)) {
			json_object_set_new(out, k, merge_env(old, v));
		} else if ((strcmp(k, "Labels") == 0 || strcmp(k, "ExposedPorts") == 0 ||
			    strcmp(k, "Volumes") == 0) &&
			   json_is_object(old) && json_is_object(v)) {
			json_t *m = json_deep_copy(old);
			json_object_update(m, v);
			json_object_set_new(out, k, m);
		} else {
			json_object_set_new(out, k, json_deep_copy(v));
		}
	}
	default_path(out);
	return out;
}

static json_t *descriptor(const char *mt, const char *digest, uint64_t size)
{
	return json_pack("{s:s, s:s, s:I}", "mediaType", mt, "digest", digest, "size", (json_int_t)size);
}

/* A base layer's descriptor as checked (oci_check_layer): its media type,
 * digest and size, and annotations when they are strings; nothing else of
 * the base's descriptor (urls, say) reaches the output. */
static json_t *base_descriptor(const json_t *l)
{
	json_t *out = descriptor(json_string_value(json_object_get(l, "mediaType")),
				 json_string_value(json_object_get(l, "digest")),
				 (uint64_t)json_integer_value(json_object_get(l, "size")));
	json_t *ann = json_object_get(l, "annotations"), *v, *keep = json_object();
	const char *k;

	json_object_foreach(ann, k, v)
	{
		if (json_is_string(v))
			json_object_set(keep, k, v);
	}
	if (json_object_size(keep))
		json_object_set(out, "annotations", keep);
	json_decref(keep);
	return out;
}

struct compose {
	const struct oci_opts *o;
	struct diag *d;
	char *os, *arch, *variant;
	char *root;   /* where the layout is written (out, or a temp dir for an archive) */
	char *tmpdir; /* where layers are built */
	struct oci_base base;
	bool have_base;
	struct group *g;
	size_t ng;
	size_t *src_group;
	json_t *old_refs; /* digests the previous index referenced */
};

static json_t *build_config(struct compose *c, const json_t *pol, json_t **merged)
{
	json_t *cfg = json_object(), *diff = json_array(), *hist = json_array(), *v;
	char ts[32];
	size_t i;

	rfc3339(c->o->epoch, ts);
	json_object_set_new(cfg, "architecture", json_string(c->arch));
	json_object_set_new(cfg, "os", json_string(c->os));
	if (c->variant)
		json_object_set_new(cfg, "variant", json_string(c->variant));
	json_object_set_new(cfg, "created", json_string(ts));
	*merged = merge_config(c->have_base ? json_object_get(c->base.config, "config") : NULL, pol);
	json_object_set(cfg, "config", *merged);
	if (c->have_base) {
		json_array_foreach(c->base.diff_ids, i, v) json_array_append(diff, v);
		if (c->base.history)
			json_array_foreach(c->base.history, i, v) json_array_append(hist, v);
	}
	for (i = 0; i < c->ng; i++) {
		char *name = group_name(&c->g[i]), *by = xasprintf("cpolc: %s", name);
		json_array_append_new(diff, json_string(c->g[i].out.diff_id));
		json_array_append_new(hist, json_pack("{s:s, s:s}", "created", ts, "created_by", by));
		free(name);
		free(by);
	}
	json_object_set_new(cfg, "rootfs", json_pack("{s:s, s:o}", "type", "layers", "diff_ids", diff));
	json_object_set_new(cfg, "history", hist);
	return cfg;
}

static json_t *build_manifest(struct compose *c, const char *cdigest, uint64_t csize,
			      const json_t *annotations)
{
	json_t *m = json_object(), *layers = json_array(), *v;
	const char *mt = oci_layer_media_type(c->o->compression);
	size_t i;

	json_object_set_new(m, "schemaVersion", json_integer(2));
	json_object_set_new(m, "mediaType", json_string(OCI_MT_MANIFEST));
	json_object_set_new(m, "config", descriptor(OCI_MT_CONFIG, cdigest, csize));
	if (c->have_base)
		json_array_foreach(c->base.layers, i, v) json_array_append_new(layers, base_descriptor(v));
	for (i = 0; i < c->ng; i++)
		json_array_append_new(layers, descriptor(mt, c->g[i].out.digest, c->g[i].out.size));
	json_object_set_new(m, "layers", layers);
	if (json_is_object(annotations) && json_object_size(annotations))
		json_object_set_new(m, "annotations", json_deep_copy(annotations));
	return m;
}

static const char *ref_name(const json_t *desc)
{
	return json_string_value(json_object_get(json_object_get(desc, "annotations"), OCI_REF_NAME));
}

/* Untagged entries first, then by tag, then by digest: an index lists the
 * same entries in the same order whatever order they were built in. */
static int cmp_entries(const void *pa, const void *pb)
{
	const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	const char *ra = ref_name(a), *rb = ref_name(b);
	int d = oci_is_artifact(a) - oci_is_artifact(b); /* images first */

	if (d == 0)
		d = ra && rb ? strcmp(ra, rb) : (ra != NULL) - (rb != NULL);
	if (d == 0)
		d = strcmp(json_string_value(json_object_get(a, "digest")),
			   json_string_value(json_object_get(b, "digest")));
	return d;
}

/* The index's manifests: every entry of the layout's current index.json
 * that names another tag (a build replaces its own tag and keeps the
 * others, as skopeo and umoci do), and desc, and art (the new referrer, or
 * NULL). Entries without a digest are dropped, and referrers of images no
 * longer listed; an unreadable index keeps nothing. */
static json_t *index_entries(struct compose *c, json_t *desc, json_t *art, const char *tag)
{
	char *path = path_join(c->root, "index.json");
	json_error_t jerr;
	json_t *old =
		c->o->format == OCI_FMT_DIR ? json_load_regular(path, OCI_MANIFEST_MAX, 0, &jerr) : NULL;
	json_t *e, **v, *out = json_array();
	size_t i, n = 0, cap = json_array_size(json_object_get(old, "manifests")) + 2;

	free(path);
	v = xcalloc(cap, sizeof(*v));
	json_array_foreach(json_object_get(old, "manifests"), i, e)
	{
		const char *ref = ref_name(e);
		if (json_is_object(e) && json_is_string(json_object_get(e, "digest")) &&
		    !(ref && strcmp(ref, tag) == 0) &&
		    !(art && oci_is_artifact(e) &&
		      json_equal(json_object_get(e, "digest"), json_object_get(art, "digest"))))
			v[n++] = e;
	}
	v[n++] = desc;
	if (art)
		v[n++] = art;
	qsort(v, n, sizeof(*v), cmp_entries);
	for (i = 0; i < n; i++)
		if (v[i] == art || !oci_referrer_stale(c->root, v[i], v, n))
			json_array_append(out, v[i]);
	free(v);
	json_decref(old);
	return out;
}

static int write_index(struct compose *c, const char *mdigest, uint64_t msize, json_t *art)
{
	json_t *desc = descriptor(OCI_MT_MANIFEST, mdigest, msize), *idx, *plat;
	const char *tag = c->o->tag ? c->o->tag : "latest";
	char *text, *path;
	int rc = 0;

	plat = json_pack("{s:s, s:s}", "architecture", c->arch, "os", c->os);
	if (c->variant)
		json_object_set_new(plat, "variant", json_string(c->variant));
	json_object_set_new(desc, "platform", plat);
	json_object_set_new(desc, "annotations", json_pack("{s:s}", OCI_REF_NAME, tag));
	idx = json_pack("{s:i, s:s, s:o}", "schemaVersion", 2, "mediaType", OCI_MT_INDEX, "manifests",
			index_entries(c, desc, art, tag));
	json_decref(desc);
	text = json_dumps(idx, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(idx);
	if (!text)
		abort();
	path = path_join(c->root, "oci-layout");
	{
		static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
		char *old = NULL;
		size_t n;
		if ((read_file(path, &old, &n) < 0 || n != sizeof(layout) - 1 ||
		     memcmp(old, layout, n) != 0) &&
		    write_file_atomic(path, layout, sizeof(layout) - 1, 0644) < 0) {
			diag_file_error(c->d, path, 0, 0, "oci-io", "cannot write '%s': %s", path,
					file_strerror(errno));
			rc = -1;
		}
		free(old);
	}
	free(path);
	path = path_join(c->root, "index.json");
	if (rc == 0 && write_file_atomic(path, text, strlen(text), 0644) < 0) {
		diag_file_error(c->d, path, 0, 0, "oci-io", "cannot write '%s': %s", path,
				file_strerror(errno));
		rc = -1;
	}
	free(path);
	free(text);
	return rc;
}

/* Digests referenced by root's current index.json (manifests and their
 * config and layers), for garbage collection after the new index is in. */
static json_t *referenced(const char *root)
{
	json_t *refs = json_object(), *idx, *m, *desc, *l;
	char *path = path_join(root, "index.json");
	size_t i, j;
	struct diag quiet;
	json_error_t jerr;

	diag_init(&quiet);
	idx = json_load_regular(path, OCI_MANIFEST_MAX, 0, &jerr);
	free(path);
	json_array_foreach(json_object_get(idx, "manifests"), i, desc)
	{
		const char *dg = json_string_value(json_object_get(desc, "digest"));
		if (!dg)
			continue;
		json_object_set_new(refs, dg, json_true());
		m = oci_read_json_blob(root, dg, &quiet);
		dg = json_string_value(json_object_get(json_object_get(m, "config"), "digest"));
		if (dg)
			json_object_set_new(refs, dg, json_true());
		json_array_foreach(json_object_get(m, "layers"), j, l)
		{
			dg = json_string_value(json_object_get(l, "digest"));
			if (dg)
				json_object_set_new(refs, dg, json_true());
		}
		json_decref(m);
	}
	json_decref(idx);
	diag_release(&quiet);
	return refs;
}

static bool is_temp_blob(const char *name)
{
	return strncmp(name, ".tmp-layer-", 11) == 0 || strstr(name, ".tmp.") != NULL;
}

/* Temporary files that builds killed a day ago or more left in blobs/
 * (never through a link out of the layout). */
static void remove_stale_temps(const char *root)
{
	remove_old_files(root, "blobs/sha256", 86400, is_temp_blob);
}

/* Hold an exclusive lock on the layout directory until *fd is closed. */
static int lock_layout(struct compose *c, int *fd)
{
	*fd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0 || flock(*fd, LOCK_EX) < 0) {
		diag_file_error(c->d, c->root, 0, 0, "oci-io", "cannot lock '%s': %s", c->root,
				file_strerror(errno));
		return -1;
	}
	return 0;
}

static void collect_garbage(struct compose *c)
{
	json_t *now = referenced(c->root), *v;
	const char *k;

	remove_stale_temps(c->root);

	json_object_foreach(c->old_refs, k, v)
	{
		char *p;
		if (json_object_get(now, k) || !digest_valid(k))
			continue;
		p = oci_blob_path(c->root, k);
		unlink(p);
		free(p);
	}
	json_decref(now);
}

/* The entries of index idx that keep: no tag of tags[0..n), and no
 * referrer of an image that goes. */
static json_t *entries_without(const char *root, const json_t *idx, const char *const *tags, size_t n)
{
	const json_t *all = json_object_get(idx, "manifests");
	json_t *e, **v = xcalloc(json_array_size(all) + 1, sizeof(*v)), *out = json_array();
	size_t i, k = 0;

	json_array_foreach(all, i, e)
	{
		const char *ref = ref_name(e);
		bool drop = !json_is_object(e) || !json_is_string(json_object_get(e, "digest"));
		for (size_t t = 0; t < n && ref && !drop; t++)
			drop = !strcmp(ref, tags[t]);
		if (!drop)
			v[k++] = e;
	}
	for (i = 0; i < k; i++)
		if (!oci_referrer_stale(root, v[i], v, k))
			json_array_append(out, v[i]);
	free(v);
	return out;
}

int oci_layout_untag(const char *dir, const char *const *tags, size_t n, struct diag *d)
{
	struct compose c = {.d = d, .root = (char *)dir};
	char *path = path_join(dir, "index.json"), *text = NULL;
	json_t *idx;
	json_error_t jerr;
	int fd = -1, rc = -1;

	if (lock_layout(&c, &fd) < 0)
		goto out;
	idx = json_load_regular(path, OCI_MANIFEST_MAX, 0, &jerr);
	if (!json_is_array(json_object_get(idx, "manifests"))) {
		diag_file_error(d, path, 0, 0, "oci-io", "cannot read '%s': %s", path, jerr.text);
		json_decref(idx);
		goto out;
	}
	c.old_refs = referenced(dir);
	json_object_set_new(idx, "manifests", entries_without(dir, idx, tags, n));
	text = json_dumps(idx, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(idx);
	if (!text)
		abort();
	if (write_file_atomic(path, text, strlen(text), 0644) < 0) {
		diag_file_error(d, path, 0, 0, "oci-io", "cannot write '%s': %s", path, file_strerror(errno));
		goto out;
	}
	collect_garbage(&c);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	json_decref(c.old_refs);
	free(text);
	free(path);
	return rc;
}

/* ---------------------------------------------------------------------------
 * The steps of oci_compose.
 */
static bool has_index(const char *root)
{
	char *path = path_join(root, "index.json");
	bool yes = access(path, F_OK) == 0;

	free(path);
	return yes;
}

/* An output directory that exists must be an image layout already, or
 * empty: a build does not scatter blobs into a directory of other files. */
static int check_layout_dir(struct compose *c)
{
	struct stat st;
	char *marker;
	DIR *dh;
	struct dirent *de;
	bool empty = true;

	if (stat(c->root, &st) < 0)
		return 0; /* created below */
	if (!S_ISDIR(st.st_mode)) {
		diag_file_error(c->d, c->root, 0, 0, "oci-io", "'%s' exists and is not a directory", c->root);
		return -1;
	}
	marker = path_join(c->root, "oci-layout");
	if (access(marker, F_OK) == 0) {
		free(marker);
		return 0;
	}
	free(marker);
	dh = opendir(c->root);
	while (dh && empty && (de = readdir(dh)))
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	if (dh)
		closedir(dh);
	if (!empty) {
		diag_file_error(c->d, c->root, 0, 0, "oci-io",
				"'%s' is a directory of other files, not an OCI image layout (it has no "
				"oci-layout file): choose another output or remove it",
				c->root);
		return -1;
	}
	return 0;
}

static int prepare_root(struct compose *c)
{
	const struct oci_opts *o = c->o;
	char *blobs;
	int rc;

	if (o->format == OCI_FMT_ARCHIVE) {
		c->root = xasprintf("%s.tmp-XXXXXX", o->out);
		if (!mkdtemp(c->root)) {
			diag_file_error(c->d, o->out, 0, 0, "oci-io",
					"cannot create a directory beside '%s': %s", o->out,
					file_strerror(errno));
			free(c->root);
			c->root = NULL;
			return -1;
		}
	} else {
		c->root = xstrdup(o->out);
		if (check_layout_dir(c) < 0)
			return -1;
	}
	blobs = path_join(c->root, "blobs/sha256");
	rc = mkdir_p(blobs, 0755);
	if (rc < 0)
		diag_file_error(c->d, blobs, 0, 0, "oci-io", "cannot create '%s': %s", blobs,
				file_strerror(errno));
	free(blobs);
	return rc;
}

static int lookup_cache(struct compose *c)
{
	size_t i;

	if (!c->o->cache_dir) {
		c->tmpdir = path_join(c->root, "blobs/sha256");
		return 0;
	}
	if (cache_open(c->o->cache_dir, c->d) < 0)
		return -1;
	c->tmpdir = cache_tmpdir(c->o->cache_dir);
	for (i = 0; i < c->ng; i++) {
		struct group *g = &c->g[i];
		int hit;
		group_key(g, c->o);
		if (!g->key[0])
			continue;
		hit = cache_lookup(c->o->cache_dir, g->key, g->recipe, &g->ce, c->d);
		if (hit < 0)
			return -1;
		if (hit) {
			g->cached = true;
			memcpy(g->out.digest, g->ce.digest, sizeof(g->out.digest));
			memcpy(g->out.diff_id, g->ce.diff_id, sizeof(g->out.diff_id));
			g->out.size = g->ce.size;
		}
	}
	return 0;
}

/* Move built layers into the cache and the layout; report build errors. */
static int place_layers(struct compose *c)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < c->ng; i++) {
		struct group *g = &c->g[i];
		char *name;
		if (g->err) {
			name = group_name(g);
			diag_error(c->d, LOC_NONE, "oci-input", "cannot build layer '%s': %s", name, g->err);
			free(name);
			rc = -1;
		}
	}
	for (i = 0; i < c->ng; i++) {
		struct group *g = &c->g[i];
		if (g->cached || g->err || !g->out.tmp_path)
			continue;
		if (rc < 0)
			continue; /* compose_release removes it */
		if (c->o->cache_dir && g->key[0]) {
			memcpy(g->ce.digest, g->out.digest, sizeof(g->ce.digest));
			memcpy(g->ce.diff_id, g->out.diff_id, sizeof(g->ce.diff_id));
			g->ce.size = g->out.size;
			if (cache_store(c->o->cache_dir, g->key, g->recipe, g->out.tmp_path, &g->ce, c->d) <
			    0)
				rc = -1;
		} else if (oci_place_blob(c->root, g->out.tmp_path, g->out.digest, true, c->d) < 0) {
			rc = -1;
		}
		free(g->out.tmp_path); /* renamed or removed: the name is free again */
		g->out.tmp_path = NULL;
	}
	for (i = 0; rc == 0 && i < c->ng; i++)
		if (c->g[i].ce.blob &&
		    oci_place_blob(c->root, c->g[i].ce.blob, c->g[i].out.digest, false, c->d) < 0)
			rc = -1;
	return rc;
}

static int place_base(struct compose *c)
{
	json_t *l;
	size_t i;

	if (!c->have_base)
		return 0;
	json_array_foreach(c->base.layers, i, l)
	{
		const char *dg = json_string_value(json_object_get(l, "digest"));
		char *src = oci_blob_path(c->base.dir, dg);
		int ck = oci_blob_check(src, dg);
		if (ck != 0) {
			diag_file_error(c->d, src, 0, 0, "oci-digest", "base layer '%s' %s", src,
					ck < 0 ? file_strerror(errno) : "does not match its digest");
			free(src);
			return -1;
		}
		if (oci_place_blob(c->root, src, dg, false, c->d) < 0) {
			free(src);
			return -1;
		}
		free(src);
	}
	return 0;
}

static void fill_result(struct compose *c, struct oci_result *res, size_t nsrc)
{
	size_t nb = c->have_base ? json_array_size(c->base.layers) : 0, i;
	json_t *l;

	res->nlayers = nb + c->ng;
	res->layers = xcalloc(res->nlayers ? res->nlayers : 1, sizeof(*res->layers));
	for (i = 0; i < nb; i++) {
		struct oci_layer_info *li = &res->layers[i];
		l = json_array_get(c->base.layers, i);
		li->name = xasprintf("from %s", c->base.dir);
		snprintf(li->digest, sizeof(li->digest), "%s",
			 json_string_value(json_object_get(l, "digest")));
		snprintf(li->diff_id, sizeof(li->diff_id), "%s",
			 json_string_value(json_array_get(c->base.diff_ids, i)));
		li->size = (uint64_t)json_integer_value(json_object_get(l, "size"));
		li->media_type = json_string_value(json_object_get(l, "mediaType"));
		li->from_base = true;
	}
	for (i = 0; i < c->ng; i++) {
		struct oci_layer_info *li = &res->layers[nb + i];
		li->name = group_name(&c->g[i]);
		memcpy(li->digest, c->g[i].out.digest, sizeof(li->digest));
		memcpy(li->diff_id, c->g[i].out.diff_id, sizeof(li->diff_id));
		li->size = c->g[i].out.size;
		li->media_type = oci_layer_media_type(c->o->compression);
		li->cached = c->g[i].cached;
	}
	res->nsrc = nsrc;
	res->src_layer = xcalloc(nsrc ? nsrc : 1, sizeof(*res->src_layer));
	for (i = 0; i < nsrc; i++)
		res->src_layer[i] = nb + c->src_group[i];
}

static int write_image(struct compose *c, const json_t *config, const json_t *annotations,
		       struct oci_result *res)
{
	json_t *cfg, *man, *merged = NULL, *art = NULL;
	uint64_t csize = 0;
	char ts[32];
	int rc;

	cfg = build_config(c, json_is_object(config) ? config : NULL, &merged);
	rc = oci_write_json_blob(c->root, cfg, res->config_digest, &csize, c->d);
	man = build_manifest(c, res->config_digest, csize, annotations);
	if (rc == 0)
		rc = oci_write_json_blob(c->root, man, res->manifest_digest, &res->manifest_size, c->d);
	json_decref(cfg);
	json_decref(man);
	res->config = merged;
	if (rc == 0 && c->o->before_publish && c->o->before_publish(c->o->publish_ctx, res, c->d) < 0)
		rc = -1;
	rfc3339(c->o->epoch, ts);
	if (rc == 0 && c->o->referrer &&
	    !(art = oci_referrer_write(c->root, c->o->referrer, res->manifest_digest, res->manifest_size, ts,
				       res->referrer_digest, c->d)))
		rc = -1;
	if (rc == 0 && c->o->format == OCI_FMT_DIR && !c->o->no_gc)
		c->old_refs = referenced(c->root);
	if (rc == 0)
		rc = write_index(c, res->manifest_digest, res->manifest_size, art);
	json_decref(art);
	if (rc == 0 && c->old_refs)
		collect_garbage(c);
	if (rc == 0 && c->o->format == OCI_FMT_ARCHIVE)
		rc = oci_archive_write(c->root, c->o->out, c->o->epoch, c->d);
	return rc;
}

static void compose_release(struct compose *c)
{
	size_t i;

	for (i = 0; i < c->ng; i++) {
		if (c->g[i].out.tmp_path)
			unlink(c->g[i].out.tmp_path); /* built but not placed: failure */
		free(c->g[i].out.tmp_path);
		free(c->g[i].err);
		free(c->g[i].srcs);
		free(c->g[i].recipe);
		cache_entry_release(&c->g[i].ce);
	}
	free(c->g);
	free(c->src_group);
	if (c->o->format == OCI_FMT_ARCHIVE && c->root)
		oci_remove_tree(c->root);
	free(c->root);
	free(c->tmpdir);
	free(c->os);
	free(c->arch);
	free(c->variant);
	if (c->have_base)
		oci_base_release(&c->base);
	json_decref(c->old_refs);
}

static int check_opts(const struct oci_opts *o, const char *platform, struct compose *c)
{
	if (!o->out || !*o->out) {
		diag_error(c->d, LOC_NONE, "oci-input", "no output path given");
		return -1;
	}
	if (o->epoch < 0 || o->epoch > 077777777777LL) { /* the ustar mtime field */
		diag_error(c->d, LOC_NONE, "oci-input", "SOURCE_DATE_EPOCH %lld is out of range", o->epoch);
		return -1;
	}
	if (oci_parse_platform(platform ? platform : "linux/amd64", &c->os, &c->arch, &c->variant) < 0) {
		diag_error(c->d, LOC_NONE, "oci-input", "bad platform '%s'", platform);
		return -1;
	}
	return 0;
}

int oci_compose(const struct oci_opts *o, const struct oci_layer_src *layers, size_t n, const json_t *config,
		const json_t *annotations, const char *platform, struct oci_result *res, struct diag *d)
{
	struct compose c;
	struct stat st;
	int rc = -1, lockfd = -1;
	/* a layout directory this build creates goes again when it fails */
	bool created = o->format == OCI_FMT_DIR && o->out && lstat(o->out, &st) < 0 && errno == ENOENT;

	memset(&c, 0, sizeof(c));
	c.o = o;
	c.d = d;
	oci_result_init(res);
	if (check_opts(o, platform, &c) < 0)
		goto out;
	if (o->from_layout) {
		if (oci_base_load(o->from_layout, c.os, c.arch, &c.base, d) < 0)
			goto out;
		c.have_base = true;
	}
	if (prepare_root(&c) < 0)
		goto out;
	c.src_group = xcalloc(n ? n : 1, sizeof(*c.src_group));
	c.g = plan_groups(layers, n, o->max_layers, &c.ng, c.src_group);
	if (lookup_cache(&c) < 0)
		goto out;
	build_groups(c.g, c.ng, o, c.tmpdir);
	/* From placing the first blob to collecting the garbage, builds into
	 * one layout take turns: a build's blobs are not referenced by the
	 * index until it writes the index, and another build's collection
	 * must not remove them before. */
	if (o->format == OCI_FMT_DIR && lock_layout(&c, &lockfd) < 0)
		goto out;
	if (place_layers(&c) < 0 || place_base(&c) < 0)
		goto out;
	fill_result(&c, res, n); /* for before_publish */
	if (write_image(&c, config, annotations, res) < 0)
		goto out;
	rc = 0;
out:
	if (lockfd >= 0)
		close(lockfd);
	if (rc < 0) {
		oci_result_release(res);
		if (created && c.root && !has_index(c.root))
			oci_remove_tree(c.root);
	}
	compose_release(&c);
	return rc;
}
