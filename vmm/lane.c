/* vmm/lane.c: the host side of the lane: boots the nested KVM VM, relays stdio and gdb, returns its status. */
#include "vmm/lane.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gdbstub/conn.h"
#include "vmm/console.h"
#include "vmm/lane_frame.h"
#include "vmm/vm.h"

#define QEMU "qemu-system-x86_64"
/* qemu's connections to our port sockets come while it starts; its
 * kernel and initramfs are read before (seconds). */
#define CONNECT_TIMEOUT_MS 60000

enum { P_STDIN, P_STDOUT, P_STDERR, P_GDB, NR_PORTS };
static const char *const port_name[NR_PORTS] = {
	LANE_PORT_STDIN, LANE_PORT_STDOUT, LANE_PORT_STDERR, LANE_PORT_GDB,
};

struct lane {
	const struct lane_opts *o;
	char dir[PATH_MAX];       /* private temp dir: sockets and the control share */
	char cache[PATH_MAX];
	char scripts[PATH_MAX];   /* vmm/lane or libexec/gdbvmm: setup, init */
	char self[PATH_MAX];      /* this binary, run again inside */
	int lfd[NR_PORTS];        /* listening sockets qemu connects to */
	int pfd[NR_PORTS];        /* qemu's connections */
	int gdb_lfd, gdb_cfd;     /* the host's gdb listener and its client */
	struct gdb_listen gdb_spec;
	char gdb_addr[300];
	pid_t qemu;
	int sfd;                  /* signalfd */
	struct lane_buf to_in, to_gdb, from_gdb;
	bool stdin_done, stdin_tty;
	bool in_ready, gdb_ready;  /* the VM holds the port (lane_frame.h) */
	bool gdb_failed;          /* the host's listener could not listen */
	bool gdb_esc;
	bool err_filter;          /* drop the inner stub's "gdb server on" line */
	char errline[256];
	size_t errlen;
};

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
 * finding things
 * ------------------------------------------------------------------------ */

static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (!path)
		return false;
	while (*path) {
		size_t n = strcspn(path, ":");
		if (n && snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog) < (int)sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

static bool is_file(const char *dir, const char *name)
{
	char buf[PATH_MAX];
	return snprintf(buf, sizeof(buf), "%s/%s", dir, name) < (int)sizeof(buf) &&
	       access(buf, R_OK) == 0;
}

/* The scripts live next to the binary: vmm/lane/ in the source tree,
 * ../libexec/gdbvmm/ once installed (Makefile, `make install`). */
static int find_scripts(struct lane *l)
{
	static const char *const rel[] = { "vmm/lane", "../libexec/gdbvmm" };
	ssize_t n = readlink("/proc/self/exe", l->self, sizeof(l->self) - 1);
	if (n <= 0)
		return -errno;
	l->self[n] = 0;
	char dir[PATH_MAX];
	memcpy(dir, l->self, (size_t)n + 1);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return -ENOENT;
	*slash = 0;
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		if (snprintf(l->scripts, sizeof(l->scripts), "%s/%s", dir, rel[i]) >=
		    (int)sizeof(l->scripts))
			continue;
		if (is_file(l->scripts, "setup") && is_file(l->scripts, "init"))
			return 0;
	}
	return -ENOENT;
}

static int cache_dir(struct lane *l)
{
	const char *x = getenv("GDBVMM_LANE_CACHE");
	int n;

	if (x && *x)
		n = snprintf(l->cache, sizeof(l->cache), "%s", x);
	else if ((x = getenv("XDG_CACHE_HOME")) && *x)
		n = snprintf(l->cache, sizeof(l->cache), "%s/gdbvmm/lane", x);
	else if ((x = getenv("HOME")) && *x)
		n = snprintf(l->cache, sizeof(l->cache), "%s/.cache/gdbvmm/lane", x);
	else
		return -ENOENT;
	return n < (int)sizeof(l->cache) ? 0 : -ENAMETOOLONG;
}

static time_t mtime_of(const char *dir, const char *name)
{
	char buf[PATH_MAX];
	struct stat st;
	if (snprintf(buf, sizeof(buf), "%s/%s", dir, name) >= (int)sizeof(buf) || stat(buf, &st))
		return -1;
	return st.st_mtime;
}

/* Ready when the stamp is newer than both scripts and the kernel and
 * initramfs are there; otherwise setup checks properly (it hashes the
 * scripts and asks apt which kernel is current, ~1 s) and builds. */
