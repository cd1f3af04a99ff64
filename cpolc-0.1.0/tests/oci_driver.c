/* oci_driver.c - drive the composer from the command line, for tests/oci.sh
 * and bench/compose.
 *
 *   oci_driver compose -o OUT [--archive] [--tag T] [--compression C] [--epoch N]
 *              [--cache DIR] [--max-layers N] [--jobs N] [--from DIR[:TAG]]
 *              [--platform P] [--config JSON] [--annotations JSON]
 *              [--layer NAME=TAR[@DIGEST][,TAR[@DIGEST]]...]... [--file PATH=TEXT[:MODE]]...
 *   oci_driver collisions --layer ...
 *   oci_driver verify DIR [--tag T] [--manifest DIGEST]
 *   oci_driver prune CACHE MAXBYTES
 *
 * compose prints "manifest DIGEST", "config DIGEST", then one line per
 * layer: "layer DIGEST DIFFID SIZE cached|built|base NAME".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "oci.h"
#include "util.h"

struct args {
	struct oci_opts o;
	struct oci_layer_src *srcs;
	size_t nsrcs;
	struct oci_file *files;
	size_t nfiles;
	json_t *config, *annotations;
	const char *platform, *tag, *manifest;
	char **owned; /* --layer lists the tar paths point into */
	size_t nowned;
};

static void die(const char *msg) __attribute__((noreturn));
static void die(const char *msg)
{
	fprintf(stderr, "oci_driver: %s\n", msg);
	exit(2);
}

static void add_layer(struct args *a, const char *spec)
{
	const char *eq = strchr(spec, '=');
	struct oci_layer_src *s;
	char *list, *tok, *save = NULL;
	const char **tars = NULL, **dgs = NULL;
	size_t n = 0;

	if (!eq)
		die("--layer wants NAME=TAR[,TAR]");
	list = xstrdup(eq + 1);
	a->owned = xrealloc(a->owned, (a->nowned + 1) * sizeof(*a->owned));
	a->owned[a->nowned++] = list;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *at = strchr(tok, '@');
		tars = xrealloc(tars, (n + 1) * sizeof(*tars));
		dgs = xrealloc(dgs, (n + 1) * sizeof(*dgs));
		if (at)
			*at = '\0';
		tars[n] = tok;
		dgs[n++] = at ? at + 1 : NULL;
	}
	a->srcs = xrealloc(a->srcs, (a->nsrcs + 1) * sizeof(*a->srcs));
	s = &a->srcs[a->nsrcs++];
	memset(s, 0, sizeof(*s));
	s->name = xstrndup(spec, (size_t)(eq - spec));
	s->tars = tars;
	s->tar_digests = dgs;
	s->ntars = n;
}

static void add_file(struct args *a, const char *spec)
{
	const char *eq = strchr(spec, '='), *colon;
	struct oci_file *f;

	if (!eq)
		die("--file wants PATH=TEXT[:MODE]");
	a->files = xrealloc(a->files, (a->nfiles + 1) * sizeof(*a->files));
	f = &a->files[a->nfiles++];
	f->path = xstrndup(spec, (size_t)(eq - spec));
	colon = strrchr(eq, ':');
	f->data = colon ? xstrndup(eq + 1, (size_t)(colon - eq - 1)) : xstrdup(eq + 1);
	f->len = strlen(f->data);
	f->mode = colon ? (unsigned)strtoul(colon + 1, NULL, 8) : 0;
}

static json_t *parse_json(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	if (!j)
		die(e.text);
	return j;
}

