/* check_fmt.c - the formatter: layout rules, comments, syntax errors, the
 * diff, and over every .cpol of the source tree (plus each of them with all
 * its line breaks removed, with every token on a line of its own, and with
 * pseudo-random white space between tokens): the
 * result parses to the same tree (ast_dump) and formatting it again changes
 * nothing. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ast.h"
#include "diag.h"
#include "fmt.h"
#include "parse.h"
#include "parser.h"
#include "util.h"

/* Format text; NULL when fmt_source fails. Caller frees. */
static char *fmt(const char *text)
{
	struct diag d;
	char *out = NULL;
	size_t len;
	uint32_t id;

	diag_init(&d);
	id = diag_add_file(&d, "t.cpol", xstrdup(text), strlen(text));
	if (fmt_source(&d, id, &out, &len) < 0)
		out = NULL;
	else
		ck_assert_uint_eq(strlen(out), len);
	diag_release(&d);
	return out;
}

static void expect_fmt(const char *in, const char *want)
{
	char *got = fmt(in);

	ck_assert_msg(got != NULL, "fmt failed on: %s", in);
	ck_assert_str_eq(got, want);
	free(got);
	got = fmt(want);
	ck_assert_msg(got != NULL, "fmt failed on its output: %s", want);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_spacing)
{
	expect_fmt("const a=[1,2 ,3];", "const a = [1, 2, 3];\n");
	expect_fmt("const a = - 1 - -x[ 0 ]*f( 2 ,3 );", "const a = -1 - -x[0] * f(2, 3);\n");
	expect_fmt("const a = ! ( input . env == \"x\" )&&y not   in [ ];",
		   "const a = !(input.env == \"x\") && y not in [];\n");
	expect_fmt("const a = any p in selected:p.name in[\"a\"];",
		   "const a = any p in selected : p.name in [\"a\"];\n");
	expect_fmt("const a = [x for x in l if x>0]??0o644+64MiB+0x1F;",
		   "const a = [x for x in l if x > 0] ?? 0o644 + 64MiB + 0x1F;\n");
	expect_fmt("const s = \"a\\tb\\u{41}\\\"\";", "const s = \"a\\tb\\u{41}\\\"\";\n");
	expect_fmt("const a = input.if.else [1];", "const a = input.if.else[1];\n");
}
END_TEST

START_TEST(test_blocks)
{
	expect_fmt("fragment f ( a , b ){include \"x\">=a;use g.h(b);}",
		   "fragment f(a, b) {\n  include \"x\" >= a;\n  use g.h(b);\n}\n");
	expect_fmt("policy \"p\" { if a { include \"a\"; }\n else if b { } else { if c {exclude \"c\";} } }",
		   "policy \"p\" {\n  if a {\n    include \"a\";\n  } else if b {\n  } else {\n    if c {\n"
		   "      exclude \"c\";\n    }\n  }\n}\n");
	expect_fmt("policy \"p\" {\n\n\n  include \"a\";\n\n\n\n  include \"b\";\n\n}\n",
		   "policy \"p\" {\n  include \"a\";\n\n  include \"b\";\n}\n");
	/* top level: one blank line, adjacent imports and consts grouped */
	expect_fmt("import \"a\";\nimport \"b\";\nconst x = 1;\nconst y = 2;\n\n\nconst z = 3;\npolicy \"p\" "
		   "{}\n"
		   "fragment f {}",
		   "import \"a\";\nimport \"b\";\n\nconst x = 1;\nconst y = 2;\n\nconst z = 3;\n\npolicy "
		   "\"p\" {\n}\n\n"
		   "fragment f {\n}\n");
	/* a comment block right above an import stays in the group */
	expect_fmt("import \"a\";\n# b\nimport \"b\";\n\n# c\nimport \"c\";\n# p\npolicy \"p\" {}",
		   "import \"a\";\n# b\nimport \"b\";\n\n# c\nimport \"c\";\n\n# p\npolicy \"p\" {\n}\n");
	expect_fmt("", "");
}
END_TEST

START_TEST(test_breaks)
{
	/* the author's line breaks inside a statement stay, with continuation
	 * and bracket indentation; never before ; , or { */
	expect_fmt("policy \"p\" {\ndeny \"m\"\nwhen a\n&& b\n;\nentrypoint [\n\"a\",\n\"b\"\n]\n;\nif "
		   "x\n{\n}\n}",
		   "policy \"p\" {\n  deny \"m\"\n    when a\n    && b;\n  entrypoint [\n    \"a\",\n    "
		   "\"b\"\n  ];\n"
		   "  if x {\n  }\n}\n");
	expect_fmt("const a = f([\n1], [\n2\n]);", "const a = f([\n  1], [\n    2\n  ]);\n");
}
END_TEST

START_TEST(test_comments)
{
	expect_fmt("# head\n\n\n# more   \nimport \"a\";   # why\t\n# about p\npolicy \"p\" { # open\n"
		   "      # own\n  include \"a\";#tight\n\n\n  # last\n}\n# tail",
		   "# head\n\n# more\nimport \"a\"; # why\n\n# about p\npolicy \"p\" { # open\n  # own\n"
		   "  include \"a\"; #tight\n\n  # last\n}\n\n# tail\n");
	expect_fmt("const a = [ # first\n1, # one\n# own\n2];",
		   "const a = [ # first\n  1, # one\n  # own\n  2];\n");
	expect_fmt("policy \"p\" {\n  if a {\n  } # end\n  else {\n  }\n}\n",
		   "policy \"p\" {\n  if a {\n  } # end\n  else {\n  }\n}\n");
	expect_fmt("policy \"p\" {\r\n\tinclude \"a\";\r\n}\r\n", "policy \"p\" {\n  include \"a\";\n}\n");
}
END_TEST

