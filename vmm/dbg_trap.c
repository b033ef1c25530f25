/* vmm/dbg_trap.c: Z0/Z1 by a planted `out` to a port of the engine's own: the guest runs at full speed until the I/O exit. */
#include "vmm/dbg.h"
#include "vmm/x86_regs.h"

static bool trap_usable(const struct host_caps *c)
{
	(void)c;
	return true; /* port I/O leaves KVM_RUN on every KVM */
}

/* Faster than stepping: the guest runs at full speed until it reaches
 * the trap. Only in ring-0 code (dbg_plant_locked): `out` faults at CPL 3. */
static int trap_insert(struct vm_debug *d, int cpu, struct dbg_bp *b)
{
	if (dbg_plant_locked(d, cpu, b, (const uint8_t[]){ 0xe6, DBG_TRAP_PORT }, 2) < 0)
		return DBG_NEXT;
	b->how = DBG_TRAP;
	return 0;
}

/* A port I/O exit that may be a planted trap: true when it was one (the
 * vCPU then parks with the hit recorded and its rip put back). */
bool dbg_trap_io(struct vcpu *cpu)
{
	struct vm_debug *d = cpu->vm->dbg;
	struct kvm_run *run = cpu->run;
	bool hit = false;

	if (run->io.port != DBG_TRAP_PORT || run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 1)
		return false;
	struct kvm_regs *r = vcpu_regs(cpu);
	struct kvm_sregs *sr = vcpu_sregs(cpu);
	uint64_t pc = x86_regs_linear_pc(r, sr);
	/* Hardware KVM exits with rip on the `out`; KVM's instruction
	 * emulator (kvm-pvm emulates all CPL0 code) finishes an `out` first
	 * and exits with rip after it. Either way rip goes back to the trap.
	 * A trap reached through another mapping of its page (its physical
	 * address matches, its linear one does not) still stops the vCPU:
	 * running on would execute the trap's second byte. */
	pthread_mutex_lock(&d->vm->pause_lock);
	for (uint64_t back = 0; back <= 2 && !hit; back += 2) {
		uint64_t gpa = UINT64_MAX, left;
		vcpu_translate_sregs(cpu->vm, sr, pc - back, &gpa, &left);
		for (int i = 0; i < DBG_MAX_BPS && !hit; i++) {
			const struct dbg_bp *b = &d->bps[i];
			if (!b->used || b->how != DBG_TRAP || !b->armed ||
			    (b->addr != pc - back && b->pgpa[0] != gpa))
				continue;
			hit = true;
			dbg_cpu(cpu)->rewind = true;
			dbg_cpu(cpu)->rewind_rip = r->rip - back;
			dbg_record_event_locked(d, cpu, b->type == GDB_BP_SW ? GDB_STOP_SWBREAK : GDB_STOP_HWBREAK,
					    DBG_SIGTRAP, pc - back);
		}
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	return hit;
}

const struct dbg_strategy dbg_trap = {
	.how = DBG_TRAP, .name = "port-I/O trap", .usable = trap_usable, .insert = trap_insert,
};
