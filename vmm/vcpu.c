/* vmm/vcpu.c: one vCPU's thread: its KVM_RUN loop, the exit-reason table, faults, kicks and parking. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/console.h"
#include "vmm/vm.h"
#include "vmm/x86_regs.h"
#include "vmm/x86mmu.h"

#define SIG_KICK SIGUSR1

enum exit_action {
	EXIT_CONTINUE,
	EXIT_RETRY,     /* run the same handler again before re-entering the guest */
	EXIT_FINISHED,  /* this guest ended */
	EXIT_STOP_VM,   /* the machine is ending (vm->exit_status is set) */
};

/* Before KVM_RUN: push modified registers (no sync-regs host), drop caches. */
static int flush_regs(struct vcpu *cpu)
{
	if (cpu->regs_dirty && ioctl(cpu->fd, KVM_SET_REGS, &cpu->regs) < 0)
		return -errno;
	cpu->regs_dirty = false;
	cpu->regs_valid = cpu->sregs_valid = false;
	return 0;
}

/* Make the vCPU leave KVM_RUN (or a blocking device wait) and look at its
 * requests. Order matters: the request first, then immediate_exit, then
 * the signal, so a vCPU that misses the signal still sees immediate_exit
 * and one that clears immediate_exit after an EINTR still sees stop_req. */
static __thread struct vcpu *this_vcpu; /* the vCPU this thread runs, if any */

void vcpu_kick(struct vcpu *cpu)
{
	atomic_store(&cpu->stop_req, true);
	/* its own thread (a debug exit's stop) is not in KVM_RUN and looks
	 * at stop_req before the next one: no signal to itself */
	if (this_vcpu == cpu)
		return;
	if (cpu->run)
		__atomic_store_n(&cpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&cpu->vm->kick_lock);
	if (cpu->thread_started)
		pthread_kill(cpu->thread, SIG_KICK);
	pthread_mutex_unlock(&cpu->vm->kick_lock);
	console_wake(cpu->vm->con);
}

/* ---- faults -------------------------------------------------------------- */

/* On kvm-pvm two things end in SHUTDOWN or an emulation failure that run
 * fine on hardware KVM (docs/testing.md): turning on paging outside
 * long mode, and delivering an interrupt or exception in protected mode.
 * Say so instead of blaming the guest. */
static const char *host_limit(struct vcpu *cpu, const struct kvm_sregs *s,
			      const struct kvm_regs *r, uint64_t la)
{
	uint8_t insn[3] = { 0 };

	if (!cpu->vm->caps.is_pvm || !(s->cr0 & X86_CR0_PE))
		return NULL;
	if (vcpu_read_linear(cpu, la, insn, sizeof(insn)) == 0 && insn[0] == 0x0f &&
	    insn[1] == 0x22 && ((insn[2] >> 3) & 7) == 0 && (insn[2] >> 6) == 3) {
		/* mov %reg,%cr0: which register (ModRM rm, SDM vol. 2, table 2-2) */
		static const size_t gpr[8] = {
			offsetof(struct kvm_regs, rax), offsetof(struct kvm_regs, rcx),
			offsetof(struct kvm_regs, rdx), offsetof(struct kvm_regs, rbx),
			offsetof(struct kvm_regs, rsp), offsetof(struct kvm_regs, rbp),
			offsetof(struct kvm_regs, rsi), offsetof(struct kvm_regs, rdi),
		};
		uint64_t v;
		memcpy(&v, (const char *)r + gpr[insn[2] & 7], 8);
		if ((v & X86_CR0_PG) && !(s->efer & X86_EFER_LME))
			return "this host's KVM (kvm-pvm) cannot run 32-bit paging; "
			       "run it on a host with hardware KVM (docs/testing.md)";
	}
	if (!(s->efer & X86_EFER_LMA) || (s->cs.dpl == 0))
		return "this host's KVM (kvm-pvm) cannot deliver interrupts or exceptions in "
		       "protected mode; run it on a host with hardware KVM (docs/testing.md)";
	return NULL;
}

