/* tests/hostile/guests/devstorm.S: garbage to every emulated device in real mode: random outs and ins of every width at every port of each device, random rep outs/ins, then one clean ending.
 *
 * For each device of vmm/devices.c in turn: N single accesses (in or
 * out, byte, word or dword, at a random port of the device, a random
 * value, random EBX and ECX), then ROUNDS of a `rep outs` and a `rep ins`
 * of a random width, count (0..4095) and direction at a random port of
 * it. Then the device must still answer as it is designed to, and the
 * guest prints "ok NAME" (NAME as in the device table), else "FAIL NAME".
 * Every line the guest prints starts with a newline: the storm prints
 * random bytes through the debug console, the UART and putchar.
 *
 * The values are random except for what would end the machine, so that
 * every device gets its whole storm: no write to isa-debug-exit at all
 * (any write ends), never 0xfe to the reset port, never bit 0 to pvpanic,
 * never SLP_EN in the high byte of PM1a_CNT, never hypercall 0 (exit) nor
 * 2 (getchar: it waits for stdin); the other services, known or not, get
 * random EBX and ECX, as in hcbad.S. The random numbers are xorshift32
 * (Marsaglia, "Xorshift RNGs", 2003) from a fixed seed, so every run does
 * the same accesses (-DSEED=... assembles another storm).
 *
 * Then the ending DEVSTORM_END (tests/hostile/hostile.mk builds one
 * image per ending), each after the storm, each the way a kernel does it:
 *   debugexit  outl 0xdead002a to port 0xf5: status (0x2a << 1) | 1 = 85
 *              (the whole storm; the default)
 *   panic      outb 1 to pvpanic:         status 120 and one line on stderr
 *   reset      outb 0xfe to port 0x64:    status 0
 *   s5         outw SLP_EN | S5 to PM1a_CNT: status 0
 * The three others run a short storm. A guest still running after its
 * ending prints "FAIL still running" and exits with status 99; any FAIL
 * before ends it with the number of failures instead.
 */
#include "hc.inc"

#ifndef DEVSTORM_END
#define DEVSTORM_END debugexit
#endif

#ifndef SEED
#define SEED	0x2545f491	/* any nonzero 32-bit number */
#endif
#define MAXREP	4096		/* rep counts are 0..MAXREP-1 elements */
#define BUF	0x8000		/* rep scratch: MAXREP dwords, below the stack */
#define GUARD	32		/* harmless bytes either side of it (see fill) */

/* About 58,000 exits for the whole storm: a few seconds on kvm-pvm, where
 * an exit is slow (~35 us, pmstorm.S) and a rep may take one an element */
.ifc DEVSTORM_END,debugexit
	.set	N, 3000
	.set	ROUNDS, 4
.else
	.set	N, 300
	.set	ROUNDS, 1
.endif

/* The ports (vmm/dev_*.c) */
#define UART	0x3f8		/* 16550: RBR/THR, IER, IIR/FCR, LCR, MCR, LSR, MSR, SCR */
#define DEBUGCON 0xe9
#define DEBUGEXIT 0xf4		/* 4 ports */
#define PM1_EVT	0x600		/* status (write 1 to clear), enable */
#define PM1_CNT	0x604
#define SCI_EN	0x0001
#define SLP_EN	0x2000		/* ACPI 6.4, 4.8.3.2.1 */
#define SLP_S5	(5 << 10)	/* SLP_TYP as the DSDT's \_S5 says */
#define RESET	0x64
#define PVPANIC	0x505

/* device NAME, BASE, LEN, FIX, CHECK: the storm on [BASE, BASE + LEN),
 * FIX making each value written harmless (0: no writes), then CHECK
 * (adds its failures to BP) and the device's line */
.macro device name, base, len, fix, check
	movw	$\base, dev_base
	movw	$\len, dev_len
	movw	$\fix, dev_fix
	call	storm
	xor	%bp, %bp
	call	\check
	test	%bp, %bp
	jnz	1f
	print	"\nok \name\n"
	jmp	2f
