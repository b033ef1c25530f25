/* vmm/vm.h: the monitor's whole internal API: the machine, its vCPUs, guest memory, the I/O bus.
 *
 * Ownership: main() creates one struct vm and passes it down; nothing in
 * the monitor lives in a global. Library functions return 0 (or a count)
 * or a negative errno; only main() and a vCPU thread's top level turn an
 * error into a message and an exit status.
 *
 * Guest physical memory map (docs/architecture.md has the picture):
 *   0x00000-0x003ff  real-mode IVT (zeroed)
 *   0x00500-0x0051f  a flat GDT for protected-mode entry (null, code 0x08, data 0x10, code64 0x18)
 *   0x01000-0x08fff  one 4 KiB boot page per image: multiboot info, command
 *                    line, memory map; its top is that image's boot stack
 *   0x09000-0x0efff  identity-mapping page tables for 64-bit ELF entry
 *   0x10000-0x8ffff  eight 64 KiB windows for flat real-mode images
 *   0x100000-        multiboot / ELF kernels, at their physical addresses
 * A Linux kernel (vmm/linux.c) has its own low memory: its GDT at
 * 0x520, boot_params at 0x7000, the command line at 0x20000, the same
 * identity map, and the ACPI tables at 0xe0000 (vmm/acpi.c).
 * RAM above VM_LOW_RAM_MAX goes above 4 GiB: 3-4 GiB is the hole where the
 * IOAPIC and LAPIC live, as on a PC.
 */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#include <linux/kvm.h>

#include "vmm/iobus.h"

#define VM_MAX_IMAGES      8          /* 64 KiB windows in 0x10000-0x8ffff */
#define VM_MAX_VCPUS       255        /* --smp: APIC IDs 0-254 (xAPIC: 255 is broadcast) */
#define VM_WINDOW_BASE     0x10000u
#define VM_WINDOW_SIZE     0x10000u
#define VM_FLAT_MAX        0xf000u    /* leaves 4 KiB of stack in the window */
#define VM_GDT_ADDR        0x500u
#define VM_BOOTINFO_BASE   0x1000u    /* + 0x1000 * image index */
#define VM_PT_BASE         0x9000u    /* PML4, PDPT, 4 PDs for 64-bit entry */
#define VM_LOW_RESERVED    0x10000u   /* kernels may not load below this */
#define VM_DEFAULT_RAM     (128ull << 20)
#define VM_LOW_RAM_MAX     (3ull << 30) /* RAM below the 3-4 GiB hole */
#define VM_HOLE_END        (4ull << 30)
#define VM_MAX_RAM         (1ull << 40) /* -m: 1 TiB, if the host has it */
#define VM_MAX_OWN_PAGES   64         /* RAM pages with a slot of their own (debugger) */

/* Exit statuses of the monitor itself (a guest's own status is 0..255 and
 * passes through unchanged). */
enum vm_status {
	VM_STATUS_QUIT = 0,           /* Ctrl-A x on the console, as QEMU's */
	VM_STATUS_PANIC = 120,        /* the guest kernel panicked (pvpanic) */
	VM_STATUS_USAGE = 2,          /* bad usage, bad image, no usable /dev/kvm */
	VM_STATUS_TRIPLE_FAULT = 121, /* KVM_EXIT_SHUTDOWN */
	VM_STATUS_EMULATION = 122,    /* KVM_EXIT_INTERNAL_ERROR */
	VM_STATUS_UNHANDLED = 123,    /* an exit the monitor cannot handle */
	VM_STATUS_TIMEOUT = 124,      /* --timeout ran out (as timeout(1)) */
	VM_STATUS_HOST_LACKS = 125,   /* the host KVM cannot run what the guest did */
};

enum image_kind {
	IMAGE_FLAT,       /* real-mode flat binary in a 64 KiB window */
	IMAGE_MULTIBOOT,  /* Multiboot v1: ELF32 or a.out-kludge image */
	IMAGE_ELF64,      /* 64-bit ELF, entered in long mode */
	IMAGE_LINUX,      /* Linux bzImage or vmlinux, the x86-64 boot protocol */
};

