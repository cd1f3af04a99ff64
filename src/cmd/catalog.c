/* catalog.c - cpolc catalog: create, fill and inspect primitive catalogs.
 * The subcommands that take many options have files of their own
 * (catalog_add.c, catalog_resolve.c); the small ones are here. */
#include "config.h"

#include "cmd.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "dynlib.h"

/* A subcommand that takes exactly nargs operands and only the diagnostics
 * options: its help, and run, which does the work and returns the exit
 * status. */
struct simple {
	struct opt_cmd c;
	int nargs;
	int (*run)(char **argv, struct diag *d);
};

static int run_simple(const struct simple *s, int argc, char **argv)
{
	struct diag_opts dopts = DIAG_OPTS_INIT;
	const struct opt opts[] = {OPT_DIAG(&dopts), OPT_END()};
	struct opt_cmd c = s->c;
	struct diag d;
	int n;

	c.opts = opts;
	n = opt_parse(&c, argc, argv);
	if (n < 0)
		return opt_exit(n);
	if (n != s->nargs)
		return opt_usage_error(&c, "%s operands", n < s->nargs ? "too few" : "too many");
	diag_init(&d);
	return cmd_report(&dopts, &d, s->run(argv, &d));
}

static int init_run(char **argv, struct diag *d)
{
	return cat_init(argv[0], d) < 0 ? EXIT_USAGE : EXIT_OK;
}

static int set_scan_run(char **argv, struct diag *d)
{
	return cat_set_scan(argv[0], argv[1], argv[2], argv[3], d) < 0 ? EXIT_USAGE : EXIT_OK;
}

static int reindex_run(char **argv, struct diag *d)
{
	return cat_reindex(argv[0], d) < 0 ? EXIT_USAGE : EXIT_OK;
}

static int verify_run(char **argv, struct diag *d)
{
	int problems = cat_verify(argv[0], d);

	if (problems > 0)
		diag_error(d, LOC_NONE, "catalog", "'%s': %d problem%s found", argv[0], problems,
			   problems == 1 ? "" : "s");
	return problems < 0 ? EXIT_USAGE : problems ? EXIT_MISMATCH : EXIT_OK;
}

