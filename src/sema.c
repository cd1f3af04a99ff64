/* sema.c - name resolution and static checks over a loaded program.
 *
 * Modules are checked imports first, so that a reference to another
 * module's const can be folded. Within a module: the top-level names are
 * collected (duplicates reported), then consts in order, then fragments and
 * policies, each with a stack of local bindings (params, lets, binders).
 * Fragment recursion is found last by a depth-first walk over `use` edges.
 */
#include "config.h"

#include "sema.h"
#include "schema.h"

#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "util.h"

const struct sema_builtin_info sema_builtins[BUILTIN_COUNT] = {
#define X(id, name, arity) {name, arity},
	SEMA_BUILTINS(X)
#undef X
};

int sema_builtin_lookup(const char *name)
{
	for (int i = 0; i < BUILTIN_COUNT; i++)
		if (!strcmp(sema_builtins[i].name, name))
			return i;
	return -1;
}

/* ---- a small string map for top-level names ------------------------------ */

struct smap_ent {
	const char *key;
	struct ast *node;
	size_t index; /* declaration order, for const ordering */
};

struct smap {
	struct smap_ent *v;
	size_t n, cap; /* cap is 0 or a power of two */
};

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct smap_ent *smap_slot(const struct smap *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = hash_str(key) & (m->cap - 1); m->v[i].key; i = (i + 1) & (m->cap - 1))
		if (!strcmp(m->v[i].key, key))
			return &m->v[i];
	return &m->v[i];
}

static struct smap_ent *smap_get(const struct smap *m, const char *key)
{
	struct smap_ent *e = smap_slot(m, key);
	return e && e->key ? e : NULL;
}

static void smap_put(struct smap *m, const char *key, struct ast *node, size_t index);

/* Set key, in place when it is there. */
static void smap_set(struct smap *m, const char *key, struct ast *node, size_t index)
{
	struct smap_ent *e = smap_get(m, key);

	if (e) {
		e->node = node;
		e->index = index;
	} else {
		smap_put(m, key, node, index);
	}
}

static void smap_put(struct smap *m, const char *key, struct ast *node, size_t index)
{
	struct smap_ent *e;

	if (2 * (m->n + 1) > m->cap) {
		struct smap old = *m;
		m->cap = old.cap ? 2 * old.cap : 16;
		m->v = xcalloc(m->cap, sizeof(*m->v));
		m->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.v[i].key)
				smap_put(m, old.v[i].key, old.v[i].node, old.v[i].index);
		free(old.v);
	}
	e = smap_slot(m, key);
	e->key = key;
	e->node = node;
	e->index = index;
	m->n++;
}

/* ---- checker state ------------------------------------------------------- */

struct binding {
	const char *name;
	struct ast *node;
	size_t prev; /* the index of the binding of name this one hides, or NO_BINDING */
};
#define NO_BINDING SIZE_MAX

struct mscope {
	struct module *m;
	struct smap names; /* consts, fragments, import bindings */
	int state;	   /* 0 new, 1 checking, 2 checked */
};

struct sema {
	struct diag *d;
	struct program *p;
	struct mscope *ms; /* one per p->mods[i] */
	struct mscope *cur;
	struct binding *scope; /* local bindings, innermost last */
	size_t nscope, capscope;
	struct smap local;	  /* name -> its innermost binding (node NULL: none) */
	size_t block;		  /* first binding of the current block */
	bool allow_selected;	  /* in a deny/warn condition or admit filter */
	bool in_test;		  /* in a test block */
	const struct ast *schema; /* the input schema of the module being checked, or NULL */
	struct ast *in_const;	  /* the const being checked, or NULL */
	size_t const_index;
};

static struct mscope *scope_of(struct sema *S, const struct module *m)
{
	for (size_t i = 0; i < S->p->nmods; i++)
		if (S->p->mods[i] == m)
			return &S->ms[i];
	return NULL;
}

static const char *import_name(const struct ast *imp)
{
	return imp->alias ? imp->alias : imp->str;
}

static const char *decl_what(const struct ast *n)
{
	switch (n->kind) {
	case AST_CONST:
		return "const";
	case AST_FRAGMENT:
		return "fragment";
	case AST_IMPORT:
		return "import";
	case AST_LET:
		return "let";
	case AST_PARAM:
		return "parameter";
	case AST_POLICY:
		return "policy";
	default:
		return "name";
	}
}

static void duplicate(struct sema *S, struct ast *n, struct ast *prev, const char *name)
{
	diag_error(S->d, n->nameloc, "duplicate", "duplicate declaration of '%s'", name);
	diag_set_related(S->d, prev->nameloc);
	diag_note(S->d, prev->nameloc, "'%s' was first declared here as a %s", name, decl_what(prev));
}

static void collect_names(struct sema *S, struct mscope *ms)
{
	struct ast *root = ms->m->root;
	struct smap policies = {NULL, 0, 0};

	for (size_t i = 0; i < root->kids.n; i++) {
		struct ast *n = root->kids.v[i];
		const char *name;
		struct smap *map = &ms->names;
		struct smap_ent *e;

		if (n->kind == AST_IMPORT)
			name = import_name(n);
		else if (n->kind == AST_CONST || n->kind == AST_FRAGMENT)
			name = n->str;
		else if (n->kind == AST_POLICY)
			name = n->str, map = &policies;
		else
			continue;
		e = smap_get(map, name);
		if (e)
			duplicate(S, n, e->node, name);
		else
			smap_put(map, name, n, i);
	}
	free(policies.v);
}

/* ---- folding ------------------------------------------------------------- */

const char *sema_type_name(enum sema_type t)
{
	static const char *const names[] = {"value",  "null", "bool",	 "integer",
					    "string", "list", "version", "record"};
	return (size_t)t < ARRAY_SIZE(names) ? names[t] : "value";
}

static void fold(const struct ast *e, struct sema_value *v, long *work);
static void fold_binding(struct ast *b, struct sema_value *v, long *work);

