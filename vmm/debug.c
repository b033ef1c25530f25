/* vmm/debug.c: the debug engine: its hooks on the vCPU core, the all-stop handshake, pending events, resume and attach. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/dbg.h"
#include "vmm/x86_regs.h"
#include "vmm/x86mmu.h"

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
	d->stop_signal = DBG_SIGTRAP;
	for (int i = 0; i < vm->nr_vcpus; i++) {
		d->cpus[i].action = start_stopped ? GDB_RESUME_NONE : GDB_RESUME_CONT;
		if (start_stopped)
			atomic_store(&vm->vcpus[i].stop_req, true);
	}
	d->stopping = start_stopped;
	vm->dbg = d;
	dbg_ladders_init(d);
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

struct vcpu_debug *dbg_cpu(struct vcpu *cpu)
{
	return &cpu->vm->dbg->cpus[cpu->index];
}

static bool machine_gone_locked(struct vm_debug *d);

/* Tell the stub a stop is ready. Nobody is told while no client is
 * attached (a -S machine waits parked for the first one), except that the
 * machine is gone. */
static void signal_stop_locked(struct vm_debug *d)
{
	uint64_t one = 1;
	if (!d->attached && !machine_gone_locked(d))
		return;
	if (d->signalled)
		return;
	if (d->defer_signal)
		d->signalled = d->signal_due = true;
	else if (write(d->efd, &one, sizeof(one)) == sizeof(one))
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

void dbg_record_event_locked(struct vm_debug *d, struct vcpu *cpu, enum gdb_stop_kind kind,
			     int sig, uint64_t addr)
{
	struct vcpu_debug *c = dbg_cpu(cpu);
	c->has_event = true;
	c->event_seq = ++d->seq;
	c->event = (struct gdb_stop){ .kind = kind, .cpu = cpu->index, .signal = sig, .addr = addr };
	atomic_store(&cpu->stop_req, true);
	request_stop_locked(d);
}

/* What KVM_SET_GUEST_DEBUG should say for this vCPU now, applied only
 * when it changed (each vCPU ioctl costs microseconds). Runs on the vCPU's
 * own thread. */
void dbg_apply_locked(struct vm_debug *d, struct vcpu *cpu)
{
	struct vcpu_debug *c = dbg_cpu(cpu);
	struct kvm_guest_debug g = { 0 };
	int masked = -1;

	if (c->step_over) {
		for (int i = 0; i < DBG_MAX_BPS; i++)
			if (d->bps[i].used && d->bps[i].how == DBG_DR && d->bps[i].type <= GDB_BP_HW &&
			    d->bps[i].addr == x86_regs_linear_pc(&c->regs, &c->sregs))
				masked = d->bps[i].dr;
	}
	/* stepping through a DBG_HOLE page goes on after a detach: the trap
	 * flag it set may be in a frame the guest saved (an interrupt, a
	 * system call) and must come back here, not to the guest */
	if (d->attached || c->action == GDB_RESUME_STEP || c->hole_open) {
		dbg_dr_config(d, &g, masked);
		bool step = c->action == GDB_RESUME_STEP || c->step_over || c->hole_open ||
			    (c->action == GDB_RESUME_CONT && dbg_any(d, DBG_STEP));
		if (g.arch.debugreg[7])
			g.control |= KVM_GUESTDBG_USE_HW_BP;
		if (dbg_any(d, DBG_INT3))
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
	/* a stepping vCPU needs them at every exit */
	vcpu_sync_sregs(cpu, g.control & KVM_GUESTDBG_SINGLESTEP);
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
	struct vcpu_debug *c = dbg_cpu(cpu);
	if (c->rewind) {
		/* the trap's `out` is done inside KVM: back to the breakpoint */
		if (vcpu_set_rip(cpu, c->rewind_rip) == 0)
			c->rewind = false;
	}
}

static void on_parked(struct vcpu *cpu, bool again)
{
	struct vm_debug *d = cpu->vm->dbg;
	struct vcpu_debug *c = dbg_cpu(cpu);
	if (again) {
		check_stopped_locked(d);
		return;
	}
	/* on a refusal the debugger asks KVM again (dbg_ensure_state) */
	c->state_ok = vcpu_get_state(cpu, &c->regs, &c->sregs) == 0;
	c->fpu_ok = false;
	/* The stub is told once the core has let go of the lock: woken
	 * under it, the stub would at once wait for it (two more context
	 * switches on one CPU) */
	d->defer_signal = true;
	check_stopped_locked(d);
	d->defer_signal = false;
	c->tell = d->signal_due;
	c->tell_here = d->ran_one;
	d->signal_due = false;
}

/* Parked, the lock let go: the stop this vCPU completed is told, served
 * on this very thread where the stub can (no hand-off to the stub's
 * thread and back: docs/performance.md), else through efd. Served here
 * only after a resume that ran one vCPU (a step, or a machine of one):
 * after one that ran several, the vCPU that serves would go on with its
 * guest while the ones its resume woke wait for a CPU it shares with them
 * (in the lane, a `c` to a breakpoint on 2 busy vCPUs took 3 times as
 * long). Only this vCPU's thread reads or writes its `tell`. */
struct stopped_vcpu {
	struct vcpu *cpu;
	unsigned unparks; /* when its stop began */
};

/* Not stop_req: a resume, then a breakpoint elsewhere, asks this vCPU to
 * stop again before its thread has left the stub; that thread must go
 * back and park for the new stop to complete. */
static bool still_stopped(void *arg)
{
	const struct stopped_vcpu *v = arg;
	return atomic_load(&v->cpu->unparks) == v->unparks && !atomic_load(&v->cpu->vm->exiting);
}

static void on_parked_unlocked(struct vcpu *cpu)
{
	struct vm_debug *d = cpu->vm->dbg;
	struct vcpu_debug *c = dbg_cpu(cpu);
	struct stopped_vcpu v = { .cpu = cpu, .unparks = atomic_load(&cpu->unparks) };
	uint64_t one = 1;
	if (!c->tell)
		return;
	c->tell = false;
	if (c->tell_here && d->tell_here && d->tell_here(d->tell_ctx, still_stopped, &v))
		return;
	if (write(d->efd, &one, sizeof(one)) != sizeof(one)) {
		/* an eventfd's counter does not overflow here: one write a stop */
	}
}

static void on_unparked(struct vcpu *cpu)
{
	dbg_cpu(cpu)->state_ok = false;
	if (!atomic_load(&cpu->vm->exiting))
		dbg_apply_locked(cpu->vm->dbg, cpu);
}

/* Hooks on the core's exits (struct vm_hooks, vmm/vm.h). */

/* A KVM_EXIT_DEBUG: a step, a debug register or an int3, ours or the guest's. */
static void on_debug_exit(struct vcpu *cpu)
{
	struct vm_debug *d = cpu->vm->dbg;
	struct vcpu_debug *c = dbg_cpu(cpu);
	uint32_t exc = cpu->run->debug.arch.exception;
	uint64_t dr6 = cpu->run->debug.arch.dr6;
	uint64_t pc = cpu->run->debug.arch.pc;

	pthread_mutex_lock(&d->vm->pause_lock);
	if (exc == 1 && (dr6 & X86_DR6_BS) && c->hole_open && dbg_hole_stepped_locked(d, cpu, pc)) {
		pthread_mutex_unlock(&d->vm->pause_lock);
		return;
	}
	if (exc == 1 && (dr6 & X86_DR6_BS)) {
		if (c->step_over) {
			/* off the breakpoint; a trap this vCPU stood inside is
			 * written now, or it steps again if it is still inside */
			c->step_over = dbg_arm_waiting_locked(d, pc);
			dbg_apply_locked(d, cpu);
		} else if (c->action == GDB_RESUME_STEP) {
			dbg_record_event_locked(d, cpu, GDB_STOP_SIGNAL, DBG_SIGTRAP, 0);
		} else if (!dbg_step_check_locked(d, cpu, pc)) {
			/* nothing hit: the next step follows on re-entry, with
			 * interrupts let in only for a hlt */
			uint8_t insn = 0;
			bool hlt = vcpu_read_linear(cpu, pc, &insn, 1) == 0 && insn == 0xf4;
			if (hlt != c->at_hlt) {
				c->at_hlt = hlt;
				dbg_apply_locked(d, cpu);
			}
		}
	} else if (exc == 1 && (dr6 & 0xf)) {
		dbg_dr_hit_locked(d, cpu, dr6, pc);
	} else if (exc == 3) {
		dbg_int3_hit_locked(d, cpu, pc);
	} else {
		c->inject = exc == 3 ? KVM_GUESTDBG_INJECT_BP : KVM_GUESTDBG_INJECT_DB;
		dbg_apply_locked(d, cpu);
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
}

/* A stepping vCPU's lone I/O access is finished and its step reported
 * by the core (vmm/vcpu.c, finish_io_step): whether it steps is ours. */
static bool on_io_step(struct vcpu *cpu)
{
	return dbg_cpu(cpu)->applied.control & KVM_GUESTDBG_SINGLESTEP;
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
		dbg_record_event_locked(d, cpu, GDB_STOP_FAULT, sig, 0);
		snprintf(dbg_cpu(cpu)->event.text, sizeof(dbg_cpu(cpu)->event.text), "%s", text);
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	return take;
}

/* This vCPU's thread is ending (guest finished, faulted or machine ending). */
static void on_ended(struct vcpu *cpu)
{
	struct vm_debug *d = cpu->vm->dbg;
	pthread_mutex_lock(&d->vm->pause_lock);
	dbg_cpu(cpu)->gone = true;
	check_stopped_locked(d);
	pthread_mutex_unlock(&d->vm->pause_lock);
}

/* ---- the target side ------------------------------------------------------ */

int debug_event_fd(struct vm *vm)
{
	return vm->dbg->efd;
}

void debug_set_teller(struct vm *vm, bool (*tell)(void *ctx, bool (*stopped)(void *arg), void *arg),
		      void *ctx)
{
	vm->dbg->tell_here = tell;
	vm->dbg->tell_ctx = ctx;
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
		stop->status = vm_exit_status_locked(vm);
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
	bool stepping = false;
	int nr_run = 0;

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
		nr_run += eff[i] != GDB_RESUME_NONE;
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
	d->ran_one = nr_run == 1;
	if (!nr_run) {
		/* nothing can run: report a stop at once */
		signal_stop_locked(d);
		pthread_mutex_unlock(&d->vm->pause_lock);
		return 0;
	}
	d->stopped = false;
	d->stop_signal = DBG_SIGTRAP;
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
			for (int j = 0; j < DBG_MAX_BPS; j++)
				c->step_over |= d->bps[j].used &&
						(((d->bps[j].how == DBG_DR || d->bps[j].how == DBG_HOLE) &&
						  d->bps[j].type <= GDB_BP_HW && d->bps[j].addr == pc) ||
						 (d->bps[j].how == DBG_TRAP && !d->bps[j].armed &&
						  dbg_inside_trap(&d->bps[j], pc)));
		}
		vcpu_unpark(&vm->vcpus[i]);
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	vcpu_wake_unparked(vm);
	return 0;
}

int debug_interrupt(struct vm *vm)
{
	struct vm_debug *d = vm->dbg;
	pthread_mutex_lock(&d->vm->pause_lock);
	if (!d->stopped) {
		d->stop_signal = DBG_SIGINT;
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
		d->stop_signal = DBG_SIGTRAP;
		request_stop_locked(d);
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	return 0;
}

void debug_detach(struct vm *vm)
{
	struct vm_debug *d = vm->dbg;
	enum gdb_resume_action all[VM_MAX_VCPUS];

	pthread_mutex_lock(&d->vm->pause_lock);
	bool had_page = dbg_any(d, DBG_PAGE) || dbg_any(d, DBG_HOLE);
	for (int i = 0; i < DBG_MAX_BPS; i++)
		if (d->bps[i].used)
			dbg_remove_locked(d, &d->bps[i]);
	/* memory slots change only if a page was read-only or unmapped */
	if (had_page)
		dbg_remap_locked(d);
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

static const struct vm_hooks debug_hooks = {
	.debug_exit = on_debug_exit,
	.io = dbg_trap_io,
	.io_step = on_io_step,
	.emulation_failure = dbg_hole_fetch,
	.ram_write = dbg_page_write,
	.fault = on_fault,
	.park_begin = on_park_begin,
	.parked = on_parked,
	.parked_unlocked = on_parked_unlocked,
	.unparked = on_unparked,
	.ended = on_ended,
};
