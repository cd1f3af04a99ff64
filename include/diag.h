/* diag.h - located diagnostics: the only way library code reports anything.
 *
 * A struct diag owns the text of every source file it has been given, so a
 * location (file id plus byte range) can be turned into FILE:LINE:COL and a
 * caret underline when, and only when, it is printed. Library code adds
 * entries; main.c decides how to print them and which exit status follows.
 */
#ifndef CPOLC_DIAG_H
#define CPOLC_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A source range: bytes [begin, end) of file `file`. file 0 means "no
 * location" (command line, catalog-level errors). */
struct loc {
	uint32_t file;
	uint32_t begin, end;
};
#define LOC_NONE ((struct loc){0, 0, 0})

enum diag_severity { DIAG_NOTE, DIAG_WARNING, DIAG_ERROR };

struct diag_file {
	char *path; /* as the user named it (or as resolved for imports) */
	char *text; /* owned; NUL-terminated */
	size_t len;
	bool quote;	 /* its lines may be shown under a diagnostic (DIAG_CARET) */
	uint32_t *lines; /* offsets of line starts; built lazily */
	size_t nlines;
};

struct diag_entry {
	enum diag_severity sev;
	struct loc loc;
	char *rule;	    /* rule id such as "syntax" or "unused-let"; may be NULL */
	char *message;	    /* lowercase, no final period */
	char *path;	    /* for entries with no source loc but a file name, or NULL */
	unsigned line, col; /* with path: where in it (0 when unknown) */
	struct loc related; /* an earlier statement this one refers to, or LOC_NONE */
};

struct diag {
	struct diag_file *files; /* files[0] is unused so that id 0 means none */
	size_t nfiles, capfiles;
	struct diag_entry *entries;
	size_t nentries, capentries;
	size_t nerrors, nwarnings;
};

void diag_init(struct diag *d);
void diag_release(struct diag *d);
/* Move the entries of from (made, e.g., by a worker thread) to the end of
 * to, in order; from is left empty. Entries must have no source location
 * (LOC_NONE: whole files, the command line). */
void diag_move(struct diag *to, struct diag *from);

/* Register a source text; takes ownership of text (malloc'd, NUL-terminated,
 * len bytes without the NUL). Returns its file id (>= 1). Its lines may be
 * quoted under diagnostics until diag_no_quote says otherwise. */
uint32_t diag_add_file(struct diag *d, const char *path, char *text, size_t len);
/* Never show the text of file id: it is not (or not only) policy source,
 * and a caret line would print what it holds. */
void diag_no_quote(struct diag *d, uint32_t id);
const struct diag_file *diag_file(const struct diag *d, uint32_t id);
/* 1-based line and column (columns count bytes) of a byte offset. */
void diag_linecol(struct diag *d, uint32_t file, uint32_t off, unsigned *line, unsigned *col);
/* The source text at loc, appended to sb: white space runs made one space,
 * cut with "..." past max bytes (not inside a character). */
struct strbuf;
void diag_source_text(const struct diag *d, struct loc loc, size_t max, struct strbuf *sb);
/* "FILE:LINE:COL" of loc's start, in a static-free malloc'd string. */
char *diag_locstr(struct diag *d, struct loc loc);
struct diag_entry;
/* Where an entry points: "FILE:LINE:COL", "FILE:LINE", "FILE", or NULL for
 * none. Caller frees. */
char *diag_where(struct diag *d, const struct diag_entry *e);

/* Record a diagnostic. rule may be NULL. */
void diag_report(struct diag *d, enum diag_severity sev, struct loc loc, const char *rule, const char *fmt,
		 ...) __attribute__((format(printf, 5, 6)));
void diag_vreport(struct diag *d, enum diag_severity sev, struct loc loc, const char *rule, const char *fmt,
		  va_list ap);
/* Shorthands. */
void diag_error(struct diag *d, struct loc loc, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void diag_warning(struct diag *d, struct loc loc, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void diag_note(struct diag *d, struct loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An error about a file as a whole (unreadable, malformed JSON at a line...).
 * line/col may be 0. */
void diag_file_error(struct diag *d, const char *path, unsigned line, unsigned col, const char *rule,
		     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A diagnostic located by text: at is "FILE:LINE:COL" (as a decision or a
 * .cpolb line table gives it), "FILE" or NULL. */
void diag_report_at(struct diag *d, enum diag_severity sev, const char *at, const char *rule, const char *fmt,
		    ...) __attribute__((format(printf, 5, 6)));
void diag_vreport_at(struct diag *d, enum diag_severity sev, const char *at, const char *rule,
		     const char *fmt, va_list ap);
/* Attach a related location to the most recent entry. */
void diag_set_related(struct diag *d, struct loc related);

enum diag_format { DIAG_FMT_GCC, DIAG_FMT_JSON, DIAG_FMT_SARIF, DIAG_FMT_GITHUB };
#define DIAG_CARET 1u

/* Print every entry in the order reported: gcc style (FILE:LINE:COL:
 * error: message [rule], with the source line and a caret under DIAG_CARET),
 * a JSON array, a SARIF 2.1.0 log, or GitHub workflow annotations. */
void diag_print(struct diag *d, FILE *out, enum diag_format fmt, unsigned flags);

#endif
