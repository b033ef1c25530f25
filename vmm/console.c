/* vmm/console.c: guest console: line-buffered output per vCPU, raw-mode stdin, the console keys, an input queue. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "vmm/console.h"
#include "vmm/textbuf.h"
#include "vmm/vm.h"

#define LINE_MAX_BYTES 4096
#define INPUT_RING 4096
/* A partial line is written after this long (a prompt is written at once,
 * when its vCPU asks for input: console_getc, console_pop). With several
 * vCPUs, never by time: a guest thread slow mid-line must not have another
 * guest's line land inside its own. 500 ms, 2 s and 10 s all tore lines in
 * multi.t in the VM lane (KVM under QEMU TCG, whose clock jumps under
 * load), so there a partial line waits for its newline, its vCPU's input
 * or end, or a full buffer. The price: with several vCPUs, progress text
 * without a newline, and a prompt read through the UART's status register
 * (not a hypercall), show only then. */
#define STALE_NS (20 * 1000 * 1000ull)
#define STOP_GRACE_NS (1000 * 1000 * 1000ull) /* console_stop_output */
#define POLL_MS 50

struct line {
	size_t len;
	uint64_t since_ns; /* when its first unwritten byte arrived */
	char buf[LINE_MAX_BYTES];
};

struct console {
	int in_fd, out_fd;
	int nr_cpus;
	pthread_mutex_t lock;
	pthread_cond_t input_cond;
	pthread_t thread;
	bool thread_started;
	_Atomic bool closing;
	int wake[2];                  /* console_close wakes the input thread */
	_Atomic bool out_stopped;     /* console_stop_output was called */
	_Atomic uint64_t out_deadline; /* then: when blocked output is dropped */

	uint8_t ring[INPUT_RING];
	size_t head, count;
	bool eof;

	void (*notify)(void *);
	void *notify_arg;
	pthread_mutex_t quit_lock; /* held across a call of quit (console_set_quit) */
	void (*quit)(void *);
	void *quit_arg;

	bool interactive;          /* stdin is a terminal in raw mode: keys apply */
	struct console_escape esc; /* input thread only */

	struct line lines[VM_MAX_IMAGES];
};

/* The terminal state to restore. A signal handler must reach it, which is
 * why this one piece of state is file-level rather than in struct console. */
static struct termios saved_tio;
static volatile sig_atomic_t saved_fd = -1;

static void restore_terminal(void)
{
	if (saved_fd >= 0)
		tcsetattr(saved_fd, TCSAFLUSH, &saved_tio);
}

static void fatal_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Raw input (no line editing, no echo); OPOST stays, so the guest's "
"
 * starts a new terminal line. Without `keep_isig`, Ctrl-C, Ctrl-Z and
 * Ctrl-backslash are bytes for the guest, not signals for the monitor
 * (POSIX.1, General Terminal Interface, "Special Characters": INTR, SUSP
 * and QUIT are recognized only with ISIG set), and Ctrl-A x is the way
 * out. True when the terminal is now raw. */
