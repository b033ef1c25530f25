/* gdbstub/gdbstub.c: the RSP command layer: packet handlers in tables, replies as bytes, no I/O.
 *
 * Every handler gets the packet body and its length (binary `X` data may
 * hold NULs), validates every field, and either appends exactly one reply
 * packet to the output or resumes the target. Node names in comments are
 * those of the GDB manual, appendix "GDB Remote Serial Protocol".
 */
#include "gdbstub/gdbstub.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ------------------------------------------------------------------------
 * output
 * ------------------------------------------------------------------------ */

/* A packet of `n` bytes framed at the end of the output (or -ENOSPC). */
static int out_framed(struct gdb_out *o, long n)
{
	if (n < 0)
		return (int)n;
	o->last = o->len;
	o->len += (size_t)n;
	return 0;
}

int gdb_out_packet(struct gdb_out *o, const void *body, size_t len)
{
	return out_framed(o, rsp_encode(body, len, o->buf + o->len, o->cap - o->len));
}

/* The same for a reply that is the hex of `len` bytes (rsp_encode_hex). */
static int out_hex_packet(struct gdb_out *o, const void *data, size_t len)
{
	return out_framed(o, rsp_encode_hex(data, len, o->buf + o->len, o->cap - o->len));
}

static enum gdb_action reply_str(struct gdb_out *o, const char *text)
{
	/* only fails when the output is full, which GDB_OUT_SIZE rules out */
	(void)gdb_out_packet(o, text, strlen(text));
	return GDB_ACT_REPLY;
}

/* "Standard Replies": `E NN`. We send the errno in hex: E16 malformed
 * packet (EINVAL), E0e bad address (EFAULT), E03 no such thread (ESRCH),
 * E1c no resource left (ENOSPC), E5f cannot be done (EOPNOTSUPP). */
static enum gdb_action reply_err(struct gdb_out *o, int err)
{
	char buf[8];
	int e = err < 0 ? -err : err;

	snprintf(buf, sizeof(buf), "E%02x", (e ? e : EINVAL) & 0xff);
	return reply_str(o, buf);
}

static enum gdb_action reply_empty(struct gdb_out *o)
{
	return reply_str(o, "");
}

/* "Stop Reply Packets": O packets carry console text as hex. */
static void console(struct gdb_out *o, const char *text)
{
	char pkt[1 + 2 * 1024];
	size_t len = strlen(text);

	for (size_t off = 0; off < len;) {
		size_t n = len - off < 1024 ? len - off : 1024;
		pkt[0] = 'O';
		rsp_hex_encode(text + off, n, pkt + 1);
		(void)gdb_out_packet(o, pkt, 1 + 2 * n);
		off += n;
	}
}

/* ------------------------------------------------------------------------
 * small parsers; `p`..`end` is what is left of the packet
 * ------------------------------------------------------------------------ */

static bool eat(const char **p, const char *end, char c)
{
	if (*p < end && **p == c) {
		(*p)++;
		return true;
	}
	return false;
}

/* "addr,length" as in m, M, X, Z (hex, overflow-checked). The range must
 * not wrap past the top of the address space. */
static int parse_range(const char **p, const char *end, uint64_t *addr,
		       uint64_t *len)
{
	uint64_t last;
	int err = rsp_scan_u64(p, end, addr);
	if (err)
		return -EINVAL;
	if (!eat(p, end, ','))
		return -EINVAL;
	if (rsp_scan_u64(p, end, len))
		return -EINVAL;
	if (*len && __builtin_add_overflow(*addr, *len - 1, &last))
		return -EINVAL;
	return 0;
}

/* A thread id ("Packets", thread-id): -1 all, 0 any, else cpu + 1.
 * *cpu is -1 for all or any, else the 0-based cpu; -ESRCH for a thread
 * that does not exist, -EINVAL for bad syntax. */
static int parse_tid(struct gdb_session *s, const char **p, const char *end,
		     int *cpu, bool *any)
{
	uint64_t v;

	*any = false;
	if (end - *p >= 2 && (*p)[0] == '-' && (*p)[1] == '1') {
		*p += 2;
		*cpu = -1;
		return 0;
	}
	if (rsp_scan_u64(p, end, &v))
		return -EINVAL;
	if (v == 0) {
		*any = true;
		*cpu = -1;
		return 0;
	}
	if (v > (uint64_t)s->ncpus)
		return -ESRCH;
	*cpu = (int)v - 1;
	return 0;
}

/* ------------------------------------------------------------------------
 * stop replies
 * ------------------------------------------------------------------------ */

