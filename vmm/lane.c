/* vmm/lane.c: the host side of the lane: boots it (vmm/lane_boot.c), relays stdio and gdb, returns the status. */
#include "vmm/lane_host.h"

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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmm/console.h"
#include "vmm/vm.h"

int lane_mode_from_env(enum lane_mode *out)
{
	const char *v = getenv("GDBVMM_LANE");

	*out = LANE_AUTO;
	if (!v || !*v || !strcmp(v, "auto"))
		return 0;
	if (!strcmp(v, "off"))
		*out = LANE_OFF;
	else if (!strcmp(v, "force"))
		*out = LANE_FORCE;
	else
		return -EINVAL;
	return 0;
}

/* ------------------------------------------------------------------------
 * the relay loop
 * ------------------------------------------------------------------------ */

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pf = { .fd = fd, .events = POLLOUT };
				poll(&pf, 1, 1000);
				continue;
			}
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The inner stub announces itself on its stderr with its in-VM address;
 * the host printed its own line already, so that one is dropped. */
static void relay_stderr(struct lane *l, const uint8_t *buf, size_t n)
{
	static const char inner[] = "gdbvmm: gdb server on " LANE_INNER_GDB_HOST ":";

	while (n && l->err_filter) {
		uint8_t c = *buf++;
		n--;
		if (l->errlen < sizeof(l->errline))
			l->errline[l->errlen++] = (char)c;
		if (c != '\n' && l->errlen < sizeof(l->errline))
			continue;
		if (l->errlen >= sizeof(inner) - 1 && !memcmp(l->errline, inner, sizeof(inner) - 1))
			l->err_filter = false;
		else
			(void)write_all(2, l->errline, l->errlen);
		l->errlen = 0;
	}
	if (n)
		(void)write_all(2, buf, n);
}

static void gdb_client_gone(struct lane *l)
{
	if (l->gdb_cfd < 0)
		return;
	close(l->gdb_cfd);
	l->gdb_cfd = -1;
	if (lane_buf_room(&l->to_gdb) >= 2)
		lane_buf_put_ctl(&l->to_gdb, LANE_CTL_EOF);
	l->from_gdb.off = l->from_gdb.len = 0;
}

