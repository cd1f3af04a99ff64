/* build.c - the pipeline behind eval, graph, build and verify. */
#include "config.h"

#include "build.h"
#include "schema.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "build_int.h"
#include "cache.h"
#include "comp.h"
#include "depfile.h"
#include "dpkgdb.h"
#include "maint.h"
#include "lock.h"
#include "request.h"
#include "res.h"
#include "sbom.h"
#include "util.h"

void build_init(struct build *b)
{
	memset(b, 0, sizeof(*b));
	decision_init(&b->dec);
}

void build_release(struct build *b)
{
	decision_release(&b->dec);
	if (b->have_catalogs)
		catset_release(&b->cs);
	vm_free(b->vm);
	bc_free(b->prog);
	json_decref(b->request);
	free(b->image.out);
	free(b->image.tag);
	free(b->image.lock);
	memset(b, 0, sizeof(*b));
}

char *build_default_path(const char *policy_path, const char *ext)
{
	const char *slash = strrchr(policy_path, '/');
	const char *base = slash ? slash + 1 : policy_path;
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - policy_path) : strlen(policy_path);

	return xasprintf("%.*s%s", (int)n, policy_path, ext);
}

static int admit_cb(void *ctx, const struct cat_prim *cand, bool *ok, const char **failed_at, struct diag *d)
{
	struct build *b = ctx;
	int rc = vm_admit(b->vm, &b->dec, cand, ok, failed_at, d);

	if (rc < 0)
		b->runtime_error = true;
	return rc;
}

/* The program at path: a compiled module is loaded from the very bytes whose
 * digest is recorded (want: the digest they must have, or NULL), so that
 * what runs is what the lock names; a source is compiled (its modules'
 * digests are recorded as it is read). */
static struct bc_program *load_program(struct build *b, const char *path, const char *only,
				       const struct program_opts *popts, const char *want, bool source_only,
				       struct diag *d)
{
	struct bc_program *bc;
	char *data, hex[65];
	size_t len;

	b->program_digest[0] = '\0';
	if (read_file(path, &data, &len) < 0) {
		diag_file_error(d, path, 0, 0, NULL, "cannot read '%s': %s", path, file_strerror(errno));
		return NULL;
	}
	if (!bc_is_module(data, len)) {
		free(data);
		if (want) { /* the lock names a compiled module here */
			diag_file_error(d, path, 0, 0, "verify", "'%s' is not a compiled module", path);
			return NULL;
		}
		return comp_load_parts(path, only, popts, b->parts, d);
	}
	if (source_only) {
		diag_file_error(d, path, 0, 0, "verify", "'%s' is a compiled module, not a policy source",
				path);
		free(data);
		return NULL;
	}
	sha256_hex(data, len, hex);
	snprintf(b->program_digest, sizeof(b->program_digest), "sha256:%s", hex);
	if (want && strcmp(want, b->program_digest)) {
		diag_file_error(d, path, 0, 0, "verify",
				"compiled module '%s' is not the one the lock names (its digest is %s, the "
				"lock says %s)",
				path, b->program_digest, want);
		free(data);
		return NULL;
	}
	bc = bc_load(data, len, path, d);
	free(data);
	if (bc)
		bc->from_module = true;
	return bc;
}

/* Resolve; with --locked, the lock's versions first (res_resolve_pinned):
 * a lock stays good while the catalogs gain newer versions. A lock that
 * cannot be read pins nothing; the comparison with it reports that. */
static char *lock_path_of(const struct build_opts *o, struct diag *d);

static int resolve(struct build *b, const struct build_opts *o, struct diag *d)
{
	struct res_pin *pins = NULL;
	struct diag scratch;
	struct lock lk;
	char *path;
	int rc;

	lock_init(&lk);
	diag_init(&scratch);
	path = o->locked ? lock_path_of(o, &scratch) : NULL;
	if (path && lock_load(path, &lk, &scratch) == 0) {
		pins = xcalloc(lk.nprims + 1, sizeof(*pins));
		for (size_t i = 0; i < lk.nprims; i++)
			pins[i] = (struct res_pin){lk.prims[i].name, lk.prims[i].version};
	}
	rc = res_resolve_pinned(&b->cs, &b->dec, pins, pins ? lk.nprims : 0, admit_cb, b, d);
	free(pins);
	diag_release(&scratch);
	lock_release(&lk);
	free(path);
	return rc;
}

/* Is the value of definition K=V a number written as a string? */
static bool def_is_number(const char *def)
{
	const char *eq = strchr(def, '='), *v;

	if (!eq || (eq > def && eq[-1] == ':'))
		return false;
	v = eq + 1 + (eq[1] == '-');
	if (!*v)
		return false;
	for (; *v; v++)
		if (*v < '0' || *v > '9')
			return false;
	return true;
}

/* After a runtime error that ordered or added a string and an int: when
 * a -D K=V gave a number as a string, say how to give it as a number. */
static void hint_defs(const struct build_opts *o, struct diag *d, size_t from)
{
	for (size_t i = from; i < d->nentries; i++) {
		const char *m = d->entries[i].message;
		if (d->entries[i].sev != DIAG_ERROR ||
		    (!strstr(m, "a string and an int") && !strstr(m, "an int and a string")))
			continue;
		for (size_t k = 0; k < o->ndefs; k++) {
			int kl = (int)(strchr(o->defs[k], '=') - o->defs[k]);
			if (!def_is_number(o->defs[k]))
				continue;
			diag_note(
				d, LOC_NONE,
				"-D %.*s=%.40s sets the string \"%.40s\"; write -D %.*s:=%.40s for a number",
				kl, o->defs[k], o->defs[k] + kl + 1, o->defs[k] + kl + 1, kl, o->defs[k],
				o->defs[k] + kl + 1);
			return;
		}
		return;
	}
}

enum build_status build_decide(struct build *b, const struct build_opts *o, struct diag *d)
{
	size_t mark = d->nentries;
	enum build_status st;

	b->request = request_load(o->request, o->defs, o->ndefs, d);
	if (!b->request)
		return BUILD_BAD_INPUT;
	b->prog = load_program(b, o->policy_path, o->policy, &o->popts, NULL, false, d);
	b->policy_path = o->policy_path;
	if (!b->prog)
		return BUILD_BAD_INPUT;
	if (b->prog->schema) { /* -D values typed, defaults in, every mismatch reported */
		schema_convert_defs(b->prog->schema, b->request, o->defs, o->ndefs);
		if (schema_validate(b->prog->schema, b->request,
				    !o->request		       ? "the request"
				    : !strcmp(o->request, "-") ? "<stdin>"
							       : o->request,
				    d))
			return BUILD_BAD_INPUT;
	}
	st = build_decide_loaded(b, o, d);
	if (st == BUILD_BAD_INPUT && o->ndefs)
		hint_defs(o, d, mark);
	return st;
}

enum build_status build_decide_loaded(struct build *b, const struct build_opts *o, struct diag *d)
{
	if (!b->vm)
		b->vm = vm_new();
	if (vm_select(b->vm, b->prog, o->policy, b->request, &b->dec, d) < 0)
		return BUILD_BAD_INPUT;
	if (o->ncatalogs && !b->have_catalogs) {
		if (catset_open(&b->cs, o->catalogs, o->ncatalogs, d) < 0) {
			catset_release(&b->cs);
			return BUILD_BAD_INPUT;
		}
		b->have_catalogs = true;
	}
	if (b->have_catalogs) {
		if (resolve(b, o, d) < 0)
			return b->runtime_error ? BUILD_BAD_INPUT : BUILD_UNRESOLVED;
	}
	if (vm_check(b->vm, &b->dec, b->have_catalogs, d) < 0)
		return BUILD_BAD_INPUT;
	return b->dec.ndenials ? BUILD_DENIED : BUILD_OK;
}

/* `from "PATH[:TAG]"` is relative to the policy's directory. */
static char *from_layout(const struct decision *dec, const char *policy_path)
{
	char *dir;
	char *s;

	if (!dec->from)
		return NULL;
	if (dec->from[0] == '/' || !strchr(policy_path, '/'))
		return xstrdup(dec->from);
	dir = path_dirname(policy_path);
	s = path_join(dir, dec->from);
	free(dir);
	return s;
}

int build_from_image(const struct build_opts *o, const json_t *request, char **layout, char digest[72],
		     struct diag *d)
{
	struct build b;
	int rc = -1;

	*layout = NULL;
	digest[0] = '\0';
	build_init(&b);
	b.request = json_deep_copy(request);
	b.prog = load_program(&b, o->policy_path, o->policy, &o->popts, NULL, false, d);
	b.policy_path = o->policy_path;
	if (!b.prog || !b.request)
		goto out;
	b.vm = vm_new();
	if (vm_select(b.vm, b.prog, o->policy, b.request, &b.dec, d) < 0)
		goto out;
	*layout = from_layout(&b.dec, o->policy_path);
	rc = 0;
	if (*layout && oci_from_digest(*layout, digest, d) < 0) {
		free(*layout);
		*layout = NULL;
		rc = -1;
	}
	rc = rc < 0 ? -1 : *layout != NULL;
out:
	build_release(&b);
	return rc;
}

/* ---- layers ------------------------------------------------------------- */

/* What cpolc generates for the selected set beside the policy's files,
 * from each primitive's package data: the package database (dpkgdb.h) and
 * what the maintainer scripts would have made (maint.h). */
struct extras {
	json_t **info; /* info[i]: the package data of dec.selected[i], or NULL */
	size_t n;
	struct dpkgdb db;
	struct maint maint;
	struct oci_file *files; /* db's and maint's, for the top layer */
	size_t nfiles;
};

struct layer_plan {
	struct oci_layer_src *srcs;
	size_t nsrcs;
	size_t *sel_src; /* sel_src[i]: source of dec.selected[i] */
	char **names, **tars;
	const char **tarv, **digv;
	struct gen gen;
	struct extras x;
};

static void extras_release(struct extras *x);

static void plan_release(struct layer_plan *p, size_t nsel)
{
	for (size_t i = 0; i < nsel; i++) {
		free(p->names[i]);
		free(p->tars[i]);
	}
	free(p->names);
	free(p->tars);
	free(p->tarv);
	free(p->digv);
	free(p->srcs);
	free(p->sel_src);
	gen_release(&p->gen);
	extras_release(&p->x);
}

static bool is_base(const struct decision *dec, const struct dec_selected *s)
{
	for (size_t i = 0; i < dec->nrequests; i++)
		if (dec->requests[i].is_base && !strcmp(dec->requests[i].name, s->prim->name))
			return true;
	return false;
}

static void extras_release(struct extras *x)
{
	for (size_t i = 0; i < x->n; i++)
		json_decref(x->info[i]);
	free(x->info);
	dpkgdb_release(&x->db);
	maint_release(&x->maint);
	free(x->files);
	memset(x, 0, sizeof(*x));
}

static int extras_make(struct extras *x, const struct decision *dec, struct diag *d)
{
	const struct cat_prim **v = xcalloc(dec->nselected + 1, sizeof(*v));
	int rc = 0;

	memset(x, 0, sizeof(*x));
	dpkgdb_init(&x->db);
	maint_init(&x->maint);
	x->n = dec->nselected;
	x->info = xcalloc(x->n + 1, sizeof(*x->info));
	for (size_t i = 0; i < x->n; i++) {
		v[i] = dec->selected[i].prim;
		if (cat_prim_load(v[i], d) < 0 || cat_prim_debinfo(v[i], &x->info[i], d) < 0)
			rc = -1;
	}
	if (rc == 0) {
		dpkgdb_plan(&x->db, v, x->info, x->n);
		maint_scan(&x->maint, v, x->info, x->n);
		rc = maint_cabundle(&x->maint, v, x->info, x->n, d);
	}
	x->files = xcalloc(x->db.nfiles + x->maint.nfiles + 1, sizeof(*x->files));
	for (size_t i = 0; i < x->db.nfiles; i++)
		x->files[x->nfiles++] = x->db.files[i];
	for (size_t i = 0; i < x->maint.nfiles; i++)
		x->files[x->nfiles++] = x->maint.files[i];
	free(v);
	return rc;
}

