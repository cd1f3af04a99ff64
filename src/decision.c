/* decision.c - the decision record and its JSON form (doc/DESIGN.md,
 * "The decision"). */
#include "config.h"

#include "decision.h"

#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "util.h"

void decision_init(struct decision *dec)
{
	memset(dec, 0, sizeof(*dec));
	dec->config = json_object();
	dec->annotations = json_object();
}

static void free_messages(struct dec_message *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].message);
		free(m[i].at);
	}
	free(m);
}

void decision_release(struct decision *dec)
{
	free(dec->policy);
	free(dec->platform);
	free(dec->from);
	for (size_t i = 0; i < dec->nrequests; i++) {
		free(dec->requests[i].name);
		free(dec->requests[i].op);
		free(dec->requests[i].constraint);
		free(dec->requests[i].at);
	}
	free(dec->requests);
	for (size_t i = 0; i < dec->nexcludes; i++) {
		free(dec->excludes[i].name);
		free(dec->excludes[i].at);
	}
	free(dec->excludes);
	json_decref(dec->config);
	json_decref(dec->annotations);
	for (size_t i = 0; i < dec->nfiles; i++) {
		free(dec->files[i].path);
		free(dec->files[i].data);
		free(dec->files[i].at);
	}
	free(dec->files);
	accounts_release(&dec->accounts);
	for (size_t i = 0; i < dec->ndirs; i++) {
		free(dec->dirs[i].path);
		free(dec->dirs[i].owner);
		free(dec->dirs[i].at);
	}
	free(dec->dirs);
	for (size_t i = 0; i < dec->nselected; i++)
		free(dec->selected[i].reason);
	free(dec->selected);
	for (size_t i = 0; i < dec->nedges; i++) {
		free(dec->edges[i].from);
		free(dec->edges[i].to);
	}
	free(dec->edges);
	free_messages(dec->denials, dec->ndenials);
	free_messages(dec->warnings, dec->nwarnings);
	free_messages(dec->pending, dec->npending);
	if (dec->vmstate && dec->vmstate_free)
		dec->vmstate_free(dec->vmstate);
	memset(dec, 0, sizeof(*dec));
}

static json_t *at(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *messages_json(const struct dec_message *m, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "message", json_string(m[i].message));
		json_object_set_new(o, "at", at(m[i].at));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *requests_json(const struct decision *dec)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < dec->nrequests; i++) {
		const struct dec_request *r = &dec->requests[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(r->name));
		if (r->op) {
			char *c = xasprintf("%s %s", r->op, r->constraint ? r->constraint : "");
			json_object_set_new(o, "constraint", json_string(c));
			free(c);
		} else {
			json_object_set_new(o, "constraint", json_null());
		}
		json_object_set_new(o, "at", at(r->at));
		if (r->is_base)
			json_object_set_new(o, "base", json_true());
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *selected_json(const struct decision *dec)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < dec->nselected; i++) {
		const struct dec_selected *s = &dec->selected[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(s->prim->name));
		json_object_set_new(o, "version", json_string(s->prim->version));
		/* null: the content of a package of an apt repository is not fetched yet */
		json_object_set_new(o, "digest",
				    s->prim->digest ? json_string(s->prim->digest) : json_null());
		json_object_set_new(o, "reason", json_string(s->reason));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* {"users": [{name, uid, gid, home, shell}], "groups": [{name, gid}]},
 * in statement order. */
static json_t *accounts_json(const struct accounts *a)
{
	json_t *o = json_object(), *users = json_array(), *groups = json_array();

	for (size_t i = 0; i < a->nusers; i++) {
		const struct acct_user *u = &a->users[i];
		json_array_append_new(users, json_pack("{s:s, s:I, s:I, s:s, s:s}", "name", u->name, "uid",
						       (json_int_t)u->uid, "gid", (json_int_t)u->gid, "home",
						       accounts_home(u), "shell", accounts_shell(u)));
	}
	for (size_t i = 0; i < a->ngroups; i++)
		json_array_append_new(groups, json_pack("{s:s, s:I}", "name", a->groups[i].name, "gid",
							(json_int_t)a->groups[i].gid));
	json_object_set_new(o, "users", users);
	json_object_set_new(o, "groups", groups);
	return o;
}

static json_t *dirs_json(const struct decision *dec)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < dec->ndirs; i++) {
		const struct dec_dir *dd = &dec->dirs[i];
		json_array_append_new(arr, json_pack("{s:s, s:i, s:s?}", "path", dd->path, "mode",
						     (int)dd->mode, "owner", dd->owner));
	}
	return arr;
}

