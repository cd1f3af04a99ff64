/* main.c - the cpolc command line: parses arguments, drives the library,
 * prints results and diagnostics, and alone chooses the exit status.
 *
 * Exit codes (DESIGN.md): 0 success, 1 the policy said no or lint found
 * errors, 2 bad invocation or input, 3 resolution failed, 4 lock or
 * verification mismatch.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <stdbool.h>

#include "bc.h"
#include "build.h"
#include "cache.h"
#include "cat.h"
#include "comp.h"
#include "decision.h"
#include "diag.h"
#include "dynlib.h"
#include "fmt.h"
#include "lint.h"
#include "module.h"
#include "request.h"
#include "res.h"
#include "util.h"
#include "vm.h"

enum { EXIT_OK = 0, EXIT_DENY = 1, EXIT_USAGE = 2, EXIT_RESOLVE = 3, EXIT_MISMATCH = 4 };

static const char usage_text[] = "usage: cpolc COMMAND [ARGS]\n"
				 "\n"
				 "commands:\n"
				 "  build     compose an OCI image from a policy, a request and catalogs\n"
				 "  eval      print a policy's decision for a request\n"
				 "  lint      check policies and report errors and warnings\n"
				 "  fmt       rewrite policies in the canonical layout\n"
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
	"  -C CATALOG     also check against catalogs: unknown primitives, version\n"
	"                 constraints no version meets, admit filters rejecting every\n"
	"                 version of an included name (may be repeated)\n"
	"\n"
	"A comment '# cpolc:ignore RULE[,RULE...]' at the end of a line, or alone on\n"
	"the line before, suppresses those lint rules' diagnostics on that line.\n";

static int parse_diag_format(const char *s, enum diag_format *out)
{
	static const struct {
		const char *name;
		enum diag_format fmt;
	} fmts[] = {{"gcc", DIAG_FMT_GCC},
		    {"json", DIAG_FMT_JSON},
		    {"github", DIAG_FMT_GITHUB},
		    {"sarif", DIAG_FMT_SARIF}};

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
		json_object_set_new(r, "level",
				    json_string(e->sev == DIAG_ERROR	 ? "error"
						: e->sev == DIAG_WARNING ? "warning"
									 : "note"));
		json_object_set_new(msg, "text", json_string(e->message));
		json_object_set_new(r, "message", msg);
		if (e->loc.file) {
			diag_linecol(d, e->loc.file, e->loc.begin, &line, &col);
			json_object_set_new(r, "locations",
					    json_pack("[{s:{s:{s:s},s:{s:i,s:i}}}]", "physicalLocation",
						      "artifactLocation", "uri",
						      diag_file(d, e->loc.file)->path, "region", "startLine",
						      (int)line, "startColumn", (int)col));
		}
		json_array_append_new(results, r);
	}
	run = json_pack("{s:{s:{s:s,s:s}},s:o}", "tool", "driver", "name", "cpolc", "version",
			PACKAGE_VERSION, "results", results);
	log = json_pack("{s:s,s:s,s:[o]}", "$schema", "https://json.schemastore.org/sarif-2.1.0.json",
			"version", "2.1.0", "runs", run);
	json_dumpf(log, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(log);
}

static int cmd_lint(int argc, char **argv)
{
	struct program_opts opts = {.stdlib_dir = NULL, .no_digest = true};
	enum diag_format fmt = DIAG_FMT_GCC;
	bool caret = isatty(STDERR_FILENO), werror = false, unreadable = false;
	const char **files = xcalloc((size_t)argc, sizeof(*files));
	const char **cats = xcalloc((size_t)argc, sizeof(*cats));
	size_t nfiles = 0, ncats = 0;
	struct catset cs;
	struct diag d;
	int rc = EXIT_OK;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(lint_usage, stdout);
			free(files);
			free(cats);
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
		} else if ((!strcmp(a, "--stdlib") || !strcmp(a, "--format") || !strcmp(a, "-C")) &&
			   i + 1 < argc) {
			const char *v = argv[++i];
			if (!strcmp(a, "--stdlib")) {
				opts.stdlib_dir = v;
			} else if (!strcmp(a, "-C")) {
				cats[ncats++] = v;
			} else if (!strcmp(a, "--format") && parse_diag_format(v, &fmt) < 0) {
				fprintf(stderr,
					"cpolc: lint: unknown format '%s' (gcc, json, github or sarif)\n", v);
				free(files);
				free(cats);
				return EXIT_USAGE;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "cpolc: lint: unknown or incomplete option '%s'\n%s", a, lint_usage);
			free(files);
			free(cats);
			return EXIT_USAGE;
		} else {
			files[nfiles++] = a;
		}
	}
	if (!nfiles) {
		fputs(lint_usage, stderr);
		free(files);
		free(cats);
		return EXIT_USAGE;
	}
	diag_init(&d);
	memset(&cs, 0, sizeof(cs));
	if (ncats && catset_open(&cs, cats, ncats, &d) < 0)
		unreadable = true, nfiles = 0; /* a bad catalog is bad input */
	for (size_t i = 0; i < nfiles; i++) {
		struct program p;
		int r;

		program_init(&p);
		r = program_load(&p, files[i], &opts, &d);
		if (r == -2) {
			unreadable = true;
		} else if (r == 0) { /* warnings only once a file has no errors */
			lint_program(&p, &d);
			if (ncats)
				lint_catalogs(&p, &cs, &d);
		}
		program_release(&p);
	}
	catset_release(&cs);
	free(cats);
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
 * fmt (front end)
 * ====================================================================== */

