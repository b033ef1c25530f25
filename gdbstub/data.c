/* gdbstub/data.c: registers and memory: the g, G, p, P, m, M and X packets. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gdbstub/session.h"

/* `g`: every register of the table, in order */
enum gdb_action gdb_d_read_regs(struct gdb_session *s, const char *p,
				const char *end, struct gdb_out *o)
{
	struct x86_state st;
	uint8_t raw[GDB_REGS_MAX_BYTES];

	if (p != end)
		return gdb_reply_err(o, -EINVAL);
	int err = s->ops->get_state(s->tgt, s->gcpu, &st);
	if (err)
		return gdb_reply_err(o, err);
	size_t n = gdb_regs_get_all(s->rt, &st, raw);
	rsp_hex_encode(raw, n, s->reply);
	(void)gdb_out_packet(o, s->reply, 2 * n);
	return GDB_ACT_REPLY;
}

/* `G XX...`: registers in g layout */
enum gdb_action gdb_d_write_regs(struct gdb_session *s, const char *p,
				 const char *end, struct gdb_out *o)
{
	struct x86_state st;
	uint8_t raw[GDB_REGS_MAX_BYTES];
	long n = rsp_hex_decode(p, (size_t)(end - p), raw, sizeof(raw));

	if (n <= 0)
		return gdb_reply_err(o, -EINVAL);
	int err = s->ops->get_state(s->tgt, s->gcpu, &st);
	if (!err)
		err = gdb_regs_set_all(s->rt, &st, raw, (size_t)n);
	if (!err)
		err = s->ops->set_state(s->tgt, s->gcpu, &st);
	return err ? gdb_reply_err(o, err) : gdb_reply_str(o, "OK");
}

/* `p n` */
enum gdb_action gdb_d_read_reg(struct gdb_session *s, const char *p,
			       const char *end, struct gdb_out *o)
{
	struct x86_state st;
	uint8_t raw[16];
	uint64_t n;

	if (rsp_parse_u64(p, (size_t)(end - p), &n) || n >= s->rt->nregs)
		return gdb_reply_err(o, -EINVAL);
	int err = s->ops->get_state(s->tgt, s->gcpu, &st);
	if (err)
		return gdb_reply_err(o, err);
	int len = gdb_regs_get(s->rt, (size_t)n, &st, raw);
	rsp_hex_encode(raw, (size_t)len, s->reply);
	(void)gdb_out_packet(o, s->reply, 2 * (size_t)len);
	return GDB_ACT_REPLY;
}

/* `P n=r...`: the value is the register's bytes, all of them */
enum gdb_action gdb_d_write_reg(struct gdb_session *s, const char *p,
				const char *end, struct gdb_out *o)
{
	struct x86_state st;
	uint8_t raw[16];
	uint64_t n;

	if (rsp_scan_u64(&p, end, &n) || !gdb_eat(&p, end, '=') ||
	    n >= s->rt->nregs)
		return gdb_reply_err(o, -EINVAL);
	long len = rsp_hex_decode(p, (size_t)(end - p), raw, sizeof(raw));
	if (len != s->rt->regs[n].bits / 8)
		return gdb_reply_err(o, -EINVAL);
	int err = s->ops->get_state(s->tgt, s->gcpu, &st);
	if (!err)
		err = gdb_regs_set(s->rt, (size_t)n, &st, raw);
	if (!err)
		err = s->ops->set_state(s->tgt, s->gcpu, &st);
	return err ? gdb_reply_err(o, err) : gdb_reply_str(o, "OK");
}

unsigned gdb_mem_flags(const struct gdb_session *s)
{
	return s->phys ? GDB_MEM_PHYS : 0;
}

/* `m addr,length`: "the stub may return fewer bytes than requested", so
 * a read that runs into an unmapped page returns what came before it. */
enum gdb_action gdb_d_read_mem(struct gdb_session *s, const char *p,
			       const char *end, struct gdb_out *o)
{
	uint64_t addr, len;
	size_t done = 0;

	if (gdb_parse_range(&p, end, &addr, &len) || p != end)
		return gdb_reply_err(o, -EINVAL);
	if (len > MEM_MAX)
		len = MEM_MAX;
	while (done < len) {
		uint64_t a = addr + done;
		size_t n = PAGE - (a & (PAGE - 1));
		if (n > len - done)
			n = (size_t)len - done;
		int err = s->ops->read_mem(s->tgt, s->gcpu, a, s->mem + done, n,
					   gdb_mem_flags(s));
		if (err) {
			if (!done)
				return gdb_reply_err(o, err);
			break;
		}
		done += n;
	}
	(void)gdb_out_hex_packet(o, s->mem, done);
	return GDB_ACT_REPLY;
}

static enum gdb_action write_mem(struct gdb_session *s, uint64_t addr,
				 size_t len, struct gdb_out *o)
{
	if (len) {
		int err = s->ops->write_mem(s->tgt, s->gcpu, addr, s->mem, len,
					    gdb_mem_flags(s));
		if (err)
			return gdb_reply_err(o, err);
	}
	return gdb_reply_str(o, "OK");
}

/* `M addr,length:XX...` */
enum gdb_action gdb_d_write_mem_hex(struct gdb_session *s, const char *p,
				    const char *end, struct gdb_out *o)
{
	uint64_t addr, len;

	if (gdb_parse_range(&p, end, &addr, &len) || !gdb_eat(&p, end, ':') ||
	    len > sizeof(s->mem) || (uint64_t)(end - p) != 2 * len)
		return gdb_reply_err(o, -EINVAL);
	if (rsp_hex_decode(p, (size_t)(end - p), s->mem, sizeof(s->mem)) < 0)
		return gdb_reply_err(o, -EINVAL);
	return write_mem(s, addr, (size_t)len, o);
}

/* `X addr,length:XX...`: binary data, already unescaped by the framing.
 * A zero length is gdb's probe for X support and must answer OK. */
enum gdb_action gdb_d_write_mem_bin(struct gdb_session *s, const char *p,
				    const char *end, struct gdb_out *o)
{
	uint64_t addr, len;

	if (gdb_parse_range(&p, end, &addr, &len) || !gdb_eat(&p, end, ':') ||
	    (uint64_t)(end - p) != len || len > sizeof(s->mem))
		return gdb_reply_err(o, -EINVAL);
	memcpy(s->mem, p, (size_t)len);
	return write_mem(s, addr, (size_t)len, o);
}
