/* registry_auth.c - credentials (--creds, the auth files and the credential
 * helpers they name), Basic auth and Docker token auth (WWW-Authenticate
 * challenges, tokens per scope). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "registry_int.h"

#define MAX_AUTH_FILE	  (1u << 20)
#define MAX_TOKEN	  (16u << 10)
#define MAX_TOKENS	  64 /* scopes cached; the oldest goes first */
#define MAX_HELPER_OUT	  (64u << 10)
#define HELPER_TIMEOUT_MS 30000
#define MAX_HELPER_NAME	  64

extern char **environ;

/* ---- WWW-Authenticate ------------------------------------------------------- */

static bool tchar(char c)
{
	return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* A token or a quoted string at *s: a new string, *s past it; NULL when
 * neither is there. */
static char *param_value(const char **s)
{
	const char *p = *s;
	struct strbuf sb = STRBUF_INIT;

	if (*p != '"') {
		while (tchar(*p) || *p == '/' || *p == ':' || *p == '=')
			p++;
		if (p == *s)
			return NULL;
		sb_add(&sb, *s, (size_t)(p - *s));
	} else {
		for (p++; *p != '"'; p++) {
			if (!*p || (unsigned char)*p < 0x20) {
				sb_release(&sb);
				return NULL;
			}
			if (*p == '\\' && p[1])
				p++;
			sb_addc(&sb, *p);
		}
		p++;
	}
	*s = p;
	return sb_detach(&sb, NULL);
}

void reg_challenge_release(struct reg_challenge *c)
{
	free(c->scheme);
	free(c->realm);
	free(c->service);
	free(c->scope);
	free(c->error);
	memset(c, 0, sizeof(*c));
}

/* Parameters "k=v, k=v" of one challenge, up to the next scheme. */
static int parse_params(const char **sp, struct reg_challenge *c)
{
	const char *s = *sp;

	for (;;) {
		const char *k, *ke;
		char *v, **slot = NULL;

		s = skip_ws(s);
		while (*s == ',')
			s = skip_ws(s + 1);
		k = s;
		while (tchar(*s))
			s++;
		ke = s;
		s = skip_ws(s);
		if (ke == k || *s != '=') { /* the next challenge's scheme, or the end */
			*sp = k;
			return ke == k && *k ? -1 : 0;
		}
		s = skip_ws(s + 1);
		if (!(v = param_value(&s)))
			return -1;
#define IS(n) ((size_t)(ke - k) == sizeof(n) - 1 && !strncasecmp(k, n, sizeof(n) - 1))
		slot = IS("realm")     ? &c->realm
		       : IS("service") ? &c->service
		       : IS("scope")   ? &c->scope
		       : IS("error")   ? &c->error
				       : NULL;
#undef IS
		if (slot) {
			free(*slot);
			*slot = v;
		} else
			free(v);
		s = skip_ws(s);
		if (*s && *s != ',')
			return -1;
	}
}

int reg_parse_challenges(const char *h, struct reg_challenge *out, size_t max)
{
	const char *s = h ? h : "";
	size_t n = 0;

	for (;;) {
		const char *start;

		while (*s == ',' || *s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return (int)n;
		if (n == max)
			return (int)n; /* the rest is ignored */
		start = s;
		while (tchar(*s))
			s++;
		if (s == start || (*s && *s != ' ' && *s != '\t' && *s != ','))
			goto bad;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].scheme = xstrndup(start, (size_t)(s - start));
		if (parse_params(&s, &out[n++]) < 0)
			goto bad;
	}
bad:
	while (n)
		reg_challenge_release(&out[--n]);
	return -1;
}

/* ---- base64 --------------------------------------------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *reg_base64_encode(const void *data, size_t n)
{
	const unsigned char *p = data;
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

char *reg_base64_decode(const char *s, size_t *n)
{
	size_t len = strlen(s), k = 0;
	char *out;

	if (len % 4)
		return NULL;
	out = xmalloc(len / 4 * 3 + 1);
	for (size_t i = 0; i < len; i += 4) {
		unsigned v = 0;
		int pad = 0;
		for (size_t j = 0; j < 4; j++) {
			const char *c = s[i + j] ? strchr(b64, s[i + j]) : NULL;
			if (s[i + j] == '=' && i + 4 == len && j >= 2 && (j == 3 || s[i + 3] == '=')) {
				pad++;
				v <<= 6;
				continue;
			}
			if (!c || pad) {
				free(out);
				return NULL;
			}
			v = v << 6 | (unsigned)(c - b64);
		}
		if (v & (pad == 2 ? 0xffffu : pad == 1 ? 0xffu : 0)) { /* bits that encode nothing */
			free(out);
			return NULL;
		}
		out[k++] = (char)(v >> 16);
		if (pad < 2)
			out[k++] = (char)(v >> 8 & 255);
		if (pad < 1)
			out[k++] = (char)(v & 255);
	}
	out[k] = '\0';
	*n = k;
	return out;
}

