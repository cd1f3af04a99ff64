/* A Bison parser, made by GNU Bison 3.8.2.  */

/* Bison implementation for Yacc-like parsers in C

   Copyright (C) 1984, 1989-1990, 2000-2015, 2018-2021 Free Software Foundation,
   Inc.

   This program is free software: you can redistribute it and/or modify
   it under the terms of the GNU General Public License as published by
   the Free Software Foundation, either version 3 of the License, or
   (at your option) any later version.

   This program is distributed in the hope that it will be useful,
   but WITHOUT ANY WARRANTY; without even the implied warranty of
   MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
   GNU General Public License for more details.

   You should have received a copy of the GNU General Public License
   along with this program.  If not, see <https://www.gnu.org/licenses/>.  */

/* As a special exception, you may create a larger work that contains
   part or all of the Bison parser skeleton and distribute that work
   under terms of your choice, so long as that work isn't itself a
   parser generator using the skeleton or a modified version thereof
   as a parser skeleton.  Alternatively, if you modify or redistribute
   the parser skeleton itself, you may (at your option) remove this
   special exception, which will cause the skeleton and the resulting
   Bison output files to be licensed under the GNU General Public
   License without this special exception.

   This special exception was added by the Free Software Foundation in
   version 2.2 of Bison.  */

/* C LALR(1) parser skeleton written by Richard Stallman, by
   simplifying the original so-called "semantic" parser.  */

/* DO NOT RELY ON FEATURES THAT ARE NOT DOCUMENTED in the manual,
   especially those whose name start with YY_ or yy_.  They are
   private implementation details that can be changed or removed.  */

/* All symbols defined below should begin with yy or YY, to avoid
   infringing on user name space.  This should be done even for local
   variables, as they might otherwise be expanded by user macros.
   There are some unavoidable exceptions within include files to
   define necessary library symbols; they are noted "INFRINGES ON
   USER NAME SPACE" below.  */

/* Identify Bison output, and Bison version.  */
#define YYBISON 30802

/* Bison version string.  */
#define YYBISON_VERSION "3.8.2"

/* Skeleton name.  */
#define YYSKELETON_NAME "yacc.c"

/* Pure parsers.  */
#define YYPURE 2

/* Push parsers.  */
#define YYPUSH 0

/* Pull parsers.  */
#define YYPULL 1

/* "%code top" blocks.  */
#line 10 "grammar/parser.y"

#include "config.h"

#line 72 "grammar/parser.c"




# ifndef YY_CAST
#  ifdef __cplusplus
#   define YY_CAST(Type, Val) static_cast<Type> (Val)
#   define YY_REINTERPRET_CAST(Type, Val) reinterpret_cast<Type> (Val)
#  else
#   define YY_CAST(Type, Val) ((Type) (Val))
#   define YY_REINTERPRET_CAST(Type, Val) ((Type) (Val))
#  endif
# endif
# ifndef YY_NULLPTR
#  if defined __cplusplus
#   if 201103L <= __cplusplus
#    define YY_NULLPTR nullptr
#   else
#    define YY_NULLPTR 0
#   endif
#  else
#   define YY_NULLPTR ((void*)0)
#  endif
# endif

/* Use api.header.include to #include this header
   instead of duplicating it here.  */
#ifndef YY_YY_GRAMMAR_PARSER_H_INCLUDED
# define YY_YY_GRAMMAR_PARSER_H_INCLUDED
/* Debug traces.  */
#ifndef YYDEBUG
# define YYDEBUG 0
#endif
#if YYDEBUG
extern int yydebug;
#endif
/* "%code requires" blocks.  */
#line 14 "grammar/parser.y"

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

#line 145 "grammar/parser.c"

/* Token kinds.  */
#ifndef YYTOKENTYPE
# define YYTOKENTYPE
  enum yytokentype
  {
    YYEMPTY = -2,
    YYEOF = 0,                     /* "end of file"  */
    YYerror = 256,                 /* error  */
    YYUNDEF = 257,                 /* "invalid token"  */
    IDENT = 258,                   /* "identifier"  */
    STRING = 259,                  /* "string"  */
    INT = 260,                     /* "integer"  */
    IMPORT = 261,                  /* "'import'"  */
    AS = 262,                      /* "'as'"  */
    CONST = 263,                   /* "'const'"  */
    FRAGMENT = 264,                /* "'fragment'"  */
    POLICY = 265,                  /* "'policy'"  */
    USE = 266,                     /* "'use'"  */
    INCLUDE = 267,                 /* "'include'"  */
    EXCLUDE = 268,                 /* "'exclude'"  */
    ADMIT = 269,                   /* "'admit'"  */
    IF = 270,                      /* "'if'"  */
    ELSE = 271,                    /* "'else'"  */
    LET = 272,                     /* "'let'"  */
    DENY = 273,                    /* "'deny'"  */
    WARN = 274,                    /* "'warn'"  */
    WHEN = 275,                    /* "'when'"  */
    PLATFORM = 276,                /* "'platform'"  */
    BASE = 277,                    /* "'base'"  */
    FROM = 278,                    /* "'from'"  */
    ENTRYPOINT = 279,              /* "'entrypoint'"  */
    CMD = 280,                     /* "'cmd'"  */
    ENV = 281,                     /* "'env'"  */
    USER = 282,                    /* "'user'"  */
    WORKDIR = 283,                 /* "'workdir'"  */
    LABEL = 284,                   /* "'label'"  */
    ANNOTATION = 285,              /* "'annotation'"  */
    EXPOSE = 286,                  /* "'expose'"  */
    VOLUME = 287,                  /* "'volume'"  */
    STOPSIGNAL = 288,              /* "'stopsignal'"  */
    FILE_KW = 289,                 /* "'file'"  */
    MODE = 290,                    /* "'mode'"  */
    ANY = 291,                     /* "'any'"  */
    ALL = 292,                     /* "'all'"  */
    FOR = 293,                     /* "'for'"  */
    IN = 294,                      /* "'in'"  */
    TRUE = 295,                    /* "'true'"  */
    FALSE = 296,                   /* "'false'"  */
    NULL_KW = 297,                 /* "'null'"  */
    INPUT = 298,                   /* "'input'"  */
    SELECTED = 299,                /* "'selected'"  */
    NOTIN = 300,                   /* "'not in'"  */
    COMMENT = 301,                 /* "comment"  */
    EQ = 302,                      /* "'=='"  */
    NE = 303,                      /* "'!='"  */
    LE = 304,                      /* "'<='"  */
    GE = 305,                      /* "'>='"  */
    AND = 306,                     /* "'&&'"  */
    OR = 307,                      /* "'||'"  */
    COALESCE = 308                 /* "'??'"  */
  };
  typedef enum yytokentype yytoken_kind_t;
#endif
/* Token kinds.  */
#define YYEMPTY -2
#define YYEOF 0
#define YYerror 256
#define YYUNDEF 257
#define IDENT 258
#define STRING 259
#define INT 260
#define IMPORT 261
#define AS 262
#define CONST 263
#define FRAGMENT 264
#define POLICY 265
#define USE 266
#define INCLUDE 267
#define EXCLUDE 268
#define ADMIT 269
#define IF 270
#define ELSE 271
#define LET 272
#define DENY 273
#define WARN 274
#define WHEN 275
#define PLATFORM 276
#define BASE 277
#define FROM 278
#define ENTRYPOINT 279
#define CMD 280
#define ENV 281
#define USER 282
#define WORKDIR 283
#define LABEL 284
#define ANNOTATION 285
#define EXPOSE 286
#define VOLUME 287
#define STOPSIGNAL 288
#define FILE_KW 289
#define MODE 290
#define ANY 291
#define ALL 292
#define FOR 293
#define IN 294
#define TRUE 295
#define FALSE 296
#define NULL_KW 297
#define INPUT 298
#define SELECTED 299
#define NOTIN 300
#define COMMENT 301
#define EQ 302
#define NE 303
#define LE 304
#define GE 305
#define AND 306
#define OR 307
#define COALESCE 308

/* Value type.  */
#if ! defined YYSTYPE && ! defined YYSTYPE_IS_DECLARED
union YYSTYPE
{
#line 94 "grammar/parser.y"

	struct ast *node;
	struct pstr str;
	uint64_t ival;
	int op;
	struct ast_list list;

#line 279 "grammar/parser.c"

};
typedef union YYSTYPE YYSTYPE;
# define YYSTYPE_IS_TRIVIAL 1
# define YYSTYPE_IS_DECLARED 1
#endif

/* Location type.  */
typedef struct loc YYLTYPE;




int yyparse (yyscan_t scanner, struct pctx *ctx);

/* "%code provides" blocks.  */
#line 49 "grammar/parser.y"

int yylex(YYSTYPE *yylval_param, YYLTYPE *yylloc_param, yyscan_t yyscanner);

#line 300 "grammar/parser.c"

#endif /* !YY_YY_GRAMMAR_PARSER_H_INCLUDED  */
/* Symbol kind.  */
enum yysymbol_kind_t
{
  YYSYMBOL_YYEMPTY = -2,
  YYSYMBOL_YYEOF = 0,                      /* "end of file"  */
  YYSYMBOL_YYerror = 1,                    /* error  */
  YYSYMBOL_YYUNDEF = 2,                    /* "invalid token"  */
  YYSYMBOL_IDENT = 3,                      /* "identifier"  */
  YYSYMBOL_STRING = 4,                     /* "string"  */
  YYSYMBOL_INT = 5,                        /* "integer"  */
  YYSYMBOL_IMPORT = 6,                     /* "'import'"  */
  YYSYMBOL_AS = 7,                         /* "'as'"  */
  YYSYMBOL_CONST = 8,                      /* "'const'"  */
  YYSYMBOL_FRAGMENT = 9,                   /* "'fragment'"  */
  YYSYMBOL_POLICY = 10,                    /* "'policy'"  */
  YYSYMBOL_USE = 11,                       /* "'use'"  */
  YYSYMBOL_INCLUDE = 12,                   /* "'include'"  */
  YYSYMBOL_EXCLUDE = 13,                   /* "'exclude'"  */
  YYSYMBOL_ADMIT = 14,                     /* "'admit'"  */
  YYSYMBOL_IF = 15,                        /* "'if'"  */
  YYSYMBOL_ELSE = 16,                      /* "'else'"  */
  YYSYMBOL_LET = 17,                       /* "'let'"  */
  YYSYMBOL_DENY = 18,                      /* "'deny'"  */
  YYSYMBOL_WARN = 19,                      /* "'warn'"  */
  YYSYMBOL_WHEN = 20,                      /* "'when'"  */
  YYSYMBOL_PLATFORM = 21,                  /* "'platform'"  */
  YYSYMBOL_BASE = 22,                      /* "'base'"  */
  YYSYMBOL_FROM = 23,                      /* "'from'"  */
  YYSYMBOL_ENTRYPOINT = 24,                /* "'entrypoint'"  */
  YYSYMBOL_CMD = 25,                       /* "'cmd'"  */
  YYSYMBOL_ENV = 26,                       /* "'env'"  */
  YYSYMBOL_USER = 27,                      /* "'user'"  */
  YYSYMBOL_WORKDIR = 28,                   /* "'workdir'"  */
  YYSYMBOL_LABEL = 29,                     /* "'label'"  */
  YYSYMBOL_ANNOTATION = 30,                /* "'annotation'"  */
  YYSYMBOL_EXPOSE = 31,                    /* "'expose'"  */
  YYSYMBOL_VOLUME = 32,                    /* "'volume'"  */
  YYSYMBOL_STOPSIGNAL = 33,                /* "'stopsignal'"  */
  YYSYMBOL_FILE_KW = 34,                   /* "'file'"  */
  YYSYMBOL_MODE = 35,                      /* "'mode'"  */
  YYSYMBOL_ANY = 36,                       /* "'any'"  */
  YYSYMBOL_ALL = 37,                       /* "'all'"  */
  YYSYMBOL_FOR = 38,                       /* "'for'"  */
  YYSYMBOL_IN = 39,                        /* "'in'"  */
  YYSYMBOL_TRUE = 40,                      /* "'true'"  */
  YYSYMBOL_FALSE = 41,                     /* "'false'"  */
  YYSYMBOL_NULL_KW = 42,                   /* "'null'"  */
  YYSYMBOL_INPUT = 43,                     /* "'input'"  */
  YYSYMBOL_SELECTED = 44,                  /* "'selected'"  */
  YYSYMBOL_NOTIN = 45,                     /* "'not in'"  */
  YYSYMBOL_COMMENT = 46,                   /* "comment"  */
  YYSYMBOL_EQ = 47,                        /* "'=='"  */
  YYSYMBOL_NE = 48,                        /* "'!='"  */
  YYSYMBOL_LE = 49,                        /* "'<='"  */
  YYSYMBOL_GE = 50,                        /* "'>='"  */
  YYSYMBOL_AND = 51,                       /* "'&&'"  */
  YYSYMBOL_OR = 52,                        /* "'||'"  */
  YYSYMBOL_COALESCE = 53,                  /* "'??'"  */
  YYSYMBOL_54_ = 54,                       /* '<'  */
  YYSYMBOL_55_ = 55,                       /* '>'  */
  YYSYMBOL_56_ = 56,                       /* '+'  */
  YYSYMBOL_57_ = 57,                       /* '-'  */
  YYSYMBOL_58_ = 58,                       /* '*'  */
  YYSYMBOL_59_ = 59,                       /* '/'  */
  YYSYMBOL_60_ = 60,                       /* '%'  */
  YYSYMBOL_61_ = 61,                       /* ';'  */
  YYSYMBOL_62_ = 62,                       /* '='  */
  YYSYMBOL_63_ = 63,                       /* '}'  */
  YYSYMBOL_64_ = 64,                       /* '('  */
  YYSYMBOL_65_ = 65,                       /* ')'  */
  YYSYMBOL_66_ = 66,                       /* ','  */
  YYSYMBOL_67_ = 67,                       /* '{'  */
  YYSYMBOL_68_ = 68,                       /* '.'  */
  YYSYMBOL_69_ = 69,                       /* ':'  */
  YYSYMBOL_70_ = 70,                       /* '!'  */
  YYSYMBOL_71_ = 71,                       /* '['  */
  YYSYMBOL_72_ = 72,                       /* ']'  */
  YYSYMBOL_YYACCEPT = 73,                  /* $accept  */
  YYSYMBOL_module = 74,                    /* module  */
  YYSYMBOL_decls = 75,                     /* decls  */
  YYSYMBOL_decl = 76,                      /* decl  */
  YYSYMBOL_params_opt = 77,                /* params_opt  */
  YYSYMBOL_params = 78,                    /* params  */
  YYSYMBOL_param = 79,                     /* param  */
  YYSYMBOL_block = 80,                     /* block  */
  YYSYMBOL_stmts = 81,                     /* stmts  */
  YYSYMBOL_cmpop = 82,                     /* cmpop  */
  YYSYMBOL_stmt = 83,                      /* stmt  */
  YYSYMBOL_if_stmt = 84,                   /* if_stmt  */
  YYSYMBOL_else_opt = 85,                  /* else_opt  */
  YYSYMBOL_usename = 86,                   /* usename  */
  YYSYMBOL_expr = 87,                      /* expr  */
  YYSYMBOL_unary = 88,                     /* unary  */
  YYSYMBOL_postfix = 89,                   /* postfix  */
  YYSYMBOL_primary = 90,                   /* primary  */
  YYSYMBOL_args_opt = 91,                  /* args_opt  */
  YYSYMBOL_args = 92,                      /* args  */
  YYSYMBOL_field_name = 93,                /* field_name  */
  YYSYMBOL_keyword = 94                    /* keyword  */
};
typedef enum yysymbol_kind_t yysymbol_kind_t;



/* Unqualified %code blocks.  */
#line 53 "grammar/parser.y"

#include <stdlib.h>
#include <string.h>

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

#line 441 "grammar/parser.c"

#ifdef short
# undef short
#endif

/* On compilers that do not define __PTRDIFF_MAX__ etc., make sure
   <limits.h> and (if available) <stdint.h> are included
   so that the code can choose integer types of a good width.  */

#ifndef __PTRDIFF_MAX__
# include <limits.h> /* INFRINGES ON USER NAME SPACE */
# if defined __STDC_VERSION__ && 199901 <= __STDC_VERSION__
#  include <stdint.h> /* INFRINGES ON USER NAME SPACE */
#  define YY_STDINT_H
# endif
#endif

