/* tests/fuzz/fuzz_session.c: libFuzzer harness of the stub's command dispatch (gdbstub/gdbstub.c, data.c, query.c, regs.c) against the fake target.
 *
 * Input: a first byte that picks the machine (bit 0: x86-64, else i386;
 * bits 1-3: 1 to 8 vCPUs), then one packet body per line ('\n' ends a
 * packet, so the seeds are readable text). A line that starts with 0xff is
 * not a packet but a stop of the target (kind, vCPU, signal, address from
 * the next bytes), as the connection layer would pass it on.
 *
 * The harness plays the connection layer (gdbstub/conn.c): it never sends
 * a packet while the session runs, but first a stop (the fake target's
 * own, or a Ctrl-C one); `D` starts a new client; `k` and an exit end the
 * input. After every step it checks that the output is whole packets
 * that parse back with good checksums, that a reply came when one was
 * due, and that the last packet is where `out.last` says (a `-` resends
 * it).
 */
#include <errno.h>
#include <unistd.h>

#include "gdbstub/gdbstub.h"
#include "gdbstub/packet.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/fake_target.h"

static struct fake_target fake;
static struct fake_target pristine;  /* registers and counters at start */
static uint8_t *pristine_ram;
static uint64_t dirty_lo = UINT64_MAX, dirty_hi;
static struct gdb_target_ops ops;
static struct gdb_session *sessions[2][FAKE_MAX_CPUS];
static struct gdb_out out;
static struct rsp_parser parser;

/* fake_ops' write_mem, remembering what it wrote so the next input starts
 * from the same memory */
static int tracked_write(void *tgt, int cpu, uint64_t addr, const void *buf, size_t len,
			 unsigned flags)
{
	int err = fake_ops.write_mem(tgt, cpu, addr, buf, len, flags);
	if (err == 0 && len) {
		dirty_lo = addr < dirty_lo ? addr : dirty_lo;
		dirty_hi = addr + len > dirty_hi ? addr + len : dirty_hi;
	}
	return err;
}

static void setup(void)
{
	CHECK(fake_init(&fake, GDB_ARCH_I386, FAKE_MAX_CPUS) == 0);
	fake.sim = true; /* resume posts a stop, as a running machine would */
	pristine = fake;
	pristine_ram = malloc(FAKE_RAM_SIZE);
	CHECK(pristine_ram);
	memcpy(pristine_ram, fake.ram, FAKE_RAM_SIZE);
	ops = fake_ops;
	ops.write_mem = tracked_write;
	out.cap = GDB_OUT_SIZE;
	out.buf = malloc(out.cap);
	CHECK(out.buf);
}

/* Back to the machine of `pristine`, with `arch` and `ncpus`. */
static void reset_target(enum gdb_arch arch, int ncpus)
{
	char c;

	if (dirty_lo < dirty_hi)
		memcpy(fake.ram + dirty_lo, pristine_ram + dirty_lo, dirty_hi - dirty_lo);
	dirty_lo = UINT64_MAX;
	dirty_hi = 0;
	uint8_t *ram = fake.ram;
	int fds[2] = { fake.pipefd[0], fake.pipefd[1] };
	while (read(fds[0], &c, 1) == 1) {
	}
	fake = pristine;
	fake.ram = ram;
	fake.pipefd[0] = fds[0];
	fake.pipefd[1] = fds[1];
	fake.arch = arch;
	fake.ncpus = ncpus;
}

/* The output holds whole packets with good checksums; the last one starts
 * at out.last. Returns how many packets and whether all but the last are
 * `O` console packets. */
static int check_output(bool *only_console_before_last)
{
	int n = 0;
	size_t start = 0, last = 0;
	bool console_ok = true;

	rsp_parser_init(&parser);
	for (size_t i = 0; i < out.len; i++) {
		if (parser.state == RSP_ST_IDLE) {
			CHECK(out.buf[i] == '$');
			start = i;
		}
		enum rsp_event ev = rsp_feed(&parser, out.buf[i]);
		if (ev == RSP_EV_NONE)
			continue;
		CHECK(ev == RSP_EV_PACKET);
		if (n > 0 && (parser.len == 0 || parser.buf[0] != 'O'))
			console_ok = false;
		last = start;
		n++;
	}
	CHECK(parser.state == RSP_ST_IDLE);
	if (n)
		CHECK(out.last == last);
	*only_console_before_last = console_ok;
	return n;
}

