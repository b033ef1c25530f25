/* vmm/linux.h: booting a Linux kernel (bzImage or vmlinux) by the x86-64 boot protocol. */
#ifndef VMM_LINUX_H
#define VMM_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct image;

/* Linux's own low memory (vm.h has the rest of the map). */
#define LINUX_GDT_ADDR     0x520u    /* null, null, code64 0x10, data 0x18 */
#define LINUX_BOOT_PARAMS  0x7000u   /* struct boot_params, the "zero page" */
#define LINUX_CMDLINE      0x20000u
#define LINUX_CMDLINE_MAX  0x10000u
#define LINUX_MIN_RAM      (32ull << 20)

/* Does the file start with a bzImage's setup header ("HdrS", boot
 * protocol 2.00 and later)? */
bool linux_is_bzimage(const uint8_t *data, size_t size);

/* Makes image `index` a Linux kernel: from a bzImage (bz, bzsize), whose
 * protected-mode part it loads, or from a vmlinux whose segments the ELF
 * loader already put in RAM (bz NULL, its entry point elf_entry). Then
 * the boot_params with the command line (vm->opts.append), the e820 map,
 * the initrd (vm->opts.initrd) and the ACPI tables for vm->opts.smp vCPUs.
 * On error a negative errno and one line in err. */
int linux_load(struct vm *vm, struct image *img, int index, const uint8_t *bz, size_t bzsize,
	       uint64_t elf_entry, char *err, size_t errlen);

#endif
