/* vmm/dev_acpi_pm.c: the ACPI PM1a event and control registers (0x600-0x605): writing S5 to PM1a_CNT powers the machine off. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "vmm/acpi.h"
#include "vmm/devices.h"
#include "vmm/vm.h"

/* PM1 status and enable (ACPI 6.4, 4.8.3.1) have no event to report here;
 * PM1 control keeps what the kernel wrote, with SCI_EN set: the machine is
 * in ACPI mode from the start (the FADT has no SMI command port). */
#define PM1_SCI_EN 1u

struct acpi_pm {
	pthread_mutex_t lock;
	uint8_t regs[ACPI_PM1_EVT_LEN + ACPI_PM1_CNT_LEN]; /* status, enable, control */
};

static int pm_init(struct vm *vm, void **state)
{
	(void)vm;
	struct acpi_pm *pm = calloc(1, sizeof(*pm));
	if (!pm)
		return -ENOMEM;
	pthread_mutex_init(&pm->lock, NULL);
	pm->regs[ACPI_PM1_EVT_LEN] = PM1_SCI_EN;
	*state = pm;
	return 0;
}

static void pm_fini(void *state)
{
	struct acpi_pm *pm = state;
	pthread_mutex_destroy(&pm->lock);
	free(pm);
}

static enum io_result pm_io(void *dev, struct vcpu *cpu, uint16_t port, unsigned size,
			    bool write, uint32_t *val)
{
	struct acpi_pm *pm = dev;
	unsigned off = port - ACPI_PM1_EVT;
	bool off_now = false;

	pthread_mutex_lock(&pm->lock);
	for (unsigned i = 0; i < size && off + i < sizeof(pm->regs); i++) {
		unsigned at = off + i;
		if (!write) {
			if (i == 0)
				*val = 0;
			*val |= (uint32_t)pm->regs[at] << (8 * i);
		} else if (at < 2) {
			pm->regs[at] &= (uint8_t)~(*val >> (8 * i)); /* status: write 1 to clear */
		} else {
			pm->regs[at] = (uint8_t)(*val >> (8 * i));
		}
	}
	if (write) {
		uint16_t cnt = (uint16_t)(pm->regs[ACPI_PM1_EVT_LEN] | pm->regs[ACPI_PM1_EVT_LEN + 1] << 8);
		off_now = (cnt & ACPI_SLP_EN) && ACPI_SLP_TYP(cnt) == ACPI_S5_TYP;
		pm->regs[ACPI_PM1_EVT_LEN + 1] &= (uint8_t)~(ACPI_SLP_EN >> 8); /* SLP_EN reads as 0 */
	}
	pthread_mutex_unlock(&pm->lock);
	if (!off_now)
		return IO_OK;
	vm_request_exit(cpu->vm, 0); /* poweroff: the machine ends, status 0 */
	return IO_EXIT_VM;
}

const struct vm_device dev_acpi_pm = {
	.name = "acpi-pm1", .base = ACPI_PM1_EVT, .len = ACPI_PM1_EVT_LEN + ACPI_PM1_CNT_LEN,
	.io = pm_io, .init = pm_init, .fini = pm_fini,
};
