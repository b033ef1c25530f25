#!/usr/bin/env bash
# tests/hostile/clients.t: hostile gdb clients against a running machine; after each attack the next well-behaved client is served and the machine is intact.
#
# The machine runs tests/hostile/guests/spin.bin, a loop that counts until
# a debugger sets its `release` byte. build/tests/hostile/rawclient does
# the attacks (see its header) and prints PASS/FAIL lines, which become
# test points here. After every attack `rawclient check` is the next
# client: it must be served, find no breakpoint left, read the guest's
# image as the file's bytes but for the counter (every planted byte
# restored), read the registers, see the counter grow across a continue,
# and find the guest stopped inside its loop with CS unchanged. The kill
# attack plants its Z0s as bytes in the guest's code on every host (the
# debug registers taken first). At the end a client releases the guest,
# which must exit with the status it was given.
#
#   RAWCLIENT  the client (default build/tests/hostile/rawclient)
. "$(dirname "$0")/../gdb/lib.sh"

RAWCLIENT=${RAWCLIENT:-build/tests/hostile/rawclient}
SPIN=tests/hostile/guests/spin.bin
if [ ! -x "$RAWCLIENT" ] || [ ! -f "$SPIN" ]; then
	echo "1..0 # SKIP $RAWCLIENT or $SPIN missing (make hostile-deps)"
	exit 0
fi
VM_TIMEOUT=600

# client SCENARIO [ARG]: one rawclient run; its PASS/FAIL lines are test points
client() {
	local line
	out=$("$RAWCLIENT" 127.0.0.1 "$PORT" "$@" 2>&1)
	while IFS= read -r line; do
		case $line in
		PASS\ *) pass "$1: ${line#PASS }" ;;
		FAIL\ *) fail "$1: ${line#FAIL }" ;;
		'') ;;
		*) diag "$1: $line" ;;
		esac
	done <<<"$out"
}

alive() {
	if kill -0 "$VM_PID" 2>/dev/null; then
		pass "$1: gdbvmm is still running"
	else
		fail "$1: gdbvmm is still running" "it ended"
		diag_text "gdbvmm's stderr" "$(cat "$T/vm.err")"
	fi
}

# served: did the last `client check` get an answer at all? A stub that
# stopped answering fails the rest at once instead of timing out in each.
served() { ! grep -q '^FAIL a well-behaved client is served' <<<"$out"; }

vmm_start "$SPIN" || { done_testing; exit 1; }
client check "$SPIN"

attacks=(badsum oversize cut badhex edges "random 10000" kill vanish "handover 500" "cycles 1000" two noread)
for i in "${!attacks[@]}"; do
	attack=${attacks[$i]}
	# shellcheck disable=SC2086
	client $attack
	alive "after $attack"
	client check "$SPIN"
	if ! served; then
		fail "the stub still answers after $attack" "the attacks after it are not run"
		diag_text "gdbvmm's stderr" "$(cat "$T/vm.err")"
		for rest in "${attacks[@]:$((i + 1))}"; do
			fail "$rest: not run (the stub stopped answering)"
		done
		break
	fi
done

client release 7
vmm_wait 20
is "$VM_STATUS" 7 "the guest, released, exits with the status it was given"
is "$(cat "$T/vm.out")" "spin: released" "and prints that it was released"
unlike "$(cat "$T/vm.err")" 'Sanitizer|runtime error|ERROR|leak' "no sanitizer report on the monitor's stderr"
is "$(grep -vc 'gdb server on' "$T/vm.err")" 0 "nothing else on stderr but the listening line"

done_testing
