/* ver.h - not yet written. */
#ifndef CPOLC_VER_H
#define CPOLC_VER_H
#endif
