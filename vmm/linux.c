/* vmm/linux.c: boots a Linux kernel: bzImage or vmlinux, boot_params with e820, command line and initrd, by the x86-64 boot protocol. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/acpi.h"
#include "vmm/linux.h"
#include "vmm/loader.h"
#include "vmm/vm.h"

/* struct boot_params and its setup header: offsets from the kernel's
 * boot protocol documentation (Documentation/x86/boot.rst and
 * zero-page.rst in the Linux source). */
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128
#define HDR_START 0x1f1
#define HDR_SETUP_SECTS 0x1f1
#define HDR_BOOT_FLAG 0x1fe
#define HDR_LENGTH 0x201          /* the jump's offset byte: the header ends at 0x202 + it */
#define HDR_MAGIC 0x202           /* "HdrS" */
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define HDR_END_MAX 0x290         /* boot_params' next field */

#define LOADED_HIGH 0x01          /* loadflags: a bzImage, loaded at 1 MiB or above */
#define XLF_KERNEL_64 0x01        /* xloadflags: has the 64-bit entry at +0x200 */
#define LOADER_UNDEFINED 0xff     /* type_of_loader: a loader without an assigned ID */
#define ENTRY_64 0x200            /* the 64-bit entry, from the protected-mode part's start */
#define E820_RAM 1
#define E820_RESERVED 2
#define VMLINUX_CMDLINE_SIZE 2047 /* the kernel's COMMAND_LINE_SIZE, less the NUL */
#define VMLINUX_INITRD_MAX 0x7fffffffu

static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

bool linux_is_bzimage(const uint8_t *data, size_t size)
{
	return size > HDR_END_MAX && get16(data + HDR_BOOT_FLAG) == 0xaa55 &&
	       memcmp(data + HDR_MAGIC, "HdrS", 4) == 0;
}

/* What the kernel needs of the loader beyond boot_params. */
struct kernel_fit {
	uint64_t entry, end;   /* 64-bit entry; end of the memory it may use */
	uint32_t cmdline_max;  /* bytes of command line, without the NUL */
	uint32_t initrd_max;   /* highest address the initrd may touch */
};

/* The protected-mode part of a bzImage goes where the kernel prefers;
 * the setup header is copied into boot_params as the protocol says. */
static int load_bzimage(struct vm *vm, struct image *img, const uint8_t *d, size_t size,
			uint8_t *bp, struct kernel_fit *k, char *err, size_t errlen)
{
	uint16_t ver = get16(d + HDR_VERSION);
	if (ver < 0x020c)
		return loader_error(err, errlen, -ENOEXEC,
				    "bzImage boot protocol %u.%02u: gdbvmm needs 2.12 or later "
				    "(Linux 3.8+) for the 64-bit entry", ver >> 8, ver & 0xff);
	if (!(get16(d + HDR_XLOADFLAGS) & XLF_KERNEL_64))
		return loader_error(err, errlen, -ENOEXEC,
				    "this bzImage has no 64-bit entry (a 32-bit kernel?)");
	if (!(d[HDR_LOADFLAGS] & LOADED_HIGH))
		return loader_error(err, errlen, -ENOEXEC, "a zImage (loaded below 1 MiB) is not supported");
	uint64_t off = ((uint64_t)(d[HDR_SETUP_SECTS] ? d[HDR_SETUP_SECTS] : 4) + 1) * 512;
	if (off >= size)
		return loader_error(err, errlen, -ENOEXEC, "malformed bzImage: its setup is longer than the file");
	uint64_t load = d[HDR_RELOCATABLE] ? get64(d + HDR_PREF_ADDRESS) : 0x100000;
	uint64_t need = get32(d + HDR_INIT_SIZE);
	if (need < size - off)
		need = size - off;
	if (load < 0x100000 || !vm_gpa(vm, load, need))
		return loader_error(err, errlen, -EINVAL,
				    "the kernel needs RAM at 0x%llx-0x%llx: give more memory (-m)",
				    (unsigned long long)load, (unsigned long long)(load + need));
	memcpy(vm->ram + load, d + off, size - off);

	size_t end = HDR_MAGIC + d[HDR_LENGTH];
	if (end > HDR_END_MAX)
		end = HDR_END_MAX;
	memcpy(bp + HDR_START, d + HDR_START, end - HDR_START);
	img->lo = load;
	img->hi = load + need;
	k->entry = load + ENTRY_64;
	k->end = load + need;
	k->cmdline_max = get32(d + HDR_CMDLINE_SIZE);
	k->initrd_max = get32(d + HDR_INITRD_ADDR_MAX);
	return 0;
}

/* A vmlinux brings no setup header: boot_params gets the fields a
 * loader fills and the kernel checks (the magic, the version). */
static void vmlinux_header(uint8_t *bp)
{
	put16(bp + HDR_BOOT_FLAG, 0xaa55);
	memcpy(bp + HDR_MAGIC, "HdrS", 4);
	put16(bp + HDR_VERSION, 0x020f);
	bp[HDR_LOADFLAGS] = LOADED_HIGH;
	put32(bp + HDR_KERNEL_ALIGNMENT, 0x200000);
	put32(bp + HDR_CMDLINE_SIZE, VMLINUX_CMDLINE_SIZE);
}

/* The PC's memory map: RAM below the EBDA, the BIOS area (our ACPI
 * tables) reserved, RAM from 1 MiB to the hole and above 4 GiB. */
