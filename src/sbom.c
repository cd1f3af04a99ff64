/* sbom.c - the SPDX 2.3 JSON document of an image (include/sbom.h). */
#include "config.h"

#include "sbom.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cat.h"
#include "util.h"

/* Debian's short license names (copyright-format 1.0, "License
 * specification") and their SPDX identifiers; matched ignoring case. */
static const char *const licenses[][2] = {
	{"AGPL-3", "AGPL-3.0-only"},
	{"AGPL-3+", "AGPL-3.0-or-later"},
	{"Apache-2", "Apache-2.0"},
	{"Apache-2.0", "Apache-2.0"},
	{"Artistic", "Artistic-1.0"},
	{"Artistic-2.0", "Artistic-2.0"},
	{"BSD-2-clause", "BSD-2-Clause"},
	{"BSD-3-clause", "BSD-3-Clause"},
	{"BSD-4-clause", "BSD-4-Clause"},
	{"BSL-1.0", "BSL-1.0"},
	{"CC0-1.0", "CC0-1.0"},
	{"curl", "curl"},
	{"Expat", "MIT"},
	{"GFDL-1.2", "GFDL-1.2-only"},
	{"GFDL-1.2+", "GFDL-1.2-or-later"},
	{"GFDL-1.3", "GFDL-1.3-only"},
	{"GFDL-1.3+", "GFDL-1.3-or-later"},
	{"GPL-1", "GPL-1.0-only"},
	{"GPL-1+", "GPL-1.0-or-later"},
	{"GPL-2", "GPL-2.0-only"},
	{"GPL-2+", "GPL-2.0-or-later"},
	{"GPL-3", "GPL-3.0-only"},
	{"GPL-3+", "GPL-3.0-or-later"},
	{"ISC", "ISC"},
	{"LGPL-2", "LGPL-2.0-only"},
	{"LGPL-2+", "LGPL-2.0-or-later"},
	{"LGPL-2.1", "LGPL-2.1-only"},
	{"LGPL-2.1+", "LGPL-2.1-or-later"},
	{"LGPL-3", "LGPL-3.0-only"},
	{"LGPL-3+", "LGPL-3.0-or-later"},
	{"MIT", "MIT"},
	{"MPL-1.1", "MPL-1.1"},
	{"MPL-2.0", "MPL-2.0"},
	{"OpenSSL", "OpenSSL"},
	{"PSF-2", "PSF-2.0"},
	{"Python-2.0", "Python-2.0"},
	{"Unicode-DFS-2016", "Unicode-DFS-2016"},
	{"WTFPL", "WTFPL"},
	{"X11", "X11"},
	{"Zlib", "Zlib"},
};

/* "LicenseRef-" and s with every character SPDX does not allow there
 * written '-'. */
static void license_ref(struct strbuf *sb, const char *s, size_t n)
{
	sb_adds(sb, "LicenseRef-");
	for (size_t i = 0; i < n; i++)
		sb_addc(sb, isalnum((unsigned char)s[i]) || s[i] == '.' ? s[i] : '-');
}

char *sbom_license(const char *deb)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = deb;

	for (const char *q = deb; *q; q++) /* an exception: one reference */
		if ((q == deb || isspace((unsigned char)q[-1])) && !strncasecmp(q, "with", 4) &&
		    (!q[4] || isspace((unsigned char)q[4]))) {
			license_ref(&sb, deb, strlen(deb));
			return sb_detach(&sb, NULL);
		}
	while (*p) {
		size_t n, i;
		p += strspn(p, " \t\n,");
		n = strcspn(p, " \t\n,");
		if (!n)
			break;
		if (sb.len)
			sb_addc(&sb, ' ');
		if ((n == 2 && !strncasecmp(p, "or", 2)) || (n == 3 && !strncasecmp(p, "and", 3))) {
			for (i = 0; i < n; i++)
				sb_addc(&sb, (char)toupper((unsigned char)p[i]));
		} else {
			for (i = 0; i < ARRAY_SIZE(licenses); i++)
				if (strlen(licenses[i][0]) == n && !strncasecmp(licenses[i][0], p, n))
					break;
			if (i < ARRAY_SIZE(licenses))
				sb_adds(&sb, licenses[i][1]);
			else
				license_ref(&sb, p, n);
		}
		p += n;
	}
	if (!sb.len)
		sb_adds(&sb, "NOASSERTION");
	return sb_detach(&sb, NULL);
}

/* The first line of field name in a control text, or NULL. Caller frees. */
static char *control_field(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = text; p && *p && *p != '\n'; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncasecmp(p, name, n) && p[n] == ':') {
			const char *v = p + n + 1, *e;
			v += strspn(v, " \t");
			e = v + strcspn(v, "\n");
			while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			return xstrndup(v, (size_t)(e - v));
		}
	}
	return NULL;
}

