/* check_oci.c - the composer: layer normalisation, reproducibility, layer
 * merging, collisions, atomic output, the from image, verification. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "lock.h"
#include "oci.h"
#include "tarmaker.h"
#include "util.h"

static char *dir;

static void setup(void)
{
	dir = tm_tmpdir();
}

static void teardown(void)
{
	tm_rmrf(dir);
	free(dir);
}

static char *p(const char *name)
{
	return path_join(dir, name);
}

/* Compose srcs into DIR/out with default options plus the given ones. */
static int compose(const char *out, const struct oci_layer_src *s, size_t n, enum oci_compression c,
		   struct oci_result *res, struct diag *d)
{
	struct oci_opts o;
	char *op = p(out);
	int rc;

	memset(&o, 0, sizeof(o));
	o.out = op;
	o.tag = "t";
	o.compression = c;
	rc = oci_compose(&o, s, n, NULL, NULL, "linux/amd64", res, d);
	free(op);
	return rc;
}

/* The listing of a layer blob: "TYPE PATH mtime uid:gid size [-> link]" per line. */
static char *listing(const char *out, const char *digest)
{
	char *bp = xasprintf("%s/%s/blobs/sha256/%s", dir, out, digest + 7);
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	struct strbuf sb = STRBUF_INIT;

	archive_read_support_format_tar(a);
	archive_read_support_filter_all(a);
	ck_assert_int_eq(archive_read_open_filename(a, bp, 10240), ARCHIVE_OK);
	while (archive_read_next_header(a, &ae) == ARCHIVE_OK) {
		char t = archive_entry_hardlink(ae)		  ? 'h'
			 : archive_entry_filetype(ae) == AE_IFDIR ? 'd'
			 : archive_entry_filetype(ae) == AE_IFLNK ? 'l'
								  : 'f';
		sb_addf(&sb, "%c %s %lld %lld:%lld %lld %o", t, archive_entry_pathname(ae),
			(long long)archive_entry_mtime(ae), (long long)archive_entry_uid(ae),
			(long long)archive_entry_gid(ae), (long long)archive_entry_size(ae),
			archive_entry_perm(ae));
		if ((archive_entry_uname(ae) && *archive_entry_uname(ae)) ||
		    (archive_entry_gname(ae) && *archive_entry_gname(ae)))
			sb_adds(&sb, " NAMED");
		if (t == 'f' && archive_entry_size(ae) > 0) {
			char buf[17];
			la_ssize_t n = archive_read_data(a, buf, 16);
			ck_assert_int_ge(n, 0);
			buf[n] = '\0';
			sb_addf(&sb, " =%s", buf);
		}
		if (archive_entry_hardlink(ae))
			sb_addf(&sb, " -> %s", archive_entry_hardlink(ae));
		if (archive_entry_symlink(ae))
			sb_addf(&sb, " -> %s", archive_entry_symlink(ae));
		sb_addc(&sb, '\n');
	}
	archive_read_free(a);
	free(bp);
	return sb_detach(&sb, NULL);
}

START_TEST(test_normalise)
{
	static const struct tm_ent e[] = {
		{"./usr/lib/z.so", 'f', "zz", 0644},
		{"usr/bin/b", 'h', "usr/lib/z.so", 0}, /* sorts before its target */
		{"etc//motd", 'f', "hi", 0600},
		{"bin", 'l', "usr/bin", 0},
		{"usr-x", 'f', "dash", 0},
		{"usr/bin/a", 'f', "", 04755},
	};
	char *tar = p("a.tar"), *ls;
	const char *tars[] = {tar}, *dgs[] = {NULL};
	struct oci_layer_src s = {"a", tars, dgs, 1, NULL, 0, .allow_setuid = true};
	struct oci_result res;
	struct diag d;

	dgs[0] = xstrdup(tm_make(tar, e, ARRAY_SIZE(e)));
	diag_init(&d);
	ck_assert_int_eq(compose("out", &s, 1, OCI_COMP_NONE, &res, &d), 0);
	ck_assert_uint_eq(res.nlayers, 1);
	ls = listing("out", res.layers[0].digest);
	ck_assert_str_eq(ls, "l bin 0 0:0 0 777 -> usr/bin\n"
			     "d etc/ 0 0:0 0 755\n"
			     "f etc/motd 0 0:0 2 600 =hi\n"
			     "d usr/ 0 0:0 0 755\n"
			     "f usr-x 0 0:0 4 644 =dash\n"
			     "d usr/bin/ 0 0:0 0 755\n"
			     "f usr/bin/a 0 0:0 0 4755\n"
			     "f usr/bin/b 0 0:0 2 644 =zz\n"
			     "d usr/lib/ 0 0:0 0 755\n"
			     "h usr/lib/z.so 0 0:0 0 644 -> usr/bin/b\n");
	/* uncompressed layer: digest and diff_id agree */
	ck_assert_str_eq(res.layers[0].digest, res.layers[0].diff_id);
	/* the normalised tar's bytes are part of the format: a change here must
	 * bump OCI_LAYER_FORMAT (cache keys) and is visible in every digest */
	ck_assert_str_eq(res.layers[0].diff_id,
			 "sha256:8ad220420c5108f5647543b14696e9f590cdfd4ac63093945f7c9d99b8a7b5a1");
	free(ls);
	oci_result_release(&res);
	diag_release(&d);
	free((char *)dgs[0]);
	free(tar);
}
END_TEST

/* The layer writer holds every member to the rules of member.h, whatever
 * the catalog that holds the tar: a hand-made one got no pass. */
START_TEST(test_layer_member_rules)
{
	static const struct {
		struct tm_ent e;
		const char *why;
	} cases[] = {
		{{"/etc/motd", 'f', "hi", 0644}, "refused: member '/etc/motd' is an absolute path"},
		{{"usr/bin/su", 'f', "su", 04755}, "refused: member 'usr/bin/su' is setuid or setgid"},
		{{"etc/l", 'l', "../../../etc/shadow", 0},
		 "refused: member 'etc/l' is a symlink whose target climbs"},
		{{"a/../../x", 'f', "x", 0644}, "refused: member 'a/../../x' climbs out of the root"},
	};
	char *tar = p("rules.tar");
	const char *tars[] = {tar};
	struct oci_layer_src s = {"evil", tars, NULL, 1, NULL, 0, false};
	struct oci_result res;
	struct diag d;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		tm_make(tar, &cases[i].e, 1);
		diag_init(&d);
		ck_assert_int_eq(compose("rules", &s, 1, OCI_COMP_NONE, &res, &d), -1);
		ck_assert_uint_ge(d.nentries, 1);
		ck_assert_msg(strstr(d.entries[0].message, cases[i].why), "%s", d.entries[0].message);
		ck_assert_int_eq(oci_check_collisions(&s, 1, NULL, &d), -1); /* the collision check too */
		diag_release(&d);
		oci_result_release(&res);
	}
	s.allow_setuid = true; /* unless the metadata allows it */
	tm_make(tar, &cases[1].e, 1);
	diag_init(&d);
	ck_assert_int_eq(compose("rules", &s, 1, OCI_COMP_NONE, &res, &d), 0);
	ck_assert_int_eq(oci_check_collisions(&s, 1, NULL, &d), 0);
	diag_release(&d);
	oci_result_release(&res);
	free(tar);
}
END_TEST

START_TEST(test_long_names_and_epoch)
{
	struct strbuf longp = STRBUF_INIT;
	struct tm_ent e[2] = {{NULL, 'f', "x", 0}, {"l", 'l', NULL, 0}};
	char *tar = p("long.tar"), *ls;
	const char *tars[] = {tar};
	struct oci_layer_src s = {"long", tars, NULL, 1, NULL, 0, false};
	struct oci_opts o;
	struct oci_result res;
	struct diag d;
	int i;

	for (i = 0; i < 30; i++)
		sb_adds(&longp, "component/");
	sb_adds(&longp, "a-file-name-that-is-long-enough-to-need-more-than-a-hundred-bytes-of-name-field-"
			"xxxxxxxxxxxxx");
	e[0].path = longp.buf;
	e[1].data = longp.buf;
	tm_make(tar, e, 2);
	diag_init(&d);
	memset(&o, 0, sizeof(o));
	o.out = p("out");
	o.epoch = 1700000000;
	o.compression = OCI_COMP_NONE;
	ck_assert_int_eq(oci_compose(&o, &s, 1, NULL, NULL, NULL, &res, &d), 0);
	ls = listing("out", res.layers[0].digest);
	ck_assert_ptr_nonnull(strstr(ls, longp.buf));
	ck_assert_ptr_nonnull(strstr(ls, "l l 1700000000 0:0 0 777 -> component/"));
	ck_assert_ptr_null(strstr(ls, " 0 0:0")); /* every mtime is the epoch */
	free(ls);
	oci_result_release(&res);
	free((char *)o.out);
	diag_release(&d);
	sb_release(&longp);
	free(tar);
}
END_TEST

static void two_sources(struct oci_layer_src *s, const char **tars, const char **dgs)
{
	static const struct tm_ent a[] = {{"bin/app", 'f', "app", 0755}};
	static const struct tm_ent b[] = {{"etc/app.conf", 'f', "conf", 0}, {"etc", 'd', NULL, 0}};
	char *ta = p("a.tar"), *tb = p("b.tar");

	dgs[0] = xstrdup(tm_make(ta, a, 1));
	dgs[1] = xstrdup(tm_make(tb, b, 2));
	tars[0] = ta;
	tars[1] = tb;
	memset(s, 0, 2 * sizeof(*s));
	s[0].name = "app 1.0";
	s[0].tars = &tars[0];
	s[0].tar_digests = &dgs[0];
	s[0].ntars = 1;
	s[1].name = "conf 2";
	s[1].tars = &tars[1];
	s[1].tar_digests = &dgs[1];
	s[1].ntars = 1;
}

static void free_sources(const char **tars, const char **dgs)
{
	free((char *)tars[0]);
	free((char *)tars[1]);
	free((char *)dgs[0]);
	free((char *)dgs[1]);
}

START_TEST(test_reproducible)
{
	struct oci_layer_src s[2];
	const char *tars[2], *dgs[2];
	struct oci_result r1, r2, r3;
	struct diag d;
	char *idx, *data, *mp;
	size_t len;
	static const unsigned char gz[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};

	two_sources(s, tars, dgs);
	diag_init(&d);
	ck_assert_int_eq(compose("o1", s, 2, OCI_COMP_GZIP, &r1, &d), 0);
	ck_assert_int_eq(compose("o2", s, 2, OCI_COMP_GZIP, &r2, &d), 0);
	ck_assert_str_eq(r1.manifest_digest, r2.manifest_digest);
	ck_assert_int_eq(compose("o3", s, 2, OCI_COMP_ZSTD, &r3, &d), 0);
	ck_assert_str_ne(r1.manifest_digest, r3.manifest_digest);
	ck_assert_str_eq(r1.layers[0].diff_id, r3.layers[0].diff_id); /* same tar, other compression */
	/* the gzip header has no name, no time and a fixed OS byte */
	mp = xasprintf("%s/o1/blobs/sha256/%s", dir, r1.layers[0].digest + 7);
	ck_assert_int_eq(read_file(mp, &data, &len), 0);
	ck_assert_mem_eq(data, gz, sizeof(gz));
	free(data);
	free(mp);
	idx = p("o1/index.json");
	ck_assert_int_eq(read_file(idx, &data, &len), 0);
	ck_assert_ptr_nonnull(strstr(data, "\"org.opencontainers.image.ref.name\":\"t\""));
	free(data);
	free(idx);
	ck_assert_int_eq(oci_verify_layout(mp = p("o3"), "t", r3.manifest_digest, &d), 0);
	free(mp);
	ck_assert_uint_eq(d.nerrors, 0);
	oci_result_release(&r1);
	oci_result_release(&r2);
	oci_result_release(&r3);
	diag_release(&d);
	free_sources(tars, dgs);
}
END_TEST

START_TEST(test_config_and_history)
{
	struct oci_layer_src s[2];
	const char *tars[2], *dgs[2];
	struct oci_result res;
	struct oci_opts o;
	struct diag d;
	json_t *cfg = json_pack("{s:[s], s:{s:s}}", "Entrypoint", "/bin/app", "Labels", "team", "x");
	json_t *ann = json_pack("{s:s}", "org.opencontainers.image.title", "t");
	char *path, *data;
	size_t len;

	two_sources(s, tars, dgs);
	diag_init(&d);
	memset(&o, 0, sizeof(o));
	o.out = p("out");
	o.epoch = 86400;
	ck_assert_int_eq(oci_compose(&o, s, 2, cfg, ann, "linux/arm64/v8", &res, &d), 0);
	path = xasprintf("%s/out/blobs/sha256/%s", dir, res.config_digest + 7);
	ck_assert_int_eq(read_file(path, &data, &len), 0);
	ck_assert_int_eq(
		strncmp(data,
			"{\"architecture\":\"arm64\",\"config\":{\"Entrypoint\":[\"/bin/"
			"app\"],\"Env\":[\"PATH=/usr/"
			"local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\"Labels\":"
			"{\"team\":\"x\"}},\"created\":\"1970-01-02T00:00:00Z\",\"history\":[{\"created\":"
			"\"1970-01-02T00:00:00Z\",\"created_by\":\"cpolc: app 1.0\"},{\"created\":\"1970-01-"
			"02T00:00:00Z\",\"created_by\":\"cpolc: conf 2\"}],\"os\":\"linux\",\"rootfs\":{"
			"\"diff_ids\":[\"",
			369),
		0);
	ck_assert_ptr_nonnull(strstr(data, "\"type\":\"layers\"},\"variant\":\"v8\"}"));
	free(data);
	free(path);
	oci_result_release(&res);
	free((char *)o.out);
	json_decref(cfg);
	json_decref(ann);
	diag_release(&d);
	free_sources(tars, dgs);
}
END_TEST

/* A policy's own PATH replaces the default one. */
START_TEST(test_policy_path)
{
	struct oci_layer_src s[2];
	const char *tars[2], *dgs[2];
	struct oci_result res;
	struct oci_opts o;
	struct diag d;
	json_t *cfg = json_pack("{s:[s,s]}", "Env", "A=1", "PATH=/opt/bin");
	char *path, *data;
	size_t len;

	two_sources(s, tars, dgs);
	diag_init(&d);
	memset(&o, 0, sizeof(o));
	o.out = p("out");
	ck_assert_int_eq(oci_compose(&o, s, 2, cfg, NULL, "linux/amd64", &res, &d), 0);
	path = xasprintf("%s/out/blobs/sha256/%s", dir, res.config_digest + 7);
	ck_assert_int_eq(read_file(path, &data, &len), 0);
	ck_assert_ptr_nonnull(strstr(data, "\"Env\":[\"A=1\",\"PATH=/opt/bin\"]"));
	ck_assert_ptr_null(strstr(data, "/usr/local/sbin"));
	free(data);
	free(path);
	oci_result_release(&res);
	free((char *)o.out);
	json_decref(cfg);
	diag_release(&d);
	free_sources(tars, dgs);
}
END_TEST

