/* ast.c - syntax tree nodes: allocation, release and names for messages. */
#include "config.h"

#include "ast.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The nodes of one tree: chunks of doubling size, newest first. */
struct ast_pool {
	struct ast_pool *next; /* the previous (smaller) chunk */
	size_t used, cap;
	struct ast nodes[];
};

enum { POOL_FIRST = 16, POOL_MAX = 4096 };

/* A chunk's nodes are zeroed one by one as they are handed out, not by
 * calloc: the first touch of each page is then a write. A page that a read
 * touches first (fin reading a node's children) is mapped to the zero page,
 * and the write that follows faults a second time. */
static struct ast_pool *pool_chunk(struct ast_pool *next, size_t cap)
{
	struct ast_pool *p = xmalloc(sizeof(*p) + cap * sizeof(p->nodes[0]));

	p->next = next;
	p->used = 0;
	p->cap = cap;
	return p;
}

static struct ast *init_node(struct ast *n, enum ast_kind kind, struct loc loc)
{
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->loc = loc;
	n->nameloc = loc;
	n->depth = 1;
	return n;
}

struct ast *ast_new_root(struct loc loc)
{
	struct ast_pool *p = pool_chunk(NULL, POOL_FIRST);
	struct ast *root = &p->nodes[p->used++];

	init_node(root, AST_MODULE, loc);
	root->pool = p;
	return root;
}

struct ast *ast_new(struct ast *root, enum ast_kind kind, struct loc loc)
{
	struct ast_pool *p = root->pool;

	if (p->used == p->cap)
		root->pool = p = pool_chunk(p, p->cap < POOL_MAX ? 2 * p->cap : POOL_MAX);
	return init_node(&p->nodes[p->used++], kind, loc);
}

void ast_list_push(struct ast_list *l, struct ast *n)
{
	if (l->n == l->cap) {
		size_t cap = l->cap;
		xgrow((void **)&l->v, &cap, (size_t)l->n + 1, sizeof(*l->v));
		l->cap = (uint32_t)cap;
	}
	l->v[l->n++] = n;
}

