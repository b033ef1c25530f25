/* guests/lib/con.c: console output through port 0xe9 and the isa-debug-exit, for the C guests (32- and 64-bit). */
#include "lib/con.h"
#include "lib/io.h"

void put_char(char c)
{
	outb(DEBUGCON_PORT, (uint8_t)c);
}

void put_str(const char *s)
{
	while (*s)
		put_char(*s++);
}

void put_dec(long v)
{
	char buf[24];  /* 20 digits of 2^64 and a sign fit */
	unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
	int i = 0;

	do {
		buf[i++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[i++] = '-';
	while (i)
		put_char(buf[--i]);
}

void put_hex(unsigned long v)
{
	static const char digits[] = "0123456789abcdef";

	put_str("0x");
	for (int shift = (int)sizeof(v) * 8 - 4; shift >= 0; shift -= 4)
		put_char(digits[(v >> shift) & 0xf]);
}

void debug_exit(unsigned int v)
{
	/* A 32-bit write, the width the device has with iosize=4. */
	outl(DEBUG_EXIT_PORT, v);
	/* Not reached on either machine. No hlt: with the in-kernel
	 * interrupt controller and interrupts off it would hang for good,
	 * and so does this loop, but visibly busy in a debugger. */
	for (;;)
		__asm__ volatile("pause");
}
