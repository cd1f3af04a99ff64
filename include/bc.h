/* bc.h - not yet written. */
#ifndef CPOLC_BC_H
#define CPOLC_BC_H
#endif
