/* dynlib.c - load libarchive, libcrypto, libcurl, libmicrohttpd and libcrypt on first use.
 *
 * Linked at start-up, libarchive brings libxml2 (for xar), ICU and
 * libstdc++ with it, and libcrypto is large: together they tripled the
 * start-up time of every command, though `cpolc lint` and `fmt` need
 * neither, and `eval` and `compile` only libcrypto, for the digests of
 * the policy's sources (bench/notes.md). libcurl, which only push needs,
 * brings 30 more libraries and would cost every command 5 ms; libmicrohttpd
 * (with GnuTLS) and libcrypt only serve needs. So,
 * unless configure was given --disable-lazy-libs, the binary is not linked
 * against any of them. Instead this file defines each function cpolc
 * calls, with the prototype from the library's own header; the first call
 * to any of them opens the library by its soname (found by configure) and
 * looks every symbol up, once, under pthread_once, so worker threads may
 * make the first call. The rest of cpolc calls the libraries as usual.
 *
 * The library is opened RTLD_LOCAL, so its symbols never interpose on
 * these stubs or the reverse. A library that cannot be opened is an
 * installation defect, like a missing shared library at start-up: main.c
 * opens what a command needs before it runs (dynlib_open) and reports
 * it; a stub called all the same prints one line and exits with status
 * 127, as the dynamic loader does.
 *
 * A function newly called elsewhere in cpolc must be added to the lists
 * below, or the link fails with an undefined reference.
 */
#include "config.h"

#include "dynlib.h"

#include <stddef.h>

#ifdef CPOLC_LAZY_LIBS

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <crypt.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
/* the stubs below define curl_easy_setopt and curl_easy_getinfo, which
 * curl.h otherwise wraps in type-checking macros */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

/* F(return type, name, parameters, arguments) for a function with a
 * result, V(name, parameters, arguments) for one without. */
