/* maint_ca.c - the CA bundle update-ca-certificates would make
 * (include/maint.h), made in C from the selected primitives' content.
 *
 * The certificates: those /etc/ca-certificates.conf enables (a line
 * "mozilla/NAME.crt" under /usr/share/ca-certificates; "!" deselects, "#"
 * comments), or, when no selected primitive ships that file, every .crt
 * under /usr/share/ca-certificates (the postinst's default: all enabled;
 * the conf is then written so), in byte order; then every .crt under
 * /usr/local/share/ca-certificates, in byte order. As update-ca-certificates
 * and `openssl rehash` would, the image gets
 *
 *   /etc/ssl/certs/ca-certificates.crt  each certificate's text in that
 *                                       order, each ending in a newline
 *   /etc/ssl/certs/NAME.pem             -> the certificate's file
 *   /etc/ssl/certs/HASH.N               -> NAME.pem, HASH the subject-name
 *                                       hash (X509_NAME_hash), N from 0 in
 *                                       NAME.pem order; a certificate whose
 *                                       text an earlier one has gets none
 *
 * A file that holds no PEM certificate goes in the bundle but gets no
 * hash link (rehash skips it).
 */
#include "config.h"

#include "maint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#define CERT_MAX  (1024 * 1024)
#define CERTS_MAX 10000
#define SHARE	  "usr/share/ca-certificates/"
#define LOCAL	  "usr/local/share/ca-certificates/"
#define CONF	  "etc/ca-certificates.conf"
#define RULE	  "maint-script"

struct cert {
	char *path; /* normalised: "usr/share/ca-certificates/mozilla/X.crt" */
	char *text; /* NULL until read */
	size_t len;
	bool local;
	bool used; /* in the bundle already (a conf may name one twice) */
};

struct certs {
	struct cert *v;
	size_t n, cap;
	char *conf; /* the text of /etc/ca-certificates.conf, or NULL */
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static bool wanted(const char *path)
{
	return (!strncmp(path, SHARE, strlen(SHARE)) || !strncmp(path, LOCAL, strlen(LOCAL))) &&
	       ends_with(path, ".crt");
}

static const char *norm(const char *p)
{
	while (*p == '/' || (p[0] == '.' && p[1] == '/'))
		p += *p == '/' ? 1 : 2;
	return p;
}

/* Read p's content tar: the text of the certificates and of the conf. */
static int read_prim(const struct cat_prim *p, struct certs *cs, struct diag *d)
{
	struct archive *a;
	struct archive_entry *ae;
	int fd, r = ARCHIVE_EOF, rc = 0;

	if (cat_blob_open(p, &fd, d) < 0)
		return -1;
	a = archive_read_new();
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		diag_error(d, LOC_NONE, RULE, "cannot read the content of '%s': %s", p->name,
			   archive_error_string(a));
		rc = -1;
	}
	/* a warning is a name the locale cannot spell: its UTF-8 is read */
	while (rc == 0 && ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN)) {
		const char *name = archive_entry_pathname_utf8(ae);
		const char *path = norm(name			     ? name
					: archive_entry_pathname(ae) ? archive_entry_pathname(ae)
								     : "");
		bool conf = !strcmp(path, CONF);
		struct strbuf sb = STRBUF_INIT;
		char buf[16384];
		la_ssize_t k;
		if (archive_entry_filetype(ae) != AE_IFREG || (!conf && !wanted(path)))
			continue;
		if (cs->n >= CERTS_MAX || archive_entry_size(ae) > CERT_MAX) {
			diag_error(d, LOC_NONE, RULE, "'%s' of '%s' is too large to be a certificate list",
				   path, p->name);
			rc = -1;
			break;
		}
		while ((k = archive_read_data(a, buf, sizeof(buf))) > 0 && sb.len <= CERT_MAX)
			sb_add(&sb, buf, (size_t)k);
		if (conf) {
			free(cs->conf);
			cs->conf = sb_detach(&sb, NULL);
			continue;
		}
		xgrow((void **)&cs->v, &cs->cap, cs->n + 1, sizeof(*cs->v));
		memset(&cs->v[cs->n], 0, sizeof(*cs->v));
		cs->v[cs->n].path = xstrdup(path);
		cs->v[cs->n].local = !strncmp(path, LOCAL, strlen(LOCAL));
		cs->v[cs->n].text = sb_detach(&sb, &cs->v[cs->n].len);
		cs->n++;
	}
	if (rc == 0 && r != ARCHIVE_EOF) {
		diag_error(d, LOC_NONE, RULE, "cannot read the content of '%s': %s", p->name,
			   archive_error_string(a));
		rc = -1;
	}
	archive_read_free(a);
	close(fd);
	return rc;
}

/* Does p (package data info, or NULL: read its tar to know) hold a
 * certificate or the conf? */
static bool has_certs(json_t *info)
{
	size_t k;
	json_t *f;

	if (!info)
		return true;
	json_array_foreach(json_object_get(info, "files"), k, f)
	{
		const char *s = json_string_value(f);
		if (s && (wanted(norm(s)) || !strcmp(norm(s), CONF)))
			return true;
	}
	return false;
}

