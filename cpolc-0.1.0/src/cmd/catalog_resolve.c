/* catalog_resolve.c - cpolc catalog resolve: resolve names and their
 * dependencies against catalogs, without a policy. */
#include "config.h"

#include "cmd.h"

#include <stdio.h>
#include <string.h>

#include "cat.h"
#include "res.h"

/* "name", "name>=1.2" or "name >= 1.2" into a request. */
static int parse_request(const char *text, struct dec_request *q)
{
	static const char *const ops[] = {"==", "!=", "<=", ">=", "<", ">"};
	size_t n = strcspn(text, "=!<> ");
	const char *p = text + n;

	memset(q, 0, sizeof(*q));
	q->name = xstrndup(text, n);
	q->at = xasprintf("<command line>:%s", q->name);
	while (*p == ' ')
		p++;
	if (!*p)
		return n ? 0 : -1;
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		if (strncmp(p, ops[i], strlen(ops[i])))
			continue;
		p += strlen(ops[i]);
		while (*p == ' ')
			p++;
		q->op = xstrdup(ops[i]);
		q->constraint = xstrdup(p);
		return *p && n ? 0 : -1;
	}
	return -1;
}

static void print_resolution(const struct decision *dec, bool json)
{
	if (json) {
		json_t *o = res_graph_json(dec);
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
		return;
	}
	for (size_t i = 0; i < dec->nselected; i++)
		printf("%s\t%s\t%s\n", dec->selected[i].prim->name, dec->selected[i].prim->version,
		       dec->selected[i].reason);
}

/* The requests and excludes of the command line into dec. Returns 0 or the
 * exit status of a usage error. */
static int fill(struct decision *dec, const struct opt_cmd *c, const struct strvec *ex, int n, char **argv)
{
	for (size_t i = 0; i < ex->n; i++) {
		xgrow((void **)&dec->excludes, &dec->capexcludes, dec->nexcludes + 1, sizeof(*dec->excludes));
		dec->excludes[dec->nexcludes++] =
			(struct dec_exclude){xstrdup(ex->v[i]), xstrdup("<command line>")};
	}
	for (int i = 0; i < n; i++) {
		xgrow((void **)&dec->requests, &dec->caprequests, dec->nrequests + 1, sizeof(*dec->requests));
		if (parse_request(argv[i], &dec->requests[dec->nrequests++]) < 0)
			return opt_usage_error(c, "bad request '%s' (NAME, or NAME OP VERSION)", argv[i]);
	}
	return 0;
}

int cmd_catalog_resolve(int argc, char **argv)
{
	static const char *const formats[] = {"text", "json", NULL};
	struct strvec cats = STRVEC_INIT, ex = STRVEC_INIT;
	struct diag_opts dopts = DIAG_OPTS_INIT;
	const char *platform = NULL;
	int format = 0;
	const struct opt opts[] = {
		OPT_LIST('C', "catalog", &cats, "DIR", "resolve against the catalog DIR (repeat)"),
		OPT_STRING(0, "platform", &platform, "OS/ARCH", "the platform (default linux/amd64)"),
		OPT_LIST(0, "exclude", &ex, "NAME", "never select NAME (repeat)"),
		OPT_CHOICE(0, "format", &format, "F", formats,
			   "text: name, version and reason per line; or JSON\n(the graph, as graph --format "
			   "json)"),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "catalog resolve",
		.usage = "catalog resolve -C DIR... [--platform OS/ARCH] [--exclude NAME]...\n"
			 "      [--format text|json] NAME[OP VERSION]...",
		.about = "Resolve the named primitives and their dependencies as a policy's includes\n"
			 "would (OP is one of == != < <= > >=), without a policy. Prints the selected\n"
			 "primitives (dependencies first). Exit 3 when the resolution fails.\n",
		.opts = opts,
	};
	struct decision dec;
	struct catset cs;
	struct diag d;
	int n = opt_parse(&c, argc, argv), rc = 0;

	decision_init(&dec);
	dec.policy = xstrdup("resolve");
	if (platform) {
		free(dec.platform);
		dec.platform = xstrdup(platform);
	}
	if (n < 0) {
		rc = opt_exit(n);
		goto out;
	}
	if (!cats.n || !n) {
		rc = opt_usage_error(&c, n ? "no catalog given (-C DIR)" : "nothing to resolve");
		goto out;
	}
	if ((rc = fill(&dec, &c, &ex, n, argv)))
		goto out;
	diag_init(&d);
	if (catset_open(&cs, (const char **)cats.v, cats.n, &d) < 0) {
		rc = EXIT_USAGE;
	} else {
		if (res_resolve(&cs, &dec, NULL, NULL, &d) < 0)
			rc = EXIT_RESOLVE;
		else
			print_resolution(&dec, format == 1);
		catset_release(&cs);
	}
	rc = cmd_report(&dopts, &d, rc);
out:
	strvec_clear(&cats);
	strvec_clear(&ex);
	decision_release(&dec);
	return rc;
}