static void format_stop(struct gdb_session *s, const struct gdb_stop *st,
			char *buf, size_t cap)
{
	int cpu = st->cpu >= 0 && st->cpu < s->ncpus ? st->cpu : 0;
	int sig = st->signal;
	const char *why = NULL;

	if (st->kind == GDB_STOP_EXITED) {
		snprintf(buf, cap, "W%02x", st->status & 0xff);
		return;
	}
	switch (st->kind) {
	case GDB_STOP_SWBREAK:
		if (s->swbreak)
			why = "swbreak";
		break;
	case GDB_STOP_HWBREAK:
		if (s->hwbreak)
			why = "hwbreak";
		break;
	case GDB_STOP_WATCH:
		why = "watch";
		break;
	case GDB_STOP_RWATCH:
		why = "rwatch";
		break;
	case GDB_STOP_AWATCH:
		why = "awatch";
		break;
	default:
		break;
	}
	if (st->kind != GDB_STOP_SIGNAL && st->kind != GDB_STOP_FAULT && !sig)
		sig = SIG_TRAP;
	int n = snprintf(buf, cap, "T%02xthread:%x;", sig & 0xff, cpu + 1);
	if (n < 0 || (size_t)n >= cap || !why)
		return;
	/* "Stop Reply Packets": swbreak/hwbreak carry no value, watchpoints
	 * the data address */
	if (st->kind == GDB_STOP_SWBREAK || st->kind == GDB_STOP_HWBREAK)
		snprintf(buf + n, cap - (size_t)n, "%s:;", why);
	else
		snprintf(buf + n, cap - (size_t)n, "%s:%llx;", why,
			 (unsigned long long)st->addr);
}

enum gdb_action gdb_session_stop(struct gdb_session *s,
				 const struct gdb_stop *st, struct gdb_out *out)
{
	char buf[128];
	bool was_running = s->running;

	s->stop = *st;
	s->stop.text[sizeof(s->stop.text) - 1] = 0;
	s->have_stop = true;
	s->running = false;
	if (st->kind == GDB_STOP_EXITED) {
		format_stop(s, st, buf, sizeof(buf));
		reply_str(out, buf);
		return GDB_ACT_EXITED;
	}
	/* all-stop: the stopped thread becomes the current one */
	if (st->cpu >= 0 && st->cpu < s->ncpus)
		s->gcpu = st->cpu;
	if (!was_running)
		return GDB_ACT_REPLY;
	if (st->kind == GDB_STOP_FAULT && s->stop.text[0]) {
		char text[sizeof(st->text) + 2];
		snprintf(text, sizeof(text), "%s\n", s->stop.text);
		console(out, text);
	}
	format_stop(s, &s->stop, buf, sizeof(buf));
	return reply_str(out, buf);
}

/* ------------------------------------------------------------------------
 * handlers: one per packet letter or name
 * ------------------------------------------------------------------------ */

typedef enum gdb_action handler_fn(struct gdb_session *s, const char *p,
				   const char *end, struct gdb_out *o);

/* `?`: the reason of the current stop ("Stop Reply Packets") */
static enum gdb_action h_status(struct gdb_session *s, const char *p,
				const char *end, struct gdb_out *o)
{
	char buf[128];
	struct gdb_stop st = {
		.kind = GDB_STOP_SIGNAL, .cpu = s->gcpu, .signal = SIG_TRAP,
	};

	(void)p, (void)end;
	format_stop(s, s->have_stop ? &s->stop : &st, buf, sizeof(buf));
	return reply_str(o, buf);
}

/* `g`: every register of the table, in order */
static enum gdb_action h_read_regs(struct gdb_session *s, const char *p,
				   const char *end, struct gdb_out *o)
{
	struct x86_state st;
	uint8_t raw[GDB_REGS_MAX_BYTES];

	if (p != end)
		return reply_err(o, -EINVAL);
	int err = s->ops->get_state(s->tgt, s->gcpu, &st);
	if (err)
		return reply_err(o, err);
	size_t n = gdb_regs_get_all(s->rt, &st, raw);
	rsp_hex_encode(raw, n, s->reply);
	(void)gdb_out_packet(o, s->reply, 2 * n);
	return GDB_ACT_REPLY;
}

/* `G XX...`: registers in g layout */
static enum gdb_action h_write_regs(struct gdb_session *s, const char *p,
				    const char *end, struct gdb_out *o)
{
	struct x86_state st;
	uint8_t raw[GDB_REGS_MAX_BYTES];
	long n = rsp_hex_decode(p, (size_t)(end - p), raw, sizeof(raw));

	if (n <= 0)
		return reply_err(o, -EINVAL);
	int err = s->ops->get_state(s->tgt, s->gcpu, &st);
	if (!err)
		err = gdb_regs_set_all(s->rt, &st, raw, (size_t)n);
	if (!err)
		err = s->ops->set_state(s->tgt, s->gcpu, &st);
	return err ? reply_err(o, err) : reply_str(o, "OK");
}

