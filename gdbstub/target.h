/* gdbstub/target.h: the one interface through which the gdb stub sees a machine.
 *
 * The stub never includes <linux/kvm.h>. Everything it knows of the machine
 * comes through struct gdb_target_ops: the VMM implements it over KVM
 * (vmm/gdbserver.c) and the unit tests over plain memory (tests/unit/).
 *
 * Conventions: every function returns 0 (or a count) on success and a
 * negative errno on failure. CPU numbers are 0-based here; the stub maps
 * them to gdb thread ids 1..N.
 */
#ifndef GDBSTUB_TARGET_H
#define GDBSTUB_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every machine register the stub may show, architecture-level (no KVM). */
enum x86_reg {
	X86_RAX, X86_RBX, X86_RCX, X86_RDX, X86_RSI, X86_RDI, X86_RBP, X86_RSP,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
	X86_RIP, X86_RFLAGS,
	/* segment selectors, then their hidden parts */
	X86_CS, X86_SS, X86_DS, X86_ES, X86_FS, X86_GS, X86_TR, X86_LDTR,
	X86_CS_BASE, X86_SS_BASE, X86_DS_BASE, X86_ES_BASE, X86_FS_BASE,
	X86_GS_BASE, X86_TR_BASE, X86_LDTR_BASE,
	X86_CS_LIMIT, X86_SS_LIMIT, X86_DS_LIMIT, X86_ES_LIMIT, X86_FS_LIMIT,
	X86_GS_LIMIT, X86_TR_LIMIT, X86_LDTR_LIMIT,
	/* access rights as in the descriptor's bytes 5-6 (type, S, DPL, P,
	 * AVL, L, D/B, G), bit 16 set when the segment is unusable */
	X86_CS_ATTR, X86_SS_ATTR, X86_DS_ATTR, X86_ES_ATTR, X86_FS_ATTR,
	X86_GS_ATTR, X86_TR_ATTR, X86_LDTR_ATTR,
	X86_GDTR_BASE, X86_GDTR_LIMIT, X86_IDTR_BASE, X86_IDTR_LIMIT,
	X86_CR0, X86_CR2, X86_CR3, X86_CR4, X86_CR8, X86_EFER,
	X86_DR0, X86_DR1, X86_DR2, X86_DR3, X86_DR6, X86_DR7,
	/* x87 control state (FXSAVE layout widths), SSE control */
	X86_FCTRL, X86_FSTAT, X86_FTAG, X86_FISEG, X86_FIOFF, X86_FOSEG,
	X86_FOOFF, X86_FOP, X86_MXCSR,
	X86_NR_SCALAR
};

/* One vCPU's register state. st[] and xmm[] are raw little-endian bytes. */
struct x86_state {
	uint64_t r[X86_NR_SCALAR];
	uint8_t st[8][10];
	uint8_t xmm[16][16];
};

/* The gdb architecture the session uses; fixed for the session. */
enum gdb_arch {
	GDB_ARCH_I386,   /* 32-bit kernels: i386 target description */
	GDB_ARCH_X86_64, /* a 64-bit ELF was loaded */
	GDB_ARCH_I8086,  /* only real-mode images: the i386 registers, "i8086" code */
};

/* Z/z packet types (GDB manual, "Packets", Z0-Z4). */
enum gdb_bp_type {
	GDB_BP_SW = 0,     /* software breakpoint */
	GDB_BP_HW = 1,     /* hardware breakpoint */
	GDB_WP_WRITE = 2,
	GDB_WP_READ = 3,
	GDB_WP_ACCESS = 4,
};

/* What each vCPU does on resume (from vCont, or c/s with Hc). */
enum gdb_resume_action {
	GDB_RESUME_NONE = 0, /* stays stopped */
	GDB_RESUME_CONT,
	GDB_RESUME_STEP,
};

enum gdb_stop_kind {
	GDB_STOP_SIGNAL,  /* stopped with `signal` (Ctrl-C: SIGINT=2, step: SIGTRAP=5) */
	GDB_STOP_SWBREAK, /* hit a Z0 breakpoint (signal 5) */
	GDB_STOP_HWBREAK, /* hit a Z1 breakpoint (signal 5) */
	GDB_STOP_WATCH,   /* Z2 hit, `addr` is the data address (signal 5) */
	GDB_STOP_RWATCH,  /* Z3 hit */
	GDB_STOP_AWATCH,  /* Z4 hit */
	GDB_STOP_FAULT,   /* the guest faulted (triple fault, emulation failure):
	                   * signal is 11 (SIGSEGV) or 4 (SIGILL), `text` says why */
	GDB_STOP_EXITED,  /* every guest has finished; `status` is the exit status */
};

