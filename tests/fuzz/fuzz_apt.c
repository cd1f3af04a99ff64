/* fuzz_apt - what catalogs from apt repositories read, chosen by the
 * first byte of the input (mod 6):
 *   0, 1  deb822 paragraphs (1: with comments, as .sources): every field's
 *         text is taken, as the importer takes Packages stanzas
 *   2     a Release text: parsed, its dates too
 *   3     a pack table: named by the index of a fresh catalog, opened (its
 *         digest, bounds and order checked), each primitive's metadata
 *         loaded (its records file is missing: an error), and resolved
 *         against when it opens
 *   4     a scan feed, OSV or grype by the second byte, imported into a
 *         catalog holding a small pack and an index entry
 *   5     a .sources file
 * Parsing must be total (no crash, no leak) and bounded. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apt.h"
#include "cat.h"
#include "cat_int.h"
#include "decision.h"
#include "diag.h"
#include "res.h"
#include "util.h"

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char table_cat[300], scan_cat[300], scan_index[300], feed[300], sources[300];
static char *scan_index_text, scan_keep[400];
static size_t scan_index_len;

/* A catalog with a pack of two packages, libfoo built from source foo,
 * whose index scan imports restore before each input. */
static void make_scan_catalog(void)
{
	struct pack_pkg p[2] = {
		{.name = "libfoo",
		 .version = "1.0-1",
		 .arch = "amd64",
		 .depends = "",
		 .pre_depends = "",
		 .provides = "foo-api (= 1)",
		 .conflicts = "",
		 .breaks = "",
		 .recommends = "",
		 .suggests = "",
		 .enhances = "",
		 .replaces = "",
		 .section = "libs",
		 .source = "foo (1.0)",
		 .filename = "pool/f.deb",
		 .multi_arch = "same",
		 .priority = "optional",
		 .scan = "",
		 .sha256 = "",
		 .deb_size = 1},
		{.name = "foo",
		 .version = "1.0",
		 .arch = "",
		 .depends = "libfoo (>= 1.0-1)",
		 .pre_depends = "",
		 .provides = "",
		 .conflicts = "",
		 .breaks = "",
		 .recommends = "",
		 .suggests = "",
		 .enhances = "",
		 .replaces = "",
		 .section = "",
		 .source = "",
		 .filename = "pool/g.deb",
		 .multi_arch = "",
		 .priority = "",
		 .scan = "",
		 .sha256 = "",
		 .deb_size = 2,
		 .seq = 1},
	};
	const char *srcs[] = {"file:///nowhere"};
	char digest[72], *text;
	struct diag d;

	memset(p[0].sha256, 'a', 64);
	memset(p[1].sha256, 'b', 64);
	diag_init(&d);
	if (cat_init(scan_cat, &d) < 0 || pack_write(scan_cat, p, 2, srcs, 1, digest, &d) < 0)
		abort();
	text = xasprintf("%s\n@pack %s\n", CAT_INDEX_MAGIC2, digest);
	{ /* the table and its records: the two files to keep */
		char *dir = xasprintf("%s/packs/sha256", scan_cat);
		DIR *dh = opendir(dir);
		struct dirent *de;
		while (dh && (de = readdir(dh)))
			if (de->d_name[0] != '.' &&
			    strlen(scan_keep) + strlen(de->d_name) + 2 < sizeof scan_keep)
				strcat(strcat(scan_keep, de->d_name), " ");
		if (dh)
			closedir(dh);
		free(dir);
	}
	fz_write(scan_index, (const uint8_t *)text, strlen(text));
	scan_index_text = text;
	scan_index_len = strlen(text);
	diag_release(&d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct diag d;

	(void)argc, (void)argv;
	fz_init_dir("fuzz_apt");
	fz_path(table_cat, sizeof table_cat, "tcat");
	fz_path(scan_cat, sizeof scan_cat, "scat");
	snprintf(scan_index, sizeof scan_index, "%s/index", scan_cat);
	fz_path(feed, sizeof feed, "feed.json");
	fz_path(sources, sizeof sources, "test.sources");
	diag_init(&d);
	if (cat_init(table_cat, &d) < 0)
		abort();
	diag_release(&d);
	{
		char *packs = xasprintf("%s/packs/sha256", table_cat);
		if (mkdir_p(packs, 0755) < 0)
			abort();
		free(packs);
	}
	make_scan_catalog();
	return 0;
}

static void paragraphs(const char *text, size_t len, bool comments)
{
	struct apt_para p;
	const char *pos = text, *why = NULL;
	unsigned line = 0, n = 0;

	apt_para_init(&p);
	while (apt_para_next(&pos, text + len, comments, &p, &line, &why) > 0 && n++ < 100000)
		for (size_t i = 0; i < p.n; i++)
			free(apt_field_text(&p.v[i]));
	apt_para_release(&p);
}

static void release(const char *text, size_t len)
{
	struct apt_release r;
	struct diag d;
	time_t t;

	diag_init(&d);
	if (apt_release_parse(text, len, "fuzz", &r, &d) == 0) {
		for (size_t i = 0; i < r.nfiles; i++)
			if (!apt_release_find(&r, r.files[i].path) || !apt_safe_path(r.files[i].path))
				abort(); /* what it keeps it can find, and it is safe */
		apt_release_release(&r);
	}
	apt_parse_date(text, &t);
	diag_release(&d);
}

/* The table as a pack of a fresh catalog; open it, load, resolve. */
static void table(const uint8_t *data, size_t size)
{
	char hex[65], *path, *marker, *ipath, *index;
	struct catset cs;
	struct decision dec;
	struct diag d;

	sha256_hex(data, size, hex);
	path = xasprintf("%s/packs/sha256/%s", table_cat, hex);
	marker = xasprintf("%s.hashed", path);
	ipath = xasprintf("%s/index", table_cat);
	index = xasprintf("%s\n@pack sha256:%s\n", CAT_INDEX_MAGIC2, hex);
	fz_write(path, data, size);
	unlink(marker); /* each input hashed, never trusted */
	fz_write(ipath, (const uint8_t *)index, strlen(index));
	diag_init(&d);
	if (catset_open(&cs, (const char *[]){table_cat}, 1, &d) == 0) {
		decision_init(&dec);
		for (size_t i = 0; i < cs.nprims && i < 64; i++)
			cat_prim_load(cs.prims[i], &d);
		if (cs.nprims) {
			dec.requests = xcalloc(1, sizeof(*dec.requests));
			dec.requests[0] = (struct dec_request){.name = xstrdup(cs.prims[0]->name),
							       .at = xstrdup("f:1:1")};
			dec.nrequests = dec.caprequests = 1;
			res_resolve(&cs, &dec, NULL, NULL, &d);
		}
		decision_release(&dec);
		catset_release(&cs);
	}
	diag_release(&d);
	unlink(path);
	unlink(marker);
	free(path);
	free(marker);
	free(ipath);
	free(index);
}

/* Remove the packs an import-scan wrote (names longer than the two the
 * catalog started with are told by their absence from keep). */
static void drop_new_packs(void)
{
	char *dir = xasprintf("%s/packs/sha256", scan_cat);
	DIR *dh = opendir(dir);
	struct dirent *de;

	while (dh && (de = readdir(dh)))
		if (de->d_name[0] != '.' && !strstr(scan_keep, de->d_name)) {
			char *f = xasprintf("%s/%s", dir, de->d_name);
			unlink(f);
			free(f);
		}
	if (dh)
		closedir(dh);
	free(dir);
}

static void scan(const uint8_t *data, size_t size)
{
	struct diag d;

	if (!size)
		return;
	fz_write(scan_index, (const uint8_t *)scan_index_text, scan_index_len);
	fz_write(feed, data + 1, size - 1);
	diag_init(&d);
	cat_import_scan(scan_cat, feed, data[0] & 1 ? CAT_SCAN_GRYPE : CAT_SCAN_OSV, &d);
	diag_release(&d);
	drop_new_packs();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cat_apt_sources s;
	struct diag d;
	char *text;

	if (size < 1)
		return 0;
	text = xstrndup((const char *)data + 1, size - 1);
	switch (data[0] % 6) {
	case 0:
	case 1:
		paragraphs(text, size - 1, data[0] % 6);
		break;
	case 2:
		release(text, size - 1);
		break;
	case 3:
		table(data + 1, size - 1);
		break;
	case 4:
		scan(data + 1, size - 1);
		break;
	default:
		fz_write(sources, data + 1, size - 1);
		diag_init(&d);
		if (cat_apt_sources_load(sources, &s, &d) == 0)
			cat_apt_sources_release(&s);
		diag_release(&d);
		break;
	}
	free(text);
	return 0;
}
