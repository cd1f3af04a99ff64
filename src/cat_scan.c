/* cat_scan.c - `catalog import-scan`: the findings of a vulnerability feed
 * on every primitive of a catalog, in one run.
 *
 * Formats:
 *   osv    OSV (ossf.github.io/osv-schema): an advisory, an array of them, or
 *          a directory of NAME.json files (an ecosystem's export, unzipped).
 *          Only apt ecosystems ("Debian", "Debian:12", "Ubuntu:22.04", ...)
 *          and ECOSYSTEM ranges count. An affected package is a source
 *          package: it matches each primitive of that name and each package
 *          built from that source, compared at its source version; a
 *          version is affected when it lies in a range (introduced .. fixed,
 *          or up to last_affected, Debian ordering) or in "versions".
 *          The feed speaks for the whole catalog: every primitive gets a
 *          scan record, an empty one when nothing affects it.
 *   grype  `grype -o json`: each match names a package and its exact
 *          version; only the primitives it names get a record.
 *
 * A finding's id is each CVE id of the advisory (its id, aliases,
 * upstream), else its own id; its severity the advisory's own word
 * (database_specific, ecosystem_specific severity or urgency), else the
 * CVSS v3 base score of its vector, else "unknown" (listed, not counted);
 * its fixed version the range's first "fixed" at or above the version.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cat.h"
#include "cat_int.h"
#include "ver.h"

#define MAX_FEED (1024u << 20) /* bytes of one feed file */

/* A package named by an advisory (borrowed from the loaded documents). */
struct aff {
	size_t adv;
	const char *pkg;
	json_t *ranges, *versions;
	const char *exact; /* grype: the one version matched */
	const char *fixed; /* grype: the fix, or NULL */
};

struct adv {
	char **ids; /* CVE ids, else the advisory's id */
	size_t nids;
	const char *severity; /* static: critical, high, medium, low, unknown */
};

struct feed {
	json_t **docs;
	size_t ndocs, capdocs;
	struct adv *advs;
	size_t nadvs, capadvs;
	struct aff *affs;
	size_t naffs, capaffs;
};

static void feed_release(struct feed *f)
{
	for (size_t i = 0; i < f->ndocs; i++)
		json_decref(f->docs[i]);
	for (size_t i = 0; i < f->nadvs; i++) {
		for (size_t j = 0; j < f->advs[i].nids; j++)
			free(f->advs[i].ids[j]);
		free(f->advs[i].ids);
	}
	free(f->docs);
	free(f->advs);
	free(f->affs);
	memset(f, 0, sizeof(*f));
}

/* ---- severity ------------------------------------------------------------------------ */

static const char *severity_word(const char *s)
{
	static const struct {
		const char *in, *out;
	} words[] = {{"critical", "critical"}, {"high", "high"},       {"important", "high"},
		     {"medium", "medium"},     {"moderate", "medium"}, {"low", "low"},
		     {"negligible", "low"},    {"unimportant", "low"}};

	for (size_t i = 0; s && i < ARRAY_SIZE(words); i++)
		if (!strcasecmp(s, words[i].in))
			return words[i].out;
	return NULL;
}

/* The value of metric m in a CVSS v3 vector, or '\0'. */
static char metric(const char *vec, const char *m)
{
	size_t n = strlen(m);

	for (const char *p = strchr(vec, '/'); p; p = strchr(p + 1, '/'))
		if (!strncmp(p + 1, m, n) && p[1 + n] == ':')
			return p[2 + n];
	return '\0';
}

/* CVSS 3.1's Roundup: the smallest number of one decimal >= x. */
static double roundup(double x)
{
	long i = (long)(x * 100000 + 0.5);

	return i % 10000 == 0 ? (double)i / 100000.0 : (double)(i / 10000 + 1) / 10.0;
}

static double pow15(double x)
{
	double r = 1;

	for (int i = 0; i < 15; i++)
		r *= x;
	return r;
}

/* The CVSS v3 base score of a vector ("CVSS:3.1/AV:N/AC:L/..."), as the
 * specification computes it; -1 when it is not one. */
