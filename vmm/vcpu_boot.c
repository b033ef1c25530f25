/* vmm/vcpu_boot.c: a vCPU's creation and start state: registers for each kind of image, CPUID, LAPIC wiring. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/linux.h"
#include "vmm/vm.h"
#include "vmm/x86mmu.h"

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
			/* The LAPIC's TSC-deadline mode, which KVM emulates in its
			 * in-kernel LAPIC but leaves to us to announce (KVM API,
			 * KVM_CAP_TSC_DEADLINE_TIMER): a kernel then skips
			 * calibrating the LAPIC timer against the PIT at boot */
			if (cpu->vm->irqchip && cpu->vm->caps.tsc_deadline)
				e->ecx |= 1u << 24;
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
