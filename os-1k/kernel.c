/* os-1k/kernel.c: boot sequence, GDT/TSS/IDT, the 8259 PIC and 8254 PIT, trap dispatch, panic and power-off. */
#include "os-1k/kernel.h"
#include "os-1k/syscall.h"

void kmain(uint32_t mb_magic, uint32_t mb_info);

/* ---- Console output ---- */

static void put_uart(char c, void *arg)
{
	(void)arg;
	uart_putc(c);
}

static void kvprintf(const char *fmt, va_list ap)
{
	vformat(put_uart, NULL, fmt, ap);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

/* ---- Leaving the machine ---- */

void power_off(int status)
{
	/* gdbvmm: hypercall service 0 "exit" with EBX = status (docs/hypercalls.md). */
	__asm__ volatile("outb %%al, %%dx" : : "a"(0), "b"(status), "d"(0x500));
	/* QEMU ignores port 0x500; its isa-debug-exit device at 0xf4 exits
	 * with (status << 1) | 1. */
	outb(0xf4, (uint8_t)status);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	__asm__ volatile("cli");
	kprintf("PANIC at %s:%d: ", file, line);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	power_off(EXIT_PANIC);
}

/* ---- Segments: GDT and TSS (SDM Vol. 3A, 3.4.5 and 7.2) ---- */

struct tss {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap_base;
};

static struct tss tss;
static uint64_t gdt[6];

/* A segment descriptor. access: present, DPL, type; flags: granularity and size. */
static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (limit & 0xffff) |
	       (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)access << 40 |
	       (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)(flags & 0xf) << 52 |
	       (uint64_t)(base >> 24) << 56;
}

static void gdt_init(void)
{
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) gdtr;

	gdt[SEG_KCODE >> 3] = seg_desc(0, 0xfffff, 0x9a, 0xc); /* ring 0 code, 4 GiB */
	gdt[SEG_KDATA >> 3] = seg_desc(0, 0xfffff, 0x92, 0xc); /* ring 0 data */
	gdt[SEG_UCODE >> 3] = seg_desc(0, 0xfffff, 0xfa, 0xc); /* ring 3 code */
	gdt[SEG_UDATA >> 3] = seg_desc(0, 0xfffff, 0xf2, 0xc); /* ring 3 data */
	gdt[SEG_TSS >> 3] = seg_desc((uint32_t)&tss, sizeof(tss) - 1, 0x89, 0); /* 32-bit TSS */

	/* Only ss0:esp0 matter: the CPU loads them on an interrupt from ring 3.
	 * An I/O bitmap offset past the end means "no bitmap": with IOPL 0,
	 * every in/out from ring 3 raises #GP (SDM Vol. 1, 19.5.2). */
	tss.ss0 = SEG_KDATA;
	tss.iomap_base = sizeof(tss);

	gdtr.limit = sizeof(gdt) - 1;
	gdtr.base = (uint32_t)gdt;
	__asm__ volatile(
		"lgdt %0\n\t"
		"ljmp %1, $1f\n"
		"1:\tmov %2, %%ax\n\t"
		"mov %%ax, %%ds\n\t"
		"mov %%ax, %%es\n\t"
		"mov %%ax, %%fs\n\t"
		"mov %%ax, %%gs\n\t"
		"mov %%ax, %%ss\n\t"
		"mov %3, %%ax\n\t"
		"ltr %%ax"
		: : "m"(gdtr), "i"(SEG_KCODE), "i"(SEG_KDATA), "i"(SEG_TSS) : "eax", "memory");
}

void tss_set_kstack(uint32_t esp0)
{
	tss.esp0 = esp0;
}

/* ---- Interrupts: IDT (SDM Vol. 3A, 6.11) ---- */

static uint64_t idt[256];

static void idt_init(void)
{
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idtr;

	for (int i = 0; i < 256; i++) {
		/* 32-bit interrupt gate (IF cleared on entry), present; DPL 3
		 * only for the system call, so "int $n" from ring 3 for any
		 * other n raises #GP instead. */
		uint8_t type = i == T_SYSCALL ? 0xee : 0x8e;
		uint32_t off = trap_vectors[i];

		idt[i] = (off & 0xffff) | (uint64_t)SEG_KCODE << 16 |
			 (uint64_t)type << 40 | (uint64_t)(off >> 16) << 48;
	}
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint32_t)idt;
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* ---- 8259A PIC pair and 8254 PIT ---- */

#define PIC1 0x20
#define PIC2 0xa0
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_HZ 1193182

