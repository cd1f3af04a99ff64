/* compile.c - cpolc compile: compile a policy to a .cpolb bytecode module. */
#include "config.h"

#include "cmd.h"

#include <errno.h>
#include <string.h>

#include "bc.h"
#include "comp.h"

int cmd_compile(int argc, char **argv)
{
	struct policy_args pa = {0};
	struct diag_opts dopts = DIAG_OPTS_INIT;
	const char *output = NULL;
	const struct opt opts[] = {
		OPT_STRING('o', "output", &output, "FILE", "write the module to FILE (required)"),
		OPT_POLICY_MODULE(&pa),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "compile",
		.usage = "compile POLICY.cpol -o FILE.cpolb [--policy NAME] [--stdlib DIR]",
		.about = "Compile one policy of POLICY.cpol and the modules it imports to a verified\n"
			 "bytecode module that eval, graph and build accept in place of the source.\n",
		.opts = opts,
	};
	struct strbuf sb = STRBUF_INIT;
	struct bc_program *prog;
	struct diag d;
	int rc = cmd_parse_policy(&c, argc, argv);

	if (rc >= 0)
		return rc;
	rc = EXIT_USAGE;
	if (!output)
		return opt_usage_error(&c, "no output file (-o FILE)");
	diag_init(&d);
	prog = comp_load(argv[0], pa.policy, &(struct program_opts){.stdlib_dir = pa.stdlib}, &d);
	if (prog) {
		bc_save(prog, &sb);
		if (write_file_atomic(output, sb.buf, sb.len, 0644) < 0)
			diag_file_error(&d, output, 0, 0, NULL, "cannot write '%s': %s", output,
					file_strerror(errno));
		else
			rc = EXIT_OK;
	}
	sb_release(&sb);
	bc_free(prog);
	return cmd_report(&dopts, &d, rc);
}
