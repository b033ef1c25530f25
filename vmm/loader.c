/* vmm/loader.c: loads guest images (flat real-mode, Multiboot v1 ELF32 or a.out kludge, ELF64) into RAM. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/linux.h"
#include "vmm/loader.h"
#include "vmm/vm.h"

#define MB_MAGIC 0x1badb002u
#define MB_BOOT_MAGIC 0x2badb002u
#define MB_SEARCH 8192 /* the header lies in the first 8 KiB (Multiboot 0.6.96, 3.1.1) */
#define MB_FLAG_ALIGN (1u << 0)
#define MB_FLAG_MEMINFO (1u << 1)
#define MB_FLAG_VIDEO (1u << 2)
#define MB_FLAG_AOUT (1u << 16)
#define MB_REQUIRED_KNOWN (MB_FLAG_ALIGN | MB_FLAG_MEMINFO | MB_FLAG_VIDEO)

/* multiboot_info field offsets and flag bits (Multiboot 0.6.96, 3.3) */
#define MBI_FLAGS 0
#define MBI_MEM_LOWER 4
#define MBI_MEM_UPPER 8
#define MBI_CMDLINE 16
#define MBI_MMAP_LENGTH 44
#define MBI_MMAP_ADDR 48
#define MBI_LOADER_NAME 64
#define MBI_F_MEM (1u << 0)
#define MBI_F_CMDLINE (1u << 2)
#define MBI_F_MMAP (1u << 6)
#define MBI_F_LOADER_NAME (1u << 9)

/* Layout of an image's 4 KiB boot page. */
#define BP_MMAP 0x080
#define BP_NAME 0x180
#define BP_CMDLINE 0x200
#define BP_CMDLINE_MAX 0x400

int loader_error(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}
#define fail loader_error

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* Does [lo, hi) collide with an image loaded before this one? */
static const struct image *overlaps(const struct vm *vm, int index, uint64_t lo, uint64_t hi)
{
	for (int i = 0; i < index; i++) {
		const struct image *o = &vm->images[i];
		if (lo < o->hi && o->lo < hi)
			return o;
	}
	return NULL;
}

/* Claims [gpa, gpa+len) for image `index` after checking RAM and overlaps. */
static int claim(struct vm *vm, int index, uint64_t gpa, uint64_t len, char *err, size_t errlen)
{
	uint64_t end;

	if (__builtin_add_overflow(gpa, len, &end) || !vm_gpa(vm, gpa, len))
		return fail(err, errlen, -EINVAL,
			    "segment at 0x%llx (0x%llx bytes) does not fit in %llu MiB of guest RAM",
			    (unsigned long long)gpa, (unsigned long long)len,
			    (unsigned long long)(vm->opts.ram_size >> 20));
	if (gpa < VM_LOW_RESERVED)
		return fail(err, errlen, -EINVAL,
			    "segment at 0x%llx lies in the monitor's boot area below 0x%x",
			    (unsigned long long)gpa, VM_LOW_RESERVED);
	const struct image *o = overlaps(vm, index, gpa, end);
	if (o)
		return fail(err, errlen, -EINVAL, "overlaps %s at 0x%llx-0x%llx", o->name,
			    (unsigned long long)o->lo, (unsigned long long)o->hi);
	struct image *img = &vm->images[index];
	if (img->lo == img->hi) {
		img->lo = gpa;
		img->hi = end;
	} else {
		img->lo = gpa < img->lo ? gpa : img->lo;
		img->hi = end > img->hi ? end : img->hi;
	}
	return 0;
}

static int load_flat(struct vm *vm, struct image *img, int index, const uint8_t *data,
		     size_t size, char *err, size_t errlen)
{
	if (size > VM_FLAT_MAX)
		return fail(err, errlen, -EFBIG,
			    "flat image is %zu bytes; at most %u fit in its 64 KiB window with a stack",
			    size, VM_FLAT_MAX);
	uint64_t window = VM_WINDOW_BASE + (uint64_t)index * VM_WINDOW_SIZE;
	if (window + VM_WINDOW_SIZE > vm->ram_size)
		return fail(err, errlen, -EINVAL, "guest RAM too small for window %d", index);
	const struct image *o = overlaps(vm, index, window, window + VM_WINDOW_SIZE);
	if (o)
		return fail(err, errlen, -EINVAL, "its window 0x%llx overlaps %s",
			    (unsigned long long)window, o->name);
	memcpy(vm->ram + window, data, size);
	img->lo = window;
	img->hi = window + VM_WINDOW_SIZE;
	img->boot = (struct boot_state){
		.kind = IMAGE_FLAT, .entry = window, .window = window, .stack = 0,
	};
	return 0;
}

