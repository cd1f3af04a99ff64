/* check_bc.c - the .cpolb format and its verifier: round trips, every
 * truncation, random mutations, and one hand-made bad block per rule. */
#include "config.h"

#include "vmtest.h"

static const char module_src[] =
	"const limit = 3 * 10;\n"
	"fragment tls(min) {\n"
	"  include \"openssl\" >= min;\n"
	"}\n"
	"policy \"web\" {\n"
	"  include \"busybox\";\n"
	"  use tls(\"3.0\");\n"
	"  let n = len(input.tags ?? []);\n"
	"  if input.env == \"prod\" { exclude \"strace\"; } else { include \"strace\"; }\n"
	"  env N = string(n + limit);\n"
	"  cmd [t for t in input.tags ?? [] if t != \"x\"];\n"
	"  warn \"many\" when n > 2 && any t in input.tags : startswith(t, \"a\");\n"
	"  deny \"size\" when sum([p.size for p in selected]) > limit;\n"
	"  admit p if p.scan.critical == 0;\n"
	"  file \"/etc/n\" = \"n=\" + string(n) mode 0o600;\n"
	"}\n"
	"policy \"other\" { base \"debian\" >= \"12\"; }\n";

static char *save(const struct bc_program *p, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;

	bc_save(p, &sb);
	return sb_detach(&sb, len);
}

static char *disasm(const struct bc_program *p)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	ck_assert_ptr_nonnull(f);
	bc_disasm(p, f);
	fclose(f);
	return text;
}

static struct bc_program *compiled(struct diag *d)
{
	struct bc_program *p = vt_compile(module_src, NULL, d);

	ck_assert_msg(p != NULL, "%s", vt_first_error(d));
	return p;
}

START_TEST(test_roundtrip)
{
	struct diag d;
	struct bc_program *p, *q;
	char *a, *b, *ta, *tb;
	size_t na, nb;

	diag_init(&d);
	p = compiled(&d);
	a = save(p, &na);
	ck_assert(bc_is_module(a, na));
	q = bc_load(a, na, "m.cpolb", &d);
	ck_assert_msg(q != NULL, "%s", vt_first_error(&d));
	b = save(q, &nb);
	ck_assert_uint_eq(na, nb);
	ck_assert(!memcmp(a, b, na));
	ta = disasm(p);
	tb = disasm(q);
	ck_assert_str_eq(ta, tb);
	ck_assert_uint_eq(q->npolicies, 2);
	ck_assert_str_eq(q->files[0].path, "t.cpol");
	ck_assert_uint_eq(strlen(q->files[0].digest), 64);
	free(a);
	free(b);
	free(ta);
	free(tb);
	bc_free(p);
	bc_free(q);
	diag_release(&d);
}
END_TEST

START_TEST(test_truncation)
{
	struct diag d;
	struct bc_program *p;
	char *data;
	size_t n;

	diag_init(&d);
	p = compiled(&d);
	data = save(p, &n);
	for (size_t len = 0; len < n; len++) {
		size_t before = d.nerrors;
		struct bc_program *q = bc_load(data, len, "cut.cpolb", &d);
		ck_assert_msg(q == NULL, "a module cut to %zu of %zu bytes loaded", len, n);
		ck_assert_uint_gt(d.nerrors, before);
	}
	free(data);
	bc_free(p);
	diag_release(&d);
}
END_TEST

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Load, and when it loads, run both phases on a request. */
static bool load_and_run(const char *data, size_t n, json_t *req, struct diag *d)
{
	struct bc_program *q = bc_load(data, n, "mut.cpolb", d);
	struct vm *vm;

	if (!q)
		return false;
	vm = vm_new();
	vm_set_limits(vm, 100000, 64u << 20); /* a mutated jump may loop forever */
	for (size_t i = 0; i < q->npolicies; i++) {
		struct decision dec;
		decision_init(&dec);
		if (vm_select(vm, q, q->policies[i].name, req, &dec, d) == 0)
			vm_check(vm, &dec, false, d);
		decision_release(&dec);
	}
	vm_free(vm);
	bc_free(q);
	return true;
}

