/* res.h - not yet written. */
#ifndef CPOLC_RES_H
#define CPOLC_RES_H
#endif