/* The fault's one line ends the machine with `status`; with gdb attached
 * the machine stops instead and gdb is told (as signal `sig`). */
static enum exit_action end_with_fault(struct vcpu *cpu, const char *line, int status, int sig)
{
	struct vm *vm = cpu->vm;

	if (vm->hooks && vm->hooks->fault(cpu, line, status, sig))
		return EXIT_CONTINUE;
	pthread_mutex_lock(&vm->lock);
	if (!vm->fault_line[0])
		snprintf(vm->fault_line, sizeof(vm->fault_line), "%s", line);
	pthread_mutex_unlock(&vm->lock);
	atomic_store(&cpu->state, VCPU_FAULTED);
	vm_request_exit(vm, status);
	return EXIT_STOP_VM;
}

static enum exit_action fault(struct vcpu *cpu, const char *what, int status)
{
	struct vm *vm = cpu->vm;
	struct kvm_regs r = *vcpu_regs(cpu);
	struct kvm_sregs s = *vcpu_sregs(cpu);
	char where[96];
	uint64_t ip = r.rip, la;

	if (!(s.cr0 & X86_CR0_PE)) {
		ip &= 0xffff;
		snprintf(where, sizeof(where), "CS:IP %04x:%04llx", s.cs.selector, (unsigned long long)ip);
	} else if (s.efer & X86_EFER_LMA && s.cs.l) {
		snprintf(where, sizeof(where), "CS:RIP %04x:%016llx", s.cs.selector, (unsigned long long)ip);
	} else {
		ip &= 0xffffffff;
		snprintf(where, sizeof(where), "CS:EIP %04x:%08llx", s.cs.selector, (unsigned long long)ip);
	}
	la = x86_regs_linear_pc(&r, &s);
	/* KVM on AMD resets the vCPU when it shuts down (SVM intercepts the
	 * shutdown and re-initialises the VMCB): its registers are then the
	 * reset vector, not where the guest was (AMD APM vol. 2, 15.10). */
	if (status == VM_STATUS_TRIPLE_FAULT && s.cs.selector == 0xf000 &&
	    s.cs.base == 0xffff0000 && (r.rip & 0xffff) == 0xfff0) {
		char line[sizeof(vm->fault_line)];
		snprintf(line, sizeof(line),
			 "vCPU %d (%s): triple fault at an unknown location (this KVM resets the vCPU "
			 "on shutdown)", cpu->index, cpu->image->name);
		return end_with_fault(cpu, line, status, 11);
	}
	/* gdb hears of an emulation failure as SIGILL, of the rest as SIGSEGV */
	int sig = status == VM_STATUS_EMULATION ? 4 : 11;
	const char *why = status == VM_STATUS_TRIPLE_FAULT || status == VM_STATUS_EMULATION
				  ? host_limit(cpu, &s, &r, la) : NULL;
	if (why)
		status = VM_STATUS_HOST_LACKS;

	char line[sizeof(vm->fault_line)];
	snprintf(line, sizeof(line), "vCPU %d (%s): %s in %s at %s (linear 0x%llx)%s%s", cpu->index,
		 cpu->image->name, what, vcpu_mode_name(&s), where, (unsigned long long)la,
		 why ? ": " : "", why ? why : "");
	return end_with_fault(cpu, line, status, sig);
}

/* ---- pending I/O and parking ---------------------------------------------- */

/* Finish an I/O exit inside KVM without running guest code (KVM API,
 * "kvm_run": immediate_exit completes pending operations). KVM_RUN's
 * result. */
