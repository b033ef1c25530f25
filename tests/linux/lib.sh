# tests/linux/lib.sh: boots a Linux kernel under gdbvmm with its console on a pipe and talks to its shell (sourced by tests/linux/*.t).
#
# linux_boot starts gdbvmm with stdin a FIFO the script writes to and the
# console in $T/con; linux_ready waits for the initramfs's line saying the
# shell is there (tests/linux/init); linux_cmd runs one command and puts
# what it printed in $OUT; linux_end waits for gdbvmm to end and sets
# $VM_STATUS. The kernel and initramfs come from tests/linux/build-kernel
# and tests/linux/mkinitramfs, in $LINUX_DIR.
#
#   GDBVMM     the monitor (default ./gdbvmm)
#   LINUX_DIR  the built kernel (default: where tests/linux/build-kernel
#              keeps it, ~/.cache/gdbvmm/linux)

cd "$(dirname "$0")/../.." || exit 1
GDBVMM=${GDBVMM:-./gdbvmm}
LINUX_DIR=${LINUX_DIR:-${GDBVMM_LINUX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gdbvmm/linux}}
BZIMAGE=$LINUX_DIR/bzImage
VMLINUX=$LINUX_DIR/vmlinux
INITRD=$LINUX_DIR/initramfs.cpio.gz
export LC_ALL=C

. tests/lib/tap.sh

for f in "$GDBVMM" "$BZIMAGE" "$VMLINUX" "$INITRD"; do
	[ -s "$f" ] || { echo "Bail out! $f is missing (make linux-kernel)"; exit 1; }
done

# $T, and every gdbvmm started here killed on exit.
. tests/lib/procs.sh
procs_start linux-test

# The line tests/linux/init prints just before it starts the shell.
READY='^gdbvmm-linux: ready'

# linux_boot GDBVMM-ARGS...: starts gdbvmm in the background (under a
# 10-minute guard), stdin the FIFO $T/in held open on fd 3.
linux_boot() {
	exec 3>&- 2>/dev/null
	rm -f "$T/in"
	mkfifo "$T/in"
	: >"$T/con"
	: >"$T/err"
	timeout -s KILL 600 "$GDBVMM" "$@" <"$T/in" >"$T/con" 2>"$T/err" &
	VM_PID=$!
	_pids="$_pids $VM_PID"
	exec 3>"$T/in"
	_cmd_n=0
}

# linux_wait_for REGEX SECONDS: a line of the console matches (\r dropped).
linux_wait_for() {
	local i
	for i in $(seq $(($2 * 10))); do
		tr -d '\r' <"$T/con" | grep -Eq -- "$1" && return 0
		kill -0 "$VM_PID" 2>/dev/null || break
		sleep 0.1
	done
	tr -d '\r' <"$T/con" | grep -Eq -- "$1"
}

# linux_ready DESCRIPTION [SECONDS]: one test point: the shell came up.
linux_ready() {
	if linux_wait_for "$READY" "${2:-240}"; then
		pass "$1"
	else
		fail "$1" "no '$READY' line on the console"
		diag "console (last lines):" "$(tr -d '\r' <"$T/con" | tail -n 20)" \
			"stderr:" "$(cat "$T/err")"
		return 1
	fi
}

# linux_send TEXT: one line to the shell.
linux_send() { printf '%s\n' "$1" >&3; }

# linux_cmd CMD [SECONDS]: runs CMD; its output lines in $OUT. The end is
# a marker the shell computes ($((N))), so that the echoed command line
# never looks like it.
linux_cmd() {
	_cmd_n=$((_cmd_n + 1))
	local n=$_cmd_n
	linux_send "echo @@B\$(($n))@@; $1; echo @@E\$(($n))@@"
	OUT=
	linux_wait_for "^@@E$n@@\$" "${2:-60}" || return 1
	OUT=$(tr -d '\r' <"$T/con" | awk -v b="@@B$n@@" -v e="@@E$n@@" \
		'$0 == e { exit } on { print } $0 == b { on = 1 }')
}

# linux_end [SECONDS]: waits for gdbvmm to end; VM_STATUS is its status,
# or "running" (then it is killed).
linux_end() {
	local i
	exec 3>&- 2>/dev/null
	for i in $(seq $((${1:-60} * 10))); do
		kill -0 "$VM_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$VM_PID" 2>/dev/null; then
		kill -KILL $(pgrep -P "$VM_PID") "$VM_PID" 2>/dev/null
		wait "$VM_PID" 2>/dev/null
		VM_STATUS=running
		return 1
	fi
	wait "$VM_PID"
	VM_STATUS=$?
}

# console: what the machine printed, \r dropped.
console() { tr -d '\r' <"$T/con"; }

# like_line TEXT REGEX DESCRIPTION: one test point: a line of TEXT matches.
like_line() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3" "expected a line matching: $2" "in:" "$1"
	fi
}
