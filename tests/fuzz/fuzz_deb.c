/* fuzz_deb - the .deb importer, chosen by the first byte of the input:
 *   even  the rest is a control file: parsed (continuation lines folded),
 *         turned into metadata (relationship fields parsed), checked
 *   odd   the rest is a whole .deb (ar of control.tar and data.tar, each
 *         maybe compressed), imported into a fresh catalog under small
 *         limits; when it is added, the catalog must verify
 * Parsing must be total (no crash, no leak), linear, and bounded. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cat.h"
#include "cat_int.h"
#include "diag.h"
#include "util.h"

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char cat_dir[300], deb_path[300];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fz_init_dir("fuzz_deb");
	fz_path(cat_dir, sizeof cat_dir, "cat");
	fz_path(deb_path, sizeof deb_path, "input.deb");
	return 0;
}

static void control(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size); /* as read_control: up to a NUL */
	struct control c = {0};
	struct diag d;
	json_t *m;

	diag_init(&d);
	cat_control_parse(&c, text);
	m = cat_control_meta(&c, "fuzz.deb", &d);
	if (m &&
	    (!json_is_string(json_object_get(m, "name")) || !json_is_string(json_object_get(m, "version"))))
		abort(); /* metadata made is whole */
	json_decref(m);
	cat_control_release(&c);
	diag_release(&d);
	free(text);
}

static void import(const uint8_t *data, size_t size)
{
	struct cat_import_opts o = {.allow_setuid = false, .limits = {.max_size = 4u << 20, .max_ratio = 50}};
	struct diag d;
	int rc;

	diag_init(&d);
	fz_rmtree(cat_dir);
	if (cat_init(cat_dir, &d) != 0)
		abort();
	fz_write(deb_path, data, size);
	rc = cat_import_deb_opts(cat_dir, deb_path, &o, &d);
	diag_release(&d);
	if (rc == 0) {
		diag_init(&d);
		if (cat_verify(cat_dir, &d) != 0)
			abort(); /* what was imported must verify */
		diag_release(&d);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1 << 20)
		return 0;
	if (data[0] & 1)
		import(data + 1, size - 1);
	else
		control(data + 1, size - 1);
	return 0;
}
