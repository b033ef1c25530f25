/* guests/minimal.S: the smallest guest: one hlt, which ends a flat image with status 0 and no output. */

	.code16
	.text
	.globl	_start
_start:
	hlt