/* What conn.c does with a stop. Returns false when serving is over. */
static bool take_stop(struct gdb_session *s, const struct gdb_stop *st)
{
	bool console_ok;
	out.len = out.last = 0;
	enum gdb_action act = gdb_session_stop(s, st, &out);
	int n = check_output(&console_ok);
	CHECK(n <= 2);
	if (act == GDB_ACT_EXITED) {
		CHECK(n == 1 && out.buf[1] == 'W');
		return false;
	}
	CHECK(act == GDB_ACT_REPLY);
	CHECK(!gdb_session_running(s));
	return true;
}

/* While the session runs, conn.c waits for the target: the fake's own stop,
 * or the one an interrupt (0x03) brings. */
static bool settle(struct gdb_session *s)
{
	struct gdb_stop st;

	if (!gdb_session_running(s))
		return true;
	if (ops.get_stop(&fake, &st) != 0) {
		CHECK(ops.interrupt(&fake) == 0);
		CHECK(ops.get_stop(&fake, &st) == 0);
	}
	return take_stop(s, &st);
}

static struct gdb_stop stop_from(struct fuzz_in *in, int ncpus)
{
	struct gdb_stop st = { 0 };
	st.kind = (enum gdb_stop_kind)(fuzz_take(in, 1) % (GDB_STOP_EXITED + 1));
	st.cpu = (int)(fuzz_take(in, 1) % (unsigned)(ncpus + 2)) - 1; /* -1 .. ncpus */
	st.signal = (int)fuzz_take(in, 1);
	st.addr = fuzz_take(in, 8);
	st.status = (int)fuzz_take(in, 2);
	size_t n = in->left < sizeof(st.text) ? in->left : sizeof(st.text);
	memcpy(st.text, in->p, n); /* not NUL-terminated: the stub must cope */
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	if (!ready) {
		setup();
		ready = true;
	}
	if (size == 0)
		return 0;

	enum gdb_arch arch = (data[0] & 1) ? GDB_ARCH_X86_64 : GDB_ARCH_I386;
	int ncpus = ((data[0] >> 1) & 7) + 1;
	reset_target(arch, ncpus);
	struct gdb_session **sp = &sessions[arch == GDB_ARCH_X86_64][ncpus - 1];
	if (!*sp)
		CHECK(gdb_session_new(sp, &ops, &fake) == 0);
	struct gdb_session *s = *sp;
	gdb_session_reset(s);

	const uint8_t *p = data + 1, *end = data + size;
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		const uint8_t *pkt = p;
		p += len + (nl ? 1 : 0);

		if (!settle(s))
			return 0;
		if (len && pkt[0] == 0xff) {
			struct fuzz_in in = { pkt + 1, len - 1 };
			struct gdb_stop st = stop_from(&in, ncpus);
			if (!take_stop(s, &st))
				return 0;
			continue;
		}
		if (len > RSP_PACKET_SIZE)
			len = RSP_PACKET_SIZE; /* the framing never delivers more */

		bool console_ok;
		out.len = out.last = 0;
		enum gdb_action act = gdb_session_packet(s, pkt, len, &out);
		int n = check_output(&console_ok);
		CHECK(out.len <= out.cap);
		switch (act) {
		case GDB_ACT_REPLY:
			/* exactly one reply, after any console text */
			CHECK(n >= 1 && console_ok);
			CHECK(!gdb_session_running(s));
			break;
		case GDB_ACT_RESUMED:
			CHECK(n == 0 && gdb_session_running(s));
			break;
		case GDB_ACT_DETACH:
			CHECK(n == 1);
			gdb_session_reset(s); /* the next client */
			break;
		case GDB_ACT_KILL:
			CHECK(n <= 2);
			return 0;
		case GDB_ACT_EXITED:
			CHECK(0); /* only a stop ends the machine */
		}
	}
	settle(s);
	return 0;
}
