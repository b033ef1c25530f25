/* os-1k/user/crash.c: faults on purpose, to show that a user fault ends only this process and a kernel fault panics. */
#include "os-1k/user/user.h"

int main(const char *arg)
{
	volatile int one = 1, zero = 0;  /* volatile: the compiler must divide */

	if (strcmp(arg, "pf") == 0) {
		printf("crash: writing to address 0x0\n");
		*(volatile int *)0 = 1;        /* nothing is mapped below USER_BASE */
	} else if (strcmp(arg, "gp") == 0) {
		printf("crash: hlt in user mode\n");
		__asm__ volatile("hlt");       /* privileged: #GP at CPL 3 */
	} else if (strcmp(arg, "div") == 0) {
		printf("crash: dividing by zero\n");
		printf("%d\n", one / zero);
	} else if (strcmp(arg, "kernel") == 0) {
		printf("crash: asking the kernel to touch an unmapped address\n");
		crash_kernel();
	} else {
		printf("usage: crash pf|gp|div|kernel\n");
		return 1;
	}
	printf("crash: still alive?\n");
	return 1;
}
