/* os-1k/user/about.c: what os-1k is. */
#include "os-1k/user/user.h"

int main(const char *arg)
{
	(void)arg;
	printf("os-1k is a small protected-mode teaching kernel for gdbvmm.\n"
	       "- Multiboot ELF32 kernel in the higher half (0x80000000 up)\n"
	       "- 2-level paging, 4 KiB pages, one address space per process\n"
	       "- user programs in ring 3, system calls by int $0x80\n"
	       "- round-robin preemptive scheduling on the 100 Hz PIT (IRQ 0)\n"
	       "- console on the 16550 UART, input by IRQ 4\n"
	       "Debug it with gdb: every kernel line and local is visible.\n");
	return 0;
}
