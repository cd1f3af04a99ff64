/* cat.c - reading catalogs: the index, catalog sets, lazy metadata, blobs. */
#include "config.h"

#include "cat.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cat_int.h"
#include "rel.h"
#include "util.h"
#include "ver.h"

/* ---- one catalog ---------------------------------------------------------- */

int cat_check_dir(const char *dir, struct diag *d)
{
	char *path = path_join(dir, "catalog.json"), *text;
	size_t len;
	json_error_t err;
	json_t *j;
	int rc = -1;

	if (read_file_max(path, JSON_FILE_MAX, 0, &text, &len) < 0) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "cannot read catalog: %s", file_strerror(errno));
		free(path);
		return -1;
	}
	j = json_loadb(text, len, 0, &err);
	if (!j)
		diag_file_error(d, path, (unsigned)err.line, (unsigned)err.column, CAT_RULE, "%s", err.text);
	else if (json_integer_value(json_object_get(j, "cpolCatalog")) != 1)
		diag_file_error(d, path, 0, 0, CAT_RULE,
				"not a version 1 catalog (\"cpolCatalog\": 1 expected)");
	else
		rc = 0;
	json_decref(j);
	free(text);
	free(path);
	return rc;
}

static bool valid_kind(const char *k)
{
	return !strcmp(k, "executable") || !strcmp(k, "library") || !strcmp(k, "config") ||
	       !strcmp(k, "data") || !strcmp(k, "base");
}

/* Fill p from the tab-separated fields of one index line (edited in place). */
static const char *index_entry(struct cat_prim *p, char **f)
{
	char *end;
	const char *why = NULL;

	if (!cat_valid_name(f[0]))
		return "bad name";
	if (!ver_valid(f[1], &why))
		return "bad version";
	if (!valid_kind(f[2]))
		return "bad kind";
	if (!digest_valid(f[3]) || !digest_valid(f[4]))
		return "bad digest";
	errno = 0;
	p->size = strtoull(f[5], &end, 10);
	if (errno || end == f[5] || *end)
		return "bad size";
	p->name = f[0], p->version = f[1], p->kind = f[2], p->digest = f[3], p->meta_digest = f[4];
	p->os = *f[6] ? f[6] : NULL;
	p->arch = *f[7] ? f[7] : NULL;
	p->depends = f[8], p->provides = f[9], p->conflicts = f[10];
	return NULL;
}

/* The "@pack" line after a version 2 magic line. Returns the
 * position after them, or NULL after reporting. */
static char *index_header(struct catalog *cat, char *p, char *end, const char *path, size_t *lineno,
			  struct diag *d)
{
	while (p < end && *p == '@') {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		(*lineno)++;
		if (!nl || !(sp = memchr(p, ' ', (size_t)(nl - p)))) {
			diag_file_error(d, path, (unsigned)*lineno, 0, CAT_RULE,
					"malformed index header line");
			return NULL;
		}
		*nl = *sp = '\0';
		if (!digest_valid(sp + 1) || strcmp(p, "@pack") || cat->pack_digest) {
			diag_file_error(d, path, (unsigned)*lineno, 0, CAT_RULE,
					"malformed index header line");
			return NULL;
		}
		cat->pack_digest = sp + 1;
		p = nl + 1;
	}
	return p;
}