static void set_bool(struct sema_value *v, bool known, bool b)
{
	v->type = SV_BOOL;
	v->known = known;
	v->i = b;
}

static void set_int(struct sema_value *v, bool ok, int64_t i)
{
	v->type = SV_INT;
	v->known = ok;
	v->i = ok ? i : 0;
}

static void fold_arith(int op, const struct sema_value *a, const struct sema_value *b, struct sema_value *v)
{
	int64_t r = 0;
	bool ok = a->known && b->known && a->type == SV_INT && b->type == SV_INT;

	if (op == AST_OP_ADD && (a->type == SV_STRING || b->type == SV_STRING)) {
		v->type = SV_STRING;
		return;
	}
	if (op == AST_OP_ADD && (a->type == SV_LIST || b->type == SV_LIST)) {
		v->type = SV_LIST;
		return;
	}
	if (!(a->type == SV_INT || a->type == SV_UNKNOWN) || !(b->type == SV_INT || b->type == SV_UNKNOWN))
		return;
	if (ok) {
		switch (op) {
		case AST_OP_ADD:
			ok = !__builtin_add_overflow(a->i, b->i, &r);
			break;
		case AST_OP_SUB:
			ok = !__builtin_sub_overflow(a->i, b->i, &r);
			break;
		case AST_OP_MUL:
			ok = !__builtin_mul_overflow(a->i, b->i, &r);
			break;
		case AST_OP_DIV:
		case AST_OP_MOD:
			ok = b->i != 0 && !(a->i == INT64_MIN && b->i == -1);
			if (ok)
				r = op == AST_OP_DIV ? a->i / b->i : a->i % b->i;
			break;
		}
	}
	if (a->type == SV_INT && b->type == SV_INT)
		set_int(v, ok, r);
	else if (op != AST_OP_ADD)
		v->type = SV_INT;
}

static bool scalar_known(const struct sema_value *v)
{
	return v->known &&
	       (v->type == SV_NULL || v->type == SV_BOOL || v->type == SV_INT || v->type == SV_STRING);
}

static bool values_equal(const struct sema_value *a, const struct sema_value *b)
{
	if (a->type != b->type)
		return false;
	if (a->type == SV_STRING)
		return a->len == b->len && !memcmp(a->s, b->s, a->len);
	return a->type == SV_NULL || a->i == b->i;
}

static void fold_compare(int op, const struct sema_value *a, const struct sema_value *b, struct sema_value *v)
{
	int c;

	set_bool(v, false, false);
	if (!scalar_known(a) || !scalar_known(b))
		return;
	if (op == AST_OP_EQ || op == AST_OP_NE) {
		set_bool(v, true, values_equal(a, b) == (op == AST_OP_EQ));
		return;
	}
	if (a->type == SV_NULL || b->type == SV_NULL) {
		set_bool(v, true, false);
		return;
	}
	if (a->type != b->type || a->type == SV_BOOL)
		return; /* a type error, reported by the checker */
	if (a->type == SV_INT) {
		c = a->i < b->i ? -1 : a->i > b->i;
	} else {
		c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
		if (!c)
			c = a->len < b->len ? -1 : a->len > b->len;
	}
	switch (op) {
	case AST_OP_LT:
		set_bool(v, true, c < 0);
		break;
	case AST_OP_LE:
		set_bool(v, true, c <= 0);
		break;
	case AST_OP_GT:
		set_bool(v, true, c > 0);
		break;
	case AST_OP_GE:
		set_bool(v, true, c >= 0);
		break;
	}
}

static void fold_binary(const struct ast *e, struct sema_value *v, long *work)
{
	struct sema_value a, b;

	fold(e->a, &a, work);
	switch (e->op) {
	case AST_OP_AND:
	case AST_OP_OR:
		if (a.type == SV_BOOL && a.known && a.i == (e->op == AST_OP_OR)) {
			set_bool(v, true, a.i);
			return;
		}
		fold(e->b, &b, work);
		set_bool(v, a.known && b.known && a.type == SV_BOOL && b.type == SV_BOOL, b.i);
		return;
	case AST_OP_COALESCE:
		if (a.type == SV_NULL) {
			fold(e->b, v, work);
			return;
		}
		if (a.type != SV_UNKNOWN)
			*v = a;
		return;
	default:
		break;
	}
	fold(e->b, &b, work);
	switch (e->op) {
	case AST_OP_IN:
	case AST_OP_NOTIN:
		set_bool(v, false, false);
		break;
	case AST_OP_ADD:
	case AST_OP_SUB:
	case AST_OP_MUL:
	case AST_OP_DIV:
	case AST_OP_MOD:
		fold_arith(e->op, &a, &b, v);
		break;
	default:
		fold_compare(e->op, &a, &b, v);
		break;
	}
}

static enum sema_type builtin_type(int64_t id)
{
	switch (id) {
	case BUILTIN_LEN:
	case BUILTIN_SUM:
		return SV_INT;
	case BUILTIN_LOWER:
	case BUILTIN_UPPER:
	case BUILTIN_JOIN:
	case BUILTIN_STRING:
	case BUILTIN_HUMAN_SIZE:
		return SV_STRING;
	case BUILTIN_STARTSWITH:
	case BUILTIN_ENDSWITH:
	case BUILTIN_CONTAINS:
	case BUILTIN_GLOB:
		return SV_BOOL;
	case BUILTIN_SPLIT:
		return SV_LIST;
	case BUILTIN_VERSION:
		return SV_VERSION;
	default:
		return SV_UNKNOWN;
	}
}

static void fold_unary(const struct ast *e, struct sema_value *v, long *work)
{
	struct sema_value a;

	fold(e->a, &a, work);
	if (e->op == AST_OP_NOT)
		set_bool(v, a.known && a.type == SV_BOOL, !a.i);
	else if (a.type == SV_INT || a.type == SV_UNKNOWN)
		set_int(v, a.known && a.type == SV_INT && a.i != INT64_MIN,
			a.i == INT64_MIN ? 0 : -a.i); /* -INT64_MIN overflows: not known */
}

