/* vmm/dev_debugcon.c: QEMU's debug console on port 0xe9: each byte written is printed. */
#include "vmm/console.h"
#include "vmm/devices.h"
#include "vmm/vm.h"

#define DEBUGCON_READBACK 0xe9 /* what QEMU returns, so guests can detect the port */

static enum io_result debugcon_io(void *dev, struct vcpu *cpu, uint16_t port, unsigned size,
				  bool write, uint32_t *val)
{
	struct vm *vm = dev;
	(void)port;
	(void)size;
	if (write)
		console_putc(vm->con, cpu->con, (uint8_t)*val);
	else
		*val = DEBUGCON_READBACK;
	return IO_OK;
}

const struct vm_device dev_debugcon = {
	.name = "debugcon", .base = 0xe9, .len = 1, .io = debugcon_io,
};