static bool cache_ready(const struct lane *l)
{
	time_t st = mtime_of(l->cache, "stamp");
	return st >= 0 && st >= mtime_of(l->scripts, "setup") && st >= mtime_of(l->scripts, "init") &&
	       mtime_of(l->cache, "initramfs.gz") >= 0 &&
	       (mtime_of(l->cache, "vmlinux") >= 0 || mtime_of(l->cache, "vmlinuz") >= 0);
}

/* Runs a child with the handled signals unblocked again; -1 on failure. */
static pid_t spawn(char *const argv[], int in, int out, int err, bool own_group)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* no qemu outlives us, whatever kills us */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (own_group)
		setpgid(0, 0);
	if ((in >= 0 && dup2(in, 0) < 0) || (out >= 0 && dup2(out, 1) < 0) ||
	    (err >= 0 && dup2(err, 2) < 0))
		_exit(127);
	execvp(argv[0], argv);
	_exit(127);
}

static int setup_cache(struct lane *l)
{
	if (cache_ready(l))
		return 0;
	fprintf(stderr, "gdbvmm: setting up the nested VM once (Debian's kernel, an initramfs) "
		"in %s\n", l->cache);
	char setup[PATH_MAX + 8];
	snprintf(setup, sizeof(setup), "%s/setup", l->scripts);
	if (setenv("VMLANE_CACHE", l->cache, 1))
		return -errno;
	char quiet[] = "-q";
	char *argv[] = { setup, quiet, NULL };
	/* its messages, if any, are errors: on our stderr */
	pid_t pid = spawn(argv, open("/dev/null", O_RDONLY | O_CLOEXEC), 2, 2, false);
	unsetenv("VMLANE_CACHE");
	if (pid < 0)
		return -errno;
	int ws;
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		return -EIO;
	/* setup found the stamp right (same scripts, same kernel) or wrote
	 * it: newer than the scripts now, so the next run skips setup */
	char stamp[PATH_MAX + 8];
	snprintf(stamp, sizeof(stamp), "%s/stamp", l->cache);
	utimensat(AT_FDCWD, stamp, NULL, 0);
	return 0;
}

/* ------------------------------------------------------------------------
 * the control share
 * ------------------------------------------------------------------------ */

/* Quoted for /bin/sh: 'a'\''b'. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

static int write_ctl(struct lane *l)
{
	char path[PATH_MAX + 16], cwd[PATH_MAX];
	FILE *f;

	if (!getcwd(cwd, sizeof(cwd)))
		return -errno;
	snprintf(path, sizeof(path), "%s/ctl/params", l->dir);
	if (!(f = fopen(path, "we")))
		return -errno;
	/* no project share; the host's /tmp stays, images may be there */
	fprintf(f, "nonce=lane\nproj=\nmsize=512000\nrootcache=loose\ntmp=host\nports=");
	for (int i = 0; i < NR_PORTS; i++)
		if (i != P_GDB || l->o->gdb)
			fprintf(f, "%s%s", i ? " " : "", port_name[i]);
	fputc('\n', f);
	if (fclose(f))
		return -errno;

	snprintf(path, sizeof(path), "%s/ctl/cmd", l->dir);
	if (!(f = fopen(path, "we")))
		return -errno;
	/* the images' paths resolve as on the host: same root, same directory */
	fputs("cd ", f);
	put_quoted(f, cwd);
	fputs(" || exit 125\nexec ", f);
	put_quoted(f, l->self);
	fprintf(f, " %s %s --", LANE_RELAY_OPT, l->o->gdb ? "1234" : "-");
	for (char *const *a = l->o->inner_args; *a; a++) {
		fputc(' ', f);
		put_quoted(f, *a);
	}
	fputc('\n', f);
	return fclose(f) ? -errno : 0;
}

/* ------------------------------------------------------------------------
 * qemu
 * ------------------------------------------------------------------------ */

static int listen_port(struct lane *l, int i)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", l->dir, port_name[i]) >=
	    (int)sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
		int e = -errno;
		close(fd);
		return e;
	}
	l->lfd[i] = fd;
	return 0;
}

