/* main.c - the cpolc command line: parses arguments, drives the library,
 * prints results and diagnostics, and alone chooses the exit status.
 *
 * Exit codes (DESIGN.md): 0 success, 1 the policy said no or lint found
 * errors, 2 bad invocation or input, 3 resolution failed, 4 lock or
 * verification mismatch.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <stdbool.h>

#include "bc.h"
#include "cat.h"
#include "comp.h"
#include "decision.h"
#include "diag.h"
#include "lint.h"
#include "module.h"
#include "request.h"
#include "util.h"
#include "vm.h"

enum { EXIT_OK = 0, EXIT_DENY = 1, EXIT_USAGE = 2, EXIT_RESOLVE = 3, EXIT_MISMATCH = 4 };

static const char usage_text[] =
	"usage: cpolc COMMAND [ARGS]\n"
	"\n"
	"commands:\n"
	"  build     compose an OCI image from a policy, a request and catalogs\n"
	"  eval      print a policy's decision for a request\n"
	"  lint      check policies and report errors and warnings\n"
	"  compile   compile a policy to a .cpolb bytecode module\n"
	"  disasm    print a .cpolb module or a policy's bytecode\n"
	"  graph     print the dependency graph of a decision\n"
	"  verify    check an image against its lock file\n"
	"  cache     inspect and prune the layer cache\n"
	"  catalog   create, fill and inspect primitive catalogs\n"
	"\n"
	"Run 'cpolc COMMAND --help' for a command's options.\n";



/* ======================================================================
 * lint (front end)
 * ====================================================================== */

static const char lint_usage[] =
	"usage: cpolc lint FILE... [--stdlib DIR] [--caret] [-Werror] [--format gcc|json|github|sarif]\n"
	"\n"
	"Check .cpol policies: syntax, names, imports, types that are known\n"
	"statically, and warnings about likely mistakes. Exit 0 when no error was\n"
	"found, 1 on errors (or warnings with -Werror), 2 on bad usage or an\n"
	"unreadable file. Warnings are reported for files without errors.\n"
	"\n"
	"  --stdlib DIR   search DIR first for `import \"NAME\";` modules\n"
	"  --caret        show the source line and a caret under each diagnostic\n"
	"                 (the default when stderr is a terminal; --no-caret to turn off)\n"
	"  -Werror        treat warnings as errors for the exit status\n"
	"  --format F     gcc (default, on stderr), json, github or sarif (stdout)\n"
	"  -C CATALOG     accepted for compatibility; catalog checks are not done yet\n";

static int parse_diag_format(const char *s, enum diag_format *out)
{
	static const struct {
		const char *name;
		enum diag_format fmt;
	} fmts[] = { { "gcc", DIAG_FMT_GCC }, { "json", DIAG_FMT_JSON }, { "github", DIAG_FMT_GITHUB },
		     { "sarif", DIAG_FMT_SARIF } };

	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
		if (!strcmp(s, fmts[i].name)) {
			*out = fmts[i].fmt;
			return 0;
		}
	}
	return -1;
}

