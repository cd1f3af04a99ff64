/* check_registry.c - the registry client's parsers: references,
 * WWW-Authenticate challenges, base64, auth files, Location headers, media
 * types and the cleaning of registry text. The protocol itself is tested against a
 * real registry by tests/push.sh. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"
#include "registry_int.h"
#include "util.h"

#define DG "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int parse(const char *s, struct registry_ref *r)
{
	struct diag d;
	int rc;

	diag_init(&d);
	rc = registry_ref_parse(s, r, &d);
	ck_assert_int_eq(rc<0, d.nerrors> 0);
	diag_release(&d);
	return rc;
}

START_TEST(test_ref)
{
	struct registry_ref r;
	char *s;
	static const char *const bad[] = {
		"app",			      /* no host */
		"team/app",		      /* the first component is no host */
		"127.0.0.1:5000",	      /* no repository */
		"127.0.0.1:5000/",	      /* empty repository */
		"127.0.0.1:5000/App",	      /* uppercase */
		"127.0.0.1:5000/a//b",	      /* empty component */
		"127.0.0.1:5000/a-",	      /* ends with a separator */
		"127.0.0.1:5000/a___b",	      /* three underscores */
		"127.0.0.1:5000/a:",	      /* empty tag */
		"127.0.0.1:5000/a:.x",	      /* tag starts with '.' */
		"127.0.0.1:5000/a@sha256:12", /* short digest */
		"127.0.0.1:5000/a@md5:0123456789abcdef0123456789abcdef",
		"127.0.0.1:99999999/a", /* port too long */
		"-x.io/a",		/* host starts with '-' */
		"a.io/b c",
		"a.io/b\n",
	};

	ck_assert_int_eq(parse("127.0.0.1:5000/team/web:prod", &r), 0);
	ck_assert_str_eq(r.host, "127.0.0.1:5000");
	ck_assert_str_eq(r.repo, "team/web");
	ck_assert_str_eq(r.tag, "prod");
	ck_assert_ptr_null(r.digest);
	registry_ref_release(&r);

	ck_assert_int_eq(parse("localhost/a.b_c__d-e--f/g:v1.0-rc_1@" DG, &r), 0);
	ck_assert_str_eq(r.host, "localhost");
	ck_assert_str_eq(r.repo, "a.b_c__d-e--f/g");
	ck_assert_str_eq(r.tag, "v1.0-rc_1");
	ck_assert_str_eq(r.digest, DG);
	s = registry_ref_str(&r);
	ck_assert_str_eq(s, "localhost/a.b_c__d-e--f/g:v1.0-rc_1@" DG);
	free(s);
	registry_ref_release(&r);

	ck_assert_int_eq(parse("[::1]:5000/a", &r), 0);
	ck_assert_str_eq(r.host, "[::1]:5000");
	ck_assert_ptr_null(r.tag);
	registry_ref_release(&r);
	ck_assert_int_eq(parse("registry.example/a@" DG, &r), 0);
	ck_assert_ptr_null(r.tag);
	registry_ref_release(&r);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		ck_assert_msg(parse(bad[i], &r) < 0, "accepted '%s'", bad[i]);
		ck_assert_ptr_null(r.host);
	}
}
END_TEST

