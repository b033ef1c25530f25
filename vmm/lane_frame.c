/* vmm/lane_frame.c: in-band control codes and write buffers of the lane's streams (no I/O but one write). */
#include "vmm/lane_frame.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

size_t lane_buf_room(struct lane_buf *b)
{
	if (b->off && b->off == b->len)
		b->off = b->len = 0;
	if (b->off > LANE_BUF_SIZE / 2) {
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
	}
	return LANE_BUF_SIZE - b->len;
}

void lane_buf_put(struct lane_buf *b, const uint8_t *in, size_t n)
{
	memcpy(b->data + b->len, in, n);
	b->len += n;
}

void lane_buf_put_encoded(struct lane_buf *b, const uint8_t *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		b->data[b->len++] = in[i];
		if (in[i] == LANE_ESC)
			b->data[b->len++] = LANE_ESC_BYTE;
	}
}

void lane_buf_put_ctl(struct lane_buf *b, uint8_t code)
{
	b->data[b->len++] = LANE_ESC;
	b->data[b->len++] = code;
}

int lane_buf_flush(struct lane_buf *b, int fd)
{
	while (b->off < b->len) {
		ssize_t n = write(fd, b->data + b->off, b->len - b->off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		}
		b->off += (size_t)n;
	}
	return 0;
}

size_t lane_frame_decode(bool *esc, const uint8_t *in, size_t n, uint8_t *out, size_t *used,
			 int *ctl)
{
	size_t o = 0, i = 0;

	*ctl = -1;
	while (i < n) {
		uint8_t c = in[i++];
		if (!*esc) {
			if (c == LANE_ESC)
				*esc = true;
			else
				out[o++] = c;
			continue;
		}
		*esc = false;
		if (c == LANE_ESC_BYTE) {
			out[o++] = LANE_ESC;
			continue;
		}
		if (c == LANE_CTL_EOF || c == LANE_CTL_OPEN) {
			*ctl = c;
			break;
		}
		/* anything else: not from our host side; dropped */
	}
	*used = i;
	return o;
}
