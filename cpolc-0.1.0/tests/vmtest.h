/* vmtest.h - helpers shared by check_comp, check_vm and check_bc: compile a
 * policy given as text, evaluate it, read results. Every helper asserts. */
#ifndef CPOLC_VMTEST_H
#define CPOLC_VMTEST_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bc.h"
#include "comp.h"
#include "decision.h"
#include "diag.h"
#include "module.h"
#include "util.h"
#include "vm.h"

/* Work in a fresh directory so that locations read "t.cpol:LINE:COL". */
static inline void vt_chdir_tmp(void)
{
	static char dir[64];

	snprintf(dir, sizeof(dir), "/tmp/cpolc-vt-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chdir(dir), 0);
}

static inline void vt_write(const char *path, const char *text)
{
	ck_assert_int_eq(write_file_atomic(path, text, strlen(text), 0644), 0);
}

/* Compile src (as t.cpol) or return NULL with the errors in d. */
static inline struct bc_program *vt_compile(const char *src, const char *only, struct diag *d)
{
	vt_chdir_tmp();
	vt_write("t.cpol", src);
	return comp_load("t.cpol", only, NULL, d);
}

static inline json_t *vt_json(const char *s)
{
	json_error_t err;
	json_t *j = json_loads(s ? s : "{}", 0, &err);

	ck_assert_msg(j != NULL, "bad test JSON: %s", err.text);
	return j;
}

/* The first diagnostic as "WHERE: MESSAGE" (static buffer). */
static inline const char *vt_first_error(struct diag *d)
{
	static char buf[512];
	const struct diag_entry *e;
	char *where;

	if (!d->nentries)
		return "";
	e = &d->entries[0];
	where = diag_where(d, e);
	snprintf(buf, sizeof(buf), "%s: %s", where ? where : "<command line>", e->message);
	free(where);
	return buf;
}

struct vt_eval {
	struct diag d;
	struct bc_program *prog;
	struct vm *vm;
	struct decision dec;
	json_t *req;
	int rc; /* of vm_select, then vm_check */
};

/* Compile and evaluate; rc -1 leaves the error in e->d. */
static inline void vt_eval(struct vt_eval *e, const char *src, const char *request)
{
	memset(e, 0, sizeof(*e));
	diag_init(&e->d);
	decision_init(&e->dec);
	e->req = vt_json(request);
	e->prog = vt_compile(src, NULL, &e->d);
	ck_assert_msg(e->prog != NULL, "compile failed: %s", vt_first_error(&e->d));
	e->vm = vm_new();
	e->rc = vm_select(e->vm, e->prog, NULL, e->req, &e->dec, &e->d);
	if (e->rc == 0)
		e->rc = vm_check(e->vm, &e->dec, false, &e->d);
}

static inline void vt_release(struct vt_eval *e)
{
	decision_release(&e->dec);
	vm_free(e->vm);
	bc_free(e->prog);
	json_decref(e->req);
	diag_release(&e->d);
}

/* The value of `let` names are not visible; tests observe values through
 * `label "x" = string(EXPR)`. Evaluate EXPR and return its string(). */
static inline char *vt_value(const char *expr, const char *request, const char **err)
{
	struct vt_eval e;
	char *src = xasprintf("policy \"p\" {\n  label \"v\" = string(%s);\n}\n", expr);
	char *out = NULL;
	static char ebuf[512];

	vt_eval(&e, src, request);
	if (e.rc == 0) {
		json_t *labels = json_object_get(e.dec.config, "Labels");
		out = xstrdup(json_string_value(json_object_get(labels, "v")));
		*err = NULL;
	} else {
		snprintf(ebuf, sizeof(ebuf), "%s", vt_first_error(&e.d));
		*err = ebuf;
	}
	vt_release(&e);
	free(src);
	return out;
}

#define VT_EXPECT(expr, request, want)                                                                       \
	do {                                                                                                 \
		const char *err_;                                                                            \
		char *got_ = vt_value(expr, request, &err_);                                                 \
		ck_assert_msg(got_ != NULL, "%s: error %s", expr, err_);                                     \
		ck_assert_msg(!strcmp(got_, want), "%s: got '%s', want '%s'", expr, got_, want);             \
		free(got_);                                                                                  \
	} while (0)

#define VT_EXPECT_ERROR(expr, request, substr)                                                               \
	do {                                                                                                 \
		const char *err_;                                                                            \
		char *got_ = vt_value(expr, request, &err_);                                                 \
		ck_assert_msg(got_ == NULL, "%s: want an error, got '%s'", expr, got_);                      \
		ck_assert_msg(strstr(err_, substr) != NULL, "%s: error '%s' lacks '%s'", expr, err_,         \
			      substr);                                                                       \
	} while (0)

#endif
