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
			diag_file_error(d, path, 0, 0, NULL, "cannot read request '%s': %s", path, strerror(errno));
			return NULL;
		}
		j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
		free(data);
	}
	if (!j) {
		diag_file_error(d, name, err.line > 0 ? (unsigned)err.line : 0,
				err.column > 0 ? (unsigned)err.column : 0, "json", "malformed request: %s", err.text);
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
	return req;
}