/* `p n` */
static enum gdb_action h_read_reg(struct gdb_session *s, const char *p,
				  const char *end, struct gdb_out *o)
{
	struct x86_state st;
	uint8_t raw[16];
	uint64_t n;

	if (rsp_parse_u64(p, (size_t)(end - p), &n) || n >= s->rt->nregs)
		return reply_err(o, -EINVAL);
	int err = s->ops->get_state(s->tgt, s->gcpu, &st);
	if (err)
		return reply_err(o, err);
	int len = gdb_regs_get(s->rt, (size_t)n, &st, raw);
	rsp_hex_encode(raw, (size_t)len, s->reply);
	(void)gdb_out_packet(o, s->reply, 2 * (size_t)len);
	return GDB_ACT_REPLY;
}

/* `P n=r...`: the value is the register's bytes, all of them */
static enum gdb_action h_write_reg(struct gdb_session *s, const char *p,
				   const char *end, struct gdb_out *o)
{
	struct x86_state st;
	uint8_t raw[16];
	uint64_t n;

	if (rsp_scan_u64(&p, end, &n) || !eat(&p, end, '=') ||
	    n >= s->rt->nregs)
		return reply_err(o, -EINVAL);
	long len = rsp_hex_decode(p, (size_t)(end - p), raw, sizeof(raw));
	if (len != s->rt->regs[n].bits / 8)
		return reply_err(o, -EINVAL);
	int err = s->ops->get_state(s->tgt, s->gcpu, &st);
	if (!err)
		err = gdb_regs_set(s->rt, (size_t)n, &st, raw);
	if (!err)
		err = s->ops->set_state(s->tgt, s->gcpu, &st);
	return err ? reply_err(o, err) : reply_str(o, "OK");
}

static unsigned mem_flags(const struct gdb_session *s)
{
	return s->phys ? GDB_MEM_PHYS : 0;
}

/* `m addr,length`: "the stub may return fewer bytes than requested", so
 * a read that runs into an unmapped page returns what came before it. */
static enum gdb_action h_read_mem(struct gdb_session *s, const char *p,
				  const char *end, struct gdb_out *o)
{
	uint64_t addr, len;
	size_t done = 0;

	if (parse_range(&p, end, &addr, &len) || p != end)
		return reply_err(o, -EINVAL);
	if (len > MEM_MAX)
		len = MEM_MAX;
	while (done < len) {
		uint64_t a = addr + done;
		size_t n = PAGE - (a & (PAGE - 1));
		if (n > len - done)
			n = (size_t)len - done;
		int err = s->ops->read_mem(s->tgt, s->gcpu, a, s->mem + done, n,
					   mem_flags(s));
		if (err) {
			if (!done)
				return reply_err(o, err);
			break;
		}
		done += n;
	}
	(void)out_hex_packet(o, s->mem, done);
	return GDB_ACT_REPLY;
}

static enum gdb_action write_mem(struct gdb_session *s, uint64_t addr,
				 size_t len, struct gdb_out *o)
{
	if (len) {
		int err = s->ops->write_mem(s->tgt, s->gcpu, addr, s->mem, len,
					    mem_flags(s));
		if (err)
			return reply_err(o, err);
	}
	return reply_str(o, "OK");
}

/* `M addr,length:XX...` */
static enum gdb_action h_write_mem_hex(struct gdb_session *s, const char *p,
				       const char *end, struct gdb_out *o)
{
	uint64_t addr, len;

	if (parse_range(&p, end, &addr, &len) || !eat(&p, end, ':') ||
	    len > sizeof(s->mem) || (uint64_t)(end - p) != 2 * len)
		return reply_err(o, -EINVAL);
	if (rsp_hex_decode(p, (size_t)(end - p), s->mem, sizeof(s->mem)) < 0)
		return reply_err(o, -EINVAL);
	return write_mem(s, addr, (size_t)len, o);
}

/* `X addr,length:XX...`: binary data, already unescaped by the framing.
 * A zero length is gdb's probe for X support and must answer OK. */
static enum gdb_action h_write_mem_bin(struct gdb_session *s, const char *p,
				       const char *end, struct gdb_out *o)
{
	uint64_t addr, len;

	if (parse_range(&p, end, &addr, &len) || !eat(&p, end, ':') ||
	    (uint64_t)(end - p) != len || len > sizeof(s->mem))
		return reply_err(o, -EINVAL);
	memcpy(s->mem, p, (size_t)len);
	return write_mem(s, addr, (size_t)len, o);
}

