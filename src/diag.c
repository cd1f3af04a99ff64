/* diag.c - recording and printing located diagnostics. */
#include "config.h"

#include "diag.h"

#include <assert.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util.h"

void diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
	xgrow((void **)&d->files, &d->capfiles, 1, sizeof(*d->files));
	memset(&d->files[0], 0, sizeof(d->files[0]));
	d->nfiles = 1;
}

void diag_release(struct diag *d)
{
	for (size_t i = 1; i < d->nfiles; i++) {
		free(d->files[i].path);
		free(d->files[i].text);
		free(d->files[i].lines);
	}
	for (size_t i = 0; i < d->nentries; i++) {
		free(d->entries[i].rule);
		free(d->entries[i].message);
		free(d->entries[i].path);
	}
	free(d->files);
	free(d->entries);
	memset(d, 0, sizeof(*d));
}

uint32_t diag_add_file(struct diag *d, const char *path, char *text, size_t len)
{
	struct diag_file *f;

	xgrow((void **)&d->files, &d->capfiles, d->nfiles + 1, sizeof(*d->files));
	f = &d->files[d->nfiles];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->text = text;
	f->len = len;
	f->quote = true;
	return (uint32_t)d->nfiles++;
}

void diag_no_quote(struct diag *d, uint32_t id)
{
	if (id > 0 && id < d->nfiles)
		d->files[id].quote = false;
}

const struct diag_file *diag_file(const struct diag *d, uint32_t id)
{
	return id > 0 && id < d->nfiles ? &d->files[id] : NULL;
}

static void build_lines(struct diag_file *f)
{
	size_t cap = 0;

	f->nlines = 0;
	xgrow((void **)&f->lines, &cap, 1, sizeof(*f->lines));
	f->lines[f->nlines++] = 0;
	for (size_t i = 0; i < f->len; i++) {
		if (f->text[i] != '\n')
			continue;
		xgrow((void **)&f->lines, &cap, f->nlines + 1, sizeof(*f->lines));
		f->lines[f->nlines++] = (uint32_t)(i + 1);
	}
}

void diag_linecol(struct diag *d, uint32_t file, uint32_t off, unsigned *line, unsigned *col)
{
	struct diag_file *f;
	size_t lo, hi;

	*line = *col = 0;
	if (file == 0 || file >= d->nfiles)
		return;
	f = &d->files[file];
	if (!f->lines)
		build_lines(f);
	if (off > f->len)
		off = (uint32_t)f->len;
	lo = 0;
	hi = f->nlines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = (unsigned)lo + 1;
	*col = off - f->lines[lo] + 1;
}

void diag_source_text(const struct diag *d, struct loc loc, size_t max, struct strbuf *sb)
{
	const struct diag_file *f = diag_file(d, loc.file);
	size_t start = sb->len;
	bool space = false;

	for (uint32_t i = loc.begin; f && i < loc.end && i < f->len; i++) {
		char ch = f->text[i];
		if (sb->len - start >= max && ((unsigned char)ch & 0xc0) != 0x80) {
			sb_adds(sb, "...");
			break;
		}
		if (strchr(" \t\r\n", ch)) {
			space = true;
			continue;
		}
		if (space && sb->len > start)
			sb_addc(sb, ' ');
		space = false;
		sb_addc(sb, ch);
	}
}

char *diag_locstr(struct diag *d, struct loc loc)
{
	unsigned line, col;

	if (loc.file == 0 || loc.file >= d->nfiles)
		return xstrdup("<command line>");
	diag_linecol(d, loc.file, loc.begin, &line, &col);
	return xasprintf("%s:%u:%u", d->files[loc.file].path, line, col);
}

static struct diag_entry *new_entry(struct diag *d, enum diag_severity sev, struct loc loc, const char *rule)
{
	struct diag_entry *e;

	xgrow((void **)&d->entries, &d->capentries, d->nentries + 1, sizeof(*d->entries));
	e = &d->entries[d->nentries++];
	memset(e, 0, sizeof(*e));
	e->sev = sev;
	e->loc = loc;
	e->rule = rule ? xstrdup(rule) : NULL;
	if (sev == DIAG_ERROR)
		d->nerrors++;
	else if (sev == DIAG_WARNING)
		d->nwarnings++;
	return e;
}

void diag_move(struct diag *to, struct diag *from)
{
	for (size_t i = 0; i < from->nentries; i++) {
		struct diag_entry *e = &from->entries[i];
		assert(e->loc.file == 0 && e->related.file == 0);
		xgrow((void **)&to->entries, &to->capentries, to->nentries + 1, sizeof(*to->entries));
		to->entries[to->nentries++] = *e;
		to->nerrors += e->sev == DIAG_ERROR;
		to->nwarnings += e->sev == DIAG_WARNING;
	}
	from->nentries = from->nerrors = from->nwarnings = 0;
}