START_TEST(test_errors)
{
	struct diag d;
	char *out = (char *)"x";
	size_t len = 7;
	const char *bad = "policy \"p\" { include ; }";

	diag_init(&d);
	ck_assert_int_eq(fmt_source(&d, diag_add_file(&d, "bad.cpol", xstrdup(bad), strlen(bad)), &out, &len),
			 -1);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_gt(d.nerrors, 0);
	ck_assert_str_eq(d.entries[0].rule, "syntax");
	diag_release(&d);
	ck_assert_ptr_null(fmt("const s = \"unterminated;\n"));
	ck_assert_ptr_null(fmt("const s = 1 $ 2;"));
}
END_TEST

START_TEST(test_diff)
{
	const char *a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n";
	const char *b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n12\n13\n14\nnew\n15\n16";
	char *d = fmt_diff("f.cpol", a, strlen(a), a, strlen(a));

	ck_assert_str_eq(d, "");
	free(d);
	d = fmt_diff("f.cpol", a, strlen(a), b, strlen(b));
	ck_assert_str_eq(
		d, "--- a/f.cpol\n+++ b/f.cpol\n"
		   "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
		   "@@ -12,5 +12,6 @@\n 12\n 13\n 14\n+new\n 15\n-16\n+16\n\\ No newline at end of file\n");
	free(d);
	d = fmt_diff("e.cpol", "", 0, "x\n", 2);
	ck_assert_str_eq(d, "--- a/e.cpol\n+++ b/e.cpol\n@@ -0,0 +1 @@\n+x\n");
	free(d);
}
END_TEST

/* ---- every .cpol of the tree -------------------------------------------- */

static char *dump_of(const char *text, size_t len)
{
	struct diag d;
	struct ast *root;
	char *dump = NULL;

	diag_init(&d);
	root = parse_module(&d, diag_add_file(&d, "t.cpol", xstrndup(text, len), len), text, len);
	if (!d.nerrors)
		dump = ast_dump(root);
	ast_free(root);
	diag_release(&d);
	return dump;
}

/* The tokens of text joined by sep (a newline after comments); sep NULL
 * picks pseudo-random white space between every two tokens. */
static char *rejoin(const char *text, size_t len, const char *sep)
{
	static const char *const seps[] = {" ", "\n", "\n\n\n", " \t ", "\r\n", "\n  \n"};
	uint32_t seed = (uint32_t)len;
	struct diag d;
	struct lex_token *t;
	struct strbuf sb = STRBUF_INIT;
	size_t n;

	diag_init(&d);
	n = lex_tokens(&d, 1, text, len, &t);
	for (size_t i = 0; i < n; i++) {
		sb_add(&sb, text + t[i].begin, t[i].end - t[i].begin);
		seed = seed * 1103515245u + 12345u;
		sb_adds(&sb, t[i].kind == COMMENT ? "\n" : sep ? sep : seps[(seed >> 16) % ARRAY_SIZE(seps)]);
	}
	free(t);
	diag_release(&d);
	return sb_detach(&sb, NULL);
}

static void check_text(const char *path, const char *text)
{
	char *want = dump_of(text, strlen(text)), *once, *twice, *got;

	if (!want)
		return; /* a golden file with errors on purpose */
	once = fmt(text);
	ck_assert_msg(once != NULL, "fmt failed on %s", path);
	got = dump_of(once, strlen(once));
	ck_assert_msg(got && !strcmp(got, want), "fmt changed the tree of %s", path);
	ck_assert_msg(!strstr(once, " \n") && !strstr(once, "\t\n") && !strstr(once, "\r\n") &&
			      !strstr(once, "\n\n\n"),
		      "trailing space, tab, CR or two blank lines in the layout of %s", path);
	ck_assert_msg(!*once || once[strlen(once) - 1] == '\n', "no final newline for %s", path);
	twice = fmt(once);
	ck_assert_msg(twice && !strcmp(once, twice), "fmt is not idempotent on %s:\n%s", path, once);
	free(got);
	free(twice);
	free(once);
	free(want);
}

static int nfiles;

static void check_file(const char *path)
{
	char *text, *flat, *tall;
	size_t len;

	ck_assert_msg(read_file(path, &text, &len) == 0, "cannot read %s", path);
	check_text(path, text);
	flat = rejoin(text, len, " ");
	check_text(path, flat);
	tall = rejoin(text, len, "\n");
	check_text(path, tall);
	free(tall);
	tall = rejoin(text, len, NULL);
	check_text(path, tall);
	free(tall);
	free(flat);
	free(text);
	nfiles++;
}

static void walk(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;

	ck_assert_msg(dp != NULL, "cannot open %s", dir);
	while ((e = readdir(dp))) {
		char *p;
		struct stat st;
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		p = path_join(dir, e->d_name);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			walk(p);
		else if (n > 5 && !strcmp(e->d_name + n - 5, ".cpol"))
			check_file(p);
		free(p);
	}
	closedir(dp);
}

START_TEST(test_tree)
{
	const char *src = getenv("CPOLC_SRCDIR");
	static const char *const dirs[] = {"stdlib", "examples", "tests/golden", "bench"};

	if (!src)
		src = "..";
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char *p = path_join(src, dirs[i]);
		walk(p);
		free(p);
	}
	ck_assert_int_ge(nfiles, 15);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fmt");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_spacing);
	tcase_add_test(tc, test_blocks);
	tcase_add_test(tc, test_breaks);
	tcase_add_test(tc, test_comments);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_diff);
	tcase_add_test(tc, test_tree);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