/* What following a name to a binding not checked yet costs of FOLD_WORK:
 * such a chain is then at most 1,250 deep, whatever the build's frames. */
#define FOLD_DEPTH_COST 16

/* The value of a let or const: folded once and kept, when its expression
 * is checked (before, its names may not be resolved yet). A chain of
 * 200,000 lets folded each let's whole chain again. */
static void fold_binding(struct ast *b, struct sema_value *v, long *work)
{
	if (!b->fold_ready) { /* not checked yet: folded, not kept */
		if (b->fold_state == 1)
			return; /* it uses itself: unknown (its check reports the cycle) */
		b->fold_state = 1;
		*work -= FOLD_DEPTH_COST; /* so the recursion through names is shallow */
		fold(b->a, v, work);
		b->fold_state = 0;
		return;
	}
	if (b->fold_state == 1) /* a cycle: unknown */
		return;
	if (b->fold_state == 0) {
		b->fold_state = 1;
		fold(b->a, v, work);
		if (!b->fold)
			b->fold = xmalloc(sizeof(*b->fold));
		*b->fold = (struct ast_fold){(uint8_t)v->type, v->known, v->i, v->s, v->len};
		b->fold_state = 2;
		return;
	}
	v->type = (enum sema_type)b->fold->type;
	v->known = b->fold->known;
	v->i = b->fold->i;
	v->s = b->fold->s;
	v->len = b->fold->len;
}

static void fold(const struct ast *e, struct sema_value *v, long *work)
{
	memset(v, 0, sizeof(*v));
	if (!e || --*work < 0)
		return; /* out of work: lets like x2 = x1 + x1 would fold exponentially */
	switch (e->kind) {
	case AST_NULL:
		v->type = SV_NULL, v->known = true;
		break;
	case AST_BOOL:
		set_bool(v, true, e->num != 0);
		break;
	case AST_INT:
		set_int(v, e->op == 0, e->num);
		break;
	case AST_STRING:
		v->type = SV_STRING, v->known = true;
		v->s = e->str, v->len = e->len;
		break;
	case AST_NAME:
		if (e->ref && (e->ref->kind == AST_LET || e->ref->kind == AST_CONST))
			fold_binding(e->ref, v, work);
		break;
	case AST_LIST:
	case AST_COMP:
	case AST_SELECTED:
		v->type = SV_LIST;
		break;
	case AST_RECORD:
		v->type = SV_RECORD;
		break;
	case AST_CALL:
		v->type = e->num < 0 ? SV_UNKNOWN : builtin_type(e->num);
		break;
	case AST_QUANT:
		set_bool(v, false, false);
		break;
	case AST_UNARY:
		fold_unary(e, v, work);
		break;
	case AST_BINARY:
		fold_binary(e, v, work);
		break;
	default:
		break;
	}
}

/* Node visits allowed per fold: bounds the time and, since the recursion
 * follows names into other expressions, the stack depth too. */
#define FOLD_WORK 20000

void sema_fold(const struct ast *e, struct sema_value *v)
{
	long work = FOLD_WORK;

	fold(e, v, &work);
}

/* ---- expressions --------------------------------------------------------- */

static void check_expr(struct sema *S, struct ast *e);
static void check_test(struct sema *S, struct ast *root, struct ast *t);

/* The local bindings are a stack, and a map from each name to its
 * innermost binding: scanning the stack made 200,000 lets quadratic. */
static struct ast *lookup_local(struct sema *S, const char *name)
{
	struct smap_ent *e = smap_get(&S->local, name);

	return e ? e->node : NULL;
}

static void push_binding(struct sema *S, const char *name, struct ast *node)
{
	struct smap_ent *e = smap_get(&S->local, name);

	if (e && e->node && e->index >= S->block) /* twice in one block */
		duplicate(S, node, e->node, name);
	xgrow((void **)&S->scope, &S->capscope, S->nscope + 1, sizeof(*S->scope));
	S->scope[S->nscope].name = name;
	S->scope[S->nscope].node = node;
	S->scope[S->nscope].prev = e && e->node ? e->index : NO_BINDING;
	smap_set(&S->local, name, node, S->nscope);
	S->nscope++;
}

/* Drop the bindings made since the stack had n. */
static void pop_bindings(struct sema *S, size_t n)
{
	while (S->nscope > n) {
		const struct binding *b = &S->scope[--S->nscope];
		if (b->prev == NO_BINDING)
			smap_set(&S->local, b->name, NULL, 0);
		else
			smap_set(&S->local, b->name, S->scope[b->prev].node, b->prev);
	}
}

static void type_error(struct sema *S, const struct ast *e, const char *what, const struct sema_value *v)
{
	diag_error(S->d, e->loc, "type", "%s must be a bool, not %s %s", what,
		   v->type == SV_INT || v->type == SV_NULL ? "an" : "a", sema_type_name(v->type));
}

/* A condition, operand of && || !, filter or quantifier body. */
static void need_bool(struct sema *S, const struct ast *e, const char *what)
{
	struct sema_value v;

	if (!e || e->kind == AST_ERROR)
		return;
	sema_fold(e, &v);
	if (v.type != SV_UNKNOWN && v.type != SV_BOOL)
		type_error(S, e, what, &v);
}

static void need_string(struct sema *S, const struct ast *e, const char *what)
{
	struct sema_value v;

	if (!e || e->kind == AST_ERROR)
		return;
	sema_fold(e, &v);
	if (v.type != SV_UNKNOWN && v.type != SV_STRING)
		diag_error(S->d, e->loc, "type", "%s must be a string, not %s%s", what,
			   v.type == SV_NULL  ? ""
			   : v.type == SV_INT ? "an "
					      : "a ",
			   sema_type_name(v.type));
}

static void mark_reads(struct ast *e, const struct ast *from)
{
	if (from) {
		e->reads_input |= from->reads_input;
		e->reads_selected |= from->reads_selected;
	}
}

