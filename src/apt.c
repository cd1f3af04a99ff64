/* apt.c - deb822 paragraphs, Release files, dates and gpgv (apt.h). */
#include "config.h"

#include "apt.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define APT_RULE     "apt"
#define MAX_GPGV_OUT (1u << 20) /* bytes of status and messages kept */

/* ---- deb822 paragraphs ------------------------------------------------------ */

void apt_para_init(struct apt_para *p)
{
	memset(p, 0, sizeof(*p));
}

void apt_para_release(struct apt_para *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static bool blank_line(const char *s, const char *eol)
{
	for (; s < eol; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r')
			return false;
	return true;
}

static const char *line_end(const char *s, const char *end)
{
	const char *nl = memchr(s, '\n', (size_t)(end - s));

	return nl ? nl : end;
}

/* Add the field on the line [s, eol) to p. */
static int add_field(struct apt_para *p, const char *s, const char *eol, const char **why)
{
	const char *colon = memchr(s, ':', (size_t)(eol - s)), *v;

	if (!colon || colon == s) {
		*why = "expected 'Field: value'";
		return -1;
	}
	for (const char *c = s; c < colon; c++)
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 127) {
			*why = "bad character in a field name";
			return -1;
		}
	for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
		;
	xgrow((void **)&p->v, &p->cap, p->n + 1, sizeof(*p->v));
	p->v[p->n++] = (struct apt_field){s, v, (size_t)(colon - s), (size_t)(eol - v)};
	return 0;
}

int apt_para_next(const char **pos, const char *end, bool comments, struct apt_para *p, unsigned *line,
		  const char **why)
{
	const char *s = *pos;

	p->n = 0;
	for (; s < end; (*line)++) {
		const char *eol = line_end(s, end);
		if (!blank_line(s, eol) && !(comments && *s == '#'))
			break;
		s = eol < end ? eol + 1 : end;
	}
	if (s >= end) {
		*pos = end;
		return 0;
	}
	p->line = *line + 1;
	while (s < end) {
		const char *eol = line_end(s, end);
		if (blank_line(s, eol))
			break;
		(*line)++;
		if (comments && *s == '#') {
			/* a comment line is no part of the paragraph */
		} else if (*s == ' ' || *s == '\t') {
			if (!p->n) {
				*why = "a continuation line before any field";
				return -1;
			}
			p->v[p->n - 1].vlen = (size_t)(eol - p->v[p->n - 1].val);
		} else if (add_field(p, s, eol, why) < 0) {
			return -1;
		}
		s = eol < end ? eol + 1 : end;
	}
	*pos = s;
	return 1;
}

const struct apt_field *apt_para_get(const struct apt_para *p, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].nlen == n && !strncasecmp(p->v[i].name, name, n))
			return &p->v[i];
	return NULL;
}

char *apt_field_text(const struct apt_field *f)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s, *end;

	if (!f)
		return xstrdup("");
	for (s = f->val, end = f->val + f->vlen; s < end;) {
		const char *eol = line_end(s, end), *a = s, *b = eol;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
			b--;
		if (b > a) {
			if (sb.len)
				sb_addc(&sb, ' ');
			sb_add(&sb, a, (size_t)(b - a));
		}
		s = eol < end ? eol + 1 : end;
	}
	return sb_detach(&sb, NULL);
}

/* ---- dates ------------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static int parse_zone(const char *z, long *offset)
{
	*offset = 0;
	if (!strcmp(z, "UTC") || !strcmp(z, "GMT") || !strcmp(z, "Z"))
		return 0;
	if ((z[0] == '+' || z[0] == '-') && strspn(z + 1, "0123456789") == 4 && !z[5]) {
		long h = (z[1] - '0') * 10 + (z[2] - '0'), m = (z[3] - '0') * 10 + (z[4] - '0');
		if (h > 23 || m > 59)
			return -1;
		*offset = (z[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
		return 0;
	}
	return -1;
}

int apt_parse_date(const char *s, time_t *out)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *comma = strchr(s, ',');
	char mon[4] = "", zone[8] = "";
	int day, year, hh, mm, ss, n = -1;
	const char *m;
	long offset;

	if (comma)
		s = comma + 1;
	if (sscanf(s, " %2d %3s %4d %2d:%2d:%2d %7s%n", &day, mon, &year, &hh, &mm, &ss, zone, &n) != 7 ||
	    n < 0 || s[n + strspn(s + n, " \t")])
		return -1;
	m = strlen(mon) == 3 ? strstr(months, mon) : NULL;
	if (!m || (m - months) % 3 || day < 1 || day > 31 || year < 1970 || hh > 23 || mm > 59 || ss > 60 ||
	    hh < 0 || mm < 0 || ss < 0 || parse_zone(zone, &offset) < 0)
		return -1;
	*out = (time_t)(days_from_civil(year, (unsigned)((m - months) / 3 + 1), (unsigned)day) * 86400 +
			hh * 3600 + mm * 60 + ss - offset);
	return 0;
}

/* ---- Release files ---------------------------------------------------------------- */

