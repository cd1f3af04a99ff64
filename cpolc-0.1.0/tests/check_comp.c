/* check_comp.c - the compiler: constant folding, what gets compiled,
 * closures and their captures, the line table, imports, errors. */
#include "config.h"

#include "vmtest.h"

static bool has_string_const(const struct bc_program *p, const char *s)
{
	for (size_t i = 0; i < p->nconsts; i++)
		if (p->consts[i].type == VAL_STR && p->consts[i].len == strlen(s) &&
		    !memcmp(p->consts[i].u.s, s, p->consts[i].len))
			return true;
	return false;
}

static size_t count_op(const struct bc_program *p, enum bc_op op)
{
	size_t n = 0;

	for (size_t b = 0; b < p->nblocks; b++)
		for (uint32_t pc = 0; pc < p->blocks[b].ncode; pc++) {
			enum bc_op o = BC_OP(p->blocks[b].code[pc]);
			n += o == op;
			pc += bc_ops[o].kind == OPK_SJ;
		}
	return n;
}

static struct bc_program *must_compile(const char *src, const char *only, struct diag *d)
{
	struct bc_program *p = vt_compile(src, only, d);

	ck_assert_msg(p != NULL, "compile failed: %s", vt_first_error(d));
	return p;
}

START_TEST(test_const_folding)
{
	struct diag d;
	struct bc_program *p;
	const char *src = "const a = 2 * 3;\n"
			  "const b = [a, a + 1] + [len(\"xyz\")];\n"
			  "const v = version(\"1.0\");\n"
			  "const any_big = any x in b : x > 6;\n"
			  "policy \"p\" {\n"
			  "  label \"b\" = string(b);\n"
			  "  label \"c\" = string(any_big);\n"
			  "  include \"x\" >= v;\n"
			  "}\n";

	diag_init(&d);
	p = must_compile(src, NULL, &d);
	/* the consts are values in the pool; none of their code remains */
	ck_assert_uint_eq(count_op(p, OP_MUL), 0);
	ck_assert_uint_eq(count_op(p, OP_ADD), 0);
	ck_assert_uint_eq(count_op(p, OP_FORNEXT), 0);
	ck_assert_uint_eq(p->nblocks, 1);
	bool found_list = false, found_ver = false;
	for (size_t i = 0; i < p->nconsts; i++) {
		const struct value *v = &p->consts[i];
		if (v->type == VAL_LIST && v->len == 3 && v->u.items[0].u.i == 6 && v->u.items[1].u.i == 7 &&
		    v->u.items[2].u.i == 3)
			found_list = true;
		if (v->type == VAL_VER && !strcmp(v->u.s, "1.0"))
			found_ver = true;
	}
	ck_assert(found_list);
	ck_assert(found_ver);
	bc_free(p);
	diag_release(&d);
}
END_TEST

START_TEST(test_only_used_code)
{
	struct diag d;
	struct bc_program *p;
	const char *src = "const unused = \"unused-const\";\n"
			  "fragment never { include \"never-used\"; }\n"
			  "policy \"a\" { include \"in-a\"; }\n"
			  "policy \"b\" { include \"in-b\"; }\n";

	diag_init(&d);
	p = vt_compile("fragment f(n) { env X = n; }\n"
		       "fragment never { include \"never-used\"; }\n"
		       "const unused = \"unused-const\";\n"
		       "policy \"a\" { include \"in-a\"; use f(\"one\"); use f(\"two\"); }\n"
		       "policy \"b\" { include \"in-b\"; }\n",
		       "b", &d);
	ck_assert_msg(p != NULL, "%s", vt_first_error(&d));
	ck_assert_uint_eq(p->npolicies, 1);
	ck_assert_str_eq(p->policies[0].name, "b");
	ck_assert(has_string_const(p, "in-b"));
	ck_assert(!has_string_const(p, "in-a"));
	ck_assert(!has_string_const(p, "never-used"));
	ck_assert(!has_string_const(p, "unused-const"));
	bc_free(p);

	/* all policies; the fragment is expanded at each use */
	p = vt_compile("fragment f(n) { env X = n; }\n"
		       "fragment never { include \"never-used\"; }\n"
		       "policy \"a\" { include \"in-a\"; use f(\"one\"); use f(\"two\"); }\n"
		       "policy \"b\" { include \"in-b\"; }\n",
		       NULL, &d);
	ck_assert_msg(p != NULL, "%s", vt_first_error(&d));
	ck_assert_uint_eq(p->npolicies, 2);
	ck_assert_uint_eq(count_op(p, OP_CFGKV), 2);
	ck_assert(has_string_const(p, "in-a") && has_string_const(p, "one") && has_string_const(p, "two"));
	ck_assert(!has_string_const(p, "never-used"));
	bc_free(p);

	ck_assert_ptr_null(vt_compile(src, "zz", &d));
	ck_assert_str_eq(d.entries[d.nentries - 1].message, "no policy 'zz'; policies: 'a', 'b'");
	diag_release(&d);
}
END_TEST

