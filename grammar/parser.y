/* parser.y - the pure bison grammar of the .cpol language, version 1.
 *
 * Builds the tree documented in include/ast.h. Precedence follows
 * doc/cpol.5, "Precedence": any/all lowest with a body that extends as far right
 * as possible, then ?? (right-associative), ||, &&, the non-associative
 * comparisons and `in`/`not in`, + -, * / %, unary ! -, and postfix forms.
 * Errors recover at statement boundaries (`error ';'`, and a block that
 * resynchronises at its closing brace).
 */
%code top {
#include "config.h"
}

%code requires {
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"
#include "util.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

/* State shared by the scanner and the parser for one file. */
struct pctx {
	struct diag *d;
	uint32_t file;
	const char *text;   /* the source, borrowed */
	size_t off;         /* scanner position (bytes) */
	uint32_t str_begin; /* where the string being scanned started */
	struct strbuf sb;   /* string literal being scanned */
	struct ast *root;
	bool deep_reported;
	bool after_unterminated; /* an unterminated string ended at str_end */
	bool keep_comments; /* return comments as COMMENT tokens (lex_tokens) */
	size_t str_end;
};

struct pstr {
	char *s;
	size_t len;
};
}

%code provides {
int yylex(YYSTYPE *yylval_param, YYLTYPE *yylloc_param, yyscan_t yyscanner);
}

%code {
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "parse.h"

#define YYMAXDEPTH 400000

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                    \
	do {                                                           \
		if (N) {                                               \
			(Cur).file = YYRHSLOC(Rhs, 1).file;            \
			(Cur).begin = YYRHSLOC(Rhs, 1).begin;          \
			(Cur).end = YYRHSLOC(Rhs, N).end;              \
		} else {                                               \
			(Cur).file = YYRHSLOC(Rhs, 0).file;            \
			(Cur).begin = (Cur).end = YYRHSLOC(Rhs, 0).end; \
		}                                                      \
	} while (0)

static void yyerror(YYLTYPE *loc, yyscan_t scanner, struct pctx *ctx, const char *msg);
static struct ast *fin(struct pctx *ctx, struct ast *n);
static struct ast *mk(struct pctx *ctx, enum ast_kind kind, YYLTYPE loc);
static struct ast *mk_str(struct pctx *ctx, enum ast_kind kind, YYLTYPE loc, struct pstr s,
			  YYLTYPE sloc);
static struct ast *mk_bin(struct pctx *ctx, int op, YYLTYPE loc, struct ast *a, struct ast *b);
static struct ast *mk_int(struct pctx *ctx, YYLTYPE loc, uint64_t v);
static struct ast *mk_neg(struct pctx *ctx, YYLTYPE loc, struct ast *a);
static struct ast *mk_config(struct pctx *ctx, int cfg, YYLTYPE loc, struct pstr *key, YYLTYPE kloc,
			     struct ast *val);
static struct pstr kw_text(struct pctx *ctx, YYLTYPE loc);
static struct ast *mk_check(struct pctx *ctx, enum ast_kind kind, YYLTYPE loc, struct ast *msg,
			    struct ast *cond);
static struct ast *mk_sfield(struct pctx *ctx, YYLTYPE loc, struct pstr name, YYLTYPE nloc, struct ast *type,
			     int optional, struct ast *dflt);
static struct ast *mk_file_mode(struct pctx *ctx, YYLTYPE loc, struct pstr path, YYLTYPE ploc,
				struct ast *val, uint64_t mode, YYLTYPE mloc, struct pstr *opt,
				YYLTYPE oloc);
static struct ast *mk_attr(struct pctx *ctx, struct pstr word, YYLTYPE wloc, struct ast *val);
static struct ast *mk_decl(struct pctx *ctx, enum ast_kind kind, YYLTYPE loc, struct pstr name,
			   YYLTYPE nloc, struct ast_list attrs);
}

%define api.pure full
%define api.location.type {struct loc}
%define parse.error custom
%locations
%expect 0
%param {yyscan_t scanner}
%parse-param {struct pctx *ctx}

%union {
	struct ast *node;
	struct pstr str;
	uint64_t ival;
	int op;
	struct ast_list list;
}

%destructor { free($$.s); } <str>
%destructor { ast_free($$); } <node>
%destructor { ast_list_release(&$$); } <list>

%token <str> IDENT "identifier"
%token <str> STRING "string"
%token <ival> INT "integer"
%token IMPORT "'import'" AS "'as'" CONST "'const'" FRAGMENT "'fragment'" POLICY "'policy'"
%token USE "'use'" INCLUDE "'include'" EXCLUDE "'exclude'" ADMIT "'admit'" IF "'if'" ELSE "'else'"
%token LET "'let'" DENY "'deny'" WARN "'warn'" WHEN "'when'" PLATFORM "'platform'" BASE "'base'"
%token FROM "'from'" ENTRYPOINT "'entrypoint'" CMD "'cmd'" ENV "'env'" USER "'user'"
%token WORKDIR "'workdir'" LABEL "'label'" ANNOTATION "'annotation'" EXPOSE "'expose'"
%token VOLUME "'volume'" STOPSIGNAL "'stopsignal'" FILE_KW "'file'" MODE "'mode'"
%token ANY "'any'" ALL "'all'" FOR "'for'" IN "'in'" TRUE "'true'" FALSE "'false'" NULL_KW "'null'"
%token INPUT "'input'" SELECTED "'selected'" NOTIN "'not in'"
%token ACCOUNT "'account'" GROUP "'group'" DIRECTORY "'directory'"
%token COMMENT "comment" /* only from lex_tokens, never seen by the parser */
%token EQ "'=='" NE "'!='" LE "'<='" GE "'>='" AND "'&&'" OR "'||'" COALESCE "'??'"
%token TEST "'test'" REQUEST "'request'" EXPECT "'expect'"

%type <node> decl stmt if_stmt else_opt expr unary postfix primary usename param
%type <list> decls stmts block params_opt params args_opt args
%type <node> member test_stmt sfield stype rfield slit
%type <list> members test_block test_stmts sfields rfields slits
%type <op> cmpop
%type <str> field_name
%type <list> attrs

