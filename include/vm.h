/* vm.h - not yet written. */
#ifndef CPOLC_VM_H
#define CPOLC_VM_H
#endif
