/* vmm/iobus.c: port I/O dispatch through a port->device table, with a default for unclaimed ports. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm/iobus.h"

void iobus_init(struct iobus *bus, int verbose)
{
	memset(bus, 0, sizeof(*bus));
	bus->verbose = verbose;
}

int iobus_register(struct iobus *bus, const char *name, uint16_t base, uint32_t len,
		   io_handler_fn fn, void *opaque)
{
	if (len == 0 || (uint32_t)base + len > 0x10000u || !fn)
		return -EINVAL;
	if (bus->nr_devs >= IOBUS_MAX_DEVICES)
		return -ENOSPC;
	for (uint32_t p = base; p < (uint32_t)base + len; p++)
		if (bus->map[p])
			return -EBUSY;

	unsigned idx = ++bus->nr_devs;
	bus->devs[idx] = (struct iobus_dev){ name, base, (uint16_t)len, fn, opaque };
	for (uint32_t p = base; p < (uint32_t)base + len; p++)
		bus->map[p] = (uint8_t)idx;
	return 0;
}

static void log_unclaimed(struct iobus *bus, uint16_t port, unsigned size, bool write,
			  uint32_t val)
{
	uint64_t bit = 1ull << (port % 64);
	/* vCPU threads share the bus: one atomic or decides who reports. */
	if (!bus->verbose || (__atomic_fetch_or(&bus->logged[port / 64], bit,
						__ATOMIC_RELAXED) & bit))
		return;
	if (write)
		fprintf(stderr, "gdbvmm: unclaimed port 0x%04x: out%c 0x%x (reported once)\n",
			port, "?bw?l"[size], val);
	else
		fprintf(stderr, "gdbvmm: unclaimed port 0x%04x: in%c (reported once)\n",
			port, "?bw?l"[size]);
}

enum io_result iobus_access(struct iobus *bus, struct vcpu *cpu, uint16_t port,
			    unsigned size, bool write, uint32_t *val)
{
	const struct iobus_dev *d = &bus->devs[bus->map[port]];

	if (d->fn)
		return d->fn(d->opaque, cpu, port, size, write, val);
	log_unclaimed(bus, port, size, write, write ? *val : 0);
	if (!write)
		*val = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
	return IO_OK;
}
