/* tests/unit/test_loader.c: the image loader on good and malformed flat, Multiboot and ELF64 files. */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/unit/tap.h"
#include "vmm/loader.h"
#include "vmm/vm.h"

#define RAM (16u << 20)
static struct vm vm;
static char dir[] = "/tmp/gdbvmm-loader-XXXXXX";
static char err[256];

static const char *write_file(const char *name, const void *data, size_t len)
{
	static char path[4][512];
	static int k;
	char *p = path[k++ % 4];
	snprintf(p, 512, "%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	if (len)
		fwrite(data, 1, len, f);
	fclose(f);
	return p;
}

static int load(const char *path, int index)
{
	struct image *img = &vm.images[index];
	memset(img, 0, sizeof(*img));
	img->path = path;
	img->name = "test";
	err[0] = 0;
	return loader_load(&vm, img, index, err, sizeof(err));
}

static void mb_header(uint8_t *p, uint32_t flags)
{
	uint32_t h[3] = { 0x1badb002u, flags, 0u - 0x1badb002u - flags };
	memcpy(p, h, sizeof(h));
}

/* An ELF32 Multiboot kernel: one segment of 0x200 file bytes at 0x100000,
 * 0x1000 in memory, multiboot header at file offset 0x100. */
static size_t elf32(uint8_t *buf, uint32_t paddr, uint32_t filesz, uint32_t memsz, uint32_t entry)
{
	Elf32_Ehdr eh = { 0 };
	Elf32_Phdr ph = { 0 };
	memset(buf, 0x90, 0x200);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS32;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_386;
	eh.e_version = EV_CURRENT;
	eh.e_entry = entry;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = 1;
	ph.p_type = PT_LOAD;
	ph.p_offset = 0;
	ph.p_vaddr = ph.p_paddr = paddr;
	ph.p_filesz = filesz;
	ph.p_memsz = memsz;
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), &ph, sizeof(ph));
	mb_header(buf + 0x100, 3);
	return 0x200;
}

static Elf32_Phdr *ph32(uint8_t *buf) { return (Elf32_Phdr *)(void *)(buf + sizeof(Elf32_Ehdr)); }
static Elf32_Ehdr *eh32(uint8_t *buf) { return (Elf32_Ehdr *)(void *)buf; }

static uint32_t rd32(uint64_t gpa) { uint32_t v; memcpy(&v, vm.ram + gpa, 4); return v; }