START_TEST(test_tampered_input)
{
	struct oci_layer_src s[2];
	const char *tars[2], *dgs[2];
	struct oci_result res;
	struct diag d;
	char *idx = p("out/index.json");
	static const struct tm_ent evil[] = {{"bin/app", 'f', "evil", 0755}};

	two_sources(s, tars, dgs);
	tm_make(tars[0], evil, 1); /* content no longer matches dgs[0] */
	diag_init(&d);
	ck_assert_int_eq(compose("out", s, 2, OCI_COMP_GZIP, &res, &d), -1);
	ck_assert_uint_ge(d.nerrors, 1);
	ck_assert_ptr_nonnull(strstr(d.entries[0].message, "does not match its digest"));
	ck_assert_int_eq(access(idx, F_OK), -1);
	free(idx);
	diag_release(&d);
	free_sources(tars, dgs);
}
END_TEST

START_TEST(test_bad_member)
{
	static const struct tm_ent e[] = {{"../escape", 'f', "x", 0}};
	char *tar = p("bad.tar");
	const char *tars[] = {tar};
	struct oci_layer_src s = {"bad", tars, NULL, 1, NULL, 0, false};
	struct oci_result res;
	struct diag d;

	tm_make(tar, e, 1);
	diag_init(&d);
	ck_assert_int_eq(compose("out", &s, 1, OCI_COMP_GZIP, &res, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.entries[0].message, "climbs out of the root"));
	diag_release(&d);
	free(tar);
}
END_TEST

START_TEST(test_max_layers)
{
	struct oci_layer_src s[5];
	char *tars[5];
	const char *tp[5];
	static const char *const names[] = {"s0", "big1", "s2", "big3", "s4"};
	static const struct oci_file f = {.path = "/etc/gen", .data = "generated", .len = 9};
	struct oci_layer_src all[6];
	struct oci_result res;
	struct oci_opts o;
	struct diag d;
	int i;

	for (i = 0; i < 5; i++) {
		struct strbuf data = STRBUF_INIT;
		struct tm_ent e = {NULL, 'f', NULL, 0};
		char *name = xasprintf("f%d", i);
		int k;
		for (k = 0; k < (i % 2 ? 4000 + i : 10 + i); k++)
			sb_addc(&data, (char)('a' + k % 26));
		e.path = name;
		e.data = data.buf;
		tars[i] = xasprintf("%s/%d.tar", dir, i);
		tm_make(tars[i], &e, 1);
		tp[i] = tars[i];
		memset(&s[i], 0, sizeof(s[i]));
		s[i].name = names[i];
		s[i].tars = &tp[i];
		s[i].ntars = 1;
		sb_release(&data);
		free(name);
	}
	memcpy(all, s, sizeof(s));
	memset(&all[5], 0, sizeof(all[5]));
	all[5].name = "files";
	all[5].files = &f;
	all[5].nfiles = 1;
	diag_init(&d);
	memset(&o, 0, sizeof(o));
	o.out = p("out");
	o.max_layers = 3;
	ck_assert_int_eq(oci_compose(&o, all, 6, NULL, NULL, NULL, &res, &d), 0);
	/* the two largest keep their layer; s0, s2, s4 share one where s0 was;
	 * the generated files keep theirs */
	ck_assert_uint_eq(res.nlayers, 4);
	ck_assert_str_eq(res.layers[0].name, "s0, s2, s4");
	ck_assert_str_eq(res.layers[1].name, "big1");
	ck_assert_str_eq(res.layers[2].name, "big3");
	ck_assert_str_eq(res.layers[3].name, "files");
	ck_assert_uint_eq(res.src_layer[4], 0);
	ck_assert_uint_eq(res.src_layer[3], 2);
	ck_assert_uint_eq(res.src_layer[5], 3);
	oci_result_release(&res);
	free((char *)o.out);
	diag_release(&d);
	for (i = 0; i < 5; i++)
		free(tars[i]);
}
END_TEST

/* Files are hashed only when another source has a file of the same size at
 * the same path; a size or type that differs is a collision by itself. */
START_TEST(test_collisions_lazy)
{
	static const struct tm_ent a[] = {{"a", 'f', "one", 0}, {"b", 'f', "same", 0}, {"c", 'f', "1", 0},
					  {"d", 'f', "gen", 0}, {"e", 'f', "abc", 0},  {"f", 'd', NULL, 0}};
	static const struct tm_ent b[] = {
		{"a", 'f', "three", 0}, {"b", 'f', "same", 0}, {"c", 'l', "a", 0}, {"f", 'f', "", 0}};
	static const struct oci_file gen[] = {{.path = "/d", .data = "gen", .len = 3},
					      {.path = "e", .data = "abd", .len = 3}};
	char *ta = p("la.tar"), *tb = p("lb.tar");
	const char *t[] = {ta, tb};
	struct oci_layer_src s[3];
	struct diag d;

	tm_make(ta, a, 6);
	tm_make(tb, b, 4);
	memset(s, 0, sizeof(s));
	s[0] = (struct oci_layer_src){"pa", &t[0], NULL, 1, NULL, 0, false};
	s[1] = (struct oci_layer_src){"pb", &t[1], NULL, 1, NULL, 0, false};
	s[2] = (struct oci_layer_src){"files", NULL, NULL, 0, gen, 2, false};
	diag_init(&d);
	ck_assert_int_eq(oci_check_collisions(s, 3, NULL, &d), 4);
	ck_assert_str_eq(d.entries[0].message, "'/a' differs between pa and pb");    /* sizes */
	ck_assert_str_eq(d.entries[1].message, "'/c' differs between pa and pb");    /* file, link */
	ck_assert_str_eq(d.entries[2].message, "'/e' differs between pa and files"); /* same size */
	ck_assert_str_eq(d.entries[3].message, "'/f' differs between pa and pb");    /* dir, file */
	diag_release(&d);
	free(ta);
	free(tb);
}
END_TEST

