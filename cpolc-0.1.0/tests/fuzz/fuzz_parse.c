/* fuzz_parse - the front end on arbitrary bytes: parse_module on the bytes
 * in memory, then the whole loader (lexer, parser, imports, sema) and the
 * compiler on the same bytes written as a module file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "bc.h"
#include "comp.h"
#include "diag.h"
#include "module.h"
#include "parse.h"
#include "util.h"

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fz_init_dir("fuzz_parse");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	struct diag d;
	diag_init(&d);
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	uint32_t file = diag_add_file(&d, "fuzz.cpol", text, size);
	struct ast *root = parse_module(&d, file, diag_file(&d, file)->text, size);
	if (root)
		ast_free(root);
	diag_release(&d);

	char path[300];
	fz_path(path, sizeof path, "main.cpol");
	fz_write(path, data, size);
	diag_init(&d);
	struct program p;
	program_init(&p);
	struct program_opts opts = {.stdlib_dir = CPOLC_SRC_STDLIBDIR, .no_digest = false};
	if (program_load(&p, path, &opts, &d) == 0 && d.nerrors == 0) {
		struct bc_program *bp = comp_program(&p, NULL, &d);
		if (bp) {
			struct strbuf sb = STRBUF_INIT;
			bc_save(bp, &sb);
			struct bc_program *again = bc_load(sb.buf, sb.len, "fuzz.cpolb", &d);
			if (!again)
				abort(); /* a compiled program must load back */
			bc_free(again);
			sb_release(&sb);
			bc_free(bp);
		}
	}
	program_release(&p);
	diag_release(&d);
	return 0;
}