static const char fmt_usage[] = "usage: cpolc fmt [--check|--diff] FILE...\n"
				"\n"
				"Rewrite .cpol files in the canonical layout (see cpolc(1)): in place,\n"
				"atomically and keeping the file mode, and only the files that change.\n"
				"FILE '-' formats standard input to standard output. A file with syntax\n"
				"errors is not formatted: its errors are reported.\n"
				"\n"
				"  --check   write nothing; list the files that would change\n"
				"  --diff    write nothing; print a unified diff of the changes\n"
				"\n"
				"Exit 0 when done (or, with --check and --diff, when every file is\n"
				"formatted), 1 when --check or --diff found a file to change, 2 on bad\n"
				"usage, an unreadable or unwritable file or syntax errors.\n";

enum fmt_mode { FMT_WRITE, FMT_CHECK, FMT_DIFF };

/* Read all of stdin, NUL-terminated, like read_file. */
static int fmt_read_stdin(char **data, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		sb_add(&sb, buf, n);
	if (ferror(stdin)) {
		sb_release(&sb);
		return -1;
	}
	*data = sb_detach(&sb, len);
	return 0;
}

/* Write the formatted text over path (through a symlink to its target),
 * keeping the mode. Returns 0 or -1 after a message. */
static int fmt_write(const char *path, const char *text, size_t len)
{
	struct stat st;
	char *real = realpath(path, NULL);
	int rc = 0;

	if (!real || stat(real, &st) < 0 || write_file_atomic(real, text, len, st.st_mode & 07777) < 0) {
		fprintf(stderr, "cpolc: fmt: cannot write '%s': %s\n", path, strerror(errno));
		rc = -1;
	}
	free(real);
	return rc;
}

/* Format one file. Returns 0 (unchanged or rewritten), 1 (would change) or
 * EXIT_USAGE (unreadable, unwritable, syntax errors). */
static int fmt_file(const char *path, enum fmt_mode mode, struct diag *d)
{
	bool std = !strcmp(path, "-");
	char *text, *out;
	size_t len, outlen;
	uint32_t id;
	int rc = 0;

	if ((std ? fmt_read_stdin(&text, &len) : read_file(path, &text, &len)) < 0) {
		fprintf(stderr, "cpolc: fmt: cannot read '%s': %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	id = diag_add_file(d, std ? "<stdin>" : path, text, len);
	if (fmt_source(d, id, &out, &outlen) < 0)
		return EXIT_USAGE;
	if (std && mode == FMT_WRITE) {
		fwrite(out, 1, outlen, stdout);
	} else if (outlen != len || memcmp(out, text, len)) {
		rc = mode == FMT_WRITE ? 0 : 1;
		if (mode == FMT_CHECK) {
			printf("%s\n", path);
		} else if (mode == FMT_DIFF) {
			char *diff = fmt_diff(path, text, len, out, outlen);
			fputs(diff, stdout);
			free(diff);
		} else if (fmt_write(path, out, outlen) < 0) {
			rc = EXIT_USAGE;
		}
	}
	free(out);
	return rc;
}

static int cmd_fmt(int argc, char **argv)
{
	enum fmt_mode mode = FMT_WRITE;
	bool files = false, only_files = false;
	struct diag d;
	int rc = EXIT_OK;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_files || a[0] != '-' || !strcmp(a, "-"))
			files = true;
		else if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return fputs(fmt_usage, stdout), EXIT_OK;
		else if (!strcmp(a, "--check"))
			mode = FMT_CHECK;
		else if (!strcmp(a, "--diff"))
			mode = FMT_DIFF;
		else if (!strcmp(a, "--"))
			only_files = true;
		else
			return fprintf(stderr, "cpolc: fmt: unknown option '%s'\n%s", a, fmt_usage),
			       EXIT_USAGE;
	}
	if (!files)
		return fputs(fmt_usage, stderr), EXIT_USAGE;
	diag_init(&d);
	only_files = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r;
		if (!only_files && a[0] == '-' && strcmp(a, "-")) {
			only_files = !strcmp(a, "--");
			continue;
		}
		r = fmt_file(a, mode, &d);
		if (r > rc)
			rc = r;
	}
	fflush(stdout);
	diag_print(&d, stderr, DIAG_FMT_GCC, isatty(STDERR_FILENO) ? DIAG_CARET : 0);
	diag_release(&d);
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

/* Print the diagnostics, release them, and pass the exit code through. */
static int diag_exit(struct diag *d, int code)
{
	print_diags(d);
	diag_release(d);
	return code;
}

static bool want_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

