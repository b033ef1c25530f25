/* vmm/debug.c: the debug engine: all-stop parking, pending events, breakpoints, watchpoints, stepping. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/console.h"
#include "vmm/debug.h"
#include "vmm/vm.h"
#include "vmm/x86mmu.h"
#include "vmm/x86_regs.h"

#define MAX_BPS 64
#define WATCH_MAX 64       /* bytes a stepping watchpoint may cover */
#define SIGTRAP_GDB 5
#define SIGINT_GDB 2
/* DBG_TRAP plants `out %al,$DBG_TRAP_PORT` (0xe6 imm8): port I/O leaves
 * KVM_RUN on every KVM, and no device here or in KVM owns this port. */
#define DBG_TRAP_PORT 0xe5

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
	uint8_t snap[WATCH_MAX]; /* DBG_STEP watch: the bytes at gpa, last seen */
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
};

struct vm_debug {
	struct vm *vm;
	int efd;
	bool attached;
	bool stopping;    /* an all-stop is under way */
	bool stopped;     /* every vCPU is parked: the stop may be reported */
	bool signalled;   /* efd was written for this stop */
	int stop_signal;  /* for a stop with no event: 2 (Ctrl-C) or 5 */
	uint64_t seq;
	int last_cpu;
	bool sstep_irq;
	int fault_status; /* a fault happened while attached */
	bool emul_exit;   /* KVM_CAP_EXIT_ON_EMULATION_FAILURE is on (DBG_HOLE) */
	int nr_layout;    /* the pages remap_locked last gave vm_map_ram (-1: none) */
	struct vm_page layout[VM_MAX_OWN_PAGES];
	struct dbg_bp bps[MAX_BPS];
	struct vcpu_debug cpus[VM_MAX_VCPUS];
};

static const struct vm_hooks debug_hooks;

/* ---- engine state --------------------------------------------------------- */

int debug_create(struct vm *vm, bool start_stopped)
{
	struct vm_debug *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->vm = vm;
	d->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->efd < 0) {
		free(d);
		return -errno;
	}
	d->stop_signal = SIGTRAP_GDB;
	for (int i = 0; i < vm->nr_vcpus; i++) {
		d->cpus[i].action = start_stopped ? GDB_RESUME_NONE : GDB_RESUME_CONT;
		if (start_stopped)
			atomic_store(&vm->vcpus[i].stop_req, true);
	}
	d->stopping = start_stopped;
	vm->dbg = d;
	vm->hooks = &debug_hooks;
	return 0;
}

void debug_destroy(struct vm *vm)
{
	struct vm_debug *d = vm->dbg;
	if (!d)
		return;
	vm->dbg = NULL;
	vm->hooks = NULL;
	close(d->efd);
	free(d);
}

static struct vcpu_debug *cd(struct vcpu *cpu)
{
	return &cpu->vm->dbg->cpus[cpu->index];
}

static bool machine_gone_locked(struct vm_debug *d);
static int remap_locked(struct vm_debug *d);

/* Tell the stub a stop is ready. Nobody is told while no client is
 * attached (a -S machine waits parked for the first one), except that the
 * machine is gone. */
static void signal_stop_locked(struct vm_debug *d)
{
	uint64_t one = 1;
	if (!d->attached && !machine_gone_locked(d))
		return;
	if (!d->signalled && write(d->efd, &one, sizeof(one)) == sizeof(one))
		d->signalled = true;
}

static bool machine_gone_locked(struct vm_debug *d)
{
	for (int i = 0; i < d->vm->nr_vcpus; i++)
		if (!d->cpus[i].gone)
			return false;
	return true;
}

/* The stop is complete when every vCPU is parked or gone. */
static void check_stopped_locked(struct vm_debug *d)
{
	if (machine_gone_locked(d)) {
		signal_stop_locked(d);
		return;
	}
	if (!d->stopping)
		return;
	for (int i = 0; i < d->vm->nr_vcpus; i++)
		if (!d->vm->vcpus[i].parked && !d->cpus[i].gone)
			return;
	d->stopping = false;
	d->stopped = true;
	signal_stop_locked(d);
}

static void request_stop_locked(struct vm_debug *d)
{
	if (d->stopped)
		return;
	d->stopping = true;
	for (int i = 0; i < d->vm->nr_vcpus; i++)
		if (!d->vm->vcpus[i].parked && !d->cpus[i].gone)
			vcpu_kick(&d->vm->vcpus[i]);
	check_stopped_locked(d);
}

static void record_event_locked(struct vm_debug *d, struct vcpu *cpu, enum gdb_stop_kind kind,
				int sig, uint64_t addr)
{
	struct vcpu_debug *c = cd(cpu);
	c->has_event = true;
	c->event_seq = ++d->seq;
	c->event = (struct gdb_stop){ .kind = kind, .cpu = cpu->index, .signal = sig, .addr = addr };
	atomic_store(&cpu->stop_req, true);
	request_stop_locked(d);
}

/* ---- breakpoint bookkeeping ----------------------------------------------- */

static bool any_how(const struct vm_debug *d, enum dbg_how how)
{
	for (int i = 0; i < MAX_BPS; i++)
		if (d->bps[i].used && d->bps[i].how == how)
			return true;
	return false;
}

/* A vCPU at linear `pc` stands inside the trap's bytes (past its first):
 * with the trap written, it would run the trap's second byte. */
static bool inside_trap(const struct dbg_bp *b, uint64_t pc)
{
	return b->nplant > 1 && pc > b->addr && pc < b->addr + b->nplant;
}

/* Writes a trap's bytes unless a parked vCPU, or the vCPU at `pc` (one
 * that has just stepped), stands inside them; such a trap waits, and that
 * vCPU steps once more before it runs on (debug_resume, debug_on_exit). */
static void arm_locked(struct vm_debug *d, struct dbg_bp *b, uint64_t pc)
{
	if (b->armed || inside_trap(b, pc))
		return;
	for (int i = 0; i < d->vm->nr_vcpus; i++) {
		const struct vcpu_debug *c = &d->cpus[i];
		if (!c->gone && d->vm->vcpus[i].parked && c->state_ok && inside_trap(b, x86_regs_linear_pc(&c->regs, &c->sregs)))
			return;
	}
	for (unsigned k = 0; k < b->nplant; k++) {
		uint8_t *p = vm_gpa(d->vm, b->pgpa[k], 1);
		b->saved[k] = *p;
		*p = b->plant[k];
	}
	b->armed = true;
}

