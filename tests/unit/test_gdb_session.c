/* tests/unit/test_gdb_session.c: every packet of the stub against the fake target, malformed forms included. */
#include <errno.h>
#include <stdlib.h>

#include "gdbstub/gdbstub.h"
#include "gdbstub/packet.h"
#include "gdbstub/regs.h"
#include "tests/unit/fake_target.h"
#include "tests/unit/tap.h"

static struct fake_target F;
static struct gdb_session *S;
static uint8_t obuf[GDB_OUT_SIZE];
static struct gdb_out O = { obuf, 0, sizeof(obuf), 0 };
static struct rsp_parser dec;

/* What the last request produced. */
static char reply[RSP_PACKET_SIZE + 1];
static size_t reply_len;
static char console[65536];
static int npackets, nreplies;
static enum gdb_action act;

static bool is_console(const uint8_t *b, size_t n)
{
	if (n < 3 || b[0] != 'O' || (n - 1) % 2)
		return false;
	for (size_t i = 1; i < n; i++)
		if (rsp_hex_digit(b[i]) < 0)
			return false;
	return true;
}

/* Split the session's output into packets: O console text, and replies. */
static void decode_output(void)
{
	reply[0] = 0;
	reply_len = 0;
	console[0] = 0;
	npackets = nreplies = 0;
	rsp_parser_init(&dec);
	for (size_t i = 0; i < O.len; i++) {
		if (rsp_feed(&dec, O.buf[i]) != RSP_EV_PACKET)
			continue;
		npackets++;
		if (is_console(dec.buf, dec.len)) {
			size_t cl = strlen(console);
			long n = rsp_hex_decode((char *)dec.buf + 1, dec.len - 1,
						(uint8_t *)console + cl, sizeof(console) - cl - 1);
			if (n > 0)
				console[cl + (size_t)n] = 0;
		} else {
			nreplies++;
			memcpy(reply, dec.buf, dec.len);
			reply[dec.len] = 0;
			reply_len = dec.len;
		}
	}
}

static const char *req_bin(const void *pkt, size_t len)
{
	O.len = O.last = 0;
	act = gdb_session_packet(S, pkt, len, &O);
	decode_output();
	return reply;
}

static const char *req(const char *pkt)
{
	return req_bin(pkt, strlen(pkt));
}

static const char *stop(struct gdb_stop st)
{
	O.len = O.last = 0;
	act = gdb_session_stop(S, &st, &O);
	decode_output();
	return reply;
}

static void hexstr(const char *text, char *out)
{
	rsp_hex_encode(text, strlen(text), out);
	out[2 * strlen(text)] = 0;
}

static const char *rcmd(const char *cmd)
{
	char pkt[2048] = "qRcmd,";
	hexstr(cmd, pkt + 6);
	return req(pkt);
}

static bool actions_are(enum gdb_resume_action a0, enum gdb_resume_action a1,
			enum gdb_resume_action a2)
{
	return F.last_actions[0] == a0 && F.last_actions[1] == a1 &&
	       F.last_actions[2] == a2;
}

/* After a resume, bring the session back to stopped. */
static void settle(void)
{
	if (gdb_session_running(S))
		stop((struct gdb_stop){ .kind = GDB_STOP_SIGNAL, .cpu = 0, .signal = 5 });
}

#define C GDB_RESUME_CONT
#define St GDB_RESUME_STEP
#define N GDB_RESUME_NONE

