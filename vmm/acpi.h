/* vmm/acpi.h: the ACPI tables a Linux kernel finds the machine by, and the ports they name. */
#ifndef VMM_ACPI_H
#define VMM_ACPI_H

#include <stdint.h>

struct vm;

/* Where the tables go: the BIOS area a kernel scans for the RSDP
 * (ACPI 6.4, 5.2.5.1), kept out of the e820 RAM. */
#define ACPI_BASE         0xe0000u
#define ACPI_END          0x100000u

/* The fixed hardware the FADT and DSDT describe (vmm/dev_acpi_pm.c,
 * vmm/dev_reset.c, vmm/dev_pvpanic.c). */
#define ACPI_PM1_EVT      0x600u  /* PM1a event block: status, enable (2 + 2 bytes) */
#define ACPI_PM1_CNT      0x604u  /* PM1a control block (2 bytes) */
#define ACPI_PM1_EVT_LEN  4
#define ACPI_PM1_CNT_LEN  2
#define ACPI_SLP_EN       (1u << 13) /* PM1 control: sleep now (ACPI 6.4, 4.8.3.2.1) */
#define ACPI_SLP_TYP(v)   (((v) >> 10) & 7)
#define ACPI_S5_TYP       5       /* what the DSDT's \_S5 says: power off */
#define ACPI_SCI_IRQ      9
#define ACPI_RESET_PORT   0x64u   /* the 8042's command port */
#define ACPI_RESET_VALUE  0xfeu   /* its "pulse the reset line" command */
#define ACPI_PVPANIC_PORT 0x505   /* QEMU's pvpanic, as the DSDT names it */

#define IOAPIC_ADDR       0xfec00000u
#define LAPIC_ADDR        0xfee00000u

/* Writes the tables for nr_cpus vCPUs (APIC IDs 0..nr_cpus-1) into guest
 * RAM at ACPI_BASE; returns the RSDP's address, or 0 when RAM is too small
 * to hold them. */
uint64_t acpi_build(struct vm *vm, int nr_cpus);

#endif