static double cvss3(const char *vec)
{
	char av = metric(vec, "AV"), ac = metric(vec, "AC"), pr = metric(vec, "PR"), ui = metric(vec, "UI");
	char sc = metric(vec, "S"), c = metric(vec, "C"), i = metric(vec, "I"), a = metric(vec, "A");
	double wav, wac, wpr, wui, iss, imp, expl, base;
	bool changed = sc == 'C';

	if (strncmp(vec, "CVSS:3.", 7) || !strchr("NALP", av ? av : 'x') || !strchr("LH", ac ? ac : 'x') ||
	    !strchr("NLH", pr ? pr : 'x') || !strchr("NR", ui ? ui : 'x') || !strchr("UC", sc ? sc : 'x') ||
	    !strchr("NLH", c ? c : 'x') || !strchr("NLH", i ? i : 'x') || !strchr("NLH", a ? a : 'x'))
		return -1;
	wav = av == 'N' ? 0.85 : av == 'A' ? 0.62 : av == 'L' ? 0.55 : 0.2;
	wac = ac == 'L' ? 0.77 : 0.44;
	wpr = pr == 'N' ? 0.85 : pr == 'L' ? (changed ? 0.68 : 0.62) : (changed ? 0.5 : 0.27);
	wui = ui == 'N' ? 0.85 : 0.62;
#define CIA(x) ((x) == 'H' ? 0.56 : (x) == 'L' ? 0.22 : 0.0)
	iss = 1 - (1 - CIA(c)) * (1 - CIA(i)) * (1 - CIA(a));
#undef CIA
	imp = changed ? 7.52 * (iss - 0.029) - 3.25 * pow15(iss - 0.02) : 6.42 * iss;
	expl = 8.22 * wav * wac * wpr * wui;
	if (imp <= 0)
		return 0;
	base = changed ? 1.08 * (imp + expl) : imp + expl;
	if (base > 10)
		base = 10;
	return roundup(base);
}

static const char *score_word(double s)
{
	return s >= 9 ? "critical" : s >= 7 ? "high" : s >= 4 ? "medium" : s > 0 ? "low" : NULL;
}

static const char *osv_severity(json_t *adv)
{
	const char *w = severity_word(
		json_string_value(json_object_get(json_object_get(adv, "database_specific"), "severity")));
	json_t *e, *aff;
	size_t i;

	json_array_foreach(json_object_get(adv, "affected"), i, aff)
	{
		json_t *es = json_object_get(aff, "ecosystem_specific"),
		       *ds = json_object_get(aff, "database_specific");
		if (!w)
			w = severity_word(json_string_value(json_object_get(es, "severity")));
		if (!w)
			w = severity_word(json_string_value(json_object_get(es, "urgency")));
		if (!w)
			w = severity_word(json_string_value(json_object_get(ds, "severity")));
	}
	json_array_foreach(json_object_get(adv, "severity"), i, e)
	{
		const char *type = json_string_value(json_object_get(e, "type"));
		const char *score = json_string_value(json_object_get(e, "score"));
		if (!w && type && score && !strncmp(type, "CVSS_V3", 7))
			w = score_word(cvss3(score));
	}
	return w ? w : "unknown";
}

/* ---- reading feeds ---------------------------------------------------------------------- */

static void add_id(struct adv *a, const char *id, size_t *cap)
{
	for (size_t i = 0; i < a->nids; i++)
		if (!strcmp(a->ids[i], id))
			return;
	xgrow((void **)&a->ids, cap, a->nids + 1, sizeof(*a->ids));
	a->ids[a->nids++] = xstrdup(id);
}

/* The CVE ids an OSV advisory names (its id, aliases, upstream; Debian's
 * "DEBIAN-CVE-..." ids too), else its own id. */
static void osv_ids(json_t *adv, struct adv *a)
{
	static const char *const lists[] = {"aliases", "upstream", "related"};
	const char *id = json_string_value(json_object_get(adv, "id"));
	size_t cap = 0, i;
	json_t *e;

	if (id && !strncmp(id, "CVE-", 4))
		add_id(a, id, &cap);
	if (id && !strncmp(id, "DEBIAN-CVE-", 11))
		add_id(a, id + 7, &cap);
	for (size_t k = 0; k < ARRAY_SIZE(lists); k++)
		json_array_foreach(json_object_get(adv, lists[k]), i, e)
		{
			const char *s = json_string_value(e);
			if (s && !strncmp(s, "CVE-", 4) && k < 2)
				add_id(a, s, &cap);
		}
	if (!a->nids)
		add_id(a, id, &cap);
}

static bool apt_ecosystem(const char *e)
{
	return e && (!strncmp(e, "Debian", 6) || !strncmp(e, "Ubuntu", 6));
}

