/* ptest.h - cpolc test: the test blocks of policy modules, run.
 *
 * A test block sits at top level in a policy's module, or in a module (by
 * convention NAME_test.cpol) that imports it:
 *
 *     test "prod has no debug tools" [for "POLICY"] {
 *       request {"env": "prod"};
 *       expect "strace" not in [s.name for s in decision.selected];
 *     }
 *
 * It tests the only policy of its module (or, when the module has none,
 * of the modules it imports), or the one `for` names. Each test compiles
 * that policy as eval does (its code is the code eval runs; test blocks
 * never reach a .cpolb), evaluates the request, decides (resolving against
 * the catalogs when there are any), and evaluates each expectation with
 * `decision` bound to the decision record (the keys of eval's JSON). A
 * false expectation fails the test and reports its location and the value
 * of each operand of its top comparison. The report is text, TAP 13 or
 * JUnit XML; with coverage it lists the statements of the tested policies
 * that no test reached.
 */
#ifndef CPOLC_PTEST_H
#define CPOLC_PTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "module.h"
#include "util.h"

enum ptest_format { PTEST_TEXT, PTEST_TAP, PTEST_JUNIT };

/* Every pointer is borrowed. */
struct ptest_opts {
	const char *const *files; /* the .cpol files whose tests run */
	size_t nfiles;
	const char *pattern; /* run only tests whose name contains it, or NULL */
	enum ptest_format format;
	bool coverage;
	const char *const *catalogs; /* -C: resolve against these */
	size_t ncatalogs;
	struct program_opts popts;
};

enum ptest_status {
	PTEST_PASSED = 0, /* every test selected passed (or none was selected) */
	PTEST_FAILED = 1, /* an expectation was false */
	PTEST_ERROR = 2,  /* a file, a policy or a test could not be run (reported to d) */
};

struct ptest_counts {
	size_t passed, failed, errors;
};

/* Run the tests of o->files; the report is appended to out, errors (a
 * file that does not load, a runtime error) go to d. */
enum ptest_status ptest_run(const struct ptest_opts *o, struct strbuf *out, struct ptest_counts *counts,
			    struct diag *d);

#endif
