/* cache.h - not yet written. */
#ifndef CPOLC_CACHE_H
#define CPOLC_CACHE_H
#endif