/* With --help or -h among the arguments, print usage and say so. */
static bool wants_help(int argc, char **argv, const char *usage)
{
	if (!want_help(argc, argv))
		return false;
	fputs(usage, stdout);
	return true;
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
		fprintf(out, "  %s %s%s%s%s%s  (%s)\n", r->is_base ? "base" : "include", r->name,
			r->op ? " " : "", r->op ? r->op : "", r->op ? " " : "", r->op ? r->constraint : "",
			r->at);
	}
	fprintf(out, "excludes:%s\n", dec->nexcludes ? "" : " none");
	for (size_t i = 0; i < dec->nexcludes; i++)
		fprintf(out, "  %s  (%s)\n", dec->excludes[i].name, dec->excludes[i].at);
	fprintf(out, "selected:%s\n", dec->nselected ? "" : " none");
	for (size_t i = 0; i < dec->nselected; i++)
		fprintf(out, "  %s %s  (%s)\n", dec->selected[i].prim->name, dec->selected[i].prim->version,
			dec->selected[i].reason);
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

static enum build_status decide(struct eval_opts *o, struct build *b, struct diag *d)
{
	struct build_opts bo = {0};

	bo.policy_path = o->policy_path;
	bo.policy = o->policy;
	bo.request = o->request;
	bo.defs = o->defs;
	bo.ndefs = o->ndefs;
	bo.catalogs = (const char *const *)o->catalogs;
	bo.ncatalogs = o->ncatalogs;
	bo.popts = o->popts;
	return build_decide(b, &bo, d);
}

static int cmd_eval(int argc, char **argv)
{
	struct eval_opts o = {0};
	struct diag d;
	struct build b;
	enum build_status st;
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
	build_init(&b);
	st = decide(&o, &b, &d);
	if (st == BUILD_OK || st == BUILD_DENIED)
		print_decision(&b.dec, text);
	print_diags(&d);
	build_release(&b);
	diag_release(&d);
	release_eval_opts(&o);
	return (int)st;
}

static const char compile_usage[] =
	"usage: cpolc compile POLICY.cpol -o FILE.cpolb [--policy NAME] [--stdlib DIR]\n";

