/* fuzz_json - every JSON (and JSON-like) input cpolc reads, chosen by the
 * first byte of the input; the rest is the file:
 *   0  a request file (request_load -r)
 *   1  request definitions, one per line (-D K=V / -D K:=JSON)
 *   2  a primitive's VERSION.json in a catalog without an index (scanned),
 *      then loaded and turned into a record
 *   3  a catalog index, opened alone and as a catalog set
 *   4  a catalog's catalog.json
 *   5  a lock file
 *   6  a set-scan file */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sys/stat.h>

#include "cat.h"
#include "cat_int.h"
#include "diag.h"
#include "lock.h"
#include "request.h"
#include "util.h"

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char cat_dir[300], file_path[300];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[400];
	(void)argc, (void)argv;
	fz_init_dir("fuzz_json");
	fz_path(cat_dir, sizeof cat_dir, "cat");
	fz_path(file_path, sizeof file_path, "input.json");
	snprintf(p, sizeof p, "%s/primitives/app", cat_dir);
	if (mkdir_p(p, 0755) < 0)
		abort();
	snprintf(p, sizeof p, "%s/blobs/sha256", cat_dir);
	if (mkdir_p(p, 0755) < 0)
		abort();
	return 0;
}

static void put(const char *name, const uint8_t *data, size_t len)
{
	char p[400];
	snprintf(p, sizeof p, "%s/%s", cat_dir, name);
	fz_write(p, data, len);
}

static void put_s(const char *name, const char *s)
{
	put(name, (const uint8_t *)s, strlen(s));
}

static void del(const char *name)
{
	char p[400];
	snprintf(p, sizeof p, "%s/%s", cat_dir, name);
	remove(p);
}

static void load_all(struct catalog *cat)
{
	for (size_t i = 0; i < cat->nprims; i++) {
		struct diag d;
		diag_init(&d);
		cat_prim_load(&cat->prims[i], &d);
		(void)cat_prim_record(&cat->prims[i]);
		(void)cat_prim_fits(&cat->prims[i], "linux/amd64");
		diag_release(&d);
	}
}

static void fuzz_catalog(void)
{
	struct diag d;
	diag_init(&d);
	struct catalog *cat = cat_open(cat_dir, &d);
	if (cat) {
		load_all(cat);
		cat_close(cat);
	}
	diag_release(&d);

	diag_init(&d);
	struct catset cs;
	const char *dirs[] = {cat_dir};
	if (catset_open(&cs, dirs, 1, &d) == 0) {
		size_t n;
		for (size_t i = 0; i < cs.nnames; i++)
			(void)catset_versions(&cs, cs.names[i].name, &n);
		(void)catset_providers(&cs, "web-server", &n);
		(void)catset_find(&cs, "app", "1");
	}
	catset_release(&cs);
	diag_release(&d);
}

static void fuzz_request(const uint8_t *data, size_t size)
{
	struct diag d;
	diag_init(&d);
	fz_write(file_path, data, size);
	json_t *r = request_load(file_path, NULL, 0, &d);
	json_decref(r);
	diag_release(&d);
}

static void fuzz_defs(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	char *defs[16];
	size_t n = 0;
	for (char *p = text, *nl; n < 16 && p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		defs[n++] = p;
	}
	struct diag d;
	diag_init(&d);
	json_t *r = request_load(NULL, defs, n, &d);
	json_decref(r);
	diag_release(&d);
	free(text);
}

static void fuzz_meta(const uint8_t *data, size_t size)
{
	struct diag d;
	diag_init(&d);
	json_t *m = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (m && meta_check(m, "fuzz.json", true, &d) == 0) {
		struct strbuf sb = STRBUF_INIT;
		size_t len;
		meta_index_line(m, "sha256:00", &sb);
		sb_release(&sb);
		free(meta_dump(m, &len));
		(void)meta_allows(m, "setuid");
	}
	json_decref(m);
	diag_release(&d);

	put_s("catalog.json", "{\"cpolCatalog\": 1}");
	del("index");
	put("primitives/app/1.json", data, size);
	fuzz_catalog();
	del("primitives/app/1.json");
}

static const char good_index[] =
	"cpolc-index 1\n"
	"app\t1\texecutable\tsha256:0000000000000000000000000000000000000000000000000000000000000000\t"
	"sha256:0000000000000000000000000000000000000000000000000000000000000000\t3\tlinux\tamd64\t"
	"libc6 (>= 2.34)\tweb-server\tfoo\n";

static void fuzz_set_scan(const uint8_t *data, size_t size)
{
	struct diag d;
	diag_init(&d);
	json_t *m = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (m)
		meta_check_scan(m, "fuzz.json", &d);
	json_decref(m);
	diag_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	uint8_t mode = data[0];
	data++, size--;
	switch (mode % 7) {
	case 0:
		fuzz_request(data, size);
		break;
	case 1:
		fuzz_defs(data, size);
		break;
	case 2:
		fuzz_meta(data, size);
		break;
	case 3:
		put_s("catalog.json", "{\"cpolCatalog\": 1}");
		put("index", data, size);
		fuzz_catalog();
		break;
	case 4:
		put("catalog.json", data, size);
		put_s("index", good_index);
		fuzz_catalog();
		break;
	case 5: {
		struct diag d;
		struct lock lk;
		diag_init(&d);
		lock_init(&lk);
		fz_write(file_path, data, size);
		if (lock_load(file_path, &lk, &d) == 0) {
			size_t len;
			free(lock_dump(&lk, &len));
		}
		lock_release(&lk);
		diag_release(&d);
		break;
	}
	case 6:
		fuzz_set_scan(data, size);
		break;
	}
	return 0;
}
