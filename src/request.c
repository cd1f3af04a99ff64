/* request.c - reading the request and merging -D definitions. */
#include "config.h"

#include "request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static json_t *read_json(const char *path, struct diag *d)
{
	json_error_t err;
	json_t *j;
	const char *name = strcmp(path, "-") ? path : "<stdin>";

	if (!strcmp(path, "-"))
		j = json_loadf(stdin, JSON_REJECT_DUPLICATES, &err);
	else {
		char *data;
		size_t len;
		if (read_file(path, &data, &len) < 0) {
			diag_file_error(d, path, 0, 0, NULL, "cannot read request '%s': %s", path,
					strerror(errno));
			return NULL;
		}
		j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
		free(data);
	}
	if (!j) {
		diag_file_error(d, name, err.line > 0 ? (unsigned)err.line : 0,
				err.column > 0 ? (unsigned)err.column : 0, "json", "malformed request: %s",
				err.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		diag_file_error(d, name, 0, 0, "json", "the request must be a JSON object");
		json_decref(j);
		return NULL;
	}
	return j;
}

int request_define(json_t *req, const char *def, struct diag *d)
{
	const char *eq = strchr(def, '=');
	bool is_json = eq && eq > def && eq[-1] == ':';
	size_t klen = eq ? (size_t)(eq - def) - is_json : 0;
	char *key, *seg, *next;
	json_t *val, *obj = req;
	json_error_t err;
	int rc = -1;

	if (!eq || klen == 0) {
		diag_error(d, LOC_NONE, NULL, "bad definition '%s': expected KEY=VALUE or KEY:=JSON", def);
		return -1;
	}
	if (is_json) {
		val = json_loads(eq + 1, JSON_DECODE_ANY, &err);
		if (!val) {
			diag_error(d, LOC_NONE, NULL, "bad JSON in definition '%s': %s", def, err.text);
			return -1;
		}
	} else {
		val = json_string(eq + 1);
		if (!val) {
			diag_error(d, LOC_NONE, NULL, "definition '%s' is not valid UTF-8", def);
			return -1;
		}
	}
	key = xstrndup(def, klen);
	for (seg = key;; seg = next + 1) {
		json_t *sub;
		next = strchr(seg, '.');
		if (next)
			*next = '\0';
		if (!*seg) {
			diag_error(d, LOC_NONE, NULL, "bad definition '%s': empty key", def);
			goto out;
		}
		if (!next)
			break;
		sub = json_object_get(obj, seg);
		if (!sub) {
			sub = json_object();
			json_object_set_new(obj, seg, sub);
		} else if (!json_is_object(sub)) {
			diag_error(d, LOC_NONE, NULL, "bad definition '%s': '%s' is not an object", def, seg);
			goto out;
		}
		obj = sub;
	}
	if (json_object_set(obj, seg, val) < 0) {
		diag_error(d, LOC_NONE, NULL, "bad definition '%s': key is not valid UTF-8", def);
		goto out;
	}
	rc = 0;
out:
	json_decref(val);
	free(key);
	return rc;
}

/* The language has only integers: find a number with a fraction or an
 * exponent (a JSON real) and name where it is, as "a.b[2]". */
static bool find_real(const json_t *j, struct strbuf *where)
{
	const char *key;
	json_t *v;
	size_t i, len = where->len;

	switch (json_typeof(j)) {
	case JSON_REAL:
		return true;
	case JSON_OBJECT:
		json_object_foreach((json_t *)j, key, v)
		{
			sb_addf(where, "%s%s", where->len ? "." : "", key);
			if (find_real(v, where))
				return true;
			where->len = len;
			where->buf[len] = '\0';
		}
		return false;
	case JSON_ARRAY:
		json_array_foreach(j, i, v)
		{
			sb_addf(where, "[%zu]", i);
			if (find_real(v, where))
				return true;
			where->len = len;
			where->buf[len] = '\0';
		}
		return false;
	default:
		return false;
	}
}

json_t *request_load(const char *path, char *const *defs, size_t ndefs, struct diag *d)
{
	json_t *req = path ? read_json(path, d) : json_object();
	struct strbuf where = STRBUF_INIT;

	if (!req)
		return NULL;
	for (size_t i = 0; i < ndefs; i++)
		if (request_define(req, defs[i], d) < 0) {
			json_decref(req);
			return NULL;
		}
	sb_adds(&where, "");
	if (find_real(req, &where)) {
		diag_file_error(d,
				!path		    ? "<command line>"
				: strcmp(path, "-") ? path
						    : "<stdin>",
				0, 0, "json",
				"request field '%s' is not an integer (the language has no fractions)",
				where.buf);
		json_decref(req);
		req = NULL;
	}
	sb_release(&where);
	return req;
}
