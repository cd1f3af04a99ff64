/* graph.c - cpolc graph: the dependency graph of a decision. */
#include "config.h"

#include "cmd.h"

#include <stdio.h>

#include "res.h"

int cmd_graph(int argc, char **argv)
{
	static const char *const formats[] = {"dot", "json", NULL};
	struct policy_args pa = {0};
	struct diag_opts dopts = DIAG_OPTS_INIT;
	int format = 0;
	const struct opt opts[] = {
		OPT_POLICY_INPUTS(&pa),
		OPT_CHOICE(0, "format", &format, "F", formats, "print Graphviz DOT or JSON"),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "graph",
		.usage = "graph POLICY.cpol|MODULE.cpolb [-r REQ|-] [-D K=V]... -C CATALOG...\n"
			 "      [--policy NAME] [--format dot|json] [--stdlib DIR]",
		.about = "Print the dependency graph of the policy's decision: Graphviz DOT (render\n"
			 "with 'dot -Tsvg') or JSON. Edges run from dependent to dependency; the\n"
			 "policy's own includes are drawn bold.\n",
		.opts = opts,
	};
	struct build_opts bo = {0};
	struct build b;
	struct diag d;
	enum build_status st;
	int rc = cmd_parse_policy(&c, argc, argv);

	if (rc < 0 && !pa.catalogs.n)
		rc = opt_usage_error(&c, "no catalog given (-C DIR)");
	if (rc >= 0) {
		policy_args_release(&pa);
		return rc;
	}
	policy_args_apply(&pa, argv[0], &bo);
	diag_init(&d);
	build_init(&b);
	st = build_decide(&b, &bo, &d);
	if (st == BUILD_OK || st == BUILD_DENIED) {
		if (format == 1) {
			json_t *j = res_graph_json(&b.dec);
			json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			putchar('\n');
			json_decref(j);
		} else {
			res_graph_dot(&b.dec, stdout);
		}
		st = BUILD_OK;
	}
	build_release(&b);
	policy_args_release(&pa);
	return cmd_report(&dopts, &d, (int)st);
}
