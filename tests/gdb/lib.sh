# tests/gdb/lib.sh: runs gdbvmm with its gdb server and the real gdb against it, and prints TAP about what gdb showed (sourced by tests/gdb/*.t).
#
# A test script sources this, starts a machine with vmm_start, runs gdb
# with gdb_run (each argument one gdb command), asserts on $GDB_OUT with
# like/unlike/is, and ends with done_testing, which prints the plan.
# Every assertion prints one TAP line; a failure adds the evidence (the
# text it looked at) as `# ` comments, which prove shows.
#
#   GDBVMM       the monitor to test (default ./gdbvmm)
#   GDB          the debugger (default gdb)
#   GDB_TIMEOUT  seconds before timeout(1) kills one gdb run (default 30)
#   VM_TIMEOUT   seconds before a leftover gdbvmm is killed (default 60)
#
# The machine always listens on 127.0.0.1:0, a port the kernel picks, so
# tests running at the same time never collide; vmm_start reads the port
# back from gdbvmm's "gdb server on 127.0.0.1:PORT" line. Whatever a test
# started is killed when the script exits, however it exits.
#
# The scripts run from the repository root; they cd there themselves so
# that `prove tests/gdb/x.t` works from anywhere.

cd "$(dirname "$0")/../.." || exit 1
GDBVMM=${GDBVMM:-./gdbvmm}
GDB=${GDB:-gdb}
GDB_TIMEOUT=${GDB_TIMEOUT:-30}
VM_TIMEOUT=${VM_TIMEOUT:-60}
# The C locale keeps gdb's and grep's messages byte-exact.
export LC_ALL=C

# Nothing to test without them: say so, loudly (`make test` builds and
# installs both).
command -v "$GDB" >/dev/null || { echo "Bail out! $GDB not found (make test-deps)"; exit 1; }
[ -x "$GDBVMM" ] || { echo "Bail out! $GDBVMM not built (make)"; exit 1; }

. tests/lib/tap.sh

# $T, and every gdbvmm and background gdb started here killed on exit.
. tests/lib/procs.sh
procs_start gdb-test

# diag_text LABEL TEXT: a text as comments, bytes made visible; a long
# one as its first 20 and last 40 lines.
diag_text() {
	if [ -z "$2" ]; then
		diag "$1: (empty)"
		return
	fi
	diag "$1:"
	local n
	n=$(printf '%s\n' "$2" | wc -l)
	if [ "$n" -le 60 ]; then
		printf '%s\n' "$2" | cat -v | sed 's/^/#   /'
	else
		printf '%s\n' "$2" | head -n 20 | cat -v | sed 's/^/#   /'
		diag "  ... ($n lines in all)"
		printf '%s\n' "$2" | tail -n 40 | cat -v | sed 's/^/#   /'
	fi
}

# like TEXT REGEX DESCRIPTION: some line of TEXT matches the extended
# regular expression; on failure TEXT is shown.
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3" "expected a line matching: $2"
		diag_text "in" "$1"
	fi
}

# unlike TEXT REGEX DESCRIPTION: no line of TEXT matches; on failure the
# matching lines are shown.
unlike() {
	local m
	if m=$(printf '%s\n' "$1" | grep -E -- "$2"); then
		fail "$3" "expected no line matching: $2"
		diag_text "matching lines" "$m"
	else
		pass "$3"
	fi
}

# in_order TEXT DESCRIPTION REGEX...: lines matching each REGEX (grep -E,
# as for like) appear in TEXT in that order, other lines between.
in_order() {
	local text=$1 d=$2 re at=0 n
	shift 2
	for re in "$@"; do
		n=$(printf '%s\n' "$text" | grep -nE -- "$re" | cut -d: -f1 |
			awk -v at="$at" '$1 > at { print; exit }')
		if [ -z "$n" ]; then
			fail "$d" "nothing matches /$re/ after line $at"
			diag_text "in" "$text"
			return 1
		fi
		at=$n
	done
	pass "$d"
}

# ---- the machine ------------------------------------------------------------