static int parse_index(struct catalog *cat, const char *path, struct diag *d)
{
	char *p = cat->index_text, *end = p + cat->index_len;
	size_t cap = 0, lineno = 1;
	size_t mlen = strlen(CAT_INDEX_MAGIC);
	bool v2 = cat->index_len >= mlen + 1 && !memcmp(p, CAT_INDEX_MAGIC2 "\n", mlen + 1);

	if (!v2 && (cat->index_len < mlen + 1 || memcmp(p, CAT_INDEX_MAGIC "\n", mlen + 1))) {
		diag_file_error(d, path, 1, 0, CAT_RULE, "not a cpolc catalog index");
		return -1;
	}
	p += mlen + 1;
	if (v2 && !(p = index_header(cat, p, end, path, &lineno, d)))
		return -1;
	for (; p < end; lineno++) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *f[CAT_NFIELDS];
		const char *why;
		size_t nf = 0;

		if (!nl) {
			diag_file_error(d, path, (unsigned)lineno + 1, 0, CAT_RULE, "truncated index line");
			return -1;
		}
		*nl = '\0';
		f[nf++] = p;
		for (char *q = strchr(p, '\t'); q && nf <= CAT_NFIELDS; q = strchr(q + 1, '\t')) {
			*q = '\0';
			if (nf < CAT_NFIELDS)
				f[nf] = q + 1;
			nf++;
		}
		xgrow((void **)&cat->prims, &cap, cat->nprims + 1, sizeof(*cat->prims));
		memset(&cat->prims[cat->nprims], 0, sizeof(*cat->prims));
		why = nf != CAT_NFIELDS ? "wrong number of fields" : index_entry(&cat->prims[cat->nprims], f);
		if (why) {
			diag_file_error(d, path, (unsigned)lineno + 1, 0, CAT_RULE,
					"malformed index entry: %s", why);
			return -1;
		}
		cat->prims[cat->nprims++].cat = cat;
		p = nl + 1;
	}
	cat->nlocal = cat->nprims;
	return 0;
}

static void hash_ref(const void *data, size_t len, char out[72])
{
	char hex[65];

	sha256_hex(data, len, hex);
	snprintf(out, 72, "sha256:%s", hex);
}

struct catalog *cat_open(const char *dir, struct diag *d)
{
	struct catalog *cat = xcalloc(1, sizeof(*cat));
	char *path = path_join(dir, "index");

	cat->dir = xstrdup(dir);
	if (cat_check_dir(dir, d) < 0)
		goto fail;
	if (read_file(path, &cat->index_text, &cat->index_len) < 0) {
		struct strbuf sb = STRBUF_INIT;
		if (errno != ENOENT) {
			diag_file_error(d, path, 0, 0, CAT_RULE, "cannot read index: %s",
					file_strerror(errno));
			goto fail;
		}
		sb_adds(&sb, CAT_INDEX_MAGIC "\n");
		if (cat_scan_index(dir, &sb, d) < 0) {
			sb_release(&sb);
			goto fail;
		}
		cat->index_text = sb_detach(&sb, &cat->index_len);
	}
	hash_ref(cat->index_text, cat->index_len, cat->identity);
	if (parse_index(cat, path, d) < 0)
		goto fail;
	if (cat->pack_digest) {
		struct cat_pack *pk = pack_load(dir, cat->pack_digest, d);
		if (!pk)
			goto fail;
		pack_add_prims(cat, pk);
	}
	free(path);
	return cat;
fail:
	free(path);
	cat_close(cat);
	return NULL;
}

void cat_close(struct catalog *cat)
{
	if (!cat)
		return;
	for (size_t i = 0; i < cat->nlocal; i++) {
		free(cat->prims[i].meta_path);
		json_decref(cat->prims[i].meta);
		json_decref(cat->prims[i].record);
	}
	for (size_t i = 0; i < cat->ntouched; i++) { /* digests are owned, see cat.h */
		struct cat_prim *p = cat->touched[i];
		free(p->meta_path);
		json_decref(p->meta);
		json_decref(p->record);
		free(p->digest);
		free(p->meta_digest);
		free(p->deb_info);
	}
	free(cat->touched);
	pack_free(cat->pack);
	if (cat->prims_big)
		xfree_big(cat->prims, cat->prims_big);
	else
		free(cat->prims);
	free(cat->index_text);
	free(cat->dir);
	free(cat);
}

/* ---- catalog sets --------------------------------------------------------- */

