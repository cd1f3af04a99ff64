/* sema.h - not yet written. */
#ifndef CPOLC_SEMA_H
#define CPOLC_SEMA_H
#endif
