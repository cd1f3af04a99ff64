/* fuzz_from - the reader of a `from` image (oci_base_load) and verify's
 * layer check, on a layout made from the input: four parts separated by
 * a line "--", the index.json, the manifest, the config and a layer blob.
 * Blobs are stored under their digests, and the placeholders @MANIFEST,
 * @MSIZE, @CONFIG, @CSIZE, @LAYER, @LSIZE and @DIFFID (the layer's own
 * digest, right for an uncompressed layer) are replaced by the real
 * values first, so that inputs get past the digest checks to the rest.
 * The reader must refuse what lies, never crash, leak or hang. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "diag.h"
#include "oci_int.h"
#include "util.h"

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[300];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fz_init_dir("fuzz_from");
	fz_path(dir, sizeof dir, "img");
	return 0;
}

/* text with every "@NAME" of names replaced by its value. */
static char *fill(const char *text, size_t len, const char *const (*subst)[2], size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < len;) {
		size_t k;
		for (k = 0; k < n; k++) {
			size_t kl = strlen(subst[k][0]);
			if (len - i >= kl && !memcmp(text + i, subst[k][0], kl)) {
				sb_adds(&sb, subst[k][1]);
				i += kl;
				break;
			}
		}
		if (k == n)
			sb_addc(&sb, text[i++]);
	}
	return sb_detach(&sb, NULL);
}

static void put_blob(const char *data, size_t len, char digest[72])
{
	char hex[65], path[400];

	sha256_hex(data, len, hex);
	snprintf(digest, 72, "sha256:%s", hex);
	snprintf(path, sizeof path, "%s/blobs/sha256/%s", dir, hex);
	fz_write(path, (const uint8_t *)data, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p[4] = {NULL}, *s = (const char *)data, *end = s + size;
	size_t n[4] = {0};
	char ldg[72], cdg[72], mdg[72], lsize[24], csize[24], msize[24], path[400];
	char *config, *manifest, *index;
	struct oci_base b;
	struct diag d;

	if (size > 1 << 20)
		return 0;
	for (int k = 0; k < 4; k++) { /* the parts */
		const char *sep = k < 3 ? memmem(s, (size_t)(end - s), "\n--\n", 4) : NULL;
		p[k] = s;
		n[k] = sep ? (size_t)(sep - s) : (size_t)(end - s);
		s = sep ? sep + 4 : end;
	}
	fz_rmtree(dir);
	snprintf(path, sizeof path, "%s/blobs/sha256", dir);
	if (mkdir_p(path, 0755) < 0)
		abort();
	put_blob(p[3], n[3], ldg);
	snprintf(lsize, sizeof lsize, "%zu", n[3]);
	const char *const sub1[][2] = {{"@LAYER", ldg}, {"@LSIZE", lsize}, {"@DIFFID", ldg}};
	config = fill(p[2], n[2], sub1, 3);
	put_blob(config, strlen(config), cdg);
	snprintf(csize, sizeof csize, "%zu", strlen(config));
	const char *const sub2[][2] = {
		{"@LAYER", ldg}, {"@LSIZE", lsize}, {"@CONFIG", cdg}, {"@CSIZE", csize}};
	manifest = fill(p[1], n[1], sub2, 4);
	put_blob(manifest, strlen(manifest), mdg);
	snprintf(msize, sizeof msize, "%zu", strlen(manifest));
	const char *const sub3[][2] = {{"@MANIFEST", mdg}, {"@MSIZE", msize}};
	index = fill(p[0], n[0], sub3, 2);
	snprintf(path, sizeof path, "%s/index.json", dir);
	fz_write(path, (const uint8_t *)index, strlen(index));

	diag_init(&d);
	if (oci_base_load(dir, "linux", "amd64", &b, &d) == 0) {
		if (!json_is_array(b.layers) || json_array_size(b.layers) != json_array_size(b.diff_ids))
			abort(); /* a base accepted is whole */
		oci_base_release(&b);
	}
	diag_release(&d);
	diag_init(&d);
	(void)oci_verify_layout(dir, NULL, NULL, &d);
	diag_release(&d);
	free(config);
	free(manifest);
	free(index);
	return 0;
}