static void parse(struct args *a, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(k, "--archive") == 0) {
			a->o.format = OCI_FMT_ARCHIVE;
			continue;
		}
		if (strcmp(k, "--no-gc") == 0) {
			a->o.no_gc = true;
			continue;
		}
		if (!v)
			die("option needs a value");
		i++;
		if (strcmp(k, "-o") == 0)
			a->o.out = v;
		else if (strcmp(k, "--tag") == 0)
			a->o.tag = a->tag = v;
		else if (strcmp(k, "--compression") == 0)
			a->o.compression = strcmp(v, "zstd") == 0   ? OCI_COMP_ZSTD
					   : strcmp(v, "none") == 0 ? OCI_COMP_NONE
								    : OCI_COMP_GZIP;
		else if (strcmp(k, "--epoch") == 0)
			a->o.epoch = atoll(v);
		else if (strcmp(k, "--cache") == 0)
			a->o.cache_dir = v;
		else if (strcmp(k, "--max-layers") == 0)
			a->o.max_layers = atoi(v);
		else if (strcmp(k, "--jobs") == 0)
			a->o.jobs = atoi(v);
		else if (strcmp(k, "--from") == 0)
			a->o.from_layout = v;
		else if (strcmp(k, "--platform") == 0)
			a->platform = v;
		else if (strcmp(k, "--config") == 0)
			a->config = parse_json(v);
		else if (strcmp(k, "--annotations") == 0)
			a->annotations = parse_json(v);
		else if (strcmp(k, "--layer") == 0)
			add_layer(a, v);
		else if (strcmp(k, "--file") == 0)
			add_file(a, v);
		else if (strcmp(k, "--manifest") == 0)
			a->manifest = v;
		else
			die("unknown option");
	}
	if (a->nfiles) {
		struct oci_layer_src *s;
		a->srcs = xrealloc(a->srcs, (a->nsrcs + 1) * sizeof(*a->srcs));
		s = &a->srcs[a->nsrcs++];
		memset(s, 0, sizeof(*s));
		s->name = "files";
		s->files = a->files;
		s->nfiles = a->nfiles;
	}
}

static int do_compose(struct args *a, struct diag *d)
{
	struct oci_result res;
	size_t i;

	if (oci_compose(&a->o, a->srcs, a->nsrcs, a->config, a->annotations, a->platform, &res, d) < 0)
		return 1;
	printf("manifest %s\nconfig %s\n", res.manifest_digest, res.config_digest);
	for (i = 0; i < res.nlayers; i++) {
		const struct oci_layer_info *l = &res.layers[i];
		printf("layer %s %s %llu %s %s\n", l->digest, l->diff_id, (unsigned long long)l->size,
		       l->from_base ? "base"
		       : l->cached  ? "cached"
				    : "built",
		       l->name);
	}
	oci_result_release(&res);
	return 0;
}

static void free_args(struct args *a)
{
	size_t i;

	for (i = 0; i < a->nsrcs; i++) {
		if (a->srcs[i].files)
			continue; /* the "files" source: static name, files below */
		free((char *)a->srcs[i].name);
		free((void *)a->srcs[i].tars);
		free((void *)a->srcs[i].tar_digests);
	}
	free(a->srcs);
	for (i = 0; i < a->nfiles; i++) {
		free((char *)a->files[i].path);
		free((char *)a->files[i].data);
	}
	free(a->files);
	for (i = 0; i < a->nowned; i++)
		free(a->owned[i]);
	free(a->owned);
	json_decref(a->config);
	json_decref(a->annotations);
}

int main(int argc, char **argv)
{
	struct args a;
	struct diag d;
	int rc;

	memset(&a, 0, sizeof(a));
	diag_init(&d);
	if (argc < 2)
		die("usage: oci_driver compose|collisions|verify|prune ...");
	if (strcmp(argv[1], "verify") == 0) {
		if (argc < 3)
			die("verify DIR");
		parse(&a, argc - 3, argv + 3);
		rc = oci_verify_layout(argv[2], a.tag, a.manifest, &d) < 0;
	} else if (strcmp(argv[1], "prune") == 0) {
		if (argc != 4)
			die("prune CACHE MAXBYTES");
		rc = cache_prune(argv[2], strtoull(argv[3], NULL, 10), &d) < 0;
	} else {
		parse(&a, argc - 2, argv + 2);
		if (strcmp(argv[1], "collisions") == 0) {
			int n = oci_check_collisions(a.srcs, a.nsrcs, NULL, &d);
			rc = n > 0 ? 3 : n < 0;
		} else if (strcmp(argv[1], "compose") == 0) {
			rc = do_compose(&a, &d);
		} else {
			die("unknown command");
		}
	}
	diag_print(&d, stderr, DIAG_FMT_GCC, 0);
	diag_release(&d);
	free_args(&a);
	return rc;
}
