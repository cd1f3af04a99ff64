/* value.h - not yet written. */
#ifndef CPOLC_VALUE_H
#define CPOLC_VALUE_H
#endif