void diag_vreport(struct diag *d, enum diag_severity sev, struct loc loc, const char *rule, const char *fmt,
		  va_list ap)
{
	struct diag_entry *e = new_entry(d, sev, loc, rule);
	e->message = xvasprintf(fmt, ap);
}

void diag_report(struct diag *d, enum diag_severity sev, struct loc loc, const char *rule, const char *fmt,
		 ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport(d, sev, loc, rule, fmt, ap);
	va_end(ap);
}

void diag_error(struct diag *d, struct loc loc, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport(d, DIAG_ERROR, loc, rule, fmt, ap);
	va_end(ap);
}

void diag_warning(struct diag *d, struct loc loc, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport(d, DIAG_WARNING, loc, rule, fmt, ap);
	va_end(ap);
}

void diag_note(struct diag *d, struct loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport(d, DIAG_NOTE, loc, NULL, fmt, ap);
	va_end(ap);
}

/* Set e's textual position from "FILE:LINE:COL", "FILE:LINE" or "FILE". */
static void set_position(struct diag_entry *e, const char *at)
{
	size_t n = strlen(at);
	unsigned num[2] = {0, 0};
	int found = 0;

	while (found < 2) {
		size_t k = n;
		while (k > 0 && at[k - 1] >= '0' && at[k - 1] <= '9')
			k--;
		if (k == n || n - k > 9 || k < 2 || at[k - 1] != ':')
			break;
		num[found++] = (unsigned)strtoul(at + k, NULL, 10);
		n = k - 1;
	}
	e->path = xstrndup(at, n);
	e->line = found == 2 ? num[1] : num[0];
	e->col = found == 2 ? num[0] : 0;
}

void diag_vreport_at(struct diag *d, enum diag_severity sev, const char *at, const char *rule,
		     const char *fmt, va_list ap)
{
	struct diag_entry *e = new_entry(d, sev, LOC_NONE, rule);

	if (at)
		set_position(e, at);
	e->message = xvasprintf(fmt, ap);
}

void diag_report_at(struct diag *d, enum diag_severity sev, const char *at, const char *rule, const char *fmt,
		    ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport_at(d, sev, at, rule, fmt, ap);
	va_end(ap);
}

void diag_file_error(struct diag *d, const char *path, unsigned line, unsigned col, const char *rule,
		     const char *fmt, ...)
{
	struct diag_entry *e = new_entry(d, DIAG_ERROR, LOC_NONE, rule);
	va_list ap;

	e->path = xstrdup(path);
	e->line = line;
	e->col = line ? col : 0;
	va_start(ap, fmt);
	e->message = xvasprintf(fmt, ap);
	va_end(ap);
}

void diag_set_related(struct diag *d, struct loc related)
{
	if (d->nentries)
		d->entries[d->nentries - 1].related = related;
}

static const char *sev_name(enum diag_severity sev)
{
	switch (sev) {
	case DIAG_ERROR:
		return "error";
	case DIAG_WARNING:
		return "warning";
	default:
		return "note";
	}
}

static void print_caret(struct diag *d, FILE *out, struct loc loc)
{
	struct diag_file *f = &d->files[loc.file];
	unsigned line, col;
	size_t start, end, width;

	diag_linecol(d, loc.file, loc.begin, &line, &col);
	start = f->lines[line - 1];
	end = start;
	while (end < f->len && f->text[end] != '\n')
		end++;
	fprintf(out, "%5u | %.*s\n      | ", line, (int)(end - start), f->text + start);
	for (size_t i = start; i < loc.begin && i < end; i++)
		fputc(f->text[i] == '\t' ? '\t' : ' ', out);
	width = loc.end > loc.begin ? loc.end - loc.begin : 1;
	if (loc.begin + width > end)
		width = end > loc.begin ? end - loc.begin : 1;
	fputc('^', out);
	for (size_t i = 1; i < width; i++)
		fputc('~', out);
	fputc('\n', out);
}

static void entry_position(struct diag *d, const struct diag_entry *e, const char **file, unsigned *line,
			   unsigned *col)
{
	*file = e->path;
	*line = e->line;
	*col = e->col;
	if (e->loc.file) {
		*file = d->files[e->loc.file].path;
		diag_linecol(d, e->loc.file, e->loc.begin, line, col);
	}
}

char *diag_where(struct diag *d, const struct diag_entry *e)
{
	const char *file;
	unsigned line, col;

	entry_position(d, e, &file, &line, &col);
	if (!file)
		return NULL;
	if (col)
		return xasprintf("%s:%u:%u", file, line, col);
	if (line)
		return xasprintf("%s:%u", file, line);
	return xstrdup(file);
}

