#!/bin/bash
# tests/guests/lane.t: without a usable /dev/kvm, gdbvmm runs the machine in the nested KVM VM (vmm/lane.c): what a user sees.
#
# The script hides /dev/kvm (/dev/null bound over it) in a private mount
# and network namespace, then checks: the one notice line; output, exit
# status and piped stdin up to its end, as on a real KVM; bad images and
# --no-lane / GDBVMM_LANE=off / a missing qemu answered at once with one
# line and status 2; a real gdb on the host attaching with -s -S, a
# breakpoint hit, registers, the guest's exit; Ctrl-C, detach, re-attach
# and kill; a terminal in raw mode and restored; --lane /
# GDBVMM_LANE=force where /dev/kvm works. Each run
# boots the VM (seconds): about a minute in all.
#
#   LANE_CACHE  the lane's kernel and initramfs (default tests/vmlane/cache,
#               shared with tests/vmlane/run: the same vmm/lane/setup and init)
cd "$(dirname "$0")/../.." || exit 1

# The namespace: the script runs itself again inside one.
if [ -z "${LANE_T_INSIDE:-}" ]; then
	. tests/lib/tap.sh
	if [ -n "${VMLANE:-}" ]; then
		skip "inside the lane already (VMLANE=1): no nested lane in the lane"
		done_testing
		exit
	fi
	if ! unshare -m -n true 2>/dev/null; then
		skip "unshare -m -n not permitted: /dev/kvm cannot be hidden here"
		done_testing
		exit
	fi
	# a /dev/kvm that is KVM's (tests/lib/host-kvm), not one already
	# hidden behind /dev/null: only then is there one to compare with
	host_kvm=
	tests/lib/host-kvm && host_kvm=1
	# The lane's kernel and initramfs, out here: their download (the
	# first time, on a fresh clone) needs the network, which the
	# namespace has not. A failure is reported inside, where setup runs
	# again and finds whatever is cached.
	if command -v qemu-system-x86_64 >/dev/null; then
		VMLANE_CACHE=${LANE_CACHE:-$PWD/tests/vmlane/cache} vmm/lane/setup -q >/dev/null 2>&1
	fi
	export LANE_T_INSIDE=1 LANE_T_HOST_KVM=$host_kvm
	exec unshare -m -n bash "$0" "$@"
fi

GDBVMM=${GDBVMM:-./gdbvmm}
GUEST_TIMEOUT=${GUEST_TIMEOUT:-180}
. tests/guests/lib.sh
GDB=${GDB:-gdb}
export GDBVMM_LANE_CACHE=${LANE_CACHE:-$PWD/tests/vmlane/cache}
unset GDBVMM_LANE

if [ -n "$LANE_T_HOST_KVM" ]; then
	mount --bind /dev/null /dev/kvm || { echo "Bail out! cannot hide /dev/kvm"; exit 1; }
fi
ip link set lo up 2>/dev/null || ifconfig lo up 2>/dev/null

NOTICE='gdbvmm: no usable /dev/kvm: [^:]+: running the machine in a nested KVM VM \(QEMU TCG with SVM\): a few seconds to start, guest code fast, VM exits slower; --no-lane or GDBVMM_LANE=off turns this off'

if ! command -v qemu-system-x86_64 >/dev/null; then
	skip "no qemu-system-x86_64 (tests/deps.sh installs it): the lane cannot run"
	done_testing
	exit
fi
# The kernel and initramfs, once (a download the first time).
if ! VMLANE_CACHE=$GDBVMM_LANE_CACHE vmm/lane/setup -q >"$T/setup" 2>&1; then
	fail "vmm/lane/setup prepares the lane's kernel" "$(cat "$T/setup")"
	done_testing
	exit
fi

# --- a guest, its output and status --------------------------------------------

t0=$(date +%s%N)
vm "$T/out" "$T/err" /dev/null guests/hello.bin
t1=$(date +%s%N)
diag "hello.bin through the lane: $(((t1 - t0) / 1000000)) ms"
is "$status" "$(cat tests/guests/hello.status)" "hello: the guest's exit status"
same_file "$T/out" tests/guests/hello.out "hello: its output on stdout"
is "$(lines "$T/err")" 1 "hello: one line on stderr" || diag_file stderr "$T/err"
like "$(cat "$T/err")" "$NOTICE" "hello: the line says why, what, how slow and how to turn it off"

