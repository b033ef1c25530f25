#!/bin/bash
# tests/unit/gdb_fake.t: the real gdb (-batch) against the stub serving the fake target; prints TAP.
#
# Runs fakestub (found next to this script, or $FAKESTUB) on a free
# loopback port and drives `gdb -batch -nx` through it: the target
# description is accepted with no size error (i386 and x86-64), registers,
# memory, threads with their extra info, monitor commands, breakpoints,
# stepping, real mode, a 32-bit ELF with no `set architecture`, detach,
# kill and exit. Every process runs under a timeout.

here=$(cd "$(dirname "$0")" && pwd)
FAKESTUB=${FAKESTUB:-$here/fakestub}
[ -x "$FAKESTUB" ] || FAKESTUB=build/tests/unit/fakestub
GDB=${GDB:-gdb}

if ! command -v "$GDB" >/dev/null 2>&1; then
	echo "1..0 # SKIP gdb is not installed"
	exit 0
fi
if [ ! -x "$FAKESTUB" ]; then
	echo "1..0 # SKIP fakestub not built"
	exit 0
fi

tmp=$(mktemp -d /tmp/gdb_fake.XXXXXX)
stub_pid=
cleanup() {
	[ -n "$stub_pid" ] && kill "$stub_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

n=0
failed=0
ok() { # ok STATUS NAME
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
	fi
}

# has PATTERN NAME: the last gdb output contains PATTERN (fixed string)
has() {
	grep -qF -- "$1" "$tmp/gdb.out"
	local st=$?
	ok $st "$2"
	[ $st -eq 0 ] || { echo "# wanted: $1"; sed 's/^/#   /' "$tmp/gdb.out" | head -40; }
}

# hasnt PATTERN NAME
hasnt() {
	! grep -qF -- "$1" "$tmp/gdb.out"
	local st=$?
	ok $st "$2"
	[ $st -eq 0 ] || grep -F -- "$1" "$tmp/gdb.out" | sed 's/^/#   /'
}

# start_stub ARGS...: fakestub in the background, its output in a file of
# its own ($STUB_OUT); sets PORT
nstub=0
start_stub() {
	nstub=$((nstub + 1))
	STUB_OUT=$tmp/stub$nstub.out
	: >"$STUB_OUT"
	"$FAKESTUB" --timeout 60 "$@" >>"$STUB_OUT" 2>&1 &
	stub_pid=$!
	PORT=
	for _ in $(seq 100); do
		PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$STUB_OUT")
		[ -n "$PORT" ] && break
		sleep 0.05
	done
	[ -n "$PORT" ]
}

# stop_stub: wait for fakestub to end (it must, after kill or exit);
# sets STUB_STATUS
stop_stub() {
	local i
	for i in $(seq 100); do
		kill -0 "$stub_pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$stub_pid" 2>/dev/null; then
		kill "$stub_pid"
		STUB_STATUS=timeout
	else
		wait "$stub_pid"
		STUB_STATUS=$?
	fi
	stub_pid=
}

# run_gdb [--file ELF] CMD...: one gdb -batch session
run_gdb() {
	local args=()
	if [ "$1" = --file ]; then
		args+=("$2")
		shift 2
	fi
	local ex=(-ex "set tcp connect-timeout 5" -ex "target remote 127.0.0.1:$PORT")
	local c
	for c in "$@"; do
		ex+=(-ex "$c")
	done
	timeout 30 "$GDB" -batch -nx "${ex[@]}" "${args[@]}" >"$tmp/gdb.out" 2>&1 </dev/null
}

# the checks every session gets
no_trouble() {
	hasnt "too long" "$1: no 'g packet reply is too long'"
	hasnt "rejected target-supplied" "$1: target description accepted"
	hasnt "internal-error" "$1: no gdb internal error"
	hasnt "Remote failure reply" "$1: no error reply"
	hasnt "Protocol error" "$1: no protocol error"
}

# --- i386, two vCPUs -------------------------------------------------------
start_stub --arch i386 --cpus 2
ok $? "i386: fakestub listening (port $PORT)"
run_gdb "show architecture" "info registers" "x/4xb 0x1000" "info threads" \
	"monitor help" "monitor frob" "monitor phys on" "x/2xb 0x1000" \
	"monitor phys off" "p \$cr0" "p/x \$ip" "p/x \$cs_limit" "info float" \
	"p \$xmm1.v4_int32" "detach"
no_trouble i386
has 'currently "i386"' "i386: architecture from the description"
has "eflags         0x202               [ IF ]" "i386: info registers shows eflags"
has "eax            0x1000" "i386: info registers shows eax"
has "cr0            0x11                [ PE ET ]" "i386: cr0 with its flags"
has "0x1000:	0x90	0x90	0x90	0x90" "i386: x/4xb"
has "Thread 1 (vCPU 0 fake, protected mode)" "i386: info threads, thread 1 with extra info"
has "Thread 2 (vCPU 1 fake, protected mode)" "i386: info threads, thread 2"
has "phys on|off" "i386: monitor help lists the stub's commands"
has "echo TEXT" "i386: monitor help lists the target's commands"
has "unknown monitor command: frob" "i386: unknown monitor command"
has "phys on: addresses are guest-physical" "i386: monitor phys on"
has "\$1 = [ PE ET ]" "i386: p \$cr0"
has "\$2 = 0x1000" "i386: p/x \$ip"
has "\$3 = 0xffffffff" "i386: p/x \$cs_limit"
has "Control Word:        0x037f" "i386: info float"
has "{16843009, 16843009, 16843009, 16843009}" "i386: xmm1 as vec128"
has "[Inferior 1 (Remote target) detached]" "i386: detach"
# the stub waits for the next client after a detach; that one kills
run_gdb "info threads" "kill"
no_trouble "i386 second client"
has "Thread 2 (vCPU 1 fake, protected mode)" "i386: a second client after detach"
has "[Inferior 1 (Remote target) killed]" "i386: kill"
stop_stub
[ "$STUB_STATUS" = 0 ]
ok $? "i386: fakestub ended after kill (status $STUB_STATUS)"
grep -q "served: 0 kills=1 detaches=1 attaches=2" "$STUB_OUT"
ok $? "i386: serve returned 0, one kill, one detach, two attaches"

# --- x86-64: breakpoints, stepping, exit ------------------------------------
start_stub --arch x86-64 --cpus 1 --exit 0
ok $? "x86-64: fakestub listening"
run_gdb "show architecture" "info registers rip eflags cs fs_base efer" \
	"p \$xmm15.uint128" "break *0x1010" "continue" "stepi" "p \$pc" \
	"delete" "continue"
no_trouble x86-64
has 'currently "i386:x86-64"' "x86-64: architecture from the description"
has "rip            0x1000              0x1000" "x86-64: rip"
has "efer           0x500               [ LME LMA ]" "x86-64: efer"
has "fs_base        0x0                 0" "x86-64: fs_base"
has "Breakpoint 1 at 0x1010" "x86-64: break"
has "Breakpoint 1, 0x0000000000001010 in ?? ()" "x86-64: continue to the breakpoint"
has "0x0000000000001011 in ?? ()" "x86-64: stepi"
has "exited normally" "x86-64: the machine exits: W00"
stop_stub
[ "$STUB_STATUS" = 0 ]
ok $? "x86-64: fakestub returned 0 after the exit"

# --- real mode --------------------------------------------------------------
start_stub --arch i386 --cpus 1 --real 0100:0010
ok $? "real mode: fakestub listening"
run_gdb "p \$pc" "p/x \$ip" "p/x \$cs" "set \$pc = 0x30005" "p/x \$cs" "p/x \$ip" \
	"p \$pc" "x/2xb \$pc" "kill"
no_trouble "real mode"
has "\$1 = (void (*)()) 0x1010" "real mode: pc is linear CS.base + IP"
has "\$2 = 0x10" "real mode: ip is raw"
has "\$3 = 0x100" "real mode: cs"
has "\$4 = 0x3000" "real mode: set \$pc outside CS moves CS"
has "\$5 = 0x5" "real mode: ... and IP"
has "\$6 = (void (*)()) 0x30005" "real mode: pc reads back"
has "[Inferior 1 (Remote target) killed]" "real mode: kill"
stop_stub
[ "$STUB_STATUS" = 0 ]
ok $? "real mode: fakestub returned 0 after kill"

# --- a 32-bit ELF, no `set architecture` --------------------------------------
if command -v as >/dev/null && command -v ld >/dev/null &&
	printf '\t.code32\n\t.globl _start\n_start:\tnop\n\tnop\n\t.globl here\nhere:\tnop\n\tnop\n' >"$tmp/t.s" &&
	as --32 -o "$tmp/t.o" "$tmp/t.s" 2>/dev/null &&
	ld -m elf_i386 -Ttext=0x1000 -e _start -o "$tmp/t.elf" "$tmp/t.o" 2>/dev/null; then
	start_stub --arch i386 --cpus 1 --exit 0
	ok $? "elf32: fakestub listening"
	run_gdb --file "$tmp/t.elf" "show architecture" "info registers eip" \
		"break here" "continue" "info registers eip" "x/i \$pc" "continue"
	no_trouble elf32
	has 'currently "i386"' "elf32: i386 with no set architecture"
	has "eip            0x1000              0x1000 <_start>" "elf32: eip with its symbol"
	has "Breakpoint 1 at 0x1002" "elf32: break at a symbol"
	has "Breakpoint 1, 0x00001002 in here ()" "elf32: stops there"
	has "exited normally" "elf32: runs to the exit"
	stop_stub
	[ "$STUB_STATUS" = 0 ]
	ok $? "elf32: fakestub returned 0"
else
	n=$((n + 1))
	echo "ok $n # SKIP no 32-bit as/ld to build the ELF"
fi

echo "1..$n"
exit $failed
