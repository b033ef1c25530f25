/* vmm/lane_host.h: the host side's state, shared by vmm/lane.c (the relay) and vmm/lane_boot.c (setup and qemu). */
#ifndef VMM_LANE_HOST_H
#define VMM_LANE_HOST_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "gdbstub/conn.h"
#include "vmm/lane.h"
#include "vmm/lane_frame.h"

#define QEMU "qemu-system-x86_64"

enum { P_STDIN, P_STDOUT, P_STDERR, P_GDB, NR_PORTS };
extern const char *const lane_port_name[NR_PORTS];

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
	bool stdin_done, stdin_tty, stderr_done;
	bool in_ready, gdb_ready;  /* the VM holds the port (lane_frame.h) */
	bool gdb_failed;          /* the host's listener could not listen */
	bool gdb_esc;
	bool err_filter;          /* drop the inner stub's "gdb server on" line */
	char errline[256];
	size_t errlen;
};

/* lane_boot.c. Each returns 0 or -errno unless it says otherwise. */
bool lane_boot_in_path(const char *prog);
/* The scripts next to the binary (vmm/lane/, ../libexec/gdbvmm/). */
int lane_boot_find_scripts(struct lane *l);
/* GDBVMM_LANE_CACHE, else $XDG_CACHE_HOME/gdbvmm/lane, else ~/.cache/gdbvmm/lane. */
int lane_boot_cache_dir(struct lane *l);
/* Runs vmm/lane/setup unless the cache is ready (one progress line). */
int lane_boot_setup(struct lane *l);
/* The control share: params and the command for vmm/lane/init. */
int lane_boot_write_ctl(struct lane *l);
int lane_boot_listen_port(struct lane *l, int i);
int lane_boot_qemu(struct lane *l);
int lane_boot_accept_ports(struct lane *l);
/* The console and qemu's messages into <cache>/last-failure.log; where
 * gets " (console log: PATH)" or "". */
void lane_boot_keep_log(struct lane *l, char *where, size_t len);
/* The status init left on the control share, or -1. */
int lane_boot_status(struct lane *l);
/* qemu killed, sockets closed, the temp dir removed. */
void lane_boot_cleanup(struct lane *l);

#endif
