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

/* The JSON blob digest under root, verified; when size >= 0 its length
 * must be size. */
static json_t *read_json_blob(const char *root, const char *digest, json_int_t size, struct diag *d)
{
	char *path, *data = NULL, hex[65];
	size_t len;
	json_error_t jerr;
	json_t *j = NULL;

	if (!digest_valid(digest)) {
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
	if (size >= 0 && (json_int_t)len != size) {
		diag_file_error(d, path, 0, 0, "oci-input",
				"'%s' has %zu bytes, its descriptor says %" JSON_INTEGER_FORMAT, path, len,
				size);
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

json_t *oci_read_json_blob(const char *root, const char *digest, struct diag *d)
{
	return read_json_blob(root, digest, -1, d);
}

/* The blob that descriptor desc names under root: an object with media
 * type mt, a digest and a size, all of which the blob matches. */
static json_t *read_desc(const char *root, const json_t *desc, const char *mt, const char *what,
			 struct diag *d)
{
	const char *dmt = json_string_value(json_object_get(desc, "mediaType"));
	const json_t *size = json_object_get(desc, "size");
	json_t *j;

	if (!json_is_object(desc) || !dmt || strcmp(dmt, mt) != 0 || !json_is_integer(size) ||
	    json_integer_value(size) < 0) {
		diag_file_error(d, root, 0, 0, "oci-input",
				"image '%s': the %s descriptor needs media type '%s' and a size", root, what,
				mt);
		return NULL;
	}
	j = read_json_blob(root, json_string_value(json_object_get(desc, "digest")), json_integer_value(size),
			   d);
	if (j && !json_is_object(j)) {
		diag_file_error(d, root, 0, 0, "oci-input", "image '%s': the %s is not a JSON object", root,
				what);
		json_decref(j);
		j = NULL;
	}
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
		if (oci_is_artifact(desc)) /* a referrer (oci_referrer.c), not an image */
			continue;
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

/* Every history entry is an object; an image without a usable history
 * gets none. */
static json_t *history_of(const json_t *config)
{
	json_t *h = json_object_get(config, "history"), *e;
	size_t i;

	if (!json_is_array(h))
		return NULL;
	json_array_foreach(h, i, e)
	{
		if (!json_is_object(e))
			return NULL;
	}
	return h;
}

/* The base is checked as strictly as verify checks an output: every layer
 * a regular file of its descriptor's size and digest, of a known media
 * type, whose uncompressed stream (within a bound on the compression
 * ratio) hashes to its diff_id. A lying image is refused, not copied. */
static int check_base(struct oci_base *b, const char *os, const char *arch, struct diag *d)
{
	const char *bos = json_string_value(json_object_get(b->config, "os"));
	const char *barch = json_string_value(json_object_get(b->config, "architecture"));
	const char *mt = json_string_value(json_object_get(b->manifest, "mediaType"));
	json_t *rootfs = json_object_get(b->config, "rootfs"), *l;
	const char *type = json_string_value(json_object_get(rootfs, "type"));
	size_t i;
	int rc = 0;

	b->layers = json_object_get(b->manifest, "layers");
	b->diff_ids = json_object_get(rootfs, "diff_ids");
	b->history = history_of(b->config);
	if (json_integer_value(json_object_get(b->manifest, "schemaVersion")) != 2 ||
	    (mt && strcmp(mt, OCI_MT_MANIFEST) != 0)) {
		diag_file_error(d, b->dir, 0, 0, "oci-input", "image '%s' has no OCI image manifest", b->dir);
		return -1;
	}
	if (!json_is_array(b->layers) || !json_is_array(b->diff_ids) ||
	    json_array_size(b->layers) != json_array_size(b->diff_ids) || !type ||
	    strcmp(type, "layers") != 0) {
		diag_file_error(d, b->dir, 0, 0, "oci-input", "image '%s' has malformed layers or diff_ids",
				b->dir);
		return -1;
	}
	json_array_foreach(b->layers, i, l)
	{
		if (oci_check_layer(b->dir, l, json_string_value(json_array_get(b->diff_ids, i)),
				    OCI_BASE_MAX_RATIO, "base layer", "oci-input", d) < 0)
			rc = -1;
	}
	if (rc < 0)
		return -1;
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
	b->manifest = read_desc(b->dir, desc, OCI_MT_MANIFEST, "manifest", d);
	json_decref(desc);
	if (!b->manifest)
		goto fail;
	b->config = read_desc(b->dir, json_object_get(b->manifest, "config"), OCI_MT_CONFIG, "config", d);
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
	if (dg && digest_valid(dg)) {
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

int oci_layout_image(const char *dir, const char *tag, struct oci_image_desc *out, struct diag *d)
{
	json_t *desc = oci_find_manifest(dir, tag, NULL, d);
	const char *dg = json_string_value(json_object_get(desc, "digest"));
	const char *mt = json_string_value(json_object_get(desc, "mediaType"));
	const char *ref =
		json_string_value(json_object_get(json_object_get(desc, "annotations"), OCI_REF_NAME));

	memset(out, 0, sizeof(*out));
	if (desc && (!dg || !digest_valid(dg)))
		diag_file_error(d, dir, 0, 0, "oci-input", "the image in '%s' has no valid manifest digest",
				dir);
	if (!desc || !dg || !digest_valid(dg)) {
		json_decref(desc);
		return -1;
	}
	snprintf(out->digest, sizeof(out->digest), "%s", dg);
	out->media_type = xstrdup(mt ? mt : OCI_MT_MANIFEST);
	out->tag = ref ? xstrdup(ref) : NULL;
	json_decref(desc);
	return 0;
}

void oci_image_desc_release(struct oci_image_desc *img)
{
	free(img->media_type);
	free(img->tag);
	memset(img, 0, sizeof(*img));
}
