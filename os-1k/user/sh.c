/* os-1k/user/sh.c: the shell, process 1: a numbered menu and named commands; each program runs as its own process. */
#include "os-1k/user/user.h"

struct command {
	const char *number;            /* its menu number, or "" */
	const char *name;              /* the program's name, or a built-in */
	const char *help;
};

static const struct command commands[] = {
	{ "1", "mult", "multiplication table" },
	{ "2", "counter", "count from 1 to 10, ten numbers a second" },
	{ "3", "echo", "repeat each line until \"quit\"" },
	{ "4", "fib", "Fibonacci numbers" },
	{ "5", "primes", "prime numbers up to 100" },
	{ "6", "calc", "calculator: a op b, q quits" },
	{ "7", "fact", "factorials from 0! to 12!" },
	{ "8", "gcd", "greatest common divisor" },
	{ "9", "about", "about os-1k" },
	{ "", "ps", "list processes and their states" },
	{ "", "both", "run two programs at once (preemption)" },
	{ "", "crash", "crash pf|gp|div|kernel: fault on purpose" },
	{ "", "loop", "loop [sleep]: run until Ctrl-C" },
	{ "", "help", "show this menu" },
	{ "0", "exit", "shut down" },
};

#define NCOMMANDS (int)(sizeof(commands) / sizeof(commands[0]))

static void menu(void)
{
	printf("os-1k shell: type a number or a command.\n");
	for (int i = 0; i < NCOMMANDS; i++)
		printf("  %1s  %-8s %s\n", commands[i].number, commands[i].name, commands[i].help);
}

/* Runs a program and waits for it to end. */
static void run(const char *name, const char *arg)
{
	int pid = spawn(name, arg);

	if (pid < 0)
		printf("sh: cannot start %s\n", name);
	else
		wait(pid);
}

/* Two processes that never block or yield: their lines interleave only
 * because the timer preempts them. */
static void both(void)
{
	int a, b;

	printf("both: spin A and spin B run at once\n");
	a = spawn("spin", "A");
	b = spawn("spin", "B");
	ps();                          /* both ready to run, sharing the CPU */
	if (a >= 0)
		wait(a);
	if (b >= 0)
		wait(b);
	printf("both: done\n");
}

static void execute(const char *line)
{
	const char *p = skip_spaces(line), *arg;
	char word[16];
	int n = 0;

	while (*p && *p != ' ') {
		if (n == (int)sizeof(word) - 1) {
			printf("unknown command (type help)\n");
			return;
		}
		word[n++] = *p++;
	}
	word[n] = '\0';
	arg = skip_spaces(p);
	if (n == 0)
		return;

	for (int i = 0; i < NCOMMANDS; i++) {
		const struct command *c = &commands[i];

		if (strcmp(word, c->name) != 0 && (!c->number[0] || strcmp(word, c->number) != 0))
			continue;
		if (strcmp(c->name, "help") == 0) {
			menu();
		} else if (strcmp(c->name, "ps") == 0) {
			/* Built in: as a process of its own, ps would show the
			 * shell running or waiting, whichever the timer chose. */
			ps();
		} else if (strcmp(c->name, "both") == 0) {
			both();
		} else if (strcmp(c->name, "exit") == 0) {
			printf("Bye.\n");
			exit(0);               /* the kernel powers off when process 1 ends */
		} else {
			run(c->name, arg);
		}
		return;
	}
	printf("unknown command: %s (type help)\n", word);
}

int main(const char *arg)
{
	char line[80];

	(void)arg;
	menu();
	for (;;)
		if (readline("> ", line, sizeof(line)) >= 0)
			execute(line);
}
