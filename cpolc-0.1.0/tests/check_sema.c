/* check_sema.c - module loading and semantic analysis. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ast.h"
#include "diag.h"
#include "module.h"
#include "sema.h"
#include "util.h"

static char tmpdir[64];

static void setup(void)
{
	strcpy(tmpdir, "/tmp/cpolc-sema-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static char *put(const char *name, const char *text)
{
	char *path = path_join(tmpdir, name);
	ck_assert_int_eq(write_file_atomic(path, text, strlen(text), 0644), 0);
	return path;
}

struct loaded {
	struct diag d;
	struct program p;
	int rc;
};

static void load(struct loaded *l, const char *name, const char *text)
{
	char *path = put(name, text);
	struct program_opts o = {0};

	diag_init(&l->d);
	program_init(&l->p);
	l->rc = program_load(&l->p, path, &o, &l->d);
	free(path);
}

static void unload(struct loaded *l)
{
	program_release(&l->p);
	diag_release(&l->d);
}

static size_t count_rule(const struct loaded *l, const char *rule)
{
	size_t n = 0;

	for (size_t i = 0; i < l->d.nentries; i++)
		if (l->d.entries[i].rule && !strcmp(l->d.entries[i].rule, rule))
			n++;
	return n;
}

/* src must give exactly one error, with this rule. */
static void expect_rule(const char *src, const char *rule)
{
	struct loaded l;

	load(&l, "e.cpol", src);
	ck_assert_msg(l.d.nerrors == 1 && count_rule(&l, rule) == 1, "%s: %zu errors, first '%s' [%s]", src,
		      l.d.nerrors, l.d.nentries ? l.d.entries[0].message : "",
		      l.d.nentries && l.d.entries[0].rule ? l.d.entries[0].rule : "");
	ck_assert_int_eq(l.rc, -1);
	unload(&l);
}

static void expect_clean(const char *src)
{
	struct loaded l;

	load(&l, "c.cpol", src);
	ck_assert_msg(l.d.nerrors == 0, "%s: %s", src, l.d.nentries ? l.d.entries[0].message : "");
	ck_assert_int_eq(l.rc, 0);
	unload(&l);
}

static struct ast *policy_stmt(struct loaded *l, size_t i)
{
	struct ast **pol;

	ck_assert_uint_ge(program_policies(&l->p, &pol), 1);
	return pol[0]->kids.v[i];
}

START_TEST(test_resolution)
{
	struct loaded l;
	struct ast *let, *use, *deny, *frag, *c;

	load(&l, "r.cpol",
	     "const limit = 10;\n"
	     "fragment f(v) { include \"x\" >= v; }\n"
	     "policy \"p\" {\n"
	     "  let n = input.count ?? limit;\n"
	     "  use f(\"1\");\n"
	     "  deny \"big\" when sum([q.size for q in selected]) > n;\n"
	     "}\n");
	ck_assert_uint_eq(l.d.nerrors, 0);
	c = l.p.mods[0]->root->kids.v[0];
	frag = l.p.mods[0]->root->kids.v[1];
	let = policy_stmt(&l, 0);
	use = policy_stmt(&l, 1);
	deny = policy_stmt(&l, 2);
	ck_assert_ptr_eq(let->a->b->ref, c);
	ck_assert_int_eq(c->used, 1);
	ck_assert_int_eq(let->used, 1);
	ck_assert(let->a->reads_input);
	ck_assert(!let->a->reads_selected);
	ck_assert_ptr_eq(use->ref, frag);
	ck_assert_ptr_eq(frag->kids.v[0]->a->ref, frag->params.v[0]);
	/* sum(...) > n */
	ck_assert_int_eq(deny->a->a->num, BUILTIN_SUM);
	ck_assert_ptr_eq(deny->a->b->ref, let);
	ck_assert(deny->a->reads_selected);
	ck_assert(deny->a->reads_input);
	/* q.size inside the comprehension refers to the comprehension */
	ck_assert_ptr_eq(deny->a->a->kids.v[0]->a->a->ref, deny->a->a->kids.v[0]);
	ck_assert_ptr_eq(l.p.mods[0]->root->mod, l.p.mods[0]);
	ck_assert_ptr_eq(c->mod, l.p.mods[0]);
	unload(&l);
}
END_TEST