%precedence ANY
%right COALESCE
%left OR
%left AND
%nonassoc EQ NE '<' LE '>' GE IN NOTIN
%left '+' '-'
%left '*' '/' '%'

%start module

%%

module
	: decls { ctx->root->kids = $1; }
	;

decls
	: %empty { memset(&$$, 0, sizeof($$)); }
	| decls decl { $$ = $1; if ($2) ast_list_push(&$$, $2); }
	;

decl
	: IMPORT STRING ';' { $$ = fin(ctx, mk_str(ctx, AST_IMPORT, @$, $2, @2)); }
	| IMPORT STRING AS IDENT ';' {
		$$ = mk_str(ctx, AST_IMPORT, @$, $2, @2);
		$$->alias = $4.s;
		$$ = fin(ctx, $$);
	}
	| CONST IDENT '=' expr ';' {
		$$ = mk_str(ctx, AST_CONST, @$, $2, @2);
		$$->a = $4;
		$$ = fin(ctx, $$);
	}
	| FRAGMENT IDENT params_opt block {
		$$ = mk_str(ctx, AST_FRAGMENT, @$, $2, @2);
		$$->params = $3;
		$$->kids = $4;
		$$ = fin(ctx, $$);
	}
	| POLICY STRING block {
		$$ = mk_str(ctx, AST_POLICY, @$, $2, @2);
		$$->kids = $3;
		$$ = fin(ctx, $$);
	}
	| error ';' { $$ = NULL; }
	| error '}' { $$ = NULL; }
	| INPUT '{' sfields '}' {
		$$ = mk(ctx, AST_SCHEMA, @$);
		$$->kids = $3;
		$$ = fin(ctx, $$);
	}
	| TEST STRING test_block {
		$$ = mk_str(ctx, AST_TEST, @$, $2, @2);
		$$->kids = $3;
		$$ = fin(ctx, $$);
	}
	| TEST STRING FOR STRING test_block {
		$$ = mk_str(ctx, AST_TEST, @$, $2, @2);
		$$->alias = $4.s;
		$$->kids = $5;
		$$ = fin(ctx, $$);
	}
	;

/* input { name: TYPE [?|= DEFAULT]; ... } */
sfields
	: %empty { memset(&$$, 0, sizeof($$)); }
	| sfields sfield { $$ = $1; if ($2) ast_list_push(&$$, $2); }
	;

sfield
	: field_name ':' stype ';' { $$ = mk_sfield(ctx, @$, $1, @1, $3, 0, NULL); }
	| field_name ':' stype '?' ';' { $$ = mk_sfield(ctx, @$, $1, @1, $3, 1, NULL); }
	| field_name ':' stype '=' expr ';' { $$ = mk_sfield(ctx, @$, $1, @1, $3, 0, $5); }
	| error ';' { $$ = NULL; }
	;

stype
	: IDENT { $$ = mk_str(ctx, AST_STYPE, @$, $1, @1); $$->op = AST_STYPE_NAMED; $$ = fin(ctx, $$); }
	| '[' stype ']' { $$ = mk(ctx, AST_STYPE, @$); $$->op = AST_STYPE_LIST; $$->a = $2; $$ = fin(ctx, $$); }
	| '{' rfields '}' { $$ = mk(ctx, AST_STYPE, @$); $$->op = AST_STYPE_RECORD; $$->kids = $2; $$ = fin(ctx, $$); }
	| '{' rfields ',' '}' { $$ = mk(ctx, AST_STYPE, @$); $$->op = AST_STYPE_RECORD; $$->kids = $2; $$ = fin(ctx, $$); }
	| slits { $$ = mk(ctx, AST_STYPE, @$); $$->op = AST_STYPE_UNION; $$->kids = $1; $$ = fin(ctx, $$); }
	;

rfields
	: rfield { memset(&$$, 0, sizeof($$)); ast_list_push(&$$, $1); }
	| rfields ',' rfield { $$ = $1; ast_list_push(&$$, $3); }
	;

rfield
	: field_name ':' stype { $$ = mk_sfield(ctx, @$, $1, @1, $3, 0, NULL); }
	| field_name ':' stype '?' { $$ = mk_sfield(ctx, @$, $1, @1, $3, 1, NULL); }
	;

slits
	: slit { memset(&$$, 0, sizeof($$)); ast_list_push(&$$, $1); }
	| slits '|' slit { $$ = $1; ast_list_push(&$$, $3); }
	;

slit
	: STRING { $$ = fin(ctx, mk_str(ctx, AST_STRING, @$, $1, @1)); }
	| INT { $$ = mk_int(ctx, @$, $1); }
	| TRUE { $$ = mk(ctx, AST_BOOL, @$); $$->num = 1; $$ = fin(ctx, $$); }
	| FALSE { $$ = fin(ctx, mk(ctx, AST_BOOL, @$)); }
	;

test_block
	: '{' test_stmts '}' { $$ = $2; }
	| '{' test_stmts error '}' { $$ = $2; }
	;

test_stmts
	: %empty { memset(&$$, 0, sizeof($$)); }
	| test_stmts test_stmt { $$ = $1; if ($2) ast_list_push(&$$, $2); }
	;

test_stmt
	: REQUEST expr ';' { $$ = mk(ctx, AST_REQUEST, @$); $$->a = $2; $$ = fin(ctx, $$); }
	| EXPECT expr ';' { $$ = mk(ctx, AST_EXPECT, @$); $$->a = $2; $$ = fin(ctx, $$); }
	| error ';' { $$ = NULL; }
	;

params_opt
	: %empty { memset(&$$, 0, sizeof($$)); }
	| '(' ')' { memset(&$$, 0, sizeof($$)); }
	| '(' params ')' { $$ = $2; }
	;

params
	: param { memset(&$$, 0, sizeof($$)); ast_list_push(&$$, $1); }
	| params ',' param { $$ = $1; ast_list_push(&$$, $3); }
	;

param
	: IDENT { $$ = fin(ctx, mk_str(ctx, AST_PARAM, @$, $1, @1)); }
	;