/* Resume with s->actions; `addr_cpu` >= 0 gets its pc set to addr first. */
static enum gdb_action resume(struct gdb_session *s, int addr_cpu,
			      uint64_t addr, struct gdb_out *o)
{
	if (addr_cpu >= 0) {
		struct x86_state st;
		int err = s->ops->get_state(s->tgt, addr_cpu, &st);
		if (!err)
			err = gdb_regs_write_pc(s->rt, &st, addr);
		if (!err)
			err = s->ops->set_state(s->tgt, addr_cpu, &st);
		if (err)
			return reply_err(o, err);
	}
	int err = s->ops->resume(s->tgt, s->actions);
	if (err)
		return reply_err(o, err);
	s->running = true;
	return GDB_ACT_RESUMED;
}

/* The thread c/s act on: the Hc thread, else the current one. */
static int cont_cpu(const struct gdb_session *s)
{
	return s->ccpu >= 0 ? s->ccpu : s->gcpu;
}

/* `c [addr]`, `s [addr]`, `C sig[;addr]`, `S sig[;addr]` ("Packets").
 * c resumes every vCPU; s steps the Hc (else current) thread while the
 * others stay stopped. A signal cannot be delivered to a machine and is
 * ignored. */
static enum gdb_action legacy_resume(struct gdb_session *s, const char *p,
				     const char *end, struct gdb_out *o,
				     bool step, bool with_sig)
{
	uint64_t addr = 0, sig;
	bool has_addr = false;
	int cpu = cont_cpu(s);

	if (with_sig) {
		if (rsp_scan_u64(&p, end, &sig) || sig > 0xff)
			return reply_err(o, -EINVAL);
		if (eat(&p, end, ';'))
			has_addr = true;
	} else if (p != end) {
		has_addr = true;
	}
	if (has_addr && rsp_scan_u64(&p, end, &addr))
		return reply_err(o, -EINVAL);
	if (p != end)
		return reply_err(o, -EINVAL);
	for (int i = 0; i < s->ncpus; i++)
		s->actions[i] = step ? GDB_RESUME_NONE : GDB_RESUME_CONT;
	if (step)
		s->actions[cpu] = GDB_RESUME_STEP;
	return resume(s, has_addr ? cpu : -1, addr, o);
}

static enum gdb_action h_cont(struct gdb_session *s, const char *p,
			      const char *end, struct gdb_out *o)
{
	return legacy_resume(s, p, end, o, false, false);
}

static enum gdb_action h_cont_sig(struct gdb_session *s, const char *p,
				  const char *end, struct gdb_out *o)
{
	return legacy_resume(s, p, end, o, false, true);
}

static enum gdb_action h_step(struct gdb_session *s, const char *p,
			      const char *end, struct gdb_out *o)
{
	return legacy_resume(s, p, end, o, true, false);
}

static enum gdb_action h_step_sig(struct gdb_session *s, const char *p,
				  const char *end, struct gdb_out *o)
{
	return legacy_resume(s, p, end, o, true, true);
}

/* `vCont?` */
static enum gdb_action h_vcont_query(struct gdb_session *s, const char *p,
				     const char *end, struct gdb_out *o)
{
	(void)s, (void)p, (void)end;
	return reply_str(o, "vCont;c;C;s;S;t");
}

/* `vCont[;action[:thread-id]]...`: "for each inferior thread, the
 * leftmost action with a matching thread-id is applied. Threads that
 * don't match any action remain in their current state", i.e. stopped in
 * all-stop. So `vCont;s:2` steps thread 2 alone and `vCont;s:2;c` steps
 * thread 2 while the others continue. */
static enum gdb_action h_vcont(struct gdb_session *s, const char *p,
			       const char *end, struct gdb_out *o)
{
	bool runs = false;

	for (int i = 0; i < s->ncpus; i++) {
		s->actions[i] = GDB_RESUME_NONE;
		s->assigned[i] = false;
	}
	if (p == end)
		return reply_err(o, -EINVAL);
	while (p < end) {
		enum gdb_resume_action act;
		uint64_t sig;
		int cpu = -1;
		bool any;

		if (!eat(&p, end, ';') || p == end)
			return reply_err(o, -EINVAL);
		char a = *p++;
		switch (a) {
		case 'c':
		case 'C':
			act = GDB_RESUME_CONT;
			break;
		case 's':
		case 'S':
			act = GDB_RESUME_STEP;
			break;
		case 't':
			act = GDB_RESUME_NONE;
			break;
		default:
			return reply_err(o, -EINVAL); /* r (range step) is not offered */
		}
		/* C and S carry a signal, which a machine cannot take */
		if ((a == 'C' || a == 'S') &&
		    (rsp_scan_u64(&p, end, &sig) || sig > 0xff))
			return reply_err(o, -EINVAL);
		if (eat(&p, end, ':')) {
			int err = parse_tid(s, &p, end, &cpu, &any);
			if (err)
				return reply_err(o, err);
			if (any)
				cpu = s->gcpu;
		}
		if (p < end && *p != ';')
			return reply_err(o, -EINVAL);
		for (int i = 0; i < s->ncpus; i++) {
			if (s->assigned[i] || (cpu >= 0 && i != cpu))
				continue;
			s->assigned[i] = true;
			s->actions[i] = act;
		}
	}
	for (int i = 0; i < s->ncpus; i++)
		if (s->actions[i] != GDB_RESUME_NONE)
			runs = true;
	if (!runs) /* all-stop: nothing to wait for */
		return reply_err(o, -EINVAL);
	return resume(s, -1, 0, o);
}

