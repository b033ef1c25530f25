/* guests/hello.S: prints "Hello, KVM!" with one puts hypercall, then exits with status 0. */
#include "hc.inc"

	.code16
	.text
	.globl	_start
_start:
	/* puts takes a DS offset in the full EBX (docs/hypercalls.md). */
	movl	$msg, %ebx
	movl	$(msg_end - msg), %ecx
	hc	HC_PUTS
	hc_exit	0

msg:	.ascii	"Hello, KVM!\n"
msg_end:
