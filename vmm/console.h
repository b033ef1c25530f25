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
/* Called from the input thread, without the input queue's lock, when the
 * user types Ctrl-A x on an interactive console. Returns only once a call
 * in progress has ended: after console_set_quit(c, NULL, NULL) the old
 * function is not running and never runs again. */
void console_set_quit(struct console *c, void (*fn)(void *), void *arg);

/* The console keys, QEMU's (its -nographic console): on an interactive
 * console (stdin a terminal, in raw mode) Ctrl-A starts a command, the
 * key after it says which; every other byte, Ctrl-C included, goes to
 * the guest. Piped input never goes through them: byte for byte. */
#define CONSOLE_ESCAPE 0x01 /* Ctrl-A */

enum console_key_action {
	CONSOLE_KEY_GUEST, /* the byte goes to the guest */
	CONSOLE_KEY_NONE,  /* swallowed: a Ctrl-A, or an unknown key after it */
	CONSOLE_KEY_HELP,  /* list the keys */
	CONSOLE_KEY_QUIT,  /* end the monitor */
};

struct console_key {
	uint8_t key;        /* the byte typed after Ctrl-A */
	const char *name;   /* how the help shows that byte */
	enum console_key_action action;
	const char *help;
};

/* The keys in the order the help lists them; *n is set to their number. */
const struct console_key *console_keys(size_t *n);

/* The escape state of one input stream: a Ctrl-A is waiting for its key. */
struct console_escape {
	bool armed;
};

/* One input byte through the keys: a pure function of the state and the
 * byte (no I/O), so the unit tests drive it without a terminal. */
enum console_key_action console_escape_feed(struct console_escape *e, uint8_t byte);

/* Writes the text Ctrl-A h shows (the key table) into buf, at most len
 * bytes with the NUL; returns the length it needed, as snprintf. */
size_t console_keys_help(char *buf, size_t len);

#endif
