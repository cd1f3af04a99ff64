/* cat_meta.c - primitive metadata: checking, the index line, serialising. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "cat_int.h"
#include "rel.h"
#include "ver.h"

static const char *const kinds[] = {"executable", "library", "config", "data", "base"};

bool cat_valid_name(const char *name)
{
	return rel_valid_name(name);
}

char *cat_version_filename(const char *version)
{
	struct strbuf sb = STRBUF_INIT;

	for (const char *p = version; *p; p++) {
		if (*p == ':')
			sb_adds(&sb, "%3a");
		else
			sb_addc(&sb, *p);
	}
	return sb_detach(&sb, NULL);
}

char *meta_file_path(const char *dir, const char *name, const char *version)
{
	char *vf = cat_version_filename(version);
	char *p = xasprintf("%s/primitives/%s/%s.json", dir, name, vf);

	free(vf);
	return p;
}

/* A platform word: [a-z0-9_.-]+ */
static bool plat_word(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
		      *s == '.'))
			return false;
	return true;
}

static int bad(struct diag *d, const char *what, const char *fmt, const char *key)
{
	diag_file_error(d, what, 0, 0, CAT_RULE, fmt, key);
	return -1;
}

static int check_rel_list(json_t *v, const char *key, const char *what, struct diag *d)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return bad(d, what, "'%s' must be a list of strings", key);
	json_array_foreach(v, i, e)
	{
		struct rel_alt alt;
		const char *why = NULL;
		if (!json_is_string(e))
			return bad(d, what, "'%s' must be a list of strings", key);
		if (rel_parse_alt(json_string_value(e), &alt, &why) < 0) {
			diag_file_error(d, what, 0, 0, CAT_RULE, "bad relationship '%s' in '%s': %s",
					json_string_value(e), key, why);
			return -1;
		}
		if (!strcmp(key, "provides") &&
		    (alt.n != 1 || (alt.atoms[0].op && strcmp(alt.atoms[0].op, "=")))) {
			rel_alt_release(&alt);
			return bad(d, what,
				   "'provides' entries are a name with an optional '(= VERSION)', in '%s'",
				   json_string_value(e));
		}
		rel_alt_release(&alt);
	}
	return 0;
}

static bool is_count(const json_t *e)
{
	return json_is_integer(e) && json_integer_value(e) >= 0;
}

static bool is_string(const json_t *e)
{
	return json_is_string(e);
}

/* v must be an object whose every value ok accepts (described as want). */
static int check_object(json_t *v, const char *key, bool (*ok)(const json_t *), const char *want,
			const char *what, struct diag *d)
{
	const char *k;
	json_t *e;

	if (!json_is_object(v))
		return bad(d, what, "'%s' must be an object", key);
	json_object_foreach(v, k, e)
	{
		if (!ok(e)) {
			diag_file_error(d, what, 0, 0, CAT_RULE, "'%s' values must be %s", key, want);
			return -1;
		}
	}
	return 0;
}

int meta_check_scan(json_t *scan, const char *what, struct diag *d)
{
	static const char *const counts[] = {"critical", "high", "medium", "low"};
	const char *k;
	json_t *e, *c;
	size_t i;

	if (!json_is_object(scan))
		return bad(d, what, "'%s' must be an object", "scan");
	json_object_foreach(scan, k, e)
	{
		bool known = !strcmp(k, "scanner") || !strcmp(k, "date") || !strcmp(k, "cves");
		for (i = 0; i < ARRAY_SIZE(counts); i++)
			known = known || !strcmp(k, counts[i]);
		if (!known)
			return bad(d, what, "unknown key 'scan.%s'", k);
	}
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		e = json_object_get(scan, counts[i]);
		if (e && (!json_is_integer(e) || json_integer_value(e) < 0))
			return bad(d, what, "'scan.%s' must be a non-negative integer", counts[i]);
	}
	if ((e = json_object_get(scan, "scanner")) && !json_is_string(e))
		return bad(d, what, "'scan.%s' must be a string", "scanner");
	if ((e = json_object_get(scan, "date")) && !json_is_string(e))
		return bad(d, what, "'scan.%s' must be a string", "date");
	e = json_object_get(scan, "cves");
	if (!e)
		return 0;
	if (!json_is_array(e))
		return bad(d, what, "'%s' must be a list", "scan.cves");
	json_array_foreach(e, i, c)
	{
		json_t *id = json_object_get(c, "id"), *sev = json_object_get(c, "severity");
		json_t *fixed = json_object_get(c, "fixed");
		if (!json_is_object(c) || !json_is_string(id) || !json_is_string(sev) ||
		    (fixed && !json_is_string(fixed) && !json_is_null(fixed)))
			return bad(
				d, what,
				"'%s' entries need string 'id' and 'severity' and a string or null 'fixed'",
				"scan.cves");
	}
	return 0;
}

