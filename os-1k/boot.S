/* os-1k/boot.S: the Multiboot header and the 32-bit entry: clear .bss, map the kernel high, enable paging, jump to kmain. */
#include "os-1k/kernel.h"

/* Multiboot v1 header (Multiboot Specification 0.6.96, 3.1.1): it must be
 * 32-bit aligned within the first 8 KiB of the file. Flags: bit 0 asks
 * for page-aligned modules, bit 1 for the memory map. Without bit 16 the
 * loader takes the load addresses from the ELF program headers. */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00000003

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

/* Everything below runs at its physical address, with paging off: the
 * loader jumps here with EAX = 0x2badb002 and EBX = the multiboot info. */
	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	mov %eax, %esi                  /* keep the magic and the info pointer */
	mov %ebx, %ebp

	/* A loader need not zero .bss; the page tables below live there. */
	mov $(__bss_start - KERNBASE), %edi
	mov $(_end - KERNBASE), %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl

	/* kpgtab: NKPT page tables mapping physical 0..PHYS_MAX in 4 KiB pages. */
	mov $(kpgtab - KERNBASE), %edi
	mov $(PTE_P | PTE_W), %eax
	mov $(NKPT * 1024), %ecx
1:	stosl
	add $PAGE_SIZE, %eax
	loop 1b

	/* kpgdir: those tables twice, at 0 (identity, so that this code keeps
	 * running after paging is on) and at KERNBASE (where the kernel is
	 * linked). kmain removes the identity half. */
	mov $(kpgtab - KERNBASE + (PTE_P | PTE_W)), %eax
	mov $(kpgdir - KERNBASE), %edi
	xor %ecx, %ecx
2:	mov %eax, (%edi, %ecx, 4)
	mov %eax, (KERNBASE >> 22) * 4(%edi, %ecx, 4)
	add $PAGE_SIZE, %eax
	inc %ecx
	cmp $NKPT, %ecx
	jb 2b

	/* Paging on (SDM Vol. 3A, 4.3). WP makes the kernel obey read-only pages too. */
	mov $(kpgdir - KERNBASE), %eax
	mov %eax, %cr3
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP), %eax
	mov %eax, %cr0

	/* Jump to the higher half: an absolute jump through a register. */
	mov $high, %eax
	jmp *%eax

	.text
high:
	mov $(boot_stack + BOOT_STACK_SIZE), %esp
	push %ebp                       /* kmain(magic, info) */
	push %esi
	xor %ebp, %ebp                  /* a zero frame pointer ends gdb's backtrace */
	call kmain
3:	cli
	hlt
	jmp 3b

	.bss
	.balign PAGE_SIZE
	.globl boot_stack
boot_stack:
	.space BOOT_STACK_SIZE

	.section .note.GNU-stack, "", @progbits
