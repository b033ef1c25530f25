/* tests/unit/test_x86mmu.c: the page walker on synthetic page tables, every paging mode. */
#include <errno.h>
#include <stdlib.h>

#include "tests/unit/tap.h"
#include "vmm/x86mmu.h"

#define PHYS (16u << 20)
static uint8_t *phys;

static int rd(void *o, uint64_t gpa, void *buf, size_t len)
{
	(void)o;
	if (gpa >= PHYS || len > PHYS - gpa)
		return -EFAULT;
	memcpy(buf, phys + gpa, len);
	return 0;
}

static void put32(uint64_t a, uint32_t v) { memcpy(phys + a, &v, 4); }
static void put64(uint64_t a, uint64_t v) { memcpy(phys + a, &v, 8); }

static int xlate(struct mmu_ctx *m, uint64_t la, uint64_t *pa, uint64_t *left)
{
	*pa = *left = 0;
	return mmu_translate(m, la, pa, left, NULL);
}

int main(void)
{
	uint64_t pa, left;
	struct mmu_ctx m = { .read_phys = rd };
	phys = calloc(1, PHYS);

	/* paging off */
	m.cr0 = X86_CR0_PE;
	is(xlate(&m, 0x12345, &pa, &left), 0, "paging off: translates");
	ok(pa == 0x12345 && left == 0x100000000ull - 0x12345, "paging off: identity, rest of 4 GiB");
	xlate(&m, 0x123456789ull, &pa, &left);
	is(pa, 0x23456789, "paging off outside long mode: linear addresses are 32 bits");
	m.cr0 = 0;
	xlate(&m, 0xb8000, &pa, &left);
	is(pa, 0xb8000, "real mode: identity");

	/* 32-bit, 2 levels: PD at 0x1000 */
	m.cr0 = X86_CR0_PE | X86_CR0_PG;
	m.cr3 = 0x1000;
	m.cr4 = X86_CR4_PSE;
	put32(0x1000 + 1 * 4, 0x2000 | 3);          /* PD[1] -> PT at 0x2000 */
	put32(0x2000 + 5 * 4, 0x00345000 | 3);      /* PT[5] -> 0x345000 */
	put32(0x1000 + 2 * 4, 0x00c00000 | 0x83);   /* PD[2]: 4 MiB page at 12 MiB */
	put32(0x1000 + 3 * 4, 0x00400000 | (1u << 13) | 0x83); /* PSE-36: bit 32 */
	is(xlate(&m, 0x00405123, &pa, &left), 0, "32-bit 4 KiB page: translates");
	ok(pa == 0x345123 && left == 0x1000 - 0x123, "32-bit 4 KiB page: address and room left");
	is(xlate(&m, 0x00812345, &pa, &left), 0, "32-bit 4 MiB page: translates");
	ok(pa == 0xc12345 && left == 0x400000 - 0x12345, "32-bit 4 MiB page: address and room left");
	xlate(&m, 0x00c00010, &pa, &left);
	is(pa, 0x100400010ull, "32-bit PSE-36 page reaches above 4 GiB");
	is(xlate(&m, 0x00001000, &pa, &left), -EFAULT, "32-bit: PDE not present");
	is(xlate(&m, 0x00406000, &pa, &left), -EFAULT, "32-bit: PTE not present");
	m.cr4 = 0;
	is(xlate(&m, 0x00812345, &pa, &left), -EFAULT, "CR4.PSE off: PS is ignored, the entry is a table");
	m.cr3 = 0xfffff000;
	is(xlate(&m, 0x00405123, &pa, &left), -EFAULT, "page directory outside RAM");

	/* PAE: PDPT at 0x3000 */
	m.cr4 = X86_CR4_PAE;
	m.cr3 = 0x3000;
	put64(0x3000, 0x4000 | 1);                    /* PDPTE[0] -> PD */
	put64(0x4000 + 1 * 8, 0x5000 | 3);            /* PD[1] -> PT */
	put64(0x5000 + 3 * 8, 0x123456000ull | 3);    /* PT[3] above 4 GiB */
	put64(0x4000 + 2 * 8, 0x40000000ull | 0x83);  /* PD[2]: 2 MiB page */
	is(xlate(&m, 0x203abc, &pa, &left), 0, "PAE 4 KiB page: translates");
	ok(pa == 0x123456abcull && left == 0x1000 - 0xabc, "PAE 4 KiB page above 4 GiB");
	xlate(&m, 0x401234, &pa, &left);
	ok(pa == 0x40001234 && left == 0x200000 - 0x1234, "PAE 2 MiB page");
	is(xlate(&m, 0x40000000, &pa, &left), -EFAULT, "PAE: PDPTE not present");

	/* 4-level: PML4 at 0x6000 */
	m.cr4 = X86_CR4_PAE;
	m.efer = X86_EFER_LME | X86_EFER_LMA;
	m.cr3 = 0x6000;
	put64(0x6000 + 256 * 8, 0x7000 | 3);            /* PML4[256] */
	put64(0x7000 + 0 * 8, 0x8000 | 3);              /* PDPT[0] */
	put64(0x8000 + 1 * 8, 0x9000 | 3);              /* PD[1] */
	put64(0x9000 + 1 * 8, 0xabcd000ull | 3);        /* PT[1] */
	put64(0x7000 + 1 * 8, 0x80000000ull | 0x83);    /* PDPT[1]: 1 GiB page */
	struct mmu_walk w;
	is(mmu_translate(&m, 0xffff800000201010ull, &pa, &left, &w), 0, "4-level 4 KiB page: translates");
	is(pa, 0xabcd010, "4-level 4 KiB page: address");
	ok(w.nr_steps == 4 && !strcmp(w.mode, "4-level") && !strcmp(w.steps[0].level, "PML4") &&
		   w.steps[0].entry_gpa == 0x6000 + 256 * 8 && w.steps[3].entry == (0xabcd000ull | 3),
	   "4-level walk trace lists each level's entry");
	xlate(&m, 0xffff800040012345ull, &pa, &left);
	ok(pa == 0x80012345 && left == (1ull << 30) - 0x12345, "4-level 1 GiB page");
	is(xlate(&m, 0x0000800000000000ull, &pa, &left), -EFAULT, "non-canonical address");
	is(xlate(&m, 0x1000, &pa, &left), -EFAULT, "4-level: PML4E not present");
	m.cr0 = X86_CR0_PE;
	m.efer = X86_EFER_LMA;
	xlate(&m, 0x123456789ull, &pa, &left);
	is(pa, 0x123456789ull, "paging off in long mode keeps 64-bit addresses");
	free(phys);
	return done_testing();
}
