/* check_parse.c - the scanner and parser: tree shapes, literals, errors. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "diag.h"
#include "parse.h"
#include "util.h"

struct parsed {
	struct diag d;
	struct ast *root;
	char *dump;
};

static void parse_text(struct parsed *p, const char *src, size_t len)
{
	char *text = xmalloc(len + 1);
	uint32_t f;

	memcpy(text, src, len);
	text[len] = '\0';
	diag_init(&p->d);
	f = diag_add_file(&p->d, "t.cpol", text, len);
	p->root = parse_module(&p->d, f, text, len);
	p->dump = ast_dump(p->root);
}

static void parse(struct parsed *p, const char *src)
{
	parse_text(p, src, strlen(src));
}

static void done(struct parsed *p)
{
	ast_free(p->root);
	free(p->dump);
	diag_release(&p->d);
}

/* The dump of `const x = EXPR;` must be `(const "x" WANT)`. */
static void expect_expr(const char *expr, const char *want)
{
	struct parsed p;
	char *src = xasprintf("const x = %s;", expr);
	char *full = xasprintf("(module { (const \"x\" %s) })", want);

	parse(&p, src);
	ck_assert_msg(p.d.nerrors == 0, "errors parsing %s: %s", expr,
		      p.d.nentries ? p.d.entries[0].message : "");
	ck_assert_str_eq(p.dump, full);
	done(&p);
	free(src);
	free(full);
}

/* Parsing src gives errors; the first has this rule and message substring. */
static void expect_error(const char *src, const char *rule, const char *msg)
{
	struct parsed p;

	parse(&p, src);
	ck_assert_msg(p.d.nerrors > 0, "no error for: %s", src);
	ck_assert_str_eq(p.d.entries[0].rule, rule);
	ck_assert_msg(strstr(p.d.entries[0].message, msg), "message '%s' lacks '%s'", p.d.entries[0].message,
		      msg);
	done(&p);
}

START_TEST(test_precedence)
{
	expect_expr("1 + 2 * 3 - 4", "(- (+ 1 (* 2 3)) 4)");
	expect_expr("a ?? b ?? c", "(?? a (?? b c))");
	expect_expr("a ?? b || c", "(?? a (|| b c))");
	expect_expr("a || b && c", "(|| a (&& b c))");
	expect_expr("a && b == c + 1", "(&& a (== b (+ c 1)))");
	expect_expr("!a.b", "(! (. a b))");
	expect_expr("-x[1] * 2", "(* (- ([] x 1)) 2)");
	expect_expr("x not in [1, 2]", "(not in x [1 2])");
	expect_expr("x in y", "(in x y)");
	expect_expr("(a || b) && c", "(&& (|| a b) c)");
	expect_expr("a % b / c", "(/ (% a b) c)");
	expect_expr("len(x) >= 2", "(>= (len x) 2)");
}
END_TEST

START_TEST(test_quantifiers)
{
	expect_expr("any p in selected : p.size > 1 && ok", "(any p selected (&& (> (. p size) 1) ok))");
	expect_expr("a && all x in l : x || y", "(&& a (all x l (|| x y)))");
	expect_expr("any x in l : any y in x : y", "(any x l (any y x y))");
	expect_expr("[p.size for p in selected]", "(for p (. p size) selected)");
	expect_expr("[p for p in l if p > 1]", "(for p p l if (> p 1))");
	expect_expr("[]", "[]");
	expect_expr("[1, 2,]", "[1 2]");
	expect_expr("input.env", "(. input env)");
	expect_expr("input.user.file", "(. (. input user) file)");
	expect_expr("selected", "selected");
	expect_expr("null", "null");
	expect_expr("true != false", "(!= true false)");
}
END_TEST

START_TEST(test_nonassoc)
{
	expect_error("const x = a == b == c;", "syntax", "syntax error");
	expect_error("const x = a < b < c;", "syntax", "syntax error");
	expect_error("const x = a in b in c;", "syntax", "syntax error");
}
END_TEST

START_TEST(test_integers)
{
	expect_expr("64MiB", "67108864");
	expect_expr("1KB", "1000");
	expect_expr("2GiB", "2147483648");
	expect_expr("3TB", "3000000000000");
	expect_expr("1TiB", "1099511627776");
	expect_expr("0x7b", "123");
	expect_expr("0o644", "420");
	expect_expr("9223372036854775807", "9223372036854775807");
	expect_expr("-9223372036854775808", "-9223372036854775808");
	expect_expr("- 5", "-5");
	expect_error("const x = 99999999999999999999;", "overflow", "does not fit");
	expect_error("const x = 10000000TiB;", "overflow", "does not fit");
	expect_error("const x = 0x;", "syntax", "invalid integer");
	expect_error("const x = 0o8;", "syntax", "invalid integer");
	expect_error("const x = 12abc;", "syntax", "invalid integer");
	expect_error("const x = 5kb;", "syntax", "invalid integer");
}
END_TEST