/* Narrow types that promote to a signed type and that can represent a
   signed or unsigned integer of at least N bits.  In tables they can
   save space and decrease cache pressure.  Promoting to a signed type
   helps avoid bugs in integer arithmetic.  */

#ifdef __INT_LEAST8_MAX__
typedef __INT_LEAST8_TYPE__ yytype_int8;
#elif defined YY_STDINT_H
typedef int_least8_t yytype_int8;
#else
typedef signed char yytype_int8;
#endif

#ifdef __INT_LEAST16_MAX__
typedef __INT_LEAST16_TYPE__ yytype_int16;
#elif defined YY_STDINT_H
typedef int_least16_t yytype_int16;
#else
typedef short yytype_int16;
#endif

/* Work around bug in HP-UX 11.23, which defines these macros
   incorrectly for preprocessor constants.  This workaround can likely
   be removed in 2023, as HPE has promised support for HP-UX 11.23
   (aka HP-UX 11i v2) only through the end of 2022; see Table 2 of
   <https://h20195.www2.hpe.com/V2/getpdf.aspx/4AA4-7673ENW.pdf>.  */
#ifdef __hpux
# undef UINT_LEAST8_MAX
# undef UINT_LEAST16_MAX
# define UINT_LEAST8_MAX 255
# define UINT_LEAST16_MAX 65535
#endif

#if defined __UINT_LEAST8_MAX__ && __UINT_LEAST8_MAX__ <= __INT_MAX__
typedef __UINT_LEAST8_TYPE__ yytype_uint8;
#elif (!defined __UINT_LEAST8_MAX__ && defined YY_STDINT_H \
       && UINT_LEAST8_MAX <= INT_MAX)
typedef uint_least8_t yytype_uint8;
#elif !defined __UINT_LEAST8_MAX__ && UCHAR_MAX <= INT_MAX
typedef unsigned char yytype_uint8;
#else
typedef short yytype_uint8;
#endif

#if defined __UINT_LEAST16_MAX__ && __UINT_LEAST16_MAX__ <= __INT_MAX__
typedef __UINT_LEAST16_TYPE__ yytype_uint16;
#elif (!defined __UINT_LEAST16_MAX__ && defined YY_STDINT_H \
       && UINT_LEAST16_MAX <= INT_MAX)
typedef uint_least16_t yytype_uint16;
#elif !defined __UINT_LEAST16_MAX__ && USHRT_MAX <= INT_MAX
typedef unsigned short yytype_uint16;
#else
typedef int yytype_uint16;
#endif

#ifndef YYPTRDIFF_T
# if defined __PTRDIFF_TYPE__ && defined __PTRDIFF_MAX__
#  define YYPTRDIFF_T __PTRDIFF_TYPE__
#  define YYPTRDIFF_MAXIMUM __PTRDIFF_MAX__
# elif defined PTRDIFF_MAX
#  ifndef ptrdiff_t
#   include <stddef.h> /* INFRINGES ON USER NAME SPACE */
#  endif
#  define YYPTRDIFF_T ptrdiff_t
#  define YYPTRDIFF_MAXIMUM PTRDIFF_MAX
# else
#  define YYPTRDIFF_T long
#  define YYPTRDIFF_MAXIMUM LONG_MAX
# endif
#endif

#ifndef YYSIZE_T
# ifdef __SIZE_TYPE__
#  define YYSIZE_T __SIZE_TYPE__
# elif defined size_t
#  define YYSIZE_T size_t
# elif defined __STDC_VERSION__ && 199901 <= __STDC_VERSION__
#  include <stddef.h> /* INFRINGES ON USER NAME SPACE */
#  define YYSIZE_T size_t
# else
#  define YYSIZE_T unsigned
# endif
#endif

#define YYSIZE_MAXIMUM                                  \
  YY_CAST (YYPTRDIFF_T,                                 \
           (YYPTRDIFF_MAXIMUM < YY_CAST (YYSIZE_T, -1)  \
            ? YYPTRDIFF_MAXIMUM                         \
            : YY_CAST (YYSIZE_T, -1)))

#define YYSIZEOF(X) YY_CAST (YYPTRDIFF_T, sizeof (X))


/* Stored state numbers (used for stacks). */
typedef yytype_int16 yy_state_t;

/* State numbers in computations.  */
typedef int yy_state_fast_t;

#ifndef YY_
# if defined YYENABLE_NLS && YYENABLE_NLS
#  if ENABLE_NLS
#   include <libintl.h> /* INFRINGES ON USER NAME SPACE */
#   define YY_(Msgid) dgettext ("bison-runtime", Msgid)
#  endif
# endif
# ifndef YY_
#  define YY_(Msgid) Msgid
# endif
#endif


#ifndef YY_ATTRIBUTE_PURE
# if defined __GNUC__ && 2 < __GNUC__ + (96 <= __GNUC_MINOR__)
#  define YY_ATTRIBUTE_PURE __attribute__ ((__pure__))
# else
#  define YY_ATTRIBUTE_PURE
# endif
#endif

#ifndef YY_ATTRIBUTE_UNUSED
# if defined __GNUC__ && 2 < __GNUC__ + (7 <= __GNUC_MINOR__)
#  define YY_ATTRIBUTE_UNUSED __attribute__ ((__unused__))
# else
#  define YY_ATTRIBUTE_UNUSED
# endif
#endif

/* Suppress unused-variable warnings by "using" E.  */
#if ! defined lint || defined __GNUC__
# define YY_USE(E) ((void) (E))
#else
# define YY_USE(E) /* empty */
#endif

/* Suppress an incorrect diagnostic about yylval being uninitialized.  */
#if defined __GNUC__ && ! defined __ICC && 406 <= __GNUC__ * 100 + __GNUC_MINOR__
# if __GNUC__ * 100 + __GNUC_MINOR__ < 407
#  define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN                           \
    _Pragma ("GCC diagnostic push")                                     \
    _Pragma ("GCC diagnostic ignored \"-Wuninitialized\"")
# else
#  define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN                           \
    _Pragma ("GCC diagnostic push")                                     \
    _Pragma ("GCC diagnostic ignored \"-Wuninitialized\"")              \
    _Pragma ("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
# endif
# define YY_IGNORE_MAYBE_UNINITIALIZED_END      \
    _Pragma ("GCC diagnostic pop")
#else
# define YY_INITIAL_VALUE(Value) Value
#endif
#ifndef YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
# define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
# define YY_IGNORE_MAYBE_UNINITIALIZED_END
#endif
#ifndef YY_INITIAL_VALUE
# define YY_INITIAL_VALUE(Value) /* Nothing. */
#endif

#if defined __cplusplus && defined __GNUC__ && ! defined __ICC && 6 <= __GNUC__
# define YY_IGNORE_USELESS_CAST_BEGIN                          \
    _Pragma ("GCC diagnostic push")                            \
    _Pragma ("GCC diagnostic ignored \"-Wuseless-cast\"")
# define YY_IGNORE_USELESS_CAST_END            \
    _Pragma ("GCC diagnostic pop")
#endif
#ifndef YY_IGNORE_USELESS_CAST_BEGIN
# define YY_IGNORE_USELESS_CAST_BEGIN
# define YY_IGNORE_USELESS_CAST_END
#endif


#define YY_ASSERT(E) ((void) (0 && (E)))

#if 1

/* The parser invokes alloca or malloc; define the necessary symbols.  */

# ifdef YYSTACK_USE_ALLOCA
#  if YYSTACK_USE_ALLOCA
#   ifdef __GNUC__
#    define YYSTACK_ALLOC __builtin_alloca
#   elif defined __BUILTIN_VA_ARG_INCR
#    include <alloca.h> /* INFRINGES ON USER NAME SPACE */
#   elif defined _AIX
#    define YYSTACK_ALLOC __alloca
#   elif defined _MSC_VER
#    include <malloc.h> /* INFRINGES ON USER NAME SPACE */
#    define alloca _alloca
#   else
#    define YYSTACK_ALLOC alloca
#    if ! defined _ALLOCA_H && ! defined EXIT_SUCCESS
#     include <stdlib.h> /* INFRINGES ON USER NAME SPACE */
      /* Use EXIT_SUCCESS as a witness for stdlib.h.  */
#     ifndef EXIT_SUCCESS
#      define EXIT_SUCCESS 0
#     endif
#    endif
#   endif
#  endif
# endif

# ifdef YYSTACK_ALLOC
   /* Pacify GCC's 'empty if-body' warning.  */
#  define YYSTACK_FREE(Ptr) do { /* empty */; } while (0)
#  ifndef YYSTACK_ALLOC_MAXIMUM
    /* The OS might guarantee only one guard page at the bottom of the stack,
       and a page size can be as small as 4096 bytes.  So we cannot safely
       invoke alloca (N) if N exceeds 4096.  Use a slightly smaller number
       to allow for a few compiler-allocated temporary stack slots.  */
#   define YYSTACK_ALLOC_MAXIMUM 4032 /* reasonable circa 2006 */
#  endif
# else
#  define YYSTACK_ALLOC YYMALLOC
#  define YYSTACK_FREE YYFREE
#  ifndef YYSTACK_ALLOC_MAXIMUM
#   define YYSTACK_ALLOC_MAXIMUM YYSIZE_MAXIMUM
#  endif
#  if (defined __cplusplus && ! defined EXIT_SUCCESS \
       && ! ((defined YYMALLOC || defined malloc) \
             && (defined YYFREE || defined free)))
#   include <stdlib.h> /* INFRINGES ON USER NAME SPACE */
#   ifndef EXIT_SUCCESS
#    define EXIT_SUCCESS 0
#   endif
#  endif
#  ifndef YYMALLOC
#   define YYMALLOC malloc
#   if ! defined malloc && ! defined EXIT_SUCCESS
void *malloc (YYSIZE_T); /* INFRINGES ON USER NAME SPACE */
#   endif
#  endif
#  ifndef YYFREE
#   define YYFREE free
#   if ! defined free && ! defined EXIT_SUCCESS
void free (void *); /* INFRINGES ON USER NAME SPACE */
#   endif
#  endif
# endif
#endif /* 1 */

#if (! defined yyoverflow \
     && (! defined __cplusplus \
         || (defined YYLTYPE_IS_TRIVIAL && YYLTYPE_IS_TRIVIAL \
             && defined YYSTYPE_IS_TRIVIAL && YYSTYPE_IS_TRIVIAL)))

/* A type that is properly aligned for any stack member.  */
union yyalloc
{
  yy_state_t yyss_alloc;
  YYSTYPE yyvs_alloc;
  YYLTYPE yyls_alloc;
};

/* The size of the maximum gap between one aligned stack and the next.  */
# define YYSTACK_GAP_MAXIMUM (YYSIZEOF (union yyalloc) - 1)

/* The size of an array large to enough to hold all stacks, each with
   N elements.  */
# define YYSTACK_BYTES(N) \
     ((N) * (YYSIZEOF (yy_state_t) + YYSIZEOF (YYSTYPE) \
             + YYSIZEOF (YYLTYPE)) \
      + 2 * YYSTACK_GAP_MAXIMUM)

# define YYCOPY_NEEDED 1

/* Relocate STACK from its old location to the new one.  The
   local variables YYSIZE and YYSTACKSIZE give the old and new number of
   elements in the stack, and YYPTR gives the new location of the
   stack.  Advance YYPTR to a properly aligned location for the next
   stack.  */
# define YYSTACK_RELOCATE(Stack_alloc, Stack)                           \
    do                                                                  \
      {                                                                 \
        YYPTRDIFF_T yynewbytes;                                         \
        YYCOPY (&yyptr->Stack_alloc, Stack, yysize);                    \
        Stack = &yyptr->Stack_alloc;                                    \
        yynewbytes = yystacksize * YYSIZEOF (*Stack) + YYSTACK_GAP_MAXIMUM; \
        yyptr += yynewbytes / YYSIZEOF (*yyptr);                        \
      }                                                                 \
    while (0)

#endif

#if defined YYCOPY_NEEDED && YYCOPY_NEEDED
/* Copy COUNT objects from SRC to DST.  The source and destination do
   not overlap.  */
# ifndef YYCOPY
#  if defined __GNUC__ && 1 < __GNUC__
#   define YYCOPY(Dst, Src, Count) \
      __builtin_memcpy (Dst, Src, YY_CAST (YYSIZE_T, (Count)) * sizeof (*(Src)))
#  else
#   define YYCOPY(Dst, Src, Count)              \
      do                                        \
        {                                       \
          YYPTRDIFF_T yyi;                      \
          for (yyi = 0; yyi < (Count); yyi++)   \
            (Dst)[yyi] = (Src)[yyi];            \
        }                                       \
      while (0)
#  endif
# endif
#endif /* !YYCOPY_NEEDED */

/* YYFINAL -- State number of the termination state.  */
#define YYFINAL  3
/* YYLAST -- Last index in YYTABLE.  */
#define YYLAST   981

/* YYNTOKENS -- Number of terminals.  */
#define YYNTOKENS  73
/* YYNNTS -- Number of nonterminals.  */
#define YYNNTS  22
/* YYNRULES -- Number of rules.  */
#define YYNRULES  148
/* YYNSTATES -- Number of states.  */
#define YYNSTATES  286

/* YYMAXUTOK -- Last valid token kind.  */
#define YYMAXUTOK   308


/* YYTRANSLATE(TOKEN-NUM) -- Symbol number corresponding to TOKEN-NUM
   as returned by yylex, with out-of-bounds checking.  */
#define YYTRANSLATE(YYX)                                \
  (0 <= (YYX) && (YYX) <= YYMAXUTOK                     \
   ? YY_CAST (yysymbol_kind_t, yytranslate[YYX])        \
   : YYSYMBOL_YYUNDEF)

/* YYTRANSLATE[TOKEN-NUM] -- Symbol number corresponding to TOKEN-NUM
   as returned by yylex.  */
static const yytype_int8 yytranslate[] =
{
       0,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,    70,     2,     2,     2,    60,     2,     2,
      64,    65,    58,    56,    66,    57,    68,    59,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,    69,    61,
      54,    62,    55,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,    71,     2,    72,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,    67,     2,    63,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     1,     2,     3,     4,
       5,     6,     7,     8,     9,    10,    11,    12,    13,    14,
      15,    16,    17,    18,    19,    20,    21,    22,    23,    24,
      25,    26,    27,    28,    29,    30,    31,    32,    33,    34,
      35,    36,    37,    38,    39,    40,    41,    42,    43,    44,
      45,    46,    47,    48,    49,    50,    51,    52,    53
};

#if YYDEBUG
/* YYRLINE[YYN] -- Source line where rule number YYN was defined.  */
static const yytype_int16 yyrline[] =
{
       0,   138,   138,   142,   143,   147,   148,   153,   158,   164,
     169,   170,   174,   175,   176,   180,   181,   185,   189,   190,
     194,   195,   199,   200,   201,   202,   203,   204,   208,   209,
     215,   216,   221,   227,   234,   239,   240,   241,   246,   247,
     252,   253,   254,   260,   261,   262,   263,   264,   265,   266,
     267,   268,   269,   270,   271,   272,   277,   287,   291,   301,
     302,   307,   311,   312,   321,   322,   329,   336,   337,   338,
     339,   340,   341,   342,   343,   344,   345,   346,   347,   348,
     349,   350,   351,   355,   356,   362,   366,   367,   372,   381,
     382,   383,   384,   385,   386,   387,   388,   389,   394,   395,
     396,   397,   398,   404,   414,   415,   419,   420,   425,   426,
     430,   430,   430,   430,   430,   430,   430,   430,   430,   430,
     431,   431,   431,   431,   431,   431,   431,   431,   431,   431,
     431,   432,   432,   432,   432,   432,   432,   432,   432,   432,
     433,   433,   433,   433,   433,   433,   433,   433,   433
};
#endif

/** Accessing symbol of state STATE.  */
#define YY_ACCESSING_SYMBOL(State) YY_CAST (yysymbol_kind_t, yystos[State])

#if 1
/* The user-facing name of the symbol whose (internal) number is
   YYSYMBOL.  No bounds checking.  */
static const char *yysymbol_name (yysymbol_kind_t yysymbol) YY_ATTRIBUTE_UNUSED;