block
	: '{' stmts '}' { $$ = $2; }
	| '{' stmts error '}' { $$ = $2; }
	;

stmts
	: %empty { memset(&$$, 0, sizeof($$)); }
	| stmts stmt { $$ = $1; if ($2) ast_list_push(&$$, $2); }
	;

cmpop
	: EQ { $$ = AST_OP_EQ; }
	| NE { $$ = AST_OP_NE; }
	| '<' { $$ = AST_OP_LT; }
	| LE { $$ = AST_OP_LE; }
	| '>' { $$ = AST_OP_GT; }
	| GE { $$ = AST_OP_GE; }
	;

stmt
	: INCLUDE STRING ';' { $$ = fin(ctx, mk_str(ctx, AST_INCLUDE, @$, $2, @2)); }
	| INCLUDE STRING cmpop expr ';' {
		$$ = mk_str(ctx, AST_INCLUDE, @$, $2, @2);
		$$->op = $3;
		$$->a = $4;
		$$ = fin(ctx, $$);
	}
	| EXCLUDE STRING ';' { $$ = fin(ctx, mk_str(ctx, AST_EXCLUDE, @$, $2, @2)); }
	| ADMIT IDENT IF expr ';' {
		$$ = mk_str(ctx, AST_ADMIT, @$, $2, @2);
		$$->a = $4;
		$$ = fin(ctx, $$);
	}
	| USE usename ';' {
		$$ = mk(ctx, AST_USE, @$);
		$$->a = $2;
		$$->nameloc = @2;
		$$ = fin(ctx, $$);
	}
	| USE usename '(' args_opt ')' ';' {
		$$ = mk(ctx, AST_USE, @$);
		$$->a = $2;
		$$->nameloc = @2;
		$$->kids = $4;
		$$ = fin(ctx, $$);
	}
	| LET IDENT '=' expr ';' {
		$$ = mk_str(ctx, AST_LET, @$, $2, @2);
		$$->a = $4;
		$$ = fin(ctx, $$);
	}
	| if_stmt { $$ = $1; }
	| DENY expr ';' { $$ = mk_check(ctx, AST_DENY, @$, $2, NULL); }
	| DENY expr WHEN expr ';' { $$ = mk_check(ctx, AST_DENY, @$, $2, $4); }
	| WARN expr ';' { $$ = mk_check(ctx, AST_WARN, @$, $2, NULL); }
	| WARN expr WHEN expr ';' { $$ = mk_check(ctx, AST_WARN, @$, $2, $4); }
	| PLATFORM STRING ';' { $$ = fin(ctx, mk_str(ctx, AST_PLATFORM, @$, $2, @2)); }
	| BASE STRING ';' { $$ = fin(ctx, mk_str(ctx, AST_BASE, @$, $2, @2)); }
	| BASE STRING cmpop expr ';' {
		$$ = mk_str(ctx, AST_BASE, @$, $2, @2);
		$$->op = $3;
		$$->a = $4;
		$$ = fin(ctx, $$);
	}
	| FROM STRING ';' { $$ = fin(ctx, mk_str(ctx, AST_FROM, @$, $2, @2)); }
	| ENTRYPOINT expr ';' { $$ = mk_config(ctx, CFG_ENTRYPOINT, @$, NULL, @1, $2); }
	| CMD expr ';' { $$ = mk_config(ctx, CFG_CMD, @$, NULL, @1, $2); }
	| ENV IDENT '=' expr ';' { $$ = mk_config(ctx, CFG_ENV, @$, &$2, @2, $4); }
	| ENV STRING '=' expr ';' { $$ = mk_config(ctx, CFG_ENV, @$, &$2, @2, $4); }
	| USER expr ';' { $$ = mk_config(ctx, CFG_USER, @$, NULL, @1, $2); }
	| WORKDIR expr ';' { $$ = mk_config(ctx, CFG_WORKDIR, @$, NULL, @1, $2); }
	| STOPSIGNAL expr ';' { $$ = mk_config(ctx, CFG_STOPSIGNAL, @$, NULL, @1, $2); }
	| LABEL STRING '=' expr ';' { $$ = mk_config(ctx, CFG_LABEL, @$, &$2, @2, $4); }
	| ANNOTATION STRING '=' expr ';' { $$ = mk_config(ctx, CFG_ANNOTATION, @$, &$2, @2, $4); }
	| EXPOSE STRING ';' { $$ = mk_config(ctx, CFG_EXPOSE, @$, &$2, @2, NULL); }
	| VOLUME STRING ';' { $$ = mk_config(ctx, CFG_VOLUME, @$, &$2, @2, NULL); }
	| FILE_KW STRING '=' expr ';' {
		$$ = mk_str(ctx, AST_FILE, @$, $2, @2);
		$$->a = $4;
		$$ = fin(ctx, $$);
	}
	| FILE_KW STRING '=' expr MODE INT ';' {
		$$ = mk_file_mode(ctx, @$, $2, @2, $4, $6, @6, NULL, @6);
	}
	| FILE_KW STRING '=' expr MODE INT IDENT ';' {
		$$ = mk_file_mode(ctx, @$, $2, @2, $4, $6, @6, &$7, @7);
	}
	| ACCOUNT STRING attrs ';' { $$ = mk_decl(ctx, AST_ACCOUNT, @$, $2, @2, $3); }
	| GROUP STRING attrs ';' { $$ = mk_decl(ctx, AST_GROUP, @$, $2, @2, $3); }
	| DIRECTORY STRING attrs ';' { $$ = mk_decl(ctx, AST_DIRECTORY, @$, $2, @2, $3); }
	| error ';' { $$ = NULL; }
	;

/* The attributes of account, group and directory: a word and a literal,
 * or a word alone (special); mk_decl checks which words each takes. */
