/* os-1k/user/echo.c: repeats every line typed, until "quit". */
#include "os-1k/user/user.h"

int main(const char *arg)
{
	char line[100];

	(void)arg;
	printf("Type a line and it comes back; \"quit\" ends.\n");
	while (readline("echo> ", line, sizeof(line)) >= 0 && strcmp(line, "quit") != 0)
		printf("%s\n", line);
	return 0;
}
