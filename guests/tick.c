/* guests/tick.c: a breakpoint's long way: fills a 1 MiB buffer (about 4 M instructions) before it first calls tick(), then calls it once per loop. */
#include <stdint.h>

#include "lib/con.h"

#define BUF_SIZE (1u << 20)
#define LOOPS 1000

void kmain(uint32_t magic, uint32_t info);
void tick(uint32_t n);

static volatile uint8_t buf[BUF_SIZE];
volatile uint32_t ticks;

/* noinline: a real function to break on, called once per loop. */
__attribute__((noinline)) void tick(uint32_t n)
{
	ticks = n;
}

void kmain(uint32_t magic, uint32_t info)
{
	uint32_t sum = 0;
	(void)magic;
	(void)info;
	/* The work before the first tick: a breakpoint on tick must let it
	 * run at full speed (stepping it takes minutes). */
	for (uint32_t i = 0; i < BUF_SIZE; i++)
		buf[i] = (uint8_t)(i * 7);
	for (uint32_t n = 1; n <= LOOPS; n++) {
		tick(n);
		sum += buf[n * 1021 % BUF_SIZE];
	}
	put_str("ticks ");
	put_dec((long)ticks);
	put_str(" sum ");
	put_dec((long)sum);
	put_char('\n');
	debug_exit(0);
}