static int start_qemu(struct lane *l)
{
	char kernel[PATH_MAX + 16], initrd[PATH_MAX + 16], mem[32], fs_root[96];
	char fs_ctl[PATH_MAX + 64], serial[PATH_MAX + 16], chr[NR_PORTS][PATH_MAX + 64];
	char dev[NR_PORTS][96];
	char *argv[64];
	int n = 0;

	snprintf(kernel, sizeof(kernel), "%s/vmlinux", l->cache);
	/* the unpacked vmlinux boots in half the time (PVH entry, vmm/lane/setup) */
	if (access(kernel, R_OK))
		snprintf(kernel, sizeof(kernel), "%s/vmlinuz", l->cache);
	snprintf(initrd, sizeof(initrd), "%s/initramfs.gz", l->cache);
	/* the guest's RAM, plus room for the VM's kernel and the inner gdbvmm;
	 * TCG allocates what is touched only */
	snprintf(mem, sizeof(mem), "%lluM", (unsigned long long)(l->o->ram_size >> 20) + 768);
	snprintf(fs_root, sizeof(fs_root),
		 "local,id=root,path=/,security_model=none,multidevs=remap,readonly=on");
	snprintf(fs_ctl, sizeof(fs_ctl), "local,id=ctl,path=%s/ctl,security_model=none", l->dir);
	snprintf(serial, sizeof(serial), "file:%s/console", l->dir);

	/* execvp wants char *: copies, freed below */
#define A(x) (argv[n++] = strdup(x))
	A(QEMU); A("-nodefaults"); A("-no-user-config");
	A("-accel"); A("tcg,thread=multi"); A("-cpu"); A("EPYC,+svm");
	A("-m"); A(mem); A("-smp"); A("1");
	A("-display"); A("none"); A("-vga"); A("none"); A("-no-reboot");
	A("-serial"); A(serial);
	A("-kernel"); A(kernel); A("-initrd"); A(initrd);
	/* the kernel parameters of tests/vmlane/run, which says why each */
	A("-append"); A("console=ttyS0 quiet loglevel=1 panic=-1 acpi=noirq watchdog_thresh=60 "
			"nohz=off highres=off");
	A("-fsdev"); A(fs_root); A("-device"); A("virtio-9p-pci,fsdev=root,mount_tag=hostroot");
	A("-fsdev"); A(fs_ctl); A("-device"); A("virtio-9p-pci,fsdev=ctl,mount_tag=vmlane_ctl");
	A("-device"); A("virtio-serial-pci,id=vser");
	for (int i = 0; i < NR_PORTS; i++) {
		if (l->lfd[i] < 0)
			continue;
		/* qemu connects to us (a client chardev): the host side of
		 * every port is open from the start (virtio console spec,
		 * VIRTIO_CONSOLE_PORT_OPEN) */
		snprintf(chr[i], sizeof(chr[i]), "socket,id=c%d,path=%s/%s.sock", i, l->dir,
			 port_name[i]);
		snprintf(dev[i], sizeof(dev[i]), "virtserialport,bus=vser.0,chardev=c%d,name=%s", i,
			 port_name[i]);
		A("-chardev"); A(chr[i]); A("-device"); A(dev[i]);
	}
	argv[n] = NULL;
#undef A

	char errpath[PATH_MAX + 16];
	snprintf(errpath, sizeof(errpath), "%s/qemu.err", l->dir);
	int efd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int nfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (efd < 0 || nfd < 0) {
		int e = -errno;
		if (efd >= 0) close(efd);
		if (nfd >= 0) close(nfd);
		return e;
	}
	bool ok = true;
	for (int i = 0; i < n; i++)
		ok &= argv[i] != NULL;
	l->qemu = ok ? spawn(argv, nfd, nfd, efd, true) : -1;
	int e = l->qemu < 0 ? (ok ? -errno : -ENOMEM) : 0;
	for (int i = 0; i < n; i++)
		free(argv[i]);
	close(efd);
	close(nfd);
	return e;
}

/* Accept qemu's connection on each port socket. */
static int accept_ports(struct lane *l)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < NR_PORTS; i++) {
		if (l->lfd[i] < 0)
			continue;
		for (;;) {
			struct pollfd p = { .fd = l->lfd[i], .events = POLLIN };
			if (poll(&p, 1, 100) > 0) {
				l->pfd[i] = accept4(l->lfd[i], NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
				if (l->pfd[i] >= 0)
					break;
			}
			if (waitpid(l->qemu, NULL, WNOHANG) == l->qemu) {
				l->qemu = -1;
				return -ECHILD;
			}
			struct timespec t;
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((t.tv_sec - t0.tv_sec) * 1000 > CONNECT_TIMEOUT_MS)
				return -ETIMEDOUT;
		}
		close(l->lfd[i]);
		l->lfd[i] = -1;
	}
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

static int read_status(struct lane *l)
{
	char path[PATH_MAX + 16], s[64] = "";
	snprintf(path, sizeof(path), "%s/ctl/status", l->dir);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(s, sizeof(s), f))
		s[0] = 0;
	fclose(f);
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || (*end && *end != '\n') || v < 0 || v > 255)
		return -1;
	return (int)v;
}

