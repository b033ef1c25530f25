/* tests/unit/test_uart.c: the 16550 register model as a driver sees it (PC16550D datasheet). */
#include <errno.h>

#include "tests/unit/tap.h"
#include "vmm/uart.h"
#include "vmm/vm.h"

/* dev_uart.c's glue raises IRQ 4 through the machine; the model under
 * test reports its line through the backend below instead, so the
 * machine itself (vm.o and the vCPU core) is not linked in. */
int vm_irq_line(struct vm *vm, unsigned irq, int level)
{
	(void)vm;
	(void)irq;
	(void)level;
	return 0;
}

struct wire {
	char tx[256];
	int ntx;
	const char *rx;
	int irq, irq_changes;
};

static void tx(void *o, int cpu, uint8_t ch) { struct wire *w = o; (void)cpu; w->tx[w->ntx++] = (char)ch; }
static int rx(void *o, int cpu) { struct wire *w = o; (void)cpu; return *w->rx ? (uint8_t)*w->rx++ : -EAGAIN; }
static bool rx_ready(void *o) { struct wire *w = o; return *w->rx != 0; }
static void irq(void *o, int level) { struct wire *w = o; w->irq = level; w->irq_changes++; }

int main(void)
{
	struct wire w = { .rx = "" };
	struct uart u;
	struct uart_backend be = { &w, tx, rx, rx_ready, irq };
	uart_init(&u, &be);

	/* what an 8N1 driver does at start */
	uart_write(&u, 0, UART_LCR, 0x80);
	uart_write(&u, 0, UART_RBR_THR, 0x01);
	uart_write(&u, 0, UART_IER, 0x00);
	is(uart_read(&u, 0, UART_RBR_THR), 0x01, "DLL reads back under DLAB");
	is(uart_read(&u, 0, UART_IER), 0x00, "DLM reads back under DLAB");
	uart_write(&u, 0, UART_LCR, 0x03);
	is(uart_read(&u, 0, UART_LCR), 0x03, "LCR reads back");
	is(uart_read(&u, 0, UART_IER), 0, "IER is 0 after DLAB is cleared");
	uart_write(&u, 0, UART_IIR_FCR, 0xc7);
	is(uart_read(&u, 0, UART_IIR_FCR), 0xc1, "IIR: FIFOs enabled, no interrupt");
	is(uart_read(&u, 0, UART_LSR), 0x60, "LSR: THRE and TEMT, no data");

	uart_write(&u, 0, UART_RBR_THR, 'h');
	uart_write(&u, 0, UART_RBR_THR, 'i');
	ok(w.ntx == 2 && w.tx[0] == 'h' && w.tx[1] == 'i', "THR writes reach the console");
	is(uart_read(&u, 0, UART_LSR) & 0x60, 0x60, "transmitter is empty again at once");

	uart_write(&u, 0, UART_SCR, 0x5a);
	is(uart_read(&u, 0, UART_SCR), 0x5a, "scratch register keeps its value");
	is(uart_read(&u, 0, UART_MSR), 0xb0, "MSR: DCD, DSR, CTS");

	/* receive, polled */
	w.rx = "ab";
	is(uart_read(&u, 0, UART_LSR) & 1, 1, "LSR.DR set when input waits");
	is(w.irq, 0, "no interrupt while IER is 0");
	is(uart_read(&u, 0, UART_RBR_THR), 'a', "RBR gives the first byte");
	is(uart_read(&u, 0, UART_RBR_THR), 'b', "RBR gives the second byte");
	is(uart_read(&u, 0, UART_LSR) & 1, 0, "LSR.DR clear when input is drained");

	/* receive, interrupt-driven */
	uart_write(&u, 0, UART_IER, UART_IER_RDI);
	is(w.irq, 0, "RDI enabled with no data: line low");
	w.rx = "x";
	uart_input_ready(&u);
	is(w.irq, 1, "input raises the line");
	is(uart_read(&u, 0, UART_IIR_FCR), 0xc4, "IIR says received data available");
	is(uart_read(&u, 0, UART_RBR_THR), 'x', "the byte");
	is(w.irq, 0, "reading the last byte lowers the line");

	/* THR empty interrupt */
	uart_write(&u, 0, UART_IER, UART_IER_RDI | UART_IER_THRI);
	is(w.irq, 1, "enabling THRI with THR empty raises the line at once");
	is(uart_read(&u, 0, UART_IIR_FCR), 0xc2, "IIR says THR empty");
	is(w.irq, 0, "reading IIR acknowledges the THR interrupt");
	is(uart_read(&u, 0, UART_IIR_FCR), 0xc1, "and it is gone");
	uart_write(&u, 0, UART_RBR_THR, '!');
	is(w.irq, 1, "a write to THR raises it again");
	w.rx = "y";
	uart_input_ready(&u);
	is(uart_read(&u, 0, UART_IIR_FCR), 0xc4, "received data outranks THR empty");
	uart_read(&u, 0, UART_RBR_THR);
	is(uart_read(&u, 0, UART_IIR_FCR), 0xc2, "then THR empty shows");
	uart_write(&u, 0, UART_IER, 0);
	is(w.irq, 0, "IER 0 lowers the line");

	/* loopback, as drivers use it to probe for a working chip */
	int before = w.ntx;
	uart_write(&u, 0, UART_MCR, 0x1e);
	is(uart_read(&u, 0, UART_MSR), 0xd0, "loopback MSR: RTS->CTS, OUT1->RI, OUT2->DCD");
	uart_write(&u, 0, UART_RBR_THR, 0xae);
	is(w.ntx, before, "loopback bytes do not reach the console");
	is(uart_read(&u, 0, UART_LSR) & 1, 1, "loopback byte is received");
	is(uart_read(&u, 0, UART_RBR_THR), 0xae, "loopback returns the byte sent");
	uart_write(&u, 0, UART_MCR, 0x0b);
	is(uart_read(&u, 0, UART_MCR), 0x0b, "MCR reads back");
	uart_fini(&u);
	return done_testing();
}