/* One source per selected primitive, base primitives first, then one for
 * the generated files and directories (src/build_files.c; from is the
 * `from` image, whose accounts count), with the package database and what
 * maintainer scripts would have made (p->x). 0, or -1 after reporting. */
static int plan_layers(struct decision *dec, const char *from, struct layer_plan *p, struct diag *d)
{
	size_t n = dec->nselected, k = 0;
	bool has_base = false;
	struct gen_extra gx;

	p->srcs = xcalloc(n + 1, sizeof(*p->srcs));
	p->sel_src = xcalloc(n + 1, sizeof(*p->sel_src));
	p->names = xcalloc(n + 1, sizeof(*p->names));
	p->tars = xcalloc(n + 1, sizeof(*p->tars));
	p->tarv = xcalloc(n + 1, sizeof(*p->tarv));
	p->digv = xcalloc(n + 1, sizeof(*p->digv));
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			const struct dec_selected *s = &dec->selected[i];
			if (is_base(dec, s) != (pass == 0))
				continue;
			has_base |= pass == 0;
			p->names[i] = xasprintf("%s %s", s->prim->name, s->prim->version);
			p->tars[i] = cat_blob_path(s->prim);
			p->tarv[i] = p->tars[i];
			p->digv[i] = s->prim->digest;
			p->srcs[k] =
				(struct oci_layer_src){.name = p->names[i],
						       .tars = &p->tarv[i],
						       .tar_digests = &p->digv[i],
						       .ntars = 1,
						       .allow_setuid = cat_prim_allows(s->prim, "setuid")};
			p->sel_src[i] = k++;
		}
	}
	p->nsrcs = k;
	if (extras_make(&p->x, dec, d) < 0)
		return -1;
	gx = (struct gen_extra){p->x.files, p->x.nfiles, &p->x.maint};
	if (gen_plan(&p->gen, dec, from, has_base, &gx, d) < 0)
		return -1;
	if (p->gen.n)
		p->srcs[p->nsrcs++] =
			(struct oci_layer_src){.name = "files", .files = p->gen.v, .nfiles = p->gen.n};
	return 0;
}

/* ---- lock --------------------------------------------------------------- */

/* --lock, else POLICY.lock beside the policy, or POLICY@TAG.lock with --tag
 * (two tags of one policy built into one layout keep two locks). NULL with
 * an error in d when the tag cannot be part of a file name. */
static char *lock_path_of(const struct build_opts *o, struct diag *d)
{
	char *ext, *path;

	if (o->lock_path)
		return xstrdup(o->lock_path);
	if (!o->tag)
		return build_default_path(o->policy_path, ".lock");
	if (!tag_valid(o->tag)) {
		diag_error(d, LOC_NONE, "lock",
			   "the tag cannot be part of the lock file's name (letters, digits, '_', '.' and "
			   "'-', 128 at most): give --lock FILE");
		return NULL;
	}
	ext = xasprintf("@%s.lock", o->tag);
	path = build_default_path(o->policy_path, ext);
	free(ext);
	return path;
}

/* A path of the build as the lock in dir records it (lock_rel_path). */
static void add_rel(struct lock *lk, const char *dir, const char *path, const char *digest, bool module)
{
	char *rel = lock_rel_path(dir, path);

	(module ? lock_add_module : lock_add_catalog)(lk, rel, digest);
	free(rel);
}

/* "include at FILE:L:C" with FILE, a module of the program, as the lock in
 * dir records it; other reasons as they are. Caller frees. */
static char *lock_reason(const struct build *b, const char *reason, const char *dir)
{
	const char *at;
	char *rel, *s;

	if (!reason || strncmp(reason, "include at ", 11))
		return reason ? xstrdup(reason) : NULL;
	at = reason + 11;
	for (size_t i = 0; i < b->prog->nfiles; i++) {
		size_t n = strlen(b->prog->files[i].path);
		if (strncmp(at, b->prog->files[i].path, n) || at[n] != ':')
			continue;
		rel = lock_rel_path(dir, b->prog->files[i].path);
		s = xasprintf("include at %s%s", rel, at + n);
		free(rel);
		return s;
	}
	return xstrdup(reason);
}

/* The lock of the build, for a lock file in the directory dir (lock_dir). */
static void fill_lock(struct lock *lk, const struct build *b, const struct layer_plan *plan,
		      const struct oci_result *res, const char *dir)
{
	const struct decision *dec = &b->dec;

	lock_set_policy(lk, dec->policy, dec->platform);
	for (size_t i = 0; i < b->prog->nfiles; i++) {
		char *dg = xasprintf("sha256:%s", b->prog->files[i].digest);
		add_rel(lk, dir, b->prog->files[i].path, dg, true);
		free(dg);
	}
	if (b->prog->from_module) {
		char *rel = lock_rel_path(dir, b->policy_path);
		lock_set_program(lk, rel, b->program_digest);
		free(rel);
	}
	lock_set_request(lk, b->request);
	for (size_t i = 0; b->have_catalogs && i < b->cs.ncats; i++)
		add_rel(lk, dir, b->cs.cats[i]->dir, b->cs.cats[i]->identity, false);
	for (size_t i = 0; i < dec->nselected; i++) {
		const struct cat_prim *p = dec->selected[i].prim;
		const struct oci_layer_info *li = NULL;
		char *why = lock_reason(b, dec->selected[i].reason, dir);
		if (res && plan)
			li = &res->layers[res->src_layer[plan->sel_src[i]]];
		struct lock_prim *lp =
			lock_add_prim(lk, p->name, p->version, p->digest, p->meta_digest, why,
				      li ? li->digest : NULL, li ? li->diff_id : NULL, li ? li->size : 0);
		if (li)
			lp->layer_index = (uint32_t)(li - res->layers);
		free(why);
	}
	if (dec->from && b->from_digest[0])
		lock_set_from(lk, dec->from, b->from_digest);
	if (res) {
		lock_set_config(lk, res->config);
		lock_set_image(lk, res->manifest_digest, res->config_digest);
		lk->layer_format = OCI_LAYER_FORMAT;
		lk->epoch = b->epoch;
	}
}

