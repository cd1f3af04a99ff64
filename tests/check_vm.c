/* check_vm.c - the VM: every value operation and builtin of doc/cpol.5,
 * runtime errors with locations, the selection, check and admit phases. */
#include "config.h"

#include <fnmatch.h>

#include "vmtest.h"

#include "cat.h"
#include "request.h"
#include "value.h"

/* Until the catalog module provides it: a candidate's record is the
 * metadata object the tests build by hand. */
__attribute__((weak)) json_t *cat_prim_record(const struct cat_prim *p)
{
	return p->meta;
}

/* val_bytes_equal of every length up to 24, with each byte changed in
 * turn; both strings end their blocks, so that ASan sees any read past n. */
START_TEST(test_bytes_equal)
{
	for (size_t n = 0; n <= 24; n++) {
		char *x = malloc(n ? n : 1), *y = malloc(n ? n : 1);
		for (size_t i = 0; i < n; i++)
			x[i] = y[i] = (char)('a' + i);
		ck_assert_msg(val_bytes_equal(x, y, n), "equal at %zu", n);
		for (size_t i = 0; i < n; i++) {
			y[i] ^= 0x20;
			ck_assert_msg(!val_bytes_equal(x, y, n), "byte %zu of %zu", i, n);
			y[i] ^= 0x20;
		}
		free(x);
		free(y);
	}
}
END_TEST

START_TEST(test_arith)
{
	VT_EXPECT("1 + 2 * 3", NULL, "7");
	VT_EXPECT("(1 + 2) * 3", NULL, "9");
	VT_EXPECT("7 / 2", NULL, "3");
	VT_EXPECT("-7 / 2", NULL, "-3");
	VT_EXPECT("-7 % 3", NULL, "-1");
	VT_EXPECT("-input.a", "{\"a\": 4}", "-4");
	VT_EXPECT("64MiB + 1KB", NULL, "67109864");
	VT_EXPECT("\"ab\" + \"cd\"", NULL, "abcd");
	VT_EXPECT("[1] + [\"x\"]", NULL, "[1,\"x\"]");
	VT_EXPECT_ERROR("input.big + 1", "{\"big\": 9223372036854775807}", "integer overflow");
	VT_EXPECT_ERROR("input.big * 2", "{\"big\": 4611686018427387904}", "integer overflow");
	VT_EXPECT_ERROR("-input.m", "{\"m\": -9223372036854775808}", "overflow");
	VT_EXPECT_ERROR("input.m / -1", "{\"m\": -9223372036854775808}", "overflow");
	VT_EXPECT_ERROR("input.a / input.z", "{\"a\": 1, \"z\": 0}", "division by zero");
	VT_EXPECT_ERROR("input.a % input.z", "{\"a\": 1, \"z\": 0}", "modulo by zero");
	VT_EXPECT_ERROR("input.a + input.s", "{\"a\": 1, \"s\": \"x\"}",
			"cannot apply '+' to an int and a string");
	VT_EXPECT_ERROR("input.n + 1", "{}", "cannot apply '+' to null");
}
END_TEST

START_TEST(test_equality)
{
	VT_EXPECT("1 == 1", NULL, "true");
	VT_EXPECT("input.a == \"1\"", "{\"a\": 1}", "false");
	VT_EXPECT("[1, [2, \"x\"]] == [1, [2, \"x\"]]", NULL, "true");
	VT_EXPECT("[1, 2] != [2, 1]", NULL, "true");
	VT_EXPECT("null == input.missing", NULL, "true");
	VT_EXPECT("input.r == input.q", "{\"r\": {\"a\": [1]}, \"q\": {\"a\": [1]}}", "true");
	VT_EXPECT("input.r == input.q", "{\"r\": {\"a\": 1}, \"q\": {\"a\": 2}}", "false");
	VT_EXPECT("version(\"1:2.0\") == \"1:2.0\"", NULL, "true");
	VT_EXPECT("version(\"2.0\") == \"2.00\"", NULL, "true");
	VT_EXPECT("\"2.0\" == \"2.00\"", NULL, "false");
	VT_EXPECT("true == 1", "{}", "false");
}
END_TEST

START_TEST(test_ordering)
{
	VT_EXPECT("1 < 2", NULL, "true");
	VT_EXPECT("\"b\" <= \"a\"", NULL, "false");
	VT_EXPECT("\"1.10\" > \"1.9\"", NULL, "false");
	VT_EXPECT("version(\"1.10\") > \"1.9\"", NULL, "true");
	VT_EXPECT("version(\"1.0~rc1\") < version(\"1.0\")", NULL, "true");
	VT_EXPECT("input.x < 1", "{}", "false");
	VT_EXPECT("input.x >= 1", "{}", "false");
	VT_EXPECT("null > null", NULL, "false");
	VT_EXPECT_ERROR("input.a < input.b", "{\"a\": 1, \"b\": \"x\"}", "cannot order an int and a string");
	VT_EXPECT_ERROR("input.a < input.b", "{\"a\": [1], \"b\": [2]}", "cannot order");
}
END_TEST

START_TEST(test_fields)
{
	VT_EXPECT("input.a.b.c", "{}", "null");
	VT_EXPECT("input.a.b", "{\"a\": null}", "null");
	VT_EXPECT("input.a.b", "{\"a\": {\"b\": \"x\"}}", "x");
	VT_EXPECT("input[\"a-b\"]", "{\"a-b\": 3}", "3");
	VT_EXPECT("[10, 20, 30][1]", NULL, "20");
	VT_EXPECT("[10][5]", NULL, "null");
	VT_EXPECT("input.l[-1]", "{\"l\": [1]}", "null");
	VT_EXPECT("input.missing[0]", "{}", "null");
	VT_EXPECT_ERROR("input.s.x", "{\"s\": \"str\"}", "cannot read field 'x' of a string");
	VT_EXPECT_ERROR("input.l.x", "{\"l\": [1]}", "cannot read field 'x' of a list");
	VT_EXPECT_ERROR("input.l[input.s]", "{\"l\": [1], \"s\": \"a\"}", "list index must be an int");
	VT_EXPECT_ERROR("input.f", "{\"f\": 1.5}", "not an integer");
	VT_EXPECT_ERROR("input.l", "{\"l\": [1, 2.5]}", "not an integer");
}
END_TEST

