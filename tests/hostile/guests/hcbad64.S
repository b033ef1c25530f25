/* tests/hostile/guests/hcbad64.S: long-mode hypercalls with 64-bit pointers outside RAM, non-canonical or unmapped, and lengths that wrap past 2^64.
 *
 * An ELF64 (linked at 1 MiB by guests/lib/kernel.ld), entered in long mode
 * with the first 4 GiB identity-mapped and 128 MiB of RAM. Every case
 * checks RAX and that RBX and RCX were kept, prints "ok NAME" or "FAIL
 * NAME"; the exit status is the number of failures.
 */
#include "hc.inc"

#define RAM_END 0x8000000
#define R_EFAULT -14

/* print64 TEXT: one puts of a literal; keeps every register but RAX */
.macro print64 text
	.pushsection .rodata
.Ls\@:	.ascii	"\text"
.Le\@:
	.popsection
	push	%rbx
	push	%rcx
	push	%rdx
	mov	$.Ls\@, %ebx
	mov	$(.Le\@ - .Ls\@), %ecx
	hc	HC_PUTS
	pop	%rdx
	pop	%rcx
	pop	%rbx
.endm

/* check_puts PTR LEN WANT NAME */
.macro check_puts ptr, len, want, name
	movabs	$\ptr, %rbx
	movabs	$\len, %rcx
	mov	%rbx, %r8
	mov	%rcx, %r9
	hc	HC_PUTS
	cmp	$\want, %rax
	jne	1f
	cmp	%r8, %rbx
	jne	1f
	cmp	%r9, %rcx
	jne	1f
	print64	"ok \name\n"
	jmp	2f
1:	print64	"FAIL \name\n"
	inc	%r12
2:
.endm

	.code64
	.text
	.globl	_start
_start:
	xor	%r12, %r12		/* failures */
	check_puts 0xffffffffffffff00, 0x200, R_EFAULT, puts-range-wraps-past-2^64
	check_puts 0x0000800000000000, 1, R_EFAULT, puts-non-canonical-pointer
	check_puts 0x100000000, 1, R_EFAULT, puts-unmapped-above-4GiB
	check_puts 0xc0000000, 1, R_EFAULT, puts-mapped-but-not-RAM
	check_puts (RAM_END - 4), 8, R_EFAULT, puts-crosses-the-end-of-RAM
	check_puts 0x100000, 0x8000000000000000, R_EFAULT, puts-length-2^63
	check_puts 1, 0xffffffffffffffff, R_EFAULT, puts-length-2^64-1
	check_puts 0xdead00000000, 0, 0, puts-length-0-anywhere
	/* the last 8 bytes of RAM are fine */
	movabs	$0x0a6b6f2d65676465, %rax /* "edge-ok\n" */
	mov	%rax, (RAM_END - 8)
	check_puts (RAM_END - 8), 8, 8, puts-ends-at-the-end-of-RAM

	mov	%r12, %rbx
	hc	HC_EXIT
1:	cli
	hlt
	jmp	1b
