/* tests/hostile/rawclient.c: a raw GDB remote protocol client that attacks the stub in one named way and prints what happened, for tests/hostile/clients.t.
 *
 * Usage: rawclient HOST PORT SCENARIO [IMAGE]
 *
 * Each scenario prints one line per check, "PASS what" or "FAIL what:
 * why"; clients.t turns them into TAP. The machine is tests/hostile/
 * guests/spin.bin (IMAGE), a flat image in window 0 (linear 0x10000):
 * its loop at 0x10010 increments the word at 0x10100 until the byte at
 * 0x10104 (release) is set.
 *
 *   check      a well-behaved client: the stub answers, no breakpoint is
 *              left, the image in memory is the file's bytes but for the
 *              counter (no planted byte left), the registers read, the
 *              guest still runs (its counter grows across a continue and
 *              a Ctrl-C) and stops inside its loop with CS unchanged;
 *              then detaches
 *   release N  sets release to N and detaches: the guest exits with N
 *   badsum     bad checksums (answered `-`), non-hex checksum digits,
 *              dropped packets in no-ack mode
 *   oversize   a body over PacketSize, 1 MiB without a `#`, 4 MiB of noise
 *   cut        packets cut mid-way, then the connection closed; packets
 *              split byte by byte
 *   badhex     malformed fields in every kind of packet
 *   edges      addresses at the end of RAM, at the top of the address
 *              space and ranges that wrap, reads, writes, breakpoints
 *   random N   N random packets (valid framing, random or templated
 *              bodies): every one gets exactly one reply, well framed and
 *              of the form its packet calls for
 *   kill       clients that die (SIGKILL) stopped with breakpoints planted,
 *              running with breakpoints planted, mid-packet, and stopped
 *              at a breakpoint; the debug registers are taken first, so
 *              the Z0s are bytes planted in the guest's code on every host
 *   vanish     clients that reset the connection right after connecting,
 *              right after a Ctrl-C, and while running: the guest must go
 *              on running with nobody attached
 *   handover N N times: D, a new client connects before the OK, the old
 *              one closes without reading it
 *   cycles N   N connects and disconnects of three kinds
 *   two        a second client while one is attached is turned away and
 *              the first goes on; twenty at once; the next one is served
 *   noread     a client that sends requests, never reads the replies and
 *              stays connected: the next client is served once the stub's
 *              send timeout gives it up
 *
 * No scenario writes guest memory the guest uses or any register, except
 * `release` and the pc restored in `edges`.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WINDOW 0x10000u
#define LOOP (WINDOW + 0x10)
#define COUNT (WINDOW + 0x100)
#define RELEASE (WINDOW + 0x104)
#define RAM_END 0x8000000u /* 128 MiB, the default */

static const char *host, *port, *image;
static int timeout_ms = 10000;
static int failures;

/* ---- reporting ------------------------------------------------------------ */

