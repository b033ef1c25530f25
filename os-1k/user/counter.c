/* os-1k/user/counter.c: counts from 1 to 10, sleeping 0.1 s (10 timer ticks) between numbers. */
#include "os-1k/user/user.h"

int main(const char *arg)
{
	(void)arg;
	for (int i = 1; i <= 10; i++) {
		printf("%d\n", i);
		sleep(10);
	}
	return 0;
}