START_TEST(test_closures)
{
	struct diag d;
	struct bc_program *p;
	const struct bc_block *b;

	diag_init(&d);
	p = must_compile("fragment lim(n) {\n"
			 "  let m = 2;\n"
			 "  deny \"x\" when n > m && n > m;\n"
			 "}\n"
			 "policy \"p\" {\n"
			 "  let unused_here = 1;\n"
			 "  use lim(input.n);\n"
			 "  admit c if c.size < unused_here;\n"
			 "  warn \"w\";\n"
			 "}\n",
			 NULL, &d);
	ck_assert_uint_eq(p->nblocks, 4);
	/* deny: captures n and m once each, in order of appearance */
	b = &p->blocks[1];
	ck_assert_int_eq(b->kind, BC_CHECK);
	ck_assert_uint_eq(b->ncaptures, 2);
	ck_assert_uint_eq(b->captures[0], 1); /* n: slot 1 after unused_here */
	ck_assert_uint_eq(b->captures[1], 2); /* m */
	ck_assert(!b->reads_selected);
	/* admit: one capture, the candidate after it */
	b = &p->blocks[2];
	ck_assert_int_eq(b->kind, BC_ADMIT);
	ck_assert_uint_eq(b->ncaptures, 1);
	ck_assert_uint_eq(b->captures[0], 0);
	ck_assert_uint_eq(b->nlocals, 2);
	/* warn without `when`: a block that returns true */
	b = &p->blocks[3];
	ck_assert_uint_eq(b->ncode, 2);
	ck_assert_int_eq(BC_OP(b->code[0]), OP_PUSHTRUE);
	bc_free(p);
	diag_release(&d);
}
END_TEST

START_TEST(test_line_table)
{
	struct diag d;
	struct bc_program *p;
	const struct bc_block *b;
	char where[128];
	bool saw_include = false;

	diag_init(&d);
	p = must_compile("policy \"p\" {\n  platform \"linux/arm64\";\n\n    include \"busybox\";\n}\n", NULL,
			 &d);
	b = &p->blocks[0];
	for (uint32_t pc = 0; pc < b->ncode; pc++) {
		ck_assert_uint_eq(b->lines[pc].file, 0);
		ck_assert_uint_gt(b->lines[pc].line, 0);
		if (BC_OP(b->code[pc]) == OP_INCLUDE) {
			bc_where(p, b, pc, where, sizeof(where));
			ck_assert_str_eq(where, "t.cpol:4:5");
			saw_include = true;
		}
	}
	ck_assert(saw_include);
	ck_assert_int_eq(BC_OP(b->code[b->ncode - 1]), OP_HALT);
	bc_free(p);
	diag_release(&d);
}
END_TEST

START_TEST(test_imports)
{
	struct diag d;
	struct bc_program *p;
	struct vm *vm;
	struct decision dec;

	diag_init(&d);
	vt_chdir_tmp();
	vt_write("lib.cpol",
		 "const port = 8000 + 80;\nfragment web(p) { env WEB = p; env PORT = string(port); }\n");
	vt_write("main.cpol", "import \"./lib.cpol\" as lib;\nimport \"security\";\n"
			      "policy \"m\" {\n  use security.nonroot;\n  use lib.web(\"x\");\n"
			      "  env P2 = string(lib.port + 1);\n}\n");
	p = comp_load("main.cpol", NULL, NULL, &d);
	ck_assert_msg(p != NULL, "%s", vt_first_error(&d));
	ck_assert_uint_eq(p->nfiles, 3);
	ck_assert_str_eq(p->files[0].path, "main.cpol");
	vm = vm_new();
	decision_init(&dec);
	ck_assert_int_eq(vm_select(vm, p, NULL, NULL, &dec, &d), 0);
	ck_assert_str_eq(json_string_value(json_object_get(dec.config, "User")), "65532");
	char *env = json_dumps(json_object_get(dec.config, "Env"), JSON_COMPACT);
	ck_assert_str_eq(env, "[\"WEB=x\",\"PORT=8080\",\"P2=8081\"]");
	free(env);
	decision_release(&dec);
	vm_free(vm);
	bc_free(p);
	diag_release(&d);
}
END_TEST

START_TEST(test_const_errors)
{
	struct diag d;

	diag_init(&d);
	ck_assert_ptr_null(
		vt_compile("const z = 1 / (2 - 2);\npolicy \"p\" { env X = string(z); }\n", NULL, &d));
	ck_assert_uint_gt(d.nerrors, 0);
	ck_assert_msg(strstr(vt_first_error(&d), "t.cpol:1:") &&
			      strstr(vt_first_error(&d), "division by zero"),
		      "%s", vt_first_error(&d));
	diag_release(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("comp");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_const_folding);
	tcase_add_test(tc, test_only_used_code);
	tcase_add_test(tc, test_closures);
	tcase_add_test(tc, test_line_table);
	tcase_add_test(tc, test_imports);
	tcase_add_test(tc, test_const_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
