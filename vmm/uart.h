/* vmm/uart.h: the 16550 UART register model, with its console and interrupt line as callbacks. */
#ifndef VMM_UART_H
#define VMM_UART_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* Register offsets from the base port (PC16550D datasheet, table 2). */
enum uart_reg {
	UART_RBR_THR = 0, /* DLL when LCR.DLAB */
	UART_IER = 1,     /* DLM when LCR.DLAB */
	UART_IIR_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_MSR = 6,
	UART_SCR = 7,
};

#define UART_LSR_DR   0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_IER_RDI  0x01
#define UART_IER_THRI 0x02
#define UART_IIR_NONE 0x01
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI  0x04
#define UART_IIR_FIFO 0xc0
#define UART_LCR_DLAB 0x80
#define UART_MCR_LOOP 0x10

/* Where bytes go and come from: the console, or a test's fakes. */
struct uart_backend {
	void *opaque;
	void (*tx)(void *opaque, int cpu, uint8_t ch);
	int (*rx)(void *opaque, int cpu); /* byte, or negative when none */
	bool (*rx_ready)(void *opaque);
	void (*irq)(void *opaque, int level);
};

struct uart {
	pthread_mutex_t lock;
	struct uart_backend be;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thri_pending;  /* THR-empty interrupt waiting for an IIR read */
	uint8_t loop[16];   /* loopback-mode receive FIFO */
	unsigned loop_n;
	int irq_level;
};

void uart_init(struct uart *u, const struct uart_backend *be);
void uart_fini(struct uart *u);
uint8_t uart_read(struct uart *u, int cpu, unsigned reg);
void uart_write(struct uart *u, int cpu, unsigned reg, uint8_t val);
/* The backend got input: re-evaluate the interrupt line. */
void uart_input_ready(struct uart *u);

#endif