/* A reference to a top-level name of module scope ms, from expression e. */
static void ref_global(struct sema *S, struct ast *e, struct smap_ent *ent, bool local_module)
{
	struct ast *decl = ent->node;

	if (decl->kind == AST_FRAGMENT) {
		diag_error(S->d, e->loc, "unknown-name", "'%s' is a fragment, not a value; write 'use %s;'",
			   decl->str, decl->str);
		return;
	}
	if (decl->kind == AST_IMPORT) {
		decl->used++;
		diag_error(S->d, e->loc, "unknown-name",
			   "'%s' is a module; name one of its consts as %s.NAME", import_name(decl),
			   import_name(decl));
		return;
	}
	if (S->in_const && local_module && ent->index >= S->const_index) {
		if (decl == S->in_const)
			diag_error(S->d, e->loc, "const-cycle", "const '%s' refers to itself", decl->str);
		else
			diag_error(S->d, e->loc, "const-cycle",
				   "const '%s' uses '%s', which is declared after it (consts may only use "
				   "earlier consts)",
				   S->in_const->str, decl->str);
	}
	e->ref = decl;
	decl->used++;
}

static void check_name(struct sema *S, struct ast *e)
{
	struct ast *b = lookup_local(S, e->str);
	struct smap_ent *ent;

	if (b) {
		e->ref = b;
		if (b->kind == AST_LET)
			b->used++;
		if (b->kind == AST_PARAM)
			e->reads_input = true;
		else if (b->kind == AST_LET)
			mark_reads(e, b->a);
		else if (b->kind == AST_COMP || b->kind == AST_QUANT)
			mark_reads(e, b->kind == AST_COMP ? b->b : b->a);
		return;
	}
	ent = smap_get(&S->cur->names, e->str);
	if (ent) {
		ref_global(S, e, ent, true);
		return;
	}
	if (sema_builtin_lookup(e->str) >= 0)
		diag_error(S->d, e->loc, "unknown-name", "'%s' is a builtin function; call it as %s(...)",
			   e->str, e->str);
	else
		diag_error(S->d, e->loc, "unknown-name", "unknown name '%s'", e->str);
}

/* The module an AST_NAME alias names, when it is an import of the current
 * module not hidden by a local binding. */
static struct ast *alias_import(struct sema *S, const struct ast *a)
{
	struct smap_ent *ent;

	if (!a || a->kind != AST_NAME || lookup_local(S, a->str))
		return NULL;
	ent = smap_get(&S->cur->names, a->str);
	return ent && ent->node->kind == AST_IMPORT ? ent->node : NULL;
}

/* alias.NAME naming a const of an imported module: rewrite to AST_NAME. */
static void check_qualified(struct sema *S, struct ast *e, struct ast *imp)
{
	struct mscope *other;
	struct smap_ent *ent;

	imp->used++;
	if (!imp->ref)
		return; /* the import failed and was reported */
	other = scope_of(S, imp->ref->mod);
	ent = other ? smap_get(&other->names, e->str) : NULL;
	if (!ent || ent->node->kind == AST_IMPORT) {
		diag_error(S->d, e->nameloc, "unknown-name", "module '%s' has no const '%s'",
			   import_name(imp), e->str);
		return;
	}
	if (ent->node->kind == AST_FRAGMENT) {
		diag_error(S->d, e->loc, "unknown-name",
			   "'%s.%s' is a fragment, not a value; write 'use %s.%s;'", import_name(imp), e->str,
			   import_name(imp), e->str);
		return;
	}
	ast_free(e->a);
	e->a = NULL;
	e->kind = AST_NAME;
	ref_global(S, e, ent, false);
}

static void check_call(struct sema *S, struct ast *e)
{
	int id = sema_builtin_lookup(e->str);

	for (size_t i = 0; i < e->kids.n; i++) {
		check_expr(S, e->kids.v[i]);
		mark_reads(e, e->kids.v[i]);
	}
	if (id < 0) {
		const char *names[BUILTIN_COUNT], *near;
		e->num = -1; /* of no known type */
		for (int i = 0; i < BUILTIN_COUNT; i++)
			names[i] = sema_builtins[i].name;
		near = suggest_name(e->str, names, BUILTIN_COUNT);
		if (near)
			diag_error(S->d, e->nameloc, "unknown-name",
				   "unknown function '%s'; did you mean '%s'?", e->str, near);
		else
			diag_error(S->d, e->nameloc, "unknown-name", "unknown function '%s'", e->str);
		return;
	}
	e->num = id;
	if ((size_t)sema_builtins[id].arity != e->kids.n)
		diag_error(S->d, e->loc, "arity", "%s() takes %d argument%s, not %u", e->str,
			   sema_builtins[id].arity, sema_builtins[id].arity == 1 ? "" : "s", e->kids.n);
}

/* Operands whose types are known to clash for an arithmetic operator. */
static void check_arith(struct sema *S, struct ast *e)
{
	struct sema_value a, b;

	sema_fold(e->a, &a);
	sema_fold(e->b, &b);
	if (a.type == SV_UNKNOWN || b.type == SV_UNKNOWN)
		return;
	if (a.type == SV_INT && b.type == SV_INT)
		return;
	if (e->op == AST_OP_ADD && a.type == b.type && (a.type == SV_STRING || a.type == SV_LIST))
		return;
	diag_error(S->d, e->loc, "type", "operator '%s' cannot combine %s %s and %s %s", ast_op_name(e->op),
		   a.type == SV_INT || a.type == SV_NULL ? "an" : "a", sema_type_name(a.type),
		   b.type == SV_INT || b.type == SV_NULL ? "an" : "a", sema_type_name(b.type));
}

