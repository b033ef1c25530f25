/* tests/bench/rspfloor.c: a trivial GDB remote protocol server that answers every packet at once: the round-trip floor no stub can beat.
 *
 *   rspfloor [-g GBYTES] PORT
 *
 * Listens on 127.0.0.1:PORT (0: a free port), prints
 * "rspfloor: listening on 127.0.0.1:PORT" on stderr, serves one client
 * and exits when it leaves (or sends `k`). There is no machine behind it:
 * `?`, `s`, `c` and `vCont` answer the stop reply S05 at once; `g` a
 * register block of GBYTES zero bytes (default 0: an empty reply), so
 * that it can be as long as a real stub's; `m` zeros of the length
 * asked; qSupported offers PacketSize 0x10000 and QStartNoAckMode; H, M,
 * Z, z answer OK; anything else the empty reply ("Packets": an empty
 * reply means not supported).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PKT_MAX 0x10000

static uint8_t inbuf[65536];
static size_t in_len, in_pos;
static char pkt[PKT_MAX + 1];
static char reply[2 * PKT_MAX + 16];
static char frame[2 * PKT_MAX + 32];

static int read_byte(int fd)
{
	if (in_pos == in_len) {
		ssize_t n;
		do
			n = read(fd, inbuf, sizeof(inbuf));
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			return -1;
		in_len = (size_t)n;
		in_pos = 0;
	}
	return inbuf[in_pos++];
}

/* The next packet body (checksum not checked: the floor trusts its client). */
static long next_packet(int fd)
{
	int b;
	size_t n = 0;
	do {
		if ((b = read_byte(fd)) < 0)
			return -1;
		if (b == 0x03) /* an interrupt: answered as a stop */
			return 0;
	} while (b != '$');
	while ((b = read_byte(fd)) != '#') {
		if (b < 0)
			return -1;
		if (n < PKT_MAX)
			pkt[n++] = (char)b;
	}
	if (read_byte(fd) < 0 || read_byte(fd) < 0)
		return -1;
	pkt[n] = 0;
	return (long)n;
}

static int send_reply(int fd, const char *body, size_t n, bool ack)
{
	unsigned sum = 0;
	size_t k = 0;
	if (ack)
		frame[k++] = '+';
	frame[k++] = '$';
	memcpy(frame + k, body, n);
	k += n;
	for (size_t i = 0; i < n; i++)
		sum += (unsigned char)body[i];
	k += (size_t)snprintf(frame + k, 4, "#%02x", sum & 0xff);
	const char *p = frame;
	while (k > 0) {
		ssize_t w = write(fd, p, k);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		k -= (size_t)w;
	}
	return 0;
}

static size_t zeros(size_t bytes)
{
	if (bytes > PKT_MAX)
		bytes = PKT_MAX;
	memset(reply, '0', 2 * bytes);
	return 2 * bytes;
}

static void serve(int fd, size_t gbytes)
{
	bool noack = false;
	long n;

	while ((n = next_packet(fd)) >= 0) {
		const char *r = "";
		size_t len;
		bool now_noack = false;

		switch (n ? pkt[0] : '?') {
		case 'q':
			if (!strncmp(pkt, "qSupported", 10))
				r = "PacketSize=10000;QStartNoAckMode+";
			break;
		case 'Q':
			if (!strcmp(pkt, "QStartNoAckMode")) {
				r = "OK";
				now_noack = true;
			}
			break;
		case '?': case 's': case 'c': case 'S': case 'C':
			r = "S05";
			break;
		case 'v':
			if (!strncmp(pkt, "vCont;", 6))
				r = "S05";
			else if (!strcmp(pkt, "vCont?"))
				r = "vCont;c;C;s;S";
			break;
		case 'H': case 'M': case 'X': case 'Z': case 'z': case 'G': case 'P':
			r = "OK";
			break;
		case 'k':
			return;
		}
		if (n && pkt[0] == 'g') {
			len = zeros(gbytes);
			r = reply;
		} else if (n && pkt[0] == 'm') {
			const char *comma = strchr(pkt, ',');
			len = zeros(comma ? strtoul(comma + 1, NULL, 16) : 0);
			r = reply;
		} else {
			len = strlen(r);
		}
		if (send_reply(fd, r, len, !noack) < 0)
			return;
		noack = noack || now_noack;
	}
}

int main(int argc, char **argv)
{
	size_t gbytes = 0;
	int opt;

	while ((opt = getopt(argc, argv, "g:")) != -1) {
		if (opt != 'g') {
			fprintf(stderr, "usage: rspfloor [-g GBYTES] PORT\n");
			return 2;
		}
		gbytes = strtoul(optarg, NULL, 0);
	}
	if (optind + 1 != argc || gbytes > PKT_MAX) {
		fprintf(stderr, "usage: rspfloor [-g GBYTES] PORT\n");
		return 2;
	}
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[optind])),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int one = 1;
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0 ||
	    getsockname(ls, (struct sockaddr *)&sa, &sl) < 0) {
		perror("rspfloor");
		return 1;
	}
	fprintf(stderr, "rspfloor: listening on 127.0.0.1:%u\n", ntohs(sa.sin_port));
	int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		perror("rspfloor: accept");
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	serve(fd, gbytes);
	close(fd);
	close(ls);
	return 0;
}
