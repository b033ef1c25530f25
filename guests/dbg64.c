/* guests/dbg64.c: a small 64-bit ELF for the x86-64 target-description tests: a few functions, a loop, a global.
 *
 * gdbvmm enters it in long mode (no Multiboot header needed). Prints
 * through port 0xe9, exits through the isa-debug-exit with DBG64_EXIT:
 * status (0x20 << 1) | 1 = 65.
 */
#include <stdint.h>

#include "lib/con.h"

#define DBG64_EXIT 0x20
#define LOOPS      5

void kmain64(uint64_t info);
long square(long x);
long sum_squares(int n);

/* A 64-bit global whose upper half changes too (see kmain64). */
volatile uint64_t ticks;

__attribute__((noinline)) long square(long x)
{
	return x * x;
}

__attribute__((noinline)) long sum_squares(int n)
{
	long s = 0;

	for (int i = 1; i <= n; i++) {
		s += square(i);
		ticks++;
	}
	return s;
}

void kmain64(uint64_t info)
{
	(void)info;
	put_str("dbg64: hello from long mode\n");
	put_str("sizeof(long)=");
	put_dec((long)sizeof(long));
	put_char('\n');
	for (int n = 1; n <= LOOPS; n++) {
		put_str("sum_squares(");
		put_dec(n);
		put_str(")=");
		put_dec(sum_squares(n));
		put_char('\n');
	}
	ticks += 0x100000000ull;
	put_str("ticks=");
	put_hex(ticks);
	put_char('\n');
	put_str("dbg64: done\n");
	debug_exit(DBG64_EXIT);
}
