#!/bin/bash
# tests/gdb/sessions.t: the life of a connection: Ctrl-C while the guest runs, detach (the guest runs on), a new gdb attaches, a second client at the same time is refused while the first goes on, kill ends gdbvmm.
#
# The guest is guests/uart.bin, which polls the UART for input lines and
# echoes them: it runs until told `quit`. Its stdin is a FIFO this
# script holds open, so the guest waits (running) until a line is written.
. "$(dirname "$0")/lib.sh"

mkfifo "$T/in" || exit 1
exec 3<>"$T/in"

VM_STDIN=$T/in vmm_start -S guests/uart.bin || { done_testing; exit 1; }

# --- Ctrl-C -----------------------------------------------------------------------
# gdb -batch turns SIGINT during `continue` into an interrupt of the
# target, as Ctrl-C at the terminal does.
gdb_bg "$T/g1.out" "$(connect)" 'continue' 'info threads' 'echo PC:\n' 'p/x $pc' 'monitor regs' 'detach'
g1=$GDB_PID
wait_for "$T/vm.out" 'LSR: no line errors' 10 || diag "the guest did not print its checks within 10 s"
sleep 0.5
gdb_interrupt
wait "$g1"
out=$(cat "$T/g1.out")
GDB_OUT=$out healthy "Ctrl-C: the session stayed healthy"
like "$out" '^Program received signal SIGINT, Interrupt\.$' "Ctrl-C while running: gdb reports SIGINT"
like "$out" '^\* 1    Thread 1 \(vCPU 0 uart\.bin, real mode\) +0x0001[0-9a-f]{4} in \?\? \(\)$' \
	"Ctrl-C: the vCPU is stopped inside the guest's window"
pc=$(value_after "$out" PC)
like "$out" "^  real CS:IP 1000:0*${pc#0x1} \\(linear $pc\\)\$" "Ctrl-C: monitor regs shows the same place as CS:IP"
like "$out" '^\[Inferior 1 \(Remote target\) detached\]$' "detach"

# --- after detach the guest runs on ----------------------------------------------
echo "after detach" >&3
if wait_for "$T/vm.out" '^echo: after detach$' 10; then
	pass "after detach the guest runs: it echoes an input line"
else
	fail "after detach the guest runs: it echoes an input line"
	diag_text "console" "$(cat "$T/vm.out")"
fi

# --- a new gdb attaches; a second one at the same time is refused ------------------
# It holds the connection (gdb's `shell` waits for $T/go, 10 s at most)
# while the script tries a second client.
gdb_bg "$T/g2.out" "$(connect)" 'info threads' 'echo READY:\n' \
	"shell i=0; while [ ! -e $T/go ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i + 1)); done" \
	'echo AFTER:\n' 'info threads' 'stepi' 'kill'
g2=$GDB_PID
if wait_for "$T/g2.out" '^READY:$' 10 && grep -q '^\* 1 ' "$T/g2.out"; then
	pass "a new gdb attaches after the first detached"
else
	fail "a new gdb attaches after the first detached"
	diag_text "gdb" "$(cat "$T/g2.out")"
fi

gdb_run "$(connect)" 'info threads'
like "$GDB_OUT" '^Remote communication error\.  Target disconnected\.|^Remote connection closed' \
	"a second client at the same time: gdb cannot attach"
like "$GDB_OUT" '^No threads\.$' "a second client at the same time: it sees no threads"
# What the refused client is told (gdb does not show it; nc would).
if exec 4<>"/dev/tcp/127.0.0.1/$PORT"; then
	msg=$(timeout 5 head -n 1 <&4)
	exec 4<&-
	like "$msg" '^gdbvmm: a debugger is already attached' "a second client is told in one line why"
else
	fail "a second client is told in one line why" "could not connect to 127.0.0.1:$PORT"
fi

touch "$T/go"
wait "$g2"
out=$(cat "$T/g2.out")
GDB_OUT=$out healthy "the attached session stayed healthy through the refusal"
in_order "$out" "the first session goes on: info threads and stepi after the refusal, then kill" \
	'^AFTER:$' '^\* 1    Thread 1 \(vCPU 0 uart\.bin, real mode\)' '^0x0001[0-9a-f]{4} in \?\? \(\)$' \
	'^\[Inferior 1 \(Remote target\) killed\]$'
vmm_wait 10
is "$VM_STATUS" 0 "kill from the second gdb ends gdbvmm with status 0"
unlike "$(cat "$T/vm.out")" '^echo: never$' "nothing ran after kill"

done_testing
