#!/bin/bash
# tests/gdb/lldb.t: LLDB's command line (`lldb -b`, gdb-remote) against gdbvmm: attach, threads, registers, memory, a step, a breakpoint, a watchpoint, a monitor command, detach; on dbg.elf and on a three-vCPU machine.
#
# Debian's lldb is a second client of the same remote protocol: it sends
# packets gdb does not (qProcessInfo, jThreadsInfo, qMemoryRegionInfo,
# x, vCont;s:N with a thread of its own choosing) and reads the target
# description in its own way. Its Python part is broken in Debian 12
# (the "embedded_interpreter" traceback at start is expected), so only
# plain commands are used. docs/debugging.md, "LLDB", says what it can
# and cannot do here.
. "$(dirname "$0")/lib.sh"

LLDB=${LLDB:-lldb}
command -v "$LLDB" >/dev/null || { echo "Bail out! $LLDB not found (tests/deps.sh installs it)"; exit 1; }

# lldb_run [-f FILE] CMD...: `lldb -b` with each CMD an -o, FILE as the
# target (for symbols), under timeout(1); output in $LL_OUT.
lldb_run() {
	local a=() c
	if [ "$1" = -f ]; then
		a+=("$2")
		shift 2
	fi
	for c in "$@"; do
		a+=(-o "$c")
	done
	(timeout -s KILL "$GDB_TIMEOUT" "$LLDB" -b --no-lldbinit "${a[@]}" </dev/null >"$T/lldb.out" 2>&1) 2>/dev/null
	LL_STATUS=$?
	[ "$LL_STATUS" != 137 ] || echo "lldb killed after ${GDB_TIMEOUT}s" >>"$T/lldb.out"
	LL_OUT=$(cat "$T/lldb.out")
}

# after TEXT CMD [N]: the lines lldb printed for the Nth (default first)
# command CMD (from its "(lldb) CMD" echo to the next prompt).
after() {
	printf '%s\n' "$1" | awk -v cmd="(lldb) $2" -v n="${3:-1}" '
		on && /^\(lldb\) / { exit } on { print } $0 == cmd && ++k == n { on = 1 }'
}

ll_healthy() {
	unlike "$LL_OUT" 'lldb killed after|error: |Assertion|PLEASE submit a bug report|Process 1 exited|connection lost' "$1"
}

# --- one vCPU: guests/dbg.elf with its symbols ------------------------------------
vmm_start -S guests/dbg.elf || { done_testing; exit 1; }
lldb_run -f guests/dbg.elf "gdb-remote 127.0.0.1:$PORT" 'thread list' 'register read' \
	'memory read -c 16 0x100000' 'si' 'register read eip' \
	'breakpoint set -n add' 'continue' 'bt' 'p state' \
	'watchpoint set variable counter' 'continue' \
	'watchpoint delete 1' 'breakpoint delete 1' 'frame variable' 'next' \
	'breakpoint set -f dbg.c -l 79' 'continue' 'finish' \
	'process plugin packet monitor info' 'process detach'
out=$LL_OUT
ll_healthy "dbg.elf: no error, no lost connection, no timeout"
like "$(after "$out" "gdb-remote 127.0.0.1:$PORT")" '^    frame #0: 0x0010[0-9a-f]{4} dbg\.elf`_start at entry32\.S:[0-9]+$' \
	"gdb-remote: stopped at the kernel's entry, _start, with its source line"
tl=$(after "$out" 'thread list')
like "$tl" '^\* thread #1: tid = 0x0001, 0x0010[0-9a-f]{4} dbg\.elf`_start' "thread list: thread 1 at _start"
is "$(printf '%s\n' "$tl" | grep -c 'thread #')" 1 "thread list: one vCPU, one thread"
rr=$(after "$out" 'register read')
like "$rr" '^ +eax = 0x2badb002$' "register read: EAX holds the Multiboot magic 0x2badb002"
like "$rr" '^ +cs = 0x00000008$' "register read: CS is the loader's flat code segment 0x08"
like "$rr" '^ +eip = 0x0010[0-9a-f]{4}  dbg\.elf`_start$' "register read: EIP is _start"
# The Multiboot header leads the image: magic 0x1badb002, little-endian.
like "$(after "$out" 'memory read -c 16 0x100000')" '^0x00100000: 02 b0 ad 1b ' \
	"memory read 0x100000: the Multiboot header's magic"
like "$(after "$out" 'si')" 'stop reason = instruction step into' "si: stops after one instruction"
like "$(after "$out" 'register read eip')" '^ +eip = 0x0010[0-9a-f]{4}  dbg\.elf`_start \+ [1-9][0-9]*$' \
	"si: EIP moved past _start's first instruction"
like "$(after "$out" 'breakpoint set -n add')" '^Breakpoint 1: where = dbg\.elf`add at dbg\.c:[0-9]+' \
	"breakpoint set -n add: resolved from the ELF's symbols"
c1=$(after "$out" continue 1)
like "$c1" '^\* thread #1, stop reason = breakpoint 1\.1$' "continue: stops at the breakpoint"
like "$c1" '^    frame #0: 0x0010[0-9a-f]{4} dbg\.elf`add\(a=0, b=0\) at dbg\.c:' "continue: in add(a=0, b=0)"
in_order "$(after "$out" 'bt')" "bt: add, step, kmain, _start" \
	'frame #0: .*dbg\.elf`add\(a=0, b=0\)' 'frame #1: .*dbg\.elf`step\(i=0\)' \
	'frame #2: .*dbg\.elf`kmain\(magic=732803074, ' 'frame #3: .*dbg\.elf`_start'
