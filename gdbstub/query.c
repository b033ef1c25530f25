/* gdbstub/query.c: the q and Q packets: features, the target description, threads, `monitor` commands. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gdbstub/session.h"

/* `qSupported[:gdbfeature;...]` ("General Query Packets"). PacketSize is
 * RSP_PACKET_SIZE (64 KiB): gdb reads at most PacketSize/2 bytes per `m`,
 * so a 64 KiB read takes two packets. swbreak+/hwbreak+ only when gdb
 * offered them: then stop replies say which kind of breakpoint hit. */
enum gdb_action gdb_q_supported(struct gdb_session *s, const char *p,
				const char *end, struct gdb_out *o)
{
	char buf[160];

	s->swbreak = s->hwbreak = false;
	if (gdb_eat(&p, end, ':')) {
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
	return gdb_reply_str(o, buf);
}

/* `QStartNoAckMode` ("Packet Acknowledgment"): this OK is still acked,
 * nothing after it. */
enum gdb_action gdb_q_noack(struct gdb_session *s, const char *p,
			    const char *end, struct gdb_out *o)
{
	if (p != end)
		return gdb_reply_err(o, -EINVAL);
	s->no_ack = true;
	return gdb_reply_str(o, "OK");
}

/* `qXfer:features:read:annex:offset,length` ("General Query Packets",
 * qXfer read): `m` + data while more follows, `l` + data for the last
 * part. E00 for an unknown annex or a bad offset, as the manual says. */
enum gdb_action gdb_q_xfer(struct gdb_session *s, const char *p,
			   const char *end, struct gdb_out *o)
{
	static const char features[] = ":features:read:";
	static const char annex[] = "target.xml:";
	uint64_t off, len;
	size_t nf = sizeof(features) - 1, na = sizeof(annex) - 1;

	if ((size_t)(end - p) < nf || memcmp(p, features, nf))
		return gdb_reply_empty(o); /* no other object is offered */
	p += nf;
	if ((size_t)(end - p) < na || memcmp(p, annex, na))
		return gdb_reply_str(o, "E00");
	p += na;
	if (gdb_parse_range(&p, end, &off, &len) || p != end || off > s->xml_len)
		return gdb_reply_str(o, "E00");
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
enum gdb_action gdb_q_fthreadinfo(struct gdb_session *s, const char *p,
				  const char *end, struct gdb_out *o)
{
	size_t n = 0;

	(void)p, (void)end;
	s->reply[n++] = 'm';
	for (int i = 0; i < s->ncpus; i++)
		if (gdb_cpu_online(s, i))
			n += (size_t)snprintf(s->reply + n, sizeof(s->reply) - n,
					      "%s%x", n > 1 ? "," : "", i + 1);
	(void)gdb_out_packet(o, s->reply, n);
	return GDB_ACT_REPLY;
}

enum gdb_action gdb_q_sthreadinfo(struct gdb_session *s, const char *p,
				  const char *end, struct gdb_out *o)
{
	(void)s, (void)p, (void)end;
	return gdb_reply_str(o, "l");
}

/* `qC`: the current thread */
enum gdb_action gdb_q_c(struct gdb_session *s, const char *p,
			const char *end, struct gdb_out *o)
{
	char buf[32];

	(void)p, (void)end;
	snprintf(buf, sizeof(buf), "QC%x", s->gcpu + 1);
	return gdb_reply_str(o, buf);
}

/* `qAttached`: 1, we attached to a machine that already existed, so
 * gdb detaches (not kills) on quit */
enum gdb_action gdb_q_attached(struct gdb_session *s, const char *p,
			       const char *end, struct gdb_out *o)
{
	(void)s, (void)p, (void)end;
	return gdb_reply_str(o, "1");
}

/* `qThreadExtraInfo,thread-id`: the target's one-line description, hex */
enum gdb_action gdb_q_threadextra(struct gdb_session *s, const char *p,
				  const char *end, struct gdb_out *o)
{
	char text[256];
	int cpu;
	bool any;

	if (!gdb_eat(&p, end, ','))
		return gdb_reply_err(o, -EINVAL);
	int err = gdb_parse_tid(s, &p, end, &cpu, &any);
	if (!err && (p != end || cpu < 0))
		err = -EINVAL;
	if (err)
		return gdb_reply_err(o, err);
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
	gdb_console(o, stub_help);
	if (s->ops->monitor) {
		s->mon[0] = 0;
		if (s->ops->monitor(s->tgt, s->gcpu, "help", s->mon,
				    sizeof(s->mon)) >= 0) {
			s->mon[sizeof(s->mon) - 1] = 0;
			gdb_console(o, "machine commands:\n");
			gdb_console(o, s->mon);
		}
	}
	return gdb_reply_str(o, "OK");
}

static enum gdb_action mon_phys(struct gdb_session *s, const char *arg,
				struct gdb_out *o)
{
	if (!strcmp(arg, "on"))
		s->phys = true;
	else if (!strcmp(arg, "off"))
		s->phys = false;
	else if (arg[0]) {
		gdb_console(o, "usage: monitor phys on|off\n");
		return gdb_reply_str(o, "OK");
	}
	gdb_console(o, s->phys ? "phys on: addresses are guest-physical\n"
			   : "phys off: addresses are virtual\n");
	return gdb_reply_str(o, "OK");
}

/* "General Query Packets", qRcmd: output as O packets, then OK. */
enum gdb_action gdb_q_rcmd(struct gdb_session *s, const char *p,
			   const char *end, struct gdb_out *o)
{
	char cmd[MON_CMD_MAX + 1];

	if (!gdb_eat(&p, end, ','))
		return gdb_reply_err(o, -EINVAL);
	long n = rsp_hex_decode(p, (size_t)(end - p), (uint8_t *)cmd, MON_CMD_MAX);
	if (n < 0 || memchr(cmd, 0, (size_t)n))
		return gdb_reply_err(o, -EINVAL);
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
		gdb_console(o, "gdbvmm: machine killed\n");
		gdb_reply_str(o, "OK");
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
		gdb_console(o, msg);
		return gdb_reply_str(o, "OK");
	}
	gdb_console(o, s->mon);
	if (err < 0) {
		char msg[MON_CMD_MAX + 96], ebuf[64];
		snprintf(msg, sizeof(msg), "monitor %s: %s\n", c,
			 strerror_r(-err, ebuf, sizeof(ebuf)));
		gdb_console(o, msg);
		return gdb_reply_err(o, err);
	}
	return gdb_reply_str(o, "OK");
}