/* ---- the auth files ------------------------------------------------------------ */

/* "https://index.docker.io/v1/" -> "index.docker.io" */
static bool key_is_host(const char *key, const char *host)
{
	static const char *const hub[] = {"docker.io", "index.docker.io", "registry-1.docker.io"};
	size_t n;
	bool key_hub = false, host_hub = false;

	if (!strncmp(key, "https://", 8))
		key += 8;
	else if (!strncmp(key, "http://", 7))
		key += 7;
	n = strcspn(key, "/");
	if (strlen(host) == n && !strncmp(key, host, n))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(hub); i++) {
		key_hub |= strlen(hub[i]) == n && !strncmp(key, hub[i], n);
		host_hub |= !strcmp(host, hub[i]);
	}
	return key_hub && host_hub;
}

/* ---- credential helpers ---------------------------------------------------------- */

static bool helper_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > MAX_HELPER_NAME)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return true;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run PROG get with url on its standard input; its standard output (at
 * most MAX_HELPER_OUT) in *out. Returns its exit status, 127 when it
 * cannot run, -1 when it took longer than HELPER_TIMEOUT_MS or said more
 * (killed). The URL is in the pipe before the helper starts, so a helper
 * that does not read it raises no SIGPIPE here. */
static int run_helper(const char *prog, const char *url, struct strbuf *out)
{
	char *argv[] = {(char *)prog, "get", NULL};
	posix_spawn_file_actions_t fa;
	int in[2] = {-1, -1}, o[2] = {-1, -1}, rc = 0, status;
	long long deadline = now_ms() + HELPER_TIMEOUT_MS;
	pid_t pid = -1;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(o, O_CLOEXEC) < 0 ||
	    write(in[1], url, strlen(url)) != (ssize_t)strlen(url)) {
		close(in[0]), close(in[1]), close(o[0]), close(o[1]);
		return 127;
	}
	close(in[1]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, o[1], 1);
	if (posix_spawnp(&pid, prog, &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]), close(o[1]);
	while (pid > 0) {
		struct pollfd pfd = {o[0], POLLIN, 0};
		char buf[4096];
		ssize_t n;
		int r = poll(&pfd, 1, 100);
		if (r < 0 && errno != EINTR)
			break;
		if (now_ms() >= deadline) /* however it trickles */
			rc = -1;
		else if (r > 0 && (n = read(o[0], buf, sizeof(buf))) != 0) {
			if (n < 0 && errno != EINTR)
				break;
			if (n > 0 && out->len + (size_t)n > MAX_HELPER_OUT)
				rc = -1;
			else if (n > 0)
				sb_add(out, buf, (size_t)n);
		} else if (r > 0) {
			break; /* end of its output */
		}
		if (rc < 0) {
			kill(pid, SIGKILL);
			break;
		}
	}
	close(o[0]);
	if (pid < 0)
		return 127;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The credentials of host from docker-credential-NAME (named by FILE's
 * credHelpers or credsStore), as docker and podman ask them: 1 with them,
 * 0 when the helper has none, -1 after reporting. */
