#!/bin/bash
# tests/gdb/mi.t: gdb's machine interface (gdb/MI) against gdbvmm, with the commands an IDE (VS Code's cppdbg, CLion, Emacs gdb-mi) sends on attach, at a breakpoint and on detach; checks the MI records that come back.
#
# tests/gdb/mi-drive runs `gdb --interpreter=mi2` and sends one command
# at a time, each with a token, waiting for its result record; it prints
# ">> TOKEN-COMMAND" before what gdb answered. docs/ide.md has the IDE
# configurations these sessions stand for. Two machines: guests/dbg.elf
# alone (source-level: a conditional breakpoint, frames, locals, variable
# objects, memory, next), then dbg.elf beside two real-mode guests (three
# vCPUs: the thread list, a breakpoint hit on vCPU 0, another thread's
# frame, finish, the exit), then two real-mode guests that run until
# told (-exec-interrupt).
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { echo "1..0 # SKIP no python3 to drive gdb/MI (apt-get install python3)"; exit 0; }

# mi_run SCRIPT-LINES...: runs the steps (one argument each) through
# mi-drive; the transcript in $MI_OUT, mi-drive's status in $MI_STATUS.
mi_run() {
	printf '%s\n' "$@" >"$T/mi.script"
	timeout -s KILL $((GDB_TIMEOUT * 3)) tests/gdb/mi-drive -t "$GDB_TIMEOUT" "$T/mi.script" \
		"$GDB" --interpreter=mi2 -nx "${GDB_INIT[@]}" >"$T/mi.out" 2>&1
	MI_STATUS=$?
	MI_OUT=$(cat "$T/mi.out")
}

# reply TEXT COMMAND: the result record (TOKEN^...) of the first command
# sent that is exactly COMMAND, token removed.
reply() {
	printf '%s\n' "$1" | awk -v cmd="$2" '
		!tok && /^>> [0-9]+-/ { t = $2; sub(/-.*/, "", t); c = $0; sub(/^>> [0-9]+/, "", c)
			if (c == cmd) tok = t; next }
		tok && index($0, tok "^") == 1 { print substr($0, length(tok) + 1); exit }'
}

# stop_after TEXT COMMAND: the first *stopped record after COMMAND was sent.
stop_after() {
	printf '%s\n' "$1" | awk -v cmd="$2" '
		!on && /^>> [0-9]+-/ { c = $0; sub(/^>> [0-9]+/, "", c); if (c == cmd) on = 1; next }
		on && /^\*stopped/ { print; exit }'
}

# mi_like RECORD REGEX DESCRIPTION: like, showing the whole transcript on failure.
mi_like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3" "expected a match for: $2" "in: ${1:-(nothing)}"
		diag_text "the MI transcript" "$MI_OUT"
	fi
}

# The first commands of an IDE session: VS Code's cppdbg sends these
# (with its launch.json's setupCommands in between), CLion and Emacs
# much the same.
attach() {
	echo '-gdb-set mi-async on'
	echo '-enable-pretty-printing'
	echo '-gdb-set pagination off'
	echo '-gdb-set osabi none'
	echo "-file-exec-and-symbols $1"
	echo "-target-select remote 127.0.0.1:$PORT"
}

# --- one vCPU: guests/dbg.elf, source level ----------------------------------------
# step(i) at `counter++` (guests/dbg.c line 73) with i == 5: five calls
# have run, so counter = iterations = 5, sum = 0+1+2+3+4 = 10,
# where = {4, 16}; the local f = fib(5) = 5.
line=$(grep -n '^	counter++;$' guests/dbg.c | cut -d: -f1)
vmm_start -S guests/dbg.elf || { done_testing; exit 1; }
mapfile -t A < <(attach guests/dbg.elf)
mi_run "${A[@]}" \
	"-break-insert -f -c \"i == 5\" dbg.c:$line" \
	'-exec-continue' 'wait-stopped' \
	'-thread-info' \
	'-stack-list-frames' \
	'-stack-list-variables --simple-values' \
	'-var-create - * state' \
	'-var-list-children --all-values var1' \
	'-var-create - * counter' \
	'-data-evaluate-expression state.where.y' \
	'-data-read-memory-bytes &state.iterations 12' \
	'-exec-next' 'wait-stopped' \
	'-var-update --all-values *' \
	'-break-delete' \
	'-target-detach' \
	'-gdb-exit'
