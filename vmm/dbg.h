/* vmm/dbg.h: the debug engine's insides, shared by vmm/debug.c and vmm/dbg_*.c: its state, the strategy interface, their common helpers. */
#ifndef VMM_DBG_H
#define VMM_DBG_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/debug.h"
#include "vmm/vm.h"

#define DBG_MAX_BPS 64
#define DBG_WATCH_MAX 64       /* bytes a stepping watchpoint may cover */
#define DBG_SIGTRAP 5
#define DBG_SIGINT 2
/* DBG_TRAP plants `out %al,$DBG_TRAP_PORT` (0xe6 imm8): port I/O leaves
 * KVM_RUN on every KVM, and no device here or in KVM owns this port. */
#define DBG_TRAP_PORT 0xe5

struct dbg_strategy;

/* How a breakpoint or watchpoint is carried out: one strategy each. */
enum dbg_how {
	DBG_INT3, /* a planted 0xcc, intercepted by KVM (KVM_GUESTDBG_USE_SW_BP): vmm/dbg_int3.c */
	DBG_DR,   /* a debug register (KVM_GUESTDBG_USE_HW_BP): vmm/dbg_dr.c */
	DBG_STEP, /* the vCPU single-steps and the engine compares pc or bytes: vmm/dbg_step.c */
	DBG_TRAP, /* a planted 2-byte `out` to a port of its own, an I/O exit: vmm/dbg_trap.c */
	DBG_PAGE, /* the watched page is read-only to KVM, writes exit as MMIO: vmm/dbg_page.c */
	DBG_HOLE, /* the code page is unmapped in KVM, each fetch exits: vmm/dbg_hole.c */
};

struct dbg_bp {
	bool used;
	enum gdb_bp_type type;
	enum dbg_how how;
	uint64_t addr; /* linear */
	uint64_t len;
	int dr;        /* DBG_DR: 0..3 */
	uint64_t gpa;  /* DBG_STEP, DBG_PAGE: where the watched bytes are;
			  DBG_HOLE: where the breakpoint's byte is */
	/* DBG_INT3 and DBG_TRAP: the bytes planted in guest memory; a trap
	 * is armed (its bytes written) once no vCPU stands inside it */
	unsigned nplant;
	bool armed;
	uint64_t pgpa[2];
	uint8_t plant[2], saved[2];
	uint8_t snap[DBG_WATCH_MAX]; /* DBG_STEP watch: the bytes at gpa, last seen */
};

struct vcpu_debug {
	enum gdb_resume_action action;
	bool gone;          /* the thread ended */
	bool has_event;
	uint64_t event_seq;
	struct gdb_stop event;
	bool step_over;     /* one internal step off a breakpoint at pc */
	bool at_hlt;        /* stepping, and the next instruction is hlt */
	bool rewind;        /* a trap hit: once its I/O completes, rip goes back */
	uint64_t rewind_rip;
	uint32_t inject;    /* KVM_GUESTDBG_INJECT_* for the next entry */
	/* stepping through a DBG_HOLE page, mapped for this vCPU meanwhile */
	bool hole_open;
	uint64_t hole_page;
	/* the parked vCPU's state, taken when it parked */
	bool state_ok, fpu_ok;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	struct kvm_guest_debug applied;
	bool applied_ok;
	bool tell;          /* its parking completed the stop: tell it once unlocked */
	bool tell_here;     /* ... and may serve it on its thread (ran_one) */
};

struct vm_debug {
	struct vm *vm;
	int efd;
	/* offered a stop on the thread of the vCPU that completed it, before
	 * efd (debug_set_teller); fixed before the vCPUs start */
	bool (*tell_here)(void *ctx, bool (*stopped)(void *arg), void *arg);
	void *tell_ctx;
	bool attached;
	bool stopping;    /* an all-stop is under way */
	bool stopped;     /* every vCPU is parked: the stop may be reported */
	bool signalled;   /* efd was written for this stop (or is about to be:
			     defer_signal) */
	bool defer_signal; /* a parking vCPU writes efd after the lock */
	bool signal_due;   /* ... and this stop is the one it must tell */
	int stop_signal;  /* for a stop with no event: 2 (Ctrl-C) or 5 */
	bool ran_one;     /* the last resume ran one vCPU (debug_resume) */
	uint64_t seq;
	int last_cpu;
	bool sstep_irq;
	int fault_status; /* a fault happened while attached */
	bool emul_exit;   /* KVM_CAP_EXIT_ON_EMULATION_FAILURE is on (DBG_HOLE) */
	int nr_layout;    /* the pages dbg_remap_locked last gave vm_map_ram (-1: none) */
	struct vm_page layout[VM_MAX_OWN_PAGES];
	struct dbg_bp bps[DBG_MAX_BPS];
	struct vcpu_debug cpus[VM_MAX_VCPUS];
	/* the strategies this host can use, in the order they are tried */
	const struct dbg_strategy *break_ladder[8], *watch_ladder[8];
	int nr_break, nr_watch;
};

