/* vmm/debug.h: the debug engine: all-stop, stepping, breakpoints and watchpoints, over KVM. */
#ifndef VMM_DEBUG_H
#define VMM_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdbstub/target.h"

struct vm;
struct vcpu;
struct vm_debug;

/* The engine for one machine (its hooks registered); `start_stopped`
 * parks every vCPU before its first instruction (gdb's -S). */
int debug_create(struct vm *vm, bool start_stopped);
void debug_destroy(struct vm *vm);

/* The engine registers hooks on the core's exits and parking
 * (struct vm_hooks, vmm/vm.h); the vCPU threads reach it only through
 * them. Its insides: vmm/dbg.h. */

/* ---- the gdb target's side (vmm/gdbserver.c) ---- */
struct kvm_regs;
struct kvm_sregs;
struct mmu_walk;
/* A stopped vCPU's registers as the debugger sees them (gone: its guest ended). */
int debug_cpu_view(struct vm *vm, int cpu, struct kvm_regs *regs, struct kvm_sregs *sregs,
		   bool *gone);
/* Linear to guest-physical through that vCPU's page tables (walk may be NULL). */
int debug_translate(struct vm *vm, int cpu, uint64_t la, uint64_t *gpa, uint64_t *left,
		    struct mmu_walk *walk);
int debug_get_state(struct vm *vm, int cpu, struct x86_state *st);
int debug_set_state(struct vm *vm, int cpu, const struct x86_state *st);
int debug_insert(struct vm *vm, int cpu, enum gdb_bp_type type, uint64_t addr, uint64_t len);
int debug_remove(struct vm *vm, int cpu, enum gdb_bp_type type, uint64_t addr, uint64_t len);
/* Planted int3 bytes are hidden from reads and kept under writes. */
void debug_shadow_read(struct vm *vm, uint64_t gpa, void *buf, size_t len);
void debug_shadow_write(struct vm *vm, uint64_t gpa, const void *buf, size_t len);
int debug_resume(struct vm *vm, const enum gdb_resume_action *actions);
int debug_interrupt(struct vm *vm);
int debug_event_fd(struct vm *vm);
int debug_get_stop(struct vm *vm, struct gdb_stop *stop);
/* A stop is offered first to tell(ctx, stopped, arg) on the thread of
 * the vCPU whose parking completed it, which may serve it there for as
 * long as stopped(arg) holds (that vCPU not resumed, the machine not
 * ending); true: taken there, false: told through debug_event_fd. Set
 * before vm_start. */
void debug_set_teller(struct vm *vm, bool (*tell)(void *ctx, bool (*stopped)(void *arg), void *arg),
		      void *ctx);
int debug_attach(struct vm *vm);
void debug_detach(struct vm *vm);
void debug_set_sstep_irq(struct vm *vm, bool on);
/* A text for `monitor info`: host abilities, strategies, breakpoints. */
int debug_describe(struct vm *vm, char *out, size_t len);

#endif