/* `H op thread-id`: g selects the thread of g/G/p/P/m/M/X/Z, c the one
 * of c/s. */
static enum gdb_action h_set_thread(struct gdb_session *s, const char *p,
				    const char *end, struct gdb_out *o)
{
	int cpu;
	bool any;

	if (p == end)
		return reply_err(o, -EINVAL);
	char op = *p++;
	if (op != 'g' && op != 'c')
		return reply_empty(o);
	int err = parse_tid(s, &p, end, &cpu, &any);
	if (err || p != end)
		return reply_err(o, err ? err : -EINVAL);
	if (op == 'g') {
		if (cpu >= 0) /* 0 and -1 keep the current thread */
			s->gcpu = cpu;
	} else {
		s->ccpu = cpu;
	}
	return reply_str(o, "OK");
}

static bool cpu_online(struct gdb_session *s, int cpu)
{
	return !s->ops->cpu_online || s->ops->cpu_online(s->tgt, cpu);
}

/* `T thread-id`: is the thread alive? (one that has not started is not) */
static enum gdb_action h_thread_alive(struct gdb_session *s, const char *p,
				      const char *end, struct gdb_out *o)
{
	int cpu;
	bool any;
	int err = parse_tid(s, &p, end, &cpu, &any);

	if (!err && (p != end || cpu < 0))
		err = -EINVAL;
	if (!err && !cpu_online(s, cpu))
		err = -ESRCH;
	return err ? reply_err(o, err) : reply_str(o, "OK");
}

/* `D` or `D;pid`: the target drops every breakpoint and runs on */
static enum gdb_action h_detach(struct gdb_session *s, const char *p,
				const char *end, struct gdb_out *o)
{
	(void)p, (void)end;
	s->ops->detach(s->tgt);
	reply_str(o, "OK");
	return GDB_ACT_DETACH;
}

/* `k`: no reply ("Packets") */
static enum gdb_action h_kill(struct gdb_session *s, const char *p,
			      const char *end, struct gdb_out *o)
{
	(void)p, (void)end, (void)o;
	s->ops->kill(s->tgt);
	return GDB_ACT_KILL;
}

/* `vKill;pid`: like k, but answers OK */
static enum gdb_action h_vkill(struct gdb_session *s, const char *p,
			       const char *end, struct gdb_out *o)
{
	(void)p, (void)end;
	s->ops->kill(s->tgt);
	reply_str(o, "OK");
	return GDB_ACT_KILL;
}

/* `Z type,addr,kind` and `z ...` (with an optional ";cond" list that is
 * ignored: ConditionalBreakpoints is not offered). An unknown type gets the
 * empty reply ("not supported"); every target error becomes E NN, so gdb
 * tells the user instead of silently losing the breakpoint. */
static enum gdb_action breakpoint(struct gdb_session *s, const char *p,
				  const char *end, struct gdb_out *o,
				  bool insert)
{
	uint64_t type, addr, kind;

	if (rsp_scan_u64(&p, end, &type) || !eat(&p, end, ','))
		return reply_err(o, -EINVAL);
	if (type > GDB_WP_ACCESS)
		return reply_empty(o);
	if (parse_range(&p, end, &addr, &kind) || (p != end && *p != ';'))
		return reply_err(o, -EINVAL);
	int err = insert ? s->ops->insert_bp(s->tgt, s->gcpu,
					     (enum gdb_bp_type)type, addr, kind,
					     mem_flags(s))
			 : s->ops->remove_bp(s->tgt, s->gcpu,
					     (enum gdb_bp_type)type, addr, kind,
					     mem_flags(s));
	return err ? reply_err(o, err) : reply_str(o, "OK");
}

