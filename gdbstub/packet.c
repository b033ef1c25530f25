/* gdbstub/packet.c: RSP framing state machine, reply encoder and hex helpers. */
#include "gdbstub/packet.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

void rsp_parser_init(struct rsp_parser *p)
{
	p->state = RSP_ST_IDLE;
	p->sum = 0;
	p->csum = 0;
	p->csum_bad = false;
	p->oversize = false;
	p->malformed = false;
	p->len = 0;
	p->buf[0] = 0;
}

static void start_packet(struct rsp_parser *p)
{
	rsp_parser_init(p);
	p->state = RSP_ST_DATA;
}

/* Append one decoded byte; past the limit only remember the overflow (the
 * checksum still decides whether to ask for a retransmit). */
static void put(struct rsp_parser *p, uint8_t c)
{
	if (p->len >= RSP_PACKET_SIZE) {
		p->oversize = true;
		return;
	}
	p->buf[p->len++] = c;
}

/* "Overview": a `*` followed by a count byte repeats the previous
 * character (count - 29) more times; `#` and `$` are never counts. */
static void run_length(struct rsp_parser *p, uint8_t count)
{
	if (count < 29 || count > 126 || p->len == 0) {
		p->malformed = true;
		return;
	}
	uint8_t prev = p->buf[p->len - 1];
	for (int i = 0; i < count - 29; i++)
		put(p, prev);
}

static enum rsp_event finish(struct rsp_parser *p)
{
	p->state = RSP_ST_IDLE;
	if (p->csum_bad || p->csum != p->sum)
		return RSP_EV_BAD_CSUM;
	if (p->oversize)
		return RSP_EV_OVERSIZE;
	if (p->malformed)
		return RSP_EV_MALFORMED;
	p->buf[p->len] = 0;
	return RSP_EV_PACKET;
}

static void csum_digit(struct rsp_parser *p, uint8_t c)
{
	int d = rsp_hex_digit(c);
	if (d < 0)
		p->csum_bad = true;
	else
		p->csum = (uint8_t)(p->csum << 4 | d);
}

enum rsp_event rsp_feed(struct rsp_parser *p, uint8_t c)
{
	switch (p->state) {
	case RSP_ST_IDLE:
		switch (c) {
		case '$':
			start_packet(p);
			return RSP_EV_NONE;
		case 0x03:
			return RSP_EV_INTERRUPT;
		case '+':
			return RSP_EV_ACK;
		case '-':
			return RSP_EV_NACK;
		default:
			return RSP_EV_NONE; /* noise between packets */
		}
	case RSP_ST_DATA:
		if (c == '$') { /* a lost `#`: the new packet wins */
			start_packet(p);
			return RSP_EV_NONE;
		}
		if (c == '#') {
			p->state = RSP_ST_CSUM1;
			return RSP_EV_NONE;
		}
		p->sum += c;
		if (c == '}')
			p->state = RSP_ST_ESC;
		else if (c == '*')
			p->state = RSP_ST_RLE;
		else
			put(p, c);
		return RSP_EV_NONE;
	case RSP_ST_ESC:
		if (c == '$' || c == '#') { /* an escape must escape something */
			p->malformed = true;
			p->state = RSP_ST_DATA;
			return rsp_feed(p, c);
		}
		p->sum += c;
		put(p, c ^ 0x20);
		p->state = RSP_ST_DATA;
		return RSP_EV_NONE;
	case RSP_ST_RLE:
		if (c == '$' || c == '#') { /* never a count */
			p->malformed = true;
			p->state = RSP_ST_DATA;
			return rsp_feed(p, c);
		}
		p->sum += c;
		run_length(p, c);
		p->state = RSP_ST_DATA;
		return RSP_EV_NONE;
	case RSP_ST_CSUM1:
	case RSP_ST_CSUM2:
		if (c == '$') {
			/* the checksum was cut short: that packet is lost (a
			 * retransmit is asked for) and this `$` starts the next */
			start_packet(p);
			return RSP_EV_BAD_CSUM;
		}
		csum_digit(p, c);
		if (p->state == RSP_ST_CSUM1) {
			p->state = RSP_ST_CSUM2;
			return RSP_EV_NONE;
		}
		return finish(p);
	}
	p->state = RSP_ST_IDLE;
	return RSP_EV_NONE;
}

static bool needs_escape(uint8_t c)
{
	return c == '$' || c == '#' || c == '}' || c == '*';
}

long rsp_encode(const void *data, size_t len, uint8_t *out, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *d = data;
	size_t n = 0;
	uint8_t sum = 0;

	if (cap < 4)
		return -ENOSPC;
	out[n++] = '$';
	for (size_t i = 0; i < len; i++) {
		/* leave room for an escape pair and "#cs" */
		if (n + 2 + 3 > cap)
			return -ENOSPC;
		if (needs_escape(d[i])) {
			out[n++] = '}';
			out[n++] = d[i] ^ 0x20;
			sum += '}' + (d[i] ^ 0x20);
		} else {
			out[n++] = d[i];
			sum += d[i];
		}
	}
	if (n + 3 > cap)
		return -ENOSPC;
	out[n++] = '#';
	out[n++] = (uint8_t)digits[sum >> 4];
	out[n++] = (uint8_t)digits[sum & 15];
	return (long)n;
}

int rsp_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int rsp_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int d = rsp_hex_digit((unsigned char)s[i]);
		if (d < 0)
			return -EINVAL;
		if (v >> 60)
			return -ERANGE;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

int rsp_scan_u64(const char **pos, const char *end, uint64_t *out)
{
	const char *s = *pos;
	size_t n = 0;

	while (s + n < end && rsp_hex_digit((unsigned char)s[n]) >= 0)
		n++;
	int err = rsp_parse_u64(s, n, out);
	if (err)
		return err;
	*pos = s + n;
	return 0;
}

long rsp_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t cap)
{
	if (hexlen % 2)
		return -EINVAL;
	if (hexlen / 2 > cap)
		return -ENOSPC;
	for (size_t i = 0; i < hexlen / 2; i++) {
		int hi = rsp_hex_digit((unsigned char)hex[2 * i]);
		int lo = rsp_hex_digit((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(hexlen / 2);
}

/* One pass over the data, not three (encode, scan for escapes, copy):
 * under QEMU's TCG (the VM lane) the passes were half the time of a 32
 * KiB memory read. */
long rsp_encode_hex(const void *data, size_t len, uint8_t *out, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *d = data;
	uint8_t *o = out + 1;
	unsigned sum = 0;

	if (len > (SIZE_MAX - 4) / 2 || cap < 2 * len + 4)
		return -ENOSPC;
	out[0] = '$';
	for (size_t i = 0; i < len; i++) {
		uint8_t hi = (uint8_t)digits[d[i] >> 4], lo = (uint8_t)digits[d[i] & 15];
		*o++ = hi;
		*o++ = lo;
		sum += hi + lo;
	}
	*o++ = '#';
	*o++ = (uint8_t)digits[(sum >> 4) & 15];
	*o++ = (uint8_t)digits[sum & 15];
	return o - out;
}

void rsp_hex_encode(const void *data, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *d = data;

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
}