/* "Person: NAME (EMAIL)" of a Maintainer field "NAME <EMAIL>". */
static json_t *supplier(json_t *info)
{
	const char *ctl = json_string_value(json_object_get(info, "control"));
	char *m = ctl ? control_field(ctl, "Maintainer") : NULL, *lt, *gt, *s;
	json_t *j;

	if (!m || !*m) {
		free(m);
		return json_string("NOASSERTION");
	}
	lt = strchr(m, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt) {
		char *e = lt;
		while (e > m && e[-1] == ' ')
			e--;
		s = xasprintf("Person: %.*s (%.*s)", (int)(e - m), m, (int)(gt - lt - 1), lt + 1);
	} else {
		s = xasprintf("Person: %s", m);
	}
	j = json_string(s);
	free(s);
	free(m);
	return j ? j : json_string("NOASSERTION");
}

/* s percent-encoded as a purl component. */
static void purl_add(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (isalnum((unsigned char)*s) || strchr(".-_~", *s))
			sb_addc(sb, *s);
		else
			sb_addf(sb, "%%%02X", (unsigned char)*s);
	}
}

static char *purl(const struct cat_prim *p, bool deb)
{
	struct strbuf sb = STRBUF_INIT;

	sb_adds(&sb, deb ? "pkg:deb/debian/" : "pkg:generic/");
	purl_add(&sb, p->name);
	sb_addc(&sb, '@');
	purl_add(&sb, p->version);
	if (deb) {
		sb_adds(&sb, "?arch=");
		purl_add(&sb, p->arch ? p->arch : "all");
	}
	return sb_detach(&sb, NULL);
}

static json_t *license(const struct cat_prim *p, json_t *info)
{
	const char *l = json_string_value(json_object_get(info, "license"));
	char *s;
	json_t *j;

	if (!l)
		l = json_string_value(json_object_get(p->meta, "license"));
	if (!l)
		return json_string("NOASSERTION");
	s = sbom_license(l);
	j = json_string(s);
	free(s);
	return j ? j : json_string("NOASSERTION");
}

static json_t *ext_ref(const char *locator)
{
	return json_pack("[{s:s, s:s, s:s}]", "referenceCategory", "PACKAGE-MANAGER", "referenceType", "purl",
			 "referenceLocator", locator);
}

/* The package of p, SPDXID id. */
static json_t *package(const struct cat_prim *p, json_t *info, const char *id)
{
	json_t *o = json_object();
	char *pu = purl(p, info != NULL);

	json_object_set_new(o, "SPDXID", json_string(id));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "versionInfo", json_string(p->version));
	json_object_set_new(o, "supplier", info ? supplier(info) : json_string("NOASSERTION"));
	json_object_set_new(o, "downloadLocation", json_string("NOASSERTION"));
	json_object_set_new(o, "filesAnalyzed", json_false());
	if (p->digest && digest_valid(p->digest))
		json_object_set_new(
			o, "checksums",
			json_pack("[{s:s, s:s}]", "algorithm", "SHA256", "checksumValue", p->digest + 7));
	json_object_set_new(o, "licenseConcluded", json_string("NOASSERTION"));
	json_object_set_new(o, "licenseDeclared", license(p, info));
	json_object_set_new(o, "copyrightText", json_string("NOASSERTION"));
	json_object_set_new(o, "primaryPackagePurpose", json_string(info ? "OPERATING-SYSTEM" : "LIBRARY"));
	json_object_set_new(o, "externalRefs", ext_ref(pu));
	free(pu);
	return o;
}

struct pkg {
	const struct cat_prim *p;
	json_t *info;
	char *id;
};

static int pkg_cmp(const void *a, const void *b)
{
	const struct pkg *x = a, *y = b;
	int c = strcmp(x->p->name, y->p->name);

	return c ? c : strcmp(x->p->version, y->p->version);
}

static void relate(json_t *rels, const char *a, const char *type, const char *b)
{
	json_array_append_new(rels, json_pack("{s:s, s:s, s:s}", "spdxElementId", a, "relationshipType", type,
					      "relatedSpdxElement", b));
}

static const char *id_of(const struct pkg *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].p->name, name))
			return v[i].id;
	return NULL;
}

static int rel_cmp(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	static const char *const keys[] = {"spdxElementId", "relationshipType", "relatedSpdxElement"};
	int c = 0;

	for (size_t i = 0; i < ARRAY_SIZE(keys) && !c; i++)
		c = strcmp(json_string_value(json_object_get(x, keys[i])),
			   json_string_value(json_object_get(y, keys[i])));
	return c;
}