/* Names in byte order, versions highest first. */
static void print_list(const struct catset *cs, bool json)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < cs->nprims; i++) {
		const struct cat_prim *p = cs->prims[i];
		char *plat = p->os ? xasprintf("%s/%s", p->os, p->arch) : xstrdup("any");
		if (!json) { /* a package whose content is not fetched yet has no digest: "-" */
			printf("%s\t%s\t%s\t%s\t%" PRIu64 "\t%s\n", p->name, p->version, p->kind, plat,
			       p->size, p->digest ? p->digest : "-");
		} else {
			json_array_append_new(arr,
					      json_pack("{s:s,s:s,s:s,s:o,s:I,s:o}", "name", p->name,
							"version", p->version, "kind", p->kind, "platform",
							p->os ? json_string(plat) : json_null(), "size",
							(json_int_t)p->size, "digest",
							p->digest ? json_string(p->digest) : json_null()));
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
	static const char *const formats[] = {"text", "json", NULL};
	struct diag_opts dopts = DIAG_OPTS_INIT;
	int format = 0;
	const struct opt opts[] = {
		OPT_CHOICE(0, "format", &format, "F", formats,
			   "text: a line per primitive (name, version, kind,\n"
			   "platform, size, digest, tab-separated), or JSON"),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "catalog list",
		.usage = "catalog list DIR [--format text|json]",
		.about = "List every primitive of the catalog: names in byte order, versions\n"
			 "highest first.\n",
		.opts = opts,
	};
	struct catset cs;
	struct diag d;
	int n = opt_parse(&c, argc, argv);

	if (n < 0)
		return opt_exit(n);
	if (n != 1)
		return opt_usage_error(&c, n ? "more than one catalog given" : "no catalog given");
	diag_init(&d);
	if (catset_open(&cs, (const char **)argv, 1, &d) < 0)
		return cmd_report(&dopts, &d, EXIT_USAGE);
	print_list(&cs, format == 1);
	catset_release(&cs);
	return cmd_report(&dopts, &d, EXIT_OK);
}

static int show_run(char **argv, struct diag *d)
{
	const struct cat_prim *p;
	struct cat_prim *const *v;
	struct catset cs;
	char *name, *at;
	size_t nv;
	int rc = EXIT_USAGE;

	if (catset_open(&cs, (const char **)argv, 1, d) < 0)
		return EXIT_USAGE;
	name = xstrdup(argv[1]);
	at = strchr(name, '@');
	if (at)
		*at++ = '\0';
	v = catset_versions(&cs, name, &nv);
	p = at ? catset_find(&cs, name, at) : nv ? v[0] : NULL;
	if (!p) {
		diag_error(d, LOC_NONE, "catalog", "no primitive '%s' in '%s'", argv[1], argv[0]);
	} else if (cat_prim_load(p, d) == 0) {
		json_dumpf(p->meta, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		rc = EXIT_OK;
	}
	free(name);
	catset_release(&cs);
	return rc;
}

static const struct simple simple_cmds[] = {
	{{.name = "catalog init",
	  .usage = "catalog init DIR",
	  .about = "Create an empty catalog in DIR (created if missing, or empty).\n"},
	 1,
	 init_run},
	{{.name = "catalog set-scan",
	  .usage = "catalog set-scan DIR NAME VERSION FILE.json",
	  .about = "Record the scan results of FILE.json (a JSON object: scanner, date,\n"
		   "critical, high, medium, low, cves) for NAME at VERSION. Scan results are\n"
		   "metadata: they may change, the content may not.\n"},
	 4,
	 set_scan_run},
	{{.name = "catalog reindex",
	  .usage = "catalog reindex DIR",
	  .about = "Rebuild the index from the metadata files.\n"},
	 1,
	 reindex_run},
	{{.name = "catalog verify",
	  .usage = "catalog verify DIR",
	  .about = "Recompute every blob and metadata digest and check every tar's members;\n"
		   "exit 4 on any mismatch.\n"},
	 1,
	 verify_run},
	{{.name = "catalog show",
	  .usage = "catalog show DIR NAME[@VERSION]",
	  .about = "Print the metadata of NAME at VERSION (default: the highest version).\n"},
	 2,
	 show_run},
};

static int catalog_init(int argc, char **argv)
{
	return run_simple(&simple_cmds[0], argc, argv);
}

static int catalog_set_scan(int argc, char **argv)
{
	return run_simple(&simple_cmds[1], argc, argv);
}

static int catalog_reindex(int argc, char **argv)
{
	return run_simple(&simple_cmds[2], argc, argv);
}

static int catalog_verify(int argc, char **argv)
{
	return run_simple(&simple_cmds[3], argc, argv);
}

static int catalog_show(int argc, char **argv)
{
	return run_simple(&simple_cmds[4], argc, argv);
}

#define RW (DYNLIB_ARCHIVE | DYNLIB_CRYPTO)
/* list, show and resolve write nothing: what they need is opened on first use */
static const struct cmd subcommands[] = {
	{"init", catalog_init, RW, "create an empty catalog"},
	{"add", cmd_catalog_add, RW, "add files, directories or archives as a primitive"},
	{"import-deb", cmd_catalog_import_deb, RW, "import Debian binary packages"},
	{"import-apt", cmd_catalog_import_apt, RW | DYNLIB_CURL, "record the packages of an apt repository"},
	{"fetch", cmd_catalog_fetch, RW | DYNLIB_CURL, "fetch the content of packages import-apt recorded"},
	{"set-scan", catalog_set_scan, RW, "record a primitive version's scan results"},
	{"import-scan", cmd_catalog_import_scan, RW, "record what a vulnerability feed finds, in bulk"},
	{"list", catalog_list, 0, "list the primitives"},
	{"show", catalog_show, 0, "print a primitive's metadata"},
	{"verify", catalog_verify, RW, "recompute every digest and check every tar"},
	{"reindex", catalog_reindex, RW, "rebuild the index from the metadata"},
	{"resolve", cmd_catalog_resolve, 0, "resolve names and their dependencies, without a policy"},
};
#undef RW

int cmd_catalog(int argc, char **argv)
{
	return cmd_dispatch("cpolc catalog", subcommands, ARRAY_SIZE(subcommands), argc - 1, argv + 1);
}