like "$(after "$out" 'p state')" '^  name = 0x[0-9a-f]+ "dbg"$' "p state: a global struct with its string"
like "$(after "$out" 'watchpoint set variable counter')" '^Watchpoint created: Watchpoint 1: addr = 0x[0-9a-f]+ size = 4 state = enabled type = w$' \
	"watchpoint set variable counter: accepted (Z2)"
# add's first call comes after step(0)'s counter++: the next write is step(1)'s.
in_order "$out" "continue: the watchpoint fires as counter goes from 1 to 2, in step(i=1)" \
	'^Watchpoint 1 hit:$' '^old value: 1$' '^new value: 2$' '^\* thread #1, stop reason = watchpoint 1$' \
	'^    frame #0: 0x0010[0-9a-f]{4} dbg\.elf`step\(i=1\) at dbg\.c:'
fv=$(after "$out" 'frame variable')
like "$fv" '^\(int\) i = 1$' "frame variable: the argument i = 1"
like "$fv" '^\(int\) f = 1$' "frame variable: the local f = fib(1) = 1"
like "$(after "$out" 'next')" '^    frame #0: 0x0010[0-9a-f]{4} dbg\.elf`step\(i=1\) at dbg\.c:75:' "next: to the next line, 75"
like "$(after "$out" 'breakpoint set -f dbg.c -l 79')" '^Breakpoint 2: where = dbg\.elf`step \+ [0-9]+ at dbg\.c:79' \
	"breakpoint set -f dbg.c -l 79: a breakpoint by file and line"
like "$(after "$out" continue 3)" '^    frame #0: 0x0010[0-9a-f]{4} dbg\.elf`step\(i=1\) at dbg\.c:79:' \
	"continue: stops at dbg.c:79"
like "$(after "$out" 'finish')" '^    frame #0: 0x0010[0-9a-f]{4} dbg\.elf`kmain\(magic=732803074, mbi=0x00001000\) at dbg\.c:100:' \
	"finish: back in kmain's loop"
like "$(after "$out" 'process plugin packet monitor info')" '^host KVM: ' \
	"process plugin packet monitor info: the stub's monitor command answers"
like "$(after "$out" 'process detach')" '^Process 1 detached$' "process detach"
vmm_wait 10
is "$VM_STATUS" 33 "after detach the guest runs to its end (status 33)"
like "$(cat "$T/vm.out")" '^i=9 fib=34 sum=45$' "after detach the guest prints its last iteration"

# --- three vCPUs: dbg.elf, counter.bin, hello.bin -----------------------------------
# (--irqchip=off: kernels and flat images share a machine only without
# the in-kernel interrupt controller.) Flat images start at their
# window's linear address: 0x20000, 0x30000.
vmm_start -S --irqchip=off guests/dbg.elf guests/counter.bin guests/hello.bin || { done_testing; exit 1; }
bp=$(nm guests/dbg.elf | awk '$3 == "add" { print "0x" $1 }')
# No disassembly at stops: LLDB shows it for frames without debug
# information (the flat images), and reads the memory for it from its
# event thread, even while the step below is in flight; it then
# interrupts the target, gets gdbvmm's SIGINT stop instead of the step's,
# and resumes everything with `c` (the guests run to their end). Seen in
# about 1 run in 45 on a loaded host; docs/debugging.md, "LLDB", has the
# packets. The eip after the step is read with `register read`: LLDB's
# `thread list` may show the frame from before the step (its own cache)
# when the stop comes late.
lldb_run -f guests/dbg.elf 'settings set stop-disassembly-display never' \
	"gdb-remote 127.0.0.1:$PORT" 'thread list' \
	'thread select 2' 'register read eip cs eflags' \
	'thread step-inst -m this-thread' 'register read eip' 'thread list' \
	"breakpoint set -a $bp" 'continue' 'thread list' 'process detach'
out=$LL_OUT
ll_healthy "three vCPUs: no error, no lost connection, no timeout"
tl=$(after "$out" 'thread list' 1)
in_order "$tl" "thread list: every vCPU is a thread, each at its start" \
	'^\* thread #1: tid = 0x0001, 0x0010[0-9a-f]{4} dbg\.elf`_start' \
	'^  thread #2: tid = 0x0002, 0x00020000$' \
	'^  thread #3: tid = 0x0003, 0x00030000$'
rr=$(after "$out" 'register read eip cs eflags')
like "$rr" '^ +eip = 0x00020000$' "thread 2: EIP reads as the linear pc 0x20000"
like "$rr" '^ +cs = 0x00002000$' "thread 2: CS is its window's segment 0x2000"
tl2=$(after "$out" 'thread list' 2)
like "$(after "$out" 'register read eip')" '^ +eip = 0x00020005$' \
	"thread step-inst -m this-thread: thread 2 moved one instruction (incl count is 5 bytes)"
like "$tl2" '^\* thread #2: tid = 0x0002, 0x0002000[0-9a-f], stop reason = instruction step into$' \
	"thread list: thread 2 stopped by the step"
like "$tl2" '^  thread #1: tid = 0x0001, 0x0010[0-9a-f]{4} dbg\.elf`_start at entry32\.S:25$' \
	"... while thread 1 stayed at _start's first line"
like "$tl2" '^  thread #3: tid = 0x0003, 0x00030000$' "... and thread 3 at its start"
like "$(after "$out" "breakpoint set -a $bp")" '^Breakpoint 1: where = dbg\.elf`add at dbg\.c:[0-9]+' \
	"breakpoint set -a (add's address)"
like "$(after "$out" 'continue')" '^\* thread #1, stop reason = breakpoint 1\.1$' "continue: vCPU 0 stops at the breakpoint"
like "$(after "$out" 'process detach')" '^Process 1 detached$' "process detach"
vmm_wait 10
is "$VM_STATUS" 33 "after detach the machine runs to dbg.elf's exit (status 33)"

done_testing
