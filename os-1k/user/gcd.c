/* os-1k/user/gcd.c: the greatest common divisor of two numbers, showing each step of Euclid's algorithm. */
#include "os-1k/user/user.h"

int main(const char *arg)
{
	char line[64];
	const char *p = line;
	int a, b, x, y;

	(void)arg;
	if (readline("Two numbers: ", line, sizeof(line)) < 0)
		return 1;
	if (!parse_int(&p, &a) || !parse_int(&p, &b) || *skip_spaces(p) || a < 0 || b < 0) {
		printf("Please enter two numbers from 0 up, for example 48 18.\n");
		return 1;
	}
	if (a == 0 && b == 0) {
		printf("gcd(0, 0) is not defined.\n");
		return 1;
	}
	/* Euclid: gcd(x, y) = gcd(y, x mod y), until y is 0. */
	for (x = a, y = b; y != 0;) {
		int q = x / y, r = x % y;

		printf("%d = %d * %d + %d\n", x, q, y, r);
		x = y;
		y = r;
	}
	printf("gcd(%d, %d) = %d\n", a, b, x);
	return 0;
}