vm "$T/out" "$T/err" /dev/null guests/dbg.elf
is "$status" 33 "dbg.elf: its nonzero exit status 33 comes back"
grep -v '^cmdline:' "$T/out" >"$T/out2"
same_file "$T/out2" tests/guests/dbg.out "dbg.elf: its output"

# --- stdin: piped, and its end reaches the guest as end of input -------------

vm "$T/out" "$T/err" tests/guests/hctest.in guests/hctest.bin
is "$status" "$(cat tests/guests/hctest.status)" "hctest: exit status (getchar saw every byte, then -1)"
same_file "$T/out" tests/guests/hctest.out "hctest: output, stdin echoed byte for byte"

vm "$T/out" "$T/err" tests/guests/uart.in guests/uart.bin
is "$status" "$(cat tests/guests/uart.status)" "uart: exit status"
same_file "$T/out" tests/guests/uart.out "uart: stdin through the UART, then its end"

# uart.bin waits for input forever when stdin stays open: a FIFO held open
mkfifo "$T/fifo"
exec 3<>"$T/fifo"
vm "$T/out" "$T/err" "$T/fifo" --timeout 2 guests/uart.bin
is "$status" 124 "--timeout 2 on a guest that waits for input: status 124"
exec 3>&-

# --- a terminal on stdin: raw mode while the lane runs, restored after Ctrl-C --
# (script(1) gives gdbvmm a pty; its own stdin is a FIFO held open, so
# that no end-of-file character reaches the guest)
if command -v script >/dev/null; then
	cat >"$T/tty.sh" <<-EOF
		stty -g >"$T/before"
		(
			for i in \$(seq 300); do
				stty -g </dev/tty >"$T/during"
				cmp -s "$T/before" "$T/during" || break
				sleep 0.1
			done
			grep -q 'LSR: no line errors' "$T/out" 2>/dev/null || sleep 15
			kill -INT "\$(cat "$T/pid")"
		) &
		sh -c 'echo \$\$ >"$T/pid"; exec "\$0" guests/uart.bin' "$GDBVMM" >"$T/out" 2>"$T/err"
		echo \$? >"$T/status"
		wait
		stty -g >"$T/after"
	EOF
	mkfifo "$T/pty-in"
	sleep 120 >"$T/pty-in" &
	hold=$!
	timeout -s KILL "$GUEST_TIMEOUT" script -qec "sh $T/tty.sh" /dev/null <"$T/pty-in" >"$T/pty-log" 2>&1
	kill "$hold" 2>/dev/null
	is "$(cat "$T/status" 2>/dev/null)" 130 "terminal: SIGINT (Ctrl-C) ends gdbvmm with status 130" ||
		{ diag_file "script(1) output" "$T/pty-log"; diag_file stderr "$T/err"; diag_file stdout "$T/out"; }
	if [ -s "$T/during" ] && ! cmp -s "$T/before" "$T/during"; then
		pass "terminal: raw mode while the guest runs in the lane"
	else
		fail "terminal: raw mode while the guest runs in the lane"
	fi
	if [ -s "$T/before" ] && cmp -s "$T/before" "$T/after"; then
		pass "terminal: the settings are restored after SIGINT"
	else
		fail "terminal: the settings are restored after SIGINT" \
			"before: $(cat "$T/before" 2>/dev/null)" " after: $(cat "$T/after" 2>/dev/null)"
	fi
else
	for i in 1 2 3; do skip "script(1) missing (util-linux): no pty to test with"; done
fi

# --- at once, without booting: bad images, refusals, no qemu ------------------

t0=$(date +%s%N)
vm "$T/out" "$T/err" /dev/null guests/no-such.bin
t1=$(date +%s%N)
is "$status" 2 "a missing image: status 2"
like "$(cat "$T/err")" 'gdbvmm: guests/no-such\.bin: cannot open: No such file or directory' \
	"a missing image: the usual one line, no notice"
ok "a missing image: answered before any VM boots ($(((t1 - t0) / 1000000)) ms)" \
	test $(((t1 - t0) / 1000000)) -lt 2000
vm "$T/out" "$T/err" /dev/null guests/hello.bin guests/dbg.elf
is "$status" 2 "a flat image with a kernel: status 2"
is "$(lines "$T/err")" 1 "a flat image with a kernel: one line" || diag_file stderr "$T/err"

