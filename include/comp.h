/* comp.h - not yet written. */
#ifndef CPOLC_COMP_H
#define CPOLC_COMP_H
#endif