static void e820(const struct vm *vm, uint8_t *bp)
{
	const struct { uint64_t base, end; uint32_t type; } map[] = {
		{ 0, 0x9fc00, E820_RAM },
		{ 0x9fc00, 0xa0000, E820_RESERVED },
		{ ACPI_BASE, ACPI_END, E820_RESERVED },
		{ 0x100000, vm->low_end, E820_RAM },
		{ VM_HOLE_END, vm->ram_size, E820_RAM },
	};
	uint8_t n = 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].end <= map[i].base)
			continue;
		uint8_t *e = bp + BP_E820_TABLE + 20 * n++;
		put64(e, map[i].base);
		put64(e + 8, map[i].end - map[i].base);
		put32(e + 16, map[i].type);
	}
	bp[BP_E820_ENTRIES] = n;
}

/* The initrd goes at the top of low RAM, below what the kernel allows. */
static int load_initrd(struct vm *vm, uint8_t *bp, const struct kernel_fit *k, char *err,
		       size_t errlen)
{
	const char *path = vm->opts.initrd;
	struct stat st;
	int fd, r;

	if (!path)
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return loader_error(err, errlen, -errno, "initrd %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return loader_error(err, errlen, -EINVAL, "initrd %s: not a regular file, or empty", path);
	}
	uint64_t size = (uint64_t)st.st_size;
	uint64_t top = (uint64_t)k->initrd_max + 1 < vm->low_end ? (uint64_t)k->initrd_max + 1 : vm->low_end;
	uint64_t at = size < top ? (top - size) & ~0xfffull : 0;
	if (at < k->end) {
		close(fd);
		return loader_error(err, errlen, -EFBIG,
				    "initrd %s (%llu KiB) does not fit between the kernel and %llu MiB: "
				    "give more memory (-m)", path, (unsigned long long)(size >> 10),
				    (unsigned long long)(top >> 20));
	}
	r = loader_read_all(fd, vm->ram + at, size);
	close(fd);
	if (r < 0)
		return loader_error(err, errlen, r, "initrd %s: %s", path, strerror(-r));
	put32(bp + HDR_RAMDISK_IMAGE, (uint32_t)at);
	put32(bp + HDR_RAMDISK_SIZE, (uint32_t)size);
	put32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(at >> 32));
	put32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(size >> 32));
	return 0;
}

int linux_load(struct vm *vm, struct image *img, int index, const uint8_t *bz, size_t bzsize,
	       uint64_t elf_entry, char *err, size_t errlen)
{
	/* the x86-64 boot protocol's GDT: __BOOT_CS 0x10, __BOOT_DS 0x18 */
	static const uint64_t gdt[] = { 0, 0, 0x00af9a000000ffffull, 0x00cf92000000ffffull };
	struct kernel_fit k = { 0 };
	int r;

	if (index != 0)
		return loader_error(err, errlen, -EINVAL, "a Linux kernel must be the only image");
	if (vm->low_end < LINUX_MIN_RAM)
		return loader_error(err, errlen, -EINVAL, "a Linux kernel needs at least %llu MiB of RAM (-m)",
				    LINUX_MIN_RAM >> 20);
	vm_ram_hugepages(vm);
	uint8_t *bp = vm->ram + LINUX_BOOT_PARAMS;
	memset(bp, 0, 0x1000);
	if (bz) {
		if ((r = load_bzimage(vm, img, bz, bzsize, bp, &k, err, errlen)) < 0)
			return r;
	} else {
		vmlinux_header(bp);
		k = (struct kernel_fit){ elf_entry, img->hi, VMLINUX_CMDLINE_SIZE, VMLINUX_INITRD_MAX };
		if (!vm_gpa(vm, elf_entry, 1))
			return loader_error(err, errlen, -ENOEXEC, "entry point 0x%llx is outside guest RAM",
					    (unsigned long long)elf_entry);
	}
	bp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;

	const char *cmdline = vm->opts.append ? vm->opts.append : "";
	size_t len = strlen(cmdline);
	uint32_t max = k.cmdline_max < LINUX_CMDLINE_MAX - 1 ? k.cmdline_max : LINUX_CMDLINE_MAX - 1;
	if (len > max)
		return loader_error(err, errlen, -E2BIG, "command line is %zu bytes; this kernel takes %u",
				    len, max);
	memcpy(vm->ram + LINUX_CMDLINE, cmdline, len + 1);
	put32(bp + HDR_CMD_LINE_PTR, LINUX_CMDLINE);
	put32(bp + BP_EXT_CMD_LINE_PTR, 0);

	e820(vm, bp);
	if ((r = load_initrd(vm, bp, &k, err, errlen)) < 0)
		return r;
	uint64_t rsdp = acpi_build(vm, vm->opts.smp > 0 ? vm->opts.smp : 1);
	if (!rsdp)
		return loader_error(err, errlen, -ENOSPC, "no room for the ACPI tables");
	put64(bp + BP_ACPI_RSDP_ADDR, rsdp);
	memcpy(vm->ram + LINUX_GDT_ADDR, gdt, sizeof(gdt));

	img->boot = (struct boot_state){
		.kind = IMAGE_LINUX, .entry = k.entry, .info = LINUX_BOOT_PARAMS,
		.stack = LINUX_BOOT_PARAMS,
	};
	img->elf_symbols = bz == NULL;
	return 0;
}
