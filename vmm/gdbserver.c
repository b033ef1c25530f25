/* vmm/gdbserver.c: placeholder until the gdb target lands. */
#include <stdio.h>

#include "vmm/gdbserver.h"
#include "vmm/vm.h"

int gdbserver_run(struct vm *vm, const char *spec, bool wait, unsigned timeout_s)
{
	(void)vm; (void)wait; (void)timeout_s;
	fprintf(stderr, "gdbvmm: --gdb %s: not available yet\n", spec);
	return VM_STATUS_USAGE;
}