static void check_order(struct sema *S, struct ast *e)
{
	struct sema_value a, b;

	sema_fold(e->a, &a);
	sema_fold(e->b, &b);
	if (a.type == SV_UNKNOWN || b.type == SV_UNKNOWN || a.type == SV_NULL || b.type == SV_NULL)
		return;
	if (a.type == b.type && a.type != SV_BOOL && a.type != SV_LIST)
		return;
	if ((a.type == SV_VERSION && b.type == SV_STRING) || (a.type == SV_STRING && b.type == SV_VERSION))
		return;
	diag_error(S->d, e->loc, "type", "operator '%s' cannot order %s %s and %s %s", ast_op_name(e->op),
		   a.type == SV_INT ? "an" : "a", sema_type_name(a.type), b.type == SV_INT ? "an" : "a",
		   sema_type_name(b.type));
}

static void check_binary(struct sema *S, struct ast *e)
{
	check_expr(S, e->a);
	check_expr(S, e->b);
	mark_reads(e, e->a);
	mark_reads(e, e->b);
	switch (e->op) {
	case AST_OP_AND:
	case AST_OP_OR:
		need_bool(S, e->a, e->op == AST_OP_AND ? "operand of '&&'" : "operand of '||'");
		need_bool(S, e->b, e->op == AST_OP_AND ? "operand of '&&'" : "operand of '||'");
		break;
	case AST_OP_ADD:
	case AST_OP_SUB:
	case AST_OP_MUL:
	case AST_OP_DIV:
	case AST_OP_MOD:
		check_arith(S, e);
		break;
	case AST_OP_LT:
	case AST_OP_LE:
	case AST_OP_GT:
	case AST_OP_GE:
		check_order(S, e);
		break;
	default:
		break;
	}
}

/* [a for X in b if c] and any/all X in a : b: the binder scopes over the
 * element, filter or body only. */
static void check_binder(struct sema *S, struct ast *e, struct ast *iter, struct ast *body,
			 struct ast *filter)
{
	size_t mark = S->nscope, block = S->block;

	check_expr(S, iter);
	mark_reads(e, iter);
	S->block = S->nscope;
	push_binding(S, e->str, e);
	check_expr(S, body);
	mark_reads(e, body);
	if (filter) {
		check_expr(S, filter);
		mark_reads(e, filter);
		need_bool(S, filter, "comprehension filter");
	}
	if (e->kind == AST_QUANT)
		need_bool(S, body, e->op == AST_OP_ANY ? "body of 'any'" : "body of 'all'");
	pop_bindings(S, mark);
	S->block = block;
}

static int member_cmp(const void *x, const void *y)
{
	const struct ast *a = *(const struct ast *const *)x, *b = *(const struct ast *const *)y;
	size_t n = a->len < b->len ? a->len : b->len;
	int r = memcmp(a->str, b->str, n);

	if (r)
		return r;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->nameloc.begin < b->nameloc.begin ? -1 : a->nameloc.begin > b->nameloc.begin;
}

/* A record literal: its values, and each key once (a key given again is
 * reported where it is repeated, in source order). */
static void check_record(struct sema *S, struct ast *e)
{
	const struct ast **m = xcalloc(e->kids.n ? e->kids.n : 1, sizeof(*m));

	for (size_t i = 0; i < e->kids.n; i++) {
		check_expr(S, e->kids.v[i]->a);
		mark_reads(e, e->kids.v[i]->a);
		m[i] = e->kids.v[i];
	}
	qsort(m, e->kids.n, sizeof(*m), member_cmp);
	for (size_t i = 1; i < e->kids.n; i++)
		if (m[i]->len == m[i - 1]->len && !memcmp(m[i]->str, m[i - 1]->str, m[i]->len)) {
			diag_error(S->d, m[i]->nameloc, "duplicate-key",
				   "key '%.60s' is given twice in this record", m[i]->str);
			diag_note(S->d, m[i - 1]->nameloc, "first given here");
		}
	free(m);
}

/* What declares the fields of e when e is input or a record field of it
 * (the schema, or a record type), else NULL. */
static const struct ast *fields_of(const struct sema *S, const struct ast *e)
{
	const struct ast *o, *f;

	if (e->kind == AST_INPUT)
		return S->schema;
	if (e->kind != AST_FIELD || !(o = fields_of(S, e->a)))
		return NULL;
	f = schema_field(o, e->str, NULL);
	return f && f->a->op == AST_STYPE_RECORD ? f->a : NULL;
}

/* With an input schema, a read of a field it does not declare is an
 * error, with the closest declared name. */
static void check_input_field(struct sema *S, const struct ast *of, const char *name, struct loc at)
{
	const struct ast *o = S->schema ? fields_of(S, of) : NULL;
	const char *near;

	if (!o || schema_field(o, name, &near))
		return;
	if (near)
		diag_error(S->d, at, "unknown-field",
			   "the input schema declares no field '%s'; did you mean '%s'?", name, near);
	else
		diag_error(S->d, at, "unknown-field", "the input schema declares no field '%s'", name);
}