/* One way of carrying out a breakpoint or watchpoint. The engine keeps
 * two ladders of them (breakpoints, watchpoints), the strategies this
 * host can use in the order they are tried (vmm/dbg_bp.c). */
struct dbg_strategy {
	enum dbg_how how;
	const char *name;   /* for `monitor info` */
	/* Can this host use it at all (vm->caps, from vm_probe_host)? */
	bool (*usable)(const struct host_caps *caps);
	/* Carries out `b` (type, addr and len filled) at the address as `cpu`
	 * sees it, under the lock: 0 when done (b->how set), DBG_NEXT when it
	 * cannot take this one (the next strategy is tried), or a negative
	 * errno that ends the insertion. */
	int (*insert)(struct vm_debug *d, int cpu, struct dbg_bp *b);
};
#define DBG_NEXT 1

extern const struct dbg_strategy dbg_int3, dbg_dr_exec, dbg_dr_data, dbg_trap, dbg_hole,
	dbg_step_exec, dbg_step_write, dbg_page;

/* debug.c: the engine, all-stop; "_locked": under vm->pause_lock */
struct vcpu_debug *dbg_cpu(struct vcpu *cpu);
void dbg_record_event_locked(struct vm_debug *d, struct vcpu *cpu, enum gdb_stop_kind kind, int sig,
			     uint64_t addr);
void dbg_apply_locked(struct vm_debug *d, struct vcpu *cpu);

/* dbg_regs.c: a stopped vCPU's registers, taken from KVM once */
int dbg_ensure_state(struct vm *vm, int cpu);

/* dbg_bp.c: the breakpoint table, planted bytes, pages set apart */
void dbg_ladders_init(struct vm_debug *d);
bool dbg_any(const struct vm_debug *d, enum dbg_how how);
bool dbg_inside_trap(const struct dbg_bp *b, uint64_t pc);
int dbg_plant_locked(struct vm_debug *d, int cpu, struct dbg_bp *b, const uint8_t *bytes, unsigned n);
bool dbg_arm_waiting_locked(struct vm_debug *d, uint64_t pc);
void dbg_remove_locked(struct vm_debug *d, struct dbg_bp *b);
int dbg_remap_locked(struct vm_debug *d);
bool dbg_user_page(struct vm *vm, const struct kvm_sregs *sr, uint64_t la);
int dbg_watch_locate(struct vm_debug *d, int cpu, struct dbg_bp *b);
int dbg_set_apart_locked(struct vm_debug *d, struct dbg_bp *b, enum dbg_how how);

/* the strategies' exits */
void dbg_int3_hit_locked(struct vm_debug *d, struct vcpu *cpu, uint64_t pc);
void dbg_dr_hit_locked(struct vm_debug *d, struct vcpu *cpu, uint64_t dr6, uint64_t pc);
void dbg_dr_config(const struct vm_debug *d, struct kvm_guest_debug *g, int masked_dr);
bool dbg_dr_len_ok(uint64_t addr, uint64_t len);
bool dbg_trap_io(struct vcpu *cpu);
bool dbg_hole_fetch(struct vcpu *cpu);
bool dbg_hole_stepped_locked(struct vm_debug *d, struct vcpu *cpu, uint64_t pc);
bool dbg_step_check_locked(struct vm_debug *d, struct vcpu *cpu, uint64_t pc);
bool dbg_page_watched(const struct vm_debug *d, uint64_t page);
void dbg_page_write(struct vcpu *cpu, uint64_t gpa, uint64_t len);

#endif
