/* vmm/dev_debugexit.c: QEMU's isa-debug-exit on port 0xf4: the monitor exits with (value << 1) | 1. */
#include "vmm/devices.h"
#include "vmm/vm.h"

static enum io_result debugexit_io(void *dev, struct vcpu *cpu, uint16_t port, unsigned size,
				   bool write, uint32_t *val)
{
	struct vm *vm = dev;
	(void)cpu;
	(void)port;
	(void)size;
	if (!write) {
		*val = 0xffffffffu;
		return IO_OK;
	}
	/* As QEMU's device: the status is (value << 1) | 1, so never 0; the
	 * process status keeps its low 8 bits. */
	vm_request_exit(vm, (int)(((*val << 1) | 1) & 0xff));
	return IO_EXIT_VM;
}

const struct vm_device dev_debugexit = {
	.name = "isa-debug-exit", .base = 0xf4, .len = 4, .io = debugexit_io,
};
