/* guests/paging32.S: enters 32-bit protected mode, turns on 32-bit paging (identity map of 4 MiB pages), prints "paging on" and exits 0.
 *
 * The steps are those of Intel SDM vol. 3A, 9.9.1 "Switching to
 * Protected Mode" (GDT, CR0.PE, far jump, data segments), then 4.3
 * "32-Bit Paging": a page directory of 1024 PDEs with PS = 1 maps 4 MiB
 * each when CR4.PSE = 1 (table 4-4), CR3 takes its physical address, and
 * setting CR0.PG turns paging on. The map is the identity over the whole
 * 4 GiB, so the code keeps running where it is.
 *
 * The image is linked at 0 and runs at W, the window's linear base, kept
 * in ESI; the flat data segment has base 0, so labels are used as
 * W + label. W is a multiple of 64 KiB, so the 4 KiB alignment of
 * page_dir inside the image is also its alignment in memory.
 *
 * Hardware KVM runs this. kvm-pvm cannot (docs/testing.md): the
 * mov to CR0 ends in a shutdown, which the monitor must explain in one
 * line with status 125. The puts after it goes through the monitor's
 * walk of these page tables; the exit status is 1 if it did not return
 * its length, else 0.
 */
#include "hc.inc"

#define SEL_CODE    0x08    /* flat 32-bit code */
#define SEL_DATA    0x10    /* flat data, base 0, 4 GiB */
#define CR0_PE      0x00000001
#define CR0_PG      0x80000000
#define CR4_PSE     0x00000010
#define PDE_4M      0x83    /* present, writable, PS: a 4 MiB page */

	.code16
	.text
	.globl	_start
_start:
	xor	%eax, %eax
	mov	%cs, %ax
	shl	$4, %eax
	mov	%eax, %esi		/* ESI = W from here on */

	/* The GDTR base and the far pointer are linear: patch in W. */
	lea	gdt(%esi), %eax
	mov	%eax, gdtr + 2
	lea	pm_entry(%esi), %eax
	mov	%eax, pm_far

	lgdtl	gdtr
	mov	%cr0, %eax
	or	$CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	*pm_far

	.code32
pm_entry:
	mov	$SEL_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	lea	0x10000(%esi), %esp	/* top of the window, linear */

	/* PDE i maps linear [i * 4 MiB, (i + 1) * 4 MiB) to the same frame. */
	lea	page_dir(%esi), %edi
	mov	$PDE_4M, %eax
	mov	$1024, %ecx
1:	mov	%eax, (%edi)
	add	$4, %edi
	add	$0x400000, %eax
	loop	1b

	mov	%cr4, %eax
	or	$CR4_PSE, %eax
	mov	%eax, %cr4
	lea	page_dir(%esi), %eax
	mov	%eax, %cr3
	mov	%cr0, %eax
	or	$CR0_PG, %eax
	.globl	enable_paging
enable_paging:
	mov	%eax, %cr0
	jmp	1f			/* SDM 9.9.1: a jump right after setting PG */
1:
	lea	msg(%esi), %ebx		/* flat DS: the linear address */
	mov	$(msg_end - msg), %ecx
	hc	HC_PUTS
	xor	%ebx, %ebx
	cmp	%ecx, %eax
	je	2f
	inc	%ebx			/* puts failed: status 1 */
2:	hc	HC_EXIT
	cli
	hlt

	.section .rodata
msg:	.ascii	"paging on\n"
msg_end:

	.data
	.balign	8
gdt:
	.quad	0			/* the null descriptor */
	/* SDM vol. 3A 3.4.5: limit 0xfffff, G = 1, D = 1; 0x9a code, 0x92 data */
	.quad	0x00cf9a000000ffff	/* SEL_CODE */
	.quad	0x00cf92000000ffff	/* SEL_DATA */
gdt_end:
gdtr:	.word	gdt_end - gdt - 1
	.long	0			/* patched: W + gdt */
pm_far:	.long	0			/* patched: W + pm_entry */
	.word	SEL_CODE

	.bss
	.balign	4096
page_dir:
	.skip	4096
