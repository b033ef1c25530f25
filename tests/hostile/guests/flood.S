/* tests/hostile/guests/flood.S: prints 'y' lines to the debug console forever: the monitor's stdout fills when nobody reads it. */
	.code16
	.text
	.globl	_start
_start:
	mov	$0xe9, %dx
1:	mov	$'y', %al
	out	%al, %dx
	mov	$'\n', %al
	out	%al, %dx
	jmp	1b
