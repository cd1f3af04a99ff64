/* verify.c - cpolc verify: check an image against its lock file. */
#include "config.h"

#include "cmd.h"

int cmd_verify(int argc, char **argv)
{
	struct diag_opts dopts = DIAG_OPTS_INIT;
	const char *lock = NULL;
	int digests_only = 0;
	const struct opt opts[] = {
		OPT_STRING(0, "lock", &lock, "FILE", "the lock file the image was built with (required)"),
		OPT_BOOL_F(0, "digests-only", &digests_only,
			   "check the image against the lock's digests only:\n"
			   "no policy, no catalogs, no layer derived",
			   OPT_NONEG),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "verify",
		.usage = "verify --lock FILE [--digests-only] IMAGE",
		.about = "Check every blob of the OCI layout IMAGE against its digest and the lock's\n"
			 "manifest, config and layer digests, then re-run the policy's admit filters\n"
			 "and deny checks on the locked primitives with today's catalog metadata.\n"
			 "IMAGE is DIR, or DIR:TAG for one of several images (without a tag, the\n"
			 "image the lock names). Exit 4 on any mismatch. With --digests-only, check\n"
			 "the index, manifest, config and every layer blob against the lock's digests\n"
			 "and sizes, without the policy or the catalogs.\n",
		.opts = opts,
	};
	struct diag d;
	int n = opt_parse(&c, argc, argv);

	if (n < 0)
		return opt_exit(n);
	if (n != 1)
		return opt_usage_error(&c, n ? "more than one image given" : "no image given");
	if (!lock)
		return opt_usage_error(&c, "no lock file given (--lock FILE)");
	diag_init(&d);
	return cmd_report(&dopts, &d,
			  (int)(digests_only ? build_verify_digests : build_verify)(lock, argv[0], &d));
}