static void print_gcc(struct diag *d, FILE *out, const struct diag_entry *e, unsigned flags)
{
	char *where = diag_where(d, e);

	fprintf(out, "%s: %s: %s", where ? where : "cpolc", sev_name(e->sev), e->message);
	free(where);
	if (e->rule)
		fprintf(out, " [%s]", e->rule);
	fputc('\n', out);
	if ((flags & DIAG_CARET) && e->loc.file && d->files[e->loc.file].quote)
		print_caret(d, out, e->loc);
}

static json_t *entry_json(struct diag *d, const struct diag_entry *e)
{
	const char *file;
	unsigned line, col;
	json_t *o = json_object();

	entry_position(d, e, &file, &line, &col);
	json_object_set_new(o, "file", file ? json_string(file) : json_null());
	json_object_set_new(o, "line", json_integer(line));
	json_object_set_new(o, "column", json_integer(col));
	json_object_set_new(o, "severity", json_string(sev_name(e->sev)));
	json_object_set_new(o, "rule", e->rule ? json_string(e->rule) : json_null());
	json_object_set_new(o, "message", json_string(e->message));
	return o;
}

/* One SARIF result. */
static json_t *entry_sarif(struct diag *d, const struct diag_entry *e)
{
	const char *file;
	unsigned line, col;
	json_t *r = json_object(), *region = json_object();

	entry_position(d, e, &file, &line, &col);
	json_object_set_new(r, "ruleId", json_string(e->rule ? e->rule : "cpolc"));
	json_object_set_new(r, "level",
			    json_string(e->sev == DIAG_ERROR	 ? "error"
					: e->sev == DIAG_WARNING ? "warning"
								 : "note"));
	json_object_set_new(r, "message", json_pack("{s:s}", "text", e->message));
	if (line)
		json_object_set_new(region, "startLine", json_integer(line));
	if (col)
		json_object_set_new(region, "startColumn", json_integer(col));
	if (file)
		json_object_set_new(r, "locations",
				    json_pack("[{s:{s:{s:s},s:o}}]", "physicalLocation", "artifactLocation",
					      "uri", file, "region", region));
	else
		json_decref(region);
	return r;
}

/* A minimal SARIF 2.1.0 log. */
static json_t *sarif_log(struct diag *d)
{
	json_t *results = json_array(), *run;

	for (size_t i = 0; i < d->nentries; i++)
		json_array_append_new(results, entry_sarif(d, &d->entries[i]));
	run = json_pack("{s:{s:{s:s,s:s}},s:o}", "tool", "driver", "name", "cpolc", "version",
			PACKAGE_VERSION, "results", results);
	return json_pack("{s:s,s:s,s:[o]}", "$schema", "https://json.schemastore.org/sarif-2.1.0.json",
			 "version", "2.1.0", "runs", run);
}

/* GitHub workflow command data: '%', CR and LF escaped; in a property
 * value also ':' and ','. */
static void put_github(FILE *out, const char *s, bool property)
{
	for (; *s; s++) {
		if (*s == '%')
			fputs("%25", out);
		else if (*s == '\r')
			fputs("%0D", out);
		else if (*s == '\n')
			fputs("%0A", out);
		else if (property && *s == ':')
			fputs("%3A", out);
		else if (property && *s == ',')
			fputs("%2C", out);
		else
			fputc(*s, out);
	}
}

static void print_github(struct diag *d, FILE *out, const struct diag_entry *e)
{
	const char *file;
	unsigned line, col;

	entry_position(d, e, &file, &line, &col);
	fprintf(out, "::%s ", e->sev == DIAG_ERROR ? "error" : e->sev == DIAG_WARNING ? "warning" : "notice");
	if (file) {
		fputs("file=", out);
		put_github(out, file, true);
		if (line)
			fprintf(out, ",line=%u", line);
		if (col)
			fprintf(out, ",col=%u", col);
	}
	if (e->rule) {
		fputs(file ? ",title=" : "title=", out);
		put_github(out, e->rule, true);
	}
	fputs("::", out);
	put_github(out, e->message, false);
	fputc('\n', out);
}

void diag_print(struct diag *d, FILE *out, enum diag_format fmt, unsigned flags)
{
	json_t *j;

	switch (fmt) {
	case DIAG_FMT_GCC:
		for (size_t i = 0; i < d->nentries; i++)
			print_gcc(d, out, &d->entries[i], flags);
		break;
	case DIAG_FMT_GITHUB:
		for (size_t i = 0; i < d->nentries; i++)
			print_github(d, out, &d->entries[i]);
		break;
	case DIAG_FMT_JSON:
	case DIAG_FMT_SARIF:
		if (fmt == DIAG_FMT_SARIF) {
			j = sarif_log(d);
		} else {
			j = json_array();
			for (size_t i = 0; i < d->nentries; i++)
				json_array_append_new(j, entry_json(d, &d->entries[i]));
		}
		json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', out);
		json_decref(j);
		break;
	}
}
