/* oci_base.c - reading existing image layouts: the `from` image, blobs,
 * index lookups. Every blob read is checked against its digest.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oci_int.h"
#include "util.h"

static bool digest_ok(const char *dg)
{
	size_t i;

	if (!dg || strncmp(dg, "sha256:", 7) != 0 || strlen(dg) != 71)
		return false;
	for (i = 7; dg[i]; i++)
		if (!((dg[i] >= '0' && dg[i] <= '9') || (dg[i] >= 'a' && dg[i] <= 'f')))
			return false;
	return true;
}

json_t *oci_read_json_blob(const char *root, const char *digest, struct diag *d)
{
	char *path, *data = NULL, hex[65];
	size_t len;
	json_error_t jerr;
	json_t *j = NULL;

	if (!digest_ok(digest)) {
		diag_file_error(d, root, 0, 0, "oci-input", "bad digest '%s'", digest ? digest : "(none)");
		return NULL;
	}
	path = oci_blob_path(root, digest);
	if (read_file_max(path, JSON_FILE_MAX, OPEN_NOFOLLOW, &data, &len) < 0) {
		diag_file_error(d, path, 0, 0, "oci-io", "cannot read '%s': %s", path, file_strerror(errno));
		goto out;
	}
	sha256_hex(data, len, hex);
	if (strcmp(hex, digest + 7) != 0) {
		diag_file_error(d, path, 0, 0, "oci-digest", "'%s' does not match its digest", path);
		goto out;
	}
	j = json_loadb(data, len, 0, &jerr);
	if (!j)
		diag_file_error(d, path, (unsigned)jerr.line, (unsigned)jerr.column, "oci-input",
				"malformed JSON in '%s': %s", path, jerr.text);
out:
	free(data);
	free(path);
	return j;
}

json_t *oci_find_manifest(const char *root, const char *tag, const char *digest, struct diag *d)
{
	char *path = path_join(root, "index.json");
	json_error_t jerr;
	json_t *idx = json_load_regular(path, OCI_MANIFEST_MAX, 0, &jerr), *ms, *desc, *found = NULL;
	size_t i, n = 0;

	if (!idx) {
		diag_file_error(d, path, jerr.line > 0 ? (unsigned)jerr.line : 0,
				jerr.column > 0 ? (unsigned)jerr.column : 0, "oci-input",
				"cannot read image index '%s': %s", path, jerr.text);
		goto out;
	}
	ms = json_object_get(idx, "manifests");
	json_array_foreach(ms, i, desc)
	{
		const char *ref = json_string_value(
			json_object_get(json_object_get(desc, "annotations"), OCI_REF_NAME));
		if (tag ? (ref && strcmp(ref, tag) == 0) : true) {
			found = desc;
			n++;
		}
	}
	if (n > 1 && !tag && digest) { /* the image a lock names */
		n = 0;
		found = NULL;
		json_array_foreach(ms, i, desc)
		{
			const char *dg = json_string_value(json_object_get(desc, "digest"));
			if (dg && strcmp(dg, digest) == 0) {
				found = desc;
				n++;
			}
		}
		if (n == 0) {
			diag_file_error(d, path, 0, 0, "oci-verify", "no image in '%s' has the manifest %s",
					path, digest);
			goto out;
		}
		n = 1; /* the same manifest under several tags */
	}
	if (n != 1) {
		diag_file_error(d, path, 0, 0, "oci-input",
				n ? "'%s' names several images%s%s; name one as %s:TAG"
				  : "'%s' has no image%s%s%s",
				path, tag ? " tagged " : "", tag ? tag : "", n ? root : "");
		found = NULL;
		goto out;
	}
	json_incref(found);
out:
	json_decref(idx);
	free(path);
	return found;
}

void oci_split_ref(const char *spec, char **dir, char **tag)
{
	const char *colon = strrchr(spec, ':');
	struct stat st;

	if (colon && colon != spec && colon[1] && !strchr(colon, '/') &&
	    !(stat(spec, &st) == 0 && S_ISDIR(st.st_mode))) {
		*dir = xstrndup(spec, (size_t)(colon - spec));
		*tag = xstrdup(colon + 1);
	} else {
		*dir = xstrdup(spec);
		*tag = NULL;
	}
}

