/* rel.h - not yet written. */
#ifndef CPOLC_REL_H
#define CPOLC_REL_H
#endif