START_TEST(test_mutations)
{
	struct diag d;
	struct bc_program *p;
	char *data, *copy;
	size_t n, loaded = 0, rejected = 0;
	json_t *req = vt_json("{\"env\": \"prod\", \"tags\": [\"a1\", \"x\", \"a2\"]}");

	diag_init(&d);
	p = compiled(&d);
	data = save(p, &n);
	copy = xmalloc(n);
	ck_assert(load_and_run(data, n, req, &d));
	for (int i = 0; i < 400; i++) {
		int nmut = 1 + (int)(next_rand() % 3);
		memcpy(copy, data, n);
		for (int k = 0; k < nmut; k++) {
			size_t at = BC_MAGIC_LEN + 4 + next_rand() % (n - BC_MAGIC_LEN - 4);
			if (next_rand() % 2)
				copy[at] ^= (char)(1u << (next_rand() % 8));
			else
				copy[at] = (char)next_rand();
		}
		if (load_and_run(copy, n, req, &d))
			loaded++;
		else
			rejected++;
	}
	/* Both outcomes happen: the run is exercised, and so is the verifier. */
	ck_assert_uint_gt(loaded, 20);
	ck_assert_uint_gt(rejected, 100);
	ck_assert_uint_eq(loaded + rejected, 400);
	free(copy);
	free(data);
	bc_free(p);
	json_decref(req);
	diag_release(&d);
}
END_TEST

/* A program of one block of `kind` holding code[0..n), with nlocals slots,
 * a policy block 0 (closing over it when kind is not BC_POLICY), and the
 * constants "s" and 7. Verify it and return the first error, or "". */
static const char *verify_code(enum bc_block_kind kind, uint32_t nlocals, const uint32_t *code, size_t n,
			       const uint32_t *caps, uint32_t ncaps)
{
	static char msg[512];
	struct bc_program *p = bc_new();
	struct bc_line l = {0, 1, 1};
	struct diag d;
	struct value v;
	uint32_t b0, b1;

	diag_init(&d);
	p->files = xcalloc(1, sizeof(*p->files));
	p->files[0].path = xstrdup("h.cpol");
	p->nfiles = 1;
	v = val_str("s", 1);
	bc_const(p, &v);
	v = val_int(7);
	bc_const(p, &v);
	b0 = bc_block_new(p, BC_POLICY);
	p->policies = xcalloc(1, sizeof(*p->policies));
	p->policies[0].name = xstrdup("p");
	p->policies[0].block = b0;
	p->npolicies = 1;
	if (kind == BC_POLICY) {
		for (size_t i = 0; i < n; i++)
			bc_emit(&p->blocks[b0], code[i], l);
		p->blocks[b0].nlocals = nlocals;
	} else {
		b1 = bc_block_new(p, kind);
		for (size_t i = 0; i < n; i++)
			bc_emit(&p->blocks[b1], code[i], l);
		p->blocks[b1].nlocals = nlocals;
		p->blocks[b1].captures = xcalloc(ncaps + 1, sizeof(uint32_t));
		if (ncaps)
			memcpy(p->blocks[b1].captures, caps, ncaps * sizeof(uint32_t));
		p->blocks[b1].ncaptures = ncaps;
		p->blocks[b0].nlocals = 2;
		if (kind == BC_ADMIT)
			bc_emit(&p->blocks[b0], BC_WORD(OP_ADMIT, b1), l);
		else {
			bc_emit(&p->blocks[b0], BC_WORD(OP_PUSHK, 0), l);
			bc_emit(&p->blocks[b0], BC_WORD(OP_DENY, b1), l);
		}
		bc_emit(&p->blocks[b0], BC_WORD(OP_HALT, 0), l);
	}
	msg[0] = '\0';
	if (bc_verify(p, "h.cpolb", &d) < 0)
		snprintf(msg, sizeof(msg), "%s", d.entries[0].message);
	else
		ck_assert_uint_eq(d.nerrors, 0);
	bc_free(p);
	diag_release(&d);
	return msg;
}

#define W(op, a) BC_WORD(OP_##op, a)
#define BAD(kind, nloc, want, ...)                                                                           \
	do {                                                                                                 \
		const uint32_t code_[] = {__VA_ARGS__};                                                      \
		const char *got_ = verify_code(kind, nloc, code_, ARRAY_SIZE(code_), NULL, 0);               \
		ck_assert_msg(strstr(got_, want) != NULL, "want '%s', got '%s'", want, got_);                \
	} while (0)
#define GOOD(kind, nloc, ...)                                                                                \
	do {                                                                                                 \
		const uint32_t code_[] = {__VA_ARGS__};                                                      \
		const char *got_ = verify_code(kind, nloc, code_, ARRAY_SIZE(code_), NULL, 0);               \
		ck_assert_msg(!*got_, "rejected: %s", got_);                                                 \
	} while (0)