void ast_list_release(struct ast_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		ast_free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Trees are at most PARSE_MAX_DEPTH deep (the parser refuses deeper ones),
 * so plain recursion is safe here. */
void ast_free(struct ast *n)
{
	struct ast_pool *p;

	if (!n)
		return;
	ast_free(n->a);
	ast_free(n->b);
	ast_free(n->c);
	ast_list_release(&n->kids);
	ast_list_release(&n->params);
	free(n->str);
	free(n->alias);
	free(n->fold);
	for (p = n->pool; p;) { /* a root: the node itself is in the last chunk */
		struct ast_pool *next = p->next;
		free(p);
		p = next;
	}
}

static const char *const kind_names[] = {
	[AST_NULL] = "null",
	[AST_BOOL] = "bool",
	[AST_INT] = "integer",
	[AST_STRING] = "string",
	[AST_NAME] = "name",
	[AST_INPUT] = "input",
	[AST_SELECTED] = "selected",
	[AST_LIST] = "list",
	[AST_COMP] = "comprehension",
	[AST_FIELD] = "field",
	[AST_INDEX] = "index",
	[AST_CALL] = "call",
	[AST_UNARY] = "unary",
	[AST_BINARY] = "binary",
	[AST_QUANT] = "quantifier",
	[AST_RECORD] = "record",
	[AST_MEMBER] = "member",
	[AST_INCLUDE] = "include",
	[AST_EXCLUDE] = "exclude",
	[AST_ADMIT] = "admit",
	[AST_USE] = "use",
	[AST_LET] = "let",
	[AST_IF] = "if",
	[AST_BLOCK] = "block",
	[AST_DENY] = "deny",
	[AST_WARN] = "warn",
	[AST_PLATFORM] = "platform",
	[AST_BASE] = "base",
	[AST_FROM] = "from",
	[AST_CONFIG] = "config",
	[AST_FILE] = "file",
	[AST_IMPORT] = "import",
	[AST_CONST] = "const",
	[AST_FRAGMENT] = "fragment",
	[AST_PARAM] = "parameter",
	[AST_POLICY] = "policy",
	[AST_MODULE] = "module",
	[AST_ERROR] = "error",
	[AST_TEST] = "test",
	[AST_REQUEST] = "request",
	[AST_EXPECT] = "expect",
	[AST_SCHEMA] = "input schema",
	[AST_SFIELD] = "schema field",
	[AST_STYPE] = "type",
	[AST_ACCOUNT] = "account",
	[AST_GROUP] = "group",
	[AST_DIRECTORY] = "directory",
	[AST_ATTR] = "attribute",
};

const char *ast_kind_name(enum ast_kind kind)
{
	if ((size_t)kind < ARRAY_SIZE(kind_names) && kind_names[kind])
		return kind_names[kind];
	return "?";
}

static const char *const op_names[] = {
	[AST_OP_NONE] = "",	   [AST_OP_EQ] = "==", [AST_OP_NE] = "!=",  [AST_OP_LT] = "<",
	[AST_OP_LE] = "<=",	   [AST_OP_GT] = ">",  [AST_OP_GE] = ">=",  [AST_OP_IN] = "in",
	[AST_OP_NOTIN] = "not in", [AST_OP_ADD] = "+", [AST_OP_SUB] = "-",  [AST_OP_MUL] = "*",
	[AST_OP_DIV] = "/",	   [AST_OP_MOD] = "%", [AST_OP_AND] = "&&", [AST_OP_OR] = "||",
	[AST_OP_COALESCE] = "??",  [AST_OP_NOT] = "!", [AST_OP_NEG] = "-",  [AST_OP_ANY] = "any",
	[AST_OP_ALL] = "all",
};

const char *ast_op_name(int op)
{
	if (op >= 0 && (size_t)op < ARRAY_SIZE(op_names) && op_names[op])
		return op_names[op];
	return "?";
}

static const char *const config_names[] = {
	[CFG_ENTRYPOINT] = "entrypoint",
	[CFG_CMD] = "cmd",
	[CFG_ENV] = "env",
	[CFG_USER] = "user",
	[CFG_WORKDIR] = "workdir",
	[CFG_LABEL] = "label",
	[CFG_ANNOTATION] = "annotation",
	[CFG_EXPOSE] = "expose",
	[CFG_VOLUME] = "volume",
	[CFG_STOPSIGNAL] = "stopsignal",
};

const char *ast_config_name(int cfg)
{
	if (cfg > 0 && (size_t)cfg < ARRAY_SIZE(config_names) && config_names[cfg])
		return config_names[cfg];
	return "?";
}

static void dump(struct strbuf *sb, const struct ast *n);

static void dump_str(struct strbuf *sb, const char *s, size_t len)
{
	sb_addc(sb, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			sb_addf(sb, "\\%c", c);
		else if (c == '\n')
			sb_adds(sb, "\\n");
		else if (c < 0x20 || c == 0x7f)
			sb_addf(sb, "\\x%02x", c);
		else
			sb_addc(sb, (char)c);
	}
	sb_addc(sb, '"');
}

static void dump_list(struct strbuf *sb, const struct ast_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		sb_addc(sb, ' ');
		dump(sb, l->v[i]);
	}
}

static void dump_stmt(struct strbuf *sb, const struct ast *n)
{
	sb_addf(sb, "(%s", n->kind == AST_CONFIG ? ast_config_name(n->op) : ast_kind_name(n->kind));
	if (n->str) {
		sb_addc(sb, ' ');
		dump_str(sb, n->str, n->len);
	}
	if (n->alias)
		sb_addf(sb, " as %s", n->alias);
	if (n->kind != AST_CONFIG && n->op)
		sb_addf(sb, " %s", ast_op_name(n->op));
	if (n->has_mode)
		sb_addf(sb, " mode=0o%llo", (unsigned long long)n->num);
	if (n->params.n) {
		sb_adds(sb, " (");
		for (size_t i = 0; i < n->params.n; i++)
			sb_addf(sb, "%s%s", i ? " " : "", n->params.v[i]->str);
		sb_addc(sb, ')');
	}
	const struct ast *sub[3] = {n->a, n->b, n->c};
	for (size_t i = 0; i < 3; i++) {
		if (sub[i]) {
			sb_addc(sb, ' ');
			dump(sb, sub[i]);
		}
	}
	if (n->kids.n || n->kind == AST_POLICY || n->kind == AST_FRAGMENT || n->kind == AST_IF ||
	    n->kind == AST_BLOCK || n->kind == AST_MODULE) {
		sb_adds(sb, " {");
		dump_list(sb, &n->kids);
		sb_adds(sb, " }");
	}
	sb_addc(sb, ')');
}