json_t *decision_to_json(const struct decision *dec)
{
	json_t *o = json_object(), *arr;

	json_object_set_new(o, "policy", json_string(dec->policy ? dec->policy : ""));
	json_object_set_new(o, "platform", json_string(dec->platform ? dec->platform : "linux/amd64"));
	json_object_set_new(o, "requests", requests_json(dec));
	arr = json_array();
	for (size_t i = 0; i < dec->nexcludes; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "name", json_string(dec->excludes[i].name));
		json_object_set_new(e, "at", at(dec->excludes[i].at));
		json_array_append_new(arr, e);
	}
	json_object_set_new(o, "excludes", arr);
	json_object_set_new(o, "selected", selected_json(dec));
	arr = json_array();
	for (size_t i = 0; i < dec->nedges; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "from", json_string(dec->edges[i].from));
		json_object_set_new(e, "to", json_string(dec->edges[i].to));
		json_array_append_new(arr, e);
	}
	json_object_set_new(o, "edges", arr);
	json_object_set(o, "config", dec->config);
	json_object_set(o, "annotations", dec->annotations);
	arr = json_array();
	for (size_t i = 0; i < dec->nfiles; i++) {
		const struct dec_file *f = &dec->files[i];
		json_t *e = json_object();
		json_object_set_new(e, "path", json_string(f->path));
		json_object_set_new(e, "mode", json_integer(f->mode));
		json_object_set_new(e, "size", json_integer((json_int_t)f->len));
		json_object_set_new(e, "digest", json_string(f->digest));
		json_array_append_new(arr, e);
	}
	json_object_set_new(o, "files", arr);
	json_object_set_new(o, "denials", messages_json(dec->denials, dec->ndenials));
	json_object_set_new(o, "warnings", messages_json(dec->warnings, dec->nwarnings));
	json_object_set_new(o, "pending", messages_json(dec->pending, dec->npending));
	if (dec->from)
		json_object_set_new(o, "from", json_string(dec->from));
	if (dec->accounts.nusers || dec->accounts.ngroups)
		json_object_set_new(o, "accounts", accounts_json(&dec->accounts));
	if (dec->ndirs)
		json_object_set_new(o, "directories", dirs_json(dec));
	return o;
}

/* After a denial: the selected primitives' known CVEs, which a deny on
 * scan results is about. */
static void cve_notes(const struct decision *dec, struct diag *d)
{
	for (size_t i = 0; i < dec->nselected; i++) {
		char *cves = cat_prim_cves(dec->selected[i].prim, 8);
		if (cves)
			diag_note(d, LOC_NONE, "'%s' %s has %s", dec->selected[i].prim->name,
				  dec->selected[i].prim->version, cves);
		free(cves);
	}
}

void decision_report(const struct decision *dec, struct diag *d)
{
	for (size_t i = 0; i < dec->ndenials; i++)
		diag_report_at(d, DIAG_ERROR, dec->denials[i].at, "deny", "denied: %s",
			       dec->denials[i].message);
	if (dec->ndenials)
		cve_notes(dec, d);
	for (size_t i = 0; i < dec->nwarnings; i++)
		diag_report_at(d, DIAG_WARNING, dec->warnings[i].at, "warn", "%s", dec->warnings[i].message);
}
