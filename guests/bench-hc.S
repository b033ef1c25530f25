/* guests/bench-hc.S: 200000 info hypercalls in a tight loop, then exit 0: the cost of one hypercall round trip.
 *
 * The count is fixed (CALLS); `make bench` divides the run time by it.
 * Prints nothing.
 */
#include "hc.inc"

#define CALLS 200000

	.code16
	.text
	.globl	_start
_start:
	movl	$CALLS, %esi		/* info rewrites EBX and ECX: count in ESI */
	mov	$HC_PORT, %dx
1:	mov	$HC_INFO, %ax
	out	%ax, %dx
	dec	%esi
	jnz	1b
	hc_exit	0