static int cmd_compile(int argc, char **argv)
{
	struct eval_opts o = {0};
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
			diag_file_error(&d, o.output, 0, 0, NULL, "cannot write '%s': %s", o.output,
					strerror(errno));
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

static const char disasm_usage[] =
	"usage: cpolc disasm POLICY.cpol|MODULE.cpolb [--policy NAME] [--stdlib DIR]\n";

static int cmd_disasm(int argc, char **argv)
{
	struct eval_opts o = {0};
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

static const char catalog_usage[] =
	"usage: cpolc catalog init DIR\n"
	"       cpolc catalog add DIR --name N --version V [--kind K] [--depends D]...\n"
	"                     [--provides P]... [--conflicts C]... [--platform OS/ARCH]\n"
	"                     [--license L] [--meta FILE.json] [--allow setuid] PATH...\n"
	"       cpolc catalog import-deb DIR [--allow setuid] FILE.deb...\n"
	"       cpolc catalog set-scan DIR NAME VERSION FILE.json\n"
	"       cpolc catalog list DIR [--format text|json]\n"
	"       cpolc catalog show DIR NAME[@VERSION]\n"
	"       cpolc catalog verify DIR\n"
	"       cpolc catalog reindex DIR\n"
	"       cpolc catalog resolve -C DIR... [--platform OS/ARCH] [--exclude N]... [--format json|text]\n"
	"                             NAME[OP VERSION]...\n"
	"\n"
	"A catalog is an append-only directory of content-addressed primitives:\n"
	"catalog.json, index, primitives/NAME/VERSION.json (':' in VERSION written\n"
	"as '%3a') and blobs/sha256/HEX (canonical uncompressed tars).\n"
	"Run 'cpolc catalog SUBCOMMAND --help' for details.\n";

static const char catalog_add_help[] =
	"usage: cpolc catalog add DIR --name N --version V [options] PATH...\n"
	"\n"
	"Store PATH... as one primitive: a canonical tar (sorted, owner 0:0, mtime 0)\n"
	"under blobs/sha256/ and its metadata under primitives/NAME/VERSION.json.\n"
	"  PATH          a directory: its contents go to the image root (recursively);\n"
	"                an archive libarchive reads (tar, cpio, zip, 7z, iso, xar,\n"
	"                cab, lha, rar, warc; compressed or not): its members at\n"
	"                their own paths; any other file: at /BASENAME;\n"
	"                SRC=DEST: SRC (file or directory) at DEST, never unpacked\n"
	"                (the way to store an archive such as a .jar as a file)\n"
	"  --kind K      executable (default), library, config, data or base\n"
	"  --depends D   a Debian relationship, e.g. 'libc6 (>= 2.34) | musl' (repeat)\n"
	"  --provides P  a virtual name, optionally '(= VERSION)' (repeat)\n"
	"  --conflicts C a relationship that may not be selected together (repeat)\n"
	"  --platform OS/ARCH[/VARIANT]   default: fits every platform\n"
	"  --license L   SPDX expression\n"
	"  --meta F      a JSON object with more metadata (scan, resources, labels,\n"
	"                allow, ...); command-line options add to it\n"
	"  --allow setuid  accept setuid/setgid files (also \"allow\": [\"setuid\"])\n"
	"Refused: absolute or '..' member paths, symlinks whose relative target climbs\n"
	"above the root, hardlinks to paths the primitive does not hold, members below\n"
	"a symlink, device nodes, fifos and sockets, setuid/setgid unless allowed.\n"
	"Adding an existing name and version with other content fails (exit 2);\n"
	"with the same content it changes nothing.\n";

static const char catalog_deb_help[] =
	"usage: cpolc catalog import-deb DIR [--allow setuid] FILE.deb...\n"
	"\n"
	"Import Debian binary packages: Package, Version, Architecture ('all' fits\n"
	"every platform, otherwise linux/ARCH), Depends and Pre-Depends (merged),\n"
	"Provides, Conflicts, Breaks and Installed-Size from the control file;\n"
	"data.tar becomes the content. kind is 'library' for lib* packages, else\n"
	"'executable'. Maintainer scripts (preinst, postinst, ...) are NOT run.\n";

struct strv {
	const char **v;
	size_t n, cap;
};

static void strv_push(struct strv *s, const char *x)
{
	xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = x;
}

static int report_added(int rc, const char *what, struct diag *d)
{
	if (rc < 0)
		return -1;
	if (rc > 0)
		fprintf(stderr, "cpolc: %s: already in the catalog with the same content\n", what);
	return 0;
}

static int catalog_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'n'},
		{"version", required_argument, NULL, 'v'},
		{"kind", required_argument, NULL, 'k'},
		{"depends", required_argument, NULL, 'd'},
		{"provides", required_argument, NULL, 'p'},
		{"conflicts", required_argument, NULL, 'c'},
		{"platform", required_argument, NULL, 'P'},
		{"license", required_argument, NULL, 'l'},
		{"meta", required_argument, NULL, 'm'},
		{"allow", required_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	struct cat_add_opts o = {0};
	struct strv dep = {0}, prov = {0}, conf = {0};
	struct diag d;
	int c, rc;

	if (want_help(argc, argv)) {
		fputs(catalog_add_help, stdout);
		return EXIT_OK;
	}
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o.name = optarg;
			break;
		case 'v':
			o.version = optarg;
			break;
		case 'k':
			o.kind = optarg;
			break;
		case 'd':
			strv_push(&dep, optarg);
			break;
		case 'p':
			strv_push(&prov, optarg);
			break;
		case 'c':
			strv_push(&conf, optarg);
			break;
		case 'P':
			o.platform = optarg;
			break;
		case 'l':
			o.license = optarg;
			break;
		case 'm':
			o.meta_file = optarg;
			break;
		case 'a':
			if (strcmp(optarg, "setuid")) {
				fprintf(stderr, "cpolc: catalog add: --allow takes 'setuid'\n");
				return EXIT_USAGE;
			}
			o.allow_setuid = true;
			break;
		default:
			fputs(catalog_add_help, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind < 2 || !o.name || !o.version) {
		fputs(catalog_add_help, stderr);
		return EXIT_USAGE;
	}
	o.depends = dep.v, o.ndepends = dep.n;
	o.provides = prov.v, o.nprovides = prov.n;
	o.conflicts = conf.v, o.nconflicts = conf.n;
	o.paths = (const char *const *)argv + optind + 1;
	o.npaths = (size_t)(argc - optind - 1);
	diag_init(&d);
	rc = report_added(cat_add(argv[optind], &o, &d), o.name, &d);
	free(dep.v);
	free(prov.v);
	free(conf.v);
	return diag_exit(&d, rc < 0 ? EXIT_USAGE : EXIT_OK);
}

static int catalog_import_deb(int argc, char **argv)
{
	struct diag d;
	bool allow = false;
	int first = 2, failed = 0;

	if (want_help(argc, argv)) {
		fputs(catalog_deb_help, stdout);
		return EXIT_OK;
	}
	if (argc > 3 && !strcmp(argv[2], "--allow") && !strcmp(argv[3], "setuid"))
		allow = true, first = 4;
	if (argc < first + 1 || argv[1][0] == '-') {
		fputs(catalog_deb_help, stderr);
		return EXIT_USAGE;
	}
	diag_init(&d);
	for (int i = first; i < argc; i++)
		if (report_added(cat_import_deb(argv[1], argv[i], allow, &d), argv[i], &d) < 0)
			failed = 1;
	return diag_exit(&d, failed ? EXIT_USAGE : EXIT_OK);
}

/* Names in byte order, versions highest first. */
static void print_list(const struct catset *cs, bool json)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < cs->nprims; i++) {
		const struct cat_prim *p = cs->prims[i];
		char *plat = p->os ? xasprintf("%s/%s", p->os, p->arch) : xstrdup("any");
		if (!json) {
			printf("%s\t%s\t%s\t%s\t%" PRIu64 "\t%s\n", p->name, p->version, p->kind, plat,
			       p->size, p->digest);
		} else {
			json_t *o = json_object();
			json_object_set_new(o, "name", json_string(p->name));
			json_object_set_new(o, "version", json_string(p->version));
			json_object_set_new(o, "kind", json_string(p->kind));
			json_object_set_new(o, "platform", p->os ? json_string(plat) : json_null());
			json_object_set_new(o, "size", json_integer((json_int_t)p->size));
			json_object_set_new(o, "digest", json_string(p->digest));
			json_array_append_new(arr, o);
		}
		free(plat);
	}
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	}
	json_decref(arr);
}

