/* vmm/x86mmu.c: page walks for every x86 paging mode (Intel SDM vol. 3A, 4.3 to 4.5). */
#include <errno.h>

#include "vmm/x86mmu.h"

#define PTE_P  (1ull << 0)
#define PTE_PS (1ull << 7)

struct level {
	const char *name;
	unsigned shift;   /* bits of the linear address below this level's index */
	unsigned bits;    /* index width */
	unsigned esize;   /* entry size in bytes */
	int can_be_leaf;  /* PS allowed at this level */
};

/* The table for each mode is data: one row per level, top first. */
static const struct level lv_32bit[] = {
	{ "PD", 22, 10, 4, 1 }, { "PT", 12, 10, 4, 0 },
};
static const struct level lv_pae[] = {
	{ "PDPTE", 30, 2, 8, 0 }, { "PD", 21, 9, 8, 1 }, { "PT", 12, 9, 8, 0 },
};
static const struct level lv_4[] = {
	{ "PML4", 39, 9, 8, 0 }, { "PDPT", 30, 9, 8, 1 }, { "PD", 21, 9, 8, 1 },
	{ "PT", 12, 9, 8, 0 },
};
static const struct level lv_5[] = {
	{ "PML5", 48, 9, 8, 0 }, { "PML4", 39, 9, 8, 0 }, { "PDPT", 30, 9, 8, 1 },
	{ "PD", 21, 9, 8, 1 }, { "PT", 12, 9, 8, 0 },
};

#define ADDR_MASK_52 0x000ffffffffff000ull

int mmu_translate(const struct mmu_ctx *m, uint64_t la, uint64_t *pa, uint64_t *page_left,
		  struct mmu_walk *walk)
{
	const struct level *lv;
	unsigned nr;
	uint64_t table;
	const char *mode;

	if (walk)
		walk->nr_steps = 0;
	if (!(m->cr0 & X86_CR0_PG) || !(m->cr0 & X86_CR0_PE)) {
		/* Outside long mode linear addresses are 32 bits (SDM 3.3.6). */
		if (!(m->efer & X86_EFER_LMA))
			la &= 0xffffffffull;
		*pa = la;
		/* never 0: callers loop on min(len, page_left); from linear 0
		 * the 2^64 bytes of a 64-bit space count as UINT64_MAX */
		if (m->efer & X86_EFER_LMA)
			*page_left = la ? 0 - la : UINT64_MAX;
		else
			*page_left = 0x100000000ull - la;
		if (walk)
			walk->mode = "paging off";
		return 0;
	}
	if (m->efer & X86_EFER_LMA) {
		int five = !!(m->cr4 & X86_CR4_LA57);
		lv = five ? lv_5 : lv_4;
		nr = five ? 5 : 4;
		mode = five ? "5-level" : "4-level";
		table = m->cr3 & ADDR_MASK_52;
		/* a non-canonical address maps nowhere (SDM vol. 1, 3.3.7.1) */
		unsigned sh = five ? 64 - 57 : 64 - 48;
		if ((uint64_t)((int64_t)(la << sh) >> sh) != la)
			return -EFAULT;
	} else if (m->cr4 & X86_CR4_PAE) {
		lv = lv_pae;
		nr = 3;
		mode = "PAE";
		table = m->cr3 & 0xffffffe0ull; /* 32-byte aligned PDPT (SDM 4.4.1) */
		la &= 0xffffffffull;
	} else {
		lv = lv_32bit;
		nr = 2;
		mode = "32-bit";
		table = m->cr3 & 0xfffff000ull;
		la &= 0xffffffffull;
	}
	if (walk)
		walk->mode = mode;

	for (unsigned i = 0; i < nr; i++) {
		const struct level *l = &lv[i];
		uint64_t idx = (la >> l->shift) & ((1ull << l->bits) - 1);
		uint64_t egpa = table + idx * l->esize;
		uint64_t e = 0;

		if (m->read_phys(m->opaque, egpa, &e, l->esize) < 0)
			return -EFAULT;
		if (walk && walk->nr_steps < 6)
			walk->steps[walk->nr_steps++] = (struct mmu_step){ l->name, egpa, e };
		if (!(e & PTE_P))
			return -EFAULT;

		int leaf = i == nr - 1 || (l->can_be_leaf && (e & PTE_PS) &&
					   (l->esize == 8 || (m->cr4 & X86_CR4_PSE)));
		if (leaf) {
			uint64_t size = 1ull << l->shift;
			uint64_t base;
			if (l->esize == 4 && i < nr - 1) {
				/* 4 MiB page; PSE-36 puts address bits 39:32 in 20:13 (SDM 4.3) */
				base = (e & 0xffc00000ull) | ((e >> 13) & 0xffull) << 32;
			} else if (l->esize == 4) {
				base = e & 0xfffff000ull;
			} else {
				base = e & ADDR_MASK_52 & ~(size - 1);
			}
			uint64_t off = la & (size - 1);
			*pa = base + off;
			*page_left = size - off;
			return 0;
		}
		table = l->esize == 4 ? (e & 0xfffff000ull) : (e & ADDR_MASK_52);
	}
	return -EFAULT; /* not reached: the last level is always a leaf */
}