/* The console and qemu's messages, for whoever reads the failure line. */
static void keep_failure_log(struct lane *l, char *where, size_t len)
{
	char src[PATH_MAX + 16], dst[PATH_MAX + 32];
	snprintf(dst, sizeof(dst), "%s/last-failure.log", l->cache);
	FILE *out = fopen(dst, "we");
	where[0] = 0;
	if (!out)
		return;
	static const char *const files[] = { "console", "qemu.err" };
	for (int i = 0; i < 2; i++) {
		snprintf(src, sizeof(src), "%s/%s", l->dir, files[i]);
		FILE *in = fopen(src, "re");
		char line[512];
		while (in && fgets(line, sizeof(line), in))
			fputs(line, out);
		if (in)
			fclose(in);
	}
	fclose(out);
	snprintf(where, len, " (console log: %s)", dst);
}

static void cleanup(struct lane *l)
{
	char path[PATH_MAX + 64];

	if (l->qemu > 0) {
		kill(l->qemu, SIGKILL);
		waitpid(l->qemu, NULL, 0);
		l->qemu = -1;
	}
	for (int i = 0; i < NR_PORTS; i++) {
		if (l->lfd[i] >= 0) close(l->lfd[i]);
		if (l->pfd[i] >= 0) close(l->pfd[i]);
		snprintf(path, sizeof(path), "%s/%s.sock", l->dir, port_name[i]);
		unlink(path);
	}
	if (l->gdb_cfd >= 0) close(l->gdb_cfd);
	if (l->gdb_lfd >= 0) {
		close(l->gdb_lfd);
		/* as gdb_stub_close: the socket file goes with the server */
		if (l->gdb_spec.is_unix)
			unlink(l->gdb_spec.path);
	}
	if (l->sfd >= 0) close(l->sfd);
	static const char *const files[] = { "ctl/params", "ctl/cmd", "ctl/status", "console", "qemu.err" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", l->dir, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/ctl", l->dir);
	rmdir(path);
	rmdir(l->dir);
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
	if (mkdir(path, 0700) || (r = write_ctl(l)) < 0) {
		fprintf(stderr, "gdbvmm: %s: %s\n", path, strerror(errno));
		return VM_STATUS_USAGE;
	}
	for (int i = 0; i < NR_PORTS; i++)
		if ((i != P_GDB || l->o->gdb) && (r = listen_port(l, i)) < 0) {
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
	if ((r = start_qemu(l)) < 0 || (r = accept_ports(l)) < 0) {
		char where[PATH_MAX + 64];
		keep_failure_log(l, where, sizeof(where));
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
	st = read_status(l);
	if (st >= 0)
		return st;
	char where[PATH_MAX + 64];
	keep_failure_log(l, where, sizeof(where));
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

	if (!in_path(QEMU)) {
		fprintf(stderr, "gdbvmm: %s%s; running the machine without it needs QEMU: "
			"apt-get install qemu-system-x86\n", o->why ? "no usable /dev/kvm: " : "",
			o->why ? o->why : "--lane");
		free(l);
		return VM_STATUS_USAGE;
	}
	if (find_scripts(l) < 0 || cache_dir(l) < 0) {
		fprintf(stderr, "gdbvmm: %s%s; and the nested VM's scripts (vmm/lane/ or "
			"../libexec/gdbvmm/ next to the binary) or $HOME are missing\n",
			o->why ? "no usable /dev/kvm: " : "", o->why ? o->why : "--lane");
		free(l);
		return VM_STATUS_USAGE;
	}
	/* The one line that says what happens (README.md, "Without /dev/kvm"). */
	fprintf(stderr, "gdbvmm: %s%s: running the machine in a nested KVM VM (QEMU TCG with "
		"SVM): a few seconds to start, guest code fast, VM exits slower; "
		"--no-lane or GDBVMM_LANE=off turns this off\n",
		o->why ? "no usable /dev/kvm: " : "", o->why ? o->why : "--lane or GDBVMM_LANE=force");
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	l->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);

	int r = setup_cache(l);
	if (r < 0) {
		fprintf(stderr, "gdbvmm: setting up the nested VM in %s failed%s%s%s\n", l->cache,
			r == -EIO ? "" : " (", r == -EIO ? "" : strerror(-r), r == -EIO ? "" : ")");
		st = VM_STATUS_USAGE;
	} else {
		st = boot_and_relay(l);
	}
	cleanup(l);
	free(l);
	return st;
}