attrs
	: %empty { memset(&$$, 0, sizeof($$)); }
	| attrs IDENT INT { $$ = $1; ast_list_push(&$$, mk_attr(ctx, $2, @2, mk_int(ctx, @3, $3))); }
	| attrs IDENT STRING {
		$$ = $1;
		ast_list_push(&$$, mk_attr(ctx, $2, @2, fin(ctx, mk_str(ctx, AST_STRING, @3, $3, @3))));
	}
	| attrs MODE INT {
		$$ = $1;
		ast_list_push(&$$, mk_attr(ctx, kw_text(ctx, @2), @2, mk_int(ctx, @3, $3)));
	}
	| attrs IDENT { $$ = $1; ast_list_push(&$$, mk_attr(ctx, $2, @2, NULL)); }
	;

if_stmt
	: IF expr block else_opt {
		$$ = mk(ctx, AST_IF, @$);
		$$->a = $2;
		$$->kids = $3;
		$$->b = $4;
		$$ = fin(ctx, $$);
	}
	;

else_opt
	: %empty { $$ = NULL; }
	| ELSE block {
		$$ = mk(ctx, AST_BLOCK, @$);
		$$->kids = $2;
		$$ = fin(ctx, $$);
	}
	| ELSE if_stmt { $$ = $2; }
	;

usename
	: IDENT { $$ = fin(ctx, mk_str(ctx, AST_NAME, @$, $1, @1)); }
	| IDENT '.' field_name {
		struct ast *alias = fin(ctx, mk_str(ctx, AST_NAME, @1, $1, @1));
		$$ = mk_str(ctx, AST_FIELD, @$, $3, @3);
		$$->a = alias;
		$$ = fin(ctx, $$);
	}
	;

expr
	: unary { $$ = $1; }
	| ANY IDENT IN expr ':' expr %prec ANY {
		$$ = mk_str(ctx, AST_QUANT, @$, $2, @2);
		$$->op = AST_OP_ANY;
		$$->a = $4;
		$$->b = $6;
		$$ = fin(ctx, $$);
	}
	| ALL IDENT IN expr ':' expr %prec ANY {
		$$ = mk_str(ctx, AST_QUANT, @$, $2, @2);
		$$->op = AST_OP_ALL;
		$$->a = $4;
		$$->b = $6;
		$$ = fin(ctx, $$);
	}
	| expr COALESCE expr { $$ = mk_bin(ctx, AST_OP_COALESCE, @$, $1, $3); }
	| expr OR expr { $$ = mk_bin(ctx, AST_OP_OR, @$, $1, $3); }
	| expr AND expr { $$ = mk_bin(ctx, AST_OP_AND, @$, $1, $3); }
	| expr EQ expr { $$ = mk_bin(ctx, AST_OP_EQ, @$, $1, $3); }
	| expr NE expr { $$ = mk_bin(ctx, AST_OP_NE, @$, $1, $3); }
	| expr '<' expr { $$ = mk_bin(ctx, AST_OP_LT, @$, $1, $3); }
	| expr LE expr { $$ = mk_bin(ctx, AST_OP_LE, @$, $1, $3); }
	| expr '>' expr { $$ = mk_bin(ctx, AST_OP_GT, @$, $1, $3); }
	| expr GE expr { $$ = mk_bin(ctx, AST_OP_GE, @$, $1, $3); }
	| expr IN expr { $$ = mk_bin(ctx, AST_OP_IN, @$, $1, $3); }
	| expr NOTIN expr { $$ = mk_bin(ctx, AST_OP_NOTIN, @$, $1, $3); }
	| expr '+' expr { $$ = mk_bin(ctx, AST_OP_ADD, @$, $1, $3); }
	| expr '-' expr { $$ = mk_bin(ctx, AST_OP_SUB, @$, $1, $3); }
	| expr '*' expr { $$ = mk_bin(ctx, AST_OP_MUL, @$, $1, $3); }
	| expr '/' expr { $$ = mk_bin(ctx, AST_OP_DIV, @$, $1, $3); }
	| expr '%' expr { $$ = mk_bin(ctx, AST_OP_MOD, @$, $1, $3); }
	;

unary
	: postfix { $$ = $1; }
	| '!' unary {
		$$ = mk(ctx, AST_UNARY, @$);
		$$->op = AST_OP_NOT;
		$$->a = $2;
		$$ = fin(ctx, $$);
	}
	| '-' unary { $$ = mk_neg(ctx, @$, $2); }
	;

postfix
	: primary { $$ = $1; }
	| postfix '.' field_name {
		$$ = mk_str(ctx, AST_FIELD, @$, $3, @3);
		$$->a = $1;
		$$ = fin(ctx, $$);
	}
	| postfix '[' expr ']' {
		$$ = mk(ctx, AST_INDEX, @$);
		$$->a = $1;
		$$->b = $3;
		$$ = fin(ctx, $$);
	}
	;

primary
	: NULL_KW { $$ = fin(ctx, mk(ctx, AST_NULL, @$)); }
	| TRUE { $$ = mk(ctx, AST_BOOL, @$); $$->num = 1; $$ = fin(ctx, $$); }
	| FALSE { $$ = fin(ctx, mk(ctx, AST_BOOL, @$)); }
	| INT { $$ = mk_int(ctx, @$, $1); }
	| STRING { $$ = fin(ctx, mk_str(ctx, AST_STRING, @$, $1, @1)); }
	| IDENT { $$ = fin(ctx, mk_str(ctx, AST_NAME, @$, $1, @1)); }
	| INPUT { $$ = fin(ctx, mk(ctx, AST_INPUT, @$)); }
	| SELECTED { $$ = fin(ctx, mk(ctx, AST_SELECTED, @$)); }
	| IDENT '(' args_opt ')' {
		$$ = mk_str(ctx, AST_CALL, @$, $1, @1);
		$$->kids = $3;
		$$ = fin(ctx, $$);
	}
	| '(' expr ')' { $$ = $2; }
	| '[' ']' { $$ = fin(ctx, mk(ctx, AST_LIST, @$)); }
	| '[' args ']' { $$ = mk(ctx, AST_LIST, @$); $$->kids = $2; $$ = fin(ctx, $$); }
	| '[' args ',' ']' { $$ = mk(ctx, AST_LIST, @$); $$->kids = $2; $$ = fin(ctx, $$); }
	| '{' '}' { $$ = fin(ctx, mk(ctx, AST_RECORD, @$)); }
	| '{' members '}' { $$ = mk(ctx, AST_RECORD, @$); $$->kids = $2; $$ = fin(ctx, $$); }
	| '{' members ',' '}' { $$ = mk(ctx, AST_RECORD, @$); $$->kids = $2; $$ = fin(ctx, $$); }
	| '[' expr FOR IDENT IN expr ']' {
		$$ = mk_str(ctx, AST_COMP, @$, $4, @4);
		$$->a = $2;
		$$->b = $6;
		$$ = fin(ctx, $$);
	}
	| '[' expr FOR IDENT IN expr IF expr ']' {
		$$ = mk_str(ctx, AST_COMP, @$, $4, @4);
		$$->a = $2;
		$$->b = $6;
		$$->c = $8;
		$$ = fin(ctx, $$);
	}
	;

