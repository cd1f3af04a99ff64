/* registry_driver.c - the pull side of include/registry.h against a real
 * registry, for tests/push.sh (which serve --store will use):
 *
 *   registry_driver [-k] manifest HOST REPO REF   GET and HEAD a manifest
 *   registry_driver [-k] blob HOST REPO DIGEST    HEAD a blob, print its URL
 *   registry_driver [-k] put HOST REPO REF FILE TYPE   PUT a manifest
 *   registry_driver [-k] push2 HOST REPO TAG LAYOUT    push it twice, one client
 *
 * -k: --tls-verify=false. Prints one line of results, or the diagnostics
 * and exits 1. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "util.h"

static int manifest(struct registry *r, char **a, struct diag *d)
{
	struct registry_manifest g, h;
	int rg = registry_manifest_get(r, a[1], a[2], false, &g, d);
	int rh = rg < 0 ? -1 : registry_manifest_get(r, a[1], a[2], true, &h, d);

	if (rg < 0 || rh < 0)
		return 1;
	if (rg == 0 || rh == 0) {
		printf("get %d head %d\n", rg, rh);
		return 0;
	}
	printf("get %s %s %zu head %s %s %zu\n", g.digest, g.media_type, g.len, h.digest, h.media_type,
	       h.len);
	registry_manifest_release(&g);
	registry_manifest_release(&h);
	return 0;
}

static int blob(struct registry *r, char **a, struct diag *d)
{
	uint64_t size = 0;
	int rc = registry_blob_exists(r, a[1], a[2], &size, d);
	char *url = registry_blob_url(r, a[1], a[2]);

	if (rc < 0)
		return 1;
	printf("exists %d size %llu url %s\n", rc, (unsigned long long)size, url ? url : "(none)");
	free(url);
	return 0;
}

static int put(struct registry *r, char **a, struct diag *d)
{
	char *data, digest[72];
	size_t len;

	if (read_file(a[3], &data, &len) < 0) {
		perror(a[3]);
		return 1;
	}
	if (registry_manifest_put(r, a[1], a[2], a[4], data, len, digest, d) < 0) {
		free(data);
		return 1;
	}
	printf("put %s\n", digest);
	free(data);
	return 0;
}

/* registry_push_image twice through one client. */
static int push2(struct registry *r, char **a, struct diag *d)
{
	for (int i = 0; i < 2; i++) {
		struct registry_push_result res;
		if (registry_push_image(r, a[3], NULL, a[1], a[2], NULL, 0, &res, d) != REGISTRY_OK)
			return 1;
		printf("%s%s %zu pushed %zu skipped", i ? ", " : "", res.digest, res.pushed, res.skipped);
		registry_push_result_release(&res);
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct registry_opts o = {0};
	struct registry *r;
	struct diag d;
	int rc = 2;

	if (argc > 1 && !strcmp(argv[1], "-k")) {
		o.insecure = true;
		argv++, argc--;
	}
	if (argc < 5) {
		fprintf(stderr, "usage: registry_driver [-k] manifest|blob|put HOST REPO REF [FILE TYPE]\n");
		return 2;
	}
	diag_init(&d);
	r = registry_new(argv[2], &o);
	if (!strcmp(argv[1], "manifest"))
		rc = manifest(r, argv + 2, &d);
	else if (!strcmp(argv[1], "blob"))
		rc = blob(r, argv + 2, &d);
	else if (!strcmp(argv[1], "put") && argc == 7)
		rc = put(r, argv + 2, &d);
	else if (!strcmp(argv[1], "push2") && argc == 6)
		rc = push2(r, argv + 2, &d);
	registry_free(r);
	diag_print(&d, stderr, DIAG_FMT_GCC, 0);
	diag_release(&d);
	return rc;
}