static int catalog_list(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : NULL;
	struct catset cs;
	struct diag d;
	bool json = false;

	if (argc == 4 && !strcmp(argv[2], "--format") &&
	    (!strcmp(argv[3], "json") || !strcmp(argv[3], "text")))
		json = !strcmp(argv[3], "json");
	else if (argc != 2) {
		fputs("usage: cpolc catalog list DIR [--format text|json]\n", stderr);
		return EXIT_USAGE;
	}
	diag_init(&d);
	if (catset_open(&cs, &dir, 1, &d) < 0)
		return diag_exit(&d, EXIT_USAGE);
	print_list(&cs, json);
	catset_release(&cs);
	return diag_exit(&d, EXIT_OK);
}

static int catalog_show(int argc, char **argv)
{
	const char *dir = argc == 3 ? argv[1] : NULL;
	struct catset cs;
	struct cat_prim *const *v;
	const struct cat_prim *p = NULL;
	struct diag d;
	char *name, *at;
	size_t n;
	int rc = EXIT_USAGE;

	if (!dir) {
		fputs("usage: cpolc catalog show DIR NAME[@VERSION]\n"
		      "Print the metadata of NAME at VERSION (default: the highest version).\n",
		      stderr);
		return EXIT_USAGE;
	}
	diag_init(&d);
	if (catset_open(&cs, &dir, 1, &d) < 0)
		return diag_exit(&d, EXIT_USAGE);
	name = xstrdup(argv[2]);
	at = strchr(name, '@');
	if (at)
		*at++ = '\0';
	v = catset_versions(&cs, name, &n);
	p = at ? catset_find(&cs, name, at) : n ? v[0] : NULL;
	if (!p)
		diag_error(&d, LOC_NONE, "catalog", "no primitive '%s' in '%s'", argv[2], dir);
	else if (cat_prim_load(p, &d) == 0) {
		json_dumpf(p->meta, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		rc = EXIT_OK;
	}
	free(name);
	catset_release(&cs);
	return diag_exit(&d, rc);
}

static int catalog_simple(int argc, char **argv, int nargs, const char *usage)
{
	struct diag d;
	int rc = EXIT_OK;

	if (argc != nargs + 1) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	diag_init(&d);
	if (!strcmp(argv[0], "init")) {
		rc = cat_init(argv[1], &d) < 0 ? EXIT_USAGE : EXIT_OK;
	} else if (!strcmp(argv[0], "set-scan")) {
		rc = cat_set_scan(argv[1], argv[2], argv[3], argv[4], &d) < 0 ? EXIT_USAGE : EXIT_OK;
	} else if (!strcmp(argv[0], "reindex")) {
		rc = cat_reindex(argv[1], &d) < 0 ? EXIT_USAGE : EXIT_OK;
	} else {
		int problems = cat_verify(argv[1], &d);
		if (problems < 0)
			return diag_exit(&d, EXIT_USAGE);
		if (problems)
			diag_error(&d, LOC_NONE, "catalog", "'%s': %d problem%s found", argv[1], problems,
				   problems == 1 ? "" : "s");
		rc = problems ? EXIT_MISMATCH : EXIT_OK;
	}
	return diag_exit(&d, rc);
}

static const char catalog_resolve_help[] =
	"usage: cpolc catalog resolve -C DIR... [--platform OS/ARCH] [--exclude NAME]...\n"
	"                             [--format json|text] NAME[OP VERSION]...\n"
	"\n"
	"Resolve the named primitives and their dependencies as a policy's includes\n"
	"would (OP is one of == != < <= > >=), without a policy. Prints the selected\n"
	"primitives (dependencies first) and the dependency edges. Exit 3 when the\n"
	"resolution fails.\n";

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
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		if (strncmp(p, ops[i], strlen(ops[i])))
			continue;
		p += strlen(ops[i]);
		while (*p == ' ')
			p++;
		q->op = xstrdup(ops[i]);
		q->constraint = xstrdup(p);
		return *p ? 0 : -1;
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

static int catalog_resolve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"catalog", required_argument, NULL, 'C'},
		{"platform", required_argument, NULL, 'p'},
		{"exclude", required_argument, NULL, 'x'},
		{"format", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	struct strv cats = {0};
	struct decision dec;
	struct catset cs;
	struct diag d;
	bool json = false;
	int c, rc = EXIT_OK;

	if (want_help(argc, argv)) {
		fputs(catalog_resolve_help, stdout);
		return EXIT_OK;
	}
	decision_init(&dec);
	dec.policy = xstrdup("resolve");
	while ((c = getopt_long(argc, argv, "C:", opts, NULL)) != -1) {
		switch (c) {
		case 'C':
			strv_push(&cats, optarg);
			break;
		case 'p':
			free(dec.platform);
			dec.platform = xstrdup(optarg);
			break;
		case 'x':
			xgrow((void **)&dec.excludes, &dec.capexcludes, dec.nexcludes + 1,
			      sizeof(*dec.excludes));
			dec.excludes[dec.nexcludes++] =
				(struct dec_exclude){xstrdup(optarg), xstrdup("<command line>")};
			break;
		case 'f':
			json = !strcmp(optarg, "json");
			break;
		default:
			rc = EXIT_USAGE;
		}
	}
	for (int i = optind; i < argc && rc == EXIT_OK; i++) {
		xgrow((void **)&dec.requests, &dec.caprequests, dec.nrequests + 1, sizeof(*dec.requests));
		if (parse_request(argv[i], &dec.requests[dec.nrequests++]) < 0) {
			fprintf(stderr, "cpolc: catalog resolve: bad request '%s'\n", argv[i]);
			rc = EXIT_USAGE;
		}
	}
	if (rc != EXIT_OK || !cats.n || optind >= argc) {
		if (rc == EXIT_OK)
			fputs(catalog_resolve_help, stderr);
		free(cats.v);
		decision_release(&dec);
		return EXIT_USAGE;
	}
	diag_init(&d);
	if (catset_open(&cs, cats.v, cats.n, &d) < 0) {
		rc = EXIT_USAGE;
	} else {
		if (res_resolve(&cs, &dec, NULL, NULL, &d) < 0)
			rc = EXIT_RESOLVE;
		else
			print_resolution(&dec, json);
		catset_release(&cs);
	}
	free(cats.v);
	decision_release(&dec);
	return diag_exit(&d, rc);
}

