/* fuzz_registry - what a registry, or a user, hands the registry client,
 * chosen by the first byte of the input; the rest is the text:
 *   0  a WWW-Authenticate header (reg_parse_challenges)
 *   1  an image reference (registry_ref_parse, registry_ref_str)
 *   2  base64 (reg_base64_decode, and encode back)
 *   3  a Location header, against an https and an http request URL
 *   4  an auth file (reg_creds_lookup of two hosts)
 *   5  a media type and an error body's text (reg_media_type_valid,
 *      reg_clean) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "registry.h"
#include "registry_int.h"
#include "util.h"

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char file_path[300];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fz_init_dir("fuzz_registry");
	fz_path(file_path, sizeof file_path, "auth.json");
	return 0;
}

static void challenges(const char *s)
{
	struct reg_challenge c[REG_MAX_CHALLENGES];
	int n = reg_parse_challenges(s, c, REG_MAX_CHALLENGES);

	for (int i = 0; i < n; i++)
		reg_challenge_release(&c[i]);
}

static void reference(const char *s, struct diag *d)
{
	struct registry_ref r;

	if (registry_ref_parse(s, &r, d) == 0) {
		char *t = registry_ref_str(&r);
		struct registry_ref again;
		if (registry_ref_parse(t, &again, d) < 0 || strcmp(again.host, r.host) ||
		    strcmp(again.repo, r.repo))
			abort(); /* what is printed parses back to the same */
		registry_ref_release(&again);
		free(t);
		registry_ref_release(&r);
	}
}

static void base64(const char *s)
{
	size_t n;
	char *dec = reg_base64_decode(s, &n), *enc;

	if (!dec)
		return;
	enc = reg_base64_encode(dec, n);
	if (strcmp(enc, s))
		abort(); /* decoding is exact */
	free(enc);
	free(dec);
}

static void location(const char *s, struct diag *d)
{
	free(reg_resolve("https://r.example:5000/v2/a/blobs/uploads/", s, d));
	free(reg_resolve("http://127.0.0.1/v2/a/blobs/uploads/", s, d));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d;
	char *s, *user = NULL, *pass = NULL, *c;

	if (size < 1)
		return 0;
	s = xstrndup((const char *)data + 1, size - 1); /* up to a NUL, as C strings */
	diag_init(&d);
	switch (data[0] % 6) {
	case 0:
		challenges(s);
		break;
	case 1:
		reference(s, &d);
		break;
	case 2:
		base64(s);
		break;
	case 3:
		location(s, &d);
		break;
	case 4:
		fz_write(file_path, data + 1, size - 1);
		for (int i = 0; i < 2; i++) {
			if (reg_creds_lookup(file_path, i ? "docker.io" : "127.0.0.1:5000", &user, &pass,
					     &d) == 1) {
				free(user);
				free(pass);
			}
		}
		break;
	default:
		(void)reg_media_type_valid(s);
		c = reg_clean(s, strlen(s), 300);
		free(c);
		break;
	}
	diag_release(&d);
	free(s);
	return 0;
}
