/* guests/lib/entry32.S: Multiboot v1 header and 32-bit entry of the ELF32 guests: sets a stack, calls kmain(magic, info). */

/* Multiboot spec 3.1.1 "The layout of Multiboot header": magic, flags,
 * checksum, 32-bit aligned, within the first 8192 bytes of the file (the
 * linker script puts .multiboot first). Flags 0: nothing asked of the
 * loader (no module alignment, no memory map); the ELF program headers
 * give the load addresses, so bit 16 (address fields) stays clear. */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0

	.section .multiboot, "a"
	.balign	4
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)

#define STACK_SIZE 16384

	.text
	.globl	_start
	.type	_start, @function
_start:
	/* Multiboot spec 3.2 "Machine state": EAX = magic, EBX = info,
	 * flat CS/DS, interrupts off, ESP undefined. */
	mov	$stack_top, %esp
	xor	%ebp, %ebp		/* ends the frame chain for backtraces */
	cld				/* the C ABI wants DF clear */
	sub	$8, %esp		/* keeps ESP 16-aligned at the call */
	push	%ebx
	push	%eax
	call	kmain
	/* kmain exits through the isa-debug-exit; should it return, exit
	 * with 0x7f (status 255) rather than hlt (see lib/con.c). */
	mov	$0xf4, %dx
	mov	$0x7f, %eax
	out	%eax, %dx
1:	jmp	1b
	.size	_start, . - _start

	.bss
	.balign	16
stack:	.skip	STACK_SIZE
stack_top:
