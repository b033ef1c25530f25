/* tests/hostile/guests/hlt64.S: an ELF64 kernel that says so and then halts with interrupts off, forever: only --timeout (or a debugger) ends it. */
#include "hc.inc"

	.code64
	.text
	.globl	_start
_start:
	mov	$msg, %ebx
	mov	$(msg_end - msg), %ecx
	hc	HC_PUTS
1:	cli
	hlt
	jmp	1b

	.section .rodata
msg:	.ascii	"hlt64: halting with interrupts off\n"
msg_end:
