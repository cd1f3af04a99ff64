/* schema.c - input schemas: checked, kept as JSON, applied to requests. */
#include "config.h"

#include "schema.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "ver.h"

static const char *const type_names[] = {"string", "int", "bool", "version"};

/* ---- the declaration ------------------------------------------------------ */

/* A literal default as JSON, or NULL when n is not a literal. */
static json_t *literal_json(const struct ast *n)
{
	json_t *j;

	switch (n->kind) {
	case AST_NULL:
		return json_null();
	case AST_BOOL:
		return json_boolean(n->num);
	case AST_INT:
		return n->op ? NULL : json_integer(n->num);
	case AST_STRING:
		return json_stringn_nocheck(n->str, n->len);
	case AST_LIST:
		j = json_array();
		for (size_t i = 0; i < n->kids.n; i++) {
			json_t *v = literal_json(n->kids.v[i]);
			if (!v) {
				json_decref(j);
				return NULL;
			}
			json_array_append_new(j, v);
		}
		return j;
	case AST_RECORD:
		j = json_object();
		for (size_t i = 0; i < n->kids.n; i++) {
			json_t *v = literal_json(n->kids.v[i]->a);
			if (!v) {
				json_decref(j);
				return NULL;
			}
			json_object_setn_nocheck(j, n->kids.v[i]->str, n->kids.v[i]->len, v);
		}
		return j;
	default:
		return NULL;
	}
}

static json_t *type_json(const struct ast *t);

static json_t *fields_json(const struct ast_list *l)
{
	json_t *o = json_object();

	for (size_t i = 0; i < l->n; i++) {
		const struct ast *f = l->v[i];
		json_t *fj = json_object();
		json_object_set_new(fj, "type", type_json(f->a));
		if (f->op)
			json_object_set_new(fj, "optional", json_true());
		if (f->b) {
			json_t *dv = literal_json(f->b);
			if (dv)
				json_object_set_new(fj, "default", dv);
		}
		json_object_set_new(o, f->str, fj);
	}
	return o;
}

static json_t *type_json(const struct ast *t)
{
	json_t *o = json_object(), *v;

	switch (t->op) {
	case AST_STYPE_LIST:
		json_object_set_new(o, "t", json_string("list"));
		json_object_set_new(o, "of", type_json(t->a));
		break;
	case AST_STYPE_RECORD:
		json_object_set_new(o, "t", json_string("record"));
		json_object_set_new(o, "fields", fields_json(&t->kids));
		break;
	case AST_STYPE_UNION:
		json_object_set_new(o, "t", json_string("enum"));
		v = json_array();
		for (size_t i = 0; i < t->kids.n; i++)
			json_array_append_new(v, literal_json(t->kids.v[i]));
		json_object_set_new(o, "values", v);
		break;
	default:
		json_object_set_new(o, "t", json_string(t->str));
		break;
	}
	return o;
}

json_t *schema_from_ast(const struct ast *n)
{
	json_t *o = json_object();

	json_object_set_new(o, "t", json_string("record"));
	json_object_set_new(o, "fields", fields_json(&n->kids));
	return o;
}

static int check_type(const struct ast *t, struct diag *d);

static int check_fields(const struct ast_list *l, struct diag *d)
{
	int errors = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct ast *f = l->v[i];
		for (size_t k = 0; k < i; k++)
			if (!strcmp(l->v[k]->str, f->str)) {
				diag_error(d, f->nameloc, "schema", "field '%s' is declared twice", f->str);
				errors++;
			}
		errors += check_type(f->a, d);
	}
	return errors;
}

