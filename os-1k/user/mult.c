/* os-1k/user/mult.c: the multiplication table from 1 x 1 to 10 x 10. */
#include "os-1k/user/user.h"

int main(const char *arg)
{
	(void)arg;
	printf(" x |");
	for (int j = 1; j <= 10; j++)
		printf("%4d", j);
	printf("\n---+----------------------------------------\n");
	for (int i = 1; i <= 10; i++) {
		printf("%2d |", i);
		for (int j = 1; j <= 10; j++)
			printf("%4d", i * j);
		printf("\n");
	}
	return 0;
}
