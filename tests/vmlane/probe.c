/* tests/vmlane/probe.c: asks a KVM whether it runs 32-bit paging and IDT delivery. */

/*
 * The guest starts in 32-bit protected mode (flat segments from a GDT, paging
 * off), then, depending on the mode given on the command line:
 *
 *   paging  loads CR3 and sets CR0.PG itself (two-level 32-bit paging, no
 *           EFER.LME), reads CR0 back and reports it
 *   idt     loads an IDT, does `int $0x80` (handler reports EAX, changes it,
 *           IRETs), then `ud2` (the #UD handler steps over it and IRETs)
 *   all     both, plus a read of an unmapped page: the #PF handler reports
 *           CR2 and the error code, maps the page and IRETs, so the read is
 *           restarted and returns a value the host put there
 *
 * Everything the guest reports goes out through `out %eax, $port`; the host
 * checks each value and prints one line per step. Intel SDM vol. 3A 4.3
 * (32-bit paging), 6.12 (exception and interrupt handling), 6.15 (#PF, #UD).
 *
 * Exit status: 0 all steps as expected, 1 the KVM could not run the guest
 * (SHUTDOWN, internal error, wrong value), 2 no usable /dev/kvm.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* Guest-physical layout (identity-mapped once paging is on). */
enum {
	MEM_SIZE = 2 << 20,
	GDT = 0x0500,		/* null, code 0x08, data 0x10 */
	IDTR = 0x0610,		/* limit:16, base:32 for lidt */
	IDT = 0x1000,		/* 256 gates of 8 bytes */
	PGDIR = 0x2000,
	PGTAB = 0x3000,		/* maps 0..2 MiB; entry 0x300 left empty */
	CODE = 0x4000,
	H_INT80 = 0x5000,
	H_PF = 0x5100,
	H_UD = 0x5200,
	STACK_TOP = 0x8000,
	PF_VADDR = 0x300000,	/* not mapped until the #PF handler maps it */
	PF_PADDR = 0x100000,	/* where the handler maps it */
	PF_MAGIC = 0xc0ffee42,
	INT80_EAX = 0x1234abcd,
};

/* Ports the guest reports on. */
enum {
	P_CR0 = 0x10,		/* CR0 after setting PG */
	P_INT80 = 0x11,		/* EAX seen by the int $0x80 handler */
	P_IRET = 0x12,		/* EAX after IRET (handler inverted it) */
	P_CR2 = 0x13,		/* #PF handler: CR2 */
	P_PFERR = 0x14,		/* #PF handler: error code */
	P_PFVAL = 0x15,		/* value read by the restarted instruction */
	P_UD = 0x16,		/* #UD handler ran */
	P_AFTER_UD = 0x17,	/* execution went on after the ud2 */
};

/* Code blocks, hand-assembled; the host lays them out one after another at
 * CODE, so they use absolute addresses only. */