int main(void)
{
	static uint8_t buf[0x11000];
	const char *p;

	vm.ram = malloc(RAM);
	vm.ram_size = RAM;
	vm.low_end = vm.ram_size;
	if (!mkdtemp(dir))
		return 1;

	/* a good ELF32 Multiboot kernel */
	memset(vm.ram, 0xaa, RAM);
	vm.opts.append = "console=ttyS0 x=1";
	size_t n = elf32(buf, 0x100000, 0x200, 0x1000, 0x10010c);
	p = write_file("good.elf", buf, n);
	is(load(p, 0), 0, "good ELF32 Multiboot kernel loads (%s)", err);
	struct image *img = &vm.images[0];
	is(img->boot.kind, IMAGE_MULTIBOOT, "it is a Multiboot image");
	is(img->boot.entry, 0x10010c, "entry point from e_entry");
	ok(memcmp(vm.ram + 0x100000, buf, 0x200) == 0, "file bytes copied at p_paddr");
	ok(vm.ram[0x100200] == 0 && vm.ram[0x100fff] == 0, "bss (memsz beyond filesz) is zeroed");
	is(vm.ram[0x101000], 0xaa, "nothing written past memsz");
	ok(img->lo == 0x100000 && img->hi == 0x101000, "the image's range is recorded");
	uint64_t info = img->boot.info;
	is(info, VM_BOOTINFO_BASE, "image 0's multiboot info is in boot page 0");
	is(rd32(info) & 0x245, 0x245, "info flags: mem, cmdline, mmap, loader name");
	is(rd32(info + 8), (RAM - 0x100000) >> 10, "mem_upper counts KiB above 1 MiB");
	char want[600];
	snprintf(want, sizeof(want), "%s console=ttyS0 x=1", p);
	is_str((const char *)vm.ram + rd32(info + 16), want, "command line is the path and --append text");
	is(rd32(info + 44), 4 * 24, "memory map has 4 entries");
	uint64_t mm = rd32(info + 48), base, len;
	memcpy(&base, vm.ram + mm + 3 * 24 + 4, 8);
	memcpy(&len, vm.ram + mm + 3 * 24 + 12, 8);
	ok(base == 0x100000 && len == RAM - 0x100000 && rd32(mm + 3 * 24 + 20) == 1,
	   "last map entry: RAM above 1 MiB, available");
	is_str((const char *)vm.ram + rd32(info + 64), "gdbvmm", "boot loader name");
	is(img->boot.stack, info + 0x1000, "boot stack at the top of the boot page");

	is(load(p, 1), -EINVAL, "the same kernel as a second image overlaps the first");
	ok(strstr(err, "overlaps") != NULL, "error says it overlaps: %s", err);
	vm.opts.append = NULL;

	/* malformed ELF32 */
	elf32(buf, 0x100000, 0x200, 0x1000, 0x100100);
	memset(buf + 0x100, 0, 12);
	is(load(write_file("nomb.elf", buf, n), 0), -ENOEXEC, "ELF without a Multiboot header is refused");
	ok(strstr(err, "no Multiboot header") != NULL, "error says so: %s", err);

	elf32(buf, 0x100000, 0x200, 0x1000, 0x100100);
	eh32(buf)->e_phoff = 0x1f0;
	is(load(write_file("phoff.elf", buf, n), 0), -ENOEXEC, "program headers past the end of the file");
	ok(strstr(err, "program headers") != NULL, "error names the program headers: %s", err);

	elf32(buf, 0x100000, 0x200, 0x1000, 0x100100);
	eh32(buf)->e_phnum = 0xffff;
	is(load(write_file("phnum.elf", buf, n), 0), -ENOEXEC, "e_phnum 65535 in a small file");

	elf32(buf, 0x100000, 0x200, 0x1000, 0x100100);
	ph32(buf)->p_offset = 0x100;
	is(load(write_file("seg.elf", buf, n), 0), -ENOEXEC, "segment data past the end of the file");
	ok(strstr(err, "past the end") != NULL, "error says where: %s", err);

	elf32(buf, 0x100000, 0x200, 0x100, 0x100100);
	is(load(write_file("filesz.elf", buf, n), 0), -ENOEXEC, "filesz larger than memsz");

	elf32(buf, RAM - 0x800, 0x200, 0x1000, 0x100100);
	is(load(write_file("big.elf", buf, n), 0), -EINVAL, "segment running past the end of RAM");
	ok(strstr(err, "does not fit") != NULL, "error says it does not fit: %s", err);

	elf32(buf, 0xfffff000u, 0x200, 0x2000, 0x100100);
	is(load(write_file("wrap.elf", buf, n), 0), -EINVAL, "segment wrapping past 4 GiB");

	elf32(buf, 0x8000, 0x200, 0x1000, 0x8100);
	is(load(write_file("low.elf", buf, n), 0), -EINVAL, "segment in the monitor's boot area");
	ok(strstr(err, "boot area") != NULL, "error says boot area: %s", err);

	elf32(buf, 0x100000, 0x200, 0x1000, RAM + 0x10);
	is(load(write_file("entry.elf", buf, n), 0), -ENOEXEC, "entry point outside RAM");

	elf32(buf, 0x100000, 0x200, 0x1000, 0x100100);
	eh32(buf)->e_machine = EM_ARM;
	is(load(write_file("arm.elf", buf, n), 0), -ENOEXEC, "ELF for another machine");

	elf32(buf, 0x100000, 0x200, 0x1000, 0x100100);
	eh32(buf)->e_type = ET_DYN;
	is(load(write_file("dyn.elf", buf, n), 0), -ENOEXEC, "ELF that is not an executable");

	elf32(buf, 0x100000, 0x200, 0x1000, 0x100100);
	buf[EI_CLASS] = 7;
	is(load(write_file("class.elf", buf, n), 0), -ENOEXEC, "ELF of an unknown class");

	is(load(write_file("short.elf", buf, 20), 0), -ENOEXEC, "ELF shorter than its header");

	elf32(buf, 0x100000, 0x200, 0x1000, 0x100100);
	mb_header(buf + 0x100, 3 | (1u << 3));
	is(load(write_file("flags.elf", buf, n), 0), -ENOEXEC, "Multiboot header requiring an unknown feature");

	/* a.out kludge: header at offset 0x20 of a non-ELF file */
	memset(buf, 0x90, 0x400);
	uint32_t h[8] = { 0x1badb002u, 0x10003u, 0u - 0x1badb002u - 0x10003u, 0x200020, 0x200000, 0, 0x202000, 0x200040 };
	memcpy(buf + 0x20, h, sizeof(h));
	is(load(write_file("aout.bin", buf, 0x400), 0), 0, "a.out kludge kernel loads (%s)", err);
	ok(vm.images[0].boot.kind == IMAGE_MULTIBOOT && vm.images[0].boot.entry == 0x200040,
	   "a.out kludge: entry_addr from the header");
	ok(memcmp(vm.ram + 0x200000, buf, 0x400) == 0 && vm.ram[0x201fff] == 0,
	   "a.out kludge: file at load_addr, bss zeroed to bss_end_addr");
	h[3] = 0x100; /* header_addr far before load_addr's offset */
	h[4] = 0x200000;
	h[2] = 0u - 0x1badb002u - 0x10003u;
	memcpy(buf + 0x20, h, sizeof(h));
	is(load(write_file("aout-bad.bin", buf, 0x400), 0), -ENOEXEC, "a.out kludge with load_addr after header_addr");

	/* ELF64 */
	{
		Elf64_Ehdr e = { 0 };
		Elf64_Phdr ph = { 0 };
		memset(buf, 0xcc, 0x200);
		memcpy(e.e_ident, ELFMAG, SELFMAG);
		e.e_ident[EI_CLASS] = ELFCLASS64;
		e.e_ident[EI_DATA] = ELFDATA2LSB;
		e.e_type = ET_EXEC;
		e.e_machine = EM_X86_64;
		e.e_entry = 0x300000;
		e.e_phoff = sizeof(e);
		e.e_phentsize = sizeof(ph);
		e.e_phnum = 1;
		ph.p_type = PT_LOAD;
		ph.p_paddr = 0x300000;
		ph.p_filesz = 0x200;
		ph.p_memsz = 0x200;
		memcpy(buf, &e, sizeof(e));
		memcpy(buf + sizeof(e), &ph, sizeof(ph));
		is(load(write_file("k64.elf", buf, 0x200), 0), 0, "ELF64 loads (%s)", err);
		is(vm.images[0].boot.kind, IMAGE_ELF64, "ELF64 is entered in long mode");
		ph.p_offset = UINT64_MAX - 0x10;
		memcpy(buf + sizeof(e), &ph, sizeof(ph));
		is(load(write_file("k64-bad.elf", buf, 0x200), 0), -ENOEXEC, "ELF64 segment offset that overflows");
	}

	/* flat images and files */
	memset(buf, 0xf4, sizeof(buf));
	is(load(write_file("max.bin", buf, VM_FLAT_MAX), 2), 0, "flat image of %u bytes loads", VM_FLAT_MAX);
	ok(vm.images[2].boot.kind == IMAGE_FLAT && vm.images[2].boot.window == VM_WINDOW_BASE + 2 * VM_WINDOW_SIZE,
	   "flat image 2 is in window 2");
	is(load(write_file("over.bin", buf, VM_FLAT_MAX + 1), 2), -EFBIG, "flat image one byte too big");
	ok(strstr(err, "64 KiB window") != NULL, "error explains the window: %s", err);
	is(load(write_file("empty.bin", buf, 0), 0), -ENOEXEC, "empty image");
	ok(strstr(err, "empty") != NULL, "error says empty: %s", err);
	is(load("/nonexistent/x.bin", 0), -ENOENT, "missing image");
	ok(strstr(err, "cannot open") != NULL, "error says cannot open: %s", err);
	is(load(dir, 0), -EINVAL, "a directory is not an image");
	vm.ram_size = 0x8000;
	vm.low_end = vm.ram_size;
	is(load(write_file("huge.bin", buf, 0x9000), 0), -EFBIG, "image larger than guest RAM");
	vm.ram_size = RAM;
	vm.low_end = vm.ram_size;

	char longer[2000];
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = 0;
	vm.opts.append = longer;
	elf32(buf, 0x100000, 0x200, 0x1000, 0x100100);
	is(load(write_file("cmd.elf", buf, n), 0), -E2BIG, "command line too long for the boot page");
	vm.opts.append = NULL;

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(vm.ram);
	return done_testing();
}