for how in "--no-lane" "GDBVMM_LANE=off"; do
	if [ "$how" = --no-lane ]; then
		vm "$T/out" "$T/err" /dev/null --no-lane guests/hello.bin
	else
		GDBVMM_LANE=off vm "$T/out" "$T/err" /dev/null guests/hello.bin
	fi
	is "$status" 2 "$how: status 2"
	like "$(cat "$T/err")" 'gdbvmm: /dev/kvm: .*' "$how: the one /dev/kvm line of before"
	is "$(wc -c <"$T/out")" 0 "$how: nothing on stdout"
done
GDBVMM_LANE=maybe vm "$T/out" "$T/err" /dev/null guests/hello.bin
is "$status" 2 "GDBVMM_LANE=maybe: status 2 (bad usage)"

mkdir "$T/bin"
ln -s "$(command -v timeout)" "$T/bin/timeout"
PATH=$T/bin vm "$T/out" "$T/err" /dev/null guests/hello.bin
is "$status" 2 "no qemu in PATH: status 2"
like "$(cat "$T/err")" 'gdbvmm: no usable /dev/kvm: .*; running the machine without it needs QEMU: apt-get install qemu-system-x86' \
	"no qemu in PATH: one line with the apt-get command"

# --- gdb on the host ------------------------------------------------------------

# gdb_session OUT COMMANDS...: gdb -batch on dbg.elf's symbols
gdb_session() {
	local out=$1 a=() c
	shift
	for c in "$@"; do a+=(-ex "$c"); done
	timeout -s KILL 120 "$GDB" -batch -nx -ex 'set confirm off' -ex 'set tcp connect-timeout 120' \
		"${a[@]}" </dev/null >"$out" 2>&1
}

timeout -s KILL 180 "$GDBVMM" -s -S guests/dbg.elf </dev/null >"$T/vm.out" 2>"$T/vm.err" &
vmpid=$!
t0=$(date +%s%N)
# started at once, as a user would: gdb retries until the stub listens
gdb_session "$T/g1" 'file guests/dbg.elf' 'target remote :1234' 'hbreak kmain' 'break step' \
	'continue' 'info registers' 'continue' 'echo I:\n' 'p i' 'delete' 'continue'
t1=$(date +%s%N)
wait "$vmpid"
vst=$?
diag "gdbvmm -s -S start to gdb's end of session: $(((t1 - t0) / 1000000)) ms"
g=$(cat "$T/g1")
like "$(sed -n 2p "$T/vm.err")" 'gdbvmm: gdb server on 127\.0\.0\.1:1234, waiting for gdb before the first instruction' \
	"-s -S: the host's address, on loopback"
is "$(lines "$T/vm.err")" 2 "-s -S: the notice and that line, nothing else on stderr" ||
	diag_file stderr "$T/vm.err"
like "$g" '.*Breakpoint 1, kmain \(magic=732803074, mbi=0x[0-9a-f]+\) at guests/dbg\.c:[0-9]+.*' \
	"gdb: hbreak kmain is hit, with its arguments"
like "$g" '.*eip +0x[0-9a-f]+ +0x[0-9a-f]+ <kmain>.*' "gdb: info registers shows eip at kmain"
like "$g" '.*cs +0x8 +8.*' "gdb: info registers shows cs"
like "$g" '.*Breakpoint 2, step \(i=0\) at guests/dbg\.c:[0-9]+.*' "gdb: break step is hit"
# gdb prints the exit code in octal: 041 is 33
like "$g" '.*\[Inferior 1 \(Remote target\) exited with code 041\].*' "gdb: the guest runs to its exit (33)"
unlike_re='Remote communication error|Remote connection closed|replied unexpectedly|Ignoring packet error'
if grep -Eq "$unlike_re" "$T/g1"; then fail "gdb: the connection stayed healthy" "$g"; else pass "gdb: the connection stayed healthy"; fi
is "$vst" 33 "gdbvmm's status after the session is the guest's"

# Ctrl-C, detach, a second gdb, kill: uart.bin waits for input on a FIFO.
mkfifo "$T/in"
exec 3<>"$T/in"
timeout -s KILL 180 "$GDBVMM" -s -S guests/uart.bin <"$T/in" >"$T/vm.out" 2>"$T/vm.err" &
vmpid=$!
set -m
timeout -s KILL 120 "$GDB" -batch -nx -ex 'set tcp connect-timeout 120' -ex 'target remote :1234' \
	-ex 'continue' -ex 'echo PC:\n' -ex 'p/x $pc' -ex 'detach' </dev/null >"$T/g2" 2>&1 &
