/* vmm/gdbserver.h: runs the machine under the gdb stub (the KVM side of gdbstub/target.h). */
#ifndef VMM_GDBSERVER_H
#define VMM_GDBSERVER_H

#include <stdbool.h>

struct vm;

/* Serves gdb on `spec` while the machine runs; returns the exit status.
 * The caller frees the debug engine (debug_destroy) once no other thread
 * can reach it. */
int gdbserver_run(struct vm *vm, const char *spec, bool wait, unsigned timeout_s);

#endif