static int cmd_catalog(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (argc < 2 || !strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		fputs(catalog_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	argc--, argv++;
	if (!strcmp(sub, "add"))
		return catalog_add(argc, argv);
	if (!strcmp(sub, "import-deb"))
		return catalog_import_deb(argc, argv);
	if (!strcmp(sub, "resolve"))
		return catalog_resolve(argc, argv);
	if (want_help(argc, argv)) {
		fputs(catalog_usage, stdout);
		return EXIT_OK;
	}
	if (!strcmp(sub, "init"))
		return catalog_simple(argc, argv, 1, "usage: cpolc catalog init DIR\n");
	if (!strcmp(sub, "set-scan"))
		return catalog_simple(argc, argv, 4,
				      "usage: cpolc catalog set-scan DIR NAME VERSION FILE.json\n");
	if (!strcmp(sub, "verify"))
		return catalog_simple(argc, argv, 1,
				      "usage: cpolc catalog verify DIR\n"
				      "Recompute every blob and metadata digest; exit 4 on any mismatch.\n");
	if (!strcmp(sub, "reindex"))
		return catalog_simple(argc, argv, 1,
				      "usage: cpolc catalog reindex DIR\n"
				      "Rebuild the index from the metadata files.\n");
	if (!strcmp(sub, "list"))
		return catalog_list(argc, argv);
	if (!strcmp(sub, "show"))
		return catalog_show(argc, argv);
	fprintf(stderr, "cpolc: catalog: unknown subcommand '%s'\n%s", sub, catalog_usage);
	return EXIT_USAGE;
}

static const char graph_usage[] =
	"usage: cpolc graph POLICY.cpol|MODULE.cpolb [-r REQ|-] [-D K=V]... -C CATALOG...\n"
	"                   [--policy NAME] [--format dot|json] [--stdlib DIR]\n"
	"\n"
	"Print the dependency graph of the policy's decision: Graphviz DOT (render\n"
	"with 'dot -Tsvg') or JSON. Edges run from dependent to dependency; the\n"
	"policy's own includes are drawn bold.\n";

static int cmd_graph(int argc, char **argv)
{
	struct eval_opts o = {0};
	struct diag d;
	struct build b;
	enum build_status st;
	bool json;

	if (wants_help(argc, argv, graph_usage))
		return EXIT_OK;
	if (parse_eval_opts(argc, argv, &o, "rDCf") < 0 || !o.ncatalogs) {
		if (o.policy_path && !o.ncatalogs)
			fputs("cpolc: graph: no catalog given (-C DIR)\n", stderr);
		fputs(graph_usage, stderr);
		release_eval_opts(&o);
		return EXIT_USAGE;
	}
	json = o.format && !strcmp(o.format, "json");
	if (o.format && !json && strcmp(o.format, "dot")) {
		fprintf(stderr, "cpolc: graph: unknown format '%s' (dot or json)\n", o.format);
		release_eval_opts(&o);
		return EXIT_USAGE;
	}
	diag_init(&d);
	build_init(&b);
	st = decide(&o, &b, &d);
	if (st == BUILD_OK || st == BUILD_DENIED) {
		if (json) {
			json_t *j = res_graph_json(&b.dec);
			json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			putchar('\n');
			json_decref(j);
		} else {
			res_graph_dot(&b.dec, stdout);
		}
		st = BUILD_OK;
	}
	print_diags(&d);
	build_release(&b);
	diag_release(&d);
	release_eval_opts(&o);
	return (int)st;
}

/* ======================================================================
 * build, verify (composer)
 * ====================================================================== */

static const char build_usage[] =
	"usage: cpolc build POLICY.cpol|MODULE.cpolb [-r REQ|-] [-D K=V|-D K:=JSON]... [-C CATALOG]...\n"
	"                   [-o OUT] [--format oci-dir|oci-archive] [--tag T] [--policy NAME]\n"
	"                   [--lock FILE] [--locked] [--cache DIR|--no-cache] [--max-layers N]\n"
	"                   [--compression gzip|zstd|none] [-M DEPFILE [-MT TARGET]] [--stdlib DIR]\n"
	"\n"
	"Evaluate the policy, resolve its primitives from the catalogs, run its checks\n"
	"and write a reproducible OCI image (default POLICY.oci beside the policy) and\n"
	"a lock file (default POLICY.lock). Nothing is written when a step fails.\n"
	"SOURCE_DATE_EPOCH sets every timestamp (default 0).\n";

static bool parse_long(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Parse build's options into bo (strings borrowed from argv). */
static int parse_build_opts(int argc, char **argv, struct build_opts *bo, struct eval_opts *o)
{
	enum {
		O_FORMAT = 256,
		O_TAG,
		O_POLICY,
		O_LOCK,
		O_LOCKED,
		O_CACHE,
		O_NOCACHE,
		O_MAXL,
		O_COMP,
		O_STDLIB,
		O_MT
	};
	static const struct option opts[] = {
		{"format", required_argument, NULL, O_FORMAT},
		{"tag", required_argument, NULL, O_TAG},
		{"policy", required_argument, NULL, O_POLICY},
		{"lock", required_argument, NULL, O_LOCK},
		{"locked", no_argument, NULL, O_LOCKED},
		{"cache", required_argument, NULL, O_CACHE},
		{"no-cache", no_argument, NULL, O_NOCACHE},
		{"max-layers", required_argument, NULL, O_MAXL},
		{"compression", required_argument, NULL, O_COMP},
		{"stdlib", required_argument, NULL, O_STDLIB},
		{"MT", required_argument, NULL, O_MT},
		{NULL, 0, NULL, 0},
	};
	long long n;
	int c;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-MT"))
			argv[i] = "--MT";
	opterr = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:D:C:o:M:", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			bo->request = optarg;
			break;
		case 'D':
			push_arg(&o->defs, &o->ndefs, &o->capdefs, optarg);
			break;
		case 'C':
			push_arg(&o->catalogs, &o->ncatalogs, &o->capcatalogs, optarg);
			break;
		case 'o':
			bo->out = optarg;
			break;
		case 'M':
			bo->depfile = optarg;
			break;
		case O_MT:
			bo->depfile_target = optarg;
			break;
		case O_TAG:
			bo->tag = optarg;
			break;
		case O_POLICY:
			bo->policy = optarg;
			break;
		case O_LOCK:
			bo->lock_path = optarg;
			break;
		case O_LOCKED:
			bo->locked = true;
			break;
		case O_CACHE:
			bo->cache_dir = optarg;
			break;
		case O_NOCACHE:
			bo->no_cache = true;
			break;
		case O_STDLIB:
			bo->popts.stdlib_dir = optarg;
			break;
		case O_FORMAT:
			if (!strcmp(optarg, "oci-dir"))
				bo->format = OCI_FMT_DIR;
			else if (!strcmp(optarg, "oci-archive"))
				bo->format = OCI_FMT_ARCHIVE;
			else
				return fprintf(stderr, "cpolc: build: unknown format '%s'\n", optarg), -1;
			break;
		case O_COMP:
			if (!strcmp(optarg, "gzip"))
				bo->compression = OCI_COMP_GZIP;
			else if (!strcmp(optarg, "zstd"))
				bo->compression = OCI_COMP_ZSTD;
			else if (!strcmp(optarg, "none"))
				bo->compression = OCI_COMP_NONE;
			else
				return fprintf(stderr, "cpolc: build: unknown compression '%s'\n", optarg),
				       -1;
			break;
		case O_MAXL:
			if (!parse_long(optarg, 1, 1000000, &n))
				return fprintf(stderr, "cpolc: build: bad --max-layers '%s'\n", optarg), -1;
			bo->max_layers = (int)n;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc - 1)
		return fprintf(stderr, "cpolc: build: %s\n",
			       optind < argc ? "more than one policy given" : "no policy given"),
		       -1;
	bo->policy_path = argv[optind];
	bo->defs = o->defs;
	bo->ndefs = o->ndefs;
	bo->catalogs = (const char *const *)o->catalogs;
	bo->ncatalogs = o->ncatalogs;
	return 0;
}

/* SOURCE_DATE_EPOCH, as reproducible-builds.org specifies it. */
static int source_date_epoch(long long *epoch)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");

	*epoch = 0;
	if (!s || !*s)
		return 0;
	if (!parse_long(s, 0, 253402300799LL, epoch)) {
		fprintf(stderr, "cpolc: SOURCE_DATE_EPOCH '%s' is not a number of seconds\n", s);
		return -1;
	}
	return 0;
}

static int cmd_build(int argc, char **argv)
{
	struct eval_opts o = {0};
	struct build_opts bo = {0};
	struct diag d;
	struct build b;
	enum build_status st;

	if (wants_help(argc, argv, build_usage))
		return EXIT_OK;
	if (parse_build_opts(argc, argv, &bo, &o) < 0 || source_date_epoch(&bo.epoch) < 0) {
		fputs(build_usage, stderr);
		release_eval_opts(&o);
		return EXIT_USAGE;
	}
	diag_init(&d);
	build_init(&b);
	st = build_image(&b, &bo, &d);
	if (st == BUILD_DENIED)
		for (size_t i = 0; i < b.dec.ndenials; i++)
			fprintf(stderr, "%s: error: denied: %s [deny]\n", b.dec.denials[i].at,
				b.dec.denials[i].message);
	for (size_t i = 0; i < b.dec.nwarnings; i++)
		fprintf(stderr, "%s: warning: %s [warn]\n", b.dec.warnings[i].at, b.dec.warnings[i].message);
	print_diags(&d);
	build_release(&b);
	diag_release(&d);
	release_eval_opts(&o);
	return (int)st;
}

static const char verify_usage[] =
	"usage: cpolc verify --lock FILE IMAGE\n"
	"\n"
	"Check every blob of the OCI layout IMAGE against its digest and the lock's\n"
	"manifest, config and layer digests, then re-run the policy's admit filters\n"
	"and deny checks on the locked primitives with today's catalog metadata.\n"
	"IMAGE is DIR, or DIR:TAG for one of several images (without a tag, the\n"
	"image the lock names). Exit 4 on any mismatch.\n";

static int cmd_verify(int argc, char **argv)
{
	const char *lock = NULL, *image = NULL;
	struct diag d;
	int rc;

	if (wants_help(argc, argv, verify_usage))
		return EXIT_OK;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--lock") && i + 1 < argc)
			lock = argv[++i];
		else if (!strncmp(argv[i], "--lock=", 7))
			lock = argv[i] + 7;
		else if (argv[i][0] != '-' && !image)
			image = argv[i];
		else
			lock = image = NULL, i = argc;
	}
	if (!lock || !image) {
		fputs(verify_usage, stderr);
		return EXIT_USAGE;
	}
	diag_init(&d);
	rc = (int)build_verify(lock, image, &d);
	print_diags(&d);
	diag_release(&d);
	return rc;
}