START_TEST(test_logic)
{
	VT_EXPECT("input.a ?? 5", "{}", "5");
	VT_EXPECT("input.a ?? 5", "{\"a\": 0}", "0");
	VT_EXPECT("input.a ?? input.b ?? 7", "{\"b\": false}", "false");
	VT_EXPECT("true || input.a / input.z == 1", "{\"a\": 1, \"z\": 0}", "true");
	VT_EXPECT("false && input.n", "{\"n\": 1}", "false");
	VT_EXPECT("input.t && !input.f", "{\"t\": true, \"f\": false}", "true");
	VT_EXPECT_ERROR("input.n && true", "{\"n\": 1}", "must be a bool, not an int");
	VT_EXPECT_ERROR("true && input.n", "{\"n\": 1}", "expected a bool, not an int");
	VT_EXPECT_ERROR("input.n || false", "{}", "must be a bool, not null");
	VT_EXPECT_ERROR("!input.n", "{\"n\": \"x\"}", "'!' needs a bool");
}
END_TEST

START_TEST(test_membership)
{
	VT_EXPECT("2 in [1, 2]", NULL, "true");
	VT_EXPECT("[2] in [[1], [2]]", NULL, "true");
	VT_EXPECT("3 not in [1, 2]", NULL, "true");
	VT_EXPECT("\"k\" in input", "{\"k\": null}", "true");
	VT_EXPECT("\"q\" in input", "{\"k\": 1}", "false");
	VT_EXPECT("\"q\" not in input", "{\"k\": 1}", "true");
	VT_EXPECT_ERROR("1 in input.missing", "{}", "'in' needs a list or a record, not null");
	VT_EXPECT("1 in (input.missing ?? [])", "{}", "false");
	VT_EXPECT("version(\"1.0\") in [\"1.0\"]", NULL, "true");
	VT_EXPECT_ERROR("1 in input", "{}", "record keys are strings");
	VT_EXPECT_ERROR("\"a\" in input.s", "{\"s\": \"abc\"}", "'in' needs a list or a record");
}
END_TEST

START_TEST(test_comprehensions)
{
	VT_EXPECT("[x * 2 for x in [1, 2, 3] if x != 2]", NULL, "[2,6]");
	VT_EXPECT_ERROR("[x for x in input.none]", "{}", "cannot iterate over null");
	VT_EXPECT("[x for x in input.none ?? []]", "{}", "[]");
	VT_EXPECT("[[y for y in [x, x + 1]] for x in [1, 2]]", NULL, "[[1,2],[2,3]]");
	VT_EXPECT("[x.n for x in input.l if x.ok]",
		  "{\"l\": [{\"n\": 1, \"ok\": true}, {\"n\": 2, \"ok\": false}]}", "[1]");
	VT_EXPECT("len([i for i in [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]])", NULL, "17");
	VT_EXPECT("any x in [1, 2] : x > 1", NULL, "true");
	VT_EXPECT("any x in [1, 2] : x > 2", NULL, "false");
	VT_EXPECT("all x in [1, 2] : x > 0", NULL, "true");
	VT_EXPECT("all x in [1, 2] : x > 1", NULL, "false");
	VT_EXPECT("all x in [] : false", NULL, "true");
	VT_EXPECT_ERROR("any x in input.none : true", "{}", "cannot iterate over null");
	VT_EXPECT("any x in [1] : all y in [x] : y == 1", NULL, "true");
	/* any x in l : x == K runs as ITER; ANYEQK */
	VT_EXPECT("any x in input.l : x == \"b\"", "{\"l\": [\"a\", \"b\"]}", "true");
	VT_EXPECT("any x in input.l : x == \"c\"", "{\"l\": [\"a\", \"b\"]}", "false");
	VT_EXPECT("any x in input.l : x == 2", "{\"l\": [1, \"2\", null, 2]}", "true");
	VT_EXPECT("any x in input.l : x == \"2\"", "{\"l\": [1, 2]}", "false");
	VT_EXPECT("any x in input.l : x == 1", "{\"l\": []}", "false");
	VT_EXPECT("any x in input.l : x == version(\"1.0\")", "{\"l\": [\"0.9\", \"1.0\"]}", "true");
	VT_EXPECT_ERROR("any x in input.none : x == 1", "{}", "cannot iterate over null");
	VT_EXPECT_ERROR("any x in input.s : x == \"a\"", "{\"s\": \"abc\"}", "cannot iterate over a string");
	VT_EXPECT_ERROR("[x for x in input.s]", "{\"s\": \"abc\"}", "cannot iterate over a string");
	VT_EXPECT_ERROR("any x in [1] : input.n", "{\"n\": 3}", "must be a bool");
	VT_EXPECT_ERROR("[x for x in [1] if input.n]", "{\"n\": 3}", "must be a bool");
}
END_TEST