/* The Multiboot header, if any: its offset in the file, or -1. */
static long find_mb_header(const uint8_t *data, size_t size)
{
	size_t lim = size < MB_SEARCH ? size : MB_SEARCH;
	for (size_t off = 0; off + 12 <= lim; off += 4) {
		uint32_t magic = get32(data + off), flags = get32(data + off + 4);
		uint32_t sum = get32(data + off + 8);
		if (magic == MB_MAGIC && (uint32_t)(magic + flags + sum) == 0)
			return (long)off;
	}
	return -1;
}

/* Where each loaded segment's virtual range lives in guest-physical
 * memory: a debugger can plant a breakpoint in kernel code the guest has
 * not mapped yet (a higher-half kernel before it turns paging on). */
static void note_segment(struct image *img, uint64_t vaddr, uint64_t paddr, uint64_t size)
{
	if (img->nr_segs < IMAGE_MAX_SEGS)
		img->segs[img->nr_segs++] = (struct image_seg){ vaddr, paddr, size };
}

/* An ELF header of either class, widened to the 64-bit layout (only the
 * fields the loader reads). */
static void elf_header(const uint8_t *data, bool is64, Elf64_Ehdr *eh)
{
	Elf32_Ehdr h;
	if (is64) {
		memcpy(eh, data, sizeof(*eh));
		return;
	}
	memcpy(&h, data, sizeof(h));
	*eh = (Elf64_Ehdr){
		.e_type = h.e_type, .e_machine = h.e_machine, .e_entry = h.e_entry,
		.e_phoff = h.e_phoff, .e_phentsize = h.e_phentsize, .e_phnum = h.e_phnum,
	};
	memcpy(eh->e_ident, h.e_ident, EI_NIDENT);
}

static void elf_phdr(const uint8_t *p, bool is64, Elf64_Phdr *ph)
{
	Elf32_Phdr h;
	if (is64) {
		memcpy(ph, p, sizeof(*ph));
		return;
	}
	memcpy(&h, p, sizeof(h));
	*ph = (Elf64_Phdr){
		.p_type = h.p_type, .p_offset = h.p_offset, .p_vaddr = h.p_vaddr,
		.p_paddr = h.p_paddr, .p_filesz = h.p_filesz, .p_memsz = h.p_memsz,
	};
}

/* An i386 (is64 false) or x86-64 executable ELF: its PT_LOAD segments at
 * their physical addresses. Every offset and size is checked against the
 * file, overflow included (a 32-bit file's cannot overflow, the checks
 * are the same). */
static int load_elf(struct vm *vm, int index, const uint8_t *data, size_t size, bool is64,
		    uint64_t *entry, char *err, size_t errlen)
{
	const size_t ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	const size_t phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	Elf64_Ehdr eh;
	int loaded = 0;

	if (size < ehsize)
		return fail(err, errlen, -ENOEXEC, "malformed ELF: file shorter than its header");
	elf_header(data, is64, &eh);
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != (is64 ? EM_X86_64 : EM_386))
		return fail(err, errlen, -ENOEXEC, "not an %s little-endian ELF", is64 ? "x86-64" : "i386");
	if (eh.e_type != ET_EXEC)
		return fail(err, errlen, -ENOEXEC, "ELF is not an executable (e_type %u)", eh.e_type);
	if (eh.e_phentsize != phsize)
		return fail(err, errlen, -ENOEXEC, "malformed ELF: program header size %u", eh.e_phentsize);
	uint64_t phsz, phend;
	if (__builtin_mul_overflow((uint64_t)eh.e_phnum, phsize, &phsz) ||
	    __builtin_add_overflow(eh.e_phoff, phsz, &phend) || phend > size)
		return fail(err, errlen, -ENOEXEC, "malformed ELF: program headers extend past the end of the file");

	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint64_t fend;
		elf_phdr(data + eh.e_phoff + i * phsize, is64, &ph);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (ph.p_filesz > ph.p_memsz)
			return fail(err, errlen, -ENOEXEC, "malformed ELF: segment %u has filesz > memsz", i);
		if (__builtin_add_overflow(ph.p_offset, ph.p_filesz, &fend) || fend > size)
			return fail(err, errlen, -ENOEXEC, "malformed ELF: segment %u extends past the end of the file", i);
		int r = claim(vm, index, ph.p_paddr, ph.p_memsz, err, errlen);
		if (r < 0)
			return r;
		memcpy(vm->ram + ph.p_paddr, data + ph.p_offset, ph.p_filesz);
		memset(vm->ram + ph.p_paddr + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
		note_segment(&vm->images[index], ph.p_vaddr, ph.p_paddr, ph.p_memsz);
		loaded++;
	}
	if (!loaded)
		return fail(err, errlen, -ENOEXEC, "ELF has no loadable segment");
	*entry = eh.e_entry;
	return 0;
}

