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
#include <unistd.h>

#include "cat.h"
#include "decision.h"
#include "diag.h"
#include "res.h"
#include "util.h"

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
	"  catalog   create, fill and inspect primitive catalogs\n"
	"\n"
	"Run 'cpolc COMMAND --help' for a command's options.\n";



/* ======================================================================
 * lint (front end)
 * ====================================================================== */

static int cmd_lint(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cpolc: lint: not implemented yet\n", stderr);
	return EXIT_USAGE;
}

/* ======================================================================
 * eval, compile, disasm (compiler and VM)
 * ====================================================================== */

static int cmd_eval(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cpolc: eval: not implemented yet\n", stderr);
	return EXIT_USAGE;
}

static int cmd_compile(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cpolc: compile: not implemented yet\n", stderr);
	return EXIT_USAGE;
}

static int cmd_disasm(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cpolc: disasm: not implemented yet\n", stderr);
	return EXIT_USAGE;
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

static int diag_exit(struct diag *d, int code)
{
	diag_print(d, stderr, DIAG_FMT_GCC, isatty(2) ? DIAG_CARET : 0);
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
		{ "name", required_argument, NULL, 'n' },    { "version", required_argument, NULL, 'v' },
		{ "kind", required_argument, NULL, 'k' },    { "depends", required_argument, NULL, 'd' },
		{ "provides", required_argument, NULL, 'p' }, { "conflicts", required_argument, NULL, 'c' },
		{ "platform", required_argument, NULL, 'P' }, { "license", required_argument, NULL, 'l' },
		{ "meta", required_argument, NULL, 'm' },    { "allow", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct cat_add_opts o = { 0 };
	struct strv dep = { 0 }, prov = { 0 }, conf = { 0 };
	struct diag d;
	int c, rc;

	if (want_help(argc, argv)) {
		fputs(catalog_add_help, stdout);
		return EXIT_OK;
	}
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': o.name = optarg; break;
		case 'v': o.version = optarg; break;
		case 'k': o.kind = optarg; break;
		case 'd': strv_push(&dep, optarg); break;
		case 'p': strv_push(&prov, optarg); break;
		case 'c': strv_push(&conf, optarg); break;
		case 'P': o.platform = optarg; break;
		case 'l': o.license = optarg; break;
		case 'm': o.meta_file = optarg; break;
		case 'a':
			if (strcmp(optarg, "setuid")) {
				fprintf(stderr, "cpolc: catalog add: --allow takes 'setuid'\n");
				return EXIT_USAGE;
			}
			o.allow_setuid = true;
			break;
		default: fputs(catalog_add_help, stderr); return EXIT_USAGE;
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

	if (argc == 4 && !strcmp(argv[2], "--format") && (!strcmp(argv[3], "json") || !strcmp(argv[3], "text")))
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
	static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">" };
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
		{ "catalog", required_argument, NULL, 'C' }, { "platform", required_argument, NULL, 'p' },
		{ "exclude", required_argument, NULL, 'x' }, { "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct strv cats = { 0 };
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
		case 'C': strv_push(&cats, optarg); break;
		case 'p': free(dec.platform); dec.platform = xstrdup(optarg); break;
		case 'x':
			xgrow((void **)&dec.excludes, &dec.capexcludes, dec.nexcludes + 1, sizeof(*dec.excludes));
			dec.excludes[dec.nexcludes++] = (struct dec_exclude){ xstrdup(optarg),
									     xstrdup("<command line>") };
			break;
		case 'f': json = !strcmp(optarg, "json"); break;
		default: rc = EXIT_USAGE;
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
		return catalog_simple(argc, argv, 4, "usage: cpolc catalog set-scan DIR NAME VERSION FILE.json\n");
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