static void test_queries(void)
{
	req("qSupported");
	ok(strstr(reply, "PacketSize=10000") != NULL, "qSupported: PacketSize=10000 (%s)", reply);
	ok(strstr(reply, "qXfer:features:read+") && strstr(reply, "QStartNoAckMode+") &&
	   strstr(reply, "vContSupported+"), "qSupported: features");
	ok(!strstr(reply, "swbreak") && !strstr(reply, "hwbreak"), "no swbreak/hwbreak unless offered");
	req("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386;vContSupported+");
	ok(strstr(reply, ";swbreak+") && strstr(reply, ";hwbreak+"), "swbreak+/hwbreak+ when offered");
	req("qSupported:swbreak+");
	ok(strstr(reply, ";swbreak+") && !strstr(reply, "hwbreak"), "swbreak alone");
	req("qSupported:swbreak+;hwbreak+");

	ok(!gdb_session_no_ack(S), "acks on at first");
	is_str(req("QStartNoAckMode:1"), "E16", "QStartNoAckMode with junk");
	is_str(req("QStartNoAckMode"), "OK", "QStartNoAckMode");
	ok(gdb_session_no_ack(S), "no-ack mode on");

	is_str(req("vMustReplyEmpty"), "", "vMustReplyEmpty");
	ok(npackets == 1, "... one (empty) packet");
	is_str(req("qTStatus"), "", "qTStatus: empty");
	is_str(req("qOffsets"), "", "qOffsets: empty");
	is_str(req("qSymbol::"), "", "qSymbol: empty");
	is_str(req("qSupportedX"), "", "a longer name is not qSupported");
	is_str(req("Jfoo"), "", "unknown letter: empty");
	is_str(req("\x7f\x80\xff"), "", "high bytes: empty");
	is_str(req_bin("", 0), "", "empty packet: empty");
	is_str(req("vFile:open:6a"), "", "vFile: empty");
	is_str(req("!"), "", "extended mode not offered");
	is_str(req("qAttached"), "1", "qAttached");
	is_str(req("qAttached:1"), "1", "qAttached:pid");
	is_str(req("qfThreadInfo"), "m1,2,3", "qfThreadInfo lists every vCPU");
	is_str(req("qsThreadInfo"), "l", "qsThreadInfo ends the list");
	is_str(req("qC"), "QC1", "qC");
	is_str(req("vCont?"), "vCont;c;C;s;S;t", "vCont?");
	{
		char want[128];
		hexstr("vCPU 1 fake, protected mode", want);
		is_str(req("qThreadExtraInfo,2"), want, "qThreadExtraInfo: the target's text");
		fake_real_mode(&F, 2, 0x7c0, 0);
		hexstr("vCPU 2 fake, real mode", want);
		is_str(req("qThreadExtraInfo,3"), want, "qThreadExtraInfo: real mode");
	}
	is_str(req("qThreadExtraInfo,4"), "E03", "qThreadExtraInfo: no such thread");
	is_str(req("qThreadExtraInfo,0"), "E16", "qThreadExtraInfo: thread 0");
	is_str(req("qThreadExtraInfo"), "E16", "qThreadExtraInfo: no thread");
	is_str(req("qThreadExtraInfo,1x"), "E16", "qThreadExtraInfo: junk");
}

static void test_qxfer(void)
{
	static char xml[32768], got[32768];
	const struct gdb_regtab *t = gdb_regs_table(GDB_ARCH_I386);
	long xl = gdb_regs_xml(t, xml, sizeof(xml));
	size_t off = 0;
	int parts = 0;
	bool good = true;

	/* read it as gdb does, in pieces */
	for (;;) {
		char pkt[96];
		snprintf(pkt, sizeof(pkt), "qXfer:features:read:target.xml:%zx,3e8", off);
		req(pkt);
		if (reply[0] != 'm' && reply[0] != 'l') {
			good = false;
			break;
		}
		memcpy(got + off, reply + 1, reply_len - 1);
		off += reply_len - 1;
		parts++;
		if (reply[0] == 'l' || parts > 100)
			break;
	}
	ok(good && (long)off == xl && !memcmp(got, xml, off), "qXfer read in %d parts gives the XML (%zu bytes)", parts, off);
	ok(parts == (int)(xl + 999) / 1000, "m parts then one l");
	{
		char pkt[96];
		snprintf(pkt, sizeof(pkt), "qXfer:features:read:target.xml:%lx,10", xl);
		is_str(req(pkt), "l", "offset at the end: l with no data");
		snprintf(pkt, sizeof(pkt), "qXfer:features:read:target.xml:%lx,10", xl + 1);
		is_str(req(pkt), "E00", "offset past the end: E00");
	}
	req("qXfer:features:read:target.xml:0,ffffffff");
	ok(reply[0] == 'l' && (long)reply_len == xl + 1, "a huge length is capped, all in one");
	is_str(req("qXfer:features:read:other.xml:0,10"), "E00", "unknown annex: E00");
	is_str(req("qXfer:features:read:target.xml:zz,10"), "E00", "bad offset: E00");
	is_str(req("qXfer:features:read:target.xml:0"), "E00", "missing length: E00");
	is_str(req("qXfer:features:read:target.xml:ffffffffffffffff,2"), "E00", "offset + length overflows: E00");
	is_str(req("qXfer:features:read:target.xml:0,10,"), "E00", "trailing junk: E00");
	is_str(req("qXfer:threads:read::0,100"), "", "qXfer of another object: empty");
	is_str(req("qXfer:features:write:target.xml:0:abc"), "", "qXfer write: empty");
	is_str(req("qXfer"), "", "bare qXfer: empty");
}

