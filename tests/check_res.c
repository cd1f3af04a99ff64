/* check_res.c - the resolver over small hand-made catalogs, and the graph
 * printers. */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cat.h"
#include "decision.h"
#include "res.h"
#include "util.h"
#include "ver.h"

static char root[64];
static char *catdir;
static struct catset cs;
static struct decision dec;
static struct diag d;

static void put(const char *rel, const char *text)
{
	char *p = path_join(root, rel), *dir = path_dirname(p);

	ck_assert_int_eq(mkdir_p(dir, 0755), 0);
	ck_assert_int_eq(write_file_atomic(p, text, strlen(text), 0644), 0);
	free(dir);
	free(p);
}

/* Add name@version with extra metadata JSON (object members, no braces). */
static void prim(const char *name, const char *version, const char *members)
{
	char *mf = path_join(root, "meta.json"), *src = path_join(root, "m"), *json, *content;
	const char *paths[] = {src};
	struct cat_add_opts o = {
		.name = name, .version = version, .meta_file = mf, .paths = paths, .npaths = 1};
	struct diag dd;

	json = xasprintf("{%s}", members);
	content = xasprintf("%s %s", name, version);
	put("meta.json", json);
	put("m/f", content);
	diag_init(&dd);
	ck_assert_int_eq(cat_add(catdir, &o, &dd), 0);
	diag_release(&dd);
	free(json);
	free(content);
	free(mf);
	free(src);
}

static void setup(void)
{
	strcpy(root, "/tmp/cpolc-check-res-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	catdir = path_join(root, "cat");
	diag_init(&d);
	ck_assert_int_eq(cat_init(catdir, &d), 0);
	decision_init(&dec);
	dec.policy = xstrdup("web");
	dec.platform = xstrdup("linux/amd64");
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", root);

	decision_release(&dec);
	catset_release(&cs);
	diag_release(&d);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(catdir);
}

static void open_cat(void)
{
	const char *dirs[] = {catdir};

	ck_assert_int_eq(catset_open(&cs, dirs, 1, &d), 0);
}

static void req(const char *name, const char *op, const char *ver, const char *at)
{
	xgrow((void **)&dec.requests, &dec.caprequests, dec.nrequests + 1, sizeof(*dec.requests));
	dec.requests[dec.nrequests++] = (struct dec_request){xstrdup(name), op ? xstrdup(op) : NULL,
							     ver ? xstrdup(ver) : NULL, xstrdup(at), false};
}

static void excl(const char *name, const char *at)
{
	xgrow((void **)&dec.excludes, &dec.capexcludes, dec.nexcludes + 1, sizeof(*dec.excludes));
	dec.excludes[dec.nexcludes++] = (struct dec_exclude){xstrdup(name), xstrdup(at)};
}

/* "name=version(reason) ..." of the selection, and "from>to ..." of edges. */
static char *selection(void)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < dec.nselected; i++)
		sb_addf(&sb, "%s%s=%s", i ? " " : "", dec.selected[i].prim->name,
			dec.selected[i].prim->version);
	return sb_detach(&sb, NULL);
}

static char *edges(void)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < dec.nedges; i++)
		sb_addf(&sb, "%s%s>%s", i ? " " : "", dec.edges[i].from, dec.edges[i].to);
	return sb_detach(&sb, NULL);
}

/* All diagnostics as "path: message [rule]" lines. */
static char *messages(void)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < d.nentries; i++) {
		char *where = diag_where(&d, &d.entries[i]);
		sb_addf(&sb, "%s: %s [%s]\n", where ? where : "-", d.entries[i].message,
			d.entries[i].rule ? d.entries[i].rule : "");
		free(where);
	}
	return sb_detach(&sb, NULL);
}

#define expect_str(fn, want)                                                                                 \
	do {                                                                                                 \
		char *s_ = fn();                                                                             \
		ck_assert_str_eq(s_, want);                                                                  \
		free(s_);                                                                                    \
	} while (0)

#define expect_msg(want)                                                                                     \
	do {                                                                                                 \
		char *s_ = messages();                                                                       \
		ck_assert_msg(strstr(s_, want) != NULL, "wanted '%s' in:\n%s", want, s_);                    \
		free(s_);                                                                                    \
	} while (0)