START_TEST(test_imports)
{
	struct loaded l;
	struct ast *cfg, *use, *imp;

	free(put("lib.cpol", "const port = \"8080/tcp\";\nfragment nr { user \"65532\"; }\n"));
	free(put("other.cpol", "import \"./lib.cpol\" as l2;\nconst z = l2.port;\n"));
	load(&l, "main.cpol",
	     "import \"./lib.cpol\" as lib;\nimport \"./other.cpol\" as o;\n"
	     "policy \"p\" { use lib.nr; env PORT = lib.port; env Z = o.z; }\n");
	ck_assert_msg(l.d.nerrors == 0, "%s", l.d.nentries ? l.d.entries[0].message : "");
	/* lib.cpol is parsed once although imported twice */
	ck_assert_uint_eq(l.p.nmods, 3);
	imp = l.p.mods[0]->root->kids.v[0];
	ck_assert_ptr_eq(imp->ref, l.p.mods[0]->imports[0]->root);
	ck_assert_int_eq(imp->used, 2);
	use = policy_stmt(&l, 0);
	ck_assert_str_eq(use->ref->str, "nr");
	cfg = policy_stmt(&l, 1);
	/* lib.port was rewritten into a resolved name */
	ck_assert_int_eq(cfg->a->kind, AST_NAME);
	ck_assert_str_eq(cfg->a->str, "port");
	ck_assert_ptr_nonnull(cfg->a->ref);
	ck_assert_int_eq(cfg->a->ref->kind, AST_CONST);
	ck_assert_ptr_null(cfg->a->a);
	unload(&l);

	/* the same file under another name (a symlink) is still parsed once */
	{
		char *target = path_join(tmpdir, "lib.cpol"), *link = path_join(tmpdir, "alias.cpol");
		ck_assert_int_eq(symlink(target, link), 0);
		load(&l, "sym.cpol",
		     "import \"./lib.cpol\" as a;\nimport \"./alias.cpol\" as b;\n"
		     "policy \"p\" { use a.nr; use b.nr; }\n");
		ck_assert_uint_eq(l.d.nerrors, 0);
		ck_assert_uint_eq(l.p.nmods, 2);
		unload(&l);
		free(target);
		free(link);
	}
}
END_TEST

START_TEST(test_import_errors)
{
	struct loaded l;

	free(put("a.cpol", "import \"./b.cpol\" as b;\n"));
	free(put("b.cpol", "import \"./a.cpol\" as a;\n"));
	load(&l, "m.cpol", "import \"./a.cpol\" as a;\n");
	ck_assert_uint_eq(count_rule(&l, "import-cycle"), 1);
	ck_assert_msg(strstr(l.d.entries[0].message, "a.cpol -> ") &&
			      strstr(l.d.entries[0].message, "b.cpol -> "),
		      "%s", l.d.entries[0].message);
	unload(&l);
	/* a module that imports itself */
	expect_rule("import \"./e.cpol\" as me;", "import-cycle");
	expect_rule("import \"./nothere.cpol\" as x;", "import");
	expect_rule("import \"./x.cpol\";", "import");
	expect_rule("import \"no_such_module\";", "import");
	expect_rule("import \"bad name\";", "import");
}
END_TEST

START_TEST(test_stdlib_path)
{
	struct loaded l;
	struct program_opts o = {0};
	char *path, *dir, *env;

	dir = path_join(tmpdir, "std");
	ck_assert_int_eq(mkdir_p(dir, 0755), 0);
	free(put("std/mylib.cpol", "fragment f { include \"x\"; }\n"));
	path = put("u.cpol", "import \"mylib\";\nimport \"security\";\npolicy \"p\" { use mylib.f; use "
			     "security.nonroot; }\n");
	diag_init(&l.d);
	program_init(&l.p);
	o.stdlib_dir = dir;
	ck_assert_int_eq(program_load(&l.p, path, &o, &l.d), 0);
	ck_assert_str_eq(l.p.mods[1]->name, "mylib");
	unload(&l);

	/* the same through CPOL_PATH */
	env = xasprintf("/nonexistent:%s", dir);
	setenv("CPOL_PATH", env, 1);
	diag_init(&l.d);
	program_init(&l.p);
	o.stdlib_dir = NULL;
	ck_assert_int_eq(program_load(&l.p, path, &o, &l.d), 0);
	unsetenv("CPOL_PATH");
	unload(&l);
	free(env);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_unreadable)
{
	struct loaded l;
	struct program_opts o = {0};
	char *path = path_join(tmpdir, "missing.cpol");

	diag_init(&l.d);
	program_init(&l.p);
	ck_assert_int_eq(program_load(&l.p, path, &o, &l.d), -2);
	ck_assert_int_eq(program_load(&l.p, tmpdir, &o, &l.d), -2);
	ck_assert_uint_eq(l.d.nerrors, 2);
	unload(&l);
	free(path);
}
END_TEST

