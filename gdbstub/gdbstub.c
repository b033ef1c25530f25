/* gdbstub/gdbstub.c: the RSP command layer: the packet tables, run control and stop replies, as bytes, no I/O.
 *
 * Every handler gets the packet body and its length (binary `X` data may
 * hold NULs), validates every field, and either appends exactly one reply
 * packet to the output or resumes the target. Node names in comments are
 * those of the GDB manual, appendix "GDB Remote Serial Protocol".
 * Registers and memory are gdbstub/data.c, the q and Q packets and
 * `monitor` gdbstub/query.c; the state they share, gdbstub/session.h.
 */
#include "gdbstub/gdbstub.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdbstub/packet.h"
#include "gdbstub/regs.h"
#include "gdbstub/session.h"

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
int gdb_out_hex_packet(struct gdb_out *o, const void *data, size_t len)
{
	return out_framed(o, rsp_encode_hex(data, len, o->buf + o->len, o->cap - o->len));
}

enum gdb_action gdb_reply_str(struct gdb_out *o, const char *text)
{
	/* only fails when the output is full, which GDB_OUT_SIZE rules out */
	(void)gdb_out_packet(o, text, strlen(text));
	return GDB_ACT_REPLY;
}

/* "Standard Replies": `E NN`. We send the errno in hex: E16 malformed
 * packet (EINVAL), E0e bad address (EFAULT), E03 no such thread (ESRCH),
 * E1c no resource left (ENOSPC), E5f cannot be done (EOPNOTSUPP). */
enum gdb_action gdb_reply_err(struct gdb_out *o, int err)
{
	char buf[8];
	int e = err < 0 ? -err : err;

	snprintf(buf, sizeof(buf), "E%02x", (e ? e : EINVAL) & 0xff);
	return gdb_reply_str(o, buf);
}

enum gdb_action gdb_reply_empty(struct gdb_out *o)
{
	return gdb_reply_str(o, "");
}

/* "Stop Reply Packets": O packets carry console text as hex. */
void gdb_console(struct gdb_out *o, const char *text)
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

bool gdb_eat(const char **p, const char *end, char c)
{
	if (*p < end && **p == c) {
		(*p)++;
		return true;
	}
	return false;
}

/* "addr,length" as in m, M, X, Z (hex, overflow-checked). The range must
 * not wrap past the top of the address space. */
int gdb_parse_range(const char **p, const char *end, uint64_t *addr,
		    uint64_t *len)
{
	uint64_t last;
	int err = rsp_scan_u64(p, end, addr);
	if (err)
		return -EINVAL;
	if (!gdb_eat(p, end, ','))
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
int gdb_parse_tid(struct gdb_session *s, const char **p, const char *end,
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
		gdb_reply_str(out, buf);
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
		gdb_console(out, text);
	}
	format_stop(s, &s->stop, buf, sizeof(buf));
	return gdb_reply_str(out, buf);
}

/* ------------------------------------------------------------------------
 * handlers: one per packet letter or name
 * ------------------------------------------------------------------------ */

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
	return gdb_reply_str(o, buf);
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
			return gdb_reply_err(o, err);
	}
	int err = s->ops->resume(s->tgt, s->actions);
	if (err)
		return gdb_reply_err(o, err);
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
			return gdb_reply_err(o, -EINVAL);
		if (gdb_eat(&p, end, ';'))
			has_addr = true;
	} else if (p != end) {
		has_addr = true;
	}
	if (has_addr && rsp_scan_u64(&p, end, &addr))
		return gdb_reply_err(o, -EINVAL);
	if (p != end)
		return gdb_reply_err(o, -EINVAL);
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
	return gdb_reply_str(o, "vCont;c;C;s;S;t");
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
		return gdb_reply_err(o, -EINVAL);
	while (p < end) {
		enum gdb_resume_action act;
		uint64_t sig;
		int cpu = -1;
		bool any;

		if (!gdb_eat(&p, end, ';') || p == end)
			return gdb_reply_err(o, -EINVAL);
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
			return gdb_reply_err(o, -EINVAL); /* r (range step) is not offered */
		}
		/* C and S carry a signal, which a machine cannot take */
		if ((a == 'C' || a == 'S') &&
		    (rsp_scan_u64(&p, end, &sig) || sig > 0xff))
			return gdb_reply_err(o, -EINVAL);
		if (gdb_eat(&p, end, ':')) {
			int err = gdb_parse_tid(s, &p, end, &cpu, &any);
			if (err)
				return gdb_reply_err(o, err);
			if (any)
				cpu = s->gcpu;
		}
		if (p < end && *p != ';')
			return gdb_reply_err(o, -EINVAL);
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
		return gdb_reply_err(o, -EINVAL);
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
		return gdb_reply_err(o, -EINVAL);
	char op = *p++;
	if (op != 'g' && op != 'c')
		return gdb_reply_empty(o);
	int err = gdb_parse_tid(s, &p, end, &cpu, &any);
	if (err || p != end)
		return gdb_reply_err(o, err ? err : -EINVAL);
	if (op == 'g') {
		if (cpu >= 0) /* 0 and -1 keep the current thread */
			s->gcpu = cpu;
	} else {
		s->ccpu = cpu;
	}
	return gdb_reply_str(o, "OK");
}