START_TEST(test_builtins)
{
	VT_EXPECT("len(\"abc\")", NULL, "3");
	VT_EXPECT("len([1, 2])", NULL, "2");
	VT_EXPECT("len(input)", "{\"a\": 1, \"b\": 2}", "2");
	VT_EXPECT_ERROR("len(input.none)", "{}", "len: cannot take the length of null");
	VT_EXPECT_ERROR("sum(input.none)", "{}", "sum: first argument must be a list, not null");
	VT_EXPECT_ERROR("join(input.none, \",\")", "{}", "join: first argument must be a list, not null");
	VT_EXPECT("sum([1, 2, 3])", NULL, "6");
	VT_EXPECT("sum([])", NULL, "0");
	VT_EXPECT("min([3, 1, 2])", NULL, "1");
	VT_EXPECT("max([\"a\", \"c\", \"b\"])", NULL, "c");
	VT_EXPECT("max([version(\"1.9\"), \"1.10\"])", NULL, "1.10");
	VT_EXPECT("max([])", NULL, "null");
	VT_EXPECT("lower(\"AbC\")", NULL, "abc");
	VT_EXPECT("upper(\"AbC\")", NULL, "ABC");
	VT_EXPECT("startswith(\"libssl3\", \"libssl\")", NULL, "true");
	VT_EXPECT("endswith(\"libssl3\", \"ssl\")", NULL, "false");
	VT_EXPECT("contains(\"libssl3\", \"bss\")", NULL, "true");
	VT_EXPECT("split(\"a,b,,c\", \",\")", NULL, "[\"a\",\"b\",\"\",\"c\"]");
	VT_EXPECT("split(\"abc\", \"::\")", NULL, "[\"abc\"]");
	VT_EXPECT("join([\"a\", \"b\"], \"-\")", NULL, "a-b");
	VT_EXPECT("join([], \"-\")", NULL, "");
	VT_EXPECT("glob(\"libssl3\", \"libssl*\")", NULL, "true");
	VT_EXPECT("glob(\"libssl3\", \"lib?\")", NULL, "false");
	VT_EXPECT("version(\"1:1.2-3\")", NULL, "1:1.2-3");
	VT_EXPECT("string(42)", NULL, "42");
	VT_EXPECT("string(null)", NULL, "null");
	VT_EXPECT("string([1, \"a\", true])", NULL, "[1,\"a\",true]");
	VT_EXPECT("string(input)", "{\"b\": 1, \"a\": [2]}", "{\"a\":[2],\"b\":1}");
	VT_EXPECT("human_size(0)", NULL, "0 B");
	VT_EXPECT("human_size(1536)", NULL, "1.5 KiB");
	VT_EXPECT("human_size(12MiB)", NULL, "12.0 MiB");
	VT_EXPECT("human_size(input.n)", "{\"n\": 9223372036854775807}", "8.0 EiB");
	VT_EXPECT_ERROR("human_size(input.n)", "{\"n\": -1}", "human_size: -1 is negative");
	VT_EXPECT_ERROR("human_size(\"1\")", NULL, "human_size: first argument must be an int");
	VT_EXPECT_ERROR("sum([1, input.s])", "{\"s\": \"x\"}", "sum: element 1 is a string");
	VT_EXPECT_ERROR("sum([input.big, 1])", "{\"big\": 9223372036854775807}", "sum: integer overflow");
	VT_EXPECT_ERROR("version(input.v)", "{\"v\": \"a:b\"}", "is not a valid version");
	VT_EXPECT_ERROR("split(\"a\", input.e)", "{\"e\": \"\"}", "empty separator");
	VT_EXPECT_ERROR("join([1], \",\")", NULL, "join: element 0 is an int");
	VT_EXPECT_ERROR("lower(input.n)", "{\"n\": 1}", "lower: first argument must be a string");
	VT_EXPECT_ERROR("min([1, input.s])", "{\"s\": \"x\"}", "cannot order");
}
END_TEST

START_TEST(test_error_location)
{
	struct vt_eval e;

	vt_eval(&e, "policy \"p\" {\n  let z = input.z;\n  env X = string(10 / z);\n}\n", "{\"z\": 0}");
	ck_assert_int_eq(e.rc, -1);
	ck_assert_str_eq(vt_first_error(&e.d), "t.cpol:3:18: division by zero");
	ck_assert_str_eq(e.d.entries[0].rule, "runtime");
	vt_release(&e);
}
END_TEST

/* Entry i of d points at want ("FILE:LINE:COL"). */
static void expect_where(struct diag *d, size_t i, const char *want)
{
	char *where;

	ck_assert_uint_gt(d->nentries, i);
	where = diag_where(d, &d->entries[i]);
	ck_assert_str_eq(where ? where : "(none)", want);
	free(where);
}

static const char config_src[] = "policy \"p\" {\n"
				 "  env B = \"1\";\n"
				 "  env A = \"2\";\n"
				 "  env B = \"3\";\n"
				 "  label \"z\" = \"z\";\n"
				 "  label \"a\" = input.v ?? \"none\";\n"
				 "  expose \"9090/tcp\";\n"
				 "  expose \"80/tcp\";\n"
				 "  volume \"/data\";\n"
				 "  user \"65532\";\n"
				 "  workdir \"/srv\";\n"
				 "  stopsignal \"SIGTERM\";\n"
				 "  cmd [\"a\"];\n"
				 "  cmd [\"b\", input.v];\n"
				 "  entrypoint [\"/bin/app\"];\n"
				 "  annotation \"k2\" = \"v\";\n"
				 "  annotation \"k1\" = \"w\";\n"
				 "  file \"/f\" = \"one\";\n"
				 "  file \"/g\" = \"x\" mode 0o600;\n"
				 "  file \"/f\" = \"two\";\n"
				 "}\n";

START_TEST(test_config)
{
	struct vt_eval e;
	char *s;

	vt_eval(&e, config_src, "{\"v\": \"q\"}");
	ck_assert_int_eq(e.rc, 0);
	s = json_dumps(e.dec.config, JSON_COMPACT | JSON_PRESERVE_ORDER);
	ck_assert_str_eq(s, "{\"Entrypoint\":[\"/bin/app\"],\"Cmd\":[\"b\",\"q\"],\"Env\":[\"B=3\",\"A=2\"],"
			    "\"User\":\"65532\",\"WorkingDir\":\"/srv\",\"Labels\":{\"a\":\"q\",\"z\":\"z\"},"
			    "\"ExposedPorts\":{\"80/tcp\":{},\"9090/tcp\":{}},\"Volumes\":{\"/data\":{}},"
			    "\"StopSignal\":\"SIGTERM\"}");
	free(s);
	s = json_dumps(e.dec.annotations, JSON_COMPACT | JSON_PRESERVE_ORDER);
	ck_assert_str_eq(s, "{\"k1\":\"w\",\"k2\":\"v\"}");
	free(s);
	ck_assert_uint_eq(e.dec.nfiles, 2);
	ck_assert_str_eq(e.dec.files[0].path, "/f");
	ck_assert_str_eq(e.dec.files[0].data, "two");
	ck_assert_uint_eq(e.dec.files[0].mode, 0644);
	ck_assert_str_eq(e.dec.files[0].at, "t.cpol:20:3");
	ck_assert_str_eq(e.dec.files[1].digest,
			 "sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881");
	ck_assert_uint_eq(e.dec.files[1].mode, 0600);
	vt_release(&e);

	/* cmd [input.v] with v missing: a list holding null */
	vt_eval(&e, config_src, "{}");
	ck_assert_int_eq(e.rc, -1);
	ck_assert_str_eq(vt_first_error(&e.d), "t.cpol:14:3: cmd must be a list of strings; item 1 is null");
	vt_release(&e);
}
END_TEST

