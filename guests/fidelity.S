/* guests/fidelity.S: sets every register gdb shows to known values in real mode, protected mode, 32-bit paging and long mode, and stops at a label in each (tests/gdb/fidelity.t).
 *
 * One source, one link, two files with the same bytes at the same
 * addresses (guests/guests.mk):
 *   guests/fidelity.elf    ELF32, Multiboot: gdbvmm and `qemu -kernel`
 *                          both enter _start32 in protected mode
 *   guests/fidelity64.elf  ELF64: gdbvmm enters _start in long mode
 *                          (QEMU cannot load an ELF64 with -kernel)
 * From _start32 the guest runs four phases; each sets the state it is
 * about to show, the x87/SSE state with one FXRSTOR from an image here,
 * then stops at a label a debugger breaks on:
 *   fid_pm_stop   32-bit protected mode, paging off
 *   fid_rm_stop   real mode, its code copied to RM_BASE (a linear
 *                 address below 1 MiB, computed here as an absolute
 *                 symbol: RM_BASE + the label's offset in the copy)
 *   fid_pg_stop   32-bit paging with 4 MiB pages (kvm-pvm cannot run
 *                 it: the guest ends there with status 125)
 *   fid_lm_stop   long mode, reached from the 32-bit phases or from
 *                 _start; lm_setup sets everything either way
 * and exits through the isa-debug-exit with FID_EXIT (status 67).
 *
 * The state differs from phase to phase (selectors, bases, limits, type
 * and DPL of segments, control registers, EFER, flags, every general
 * register, the x87 stack and its tags, MXCSR, XMM), so a value left
 * over from the previous stop shows. Right after its FXRSTOR each phase
 * stores the x87/SSE state as the CPU sees it with FXSAVE at fid_fx_*,
 * for the test to read: what a CPU keeps of FOP, FIP, FCS, FDP and FDS
 * differs between CPUs (Intel SDM Vol. 1, 10.5.1; AMD saves them only
 * while an exception is pending, so the images set one: FSW.ES).
 * Nothing here waits on the x87 (no FWAIT, no x87 arithmetic), so the
 * pending exception is never raised. Interrupts stay off throughout.
 *
 * Descriptors: Intel SDM Vol. 3A, 3.4.5 (segments), 7.2.2/7.2.3 (TSS),
 * 3.5.1 (LDT) and their 16-byte long-mode forms (8.2.3).
 */

#define RM_BASE      0x20000    /* the real-mode code runs here, CS = 0x2000 */
#define RM_SEG       (RM_BASE >> 4)
#define TSS32_BASE   0x21000    /* system tables: never used, only loaded */
#define LDT32_BASE   0x21100
#define TSS64_BASE   0x21200
#define LDT64_BASE   0x21300

#define SEL_CODE32   0x08
#define SEL_DATA     0x10       /* flat 4 GiB, base 0 */
#define SEL_ODD      0x18       /* data, base 0x123000, limit 0x4ffff */
#define SEL_DOWN     0x20       /* expand-down data, base 0x10000 */
#define SEL_USER     0x2b       /* read-only data, DPL 3 (RPL 3), AVL */
#define SEL_TSS32    0x30
#define SEL_LDT32    0x38
#define SEL_CODE16   0x40       /* base RM_BASE, for the way down to real mode */
#define SEL_DATA16   0x48
#define SEL_CODE64   0x50
#define SEL_TSS64    0x60
#define SEL_LDT64    0x70

#define CR0_RM       0x00050032 /* MP ET NE WP AM */
#define CR0_PM       0x00050033 /* + PE */
#define CR0_PG       0x80050033 /* + PG */
#define CR4_RM       0x0000060c /* TSD DE OSFXSR OSXMMEXCPT */
#define CR4_PM       0x0000061c /* + PSE */
#define CR4_PG       0x0000069c /* + PGE */
#define CR4_LM       0x000006bc /* + PAE */
#define EFER_RM      0x00000001 /* SCE */
#define EFER_PM      0x00000801 /* SCE NXE */
#define EFER_LM      0x00000d01 /* SCE LME NXE (LMA follows) */
#define MSR_EFER     0xc0000080
#define MSR_FS_BASE  0xc0000100
#define MSR_GS_BASE  0xc0000101
#define MSR_KGS_BASE 0xc0000102

