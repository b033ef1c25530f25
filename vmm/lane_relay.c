/* vmm/lane_relay.c: the inside of the lane: runs gdbvmm on the ports, bridges the gdb port to the inner stub. */
#include "vmm/lane.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmm/lane_frame.h"
#include "vmm/vm.h"

/* How long a new gdb client waits for the inner stub to listen (it does
 * once the inner gdbvmm has loaded its images: well under a second). */
#define STUB_WAIT_MS 30000

struct relay {
	int in_port, gdb_port;   /* the ports, as vmm/lane/init linked them */
	int child_in;            /* the pipe to the inner gdbvmm's stdin */
	int tcp;                 /* the connection to the inner stub, or -1 */
	int gdb_port_no;
	bool in_esc, gdb_esc;
	bool want_tcp;           /* a client is on the host side */
	bool stub_up;            /* the inner stub listens; the host was told */
	long tcp_deadline;
	struct lane_buf to_child, to_tcp, to_host;
};

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int open_port(const char *name, int flags)
{
	char path[128];
	snprintf(path, sizeof(path), LANE_PORT_DIR "%s", name);
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "gdbvmm: lane: %s: %s\n", path, strerror(errno));
	return fd;
}

/* Does the inner stub listen yet? /proc/net/tcp lists sockets as
 * "sl local_address rem_address st ...", addresses as hex IPv4:port,
 * st 0A for LISTEN (the Linux kernel documentation, "proc_net_tcp"). */
static bool stub_listening(int port)
{
	FILE *f = fopen("/proc/net/tcp", "re");
	char line[256], want[32];
	bool found = false;

	if (!f)
		return false;
	snprintf(want, sizeof(want), ":%04X 00000000:0000 0A ", port);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, want) != NULL;
	fclose(f);
	return found;
}

static void tcp_close(struct relay *r)
{
	if (r->tcp >= 0)
		close(r->tcp);
	r->tcp = -1;
	r->to_tcp.off = r->to_tcp.len = 0;
}

/* One attempt; the stub may not listen yet. */
static void tcp_try_connect(struct relay *r)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)r->gdb_port_no) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;

	inet_pton(AF_INET, LANE_INNER_GDB_HOST, &sa.sin_addr);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		if (now_ms() > r->tcp_deadline) {
			/* tell the host: its client goes */
			r->want_tcp = false;
			r->to_tcp.off = r->to_tcp.len = 0;
			if (lane_buf_room(&r->to_host) >= 2)
				lane_buf_put_ctl(&r->to_host, LANE_CTL_EOF);
		}
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	r->tcp = fd;
}

/* Host -> stub: data, a new client (a fresh connection, so the stub
 * starts a fresh session), or the client gone. */
static void from_host_gdb(struct relay *r, const uint8_t *buf, size_t n)
{
	while (n) {
		uint8_t out[4096];
		size_t used;
		int ctl;
		size_t m = lane_frame_decode(&r->gdb_esc, buf, n < sizeof(out) ? n : sizeof(out), out,
					     &used, &ctl);
		if (m && r->want_tcp && lane_buf_room(&r->to_tcp) >= m)
			lane_buf_put(&r->to_tcp, out, m);
		if (ctl == LANE_CTL_OPEN) {
			tcp_close(r);
			r->want_tcp = true;
			r->tcp_deadline = now_ms() + STUB_WAIT_MS;
		} else if (ctl == LANE_CTL_EOF) {
			if (r->tcp >= 0)
				(void)lane_buf_flush(&r->to_tcp, r->tcp);
			tcp_close(r);
			r->want_tcp = false;
		}
		buf += used;
		n -= used;
	}
}

/* Host -> the inner gdbvmm's stdin; LANE_CTL_EOF closes the pipe, which
 * the inner console reads as end of input. */