static int check_type(const struct ast *t, struct diag *d)
{
	const char *near;

	switch (t->op) {
	case AST_STYPE_NAMED:
		for (size_t i = 0; i < ARRAY_SIZE(type_names); i++)
			if (!strcmp(t->str, type_names[i]))
				return 0;
		near = suggest_name(t->str, type_names, ARRAY_SIZE(type_names));
		diag_error(d, t->loc, "schema",
			   "unknown type '%s'%s%s%s (string, int, bool, version, [T], {name: T})", t->str,
			   near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
		return 1;
	case AST_STYPE_LIST:
		return check_type(t->a, d);
	case AST_STYPE_RECORD:
		return check_fields(&t->kids, d);
	default:
		return 0;
	}
}

int schema_check_decl(const struct ast *n, struct diag *d)
{
	int errors = check_fields(&n->kids, d);
	json_t *s, *probe;

	if (errors)
		return errors;
	for (size_t i = 0; i < n->kids.n; i++) {
		const struct ast *f = n->kids.v[i];
		json_t *dv = f->b ? literal_json(f->b) : NULL;
		if (f->b && !dv) {
			diag_error(d, f->b->loc, "schema", "the default of '%s' must be a literal", f->str);
			errors++;
		}
		json_decref(dv);
	}
	if (errors)
		return errors;
	/* every default has its field's type: validate a request of them */
	s = schema_from_ast(n);
	for (size_t i = 0; i < n->kids.n; i++) {
		const struct ast *f = n->kids.v[i];
		json_t *fs;
		struct diag quiet;
		if (!f->b)
			continue;
		fs = json_deep_copy(json_object_get(json_object_get(s, "fields"), f->str));
		json_object_del(fs, "default");
		probe = json_pack("{s:{s:s,s:{s:o}}}", "x", "t", "record", "fields", f->str, fs);
		diag_init(&quiet);
		json_t *req = json_object();
		json_object_set(
			req, f->str,
			json_object_get(json_object_get(json_object_get(s, "fields"), f->str), "default"));
		if (schema_validate(json_object_get(probe, "x"), req, "", &quiet)) {
			diag_error(d, f->b->loc, "schema", "the default of '%s' does not have its type: %s",
				   f->str, quiet.entries[0].message);
			errors++;
		}
		diag_release(&quiet);
		json_decref(req);
		json_decref(probe);
	}
	json_decref(s);
	return errors;
}

static bool type_ok(const json_t *t, unsigned depth);

static bool fields_ok(const json_t *fields, unsigned depth)
{
	const char *key;
	json_t *f;

	if (!json_is_object(fields))
		return false;
	json_object_foreach((json_t *)fields, key, f)
	{
		const json_t *o = json_object_get(f, "optional");
		if (!json_is_object(f) || !type_ok(json_object_get(f, "type"), depth + 1) ||
		    (o && !json_is_true(o)))
			return false;
	}
	return true;
}

static bool type_ok(const json_t *t, unsigned depth)
{
	const char *k = json_string_value(json_object_get(t, "t"));

	if (!json_is_object(t) || !k || depth > 64)
		return false;
	if (!strcmp(k, "list"))
		return type_ok(json_object_get(t, "of"), depth + 1);
	if (!strcmp(k, "record"))
		return fields_ok(json_object_get(t, "fields"), depth);
	if (!strcmp(k, "enum"))
		return json_is_array(json_object_get(t, "values"));
	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++)
		if (!strcmp(k, type_names[i]))
			return true;
	return false;
}

bool schema_well_formed(const json_t *s)
{
	const char *k = json_string_value(json_object_get(s, "t"));

	return k && !strcmp(k, "record") && type_ok(s, 0);
}

const struct ast *schema_field(const struct ast *owner, const char *name, const char **suggest)
{
	const char **names = xcalloc(owner->kids.n + 1, sizeof(*names));
	const struct ast *hit = NULL;

	for (size_t i = 0; i < owner->kids.n; i++) {
		names[i] = owner->kids.v[i]->str;
		if (!strcmp(names[i], name))
			hit = owner->kids.v[i];
	}
	if (suggest)
		*suggest = hit ? NULL : suggest_name(name, names, owner->kids.n);
	free(names);
	return hit;
}

/* ---- requests ------------------------------------------------------------- */