/* --locked-strict: every input the lock records must be as it records it
 * (the behaviour of --locked before 0.2). Layers, image digests, the config
 * and catalog identities are outputs or incidental, so they are taken from
 * the lock before comparing; the image is checked after (check_image). */
static size_t strict_diff(const struct build *b, const struct lock *want, const char *dir,
			  struct strbuf *diff)
{
	struct lock got;
	size_t n;

	lock_init(&got);
	fill_lock(&got, b, NULL, NULL, dir);
	for (size_t i = 0; i < got.nprims; i++) {
		struct lock_prim *g = &got.prims[i];
		const struct lock_prim *w = lock_find_prim(want, g->name);
		if (!w)
			continue;
		free(g->layer_digest);
		free(g->diff_id);
		g->layer_digest = w->layer_digest ? xstrdup(w->layer_digest) : NULL;
		g->diff_id = w->diff_id ? xstrdup(w->diff_id) : NULL;
		g->layer_size = w->layer_size;
		g->layer_index = w->layer_index;
	}
	for (size_t i = 0; i < got.ncatalogs; i++) {
		free(got.catalogs[i].path);
		free(got.catalogs[i].digest);
	}
	got.ncatalogs = 0;
	for (size_t i = 0; i < want->ncatalogs; i++)
		lock_add_catalog(&got, want->catalogs[i].path, want->catalogs[i].digest);
	lock_set_config(&got, want->config);
	lock_set_image(&got, want->manifest_digest, want->config_digest);
	n = lock_compare(want, &got, diff);
	lock_release(&got);
	return n;
}

/* --locked: the resolution (each primitive's name, version and content)
 * must be the lock's; a change of the inputs that changes neither it nor
 * the image (check_image) is a note: a module's text, the request, a
 * catalog's identity, a primitive's metadata (a scan update). */
static enum build_status check_resolution(const struct build *b, const struct lock *want,
					  const char *lock_path, const char *dir, bool strict, struct diag *d)
{
	struct strbuf diff = STRBUF_INIT, notes = STRBUF_INIT;
	struct lock got;
	enum build_status st = BUILD_OK;

	lock_init(&got);
	fill_lock(&got, b, NULL, NULL, dir);
	if (strict ? strict_diff(b, want, dir, &diff) : lock_compare_resolution(want, &got, &diff)) {
		diag_file_error(d, lock_path, 0, 0, "locked",
				strict ? "the inputs differ from the lock:\n%.*s"
				       : "the resolution differs from the lock:\n%.*s",
				(int)(diff.len ? diff.len - 1 : 0), diff.buf);
		st = BUILD_MISMATCH;
	} else if (!strict && lock_compare_inputs(want, &got, &notes)) {
		diag_report_at(d, DIAG_NOTE, lock_path, "locked",
			       "inputs changed, the resolution did not:\n%.*s",
			       (int)(notes.len ? notes.len - 1 : 0), notes.buf);
	}
	sb_release(&diff);
	sb_release(&notes);
	lock_release(&got);
	return st;
}

struct image_check {
	const struct build *b;
	const struct lock *want;
	const struct layer_plan *plan;
	const char *lock_path, *dir;
	bool mismatch;
};

/* before_publish of a --locked build: the image made must be the lock's;
 * else what changed in it is reported and nothing is published. */
static int check_image(void *ctx, const struct oci_result *res, struct diag *d)
{
	struct image_check *c = ctx;
	struct strbuf diff = STRBUF_INIT;
	struct lock got;

	if (c->want->manifest_digest && !strcmp(c->want->manifest_digest, res->manifest_digest))
		return 0;
	lock_init(&got);
	fill_lock(&got, c->b, c->plan, res, c->dir);
	lock_compare_image(c->want, &got, &diff);
	diag_file_error(d, c->lock_path, 0, 0, "locked", "the image differs from the lock:\n%.*s",
			(int)(diff.len ? diff.len - 1 : 0), diff.buf);
	sb_release(&diff);
	lock_release(&got);
	c->mismatch = true;
	return -1;
}

/* --locked: load the lock into want, compare the resolution with it, and
 * set up ic for check_image (its lock_path and dir set). */
static enum build_status start_locked(const struct build *b, const struct build_opts *o, struct lock *want,
				      struct image_check *ic, const struct layer_plan *plan, struct diag *d)
{
	if (lock_load(ic->lock_path, want, d) < 0)
		return BUILD_MISMATCH;
	ic->b = b;
	ic->want = want;
	ic->plan = plan;
	return check_resolution(b, want, ic->lock_path, ic->dir, o->locked_strict, d);
}

/* ---- depfile ------------------------------------------------------------ */

/* The file behind a module path of a program: stdlib modules are recorded
 * as <stdlib>/NAME.cpol and found again on the search path. */
static char *module_file(const char *path, const struct program_opts *popts)
{
	size_t plen = strlen(PROGRAM_STDLIB_PREFIX), n = strlen(path);
	char *name, *file;

	if (strncmp(path, PROGRAM_STDLIB_PREFIX, plen) || n < plen + 5)
		return xstrdup(path);
	name = xstrndup(path + plen, n - plen - 5);
	file = program_find_stdlib(popts, name);
	free(name);
	return file;
}

static char *from_layout(const struct decision *dec, const char *policy_path);

/* The index.json of the `from` layout "DIR[:TAG]" (a tag is what follows the
 * last ':' when it has no '/', as in oci_base.c), or NULL. */
static char *from_index(const struct decision *dec, const char *policy_path)
{
	char *from = from_layout(dec, policy_path), *colon, *s;

	if (!from)
		return NULL;
	colon = strrchr(from, ':');
	if (colon && colon != from && colon[1] && !strchr(colon, '/'))
		*colon = '\0';
	s = path_join(from, "index.json");
	free(from);
	return s;
}