START_TEST(test_challenges)
{
	struct reg_challenge c[REG_MAX_CHALLENGES];
	int n;

	n = reg_parse_challenges("Bearer realm=\"https://auth.example/token\",service=\"registry.example\","
				 "scope=\"repository:a/b:pull,push\"",
				 c, REG_MAX_CHALLENGES);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(c[0].scheme, "Bearer");
	ck_assert_str_eq(c[0].realm, "https://auth.example/token");
	ck_assert_str_eq(c[0].service, "registry.example");
	ck_assert_str_eq(c[0].scope, "repository:a/b:pull,push"); /* a comma inside quotes */
	reg_challenge_release(&c[0]);

	/* two challenges, the second after a comma; token values; escapes;
	 * unknown parameters; case of the names */
	n = reg_parse_challenges("Basic realm=\"x\\\"y\", Bearer REALM=https://a/t , service=s, foo=\"bar\", "
				 "error=\"insufficient_scope\"",
				 c, REG_MAX_CHALLENGES);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(c[0].scheme, "Basic");
	ck_assert_str_eq(c[0].realm, "x\"y");
	ck_assert_str_eq(c[1].scheme, "Bearer");
	ck_assert_str_eq(c[1].realm, "https://a/t");
	ck_assert_str_eq(c[1].service, "s");
	ck_assert_str_eq(c[1].error, "insufficient_scope");
	ck_assert_ptr_null(c[1].scope);
	reg_challenge_release(&c[0]);
	reg_challenge_release(&c[1]);

	n = reg_parse_challenges("Basic", c, REG_MAX_CHALLENGES);
	ck_assert_int_eq(n, 1);
	reg_challenge_release(&c[0]);
	ck_assert_int_eq(reg_parse_challenges("", c, REG_MAX_CHALLENGES), 0);
	ck_assert_int_eq(reg_parse_challenges(NULL, c, REG_MAX_CHALLENGES), 0);

	/* malformed: an unterminated quote, a control character, junk */
	ck_assert_int_eq(reg_parse_challenges("Bearer realm=\"https://a", c, REG_MAX_CHALLENGES), -1);
	ck_assert_int_eq(reg_parse_challenges("Bearer realm=\"a\rb\"", c, REG_MAX_CHALLENGES), -1);
	ck_assert_int_eq(reg_parse_challenges("Bearer realm=\"a\" junk\"", c, REG_MAX_CHALLENGES), -1);
	ck_assert_int_eq(reg_parse_challenges("\"Bearer\"", c, REG_MAX_CHALLENGES), -1);

	/* at most max are kept */
	n = reg_parse_challenges("A, B, C, D", c, 2);
	ck_assert_int_eq(n, 2);
	reg_challenge_release(&c[0]);
	reg_challenge_release(&c[1]);
}
END_TEST

START_TEST(test_base64)
{
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	size_t n;

	for (size_t i = 0; i < ARRAY_SIZE(plain); i++) {
		char *e = reg_base64_encode(plain[i], strlen(plain[i])), *p = reg_base64_decode(enc[i], &n);
		ck_assert_str_eq(e, enc[i]);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq(n, strlen(plain[i]));
		ck_assert_str_eq(p, plain[i]);
		free(e);
		free(p);
	}
	ck_assert_ptr_null(reg_base64_decode("Zg=", &n));
	ck_assert_ptr_null(reg_base64_decode("Z===", &n));
	ck_assert_ptr_null(reg_base64_decode("Zg=a", &n));
	ck_assert_ptr_null(reg_base64_decode("Zm9v!A==", &n));
	ck_assert_ptr_null(reg_base64_decode("=Zg=", &n));
	ck_assert_ptr_null(reg_base64_decode("Zh==", &n)); /* "f" is Zg==: non-zero bits past it */
	ck_assert_ptr_null(reg_base64_decode("9rz=", &n)); /* found by fuzz_registry */
}
END_TEST