/* The field of schema s (a record type) at dotted path, or NULL. */
static const json_t *field_at(const json_t *s, const char *path)
{
	const json_t *f = NULL;
	char *p = xstrdup(path), *save = NULL;

	for (char *k = strtok_r(p, ".", &save); k && s; k = strtok_r(NULL, ".", &save)) {
		f = json_object_get(json_object_get(s, "fields"), k);
		s = f ? json_object_get(f, "type") : NULL;
		if (s && strcmp(json_string_value(json_object_get(s, "t")), "record"))
			s = strtok_r(NULL, "", &save) ? NULL : s; /* a path beyond a non-record */
	}
	free(p);
	return f;
}

/* The value at dotted path of request r, or NULL. */
static json_t *value_at(json_t *r, const char *path)
{
	char *p = xstrdup(path), *save = NULL;

	for (char *k = strtok_r(p, ".", &save); k && r; k = strtok_r(NULL, ".", &save))
		r = json_is_object(r) ? json_object_get(r, k) : NULL;
	free(p);
	return r;
}

/* Replace the value at dotted path of r (which exists) with v (stolen). */
static void set_at(json_t *r, const char *path, json_t *v)
{
	const char *dot = strrchr(path, '.');
	char *parent = dot ? xstrndup(path, (size_t)(dot - path)) : NULL;
	json_t *o = parent ? value_at(r, parent) : r;

	json_object_set_new(o, dot ? dot + 1 : path, v);
	free(parent);
}

void schema_convert_defs(const json_t *schema, json_t *request, char *const *defs, size_t ndefs)
{
	for (size_t i = 0; i < ndefs; i++) {
		const char *eq = strchr(defs[i], '='), *t, *s;
		char *key, *end;
		const json_t *f;
		long long n;
		if (!eq || (eq > defs[i] && eq[-1] == ':'))
			continue; /* K:=JSON is typed already */
		key = xstrndup(defs[i], (size_t)(eq - defs[i]));
		f = field_at(schema, key);
		t = f ? json_string_value(json_object_get(json_object_get(f, "type"), "t")) : NULL;
		s = json_string_value(value_at(request, key));
		if (t && s && !strcmp(t, "int")) {
			n = strtoll(s, &end, 10);
			if (*s && !*end && *s != '+' && !isspace((unsigned char)*s))
				set_at(request, key, json_integer(n));
		} else if (t && s && !strcmp(t, "bool") && (!strcmp(s, "true") || !strcmp(s, "false"))) {
			set_at(request, key, json_boolean(!strcmp(s, "true")));
		}
		free(key);
	}
}

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "a record";
	case JSON_ARRAY:
		return "a list";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an int";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a bool";
	case JSON_NULL:
		return "null";
	default:
		return "a number";
	}
}

struct vctx {
	const char *what;
	struct diag *d;
	struct strbuf path;
	int errors;
};

