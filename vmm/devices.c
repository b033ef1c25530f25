/* vmm/devices.c: the one table of devices; adding a device is adding a row. */
#include <errno.h>
#include <stdio.h>

#include "vmm/devices.h"
#include "vmm/vm.h"

static const struct vm_device *const device_table[] = {
	&dev_hypercall,
	&dev_uart,
	&dev_debugcon,
	&dev_debugexit,
	&dev_acpi_pm,
	&dev_reset,
	&dev_pvpanic,
};
#define NR_DEVICES (sizeof(device_table) / sizeof(device_table[0]))
_Static_assert(NR_DEVICES <= sizeof(((struct vm *)0)->devices) / sizeof(void *),
	       "struct vm has a state slot per device");

int devices_init(struct vm *vm)
{
	for (size_t i = 0; i < NR_DEVICES; i++) {
		const struct vm_device *d = device_table[i];
		void *state = vm;
		int r = d->init ? d->init(vm, &state) : 0;
		if (r < 0)
			return r;
		vm->devices[i] = state;
		r = iobus_register(&vm->bus, d->name, d->base, d->len, d->io, state);
		if (r < 0) {
			fprintf(stderr, "gdbvmm: device %s: ports 0x%x-0x%x: %s\n", d->name, d->base,
				d->base + d->len - 1, r == -EBUSY ? "already claimed" : "cannot claim");
			return r;
		}
	}
	return 0;
}

void devices_fini(struct vm *vm)
{
	for (size_t i = 0; i < NR_DEVICES; i++)
		if (device_table[i]->fini && vm->devices[i])
			device_table[i]->fini(vm->devices[i]);
}