void apt_release_release(struct apt_release *r)
{
	free(r->suite);
	free(r->codename);
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].path);
	free(r->files);
	memset(r, 0, sizeof(*r));
}

const struct apt_release_file *apt_release_find(const struct apt_release *r, const char *path)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (!strcmp(r->files[i].path, path))
			return &r->files[i];
	return NULL;
}

bool apt_safe_path(const char *p)
{
	if (!*p || *p == '/')
		return false;
	for (const char *s = p; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s += n;
		if (*s)
			s++;
	}
	return strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-._~/") == strlen(p);
}

/* The lines " HEX SIZE PATH" of the SHA256 field. */
static int parse_sums(const struct apt_field *f, const char *what, struct apt_release *r, struct diag *d)
{
	size_t cap = 0;
	char *text = xstrndup(f->val, f->vlen), *save = NULL;

	for (char *ln = strtok_r(text, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
		char hex[65], path[1024];
		unsigned long long size;
		int n = -1;
		if (blank_line(ln, ln + strlen(ln)))
			continue;
		if (sscanf(ln, " %64[0-9a-f] %llu %1023s %n", hex, &size, path, &n) != 3 || n < 0 || ln[n] ||
		    strlen(hex) != 64 || !apt_safe_path(path)) {
			diag_file_error(d, what, 0, 0, APT_RULE, "malformed SHA256 line '%s'", ln);
			free(text);
			return -1;
		}
		xgrow((void **)&r->files, &cap, r->nfiles + 1, sizeof(*r->files));
		r->files[r->nfiles] = (struct apt_release_file){xstrdup(path), size, ""};
		memcpy(r->files[r->nfiles++].sha256, hex, 65);
	}
	free(text);
	return 0;
}

static int release_date(const struct apt_para *p, const char *field, const char *what, time_t *out,
			struct diag *d)
{
	const struct apt_field *f = apt_para_get(p, field);
	char *s;
	int rc = 0;

	*out = 0;
	if (!f)
		return 0;
	s = apt_field_text(f);
	if (apt_parse_date(s, out) < 0) {
		diag_file_error(d, what, 0, 0, APT_RULE, "malformed %s '%s'", field, s);
		rc = -1;
	}
	free(s);
	return rc;
}

int apt_release_parse(const char *text, size_t len, const char *what, struct apt_release *r, struct diag *d)
{
	struct apt_para p;
	const char *pos = text, *why = NULL, *v;
	unsigned line = 0;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	apt_para_init(&p);
	if (apt_para_next(&pos, text + len, false, &p, &line, &why) != 1) {
		diag_file_error(d, what, line, 0, APT_RULE, "not a Release file: %s", why ? why : "empty");
		goto out;
	}
	r->suite = apt_field_text(apt_para_get(&p, "Suite"));
	r->codename = apt_field_text(apt_para_get(&p, "Codename"));
	v = apt_para_get(&p, "Acquire-By-Hash") ? apt_para_get(&p, "Acquire-By-Hash")->val : "";
	r->by_hash = !strncasecmp(v, "yes", 3);
	if (release_date(&p, "Date", what, &r->date, d) < 0 ||
	    release_date(&p, "Valid-Until", what, &r->valid_until, d) < 0)
		goto out;
	if (!apt_para_get(&p, "SHA256")) {
		diag_file_error(d, what, 0, 0, APT_RULE, "the Release file lists no SHA256 digests");
		goto out;
	}
	rc = parse_sums(apt_para_get(&p, "SHA256"), what, r, d);
out:
	apt_para_release(&p);
	if (rc < 0)
		apt_release_release(r);
	return rc;
}

/* ---- gpgv --------------------------------------------------------------------------- */

/* Read fds[0] and fds[1] to their ends into out[0] and out[1] (each kept
 * up to MAX_GPGV_OUT bytes). */
static void drain(int fds[2], struct strbuf out[2])
{
	struct pollfd pfd[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
	int open = 2;

	while (open > 0) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			char buf[4096];
			ssize_t n;
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			n = read(pfd[i].fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				pfd[i].fd = -1;
				open--;
			} else if (out[i].len < MAX_GPGV_OUT) {
				sb_add(&out[i], buf, (size_t)n);
			}
		}
	}
}

/* Run argv with its status fd (3) and stderr captured. Returns the exit
 * status (-1 when it could not be started, 128+N when killed by N). */