/* How a vCPU starts: filled by the loader, applied by vcpu_reset(). */
struct boot_state {
	enum image_kind kind;
	uint64_t entry;     /* linear address of the first instruction */
	uint64_t window;    /* IMAGE_FLAT: linear base of the window */
	uint64_t info;      /* multiboot info address (EBX); Linux: boot_params (RSI) */
	uint64_t stack;     /* initial stack pointer */
};

#define IMAGE_MAX_SEGS 8

/* One loaded ELF segment: its virtual range and where it sits in RAM. */
struct image_seg {
	uint64_t vaddr, paddr, size;
};

struct image {
	const char *path;
	const char *name;    /* basename, for messages */
	struct boot_state boot;
	uint64_t lo, hi;     /* guest-physical range the image occupies */
	bool elf_symbols;    /* has debug info: the arch for gdb comes from it */
	struct image_seg segs[IMAGE_MAX_SEGS];
	int nr_segs;
};

enum vcpu_state {
	VCPU_RUNNING,
	VCPU_FINISHED,   /* guest ended (exit hypercall, hlt) */
	VCPU_FAULTED,    /* guest faulted; vm->fault_line says how */
};

/* How KVM sees a RAM page the debugger set apart (vm_map_ram). */
enum vm_page_map {
	VM_PAGE_RW,   /* as any RAM, in a slot of its own */
	VM_PAGE_RO,   /* read-only: a guest write exits as MMIO */
	VM_PAGE_NONE, /* unmapped: a data access exits as MMIO, a fetch as an
			 emulation failure */
};

struct vm_page {
	uint64_t gpa;
	enum vm_page_map map;
};

struct vm;

struct vcpu {
	struct vm *vm;
	int index;
	int con;             /* its console stream: the index of its image */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool thread_started; /* under vm->kick_lock: a kick never signals a joined thread */
	const struct image *image;
	_Atomic enum vcpu_state state;
	int status;          /* guest exit status when FINISHED */
	_Atomic bool stop_req; /* leave KVM_RUN and look at vm->exiting / park */
	bool parked;         /* under vm->pause_lock: waiting in park() for vcpu_unpark */
	_Atomic unsigned unparks; /* vcpu_unpark calls: a stop that ended, to any thread */
	bool io_pending;     /* last exit was I/O or MMIO: complete before parking */
	bool sync_fresh;     /* the sync-regs area holds the registers KVM has now */
	bool retry;          /* the last exit's handler must run again (IO_RETRY) */
	uint32_t io_done;    /* elements of a `rep ins/outs` exit already handled */
	/* register cache when the host has no KVM_CAP_SYNC_REGS */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	bool regs_valid, sregs_valid, regs_dirty;
	uint64_t exits[64];  /* per exit reason, for --stats */
};

/* What a debugger (vmm/debug.c) adds to the vCPU loop: the core calls
 * these on its vCPU threads at the exits a debugger cares about and
 * around parking; it calls none while vm->hooks is NULL (no --gdb).
 * The core owns parking: a vCPU asked to stop (stop_req) completes any
 * pending I/O inside KVM, marks itself parked and waits on
 * vm->pause_cond until vcpu_unpark. The hooks marked "locked" run
 * under vm->pause_lock, which the debugger takes for its own state. */
