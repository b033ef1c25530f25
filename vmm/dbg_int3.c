/* vmm/dbg_int3.c: Z0 by a planted int3, where KVM intercepts it (KVM_GUESTDBG_USE_SW_BP) and exits with KVM_EXIT_DEBUG. */
#include "vmm/dbg.h"

static bool int3_usable(const struct host_caps *c)
{
	return c->sw_bp;
}

/* Z0 only; a byte that cannot be planted ends the insertion. */
static int int3_insert(struct vm_debug *d, int cpu, struct dbg_bp *b)
{
	static const uint8_t int3[] = { 0xcc };
	if (b->type != GDB_BP_SW)
		return DBG_NEXT;
	int r = dbg_plant_locked(d, cpu, b, int3, 1);
	if (r < 0)
		return r;
	b->how = DBG_INT3;
	return 0;
}

/* An int3 exit (exception 3) at linear pc: ours, or the guest's own. */
void dbg_int3_hit_locked(struct vm_debug *d, struct vcpu *cpu, uint64_t pc)
{
	bool ours = false;
	for (int i = 0; i < DBG_MAX_BPS; i++)
		ours |= d->bps[i].used && d->bps[i].how == DBG_INT3 && d->bps[i].addr == pc;
	if (ours) {
		dbg_record_event_locked(d, cpu, GDB_STOP_SWBREAK, DBG_SIGTRAP, pc);
	} else {
		/* the guest's own int3: give it back (KVM_GUESTDBG_INJECT_BP) */
		dbg_cpu(cpu)->inject = KVM_GUESTDBG_INJECT_BP;
		dbg_apply_locked(d, cpu);
	}
}

const struct dbg_strategy dbg_int3 = {
	.how = DBG_INT3, .name = "int3", .usable = int3_usable, .insert = int3_insert,
};