struct gdb_stop {
	enum gdb_stop_kind kind;
	int cpu;      /* the vCPU that stopped (0-based); -1 for EXITED */
	int signal;   /* gdb signal number */
	uint64_t addr;
	int status;
	char text[384]; /* a fault line names vCPU, mode, CS:IP and the host's limits */
};

/* Flags for read_mem/write_mem. */
#define GDB_MEM_PHYS 1u /* addr is guest-physical, not virtual for `cpu` */

struct gdb_target_ops {
	enum gdb_arch (*arch)(void *tgt);
	int (*nr_cpus)(void *tgt);
	/* Has this vCPU started? A kernel's APs are there from the start but
	 * run only once it wakes them: gdb lists them as threads from then on.
	 * NULL: every vCPU always. */
	bool (*cpu_online)(void *tgt, int cpu);
	/* One line for qThreadExtraInfo, e.g. "vCPU 0 hello.bin, real mode". */
	int (*cpu_describe)(void *tgt, int cpu, char *buf, size_t len);

	/* Registers of a stopped vCPU. set_state writes back the whole state
	 * (the stub reads, modifies, writes). */
	int (*get_state)(void *tgt, int cpu, struct x86_state *st);
	int (*set_state)(void *tgt, int cpu, const struct x86_state *st);

	/* Memory as `cpu` sees it: virtual addresses translated through its
	 * page tables unless GDB_MEM_PHYS. Reads never touch a device.
	 * Return 0, or -EFAULT when any byte is unmapped or outside RAM. */
	int (*read_mem)(void *tgt, int cpu, uint64_t addr, void *buf, size_t len,
			unsigned flags);
	int (*write_mem)(void *tgt, int cpu, uint64_t addr, const void *buf,
			 size_t len, unsigned flags);

	/* Breakpoints and watchpoints apply to every vCPU. `addr` is virtual
	 * for `cpu` (the selected one) unless `flags` has GDB_MEM_PHYS (the
	 * user said `monitor phys on`), `len` is gdb's kind/length field.
	 * -ENOSPC when no resource is left, -EOPNOTSUPP when the type cannot
	 * be done at all (or not at a physical address), -EFAULT for an
	 * unmapped address. */
	int (*insert_bp)(void *tgt, int cpu, enum gdb_bp_type type, uint64_t addr,
			 uint64_t len, unsigned flags);
	int (*remove_bp)(void *tgt, int cpu, enum gdb_bp_type type, uint64_t addr,
			 uint64_t len, unsigned flags);

	/* Resume with one action per vCPU (array of nr_cpus). Returns at once;
	 * the next stop is announced through event_fd. If an event is already
	 * pending (two vCPUs hit at once), the target reports it without
	 * running anything. */
	int (*resume)(void *tgt, const enum gdb_resume_action *actions);
	/* Ask every running vCPU to stop (Ctrl-C). The stop arrives as an event
	 * with signal 2. */
	int (*interrupt)(void *tgt);
	/* A file descriptor that is readable while a stop is pending. */
	int (*event_fd)(void *tgt);
	/* Take the pending stop: 0 and *stop filled, or -EAGAIN when none.
	 * When this returns 0 every vCPU is stopped (all-stop). */
	int (*get_stop)(void *tgt, struct gdb_stop *stop);

	/* `monitor` commands the target owns (info, regs, pagewalk, sstep...).
	 * Writes text (lines ending in \n) to out; -ENOENT for an unknown
	 * command. The stub owns help, phys and quit; for `monitor help` it
	 * asks the target for "help" and appends what it writes (one line
	 * per command, e.g. "  info           the machine\n"). */
	int (*monitor)(void *tgt, int cpu, const char *cmd, char *out, size_t len);

	/* A client attached (the target stops every vCPU and reports when
	 * they are all stopped, as a GDB_STOP_SIGNAL with signal 0 ... the stub
	 * then answers `?` from it). */
	int (*attach)(void *tgt);
	/* Remove every breakpoint and watchpoint, restore every planted byte,
	 * and let the machine run on. */
	void (*detach)(void *tgt);
	/* End the machine: every vCPU stops for good and the monitor exits. */
	void (*kill)(void *tgt);
};

#endif
