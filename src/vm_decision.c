/* vm_decision.c - a selection's results as a struct decision: requests,
 * config, files, and the recorded checks that the decision keeps. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "vm.h"
#include "vm_int.h"

char *vm_strdup(const struct value *v)
{
	return xstrndup(v->u.s, v->len);
}

static char *where(const struct bc_program *p, uint32_t block, uint32_t pc)
{
	char buf[600];

	bc_where(p, &p->blocks[block], pc, buf, sizeof(buf));
	return xstrdup(buf);
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A copy of object o with its keys in bytewise order. */
static json_t *sorted_object(json_t *o)
{
	size_t n = json_object_size(o), i = 0;
	const char **keys = xcalloc(n, sizeof(*keys));
	const char *key;
	json_t *val, *r = json_object();

	json_object_foreach(o, key, val) keys[i++] = key;
	qsort(keys, n, sizeof(*keys), cmp_keys);
	for (i = 0; i < n; i++)
		json_object_set(r, keys[i], json_object_get(o, keys[i]));
	free(keys);
	return r;
}

static json_t *str_list_json(const struct value *v)
{
	json_t *a = json_array();

	for (uint32_t i = 0; i < v->len; i++)
		json_array_append_new(a, json_stringn_nocheck(v->u.items[i].u.s, v->u.items[i].len));
	return a;
}

/* A few entries are looked up by a scan; past SCAN_MAX, through a map of
 * their names, so that N entries cost N lookups, not N^2 (and a decision
 * with a few allocates no map). */
#define SCAN_MAX 32

static size_t env_name_len(const char *kv)
{
	const char *eq = strchr(kv, '=');

	return eq ? (size_t)(eq - kv) : strlen(kv);
}

/* Env "K=V": a later K replaces the earlier entry in place. */
static void env_set(json_t *env, json_t **names, const struct value *k, const struct value *v)
{
	char *kv = xasprintf("%.*s=%.*s", (int)k->len, k->u.s, (int)v->len, v->u.s);
	size_t i, n = json_array_size(env);
	json_t *e, *at;

	if (!*names && n >= SCAN_MAX) {
		*names = json_object();
		json_array_foreach(env, i, e)
		{
			const char *s = json_string_value(e);
			json_object_setn_nocheck(*names, s, env_name_len(s), json_integer((json_int_t)i));
		}
	}
	if (*names) {
		at = json_object_getn(*names, k->u.s, k->len);
		i = at ? (size_t)json_integer_value(at) : n;
		if (!at)
			json_object_setn_nocheck(*names, k->u.s, k->len, json_integer((json_int_t)n));
	} else {
		for (i = 0; i < n; i++) {
			const char *s = json_string_value(json_array_get(env, i));
			if (env_name_len(s) == k->len && !memcmp(s, k->u.s, k->len))
				break;
		}
	}
	if (i < n)
		json_array_set_new(env, i, json_string_nocheck(kv));
	else
		json_array_append_new(env, json_string_nocheck(kv));
	free(kv);
}

struct cfg_acc {
	json_t *scalar[BC_CFG_STOPSIGNAL + 1]; /* Entrypoint Cmd User WorkingDir StopSignal */
	json_t *env, *env_names, *labels, *ports, *volumes, *annotations;
};

