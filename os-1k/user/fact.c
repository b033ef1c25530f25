/* os-1k/user/fact.c: the factorials 0! to 12! (13! does not fit 32 bits). */
#include "os-1k/user/user.h"

int main(const char *arg)
{
	unsigned int f = 1;

	(void)arg;
	for (int n = 0; n <= 12; n++) {
		if (n > 0)
			f *= (unsigned int)n;
		printf("%2d! = %u\n", n, f);
	}
	return 0;
}