void oci_base_release(struct oci_base *b)
{
	free(b->dir);
	json_decref(b->manifest);
	json_decref(b->config);
	memset(b, 0, sizeof(*b));
}

static int check_base(struct oci_base *b, const char *os, const char *arch, struct diag *d)
{
	const char *bos = json_string_value(json_object_get(b->config, "os"));
	const char *barch = json_string_value(json_object_get(b->config, "architecture"));
	json_t *l;
	size_t i;

	b->layers = json_object_get(b->manifest, "layers");
	b->diff_ids = json_object_get(json_object_get(b->config, "rootfs"), "diff_ids");
	b->history = json_object_get(b->config, "history");
	if (!json_is_array(b->history))
		b->history = NULL;
	if (!json_is_array(b->layers) || !json_is_array(b->diff_ids) ||
	    json_array_size(b->layers) != json_array_size(b->diff_ids)) {
		diag_file_error(d, b->dir, 0, 0, "oci-input", "image '%s' has malformed layers or diff_ids",
				b->dir);
		return -1;
	}
	json_array_foreach(b->layers, i, l)
	{
		if (!digest_ok(json_string_value(json_object_get(l, "digest"))) ||
		    !json_is_string(json_object_get(l, "mediaType")) ||
		    !json_is_integer(json_object_get(l, "size")) ||
		    !digest_ok(json_string_value(json_array_get(b->diff_ids, i)))) {
			diag_file_error(d, b->dir, 0, 0, "oci-input", "image '%s' has a malformed layer %zu",
					b->dir, i);
			return -1;
		}
	}
	if ((bos && strcmp(bos, os) != 0) || (barch && strcmp(barch, arch) != 0)) {
		diag_file_error(d, b->dir, 0, 0, "oci-input", "image '%s' is for %s/%s, not %s/%s", b->dir,
				bos ? bos : "?", barch ? barch : "?", os, arch);
		return -1;
	}
	return 0;
}

int oci_base_load(const char *spec, const char *os, const char *arch, struct oci_base *b, struct diag *d)
{
	char *tag;
	json_t *desc;
	const char *mt;

	memset(b, 0, sizeof(*b));
	oci_split_ref(spec, &b->dir, &tag);
	desc = oci_find_manifest(b->dir, tag, NULL, d);
	free(tag);
	if (!desc)
		goto fail;
	mt = json_string_value(json_object_get(desc, "mediaType"));
	if (mt && strcmp(mt, OCI_MT_MANIFEST) != 0) {
		diag_file_error(d, b->dir, 0, 0, "oci-input", "image '%s': unsupported manifest type '%s'",
				b->dir, mt);
		json_decref(desc);
		goto fail;
	}
	b->manifest = oci_read_json_blob(b->dir, json_string_value(json_object_get(desc, "digest")), d);
	json_decref(desc);
	if (!b->manifest)
		goto fail;
	b->config = oci_read_json_blob(
		b->dir, json_string_value(json_object_get(json_object_get(b->manifest, "config"), "digest")),
		d);
	if (!b->config || check_base(b, os, arch, d) < 0)
		goto fail;
	return 0;
fail:
	oci_base_release(b);
	return -1;
}

int oci_from_digest(const char *spec, char out[72], struct diag *d)
{
	char *dir, *tag;
	json_t *desc;
	const char *dg;
	int rc = -1;

	oci_split_ref(spec, &dir, &tag);
	desc = oci_find_manifest(dir, tag, NULL, d);
	dg = json_string_value(json_object_get(desc, "digest"));
	if (dg && digest_ok(dg)) {
		snprintf(out, 72, "%s", dg);
		rc = 0;
	} else if (desc) {
		diag_file_error(d, dir, 0, 0, "oci-input", "the image in '%s' has no valid manifest digest",
				dir);
	}
	json_decref(desc);
	free(dir);
	free(tag);
	return rc;
}