static const char *
yysymbol_name (yysymbol_kind_t yysymbol)
{
  static const char *const yy_sname[] =
  {
  "end of file", "error", "invalid token", "identifier", "string",
  "integer", "'import'", "'as'", "'const'", "'fragment'", "'policy'",
  "'use'", "'include'", "'exclude'", "'admit'", "'if'", "'else'", "'let'",
  "'deny'", "'warn'", "'when'", "'platform'", "'base'", "'from'",
  "'entrypoint'", "'cmd'", "'env'", "'user'", "'workdir'", "'label'",
  "'annotation'", "'expose'", "'volume'", "'stopsignal'", "'file'",
  "'mode'", "'any'", "'all'", "'for'", "'in'", "'true'", "'false'",
  "'null'", "'input'", "'selected'", "'not in'", "comment", "'=='", "'!='",
  "'<='", "'>='", "'&&'", "'||'", "'?""?'", "'<'", "'>'", "'+'", "'-'",
  "'*'", "'/'", "'%'", "';'", "'='", "'}'", "'('", "')'", "','", "'{'",
  "'.'", "':'", "'!'", "'['", "']'", "$accept", "module", "decls", "decl",
  "params_opt", "params", "param", "block", "stmts", "cmpop", "stmt",
  "if_stmt", "else_opt", "usename", "expr", "unary", "postfix", "primary",
  "args_opt", "args", "field_name", "keyword", YY_NULLPTR
  };
  return yy_sname[yysymbol];
}
#endif

#define YYPACT_NINF (-63)

#define yypact_value_is_default(Yyn) \
  ((Yyn) == YYPACT_NINF)

#define YYTABLE_NINF (-3)

#define yytable_value_is_error(Yyn) \
  ((Yyn) == YYTABLE_NINF)

/* YYPACT[STATE-NUM] -- Index in YYTABLE of the portion describing
   STATE-NUM.  */
static const yytype_int16 yypact[] =
{
     -63,     6,     3,   -63,    -1,    30,     7,    36,    59,   -63,
     -63,   -63,    -5,    13,    29,    34,    94,   -63,    84,     2,
      34,   -63,   -63,    41,    39,   -63,   -63,   101,   102,   -63,
     -63,   -63,   -63,   -63,   192,    84,   192,    28,   464,   -63,
     -53,   -63,   -63,   -63,   -40,   -63,   -63,   253,   -63,    84,
      67,    68,   -63,   250,   -63,   -63,   488,   -58,    84,    84,
      84,    84,    84,    84,    84,    84,    84,    84,    84,    84,
      84,    84,    84,    84,   -63,   311,    84,   -63,   105,    20,
     106,   109,   110,   107,    84,   119,   125,   126,   127,   130,
     136,    84,    84,    92,    84,    84,   140,   146,   147,   148,
      84,   149,   -63,   -63,   -63,   855,    58,    90,    84,    84,
     -63,   155,    75,   -63,   899,   899,   899,   899,   899,   899,
     921,   877,   855,   899,   899,   -22,   -22,   -63,   -63,   -63,
     -63,   -63,   -63,   -63,   -63,   -63,   -63,   -63,   -63,   -63,
     -63,   -63,   -63,   -63,   -63,   -63,   -63,   -63,   -63,   -63,
     -63,   -63,   -63,   -63,   -63,   -63,   -63,   -63,   -63,   -63,
     -63,   -63,   -63,   -63,   -63,   -63,   -63,   -63,   -63,   -63,
     -63,   -63,   317,   -63,   -63,   -63,    91,   -34,   -26,    99,
     164,   415,   120,    -4,     0,   100,    88,   103,   510,   533,
     122,   123,   556,   579,   124,   129,   128,   131,   602,   132,
     -63,    84,   369,   392,   141,   -63,   855,   -63,   311,   -63,
      84,   -63,   -63,   -63,   -63,   -63,   -63,   -63,    84,   -63,
      84,   165,    84,    84,   -63,    84,   -63,   -63,   -63,    84,
     -63,   -63,   -63,    84,    84,   -63,   -63,    84,    84,   -63,
     -63,   -63,    84,    84,    84,    84,   -63,   133,   625,   648,
      -8,   -63,   671,   694,   717,   740,   763,   786,   809,   832,
     441,   855,   855,   118,   138,   -63,   -63,   -63,   -63,   -63,
     -63,   -63,   -63,   -63,   -63,   -63,   -63,   182,   -63,    84,
     -63,   -63,   142,   343,   -63,   -63
};

/* YYDEFACT[STATE-NUM] -- Default reduction number in state STATE-NUM.
   Performed when YYTABLE does not specify something else to do.  Zero
   means the default is an error.  */
static const yytype_uint8 yydefact[] =
{
       3,     0,     0,     1,     0,     0,     0,     0,     0,     4,
      10,    11,     0,     0,    12,     0,     0,     5,     0,     0,
       0,    20,     9,     0,    94,    93,    92,     0,     0,    90,
      91,    89,    95,    96,     0,     0,     0,     0,     0,    64,
      83,    86,    17,    13,     0,    15,     8,     0,     6,   104,
       0,     0,    85,     0,    84,    99,   106,     0,     0,     0,
       0,     0,     0,     0,     0,     0,     0,     0,     0,     0,
       0,     0,     0,     0,     7,     0,     0,    14,     0,     0,
       0,     0,     0,     0,     0,     0,     0,     0,     0,     0,
       0,     0,     0,     0,     0,     0,     0,     0,     0,     0,
       0,     0,    18,    21,    35,   106,     0,   105,     0,     0,
      98,     0,     0,   100,    76,    77,    70,    71,    73,    75,
      69,    68,    67,    72,    74,    78,    79,    80,    81,    82,
     108,   110,   111,   112,   113,   114,   115,   116,   117,   118,
     119,   120,   121,   122,   123,   124,   125,   126,   127,   128,
     129,   130,   131,   132,   133,   134,   135,   136,   137,   138,
     139,   140,   141,   142,   143,   144,   145,   146,   147,   148,
      87,   109,     0,    16,    57,    19,    62,     0,     0,     0,
       0,     0,     0,     0,     0,     0,     0,     0,     0,     0,
       0,     0,     0,     0,     0,     0,     0,     0,     0,     0,
      97,     0,     0,     0,     0,   101,   107,    88,     0,    32,
     104,    22,    23,    25,    27,    24,    26,    28,     0,    30,
       0,    59,     0,     0,    36,     0,    38,    40,    41,     0,
      43,    44,    45,     0,     0,    48,    49,     0,     0,    53,
      54,    50,     0,     0,     0,     0,    63,     0,     0,     0,
       0,    58,     0,     0,     0,     0,     0,     0,     0,     0,
       0,    65,    66,     0,     0,    29,    31,    60,    61,    34,
      37,    39,    42,    46,    47,    51,    52,     0,    55,     0,
     102,    33,     0,     0,    56,   103
};

/* YYPGOTO[NTERM-NUM].  */
static const yytype_int16 yypgoto[] =
{
     -63,   -63,   -63,   -63,   -63,   -63,   115,   -19,   -63,    15,
     -63,   -62,   -63,   -63,   -18,    50,   -63,   -63,    -2,   169,
       1,   -63
};

/* YYDEFGOTO[NTERM-NUM].  */
static const yytype_uint8 yydefgoto[] =
{
       0,     1,     2,     9,    20,    44,    45,    22,    47,   218,
     103,   104,   251,   177,   105,    39,    40,    41,   106,   107,
     170,   171
};

/* YYTABLE[YYPACT[STATE-NUM]] -- What to do in state STATE-NUM.  If
   positive, shift that token.  If negative, reduce the rule whose
   number is the opposite.  If YYTABLE_NINF, syntax error.  */
static const yytype_int16 yytable[] =
{
      38,    46,    16,    -2,     4,    42,     3,    84,   112,     5,
      13,     6,     7,     8,   113,    75,   223,    53,    76,    56,
     225,   211,   212,   213,   214,    77,    78,   209,   215,   216,
     210,    24,    25,    26,    12,   217,    71,    72,    73,    14,
     114,   115,   116,   117,   118,   119,   120,   121,   122,   123,
     124,   125,   126,   127,   128,   129,    17,   224,   172,    21,
      10,   226,    11,    15,    27,    28,   181,    43,    29,    30,
      31,    32,    33,   188,   189,    18,   192,   193,    24,    25,
      26,   174,   198,   175,    52,    34,    54,    24,    25,    26,
     202,   203,    35,    19,   206,   190,   191,    23,    36,    37,
      55,    21,    48,    49,    50,    51,   108,   109,    42,   176,
     180,    27,    28,   178,   179,    29,    30,    31,    32,    33,
      27,    28,   182,   200,    29,    30,    31,    32,    33,   183,
     184,   185,    34,   279,   186,   211,   212,   213,   214,    35,
     187,    34,   215,   216,   194,    36,    37,   205,    35,   228,
     195,   196,   197,   199,    36,    37,   201,    58,   204,   208,
     219,   227,   221,    59,   230,    60,    61,    62,    63,    64,
      65,    66,    67,    68,    69,    70,    71,    72,    73,   220,
     245,   250,   222,   206,   233,   234,   237,   282,   268,   239,
     280,   238,   240,   173,   242,    24,    25,    26,   264,   281,
     248,   229,   249,   284,   252,   253,    57,   254,   247,   246,
       0,   255,     0,     0,     0,   256,   257,     0,     0,   258,
     259,     0,     0,     0,   260,   261,   262,   263,     0,     0,
       0,   267,    29,    30,    31,    32,    33,     0,     0,     0,
       0,     0,     0,     0,     0,     0,     0,     0,     0,    34,
       0,     0,     0,     0,    79,     0,    35,     0,     0,     0,
       0,   283,    36,    37,    80,    81,    82,    83,    84,     0,
      85,    86,    87,     0,    88,    89,    90,    91,    92,    93,
      94,    95,    96,    97,    98,    99,   100,   101,     0,    58,
       0,     0,     0,     0,     0,    59,     0,    60,    61,    62,
      63,    64,    65,    66,    67,    68,    69,    70,    71,    72,
      73,     0,     0,     0,   130,   110,   102,   131,   132,   133,
     134,   135,   136,   137,   138,   139,   140,   141,   142,   143,
     144,   145,   146,   147,   148,   149,   150,   151,   152,   153,
     154,   155,   156,   157,   158,   159,   160,   161,   162,   163,
     164,   165,   166,   167,   168,   169,    58,     0,     0,     0,
       0,     0,    59,     0,    60,    61,    62,    63,    64,    65,
      66,    67,    68,    69,    70,    71,    72,    73,     0,     0,
       0,     0,    58,     0,     0,     0,     0,     0,    59,   207,
      60,    61,    62,    63,    64,    65,    66,    67,    68,    69,
      70,    71,    72,    73,     0,     0,     0,     0,    58,     0,
       0,     0,     0,     0,    59,   285,    60,    61,    62,    63,
      64,    65,    66,    67,    68,    69,    70,    71,    72,    73,
       0,    58,     0,     0,     0,     0,     0,    59,   243,    60,
      61,    62,    63,    64,    65,    66,    67,    68,    69,    70,
      71,    72,    73,     0,    58,     0,     0,     0,     0,     0,
      59,   244,    60,    61,    62,    63,    64,    65,    66,    67,
      68,    69,    70,    71,    72,    73,   277,     0,     0,     0,
      58,     0,    21,     0,     0,     0,    59,     0,    60,    61,
      62,    63,    64,    65,    66,    67,    68,    69,    70,    71,
      72,    73,   278,    58,     0,     0,     0,     0,     0,    59,
       0,    60,    61,    62,    63,    64,    65,    66,    67,    68,
      69,    70,    71,    72,    73,    74,   111,    58,     0,     0,
       0,     0,     0,    59,     0,    60,    61,    62,    63,    64,
      65,    66,    67,    68,    69,    70,    71,    72,    73,    58,
       0,     0,     0,     0,     0,    59,     0,    60,    61,    62,
      63,    64,    65,    66,    67,    68,    69,    70,    71,    72,
      73,   231,    58,     0,     0,     0,     0,     0,    59,     0,
      60,    61,    62,    63,    64,    65,    66,    67,    68,    69,
      70,    71,    72,    73,   232,    58,     0,     0,     0,     0,
       0,    59,     0,    60,    61,    62,    63,    64,    65,    66,
      67,    68,    69,    70,    71,    72,    73,   235,    58,     0,
       0,     0,     0,     0,    59,     0,    60,    61,    62,    63,
      64,    65,    66,    67,    68,    69,    70,    71,    72,    73,
     236,    58,     0,     0,     0,     0,     0,    59,     0,    60,
      61,    62,    63,    64,    65,    66,    67,    68,    69,    70,
      71,    72,    73,   241,    58,     0,     0,     0,     0,     0,
      59,     0,    60,    61,    62,    63,    64,    65,    66,    67,
      68,    69,    70,    71,    72,    73,   265,    58,     0,     0,
       0,     0,     0,    59,     0,    60,    61,    62,    63,    64,
      65,    66,    67,    68,    69,    70,    71,    72,    73,   266,
      58,     0,     0,     0,     0,     0,    59,     0,    60,    61,
      62,    63,    64,    65,    66,    67,    68,    69,    70,    71,
      72,    73,   269,    58,     0,     0,     0,     0,     0,    59,
       0,    60,    61,    62,    63,    64,    65,    66,    67,    68,
      69,    70,    71,    72,    73,   270,    58,     0,     0,     0,
       0,     0,    59,     0,    60,    61,    62,    63,    64,    65,
      66,    67,    68,    69,    70,    71,    72,    73,   271,    58,
       0,     0,     0,     0,     0,    59,     0,    60,    61,    62,
      63,    64,    65,    66,    67,    68,    69,    70,    71,    72,
      73,   272,    58,     0,     0,     0,     0,     0,    59,     0,
      60,    61,    62,    63,    64,    65,    66,    67,    68,    69,
      70,    71,    72,    73,   273,    58,     0,     0,     0,     0,
       0,    59,     0,    60,    61,    62,    63,    64,    65,    66,
      67,    68,    69,    70,    71,    72,    73,   274,    58,     0,
       0,     0,     0,     0,    59,     0,    60,    61,    62,    63,
      64,    65,    66,    67,    68,    69,    70,    71,    72,    73,
     275,    58,     0,     0,     0,     0,     0,    59,     0,    60,
      61,    62,    63,    64,    65,    66,    67,    68,    69,    70,
      71,    72,    73,   276,    58,     0,     0,     0,     0,     0,
      59,     0,    60,    61,    62,    63,    64,    65,    66,    67,
      68,    69,    70,    71,    72,    73,    58,     0,     0,     0,
       0,     0,    59,     0,    60,    61,    62,    63,    64,     0,
       0,    67,    68,    69,    70,    71,    72,    73,    -3,     0,
       0,     0,     0,     0,    -3,     0,    -3,    -3,    -3,    -3,
       0,     0,     0,    -3,    -3,    69,    70,    71,    72,    73,
      58,     0,     0,     0,     0,     0,    59,     0,    60,    61,
      62,    63,     0,     0,     0,    67,    68,    69,    70,    71,
      72,    73
};

