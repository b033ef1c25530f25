/* os-1k/user/calc.c: a calculator for lines "a op b" with 32-bit integers; "q" quits. */
#include "os-1k/user/user.h"

/* Computes a op b into *r; returns an error message, or NULL. */
static const char *compute(int a, char op, int b, int *r)
{
	switch (op) {
	case '+':
		return __builtin_add_overflow(a, b, r) ? "overflow" : NULL;
	case '-':
		return __builtin_sub_overflow(a, b, r) ? "overflow" : NULL;
	case '*':
		return __builtin_mul_overflow(a, b, r) ? "overflow" : NULL;
	case '/':
	case '%':
		if (b == 0)
			return "division by zero";
		if (a == -2147483647 - 1 && b == -1)  /* the CPU would raise #DE */
			return "overflow";
		*r = op == '/' ? a / b : a % b;
		return NULL;
	}
	return "unknown operator";
}

int main(const char *arg)
{
	char line[80];

	(void)arg;
	printf("Calculator: type a op b, with op one of + - * / %%; q quits.\n");
	while (readline("calc> ", line, sizeof(line)) >= 0) {
		const char *p = skip_spaces(line), *err;
		int a, b, r;
		char op;

		if (strcmp(p, "q") == 0 || strcmp(p, "quit") == 0)
			break;
		if (*p == '\0')
			continue;
		if (!parse_int(&p, &a) || !(op = *(p = skip_spaces(p))) ||
		    !(p++, parse_int(&p, &b)) || *skip_spaces(p)) {
			printf("Please type a op b, for example 6 * 7.\n");
			continue;
		}
		err = compute(a, op, b, &r);
		if (err)
			printf("%d %c %d: %s\n", a, op, b, err);
		else
			printf("%d %c %d = %d\n", a, op, b, r);
	}
	return 0;
}