/* The order of a set: name, version highest first, version bytewise,
 * architecture ("fits every platform" first). */
static int cmp_prim(const struct cat_prim *x, const struct cat_prim *y)
{
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if ((c = ver_cmp(y->version, x->version)))
		return c;
	if ((c = strcmp(x->version, y->version)))
		return c;
	return strcmp(x->arch ? x->arch : "", y->arch ? y->arch : "");
}

static int cmp_prim_p(const void *a, const void *b)
{
	return cmp_prim(*(struct cat_prim *const *)a, *(struct cat_prim *const *)b);
}

static int cmp_prov(const void *a, const void *b)
{
	const struct cat_provider *x = a, *y = b;
	int c = strcmp(x->virt, y->virt);

	if (c)
		return c;
	return cmp_prim(x->prim, y->prim);
}

/* The primitives of one catalog in set order: the index's, sorted, merged
 * with the pack's, which are in that order already (the index's first on
 * ties). Caller frees. */
static struct cat_prim **catalog_run(struct catalog *c)
{
	struct cat_prim **loc = xcalloc(c->nlocal + 1, sizeof(*loc));
	struct cat_prim **out = xcalloc(c->nprims + 1, sizeof(*out));
	size_t i = 0, j = c->nlocal, k = 0;

	for (size_t x = 0; x < c->nlocal; x++)
		loc[x] = &c->prims[x];
	if (c->nlocal > 1)
		qsort(loc, c->nlocal, sizeof(*loc), cmp_prim_p);
	while (i < c->nlocal || j < c->nprims) {
		if (j == c->nprims || (i < c->nlocal && cmp_prim(loc[i], &c->prims[j]) <= 0))
			out[k++] = loc[i++];
		else
			out[k++] = &c->prims[j++];
	}
	free(loc);
	return out;
}

static bool same_key(const struct cat_prim *a, const struct cat_prim *b)
{
	return !strcmp(a->name, b->name) && !ver_cmp(a->version, b->version) &&
	       !strcmp(a->arch ? a->arch : "", b->arch ? b->arch : "");
}

/* Two primitives of one name, version and platform: the earlier catalog's
 * wins; different content is an error (.deb digests for packages whose
 * content was not fetched). */
static int check_twin(const struct cat_prim *a, const struct cat_prim *b, struct diag *d)
{
	char h1[65], h2[65];
	uint64_t size;

	if (!a->pack_index && !b->pack_index && strcmp(a->digest, b->digest)) {
		diag_error(d, LOC_NONE, CAT_RULE,
			   "'%s' version '%s' has content %s in catalog '%s' but %s in catalog '%s'", a->name,
			   a->version, a->digest, a->cat->dir, b->digest, b->cat->dir);
		return -1;
	}
	if (!a->pack_index || !b->pack_index)
		return 0;
	if (pack_deb(a, h1, &size, NULL, d) < 0 || pack_deb(b, h2, &size, NULL, d) < 0)
		return -1;
	if (strcmp(h1, h2)) {
		diag_error(
			d, LOC_NONE, CAT_RULE,
			"'%s' version '%s' has the .deb sha256:%s in catalog '%s' but sha256:%s in catalog "
			"'%s'",
			a->name, a->version, h1, a->cat->dir, h2, b->cat->dir);
		return -1;
	}
	return 0;
}

/* Merge the catalogs' runs into cs->prims, earlier catalogs first on ties;
 * a twin of a primitive already taken is hidden. */