static int check_platform(json_t *v, const char *what, struct diag *d)
{
	const char *k;
	json_t *e;

	if (!json_is_object(v))
		return bad(d, what, "'%s' must be an object", "platform");
	json_object_foreach(v, k, e)
	{
		if (strcmp(k, "os") && strcmp(k, "architecture") && strcmp(k, "variant"))
			return bad(d, what, "unknown key 'platform.%s'", k);
		if (!plat_word(json_string_value(e)))
			return bad(d, what, "'platform.%s' must be a lowercase word", k);
	}
	if (!json_object_get(v, "os") || !json_object_get(v, "architecture"))
		return bad(d, what, "'%s' needs 'os' and 'architecture'", "platform");
	return 0;
}

static int check_allow(json_t *v, const char *what, struct diag *d)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return bad(d, what, "'%s' must be a list of strings", "allow");
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e) || strcmp(json_string_value(e), "setuid"))
			return bad(d, what, "'allow' entries must be \"%s\"", "setuid");
	}
	return 0;
}

static int check_required(json_t *m, const char *what, bool full, struct diag *d)
{
	json_t *v;
	const char *why = NULL;

	v = json_object_get(m, "name");
	if (full || v) {
		if (!json_is_string(v) || !cat_valid_name(json_string_value(v)))
			return bad(d, what, "'%s' must be a valid primitive name", "name");
	}
	v = json_object_get(m, "version");
	if (full || v) {
		if (!json_is_string(v) || !ver_valid(json_string_value(v), &why)) {
			diag_file_error(d, what, 0, 0, CAT_RULE, "'version' must be a valid version: %s",
					why ? why : "not a string");
			return -1;
		}
	}
	v = json_object_get(m, "content");
	if (((full && !json_object_get(m, "apt")) || v) && !digest_valid(json_string_value(v)))
		return bad(d, what, "'%s' must be \"sha256:\" and 64 hex digits", "content");
	v = json_object_get(m, "size");
	if ((full || v) && (!json_is_integer(v) || json_integer_value(v) < 0))
		return bad(d, what, "'%s' must be a non-negative integer", "size");
	v = json_object_get(m, "kind");
	if (full || v) {
		const char *k = json_string_value(v);
		for (size_t i = 0; k && i < ARRAY_SIZE(kinds); i++)
			if (!strcmp(k, kinds[i]))
				return 0;
		return bad(d, what, "'%s' must be executable, library, config, data or base", "kind");
	}
	return 0;
}

/* "apt": what the repository says of a package (cat_pack.c). */
static int check_apt(json_t *v, const char *what, struct diag *d)
{
	static const char *const strs[] = {"filename", "sha256", "section",
					   "priority", "source", "multi_arch"};
	static const char *const lists[] = {"pre_depends", "recommends", "suggests", "enhances", "replaces"};
	const char *k;
	json_t *e;

	if (!json_is_object(v))
		return bad(d, what, "'%s' must be an object", "apt");
	json_object_foreach(v, k, e)
	{
		bool ok = false;
		for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
			ok = ok || (!strcmp(k, strs[i]) && json_is_string(e));
		for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
			ok = ok || (!strcmp(k, lists[i]) && json_is_array(e));
		ok = ok || (!strcmp(k, "size") && is_count(e));
		ok = ok || ((!strcmp(k, "essential") || !strcmp(k, "important")) && json_is_boolean(e));
		if (!ok)
			return bad(d, what, "unknown or mistyped key 'apt.%s'", k);
	}
	if (!json_is_string(json_object_get(v, "filename")) || !json_is_string(json_object_get(v, "sha256")))
		return bad(d, what, "'%s' needs 'filename' and 'sha256'", "apt");
	return 0;
}