static const yytype_int16 yycheck[] =
{
      18,    20,     7,     0,     1,     3,     0,    15,    66,     6,
       3,     8,     9,    10,    72,    68,    20,    35,    71,    37,
      20,    47,    48,    49,    50,    65,    66,    61,    54,    55,
      64,     3,     4,     5,     4,    61,    58,    59,    60,     3,
      58,    59,    60,    61,    62,    63,    64,    65,    66,    67,
      68,    69,    70,    71,    72,    73,    61,    61,    76,    67,
      61,    61,    63,     4,    36,    37,    84,    65,    40,    41,
      42,    43,    44,    91,    92,    62,    94,    95,     3,     4,
       5,    61,   100,    63,    34,    57,    36,     3,     4,     5,
     108,   109,    64,    64,   112,     3,     4,     3,    70,    71,
      72,    67,    61,    64,     3,     3,    39,    39,     3,     3,
       3,    36,    37,     4,     4,    40,    41,    42,    43,    44,
      36,    37,     3,    65,    40,    41,    42,    43,    44,     4,
       4,     4,    57,    15,     4,    47,    48,    49,    50,    64,
       4,    57,    54,    55,     4,    70,    71,    72,    64,    61,
       4,     4,     4,     4,    70,    71,    66,    39,     3,    68,
      61,    61,   181,    45,    61,    47,    48,    49,    50,    51,
      52,    53,    54,    55,    56,    57,    58,    59,    60,    15,
      39,    16,    62,   201,    62,    62,    62,     5,   250,    61,
      72,    62,    61,    78,    62,     3,     4,     5,    65,    61,
     218,   186,   220,    61,   222,   223,    37,   225,   210,   208,
      -1,   229,    -1,    -1,    -1,   233,   234,    -1,    -1,   237,
     238,    -1,    -1,    -1,   242,   243,   244,   245,    -1,    -1,
      -1,   250,    40,    41,    42,    43,    44,    -1,    -1,    -1,
      -1,    -1,    -1,    -1,    -1,    -1,    -1,    -1,    -1,    57,
      -1,    -1,    -1,    -1,     1,    -1,    64,    -1,    -1,    -1,
      -1,   279,    70,    71,    11,    12,    13,    14,    15,    -1,
      17,    18,    19,    -1,    21,    22,    23,    24,    25,    26,
      27,    28,    29,    30,    31,    32,    33,    34,    -1,    39,
      -1,    -1,    -1,    -1,    -1,    45,    -1,    47,    48,    49,
      50,    51,    52,    53,    54,    55,    56,    57,    58,    59,
      60,    -1,    -1,    -1,     3,    65,    63,     6,     7,     8,
       9,    10,    11,    12,    13,    14,    15,    16,    17,    18,
      19,    20,    21,    22,    23,    24,    25,    26,    27,    28,
      29,    30,    31,    32,    33,    34,    35,    36,    37,    38,
      39,    40,    41,    42,    43,    44,    39,    -1,    -1,    -1,
      -1,    -1,    45,    -1,    47,    48,    49,    50,    51,    52,
      53,    54,    55,    56,    57,    58,    59,    60,    -1,    -1,
      -1,    -1,    39,    -1,    -1,    -1,    -1,    -1,    45,    72,
      47,    48,    49,    50,    51,    52,    53,    54,    55,    56,
      57,    58,    59,    60,    -1,    -1,    -1,    -1,    39,    -1,
      -1,    -1,    -1,    -1,    45,    72,    47,    48,    49,    50,
      51,    52,    53,    54,    55,    56,    57,    58,    59,    60,
      -1,    39,    -1,    -1,    -1,    -1,    -1,    45,    69,    47,
      48,    49,    50,    51,    52,    53,    54,    55,    56,    57,
      58,    59,    60,    -1,    39,    -1,    -1,    -1,    -1,    -1,
      45,    69,    47,    48,    49,    50,    51,    52,    53,    54,
      55,    56,    57,    58,    59,    60,    35,    -1,    -1,    -1,
      39,    -1,    67,    -1,    -1,    -1,    45,    -1,    47,    48,
      49,    50,    51,    52,    53,    54,    55,    56,    57,    58,
      59,    60,    61,    39,    -1,    -1,    -1,    -1,    -1,    45,
      -1,    47,    48,    49,    50,    51,    52,    53,    54,    55,
      56,    57,    58,    59,    60,    61,    38,    39,    -1,    -1,
      -1,    -1,    -1,    45,    -1,    47,    48,    49,    50,    51,
      52,    53,    54,    55,    56,    57,    58,    59,    60,    39,
      -1,    -1,    -1,    -1,    -1,    45,    -1,    47,    48,    49,
      50,    51,    52,    53,    54,    55,    56,    57,    58,    59,
      60,    61,    39,    -1,    -1,    -1,    -1,    -1,    45,    -1,
      47,    48,    49,    50,    51,    52,    53,    54,    55,    56,
      57,    58,    59,    60,    61,    39,    -1,    -1,    -1,    -1,
      -1,    45,    -1,    47,    48,    49,    50,    51,    52,    53,
      54,    55,    56,    57,    58,    59,    60,    61,    39,    -1,
      -1,    -1,    -1,    -1,    45,    -1,    47,    48,    49,    50,
      51,    52,    53,    54,    55,    56,    57,    58,    59,    60,
      61,    39,    -1,    -1,    -1,    -1,    -1,    45,    -1,    47,
      48,    49,    50,    51,    52,    53,    54,    55,    56,    57,
      58,    59,    60,    61,    39,    -1,    -1,    -1,    -1,    -1,
      45,    -1,    47,    48,    49,    50,    51,    52,    53,    54,
      55,    56,    57,    58,    59,    60,    61,    39,    -1,    -1,
      -1,    -1,    -1,    45,    -1,    47,    48,    49,    50,    51,
      52,    53,    54,    55,    56,    57,    58,    59,    60,    61,
      39,    -1,    -1,    -1,    -1,    -1,    45,    -1,    47,    48,
      49,    50,    51,    52,    53,    54,    55,    56,    57,    58,
      59,    60,    61,    39,    -1,    -1,    -1,    -1,    -1,    45,
      -1,    47,    48,    49,    50,    51,    52,    53,    54,    55,
      56,    57,    58,    59,    60,    61,    39,    -1,    -1,    -1,
      -1,    -1,    45,    -1,    47,    48,    49,    50,    51,    52,
      53,    54,    55,    56,    57,    58,    59,    60,    61,    39,
      -1,    -1,    -1,    -1,    -1,    45,    -1,    47,    48,    49,
      50,    51,    52,    53,    54,    55,    56,    57,    58,    59,
      60,    61,    39,    -1,    -1,    -1,    -1,    -1,    45,    -1,
      47,    48,    49,    50,    51,    52,    53,    54,    55,    56,
      57,    58,    59,    60,    61,    39,    -1,    -1,    -1,    -1,
      -1,    45,    -1,    47,    48,    49,    50,    51,    52,    53,
      54,    55,    56,    57,    58,    59,    60,    61,    39,    -1,
      -1,    -1,    -1,    -1,    45,    -1,    47,    48,    49,    50,
      51,    52,    53,    54,    55,    56,    57,    58,    59,    60,
      61,    39,    -1,    -1,    -1,    -1,    -1,    45,    -1,    47,
      48,    49,    50,    51,    52,    53,    54,    55,    56,    57,
      58,    59,    60,    61,    39,    -1,    -1,    -1,    -1,    -1,
      45,    -1,    47,    48,    49,    50,    51,    52,    53,    54,
      55,    56,    57,    58,    59,    60,    39,    -1,    -1,    -1,
      -1,    -1,    45,    -1,    47,    48,    49,    50,    51,    -1,
      -1,    54,    55,    56,    57,    58,    59,    60,    39,    -1,
      -1,    -1,    -1,    -1,    45,    -1,    47,    48,    49,    50,
      -1,    -1,    -1,    54,    55,    56,    57,    58,    59,    60,
      39,    -1,    -1,    -1,    -1,    -1,    45,    -1,    47,    48,
      49,    50,    -1,    -1,    -1,    54,    55,    56,    57,    58,
      59,    60
};

/* YYSTOS[STATE-NUM] -- The symbol kind of the accessing symbol of
   state STATE-NUM.  */
static const yytype_int8 yystos[] =
{
       0,    74,    75,     0,     1,     6,     8,     9,    10,    76,
      61,    63,     4,     3,     3,     4,     7,    61,    62,    64,
      77,    67,    80,     3,     3,     4,     5,    36,    37,    40,
      41,    42,    43,    44,    57,    64,    70,    71,    87,    88,
      89,    90,     3,    65,    78,    79,    80,    81,    61,    64,
       3,     3,    88,    87,    88,    72,    87,    92,    39,    45,
      47,    48,    49,    50,    51,    52,    53,    54,    55,    56,
      57,    58,    59,    60,    61,    68,    71,    65,    66,     1,
      11,    12,    13,    14,    15,    17,    18,    19,    21,    22,
      23,    24,    25,    26,    27,    28,    29,    30,    31,    32,
      33,    34,    63,    83,    84,    87,    91,    92,    39,    39,
      65,    38,    66,    72,    87,    87,    87,    87,    87,    87,
      87,    87,    87,    87,    87,    87,    87,    87,    87,    87,
       3,     6,     7,     8,     9,    10,    11,    12,    13,    14,
      15,    16,    17,    18,    19,    20,    21,    22,    23,    24,
      25,    26,    27,    28,    29,    30,    31,    32,    33,    34,
      35,    36,    37,    38,    39,    40,    41,    42,    43,    44,
      93,    94,    87,    79,    61,    63,     3,    86,     4,     4,
       3,    87,     3,     4,     4,     4,     4,     4,    87,    87,
       3,     4,    87,    87,     4,     4,     4,     4,    87,     4,
      65,    66,    87,    87,     3,    72,    87,    72,    68,    61,
      64,    47,    48,    49,    50,    54,    55,    61,    82,    61,
      15,    80,    62,    20,    61,    20,    61,    61,    61,    82,
      61,    61,    61,    62,    62,    61,    61,    62,    62,    61,
      61,    61,    62,    69,    69,    39,    93,    91,    87,    87,
      16,    85,    87,    87,    87,    87,    87,    87,    87,    87,
      87,    87,    87,    87,    65,    61,    61,    80,    84,    61,
      61,    61,    61,    61,    61,    61,    61,    35,    61,    15,
      72,    61,     5,    87,    61,    72
};

/* YYR1[RULE-NUM] -- Symbol kind of the left-hand side of rule RULE-NUM.  */
static const yytype_int8 yyr1[] =
{
       0,    73,    74,    75,    75,    76,    76,    76,    76,    76,
      76,    76,    77,    77,    77,    78,    78,    79,    80,    80,
      81,    81,    82,    82,    82,    82,    82,    82,    83,    83,
      83,    83,    83,    83,    83,    83,    83,    83,    83,    83,
      83,    83,    83,    83,    83,    83,    83,    83,    83,    83,
      83,    83,    83,    83,    83,    83,    83,    83,    84,    85,
      85,    85,    86,    86,    87,    87,    87,    87,    87,    87,
      87,    87,    87,    87,    87,    87,    87,    87,    87,    87,
      87,    87,    87,    88,    88,    88,    89,    89,    89,    90,
      90,    90,    90,    90,    90,    90,    90,    90,    90,    90,
      90,    90,    90,    90,    91,    91,    92,    92,    93,    93,
      94,    94,    94,    94,    94,    94,    94,    94,    94,    94,
      94,    94,    94,    94,    94,    94,    94,    94,    94,    94,
      94,    94,    94,    94,    94,    94,    94,    94,    94,    94,
      94,    94,    94,    94,    94,    94,    94,    94,    94
};

/* YYR2[RULE-NUM] -- Number of symbols on the right-hand side of rule RULE-NUM.  */
static const yytype_int8 yyr2[] =
{
       0,     2,     1,     0,     2,     3,     5,     5,     4,     3,
       2,     2,     0,     2,     3,     1,     3,     1,     3,     4,
       0,     2,     1,     1,     1,     1,     1,     1,     3,     5,
       3,     5,     3,     6,     5,     1,     3,     5,     3,     5,
       3,     3,     5,     3,     3,     3,     5,     5,     3,     3,
       3,     5,     5,     3,     3,     5,     7,     2,     4,     0,
       2,     2,     1,     3,     1,     6,     6,     3,     3,     3,
       3,     3,     3,     3,     3,     3,     3,     3,     3,     3,
       3,     3,     3,     1,     2,     2,     1,     3,     4,     1,
       1,     1,     1,     1,     1,     1,     1,     4,     3,     2,
       3,     4,     7,     9,     0,     1,     1,     3,     1,     1,
       1,     1,     1,     1,     1,     1,     1,     1,     1,     1,
       1,     1,     1,     1,     1,     1,     1,     1,     1,     1,
       1,     1,     1,     1,     1,     1,     1,     1,     1,     1,
       1,     1,     1,     1,     1,     1,     1,     1,     1
};


enum { YYENOMEM = -2 };

#define yyerrok         (yyerrstatus = 0)
#define yyclearin       (yychar = YYEMPTY)

#define YYACCEPT        goto yyacceptlab
#define YYABORT         goto yyabortlab
#define YYERROR         goto yyerrorlab
#define YYNOMEM         goto yyexhaustedlab


#define YYRECOVERING()  (!!yyerrstatus)

#define YYBACKUP(Token, Value)                                    \
  do                                                              \
    if (yychar == YYEMPTY)                                        \
      {                                                           \
        yychar = (Token);                                         \
        yylval = (Value);                                         \
        YYPOPSTACK (yylen);                                       \
        yystate = *yyssp;                                         \
        goto yybackup;                                            \
      }                                                           \
    else                                                          \
      {                                                           \
        yyerror (&yylloc, scanner, ctx, YY_("syntax error: cannot back up")); \
        YYERROR;                                                  \
      }                                                           \
  while (0)

/* Backward compatibility with an undocumented macro.
   Use YYerror or YYUNDEF. */
#define YYERRCODE YYUNDEF

/* YYLLOC_DEFAULT -- Set CURRENT to span from RHS[1] to RHS[N].
   If N is 0, then set CURRENT to the empty location which ends
   the previous symbol: RHS[0] (always defined).  */

#ifndef YYLLOC_DEFAULT
# define YYLLOC_DEFAULT(Current, Rhs, N)                                \
    do                                                                  \
      if (N)                                                            \
        {                                                               \
          (Current).first_line   = YYRHSLOC (Rhs, 1).first_line;        \
          (Current).first_column = YYRHSLOC (Rhs, 1).first_column;      \
          (Current).last_line    = YYRHSLOC (Rhs, N).last_line;         \
          (Current).last_column  = YYRHSLOC (Rhs, N).last_column;       \
        }                                                               \
      else                                                              \
        {                                                               \
          (Current).first_line   = (Current).last_line   =              \
            YYRHSLOC (Rhs, 0).last_line;                                \
          (Current).first_column = (Current).last_column =              \
            YYRHSLOC (Rhs, 0).last_column;                              \
        }                                                               \
    while (0)
#endif

#define YYRHSLOC(Rhs, K) ((Rhs)[K])


/* Enable debugging if requested.  */
#if YYDEBUG

# ifndef YYFPRINTF
#  include <stdio.h> /* INFRINGES ON USER NAME SPACE */
#  define YYFPRINTF fprintf
# endif

# define YYDPRINTF(Args)                        \
do {                                            \
  if (yydebug)                                  \
    YYFPRINTF Args;                             \
} while (0)


/* YYLOCATION_PRINT -- Print the location on the stream.
   This macro was not mandated originally: define only if we know
   we won't break user code: when these are the locations we know.  */

# ifndef YYLOCATION_PRINT

#  if defined YY_LOCATION_PRINT

   /* Temporary convenience wrapper in case some people defined the
      undocumented and private YY_LOCATION_PRINT macros.  */
#   define YYLOCATION_PRINT(File, Loc)  YY_LOCATION_PRINT(File, *(Loc))

#  elif defined YYLTYPE_IS_TRIVIAL && YYLTYPE_IS_TRIVIAL

/* Print *YYLOCP on YYO.  Private, do not rely on its existence. */

YY_ATTRIBUTE_UNUSED
static int
yy_location_print_ (FILE *yyo, YYLTYPE const * const yylocp)
{
  int res = 0;
  int end_col = 0 != yylocp->last_column ? yylocp->last_column - 1 : 0;
  if (0 <= yylocp->first_line)
    {
      res += YYFPRINTF (yyo, "%d", yylocp->first_line);
      if (0 <= yylocp->first_column)
        res += YYFPRINTF (yyo, ".%d", yylocp->first_column);
    }
  if (0 <= yylocp->last_line)
    {
      if (yylocp->first_line < yylocp->last_line)
        {
          res += YYFPRINTF (yyo, "-%d", yylocp->last_line);
          if (0 <= end_col)
            res += YYFPRINTF (yyo, ".%d", end_col);
        }
      else if (0 <= end_col && yylocp->first_column < end_col)
        res += YYFPRINTF (yyo, "-%d", end_col);
    }
  return res;
}

#   define YYLOCATION_PRINT  yy_location_print_

    /* Temporary convenience wrapper in case some people defined the
       undocumented and private YY_LOCATION_PRINT macros.  */
#   define YY_LOCATION_PRINT(File, Loc)  YYLOCATION_PRINT(File, &(Loc))

#  else

#   define YYLOCATION_PRINT(File, Loc) ((void) 0)
    /* Temporary convenience wrapper in case some people defined the
       undocumented and private YY_LOCATION_PRINT macros.  */
#   define YY_LOCATION_PRINT  YYLOCATION_PRINT

#  endif
# endif /* !defined YYLOCATION_PRINT */