/* The Make rule of -M (doc/cpolc.1), as text (or NULL with an error in d when
 * make cannot name one of its files): the target, every file the build
 * read, the catalog directory of each selected primitive, the index.json
 * of the `from` image, and an empty rule for each prerequisite. Made before
 * anything is written, so that a refusal leaves no output. */
static char *depfile_text(const struct build *b, const struct build_opts *o, const char *out, struct diag *d)
{
	struct strvec deps = STRVEC_INIT;
	char *target, *from, *text;

	if (o->depfile_target)
		target = xstrdup(o->depfile_target);
	else if (o->format == OCI_FMT_ARCHIVE)
		target = xstrdup(out);
	else
		target = path_join(out, "index.json");
	for (size_t i = 0; i < b->prog->nfiles; i++) {
		char *path = module_file(b->prog->files[i].path, &o->popts);
		if (path)
			strvec_push_nodup(&deps, path);
	}
	strvec_push_nodup(&deps, xstrdup(o->policy_path));
	if (o->request && strcmp(o->request, "-"))
		strvec_push_nodup(&deps, xstrdup(o->request));
	if ((from = from_index(&b->dec, o->policy_path)))
		strvec_push_nodup(&deps, from);
	for (size_t i = 0; i < b->dec.nselected; i++) {
		const struct cat_prim *p = b->dec.selected[i].prim;
		strvec_push_nodup(&deps, xstrdup(p->meta_path));
		strvec_push_nodup(&deps, cat_blob_path(p));
		strvec_push_nodup(&deps, path_dirname(p->meta_path));
	}
	for (size_t i = 0; i < b->dec.nrequests; i++)
		for (size_t c = 0; b->have_catalogs && c < b->cs.ncats; c++) {
			char *dir =
				xasprintf("%s/primitives/%s", b->cs.cats[c]->dir, b->dec.requests[i].name);
			struct stat st;
			if (stat(dir, &st) == 0)
				strvec_push_nodup(&deps, dir);
			else
				free(dir);
		}
	text = depfile_rule(o->depfile, target, deps.v, deps.n, d);
	strvec_clear(&deps);
	free(target);
	return text;
}

/* ---- build -------------------------------------------------------------- */

/* Whether two sources collide depends only on their contents, so a set of
 * sources checked once is not read again: the layer cache keeps a marker
 * per checked set, named by a digest of its tars' and files' contents.
 * Returns the marker's path (caller frees), or NULL without a cache. */
static char *collision_marker(const char *cache, const struct layer_plan *p)
{
	struct strbuf sb = STRBUF_INIT;
	char hex[65], *path;

	if (!cache)
		return NULL;
	sb_adds(&sb, "cpolc collision check 2\n"); /* 2: members are checked */
	for (size_t i = 0; i < p->nsrcs; i++) {
		const struct oci_layer_src *s = &p->srcs[i];
		if (s->allow_setuid)
			sb_addf(&sb, "%zu allows setuid\n", i);
		for (size_t j = 0; j < s->ntars; j++) {
			if (!s->tar_digests || !s->tar_digests[j]) {
				sb_release(&sb);
				return NULL; /* unknown content: always check */
			}
			sb_addf(&sb, "%zu tar %s\n", i, s->tar_digests[j]);
		}
		for (size_t j = 0; j < s->nfiles; j++) {
			sha256_hex(s->files[j].data, s->files[j].len, hex);
			sb_addf(&sb, "%zu file %c %s %o %s\n", i, s->files[j].type ? s->files[j].type : 'f',
				s->files[j].path, s->files[j].mode, hex);
		}
	}
	sha256_hex(sb.buf, sb.len, hex);
	sb_release(&sb);
	path = xasprintf("%s/checks/%s", cache, hex);
	return path;
}

static int check_collisions(const struct layer_plan *p, const char *cache, struct diag *d)
{
	char *marker = collision_marker(cache, p), *dir;
	struct stat st;
	int n;

	if (marker && stat(marker, &st) == 0) {
		free(marker);
		return 0;
	}
	n = oci_check_collisions(p->srcs, p->nsrcs, cache, d);
	if (n == 0 && marker) { /* best effort: without it the next build checks again */
		dir = path_dirname(marker);
		if (mkdir_p(dir, 0755) == 0)
			write_file_atomic(marker, "", 0, 0644);
		free(dir);
	}
	free(marker);
	return n;
}

static void summarize(struct build_summary *s, const char *out, const char *tag, const char *lock_path,
		      const struct oci_result *res)
{
	s->out = xstrdup(out);
	s->tag = xstrdup(tag);
	s->lock = xstrdup(lock_path);
	memcpy(s->manifest_digest, res->manifest_digest, sizeof(s->manifest_digest));
	s->nlayers = res->nlayers;
	s->size = 0;
	for (size_t i = 0; i < res->nlayers; i++)
		s->size += res->layers[i].size;
}

/* The SPDX document of the image (sbom.h), attached to it as a referrer
 * and kept for --sbom. */
struct sbom_ctx {
	const struct build *b;
	const struct extras *x;
	char *text;
	size_t len;
};

static char *make_sbom(void *ctx, const char *manifest_digest, size_t *len)
{
	struct sbom_ctx *s = ctx;
	struct sbom_in in = {.name = s->b->dec.policy,
			     .manifest_digest = manifest_digest,
			     .epoch = s->b->epoch,
			     .dec = &s->b->dec,
			     .info = s->x->info};

	free(s->text);
	s->text = sbom_spdx(&in, &s->len);
	*len = s->len;
	return xstrdup(s->text);
}