/* clang-format off */
#define LIBARCHIVE_FUNCS(F, V)                                                                      \
	F(struct archive *, archive_read_new, (void), ())                                           \
	F(int, archive_read_free, (struct archive *a), (a))                                         \
	F(int, archive_read_support_filter_all, (struct archive *a), (a))                           \
	F(int, archive_read_support_format_7zip, (struct archive *a), (a))                          \
	F(int, archive_read_support_format_ar, (struct archive *a), (a))                            \
	F(int, archive_read_support_format_cab, (struct archive *a), (a))                           \
	F(int, archive_read_support_format_cpio, (struct archive *a), (a))                          \
	F(int, archive_read_support_format_empty, (struct archive *a), (a))                         \
	F(int, archive_read_support_format_gnutar, (struct archive *a), (a))                        \
	F(int, archive_read_support_format_iso9660, (struct archive *a), (a))                       \
	F(int, archive_read_support_format_lha, (struct archive *a), (a))                           \
	F(int, archive_read_support_format_rar, (struct archive *a), (a))                           \
	F(int, archive_read_support_format_rar5, (struct archive *a), (a))                          \
	F(int, archive_read_support_format_raw, (struct archive *a), (a))                           \
	F(int, archive_read_support_format_tar, (struct archive *a), (a))                           \
	F(int, archive_read_support_format_warc, (struct archive *a), (a))                          \
	F(int, archive_read_support_format_xar, (struct archive *a), (a))                           \
	F(int, archive_read_support_format_zip, (struct archive *a), (a))                           \
	F(int, archive_read_set_callback_data, (struct archive *a, void *data), (a, data))          \
	F(int, archive_read_set_read_callback, (struct archive *a, archive_read_callback *cb), (a, cb)) \
	F(int, archive_read_set_skip_callback, (struct archive *a, archive_skip_callback *cb), (a, cb)) \
	F(int, archive_read_open,                                                                   \
	  (struct archive *a, void *data, archive_open_callback *o, archive_read_callback *r,       \
	   archive_close_callback *c),                                                              \
	  (a, data, o, r, c))                                                                       \
	F(int, archive_read_open1, (struct archive *a), (a))                                        \
	F(int, archive_read_open_filename, (struct archive *a, const char *path, size_t block),     \
	  (a, path, block))                                                                         \
	F(int, archive_read_open_fd, (struct archive *a, int fd, size_t block), (a, fd, block))     \
	F(int, archive_read_next_header, (struct archive *a, struct archive_entry **e), (a, e))     \
	F(la_ssize_t, archive_read_data, (struct archive *a, void *buf, size_t n), (a, buf, n))     \
	F(struct archive *, archive_write_new, (void), ())                                          \
	F(int, archive_write_free, (struct archive *a), (a))                                        \
	F(int, archive_write_add_filter_none, (struct archive *a), (a))                             \
	F(int, archive_write_set_format_pax_restricted, (struct archive *a), (a))                   \
	F(int, archive_write_set_format_option,                                                     \
	  (struct archive *a, const char *m, const char *o, const char *v), (a, m, o, v))           \
	F(int, archive_write_open,                                                                  \
	  (struct archive *a, void *data, archive_open_callback *o, archive_write_callback *w,      \
	   archive_close_callback *c),                                                              \
	  (a, data, o, w, c))                                                                       \
	F(int, archive_write_open_fd, (struct archive *a, int fd), (a, fd))                         \
	F(int, archive_write_header, (struct archive *a, struct archive_entry *e), (a, e))          \
	F(la_ssize_t, archive_write_data, (struct archive *a, const void *buf, size_t n), (a, buf, n)) \
	F(int, archive_write_close, (struct archive *a), (a))                                       \
	F(const char *, archive_error_string, (struct archive *a), (a))                             \
	F(la_int64_t, archive_filter_bytes, (struct archive *a, int n), (a, n))                     \
	F(struct archive_entry *, archive_entry_new, (void), ())                                    \
	F(struct archive_entry *, archive_entry_clear, (struct archive_entry *e), (e))              \
	V(archive_entry_free, (struct archive_entry *e), (e))                                       \
	F(__LA_MODE_T, archive_entry_filetype, (struct archive_entry *e), (e))                      \
	F(__LA_MODE_T, archive_entry_perm, (struct archive_entry *e), (e))                          \
	F(la_int64_t, archive_entry_uid, (struct archive_entry *e), (e))                            \
	F(la_int64_t, archive_entry_gid, (struct archive_entry *e), (e))                            \
	F(la_int64_t, archive_entry_size, (struct archive_entry *e), (e))                           \
	F(int, archive_entry_size_is_set, (struct archive_entry *e), (e))                           \
	F(int, archive_entry_sparse_count, (struct archive_entry *e), (e))                          \
	F(const char *, archive_entry_pathname, (struct archive_entry *e), (e))                     \
	F(const char *, archive_entry_pathname_utf8, (struct archive_entry *e), (e))                \
	F(const char *, archive_entry_hardlink, (struct archive_entry *e), (e))                     \
	F(const char *, archive_entry_symlink, (struct archive_entry *e), (e))                      \
	V(archive_entry_set_filetype, (struct archive_entry *e, unsigned int t), (e, t))            \
	V(archive_entry_set_perm, (struct archive_entry *e, __LA_MODE_T m), (e, m))                 \
	V(archive_entry_set_uid, (struct archive_entry *e, la_int64_t id), (e, id))                 \
	V(archive_entry_set_gid, (struct archive_entry *e, la_int64_t id), (e, id))                 \
	V(archive_entry_set_size, (struct archive_entry *e, la_int64_t n), (e, n))                  \
	V(archive_entry_set_mtime, (struct archive_entry *e, time_t s, long ns), (e, s, ns))        \
	V(archive_entry_set_pathname, (struct archive_entry *e, const char *s), (e, s))             \
	V(archive_entry_set_hardlink, (struct archive_entry *e, const char *s), (e, s))             \
	V(archive_entry_set_symlink, (struct archive_entry *e, const char *s), (e, s))