static const uint8_t blk_paging[] = {
	0xb8, 0x00, 0x20, 0x00, 0x00,		/* mov $PGDIR, %eax */
	0x0f, 0x22, 0xd8,			/* mov %eax, %cr3 */
	0x0f, 0x20, 0xc0,			/* mov %cr0, %eax */
	0x0d, 0x00, 0x00, 0x00, 0x80,		/* or $0x80000000, %eax (PG) */
	0x0f, 0x22, 0xc0,			/* mov %eax, %cr0 */
	0x0f, 0x20, 0xc0,			/* mov %cr0, %eax */
	0xe7, P_CR0,				/* out %eax, $P_CR0 */
};
static const uint8_t blk_idt[] = {
	0x0f, 0x01, 0x1d, 0x10, 0x06, 0x00, 0x00, /* lidt IDTR */
	0xb8, 0xcd, 0xab, 0x34, 0x12,		/* mov $INT80_EAX, %eax */
	0xcd, 0x80,				/* int $0x80 */
	0xe7, P_IRET,				/* out %eax, $P_IRET */
	0x0f, 0x0b,				/* ud2 */
	0xb8, 0x06, 0x00, 0x00, 0x00,		/* mov $6, %eax */
	0xe7, P_AFTER_UD,			/* out %eax, $P_AFTER_UD */
};
static const uint8_t blk_pf[] = {
	0xa1, 0x00, 0x00, 0x30, 0x00,		/* mov PF_VADDR, %eax */
	0xe7, P_PFVAL,				/* out %eax, $P_PFVAL */
};
static const uint8_t blk_end[] = {
	0xf4,					/* hlt */
};
static const uint8_t h_int80[] = {
	0xe7, P_INT80,				/* out %eax, $P_INT80 */
	0xf7, 0xd0,				/* not %eax */
	0xcf,					/* iret */
};
static const uint8_t h_pf[] = {
	0x0f, 0x20, 0xd0,			/* mov %cr2, %eax */
	0xe7, P_CR2,				/* out %eax, $P_CR2 */
	0x58,					/* pop %eax (error code) */
	0xe7, P_PFERR,				/* out %eax, $P_PFERR */
	0xc7, 0x05, 0x00, 0x3c, 0x00, 0x00,	/* movl $PF_PADDR|P|RW, PGTAB+0x300*4 */
	0x03, 0x00, 0x10, 0x00,
	0x0f, 0x01, 0x3d, 0x00, 0x00, 0x30, 0x00, /* invlpg PF_VADDR */
	0xcf,					/* iret */
};
static const uint8_t h_ud[] = {
	0x83, 0x04, 0x24, 0x02,			/* addl $2, (%esp): skip ud2 */
	0xb8, 0x06, 0x00, 0x00, 0x00,		/* mov $6, %eax */
	0xe7, P_UD,				/* out %eax, $P_UD */
	0xcf,					/* iret */
};

enum { M_PAGING = 1, M_IDT = 2, M_PF = 4 };

struct probe {
	int kvm, vm, vcpu;
	uint8_t *mem;
	struct kvm_run *run;
	unsigned mode;
	unsigned seen;		/* bit per port - 0x10 */
	int bad;		/* a reported value was wrong */
	uint32_t cr2;
};

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* 32-bit interrupt gate, DPL 0, selector 0x08 (SDM vol. 3A 6.11, fig. 6-2). */
static void set_gate(uint8_t *mem, unsigned vec, uint32_t handler)
{
	uint8_t *g = mem + IDT + vec * 8;

	g[0] = handler & 0xff;
	g[1] = (handler >> 8) & 0xff;
	g[2] = 0x08;
	g[3] = 0x00;
	g[4] = 0x00;
	g[5] = 0x8e;		/* present, DPL 0, 32-bit interrupt gate */
	g[6] = (handler >> 16) & 0xff;
	g[7] = (handler >> 24) & 0xff;
}

static void layout_guest(struct probe *p)
{
	static const uint64_t gdt[3] = {
		0,
		0x00cf9a000000ffffULL,	/* code: base 0, 4 GiB, exec/read */
		0x00cf92000000ffffULL,	/* data: base 0, 4 GiB, read/write */
	};
	uint8_t *m = p->mem;
	size_t at = CODE;
	unsigned i;

	memcpy(m + GDT, gdt, sizeof(gdt));
	m[IDTR] = 0xff;		/* limit 0x7ff */
	m[IDTR + 1] = 0x07;
	put32(m + IDTR + 2, IDT);
	set_gate(m, 0x80, H_INT80);
	set_gate(m, 14, H_PF);
	set_gate(m, 6, H_UD);

	put32(m + PGDIR, PGTAB | 0x3);	/* PDE 0: present, writable */
	for (i = 0; i < MEM_SIZE / 4096; i++)
		put32(m + PGTAB + i * 4, i * 4096 | 0x3);
	put32(m + PF_PADDR, PF_MAGIC);

#define ADD(b) do { memcpy(m + at, b, sizeof(b)); at += sizeof(b); } while (0)
	if (p->mode & M_PAGING)
		ADD(blk_paging);
	if (p->mode & M_IDT)
		ADD(blk_idt);
	if (p->mode & M_PF)
		ADD(blk_pf);
	ADD(blk_end);
#undef ADD
	memcpy(m + H_INT80, h_int80, sizeof(h_int80));
	memcpy(m + H_PF, h_pf, sizeof(h_pf));
	memcpy(m + H_UD, h_ud, sizeof(h_ud));
}

