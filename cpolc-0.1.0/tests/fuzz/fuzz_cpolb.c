/* fuzz_cpolb - .cpolb modules on arbitrary bytes: bc_load (which verifies),
 * an explicit second bc_verify and the disassembler, then, when the module
 * loads, the selection and check phases against a small fixed request. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "bc.h"
#include "cat.h"
#include "decision.h"
#include "diag.h"
#include "vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char request_text[] =
	"{\"env\": \"prod\", \"version\": \"1.2.3\", \"roles\": [\"web\", \"db\"], \"replicas\": 3, "
	"\"debug\": false, \"tier\": {\"name\": \"gold\", \"limits\": [1, 2, 3]}, \"greeting\": \"hi\"}";

static const char record_text[] =
	"{\"name\": \"app\", \"version\": \"1:2.0-1\", \"kind\": \"executable\", \"digest\": \"sha256:00\", "
	"\"size\": 42, \"os\": \"linux\", \"arch\": \"amd64\", \"license\": \"MIT\", \"depends\": [\"libc6 "
	"(>= 2.34)\"], "
	"\"provides\": [], \"scan\": {\"critical\": 0, \"high\": 1, \"medium\": 2, \"low\": 3, \"cves\": "
	"[\"CVE-1\"]}, "
	"\"resources\": null, \"labels\": {\"team\": \"web\"}}";

/* A candidate whose record is already built, so that admit filters run
 * without a catalog. */
static struct cat_prim cand;

static void run_policy(const struct bc_program *p, const char *name, const json_t *req)
{
	struct diag d;
	diag_init(&d);
	struct vm *vm = vm_new();
	struct decision dec;
	decision_init(&dec);
	if (vm_select(vm, p, name, req, &dec, &d) == 0) {
		bool ok;
		const char *failed_at;
		if (vm_admit(vm, &dec, &cand, &ok, &failed_at, &d) == 0)
			vm_check(vm, &dec, true, &d);
		else
			vm_check(vm, &dec, false, &d);
		json_t *j = decision_to_json(&dec);
		json_decref(j);
	}
	decision_release(&dec);
	vm_free(vm);
	diag_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 20)
		return 0;
	static json_t *req;
	if (!req && !(req = json_loads(request_text, 0, NULL)))
		abort();
	if (!cand.record) {
		cand.name = "app", cand.version = "1:2.0-1", cand.kind = "executable";
		cand.depends = cand.provides = cand.conflicts = "";
		if (!(cand.record = json_loads(record_text, 0, NULL)))
			abort();
		cand.load_state = 1;
	}
	struct diag d;
	diag_init(&d);
	(void)bc_is_module(data, size);
	struct bc_program *p = bc_load(data, size, "fuzz.cpolb", &d);
	if (p) {
		if (bc_verify(p, "fuzz.cpolb", &d) != 0)
			abort(); /* a loaded module is a verified one */
		FILE *devnull = fopen("/dev/null", "w");
		if (devnull) {
			bc_disasm(p, devnull);
			fclose(devnull);
		}
		if (p->npolicies == 1)
			run_policy(p, NULL, req);
		else
			for (size_t i = 0; i < p->npolicies && i < 4; i++)
				run_policy(p, p->policies[i].name, req);
		bc_free(p);
	}
	diag_release(&d);
	return 0;
}
