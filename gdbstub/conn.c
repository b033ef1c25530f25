/* gdbstub/conn.c: the stub's sockets: listen, one client at a time, poll client and target, serve loop. */
#include "gdbstub/conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "gdbstub/gdbstub.h"
#include "gdbstub/packet.h"

/* A client that has not taken one whole reply after this long is
 * dropped (seconds; send_all). */
#define SEND_TIMEOUT 10

/* While a resumed machine runs with a client attached, the serving
 * thread waits this long for the stop to be served where it happens
 * (gdb_stub_serve_here) before it serves again itself: the longest a
 * 0x03 or a new connection then waits (milliseconds). */
#define HANDBACK_MS 50

/* Who runs the loop: the thread in gdb_stub_serve, nobody (a resumed
 * machine runs and the next stop may be served where it happens), or a
 * thread in gdb_stub_serve_here. Only that thread touches the client. */
enum lead { LEAD_MAIN, LEAD_NONE, LEAD_HERE };

const char gdb_conn_busy_msg[] = GDB_CONN_BUSY_MSG;

struct gdb_stub {
	const struct gdb_target_ops *ops;
	void *tgt;
	struct gdb_listen spec;
	int lfd;          /* listening socket */
	int cfd;          /* the client, or -1 */
	bool attaching;   /* ops->attach called, its stop not yet taken */
	bool detach_pending; /* the client left while a stop was on its way:
	                      * ops->detach once the machine has stopped */
	bool only_attached;  /* ... and that stop was its attach: it never
	                      * touched the machine */
	bool fault_held;  /* a fault happened while nobody was attached */
	struct gdb_stop fault;
	char addr[300];
	int ncpus;
	enum gdb_resume_action *all_cont;
	struct gdb_session *sess;
	struct rsp_parser *parser;
	struct gdb_out out;
	uint8_t rbuf[4096];
	pthread_mutex_t lead_lock; /* lead, over, inside */
	pthread_cond_t lead_cond;  /* inside fell to 0, main_busy ended */
	enum lead lead;
	bool over;        /* serving is over (over_r: gdb_stub_serve's result) */
	int over_r;
	int inside;       /* threads in gdb_stub_serve_here */
	bool main_busy;   /* gdb_stub_serve serves what it waited for */
	int wake_fd;      /* gdb_stub_serve_here gave the loop back */
};

/* ------------------------------------------------------------------------
 * listen specs
 * ------------------------------------------------------------------------ */

/* QEMU chardev options that mean what we always do anyway. */
static int strip_options(char *buf)
{
	static const char *const ok[] = {
		"server", "server=on", "nowait", "wait=off",
	};
	char *comma;

	while ((comma = strrchr(buf, ','))) {
		bool known = false;
		for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
			if (!strcmp(comma + 1, ok[i]))
				known = true;
		if (!known)
			return -EINVAL;
		*comma = 0;
	}
	return 0;
}

static int parse_port(const char *s, char *out)
{
	unsigned long v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 5)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -EINVAL;
	snprintf(out, 6, "%lu", v);
	return 0;
}

static bool host_chars_ok(const char *h, bool v6)
{
	for (; *h; h++) {
		char c = *h;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')
			continue;
		if (v6 && (c == ':' || c == '%'))
			continue;
		return false;
	}
	return true;
}