static void pic_init(void)
{
	outb(PIC1 + 1, 0xff);          /* mask everything while programming */
	outb(PIC2 + 1, 0xff);
	outb(PIC1, 0x11);              /* ICW1: edge triggered, cascade, ICW4 follows */
	outb(PIC2, 0x11);
	outb(PIC1 + 1, T_IRQ0);        /* ICW2: vector base */
	outb(PIC2 + 1, T_IRQ0 + 8);
	outb(PIC1 + 1, 1 << 2);        /* ICW3: the slave is on IRQ 2 ... */
	outb(PIC2 + 1, 2);             /* ... and knows its cascade identity */
	outb(PIC1 + 1, 0x01);          /* ICW4: 8086 mode, normal EOI */
	outb(PIC2 + 1, 0x01);
	/* OCW1: only the timer, the cascade and COM1. */
	outb(PIC1 + 1, (uint8_t)~(1 << IRQ_TIMER | 1 << 2 | 1 << IRQ_UART));
	outb(PIC2 + 1, 0xff);
}

static void pit_init(void)
{
	uint16_t divisor = PIT_HZ / TIMER_HZ;

	outb(PIT_CMD, 0x34);           /* channel 0, low byte then high byte, mode 2 (rate generator) */
	outb(PIT_CH0, divisor & 0xff);
	outb(PIT_CH0, divisor >> 8);
}

/* ---- Traps ---- */

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range exceeded", "invalid opcode", "device not available",
	"double fault", "coprocessor segment overrun", "invalid TSS",
	"segment not present", "stack fault", "general protection fault",
	"page fault", "reserved (15)", "x87 floating-point error",
	"alignment check", "machine check", "SIMD floating-point error",
	"virtualization exception", "control protection",
};

static void irq(int n, struct trapframe *tf)
{
	if (n == 7)                    /* spurious: the master sends no EOI for it */
		return;
	if (n >= 8)
		outb(PIC2, 0x20);
	outb(PIC1, 0x20);              /* non-specific EOI, before we maybe switch away */

	if (n == IRQ_TIMER) {
		proc_tick();
		/* Preempt a user process at the end of its tick. The kernel
		 * itself never is: it runs with interrupts off. */
		if ((tf->cs & 3) == 3)
			proc_yield();
	} else if (n == IRQ_UART) {
		uart_intr();
	}
}

/* An exception: ends the user program that caused it, or panics. */
static void user_fault(struct trapframe *tf)
{
	const char *name;

	name = tf->vec < 32 && exception_names[tf->vec] ? exception_names[tf->vec] : "unexpected interrupt";
	if ((tf->cs & 3) == 3) {
		/* A fault in a user program ends that program only. */
		kprintf("%s (pid %d): %s at eip 0x%x", cur->name, cur->pid, name, tf->eip);
		if (tf->vec == T_PGFLT)
			kprintf(", address 0x%x, error 0x%x", read_cr2(), tf->err);
		kprintf(": killed\n");
		proc_exit(128 + (int)tf->vec);
	}
	PANIC("%s (vector %u) in the kernel, error 0x%x, eip 0x%x (fault address 0x%x)",
	      name, tf->vec, tf->err, tf->eip, tf->vec == T_PGFLT ? read_cr2() : tf->eip);
}

void trap(struct trapframe *tf)
{
	if (tf->vec == T_SYSCALL) {
		proc_syscall(tf);
	} else if (tf->vec >= T_IRQ0 && tf->vec < T_IRQ0 + 16) {
		irq(tf->vec - T_IRQ0, tf);
	} else {
		user_fault(tf);
	}
	/* A program that Ctrl-C marked killed (proc_interrupt) ends on its
	 * way back to user mode: whatever the kernel did for it is done.
	 * This catches a program that never makes a system call too, since
	 * the timer interrupts it at least once a tick. */
	if ((tf->cs & 3) == 3 && cur->killed)
		proc_exit(STATUS_INTERRUPTED);
}

/* ---- Boot ---- */

/* boot.S calls this on the boot stack, paging on, interrupts off. */
void kmain(uint32_t mb_magic, uint32_t mb_info)
{
	pic_init();                    /* first: ICW1 forgets pending edges */
	pit_init();
	uart_init();
	kprintf("os-1k: booting\n");
	gdt_init();
	idt_init();
	mm_init(mb_magic, mb_info);
	proc_init();                   /* the boot stack becomes the idle process */
	if (proc_spawn("sh", "") < 0)
		PANIC("cannot start the shell");
	proc_idle();
}
