/* cache.c - cpolc cache: the layer cache. */
#include "config.h"

#include "cmd.h"

#include <stdio.h>
#include <inttypes.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

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

static void print_items(const struct cache_item *it, long long n, bool json)
{
	json_t *arr = json_array();
	uint64_t total = 0;
	char when[32];

	for (long long i = 0; i < n; i++, it++) {
		time_t t = (time_t)it->used;
		struct tm tm;
		if (it->present)
			total += it->size;
		if (it->present && gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d", &tm);
		else
			snprintf(when, sizeof(when), "missing");
		if (json)
			json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:I,s:s}", "key", it->key,
							     "digest", it->digest, "diffId", it->diff_id,
							     "size", (json_int_t)it->size, "used", when));
		else
			printf("%s\t%s\t%" PRIu64 "\t%s\n", it->key, it->digest, it->size, when);
	}
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		fprintf(stderr, "%lld layer%s, %" PRIu64 " bytes\n", n, n == 1 ? "" : "s", total);
	}
	json_decref(arr);
}

static int cache_list_cmd(int argc, char **argv)
{
	static const char *const formats[] = {"text", "json", NULL};
	struct diag_opts dopts = DIAG_OPTS_INIT;
	const char *dir = NULL;
	int format = 0;
	const struct opt opts[] = {
		OPT_STRING(0, "cache", &dir, "DIR", "the cache to list"),
		OPT_CHOICE(0, "format", &format, "F", formats,
			   "text: key, blob digest, size and the day of last use,\ntab-separated; or JSON"),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "cache list",
		.usage = "cache list [--cache DIR] [--format text|json]",
		.about = "List the layers in the cache, by key: the digest of the layer's recipe\n"
			 "(its primitives' content and the settings that shape its bytes). " CACHE_ABOUT,
		.opts = opts,
	};
	struct cache_item *items;
	char *def = NULL;
	struct diag d;
	long long n;
	int r = opt_parse(&c, argc, argv);

	if (r < 0)
		return opt_exit(r);
	if (r)
		return opt_usage_error(&c, "unexpected argument '%s'", argv[0]);
	if (!dir && !(dir = def = cache_default_dir()))
		return opt_usage_error(&c, "no cache: set CPOLC_CACHE or HOME, or give --cache DIR");
	diag_init(&d);
	n = cache_list(dir, &items, &d);
	if (n >= 0)
		print_items(items, n, format == 1);
	free(items);
	free(def);
	return cmd_report(&dopts, &d, n < 0 ? EXIT_USAGE : EXIT_OK);
}

static const struct cmd subcommands[] = {
	{"list", cache_list_cmd, 0, "list the layers in the cache"},
	{"prune", cache_prune_cmd, 0, "remove least recently used layers"},
};

int cmd_cache(int argc, char **argv)
{
	return cmd_dispatch("cpolc cache", subcommands, ARRAY_SIZE(subcommands), argc - 1, argv + 1);
}
