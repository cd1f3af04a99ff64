/* lint.h - not yet written. */
#ifndef CPOLC_LINT_H
#define CPOLC_LINT_H
#endif
