/* guests/fibonacci.S: prints F(0) to F(47), lines "F(n) = v", then exits with status 0.
 *
 * F(47) = 2971215073 is the last term that fits in 32 unsigned bits,
 * which puts the 32-bit divide in put_dec to work.
 */
#include "hc.inc"

#define TERMS 48

	.code16
	.text
	.globl	_start
_start:
	xor	%esi, %esi		/* ESI = n */
	xor	%edi, %edi		/* EDI = F(n) */
	mov	$1, %ebp		/* EBP = F(n + 1) */
1:	print	"F("
	mov	%esi, %eax
	call	put_dec
	print	") = "
	mov	%edi, %eax
	call	put_dec
	print	"\n"
	mov	%edi, %eax		/* step: (F(n), F(n+1)) -> (F(n+1), F(n+2)) */
	add	%ebp, %eax
	mov	%ebp, %edi
	mov	%eax, %ebp
	inc	%esi
	cmp	$TERMS, %esi
	jb	1b
	hc_exit	0
