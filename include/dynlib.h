/* dynlib.h - libarchive, libcrypto, libcurl, libmicrohttpd and
 * libcrypt, opened on first use (src/dynlib.c).
 *
 * cpolc is not linked against them (unless configured with
 * --disable-lazy-libs): each is opened the first time one of its
 * functions is called. A command that needs them opens them up front, so
 * that a missing library stops it before it writes anything.
 */
#ifndef CPOLC_DYNLIB_H
#define CPOLC_DYNLIB_H

enum {
	DYNLIB_ARCHIVE = 1,
	DYNLIB_CRYPTO = 2,
	DYNLIB_SERVE = 4 /* libmicrohttpd and libcrypt */,
	DYNLIB_CURL = 8
};

/* Open the libraries in which (DYNLIB_* bits) now. Returns 0, or -1 with
 * *err saying which could not be loaded and why (static storage). Always
 * 0 when the libraries are linked at start-up. */
int dynlib_open(unsigned which, const char **err);

#endif