static uint32_t le32(const char *hex)
{
	uint8_t b[4];
	if (rsp_hex_decode(hex, 8, b, 4) != 4)
		return 0xdeadbeef;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void test_registers(void)
{
	const struct gdb_regtab *t = gdb_regs_table(GDB_ARCH_I386);
	size_t gs = gdb_regs_g_size(t);
	char *g = malloc(2 * gs + 2);

	req("g");
	is((long long)reply_len, (long long)(2 * gs), "g: the whole table");
	is(le32(reply), 0x1000, "g: eax of vCPU 0");
	is(le32(reply + 8 * 8), 0x1000, "g: eip of vCPU 0");
	is_str(req("gx"), "E16", "g with junk");

	/* G: change eax only */
	memcpy(g, "G", 1);
	req("g");
	memcpy(g + 1, reply, 2 * gs);
	memcpy(g + 1, "78563412", 8);
	is_str(req_bin(g, 2 * gs + 1), "OK", "G");
	is(F.cpu[0].r[X86_RAX], 0x12345678, "G wrote eax");
	is(F.cpu[0].r[X86_RCX], 0x1002, "G left ecx");
	is_str(req_bin(g, 2 * gs), "E16", "G with an odd length");
	g[3] = 'x';
	is_str(req_bin(g, 2 * gs + 1), "E16", "G with a bad digit");
	is_str(req("G"), "E16", "G with nothing");
	is_str(req("G0000"), "E16", "G not on a register boundary");
	free(g);

	is_str(req("p0"), "78563412", "p0 is eax");
	is_str(req("p8"), "00100000", "p8 is eip");
	{
		char pkt[32];
		snprintf(pkt, sizeof(pkt), "p%zx", t->nregs);
		is_str(req(pkt), "E16", "p past the table");
	}
	is_str(req("p10000000000000000"), "E16", "p with an overflowing number");
	is_str(req("p"), "E16", "p with no number");
	is_str(req("p0x"), "E16", "p with junk");
	is_str(req("P0=efbeadde"), "OK", "P0");
	is(F.cpu[0].r[X86_RAX], 0xdeadbeef, "P wrote eax");
	is_str(req("P0=efbead"), "E16", "P with a short value");
	is_str(req("P0=efbeaddeff"), "E16", "P with a long value");
	is_str(req("P0efbeadde"), "E16", "P without =");
	is_str(req("P0=efbeadzz"), "E16", "P with a bad digit");
	is_str(req("Pfff=00000000"), "E16", "P past the table");
	{
		/* st0 is 10 bytes */
		char pkt[64];
		snprintf(pkt, sizeof(pkt), "P%x=0102030405060708090a", gdb_regs_find(t, "st0"));
		is_str(req(pkt), "OK", "P st0 (80 bits)");
		is(F.cpu[0].st[0][9], 0x0a, "st0 written");
	}
	/* real mode pc through P */
	fake_real_mode(&F, 1, 0x1000, 0x20);
	is_str(req("Hg2"), "OK", "Hg2");
	is_str(req("p8"), "20000100", "real-mode eip is linear 0x10020");
	is_str(req("P8=00010100"), "OK", "P eip 0x10100");
	is(F.cpu[1].r[X86_RIP], 0x100, "IP = 0x100");
	is_str(req("P8=00001100"), "E22", "P eip that no CS:IP reaches: E22 (ERANGE)");
	F.get_state_error = -EIO;
	is_str(req("g"), "E05", "get_state failing: E05");
	is_str(req("p0"), "E05", "p with get_state failing");
	F.get_state_error = 0;
	is_str(req("Hg1"), "OK", "Hg1");
}

static void test_memory(void)
{
	req("m1000,4");
	is_str(reply, "00010203", "m reads RAM");
	is_str(req("m1003,2"), "0304", "m unaligned");
	is(F.last_mem_cpu, 0, "m for the current vCPU");
	is(F.last_mem_flags, 0, "virtual by default");
	req("m0,100000");
	is((long long)reply_len, 2 * 32768, "m larger than PacketSize/2 is capped");
	req("m0,8000");
	is((long long)reply_len, 2 * 32768, "m of exactly 32 KiB");
	is_str(req("mffffffffffffffff,2"), "E16", "m whose range wraps");
	is_str(req("mffffffffffffffff,1"), "E0e", "m of the last byte: a target error");
	is_str(req("m10000000000000000,1"), "E16", "m address over 64 bits");
	is_str(req("m1000"), "E16", "m without length");
	is_str(req("m1000,"), "E16", "m with an empty length");
	is_str(req("m,4"), "E16", "m without address");
	is_str(req("mzz,4"), "E16", "m with bad hex");
	is_str(req("m1000,4x"), "E16", "m with junk");
	is_str(req("m1000;4"), "E16", "m with a wrong separator");
	is_str(req("m1000,0"), "", "m of zero bytes");
	F.hole_lo = 0x3000;
	F.hole_hi = 0x4000;
	is_str(req("m2ffc,8"), "fcfdfeff", "m running into a hole returns what came before");
	is_str(req("m3000,4"), "E0e", "m in a hole: E0e (EFAULT)");
	req("m1ffffe,4");
	is_str(reply, "feff", "m at the end of RAM: partial");

	is_str(req("M2000,2:abcd"), "OK", "M");
	ok(F.ram[0x2000] == 0xab && F.ram[0x2001] == 0xcd, "M wrote RAM");
	is_str(req("M2000,2:abc"), "E16", "M with too few digits");
	is_str(req("M2000,2:abcdef"), "E16", "M with too many digits");
	is_str(req("M2000,2:abzz"), "E16", "M with bad hex");
	is_str(req("M2000,2"), "E16", "M without data");
	is_str(req("M3000,1:00"), "E0e", "M into a hole");
	is_str(req("Mffffffffffffffff,2:0000"), "E16", "M whose range wraps");
	is_str(req("M2000,0:"), "OK", "M of zero bytes");

	{
		static const uint8_t pkt[] = "X2000,4:\x00#}*";
		is_str(req_bin(pkt, sizeof(pkt) - 1), "OK", "X with binary data");
		ok(!memcmp(F.ram + 0x2000, "\x00#}*", 4), "X wrote the bytes as is");
	}
	is_str(req("X2000,0:"), "OK", "X probe (length 0)");
	is_str(req("X2000,4:abc"), "E16", "X with too little data");
	is_str(req("X2000,2:abc"), "E16", "X with too much data");
	is_str(req("X2000,2"), "E16", "X without colon");
	is_str(req("X3000,1:a"), "E0e", "X into a hole");
	F.hole_lo = F.hole_hi = 0;

	is_str(rcmd("phys on"), "OK", "monitor phys on");
	ok(strstr(console, "phys on") != NULL, "... says so");
	req("m1000,4");
	is(F.last_mem_flags, GDB_MEM_PHYS, "m with GDB_MEM_PHYS");
	req("M2000,1:00");
	is(F.last_mem_flags, GDB_MEM_PHYS, "M with GDB_MEM_PHYS");
	req("X2000,1:a");
	is(F.last_mem_flags, GDB_MEM_PHYS, "X with GDB_MEM_PHYS");
	req("Z1,1000,1");
	is(F.last_mem_flags, GDB_MEM_PHYS, "Z with GDB_MEM_PHYS");
	req("z1,1000,1");
	is(F.last_mem_flags, GDB_MEM_PHYS, "z with GDB_MEM_PHYS");
	is_str(rcmd("phys off"), "OK", "monitor phys off");
	req("m1000,4");
	is(F.last_mem_flags, 0, "m virtual again");
	is_str(req("Hg3"), "OK", "Hg3");
	req("m1000,4");
	is(F.last_mem_cpu, 2, "memory through the Hg vCPU");
	req("Hg1");
}

static void test_breakpoints(void)
{
	is_str(req("Z0,1000,1"), "OK", "Z0");
	ok(F.nbps == 1 && F.bps[0].type == GDB_BP_SW && F.bps[0].addr == 0x1000 && F.bps[0].len == 1, "Z0 reached the target");
	is_str(req("Z1,1004,1"), "OK", "Z1");
	is_str(req("Z2,2000,4"), "OK", "Z2");
	is_str(req("Z4,2000,8"), "OK", "Z4");
	is_str(req("Z3,3000,2"), "E1c", "no room left: E1c (ENOSPC)");
	is_str(req("z2,2000,4"), "OK", "z2");
	is(F.nbps, 3, "removed");
	is_str(req("z2,2000,4"), "E02", "z of what is not there: the target's error");
	is_str(req("Z5,1000,1"), "", "Z5: empty (not supported)");
	is_str(req("z9,1000,1"), "", "z9: empty");
	is_str(req("Z0,1000"), "E16", "Z without kind");
	is_str(req("Z0"), "E16", "Z without address");
	is_str(req("Z"), "E16", "bare Z");
	is_str(req("Zx,1000,1"), "E16", "Z with a bad type");
	is_str(req("Z0,10g0,1"), "E16", "Z with a bad address");
	is_str(req("Z0,1000,1x"), "E16", "Z with junk");
	is_str(req("Z0,ffffffffffffffff,2"), "E16", "Z whose range wraps");
	is_str(req("z0,1000,1;X1,aa"), "OK", "a condition list is ignored");
	F.nbps = 0;
	F.bp_error = -EOPNOTSUPP;
	is_str(req("Z2,2000,4"), "E5f", "a type the target cannot do: E5f, never dropped");
	F.bp_error = -EFAULT;
	is_str(req("Z0,9999999,1"), "E0e", "unmapped: E0e");
	F.bp_error = 0;
}

static void test_threads(void)
{
	is_str(req("Hg2"), "OK", "Hg2");
	is_str(req("qC"), "QC2", "qC follows Hg");
	is(le32(req("g")), 0x2000, "g reads vCPU 1");
	is_str(req("Hg0"), "OK", "Hg0 (any)");
	is_str(req("qC"), "QC2", "... keeps the current thread");
	is_str(req("Hg-1"), "OK", "Hg-1");
	is_str(req("Hg4"), "E03", "Hg of a missing thread: E03");
	is_str(req("Hgx"), "E16", "Hg with junk");
	is_str(req("Hg"), "E16", "Hg without thread");
	is_str(req("Hg1x"), "E16", "Hg with trailing junk");
	is_str(req("Hg-2"), "E16", "Hg-2");
	is_str(req("H"), "E16", "bare H");
	is_str(req("Hx1"), "", "H with another op: empty");
	is_str(req("Hc-1"), "OK", "Hc-1");
	is_str(req("Hc0"), "OK", "Hc0");
	is_str(req("Hg1"), "OK", "Hg1");
	is_str(req("T1"), "OK", "T1 alive");
	is_str(req("T3"), "OK", "T3 alive");
	is_str(req("T4"), "E03", "T4 is not");
	is_str(req("T0"), "E16", "T0 is no thread");
	is_str(req("T-1"), "E16", "T-1 is no thread");
	is_str(req("T"), "E16", "bare T");
	is_str(req("T10000000000000001"), "E16", "T overflowing");
}

static void test_resume(void)
{
	int r0 = F.resumes;

	req("vCont;c");
	ok(act == GDB_ACT_RESUMED && npackets == 0, "vCont;c resumes, no reply");
	ok(actions_are(C, C, C), "vCont;c: every vCPU continues");
	ok(gdb_session_running(S), "running");
	settle();

	req("vCont;s:2");
	ok(act == GDB_ACT_RESUMED && actions_are(N, St, N), "vCont;s:2: only thread 2 steps");
	settle();
	req("vCont;s:2;c");
	ok(actions_are(C, St, C), "vCont;s:2;c: 2 steps, the others continue");
	settle();
	req("vCont;s:1;c:1");
	ok(actions_are(St, N, N), "vCont;s:1;c:1: leftmost wins, unmatched stay");
	settle();
	req("vCont;C05:3");
	ok(actions_are(N, N, C), "vCont;C05:3: signal ignored, continue");
	settle();
	req("vCont;S0b");
	ok(actions_are(St, St, St), "vCont;S0b: all step");
	settle();
	req("vCont;t:1;c");
	ok(actions_are(N, C, C), "vCont;t:1;c");
	settle();
	req("vCont;s:-1");
	ok(actions_are(St, St, St), "vCont;s:-1: all");
	settle();
	is_str(req("Hg2"), "OK", "Hg2");
	req("vCont;s:0");
	ok(actions_are(N, St, N), "vCont;s:0 steps the current thread");
	settle();
	is_str(req("vCont;t"), "E16", "vCont;t: nothing would run");
	is_str(req("vCont"), "E16", "vCont without action");
	is_str(req("vCont;"), "E16", "vCont; without action");
	is_str(req("vCont;x"), "E16", "unknown action");
	is_str(req("vCont;r1000,2000"), "E16", "range step is not offered");
	is_str(req("vCont;s:4"), "E03", "missing thread");
	is_str(req("vCont;c:"), "E16", "empty thread");
	is_str(req("vCont;cc"), "E16", "junk after the action");
	is_str(req("vCont;C"), "E16", "C without signal");
	is_str(req("vCont;C100"), "E16", "signal over 0xff");
	is_str(req("vCont;c:p1.1"), "E16", "multiprocess ids are not offered");
	ok(!gdb_session_running(S), "no failed vCont resumed");

	/* legacy */
	req("c");
	ok(act == GDB_ACT_RESUMED && actions_are(C, C, C), "c: all continue");
	settle();
	is_str(req("Hg1"), "OK", "Hg1");
	req("s");
	ok(actions_are(St, N, N), "s: the current thread steps alone");
	settle();
	is_str(req("Hc3"), "OK", "Hc3");
	req("s");
	ok(actions_are(N, N, St), "s after Hc3 steps thread 3");
	settle();
	F.cpu[2].r[X86_RIP] = 0;
	F.cpu[2].r[X86_CR0] = 0x11; /* protected mode again: pc = RIP */
	req("s1234");
	ok(act == GDB_ACT_RESUMED && F.cpu[2].r[X86_RIP] == 0x1234, "s ADDR sets the pc first");
	settle();
	req("C05;2000");
	ok(act == GDB_ACT_RESUMED && F.cpu[2].r[X86_RIP] == 0x2000 && actions_are(C, C, C), "C sig;addr");
	settle();
	req("S05");
	ok(act == GDB_ACT_RESUMED && actions_are(N, N, St), "S sig");
	settle();
	req("Hc-1");
	is_str(req("cxyz"), "E16", "c with a bad address");
	is_str(req("C"), "E16", "C without signal");
	is_str(req("C05;"), "E16", "C sig; without address");
	is_str(req("C05x"), "E16", "C with junk");
	is_str(req("S1ff"), "E16", "S with a signal over 0xff");
	ok(F.resumes > r0, "resume reached the target");
}

static void test_stops(void)
{
	req("qSupported:swbreak+;hwbreak+");
	req("c");
	is_str(stop((struct gdb_stop){ .kind = GDB_STOP_SWBREAK, .cpu = 1, .signal = 5 }),
	       "T05thread:2;swbreak:;", "swbreak stop reply");
	ok(act == GDB_ACT_REPLY && !gdb_session_running(S), "stopped");
	is_str(req("qC"), "QC2", "Hg follows the stopped thread");
	is_str(req("?"), "T05thread:2;swbreak:;", "? repeats the stop");
	req("c");
	is_str(stop((struct gdb_stop){ .kind = GDB_STOP_HWBREAK, .cpu = 0 }), "T05thread:1;hwbreak:;",
	       "hwbreak stop reply (signal defaults to 5)");
	req("c");
	is_str(stop((struct gdb_stop){ .kind = GDB_STOP_WATCH, .cpu = 2, .signal = 5, .addr = 0x2000 }),
	       "T05thread:3;watch:2000;", "watch stop reply");
	req("c");
	is_str(stop((struct gdb_stop){ .kind = GDB_STOP_RWATCH, .cpu = 0, .signal = 5, .addr = 0xabc }),
	       "T05thread:1;rwatch:abc;", "rwatch");
	req("c");
	is_str(stop((struct gdb_stop){ .kind = GDB_STOP_AWATCH, .cpu = 0, .signal = 5, .addr = 0x10 }),
	       "T05thread:1;awatch:10;", "awatch");
	req("c");
	is_str(stop((struct gdb_stop){ .kind = GDB_STOP_SIGNAL, .cpu = 0, .signal = 2 }), "T02thread:1;",
	       "Ctrl-C: SIGINT");
	req("c");
	{
		struct gdb_stop st = { .kind = GDB_STOP_FAULT, .cpu = 1, .signal = 11 };
		snprintf(st.text, sizeof(st.text), "vCPU 1: triple fault at 0x1234");
		is_str(stop(st), "T0bthread:2;", "fault: SIGSEGV");
		is_str(console, "vCPU 1: triple fault at 0x1234\n", "... after an O packet with the text");
		is(npackets, 2, "two packets");
	}
	req("c");
	{
		struct gdb_stop st = { .kind = GDB_STOP_FAULT, .cpu = 0, .signal = 4 };
		memset(st.text, 'x', sizeof(st.text)); /* not terminated */
		is_str(stop(st), "T04thread:1;", "fault: SIGILL, unterminated text survives");
		is((long long)strlen(console), (long long)sizeof(st.text), "text cut at its buffer");
	}
	req("qSupported");
	req("c");
	is_str(stop((struct gdb_stop){ .kind = GDB_STOP_SWBREAK, .cpu = 0, .signal = 5 }), "T05thread:1;",
	       "no swbreak: when not negotiated");
	req("c");
	is_str(stop((struct gdb_stop){ .kind = GDB_STOP_SIGNAL, .cpu = 77, .signal = 5 }), "T05thread:1;",
	       "a bad cpu from the target is clamped");
	/* a stop while not running: remembered, not sent */
	stop((struct gdb_stop){ .kind = GDB_STOP_SIGNAL, .cpu = 2, .signal = 0 });
	is(npackets, 0, "a stop while stopped sends nothing");
	is_str(req("?"), "T00thread:3;", "? reports it (attach stop)");
	req("c");
	is_str(stop((struct gdb_stop){ .kind = GDB_STOP_EXITED, .cpu = -1, .status = 42 }), "W2a",
	       "exit: W2a");
	ok(act == GDB_ACT_EXITED, "exit ends serving");
	is_str(req("?"), "W2a", "? after exit");
}

static void test_monitor(void)
{
	req("Hg1");
	is_str(rcmd("help"), "OK", "monitor help");
	ok(strstr(console, "phys on|off") && strstr(console, "quit") && strstr(console, "help"),
	   "help lists the stub's commands");
	ok(strstr(console, "echo TEXT") != NULL, "... and the target's");
	is_str(rcmd("info"), "OK", "monitor info");
	is_str(console, "fake machine: 3 vCPUs, current 0\n", "target output as O packets");
	is_str(rcmd("  echo  hi  "), "OK", "blanks trimmed");
	is_str(console, " hi\n", "... argument kept");
	is_str(rcmd("frob"), "OK", "unknown command");
	ok(strstr(console, "unknown monitor command: frob") != NULL, "... says so");
	is_str(rcmd("fail"), "E05", "a failing target command: E05");
	ok(strstr(console, "partial output") && strstr(console, "monitor fail:"), "... with its output and the error");
	is_str(rcmd("phys"), "OK", "phys shows the state");
	ok(strstr(console, "phys off") != NULL, "... off");
	is_str(rcmd("phys maybe"), "OK", "phys with a bad argument");
	ok(strstr(console, "usage") != NULL, "... usage");
	is_str(req("qRcmd,"), "OK", "empty monitor command");
	is_str(req("qRcmd,6"), "E16", "odd hex");
	is_str(req("qRcmd,zz"), "E16", "bad hex");
	is_str(req("qRcmd,610062"), "E16", "embedded NUL");
	is_str(req("qRcmd"), "E16", "no comma");
	{
		static char big[4200] = "qRcmd,";
		memset(big + 6, '6', 4100);
		is_str(req(big), "E16", "command too long");
	}
	{
		int k = F.kills;
		is_str(rcmd("quit"), "OK", "monitor quit");
		ok(act == GDB_ACT_KILL && F.kills == k + 1, "... kills the machine");
	}
}

/* Hostile packets: every handler with random tails. Nothing may crash;
 * every packet gets one reply unless it resumed, detached or killed. */
static void test_fuzz(void)
{
	static const char *const heads[] = {
		"?", "c", "C", "s", "S", "D", "g", "G", "H", "Hg", "Hc", "k", "m",
		"M", "p", "P", "T", "X", "z", "Z", "qSupported", "QStartNoAckMode",
		"qXfer", "qXfer:features:read:target.xml:", "qfThreadInfo",
		"qsThreadInfo", "qC", "qAttached", "qThreadExtraInfo", "qRcmd,",
		"vCont?", "vCont", "vCont;", "vKill",
	};
	static const char alphabet[] = "0123456789abcdefABCDEF,:;=-xp.}#$*\x03 ";
	uint32_t seed = 12345;
	int bad = 0;

	for (int i = 0; i < 20000; i++) {
		char pkt[80];
		seed = seed * 1103515245 + 12345;
		const char *h = heads[(seed >> 8) % (sizeof(heads) / sizeof(heads[0]))];
		size_t n = strlen(h);
		memcpy(pkt, h, n);
		seed = seed * 1103515245 + 12345;
		size_t tail = (seed >> 10) % 40;
		for (size_t j = 0; j < tail; j++) {
			seed = seed * 1103515245 + 12345;
			pkt[n++] = alphabet[(seed >> 12) % (sizeof(alphabet) - 1)];
		}
		req_bin(pkt, n);
		if (act == GDB_ACT_RESUMED) {
			if (npackets)
				bad++;
			settle();
		} else if (act == GDB_ACT_KILL && pkt[0] == 'k') {
			if (npackets)
				bad++;
		} else if (nreplies != 1) {
			bad++;
		}
		gdb_session_reset(S);
	}
	is(bad, 0, "20000 random packets: one reply each, no crash");
}

int main(void)
{
	if (fake_init(&F, GDB_ARCH_I386, 3))
		return 1;
	is(gdb_session_new(&S, &fake_ops, &F), 0, "session over a 3-vCPU fake");
	is_str(req("?"), "T05thread:1;", "? before any stop");
	test_queries();
	test_qxfer();
	test_registers();
	test_memory();
	test_breakpoints();
	test_threads();
	test_resume();
	test_stops();
	test_monitor();

	/* D and k */
	F.nbps = 2;
	is_str(req("D"), "OK", "D answers OK");
	ok(act == GDB_ACT_DETACH && F.detaches == 1 && F.nbps == 0, "D: the target detached");
	is_str(req("D;1"), "OK", "D;pid");
	{
		int k = F.kills;
		req("k");
		ok(act == GDB_ACT_KILL && npackets == 0 && F.kills == k + 1, "k: killed, no reply");
		is_str(req("vKill;1"), "OK", "vKill answers OK");
		ok(act == GDB_ACT_KILL && F.kills == k + 2, "vKill: killed");
	}
	gdb_session_reset(S);
	ok(!gdb_session_no_ack(S), "reset: acks on again");
	is_str(req("qC"), "QC1", "reset: thread 1");

	test_fuzz();
	gdb_session_free(S);

	/* a target with no CPU, or the x86-64 layout */
	{
		struct fake_target f2;
		struct gdb_session *s2;
		fake_init(&f2, GDB_ARCH_X86_64, 1);
		f2.ncpus = 0;
		is(gdb_session_new(&s2, &fake_ops, &f2), -EINVAL, "no CPU: -EINVAL");
		f2.ncpus = 1;
		is(gdb_session_new(&s2, &fake_ops, &f2), 0, "x86-64 session");
		S = s2;
		req("g");
		is((long long)reply_len, (long long)(2 * gdb_regs_g_size(gdb_regs_table(GDB_ARCH_X86_64))),
		   "x86-64 g size");
		req("qXfer:features:read:target.xml:0,fff");
		ok(strstr(reply, "<architecture>i386:x86-64</architecture>") != NULL, "x86-64 XML");
		is_str(req("p10"), "0010000000000000", "p10 is rip, 64 bits");
		gdb_session_free(s2);
		fake_fini(&f2);
	}
	fake_fini(&F);
	return done_testing();
}