static void flat_seg(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->dpl = 0;
	s->db = 1;
	s->s = 1;
	s->g = 1;
}

static int setup_vm(struct probe *p)
{
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int run_size;

	p->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (p->kvm < 0) {
		printf("probe: /dev/kvm: %s\n", strerror(errno));
		return 2;
	}
	if (ioctl(p->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		printf("probe: unexpected KVM API version\n");
		return 2;
	}
	p->vm = ioctl(p->kvm, KVM_CREATE_VM, 0);
	if (p->vm < 0) {
		printf("probe: KVM_CREATE_VM: %s\n", strerror(errno));
		return 2;
	}
	/* Only needed by VMX without unrestricted guest; harmless elsewhere. */
	(void)ioctl(p->vm, KVM_SET_TSS_ADDR, 0xfffbd000UL);

	p->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p->mem == MAP_FAILED) {
		printf("probe: mmap guest memory: %s\n", strerror(errno));
		return 2;
	}
	memset(&region, 0, sizeof(region));
	region.guest_phys_addr = 0;
	region.memory_size = MEM_SIZE;
	region.userspace_addr = (uintptr_t)p->mem;
	if (ioctl(p->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		printf("probe: KVM_SET_USER_MEMORY_REGION: %s\n", strerror(errno));
		return 2;
	}
	layout_guest(p);

	p->vcpu = ioctl(p->vm, KVM_CREATE_VCPU, 0);
	run_size = ioctl(p->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (p->vcpu < 0 || run_size <= 0) {
		printf("probe: KVM_CREATE_VCPU: %s\n", strerror(errno));
		return 2;
	}
	p->run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      p->vcpu, 0);
	if (p->run == MAP_FAILED) {
		printf("probe: mmap kvm_run: %s\n", strerror(errno));
		return 2;
	}

	/* Start in 32-bit protected mode, paging off: the guest turns it on. */
	if (ioctl(p->vcpu, KVM_GET_SREGS, &sregs) < 0) {
		printf("probe: KVM_GET_SREGS: %s\n", strerror(errno));
		return 2;
	}
	flat_seg(&sregs.cs, 0x08, 0xb);
	flat_seg(&sregs.ds, 0x10, 0x3);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = GDT;
	sregs.gdt.limit = 3 * 8 - 1;
	sregs.cr0 = 0x11;	/* PE, ET */
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (ioctl(p->vcpu, KVM_SET_SREGS, &sregs) < 0) {
		printf("probe: KVM_SET_SREGS: %s\n", strerror(errno));
		return 2;
	}
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE;
	regs.rsp = STACK_TOP;
	regs.rflags = 0x2;
	if (ioctl(p->vcpu, KVM_SET_REGS, &regs) < 0) {
		printf("probe: KVM_SET_REGS: %s\n", strerror(errno));
		return 2;
	}
	return 0;
}

static void expect(struct probe *p, const char *what, uint32_t got, uint32_t want)
{
	if (got != want) {
		printf("probe: %s: got 0x%08x, expected 0x%08x\n", what, got, want);
		p->bad = 1;
	}
}

static void on_out(struct probe *p, uint16_t port, uint32_t v)
{
	if (port >= 0x10 && port < 0x20)
		p->seen |= 1u << (port - 0x10);
	switch (port) {
	case P_CR0:
		if ((v & 0x80000001) == 0x80000001)
			printf("paging ok cr0=0x%08x\n", v);
		else
			expect(p, "CR0 after setting PG", v, v | 0x80000001);
		break;
	case P_INT80:
		expect(p, "EAX in the int $0x80 handler", v, INT80_EAX);
		if (v == INT80_EAX)
			printf("idt ok int $0x80 reached its handler, eax=0x%08x\n", v);
		break;
	case P_IRET:
		expect(p, "EAX after iret", v, ~(uint32_t)INT80_EAX);
		if (v == ~(uint32_t)INT80_EAX)
			printf("iret ok eax=0x%08x\n", v);
		break;
	case P_UD:
		printf("ud ok #UD handled through the IDT\n");
		break;
	case P_AFTER_UD:
		break;
	case P_CR2:
		p->cr2 = v;
		expect(p, "CR2 in the #PF handler", v, PF_VADDR);
		break;
	case P_PFERR:
		/* A supervisor read of a not-present page: error code 0. */
		expect(p, "#PF error code", v, 0);
		printf("pf ok cr2=0x%08x err=0x%x\n", p->cr2, v);
		break;
	case P_PFVAL:
		expect(p, "value read after the #PF was handled", v, PF_MAGIC);
		if (v == PF_MAGIC)
			printf("pf restart ok value=0x%08x\n", v);
		break;
	default:
		printf("probe: unexpected out to port 0x%x value 0x%08x\n", port, v);
		p->bad = 1;
	}
}

static void print_state(struct probe *p)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	if (ioctl(p->vcpu, KVM_GET_REGS, &regs) == 0 &&
	    ioctl(p->vcpu, KVM_GET_SREGS, &sregs) == 0)
		printf("probe: guest state rip=0x%llx cr0=0x%llx cr3=0x%llx\n",
		       (unsigned long long)regs.rip, (unsigned long long)sregs.cr0,
		       (unsigned long long)sregs.cr3);
}

