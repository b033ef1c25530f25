/* vmm/debug.c: placeholder until the debug engine lands. */
#include <stdatomic.h>

#include "vmm/debug.h"
#include "vmm/vm.h"

void debug_on_exit(struct vcpu *cpu) { (void)cpu; }
void debug_park(struct vcpu *cpu) { atomic_store(&cpu->stop_req, false); }
void debug_vcpu_finished(struct vcpu *cpu) { (void)cpu; }