# vmm_start [GDBVMM ARGS...]: starts gdbvmm in the background with its gdb
# server on a free loopback port, stdin from $VM_STDIN (default
# /dev/null), stdout to $T/vm.out, stderr to $T/vm.err. Waits for the
# "gdb server on" line and sets VM_PID and PORT. Returns 1 (after a
# failed test point) when the line does not come within 10 s.
# VM_LISTEN overrides the listen spec (e.g. unix:PATH).
vmm_start() {
	local spec=${VM_LISTEN:-127.0.0.1:0} i
	: >"$T/vm.err"
	timeout -s KILL "$VM_TIMEOUT" "$GDBVMM" --gdb "$spec" "$@" \
		<"${VM_STDIN:-/dev/null}" >"$T/vm.out" 2>"$T/vm.err" &
	VM_PID=$!
	_pids="$_pids $VM_PID"
	PORT=
	for i in $(seq 200); do
		if grep -q 'gdb server on' "$T/vm.err"; then
			PORT=$(sed -n 's/^gdbvmm: gdb server on [^ ]*:\([0-9][0-9]*\)\b.*/\1/p' "$T/vm.err" | head -n 1)
			return 0
		fi
		kill -0 "$VM_PID" 2>/dev/null || break
		sleep 0.05
	done
	fail "gdbvmm $* starts its gdb server" "no 'gdb server on' line on stderr"
	diag_text "gdbvmm's stderr" "$(cat "$T/vm.err")"
	return 1
}

# vmm_wait [SECONDS]: waits (default 10 s) for the gdbvmm started last to
# end; sets VM_STATUS to its exit status, or "running" when it did not
# end (it is then killed).
vmm_wait() {
	local i n=$((${1:-10} * 20))
	for i in $(seq "$n"); do
		kill -0 "$VM_PID" 2>/dev/null || break
		sleep 0.05
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

# ---- gdb ----------------------------------------------------------------------

# gdb_run CMD...: runs `gdb -batch -nx`, each CMD one -ex command, under
# timeout(1); stdout and stderr together (gdb's errors go to stderr) in
# $GDB_OUT and $T/gdb.out, exit status in $GDB_STATUS. GDB_ARGS (an array)
# goes before the commands (e.g. a -x FILE).
gdb_run() {
	local a=() c
	for c in "$@"; do
		a+=(-ex "$c")
	done
	# In a subshell whose stderr is dropped: a gdb that aborts is reported
	# by the assertions, not by the shell's "Aborted" line.
	(timeout -s KILL "$GDB_TIMEOUT" "$GDB" -batch -nx "${GDB_INIT[@]}" "${GDB_ARGS[@]}" "${a[@]}" \
		</dev/null >"$T/gdb.out" 2>&1) 2>/dev/null
	GDB_STATUS=$?
	[ "$GDB_STATUS" != 137 ] || echo "gdb killed after ${GDB_TIMEOUT}s" >>"$T/gdb.out"
	GDB_OUT=$(cat "$T/gdb.out")
}
# A gdb that meets an internal error says so and quits, without leaving a
# core file in the tree.
GDB_ARGS=()
GDB_INIT=(-iex 'maint set internal-error corefile no' -iex 'maint set internal-error quit yes')

# gdb_bg OUTFILE CMD...: like gdb_run but in the background, output to
# OUTFILE; sets GDB_PID. Job control is on for it, so that the shell does
# not start it with SIGINT ignored (a test sends it SIGINT as Ctrl-C would).
gdb_bg() {
	local out=$1 a=() c
	shift
	for c in "$@"; do
		a+=(-ex "$c")
	done
	set -m
	timeout -s KILL "$GDB_TIMEOUT" "$GDB" -batch -nx "${GDB_INIT[@]}" "${GDB_ARGS[@]}" "${a[@]}" \
		</dev/null >"$out" 2>&1 &
	GDB_PID=$!
	set +m
	_pids="$_pids $GDB_PID"
}

# gdb_interrupt: Ctrl-C for the gdb started last by gdb_bg: SIGINT to gdb
# itself, once. (Not to timeout(1), which would pass it on to gdb and to
# its whole process group: gdb would see two, and take the second for a
# target that does not answer.)
gdb_interrupt() {
	local p
	p=$(pgrep -P "$GDB_PID" | head -n 1)
	kill -INT "${p:-$GDB_PID}"
}

# The first commands of every session.
connect() { echo "target remote 127.0.0.1:$PORT"; }

# wait_for FILE REGEX [SECONDS]: waits until a line of FILE matches.
wait_for() {
	local i n=$((${3:-10} * 20))
	for i in $(seq "$n"); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# value_after TEXT TAG: the value of the "$N = VALUE" line that follows
# the line "TAG:" in TEXT; a test prints the tag with `echo TAG:\n` just
# before a `p` command.
value_after() {
	printf '%s\n' "$1" | awk -v tag="$2:" '$0 == tag { getline; sub(/^\$[0-9]+ = /, ""); print; exit }'
}

# healthy DESCRIPTION: gdb's output ($GDB_OUT) has no sign of a broken
# session: no internal error, no register size error, no lost connection,
# no timeout.
healthy() {
	unlike "$GDB_OUT" 'internal-error|too long|[Tt]runcated register|Remote .g. packet|Remote communication error|Remote connection closed|Remote failure reply|gdb killed after' "$1"
}
