/* vmm/vcpu_regs.c: a vCPU's registers (cached at each exit, or KVM's sync-regs area) and guest memory as that vCPU sees it. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/vm.h"
#include "vmm/x86mmu.h"

/* ---- registers ---------------------------------------------------------- */

struct kvm_regs *vcpu_regs(struct vcpu *cpu)
{
	if (cpu->vm->caps.sync_regs)
		return &cpu->run->s.regs.regs;
	if (!cpu->regs_valid) {
		if (ioctl(cpu->fd, KVM_GET_REGS, &cpu->regs) < 0)
			memset(&cpu->regs, 0, sizeof(cpu->regs));
		cpu->regs_valid = true;
	}
	return &cpu->regs;
}

/* Segment and control registers are fetched when an exit needs them
 * (a hypercall's pointer, a trap, a fault), not synced on every exit:
 * syncing them cost 20 us an exit in the VM lane (make bench, rawkvm -s). */
struct kvm_sregs *vcpu_sregs(struct vcpu *cpu)
{
	if (!cpu->sregs_valid) {
		if (ioctl(cpu->fd, KVM_GET_SREGS, &cpu->sregs) < 0)
			memset(&cpu->sregs, 0, sizeof(cpu->sregs));
		cpu->sregs_valid = true;
	}
	return &cpu->sregs;
}

void vcpu_regs_dirty(struct vcpu *cpu)
{
	if (cpu->vm->caps.sync_regs)
		cpu->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	else
		cpu->regs_dirty = true;
}

int vcpu_get_state(struct vcpu *cpu, struct kvm_regs *regs, struct kvm_sregs *sregs)
{
	if (cpu->vm->caps.sync_regs && cpu->sync_fresh) {
		*regs = cpu->run->s.regs.regs;
		if (!cpu->sregs_valid) {
			if (ioctl(cpu->fd, KVM_GET_SREGS, &cpu->sregs) < 0)
				return -errno;
			cpu->sregs_valid = true;
		}
		*sregs = cpu->sregs;
		return 0;
	}
	if (ioctl(cpu->fd, KVM_GET_REGS, regs) < 0 || ioctl(cpu->fd, KVM_GET_SREGS, sregs) < 0)
		return -errno;
	return 0;
}

int vcpu_set_rip(struct vcpu *cpu, uint64_t rip)
{
	struct kvm_regs r;
	int err = 0;
	if (ioctl(cpu->fd, KVM_GET_REGS, &r) < 0) {
		err = -errno;
	} else {
		r.rip = rip;
		if (ioctl(cpu->fd, KVM_SET_REGS, &r) < 0)
			err = -errno;
	}
	cpu->sync_fresh = false;
	return err;
}

int vcpu_put_state(struct vcpu *cpu, const struct kvm_regs *regs, const struct kvm_sregs *sregs,
		   const struct kvm_fpu *fpu)
{
	int r = 0;
	if (regs && ioctl(cpu->fd, KVM_SET_REGS, regs) < 0)
		r = -errno;
	if (!r && sregs && ioctl(cpu->fd, KVM_SET_SREGS, sregs) < 0)
		r = -errno;
	if (!r && fpu && ioctl(cpu->fd, KVM_SET_FPU, fpu) < 0)
		r = -errno;
	/* what KVM holds now, whatever part was refused */
	cpu->sync_fresh = false;
	cpu->sregs_valid = false;
	return r;
}

int vcpu_inject_exception(struct vcpu *cpu, uint8_t vector)
{
	struct kvm_vcpu_events ev;
	if (ioctl(cpu->fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
		return -errno;
	ev.exception.injected = 1;
	ev.exception.nr = vector;
	ev.exception.has_error_code = 0;
	return ioctl(cpu->fd, KVM_SET_VCPU_EVENTS, &ev) < 0 ? -errno : 0;
}

bool vcpu_started(struct vcpu *cpu)
{
	struct kvm_mp_state mp;
	if (!cpu->vm->irqchip || ioctl(cpu->fd, KVM_GET_MP_STATE, &mp) < 0)
		return true;
	return mp.mp_state != KVM_MP_STATE_UNINITIALIZED &&
	       mp.mp_state != KVM_MP_STATE_INIT_RECEIVED;
}

const char *vcpu_mode_name(const struct kvm_sregs *s)
{
	if (!(s->cr0 & X86_CR0_PE))
		return "real mode";
	if (s->efer & X86_EFER_LMA)
		return s->cs.l ? "long mode" : "compatibility mode";
	if (!s->cs.db)
		return "16-bit protected mode";
	return (s->cr0 & X86_CR0_PG) ? "protected mode, paging on" : "protected mode";
}

/* ---- guest memory through this vCPU's eyes ----------------------------- */

int vcpu_read_phys(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct vm *vm = opaque;
	void *p = vm_gpa(vm, gpa, len);
	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

int vcpu_walk(struct vm *vm, const struct kvm_sregs *s, uint64_t la, uint64_t *gpa,
	      uint64_t *page_left, struct mmu_walk *walk)
{
	struct mmu_ctx m = {
		.cr0 = s->cr0, .cr3 = s->cr3, .cr4 = s->cr4, .efer = s->efer,
		.read_phys = vcpu_read_phys, .opaque = vm,
	};
	return mmu_translate(&m, la, gpa, page_left, walk);
}

int vcpu_translate_sregs(struct vm *vm, const struct kvm_sregs *s, uint64_t la, uint64_t *gpa,
			 uint64_t *page_left)
{
	return vcpu_walk(vm, s, la, gpa, page_left, NULL);
}

int vcpu_translate(struct vcpu *cpu, uint64_t la, uint64_t *gpa, uint64_t *page_left)
{
	return vcpu_translate_sregs(cpu->vm, vcpu_sregs(cpu), la, gpa, page_left);
}

int vcpu_read_linear(struct vcpu *cpu, uint64_t la, void *buf, uint64_t len)
{
	uint8_t *out = buf;
	while (len > 0) {
		uint64_t gpa, left;
		if (vcpu_translate(cpu, la, &gpa, &left) < 0)
			return -EFAULT;
		uint64_t n = len < left ? len : left;
		void *p = vm_gpa(cpu->vm, gpa, n);
		if (!p)
			return -EFAULT;
		memcpy(out, p, n);
		out += n;
		la += n;
		len -= n;
	}
	return 0;
}
