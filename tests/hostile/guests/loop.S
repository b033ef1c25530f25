/* tests/hostile/guests/loop.S: an endless loop that prints nothing: only --timeout (or a debugger) ends it. */
	.code16
	.text
	.globl	_start
_start:
	jmp	_start
