#!/bin/bash
# os-1k/tests/gdb-gdbvmm.t: a source-level gdb session on os-1k under ./gdbvmm; needs a KVM with 32-bit paging (tests/vmlane/run on kvm-pvm hosts); prints TAP.
#
# The session of the os-1k issue: break at the kernel's entry, bt, next,
# print a struct, break in a system call, type a shell command and see the
# hit with its arguments, finish, watch a scheduler variable, break in a
# user program's function once it is loaded, info threads, continue to
# shutdown. Console input goes through a fifo that the test keeps open,
# so gdb's `shell printf ... > fifo` types into the shell.
set -u
cd "$(dirname "$0")/../.." || exit 1

if ! tests/lib/host-kvm hardware; then
	echo "1..0 # SKIP this host has no KVM with 32-bit paging: os-1k/tests/lane.t runs it in the VM lane"
	exit 0
fi

OUT=${TMPDIR:-/tmp}/os1k-gdb.$$
mkdir -p "$OUT"
FIFO=$OUT/console
mkfifo "$FIFO"
cleanup() {
	[ -n "${VMM_PID:-}" ] && kill "$VMM_PID" 2>/dev/null
	exec 3>&- 2>/dev/null
	rm -rf "$OUT"
}
trap cleanup EXIT

# gdbvmm reads the fifo; fd 3 keeps a writer open so input never ends.
./gdbvmm --gdb 127.0.0.1:0 -S os-1k/kernel.elf < "$FIFO" > "$OUT/console.out" 2> "$OUT/vmm.err" &
VMM_PID=$!
exec 3> "$FIFO"
for _ in $(seq 100); do
	PORT=$(sed -n 's/^gdbvmm: gdb server on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$OUT/vmm.err")
	[ -n "$PORT" ] && break
	sleep 0.1
done

start=$(date +%s)
GDBVMM_PORT=$PORT timeout 300 gdb -batch -nx -x gdbinit \
	-ex 'break kmain' -ex continue -ex bt -ex next -ex next \
	-ex 'break proc_spawn' -ex continue -ex 'print name' -ex 'print procs[0]' \
	-ex 'delete' -ex 'break sys_spawn' \
	-ex "shell printf 'about\\n' > $FIFO" -ex continue \
	-ex 'x/s name' -ex finish \
	-ex 'delete' -ex 'watch ticks' -ex continue -ex 'delete' \
	-ex 'break sys_spawn' -ex "shell printf 'echo\\n' > $FIFO" -ex continue \
	-ex finish -ex 'delete' \
	-ex 'break proc_syscall if cur->pid == $' -ex continue -ex 'delete' \
	-ex 'info threads' -ex 'os1k-ps' \
	-ex 'os1k-user echo' -ex 'break readline' \
	-ex "shell (sleep 30; kill -INT \$PPID) >/dev/null 2>&1 & echo \$! > $OUT/killer" \
	-ex continue -ex bt -ex "shell kill \$(cat $OUT/killer)" \
	-ex 'delete' \
	-ex "shell printf 'quit\\n0\\n' > $FIFO" -ex continue \
	os-1k/kernel.elf > "$OUT/gdb.out" 2>&1
gdb_status=$?
elapsed=$(( $(date +%s) - start ))
exec 3>&-
# gdbvmm ends with the guest; if the session went wrong, it is ended here
for _ in $(seq 100); do kill -0 "$VMM_PID" 2>/dev/null || break; sleep 0.1; done
kill "$VMM_PID" 2>/dev/null
wait "$VMM_PID"
vmm_status=$?
VMM_PID=

n=0
TODO=
check() { # extended-regex description
	n=$((n + 1))
	if grep -qE -- "$1" "$OUT/gdb.out"; then
		echo "ok $n - $2${TODO:+ # TODO $TODO}"
	else
		echo "not ok $n - $2${TODO:+ # TODO $TODO}"
		echo "#   no line matches /$1/"
	fi
}

echo "1..18"
check '^Breakpoint 1, kmain \(mb_magic=732803074, mb_info=' "break at the kernel's entry function"
check '^#0  kmain \(mb_magic=' "bt shows kmain"
check '^[0-9]+[[:space:]]+pit_init\(\);' "next moves to the next source line"
check '^Breakpoint 2, proc_spawn \(name=.*"sh"' "break at proc_spawn: the shell is spawned"
check '^\$[0-9]+ = \{$|^\$[0-9]+ = \{state = ' "print a struct (procs[0])"
check '^Breakpoint 3, sys_spawn \(name=[0-9]+, arg=' "typing a shell command hits the system call"
check '^0x400[0-9a-f]+:[[:space:]]+"about"$' "its argument is the program the user typed"
check '^Value returned is \$[0-9]+ = [0-9]+' "finish returns the new pid"
check '^(Hardware )?[Ww]atchpoint [0-9]+: ticks$' "watch a scheduler variable"
check '^New value = [0-9]+$' "the watchpoint fires with the new value"
check '^Breakpoint [0-9]+, proc_syscall \(tf=' "a conditional breakpoint stops in the new process's system call"
# On this lane's KVM a breakpoint in ring-3 code is an unmapped page (the
# port trap faults at CPL 3). If it does not fire, gdb is interrupted
# after 30 s, so that the session goes on rather than hangs.
check '^Breakpoint [0-9]+, readline \(prompt=(prompt@entry=)?0x4[0-9a-f]+ "echo> ", buf=' "a breakpoint in the user program (echo's readline) fires with its arguments"
check '^#1 +0x[0-9a-f]+ in main \(arg=.*\) at os-1k/user/echo\.c:' "bt in the user program reaches its main"
check '^\* 1 +Thread 1 \(vCPU 0 kernel.elf, protected mode, paging on\)' "info threads names the vCPU and its mode"
check ' echo +' "os1k-ps lists the echo process"
check '\[Inferior 1 \(Remote target\) exited normally\]' "the shell's exit shuts the machine down (status 0 through gdb)"
n=$((n + 1))
if [ "$gdb_status" -eq 0 ] && [ "$vmm_status" -eq 0 ]; then
	echo "ok $n - gdb and gdbvmm exit 0 (session took ${elapsed} s)"
else
	echo "not ok $n - gdb and gdbvmm exit 0 (gdb $gdb_status, gdbvmm $vmm_status, ${elapsed} s)"
fi
n=$((n + 1))
if grep -q '^os-1k is a small protected-mode teaching kernel' "$OUT/console.out"; then
	echo "ok $n - the about program printed on the console"
else
	echo "not ok $n - the about program printed on the console"
fi
sed 's/^/# gdb: /' "$OUT/gdb.out" | tail -n 120
sed 's/^/# vmm: /' "$OUT/vmm.err"