int gdb_conn_parse(const char *spec, struct gdb_listen *l)
{
	char buf[512];
	char *hp, *colon;
	const char *host, *port;

	memset(l, 0, sizeof(*l));
	if (!spec)
		spec = GDB_STUB_DEFAULT_LISTEN;
	size_t n = strlen(spec);
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, spec, n + 1);
	if (strip_options(buf))
		return -EINVAL;

	if (!strncmp(buf, "unix:", 5)) {
		const char *path = buf + 5;
		if (!*path || strlen(path) >= sizeof(l->path) ||
		    strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return -EINVAL;
		l->is_unix = true;
		strcpy(l->path, path);
		return 0;
	}

	hp = buf;
	if (!strncmp(hp, "tcp:", 4))
		hp += 4;
	colon = strrchr(hp, ':');
	if (colon) {
		*colon = 0;
		host = hp;
		port = colon + 1;
	} else {
		host = "";
		port = hp;
	}
	if (parse_port(port, l->port))
		return -EINVAL;

	size_t hl = strlen(host);
	if (hl && host[0] == '[') { /* [v6addr] */
		if (hl < 3 || host[hl - 1] != ']' || hl - 2 >= sizeof(l->host))
			return -EINVAL;
		memcpy(l->host, host + 1, hl - 2);
		l->host[hl - 2] = 0;
		if (!host_chars_ok(l->host, true))
			return -EINVAL;
		return 0;
	}
	if (hl >= sizeof(l->host) || !host_chars_ok(host, false))
		return -EINVAL;
	/* no host: loopback only, never every interface */
	strcpy(l->host, hl ? host : "127.0.0.1");
	return 0;
}

/* ------------------------------------------------------------------------
 * sockets
 * ------------------------------------------------------------------------ */

static int bind_unix(const struct gdb_listen *l, int *lfd, char *addr, size_t addrlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat sb;

	strcpy(sa.sun_path, l->path);
	/* replace a stale socket, never any other file */
	if (lstat(l->path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode))
			return -EADDRINUSE;
		unlink(l->path);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;
		close(fd);
		return err;
	}
	*lfd = fd;
	snprintf(addr, addrlen, "unix:%s", l->path);
	return 0;
}

static void describe_tcp(int lfd, char *addr, size_t addrlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (getsockname(lfd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			port = ntohs(a->sin6_port);
			snprintf(addr, addrlen, "[%s]:%u", host, port);
			return;
		}
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		port = ntohs(a->sin_port);
	}
	snprintf(addr, addrlen, "%s:%u", host, port);
}

static int bind_tcp(const struct gdb_listen *l, int *lfd, char *addr, size_t addrlen)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
	};
	struct addrinfo *res;
	int err = -EADDRNOTAVAIL;

	if (getaddrinfo(l->host, l->port, &hints, &res))
		return -EADDRNOTAVAIL;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int one = 1;
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
				ai->ai_protocol);
		if (fd < 0) {
			err = -errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen)) {
			err = -errno;
			close(fd);
			continue;
		}
		*lfd = fd;
		err = 0;
		break;
	}
	freeaddrinfo(res);
	if (!err)
		describe_tcp(*lfd, addr, addrlen);
	return err;
}

int gdb_conn_bind(const struct gdb_listen *l, int *lfd, char *addr, size_t addrlen)
{
	return l->is_unix ? bind_unix(l, lfd, addr, addrlen) : bind_tcp(l, lfd, addr, addrlen);
}

int gdb_conn_listen(const struct gdb_listen *l, int *lfd, char *addr, size_t addrlen)
{
	int err = gdb_conn_bind(l, lfd, addr, addrlen);

	if (err == 0 && listen(*lfd, 1)) {
		err = -errno;
		close(*lfd);
		*lfd = -1;
	}
	return err;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Write everything or fail (the client is then dropped). SEND_TIMEOUT
 * bounds the whole buffer, not each send(): a blocking send() that times
 * out after queuing part of the data returns that part, so a per-call
 * timeout (SO_SNDTIMEO) let a client that never reads hold the stub for
 * SEND_TIMEOUT per piece of a reply, 30 s and more for one `m`. */
static int send_all(int fd, const uint8_t *buf, size_t len)
{
	long deadline = now_ms() + SEND_TIMEOUT * 1000L;

	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		long left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r == 0) /* not even room for a part of it in time */
			return -ETIMEDOUT;
	}
	return 0;
}

static void drop_client(struct gdb_stub *s)
{
	if (s->cfd >= 0)
		close(s->cfd);
	s->cfd = -1;
	s->attaching = false;
}

/* The client went away without `D`: the machine runs on without it. The
 * target detaches from a stopped machine: a client that vanished while
 * its attach stop, or the stop after a resume, was on the way first gets
 * that stop (a running machine is interrupted for it), then the detach.
 * Detaching in the middle of a stop would leave the vCPUs parked with
 * nobody to resume them. */
