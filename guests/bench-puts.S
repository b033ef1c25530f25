/* guests/bench-puts.S: prints 1 MiB through puts, 4 KiB per call (64 copies of a 64-byte line), then exits 0. */
#include "hc.inc"

#define CHUNK 4096
#define CALLS 256               /* 256 x 4 KiB = 1 MiB */

	.code16
	.text
	.globl	_start
_start:
	mov	$CALLS, %si
1:	movl	$chunk, %ebx
	movl	$CHUNK, %ecx
	hc	HC_PUTS
	dec	%si
	jnz	1b
	hc_exit	0

	.section .rodata
chunk:
	.rept	CHUNK / 64
	.ascii	"bench: the quick brown fox jumps over the lazy dog, 0123456789.\n"
	.endr
chunk_end:
	.if	chunk_end - chunk != CHUNK
	.error	"the line must be 64 bytes long"
	.endif
