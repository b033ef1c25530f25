/* tests/unit/fake_target.h: an in-memory machine behind gdb_target_ops, for the stub's tests (no KVM). */
#ifndef TESTS_UNIT_FAKE_TARGET_H
#define TESTS_UNIT_FAKE_TARGET_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "gdbstub/target.h"

#define FAKE_MAX_CPUS 8
#define FAKE_RAM_SIZE (2u << 20) /* 2 MiB of "physical" memory at 0 */
#define FAKE_MAX_BPS 4           /* then insert_bp says -ENOSPC */
#define FAKE_QUEUE 16

struct fake_bp {
	enum gdb_bp_type type;
	uint64_t addr, len;
	unsigned flags;
};

struct fake_target {
	enum gdb_arch arch;
	int ncpus;
	struct x86_state cpu[FAKE_MAX_CPUS];
	uint8_t *ram;
	/* [hole_lo, hole_hi) reads and writes fail with -EFAULT */
	uint64_t hole_lo, hole_hi;

	struct fake_bp bps[FAKE_MAX_BPS];
	int nbps;
	int bp_error;            /* when nonzero, insert_bp returns it */

	/* what the stub asked for */
	enum gdb_resume_action last_actions[FAKE_MAX_CPUS];
	int resumes, interrupts, attaches, detaches, kills;
	unsigned last_mem_flags;
	int last_mem_cpu;
	int get_state_error;     /* when nonzero, get_state returns it */

	/* stops waiting to be taken; event_fd is readable while any is */
	struct gdb_stop queue[FAKE_QUEUE];
	int qlen;
	int pipefd[2];

	/* sim mode (for the real-gdb test): resume "executes" straight-line
	 * code: a step advances the pc by one and stops with SIGTRAP, a
	 * continue stops at the next breakpoint above the pc, or exits with
	 * sim_exit when there is none (or runs until interrupted when
	 * sim_exit < 0) */
	bool sim;
	int sim_exit;
	bool post_on_attach;     /* attach posts the SIGNAL 0 stop (default) */
	bool detach_posts;       /* detach posts detach_stop (the machine
	                          * exits or faults once the client left) */
	struct gdb_stop detach_stop;

	/* here mode: the sim's stops are queued without a word to
	 * event_fd, and on_sim_stop is called instead (test_gdb_conn.c
	 * serves them on a thread of its own, as a vCPU's thread serves the
	 * stop its parking completed: gdb_stub_serve_here). `running` is the
	 * pretend vCPU's state, set by resume. */
	bool here;
	void (*on_sim_stop)(struct fake_target *f);
	void *here_arg;
	pthread_t here_thread;   /* get_stop counts the stops taken on it */
	_Atomic bool running;
	int taken_here, taken_elsewhere;
};

/* A stopped machine of `ncpus` vCPUs in 32-bit protected mode (flat
 * segments), RAM filled with the byte pattern i & 0xff. 0 or -errno. */
int fake_init(struct fake_target *f, enum gdb_arch arch, int ncpus);
void fake_fini(struct fake_target *f);

/* Put vCPU `cpu` in real mode at CS:IP. */
void fake_real_mode(struct fake_target *f, int cpu, uint16_t cs, uint16_t ip);

/* Queue a stop and make event_fd readable. */
void fake_post(struct fake_target *f, const struct gdb_stop *st);

extern const struct gdb_target_ops fake_ops;

#endif