static void fresh(void)
{
	decision_release(&dec);
	decision_init(&dec);
	dec.policy = xstrdup("web");
	dec.platform = xstrdup("linux/amd64");
	diag_release(&d);
	diag_init(&d);
}

START_TEST(test_chain_order)
{
	prim("app", "1.0", "\"depends\": [\"libssl3 (>= 3.0)\", \"libc6 (>= 2.34)\"]");
	prim("libssl3", "3.0.11", "\"depends\": [\"libc6 (>= 2.36)\"]");
	prim("libssl3", "3.1", "\"depends\": [\"libc6 (>= 2.36)\"]");
	prim("libc6", "2.36", "");
	prim("libc6", "2.35", "");
	prim("busybox", "1:1.35.0-4", "");
	open_cat();
	req("busybox", ">=", "1.35", "web.cpol:3:3");
	req("app", NULL, NULL, "web.cpol:4:3");
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), 0);
	expect_str(selection, "busybox=1:1.35.0-4 libc6=2.36 libssl3=3.1 app=1.0");
	expect_str(edges, "app>libc6 app>libssl3 libssl3>libc6");
	ck_assert_str_eq(dec.selected[0].reason, "include at web.cpol:3:3");
	ck_assert(dec.selected[0].requested);
	ck_assert_str_eq(dec.selected[1].reason, "dependency of app");
	ck_assert(!dec.selected[1].requested);
	ck_assert_ptr_nonnull(dec.selected[1].prim->meta); /* selected primitives are loaded */
	ck_assert_uint_eq(d.nerrors, 0);
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), 0); /* again: the same, not twice */
	expect_str(selection, "busybox=1:1.35.0-4 libc6=2.36 libssl3=3.1 app=1.0");
	expect_str(edges, "app>libc6 app>libssl3 libssl3>libc6");
}
END_TEST

START_TEST(test_constraints_platform)
{
	prim("tool", "3.0", "\"platform\": {\"os\": \"linux\", \"architecture\": \"arm64\"}");
	prim("tool", "2.5", "");
	prim("tool", "2.0", "\"platform\": {\"os\": \"linux\", \"architecture\": \"amd64\"}");
	prim("tool", "1.0", "");
	open_cat();
	req("tool", "<", "2.5", "p.cpol:1:1");
	req("tool", "!=", "1.0", "p.cpol:2:1");
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), 0);
	expect_str(selection, "tool=2.0");
}
END_TEST

static int fake_admit(void *ctx, const struct cat_prim *p, bool *ok, const char **failed_at, struct diag *dd)
{
	json_t *rec = cat_prim_record(p);
	json_t *crit = json_object_get(json_object_get(rec, "scan"), "critical");

	(*(int *)ctx)++;
	(void)dd;
	*ok = !(json_is_integer(crit) && json_integer_value(crit) > 0);
	*failed_at = "web.cpol:9:3";
	return 0;
}

START_TEST(test_admit)
{
	int calls = 0;

	prim("openssl", "3.1", "\"scan\": {\"critical\": 2}");
	prim("openssl", "3.0", "\"scan\": {\"critical\": 0}");
	prim("curl", "8", "\"depends\": [\"libcurl\"]");
	prim("libcurl", "8", "\"scan\": {\"critical\": 1}");
	open_cat();
	req("openssl", NULL, NULL, "web.cpol:5:3");
	ck_assert_int_eq(res_resolve(&cs, &dec, fake_admit, &calls, &d), 0);
	expect_str(selection, "openssl=3.0");
	ck_assert_int_eq(calls, 2);
	fresh();
	req("curl", NULL, NULL, "web.cpol:6:3");
	ck_assert_int_eq(res_resolve(&cs, &dec, fake_admit, &calls, &d), -1);
	expect_msg(
		"web.cpol:6:3: no eligible version for 'libcurl', needed by 'curl' (web -> curl -> libcurl) "
		"[no-eligible-version]");
	expect_msg("candidate libcurl: version 8 rejected by admit filter at web.cpol:9:3");
	ck_assert_uint_eq(dec.nselected, 0);
}
END_TEST

