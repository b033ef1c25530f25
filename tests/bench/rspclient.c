/* tests/bench/rspclient.c: a raw GDB remote protocol client that times a stub: `c` to a hardware breakpoint, `s`, `g`, and `m` throughput.
 *
 *   rspclient [-n N] [-c N] [-b ADDR] [-a ADDR] [-l LEN] [-r N] [-t TID] HOST:PORT
 *
 * Connects (retrying for a few seconds while the server starts), sends
 * qSupported and reads PacketSize, turns acknowledgements off with
 * QStartNoAckMode, asks `?`, then runs, in this order:
 *   -c N hits of `c` to a hardware breakpoint at -b ADDR (Z1): only the
 *        `c` and its stop reply are timed; between two hits the client
 *        steps off the breakpoint as gdb does (z1, s, Z1), untimed;
 *   -n N `s`, each timed up to its stop reply; with -t TID, `vCont;s:TID`
 *        instead: that thread steps and every other one stays stopped
 *        ("Packets", vCont: threads without an action are not resumed),
 *        the step a debugger makes of one vCPU on a machine of several;
 *   -n N `g`;
 *   -r N reads of the -l LEN bytes at -a ADDR with `m`, in the largest
 *        pieces the server allows (PacketSize / 2 bytes, as gdb does);
 * and ends with `k`. It prints one `key value` line per figure (medians,
 * microseconds or MB/s; MB = 10^6 bytes) for tests/bench/gdbstub-bench,
 * plus the reply sizes and the first 16 bytes read (m_head), so that two
 * stubs loading the same kernel can be checked to read the same memory.
 * Packet format: GDB manual, "Remote Protocol", "Overview" (framing,
 * checksums, `}` escapes, `*` run-length encoding) and "Packets".
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_MAX  (256 * 1024) /* any reply we take, decoded */
#define WAIT_MS  30000        /* no reply within this: the server is stuck */

struct conn {
	int fd;
	bool noack;
	uint8_t in[65536]; /* bytes read, not yet consumed */
	size_t in_len, in_pos;
	char pkt[BUF_MAX + 1]; /* the last packet's body, decoded, NUL-ended */
	size_t pkt_len;
	char out[BUF_MAX + 8];
};

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* HOST:PORT, retried until the server listens or `ms` have passed. */
static int conn_open(struct conn *c, const char *spec, int ms)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai;

	if (!colon || (size_t)(colon - spec) >= sizeof(host))
		return -EINVAL;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = 0;
	if (getaddrinfo(host[0] ? host : "127.0.0.1", colon + 1, &hints, &ai))
		return -EADDRNOTAVAIL;
	int err = -ECONNREFUSED;
	for (int waited = 0; waited <= ms; waited += 20) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = -errno;
			break;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			int one = 1;
			/* one packet per write: what gdb does too */
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			c->fd = fd;
			freeaddrinfo(ai);
			return 0;
		}
		err = -errno;
		close(fd);
		usleep(20000);
	}
	freeaddrinfo(ai);
	return err;
}