args_opt
	: %empty { memset(&$$, 0, sizeof($$)); }
	| args { $$ = $1; }
	;

args
	: expr { memset(&$$, 0, sizeof($$)); ast_list_push(&$$, $1); }
	| args ',' expr { $$ = $1; ast_list_push(&$$, $3); }
	;

members
	: member { memset(&$$, 0, sizeof($$)); ast_list_push(&$$, $1); }
	| members ',' member { $$ = $1; ast_list_push(&$$, $3); }
	;

member
	: STRING ':' expr {
		$$ = mk_str(ctx, AST_MEMBER, @$, $1, @1);
		$$->a = $3;
		$$ = fin(ctx, $$);
	}
	;

/* After a dot any word is a field name, keywords included (input.env). */
field_name
	: IDENT { $$ = $1; }
	| keyword { $$ = kw_text(ctx, @1); }
	;

keyword
	: IMPORT | AS | CONST | FRAGMENT | POLICY | USE | INCLUDE | EXCLUDE | ADMIT | IF
	| ELSE | LET | DENY | WARN | WHEN | PLATFORM | BASE | FROM | ENTRYPOINT | CMD | ENV
	| USER | WORKDIR | LABEL | ANNOTATION | EXPOSE | VOLUME | STOPSIGNAL | FILE_KW | MODE
	| ANY | ALL | FOR | IN | TRUE | FALSE | NULL_KW | INPUT | SELECTED
	| ACCOUNT | GROUP | DIRECTORY | TEST | REQUEST | EXPECT
	;

%%

/* The parts of the flex interface used here (lexer.c is generated without a
 * header). */
struct yy_buffer_state;
int yylex_init_extra(struct pctx *extra, yyscan_t *scanner);
struct yy_buffer_state *lex_scan_text(const char *text, size_t len, yyscan_t scanner); /* lexer.l */
void yy_delete_buffer(struct yy_buffer_state *b, yyscan_t scanner);
int yylex_destroy(yyscan_t scanner);

/* A syntax error right after an unterminated string (on the same or the
 * next line) is a consequence of it, already reported. */
static bool follows_unterminated(struct pctx *ctx, const YYLTYPE *loc)
{
	size_t newlines = 0;

	if (!ctx->after_unterminated || loc->begin < ctx->str_end)
		return false;
	ctx->after_unterminated = false;
	for (size_t i = ctx->str_end; i < loc->begin; i++)
		newlines += ctx->text[i] == '\n';
	return newlines <= 1;
}

/* The end of the token before offset at: back over blanks and comments
 * (a '#' outside a string runs to the end of its line). */
static uint32_t prev_token_end(const struct pctx *ctx, uint32_t at)
{
	const char *t = ctx->text;
	uint32_t p = at, ls, hash;
	bool in_str;

	for (;;) {
		while (p > 0 && strchr(" \t\r\n", t[p - 1]))
			p--;
		for (ls = p; ls > 0 && t[ls - 1] != '\n'; ls--)
			;
		hash = p;
		in_str = false;
		for (uint32_t i = ls; i < p; i++) {
			if (in_str && t[i] == '\\')
				i++;
			else if (t[i] == '"')
				in_str = !in_str;
			else if (!in_str && t[i] == '#') {
				hash = i;
				break;
			}
		}
		if (hash == p)
			return p;
		p = hash;
	}
}

/* A token that could be ';' on a later line than the token before: the
 * statement before lacks its ';', reported where it should have been. */
static bool missing_semicolon(const yypcontext_t *yc, struct pctx *ctx)
{
	yysymbol_kind_t exp[YYNTOKENS];
	const YYLTYPE *loc = yypcontext_location(yc);
	int n = yypcontext_expected_tokens(yc, exp, YYNTOKENS);
	uint32_t end;
	bool semi = false;

	for (int i = 0; i < n && !semi; i++)
		semi = !strcmp(yysymbol_name(exp[i]), "';'");
	if (!semi || yypcontext_token(yc) == YYSYMBOL_YYEOF)
		return false;
	end = prev_token_end(ctx, loc->begin);
	if (!memchr(ctx->text + end, '\n', loc->begin - end))
		return false;
	diag_error(ctx->d, (YYLTYPE){.file = loc->file, .begin = end, .end = end}, "syntax",
		   "expected ';' at the end of the statement");
	return true;
}

/* Where the innermost '{' left open at the end of the text is, or -1:
 * braces outside strings and comments, as the scanner sees them. */
static int64_t unclosed_brace(const struct pctx *ctx, uint32_t len)
{
	const char *t = ctx->text;
	uint32_t *open = NULL;
	size_t n = 0, cap = 0;
	int64_t at;

	for (uint32_t i = 0; i < len; i++) {
		if (t[i] == '#') {
			while (i + 1 < len && t[i + 1] != '\n')
				i++;
		} else if (t[i] == '"') {
			for (i++; i < len && t[i] != '"' && t[i] != '\n'; i++)
				if (t[i] == '\\' && i + 1 < len && t[i + 1] != '\n')
					i++;
		} else if (t[i] == '{') {
			xgrow((void **)&open, &cap, n + 1, sizeof(*open));
			open[n++] = i;
		} else if (t[i] == '}' && n) {
			n--;
		}
	}
	at = n ? (int64_t)open[n - 1] : -1;
	free(open);
	return at;
}

