/* tests/unit/fake_target.c: gdb_target_ops over plain memory, with scripted stops and a tiny "CPU". */
#include "tests/unit/fake_target.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void flat_segments(struct x86_state *st)
{
	for (int i = 0; i < 6; i++) {
		st->r[X86_CS + i] = i == 0 ? 0x08 : 0x10;
		st->r[X86_CS_BASE + i] = 0;
		st->r[X86_CS_LIMIT + i] = 0xffffffff;
		st->r[X86_CS_ATTR + i] = i == 0 ? 0xc09b : 0xc093;
	}
}

int fake_init(struct fake_target *f, enum gdb_arch arch, int ncpus)
{
	memset(f, 0, sizeof(*f));
	if (ncpus < 1 || ncpus > FAKE_MAX_CPUS)
		return -EINVAL;
	f->arch = arch;
	f->ncpus = ncpus;
	f->ram = malloc(FAKE_RAM_SIZE);
	if (!f->ram)
		return -ENOMEM;
	for (uint32_t i = 0; i < FAKE_RAM_SIZE; i++)
		f->ram[i] = (uint8_t)i;
	if (pipe2(f->pipefd, O_CLOEXEC | O_NONBLOCK)) {
		free(f->ram);
		return -errno;
	}
	for (int c = 0; c < ncpus; c++) {
		struct x86_state *st = &f->cpu[c];
		for (int r = 0; r < X86_NR_SCALAR; r++)
			st->r[r] = 0x1000u * (unsigned)(c + 1) + (unsigned)r;
		flat_segments(st);
		st->r[X86_RIP] = 0x1000 + 0x100u * (unsigned)c;
		st->r[X86_RFLAGS] = 0x202;
		st->r[X86_CR0] = 0x11; /* PE ET */
		st->r[X86_CR4] = 0;
		st->r[X86_EFER] = arch == GDB_ARCH_X86_64 ? 0x500 : 0;
		st->r[X86_FCTRL] = 0x37f;
		st->r[X86_FSTAT] = 0;
		st->r[X86_FTAG] = 0; /* abridged: all empty */
		st->r[X86_MXCSR] = 0x1f80;
		for (int x = 0; x < 16; x++)
			memset(st->xmm[x], x, 16);
	}
	f->sim_exit = -1;
	f->post_on_attach = true;
	f->hole_lo = f->hole_hi = 0;
	return 0;
}

void fake_fini(struct fake_target *f)
{
	free(f->ram);
	f->ram = NULL;
	close(f->pipefd[0]);
	close(f->pipefd[1]);
}

void fake_real_mode(struct fake_target *f, int cpu, uint16_t cs, uint16_t ip)
{
	struct x86_state *st = &f->cpu[cpu];
	for (int i = 0; i < 6; i++) {
		st->r[X86_CS + i] = i == 0 ? cs : 0;
		st->r[X86_CS_BASE + i] = i == 0 ? (uint64_t)cs << 4 : 0;
		st->r[X86_CS_LIMIT + i] = 0xffff;
		st->r[X86_CS_ATTR + i] = 0x93;
	}
	st->r[X86_RIP] = ip;
	st->r[X86_CR0] = 0x10;
	st->r[X86_EFER] = 0;
	st->r[X86_RFLAGS] = 0x2;
}

void fake_post(struct fake_target *f, const struct gdb_stop *st)
{
	if (f->qlen == FAKE_QUEUE)
		return;
	f->queue[f->qlen++] = *st;
	(void)!write(f->pipefd[1], "s", 1);
}

/* A stop of the pretend CPU: in here mode queued without a word to
 * event_fd, and on_sim_stop told. */
static void sim_post(struct fake_target *f, const struct gdb_stop *st)
{
	if (!f->here) {
		fake_post(f, st);
		return;
	}
	if (f->qlen == FAKE_QUEUE)
		return;
	f->queue[f->qlen++] = *st;
	f->on_sim_stop(f);
}

static enum gdb_arch f_arch(void *tgt)
{
	return ((struct fake_target *)tgt)->arch;
}

static int f_nr_cpus(void *tgt)
{
	return ((struct fake_target *)tgt)->ncpus;
}

