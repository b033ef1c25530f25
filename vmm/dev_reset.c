/* vmm/dev_reset.c: the PC's reset line on port 0x64 (the 8042's command 0xfe): a reboot ends the machine, status 0. */
#include "vmm/acpi.h"
#include "vmm/devices.h"
#include "vmm/vm.h"

/* Only the reset is here, not a keyboard controller: the status register
 * reads 0 (nothing to read, ready for a command) so that a kernel's wait
 * before the command ends at once; every other command is ignored. The
 * FADT names the same port and value as its reset register. */
static enum io_result reset_io(void *dev, struct vcpu *cpu, uint16_t port, unsigned size,
			       bool write, uint32_t *val)
{
	(void)dev;
	(void)port;
	(void)size;
	if (!write) {
		*val = 0;
		return IO_OK;
	}
	if ((*val & 0xff) != ACPI_RESET_VALUE)
		return IO_OK;
	/* as QEMU's -no-reboot: a reset ends the monitor */
	vm_request_exit(cpu->vm, 0);
	return IO_EXIT_VM;
}

const struct vm_device dev_reset = {
	.name = "reset-8042", .base = ACPI_RESET_PORT, .len = 1, .io = reset_io,
};