/* With a cache, each tar's member table is kept by its digest and used
 * while the tar's stat data is unchanged; a damaged table is read again. */
START_TEST(test_collisions_cached)
{
	static const struct tm_ent a[] = {{"a", 'f', "one", 0}, {"e", 'f', "abc", 0}};
	static const struct tm_ent b[] = {{"a", 'f', "three", 0}, {"e", 'f', "abd", 0}};
	static const char *dg[] = {"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
				   "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"};
	char *ta = p("ca.tar"), *tb = p("cb.tar"), *cache = p("ccache"), *scan, *text, *stamp, *orig;
	char hex[65];
	const char *t[] = {ta, tb};
	struct oci_layer_src s[2];
	struct timespec later[2] = {{0, UTIME_OMIT}, {12345, 0}};
	struct stat st;
	struct diag d;
	size_t len;

	tm_make(ta, a, 2);
	tm_make(tb, b, 2);
	s[0] = (struct oci_layer_src){"pa", &t[0], &dg[0], 1, NULL, 0, false};
	s[1] = (struct oci_layer_src){"pb", &t[1], &dg[1], 1, NULL, 0, false};
	scan = xasprintf("%s/scans/%s", cache, dg[0] + 7);
	diag_init(&d);
	ck_assert_int_eq(oci_check_collisions(s, 2, cache, &d), 2);
	ck_assert_int_eq(read_file(scan, &orig, &len), 0);
	ck_assert_int_eq(oci_check_collisions(s, 2, cache, &d), 2); /* from the tables */

	/* the table is what is used: one that says pa is empty hides both */
	ck_assert_int_eq(stat(ta, &st), 0);
	stamp = cache_stamp(&st);
	sha256_hex("", 0, hex);
	text = xasprintf("cpolc scan 2 %s %s\n", stamp, hex);
	ck_assert_int_eq(write_file_atomic(scan, text, strlen(text), 0644), 0);
	ck_assert_int_eq(oci_check_collisions(s, 2, cache, &d), 0);
	/* ... but only while the tar is unchanged */
	ck_assert_int_eq(utimensat(AT_FDCWD, ta, later, 0), 0);
	ck_assert_int_eq(oci_check_collisions(s, 2, cache, &d), 2);
	free(text);
	free(stamp);

	/* a damaged table is detected and replaced */
	ck_assert_int_eq(read_file(scan, &text, &len), 0);
	text[len - 2] ^= 1;
	ck_assert_int_eq(write_file_atomic(scan, text, len, 0644), 0);
	ck_assert_int_eq(oci_check_collisions(s, 2, cache, &d), 2);
	free(text);
	ck_assert_int_eq(read_file(scan, &text, &len), 0);
	ck_assert_ptr_nonnull(memchr(text, '\n', len));
	ck_assert_int_eq(strcmp(strchr(text, '\n'), strchr(orig, '\n')), 0); /* same records */
	ck_assert_uint_eq(d.nerrors, 8);
	diag_release(&d);
	free(text);
	free(orig);
	free(scan);
	free(cache);
	free(ta);
	free(tb);
}
END_TEST

START_TEST(test_collisions)
{
	static const struct tm_ent a[] = {{"etc", 'd', NULL, 0}, {"etc/x", 'f', "one", 0}};
	static const struct tm_ent b[] = {{"etc", 'd', NULL, 0700}, {"etc/x", 'f', "two", 0}};
	static const struct tm_ent c[] = {{"./etc/x", 'f', "one", 0}};
	char *ta = p("a.tar"), *tb = p("b.tar"), *tc = p("c.tar");
	const char *t[] = {ta, tb, tc};
	struct oci_layer_src s[3];
	struct diag d;

	tm_make(ta, a, 2);
	tm_make(tb, b, 2);
	tm_make(tc, c, 1);
	memset(s, 0, sizeof(s));
	s[0] = (struct oci_layer_src){"pa", &t[0], NULL, 1, NULL, 0, false};
	s[1] = (struct oci_layer_src){"pb", &t[1], NULL, 1, NULL, 0, false};
	s[2] = (struct oci_layer_src){"pc", &t[2], NULL, 1, NULL, 0, false};
	diag_init(&d);
	ck_assert_int_eq(oci_check_collisions(s, 3, NULL, &d), 1);
	ck_assert_str_eq(d.entries[0].message, "'/etc/x' differs between pa and pb");
	ck_assert_str_eq(d.entries[0].rule, "oci-collision");
	diag_release(&d);
	diag_init(&d);
	s[1] = s[2];
	ck_assert_int_eq(oci_check_collisions(s, 2, NULL, &d), 0); /* identical content, dirs */
	diag_release(&d);
	free(ta);
	free(tb);
	free(tc);
}
END_TEST

