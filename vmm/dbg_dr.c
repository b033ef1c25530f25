/* vmm/dbg_dr.c: breakpoints and watchpoints in the debug registers DR0-3 (KVM_GUESTDBG_USE_HW_BP), where they fire. */
#include "vmm/dbg.h"

static int free_dr(const struct vm_debug *d)
{
	bool used[4] = { false };
	for (int i = 0; i < DBG_MAX_BPS; i++)
		if (d->bps[i].used && d->bps[i].how == DBG_DR)
			used[d->bps[i].dr] = true;
	for (int i = 0; i < 4; i++)
		if (!used[i])
			return i;
	return -1;
}

bool dbg_dr_len_ok(uint64_t addr, uint64_t len)
{
	return (len == 1 || len == 2 || len == 4 || len == 8) && !(addr & (len - 1));
}

/* DR7 for the debug-register breakpoints (SDM vol. 3B, 17.2.4): Ln enable,
 * R/Wn (00 exec, 01 write, 11 access), LENn (00 1, 01 2, 11 4, 10 8). */
void dbg_dr_config(const struct vm_debug *d, struct kvm_guest_debug *g, int masked_dr)
{
	static const uint64_t lenbits[9] = { [1] = 0, [2] = 1, [4] = 3, [8] = 2 };
	uint64_t dr7 = 0;
	for (int i = 0; i < DBG_MAX_BPS; i++) {
		const struct dbg_bp *b = &d->bps[i];
		if (!b->used || b->how != DBG_DR || b->dr == masked_dr)
			continue;
		uint64_t rw = b->type == GDB_WP_WRITE ? 1 : (b->type == GDB_WP_READ || b->type == GDB_WP_ACCESS) ? 3 : 0;
		uint64_t len = rw ? lenbits[b->len] : 0;
		g->arch.debugreg[b->dr] = b->addr;
		dr7 |= (1ull << (b->dr * 2)) | (rw << (16 + b->dr * 4)) | (len << (18 + b->dr * 4));
	}
	if (dr7)
		dr7 |= 0x200; /* GE: exact data breakpoints */
	g->arch.debugreg[7] = dr7;
}

static struct dbg_bp *bp_by_dr(struct vm_debug *d, int dr)
{
	for (int i = 0; i < DBG_MAX_BPS; i++)
		if (d->bps[i].used && d->bps[i].how == DBG_DR && d->bps[i].dr == dr)
			return &d->bps[i];
	return NULL;
}

static bool dr_exec_usable(const struct host_caps *c)
{
	return c->hw_bp;
}

static bool dr_data_usable(const struct host_caps *c)
{
	return c->hw_wp;
}

/* A free debug register, for Z0/Z1 (exec) or Z2-Z4 (data, of a length
 * and alignment DR7 can say). */
static int dr_insert(struct vm_debug *d, int cpu, struct dbg_bp *b)
{
	(void)cpu;
	int dr = free_dr(d);
	if (dr < 0 || (b->type >= GDB_WP_WRITE && !dbg_dr_len_ok(b->addr, b->len)))
		return DBG_NEXT;
	b->how = DBG_DR;
	b->dr = dr;
	return 0;
}

/* A debug-register exit (DR6 B0-B3): a hit, or the guest's own #DB. */
void dbg_dr_hit_locked(struct vm_debug *d, struct vcpu *cpu, uint64_t dr6, uint64_t pc)
{
	int dr = __builtin_ctzll(dr6 & 0xf);
	struct dbg_bp *b = bp_by_dr(d, dr);
	if (!b) {
		dbg_cpu(cpu)->inject = KVM_GUESTDBG_INJECT_DB;
		dbg_apply_locked(d, cpu);
	} else if (b->type <= GDB_BP_HW) {
		dbg_record_event_locked(d, cpu, b->type == GDB_BP_SW ? GDB_STOP_SWBREAK : GDB_STOP_HWBREAK,
					DBG_SIGTRAP, pc);
	} else {
		static const enum gdb_stop_kind k[] = {
			[GDB_WP_WRITE] = GDB_STOP_WATCH, [GDB_WP_READ] = GDB_STOP_RWATCH,
			[GDB_WP_ACCESS] = GDB_STOP_AWATCH,
		};
		dbg_record_event_locked(d, cpu, k[b->type], DBG_SIGTRAP, b->addr);
	}
}

const struct dbg_strategy dbg_dr_exec = {
	.how = DBG_DR, .name = "debug register", .usable = dr_exec_usable, .insert = dr_insert,
};
const struct dbg_strategy dbg_dr_data = {
	.how = DBG_DR, .name = "debug register", .usable = dr_data_usable, .insert = dr_insert,
};