/* The relationships: the document describes the image, which contains
 * every package; each edge is a DEPENDS_ON. Sorted. */
static json_t *relationships(const struct sbom_in *in, const struct pkg *v, size_t n)
{
	json_t *rels = json_array(), *out = json_array(), **s;
	size_t i, m;

	for (i = 0; i < n; i++)
		relate(rels, "SPDXRef-Image", "CONTAINS", v[i].id);
	for (i = 0; i < in->dec->nedges; i++) {
		const char *a = id_of(v, n, in->dec->edges[i].from), *b = id_of(v, n, in->dec->edges[i].to);
		if (a && b)
			relate(rels, a, "DEPENDS_ON", b);
	}
	m = json_array_size(rels);
	s = xcalloc(m + 1, sizeof(*s));
	for (i = 0; i < m; i++)
		s[i] = json_array_get(rels, i);
	qsort(s, m, sizeof(*s), rel_cmp);
	relate(out, "SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image");
	for (i = 0; i < m; i++)
		if (!i || rel_cmp(&s[i - 1], &s[i]))
			json_array_append(out, s[i]);
	free(s);
	json_decref(rels);
	return out;
}

static json_t *image_package(const struct sbom_in *in)
{
	json_t *o = json_object();
	struct strbuf sb = STRBUF_INIT;
	const char *hex = in->manifest_digest + 7;

	sb_adds(&sb, "pkg:oci/");
	purl_add(&sb, in->name);
	sb_addf(&sb, "@sha256%%3A%s", hex);
	json_object_set_new(o, "SPDXID", json_string("SPDXRef-Image"));
	json_object_set_new(o, "name", json_string(in->name));
	json_object_set_new(o, "versionInfo", json_string(in->manifest_digest));
	json_object_set_new(o, "downloadLocation", json_string("NOASSERTION"));
	json_object_set_new(o, "filesAnalyzed", json_false());
	json_object_set_new(o, "checksums",
			    json_pack("[{s:s, s:s}]", "algorithm", "SHA256", "checksumValue", hex));
	json_object_set_new(o, "licenseConcluded", json_string("NOASSERTION"));
	json_object_set_new(o, "licenseDeclared", json_string("NOASSERTION"));
	json_object_set_new(o, "copyrightText", json_string("NOASSERTION"));
	json_object_set_new(o, "primaryPackagePurpose", json_string("CONTAINER"));
	json_object_set_new(o, "externalRefs", ext_ref(sb.buf));
	sb_release(&sb);
	return o;
}

static json_t *document(const struct sbom_in *in, json_t *pkgs, json_t *rels)
{
	char created[32],
		*ns = xasprintf("https://cpolc.invalid/spdx/%s-%s", in->name, in->manifest_digest + 7);
	time_t t = (time_t)in->epoch;
	struct tm tm;
	json_t *doc;

	gmtime_r(&t, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:[s]}, s:o, s:o}", "spdxVersion", "SPDX-2.3",
			"dataLicense", "CC0-1.0", "SPDXID", "SPDXRef-DOCUMENT", "name", in->name,
			"documentNamespace", ns, "creationInfo", "created", created, "creators",
			"Tool: cpolc-" PACKAGE_VERSION, "packages", pkgs, "relationships", rels);
	free(ns);
	if (!doc)
		abort();
	return doc;
}

char *sbom_spdx(const struct sbom_in *in, size_t *len)
{
	size_t n = in->dec->nselected;
	struct pkg *v = xcalloc(n + 1, sizeof(*v));
	json_t *pkgs = json_array(), *doc;
	struct strbuf sb = STRBUF_INIT;
	char *text;

	for (size_t i = 0; i < n; i++)
		v[i] = (struct pkg){in->dec->selected[i].prim, in->info ? in->info[i] : NULL, NULL};
	qsort(v, n, sizeof(*v), pkg_cmp);
	json_array_append_new(pkgs, image_package(in));
	for (size_t i = 0; i < n; i++) {
		struct strbuf id = STRBUF_INIT;
		sb_addf(&id, "SPDXRef-Package-%zu-", i + 1);
		for (const char *c = v[i].p->name; *c; c++)
			sb_addc(&id, isalnum((unsigned char)*c) || *c == '.' ? *c : '-');
		v[i].id = sb_detach(&id, NULL);
		json_array_append_new(pkgs, package(v[i].p, v[i].info, v[i].id));
	}
	doc = document(in, pkgs, relationships(in, v, n));
	text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (!text)
		abort();
	sb_adds(&sb, text);
	sb_addc(&sb, '\n');
	free(text);
	json_decref(doc);
	for (size_t i = 0; i < n; i++)
		free(v[i].id);
	free(v);
	return sb_detach(&sb, len);
}
