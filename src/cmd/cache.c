/* cache.c - cpolc cache: the layer cache. */
#include "config.h"

#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>

#include "cache.h"

#define CACHE_ABOUT                                                                                          \
	"The cache is $CPOLC_CACHE, else $XDG_CACHE_HOME/cpolc, else ~/.cache/cpolc,\n"                      \
	"unless --cache names one.\n"

static int cache_prune_cmd(int argc, char **argv)
{
	struct diag_opts dopts = DIAG_OPTS_INIT;
	const char *dir = NULL;
	uint64_t max = 0;
	const struct opt opts[] = {
		OPT_STRING(0, "cache", &dir, "DIR", "the cache to prune"),
		OPT_SIZE(0, "max-size", &max, "N", "keep at most N bytes of layers (default 0)"),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "cache prune",
		.usage = "cache prune [--cache DIR] [--max-size N]",
		.about = "Remove the least recently used layers until the cache holds at most N bytes;\n"
			 "without --max-size, remove them all. " CACHE_ABOUT,
		.opts = opts,
	};
	char *def = NULL;
	struct diag d;
	long long removed;
	int n = opt_parse(&c, argc, argv);

	if (n < 0)
		return opt_exit(n);
	if (n)
		return opt_usage_error(&c, "unexpected argument '%s'", argv[0]);
	if (!dir && !(dir = def = cache_default_dir()))
		return opt_usage_error(&c, "no cache: set CPOLC_CACHE or HOME, or give --cache DIR");
	diag_init(&d);
	removed = cache_prune(dir, max, &d);
	if (removed >= 0)
		printf("removed %lld bytes from '%s'\n", removed, dir);
	free(def);
	return cmd_report(&dopts, &d, removed < 0 ? EXIT_USAGE : EXIT_OK);
}

static const struct cmd subcommands[] = {
	{"prune", cache_prune_cmd, 0, "remove least recently used layers"},
};

int cmd_cache(int argc, char **argv)
{
	return cmd_dispatch("cpolc cache", subcommands, ARRAY_SIZE(subcommands), argc - 1, argv + 1);
}