/* An identifier where a keyword was expected, spelt like one of them (an
 * edit or two away): that keyword, or NULL. */
static const char *near_keyword(const yypcontext_t *yc, const struct pctx *ctx, const YYLTYPE *loc,
				char kw[SUGGEST_MAX + 1])
{
	yysymbol_kind_t all[YYNTOKENS];
	const char *names[YYNTOKENS], *pick;
	char word[SUGGEST_MAX + 1];
	size_t nn = 0, len = loc->end - loc->begin;
	int n;

	if (yypcontext_token(yc) != YYSYMBOL_IDENT || len > SUGGEST_MAX)
		return NULL;
	n = yypcontext_expected_tokens(yc, all, YYNTOKENS);
	for (int i = 0; i < n; i++) {
		const char *t = yysymbol_name(all[i]);
		if (t[0] == '\'' && isalpha((unsigned char)t[1]))
			names[nn++] = t;
	}
	memcpy(word, ctx->text + loc->begin, len);
	word[len] = '\0';
	for (size_t i = 0; i < nn; i++) { /* compare without the quotes */
		size_t l = strlen(names[i]) - 2;
		char *k = xstrndup(names[i] + 1, l);
		names[i] = k;
	}
	pick = suggest_name(word, names, nn);
	if (pick)
		snprintf(kw, SUGGEST_MAX + 1, "%s", pick);
	for (size_t i = 0; i < nn; i++)
		free((char *)names[i]);
	return pick ? kw : NULL;
}

/* bison's "detailed" message (up to four expected tokens), but a missing
 * ';' is reported at the end of the statement that lacks it, and a
 * misspelt keyword is named. */
static int yyreport_syntax_error(const yypcontext_t *yc, yyscan_t scanner, struct pctx *ctx)
{
	yysymbol_kind_t args[5];
	int n = 0, m;
	struct strbuf sb;
	YYLTYPE loc = *yypcontext_location(yc);
	int64_t brace;
	const char *near;
	char kwbuf[SUGGEST_MAX + 1];

	if (follows_unterminated(ctx, &loc) || missing_semicolon(yc, ctx))
		return 0;
	if (yypcontext_token(yc) != YYSYMBOL_YYEMPTY) {
		args[n++] = yypcontext_token(yc);
		m = yypcontext_expected_tokens(yc, args + 1, 4);
		n += m < 0 ? 0 : m;
	}
	sb_init(&sb);
	sb_adds(&sb, "syntax error");
	for (int i = 0; i < n; i++) {
		sb_adds(&sb, i == 0 ? ", unexpected " : i == 1 ? ", expecting " : " or ");
		sb_adds(&sb, yysymbol_name(args[i]));
	}
	if ((near = near_keyword(yc, ctx, &loc, kwbuf)))
		sb_addf(&sb, "; did you mean '%s'?", near);
	yyerror(&loc, scanner, ctx, sb.buf);
	sb_release(&sb);
	if (yypcontext_token(yc) == YYSYMBOL_YYEOF && (brace = unclosed_brace(ctx, loc.end)) >= 0)
		diag_note(ctx->d, (YYLTYPE){.file = loc.file, .begin = (uint32_t)brace, .end = (uint32_t)brace + 1},
			  "the block opened here has no '}'");
	return 0;
}

static void yyerror(YYLTYPE *loc, yyscan_t scanner, struct pctx *ctx, const char *msg)
{
	static const char ident[] = "unexpected identifier";
	const char *at = strstr(msg, ident);
	uint32_t n = loc->end - loc->begin;

	(void)scanner;
	if (follows_unterminated(ctx, loc))
		return;
	if (!strcmp(msg, "memory exhausted"))
		msg = "input nested too deeply for the parser";
	if (at && n <= 64) /* name the identifier */
		diag_error(ctx->d, *loc, "syntax", "%.*s '%.*s'%s", (int)(at - msg + sizeof(ident) - 1), msg, (int)n,
			   ctx->text + loc->begin, at + sizeof(ident) - 1);
	else
		diag_error(ctx->d, *loc, "syntax", "%s", msg);
}

static struct ast *mk(struct pctx *ctx, enum ast_kind kind, YYLTYPE loc)
{
	return ast_new(ctx->root, kind, loc);
}

/* A node that takes ownership of a scanned string. */
static struct ast *mk_str(struct pctx *ctx, enum ast_kind kind, YYLTYPE loc, struct pstr s, YYLTYPE sloc)
{
	struct ast *n = ast_new(ctx->root, kind, loc);

	n->str = s.s;
	n->len = s.len;
	n->nameloc = sloc;
	return n;
}

static uint32_t depth_of(const struct ast *n)
{
	return n ? n->depth : 0;
}

static uint32_t list_depth(const struct ast_list *l)
{
	uint32_t m = 0;

	for (size_t i = 0; i < l->n; i++)
		if (depth_of(l->v[i]) > m)
			m = depth_of(l->v[i]);
	return m;
}

/* Seal a finished node: record its height and refuse trees so deep that a
 * recursive walk could exhaust the stack. A too deep node is replaced by an
 * AST_ERROR leaf; the error is reported once per file. */
static struct ast *fin(struct pctx *ctx, struct ast *n)
{
	uint32_t m = depth_of(n->a);

	if (depth_of(n->b) > m)
		m = depth_of(n->b);
	if (depth_of(n->c) > m)
		m = depth_of(n->c);
	if (list_depth(&n->kids) > m)
		m = list_depth(&n->kids);
	if (list_depth(&n->params) > m)
		m = list_depth(&n->params);
	n->depth = m + 1;
	if (n->depth <= PARSE_MAX_DEPTH)
		return n;
	if (!ctx->deep_reported)
		diag_error(ctx->d, n->loc, "syntax", "%s nested too deeply (more than %d levels)",
			   n->kind <= AST_MEMBER ? "expression" : "statement", PARSE_MAX_DEPTH);
	ctx->deep_reported = true;
	struct loc loc = n->loc;
	ast_free(n);
	n = ast_new(ctx->root, AST_ERROR, loc);
	n->depth = 1;
	return n;
}