static int osv_advisory(struct feed *f, json_t *adv, const char *what, struct diag *d)
{
	struct adv a = {NULL, 0, NULL};
	size_t i, before = f->naffs;
	json_t *aff;

	if (!json_is_object(adv) || !json_is_string(json_object_get(adv, "id"))) {
		diag_file_error(d, what, 0, 0, CAT_RULE, "not an OSV advisory (an object with an 'id')");
		return -1;
	}
	json_array_foreach(json_object_get(adv, "affected"), i, aff)
	{
		json_t *pkg = json_object_get(aff, "package");
		const char *name = json_string_value(json_object_get(pkg, "name"));
		if (!name || !apt_ecosystem(json_string_value(json_object_get(pkg, "ecosystem"))))
			continue;
		xgrow((void **)&f->affs, &f->capaffs, f->naffs + 1, sizeof(*f->affs));
		f->affs[f->naffs++] = (struct aff){
			f->nadvs, name, json_object_get(aff, "ranges"), json_object_get(aff, "versions"),
			NULL,	  NULL};
	}
	if (f->naffs == before)
		return 0;
	osv_ids(adv, &a);
	a.severity = osv_severity(adv);
	xgrow((void **)&f->advs, &f->capadvs, f->nadvs + 1, sizeof(*f->advs));
	f->advs[f->nadvs++] = a;
	return 0;
}

static int grype_match(struct feed *f, json_t *m, const char *what, struct diag *d)
{
	json_t *v = json_object_get(m, "vulnerability"), *art = json_object_get(m, "artifact"), *e;
	const char *id = json_string_value(json_object_get(v, "id"));
	const char *name = json_string_value(json_object_get(art, "name"));
	const char *version = json_string_value(json_object_get(art, "version"));
	const char *sev = severity_word(json_string_value(json_object_get(v, "severity")));
	struct adv a = {NULL, 0, sev ? sev : "unknown"};
	size_t cap = 0, i;

	if (!id || !name || !version) {
		diag_file_error(d, what, 0, 0, CAT_RULE,
				"a grype match without vulnerability.id, artifact.name "
				"and artifact.version");
		return -1;
	}
	if (!strncmp(id, "CVE-", 4))
		add_id(&a, id, &cap);
	json_array_foreach(json_object_get(m, "relatedVulnerabilities"), i, e)
	{
		const char *r = json_string_value(json_object_get(e, "id"));
		if (r && !strncmp(r, "CVE-", 4))
			add_id(&a, r, &cap);
	}
	if (!a.nids)
		add_id(&a, id, &cap);
	xgrow((void **)&f->affs, &f->capaffs, f->naffs + 1, sizeof(*f->affs));
	f->affs[f->naffs++] = (struct aff){
		f->nadvs,
		name,
		NULL,
		NULL,
		version,
		json_string_value(json_array_get(json_object_get(json_object_get(v, "fix"), "versions"), 0))};
	xgrow((void **)&f->advs, &f->capadvs, f->nadvs + 1, sizeof(*f->advs));
	f->advs[f->nadvs++] = a;
	return 0;
}

/* One JSON document of the feed. */
static int load_doc(struct feed *f, const char *path, enum cat_scan_format fmt, struct diag *d)
{
	json_error_t err;
	struct stat st;
	json_t *doc, *e;
	size_t i;
	int rc = 0;

	if (stat(path, &st) == 0 && (uint64_t)st.st_size > MAX_FEED) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "larger than %u MiB", MAX_FEED >> 20);
		return -1;
	}
	if (!(doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err))) {
		diag_file_error(d, path, err.line > 0 ? (unsigned)err.line : 0,
				err.column > 0 ? (unsigned)err.column : 0, CAT_RULE, "%s", err.text);
		return -1;
	}
	xgrow((void **)&f->docs, &f->capdocs, f->ndocs + 1, sizeof(*f->docs));
	f->docs[f->ndocs++] = doc;
	if (fmt == CAT_SCAN_GRYPE) {
		if (!json_is_array(json_object_get(doc, "matches"))) {
			diag_file_error(d, path, 0, 0, CAT_RULE, "not grype's JSON output (no 'matches')");
			return -1;
		}
		json_array_foreach(json_object_get(doc, "matches"), i, e) rc |= grype_match(f, e, path, d);
	} else if (json_is_array(doc)) {
		json_array_foreach(doc, i, e) rc |= osv_advisory(f, e, path, d);
	} else {
		rc = osv_advisory(f, doc, path, d);
	}
	return rc;
}