START_TEST(test_from_image)
{
	struct oci_layer_src s[2];
	const char *tars[2], *dgs[2];
	struct oci_result r1, r2;
	struct oci_opts o;
	struct diag d;
	json_t *bcfg = json_pack("{s:[s,s], s:[s], s:s}", "Env", "PATH=/bin", "A=1", "Entrypoint", "/bin/app",
				 "User", "1000");
	json_t *pcfg = json_pack("{s:[s,s], s:n}", "Env", "A=2", "B=3", "User");
	char *from, *base;

	two_sources(s, tars, dgs);
	diag_init(&d);
	memset(&o, 0, sizeof(o));
	o.out = base = p("base");
	o.tag = "b";
	ck_assert_int_eq(oci_compose(&o, s, 1, bcfg, NULL, NULL, &r1, &d), 0);
	from = xasprintf("%s:b", base);
	o.out = p("derived");
	o.tag = NULL;
	o.from_layout = from;
	ck_assert_int_eq(oci_compose(&o, &s[1], 1, pcfg, NULL, NULL, &r2, &d), 0);
	ck_assert_uint_eq(r2.nlayers, 2);
	ck_assert(r2.layers[0].from_base);
	ck_assert_str_eq(r2.layers[0].digest, r1.layers[0].digest);
	ck_assert_uint_eq(r2.src_layer[0], 1);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r2.config, "Env"), 1)), "A=2");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r2.config, "Env"), 2)), "B=3");
	ck_assert_ptr_nonnull(json_object_get(r2.config, "Entrypoint"));
	ck_assert_ptr_null(json_object_get(r2.config, "User"));
	ck_assert_int_eq(oci_verify_layout(o.out, "latest", r2.manifest_digest, &d), 0);
	ck_assert_uint_eq(d.nerrors, 0);
	/* a platform mismatch is refused */
	oci_result_release(&r2);
	ck_assert_int_eq(oci_compose(&o, &s[1], 1, pcfg, NULL, "linux/arm64", &r2, &d), -1);
	oci_result_release(&r1);
	free((char *)o.out);
	free(base);
	free(from);
	json_decref(bcfg);
	json_decref(pcfg);
	diag_release(&d);
	free_sources(tars, dgs);
}
END_TEST

START_TEST(test_verify_and_lock)
{
	struct oci_layer_src s[2];
	const char *tars[2], *dgs[2];
	struct oci_result res;
	struct oci_derived dv[2];
	struct lock lk;
	struct diag d;
	char *out, *blob;
	size_t i;
	FILE *f;

	two_sources(s, tars, dgs);
	diag_init(&d);
	ck_assert_int_eq(compose("out", s, 2, OCI_COMP_GZIP, &res, &d), 0);
	out = p("out");
	lock_init(&lk);
	lock_set_image(&lk, res.manifest_digest, res.config_digest);
	for (i = 0; i < 2; i++) {
		const struct oci_layer_info *l = &res.layers[res.src_layer[i]];
		lock_add_prim(&lk, s[i].name, "1", dgs[i], NULL, "r", l->digest, l->diff_id, l->size)
			->layer_index = (uint32_t)res.src_layer[i];
	}
	ck_assert_int_eq(oci_verify(out, "t", &lk, NULL, 0, &d), 0);
	ck_assert_uint_eq(d.nerrors, 0);
	/* each layer derived from its source alone, without composing, has
	 * the diff_id of the layer composed */
	for (i = 0; i < 2; i++) {
		dv[i].name = (char *)s[i].name;
		dv[i].index = (long)res.src_layer[i];
		ck_assert_int_eq(oci_layer_derive(&s[i], 1, 0, dv[i].diff_id, &d), 0);
		ck_assert_str_eq(dv[i].diff_id, res.layers[res.src_layer[i]].diff_id);
	}
	ck_assert_int_eq(oci_verify(out, "t", &lk, dv, 2, &d), 0);
	ck_assert_uint_eq(d.nerrors, 0);
	/* a layer nothing accounts for; a layer of other content */
	ck_assert_int_eq(oci_verify(out, "t", &lk, dv, 1, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.entries[d.nentries - 1].message, "layer 1 of the image (sha256:"));
	ck_assert_ptr_nonnull(
		strstr(d.entries[d.nentries - 1].message, "comes from no primitive of the lock"));
	memcpy(dv[1].diff_id, dv[0].diff_id, sizeof(dv[1].diff_id));
	ck_assert_int_eq(oci_verify(out, "t", &lk, dv, 2, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.entries[d.nentries - 2].message,
				     "layer 1 of the image is not the one cpolc "
				     "makes of conf 2"));
	/* a locked layer that the image lacks */
	free(lk.prims[1].diff_id);
	lk.prims[1].diff_id = xstrdup(dgs[0]);
	ck_assert_int_eq(oci_verify(out, "t", &lk, NULL, 0, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.entries[d.nentries - 1].message, "the layer of 'conf 2'"));
	/* a blob changed on disk */
	blob = xasprintf("%s/blobs/sha256/%s", out, res.layers[1].digest + 7);
	ck_assert_int_eq(unlink(blob), 0); /* it may be hard-linked: replace it */
	f = fopen(blob, "w");
	fputs("garbage", f);
	fclose(f);
	diag_release(&d);
	diag_init(&d);
	ck_assert_int_eq(oci_verify_layout(out, "t", res.manifest_digest, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.entries[0].message, "does not match its digest"));
	lock_release(&lk);
	oci_result_release(&res);
	diag_release(&d);
	free(blob);
	free(out);
	free_sources(tars, dgs);
}
END_TEST

