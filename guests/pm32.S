/* guests/pm32.S: switches from real mode to 32-bit protected mode (paging off) and prints from there.
 *
 * The steps are those of Intel SDM vol. 3A, "Switching to Protected
 * Mode" (9.9.1 in the 2010s editions): load a GDT, set CR0.PE, far jump
 * at once to load a 32-bit CS, then load the data segment registers.
 * Interrupts stay off (they are off at start) and there is no IDT:
 * nothing may fault. A20 is left alone: every address used is below
 * 1 MiB, where the A20 gate changes nothing.
 *
 * The image is linked at 0 but runs at W, the window's linear base. The
 * flat segments have base 0, so in protected mode every label is used as
 * W + label, with W kept in ESI. The hypercall pointer is a DS offset
 * (docs/hypercalls.md): with the flat DS it is the linear address; with
 * a DS based at W it is the plain label again. Both are tried.
 * Exit status: the number of puts calls that did not return their length.
 */
#include "hc.inc"

#define SEL_CODE     0x08    /* flat 32-bit code */
#define SEL_DATA     0x10    /* flat data, base 0, 4 GiB */
#define SEL_WINDOW   0x18    /* data, base W, 64 KiB */

	.code16
	.text
	.globl	_start
_start:
	print	"real mode: switching to protected mode\n"

	/* In real mode a segment's base is its selector << 4. */
	xor	%eax, %eax
	mov	%cs, %ax
	shl	$4, %eax
	mov	%eax, %esi		/* ESI = W from here on */

	/* Patch what depends on W: the window descriptor's base (bits 15:0
	 * in bytes 2-3, 23:16 in byte 4; W < 16 MiB), the GDT's linear
	 * address in the GDTR image, and the far pointer to pm_entry. */
	mov	%ax, gdt_window + 2
	shr	$16, %eax
	mov	%al, gdt_window + 4
	lea	gdt(%esi), %eax
	mov	%eax, gdtr + 2
	lea	pm_entry(%esi), %eax
	mov	%eax, pm_far

	lgdtl	gdtr			/* 32-bit form: the full 32-bit base */
	mov	%cr0, %eax
	or	$1, %eax		/* CR0.PE */
	mov	%eax, %cr0
	/* The far jump right after the mov to CR0 loads CS with a 32-bit
	 * code descriptor; 16:32 operand, hence the l suffix. */
	ljmpl	*pm_far

	.code32
pm_entry:
	mov	$SEL_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss
	lea	0x10000(%esi), %esp	/* top of the window, linear */
	xor	%edi, %edi		/* EDI = failures */

	/* Flat DS: the pointer is the linear address W + label. */
	lea	msg_flat(%esi), %ebx
	mov	$(msg_flat_end - msg_flat), %ecx
	call	pm_puts

	/* DS based at W: the pointer is the label itself. */
	mov	$SEL_WINDOW, %ax
	mov	%ax, %ds
	mov	$msg_window, %ebx
	mov	$(msg_window_end - msg_window), %ecx
	call	pm_puts

	mov	%edi, %ebx
	hc	HC_EXIT
	cli
	hlt

/* pm_puts: puts EBX, ECX; count a failure in EDI unless it returns ECX. */
pm_puts:
	hc	HC_PUTS
	cmp	%ecx, %eax
	je	1f
	inc	%edi
1:	ret

	.section .rodata
msg_flat:	.ascii	"protected mode: hello through a flat data segment\n"
msg_flat_end:
msg_window:	.ascii	"protected mode: hello through a data segment based at the window\n"
msg_window_end:

	.data
	.balign	8
gdt:
	.quad	0			/* the null descriptor */
	/* Intel SDM vol. 3A 3.4.5 "Segment Descriptors": limit 0xfffff with
	 * G = 1 (4 GiB), D = 1 (32-bit), access 0x9a code / 0x92 data. */
	.quad	0x00cf9a000000ffff	/* SEL_CODE */
	.quad	0x00cf92000000ffff	/* SEL_DATA */
gdt_window:
	.quad	0x004092000000ffff	/* SEL_WINDOW: limit 0xffff, G = 0, base patched */
gdt_end:
gdtr:	.word	gdt_end - gdt - 1
	.long	0			/* patched: W + gdt */
pm_far:	.long	0			/* patched: W + pm_entry */
	.word	SEL_CODE