static int cert_cmp(const void *a, const void *b)
{
	const struct cert *x = a, *y = b;

	if (x->local != y->local)
		return x->local ? 1 : -1;
	return strcmp(x->path, y->path);
}

/* The shipped certificate at path (cs->v sorted by cert_cmp). */
static struct cert *find(struct certs *cs, const char *path)
{
	struct cert key = {.path = (char *)path, .local = false};

	return cs->n ? bsearch(&key, cs->v, cs->n, sizeof(*cs->v), cert_cmp) : NULL;
}

/* The certificates in bundle order, into order[] (borrowed). */
static size_t select_certs(struct maint *m, struct certs *cs, struct cert **order)
{
	size_t n = 0;

	qsort(cs->v, cs->n, sizeof(*cs->v), cert_cmp);
	if (cs->conf) {
		for (const char *p = cs->conf; *p;) {
			size_t len = strcspn(p, "\n");
			char *line = xstrndup(p, len), *path;
			struct cert *c;
			p += len + (p[len] == '\n');
			line[strcspn(line, "\r")] = '\0';
			if (!*line || *line == '#' || *line == '!') {
				free(line);
				continue;
			}
			path = xasprintf("%s%s", SHARE, line);
			if ((c = find(cs, path)) && !c->used)
				order[n++] = c, c->used = true;
			free(path);
			free(line);
		}
	} else {
		struct strbuf conf = STRBUF_INIT;
		sb_adds(&conf,
			"# the certificates of /usr/share/ca-certificates, all enabled (written by cpolc)\n");
		for (size_t i = 0; i < cs->n; i++)
			if (!cs->v[i].local) {
				order[n++] = &cs->v[i];
				sb_addf(&conf, "%s\n", cs->v[i].path + strlen(SHARE));
			}
		maint_file(m, "/" CONF, sb_detach(&conf, NULL));
	}
	for (size_t i = 0; i < cs->n; i++)
		if (cs->v[i].local)
			order[n++] = &cs->v[i];
	return n;
}

/* The subject hash of a PEM certificate; false when text holds none. */
static bool subject_hash(const struct cert *c, unsigned long *h)
{
	BIO *b = BIO_new_mem_buf(c->text, (int)c->len);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	if (x)
		*h = X509_NAME_hash(X509_get_subject_name(x));
	X509_free(x);
	BIO_free(b);
	return x != NULL;
}

static char *pem_name(const struct cert *c)
{
	const char *b = strrchr(c->path, '/') + 1;

	return xasprintf("%.*s.pem", (int)(strlen(b) - 4), b);
}

static int pem_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The bundle, the NAME.pem links and the hash links. */
static void write_bundle(struct maint *m, struct cert **order, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	char **pems = xcalloc(n + 1, sizeof(*pems)), *path, *target, *name;
	unsigned long *hashes = xcalloc(n + 1, sizeof(*hashes));

	for (size_t i = 0; i < n; i++) {
		sb_add(&sb, order[i]->text, order[i]->len);
		if (order[i]->len && order[i]->text[order[i]->len - 1] != '\n')
			sb_addc(&sb, '\n');
		name = pem_name(order[i]);
		path = xasprintf("/etc/ssl/certs/%s", name);
		target = xasprintf("/%s", order[i]->path);
		maint_link(m, path, target);
		pems[i] = xasprintf("%s/%zu", name, i); /* sorted by name, knowing its cert */
		free(target);
		free(path);
		free(name);
	}
	maint_file(m, "/etc/ssl/certs/ca-certificates.crt", sb_detach(&sb, NULL));
	qsort(pems, n, sizeof(*pems), pem_cmp);
	for (size_t i = 0; i < n; i++) {
		char *slash = strrchr(pems[i], '/'), hpath[64];
		const struct cert *c = order[strtoul(slash + 1, NULL, 10)];
		unsigned long h;
		bool dup = false;
		size_t k = 0;
		*slash = '\0';
		for (size_t j = 0; j < i && !dup; j++) {
			const struct cert *o = order[strtoul(pems[j] + strlen(pems[j]) + 1, NULL, 10)];
			dup = o->len == c->len && !memcmp(o->text, c->text, c->len);
		}
		if (dup || !subject_hash(c, &h))
			continue;
		hashes[i] = h + 1;
		for (size_t j = 0; j < i; j++)
			k += hashes[j] == h + 1;
		snprintf(hpath, sizeof(hpath), "/etc/ssl/certs/%08lx.%zu", h, k);
		maint_link(m, hpath, pems[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(pems[i]);
	free(pems);
	free(hashes);
}

int maint_cabundle(struct maint *m, const struct cat_prim *const *v, json_t *const *info, size_t n,
		   struct diag *d)
{
	struct certs cs = {0};
	struct cert **order;
	size_t k;
	int rc = 0;

	if (!m->ca)
		return 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (has_certs(info[i]))
			rc = read_prim(v[i], &cs, d);
	if (rc == 0) {
		order = xcalloc(cs.n + 1, sizeof(*order));
		k = select_certs(m, &cs, order);
		write_bundle(m, order, k);
		free(order);
	}
	for (size_t i = 0; i < cs.n; i++)
		free(cs.v[i].path), free(cs.v[i].text);
	free(cs.v);
	free(cs.conf);
	return rc;
}
