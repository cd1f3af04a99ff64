/* fmt.c - cpolc fmt: rewrite policies in the canonical layout. */
#include "config.h"

#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fmt.h"
#include "module.h"

enum fmt_mode { FMT_WRITE, FMT_CHECK, FMT_DIFF };

/* Read all of stdin, NUL-terminated, like read_file. */
static int read_stdin(char **data, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		sb_add(&sb, buf, n);
	if (ferror(stdin)) {
		sb_release(&sb);
		return -1;
	}
	*data = sb_detach(&sb, len);
	return 0;
}

/* Write the formatted text over path (through a symlink to its target),
 * keeping the mode. Returns 0 or -1 after a message. */
static int write_over(const char *path, const char *text, size_t len, struct diag *d)
{
	struct stat st;
	char *real = realpath(path, NULL);
	int rc = 0;

	if (!real || stat(real, &st) < 0 || write_file_atomic(real, text, len, st.st_mode & 07777) < 0) {
		diag_file_error(d, path, 0, 0, NULL, "cannot write '%s': %s", path, file_strerror(errno));
		rc = -1;
	}
	free(real);
	return rc;
}

/* Is path a policy source (its name, links resolved, ends in .cpol)? */
static bool source_file(const char *path, struct diag *d)
{
	char *real = realpath(path, NULL);
	bool ok = program_source_name(path) && (!real || program_source_name(real));

	free(real);
	if (!ok)
		diag_file_error(d, path, 0, 0, "io",
				"'%s' is not a policy source (the name of the file, links resolved, must end "
				"in .cpol)",
				path);
	return ok;
}

/* Format one file. Returns 0 (unchanged or rewritten), 1 (would change) or
 * EXIT_USAGE (unreadable, unwritable, syntax errors). */
static int fmt_file(const char *path, enum fmt_mode mode, struct diag *d)
{
	bool std = !strcmp(path, "-");
	char *text, *out;
	size_t len, outlen;
	uint32_t id;
	size_t bad;
	int rc = 0;

	if (!std && !source_file(path, d))
		return EXIT_USAGE;
	if ((std ? read_stdin(&text, &len) : read_file(path, &text, &len)) < 0) {
		diag_file_error(d, std ? "<stdin>" : path, 0, 0, NULL, "cannot read '%s': %s", path,
				file_strerror(errno));
		return EXIT_USAGE;
	}
	id = diag_add_file(d, std ? "<stdin>" : path, text, len);
	if (!utf8_valid(text, len, &bad))
		diag_no_quote(d, id); /* never show what a file that is no source holds */
	if (fmt_source(d, id, &out, &outlen) < 0)
		return EXIT_USAGE;
	if (std && mode == FMT_WRITE) {
		fwrite(out, 1, outlen, stdout);
	} else if (outlen != len || memcmp(out, text, len)) {
		rc = mode == FMT_WRITE ? 0 : 1;
		if (mode == FMT_CHECK) {
			printf("%s\n", path);
		} else if (mode == FMT_DIFF) {
			char *diff = fmt_diff(path, text, len, out, outlen);
			fputs(diff, stdout);
			free(diff);
		} else if (write_over(path, out, outlen, d) < 0) {
			rc = EXIT_USAGE;
		}
	}
	free(out);
	return rc;
}

int cmd_fmt(int argc, char **argv)
{
	struct diag_opts dopts = DIAG_OPTS_INIT;
	int check = 0, diff = 0;
	const struct opt opts[] = {
		OPT_BOOL_F(0, "check", &check, "write nothing; list the files that would change", OPT_NONEG),
		OPT_BOOL_F(0, "diff", &diff, "write nothing; print a unified diff of the changes", OPT_NONEG),
		OPT_DIAG(&dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "fmt",
		.usage = "fmt [--check|--diff] FILE...",
		.about = "Rewrite .cpol files in the canonical layout (see cpolc(1)): in place,\n"
			 "atomically and keeping the file mode, and only the files that change.\n"
			 "FILE '-' formats standard input to standard output. A file with syntax\n"
			 "errors is not formatted: its errors are reported.\n",
		.more = "Exit 0 when done (or, with --check and --diff, when every file is\n"
			"formatted), 1 when --check or --diff found a file to change, 2 on bad\n"
			"usage, an unreadable or unwritable file or syntax errors.\n",
		.opts = opts,
	};
	enum fmt_mode mode;
	struct diag d;
	int n = opt_parse(&c, argc, argv), rc = EXIT_OK;

	if (n < 0)
		return opt_exit(n);
	if (n == 0)
		return opt_usage_error(&c, "no file given");
	if (check && diff)
		return opt_usage_error(&c, "--check and --diff exclude each other");
	mode = check ? FMT_CHECK : diff ? FMT_DIFF : FMT_WRITE;
	diag_init(&d);
	for (int i = 0; i < n; i++) {
		int r = fmt_file(argv[i], mode, &d);
		if (r > rc)
			rc = r;
	}
	return cmd_report(&dopts, &d, rc);
}
