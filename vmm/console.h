/* vmm/console.h: the guests' console: stdout with per-vCPU line buffers, stdin through an input queue. */
#ifndef VMM_CONSOLE_H
#define VMM_CONSOLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct console;

/* Puts `in_fd` in raw mode when it is a terminal (restored by
 * console_close and on fatal signals) and starts the input thread. */
int console_open(struct console **out, int in_fd, int out_fd, int nr_cpus);
/* Flushes every buffer, stops the input thread, restores the terminal. */
void console_close(struct console *c);

/* The terminal part alone, for vmm/lane.c, whose machine reads stdin
 * elsewhere: raw mode on `fd` when it is a terminal (ISIG kept, OPOST
 * kept), and putting it back (also done on fatal signals). */
void console_raw_mode(int fd);
void console_restore_terminal(void);

/* Output from vCPU `cpu`. A line is written whole when it ends, when its
 * buffer fills, when that vCPU reads input or stops, or after ~20 ms. */
void console_putc(struct console *c, int cpu, uint8_t ch);
void console_write(struct console *c, int cpu, const void *buf, size_t len);
void console_flush(struct console *c, int cpu);
/* The machine is ending: output still waits for a slow reader, but once
 * stdout has taken nothing for a second the rest is dropped, so a stdout
 * nobody reads cannot keep the monitor from exiting. NULL is ignored. */
void console_stop_output(struct console *c);

/* Input. console_getc blocks until a byte (0..255) or end of input (-1),
 * or returns -EINTR once *cancel is set and console_wake() was called. */
int console_getc(struct console *c, int cpu, _Atomic bool *cancel);
/* Non-blocking: the next byte, or -EAGAIN when none is queued (-1 at end). */
int console_pop(struct console *c, int cpu);
bool console_has_input(struct console *c);
void console_wake(struct console *c);
/* Called from the input thread, without console locks held, when input
 * arrives (the UART raises its interrupt from here). */
void console_set_input_notify(struct console *c, void (*fn)(void *), void *arg);

#endif