static enum gdb_action h_insert_bp(struct gdb_session *s, const char *p,
				   const char *end, struct gdb_out *o)
{
	return breakpoint(s, p, end, o, true);
}

static enum gdb_action h_remove_bp(struct gdb_session *s, const char *p,
				   const char *end, struct gdb_out *o)
{
	return breakpoint(s, p, end, o, false);
}

/* `qSupported[:gdbfeature;...]` ("General Query Packets"). PacketSize is
 * RSP_PACKET_SIZE (64 KiB): gdb reads at most PacketSize/2 bytes per `m`,
 * so a 64 KiB read takes two packets. swbreak+/hwbreak+ only when gdb
 * offered them: then stop replies say which kind of breakpoint hit. */
static enum gdb_action h_qsupported(struct gdb_session *s, const char *p,
				    const char *end, struct gdb_out *o)
{
	char buf[160];

	s->swbreak = s->hwbreak = false;
	if (eat(&p, end, ':')) {
		while (p < end) {
			const char *semi = memchr(p, ';', (size_t)(end - p));
			size_t n = (size_t)((semi ? semi : end) - p);
			if (n == 8 && !memcmp(p, "swbreak+", 8))
				s->swbreak = true;
			if (n == 8 && !memcmp(p, "hwbreak+", 8))
				s->hwbreak = true;
			p += n + (semi ? 1 : 0);
		}
	}
	snprintf(buf, sizeof(buf),
		 "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;"
		 "vContSupported+%s%s", RSP_PACKET_SIZE,
		 s->swbreak ? ";swbreak+" : "", s->hwbreak ? ";hwbreak+" : "");
	return reply_str(o, buf);
}

/* `QStartNoAckMode` ("Packet Acknowledgment"): this OK is still acked,
 * nothing after it. */
static enum gdb_action h_noack(struct gdb_session *s, const char *p,
			       const char *end, struct gdb_out *o)
{
	if (p != end)
		return reply_err(o, -EINVAL);
	s->no_ack = true;
	return reply_str(o, "OK");
}

/* `qXfer:features:read:annex:offset,length` ("General Query Packets",
 * qXfer read): `m` + data while more follows, `l` + data for the last
 * part. E00 for an unknown annex or a bad offset, as the manual says. */
static enum gdb_action h_qxfer(struct gdb_session *s, const char *p,
			       const char *end, struct gdb_out *o)
{
	static const char features[] = ":features:read:";
	static const char annex[] = "target.xml:";
	uint64_t off, len;
	size_t nf = sizeof(features) - 1, na = sizeof(annex) - 1;

	if ((size_t)(end - p) < nf || memcmp(p, features, nf))
		return reply_empty(o); /* no other object is offered */
	p += nf;
	if ((size_t)(end - p) < na || memcmp(p, annex, na))
		return reply_str(o, "E00");
	p += na;
	if (parse_range(&p, end, &off, &len) || p != end || off > s->xml_len)
		return reply_str(o, "E00");
	/* every byte may need an escape: half the buffer is always safe */
	if (len > RSP_PACKET_SIZE / 2)
		len = RSP_PACKET_SIZE / 2;
	size_t n = s->xml_len - (size_t)off;
	bool last = true;
	if (n > len) {
		n = (size_t)len;
		last = false;
	}
	s->reply[0] = last ? 'l' : 'm';
	memcpy(s->reply + 1, s->xml + off, n);
	(void)gdb_out_packet(o, s->reply, n + 1);
	return GDB_ACT_REPLY;
}

/* `qfThreadInfo`: every thread in one reply; `qsThreadInfo`: the end */
static enum gdb_action h_qfthreadinfo(struct gdb_session *s, const char *p,
				      const char *end, struct gdb_out *o)
{
	size_t n = 0;

	(void)p, (void)end;
	s->reply[n++] = 'm';
	for (int i = 0; i < s->ncpus; i++)
		if (cpu_online(s, i))
			n += (size_t)snprintf(s->reply + n, sizeof(s->reply) - n,
					      "%s%x", n > 1 ? "," : "", i + 1);
	(void)gdb_out_packet(o, s->reply, n);
	return GDB_ACT_REPLY;
}

static enum gdb_action h_qsthreadinfo(struct gdb_session *s, const char *p,
				      const char *end, struct gdb_out *o)
{
	(void)s, (void)p, (void)end;
	return reply_str(o, "l");
}

/* `qC`: the current thread */
static enum gdb_action h_qc(struct gdb_session *s, const char *p,
			    const char *end, struct gdb_out *o)
{
	char buf[32];

	(void)p, (void)end;
	snprintf(buf, sizeof(buf), "QC%x", s->gcpu + 1);
	return reply_str(o, buf);
}