START_TEST(test_virtual_alternatives)
{
	prim("mailer", "1", "\"depends\": [\"default-mta | mail-transport-agent\", \"libgcc1 (>= 1:10)\"]");
	prim("postfix", "3.7", "\"provides\": [\"mail-transport-agent\"]");
	prim("exim4", "4.96", "\"provides\": [\"mail-transport-agent\"]");
	prim("libgcc-s1", "12.2.0", "\"provides\": [\"libgcc1 (= 1:12.2.0)\"]");
	prim("old-gcc", "9", "\"provides\": [\"libgcc1 (= 1:9)\"]");
	open_cat();
	req("mailer", NULL, NULL, "m.cpol:1:1");
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), 0);
	/* providers in name order: exim4 before postfix; old-gcc provides a too low version */
	expect_str(selection, "exim4=4.96 libgcc-s1=12.2.0 mailer=1");
	expect_str(edges, "mailer>exim4 mailer>libgcc-s1");
	fresh();
	req("mailer", NULL, NULL, "m.cpol:1:1");
	excl("exim4", "m.cpol:2:1");
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), 0);
	expect_str(selection, "libgcc-s1=12.2.0 postfix=3.7 mailer=1");
}
END_TEST

START_TEST(test_alternative_order)
{
	prim("app", "1", "\"depends\": [\"missing | libb (>= 2) | libc\"]");
	prim("libb", "1", "");
	prim("libc", "1", "");
	prim("libb", "2", "");
	open_cat();
	req("app", NULL, NULL, "a.cpol:1:1");
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), 0);
	expect_str(selection, "libb=2 app=1");
}
END_TEST

START_TEST(test_cycle)
{
	prim("hello", "2.10-3", "\"depends\": [\"libc6 (>= 2.34)\"]");
	prim("libc6", "2.36-9", "\"depends\": [\"libgcc-s1\"]");
	prim("libgcc-s1", "12.2.0-14", "\"depends\": [\"gcc-12-base (= 12.2.0-14)\", \"libc6 (>= 2.35)\"]");
	prim("gcc-12-base", "12.2.0-14", "");
	open_cat();
	req("hello", NULL, NULL, "h.cpol:1:1");
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), 0);
	expect_str(selection, "gcc-12-base=12.2.0-14 libc6=2.36-9 libgcc-s1=12.2.0-14 hello=2.10-3");
	expect_str(edges, "hello>libc6 libc6>libgcc-s1 libgcc-s1>gcc-12-base libgcc-s1>libc6");
}
END_TEST

START_TEST(test_conflict)
{
	prim("hello", "2.10-3", "\"conflicts\": [\"hello-traditional\"], \"breaks\": [\"old (<< 2)\"]");
	prim("hello-traditional", "1", "");
	prim("old", "1", "");
	prim("old", "2", "");
	prim("mta-a", "1", "\"provides\": [\"mta\"], \"conflicts\": [\"mta\"]");
	prim("mta-b", "1", "\"provides\": [\"mta\"], \"conflicts\": [\"mta\"]");
	open_cat();
	req("hello", NULL, NULL, "c.cpol:1:1");
	req("old", NULL, NULL, "c.cpol:2:1");
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), 0); /* old 2 is not broken */
	fresh();
	req("hello", NULL, NULL, "c.cpol:1:1");
	req("old", "<", "2", "c.cpol:2:1");
	req("hello-traditional", NULL, NULL, "c.cpol:3:1");
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), -1);
	expect_msg("c.cpol:1:1: 'hello' version 2.10-3 conflicts with 'hello-traditional' version 1 "
		   "(web -> hello; web -> hello-traditional) [conflict]");
	expect_msg("c.cpol:1:1: 'hello' version 2.10-3 conflicts with 'old' version 1");
	ck_assert_uint_eq(d.nerrors, 2);
	ck_assert_uint_eq(dec.nselected, 0);
	fresh();
	req("mta-a", NULL, NULL,
	    "c.cpol:4:1"); /* conflicting with a virtual name it provides itself is fine */
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), 0);
	fresh();
	req("mta-a", NULL, NULL, "c.cpol:4:1");
	req("mta-b", NULL, NULL, "c.cpol:5:1");
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), -1);
	ck_assert_uint_eq(d.nerrors, 2); /* each names the other */
}
END_TEST