static void mismatch(struct vctx *V, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void mismatch(struct vctx *V, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_report_at(V->d, DIAG_ERROR, V->what, "schema", "key '%.200s': %s",
		       V->path.len ? V->path.buf : "", msg);
	V->errors++;
}

static void check_value(struct vctx *V, const json_t *t, json_t *v);

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of object o, sorted (the caller frees the array). */
static const char **sorted_keys(const json_t *o, size_t *n)
{
	const char **k = xcalloc(json_object_size(o) + 1, sizeof(*k)), *key;
	json_t *v;

	*n = 0;
	json_object_foreach((json_t *)o, key, v) k[(*n)++] = key;
	qsort(k, *n, sizeof(*k), cmp_str);
	return k;
}

static void pop_path(struct vctx *V, size_t mark)
{
	V->path.len = mark;
	V->path.buf[mark] = '\0';
}

/* Members in key order: the declared ones (defaults filled in), then the
 * undeclared ones. */
static void check_record(struct vctx *V, const json_t *fields, json_t *v)
{
	size_t mark = V->path.len, nnames, nkeys;
	const char **names = sorted_keys(fields, &nnames), *near;
	const char **keys;

	for (size_t i = 0; i < nnames; i++) {
		const json_t *f = json_object_get(fields, names[i]);
		json_t *m = json_object_get(v, names[i]);
		sb_addf(&V->path, "%s%s", mark ? "." : "", names[i]);
		if (!m && json_object_get(f, "default"))
			json_object_set(v, names[i], json_object_get(f, "default"));
		else if (!m && !json_is_true(json_object_get(f, "optional")))
			mismatch(V, "required, but missing");
		else if (m && !(json_is_null(m) && json_is_true(json_object_get(f, "optional"))))
			check_value(V, json_object_get(f, "type"), m);
		pop_path(V, mark);
	}
	keys = sorted_keys(v, &nkeys);
	for (size_t i = 0; i < nkeys; i++) {
		if (json_object_get(fields, keys[i]))
			continue;
		sb_addf(&V->path, "%s%s", mark ? "." : "", keys[i]);
		near = suggest_name(keys[i], names, nnames);
		if (near)
			mismatch(V, "not declared in the input schema; did you mean '%s'?", near);
		else
			mismatch(V, "not declared in the input schema");
		pop_path(V, mark);
	}
	free(keys);
	free(names);
}

static bool in_values(const json_t *values, const json_t *v)
{
	for (size_t i = 0; i < json_array_size(values); i++)
		if (json_equal(json_array_get(values, i), (json_t *)v))
			return true;
	return false;
}

static void check_enum(struct vctx *V, const json_t *values, const json_t *v)
{
	struct strbuf sb = STRBUF_INIT;

	if (in_values(values, v))
		return;
	for (size_t i = 0; i < json_array_size(values) && sb.len < 200; i++) {
		char *x = json_dumps(json_array_get(values, i), JSON_ENCODE_ANY);
		sb_addf(&sb, "%s%s", i ? " | " : "", x ? x : "?");
		free(x);
	}
	if (json_is_string(v))
		mismatch(V, "'%.60s' is not one of %s", json_string_value(v), sb.buf);
	else
		mismatch(V, "%s is not one of %s", json_kind(v), sb.buf);
	sb_release(&sb);
}

static void check_value(struct vctx *V, const json_t *t, json_t *v)
{
	const char *k = json_string_value(json_object_get(t, "t")), *why = NULL;
	size_t mark = V->path.len;

	if (!strcmp(k, "enum")) {
		check_enum(V, json_object_get(t, "values"), v);
	} else if (!strcmp(k, "string") && !json_is_string(v)) {
		mismatch(V, "expected a string, not %s", json_kind(v));
	} else if (!strcmp(k, "int") && !json_is_integer(v)) {
		mismatch(V, "expected an int, not %s", json_kind(v));
	} else if (!strcmp(k, "bool") && !json_is_boolean(v)) {
		mismatch(V, "expected a bool, not %s", json_kind(v));
	} else if (!strcmp(k, "version")) {
		if (!json_is_string(v))
			mismatch(V, "expected a version, not %s", json_kind(v));
		else if (!ver_valid(json_string_value(v), &why))
			mismatch(V, "'%.60s' is not a valid version: %s", json_string_value(v),
				 why ? why : "?");
	} else if (!strcmp(k, "list")) {
		if (!json_is_array(v)) {
			mismatch(V, "expected a list, not %s", json_kind(v));
			return;
		}
		for (size_t i = 0; i < json_array_size(v); i++) {
			sb_addf(&V->path, "[%zu]", i);
			check_value(V, json_object_get(t, "of"), json_array_get(v, i));
			pop_path(V, mark);
		}
	} else if (!strcmp(k, "record")) {
		if (!json_is_object(v))
			mismatch(V, "expected a record, not %s", json_kind(v));
		else
			check_record(V, json_object_get(t, "fields"), v);
	}
}

int schema_validate(const json_t *schema, json_t *request, const char *what, struct diag *d)
{
	struct vctx V = {what && *what ? what : "the request", d, STRBUF_INIT, 0};

	sb_adds(&V.path, "");
	check_record(&V, json_object_get(schema, "fields"), request);
	sb_release(&V.path);
	return V.errors;
}