/* `qAttached`: 1, we attached to a machine that already existed, so
 * gdb detaches (not kills) on quit */
static enum gdb_action h_qattached(struct gdb_session *s, const char *p,
				   const char *end, struct gdb_out *o)
{
	(void)s, (void)p, (void)end;
	return reply_str(o, "1");
}

/* `qThreadExtraInfo,thread-id`: the target's one-line description, hex */
static enum gdb_action h_qthreadextra(struct gdb_session *s, const char *p,
				      const char *end, struct gdb_out *o)
{
	char text[256];
	int cpu;
	bool any;

	if (!eat(&p, end, ','))
		return reply_err(o, -EINVAL);
	int err = parse_tid(s, &p, end, &cpu, &any);
	if (!err && (p != end || cpu < 0))
		err = -EINVAL;
	if (err)
		return reply_err(o, err);
	text[0] = 0;
	if (!s->ops->cpu_describe ||
	    s->ops->cpu_describe(s->tgt, cpu, text, sizeof(text)) < 0 || !text[0])
		snprintf(text, sizeof(text), "vCPU %d", cpu);
	text[sizeof(text) - 1] = 0;
	size_t n = strlen(text);
	rsp_hex_encode(text, n, s->reply);
	(void)gdb_out_packet(o, s->reply, 2 * n);
	return GDB_ACT_REPLY;
}

/* --- monitor commands (`qRcmd,hex`) --------------------------------------- */

static const char stub_help[] =
	"gdbvmm stub commands:\n"
	"  help           this list\n"
	"  phys on|off    m/M/X/Z addresses are guest-physical (on) or\n"
	"                 virtual for the current vCPU (off, the default)\n"
	"  quit           end the machine, like `kill`\n";

static enum gdb_action mon_help(struct gdb_session *s, struct gdb_out *o)
{
	console(o, stub_help);
	if (s->ops->monitor) {
		s->mon[0] = 0;
		if (s->ops->monitor(s->tgt, s->gcpu, "help", s->mon,
				    sizeof(s->mon)) >= 0) {
			s->mon[sizeof(s->mon) - 1] = 0;
			console(o, "machine commands:\n");
			console(o, s->mon);
		}
	}
	return reply_str(o, "OK");
}

static enum gdb_action mon_phys(struct gdb_session *s, const char *arg,
				struct gdb_out *o)
{
	if (!strcmp(arg, "on"))
		s->phys = true;
	else if (!strcmp(arg, "off"))
		s->phys = false;
	else if (arg[0]) {
		console(o, "usage: monitor phys on|off\n");
		return reply_str(o, "OK");
	}
	console(o, s->phys ? "phys on: addresses are guest-physical\n"
			   : "phys off: addresses are virtual\n");
	return reply_str(o, "OK");
}

/* "General Query Packets", qRcmd: output as O packets, then OK. */
static enum gdb_action h_qrcmd(struct gdb_session *s, const char *p,
			       const char *end, struct gdb_out *o)
{
	char cmd[MON_CMD_MAX + 1];

	if (!eat(&p, end, ','))
		return reply_err(o, -EINVAL);
	long n = rsp_hex_decode(p, (size_t)(end - p), (uint8_t *)cmd, MON_CMD_MAX);
	if (n < 0 || memchr(cmd, 0, (size_t)n))
		return reply_err(o, -EINVAL);
	/* trim blanks at both ends */
	while (n > 0 && (cmd[n - 1] == ' ' || cmd[n - 1] == '\t' ||
			 cmd[n - 1] == '\n'))
		n--;
	cmd[n] = 0;
	char *c = cmd;
	while (*c == ' ' || *c == '\t')
		c++;

	/* the word and its argument */
	size_t w = strcspn(c, " \t");
	const char *arg = c + w;
	while (*arg == ' ' || *arg == '\t')
		arg++;
	if (w == 4 && !memcmp(c, "help", 4))
		return mon_help(s, o);
	if (w == 4 && !memcmp(c, "phys", 4))
		return mon_phys(s, arg, o);
	if (w == 4 && !memcmp(c, "quit", 4) && !*arg) {
		console(o, "gdbvmm: machine killed\n");
		reply_str(o, "OK");
		s->ops->kill(s->tgt);
		return GDB_ACT_KILL;
	}

	int err = -ENOENT;
	s->mon[0] = 0;
	if (s->ops->monitor)
		err = s->ops->monitor(s->tgt, s->gcpu, c, s->mon, sizeof(s->mon));
	s->mon[sizeof(s->mon) - 1] = 0;
	if (err == -ENOENT) {
		char msg[MON_CMD_MAX + 96];
		snprintf(msg, sizeof(msg),
			 "unknown monitor command: %s (try `monitor help`)\n", c);
		console(o, msg);
		return reply_str(o, "OK");
	}
	console(o, s->mon);
	if (err < 0) {
		char msg[MON_CMD_MAX + 96], ebuf[64];
		snprintf(msg, sizeof(msg), "monitor %s: %s\n", c,
			 strerror_r(-err, ebuf, sizeof(ebuf)));
		console(o, msg);
		return reply_err(o, err);
	}
	return reply_str(o, "OK");
}

