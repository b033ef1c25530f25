/* os-1k/user/loop.c: runs until Ctrl-C ends it: busy in user mode, or with "sleep" blocked in the kernel. */
#include "os-1k/user/user.h"

int main(const char *arg)
{
	if (strcmp(arg, "sleep") == 0) {
		printf("loop: sleeping until Ctrl-C\n");
		for (;;)
			sleep(100);    /* Ctrl-C ends it in the kernel (proc_block) */
	}
	printf("loop: busy until Ctrl-C\n");
	for (;;)
		;                      /* no system call: Ctrl-C ends it as an interrupt returns to it */
}