#define FID_EXIT     0x21

/* fximage: a 512-byte FXSAVE area (Intel SDM Vol. 1, table 10-2; the
 * 64-bit form keeps FIP and FDP as 64-bit values where the 32-bit form
 * has FCS and FDS). TOP = 4; ST0 = 1.0 (valid), ST1 = +0 (zero),
 * ST2 = +inf (special), ST3 = pi scaled by `seed` (valid): abridged tag
 * 0xf0, full tag 0x24ff. ST4-ST7 are empty but hold a value each. */
.macro	fximage name, fcw, fsw, fop, fip, fcs, fdp, fds, mxcsr, seed
	.balign	16
\name:
	.word	\fcw, \fsw
	.byte	0xf0, 0
	.word	\fop
	.long	\fip, \fcs, \fdp, \fds
	.long	\mxcsr, 0
	.quad	0x8000000000000000, 0x3fff		/* ST0 1.0 */
	.quad	0, 0					/* ST1 +0 */
	.quad	0x8000000000000000, 0x7fff		/* ST2 +inf */
	.quad	0xc90fdaa22168c235, 0x4000 + \seed	/* ST3 pi * 2^seed */
	.quad	0x0123456789abcdef, 0x1234		/* ST4-ST7, empty */
	.quad	0x1111111111111111 * \seed, 0x2345
	.quad	0xfedcba9876543210, 0x3456
	.quad	0x0f0f0f0f0f0f0f0f, 0x4567 + \seed
	.irp	i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.quad	(\seed << 56) | (\i << 48) | 0x0000a5a5a5a5a5a5
	.quad	0xfedcba9876543210 ^ (\i << 8) ^ \seed
	.endr
	.skip	96
.endm

/* exit VALUE: the isa-debug-exit ends the machine with (VALUE << 1) | 1. */
.macro	exit value
	mov	$0xf4, %dx
	mov	$\value, %eax
	out	%eax, %dx
.endm

/* stop: two bytes a breakpoint can sit on (a 2-byte nop) */
.macro	stop
	.byte	0x66, 0x90
.endm

/* Multiboot v1 header (Multiboot 0.6.96, 3.1.1): flags 0, the ELF32 file
 * says where everything goes. */
	.section .multiboot, "a"
	.balign	4
	.long	0x1badb002, 0, -0x1badb002

	.text

/* ---- 32-bit protected mode: the Multiboot entry ------------------------- */

	.code32
	.globl	_start32
_start32:
	cli
	cld
	mov	$stack_top, %esp
	/* the real-mode phase runs below 1 MiB */
	mov	$rm_start, %esi
	mov	$RM_BASE, %edi
	mov	$(rm_end - rm_start), %ecx
	rep movsb

	lgdt	gdtr
	ljmp	$SEL_CODE32, $1f
1:	mov	$SEL_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss

	mov	$CR0_PM, %eax
	mov	%eax, %cr0
	mov	$0x0badc0de, %eax
	mov	%eax, %cr2
	mov	$0x0abcd000, %eax	/* paging off: only kept */
	mov	%eax, %cr3
	mov	$CR4_PM, %eax
	mov	%eax, %cr4
	mov	$MSR_EFER, %ecx
	mov	$EFER_PM, %eax
	xor	%edx, %edx
	wrmsr
	lidt	idtr_pm
	fxrstor	fx_pm
	fxsave	fid_fx_pm
	mov	$SEL_TSS32, %ax
	ltr	%ax
	mov	$SEL_LDT32, %ax
	lldt	%ax
	/* from here on no memory operand but the stack */
	mov	$SEL_ODD, %ax
	mov	%ax, %ds
	mov	$SEL_DOWN, %ax
	mov	%ax, %es
	mov	$SEL_USER, %ax
	mov	%ax, %fs
	xor	%eax, %eax
	mov	%ax, %gs		/* null: unusable */
	pushl	$0x00047883		/* CF SF OF IOPL=3 NT AC */
	popfl
	mov	$0xa0000000, %eax
	mov	$0xa1111111, %ecx
	mov	$0xa2222222, %edx
	mov	$0xa3333333, %ebx
	mov	$0xa5555555, %ebp
	mov	$0xa6666666, %esi
	mov	$0xa7777777, %edi
	mov	$0xa4444444, %esp
	.globl	fid_pm_stop
