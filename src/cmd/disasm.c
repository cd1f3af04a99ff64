/* disasm.c - cpolc disasm: print a module's bytecode. */
#include "config.h"

#include "cmd.h"

#include <stdio.h>

#include "bc.h"
#include "comp.h"

int cmd_disasm(int argc, char **argv)
{
	struct policy_args pa = {0};
	struct diag_opts dopts = DIAG_OPTS_INIT;
	const struct opt opts[] = {
		OPT_POLICY_MODULE(&pa),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "disasm",
		.usage = "disasm POLICY.cpol|MODULE.cpolb [--policy NAME] [--stdlib DIR]",
		.about = "Print the bytecode of a .cpolb module, or of a policy as compile would\n"
			 "write it: constants, then each block's instructions with their lines.\n",
		.opts = opts,
	};
	struct bc_program *prog;
	struct diag d;
	int rc = cmd_parse_policy(&c, argc, argv);

	if (rc >= 0)
		return rc;
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
