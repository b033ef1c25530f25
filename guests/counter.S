/* guests/counter.S: counts from 1 to 20, one decimal number per line, then exits with status 0. */
#include "hc.inc"

#define LAST 20

	.code16
	.text
	.globl	_start
_start:
	/* The count lives in memory, not only in a register, so that a
	 * debugger has a variable to print and watch. */
1:	incl	count
	movl	count, %eax
	call	put_dec
	mov	$'\n', %al
	call	putc
	cmpl	$LAST, count
	jb	1b
	hc_exit	0

	.data
	.globl	count
count:	.long	0
