/* oci.h - not yet written. */
#ifndef CPOLC_OCI_H
#define CPOLC_OCI_H
#endif
