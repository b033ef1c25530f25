/* vmm/x86mmu.h: x86 linear-to-physical translation by walking the guest's own page tables. */
#ifndef VMM_X86MMU_H
#define VMM_X86MMU_H

#include <stddef.h>
#include <stdint.h>

#define X86_CR0_PE (1ull << 0)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PSE (1ull << 4)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_LA57 (1ull << 12)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)
#define X86_DR6_BS (1u << 14)    /* DR6: a single step (SDM vol. 3B, 17.2.3) */

/* The control registers that decide the paging mode, and how to read a
 * guest-physical table entry (returns 0 or -EFAULT). */
struct mmu_ctx {
	uint64_t cr0, cr3, cr4, efer;
	int (*read_phys)(void *opaque, uint64_t gpa, void *buf, size_t len);
	void *opaque;
};

/* One level of a walk, for `monitor pagewalk`. */
struct mmu_step {
	const char *level;  /* "PML5", "PML4", "PDPT", "PD", "PT", "PDPTE" */
	uint64_t entry_gpa; /* where the entry lives */
	uint64_t entry;     /* its value */
};

struct mmu_walk {
	int nr_steps;
	struct mmu_step steps[6];
	const char *mode;   /* "paging off", "32-bit", "PAE", "4-level", "5-level" */
};

/* Translate `la`. On success 0, *pa the physical address and *page_left the
 * bytes from pa to the end of its page (or of the 4 GiB/linear space when
 * paging is off). -EFAULT when a level is not present or a table is outside
 * RAM. `walk` may be NULL. */
int mmu_translate(const struct mmu_ctx *m, uint64_t la, uint64_t *pa, uint64_t *page_left,
		  struct mmu_walk *walk);

#endif
