/* catalog_add.c - cpolc catalog add and catalog import-deb: put content
 * into a catalog. */
#include "config.h"

#include "cmd.h"

#include "cat.h"

static const char *const allow_words[] = {"setuid", NULL};

/* --max-size and --max-ratio, into l. */
#define OPT_LIMITS(size, ratio)                                                                              \
	OPT_SIZE(0, "max-size", size, "N", "at most N bytes read from one archive (default 8GiB)"),          \
		OPT_INT(0, "max-ratio", ratio, "R", 1, 1000000,                                              \
			"past its first 16 MiB, at most R times the archive's\n"                             \
			"size on disk (default 200)")

#define REFUSED                                                                                              \
	"Refused: absolute or '..' member paths, symlinks whose relative target climbs\n"                    \
	"above the root, hardlinks to paths the primitive does not hold, members below\n"                    \
	"a symlink, device nodes, fifos and sockets, setuid/setgid unless allowed.\n"

/* Report cat_add's "already there" (1) as a note. Returns 0 or -1. */
static int report_added(int r, const char *what, struct diag *d)
{
	if (r > 0)
		diag_note(d, LOC_NONE, "'%s': already in the catalog with the same content", what);
	return r < 0 ? -1 : 0;
}

int cmd_catalog_add(int argc, char **argv)
{
	struct cat_add_opts o = {0};
	struct strvec dep = STRVEC_INIT, prov = STRVEC_INIT, conf = STRVEC_INIT;
	struct diag_opts dopts = DIAG_OPTS_INIT;
	int allow = -1, n, rc;
	long long ratio = 0;
	const struct opt opts[] = {
		OPT_STRING(0, "name", &o.name, "N", "the primitive's name (required)"),
		OPT_STRING(0, "version", &o.version, "V", "its version (required)"),
		OPT_STRING(0, "kind", &o.kind, "K", "executable (default), library, config, data or base"),
		OPT_LIST(0, "depends", &dep, "D", "a Debian relationship: 'libc6 (>= 2.34) | musl' (repeat)"),
		OPT_LIST(0, "provides", &prov, "P", "a virtual name, optionally '(= VERSION)' (repeat)"),
		OPT_LIST(0, "conflicts", &conf, "C",
			 "a relationship that may not be selected with it (repeat)"),
		OPT_STRING(0, "platform", &o.platform, "OS/ARCH[/VARIANT]", "default: fits every platform"),
		OPT_STRING(0, "license", &o.license, "L", "an SPDX license expression"),
		OPT_STRING(0, "meta", &o.meta_file, "FILE",
			   "a JSON object with more metadata (scan, resources,\n"
			   "labels, allow, ...); the options above add to it"),
		OPT_CHOICE(0, "allow", &allow, "setuid", allow_words,
			   "accept setuid/setgid files (also \"allow\": [\"setuid\"])"),
		OPT_LIMITS(&o.limits.max_size, &ratio),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "catalog add",
		.usage = "catalog add DIR --name N --version V [options] PATH...",
		.about = "Store PATH... as one primitive: a canonical tar (sorted, owner 0:0, mtime 0)\n"
			 "under blobs/sha256/ and its metadata under primitives/NAME/VERSION.json.\n"
			 "PATH is a directory: its contents go to the image root (recursively); an\n"
			 "archive libarchive reads (tar, cpio, zip, 7z, iso, xar, cab, lha, rar, warc;\n"
			 "compressed or not): its members at their own paths; any other file: at\n"
			 "/BASENAME; or SRC=DEST: SRC (file or directory) at DEST, never unpacked\n"
			 "(the way to store an archive such as a .jar as a file).\n",
		.more = REFUSED "Adding an existing name and version with other content fails (exit 2);\n"
				"with the same content it changes nothing.\n",
		.opts = opts,
	};
	struct diag d;

	n = opt_parse(&c, argc, argv);
	if (n < 2 || !o.name || !o.version) {
		rc = n < 0   ? opt_exit(n)
		     : n < 2 ? opt_usage_error(&c, n ? "no PATH given" : "no catalog given")
			     : opt_usage_error(&c, "--name and --version are required");
		goto out;
	}
	o.depends = (const char *const *)dep.v, o.ndepends = dep.n;
	o.provides = (const char *const *)prov.v, o.nprovides = prov.n;
	o.conflicts = (const char *const *)conf.v, o.nconflicts = conf.n;
	o.allow_setuid = allow == 0;
	o.limits.max_ratio = (unsigned)ratio;
	o.paths = (const char *const *)argv + 1;
	o.npaths = (size_t)n - 1;
	diag_init(&d);
	rc = cmd_report(&dopts, &d,
			report_added(cat_add(argv[0], &o, &d), o.name, &d) < 0 ? EXIT_USAGE : EXIT_OK);
out:
	strvec_clear(&dep);
	strvec_clear(&prov);
	strvec_clear(&conf);
	return rc;
}

int cmd_catalog_import_deb(int argc, char **argv)
{
	struct diag_opts dopts = DIAG_OPTS_INIT;
	struct cat_import_opts io = {0};
	int allow = -1, failed = 0;
	long long ratio = 0;
	const struct opt opts[] = {
		OPT_CHOICE(0, "allow", &allow, "setuid", allow_words, "accept setuid/setgid files"),
		OPT_LIMITS(&io.limits.max_size, &ratio),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "catalog import-deb",
		.usage = "catalog import-deb DIR [--allow setuid] [--max-size N] [--max-ratio R] FILE.deb...",
		.about = "Import Debian binary packages: Package, Version, Architecture ('all' fits\n"
			 "every platform, otherwise linux/ARCH), Depends and Pre-Depends (merged),\n"
			 "Provides, Conflicts, Breaks and Installed-Size from the control file;\n"
			 "data.tar becomes the content. kind is 'library' for lib* packages, else\n"
			 "'executable'. Maintainer scripts (preinst, postinst, ...) are NOT run.\n",
		.more = REFUSED,
		.opts = opts,
	};
	struct diag d;
	int n = opt_parse(&c, argc, argv);

	if (n < 0)
		return opt_exit(n);
	if (n < 2)
		return opt_usage_error(&c, n ? "no .deb given" : "no catalog given");
	diag_init(&d);
	io.allow_setuid = allow == 0;
	io.limits.max_ratio = (unsigned)ratio;
	for (int i = 1; i < n; i++)
		if (report_added(cat_import_deb_opts(argv[0], argv[i], &io, &d), argv[i], &d) < 0)
			failed = 1;
	return cmd_report(&dopts, &d, failed ? EXIT_USAGE : EXIT_OK);
}