static int run_gpgv(char *const *argv, struct strbuf out[2])
{
	int st[2], er[2], fds[2], status;
	pid_t pid;

	if (pipe2(st, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(er, O_CLOEXEC) < 0) {
		close(st[0]), close(st[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) { /* only async-signal-safe calls until exec */
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0), dup2(null, 1), dup2(er[1], 2), dup2(st[1], 3);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(st[1]), close(er[1]);
	if (pid < 0) {
		close(st[0]), close(er[0]);
		return -1;
	}
	fds[0] = st[0], fds[1] = er[0];
	drain(fds, out);
	close(st[0]), close(er[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Does the status text have a line "[GNUPG:] WORD ..."? With ids, append
 * the second word of each such line to it. */
static bool status_has(const char *status, const char *word, struct strbuf *ids)
{
	size_t wl = strlen(word);
	bool found = false;

	for (const char *p = status; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, "[GNUPG:] ", 9) || strncmp(p + 9, word, wl) ||
		    (p[9 + wl] != ' ' && p[9 + wl] != '\n'))
			continue;
		found = true;
		if (ids && p[9 + wl] == ' ') {
			size_t n = strcspn(p + 10 + wl, " \n");
			sb_addf(ids, "%s%.*s", ids->len ? ", " : "", (int)n, p + 10 + wl);
		}
	}
	return found;
}

/* The verdict on gpgv's status lines: 0 good, or -1 after reporting. */
static int judge(const char *file, const char *keyring, int rc, struct strbuf out[2], struct diag *d)
{
	struct strbuf ids = STRBUF_INIT;
	const char *said = out[1].len ? out[1].buf : "no output";

	if (rc < 0 || rc == 127) {
		diag_file_error(d, file, 0, 0, APT_RULE,
				"cannot verify the signature of '%s': cannot run gpgv", file);
		return -1;
	}
	if (status_has(out[0].buf, "BADSIG", &ids) || status_has(out[0].buf, "REVKEYSIG", &ids)) {
		diag_file_error(d, file, 0, 0, APT_RULE,
				"bad signature on '%s' (key %s): it was altered after it was signed", file,
				ids.buf);
	} else if (status_has(out[0].buf, "VALIDSIG", NULL) && status_has(out[0].buf, "GOODSIG", NULL)) {
		sb_release(&ids);
		return 0;
	} else if (status_has(out[0].buf, "EXPKEYSIG", &ids) || status_has(out[0].buf, "EXPSIG", &ids)) {
		diag_file_error(d, file, 0, 0, APT_RULE,
				"the signature of '%s' was made by an expired key (%s)", file, ids.buf);
	} else if (status_has(out[0].buf, "NO_PUBKEY", &ids)) {
		diag_file_error(d, file, 0, 0, APT_RULE,
				"'%s' is not signed by a key of the keyring '%s' (signed by %s)", file,
				keyring, ids.buf);
	} else {
		diag_file_error(d, file, 0, 0, APT_RULE, "cannot verify the signature of '%s': %.*s", file,
				(int)strcspn(said, "\n"), said);
	}
	sb_release(&ids);
	return -1;
}

/* An InRelease must be one clearsigned message and nothing else. */
static int one_clearsigned(const char *file, const char *what, struct diag *d)
{
	static const char begin[] = "-----BEGIN PGP SIGNED MESSAGE-----\n";
	char *text;
	size_t len;
	int rc = -1;

	if (read_file(file, &text, &len) < 0) {
		diag_file_error(d, what, 0, 0, APT_RULE, "cannot read '%s': %s", file, strerror(errno));
		return -1;
	}
	if (len < sizeof(begin) - 1 || memcmp(text, begin, sizeof(begin) - 1) ||
	    strstr(text + 1, "-----BEGIN PGP SIGNED MESSAGE-----") || memchr(text, '\0', len))
		diag_file_error(d, what, 0, 0, APT_RULE, "'%s' is not one clearsigned message", what);
	else
		rc = 0;
	free(text);
	return rc;
}

int apt_verify_signature(const char *gpgv, const char *keyring, const char *file, const char *sig,
			 const char *what, const char *tmpdir, char **text, size_t *len, struct diag *d)
{
	char *home = path_join(tmpdir, "gnupg"), *plain = path_join(tmpdir, "signed-text");
	char *ring = strchr(keyring, '/') ? xstrdup(keyring) : xasprintf("./%s", keyring);
	struct strbuf out[2] = {STRBUF_INIT, STRBUF_INIT};
	struct strvec argv = STRVEC_INIT;
	int rc = -1;

	if (!sig && one_clearsigned(file, what, d) < 0)
		goto out;
	if (mkdir(home, 0700) < 0 && errno != EEXIST) {
		diag_file_error(d, home, 0, 0, APT_RULE, "cannot create directory: %s", strerror(errno));
		goto out;
	}
	unlink(plain);
	strvec_push(&argv, gpgv);
	strvec_push(&argv, "--homedir");
	strvec_push(&argv, home);
	strvec_push(&argv, "--status-fd");
	strvec_push(&argv, "3");
	strvec_push(&argv, "--weak-digest");
	strvec_push(&argv, "sha1");
	strvec_push(&argv, "--keyring");
	strvec_push(&argv, ring);
	if (!sig) {
		strvec_push(&argv, "--output");
		strvec_push(&argv, plain);
	} else {
		strvec_push(&argv, sig);
	}
	strvec_push(&argv, file);
	if (judge(what, keyring, run_gpgv(argv.v, out), out, d) < 0)
		goto out;
	if (read_file(sig ? file : plain, text, len) < 0) {
		diag_file_error(d, what, 0, 0, APT_RULE, "cannot read the signed text of '%s': %s", what,
				strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (!sig)
		unlink(plain);
	strvec_clear(&argv);
	sb_release(&out[0]);
	sb_release(&out[1]);
	free(ring);
	free(home);
	free(plain);
	return rc;
}