static bool set_raw(int fd, bool keep_isig)
{
	struct termios t;

	if (!isatty(fd) || tcgetattr(fd, &saved_tio) < 0)
		return false;
	t = saved_tio;
	t.c_iflag &= ~(unsigned)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_lflag &= ~(unsigned)(ECHO | ECHONL | ICANON | IEXTEN | (keep_isig ? 0 : ISIG));
	t.c_cflag &= ~(unsigned)(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	saved_fd = fd;
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		signal(fatal[i], fatal_signal);
	return tcsetattr(fd, TCSAFLUSH, &t) == 0;
}

static bool enter_raw_mode(int fd)
{
	return set_raw(fd, false);
}

/* The lane's host side (vmm/lane.c) relays the terminal to a monitor
 * inside a VM, which sees no terminal and has no console keys: there
 * Ctrl-C keeps ending the monitor. */
void console_raw_mode(int fd)
{
	(void)set_raw(fd, true);
}

/* ---- the console keys ------------------------------------------------------------
 * As QEMU's character backend multiplexer has them (QEMU System Emulation
 * User's Guide, "Keys in the character backend multiplexer"): Ctrl-A,
 * then a key. A key not in the table is dropped with its Ctrl-A, as QEMU
 * does. QEMU's Ctrl-A c (its monitor) has no row: gdb's `monitor`
 * commands over the stub (-s) are that monitor here. */

_Static_assert(VM_STATUS_QUIT == 0, "the help of Ctrl-A x names status 0");

static const struct console_key key_table[] = {
	{ 'h', "h", CONSOLE_KEY_HELP, "show these keys" },
	{ 'x', "x", CONSOLE_KEY_QUIT, "quit gdbvmm (exit status 0, as QEMU)" },
	{ CONSOLE_ESCAPE, "Ctrl-A", CONSOLE_KEY_GUEST, "send one Ctrl-A to the guest" },
};
#define NR_KEYS (sizeof(key_table) / sizeof(key_table[0]))

const struct console_key *console_keys(size_t *n)
{
	*n = NR_KEYS;
	return key_table;
}

enum console_key_action console_escape_feed(struct console_escape *e, uint8_t byte)
{
	if (!e->armed) {
		e->armed = byte == CONSOLE_ESCAPE;
		return e->armed ? CONSOLE_KEY_NONE : CONSOLE_KEY_GUEST;
	}
	e->armed = false;
	for (size_t i = 0; i < NR_KEYS; i++)
		if (key_table[i].key == byte)
			return key_table[i].action;
	return CONSOLE_KEY_NONE;
}

size_t console_keys_help(char *buf, size_t len)
{
	struct textbuf t = { buf, len, 0 };

	textbuf_add(&t, "Console keys (stdin a terminal): Ctrl-A, then\n");
	for (size_t i = 0; i < NR_KEYS; i++)
		textbuf_add(&t, "  %-8s %s\n", key_table[i].name, key_table[i].help);
	textbuf_add(&t, "Every other byte, Ctrl-C included, goes to the guest.\n");
	return t.n;
}

/* Ctrl-A h: the keys on stderr, which is the terminal as a rule (stdout
 * may be a file the guest's output goes to). A newline first, as QEMU
 * starts its list: the cursor may be after a guest's prompt. */
static void show_keys(void)
{
	char text[512];
	size_t n = console_keys_help(text + 1, sizeof(text) - 1) + 1;
	const char *p = text;

	text[0] = '\n';
	if (n >= sizeof(text))
		n = sizeof(text) - 1;
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

void console_restore_terminal(void)
{
	restore_terminal();
	saved_fd = -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Waits until stdout takes bytes. Output waits for a slow reader as long
 * as the machine runs; once it ends (console_stop_output) a reader that
 * took nothing for STOP_GRACE_NS loses the rest: false. Without this a
 * stdout nobody reads would block a vCPU in write() with the console
 * locked, and the machine could never end, not even by --timeout. */
static bool wait_writable(struct console *c)
{
	for (;;) {
		bool late = atomic_load(&c->out_stopped) && now_ns() >= atomic_load(&c->out_deadline);
		struct pollfd pfd = { .fd = c->out_fd, .events = POLLOUT };
		int r = poll(&pfd, 1, late ? 0 : POLL_MS);
		if (r > 0 || (r < 0 && errno != EINTR))
			return true; /* writable, or an error write() will report */
		if (late)
			return false;
	}
}

static void write_all(struct console *c, const char *p, size_t n)
{
	while (n > 0) {
		if (!wait_writable(c))
			return; /* the machine ended and nobody reads: dropped */
		ssize_t w = write(c->out_fd, p, n);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return; /* stdout gone: the guest's output is lost, the VM goes on */
		p += w;
		n -= (size_t)w;
	}
}

/* Writes the first n bytes of a line buffer; the caller holds the lock, so
 * the write is whole with respect to other vCPUs' lines. */
static void emit(struct console *c, struct line *l, size_t n)
{
	write_all(c, l->buf, n);
	memmove(l->buf, l->buf + n, l->len - n);
	l->len -= n;
	l->since_ns = now_ns();
}

static struct line *line_of(struct console *c, int cpu)
{
	if (cpu < 0 || cpu >= VM_MAX_IMAGES)
		cpu = 0;
	return &c->lines[cpu];
}

void console_write(struct console *c, int cpu, const void *buf, size_t len)
{
	const char *p = buf;
	struct line *l = line_of(c, cpu);

	pthread_mutex_lock(&c->lock);
	while (len > 0) {
		size_t room = LINE_MAX_BYTES - l->len;
		size_t n = len < room ? len : room;
		if (l->len == 0)
			l->since_ns = now_ns();
		memcpy(l->buf + l->len, p, n);
		l->len += n;
		p += n;
		len -= n;
		if (l->len == LINE_MAX_BYTES) {
			emit(c, l, l->len);
			continue;
		}
		/* write every complete line at once */
		const char *nl = memrchr(l->buf, '\n', l->len);
		if (nl)
			emit(c, l, (size_t)(nl - l->buf) + 1);
	}
	pthread_mutex_unlock(&c->lock);
}

void console_putc(struct console *c, int cpu, uint8_t ch)
{
	char b = (char)ch;
	console_write(c, cpu, &b, 1);
}

void console_flush(struct console *c, int cpu)
{
	struct line *l = line_of(c, cpu);

	pthread_mutex_lock(&c->lock);
	if (l->len)
		emit(c, l, l->len);
	pthread_mutex_unlock(&c->lock);
}

static void flush_stale(struct console *c)
{
	uint64_t now = now_ns();

	if (c->nr_cpus > 1)
		return;
	pthread_mutex_lock(&c->lock);
	for (int i = 0; i < VM_MAX_IMAGES; i++) {
		struct line *l = &c->lines[i];
		if (l->len && now - l->since_ns >= STALE_NS)
			emit(c, l, l->len);
	}
	pthread_mutex_unlock(&c->lock);
}

/* Puts n bytes of input in the ring, through the console keys when the
 * console is interactive. Called with the lock held; *action is the last
 * key command seen (help or quit), which the caller runs unlocked. A quit
 * ends the input: what follows it in buf is not the guest's. */
static void take_input_locked(struct console *c, const uint8_t *buf, size_t n,
			      enum console_key_action *action)
{
	*action = CONSOLE_KEY_NONE;
	for (size_t i = 0; i < n; i++) {
		enum console_key_action a = c->interactive ? console_escape_feed(&c->esc, buf[i])
							    : CONSOLE_KEY_GUEST;
		if (a == CONSOLE_KEY_GUEST)
			c->ring[(c->head + c->count++) % INPUT_RING] = buf[i];
		else if (a != CONSOLE_KEY_NONE)
			*action = a;
		if (a == CONSOLE_KEY_QUIT)
			return;
	}
}

/* Input thread: moves stdin into the ring (never dropping: it stops reading
 * while the ring is full) and writes out partial lines that went stale. */
static void *input_thread(void *arg)
{
	struct console *c = arg;
	uint8_t buf[512];

	while (!c->closing) {
		pthread_mutex_lock(&c->lock);
		size_t room = INPUT_RING - c->count;
		bool want = !c->eof && room > 0;
		pthread_mutex_unlock(&c->lock);

		struct pollfd fds[2] = {
			{ .fd = want ? c->in_fd : -1, .events = POLLIN },
			{ .fd = c->wake[0], .events = POLLIN },
		};
		int r = poll(fds, 2, 20);
		flush_stale(c);
		struct pollfd pfd = fds[0];
		if (r <= 0 || !(pfd.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
			continue;

		ssize_t n = (pfd.revents & POLLNVAL) ? 0 : read(c->in_fd, buf, room < sizeof(buf) ? room : sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		enum console_key_action action = CONSOLE_KEY_NONE;
		pthread_mutex_lock(&c->lock);
		if (n <= 0)
			c->eof = true;
		else
			take_input_locked(c, buf, (size_t)n, &action);
		pthread_cond_broadcast(&c->input_cond);
		void (*fn)(void *) = c->notify;
		void *fn_arg = c->notify_arg;
		pthread_mutex_unlock(&c->lock);
		if (fn)
			fn(fn_arg);
		if (action == CONSOLE_KEY_HELP)
			show_keys();
		if (action == CONSOLE_KEY_QUIT) {
			pthread_mutex_lock(&c->quit_lock);
			if (c->quit)
				c->quit(c->quit_arg);
			pthread_mutex_unlock(&c->quit_lock);
		}
	}
	return NULL;
}

int console_open(struct console **out, int in_fd, int out_fd, int nr_cpus)
{
	struct console *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->in_fd = in_fd;
	c->out_fd = out_fd;
	c->nr_cpus = nr_cpus;
	if (pipe2(c->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		int e = -errno;
		free(c);
		return e;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->quit_lock, NULL);
	pthread_cond_init(&c->input_cond, NULL);
	if (in_fd < 0 || fcntl(in_fd, F_GETFD) < 0)
		c->eof = true;
	c->interactive = enter_raw_mode(in_fd);
	int err = pthread_create(&c->thread, NULL, input_thread, c);
	if (err) {
		restore_terminal();
		close(c->wake[0]);
		close(c->wake[1]);
		free(c);
		return -err;
	}
	c->thread_started = true;
	*out = c;
	return 0;
}

void console_close(struct console *c)
{
	if (!c)
		return;
	c->closing = true;
	if (write(c->wake[1], "", 1) < 0) {
		/* the thread still ends within its 20 ms poll */
	}
	if (c->thread_started)
		pthread_join(c->thread, NULL);
	close(c->wake[0]);
	close(c->wake[1]);
	for (int i = 0; i < VM_MAX_IMAGES; i++)
		console_flush(c, i);
	console_restore_terminal();
	pthread_cond_destroy(&c->input_cond);
	pthread_mutex_destroy(&c->quit_lock);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static int pop_locked(struct console *c)
{
	if (c->count == 0)
		return c->eof ? -1 : -EAGAIN;
	int ch = c->ring[c->head];
	c->head = (c->head + 1) % INPUT_RING;
	c->count--;
	return ch;
}

int console_pop(struct console *c, int cpu)
{
	console_flush(c, cpu);
	pthread_mutex_lock(&c->lock);
	int ch = pop_locked(c);
	pthread_mutex_unlock(&c->lock);
	return ch;
}

int console_getc(struct console *c, int cpu, _Atomic bool *cancel)
{
	int ch;

	console_flush(c, cpu);
	pthread_mutex_lock(&c->lock);
	while ((ch = pop_locked(c)) == -EAGAIN) {
		if (cancel && *cancel) {
			ch = -EINTR;
			break;
		}
		pthread_cond_wait(&c->input_cond, &c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return ch;
}

bool console_has_input(struct console *c)
{
	pthread_mutex_lock(&c->lock);
	bool r = c->count > 0;
	pthread_mutex_unlock(&c->lock);
	return r;
}

void console_stop_output(struct console *c)
{
	if (!c || atomic_load(&c->out_stopped))
		return;
	atomic_store(&c->out_deadline, now_ns() + STOP_GRACE_NS);
	atomic_store(&c->out_stopped, true);
}

void console_wake(struct console *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	pthread_cond_broadcast(&c->input_cond);
	pthread_mutex_unlock(&c->lock);
}

void console_set_input_notify(struct console *c, void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&c->lock);
	c->notify = fn;
	c->notify_arg = arg;
	pthread_mutex_unlock(&c->lock);
}

void console_set_quit(struct console *c, void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&c->quit_lock);
	c->quit = fn;
	c->quit_arg = arg;
	pthread_mutex_unlock(&c->quit_lock);
}
