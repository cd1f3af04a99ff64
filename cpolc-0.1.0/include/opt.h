/* opt.h - the one option parser of every cpolc command (after git's
 * parse-options).
 *
 * A command declares its options once, in a table that ends with OPT_END().
 * opt_parse reads argv against the table and prints --help, the usage line
 * and every error from it, so that every command spells and checks options
 * the same way:
 *
 *   --name=VALUE and --name VALUE; -xVALUE and -x VALUE; -ab for two flags;
 *   names are spelled in full (no abbreviations); a flag --name also has
 *   --no-name; '--' ends the options; '-' alone is an operand (standard
 *   input); options and operands may come in any order.
 *
 * Values are checked where they are parsed: a CHOICE must be one of its
 * words, an INT must lie in its range, a SIZE takes the size suffixes of
 * cpol(5) (KB..TB, KiB..TiB) and K, M, G, T for KiB..TiB.
 */
#ifndef CPOLC_OPT_H
#define CPOLC_OPT_H

#include <stdint.h>

enum opt_type {
	OPT_T_END,
	OPT_T_GROUP,  /* a heading in --help */
	OPT_T_BOOL,   /* int *: set to 1, or to 0 by --no-NAME */
	OPT_T_STRING, /* const char **: the value, borrowed from argv; the last wins */
	OPT_T_LIST,   /* struct strvec *: every value, in order */
	OPT_T_CHOICE, /* int *: the index of the value in choices */
	OPT_T_INT,    /* long long *: a decimal number in [min, max] */
	OPT_T_SIZE,   /* uint64_t *: a byte size */
};

#define OPT_NONEG  1u /* a BOOL without a --no-NAME */
#define OPT_DASH   2u /* spelled with one dash, as -Werror and -MT */
#define OPT_HIDDEN 4u /* accepted, not listed in --help */

struct opt {
	enum opt_type type;
	char short_name;       /* 'r' for -r, or 0 */
	const char *long_name; /* "request" for --request, or NULL */
	void *value;	       /* where the value goes; its type is the type's */
	const char *argh;      /* the value's name in --help: "FILE" */
	const char *help;      /* one line ('\n' starts another) */
	unsigned flags;
	const char *const *choices; /* CHOICE: the words, NULL-terminated */
	long long min, max;	    /* INT: the range */
};

#define OPT_END()                                                                                            \
	{                                                                                                    \
		.type = OPT_T_END                                                                            \
	}
#define OPT_GROUP(h)                                                                                         \
	{                                                                                                    \
		.type = OPT_T_GROUP, .help = (h)                                                             \
	}
#define OPT_BOOL_F(s, l, v, h, f)                                                                            \
	{                                                                                                    \
		.type = OPT_T_BOOL, .short_name = (s), .long_name = (l), .value = (v), .help = (h),          \
		.flags = (f)                                                                                 \
	}
#define OPT_BOOL(s, l, v, h) OPT_BOOL_F(s, l, v, h, 0)
#define OPT_STRING_F(s, l, v, a, h, f)                                                                       \
	{                                                                                                    \
		.type = OPT_T_STRING, .short_name = (s), .long_name = (l), .value = (v), .argh = (a),        \
		.help = (h), .flags = (f)                                                                    \
	}
#define OPT_STRING(s, l, v, a, h) OPT_STRING_F(s, l, v, a, h, 0)
#define OPT_LIST(s, l, v, a, h)                                                                              \
	{                                                                                                    \
		.type = OPT_T_LIST, .short_name = (s), .long_name = (l), .value = (v), .argh = (a),          \
		.help = (h)                                                                                  \
	}
#define OPT_CHOICE(s, l, v, a, c, h)                                                                         \
	{                                                                                                    \
		.type = OPT_T_CHOICE, .short_name = (s), .long_name = (l), .value = (v), .argh = (a),        \
		.help = (h), .choices = (c)                                                                  \
	}
#define OPT_INT(s, l, v, a, lo, hi, h)                                                                       \
	{                                                                                                    \
		.type = OPT_T_INT, .short_name = (s), .long_name = (l), .value = (v), .argh = (a),           \
		.help = (h), .min = (lo), .max = (hi)                                                        \
	}
#define OPT_SIZE(s, l, v, a, h)                                                                              \
	{                                                                                                    \
		.type = OPT_T_SIZE, .short_name = (s), .long_name = (l), .value = (v), .argh = (a),          \
		.help = (h)                                                                                  \
	}

/* A command as its --help shows it. */
struct opt_cmd {
	const char *name;	/* "catalog add": messages say "cpolc catalog add: ..." */
	const char *usage;	/* the synopsis, one line per form, without "usage: cpolc " */
	const char *about;	/* what the command does, printed after the usage, or NULL */
	const char *more;	/* printed after the options, or NULL */
	const struct opt *opts; /* the table */
};

enum { OPT_ERROR = -1, OPT_HELP = -2 };

/* Parse argv[1..argc-1] (argv[0] is the command's name) against c->opts and
 * store each value. Returns the number n of operands, moved to argv[0..n-1]
 * in order (argv[n] is NULL); or OPT_HELP after printing the help to stdout
 * (for --help or -h); or OPT_ERROR after printing what is wrong and the
 * usage to stderr. --completion-helper prints every option's spelling, one
 * a line ("--tag=" for one that takes a value, with a CHOICE's words after
 * it), and returns OPT_HELP. */
int opt_parse(const struct opt_cmd *c, int argc, char **argv);

/* The exit status for a negative opt_parse result: 0 for help, 2 else. */
int opt_exit(int r);

/* Report a usage error found after parsing: "cpolc NAME: MESSAGE" and the
 * usage, on stderr. Returns 2, the exit status of a usage error. */
int opt_usage_error(const struct opt_cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print the help of c to stdout. */
void opt_print_help(const struct opt_cmd *c);

#endif