START_TEST(test_verifier_rules)
{
	const uint32_t cap_ok[] = {1}, cap_bad[] = {5};
	const uint32_t ret_true[] = {W(PUSHTRUE, 0), W(RET, 0)};

	GOOD(BC_POLICY, 0, W(HALT, 0));
	GOOD(BC_POLICY, 3, W(PUSHK, 0), W(FORPREP, 0), W(FORNEXT, 0), 4, W(JMP, 2), W(HALT, 0));
	GOOD(BC_CHECK, 0, W(PUSHTRUE, 0), W(JF, 4), W(PUSHNULL, 0), W(POP, 0), W(SELECTED, 0), W(RET, 0));
	BAD(BC_POLICY, 0, "empty block");
	BAD(BC_POLICY, 0, "unknown opcode", 0xff, W(HALT, 0));
	BAD(BC_POLICY, 0, "takes no operand", W(HALT, 1));
	BAD(BC_POLICY, 0, "POP needs 1 values, the stack holds 0", W(POP, 0), W(HALT, 0));
	BAD(BC_POLICY, 0, "jump to 5 is not an instruction", W(JMP, 5), W(HALT, 0));
	BAD(BC_POLICY, 3, "jump to 3 is not an instruction", W(PUSHK, 0), W(FORPREP, 0), W(FORNEXT, 0), 3,
	    W(HALT, 0));
	BAD(BC_POLICY, 3, "instruction runs past the end", W(HALT, 0), W(FORNEXT, 0));
	BAD(BC_POLICY, 0, "stack depth 1 meets 0 at 3", W(PUSHTRUE, 0), W(JF, 3), W(PUSHNULL, 0), W(HALT, 0));
	BAD(BC_POLICY, 0, "falls off the end", W(PUSHNULL, 0), W(POP, 0));
	BAD(BC_POLICY, 0, "constant 99 of 2", W(PUSHK, 99), W(POP, 0), W(HALT, 0));
	BAD(BC_POLICY, 0, "field name is not a string", W(INPUT, 0), W(FIELD, 1), W(POP, 0), W(HALT, 0));
	BAD(BC_POLICY, 1, "slot 1 of 1", W(LOAD, 1), W(POP, 0), W(HALT, 0));
	BAD(BC_POLICY, 2, "slot 0 of 2", W(FORNEXT, 0), 2, W(HALT, 0));
	BAD(BC_POLICY, 0, "list of 3 values from a stack of 1", W(PUSHNULL, 0), W(MKLIST, 3), W(HALT, 0));
	BAD(BC_POLICY, 0, "unknown builtin 99", W(PUSHNULL, 0), W(CALL, 99), W(HALT, 0));
	BAD(BC_POLICY, 0, "needs 2 values", W(PUSHNULL, 0), W(CALL, BI_JOIN), W(HALT, 0));
	BAD(BC_POLICY, 0, "CFG with config key 3", W(PUSHNULL, 0), W(CFG, BC_CFG_ENV), W(HALT, 0));
	BAD(BC_POLICY, 0, "bad comparison 9", W(PUSHK, 0), W(PUSHK, 0), W(INCLUDEV, 9), W(HALT, 0));
	BAD(BC_POLICY, 0, "bad file mode", W(PUSHK, 0), W(PUSHK, 0), W(FILE, 010000), W(HALT, 0));
	BAD(BC_POLICY, 0, "bad file mode", W(PUSHK, 0), W(PUSHNULL, 0), W(DIRECTORY, 010000), W(HALT, 0));
	BAD(BC_POLICY, 0, "ACCOUNT needs 6 values", W(PUSHK, 0), W(PUSHK, 0), W(ACCOUNT, 0), W(HALT, 0));
	BAD(BC_CHECK, 0, "GROUP outside a policy block", W(PUSHK, 0), W(PUSHK, 0), W(GROUP, 0),
	    W(PUSHTRUE, 0), W(RET, 0));
	GOOD(BC_POLICY, 0, W(PUSHK, 0), W(PUSHNULL, 0), W(DIRECTORY, 01777), W(HALT, 0));
	BAD(BC_POLICY, 0, "RET in a policy block", W(PUSHTRUE, 0), W(RET, 0));
	BAD(BC_POLICY, 0, "SELECTED in a policy block", W(SELECTED, 0), W(POP, 0), W(HALT, 0));
	BAD(BC_POLICY, 0, "closure of block 0", W(ADMIT, 0), W(HALT, 0));
	BAD(BC_POLICY, 0, "closure of block 7", W(ADMIT, 7), W(HALT, 0));
	BAD(BC_CHECK, 0, "INCLUDE outside a policy block", W(PUSHK, 0), W(INCLUDE, 0), W(PUSHTRUE, 0),
	    W(RET, 0));
	BAD(BC_CHECK, 0, "HALT outside a policy block", W(HALT, 0));
	BAD(BC_CHECK, 0, "RET with 2 values", W(PUSHTRUE, 0), W(PUSHTRUE, 0), W(RET, 0));
	{
		static uint32_t deep[5000];
		for (size_t i = 0; i < ARRAY_SIZE(deep) - 1; i++)
			deep[i] = W(PUSHNULL, 0);
		deep[ARRAY_SIZE(deep) - 1] = W(HALT, 0);
		ck_assert_str_eq(verify_code(BC_POLICY, 0, deep, ARRAY_SIZE(deep), NULL, 0),
				 "invalid bytecode: block 0 word 4096: stack deeper than 4096");
	}
	ck_assert_str_eq(verify_code(BC_CHECK, 1, ret_true, 2, cap_ok, 1), "");
	ck_assert_str_eq(verify_code(BC_CHECK, 1, ret_true, 2, cap_bad, 1),
			 "invalid bytecode: block 0 word 1: block 1 captures slot 5 of 2");
	ck_assert_str_eq(verify_code(BC_ADMIT, 1, ret_true, 2, cap_ok, 1),
			 "invalid bytecode: block 1 word 0: captures do not fit in the locals");
}
END_TEST