static void from_host_stdin(struct relay *r, const uint8_t *buf, size_t n)
{
	while (n && r->child_in >= 0) {
		uint8_t out[4096];
		size_t used;
		int ctl;
		size_t m = lane_frame_decode(&r->in_esc, buf, n < sizeof(out) ? n : sizeof(out), out,
					     &used, &ctl);
		lane_buf_put(&r->to_child, out, m);
		if (ctl == LANE_CTL_EOF) {
			/* what is queued still goes, blocking: the inner reads it */
			fcntl(r->child_in, F_SETFL, 0);
			(void)lane_buf_flush(&r->to_child, r->child_in);
			close(r->child_in);
			r->child_in = -1;
		}
		buf += used;
		n -= used;
	}
}

enum { F_SIG, F_IN, F_CHILD, F_GDB, F_TCP, NR_FDS };

static int serve(struct relay *r, pid_t child, int sfd)
{
	uint8_t buf[LANE_BUF_SIZE / 4];

	for (;;) {
		struct pollfd p[NR_FDS];
		int timeout = -1;
		for (int i = 0; i < NR_FDS; i++)
			p[i] = (struct pollfd){ .fd = -1 };
		p[F_SIG] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (r->child_in >= 0) {
			if (r->to_child.len > r->to_child.off)
				p[F_CHILD] = (struct pollfd){ .fd = r->child_in, .events = POLLOUT };
			else
				p[F_IN] = (struct pollfd){ .fd = r->in_port, .events = POLLIN };
		}
		if (r->gdb_port >= 0) {
			short ev = 0;
			if (lane_buf_room(&r->to_tcp) >= sizeof(buf))
				ev |= POLLIN;
			if (r->to_host.len > r->to_host.off)
				ev |= POLLOUT;
			p[F_GDB] = (struct pollfd){ .fd = r->gdb_port, .events = ev };
			if (!r->stub_up) {
				/* the host listens once we say the stub does */
				r->stub_up = stub_listening(r->gdb_port_no);
				if (r->stub_up) {
					lane_buf_put_ctl(&r->to_host, LANE_CTL_OPEN);
					p[F_GDB].events |= POLLOUT;
				} else {
					timeout = 20;
				}
			}
			if (r->want_tcp && r->tcp < 0) {
				tcp_try_connect(r);
				if (r->tcp < 0 && r->want_tcp)
					timeout = 20;
			}
			if (r->tcp >= 0) {
				ev = 0;
				if (lane_buf_room(&r->to_host) > LANE_BUF_SIZE / 2)
					ev |= POLLIN;
				if (r->to_tcp.len > r->to_tcp.off)
					ev |= POLLOUT;
				p[F_TCP] = (struct pollfd){ .fd = r->tcp, .events = ev };
			}
		}
		if (poll(p, NR_FDS, timeout) < 0 && errno != EINTR)
			return VM_STATUS_UNHANDLED;
		/* A port whose host side is not connected reads as its end at
		 * once (measured; Linux's virtio console driver); ours is connected from
		 * the start, so a hang-up means qemu's end went away. */
		if (p[F_SIG].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) > 0 && si.ssi_signo == SIGCHLD) {
				int ws;
				if (waitpid(child, &ws, WNOHANG) == child) {
					if (r->tcp >= 0 || r->to_host.len > r->to_host.off) {
						fcntl(r->gdb_port, F_SETFL, 0);
						(void)lane_buf_flush(&r->to_host, r->gdb_port);
					}
					return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
				}
			}
		}
		if (p[F_IN].revents & POLLIN) {
			ssize_t n = read(r->in_port, buf, sizeof(buf));
			if (n > 0) {
				from_host_stdin(r, buf, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				/* qemu's end went away: no more input */
				static const uint8_t eof[] = { LANE_ESC, LANE_CTL_EOF };
				from_host_stdin(r, eof, sizeof(eof));
			}
		}
		if (r->child_in >= 0 && (p[F_CHILD].revents & (POLLOUT | POLLERR)) &&
		    lane_buf_flush(&r->to_child, r->child_in) < 0) {
			/* the inner gdbvmm does not read its stdin any more */
			close(r->child_in);
			r->child_in = -1;
		}
		if (p[F_GDB].revents & POLLIN) {
			ssize_t n = read(r->gdb_port, buf, sizeof(buf));
			if (n > 0)
				from_host_gdb(r, buf, (size_t)n);
		}
		if (p[F_GDB].revents & POLLOUT)
			(void)lane_buf_flush(&r->to_host, r->gdb_port);
		if (r->tcp >= 0 && (p[F_TCP].revents & POLLOUT) &&
		    lane_buf_flush(&r->to_tcp, r->tcp) < 0)
			p[F_TCP].revents |= POLLHUP;
		if (r->tcp >= 0 && (p[F_TCP].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = read(r->tcp, buf, sizeof(buf));
			if (n > 0) {
				lane_buf_put_encoded(&r->to_host, buf, (size_t)n);
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				/* the stub let its client go (kill, a second
				 * debugger's refusal): the host's client goes too */
				tcp_close(r);
				r->want_tcp = false;
				lane_buf_put_ctl(&r->to_host, LANE_CTL_EOF);
			}
			(void)lane_buf_flush(&r->to_host, r->gdb_port);
		}
	}
}