START_TEST(test_errors)
{
	expect_rule("policy \"p\" { user q; }", "unknown-name");
	expect_rule("policy \"p\" { use nothing; }", "unknown-name");
	expect_rule("policy \"p\" { let x = foo(1); }", "unknown-name");
	expect_rule("policy \"p\" { let x = len(1, 2); }", "arity");
	expect_rule("fragment f(a) { }\npolicy \"p\" { use f; }", "arity");
	expect_rule("fragment f { use g; }\nfragment g { use f; }", "fragment-recursion");
	expect_rule("fragment f { if true { use f; } }", "fragment-recursion");
	expect_rule("const a = 1;\nconst a = 2;", "duplicate");
	expect_rule("fragment a { }\nconst a = 2;", "duplicate");
	expect_rule("policy \"p\" { }\npolicy \"p\" { }", "duplicate");
	expect_rule("policy \"p\" { let x = 1; let x = 2; }", "duplicate");
	expect_rule("fragment f(a, a) { }", "duplicate");
	expect_rule("const a = b;\nconst b = 1;", "const-cycle");
	expect_rule("const a = a;", "const-cycle");
	expect_rule("const a = input.x;", "const-input");
	expect_rule("const a = len(selected);", "selected-scope");
	expect_rule("policy \"p\" { let s = selected; }", "selected-scope");
	expect_rule("policy \"p\" { include \"x\" >= selected; }", "selected-scope");
	expect_rule("policy \"p\" { if 1 { } }", "type");
	expect_rule("policy \"p\" { deny \"d\" when \"yes\"; }", "type");
	expect_rule("policy \"p\" { let x = true && 3; }", "type");
	expect_rule("policy \"p\" { let x = !\"s\"; }", "type");
	expect_rule("policy \"p\" { let x = 1 + \"s\"; }", "type");
	expect_rule("policy \"p\" { let x = 1 < \"s\"; }", "type");
	expect_rule("policy \"p\" { admit c if 5; }", "type");
	expect_rule("const a = 9223372036854775808;", "overflow");
	expect_rule("const a = 9223372036854775807 + 1;", "overflow");
	expect_rule("const a = 4611686018427387904 * 2;", "overflow");
	expect_rule("const a = 1 / (2 - 2);", "division-by-zero");
	expect_rule("policy \"p\" { let x = [y for y in [1] if y]; let z = y; }", "unknown-name");
	expect_rule("policy \"p\" { if true { let x = 1; } let y = x; }", "unknown-name");
	expect_rule("fragment f(a) { }\npolicy \"p\" { let y = a; }", "unknown-name");
}
END_TEST

START_TEST(test_clean)
{
	expect_clean("const a = -9223372036854775808;");
	expect_clean("const a = 1;\nconst b = a + 1;\nconst c = b * 64MiB;");
	expect_clean("policy \"p\" { admit c if c.scan.critical == 0 && len(selected) < 5; }");
	expect_clean("policy \"p\" { warn \"w\" when all p in selected : p.size < 10MB; }");
	expect_clean("policy \"p\" { let x = 1; if true { let x = 2; } }");
	expect_clean("policy \"p\" { let x = [n * 2 for n in [1, 2] if n > 1]; env X = string(x); }");
	expect_clean("fragment f(a, b) { label \"k\" = a + b; }\npolicy \"p\" { use f(\"1\", \"2\"); }");
	expect_clean("policy \"p\" { let v = version(\"1.0\") < \"2.0\"; deny \"x\" when v; }");
}
END_TEST

START_TEST(test_fold)
{
	struct loaded l;
	struct sema_value v;
	struct ast *root;

	load(&l, "f.cpol",
	     "const a = 6 * 7;\nconst b = a > 40 && !false;\nconst c = null ?? \"s\";\nconst d = \"b\" < "
	     "\"a\";\n");
	ck_assert_uint_eq(l.d.nerrors, 0);
	root = l.p.mods[0]->root;
	sema_fold(root->kids.v[0]->a, &v);
	ck_assert(v.known && v.type == SV_INT && v.i == 42);
	sema_fold(root->kids.v[1]->a, &v);
	ck_assert(v.known && v.type == SV_BOOL && v.i == 1);
	sema_fold(root->kids.v[2]->a, &v);
	ck_assert(v.known && v.type == SV_STRING && v.len == 1 && v.s[0] == 's');
	sema_fold(root->kids.v[3]->a, &v);
	ck_assert(v.known && v.type == SV_BOOL && v.i == 0);
	unload(&l);
	ck_assert_int_eq(sema_builtin_lookup("glob"), BUILTIN_GLOB);
	ck_assert_int_eq(sema_builtins[BUILTIN_JOIN].arity, 2);
	ck_assert_int_eq(sema_builtin_lookup("nope"), -1);
}
END_TEST

START_TEST(test_bad_utf8)
{
	struct loaded l;

	load(&l, "u.cpol", "const a = \"\xff\";");
	ck_assert_uint_eq(count_rule(&l, "encoding"), 1);
	ck_assert_uint_eq(l.d.entries[0].loc.begin, 11);
	ck_assert_int_eq(l.rc, -1);
	unload(&l);
}
END_TEST

static Suite *sema_suite(void)
{
	Suite *s = suite_create("sema");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_resolution);
	tcase_add_test(tc, test_imports);
	tcase_add_test(tc, test_import_errors);
	tcase_add_test(tc, test_stdlib_path);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_clean);
	tcase_add_test(tc, test_fold);
	tcase_add_test(tc, test_bad_utf8);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sema_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
