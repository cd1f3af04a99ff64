/* request.h - not yet written. */
#ifndef CPOLC_REQUEST_H
#define CPOLC_REQUEST_H
#endif
