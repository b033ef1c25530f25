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
 * syncing them cost 20 us an exit in the VM lane (make bench, rawkvm -s).
 * Only while the vCPU single-steps, where every exit needs them
 * (vcpu_sync_sregs), do they come with the exit instead of an ioctl. */
static int fetch_sregs(struct vcpu *cpu)
{
	if (cpu->sregs_valid)
		return 0;
	if (cpu->vm->caps.sync_regs && cpu->sync_fresh && (cpu->run->kvm_valid_regs & KVM_SYNC_X86_SREGS))
		cpu->sregs = cpu->run->s.regs.sregs;
	else if (ioctl(cpu->fd, KVM_GET_SREGS, &cpu->sregs) < 0)
		return -errno;
	cpu->sregs_valid = true;
	return 0;
}

struct kvm_sregs *vcpu_sregs(struct vcpu *cpu)
{
	if (fetch_sregs(cpu) < 0) {
		memset(&cpu->sregs, 0, sizeof(cpu->sregs));
		cpu->sregs_valid = true;
	}
	return &cpu->sregs;
}

void vcpu_sync_sregs(struct vcpu *cpu, bool on)
{
	if (!cpu->vm->caps.sync_regs)
		return;
	if (on)
		cpu->run->kvm_valid_regs |= KVM_SYNC_X86_SREGS;
	else
		cpu->run->kvm_valid_regs &= ~(uint64_t)KVM_SYNC_X86_SREGS;
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
		int r = fetch_sregs(cpu);
		if (r < 0)
			return r;
		*sregs = cpu->sregs;
		return 0;
	}
	if (ioctl(cpu->fd, KVM_GET_REGS, regs) < 0 || ioctl(cpu->fd, KVM_GET_SREGS, sregs) < 0)
		return -errno;
	return 0;
}

int vcpu_set_rip(struct vcpu *cpu, uint64_t rip)
{
	/* The sync-regs area, when it holds what KVM has, saves the
	 * KVM_GET_REGS, and stays what KVM has. Not through kvm_dirty_regs:
	 * KVM_SET_GUEST_DEBUG, before the next KVM_RUN, would take the old
	 * rip for a single-step's start and the step would be lost. */
	bool area = cpu->vm->caps.sync_regs && cpu->sync_fresh;
	struct kvm_regs r;
	if (area)
		r = cpu->run->s.regs.regs;
	else if (ioctl(cpu->fd, KVM_GET_REGS, &r) < 0)
		return -errno;
	r.rip = rip;
	if (ioctl(cpu->fd, KVM_SET_REGS, &r) < 0) {
		cpu->sync_fresh = false;
		return -errno;
	}
	if (area)
		cpu->run->s.regs.regs.rip = rip;
	return 0;
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