/* A minimal SARIF 2.1.0 log of the diagnostics. */
static void print_sarif(struct diag *d, FILE *out)
{
	json_t *results = json_array(), *run, *log;

	for (size_t i = 0; i < d->nentries; i++) {
		const struct diag_entry *e = &d->entries[i];
		json_t *r = json_object(), *msg = json_object();
		unsigned line = 0, col = 0;

		json_object_set_new(r, "ruleId", json_string(e->rule ? e->rule : "cpolc"));
		json_object_set_new(r, "level", json_string(e->sev == DIAG_ERROR	  ? "error" :
							    e->sev == DIAG_WARNING ? "warning" :
										     "note"));
		json_object_set_new(msg, "text", json_string(e->message));
		json_object_set_new(r, "message", msg);
		if (e->loc.file) {
			diag_linecol(d, e->loc.file, e->loc.begin, &line, &col);
			json_object_set_new(r, "locations",
					    json_pack("[{s:{s:{s:s},s:{s:i,s:i}}}]", "physicalLocation",
						      "artifactLocation", "uri", diag_file(d, e->loc.file)->path,
						      "region", "startLine", (int)line, "startColumn", (int)col));
		}
		json_array_append_new(results, r);
	}
	run = json_pack("{s:{s:{s:s,s:s}},s:o}", "tool", "driver", "name", "cpolc", "version", PACKAGE_VERSION,
			"results", results);
	log = json_pack("{s:s,s:s,s:[o]}", "$schema", "https://json.schemastore.org/sarif-2.1.0.json",
			"version", "2.1.0", "runs", run);
	json_dumpf(log, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(log);
}

static int cmd_lint(int argc, char **argv)
{
	struct program_opts opts = { .stdlib_dir = NULL, .no_digest = true };
	enum diag_format fmt = DIAG_FMT_GCC;
	bool caret = isatty(STDERR_FILENO), werror = false, unreadable = false;
	const char **files = xcalloc((size_t)argc, sizeof(*files));
	size_t nfiles = 0;
	struct diag d;
	int rc = EXIT_OK;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(lint_usage, stdout);
			free(files);
			return EXIT_OK;
		} else if (!strcmp(a, "--caret")) {
			caret = true;
		} else if (!strcmp(a, "--no-caret")) {
			caret = false;
		} else if (!strcmp(a, "-Werror")) {
			werror = true;
		} else if (!strncmp(a, "--stdlib=", 9)) {
			opts.stdlib_dir = a + 9;
		} else if (!strncmp(a, "--format=", 9) && parse_diag_format(a + 9, &fmt) == 0) {
			continue;
		} else if ((!strcmp(a, "--stdlib") || !strcmp(a, "--format") || !strcmp(a, "-C")) && i + 1 < argc) {
			const char *v = argv[++i];
			if (!strcmp(a, "--stdlib")) {
				opts.stdlib_dir = v;
			} else if (!strcmp(a, "--format") && parse_diag_format(v, &fmt) < 0) {
				fprintf(stderr, "cpolc: lint: unknown format '%s' (gcc, json, github or sarif)\n", v);
				free(files);
				return EXIT_USAGE;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "cpolc: lint: unknown or incomplete option '%s'\n%s", a, lint_usage);
			free(files);
			return EXIT_USAGE;
		} else {
			files[nfiles++] = a;
		}
	}
	if (!nfiles) {
		fputs(lint_usage, stderr);
		free(files);
		return EXIT_USAGE;
	}
	diag_init(&d);
	for (size_t i = 0; i < nfiles; i++) {
		struct program p;
		int r;

		program_init(&p);
		r = program_load(&p, files[i], &opts, &d);
		if (r == -2)
			unreadable = true;
		else if (r == 0)
			lint_program(&p, &d); /* warnings only once a file has no errors */
		program_release(&p);
	}
	if (fmt == DIAG_FMT_SARIF)
		print_sarif(&d, stdout);
	else
		diag_print(&d, fmt == DIAG_FMT_GCC ? stderr : stdout, fmt, caret ? DIAG_CARET : 0);
	if (unreadable)
		rc = EXIT_USAGE;
	else if (d.nerrors || (werror && d.nwarnings))
		rc = EXIT_DENY;
	diag_release(&d);
	free(files);
	return rc;
}

/* ======================================================================
 * eval, compile, disasm (compiler and VM)
 * ====================================================================== */

struct eval_opts {
	const char *policy_path, *request, *policy, *format, *output;
	struct program_opts popts;
	char **defs;
	size_t ndefs, capdefs;
	char **catalogs;
	size_t ncatalogs, capcatalogs;
};

static void push_arg(char ***v, size_t *n, size_t *cap, char *arg)
{
	xgrow((void **)v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = arg;
}

/* The value of option argv[*i] ("-r FILE", "-rFILE", "--policy=NAME"). */
static const char *opt_value(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);
	const char *a = argv[*i];

	if (strncmp(a, opt, n))
		return NULL;
	if (a[n] == '\0') {
		if (*i + 1 >= argc) {
			fprintf(stderr, "cpolc: option '%s' needs a value\n", opt);
			return "";
		}
		return argv[++*i];
	}
	if (opt[1] != '-')
		return a + n;
	return a[n] == '=' ? a + n + 1 : NULL;
}

/* Parse the options shared by eval, compile and disasm. Returns 0, or -1
 * after a message (usage error). */
static int parse_eval_opts(int argc, char **argv, struct eval_opts *o, const char *allowed)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		if (a[0] != '-' || !strcmp(a, "-")) {
			if (o->policy_path) {
				fprintf(stderr, "cpolc: %s: more than one policy given\n", argv[0]);
				return -1;
			}
			o->policy_path = a;
		} else if (strchr(allowed, 'r') && (v = opt_value(argc, argv, &i, "-r"))) {
			o->request = v;
		} else if (strchr(allowed, 'D') && (v = opt_value(argc, argv, &i, "-D"))) {
			push_arg(&o->defs, &o->ndefs, &o->capdefs, (char *)v);
		} else if (strchr(allowed, 'C') && (v = opt_value(argc, argv, &i, "-C"))) {
			push_arg(&o->catalogs, &o->ncatalogs, &o->capcatalogs, (char *)v);
		} else if (strchr(allowed, 'o') && (v = opt_value(argc, argv, &i, "-o"))) {
			o->output = v;
		} else if ((v = opt_value(argc, argv, &i, "--policy"))) {
			o->policy = v;
		} else if (strchr(allowed, 'f') && (v = opt_value(argc, argv, &i, "--format"))) {
			o->format = v;
		} else if ((v = opt_value(argc, argv, &i, "--stdlib"))) {
			o->popts.stdlib_dir = v;
		} else {
			fprintf(stderr, "cpolc: %s: unknown option '%s'\n", argv[0], a);
			return -1;
		}
		if (v && !*v && a[0] == '-' && strlen(a) <= 2)
			return -1;
	}
	if (!o->policy_path) {
		fprintf(stderr, "cpolc: %s: no policy given\n", argv[0]);
		return -1;
	}
	return 0;
}

