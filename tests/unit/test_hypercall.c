/* tests/unit/test_hypercall.c: the hypercall ABI of docs/hypercalls.md against a fake guest. */
#include <errno.h>

#include "tests/unit/tap.h"
#include "vmm/hypercall.h"

/* A guest with 64 KiB of memory at pointer 0 and a scripted stdin. */
struct guest {
	uint8_t mem[65536];
	char out[8192];
	size_t nout; /* bytes printed, even past the end of out */
	const char *in;
	int in_len;
	int interrupted;
};

static int g_check(void *o, uint64_t ptr, uint64_t len)
{
	struct guest *g = o;
	uint64_t end;
	(void)g;
	return __builtin_add_overflow(ptr, len, &end) || end > sizeof(g->mem) ? -EFAULT : 0;
}

static int g_read(void *o, uint64_t ptr, void *buf, size_t len)
{
	struct guest *g = o;
	if (g_check(o, ptr, len) < 0)
		return -EFAULT;
	memcpy(buf, g->mem + ptr, len);
	return 0;
}

static void g_out(void *o, const void *buf, size_t len)
{
	struct guest *g = o;
	size_t left = g->nout < sizeof(g->out) ? sizeof(g->out) - g->nout : 0;
	size_t room = left < len ? left : len;
	if (room) /* keep the start, count it all */
		memcpy(g->out + g->nout, buf, room);
	g->nout += len;
}

static int g_getc(void *o)
{
	struct guest *g = o;
	if (g->interrupted)
		return -EINTR;
	if (g->in_len == 0)
		return -1;
	g->in_len--;
	return (uint8_t)*g->in++;
}

static struct guest g;

static enum io_result call(uint32_t nr, uint64_t rbx, uint64_t rcx, struct hc_call *c)
{
	struct hc_env env = { &g, 2, 4, g_check, g_read, g_out, g_getc };
	*c = (struct hc_call){ .nr = nr, .rax = nr, .rbx = rbx, .rcx = rcx };
	return hc_dispatch(&env, c);
}

int main(void)
{
	struct hc_call c;

	is(call(HC_PUTCHAR, 'A', 0, &c), IO_OK, "putchar");
	is(c.rax, 0, "putchar returns 0");
	ok(g.nout == 1 && g.out[0] == 'A', "putchar printed the byte");
	call(HC_PUTCHAR, 0x142, 0, &c);
	ok(g.nout == 2 && g.out[1] == 0x42, "putchar uses BL only");

	memcpy(g.mem + 100, "hello\n", 6);
	g.nout = 0;
	call(HC_PUTS, 100, 6, &c);
	is(c.rax, 6, "puts returns the length");
	ok(g.nout == 6 && memcmp(g.out, "hello\n", 6) == 0, "puts printed the range");

	g.nout = 0;
	call(HC_PUTS, 65530, 7, &c);
	is((int64_t)c.rax, -EFAULT, "puts past the end of RAM returns -EFAULT");
	is(g.nout, 0, "and prints nothing, not even the part inside RAM");
	call(HC_PUTS, UINT64_MAX - 2, 8, &c);
	is((int64_t)c.rax, -EFAULT, "puts whose range wraps returns -EFAULT");
	call(HC_PUTS, 0, 0, &c);
	is(c.rax, 0, "puts of length 0 returns 0");
	memset(g.mem, 'x', sizeof(g.mem));
	call(HC_PUTS, 0, sizeof(g.mem), &c);
	ok(c.rax == sizeof(g.mem) && g.nout == sizeof(g.mem), "puts of all RAM prints it all");

	g.in = "hi\xff";
	g.in_len = 3;
	call(HC_GETCHAR, 0, 0, &c);
	is(c.rax, 'h', "getchar returns the first byte");
	call(HC_GETCHAR, 0, 0, &c);
	is(c.rax, 'i', "getchar returns the second byte");
	call(HC_GETCHAR, 0, 0, &c);
	is(c.rax, 0xff, "getchar returns byte 0xff as 255, not -1");
	call(HC_GETCHAR, 0, 0, &c);
	is((int64_t)c.rax, -1, "getchar returns -1 at end of input");
	g.interrupted = 1;
	is(call(HC_GETCHAR, 0, 0, &c), IO_RETRY, "an interrupted getchar asks to be run again");
	g.interrupted = 0;

	call(HC_INFO, 77, 77, &c);
	ok(c.rax == HC_ABI_VERSION && c.rbx == 2 && c.rcx == 4, "info: version, vCPU index, vCPU count");

	is(call(HC_EXIT, 0x1ff, 0, &c), IO_STOP_VCPU, "exit stops the vCPU");
	is(c.status, 0xff, "exit keeps the low 8 bits of the status");
	call(HC_EXIT, 3, 0, &c);
	is(c.status, 3, "exit status 3");

	is(call(5, 0, 0, &c), IO_OK, "unknown service 5 does not stop the vCPU");
	is((int64_t)c.rax, -ENOSYS, "unknown service returns -ENOSYS");
	call(0x10003, 100, 6, &c);
	is((int64_t)c.rax, -ENOSYS, "service 0x10003 is not puts");
	call(UINT32_MAX, 0, 0, &c);
	is((int64_t)c.rax, -ENOSYS, "service 0xffffffff returns -ENOSYS");
	return done_testing();
}
