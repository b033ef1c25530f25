/* vmm/dbg_regs.c: a stopped vCPU's registers for the debugger: taken from KVM once, shown and written through vmm/x86_regs.c. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/dbg.h"
#include "vmm/x86_regs.h"
#include "vmm/x86mmu.h"

int dbg_ensure_state(struct vm *vm, int cpu)
{
	struct vcpu_debug *c = &vm->dbg->cpus[cpu];
	struct vcpu *v = &vm->vcpus[cpu];
	if (cpu < 0 || cpu >= vm->nr_vcpus)
		return -EINVAL;
	if (!c->state_ok) {
		/* a vCPU whose thread ended keeps its registers in KVM */
		if (ioctl(v->fd, KVM_GET_REGS, &c->regs) < 0 || ioctl(v->fd, KVM_GET_SREGS, &c->sregs) < 0)
			return -EIO;
		c->state_ok = true;
	}
	if (!c->fpu_ok) {
		if (x86_regs_get_fpu(v->fd, &c->fpu) < 0)
			return -EIO;
		c->fpu_ok = true;
	}
	return 0;
}

int debug_cpu_view(struct vm *vm, int cpu, struct kvm_regs *regs, struct kvm_sregs *sregs,
		   bool *gone)
{
	struct vm_debug *d = vm->dbg;
	pthread_mutex_lock(&d->vm->pause_lock);
	int r = dbg_ensure_state(vm, cpu);
	if (r == 0) {
		*regs = d->cpus[cpu].regs;
		*sregs = d->cpus[cpu].sregs;
		*gone = d->cpus[cpu].gone;
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	return r;
}

int debug_translate(struct vm *vm, int cpu, uint64_t la, uint64_t *gpa, uint64_t *left,
		    struct mmu_walk *walk)
{
	struct kvm_regs regs;
	struct kvm_sregs s;
	bool gone;
	int r = debug_cpu_view(vm, cpu, &regs, &s, &gone);
	if (r < 0)
		return r;
	return vcpu_walk(vm, &s, la, gpa, left, walk);
}

/* Writes what changed into KVM (each vCPU ioctl costs microseconds),
 * then takes again what KVM holds now, whatever part it refused. */
static int put_state_locked(struct vm *vm, int cpu, const struct x86_state *st)
{
	struct vcpu_debug *c = &vm->dbg->cpus[cpu];
	struct vcpu *vc = &vm->vcpus[cpu];
	struct kvm_regs g = c->regs;
	struct kvm_sregs s = c->sregs;
	struct kvm_fpu f = c->fpu;
	x86_regs_to_kvm(vm, st, &g, &s, &f);

	int r = vcpu_put_state(vc, memcmp(&g, &c->regs, sizeof(g)) ? &g : NULL,
			       memcmp(&s, &c->sregs, sizeof(s)) ? &s : NULL,
			       memcmp(&f, &c->fpu, sizeof(f)) ? &f : NULL);
	if (!r && f.mxcsr != c->fpu.mxcsr)
		r = x86_regs_set_mxcsr(vc->fd, f.mxcsr);
	c->state_ok = c->fpu_ok = false;
	dbg_ensure_state(vm, cpu);
	return r;
}

int debug_get_state(struct vm *vm, int cpu, struct x86_state *st)
{
	pthread_mutex_lock(&vm->pause_lock);
	int r = dbg_ensure_state(vm, cpu);
	if (r == 0) {
		const struct vcpu_debug *c = &vm->dbg->cpus[cpu];
		x86_regs_from_kvm(&c->regs, &c->sregs, &c->fpu, st);
	}
	pthread_mutex_unlock(&vm->pause_lock);
	return r;
}

int debug_set_state(struct vm *vm, int cpu, const struct x86_state *st)
{
	pthread_mutex_lock(&vm->pause_lock);
	int r = dbg_ensure_state(vm, cpu);
	if (r == 0)
		r = put_state_locked(vm, cpu, st);
	pthread_mutex_unlock(&vm->pause_lock);
	return r;
}
