#!/bin/bash
# tests/linux/gdb.t: gdb with the kernel's own scripts on Linux under gdbvmm, 2 vCPUs: start_kernel, bt, next, print, threads as the APs come up, a system call's breakpoint, finish, lx-dmesg, lx-ps, Ctrl-C, poweroff; prints TAP.
#
# The kernel boots from its vmlinux: gdbvmm then knows where each of its
# virtual addresses lies in RAM before the kernel maps itself, so that
# `hbreak start_kernel` works where no debug register fires (the VM lane).
# Needs a KVM that runs Linux (tests/linux/lane.t runs it in the lane).
. "$(dirname "$0")/../gdb/lib.sh"

LINUX_DIR=${LINUX_DIR:-${GDBVMM_LINUX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gdbvmm/linux}}
VMLINUX=$LINUX_DIR/vmlinux
INITRD=$LINUX_DIR/initramfs.cpio.gz
for f in "$VMLINUX" "$INITRD" "$LINUX_DIR/vmlinux-gdb.py"; do
	[ -s "$f" ] || { echo "Bail out! $f is missing (make linux-kernel)"; exit 1; }
done
READY='gdbvmm-linux: ready'
# the whole session in the lane takes a few minutes
GDB_TIMEOUT=${LINUX_GDB_TIMEOUT:-600}
VM_TIMEOUT=$GDB_TIMEOUT

mkfifo "$T/in"
VM_STDIN=$T/in
exec 3<>"$T/in"
vmm_start -S --smp 2 -m 256M --initrd "$INITRD" --append 'console=ttyS0 nokaslr' "$VMLINUX" ||
	{ done_testing; exit; }

# the kernel's scripts load with the vmlinux (wherever the build tree is)
GDB_ARGS=(-iex 'set auto-load safe-path /' "$VMLINUX")
gdb_bg "$T/g.out" 'set pagination off' 'set confirm off' "$(connect)" \
	'echo AT-RESET:\n' 'info threads' \
	'hbreak start_kernel' 'continue' 'echo BT-START:\n' 'bt' \
	'next' 'echo NEXT:\n' 'frame' 'echo COMM:\n' 'print init_task.comm' \
	'echo AT-START-KERNEL:\n' 'info threads' 'delete' \
	'break __x64_sys_newuname if $_streq($lx_current().comm, "uname")' 'continue' \
	'echo COMM-NOW:\n' 'p $lx_current().comm' \
	'echo THREADS-UP:\n' 'info threads' 'echo BT-UNAME:\n' 'bt' 'finish' \
	'thread 2' 'echo BT-CPU1:\n' 'bt' \
	'set scheduler-locking on' 'echo PC2-BEFORE:\n' 'p/x $pc' 'thread 1' 'echo STEP:\n' 'stepi' 'stepi' \
	'thread 2' 'echo PC2-AFTER:\n' 'p/x $pc' 'thread 1' 'set scheduler-locking off' \
	'echo DMESG:\n' 'lx-dmesg' 'echo PS:\n' 'lx-ps' 'delete' \
	'echo CTRLC:\n' 'continue' 'echo AFTER-CTRLC:\n' 'info threads' 'continue'
g=$GDB_PID

# The shell's side: uname once the shell is up (gdb waits on the system
# call; its condition lets /init's and the shell's own calls by), Ctrl-C
# once gdb let it run idle, poweroff at the end.
if wait_for "$T/vm.out" "$READY" 400; then
	printf 'uname -n\n' >&3
else
	diag "the shell did not come up"
fi
if wait_for "$T/g.out" '^CTRLC:$' 300; then
	sleep 2
	gdb_interrupt
fi
wait_for "$T/g.out" '^AFTER-CTRLC:$' 60 && sleep 2 && printf 'poweroff\n' >&3
wait "$g"
GDB_OUT=$(cat "$T/g.out")
vmm_wait 30
# docs/linux.md's transcript comes from here
[ -n "${LINUX_GDB_TRANSCRIPT:-}" ] && cp "$T/g.out" "$LINUX_GDB_TRANSCRIPT"

section() { # the lines of $GDB_OUT after the "TAG:" line, up to the next tag
	printf '%s\n' "$GDB_OUT" | awk -v tag="$1:" '$0 == tag { on = 1; next } on && /^[A-Z-]+:$/ { exit } on'
}

