/* tests/fuzz/fuzz_loader.c: libFuzzer harness of the image loader (vmm/loader.c): flat, Multiboot ELF32 and a.out kludge, ELF64.
 *
 * Input: byte 0 picks the guest RAM (2, 4 or 16 MiB), the image number
 * (0 to 7) and an --append text (none, short, too long); byte 1 says which
 * images before this one are there already, each either a flat image in
 * its window or a kernel at (i + 1) MiB; the rest is the image file,
 * handed over as a buffer (loader_load_buffer: no file per input).
 *
 * Guest RAM is a heap block of exactly the RAM size, so AddressSanitizer
 * catches a write one byte past it. On success the harness checks what
 * the rest of the monitor relies on: the image's range lies in RAM, a
 * kernel stays out of the boot area and the entry point is in RAM, and
 * nothing it loaded overlaps an earlier image.
 */
#include <errno.h>

#include "tests/fuzz/fuzz.h"
#include "vmm/linux.h"
#include "vmm/loader.h"
#include "vmm/vm.h"

static struct vm vm;
static uint8_t *rams[3];
/* 48 MiB: past a Linux kernel's minimum (vmm/linux.c), so that its
 * setup header, boot_params and ACPI tables are fuzzed too */
static const uint64_t ram_sizes[3] = { 2ull << 20, 4ull << 20, 48ull << 20 };
static char long_append[1500];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];

	if (size < 2)
		return 0;
	if (!rams[0]) {
		for (int i = 0; i < 3; i++)
			CHECK((rams[i] = malloc(ram_sizes[i])) != NULL);
		memset(long_append, 'a', sizeof(long_append) - 1);
	}
	unsigned r = data[0] % 3, index = (data[0] >> 2) & 7, app = (data[0] >> 5) % 3;
	vm.ram = rams[r];
	vm.ram_size = ram_sizes[r];
	vm.low_end = vm.ram_size;
	vm.opts.append = app == 0 ? NULL : app == 1 ? "console=ttyS0" : long_append;

	/* the images already loaded */
	memset(vm.images, 0, sizeof(vm.images));
	for (unsigned i = 0; i < index; i++) {
		struct image *o = &vm.images[i];
		o->name = "earlier";
		if (data[1] & (1u << i)) {
			o->lo = VM_WINDOW_BASE + i * VM_WINDOW_SIZE;
			o->hi = o->lo + VM_WINDOW_SIZE;
		} else {
			o->lo = (i + 1ull) << 20;
			o->hi = o->lo + 0x80000;
		}
	}
	struct image *img = &vm.images[index];
	img->path = "fuzz.img";
	img->name = "fuzz.img";

	err[0] = 0;
	int rc = loader_load_buffer(&vm, img, (int)index, data + 2, size - 2, err, sizeof(err));
	if (rc < 0) {
		CHECK(rc == -EINVAL || rc == -ENOEXEC || rc == -EFBIG || rc == -E2BIG);
		CHECK(err[0] != 0); /* every refusal says why */
		return 0;
	}
	CHECK(img->lo < img->hi && img->hi <= vm.ram_size);
	/* what was loaded overlaps no earlier image: each ELF segment (the
	 * image's [lo, hi) is their hull and may span an earlier image lying
	 * in a gap), else the one range */
	for (unsigned i = 0; i < index; i++) {
		const struct image *o = &vm.images[i];
		if (img->nr_segs == 0) {
			CHECK(img->hi <= o->lo || o->hi <= img->lo);
			continue;
		}
		for (int k = 0; k < img->nr_segs; k++) {
			uint64_t lo = img->segs[k].paddr, hi = lo + img->segs[k].size;
			CHECK(lo >= img->lo && hi <= img->hi);
			CHECK(hi <= o->lo || o->hi <= lo);
		}
	}
	switch (img->boot.kind) {
	case IMAGE_FLAT:
		CHECK(img->lo == VM_WINDOW_BASE + index * VM_WINDOW_SIZE);
		CHECK(img->boot.entry == img->lo && size - 2 <= VM_FLAT_MAX);
		break;
	case IMAGE_MULTIBOOT:
	case IMAGE_ELF64:
		CHECK(img->lo >= VM_LOW_RESERVED);
		CHECK(img->boot.entry < vm.ram_size);
		CHECK(img->boot.info == VM_BOOTINFO_BASE + index * 0x1000u);
		CHECK(img->boot.stack == img->boot.info + 0x1000);
		break;
	case IMAGE_LINUX: /* alone, entered with boot_params, in RAM */
		CHECK(index == 0 && img->boot.info == LINUX_BOOT_PARAMS);
		CHECK(vm_gpa(&vm, img->boot.entry, 1) != NULL);
		break;
	}
	loader_setup_low_memory(&vm, img->boot.kind == IMAGE_ELF64);
	return 0;
}