static char *write_tmp(const char *text)
{
	char *path = xstrdup("/tmp/check_registry.XXXXXX");
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static int lookup(const char *path, const char *host, char **user, char **pass)
{
	struct diag d;
	int rc;

	diag_init(&d);
	*user = *pass = NULL;
	rc = reg_creds_lookup(path, host, user, pass, &d);
	ck_assert_int_eq(rc<0, d.nerrors> 0);
	diag_release(&d);
	return rc;
}

START_TEST(test_auth_file)
{
	/* "bob:pa:ss" and "ann:x" */
	char *path = write_tmp("{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"YW5uOng=\"},"
			       "\"http://127.0.0.1:5000/v2/\": {\"auth\": \"Ym9iOnBhOnNz\"},"
			       "\"other:1\": {\"identitytoken\": \"t\"}}}");
	char *bad = write_tmp("{\"auths\": {\"h.io\": {\"auth\": \"bm9jb2xvbg==\"}}}"), *user, *pass;
	char *junk = write_tmp("{\"auths\": ");

	ck_assert_int_eq(lookup(path, "127.0.0.1:5000", &user, &pass), 1);
	ck_assert_str_eq(user, "bob");
	ck_assert_str_eq(pass, "pa:ss");
	free(user);
	free(pass);
	ck_assert_int_eq(lookup(path, "docker.io", &user, &pass), 1);
	ck_assert_str_eq(user, "ann");
	free(user);
	free(pass);
	ck_assert_int_eq(lookup(path, "127.0.0.1", &user, &pass), 0);
	ck_assert_int_eq(lookup(path, "other:1", &user, &pass), 0); /* no "auth" */
	ck_assert_int_eq(lookup("/nonexistent/auth.json", "h.io", &user, &pass), 0);
	ck_assert_int_eq(lookup(bad, "h.io", &user, &pass), -1); /* "nocolon" */
	ck_assert_int_eq(lookup(junk, "h.io", &user, &pass), -1);
	unlink(path);
	unlink(bad);
	unlink(junk);
	free(path);
	free(bad);
	free(junk);
}
END_TEST

START_TEST(test_auth_file_order)
{
	char *first = write_tmp("{\"auths\": {\"a.io\": {\"auth\": \"YTox\"}}}");
	char *home = xstrdup("/tmp/check_registry_home.XXXXXX"), *dir, *cfg, *user, *pass;
	char *text = "{\"auths\": {\"a.io\": {\"auth\": \"YToy\"}, \"b.io\": {\"auth\": \"Yjoz\"}}}";

	ck_assert_ptr_nonnull(mkdtemp(home));
	dir = path_join(home, ".docker");
	cfg = path_join(dir, "config.json");
	ck_assert_int_eq(mkdir_p(dir, 0700), 0);
	ck_assert_int_eq(write_file_atomic(cfg, text, strlen(text), 0600), 0);
	setenv("HOME", home, 1);
	unsetenv("XDG_RUNTIME_DIR");
	unsetenv("XDG_CONFIG_HOME");
	setenv("REGISTRY_AUTH_FILE", first, 1);
	/* $REGISTRY_AUTH_FILE first, then ~/.docker/config.json */
	ck_assert_int_eq(lookup(NULL, "a.io", &user, &pass), 1);
	ck_assert_str_eq(pass, "1");
	free(user);
	free(pass);
	ck_assert_int_eq(lookup(NULL, "b.io", &user, &pass), 1);
	ck_assert_str_eq(pass, "3");
	free(user);
	free(pass);
	unsetenv("REGISTRY_AUTH_FILE");
	ck_assert_int_eq(lookup(NULL, "a.io", &user, &pass), 1);
	ck_assert_str_eq(pass, "2");
	free(user);
	free(pass);
	unlink(cfg);
	rmdir(dir);
	rmdir(home);
	unlink(first);
	free(cfg);
	free(dir);
	free(home);
	free(first);
}
END_TEST

START_TEST(test_resolve)
{
	struct diag d;
	char *u;

	diag_init(&d);
	u = reg_resolve("https://r.io:5000/v2/a/blobs/uploads/", "/v2/a/blobs/uploads/x?s=1", &d);
	ck_assert_str_eq(u, "https://r.io:5000/v2/a/blobs/uploads/x?s=1");
	free(u);
	u = reg_resolve("https://r.io/v2/", "https://s3.example/b?sig=1", &d);
	ck_assert_str_eq(u, "https://s3.example/b?sig=1");
	free(u);
	u = reg_resolve("http://r.io/v2/", "https://r.io/up", &d);
	ck_assert_str_eq(u, "https://r.io/up");
	free(u);
	ck_assert_uint_eq(d.nerrors, 0);
	ck_assert_ptr_null(reg_resolve("https://r.io/v2/", "http://r.io/up", &d)); /* https to http */
	ck_assert_ptr_null(reg_resolve("https://r.io/v2/", "//evil/up", &d));
	ck_assert_ptr_null(reg_resolve("https://r.io/v2/", "up", &d));
	ck_assert_ptr_null(reg_resolve("https://r.io/v2/", "/up\r\nX-Injected: 1", &d));
	ck_assert_uint_eq(d.nerrors, 4);
	diag_release(&d);
}
END_TEST

START_TEST(test_clean)
{
	char *s = reg_clean("a\x1b[31mb\xff", 8, 100);

	ck_assert_str_eq(s, "a?[31mb?");
	free(s);
	s = reg_clean("abcdef", 6, 3);
	ck_assert_str_eq(s, "abc...");
	free(s);
	ck_assert(reg_digest_valid(DG));
	ck_assert(
		!reg_digest_valid("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
	ck_assert(!reg_digest_valid("sha256:"));
	ck_assert(reg_media_type_valid("application/vnd.oci.image.manifest.v1+json"));
	ck_assert(reg_media_type_valid("application/vnd.docker.distribution.manifest.list.v2+json"));
	ck_assert(!reg_media_type_valid("application/x\r\nX-Injected: 1"));
	ck_assert(!reg_media_type_valid("application/json; charset=utf-8"));
	ck_assert(!reg_media_type_valid("text"));
	ck_assert(!reg_media_type_valid("a/b/c"));
	ck_assert(!reg_media_type_valid("/b"));
	ck_assert(!reg_media_type_valid("a/"));
	ck_assert(!reg_media_type_valid(""));
}
END_TEST

/* reg_referrers_merge of have (NULL: no list yet; its content type ct)
 * and a descriptor of digest dg: its result, the list into *out. */
static int merge(const char *have, const char *ct, const char *dg, char **out, struct diag *d)
{
	struct registry_manifest m = {.media_type = (char *)ct, .data = (char *)have};
	json_t *desc =
		json_pack("{s:s, s:s, s:i, s:s}", "mediaType", "application/vnd.oci.image.manifest.v1+json",
			  "digest", dg, "size", 7, "artifactType", "application/spdx+json");
	size_t len = 0;
	int rc;

	m.len = have ? strlen(have) : 0;
	rc = reg_referrers_merge(have ? &m : NULL, desc, "the tag 't' of 'r'", out, &len, d);
	ck_assert(rc == 1 ? *out && len == strlen(*out) : !*out);
	json_decref(desc);
	return rc;
}

#define IDX_MT "application/vnd.oci.image.index.v1+json"
#define DG_A   "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DG_B   "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

START_TEST(test_referrers)
{
	struct diag d;
	char tag[72], *out, *big;
	json_t *man, *desc;

	diag_init(&d);
	reg_referrers_tag(DG, tag);
	ck_assert_str_eq(tag, "sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	/* no list yet: a new index of one */
	ck_assert_int_eq(merge(NULL, NULL, DG, &out, &d), 1);
	ck_assert_str_eq(out, "{\"manifests\":[{\"artifactType\":\"application/spdx+json\",\"digest\":\"" DG
			      "\",\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"size\":7}],"
			      "\"mediaType\":\"" IDX_MT "\",\"schemaVersion\":2}");
	free(out);
	/* listed already: nothing to write */
	ck_assert_int_eq(merge("{\"schemaVersion\":2,\"mediaType\":\"" IDX_MT
			       "\",\"manifests\":[{\"digest\":\"" DG "\",\"size\":7}]}",
			       IDX_MT, DG, &out, &d),
			 0);
	/* entries there are kept, whatever they hold, and sorted by digest */
	ck_assert_int_eq(merge("{\"schemaVersion\":2,\"mediaType\":\"" IDX_MT
			       "\",\"manifests\":[{\"digest\":\"" DG_B "\",\"x\":1},{\"digest\":\"" DG_A
			       "\"}],\"annotations\":{\"k\":\"v\"}}",
			       IDX_MT, DG, &out, &d),
			 1);
	ck_assert_str_eq(
		out,
		"{\"annotations\":{\"k\":\"v\"},\"manifests\":[{\"artifactType\":\"application/spdx+json\","
		"\"digest\":\"" DG "\",\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		"\"size\":7},{\"digest\":\"" DG_A "\"},{\"digest\":\"" DG_B "\",\"x\":1}],"
		"\"mediaType\":\"" IDX_MT "\",\"schemaVersion\":2}");
	free(out);
	/* no mediaType in the JSON: the Content-Type decides, parameters aside */
	ck_assert_int_eq(
		merge("{\"schemaVersion\":2,\"manifests\":[]}", IDX_MT "; charset=utf-8", DG, &out, &d), 1);
	ck_assert_ptr_nonnull(strstr(out, "\"mediaType\":\"" IDX_MT "\""));
	free(out);
	ck_assert_int_eq(d.nerrors, 0);
	/* anything else at the tag is left alone, and named */
	ck_assert_int_eq(
		merge("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		      "\"manifests\":[]}",
		      IDX_MT, DG, &out, &d),
		-1);
	ck_assert_str_eq(
		d.entries[d.nentries - 1].message,
		"the tag 't' of 'r' holds a manifest of type 'application/vnd.oci.image.manifest.v1+json', "
		"not an image index of referrers: it is left as it is");
	ck_assert_int_eq(merge("{\"schemaVersion\":2,\"manifests\":[]}",
			       "application/vnd.docker.distribution.manifest.list.v2+json", DG, &out, &d),
			 -1);
	ck_assert_int_eq(merge("{\"mediaType\":\"" IDX_MT "\",\"manifests\":{}}", IDX_MT, DG, &out, &d), -1);
	ck_assert_int_eq(merge("[]", IDX_MT, DG, &out, &d), -1);
	ck_assert_str_eq(
		d.entries[d.nentries - 1].message,
		"the tag 't' of 'r' holds no JSON object, not a list of referrers: it is left as it is");
	/* duplicate keys are no index either */
	ck_assert_int_eq(merge("{\"mediaType\":\"" IDX_MT "\",\"manifests\":[],\"manifests\":[]}", IDX_MT, DG,
			       &out, &d),
			 -1);
	/* a list of a million values is refused before it is parsed */
	big = xmalloc(3u << 20);
	memcpy(big, "{\"manifests\":[", 14);
	for (size_t i = 14; i + 3 < (3u << 20); i += 3)
		memcpy(big + i, "{},", 3);
	strcpy(big + (3u << 20) - 5, "{}]}");
	ck_assert_int_eq(merge(big, IDX_MT, DG, &out, &d), -1);
	ck_assert_ptr_nonnull(
		strstr(d.entries[d.nentries - 1].message, "a referrers list of more than 262144 values"));
	free(big);
	/* the descriptor: its artifactType, else its config's media type, and its annotations */
	man = json_pack("{s:s, s:{s:s}, s:{s:s}}", "artifactType", "application/spdx+json", "config",
			"mediaType", "application/vnd.oci.empty.v1+json", "annotations", "a", "b");
	desc = reg_referrer_desc(man, "application/vnd.oci.image.manifest.v1+json", DG, 42);
	out = json_dumps(desc, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(
		out,
		"{\"annotations\":{\"a\":\"b\"},\"artifactType\":\"application/spdx+json\",\"digest\":\"" DG
		"\",\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"size\":42}");
	free(out);
	json_decref(desc);
	json_object_del(man, "artifactType");
	json_object_del(man, "annotations");
	desc = reg_referrer_desc(man, "application/vnd.oci.image.manifest.v1+json", DG, 42);
	ck_assert_str_eq(json_string_value(json_object_get(desc, "artifactType")),
			 "application/vnd.oci.empty.v1+json");
	ck_assert_ptr_null(json_object_get(desc, "annotations"));
	json_decref(desc);
	json_decref(man);
	diag_release(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_ref);
	tcase_add_test(tc, test_challenges);
	tcase_add_test(tc, test_base64);
	tcase_add_test(tc, test_auth_file);
	tcase_add_test(tc, test_auth_file_order);
	tcase_add_test(tc, test_resolve);
	tcase_add_test(tc, test_clean);
	tcase_add_test(tc, test_referrers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