1:	print	"\nFAIL \name\n"
	add	%bp, failures
2:
.endm

/* expect PORT, REG, WANT: read PORT into REG (%al, %ax, %eax), count a
 * failure unless it is WANT */
.macro expect port, reg, want
	mov	$\port, %dx
	in	%dx, \reg
	cmp	$\want, \reg
	je	1f
	inc	%bp
1:
.endm

/* put PORT, REG, VALUE: write VALUE from REG (%al, %ax, %eax) to PORT */
.macro put port, reg, value
	mov	$\port, %dx
	mov	$\value, \reg
	out	\reg, %dx
.endm

	.code16
	.text
	.globl	_start
_start:
	cli
	cld
	device	hypercall, HC_PORT, 1, fix_hypercall, check_hypercall
	device	uart-com1, UART, 8, fix_none, check_uart
	device	debugcon, DEBUGCON, 1, fix_none, check_debugcon
	device	isa-debug-exit, DEBUGEXIT, 4, 0, check_debugexit
	device	acpi-pm1, PM1_EVT, 6, fix_acpi_pm, check_acpi_pm
	device	reset-8042, RESET, 1, fix_reset, check_reset
	device	pvpanic, PVPANIC, 1, fix_pvpanic, check_pvpanic

	cmpw	$0, failures
	je	1f
	movzwl	failures, %ebx
	hc	HC_EXIT
1:
.ifc DEVSTORM_END,debugexit
	print	"\nending with outl 0xdead002a to port 0xf5 (isa-debug-exit)\n"
	put	DEBUGEXIT + 1, %eax, 0xdead002a
.endif
.ifc DEVSTORM_END,panic
	print	"\nending with outb 1 to port 0x505 (pvpanic)\n"
	put	PVPANIC, %al, 1
.endif
.ifc DEVSTORM_END,reset
	print	"\nending with outb 0xfe to port 0x64 (reset)\n"
	put	RESET, %al, 0xfe
.endif
.ifc DEVSTORM_END,s5
	print	"\nending with outw SLP_EN|S5 to PM1a_CNT (poweroff)\n"
	put	PM1_CNT, %ax, SLP_EN | SLP_S5 | SCI_EN
.endif
	print	"\nFAIL still running after the ending\n"
	hc_exit	99

/* ---- the storm --------------------------------------------------------- */

/* The width of the access being made, as a shift (0 byte, 1 word, 2
 * dword), is in memory: EBX and ECX carry random hypercall arguments. */

/* storm: N single accesses, then ROUNDS rep pairs, on the device in
 * dev_base, dev_len, dev_fix. Keeps no register but SP and the segments. */
storm:
	movw	$N, left
1:	call	pick
	call	rand
	test	$1, %al
	jz	2f
	call	in_one			/* the value read is anything */
	jmp	3f
2:	cmpw	$0, dev_fix
	je	3f
	call	rand
	call	*dev_fix
	pushal
	push	%eax
	call	rand			/* random arguments for a hypercall */
	mov	%eax, %ebx
	call	rand
	mov	%eax, %ecx
	pop	%eax
	call	out_one			/* a hypercall may change EAX, EBX, ECX */
	popal
3:	decw	left
	jnz	1b

	movw	$ROUNDS, left
4:	cmpw	$0, dev_fix
	je	5f
	call	pick
	call	fill
	call	rep_out
5:	call	pick
	call	rep_in
	decw	left
	jnz	4b
	ret

/* pick: DX = a random port of the device, width = a random width. Keeps
 * the rest. */
pick:
	push	%eax
	push	%ecx
	movzwl	dev_len, %ecx
	call	rand_below
	add	dev_base, %ax
	mov	%ax, %dx
	mov	$3, %ecx
	call	rand_below
	mov	%al, width
	pop	%ecx
	pop	%eax
	ret

/* in_one / out_one: one access of the width at port DX with EAX */
in_one:
	cmpb	$1, width
	jb	1f
	je	2f
	in	%dx, %eax
	ret
1:	in	%dx, %al
	ret
2:	in	%dx, %ax
	ret

out_one:
	cmpb	$1, width
	jb	1f
	je	2f
	out	%eax, %dx
	ret
1:	out	%al, %dx
	ret
2:	out	%ax, %dx
	ret

/* fill: a random count (0..MAXREP-1) for rep_out, and random elements of
 * the width at BUF, each made harmless for port DX by dev_fix.
 *
 * Not only the count elements: the info hypercall sets ECX, which in a
 * rep outs is what is left of the count, to the number of vCPUs; so the
 * rep may go on past its last element, forwards or backwards, by up to
 * one element a vCPU. So GUARD bytes either side of the elements (8
 * dwords: 8 vCPUs at most) are random and harmless too. */
fill:
	pushal
	mov	$MAXREP, %ecx
	call	rand_below
	mov	%ax, count
	mov	width, %cl
	shl	%cl, %ax
	add	$(BUF + GUARD), %ax
	mov	%ax, %bx		/* BX = the end of the guard after them */
	mov	$(BUF - GUARD), %di
1:	call	rand
	stosl
	cmp	%bx, %di
	jb	1b
	mov	$1, %bp
	shl	%cl, %bp		/* BP = the element's size */
	mov	$(BUF - GUARD), %si
2:	call	load
	call	*dev_fix
	call	store
	add	%bp, %si
	cmp	%bx, %si
	jb	2b
	popal
	ret

/* load / store: EAX <-> the element of the width at SI (load zero-extends) */
load:
	cmpb	$1, width
	jb	1f
	je	2f
	mov	(%si), %eax
	ret
1:	movzbl	(%si), %eax
	ret
2:	movzwl	(%si), %eax
	ret

store:
	cmpb	$1, width
	jb	1f
	je	2f
	mov	%eax, (%si)
	ret
1:	mov	%al, (%si)
	ret
2:	mov	%ax, (%si)
	ret

/* rep_out: rep outs of the count elements at BUF to port DX, forwards or
 * (half the time) backwards from the last one, with a random EBX for a
 * hypercall (ECX is the count) */
rep_out:
	pushal
	call	direction		/* DI = the first element to go */
	mov	%di, %si
	call	rand
	mov	%eax, %ebx
	movzwl	count, %ecx
	cmpb	$1, width
	jb	1f
	je	2f
	rep outsl
	jmp	3f
1:	rep outsb
	jmp	3f
2:	rep outsw
3:	cld
	popal
	ret

/* rep_in: rep ins of a random count (0..MAXREP-1) from port DX into BUF,
 * forwards or backwards */
rep_in:
	pushal
	mov	$MAXREP, %ecx
	call	rand_below
	mov	%ax, count
	call	direction		/* DI = the first element to fill */
	movzwl	count, %ecx
	cmpb	$1, width
	jb	1f
	je	2f
	rep insl
	jmp	3f
1:	rep insb
	jmp	3f
2:	rep insw
3:	cld
	popal
	ret

/* direction: half the time std and DI = the last of count elements at
 * BUF, else cld and DI = BUF. Clobbers EAX, ECX. */
direction:
	mov	$BUF, %di
	call	rand
	test	$1, %al
	jz	1f
	mov	count, %ax
	dec	%ax			/* count 0: nothing moves, DI is never used */
	mov	width, %cl
	shl	%cl, %ax
	add	%ax, %di
	std
	ret
1:	cld
	ret

/* rand: EAX = the next xorshift32 number (shifts 13, 17, 5). Keeps the rest. */
rand:
	push	%edx
	mov	seed, %eax
	mov	%eax, %edx
	shl	$13, %edx
	xor	%edx, %eax
	mov	%eax, %edx
	shr	$17, %edx
	xor	%edx, %eax
	mov	%eax, %edx
	shl	$5, %edx
	xor	%edx, %eax
	mov	%eax, seed
	pop	%edx
	ret

/* rand_below: EAX = a random number below ECX (nonzero). Keeps the rest. */
rand_below:
	push	%edx
	call	rand
	xor	%edx, %edx
	div	%ecx
	mov	%edx, %eax
	pop	%edx
	ret

