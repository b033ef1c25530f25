/* vmm/dev_pvpanic.c: QEMU's pvpanic device on port 0x505: a kernel's panic ends the machine with one line and status 120. */
#include <stdio.h>

#include "vmm/acpi.h"
#include "vmm/devices.h"
#include "vmm/vm.h"

/* The events it can report, read from the port; a write sets the ones
 * that happened (QEMU's docs/specs/pvpanic.rst: bit 0 panicked, bit 1
 * crash kernel loaded). Only the panic ends the machine. */
#define PVPANIC_PANICKED 1u
#define PVPANIC_CRASH_LOADED 2u

static enum io_result pvpanic_io(void *dev, struct vcpu *cpu, uint16_t port, unsigned size,
				 bool write, uint32_t *val)
{
	struct vm *vm = dev;
	(void)port;
	(void)size;
	if (!write) {
		*val = PVPANIC_PANICKED | PVPANIC_CRASH_LOADED;
		return IO_OK;
	}
	if (!(*val & PVPANIC_PANICKED))
		return IO_OK;
	pthread_mutex_lock(&vm->lock);
	if (!vm->fault_line[0])
		snprintf(vm->fault_line, sizeof(vm->fault_line),
			 "vCPU %d (%s): the guest kernel panicked (pvpanic)", cpu->index, cpu->image->name);
	pthread_mutex_unlock(&vm->lock);
	vm_request_exit(vm, VM_STATUS_PANIC);
	return IO_EXIT_VM;
}

const struct vm_device dev_pvpanic = {
	.name = "pvpanic", .base = ACPI_PVPANIC_PORT, .len = 1, .io = pvpanic_io,
};
