/* A Bison parser, made by GNU Bison 3.8.2.  */

/* Bison interface for Yacc-like parsers in C

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

/* DO NOT RELY ON FEATURES THAT ARE NOT DOCUMENTED in the manual,
   especially those whose name start with YY_ or yy_.  They are
   private implementation details that can be changed or removed.  */

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

#line 84 "grammar/parser.h"

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

#line 218 "grammar/parser.h"

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

#line 239 "grammar/parser.h"

#endif /* !YY_YY_GRAMMAR_PARSER_H_INCLUDED  */
