/* tests/hostile/guests/hcbad.S: real-mode hypercalls with pointers outside RAM, lengths that wrap, odd service numbers and widths; prints one line per case.
 *
 * Every case checks the result in EAX and that the call kept EBX, ECX and
 * SI (docs/hypercalls.md: only EAX changes), prints "ok NAME" or "FAIL
 * NAME", and the exit status is the number of failures. Run with the
 * default 128 MiB of RAM: the image's window is at 0x10000 (DS base), so
 * RAM ends at DS offset 0x07ff0000.
 */
#include "hc.inc"

#define RAM_END_OFF 0x07ff0000 /* 128 MiB - DS base 0x10000 */
#define R_EFAULT 0xfffffff2    /* -EFAULT */
#define R_ENOSYS 0xffffffda    /* -ENOSYS */

/* check_puts PTR LEN WANT NAME: puts PTR, LEN must return WANT */
.macro check_puts ptr, len, want, name
	movl	$\ptr, %ebx
	movl	$\len, %ecx
	mov	$0x5a5a, %si
	hc	HC_PUTS
	cmpl	$\want, %eax
	jne	1f
	cmpl	$\ptr, %ebx
	jne	1f
	cmpl	$\len, %ecx
	jne	1f
	cmp	$0x5a5a, %si
	jne	1f
	print	"ok \name\n"
	jmp	2f
1:	print	"FAIL \name\n"
	inc	%bp
2:
.endm

/* check_eax WANT NAME: EAX must be WANT */
.macro check_eax want, name
	cmpl	$\want, %eax
	jne	1f
	print	"ok \name\n"
	jmp	2f
1:	print	"FAIL \name\n"
	inc	%bp
2:
.endm

	.code16
	.text
	.globl	_start
_start:
	xor	%bp, %bp		/* failures */
	check_puts 0xfffffff0, 0x20, R_EFAULT, puts-range-wraps-past-4GiB
	check_puts 0x7fffffff, 1, R_EFAULT, puts-pointer-past-RAM
	check_puts 0xffffffff, 1, R_EFAULT, puts-last-byte-of-4GiB
	check_puts 0, 0xffffffff, R_EFAULT, puts-length-4GiB
	check_puts (RAM_END_OFF - 4), 8, R_EFAULT, puts-crosses-the-end-of-RAM
	check_puts 0xffffffff, 0, 0, puts-length-0-anywhere
	/* the last 8 bytes of RAM: allowed (they are zero: 8 NULs printed) */
	check_puts (RAM_END_OFF - 8), 8, 8, puts-ends-at-the-end-of-RAM

	/* service numbers: unknown, 32 bits wide, 8 bits wide */
	mov	$HC_PORT, %dx
	mov	$0xffff, %ax
	out	%ax, %dx
	check_eax R_ENOSYS, service-0xffff-is-enosys
	mov	$0x00010003, %eax
	out	%eax, %dx
	check_eax R_ENOSYS, service-0x10003-is-enosys
	movl	$msg8, %ebx
	movl	$(msg8_end - msg8), %ecx
	mov	$0x1203, %ax		/* an 8-bit out sends 3 (puts): AH is not part of it */
	out	%al, %dx
	check_eax (msg8_end - msg8), service-in-8-bits

	/* getchar at the end of input; reads of the port */
	hc	HC_GETCHAR
	check_eax 0xffffffff, getchar-at-end-of-input-is-minus-1
	mov	$HC_PORT, %dx
	in	%dx, %eax
	check_eax 0xffffffff, in-from-the-hypercall-port
	xor	%eax, %eax
	in	%dx, %ax
	check_eax 0xffff, in16-from-the-hypercall-port

	movzwl	%bp, %ebx
	hc	HC_EXIT
	cli
	hlt

msg8:	.ascii	"8-bit service number\n"
msg8_end:
