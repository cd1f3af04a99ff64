/* build.c - cpolc build: compose an OCI image from a policy, a request and
 * catalogs. */
#include "config.h"

#include "cmd.h"
#include "dynlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* SOURCE_DATE_EPOCH, as reproducible-builds.org specifies it. */
static int source_date_epoch(long long *epoch)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;

	*epoch = 0;
	if (!s || !*s)
		return 0;
	if (parse_size(s, &v) < 0 || s[strspn(s, "0123456789")] || v > 253402300799ULL) {
		fprintf(stderr, "cpolc: SOURCE_DATE_EPOCH '%s' is not a number of seconds\n", s);
		return -1;
	}
	*epoch = (long long)v;
	return 0;
}

struct build_args {
	struct policy_args pa;
	struct diag_opts dopts;
	const char *out, *tag, *lock, *cache, *depfile, *depfile_target, *push, *sbom;
	struct push_args push_opts;
	int format, compression, locked, locked_strict, no_cache, offline, quiet, json;
	long long max_layers;
};

static const char *const formats[] = {"oci-dir", "oci-archive", NULL};
static const char *const compressions[] = {"gzip", "zstd", "none", NULL};

static void apply(const struct build_args *a, const char *policy_path, struct build_opts *bo)
{
	static const enum oci_format fmt[] = {OCI_FMT_DIR, OCI_FMT_ARCHIVE};
	static const enum oci_compression comp[] = {OCI_COMP_GZIP, OCI_COMP_ZSTD, OCI_COMP_NONE};

	policy_args_apply(&a->pa, policy_path, bo);
	bo->out = a->out;
	bo->format = fmt[a->format];
	bo->tag = a->tag;
	bo->lock_path = a->lock;
	bo->locked = a->locked || a->locked_strict;
	bo->locked_strict = a->locked_strict;
	bo->cache_dir = a->cache;
	bo->no_cache = a->no_cache;
	bo->max_layers = (int)a->max_layers;
	bo->compression = comp[a->compression];
	bo->offline = a->offline;
	bo->depfile = a->depfile;
	bo->depfile_target = a->depfile_target;
	bo->sbom = a->sbom;
}

static void release_args(struct build_args *a)
{
	policy_args_release(&a->pa);
	push_args_release(&a->push_opts);
}

/* The word on success: one line to stderr unless -q, and with --json a
 * summary on stdout. */
static void say_built(const struct build_args *a, const struct build *b)
{
	const struct build_summary *s = &b->image;
	char size[SIZE_TEXT_MAX];
	json_t *j;

	if (a->json) {
		j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "policy", b->dec.policy, "image",
			      s->out, "tag", s->tag, "digest", s->manifest_digest, "lock", s->lock, "layers",
			      (json_int_t)s->nlayers, "size", (json_int_t)s->size, "platform",
			      b->dec.platform ? b->dec.platform : "");
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(j);
	}
	if (!a->quiet)
		fprintf(stderr, "%s:%s %s %zu layer%s, %s\n", s->out, s->tag, s->manifest_digest, s->nlayers,
			s->nlayers == 1 ? "" : "s", format_size(s->size, size));
}

/* Build, then push what the build wrote: the destination is checked and
 * libcurl opened first, so that neither stops the push after the build. */
static int build_and_push(struct build_args *a, struct build_opts *bo, struct diag *d)
{
	struct registry_ref dest;
	struct build b;
	const char *err;
	char *out;
	int rc;

	if (registry_ref_parse(a->push, &dest, d) < 0) {
		release_args(a);
		return cmd_report(&a->dopts, d, EXIT_USAGE);
	}
	if (dynlib_open(DYNLIB_CURL, &err) < 0) {
		fprintf(stderr, "cpolc: %s\n", err);
		registry_ref_release(&dest);
		release_args(a);
		diag_release(d);
		return EXIT_NOLIB;
	}
	build_init(&b);
	rc = (int)build_image(&b, bo, d);
	decision_report(&b.dec, d);
	if (rc == EXIT_OK) {
		say_built(a, &b);
		out = bo->out ? xstrdup(bo->out) : build_default_path(bo->policy_path, ".oci");
		rc = cmd_push_image(&a->push_opts, out, bo->tag ? bo->tag : b.dec.policy, &dest, d);
		free(out);
	}
	build_release(&b);
	registry_ref_release(&dest);
	release_args(a);
	return cmd_report(&a->dopts, d, rc);
}

static const char build_usage[] =
	"build POLICY.cpol|MODULE.cpolb [-r REQ|-] [-D K=V|-D K:=JSON]... [-C CATALOG]...\n"
	"      [-o OUT] [--format oci-dir|oci-archive] [--tag T] [--policy NAME]\n"
	"      [--lock FILE] [--locked|--locked-strict] [--cache DIR|--no-cache]\n"
	"      [--max-layers N] [--compression gzip|zstd|none] [-M DEPFILE [-MT TARGET]]\n"
	"      [--stdlib DIR] [-q] [--json] [--offline] [--sbom FILE]\n"
	"      [--push REGISTRY/REPO[:TAG] [--creds USER:PASSWORD] [--tls-verify=false]]";