/* Write what follows the image: the lock, the depfile, the SBOM. */
static int write_after(const struct build_opts *o, const char *lock_path, const struct lock *lk,
		       const char *dep, const struct sbom_ctx *sc, struct diag *d)
{
	const char *bad = NULL;

	if (lock_write(lock_path, lk, d) < 0)
		return -1;
	if (dep && write_file_atomic(o->depfile, dep, strlen(dep), 0644) < 0)
		bad = o->depfile;
	else if (o->sbom && sc->text && write_file_atomic(o->sbom, sc->text, sc->len, 0644) < 0)
		bad = o->sbom;
	if (bad)
		diag_file_error(d, bad, 0, 0, NULL, "cannot write '%s': %s", bad, file_strerror(errno));
	return bad ? -1 : 0;
}

static enum build_status compose(struct build *b, const struct build_opts *o, const char *out, struct diag *d)
{
	struct layer_plan plan = {0};
	struct oci_opts oo = {0};
	struct oci_result res;
	struct sbom_ctx sc = {b, &plan.x, NULL, 0};
	struct oci_referrer ref = {SBOM_MEDIA_TYPE, make_sbom, &sc};
	struct lock lk, want;
	char *lock_path = lock_path_of(o, d), *dir = lock_path ? lock_dir(lock_path) : NULL;
	struct image_check ic = {.lock_path = lock_path, .dir = dir};
	char *cache = NULL, *from = from_layout(&b->dec, o->policy_path), *dep = NULL;
	enum build_status st = BUILD_OK;
	int n;

	oci_result_init(&res);
	lock_init(&lk);
	lock_init(&want);
	if (plan_layers(&b->dec, from, &plan, d) < 0 || !lock_path) {
		st = BUILD_BAD_INPUT;
		goto out;
	}
	maint_report(&plan.x.maint, d);
	if (from && oci_from_digest(from, b->from_digest, d) < 0) {
		st = BUILD_BAD_INPUT;
		goto out;
	}
	if (o->locked && (st = start_locked(b, o, &want, &ic, &plan, d)) != BUILD_OK)
		goto out;
	if (o->depfile && !(dep = depfile_text(b, o, out, d))) {
		st = BUILD_BAD_INPUT;
		goto out;
	}
	if (!o->no_cache)
		cache = o->cache_dir ? xstrdup(o->cache_dir) : cache_default_dir();
	if (cache && cache_open(cache, d) < 0) { /* before the collision check writes to it */
		st = BUILD_BAD_INPUT;
		goto out;
	}
	n = check_collisions(&plan, cache, d);
	if (n != 0) { /* -1: a tar is unreadable or hostile */
		st = n < 0 ? BUILD_BAD_INPUT : BUILD_UNRESOLVED;
		goto out;
	}
	oo.out = out;
	oo.format = o->format;
	oo.tag = o->tag ? o->tag : b->dec.policy;
	oo.compression = o->compression;
	oo.epoch = o->epoch;
	b->epoch = o->epoch;
	oo.cache_dir = cache;
	oo.max_layers = o->max_layers;
	oo.from_layout = from;
	oo.before_publish = o->locked ? check_image : NULL;
	oo.publish_ctx = &ic;
	oo.referrer = &ref;
	if (oci_compose(&oo, plan.srcs, plan.nsrcs, b->dec.config, b->dec.annotations, b->dec.platform, &res,
			d) < 0) {
		st = ic.mismatch ? BUILD_MISMATCH : BUILD_BAD_INPUT;
		goto out;
	}
	fill_lock(&lk, b, &plan, &res, dir);
	if (write_after(o, lock_path, &lk, dep, &sc, d) < 0)
		st = BUILD_BAD_INPUT;
	else
		summarize(&b->image, out, oo.tag, lock_path, &res);
out:
	free(dep);
	free(sc.text);
	plan_release(&plan, b->dec.nselected);
	oci_result_release(&res);
	lock_release(&lk);
	lock_release(&want);
	free(lock_path);
	free(dir);
	free(cache);
	free(from);
	return st;
}

/* The content of the selected packages of apt repositories. */
static int fetch_selected(struct build *b, const struct build_opts *o, struct diag *d)
{
	const struct cat_prim **v = xcalloc(b->dec.nselected + 1, sizeof(*v));
	struct cat_fetch_opts fo = {.offline = o->offline, .progress = o->progress, .ctx = o->progress_ctx};
	int rc;

	for (size_t i = 0; i < b->dec.nselected; i++)
		v[i] = b->dec.selected[i].prim;
	rc = cat_fetch(v, b->dec.nselected, &fo, d);
	free(v);
	return rc;
}

enum build_status build_image(struct build *b, const struct build_opts *o, struct diag *d)
{
	enum build_status st = build_decide(b, o, d);
	char *out;

	if (st != BUILD_OK)
		return st;
	if (!o->ncatalogs && b->dec.nrequests) {
		diag_error(d, LOC_NONE, "no-catalog",
			   "the policy includes primitives but no catalog was given (-C DIR)");
		return BUILD_BAD_INPUT;
	}
	if (fetch_selected(b, o, d) < 0)
		return BUILD_BAD_INPUT;
	out = o->out ? xstrdup(o->out)
		     : build_default_path(o->policy_path, o->format == OCI_FMT_ARCHIVE ? ".oci.tar" : ".oci");
	st = compose(b, o, out, d);
	free(out);
	return st;
}

/* ---- verify ------------------------------------------------------------- */

/* A path recorded in a version 2 lock. Relative paths are as the build was given
 * them, from the directory it ran in; that is the working directory, else
 * the lock's directory or one of its parents (the build ran at the top of
 * a tree that holds the lock further down). The digests and identities
 * the lock records are checked after, so a wrong guess is reported, not
 * used. Failing all, relative to the lock. */
static char *v2_path(const char *lock_path, const char *path)
{
	struct stat st;
	char *dir, *s, *up, *real;

	if (path[0] == '/' || stat(path, &st) == 0)
		return xstrdup(path);
	dir = path_dirname(lock_path);
	real = realpath(dir, NULL);
	for (char *d = real ? xstrdup(real) : NULL; d;) {
		s = path_join(d, path);
		if (stat(s, &st) == 0) {
			free(d);
			free(real);
			free(dir);
			return s;
		}
		free(s);
		up = path_dirname(d);
		if (strcmp(up, d) == 0) { /* reached / */
			free(up);
			up = NULL;
		}
		free(d);
		d = up;
	}
	free(real);
	s = path_join(dir, path);
	free(dir);
	return s;
}