/* A file, or (OSV) a directory of *.json files, in name order. */
static int load_feed(struct feed *f, const char *path, enum cat_scan_format fmt, struct diag *d)
{
	struct strvec names = STRVEC_INIT;
	struct dirent *de;
	struct stat st;
	DIR *dh;
	int rc = 0;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode) || fmt != CAT_SCAN_OSV)
		return load_doc(f, path, fmt, d);
	if (!(dh = opendir(path))) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "cannot read: %s", strerror(errno));
		return -1;
	}
	while ((de = readdir(dh))) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] != '.' && n > 5 && !strcmp(de->d_name + n - 5, ".json"))
			strvec_push_nodup(&names, path_join(path, de->d_name));
	}
	closedir(dh);
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), cmp_strp);
	for (size_t i = 0; i < names.n; i++)
		rc |= load_doc(f, names.v[i], fmt, d);
	strvec_clear(&names);
	return rc;
}

/* ---- matching ------------------------------------------------------------------------ */

struct finding {
	size_t adv;
	const char *fixed;
};

/* A primitive of the catalog, with what the feed finds in it. */
struct target {
	struct cat_prim *p;
	struct pack_pkg pkg; /* pack primitives: their entry, strings kept */
	struct finding *f;
	size_t nf, capf;
	bool named; /* grype: the feed names it */
};

/* A name the feed may name: a primitive, at the version to compare. */
struct hit {
	size_t t;
	const char *version;
	bool binary; /* by its own name, not its source's */
};

struct hits {
	struct hit *v;
	size_t n, cap;
};

static void add_hit(struct strmap *m, const char *name, struct hit h)
{
	struct hits *hs = strmap_get(m, name);

	if (!hs) {
		hs = xcalloc(1, sizeof(*hs));
		strmap_put(m, name, hs);
	}
	xgrow((void **)&hs->v, &hs->cap, hs->n + 1, sizeof(*hs->v));
	hs->v[hs->n++] = h;
}

/* "src (1.2-3)" into its name and version (in a); no version: NULL. */
static void split_source(struct sarena *a, const char *src, const char **name, const char **version)
{
	const char *paren = strchr(src, '(');
	size_t n = paren ? (size_t)(paren - src) : strlen(src);

	while (n && src[n - 1] == ' ')
		n--;
	*name = sa_dup(a, src, n);
	*version = NULL;
	if (paren) {
		const char *close = strchr(paren, ')');
		if (close)
			*version = sa_dup(a, paren + 1, (size_t)(close - paren - 1));
	}
}

struct event {
	int kind; /* 0 introduced, 1 fixed, 2 last_affected */
	const char *version;
};

/* Debian ordering, where OSV's "0" (from the start) is below everything. */
static int vcmp(const char *a, const char *b)
{
	bool za = !strcmp(a, "0"), zb = !strcmp(b, "0");

	return za || zb ? (int)zb - (int)za : ver_cmp(a, b);
}

static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	int c = vcmp(x->version, y->version);

	return c ? c : x->kind - y->kind;
}

/* Is v affected by one OSV range? *fixed: the first fix above v. */
static bool in_range(const char *v, json_t *range, const char **fixed)
{
	static const char *const kinds[] = {"introduced", "fixed", "last_affected"};
	struct event ev[64];
	size_t n = 0, i;
	const char *type = json_string_value(json_object_get(range, "type"));
	bool affected = false;
	json_t *e;

	if (!type || strcmp(type, "ECOSYSTEM"))
		return false;
	json_array_foreach(json_object_get(range, "events"), i,
			   e) for (int k = 0; k < 3 && n < ARRAY_SIZE(ev);
				   k++) if (json_is_string(json_object_get(e, kinds[k]))) ev[n++] =
		(struct event){k, json_string_value(json_object_get(e, kinds[k]))};
	if (n)
		qsort(ev, n, sizeof(*ev), cmp_event);
	for (i = 0; i < n; i++) {
		int c = vcmp(v, ev[i].version);
		if (ev[i].kind == 0 && c >= 0)
			affected = true;
		else if (ev[i].kind == 1 && c >= 0)
			affected = false;
		else if (ev[i].kind == 2 && c > 0)
			affected = false;
		if (ev[i].kind == 1 && c < 0 && affected && !*fixed)
			*fixed = ev[i].version;
	}
	return affected;
}

