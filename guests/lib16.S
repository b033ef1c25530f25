/* guests/lib16.S: console helpers shared by the real-mode guests, over the hypercalls.
 *
 * Every routine keeps every register (pushal/popal) and assumes DS == SS,
 * which holds in a flat image (all segments = window >> 4): the digit
 * buffers live on the stack and are handed to puts as DS offsets.
 * Each routine has its own section so that `ld --gc-sections` drops the
 * ones a guest does not call.
 */
#include "hc.inc"

	.code16

/* putc: print the byte in AL. */
	.section .text.putc, "ax"
	.globl	putc
putc:
	pushal
	movzbl	%al, %ebx
	hc	HC_PUTCHAR
	popal
	ret

/* put_buf: print CX bytes at DS:SI. */
	.section .text.put_buf, "ax"
	.globl	put_buf
put_buf:
	pushal
	movzwl	%si, %ebx
	movzwl	%cx, %ecx
	hc	HC_PUTS
	popal
	ret

/* put_dec: print EAX as an unsigned decimal number. */
	.section .text.put_dec, "ax"
	.globl	put_dec
put_dec:
	pushal
	sub	$10, %sp		/* 4294967295 has 10 digits */
	mov	%sp, %si
	add	$10, %si		/* SI walks back from the end */
	mov	$10, %ecx
1:	xor	%edx, %edx
	div	%ecx			/* EDX:EAX / 10: EDX is the last digit */
	add	$'0', %dl
	dec	%si
	mov	%dl, (%si)		/* DS:SI is SS:SI, the buffer */
	test	%eax, %eax
	jnz	1b
	mov	%sp, %cx
	add	$10, %cx
	sub	%si, %cx		/* CX = number of digits */
	call	put_buf
	add	$10, %sp
	popal
	ret

/* put_hex: print EAX as 8 hex digits. */
	.section .text.put_hex, "ax"
	.globl	put_hex
put_hex:
	pushal
	sub	$8, %sp
	mov	%sp, %si
	mov	$8, %cx
1:	rol	$4, %eax		/* most significant nibble first */
	mov	%al, %dl
	and	$0xf, %dl
	add	$'0', %dl
	cmp	$'9', %dl
	jbe	2f
	add	$('a' - '0' - 10), %dl
2:	mov	%dl, (%si)
	inc	%si
	loop	1b
	mov	%sp, %si
	mov	$8, %cx
	call	put_buf
	add	$8, %sp
	popal
	ret