/* A path the lock records, to open: from the lock's directory (a version 2
 * lock's from where its build ran, v2_path). */
static char *locked_path(const char *lock_path, const struct lock *lk, const char *path)
{
	return lk->version == LOCK_VERSION_OLD ? v2_path(lock_path, path) : lock_open_path(lock_path, path);
}

/* The lock's `from` image is as the policy wrote it: relative to the
 * directory of the policy's main module. */
static char *locked_from(const char *lock_path, const struct lock *lk)
{
	char *mod, *dir, *s;

	if (lk->from[0] == '/' || !lk->nmodules)
		return xstrdup(lk->from);
	mod = locked_path(lock_path, lk, lk->modules[0].path);
	dir = path_dirname(mod);
	s = path_join(dir, lk->from);
	free(dir);
	free(mod);
	return s;
}

/* What verify runs: the compiled module the build ran while it is there,
 * provided its bytes have the digest the lock records, else the policy's
 * source (never a compiled module in its place). */
static struct bc_program *locked_program(struct build *b, const char *lock_path, const struct lock *lk,
					 struct diag *d)
{
	struct bc_program *prog;
	struct stat st;
	char *path;

	if (lk->program) {
		path = locked_path(lock_path, lk, lk->program);
		if (stat(path, &st) == 0) {
			prog = load_program(b, path, lk->policy, NULL, lk->program_digest, false, d);
			free(path);
			return prog;
		}
		free(path);
	}
	path = locked_path(lock_path, lk, lk->modules[0].path);
	prog = load_program(b, path, lk->policy, NULL, NULL, true, d);
	free(path);
	return prog;
}

/* The modules the program was made from must be those the lock names. */
static void check_modules(const struct build *b, const struct lock *lk, const char *lock_path, struct diag *d,
			  enum build_status *st)
{
	if (b->prog->nfiles != lk->nmodules) {
		diag_file_error(d, lock_path, 0, 0, "verify",
				"the policy is made of %zu modules, the lock names %zu", b->prog->nfiles,
				lk->nmodules);
		*st = BUILD_MISMATCH;
		return;
	}
	for (size_t i = 0; i < b->prog->nfiles; i++) {
		char *dg = xasprintf("sha256:%s", b->prog->files[i].digest);
		if (strcmp(dg, lk->modules[i].digest)) {
			diag_file_error(d, lock_path, 0, 0, "verify",
					"policy module '%s' changed since the build", lk->modules[i].path);
			*st = BUILD_MISMATCH;
		}
		free(dg);
	}
}

static void select_locked(struct build *b, const struct lock *lk, const char *lock_path, struct diag *d,
			  enum build_status *st)
{
	for (size_t i = 0; i < lk->nprims; i++) {
		const struct lock_prim *lp = &lk->prims[i];
		struct cat_prim *p = catset_find(&b->cs, lp->name, lp->version);
		struct dec_selected *s;

		if (p && cat_prim_load(p, d) < 0) { /* sets the digest of fetched content */
			*st = BUILD_MISMATCH;
			continue;
		}
		if (!p || !p->digest || !lp->digest || strcmp(p->digest, lp->digest)) {
			diag_file_error(d, lock_path, 0, 0, "verify", "primitive '%s' %s %s", lp->name,
					lp->version,
					!p	     ? "is no longer in any catalog"
					: !p->digest ? "has no fetched content in the catalog"
						     : "has other content in the catalog");
			*st = BUILD_MISMATCH;
			continue;
		}
		xgrow((void **)&b->dec.selected, &b->dec.capselected, b->dec.nselected + 1, sizeof(*s));
		s = &b->dec.selected[b->dec.nselected++];
		s->prim = p;
		s->reason = xstrdup(lp->reason ? lp->reason : "locked");
		s->requested = false;
	}
}

/* Re-run admit filters and deny checks on the locked set. */
static enum build_status recheck(struct build *b, const struct lock *lk, const char *lock_path,
				 struct diag *d)
{
	enum build_status st = BUILD_OK;
	char **dirs = xcalloc(lk->ncatalogs + 1, sizeof(*dirs));

	b->request = json_incref(lk->request ? lk->request : json_object());
	b->prog = locked_program(b, lock_path, lk, d);
	for (size_t i = 0; i < lk->ncatalogs; i++)
		dirs[i] = locked_path(lock_path, lk, lk->catalogs[i].path);
	if (!b->prog && lk->program && b->program_digest[0] &&
	    strcmp(b->program_digest, lk->program_digest)) {
		st = BUILD_MISMATCH; /* another module than the lock's: a mismatch, not bad input */
		goto out;
	}
	if (!b->prog ||
	    (b->vm = vm_new(), vm_select(b->vm, b->prog, lk->policy, b->request, &b->dec, d) < 0) ||
	    catset_open(&b->cs, (const char *const *)dirs, lk->ncatalogs, d) < 0) {
		st = BUILD_BAD_INPUT;
		goto out;
	}
	b->have_catalogs = true;
	check_modules(b, lk, lock_path, d, &st);
	select_locked(b, lk, lock_path, d, &st);
	for (size_t i = 0; i < b->dec.nselected; i++) {
		const struct cat_prim *p = b->dec.selected[i].prim;
		const char *at = NULL;
		bool ok = true;
		if (vm_admit(b->vm, &b->dec, p, &ok, &at, d) < 0)
			st = BUILD_BAD_INPUT;
		else if (!ok) {
			diag_file_error(d, lock_path, 0, 0, "verify",
					"primitive '%s' %s no longer passes the admit filter at %s", p->name,
					p->version, at ? at : "?");
			st = BUILD_MISMATCH;
		}
	}
	if (vm_check(b->vm, &b->dec, true, d) < 0) {
		st = BUILD_BAD_INPUT;
		goto out;
	}
	for (size_t i = 0; i < b->dec.ndenials; i++) {
		diag_file_error(d, lock_path, 0, 0, "verify", "deny holds on the locked set: %s (at %s)",
				b->dec.denials[i].message, b->dec.denials[i].at ? b->dec.denials[i].at : "?");
		st = BUILD_MISMATCH;
	}
out:
	for (size_t i = 0; i < lk->ncatalogs; i++)
		free(dirs[i]);
	free(dirs);
	return st;
}