out=$MI_OUT
is "$MI_STATUS" 0 "dbg.elf: every MI command got its result record (no timeout)"
mi_like "$(reply "$out" "-file-exec-and-symbols guests/dbg.elf")" '^\^done$' \
	"-file-exec-and-symbols: ^done"
mi_like "$(reply "$out" "-target-select remote 127.0.0.1:$PORT")" '^\^connected$' \
	"-target-select remote: ^connected"
mi_like "$(stop_after "$out" "-target-select remote 127.0.0.1:$PORT")" \
	'^\*stopped,frame=\{addr="0x[0-9a-f]+",func="_start",.*file="guests/lib/entry32\.S".*stopped-threads="all"' \
	"on attach gdb reports the stop at the kernel's entry, _start"
mi_like "$(reply "$out" "-break-insert -f -c \"i == 5\" dbg.c:$line")" \
	"^\\^done,bkpt=\\{number=\"1\",type=\"breakpoint\".*func=\"step\",file=\"guests/dbg\\.c\".*line=\"$line\".*cond=\"i == 5\"" \
	"-break-insert with a condition: ^done, bkpt in step at dbg.c:$line"
mi_like "$(reply "$out" "-exec-continue")" '^\^running$' "-exec-continue: ^running"
mi_like "$(stop_after "$out" "-exec-continue")" \
	"^\\*stopped,reason=\"breakpoint-hit\",disp=\"keep\",bkptno=\"1\",frame=\\{addr=\"0x[0-9a-f]+\",func=\"step\",args=\\[\\{name=\"i\",value=\"5\"\\}\\],file=\"guests/dbg\\.c\",.*line=\"$line\"" \
	"*stopped reason=breakpoint-hit in step (i=5) at dbg.c:$line"
mi_like "$(reply "$out" "-thread-info")" \
	'^\^done,threads=\[\{id="1",target-id="Thread 1",details="vCPU 0 dbg\.elf, protected mode",frame=\{level="0",.*func="step".*state="stopped"\}\],current-thread-id="1"$' \
	"-thread-info: one thread, vCPU 0 dbg.elf, stopped in step"
mi_like "$(reply "$out" "-stack-list-frames")" \
	'^\^done,stack=\[frame=\{level="0",.*func="step",file="guests/dbg\.c".*\},frame=\{level="1",.*func="kmain",file="guests/dbg\.c".*\},frame=\{level="2",.*func="_start"' \
	"-stack-list-frames: step, kmain, _start"
mi_like "$(reply "$out" "-stack-list-variables --simple-values")" \
	'^\^done,variables=\[\{name="i",arg="1",type="int",value="5"\},\{name="f",type="int",value="5"\}\]$' \
	"-stack-list-variables: argument i = 5, local f = fib(5) = 5"
mi_like "$(reply "$out" "-var-create - * state")" \
	'^\^done,name="var1",numchild="4",value="\{\.\.\.\}",type="struct state"' \
	"-var-create state: a struct state with 4 children"
mi_like "$(reply "$out" "-var-list-children --all-values var1")" \
	'child=\{name="var1\.name",exp="name",.*value="0x[0-9a-f]+ \\"dbg\\"".*child=\{name="var1\.iterations",exp="iterations",numchild="0",value="5",type="int"\},child=\{name="var1\.sum",exp="sum",numchild="0",value="10",type="int"\}' \
	"-var-list-children: name \"dbg\", iterations 5, sum 10"
mi_like "$(reply "$out" "-var-create - * counter")" '^\^done,name="var2",numchild="0",value="5",type="volatile int"' \
	"-var-create counter: 5"
mi_like "$(reply "$out" "-data-evaluate-expression state.where.y")" '^\^done,value="16"$' \
	"-data-evaluate-expression state.where.y: 16"
# iterations, sum, where.x: 5, 10, 4 as little-endian 32-bit words
mi_like "$(reply "$out" "-data-read-memory-bytes &state.iterations 12")" \
	'^\^done,memory=\[\{begin="0x[0-9a-f]+",offset="0x0+",end="0x[0-9a-f]+",contents="050000000a00000004000000"\}\]$' \
	"-data-read-memory-bytes: the bytes of iterations, sum, where.x"
mi_like "$(stop_after "$out" "-exec-next")" \
	"^\\*stopped,reason=\"end-stepping-range\",frame=\\{.*func=\"step\",.*line=\"$((line + 1))\"" \
	"-exec-next: *stopped end-stepping-range at the next line"
mi_like "$(reply "$out" "-var-update --all-values *")" \
	'^\^done,changelist=\[\{name="var2",value="6",in_scope="true",type_changed="false"' \
	"-var-update after next: counter changed to 6"
mi_like "$(reply "$out" "-target-detach")" '^\^done$' "-target-detach: ^done"
mi_like "$(reply "$out" "-gdb-exit")" '^\^exit$' "-gdb-exit: ^exit"
like "$out" '^mi-drive: gdb exited with status 0$' "gdb exits with status 0"
unlike "$out" '^\^error|^[0-9]+\^error|internal-error' "no MI command answered ^error"
vmm_wait 10
is "$VM_STATUS" 33 "after detach the guest runs to its end (status 33)"
like "$(cat "$T/vm.out")" '^i=9 fib=34 sum=45$' "after detach the guest prints its last iteration"

# --- three vCPUs: dbg.elf, counter.bin, hello.bin -------------------------------------
# Kernels and flat images share a machine only without the in-kernel
# interrupt controller (--irqchip=off). dbg.elf's isa-debug-exit ends the
# whole machine, as in QEMU: gdb sees the inferior exit with its code.
vmm_start -S --irqchip=off guests/dbg.elf guests/counter.bin guests/hello.bin || { done_testing; exit 1; }
mapfile -t A < <(attach guests/dbg.elf)
mi_run "${A[@]}" \
	'-thread-info' \
	'-break-insert -f add' \
	'-exec-continue' 'wait-stopped' \
	'-stack-list-frames' \
	'-stack-list-variables --simple-values' \
	'-thread-info' \
	'-thread-select 2' \
	'-thread-select 1' \
	'-exec-finish' 'wait-stopped' \
	'-break-delete' \
	'-exec-continue' 'wait-stopped' \
	'-gdb-exit'
out=$MI_OUT
is "$MI_STATUS" 0 "three vCPUs: every MI command got its result record (no timeout)"
ti=$(reply "$out" "-thread-info")
mi_like "$ti" '^\^done,threads=\[\{id="1",target-id="Thread 1",details="vCPU 0 dbg\.elf, protected mode",.*state="stopped"\},\{id="2",target-id="Thread 2",details="vCPU 1 counter\.bin, real mode",.*state="stopped"\},\{id="3",target-id="Thread 3",details="vCPU 2 hello\.bin, real mode",.*state="stopped"\}\]' \
	"-thread-info on attach: three threads, one per vCPU, with image and mode"
# The first call of add is step(0)'s add(state.sum, i): a = 0, b = 0.
mi_like "$(stop_after "$out" "-exec-continue")" \
	'^\*stopped,reason="breakpoint-hit",disp="keep",bkptno="1",frame=\{addr="0x[0-9a-f]+",func="add",args=\[\{name="a",value="0"\},\{name="b",value="0"\}\],file="guests/dbg\.c",.*thread-id="1",stopped-threads="all"' \
	"*stopped reason=breakpoint-hit in add on thread 1, all threads stopped"
mi_like "$(reply "$out" "-stack-list-frames")" \
	'^\^done,stack=\[frame=\{level="0",.*func="add".*\},frame=\{level="1",.*func="step".*\},frame=\{level="2",.*func="kmain"' \
	"-stack-list-frames: add, step, kmain"
mi_like "$(reply "$out" "-stack-list-variables --simple-values")" \
	'^\^done,variables=\[\{name="a",arg="1",type="int",value="0"\},\{name="b",arg="1",type="int",value="0"\}\]$' \
	"-stack-list-variables: a = 0, b = 0"
# the second -thread-info: after the hit, every vCPU stopped
ti2=$(printf '%s\n' "$out" | grep -E '^[0-9]+\^done,threads=' | sed -n 2p)
n=$(printf '%s\n' "$ti2" | grep -o 'state="stopped"' | wc -l)
is "$n" 3 "-thread-info at the breakpoint: all three threads stopped (all-stop)"
mi_like "$(reply "$out" "-thread-select 2")" '^\^done,new-thread-id="2",frame=\{level="0",addr="0x0002[0-9a-f]{4}"' \
	"-thread-select 2: counter.bin's frame is inside its window (0x20000)"
mi_like "$(stop_after "$out" "-exec-finish")" \
	'^\*stopped,reason="function-finished",frame=\{.*func="step".*\},gdb-result-var="\$[0-9]+",return-value="0",thread-id="1"' \
	"-exec-finish on thread 1: back in step, add returned 0"
mi_like "$(printf '%s\n' "$out" | grep '^\*stopped' | tail -n 1)" '^\*stopped,reason="exited",exit-code="041"$' \
	"-exec-continue to the end: *stopped reason=exited, exit-code 041 (33)"
like "$out" '^mi-drive: gdb exited with status 0$' "gdb exits with status 0"
unlike "$out" '^[0-9]+\^error|internal-error' "no MI command answered ^error"
vmm_wait 10
is "$VM_STATUS" 33 "the machine ends with dbg.elf's status 33"

# --- -exec-interrupt: two real-mode vCPUs that run until told --------------------------
# uart.bin polls its UART for input (a fifo held open here) until it
# reads `quit`; counter.bin prints 1 to 20 and halts.
mkfifo "$T/in" || exit 1
exec 3<>"$T/in"
VM_STDIN=$T/in vmm_start -S guests/counter.bin guests/uart.bin || { done_testing; exit 1; }
mi_run '-gdb-set mi-async on' "-target-select remote 127.0.0.1:$PORT" \
	'-exec-continue' \
	'sleep 1' \
	'-exec-interrupt' 'wait-stopped' \
	'-thread-info' \
	'-stack-list-frames' \
	'-target-detach' \
	'-gdb-exit'
out=$MI_OUT
is "$MI_STATUS" 0 "interrupt: every MI command got its result record (no timeout)"
mi_like "$(reply "$out" "-exec-interrupt")" '^\^done$' "-exec-interrupt: ^done"
mi_like "$(stop_after "$out" "-exec-interrupt")" \
	'^\*stopped,reason="signal-received",signal-name="SIGINT",signal-meaning="Interrupt",.*stopped-threads="all"' \
	"-exec-interrupt while running: *stopped reason=signal-received SIGINT"
mi_like "$(reply "$out" "-thread-info")" \
	'details="vCPU 1 uart\.bin, real mode",frame=\{level="0",addr="0x0002[0-9a-f]{4}".*state="stopped"' \
	"-thread-info after the interrupt: uart.bin's vCPU stopped in its window (0x20000)"
mi_like "$(reply "$out" "-target-detach")" '^\^done$' "-target-detach: ^done"
like "$out" '^mi-drive: gdb exited with status 0$' "gdb exits with status 0"
unlike "$out" '^[0-9]+\^error|internal-error' "no MI command answered ^error"
echo quit >&3
vmm_wait 10
is "$VM_STATUS" 0 "after detach the guests run on: quit ends the machine with status 0"
like "$(cat "$T/vm.out")" '^20$' "counter.bin ran to its end"

done_testing
