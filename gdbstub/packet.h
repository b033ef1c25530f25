/* gdbstub/packet.h: GDB remote serial protocol framing and hex helpers, no I/O.
 *
 * The parser is a byte-at-a-time state machine (GDB manual, "Overview" of
 * "Remote Protocol"): bytes go in one by one, complete events come out. It
 * never touches a socket, so a packet split over any number of reads, or
 * many packets in one read, are the same to it. The encoder frames replies.
 */
#ifndef GDBSTUB_PACKET_H
#define GDBSTUB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest packet body (after `}` and `*` decoding) the stub accepts. This is
 * the PacketSize announced in qSupported: 64 KiB, so a 64 KiB `m` read is
 * two packets (gdb asks at most PacketSize/2 bytes per `m`, since every
 * byte is two hex digits). See docs/rsp.md. */
#define RSP_PACKET_SIZE 0x10000

enum rsp_event {
	RSP_EV_NONE = 0,  /* byte consumed, nothing complete yet */
	RSP_EV_PACKET,    /* a packet with a good checksum: rsp_parser.buf/len */
	RSP_EV_BAD_CSUM,  /* checksum mismatch: ask for a retransmit (`-`) */
	RSP_EV_OVERSIZE,  /* good checksum but longer than RSP_PACKET_SIZE */
	RSP_EV_MALFORMED, /* good checksum but a bad `*` run-length sequence */
	RSP_EV_INTERRUPT, /* 0x03 outside a packet (Ctrl-C) */
	RSP_EV_ACK,       /* `+` outside a packet */
	RSP_EV_NACK,      /* `-` outside a packet: resend the last reply */
};

enum rsp_state {
	RSP_ST_IDLE,   /* between packets: garbage is ignored */
	RSP_ST_DATA,   /* inside $...# */
	RSP_ST_ESC,    /* after `}` */
	RSP_ST_RLE,    /* after `*`, waiting for the count byte */
	RSP_ST_CSUM1,  /* after `#` */
	RSP_ST_CSUM2,
};

struct rsp_parser {
	enum rsp_state state;
	uint8_t sum;       /* running checksum of the raw bytes between $ and # */
	uint8_t csum;      /* checksum received after # */
	bool csum_bad;     /* a checksum character was not a hex digit */
	bool oversize;     /* body overflowed buf: reported after the checksum */
	bool malformed;    /* bad run-length sequence */
	size_t len;        /* decoded body length */
	uint8_t buf[RSP_PACKET_SIZE + 1]; /* body, NUL-terminated on RSP_EV_PACKET */
};

/* Reset to the idle state (e.g. for a new client). */
void rsp_parser_init(struct rsp_parser *p);

/* Feed one byte. On RSP_EV_PACKET the decoded body is p->buf[0..p->len),
 * followed by a NUL (the body may itself contain NULs from `X` data). */
enum rsp_event rsp_feed(struct rsp_parser *p, uint8_t byte);

/* Frame `len` bytes of `data` as $data#cs into out[0..cap). `}`, `#`, `$`
 * and `*` are escaped as `}` + (byte ^ 0x20) ("Overview": binary data).
 * Replies of text packets never contain these characters, so escaping
 * every reply is harmless. Returns the framed length, or -ENOSPC. */
long rsp_encode(const void *data, size_t len, uint8_t *out, size_t cap);

/* Largest framed size of a body of `len` bytes (every byte escaped). */
#define RSP_FRAMED_MAX(len) (2 * (size_t)(len) + 4)

/* --- hex helpers: every digit is validated, overflow is an error ------- */

/* Value of one hex digit (either case), or -1. */
int rsp_hex_digit(int c);

/* Parse exactly `len` hex digits of s as a big-endian number (the form of
 * addresses and lengths in packets). -EINVAL on an empty string or a bad
 * digit, -ERANGE when it does not fit 64 bits. */
int rsp_parse_u64(const char *s, size_t len, uint64_t *out);

/* Parse hex digits from *pos up to the first byte that is not a hex digit
 * (or `end`), advancing *pos. Same errors as rsp_parse_u64; at least one
 * digit is required. */
int rsp_scan_u64(const char **pos, const char *end, uint64_t *out);

/* Decode `hexlen` hex digits into bytes. hexlen must be even and the
 * result must fit `cap`. Returns the byte count or -EINVAL / -ENOSPC. */
long rsp_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t cap);

/* Encode `len` bytes as 2*len lower-case hex digits (no NUL). */
void rsp_hex_encode(const void *data, size_t len, char *out);

/* Frame the hex of `len` bytes of `data` as $hex#cs into out[0..cap) in
 * one pass: what rsp_hex_encode and rsp_encode give together (hex digits
 * need no escape), for replies of memory and registers. Returns the
 * framed length, or -ENOSPC. */
long rsp_encode_hex(const void *data, size_t len, uint8_t *out, size_t cap);

#endif