static void lost_client(struct gdb_stub *s)
{
	bool running = gdb_session_running(s->sess) && !s->attaching;
	bool stop_coming = s->attaching || running;

	bool only_attached = s->attaching;

	drop_client(s);
	if (!stop_coming) {
		s->ops->detach(s->tgt);
		return;
	}
	if (running)
		(void)s->ops->interrupt(s->tgt);
	s->detach_pending = true;
	s->only_attached = only_attached;
}

/* The stop a vanished client was owed has come (or a new client needs
 * the machine): detach now. */
static void finish_detach(struct gdb_stub *s)
{
	if (!s->detach_pending)
		return;
	s->detach_pending = false;
	s->ops->detach(s->tgt);
}

/* Send the session's output. It stays in the buffer: a `-` from the
 * client resends its last packet ("Packet Acknowledgment"). */
static int flush_out(struct gdb_stub *s)
{
	int err = 0;

	if (s->out.len && s->cfd >= 0)
		err = send_all(s->cfd, s->out.buf, s->out.len);
	if (err)
		lost_client(s);
	return err;
}

static int send_byte(struct gdb_stub *s, uint8_t c)
{
	int err = send_all(s->cfd, &c, 1);
	if (err)
		lost_client(s);
	return err;
}

static void new_client(struct gdb_stub *s)
{
	int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
	int one = 1;

	if (fd < 0)
		return;
	if (s->cfd >= 0) {
		/* one debugger at a time; the first session is not disturbed */
		(void)send(fd, gdb_conn_busy_msg, sizeof(gdb_conn_busy_msg) - 1,
			   MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	if (!s->spec.is_unix)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s->cfd = fd;
	gdb_session_reset(s->sess);
	rsp_parser_init(s->parser);
	s->out.len = s->out.last = 0;
	if (s->detach_pending && s->only_attached) {
		/* the last client vanished before its attach stop came and
		 * did nothing to the machine: this one takes that stop */
		s->detach_pending = false;
		s->attaching = true;
		return;
	}
	/* a client lost while the stop after its resume was coming: its
	 * breakpoints go now, and the attach below takes the stop */
	finish_detach(s);
	int err = s->ops->attach(s->tgt);
	if (err < 0) {
		char msg[128], ebuf[64];
		int n = snprintf(msg, sizeof(msg), "gdbvmm: cannot stop the machine: %s\n",
				 strerror_r(-err, ebuf, sizeof(ebuf)));
		(void)send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
		drop_client(s);
		return;
	}
	/* gdb's first packets wait in the socket until the machine stopped */
	s->attaching = true;
}

/* ------------------------------------------------------------------------
 * the loop
 * ------------------------------------------------------------------------ */

/* Has the peer closed its end (its last bytes may still wait unread)? */
static bool client_closed(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* 1 when serving is over, 0 to go on, or -errno. */
static int on_event(struct gdb_stub *s)
{
	struct gdb_stop st;
	int err = s->ops->get_stop(s->tgt, &st);

	if (err == -EAGAIN || err == -EINTR)
		return 0;
	if (err < 0)
		return err;
	if (st.kind == GDB_STOP_EXITED) {
		if (s->cfd >= 0) {
			s->out.len = s->out.last = 0;
			gdb_session_stop(s->sess, &st, &s->out);
			flush_out(s);
			drop_client(s);
		}
		return 1;
	}
	if (s->cfd < 0) {
		if (s->detach_pending) {
			/* the stop a vanished client was owed: now it can go */
			finish_detach(s);
			return 0;
		}
		/* nobody to tell: a fault waits for the next client, any
		 * other stop (one that raced a detach) lets the machine go */
		if (st.kind == GDB_STOP_FAULT) {
			s->fault = st;
			s->fault_held = true;
			return 0;
		}
		err = s->ops->resume(s->tgt, s->all_cont);
		return err < 0 ? err : 0;
	}
	if (s->attaching) {
		s->attaching = false;
		if (s->fault_held) { /* why the machine really stopped */
			st = s->fault;
			s->fault_held = false;
		}
	}
	s->out.len = s->out.last = 0;
	gdb_session_stop(s->sess, &st, &s->out);
	flush_out(s);
	return 0;
}

/* One framing event from the client. 1 when serving is over, else 0. */
static int on_client_event(struct gdb_stub *s, enum rsp_event ev)
{
	bool ack = !gdb_session_no_ack(s->sess);
	enum gdb_action act = GDB_ACT_REPLY;

	switch (ev) {
	case RSP_EV_PACKET:
		if (ack && send_byte(s, '+'))
			return 0;
		s->out.len = s->out.last = 0;
		if (gdb_session_running(s->sess))
			/* all-stop: gdb sends nothing but 0x03 while running */
			gdb_out_packet(&s->out, "E10", 3);
		else
			act = gdb_session_packet(s->sess, s->parser->buf,
						 s->parser->len, &s->out);
		break;
	case RSP_EV_BAD_CSUM:
		/* in no-ack mode the packet is just dropped */
		if (ack)
			send_byte(s, '-');
		return 0;
	case RSP_EV_OVERSIZE:
	case RSP_EV_MALFORMED:
		/* it arrived intact, a retransmit would not help */
		if (ack && send_byte(s, '+'))
			return 0;
		s->out.len = s->out.last = 0;
		gdb_out_packet(&s->out, "E16", 3);
		break;
	case RSP_EV_INTERRUPT:
		if (gdb_session_running(s->sess))
			(void)s->ops->interrupt(s->tgt);
		return 0;
	case RSP_EV_NACK:
		if (ack && s->out.len > s->out.last &&
		    send_all(s->cfd, s->out.buf + s->out.last,
			     s->out.len - s->out.last))
			lost_client(s);
		return 0;
	case RSP_EV_ACK:
	case RSP_EV_NONE:
		return 0;
	}
	switch (act) {
	case GDB_ACT_DETACH:
	case GDB_ACT_KILL:
	case GDB_ACT_EXITED:
		/* The target has let go already: a client gone by now (it
		 * closed without waiting for the OK) must not be detached a
		 * second time, from a machine that runs again. */
		if (s->out.len)
			(void)send_all(s->cfd, s->out.buf, s->out.len);
		drop_client(s);
		return act != GDB_ACT_DETACH;
	case GDB_ACT_REPLY:
	case GDB_ACT_RESUMED:
		break;
	}
	flush_out(s);
	return 0;
}

/* Bytes from the client. 1 when serving is over, else 0. */
static int on_client(struct gdb_stub *s)
{
	ssize_t n = recv(s->cfd, s->rbuf, sizeof(s->rbuf), 0);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		lost_client(s);
		return 0;
	}
	for (ssize_t i = 0; i < n && s->cfd >= 0; i++) {
		enum rsp_event ev = rsp_feed(s->parser, s->rbuf[i]);
		if (ev != RSP_EV_NONE && on_client_event(s, ev))
			return 1;
	}
	return 0;
}

/* Wait for the target, the listening socket or the client (pf, n).
 * 0 when something came, -EINTR on a signal (the caller looks again),
 * or -errno. */
static int serve_wait(struct gdb_stub *s, int efd, struct pollfd pf[3], nfds_t *n)
{
	pf[0] = (struct pollfd){ .fd = efd, .events = POLLIN };
	pf[1] = (struct pollfd){ .fd = s->lfd, .events = POLLIN };
	/* while attaching, only notice a hang-up */
	pf[2] = (struct pollfd){ .fd = s->cfd, .events = s->attaching ? 0 : POLLIN };
	*n = s->cfd >= 0 ? 3 : 2;
	return poll(pf, *n, -1) < 0 ? -errno : 0;
}

/* Serve what serve_wait found. 1 when serving is over, 0 to go on, or
 * -errno. */
static int serve_found(struct gdb_stub *s, const struct pollfd pf[3], nfds_t n)
{
	int r;

	/* the target first: a stop that raced a 0x03 is reported,
	 * the 0x03 then finds the machine stopped and is ignored */
	if (pf[0].revents & POLLIN) {
		r = on_event(s);
		if (r)
			return r;
	}
	if (pf[0].revents & (POLLERR | POLLNVAL))
		return -EIO;
	if (n == 3 && s->cfd >= 0 && pf[2].revents) {
		if (pf[2].revents & POLLIN) {
			if (on_client(s))
				return 1;
		} else if (pf[2].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			lost_client(s);
		}
	}
	if (pf[1].revents & POLLIN) {
		/* A debugger reconnecting at once must not be turned
		 * away by its own closed connection. One still
		 * attaching has sent nothing that counts: it is gone.
		 * Else its last bytes and its end are read first (next
		 * time round), then the new one is accepted. */
		bool closed = s->cfd >= 0 && client_closed(s->cfd);
		if (closed && s->attaching)
			lost_client(s);
		if (!closed || s->cfd < 0)
			new_client(s);
	} else if (pf[1].revents & (POLLERR | POLLNVAL)) {
		return -EIO;
	}
	return 0;
}

/* A client's session that resumed the machine and waits for its stop:
 * the stop may be served where it happens. */
static bool awaiting_stop(const struct gdb_stub *s)
{
	return s->cfd >= 0 && !s->attaching && !s->detach_pending && gdb_session_running(s->sess);
}

int gdb_stub_serve(struct gdb_stub *s)
{
	int efd = s->ops->event_fd(s->tgt);

	if (efd < 0)
		return -EINVAL;
	pthread_mutex_lock(&s->lead_lock);
	for (;;) {
		if (s->over) {
			/* no thread may still be in gdb_stub_serve_here when
			 * the caller closes the stub */
			while (s->inside)
				pthread_cond_wait(&s->lead_cond, &s->lead_lock);
			int r = s->over_r;
			pthread_mutex_unlock(&s->lead_lock);
			return r < 0 ? r : 0;
		}
		if (s->lead != LEAD_MAIN) {
			/* Another thread serves, or nobody while the machine
			 * runs: wait for the loop to be given back, for a stop
			 * told the usual way (only while nobody serves: the
			 * event is that thread's else), or HANDBACK_MS. */
			struct pollfd pf[2] = {
				{ .fd = s->wake_fd, .events = POLLIN },
				{ .fd = s->lead == LEAD_NONE ? efd : -1, .events = POLLIN },
			};
			uint64_t v;
			pthread_mutex_unlock(&s->lead_lock);
			if (poll(pf, 2, HANDBACK_MS) > 0 && (pf[0].revents & POLLIN) &&
			    read(s->wake_fd, &v, sizeof(v)) < 0) {
				/* drained already */
			}
			pthread_mutex_lock(&s->lead_lock);
			if (s->lead == LEAD_NONE)
				s->lead = LEAD_MAIN;
			continue;
		}
		pthread_mutex_unlock(&s->lead_lock);
		struct pollfd pf[3];
		nfds_t n;
		int r = serve_wait(s, efd, pf, &n);
		if (r == -EINTR) {
			pthread_mutex_lock(&s->lead_lock);
			continue;
		}
		/* a stop that comes while this thread serves (a quick step it
		 * just resumed) waits for the end of the round, when it may
		 * be served where it happened */
		pthread_mutex_lock(&s->lead_lock);
		s->main_busy = true;
		pthread_mutex_unlock(&s->lead_lock);
		if (!r)
			r = serve_found(s, pf, n);
		pthread_mutex_lock(&s->lead_lock);
		s->main_busy = false;
		if (r) {
			s->over = true;
			s->over_r = r;
		} else if (awaiting_stop(s)) {
			s->lead = LEAD_NONE;
		}
		pthread_cond_broadcast(&s->lead_cond);
	}
}

int gdb_stub_serve_here(struct gdb_stub *s, bool (*stopped)(void *arg), void *arg)
{
	int efd = s->ops->event_fd(s->tgt);
	int r = 0;

	pthread_mutex_lock(&s->lead_lock);
	while (s->lead == LEAD_MAIN && s->main_busy)
		pthread_cond_wait(&s->lead_cond, &s->lead_lock);
	if (s->lead != LEAD_NONE || s->over || !awaiting_stop(s)) {
		pthread_mutex_unlock(&s->lead_lock);
		return -EBUSY;
	}
	s->lead = LEAD_HERE;
	s->inside++;
	pthread_mutex_unlock(&s->lead_lock);

	/* the stop that brought this thread here, then whatever comes
	 * while this thread's vCPU stays stopped */
	r = on_event(s);
	while (!r && stopped(arg) && s->cfd >= 0 && !s->attaching && !s->detach_pending) {
		struct pollfd pf[3];
		nfds_t n;
		r = serve_wait(s, efd, pf, &n);
		if (r == -EINTR)
			r = 0; /* a kick: look at stopped() again */
		else if (!r)
			r = serve_found(s, pf, n);
	}

	/* Given back: nobody serves while this vCPU runs on, as after the
	 * resume in gdb_stub_serve; anything else (the machine or the client
	 * gone, the machine ending) is for gdb_stub_serve at once. */
	bool resumed = !r && !stopped(arg) && awaiting_stop(s);
	uint64_t one = 1;
	pthread_mutex_lock(&s->lead_lock);
	s->lead = resumed ? LEAD_NONE : LEAD_MAIN;
	if (r) {
		s->over = true;
		s->over_r = r;
	}
	if (!resumed && write(s->wake_fd, &one, sizeof(one)) < 0) {
		/* an eventfd's counter does not overflow here */
	}
	s->inside--;
	pthread_cond_broadcast(&s->lead_cond);
	pthread_mutex_unlock(&s->lead_lock);
	return 0;
}

int gdb_stub_open(struct gdb_stub **out, const struct gdb_target_ops *ops,
		  void *tgt, const char *listen_spec)
{
	struct gdb_stub *s;
	int err;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->lfd = s->cfd = -1;
	s->wake_fd = -1;
	pthread_mutex_init(&s->lead_lock, NULL);
	pthread_cond_init(&s->lead_cond, NULL);
	s->ops = ops;
	s->tgt = tgt;
	err = gdb_conn_parse(listen_spec, &s->spec);
	if (err)
		goto fail;
	err = gdb_session_new(&s->sess, ops, tgt);
	if (err)
		goto fail;
	s->ncpus = ops->nr_cpus(tgt);
	s->all_cont = calloc((size_t)s->ncpus, sizeof(*s->all_cont));
	s->parser = malloc(sizeof(*s->parser));
	s->out.buf = malloc(GDB_OUT_SIZE);
	s->out.cap = GDB_OUT_SIZE;
	if (!s->all_cont || !s->parser || !s->out.buf) {
		err = -ENOMEM;
		goto fail;
	}
	for (int i = 0; i < s->ncpus; i++)
		s->all_cont[i] = GDB_RESUME_CONT;
	rsp_parser_init(s->parser);
	s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->wake_fd < 0) {
		err = -errno;
		goto fail;
	}
	err = gdb_conn_listen(&s->spec, &s->lfd, s->addr, sizeof(s->addr));
	if (err)
		goto fail;
	*out = s;
	return 0;
fail:
	gdb_stub_close(s);
	return err;
}

const char *gdb_stub_address(const struct gdb_stub *s)
{
	return s->addr;
}

void gdb_stub_close(struct gdb_stub *s)
{
	if (!s)
		return;
	if (s->cfd >= 0)
		close(s->cfd);
	if (s->lfd >= 0) {
		close(s->lfd);
		if (s->spec.is_unix)
			unlink(s->spec.path);
	}
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	pthread_mutex_destroy(&s->lead_lock);
	pthread_cond_destroy(&s->lead_cond);
	gdb_session_free(s->sess);
	free(s->all_cont);
	free(s->parser);
	free(s->out.buf);
	free(s);
}