static void check_expr(struct sema *S, struct ast *e)
{
	struct ast *imp;

	if (!e)
		return;
	switch (e->kind) {
	case AST_INT:
		if (e->op == 1)
			diag_error(S->d, e->loc, "overflow",
				   "integer literal 9223372036854775808 does not fit in 64 bits");
		break;
	case AST_NAME:
		check_name(S, e);
		break;
	case AST_INPUT:
		e->reads_input = true;
		if (S->in_test)
			diag_error(S->d, e->loc, "test",
				   "a test may not read 'input': it sets the request with 'request {...};'");
		else if (S->in_const)
			diag_error(S->d, e->loc, "const-input",
				   "const '%s' may not read 'input' (consts are folded at compile time)",
				   S->in_const->str);
		break;
	case AST_SELECTED:
		e->reads_selected = true;
		if (S->in_const)
			diag_error(S->d, e->loc, "selected-scope", "const '%s' may not read 'selected'",
				   S->in_const->str);
		else if (!S->allow_selected)
			diag_error(S->d, e->loc, "selected-scope",
				   "'selected' may only be read in deny/warn conditions and admit filters");
		break;
	case AST_LIST:
		for (size_t i = 0; i < e->kids.n; i++) {
			check_expr(S, e->kids.v[i]);
			mark_reads(e, e->kids.v[i]);
		}
		break;
	case AST_RECORD:
		check_record(S, e);
		break;
	case AST_COMP:
		check_binder(S, e, e->b, e->a, e->c);
		break;
	case AST_QUANT:
		check_binder(S, e, e->a, e->b, NULL);
		break;
	case AST_FIELD:
		imp = alias_import(S, e->a);
		if (imp) {
			check_qualified(S, e, imp);
			break;
		}
		check_expr(S, e->a);
		mark_reads(e, e->a);
		check_input_field(S, e->a, e->str, e->nameloc);
		break;
	case AST_INDEX:
		check_expr(S, e->a);
		check_expr(S, e->b);
		if (e->b->kind == AST_STRING && strlen(e->b->str) == e->b->len)
			check_input_field(S, e->a, e->b->str, e->b->loc);
		mark_reads(e, e->a);
		mark_reads(e, e->b);
		break;
	case AST_CALL:
		check_call(S, e);
		break;
	case AST_UNARY:
		check_expr(S, e->a);
		mark_reads(e, e->a);
		if (e->op == AST_OP_NOT)
			need_bool(S, e->a, "operand of '!'");
		break;
	case AST_BINARY:
		check_binary(S, e);
		break;
	default:
		break;
	}
}

/* ---- statements ---------------------------------------------------------- */

static void check_stmts(struct sema *S, struct ast_list *l);

static void check_block(struct sema *S, struct ast_list *l)
{
	size_t mark = S->nscope, block = S->block;

	S->block = S->nscope;
	check_stmts(S, l);
	pop_bindings(S, mark);
	S->block = block;
}

static void check_selected_expr(struct sema *S, struct ast *e)
{
	bool old = S->allow_selected;

	S->allow_selected = true;
	check_expr(S, e);
	S->allow_selected = old;
}

/* "unknown fragment", with the closest fragment of the module. */
static void unknown_fragment(struct sema *S, const struct ast *a)
{
	const struct ast *root = S->cur->m->root;
	const char **names = xcalloc(root->kids.n + 1, sizeof(*names)), *near;
	size_t n = 0;

	for (size_t i = 0; i < root->kids.n; i++)
		if (root->kids.v[i]->kind == AST_FRAGMENT)
			names[n++] = root->kids.v[i]->str;
	near = suggest_name(a->str, names, n);
	if (near)
		diag_error(S->d, a->loc, "unknown-name", "unknown fragment '%s'; did you mean '%s'?", a->str,
			   near);
	else
		diag_error(S->d, a->loc, "unknown-name", "unknown fragment '%s'", a->str);
	free(names);
}

static struct ast *resolve_fragment(struct sema *S, struct ast *use)
{
	struct ast *a = use->a, *imp;
	struct smap_ent *ent;
	struct mscope *other;

	if (a->kind == AST_FIELD) {
		imp = alias_import(S, a->a);
		if (!imp) {
			diag_error(S->d, a->a->loc, "unknown-name", "'%s' is not an imported module",
				   a->a->str);
			return NULL;
		}
		imp->used++;
		if (!imp->ref)
			return NULL;
		other = scope_of(S, imp->ref->mod);
		ent = other ? smap_get(&other->names, a->str) : NULL;
		if (!ent || ent->node->kind != AST_FRAGMENT) {
			diag_error(S->d, a->nameloc, "unknown-name", "module '%s' has no fragment '%s'",
				   import_name(imp), a->str);
			return NULL;
		}
		return ent->node;
	}
	ent = lookup_local(S, a->str) ? NULL : smap_get(&S->cur->names, a->str);
	if (!ent || ent->node->kind != AST_FRAGMENT) {
		if (ent || lookup_local(S, a->str))
			diag_error(S->d, a->loc, "unknown-name", "'%s' is not a fragment", a->str);
		else
			unknown_fragment(S, a);
		return NULL;
	}
	return ent->node;
}

static void check_use(struct sema *S, struct ast *n)
{
	struct ast *f = resolve_fragment(S, n);

	for (size_t i = 0; i < n->kids.n; i++)
		check_expr(S, n->kids.v[i]);
	if (!f)
		return;
	n->ref = f;
	f->used++;
	if (f->params.n != n->kids.n)
		diag_error(S->d, n->loc, "arity", "fragment '%s' takes %u argument%s, not %u", f->str,
			   f->params.n, f->params.n == 1 ? "" : "s", n->kids.n);
}

static void check_if(struct sema *S, struct ast *n)
{
	check_expr(S, n->a);
	need_bool(S, n->a, "condition of 'if'");
	check_block(S, &n->kids);
	if (!n->b)
		return;
	if (n->b->kind == AST_IF)
		check_if(S, n->b);
	else
		check_block(S, &n->b->kids);
}

/* The elements of an entrypoint or cmd list literal are strings. */
static void check_list_elems(struct sema *S, const struct ast *l, const char *what)
{
	for (size_t i = 0; i < l->kids.n; i++) {
		const struct ast *e = l->kids.v[i];
		struct sema_value v;
		if (!e || e->kind == AST_ERROR)
			continue;
		sema_fold(e, &v);
		if (v.type == SV_UNKNOWN || v.type == SV_STRING || v.type == SV_VERSION)
			continue;
		diag_error(S->d, e->loc, "type", "%s must be a list of strings, but element %zu is %s%s%s",
			   what, i + 1,
			   v.type == SV_NULL  ? ""
			   : v.type == SV_INT ? "an "
					      : "a ",
			   sema_type_name(v.type), v.type == SV_INT ? "; write string(...)" : "");
	}
}

/* Config values are strings (entrypoint and cmd: lists of strings), file
 * contents too: a value whose type is known otherwise is an error here
 * (the VM reports the others where they run). */