fid_pm_stop:
	stop

	/* down to real mode (SDM Vol. 3A, 9.9.2): 16-bit segments with
	 * real-mode limits and attributes, a 16-bit CS, then PE off */
	mov	$SEL_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %ss
	mov	$stack_top, %esp
	ljmp	$SEL_CODE16, $0

/* ---- real mode: copied to RM_BASE, offsets are IPs ---------------------- */

	.code16
	.balign	16
rm_start:
	mov	$SEL_DATA16, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss
	mov	$CR0_RM, %eax
	mov	%eax, %cr0
	ljmp	$RM_SEG, $(1f - rm_start)
1:	mov	$RM_SEG, %ax
	mov	%ax, %ds
	mov	%ax, %ss
	mov	$0xfff0, %sp
	mov	$CR4_RM, %eax
	mov	%eax, %cr4
	mov	$0x0000cafe, %eax
	mov	%eax, %cr2
	mov	$MSR_EFER, %ecx
	mov	$EFER_RM, %eax
	xor	%edx, %edx
	wrmsr
	lidtl	rm_idtr - rm_start
	fxrstor	rm_fx - rm_start
	fxsave	rm_fxout - rm_start
	mov	$0x3000, %ax
	mov	%ax, %es
	mov	$0x4000, %ax
	mov	%ax, %fs
	mov	$0x5000, %ax
	mov	%ax, %gs
	mov	$0x6000, %ax
	mov	%ax, %ds
	pushl	$0x00240cd7		/* CF PF AF ZF SF DF OF AC ID */
	popfl
	mov	$0x11110000, %eax
	mov	$0x22221111, %ecx
	mov	$0x33332222, %edx
	mov	$0x44443333, %ebx
	mov	$0x66665555, %ebp
	mov	$0x77776666, %esi
	mov	$0x88887777, %edi
	mov	$0x5555fff0, %esp
rm_stop:
	stop
	/* back to protected mode: the GDTR is still ours */
	mov	$CR0_PM, %eax
	mov	%eax, %cr0
	ljmpl	$SEL_CODE32, $pg_phase

	.balign	8
rm_idtr:
	.word	0x3ff			/* the real-mode IVT */
	.long	0
	fximage	rm_fx, 0x037e, 0xa081, 0x0105, 0x00000123, RM_SEG, 0x00000456, RM_SEG, 0x3fa0, 1
rm_fxout:
	.skip	512
rm_end:

	.globl	fid_rm_stop, fid_fx_rm
	.set	fid_rm_stop, RM_BASE + (rm_stop - rm_start)
	.set	fid_fx_rm, RM_BASE + (rm_fxout - rm_start)

/* ---- 32-bit paging --------------------------------------------------------- */

	.code32
pg_phase:
	mov	$SEL_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss
	mov	$stack_top, %esp
	mov	$CR4_PG, %eax
	mov	%eax, %cr4
	mov	$pgdir32, %eax
	mov	%eax, %cr3
	mov	$CR0_PG, %eax
	mov	%eax, %cr0		/* kvm-pvm stops here */
	jmp	1f			/* SDM Vol. 3A, 9.9.1: a jump after PG */