gpid=$!
set +m
# the guest's first lines: it runs, gdb attached and continued it
for i in $(seq 1200); do
	grep -q 'LSR: no line errors' "$T/vm.out" 2>/dev/null && break
	sleep 0.1
done
sleep 0.5
# one debugger at a time, as on a real KVM: a second client gets one line
exec 4<>/dev/tcp/127.0.0.1/1234
is "$(timeout 10 head -n 1 <&4)" "gdbvmm: a debugger is already attached to this machine" \
	"a second client while gdb is attached is refused in one line"
exec 4<&-
kill -INT "$(pgrep -P "$gpid" | head -n 1)"
wait "$gpid"
g=$(cat "$T/g2")
like "$g" '.*Program received signal SIGINT, Interrupt\..*' "Ctrl-C in gdb interrupts the running guest"
like "$g" '.*\[Inferior 1 \(Remote target\) detached\].*' "detach"
gdb_session "$T/g3" 'target remote :1234' 'echo PC:\n' 'p/x $pc' 'kill'
g=$(cat "$T/g3")
like "$g" '.*\$1 = 0x1[0-9a-f]{4}.*' "a second gdb attaches after the detach and reads the PC"
like "$g" '.*\[Inferior 1 \(Remote target\) killed\].*' "kill"
wait "$vmpid"
is "$?" 0 "kill ends gdbvmm with status 0"
exec 3>&-

# --gdb unix:PATH: the socket appears once the stub inside listens (gdb
# does not retry a unix socket), and goes at the end.
sock=$T/gdb.sock
timeout -s KILL 180 "$GDBVMM" --gdb "unix:$sock" -S guests/dbg.elf </dev/null >"$T/vm.out" 2>"$T/vm.err" &
vmpid=$!
gdb_session "$T/g4" "shell while [ ! -S '$sock' ]; do sleep 0.1; done" 'file guests/dbg.elf' \
	"target remote $sock" 'break step' 'continue' 'kill'
wait "$vmpid"
vst=$?
like "$(cat "$T/g4")" '.*Breakpoint 1, step \(i=0\) at guests/dbg\.c:[0-9]+.*' "--gdb unix:PATH: a session"
like "$(sed -n 2p "$T/vm.err")" "gdbvmm: gdb server on unix:$sock, waiting for gdb before the first instruction" \
	"--gdb unix:PATH: says where it listens"
is "$vst" 0 "--gdb unix:PATH: kill ends gdbvmm with status 0"
ok "--gdb unix:PATH: the socket file is removed at the end" test ! -e "$sock"

# SIGTERM ends everything: status 143, no qemu and no temporary files left.
mkdir "$T/tmpd"
exec 3<>"$T/in"
TMPDIR=$T/tmpd "$GDBVMM" guests/uart.bin <"$T/in" >"$T/vm.out" 2>"$T/vm.err" &
vmpid=$!
for i in $(seq 1200); do
	grep -q 'LSR: no line errors' "$T/vm.out" 2>/dev/null && break
	sleep 0.1
done
kill -TERM "$vmpid"
wait "$vmpid"
is "$?" 143 "SIGTERM: status 143 (128 + 15)"
is "$(ls -A "$T/tmpd")" "" "SIGTERM: the temporary directory is gone"
is "$(pgrep -f "$T/tmpd" || :)" "" "SIGTERM: no qemu left"
exec 3>&-

# --- --lane / GDBVMM_LANE=force where /dev/kvm works ----------------------------

if [ -n "$LANE_T_HOST_KVM" ] && umount /dev/kvm; then
	vm "$T/out" "$T/err" /dev/null guests/hello.bin
	is "$(wc -c <"$T/err")" 0 "with /dev/kvm: no notice, nothing on stderr"
	GDBVMM_LANE=force vm "$T/out" "$T/err" /dev/null guests/hello.bin
	is "$status" 0 "GDBVMM_LANE=force: hello's status"
	same_file "$T/out" tests/guests/hello.out "GDBVMM_LANE=force: hello's output"
	like "$(cat "$T/err")" 'gdbvmm: --lane or GDBVMM_LANE=force: running the machine in a nested KVM VM .*' \
		"GDBVMM_LANE=force: the notice says why"
else
	for i in 1 2 3 4; do skip "this host has no usable /dev/kvm to compare with"; done
fi

done_testing
