/* serve.c - cpolc serve: a registry that composes images when they are
 * pulled (src/serve.c). */
#include "config.h"

#include "cmd.h"

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "serve.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s\n", line);
	pthread_mutex_unlock(&log_lock);
}

/* $XDG_STATE_HOME/cpolc/serve, else ~/.local/state/cpolc/serve. */
static char *default_state(void)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (x && *x == '/')
		return xasprintf("%s/cpolc/serve", x);
	return home && *home ? xasprintf("%s/.local/state/cpolc/serve", home) : NULL;
}

/* Wait for SIGTERM or SIGINT (blocked in every thread). */
static int wait_signal(const sigset_t *set)
{
	int sig = 0;

	while (sigwait(set, &sig) != 0)
		;
	return sig;
}

/* Serve until SIGTERM or SIGINT. */
static int run(const struct serve_opts *so, unsigned grace, const struct diag_opts *dopts)
{
	struct serve *s;
	struct diag d;
	sigset_t set;
	int sig;

	/* every thread blocks the stop signals; this one waits for them */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	diag_init(&d);
	s = serve_start(so, &d);
	if (s) {
		fprintf(stderr, "cpolc serve: listening on %s (port %u), state in '%s'\n", so->listen,
			serve_port(s), so->state);
		sig = wait_signal(&set);
		fprintf(stderr, "cpolc serve: signal %d: finishing the responses in flight\n", sig);
		serve_stop(s, grace);
	}
	return cmd_report(dopts, &d, s ? EXIT_OK : EXIT_USAGE);
}

#define ABOUT                                                                                                \
	"Serve the pull side of the OCI distribution API and compose each image when\n"                      \
	"it is first pulled: NAME:REF is the policy DIR/NAME.cpol evaluated against\n"                       \
	"the request DIR/NAME/REF.json. A pull is a lookup for as long as the policy,\n"                     \
	"the request, the catalogs and the client are unchanged; then it composes\n"                         \
	"again. A denial answers 403 DENIED with the deny messages. Every composition\n"                     \
	"and every manifest served is logged under --state before it is served.\n"                           \
	"With --gc-after, compositions nobody pulled for that long are removed.\n"                           \
	"SIGTERM or SIGINT stops it after the responses in flight.\n"

struct serve_args {
	struct serve_opts so;
	struct strvec cats;
	long long maxconn, timeout, maxcomp, maxqueue, ctimeout, grace, gc_after;
	int store_tls;
	struct diag_opts dopts;
};

/* Fill in what the options leave and serve. */
static int go(struct serve_args *a)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	a->so.exe = exe;
	a->so.catalogs = (const char *const *)a->cats.v;
	a->so.ncatalogs = a->cats.n;
	a->so.max_connections = (unsigned)a->maxconn, a->so.timeout = (unsigned)a->timeout;
	a->so.max_compositions = (unsigned)a->maxcomp, a->so.max_queue = (unsigned)a->maxqueue;
	a->so.compose_timeout = (unsigned)a->ctimeout;
	a->so.gc_after = (unsigned)a->gc_after;
	a->so.store_insecure = a->store_tls == 1;
	return run(&a->so, (unsigned)a->grace, &a->dopts);
}

int cmd_serve(int argc, char **argv)
{
	static const char *const tls_words[] = {"true", "false", NULL};
	struct serve_args a = {
		.so = {.listen = "127.0.0.1:5000", .log = log_line},
		.dopts = DIAG_OPTS_INIT,
		.maxconn = 256,
		.timeout = 30,
		.maxcomp = 2,
		.maxqueue = 64,
		.ctimeout = 600,
		.grace = 30,
	};
	struct serve_opts *so = &a.so;
	const struct opt opts[] = {
		OPT_STRING(0, "listen", &so->listen, "ADDR:PORT",
			   "where to listen (default 127.0.0.1:5000; port 0: any)"),
		OPT_STRING(0, "policies", &so->policies, "DIR",
			   "the policies: NAME is DIR/NAME.cpol (or .cpolb),\nREF is DIR/NAME/REF.json "
			   "(required)"),
		OPT_LIST('C', "catalog", &a.cats, "DIR", "resolve against the catalog DIR (repeat)"),
		OPT_STRING(0, "state", &so->state, "DIR",
			   "compositions, locks and logs (default:\n$XDG_STATE_HOME/cpolc/serve)"),
		OPT_STRING(0, "cache", &so->cache, "DIR", "the layer cache (default: as for build)"),
		OPT_STRING(0, "stdlib", &so->stdlib, "DIR", "search DIR first for imported modules"),
		OPT_GROUP("clients:"),
		OPT_STRING(0, "auth", &so->auth, "FILE",
			   "require Basic auth from the htpasswd FILE (bcrypt;\nUSER:HASH[:ROLE,...] lines)"),
		OPT_STRING(0, "tls-cert", &so->tls_cert, "FILE",
			   "serve HTTPS with this PEM certificate (chain)"),
		OPT_STRING(0, "tls-key", &so->tls_key, "FILE", "and this PEM private key"),
		OPT_STRING(0, "store", &so->store, "REGISTRY/REPO",
			   "share compositions through this registry: push each\n"
			   "one there, find others' there, send clients there for blobs"),
		OPT_STRING(0, "store-creds", &so->store_creds, "USER:PASSWORD",
			   "credentials for the store (default: the auth files)"),
		OPT_CHOICE(0, "store-tls-verify", &a.store_tls, "B", tls_words,
			   "false: no TLS verification for the store (a local test registry)"),
		OPT_INT(0, "max-connections", &a.maxconn, "N", 1, 100000,
			"open connections at most (default 256)"),
		OPT_INT(0, "timeout", &a.timeout, "SECONDS", 1, 86400,
			"close a connection idle this long (default 30)"),
		OPT_INT(0, "max-compositions", &a.maxcomp, "N", 1, 1024,
			"compositions running at once (default 2)"),
		OPT_INT(0, "max-queue", &a.maxqueue, "N", 0, 100000,
			"compositions waiting at most; more get 429 (default 64)"),
		OPT_INT(0, "compose-timeout", &a.ctimeout, "SECONDS", 1, 86400,
			"stop a composition that takes longer (default 600)"),
		OPT_INT(0, "grace", &a.grace, "SECONDS", 0, 3600,
			"on SIGTERM, wait this long for responses in flight\n(default 30)"),
		OPT_INT(0, "gc-after", &a.gc_after, "SECONDS", 0, 315360000,
			"remove a composition nobody pulled for this long\n(its lock stays; default 0: "
			"never)"),
		OPT_DIAG(&a.dopts),
		OPT_END(),
	};
	const struct opt_cmd c = {
		.name = "serve",
		.usage = "serve --policies DIR -C CATALOG... [--listen ADDR:PORT] [--state DIR] [--cache "
			 "DIR]\n"
			 "      [--auth HTPASSWD] [--tls-cert PEM --tls-key PEM]",
		.about = ABOUT,
		.opts = opts,
	};
	char *defstate = NULL;
	int r = opt_parse(&c, argc, argv);

	if (r != 0 || !so->policies)
		r = r < 0 ? opt_exit(r)
		    : r	  ? opt_usage_error(&c, "unexpected argument '%s'", argv[0])
			  : opt_usage_error(&c, "no policy directory given (--policies DIR)");
	else if (!so->state && !(so->state = defstate = default_state()))
		r = opt_usage_error(&c, "no state directory: give --state DIR, or set HOME");
	else
		r = go(&a);
	strvec_clear(&a.cats);
	free(defstate);
	return r;
}
