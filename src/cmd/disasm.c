/* disasm.c - cpolc disasm: print a module's bytecode. */
#include "config.h"

#include "cmd.h"

#include <stdio.h>
#include <string.h>

#include "bc.h"
#include "comp.h"

int cmd_disasm(int argc, char **argv)
{
	struct policy_args pa = {0};
	struct diag_opts dopts = DIAG_OPTS_INIT;
	int opcodes = 0;
	const struct opt opts[] = {
		OPT_BOOL_F(0, "opcodes", &opcodes,
			   "print the instruction set instead: each opcode's\n"
			   "number, name, operand, stack effect and meaning",
			   OPT_NONEG),
		OPT_POLICY_MODULE(&pa),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "disasm",
		.usage = "disasm POLICY.cpol|MODULE.cpolb [--policy NAME] [--stdlib DIR]\n"
			 "disasm --opcodes",
		.about = "Print the bytecode of a .cpolb module, or of a policy as compile would\n"
			 "write it: constants, then each block's instructions with their lines.\n",
		.opts = opts,
	};
	struct bc_program *prog;
	struct diag d;
	int rc;

	for (int i = 1; i < argc; i++) /* the one form without a policy */
		if (!strcmp(argv[i], "--opcodes") && argc == 2) {
			bc_print_opcodes(stdout);
			return EXIT_OK;
		}
	if ((rc = cmd_parse_policy(&c, argc, argv)) >= 0)
		return rc;
	if (opcodes)
		return opt_usage_error(&c, "--opcodes takes no policy");
	rc = EXIT_USAGE;
	diag_init(&d);
	prog = comp_load(argv[0], pa.policy, &(struct program_opts){.stdlib_dir = pa.stdlib}, &d);
	if (prog) {
		bc_disasm(prog, stdout);
		rc = EXIT_OK;
	}
	bc_free(prog);
	return cmd_report(&dopts, &d, rc);
}