/* The expressions without children. Returns false for any other node. */
static bool dump_leaf(struct strbuf *sb, const struct ast *n)
{
	switch (n->kind) {
	case AST_NULL:
		sb_adds(sb, "null");
		return true;
	case AST_BOOL:
		sb_adds(sb, n->num ? "true" : "false");
		return true;
	case AST_INT:
		sb_addf(sb, "%lld", (long long)n->num);
		return true;
	case AST_STRING:
		dump_str(sb, n->str, n->len);
		return true;
	case AST_NAME:
		sb_adds(sb, n->str);
		return true;
	case AST_INPUT:
		sb_adds(sb, "input");
		return true;
	case AST_SELECTED:
		sb_adds(sb, "selected");
		return true;
	case AST_ERROR:
		sb_adds(sb, "<error>");
		return true;
	default:
		return false;
	}
}

static void dump(struct strbuf *sb, const struct ast *n)
{
	if (!n) {
		sb_adds(sb, "<nil>");
		return;
	}
	if (dump_leaf(sb, n))
		return;
	switch (n->kind) {
	case AST_LIST:
		sb_addc(sb, '[');
		for (size_t i = 0; i < n->kids.n; i++) {
			if (i)
				sb_addc(sb, ' ');
			dump(sb, n->kids.v[i]);
		}
		sb_addc(sb, ']');
		break;
	case AST_RECORD:
		sb_addc(sb, '{');
		for (size_t i = 0; i < n->kids.n; i++) {
			if (i)
				sb_addc(sb, ' ');
			dump_str(sb, n->kids.v[i]->str, n->kids.v[i]->len);
			sb_addc(sb, ':');
			dump(sb, n->kids.v[i]->a);
		}
		sb_addc(sb, '}');
		break;
	case AST_COMP:
		sb_addf(sb, "(for %s ", n->str);
		dump(sb, n->a);
		sb_addc(sb, ' ');
		dump(sb, n->b);
		if (n->c) {
			sb_adds(sb, " if ");
			dump(sb, n->c);
		}
		sb_addc(sb, ')');
		break;
	case AST_FIELD:
		sb_adds(sb, "(. ");
		dump(sb, n->a);
		sb_addf(sb, " %s)", n->str);
		break;
	case AST_INDEX:
		sb_adds(sb, "([] ");
		dump(sb, n->a);
		sb_addc(sb, ' ');
		dump(sb, n->b);
		sb_addc(sb, ')');
		break;
	case AST_CALL:
		sb_addf(sb, "(%s", n->str);
		dump_list(sb, &n->kids);
		sb_addc(sb, ')');
		break;
	case AST_UNARY:
		sb_addf(sb, "(%s ", ast_op_name(n->op));
		dump(sb, n->a);
		sb_addc(sb, ')');
		break;
	case AST_BINARY:
		sb_addf(sb, "(%s ", ast_op_name(n->op));
		dump(sb, n->a);
		sb_addc(sb, ' ');
		dump(sb, n->b);
		sb_addc(sb, ')');
		break;
	case AST_QUANT:
		sb_addf(sb, "(%s %s ", ast_op_name(n->op), n->str);
		dump(sb, n->a);
		sb_addc(sb, ' ');
		dump(sb, n->b);
		sb_addc(sb, ')');
		break;
	default:
		dump_stmt(sb, n);
		break;
	}
}

char *ast_dump(const struct ast *n)
{
	struct strbuf sb = STRBUF_INIT;

	dump(&sb, n);
	return sb_detach(&sb, NULL);
}
