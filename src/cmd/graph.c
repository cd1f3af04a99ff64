/* graph.c - cpolc graph: the dependency graph of a decision. */
#include "config.h"

#include "cmd.h"

#include <stdio.h>

#include "res.h"

static enum build_status show(struct build *b, struct diag *d, void *ctx)
{
	(void)d;
	if (*(int *)ctx == 1) {
		json_t *j = res_graph_json(&b->dec);
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(j);
	} else {
		res_graph_dot(&b->dec, stdout);
	}
	return BUILD_OK;
}

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

	return cmd_decide(&c, argc, argv, &pa, &dopts, true, show, &format);
}