static const char build_about[] =
	"Evaluate the policy, resolve its primitives from the catalogs, run its checks\n"
	"and write a reproducible OCI image (default POLICY.oci beside the policy) and\n"
	"a lock file (default POLICY.lock, or POLICY@TAG.lock with --tag). Nothing is\n"
	"written when a step fails.\n"
	"On success, print 'OUT:TAG DIGEST N layers, SIZE' to standard error.\n"
	"SOURCE_DATE_EPOCH sets every timestamp (default 0). With --push, then push\n"
	"the image as 'cpolc push' does (exit 5 when the registry fails).\n";

int cmd_build(int argc, char **argv)
{
	struct build_args a = {.dopts = DIAG_OPTS_INIT};
	const struct opt opts[] = {
		OPT_POLICY_INPUTS(&a.pa),
		OPT_GROUP("output:"),
		OPT_STRING('o', "output", &a.out, "OUT", "write the image to OUT (default: POLICY.oci)"),
		OPT_CHOICE(0, "format", &a.format, "F", formats, "an OCI layout directory or an oci-archive"),
		OPT_STRING(0, "tag", &a.tag, "T", "the image's tag in the layout (default: the policy name)"),
		OPT_CHOICE(0, "compression", &a.compression, "C", compressions, "how layers are compressed"),
		OPT_INT(0, "max-layers", &a.max_layers, "N", 1, 1000000,
			"at most N layers: the smallest primitives share one\n(default 100)"),
		OPT_STRING(0, "lock", &a.lock, "FILE",
			   "write the lock file to FILE (default: POLICY.lock,\nPOLICY@T.lock with --tag T)"),
		OPT_BOOL(0, "locked", &a.locked,
			 "fail (exit 4) when the resolution or the image would\n"
			 "differ from the lock's; other changes are notes"),
		OPT_BOOL(0, "locked-strict", &a.locked_strict,
			 "as --locked, and fail when any input the lock\nrecords changed (modules, request, "
			 "metadata)"),
		OPT_STRING(0, "sbom", &a.sbom, "FILE", "also write the image's SPDX SBOM to FILE"),
		OPT_STRING(0, "cache", &a.cache, "DIR", "the layer cache (default: see ENVIRONMENT)"),
		OPT_BOOL_F(0, "no-cache", &a.no_cache, "use no layer cache", OPT_NONEG),
		OPT_BOOL(0, "offline", &a.offline,
			 "fetch nothing: fail when a selected package of an apt\nrepository has no content "
			 "yet"),
		OPT_STRING('M', NULL, &a.depfile, "DEPFILE",
			   "write a Make rule naming every file the build read"),
		OPT_STRING_F(0, "MT", &a.depfile_target, "TARGET", "the target of that rule", OPT_DASH),
		OPT_BOOL_F('q', "quiet", &a.quiet, "print nothing on success", OPT_NONEG),
		OPT_BOOL_F(0, "json", &a.json,
			   "print a summary of the image to standard output\n"
			   "(policy, image, tag, digest, lock, layers, size)",
			   OPT_NONEG),
		OPT_GROUP("push:"),
		OPT_STRING(0, "push", &a.push, "REGISTRY/REPO[:TAG]",
			   "after the build, push the image to REPO of REGISTRY\n(tag: the image's)"),
		OPT_PUSH(&a.push_opts),
		OPT_DIAG(&a.dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "build",
		.usage = build_usage,
		.about = build_about,
		.opts = opts,
	};
	struct build_opts bo = {0};
	bool shown = false;
	struct build b;
	struct diag d;
	enum build_status st;
	int rc = cmd_parse_policy(&c, argc, argv);

	if (rc < 0 && source_date_epoch(&bo.epoch) < 0)
		rc = EXIT_USAGE;
	if (rc < 0 && a.push && a.format != 0)
		rc = opt_usage_error(&c, "--push needs --format oci-dir");
	if (rc >= 0) {
		release_args(&a);
		return rc;
	}
	apply(&a, argv[0], &bo);
	if (isatty(STDERR_FILENO))
		bo.progress = cmd_progress_line, bo.progress_ctx = &shown;
	diag_init(&d);
	if (a.push)
		return build_and_push(&a, &bo, &d);
	build_init(&b);
	st = build_image(&b, &bo, &d);
	if (shown)
		fputc('\n', stderr);
	decision_report(&b.dec, &d);
	if (st == BUILD_OK)
		say_built(&a, &b);
	build_release(&b);
	release_args(&a);
	return cmd_report(&a.dopts, &d, (int)st);
}
