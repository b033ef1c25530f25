#!/bin/bash
# tests/guests/keys.t: the console keys on a real terminal (Ctrl-A x, Ctrl-A h, Ctrl-A Ctrl-A, Ctrl-C to the guest), and piped input left byte for byte.
#
# script(1) gives gdbvmm a pseudo-terminal and copies what this test
# writes to its stdin (a fifo) to the terminal, as keys typed. The guest
# is hctest.bin, which echoes what it reads, a control byte as \xHH
# (guests/README.md), so each key's effect shows on its stdout.
#
# (a) on a terminal: Ctrl-C reaches the guest and does not end gdbvmm;
#     Ctrl-A Ctrl-A gives the guest one 0x01; Ctrl-A and an unknown key
#     give it nothing; Ctrl-A h lists the keys on stderr; Ctrl-A x ends
#     gdbvmm with status 0 and one line, and the terminal is as before.
# (b) Ctrl-A x also ends a machine that waits for gdb (-S).
# (c) piped stdin: no keys, 0x01 and 0x03 reach the guest as they are;
#     SIGINT still ends gdbvmm (130).
. "$(dirname "$0")/lib.sh"

# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s; false if it
# never succeeded.
wait_until() {
	local n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# on_pty ARGS...: starts gdbvmm ARGS on a terminal, in the background, and
# returns once the terminal is in raw mode (false if it never is). Keys
# go in with `keys`. Files: $T/before and $T/after (stty -g around the
# run), $T/out, $T/err, $T/status.
on_pty() {
	rm -f "$T/before" "$T/after" "$T/during" "$T/raw" "$T/out" "$T/err" "$T/status" "$T/kbd"
	mkfifo "$T/kbd"
	cat >"$T/inner.sh" <<-EOF
		stty -g >"$T/before"
		(
			for i in \$(seq 100); do
				stty -g </dev/tty >"$T/during"
				cmp -s "$T/before" "$T/during" || { : >"$T/raw"; break; }
				sleep 0.1
			done
		) &
		"$GDBVMM" $* >"$T/out" 2>"$T/err"
		echo \$? >"$T/status"
		wait
		stty -g >"$T/after"
	EOF
	timeout -s KILL "$GUEST_TIMEOUT" script -qec "sh $T/inner.sh" /dev/null \
		<"$T/kbd" >"$T/pty-log" 2>&1 &
	pty_pid=$!
	exec 7>"$T/kbd"
	wait_until 15 test -e "$T/raw"
}

# keys PRINTF-FORMAT: types the bytes.
keys() {
	# shellcheck disable=SC2059 # the format is the keys
	printf "$1" >&7
}

# off_pty: waits for the run to end (at most 15 s) and for script(1).
off_pty() {
	wait_until 15 test -s "$T/status"
	exec 7>&-
	wait "$pty_pid" 2>/dev/null
}

# echoed: hctest's echo of its input so far: what follows its "stdin:" line.
echoed() { sed -n '/^stdin:$/,$p' "$T/out" | sed 1d; }
echo_is() { [ "$(echoed)" = "$1" ]; }

# terminal_restored WHAT: the point that the settings after equal those before.
terminal_restored() {
	if [ -s "$T/before" ] && cmp -s "$T/before" "$T/after"; then
		pass "$1: terminal settings after equal those before"
	else
		fail "$1: terminal settings after equal those before" \
			"before: $(cat "$T/before" 2>/dev/null)" " after: $(cat "$T/after" 2>/dev/null)"
	fi
}

if ! command -v script >/dev/null; then
	for i in $(seq 17); do skip "script(1) missing (util-linux)"; done
	done_testing
	exit
fi

# --- (a) the keys, one after the other, on hctest ------------------------------

if on_pty guests/hctest.bin; then
	pass "hctest: the terminal is in raw mode"
else
	fail "hctest: the terminal is in raw mode" "$(cat -v "$T/pty-log")"
fi

keys 'ab\003'
wait_until 10 echo_is 'ab\x03'
is "$(echoed)" 'ab\x03' "Ctrl-C reaches the guest as byte 0x03" || diag_file stdout "$T/out"
sleep 0.3
ok "Ctrl-C does not end gdbvmm" test ! -e "$T/status"

keys '\001\001'
wait_until 10 echo_is 'ab\x03\x01'
is "$(echoed)" 'ab\x03\x01' "Ctrl-A Ctrl-A gives the guest one 0x01"

keys '\001zc'
wait_until 10 echo_is 'ab\x03\x01c'
is "$(echoed)" 'ab\x03\x01c' "Ctrl-A z (no such key) gives the guest nothing; the next byte passes"

keys '\001h'
wait_until 10 grep -q 'show these keys' "$T/err"
ok "Ctrl-A h lists the keys on stderr" grep -q '^  h .*show these keys' "$T/err" ||
	diag_file stderr "$T/err"
lists_x_and_a() {
	grep -Eq '^  x .*quit.*status 0' "$T/err" && grep -q '^  Ctrl-A .*send one Ctrl-A' "$T/err"
}
ok "Ctrl-A h: the list names Ctrl-A x (status 0) and Ctrl-A Ctrl-A" lists_x_and_a
is "$(echoed)" 'ab\x03\x01c' "Ctrl-A h: the guest gets nothing of it"

keys '\001x'
off_pty
is "$(cat "$T/status" 2>/dev/null)" 0 "Ctrl-A x ends gdbvmm with status 0" ||
	diag_file "script(1) output" "$T/pty-log"
is "$(tail -n 1 "$T/err")" "gdbvmm: terminated (Ctrl-A x)" "Ctrl-A x: one line says so"
terminal_restored "Ctrl-A x"

# --- (b) Ctrl-A x while the machine waits for gdb -------------------------------

if on_pty --gdb "unix:$T/gdb.sock" -S guests/hello.bin; then
	wait_until 10 test -S "$T/gdb.sock"
	keys '\001x'
	off_pty
	is "$(cat "$T/status" 2>/dev/null)" 0 "-S, no gdb yet: Ctrl-A x ends gdbvmm with status 0" ||
		diag_file stderr "$T/err"
	is "$(cat "$T/out")" "" "-S, no gdb yet: the guest never ran"
	terminal_restored "-S and Ctrl-A x"
else
	fail "-S: the terminal is in raw mode" "$(cat -v "$T/pty-log")"
	off_pty
	skip "no raw mode"
	skip "no raw mode"
fi

# --- (c) piped stdin: byte for byte ----------------------------------------------

printf 'a\001xb\001\001\001h\003\n' >"$T/in"
vm "$T/out" "$T/err" "$T/in" guests/hctest.bin
is "$(echoed | head -n 1)" 'a\x01xb\x01\x01\x01h\x03' "piped: 0x01 and 0x03 reach the guest as they are"
ok "piped: gdbvmm ran to the guest's end (hctest's last line)" grep -q '^hctest: ' "$T/out"

mkfifo "$T/idle"
sleep 30 >"$T/idle" &
hold=$!
timeout -s KILL "$GUEST_TIMEOUT" "$GDBVMM" guests/uart.bin <"$T/idle" >"$T/out" 2>"$T/err" &
vm_pid=$!
wait_until 10 grep -q 'Hello from the 16550' "$T/out"
kill -INT "$vm_pid"
wait "$vm_pid"
is "$?" 130 "piped: SIGINT (Ctrl-C from a shell) still ends gdbvmm with 130"
kill "$hold" 2>/dev/null
wait "$hold" 2>/dev/null

done_testing
