/* guests/bench-putchar.S: prints 256 KiB through putchar, one hypercall per byte, then exits 0.
 *
 * The text is a 64-byte line repeated 4096 times.
 */
#include "hc.inc"

#define LINES 4096              /* 4096 x 64 bytes = 256 KiB */

	.code16
	.text
	.globl	_start
_start:
	mov	$LINES, %di
1:	mov	$line, %si
2:	movzbl	(%si), %ebx
	hc	HC_PUTCHAR
	inc	%si
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
