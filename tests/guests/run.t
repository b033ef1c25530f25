#!/bin/bash
# tests/guests/run.t: runs every guest that has an expected output (tests/guests/NAME.out + NAME.status) and compares what a user sees.
#
# For each pair: ./gdbvmm guests/NAME.bin (or .elf) < NAME.in (or
# /dev/null); stdout must equal NAME.out byte for byte, the exit status
# NAME.status, and stderr must be empty. The Multiboot kernels dbg and
# dbg64 print the loader's command line, which depends on the path, so
# their `cmdline:` lines are compared on their own (guests/README.md).
. "$(dirname "$0")/lib.sh"

for exp in tests/guests/*.out; do
	name=$(basename "$exp" .out)
	[ -f "tests/guests/$name.status" ] || continue
	img=guests/$name.bin
	[ -f "$img" ] || img=guests/$name.elf
	if [ ! -f "$img" ]; then
		fail "$name: image guests/$name.bin or .elf exists (make all)"
		continue
	fi
	in=tests/guests/$name.in
	[ -f "$in" ] || in=/dev/null

	vm "$T/out" "$T/err" "$in" "$img"
	case $name in
	dbg | dbg64) grep -v '^cmdline:' "$T/out" >"$T/cmp" ;;
	*) cp "$T/out" "$T/cmp" ;;
	esac
	same_file "$T/cmp" "$exp" "$name: stdout is $exp"
	is "$status" "$(cat "tests/guests/$name.status")" "$name: exit status"
	if [ -s "$T/err" ]; then
		fail "$name: nothing on stderr"
		diag_file stderr "$T/err"
	else
		pass "$name: nothing on stderr"
	fi
	[ "$name" != dbg ] || cp "$T/out" "$T/dbg.out"
done

# The Multiboot command line: the kernel's path, then --append's text.
if [ -f guests/dbg.elf ]; then
	is "$(grep '^cmdline:' "$T/dbg.out" 2>/dev/null)" "cmdline: guests/dbg.elf" \
		"dbg: the command line is the kernel's path"
	vm "$T/out" "$T/err" /dev/null --append 'a b' guests/dbg.elf
	is "$(grep '^cmdline:' "$T/out")" "cmdline: guests/dbg.elf a b" \
		"dbg: --append 'a b' adds ' a b' to the command line"
	is "$status" "$(cat tests/guests/dbg.status)" "dbg: --append does not change the exit status"
fi

done_testing
