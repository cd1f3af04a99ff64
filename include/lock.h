/* lock.h - not yet written. */
#ifndef CPOLC_LOCK_H
#define CPOLC_LOCK_H
#endif