START_TEST(test_gc_keeps_previous_until_index)
{
	struct oci_layer_src s[2];
	const char *tars[2], *dgs[2];
	struct oci_result r1, r2;
	struct diag d;
	char *old, *stale;
	struct timespec ts[2] = {{1000, 0}, {1000, 0}};

	two_sources(s, tars, dgs);
	diag_init(&d);
	ck_assert_int_eq(compose("out", s, 2, OCI_COMP_GZIP, &r1, &d), 0);
	stale = xasprintf("%s/out/blobs/sha256/.tmp-layer-killed", dir);
	ck_assert_int_eq(write_file_atomic(stale, "x", 1, 0644), 0);
	ck_assert_int_eq(utimensat(AT_FDCWD, stale, ts, 0), 0);
	ck_assert_int_eq(compose("out", s, 1, OCI_COMP_GZIP, &r2, &d), 0);
	ck_assert_int_eq(access(stale, F_OK), -1); /* a killed build's leftover */
	free(stale);
	/* the second image no longer references layer 2: collected after the new index */
	old = xasprintf("%s/out/blobs/sha256/%s", dir, r1.layers[1].digest + 7);
	ck_assert_int_eq(access(old, F_OK), -1);
	free(old);
	old = xasprintf("%s/out/blobs/sha256/%s", dir, r1.layers[0].digest + 7);
	ck_assert_int_eq(access(old, F_OK), 0);
	free(old);
	oci_result_release(&r1);
	oci_result_release(&r2);
	diag_release(&d);
	free_sources(tars, dgs);
}
END_TEST

/* A layer larger than OCI_GZ_WHOLE is deflated in joined chunks: one valid
 * gzip stream, the same bytes whatever the number of threads. */
START_TEST(test_chunked_gzip)
{
	struct strbuf data = STRBUF_INIT;
	struct tm_ent e = {"big/words", 'f', NULL, 0};
	char *tar = p("big.tar"), *out;
	const char *tars[] = {tar};
	struct oci_layer_src s = {"big", tars, NULL, 1, NULL, 0, false};
	struct oci_result r1, r2;
	struct oci_opts o;
	struct diag d;
	unsigned x = 12345;

	while (data.len < (40u << 20)) { /* compressible but not trivially */
		x = x * 1103515245u + 12345u;
		sb_addf(&data, "w%u ", (x >> 16) % 5000);
	}
	e.data = data.buf;
	tm_make(tar, &e, 1);
	diag_init(&d);
	memset(&o, 0, sizeof(o));
	o.out = out = p("o1");
	o.jobs = 1;
	ck_assert_int_eq(oci_compose(&o, &s, 1, NULL, NULL, NULL, &r1, &d), 0);
	ck_assert_int_eq(oci_verify_layout(out, NULL, r1.manifest_digest, &d), 0);
	free(out);
	o.out = out = p("o2");
	o.jobs = 3;
	ck_assert_int_eq(oci_compose(&o, &s, 1, NULL, NULL, NULL, &r2, &d), 0);
	ck_assert_str_eq(r1.layers[0].digest, r2.layers[0].digest);
	ck_assert_uint_lt(r1.layers[0].size, data.len / 2);
	ck_assert_uint_eq(d.nerrors, 0);
	oci_result_release(&r1);
	oci_result_release(&r2);
	diag_release(&d);
	sb_release(&data);
	free(out);
	free(tar);
}
END_TEST

START_TEST(test_platform)
{
	char *os, *arch, *var;

	ck_assert_int_eq(oci_parse_platform("linux/arm/v7", &os, &arch, &var), 0);
	ck_assert_str_eq(os, "linux");
	ck_assert_str_eq(arch, "arm");
	ck_assert_str_eq(var, "v7");
	free(os);
	free(arch);
	free(var);
	ck_assert_int_eq(oci_parse_platform("linux", &os, &arch, &var), -1);
	ck_assert_int_eq(oci_parse_platform("linux/", &os, &arch, &var), -1);
	ck_assert_int_eq(oci_parse_platform("/amd64", &os, &arch, &var), -1);
	ck_assert_int_eq(oci_parse_platform("a/b/c/d", &os, &arch, &var), -1);
}
END_TEST