static const char checks_src[] = "fragment limit(n) {\n"
				 "  deny \"too many\" when n > 5;\n"
				 "}\n"
				 "policy \"p\" {\n"
				 "  include \"a\";\n"
				 "  include \"b\" >= input.min ?? \"1.0\";\n"
				 "  base \"debian\" == \"12\";\n"
				 "  exclude \"c\";\n"
				 "  platform \"linux/arm64\";\n"
				 "  use limit(1);\n"
				 "  use limit(10);\n"
				 "  let big = input.big ?? 100;\n"
				 "  warn \"big\" when big > 50;\n"
				 "  deny \"size\" when sum([p.size for p in selected]) > big;\n"
				 "  admit p if p.scan.critical == 0 && p.version >= \"1.2\";\n"
				 "  admit q if q.name != input.banned;\n"
				 "  if input.prod ?? false { deny \"prod\"; }\n"
				 "}\n";

/* account, group and directory statements reach the decision, in order,
 * conditionally like any statement; two accounts of the policy that clash
 * are an error at the later one. */
START_TEST(test_accounts)
{
	static const char src[] =
		"policy \"p\" {\n"
		"  group \"app\" gid 1000;\n"
		"  account \"app\" uid 1000 home \"/home/app\";\n"
		"  account \"svc\" uid 1001 gid 1000 shell \"/bin/sh\" comment \"a service\";\n"
		"  directory \"/var/lib/app\" mode 0o750 owner \"app\";\n"
		"  directory \"/srv\";\n"
		"  if input.clash ?? false { account \"other\" uid 1001; }\n"
		"  if input.again ?? false { directory \"/srv\" mode 0o700; }\n"
		"}\n";
	struct vt_eval e;

	vt_eval(&e, src, "{}");
	ck_assert_int_eq(e.rc, 0);
	ck_assert_uint_eq(e.dec.accounts.ngroups, 1);
	ck_assert_uint_eq(e.dec.accounts.nusers, 2);
	ck_assert_str_eq(e.dec.accounts.users[0].name, "app");
	ck_assert_uint_eq(e.dec.accounts.users[0].gid, 1000); /* gid defaults to the uid */
	ck_assert_str_eq(accounts_shell(&e.dec.accounts.users[0]), "/usr/sbin/nologin");
	ck_assert_str_eq(e.dec.accounts.users[0].at, "t.cpol:3:3");
	ck_assert_str_eq(e.dec.accounts.users[1].gecos, "a service");
	ck_assert_str_eq(e.dec.accounts.users[1].shell, "/bin/sh");
	ck_assert_uint_eq(e.dec.ndirs, 2);
	ck_assert_uint_eq(e.dec.dirs[0].mode, 0750);
	ck_assert_str_eq(e.dec.dirs[0].owner, "app");
	ck_assert_uint_eq(e.dec.dirs[1].mode, 0755);
	ck_assert_ptr_null(e.dec.dirs[1].owner);
	vt_release(&e);

	vt_eval(&e, src, "{\"again\": true}");
	ck_assert_int_eq(e.rc, 0);
	ck_assert_uint_eq(e.dec.ndirs, 2);
	ck_assert_uint_eq(e.dec.dirs[1].mode, 0700);
	vt_release(&e);

	vt_eval(&e, src, "{\"clash\": true}");
	ck_assert_int_eq(e.rc, -1);
	ck_assert_str_eq(
		vt_first_error(&e.d),
		"t.cpol:7:29: user 'other' has uid 1001, which user 'svc' already has (at t.cpol:4:3)");
	vt_release(&e);
}
END_TEST

START_TEST(test_selection)
{
	struct vt_eval e;

	vt_eval(&e, checks_src, "{\"min\": \"2.0\"}");
	ck_assert_int_eq(e.rc, 0);
	ck_assert_str_eq(e.dec.policy, "p");
	ck_assert_str_eq(e.dec.platform, "linux/arm64");
	ck_assert_uint_eq(e.dec.nrequests, 3);
	ck_assert_ptr_null(e.dec.requests[0].op);
	ck_assert_str_eq(e.dec.requests[1].op, ">=");
	ck_assert_str_eq(e.dec.requests[1].constraint, "2.0");
	ck_assert_str_eq(e.dec.requests[1].at, "t.cpol:6:3");
	ck_assert(e.dec.requests[2].is_base);
	ck_assert_str_eq(e.dec.requests[2].op, "==");
	ck_assert_uint_eq(e.dec.nexcludes, 1);
	ck_assert_str_eq(e.dec.excludes[0].name, "c");
	/* one of the two fragment uses denies; the check reading selected waits */
	ck_assert_uint_eq(e.dec.ndenials, 1);
	ck_assert_str_eq(e.dec.denials[0].message, "too many");
	ck_assert_str_eq(e.dec.denials[0].at, "t.cpol:2:3");
	ck_assert_uint_eq(e.dec.nwarnings, 1);
	ck_assert_uint_eq(e.dec.npending, 1);
	ck_assert_str_eq(e.dec.pending[0].message, "size");
	ck_assert_str_eq(e.dec.pending[0].at, "t.cpol:14:3");
	vt_release(&e);

	vt_eval(&e, checks_src, "{\"big\": 10, \"prod\": true}");
	ck_assert_int_eq(e.rc, 0);
	ck_assert_uint_eq(e.dec.ndenials, 2);
	ck_assert_str_eq(e.dec.denials[1].message, "prod");
	ck_assert_uint_eq(e.dec.nwarnings, 0);
	vt_release(&e);

	/* a check that fails stops the checks; those before it are kept */
	vt_eval(&e,
		"policy \"p\" {\n  deny \"one\";\n  deny \"s\" when len(selected) > 1;\n"
		"  warn \"two\" when input.n > 0;\n  deny \"bad\" when input.n;\n  deny \"three\";\n}\n",
		"{\"n\": 1}");
	ck_assert_int_eq(e.rc, -1);
	ck_assert_str_eq(vt_first_error(&e.d), "t.cpol:5:19: a condition needs a bool, not an int");
	ck_assert_uint_eq(e.dec.ndenials, 1);
	ck_assert_str_eq(e.dec.denials[0].message, "one");
	ck_assert_uint_eq(e.dec.npending, 1);
	ck_assert_uint_eq(e.dec.nwarnings, 1);
	vt_release(&e);
}
END_TEST

static void make_prim(struct cat_prim *p, const char *name, const char *version, long size, int critical)
{
	memset(p, 0, sizeof(*p));
	p->name = (char *)name;
	p->version = (char *)version;
	p->size = (uint64_t)size;
	p->meta = json_pack("{s:s, s:s, s:s, s:I, s:{s:i, s:[]}}", "name", name, "version", version, "kind",
			    "library", "size", (json_int_t)size, "scan", "critical", critical, "cves");
}

