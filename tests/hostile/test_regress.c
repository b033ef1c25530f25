/* tests/hostile/test_regress.c: the bugs the hardening work found in KVM-free code, one test each (each failed before its fix).
 *
 *   x86mmu.c   with EFER.LMA and paging off, linear 0 gave page_left 0:
 *              every caller loops `n = min(len, page_left)` and a puts at
 *              pointer 0 hung the vCPU (found by fuzz_mmu, fuzz_hypercall)
 *   loader.c   an a.out-kludge kernel whose load_end_addr and bss_end_addr
 *              equal load_addr loaded nothing and was accepted, with an
 *              empty range the overlap check cannot see (fuzz_loader)
 *   console.c  with stdout a pipe nobody reads, a write blocked forever,
 *              so the machine could not end, not even by --timeout
 *              (tests/hostile/guests.t, flood.bin)
 *   packet.c   a `$` in place of a checksum digit was eaten as one, so
 *              the packet after a cut checksum was lost too
 *              (tests/hostile/clients.t, badsum)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "gdbstub/packet.h"
#include "tests/unit/tap.h"
#include "vmm/console.h"
#include "vmm/loader.h"
#include "vmm/vm.h"
#include "vmm/x86mmu.h"

static int no_memory(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	(void)opaque, (void)gpa, (void)buf, (void)len;
	return -EFAULT;
}

static void mmu(void)
{
	struct mmu_ctx m = { .cr0 = X86_CR0_PE, .efer = X86_EFER_LMA | X86_EFER_LME,
			     .read_phys = no_memory };
	uint64_t pa = 1, left = 0;

	is(mmu_translate(&m, 0, &pa, &left, NULL), 0, "LMA, paging off, linear 0 translates");
	ok(pa == 0 && left >= 1, "and leaves at least one byte in the page (left 0x%llx)",
	   (unsigned long long)left);
	mmu_translate(&m, 0x1000, &pa, &left, NULL);
	ok(left == 0 - 0x1000ull, "from linear 0x1000: the rest of the 64-bit space");
	m.efer = 0;
	mmu_translate(&m, 0, &pa, &left, NULL);
	ok(left == 0x100000000ull, "32-bit, paging off, from 0: 4 GiB");
}

static void loader(void)
{
	static struct vm vm;
	uint8_t img[0x40];
	char err[256] = "";
	uint32_t h[8] = { 0x1badb002u, 0x10003u, 0u - 0x1badb002u - 0x10003u, 0x200020,
			  0x200000, 0x200000, 0x200000, 0x200040 };

	vm.ram_size = 4u << 20;
	vm.low_end = vm.ram_size;
	vm.ram = calloc(1, vm.ram_size);
	memset(img, 0x90, sizeof(img));
	memcpy(img + 0x20, h, sizeof(h));
	struct image *i = &vm.images[0];
	i->path = i->name = "empty.bin";
	is(loader_load_buffer(&vm, i, 0, img, sizeof(img), err, sizeof(err)), -ENOEXEC,
	   "a.out kludge with load_end_addr = bss_end_addr = load_addr is refused");
	ok(strstr(err, "nothing to load") != NULL, "error says so: %s", err);
	h[6] = 0x201000; /* bss_end_addr: 4 KiB of bss is something */
	memcpy(img + 0x20, h, sizeof(h));
	err[0] = 0;
	is(loader_load_buffer(&vm, i, 0, img, sizeof(img), err, sizeof(err)), 0,
	   "the same with 4 KiB of bss loads (%s)", err);
	free(vm.ram);
}

static struct console *con;

static void *stop_later(void *arg)
{
	(void)arg;
	usleep(200 * 1000);
	console_stop_output(con);
	return NULL;
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "not ok - console_close came back (killed after 10 s)\n";
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(1);
}

static void console(void)
{
	int pfd[2];
	char line[1000];
	struct timespec t0, t1;
	pthread_t th;

	if (pipe(pfd)) {
		ok(0, "pipe: %s", strerror(errno));
		return;
	}
	fcntl(pfd[1], F_SETPIPE_SZ, 4096);
	memset(line, 'y', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	int devnull = open("/dev/null", O_RDONLY);
	is(console_open(&con, devnull, pfd[1], 1), 0, "console on a pipe nobody reads");
	signal(SIGALRM, on_alarm);
	alarm(10);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_create(&th, NULL, stop_later, NULL);
	/* more than the pipe holds: this blocks until the output is stopped */
	for (int k = 0; k < 64; k++)
		console_write(con, 0, line, sizeof(line));
	console_close(con);
	alarm(0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(th, NULL);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ok(s < 5, "after console_stop_output the blocked writer gives up within a second or so (%.1f s)",
	   s);
	close(pfd[0]);
	close(pfd[1]);
	close(devnull);
}

static void packet(void)
{
	static struct rsp_parser p;
	static const char in[] = "$?#3$?#3f";
	enum rsp_event ev[sizeof(in)];

	rsp_parser_init(&p);
	for (size_t i = 0; i + 1 < sizeof(in); i++)
		ev[i] = rsp_feed(&p, (uint8_t)in[i]);
	is(ev[4], RSP_EV_BAD_CSUM, "'$' after one checksum digit: the cut packet is a bad checksum");
	is(ev[8], RSP_EV_PACKET, "and that '$' starts the next packet, which arrives");
	ok(p.len == 1 && p.buf[0] == '?', "with its body");
	rsp_parser_init(&p);
	rsp_feed(&p, '$');
	rsp_feed(&p, 'g');
	rsp_feed(&p, '#');
	is(rsp_feed(&p, '$'), RSP_EV_BAD_CSUM, "'$' right after '#' too");
	is(p.state, RSP_ST_DATA, "and starts a packet");
}

int main(void)
{
	packet();
	mmu();
	loader();
	console();
	return done_testing();
}
