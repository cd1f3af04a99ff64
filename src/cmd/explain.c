/* explain.c - cpolc explain: why a primitive is in the image or not. */
#include "config.h"

#include "cmd.h"

#include <stdio.h>

int cmd_explain(int argc, char **argv)
{
	static const char *const formats[] = {"text", "json", NULL};
	struct policy_args pa = {0};
	struct diag_opts dopts = DIAG_OPTS_INIT;
	int format = 0;
	const struct opt opts[] = {
		OPT_POLICY_INPUTS(&pa),
		OPT_CHOICE(0, "format", &format, "F", formats, "print the explanation as text or as JSON"),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "explain",
		.usage = "explain POLICY.cpol|MODULE.cpolb NAME [-r REQ|-] [-D K=V|-D K:=JSON]...\n"
			 "        [-C CATALOG]... [--policy NAME] [--format text|json] [--stdlib DIR]",
		.about = "Say why the primitive NAME is in the policy's image: the include statement,\n"
			 "or the chain of dependencies from one, each link with the Depends element it\n"
			 "met and where; or why it is not: where it is excluded, which includes and\n"
			 "dependencies name it, and each version's eligibility in the catalogs (the\n"
			 "constraint it fails, its platform, the admit filter that rejects it, the\n"
			 "part of it that is false and its operands' values, and its CVEs), or that\n"
			 "no catalog has it. Exit 0 when NAME is in the image, 1 when it is not, 2 on\n"
			 "bad input, 3 when the resolution fails.\n",
		.opts = opts,
	};
	struct build_opts bo = {0};
	struct strbuf out = STRBUF_INIT;
	struct build b;
	struct diag d;
	json_t *j;
	enum build_status st;
	bool in = false;
	int n = opt_parse(&c, argc, argv), rc;

	if (n < 0 || n != 2) {
		policy_args_release(&pa);
		return n < 0 ? opt_exit(n)
			     : opt_usage_error(&c, n < 2 ? "a policy and a primitive's name are needed"
							 : "more than a policy and a name given");
	}
	policy_args_apply(&pa, argv[0], &bo);
	diag_init(&d);
	build_init(&b);
	st = build_explain(&b, &bo, argv[1], &out, &j, &in, &d);
	if (j && format == 1) {
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
	} else {
		fwrite(out.buf ? out.buf : "", 1, out.len, stdout);
	}
	json_decref(j);
	rc = st == BUILD_BAD_INPUT || st == BUILD_UNRESOLVED ? (int)st : in ? EXIT_OK : EXIT_DENY;
	sb_release(&out);
	build_release(&b);
	policy_args_release(&pa);
	return cmd_report(&dopts, &d, rc);
}