START_TEST(test_excluded_dependency)
{
	prim("app", "1", "\"depends\": [\"libssl3\"]");
	prim("libssl3", "3", "");
	prim("strace", "6", "");
	open_cat();
	req("web-app", NULL, NULL, "w.cpol:1:1");
	req("app", NULL, NULL, "w.cpol:2:3");
	req("strace", NULL, NULL, "w.cpol:3:3");
	excl("libssl3", "w.cpol:9:5");
	excl("strace", "w.cpol:10:5");
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), -1);
	expect_msg("w.cpol:2:3: 'libssl3' is excluded but 'app' depends on it (web -> app -> libssl3) "
		   "[excluded-dependency]");
	expect_msg("w.cpol:9:5: excluded here");
	expect_msg("w.cpol:1:1: no primitive 'web-app' in the catalogs (web -> web-app) [missing-primitive]");
	ck_assert_uint_eq(d.nerrors, 2); /* the excluded include of strace is no error */
}
END_TEST

START_TEST(test_no_eligible_notes)
{
	prim("app", "1", "\"depends\": [\"libssl3 (>= 3.1)\"]");
	prim("libssl3", "3.0", "");
	prim("libssl3", "3.2", "\"platform\": {\"os\": \"linux\", \"architecture\": \"arm64\"}");
	open_cat();
	req("app", NULL, NULL, "w.cpol:2:3");
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), -1);
	expect_msg("no eligible version for 'libssl3 (>= 3.1)', needed by 'app' (web -> app -> libssl3)");
	expect_msg("candidate libssl3: version 3.2 is for linux/arm64, not linux/amd64");
	expect_msg("candidate libssl3: version 3.0 does not satisfy '>= 3.1' (app)");
}
END_TEST

START_TEST(test_later_constraint)
{
	prim("a", "2.0", "");
	prim("a", "1.0", "");
	prim("b", "1", "\"depends\": [\"a (<< 2)\"]");
	open_cat();
	req("a", NULL, NULL, "l.cpol:1:1");
	req("b", NULL, NULL, "l.cpol:2:1");
	/* a 2.0 is taken first; b's relation sends the search back to a 1.0 */
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), 0);
	expect_str(selection, "a=1.0 b=1");
	fresh();
	req("a", ">=", "2", "l.cpol:1:1");
	req("b", NULL, NULL, "l.cpol:2:1");
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), -1);
	expect_msg(
		"l.cpol:2:1: 'b' needs 'a (<< 2)' but version 2.0 of 'a' is already selected (web -> b -> a) "
		"[version-conflict]");
	ck_assert_uint_eq(d.nerrors, 1);
}
END_TEST

/* The highest version of app needs a library the admit filter rejects:
 * the next version of app, whose dependency is met, is taken instead. */
START_TEST(test_backtrack_admit)
{
	int calls = 0;

	prim("app", "2.0", "\"depends\": [\"libfoo (>= 3)\", \"libc\"]");
	prim("app", "1.0", "\"depends\": [\"libfoo (>= 2)\", \"libc\"]");
	prim("libfoo", "3", "\"scan\": {\"critical\": 1}");
	prim("libfoo", "2", "");
	prim("libc", "2", "");
	prim("libc", "1", "");
	prim("zz-tool", "1", "");
	prim("zz-tool", "2", "");
	open_cat();
	req("app", NULL, NULL, "b.cpol:1:1");
	req("zz-tool", NULL, NULL, "b.cpol:2:1");
	ck_assert_int_eq(res_resolve(&cs, &dec, fake_admit, &calls, &d), 0);
	expect_str(selection, "libc=2 libfoo=2 app=1.0 zz-tool=2");
	expect_str(edges, "app>libc app>libfoo");
	ck_assert_str_eq(dec.selected[1].reason, "dependency of app");
	ck_assert_uint_eq(d.nentries, 0);
}
END_TEST

