/* registry_referrers.c - the referrers of a manifest on a registry without
 * the referrers API: the image index at the subject's referrers tag
 * (distribution spec 1.1, "Pushing Manifests with Subject" and "Referrers
 * Tag Schema"), read, added to, written back.
 *
 * What the registry sends is bounded twice: the body by
 * REGISTRY_MAX_MANIFEST (registry_manifest_get), and the values jansson
 * makes of it by REG_MAX_JSON_TOKENS, counted in the bytes before they are
 * parsed (4 MiB of "{}," would be a million objects).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"
#include "registry_int.h"

/* Of '{', '[', ',' and ':' in a referrers list: every JSON value but the
 * first follows one, so this bounds the values parsed. */
#define REG_MAX_JSON_TOKENS (1u << 18)

json_t *reg_referrer_desc(const json_t *man, const char *mt, const char *digest, size_t len)
{
	const char *at = json_string_value(json_object_get(man, "artifactType"));
	json_t *ann = json_object_get(man, "annotations");
	json_t *desc =
		json_pack("{s:s, s:s, s:I}", "mediaType", mt, "digest", digest, "size", (json_int_t)len);

	if (!desc)
		abort(); /* mt and digest are checked ASCII */
	if (!at || !*at) /* the spec: else the config's media type */
		at = json_string_value(json_object_get(json_object_get(man, "config"), "mediaType"));
	if (at && *at)
		json_object_set_new(desc, "artifactType", json_string(at));
	if (json_is_object(ann) && json_object_size(ann))
		json_object_set(desc, "annotations", ann);
	return desc;
}

void reg_referrers_tag(const char *subject, char tag[72])
{
	const char *colon = strchr(subject, ':');

	/* a checked "sha256:HEX": the algorithm, '-', the hex */
	snprintf(tag, 72, "%.*s-%s", colon ? (int)(colon - subject) : 0, subject,
		 colon ? colon + 1 : subject);
}

/* Is m's media type (its JSON's, else the Content-Type without
 * parameters) the OCI image index's? */
static bool is_index(const json_t *j, const char *content_type)
{
	const char *mt = json_string_value(json_object_get(j, "mediaType"));
	size_t n;

	if (json_object_get(j, "mediaType"))
		return mt && !strcmp(mt, OCI_MT_INDEX);
	n = strcspn(content_type, "; \t");
	return n == strlen(OCI_MT_INDEX) && !strncmp(content_type, OCI_MT_INDEX, n);
}

static size_t tokens(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == '{' || s[i] == '[' || s[i] == ',' || s[i] == ':';
	return k;
}

/* The list have holds, parsed: NULL with an error naming what when it is
 * no image index with an array of manifests. */
static json_t *load_list(const struct registry_manifest *have, const char *what, struct diag *d)
{
	json_t *j = NULL;
	const char *shown;
	char *mt;

	if (tokens(have->data, have->len) > REG_MAX_JSON_TOKENS) {
		diag_error(d, LOC_NONE, "registry", "%s holds a referrers list of more than %u values", what,
			   REG_MAX_JSON_TOKENS);
		return NULL;
	}
	j = json_loadb(have->data, have->len, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_object(j) && is_index(j, have->media_type) &&
	    json_is_array(json_object_get(j, "manifests")))
		return j;
	shown = json_string_value(json_object_get(j, "mediaType"));
	shown = shown ? shown : have->media_type;
	mt = reg_clean(shown, strlen(shown), 100);
	if (!json_is_object(j))
		diag_error(d, LOC_NONE, "registry",
			   "%s holds no JSON object, not a list of referrers: it is left as it is", what);
	else
		diag_error(d, LOC_NONE, "registry",
			   "%s holds a manifest of type '%s', not an image index of referrers: it is left as "
			   "it is",
			   what, mt);
	free(mt);
	json_decref(j);
	return NULL;
}

struct entry {
	const char *digest; /* "" when it has none */
	char *text;	    /* canonical JSON: the order among equal digests */
	json_t *j;
};

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->digest, y->digest);

	return c ? c : strcmp(x->text, y->text);
}

/* Sort the array ms by digest, in place. */
static void sort_entries(json_t *ms)
{
	size_t n = json_array_size(ms), i;
	struct entry *e = xcalloc(n ? n : 1, sizeof(*e));
	json_t *j;

	json_array_foreach(ms, i, j)
	{
		const char *dg = json_string_value(json_object_get(j, "digest"));
		e[i].digest = dg ? dg : "";
		e[i].text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		if (!e[i].text)
			e[i].text = xstrdup("");
		e[i].j = json_incref(j);
	}
	qsort(e, n, sizeof(*e), entry_cmp);
	json_array_clear(ms);
	for (i = 0; i < n; i++) {
		json_array_append_new(ms, e[i].j);
		free(e[i].text);
	}
	free(e);
}

int reg_referrers_merge(const struct registry_manifest *have, const json_t *desc, const char *what,
			char **out, size_t *len, struct diag *d)
{
	const char *digest = json_string_value(json_object_get(desc, "digest"));
	json_t *list, *ms, *j;
	size_t i;

	*out = NULL;
	*len = 0;
	if (have && !(list = load_list(have, what, d)))
		return -1;
	if (!have)
		list = json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType", OCI_MT_INDEX,
				 "manifests");
	ms = json_object_get(list, "manifests");
	json_array_foreach(ms, i, j)
	{
		const char *dg = json_string_value(json_object_get(j, "digest"));
		if (dg && !strcmp(dg, digest)) { /* listed: no duplicate */
			json_decref(list);
			return 0;
		}
	}
	if (!json_object_get(list, "mediaType"))
		json_object_set_new(list, "mediaType", json_string(OCI_MT_INDEX));
	json_array_append(ms, (json_t *)desc);
	sort_entries(ms);
	*out = json_dumps(list, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(list);
	if (!*out)
		abort(); /* it was parsed, or made, as JSON */
	*len = strlen(*out);
	return 1;
}

int reg_referrers_add(struct registry *r, const char *repo, const char *subject, const json_t *desc,
		      struct diag *d)
{
	struct registry_manifest m;
	char tag[72], *what, *out = NULL;
	size_t len;
	int got, rc;

	reg_referrers_tag(subject, tag);
	what = xasprintf("the tag '%s' of '%s'", tag, repo);
	if ((got = reg_manifest_get(r, repo, tag, "pull,push", false, &m, d)) < 0) {
		free(what);
		return -1;
	}
	rc = reg_referrers_merge(got ? &m : NULL, desc, what, &out, &len, d);
	if (rc == 1)
		rc = reg_manifest_put(r, repo, tag, OCI_MT_INDEX, out, len, NULL, NULL, d);
	registry_manifest_release(&m);
	free(out);
	free(what);
	return rc < 0 ? -1 : 0;
}
