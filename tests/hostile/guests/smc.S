/* tests/hostile/guests/smc.S: rewrites, six times, the instruction a debugger has a breakpoint on, with other encodings; prints "abcdef".
 *
 * `patch` (offset 0x20) is a 3-byte instruction that sets BL to the next
 * letter; after printing it the guest writes the next iteration's
 * instruction over it, alternating between `mov $imm8,%bl; nop` (b3 xx
 * 90) and `mov $imm16,%bx` (bb xx 00), so the opcode byte itself changes
 * under a breakpoint on every pass. A debugger that planted an int3 there
 * must not put back a stale byte; whatever it does, the guest must print
 * "abcdef" and exit 0.
 */
#include "hc.inc"

	.code16
	.text
	.globl	_start
_start:
	xor	%si, %si		/* iteration */
	jmp	again
	.org	0x20
	.globl	patch
patch:
	mov	$'a', %bl		/* b3 61, then a nop: 3 bytes */
	nop
	hc	HC_PUTCHAR
	inc	%si
	cmp	$6, %si
	je	done
	/* the next instruction: letter 'a' + SI, encoding by parity */
	mov	%si, %ax
	add	$'a', %al
	test	$1, %si
	jz	1f
	movb	$0xbb, patch		/* mov $imm16, %bx */
	mov	%al, patch + 1
	movb	$0, patch + 2
	jmp	again
1:	movb	$0xb3, patch		/* mov $imm8, %bl; nop */
	mov	%al, patch + 1
	movb	$0x90, patch + 2
again:
	jmp	patch
done:
	print	"\n"
	hc_exit	0