static bool osv_affects(const struct aff *a, const char *v, const char **fixed)
{
	json_t *e;
	size_t i;

	*fixed = NULL;
	json_array_foreach(a->versions, i, e)
	{
		if (json_is_string(e) && !strcmp(json_string_value(e), v))
			return true;
	}
	json_array_foreach(a->ranges, i, e)
	{
		if (in_range(v, e, fixed))
			return true;
	}
	return false;
}

static void find(struct target *t, size_t adv, const char *fixed)
{
	for (size_t i = 0; i < t->nf; i++)
		if (t->f[i].adv == adv)
			return;
	xgrow((void **)&t->f, &t->capf, t->nf + 1, sizeof(*t->f));
	t->f[t->nf++] = (struct finding){adv, fixed};
}

static void match(const struct feed *f, struct target *ts, const struct strmap *names,
		  enum cat_scan_format fmt)
{
	for (size_t i = 0; i < f->naffs; i++) {
		const struct aff *a = &f->affs[i];
		const struct hits *hs = strmap_get(names, a->pkg);
		for (size_t j = 0; hs && j < hs->n; j++) {
			const struct hit *h = &hs->v[j];
			const char *fixed = a->fixed;
			if (fmt == CAT_SCAN_GRYPE ? h->binary && !ver_cmp(h->version, a->exact)
						  : osv_affects(a, h->version, &fixed)) {
				find(&ts[h->t], a->adv, fixed);
				ts[h->t].named = true;
			}
		}
	}
}

/* ---- the scan records ------------------------------------------------------------------- */

static int sev_rank(const char *s)
{
	return !strcmp(s, "critical") ? 0
	       : !strcmp(s, "high")   ? 1
	       : !strcmp(s, "medium") ? 2
	       : !strcmp(s, "low")    ? 3
				      : 4;
}

struct cve {
	const char *id, *severity, *fixed;
};

static int cmp_cve(const void *a, const void *b)
{
	const struct cve *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : sev_rank(x->severity) - sev_rank(y->severity);
}

/* The scan object of t: counts by severity, the CVE ids (each once, at
 * its highest severity) in id order. */