START_TEST(test_bad_headers)
{
	struct diag d;
	char buf[64];

	diag_init(&d);
	ck_assert_ptr_null(bc_load("nope", 4, "x.cpolb", &d));
	ck_assert_str_eq(d.entries[0].message, "not a cpolc bytecode module");
	memcpy(buf, BC_MAGIC, BC_MAGIC_LEN);
	memcpy(buf + BC_MAGIC_LEN, "\x09\0\0\0", 4);
	ck_assert_ptr_null(bc_load(buf, BC_MAGIC_LEN + 4, "x.cpolb", &d));
	ck_assert_str_eq(d.entries[1].message, "unsupported bytecode format version 9 (this cpolc reads 3)");
	/* a file count far beyond the data */
	memcpy(buf + BC_MAGIC_LEN, "\x03\0\0\0\xff\xff\xff\x7f", 8);
	ck_assert_ptr_null(bc_load(buf, BC_MAGIC_LEN + 8, "x.cpolb", &d));
	ck_assert_str_eq(d.entries[2].message, "corrupt bytecode module at byte 16: bad file count");
	diag_release(&d);
}
END_TEST

START_TEST(test_print_opcodes)
{
	char *text = NULL, *line, *save = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	int i = -2;

	ck_assert_ptr_nonnull(f);
	bc_print_opcodes(f);
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		char want[64];
		if (i == -2) {
			ck_assert_str_eq(line, "; cpolc bytecode, format 3: 68 opcodes");
			continue;
		}
		if (i == -1) {
			ck_assert_str_eq(line, " op  name      operand   stack       effect");
			continue;
		}
		ck_assert_int_lt(i, OP__COUNT);
		snprintf(want, sizeof(want), "%3d  %-9s ", i, bc_ops[i].name);
		ck_assert_msg(!strncmp(line, want, strlen(want)), "line of opcode %d: %s", i, line);
		ck_assert_str_eq(line + strlen(line) - strlen(bc_ops[i].doc), bc_ops[i].doc);
		if (i == OP_MKLIST)
			ck_assert_str_eq(
				line,
				" 13  MKLIST    number    A -> 1      pop A values, push the list of them");
		if (i == OP_CALL)
			ck_assert_ptr_nonnull(strstr(line, " builtin   arity -> 1  pop the arguments"));
		if (i == OP_FORNEXT)
			ck_assert_ptr_nonnull(strstr(line, " slot+jump 0 -> 0 "));
		if (i == OP_INCLUDEV)
			ck_assert_ptr_nonnull(strstr(line, " number    2 -> 0 "));
	}
	ck_assert_int_eq(i, OP__COUNT);
	free(text);
}
END_TEST

/* tests/golden/cpolb: a module committed as bytes (see opcodes.cpol). */
static char *golden_path(const char *name)
{
	const char *src = getenv("CPOLC_SRCDIR");

	return xasprintf("%s/tests/golden/cpolb/%s", src ? src : "..", name);
}

static char *golden_read(const char *name, size_t *len)
{
	char *path = golden_path(name), *data;

	ck_assert_msg(read_file(path, &data, len) == 0, "cannot read %s", path);
	free(path);
	return data;
}

