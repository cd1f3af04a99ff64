/* module.h - not yet written. */
#ifndef CPOLC_MODULE_H
#define CPOLC_MODULE_H
#endif
