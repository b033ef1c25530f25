#!/bin/bash
# os-1k/tests/mi-gdbvmm.t: an IDE's gdb/MI session on os-1k under ./gdbvmm (tests/gdb/mi-drive plays the IDE); needs a KVM with 32-bit paging (tests/vmlane/run on kvm-pvm hosts); prints TAP.
#
# What VS Code or Emacs sends (docs/ide.md): attach with the kernel's
# symbols, a breakpoint at kmain, frames and arguments, next, a
# breakpoint at proc_spawn for the shell, a variable object of the
# process table, memory, the thread list with paging on, a continue that
# the IDE's Pause interrupts while the shell waits for input, detach.
# Then the shell is told to exit and the machine must end with status 0.
set -u
cd "$(dirname "$0")/../.." || exit 1

if [ -e /sys/module/kvm_pvm ]; then
	echo "1..0 # SKIP this host's KVM (kvm-pvm) has no 32-bit paging: run through tests/vmlane/run"
	exit 0
fi
command -v python3 >/dev/null || { echo "1..0 # SKIP no python3 to drive gdb/MI"; exit 0; }

. tests/lib/tap.sh
OUT=$(mktemp -d "${TMPDIR:-/tmp}/os1k-mi.XXXXXX") || exit 1
FIFO=$OUT/console
mkfifo "$FIFO"
VMM_PID=
cleanup() {
	[ -n "$VMM_PID" ] && kill "$VMM_PID" 2>/dev/null
	exec 3>&- 2>/dev/null
	rm -rf "$OUT"
}
trap cleanup EXIT