static const char cache_usage[] =
	"usage: cpolc cache prune [--cache DIR] [--max-size N]\n"
	"\n"
	"Remove the least recently used layers until the cache holds at most N bytes\n"
	"(suffixes K, M, G for powers of 1024); without --max-size, remove them all.\n";

static bool parse_size(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v, mul = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return false;
	if (*end == 'K' || *end == 'k')
		mul = 1ULL << 10, end++;
	else if (*end == 'M' || *end == 'm')
		mul = 1ULL << 20, end++;
	else if (*end == 'G' || *end == 'g')
		mul = 1ULL << 30, end++;
	if (*end || v > ~0ULL / mul)
		return false;
	*out = v * mul;
	return true;
}

static int cmd_cache(int argc, char **argv)
{
	const char *dir = NULL;
	char *def = NULL;
	unsigned long long max = 0;
	struct diag d;
	long long removed;

	if (wants_help(argc, argv, cache_usage))
		return EXIT_OK;
	if (argc < 2 || strcmp(argv[1], "prune")) {
		fputs(cache_usage, stderr);
		return EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--cache") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strcmp(argv[i], "--max-size") && i + 1 < argc && parse_size(argv[i + 1], &max)) {
			i++;
		} else {
			fprintf(stderr, "cpolc: cache: bad argument '%s'\n%s", argv[i], cache_usage);
			return EXIT_USAGE;
		}
	}
	if (!dir)
		dir = def = cache_default_dir();
	diag_init(&d);
	removed = cache_prune(dir, max, &d);
	if (removed >= 0)
		printf("removed %lld bytes from '%s'\n", removed, dir);
	free(def);
	return diag_exit(&d, removed < 0 ? EXIT_USAGE : EXIT_OK);
}