/* Traps that waited for `pc` to leave them, armed now where they can be.
 * True when one still waits for this very pc. */
static bool arm_waiting_locked(struct vm_debug *d, uint64_t pc)
{
	bool wait = false;
	for (int i = 0; i < MAX_BPS; i++) {
		struct dbg_bp *b = &d->bps[i];
		if (b->used && b->nplant && !b->armed) {
			arm_locked(d, b, pc);
			wait |= !b->armed && inside_trap(b, pc);
		}
	}
	return wait;
}

/* DR7 for the debug-register breakpoints (SDM vol. 3B, 17.2.4): Ln enable,
 * R/Wn (00 exec, 01 write, 11 access), LENn (00 1, 01 2, 11 4, 10 8). */
static void dr_config(const struct vm_debug *d, struct kvm_guest_debug *g, int masked_dr)
{
	static const uint64_t lenbits[9] = { [1] = 0, [2] = 1, [4] = 3, [8] = 2 };
	uint64_t dr7 = 0;
	for (int i = 0; i < MAX_BPS; i++) {
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

/* What KVM_SET_GUEST_DEBUG should say for this vCPU now, applied only
 * when it changed (each vCPU ioctl costs microseconds). Runs on the vCPU's
 * own thread. */
static void apply_debug_locked(struct vm_debug *d, struct vcpu *cpu)
{
	struct vcpu_debug *c = cd(cpu);
	struct kvm_guest_debug g = { 0 };
	int masked = -1;

	if (c->step_over) {
		for (int i = 0; i < MAX_BPS; i++)
			if (d->bps[i].used && d->bps[i].how == DBG_DR && d->bps[i].type <= GDB_BP_HW &&
			    d->bps[i].addr == x86_regs_linear_pc(&c->regs, &c->sregs))
				masked = d->bps[i].dr;
	}
	/* stepping through a DBG_HOLE page goes on after a detach: the trap
	 * flag it set may be in a frame the guest saved (an interrupt, a
	 * system call) and must come back here, not to the guest */
	if (d->attached || c->action == GDB_RESUME_STEP || c->hole_open) {
		dr_config(d, &g, masked);
		bool step = c->action == GDB_RESUME_STEP || c->step_over || c->hole_open ||
			    (c->action == GDB_RESUME_CONT && any_how(d, DBG_STEP));
		if (g.arch.debugreg[7])
			g.control |= KVM_GUESTDBG_USE_HW_BP;
		if (any_how(d, DBG_INT3))
			g.control |= KVM_GUESTDBG_USE_SW_BP;
		if (step) {
			g.control |= KVM_GUESTDBG_SINGLESTEP;
			/* A user's step enters no interrupt handler unless asked
			 * (KVM API, KVM_SET_GUEST_DEBUG: BLOCKIRQ). A continue that
			 * steps for a breakpoint takes interrupts only when the
			 * vCPU halts to wait for one: stepping is hundreds of times
			 * slower than the guest's timer, whose handler would
			 * otherwise take every step (a livelock). Stepping through
			 * a DBG_HOLE page takes them: the kernel its code calls may
			 * wait for one, and runs untraced (TF cleared on entry). */
			if (!c->at_hlt && (c->action != GDB_RESUME_STEP || !d->sstep_irq) &&
			    !(c->hole_open && c->action != GDB_RESUME_STEP) && d->vm->caps.blockirq)
				g.control |= KVM_GUESTDBG_BLOCKIRQ;
		}
	}
	g.control |= c->inject;
	if (g.control)
		g.control |= KVM_GUESTDBG_ENABLE;
	c->inject = 0;
	if (c->applied_ok && !memcmp(&g, &c->applied, sizeof(g)))
		return;
	if (ioctl(cpu->fd, KVM_SET_GUEST_DEBUG, &g) == 0) {
		c->applied = g;
		c->applied_ok = !(g.control & (KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_INJECT_DB));
	}
}

/* ---- the vCPU side -------------------------------------------------------- */

/* Hooks on the core's parking (struct vm_hooks, vmm/vm.h). */

static void on_park_begin(struct vcpu *cpu)
{
	struct vcpu_debug *c = cd(cpu);
	if (c->rewind) {
		/* the trap's `out` is done inside KVM: back to the breakpoint */
		vcpu_set_rip(cpu, c->rewind_rip);
		c->rewind = false;
	}
}

static void on_parked(struct vcpu *cpu, bool again)
{
	struct vcpu_debug *c = cd(cpu);
	if (!again) {
		vcpu_get_state(cpu, &c->regs, &c->sregs);
		c->state_ok = true;
		c->fpu_ok = false;
	}
	check_stopped_locked(cpu->vm->dbg);
}

static void on_unparked(struct vcpu *cpu)
{
	cd(cpu)->state_ok = false;
	if (!atomic_load(&cpu->vm->exiting))
		apply_debug_locked(cpu->vm->dbg, cpu);
}

/* Stepping fallback: after each step, breakpoints at the new pc and
 * watched bytes that changed. Returns true when an event was recorded. */
static bool check_stepping_locked(struct vm_debug *d, struct vcpu *cpu, uint64_t pc)
{
	for (int i = 0; i < MAX_BPS; i++) {
		struct dbg_bp *b = &d->bps[i];
		if (!b->used || b->how != DBG_STEP)
			continue;
		if (b->type <= GDB_BP_HW && b->addr == pc) {
			record_event_locked(d, cpu, b->type == GDB_BP_SW ? GDB_STOP_SWBREAK : GDB_STOP_HWBREAK,
					    SIGTRAP_GDB, pc);
			return true;
		}
		if (b->type == GDB_WP_WRITE) {
			const uint8_t *now = vm_gpa(d->vm, b->gpa, b->len);
			if (now && memcmp(now, b->snap, b->len)) {
				memcpy(b->snap, now, b->len);
				record_event_locked(d, cpu, GDB_STOP_WATCH, SIGTRAP_GDB, b->addr);
				return true;
			}
		}
	}
	return false;
}

/* A DBG_HOLE breakpoint at linear `pc` whose byte is at `gpa`. */
static bool hole_bp_at(const struct vm_debug *d, uint64_t pc, uint64_t gpa)
{
	for (int i = 0; i < MAX_BPS; i++)
		if (d->bps[i].used && d->bps[i].how == DBG_HOLE && d->bps[i].addr == pc &&
		    d->bps[i].gpa == gpa)
			return true;
	return false;
}

static bool page_watched(const struct vm_debug *d, uint64_t page)
{
	for (int i = 0; i < MAX_BPS; i++)
		if (d->bps[i].used && d->bps[i].how == DBG_PAGE && (d->bps[i].gpa & ~0xfffull) == page)
			return true;
	return false;
}

/* The page this vCPU steps through is unmapped again (if it still has a
 * breakpoint: else the last layout made it ordinary RAM). */
static void close_hole_locked(struct vm_debug *d, struct vcpu *cpu)
{
	struct vcpu_debug *c = cd(cpu);
	c->hole_open = false;
	for (int i = 0; i < MAX_BPS; i++)
		if (d->bps[i].used && d->bps[i].how == DBG_HOLE &&
		    (d->bps[i].gpa & ~0xfffull) == c->hole_page) {
			vm_set_page(d->vm, c->hole_page, VM_PAGE_NONE);
			return;
		}
}

static struct dbg_bp *bp_by_dr(struct vm_debug *d, int dr)
{
	for (int i = 0; i < MAX_BPS; i++)
		if (d->bps[i].used && d->bps[i].how == DBG_DR && d->bps[i].dr == dr)
			return &d->bps[i];
	return NULL;
}

/* Hooks on the core's exits (struct vm_hooks, vmm/vm.h). */

/* A KVM_EXIT_DEBUG: a step, a debug register or an int3, ours or the guest's. */
static void on_debug_exit(struct vcpu *cpu)
{
	struct vm_debug *d = cpu->vm->dbg;
	struct vcpu_debug *c = cd(cpu);
	uint32_t exc = cpu->run->debug.arch.exception;
	uint64_t dr6 = cpu->run->debug.arch.dr6;
	uint64_t pc = cpu->run->debug.arch.pc;

	pthread_mutex_lock(&d->vm->pause_lock);
	if (exc == 1 && (dr6 & X86_DR6_BS) && c->hole_open) {
		/* one instruction of a DBG_HOLE page done: on to the next one while
		 * it is in the same page and no breakpoint; else unmap the page
		 * again, and its next fetch exits */
		uint64_t gpa = UINT64_MAX, left;
		vcpu_translate_sregs(cpu->vm, vcpu_sregs(cpu), pc, &gpa, &left);
		if (c->action == GDB_RESUME_CONT && !c->step_over && (gpa & ~0xfffull) == c->hole_page &&
		    !hole_bp_at(d, pc, gpa)) {
			check_stepping_locked(d, cpu, pc);
			pthread_mutex_unlock(&d->vm->pause_lock);
			return;
		}
		close_hole_locked(d, cpu);
		apply_debug_locked(d, cpu);
	}
	if (exc == 1 && (dr6 & X86_DR6_BS)) {
		if (c->step_over) {
			/* off the breakpoint; a trap this vCPU stood inside is
			 * written now, or it steps again if it is still inside */
			c->step_over = arm_waiting_locked(d, pc);
			apply_debug_locked(d, cpu);
		} else if (c->action == GDB_RESUME_STEP) {
			record_event_locked(d, cpu, GDB_STOP_SIGNAL, SIGTRAP_GDB, 0);
		} else if (!check_stepping_locked(d, cpu, pc)) {
			/* nothing hit: the next step follows on re-entry, with
			 * interrupts let in only for a hlt */
			uint8_t insn = 0;
			bool hlt = vcpu_read_linear(cpu, pc, &insn, 1) == 0 && insn == 0xf4;
			if (hlt != c->at_hlt) {
				c->at_hlt = hlt;
				apply_debug_locked(d, cpu);
			}
		}
	} else if (exc == 1 && (dr6 & 0xf)) {
		int dr = __builtin_ctzll(dr6 & 0xf);
		struct dbg_bp *b = bp_by_dr(d, dr);
		if (!b) {
			c->inject = KVM_GUESTDBG_INJECT_DB;
			apply_debug_locked(d, cpu);
		} else if (b->type <= GDB_BP_HW) {
			record_event_locked(d, cpu, b->type == GDB_BP_SW ? GDB_STOP_SWBREAK : GDB_STOP_HWBREAK,
					    SIGTRAP_GDB, pc);
		} else {
			static const enum gdb_stop_kind k[] = {
				[GDB_WP_WRITE] = GDB_STOP_WATCH, [GDB_WP_READ] = GDB_STOP_RWATCH,
				[GDB_WP_ACCESS] = GDB_STOP_AWATCH,
			};
			record_event_locked(d, cpu, k[b->type], SIGTRAP_GDB, b->addr);
		}
	} else if (exc == 3) {
		bool ours = false;
		for (int i = 0; i < MAX_BPS; i++)
			ours |= d->bps[i].used && d->bps[i].how == DBG_INT3 && d->bps[i].addr == pc;
		if (ours) {
			record_event_locked(d, cpu, GDB_STOP_SWBREAK, SIGTRAP_GDB, pc);
		} else {
			/* the guest's own int3: give it back (KVM_GUESTDBG_INJECT_BP) */
			c->inject = KVM_GUESTDBG_INJECT_BP;
			apply_debug_locked(d, cpu);
		}
	} else {
		c->inject = exc == 3 ? KVM_GUESTDBG_INJECT_BP : KVM_GUESTDBG_INJECT_DB;
		apply_debug_locked(d, cpu);
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
}

/* A stepping vCPU's lone I/O access is finished and its step reported
 * by the core (vmm/vcpu.c, finish_io_step): whether it steps is ours. */
static bool on_io_step(struct vcpu *cpu)
{
	return cd(cpu)->applied.control & KVM_GUESTDBG_SINGLESTEP;
}

/* A port I/O exit that may be a planted trap: true when it was one (the
 * vCPU then parks with the hit recorded and its rip put back). */
static bool on_io(struct vcpu *cpu)
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
		for (int i = 0; i < MAX_BPS && !hit; i++) {
			const struct dbg_bp *b = &d->bps[i];
			if (!b->used || b->how != DBG_TRAP || !b->armed ||
			    (b->addr != pc - back && b->pgpa[0] != gpa))
				continue;
			hit = true;
			cd(cpu)->rewind = true;
			cd(cpu)->rewind_rip = r->rip - back;
			record_event_locked(d, cpu, b->type == GDB_BP_SW ? GDB_STOP_SWBREAK : GDB_STOP_HWBREAK,
					    SIGTRAP_GDB, pc - back);
		}
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	return hit;
}

/* An emulation failure: true when it was a fetch from a page unmapped for
 * a breakpoint (the vCPU stops there or steps one instruction on). */
static bool on_emulation_failure(struct vcpu *cpu)
{
	struct vm *vm = cpu->vm;
	struct vm_debug *d = vm->dbg;
	struct vcpu_debug *c = cd(cpu);
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
			record_event_locked(d, cpu, GDB_STOP_SWBREAK, SIGTRAP_GDB, pc);
			break;
		}
		/* another instruction of the page: it runs with the page mapped,
		 * stepped, and so do the ones after it in that page */
		if (c->hole_open)
			close_hole_locked(d, cpu);
		c->hole_open = true;
		c->hole_page = gpa & ~0xfffull;
		vm_set_page(vm, gpa, page_watched(d, c->hole_page) ? VM_PAGE_RO : VM_PAGE_RW);
		apply_debug_locked(d, cpu);
	}
	if (!ours && d->emul_exit && (sr->cs.selector & 3) == 3) {
		/* not ours: what KVM does at CPL 3 without the capability, #UD */
		ours = vcpu_inject_exception(cpu, 6) == 0;
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	return ours;
}

/* A fault taken when a debugger is attached: the vCPU parks, the machine stays. */
static bool on_fault(struct vcpu *cpu, const char *text, int status, int sig)
{
	struct vm_debug *d = cpu->vm->dbg;
	if (!d)
		return false;
	pthread_mutex_lock(&d->vm->pause_lock);
	bool take = d->attached;
	if (take) {
		d->fault_status = status;
		record_event_locked(d, cpu, GDB_STOP_FAULT, sig, 0);
		snprintf(cd(cpu)->event.text, sizeof(cd(cpu)->event.text), "%s", text);
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	return take;
}

/* This vCPU's thread is ending (guest finished, faulted or machine ending). */
static void on_ended(struct vcpu *cpu)
{
	struct vm_debug *d = cpu->vm->dbg;
	pthread_mutex_lock(&d->vm->pause_lock);
	cd(cpu)->gone = true;
	check_stopped_locked(d);
	pthread_mutex_unlock(&d->vm->pause_lock);
}

/* ---- the target side ------------------------------------------------------ */

int debug_event_fd(struct vm *vm)
{
	return vm->dbg->efd;
}

static int exit_status_locked(struct vm *vm)
{
	if (atomic_load(&vm->exiting))
		return vm->exit_status;
	for (int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].status)
			return vm->vcpus[i].status;
	return 0;
}

int debug_get_stop(struct vm *vm, struct gdb_stop *stop)
{
	struct vm_debug *d = vm->dbg;
	uint64_t v;
	int r = -EAGAIN;

	pthread_mutex_lock(&d->vm->pause_lock);
	if (read(d->efd, &v, sizeof(v)) < 0) {
		/* nothing new; a stop already taken is not reported twice */
	}
	if (machine_gone_locked(d)) {
		*stop = (struct gdb_stop){ .kind = GDB_STOP_EXITED, .cpu = -1 };
		pthread_mutex_lock(&vm->lock);
		stop->status = exit_status_locked(vm);
		pthread_mutex_unlock(&vm->lock);
		r = 0;
	} else if (d->stopped && d->signalled) {
		/* the oldest event of a vCPU the last resume ran; else the oldest */
		struct vcpu_debug *best = NULL;
		for (int pass = 0; pass < 2 && !best; pass++)
			for (int i = 0; i < vm->nr_vcpus; i++) {
				struct vcpu_debug *c = &d->cpus[i];
				if (c->has_event && (pass || c->action != GDB_RESUME_NONE) &&
				    (!best || c->event_seq < best->event_seq))
					best = c;
			}
		if (best) {
			*stop = best->event;
			best->has_event = false;
		} else {
			int cpu = d->last_cpu < vm->nr_vcpus && !d->cpus[d->last_cpu].gone ? d->last_cpu : 0;
			for (int i = 0; i < vm->nr_vcpus && d->cpus[cpu].gone; i++)
				cpu = i;
			*stop = (struct gdb_stop){ .kind = GDB_STOP_SIGNAL, .cpu = cpu, .signal = d->stop_signal };
		}
		d->last_cpu = stop->cpu;
		d->signalled = false;
		r = 0;
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	return r;
}

/* Runs the vCPUs as gdb asked. While one vCPU steps, the others stay
 * stopped even if gdb said "continue" for them (vCont;s:2;c): stepping
 * one vCPU of several guests must not move the others (docs/rsp.md). */
int debug_resume(struct vm *vm, const enum gdb_resume_action *actions)
{
	struct vm_debug *d = vm->dbg;
	enum gdb_resume_action eff[VM_MAX_VCPUS];
	bool stepping = false, any = false;

	pthread_mutex_lock(&d->vm->pause_lock);
	if (!d->stopped || machine_gone_locked(d)) {
		check_stopped_locked(d);
		pthread_mutex_unlock(&d->vm->pause_lock);
		return 0;
	}
	for (int i = 0; i < vm->nr_vcpus; i++)
		stepping |= actions[i] == GDB_RESUME_STEP && !d->cpus[i].gone;
	for (int i = 0; i < vm->nr_vcpus; i++) {
		eff[i] = d->cpus[i].gone || (stepping && actions[i] == GDB_RESUME_CONT)
				 ? GDB_RESUME_NONE : actions[i];
		d->cpus[i].action = eff[i];
		any |= eff[i] != GDB_RESUME_NONE;
	}
	/* An event not yet reported, on a vCPU this resume would run: report
	 * it without running anything. A vCPU left stopped keeps its event for
	 * a later resume (gdb steps one thread over a breakpoint while another
	 * one's hit waits). */
	for (int i = 0; i < vm->nr_vcpus; i++)
		if (eff[i] != GDB_RESUME_NONE && d->cpus[i].has_event) {
			signal_stop_locked(d);
			pthread_mutex_unlock(&d->vm->pause_lock);
			return 0;
		}
	if (!any) {
		/* nothing can run: report a stop at once */
		signal_stop_locked(d);
		pthread_mutex_unlock(&d->vm->pause_lock);
		return 0;
	}
	d->stopped = false;
	d->stop_signal = SIGTRAP_GDB;
	/* a stop announced but never taken is over: the next one must be
	 * announced again */
	if (d->signalled) {
		uint64_t v;
		if (read(d->efd, &v, sizeof(v)) < 0) {
			/* already drained */
		}
		d->signalled = false;
	}
	for (int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu_debug *c = &d->cpus[i];
		if (eff[i] == GDB_RESUME_NONE)
			continue;
		/* leaving a breakpoint we stopped at: one step with it masked */
		c->step_over = false;
		c->at_hlt = false;
		if (c->state_ok) {
			uint64_t gpa, left;
			uint8_t *p = NULL;
			if (vcpu_translate_sregs(vm, &c->sregs, x86_regs_linear_pc(&c->regs, &c->sregs), &gpa, &left) == 0)
				p = vm_gpa(vm, gpa, 1);
			c->at_hlt = p && *p == 0xf4;
		}
		if (eff[i] == GDB_RESUME_CONT && c->state_ok) {
			uint64_t pc = x86_regs_linear_pc(&c->regs, &c->sregs);
			for (int j = 0; j < MAX_BPS; j++)
				c->step_over |= d->bps[j].used &&
						(((d->bps[j].how == DBG_DR || d->bps[j].how == DBG_HOLE) &&
						  d->bps[j].type <= GDB_BP_HW && d->bps[j].addr == pc) ||
						 (d->bps[j].how == DBG_TRAP && !d->bps[j].armed &&
						  inside_trap(&d->bps[j], pc)));
		}
		vcpu_unpark(&vm->vcpus[i]);
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	return 0;
}

int debug_interrupt(struct vm *vm)
{
	struct vm_debug *d = vm->dbg;
	pthread_mutex_lock(&d->vm->pause_lock);
	if (!d->stopped) {
		d->stop_signal = SIGINT_GDB;
		request_stop_locked(d);
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	return 0;
}

int debug_attach(struct vm *vm)
{
	struct vm_debug *d = vm->dbg;
	pthread_mutex_lock(&d->vm->pause_lock);
	d->attached = true;
	if (d->stopped || machine_gone_locked(d)) {
		d->signalled = false;
		signal_stop_locked(d);
	} else {
		d->stop_signal = SIGTRAP_GDB;
		request_stop_locked(d);
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	return 0;
}

static void remove_bp_locked(struct vm_debug *d, struct dbg_bp *b)
{
	for (unsigned i = 0; b->armed && i < b->nplant; i++) {
		uint8_t *p = vm_gpa(d->vm, b->pgpa[i], 1);
		if (p && *p == b->plant[i])
			*p = b->saved[i];
	}
	b->used = false;
}

void debug_detach(struct vm *vm)
{
	struct vm_debug *d = vm->dbg;
	enum gdb_resume_action all[VM_MAX_VCPUS];

	pthread_mutex_lock(&d->vm->pause_lock);
	bool had_page = any_how(d, DBG_PAGE) || any_how(d, DBG_HOLE);
	for (int i = 0; i < MAX_BPS; i++)
		if (d->bps[i].used)
			remove_bp_locked(d, &d->bps[i]);
	/* memory slots change only if a page was read-only or unmapped */
	if (had_page)
		remap_locked(d);
	d->attached = false;
	for (int i = 0; i < vm->nr_vcpus; i++) {
		d->cpus[i].has_event = false;
		all[i] = GDB_RESUME_CONT;
	}
	int fault_status = d->fault_status;
	pthread_mutex_unlock(&d->vm->pause_lock);
	if (fault_status) {
		/* a faulted guest cannot go on: end the machine as without gdb */
		vm_request_exit(vm, fault_status);
		return;
	}
	debug_resume(vm, all);
}

void debug_set_sstep_irq(struct vm *vm, bool on)
{
	vm->dbg->sstep_irq = on;
}

/* ---- registers ------------------------------------------------------------ */

static int ensure_state(struct vm *vm, int cpu)
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
		x86_regs_get_fpu(v->fd, &c->fpu);
		c->fpu_ok = true;
	}
	return 0;
}

int debug_cpu_view(struct vm *vm, int cpu, struct kvm_regs *regs, struct kvm_sregs *sregs,
		   bool *gone)
{
	struct vm_debug *d = vm->dbg;
	pthread_mutex_lock(&d->vm->pause_lock);
	int r = ensure_state(vm, cpu);
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
	struct mmu_ctx m = {
		.cr0 = s.cr0, .cr3 = s.cr3, .cr4 = s.cr4, .efer = s.efer,
		.read_phys = vcpu_read_phys, .opaque = vm,
	};
	return mmu_translate(&m, la, gpa, left, walk);
}

int debug_get_state(struct vm *vm, int cpu, struct x86_state *st)
{
	struct vm_debug *d = vm->dbg;
	pthread_mutex_lock(&d->vm->pause_lock);
	int r = ensure_state(vm, cpu);
	if (r < 0) {
		pthread_mutex_unlock(&d->vm->pause_lock);
		return r;
	}
	const struct vcpu_debug *c = &d->cpus[cpu];
	x86_regs_from_kvm(&c->regs, &c->sregs, &c->fpu, st);
	pthread_mutex_unlock(&d->vm->pause_lock);
	return 0;
}

int debug_set_state(struct vm *vm, int cpu, const struct x86_state *st)
{
	struct vm_debug *d = vm->dbg;
	pthread_mutex_lock(&d->vm->pause_lock);
	int r = ensure_state(vm, cpu);
	if (r < 0) {
		pthread_mutex_unlock(&d->vm->pause_lock);
		return r;
	}
	struct vcpu_debug *c = &d->cpus[cpu];
	struct vcpu *vc = &vm->vcpus[cpu];
	struct kvm_regs g = c->regs;
	struct kvm_sregs s = c->sregs;
	struct kvm_fpu f = c->fpu;
	x86_regs_to_kvm(vm, st, &g, &s, &f);

	/* only what changed: each vCPU ioctl costs microseconds */
	r = vcpu_put_state(vc, memcmp(&g, &c->regs, sizeof(g)) ? &g : NULL,
			   memcmp(&s, &c->sregs, sizeof(s)) ? &s : NULL,
			   memcmp(&f, &c->fpu, sizeof(f)) ? &f : NULL);
	if (!r && f.mxcsr != c->fpu.mxcsr)
		r = x86_regs_set_mxcsr(vc->fd, f.mxcsr);
	/* what KVM holds now, whatever part was refused */
	c->state_ok = c->fpu_ok = false;
	ensure_state(vm, cpu);
	pthread_mutex_unlock(&d->vm->pause_lock);
	return r;
}

/* ---- breakpoints and watchpoints ------------------------------------------ */

static int free_dr(const struct vm_debug *d)
{
	bool used[4] = { false };
	for (int i = 0; i < MAX_BPS; i++)
		if (d->bps[i].used && d->bps[i].how == DBG_DR)
			used[d->bps[i].dr] = true;
	for (int i = 0; i < 4; i++)
		if (!used[i])
			return i;
	return -1;
}

static struct dbg_bp *find_bp(struct vm_debug *d, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	for (int i = 0; i < MAX_BPS; i++) {
		struct dbg_bp *b = &d->bps[i];
		if (b->used && b->type == type && b->addr == addr && (type <= GDB_BP_HW || b->len == len))
			return b;
	}
	return NULL;
}

/* RAM as KVM sees it: unmapped where a DBG_HOLE breakpoint is (but for
 * a vCPU stepping through it), read-only where a DBG_PAGE watch is. Only
 * called while every vCPU is parked (gdb inserts and removes when stopped). */
static int remap_locked(struct vm_debug *d)
{
	struct vm_page pages[VM_MAX_OWN_PAGES];
	int n = 0;
	bool holes = false;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < MAX_BPS; i++) {
			const struct dbg_bp *b = &d->bps[i];
			if (!b->used || b->how != (pass ? DBG_PAGE : DBG_HOLE))
				continue;
			if (n == VM_MAX_OWN_PAGES)
				return -ENOSPC;
			uint64_t page = b->gpa & ~0xfffull;
			enum vm_page_map map = pass ? VM_PAGE_RO : VM_PAGE_NONE;
			for (int k = 0; k < d->vm->nr_vcpus && !pass; k++)
				if (d->cpus[k].hole_open && d->cpus[k].hole_page == page)
					map = page_watched(d, page) ? VM_PAGE_RO : VM_PAGE_RW;
			holes |= !pass;
			pages[n++] = (struct vm_page){ .gpa = b->gpa, .map = map };
		}
	/* a fetch from an unmapped page must exit at CPL 3 as well */
	if (holes != d->emul_exit && vm_exit_on_emulation_failure(d->vm, holes) == 0)
		d->emul_exit = holes;
	if (holes && !d->emul_exit)
		return -EOPNOTSUPP;
	/* Each change of KVM's memory slots makes it drop its mappings of
	 * the guest's memory (KVM API, KVM_SET_USER_MEMORY_REGION): a layout
	 * that did not change is not laid out again. */
	if (n == d->nr_layout && !memcmp(pages, d->layout, (size_t)n * sizeof(pages[0])))
		return 0;
	int r = vm_map_ram(d->vm, pages, n);
	d->nr_layout = r == 0 ? n : -1;
	if (r == 0)
		memcpy(d->layout, pages, (size_t)n * sizeof(pages[0]));
	return r;
}

/* A guest write to a read-only page (done already): compare watches. */
static void on_ram_write(struct vcpu *cpu, uint64_t gpa, uint64_t len)
{
	struct vm_debug *d = cpu->vm->dbg;
	pthread_mutex_lock(&d->vm->pause_lock);
	for (int i = 0; i < MAX_BPS; i++) {
		struct dbg_bp *b = &d->bps[i];
		if (!b->used || b->how != DBG_PAGE || gpa >= b->gpa + b->len || b->gpa >= gpa + len)
			continue;
		const uint8_t *now = vm_gpa(d->vm, b->gpa, b->len);
		if (now && memcmp(now, b->snap, b->len)) {
			memcpy(b->snap, now, b->len);
			record_event_locked(d, cpu, GDB_STOP_WATCH, SIGTRAP_GDB, b->addr);
			break;
		}
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
}

/* An address the guest has not mapped (yet) that lies in a segment the
 * loader put in RAM: where that code is. A higher-half kernel's
 * breakpoints can so be planted before it turns paging on. */
static int image_phys(struct vm *vm, uint64_t la, uint64_t *gpa)
{
	for (int i = 0; i < vm->nr_images; i++) {
		const struct image *img = &vm->images[i];
		for (int k = 0; k < img->nr_segs; k++) {
			const struct image_seg *sg = &img->segs[k];
			if (la >= sg->vaddr && la - sg->vaddr < sg->size &&
			    vm_gpa(vm, sg->paddr + (la - sg->vaddr), 1)) {
				*gpa = sg->paddr + (la - sg->vaddr);
				return 0;
			}
		}
	}
	return -EFAULT;
}

/* A page the page tables open to user mode (U/S set at every level, SDM
 * vol. 3A, 4.6), as a vCPU with these control registers sees it. */
static bool user_page(struct vm *vm, const struct kvm_sregs *sr, uint64_t la)
{
	if (!(sr->cr0 & X86_CR0_PG))
		return false;
	struct mmu_ctx m = {
		.cr0 = sr->cr0, .cr3 = sr->cr3, .cr4 = sr->cr4, .efer = sr->efer,
		.read_phys = vcpu_read_phys, .opaque = vm,
	};
	struct mmu_walk w;
	uint64_t pa, left;
	if (mmu_translate(&m, la, &pa, &left, &w) < 0)
		return false;
	bool user = w.nr_steps > 0;
	for (int k = 0; k < w.nr_steps; k++)
		/* PAE's PDPTEs have no U/S bit (SDM vol. 3A, 4.4.1) */
		if (strcmp(w.steps[k].level, "PDPTE"))
			user &= (w.steps[k].entry >> 2) & 1;
	return user;
}

/* A breakpoint in a user-mode page by unmapping that page in KVM: every
 * fetch from it exits (an emulation failure, even at CPL 3 with
 * KVM_CAP_EXIT_ON_EMULATION_FAILURE), at pc or not. For user pages only:
 * a kernel page may hold what the CPU itself reads (descriptor tables,
 * page tables), which cannot come from an unmapped page. */
static int hole_locked(struct vm_debug *d, int cpu, struct dbg_bp *b)
{
	struct vm *vm = d->vm;
	uint64_t left;
	int r = ensure_state(vm, cpu);
	if (r < 0)
		return r;
	if (!vm->caps.emul_exit || !vm->caps.single_step || !user_page(vm, &d->cpus[cpu].sregs, b->addr) ||
	    vcpu_translate_sregs(vm, &d->cpus[cpu].sregs, b->addr, &b->gpa, &left) < 0 ||
	    !vm_gpa(vm, b->gpa, 1))
		return -EOPNOTSUPP;
	b->how = DBG_HOLE;
	b->used = true;
	if ((r = remap_locked(d)) < 0) {
		b->used = false;
		remap_locked(d);
	}
	return r;
}

/* Plants `n` bytes at linear `addr` (as `cpu` translates it), keeping
 * what they replace; a trap that a parked vCPU stands inside is written
 * once that vCPU has stepped out of it (arm_locked). */
static int plant_locked(struct vm_debug *d, int cpu, struct dbg_bp *b, const uint8_t *bytes,
			unsigned n)
{
	struct vm *vm = d->vm;
	uint8_t *p[2];
	int r = ensure_state(vm, cpu);
	if (r < 0)
		return r;
	for (unsigned k = 0; k < n; k++) {
		uint64_t left;
		if ((vcpu_translate_sregs(vm, &d->cpus[cpu].sregs, b->addr + k, &b->pgpa[k], &left) < 0 ||
		     !vm_gpa(vm, b->pgpa[k], 1)) &&
		    image_phys(vm, b->addr + k, &b->pgpa[k]) < 0)
			return -EFAULT;
		p[k] = vm_gpa(vm, b->pgpa[k], 1);
	}
	/* `out` at CPL 3 faults in the guest (#GP) instead of leaving KVM_RUN,
	 * so a trap goes only where ring 0 runs */
	if (n > 1 && user_page(vm, &d->cpus[cpu].sregs, b->addr))
		return -EPERM;
	for (int i = 0; i < vm->nr_vcpus; i++)
		if (!d->cpus[i].gone && (r = ensure_state(vm, i)) < 0)
			return r;
	for (unsigned k = 0; k < n; k++) {
		b->saved[k] = *p[k];
		b->plant[k] = bytes[k];
	}
	b->nplant = n;
	b->armed = false;
	arm_locked(d, b, UINT64_MAX);
	return 0;
}

static bool dr_len_ok(uint64_t addr, uint64_t len)
{
	return (len == 1 || len == 2 || len == 4 || len == 8) && !(addr & (len - 1));
}

int debug_insert(struct vm *vm, int cpu, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	struct vm_debug *d = vm->dbg;
	int r = 0;

	if (cpu < 0 || cpu >= vm->nr_vcpus)
		return -EINVAL;
	if (type > GDB_WP_ACCESS)
		return -EOPNOTSUPP;
	if (type >= GDB_WP_WRITE && (len == 0 || len > WATCH_MAX))
		return -EINVAL;
	pthread_mutex_lock(&d->vm->pause_lock);
	if (find_bp(d, type, addr, len)) /* gdb may insert twice; once is enough */
		goto out;
	struct dbg_bp *b = NULL;
	for (int i = 0; i < MAX_BPS && !b; i++)
		if (!d->bps[i].used)
			b = &d->bps[i];
	if (!b) {
		r = -ENOSPC;
		goto out;
	}
	*b = (struct dbg_bp){ .type = type, .addr = addr, .len = len };
	int dr = free_dr(d);
	switch (type) {
	case GDB_BP_SW:
	case GDB_BP_HW:
		/* Z0: int3 where KVM intercepts it; Z0 and Z1: else a debug
		 * register, else a port-I/O trap in ring-0 code, else an
		 * unmapped page in user code, else stepping */
		if (type == GDB_BP_SW && vm->caps.sw_bp) {
			static const uint8_t int3[] = { 0xcc };
			r = plant_locked(d, cpu, b, int3, 1);
			if (r < 0)
				goto out;
			b->how = DBG_INT3;
		} else if (vm->caps.hw_bp && dr >= 0) {
			b->how = DBG_DR;
			b->dr = dr;
		} else if (plant_locked(d, cpu, b, (const uint8_t[]){ 0xe6, DBG_TRAP_PORT }, 2) == 0) {
			/* faster than stepping: the guest runs at full speed until
			 * it reaches the trap */
			b->how = DBG_TRAP;
		} else if (hole_locked(d, cpu, b) == 0) {
			/* user code, where a trap cannot go: full speed outside
			 * the breakpoint's page, stepping inside it */
		} else if (vm->caps.single_step) {
			b->how = DBG_STEP;
		} else {
			r = -EOPNOTSUPP;
			goto out;
		}
		break;
	case GDB_WP_WRITE:
	case GDB_WP_READ:
	case GDB_WP_ACCESS:
		/* Z2-Z4 by debug registers where data breakpoints fire; Z2 else by
		 * stepping and comparing the watched bytes; reads cannot be seen
		 * that way */
		if (vm->caps.hw_wp && dr >= 0 && dr_len_ok(addr, len)) {
			b->how = DBG_DR;
			b->dr = dr;
		} else if (type == GDB_WP_WRITE && (vm->caps.ro_mem || vm->caps.single_step)) {
			/* the watched bytes are followed at the physical address they
			 * have now: one translation here, then a compare after each
			 * write to their page (read-only to KVM) or after each step */
			uint64_t left;
			uint8_t *p = NULL;
			r = ensure_state(vm, cpu);
			if (r == 0 && vcpu_translate_sregs(vm, &d->cpus[cpu].sregs, addr, &b->gpa, &left) == 0 &&
			    left >= len)
				p = vm_gpa(vm, b->gpa, len);
			if (!p) {
				r = left < len ? -EINVAL : -EFAULT;
				goto out;
			}
			memcpy(b->snap, p, len);
			b->how = DBG_STEP;
			if (vm->caps.ro_mem && (b->gpa >> 12) == ((b->gpa + len - 1) >> 12)) {
				b->how = DBG_PAGE;
				b->used = true;
				if (remap_locked(d) < 0) {
					b->how = DBG_STEP;
					remap_locked(d);
				}
			}
		} else if (vm->caps.hw_wp && dr_len_ok(addr, len)) {
			r = -ENOSPC;
			goto out;
		} else {
			r = -EOPNOTSUPP;
			goto out;
		}
		break;
	}
	b->used = true;
out:
	pthread_mutex_unlock(&d->vm->pause_lock);
	return r;
}

int debug_remove(struct vm *vm, int cpu, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	struct vm_debug *d = vm->dbg;
	(void)cpu;
	pthread_mutex_lock(&d->vm->pause_lock);
	struct dbg_bp *b = find_bp(d, type, addr, len);
	if (b) {
		bool page = b->how == DBG_PAGE;
		remove_bp_locked(d, b);
		if (page)
			remap_locked(d);
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	return b ? 0 : -ENOENT;
}

void debug_shadow_read(struct vm *vm, uint64_t gpa, void *buf, size_t len)
{
	struct vm_debug *d = vm->dbg;
	pthread_mutex_lock(&d->vm->pause_lock);
	for (int i = 0; i < MAX_BPS; i++) {
		struct dbg_bp *b = &d->bps[i];
		/* a byte the guest has overwritten since (self-modifying code)
		 * is shown as it is now */
		for (unsigned k = 0; b->used && b->armed && k < b->nplant; k++)
			if (b->pgpa[k] >= gpa && b->pgpa[k] - gpa < len &&
			    ((uint8_t *)buf)[b->pgpa[k] - gpa] == b->plant[k])
				((uint8_t *)buf)[b->pgpa[k] - gpa] = b->saved[k];
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
}

void debug_shadow_write(struct vm *vm, uint64_t gpa, const void *buf, size_t len)
{
	struct vm_debug *d = vm->dbg;
	pthread_mutex_lock(&d->vm->pause_lock);
	for (int i = 0; i < MAX_BPS; i++) {
		struct dbg_bp *b = &d->bps[i];
		for (unsigned k = 0; b->used && k < b->nplant; k++)
			if (b->pgpa[k] >= gpa && b->pgpa[k] - gpa < len) {
				b->saved[k] = ((const uint8_t *)buf)[b->pgpa[k] - gpa];
				if (b->armed)
					*(uint8_t *)vm_gpa(vm, b->pgpa[k], 1) = b->plant[k];
			}
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
}

int debug_describe(struct vm *vm, char *out, size_t len)
{
	struct vm_debug *d = vm->dbg;
	const struct host_caps *c = &vm->caps;
	static const char *const how[] = {
		[DBG_INT3] = "int3", [DBG_DR] = "debug register", [DBG_STEP] = "single-stepping",
		[DBG_TRAP] = "port-I/O trap", [DBG_PAGE] = "read-only page",
		[DBG_HOLE] = "unmapped page",
	};
	static const char *const tname[] = { "Z0 break", "Z1 hbreak", "Z2 watch", "Z3 rwatch", "Z4 awatch" };
	size_t n = 0;

#define ADD(...) (n += (size_t)snprintf(out + n, n < len ? len - n : 0, __VA_ARGS__))
	ADD("host KVM: %s\n", c->is_pvm ? "kvm-pvm (no 32-bit paging, no protected-mode interrupts)" : "KVM");
	ADD("  single-step: %s; intercepted int3: %s; execution breakpoints: %s; data breakpoints: %s\n",
	    c->single_step ? "yes" : "no", c->sw_bp ? "yes" : "no", c->hw_bp ? "yes" : "no",
	    c->hw_wp ? "yes" : "no");
	ADD("  block interrupts while stepping: %s (monitor sstep irq %s)\n",
	    c->blockirq ? "available" : "not available", d->sstep_irq ? "on" : "off");
	ADD("strategies: Z0 by %s; Z1 by %s; Z2 by %s; Z3/Z4 %s\n",
	    c->sw_bp ? "int3" : c->hw_bp ? "debug register, then port-I/O trap" : "port-I/O trap",
	    c->hw_bp ? "debug register, then port-I/O trap" : "port-I/O trap",
	    c->hw_wp ? "debug register, then single-stepping"
	    : c->ro_mem ? "a read-only page and comparing bytes on each write to it"
	    : "single-stepping and comparing bytes",
	    c->hw_wp ? "by debug register" : "not available (no data breakpoints on this host)");
	/* where the port trap cannot go: code pages open to user mode */
	if (!c->sw_bp && c->emul_exit && c->single_step)
		ADD("  in user-mode pages: Z0 and Z1 by an unmapped page where they would be a trap or stepping\n");
	if (!c->sw_bp)
		ADD("  single-stepping only where nothing else can go (no debug register left, "
		    "a trap that cannot be written, a user page without exits on fetches)\n");
	pthread_mutex_lock(&d->vm->pause_lock);
	int k = 0;
	for (int i = 0; i < MAX_BPS; i++) {
		const struct dbg_bp *b = &d->bps[i];
		if (!b->used)
			continue;
		ADD("  %s at 0x%llx", tname[b->type], (unsigned long long)b->addr);
		if (b->type >= GDB_WP_WRITE)
			ADD(" len %llu", (unsigned long long)b->len);
		ADD(": %s", how[b->how]);
		if (b->how == DBG_DR)
			ADD(" DR%d", b->dr);
		ADD("\n");
		k++;
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	if (!k)
		ADD("  no breakpoints or watchpoints\n");
#undef ADD
	return n < len ? (int)n : (int)len - 1;
}

static const struct vm_hooks debug_hooks = {
	.debug_exit = on_debug_exit,
	.io = on_io,
	.io_step = on_io_step,
	.emulation_failure = on_emulation_failure,
	.ram_write = on_ram_write,
	.fault = on_fault,
	.park_begin = on_park_begin,
	.parked = on_parked,
	.unparked = on_unparked,
	.ended = on_ended,
};
