/* os-1k/images.S: the user programs, built as flat binaries under $(B)/os-1k/user, embedded in the kernel image. */

/* program NAME: the bytes of NAME.bin, and a struct program row for it. */
.macro program name
	.pushsection .rodata.images, "a"
	.balign 16
\name\()_image:
	.incbin "\name\().bin"
\name\()_image_end:
\name\()_name:
	.asciz "\name"
	.popsection
	.long \name\()_name, \name\()_image, \name\()_image_end - \name\()_image
.endm

	.section .rodata
	.balign 4
	.globl programs
programs:                       /* const struct program programs[] (kernel.h) */
	program sh
	program mult
	program counter
	program echo
	program fib
	program primes
	program calc
	program fact
	program gcd
	program about
	program spin
	program crash
	program loop
	.long 0, 0, 0

	.section .note.GNU-stack, "", @progbits
