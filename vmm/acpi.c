/* vmm/acpi.c: the ACPI tables of a Linux machine: RSDP, XSDT, FADT, FACS, DSDT (\_S5) and MADT (the CPUs). */
#include <string.h>

#include "vmm/acpi.h"
#include "vmm/vm.h"

/* Layouts from the ACPI 6.4 specification: the system description
 * header (5.2.6), RSDP (5.2.5.3), FADT (5.2.9), FACS (5.2.10), MADT
 * (5.2.12) and the Generic Address Structure (5.2.3.2). */
#define HDR_LEN 36
#define FADT_LEN 276
#define FACS_LEN 64

/* FADT field offsets (ACPI 6.4, table 5.9) */
#define FADT_FIRMWARE_CTRL 36
#define FADT_DSDT 40
#define FADT_SCI_INT 46
#define FADT_PM1A_EVT_BLK 56
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM1_EVT_LEN 88
#define FADT_PM1_CNT_LEN 89
#define FADT_P_LVL2_LAT 96
#define FADT_P_LVL3_LAT 98
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_MINOR 131

/* FADT flags and IA-PC boot architecture flags (tables 5.10, 5.11) */
#define FADT_F_WBINVD (1u << 0)
#define FADT_F_PWR_BUTTON (1u << 4)  /* no fixed power button */
#define FADT_F_SLP_BUTTON (1u << 5)  /* no fixed sleep button */
#define FADT_F_RESET_REG_SUP (1u << 10)
#define BOOT_ARCH_VGA_NOT_PRESENT (1u << 2)
#define BOOT_ARCH_MSI_NOT_SUPPORTED (1u << 3)
#define BOOT_ARCH_CMOS_RTC_NOT_PRESENT (1u << 5)

/* MADT entry types (table 5.21) */
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_LAPIC_NMI 4
#define MADT_PCAT_COMPAT 1u /* the 8259s are there too */

/* The DSDT's whole AML (ACPI 6.4, chapter 20: DefName, DefPackage,
 * DefScope, DefDevice, BytePrefix, ZeroOp; resource descriptors: 6.4.2):
 *   Name (_S5, Package (4) { 5, 0, 0, 0 })   the sleep type a kernel writes
 *                                            to PM1a_CNT to power off (7.4.2)
 *   Scope (\_SB) { Device (PEVT) {           QEMU's pvpanic device, which a
 *       Name (_HID, "QEMU0001")              kernel tells of its panic
 *       Name (_CRS, ResourceTemplate () { IO (Decode16, 0x505, 0x505, 1, 1) })
 *   } } */
static const uint8_t dsdt_aml[] = {
	0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x04, 0x0a, ACPI_S5_TYP, 0x00, 0x00, 0x00,
	0x10, 0x2e, '_', 'S', 'B', '_',
	0x5b, 0x82, 0x27, 'P', 'E', 'V', 'T',
	0x08, '_', 'H', 'I', 'D', 0x0d, 'Q', 'E', 'M', 'U', '0', '0', '0', '1', 0x00,
	0x08, '_', 'C', 'R', 'S', 0x11, 0x0d, 0x0a, 0x0a,
	0x47, 0x01, ACPI_PVPANIC_PORT & 0xff, ACPI_PVPANIC_PORT >> 8,
	ACPI_PVPANIC_PORT & 0xff, ACPI_PVPANIC_PORT >> 8, 0x01, 0x01,
	0x79, 0x00,
};

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return (uint8_t)-sum;
}

static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "GDBVMM", 6);
	memcpy(t + 16, "GDBVMM  ", 8);
	put32(t + 24, 1);
	memcpy(t + 28, "GVMM", 4);
	put32(t + 32, 1);
}

static void seal(uint8_t *t)
{
	uint32_t len;
	memcpy(&len, t + 4, 4);
	t[9] = 0;
	t[9] = checksum(t, len);
}

/* A Generic Address Structure naming an I/O port (table 5.1). */
static void gas_io(uint8_t *p, uint16_t port, uint8_t bits)
{
	p[0] = 1; /* System I/O space */
	p[1] = bits;
	p[2] = 0;
	p[3] = bits == 8 ? 1 : bits == 16 ? 2 : 3; /* byte, word, dword access */
	put64(p + 4, port);
}

static uint32_t madt(uint8_t *t, int nr_cpus)
{
	uint32_t at = HDR_LEN + 8;
	put32(t + HDR_LEN, LAPIC_ADDR);
	put32(t + HDR_LEN + 4, MADT_PCAT_COMPAT);
	for (int i = 0; i < nr_cpus; i++, at += 8) {
		uint8_t *e = t + at;
		e[0] = MADT_LAPIC;
		e[1] = 8;
		e[2] = (uint8_t)i; /* ACPI processor UID */
		e[3] = (uint8_t)i; /* APIC ID: vcpu.c puts the index in CPUID too */
		put32(e + 4, 1);   /* enabled */
	}
	uint8_t *io = t + at;
	io[0] = MADT_IOAPIC;
	io[1] = 12;
	io[2] = 0; /* IOAPIC ID */
	put32(io + 4, IOAPIC_ADDR);
	put32(io + 8, 0); /* its pins are GSIs 0-23: KVM's routing is ISA IRQ n -> pin n */
	at += 12;
	uint8_t *nmi = t + at;
	nmi[0] = MADT_LAPIC_NMI;
	nmi[1] = 6;
	nmi[2] = 0xff; /* every processor */
	put16(nmi + 3, 0);
	nmi[5] = 1; /* LINT1, as lapic_virtual_wire sets it */
	at += 6;
	header(t, "APIC", at, 5);
	seal(t);
	return at;
}

static void fadt(uint8_t *t, uint32_t facs, uint32_t dsdt)
{
	header(t, "FACP", FADT_LEN, 6);
	put32(t + FADT_FIRMWARE_CTRL, facs);
	put32(t + FADT_DSDT, dsdt);
	put16(t + FADT_SCI_INT, ACPI_SCI_IRQ);
	/* SMI_CMD stays 0: the machine is in ACPI mode from the start */
	put32(t + FADT_PM1A_EVT_BLK, ACPI_PM1_EVT);
	put32(t + FADT_PM1A_CNT_BLK, ACPI_PM1_CNT);
	t[FADT_PM1_EVT_LEN] = ACPI_PM1_EVT_LEN;
	t[FADT_PM1_CNT_LEN] = ACPI_PM1_CNT_LEN;
	put16(t + FADT_P_LVL2_LAT, 101);  /* > 100: no C2 */
	put16(t + FADT_P_LVL3_LAT, 1001); /* > 1000: no C3 */
	/* no 8042 (bit 1 clear), no VGA, no MSI (no PCI), no CMOS clock:
	 * the kernel then probes none of them */
	put16(t + FADT_IAPC_BOOT_ARCH, BOOT_ARCH_VGA_NOT_PRESENT | BOOT_ARCH_MSI_NOT_SUPPORTED |
					       BOOT_ARCH_CMOS_RTC_NOT_PRESENT);
	put32(t + FADT_FLAGS, FADT_F_WBINVD | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON |
				      FADT_F_RESET_REG_SUP);
	gas_io(t + FADT_RESET_REG, ACPI_RESET_PORT, 8);
	t[FADT_RESET_VALUE] = ACPI_RESET_VALUE;
	t[FADT_MINOR] = 0;
	seal(t);
}

uint64_t acpi_build(struct vm *vm, int nr_cpus)
{
	/* RSDP, XSDT, FADT, FACS (64-byte aligned), DSDT, MADT */
	const uint32_t rsdp = ACPI_BASE, xsdt = rsdp + 0x40, fadt_at = xsdt + 0x40;
	const uint32_t facs = fadt_at + 0x140, dsdt = facs + 0x40;
	const uint32_t dsdt_len = HDR_LEN + (uint32_t)sizeof(dsdt_aml);
	const uint32_t madt_at = (dsdt + dsdt_len + 0x3f) & ~0x3fu;
	uint32_t madt_len = HDR_LEN + 8 + 8 * (uint32_t)nr_cpus + 12 + 6;
	uint8_t *m = vm_gpa(vm, ACPI_BASE, madt_at + madt_len - ACPI_BASE);

	if (!m || madt_at + madt_len > ACPI_END)
		return 0;
	memset(m, 0, madt_at + madt_len - ACPI_BASE);
#define AT(a) (m + ((a) - ACPI_BASE))
	/* RSDP, revision 2: the XSDT's address; checksum over the first 20
	 * bytes, extended checksum over all 36 */
	uint8_t *r = AT(rsdp);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "GDBVMM", 6);
	r[15] = 2;
	put32(r + 20, 36);
	put64(r + 24, xsdt);
	r[8] = checksum(r, 20);
	r[32] = checksum(r, 36);

	uint8_t *x = AT(xsdt);
	header(x, "XSDT", HDR_LEN + 16, 1);
	put64(x + HDR_LEN, fadt_at);
	put64(x + HDR_LEN + 8, madt_at);
	seal(x);

	fadt(AT(fadt_at), facs, dsdt);

	uint8_t *f = AT(facs);
	memcpy(f, "FACS", 4);
	put32(f + 4, FACS_LEN);
	f[32] = 2; /* version */

	uint8_t *d = AT(dsdt);
	header(d, "DSDT", dsdt_len, 2);
	memcpy(d + HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
	seal(d);

	madt(AT(madt_at), nr_cpus);
#undef AT
	return rsdp;
}