/* A conflict between two selected primitives is cured by another version
 * of one of them; a dependency's version is tried before its dependent's. */
START_TEST(test_backtrack_conflict)
{
	prim("web", "2", "\"depends\": [\"tls\"]");
	prim("tls", "2", "\"conflicts\": [\"legacy (<< 2)\"]");
	prim("tls", "1", "");
	prim("legacy", "1", "");
	open_cat();
	req("web", NULL, NULL, "c.cpol:1:1");
	req("legacy", NULL, NULL, "c.cpol:2:1");
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), 0);
	expect_str(selection, "legacy=1 tls=1 web=2");
}
END_TEST

/* Unrelated choices made between the cause and the failure are kept: the
 * search jumps back to the choice that can cure it. */
START_TEST(test_backtrack_jumps)
{
	char name[16];
	int calls = 0;

	prim("app", "2", "\"depends\": [\"lib (>= 2)\"]");
	prim("app", "1", "\"depends\": [\"lib\"]");
	prim("lib", "2", "\"depends\": [\"missing\"]");
	prim("lib", "1", "");
	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "x%d", i);
		prim(name, "1", "");
		prim(name, "2", "");
		req(name, NULL, NULL, "j.cpol:2:1");
	}
	open_cat();
	req("app", NULL, NULL, "j.cpol:1:1");
	ck_assert_int_eq(res_resolve(&cs, &dec, fake_admit, &calls, &d), 0);
	expect_str(selection, "lib=1 app=1 x0=2 x1=2 x2=2 x3=2 x4=2 x5=2 x6=2 x7=2");
	/* undoing x7, x6, ... in turn would try 2^8 combinations first */
	ck_assert_int_lt(calls, 40);
}
END_TEST

START_TEST(test_exclude_overrides)
{
	prim("strace", "6", "");
	prim("busybox", "1", "");
	open_cat();
	req("strace", NULL, NULL, "e.cpol:1:1");
	req("busybox", NULL, NULL, "e.cpol:2:1");
	excl("strace", "e.cpol:3:1");
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), 0);
	expect_str(selection, "busybox=1");
}
END_TEST

START_TEST(test_graph)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	json_t *j;

	prim("hello", "2.10-3", "\"depends\": [\"libc6\"]");
	prim("libc6", "2.36", "");
	open_cat();
	req("hello", NULL, NULL, "h.cpol:1:1");
	ck_assert_int_eq(res_resolve(&cs, &dec, NULL, NULL, &d), 0);
	f = open_memstream(&buf, &len);
	res_graph_dot(&dec, f);
	fclose(f);
	ck_assert_str_eq(buf, "digraph \"web\" {\n"
			      "\trankdir=LR;\n"
			      "\tnode [shape=box, fontname=\"monospace\"];\n"
			      "\t\"libc6\" [label=\"libc6\\n2.36\"];\n"
			      "\t\"hello\" [label=\"hello\\n2.10-3\", style=bold, penwidth=2];\n"
			      "\t\"hello\" -> \"libc6\";\n"
			      "}\n");
	if (access("/usr/bin/dot", X_OK) == 0) {
		char *cmd, *dotfile = path_join(root, "g.dot");
		put("g.dot", buf);
		cmd = xasprintf("dot -Tsvg '%s' | grep -q '<svg'", dotfile);
		ck_assert_int_eq(system(cmd), 0);
		free(cmd);
		free(dotfile);
	}
	free(buf);
	j = res_graph_json(&dec);
	ck_assert_str_eq(
		json_string_value(json_object_get(json_array_get(json_object_get(j, "nodes"), 1), "name")),
		"hello");
	ck_assert(json_is_true(json_object_get(json_array_get(json_object_get(j, "nodes"), 1), "requested")));
	ck_assert_str_eq(
		json_string_value(json_object_get(json_array_get(json_object_get(j, "edges"), 0), "to")),
		"libc6");
	json_decref(j);
}
END_TEST

