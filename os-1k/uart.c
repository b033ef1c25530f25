/* os-1k/uart.c: the console on the 16550 UART at COM1: polled output, interrupt-driven input, line editing. */
#include "os-1k/kernel.h"

/* 16550 registers (offsets from the base port; DLAB is LCR bit 7). */
#define COM1      0x3f8
#define UART_RBR  0    /* receive buffer (read) */
#define UART_THR  0    /* transmit holding (write) */
#define UART_DLL  0    /* divisor low byte (DLAB = 1) */
#define UART_IER  1    /* interrupt enable */
#define UART_DLM  1    /* divisor high byte (DLAB = 1) */
#define UART_IIR  2    /* interrupt identification (read) */
#define UART_FCR  2    /* FIFO control (write) */
#define UART_LCR  3    /* line control */
#define UART_MCR  4    /* modem control */
#define UART_LSR  5    /* line status */

#define LSR_DR    0x01 /* a received byte is waiting */
#define LSR_THRE  0x20 /* the transmitter can take a byte */
#define IER_RDA   0x01 /* interrupt when a received byte is waiting */

void uart_putc(char c)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THRE))
		;
	outb(COM1 + UART_THR, (uint8_t)c);
}

static void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

/* Received bytes, from the interrupt handler to uart_readline. The
 * indices run freely; head - tail is the number of bytes held. */
#define RX_SIZE 1024
static char rx_ring[RX_SIZE];
static uint32_t rx_head, rx_tail;
static int rx_paused;          /* the ring was full: RX interrupt turned off */

/* Ctrl-C: POSIX's INTR character (XBD 11.1.9 "Special Characters"),
 * simplified. Like a terminal with ISIG set, it is acted on when it
 * arrives, not when a program reads, so that it reaches a program that
 * never reads; and, as without NOFLSH, input not yet read is discarded.
 * Instead of sending SIGINT it ends the foreground programs outright
 * (proc_interrupt). With none running, the shell is at its prompt: a
 * CTRL_C left in the ring tells uart_readline to drop the line. */
static void rx_interrupt(void)
{
	uart_puts("^C\n");
	rx_tail = rx_head;
	if (proc_interrupt() == 0)
		rx_ring[rx_head++ % RX_SIZE] = CTRL_C;
}

/* Moves every byte the UART holds into the ring; when the ring is full,
 * stops taking them and leaves the rest in the UART, which holds them
 * (and tells the sender to wait) until uart_readline makes room. */
static void rx_drain(void)
{
	int got = 0;

	while (inb(COM1 + UART_LSR) & LSR_DR) {
		char c;

		if (rx_head - rx_tail == RX_SIZE) {
			rx_paused = 1;
			outb(COM1 + UART_IER, 0);
			break;
		}
		c = (char)inb(COM1 + UART_RBR);
		if (c == CTRL_C)
			rx_interrupt();
		else
			rx_ring[rx_head++ % RX_SIZE] = c;
		got = 1;
	}
	if (got)
		proc_wakeup(rx_ring);
}

void uart_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x80);  /* DLAB: the next two bytes set the divisor */
	outb(COM1 + UART_DLL, 1);     /* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, 0x03);  /* 8 data bits, no parity, 1 stop bit */
	/* FIFOs off (16450 mode): changing FCR bit 0 empties the receive
	 * FIFO (PC16550D datasheet, FCR), which would lose scripted input
	 * that is already waiting. Without the FIFO the sender (QEMU, gdbvmm)
	 * holds every further byte until we have read RBR, so nothing is lost. */
	outb(COM1 + UART_FCR, 0x00);
	outb(COM1 + UART_MCR, 0x0b);  /* DTR, RTS, and OUT2, which gates the IRQ line on a PC */
	outb(COM1 + UART_IER, IER_RDA);
	/* Bytes already waiting raised no edge the PIC could see: take them now. */
	rx_drain();
}

/* IRQ 4. Reading IIR acknowledges; draining LSR_DR lowers the line, so
 * the next byte gives the edge-triggered 8259 a new edge. */
void uart_intr(void)
{
	(void)inb(COM1 + UART_IIR);
	rx_drain();
}

/* The next received byte; blocks the calling process until there is one. */
static char rx_get(void)
{
	char c;

	while (rx_head == rx_tail)
		proc_block(rx_ring);
	c = rx_ring[rx_tail++ % RX_SIZE];
	if (rx_paused) {
		rx_paused = 0;
		outb(COM1 + UART_IER, IER_RDA);
		rx_drain();
	}
	return c;
}

/* Reads one line into buf (at most size - 1 characters, then '\n') and
 * returns its length. Echo happens here, when a program reads, not when
 * a byte arrives: so typed-ahead or scripted input appears in the output
 * exactly where the program consumed it. Enter is '\r', '\n' or "\r\n";
 * backspace (BS or DEL) erases a character on the screen with "\b \b".
 * Ctrl-C (rx_interrupt, which echoed "^C") drops the line typed so far:
 * the reader gets an empty line, and the shell shows a fresh prompt.
 * Other control characters are ignored. */
int uart_readline(char *buf, int size)
{
	static int after_cr;           /* swallow the '\n' of a "\r\n" */
	int n = 0;

	for (;;) {
		char c = rx_get();

		if (c == '\n' && after_cr) {
			after_cr = 0;
			continue;
		}
		after_cr = c == '\r';
		if (c == CTRL_C) {
			buf[0] = '\n';
			return 1;
		}
		if (c == '\r' || c == '\n') {
			uart_putc('\n');
			buf[n++] = '\n';
			return n;
		}
		if (c == '\b' || c == 0x7f) {
			if (n > 0) {
				n--;
				uart_puts("\b \b");
			}
		} else if (c >= ' ' && c <= '~' && n < size - 1) {
			buf[n++] = c;
			uart_putc(c);
		}
	}
}