static struct ast *mk_bin(struct pctx *ctx, int op, YYLTYPE loc, struct ast *a, struct ast *b)
{
	struct ast *n = ast_new(ctx->root, AST_BINARY, loc);

	n->op = op;
	n->a = a;
	n->b = b;
	n->nameloc = loc;
	return fin(ctx, n);
}

/* An integer literal. 2^63 is kept as INT64_MIN with op 1 ("magnitude
 * 2^63"): only unary minus makes it valid; sema reports it otherwise. */
static struct ast *mk_int(struct pctx *ctx, YYLTYPE loc, uint64_t v)
{
	struct ast *n = ast_new(ctx->root, AST_INT, loc);

	if (v > (uint64_t)INT64_MAX) {
		n->num = INT64_MIN;
		n->op = 1;
	} else {
		n->num = (int64_t)v;
	}
	return fin(ctx, n);
}

/* Unary minus; folded into an integer literal operand so that
 * -9223372036854775808 is a valid literal. */
static struct ast *mk_neg(struct pctx *ctx, YYLTYPE loc, struct ast *a)
{
	struct ast *n;

	if (a->kind == AST_INT && (a->op == 1 || a->num != INT64_MIN)) {
		a->num = a->op == 1 ? INT64_MIN : -a->num;
		a->op = 0;
		a->loc = loc;
		return a;
	}
	n = ast_new(ctx->root, AST_UNARY, loc);
	n->op = AST_OP_NEG;
	n->a = a;
	return fin(ctx, n);
}

static struct ast *mk_config(struct pctx *ctx, int cfg, YYLTYPE loc, struct pstr *key, YYLTYPE kloc,
			     struct ast *val)
{
	struct ast *n = ast_new(ctx->root, AST_CONFIG, loc);

	n->op = cfg;
	if (key) {
		n->str = key->s;
		n->len = key->len;
	}
	n->nameloc = kloc;
	n->a = val;
	return fin(ctx, n);
}

/* deny/warn MSG [when COND]: a string literal message is kept as the
 * statement's str (as it always was); any other is the expression b. */
static struct ast *mk_check(struct pctx *ctx, enum ast_kind kind, YYLTYPE loc, struct ast *msg,
			    struct ast *cond)
{
	struct ast *n = ast_new(ctx->root, kind, loc);

	n->nameloc = msg->loc;
	n->a = cond;
	if (msg->kind == AST_STRING) {
		n->str = msg->str;
		n->len = msg->len;
		msg->str = NULL;
		ast_free(msg);
	} else {
		n->b = msg;
	}
	return fin(ctx, n);
}

/* A field of an input schema: name, type, `?` (optional) or a default. */
static struct ast *mk_sfield(struct pctx *ctx, YYLTYPE loc, struct pstr name, YYLTYPE nloc, struct ast *type,
			     int optional, struct ast *dflt)
{
	struct ast *n = mk_str(ctx, AST_SFIELD, loc, name, nloc);

	n->a = type;
	n->b = dflt;
	n->op = optional;
	return fin(ctx, n);
}

static struct pstr kw_text(struct pctx *ctx, YYLTYPE loc)
{
	struct pstr s;

	s.len = loc.end - loc.begin;
	s.s = xstrndup(ctx->text + loc.begin, s.len);
	return s;
}

/* A mode M of a `what` (file, directory) must be written in octal (0o644):
 * a decimal-looking 0644 or 644 is refused with the octal spelling as a
 * hint, and setuid, setgid and sticky bits need the word `special`. */
static void check_mode(struct pctx *ctx, const char *what, uint64_t mode, YYLTYPE mloc, bool special)
{
	const char *t = ctx->text + mloc.begin;
	size_t tl = mloc.end - mloc.begin;
	bool octal = tl > 2 && t[0] == '0' && (t[1] == 'o' || t[1] == 'O');

	if (!octal && tl > 1 && (t[1] == 'x' || t[1] == 'X')) {
		diag_error(ctx->d, mloc, "mode", "%s mode '%.*s' is not octal (write 0o%llo)", what,
			   (int)(tl > 32 ? 32 : tl), t, (unsigned long long)mode);
	} else if (!octal) {
		size_t i = 0;
		while (i + 1 < tl && t[i] == '0')
			i++;
		diag_error(ctx->d, mloc, "mode", "%s mode '%.*s' is not octal (write 0o%.*s)", what,
			   (int)(tl > 32 ? 32 : tl), t, (int)(tl - i > 32 ? 32 : tl - i), t + i);
	} else if (mode > 07777) {
		diag_error(ctx->d, mloc, "syntax", "%s mode 0o%llo is beyond 0o7777", what,
			   (unsigned long long)mode);
	} else if ((mode & 07000) && !special) {
		diag_error(ctx->d, mloc, "mode",
			   "%s mode 0o%llo sets setuid, setgid or sticky bits (add 'special' after it to mean it)",
			   what, (unsigned long long)mode);
	}
}

/* `file P = E mode M [special];`: M as check_mode wants it. */
static struct ast *mk_file_mode(struct pctx *ctx, YYLTYPE loc, struct pstr path, YYLTYPE ploc,
				struct ast *val, uint64_t mode, YYLTYPE mloc, struct pstr *opt,
				YYLTYPE oloc)
{
	struct ast *n = mk_str(ctx, AST_FILE, loc, path, ploc);

	n->a = val;
	n->has_mode = true;
	if (opt && strcmp(opt->s, "special") != 0)
		diag_error(ctx->d, oloc, "syntax", "unexpected '%.*s' after the mode (only 'special')",
			   (int)(opt->len > 32 ? 32 : opt->len), opt->s);
	else
		check_mode(ctx, "file", mode, mloc, opt != NULL);
	if (opt)
		free(opt->s);
	n->num = (int64_t)(mode & 07777);
	return fin(ctx, n);
}

/* One attribute of an account, group or directory: str the word, a the
 * literal (NULL for a word alone). */
