/* vmm/dbg_step.c: the last resort on every host: the vCPU single-steps and the engine compares pc, or the watched bytes. */
#include <string.h>

#include "vmm/dbg.h"

static bool step_exec_usable(const struct host_caps *c)
{
	return c->single_step;
}

/* As before the strategies were units: a write watch falls back to
 * stepping wherever a read-only page may serve instead. */
static bool step_write_usable(const struct host_caps *c)
{
	return c->ro_mem || c->single_step;
}

static int step_exec_insert(struct vm_debug *d, int cpu, struct dbg_bp *b)
{
	(void)d;
	(void)cpu;
	b->how = DBG_STEP;
	return 0;
}

/* Z2: the bytes compared after each step; reads cannot be seen that way. */
static int step_write_insert(struct vm_debug *d, int cpu, struct dbg_bp *b)
{
	int r = dbg_watch_locate(d, cpu, b);
	if (r)
		return r;
	b->how = DBG_STEP;
	return 0;
}

/* Stepping fallback: after each step, breakpoints at the new pc and
 * watched bytes that changed. Returns true when an event was recorded. */
bool dbg_step_check_locked(struct vm_debug *d, struct vcpu *cpu, uint64_t pc)
{
	for (int i = 0; i < DBG_MAX_BPS; i++) {
		struct dbg_bp *b = &d->bps[i];
		if (!b->used || b->how != DBG_STEP)
			continue;
		if (b->type <= GDB_BP_HW && b->addr == pc) {
			dbg_record_event_locked(d, cpu, b->type == GDB_BP_SW ? GDB_STOP_SWBREAK : GDB_STOP_HWBREAK,
					    DBG_SIGTRAP, pc);
			return true;
		}
		if (b->type == GDB_WP_WRITE) {
			const uint8_t *now = vm_gpa(d->vm, b->gpa, b->len);
			if (now && memcmp(now, b->snap, b->len)) {
				memcpy(b->snap, now, b->len);
				dbg_record_event_locked(d, cpu, GDB_STOP_WATCH, DBG_SIGTRAP, b->addr);
				return true;
			}
		}
	}
	return false;
}

const struct dbg_strategy dbg_step_exec = {
	.how = DBG_STEP, .name = "single-stepping", .usable = step_exec_usable, .insert = step_exec_insert,
};
const struct dbg_strategy dbg_step_write = {
	.how = DBG_STEP, .name = "single-stepping", .usable = step_write_usable, .insert = step_write_insert,
};