START_TEST(test_checks_with_selected)
{
	struct vt_eval e;
	struct cat_prim prims[3];
	bool ok;
	const char *at;

	make_prim(&prims[0], "a", "1.10", 40, 0);
	make_prim(&prims[1], "b", "1.9", 30, 0);
	make_prim(&prims[2], "c", "2.0", 5, 1);
	vt_eval(&e, checks_src, "{\"big\": 60, \"banned\": \"b\"}");
	ck_assert_int_eq(e.rc, 0);
	ck_assert_uint_eq(e.dec.npending, 1);

	/* admit: versions compare as versions (1.10 >= 1.2), then the ban */
	ck_assert_int_eq(vm_admit(e.vm, &e.dec, &prims[0], &ok, &at, &e.d), 0);
	ck_assert(ok);
	ck_assert_int_eq(vm_admit(e.vm, &e.dec, &prims[1], &ok, &at, &e.d), 0);
	ck_assert(!ok);
	ck_assert_str_eq(at, "t.cpol:16:3");
	ck_assert_int_eq(vm_admit(e.vm, &e.dec, &prims[2], &ok, &at, &e.d), 0);
	ck_assert(!ok);
	ck_assert_str_eq(at, "t.cpol:15:3");

	/* checks with selected: 40 + 30 > 60 */
	decision_release(&e.dec);
	decision_init(&e.dec);
	ck_assert_int_eq(vm_select(e.vm, e.prog, "p", e.req, &e.dec, &e.d), 0);
	e.dec.selected = xcalloc(2, sizeof(*e.dec.selected));
	e.dec.nselected = e.dec.capselected = 2;
	e.dec.selected[0].prim = &prims[0];
	e.dec.selected[0].reason = xstrdup("include");
	e.dec.selected[1].prim = &prims[1];
	e.dec.selected[1].reason = xstrdup("include");
	ck_assert_int_eq(vm_check(e.vm, &e.dec, true, &e.d), 0);
	ck_assert_uint_eq(e.dec.npending, 0);
	ck_assert_uint_eq(e.dec.ndenials, 2);
	ck_assert_str_eq(e.dec.denials[1].message, "size");
	vt_release(&e);
	for (int i = 0; i < 3; i++)
		json_decref(prims[i].meta);
}
END_TEST

START_TEST(test_policy_choice)
{
	struct vt_eval e;
	const char *src = "policy \"a\" { include \"x\"; }\npolicy \"b\" { include \"y\"; }\n";

	memset(&e, 0, sizeof(e));
	diag_init(&e.d);
	decision_init(&e.dec);
	e.prog = vt_compile(src, NULL, &e.d);
	ck_assert_ptr_nonnull(e.prog);
	e.vm = vm_new();
	ck_assert_int_eq(vm_select(e.vm, e.prog, NULL, NULL, &e.dec, &e.d), -1);
	ck_assert_str_eq(e.d.entries[0].message, "several policies ('a', 'b'); choose one with --policy");
	ck_assert_int_eq(vm_select(e.vm, e.prog, "c", NULL, &e.dec, &e.d), -1);
	ck_assert_str_eq(e.d.entries[1].message, "no policy 'c'; policies: 'a', 'b'");
	ck_assert_int_eq(vm_select(e.vm, e.prog, "b", NULL, &e.dec, &e.d), 0);
	ck_assert_str_eq(e.dec.requests[0].name, "y");
	vt_release(&e);
}
END_TEST

START_TEST(test_request)
{
	struct diag d;
	json_t *r;
	char *s;
	char *defs[] = {"a.b=1", "a.c:=[1,2]", "top:=null", "a.b=2"};
	char *bad1[] = {"a=1", "a.b=2"};
	char *bad2[] = {"noequals"};

	diag_init(&d);
	vt_chdir_tmp();
	r = request_load(NULL, defs, 4, &d);
	ck_assert_ptr_nonnull(r);
	s = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(s, "{\"a\":{\"b\":\"2\",\"c\":[1,2]},\"top\":null}");
	free(s);
	json_decref(r);
	ck_assert_ptr_null(request_load(NULL, bad1, 2, &d));
	ck_assert_str_eq(d.entries[0].message, "bad definition 'a.b=2': 'a' is not an object");
	ck_assert_ptr_null(request_load(NULL, bad2, 1, &d));
	vt_write("bad.json", "{\n  \"a\": 1,\n  \"b\": ]\n}\n");
	ck_assert_ptr_null(request_load("bad.json", NULL, 0, &d));
	expect_where(&d, 2, "bad.json:3:8");
	vt_write("arr.json", "[1]");
	ck_assert_ptr_null(request_load("arr.json", NULL, 0, &d));
	ck_assert_str_eq(d.entries[3].message, "the request must be a JSON object");
	vt_write("real.json", "{\"x\": {\"y\": [1, 2.5]}}");
	ck_assert_ptr_null(request_load("real.json", NULL, 0, &d));
	ck_assert_str_eq(d.entries[4].message,
			 "request field 'x.y[1]' is not an integer (the language has no fractions)");
	ck_assert_ptr_null(request_load(NULL, (char *[]){"r:=1e3"}, 1, &d));
	ck_assert_str_eq(d.entries[5].message,
			 "request field 'r' is not an integer (the language has no fractions)");
	vt_write("ok.json", "{\"x\": {\"y\": 1}}");
	r = request_load("ok.json", (char *[]){"x.z=2"}, 1, &d);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "x"), "z")), "2");
	json_decref(r);
	diag_release(&d);
}
END_TEST

START_TEST(test_values_direct)
{
	struct arena a;
	struct value l = {.type = VAL_LIST}, v, w;
	struct val_ctx c;

	arena_init(&a);
	val_ctx_init(&c, &a, VM_MAX_STEPS, VM_MAX_BYTES);
	for (int i = 0; i < 100; i++) {
		v = val_int(i);
		ck_assert_int_eq(val_list_append(&c, &l, &v), 0);
	}
	ck_assert_uint_eq(l.len, 100);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(l.u.items[i].u.i, i);
	/* appending to a list that was not grown here copies it */
	w = l;
	w.flags = 0;
	v = val_int(-1);
	ck_assert_int_eq(val_list_append(&c, &w, &v), 0);
	ck_assert_ptr_ne(w.u.items, l.u.items);
	ck_assert_int_eq(w.u.items[100].u.i, -1);
	arena_reset(&a);
	ck_assert_ptr_nonnull(arena_alloc(&a, 1 << 20)); /* bigger than a chunk */
	ck_assert_int_eq(val_arith(&c, '/', &(struct value){.type = VAL_INT, .u.i = 1},
				   &(struct value){.type = VAL_INT, .u.i = 0}, &v),
			 -1);
	ck_assert_str_eq(c.err.msg, "division by zero");
	arena_release(&a);
}
END_TEST

