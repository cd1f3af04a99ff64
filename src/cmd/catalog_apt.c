/* catalog_apt.c - cpolc catalog import-apt and import-scan: catalogs from
 * package repositories and from the feeds scanners publish. */
#include "config.h"

#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cat.h"

int cmd_catalog_import_apt(int argc, char **argv)
{
	struct strvec archs = STRVEC_INIT;
	struct diag_opts dopts = DIAG_OPTS_INIT;
	struct cat_apt_opts ao = {0};
	struct cat_apt_sources file = {0};
	const char *keyring = NULL, *sources = NULL;
	int allow_rollback = 0;
	const struct opt opts[] = {
		OPT_LIST(0, "arch", &archs, "ARCH", "import the packages of ARCH (repeat; default amd64)"),
		OPT_STRING(0, "keyring", &keyring, "FILE",
			   "the keyring the Release must be signed with\n(default " CAT_APT_KEYRING ")"),
		OPT_STRING(0, "sources", &sources, "FILE",
			   "import the repositories of a deb822 .sources file\n(as in "
			   "/etc/apt/sources.list.d/)"),
		OPT_STRING(0, "gpgv", &ao.gpgv, "PROG", "the gpgv to run (default: gpgv from PATH)"),
		OPT_BOOL(0, "allow-rollback", &allow_rollback,
			 "accept a Release dated before the last one imported\nfrom the same URI and suite"),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "catalog import-apt",
		.usage = "catalog import-apt DIR URI SUITE COMPONENT... [--arch ARCH]... [--keyring FILE]\n"
			 "catalog import-apt DIR --sources FILE",
		.about = "Record every package of an apt repository (file://, http://, https://) in the\n"
			 "catalog DIR as metadata; a package's content is fetched the first time a build\n"
			 "selects it. The trust chain is apt's: the InRelease (or Release and\n"
			 "Release.gpg) is verified with gpgv against the keyring, Valid-Until is\n"
			 "enforced, a Release older than the last one imported is refused, each Packages "
			 "index is checked against the SHA256 the Release lists,\n"
			 "each .deb against the SHA256 of its stanza. Importing again adds new versions\n"
			 "and keeps the old ones. Nothing changes unless every check passes.\n",
		.opts = opts,
	};
	struct cat_apt_source one = {0};
	struct diag d;
	long n;
	int argn = opt_parse(&c, argc, argv), rc;

	if (argn < 0) {
		rc = opt_exit(argn);
		goto out;
	}
	if (argn < 1 || (sources ? argn != 1 : argn < 4)) {
		rc = opt_usage_error(&c, argn < 1  ? "no catalog given"
					 : sources ? "--sources takes the place of URI SUITE COMPONENT..."
						   : "URI, SUITE and a COMPONENT are needed");
		goto out;
	}
	ao.allow_rollback = allow_rollback;
	diag_init(&d);
	if (sources && cat_apt_sources_load(sources, &file, &d) < 0) {
		rc = cmd_report(&dopts, &d, EXIT_USAGE);
		goto out;
	}
	if (sources && (keyring || archs.n)) {
		for (size_t i = 0; i < file.n; i++) {
			if (keyring)
				file.v[i].keyring = keyring;
			if (archs.n)
				file.v[i].archs = (const char *const *)archs.v, file.v[i].narchs = archs.n;
		}
	}
	if (!sources)
		one = (struct cat_apt_source){argv[1],
					      argv[2],
					      (const char *const *)argv + 3,
					      (size_t)argn - 3,
					      archs.n ? (const char *const *)archs.v : NULL,
					      archs.n,
					      keyring};
	n = sources ? cat_import_apt(argv[0], file.v, file.n, &ao, &d)
		    : cat_import_apt(argv[0], &one, 1, &ao, &d);
	if (n >= 0)
		printf("%s: %ld packages\n", argv[0], n);
	rc = cmd_report(&dopts, &d, n < 0 ? EXIT_USAGE : EXIT_OK);
out:
	cat_apt_sources_release(&file);
	strvec_clear(&archs);
	return rc;
}

/* The primitives named NAME or NAME@VERSION: the highest version that fits
 * platform. Returns 0, or -1 after reporting. */
