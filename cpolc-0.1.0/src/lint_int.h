/* lint_int.h - the diagnostic queue shared by lint.c and lint_cat.c.
 *
 * Diagnostics are queued, then emitted sorted by position (each with its
 * note), minus those an inline `# cpolc:ignore RULE` comment of the main
 * module suppresses.
 */
#ifndef CPOLC_LINT_INT_H
#define CPOLC_LINT_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct program;

struct lint_pending {
	enum diag_severity sev;
	struct loc loc, related;
	const char *rule; /* static */
	char *msg, *note;
	size_t seq;
};

struct lint_sup {
	unsigned line; /* 1-based line of the main module */
	char *rule;
};

struct lint {
	struct diag *d;
	uint32_t file; /* the main module */
	long work;     /* expansion budget left for the current body */
	struct lint_pending *v;
	size_t n, cap;
	struct lint_sup *sup;
	size_t nsup, capsup;
};

/* Start a queue for p's main module (reads its ignore comments). */
void lint_init(struct lint *L, const struct program *p, struct diag *d);
void lint_report(struct lint *L, enum diag_severity sev, struct loc loc, const char *rule, const char *fmt,
		 ...) __attribute__((format(printf, 5, 6)));
void lint_vreport(struct lint *L, enum diag_severity sev, struct loc loc, const char *rule, const char *fmt,
		  va_list ap);
/* Emit what is not suppressed to L->d and release L. Returns the number
 * of diagnostics emitted. */
size_t lint_flush(struct lint *L);

#endif