int lane_relay_main(int argc, char **argv)
{
	struct relay *r;
	int i = 2;

	/* gdbvmm --lane-relay GDBPORT -- ARGS... */
	if (argc < 5 || strcmp(argv[3], "--"))
		return VM_STATUS_USAGE;
	/* our own messages go where the inner gdbvmm's go */
	int err_port = open_port(LANE_PORT_STDERR, O_WRONLY);
	int out_port = open_port(LANE_PORT_STDOUT, O_WRONLY);
	if (err_port < 0 || out_port < 0)
		return VM_STATUS_USAGE;
	dup2(err_port, 2);
	if (!(r = calloc(1, sizeof(*r))))
		return VM_STATUS_USAGE;
	r->tcp = r->gdb_port = -1;
	r->gdb_port_no = strcmp(argv[i], "-") ? atoi(argv[i]) : 0;
	r->in_port = open_port(LANE_PORT_STDIN, O_RDWR);
	if (r->gdb_port_no)
		r->gdb_port = open_port(LANE_PORT_GDB, O_RDWR | O_NONBLOCK);
	int pfd[2];
	if (r->in_port < 0 || (r->gdb_port_no && r->gdb_port < 0) || pipe2(pfd, O_CLOEXEC)) {
		free(r);
		return VM_STATUS_USAGE;
	}
	/* open now: what the host sends from here on is kept for us */
	static const uint8_t ready[] = { LANE_ESC, LANE_CTL_OPEN };
	if (write(r->in_port, ready, sizeof(ready)) != (ssize_t)sizeof(ready))
		fprintf(stderr, "gdbvmm: lane: stdin's port: %s\n", strerror(errno));

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC);

	/* the inner gdbvmm: argv[4..], this same binary; it must not look for
	 * a lane of its own */
	pid_t child = fork();
	if (child == 0) {
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		if (dup2(pfd[0], 0) < 0 || dup2(out_port, 1) < 0 || dup2(err_port, 2) < 0)
			_exit(VM_STATUS_USAGE);
		setenv("GDBVMM_LANE", "off", 1);
		static char name[] = "gdbvmm";
		argv[3] = name;
		execv("/proc/self/exe", argv + 3);
		fprintf(stderr, "gdbvmm: lane: exec: %s\n", strerror(errno));
		_exit(VM_STATUS_USAGE);
	}
	close(pfd[0]);
	close(out_port);
	if (child < 0 || sfd < 0) {
		free(r);
		return VM_STATUS_USAGE;
	}
	r->child_in = pfd[1];
	fcntl(r->child_in, F_SETFL, O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	int st = serve(r, child, sfd);
	free(r);
	return st;
}
