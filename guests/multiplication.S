/* guests/multiplication.S: prints the multiplication tables of 2 to 9, lines "A x B = P", then exits with status 0.
 *
 * One line per product, B from 1 to 9; a blank line separates two tables.
 */
#include "hc.inc"

	.code16
	.text
	.globl	_start
_start:
	mov	$2, %esi		/* ESI = A, the table */
1:	mov	$1, %edi		/* EDI = B, the row */
2:	mov	%esi, %eax
	call	put_dec
	print	" x "
	mov	%edi, %eax
	call	put_dec
	print	" = "
	mov	%esi, %eax
	mul	%edi			/* EAX = A * B (EDX:EAX, EDX is 0 here) */
	call	put_dec
	print	"\n"
	inc	%edi
	cmp	$9, %edi
	jbe	2b
	cmp	$9, %esi
	je	3f
	print	"\n"			/* between tables, not after the last */
	inc	%esi
	jmp	1b
3:	hc_exit	0