static void cfg_apply(struct cfg_acc *c, const struct vm_cfgop *op)
{
	char *key = op->key.type == VAL_STR ? vm_strdup(&op->key) : NULL;
	json_t **set;

	switch (op->cfg) {
	case BC_CFG_ENTRYPOINT:
	case BC_CFG_CMD:
		json_decref(c->scalar[op->cfg]);
		c->scalar[op->cfg] = str_list_json(&op->val);
		break;
	case BC_CFG_USER:
	case BC_CFG_WORKDIR:
	case BC_CFG_STOPSIGNAL:
		json_decref(c->scalar[op->cfg]);
		c->scalar[op->cfg] = json_stringn_nocheck(op->val.u.s, op->val.len);
		break;
	case BC_CFG_ENV:
		if (!c->env)
			c->env = json_array();
		env_set(c->env, &c->env_names, &op->key, &op->val);
		break;
	case BC_CFG_LABEL:
	case BC_CFG_ANNOTATION:
		set = op->cfg == BC_CFG_LABEL ? &c->labels : &c->annotations;
		if (!*set)
			*set = json_object();
		json_object_set_new_nocheck(*set, key, json_stringn_nocheck(op->val.u.s, op->val.len));
		break;
	default: /* EXPOSE, VOLUME */
		set = op->cfg == BC_CFG_EXPOSE ? &c->ports : &c->volumes;
		if (!*set)
			*set = json_object();
		json_object_set_new_nocheck(*set, key, json_object());
		break;
	}
	free(key);
}

static void put_cfg(json_t *cfg, const char *name, json_t *v, bool sort)
{
	if (!v)
		return;
	if (sort) {
		json_object_set_new(cfg, name, sorted_object(v));
		json_decref(v);
	} else {
		json_object_set_new(cfg, name, v);
	}
}

static void fill_config(struct vm *vm, struct decision *dec)
{
	struct cfg_acc c;

	memset(&c, 0, sizeof(c));
	for (size_t i = 0; i < vm->ncfgs; i++)
		cfg_apply(&c, &vm->cfgs[i]);
	json_decref(c.env_names);
	json_object_clear(dec->config);
	put_cfg(dec->config, "Entrypoint", c.scalar[BC_CFG_ENTRYPOINT], false);
	put_cfg(dec->config, "Cmd", c.scalar[BC_CFG_CMD], false);
	put_cfg(dec->config, "Env", c.env, false);
	put_cfg(dec->config, "User", c.scalar[BC_CFG_USER], false);
	put_cfg(dec->config, "WorkingDir", c.scalar[BC_CFG_WORKDIR], false);
	put_cfg(dec->config, "Labels", c.labels, true);
	put_cfg(dec->config, "ExposedPorts", c.ports, true);
	put_cfg(dec->config, "Volumes", c.volumes, true);
	put_cfg(dec->config, "StopSignal", c.scalar[BC_CFG_STOPSIGNAL], false);
	if (c.annotations) {
		json_decref(dec->annotations);
		dec->annotations = sorted_object(c.annotations);
		json_decref(c.annotations);
	}
}

/* The index of the file at path in dec, or dec->nfiles when it is new
 * (then entered in *paths, the map past SCAN_MAX files). */
static size_t file_index(struct decision *dec, json_t **paths, const struct value *path)
{
	json_t *at;

	if (!*paths && dec->nfiles >= SCAN_MAX) {
		*paths = json_object();
		for (size_t k = 0; k < dec->nfiles; k++)
			json_object_setn_nocheck(*paths, dec->files[k].path, strlen(dec->files[k].path),
						 json_integer((json_int_t)k));
	}
	if (!*paths) {
		for (size_t k = 0; k < dec->nfiles; k++)
			if (strlen(dec->files[k].path) == path->len &&
			    !memcmp(dec->files[k].path, path->u.s, path->len))
				return k;
		return dec->nfiles;
	}
	at = json_object_getn(*paths, path->u.s, path->len);
	if (at)
		return (size_t)json_integer_value(at);
	json_object_setn_nocheck(*paths, path->u.s, path->len, json_integer((json_int_t)dec->nfiles));
	return dec->nfiles;
}

