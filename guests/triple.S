/* guests/triple.S: int $3 with a real-mode IVT of limit 0: #GP, then #DF, then a triple fault (shutdown).
 *
 * In real mode the IDTR limit still bounds the vector table: an `int n`
 * whose 4-byte entry lies past the limit raises #GP, whose own entry is
 * past the limit too, hence #DF, and the same again turns into a
 * shutdown (Intel SDM vol. 2, INT n, real-address-mode operation; vol.
 * 3A, 6.15, interrupt 8). The monitor must report the triple fault at
 * the int instruction (`fault_int`, which tests/guests/faults.t finds
 * with nm) with status 121. Nothing is printed on that path.
 *
 * A KVM that emulates real mode may skip the limit check (kvm-pvm does,
 * as KVM's instruction emulator does): it then takes entry 3 from the
 * table anyway. The table's entries all lead to `past_limit`, which says
 * so and exits with status 3, so such a host gives a clear answer
 * instead of running whatever a zero entry points at.
 */
#include "hc.inc"

	.code16
	.text
	.globl	_start
_start:
	/* The IDTR base is linear: W + ivt, W = CS << 4 (24-bit form of lidt). */
	xor	%eax, %eax
	mov	%cs, %ax
	shl	$4, %eax
	add	$ivt, %eax
	mov	%eax, idtr + 2
	/* Each entry is offset:segment; the segment is ours. */
	mov	%cs, %ax
	mov	%ax, ivt + 2
	mov	%ax, ivt + 6
	mov	%ax, ivt + 10
	mov	%ax, ivt + 14
	lidt	idtr
	.globl	fault_int
fault_int:
	int	$3			/* entry 3 is bytes 12-15: past limit 0 */
	hc_exit	4			/* not reached, even where the limit is ignored */

past_limit:
	print	"triple: int $3 was delivered past the IVT limit\n"
	hc_exit	3

	.data
	.balign	4
ivt:	.rept	4			/* vectors 0-3; only byte 0 is inside the limit */
	.word	past_limit, 0		/* segment patched */
	.endr
idtr:	.word	0			/* limit */
	.long	0			/* base, patched: W + ivt */
