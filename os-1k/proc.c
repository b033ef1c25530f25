/* os-1k/proc.c: the process table, loading user programs, round-robin scheduling, and the system call table. */
#include "os-1k/kernel.h"
#include "os-1k/syscall.h"

struct proc procs[NPROC];       /* procs[0] is the idle process, pid 0 */
struct proc *cur;               /* the process running now */
uint32_t ticks;                 /* timer interrupts since boot */
static int next_pid;

const char *const proc_state_names[] = {
	[UNUSED] = "unused", [RUNNABLE] = "runnable", [RUNNING] = "running",
	[BLOCKED] = "blocked", [ZOMBIE] = "zombie",
};

extern uint8_t boot_stack[];     /* boot.S */

/* kmain runs on the boot stack; it becomes the idle process, pid 0. */
void proc_init(void)
{
	struct proc *idle = &procs[0];

	idle->state = RUNNING;
	idle->pid = next_pid++;
	strncpy0(idle->name, "idle", PROC_NAME);
	idle->pgdir = kpgdir;
	idle->kstack = boot_stack;
	cur = idle;
}

static void proc_free(struct proc *p)
{
	if (p->pgdir && p->pgdir != kpgdir)
		mm_free_pgdir(p->pgdir);
	if (p->kstack)
		page_free(p->kstack);
	memset(p, 0, sizeof(*p));
}

/* Runs whenever nothing else can: reaps orphans, waits for the next interrupt. */
void proc_idle(void)
{
	for (;;) {
		for (int i = 1; i < NPROC; i++)
			if (procs[i].state == ZOMBIE && procs[i].parent == &procs[0])
				proc_free(&procs[i]);
		proc_yield();
		/* STI takes effect after the next instruction, so no interrupt
		 * slips in between (SDM Vol. 2B, STI): HLT wakes for it. */
		__asm__ volatile("sti; hlt; cli");
	}
}

/* Round robin: the next RUNNABLE process after cur in the table, cur
 * itself if it can go on and nobody else can, idle if nobody can. */
void proc_yield(void)
{
	struct proc *prev = cur, *next = &procs[0];
	int start = (int)(prev - procs);

	if (prev->state == RUNNING)
		prev->state = RUNNABLE;
	for (int i = 1; i <= NPROC; i++) {
		struct proc *p = &procs[(start + i) % NPROC];

		if (p != &procs[0] && p->state == RUNNABLE) {
			next = p;
			break;
		}
	}
	next->state = RUNNING;
	if (next == prev)
		return;
	cur = next;
	tss_set_kstack((uint32_t)next->kstack + PAGE_SIZE);
	mm_switch(next->pgdir);
	swtch(&prev->ksp, next->ksp);
}

/* Sleeps until proc_wakeup(wait_on), or until Ctrl-C ends the process:
 * then it ends here. A blocked process holds nothing that would need
 * undoing (no locks; its buffers are on its own kernel stack), so this
 * is as safe a point as its return to user mode (kernel.c, trap). */
void proc_block(const void *wait_on)
{
	cur->wait_on = wait_on;
	cur->state = BLOCKED;
	proc_yield();
	if (cur->killed)
		proc_exit(STATUS_INTERRUPTED);
}

void proc_wakeup(const void *wait_on)
{
	for (int i = 0; i < NPROC; i++) {
		if (procs[i].state == BLOCKED && procs[i].wait_on == wait_on) {
			procs[i].state = RUNNABLE;
			procs[i].wait_on = NULL;
		}
	}
}

/* Ctrl-C (uart.c): marks every program but the shell killed and wakes
 * those that are blocked. The shell runs one program at a time (two for
 * "both") and waits for it, so these are the foreground job; os-1k has
 * no background jobs, process groups or signal handlers. Each ends at its
 * next safe point: its return to user mode or its next proc_block.
 * Returns how many programs there were, ended or ending: 0 means the
 * shell is alone, at its prompt (a zombie counts: the shell has yet to
 * collect it before it prompts again). */
int proc_interrupt(void)
{
	int n = 0;

	for (int i = 0; i < NPROC; i++) {
		struct proc *p = &procs[i];

		if (p->pid <= 1 || p->state == UNUSED)
			continue;
		n++;
		if (p->state == ZOMBIE)
			continue;
		p->killed = 1;
		if (p->state == BLOCKED) {
			p->state = RUNNABLE;
			p->wait_on = NULL;
		}
	}
	return n;
}

/* The timer interrupt: count, and wake the sleepers whose time has come. */
void proc_tick(void)
{
	ticks++;
	for (int i = 0; i < NPROC; i++) {
		struct proc *p = &procs[i];

		if (p->state == BLOCKED && p->wait_on == &ticks && (int32_t)(ticks - p->wake_tick) >= 0) {
			p->state = RUNNABLE;
			p->wait_on = NULL;
		}
	}
}

