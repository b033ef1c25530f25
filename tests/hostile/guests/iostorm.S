/* tests/hostile/guests/iostorm.S: a port-I/O storm in real mode: 20,000 outs and ins each on unclaimed ports and a device register, and rep outs/ins with counts up to 64 KiB and 0xffffffff.
 *
 * Prints one line per storm with what it checked, then ends the machine
 * with a `rep outsb` of count 0xffffffff to isa-debug-exit (port 0xf4):
 * the first byte (0x10) ends it with status (0x10 << 1) | 1 = 33 at once,
 * the rest of the count must not matter.
 */
#include "hc.inc"

#define N 20000		/* kvm-pvm: ~25 us an exit; a hardware KVM is faster */
#define BUF 0x4000		/* scratch, well below the stack */

/* result LABEL: "ok LABEL" when BP (this storm's errors) is 0, else FAIL */
.macro result text
	test	%bp, %bp
	jnz	1f
	print	"ok \text\n"
	jmp	2f
1:	print	"FAIL \text\n"
	incw	failures
2:	xor	%bp, %bp
.endm

	.code16
	.text
	.globl	_start
_start:
	cld
	xor	%bp, %bp

	/* 1. writes nobody claims */
	mov	$N, %ecx
1:	out	%al, $0x80
	dec	%ecx
	jnz	1b
	result	"20000 outb to unclaimed port 0x80"

	/* 2. reads nobody claims: all ones */
	mov	$N, %ecx
1:	xor	%al, %al
	in	$0x81, %al
	cmp	$0xff, %al
	je	2f
	inc	%bp
2:	dec	%ecx
	jnz	1b
	result	"20000 inb from unclaimed port 0x81 read 0xff"

	/* 3. a device register: the UART scratch register keeps each value */
	mov	$0x3ff, %dx
	mov	$N, %ecx
1:	mov	%cl, %al
	out	%al, %dx
	in	%dx, %al
	cmp	%cl, %al
	je	2f
	inc	%bp
2:	dec	%ecx
	jnz	1b
	result	"20000 UART scratch writes read back"

	/* 4. rep outsb, 65535 bytes to an unclaimed port */
	xor	%si, %si
	mov	$0xffff, %cx
	mov	$0x80, %dx
	rep outsb
	test	%cx, %cx
	jz	1f
	inc	%bp
1:	result	"rep outsb of 65535 bytes to port 0x80"

	/* 5. rep insb, 8 KiB from an unclaimed port: all 0xff */
	mov	$BUF, %di
	mov	$0x2000, %cx
	mov	$0x84, %dx
	rep insb
	mov	$BUF, %di
	mov	$0x2000, %cx
	mov	$0xff, %al
	repe scasb
	jz	1f
	inc	%bp
1:	result	"rep insb of 8192 bytes from port 0x84 read 0xff"

	/* 6. rep insw from the hypercall port: all ones too */
	mov	$BUF, %di
	mov	$0x800, %cx
	mov	$HC_PORT, %dx
	rep insw
	mov	$BUF, %di
	mov	$0x800, %cx
	mov	$0xffff, %ax
	repe scasw
	jz	1f
	inc	%bp
1:	result	"rep insw of 2048 words from the hypercall port read 0xffff"

	/* 7. rep outsb of 4096 bytes to the debug console: printed */
	mov	$BUF, %di
	mov	$4096, %cx
	mov	$'x', %al
	rep stosb
	mov	$BUF, %si
	mov	$4096, %cx
	mov	$0xe9, %dx
	rep outsb
	mov	$'\n', %al
	out	%al, %dx

	/* 8. rep outsw to the hypercall port: 1000 putchar calls in one
	 * instruction, each printing BL */
	mov	$BUF, %di
	mov	$1000, %cx
	mov	$HC_PUTCHAR, %ax
	rep stosw
	mov	$BUF, %si
	mov	$1000, %cx
	mov	$'.', %bl
	mov	$HC_PORT, %dx
	rep outsw
	print	"\n"

	cmpw	$0, failures
	je	1f
	movzwl	failures, %ebx
	hc	HC_EXIT
1:	/* 9. the end: a huge rep outsb to isa-debug-exit */
	print	"ending with rep outsb, count 0xffffffff, to port 0xf4\n"
	mov	$exit_byte, %esi
	mov	$0xffffffff, %ecx
	mov	$0xf4, %dx
	addr32 rep outsb
	print	"FAIL still running after isa-debug-exit\n"
	hc_exit	99

exit_byte:	.byte	0x10
	.balign	2
failures:	.word	0
