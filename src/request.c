/* request.c - reading the request and merging -D definitions. */
#include "config.h"

#include "request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static json_t *read_json(const char *path, struct diag *d)
{
	json_error_t err;
	json_t *j;
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	char *data;
	size_t len;

	if (!strcmp(path, "-") ? read_fd_max(STDIN_FILENO, REQUEST_MAX_BYTES, &data, &len) < 0
			       : read_file_max(path, REQUEST_MAX_BYTES, 0, &data, &len) < 0) {
		if (errno == EFBIG)
			diag_file_error(d, name, 0, 0, "json", "request '%s' is larger than %zu MiB", name,
					REQUEST_MAX_BYTES >> 20);
		else
			diag_file_error(d, name, 0, 0, NULL, "cannot read request '%s': %s", name,
					file_strerror(errno));
		return NULL;
	}
	j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
	free(data);
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

static size_t key_depth(const char *key, size_t n)
{
	size_t depth = 1;

	for (size_t i = 0; i < n; i++)
		depth += key[i] == '.';
	return depth;
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
	if (key_depth(def, klen) > REQUEST_MAX_DEPTH) {
		diag_error(d, LOC_NONE, NULL,
			   "bad definition '%.60s...': the key has more than %d components", def,
			   REQUEST_MAX_DEPTH);
		json_decref(val);
		return -1;
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

/* Add the size of j as compact JSON (strings counted unescaped) to
 * *bytes; false as soon as j nests deeper than REQUEST_MAX_DEPTH (depth:
 * the containers around j) or *bytes passes REQUEST_MAX_BYTES. */
static bool measure(const json_t *j, int depth, size_t *bytes)
{
	const char *key;
	json_t *v;
	size_t i;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
	case JSON_ARRAY:
		if (depth >= REQUEST_MAX_DEPTH)
			return false;
		*bytes += 2;
		if (json_is_array(j)) {
			json_array_foreach(j, i, v)
			{
				*bytes += 1;
				if (!measure(v, depth + 1, bytes))
					return false;
			}
			return true;
		}
		json_object_foreach((json_t *)j, key, v)
		{
			*bytes += strlen(key) + 4;
			if (!measure(v, depth + 1, bytes))
				return false;
		}
		return true;
	case JSON_STRING:
		*bytes += json_string_length(j) + 2;
		break;
	default:
		*bytes += 20;
		break;
	}
	return *bytes <= REQUEST_MAX_BYTES;
}

int request_check(const json_t *req, const char *name, struct diag *d)
{
	size_t bytes = 0;
	struct strbuf where = STRBUF_INIT;
	int rc = 0;

	if (!measure(req, 0, &bytes)) {
		if (bytes > REQUEST_MAX_BYTES)
			diag_file_error(d, name, 0, 0, "json", "request '%s' is larger than %zu MiB", name,
					REQUEST_MAX_BYTES >> 20);
		else
			diag_file_error(d, name, 0, 0, "json", "request '%s' nests deeper than %d levels",
					name, REQUEST_MAX_DEPTH);
		return -1;
	}
	sb_adds(&where, "");
	if (find_real(req, &where)) {
		diag_file_error(d, name, 0, 0, "json",
				"request field '%s' is not an integer (the language has no fractions)",
				where.buf);
		rc = -1;
	}
	sb_release(&where);
	return rc;
}

json_t *request_load(const char *path, char *const *defs, size_t ndefs, struct diag *d)
{
	json_t *req = path ? read_json(path, d) : json_object();

	if (!req)
		return NULL;
	for (size_t i = 0; i < ndefs; i++)
		if (request_define(req, defs[i], d) < 0) {
			json_decref(req);
			return NULL;
		}
	if (request_check(req, !path ? "<command line>" : strcmp(path, "-") ? path : "<stdin>", d) < 0) {
		json_decref(req);
		return NULL;
	}
	return req;
}