START_TEST(test_graph_handmade)
{
	struct catalog cat = {.dir = "x"};
	struct cat_prim a = {.name = "a", .version = "1:2.0", .digest = "sha256:aa", .cat = &cat};
	struct cat_prim b = {.name = "b", .version = "1", .digest = "sha256:bb", .cat = &cat};
	struct decision hd = {.policy = "we\"b\\"};
	struct dec_selected sel[] = {{&b, "dependency of a", false}, {&a, "include at p.cpol:1:1", true}};
	struct dec_edge e[] = {{"a", "b"}};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *j;

	hd.selected = sel, hd.nselected = 2;
	hd.edges = e, hd.nedges = 1;
	res_graph_dot(&hd, f);
	fclose(f);
	ck_assert_str_eq(buf, "digraph \"we\\\"b\\\\\" {\n"
			      "\trankdir=LR;\n"
			      "\tnode [shape=box, fontname=\"monospace\"];\n"
			      "\t\"b\" [label=\"b\\n1\"];\n"
			      "\t\"a\" [label=\"a\\n1:2.0\", style=bold, penwidth=2];\n"
			      "\t\"a\" -> \"b\";\n"
			      "}\n");
	free(buf);
	j = res_graph_json(&hd);
	buf = json_dumps(j, JSON_PRESERVE_ORDER | JSON_COMPACT);
	ck_assert_str_eq(buf,
			 "{\"policy\":\"we\\\"b\\\\\",\"platform\":\"linux/amd64\",\"nodes\":["
			 "{\"name\":\"b\",\"version\":\"1\",\"digest\":\"sha256:bb\",\"requested\":false,"
			 "\"reason\":\"dependency of a\"},"
			 "{\"name\":\"a\",\"version\":\"1:2.0\",\"digest\":\"sha256:aa\",\"requested\":true,"
			 "\"reason\":\"include at p.cpol:1:1\"}],"
			 "\"edges\":[{\"from\":\"a\",\"to\":\"b\"}]}");
	free(buf);
	json_decref(j);
}
END_TEST

/* ---- random catalogs ----------------------------------------------------------
 * Five names of three versions each, with random versioned dependencies and
 * conflicts. Whatever the resolver selects must meet every constraint, and
 * it must find a selection whenever one exists: checked against all 4^5
 * assignments (each name absent or at one of its versions). */
enum { RN = 5, RV = 3, RITER = 60 };

struct rrel {
	int name, ver;
	const char *op;
};

struct rprim {
	struct rrel deps[2], conf;
	int ndeps;
	bool hasconf;
};

static struct rprim rp[RN][RV];
static uint32_t rng;

static int rnd(int n)
{
	rng = rng * 1103515245u + 12345u;
	return (int)((rng >> 16) % (uint32_t)n);
}

/* Does version `have` of a name (0: absent) meet relation r? */
static bool rel_met(int have, const struct rrel *r)
{
	char v[12], c[12];

	snprintf(v, sizeof(v), "%d", have);
	snprintf(c, sizeof(c), "%d", r->ver);
	return have && ver_satisfies(v, r->op, c, false);
}

/* Does the assignment a (a version per name, 0 = absent) meet every
 * include, dependency and conflict? */
static bool assignment_ok(const int *a, const int *inc, int ninc)
{
	for (int i = 0; i < ninc; i++)
		if (!a[inc[i]])
			return false;
	for (int n = 0; n < RN; n++) {
		const struct rprim *p = a[n] ? &rp[n][a[n] - 1] : NULL;
		for (int k = 0; p && k < p->ndeps; k++)
			if (!rel_met(a[p->deps[k].name], &p->deps[k]))
				return false;
		if (p && p->hasconf && rel_met(a[p->conf.name], &p->conf))
			return false;
	}
	return true;
}

static bool any_assignment_ok(const int *inc, int ninc)
{
	int a[RN];

	for (int code = 0; code < 1 << (2 * RN); code++) {
		bool ok = true;
		for (int n = 0; n < RN; n++) {
			a[n] = (code >> (2 * n)) & 3;
			ok = ok && a[n] <= RV;
		}
		if (ok && assignment_ok(a, inc, ninc))
			return true;
	}
	return false;
}

static struct rrel random_rel(int not_name)
{
	static const char *const ops[] = {">=", "<<", "=", "<="};
	struct rrel r;

	r.name = (not_name + 1 + rnd(RN - 1)) % RN;
	r.ver = 1 + rnd(RV);
	r.op = ops[rnd(4)];
	return r;
}

static void random_catalog(int iter)
{
	char name[8], ver[8];

	free(catdir);
	catdir = xasprintf("%s/cat%d", root, iter);
	ck_assert_int_eq(cat_init(catdir, &d), 0);
	for (int n = 0; n < RN; n++)
		for (int v = 0; v < RV; v++) {
			struct rprim *p = &rp[n][v];
			struct strbuf sb = STRBUF_INIT;
			char *members;
			p->ndeps = rnd(3);
			p->hasconf = rnd(3) != 0;
			sb_adds(&sb, "\"depends\": [");
			for (int k = 0; k < p->ndeps; k++) {
				p->deps[k] = random_rel(n);
				sb_addf(&sb, "%s\"n%d (%s %d)\"", k ? ", " : "", p->deps[k].name,
					p->deps[k].op, p->deps[k].ver);
			}
			sb_adds(&sb, "]");
			if (p->hasconf) {
				p->conf = random_rel(n);
				sb_addf(&sb, ", \"conflicts\": [\"n%d (%s %d)\"]", p->conf.name, p->conf.op,
					p->conf.ver);
			}
			members = sb_detach(&sb, NULL);
			snprintf(name, sizeof(name), "n%d", n);
			snprintf(ver, sizeof(ver), "%d", v + 1);
			prim(name, ver, members);
			free(members);
		}
}

START_TEST(test_random_catalogs)
{
	int resolved = 0;

	for (int iter = 0; iter < RITER; iter++) {
		int inc[2], ninc, a[RN] = {0};
		char name[8];
		bool exists;
		int rc;

		rng = 2654435761u * (uint32_t)(iter + 1);
		random_catalog(iter);
		ninc = 2;
		for (int i = 0; i < ninc; i++)
			inc[i] = rnd(RN);
		catset_release(&cs);
		open_cat();
		fresh();
		for (int i = 0; i < ninc; i++) {
			snprintf(name, sizeof(name), "n%d", inc[i]);
			req(name, NULL, NULL, "r.cpol:1:1");
		}
		rc = res_resolve(&cs, &dec, NULL, NULL, &d);
		exists = any_assignment_ok(inc, ninc);
		for (size_t i = 0; rc == 0 && i < dec.nselected; i++) {
			int n = dec.selected[i].prim->name[1] - '0';
			ck_assert_int_eq(a[n], 0); /* each name once */
			a[n] = dec.selected[i].prim->version[0] - '0';
		}
		ck_assert_msg(rc != 0 || assignment_ok(a, inc, ninc), "iteration %d: an invalid selection",
			      iter);
		ck_assert_msg(rc == 0 || !exists, "iteration %d: a selection exists but none was found",
			      iter);
		ck_assert_msg(rc == -1 || d.nerrors == 0, "iteration %d", iter);
		resolved += rc == 0;
	}
	/* both outcomes are exercised */
	ck_assert_int_gt(resolved, RITER / 5);
	ck_assert_int_lt(resolved, RITER - RITER / 10);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("res");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc,
			  300); /* the random catalogs take seconds, more on a loaded machine or under ASan */
	tcase_add_test(tc, test_chain_order);
	tcase_add_test(tc, test_constraints_platform);
	tcase_add_test(tc, test_admit);
	tcase_add_test(tc, test_virtual_alternatives);
	tcase_add_test(tc, test_alternative_order);
	tcase_add_test(tc, test_cycle);
	tcase_add_test(tc, test_conflict);
	tcase_add_test(tc, test_excluded_dependency);
	tcase_add_test(tc, test_no_eligible_notes);
	tcase_add_test(tc, test_later_constraint);
	tcase_add_test(tc, test_backtrack_admit);
	tcase_add_test(tc, test_backtrack_conflict);
	tcase_add_test(tc, test_backtrack_jumps);
	tcase_add_test(tc, test_exclude_overrides);
	tcase_add_test(tc, test_graph);
	tcase_add_test(tc, test_graph_handmade);
	tcase_add_test(tc, test_random_catalogs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
