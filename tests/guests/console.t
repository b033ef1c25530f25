#!/bin/bash
# tests/guests/console.t: the console as a user meets it: the terminal comes back as it was, end of input costs no CPU, -v, --stats, --timeout.
#
# (a) With stdin a terminal (script(1) gives gdbvmm a pty), the terminal
#     settings after the run equal those before, after a normal exit and
#     after SIGTERM (status 143) and SIGINT (130) ended a guest that was
#     waiting for input; while it waits, the terminal is in raw mode.
# (b) A guest blocked in getchar on an idle pipe uses almost no CPU; at
#     end of input getchar returns -1 (hctest's own checks).
# (c) -v reports an unclaimed port once, however often it is used.
# (d) --stats prints the exits by reason, with an io row.
# (e) --timeout ends a guest that never ends: status 124, one line.
. "$(dirname "$0")/lib.sh"

# --- (a) the terminal is restored ---------------------------------------------

# in_pty SCRIPT: runs the sh SCRIPT under script(1), whose stdin is a pipe
# that stays open (at end of its input script(1) would send the guest an
# end-of-file character, and uart.bin ends on 0x04).
in_pty() {
	rm -f "$T/pty-in"
	mkfifo "$T/pty-in"
	sleep 60 >"$T/pty-in" &
	local hold=$!
	timeout -s KILL "$GUEST_TIMEOUT" script -qec "sh $1" /dev/null <"$T/pty-in" >"$T/pty-log" 2>&1
	kill "$hold" 2>/dev/null
	wait "$hold" 2>/dev/null
}

if ! command -v script >/dev/null; then
	for i in $(seq 9); do skip "script(1) missing (util-linux)"; done
else
	# A guest that ends by itself.
	cat >"$T/hello.sh" <<-EOF
		stty -g >"$T/before"
		"$GDBVMM" guests/hello.bin >"$T/out" 2>"$T/err"
		echo \$? >"$T/status"
		stty -g >"$T/after"
	EOF
	rm -f "$T/before" "$T/after" "$T/status"
	in_pty "$T/hello.sh"
	is "$(cat "$T/status" 2>/dev/null)" 0 "terminal: hello.bin exits 0 with a terminal on stdin"
	is "$(cat "$T/out")" "Hello, KVM!" "terminal: hello.bin prints Hello, KVM!"
	if [ -s "$T/before" ] && cmp -s "$T/before" "$T/after"; then
		pass "terminal: settings after hello.bin equal those before"
	else
		fail "terminal: settings after hello.bin equal those before" \
			"before: $(cat "$T/before" 2>/dev/null)" " after: $(cat "$T/after" 2>/dev/null)"
	fi

	# A guest waiting for input (uart.bin waits for lines until "quit"),
	# ended by a signal after half a second.
	for sig in TERM:143 INT:130; do
		name=${sig%:*}
		cat >"$T/sig.sh" <<-EOF
			stty -g >"$T/before"
			(
				# after half a second, and once raw mode shows (a loaded machine may be slow)
				sleep 0.5
				for i in \$(seq 50); do
					stty -g </dev/tty >"$T/during"
					cmp -s "$T/before" "$T/during" || break
					sleep 0.1
				done
				kill -$name "\$(cat "$T/pid")"
			) &
			sh -c 'echo \$\$ >"$T/pid"; exec "\$0" guests/uart.bin' "$GDBVMM" >"$T/out" 2>"$T/err"
			echo \$? >"$T/status"
			wait
			stty -g >"$T/after"
		EOF
		rm -f "$T/before" "$T/during" "$T/after" "$T/status"
		in_pty "$T/sig.sh"
		is "$(cat "$T/status" 2>/dev/null)" "${sig#*:}" "terminal: SIG$name ends uart.bin with status ${sig#*:}" ||
			diag_file "script(1) output" "$T/pty-log"
		if [ -s "$T/during" ] && ! cmp -s "$T/before" "$T/during"; then
			pass "terminal: raw mode while uart.bin waits for input (before SIG$name)"
		else
			fail "terminal: raw mode while uart.bin waits for input (before SIG$name)" \
				"before: $(cat "$T/before" 2>/dev/null)" "during: $(cat "$T/during" 2>/dev/null)"
		fi
		if [ -s "$T/before" ] && cmp -s "$T/before" "$T/after"; then
			pass "terminal: settings after SIG$name equal those before"
		else
			fail "terminal: settings after SIG$name equal those before" \
				"before: $(cat "$T/before" 2>/dev/null)" " after: $(cat "$T/after" 2>/dev/null)"
		fi
	done
fi

# --- (b) end of input -----------------------------------------------------------

