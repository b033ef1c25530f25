/* gdbstub/conn.h: the stub's connection layer: listen specs (the serve loop is in gdbstub.h).
 *
 * conn.c is the only stub code that calls socket, accept, read, write or
 * poll. It implements gdb_stub_open/serve/close of gdbstub/gdbstub.h; this
 * header exposes the listen-spec parser so that it can be tested alone.
 */
#ifndef GDBSTUB_CONN_H
#define GDBSTUB_CONN_H

#include <stdbool.h>
#include <stddef.h>

/* A parsed listen spec. */
struct gdb_listen {
	bool is_unix;
	char host[256];  /* TCP: numeric address or name, no brackets */
	char port[6];    /* TCP: decimal, 0..65535 */
	char path[108];  /* unix: the socket path (fits sun_path) */
};

/* Parse a listen spec (forms in gdbstub.h, gdb_stub_open; NULL is the
 * default). -EINVAL for anything malformed: an empty or non-decimal port,
 * a port over 65535, an IPv6 address without brackets, an empty or too
 * long unix path, an unknown ",option". Touches no socket. */
int gdb_conn_parse(const char *spec, struct gdb_listen *out);

/* Listen on a parsed spec: a TCP socket (SO_REUSEADDR, backlog 1) or a
 * unix socket (a stale socket file is replaced, any other file is not).
 * *lfd is the listening socket (close-on-exec); addr gets the bound
 * address as gdb_stub_address gives it. 0 or -errno. vmm/lane.c listens
 * with it on the host for a stub that runs inside the lane's VM. */
int gdb_conn_listen(const struct gdb_listen *l, int *lfd, char *addr, size_t addrlen);
/* The same without the listen(): the address is taken, but a client is
 * refused until the caller listens (gdb retries a refused connection,
 * `set tcp connect-timeout`), which the lane does once its stub is up. */
int gdb_conn_bind(const struct gdb_listen *l, int *lfd, char *addr, size_t addrlen);

/* The one line a second client gets before it is closed. */
#define GDB_CONN_BUSY_MSG "gdbvmm: a debugger is already attached to this machine\n"
extern const char gdb_conn_busy_msg[];

#endif
