/* tests/unit/test_rsp_packet.c: RSP framing (split bytes, escapes, run-length, checksums, garbage, oversize) and hex helpers. */
#include <errno.h>
#include <stdlib.h>

#include "gdbstub/packet.h"
#include "tests/unit/tap.h"

static struct rsp_parser P;

/* Feed a string; return the last non-NONE event (and count events). */
static enum rsp_event feed(const char *s, size_t len, int *nev)
{
	enum rsp_event last = RSP_EV_NONE;
	if (nev)
		*nev = 0;
	for (size_t i = 0; i < len; i++) {
		enum rsp_event ev = rsp_feed(&P, (uint8_t)s[i]);
		if (ev != RSP_EV_NONE) {
			last = ev;
			if (nev)
				(*nev)++;
		}
	}
	return last;
}

#define FEED(s) feed(s, sizeof(s) - 1, NULL)

static const char *body(void)
{
	return (const char *)P.buf;
}

int main(void)
{
	uint8_t out[64];
	uint64_t v;
	int n;

	/* --- framing --- */
	rsp_parser_init(&P);
	is(FEED("$g#67"), RSP_EV_PACKET, "a simple packet");
	is_str(body(), "g", "body is g");

	is(FEED("$m0,4#fd"), RSP_EV_PACKET, "m0,4 with its checksum");
	is_str(body(), "m0,4", "body m0,4");

	/* byte by byte is what feed does; split across "reads" is the same */
	is(FEED("$qSupp"), RSP_EV_NONE, "half a packet: nothing yet");
	is(FEED("orted#37"), RSP_EV_PACKET, "the rest completes it");
	is_str(body(), "qSupported", "split packet body");

	is(FEED("$g#00"), RSP_EV_BAD_CSUM, "wrong checksum");
	is(FEED("$g#6x"), RSP_EV_BAD_CSUM, "non-hex checksum digit");
	is(FEED("$g#6"), RSP_EV_NONE, "checksum cut short waits");
	is(FEED("7"), RSP_EV_PACKET, "and completes");
	is(FEED("$g#6G"), RSP_EV_BAD_CSUM, "upper-case non-hex checksum");
	is(FEED("$g#67"), RSP_EV_PACKET, "upper/lower case: lower");
	is(FEED("$qC#B4"), RSP_EV_PACKET, "upper-case hex checksum accepted");

	is(FEED("\x03"), RSP_EV_INTERRUPT, "0x03 between packets");
	is(FEED("+"), RSP_EV_ACK, "ack");
	is(FEED("-"), RSP_EV_NACK, "nack");
	is(feed("xyz\r\n garbage", 14, &n), RSP_EV_NONE, "garbage ignored");
	is(n, 0, "no event from garbage");
	is(FEED("junk$g#67"), RSP_EV_PACKET, "garbage then a packet");
	is(FEED("$m0,4$g#67"), RSP_EV_PACKET, "a $ inside a packet restarts");
	is_str(body(), "g", "the restarted packet wins");

	/* 0x03 inside a packet is data, not an interrupt */
	{
		char pkt[] = "$X0,1:\x03#00";
		uint8_t sum = 0;
		for (size_t i = 1; pkt[i] != '#'; i++)
			sum += (uint8_t)pkt[i];
		snprintf(pkt + 8, 3, "%02x", sum);
		is(feed(pkt, 10, &n), RSP_EV_PACKET, "0x03 inside a packet");
		is(n, 1, "... only one event");
		is(P.len, 6, "... kept as data");
		is(P.buf[5], 3, "... byte 0x03");
	}

	/* escapes: }] is ']' ^ 0x20 = '}' ; }\x03 is '#'; }\x04 is '$'; }\x0a is '*' */
	{
		static const char pkt[] = "$X0,4:}]}\x03}\x04}\x0a#";
		uint8_t sum = 0;
		char full[64];
		for (size_t i = 1; i < sizeof(pkt) - 2; i++)
			sum += (uint8_t)pkt[i];
		int m = snprintf(full, sizeof(full), "%s%02x", pkt, sum);
		is(feed(full, (size_t)m, NULL), RSP_EV_PACKET, "escaped binary packet");
		is(P.len, 9, "escapes decoded to 4 bytes");
		ok(!memcmp(P.buf + 5, "}#$*", 4), "escaped bytes are } # $ *");
	}

	/* run-length: "0* " is 0000 ("Overview") */
	{
		static const char pkt[] = "$0* #";
		uint8_t sum = '0' + '*' + ' ';
		char full[16];
		int m = snprintf(full, sizeof(full), "%s%02x", pkt, sum);
		is(feed(full, (size_t)m, NULL), RSP_EV_PACKET, "run-length packet");
		is_str(body(), "0000", "0* is 0000");
	}
	{
		/* a*} = 'a' + 96 more */
		char full[16];
		uint8_t sum = ('a' + '*' + '}') & 0xff;
		/* '}' as a count would start an escape; counts are literal */
		int m = snprintf(full, sizeof(full), "$a*}#%02x", sum);
		is(feed(full, (size_t)m, NULL), RSP_EV_PACKET, "longest run");
		is(P.len, 97, "run of 96 + 1");
	}
	{
		char full[16];
		int m = snprintf(full, sizeof(full), "$*5#%02x", ('*' + '5') & 0xff);
		is(feed(full, (size_t)m, NULL), RSP_EV_MALFORMED, "run with nothing before it");
		m = snprintf(full, sizeof(full), "$a*\x10#%02x", ('a' + '*' + 0x10) & 0xff);
		is(feed(full, (size_t)m, NULL), RSP_EV_MALFORMED, "count below 29");
		is(FEED("$a*#00"), RSP_EV_BAD_CSUM, "a # as count ends the packet");
		is(FEED("$g#67"), RSP_EV_PACKET, "parser recovers");
	}

	/* oversize: more than RSP_PACKET_SIZE body bytes */
	{
		size_t big = RSP_PACKET_SIZE + 10;
		char *b = malloc(big + 5); /* $, body, #, two digits, NUL */
		uint8_t sum = 0;
		b[0] = '$';
		for (size_t i = 1; i <= big; i++) {
			b[i] = 'a';
			sum += 'a';
		}
		b[big + 1] = '#';
		snprintf(b + big + 2, 3, "%02x", sum);
		is(feed(b, big + 4, &n), RSP_EV_OVERSIZE, "oversize packet with a good checksum");
		is(n, 1, "one event for it");
		b[big + 2] = 'z';
		is(feed(b, big + 4, NULL), RSP_EV_BAD_CSUM, "oversize with a bad checksum asks again");
		/* exactly the limit is fine */
		sum = 0;
		for (size_t i = 1; i <= RSP_PACKET_SIZE; i++)
			sum += 'a';
		b[RSP_PACKET_SIZE + 1] = '#';
		snprintf(b + RSP_PACKET_SIZE + 2, 3, "%02x", sum);
		is(feed(b, RSP_PACKET_SIZE + 4, NULL), RSP_EV_PACKET, "a packet of exactly PacketSize");
		is(P.len, RSP_PACKET_SIZE, "all of it kept");
		free(b);
		is(FEED("$g#67"), RSP_EV_PACKET, "parser fine after oversize");
	}

	/* random bytes, biased towards the framing characters: never a
	 * body past the buffer, every packet NUL-terminated */
	{
		static const uint8_t special[] = "$#}*+-\x03";
		uint32_t seed = 99;
		int bad = 0, packets = 0;
		rsp_parser_init(&P);
		for (int i = 0; i < 2000000; i++) {
			seed = seed * 1103515245 + 12345;
			uint8_t b = (seed >> 16) & 1 ? special[(seed >> 8) % 7] : (uint8_t)(seed >> 20);
			enum rsp_event ev = rsp_feed(&P, b);
			if (P.len > RSP_PACKET_SIZE)
				bad++;
			if (ev == RSP_EV_PACKET) {
				packets++;
				if (P.buf[P.len] != 0)
					bad++;
			}
		}
		is(bad, 0, "2M random bytes: no overflow (%d good packets)", packets);
	}

	/* --- encoder --- */
	{
		long m = rsp_encode("OK", 2, out, sizeof(out));
		is(m, 6, "OK framed in 6 bytes");
		ok(!memcmp(out, "$OK#9a", 6), "$OK#9a");
		m = rsp_encode("a}b#c$d*", 8, out, sizeof(out));
		is(m, 16, "four escapes");
		ok(!memcmp(out, "$a}]b}\x03" "c}\x04" "d}\x0a#", 13), "escaped encoding");
		/* round trip through the parser */
		is(feed((const char *)out, (size_t)m, NULL), RSP_EV_PACKET, "round trip parses");
		ok(P.len == 8 && !memcmp(P.buf, "a}b#c$d*", 8), "round trip body");
		is(rsp_encode("OK", 2, out, 5), -ENOSPC, "too small a buffer");
		is(rsp_encode("", 0, out, 4), 4, "empty reply fits 4 bytes");
		ok(!memcmp(out, "$#00", 4), "empty reply is $#00");
	}

	/* --- hex --- */
	is(rsp_hex_digit('0'), 0, "digit 0");
	is(rsp_hex_digit('f'), 15, "digit f");
	is(rsp_hex_digit('F'), 15, "digit F");
	is(rsp_hex_digit('g'), -1, "g is no digit");
	is(rsp_parse_u64("ffffffffffffffff", 16, &v), 0, "max u64 parses");
	ok(v == ~0ull, "max u64 value");
	is(rsp_parse_u64("10000000000000000", 17, &v), -ERANGE, "2^64 overflows");
	is(rsp_parse_u64("0000000000000000001", 19, &v), 0, "leading zeros are fine");
	is(rsp_parse_u64("", 0, &v), -EINVAL, "empty number");
	is(rsp_parse_u64("12x", 3, &v), -EINVAL, "bad digit");
	{
		const char *s = "1a2b,10", *p = s;
		is(rsp_scan_u64(&p, s + 7, &v), 0, "scan stops at the comma");
		is(v, 0x1a2b, "scanned value");
		is(p - s, 4, "position after the number");
		p = s + 4;
		is(rsp_scan_u64(&p, s + 7, &v), -EINVAL, "scan needs a digit");
	}
	is(rsp_hex_decode("0aFf", 4, out, 2), 2, "decode 2 bytes");
	ok(out[0] == 0x0a && out[1] == 0xff, "decoded values");
	is(rsp_hex_decode("0aF", 3, out, 2), -EINVAL, "odd length");
	is(rsp_hex_decode("0aFf", 4, out, 1), -ENOSPC, "too long for the buffer");
	is(rsp_hex_decode("0g", 2, out, 2), -EINVAL, "bad digit in data");
	{
		char h[5] = { 0 };
		rsp_hex_encode("\x12\xab", 2, h);
		is_str(h, "12ab", "encode");
	}
	{
		/* the one-pass hex packet is hex encoding, then framing */
		static uint8_t data[4096], hex[8192], one[8200], two[16400];
		for (size_t i = 0; i < sizeof(data); i++)
			data[i] = (uint8_t)(i * 131 + 7);
		rsp_hex_encode(data, sizeof(data), (char *)hex);
		long n2 = rsp_encode(hex, sizeof(hex), two, sizeof(two));
		long n1 = rsp_encode_hex(data, sizeof(data), one, sizeof(one));
		ok(n1 == n2 && n1 > 0 && !memcmp(one, two, (size_t)n1),
		   "rsp_encode_hex equals rsp_hex_encode + rsp_encode (4096 bytes, %ld)", n1);
		is(rsp_encode_hex(data, 2, one, 7), -ENOSPC, "rsp_encode_hex: no room for #cs");
		is(rsp_encode_hex("", 0, one, 4), 4, "rsp_encode_hex: an empty reply");
		ok(!memcmp(one, "$#00", 4), "rsp_encode_hex: empty is $#00");
	}
	return done_testing();
}
