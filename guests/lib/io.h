/* guests/lib/io.h: port I/O for the C guests, and the two QEMU-compatible ports they use. */
#ifndef GUESTS_LIB_IO_H
#define GUESTS_LIB_IO_H

#include <stdint.h>

#define DEBUGCON_PORT  0xe9   /* QEMU -debugcon: each byte written is printed */
#define DEBUG_EXIT_PORT 0xf4  /* QEMU isa-debug-exit: status (value << 1) | 1 */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#endif