static int find_named(const struct catset *cs, char **names, int n, const char *platform,
		      const struct cat_prim **out, struct diag *d)
{
	int rc = 0;

	for (int i = 0; i < n; i++) {
		char *name = xstrdup(names[i]), *at = strchr(name, '@');
		struct cat_prim *const *v;
		size_t nv;
		if (at)
			*at++ = '\0';
		v = catset_versions(cs, name, &nv);
		out[i] = NULL;
		for (size_t j = 0; j < nv && !out[i]; j++)
			if ((!at || !strcmp(v[j]->version, at)) && cat_prim_fits(v[j], platform))
				out[i] = v[j];
		if (!out[i]) {
			diag_error(d, LOC_NONE, "catalog", "no primitive '%s' for %s", names[i], platform);
			rc = -1;
		}
		free(name);
	}
	return rc;
}

int cmd_catalog_fetch(int argc, char **argv)
{
	struct diag_opts dopts = DIAG_OPTS_INIT;
	const char *platform = "linux/amd64";
	long long parallel = 2;
	int download_only = 0;
	const struct opt opts[] = {
		OPT_STRING(0, "platform", &platform, "OS/ARCH", "the platform (default linux/amd64)"),
		OPT_INT('j', "jobs", &parallel, "N", 1, 16, "fetch N files at once (default 2)"),
		OPT_BOOL(0, "download-only", &download_only,
			 "fetch and check the .debs, and keep them for the next\nfetch or build to import"),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "catalog fetch",
		.usage = "catalog fetch DIR NAME[@VERSION]... [--platform OS/ARCH] [-j N] [--download-only]",
		.about = "Fetch the content of packages that catalog import-apt recorded, as a build\n"
			 "that selects them would (checked against the SHA256 of their Packages stanza),\n"
			 "so that later builds may run --offline. NAME alone means its highest version.\n",
		.opts = opts,
	};
	struct cat_fetch_opts fo = {.parallel = 0};
	const struct cat_prim **v;
	struct catset cs;
	struct diag d;
	bool shown = false;
	int n = opt_parse(&c, argc, argv), rc;

	if (n < 0)
		return opt_exit(n);
	if (n < 2)
		return opt_usage_error(&c, n ? "no NAME given" : "no catalog given");
	diag_init(&d);
	if (catset_open(&cs, (const char **)argv, 1, &d) < 0)
		return cmd_report(&dopts, &d, EXIT_USAGE);
	v = xcalloc((size_t)n, sizeof(*v));
	fo.parallel = (unsigned)parallel;
	fo.download_only = download_only;
	if (isatty(STDERR_FILENO))
		fo.progress = cmd_progress_line, fo.ctx = &shown;
	rc = find_named(&cs, argv + 1, n - 1, platform, v, &d) < 0 || cat_fetch(v, (size_t)n - 1, &fo, &d) < 0
		     ? EXIT_USAGE
		     : EXIT_OK;
	if (shown)
		fputc('\n', stderr);
	free(v);
	catset_release(&cs);
	return cmd_report(&dopts, &d, rc);
}

int cmd_catalog_import_scan(int argc, char **argv)
{
	static const char *const formats[] = {"osv", "grype", NULL};
	struct diag_opts dopts = DIAG_OPTS_INIT;
	int format = 0;
	const struct opt opts[] = {
		OPT_CHOICE(0, "format", &format, "F", formats,
			   "osv: OSV advisories (an object, an array, or a\n"
			   "directory of .json files); grype: 'grype -o json'"),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "catalog import-scan",
		.usage = "catalog import-scan DIR FILE [--format osv|grype]",
		.about = "Record what a vulnerability feed finds in the catalog's primitives as their scan\n"
			 "results (severity counts and CVE ids), all in one run. OSV advisories of apt\n"
			 "ecosystems name source packages and ranges of versions (Debian ordering); every\n"
			 "primitive gets a record, empty when nothing affects it. grype's matches name\n"
			 "packages at exact versions; only those get a record.\n",
		.opts = opts,
	};
	struct diag d;
	long n;
	int argn = opt_parse(&c, argc, argv);

	if (argn < 0)
		return opt_exit(argn);
	if (argn != 2)
		return opt_usage_error(&c, argn < 2 ? "DIR and FILE are needed" : "too many operands");
	diag_init(&d);
	n = cat_import_scan(argv[0], argv[1], format ? CAT_SCAN_GRYPE : CAT_SCAN_OSV, &d);
	if (n >= 0)
		printf("%s: %ld primitives with findings\n", argv[0], n);
	return cmd_report(&dopts, &d, n < 0 ? EXIT_USAGE : EXIT_OK);
}