static const struct program *find_program(const char *name)
{
	for (const struct program *prog = programs; prog->name; prog++)
		if (strcmp(prog->name, name) == 0)
			return prog;
	return NULL;
}

/* Starts the embedded program `name` in a new address space: its image at
 * USER_BASE, a stack below USER_STACK_TOP holding a copy of `arg`, entered
 * at USER_BASE as if called: _start(arg). Returns the pid, or -1. */
int proc_spawn(const char *name, const char *arg)
{
	const struct program *prog = find_program(name);
	struct proc *p = NULL;
	struct trapframe *tf;
	uint8_t *stack_top_page = NULL;
	uint32_t *ksp, sp, argp;
	void *page;

	if (!prog)
		return -1;
	for (int i = 1; i < NPROC && !p; i++)
		if (procs[i].state == UNUSED)
			p = &procs[i];
	if (!p)
		return -1;
	p->kstack = page_alloc();
	p->pgdir = mm_new_pgdir();
	if (!p->kstack || !p->pgdir)
		goto fail;

	for (uint32_t off = 0; off < prog->size; off += PAGE_SIZE) {
		uint32_t n = prog->size - off < PAGE_SIZE ? prog->size - off : PAGE_SIZE;

		if (mm_map_user(p->pgdir, USER_BASE + off, &page) < 0)
			goto fail;
		memcpy(page, prog->image + off, n);
	}
	for (int i = 1; i <= USER_STACK_PAGES; i++) {
		if (mm_map_user(p->pgdir, USER_STACK_TOP - i * PAGE_SIZE, &page) < 0)
			goto fail;
		if (i == 1)
			stack_top_page = page;
	}

	/* The argument string at the top of the stack, then _start's frame:
	 * a zero return address and the argument pointer, aligned as the
	 * i386 ABI wants it at a function's entry: (esp + 4) % 16 == 0. */
	argp = USER_STACK_TOP - 128;
	strncpy0((char *)stack_top_page + PAGE_SIZE - 128, arg, 128);
	sp = (argp & ~15u) - 20;
	*(uint32_t *)(stack_top_page + (sp - (USER_STACK_TOP - PAGE_SIZE))) = 0;
	*(uint32_t *)(stack_top_page + (sp + 4 - (USER_STACK_TOP - PAGE_SIZE))) = argp;

	/* Its kernel stack: a trapframe to "return" to user mode with, under
	 * a swtch frame whose return address is trapret (entry.S). */
	tf = (struct trapframe *)(p->kstack + PAGE_SIZE) - 1;
	tf->cs = SEG_UCODE;
	tf->ds = tf->es = tf->fs = tf->gs = tf->ss = SEG_UDATA;
	tf->eflags = 0x202;            /* IF: interrupts on in user mode */
	tf->eip = USER_BASE;
	tf->esp = sp;
	ksp = (uint32_t *)tf;
	*--ksp = (uint32_t)trapret;
	ksp -= 4;                      /* ebp, ebx, esi, edi: zero */
	p->ksp = (uint32_t)ksp;

	p->pid = next_pid++;
	strncpy0(p->name, name, PROC_NAME);
	p->parent = cur;
	p->state = RUNNABLE;
	return p->pid;
fail:
	proc_free(p);
	return -1;
}

void proc_exit(int status)
{
	struct proc *p = cur;

	if (p->pid == 1) {             /* the shell */
		if (status == 0)
			power_off(EXIT_OK);
		PANIC("the shell ended with status %d", status);
	}
	/* Orphans go to the idle process, which frees them when they end. */
	for (int i = 0; i < NPROC; i++)
		if (procs[i].state != UNUSED && procs[i].parent == p)
			procs[i].parent = &procs[0];
	/* This kernel stack is still in use: the parent frees it in wait. */
	mm_switch(kpgdir);
	mm_free_pgdir(p->pgdir);
	p->pgdir = kpgdir;
	p->exit_status = status;
	p->state = ZOMBIE;
	proc_wakeup(p->parent);
	proc_yield();
	PANIC("zombie %d ran", p->pid);
}

/* ---- System calls: int $0x80, number in eax, arguments in ebx, ecx, edx ---- */

static int sys_exit(uint32_t status, uint32_t a1, uint32_t a2)
{
	(void)a1, (void)a2;
	proc_exit((int)status);
}