/* ---- making a value harmless: DX port, EAX value; keep the rest ---------- */

fix_none:
	ret

/* the service number is the value at the width written: half the time a
 * small one (a real service or a near miss), never exit nor getchar */
fix_hypercall:
	push	%eax
	call	rand
	test	$1, %al
	pop	%eax
	jz	1f
	and	$7, %eax
1:	cmpb	$1, width
	ja	3f
	je	2f
	movzbl	%al, %eax
	jmp	3f
2:	movzwl	%ax, %eax
3:	cmp	$HC_EXIT, %eax
	je	4f
	cmp	$HC_GETCHAR, %eax
	jne	5f
4:	xor	$8, %eax		/* 8 or 10: no such service */
5:	ret

/* byte k = 0x605 - port of the value lands on PM1a_CNT's high byte, where
 * SLP_EN is bit 5; a bit of EAX past the width written is never written */
fix_acpi_pm:
	push	%ecx
	mov	$(PM1_CNT + 1), %cx
	sub	%dx, %cx
	cmp	$3, %cx
	ja	1f
	shl	$3, %cx
	add	$5, %cx
	movzwl	%cx, %ecx
	btr	%ecx, %eax
1:	pop	%ecx
	ret

/* the reset port looks at the low byte whatever the width */
fix_reset:
	cmp	$0xfe, %al
	jne	1f
	inc	%al
1:	ret

fix_pvpanic:
	and	$~1, %al
	ret

/* ---- after the storm: the device answers as designed; BP += failures ---- */

check_hypercall:
	hc	HC_INFO
	cmp	$1, %eax		/* ABI version 1, this vCPU's index < their number */
	jne	1f
	cmp	%ecx, %ebx
	jb	2f
1:	inc	%bp
2:	ret

/* the storm may have left DLAB, loopback, any IER: set 8N1, no loopback,
 * no interrupts, then the scratch register and LSR behave */
check_uart:
	put	UART + 3, %al, 0x03
	put	UART + 4, %al, 0
	put	UART + 1, %al, 0
	put	UART + 2, %al, 0x07	/* FIFOs on and cleared */
	put	UART + 7, %al, 0xa5
	expect	UART + 7, %al, 0xa5
	expect	UART + 3, %al, 0x03
	mov	$UART + 5, %dx
	in	%dx, %al
	and	$0x60, %al		/* THR empty, transmitter empty */
	cmp	$0x60, %al
	je	1f
	inc	%bp
1:	ret

check_debugcon:
	expect	DEBUGCON, %al, 0xe9
	ret

check_debugexit:
	expect	DEBUGEXIT, %al, 0xff
	expect	DEBUGEXIT + 3, %eax, 0xffffffff
	ret

/* S5 without SLP_EN, and SLP_EN with S3, keep the machine running;
 * SLP_EN reads as 0; status bits clear when written with 1 */
check_acpi_pm:
	put	PM1_CNT, %ax, SLP_S5 | SCI_EN
	expect	PM1_CNT, %ax, SLP_S5 | SCI_EN
	put	PM1_CNT, %ax, SLP_EN | (3 << 10) | SCI_EN
	expect	PM1_CNT, %ax, (3 << 10) | SCI_EN
	put	PM1_CNT, %ax, SCI_EN
	put	PM1_EVT, %ax, 0xffff
	expect	PM1_EVT, %ax, 0
	put	PM1_EVT + 2, %ax, 0x0121
	expect	PM1_EVT + 2, %ax, 0x0121
	ret

/* any other 8042 command is ignored; the status reads 0 */
check_reset:
	put	RESET, %al, 0xfd
	expect	RESET, %al, 0
	ret

/* "crash kernel loaded" alone does not end the machine */
check_pvpanic:
	put	PVPANIC, %al, 2
	expect	PVPANIC, %al, 3
	ret

	.balign	4
seed:		.long	SEED
dev_base:	.word	0
dev_len:	.word	0
dev_fix:	.word	0
left:		.word	0
count:		.word	0
width:		.byte	0
failures:	.word	0