static void pass(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void pass(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("PASS ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("FAIL ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
	failures++;
}

static bool check(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool check(bool cond, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (cond)
		pass("%s", buf);
	else
		fail("%s", buf);
	return cond;
}

/* ---- the connection --------------------------------------------------------- */

struct conn {
	int fd;
	bool noack;
	uint8_t in[1 << 17];
	size_t len;   /* bytes in `in` not yet consumed */
	int naks;     /* `-` seen since the last take_acks */
	int acks;
	bool eof;
};

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dial(void)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res;
	int one = 1;

	if (getaddrinfo(host, port, &hints, &res))
		return -1;
	int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static struct conn *conn_open(void)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = dial();
	if (c->fd < 0) {
		free(c);
		return NULL;
	}
	return c;
}

static void conn_close(struct conn *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c);
}

static bool send_raw(struct conn *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* $body#cs, with `$ # } *` escaped as gdb escapes binary data, so that
 * any bytes arrive as one packet */
static size_t frame(const void *body, size_t len, uint8_t *out)
{
	const uint8_t *b = body;
	uint8_t sum = 0;
	size_t n = 0;
	out[n++] = '$';
	for (size_t i = 0; i < len; i++) {
		uint8_t ch = b[i];
		if (ch == '$' || ch == '#' || ch == '}' || ch == '*') {
			out[n++] = '}';
			sum = (uint8_t)(sum + '}');
			ch ^= 0x20;
		}
		out[n++] = ch;
		sum = (uint8_t)(sum + ch);
	}
	n += (size_t)sprintf((char *)out + n, "#%02x", sum);
	return n;
}

static bool send_pkt(struct conn *c, const void *body, size_t len)
{
	static uint8_t buf[2 * (1 << 20) + 8];
	if (2 * len + 8 > sizeof(buf))
		return false;
	return send_raw(c, buf, frame(body, len, buf));
}

/* Reads more bytes into c->in; false on timeout or EOF. */
static bool fill(struct conn *c, long deadline)
{
	for (;;) {
		long left = deadline - now_ms();
		if (left <= 0)
			return false;
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		int r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		if (c->len == sizeof(c->in))
			return false;
		ssize_t n = recv(c->fd, c->in + c->len, sizeof(c->in) - c->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			c->eof = true;
			return false;
		}
		c->len += (size_t)n;
		return true;
	}
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The next packet from the stub into out (NUL-terminated, unescaped);
 * `+`/`-` before it are counted. Returns its length, -1 on timeout or
 * EOF, -2 when the stub sent a malformed packet (bad checksum, noise). */
static long recv_pkt_ms(struct conn *c, char *out, size_t cap, int ms)
{
	long deadline = now_ms() + ms;
	for (;;) {
		size_t i = 0;
		while (i < c->len && c->in[i] != '$') {
			if (c->in[i] == '+')
				c->acks++;
			else if (c->in[i] == '-')
				c->naks++;
			else
				return -2; /* the stub sends nothing between packets */
			i++;
		}
		memmove(c->in, c->in + i, c->len - i);
		c->len -= i;
		uint8_t *hash = c->len ? memchr(c->in, '#', c->len) : NULL;
		if (hash && (size_t)(hash - c->in) + 3 <= c->len) {
			size_t n = 0, body = (size_t)(hash - c->in);
			uint8_t sum = 0;
			bool esc = false;
			for (size_t k = 1; k < body; k++) {
				uint8_t ch = c->in[k];
				sum = (uint8_t)(sum + ch);
				if (esc) {
					ch ^= 0x20;
					esc = false;
				} else if (ch == '}') {
					esc = true;
					continue;
				}
				if (n + 1 < cap)
					out[n++] = (char)ch;
			}
			out[n] = 0;
			int hi = hexval(hash[1]), lo = hexval(hash[2]);
			size_t used = body + 3;
			memmove(c->in, c->in + used, c->len - used);
			c->len -= used;
			if (hi < 0 || lo < 0 || (uint8_t)(hi << 4 | lo) != sum)
				return -2;
			if (!c->noack)
				send_raw(c, "+", 1);
			return (long)n;
		}
		if (!fill(c, deadline))
			return -1;
	}
}

static long recv_pkt(struct conn *c, char *out, size_t cap)
{
	return recv_pkt_ms(c, out, cap, timeout_ms);
}

/* Waits for one `+` or `-` (ack mode). Returns the byte, or 0. */
static int recv_ack(struct conn *c, int ms)
{
	long deadline = now_ms() + ms;
	for (;;) {
		if (c->len) {
			uint8_t ch = c->in[0];
			if (ch == '+' || ch == '-') {
				memmove(c->in, c->in + 1, --c->len);
				return ch;
			}
			return 0;
		}
		if (!fill(c, deadline))
			return 0;
	}
}

/* Sends a packet, takes its ack, returns the reply (static buffer) or NULL. */
static char reply[1 << 18];
static const char *cmdn(struct conn *c, const void *body, size_t len)
{
	if (!send_pkt(c, body, len))
		return NULL;
	if (!c->noack && recv_ack(c, timeout_ms) != '+')
		return NULL;
	return recv_pkt(c, reply, sizeof(reply)) >= 0 ? reply : NULL;
}

static const char *cmd(struct conn *c, const char *body)
{
	return cmdn(c, body, strlen(body));
}

static const char *cmdf(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *cmdf(struct conn *c, const char *fmt, ...)
{
	char body[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	return cmd(c, body);
}

static void hexs(const char *s, char *out)
{
	while (*s)
		out += sprintf(out, "%02x", (uint8_t)*s++);
}

/* `monitor TEXT`: the O packets' text, or NULL when it did not end in OK. */
static char mon_text[1 << 16];
static const char *monitor(struct conn *c, const char *text)
{
	char body[512] = "qRcmd,";
	size_t n = 0;
	hexs(text, body + 6);
	if (!send_pkt(c, body, strlen(body)) || (!c->noack && recv_ack(c, timeout_ms) != '+'))
		return NULL;
	mon_text[0] = 0;
	for (;;) {
		if (recv_pkt(c, reply, sizeof(reply)) < 0)
			return NULL;
		if (reply[0] != 'O' || !strcmp(reply, "OK"))
			break;
		for (const char *h = reply + 1; h[0] && h[1] && n + 1 < sizeof(mon_text); h += 2)
			mon_text[n++] = (char)(hexval(h[0]) << 4 | hexval(h[1]));
		mon_text[n] = 0;
	}
	return !strcmp(reply, "OK") ? mon_text : NULL;
}

/* Connect and wait for the attach: `?` answers once the machine stopped. */
static struct conn *attach(void)
{
	struct conn *c = conn_open();
	if (!c)
		return NULL;
	const char *r = cmd(c, "qSupported:swbreak+;hwbreak+");
	if (!r || strncmp(r, "PacketSize=", 11)) {
		conn_close(c);
		return NULL;
	}
	r = cmd(c, "?");
	if (!r || r[0] != 'T') {
		conn_close(c);
		return NULL;
	}
	return c;
}

static bool detach(struct conn *c)
{
	const char *r = cmd(c, "D");
	bool ok = r && !strcmp(r, "OK");
	conn_close(c);
	return ok;
}

/* Reads `len` bytes of guest memory at addr (hex reply decoded). */
static bool read_mem(struct conn *c, uint64_t addr, size_t len, uint8_t *out)
{
	const char *r = cmdf(c, "m%llx,%zx", (unsigned long long)addr, len);
	if (!r || strlen(r) != 2 * len)
		return false;
	for (size_t i = 0; i < len; i++) {
		int hi = hexval(r[2 * i]), lo = hexval(r[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static uint32_t read_u32(struct conn *c, uint64_t addr, bool *ok)
{
	uint8_t b[4];
	uint32_t v = 0;
	*ok = read_mem(c, addr, 4, b);
	memcpy(&v, b, 4);
	return v;
}

static bool all_of(const char *s, const char *set)
{
	return s[strspn(s, set)] == 0;
}

/* `E NN`: an error with two hex digits ("Standard Replies") */
static bool is_error(const char *r)
{
	return r[0] == 'E' && strlen(r) == 3 && all_of(r + 1, "0123456789abcdef");
}

/* Hex of whole bytes; `x` for a register the target cannot read ("p"). */
static bool is_hex(const char *r, bool unavailable_ok)
{
	return strlen(r) % 2 == 0 && all_of(r, unavailable_ok ? "0123456789abcdefx" : "0123456789abcdef");
}

/* Register n (gdb's i386 numbering: 8 eip, 10 cs) as a number, or
 * UINT32_MAX when it cannot be read. */
static uint32_t reg_u32(struct conn *c, int n)
{
	const char *r = cmdf(c, "p%x", n);
	uint32_t v = 0;
	if (!r || strlen(r) != 8 || !is_hex(r, false))
		return UINT32_MAX;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | (uint32_t)(hexval(r[2 * i]) << 4 | hexval(r[2 * i + 1]));
	return v;
}

/* Resume, let it run, Ctrl-C: the stop reply. */
static const char *run_a_while(struct conn *c, int ms)
{
	if (!send_pkt(c, "c", 1) || (!c->noack && recv_ack(c, timeout_ms) != '+'))
		return NULL;
	usleep((useconds_t)ms * 1000);
	if (!send_raw(c, "\x03", 1))
		return NULL;
	return recv_pkt(c, reply, sizeof(reply)) >= 0 ? reply : NULL;
}

/* ---- scenarios -------------------------------------------------------------- */

static uint8_t file_bytes[0x10000];
static size_t file_len;

static void load_image(void)
{
	FILE *f = image ? fopen(image, "rb") : NULL;
	if (!f) {
		fail("cannot read the image %s", image ? image : "(none given)");
		return;
	}
	file_len = fread(file_bytes, 1, sizeof(file_bytes), f);
	fclose(f);
}

/* The well-behaved client after an attack. */
static void sc_check(void)
{
	struct conn *c = attach();
	if (!check(c != NULL, "a well-behaved client is served (attach, qSupported, ?)"))
		return;
	const char *m = monitor(c, "info");
	const char *bps = m ? strstr(m, "\nstrategies:") : NULL;
	bps = bps ? strchr(bps + 1, '\n') : NULL;
	check(m && strstr(m, "no breakpoints or watchpoints"),
	      "no breakpoint or watchpoint is left (monitor info: %.120s)", bps ? bps + 1 : "?");
	load_image();
	/* the whole image, but for the counter (it runs) and release
	 * (written only at the end): code, data and text after them */
	uint8_t now[sizeof(file_bytes)];
	size_t diff = file_len;
	bool got = file_len > 0 && read_mem(c, WINDOW, file_len, now);
	for (size_t i = 0; got && i < file_len && diff == file_len; i++)
		if (now[i] != file_bytes[i] && !(i >= COUNT - WINDOW && i < RELEASE - WINDOW))
			diff = i;
	check(got && diff == file_len,
	      "the guest's memory reads as the file's %zu bytes: every planted byte restored%s", file_len,
	      !got ? " (read failed)" : diff < file_len ? " (a byte differs)" : "");
	if (got && diff < file_len)
		printf("first difference at 0x%zx: 0x%02x, the file has 0x%02x\n", WINDOW + diff, now[diff],
		       file_bytes[diff]);
	const char *g = cmd(c, "g");
	check(g && strlen(g) > 64 && g[0] != 'E', "the registers read (g: %zu hex digits)", g ? strlen(g) : 0);
	bool ok1, ok2;
	char st[64];
	uint32_t c1 = read_u32(c, COUNT, &ok1);
	const char *r = run_a_while(c, 100);
	snprintf(st, sizeof(st), "%.63s", r ? r : "no reply");
	uint32_t c2 = read_u32(c, COUNT, &ok2);
	check(!strncmp(st, "T02", 3), "continue then Ctrl-C stops with SIGINT (%s)", st);
	check(ok1 && ok2 && c2 != c1, "the guest still runs: its counter went from %u to %u", c1, c2);
	/* where it stopped: in its loop, CS still the window's (no attack
	 * moved it or changed its registers) */
	uint32_t pc = reg_u32(c, 8), cs = reg_u32(c, 10);
	check(pc >= LOOP && pc < LOOP + 12 && cs == WINDOW >> 4,
	      "the guest stopped inside its loop (pc 0x%x, cs 0x%x): its registers are intact", pc, cs);
	check(detach(c), "detach answers OK");
}

static void sc_release(int value)
{
	struct conn *c = attach();
	if (!check(c != NULL, "the last client is served"))
		return;
	const char *r = cmdf(c, "M%x,1:%02x", RELEASE, value & 0xff);
	check(r && !strcmp(r, "OK"), "release written (M: %s)", r ? r : "no reply");
	check(detach(c), "detach answers OK");
}

static void sc_badsum(void)
{
	struct conn *c = attach();
	if (!check(c != NULL, "attached"))
		return;
	int naks = 0;
	for (int i = 0; i < 20; i++) {
		char pkt[64];
		int n = snprintf(pkt, sizeof(pkt), "$m%x,4#%02x", WINDOW + i, (unsigned)(i * 7) & 0xff);
		/* a right checksum by chance is skipped */
		uint8_t sum = 0;
		for (int k = 1; pkt[k] != '#'; k++)
			sum = (uint8_t)(sum + (uint8_t)pkt[k]);
		if (sum == (uint8_t)(i * 7))
			continue;
		send_raw(c, pkt, (size_t)n);
		naks += recv_ack(c, timeout_ms) == '-';
	}
	check(naks >= 19, "20 packets with a wrong checksum are each answered '-' (%d)", naks);
	send_raw(c, "$?#zz", 5);
	check(recv_ack(c, timeout_ms) == '-', "a checksum of non-hex digits is answered '-'");
	/* a checksum cut short by the next packet: '-' for the cut one, the
	 * next one is answered */
	send_raw(c, "$?#3", 4);
	send_pkt(c, "?", 1);
	int a1 = recv_ack(c, timeout_ms), a2 = recv_ack(c, timeout_ms);
	long got = recv_pkt(c, reply, sizeof(reply));
	check(a1 == '-' && a2 == '+' && got > 0 && reply[0] == 'T',
	      "a checksum cut short by the next '$': '-' for it, then the next packet is answered (%c %c %s)",
	      a1 ? a1 : '0', a2 ? a2 : '0', got > 0 ? reply : "no reply");
	const char *r = cmd(c, "QStartNoAckMode");
	check(r && !strcmp(r, "OK"), "no-ack mode");
	c->noack = true;
	send_raw(c, "$m10000,4#00", 12);
	char tmp[64];
	check(recv_pkt_ms(c, tmp, sizeof(tmp), 300) == -1 && c->len == 0,
	      "in no-ack mode a bad checksum is dropped without a reply");
	r = cmd(c, "m10000,2");
	check(r && strlen(r) == 4, "and the next packet is answered (%s)", r ? r : "no reply");
	check(detach(c), "detach answers OK");
}

static void sc_oversize(void)
{
	static char big[(1 << 20) + 16];
	struct conn *c = attach();
	if (!check(c != NULL, "attached"))
		return;
	/* 70 KiB body with a good checksum: E16, acked */
	big[0] = 'm';
	memset(big + 1, '0', 70 * 1024);
	const char *r = cmdn(c, big, 70 * 1024 + 1);
	check(r && !strcmp(r, "E16"), "a 70 KiB packet (over PacketSize) gets E16 (%.10s)", r ? r : "no reply");
	/* 1 MiB with no `#`, then a new packet */
	big[0] = '$';
	memset(big + 1, 'a', 1 << 20);
	send_raw(c, big, (1 << 20) + 1);
	r = cmd(c, "?");
	check(r && r[0] == 'T', "after 1 MiB of a packet without '#', the next packet is answered");
	/* 4 MiB of noise between packets (no `$`, no 0x03, no `+`/`-`) */
	for (int i = 0; i < (1 << 20); i++) {
		uint8_t b = (uint8_t)rand();
		big[i] = (b == '$' || b == 3 || b == '+' || b == '-') ? 'x' : (char)b;
	}
	bool sent = true;
	for (int k = 0; k < 4 && sent; k++)
		sent = send_raw(c, big, 1 << 20);
	r = sent ? cmd(c, "qC") : NULL;
	check(r && !strncmp(r, "QC", 2), "after 4 MiB of noise between packets, the next packet is answered");
	check(detach(c), "detach answers OK");
}

static void sc_cut(void)
{
	struct conn *c = attach();
	if (check(c != NULL, "attached")) {
		send_raw(c, "$m10000,1", 9);
		conn_close(c);
		pass("a client closed in the middle of a packet");
	}
	c = attach();
	if (check(c != NULL, "attached again")) {
		send_raw(c, "$m10000,4#", 10); /* cut between `#` and the checksum */
		conn_close(c);
		pass("a client closed between '#' and the checksum");
	}
	c = attach();
	if (!check(c != NULL, "attached again"))
		return;
	uint8_t pkt[64];
	size_t n = frame("m10000,8", 8, pkt);
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		ok = send_raw(c, pkt + i, 1);
		usleep(2000);
	}
	ok = ok && recv_ack(c, timeout_ms) == '+' && recv_pkt(c, reply, sizeof(reply)) == 16;
	check(ok, "a packet sent one byte at a time is answered");
	send_raw(c, pkt, 5);
	usleep(200 * 1000);
	send_raw(c, pkt + 5, n - 5);
	ok = recv_ack(c, timeout_ms) == '+' && recv_pkt(c, reply, sizeof(reply)) == 16;
	check(ok, "a packet split with a pause in the middle is answered");
	send_raw(c, "$m10000,4", 9);
	conn_close(c);
	pass("a client closed in the middle of a packet after a session");
}

/* packet, what the reply must be: "E" any error, "" empty, else exact */
static const char *const malformed[][2] = {
	{ "mzz,10", "E16" }, { "m10000,zz", "E16" }, { "m10000", "E16" }, { "m,10", "E16" },
	{ "m10000,4x", "E16" }, { "m-1,4", "E16" },
	{ "m10000000000000000,1", "E16" }, /* 17 digits: over 64 bits */
	{ "M10100,4:zzzzzzzz", "E16" }, { "M10100,4:abc", "E16" }, { "M10100,2:abcdef", "E16" },
	{ "M10100,zz:00", "E16" }, { "M10100", "E16" },
	{ "X10100,5:ab", "E16" }, { "X10100,zz:", "E16" }, { "X10100", "E16" },
	{ "Z0,zz,1", "E16" }, { "Z0,10010", "E16" }, { "Zz,10010,1", "E16" }, { "Z9,10010,1", "" },
	{ "z0,zz,1", "E16" }, { "Z0,10010,1x", "E16" },
	{ "pzz", "E16" }, { "p", "E16" }, { "p99999", "E16" }, { "pffffffffffffffffff", "E16" },
	{ "P8=zz", "E16" }, { "Pzz=00", "E16" }, { "P8", "E16" }, { "P8=0011", "E16" },
	{ "P99999=00000000", "E16" },
	{ "Gz", "E16" }, { "G0", "E16" }, { "G012", "E16" },
	{ "Hgzz", "E16" }, { "Hg99999", "E03" }, { "Hg", "E16" }, { "Hcz", "E16" }, { "H", "E16" },
	{ "Tzz", "E16" }, { "T99", "E03" }, { "T", "E16" },
	{ "vCont;x", "E16" }, { "vCont;c:zz", "E16" }, { "vCont;c:99", "E03" }, { "vCont", "E16" },
	{ "vCont;", "E16" }, { "vCont;r0,1", "E16" }, { "vCont;Czz", "E16" }, { "vCont;t", "E16" },
	{ "czz", "E16" }, { "Czz", "E16" }, { "C05;zz", "E16" }, { "szz", "E16" }, { "S999", "E16" },
	{ "qRcmd,zz", "E16" }, { "qRcmd,6", "E16" }, { "qRcmd", "E16" }, { "qRcmd,00", "E16" },
	{ "qThreadExtraInfo,zz", "E16" }, { "qThreadExtraInfo,99", "E03" },
	{ "qXfer:features:read:target.xml:zz,10", "E00" },
	{ "qXfer:features:read:nope.xml:0,10", "E00" },
	{ "qXfer:features:read:target.xml:ffffffffffffffff,10", "E00" },
	{ "qXfer:features:read:target.xml:2,ffffffffffffffff", "E00" }, /* wraps */
	{ "qXfer:exec-file:read:1:0,ffb", "" }, { "vFile:open:2f6574632f706173737764,0,0", "" },
	{ "qSymbol::", "" }, { "QNonStop:1", "" }, { "!", "" }, { "Q", "" }, { "\x7f", "" },
	{ "QStartNoAckModeX", "" },
};

static void sc_badhex(void)
{
	struct conn *c = attach();
	if (!check(c != NULL, "attached"))
		return;
	uint8_t before[8], after[8];
	bool b1 = read_mem(c, 0x10100, 8, before);
	int bad = 0, n = (int)(sizeof(malformed) / sizeof(malformed[0]));
	for (int i = 0; i < n; i++) {
		const char *r = cmd(c, malformed[i][0]);
		const char *want = malformed[i][1];
		bool ok = r && (!strcmp(want, "E") ? r[0] == 'E' : !strcmp(r, want));
		if (!ok) {
			fail("'%s' is answered '%s' (got '%s')", malformed[i][0], want, r ? r : "no reply");
			bad++;
		}
	}
	check(bad == 0, "%d malformed packets are each answered with the right error or empty", n);
	bool b2 = read_mem(c, 0x10100, 8, after);
	/* the counter moved only if something resumed the machine: nothing may */
	check(b1 && b2 && !memcmp(before + 4, after + 4, 4) && !memcmp(before, after, 4),
	      "no malformed packet wrote memory or ran the guest");
	check(detach(c), "detach answers OK");
}

static void sc_edges(void)
{
	char hex[64];
	struct conn *c = attach();
	if (!check(c != NULL, "attached"))
		return;
	struct {
		const char *pkt, *want; /* want: exact, or "E" for any error */
	} t[] = {
		{ "mffffffffffffffff,1", "E" },
		{ "mffffffffffffffff,2", "E16" },     /* wraps past 2^64 */
		{ "mfffffffffffffff0,20", "E16" },
		{ "mffffffffffffffff,0", "" },
		{ "m8000000,1", "E" },               /* the first byte past RAM */
		{ "m7ffffff,1", "00" },              /* the last byte of RAM */
		{ "m7ffffff,2", "00" },              /* cut at the end of RAM */
		{ "mffffffff,2", "E" },              /* the top of the 32-bit space */
		{ "M7ffffff,2:abcd", "E" },          /* crosses the end: all or nothing */
		{ "m7ffffff,1", "00" },
		{ "Mffffffffffffffff,2:abcd", "E16" },
		{ "Xffffffffffffffff,2:ab", "E16" },
		{ "X8000000,1:a", "E" },
		{ "Z2,ffffffffffffffff,8", "E16" },   /* a watched range that wraps */
		{ "Z2,7fffffe,4", "E" },             /* crosses the end of RAM */
		{ "Z3,7fffffe,4", "E" },
		{ "z0,ffffffffffffffff,1", "E" },     /* nothing there to remove */
	};
	int n = (int)(sizeof(t) / sizeof(t[0])), bad = 0;
	for (int i = 0; i < n; i++) {
		const char *r = cmd(c, t[i].pkt);
		bool ok = r && (!strcmp(t[i].want, "E") ? r[0] == 'E' : !strcmp(r, t[i].want));
		if (!ok) {
			fail("'%s' is answered '%s' (got '%s')", t[i].pkt, t[i].want, r ? r : "no reply");
			bad++;
		}
	}
	check(bad == 0, "%d reads, writes and breakpoints at the edges get the right answers", n);

	/* breakpoints at the top of the address space go in and come out */
	const char *r = cmd(c, "Z1,ffffffffffffffff,1");
	if (r && !strcmp(r, "OK"))
		r = cmd(c, "z1,ffffffffffffffff,1");
	check(r && (!strcmp(r, "OK") || r[0] == 'E'), "Z1/z1 at 0xffffffffffffffff (%s)", r ? r : "no reply");
	r = cmd(c, "Z0,fffffffe,1");
	if (r && !strcmp(r, "OK"))
		r = cmd(c, "z0,fffffffe,1");
	check(r && (!strcmp(r, "OK") || r[0] == 'E'), "Z0/z0 at 0xfffffffe (%s)", r ? r : "no reply");

	/* physical addresses */
	const char *m = monitor(c, "phys on");
	check(m != NULL, "monitor phys on");
	r = cmd(c, "m7ffffff,2");
	check(r && !strcmp(r, "00"), "phys: a read across the end of RAM is cut there (%s)", r ? r : "no reply");
	r = cmd(c, "mffffffffffffffff,1");
	check(r && r[0] == 'E', "phys: the last address of 2^64 is an error (%s)", r ? r : "no reply");
	r = cmd(c, "M8000000,1:00");
	check(r && r[0] == 'E', "phys: a write past RAM is an error (%s)", r ? r : "no reply");
	monitor(c, "phys off");

	/* the pc: real mode, a pc no CS:IP reaches is E22; then put it back */
	const char *g = cmd(c, "p8");
	snprintf(hex, sizeof(hex), "%s", g ? g : "");
	r = cmd(c, "P8=f0ff1100"); /* 0x11fff0: past FFFF:FFFF */
	check(r && r[0] == 'E', "writing a pc past 0x10ffef in real mode is refused (%s)", r ? r : "no reply");
	r = cmdf(c, "P8=%s", hex);
	check(r && !strcmp(r, "OK"), "the pc written back as it was (%s)", r ? r : "no reply");
	check(detach(c), "detach answers OK");
}

/* A random packet body into b; returns its length. Never a kill (k,
 * vKill, monitor quit) and never a valid write of registers or of memory
 * the guest uses; everything else goes. */
static size_t random_body(char *b, size_t cap)
{
	static const char *const fixed[] = {
		"?", "g", "qC", "qfThreadInfo", "qsThreadInfo", "qAttached", "vCont?", "s", "c",
		"vCont;s:1",
	};
	uint64_t a = (uint64_t)rand() << 33 ^ (uint64_t)rand() << 2 ^ (uint64_t)rand();
	switch (rand() % 4) { /* addresses near the interesting places */
	case 0: a = WINDOW + (a & 0x1ff); break;
	case 1: a = RAM_END - (a & 0xff); break;
	case 2: a = UINT64_MAX - (a & 0xff); break;
	default: break;
	}
	unsigned long long ua = (unsigned long long)a;
	int n;

	switch (rand() % 20) {
	case 0:
		n = snprintf(b, cap, "m%llx,%x", ua, (unsigned)rand() % 0x9000);
		break;
	case 1: /* M with a bad digit, or into RAM the guest never reads */
		if (rand() % 2)
			n = snprintf(b, cap, "M%llx,2:z1z1", ua);
		else
			n = snprintf(b, cap, "M%llx,2:abcd", 0x400000ull + (a & 0xfff));
		break;
	case 2:
		n = snprintf(b, cap, "X%llx,3:x", 0x400000ull + (a & 0xfff));
		break;
	case 3:
	case 4:
		n = snprintf(b, cap, "%c%u,%llx,%u", rand() % 2 ? 'Z' : 'z', (unsigned)rand() % 6, ua,
			     1u << (rand() % 4));
		break;
	case 5:
		n = snprintf(b, cap, "p%x", (unsigned)rand() % 100);
		break;
	case 6:
		n = snprintf(b, cap, "H%c%x", "gcx"[rand() % 3], (unsigned)rand() % 4);
		break;
	case 7:
		n = snprintf(b, cap, "%s%x", rand() % 2 ? "T" : "qThreadExtraInfo,", (unsigned)rand() % 4);
		break;
	case 8:
		n = snprintf(b, cap, "vCont;%c:%x", "cstx"[rand() % 4], (unsigned)rand() % 3);
		break;
	case 9:
		n = snprintf(b, cap, "qSupported:%s", rand() % 2 ? "swbreak+;hwbreak+" : "xmlRegisters=i386");
		break;
	case 10:
		n = snprintf(b, cap, "qXfer:features:read:target.xml:%x,%x", (unsigned)rand() % 0x3000,
			     (unsigned)rand() % 0x2000);
		break;
	case 11:
		n = snprintf(b, cap, "%s", fixed[rand() % (int)(sizeof(fixed) / sizeof(fixed[0]))]);
		break;
	case 12: /* D, rarely */
		n = snprintf(b, cap, "%s", rand() % 20 ? "?" : "D");
		break;
	default: { /* random bytes, never a command that kills, writes or resumes */
		size_t k = (size_t)rand() % 64;
		for (size_t i = 0; i < k && i < cap; i++)
			b[i] = (char)(rand() % 256);
		if (k && strchr("kDGPMXcCsSvqQ", b[0]) && b[0])
			b[0] = '?';
		return k;
	}
	}
	return n < 0 ? 0 : (size_t)n;
}

static bool is_stop(const char *r)
{
	return (r[0] == 'T' || r[0] == 'S' || r[0] == 'W' || r[0] == 'X') && strlen(r) >= 3 &&
	       all_of((char[]){ r[1], r[2], 0 }, "0123456789abcdef");
}

/* Is r a reply of the right form for the packet `body` (n bytes)? The
 * framing and the checksum were checked on receipt; here the content:
 * printable text only, an error in the `E NN` form, and for the packets
 * whose answer has a shape, that shape ("Packets", "Stop Reply Packets"). */
static bool reply_fits(const char *body, size_t n, const char *r, bool resumed)
{
	for (const char *p = r; *p; p++)
		if ((*p < 0x20 || *p > 0x7e) && *p != '\n' && *p != '\t')
			return false;
	if (r[0] == 'E') /* no other reply starts so: hex is lower case */
		return is_error(r);
	if (resumed)
		return is_stop(r);
	if (n == 0)
		return r[0] == 0;
	switch (body[0]) {
	case 'm': /* empty for a length of 0 */
		return is_hex(r, false);
	case 'g':
	case 'p':
		return r[0] != 0 && is_hex(r, true);
	case 'Z':
	case 'z':
	case 'H':
	case 'M':
	case 'X':
		return !strcmp(r, "OK") || r[0] == 0;
	case 'T':
		return !strcmp(r, "OK");
	case '?':
		return is_stop(r);
	case 'q':
		if (n == 2 && body[1] == 'C')
			return !strncmp(r, "QC", 2);
		if (n >= 12 && (!memcmp(body, "qfThreadInfo", 12) || !memcmp(body, "qsThreadInfo", 12)))
			return r[0] == 'm' || !strcmp(r, "l");
		if (n > 5 && !memcmp(body, "qXfer", 5))
			return r[0] == 'l' || r[0] == 'm' || r[0] == 0;
		if (n >= 10 && !memcmp(body, "qSupported", 10))
			return !strncmp(r, "PacketSize=", 11);
		return true;
	default:
		return true;
	}
}

static void sc_random(int count)
{
	char body[4096];
	int replies = 0, stops = 0, reconnects = 0, errors = 0;
	struct conn *c = attach();
	if (!check(c != NULL, "attached"))
		return;
	srand(12345);
	long t0 = now_ms();
	for (int i = 0; i < count; i++) {
		size_t n = random_body(body, sizeof(body));
		bool resumes = n && (body[0] == 'c' || body[0] == 's' || !strncmp(body, "vCont;", 6));
		if (!send_pkt(c, body, n)) {
			fail("packet %d: the connection broke", i);
			errors++;
			break;
		}
		if (!c->noack && recv_ack(c, timeout_ms) != '+') {
			fail("packet %d ('%.40s'): no ack", i, body);
			errors++;
			break;
		}
		long got = recv_pkt_ms(c, reply, sizeof(reply), resumes ? 200 : timeout_ms);
		if (got == -1 && resumes) {
			/* it runs: Ctrl-C brings the stop */
			send_raw(c, "\x03", 1);
			got = recv_pkt(c, reply, sizeof(reply));
			if (got >= 0 && reply[0] == 'T')
				stops++;
		}
		if (got < 0) {
			fail("packet %d ('%.40s'): no well-formed reply (%ld)", i, body, got);
			errors++;
			break;
		}
		if (!reply_fits(body, n, reply, resumes)) {
			fail("packet %d ('%.40s'): a reply of the wrong form: '%.60s'", i, body, reply);
			errors++;
			break;
		}
		replies++;
		if (n == 1 && body[0] == 'D') {
			conn_close(c);
			c = attach();
			reconnects++;
			if (!c) {
				fail("packet %d: no new session after D", i);
				errors++;
				break;
			}
		}
	}
	long ms = now_ms() - t0;
	check(errors == 0 && replies == count,
	      "%d random packets: %d well-formed replies (%d stops after a resume, %d detach and reconnect) in %ld ms",
	      count, replies, stops, reconnects, ms);
	if (c) {
		/* remove whatever the random Z packets left: detach does */
		check(detach(c), "detach answers OK");
	}
}

static void kill_child(void (*fn)(void), const char *what)
{
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		raise(SIGKILL);
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "a client killed %s", what);
}

/* Takes the debug registers with Z1s on bytes the guest never runs (the
 * zeros after its code), so that the Z0s that follow are planted in guest
 * memory on every host: int3 where KVM intercepts it, else the port-I/O
 * trap. A host without debug registers takes them by stepping instead. */
static void fill_debug_registers(struct conn *c)
{
	for (unsigned i = 0; i < 4; i++)
		cmdf(c, "Z1,%x,1", WINDOW + 0x80 + 0x10 * i);
}

static void die_stopped(void)
{
	struct conn *c = attach();
	if (!c)
		return;
	fill_debug_registers(c);
	cmdf(c, "Z0,%x,1", LOOP);
	cmdf(c, "Z0,%x,1", LOOP + 5);
	cmdf(c, "Z2,%x,4", COUNT);
}

static void die_running(void)
{
	struct conn *c = attach();
	if (!c)
		return;
	fill_debug_registers(c);
	cmdf(c, "Z0,%x,1", 0x10040); /* the cli after the exit hypercall: not reached */
	cmdf(c, "Z1,%x,1", 0x10020);
	send_pkt(c, "c", 1);
	recv_ack(c, timeout_ms);
	usleep(100 * 1000);
}

static void die_mid_packet(void)
{
	struct conn *c = attach();
	if (!c)
		return;
	fill_debug_registers(c);
	cmdf(c, "Z0,%x,1", LOOP);
	send_raw(c, "$M10100,4:0000", 14);
}

static void die_at_a_breakpoint(void)
{
	struct conn *c = attach();
	if (!c)
		return;
	fill_debug_registers(c);
	cmdf(c, "Z0,%x,1", LOOP);
	cmdf(c, "Z0,%x,1", LOOP + 5);
	cmd(c, "c"); /* the stop at a breakpoint */
}

static void sc_kill(void)
{
	kill_child(die_stopped, "while stopped, with Z0, Z1 and Z2 planted");
	kill_child(die_running, "while the machine runs, with breakpoints planted");
	kill_child(die_mid_packet, "in the middle of a packet");
	kill_child(die_at_a_breakpoint, "stopped at its breakpoint");
}

/* The guest's counter, read by a short well-behaved session. */
static bool count_now(uint32_t *v)
{
	bool ok = false;
	struct conn *c = attach();
	if (c) {
		*v = read_u32(c, COUNT, &ok);
		ok = detach(c) && ok;
	}
	return ok;
}

static void rst_close(struct conn *c)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	conn_close(c);
}

static void vanish_attaching(void)
{
	struct conn *c = conn_open();
	if (c)
		rst_close(c);
}

static void vanish_interrupting(void)
{
	struct conn *c = attach();
	if (!c)
		return;
	send_pkt(c, "c", 1);
	recv_ack(c, timeout_ms);
	usleep(50 * 1000);
	send_raw(c, "\x03", 1);
	rst_close(c);
}

static void vanish_running(void)
{
	struct conn *c = attach();
	if (!c)
		return;
	cmdf(c, "Z1,%x,1", 0x10030); /* never reached */
	send_pkt(c, "c", 1);
	recv_ack(c, timeout_ms);
	rst_close(c);
}

/* A client that vanishes (a reset, not a close) at a bad moment: the
 * machine must run on without a debugger, not stay stopped. */
static void vanish(void (*fn)(void), const char *what)
{
	uint32_t c1 = 0, c2 = 0;
	bool ok1 = count_now(&c1);
	fn();
	usleep(500 * 1000);
	bool ok2 = count_now(&c2);
	check(ok1 && ok2 && c2 - c1 > 10000,
	      "a client reset %s: the guest runs on with no debugger (%u iterations in 0.5 s)", what,
	      c2 - c1);
}

static void sc_vanish(void)
{
	vanish(vanish_attaching, "right after connecting, before its attach stop");
	vanish(vanish_interrupting, "right after sending Ctrl-C to the running machine");
	vanish(vanish_running, "while the machine runs with a breakpoint planted");
}

/* gdb's `detach` then a new gdb at once, impatient: D is sent, the next
 * client connects before the OK came back, the old one closes without
 * reading it. The new one may be turned away (the old one was still
 * attached when it knocked); once more, it must be served, and the
 * machine must not have been detached twice (a second detach, from a
 * machine already running, dropped its RAM under it). */
static void sc_handover(int count)
{
	int served = 0, retried = 0;
	struct conn *a = attach();
	if (!check(a != NULL, "attached"))
		return;
	for (int i = 0; i < count && a; i++) {
		send_pkt(a, "D", 1);
		struct conn *b = conn_open();
		conn_close(a);
		a = NULL;
		const char *r = b ? cmd(b, "qSupported") : NULL;
		if (!r || strncmp(r, "PacketSize", 10)) {
			retried++;
			conn_close(b);
			b = conn_open();
			r = b ? cmd(b, "qSupported") : NULL;
		}
		r = r ? cmd(b, "?") : NULL;
		r = r && r[0] == 'T' ? cmd(b, "m10100,4") : NULL;
		if (r && strlen(r) == 8) {
			served++;
			a = b;
		} else {
			conn_close(b);
		}
	}
	check(served == count, "%d hand-overs (D, connect, close before the OK): %d served (%d after being turned away once)",
	      count, served, retried);
	if (a)
		check(detach(a), "detach answers OK");
}

static void sc_cycles(int count)
{
	int ok = 0;
	long t0 = now_ms();
	for (int i = 0; i < count; i++) {
		struct conn *c;
		const char *r;
		switch (i % 3) {
		case 0: /* connect and go */
			c = conn_open();
			ok += c != NULL;
			conn_close(c);
			break;
		case 1: /* a question, then go without D */
			c = conn_open();
			r = c ? cmd(c, "?") : NULL;
			ok += r && r[0] == 'T';
			conn_close(c);
			break;
		default: /* a proper session */
			c = attach();
			ok += c && detach(c);
			break;
		}
	}
	check(ok == count, "%d connect/disconnect cycles (close at once, ? then close, attach and D): %d served, %ld ms",
	      count, ok, now_ms() - t0);
}

static bool turned_away(struct conn *c)
{
	char buf[256];
	size_t n = 0;
	long deadline = now_ms() + timeout_ms;
	while (!c->eof && fill(c, deadline))
		;
	n = c->len < sizeof(buf) - 1 ? c->len : sizeof(buf) - 1;
	memcpy(buf, c->in, n);
	buf[n] = 0;
	return c->eof && strstr(buf, "already attached") != NULL;
}

static void sc_two(void)
{
	struct conn *a = attach();
	if (!check(a != NULL, "the first client attached"))
		return;
	struct conn *b = conn_open();
	if (check(b != NULL, "a second client connects")) {
		send_pkt(b, "?", 1);
		check(turned_away(b), "the second client is told a debugger is attached, and closed");
		conn_close(b);
	}
	struct conn *many[20];
	int away = 0;
	for (int i = 0; i < 20; i++)
		many[i] = conn_open();
	for (int i = 0; i < 20; i++) {
		away += many[i] && turned_away(many[i]);
		conn_close(many[i]);
	}
	check(away == 20, "twenty more at once are all turned away (%d)", away);
	const char *r = cmd(a, "m10000,4");
	check(r && strlen(r) == 8, "the first session goes on (m: %s)", r ? r : "no reply");
	check(detach(a), "the first client detaches");
	b = attach();
	check(b != NULL, "the next client is served");
	if (b)
		detach(b);
}

/* A client that asks for big replies and never reads them, and stays
 * connected: the stub must give it up after its send timeout (10 s for a
 * whole reply) and serve the next client while the first one still holds
 * its socket open. The client sees the stub give up as a reset (the
 * stub closes with requests unread): it polls for that, never reading. */
static void sc_noread(void)
{
	struct conn *c = attach();
	if (!check(c != NULL, "attached"))
		return;
	int small = 4096;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	long t0 = now_ms();
	/* m of 32 KiB is a 64 KiB reply; sent until the stub stops taking
	 * requests (its socket buffer full) or it drops us */
	int sent = 0;
	for (int i = 0; i < 2000; i++) {
		uint8_t pkt[64];
		size_t n = frame("m10000,8000", 11, pkt);
		struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
		if (poll(&pfd, 1, 2000) <= 0 || (pfd.revents & (POLLHUP | POLLERR)) || !send_raw(c, pkt, n))
			break;
		sent++;
	}
	long dropped = -1;
	while (now_ms() - t0 < 60000) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLRDHUP };
		if (poll(&pfd, 1, 100) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
			dropped = now_ms() - t0;
			break;
		}
	}
	check(dropped >= 0 && dropped < 15000,
	      "a client that never reads (%d requests sent) is dropped after the 10 s send timeout (%ld ms)",
	      sent, dropped);
	/* the next client, while the first one still holds its socket */
	long t1 = now_ms();
	struct conn *d = NULL;
	while (now_ms() - t1 < 30000 && !(d = attach()))
		usleep(200 * 1000);
	check(d != NULL, "the next client is served while the dropped one is still connected (%ld ms)",
	      now_ms() - t1);
	conn_close(c);
	if (d)
		detach(d);
}

/* The scenarios: a function, or one that takes a number (the argument,
 * else the default n). */
static const struct scenario {
	const char *name;
	void (*run)(void);
	void (*run_n)(int n);
	int n;
} scenarios[] = {
	{ "check", sc_check, NULL, 0 },        { "release", NULL, sc_release, 0 },
	{ "badsum", sc_badsum, NULL, 0 },      { "oversize", sc_oversize, NULL, 0 },
	{ "cut", sc_cut, NULL, 0 },            { "badhex", sc_badhex, NULL, 0 },
	{ "edges", sc_edges, NULL, 0 },        { "random", NULL, sc_random, 10000 },
	{ "kill", sc_kill, NULL, 0 },          { "vanish", sc_vanish, NULL, 0 },
	{ "handover", NULL, sc_handover, 500 }, { "cycles", NULL, sc_cycles, 1000 },
	{ "two", sc_two, NULL, 0 },            { "noread", sc_noread, NULL, 0 },
};

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: rawclient HOST PORT SCENARIO [IMAGE|N]\n");
		return 2;
	}
	host = argv[1];
	port = argv[2];
	const char *sc = argv[3];
	const char *arg = argc > 4 ? argv[4] : NULL;
	image = arg; /* for check; the others take a number or nothing */
	if (getenv("RAWCLIENT_TIMEOUT_MS"))
		timeout_ms = atoi(getenv("RAWCLIENT_TIMEOUT_MS"));
	signal(SIGPIPE, SIG_IGN);

	const struct scenario *r = NULL;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]) && !r; i++)
		if (!strcmp(sc, scenarios[i].name))
			r = &scenarios[i];
	if (!r) {
		fprintf(stderr, "rawclient: unknown scenario %s\n", sc);
		return 2;
	}
	if (r->run_n)
		r->run_n(arg ? atoi(arg) : r->n);
	else
		r->run();
	return failures ? 1 : 0;
}
