/* guests/dbg.c: the Multiboot kernel the gdb tests debug: a few functions, a bounded loop, globals that change.
 *
 * Prints through port 0xe9 and exits through the isa-debug-exit with
 * DBG_EXIT, so it runs the same under gdbvmm and under
 *   qemu-system-i386 -kernel guests/dbg.elf -display none -debugcon stdio
 *       -device isa-debug-exit,iobase=0xf4,iosize=4
 * and ends with status (0x10 << 1) | 1 = 33 on both.
 *
 * The "cmdline:" line depends on the loader (QEMU and gdbvmm put the
 * kernel path in it), so tests/guests/dbg.out leaves it out: a test
 * compares the output without the lines that start with "cmdline:".
 */
#include <stdint.h>

#include "lib/con.h"
#include "lib/multiboot.h"

#define DBG_EXIT 0x10
#define LOOPS    10

struct point {
	int x;
	int y;
};

struct state {
	const char *name;
	int iterations;
	int sum;
	struct point where;
};

void kmain(uint32_t magic, const struct multiboot_info *mbi);
int add(int a, int b);
int fib(int n);
void step(int i);

/* What a debugger watches: counter changes once per iteration. */
volatile int counter;
struct state state = { .name = "dbg", .where = { -1, -1 } };

/* noinline: every call stays a call, to break on and step into. */
__attribute__((noinline)) int add(int a, int b)
{
	return a + b;
}

/* Recursive on purpose: a breakpoint here gives a deep backtrace. */
__attribute__((noinline)) int fib(int n)
{
	if (n < 2)
		return n;
	return add(fib(n - 1), fib(n - 2));
}

static void print_cmdline(const struct multiboot_info *mbi)
{
	put_str("cmdline: ");
	if (mbi->flags & MULTIBOOT_INFO_CMDLINE)
		/* Paging is off: the physical address is the pointer. */
		put_str((const char *)(uintptr_t)mbi->cmdline);
	else
		put_str("(none)");
	put_char('\n');
}

/* Global, not static: gcc may give a static function its own register
 * calling convention, and gdb's `finish` and `call` want the usual one. */
__attribute__((noinline)) void step(int i)
{
	int f = fib(i);

	counter++;
	state.iterations++;
	state.sum = add(state.sum, i);
	state.where.x = i;
	state.where.y = i * i;

	put_str("i=");
	put_dec(i);
	put_str(" fib=");
	put_dec(f);
	put_str(" sum=");
	put_dec(state.sum);
	put_char('\n');
}

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
	put_str("dbg: hello from protected mode\n");
	if (magic == MULTIBOOT_BOOTLOADER_MAGIC) {
		put_str("magic ok\n");
		print_cmdline(mbi);
	} else {
		put_str("magic BAD: ");
		put_hex(magic);
		put_char('\n');
	}

	for (int i = 0; i < LOOPS; i++)
		step(i);

	put_str("counter=");
	put_dec(counter);
	put_str(" iterations=");
	put_dec(state.iterations);
	put_str(" where=(");
	put_dec(state.where.x);
	put_char(',');
	put_dec(state.where.y);
	put_str(")\n");
	put_str("dbg: done\n");
	debug_exit(DBG_EXIT);
}