# define YY_SYMBOL_PRINT(Title, Kind, Value, Location)                    \
do {                                                                      \
  if (yydebug)                                                            \
    {                                                                     \
      YYFPRINTF (stderr, "%s ", Title);                                   \
      yy_symbol_print (stderr,                                            \
                  Kind, Value, Location, scanner, ctx); \
      YYFPRINTF (stderr, "\n");                                           \
    }                                                                     \
} while (0)


/*-----------------------------------.
| Print this symbol's value on YYO.  |
`-----------------------------------*/

static void
yy_symbol_value_print (FILE *yyo,
                       yysymbol_kind_t yykind, YYSTYPE const * const yyvaluep, YYLTYPE const * const yylocationp, yyscan_t scanner, struct pctx *ctx)
{
  FILE *yyoutput = yyo;
  YY_USE (yyoutput);
  YY_USE (yylocationp);
  YY_USE (scanner);
  YY_USE (ctx);
  if (!yyvaluep)
    return;
  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  YY_USE (yykind);
  YY_IGNORE_MAYBE_UNINITIALIZED_END
}


/*---------------------------.
| Print this symbol on YYO.  |
`---------------------------*/

static void
yy_symbol_print (FILE *yyo,
                 yysymbol_kind_t yykind, YYSTYPE const * const yyvaluep, YYLTYPE const * const yylocationp, yyscan_t scanner, struct pctx *ctx)
{
  YYFPRINTF (yyo, "%s %s (",
             yykind < YYNTOKENS ? "token" : "nterm", yysymbol_name (yykind));

  YYLOCATION_PRINT (yyo, yylocationp);
  YYFPRINTF (yyo, ": ");
  yy_symbol_value_print (yyo, yykind, yyvaluep, yylocationp, scanner, ctx);
  YYFPRINTF (yyo, ")");
}

/*------------------------------------------------------------------.
| yy_stack_print -- Print the state stack from its BOTTOM up to its |
| TOP (included).                                                   |
`------------------------------------------------------------------*/

static void
yy_stack_print (yy_state_t *yybottom, yy_state_t *yytop)
{
  YYFPRINTF (stderr, "Stack now");
  for (; yybottom <= yytop; yybottom++)
    {
      int yybot = *yybottom;
      YYFPRINTF (stderr, " %d", yybot);
    }
  YYFPRINTF (stderr, "\n");
}

# define YY_STACK_PRINT(Bottom, Top)                            \
do {                                                            \
  if (yydebug)                                                  \
    yy_stack_print ((Bottom), (Top));                           \
} while (0)


/*------------------------------------------------.
| Report that the YYRULE is going to be reduced.  |
`------------------------------------------------*/

static void
yy_reduce_print (yy_state_t *yyssp, YYSTYPE *yyvsp, YYLTYPE *yylsp,
                 int yyrule, yyscan_t scanner, struct pctx *ctx)
{
  int yylno = yyrline[yyrule];
  int yynrhs = yyr2[yyrule];
  int yyi;
  YYFPRINTF (stderr, "Reducing stack by rule %d (line %d):\n",
             yyrule - 1, yylno);
  /* The symbols being reduced.  */
  for (yyi = 0; yyi < yynrhs; yyi++)
    {
      YYFPRINTF (stderr, "   $%d = ", yyi + 1);
      yy_symbol_print (stderr,
                       YY_ACCESSING_SYMBOL (+yyssp[yyi + 1 - yynrhs]),
                       &yyvsp[(yyi + 1) - (yynrhs)],
                       &(yylsp[(yyi + 1) - (yynrhs)]), scanner, ctx);
      YYFPRINTF (stderr, "\n");
    }
}

# define YY_REDUCE_PRINT(Rule)          \
do {                                    \
  if (yydebug)                          \
    yy_reduce_print (yyssp, yyvsp, yylsp, Rule, scanner, ctx); \
} while (0)

/* Nonzero means print parse trace.  It is left uninitialized so that
   multiple parsers can coexist.  */
int yydebug;
#else /* !YYDEBUG */
# define YYDPRINTF(Args) ((void) 0)
# define YY_SYMBOL_PRINT(Title, Kind, Value, Location)
# define YY_STACK_PRINT(Bottom, Top)
# define YY_REDUCE_PRINT(Rule)
#endif /* !YYDEBUG */


/* YYINITDEPTH -- initial size of the parser's stacks.  */
#ifndef YYINITDEPTH
# define YYINITDEPTH 200
#endif

/* YYMAXDEPTH -- maximum size the stacks can grow to (effective only
   if the built-in stack extension method is used).

   Do not make this value too large; the results are undefined if
   YYSTACK_ALLOC_MAXIMUM < YYSTACK_BYTES (YYMAXDEPTH)
   evaluated with infinite-precision integer arithmetic.  */

#ifndef YYMAXDEPTH
# define YYMAXDEPTH 10000
#endif


/* Context of a parse error.  */
typedef struct
{
  yy_state_t *yyssp;
  yysymbol_kind_t yytoken;
  YYLTYPE *yylloc;
} yypcontext_t;

/* Put in YYARG at most YYARGN of the expected tokens given the
   current YYCTX, and return the number of tokens stored in YYARG.  If
   YYARG is null, return the number of expected tokens (guaranteed to
   be less than YYNTOKENS).  Return YYENOMEM on memory exhaustion.
   Return 0 if there are more than YYARGN expected tokens, yet fill
   YYARG up to YYARGN. */
static int
yypcontext_expected_tokens (const yypcontext_t *yyctx,
                            yysymbol_kind_t yyarg[], int yyargn)
{
  /* Actual size of YYARG. */
  int yycount = 0;
  int yyn = yypact[+*yyctx->yyssp];
  if (!yypact_value_is_default (yyn))
    {
      /* Start YYX at -YYN if negative to avoid negative indexes in
         YYCHECK.  In other words, skip the first -YYN actions for
         this state because they are default actions.  */
      int yyxbegin = yyn < 0 ? -yyn : 0;
      /* Stay within bounds of both yycheck and yytname.  */
      int yychecklim = YYLAST - yyn + 1;
      int yyxend = yychecklim < YYNTOKENS ? yychecklim : YYNTOKENS;
      int yyx;
      for (yyx = yyxbegin; yyx < yyxend; ++yyx)
        if (yycheck[yyx + yyn] == yyx && yyx != YYSYMBOL_YYerror
            && !yytable_value_is_error (yytable[yyx + yyn]))
          {
            if (!yyarg)
              ++yycount;
            else if (yycount == yyargn)
              return 0;
            else
              yyarg[yycount++] = YY_CAST (yysymbol_kind_t, yyx);
          }
    }
  if (yyarg && yycount == 0 && 0 < yyargn)
    yyarg[0] = YYSYMBOL_YYEMPTY;
  return yycount;
}




#ifndef yystrlen
# if defined __GLIBC__ && defined _STRING_H
#  define yystrlen(S) (YY_CAST (YYPTRDIFF_T, strlen (S)))
# else
/* Return the length of YYSTR.  */
static YYPTRDIFF_T
yystrlen (const char *yystr)
{
  YYPTRDIFF_T yylen;
  for (yylen = 0; yystr[yylen]; yylen++)
    continue;
  return yylen;
}
# endif
#endif

#ifndef yystpcpy
# if defined __GLIBC__ && defined _STRING_H && defined _GNU_SOURCE
#  define yystpcpy stpcpy
# else
/* Copy YYSRC to YYDEST, returning the address of the terminating '\0' in
   YYDEST.  */
static char *
yystpcpy (char *yydest, const char *yysrc)
{
  char *yyd = yydest;
  const char *yys = yysrc;

  while ((*yyd++ = *yys++) != '\0')
    continue;

  return yyd - 1;
}
# endif
#endif



static int
yy_syntax_error_arguments (const yypcontext_t *yyctx,
                           yysymbol_kind_t yyarg[], int yyargn)
{
  /* Actual size of YYARG. */
  int yycount = 0;
  /* There are many possibilities here to consider:
     - If this state is a consistent state with a default action, then
       the only way this function was invoked is if the default action
       is an error action.  In that case, don't check for expected
       tokens because there are none.
     - The only way there can be no lookahead present (in yychar) is if
       this state is a consistent state with a default action.  Thus,
       detecting the absence of a lookahead is sufficient to determine
       that there is no unexpected or expected token to report.  In that
       case, just report a simple "syntax error".
     - Don't assume there isn't a lookahead just because this state is a
       consistent state with a default action.  There might have been a
       previous inconsistent state, consistent state with a non-default
       action, or user semantic action that manipulated yychar.
     - Of course, the expected token list depends on states to have
       correct lookahead information, and it depends on the parser not
       to perform extra reductions after fetching a lookahead from the
       scanner and before detecting a syntax error.  Thus, state merging
       (from LALR or IELR) and default reductions corrupt the expected
       token list.  However, the list is correct for canonical LR with
       one exception: it will still contain any token that will not be
       accepted due to an error action in a later state.
  */
  if (yyctx->yytoken != YYSYMBOL_YYEMPTY)
    {
      int yyn;
      if (yyarg)
        yyarg[yycount] = yyctx->yytoken;
      ++yycount;
      yyn = yypcontext_expected_tokens (yyctx,
                                        yyarg ? yyarg + 1 : yyarg, yyargn - 1);
      if (yyn == YYENOMEM)
        return YYENOMEM;
      else
        yycount += yyn;
    }
  return yycount;
}

/* Copy into *YYMSG, which is of size *YYMSG_ALLOC, an error message
   about the unexpected token YYTOKEN for the state stack whose top is
   YYSSP.

   Return 0 if *YYMSG was successfully written.  Return -1 if *YYMSG is
   not large enough to hold the message.  In that case, also set
   *YYMSG_ALLOC to the required number of bytes.  Return YYENOMEM if the
   required number of bytes is too large to store.  */
static int
yysyntax_error (YYPTRDIFF_T *yymsg_alloc, char **yymsg,
                const yypcontext_t *yyctx)
{
  enum { YYARGS_MAX = 5 };
  /* Internationalized format string. */
  const char *yyformat = YY_NULLPTR;
  /* Arguments of yyformat: reported tokens (one for the "unexpected",
     one per "expected"). */
  yysymbol_kind_t yyarg[YYARGS_MAX];
  /* Cumulated lengths of YYARG.  */
  YYPTRDIFF_T yysize = 0;

  /* Actual size of YYARG. */
  int yycount = yy_syntax_error_arguments (yyctx, yyarg, YYARGS_MAX);
  if (yycount == YYENOMEM)
    return YYENOMEM;

  switch (yycount)
    {
#define YYCASE_(N, S)                       \
      case N:                               \
        yyformat = S;                       \
        break
    default: /* Avoid compiler warnings. */
      YYCASE_(0, YY_("syntax error"));
      YYCASE_(1, YY_("syntax error, unexpected %s"));
      YYCASE_(2, YY_("syntax error, unexpected %s, expecting %s"));
      YYCASE_(3, YY_("syntax error, unexpected %s, expecting %s or %s"));
      YYCASE_(4, YY_("syntax error, unexpected %s, expecting %s or %s or %s"));
      YYCASE_(5, YY_("syntax error, unexpected %s, expecting %s or %s or %s or %s"));
#undef YYCASE_
    }

  /* Compute error message size.  Don't count the "%s"s, but reserve
     room for the terminator.  */
  yysize = yystrlen (yyformat) - 2 * yycount + 1;
  {
    int yyi;
    for (yyi = 0; yyi < yycount; ++yyi)
      {
        YYPTRDIFF_T yysize1
          = yysize + yystrlen (yysymbol_name (yyarg[yyi]));
        if (yysize <= yysize1 && yysize1 <= YYSTACK_ALLOC_MAXIMUM)
          yysize = yysize1;
        else
          return YYENOMEM;
      }
  }

  if (*yymsg_alloc < yysize)
    {
      *yymsg_alloc = 2 * yysize;
      if (! (yysize <= *yymsg_alloc
             && *yymsg_alloc <= YYSTACK_ALLOC_MAXIMUM))
        *yymsg_alloc = YYSTACK_ALLOC_MAXIMUM;
      return -1;
    }

  /* Avoid sprintf, as that infringes on the user's name space.
     Don't have undefined behavior even if the translation
     produced a string with the wrong number of "%s"s.  */
  {
    char *yyp = *yymsg;
    int yyi = 0;
    while ((*yyp = *yyformat) != '\0')
      if (*yyp == '%' && yyformat[1] == 's' && yyi < yycount)
        {
          yyp = yystpcpy (yyp, yysymbol_name (yyarg[yyi++]));
          yyformat += 2;
        }
      else
        {
          ++yyp;
          ++yyformat;
        }
  }
  return 0;
}


/*-----------------------------------------------.
| Release the memory associated to this symbol.  |
`-----------------------------------------------*/

static void
yydestruct (const char *yymsg,
            yysymbol_kind_t yykind, YYSTYPE *yyvaluep, YYLTYPE *yylocationp, yyscan_t scanner, struct pctx *ctx)
{
  YY_USE (yyvaluep);
  YY_USE (yylocationp);
  YY_USE (scanner);
  YY_USE (ctx);
  if (!yymsg)
    yymsg = "Deleting";
  YY_SYMBOL_PRINT (yymsg, yykind, yyvaluep, yylocationp);

  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  switch (yykind)
    {
    case YYSYMBOL_IDENT: /* "identifier"  */
#line 102 "grammar/parser.y"
            { free(((*yyvaluep).str).s); }
#line 1775 "grammar/parser.c"
        break;

    case YYSYMBOL_STRING: /* "string"  */
#line 102 "grammar/parser.y"
            { free(((*yyvaluep).str).s); }
#line 1781 "grammar/parser.c"
        break;

    case YYSYMBOL_decls: /* decls  */
#line 104 "grammar/parser.y"
            { ast_list_release(&((*yyvaluep).list)); }
#line 1787 "grammar/parser.c"
        break;

    case YYSYMBOL_decl: /* decl  */
#line 103 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1793 "grammar/parser.c"
        break;

    case YYSYMBOL_params_opt: /* params_opt  */
#line 104 "grammar/parser.y"
            { ast_list_release(&((*yyvaluep).list)); }
#line 1799 "grammar/parser.c"
        break;

    case YYSYMBOL_params: /* params  */
#line 104 "grammar/parser.y"
            { ast_list_release(&((*yyvaluep).list)); }
#line 1805 "grammar/parser.c"
        break;

    case YYSYMBOL_param: /* param  */
#line 103 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1811 "grammar/parser.c"
        break;

    case YYSYMBOL_block: /* block  */
#line 104 "grammar/parser.y"
            { ast_list_release(&((*yyvaluep).list)); }
#line 1817 "grammar/parser.c"
        break;

    case YYSYMBOL_stmts: /* stmts  */
#line 104 "grammar/parser.y"
            { ast_list_release(&((*yyvaluep).list)); }
#line 1823 "grammar/parser.c"
        break;

    case YYSYMBOL_stmt: /* stmt  */
#line 103 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1829 "grammar/parser.c"
        break;

    case YYSYMBOL_if_stmt: /* if_stmt  */
#line 103 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1835 "grammar/parser.c"
        break;

    case YYSYMBOL_else_opt: /* else_opt  */
#line 103 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1841 "grammar/parser.c"
        break;

    case YYSYMBOL_usename: /* usename  */
#line 103 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1847 "grammar/parser.c"
        break;

    case YYSYMBOL_expr: /* expr  */
#line 103 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1853 "grammar/parser.c"
        break;

    case YYSYMBOL_unary: /* unary  */
#line 103 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1859 "grammar/parser.c"
        break;

    case YYSYMBOL_postfix: /* postfix  */
#line 103 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1865 "grammar/parser.c"
        break;

    case YYSYMBOL_primary: /* primary  */
#line 103 "grammar/parser.y"
            { ast_free(((*yyvaluep).node)); }
#line 1871 "grammar/parser.c"
        break;

    case YYSYMBOL_args_opt: /* args_opt  */
#line 104 "grammar/parser.y"
            { ast_list_release(&((*yyvaluep).list)); }
#line 1877 "grammar/parser.c"
        break;

    case YYSYMBOL_args: /* args  */
#line 104 "grammar/parser.y"
            { ast_list_release(&((*yyvaluep).list)); }
#line 1883 "grammar/parser.c"
        break;

    case YYSYMBOL_field_name: /* field_name  */
#line 102 "grammar/parser.y"
            { free(((*yyvaluep).str).s); }
#line 1889 "grammar/parser.c"
        break;

      default:
        break;
    }
  YY_IGNORE_MAYBE_UNINITIALIZED_END
}






/*----------.
| yyparse.  |
`----------*/