/* ---- deriving the layers ------------------------------------------------
 *
 * What verify can prove of the layers cpolc made: a layer is a function of
 * the content of its sources, in order (the catalog blobs of its primitives,
 * or the policy's generated files), of the layer format and of
 * SOURCE_DATE_EPOCH; its compressed bytes also depend on the compressor's
 * version, its uncompressed tar (diff_id) does not. So verify makes each
 * layer's tar again, hashing it instead of compressing it, from the blobs
 * of the catalog primitives whose content digests the lock records (each
 * blob is checked against its digest while read), grouped as the lock
 * says (layer index), in the order the build used (plan_layers). Then
 * oci_verify requires the image's diff_id at that index to be the derived
 * one, its blob to decompress to it, and every layer of the image to be
 * derived or the `from` image's. A layer from a poisoned cache, or any blob
 * whose own digest is right but whose content is not the primitives', fails.
 * The cost is reading the primitives' blobs twice; nothing is compressed.
 * The `from` image's layers are checked against their digests only.
 */
struct src_at {
	long index; /* lock layer index; -1 for the generated files (top) */
	size_t k;   /* source */
};

static int src_at_cmp(const void *a, const void *b)
{
	const struct src_at *x = a, *y = b;

	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return (x->k > y->k) - (x->k < y->k);
}

static void derive_group(const struct layer_plan *plan, const struct src_at *v, size_t n, long long epoch,
			 struct oci_derived *out, struct diag *d, enum build_status *st)
{
	struct oci_layer_src *srcs = xcalloc(n, sizeof(*srcs));
	struct strbuf name = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		srcs[i] = plan->srcs[v[i].k];
		sb_addf(&name, "%s%s", i ? ", " : "", srcs[i].name);
	}
	out->index = v[0].index;
	out->name = sb_detach(&name, NULL);
	if (oci_layer_derive(srcs, n, epoch, out->diff_id, d) < 0) {
		*st = BUILD_MISMATCH;
		out->diff_id[0] = '\0';
	}
	free(srcs);
}

/* The derived layers into *out (*nout), or none when the locked set is not
 * whole (verify has failed already). */
static void derive_layers(struct build *b, const struct lock *lk, const char *lock_path,
			  struct oci_derived **out, size_t *nout, struct diag *d, enum build_status *st)
{
	struct layer_plan plan = {0};
	struct src_at *v;
	size_t n = 0, i, j;
	char *from;

	*out = NULL;
	*nout = 0;
	if (!b->prog || !b->have_catalogs || b->dec.nselected != lk->nprims)
		return;
	if (lk->layer_format != OCI_LAYER_FORMAT) {
		diag_error(d, LOC_NONE, "verify",
			   "the lock's layers are of layer format %d, this cpolc makes format %d and cannot "
			   "derive them: build again",
			   lk->layer_format, OCI_LAYER_FORMAT);
		*st = BUILD_MISMATCH;
		return;
	}
	from = lk->from ? locked_from(lock_path, lk) : NULL;
	if (plan_layers(&b->dec, from, &plan, d) < 0) {
		*st = BUILD_MISMATCH;
		free(from);
		plan_release(&plan, b->dec.nselected);
		return;
	}
	free(from);
	v = xcalloc(plan.nsrcs + 1, sizeof(*v));
	for (i = 0; i < b->dec.nselected; i++) /* dec.selected[i] is lk->prims[i] */
		v[n++] = (struct src_at){(long)lk->prims[i].layer_index, plan.sel_src[i]};
	if (n < plan.nsrcs)
		v[n++] = (struct src_at){-1, plan.nsrcs - 1};
	qsort(v, n, sizeof(*v), src_at_cmp);
	*out = xcalloc(n + 1, sizeof(**out));
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && v[j].index == v[i].index; j++)
			;
		derive_group(&plan, &v[i], j - i, lk->epoch, &(*out)[(*nout)++], d, st);
	}
	free(v);
	plan_release(&plan, b->dec.nselected);
}

enum build_status build_verify(const char *lock_path, const char *image_path, struct diag *d)
{
	struct lock lk;
	struct build b;
	struct oci_derived *dv;
	enum build_status st, st2 = BUILD_OK;
	size_t ndv;
	char *dir, *tag;

	lock_init(&lk);
	if (lock_load(lock_path, &lk, d) < 0) {
		lock_release(&lk);
		return BUILD_BAD_INPUT;
	}
	build_init(&b); /* a lock names at least one module (lock_load) */
	st = recheck(&b, &lk, lock_path, d);
	derive_layers(&b, &lk, lock_path, &dv, &ndv, d, &st2);
	oci_split_ref(image_path, &dir, &tag);
	if (oci_verify(dir, tag, &lk, dv, ndv, d) < 0)
		st2 = BUILD_MISMATCH;
	if (st == BUILD_OK)
		st = st2;
	for (size_t i = 0; i < ndv; i++)
		free(dv[i].name);
	free(dv);
	free(dir);
	free(tag);
	build_release(&b);
	lock_release(&lk);
	return st;
}

enum build_status build_verify_digests(const char *lock_path, const char *image_path, struct diag *d)
{
	struct lock lk;
	char *dir, *tag;
	enum build_status st = BUILD_OK;

	if (lock_load(lock_path, &lk, d) < 0) {
		lock_release(&lk);
		return BUILD_BAD_INPUT;
	}
	oci_split_ref(image_path, &dir, &tag);
	if (oci_verify(dir, tag, &lk, NULL, 0, d) < 0)
		st = BUILD_MISMATCH;
	free(dir);
	free(tag);
	lock_release(&lk);
	return st;
}
