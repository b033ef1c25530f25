/* vmm/vcpu.c: one vCPU: its start state, its thread's KVM_RUN loop, and the exit-reason table. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/console.h"
#include "vmm/debug.h"
#include "vmm/linux.h"
#include "vmm/vm.h"
#include "vmm/x86mmu.h"

#define SIG_KICK SIGUSR1

enum exit_action {
	EXIT_CONTINUE,
	EXIT_RETRY,     /* run the same handler again before re-entering the guest */
	EXIT_FINISHED,  /* this guest ended */
	EXIT_STOP_VM,   /* the machine is ending (vm->exit_status is set) */
};

/* ---- registers ---------------------------------------------------------- */

struct kvm_regs *vcpu_regs(struct vcpu *cpu)
{
	if (cpu->vm->caps.sync_regs)
		return &cpu->run->s.regs.regs;
	if (!cpu->regs_valid) {
		if (ioctl(cpu->fd, KVM_GET_REGS, &cpu->regs) < 0)
			memset(&cpu->regs, 0, sizeof(cpu->regs));
		cpu->regs_valid = true;
	}
	return &cpu->regs;
}

/* Segment and control registers are fetched when an exit needs them
 * (a hypercall's pointer, a trap, a fault), not synced on every exit:
 * syncing them cost 20 us an exit in the VM lane (make bench, rawkvm -s). */
struct kvm_sregs *vcpu_sregs(struct vcpu *cpu)
{
	if (!cpu->sregs_valid) {
		if (ioctl(cpu->fd, KVM_GET_SREGS, &cpu->sregs) < 0)
			memset(&cpu->sregs, 0, sizeof(cpu->sregs));
		cpu->sregs_valid = true;
	}
	return &cpu->sregs;
}

void vcpu_regs_dirty(struct vcpu *cpu)
{
	if (cpu->vm->caps.sync_regs)
		cpu->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	else
		cpu->regs_dirty = true;
}

/* Before KVM_RUN: push modified registers (no sync-regs host), drop caches. */
static int flush_regs(struct vcpu *cpu)
{
	if (cpu->regs_dirty && ioctl(cpu->fd, KVM_SET_REGS, &cpu->regs) < 0)
		return -errno;
	cpu->regs_dirty = false;
	cpu->regs_valid = cpu->sregs_valid = false;
	return 0;
}

bool vcpu_started(struct vcpu *cpu)
{
	struct kvm_mp_state mp;
	if (!cpu->vm->irqchip || ioctl(cpu->fd, KVM_GET_MP_STATE, &mp) < 0)
		return true;
	return mp.mp_state != KVM_MP_STATE_UNINITIALIZED &&
	       mp.mp_state != KVM_MP_STATE_INIT_RECEIVED;
}

const char *vcpu_mode_name(const struct kvm_sregs *s)
{
	if (!(s->cr0 & X86_CR0_PE))
		return "real mode";
	if (s->efer & X86_EFER_LMA)
		return s->cs.l ? "long mode" : "compatibility mode";
	if (!s->cs.db)
		return "16-bit protected mode";
	return (s->cr0 & X86_CR0_PG) ? "protected mode, paging on" : "protected mode";
}

/* ---- guest memory through this vCPU's eyes ----------------------------- */

int vcpu_read_phys(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct vm *vm = opaque;
	void *p = vm_gpa(vm, gpa, len);
	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

int vcpu_translate_sregs(struct vm *vm, const struct kvm_sregs *s, uint64_t la, uint64_t *gpa,
			 uint64_t *page_left)
{
	struct mmu_ctx m = {
		.cr0 = s->cr0, .cr3 = s->cr3, .cr4 = s->cr4, .efer = s->efer,
		.read_phys = vcpu_read_phys, .opaque = vm,
	};
	return mmu_translate(&m, la, gpa, page_left, NULL);
}

int vcpu_translate(struct vcpu *cpu, uint64_t la, uint64_t *gpa, uint64_t *page_left)
{
	return vcpu_translate_sregs(cpu->vm, vcpu_sregs(cpu), la, gpa, page_left);
}

int vcpu_read_linear(struct vcpu *cpu, uint64_t la, void *buf, uint64_t len)
{
	uint8_t *out = buf;
	while (len > 0) {
		uint64_t gpa, left;
		if (vcpu_translate(cpu, la, &gpa, &left) < 0)
			return -EFAULT;
		uint64_t n = len < left ? len : left;
		void *p = vm_gpa(cpu->vm, gpa, n);
		if (!p)
			return -EFAULT;
		memcpy(out, p, n);
		out += n;
		la += n;
		len -= n;
	}
	return 0;
}

/* ---- start state --------------------------------------------------------- */

static void seg_real(struct kvm_segment *sg, uint64_t base, uint8_t type)
{
	*sg = (struct kvm_segment){
		.base = base, .limit = 0xffff, .selector = (uint16_t)(base >> 4),
		.type = type, .present = 1, .s = 1,
	};
}

static void seg_flat(struct kvm_segment *sg, uint16_t sel, uint8_t type, int l)
{
	*sg = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type, .present = 1,
		.s = 1, .db = l ? 0 : 1, .l = (uint8_t)l, .g = 1,
	};
}

