#!/bin/sh
# os-1k/tests/run-programs.sh: boots os-1k once per tests/NAME.in or NAME.chat on one machine (qemu or gdbvmm), feeding it as console input; checks output and exit status; prints TAP.
#
#   run-programs.sh qemu      QEMU TCG; status s comes back as (s << 1) | 1 (isa-debug-exit)
#   run-programs.sh gdbvmm    ./gdbvmm; status s comes back as s (hypercall exit)
#
# NAME.in is sent whole, at once. NAME.chat is sent step by step, as
# chat(8) talks to a modem: see chat() below. Expected output: NAME.out
# (compared by compare.sh). Expected guest status: NAME.status, default 0.
# OS1K_TIMEOUT: seconds per boot (60).
set -u
cd "$(dirname "$0")/../.." || exit 1
machine=${1:-qemu}
tdir=os-1k/tests
kernel=os-1k/kernel.elf
timeout_s=${OS1K_TIMEOUT:-60}

boot() {   # boot LOG < INPUT: runs the kernel, returns the machine's exit status
	case $machine in
	qemu)
		timeout "$timeout_s" qemu-system-i386 -accel tcg -kernel "$kernel" -display none \
			-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 -no-reboot -m 128 \
			> "$1" 2>&1 ;;
	gdbvmm)
		timeout "$timeout_s" ./gdbvmm "$kernel" > "$1" 2>&1 ;;
	esac
}

# chat SCRIPT LOG: writes the console input of a .chat test to stdout.
# Each line of SCRIPT is "EXPECT|SEND": wait until EXPECT (a fixed string;
# empty: nothing) shows in the console output (LOG) that came after what
# the previous step read, then send SEND through printf, so "\003" is
# Ctrl-C. Lines starting with # are comments. Waiting is what makes the
# test repeatable: the kernel acts on Ctrl-C when it arrives, not when a
# program reads it, and echoes typed text only when it is read. All the
# steps together wait at most $timeout_s seconds.
chat() {
	seen=0 tenths=0
	while IFS='|' read -r expect send; do
		case $expect in '#'*) continue ;; esac
		while tail -c +$((seen + 1)) "$2" > "$2.new" && ! grep -qF -- "$expect" "$2.new"; do
			tenths=$((tenths + 1))
			[ "$tenths" -le $((timeout_s * 10)) ] || return
			sleep 0.1
		done
		seen=$((seen + $(wc -c < "$2.new")))
		# shellcheck disable=SC2059 # SEND is the format, for its escapes
		printf -- "$send"
	done < "$1"
}

want_status() {   # want_status GUEST_STATUS
	case $machine in
	qemu) echo $(( ($1 << 1) | 1 )) ;;
	gdbvmm) echo "$1" ;;
	esac
}

if [ ! -f "$kernel" ]; then
	echo "1..0 # SKIP $kernel not built (make os-1k/kernel.elf)"
	exit 0
fi
case $machine in
qemu)
	if ! command -v qemu-system-i386 >/dev/null 2>&1; then
		echo "1..0 # SKIP qemu-system-i386 not installed"
		exit 0
	fi ;;
gdbvmm)
	if [ ! -x ./gdbvmm ]; then
		echo "1..0 # SKIP ./gdbvmm not built"
		exit 0
	fi ;;
*)
	echo "usage: $0 qemu|gdbvmm" >&2
	exit 2 ;;
esac

log=$(mktemp)
trap 'rm -f "$log" "$log.new"' EXIT

# gdbvmm exits with 125 when the host KVM cannot run 32-bit paging
# (kvm-pvm): then every test would fail for the host's sake.
if [ "$machine" = gdbvmm ]; then
	boot "$log" < "$tdir/mult.in"
	if [ $? -eq 125 ]; then
		echo "1..0 # SKIP this host's KVM cannot run os-1k: $(head -n 1 "$log")"
		exit 0
	fi
fi

tests=$(cd "$tdir" && ls *.in *.chat | sed 's/\.[a-z]*$//')
echo "1..$(( $(echo "$tests" | wc -w) * 2 ))"
n=0
for name in $tests; do
	if [ -f "$tdir/$name.chat" ]; then
		: > "$log"             # chat must not read the previous test's log
		chat "$tdir/$name.chat" "$log" | boot "$log"
	else
		boot "$log" < "$tdir/$name.in"
	fi
	status=$?

	n=$((n + 1))
	if "$tdir/compare.sh" "$name" "$log"; then
		echo "ok $n - $machine $name: console output"
	else
		echo "not ok $n - $machine $name: console output"
	fi

	guest=0
	[ -f "$tdir/$name.status" ] && guest=$(cat "$tdir/$name.status")
	want=$(want_status "$guest")
	n=$((n + 1))
	if [ "$status" -eq "$want" ]; then
		echo "ok $n - $machine $name: exit status $status (guest status $guest)"
	else
		echo "not ok $n - $machine $name: exit status $status, expected $want (guest status $guest)"
	fi
done