static int check_key(const char *k, json_t *v, const char *what, struct diag *d)
{
	if (!strcmp(k, "name") || !strcmp(k, "version") || !strcmp(k, "content") || !strcmp(k, "size") ||
	    !strcmp(k, "kind"))
		return 0; /* check_required */
	if (!strcmp(k, "depends") || !strcmp(k, "provides") || !strcmp(k, "conflicts") ||
	    !strcmp(k, "breaks"))
		return check_rel_list(v, k, what, d);
	if (!strcmp(k, "platform"))
		return check_platform(v, what, d);
	if (!strcmp(k, "license") || !strcmp(k, "description"))
		return json_is_string(v) ? 0 : bad(d, what, "'%s' must be a string", k);
	if (!strcmp(k, "scan"))
		return meta_check_scan(v, what, d);
	if (!strcmp(k, "resources"))
		return check_object(v, k, is_count, "non-negative integers", what, d);
	if (!strcmp(k, "labels"))
		return check_object(v, k, is_string, "strings", what, d);
	if (!strcmp(k, "allow"))
		return check_allow(v, what, d);
	if (!strcmp(k, "apt"))
		return check_apt(v, what, d);
	if (!strcmp(k, "deb_info"))
		return json_is_string(v) && digest_valid(json_string_value(v))
			       ? 0
			       : bad(d, what, "'%s' must be a digest", k);
	if (!strcmp(k, "installed_size"))
		return json_is_integer(v) && json_integer_value(v) >= 0
			       ? 0
			       : bad(d, what, "'%s' must be a non-negative integer", k);
	return bad(d, what, "unknown metadata key '%s'", k);
}

int meta_check(json_t *m, const char *what, bool full, struct diag *d)
{
	const char *k;
	json_t *v;
	int rc = 0;

	if (!json_is_object(m))
		return bad(d, what, "metadata must be a JSON %s", "object");
	if (check_required(m, what, full, d) < 0)
		rc = -1;
	json_object_foreach(m, k, v)
	{
		if (check_key(k, v, what, d) < 0)
			rc = -1;
	}
	return rc;
}

bool meta_allows(json_t *m, const char *what)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(m, "allow"), i, e)
	{
		if (json_is_string(e) && !strcmp(json_string_value(e), what))
			return true;
	}
	return false;
}

void meta_allow(json_t *m, const char *what)
{
	json_t *a = json_object_get(m, "allow");

	if (meta_allows(m, what))
		return;
	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(m, "allow", a);
	}
	json_array_append_new(a, json_string(what));
}

/* Append the canonical form of each relationship of list to sb. */
static void add_rels(struct strbuf *sb, json_t *list, bool *first)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
	{
		struct rel_alt alt;
		const char *why;
		if (rel_parse_alt(json_string_value(e), &alt, &why) < 0)
			continue; /* meta_check refused it already */
		char *s = rel_alt_str(&alt);
		if (!*first)
			sb_adds(sb, ", ");
		sb_adds(sb, s);
		*first = false;
		free(s);
		rel_alt_release(&alt);
	}
}

static void add_field(struct strbuf *sb, const char *s)
{
	sb_adds(sb, s ? s : "");
	sb_addc(sb, '\t');
}

void meta_index_line(json_t *m, const char *meta_digest, struct strbuf *sb)
{
	json_t *plat = json_object_get(m, "platform");
	bool first;

	add_field(sb, json_string_value(json_object_get(m, "name")));
	add_field(sb, json_string_value(json_object_get(m, "version")));
	add_field(sb, json_string_value(json_object_get(m, "kind")));
	add_field(sb, json_string_value(json_object_get(m, "content")));
	add_field(sb, meta_digest);
	sb_addf(sb, "%lld\t", (long long)json_integer_value(json_object_get(m, "size")));
	add_field(sb, json_string_value(json_object_get(plat, "os")));
	add_field(sb, json_string_value(json_object_get(plat, "architecture")));
	first = true;
	add_rels(sb, json_object_get(m, "depends"), &first);
	sb_addc(sb, '\t');
	first = true;
	add_rels(sb, json_object_get(m, "provides"), &first);
	sb_addc(sb, '\t');
	first = true;
	add_rels(sb, json_object_get(m, "conflicts"), &first);
	add_rels(sb, json_object_get(m, "breaks"), &first);
	sb_addc(sb, '\n');
}

char *meta_dump(json_t *m, size_t *len)
{
	char *s = json_dumps(m, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_ENSURE_ASCII);
	struct strbuf sb = STRBUF_INIT;

	if (!s)
		abort(); /* jansson fails only on allocation */
	sb_adds(&sb, s);
	sb_addc(&sb, '\n');
	free(s);
	return sb_detach(&sb, len);
}

/* Here, not in cat.c, so that what calls it (decision_report) does not
 * pull in all of cat.c. */
char *cat_prim_cves(const struct cat_prim *p, size_t max)
{
	json_t *rec = cat_prim_record(p), *cves = json_object_get(json_object_get(rec, "scan"), "cves"), *c;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	json_array_foreach(cves, i, c)
	{
		if (i == max) {
			sb_addf(&sb, " and %zu more", json_array_size(cves) - max);
			break;
		}
		sb_addf(&sb, "%s%s (%s)", i ? ", " : "", json_string_value(json_object_get(c, "id")),
			json_string_value(json_object_get(c, "severity")));
	}
	return sb.len ? sb_detach(&sb, NULL) : (sb_release(&sb), NULL);
}