static void check_config_type(struct sema *S, const struct ast *n)
{
	struct sema_value v;
	bool list = n->kind == AST_CONFIG && (n->op == CFG_ENTRYPOINT || n->op == CFG_CMD);
	const char *what = n->kind == AST_FILE ? "file content" : ast_config_name(n->op);

	if (!n->a || n->a->kind == AST_ERROR)
		return;
	sema_fold(n->a, &v);
	if (list && n->a->kind == AST_LIST)
		check_list_elems(S, n->a, what);
	if (v.type == SV_UNKNOWN || v.type == (list ? SV_LIST : SV_STRING) || (!list && v.type == SV_VERSION))
		return;
	if (list && v.type == SV_STRING)
		diag_error(
			S->d, n->a->loc, "type", "%s must be a list of strings, not a string; write [%.*s]",
			what,
			(int)(n->a->loc.end - n->a->loc.begin > 200 ? 200 : n->a->loc.end - n->a->loc.begin),
			diag_file(S->d, n->a->loc.file)->text + n->a->loc.begin);
	else
		diag_error(S->d, n->a->loc, "type", "%s must be %s, not %s%s%s", what,
			   list ? "a list of strings" : "a string",
			   v.type == SV_NULL  ? ""
			   : v.type == SV_INT ? "an "
					      : "a ",
			   sema_type_name(v.type), v.type == SV_INT ? "; write string(...)" : "");
}

/* platform "os/arch[/variant]": each part a lowercase word; an arch
 * alone gets "linux/ARCH" as the hint. */
static void check_platform(struct sema *S, const struct ast *n)
{
	static const char *const arches[] = {"amd64",	"arm64", "arm",	    "386",
					     "ppc64le", "s390x", "riscv64", "mips64le"};
	size_t parts = 1, len = 0;
	bool ok = n->len > 0 && strlen(n->str) == n->len;

	for (size_t i = 0; ok && i < n->len; i++) {
		char ch = n->str[i];
		if (ch == '/') {
			ok = len > 0;
			parts++;
			len = 0;
		} else {
			ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
			len++;
		}
	}
	ok = ok && len > 0 && parts >= 2 && parts <= 3;
	if (ok)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
		if (!strcmp(n->str, arches[i])) {
			diag_error(S->d, n->nameloc, "platform",
				   "platform '%s' is not os/arch[/variant]; did you mean 'linux/%s'?", n->str,
				   n->str);
			return;
		}
	diag_error(S->d, n->nameloc, "platform",
		   "platform '%.60s' is not os/arch[/variant] (e.g. 'linux/arm64/v8')", n->str);
}

static void check_stmt(struct sema *S, struct ast *n)
{
	switch (n->kind) {
	case AST_INCLUDE:
	case AST_BASE:
		check_expr(S, n->a);
		break;
	case AST_CONFIG:
	case AST_FILE:
		check_expr(S, n->a);
		check_config_type(S, n);
		break;
	case AST_PLATFORM:
		check_platform(S, n);
		break;
	case AST_ADMIT: {
		size_t mark = S->nscope, block = S->block;
		S->block = S->nscope;
		push_binding(S, n->str, n);
		check_selected_expr(S, n->a);
		need_bool(S, n->a, "admit filter");
		pop_bindings(S, mark);
		S->block = block;
		break;
	}
	case AST_USE:
		check_use(S, n);
		break;
	case AST_LET:
		check_expr(S, n->a);
		n->fold_ready = true;
		push_binding(S, n->str, n);
		break;
	case AST_IF:
		check_if(S, n);
		break;
	case AST_DENY:
	case AST_WARN:
		check_selected_expr(S, n->a);
		need_bool(S, n->a, n->kind == AST_DENY ? "condition of 'deny'" : "condition of 'warn'");
		check_selected_expr(S, n->b);
		need_string(S, n->b, n->kind == AST_DENY ? "message of 'deny'" : "message of 'warn'");
		break;
	default:
		break;
	}
}

static void check_stmts(struct sema *S, struct ast_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		check_stmt(S, l->v[i]);
}

/* ---- declarations -------------------------------------------------------- */

/* The innermost operator of a const expression whose operands fold to
 * integers but whose result does not: overflow or division by zero. */
static const struct ast *fold_failure(const struct ast *e, bool *divzero)
{
	struct sema_value a, b, v;
	const struct ast *inner;

	if (!e || (e->kind != AST_BINARY && e->kind != AST_UNARY))
		return NULL;
	if ((inner = fold_failure(e->a, divzero)) || (inner = fold_failure(e->b, divzero)))
		return inner;
	sema_fold(e, &v);
	if (v.type != SV_INT || v.known)
		return NULL;
	sema_fold(e->a, &a);
	if (!a.known || a.type != SV_INT)
		return NULL;
	if (e->kind == AST_UNARY)
		return e->op == AST_OP_NEG && a.i == INT64_MIN ? e : NULL;
	sema_fold(e->b, &b);
	if (!b.known || b.type != SV_INT)
		return NULL;
	memset(&v, 0, sizeof(v));
	fold_arith(e->op, &a, &b, &v);
	if (v.known)
		return NULL; /* the whole expression was too big to fold, not wrong */
	*divzero = (e->op == AST_OP_DIV || e->op == AST_OP_MOD) && b.i == 0;
	return e;
}

static void check_const(struct sema *S, struct ast *n, size_t index)
{
	const struct ast *bad;
	bool divzero = false;

	S->in_const = n;
	S->const_index = index;
	check_expr(S, n->a);
	S->in_const = NULL;
	n->fold_ready = true;
	if (!n->a)
		return;
	mark_reads(n, n->a);
	bad = fold_failure(n->a, &divzero);
	if (bad)
		diag_error(S->d, bad->loc, divzero ? "division-by-zero" : "overflow", "const '%s': %s",
			   n->str, divzero ? "division by zero" : "integer overflow");
}

static void check_fragment(struct sema *S, struct ast *n)
{
	pop_bindings(S, 0);
	S->block = 0;
	for (size_t i = 0; i < n->params.n; i++)
		push_binding(S, n->params.v[i]->str, n->params.v[i]);
	S->block = S->nscope;
	check_stmts(S, &n->kids);
	pop_bindings(S, 0);
	S->block = 0;
}