1:	mov	$0xfeedface, %eax
	mov	%eax, %cr2
	mov	$MSR_EFER, %ecx
	mov	$EFER_PM, %eax
	xor	%edx, %edx
	wrmsr
	lidt	idtr_pg
	fxrstor	fx_pg
	fxsave	fid_fx_pg
	mov	$SEL_DOWN, %ax
	mov	%ax, %ds
	xor	%eax, %eax
	mov	%ax, %es		/* null */
	mov	$SEL_ODD, %ax
	mov	%ax, %fs
	mov	$SEL_USER, %ax
	mov	%ax, %gs
	pushl	$0x00201446		/* PF ZF DF IOPL=1 ID */
	popfl
	mov	$0xc0000000, %eax
	mov	$0xc1111111, %ecx
	mov	$0xc2222222, %edx
	mov	$0xc3333333, %ebx
	mov	$0xc5555555, %ebp
	mov	$0xc6666666, %esi
	mov	$0xc7777777, %edi
	mov	$0xc4444444, %esp
	.globl	fid_pg_stop
fid_pg_stop:
	stop

	/* to long mode (SDM Vol. 3A, 9.8.5): paging off, PAE, CR3, LME,
	 * paging on, a 64-bit CS */
	cld
	mov	$SEL_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$stack_top, %esp
	mov	$CR0_PM, %eax
	mov	%eax, %cr0
	mov	$CR4_LM, %eax
	mov	%eax, %cr4
	mov	$pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	mov	$EFER_LM, %eax
	xor	%edx, %edx
	wrmsr
	mov	$CR0_PG, %eax
	mov	%eax, %cr0
	ljmp	$SEL_CODE64, $lm_setup

/* ---- long mode ------------------------------------------------------------- */

	.code64
	.globl	_start
_start:
	/* gdbvmm's ELF64 entry: long mode, its own GDT and page tables */
	cli
	cld
	mov	$stack_top, %rsp
	jmp	lm_setup

lm_setup:
	mov	$stack_top, %rsp
	lgdt	gdtr
	pushq	$SEL_CODE64
	lea	1f(%rip), %rax
	push	%rax
	lretq
1:	mov	$SEL_DATA, %eax
	mov	%eax, %ss
	mov	$CR0_PG, %eax
	mov	%rax, %cr0
	mov	$CR4_LM, %eax
	mov	%rax, %cr4
	mov	$pml4, %eax
	mov	%rax, %cr3
	movabs	$0xffff800012345678, %rax
	mov	%rax, %cr2
	mov	$MSR_EFER, %ecx
	mov	$EFER_LM, %eax
	xor	%edx, %edx
	wrmsr
	lidt	idtr_lm
	fxrstor64 fx_lm
	fxsave64 fid_fx_lm
	mov	$SEL_TSS64, %eax
	ltr	%ax
	mov	$SEL_LDT64, %eax
	lldt	%ax
	mov	$SEL_ODD, %eax
	mov	%eax, %ds
	mov	$SEL_DOWN, %eax
	mov	%eax, %es
	mov	$SEL_USER, %eax
	mov	%eax, %fs
	xor	%eax, %eax
	mov	%eax, %gs		/* null, allowed in 64-bit mode */
	/* the bases after the selectors: loading a selector sets them */
	mov	$MSR_FS_BASE, %ecx
	mov	$0x12345000, %eax
	mov	$0xffff8888, %edx
	wrmsr
	mov	$MSR_GS_BASE, %ecx
	mov	$0x67890000, %eax
	mov	$0x00007f00, %edx
	wrmsr
	mov	$MSR_KGS_BASE, %ecx
	mov	$0x81000000, %eax
	mov	$0xffffffff, %edx
	wrmsr
	pushq	$0x002428d7		/* CF PF AF ZF SF OF IOPL=2 AC ID */
	popfq
	movabs	$0x0123456789abcdef, %rax
	movabs	$0x1111111122222222, %rbx
	movabs	$0x3333333344444444, %rcx
	movabs	$0x5555555566666666, %rdx
	movabs	$0x7777777788888888, %rsi
	movabs	$0x99999999aaaaaaaa, %rdi
	movabs	$0xbbbbbbbbcccccccc, %rbp
	movabs	$0xddddddddeeeeeeee, %rsp
	movabs	$0x8000000000000008, %r8
	movabs	$0x9000000000000009, %r9
	movabs	$0xa00000000000000a, %r10
	movabs	$0xb00000000000000b, %r11
	movabs	$0xc00000000000000c, %r12
	movabs	$0xd00000000000000d, %r13
	movabs	$0xe00000000000000e, %r14
	movabs	$0xf00000000000000f, %r15
	.globl	fid_lm_stop
