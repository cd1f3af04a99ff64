/* fuzz_maint - the maintainer-script reader (maint_scan), the input being
 * a script: its first byte picks preinst or postinst, the rest is the text.
 * The reader never runs anything, so what it must hold is that any text
 * is read within its bounds, and read the same way twice (the same
 * warning, the same accounts and links). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cat.h"
#include "maint.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *scan(const char *which, const char *text, struct maint *m)
{
	struct cat_prim p = {.name = "pkg", .version = "1.0-1"};
	const struct cat_prim *v[] = {&p};
	json_t *info = json_pack("{s:s, s:{s:s}, s:[s, s, s]}", "control", "Package: pkg\n", "scripts", which, text,
				 "files", "/.", "/usr/bin/pkg", "/etc/pkg.conf");
	struct strbuf sb = STRBUF_INIT;

	maint_init(m);
	if (info)
		maint_scan(m, v, &info, 1);
	json_decref(info);
	for (size_t i = 0; i < m->nwarnings; i++)
		sb_addf(&sb, "%s: %s\n", m->warnings[i].pkg, m->warnings[i].commands);
	for (size_t i = 0; i < m->naccounts; i++)
		sb_addf(&sb, "account %s\n", m->accounts[i].name);
	sb_addf(&sb, "%zu alternatives, ca %d\n", m->nalts, (int)m->ca);
	return sb_detach(&sb, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *which = size && (data[0] & 1) ? "preinst" : "postinst";
	char *text = xmalloc(size + 1), *a, *b;
	struct maint m1, m2;

	if (size)
		memcpy(text, data + 1, size - 1);
	text[size ? size - 1 : 0] = '\0';
	a = scan(which, text, &m1);
	b = scan(which, text, &m2);
	if (strcmp(a, b))
		abort();
	maint_release(&m1);
	maint_release(&m2);
	free(a);
	free(b);
	free(text);
	return 0;
}
