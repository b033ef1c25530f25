/* tests/unit/fakestub.c: the gdb stub serving the fake target on a socket, for tests with the real gdb.
 *
 * usage: fakestub [--arch i386|x86-64] [--cpus N] [--real CS:IP]
 *                 [--exit STATUS] [--listen SPEC] [--timeout SECONDS]
 * Prints "listening on ADDR" on stdout, then serves until the machine
 * exits or is killed, then prints "served: RC kills=N detaches=N".
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdbstub/gdbstub.h"
#include "tests/unit/fake_target.h"

static void usage(void)
{
	fprintf(stderr, "usage: fakestub [--arch i386|x86-64] [--cpus N] [--real CS:IP] "
			"[--exit STATUS] [--listen SPEC] [--timeout SECONDS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	enum gdb_arch arch = GDB_ARCH_I386;
	const char *listen = "127.0.0.1:0";
	int cpus = 2, exit_status = -1;
	unsigned timeout = 60;
	unsigned cs = 0, ip = 0;
	int real = 0;
	struct fake_target f;
	struct gdb_stub *stub;

	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			usage();
		if (!strcmp(a, "--arch"))
			arch = !strcmp(v, "x86-64") ? GDB_ARCH_X86_64 : GDB_ARCH_I386;
		else if (!strcmp(a, "--cpus"))
			cpus = atoi(v);
		else if (!strcmp(a, "--real")) {
			if (sscanf(v, "%x:%x", &cs, &ip) != 2)
				usage();
			real = 1;
		} else if (!strcmp(a, "--exit"))
			exit_status = atoi(v);
		else if (!strcmp(a, "--listen"))
			listen = v;
		else if (!strcmp(a, "--timeout"))
			timeout = (unsigned)atoi(v);
		else
			usage();
	}
	/* nothing may hang a test run */
	alarm(timeout);

	if (fake_init(&f, arch, cpus)) {
		fprintf(stderr, "fakestub: bad --cpus\n");
		return 2;
	}
	f.sim = true;
	f.sim_exit = exit_status;
	if (real)
		fake_real_mode(&f, 0, (uint16_t)cs, (uint16_t)ip);
	/* a recognizable instruction stream at the fake pcs: nops, int3 */
	memset(f.ram + 0x1000, 0x90, 0x400);

	int err = gdb_stub_open(&stub, &fake_ops, &f, listen);
	if (err) {
		fprintf(stderr, "fakestub: %s: %s\n", listen, strerror(-err));
		return 1;
	}
	printf("listening on %s\n", gdb_stub_address(stub));
	fflush(stdout);
	err = gdb_stub_serve(stub);
	printf("served: %d kills=%d detaches=%d attaches=%d\n", err, f.kills,
	       f.detaches, f.attaches);
	gdb_stub_close(stub);
	fake_fini(&f);
	return err ? 1 : 0;
}