/* A later file at the same path replaces the earlier one in place. */
static void fill_files(struct vm *vm, struct decision *dec)
{
	const struct bc_program *p = vm->prog;
	json_t *paths = NULL;

	for (size_t i = 0; i < vm->nfiles; i++) {
		const struct vm_file *vf = &vm->files[i];
		size_t at = file_index(dec, &paths, &vf->path);
		struct dec_file *f;
		char hex[65];
		if (at < dec->nfiles) {
			f = &dec->files[at];
			free(f->path);
			free(f->data);
			free(f->at);
		} else {
			xgrow((void **)&dec->files, &dec->capfiles, dec->nfiles + 1, sizeof(*dec->files));
			f = &dec->files[dec->nfiles++];
		}
		f->path = vm_strdup(&vf->path);
		f->data = xmalloc(vf->data.len + 1);
		memcpy(f->data, vf->data.u.s, vf->data.len);
		f->data[vf->data.len] = '\0';
		f->len = vf->data.len;
		f->mode = vf->mode;
		sha256_hex(f->data, f->len, hex);
		snprintf(f->digest, sizeof(f->digest), "sha256:%s", hex);
		f->at = where(p, vm->pblock, vf->pc);
	}
	json_decref(paths);
}

static void fill_requests(struct vm *vm, struct decision *dec)
{
	const struct bc_program *p = vm->prog;

	for (size_t i = 0; i < vm->nreqs; i++) {
		const struct vm_req *r = &vm->reqs[i];
		struct dec_request *q;
		xgrow((void **)&dec->requests, &dec->caprequests, dec->nrequests + 1, sizeof(*q));
		q = &dec->requests[dec->nrequests++];
		memset(q, 0, sizeof(*q));
		q->name = vm_strdup(&r->name);
		if (r->cmp) {
			q->op = xstrdup(bc_cmp_name(r->cmp));
			q->constraint = vm_strdup(&r->constraint);
		}
		q->at = where(p, vm->pblock, r->pc);
		q->is_base = r->base;
	}
	for (size_t i = 0; i < vm->nexcls; i++) {
		struct dec_exclude *x;
		xgrow((void **)&dec->excludes, &dec->capexcludes, dec->nexcludes + 1, sizeof(*x));
		x = &dec->excludes[dec->nexcludes++];
		x->name = vm_strdup(&vm->excls[i].name);
		x->at = where(p, vm->pblock, vm->excls[i].pc);
	}
}

static void vmstate_free(void *arg)
{
	struct vm_state *st = arg;

	arena_release(&st->mem);
	json_decref(st->request);
	free(st->closures);
	free(st);
}

/* Copy the recorded checks and their captured values into the decision.
 * The copies have the evaluation's budget: captured values that share
 * their parts would otherwise be expanded in full here. */
static int keep_closures(struct vm *vm, const json_t *request, struct decision *dec, struct diag *d)
{
	struct vm_state *st = xcalloc(1, sizeof(*st));
	struct val_ctx c;
	int rc = 0;

	st->prog = vm->prog;
	st->request = request ? json_incref((json_t *)request) : NULL;
	arena_init(&st->mem);
	val_ctx_init(&c, &st->mem, vm->max_steps, vm->max_bytes);
	st->nclosures = vm->nclosures;
	st->closures = xcalloc(vm->nclosures, sizeof(*st->closures));
	for (size_t i = 0; rc == 0 && i < vm->nclosures; i++) {
		const struct vm_closure *src = &vm->closures[i];
		struct vm_closure *cl = &st->closures[i];
		uint32_t n = vm->prog->blocks[src->block].ncaptures;
		char buf[600];
		*cl = *src;
		cl->caps = val_alloc(&c, n * sizeof(*cl->caps));
		if (!cl->caps || val_copy(&c, &src->msg, &cl->msg) < 0)
			rc = -1;
		for (uint32_t k = 0; rc == 0 && k < n; k++)
			if (val_copy(&c, &src->caps[k], &cl->caps[k]) < 0)
				rc = -1;
		if (rc < 0)
			rc = vm_fail(vm->prog, &vm->prog->blocks[vm->pblock], src->pc, d, "%s", c.err.msg);
		bc_where(vm->prog, &vm->prog->blocks[vm->pblock], src->pc, buf, sizeof(buf));
		arena_set_limit(&st->mem, 0); /* the location of a kept check: small */
		cl->at = arena_strndup(&st->mem, buf, strlen(buf));
		arena_set_limit(&st->mem, vm->max_bytes);
	}
	arena_set_limit(&st->mem, 0);
	if (rc < 0) {
		st->nclosures = 0;
		vmstate_free(st);
		return -1;
	}
	if (dec->vmstate && dec->vmstate_free)
		dec->vmstate_free(dec->vmstate);
	dec->vmstate = st;
	dec->vmstate_free = vmstate_free;
	return 0;
}

