/* os-1k/user/ulib.c: the user program entry, the system call stubs and printf. */
#include "os-1k/syscall.h"
#include "os-1k/user/user.h"

/* The kernel enters every program here, at USER_BASE, as _start(arg). */
__attribute__((section(".text.start"), used)) void _start(const char *arg);
void _start(const char *arg)
{
	exit(main(arg));
}

static int syscall3(int n, int a, int b, int c)
{
	int ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

void exit(int status)
{
	syscall3(SYS_EXIT, status, 0, 0);
	for (;;)
		;
}

int write(const char *buf, int len) { return syscall3(SYS_WRITE, (int)buf, len, 0); }
int read(char *buf, int size) { return syscall3(SYS_READ, (int)buf, size, 0); }
int getpid(void) { return syscall3(SYS_GETPID, 0, 0, 0); }
void yield(void) { syscall3(SYS_YIELD, 0, 0, 0); }
void sleep(int ticks) { syscall3(SYS_SLEEP, ticks, 0, 0); }
int uptime(void) { return syscall3(SYS_UPTIME, 0, 0, 0); }
int spawn(const char *name, const char *arg) { return syscall3(SYS_SPAWN, (int)name, (int)arg, 0); }
int wait(int pid) { return syscall3(SYS_WAIT, pid, 0, 0); }
void ps(void) { syscall3(SYS_PS, 0, 0, 0); }
void crash_kernel(void) { syscall3(SYS_CRASH_KERNEL, 0, 0, 0); }

/* printf collects its output and writes it with one system call (or one
 * per 128 bytes), so that a line from one process is never split by
 * another's. */
struct outbuf {
	char buf[128];
	int n;
};

static void put_buf(char c, void *arg)
{
	struct outbuf *o = arg;

	if (o->n == (int)sizeof(o->buf)) {
		write(o->buf, o->n);
		o->n = 0;
	}
	o->buf[o->n++] = c;
}

int printf(const char *fmt, ...)
{
	struct outbuf o = { .n = 0 };
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vformat(put_buf, &o, fmt, ap);
	va_end(ap);
	write(o.buf, o.n);
	return n;
}

int readline(const char *prompt, char *buf, int size)
{
	int n;

	printf("%s", prompt);
	n = read(buf, size - 1);      /* room for the '\0' */
	if (n <= 0)
		return -1;
	if (buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return n;
}

const char *skip_spaces(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

/* Parses an optional '-' and decimal digits at *s (after spaces) and
 * moves *s past them. 0 if there is no number or it does not fit an int. */
int parse_int(const char **s, int *v)
{
	const char *p = skip_spaces(*s);
	int neg = 0, digits = 0;
	unsigned int x = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (x > (0x80000000u - d) / 10)
			return 0;
		x = x * 10 + d;
	}
	if (!digits || x > 0x7fffffffu + neg)
		return 0;
	*v = neg ? (int)(0u - x) : (int)x;
	*s = p;
	return 1;
}