fid_lm_stop:
	stop
	exit	FID_EXIT
1:	jmp	1b

/* ---- tables and images ------------------------------------------------------ */

	.data
	.balign	16
gdt:
	.quad	0
	.quad	0x00cf9b000000ffff	/* SEL_CODE32: 4 GiB, D, accessed */
	.quad	0x00cf93000000ffff	/* SEL_DATA */
	.quad	0x004493123000ffff	/* SEL_ODD: base 0x123000, limit 0x4ffff, B */
	.quad	0x0040970100000fff	/* SEL_DOWN: base 0x10000, limit 0xfff, expand-down */
	.quad	0xfe50f1ed0000ffff	/* SEL_USER: base 0xfeed0000, DPL 3, read-only, AVL */
	.quad	0x0000890210000067	/* SEL_TSS32: base TSS32_BASE, available */
	.quad	0x0000820211000017	/* SEL_LDT32: base LDT32_BASE */
	.quad	0x00009b020000ffff	/* SEL_CODE16: base RM_BASE, 64 KiB */
	.quad	0x000093020000ffff	/* SEL_DATA16 */
	.quad	0x00af9b000000ffff	/* SEL_CODE64: L */
	.quad	0
	.quad	0x0000890212000067, 0	/* SEL_TSS64: base TSS64_BASE */
	.quad	0x0000820213000017, 0	/* SEL_LDT64: base LDT64_BASE */
gdt_end:

/* lgdt/lidt read 6 bytes outside long mode, 10 in it */
	.balign	8
	.word	0, 0, 0
gdtr:	.word	gdt_end - gdt - 1
	.quad	gdt
	.word	0, 0, 0
idtr_pm: .word	0x07ff
	.quad	0x00022000
	.word	0, 0, 0
idtr_pg: .word	0x00ff
	.quad	0x00023000
	.word	0, 0, 0
idtr_lm: .word	0x0fff
	.quad	0xffff800000024000

	fximage	fx_pm, 0x077e, 0xa081, 0x01d9, 0x00102030, SEL_CODE32, 0x00405060, SEL_DATA, 0x9fc0, 2
	fximage	fx_pg, 0x0b7e, 0xa081, 0x0355, 0x00203040, SEL_CODE32, 0x00506070, SEL_DATA, 0x7f81, 3
	/* long mode: FIP and FDP are 64-bit, their upper halves where the
	 * 32-bit form has FCS and FDS */
	fximage	fx_lm, 0x0f7e, 0xa081, 0x07ff, 0x80304050, 0xffffffff, 0x90607080, 0x00007fff, 0xbfe0, 4

/* identity maps: 32-bit paging with 4 MiB pages over 4 GiB; long mode
 * with 2 MiB pages over the first 1 GiB */
	.balign	4096
pgdir32:
	.set	i, 0
	.rept	1024
	.long	(i << 22) | 0x83
	.set	i, i + 1
	.endr
pml4:
	.quad	pdpt + 3
	.fill	511, 8, 0
pdpt:
	.quad	pd + 3
	.fill	511, 8, 0
pd:
	.set	i, 0
	.rept	512
	.quad	(i << 21) | 0x83
	.set	i, i + 1
	.endr

	.bss
	.balign	16
	.globl	fid_fx_pm, fid_fx_pg, fid_fx_lm
fid_fx_pm:
	.skip	512
fid_fx_pg:
	.skip	512
fid_fx_lm:
	.skip	512
	.balign	16
	.skip	16384
stack_top:
