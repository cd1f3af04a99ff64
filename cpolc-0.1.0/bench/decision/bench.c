/* bench.c - time one decision of a policy in process, and count its heap
 * allocations.
 *
 *   bench POLICY REQUEST.json [ITERATIONS]
 *
 * Prints the median (and 10th/90th percentile) nanoseconds per decision and
 * the heap allocations per decision, for two paths:
 *   core      vm_run + vm_run_checks: selection and checks into the VM's
 *             own storage (what the arena is designed for; goal 0 allocs)
 *   selection vm_run alone (the checks' share is core minus this)
 *   decision  vm_select + vm_check + decision_release: the same plus the
 *             struct decision with its malloc'd strings and JSON config
 * Allocations are counted by interposing malloc/calloc/realloc (glibc's
 * __libc_* functions do the work), so calls from jansson count too.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "comp.h"
#include "decision.h"
#include "diag.h"
#include "request.h"
#include "vm.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static unsigned long long nallocs;

void *malloc(size_t n)
{
	nallocs++;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	nallocs++;
	return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	nallocs++;
	return __libc_realloc(p, n);
}

void free(void *p)
{
	__libc_free(p);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

struct ctx {
	struct vm *vm;
	struct bc_program *prog;
	json_t *req;
	struct diag *d;
	size_t denied, warned, pending;
};

static int core(struct ctx *c)
{
	if (vm_run(c->vm, c->prog, 0, c->req, c->d) < 0)
		return -1;
	return vm_run_checks(c->vm, c->prog, &c->denied, &c->warned, &c->pending, c->d);
}

static int select_only(struct ctx *c)
{
	return vm_run(c->vm, c->prog, 0, c->req, c->d);
}

static int full(struct ctx *c)
{
	struct decision dec;
	int rc;

	decision_init(&dec);
	rc = vm_select(c->vm, c->prog, NULL, c->req, &dec, c->d);
	if (rc == 0)
		rc = vm_check(c->vm, &dec, false, c->d);
	c->denied = dec.ndenials;
	c->warned = dec.nwarnings;
	c->pending = dec.npending;
	decision_release(&dec);
	return rc;
}

static int measure(const char *name, int (*fn)(struct ctx *), struct ctx *c, size_t iters)
{
	uint64_t *t = __libc_malloc(iters * sizeof(*t));
	unsigned long long a0;

	for (size_t i = 0; i < 1000; i++) /* warm up: arena chunks, vectors */
		if (fn(c) < 0)
			return -1;
	a0 = nallocs;
	for (size_t i = 0; i < iters; i++) {
		uint64_t t0 = now_ns();
		fn(c);
		t[i] = now_ns() - t0;
	}
	a0 = nallocs - a0;
	qsort(t, iters, sizeof(*t), cmp_u64);
	printf("%-9s median %6llu ns  p10 %6llu ns  p90 %6llu ns  allocations/decision %.2f"
	       "  (denied %zu warned %zu pending %zu)\n",
	       name, (unsigned long long)t[iters / 2], (unsigned long long)t[iters / 10],
	       (unsigned long long)t[iters * 9 / 10], (double)a0 / (double)iters, c->denied, c->warned,
	       c->pending);
	__libc_free(t);
	return 0;
}

int main(int argc, char **argv)
{
	struct diag d;
	struct ctx c = {0};
	size_t iters = argc > 3 ? strtoul(argv[3], NULL, 10) : 20000;
	int rc = 1;

	if (argc < 3 || iters < 10) {
		fputs("usage: bench POLICY REQUEST.json [ITERATIONS]\n", stderr);
		return 2;
	}
	diag_init(&d);
	c.d = &d;
	c.req = request_load(argv[2], NULL, 0, &d);
	c.prog = c.req ? comp_load(argv[1], NULL, NULL, &d) : NULL;
	if (c.prog) {
		size_t ncode = 0;
		for (size_t i = 0; i < c.prog->nblocks; i++)
			ncode += c.prog->blocks[i].ncode;
		printf("policy %s: %zu blocks, %zu code words, %zu constants; %zu iterations\n", argv[1],
		       c.prog->nblocks, ncode, c.prog->nconsts, iters);
		c.vm = vm_new();
		if (measure("core", core, &c, iters) == 0 &&
		    measure("selection", select_only, &c, iters) == 0 &&
		    measure("decision", full, &c, iters) == 0)
			rc = 0;
	}
	diag_print(&d, stderr, DIAG_FMT_GCC, 0);
	vm_free(c.vm);
	bc_free(c.prog);
	json_decref(c.req);
	diag_release(&d);
	return rc;
}