static int complete_io(struct vcpu *cpu)
{
	__atomic_store_n(&cpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	int r = ioctl(cpu->fd, KVM_RUN, 0);
	__atomic_store_n(&cpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	cpu->io_pending = false;
	cpu->sync_fresh = true; /* KVM stores the sync regs on every return */
	/* no guest instruction ran: the segment and control registers are
	 * those of the exit (an I/O completion writes only general
	 * registers and memory) */
	return r;
}

/* Under nested SVM (the VM lane: KVM inside QEMU TCG) KVM loses the
 * single-step trap of an instruction whose port I/O went to userspace
 * once it finishes that I/O, and the vCPU runs on: a `stepi` over a
 * hypercall ran the guest to its end. So a stepping vCPU's I/O is
 * finished here (immediate_exit: KVM API, "kvm_run"), and the step is
 * reported as KVM reports it (KVM_EXIT_DEBUG) or, where it did not, as
 * done: the instruction is complete and rip is past it. */
static void finish_io_step(struct vcpu *cpu)
{
	int r = complete_io(cpu);
	if (r == 0 && cpu->run->exit_reason != KVM_EXIT_DEBUG)
		return; /* not a lone access after all: nothing to report */
	if (r < 0) {
		cpu->run->exit_reason = KVM_EXIT_DEBUG;
		cpu->run->debug.arch.exception = 1;
		cpu->run->debug.arch.dr6 = X86_DR6_BS;
		cpu->run->debug.arch.pc = x86_regs_linear_pc(vcpu_regs(cpu), vcpu_sregs(cpu));
	}
	cpu->vm->hooks->debug_exit(cpu);
}

/* The vCPU was asked to stop with a debugger there: wait until it is
 * unparked (vcpu_unpark) or the machine ends. */
static void park(struct vcpu *cpu)
{
	struct vm *vm = cpu->vm;
	const struct vm_hooks *h = vm->hooks;

	if (cpu->io_pending && !cpu->retry)
		complete_io(cpu);
	h->park_begin(cpu);
	pthread_mutex_lock(&vm->pause_lock);
	cpu->parked = true;
	h->parked(cpu, false);
	pthread_mutex_unlock(&vm->pause_lock);
	h->parked_unlocked(cpu);
	pthread_mutex_lock(&vm->pause_lock);
	while (atomic_load(&cpu->stop_req) && !atomic_load(&vm->exiting)) {
		/* unparked and stopped again before this thread woke (or
		 * while the lock was let go above): it never ran, it parks
		 * again */
		if (!cpu->parked) {
			cpu->parked = true;
			h->parked(cpu, true);
		}
		pthread_cond_wait(&vm->pause_cond, &vm->pause_lock);
	}
	cpu->parked = false;
	h->unparked(cpu);
	pthread_mutex_unlock(&vm->pause_lock);
	__atomic_store_n(&cpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
}

void vcpu_unpark(struct vcpu *cpu)
{
	/* no longer parked from now on, even before its thread wakes: a
	 * stop requested meanwhile must wait for it (all-stop) */
	cpu->parked = false;
	atomic_store(&cpu->stop_req, false);
	atomic_fetch_add(&cpu->unparks, 1);
}

void vcpu_wake_unparked(struct vm *vm)
{
	pthread_cond_broadcast(&vm->pause_cond);
}

/* ---- exit handlers: one row per KVM exit reason --------------------------- */

static enum exit_action on_io(struct vcpu *cpu)
{
	struct kvm_run *run = cpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	unsigned size = run->io.size;
	bool write = run->io.direction == KVM_EXIT_IO_OUT;

	cpu->io_pending = true;
	if (cpu->vm->hooks && cpu->vm->hooks->io(cpu))
		return EXIT_CONTINUE;
	for (uint32_t i = cpu->io_done; i < run->io.count; i++) {
		uint32_t val = 0;
		if (write)
			memcpy(&val, data + i * size, size);
		enum io_result res = iobus_access(&cpu->vm->bus, cpu, run->io.port, size, write, &val);
		if (!write)
			memcpy(data + i * size, &val, size);
		switch (res) {
		case IO_OK:
			continue;
		case IO_RETRY:
			cpu->io_done = i;
			return EXIT_RETRY;
		case IO_STOP_VCPU:
			cpu->io_done = 0;
			return EXIT_FINISHED;
		case IO_EXIT_VM:
			cpu->io_done = 0;
			return EXIT_STOP_VM;
		}
	}
	cpu->io_done = 0;
	if (cpu->vm->hooks && run->io.count == 1 && cpu->vm->hooks->io_step(cpu))
		finish_io_step(cpu);
	return EXIT_CONTINUE;
}

/* Nothing is mapped outside RAM: reads see all ones, writes vanish. */
static enum exit_action on_mmio(struct vcpu *cpu)
{
	struct kvm_run *run = cpu->run;
	struct vm *vm = cpu->vm;
	uint64_t addr = run->mmio.phys_addr;

	cpu->io_pending = true;
	/* RAM the debugger made read-only (a watched page) or unmapped (a
	 * page with a breakpoint): the access is done here; after a write the
	 * debugger compares the watched bytes */
	uint8_t *ram = vm_gpa(vm, addr, run->mmio.len);
	if (ram && run->mmio.len <= sizeof(run->mmio.data)) {
		if (!run->mmio.is_write) {
			memcpy(run->mmio.data, ram, run->mmio.len);
			return EXIT_CONTINUE;
		}
		memcpy(ram, run->mmio.data, run->mmio.len);
		if (vm->hooks)
			vm->hooks->ram_write(cpu, addr, run->mmio.len);
		return EXIT_CONTINUE;
	}
	if (!run->mmio.is_write)
		memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
	if (!vm->opts.verbose)
		return EXIT_CONTINUE;
	pthread_mutex_lock(&vm->lock);
	bool seen = false;
	for (unsigned i = 0; i < vm->nr_mmio_logged && !seen; i++)
		seen = vm->mmio_logged[i] == addr;
	if (!seen && vm->nr_mmio_logged < sizeof(vm->mmio_logged) / sizeof(vm->mmio_logged[0])) {
		vm->mmio_logged[vm->nr_mmio_logged++] = addr;
		fprintf(stderr, "gdbvmm: vCPU %d: unclaimed MMIO %s at 0x%llx (%u bytes; reported once)\n",
			cpu->index, run->mmio.is_write ? "write" : "read",
			(unsigned long long)addr, run->mmio.len);
	}
	pthread_mutex_unlock(&vm->lock);
	return EXIT_CONTINUE;
}

static enum exit_action on_hlt(struct vcpu *cpu)
{
	cpu->status = 0;
	return EXIT_FINISHED;
}

static enum exit_action on_shutdown(struct vcpu *cpu)
{
	return fault(cpu, "triple fault", VM_STATUS_TRIPLE_FAULT);
}

static enum exit_action on_internal_error(struct vcpu *cpu)
{
	static const char *const sub[] = {
		[KVM_INTERNAL_ERROR_EMULATION] = "emulation failure",
		[KVM_INTERNAL_ERROR_SIMUL_EX] = "exception while delivering an exception",
		[KVM_INTERNAL_ERROR_DELIVERY_EV] = "failure while delivering an event",
		[KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON] = "unexpected exit inside KVM",
	};
	uint32_t s = cpu->run->internal.suberror;
	/* a fetch from a page the debugger unmapped (a breakpoint there) */
	if (s == KVM_INTERNAL_ERROR_EMULATION && cpu->vm->hooks && cpu->vm->hooks->emulation_failure(cpu))
		return EXIT_CONTINUE;
	const char *what = s < sizeof(sub) / sizeof(sub[0]) && sub[s] ? sub[s] : "KVM internal error";
	return fault(cpu, what, VM_STATUS_EMULATION);
}

static enum exit_action on_fail_entry(struct vcpu *cpu)
{
	char what[80];
	snprintf(what, sizeof(what), "VM entry failed (hardware reason 0x%llx)",
		 (unsigned long long)cpu->run->fail_entry.hardware_entry_failure_reason);
	return fault(cpu, what, VM_STATUS_UNHANDLED);
}

static enum exit_action on_system_event(struct vcpu *cpu)
{
	if (cpu->run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN) {
		cpu->status = 0;
		return EXIT_FINISHED;
	}
	return fault(cpu, "reset requested", VM_STATUS_TRIPLE_FAULT);
}

static enum exit_action on_nothing(struct vcpu *cpu)
{
	(void)cpu;
	return EXIT_CONTINUE;
}

static enum exit_action on_debug(struct vcpu *cpu)
{
	if (cpu->vm->hooks) {
		cpu->vm->hooks->debug_exit(cpu); /* the vCPU parks when the stop is the debugger's */
		return EXIT_CONTINUE;
	}
	return fault(cpu, "unexpected debug exit", VM_STATUS_UNHANDLED);
}

static enum exit_action (*const exit_handlers[])(struct vcpu *) = {
	[KVM_EXIT_IO] = on_io,
	[KVM_EXIT_MMIO] = on_mmio,
	[KVM_EXIT_HLT] = on_hlt,
	[KVM_EXIT_SHUTDOWN] = on_shutdown,
	[KVM_EXIT_INTERNAL_ERROR] = on_internal_error,
	[KVM_EXIT_FAIL_ENTRY] = on_fail_entry,
	[KVM_EXIT_SYSTEM_EVENT] = on_system_event,
	[KVM_EXIT_DEBUG] = on_debug,
	[KVM_EXIT_INTR] = on_nothing,
	[KVM_EXIT_IRQ_WINDOW_OPEN] = on_nothing,
};

static enum exit_action dispatch_exit(struct vcpu *cpu)
{
	uint32_t reason = cpu->run->exit_reason;
	enum exit_action (*fn)(struct vcpu *) =
		reason < sizeof(exit_handlers) / sizeof(exit_handlers[0]) ? exit_handlers[reason] : NULL;

	if (!fn) {
		char what[48];
		snprintf(what, sizeof(what), "unhandled exit reason %u", reason);
		return fault(cpu, what, VM_STATUS_UNHANDLED);
	}
	return fn(cpu);
}

/* ---- the thread ---------------------------------------------------------- */

static void on_kick(int sig)
{
	(void)sig;
}

/* One KVM_RUN: 0 with an exit to handle, -EINTR when kicked. */
static int run_once(struct vcpu *cpu)
{
	if (flush_regs(cpu) < 0)
		return -EIO;
	cpu->io_pending = false;
	int rr = ioctl(cpu->fd, KVM_RUN, 0);
	cpu->sync_fresh = true; /* KVM stores the sync regs on every return */
	if (rr < 0) {
		int e = errno;
		if (e == EINTR || e == EAGAIN) {
			__atomic_store_n(&cpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
			return -EINTR;
		}
		return -e;
	}
	uint32_t reason = cpu->run->exit_reason;
	cpu->exits[reason < 64 ? reason : 63]++;
	return 0;
}

void *vcpu_thread(void *arg)
{
	struct vcpu *cpu = arg;
	struct vm *vm = cpu->vm;
	enum exit_action act = EXIT_CONTINUE;
	sigset_t set;

	this_vcpu = cpu;
	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (act == EXIT_CONTINUE || act == EXIT_RETRY) {
		if (atomic_load(&cpu->stop_req)) {
			if (atomic_load(&vm->exiting))
				break;
			if (vm->hooks)
				park(cpu);
			else
				atomic_store(&cpu->stop_req, false);
			continue;
		}
		if (!cpu->retry) {
			int r = run_once(cpu);
			if (r == -EINTR)
				continue;
			if (r < 0) {
				char what[80];
				snprintf(what, sizeof(what), "KVM_RUN failed (%s)", strerror(-r));
				act = fault(cpu, what, VM_STATUS_UNHANDLED);
				break;
			}
		}
		act = dispatch_exit(cpu);
		cpu->retry = act == EXIT_RETRY;
	}

	console_flush(vm->con, cpu->con);
	pthread_mutex_lock(&vm->lock);
	if (act == EXIT_FINISHED)
		atomic_store(&cpu->state, VCPU_FINISHED);
	vm->running--;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	if (vm->hooks)
		vm->hooks->ended(cpu);
	return NULL;
}

void vcpu_install_kick_handler(void)
{
	struct sigaction sa = { .sa_handler = on_kick };
	sigemptyset(&sa.sa_mask);
	sigaction(SIG_KICK, &sa, NULL);
}
