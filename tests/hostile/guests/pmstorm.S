/* tests/hostile/guests/pmstorm.S: a Multiboot kernel doing `rep outsb` with big counts in 32-bit protected mode, the last one running past the end of RAM.
 *
 * Run with -m 16M. First 64 KiB (from address 0) to an unclaimed port in
 * one instruction, then 8 KiB from 4 KiB below the end of RAM: half of
 * it is not RAM. A hardware KVM hands the monitor up to a page of
 * elements per exit (kvm_run io.count), kvm-pvm one (about 35 us each, so
 * the counts stay this size); the bytes past RAM come as MMIO reads,
 * which read all ones. Whatever the host does, the monitor must finish
 * the instruction or say in one line why not; never hang or crash.
 */
#include "hc.inc"

#define MB_MAGIC 0x1BADB002
#define RAM_END 0x1000000

	.section .multiboot, "a"
	.balign	4
	.long	MB_MAGIC, 0, -MB_MAGIC

/* print32 TEXT */
.macro print32 text
	.pushsection .rodata
.Ls\@:	.ascii	"\text"
.Le\@:
	.popsection
	pushal
	mov	$.Ls\@, %ebx
	mov	$(.Le\@ - .Ls\@), %ecx
	hc	HC_PUTS
	popal
.endm

	.code32
	.text
	.globl	_start
_start:
	cld
	xor	%esi, %esi
	mov	$0x10000, %ecx
	mov	$0x80, %dx
	rep outsb
	test	%ecx, %ecx
	jnz	1f
	print32	"ok rep outsb of 64 KiB to port 0x80\n"
	jmp	2f
1:	print32	"FAIL rep outsb of 64 KiB left ECX nonzero\n"
2:	mov	$(RAM_END - 0x1000), %esi
	mov	$0x2000, %ecx
	rep outsb
	test	%ecx, %ecx
	jnz	1f
	print32	"ok rep outsb of 8 KiB across the end of RAM\n"
	jmp	2f
1:	print32	"FAIL rep outsb across the end of RAM left ECX nonzero\n"
2:
	xor	%ebx, %ebx
	hc	HC_EXIT
3:	cli
	hlt
	jmp	3b