struct vm_hooks {
	/* KVM_EXIT_DEBUG (KVM sends none unless a debugger asked). */
	void (*debug_exit)(struct vcpu *cpu);
	/* A port I/O exit, before the devices: true when it was the
	 * debugger's own (the vCPU has been asked to stop). */
	bool (*io)(struct vcpu *cpu);
	/* A lone port I/O access is done: true when the vCPU single-steps;
	 * the core then finishes the access inside KVM at once and reports
	 * the step through debug_exit. */
	bool (*io_step)(struct vcpu *cpu);
	/* An emulation failure: true when the debugger takes it. */
	bool (*emulation_failure)(struct vcpu *cpu);
	/* A guest write the core did to RAM that KVM maps read-only. */
	void (*ram_write)(struct vcpu *cpu, uint64_t gpa, uint64_t len);
	/* A fault: true when the debugger takes it (the vCPU parks, the
	 * machine stays), false when the machine ends as usual. */
	bool (*fault)(struct vcpu *cpu, const char *line, int status, int sig);
	/* Parking: pending I/O is complete (not locked); parked (locked,
	 * `again` when the vCPU was unparked and stopped again before it
	 * ran); parked, the lock let go once before the wait (not locked);
	 * unparked, about to run on (locked). */
	void (*park_begin)(struct vcpu *cpu);
	void (*parked)(struct vcpu *cpu, bool again);
	void (*parked_unlocked)(struct vcpu *cpu);
	void (*unparked)(struct vcpu *cpu);
	/* This vCPU's thread is ending. */
	void (*ended)(struct vcpu *cpu);
};

struct console;
struct vm_debug;

struct vm_opts {
	int verbose;
	bool stats;
	uint64_t ram_size;
	int irqchip;         /* -1 auto, 0 off, 1 on */
	const char *append;  /* extra multiboot command line; Linux: the command line */
	int smp;             /* vCPUs of a Linux kernel (0: not given, 1) */
	const char *initrd;  /* Linux: the initial RAM disk */
	bool debug;          /* a debugger may attach (--gdb): probe its abilities too */
};

/* What the host KVM can do, probed once at start (vm_probe_host, in
 * vmm/hostprobe.c); the debug abilities (single_step, sw_bp, hw_bp, hw_wp)
 * only when vm_opts.debug, else false. */
struct host_caps {
	bool is_pvm;          /* kvm-pvm: no 32-bit paging, no PM interrupts */
	bool sync_regs;
	bool single_step;     /* KVM_GUESTDBG_SINGLESTEP works */
	bool immediate_exit;
	bool blockirq;        /* KVM_GUESTDBG_BLOCKIRQ */
	bool sw_bp;           /* int3 intercept comes back as KVM_EXIT_DEBUG */
	bool hw_bp;           /* execution breakpoints in DR0-3 fire */
	bool hw_wp;           /* data breakpoints fire */
	bool ro_mem;          /* KVM_CAP_READONLY_MEM: write watchpoints by page */
	bool emul_exit;       /* KVM_CAP_EXIT_ON_EMULATION_FAILURE: a fetch from
				 an unmapped page exits at any CPL */
	bool tsc_deadline;    /* KVM_CAP_TSC_DEADLINE_TIMER: the in-kernel LAPIC has it */
	int max_vcpus;
};

/* --timeout's thread (vm_timeout_start), joined by vm_wait. */
struct vm_timer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned seconds;
	bool cancel;
	bool running;
};

struct vm {
	struct vm_opts opts;
	struct host_caps caps;
	int kvm_fd;
	int vm_fd;
	uint8_t *ram;             /* guest-physical 0..ram_size; never the hole */
	uint64_t ram_size;        /* end of guest-physical RAM (above 4 GiB with high RAM) */
	uint64_t low_end;         /* RAM below the hole ends here (= ram_size without one) */
	bool irqchip;
	struct iobus bus;
	struct console *con;
	int nr_vcpus;
	int nr_images;
	struct vcpu vcpus[VM_MAX_VCPUS];
	struct image images[VM_MAX_IMAGES];
	int run_size;
	uint32_t nr_slots;        /* KVM memory slots RAM is laid out in */
	int nr_own;               /* RAM pages in a slot of their own */
	struct vm_page own[VM_MAX_OWN_PAGES];
	uint32_t own_slot[VM_MAX_OWN_PAGES];

	/* Run state, under lock. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int running;              /* vCPUs not yet finished or faulted */
	_Atomic bool exiting;     /* the whole machine is ending */
	int exit_status;          /* status when exiting (isa-debug-exit, fault) */
	char fault_line[384];     /* the one line that explains a fault */
	uint64_t mmio_logged[32]; /* unclaimed MMIO addresses already reported */
	unsigned nr_mmio_logged;

	/* Parking (vmm/vcpu.c), and the debugger's state, under pause_lock. */
	pthread_mutex_t pause_lock;
	pthread_cond_t pause_cond;
	const struct vm_hooks *hooks; /* set before vm_start, then fixed */
	struct vm_debug *_Atomic dbg; /* non-NULL while a gdb stub may attach;
				       * set once the engine is built (the signal
				       * thread may read it any time) */
	pthread_mutex_t kick_lock; /* every vCPU's thread_started (vcpu_kick) */
	void *devices[8];         /* device state, owned by vmm/devices.c */
	struct vm_timer timer;
};

/* Transparent huge pages under guest RAM, where the host allows them (its
 * setting "madvise" or "always"): KVM then maps the guest's RAM 2 MiB at a
 * time, 512 times fewer faults to take as a big guest (Linux) touches its
 * memory, which counts most where KVM is nested (the lane: a Linux boot
 * 25% faster). vm_alloc_ram aligns RAM to 2 MiB for it. Only a hint. */
static inline void vm_ram_hugepages(struct vm *vm)
{
	(void)madvise(vm->ram, vm->ram_size, MADV_HUGEPAGE);
}

/* vm.c */
int vm_create(struct vm *vm, const struct vm_opts *opts);
/* A machine with RAM and no KVM: images load into it only to be checked,
 * before vmm/lane.c runs them on the lane's KVM. vm_destroy frees it. */
int vm_create_offline(struct vm *vm, const struct vm_opts *opts);
void vm_destroy(struct vm *vm);
int vm_setup_irqchip(struct vm *vm);
int vm_irq_line(struct vm *vm, unsigned irq, int level);
/* Guest-physical range -> host pointer, or NULL if any byte is outside RAM
 * (past its end, or in the hole below 4 GiB). Inline: the loader and its
 * tests use it without the rest of the machine. */
static inline void *vm_gpa(struct vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t end;
	if (__builtin_add_overflow(gpa, len, &end) || end > vm->ram_size)
		return NULL;
	if (end > vm->low_end && gpa < VM_HOLE_END)
		return NULL; /* in the hole (only there is one: else end <= low_end) */
	return vm->ram + gpa;
}
/* Lays RAM out in KVM with each of these pages in a memory slot of its
 * own, mapped as it says (a page named twice: the most restrictive). Only while no vCPU
 * is in KVM_RUN: every slot is laid out again. */
int vm_map_ram(struct vm *vm, const struct vm_page *pages, int n);
/* Maps one page of that layout another way: only its own slot changes,
 * so other vCPUs may run meanwhile. -ENOENT if it has no slot of its own. */
int vm_set_page(struct vm *vm, uint64_t gpa, enum vm_page_map map);
/* How such a page is mapped now; -ENOENT if it has no slot of its own. */
int vm_page_map(struct vm *vm, uint64_t gpa, enum vm_page_map *map);
/* KVM_CAP_EXIT_ON_EMULATION_FAILURE: an instruction KVM cannot emulate
 * (e.g. fetched from an unmapped page) exits even at CPL 3, where KVM
 * would otherwise raise #UD in the guest. */
int vm_exit_on_emulation_failure(struct vm *vm, bool on);
int vm_start(struct vm *vm);
/* --timeout: end the machine with VM_STATUS_TIMEOUT if a guest still
 * runs `seconds` from now. 0 or -errno (no timer then). */
int vm_timeout_start(struct vm *vm, unsigned seconds);
/* Wait until every vCPU finished or the machine is exiting, the timeout
 * (started here when timeout_s, or before by vm_timeout_start) included,
 * then join the vCPU threads; the machine's exit status. */
int vm_wait(struct vm *vm, unsigned timeout_s);
/* The machine's exit status, under vm->lock: the one it was ended with,
 * else the first guest's own nonzero status, else 0. */
int vm_exit_status_locked(struct vm *vm);
/* End the machine with `status` (isa-debug-exit, a fault, a signal). */
void vm_request_exit(struct vm *vm, int status);
void vm_print_stats(struct vm *vm);

/* hostprobe.c: fills vm->caps (vm_create calls it): KVM's capabilities,
 * and with vm->opts.debug a self-test in scratch VMs: tiny guests learn
 * whether single-step works, an intercepted int3 comes back as
 * KVM_EXIT_DEBUG, and execution and data breakpoints fire. */
int vm_probe_host(struct vm *vm);

/* vcpu_boot.c */
int vcpu_create(struct vm *vm, int index, const struct image *img);
void vcpu_destroy(struct vcpu *cpu);
int vcpu_reset(struct vcpu *cpu);

/* vcpu.c */
void *vcpu_thread(void *arg);
void vcpu_kick(struct vcpu *cpu);
void vcpu_install_kick_handler(void);
/* Under vm->pause_lock: the parked vCPU runs on once its thread wakes,
 * which vcpu_wake_unparked does after the lock is let go (woken under
 * it, the thread would at once wait for the lock). */
void vcpu_unpark(struct vcpu *cpu);
void vcpu_wake_unparked(struct vm *vm);

/* vcpu_regs.c */
/* false while the vCPU waits for its INIT/SIPI (a kernel's AP not yet
 * woken); asks KVM, so only of a vCPU outside KVM_RUN. */
bool vcpu_started(struct vcpu *cpu);
/* Registers at an exit, through the sync-regs area when the host has it. */
struct kvm_regs *vcpu_regs(struct vcpu *cpu);
struct kvm_sregs *vcpu_sregs(struct vcpu *cpu);
void vcpu_regs_dirty(struct vcpu *cpu);
/* Segment and control registers synced at every exit (on) or fetched
 * when needed (off): on while the vCPU single-steps. Its own thread. */
void vcpu_sync_sregs(struct vcpu *cpu, bool on);
/* The registers KVM has now, on the vCPU's own thread outside KVM_RUN
 * (from the sync-regs area when it is fresh, else asked of KVM): 0 or
 * a -errno, and then the structures are not to be used. */
int vcpu_get_state(struct vcpu *cpu, struct kvm_regs *regs, struct kvm_sregs *sregs);
/* rip put back after an exit whose instruction KVM has completed: 0 or a -errno. */
int vcpu_set_rip(struct vcpu *cpu, uint64_t rip);
/* A parked or ended vCPU's registers into KVM (NULL: that part stays),
 * from another thread; the core's caches of them are dropped. 0 or the
 * first -errno, the parts after a refused one not written. */
int vcpu_put_state(struct vcpu *cpu, const struct kvm_regs *regs, const struct kvm_sregs *sregs,
		   const struct kvm_fpu *fpu);
/* An exception into the guest at its next entry (vector, no error code). */
int vcpu_inject_exception(struct vcpu *cpu, uint8_t vector);
/* "real mode", "protected mode", "long mode", ... */
const char *vcpu_mode_name(const struct kvm_sregs *s);
/* Translate a linear address of this vCPU to guest-physical (page walk). */
int vcpu_translate(struct vcpu *cpu, uint64_t la, uint64_t *gpa, uint64_t *page_left);
/* The same with given control registers (a parked vCPU's, as the debugger sees them). */
int vcpu_translate_sregs(struct vm *vm, const struct kvm_sregs *s, uint64_t la, uint64_t *gpa,
			 uint64_t *page_left);
/* The same, keeping each level of the walk (walk may be NULL). */
struct mmu_walk;
int vcpu_walk(struct vm *vm, const struct kvm_sregs *s, uint64_t la, uint64_t *gpa,
	      uint64_t *page_left, struct mmu_walk *walk);
/* Guest-physical read for the page walker (opaque is the struct vm). */
int vcpu_read_phys(void *opaque, uint64_t gpa, void *buf, size_t len);
/* Copy guest memory at a linear address (page by page). Returns 0/-EFAULT. */
int vcpu_read_linear(struct vcpu *cpu, uint64_t la, void *buf, uint64_t len);

#endif