static int merge_prims(struct catset *cs, struct diag *d)
{
	struct cat_prim ***runs = xcalloc(cs->ncats + 1, sizeof(*runs));
	size_t *pos = xcalloc(cs->ncats + 1, sizeof(*pos)), total = 0;
	int rc = 0;

	for (size_t i = 0; i < cs->ncats; i++)
		total += cs->cats[i]->nprims;
	cs->prims = xcalloc(total + 1, sizeof(*cs->prims));
	if (cs->ncats == 1 && !cs->cats[0]->nlocal) { /* a pack alone is in order, without twins */
		for (size_t i = 0; i < total; i++)
			cs->prims[i] = &cs->cats[0]->prims[i];
		cs->nprims = total;
		free(runs);
		free(pos);
		return 0;
	}
	for (size_t i = 0; i < cs->ncats; i++)
		runs[i] = catalog_run(cs->cats[i]);
	for (;;) {
		struct cat_prim *best = NULL, *last;
		size_t bi = 0;
		for (size_t i = 0; i < cs->ncats; i++)
			if (pos[i] < cs->cats[i]->nprims && (!best || cmp_prim(runs[i][pos[i]], best) < 0))
				best = runs[i][pos[i]], bi = i;
		if (!best)
			break;
		pos[bi]++;
		last = cs->nprims ? cs->prims[cs->nprims - 1] : NULL;
		if (last && same_key(last, best)) {
			if (check_twin(last, best, d) < 0)
				rc = -1;
			best->hidden = true;
			continue;
		}
		cs->prims[cs->nprims++] = best;
	}
	for (size_t i = 0; i < cs->ncats; i++)
		free(runs[i]);
	free(runs);
	free(pos);
	return rc;
}

static void build_names(struct catset *cs)
{
	size_t cap = 0;

	/* a pack stores each name once: in a set of one pack, the same name is
	 * the same pointer */
	bool interned = cs->ncats == 1 && !cs->cats[0]->nlocal;

	for (size_t i = 0; i < cs->nprims; i++) {
		const char *last = cs->nnames ? cs->names[cs->nnames - 1].name : NULL;
		if (last &&
		    (last == cs->prims[i]->name || (!interned && !strcmp(last, cs->prims[i]->name)))) {
			cs->names[cs->nnames - 1].n++;
			continue;
		}
		xgrow((void **)&cs->names, &cap, cs->nnames + 1, sizeof(*cs->names));
		cs->names[cs->nnames++] = (struct cat_name){cs->prims[i]->name, i, 1};
	}
}

/* The providers of the index entries of cat (strings owned by cs). */
static int local_providers(struct catset *cs, struct catalog *cat, size_t *cap, struct diag *d)
{
	int rc = 0;

	for (size_t i = 0; i < cat->nlocal; i++) {
		struct cat_prim *p = &cat->prims[i];
		struct rel_list l;
		const char *why;

		if (!*p->provides || p->hidden)
			continue;
		if (rel_parse(p->provides, &l, &why) < 0) {
			diag_error(d, LOC_NONE, CAT_RULE,
				   "bad provides of '%s' version '%s' in catalog '%s': %s", p->name,
				   p->version, p->cat->dir, why);
			rc = -1;
			continue;
		}
		for (size_t j = 0; j < l.n; j++) {
			struct rel_atom *a = &l.alts[j].atoms[0];
			xgrow((void **)&cs->provs, cap, cs->nprovs + 1, sizeof(*cs->provs));
			strvec_push(&cs->owned, a->name);
			cs->provs[cs->nprovs].virt = cs->owned.v[cs->owned.n - 1];
			cs->provs[cs->nprovs].version = NULL;
			if (a->version) {
				strvec_push(&cs->owned, a->version);
				cs->provs[cs->nprovs].version = cs->owned.v[cs->owned.n - 1];
			}
			cs->provs[cs->nprovs++].prim = p;
		}
		rel_list_release(&l);
	}
	return rc;
}

/* Every provider of the set, sorted; a pack's come sorted, so a set of one
 * pack needs no sort. */
