/* guests/uart.S: drives the 16550 UART at COM1 by polling, checks its registers, echoes input lines until "quit".
 *
 * All output goes through the UART, so it cannot interleave with the
 * hypercall console. Register layout and bits: the National
 * Semiconductor PC16550D data sheet, section 8 (registers).
 *
 * Input: each line read is echoed back as "echo: LINE". A line "quit" or
 * a byte 0x04 (Ctrl-D) ends the input: a UART has no end-of-file, so the
 * test input must end with one of them (tests/guests/uart.in does).
 * The exit status is the number of failed checks.
 */
#include "hc.inc"

#define COM1    0x3f8
#define THR     0       /* transmit holding (write), DLAB = 0 */
#define RBR     0       /* receive buffer (read), DLAB = 0 */
#define DLL     0       /* divisor latch low, DLAB = 1 */
#define IER     1       /* interrupt enable, DLAB = 0 */
#define DLM     1       /* divisor latch high, DLAB = 1 */
#define IIR     2       /* interrupt identification (read) */
#define FCR     2       /* FIFO control (write) */
#define LCR     3
#define MCR     4
#define LSR     5
#define SCR     7

#define LCR_8N1     0x03    /* 8 data bits, no parity, 1 stop bit */
#define LCR_DLAB    0x80
#define FCR_ENABLE  0x07    /* enable FIFOs, clear RX and TX FIFO */
#define MCR_DTR_RTS 0x03
#define LSR_DR      0x01
#define LSR_ERRORS  0x1e    /* overrun, parity, framing, break */
#define LSR_THRE    0x20
#define LSR_TEMT    0x40
#define DIVISOR     1       /* 115200 baud from the 1.8432 MHz clock */

#define LINE_MAX    120

/* outp REG, VALUE / inp REG: a byte to / from a UART register. */
.macro outp reg, value
	mov	$(COM1 + \reg), %dx
	mov	$(\value), %al
	out	%al, %dx
.endm
.macro inp reg
	mov	$(COM1 + \reg), %dx
	in	%dx, %al
.endm

/* uprint "TEXT": send a literal through the UART. Keeps every register. */
.macro uprint text
	.pushsection .rodata.str, "a"
.Luprint_s\@:
	.ascii	"\text"
.Luprint_e\@:
	.popsection
	pushal
	mov	$.Luprint_s\@, %si
	mov	$(.Luprint_e\@ - .Luprint_s\@), %cx
	call	uart_write
	popal
.endm

/* expect VALUE, "NAME": compare AL with VALUE, print ok or FAIL NAME. */
.macro expect value, name
	.pushsection .rodata.str, "a"
.Lexpect_s\@:
	.ascii	"\name"
.Lexpect_e\@:
	.popsection
	mov	$(\value), %ah
	mov	$.Lexpect_s\@, %si
	mov	$(.Lexpect_e\@ - .Lexpect_s\@), %cx
	call	check
.endm

	.code16
	.text
	.globl	_start
_start:
	/* Initialise as a driver does: interrupts off, divisor through the
	 * DLAB, then 8N1, FIFOs on and cleared, DTR and RTS up. */
	outp	IER, 0
	outp	LCR, LCR_DLAB
	outp	DLL, DIVISOR
	outp	DLM, 0
	inp	DLL
	mov	%al, dll_read
	inp	DLM
	mov	%al, dlm_read
	outp	LCR, LCR_8N1
	outp	FCR, FCR_ENABLE
	outp	MCR, MCR_DTR_RTS
	/* Nothing sent yet: the transmitter must be empty now. */
	inp	LSR
	mov	%al, lsr_read

	uprint	"Hello from the 16550 UART!\n"

	mov	dll_read, %al
	expect	DIVISOR, "divisor latch low reads back"
	mov	dlm_read, %al
	expect	0, "divisor latch high reads back"
	inp	LCR
	expect	LCR_8N1, "LCR reads back 8N1 without DLAB"
	inp	IER
	expect	0, "IER reads back 0"
	inp	MCR
	expect	MCR_DTR_RTS, "MCR reads back DTR and RTS"
	outp	SCR, 0x5a
	inp	SCR
	expect	0x5a, "scratch register keeps 0x5a"
	outp	SCR, 0xa5
	inp	SCR
	expect	0xa5, "scratch register keeps 0xa5"
	/* IIR: bit 0 set = no interrupt pending (all are disabled), bits 7:6
	 * = 11 once the FIFOs are on. Bits 5:4 are not the 16550's. */
	inp	IIR
	and	$0xcf, %al
	expect	0xc1, "IIR: FIFOs enabled and no interrupt pending"
	mov	lsr_read, %al
	and	$(LSR_THRE | LSR_TEMT), %al
	expect	(LSR_THRE | LSR_TEMT), "LSR: transmitter empty before the first byte"
	mov	lsr_read, %al
	and	$LSR_ERRORS, %al
	expect	0, "LSR: no line errors"

	/* Echo lines until "quit" or Ctrl-D. */