static int f_describe(void *tgt, int cpu, char *buf, size_t len)
{
	struct fake_target *f = tgt;
	const struct x86_state *st = &f->cpu[cpu];
	const char *mode = !(st->r[X86_CR0] & 1) ? "real mode"
			   : (st->r[X86_EFER] & 0x400) ? "long mode"
			   : "protected mode";
	snprintf(buf, len, "vCPU %d fake, %s", cpu, mode);
	return 0;
}

static int f_get_state(void *tgt, int cpu, struct x86_state *st)
{
	struct fake_target *f = tgt;
	if (f->get_state_error)
		return f->get_state_error;
	if (cpu < 0 || cpu >= f->ncpus)
		return -EINVAL;
	*st = f->cpu[cpu];
	return 0;
}

static int f_set_state(void *tgt, int cpu, const struct x86_state *st)
{
	struct fake_target *f = tgt;
	if (cpu < 0 || cpu >= f->ncpus)
		return -EINVAL;
	f->cpu[cpu] = *st;
	return 0;
}

static int check_range(struct fake_target *f, uint64_t addr, size_t len)
{
	uint64_t end;
	if (__builtin_add_overflow(addr, len, &end) || end > FAKE_RAM_SIZE)
		return -EFAULT;
	if (addr < f->hole_hi && end > f->hole_lo)
		return -EFAULT;
	return 0;
}

static int f_read_mem(void *tgt, int cpu, uint64_t addr, void *buf, size_t len,
		      unsigned flags)
{
	struct fake_target *f = tgt;
	f->last_mem_flags = flags;
	f->last_mem_cpu = cpu;
	int err = check_range(f, addr, len);
	if (err)
		return err;
	memcpy(buf, f->ram + addr, len);
	return 0;
}

static int f_write_mem(void *tgt, int cpu, uint64_t addr, const void *buf,
		       size_t len, unsigned flags)
{
	struct fake_target *f = tgt;
	f->last_mem_flags = flags;
	f->last_mem_cpu = cpu;
	int err = check_range(f, addr, len);
	if (err)
		return err;
	memcpy(f->ram + addr, buf, len);
	return 0;
}

static int f_insert_bp(void *tgt, int cpu, enum gdb_bp_type type, uint64_t addr,
		       uint64_t len, unsigned flags)
{
	struct fake_target *f = tgt;
	(void)cpu;
	f->last_mem_flags = flags;
	if (f->bp_error)
		return f->bp_error;
	if (f->nbps == FAKE_MAX_BPS)
		return -ENOSPC;
	f->bps[f->nbps++] = (struct fake_bp){ type, addr, len, flags };
	return 0;
}

static int f_remove_bp(void *tgt, int cpu, enum gdb_bp_type type, uint64_t addr,
		       uint64_t len, unsigned flags)
{
	struct fake_target *f = tgt;
	(void)cpu, (void)len;
	f->last_mem_flags = flags;
	for (int i = 0; i < f->nbps; i++) {
		if (f->bps[i].type == type && f->bps[i].addr == addr) {
			f->bps[i] = f->bps[--f->nbps];
			return 0;
		}
	}
	return -ENOENT;
}

static uint64_t linear_pc(const struct x86_state *st)
{
	uint64_t base = (st->r[X86_CR0] & 1) ? 0 : st->r[X86_CS_BASE];
	return base + st->r[X86_RIP];
}

/* The pretend CPU of sim mode. */
static void simulate(struct fake_target *f)
{
	struct gdb_stop st = { .kind = GDB_STOP_SIGNAL, .signal = 5 };

	for (int c = 0; c < f->ncpus; c++) {
		if (f->last_actions[c] != GDB_RESUME_STEP)
			continue;
		f->cpu[c].r[X86_RIP]++;
		st.cpu = c;
		sim_post(f, &st);
		return;
	}
	for (int c = 0; c < f->ncpus; c++) {
		if (f->last_actions[c] != GDB_RESUME_CONT)
			continue;
		uint64_t pc = linear_pc(&f->cpu[c]);
		const struct fake_bp *hit = NULL;
		for (int i = 0; i < f->nbps; i++)
			if ((f->bps[i].type == GDB_BP_SW || f->bps[i].type == GDB_BP_HW) &&
			    f->bps[i].addr > pc && (!hit || f->bps[i].addr < hit->addr))
				hit = &f->bps[i];
		if (hit) {
			f->cpu[c].r[X86_RIP] += hit->addr - pc;
			st.kind = hit->type == GDB_BP_SW ? GDB_STOP_SWBREAK
							 : GDB_STOP_HWBREAK;
			st.cpu = c;
			sim_post(f, &st);
			return;
		}
	}
	if (f->sim_exit >= 0) {
		struct gdb_stop ex = { .kind = GDB_STOP_EXITED, .cpu = -1,
				       .status = f->sim_exit };
		sim_post(f, &ex);
	}
}