static struct ast *mk_attr(struct pctx *ctx, struct pstr word, YYLTYPE wloc, struct ast *val)
{
	YYLTYPE loc = wloc;
	struct ast *n;

	if (val)
		loc.end = val->loc.end;
	n = mk_str(ctx, AST_ATTR, loc, word, wloc);
	n->a = val;
	return fin(ctx, n);
}

/* The words each declaration takes, and the kind of value: 'i' an integer,
 * 's' a string, '-' none. The first is required. */
static const char *const decl_words[][6] = {
	[AST_ACCOUNT] = {"iuid", "igid", "shome", "sshell", "scomment", NULL},
	[AST_GROUP] = {"igid", NULL},
	[AST_DIRECTORY] = {"imode", "sowner", "-special", NULL},
};

static const char *decl_word(enum ast_kind kind, const char *w)
{
	for (size_t i = 0; decl_words[kind][i]; i++)
		if (!strcmp(decl_words[kind][i] + 1, w))
			return decl_words[kind][i];
	return NULL;
}

/* Check one attribute: known, not repeated, of the right kind, in range. */
static void check_attr(struct pctx *ctx, enum ast_kind kind, const struct ast_list *l, size_t i,
		       bool special)
{
	const struct ast *n = l->v[i], *v = n->a;
	const char *w = decl_word(kind, n->str);
	char want = w ? w[0] : 0;

	for (size_t k = 0; k < i; k++)
		if (!strcmp(l->v[k]->str, n->str)) {
			diag_error(ctx->d, n->nameloc, "syntax", "'%s' is given twice", n->str);
			return;
		}
	if (!w) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t k = 0; decl_words[kind][k]; k++)
			sb_addf(&sb, "%s%s", k ? ", " : "", decl_words[kind][k] + 1);
		diag_error(ctx->d, n->nameloc, "syntax", "unexpected '%.32s' in '%s' (expected %s)", n->str,
			   ast_kind_name(kind), sb.buf);
		sb_release(&sb);
	}
	else if ((want == '-') != !v || (v && (want == 'i') != (v->kind == AST_INT)))
		diag_error(ctx->d, n->loc, "syntax", "'%s' takes %s", n->str,
			   want == 'i' ? "an integer" : want == 's' ? "a string" : "no value");
	else if (!strcmp(n->str, "mode"))
		check_mode(ctx, "directory", (uint64_t)v->num, v->loc, special);
	else if (want == 'i' && (v->num < 0 || v->num > (int64_t)ACCOUNTS_ID_MAX))
		diag_error(ctx->d, v->loc, "account", "'%s' must be 0 to %u", n->str, ACCOUNTS_ID_MAX);
	else if ((!strcmp(n->str, "home") || !strcmp(n->str, "shell")) && !accounts_valid_path(v->str))
		diag_error(ctx->d, v->loc, "account", "'%s' must be an absolute path without ':'", n->str);
}

/* `account "NAME" uid N [gid N] [home "P"] [shell "P"] [comment "S"];`,
 * `group "NAME" gid N;`, `directory "P" [mode 0oM [special]] [owner "O"];`:
 * str the name or path, kids the AST_ATTR nodes in source order. */
static struct ast *mk_decl(struct pctx *ctx, enum ast_kind kind, YYLTYPE loc, struct pstr name,
			   YYLTYPE nloc, struct ast_list attrs)
{
	struct ast *n = mk_str(ctx, kind, loc, name, nloc);
	bool special = false, first = false;

	n->kids = attrs;
	for (size_t i = 0; i < attrs.n; i++) {
		special |= !strcmp(attrs.v[i]->str, "special");
		first |= !strcmp(attrs.v[i]->str, decl_words[kind][0] + 1);
	}
	for (size_t i = 0; i < attrs.n; i++)
		check_attr(ctx, kind, &attrs, i, special);
	if (kind == AST_DIRECTORY && (n->str[0] != '/' || strlen(n->str) != n->len))
		diag_error(ctx->d, nloc, "syntax", "a directory path must be absolute");
	else if (kind != AST_DIRECTORY && (!accounts_valid_name(n->str) || strlen(n->str) != n->len))
		diag_error(ctx->d, nloc, "account",
			   "'%.64s' is not a valid %s name (1 to %d of A-Z a-z 0-9 . _ -, not all digits, not "
			   "starting with '-')",
			   n->str, kind == AST_GROUP ? "group" : "account", ACCOUNTS_NAME_MAX);
	else if (kind != AST_DIRECTORY && !first)
		diag_error(ctx->d, nloc, "syntax", "'%s' needs '%s'", ast_kind_name(kind),
			   decl_words[kind][0] + 1);
	return fin(ctx, n);
}

struct ast *parse_module(struct diag *d, uint32_t file, const char *text, size_t len)
{
	struct pctx ctx;
	yyscan_t scanner;
	struct yy_buffer_state *buf;
	struct loc whole = { file, 0, (uint32_t)len };

	memset(&ctx, 0, sizeof(ctx));
	ctx.d = d;
	ctx.file = file;
	ctx.text = text;
	sb_init(&ctx.sb);
	ctx.root = ast_new_root(whole);
	if (len > PARSE_MAX_BYTES) {
		diag_error(d, (struct loc){ file, 0, 0 }, "syntax", "file is larger than %u bytes",
			   (unsigned)PARSE_MAX_BYTES);
		return ctx.root;
	}
	/* A NUL byte is never valid, and flex's fast tables read past their end
	 * on a NUL followed by a high byte: stop before scanning. */
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		uint32_t at = (uint32_t)(nul - text);
		diag_error(d, (struct loc){ file, at, at + 1 }, "syntax", "unexpected byte 0x00");
		return ctx.root;
	}
	if (yylex_init_extra(&ctx, &scanner))
		abort(); /* only fails for lack of memory */
	buf = lex_scan_text(text, len, scanner);
	yyparse(scanner, &ctx);
	yy_delete_buffer(buf, scanner);
	yylex_destroy(scanner);
	sb_release(&ctx.sb);
	return ctx.root;
}