/* An account's or group's id: an int in [0, ACCOUNTS_ID_MAX]. */
static bool id_of(const struct value *v, uint32_t *out)
{
	if (v->type != VAL_INT || v->u.i < 0 || v->u.i > (int64_t)ACCOUNTS_ID_MAX)
		return false;
	*out = (uint32_t)v->u.i;
	return true;
}

static int fill_account(struct decision *dec, const struct vm_decl *dc, char *at, struct diag *d)
{
	char *s[6] = {NULL};
	bool ids = false;
	int rc = -1;

	for (int i = 0; i < (dc->op == OP_ACCOUNT ? 6 : 2); i++)
		if (dc->v[i].type != VAL_NULL && dc->v[i].type != VAL_INT)
			s[i] = vm_strdup(&dc->v[i]);
	if (dc->op == OP_GROUP) {
		struct acct_group g = {s[0], 0, NULL, at};
		if ((ids = id_of(&dc->v[1], &g.gid)))
			rc = accounts_add_group(&dec->accounts, &g, d) < 0 ? -1 : 0;
	} else {
		struct acct_user u = {s[0], 0, 0, NULL, s[3], s[4], s[5], at};
		ids = id_of(&dc->v[1], &u.uid) && (dc->v[2].type == VAL_NULL || id_of(&dc->v[2], &u.gid));
		if (ids) {
			if (dc->v[2].type == VAL_NULL)
				u.gid = u.uid;
			rc = accounts_add_user(&dec->accounts, &u, d) < 0 ? -1 : 0;
		}
	}
	if (!ids)
		diag_report_at(d, DIAG_ERROR, at, "account", "an id of '%s' is not 0 to %u", s[0],
			       ACCOUNTS_ID_MAX);
	for (int i = 0; i < 6; i++)
		free(s[i]);
	return rc;
}

static void fill_dir(struct decision *dec, const struct vm_decl *dc, char *at)
{
	char *path = vm_strdup(&dc->v[0]);
	struct dec_dir *dd = NULL;

	for (size_t i = 0; i < dec->ndirs && !dd; i++)
		if (!strcmp(dec->dirs[i].path, path))
			dd = &dec->dirs[i];
	if (dd) {
		free(dd->path);
		free(dd->owner);
		free(dd->at);
	} else {
		xgrow((void **)&dec->dirs, &dec->capdirs, dec->ndirs + 1, sizeof(*dec->dirs));
		dd = &dec->dirs[dec->ndirs++];
	}
	dd->path = path;
	dd->mode = dc->mode;
	dd->owner = dc->v[1].type == VAL_NULL ? NULL : vm_strdup(&dc->v[1]);
	dd->at = at;
}

/* The account, group and directory statements, in order: a clash between
 * two of the policy's accounts is an error at the later one. */
static int fill_decls(struct vm *vm, struct decision *dec, struct diag *d)
{
	int rc = 0;

	for (size_t i = 0; i < vm->ndecls; i++) {
		const struct vm_decl *dc = &vm->decls[i];
		char *at = where(vm->prog, vm->pblock, dc->pc);
		if (dc->op == OP_DIRECTORY) {
			fill_dir(dec, dc, at);
			continue;
		}
		if (fill_account(dec, dc, at, d) < 0)
			rc = -1;
		free(at);
	}
	return rc;
}

int vm_fill_decision(struct vm *vm, const json_t *request, struct decision *dec, struct diag *d)
{
	fill_requests(vm, dec);
	fill_config(vm, dec);
	fill_files(vm, dec);
	if (fill_decls(vm, dec, d) < 0)
		return -1;
	return keep_closures(vm, request, dec, d);
}