static void release_eval_opts(struct eval_opts *o)
{
	free(o->defs);
	free(o->catalogs);
}

static void print_diags(struct diag *d)
{
	diag_print(d, stderr, DIAG_FMT_GCC, isatty(2) ? DIAG_CARET : 0);
}

static bool wants_help(int argc, char **argv, const char *usage)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return true;
		}
	return false;
}

static void print_messages(FILE *out, const char *title, const struct dec_message *m, size_t n)
{
	fprintf(out, "%s:%s\n", title, n ? "" : " none");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %s: %s\n", m[i].at ? m[i].at : "-", m[i].message);
}

static void print_decision_text(FILE *out, const struct decision *dec)
{
	const char *key;
	json_t *val;

	fprintf(out, "policy: %s\nplatform: %s\n", dec->policy, dec->platform);
	if (dec->from)
		fprintf(out, "from: %s\n", dec->from);
	fprintf(out, "requests:%s\n", dec->nrequests ? "" : " none");
	for (size_t i = 0; i < dec->nrequests; i++) {
		const struct dec_request *r = &dec->requests[i];
		fprintf(out, "  %s %s%s%s%s%s  (%s)\n", r->is_base ? "base" : "include", r->name, r->op ? " " : "",
			r->op ? r->op : "", r->op ? " " : "", r->op ? r->constraint : "", r->at);
	}
	fprintf(out, "excludes:%s\n", dec->nexcludes ? "" : " none");
	for (size_t i = 0; i < dec->nexcludes; i++)
		fprintf(out, "  %s  (%s)\n", dec->excludes[i].name, dec->excludes[i].at);
	fprintf(out, "selected:%s\n", dec->nselected ? "" : " none");
	for (size_t i = 0; i < dec->nselected; i++)
		fprintf(out, "  %s %s  (%s)\n", dec->selected[i].prim->name, dec->selected[i].prim->version,
			dec->selected[i].reason);
	fprintf(out, "config:%s\n", json_object_size(dec->config) ? "" : " none");
	json_object_foreach(dec->config, key, val) {
		char *s = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
		fprintf(out, "  %s: %s\n", key, s ? s : "?");
		free(s);
	}
	fprintf(out, "annotations:%s\n", json_object_size(dec->annotations) ? "" : " none");
	json_object_foreach(dec->annotations, key, val)
		fprintf(out, "  %s: %s\n", key, json_string_value(val));
	fprintf(out, "files:%s\n", dec->nfiles ? "" : " none");
	for (size_t i = 0; i < dec->nfiles; i++)
		fprintf(out, "  %s mode 0%o size %zu %s\n", dec->files[i].path, dec->files[i].mode, dec->files[i].len,
			dec->files[i].digest);
	print_messages(out, "denials", dec->denials, dec->ndenials);
	print_messages(out, "warnings", dec->warnings, dec->nwarnings);
	print_messages(out, "pending", dec->pending, dec->npending);
}

static void print_decision(const struct decision *dec, bool text)
{
	json_t *j;

	if (text) {
		print_decision_text(stdout, dec);
		return;
	}
	j = decision_to_json(dec);
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(j);
}

static const char eval_usage[] =
	"usage: cpolc eval POLICY.cpol|MODULE.cpolb [-r REQ|-] [-D K=V|-D K:=JSON]... [-C CATALOG]...\n"
	"                  [--policy NAME] [--format json|text] [--stdlib DIR]\n";

