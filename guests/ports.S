/* guests/ports.S: writes port 0x80 three times and reads port 0x2f8 twice, then hlt: `gdbvmm -v` reports each unclaimed port once.
 *
 * Neither port belongs to a gdbvmm device (0x80 is the PC's POST-code
 * port, 0x2f8 is COM2, which gdbvmm does not emulate), so both take the
 * I/O bus's default: writes vanish, reads see all ones. With -v the
 * monitor reports the first access to each port and no later one.
 * Prints nothing; status 0 (hlt ends a flat guest).
 */
	.code16
	.text
	.globl	_start
_start:
	mov	$0x80, %dx
	mov	$0x01, %al
	out	%al, %dx
	inc	%al
	out	%al, %dx
	inc	%al
	out	%al, %dx
	mov	$0x2f8, %dx
	in	%dx, %al
	in	%dx, %al
	hlt
