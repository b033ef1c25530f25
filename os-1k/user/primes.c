/* os-1k/user/primes.c: the prime numbers up to 100, by trial division. */
#include "os-1k/user/user.h"

static int is_prime(int n)
{
	for (int d = 2; d * d <= n; d++)
		if (n % d == 0)
			return 0;
	return n >= 2;
}

int main(const char *arg)
{
	int count = 0;

	(void)arg;
	printf("Primes up to 100:\n");
	for (int n = 2; n <= 100; n++) {
		if (!is_prime(n))
			continue;
		printf("%4d", n);
		if (++count % 10 == 0)
			printf("\n");
	}
	if (count % 10)
		printf("\n");
	printf("%d primes\n", count);
	return 0;
}
