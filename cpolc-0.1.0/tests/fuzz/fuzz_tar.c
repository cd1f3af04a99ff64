/* fuzz_tar - archive ingest as `cpolc catalog add` does it: the bytes as a
 * tar (or compressed tar) given to cat_add, into a fresh catalog; when it is
 * added, the catalog is opened, verified and the blob re-read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cat.h"
#include "diag.h"
#include "util.h"

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char cat_dir[300], tar_path[300];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fz_init_dir("fuzz_tar");
	fz_path(cat_dir, sizeof cat_dir, "cat");
	fz_path(tar_path, sizeof tar_path, "input.tar");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 20)
		return 0;
	struct diag d;
	diag_init(&d);
	fz_rmtree(cat_dir);
	if (cat_init(cat_dir, &d) != 0)
		abort();
	fz_write(tar_path, data, size);
	const char *paths[] = {tar_path};
	struct cat_add_opts o = {.name = "fuzz",
				 .version = "1.0",
				 .paths = paths,
				 .npaths = 1,
				 .allow_setuid = size && (data[0] & 1)};
	int rc = cat_add(cat_dir, &o, &d);
	diag_release(&d);
	if (rc == 0) {
		diag_init(&d);
		if (cat_verify(cat_dir, &d) != 0)
			abort(); /* what was added must verify */
		diag_release(&d);
		diag_init(&d);
		struct catalog *cat = cat_open(cat_dir, &d);
		if (!cat || cat->nprims != 1)
			abort();
		int fd;
		if (cat_blob_open(&cat->prims[0], &fd, &d) != 0)
			abort();
		close(fd);
		cat_close(cat);
		diag_release(&d);
	}
	return 0;
}
