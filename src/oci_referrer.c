/* oci_referrer.c - an artifact attached to the image it describes (OCI
 * image spec 1.1, "Guidelines for Artifact Usage"; distribution spec 1.1,
 * "Listing Referrers").
 *
 * The artifact is one blob (of media type artifact_type) and a manifest
 *
 *   {"schemaVersion": 2, "mediaType": OCI_MT_MANIFEST,
 *    "artifactType": TYPE,
 *    "config": the empty descriptor (application/vnd.oci.empty.v1+json, "{}"),
 *    "layers": [the blob's descriptor],
 *    "subject": the image manifest's descriptor,
 *    "annotations": {"org.opencontainers.image.created": EPOCH}}
 *
 * listed in index.json as an untagged descriptor with its artifactType and
 * the manifest's annotations, as `oras attach --oci-layout` lists one, so tools that walk a layout's
 * manifests for a subject find it. Entries with an artifactType are not
 * images: oci_find_manifest passes over them, and they sort after the
 * images. A referrer whose subject is no longer an image of the index goes
 * when the index is rewritten (its blobs with the garbage).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"
#include "oci_int.h"
#include "util.h"

#define EMPTY_MT     "application/vnd.oci.empty.v1+json"
#define EMPTY_DIGEST "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

static json_t *desc(const char *mt, const char *digest, uint64_t size)
{
	return json_pack("{s:s, s:s, s:I}", "mediaType", mt, "digest", digest, "size", (json_int_t)size);
}

json_t *oci_referrer_write(const char *root, const struct oci_referrer *r, const char *mdigest,
			   uint64_t msize, const char *created, char out[72], struct diag *d)
{
	char bdigest[72], edigest[72];
	size_t len;
	char *data = r->make(r->ctx, mdigest, &len);
	json_t *m = NULL, *entry = NULL;
	uint64_t size;

	if (oci_write_bytes_blob(root, "{}", 2, edigest, d) < 0 ||
	    oci_write_bytes_blob(root, data, len, bdigest, d) < 0)
		goto out;
	m = json_pack("{s:i, s:s, s:s, s:o, s:[o], s:o, s:{s:s}}", "schemaVersion", 2, "mediaType",
		      OCI_MT_MANIFEST, "artifactType", r->artifact_type, "config", desc(EMPTY_MT, edigest, 2),
		      "layers", desc(r->artifact_type, bdigest, len), "subject",
		      desc(OCI_MT_MANIFEST, mdigest, msize), "annotations",
		      "org.opencontainers.image.created", created);
	if (!m)
		abort();
	json_object_set_new(json_object_get(m, "config"), "data", json_string("e30="));
	if (oci_write_json_blob(root, m, out, &size, d) < 0)
		goto out;
	entry = desc(OCI_MT_MANIFEST, out, size);
	json_object_set_new(entry, "artifactType", json_string(r->artifact_type));
	json_object_set(entry, "annotations", json_object_get(m, "annotations"));
out:
	json_decref(m);
	free(data);
	return entry;
}

bool oci_is_artifact(const json_t *entry)
{
	return json_object_get(entry, "artifactType") != NULL;
}

bool oci_referrer_stale(const char *root, const json_t *entry, json_t *const *v, size_t n)
{
	struct diag quiet;
	json_t *m;
	const char *subject;
	bool stale = true;

	if (!oci_is_artifact(entry))
		return false;
	diag_init(&quiet);
	m = oci_read_json_blob(root, json_string_value(json_object_get(entry, "digest")), &quiet);
	subject = json_string_value(json_object_get(json_object_get(m, "subject"), "digest"));
	for (size_t i = 0; subject && i < n && stale; i++)
		if (!oci_is_artifact(v[i]) &&
		    !strcmp(json_string_value(json_object_get(v[i], "digest")), subject))
			stale = false;
	json_decref(m);
	diag_release(&quiet);
	return stale;
}

json_t *oci_referrers(const char *dir)
{
	char *path = path_join(dir, "index.json");
	json_error_t jerr;
	json_t *idx = json_load_regular(path, OCI_MANIFEST_MAX, 0, &jerr), *out = json_object(), *e;
	struct diag quiet;
	size_t i;

	free(path);
	diag_init(&quiet);
	json_array_foreach(json_object_get(idx, "manifests"), i, e)
	{
		const char *dg = json_string_value(json_object_get(e, "digest")), *subject;
		json_t *m, *list;
		if (!oci_is_artifact(e) || !dg || !digest_valid(dg))
			continue;
		m = oci_read_json_blob(dir, dg, &quiet);
		subject = json_string_value(json_object_get(json_object_get(m, "subject"), "digest"));
		if (subject && digest_valid(subject)) {
			if (!(list = json_object_get(out, subject)))
				json_object_set_new(out, subject, list = json_array());
			json_array_append(list, e);
		}
		json_decref(m);
	}
	diag_release(&quiet);
	json_decref(idx);
	return out;
}
