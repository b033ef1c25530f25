/* tests/unit/test_iobus.c: the I/O bus claims ranges without overlap and answers unclaimed ports. */
#include <errno.h>

#include "tests/unit/tap.h"
#include "vmm/iobus.h"

struct fake {
	int hits;
	uint16_t last_port;
	uint32_t last_val;
};

static enum io_result fake_io(void *dev, struct vcpu *cpu, uint16_t port, unsigned size, bool write,
			      uint32_t *val)
{
	struct fake *f = dev;
	(void)cpu;
	(void)size;
	f->hits++;
	f->last_port = port;
	if (write)
		f->last_val = *val;
	else
		*val = 0x1234u + port;
	return IO_OK;
}

static struct iobus bus;

int main(void)
{
	struct fake a = { 0 }, b = { 0 };
	uint32_t v;

	iobus_init(&bus, 0);
	is(iobus_register(&bus, "a", 0x3f8, 8, fake_io, &a), 0, "claim 0x3f8-0x3ff");
	is(iobus_register(&bus, "b", 0x3ff, 2, fake_io, &b), -EBUSY, "overlapping claim is refused");
	is(iobus_register(&bus, "b", 0x3f0, 9, fake_io, &b), -EBUSY, "claim overlapping the start is refused");
	is(iobus_register(&bus, "b", 0x400, 4, fake_io, &b), 0, "adjacent claim is accepted");
	is(iobus_register(&bus, "c", 0xffff, 2, fake_io, &b), -EINVAL, "a range past port 0xffff is refused");
	is(iobus_register(&bus, "c", 0x10, 0, fake_io, &b), -EINVAL, "an empty range is refused");
	is(iobus_register(&bus, "c", 0xffff, 1, fake_io, &b), 0, "port 0xffff alone is fine");

	v = 0x41;
	is(iobus_access(&bus, NULL, 0x3f8, 1, true, &v), IO_OK, "write dispatches");
	ok(a.hits == 1 && a.last_port == 0x3f8 && a.last_val == 0x41, "device a saw the write");
	is(iobus_access(&bus, NULL, 0x3ff, 1, false, &v), IO_OK, "read dispatches");
	is(v, 0x1234u + 0x3ff, "device a answered the read of its last port");
	iobus_access(&bus, NULL, 0x401, 2, false, &v);
	ok(b.hits == 1 && b.last_port == 0x401, "device b gets its own range");

	v = 0;
	iobus_access(&bus, NULL, 0x80, 1, false, &v);
	is(v, 0xff, "unclaimed byte port reads 0xff");
	iobus_access(&bus, NULL, 0x80, 2, false, &v);
	is(v, 0xffff, "unclaimed word port reads 0xffff");
	iobus_access(&bus, NULL, 0x80, 4, false, &v);
	is(v, 0xffffffffu, "unclaimed dword port reads 0xffffffff");
	v = 7;
	is(iobus_access(&bus, NULL, 0x80, 1, true, &v), IO_OK, "unclaimed write is ignored");
	ok(a.hits == 2 && b.hits == 1, "no device saw the unclaimed accesses");

	iobus_init(&bus, 0);
	int r = 0;
	for (int i = 0; i < IOBUS_MAX_DEVICES; i++)
		r |= iobus_register(&bus, "d", (uint16_t)(0x1000 + i), 1, fake_io, &a);
	is(r, 0, "%d devices fit", IOBUS_MAX_DEVICES);
	is(iobus_register(&bus, "d", 0x2000, 1, fake_io, &a), -ENOSPC, "one more is refused");
	return done_testing();
}