/* ====================================================================== */

#define ARC DYNLIB_ARCHIVE
#define CRY DYNLIB_CRYPTO
static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	unsigned libs; /* what it needs of libarchive and libcrypto */
} commands[] = {
	{"build", cmd_build, ARC | CRY},   {"cache", cmd_cache, 0},   {"catalog", cmd_catalog, ARC | CRY},
	{"compile", cmd_compile, CRY},	   {"disasm", cmd_disasm, 0}, {"eval", cmd_eval, CRY},
	{"graph", cmd_graph, CRY},	   {"fmt", cmd_fmt, 0},	      {"lint", cmd_lint, 0},
	{"verify", cmd_verify, ARC | CRY},
};
#undef ARC
#undef CRY

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
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const char *err;
		unsigned libs = commands[i].libs;
		if (strcmp(argv[1], commands[i].name))
			continue;
		/* these write nothing: what they need is opened on first use */
		if (commands[i].fn == cmd_catalog && argc > 2 &&
		    (!strcmp(argv[2], "list") || !strcmp(argv[2], "show") || !strcmp(argv[2], "resolve")))
			libs = 0;
		if (dynlib_open(libs, &err) < 0) {
			fprintf(stderr, "cpolc: %s\n", err);
			return 127; /* as the dynamic loader exits when a library is missing */
		}
		return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "cpolc: '%s' is not a cpolc command; see 'cpolc --help'\n", argv[1]);
	return EXIT_USAGE;
}
