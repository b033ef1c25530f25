/* vmm/dev_uart.c: a 16550 UART on COM1 (0x3f8-0x3ff, IRQ 4): console out, stdin in. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/console.h"
#include "vmm/devices.h"
#include "vmm/uart.h"
#include "vmm/vm.h"

#define COM1_BASE 0x3f8
#define COM1_IRQ 4

static bool rx_avail(struct uart *u)
{
	if (u->mcr & UART_MCR_LOOP)
		return u->loop_n > 0;
	return u->be.rx_ready(u->be.opaque);
}

/* Interrupt identification, highest priority first (PC16550D, table 4).
 * Transmission is instant here, so there are no line-status errors and no
 * character timeouts to report. */
static uint8_t iir(struct uart *u)
{
	uint8_t fifo = (u->fcr & 1) ? UART_IIR_FIFO : 0;
	if ((u->ier & UART_IER_RDI) && rx_avail(u))
		return fifo | UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thri_pending)
		return fifo | UART_IIR_THRI;
	return fifo | UART_IIR_NONE;
}

/* Level-triggered: the line is high while any enabled condition holds. */
static void update_irq(struct uart *u)
{
	int level = !(iir(u) & UART_IIR_NONE);
	if (level != u->irq_level) {
		u->irq_level = level;
		if (u->be.irq)
			u->be.irq(u->be.opaque, level);
	}
}

void uart_init(struct uart *u, const struct uart_backend *be)
{
	memset(u, 0, sizeof(*u));
	pthread_mutex_init(&u->lock, NULL);
	u->be = *be;
	u->dll = 12; /* 9600 baud, what a PC BIOS leaves */
}

void uart_fini(struct uart *u)
{
	pthread_mutex_destroy(&u->lock);
}

static uint8_t msr(const struct uart *u)
{
	if (!(u->mcr & UART_MCR_LOOP))
		return 0xb0; /* DCD, DSR, CTS: a terminal is connected */
	/* loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD (PC16550D, MCR bit 4) */
	return (uint8_t)(((u->mcr & 0x01) << 5) | ((u->mcr & 0x02) << 3) |
			 ((u->mcr & 0x04) << 4) | ((u->mcr & 0x08) << 4));
}

uint8_t uart_read(struct uart *u, int cpu, unsigned reg)
{
	uint8_t v = 0;

	pthread_mutex_lock(&u->lock);
	switch (reg & 7) {
	case UART_RBR_THR:
		if (u->lcr & UART_LCR_DLAB) {
			v = u->dll;
		} else if (u->mcr & UART_MCR_LOOP) {
			if (u->loop_n) {
				v = u->loop[0];
				memmove(u->loop, u->loop + 1, --u->loop_n);
			}
		} else {
			int ch = u->be.rx(u->be.opaque, cpu);
			v = ch >= 0 ? (uint8_t)ch : 0;
		}
		break;
	case UART_IER:
		v = (u->lcr & UART_LCR_DLAB) ? u->dlm : u->ier;
		break;
	case UART_IIR_FCR:
		v = iir(u);
		/* reading IIR while it reports THR empty acknowledges it */
		if ((v & 0x0f) == UART_IIR_THRI)
			u->thri_pending = false;
		break;
	case UART_LCR:
		v = u->lcr;
		break;
	case UART_MCR:
		v = u->mcr;
		break;
	case UART_LSR:
		v = UART_LSR_THRE | UART_LSR_TEMT | (rx_avail(u) ? UART_LSR_DR : 0);
		break;
	case UART_MSR:
		v = msr(u);
		break;
	case UART_SCR:
		v = u->scr;
		break;
	}
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return v;
}

void uart_write(struct uart *u, int cpu, unsigned reg, uint8_t val)
{
	pthread_mutex_lock(&u->lock);
	switch (reg & 7) {
	case UART_RBR_THR:
		if (u->lcr & UART_LCR_DLAB) {
			u->dll = val;
		} else if (u->mcr & UART_MCR_LOOP) {
			if (u->loop_n < sizeof(u->loop))
				u->loop[u->loop_n++] = val;
			u->thri_pending = true;
		} else {
			u->be.tx(u->be.opaque, cpu, val);
			u->thri_pending = true; /* sent at once: THR is empty again */
		}
		break;
	case UART_IER:
		if (u->lcr & UART_LCR_DLAB) {
			u->dlm = val;
		} else {
			/* enabling THRI while THR is empty raises it at once */
			if ((val & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
				u->thri_pending = true;
			u->ier = val & 0x0f;
		}
		break;
	case UART_IIR_FCR:
		/* Input waits on the line until the guest reads it, so a FIFO reset
		 * has nothing to discard but the loopback bytes. */
		u->fcr = val & 0xc9;
		if (val & 0x02)
			u->loop_n = 0;
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & 0x1f;
		break;
	case UART_SCR:
		u->scr = val;
		break;
	default: /* LSR and MSR are read-only */
		break;
	}
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

void uart_input_ready(struct uart *u)
{
	pthread_mutex_lock(&u->lock);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

/* The device on the bus: the model wired to the console and IRQ 4. */

struct uart_dev {
	struct uart uart;
	struct vm *vm;
};

static void be_tx(void *opaque, int cpu, uint8_t ch)
{
	struct uart_dev *d = opaque;
	console_putc(d->vm->con, cpu, ch);
}

static int be_rx(void *opaque, int cpu)
{
	struct uart_dev *d = opaque;
	return console_pop(d->vm->con, cpu);
}

static bool be_rx_ready(void *opaque)
{
	struct uart_dev *d = opaque;
	return console_has_input(d->vm->con);
}

static void be_irq(void *opaque, int level)
{
	struct uart_dev *d = opaque;
	if (d->vm->irqchip)
		vm_irq_line(d->vm, COM1_IRQ, level);
}

static void input_notify(void *arg)
{
	struct uart_dev *d = arg;
	uart_input_ready(&d->uart);
}

static int uart_dev_init(struct vm *vm, void **state)
{
	struct uart_dev *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->vm = vm;
	struct uart_backend be = {
		.opaque = d, .tx = be_tx, .rx = be_rx, .rx_ready = be_rx_ready, .irq = be_irq,
	};
	uart_init(&d->uart, &be);
	console_set_input_notify(vm->con, input_notify, d);
	*state = d;
	return 0;
}

static void uart_dev_fini(void *state)
{
	struct uart_dev *d = state;
	uart_fini(&d->uart);
	free(d);
}

static enum io_result uart_io(void *dev, struct vcpu *cpu, uint16_t port, unsigned size,
			      bool write, uint32_t *val)
{
	struct uart_dev *d = dev;
	(void)size; /* byte registers; a wider access touches the first one */
	if (write)
		uart_write(&d->uart, cpu->con, port - COM1_BASE, (uint8_t)*val);
	else
		*val = uart_read(&d->uart, cpu->con, port - COM1_BASE);
	return IO_OK;
}

const struct vm_device dev_uart = {
	.name = "uart-com1", .base = COM1_BASE, .len = 8, .io = uart_io,
	.init = uart_dev_init, .fini = uart_dev_fini,
};