static int creds_from_helper(const char *name, const char *file, const char *host, char **user, char **pass,
			     struct diag *d)
{
	char *prog, *url;
	struct strbuf out = STRBUF_INIT;
	const char *u, *p;
	json_t *j = NULL;
	int st, rc = -1;

	if (!helper_name_ok(name)) {
		diag_file_error(d, file, 0, 0, "registry-input", "bad credential helper name '%.64s'", name);
		return -1;
	}
	prog = xasprintf("docker-credential-%s", name);
	url = key_is_host("docker.io", host) ? xstrdup("https://index.docker.io/v1/") : xstrdup(host);
	st = run_helper(prog, url, &out);
	if (st != 0) {
		if (st > 0 && st != 127 && strstr(out.buf ? out.buf : "", "credentials not found"))
			rc = 0;
		else
			diag_file_error(d, file, 0, 0, "registry-input", "the credential helper '%s' %s",
					prog,
					st == 127 ? "cannot be run (is it on PATH?)"
					: st < 0  ? "took too long or said too much"
						  : "failed");
		goto out;
	}
	j = json_loadb(out.buf ? out.buf : "", out.len, JSON_REJECT_DUPLICATES, NULL);
	u = json_string_value(json_object_get(j, "Username"));
	p = json_string_value(json_object_get(j, "Secret"));
	if (!u || !p || !strcmp(u, "<token>")) {
		diag_file_error(d, file, 0, 0, "registry-input", "the credential helper '%s' %s for '%s'",
				prog,
				u && !strcmp(u, "<token>") ? "gave an identity token, which cpolc cannot use"
							   : "gave no Username and Secret",
				host);
		goto out;
	}
	*user = xstrdup(u);
	*pass = xstrdup(p);
	rc = 1;
out:
	json_decref(j);
	if (out.buf)
		memset(out.buf, 0, out.len);
	sb_release(&out);
	free(url);
	free(prog);
	return rc;
}

/* 1 with the credentials of host in the file, 0 when it has none or does
 * not exist, -1 when it cannot be read or is malformed. */
static int creds_from_file(const char *path, const char *host, char **user, char **pass, struct diag *d)
{
	char *data, *dec = NULL, *colon;
	size_t len;
	json_t *j, *auths, *e;
	json_error_t err;
	const char *key, *b;
	int rc = 0;

	if (read_file(path, &data, &len) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		diag_error(d, LOC_NONE, "registry-input", "cannot read '%s': %s", path, file_strerror(errno));
		return -1;
	}
	if (len > MAX_AUTH_FILE || !(j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err))) {
		diag_file_error(d, path, len > MAX_AUTH_FILE ? 0 : (unsigned)err.line, 0, "registry-input",
				"%s",
				len > MAX_AUTH_FILE ? "auth file larger than 1 MiB" : "malformed auth file");
		free(data);
		return -1;
	}
	free(data);
	json_object_foreach(json_object_get(j, "credHelpers"), key, e)
	{
		if (key_is_host(key, host) && json_is_string(e)) {
			rc = creds_from_helper(json_string_value(e), path, host, user, pass, d);
			json_decref(j);
			return rc;
		}
	}
	auths = json_object_get(j, "auths");
	json_object_foreach(auths, key, e)
	{
		if (!key_is_host(key, host) || !(b = json_string_value(json_object_get(e, "auth"))))
			continue;
		if (!(dec = reg_base64_decode(b, &len)) || strlen(dec) != len ||
		    !(colon = strchr(dec, ':'))) {
			diag_file_error(d, path, 0, 0, "registry-input",
					"the \"auth\" of '%s' is not base64 of USER:PASSWORD", host);
			rc = -1;
			break;
		}
		*colon = '\0';
		*user = xstrdup(dec);
		*pass = xstrdup(colon + 1);
		rc = 1;
		break;
	}
	if (rc == 0 && json_is_string(json_object_get(j, "credsStore")))
		rc = creds_from_helper(json_string_value(json_object_get(j, "credsStore")), path, host, user,
				       pass, d);
	free(dec);
	json_decref(j);
	return rc;
}

