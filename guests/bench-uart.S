/* guests/bench-uart.S: prints 256 KiB through the 16550 UART (poll LSR.THRE, write THR), then exits 0.
 *
 * Two port exits per byte at least: the LSR read and the THR write.
 */
#include "hc.inc"

#define COM1     0x3f8
#define LSR_THRE 0x20
#define LINES    4096           /* 4096 x 64 bytes = 256 KiB */

	.code16
	.text
	.globl	_start
_start:
	/* 115200 8N1, FIFOs on, no interrupts (see uart.S). */
	mov	$(COM1 + 1), %dx	/* IER */
	mov	$0x00, %al
	out	%al, %dx
	mov	$(COM1 + 3), %dx	/* LCR: DLAB */
	mov	$0x80, %al
	out	%al, %dx
	mov	$(COM1 + 0), %dx	/* DLL */
	mov	$0x01, %al
	out	%al, %dx
	mov	$(COM1 + 1), %dx	/* DLM */
	mov	$0x00, %al
	out	%al, %dx
	mov	$(COM1 + 3), %dx	/* LCR: 8N1 */
	mov	$0x03, %al
	out	%al, %dx
	mov	$(COM1 + 2), %dx	/* FCR: enable and clear FIFOs */
	mov	$0x07, %al
	out	%al, %dx

	mov	$LINES, %di
1:	mov	$line, %si
2:	mov	$(COM1 + 5), %dx	/* LSR */
3:	in	%dx, %al
	test	$LSR_THRE, %al
	jz	3b
	mov	$(COM1 + 0), %dx	/* THR */
	lodsb
	out	%al, %dx
	cmp	$line_end, %si
	jb	2b
	dec	%di
	jnz	1b
	hc_exit	0

	.section .rodata
line:	.ascii	"bench: the quick brown fox jumps over the lazy dog, 0123456789.\n"
line_end:
	.if	line_end - line != 64
	.error	"the line must be 64 bytes long"
	.endif
