/* guests/lib/entry64.S: 64-bit entry of the ELF64 guests: sets a stack, calls kmain64(info). */

#define STACK_SIZE 16384

	.code64
	.text
	.globl	_start
	.type	_start, @function
_start:
	/* gdbvmm enters an ELF64 in long mode, paging on, RAM identity
	 * mapped, interrupts off, RBX = multiboot info; a stack of its own
	 * all the same. */
	lea	stack_top(%rip), %rsp
	xor	%ebp, %ebp
	cld
	mov	%rbx, %rdi
	call	kmain64
	mov	$0xf4, %dx
	mov	$0x7f, %eax
	out	%eax, %dx
1:	jmp	1b
	.size	_start, . - _start

	.bss
	.balign	16
stack:	.skip	STACK_SIZE
stack_top:
