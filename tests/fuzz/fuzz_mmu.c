/* tests/fuzz/fuzz_mmu.c: libFuzzer harness of the guest page-table walker (vmm/x86mmu.c) over a synthetic guest memory.
 *
 * Input: CR0, CR3, CR4 and EFER (the bits that pick a paging mode, and
 * any others), a linear address, then the guest's physical memory: 64 KiB
 * at guest-physical 0, all zero but for the 8-byte words the rest of the
 * input puts there (records of a 16-bit offset, rounded down to 8, and a
 * 64-bit value), so that a few page tables take a few bytes of input.
 * Table entries that point past the 64 KiB read as -EFAULT, as entries
 * outside RAM do in the monitor.
 *
 * What the callers (hypercall pointers, gdb memory access, breakpoints)
 * rely on, checked for every translation that succeeds: at least one byte
 * is left in the page (a caller loops `while (len) { n = min(len, left);
 * ... }` and would never end on 0), the page does not run past 2^64, the
 * offset in a page is kept, the last byte of the page translates to the
 * last byte of the physical page, and the walk has at most one step per
 * level of the mode.
 */
#include <errno.h>

#include "tests/fuzz/fuzz.h"
#include "vmm/x86mmu.h"

#define MEM_SIZE 0x10000u

static uint8_t mem[MEM_SIZE];

static int read_phys(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	uint64_t end;
	(void)opaque;
	CHECK(len == 4 || len == 8);
	if (__builtin_add_overflow(gpa, len, &end) || end > MEM_SIZE)
		return -EFAULT;
	memcpy(buf, mem + gpa, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct mmu_ctx m = { .read_phys = read_phys };
	struct mmu_walk w;
	uint64_t pa, left, pa2, left2;

	m.cr0 = fuzz_take(&in, 8);
	m.cr3 = fuzz_take(&in, 8);
	m.cr4 = fuzz_take(&in, 8);
	m.efer = fuzz_take(&in, 8);
	uint64_t la = fuzz_take(&in, 8);
	memset(mem, 0, MEM_SIZE);
	while (in.left) {
		uint64_t off = fuzz_take(&in, 2) & (MEM_SIZE - 8);
		uint64_t v = fuzz_take(&in, 8);
		memcpy(mem + off, &v, 8);
	}

	int rc = mmu_translate(&m, la, &pa, &left, &w);
	CHECK(w.nr_steps >= 0 && w.nr_steps <= 5);
	if (rc < 0) {
		CHECK(rc == -EFAULT);
		return 0;
	}
	CHECK(rc == 0);
	CHECK(left >= 1);
	CHECK(pa + (left - 1) >= pa); /* the page does not wrap */
	bool paging = (m.cr0 & X86_CR0_PG) && (m.cr0 & X86_CR0_PE);
	if (paging) {
		CHECK(left <= (1ull << 30));
		CHECK((pa & 0xfff) == (la & 0xfff));
		CHECK(w.nr_steps >= 1);
	} else {
		CHECK(w.nr_steps == 0);
		if (!(m.efer & X86_EFER_LMA))
			CHECK(pa == (la & 0xffffffffull) && pa + left == 0x100000000ull);
	}
	/* the page's last byte is in the same page (the whole 64-bit space,
	 * 2^64 bytes, counts as UINT64_MAX: one byte is left after it) */
	CHECK(mmu_translate(&m, la + (left - 1), &pa2, &left2, NULL) == 0);
	CHECK(pa2 == pa + (left - 1));
	CHECK(left2 == 1 || (left == UINT64_MAX && left2 == 2));
	return 0;
}
