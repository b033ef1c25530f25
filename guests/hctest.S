/* guests/hctest.S: exercises every hypercall and its error paths; prints one ok/FAIL line per check.
 *
 * Expected results come from docs/hypercalls.md. Standard input is echoed
 * between the "stdin:" line and the getchar checks: printable ASCII and
 * newlines as they are, every other byte as \xHH. The exit status is the
 * number of failed checks (0 when all pass).
 *
 * IN_BYTES must be the size of tests/guests/hctest.in, the input the test
 * feeds.
 */
#include "hc.inc"

#define IN_BYTES 68

/* expect VALUE, "NAME": compare EAX with VALUE and print ok or FAIL NAME.
 * Clobbers ECX, EDX and SI. */
.macro expect value, name
	.pushsection .rodata.str, "a"
.Lexpect_s\@:
	.ascii	"\name"
.Lexpect_e\@:
	.popsection
	movl	$(\value), %edx
	mov	$.Lexpect_s\@, %si
	mov	$(.Lexpect_e\@ - .Lexpect_s\@), %cx
	call	check
.endm

	.code16
	.text
	.globl	_start
_start:
	/* putchar: a line byte by byte, OR-ing every result together. */
	mov	$putchar_line, %si
	mov	$(putchar_end - putchar_line), %cx
	xor	%edi, %edi
1:	movzbl	(%si), %ebx
	hc	HC_PUTCHAR
	or	%eax, %edi
	inc	%si
	loop	1b
	mov	%edi, %eax
	expect	0, "putchar returns 0"

	/* puts: returns the length, and changes no register but EAX. */
	movl	$0x11112222, %esi
	movl	$0x33334444, %edi
	movl	$0x55556666, %ebp
	movl	$0x77770000, %edx	/* hc puts the port in DX only */
	movl	$puts_line, %ebx
	movl	$(puts_end - puts_line), %ecx
	mov	$HC_PORT, %dx
	mov	$HC_PUTS, %ax
	out	%ax, %dx
	xorl	$0x11112222, %esi
	xorl	$0x33334444, %edi
	xorl	$0x55556666, %ebp
	xorl	$(0x77770000 | HC_PORT), %edx
	xorl	$puts_line, %ebx
	xorl	$(puts_end - puts_line), %ecx
	or	%esi, %ecx		/* ECX = 0 if nothing changed */
	or	%edi, %ecx
	or	%ebp, %ecx
	or	%edx, %ecx
	or	%ebx, %ecx
	mov	%ecx, %edi
	expect	(puts_end - puts_line), "puts returns the length"
	mov	%edi, %eax
	expect	0, "puts keeps EBX ECX EDX ESI EDI EBP"

	movl	$never, %ebx
	xorl	%ecx, %ecx
	hc	HC_PUTS
	expect	0, "puts of length 0 returns 0"

	/* puts outside RAM: nothing printed, -EFAULT. The monitor keeps RAM
	 * below 3 GiB, so DS.base + 0xF0000000 is never RAM. */
	movl	$0xF0000000, %ebx
	movl	$0x10, %ecx
	hc	HC_PUTS
	expect	-EFAULT, "puts far above RAM returns -EFAULT"

	movl	$0xFFFFFF00, %ebx
	movl	$0x200, %ecx
	hc	HC_PUTS
	expect	-EFAULT, "puts across the top of the address space returns -EFAULT"

	/* Starts in RAM, but pointer + length wraps around 2^32 (and 2^64
	 * would not help either: the range is 4 GiB long). */
	movl	$never, %ebx
	movl	$0xFFFFFFFF, %ecx
	hc	HC_PUTS
	expect	-EFAULT, "puts with a length that wraps returns -EFAULT"

	/* Unknown services. 0x10003 written at 32 bits must not be taken as
	 * service 3 (puts): the value is zero-extended, not truncated. */
	hc	99
	expect	-ENOSYS, "unknown service 99 returns -ENOSYS"
	hc	0xffff
	expect	-ENOSYS, "service 0xffff returns -ENOSYS"
	movl	$never, %ebx
	movl	$(never_end - never), %ecx
	mov	$HC_PORT, %dx
	movl	$0x10003, %eax
	out	%eax, %dx
	expect	-ENOSYS, "32-bit service 0x10003 returns -ENOSYS"

	/* info, through an 8-bit and a 32-bit write of the service number. */
	mov	$HC_PORT, %dx
	mov	$HC_INFO, %al
	out	%al, %dx
	mov	%ebx, %ebp		/* vCPU index (expect clobbers ECX, EDX, SI) */
	mov	%ecx, %edi		/* vCPU count */
	expect	1, "info returns ABI version 1 (8-bit write)"
	xor	%eax, %eax
	cmp	%edi, %ebp
	setb	%al			/* index < count, so count >= 1 too */
	expect	1, "info vCPU index is below the vCPU count"
	mov	$HC_PORT, %dx
	movl	$HC_INFO, %eax
	out	%eax, %dx
	expect	1, "info returns ABI version 1 (32-bit write)"

	/* getchar: echo all of stdin. A byte 0xff must come back as 255,
	 * only the end of input as -1. */
	print	"stdin:\n"
	xor	%edi, %edi		/* bytes read */
2:	hc	HC_GETCHAR
	cmpl	$-1, %eax
	je	3f
	cmpl	$0xff, %eax
	ja	3f			/* neither a byte nor -1: FAIL below */
	inc	%edi
	call	echo
	jmp	2b
3:	expect	-1, "getchar returns -1 at end of input"
	mov	%edi, %eax
	expect	IN_BYTES, "getchar read every byte of stdin"
	hc	HC_GETCHAR
	expect	-1, "getchar after the end returns -1 again"

	print	"hctest: "
	movzwl	fails, %eax
	call	put_dec
	print	" failures\n"
	movzwl	fails, %ebx
	hc	HC_EXIT
	cli
	hlt

/* check: EAX = got, EDX = wanted, CX bytes at SI = name. */
check:
	pushal
	cmp	%edx, %eax
	jne	1f
	print	"ok   "
	call	put_buf
	print	"\n"
	popal
	ret
1:	incw	fails
	print	"FAIL "
	call	put_buf
	print	": got 0x"
	call	put_hex
	print	", want 0x"
	mov	%edx, %eax
	call	put_hex
	print	"\n"
	popal
	ret

/* echo: print the byte in AL as it is if printable or a newline, else as \xHH. */
echo:
	pushal
	cmp	$'\n', %al
	je	1f
	cmp	$0x20, %al
	jb	2f
	cmp	$0x7e, %al
	ja	2f
1:	call	putc
	popal
	ret
2:	mov	%al, %bl
	print	"\\x"
	mov	%bl, %al
	shr	$4, %al
	call	hexdigit
	mov	%bl, %al
	and	$0xf, %al
	call	hexdigit
	popal
	ret

/* hexdigit: print the low nibble of AL as a lowercase hex digit. */
hexdigit:
	add	$'0', %al
	cmp	$'9', %al
	jbe	1f
	add	$('a' - '0' - 10), %al
1:	jmp	putc

	.section .rodata
putchar_line:	.ascii	"hello from putchar\n"
putchar_end:
puts_line:	.ascii	"hello from puts\n"
puts_end:
never:		.ascii	"MUST NOT PRINT\n"
never_end:

	.data
fails:	.word	0