/* Write text as a blob of the layout DIR/l; its digest into dg. */
static void put_blob(const char *text, char dg[72])
{
	char hex[65], *path;

	sha256_hex(text, strlen(text), hex);
	snprintf(dg, 72, "sha256:%s", hex);
	path = xasprintf("%s/l/blobs/sha256/%s", dir, hex);
	ck_assert_int_eq(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(path);
}

/* An artifact manifest of subject, its digest into dg. */
static void put_artifact(const char *subject, const char *what, char dg[72])
{
	char *m = xasprintf("{\"schemaVersion\":2,\"artifactType\":\"%s\",\"subject\":{\"digest\":\"%s\"}}",
			    what, subject);

	put_blob(m, dg);
	free(m);
}

START_TEST(test_layout_referrers)
{
	char img[72], other[72], a[72], b[72], c[72], *path, *lp = p("l");
	struct strbuf idx = STRBUF_INIT;
	struct diag d;
	json_t *refs;

	diag_init(&d);
	path = xasprintf("%s/l/blobs/sha256", dir);
	ck_assert_int_eq(mkdir_p(path, 0755), 0);
	free(path);
	put_blob("{\"schemaVersion\":2,\"layers\":[]}", img);
	put_blob("{\"schemaVersion\":2,\"layers\":[],\"x\":1}", other);
	put_artifact(img, "application/x-a", a);
	put_artifact(img, "application/x-b", b);
	put_artifact(other, "application/x-c", c);
	/* b twice, before a; c is another image's; the image itself is none */
	sb_addf(&idx,
		"{\"manifests\":[{\"digest\":\"%s\"},{\"digest\":\"%s\",\"artifactType\":\"x\"},"
		"{\"digest\":\"%s\",\"artifactType\":\"x\"},{\"digest\":\"%s\",\"artifactType\":\"x\"},"
		"{\"digest\":\"%s\",\"artifactType\":\"x\"}]}",
		img, strcmp(a, b) < 0 ? b : a, c, strcmp(a, b) < 0 ? a : b, strcmp(a, b) < 0 ? b : a);
	path = p("l/index.json");
	ck_assert_int_eq(write_file_atomic(path, idx.buf, idx.len, 0644), 0);
	refs = oci_layout_referrers(lp, img, &d);
	ck_assert_ptr_nonnull(refs);
	ck_assert_int_eq(json_array_size(refs), 2);
	ck_assert_str_eq(json_string_value(json_array_get(refs, 0)), strcmp(a, b) < 0 ? a : b);
	ck_assert_str_eq(json_string_value(json_array_get(refs, 1)), strcmp(a, b) < 0 ? b : a);
	json_decref(refs);
	refs = oci_layout_referrers(lp, a, &d); /* nothing refers to it */
	ck_assert_int_eq(json_array_size(refs), 0);
	json_decref(refs);
	ck_assert_int_eq(d.nerrors, 0);
	/* an artifact whose manifest is not there */
	sb_reset(&idx);
	sb_addf(&idx, "{\"manifests\":[{\"digest\":\"sha256:%064d\",\"artifactType\":\"x\"}]}", 0);
	ck_assert_int_eq(write_file_atomic(path, idx.buf, idx.len, 0644), 0);
	ck_assert_ptr_null(oci_layout_referrers(lp, img, &d));
	ck_assert_uint_eq(d.nerrors, 1);
	/* more artifacts than are read */
	sb_reset(&idx);
	sb_adds(&idx, "{\"manifests\":[");
	for (int i = 0; i <= OCI_MAX_ARTIFACTS; i++)
		sb_addf(&idx, "%s{\"digest\":\"%s\",\"artifactType\":\"x\"}", i ? "," : "", c);
	sb_adds(&idx, "]}");
	ck_assert_int_eq(write_file_atomic(path, idx.buf, idx.len, 0644), 0);
	ck_assert_ptr_null(oci_layout_referrers(lp, img, &d));
	ck_assert_ptr_nonnull(strstr(d.entries[d.nentries - 1].message, "lists more than 1000 artifacts"));
	free(path);
	free(lp);
	sb_release(&idx);
	diag_release(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("oci");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_normalise);
	tcase_add_test(tc, test_layer_member_rules);
	tcase_add_test(tc, test_long_names_and_epoch);
	tcase_add_test(tc, test_reproducible);
	tcase_add_test(tc, test_config_and_history);
	tcase_add_test(tc, test_policy_path);
	tcase_add_test(tc, test_tampered_input);
	tcase_add_test(tc, test_bad_member);
	tcase_add_test(tc, test_max_layers);
	tcase_add_test(tc, test_collisions);
	tcase_add_test(tc, test_collisions_lazy);
	tcase_add_test(tc, test_collisions_cached);
	tcase_add_test(tc, test_from_image);
	tcase_add_test(tc, test_verify_and_lock);
	tcase_add_test(tc, test_gc_keeps_previous_until_index);
	tcase_add_test(tc, test_chunked_gzip);
	tcase_add_test(tc, test_platform);
	tcase_add_test(tc, test_layout_referrers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
