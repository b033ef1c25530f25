/* vmm/devices.h: the table of devices on the I/O bus, and each device's descriptor. */
#ifndef VMM_DEVICES_H
#define VMM_DEVICES_H

#include <stdint.h>

#include "vmm/iobus.h"

struct vm;

/* One device: its ports and handler; init makes its state (NULL: none). */
struct vm_device {
	const char *name;
	uint16_t base;
	uint16_t len;
	io_handler_fn io;
	int (*init)(struct vm *vm, void **state);
	void (*fini)(void *state);
};

extern const struct vm_device dev_hypercall;
extern const struct vm_device dev_uart;
extern const struct vm_device dev_debugcon;
extern const struct vm_device dev_debugexit;
extern const struct vm_device dev_acpi_pm;
extern const struct vm_device dev_reset;
extern const struct vm_device dev_pvpanic;

/* Creates every device and claims its ports; undone by devices_fini. */
int devices_init(struct vm *vm);
void devices_fini(struct vm *vm);

#endif