static int build_providers(struct catset *cs, struct diag *d)
{
	size_t cap = 0, sources = 0, k = 0;
	bool local = false;
	int rc = 0;

	for (size_t i = 0; i < cs->ncats; i++) {
		size_t before = cs->nprovs, mid;
		if (local_providers(cs, cs->cats[i], &cap, d) < 0)
			rc = -1;
		mid = cs->nprovs;
		if (cs->cats[i]->pack)
			pack_providers(cs->cats[i], &cs->provs, &cs->nprovs, &cap);
		local = local || mid > before;
		sources += (mid > before) + (cs->nprovs > mid);
	}
	for (size_t i = 0; i < cs->nprovs; i++)
		if (!cs->provs[i].prim->hidden)
			cs->provs[k++] = cs->provs[i];
	cs->nprovs = k;
	if (sources > 1 || local)
		qsort(cs->provs, cs->nprovs, sizeof(*cs->provs), cmp_prov);
	return rc;
}

int catset_open(struct catset *cs, const char *const *dirs, size_t n, struct diag *d)
{
	int rc = 0;

	memset(cs, 0, sizeof(*cs));
	cs->cats = xcalloc(n, sizeof(*cs->cats));
	for (size_t i = 0; i < n; i++) {
		struct catalog *c = cat_open(dirs[i], d);
		if (!c) {
			rc = -1;
			continue;
		}
		cs->cats[cs->ncats++] = c;
	}
	if (rc == 0 && merge_prims(cs, d) < 0)
		rc = -1;
	if (rc == 0 && build_providers(cs, d) < 0)
		rc = -1;
	build_names(cs);
	if (rc < 0) {
		catset_release(cs);
		memset(cs, 0, sizeof(*cs));
	}
	return rc;
}

void catset_release(struct catset *cs)
{
	for (size_t i = 0; i < cs->ncats; i++)
		cat_close(cs->cats[i]);
	free(cs->cats);
	free(cs->prims);
	free(cs->names);
	strvec_clear(&cs->owned);
	free(cs->provs);
	memset(cs, 0, sizeof(*cs));
}

const char *catset_suggest(const struct catset *cs, const char *name)
{
	const char **v = xcalloc(cs->nnames + cs->nprovs + 1, sizeof(*v));
	const char *pick;
	size_t n = 0;

	for (size_t i = 0; i < cs->nnames; i++)
		v[n++] = cs->names[i].name;
	for (size_t i = 0; i < cs->nprovs; i++)
		if (!n || strcmp(v[n - 1], cs->provs[i].virt))
			v[n++] = cs->provs[i].virt;
	pick = suggest_name(name, v, n);
	free(v);
	return pick;
}

struct cat_prim *const *catset_versions(const struct catset *cs, const char *name, size_t *n)
{
	size_t lo = 0, hi = cs->nnames;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, cs->names[mid].name);
		if (!c) {
			*n = cs->names[mid].n;
			return cs->prims + cs->names[mid].first;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*n = 0;
	return NULL;
}

const struct cat_provider *catset_providers(const struct catset *cs, const char *virt, size_t *n)
{
	size_t lo = 0, hi = cs->nprovs, first;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(cs->provs[mid].virt, virt) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < cs->nprovs && !strcmp(cs->provs[lo].virt, virt))
		lo++;
	*n = lo - first;
	return *n ? cs->provs + first : NULL;
}

struct cat_prim *catset_find(const struct catset *cs, const char *name, const char *version)
{
	size_t n;
	struct cat_prim *const *v = catset_versions(cs, name, &n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i]->version, version))
			return v[i];
	return NULL;
}

/* ---- primitives ----------------------------------------------------------- */

/* Does the index entry of p say what metadata m says? */
static bool same_as_index(const struct cat_prim *p, json_t *m)
{
	struct strbuf want = STRBUF_INIT, have = STRBUF_INIT;
	bool same;

	meta_index_line(m, p->meta_digest, &want);
	sb_addf(&have, "%s\t%s\t%s\t%s\t%s\t%" PRIu64 "\t%s\t%s\t%s\t%s\t%s\n", p->name, p->version, p->kind,
		p->digest, p->meta_digest, p->size, p->os ? p->os : "", p->arch ? p->arch : "", p->depends,
		p->provides, p->conflicts);
	same = !strcmp(want.buf, have.buf);
	sb_release(&want);
	sb_release(&have);
	return same;
}