static int run_guest(struct probe *p)
{
	unsigned want = 0;

	if (p->mode & M_PAGING)
		want |= 1u << (P_CR0 - 0x10);
	if (p->mode & M_IDT)
		want |= 1u << (P_INT80 - 0x10) | 1u << (P_IRET - 0x10) |
			1u << (P_UD - 0x10) | 1u << (P_AFTER_UD - 0x10);
	if (p->mode & M_PF)
		want |= 1u << (P_CR2 - 0x10) | 1u << (P_PFERR - 0x10) |
			1u << (P_PFVAL - 0x10);

	for (;;) {
		struct kvm_run *r = p->run;

		if (ioctl(p->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			printf("probe: KVM_RUN: %s\n", strerror(errno));
			return 1;
		}
		switch (r->exit_reason) {
		case KVM_EXIT_IO: {
			uint32_t v = 0;

			if (r->io.direction != KVM_EXIT_IO_OUT || r->io.count != 1 ||
			    r->io.size > sizeof(v)) {
				printf("probe: unexpected port access 0x%x\n", r->io.port);
				return 1;
			}
			memcpy(&v, (uint8_t *)r + r->io.data_offset, r->io.size);
			on_out(p, r->io.port, v);
			break;
		}
		case KVM_EXIT_HLT:
			if (p->bad)
				return 1;
			if ((p->seen & want) != want) {
				printf("probe: guest halted before every step reported\n");
				return 1;
			}
			printf("probe ok\n");
			return 0;
		case KVM_EXIT_SHUTDOWN:
			printf("probe: KVM_EXIT_SHUTDOWN (triple fault)\n");
			print_state(p);
			return 1;
		case KVM_EXIT_INTERNAL_ERROR:
			printf("probe: KVM_EXIT_INTERNAL_ERROR suberror %u\n",
			       r->internal.suberror);
			print_state(p);
			return 1;
		case KVM_EXIT_FAIL_ENTRY:
			printf("probe: KVM_EXIT_FAIL_ENTRY reason 0x%llx\n",
			       (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
			return 1;
		default:
			printf("probe: unexpected exit reason %u\n", r->exit_reason);
			print_state(p);
			return 1;
		}
	}
}

static void on_alarm(int sig)
{
	static const char msg[] = "probe: guest did not halt within 20 s\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

int main(int argc, char **argv)
{
	struct probe p;
	const char *mode = argc > 1 ? argv[1] : "all";
	int rc;

	memset(&p, 0, sizeof(p));
	if (!strcmp(mode, "all"))
		p.mode = M_PAGING | M_IDT | M_PF;
	else if (!strcmp(mode, "paging"))
		p.mode = M_PAGING;
	else if (!strcmp(mode, "idt"))
		p.mode = M_IDT;
	else {
		fprintf(stderr, "usage: probe [all|paging|idt]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	alarm(20);

	rc = setup_vm(&p);
	if (rc == 0)
		rc = run_guest(&p);
	fflush(stdout);
	return rc;
}
