/* gdbstub/gdbstub.h: the whole gdb stub API: the serve loop for main, the
 * protocol session for the connection layer and the tests.
 *
 * The stub is three layers (see docs/rsp.md):
 *   packet.c   framing: bytes -> packets, replies -> bytes; no I/O
 *   gdbstub.c  the protocol: one packet in, reply bytes out, through the
 *              target ops of gdbstub/target.h; no I/O
 *   conn.c     sockets: listen, accept one client, poll the client and the
 *              target's event fd; the only code that reads or writes a file
 *              descriptor. It implements the gdb_stub_* calls below.
 * plus regs.c, the register tables.
 *
 * All functions return 0 (or a count) on success and a negative errno on
 * failure; nothing here prints or exits.
 */
#ifndef GDBSTUB_GDBSTUB_H
#define GDBSTUB_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdbstub/packet.h"
#include "gdbstub/target.h"

/* ------------------------------------------------------------------------
 * For main: a stub serving one machine
 * ------------------------------------------------------------------------ */

struct gdb_stub;

/* The listen spec when the user gives none. */
#define GDB_STUB_DEFAULT_LISTEN "127.0.0.1:1234"

/* Parse `listen_spec` and start listening. Accepted forms (QEMU's -gdb
 * forms plus ours):
 *   1234  :1234  tcp::1234      127.0.0.1 (loopback only), port 1234
 *   HOST:PORT  tcp:HOST:PORT    that host; [v6addr]:PORT for IPv6
 *   unix:PATH                   a unix socket (a stale socket file at
 *                               PATH is replaced, nothing else is)
 * Trailing QEMU chardev options ",server", ",nowait", ",wait=off" are
 * accepted and ignored (the stub is always a server that does not wait).
 * Port 0 picks a free port (see gdb_stub_address). NULL means
 * GDB_STUB_DEFAULT_LISTEN.
 *
 * The machine is not touched: ops->arch and ops->nr_cpus are read once.
 * Returns 0 and *out, -EINVAL for a malformed spec (no socket created),
 * -EADDRNOTAVAIL for a host that does not resolve, or the socket error
 * (-EADDRINUSE ...). */
int gdb_stub_open(struct gdb_stub **out, const struct gdb_target_ops *ops,
		  void *tgt, const char *listen_spec);

/* The bound address, for a "gdb: listening on ..." line: "127.0.0.1:1234",
 * "[::1]:1234" or "unix:/path". */
const char *gdb_stub_address(const struct gdb_stub *s);

/* Serve clients until the machine is gone; blocks. One client at a time:
 * a second connection is told so in one line and closed, the first
 * session goes on. While no client is attached the machine runs and the
 * loop still watches ops->event_fd, so it learns of GDB_STOP_EXITED.
 *
 * On a connection the stub calls ops->attach and answers gdb once the
 * attach stop arrived. `D` or a dropped connection call ops->detach and
 * the stub waits for the next client. If a target reports a fault while
 * nobody is attached, the machine stays stopped and the next client is
 * told of it by `?` (gdbvmm's target does not: with no client attached a
 * fault ends the machine as it would without --gdb). Any other stop while
 * nobody is attached resumes every vCPU.
 *
 * Returns 0 when the machine exited (an attached client got `W xx`) or was
 * killed (`k`, `vKill`, `monitor quit`: ops->kill was called), or a
 * negative errno when the listening socket or the target failed. */
int gdb_stub_serve(struct gdb_stub *s);

/* Serve a stop on the calling thread, where it happened (a vCPU's own
 * thread, parked with the stop it completed), instead of telling the
 * thread in gdb_stub_serve through ops->event_fd: two thread hand-offs
 * fewer per `s` or `c`. Only while a client's resume is running and no
 * thread serves (else -EBUSY: tell the stop through ops->event_fd as
 * usual). Reports the stop (ops->get_stop), then serves the client as
 * gdb_stub_serve does for as long as stopped(arg) holds, and gives the
 * loop back: 0. A thread in gdb_stub_serve waits for it, and serves again
 * itself once a resumed machine has run for 50 ms with nobody serving. */
int gdb_stub_serve_here(struct gdb_stub *s, bool (*stopped)(void *arg), void *arg);

/* Close the sockets (removing a unix socket file) and free the stub. Does
 * not touch the machine. NULL is ignored. */
void gdb_stub_close(struct gdb_stub *s);

/* ------------------------------------------------------------------------
 * The protocol session (gdbstub.c): used by conn.c and the unit tests
 * ------------------------------------------------------------------------ */

struct gdb_session;

/* Framed output of the session: one or more complete packets. conn.c
 * writes buf[0..len) to the client; a `-` resends buf[last..len), the
 * final packet. */
struct gdb_out {
	uint8_t *buf;
	size_t len, cap;
	size_t last;
};

/* Room for any output of one step of the session. */
#define GDB_OUT_SIZE (2 * RSP_PACKET_SIZE + 4096)

/* What the connection layer does after gdb_session_packet/_stop. */
enum gdb_action {
	GDB_ACT_REPLY,   /* send `out` (maybe empty) and read on */
	GDB_ACT_RESUMED, /* the target runs: wait for its stop (0x03 from the
	                  * client means ops->interrupt) */
	GDB_ACT_DETACH,  /* send `out`, close the client (ops->detach done) */
	GDB_ACT_KILL,    /* send `out`, close the client, stop serving
	                  * (ops->kill done) */
	GDB_ACT_EXITED,  /* send `out` (`W xx`), close the client, stop
	                  * serving: the machine is gone */
};

/* A session for the machine behind ops/tgt. Reads ops->arch and
 * ops->nr_cpus and builds the target description. -EINVAL for a target
 * with no CPU, -ENOMEM. */
int gdb_session_new(struct gdb_session **out, const struct gdb_target_ops *ops,
		    void *tgt);
void gdb_session_free(struct gdb_session *s);

/* A new client: forget everything negotiated with the previous one
 * (no-ack mode, swbreak/hwbreak, phys mode, thread selection, last stop).
 * Does not call ops->attach. */
void gdb_session_reset(struct gdb_session *s);

/* Handle one packet body (as rsp_feed delivered it, without $ # and
 * checksum, unescaped). Appends the framed reply, if any, to out. */
enum gdb_action gdb_session_packet(struct gdb_session *s, const uint8_t *pkt,
				   size_t len, struct gdb_out *out);

/* The target reported a stop. It becomes the current stop (for `?`, and
 * Hg follows the stopped vCPU). When the session was running, the stop
 * reply goes to out (after an `O` console packet carrying the text of a
 * fault); otherwise nothing is sent. GDB_STOP_EXITED always produces
 * `W xx` and GDB_ACT_EXITED. */
enum gdb_action gdb_session_stop(struct gdb_session *s,
				 const struct gdb_stop *stop,
				 struct gdb_out *out);

/* True once QStartNoAckMode was accepted: no `+`/`-` either way. */
bool gdb_session_no_ack(const struct gdb_session *s);

/* True between a resume and its stop reply. */
bool gdb_session_running(const struct gdb_session *s);

/* Frame one packet body into out (escaping as rsp_encode); sets
 * out->last. -ENOSPC when it does not fit (out is unchanged). */
int gdb_out_packet(struct gdb_out *out, const void *body, size_t len);

#endif
