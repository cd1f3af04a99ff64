/* fuzz_lock - the lock reader (lock_parse), the input being a lock file's
 * text. A lock it accepts must hold its promises: every digest valid, at
 * least one module, no primitive twice; written out again it must read back
 * to the same text, and compare equal to itself and to its copy. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "lock.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(const struct lock *lk)
{
	if (lk->nmodules == 0 || !lk->policy || !digest_valid(lk->manifest_digest) ||
	    !digest_valid(lk->config_digest))
		abort();
	for (size_t i = 0; i < lk->nmodules; i++)
		if (!digest_valid(lk->modules[i].digest) || !*lk->modules[i].path)
			abort();
	for (size_t i = 0; i < lk->ncatalogs; i++)
		if (!digest_valid(lk->catalogs[i].digest))
			abort();
	for (size_t i = 0; i < lk->nprims; i++) {
		const struct lock_prim *p = &lk->prims[i];
		if (!digest_valid(p->digest) || !digest_valid(p->meta_digest) || !digest_valid(p->layer_digest) ||
		    !digest_valid(p->diff_id) || p->layer_index > LOCK_MAX_LAYER ||
		    lock_find_prim(lk, p->name) != p)
			abort();
	}
	if ((lk->program && !digest_valid(lk->program_digest)) || (lk->from && !digest_valid(lk->from_digest)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lock lk, back;
	struct diag d;
	struct strbuf diff = STRBUF_INIT;
	char *text, *again;
	size_t len, len2;

	diag_init(&d);
	if (lock_parse((const char *)data, size, "fuzz.lock", &lk, &d) == 0) {
		if (d.nerrors)
			abort();
		check_accepted(&lk);
		text = lock_dump(&lk, &len);
		if (lock_parse(text, len, "again.lock", &back, &d) != 0)
			abort(); /* what it writes it reads */
		again = lock_dump(&back, &len2);
		if (len != len2 || memcmp(text, again, len) != 0)
			abort();
		if (lock_compare(&lk, &back, &diff) != 0 || lock_compare(&lk, &lk, &diff) != 0)
			abort();
		free(text);
		free(again);
		lock_release(&back);
		lock_release(&lk);
	} else if (d.nerrors == 0) {
		abort(); /* refused without saying why */
	}
	sb_release(&diff);
	diag_release(&d);
	return 0;
}
