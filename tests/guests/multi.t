#!/bin/bash
# tests/guests/multi.t: several images at once, one vCPU each: every line arrives whole and in its guest's order; at most 8 images.
#
# The guests' lines interleave in any order, so the test compares the
# bytes and the multiset of lines with the union of the expected outputs
# (a torn or lost line changes the lines) and checks each guest's own
# lines in order as a subsequence of the output.
. "$(dirname "$0")/lib.sh"

RUNS=${MULTI_RUNS:-5}

# subsequence EXPECTED OUTPUT: every line of EXPECTED appears in OUTPUT in
# order (other lines may come between). Prints the first missing line.
subsequence() {
	awk 'BEGIN { n = 0; i = 0 }
	     FILENAME == ARGV[1] { want[n++] = $0; next }
	     i < n && $0 == want[i] { i++ }
	     END { if (i < n) { printf "line %d not found in order: \"%s\"\n", i + 1, want[i]; exit 1 } }' \
		"$1" "$2"
}

# bytes_of FILE: how many times each byte value occurs in FILE.
bytes_of() {
	od -An -v -tu1 "$1" | tr -s ' ' '\n' | grep . | sort -n | uniq -c
}

# run_mix LABEL IMAGE...: one run of the images, asserted line by line.
run_mix() {
	local label=$1 g
	shift
	vm "$T/out" "$T/err" /dev/null "$@"
	is "$status" 0 "$label: exit status 0"
	if [ -s "$T/err" ]; then
		fail "$label: nothing on stderr"
		diag_file stderr "$T/err"
	else
		pass "$label: nothing on stderr"
	fi
	: >"$T/union"
	for g in "$@"; do
		cat "tests/guests/$(basename "$g" .bin).out" >>"$T/union"
	done
	# Whatever happens to lines, no byte may be lost or added.
	bytes_of "$T/union" >"$T/want.bytes"
	bytes_of "$T/out" >"$T/got.bytes"
	same_file "$T/got.bytes" "$T/want.bytes" "$label: the guests' bytes, none lost or added (counts by value)"
	# A torn line shows as a line that is no guest's line: list them.
	grep -vxF -f "$T/union" "$T/out" >"$T/torn"
	[ -s "$T/torn" ] && diag_file "lines that are no guest's line" "$T/torn"
	sort "$T/union" >"$T/want.sorted"
	sort "$T/out" >"$T/got.sorted"
	same_file "$T/got.sorted" "$T/want.sorted" \
		"$label: the output lines are exactly the guests' lines (sorted)"
	local bad=
	for g in "$@"; do
		local why
		why=$(subsequence "tests/guests/$(basename "$g" .bin).out" "$T/out") ||
			bad="$bad${bad:+; }$(basename "$g" .bin): $why"
	done
	if [ -z "$bad" ]; then
		pass "$label: each guest's lines are in its own order"
	else
		fail "$label: each guest's lines are in its own order" "$bad"
	fi
	TODO=
}

four="guests/multiplication.bin guests/counter.bin guests/fibonacci.bin guests/hello.bin"
for i in $(seq "$RUNS"); do
	# shellcheck disable=SC2086
	run_mix "4 guests, run $i" $four
done

# The documented limit: 8 images run (a mix of line-printing guests, a
# silent one and one in protected mode, so every window is used) ...
eight="guests/counter.bin guests/hello.bin guests/multiplication.bin guests/fibonacci.bin
       guests/pm32.bin guests/minimal.bin guests/counter.bin guests/hello.bin"
# shellcheck disable=SC2086
run_mix "8 guests" $eight

# ... and 9 are refused before anything runs.
# shellcheck disable=SC2086
vm "$T/out" "$T/err" /dev/null $eight guests/hello.bin
is "$status" 2 "9 images: exit status 2"
is "$(lines "$T/err")" 1 "9 images: one line on stderr"
like "$(cat "$T/err")" "gdbvmm: 9 images given; at most 8 .*" "9 images: the line says how many fit"
is "$(wc -c <"$T/out")" 0 "9 images: nothing on stdout"

done_testing
