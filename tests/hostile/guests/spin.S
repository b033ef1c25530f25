/* tests/hostile/guests/spin.S: counts forever in a loop until a debugger sets `release`; then prints the count's state and exits with release's value.
 *
 * The hostile-client tests run it under the gdb stub: between attacks
 * the loop must still run (`count` grows), its code must be unchanged,
 * and at the end a well-behaved client writes `release` and the guest
 * must finish as written. The symbols are at fixed offsets (the image is
 * linked at 0): count at 0x100, release at 0x104, the loop at 0x10.
 */
#include "hc.inc"

	.code16
	.text
	.globl	_start
_start:
	jmp	loop
	.org	0x10
	.globl	loop
loop:
	incl	count
	cmpb	$0, release
	je	loop
	print	"spin: released\n"
	movzbl	release, %ebx
	hc	HC_EXIT
	cli
	hlt

	.org	0x100
	.globl	count, release
count:		.long	0
release:	.byte	0