START_TEST(test_big_literal_marked)
{
	struct parsed p;

	/* the unnegated 2^63 parses, marked for sema to reject */
	parse(&p, "const x = 9223372036854775808;");
	ck_assert_uint_eq(p.d.nerrors, 0);
	ck_assert_int_eq(p.root->kids.v[0]->a->op, 1);
	done(&p);
}
END_TEST

START_TEST(test_strings)
{
	struct parsed p;
	struct ast *s;

	parse(&p, "const x = \"a\\\"\\\\\\n\\t\\r\\0\\u{41}\\u{e9}\\u{1F600}\";");
	ck_assert_uint_eq(p.d.nerrors, 0);
	s = p.root->kids.v[0]->a;
	ck_assert_int_eq(s->kind, AST_STRING);
	ck_assert_uint_eq(s->len, 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 2 + 4);
	ck_assert_mem_eq(s->str, "a\"\\\n\t\r\0A\xc3\xa9\xf0\x9f\x98\x80", s->len);
	done(&p);
	expect_error("const x = \"\\q\";", "syntax", "unknown escape '\\q'");
	expect_error("const x = \"\\u{D800}\";", "syntax", "surrogate");
	expect_error("const x = \"\\u{110000}\";", "syntax", "beyond");
	expect_error("const x = \"\\u{}\";", "syntax", "1 to 6 hex digits");
	expect_error("const x = \"\\u{12g}\";", "syntax", "invalid hex digit");
	expect_error("const x = \"\\u41\";", "syntax", "must be followed by {HEX}");
	expect_error("const x = \"abc", "syntax", "unterminated string");
	expect_error("const x = \"abc\n\";", "syntax", "may not span lines");
}
END_TEST

START_TEST(test_statements)
{
	struct parsed p;

	parse(&p, "import \"security\"; import \"./x.cpol\" as x;\n"
		  "fragment f(a, b) { include \"ca\"; include \"ssl\" >= a; }\n"
		  "policy \"web\" {\n"
		  "  platform \"linux/amd64\"; base \"debian\" == \"12\"; from \"img:1\";\n"
		  "  exclude \"strace\"; admit p if p.ok; use f(1, 2); use x.g; let n = 1;\n"
		  "  if a { deny \"d\"; } else if b { warn \"w\" when c; } else { deny \"e\" when d; }\n"
		  "  entrypoint [\"/bin/sh\"]; cmd [\"-c\"]; env A = 1; env \"B\" = 2; user \"1\";\n"
		  "  workdir \"/\"; stopsignal \"SIGTERM\"; label \"k\" = \"v\"; annotation \"a\" = \"b\";\n"
		  "  expose \"80/tcp\"; volume \"/data\"; file \"/etc/f\" = \"x\" mode 0o600; file \"/g\" = "
		  "\"y\";\n"
		  "}\n");
	ck_assert_uint_eq(p.d.nerrors, 0);
	ck_assert_str_eq(
		p.dump,
		"(module { (import \"security\") (import \"./x.cpol\" as x) "
		"(fragment \"f\" (a b) { (include \"ca\") (include \"ssl\" >= a) }) "
		"(policy \"web\" { (platform \"linux/amd64\") (base \"debian\" == \"12\") (from \"img:1\") "
		"(exclude \"strace\") (admit \"p\" (. p ok)) (use f { 1 2 }) (use (. x g)) (let \"n\" 1) "
		"(if a (if b (block { (deny \"e\" d) }) { (warn \"w\" c) }) { (deny \"d\") }) "
		"(entrypoint [\"/bin/sh\"]) (cmd [\"-c\"]) (env \"A\" 1) (env \"B\" 2) (user \"1\") "
		"(workdir \"/\") (stopsignal \"SIGTERM\") (label \"k\" \"v\") (annotation \"a\" \"b\") "
		"(expose \"80/tcp\") (volume \"/data\") (file \"/etc/f\" mode=0o600 \"x\") (file \"/g\" "
		"\"y\") }) })");
	done(&p);
}
END_TEST

