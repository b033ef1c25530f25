/* vmm/dbg_hole.c: Z0/Z1 in user-mode code by unmapping its page in KVM: full speed outside that page, stepping inside it. */
#include <stdint.h>

#include "vmm/dbg.h"
#include "vmm/x86_regs.h"

static bool hole_usable(const struct host_caps *c)
{
	return c->emul_exit && c->single_step;
}

/* A DBG_HOLE breakpoint at linear `pc` whose byte is at `gpa`. */
static bool hole_bp_at(const struct vm_debug *d, uint64_t pc, uint64_t gpa)
{
	for (int i = 0; i < DBG_MAX_BPS; i++)
		if (d->bps[i].used && d->bps[i].how == DBG_HOLE && d->bps[i].addr == pc &&
		    d->bps[i].gpa == gpa)
			return true;
	return false;
}

/* The page this vCPU steps through is unmapped again (if it still has a
 * breakpoint: else the last layout made it ordinary RAM). */
static void close_hole_locked(struct vm_debug *d, struct vcpu *cpu)
{
	struct vcpu_debug *c = dbg_cpu(cpu);
	c->hole_open = false;
	for (int i = 0; i < DBG_MAX_BPS; i++)
		if (d->bps[i].used && d->bps[i].how == DBG_HOLE &&
		    (d->bps[i].gpa & ~0xfffull) == c->hole_page) {
			vm_set_page(d->vm, c->hole_page, VM_PAGE_NONE);
			return;
		}
}

/* A breakpoint in a user-mode page by unmapping that page in KVM: every
 * fetch from it exits (an emulation failure, even at CPL 3 with
 * KVM_CAP_EXIT_ON_EMULATION_FAILURE), at pc or not. For user pages only:
 * a kernel page may hold what the CPU itself reads (descriptor tables,
 * page tables), which cannot come from an unmapped page. */
static int hole_insert(struct vm_debug *d, int cpu, struct dbg_bp *b)
{
	struct vm *vm = d->vm;
	uint64_t left;
	int r = dbg_ensure_state(vm, cpu);
	if (r < 0)
		return DBG_NEXT;
	if (!vm->caps.emul_exit || !vm->caps.single_step || !dbg_user_page(vm, &d->cpus[cpu].sregs, b->addr) ||
	    vcpu_translate_sregs(vm, &d->cpus[cpu].sregs, b->addr, &b->gpa, &left) < 0 ||
	    !vm_gpa(vm, b->gpa, 1))
		return DBG_NEXT;
	return dbg_set_apart_locked(d, b, DBG_HOLE);
}

/* An emulation failure: true when it was a fetch from a page unmapped for
 * a breakpoint (the vCPU stops there or steps one instruction on). */
bool dbg_hole_fetch(struct vcpu *cpu)
{
	struct vm *vm = cpu->vm;
	struct vm_debug *d = vm->dbg;
	struct vcpu_debug *c = dbg_cpu(cpu);
	struct kvm_sregs *sr = vcpu_sregs(cpu);
	uint64_t pc = x86_regs_linear_pc(vcpu_regs(cpu), sr);
	bool ours = false;

	pthread_mutex_lock(&d->vm->pause_lock);
	/* the instruction at pc, or its last byte, is in a page of its own */
	for (uint64_t off = 0; off <= 15 && !ours; off += 15) {
		uint64_t gpa, left;
		enum vm_page_map map;
		if (vcpu_translate_sregs(vm, sr, pc + off, &gpa, &left) < 0 ||
		    vm_page_map(vm, gpa, &map) < 0)
			continue;
		ours = true;
		if (map != VM_PAGE_NONE)
			break; /* mapped since (another vCPU steps there): run again */
		if (!off && !c->step_over && hole_bp_at(d, pc, gpa)) {
			dbg_record_event_locked(d, cpu, GDB_STOP_SWBREAK, DBG_SIGTRAP, pc);
			break;
		}
		/* another instruction of the page: it runs with the page mapped,
		 * stepped, and so do the ones after it in that page */
		if (c->hole_open)
			close_hole_locked(d, cpu);
		c->hole_open = true;
		c->hole_page = gpa & ~0xfffull;
		vm_set_page(vm, gpa, dbg_page_watched(d, c->hole_page) ? VM_PAGE_RO : VM_PAGE_RW);
		dbg_apply_locked(d, cpu);
	}
	if (!ours && d->emul_exit && (sr->cs.selector & 3) == 3) {
		/* not ours: what KVM does at CPL 3 without the capability, #UD */
		ours = vcpu_inject_exception(cpu, 6) == 0;
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	return ours;
}

/* One instruction of a DBG_HOLE page done: on to the next one while it
 * is in the same page and no breakpoint (true: nothing more to do);
 * else the page is unmapped again, and its next fetch exits. */
bool dbg_hole_stepped_locked(struct vm_debug *d, struct vcpu *cpu, uint64_t pc)
{
	struct vcpu_debug *c = dbg_cpu(cpu);
	uint64_t gpa = UINT64_MAX, left;
	vcpu_translate_sregs(cpu->vm, vcpu_sregs(cpu), pc, &gpa, &left);
	if (c->action == GDB_RESUME_CONT && !c->step_over && (gpa & ~0xfffull) == c->hole_page &&
	    !hole_bp_at(d, pc, gpa)) {
		dbg_step_check_locked(d, cpu, pc);
		return true;
	}
	close_hole_locked(d, cpu);
	dbg_apply_locked(d, cpu);
	return false;
}

const struct dbg_strategy dbg_hole = {
	.how = DBG_HOLE, .name = "unmapped page", .usable = hole_usable, .insert = hole_insert,
};