START_TEST(test_limits)
{
	struct diag d;
	struct bc_program *p = bc_new();
	struct bc_line l = {0, 1, 1};
	struct vm *vm = vm_new();
	struct decision dec;
	struct vt_eval e;
	struct strbuf src = STRBUF_INIT, big = STRBUF_INIT;

	/* bytecode that loops forever stops at the step limit */
	diag_init(&d);
	p->files = xcalloc(1, sizeof(*p->files));
	p->files[0].path = xstrdup("loop.cpol");
	p->nfiles = 1;
	p->policies = xcalloc(1, sizeof(*p->policies));
	p->policies[0].name = xstrdup("p");
	p->npolicies = 1;
	bc_block_new(p, BC_POLICY);
	bc_emit(&p->blocks[0], BC_WORD(OP_JMP, 0), l);
	ck_assert_int_eq(bc_verify(p, "loop.cpolb", &d), 0);
	vm_set_limits(vm, 1000, 1u << 20);
	decision_init(&dec);
	ck_assert_int_eq(vm_select(vm, p, NULL, NULL, &dec, &d), -1);
	expect_where(&d, 0, "loop.cpol:1:1");
	ck_assert_str_eq(d.entries[0].message, "evaluation took more than 1000 steps");
	decision_release(&dec);
	vm_free(vm);
	bc_free(p);
	diag_release(&d);

	/* values that double past the memory limit */
	sb_adds(&src, "policy \"p\" {\n  let s0 = input.s;\n");
	for (int i = 1; i <= 14; i++)
		sb_addf(&src, "  let s%d = s%d + s%d;\n", i, i - 1, i - 1);
	sb_adds(&src, "  env X = s14;\n}\n");
	memset(&e, 0, sizeof(e));
	diag_init(&e.d);
	decision_init(&e.dec);
	e.req = vt_json("{\"s\": \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}");
	e.prog = vt_compile(src.buf, NULL, &e.d);
	ck_assert_ptr_nonnull(e.prog);
	e.vm = vm_new();
	vm_set_limits(e.vm, 1u << 20, 1u << 20); /* bytes written cost steps too */
	ck_assert_int_eq(vm_select(e.vm, e.prog, NULL, e.req, &e.dec, &e.d), -1);
	ck_assert_str_eq(vt_first_error(&e.d), "t.cpol:15:13: evaluation needs more than 1 MiB");
	vt_release(&e);

	/* any x in l : x == K (ANYEQK): a loop step per other item, counted
	 * and reported at the condition; the type error at the loop */
	sb_reset(&src);
	sb_adds(&src, "policy \"p\" {\n  let b = any x in input.l : x == -1;\n  env B = string(b);\n}\n");
	memset(&e, 0, sizeof(e));
	diag_init(&e.d);
	decision_init(&e.dec);
	sb_adds(&big, "{\"l\": [0");
	for (int i = 1; i < 1000; i++)
		sb_addf(&big, ", %d", i);
	sb_adds(&big, "]}");
	/* 1000 items: reading them costs 1252 steps (an item each, and the
	 * 16,000 bytes of the list), the loop 1000 more */
	e.req = vt_json(big.buf);
	e.prog = vt_compile(src.buf, NULL, &e.d);
	ck_assert_ptr_nonnull(e.prog);
	e.vm = vm_new();
	vm_set_limits(e.vm, 2300, 1u << 20);
	ck_assert_int_eq(vm_select(e.vm, e.prog, NULL, e.req, &e.dec, &e.d), 0);
	vm_set_limits(e.vm, 2000, 1u << 20);
	ck_assert_int_eq(vm_select(e.vm, e.prog, NULL, e.req, &e.dec, &e.d), -1);
	ck_assert_str_eq(vt_first_error(&e.d), "t.cpol:2:30: evaluation took more than 2000 steps");
	json_decref(e.req);
	e.req = vt_json("{\"l\": 5}");
	ck_assert_int_eq(vm_select(e.vm, e.prog, NULL, e.req, &e.dec, &e.d), -1);
	expect_where(&e.d, 1, "t.cpol:2:11");
	ck_assert_str_eq(e.d.entries[1].message, "cannot iterate over an int");
	vt_release(&e);
	sb_release(&big);
	sb_release(&src);
}
END_TEST

/* glob() means what fnmatch(3) means, on patterns of every shape: random
 * patterns over an alphabet of the special characters, against random
 * strings (short enough for fnmatch's own backtracking). */
START_TEST(test_glob_like_fnmatch)
{
	static const char pat_chars[] = "ab*?[]!^-\\:.=";
	static const char str_chars[] = "ab[]-\\*:";
	struct arena a;
	struct val_ctx c;
	char p[12], str[10];
	unsigned seed = 12345;
	bool res;

	arena_init(&a);
	for (int iter = 0; iter < 200000; iter++) {
		size_t pn = (size_t)(rand_r(&seed) % 9), sn = (size_t)(rand_r(&seed) % 8);
		for (size_t i = 0; i < pn; i++)
			p[i] = pat_chars[rand_r(&seed) % (sizeof(pat_chars) - 1)];
		p[pn] = '\0';
		for (size_t i = 0; i < sn; i++)
			str[i] = str_chars[rand_r(&seed) % (sizeof(str_chars) - 1)];
		str[sn] = '\0';
		val_ctx_init(&c, &a, VM_MAX_STEPS, VM_MAX_BYTES);
		ck_assert_int_eq(val_glob(&c, p, str, &res), 0);
		ck_assert_msg(res == (fnmatch(p, str, 0) == 0), "glob('%s', '%s') is %d", str, p, res);
	}
	/* classes, ranges, collating symbols and escapes, with stars around */
	static const char *const pats[] = {
		"*[[:alpha:]]*",
		"[[:digit:]]*[![:space:]]",
		"*[a-c]?[!x-z]*",
		"*[]a]*",
		"*[!]]*",
		"*[[.a.]]*",
		"*[[=b=]]*",
		"*\\**",
		"*[\\]]*",
		"*[[:bogus:]]*",
		"*[[:alpha:]*",
		"*[a-]*",
		"*[-a]*",
		"[*]*[?]",
		"*\\",
		"*[\xc3\xa9]*",
		"*\xc3*",
	};
	static const char *const strs[] = {
		"", "a", "Z9", "abc", "x]y", "*", "\\", "a-b", "1 2", "?*", "h\xc3\xa9", "[[:alpha:]",
	};
	for (size_t i = 0; i < ARRAY_SIZE(pats); i++)
		for (size_t j = 0; j < ARRAY_SIZE(strs); j++) {
			val_ctx_init(&c, &a, VM_MAX_STEPS, VM_MAX_BYTES);
			ck_assert_int_eq(val_glob(&c, pats[i], strs[j], &res), 0);
			ck_assert_msg(res == (fnmatch(pats[i], strs[j], 0) == 0), "glob('%s', '%s') is %d",
				      strs[j], pats[i], res);
		}
	arena_release(&a);
}
END_TEST