/* Multiboot's LINT0 wiring: a PC BIOS puts the BSP's LINT0 in ExtINT mode so
 * the 8259's interrupts reach the CPU (Intel SDM vol. 3A, 10.5.1); with no
 * BIOS here, the monitor does it. */
static int lapic_virtual_wire(struct vcpu *cpu)
{
	struct kvm_lapic_state lapic;
	uint32_t lvt0 = 0x700, lvt1 = 0x400; /* ExtINT, NMI */

	if (ioctl(cpu->fd, KVM_GET_LAPIC, &lapic) < 0)
		return -errno;
	memcpy(&lapic.regs[0x350], &lvt0, 4);
	memcpy(&lapic.regs[0x360], &lvt1, 4);
	if (ioctl(cpu->fd, KVM_SET_LAPIC, &lapic) < 0)
		return -errno;
	return 0;
}

int vcpu_reset(struct vcpu *cpu)
{
	const struct boot_state *b = &cpu->image->boot;
	struct kvm_sregs s;
	struct kvm_regs r = { .rflags = 2 };

	/* A Linux kernel's APs wait in KVM's reset state for the INIT/SIPI
	 * the kernel sends through the in-kernel LAPIC. */
	if (b->kind == IMAGE_LINUX && cpu->index > 0)
		return 0;
	if (ioctl(cpu->fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	switch (b->kind) {
	case IMAGE_FLAT:
		seg_real(&s.cs, b->window, 0xb);
		seg_real(&s.ds, b->window, 0x3);
		s.es = s.fs = s.gs = s.ss = s.ds;
		r.rip = 0;
		r.rsp = 0;
		break;
	case IMAGE_MULTIBOOT:
	case IMAGE_ELF64: {
		int lm = b->kind == IMAGE_ELF64;
		seg_flat(&s.cs, lm ? 0x18 : 0x08, 0xb, lm);
		seg_flat(&s.ds, 0x10, 0x3, 0);
		s.es = s.fs = s.gs = s.ss = s.ds;
		s.gdt.base = VM_GDT_ADDR;
		s.gdt.limit = 4 * 8 - 1;
		s.cr0 = X86_CR0_PE | 0x10; /* PE, ET */
		if (lm) {
			s.cr0 |= X86_CR0_PG;
			s.cr3 = VM_PT_BASE;
			s.cr4 = X86_CR4_PAE;
			s.efer = X86_EFER_LME | X86_EFER_LMA;
		}
		r.rax = 0x2badb002; /* Multiboot 0.6.96, 3.2: the boot loader's magic */
		r.rbx = b->info;
		r.rip = b->entry;
		r.rsp = b->stack;
		break;
	}
	case IMAGE_LINUX:
		/* the 64-bit boot protocol: long mode, the identity map, a GDT
		 * with __BOOT_CS 0x10 and __BOOT_DS 0x18, boot_params in RSI,
		 * interrupts off (Linux's Documentation/x86/boot.rst) */
		seg_flat(&s.cs, 0x10, 0xb, 1);
		seg_flat(&s.ds, 0x18, 0x3, 0);
		s.es = s.fs = s.gs = s.ss = s.ds;
		s.gdt.base = LINUX_GDT_ADDR;
		s.gdt.limit = 4 * 8 - 1;
		s.cr0 = X86_CR0_PE | 0x10 | X86_CR0_PG;
		s.cr3 = VM_PT_BASE;
		s.cr4 = X86_CR4_PAE;
		s.efer = X86_EFER_LME | X86_EFER_LMA;
		r.rsi = b->info;
		r.rip = b->entry;
		r.rsp = b->stack;
		break;
	}
	/* x87 and SSE at their power-up values (SDM vol. 3A, 10.1, table
	 * 10-1: FCW 0x037f, FTW empty, MXCSR 0x1f80); a new vCPU's FPU area
	 * from KVM may hold zeros, and gdb shows what is here. */
	struct kvm_fpu f = { .fcw = 0x37f, .mxcsr = 0x1f80 };
	if (ioctl(cpu->fd, KVM_SET_SREGS, &s) < 0 || ioctl(cpu->fd, KVM_SET_REGS, &r) < 0 ||
	    ioctl(cpu->fd, KVM_SET_FPU, &f) < 0)
		return -errno;
	if (cpu->vm->irqchip) {
		if (cpu->index == 0) {
			int err = lapic_virtual_wire(cpu);
			if (err < 0)
				return err;
		} else {
			/* with an in-kernel LAPIC an AP waits for INIT/SIPI; ours run at once */
			struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
			if (ioctl(cpu->fd, KVM_SET_MP_STATE, &mp) < 0)
				return -errno;
		}
	}
	return 0;
}

static int setup_cpuid(struct vcpu *cpu)
{
	int n = 128;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + (size_t)n * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = (uint32_t)n;
	if (ioctl(cpu->vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		int e = -errno;
		free(c);
		return e;
	}
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		if (e->function == 1) { /* initial APIC ID = vCPU index */
			e->ebx = (e->ebx & 0x00ffffffu) | ((uint32_t)cpu->index << 24);
			/* "running under a hypervisor" (the bit KVM leaves to us):
			 * a kernel then looks at KVM's leaves 0x40000000 and up and
			 * uses kvmclock */
			e->ecx |= 1u << 31;
		}
		if (e->function == 0xb || e->function == 0x1f) /* x2APIC ID, every level */
			e->edx = (uint32_t)cpu->index;
	}
	int r = ioctl(cpu->fd, KVM_SET_CPUID2, c) < 0 ? -errno : 0;
	free(c);
	return r;
}

int vcpu_create(struct vm *vm, int index, const struct image *img)
{
	struct vcpu *cpu = &vm->vcpus[index];
	int r;

	cpu->vm = vm;
	cpu->index = index;
	cpu->image = img;
	cpu->con = (int)(img - vm->images);
	cpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, index);
	if (cpu->fd < 0)
		return -errno;
	cpu->run = mmap(NULL, (size_t)vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, cpu->fd, 0);
	if (cpu->run == MAP_FAILED) {
		cpu->run = NULL;
		return -errno;
	}
	if (vm->caps.sync_regs)
		cpu->run->kvm_valid_regs = KVM_SYNC_X86_REGS;
	r = setup_cpuid(cpu);
	if (r < 0)
		return r;
	cpu->state = VCPU_RUNNING;
	return vcpu_reset(cpu);
}

void vcpu_destroy(struct vcpu *cpu)
{
	if (cpu->run)
		munmap(cpu->run, (size_t)cpu->vm->run_size);
	if (cpu->fd > 0)
		close(cpu->fd);
	cpu->run = NULL;
	cpu->fd = -1;
}

/* Make the vCPU leave KVM_RUN (or a blocking device wait) and look at its
 * requests. Order matters: the request first, then immediate_exit, then
 * the signal, so a vCPU that misses the signal still sees immediate_exit
 * and one that clears immediate_exit after an EINTR still sees stop_req. */
void vcpu_kick(struct vcpu *cpu)
{
	atomic_store(&cpu->stop_req, true);
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

	if (vm->dbg && debug_take_fault(cpu, line, status, sig))
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
	la = s.cs.base + ip;
	if (!(s.efer & X86_EFER_LMA))
		la &= 0xffffffff;
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

/* ---- exit handlers: one row per KVM exit reason --------------------------- */

static enum exit_action on_io(struct vcpu *cpu)
{
	struct kvm_run *run = cpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	unsigned size = run->io.size;
	bool write = run->io.direction == KVM_EXIT_IO_OUT;

	cpu->io_pending = true;
	if (cpu->vm->dbg && debug_on_trap(cpu))
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
	if (cpu->vm->dbg && run->io.count == 1)
		debug_after_io(cpu);
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
		if (vm->dbg)
			debug_on_ram_write(cpu, addr, run->mmio.len);
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
	if (s == KVM_INTERNAL_ERROR_EMULATION && cpu->vm->dbg && debug_on_emulation_failure(cpu))
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
	if (cpu->vm->dbg) {
		debug_on_exit(cpu); /* parks the vCPU when the stop is the debugger's */
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

	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (act == EXIT_CONTINUE || act == EXIT_RETRY) {
		if (atomic_load(&cpu->stop_req)) {
			if (atomic_load(&vm->exiting))
				break;
			if (vm->dbg)
				debug_park(cpu);
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
	if (vm->dbg)
		debug_vcpu_finished(cpu);
	return NULL;
}

void vcpu_install_kick_handler(void)
{
	struct sigaction sa = { .sa_handler = on_kick };
	sigemptyset(&sa.sa_mask);
	sigaction(SIG_KICK, &sa, NULL);
}