/* Has the (already checked) ELF64 a note of this owner? A vmlinux has
 * "Linux" notes (its version, build salt). */
static bool elf64_has_note(const uint8_t *data, size_t size, const char *owner)
{
	Elf64_Ehdr eh;
	size_t olen = strlen(owner) + 1;

	memcpy(&eh, data, sizeof(eh));
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint64_t end;
		memcpy(&ph, data + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_NOTE || __builtin_add_overflow(ph.p_offset, ph.p_filesz, &end) ||
		    end > size)
			continue;
		for (uint64_t at = ph.p_offset; at + sizeof(Elf64_Nhdr) <= end;) {
			Elf64_Nhdr nh;
			memcpy(&nh, data + at, sizeof(nh));
			uint64_t name = at + sizeof(nh);
			uint64_t next = name + (((uint64_t)nh.n_namesz + 3) & ~3ull) +
					(((uint64_t)nh.n_descsz + 3) & ~3ull);
			if (next > end)
				break;
			if (nh.n_namesz == olen && !memcmp(data + name, owner, olen))
				return true;
			at = next;
		}
	}
	return false;
}

/* The a.out kludge: the header's address fields say where the file goes
 * (Multiboot 0.6.96, 3.1.3). */
static int load_aout_kludge(struct vm *vm, int index, const uint8_t *data, size_t size,
			    long hoff, uint64_t *entry, char *err, size_t errlen)
{
	if ((size_t)hoff + 32 > size)
		return fail(err, errlen, -ENOEXEC, "multiboot header is cut short");
	uint32_t header_addr = get32(data + hoff + 12), load_addr = get32(data + hoff + 16);
	uint32_t load_end = get32(data + hoff + 20), bss_end = get32(data + hoff + 24);
	uint32_t entry_addr = get32(data + hoff + 28);

	if (load_addr > header_addr || header_addr - load_addr > (uint32_t)hoff)
		return fail(err, errlen, -ENOEXEC, "multiboot header: load_addr is after header_addr");
	uint64_t file_off = (uint64_t)hoff - (header_addr - load_addr);
	uint64_t len = load_end ? (uint64_t)load_end - load_addr : size - file_off;
	if (load_end && load_end < load_addr)
		return fail(err, errlen, -ENOEXEC, "multiboot header: load_end_addr before load_addr");
	if (file_off + len > size)
		return fail(err, errlen, -ENOEXEC, "multiboot header: load range past the end of the file");
	uint64_t memlen = len;
	if (bss_end) {
		if (bss_end < load_addr + len)
			return fail(err, errlen, -ENOEXEC, "multiboot header: bss_end_addr before the end of the load");
		memlen = (uint64_t)bss_end - load_addr;
	}
	/* as an ELF with no loadable segment: nothing to run (and an empty
	 * range would hide from the overlap check of later images) */
	if (memlen == 0)
		return fail(err, errlen, -ENOEXEC, "multiboot header: nothing to load (load_end_addr = load_addr)");
	int r = claim(vm, index, load_addr, memlen, err, errlen);
	if (r < 0)
		return r;
	memcpy(vm->ram + load_addr, data + file_off, len);
	memset(vm->ram + load_addr + len, 0, memlen - len);
	*entry = entry_addr;
	return 0;
}

static void put_mmap(uint8_t *p, uint64_t base, uint64_t len, uint32_t type)
{
	put32(p, 20); /* size of the rest of the entry */
	memcpy(p + 4, &base, 8);
	memcpy(p + 12, &len, 8);
	put32(p + 20, type);
}