START_TEST(test_locations)
{
	struct parsed p;
	struct ast *inc;
	unsigned line, col;

	parse(&p, "policy \"a\" {\n  include \"x\" >= \"1\";\n}\n");
	ck_assert_uint_eq(p.d.nerrors, 0);
	inc = p.root->kids.v[0]->kids.v[0];
	ck_assert_uint_eq(inc->loc.begin, 15);
	ck_assert_uint_eq(inc->loc.end, 34);
	ck_assert_uint_eq(inc->nameloc.begin, 23);
	ck_assert_uint_eq(inc->nameloc.end, 26);
	ck_assert_uint_eq(inc->a->loc.begin, 30);
	diag_linecol(&p.d, inc->loc.file, inc->a->loc.begin, &line, &col);
	ck_assert_uint_eq(line, 2);
	ck_assert_uint_eq(col, 18);
	ck_assert_uint_eq(p.root->kids.v[0]->nameloc.begin, 7);
	done(&p);
}
END_TEST

START_TEST(test_recovery)
{
	struct parsed p;

	/* every broken statement is reported and the good ones are kept */
	parse(&p, "policy \"a\" {\n  include;\n  include \"x\";\n  foo bar;\n  if x { oops }\n  exclude "
		  "\"y\";\n}\n"
		  "junk here;\npolicy \"b\" { include \"z\"; }\n");
	ck_assert_uint_eq(p.d.nerrors, 4);
	ck_assert_str_eq(p.dump, "(module { (policy \"a\" { (include \"x\") (if x { }) (exclude \"y\") }) "
				 "(policy \"b\" { (include \"z\") }) })");
	ck_assert_str_eq(p.d.entries[0].rule, "syntax");
	done(&p);
}
END_TEST

START_TEST(test_deep_nesting)
{
	struct strbuf sb = STRBUF_INIT;
	struct parsed p;

	/* 20,000 nested parentheses: bison's default stack would overflow */
	sb_adds(&sb, "const x = ");
	for (int i = 0; i < 20000; i++)
		sb_addc(&sb, '(');
	sb_addc(&sb, '1');
	for (int i = 0; i < 20000; i++)
		sb_addc(&sb, ')');
	sb_adds(&sb, ";");
	parse(&p, sb.buf);
	ck_assert_uint_eq(p.d.nerrors, 0);
	ck_assert_str_eq(p.dump, "(module { (const \"x\" 1) })");
	done(&p);

	/* 20,000 nested lists make a tree too deep to walk: one clean error */
	sb_reset(&sb);
	sb_adds(&sb, "const x = ");
	for (int i = 0; i < 20000; i++)
		sb_addc(&sb, '[');
	for (int i = 0; i < 20000; i++)
		sb_addc(&sb, ']');
	sb_adds(&sb, "; const y = 1;");
	parse(&p, sb.buf);
	ck_assert_uint_eq(p.d.nerrors, 1);
	ck_assert_msg(strstr(p.d.entries[0].message, "nested too deeply"), "%s", p.d.entries[0].message);
	ck_assert_uint_eq(p.root->kids.n, 2);
	done(&p);

	/* a long left-associative chain is deep too */
	sb_reset(&sb);
	sb_adds(&sb, "const x = 1");
	for (int i = 0; i < 5000; i++)
		sb_adds(&sb, " + 1");
	sb_adds(&sb, ";");
	parse(&p, sb.buf);
	ck_assert_uint_eq(p.d.nerrors, 1);
	done(&p);

	/* nesting up to the limit is fine */
	sb_reset(&sb);
	sb_adds(&sb, "const x = ");
	for (int i = 0; i < PARSE_MAX_DEPTH - 2; i++)
		sb_addc(&sb, '!');
	sb_adds(&sb, "true;");
	parse(&p, sb.buf);
	ck_assert_uint_eq(p.d.nerrors, 0);
	done(&p);
	sb_release(&sb);
}
END_TEST

START_TEST(test_odd_input)
{
	struct parsed p;

	parse(&p, "");
	ck_assert_uint_eq(p.d.nerrors, 0);
	ck_assert_str_eq(p.dump, "(module { })");
	done(&p);
	parse(&p, "# only a comment");
	ck_assert_uint_eq(p.d.nerrors, 0);
	done(&p);
	parse_text(&p, "const x = 1;\0const y = 2;", 25);
	ck_assert_uint_eq(p.d.nerrors, 1);
	ck_assert_msg(strstr(p.d.entries[0].message, "byte 0x00"), "%s", p.d.entries[0].message);
	done(&p);
	expect_error("const x = @;", "syntax", "unexpected character '@'");
	expect_error("const \xc3\xa9 = 1;", "syntax", "non-ASCII");
	expect_error("policy \"a\" { file \"/f\" = \"\" mode 0o17777; }", "syntax", "beyond 0o7777");
}
END_TEST

static Suite *parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_quantifiers);
	tcase_add_test(tc, test_nonassoc);
	tcase_add_test(tc, test_integers);
	tcase_add_test(tc, test_big_literal_marked);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_statements);
	tcase_add_test(tc, test_locations);
	tcase_add_test(tc, test_recovery);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_odd_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(parse_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