int reg_creds_lookup(const char *path, const char *host, char **user, char **pass, struct diag *d)
{
	const char *env = getenv("REGISTRY_AUTH_FILE"), *xrt = getenv("XDG_RUNTIME_DIR");
	const char *xch = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *files[4] = {NULL};
	size_t n = 0;
	int rc = 0;

	if (path)
		files[n++] = xstrdup(path);
	else {
		if (env && *env)
			files[n++] = xstrdup(env);
		if (xrt && *xrt)
			files[n++] = xasprintf("%s/containers/auth.json", xrt);
		if (xch && *xch)
			files[n++] = xasprintf("%s/containers/auth.json", xch);
		else if (home && *home)
			files[n++] = xasprintf("%s/.config/containers/auth.json", home);
		if (home && *home)
			files[n++] = xasprintf("%s/.docker/config.json", home);
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = creds_from_file(files[i], host, user, pass, d);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	return rc;
}

/* ---- tokens --------------------------------------------------------------------- */

static long long now_s(void)
{
	return now_ms() / 1000;
}

void reg_auth_release(struct registry *r)
{
	for (size_t i = 0; i < r->ntokens; i++) {
		free(r->tokens[i].scope);
		free(r->tokens[i].value);
	}
	free(r->tokens);
	r->tokens = NULL;
	r->ntokens = r->captokens = 0;
	free(r->realm);
	free(r->service);
	free(r->user);
	if (r->pass)
		memset(r->pass, 0, strlen(r->pass));
	free(r->pass);
	r->realm = r->service = r->user = r->pass = NULL;
}

void reg_auth_copy(struct registry *dst, const struct registry *src)
{
	dst->auth = src->auth;
	dst->realm = src->realm ? xstrdup(src->realm) : NULL;
	dst->service = src->service ? xstrdup(src->service) : NULL;
	dst->creds_state = src->creds_state;
	dst->user = src->user ? xstrdup(src->user) : NULL;
	dst->pass = src->pass ? xstrdup(src->pass) : NULL;
	for (size_t i = 0; i < src->ntokens; i++) {
		xgrow((void **)&dst->tokens, &dst->captokens, dst->ntokens + 1, sizeof(*dst->tokens));
		dst->tokens[dst->ntokens].scope = xstrdup(src->tokens[i].scope);
		dst->tokens[dst->ntokens].value = xstrdup(src->tokens[i].value);
		dst->tokens[dst->ntokens++].expires = src->tokens[i].expires;
	}
}

static int load_creds(struct registry *r, struct diag *d)
{
	const char *colon;

	if (r->creds_state)
		return 0;
	r->creds_state = -1;
	if (r->o.creds) {
		if (!(colon = strchr(r->o.creds, ':')) || colon == r->o.creds) {
			diag_error(d, LOC_NONE, "registry-input", "credentials are USER:PASSWORD");
			return -1;
		}
		r->user = xstrndup(r->o.creds, (size_t)(colon - r->o.creds));
		r->pass = xstrdup(colon + 1);
		r->creds_state = 1;
		return 0;
	}
	switch (reg_creds_lookup(r->o.auth_file, r->host, &r->user, &r->pass, d)) {
	case -1:
		return -1;
	case 1:
		r->creds_state = 1;
	}
	return 0;
}

static char *basic(const struct registry *r)
{
	char *up = xasprintf("%s:%s", r->user, r->pass), *enc = reg_base64_encode(up, strlen(up));
	char *h = xasprintf("Basic %s", enc);

	memset(up, 0, strlen(up));
	free(up);
	free(enc);
	return h;
}

/* Does have (space-separated "repository:NAME:ACTIONS") grant item? A
 * grant of "pull,push" covers "pull". */
static bool granted(const char *have, const char *item, size_t n)
{
	bool pull = n > 5 && !strncmp(item + n - 5, ":pull", 5);

	while (*have) {
		size_t len = strcspn(have, " ");
		if (!strncmp(have, item, n) &&
		    (len == n || (pull && len == n + 5 && !strncmp(have + n, ",push", 5))))
			return true;
		have += len;
		have += strspn(have, " ");
	}
	return false;
}

static bool covers(const char *have, const char *want)
{
	while (*want) {
		size_t len = strcspn(want, " ");
		if (len && !granted(have, want, len))
			return false;
		want += len;
		want += strspn(want, " ");
	}
	return true;
}

static struct reg_token *cached(struct registry *r, const char *scope)
{
	long long t = now_s();

	for (size_t i = r->ntokens; i-- > 0;)
		if (r->tokens[i].expires > t && covers(r->tokens[i].scope, scope))
			return &r->tokens[i];
	return NULL;
}

static void cache_token(struct registry *r, const char *scope, const char *value, long long ttl)
{
	struct reg_token *t;

	if (r->ntokens == MAX_TOKENS) {
		free(r->tokens[0].scope);
		free(r->tokens[0].value);
		memmove(r->tokens, r->tokens + 1, --r->ntokens * sizeof(*r->tokens));
	}
	xgrow((void **)&r->tokens, &r->captokens, r->ntokens + 1, sizeof(*r->tokens));
	t = &r->tokens[r->ntokens++];
	t->scope = xstrdup(scope);
	t->value = xstrdup(value);
	if (ttl > 24 * 3600)
		ttl = 24 * 3600;
	t->expires = now_s() + (ttl > 10 ? ttl - 5 : 55); /* 60 s when the server says nothing */
}

static void add_escaped(struct strbuf *sb, const char *s)
{
	for (; *s; s++)
		if (isalnum((unsigned char)*s) || strchr("-._~", *s))
			sb_addc(sb, *s);
		else
			sb_addf(sb, "%%%02X", (unsigned char)*s);
}

static bool token_valid(const char *t)
{
	size_t n = strlen(t);

	if (!n || n > MAX_TOKEN)
		return false;
	for (; *t; t++)
		if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
			return false;
	return true;
}

/* The token's URL: the realm with the service and each scope. */
static char *token_url(const struct registry *r, const char *scope)
{
	struct strbuf sb = STRBUF_INIT;
	char *sc = xstrdup(scope ? scope : ""), *save = NULL;
	char sep = strchr(r->realm, '?') ? '&' : '?';

	sb_adds(&sb, r->realm);
	if (r->service) {
		sb_addc(&sb, sep);
		sb_adds(&sb, "service=");
		add_escaped(&sb, r->service);
		sep = '&';
	}
	for (char *item = strtok_r(sc, " ", &save); item; item = strtok_r(NULL, " ", &save)) {
		sb_addc(&sb, sep);
		sb_adds(&sb, "scope=");
		add_escaped(&sb, item);
		sep = '&';
	}
	free(sc);
	return sb_detach(&sb, NULL);
}

static int fetch_token(struct registry *r, const char *scope, struct diag *d)
{
	char *url = token_url(r, scope), *auth = r->creds_state > 0 ? basic(r) : NULL;
	struct reg_req q = {.method = "GET",
			    .url = url,
			    .fd = -1,
			    .max_body = REGISTRY_MAX_BODY,
			    .no_auth = !auth,
			    .authorization = auth};
	struct reg_resp p = {0};
	json_t *j = NULL;
	const char *tok;
	int rc = -1;

	if (reg_do(r, &q, &p, d) < 0)
		goto out;
	if (p.hostile || p.status != 200) {
		reg_fail(d, &p, "get a token for '%s' from the registry's token server", scope);
		goto out;
	}
	j = json_loadb(p.body.buf, p.body.len, 0, NULL);
	tok = json_string_value(json_object_get(j, "token"));
	if (!tok)
		tok = json_string_value(json_object_get(j, "access_token"));
	if (!tok || !token_valid(tok)) {
		diag_error(d, LOC_NONE, "registry", "the token server of '%s' sent no valid token", r->host);
		goto out;
	}
	cache_token(r, scope, tok, (long long)json_integer_value(json_object_get(j, "expires_in")));
	rc = 0;
out:
	json_decref(j);
	reg_resp_release(&p);
	if (auth)
		memset(auth, 0, strlen(auth));
	free(auth);
	free(url);
	return rc;
}

int reg_auth_header(struct registry *r, const char *scope, char **header, struct diag *d)
{
	struct reg_token *t;

	*header = NULL;
	if (r->auth == REG_AUTH_NONE || (r->auth == REG_AUTH_BEARER && !scope))
		return 0;
	if (load_creds(r, d) < 0)
		return -1;
	if (r->auth == REG_AUTH_BASIC) {
		if (r->creds_state > 0)
			*header = basic(r);
		return 0;
	}
	if (!(t = cached(r, scope))) {
		if (fetch_token(r, scope, d) < 0)
			return -1;
		t = &r->tokens[r->ntokens - 1];
	}
	*header = xasprintf("Bearer %s", t->value);
	return 0;
}

/* The realm may be another host, but never plain http for an https
 * registry: credentials go there. */
static int take_realm(struct registry *r, const char *realm, struct diag *d)
{
	bool https = !r->base || !strncmp(r->base, "https://", 8);

	if (!realm || !(!strncmp(realm, "https://", 8) || (!https && !strncmp(realm, "http://", 7))) ||
	    strlen(realm) > 2048 || strpbrk(realm, " \t\r\n#")) {
		char *c = reg_clean(realm ? realm : "", realm ? strlen(realm) : 0, 200);
		diag_error(d, LOC_NONE, "registry", "the registry '%s' names a bad token realm '%s'", r->host,
			   c);
		free(c);
		return -1;
	}
	free(r->realm);
	r->realm = xstrdup(realm);
	return 0;
}

int reg_auth_challenged(struct registry *r, const char *www_auth, const char *scope, bool had_auth,
			struct diag *d)
{
	struct reg_challenge ch[REG_MAX_CHALLENGES];
	int n = reg_parse_challenges(www_auth, ch, REG_MAX_CHALLENGES), pick = -1, rc = 0;

	for (int i = 0; i < n; i++)
		if (!strcasecmp(ch[i].scheme, "Bearer") || (pick < 0 && !strcasecmp(ch[i].scheme, "Basic")))
			pick = i;
	if (pick < 0) {
		diag_error(d, LOC_NONE, "registry",
			   "the registry '%s' asks for credentials in a way cpolc does not know", r->host);
		rc = -1;
	} else if (!strcasecmp(ch[pick].scheme, "Basic")) {
		if (had_auth && r->auth == REG_AUTH_BASIC) {
			diag_error(d, LOC_NONE, "registry",
				   "the registry '%s' refused the credentials of '%s'", r->host,
				   r->user ? r->user : "");
			rc = -1;
		}
		r->auth = REG_AUTH_BASIC;
	} else if (take_realm(r, ch[pick].realm, d) < 0) {
		rc = -1;
	} else {
		r->auth = REG_AUTH_BEARER;
		free(r->service);
		r->service = ch[pick].service ? xstrdup(ch[pick].service) : NULL;
		for (size_t i = 0; scope && i < r->ntokens; i++)
			if (covers(r->tokens[i].scope, scope))
				r->tokens[i].expires = 0; /* refused: fetch another */
	}
	for (int i = 0; i < n; i++)
		reg_challenge_release(&ch[i]);
	return rc;
}