/* Builds the image's boot page: multiboot info, memory map, command line. */
static int build_boot_page(struct vm *vm, struct image *img, int index, char *err, size_t errlen)
{
	uint64_t page = VM_BOOTINFO_BASE + (uint64_t)index * 0x1000;
	uint8_t *p = vm->ram + page;
	static const char loader_name[] = "gdbvmm";

	memset(p, 0, 0x1000);
	/* The memory map a PC would give, with the monitor's boot area reserved. */
	struct { uint64_t base, len; uint32_t type; } map[] = {
		{ 0, VM_LOW_RESERVED, 2 },
		{ VM_LOW_RESERVED, 0x9fc00 - VM_LOW_RESERVED, 1 },
		{ 0x9fc00, 0x100000 - 0x9fc00, 2 },
		{ 0x100000, vm->low_end - 0x100000, 1 },
		{ VM_HOLE_END, vm->ram_size - VM_HOLE_END, 1 }, /* only with RAM above the hole */
	};
	unsigned n = sizeof(map) / sizeof(map[0]) - (vm->low_end == vm->ram_size);
	for (unsigned i = 0; i < n; i++)
		put_mmap(p + BP_MMAP + i * 24, map[i].base, map[i].len, map[i].type);
	memcpy(p + BP_NAME, loader_name, sizeof(loader_name));

	int len = snprintf((char *)p + BP_CMDLINE, BP_CMDLINE_MAX, "%s%s%s", img->path,
			   vm->opts.append ? " " : "", vm->opts.append ? vm->opts.append : "");
	if (len < 0 || len >= BP_CMDLINE_MAX)
		return fail(err, errlen, -E2BIG, "command line longer than %d bytes", BP_CMDLINE_MAX - 1);

	put32(p + MBI_FLAGS, MBI_F_MEM | MBI_F_CMDLINE | MBI_F_MMAP | MBI_F_LOADER_NAME);
	put32(p + MBI_MEM_LOWER, 639);
	put32(p + MBI_MEM_UPPER, (uint32_t)((vm->low_end - 0x100000) >> 10));
	put32(p + MBI_CMDLINE, (uint32_t)(page + BP_CMDLINE));
	put32(p + MBI_MMAP_LENGTH, n * 24);
	put32(p + MBI_MMAP_ADDR, (uint32_t)(page + BP_MMAP));
	put32(p + MBI_LOADER_NAME, (uint32_t)(page + BP_NAME));
	img->boot.info = page;
	img->boot.stack = page + 0x1000;
	return 0;
}

/* The flat GDT every protected-mode entry uses, and for 64-bit ELFs an
 * identity map of the first 4 GiB with 2 MiB pages. */
void loader_setup_low_memory(struct vm *vm, bool long_mode)
{
	static const uint64_t gdt[] = {
		0,
		0x00cf9a000000ffffull, /* 0x08: code, 32-bit, flat */
		0x00cf92000000ffffull, /* 0x10: data, flat */
		0x00af9a000000ffffull, /* 0x18: code, 64-bit */
	};
	memcpy(vm->ram + VM_GDT_ADDR, gdt, sizeof(gdt));
	if (!long_mode)
		return;
	uint64_t *pml4 = (uint64_t *)(void *)(vm->ram + VM_PT_BASE);
	uint64_t *pdpt = (uint64_t *)(void *)(vm->ram + VM_PT_BASE + 0x1000);
	memset(pml4, 0, 0x6000);
	pml4[0] = (VM_PT_BASE + 0x1000) | 3;
	for (uint64_t i = 0; i < 4; i++) {
		uint64_t *pd = (uint64_t *)(void *)(vm->ram + VM_PT_BASE + 0x2000 + i * 0x1000);
		pdpt[i] = (VM_PT_BASE + 0x2000 + i * 0x1000) | 3;
		for (uint64_t j = 0; j < 512; j++)
			pd[j] = ((i << 30) | (j << 21)) | 0x83; /* present, writable, 2 MiB */
	}
}

int loader_read_all(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t r = read(fd, (uint8_t *)buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		got += (size_t)r;
	}
	return 0;
}