int
yyparse (yyscan_t scanner, struct pctx *ctx)
{
/* Lookahead token kind.  */
int yychar;


/* The semantic value of the lookahead symbol.  */
/* Default value used for initialization, for pacifying older GCCs
   or non-GCC compilers.  */
YY_INITIAL_VALUE (static YYSTYPE yyval_default;)
YYSTYPE yylval YY_INITIAL_VALUE (= yyval_default);

/* Location data for the lookahead symbol.  */
static YYLTYPE yyloc_default
# if defined YYLTYPE_IS_TRIVIAL && YYLTYPE_IS_TRIVIAL
  = { 1, 1, 1, 1 }
# endif
;
YYLTYPE yylloc = yyloc_default;

    /* Number of syntax errors so far.  */
    int yynerrs = 0;

    yy_state_fast_t yystate = 0;
    /* Number of tokens to shift before error messages enabled.  */
    int yyerrstatus = 0;

    /* Refer to the stacks through separate pointers, to allow yyoverflow
       to reallocate them elsewhere.  */

    /* Their size.  */
    YYPTRDIFF_T yystacksize = YYINITDEPTH;

    /* The state stack: array, bottom, top.  */
    yy_state_t yyssa[YYINITDEPTH];
    yy_state_t *yyss = yyssa;
    yy_state_t *yyssp = yyss;

    /* The semantic value stack: array, bottom, top.  */
    YYSTYPE yyvsa[YYINITDEPTH];
    YYSTYPE *yyvs = yyvsa;
    YYSTYPE *yyvsp = yyvs;

    /* The location stack: array, bottom, top.  */
    YYLTYPE yylsa[YYINITDEPTH];
    YYLTYPE *yyls = yylsa;
    YYLTYPE *yylsp = yyls;

  int yyn;
  /* The return value of yyparse.  */
  int yyresult;
  /* Lookahead symbol kind.  */
  yysymbol_kind_t yytoken = YYSYMBOL_YYEMPTY;
  /* The variables used to return semantic value and location from the
     action routines.  */
  YYSTYPE yyval;
  YYLTYPE yyloc;

  /* The locations where the error started and ended.  */
  YYLTYPE yyerror_range[3];

  /* Buffer for error messages, and its allocated size.  */
  char yymsgbuf[128];
  char *yymsg = yymsgbuf;
  YYPTRDIFF_T yymsg_alloc = sizeof yymsgbuf;

#define YYPOPSTACK(N)   (yyvsp -= (N), yyssp -= (N), yylsp -= (N))

  /* The number of symbols on the RHS of the reduced rule.
     Keep to zero when no symbol should be popped.  */
  int yylen = 0;

  YYDPRINTF ((stderr, "Starting parse\n"));

  yychar = YYEMPTY; /* Cause a token to be read.  */

  yylsp[0] = yylloc;
  goto yysetstate;


/*------------------------------------------------------------.
| yynewstate -- push a new state, which is found in yystate.  |
`------------------------------------------------------------*/
yynewstate:
  /* In all cases, when you get here, the value and location stacks
     have just been pushed.  So pushing a state here evens the stacks.  */
  yyssp++;


/*--------------------------------------------------------------------.
| yysetstate -- set current state (the top of the stack) to yystate.  |
`--------------------------------------------------------------------*/
yysetstate:
  YYDPRINTF ((stderr, "Entering state %d\n", yystate));
  YY_ASSERT (0 <= yystate && yystate < YYNSTATES);
  YY_IGNORE_USELESS_CAST_BEGIN
  *yyssp = YY_CAST (yy_state_t, yystate);
  YY_IGNORE_USELESS_CAST_END
  YY_STACK_PRINT (yyss, yyssp);

  if (yyss + yystacksize - 1 <= yyssp)
#if !defined yyoverflow && !defined YYSTACK_RELOCATE
    YYNOMEM;
#else
    {
      /* Get the current used size of the three stacks, in elements.  */
      YYPTRDIFF_T yysize = yyssp - yyss + 1;

# if defined yyoverflow
      {
        /* Give user a chance to reallocate the stack.  Use copies of
           these so that the &'s don't force the real ones into
           memory.  */
        yy_state_t *yyss1 = yyss;
        YYSTYPE *yyvs1 = yyvs;
        YYLTYPE *yyls1 = yyls;

        /* Each stack pointer address is followed by the size of the
           data in use in that stack, in bytes.  This used to be a
           conditional around just the two extra args, but that might
           be undefined if yyoverflow is a macro.  */
        yyoverflow (YY_("memory exhausted"),
                    &yyss1, yysize * YYSIZEOF (*yyssp),
                    &yyvs1, yysize * YYSIZEOF (*yyvsp),
                    &yyls1, yysize * YYSIZEOF (*yylsp),
                    &yystacksize);
        yyss = yyss1;
        yyvs = yyvs1;
        yyls = yyls1;
      }
# else /* defined YYSTACK_RELOCATE */
      /* Extend the stack our own way.  */
      if (YYMAXDEPTH <= yystacksize)
        YYNOMEM;
      yystacksize *= 2;
      if (YYMAXDEPTH < yystacksize)
        yystacksize = YYMAXDEPTH;

      {
        yy_state_t *yyss1 = yyss;
        union yyalloc *yyptr =
          YY_CAST (union yyalloc *,
                   YYSTACK_ALLOC (YY_CAST (YYSIZE_T, YYSTACK_BYTES (yystacksize))));
        if (! yyptr)
          YYNOMEM;
        YYSTACK_RELOCATE (yyss_alloc, yyss);
        YYSTACK_RELOCATE (yyvs_alloc, yyvs);
        YYSTACK_RELOCATE (yyls_alloc, yyls);
#  undef YYSTACK_RELOCATE
        if (yyss1 != yyssa)
          YYSTACK_FREE (yyss1);
      }
# endif

      yyssp = yyss + yysize - 1;
      yyvsp = yyvs + yysize - 1;
      yylsp = yyls + yysize - 1;

      YY_IGNORE_USELESS_CAST_BEGIN
      YYDPRINTF ((stderr, "Stack size increased to %ld\n",
                  YY_CAST (long, yystacksize)));
      YY_IGNORE_USELESS_CAST_END

      if (yyss + yystacksize - 1 <= yyssp)
        YYABORT;
    }
#endif /* !defined yyoverflow && !defined YYSTACK_RELOCATE */


  if (yystate == YYFINAL)
    YYACCEPT;

  goto yybackup;


/*-----------.
| yybackup.  |
`-----------*/
yybackup:
  /* Do appropriate processing given the current state.  Read a
     lookahead token if we need one and don't already have one.  */

  /* First try to decide what to do without reference to lookahead token.  */
  yyn = yypact[yystate];
  if (yypact_value_is_default (yyn))
    goto yydefault;

  /* Not known => get a lookahead token if don't already have one.  */

  /* YYCHAR is either empty, or end-of-input, or a valid lookahead.  */
  if (yychar == YYEMPTY)
    {
      YYDPRINTF ((stderr, "Reading a token\n"));
      yychar = yylex (&yylval, &yylloc, scanner);
    }

  if (yychar <= YYEOF)
    {
      yychar = YYEOF;
      yytoken = YYSYMBOL_YYEOF;
      YYDPRINTF ((stderr, "Now at end of input.\n"));
    }
  else if (yychar == YYerror)
    {
      /* The scanner already issued an error message, process directly
         to error recovery.  But do not keep the error token as
         lookahead, it is too special and may lead us to an endless
         loop in error recovery. */
      yychar = YYUNDEF;
      yytoken = YYSYMBOL_YYerror;
      yyerror_range[1] = yylloc;
      goto yyerrlab1;
    }
  else
    {
      yytoken = YYTRANSLATE (yychar);
      YY_SYMBOL_PRINT ("Next token is", yytoken, &yylval, &yylloc);
    }

  /* If the proper action on seeing token YYTOKEN is to reduce or to
     detect an error, take that action.  */
  yyn += yytoken;
  if (yyn < 0 || YYLAST < yyn || yycheck[yyn] != yytoken)
    goto yydefault;
  yyn = yytable[yyn];
  if (yyn <= 0)
    {
      if (yytable_value_is_error (yyn))
        goto yyerrlab;
      yyn = -yyn;
      goto yyreduce;
    }

  /* Count tokens shifted since error; after three, turn off error
     status.  */
  if (yyerrstatus)
    yyerrstatus--;

  /* Shift the lookahead token.  */
  YY_SYMBOL_PRINT ("Shifting", yytoken, &yylval, &yylloc);
  yystate = yyn;
  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  *++yyvsp = yylval;
  YY_IGNORE_MAYBE_UNINITIALIZED_END
  *++yylsp = yylloc;

  /* Discard the shifted token.  */
  yychar = YYEMPTY;
  goto yynewstate;


/*-----------------------------------------------------------.
| yydefault -- do the default action for the current state.  |
`-----------------------------------------------------------*/
yydefault:
  yyn = yydefact[yystate];
  if (yyn == 0)
    goto yyerrlab;
  goto yyreduce;


/*-----------------------------.
| yyreduce -- do a reduction.  |
`-----------------------------*/
yyreduce:
  /* yyn is the number of a rule to reduce with.  */
  yylen = yyr2[yyn];

  /* If YYLEN is nonzero, implement the default value of the action:
     '$$ = $1'.

     Otherwise, the following line sets YYVAL to garbage.
     This behavior is undocumented and Bison
     users should not rely upon it.  Assigning to YYVAL
     unconditionally makes the parser a bit smaller, and it avoids a
     GCC warning that YYVAL may be used uninitialized.  */
  yyval = yyvsp[1-yylen];

  /* Default location. */
  YYLLOC_DEFAULT (yyloc, (yylsp - yylen), yylen);
  yyerror_range[1] = yyloc;
  YY_REDUCE_PRINT (yyn);
  switch (yyn)
    {
  case 2: /* module: decls  */
#line 138 "grammar/parser.y"
                { ctx->root->kids = (yyvsp[0].list); }
#line 2195 "grammar/parser.c"
    break;

  case 3: /* decls: %empty  */
#line 142 "grammar/parser.y"
                 { memset(&(yyval.list), 0, sizeof((yyval.list))); }
#line 2201 "grammar/parser.c"
    break;

  case 4: /* decls: decls decl  */
#line 143 "grammar/parser.y"
                     { (yyval.list) = (yyvsp[-1].list); if ((yyvsp[0].node)) ast_list_push(&(yyval.list), (yyvsp[0].node)); }
#line 2207 "grammar/parser.c"
    break;

  case 5: /* decl: "'import'" "string" ';'  */
#line 147 "grammar/parser.y"
                            { (yyval.node) = fin(ctx, mk_str(ctx, AST_IMPORT, (yyloc), (yyvsp[-1].str), (yylsp[-1]))); }
#line 2213 "grammar/parser.c"
    break;

  case 6: /* decl: "'import'" "string" "'as'" "identifier" ';'  */
#line 148 "grammar/parser.y"
                                     {
		(yyval.node) = mk_str(ctx, AST_IMPORT, (yyloc), (yyvsp[-3].str), (yylsp[-3]));
		(yyval.node)->alias = (yyvsp[-1].str).s;
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2223 "grammar/parser.c"
    break;

  case 7: /* decl: "'const'" "identifier" '=' expr ';'  */
#line 153 "grammar/parser.y"
                                   {
		(yyval.node) = mk_str(ctx, AST_CONST, (yyloc), (yyvsp[-3].str), (yylsp[-3]));
		(yyval.node)->a = (yyvsp[-1].node);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2233 "grammar/parser.c"
    break;

  case 8: /* decl: "'fragment'" "identifier" params_opt block  */
#line 158 "grammar/parser.y"
                                          {
		(yyval.node) = mk_str(ctx, AST_FRAGMENT, (yyloc), (yyvsp[-2].str), (yylsp[-2]));
		(yyval.node)->params = (yyvsp[-1].list);
		(yyval.node)->kids = (yyvsp[0].list);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2244 "grammar/parser.c"
    break;

  case 9: /* decl: "'policy'" "string" block  */
#line 164 "grammar/parser.y"
                              {
		(yyval.node) = mk_str(ctx, AST_POLICY, (yyloc), (yyvsp[-1].str), (yylsp[-1]));
		(yyval.node)->kids = (yyvsp[0].list);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2254 "grammar/parser.c"
    break;

  case 10: /* decl: error ';'  */
#line 169 "grammar/parser.y"
                    { (yyval.node) = NULL; }
#line 2260 "grammar/parser.c"
    break;

  case 11: /* decl: error '}'  */
#line 170 "grammar/parser.y"
                    { (yyval.node) = NULL; }
#line 2266 "grammar/parser.c"
    break;

  case 12: /* params_opt: %empty  */
#line 174 "grammar/parser.y"
                 { memset(&(yyval.list), 0, sizeof((yyval.list))); }
#line 2272 "grammar/parser.c"
    break;

  case 13: /* params_opt: '(' ')'  */
#line 175 "grammar/parser.y"
                  { memset(&(yyval.list), 0, sizeof((yyval.list))); }
#line 2278 "grammar/parser.c"
    break;

  case 14: /* params_opt: '(' params ')'  */
#line 176 "grammar/parser.y"
                         { (yyval.list) = (yyvsp[-1].list); }
#line 2284 "grammar/parser.c"
    break;

  case 15: /* params: param  */
#line 180 "grammar/parser.y"
                { memset(&(yyval.list), 0, sizeof((yyval.list))); ast_list_push(&(yyval.list), (yyvsp[0].node)); }
#line 2290 "grammar/parser.c"
    break;

  case 16: /* params: params ',' param  */
#line 181 "grammar/parser.y"
                           { (yyval.list) = (yyvsp[-2].list); ast_list_push(&(yyval.list), (yyvsp[0].node)); }
#line 2296 "grammar/parser.c"
    break;

  case 17: /* param: "identifier"  */
#line 185 "grammar/parser.y"
                { (yyval.node) = fin(ctx, mk_str(ctx, AST_PARAM, (yyloc), (yyvsp[0].str), (yylsp[0]))); }
#line 2302 "grammar/parser.c"
    break;

  case 18: /* block: '{' stmts '}'  */
#line 189 "grammar/parser.y"
                        { (yyval.list) = (yyvsp[-1].list); }
#line 2308 "grammar/parser.c"
    break;

  case 19: /* block: '{' stmts error '}'  */
#line 190 "grammar/parser.y"
                              { (yyval.list) = (yyvsp[-2].list); }
#line 2314 "grammar/parser.c"
    break;

  case 20: /* stmts: %empty  */
#line 194 "grammar/parser.y"
                 { memset(&(yyval.list), 0, sizeof((yyval.list))); }
#line 2320 "grammar/parser.c"
    break;

  case 21: /* stmts: stmts stmt  */
#line 195 "grammar/parser.y"
                     { (yyval.list) = (yyvsp[-1].list); if ((yyvsp[0].node)) ast_list_push(&(yyval.list), (yyvsp[0].node)); }
#line 2326 "grammar/parser.c"
    break;

  case 22: /* cmpop: "'=='"  */
#line 199 "grammar/parser.y"
             { (yyval.op) = AST_OP_EQ; }
#line 2332 "grammar/parser.c"
    break;

  case 23: /* cmpop: "'!='"  */
#line 200 "grammar/parser.y"
             { (yyval.op) = AST_OP_NE; }
#line 2338 "grammar/parser.c"
    break;

  case 24: /* cmpop: '<'  */
#line 201 "grammar/parser.y"
              { (yyval.op) = AST_OP_LT; }
#line 2344 "grammar/parser.c"
    break;

  case 25: /* cmpop: "'<='"  */
#line 202 "grammar/parser.y"
             { (yyval.op) = AST_OP_LE; }
#line 2350 "grammar/parser.c"
    break;

  case 26: /* cmpop: '>'  */
#line 203 "grammar/parser.y"
              { (yyval.op) = AST_OP_GT; }
#line 2356 "grammar/parser.c"
    break;

  case 27: /* cmpop: "'>='"  */
#line 204 "grammar/parser.y"
             { (yyval.op) = AST_OP_GE; }
#line 2362 "grammar/parser.c"
    break;

  case 28: /* stmt: "'include'" "string" ';'  */
#line 208 "grammar/parser.y"
                             { (yyval.node) = fin(ctx, mk_str(ctx, AST_INCLUDE, (yyloc), (yyvsp[-1].str), (yylsp[-1]))); }
#line 2368 "grammar/parser.c"
    break;

  case 29: /* stmt: "'include'" "string" cmpop expr ';'  */
#line 209 "grammar/parser.y"
                                        {
		(yyval.node) = mk_str(ctx, AST_INCLUDE, (yyloc), (yyvsp[-3].str), (yylsp[-3]));
		(yyval.node)->op = (yyvsp[-2].op);
		(yyval.node)->a = (yyvsp[-1].node);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2379 "grammar/parser.c"
    break;

  case 30: /* stmt: "'exclude'" "string" ';'  */
#line 215 "grammar/parser.y"
                             { (yyval.node) = fin(ctx, mk_str(ctx, AST_EXCLUDE, (yyloc), (yyvsp[-1].str), (yylsp[-1]))); }
#line 2385 "grammar/parser.c"
    break;

  case 31: /* stmt: "'admit'" "identifier" "'if'" expr ';'  */
#line 216 "grammar/parser.y"
                                  {
		(yyval.node) = mk_str(ctx, AST_ADMIT, (yyloc), (yyvsp[-3].str), (yylsp[-3]));
		(yyval.node)->a = (yyvsp[-1].node);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2395 "grammar/parser.c"
    break;

  case 32: /* stmt: "'use'" usename ';'  */
#line 221 "grammar/parser.y"
                          {
		(yyval.node) = mk(ctx, AST_USE, (yyloc));
		(yyval.node)->a = (yyvsp[-1].node);
		(yyval.node)->nameloc = (yylsp[-1]);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2406 "grammar/parser.c"
    break;

  case 33: /* stmt: "'use'" usename '(' args_opt ')' ';'  */
#line 227 "grammar/parser.y"
                                           {
		(yyval.node) = mk(ctx, AST_USE, (yyloc));
		(yyval.node)->a = (yyvsp[-4].node);
		(yyval.node)->nameloc = (yylsp[-4]);
		(yyval.node)->kids = (yyvsp[-2].list);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2418 "grammar/parser.c"
    break;

  case 34: /* stmt: "'let'" "identifier" '=' expr ';'  */
#line 234 "grammar/parser.y"
                                 {
		(yyval.node) = mk_str(ctx, AST_LET, (yyloc), (yyvsp[-3].str), (yylsp[-3]));
		(yyval.node)->a = (yyvsp[-1].node);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2428 "grammar/parser.c"
    break;

  case 35: /* stmt: if_stmt  */
#line 239 "grammar/parser.y"
                  { (yyval.node) = (yyvsp[0].node); }
#line 2434 "grammar/parser.c"
    break;

  case 36: /* stmt: "'deny'" "string" ';'  */
#line 240 "grammar/parser.y"
                          { (yyval.node) = fin(ctx, mk_str(ctx, AST_DENY, (yyloc), (yyvsp[-1].str), (yylsp[-1]))); }
#line 2440 "grammar/parser.c"
    break;

  case 37: /* stmt: "'deny'" "string" "'when'" expr ';'  */
#line 241 "grammar/parser.y"
                                    {
		(yyval.node) = mk_str(ctx, AST_DENY, (yyloc), (yyvsp[-3].str), (yylsp[-3]));
		(yyval.node)->a = (yyvsp[-1].node);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2450 "grammar/parser.c"
    break;

  case 38: /* stmt: "'warn'" "string" ';'  */
#line 246 "grammar/parser.y"
                          { (yyval.node) = fin(ctx, mk_str(ctx, AST_WARN, (yyloc), (yyvsp[-1].str), (yylsp[-1]))); }
#line 2456 "grammar/parser.c"
    break;

  case 39: /* stmt: "'warn'" "string" "'when'" expr ';'  */
#line 247 "grammar/parser.y"
                                    {
		(yyval.node) = mk_str(ctx, AST_WARN, (yyloc), (yyvsp[-3].str), (yylsp[-3]));
		(yyval.node)->a = (yyvsp[-1].node);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2466 "grammar/parser.c"
    break;

  case 40: /* stmt: "'platform'" "string" ';'  */
#line 252 "grammar/parser.y"
                              { (yyval.node) = fin(ctx, mk_str(ctx, AST_PLATFORM, (yyloc), (yyvsp[-1].str), (yylsp[-1]))); }
#line 2472 "grammar/parser.c"
    break;

  case 41: /* stmt: "'base'" "string" ';'  */
#line 253 "grammar/parser.y"
                          { (yyval.node) = fin(ctx, mk_str(ctx, AST_BASE, (yyloc), (yyvsp[-1].str), (yylsp[-1]))); }
#line 2478 "grammar/parser.c"
    break;

  case 42: /* stmt: "'base'" "string" cmpop expr ';'  */
#line 254 "grammar/parser.y"
                                     {
		(yyval.node) = mk_str(ctx, AST_BASE, (yyloc), (yyvsp[-3].str), (yylsp[-3]));
		(yyval.node)->op = (yyvsp[-2].op);
		(yyval.node)->a = (yyvsp[-1].node);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2489 "grammar/parser.c"
    break;

  case 43: /* stmt: "'from'" "string" ';'  */
#line 260 "grammar/parser.y"
                          { (yyval.node) = fin(ctx, mk_str(ctx, AST_FROM, (yyloc), (yyvsp[-1].str), (yylsp[-1]))); }
#line 2495 "grammar/parser.c"
    break;

  case 44: /* stmt: "'entrypoint'" expr ';'  */
#line 261 "grammar/parser.y"
                              { (yyval.node) = mk_config(ctx, CFG_ENTRYPOINT, (yyloc), NULL, (yylsp[-2]), (yyvsp[-1].node)); }
#line 2501 "grammar/parser.c"
    break;

  case 45: /* stmt: "'cmd'" expr ';'  */
#line 262 "grammar/parser.y"
                       { (yyval.node) = mk_config(ctx, CFG_CMD, (yyloc), NULL, (yylsp[-2]), (yyvsp[-1].node)); }
#line 2507 "grammar/parser.c"
    break;

  case 46: /* stmt: "'env'" "identifier" '=' expr ';'  */
#line 263 "grammar/parser.y"
                                 { (yyval.node) = mk_config(ctx, CFG_ENV, (yyloc), &(yyvsp[-3].str), (yylsp[-3]), (yyvsp[-1].node)); }
#line 2513 "grammar/parser.c"
    break;

  case 47: /* stmt: "'env'" "string" '=' expr ';'  */
#line 264 "grammar/parser.y"
                                  { (yyval.node) = mk_config(ctx, CFG_ENV, (yyloc), &(yyvsp[-3].str), (yylsp[-3]), (yyvsp[-1].node)); }
#line 2519 "grammar/parser.c"
    break;

  case 48: /* stmt: "'user'" expr ';'  */
#line 265 "grammar/parser.y"
                        { (yyval.node) = mk_config(ctx, CFG_USER, (yyloc), NULL, (yylsp[-2]), (yyvsp[-1].node)); }
#line 2525 "grammar/parser.c"
    break;

  case 49: /* stmt: "'workdir'" expr ';'  */
#line 266 "grammar/parser.y"
                           { (yyval.node) = mk_config(ctx, CFG_WORKDIR, (yyloc), NULL, (yylsp[-2]), (yyvsp[-1].node)); }
#line 2531 "grammar/parser.c"
    break;

  case 50: /* stmt: "'stopsignal'" expr ';'  */
#line 267 "grammar/parser.y"
                              { (yyval.node) = mk_config(ctx, CFG_STOPSIGNAL, (yyloc), NULL, (yylsp[-2]), (yyvsp[-1].node)); }
#line 2537 "grammar/parser.c"
    break;

  case 51: /* stmt: "'label'" "string" '=' expr ';'  */
#line 268 "grammar/parser.y"
                                    { (yyval.node) = mk_config(ctx, CFG_LABEL, (yyloc), &(yyvsp[-3].str), (yylsp[-3]), (yyvsp[-1].node)); }
#line 2543 "grammar/parser.c"
    break;

  case 52: /* stmt: "'annotation'" "string" '=' expr ';'  */
#line 269 "grammar/parser.y"
                                         { (yyval.node) = mk_config(ctx, CFG_ANNOTATION, (yyloc), &(yyvsp[-3].str), (yylsp[-3]), (yyvsp[-1].node)); }
#line 2549 "grammar/parser.c"
    break;

  case 53: /* stmt: "'expose'" "string" ';'  */
#line 270 "grammar/parser.y"
                            { (yyval.node) = mk_config(ctx, CFG_EXPOSE, (yyloc), &(yyvsp[-1].str), (yylsp[-1]), NULL); }
#line 2555 "grammar/parser.c"
    break;

  case 54: /* stmt: "'volume'" "string" ';'  */
#line 271 "grammar/parser.y"
                            { (yyval.node) = mk_config(ctx, CFG_VOLUME, (yyloc), &(yyvsp[-1].str), (yylsp[-1]), NULL); }
#line 2561 "grammar/parser.c"
    break;

  case 55: /* stmt: "'file'" "string" '=' expr ';'  */
#line 272 "grammar/parser.y"
                                      {
		(yyval.node) = mk_str(ctx, AST_FILE, (yyloc), (yyvsp[-3].str), (yylsp[-3]));
		(yyval.node)->a = (yyvsp[-1].node);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2571 "grammar/parser.c"
    break;

  case 56: /* stmt: "'file'" "string" '=' expr "'mode'" "integer" ';'  */
#line 277 "grammar/parser.y"
                                               {
		(yyval.node) = mk_str(ctx, AST_FILE, (yyloc), (yyvsp[-5].str), (yylsp[-5]));
		(yyval.node)->a = (yyvsp[-3].node);
		(yyval.node)->has_mode = true;
		if ((yyvsp[-1].ival) > 07777)
			diag_error(ctx->d, (yylsp[-1]), "syntax", "file mode 0o%llo is beyond 0o7777",
				   (unsigned long long)(yyvsp[-1].ival));
		(yyval.node)->num = (int64_t)((yyvsp[-1].ival) & 07777);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2586 "grammar/parser.c"
    break;

  case 57: /* stmt: error ';'  */
#line 287 "grammar/parser.y"
                    { (yyval.node) = NULL; }
#line 2592 "grammar/parser.c"
    break;

  case 58: /* if_stmt: "'if'" expr block else_opt  */
#line 291 "grammar/parser.y"
                                 {
		(yyval.node) = mk(ctx, AST_IF, (yyloc));
		(yyval.node)->a = (yyvsp[-2].node);
		(yyval.node)->kids = (yyvsp[-1].list);
		(yyval.node)->b = (yyvsp[0].node);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2604 "grammar/parser.c"
    break;

  case 59: /* else_opt: %empty  */
#line 301 "grammar/parser.y"
                 { (yyval.node) = NULL; }
#line 2610 "grammar/parser.c"
    break;

  case 60: /* else_opt: "'else'" block  */
#line 302 "grammar/parser.y"
                     {
		(yyval.node) = mk(ctx, AST_BLOCK, (yyloc));
		(yyval.node)->kids = (yyvsp[0].list);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2620 "grammar/parser.c"
    break;

  case 61: /* else_opt: "'else'" if_stmt  */
#line 307 "grammar/parser.y"
                       { (yyval.node) = (yyvsp[0].node); }
#line 2626 "grammar/parser.c"
    break;

  case 62: /* usename: "identifier"  */
#line 311 "grammar/parser.y"
                { (yyval.node) = fin(ctx, mk_str(ctx, AST_NAME, (yyloc), (yyvsp[0].str), (yylsp[0]))); }
#line 2632 "grammar/parser.c"
    break;

  case 63: /* usename: "identifier" '.' field_name  */
#line 312 "grammar/parser.y"
                               {
		struct ast *alias = fin(ctx, mk_str(ctx, AST_NAME, (yylsp[-2]), (yyvsp[-2].str), (yylsp[-2])));
		(yyval.node) = mk_str(ctx, AST_FIELD, (yyloc), (yyvsp[0].str), (yylsp[0]));
		(yyval.node)->a = alias;
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2643 "grammar/parser.c"
    break;

  case 64: /* expr: unary  */
#line 321 "grammar/parser.y"
                { (yyval.node) = (yyvsp[0].node); }
#line 2649 "grammar/parser.c"
    break;

  case 65: /* expr: "'any'" "identifier" "'in'" expr ':' expr  */
#line 322 "grammar/parser.y"
                                               {
		(yyval.node) = mk_str(ctx, AST_QUANT, (yyloc), (yyvsp[-4].str), (yylsp[-4]));
		(yyval.node)->op = AST_OP_ANY;
		(yyval.node)->a = (yyvsp[-2].node);
		(yyval.node)->b = (yyvsp[0].node);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2661 "grammar/parser.c"
    break;

  case 66: /* expr: "'all'" "identifier" "'in'" expr ':' expr  */
#line 329 "grammar/parser.y"
                                               {
		(yyval.node) = mk_str(ctx, AST_QUANT, (yyloc), (yyvsp[-4].str), (yylsp[-4]));
		(yyval.node)->op = AST_OP_ALL;
		(yyval.node)->a = (yyvsp[-2].node);
		(yyval.node)->b = (yyvsp[0].node);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2673 "grammar/parser.c"
    break;

  case 67: /* expr: expr "'??'" expr  */
#line 336 "grammar/parser.y"
                             { (yyval.node) = mk_bin(ctx, AST_OP_COALESCE, (yyloc), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2679 "grammar/parser.c"
    break;

  case 68: /* expr: expr "'||'" expr  */
#line 337 "grammar/parser.y"
                       { (yyval.node) = mk_bin(ctx, AST_OP_OR, (yyloc), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2685 "grammar/parser.c"
    break;

  case 69: /* expr: expr "'&&'" expr  */
#line 338 "grammar/parser.y"
                        { (yyval.node) = mk_bin(ctx, AST_OP_AND, (yyloc), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2691 "grammar/parser.c"
    break;

  case 70: /* expr: expr "'=='" expr  */
#line 339 "grammar/parser.y"
                       { (yyval.node) = mk_bin(ctx, AST_OP_EQ, (yyloc), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2697 "grammar/parser.c"
    break;

  case 71: /* expr: expr "'!='" expr  */
#line 340 "grammar/parser.y"
                       { (yyval.node) = mk_bin(ctx, AST_OP_NE, (yyloc), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2703 "grammar/parser.c"
    break;

  case 72: /* expr: expr '<' expr  */
#line 341 "grammar/parser.y"
                        { (yyval.node) = mk_bin(ctx, AST_OP_LT, (yyloc), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2709 "grammar/parser.c"
    break;

  case 73: /* expr: expr "'<='" expr  */
#line 342 "grammar/parser.y"
                       { (yyval.node) = mk_bin(ctx, AST_OP_LE, (yyloc), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2715 "grammar/parser.c"
    break;

  case 74: /* expr: expr '>' expr  */
#line 343 "grammar/parser.y"
                        { (yyval.node) = mk_bin(ctx, AST_OP_GT, (yyloc), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2721 "grammar/parser.c"
    break;

  case 75: /* expr: expr "'>='" expr  */
#line 344 "grammar/parser.y"
                       { (yyval.node) = mk_bin(ctx, AST_OP_GE, (yyloc), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2727 "grammar/parser.c"
    break;

  case 76: /* expr: expr "'in'" expr  */
#line 345 "grammar/parser.y"
                       { (yyval.node) = mk_bin(ctx, AST_OP_IN, (yyloc), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2733 "grammar/parser.c"
    break;

  case 77: /* expr: expr "'not in'" expr  */
#line 346 "grammar/parser.y"
                          { (yyval.node) = mk_bin(ctx, AST_OP_NOTIN, (yyloc), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2739 "grammar/parser.c"
    break;

  case 78: /* expr: expr '+' expr  */
#line 347 "grammar/parser.y"
                        { (yyval.node) = mk_bin(ctx, AST_OP_ADD, (yyloc), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2745 "grammar/parser.c"
    break;

  case 79: /* expr: expr '-' expr  */
#line 348 "grammar/parser.y"
                        { (yyval.node) = mk_bin(ctx, AST_OP_SUB, (yyloc), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2751 "grammar/parser.c"
    break;

  case 80: /* expr: expr '*' expr  */
#line 349 "grammar/parser.y"
                        { (yyval.node) = mk_bin(ctx, AST_OP_MUL, (yyloc), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2757 "grammar/parser.c"
    break;

  case 81: /* expr: expr '/' expr  */
#line 350 "grammar/parser.y"
                        { (yyval.node) = mk_bin(ctx, AST_OP_DIV, (yyloc), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2763 "grammar/parser.c"
    break;

  case 82: /* expr: expr '%' expr  */
#line 351 "grammar/parser.y"
                        { (yyval.node) = mk_bin(ctx, AST_OP_MOD, (yyloc), (yyvsp[-2].node), (yyvsp[0].node)); }
#line 2769 "grammar/parser.c"
    break;

  case 83: /* unary: postfix  */
#line 355 "grammar/parser.y"
                  { (yyval.node) = (yyvsp[0].node); }
#line 2775 "grammar/parser.c"
    break;

  case 84: /* unary: '!' unary  */
#line 356 "grammar/parser.y"
                    {
		(yyval.node) = mk(ctx, AST_UNARY, (yyloc));
		(yyval.node)->op = AST_OP_NOT;
		(yyval.node)->a = (yyvsp[0].node);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2786 "grammar/parser.c"
    break;

  case 85: /* unary: '-' unary  */
#line 362 "grammar/parser.y"
                    { (yyval.node) = mk_neg(ctx, (yyloc), (yyvsp[0].node)); }
#line 2792 "grammar/parser.c"
    break;

  case 86: /* postfix: primary  */
#line 366 "grammar/parser.y"
                  { (yyval.node) = (yyvsp[0].node); }
#line 2798 "grammar/parser.c"
    break;

  case 87: /* postfix: postfix '.' field_name  */
#line 367 "grammar/parser.y"
                                 {
		(yyval.node) = mk_str(ctx, AST_FIELD, (yyloc), (yyvsp[0].str), (yylsp[0]));
		(yyval.node)->a = (yyvsp[-2].node);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2808 "grammar/parser.c"
    break;

  case 88: /* postfix: postfix '[' expr ']'  */
#line 372 "grammar/parser.y"
                               {
		(yyval.node) = mk(ctx, AST_INDEX, (yyloc));
		(yyval.node)->a = (yyvsp[-3].node);
		(yyval.node)->b = (yyvsp[-1].node);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2819 "grammar/parser.c"
    break;

  case 89: /* primary: "'null'"  */
#line 381 "grammar/parser.y"
                  { (yyval.node) = fin(ctx, mk(ctx, AST_NULL, (yyloc))); }
#line 2825 "grammar/parser.c"
    break;

  case 90: /* primary: "'true'"  */
#line 382 "grammar/parser.y"
               { (yyval.node) = mk(ctx, AST_BOOL, (yyloc)); (yyval.node)->num = 1; (yyval.node) = fin(ctx, (yyval.node)); }
#line 2831 "grammar/parser.c"
    break;

  case 91: /* primary: "'false'"  */
#line 383 "grammar/parser.y"
                { (yyval.node) = fin(ctx, mk(ctx, AST_BOOL, (yyloc))); }
#line 2837 "grammar/parser.c"
    break;

  case 92: /* primary: "integer"  */
#line 384 "grammar/parser.y"
              { (yyval.node) = mk_int(ctx, (yyloc), (yyvsp[0].ival)); }
#line 2843 "grammar/parser.c"
    break;

  case 93: /* primary: "string"  */
#line 385 "grammar/parser.y"
                 { (yyval.node) = fin(ctx, mk_str(ctx, AST_STRING, (yyloc), (yyvsp[0].str), (yylsp[0]))); }
#line 2849 "grammar/parser.c"
    break;

  case 94: /* primary: "identifier"  */
#line 386 "grammar/parser.y"
                { (yyval.node) = fin(ctx, mk_str(ctx, AST_NAME, (yyloc), (yyvsp[0].str), (yylsp[0]))); }
#line 2855 "grammar/parser.c"
    break;

  case 95: /* primary: "'input'"  */
#line 387 "grammar/parser.y"
                { (yyval.node) = fin(ctx, mk(ctx, AST_INPUT, (yyloc))); }
#line 2861 "grammar/parser.c"
    break;

  case 96: /* primary: "'selected'"  */
#line 388 "grammar/parser.y"
                   { (yyval.node) = fin(ctx, mk(ctx, AST_SELECTED, (yyloc))); }
#line 2867 "grammar/parser.c"
    break;

  case 97: /* primary: "identifier" '(' args_opt ')'  */
#line 389 "grammar/parser.y"
                                 {
		(yyval.node) = mk_str(ctx, AST_CALL, (yyloc), (yyvsp[-3].str), (yylsp[-3]));
		(yyval.node)->kids = (yyvsp[-1].list);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2877 "grammar/parser.c"
    break;

  case 98: /* primary: '(' expr ')'  */
#line 394 "grammar/parser.y"
                       { (yyval.node) = (yyvsp[-1].node); }
#line 2883 "grammar/parser.c"
    break;

  case 99: /* primary: '[' ']'  */
#line 395 "grammar/parser.y"
                  { (yyval.node) = fin(ctx, mk(ctx, AST_LIST, (yyloc))); }
#line 2889 "grammar/parser.c"
    break;

  case 100: /* primary: '[' args ']'  */
#line 396 "grammar/parser.y"
                       { (yyval.node) = mk(ctx, AST_LIST, (yyloc)); (yyval.node)->kids = (yyvsp[-1].list); (yyval.node) = fin(ctx, (yyval.node)); }
#line 2895 "grammar/parser.c"
    break;

  case 101: /* primary: '[' args ',' ']'  */
#line 397 "grammar/parser.y"
                           { (yyval.node) = mk(ctx, AST_LIST, (yyloc)); (yyval.node)->kids = (yyvsp[-2].list); (yyval.node) = fin(ctx, (yyval.node)); }
#line 2901 "grammar/parser.c"
    break;

  case 102: /* primary: '[' expr "'for'" "identifier" "'in'" expr ']'  */
#line 398 "grammar/parser.y"
                                         {
		(yyval.node) = mk_str(ctx, AST_COMP, (yyloc), (yyvsp[-3].str), (yylsp[-3]));
		(yyval.node)->a = (yyvsp[-5].node);
		(yyval.node)->b = (yyvsp[-1].node);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2912 "grammar/parser.c"
    break;

  case 103: /* primary: '[' expr "'for'" "identifier" "'in'" expr "'if'" expr ']'  */
#line 404 "grammar/parser.y"
                                                 {
		(yyval.node) = mk_str(ctx, AST_COMP, (yyloc), (yyvsp[-5].str), (yylsp[-5]));
		(yyval.node)->a = (yyvsp[-7].node);
		(yyval.node)->b = (yyvsp[-3].node);
		(yyval.node)->c = (yyvsp[-1].node);
		(yyval.node) = fin(ctx, (yyval.node));
	}
#line 2924 "grammar/parser.c"
    break;

  case 104: /* args_opt: %empty  */
#line 414 "grammar/parser.y"
                 { memset(&(yyval.list), 0, sizeof((yyval.list))); }
#line 2930 "grammar/parser.c"
    break;

  case 105: /* args_opt: args  */
#line 415 "grammar/parser.y"
               { (yyval.list) = (yyvsp[0].list); }
#line 2936 "grammar/parser.c"
    break;

  case 106: /* args: expr  */
#line 419 "grammar/parser.y"
               { memset(&(yyval.list), 0, sizeof((yyval.list))); ast_list_push(&(yyval.list), (yyvsp[0].node)); }
#line 2942 "grammar/parser.c"
    break;

  case 107: /* args: args ',' expr  */
#line 420 "grammar/parser.y"
                        { (yyval.list) = (yyvsp[-2].list); ast_list_push(&(yyval.list), (yyvsp[0].node)); }
#line 2948 "grammar/parser.c"
    break;

  case 108: /* field_name: "identifier"  */
#line 425 "grammar/parser.y"
                { (yyval.str) = (yyvsp[0].str); }
#line 2954 "grammar/parser.c"
    break;

  case 109: /* field_name: keyword  */
#line 426 "grammar/parser.y"
                  { (yyval.str) = kw_text(ctx, (yylsp[0])); }
#line 2960 "grammar/parser.c"
    break;


#line 2964 "grammar/parser.c"

      default: break;
    }
  /* User semantic actions sometimes alter yychar, and that requires
     that yytoken be updated with the new translation.  We take the
     approach of translating immediately before every use of yytoken.
     One alternative is translating here after every semantic action,
     but that translation would be missed if the semantic action invokes
     YYABORT, YYACCEPT, or YYERROR immediately after altering yychar or
     if it invokes YYBACKUP.  In the case of YYABORT or YYACCEPT, an
     incorrect destructor might then be invoked immediately.  In the
     case of YYERROR or YYBACKUP, subsequent parser actions might lead
     to an incorrect destructor call or verbose syntax error message
     before the lookahead is translated.  */
  YY_SYMBOL_PRINT ("-> $$ =", YY_CAST (yysymbol_kind_t, yyr1[yyn]), &yyval, &yyloc);

  YYPOPSTACK (yylen);
  yylen = 0;

  *++yyvsp = yyval;
  *++yylsp = yyloc;

  /* Now 'shift' the result of the reduction.  Determine what state
     that goes to, based on the state we popped back to and the rule
     number reduced by.  */
  {
    const int yylhs = yyr1[yyn] - YYNTOKENS;
    const int yyi = yypgoto[yylhs] + *yyssp;
    yystate = (0 <= yyi && yyi <= YYLAST && yycheck[yyi] == *yyssp
               ? yytable[yyi]
               : yydefgoto[yylhs]);
  }

  goto yynewstate;


/*--------------------------------------.
| yyerrlab -- here on detecting error.  |
`--------------------------------------*/
yyerrlab:
  /* Make sure we have latest lookahead translation.  See comments at
     user semantic actions for why this is necessary.  */
  yytoken = yychar == YYEMPTY ? YYSYMBOL_YYEMPTY : YYTRANSLATE (yychar);
  /* If not already recovering from an error, report this error.  */
  if (!yyerrstatus)
    {
      ++yynerrs;
      {
        yypcontext_t yyctx
          = {yyssp, yytoken, &yylloc};
        char const *yymsgp = YY_("syntax error");
        int yysyntax_error_status;
        yysyntax_error_status = yysyntax_error (&yymsg_alloc, &yymsg, &yyctx);
        if (yysyntax_error_status == 0)
          yymsgp = yymsg;
        else if (yysyntax_error_status == -1)
          {
            if (yymsg != yymsgbuf)
              YYSTACK_FREE (yymsg);
            yymsg = YY_CAST (char *,
                             YYSTACK_ALLOC (YY_CAST (YYSIZE_T, yymsg_alloc)));
            if (yymsg)
              {
                yysyntax_error_status
                  = yysyntax_error (&yymsg_alloc, &yymsg, &yyctx);
                yymsgp = yymsg;
              }
            else
              {
                yymsg = yymsgbuf;
                yymsg_alloc = sizeof yymsgbuf;
                yysyntax_error_status = YYENOMEM;
              }
          }
        yyerror (&yylloc, scanner, ctx, yymsgp);
        if (yysyntax_error_status == YYENOMEM)
          YYNOMEM;
      }
    }

  yyerror_range[1] = yylloc;
  if (yyerrstatus == 3)
    {
      /* If just tried and failed to reuse lookahead token after an
         error, discard it.  */

      if (yychar <= YYEOF)
        {
          /* Return failure if at end of input.  */
          if (yychar == YYEOF)
            YYABORT;
        }
      else
        {
          yydestruct ("Error: discarding",
                      yytoken, &yylval, &yylloc, scanner, ctx);
          yychar = YYEMPTY;
        }
    }

  /* Else will try to reuse lookahead token after shifting the error
     token.  */
  goto yyerrlab1;


/*---------------------------------------------------.
| yyerrorlab -- error raised explicitly by YYERROR.  |
`---------------------------------------------------*/
yyerrorlab:
  /* Pacify compilers when the user code never invokes YYERROR and the
     label yyerrorlab therefore never appears in user code.  */
  if (0)
    YYERROR;
  ++yynerrs;

  /* Do not reclaim the symbols of the rule whose action triggered
     this YYERROR.  */
  YYPOPSTACK (yylen);
  yylen = 0;
  YY_STACK_PRINT (yyss, yyssp);
  yystate = *yyssp;
  goto yyerrlab1;


/*-------------------------------------------------------------.
| yyerrlab1 -- common code for both syntax error and YYERROR.  |
`-------------------------------------------------------------*/
yyerrlab1:
  yyerrstatus = 3;      /* Each real token shifted decrements this.  */

  /* Pop stack until we find a state that shifts the error token.  */
  for (;;)
    {
      yyn = yypact[yystate];
      if (!yypact_value_is_default (yyn))
        {
          yyn += YYSYMBOL_YYerror;
          if (0 <= yyn && yyn <= YYLAST && yycheck[yyn] == YYSYMBOL_YYerror)
            {
              yyn = yytable[yyn];
              if (0 < yyn)
                break;
            }
        }

      /* Pop the current state because it cannot handle the error token.  */
      if (yyssp == yyss)
        YYABORT;

      yyerror_range[1] = *yylsp;
      yydestruct ("Error: popping",
                  YY_ACCESSING_SYMBOL (yystate), yyvsp, yylsp, scanner, ctx);
      YYPOPSTACK (1);
      yystate = *yyssp;
      YY_STACK_PRINT (yyss, yyssp);
    }

  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  *++yyvsp = yylval;
  YY_IGNORE_MAYBE_UNINITIALIZED_END

  yyerror_range[2] = yylloc;
  ++yylsp;
  YYLLOC_DEFAULT (*yylsp, yyerror_range, 2);

  /* Shift the error token.  */
  YY_SYMBOL_PRINT ("Shifting", YY_ACCESSING_SYMBOL (yyn), yyvsp, yylsp);

  yystate = yyn;
  goto yynewstate;


/*-------------------------------------.
| yyacceptlab -- YYACCEPT comes here.  |
`-------------------------------------*/
yyacceptlab:
  yyresult = 0;
  goto yyreturnlab;


/*-----------------------------------.
| yyabortlab -- YYABORT comes here.  |
`-----------------------------------*/
yyabortlab:
  yyresult = 1;
  goto yyreturnlab;


/*-----------------------------------------------------------.
| yyexhaustedlab -- YYNOMEM (memory exhaustion) comes here.  |
`-----------------------------------------------------------*/
yyexhaustedlab:
  yyerror (&yylloc, scanner, ctx, YY_("memory exhausted"));
  yyresult = 2;
  goto yyreturnlab;


/*----------------------------------------------------------.
| yyreturnlab -- parsing is finished, clean up and return.  |
`----------------------------------------------------------*/
yyreturnlab:
  if (yychar != YYEMPTY)
    {
      /* Make sure we have latest lookahead translation.  See comments at
         user semantic actions for why this is necessary.  */
      yytoken = YYTRANSLATE (yychar);
      yydestruct ("Cleanup: discarding lookahead",
                  yytoken, &yylval, &yylloc, scanner, ctx);
    }
  /* Do not reclaim the symbols of the rule whose action triggered
     this YYABORT or YYACCEPT.  */
  YYPOPSTACK (yylen);
  YY_STACK_PRINT (yyss, yyssp);
  while (yyssp != yyss)
    {
      yydestruct ("Cleanup: popping",
                  YY_ACCESSING_SYMBOL (+*yyssp), yyvsp, yylsp, scanner, ctx);
      YYPOPSTACK (1);
    }
#ifndef yyoverflow
  if (yyss != yyssa)
    YYSTACK_FREE (yyss);
#endif
  if (yymsg != yymsgbuf)
    YYSTACK_FREE (yymsg);
  return yyresult;
}

#line 436 "grammar/parser.y"


/* The parts of the flex interface used here (lexer.c is generated without a
 * header). */
struct yy_buffer_state;
int yylex_init_extra(struct pctx *extra, yyscan_t *scanner);
struct yy_buffer_state *yy_scan_bytes(const char *bytes, int len, yyscan_t scanner);
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
			   n->kind <= AST_QUANT ? "expression" : "statement", PARSE_MAX_DEPTH);
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

static struct pstr kw_text(struct pctx *ctx, YYLTYPE loc)
{
	struct pstr s;

	s.len = loc.end - loc.begin;
	s.s = xstrndup(ctx->text + loc.begin, s.len);
	return s;
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
	buf = yy_scan_bytes(text, (int)len, scanner);
	yyparse(scanner, &ctx);
	yy_delete_buffer(buf, scanner);
	yylex_destroy(scanner);
	sb_release(&ctx.sb);
	return ctx.root;
}