static int load_meta(struct cat_prim *p, struct diag *d)
{
	char *path = meta_file_path(p->cat->dir, p->name, p->version), *text = NULL;
	char ref[72];
	size_t len;
	json_error_t err;
	json_t *m = NULL;

	if (read_file_max(path, JSON_FILE_MAX, 0, &text, &len) < 0) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "cannot read metadata: %s", file_strerror(errno));
		goto fail;
	}
	hash_ref(text, len, ref);
	if (strcmp(ref, p->meta_digest)) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "metadata digest %s does not match the index (%s)",
				ref, p->meta_digest);
		goto fail;
	}
	m = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!m) {
		diag_file_error(d, path, (unsigned)err.line, (unsigned)err.column, CAT_RULE, "%s", err.text);
		goto fail;
	}
	if (meta_check(m, path, true, d) < 0)
		goto fail;
	if (!same_as_index(p, m)) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "metadata differs from its index entry");
		goto fail;
	}
	free(text);
	p->meta = m;
	p->meta_path = path;
	return 0;
fail:
	json_decref(m);
	free(text);
	free(path);
	return -1;
}

/* The metadata of a pack primitive: built from its entry and its record,
 * whose digest is its metadata digest. */
static int load_pack_meta(struct cat_prim *p, struct diag *d)
{
	char ref[72];
	json_t *m = pack_meta(p, ref, d);

	if (!m)
		return -1;
	p->meta_digest = xstrdup(ref);
	p->meta_path = xstrdup(pack_path(p->cat->pack));
	p->meta = m;
	return remote_lookup(p, d);
}

void cat_touch(struct cat_prim *p)
{
	struct catalog *cat = (struct catalog *)p->cat; /* its list of touched primitives */

	if (p->touched || !p->pack_index)
		return;
	p->touched = true;
	xgrow((void **)&cat->touched, &cat->captouched, cat->ntouched + 1, sizeof(*cat->touched));
	cat->touched[cat->ntouched++] = p;
}

int cat_prim_load(const struct cat_prim *cp, struct diag *d)
{
	struct cat_prim *p = (struct cat_prim *)cp; /* the lazily filled cache */

	cat_touch(p);
	if (p->load_state == 0 && p->pack_index)
		p->load_state = load_pack_meta(p, d) < 0 ? -1 : 1;
	else if (p->load_state == 0)
		p->load_state = load_meta(p, d) < 0 ? -1 : 1;
	else if (p->load_state < 0)
		diag_error(d, LOC_NONE, CAT_RULE, "metadata of '%s' version '%s' in '%s' is unusable",
			   p->name, p->version, p->cat->dir);
	return p->load_state > 0 ? 0 : -1;
}