bool gdb_cpu_online(struct gdb_session *s, int cpu)
{
	return !s->ops->cpu_online || s->ops->cpu_online(s->tgt, cpu);
}

/* `T thread-id`: is the thread alive? (one that has not started is not) */
static enum gdb_action h_thread_alive(struct gdb_session *s, const char *p,
				      const char *end, struct gdb_out *o)
{
	int cpu;
	bool any;
	int err = gdb_parse_tid(s, &p, end, &cpu, &any);

	if (!err && (p != end || cpu < 0))
		err = -EINVAL;
	if (!err && !gdb_cpu_online(s, cpu))
		err = -ESRCH;
	return err ? gdb_reply_err(o, err) : gdb_reply_str(o, "OK");
}

/* `D` or `D;pid`: the target drops every breakpoint and runs on */
static enum gdb_action h_detach(struct gdb_session *s, const char *p,
				const char *end, struct gdb_out *o)
{
	(void)p, (void)end;
	s->ops->detach(s->tgt);
	gdb_reply_str(o, "OK");
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
	gdb_reply_str(o, "OK");
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

	if (rsp_scan_u64(&p, end, &type) || !gdb_eat(&p, end, ','))
		return gdb_reply_err(o, -EINVAL);
	if (type > GDB_WP_ACCESS)
		return gdb_reply_empty(o);
	if (gdb_parse_range(&p, end, &addr, &kind) || (p != end && *p != ';'))
		return gdb_reply_err(o, -EINVAL);
	int err = insert ? s->ops->insert_bp(s->tgt, s->gcpu,
					     (enum gdb_bp_type)type, addr, kind,
					     gdb_mem_flags(s))
			 : s->ops->remove_bp(s->tgt, s->gcpu,
					     (enum gdb_bp_type)type, addr, kind,
					     gdb_mem_flags(s));
	return err ? gdb_reply_err(o, err) : gdb_reply_str(o, "OK");
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

/* --- dispatch ------------------------------------------------------------- */

/* q, Q and v packets by name. A name matches when the packet continues
 * with nothing, ':', ',' or ';' ("General Query Packets": the name ends
 * there). */
static const struct {
	const char *name;
	handler_fn *fn;
} named[] = {
	{"qSupported", gdb_q_supported},
	{"QStartNoAckMode", gdb_q_noack},
	{"qXfer", gdb_q_xfer},
	{"qfThreadInfo", gdb_q_fthreadinfo},
	{"qsThreadInfo", gdb_q_sthreadinfo},
	{"qC", gdb_q_c},
	{"qAttached", gdb_q_attached},
	{"qThreadExtraInfo", gdb_q_threadextra},
	{"qRcmd", gdb_q_rcmd},
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
	['g'] = gdb_d_read_regs,
	['G'] = gdb_d_write_regs,
	['H'] = h_set_thread,
	['k'] = h_kill,
	['m'] = gdb_d_read_mem,
	['M'] = gdb_d_write_mem_hex,
	['p'] = gdb_d_read_reg,
	['P'] = gdb_d_write_reg,
	['T'] = h_thread_alive,
	['X'] = gdb_d_write_mem_bin,
	['z'] = h_remove_bp,
	['Z'] = h_insert_bp,
};

enum gdb_action gdb_session_packet(struct gdb_session *s, const uint8_t *pkt,
				   size_t len, struct gdb_out *out)
{
	const char *p = (const char *)pkt, *end = p + len;

	if (len == 0)
		return gdb_reply_empty(out);
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
		return gdb_reply_empty(out);
	}
	unsigned char c = (unsigned char)p[0];
	if (c < 128 && by_char[c])
		return by_char[c](s, p + 1, end, out);
	return gdb_reply_empty(out); /* "an empty response means unsupported" */
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
