/* diff.c - cpolc diff: what changed between two lock files. */
#include "config.h"

#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lock.h"

static void print_value(FILE *out, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);

	fputs(s ? s : "?", out);
	free(s);
}

static const char *or_none(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "(none)";
}

/* "name VERSION (DIGEST)" of a primitive of lock_diff. */
static void print_prims(FILE *out, const char *what, const json_t *a)
{
	size_t i;
	json_t *p;

	json_array_foreach(a, i, p)
	{
		fprintf(out, "primitive %s: %s %s (%s)\n", what,
			json_string_value(json_object_get(p, "name")),
			json_string_value(json_object_get(p, "version")),
			or_none(json_object_get(p, "digest")));
	}
}

static void print_changed(FILE *out, const json_t *a)
{
	size_t i;
	json_t *c;

	json_array_foreach(a, i, c)
	{
		const json_t *f = json_object_get(c, "from"), *t = json_object_get(c, "to");
		const char *name = json_string_value(json_object_get(c, "name"));
		const char *fv = json_string_value(json_object_get(f, "version"));
		const char *tv = json_string_value(json_object_get(t, "version"));
		const char *fd = or_none(json_object_get(f, "digest")),
			   *td = or_none(json_object_get(t, "digest"));
		const char *fm = or_none(json_object_get(f, "metadataDigest"));
		const char *tm = or_none(json_object_get(t, "metadataDigest"));

		if (strcmp(fv, tv))
			fprintf(out, "primitive changed: %s %s -> %s (%s -> %s)\n", name, fv, tv, fd, td);
		else if (strcmp(fd, td))
			fprintf(out, "primitive changed: %s %s: content %s -> %s\n", name, fv, fd, td);
		if (!strcmp(fv, tv) && strcmp(fm, tm))
			fprintf(out, "primitive changed: %s %s: metadata %s -> %s\n", name, fv, fm, tm);
	}
}

static void print_config(FILE *out, const json_t *cfg)
{
	static const char *const parts[] = {"added", "removed", "changed"};
	const char *k;
	json_t *v;

	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		json_object_foreach(json_object_get(cfg, parts[i]), k, v)
		{
			fprintf(out, "config %s: %s ", parts[i], k);
			print_value(out, i < 2 ? v : json_object_get(v, "from"));
			if (i == 2) {
				fputs(" -> ", out);
				print_value(out, json_object_get(v, "to"));
			}
			fputc('\n', out);
		}
}

static void print_text(FILE *out, const json_t *j)
{
	const json_t *prims = json_object_get(j, "primitives");
	const char *k;
	json_t *v;

	print_prims(out, "added", json_object_get(prims, "added"));
	print_prims(out, "removed", json_object_get(prims, "removed"));
	print_changed(out, json_object_get(prims, "changed"));
	print_config(out, json_object_get(j, "config"));
	json_object_foreach(json_object_get(j, "image"), k, v)
		fprintf(out, "%s: %s -> %s\n", k, or_none(json_object_get(v, "from")),
			or_none(json_object_get(v, "to")));
}

int cmd_diff(int argc, char **argv)
{
	static const char *const formats[] = {"text", "json", NULL};
	struct diag_opts dopts = DIAG_OPTS_INIT;
	int format = 0, rc = EXIT_USAGE;
	const struct opt opts[] = {
		OPT_CHOICE(0, "format", &format, "F", formats, "print the differences as text or as JSON"),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "diff",
		.usage = "diff [--format text|json] A.lock B.lock",
		.about = "Print what changed from the lock file A to the lock file B: the primitives\n"
			 "added, removed and changed (version, content or metadata digest), the config\n"
			 "keys added, removed and changed, and the policy, platform, from image and\n"
			 "manifest. Exit 0 when they are the same, 1 when they differ, 2 on an error.\n",
		.opts = opts,
	};
	struct lock a, b;
	struct diag d;
	size_t ndiff;
	json_t *j;
	int n = opt_parse(&c, argc, argv);

	if (n < 0)
		return opt_exit(n);
	if (n != 2)
		return opt_usage_error(&c, "two lock files are needed, %d given", n);
	diag_init(&d);
	if (lock_load(argv[0], &a, &d) == 0 && lock_load(argv[1], &b, &d) == 0) {
		j = lock_diff(&a, &b, &ndiff);
		if (format == 1) {
			json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			putchar('\n');
		} else {
			print_text(stdout, j);
		}
		json_decref(j);
		lock_release(&b);
		rc = ndiff ? 1 : 0;
	}
	lock_release(&a);
	return cmd_report(&dopts, &d, rc);
}
