/* guests/hello-mb.c: the Multiboot twin of hello.bin: prints "Hello, KVM!" to port 0xe9, exits with value 0 (status 1). */
#include <stdint.h>

#include "lib/con.h"

void kmain(uint32_t magic, uint32_t info);

void kmain(uint32_t magic, uint32_t info)
{
	(void)magic;
	(void)info;
	put_str("Hello, KVM!\n");
	debug_exit(0);
}
