/* os-1k/mm.c: physical pages from the Multiboot memory map, the kernel page directory, per-process address spaces. */
#include "os-1k/kernel.h"

/* Filled by boot.S before paging is turned on (that is why they are not
 * static): physical 0..PHYS_MAX is mapped at KERNBASE by NKPT page
 * tables, which every process's page directory shares. */
uint32_t kpgdir[1024] __attribute__((aligned(PAGE_SIZE)));
uint32_t kpgtab[NKPT][1024] __attribute__((aligned(PAGE_SIZE)));

extern char _end[];               /* kernel.ld: the end of the kernel image */

/* Free pages form a list threaded through the pages themselves. */
struct free_page {
	struct free_page *next;
};
static struct free_page *free_list;
uint32_t free_pages;               /* for gdb and the boot message */

/* The Multiboot information structure (Multiboot Specification 0.6.96, 3.3). */
#define MB_BOOT_MAGIC 0x2badb002
#define MB_INFO_MEM   (1u << 0)
#define MB_INFO_MMAP  (1u << 6)

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4];
	uint32_t mmap_length, mmap_addr;
};

struct mb_mmap_entry {
	uint32_t size;                 /* of the rest of the entry */
	uint64_t addr, len;
	uint32_t type;                 /* 1: available RAM */
} __attribute__((packed));

#define MAX_REGIONS 16

static inline uint32_t page_round_up(uint32_t a)
{
	return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static void lcr3(uint32_t pa)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(pa) : "memory");
}

void mm_init(uint32_t mb_magic, uint32_t mb_info)
{
	struct { uint32_t start, end; } ram[MAX_REGIONS];
	const struct mb_info *mb = P2V(mb_info);
	int n = 0;

	if (mb_magic != MB_BOOT_MAGIC)
		PANIC("not started by a Multiboot loader (eax 0x%x)", mb_magic);
	if (mb_info >= PHYS_MAX)
		PANIC("multiboot info at 0x%x is above the direct map", mb_info);

	/* Note the RAM regions first: freeing pages writes into them, and the
	 * map itself could lie in one. Only RAM below PHYS_MAX is used. */
	if (mb->flags & MB_INFO_MMAP) {
		uint32_t off = 0;

		while (off + sizeof(struct mb_mmap_entry) <= mb->mmap_length && n < MAX_REGIONS) {
			const struct mb_mmap_entry *e = P2V(mb->mmap_addr + off);
			uint64_t end = e->addr + e->len;

			if (e->type == 1 && e->addr < PHYS_MAX) {
				ram[n].start = (uint32_t)e->addr;
				ram[n].end = end > PHYS_MAX ? PHYS_MAX : (uint32_t)end;
				n++;
			}
			off += e->size + sizeof(e->size);
		}
	} else if (mb->flags & MB_INFO_MEM) {
		/* mem_upper: KiB of RAM from 1 MiB up */
		uint64_t end = 0x100000 + (uint64_t)mb->mem_upper * 1024;

		ram[0].start = 0x100000;
		ram[0].end = end > PHYS_MAX ? PHYS_MAX : (uint32_t)end;
		n = 1;
	} else {
		PANIC("the boot loader passed no memory size");
	}

	/* boot.S mapped physical memory at 0 too, so that it could turn
	 * paging on; from now on the lower half belongs to user processes. */
	for (uint32_t i = 0; i < NKPT; i++)
		kpgdir[i] = 0;
	lcr3(V2P(kpgdir));

	/* Pages below the end of the kernel stay out: the BIOS area, the
	 * loader's data and the kernel itself. */
	for (int i = 0; i < n; i++) {
		uint32_t pa = page_round_up(ram[i].start);

		if (pa < V2P(_end))
			pa = page_round_up(V2P(_end));
		for (; pa + PAGE_SIZE <= ram[i].end && pa + PAGE_SIZE > pa; pa += PAGE_SIZE)
			page_free(P2V(pa));
	}
	if (free_pages == 0)
		PANIC("no free memory above the kernel (end 0x%x)", V2P(_end));
	kprintf("os-1k: %u KiB free\n", free_pages * (PAGE_SIZE / 1024));
}

void *page_alloc(void)
{
	struct free_page *p = free_list;

	if (!p)
		return NULL;
	free_list = p->next;
	free_pages--;
	memset(p, 0, PAGE_SIZE);
	return p;
}

void page_free(void *va)
{
	struct free_page *p = va;

	p->next = free_list;
	free_list = p;
	free_pages++;
}

/* A new page directory: no user mappings, the kernel half shared. */
uint32_t *mm_new_pgdir(void)
{
	uint32_t *pgdir = page_alloc();

	if (pgdir)
		memcpy(&pgdir[KERNBASE >> 22], &kpgdir[KERNBASE >> 22], 4 * (1024 - (KERNBASE >> 22)));
	return pgdir;
}

/* Maps a fresh zeroed user page at va (page aligned, below KERNBASE) and
 * returns its kernel address in *page. 0, or -1 when memory runs out. */
int mm_map_user(uint32_t *pgdir, uint32_t va, void **page)
{
	uint32_t *pde = &pgdir[va >> 22];
	uint32_t *pt;

	if (!(*pde & PTE_P)) {
		pt = page_alloc();
		if (!pt)
			return -1;
		*pde = V2P(pt) | PTE_P | PTE_W | PTE_U;
	}
	pt = P2V(*pde & ~0xfffu);
	*page = page_alloc();
	if (!*page)
		return -1;
	pt[(va >> 12) & 0x3ff] = V2P(*page) | PTE_P | PTE_W | PTE_U;
	return 0;
}

/* Frees every user page, page table, and the directory itself. */
void mm_free_pgdir(uint32_t *pgdir)
{
	for (uint32_t i = 0; i < (KERNBASE >> 22); i++) {
		uint32_t *pt;

		if (!(pgdir[i] & PTE_P))
			continue;
		pt = P2V(pgdir[i] & ~0xfffu);
		for (int j = 0; j < 1024; j++)
			if (pt[j] & PTE_P)
				page_free(P2V(pt[j] & ~0xfffu));
		page_free(pt);
	}
	page_free(pgdir);
}

/* Is [va, va + len) user memory that a process may read and write?
 * System calls check every pointer a process hands them with this. */
int mm_user_ok(const uint32_t *pgdir, uint32_t va, uint32_t len)
{
	uint32_t end;

	if (__builtin_add_overflow(va, len, &end) || end > KERNBASE)
		return 0;
	for (uint32_t a = va & ~0xfffu; a < end; a += PAGE_SIZE) {
		const uint32_t *pt;

		if ((pgdir[a >> 22] & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
			return 0;
		pt = P2V(pgdir[a >> 22] & ~0xfffu);
		if ((pt[(a >> 12) & 0x3ff] & (PTE_P | PTE_U | PTE_W)) != (PTE_P | PTE_U | PTE_W))
			return 0;
	}
	return 1;
}

void mm_switch(uint32_t *pgdir)
{
	lcr3(V2P(pgdir));
}
