/* vmm/x86_regs.h: KVM's register structures to and from the stub's struct x86_state (gdbstub/target.h). */
#ifndef VMM_X86_REGS_H
#define VMM_X86_REGS_H

#include <stdint.h>

#include <linux/kvm.h>

#include "gdbstub/target.h"

struct vm;

/* The linear address of the next instruction: CS.base + IP, IP as wide as
 * the mode (16 bits in real mode, 32 in protected mode, 64 in 64-bit mode,
 * where CS.base is 0: SDM vol. 3A, 3.4.4). */
uint64_t x86_regs_linear_pc(const struct kvm_regs *r, const struct kvm_sregs *s);

/* KVM's view of a vCPU as the stub's registers. */
void x86_regs_from_kvm(const struct kvm_regs *regs, const struct kvm_sregs *sregs,
		       const struct kvm_fpu *fpu, struct x86_state *st);
/* The stub's registers into KVM's structures, which hold the vCPU's state
 * now: a changed selector loads its hidden part as the CPU would (from the
 * GDT in vm's memory in protected mode), a changed hidden part is taken as
 * given. */
void x86_regs_to_kvm(struct vm *vm, const struct x86_state *st, struct kvm_regs *regs,
		     struct kvm_sregs *sregs, struct kvm_fpu *fpu);

/* KVM_GET_FPU with MXCSR as the XSAVE area holds it: 0 or a -errno. */
int x86_regs_get_fpu(int vcpu_fd, struct kvm_fpu *fpu);
/* MXCSR into the XSAVE area too, where KVM_SET_FPU does not reach it. */
int x86_regs_set_mxcsr(int vcpu_fd, uint32_t mxcsr);

#endif