/* The patterns that make fnmatch exponential take linear steps here; the
 * costly ones (a long middle segment tried at every place) are charged. */
START_TEST(test_glob_bounded)
{
	struct strbuf s = STRBUF_INIT, p = STRBUF_INIT;
	struct arena a;
	struct val_ctx c;
	bool res = true;

	arena_init(&a);
	for (int i = 0; i < 100000; i++)
		sb_addc(&s, 'a');
	for (int i = 0; i < 40; i++)
		sb_adds(&p, "*a");
	sb_adds(&p, "*b");
	val_ctx_init(&c, &a, 1000, VM_MAX_BYTES);
	ck_assert_int_eq(val_glob(&c, p.buf, s.buf, &res), 0);
	ck_assert(!res);
	sb_reset(&p);
	sb_addc(&p, '*');
	for (int i = 0; i < 1000; i++)
		sb_addc(&p, 'a');
	sb_adds(&p, "b*");
	val_ctx_init(&c, &a, VM_MAX_STEPS, VM_MAX_BYTES);
	ck_assert_int_eq(val_glob(&c, p.buf, s.buf, &res), 0);
	ck_assert(!res);
	ck_assert_uint_lt(c.work, VM_MAX_STEPS - 99000 * 16); /* 99,000 places, 16 steps each */
	val_ctx_init(&c, &a, 1000, VM_MAX_BYTES);
	ck_assert_int_eq(val_glob(&c, p.buf, s.buf, &res), -1);
	ck_assert_str_eq(c.err.msg, "evaluation took more than 1000 steps");
	arena_release(&a);
	sb_release(&s);
	sb_release(&p);
}
END_TEST

/* string() of a list or record is what json_dumps writes. */
START_TEST(test_string_like_jansson)
{
	static const char *const docs[] = {
		"[1, -2, \"x\", null, true, false, [], {}]",
		"{\"b\": 1, \"a\": [\"\\u0001\\n\\t\\\"\\\\/\\u007f\", \"\\u00e9\\u4e2d\"], \"c\": {\"z\": "
		"1.5, \"y\": -0.0}}",
		"[[[[\"deep\"]]], 9223372036854775807, -9223372036854775808, 1e300, 0.1]",
	};
	struct arena a;
	struct val_ctx c;
	struct value v, out;
	json_t *j;
	char *want;

	arena_init(&a);
	for (size_t i = 0; i < ARRAY_SIZE(docs); i++) {
		j = vt_json(docs[i]);
		want = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		val_ctx_init(&c, &a, VM_MAX_STEPS, VM_MAX_BYTES);
		v = json_is_object(j) ? val_rec(j, 0) : val_null();
		if (json_is_array(j)) { /* as a list of values, records inside */
			v.type = VAL_LIST;
			v.len = (uint32_t)json_array_size(j);
			struct value *items = arena_alloc(&a, v.len * sizeof(*items));
			for (uint32_t k = 0; k < v.len; k++) {
				json_t *e = json_array_get(j, k);
				if (json_is_real(e) || json_is_array(e))
					items[k] = val_rec(e, 0); /* written as JSON all the same */
				else
					ck_assert_int_eq(val_from_json(&c, e, &items[k]), 0);
			}
			v.u.items = items;
		}
		ck_assert_int_eq(val_to_text(&c, &v, &out), 0);
		ck_assert_str_eq(out.u.s, want);
		free(want);
		json_decref(j);
	}
	arena_release(&a);
}
END_TEST

/* Values that share their parts: thirty doublings are 2^30 elements deep.
 * string() and == on them stop at the step bound, located, within
 * moments; so does `in` over a list for every element of it. */
START_TEST(test_work_counted)
{
	struct strbuf src = STRBUF_INIT, big = STRBUF_INIT;
	struct vt_eval e;
	const char *const uses[] = {"string(a30)", "string(a30 == b30)", "string(b30 in [a30])"};

	for (size_t u = 0; u < ARRAY_SIZE(uses); u++) {
		sb_reset(&src);
		sb_adds(&src, "policy \"p\" {\n  let a0 = [input.x];\n  let b0 = [input.x];\n");
		for (int i = 1; i <= 30; i++)
			sb_addf(&src, "  let a%d = [a%d, a%d];\n  let b%d = [b%d, b%d];\n", i, i - 1, i - 1,
				i, i - 1, i - 1);
		sb_addf(&src, "  label \"l\" = %s;\n}\n", uses[u]);
		vt_eval(&e, src.buf, "{\"x\": 1}");
		ck_assert_int_eq(e.rc, -1);
		ck_assert_msg(
			strstr(vt_first_error(&e.d), "t.cpol:64:") &&
				strstr(vt_first_error(&e.d), "evaluation took more than 16777216 steps"),
			"%s", vt_first_error(&e.d));
		vt_release(&e);
	}
	/* [x for x in L if (0-x-1) in L] over 100,000 items: 10^10 comparisons */
	sb_reset(&src);
	sb_adds(&src, "policy \"p\" {\n  let l = input.l;\n  let m = [x for x in l if (0 - x - 1) in l];\n"
		      "  label \"n\" = string(len(m));\n}\n");
	sb_adds(&big, "{\"l\": [0");
	for (int i = 1; i < 100000; i++)
		sb_addf(&big, ",%d", i);
	sb_adds(&big, "]}");
	vt_eval(&e, src.buf, big.buf);
	ck_assert_int_eq(e.rc, -1);
	ck_assert_str_eq(vt_first_error(&e.d), "t.cpol:3:28: evaluation took more than 16777216 steps");
	vt_release(&e);
	sb_release(&src);
	sb_release(&big);
}
END_TEST

