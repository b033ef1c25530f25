/* vmm/lane_frame.h: the byte framing of the lane's stdin and gdb streams, and their buffers. */
#ifndef VMM_LANE_FRAME_H
#define VMM_LANE_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The lane (vmm/lane.c) carries gdbvmm's stdin and the gdb stream through
 * virtio-serial ports. A port carries neither an end of input nor a new
 * gdb connection reliably, and the VM's kernel throws away what arrives
 * on a port no process has open (measured, docs/architecture.md). So
 * these two streams carry control codes in band: LANE_ESC followed by
 *   LANE_ESC_BYTE   a data byte 0xff
 *   LANE_CTL_EOF    end of stdin / the gdb client left
 *   LANE_CTL_OPEN   a gdb client connected; from the VM: the port is open,
 *                   the host may send
 * Every other byte is data. stdout and stderr are plain bytes.
 */
#define LANE_ESC      0xff
#define LANE_ESC_BYTE 0x00
#define LANE_CTL_EOF  0x01
#define LANE_CTL_OPEN 0x02

/* One direction of a relay: bytes waiting to be written. */
#define LANE_BUF_SIZE 65536
struct lane_buf {
	size_t off, len;
	uint8_t data[LANE_BUF_SIZE];
};

/* Free space at the end (after compacting). */
size_t lane_buf_room(struct lane_buf *b);
/* Append n bytes of data, each 0xff doubled as LANE_ESC LANE_ESC_BYTE; the
 * caller leaves room for 2n. */
void lane_buf_put_encoded(struct lane_buf *b, const uint8_t *in, size_t n);
/* Append a control code (LANE_ESC, code). */
void lane_buf_put_ctl(struct lane_buf *b, uint8_t code);
void lane_buf_put(struct lane_buf *b, const uint8_t *in, size_t n);
/* Write what is buffered to fd (a non-blocking fd, or one poll said is
 * writable); 0 (all or part written) or -errno (EAGAIN is 0). */
int lane_buf_flush(struct lane_buf *b, int fd);

/* Decoding: *esc carries an escape split between two reads. Decodes from
 * in[0..n) into out (room n) and stops after the first control code:
 * returns the data bytes written to out, *used the input consumed, *ctl
 * the control code or -1. An unknown code is dropped. */
size_t lane_frame_decode(bool *esc, const uint8_t *in, size_t n, uint8_t *out, size_t *used,
			 int *ctl);

#endif
