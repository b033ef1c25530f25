/* guests/lib/multiboot.h: the parts of the Multiboot 0.6.96 boot information the guests read. */
#ifndef GUESTS_LIB_MULTIBOOT_H
#define GUESTS_LIB_MULTIBOOT_H

#include <stdint.h>

/* Multiboot spec 3.2 "Machine state": EAX holds this on entry. */
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

/* Multiboot spec 3.3 "Boot information format": flags bit 2 says the
 * cmdline field holds the physical address of a NUL-terminated string. */
#define MULTIBOOT_INFO_CMDLINE (1u << 2)

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;
	uint32_t mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	/* ... further fields are not used here */
};

#endif