# gdbvmm reads the fifo; fd 3 keeps a writer open so input never ends.
./gdbvmm --gdb 127.0.0.1:0 -S os-1k/kernel.elf <"$FIFO" >"$OUT/console.out" 2>"$OUT/vmm.err" &
VMM_PID=$!
exec 3>"$FIFO"
PORT=
for _ in $(seq 100); do
	PORT=$(sed -n 's/^gdbvmm: gdb server on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$OUT/vmm.err")
	[ -n "$PORT" ] && break
	sleep 0.1
done

# Under TCG gdb itself is 15 to 30 times slower than on a host: a minute
# per reply before calling it stuck.
cat >"$OUT/script" <<EOF
-gdb-set mi-async on
-enable-pretty-printing
-gdb-set pagination off
-gdb-set osabi none
-file-exec-and-symbols os-1k/kernel.elf
-target-select remote 127.0.0.1:$PORT
-break-insert -f kmain
-exec-continue
wait-stopped
-stack-list-frames
-stack-list-variables --simple-values
-exec-next
wait-stopped
-break-delete
-break-insert -f proc_spawn
-exec-continue
wait-stopped
-stack-list-variables --simple-values
-var-create - * procs[0]
-var-list-children --all-values var1
-data-read-memory-bytes name 3
-thread-info
-break-delete
-exec-continue
sleep 3
-exec-interrupt
wait-stopped
-thread-info
-target-detach
-gdb-exit
EOF
start=$(date +%s)
timeout -s KILL 600 tests/gdb/mi-drive -t 60 "$OUT/script" gdb --interpreter=mi2 -nx >"$OUT/mi.out" 2>&1
st=$?
elapsed=$(($(date +%s) - start))
out=$(cat "$OUT/mi.out")

# reply COMMAND / stop_after COMMAND: as in tests/gdb/mi.t.
reply() {
	printf '%s\n' "$out" | awk -v cmd="$1" '
		!tok && /^>> [0-9]+-/ { t = $2; sub(/-.*/, "", t); c = $0; sub(/^>> [0-9]+/, "", c)
			if (c == cmd) tok = t; next }
		tok && index($0, tok "^") == 1 { print substr($0, length(tok) + 1); exit }'
}
stop_after() {
	printf '%s\n' "$out" | awk -v cmd="$1" '
		!on && /^>> [0-9]+-/ { c = $0; sub(/^>> [0-9]+/, "", c); if (c == cmd) on = 1; next }
		on && /^\*stopped/ { print; exit }'
}
check() { # TEXT REGEX DESCRIPTION
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3" "expected a match for: $2" "in: ${1:-(nothing)}"
	fi
}

is "$st" 0 "every MI command got its result record (mi-drive status; ${elapsed} s)"
check "$(reply "-target-select remote 127.0.0.1:$PORT")" '^\^connected$' "-target-select remote: ^connected"
check "$(stop_after "-exec-continue")" \
	'^\*stopped,reason="breakpoint-hit",disp="keep",bkptno="1",frame=\{addr="0x[0-9a-f]+",func="kmain",args=\[\{name="mb_magic",value="732803074"\},\{name="mb_info",value="[0-9]+"\}\],file="os-1k/kernel\.c"' \
	"*stopped reason=breakpoint-hit in kmain (mb_magic=0x2badb002) in os-1k/kernel.c"
check "$(reply "-stack-list-frames")" '^\^done,stack=\[frame=\{level="0",.*func="kmain",file="os-1k/kernel\.c"' \
	"-stack-list-frames: kmain at the top"
check "$(stop_after "-exec-next")" '^\*stopped,reason="end-stepping-range",frame=\{.*func="kmain",.*file="os-1k/kernel\.c"' \
	"-exec-next: *stopped end-stepping-range, still in kmain"
check "$(stop_after "-break-insert -f proc_spawn")" \
	'^\*stopped,reason="breakpoint-hit",disp="keep",bkptno="2",frame=\{.*func="proc_spawn",args=\[\{name="name",value="0x[0-9a-f]+ \\"sh\\""' \
	"*stopped at proc_spawn: the shell is spawned (name=\"sh\")"
check "$(reply "-var-create - * procs[0]")" '^\^done,name="var1",numchild="[0-9]+",value="\{\.\.\.\}",type="struct proc"' \
	"-var-create procs[0]: a struct proc"
check "$(reply "-var-list-children --all-values var1")" 'child=\{name="var1\.pid",exp="pid",numchild="0",value="0",type="int"\}' \
	"-var-list-children: the idle process has pid 0"
check "$(reply "-data-read-memory-bytes name 3")" '^\^done,memory=\[\{begin="0x[0-9a-f]+",offset="0x0+",end="0x[0-9a-f]+",contents="736800"\}\]$' \
	"-data-read-memory-bytes name 3: \"sh\" and its NUL, through the kernel's page tables"
check "$(reply "-thread-info")" '^\^done,threads=\[\{id="1",target-id="Thread 1",details="vCPU 0 kernel\.elf, protected mode, paging on",.*state="stopped"\}\]' \
	"-thread-info: vCPU 0, protected mode, paging on"
check "$(reply "-exec-interrupt")" '^\^done$' "-exec-interrupt: ^done"
check "$(stop_after "-exec-interrupt")" '^\*stopped,reason="signal-received",signal-name="SIGINT"' \
	"-exec-interrupt while the shell waits: *stopped SIGINT"
check "$(reply "-target-detach")" '^\^done$' "-target-detach: ^done"
check "$out" '^mi-drive: gdb exited with status 0$' "gdb exits with status 0"
if printf '%s\n' "$out" | grep -Eq '^[0-9]+\^error|internal-error'; then
	fail "no MI command answered ^error" "$(printf '%s\n' "$out" | grep -E '^[0-9]+\^error|internal-error')"
else
	pass "no MI command answered ^error"
fi

# After detach the shell runs on: its command 0 (exit) shuts the machine down.
printf '0\n' >&3
for _ in $(seq 300); do kill -0 "$VMM_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$VMM_PID" 2>/dev/null; then
	kill "$VMM_PID"
	wait "$VMM_PID"
	vst=running
else
	wait "$VMM_PID"
	vst=$?
fi
VMM_PID=
is "$vst" 0 "after detach the shell takes its exit command: gdbvmm ends with status 0"
[ "$tap_failed" -eq 0 ] || sed 's/^/# mi: /' "$OUT/mi.out" | tail -n 80
[ "$tap_failed" -eq 0 ] || sed 's/^/# vmm: /' "$OUT/vmm.err"
done_testing