static void check_module(struct sema *S, struct mscope *ms)
{
	struct ast *root = ms->m->root;

	if (ms->state)
		return;
	ms->state = 1;
	for (size_t i = 0; i < ms->m->nimports; i++)
		check_module(S, scope_of(S, ms->m->imports[i]));
	S->cur = ms;
	S->schema = NULL;
	for (size_t i = 0, seen = SIZE_MAX; i < root->kids.n; i++) {
		struct ast *n = root->kids.v[i];
		if (n->kind != AST_SCHEMA)
			continue;
		if (seen != SIZE_MAX) {
			diag_error(S->d, n->loc, "schema", "a module declares one input schema");
			diag_note(S->d, root->kids.v[seen]->loc, "the first is here");
			S->schema = NULL;
		} else if (schema_check_decl(n, S->d) == 0) {
			S->schema = n;
		}
		seen = seen == SIZE_MAX ? i : seen;
	}
	collect_names(S, ms);
	for (size_t i = 0; i < root->kids.n; i++)
		if (root->kids.v[i]->kind == AST_CONST)
			check_const(S, root->kids.v[i], i);
	for (size_t i = 0; i < root->kids.n; i++) {
		struct ast *n = root->kids.v[i];
		if (n->kind == AST_FRAGMENT || n->kind == AST_POLICY)
			check_fragment(S, n);
		else if (n->kind == AST_TEST)
			check_test(S, root, n);
	}
	ms->state = 2;
}

/* ---- tests ---------------------------------------------------------------- */

/* A test block: one request (no `decision` there), then expectations that
 * read `decision`, bound to the test node. Its module's imports count as
 * used: a NAME_test.cpol imports the policy it tests. */
static void check_test(struct sema *S, struct ast *root, struct ast *t)
{
	size_t mark = S->nscope, block = S->block;
	const struct ast *req = NULL;

	for (size_t i = 0; i < root->kids.n; i++)
		if (root->kids.v[i]->kind == AST_IMPORT)
			root->kids.v[i]->used++;
	S->in_test = true;
	for (size_t i = 0; i < t->kids.n; i++) {
		struct ast *n = t->kids.v[i];
		if (n->kind != AST_REQUEST)
			continue;
		if (req) {
			diag_error(S->d, n->loc, "test", "test '%s' has a second request", t->str);
			diag_note(S->d, req->loc, "the first is here");
		}
		req = n;
		check_expr(S, n->a);
	}
	S->block = S->nscope;
	push_binding(S, "decision", t);
	for (size_t i = 0; i < t->kids.n; i++) {
		struct ast *n = t->kids.v[i];
		if (n->kind != AST_EXPECT)
			continue;
		check_expr(S, n->a);
		need_bool(S, n->a, "expectation");
	}
	pop_bindings(S, mark);
	S->block = block;
	S->in_test = false;
}

/* ---- fragment recursion -------------------------------------------------- */

struct fvisit {
	struct sema *S;
	struct ast **stack; /* fragments being visited */
	size_t n, cap;
	struct ast **done;
	size_t ndone, capdone;
};

static bool in_list(struct ast **v, size_t n, const struct ast *x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static void visit_fragment(struct fvisit *V, struct ast *f);

static void visit_uses(struct fvisit *V, struct ast_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct ast *n = l->v[i];
		if (n->kind == AST_IF) {
			for (struct ast *b = n; b; b = b->b) {
				visit_uses(V, &b->kids);
				if (b->kind == AST_BLOCK)
					break;
			}
		} else if (n->kind == AST_USE && n->ref && in_list(V->stack, V->n, n->ref)) {
			struct strbuf chain = STRBUF_INIT;
			size_t k = 0;
			while (V->stack[k] != n->ref)
				k++;
			for (; k < V->n; k++)
				sb_addf(&chain, "%s -> ", V->stack[k]->str);
			sb_adds(&chain, n->ref->str);
			diag_error(V->S->d, n->loc, "fragment-recursion", "fragment '%s' uses itself: %s",
				   n->ref->str, chain.buf);
			sb_release(&chain);
		} else if (n->kind == AST_USE && n->ref) {
			visit_fragment(V, n->ref);
		}
	}
}

static void visit_fragment(struct fvisit *V, struct ast *f)
{
	if (in_list(V->done, V->ndone, f))
		return;
	xgrow((void **)&V->stack, &V->cap, V->n + 1, sizeof(*V->stack));
	V->stack[V->n++] = f;
	visit_uses(V, &f->kids);
	V->n--;
	xgrow((void **)&V->done, &V->capdone, V->ndone + 1, sizeof(*V->done));
	V->done[V->ndone++] = f;
}

static void check_recursion(struct sema *S)
{
	struct fvisit V = {S, NULL, 0, 0, NULL, 0, 0};

	for (size_t m = S->p->nmods; m-- > 0;) {
		struct ast *root = S->p->mods[m]->root;
		for (size_t i = 0; i < root->kids.n; i++)
			if (root->kids.v[i]->kind == AST_FRAGMENT)
				visit_fragment(&V, root->kids.v[i]);
	}
	free(V.stack);
	free(V.done);
}

int sema_check(struct program *p, struct diag *d)
{
	struct sema S;
	size_t before = d->nerrors;

	memset(&S, 0, sizeof(S));
	S.d = d;
	S.p = p;
	S.ms = xcalloc(p->nmods ? p->nmods : 1, sizeof(*S.ms));
	for (size_t i = 0; i < p->nmods; i++)
		S.ms[i].m = p->mods[i];
	for (size_t i = 0; i < p->nmods; i++)
		check_module(&S, &S.ms[i]);
	check_recursion(&S);
	for (size_t i = 0; i < p->nmods; i++)
		free(S.ms[i].names.v);
	free(S.ms);
	free(S.scope);
	free(S.local.v);
	return (int)(d->nerrors - before);
}