# hctest blocks in getchar on a pipe that stays idle for 2 s, then ends.
# What it costs is compared with the same run whose input ends at once:
# the difference is the CPU spent blocked (start-up alone costs more
# than 0.3 s under QEMU TCG, in the VM lane).
# timed_hctest INPUT_CMD: sets user, sys and wall of one run.
timed_hctest() {
	$1 | /usr/bin/time -o "$T/time" -f '%U %S %e' \
		timeout -s KILL "$GUEST_TIMEOUT" "$GDBVMM" guests/hctest.bin >/dev/null 2>&1
	# the last line: time(1) puts "Command exited with non-zero status" before it
	read -r user sys wall < <(tail -n 1 "$T/time")
	num='^[0-9]+(\.[0-9]+)?$'
	if ! [[ $user =~ $num && $sys =~ $num && $wall =~ $num ]]; then
		diag_file "time(1) said" "$T/time"
		user=99 sys=99 wall=0
	fi
}
if [ -x /usr/bin/time ]; then
	timed_hctest true
	base=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
	timed_hctest 'sleep 2'
	ok "idle stdin: hctest waited for the end of input (${wall}s wall)" \
		awk -v w="$wall" 'BEGIN { exit !(w >= 1.9) }'
	ok "idle stdin: little CPU while blocked (user ${user}s + sys ${sys}s - ${base}s with no wait < 0.3s over ${wall}s)" \
		awk -v u="$user" -v s="$sys" -v b="$base" 'BEGIN { exit !(u + s - b < 0.3) }'
else
	skip "/usr/bin/time missing (apt-get install time)"
	skip "/usr/bin/time missing (apt-get install time)"
fi

# At once at end of input: every getchar returns -1, so hctest reads 0
# of its 68 bytes (one failure, status 1) and otherwise prints what it
# prints with tests/guests/hctest.in, minus the echoed input.
awk '/^stdin:$/ { print; skip = 1; next }
     skip && /^ok   getchar returns -1/ { skip = 0 }
     skip { next }
     /^ok   getchar read every byte of stdin$/ {
         print "FAIL getchar read every byte of stdin: got 0x00000000, want 0x00000044"; next }
     /^hctest: 0 failures$/ { print "hctest: 1 failures"; next }
     { print }' tests/guests/hctest.out >"$T/hctest-eof.out"
vm "$T/out" "$T/err" /dev/null guests/hctest.bin
same_file "$T/out" "$T/hctest-eof.out" "stdin at EOF: hctest sees -1 from getchar at once, and again after"
is "$status" 1 "stdin at EOF: hctest's status is its one failure (0 of 68 bytes read)"

# --- (c) -v reports an unclaimed port once ------------------------------------

vm "$T/out" "$T/err" /dev/null -v guests/ports.bin
is "$status" 0 "ports.bin: exit status 0 (hlt)"
is "$(grep -c 'unclaimed port 0x0080' "$T/err")" 1 "-v: port 0x80, written 3 times, reported once" ||
	diag_file stderr "$T/err"
is "$(grep -c 'unclaimed port 0x02f8' "$T/err")" 1 "-v: port 0x2f8, read twice, reported once"
is "$(grep -c 'unclaimed' "$T/err")" 2 "-v: no other unclaimed port or MMIO reported"
vm "$T/out" "$T/err" /dev/null guests/ports.bin
is "$(cat "$T/err")" "" "without -v: nothing on stderr"

# --- (d) --stats ------------------------------------------------------------------

vm "$T/out" "$T/err" /dev/null --stats guests/hello.bin
is "$(cat "$T/out")" "Hello, KVM!" "--stats: the guest's output is unchanged"
is "$status" 0 "--stats: exit status 0"
like "$(sed -n 1p "$T/err")" "gdbvmm: exits by reason.*" "--stats: a table of exits by reason on stderr"
io=$(awk '$1 == "io" && NF == 2 { print $2 }' "$T/err")
# hello.bin makes two hypercalls (puts, exit: guests/hello.S), one port exit each.
if [ -n "$io" ] && [ "$io" -ge 2 ]; then
	pass "--stats: an io row counting at least hello's 2 hypercalls ($io)"
else
	fail "--stats: an io row counting at least hello's 2 hypercalls" "io row: '${io}'"
	diag_file stderr "$T/err"
fi

# --- (e) --timeout ----------------------------------------------------------------

# uart.bin waits for input forever on a pipe that stays open and idle.
mkfifo "$T/idle"
sleep 30 >"$T/idle" &
hold=$!
t0=$(date +%s%N)
vm "$T/out" "$T/err" "$T/idle" --timeout 1 guests/uart.bin
t1=$(date +%s%N)
kill "$hold" 2>/dev/null
wait "$hold" 2>/dev/null
is "$status" 124 "--timeout 1: exit status 124"
is "$(lines "$T/err")" 1 "--timeout 1: one line on stderr" || diag_file stderr "$T/err"
like "$(cat "$T/err")" "gdbvmm: .*timeout.*" "--timeout 1: the line says timeout"
ms=$(((t1 - t0) / 1000000))
ok "--timeout 1: ends after about 1 s (${ms} ms)" test "$ms" -ge 900 -a "$ms" -lt 5000

done_testing
