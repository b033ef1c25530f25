/* os-1k/entry.S: the 256 interrupt entry stubs, the common trap path in and out, and the kernel context switch. */
#include "os-1k/kernel.h"

/* One stub per vector. The CPU pushes an error code for some exceptions
 * (SDM Vol. 3A, 6.15); the stub pushes a zero for the others so that every
 * trapframe has the same layout, then the vector number. trap_vectors[n]
 * is the address of stub n; kernel.c puts them in the IDT. */
	.section .rodata
	.balign 4
	.globl trap_vectors
trap_vectors:

	.text
	.set vec, 0
	.rept 256
1:	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	push $0
	.endif
	push $vec
	jmp alltraps
	.pushsection .rodata
	.long 1b
	.popsection
	.set vec, vec + 1
	.endr

/* Save the rest of struct trapframe, switch to the kernel data segments,
 * call trap(tf). Interrupts stay off in the kernel: every gate is an
 * interrupt gate, so the kernel is never preempted. */
	.cfi_sections .debug_frame
alltraps:
	/* For gdb: a backtrace ends here (the interrupted code may run in
	 * another address space, or in user mode). */
	.cfi_startproc simple
	.cfi_def_cfa esp, 0
	.cfi_undefined eip
	pusha
	push %ds
	push %es
	push %fs
	push %gs
	mov $SEG_KDATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %fs
	mov %ax, %gs
	push %esp
	call trap
	add $4, %esp

/* Return to whatever the trapframe at %esp describes. A new process
 * starts here too: proc.c builds a trapframe and a swtch frame that
 * "returns" to trapret. */
	.globl trapret
trapret:
	pop %gs
	pop %fs
	pop %es
	pop %ds
	popa
	add $8, %esp                    /* the vector and the error code */
	iret
	.cfi_endproc

/* void swtch(uint32_t *save_ksp, uint32_t new_ksp)
 * Saves the callee-saved registers on this kernel stack, stores the stack
 * pointer in *save_ksp, and resumes the stack new_ksp, which was saved the
 * same way (or built by proc.c to look so). */
	.globl swtch
swtch:
	mov 4(%esp), %eax
	mov 8(%esp), %edx
	push %ebp
	push %ebx
	push %esi
	push %edi
	mov %esp, (%eax)
	mov %edx, %esp
	pop %edi
	pop %esi
	pop %ebx
	pop %ebp
	ret

	.section .note.GNU-stack, "", @progbits
