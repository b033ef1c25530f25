/* vmm/lane_boot.c: the lane's setup and boot: scripts and cache, the control share, qemu and its port sockets. */
#include "vmm/lane_host.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* qemu's connections to our port sockets come while it starts; its
 * kernel and initramfs are read before (seconds). */
#define CONNECT_TIMEOUT_MS 60000

const char *const lane_port_name[NR_PORTS] = {
	LANE_PORT_STDIN, LANE_PORT_STDOUT, LANE_PORT_STDERR, LANE_PORT_GDB,
};

/* ------------------------------------------------------------------------
 * finding things
 * ------------------------------------------------------------------------ */

bool lane_boot_in_path(const char *prog)
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
 * ../libexec/gdbvmm/ once installed (vmm/install.mk, `make install`). */
int lane_boot_find_scripts(struct lane *l)
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

int lane_boot_cache_dir(struct lane *l)
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

int lane_boot_setup(struct lane *l)
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

int lane_boot_write_ctl(struct lane *l)
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
			fprintf(f, "%s%s", i ? " " : "", lane_port_name[i]);
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

int lane_boot_listen_port(struct lane *l, int i)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", l->dir, lane_port_name[i]) >=
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

int lane_boot_qemu(struct lane *l)
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
			 lane_port_name[i]);
		snprintf(dev[i], sizeof(dev[i]), "virtserialport,bus=vser.0,chardev=c%d,name=%s", i,
			 lane_port_name[i]);
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
int lane_boot_accept_ports(struct lane *l)
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

int lane_boot_status(struct lane *l)
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
void lane_boot_keep_log(struct lane *l, char *where, size_t len)
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

void lane_boot_cleanup(struct lane *l)
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
		snprintf(path, sizeof(path), "%s/%s.sock", l->dir, lane_port_name[i]);
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