static int cmd_eval(int argc, char **argv)
{
	struct eval_opts o = { 0 };
	struct diag d;
	struct bc_program *prog = NULL;
	struct vm *vm = NULL;
	struct decision dec;
	json_t *req = NULL;
	int rc = EXIT_USAGE;
	bool text;

	if (wants_help(argc, argv, eval_usage))
		return EXIT_OK;
	if (parse_eval_opts(argc, argv, &o, "rDCf") < 0) {
		fputs(eval_usage, stderr);
		release_eval_opts(&o);
		return EXIT_USAGE;
	}
	text = o.format && !strcmp(o.format, "text");
	if (o.format && !text && strcmp(o.format, "json")) {
		fprintf(stderr, "cpolc: eval: unknown format '%s' (json or text)\n", o.format);
		release_eval_opts(&o);
		return EXIT_USAGE;
	}
	diag_init(&d);
	decision_init(&dec);
	req = request_load(o.request, o.defs, o.ndefs, &d);
	if (req)
		prog = comp_load(o.policy_path, o.policy, &o.popts, &d);
	if (prog) {
		vm = vm_new();
		/* TODO(lead): with -C, load the catalogs, resolve (filling
		 * dec.selected/edges, calling vm_admit) and check with
		 * have_selected = true. */
		if (vm_select(vm, prog, o.policy, req, &dec, &d) == 0 && vm_check(vm, &dec, false, &d) == 0) {
			print_decision(&dec, text);
			rc = dec.ndenials ? EXIT_DENY : EXIT_OK;
		}
	}
	print_diags(&d);
	decision_release(&dec);
	vm_free(vm);
	bc_free(prog);
	json_decref(req);
	diag_release(&d);
	release_eval_opts(&o);
	return rc;
}

static const char compile_usage[] = "usage: cpolc compile POLICY.cpol -o FILE.cpolb [--policy NAME] [--stdlib DIR]\n";

static int cmd_compile(int argc, char **argv)
{
	struct eval_opts o = { 0 };
	struct diag d;
	struct bc_program *prog;
	struct strbuf sb = STRBUF_INIT;
	int rc = EXIT_USAGE;

	if (wants_help(argc, argv, compile_usage))
		return EXIT_OK;
	if (parse_eval_opts(argc, argv, &o, "o") < 0 || !o.output) {
		if (!o.output)
			fputs("cpolc: compile: no output file (-o FILE)\n", stderr);
		fputs(compile_usage, stderr);
		release_eval_opts(&o);
		return EXIT_USAGE;
	}
	diag_init(&d);
	prog = comp_load(o.policy_path, o.policy, &o.popts, &d);
	if (prog) {
		bc_save(prog, &sb);
		if (write_file_atomic(o.output, sb.buf, sb.len, 0644) < 0)
			diag_file_error(&d, o.output, 0, 0, NULL, "cannot write '%s': %s", o.output, strerror(errno));
		else
			rc = EXIT_OK;
	}
	print_diags(&d);
	sb_release(&sb);
	bc_free(prog);
	diag_release(&d);
	release_eval_opts(&o);
	return rc;
}

static const char disasm_usage[] = "usage: cpolc disasm POLICY.cpol|MODULE.cpolb [--policy NAME] [--stdlib DIR]\n";

static int cmd_disasm(int argc, char **argv)
{
	struct eval_opts o = { 0 };
	struct diag d;
	struct bc_program *prog;
	int rc = EXIT_USAGE;

	if (wants_help(argc, argv, disasm_usage))
		return EXIT_OK;
	if (parse_eval_opts(argc, argv, &o, "") < 0) {
		fputs(disasm_usage, stderr);
		release_eval_opts(&o);
		return EXIT_USAGE;
	}
	diag_init(&d);
	prog = comp_load(o.policy_path, o.policy, &o.popts, &d);
	if (prog) {
		bc_disasm(prog, stdout);
		rc = EXIT_OK;
	}
	print_diags(&d);
	bc_free(prog);
	diag_release(&d);
	release_eval_opts(&o);
	return rc;
}

/* ======================================================================
 * catalog, graph (catalog and resolver)
 * ====================================================================== */

static int cmd_catalog(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cpolc: catalog: not implemented yet\n", stderr);
	return EXIT_USAGE;
}

static int cmd_graph(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cpolc: graph: not implemented yet\n", stderr);
	return EXIT_USAGE;
}

/* ======================================================================
 * build, verify (composer)
 * ====================================================================== */

static int cmd_build(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cpolc: build: not implemented yet\n", stderr);
	return EXIT_USAGE;
}

static int cmd_verify(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cpolc: verify: not implemented yet\n", stderr);
	return EXIT_USAGE;
}

/* ====================================================================== */

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "build", cmd_build },	    { "catalog", cmd_catalog }, { "compile", cmd_compile },
	{ "disasm", cmd_disasm },   { "eval", cmd_eval },	{ "graph", cmd_graph },
	{ "lint", cmd_lint },	    { "verify", cmd_verify },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("cpolc %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "cpolc: '%s' is not a cpolc command; see 'cpolc --help'\n", argv[1]);
	return EXIT_USAGE;
}