1:	call	read_line
	jc	2f			/* Ctrl-D */
	cmp	$4, %cx
	jne	3f
	cmpl	$0x74697571, line	/* "quit", little-endian */
	je	2f
3:	uprint	"echo: "
	mov	$line, %si
	call	uart_write
	uprint	"\n"
	jmp	1b

2:	uprint	"uart: "
	mov	fails, %al
	aam				/* AH = tens, AL = units (fails < 100) */
	add	$0x3030, %ax		/* both to ASCII digits */
	cmp	$'0', %ah
	je	6f
	xchg	%al, %ah
	call	uart_putc
	xchg	%al, %ah
6:	call	uart_putc
	uprint	" failures\n"

	/* Let the last byte leave before stopping, as a driver would. */
	mov	$0xffff, %cx
4:	inp	LSR
	test	$LSR_TEMT, %al
	jnz	5f
	loop	4b
5:	movzbl	fails, %ebx
	hc	HC_EXIT
	cli
	hlt

/* read_line: read bytes into `line` up to a newline (not stored), at most
 * LINE_MAX bytes; CX = length. CF set if a Ctrl-D ended the input. */
read_line:
	mov	$line, %di
	xor	%cx, %cx
1:	call	uart_getc
	cmp	$0x04, %al
	je	3f
	cmp	$'\n', %al
	je	2f
	mov	%al, (%di)
	inc	%di
	inc	%cx
	cmp	$LINE_MAX, %cx
	jb	1b
2:	clc
	ret
3:	stc
	ret

/* uart_getc: wait for a received byte (LSR.DR), return it in AL. */
uart_getc:
	push	%dx
	mov	$(COM1 + LSR), %dx
1:	in	%dx, %al
	test	$LSR_DR, %al
	jz	1b
	mov	$(COM1 + RBR), %dx
	in	%dx, %al
	pop	%dx
	ret

/* uart_putc: send AL once the holding register is free (LSR.THRE). The
 * wait is bounded, as a driver's is: a stuck UART loses bytes, not the
 * guest. Keeps every register. */
uart_putc:
	pushal
	mov	%al, %bl
	mov	$0xffff, %cx
	mov	$(COM1 + LSR), %dx
1:	in	%dx, %al
	test	$LSR_THRE, %al
	jnz	2f
	loop	1b
2:	mov	$(COM1 + THR), %dx
	mov	%bl, %al
	out	%al, %dx
	popal
	ret

/* uart_write: send CX bytes at DS:SI. Keeps every register. */
uart_write:
	pushal
	jcxz	2f
1:	lodsb
	call	uart_putc
	loop	1b
2:	popal
	ret

/* check: AL = got, AH = wanted, CX bytes at SI = name. */
check:
	pushal
	cmp	%ah, %al
	jne	1f
	uprint	"ok   "
	call	uart_write
	uprint	"\n"
	popal
	ret
1:	incb	fails
	uprint	"FAIL "
	call	uart_write
	uprint	"\n"
	popal
	ret

	.data
fails:		.byte	0
dll_read:	.byte	0
dlm_read:	.byte	0
lsr_read:	.byte	0
	.bss
line:		.skip	LINE_MAX