#define LIBCRYPTO_FUNCS(F, V)                                                                       \
	F(const EVP_MD *, EVP_sha256, (void), ())                                                   \
	F(EVP_MD_CTX *, EVP_MD_CTX_new, (void), ())                                                 \
	V(EVP_MD_CTX_free, (EVP_MD_CTX *c), (c))                                                    \
	F(int, EVP_DigestInit_ex, (EVP_MD_CTX *c, const EVP_MD *md, ENGINE *e), (c, md, e))         \
	F(int, EVP_DigestUpdate, (EVP_MD_CTX *c, const void *d, size_t n), (c, d, n))               \
	F(int, EVP_DigestFinal_ex, (EVP_MD_CTX *c, unsigned char *md, unsigned int *n), (c, md, n)) \
	F(int, EVP_Digest,                                                                          \
	  (const void *d, size_t n, unsigned char *md, unsigned int *len,                            \
	   const EVP_MD *t, ENGINE *e),                                                              \
	  (d, n, md, len, t, e))                                                                    \
	F(BIO *, BIO_new_mem_buf, (const void *b, int n), (b, n))                                   \
	F(int, BIO_free, (BIO *b), (b))                                                             \
	F(X509 *, PEM_read_bio_X509, (BIO *b, X509 **x, pem_password_cb *cb, void *u), (b, x, cb, u)) \
	F(X509_NAME *, X509_get_subject_name, (const X509 *x), (x))                                 \
	V(X509_free, (X509 *x), (x))                                                                \
	LIBCRYPTO_HASH(F, V)

/* the subject hash of OpenSSL's CApath: a function before 3.0, a macro
 * over X509_NAME_hash_ex since */
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#define LIBCRYPTO_HASH(F, V)                                                                        \
	F(unsigned long, X509_NAME_hash_ex,                                                         \
	  (const X509_NAME *x, OSSL_LIB_CTX *c, const char *p, int *ok), (x, c, p, ok))
#else
#define LIBCRYPTO_HASH(F, V) F(unsigned long, X509_NAME_hash, (X509_NAME *x), (x))
#endif

/* libmicrohttpd, for cpolc serve; its variadic functions are below */
#define LIBMHD_FUNCS(F, V)                                                                          \
	F(struct MHD_Daemon *, MHD_start_daemon_va,                                                 \
	  (unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc, void *apc_cls,          \
	   MHD_AccessHandlerCallback dh, void *dh_cls, va_list ap),                                  \
	  (flags, port, apc, apc_cls, dh, dh_cls, ap))                                              \
	V(MHD_stop_daemon, (struct MHD_Daemon *d), (d))                                             \
	F(MHD_socket, MHD_quiesce_daemon, (struct MHD_Daemon *d), (d))                              \
	F(struct MHD_Response *, MHD_create_response_from_buffer,                                   \
	  (size_t size, void *buffer, enum MHD_ResponseMemoryMode mode), (size, buffer, mode))      \
	F(struct MHD_Response *, MHD_create_response_from_fd_at_offset64,                           \
	  (uint64_t size, int fd, uint64_t offset), (size, fd, offset))                             \
	F(enum MHD_Result, MHD_add_response_header,                                                 \
	  (struct MHD_Response *r, const char *h, const char *v), (r, h, v))                        \
	F(enum MHD_Result, MHD_queue_response,                                                      \
	  (struct MHD_Connection *c, unsigned int status, struct MHD_Response *r), (c, status, r))  \
	V(MHD_destroy_response, (struct MHD_Response *r), (r))                                      \
	F(const char *, MHD_lookup_connection_value,                                                \
	  (struct MHD_Connection *c, enum MHD_ValueKind k, const char *key), (c, k, key))           \
	F(char *, MHD_basic_auth_get_username_password, (struct MHD_Connection *c, char **pass),    \
	  (c, pass))                                                                                \
	V(MHD_free, (void *p), (p))

/* libcrypt, for the bcrypt hashes of cpolc serve --auth */
#define LIBCRYPT_FUNCS(F, V)                                                                        \
	F(char *, crypt_r, (const char *phrase, const char *setting, struct crypt_data *data),      \
	  (phrase, setting, data))
/* curl_easy_setopt and curl_easy_getinfo are variadic: defined by hand */
#define LIBCURL_FUNCS(F, V)                                                                         \
	F(CURLcode, curl_global_init, (long flags), (flags))                                        \
	F(CURL *, curl_easy_init, (void), ())                                                       \
	V(curl_easy_cleanup, (CURL *c), (c))                                                        \
	V(curl_easy_reset, (CURL *c), (c))                                                          \
	F(CURLcode, curl_easy_perform, (CURL *c), (c))                                              \
	F(const char *, curl_easy_strerror, (CURLcode e), (e))                                      \
	F(struct curl_slist *, curl_slist_append, (struct curl_slist *l, const char *s), (l, s))    \
	V(curl_slist_free_all, (struct curl_slist *l), (l))
/* clang-format on */

#define MEMBER(ret, name, params, args) ret(*name) params;
#define VMEMBER(name, params, args)	void(*name) params;
#define LOOKUP(ret, name, params, args) lookup(l, #name, &t->name, sizeof(t->name));
#define VLOOKUP(name, params, args)	LOOKUP(void, name, params, args)

/* The stub of a function: load its library once, then call through table. */
#define STUB(once, load, lib, table, ret, name, params, args)                                                \
	ret name params                                                                                      \
	{                                                                                                    \
		pthread_once(&once, load);                                                                   \
		if (!lib.handle)                                                                             \
			die(&lib);                                                                           \
		return table.name args;                                                                      \
	}
#define VSTUB(once, load, lib, table, name, params, args)                                                    \
	void name params                                                                                     \
	{                                                                                                    \
		pthread_once(&once, load);                                                                   \
		if (!lib.handle)                                                                             \
			die(&lib);                                                                           \
		table.name args;                                                                             \
	}

/* What loading a library came to: its handle, or why there is none. */
struct lib {
	const char *soname, *why;
	void *handle;
	char error[512];
};

static bool open_lib(struct lib *l)
{
	l->handle = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
	if (!l->handle)
		snprintf(l->error, sizeof(l->error), "cannot load %s, needed to %s: %s", l->soname, l->why,
			 dlerror());
	return l->handle != NULL;
}

/* Store the address of name into the function pointer at slot. */
static void lookup(struct lib *l, const char *name, void *slot, size_t size)
{
	void *p = l->handle ? dlsym(l->handle, name) : NULL;

	if (!l->handle)
		return;
	if (!p || size != sizeof(p)) {
		snprintf(l->error, sizeof(l->error), "%s has no function '%s'", l->soname, name);
		l->handle = NULL;
		return;
	}
	memcpy(slot, &p, sizeof(p)); /* POSIX: a data pointer may hold a function's address */
}

/* A stub called when its library could not be loaded: as the dynamic
 * loader would at start-up. */
static void die(const struct lib *l)
{
	fprintf(stderr, "cpolc: %s\n", l->error);
	exit(127);
}

/* ---- libarchive ---------------------------------------------------------- */

static struct archive_fns {
	LIBARCHIVE_FUNCS(MEMBER, VMEMBER)
	void (*archive_set_error)(struct archive *a, int err, const char *fmt, ...);
} archive_fn;
static pthread_once_t archive_once = PTHREAD_ONCE_INIT;

static struct lib archive_lib = {CPOLC_LIBARCHIVE_SONAME, "read and write archives", NULL, ""};

static void archive_load(void)
{
	struct lib *l = &archive_lib;
	struct archive_fns *t = &archive_fn;

	if (!open_lib(l))
		return;
	LIBARCHIVE_FUNCS(LOOKUP, VLOOKUP)
	LOOKUP(void, archive_set_error, , )
}

#define ARCHIVE_STUB(ret, name, params, args)                                                                \
	STUB(archive_once, archive_load, archive_lib, archive_fn, ret, name, params, args)
#define ARCHIVE_VSTUB(name, params, args)                                                                    \
	VSTUB(archive_once, archive_load, archive_lib, archive_fn, name, params, args)
LIBARCHIVE_FUNCS(ARCHIVE_STUB, ARCHIVE_VSTUB)

/* A variadic call cannot be forwarded: format here, pass the text on. */
void archive_set_error(struct archive *a, int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_once(&archive_once, archive_load);
	if (!archive_lib.handle)
		die(&archive_lib);
	archive_fn.archive_set_error(a, err, "%s", msg);
}

/* ---- libcrypto ----------------------------------------------------------- */

static struct crypto_fns {
	LIBCRYPTO_FUNCS(MEMBER, VMEMBER)
} crypto_fn;
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

static struct lib crypto_lib = {CPOLC_LIBCRYPTO_SONAME, "compute digests", NULL, ""};

static void crypto_load(void)
{
	struct lib *l = &crypto_lib;
	struct crypto_fns *t = &crypto_fn;

	if (!open_lib(l))
		return;
	LIBCRYPTO_FUNCS(LOOKUP, VLOOKUP)
}

#define CRYPTO_STUB(ret, name, params, args)                                                                 \
	STUB(crypto_once, crypto_load, crypto_lib, crypto_fn, ret, name, params, args)
#define CRYPTO_VSTUB(name, params, args)                                                                     \
	VSTUB(crypto_once, crypto_load, crypto_lib, crypto_fn, name, params, args)
LIBCRYPTO_FUNCS(CRYPTO_STUB, CRYPTO_VSTUB)

/* ---- libmicrohttpd and libcrypt ------------------------------------------ */

static struct serve_fns {
	LIBMHD_FUNCS(MEMBER, VMEMBER)
	LIBCRYPT_FUNCS(MEMBER, VMEMBER)
	/* variadic: called with no variable arguments, since the kinds of
	 * information cpolc asks for take none */
	const union MHD_ConnectionInfo *(*MHD_get_connection_info)(struct MHD_Connection *c,
								   enum MHD_ConnectionInfoType t, ...);
	const union MHD_DaemonInfo *(*MHD_get_daemon_info)(struct MHD_Daemon *d, enum MHD_DaemonInfoType t,
							   ...);
} serve_fn;
static pthread_once_t serve_once = PTHREAD_ONCE_INIT;

static struct lib mhd_lib = {CPOLC_LIBMHD_SONAME, "serve HTTP", NULL, ""};
static struct lib crypt_lib = {CPOLC_LIBCRYPT_SONAME, "check passwords", NULL, ""};

static void serve_load(void)
{
	struct serve_fns *t = &serve_fn;
	struct lib *l = &mhd_lib;

	if (!open_lib(l))
		return;
	LIBMHD_FUNCS(LOOKUP, VLOOKUP)
	LOOKUP(, MHD_get_connection_info, , )
	LOOKUP(, MHD_get_daemon_info, , )
	l = &crypt_lib;
	if (!open_lib(l)) {
		mhd_lib = crypt_lib; /* one failure stands for both */
		return;
	}
	LIBCRYPT_FUNCS(LOOKUP, VLOOKUP)
	if (!crypt_lib.handle)
		mhd_lib = crypt_lib;
}

#define SERVE_STUB(ret, name, params, args)                                                                  \
	STUB(serve_once, serve_load, mhd_lib, serve_fn, ret, name, params, args)
#define SERVE_VSTUB(name, params, args) VSTUB(serve_once, serve_load, mhd_lib, serve_fn, name, params, args)
LIBMHD_FUNCS(SERVE_STUB, SERVE_VSTUB)
LIBCRYPT_FUNCS(SERVE_STUB, SERVE_VSTUB)

const union MHD_ConnectionInfo *MHD_get_connection_info(struct MHD_Connection *c,
							enum MHD_ConnectionInfoType t, ...)
{
	pthread_once(&serve_once, serve_load);
	if (!mhd_lib.handle)
		die(&mhd_lib);
	return serve_fn.MHD_get_connection_info(c, t);
}