static json_t *scan_object(const struct feed *f, const struct target *t, const char *scanner)
{
	static const char *const keys[] = {"critical", "high", "medium", "low"};
	struct cve *v = NULL;
	size_t n = 0, cap = 0, k = 0;
	json_int_t count[5] = {0};
	json_t *o = json_object(), *cves = json_array();

	for (size_t i = 0; i < t->nf; i++) {
		const struct adv *a = &f->advs[t->f[i].adv];
		for (size_t j = 0; j < a->nids; j++) {
			xgrow((void **)&v, &cap, n + 1, sizeof(*v));
			v[n++] = (struct cve){a->ids[j], a->severity, t->f[i].fixed};
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_cve);
	for (size_t i = 0; i < n; i++) {
		if (k && !strcmp(v[k - 1].id, v[i].id))
			continue; /* the first is the most severe */
		v[k++] = v[i];
	}
	for (size_t i = 0; i < k; i++) {
		count[sev_rank(v[i].severity)]++;
		json_array_append_new(cves,
				      json_pack("{s:s,s:s,s:o}", "id", v[i].id, "severity", v[i].severity,
						"fixed", v[i].fixed ? json_string(v[i].fixed) : json_null()));
	}
	json_object_set_new(o, "scanner", json_string(scanner));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		json_object_set_new(o, keys[i], json_integer(count[i]));
	json_object_set_new(o, "cves", cves);
	free(v);
	return o;
}

/* The targets: every primitive of cat; the names a feed may use for
 * them. */
static int targets(struct catalog *cat, struct sarena *a, struct target **out, struct strmap *names,
		   struct diag *d)
{
	struct target *ts = xcalloc(cat->nprims + 1, sizeof(*ts));

	for (size_t i = 0; i < cat->nprims; i++) {
		struct cat_prim *p = &cat->prims[i];
		const char *src, *srcver;
		ts[i].p = p;
		add_hit(names, p->name, (struct hit){i, p->version, true});
		if (!p->pack_index)
			continue;
		if (pack_get(cat->pack, p->pack_index - 1, &ts[i].pkg, d) < 0) {
			free(ts);
			return -1;
		}
		pack_keep(a, &ts[i].pkg);
		if (!*ts[i].pkg.source)
			continue;
		split_source(a, ts[i].pkg.source, &src, &srcver);
		if (strcmp(src, p->name))
			add_hit(names, src, (struct hit){i, srcver ? srcver : p->version, false});
	}
	*out = ts;
	return 0;
}

/* Rewrite the pack with the scan records of its targets. */
static int apply_pack(const char *dir, struct catalog *cat, struct target *ts, const struct feed *f,
		      const char *scanner, struct sarena *a, struct diag *d)
{
	size_t n = pack_count(cat->pack), k = 0;
	struct pack_pkg *pkgs = xcalloc(n + 1, sizeof(*pkgs));
	const char **srcs = xcalloc(pack_nsrcs(cat->pack) + 1, sizeof(*srcs));
	char digest[72];
	int rc;

	for (size_t i = cat->nlocal; i < cat->nprims; i++) {
		struct target *t = &ts[i];
		pkgs[k] = t->pkg;
		pkgs[k].seq = (uint32_t)k;
		if (t->named || !strcmp(scanner, "osv")) {
			json_t *o = scan_object(f, t, scanner);
			char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
			pkgs[k].scan = sa_dup(a, s, strlen(s));
			free(s);
			json_decref(o);
		}
		k++;
	}
	for (size_t i = 0; i < pack_nsrcs(cat->pack); i++)
		srcs[i] = pack_src(cat->pack, i);
	rc = pack_write(dir, pkgs, k, srcs, pack_nsrcs(cat->pack), digest, d);
	if (rc == 0)
		rc = index_header_write(dir, digest, d);
	if (rc == 0) {
		struct cat_pack *now = pack_load(dir, digest, d);
		if (now)
			pack_prune(dir, now, PACK_PRUNE_AGE);
		pack_free(now);
	}
	free(pkgs);
	free(srcs);
	return rc;
}

/* Write the scan records of the index's primitives, then the index. */
static int apply_local(const char *dir, struct catalog *cat, struct target *ts, const struct feed *f,
		       const char *scanner, struct diag *d)
{
	int rc = 0;
	bool any = false;

	for (size_t i = 0; i < cat->nlocal; i++) {
		json_t *m;
		char ref[72];
		if ((!ts[i].named && strcmp(scanner, "osv")) || cat_prim_load(ts[i].p, d) < 0) {
			rc |= !ts[i].named && strcmp(scanner, "osv") ? 0 : -1;
			continue;
		}
		m = json_deep_copy(ts[i].p->meta);
		json_object_set_new(m, "scan", scan_object(f, &ts[i], scanner));
		if (meta_check(m, ts[i].p->name, true, d) < 0 || meta_store(dir, m, ref, d) < 0)
			rc = -1;
		json_decref(m);
		any = true;
	}
	if (any && rc == 0)
		rc = cat_reindex_locked(dir, d);
	return rc;
}

long cat_import_scan(const char *dir, const char *file, enum cat_scan_format fmt, struct diag *d)
{
	const char *scanner = fmt == CAT_SCAN_GRYPE ? "grype" : "osv";
	struct feed f = {0};
	struct strmap names = STRMAP_INIT;
	struct sarena a = {0};
	struct target *ts = NULL;
	struct catalog *cat = NULL;
	long rc = -1, found = 0;
	int lock = -1;

	if (load_feed(&f, file, fmt, d) < 0 || cat_check_dir(dir, d) < 0 || (lock = cat_lock(dir, d)) < 0 ||
	    !(cat = cat_open(dir, d)) || targets(cat, &a, &ts, &names, d) < 0)
		goto out;
	match(&f, ts, &names, fmt);
	if (apply_local(dir, cat, ts, &f, scanner, d) < 0 ||
	    (cat->pack && apply_pack(dir, cat, ts, &f, scanner, &a, d) < 0))
		goto out;
	for (size_t i = 0; i < cat->nprims; i++)
		found += ts[i].nf > 0;
	rc = found;
out:
	for (size_t i = 0; ts && i < cat->nprims; i++)
		free(ts[i].f);
	free(ts);
	for (size_t i = 0; i < names.cap; i++)
		if (names.v[i].key) {
			free(((struct hits *)names.v[i].val)->v);
			free(names.v[i].val);
		}
	strmap_clear(&names);
	sa_release(&a);
	cat_close(cat);
	cat_unlock(lock);
	feed_release(&f);
	return rc;
}