static int sys_write(uint32_t buf, uint32_t len, uint32_t a2)
{
	const char *s = (const char *)buf;

	(void)a2;
	if (!mm_user_ok(cur->pgdir, buf, len))
		return -1;
	for (uint32_t i = 0; i < len; i++)
		uart_putc(s[i]);
	return (int)len;
}

/* Reads one edited line, '\n' included, at most size bytes of it. */
static int sys_read(uint32_t buf, uint32_t size, uint32_t a2)
{
	char line[128];
	int n;

	(void)a2;
	if (size < 2 || !mm_user_ok(cur->pgdir, buf, size))
		return -1;
	n = uart_readline(line, size < sizeof(line) ? (int)size : (int)sizeof(line));
	memcpy((void *)buf, line, n);
	return n;
}

static int sys_getpid(uint32_t a0, uint32_t a1, uint32_t a2)
{
	(void)a0, (void)a1, (void)a2;
	return cur->pid;
}

static int sys_yield(uint32_t a0, uint32_t a1, uint32_t a2)
{
	(void)a0, (void)a1, (void)a2;
	proc_yield();
	return 0;
}

static int sys_sleep(uint32_t nticks, uint32_t a1, uint32_t a2)
{
	(void)a1, (void)a2;
	cur->wake_tick = ticks + nticks;
	while ((int32_t)(ticks - cur->wake_tick) < 0)
		proc_block(&ticks);
	return 0;
}

static int sys_uptime(uint32_t a0, uint32_t a1, uint32_t a2)
{
	(void)a0, (void)a1, (void)a2;
	return (int)ticks;
}

/* Copies a NUL-terminated user string into dst[size]; 0, or -1. */
static int copy_user_string(char *dst, uint32_t src, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++) {
		if (!mm_user_ok(cur->pgdir, src + i, 1))
			return -1;
		dst[i] = *(const char *)(src + i);
		if (dst[i] == '\0')
			return 0;
	}
	return -1;
}

static int sys_spawn(uint32_t name, uint32_t arg, uint32_t a2)
{
	char kname[PROC_NAME], karg[128];

	(void)a2;
	if (copy_user_string(kname, name, sizeof(kname)) < 0 ||
	    copy_user_string(karg, arg, sizeof(karg)) < 0)
		return -1;
	return proc_spawn(kname, karg);
}

/* Waits until child `pid` ends; returns its exit status, -1 if no such child. */
static int sys_wait(uint32_t pid, uint32_t a1, uint32_t a2)
{
	(void)a1, (void)a2;
	for (;;) {
		struct proc *child = NULL;

		for (int i = 0; i < NPROC; i++)
			if (procs[i].state != UNUSED && procs[i].parent == cur && procs[i].pid == (int)pid)
				child = &procs[i];
		if (!child)
			return -1;
		if (child->state == ZOMBIE) {
			int status = child->exit_status;

			proc_free(child);
			return status;
		}
		proc_block(cur);
	}
}

static int sys_ps(uint32_t a0, uint32_t a1, uint32_t a2)
{
	(void)a0, (void)a1, (void)a2;
	kprintf("PID  PPID  STATE     NAME\n");
	for (int i = 0; i < NPROC; i++) {
		struct proc *p = &procs[i];

		if (p->state == UNUSED)
			continue;
		kprintf("%3d  %4d  %-8s  %s\n", p->pid, p->parent ? p->parent->pid : 0,
			proc_state_names[p->state], p->name);
	}
	return 0;
}

/* The "crash kernel" demo: a kernel page fault, which must panic. */
static int sys_crash_kernel(uint32_t a0, uint32_t a1, uint32_t a2)
{
	(void)a0, (void)a1, (void)a2;
	*(volatile uint32_t *)0xdead0000 = 1;   /* above the direct map: not mapped */
	return 0;
}

static int (*const syscalls[])(uint32_t, uint32_t, uint32_t) = {
	[SYS_EXIT] = sys_exit,
	[SYS_WRITE] = sys_write,
	[SYS_READ] = sys_read,
	[SYS_GETPID] = sys_getpid,
	[SYS_YIELD] = sys_yield,
	[SYS_SLEEP] = sys_sleep,
	[SYS_UPTIME] = sys_uptime,
	[SYS_SPAWN] = sys_spawn,
	[SYS_WAIT] = sys_wait,
	[SYS_PS] = sys_ps,
	[SYS_CRASH_KERNEL] = sys_crash_kernel,
};

void proc_syscall(struct trapframe *tf)
{
	uint32_t n = tf->eax;

	if (n < sizeof(syscalls) / sizeof(syscalls[0]) && syscalls[n])
		tf->eax = (uint32_t)syscalls[n](tf->ebx, tf->ecx, tf->edx);
	else
		tf->eax = (uint32_t)-1;
}