/* Each policy's decision as `cpolc eval --policy P` prints it. */
static char *golden_decisions(const struct bc_program *p, const json_t *req)
{
	struct strbuf sb = STRBUF_INIT;
	struct vm *vm = vm_new();

	for (size_t i = 0; i < p->npolicies; i++) {
		struct decision dec;
		struct diag d;
		json_t *j;
		char *s;
		diag_init(&d);
		decision_init(&dec);
		ck_assert_int_eq(vm_select(vm, p, p->policies[i].name, req, &dec, &d), 0);
		ck_assert_msg(vm_check(vm, &dec, false, &d) == 0, "%s", vt_first_error(&d));
		j = decision_to_json(&dec);
		s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		sb_addf(&sb, "%s\n", s);
		free(s);
		json_decref(j);
		decision_release(&dec);
		diag_release(&d);
	}
	vm_free(vm);
	return sb_detach(&sb, NULL);
}

/* Fail at the first line where got and want differ (whole texts are too
 * long for a Check message). */
static void expect_text(const char *got, const char *want, const char *what)
{
	size_t line = 1, i = 0, start = 0;

	while (got[i] && got[i] == want[i]) {
		if (got[i++] == '\n') {
			line++;
			start = i;
		}
	}
	ck_assert_msg(got[i] == want[i], "%s differs at line %zu: got '%.80s', want '%.80s'", what, line,
		      got + start, want + start);
}

START_TEST(test_golden_module)
{
	struct diag d;
	struct bc_program *p, *q;
	char *gold, *src, *want, *got, *now;
	size_t ngold, nsrc, nwant, nnow, at;
	json_t *req;
	json_error_t jerr;
	char *reqpath = golden_path("opcodes.json");

	diag_init(&d);
	gold = golden_read("opcodes.cpolb", &ngold);
	src = golden_read("opcodes.cpol", &nsrc);
	want = golden_read("opcodes.out", &nwant);
	req = json_load_file(reqpath, 0, &jerr);
	ck_assert_msg(req != NULL, "%s: %s", reqpath, jerr.text);

	/* today's VM reads the committed module and decides as it did */
	p = bc_load(gold, ngold, "opcodes.cpolb", &d);
	ck_assert_msg(p != NULL, "%s", vt_first_error(&d));
	ck_assert_uint_eq(p->npolicies, 4);
	got = golden_decisions(p, req);
	expect_text(got, want, "the decisions of opcodes.cpolb");

	/* today's compiler writes the very same bytes for the source */
	vt_chdir_tmp();
	vt_write("opcodes.cpol", src);
	q = comp_load("opcodes.cpol", NULL, NULL, &d);
	ck_assert_msg(q != NULL, "%s", vt_first_error(&d));
	{
		struct strbuf sb = STRBUF_INIT;
		bc_save(q, &sb);
		now = sb_detach(&sb, &nnow);
	}
	for (at = 0; at < ngold && at < nnow && gold[at] == now[at]; at++)
		;
	ck_assert_msg(at == ngold && at == nnow,
		      "bc_save of opcodes.cpol differs from opcodes.cpolb at byte %zu (%zu and %zu bytes): "
		      "see tests/golden/cpolb/opcodes.cpol",
		      at, nnow, ngold);
	free(now);
	bc_free(q);

	/* the checks that read `selected` run too, with an empty selection */
	{
		struct vm *vm = vm_new();
		struct decision dec;
		decision_init(&dec);
		ck_assert_int_eq(vm_select(vm, p, "opcodes", req, &dec, &d), 0);
		ck_assert_int_eq(vm_check(vm, &dec, true, &d), 0);
		ck_assert_uint_eq(dec.ndenials, 1);
		ck_assert_str_eq(dec.denials[0].message, "too many");
		ck_assert_uint_eq(dec.nwarnings, 2);
		ck_assert_str_eq(dec.warnings[1].message, "tier paid of limit 9");
		ck_assert_uint_eq(dec.npending, 0);
		decision_release(&dec);
		vm_free(vm);
	}
	bc_free(p);
	json_decref(req);
	free(reqpath);
	free(gold);
	free(src);
	free(want);
	free(got);
	diag_release(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bc");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_truncation);
	tcase_add_test(tc, test_mutations);
	tcase_add_test(tc, test_verifier_rules);
	tcase_add_test(tc, test_bad_headers);
	tcase_add_test(tc, test_print_opcodes);
	tcase_add_test(tc, test_golden_module);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
