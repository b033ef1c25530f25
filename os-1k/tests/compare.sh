#!/bin/sh
# os-1k/tests/compare.sh: compares a console log with os-1k/tests/NAME.out; shared by every runner (QEMU, gdbvmm).
#
#   compare.sh NAME LOG      exit 0 if LOG matches, else print a diff and exit 1
#
# Both sides are normalised first:
#   - carriage returns are dropped;
#   - everything before the shell's first prompt line ("> ...") goes: the
#     boot messages and the menu (its own test, shell.in, shows it with help),
#     since the free-memory line differs between machines;
#   - addresses that change with the compiler are masked: "eip 0x1234" ->
#     "eip 0x?", "os-1k/kernel.c:123:" -> "os-1k/kernel.c:?:";
#   - when NAME.unordered exists, lines are sorted: processes that run at
#     once (both) print in an order only the scheduler decides.
# NAME.before, if present, lists "X|Y" pairs: line X must come before line Y
# in the log (both: each spinner starts before the other ends, which only
# preemption can bring about, since neither ever blocks or yields).
set -eu
dir=$(dirname "$0")
name=$1
log=$2

normalise() {
	tr -d '\r' | sed -n '/^> /,$p' |
		sed -e 's/eip 0x[0-9a-f?]*/eip 0x?/g' -e 's/\(os-1k\/[a-z]*\.c\):[0-9?]*:/\1:?:/g' |
		if [ -e "$dir/$name.unordered" ]; then LC_ALL=C sort; else cat; fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
normalise < "$dir/$name.out" > "$tmp/expected"
normalise < "$log" > "$tmp/actual"
if ! cmp -s "$tmp/expected" "$tmp/actual"; then
	diff -u "$tmp/expected" "$tmp/actual" | sed 's/^/# /' | cat -v
	exit 1
fi
if [ -e "$dir/$name.before" ]; then
	while IFS='|' read -r first second; do
		a=$(tr -d '\r' < "$log" | grep -nxF -- "$first" | head -n 1 | cut -d: -f1)
		b=$(tr -d '\r' < "$log" | grep -nxF -- "$second" | head -n 1 | cut -d: -f1)
		if [ -z "$a" ] || [ -z "$b" ] || [ "$a" -ge "$b" ]; then
			echo "# expected \"$first\" before \"$second\""
			exit 1
		fi
	done < "$dir/$name.before"
fi
exit 0
