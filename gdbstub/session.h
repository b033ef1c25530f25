/* gdbstub/session.h: the stub's session state and what its packet handlers share (gdbstub.c, data.c, query.c). */
#ifndef GDBSTUB_SESSION_H
#define GDBSTUB_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdbstub/gdbstub.h"
#include "gdbstub/packet.h"
#include "gdbstub/regs.h"

#define MEM_MAX (RSP_PACKET_SIZE / 2) /* an `m` reply is two hex digits a byte */
#define MON_SIZE 16384                /* monitor output */
#define MON_CMD_MAX 1024
#define XML_SIZE 32768
#define MAX_CPUS 1024
#define PAGE 4096u

/* gdb signal numbers ("Stop Reply Packets" use gdb's own numbering) */
#define SIG_TRAP 5

struct gdb_session {
	const struct gdb_target_ops *ops;
	void *tgt;
	const struct gdb_regtab *rt;
	int ncpus;

	int gcpu;      /* Hg: registers, memory and breakpoints */
	int ccpu;      /* Hc: -1 = all/any */
	bool no_ack;   /* QStartNoAckMode accepted */
	bool swbreak;  /* gdb offered swbreak+ in qSupported */
	bool hwbreak;
	bool phys;     /* monitor phys on */
	bool running;
	bool have_stop;
	struct gdb_stop stop;

	enum gdb_resume_action *actions;
	bool *assigned;

	size_t xml_len;
	char xml[XML_SIZE];
	char reply[RSP_PACKET_SIZE + 64];
	uint8_t mem[RSP_PACKET_SIZE];
	char mon[MON_SIZE];
};

/* A handler gets what follows the packet's name, p..end (binary data may
 * hold NULs), and appends exactly one reply or resumes the target. */
typedef enum gdb_action handler_fn(struct gdb_session *s, const char *p,
				   const char *end, struct gdb_out *o);

/* gdbstub.c: replies */
/* The same as gdb_out_packet for a reply that is the hex of `len` bytes. */
int gdb_out_hex_packet(struct gdb_out *o, const void *data, size_t len);
enum gdb_action gdb_reply_str(struct gdb_out *o, const char *text);
/* "Standard Replies": `E NN`, the errno in hex. */
enum gdb_action gdb_reply_err(struct gdb_out *o, int err);
enum gdb_action gdb_reply_empty(struct gdb_out *o);
/* Console text as O packets ("Stop Reply Packets"). */
void gdb_console(struct gdb_out *o, const char *text);

/* gdbstub.c: small parsers; `p`..`end` is what is left of the packet */
bool gdb_eat(const char **p, const char *end, char c);
/* "addr,length" as in m, M, X, Z (hex, overflow-checked, not wrapping). */
int gdb_parse_range(const char **p, const char *end, uint64_t *addr, uint64_t *len);
/* A thread id: *cpu -1 for all or any (*any), else 0-based; -ESRCH, -EINVAL. */
int gdb_parse_tid(struct gdb_session *s, const char **p, const char *end, int *cpu, bool *any);
/* Is gdb to see this vCPU as a thread (target's cpu_online)? */
bool gdb_cpu_online(struct gdb_session *s, int cpu);

/* data.c: g G p P m M X; the read_mem/write_mem flags (monitor phys) */
unsigned gdb_mem_flags(const struct gdb_session *s);
handler_fn gdb_d_read_regs, gdb_d_write_regs, gdb_d_read_reg, gdb_d_write_reg,
	gdb_d_read_mem, gdb_d_write_mem_hex, gdb_d_write_mem_bin;

/* query.c: q and Q packets, monitor commands */
handler_fn gdb_q_supported, gdb_q_noack, gdb_q_xfer, gdb_q_fthreadinfo, gdb_q_sthreadinfo,
	gdb_q_c, gdb_q_attached, gdb_q_threadextra, gdb_q_rcmd;

#endif
