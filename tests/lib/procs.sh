# tests/lib/procs.sh: a test script's scratch directory and the processes it started in the background, all gone when the script exits, however it exits (sourced by tests/gdb/lib.sh and tests/linux/lib.sh).
#
# procs_start NAME makes the scratch directory $T (NAME in its name) and
# sets the traps. A script adds each background process it starts to
# $_pids; most run under timeout(1), so the child goes first (killing
# timeout alone would leave it running), then timeout itself. fd 3, which
# some scripts hold open on a FIFO as a machine's stdin, is closed first,
# so that such a machine sees the end of its input.

_pids=
_cleanup() {
	local p
	exec 3>&- 2>/dev/null
	for p in $_pids; do
		kill -0 "$p" 2>/dev/null || continue
		kill -KILL $(pgrep -P "$p") 2>/dev/null
		{ kill -KILL "$p" && wait "$p"; } 2>/dev/null
	done
	rm -rf "$T"
}

procs_start() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 1
	trap _cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# No job control (tests/gdb/lib.sh's gdb_bg turns it on for one
	# command only).
	set +m
}
