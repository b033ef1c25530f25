/* os-1k/kernel.h: every kernel constant, structure and cross-file function in one place. */
#ifndef OS1K_KERNEL_H
#define OS1K_KERNEL_H

/* Unsigned in C; plain in assembly, which knows no suffixes. */
#ifdef __ASSEMBLER__
#define U(x) x
#else
#define U(x) x##u
#endif

/* ---- Memory layout (docs/os-1k.md draws it) ---- */
#define KERNBASE       U(0x80000000)   /* physical address p is mapped at KERNBASE + p */
#define PHYS_MAX       U(0x10000000)   /* RAM used and direct-mapped: at most 256 MiB */
#define NKPT           (PHYS_MAX >> 22) /* kernel page tables (4 MiB each) for that */
#define PAGE_SIZE      U(4096)
#define USER_BASE      U(0x00400000)   /* user images are linked here (user/user.ld) */
#define USER_STACK_TOP U(0x7fff0000)   /* below it: USER_STACK_PAGES pages of stack */
#define USER_STACK_PAGES 4
#define BOOT_STACK_SIZE 8192

/* Page table entry bits (Intel SDM Vol. 3A, 4.3 "32-bit paging") */
#define PTE_P U(0x001)   /* present */
#define PTE_W U(0x002)   /* writable */
#define PTE_U U(0x004)   /* user may access */

/* Control register bits (SDM Vol. 3A, 2.5) */
#define CR0_WP U(0x00010000)
#define CR0_PG U(0x80000000)

/* Segment selectors: index << 3 | requested privilege level (SDM Vol. 3A, 3.4.2) */
#define SEG_KCODE 0x08
#define SEG_KDATA 0x10
#define SEG_UCODE 0x1b
#define SEG_UDATA 0x23
#define SEG_TSS   0x28

/* Interrupt vectors */
#define T_PGFLT   14
#define T_IRQ0    0x20           /* the 8259s are remapped to 0x20..0x2f */
#define IRQ_TIMER 0
#define IRQ_UART  4
#define T_SYSCALL 0x80

#define TIMER_HZ  100

/* Console input (uart.c): Ctrl-C, POSIX's INTR character. */
#define CTRL_C    0x03

/* Exit statuses of the VM, written to the gdbvmm hypercall port and to
 * QEMU's isa-debug-exit (where QEMU exits with (status << 1) | 1). */
#define EXIT_OK    0
#define EXIT_PANIC 3

#ifndef __ASSEMBLER__

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "os-1k/lib.h"

#define P2V(pa) ((void *)((uint32_t)(pa) + KERNBASE))
#define V2P(va) ((uint32_t)(va) - KERNBASE)

/* What the interrupt stubs in entry.S push, lowest address first: the
 * segment registers, pusha, the vector and error code, then the CPU's
 * own frame (SDM Vol. 3A, 6.12.1: esp and ss only on a privilege change). */
struct trapframe {
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;
	uint32_t vec, err;
	uint32_t eip, cs, eflags;
	uint32_t esp, ss;            /* only when coming from user mode */
};

/* Process table: a static array, so gdb can walk it (os-1k/gdbinit). */
#define NPROC      16
#define PROC_NAME  16

enum proc_state { UNUSED, RUNNABLE, RUNNING, BLOCKED, ZOMBIE };

struct proc {
	enum proc_state state;
	int pid;
	char name[PROC_NAME];
	struct proc *parent;
	uint32_t *pgdir;          /* kernel virtual address of its page directory */
	uint8_t *kstack;          /* one page; its top is TSS.esp0 while it runs */
	uint32_t ksp;             /* saved kernel stack pointer while switched out */
	const void *wait_on;      /* what a BLOCKED process waits for */
	uint32_t wake_tick;       /* a sleeping process wakes at this tick */
	int killed;               /* Ctrl-C: end at the next safe point (proc.c) */
	int exit_status;
};

extern struct proc procs[NPROC];
extern struct proc *cur;
extern const char *const proc_state_names[];
extern uint32_t ticks;

/* An embedded user program (images.S). */
struct program {
	const char *name;
	const uint8_t *image;
	uint32_t size;
};
extern const struct program programs[];

/* kernel.c */
#define PANIC(...) panic(__FILE__, __LINE__, __VA_ARGS__)
void panic(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
void power_off(int status) __attribute__((noreturn));
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tss_set_kstack(uint32_t esp0);
void trap(struct trapframe *tf);

/* mm.c */
void mm_init(uint32_t mb_magic, uint32_t mb_info);
void *page_alloc(void);           /* one zeroed page (kernel virtual), or NULL */
void page_free(void *va);
uint32_t *mm_new_pgdir(void);
int mm_map_user(uint32_t *pgdir, uint32_t va, void **page);
void mm_free_pgdir(uint32_t *pgdir);
int mm_user_ok(const uint32_t *pgdir, uint32_t va, uint32_t len);
void mm_switch(uint32_t *pgdir);
extern uint32_t kpgdir[1024];
extern uint32_t free_pages;

/* proc.c */
void proc_init(void);
int proc_spawn(const char *name, const char *arg);
void proc_exit(int status) __attribute__((noreturn));
void proc_yield(void);
void proc_block(const void *wait_on);
void proc_wakeup(const void *wait_on);
int proc_interrupt(void);
void proc_tick(void);
void proc_syscall(struct trapframe *tf);
void proc_idle(void) __attribute__((noreturn));

/* uart.c */
void uart_init(void);
void uart_putc(char c);
void uart_intr(void);
int uart_readline(char *buf, int size);

/* entry.S */
void swtch(uint32_t *save_ksp, uint32_t new_ksp);
void trapret(void);
extern const uint32_t trap_vectors[];

/* Port I/O and a few privileged instructions */
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t read_cr2(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

#endif /* __ASSEMBLER__ */
#endif
