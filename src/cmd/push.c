/* push.c - cpolc push: copy an image of an OCI layout to a registry. */
#include "config.h"

#include "cmd.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *const tls_verify_names[] = {"true", "false", NULL};

void push_args_release(struct push_args *pa)
{
	strvec_clear(&pa->mount_from);
}

static void human(uint64_t n, char out[32])
{
	if (n < 10u << 20)
		snprintf(out, 32, "%.1f KiB", (double)n / 1024);
	else
		snprintf(out, 32, "%.1f MiB", (double)n / (1024 * 1024));
}

/* The progress line, redrawn in place on stderr. */
static void show_progress(void *ctx, const struct registry_progress *p)
{
	char done[32], all[32];

	(void)ctx;
	human(p->all_done, done);
	human(p->all, all);
	fprintf(stderr, "\rpushing blob %zu of %zu, %s of %s\033[K", p->blob, p->nblobs, done, all);
	fflush(stderr);
}

int cmd_push_image(const struct push_args *pa, const char *layout, const char *tag,
		   const struct registry_ref *dest, struct diag *d)
{
	struct registry_opts o = {
		.creds = pa->creds,
		.auth_file = pa->authfile,
		.insecure = pa->tls_verify == 1,
		.ca_file = pa->ca_file,
		.cert_dir = pa->cert_dir,
		.chunk_size = pa->chunk_size,
		.jobs = (int)pa->jobs,
		.no_referrers = pa->no_referrers,
	};
	struct registry_push_result res;
	bool tty = isatty(STDERR_FILENO);
	enum registry_status st;
	char *ref;

	if (tty)
		o.progress = show_progress;
	st = registry_push_layout(layout, tag, dest, &o, (const char *const *)pa->mount_from.v,
				  pa->mount_from.n, &res, d);
	if (tty)
		fprintf(stderr, "\r\033[K");
	if (st == REGISTRY_OK) {
		struct registry_ref shown = *dest;
		shown.tag = res.tag;
		shown.digest = NULL;
		ref = registry_ref_str(&shown);
		printf("%s %s %zu blobs pushed", ref, res.digest, res.pushed);
		if (res.mounted)
			printf(" (%zu mounted)", res.mounted);
		printf(", %zu skipped", res.skipped);
		if (res.referrers)
			printf(", %zu referrer%s", res.referrers, res.referrers == 1 ? "" : "s");
		printf("\n");
		free(ref);
	}
	registry_push_result_release(&res);
	return st == REGISTRY_OK ? EXIT_OK : st == REGISTRY_BAD_INPUT ? EXIT_USAGE : EXIT_REGISTRY;
}

int cmd_push(int argc, char **argv)
{
	struct diag_opts dopts = DIAG_OPTS_INIT;
	struct push_args pa = {0};
	const struct opt opts[] = {
		OPT_GROUP("registry:"),
		OPT_PUSH(&pa),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "push",
		.usage = "push [--creds USER:PASSWORD] [--tls-verify=false] LAYOUT[:TAG] REGISTRY/REPO[:TAG]",
		.about = "Copy the image tagged TAG (without one: the only image) of the OCI layout\n"
			 "LAYOUT to the repository REPO of the registry REGISTRY (HOST[:PORT]), under\n"
			 "the tag given there, else the layout's tag. Blobs the registry has are\n"
			 "skipped; the manifest goes last, then its referrers (the SBOM) unless\n"
			 "--no-referrers. REGISTRY/REPO@DIGEST pushes by digest.\n"
			 "Exit 5 when the registry refuses or cannot be reached.\n",
		.opts = opts,
	};
	struct registry_ref dest;
	struct diag d;
	char *dir, *tag;
	int rc, n = opt_parse(&c, argc, argv);

	if (n < 0)
		return push_args_release(&pa), opt_exit(n);
	if (n != 2) {
		push_args_release(&pa);
		return opt_usage_error(&c,
				       n < 2 ? "a layout and a destination are needed" : "too many operands");
	}
	diag_init(&d);
	if (registry_ref_parse(argv[1], &dest, &d) < 0) {
		push_args_release(&pa);
		return cmd_report(&dopts, &d, EXIT_USAGE);
	}
	oci_split_ref(argv[0], &dir, &tag);
	rc = cmd_push_image(&pa, dir, tag, &dest, &d);
	free(dir);
	free(tag);
	registry_ref_release(&dest);
	push_args_release(&pa);
	return cmd_report(&dopts, &d, rc);
}
