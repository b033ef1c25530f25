/* vmm/iobus.h: the port I/O bus: devices claim port ranges, the bus dispatches accesses. */
#ifndef VMM_IOBUS_H
#define VMM_IOBUS_H

#include <stdbool.h>
#include <stdint.h>

#define IOBUS_MAX_DEVICES 16

struct vcpu;

/* What a port handler asks of the vCPU loop. */
enum io_result {
	IO_OK = 0,        /* carry on */
	IO_STOP_VCPU = 1, /* this guest ended (its status is set) */
	IO_EXIT_VM = 2,   /* the whole machine ends (vm->exit_status is set) */
	IO_RETRY = 3,     /* could not finish now (interrupted); run it again */
};

/* One access: `size` is 1, 2 or 4; on a read the handler fills *val. */
typedef enum io_result (*io_handler_fn)(void *dev, struct vcpu *cpu, uint16_t port,
					unsigned size, bool write, uint32_t *val);

struct iobus_dev {
	const char *name;
	uint16_t base;
	uint16_t len;
	io_handler_fn fn;
	void *opaque;
};

struct iobus {
	struct iobus_dev devs[IOBUS_MAX_DEVICES + 1]; /* [0] is "no device" */
	unsigned nr_devs;
	uint8_t map[65536];          /* port -> index into devs, 0 = unclaimed */
	uint64_t logged[65536 / 64]; /* unclaimed ports already reported */
	int verbose;
};

void iobus_init(struct iobus *bus, int verbose);
/* -EBUSY if any port of the range is claimed, -ENOSPC when full,
 * -EINVAL for an empty range or one past port 0xffff. */
int iobus_register(struct iobus *bus, const char *name, uint16_t base, uint32_t len,
		   io_handler_fn fn, void *opaque);
/* Unclaimed ports read as all ones and ignore writes (like an ISA bus with
 * nothing on it); with -v each is reported once. */
enum io_result iobus_access(struct iobus *bus, struct vcpu *cpu, uint16_t port,
			    unsigned size, bool write, uint32_t *val);

#endif