static int f_resume(void *tgt, const enum gdb_resume_action *actions)
{
	struct fake_target *f = tgt;
	memcpy(f->last_actions, actions, sizeof(actions[0]) * (size_t)f->ncpus);
	f->resumes++;
	atomic_store(&f->running, true);
	if (f->sim)
		simulate(f);
	return 0;
}

static int f_interrupt(void *tgt)
{
	struct fake_target *f = tgt;
	struct gdb_stop st = { .kind = GDB_STOP_SIGNAL, .cpu = 0, .signal = 2 };
	f->interrupts++;
	fake_post(f, &st);
	return 0;
}

static int f_event_fd(void *tgt)
{
	return ((struct fake_target *)tgt)->pipefd[0];
}

static int f_get_stop(void *tgt, struct gdb_stop *stop)
{
	struct fake_target *f = tgt;
	char c;
	if (f->qlen == 0)
		return -EAGAIN;
	(void)!read(f->pipefd[0], &c, 1);
	if (f->here && pthread_equal(pthread_self(), f->here_thread))
		f->taken_here++;
	else if (f->here)
		f->taken_elsewhere++;
	*stop = f->queue[0];
	memmove(f->queue, f->queue + 1, sizeof(f->queue[0]) * (size_t)--f->qlen);
	return 0;
}

static int f_monitor(void *tgt, int cpu, const char *cmd, char *out, size_t len)
{
	struct fake_target *f = tgt;
	if (!strcmp(cmd, "help")) {
		snprintf(out, len, "  info           the fake machine\n"
				   "  echo TEXT      prints TEXT\n"
				   "  stats          what the stub asked for\n");
		return 0;
	}
	if (!strcmp(cmd, "info")) {
		snprintf(out, len, "fake machine: %d vCPUs, current %d\n",
			 f->ncpus, cpu);
		return 0;
	}
	if (!strncmp(cmd, "echo ", 5)) {
		snprintf(out, len, "%s\n", cmd + 5);
		return 0;
	}
	if (!strcmp(cmd, "stats")) {
		snprintf(out, len, "attaches=%d detaches=%d interrupts=%d resumes=%d here=%d elsewhere=%d\n",
			 f->attaches, f->detaches, f->interrupts, f->resumes, f->taken_here,
			 f->taken_elsewhere);
		return 0;
	}
	if (!strcmp(cmd, "fail")) {
		snprintf(out, len, "partial output\n");
		return -EIO;
	}
	return -ENOENT;
}

static int f_attach(void *tgt)
{
	struct fake_target *f = tgt;
	struct gdb_stop st = { .kind = GDB_STOP_SIGNAL, .cpu = 0, .signal = 0 };
	f->attaches++;
	if (f->post_on_attach)
		fake_post(f, &st);
	return 0;
}

static void f_detach(void *tgt)
{
	struct fake_target *f = tgt;
	f->detaches++;
	f->nbps = 0;
	if (f->detach_posts)
		fake_post(f, &f->detach_stop);
}

static void f_kill(void *tgt)
{
	((struct fake_target *)tgt)->kills++;
}

const struct gdb_target_ops fake_ops = {
	.arch = f_arch,
	.nr_cpus = f_nr_cpus,
	.cpu_describe = f_describe,
	.get_state = f_get_state,
	.set_state = f_set_state,
	.read_mem = f_read_mem,
	.write_mem = f_write_mem,
	.insert_bp = f_insert_bp,
	.remove_bp = f_remove_bp,
	.resume = f_resume,
	.interrupt = f_interrupt,
	.event_fd = f_event_fd,
	.get_stop = f_get_stop,
	.monitor = f_monitor,
	.attach = f_attach,
	.detach = f_detach,
	.kill = f_kill,
};
