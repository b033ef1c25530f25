/* guests/pmint.S: 32-bit protected mode (paging off) with an IDT: int $0x80 runs a handler that prints "int 0x80 ok" and irets; then exit 0.
 *
 * Protected-mode entry as in Intel SDM vol. 3A, 9.9.1. The IDT has 0x81
 * gates, all not present but vector 0x80: a 32-bit interrupt gate
 * (SDM vol. 3A, 6.11, figure 6-2: type 0xe, P = 1, DPL 0) to `handler`
 * through the flat code segment. The handler prints, clears EDI and
 * returns with iret; the exit status is EDI, 1 unless the handler ran
 * and came back.
 *
 * Hardware KVM runs this. kvm-pvm cannot deliver interrupts in protected
 * mode (docs/testing.md): the int ends in an emulation failure,
 * which the monitor must explain in one line with status 125.
 *
 * Linked at 0, run at W (the window's linear base, kept in ESI): labels
 * are used as W + label with the flat segments.
 */
#include "hc.inc"

#define SEL_CODE    0x08    /* flat 32-bit code */
#define SEL_DATA    0x10    /* flat data, base 0, 4 GiB */
#define CR0_PE      0x00000001
#define VECTOR      0x80
#define GATE_INT32  0x8e00  /* P = 1, DPL 0, type 0xe: 32-bit interrupt gate */

	.code16
	.text
	.globl	_start
_start:
	xor	%eax, %eax
	mov	%cs, %ax
	shl	$4, %eax
	mov	%eax, %esi		/* ESI = W from here on */

	lea	gdt(%esi), %eax
	mov	%eax, gdtr + 2
	lea	idt(%esi), %eax
	mov	%eax, idtr + 2
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

	/* The gate: offset 15:0, selector, type, offset 31:16. */
	lea	handler(%esi), %eax
	lea	idt + VECTOR * 8(%esi), %edi
	mov	%ax, (%edi)
	movw	$SEL_CODE, 2(%edi)
	movw	$GATE_INT32, 4(%edi)
	shr	$16, %eax
	mov	%ax, 6(%edi)
	lidtl	idtr(%esi)		/* flat DS: the linear address */

	mov	$1, %edi		/* the handler clears it */
	.globl	do_int
do_int:
	int	$VECTOR
	mov	%edi, %ebx
	hc	HC_EXIT
	cli
	hlt

handler:
	pushal
	lea	msg(%esi), %ebx		/* flat DS: the linear address */
	mov	$(msg_end - msg), %ecx
	hc	HC_PUTS
	popal
	xor	%edi, %edi
	iret

	.section .rodata
msg:	.ascii	"int 0x80 ok\n"
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
idtr:	.word	(VECTOR + 1) * 8 - 1
	.long	0			/* patched: W + idt */
pm_far:	.long	0			/* patched: W + pm_entry */
	.word	SEL_CODE

	.bss
	.balign	8
idt:
	.skip	(VECTOR + 1) * 8