healthy "the session stayed healthy"
like "$(section AT-RESET)" '^\* 1 +Thread 1 \(vCPU 0 vmlinux, long mode\)' "at reset: gdb lists the boot CPU"
unlike "$(section AT-RESET)" '^ +2 +Thread 2' "at reset: the AP is not a thread yet"
like "$GDB_OUT" '^Hardware assisted breakpoint 1 at 0xffffffff8[0-9a-f]+: file init/main\.c' "hbreak start_kernel"
like "$GDB_OUT" '^(Thread 1 hit )?Breakpoint 1, start_kernel \(\) at init/main\.c:[0-9]+' "continue stops in start_kernel"
first=$(printf '%s\n' "$GDB_OUT" | sed -n 's/^Breakpoint 1, start_kernel () at init\/main\.c:\([0-9]*\)$/\1/p;s/^Thread 1 hit Breakpoint 1, start_kernel () at init\/main\.c:\([0-9]*\)$/\1/p' | head -n 1)
now=$(section NEXT | sed -n 's/^#0 *start_kernel () at init\/main\.c:\([0-9]*\)$/\1/p')
ok "next: start_kernel went on to a later line ($first -> $now)" test "${now:-0}" -gt "${first:-0}"
like "$(section BT-START)" '^#1 +0x[0-9a-f]+ in x86_64_start_reservations' "bt: start_kernel was called by x86_64_start_reservations"
like "$(section COMM)" '^\$1 = "swapper' "print init_task.comm: swapper"
unlike "$(section AT-START-KERNEL)" '^ +2 +Thread 2' "in start_kernel: the AP is not a thread yet"
like "$GDB_OUT" '^Breakpoint 2 at 0xffffffff8[0-9a-f]+: file kernel/sys\.c' "break __x64_sys_newuname"
like "$GDB_OUT" '^Thread [12] hit Breakpoint 2, __x64_sys_newuname' "uname typed at the shell hits the system call's breakpoint"
like "$(section COMM-NOW)" '^\$[0-9]+ = "uname' "\$lx_current().comm there is uname (the breakpoint's condition)"
like "$(section THREADS-UP)" '^[* ] 2 +Thread 2 \(vCPU 1 vmlinux, long mode\)' "once the AP is up: gdb lists it"
like "$(section BT-UNAME)" 'do_syscall_64' "bt in the system call: do_syscall_64 called it"
like "$GDB_OUT" '^0x[0-9a-f]+ in x64_sys_call ' "finish runs to the caller"
like "$GDB_OUT" '^Value returned is \$[0-9]+ = 0$' "finish: the system call returned 0"
# Where the other CPU is when thread 1 stops is up to the kernel: mostly
# idle, but it may be in a timer interrupt, a system call, the scheduler,
# or in user space (the shell): each is a backtrace whose frame #0 is a
# kernel function (with its source line where it has one), or a
# user-space address.
like "$GDB_OUT" '^\[Switching to thread 2 \(Thread 2\)\]$' "thread 2: gdb switches to the other CPU"
like "$(section BT-CPU1)" '^#0 +(0xffffffff[0-9a-f]{8} in [A-Za-z_][A-Za-z_0-9.]* \(.*\)( at [a-z./][a-zA-Z_/0-9.-]+:[0-9]+)?|[A-Za-z_][A-Za-z_0-9.]* \(.*\) at [a-z./][a-zA-Z_/0-9.-]+:[0-9]+|0x0000[0-9a-f]+ in \?\? \(\))$' \
	"thread 2, bt: a backtrace of the other CPU (frame #0 in a kernel function, or in user space)"
before=$(value_after "$GDB_OUT" PC2-BEFORE) after=$(value_after "$GDB_OUT" PC2-AFTER)
ok "scheduler-locking on: thread 1 steps, thread 2 stays at $before" test -n "$before" -a "$before" = "$after"
like "$(section STEP)" '^(0x[0-9a-f]+\s+)?[0-9]+\s' "stepi in thread 1 stops at the next instruction (source line shown)"
like "$(section DMESG)" 'Linux version 6\.1\.' "lx-dmesg shows the kernel's log"
like "$(section DMESG)" 'smp: Brought up 1 node, 2 CPUs' "lx-dmesg: the kernel brought both CPUs up"
like "$(section PS)" '(^| )sh$' "lx-ps lists the shell"
like "$GDB_OUT" '^Thread [12] received signal SIGINT, Interrupt\.$|^Program received signal SIGINT' "Ctrl-C stops the kernel"
like "$GDB_OUT" '^\[Inferior 1 \(Remote target\) exited normally\]$' "poweroff: gdb sees the machine exit"
is "$VM_STATUS" 0 "gdbvmm ends with status 0"
like "$(tr -d '\r' <"$T/vm.out")" '^\(none\)$' "the shell printed uname -n's answer after the breakpoint"
done_testing
