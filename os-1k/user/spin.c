/* os-1k/user/spin.c: busy for 0.1 s at a time, five times, never yielding: only the timer can let others run. */
#include "os-1k/user/user.h"

int main(const char *arg)
{
	int pid = getpid();

	for (int i = 1; i <= 5; i++) {
		int start = uptime();

		while (uptime() - start < 10)
			;                      /* spin: no sleep, no yield */
		printf("spin %s (pid %d): %d of 5\n", arg, pid, i);
	}
	return 0;
}
