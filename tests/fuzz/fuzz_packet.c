/* tests/fuzz/fuzz_packet.c: libFuzzer harness of the RSP framing state machine, the reply encoder and the hex helpers (gdbstub/packet.c).
 *
 * The input is a byte stream from a client. Every byte goes through
 * rsp_feed; for every packet that comes out, the harness checks what the
 * framing promises: the body fits RSP_PACKET_SIZE and is NUL-terminated,
 * and encoding it with rsp_encode and parsing the result gives back the
 * same body (escapes and checksums agree both ways). The hex helpers get
 * the packet bodies: a number that parses prints back to the same value,
 * a hex string that decodes encodes back to the same digits.
 */
#include <errno.h>
#include <strings.h>

#include "gdbstub/packet.h"
#include "tests/fuzz/fuzz.h"

static struct rsp_parser p, q;
static uint8_t enc[RSP_FRAMED_MAX(RSP_PACKET_SIZE)];
static uint8_t bytes[RSP_PACKET_SIZE / 2];
static char hex[RSP_PACKET_SIZE];

static void check_round_trip(const uint8_t *body, size_t len)
{
	long n = rsp_encode(body, len, enc, sizeof(enc));
	CHECK(n >= 4 && (size_t)n <= RSP_FRAMED_MAX(len));
	CHECK(enc[0] == '$' && enc[n - 3] == '#');
	rsp_parser_init(&q);
	for (long i = 0; i < n; i++) {
		enum rsp_event ev = rsp_feed(&q, enc[i]);
		if (i < n - 1) {
			CHECK(ev == RSP_EV_NONE);
			continue;
		}
		CHECK(ev == RSP_EV_PACKET);
		CHECK(q.len == len && !memcmp(q.buf, body, len));
	}
	CHECK(q.state == RSP_ST_IDLE);
	/* a buffer one byte short of the framed size is refused, not overrun */
	CHECK(rsp_encode(body, len, enc, (size_t)n - 1) == -ENOSPC);
}

static void check_hex(const uint8_t *body, size_t len)
{
	const char *s = (const char *)body;
	uint64_t v;

	/* a number: parsed, it prints back to the same value */
	size_t nl = len < 20 ? len : 20;
	int err = rsp_parse_u64(s, nl, &v);
	CHECK(err == 0 || err == -EINVAL || err == -ERANGE);
	if (err == 0) {
		char buf[32];
		int k = snprintf(buf, sizeof(buf), "%llx", (unsigned long long)v);
		size_t lead = 0;
		while (lead + 1 < nl && s[lead] == '0')
			lead++;
		CHECK((size_t)k == nl - lead && !strncasecmp(buf, s + lead, (size_t)k));
	}
	/* scanning stops at the first non-digit and never passes the end */
	const char *pos = s;
	err = rsp_scan_u64(&pos, s + len, &v);
	CHECK(err == 0 ? pos > s && pos <= s + len : pos == s);

	/* bytes: decoded, they encode back to the same digits (lower case) */
	long n = rsp_hex_decode(s, len, bytes, sizeof(bytes));
	if (n >= 0) {
		CHECK((size_t)n * 2 == len);
		rsp_hex_encode(bytes, (size_t)n, hex);
		CHECK(!strncasecmp(hex, s, len));
	} else {
		CHECK(n == -EINVAL || n == -ENOSPC);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rsp_parser_init(&p);
	for (size_t i = 0; i < size; i++) {
		enum rsp_state before = p.state;
		enum rsp_event ev = rsp_feed(&p, data[i]);
		CHECK(p.len <= RSP_PACKET_SIZE);
		switch (ev) {
		case RSP_EV_NONE:
			break;
		case RSP_EV_PACKET:
			CHECK(before == RSP_ST_CSUM2 && p.state == RSP_ST_IDLE);
			CHECK(p.buf[p.len] == 0);
			check_round_trip(p.buf, p.len);
			check_hex(p.buf, p.len);
			break;
		case RSP_EV_BAD_CSUM:
			/* after the checksum; or a `$` cut the checksum short
			 * and starts the next packet */
			CHECK((before == RSP_ST_CSUM2 && p.state == RSP_ST_IDLE) ||
			      ((before == RSP_ST_CSUM1 || before == RSP_ST_CSUM2) && data[i] == '$' &&
			       p.state == RSP_ST_DATA && p.len == 0));
			break;
		case RSP_EV_OVERSIZE:
		case RSP_EV_MALFORMED:
			CHECK(before == RSP_ST_CSUM2 && p.state == RSP_ST_IDLE);
			break;
		case RSP_EV_INTERRUPT:
		case RSP_EV_ACK:
		case RSP_EV_NACK:
			/* only between packets: inside one they are data */
			CHECK(before == RSP_ST_IDLE);
			break;
		}
	}
	return 0;
}
