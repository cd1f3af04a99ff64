/* eval.c - cpolc eval: print a policy's decision for a request. */
#include "config.h"

#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>

#include "cat.h"

static void print_messages(FILE *out, const char *title, const struct dec_message *m, size_t n)
{
	fprintf(out, "%s:%s\n", title, n ? "" : " none");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %s: %s\n", m[i].at ? m[i].at : "-", m[i].message);
}

/* The requests and excludes, and the selected primitives with the bytes
 * of their file content and the total. */
static void print_requests(FILE *out, const struct decision *dec)
{
	char size[SIZE_TEXT_MAX];
	uint64_t total = 0;

	fprintf(out, "requests:%s\n", dec->nrequests ? "" : " none");
	for (size_t i = 0; i < dec->nrequests; i++) {
		const struct dec_request *r = &dec->requests[i];
		fprintf(out, "  %s %s%s%s%s%s  (%s)\n", r->is_base ? "base" : "include", r->name,
			r->op ? " " : "", r->op ? r->op : "", r->op ? " " : "", r->op ? r->constraint : "",
			r->at);
	}
	fprintf(out, "excludes:%s\n", dec->nexcludes ? "" : " none");
	for (size_t i = 0; i < dec->nexcludes; i++)
		fprintf(out, "  %s  (%s)\n", dec->excludes[i].name, dec->excludes[i].at);
	fprintf(out, "selected:%s\n", dec->nselected ? "" : " none");
	for (size_t i = 0; i < dec->nselected; i++) {
		const struct cat_prim *p = dec->selected[i].prim;
		fprintf(out, "  %s %s  %s  (%s)\n", p->name, p->version, format_size(p->size, size),
			dec->selected[i].reason);
		total += p->size;
	}
	if (dec->nselected)
		fprintf(out, "  total: %s in %zu primitive%s\n", format_size(total, size), dec->nselected,
			dec->nselected == 1 ? "" : "s");
}

static void print_text(FILE *out, const struct decision *dec)
{
	const char *key;
	json_t *val;

	fprintf(out, "policy: %s\nplatform: %s\n", dec->policy, dec->platform);
	if (dec->from)
		fprintf(out, "from: %s\n", dec->from);
	print_requests(out, dec);
	fprintf(out, "config:%s\n", json_object_size(dec->config) ? "" : " none");
	json_object_foreach(dec->config, key, val)
	{
		char *s = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
		fprintf(out, "  %s: %s\n", key, s ? s : "?");
		free(s);
	}
	fprintf(out, "annotations:%s\n", json_object_size(dec->annotations) ? "" : " none");
	json_object_foreach(dec->annotations, key, val)
		fprintf(out, "  %s: %s\n", key, json_string_value(val));
	fprintf(out, "files:%s\n", dec->nfiles ? "" : " none");
	for (size_t i = 0; i < dec->nfiles; i++)
		fprintf(out, "  %s mode 0%o size %zu %s\n", dec->files[i].path, dec->files[i].mode,
			dec->files[i].len, dec->files[i].digest);
	print_messages(out, "denials", dec->denials, dec->ndenials);
	print_messages(out, "warnings", dec->warnings, dec->nwarnings);
	print_messages(out, "pending", dec->pending, dec->npending);
}

static void print_json(FILE *out, const struct decision *dec)
{
	json_t *j = decision_to_json(dec);

	json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(j);
}

/* The decision, and its denials and warnings as diagnostics. */
static enum build_status show(struct build *b, struct diag *d, void *ctx)
{
	(*(int *)ctx ? print_text : print_json)(stdout, &b->dec);
	decision_report(&b->dec, d);
	return b->dec.ndenials ? BUILD_DENIED : BUILD_OK;
}

int cmd_eval(int argc, char **argv)
{
	static const char *const formats[] = {"json", "text", NULL};
	struct policy_args pa = {0};
	struct diag_opts dopts = DIAG_OPTS_INIT;
	int format = 0;
	const struct opt opts[] = {
		OPT_POLICY_INPUTS(&pa),
		OPT_CHOICE(0, "format", &format, "F", formats, "print the decision as JSON or as text"),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "eval",
		.usage = "eval POLICY.cpol|MODULE.cpolb [-r REQ|-] [-D K=V|-D K:=JSON]... [-C CATALOG]...\n"
			 "     [--policy NAME] [--format json|text] [--stdlib DIR]",
		.about = "Evaluate the policy against the request and print its decision: the\n"
			 "requests, the selected primitives (with -C), the config, the files, and\n"
			 "the denials and warnings, which are also reported as diagnostics. Exit 1\n"
			 "when a deny held, 3 when resolution failed.\n",
		.opts = opts,
	};

	return cmd_decide(&c, argc, argv, &pa, &dopts, false, show, &format);
}
