/* tests/unit/test_lane_frame.c: the lane's in-band codes survive any split of the stream, and 0xff data stays data. */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/tap.h"
#include "vmm/lane_frame.h"

static struct lane_buf b;

/* Decodes b in pieces of `step` bytes; data to out, codes to ctls. */
static size_t decode_in_steps(size_t step, uint8_t *out, int *ctls, int *nctl)
{
	bool esc = false;
	size_t o = 0, i = 0;

	*nctl = 0;
	while (i < b.len) {
		size_t n = b.len - i < step ? b.len - i : step;
		const uint8_t *in = b.data + i;
		while (n) {
			size_t used;
			int ctl;
			o += lane_frame_decode(&esc, in, n, out + o, &used, &ctl);
			if (ctl >= 0)
				ctls[(*nctl)++] = ctl;
			in += used;
			n -= used;
			i += used;
		}
	}
	return o;
}

int main(void)
{
	uint8_t data[512], out[1024];
	int ctls[8], nctl;

	for (int i = 0; i < 512; i++)
		data[i] = (uint8_t)(i * 37 + 11); /* every value, 0xff included */
	data[100] = data[101] = LANE_ESC;

	b.off = b.len = 0;
	ok(lane_buf_room(&b) == LANE_BUF_SIZE, "an empty buffer has all its room");
	lane_buf_put_ctl(&b, LANE_CTL_OPEN);
	lane_buf_put_encoded(&b, data, 256);
	lane_buf_put_encoded(&b, data + 256, 256);
	lane_buf_put_ctl(&b, LANE_CTL_EOF);
	size_t n0 = 0;
	for (int i = 0; i < 512; i++)
		n0 += data[i] == LANE_ESC;
	is(b.len, 512 + n0 + 4, "each 0xff is doubled, each code is two bytes");

	for (size_t step = 1; step <= 7; step++) {
		size_t n = decode_in_steps(step, out, ctls, &nctl);
		ok(n == 512 && !memcmp(out, data, 512), "split every %zu bytes: the data comes back", step);
		ok(nctl == 2 && ctls[0] == LANE_CTL_OPEN && ctls[1] == LANE_CTL_EOF,
		   "split every %zu bytes: open first, end last", step);
	}

	/* An unknown code from a confused peer is dropped, not data. */
	uint8_t junk[] = { 'a', LANE_ESC, 0x7e, 'b' };
	bool esc = false;
	size_t used;
	int ctl;
	size_t n = lane_frame_decode(&esc, junk, sizeof(junk), out, &used, &ctl);
	ok(n == 2 && out[0] == 'a' && out[1] == 'b' && ctl == -1 && used == 4,
	   "an unknown code is dropped");

	/* Decoding stops after a code: what follows waits for the caller. */
	uint8_t two[] = { 'x', LANE_ESC, LANE_CTL_EOF, 'y' };
	esc = false;
	n = lane_frame_decode(&esc, two, sizeof(two), out, &used, &ctl);
	ok(n == 1 && ctl == LANE_CTL_EOF && used == 3, "decoding stops after the code");

	/* Room: a buffer half written compacts. */
	b.off = b.len = 0;
	uint8_t big[LANE_BUF_SIZE / 4 * 3] = { 0 };
	lane_buf_put(&b, big, sizeof(big));
	b.off = sizeof(big);
	ok(lane_buf_room(&b) == LANE_BUF_SIZE, "a buffer written out has all its room again");
	lane_buf_put(&b, big, sizeof(big));
	b.off = LANE_BUF_SIZE / 2 + 1;
	size_t rest = sizeof(big) - b.off;
	is(lane_buf_room(&b), LANE_BUF_SIZE - rest, "more than half written: the rest moves to the front");
	is(b.off, 0, "... and starts at 0");

	return done_testing();
}
