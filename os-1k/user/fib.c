/* os-1k/user/fib.c: the first n Fibonacci numbers, F(0) = 0, F(1) = 1, n from 1 to 48 (F(47) still fits 32 bits). */
#include "os-1k/user/user.h"

int main(const char *arg)
{
	char line[32];
	const char *p = line;
	unsigned int a = 0, b = 1;
	int n;

	(void)arg;
	if (readline("How many Fibonacci numbers (1-48)? ", line, sizeof(line)) < 0)
		return 1;
	if (!parse_int(&p, &n) || *skip_spaces(p) || n < 1 || n > 48) {
		printf("Please enter a number from 1 to 48.\n");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		unsigned int next = a + b;

		printf("F(%d) = %u\n", i, a);
		a = b;
		b = next;
	}
	return 0;
}