const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *d, enum MHD_DaemonInfoType t, ...)
{
	pthread_once(&serve_once, serve_load);
	if (!mhd_lib.handle)
		die(&mhd_lib);
	return serve_fn.MHD_get_daemon_info(d, t);
}

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
				    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	struct MHD_Daemon *d;
	va_list ap;

	va_start(ap, dh_cls);
	d = MHD_start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

/* ---- libcurl ------------------------------------------------------------- */

static struct curl_fns {
	LIBCURL_FUNCS(MEMBER, VMEMBER)
	CURLcode (*curl_easy_setopt)(CURL *c, CURLoption opt, ...);
	CURLcode (*curl_easy_getinfo)(CURL *c, CURLINFO info, ...);
} curl_fn;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static struct lib curl_lib = {CPOLC_LIBCURL_SONAME, "talk to registries and repositories", NULL, ""};

static void curl_load(void)
{
	struct lib *l = &curl_lib;
	struct curl_fns *t = &curl_fn;

	if (!open_lib(l))
		return;
	LIBCURL_FUNCS(LOOKUP, VLOOKUP)
	LOOKUP(CURLcode, curl_easy_setopt, , )
	LOOKUP(CURLcode, curl_easy_getinfo, , )
}

#define CURL_STUB(ret, name, params, args)                                                                   \
	STUB(curl_once, curl_load, curl_lib, curl_fn, ret, name, params, args)
#define CURL_VSTUB(name, params, args) VSTUB(curl_once, curl_load, curl_lib, curl_fn, name, params, args)
LIBCURL_FUNCS(CURL_STUB, CURL_VSTUB)

/* The value's type follows from the option's number, as libcurl itself
 * reads it (curl.h: CURLOPTTYPE_*). */
CURLcode curl_easy_setopt(CURL *c, CURLoption opt, ...)
{
	va_list ap;
	CURLcode r;

	pthread_once(&curl_once, curl_load);
	if (!curl_lib.handle)
		die(&curl_lib);
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		r = curl_fn.curl_easy_setopt(c, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		r = curl_fn.curl_easy_setopt(c, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		r = curl_fn.curl_easy_setopt(c, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		r = curl_fn.curl_easy_setopt(c, opt, va_arg(ap, curl_off_t));
	else
		r = curl_fn.curl_easy_setopt(c, opt, va_arg(ap, void *));
	va_end(ap);
	return r;
}

/* Every CURLINFO takes a pointer. */
CURLcode curl_easy_getinfo(CURL *c, CURLINFO info, ...)
{
	va_list ap;
	void *p;

	pthread_once(&curl_once, curl_load);
	if (!curl_lib.handle)
		die(&curl_lib);
	va_start(ap, info);
	p = va_arg(ap, void *);
	va_end(ap);
	return curl_fn.curl_easy_getinfo(c, info, p);
}

int dynlib_open(unsigned which, const char **err)
{
	struct lib *failed = NULL;

	if (which & DYNLIB_ARCHIVE) {
		pthread_once(&archive_once, archive_load);
		if (!archive_lib.handle)
			failed = &archive_lib;
	}
	if (!failed && (which & DYNLIB_CRYPTO)) {
		pthread_once(&crypto_once, crypto_load);
		if (!crypto_lib.handle)
			failed = &crypto_lib;
	}
	if (!failed && (which & DYNLIB_SERVE)) {
		pthread_once(&serve_once, serve_load);
		if (!mhd_lib.handle)
			failed = &mhd_lib;
	}
	if (!failed && (which & DYNLIB_CURL)) {
		pthread_once(&curl_once, curl_load);
		if (!curl_lib.handle)
			failed = &curl_lib;
	}
	*err = failed ? failed->error : NULL;
	return failed ? -1 : 0;
}

#else

int dynlib_open(unsigned which, const char **err)
{
	(void)which;
	*err = NULL;
	return 0; /* linked at start-up */
}

#endif /* CPOLC_LAZY_LIBS */