/* --- dispatch ------------------------------------------------------------- */

/* q, Q and v packets by name. A name matches when the packet continues
 * with nothing, ':', ',' or ';' ("General Query Packets": the name ends
 * there). */
static const struct {
	const char *name;
	handler_fn *fn;
} named[] = {
	{"qSupported", h_qsupported},
	{"QStartNoAckMode", h_noack},
	{"qXfer", h_qxfer},
	{"qfThreadInfo", h_qfthreadinfo},
	{"qsThreadInfo", h_qsthreadinfo},
	{"qC", h_qc},
	{"qAttached", h_qattached},
	{"qThreadExtraInfo", h_qthreadextra},
	{"qRcmd", h_qrcmd},
	{"vCont?", h_vcont_query},
	{"vCont", h_vcont},
	{"vKill", h_vkill},
};

/* Every other packet by its first character. */
static handler_fn *const by_char[128] = {
	['?'] = h_status,
	['c'] = h_cont,
	['C'] = h_cont_sig,
	['s'] = h_step,
	['S'] = h_step_sig,
	['D'] = h_detach,
	['g'] = h_read_regs,
	['G'] = h_write_regs,
	['H'] = h_set_thread,
	['k'] = h_kill,
	['m'] = h_read_mem,
	['M'] = h_write_mem_hex,
	['p'] = h_read_reg,
	['P'] = h_write_reg,
	['T'] = h_thread_alive,
	['X'] = h_write_mem_bin,
	['z'] = h_remove_bp,
	['Z'] = h_insert_bp,
};

enum gdb_action gdb_session_packet(struct gdb_session *s, const uint8_t *pkt,
				   size_t len, struct gdb_out *out)
{
	const char *p = (const char *)pkt, *end = p + len;

	if (len == 0)
		return reply_empty(out);
	if (p[0] == 'q' || p[0] == 'Q' || p[0] == 'v') {
		for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
			size_t n = strlen(named[i].name);
			if (len < n || memcmp(p, named[i].name, n))
				continue;
			if (len > n && p[n] != ':' && p[n] != ',' && p[n] != ';')
				continue;
			return named[i].fn(s, p + n, end, out);
		}
		/* vMustReplyEmpty, qTStatus, qOffsets, qSymbol...: empty */
		return reply_empty(out);
	}
	unsigned char c = (unsigned char)p[0];
	if (c < 128 && by_char[c])
		return by_char[c](s, p + 1, end, out);
	return reply_empty(out); /* "an empty response means unsupported" */
}

/* ------------------------------------------------------------------------
 * life cycle
 * ------------------------------------------------------------------------ */

int gdb_session_new(struct gdb_session **out, const struct gdb_target_ops *ops,
		    void *tgt)
{
	struct gdb_session *s;
	int n = ops->nr_cpus(tgt);

	if (n <= 0 || n > MAX_CPUS)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->actions = calloc((size_t)n, sizeof(*s->actions));
	s->assigned = calloc((size_t)n, sizeof(*s->assigned));
	if (!s->actions || !s->assigned) {
		gdb_session_free(s);
		return -ENOMEM;
	}
	s->ops = ops;
	s->tgt = tgt;
	s->ncpus = n;
	s->rt = gdb_regs_table(ops->arch(tgt));
	long len = gdb_regs_xml(s->rt, s->xml, sizeof(s->xml));
	if (len < 0) {
		gdb_session_free(s);
		return (int)len;
	}
	s->xml_len = (size_t)len;
	gdb_session_reset(s);
	*out = s;
	return 0;
}

void gdb_session_free(struct gdb_session *s)
{
	if (!s)
		return;
	free(s->actions);
	free(s->assigned);
	free(s);
}

void gdb_session_reset(struct gdb_session *s)
{
	s->gcpu = 0;
	s->ccpu = -1;
	s->no_ack = false;
	s->swbreak = false;
	s->hwbreak = false;
	s->phys = false;
	s->running = false;
	s->have_stop = false;
}

bool gdb_session_no_ack(const struct gdb_session *s)
{
	return s->no_ack;
}

bool gdb_session_running(const struct gdb_session *s)
{
	return s->running;
}