static void gdb_accept(struct lane *l)
{
	int fd = accept4(l->gdb_lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (l->gdb_cfd >= 0 || lane_buf_room(&l->to_gdb) < 2) {
		/* one debugger at a time, as gdbstub/conn.c */
		(void)send(fd, gdb_conn_busy_msg, strlen(gdb_conn_busy_msg),
			   MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	l->gdb_cfd = fd;
	l->gdb_esc = false;
	lane_buf_put_ctl(&l->to_gdb, LANE_CTL_OPEN);
}

/* The inner stub listens: so do we, and say so as gdbserver.c does. A
 * TCP client that came earlier was refused, and gdb retried (`set tcp
 * connect-timeout`). */
static void gdb_listen_now(struct lane *l)
{
	int r = 0;

	if (l->gdb_spec.is_unix)
		r = gdb_conn_listen(&l->gdb_spec, &l->gdb_lfd, l->gdb_addr, sizeof(l->gdb_addr));
	else if (listen(l->gdb_lfd, 1))
		r = -errno;
	if (r < 0) {
		fprintf(stderr, "gdbvmm: --gdb %s: %s\n", l->o->gdb, strerror(-r));
		l->gdb_failed = true;
		return;
	}
	fcntl(l->gdb_lfd, F_SETFL, O_NONBLOCK);
	fprintf(stderr, "gdbvmm: gdb server on %s%s\n", l->gdb_addr,
		l->o->wait_gdb ? ", waiting for gdb before the first instruction" : "");
	l->gdb_ready = true;
}

/* VM -> gdb client: decode; LANE_CTL_EOF means the inner stub let the
 * client go (kill, a failed attach): so do we. */
static void from_vm_gdb(struct lane *l, const uint8_t *buf, size_t n)
{
	while (n) {
		uint8_t out[4096];
		size_t used;
		int ctl;
		size_t m = lane_frame_decode(&l->gdb_esc, buf, n < sizeof(out) ? n : sizeof(out), out,
					     &used, &ctl);
		if (l->gdb_cfd >= 0 && m)
			lane_buf_put(&l->from_gdb, out, m);
		if (ctl == LANE_CTL_OPEN && !l->gdb_ready)
			gdb_listen_now(l);
		if (ctl == LANE_CTL_EOF && l->gdb_cfd >= 0) {
			(void)lane_buf_flush(&l->from_gdb, l->gdb_cfd);
			close(l->gdb_cfd);
			l->gdb_cfd = -1;
			l->from_gdb.off = l->from_gdb.len = 0;
		}
		buf += used;
		n -= used;
	}
}

enum { F_SIG, F_IN, F_VIN, F_OUT, F_ERR, F_VGDB, F_GLIS, F_GCLI, NR_FDS };

/* Relays until qemu closed stdout's port (it exited). Returns 0, or the
 * status for a signal (128 + sig) or the host-side timeout (124). */
static int relay(struct lane *l)
{
	struct pollfd p[NR_FDS];
	/* what is read from stdin or the client is encoded into half a buffer
	 * at most (each byte may double) */
	uint8_t buf[LANE_BUF_SIZE / 4];
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* the inner gdbvmm has --timeout; this is a backstop for a VM that
	 * does not get there (boot and setup in it take seconds) */
	long limit_s = l->o->timeout ? (long)l->o->timeout + 120 : 0;

	for (;;) {
		for (int i = 0; i < NR_FDS; i++)
			p[i] = (struct pollfd){ .fd = -1 };
		p[F_SIG] = (struct pollfd){ .fd = l->sfd, .events = POLLIN };
		if (!l->stdin_done && lane_buf_room(&l->to_in) > LANE_BUF_SIZE / 2)
			p[F_IN] = (struct pollfd){ .fd = 0, .events = POLLIN };
		p[F_OUT] = (struct pollfd){ .fd = l->pfd[P_STDOUT], .events = POLLIN };
		if (!l->stderr_done)
			p[F_ERR] = (struct pollfd){ .fd = l->pfd[P_STDERR], .events = POLLIN };
		if (!l->in_ready)
			p[F_VIN] = (struct pollfd){ .fd = l->pfd[P_STDIN], .events = POLLIN };
		else if (l->to_in.len > l->to_in.off)
			p[F_VIN] = (struct pollfd){ .fd = l->pfd[P_STDIN], .events = POLLOUT };
		if (l->pfd[P_GDB] >= 0) {
			short ev = 0;
			/* a client that does not read holds the VM's side back */
			if (lane_buf_room(&l->from_gdb) >= sizeof(buf))
				ev |= POLLIN;
			if (l->gdb_ready && l->to_gdb.len > l->to_gdb.off)
				ev |= POLLOUT;
			p[F_VGDB] = (struct pollfd){ .fd = l->pfd[P_GDB], .events = ev };
			if (l->gdb_ready)
				p[F_GLIS] = (struct pollfd){ .fd = l->gdb_lfd, .events = POLLIN };
			if (l->gdb_cfd >= 0) {
				ev = 0;
				if (lane_buf_room(&l->to_gdb) > LANE_BUF_SIZE / 2)
					ev |= POLLIN;
				if (l->from_gdb.len > l->from_gdb.off)
					ev |= POLLOUT;
				p[F_GCLI] = (struct pollfd){ .fd = l->gdb_cfd, .events = ev };
			}
		}
		if (poll(p, NR_FDS, 1000) < 0 && errno != EINTR)
			return VM_STATUS_UNHANDLED;

		if (p[F_SIG].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(l->sfd, &si, sizeof(si)) == sizeof(si))
				return 128 + (int)si.ssi_signo;
		}
		if (l->gdb_failed)
			return VM_STATUS_USAGE;
		if (limit_s) {
			struct timespec t;
			clock_gettime(CLOCK_MONOTONIC, &t);
			if (t.tv_sec - t0.tv_sec > limit_s)
				return VM_STATUS_TIMEOUT;
		}
		if (p[F_IN].revents) {
			ssize_t n = read(0, buf, sizeof(buf));
			if (n > 0) {
				lane_buf_put_encoded(&l->to_in, buf, (size_t)n);
			} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				/* end of input reaches the guest as its end of input */
				lane_buf_put_ctl(&l->to_in, LANE_CTL_EOF);
				l->stdin_done = true;
			}
			if (l->in_ready)
				(void)lane_buf_flush(&l->to_in, l->pfd[P_STDIN]);
		}
		if (!l->in_ready && (p[F_VIN].revents & POLLIN)) {
			/* the VM's "port open" (the only thing it sends there) */
			ssize_t n = read(l->pfd[P_STDIN], buf, sizeof(buf));
			l->in_ready = n > 0;
			if (n == 0)
				return 0; /* qemu is gone */
		} else if (p[F_VIN].revents & POLLOUT) {
			(void)lane_buf_flush(&l->to_in, l->pfd[P_STDIN]);
		}
		if (p[F_OUT].revents) {
			ssize_t n = read(l->pfd[P_STDOUT], buf, sizeof(buf));
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
				return 0; /* qemu is gone */
			if (n > 0)
				(void)write_all(1, buf, (size_t)n);
		}
		if (p[F_ERR].revents) {
			ssize_t n = read(l->pfd[P_STDERR], buf, sizeof(buf));
			if (n > 0)
				relay_stderr(l, buf, (size_t)n);
			else if (n == 0 || (errno != EAGAIN && errno != EINTR))
				l->stderr_done = true; /* qemu is going: stdout's end says when */
		}
		if (p[F_VGDB].revents & POLLIN) {
			ssize_t n = read(l->pfd[P_GDB], buf, sizeof(buf));
			if (n > 0)
				from_vm_gdb(l, buf, (size_t)n);
		}
		if (p[F_VGDB].revents & POLLOUT)
			(void)lane_buf_flush(&l->to_gdb, l->pfd[P_GDB]);
		if (p[F_GLIS].revents & POLLIN)
			gdb_accept(l);
		if (l->gdb_cfd >= 0 && (p[F_GCLI].revents & POLLOUT) &&
		    lane_buf_flush(&l->from_gdb, l->gdb_cfd) < 0)
			gdb_client_gone(l);
		if (l->gdb_cfd >= 0 && (p[F_GCLI].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = read(l->gdb_cfd, buf, sizeof(buf));
			if (n > 0)
				lane_buf_put_encoded(&l->to_gdb, buf, (size_t)n);
			else if (n == 0 || (errno != EAGAIN && errno != EINTR))
				gdb_client_gone(l);
			if (l->gdb_ready)
				(void)lane_buf_flush(&l->to_gdb, l->pfd[P_GDB]);
		}
	}
}

/* Whatever qemu wrote before it exited is still in the sockets. */
static void drain(struct lane *l)
{
	uint8_t buf[4096];
	ssize_t n;

	while ((n = read(l->pfd[P_STDOUT], buf, sizeof(buf))) > 0)
		(void)write_all(1, buf, (size_t)n);
	if (l->pfd[P_STDERR] >= 0) {
		fcntl(l->pfd[P_STDERR], F_SETFL, 0);
		while ((n = read(l->pfd[P_STDERR], buf, sizeof(buf))) > 0)
			relay_stderr(l, buf, (size_t)n);
	}
	if (l->errlen)
		(void)write_all(2, l->errline, l->errlen);
	l->errlen = 0;
}

static int boot_and_relay(struct lane *l)
{
	int r;
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX + 16];

	if (!tmp || !*tmp)
		tmp = "/tmp";
	/* qemu's -fsdev path cannot hold a comma */
	if (strchr(tmp, ',') || strchr(l->cache, ',')) {
		fprintf(stderr, "gdbvmm: TMPDIR or the lane's cache path contains a comma, "
			"which qemu -fsdev cannot take\n");
		return VM_STATUS_USAGE;
	}
	snprintf(l->dir, sizeof(l->dir), "%s/gdbvmm-lane.XXXXXX", tmp);
	if (!mkdtemp(l->dir)) {
		fprintf(stderr, "gdbvmm: %s: %s\n", l->dir, strerror(errno));
		return VM_STATUS_USAGE;
	}
	snprintf(path, sizeof(path), "%s/ctl", l->dir);
	if (mkdir(path, 0700) || (r = lane_boot_write_ctl(l)) < 0) {
		fprintf(stderr, "gdbvmm: %s: %s\n", path, strerror(errno));
		return VM_STATUS_USAGE;
	}
	for (int i = 0; i < NR_PORTS; i++)
		if ((i != P_GDB || l->o->gdb) && (r = lane_boot_listen_port(l, i)) < 0) {
			fprintf(stderr, "gdbvmm: %s: %s\n", l->dir, strerror(-r));
			return VM_STATUS_USAGE;
		}
	if (l->o->gdb) {
		/* A TCP address is taken now, so that a busy one is an error
		 * at once; it listens once the stub inside does (gdb_ready).
		 * A unix socket appears only then: gdb does not retry one. */
		struct stat st;
		r = gdb_conn_parse(l->o->gdb, &l->gdb_spec);
		if (r == 0 && !l->gdb_spec.is_unix)
			r = gdb_conn_bind(&l->gdb_spec, &l->gdb_lfd, l->gdb_addr, sizeof(l->gdb_addr));
		else if (r == 0 && lstat(l->gdb_spec.path, &st) == 0 && !S_ISSOCK(st.st_mode))
			r = -EADDRINUSE;
		if (r < 0) {
			fprintf(stderr, "gdbvmm: --gdb %s: %s\n", l->o->gdb,
				r == -EINVAL ? "expected [HOST:]PORT or unix:PATH" : strerror(-r));
			return VM_STATUS_USAGE;
		}
		l->err_filter = true;
	}
	if ((r = lane_boot_qemu(l)) < 0 || (r = lane_boot_accept_ports(l)) < 0) {
		char where[PATH_MAX + 64];
		lane_boot_keep_log(l, where, sizeof(where));
		fprintf(stderr, "gdbvmm: cannot start " QEMU ": %s%s\n", strerror(-r), where);
		return VM_STATUS_USAGE;
	}
	if (l->stdin_tty)
		console_raw_mode(0);
	int st = relay(l);
	if (l->stdin_tty)
		console_restore_terminal();
	if (st)
		return st;
	drain(l);
	int ws = 0;
	waitpid(l->qemu, &ws, 0);
	l->qemu = -1;
	st = lane_boot_status(l);
	if (st >= 0)
		return st;
	char where[PATH_MAX + 64];
	lane_boot_keep_log(l, where, sizeof(where));
	fprintf(stderr, "gdbvmm: the nested VM stopped without the machine's exit status "
		"(qemu status %d)%s\n", WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws), where);
	return VM_STATUS_HOST_LACKS;
}

int lane_run(const struct lane_opts *o)
{
	struct lane *l = calloc(1, sizeof(*l));
	int st;

	if (!l) {
		fprintf(stderr, "gdbvmm: out of memory\n");
		return VM_STATUS_USAGE;
	}
	l->o = o;
	l->gdb_lfd = l->gdb_cfd = l->sfd = -1;
	l->qemu = -1;
	for (int i = 0; i < NR_PORTS; i++)
		l->lfd[i] = l->pfd[i] = -1;
	l->stdin_tty = isatty(0);

	if (!lane_boot_in_path(QEMU)) {
		fprintf(stderr, "gdbvmm: %s; running the machine without it needs QEMU: "
			"apt-get install qemu-system-x86\n", o->why ? o->why : "--lane");
		free(l);
		return VM_STATUS_USAGE;
	}
	if (lane_boot_find_scripts(l) < 0 || lane_boot_cache_dir(l) < 0) {
		fprintf(stderr, "gdbvmm: %s; and the nested VM's scripts (vmm/lane/ or "
			"../libexec/gdbvmm/ next to the binary) or $HOME are missing\n",
			o->why ? o->why : "--lane");
		free(l);
		return VM_STATUS_USAGE;
	}
	/* The one line that says what happens (README.md, "Without /dev/kvm"). */
	fprintf(stderr, "gdbvmm: %s: running the machine in a nested KVM VM (QEMU TCG with "
		"SVM): a few seconds to start, guest code fast, VM exits slower; "
		"--no-lane or GDBVMM_LANE=off turns this off\n",
		o->why ? o->why : "--lane or GDBVMM_LANE=force");
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	l->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);

	int r = lane_boot_setup(l);
	if (r < 0) {
		fprintf(stderr, "gdbvmm: setting up the nested VM in %s failed%s%s%s\n", l->cache,
			r == -EIO ? "" : " (", r == -EIO ? "" : strerror(-r), r == -EIO ? "" : ")");
		st = VM_STATUS_USAGE;
	} else {
		st = boot_and_relay(l);
	}
	lane_boot_cleanup(l);
	free(l);
	return st;
}
