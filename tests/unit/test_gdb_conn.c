/* tests/unit/test_gdb_conn.c: listen specs, and the serve loop over real sockets (one client at a time, acks, 0x03, detach, exit, kill). */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "gdbstub/conn.h"
#include "gdbstub/gdbstub.h"
#include "gdbstub/packet.h"
#include "tests/unit/fake_target.h"
#include "tests/unit/tap.h"

/* --- listen specs ---------------------------------------------------------- */

static void spec_ok(const char *spec, const char *host, const char *port)
{
	struct gdb_listen l;
	int err = gdb_conn_parse(spec, &l);
	ok(!err && !l.is_unix && !strcmp(l.host, host) && !strcmp(l.port, port),
	   "\"%s\" is %s port %s (got %d %s %s)", spec ? spec : "(null)", host, port, err, l.host, l.port);
}

static void spec_bad(const char *spec)
{
	struct gdb_listen l;
	is(gdb_conn_parse(spec, &l), -EINVAL, "\"%s\" is refused", spec);
}

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void test_specs(void)
{
	struct gdb_listen l;
	char longpath[300];

	spec_ok(NULL, "127.0.0.1", "1234");
	spec_ok("1234", "127.0.0.1", "1234");
	spec_ok(":1234", "127.0.0.1", "1234");
	spec_ok("tcp::1234", "127.0.0.1", "1234");
	spec_ok("tcp::1234,server,nowait", "127.0.0.1", "1234");
	spec_ok("tcp::1234,server=on,wait=off", "127.0.0.1", "1234");
	spec_ok("0.0.0.0:1234", "0.0.0.0", "1234");
	spec_ok("tcp:localhost:99", "localhost", "99");
	spec_ok("[::1]:1234", "::1", "1234");
	spec_ok("tcp:[::1]:0", "::1", "0");
	spec_ok(":00080", "127.0.0.1", "80");
	spec_ok(":65535", "127.0.0.1", "65535");
	is(gdb_conn_parse("unix:/tmp/gdb.sock", &l), 0, "unix:PATH");
	ok(l.is_unix && !strcmp(l.path, "/tmp/gdb.sock"), "... is that path");
	is(gdb_conn_parse("unix:rel/sock,server", &l), 0, "unix:PATH,server");
	ok(l.is_unix && !strcmp(l.path, "rel/sock"), "... option dropped");

	spec_bad("");
	spec_bad("abc");
	spec_bad(":");
	spec_bad("tcp:");
	spec_bad("tcp::");
	spec_bad(":99999");
	spec_bad(":65536");
	spec_bad(":123456");
	spec_bad("::1:1234");
	spec_bad("unix:");
	spec_bad("1234,foo");
	spec_bad("host:12a");
	spec_bad("ho st:1");
	spec_bad("[::1:1234");
	spec_bad("[]:1234");
	spec_bad(":-1");
	spec_bad(":+1");
	spec_bad("host:");
	spec_bad("a/b:1234");
	memset(longpath, 'a', sizeof(longpath));
	memcpy(longpath, "unix:", 5);
	longpath[sizeof(longpath) - 1] = 0;
	spec_bad(longpath);

	/* an invalid spec touches no socket */
	{
		struct fake_target f;
		struct gdb_stub *s = NULL;
		fake_init(&f, GDB_ARCH_I386, 1);
		int before = count_fds();
		is(gdb_stub_open(&s, &fake_ops, &f, ":99999"), -EINVAL, "gdb_stub_open with a bad spec: -EINVAL");
		is(count_fds(), before, "... and no descriptor was opened");
		is(gdb_stub_open(&s, &fake_ops, &f, "no.such.host.invalid:1234"), -EADDRNOTAVAIL,
		   "a host that does not resolve: -EADDRNOTAVAIL");
		is(count_fds(), before, "... nothing left open");
		fake_fini(&f);
	}
}

/* --- a client ---------------------------------------------------------------- */

struct client {
	int fd;
	struct rsp_parser p;
	uint8_t buf[4096];
	size_t pos, len;
	bool eof;
	char text[256]; /* raw bytes outside packets, for the busy message */
};

static int dial_tcp(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int dial_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void client_init(struct client *c, int fd)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	rsp_parser_init(&c->p);
}

/* The next framing event from the stub; RSP_EV_NONE on EOF or timeout. */
static enum rsp_event next_event(struct client *c)
{
	for (;;) {
		if (c->pos == c->len) {
			ssize_t n = recv(c->fd, c->buf, sizeof(c->buf), 0);
			if (n <= 0) {
				c->eof = true;
				return RSP_EV_NONE;
			}
			c->pos = 0;
			c->len = (size_t)n;
		}
		uint8_t b = c->buf[c->pos++];
		if (c->p.state == RSP_ST_IDLE && b != '$' && b != '+' && b != '-') {
			size_t tl = strlen(c->text);
			if (tl + 1 < sizeof(c->text)) {
				c->text[tl] = (char)b;
				c->text[tl + 1] = 0;
			}
		}
		enum rsp_event ev = rsp_feed(&c->p, b);
		if (ev != RSP_EV_NONE)
			return ev;
	}
}

/* The next packet's body, or NULL. */
static const char *next_packet(struct client *c)
{
	enum rsp_event ev;
	while ((ev = next_event(c)) != RSP_EV_NONE)
		if (ev == RSP_EV_PACKET)
			return (const char *)c->p.buf;
	return NULL;
}

static void send_raw(struct client *c, const void *b, size_t n)
{
	(void)!send(c->fd, b, n, MSG_NOSIGNAL);
}

static void send_pkt(struct client *c, const char *body)
{
	uint8_t out[8192];
	long n = rsp_encode(body, strlen(body), out, sizeof(out));
	send_raw(c, out, (size_t)n);
}

/* Send in ack mode: expect `+`, then the reply (acked by us). */
static const char *ask(struct client *c, const char *body)
{
	send_pkt(c, body);
	if (next_event(c) != RSP_EV_ACK)
		return "(no ack)";
	const char *r = next_packet(c);
	send_raw(c, "+", 1);
	return r ? r : "(eof)";
}

/* Send in no-ack mode. */
static const char *ask_noack(struct client *c, const char *body)
{
	send_pkt(c, body);
	const char *r = next_packet(c);
	return r ? r : "(eof)";
}

/* Console text of the O packets before a reply, plus the reply. */
static const char *ask_monitor(struct client *c, const char *cmd, char *text, size_t cap)
{
	char pkt[512] = "qRcmd,";
	const char *r;

	rsp_hex_encode(cmd, strlen(cmd), pkt + 6);
	pkt[6 + 2 * strlen(cmd)] = 0;
	send_pkt(c, pkt);
	text[0] = 0;
	while ((r = next_packet(c)) && r[0] == 'O' && r[1]) {
		size_t tl = strlen(text);
		long n = rsp_hex_decode(r + 1, strlen(r + 1), (uint8_t *)text + tl, cap - tl - 1);
		if (n < 0)
			break;
		text[tl + (size_t)n] = 0;
	}
	return r ? r : "(eof)";
}

/* --- a stub in a child process --------------------------------------------- */

struct child {
	pid_t pid;
	int port;
	char addr[320];
};

/* The next child serves its stops on a thread of its own (here mode). */
static bool child_here;

/* The pretend vCPU's thread of here mode: each stop it completes it
 * serves itself, or tells through event_fd when the stub says another
 * thread serves. */
struct here {
	struct fake_target *f;
	struct gdb_stub *stub;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool pending, quit;
};

static void here_stop_came(struct fake_target *f)
{
	struct here *h = f->here_arg;
	pthread_mutex_lock(&h->lock);
	h->pending = true;
	pthread_cond_signal(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

static bool here_still_stopped(void *arg)
{
	return !atomic_load(&((struct fake_target *)arg)->running);
}

static void *here_main(void *arg)
{
	struct here *h = arg;
	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (!h->pending && !h->quit)
			pthread_cond_wait(&h->cond, &h->lock);
		if (h->quit)
			break;
		h->pending = false;
		pthread_mutex_unlock(&h->lock);
		atomic_store(&h->f->running, false);
		if (gdb_stub_serve_here(h->stub, here_still_stopped, h->f) < 0)
			(void)!write(h->f->pipefd[1], "s", 1);
		pthread_mutex_lock(&h->lock);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

static int here_start(struct here *h, struct fake_target *f, struct gdb_stub *stub)
{
	*h = (struct here){ .f = f, .stub = stub };
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	f->here_arg = h;
	f->on_sim_stop = here_stop_came;
	f->here = true;
	int err = pthread_create(&f->here_thread, NULL, here_main, h);
	if (err)
		f->here = false;
	return -err;
}

/* After gdb_stub_serve returned. */
static void here_end(struct here *h)
{
	if (!h->f || !h->f->here)
		return;
	pthread_mutex_lock(&h->lock);
	h->quit = true;
	pthread_cond_signal(&h->cond);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->f->here_thread, NULL);
	h->f->here = false;
}

/* Serve in a child process, which reports the bound address (or the
 * error of gdb_stub_open) on a pipe. The child exits with 10 + serve's
 * result. */
static int start(struct child *ch, const char *spec, int sim_exit,
		 const struct gdb_stop *detach_stop)
{
	int pfd[2];
	char msg[320] = "";

	if (pipe(pfd))
		return -errno;
	fflush(stdout);
	ch->pid = fork();
	if (ch->pid == 0) {
		struct fake_target f;
		struct gdb_stub *s;
		close(pfd[0]);
		alarm(30);
		if (fake_init(&f, GDB_ARCH_I386, 2))
			_exit(2);
		f.sim = true;
		f.sim_exit = sim_exit;
		if (detach_stop) {
			f.detach_posts = true;
			f.detach_stop = *detach_stop;
		}
		int err = gdb_stub_open(&s, &fake_ops, &f, spec);
		if (err)
			snprintf(msg, sizeof(msg), "error %d", err);
		else
			snprintf(msg, sizeof(msg), "%s", gdb_stub_address(s));
		(void)!write(pfd[1], msg, strlen(msg) + 1);
		close(pfd[1]);
		struct here h = { 0 };
		if (!err && child_here && here_start(&h, &f, s))
			_exit(3);
		if (!err) {
			err = gdb_stub_serve(s);
			here_end(&h);
			gdb_stub_close(s);
		}
		fake_fini(&f);
		_exit(10 + err);
	}
	close(pfd[1]);
	ssize_t n = read(pfd[0], msg, sizeof(msg) - 1);
	close(pfd[0]);
	msg[n > 0 ? n : 0] = 0;
	if (n <= 0 || !strncmp(msg, "error", 5))
		return -1;
	snprintf(ch->addr, sizeof(ch->addr), "%s", msg);
	const char *colon = strrchr(ch->addr, ':');
	ch->port = colon ? atoi(colon + 1) : 0;
	return 0;
}

static int finish(struct child *ch)
{
	int status = 0;
	for (int i = 0; i < 100; i++) {
		if (waitpid(ch->pid, &status, WNOHANG) == ch->pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		usleep(50000);
	}
	kill(ch->pid, SIGKILL);
	waitpid(ch->pid, &status, 0);
	return -1;
}

static void test_session_life(void)
{
	struct child ch;
	struct client a, b, c;
	char text[4096];

	is(start(&ch, "127.0.0.1:0", -1, NULL), 0, "stub on 127.0.0.1, port 0");
	ok(ch.port > 0 && !strncmp(ch.addr, "127.0.0.1:", 10), "bound to %s", ch.addr);

	client_init(&a, dial_tcp(ch.port));
	ok(a.fd >= 0, "client A connects");
	/* the first packet in pieces, with noise before it */
	{
		uint8_t out[128];
		long n = rsp_encode("qSupported:swbreak+", 19, out, sizeof(out));
		send_raw(&a, "\r\nnoise", 7);
		send_raw(&a, out, 5);
		usleep(20000);
		send_raw(&a, out + 5, (size_t)n - 5);
		ok(next_event(&a) == RSP_EV_ACK, "split packet acked");
		const char *r = next_packet(&a);
		ok(r && strstr(r, "PacketSize=10000") && strstr(r, "swbreak+"), "qSupported answered: %s", r ? r : "");
		send_raw(&a, "+", 1);
	}

	/* a second client is turned away, A goes on */
	client_init(&b, dial_tcp(ch.port));
	ok(b.fd >= 0, "client B connects");
	ok(next_event(&b) == RSP_EV_NONE && b.eof, "B is closed");
	ok(strstr(b.text, "already attached") != NULL, "B was told why");
	close(b.fd);
	is_str(ask(&a, "?"), "T00thread:1;", "A: ? gives the attach stop");

	/* retransmission */
	send_raw(&a, "$qC#00", 6);
	ok(next_event(&a) == RSP_EV_NACK, "bad checksum: -");
	is_str(ask(&a, "qC"), "QC1", "the resent packet works");
	send_raw(&a, "-", 1);
	{
		const char *r = next_packet(&a);
		is_str(r ? r : "(none)", "QC1", "- from gdb: the stub resends its reply");
		send_raw(&a, "+", 1);
	}
	/* oversize */
	{
		size_t big = RSP_PACKET_SIZE + 100;
		char *body = malloc(big + 1);
		memset(body, 'm', big);
		body[big] = 0;
		uint8_t *out = malloc(big + 8);
		long n = rsp_encode(body, big, out, big + 8);
		send_raw(&a, out, (size_t)n);
		ok(next_event(&a) == RSP_EV_ACK, "oversize packet acked");
		const char *r = next_packet(&a);
		is_str(r ? r : "(none)", "E16", "oversize: E16");
		send_raw(&a, "+", 1);
		free(body);
		free(out);
	}

	is_str(ask(&a, "QStartNoAckMode"), "OK", "QStartNoAckMode");
	is_str(ask_noack(&a, "qC"), "QC1", "no-ack mode: no + before the reply");
	send_raw(&a, "$qC#00", 6);
	is_str(ask_noack(&a, "qAttached"), "1", "no-ack mode: a bad checksum is dropped silently");

	/* run, Ctrl-C */
	send_pkt(&a, "vCont;c");
	usleep(50000);
	is_str(ask_noack(&a, "g"), "E10", "a packet while running: E10 (busy)");
	send_raw(&a, "\x03", 1);
	is_str(next_packet(&a) ?: "(none)", "T02thread:1;", "0x03 while running: T02");
	/* breakpoint */
	is_str(ask_noack(&a, "Z0,1010,1"), "OK", "Z0 at 0x1010");
	send_pkt(&a, "c");
	is_str(next_packet(&a) ?: "(none)", "T05thread:1;swbreak:;", "continue hits it: swbreak");
	is_str(ask_noack(&a, "p8"), "10100000", "pc at the breakpoint");
	send_raw(&a, "\x03", 1); /* while stopped: ignored */
	is_str(ask_monitor(&a, "stats", text, sizeof(text)), "OK", "monitor stats");
	ok(strstr(text, "attaches=1 detaches=0 interrupts=1") != NULL, "one attach, one interrupt");
	is_str(ask_noack(&a, "D"), "OK", "D");
	ok(next_packet(&a) == NULL && a.eof, "the stub closes A after D");
	close(a.fd);

	/* the next client */
	client_init(&c, dial_tcp(ch.port));
	is_str(ask(&c, "?"), "T00thread:1;", "client C after detach: attached again");
	ok(strstr(ask_monitor(&c, "stats", text, sizeof(text)), "OK") && strstr(text, "attaches=2 detaches=1"),
	   "attach 2, detach 1");
	/* a client that just goes away */
	close(c.fd);
	usleep(100000);
	client_init(&c, dial_tcp(ch.port));
	is_str(ask(&c, "qC"), "QC1", "client D after C vanished");
	{
		const char *r = ask_monitor(&c, "stats", text, sizeof(text));
		send_raw(&c, "+", 1);
		ok(!strcmp(r, "OK") && strstr(text, "attaches=3 detaches=2"), "a lost client is detached");
	}
	/* k ends serving */
	send_pkt(&c, "k");
	ok(next_event(&c) == RSP_EV_ACK, "k acked");
	ok(next_packet(&c) == NULL && c.eof, "k: no reply, connection closed");
	close(c.fd);
	is(finish(&ch), 10, "serve returned 0 after k");
}

static void test_exit_attached(void)
{
	struct child ch;
	struct client a;

	is(start(&ch, "tcp::0", 7, NULL), 0, "stub with a machine that exits 7");
	client_init(&a, dial_tcp(ch.port));
	is_str(ask(&a, "QStartNoAckMode"), "OK", "no-ack");
	send_pkt(&a, "c");
	is_str(next_packet(&a) ?: "(none)", "W07", "the machine exits: W07");
	ok(next_packet(&a) == NULL && a.eof, "then the connection closes");
	close(a.fd);
	is(finish(&ch), 10, "serve returned 0 after the exit");
}

static void test_exit_detached(void)
{
	struct child ch;
	struct client a;

	struct gdb_stop ex = { .kind = GDB_STOP_EXITED, .cpu = -1, .status = 3 };
	is(start(&ch, "127.0.0.1:0", -1, &ex), 0, "stub whose machine exits once detached");
	client_init(&a, dial_tcp(ch.port));
	is_str(ask(&a, "D"), "OK", "D");
	close(a.fd);
	is(finish(&ch), 10, "exit with nobody attached: serve returns 0");
}

/* Stops while nobody is attached: a fault waits for the next client,
 * anything else lets the machine run on. */
static void test_stop_detached(void)
{
	struct child ch;
	struct client a;
	char text[4096];
	struct gdb_stop fault = { .kind = GDB_STOP_FAULT, .cpu = 1, .signal = 11 };
	struct gdb_stop sig = { .kind = GDB_STOP_SIGNAL, .cpu = 0, .signal = 5 };

	snprintf(fault.text, sizeof(fault.text), "triple fault");
	is(start(&ch, "127.0.0.1:0", -1, &fault), 0, "stub whose machine faults once detached");
	client_init(&a, dial_tcp(ch.port));
	is_str(ask(&a, "D"), "OK", "D");
	close(a.fd);
	usleep(100000);
	client_init(&a, dial_tcp(ch.port));
	is_str(ask(&a, "?"), "T0bthread:2;", "the next client learns of the fault");
	is_str(ask(&a, "qC"), "QC2", "... on the vCPU that faulted");
	send_pkt(&a, "k");
	close(a.fd);
	is(finish(&ch), 10, "killed");

	is(start(&ch, "127.0.0.1:0", -1, &sig), 0, "stub whose machine stops once detached");
	client_init(&a, dial_tcp(ch.port));
	is_str(ask(&a, "D"), "OK", "D");
	close(a.fd);
	usleep(100000);
	client_init(&a, dial_tcp(ch.port));
	ask_monitor(&a, "stats", text, sizeof(text));
	ok(strstr(text, "resumes=1") != NULL, "a stray stop while detached resumed the machine");
	send_raw(&a, "+", 1);
	is_str(ask(&a, "?"), "T00thread:1;", "the next client gets the attach stop");
	send_pkt(&a, "k");
	close(a.fd);
	is(finish(&ch), 10, "killed");
}

static void test_unix(void)
{
	struct child ch;
	struct client a;
	char path[108], spec[128];
	struct stat sb;
	char text[4096];

	snprintf(path, sizeof(path), "/tmp/gdbvmm-test-%d.sock", (int)getpid());
	snprintf(spec, sizeof(spec), "unix:%s", path);
	/* never replaces a file that is not a socket */
	{
		struct fake_target f;
		struct gdb_stub *s;
		FILE *fp = fopen(path, "w");
		fputs("keep", fp);
		fclose(fp);
		fake_init(&f, GDB_ARCH_I386, 1);
		is(gdb_stub_open(&s, &fake_ops, &f, spec), -EADDRINUSE, "a regular file at the path: -EADDRINUSE");
		ok(stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 4, "... and it is untouched");
		unlink(path);
		fake_fini(&f);
	}
	is(start(&ch, spec, -1, NULL), 0, "stub on %s", spec);
	is_str(ch.addr, spec, "address is unix:PATH");
	client_init(&a, dial_unix(path));
	ok(a.fd >= 0, "unix client connects");
	is_str(ask(&a, "qC"), "QC1", "qC over a unix socket");
	ask_monitor(&a, "quit", text, sizeof(text));
	ok(strstr(text, "killed") != NULL, "monitor quit says so");
	ok(next_packet(&a) == NULL, "connection closed after quit");
	close(a.fd);
	is(finish(&ch), 10, "monitor quit: serve returned 0");
	ok(stat(path, &sb) != 0, "socket file removed on close");
}

/* --- stops served where they happen ------------------------------------------ */

/* `here=N elsewhere=M` of monitor stats. */
static void here_counts(struct client *c, int *here, int *elsewhere)
{
	char text[4096];
	const char *p;
	*here = *elsewhere = -1;
	if (strcmp(ask_monitor(c, "stats", text, sizeof(text)), "OK"))
		return;
	if ((p = strstr(text, "here=")))
		*here = atoi(p + 5);
	if ((p = strstr(text, "elsewhere=")))
		*elsewhere = atoi(p + 10);
}

/* The pretend vCPU serves the stops it completes on its own thread
 * (gdb_stub_serve_here), as gdbvmm's vCPU threads do: the replies are
 * the same, a 0x03 while nobody serves is still answered, and the end
 * (k) waits for that thread. */
static void test_serve_here(void)
{
	struct child ch;
	struct client a;
	char want[64];
	int here, elsewhere;

	child_here = true;
	is(start(&ch, "127.0.0.1:0", -1, NULL), 0, "here mode: stub started");
	child_here = false;
	client_init(&a, dial_tcp(ch.port));
	is_str(ask(&a, "QStartNoAckMode"), "OK", "here mode: no-ack");
	is_str(ask_noack(&a, "?"), "T00thread:1;", "here mode: the attach stop (served by the main loop)");
	int here0, elsewhere0;
	here_counts(&a, &here0, &elsewhere0);
	int good = 0;
	for (int i = 1; i <= 40; i++) {
		send_pkt(&a, "s");
		const char *r = next_packet(&a);
		good += r && !strcmp(r, "T05thread:1;");
		/* the pc, 0x1000 + i, as little-endian bytes */
		snprintf(want, sizeof(want), "%02x%02x0000", (0x1000 + i) & 0xff, (0x1000 + i) >> 8);
		good += !strcmp(ask_noack(&a, "p8"), want);
	}
	is(good, 80, "40 steps: each stop reply and the pc after it are right");
	here_counts(&a, &here, &elsewhere);
	here -= here0;
	elsewhere -= elsewhere0;
	is(here + elsewhere, 40, "40 stops taken (here %d, through event_fd %d)", here, elsewhere);
	/* The main loop takes the loop back only after 50 ms with nobody
	 * serving; a step takes microseconds here. */
	ok(here >= 36, "at least 36 of them on the pretend vCPU's own thread (%d)", here);

	/* a continue that never stops: after 50 ms the main loop serves
	 * again and takes the 0x03 */
	send_pkt(&a, "c");
	usleep(20000);
	send_raw(&a, "\x03", 1);
	is_str(next_packet(&a) ?: "(none)", "T02thread:1;", "0x03 during a continue: SIGINT");
	here0 = here + here0;
	elsewhere0 = elsewhere + elsewhere0;
	here_counts(&a, &here, &elsewhere);
	is(here - here0, 0, "that stop was not served on the vCPU's thread (it was running)");
	is(elsewhere - elsewhere0, 1, "... but through event_fd");

	/* a breakpoint, then k */
	is_str(ask_noack(&a, "Z0,1100,1"), "OK", "Z0 at 0x1100");
	send_pkt(&a, "c");
	is_str(next_packet(&a) ?: "(none)", "T05thread:1;", "continue to it");
	is_str(ask_noack(&a, "p8"), "00110000", "pc at the breakpoint");
	send_pkt(&a, "k");
	ok(next_packet(&a) == NULL && a.eof, "k: connection closed");
	close(a.fd);
	is(finish(&ch), 10, "k ends gdb_stub_serve with 0, whichever thread served it");
}

int main(void)
{
	alarm(60);
	signal(SIGPIPE, SIG_IGN);
	test_specs();
	test_session_life();
	test_exit_attached();
	test_exit_detached();
	test_stop_detached();
	test_unix();
	test_serve_here();
	return done_testing();
}