static json_t *opt_string(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *copy_or_null(json_t *v)
{
	return v ? json_deep_copy(v) : json_null();
}

static json_t *scan_record(json_t *scan)
{
	static const char *const keys[] = {"critical", "high", "medium", "low"};
	json_t *r, *cves, *c;
	size_t i;

	if (!scan)
		return json_null();
	r = json_object();
	cves = json_array();
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		json_object_set_new(r, keys[i], copy_or_null(json_object_get(scan, keys[i])));
	json_array_foreach(json_object_get(scan, "cves"), i, c)
	{
		json_t *o = json_object();
		json_object_set_new(o, "id", copy_or_null(json_object_get(c, "id")));
		json_object_set_new(o, "severity", copy_or_null(json_object_get(c, "severity")));
		json_object_set_new(o, "fixed", copy_or_null(json_object_get(c, "fixed")));
		json_array_append_new(cves, o);
	}
	json_object_set_new(r, "cves", cves);
	return r;
}

static json_t *list_or_empty(json_t *v)
{
	return v ? json_deep_copy(v) : json_array();
}

json_t *cat_prim_record(const struct cat_prim *cp)
{
	struct cat_prim *p = (struct cat_prim *)cp;
	struct diag scratch;
	json_t *r, *m;

	if (p->record)
		return p->record;
	diag_init(&scratch);
	if (cat_prim_load(p, &scratch) < 0) {
		diag_release(&scratch);
		return NULL;
	}
	diag_release(&scratch);
	m = p->meta;
	r = json_object();
	json_object_set_new(r, "name", json_string(p->name));
	json_object_set_new(r, "version", json_string(p->version));
	json_object_set_new(r, "kind", json_string(p->kind));
	json_object_set_new(r, "digest", opt_string(p->digest));
	json_object_set_new(r, "size", json_integer((json_int_t)p->size));
	json_object_set_new(r, "os", opt_string(p->os));
	json_object_set_new(r, "arch", opt_string(p->arch));
	json_object_set_new(r, "license", copy_or_null(json_object_get(m, "license")));
	json_object_set_new(r, "depends", list_or_empty(json_object_get(m, "depends")));
	json_object_set_new(r, "provides", list_or_empty(json_object_get(m, "provides")));
	json_object_set_new(r, "scan", scan_record(json_object_get(m, "scan")));
	json_object_set_new(r, "resources", copy_or_null(json_object_get(m, "resources")));
	json_object_set_new(r, "labels", copy_or_null(json_object_get(m, "labels")));
	p->record = r;
	return r;
}

bool cat_prim_fits(const struct cat_prim *p, const char *platform)
{
	const char *slash;
	size_t oslen;

	if (!platform || !p->os || !p->arch || !strcmp(p->arch, "all"))
		return true;
	slash = strchr(platform, '/');
	oslen = slash ? (size_t)(slash - platform) : strlen(platform);
	if (strlen(p->os) != oslen || strncmp(p->os, platform, oslen))
		return false;
	if (!slash)
		return true;
	slash++;
	oslen = strcspn(slash, "/");
	return strlen(p->arch) == oslen && !strncmp(p->arch, slash, oslen);
}

char *cat_blob_path(const struct cat_prim *p)
{
	return xasprintf("%s/blobs/sha256/%s", p->cat->dir, p->digest + 7);
}

/* Hash fd from its current position to the end into "sha256:HEX". */
static int hash_fd(int fd, char out[72])
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ssize_t n;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		abort();
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			EVP_MD_CTX_free(ctx);
			return -1;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	strcpy(out, "sha256:");
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
	return 0;
}

bool cat_prim_allows(const struct cat_prim *p, const char *what)
{
	return p->meta && meta_allows(p->meta, what);
}

int cat_blob_open(const struct cat_prim *p, int *fd, struct diag *d)
{
	char *path, got[72];
	int f;

	if (!p->digest) {
		diag_error(d, LOC_NONE, CAT_RULE, "the content of '%s' version '%s' was not fetched", p->name,
			   p->version);
		return -1;
	}
	path = cat_blob_path(p);
	f = open_regular(path, 0, NULL);

	if (f < 0) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "cannot open blob of '%s' version '%s': %s", p->name,
				p->version, file_strerror(errno));
		free(path);
		return -1;
	}
	if (hash_fd(f, got) < 0 || lseek(f, 0, SEEK_SET) != 0) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "cannot read blob: %s", file_strerror(errno));
		goto fail;
	}
	if (strcmp(got, p->digest)) {
		diag_file_error(d, path, 0, 0, CAT_RULE,
				"blob of '%s' version '%s' has digest %s, expected %s", p->name, p->version,
				got, p->digest);
		goto fail;
	}
	free(path);
	*fd = f;
	return 0;
fail:
	close(f);
	free(path);
	return -1;
}