/* Record literals built by val_make_rec: sorted, keys strings, each once. */
START_TEST(test_records_direct)
{
	struct arena a;
	struct val_ctx c;
	struct value kv[6], r, f;
	bool in;

	arena_init(&a);
	val_ctx_init(&c, &a, VM_MAX_STEPS, VM_MAX_BYTES);
	kv[0] = val_str("b", 1), kv[1] = val_int(2);
	kv[2] = val_str("a", 1), kv[3] = val_int(1);
	kv[4] = val_str("ab", 2), kv[5] = val_int(3);
	ck_assert_int_eq(val_make_rec(&c, kv, 3, &r), 0);
	ck_assert(val_is_lit(&r));
	ck_assert_uint_eq(val_rec_size(&r), 3);
	ck_assert_str_eq(r.u.items[0].u.s, "a");
	ck_assert_str_eq(r.u.items[2].u.s, "ab");
	ck_assert_str_eq(r.u.items[4].u.s, "b");
	ck_assert_int_eq(val_field(&c, &r, "ab", &f), 0);
	ck_assert_int_eq(f.u.i, 3);
	ck_assert_int_eq(val_field(&c, &r, "c", &f), 0);
	ck_assert_int_eq(f.type, VAL_NULL);
	ck_assert_int_eq(val_in(&c, &kv[0], &r, &in), 0);
	ck_assert(in);
	/* a key given twice (forged bytecode: the compiler refuses it) */
	kv[4] = val_str("a", 1);
	ck_assert_int_eq(val_make_rec(&c, kv, 3, &r), -1);
	ck_assert_str_eq(c.err.msg, "duplicate key 'a' in a record");
	kv[4] = val_int(7);
	ck_assert_int_eq(val_make_rec(&c, kv, 3, &r), -1);
	ck_assert_str_eq(c.err.msg, "record keys are strings, not an int");
	arena_release(&a);
}
END_TEST

/* Records that share their parts are paid for per member reached, as lists
 * are; a message computed when its check fires reads `selected`. */
START_TEST(test_records_in_policies)
{
	struct strbuf src = STRBUF_INIT;
	struct vt_eval e;
	struct cat_prim prims[2];

	sb_adds(&src, "policy \"p\" {\n  let a0 = {\"x\": input.x};\n");
	for (int i = 1; i <= 30; i++)
		sb_addf(&src, "  let a%d = {\"l\": a%d, \"r\": a%d};\n", i, i - 1, i - 1);
	sb_adds(&src, "  label \"l\" = string(a30 == {\"l\": a29, \"r\": a29} && string(a30) != \"\");\n}\n");
	vt_eval(&e, src.buf, "{\"x\": 1}");
	ck_assert_int_eq(e.rc, -1);
	ck_assert_msg(strstr(vt_first_error(&e.d), "evaluation took more than 16777216 steps"), "%s",
		      vt_first_error(&e.d));
	vt_release(&e);

	make_prim(&prims[0], "a", "1.0", 40, 0);
	make_prim(&prims[1], "b", "1.0", 30, 0);
	vt_eval(&e,
		"policy \"p\" {\n  let lim = {\"size\": input.max};\n"
		"  deny \"size \" + string(sum([p.size for p in selected])) + \" over \" + string(lim.size)\n"
		"    when sum([p.size for p in selected]) > lim.size;\n"
		"  warn input.note when len(selected) > 1;\n}\n",
		"{\"max\": 60, \"note\": 5}");
	ck_assert_int_eq(e.rc, 0);
	ck_assert_uint_eq(e.dec.npending, 2);
	ck_assert_str_eq(e.dec.pending[1].message, "input.note");
	ck_assert_str_eq(
		e.dec.pending[0].message,
		"\"size \" + string(sum([p.size for p in selected])) + \" over \" + string(lim.size)");
	/* the warning's message is an int: a located error when it fires */
	decision_release(&e.dec);
	decision_init(&e.dec);
	ck_assert_int_eq(vm_select(e.vm, e.prog, "p", e.req, &e.dec, &e.d), 0);
	e.dec.selected = xcalloc(2, sizeof(*e.dec.selected));
	e.dec.nselected = e.dec.capselected = 2;
	for (int i = 0; i < 2; i++) {
		e.dec.selected[i].prim = &prims[i];
		e.dec.selected[i].reason = xstrdup("include");
	}
	ck_assert_int_eq(vm_check(e.vm, &e.dec, true, &e.d), -1);
	ck_assert_str_eq(vt_first_error(&e.d), "t.cpol:5:8: a warn message must be a string, not an int");
	ck_assert_uint_eq(e.dec.ndenials, 1);
	ck_assert_str_eq(e.dec.denials[0].message, "size 70 over 60");
	vt_release(&e);
	for (int i = 0; i < 2; i++)
		json_decref(prims[i].meta);
	sb_release(&src);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vm");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_bytes_equal);
	tcase_add_test(tc, test_arith);
	tcase_add_test(tc, test_equality);
	tcase_add_test(tc, test_ordering);
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_logic);
	tcase_add_test(tc, test_membership);
	tcase_add_test(tc, test_comprehensions);
	tcase_add_test(tc, test_builtins);
	tcase_add_test(tc, test_error_location);
	tcase_add_test(tc, test_config);
	tcase_add_test(tc, test_selection);
	tcase_add_test(tc, test_checks_with_selected);
	tcase_add_test(tc, test_policy_choice);
	tcase_add_test(tc, test_request);
	tcase_add_test(tc, test_values_direct);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_glob_like_fnmatch);
	tcase_add_test(tc, test_glob_bounded);
	tcase_add_test(tc, test_string_like_jansson);
	tcase_add_test(tc, test_work_counted);
	tcase_add_test(tc, test_accounts);
	tcase_add_test(tc, test_records_direct);
	tcase_add_test(tc, test_records_in_policies);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