static int read_byte(struct conn *c)
{
	if (c->in_pos == c->in_len) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int r = poll(&p, 1, WAIT_MS);
		if (r == 0)
			return -ETIMEDOUT;
		if (r < 0)
			return -errno;
		ssize_t n = read(c->fd, c->in, sizeof(c->in));
		if (n == 0)
			return -ECONNRESET;
		if (n < 0)
			return -errno;
		c->in_len = (size_t)n;
		c->in_pos = 0;
	}
	return c->in[c->in_pos++];
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Frame and send one packet; before no-ack mode, wait for its `+`. */
static int send_packet(struct conn *c, const char *body)
{
	size_t n = strlen(body);
	unsigned sum = 0;
	if (n + 4 > sizeof(c->out))
		return -E2BIG;
	c->out[0] = '$';
	memcpy(c->out + 1, body, n);
	for (size_t i = 0; i < n; i++)
		sum += (unsigned char)body[i];
	snprintf(c->out + 1 + n, 4, "#%02x", sum & 0xff);
	int r = write_all(c->fd, c->out, n + 4);
	if (r < 0 || c->noack)
		return r;
	for (;;) {
		int b = read_byte(c);
		if (b < 0)
			return b;
		if (b == '+')
			return 0;
		if (b == '-')
			return write_all(c->fd, c->out, n + 4);
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

/* Refill c->in when it is empty. */
static int fill(struct conn *c)
{
	if (c->in_pos < c->in_len)
		return 0;
	int b = read_byte(c);
	if (b < 0)
		return b;
	c->in_pos--; /* read_byte consumed it: put it back */
	return 0;
}

/* Receive one packet into c->pkt, checksum checked, `}` escapes and `*`
 * runs expanded. Returns its length. Plain bytes are taken in runs (a
 * 64 KiB reply must not cost the client more than the stub). */
static int recv_packet(struct conn *c)
{
	int b;
	unsigned sum = 0;
	size_t n = 0;

	do {
		if ((b = read_byte(c)) < 0)
			return b;
	} while (b != '$');
	for (;;) {
		int r = fill(c);
		if (r < 0)
			return r;
		/* the run of plain bytes at the front of the buffer */
		const uint8_t *p = c->in + c->in_pos, *e = c->in + c->in_len, *q = p;
		while (q < e && *q != '#' && *q != '}' && *q != '*')
			sum += *q++;
		size_t k = (size_t)(q - p);
		if (n + k > BUF_MAX)
			return -EMSGSIZE;
		memcpy(c->pkt + n, p, k);
		n += k;
		c->in_pos += k;
		if (q == e)
			continue;
		b = read_byte(c);
		if (b == '#')
			break;
		sum += (unsigned)b;
		int x = read_byte(c);
		if (x < 0)
			return x;
		sum += (unsigned)x;
		if (b == '}') {
			if (n >= BUF_MAX)
				return -EMSGSIZE;
			c->pkt[n++] = (char)(x ^ 0x20);
		} else {
			/* run-length: the previous character x - 29 more times */
			if (n == 0 || x < 29 || n + (size_t)(x - 29) > BUF_MAX)
				return -EPROTO;
			memset(c->pkt + n, c->pkt[n - 1], (size_t)(x - 29));
			n += (size_t)(x - 29);
		}
	}
	int h = read_byte(c), l = h < 0 ? h : read_byte(c);
	if (h < 0 || l < 0)
		return h < 0 ? h : l;
	if (hexval(h) < 0 || hexval(l) < 0 || (unsigned)(hexval(h) << 4 | hexval(l)) != (sum & 0xff))
		return -EBADMSG;
	if (!c->noack) {
		int r = write_all(c->fd, "+", 1);
		if (r < 0)
			return r;
	}
	c->pkt[n] = 0;
	c->pkt_len = n;
	return (int)n;
}

static int transact(struct conn *c, const char *body)
{
	int r = send_packet(c, body);
	return r < 0 ? r : recv_packet(c);
}

/* Wait for a stop reply (T/S), skipping console output (O); W or X: the
 * guest is gone. */
static int wait_stop(struct conn *c)
{
	for (;;) {
		int r = recv_packet(c);
		if (r < 0)
			return r;
		if (c->pkt[0] == 'T' || c->pkt[0] == 'S')
			return 0;
		if (c->pkt[0] == 'W' || c->pkt[0] == 'X')
			return -ESRCH;
		if (c->pkt[0] == 'O' && c->pkt[1])
			continue;
		return -EPROTO;
	}
}

static int expect_ok(struct conn *c, const char *body)
{
	int r = transact(c, body);
	if (r < 0)
		return r;
	return strcmp(c->pkt, "OK") ? -EPROTO : 0;
}

struct opts {
	unsigned n_steps, n_hits, mem_reps;
	uint64_t bp, mem_addr, mem_len;
	unsigned step_tid; /* 0: plain `s` */
};

static int run(struct conn *c, const struct opts *o)
{
	char cmd[96];
	int r;
	double *v;
	size_t nmax = o->n_steps > o->n_hits ? o->n_steps : o->n_hits;

	if (nmax < o->mem_reps)
		nmax = o->mem_reps;
	v = calloc(nmax + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;

	/* Handshake, as gdb does it ("General Query Packets", qSupported). */
	if ((r = transact(c, "qSupported:multiprocess-;swbreak+;hwbreak+;vContSupported+")) < 0)
		goto out;
	unsigned long psize = 0;
	const char *ps = strstr(c->pkt, "PacketSize=");
	if (ps)
		psize = strtoul(ps + 11, NULL, 16);
	if (psize < 64)
		psize = 400; /* the manual's default when none is offered */
	printf("packet_size %lu\n", psize);
	if (strstr(c->pkt, "QStartNoAckMode+")) {
		if ((r = expect_ok(c, "QStartNoAckMode")) < 0)
			goto out;
		c->noack = true;
	}
	if ((r = transact(c, "?")) < 0)
		goto out;

	/* `c` to a hardware breakpoint. The first `c` runs the guest from its
	 * start (QEMU: through the BIOS) and is not counted. */
	if (o->bp && o->n_hits) {
		snprintf(cmd, sizeof(cmd), "Z1,%llx,1", (unsigned long long)o->bp);
		if ((r = expect_ok(c, cmd)) < 0) {
			fprintf(stderr, "rspclient: %s refused (%s)\n", cmd, c->pkt);
			goto out;
		}
		size_t k = 0;
		double first = 0;
		for (unsigned i = 0; i <= o->n_hits; i++) {
			if (i > 0) {
				/* step off the breakpoint as gdb does, untimed */
				snprintf(cmd, sizeof(cmd), "z1,%llx,1", (unsigned long long)o->bp);
				if ((r = expect_ok(c, cmd)) < 0 || (r = send_packet(c, "s")) < 0 ||
				    (r = wait_stop(c)) < 0)
					goto out;
				cmd[0] = 'Z';
				if ((r = expect_ok(c, cmd)) < 0)
					goto out;
			}
			double t0 = now_us();
			if ((r = send_packet(c, "c")) < 0 || (r = wait_stop(c)) < 0)
				goto out;
			if (i > 0)
				v[k++] = now_us() - t0;
			else
				first = now_us() - t0;
		}
		/* the first `c` too: from the start to the first hit */
		printf("c_us %.1f\nc_hits %zu\nc_first_us %.1f\n", median(v, k), k, first);
		snprintf(cmd, sizeof(cmd), "z1,%llx,1", (unsigned long long)o->bp);
		if ((r = expect_ok(c, cmd)) < 0)
			goto out;
	}

	/* `s`, each to its stop reply */
	char step[32] = "s";
	if (o->step_tid)
		snprintf(step, sizeof(step), "vCont;s:%x", o->step_tid);
	for (unsigned i = 0; i < o->n_steps; i++) {
		double t0 = now_us();
		if ((r = send_packet(c, step)) < 0 || (r = wait_stop(c)) < 0)
			goto out;
		v[i] = now_us() - t0;
	}
	if (o->n_steps)
		printf("s_us %.1f\n", median(v, o->n_steps));

	/* `g` */
	for (unsigned i = 0; i < o->n_steps; i++) {
		double t0 = now_us();
		if ((r = transact(c, "g")) < 0)
			goto out;
		v[i] = now_us() - t0;
		if (c->pkt[0] == 'E' && c->pkt_len == 3) {
			r = -EIO;
			goto out;
		}
	}
	if (o->n_steps)
		printf("g_us %.1f\ng_bytes %zu\n", median(v, o->n_steps), c->pkt_len / 2);

	/* `m`: PacketSize / 2 bytes per packet, as gdb reads memory. The
	 * first read is a check, untimed: every reply is hex, and a checksum
	 * (FNV-1a) of the bytes lets two stubs be compared. */
	uint64_t chunk = psize / 2;
	if (chunk > BUF_MAX / 2)
		chunk = BUF_MAX / 2;
	uint32_t fnv = 2166136261u;
	char head[33] = "";
	for (unsigned i = 0; i <= o->mem_reps && o->mem_reps; i++) {
		uint64_t done = 0;
		double t0 = now_us();
		while (done < o->mem_len) {
			uint64_t n = o->mem_len - done < chunk ? o->mem_len - done : chunk;
			snprintf(cmd, sizeof(cmd), "m%llx,%llx", (unsigned long long)(o->mem_addr + done),
				 (unsigned long long)n);
			if ((r = transact(c, cmd)) < 0)
				goto out;
			if (c->pkt[0] == 'E' || c->pkt_len == 0 || c->pkt_len % 2) {
				fprintf(stderr, "rspclient: %s: %.40s\n", cmd, c->pkt);
				r = -EIO;
				goto out;
			}
			for (size_t j = 0; i == 0 && j < c->pkt_len; j += 2) {
				int hi = hexval(c->pkt[j]), lo = hexval(c->pkt[j + 1]);
				if (hi < 0 || lo < 0) {
					r = -EPROTO;
					goto out;
				}
				fnv = (fnv ^ (uint32_t)(hi << 4 | lo)) * 16777619u;
			}
			if (i == 0 && done == 0)
				snprintf(head, sizeof(head), "%.32s", c->pkt);
			/* a stub may return fewer bytes than asked */
			done += c->pkt_len / 2;
		}
		if (i > 0)
			v[i - 1] = (double)o->mem_len / (now_us() - t0); /* bytes per us = MB/s */
	}
	if (o->mem_reps)
		printf("m_MBps %.1f\nm_chunk %llu\nm_fnv %08x\nm_head %s\n", median(v, o->mem_reps),
		       (unsigned long long)chunk, fnv, head);

	/* `k` has no reply ("Packets"); a stub may close at once. */
	(void)send_packet(c, "k");
	r = 0;
out:
	free(v);
	return r;
}

static void usage(void)
{
	fprintf(stderr, "usage: rspclient [-n STEPS] [-c HITS] [-b BPADDR] [-a MEMADDR] [-l MEMLEN] "
			"[-r MEMREPS] [-t STEPTID] HOST:PORT\n");
}

int main(int argc, char **argv)
{
	struct opts o = { .n_steps = 1000, .n_hits = 100, .mem_reps = 20,
			  .mem_addr = 0x100000, .mem_len = 65536 };
	static struct conn c; /* large buffers: static, zeroed (BSS) */
	int opt, r;

	while ((opt = getopt(argc, argv, "n:c:b:a:l:r:t:")) != -1) {
		char *end;
		unsigned long long x = strtoull(optarg, &end, 0);
		if (*end || !*optarg) {
			usage();
			return 2;
		}
		switch (opt) {
		case 'n': o.n_steps = (unsigned)x; break;
		case 'c': o.n_hits = (unsigned)x; break;
		case 'b': o.bp = x; break;
		case 'a': o.mem_addr = x; break;
		case 'l': o.mem_len = x; break;
		case 'r': o.mem_reps = (unsigned)x; break;
		case 't': o.step_tid = (unsigned)x; break;
		default: usage(); return 2;
		}
	}
	if (optind + 1 != argc || o.n_steps > 1000000 || o.n_hits > 1000000 || o.mem_reps > 1000000) {
		usage();
		return 2;
	}
	if ((r = conn_open(&c, argv[optind], 10000)) < 0) {
		fprintf(stderr, "rspclient: %s: %s\n", argv[optind], strerror(-r));
		return 1;
	}
	r = run(&c, &o);
	close(c.fd);
	if (r < 0) {
		fprintf(stderr, "rspclient: %s: %s (last packet: %.60s)\n", argv[optind], strerror(-r),
			c.pkt);
		return 1;
	}
	return 0;
}
