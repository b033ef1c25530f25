/* vmm/debug.h: the debug engine: stops, steps, breakpoints and watchpoints for the gdb target. */
#ifndef VMM_DEBUG_H
#define VMM_DEBUG_H

struct vcpu;

/* A KVM_EXIT_DEBUG arrived on this vCPU. */
void debug_on_exit(struct vcpu *cpu);
/* The vCPU was asked to stop: wait here until the debugger resumes it. */
void debug_park(struct vcpu *cpu);
/* The guest on this vCPU ended. */
void debug_vcpu_finished(struct vcpu *cpu);

#endif