static int read_file(const char *path, uint8_t **out, size_t *size, uint64_t max, char *err,
		     size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, -errno, "cannot open: %s", strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errlen, -EINVAL, "not a regular file");
	}
	if (st.st_size == 0) {
		close(fd);
		return fail(err, errlen, -ENOEXEC, "image is empty");
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return fail(err, errlen, -EFBIG, "image is %lld bytes, larger than guest RAM",
			    (long long)st.st_size);
	}
	uint8_t *buf = malloc((size_t)st.st_size);
	if (!buf) {
		close(fd);
		return fail(err, errlen, -ENOMEM, "out of memory");
	}
	int r = loader_read_all(fd, buf, (size_t)st.st_size);
	if (r < 0) {
		free(buf);
		close(fd);
		return fail(err, errlen, r, "read error: %s", strerror(-r));
	}
	close(fd);
	*out = buf;
	*size = (size_t)st.st_size;
	return 0;
}

int loader_load(struct vm *vm, struct image *img, int index, char *err, size_t errlen)
{
	uint8_t *data = NULL;
	size_t size = 0;
	int r = read_file(img->path, &data, &size, vm->ram_size, err, errlen);
	if (r < 0)
		return r;
	r = loader_load_buffer(vm, img, index, data, size, err, errlen);
	free(data);
	return r;
}

int loader_load_buffer(struct vm *vm, struct image *img, int index, const uint8_t *data,
		       size_t size, char *err, size_t errlen)
{
	uint64_t entry = 0;
	int r;

	/* read_file says the same before reading; a buffer from elsewhere
	 * (the fuzzer) gets the same answers */
	if (size == 0)
		return fail(err, errlen, -ENOEXEC, "image is empty");
	if ((uint64_t)size > vm->ram_size)
		return fail(err, errlen, -EFBIG, "image is %zu bytes, larger than guest RAM", size);
	img->lo = img->hi = 0;
	img->nr_segs = 0;
	bool is_elf = size >= EI_NIDENT && memcmp(data, ELFMAG, SELFMAG) == 0;
	long hoff = find_mb_header(data, size);

	if (linux_is_bzimage(data, size))
		return linux_load(vm, img, index, data, size, 0, err, errlen);
	if (is_elf && data[EI_CLASS] == ELFCLASS64) {
		r = load_elf(vm, index, data, size, true, &entry, err, errlen);
		if (r == 0 && elf64_has_note(data, size, "Linux"))
			return linux_load(vm, img, index, NULL, 0, entry, err, errlen);
		img->boot.kind = IMAGE_ELF64;
	} else if (is_elf || hoff >= 0) {
		if (is_elf && data[EI_CLASS] != ELFCLASS32)
			return fail(err, errlen, -ENOEXEC, "malformed ELF: unknown class %u",
				    data[EI_CLASS]);
		if (hoff < 0) {
			/* a cut or broken ELF says so, rather than that it lacks a
			 * header it may have had past the cut: parse it first (the
			 * image is refused either way, so what it loads is moot) */
			uint64_t entry_unused;
			if (is_elf && load_elf(vm, index, data, size, false, &entry_unused, err, errlen) < 0)
				return -ENOEXEC;
			return fail(err, errlen, -ENOEXEC,
				    "not a Multiboot kernel: no Multiboot header in the first %d bytes",
				    MB_SEARCH);
		}
		uint32_t flags = get32(data + hoff + 4);
		if ((flags & 0xffffu) & ~MB_REQUIRED_KNOWN)
			return fail(err, errlen, -ENOEXEC,
				    "Multiboot header requires features gdbvmm lacks (flags 0x%x)", flags);
		if (flags & MB_FLAG_AOUT)
			r = load_aout_kludge(vm, index, data, size, hoff, &entry, err, errlen);
		else if (is_elf)
			r = load_elf(vm, index, data, size, false, &entry, err, errlen);
		else
			r = fail(err, errlen, -ENOEXEC, "Multiboot header without address fields in a non-ELF file");
		img->boot.kind = IMAGE_MULTIBOOT;
	} else {
		return load_flat(vm, img, index, data, size, err, errlen);
	}
	if (r < 0)
		return r;
	if (!vm_gpa(vm, entry, 1))
		return fail(err, errlen, -ENOEXEC, "entry point 0x%llx is outside guest RAM",
			    (unsigned long long)entry);
	img->boot.entry = entry;
	img->elf_symbols = is_elf;
	return build_boot_page(vm, img, index, err, errlen);
}
