# tests/guests/lib.sh: TAP helpers for the guest tests in tests/guests/*.t (sourced, not run).
#
# A test script sources this, calls the helpers below, and ends with
# done_testing, which prints the plan. Each helper prints one TAP line;
# a failure adds the evidence as `# ` comments, which prove shows.
#
#   GDBVMM     the monitor to test (default ./gdbvmm)
#   GUEST_TIMEOUT  seconds before timeout(1) kills one run (default 30)
#
# The scripts run from the repository root (prove is started there by
# `make test`); they cd there themselves so that `prove tests/guests/x.t`
# works from anywhere.

cd "$(dirname "$0")/../.." || exit 1
GDBVMM=${GDBVMM:-./gdbvmm}
GUEST_TIMEOUT=${GUEST_TIMEOUT:-30}
# The C locale keeps sort, grep and the messages byte-exact.
export LC_ALL=C

T=$(mktemp -d "${TMPDIR:-/tmp}/guests-test.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

tap_n=0
tap_failed=0
# Set TODO to a reason around a test point whose failure is a reported bug.
TODO=

_tap_line() { # ok|"not ok" description
	tap_n=$((tap_n + 1))
	local d=${2//$'\n'/ }
	if [ -n "$TODO" ]; then
		echo "$1 $tap_n - $d # TODO $TODO"
	else
		echo "$1 $tap_n - $d"
		[ "$1" = ok ] || tap_failed=$((tap_failed + 1))
	fi
}

# diag TEXT...: comments for the reader, one `# ` per line.
diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

# diag_file LABEL FILE: a file's first lines as comments (shown bytes made visible).
diag_file() {
	if [ ! -s "$2" ]; then
		diag "$1: (empty)"
		return
	fi
	diag "$1:"
	head -n 20 "$2" | cat -v | sed 's/^/#   /'
	[ "$(wc -l <"$2")" -le 20 ] || diag "  ... ($(wc -l <"$2") lines)"
}

# pass DESCRIPTION / fail DESCRIPTION [DIAG...]: every helper returns 0
# when its point passed, 1 when not, so `is ... || diag_file ...` works.
pass() { _tap_line ok "$1"; }

fail() {
	_tap_line "not ok" "$1"
	shift
	[ $# -eq 0 ] || diag "$@"
	return 1
}

# ok DESCRIPTION COMMAND...: passes when COMMAND succeeds.
ok() {
	local d=$1
	shift
	if "$@"; then pass "$d"; else fail "$d"; fi
}

# is GOT EXPECTED DESCRIPTION: string equality.
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3" "     got: '$1'" "expected: '$2'"
	fi
}

# like GOT REGEX DESCRIPTION: extended regular expression match (whole string).
like() {
	if printf '%s' "$1" | grep -Eqz -- "^($2)\$"; then
		pass "$3"
	else
		fail "$3" "     got: '$1'" "expected to match: $2"
	fi
}

# same_file GOT_FILE EXPECTED_FILE DESCRIPTION: byte equality, a diff if not.
same_file() {
	if cmp -s "$1" "$2"; then
		pass "$3"
	else
		fail "$3" "diff -u expected got:"
		diff -u "$2" "$1" | head -n 40 | cat -v | sed 's/^/#   /'
	fi
}

# skip REASON: a test point that cannot run here.
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP $1"
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# vm OUT ERR IN [GDBVMM ARGS...]: runs the monitor with stdin from IN,
# stdout to OUT, stderr to ERR, under timeout(1). Sets $status. A run
# killed by timeout(1) gets status 137 (KILL), so it cannot pass for the
# monitor's own --timeout status 124.
vm() {
	local out=$1 err=$2 in=$3
	shift 3
	timeout -s KILL "$GUEST_TIMEOUT" "$GDBVMM" "$@" <"$in" >"$out" 2>"$err"
	status=$?
	[ "$status" != 137 ] || echo "gdbvmm killed after ${GUEST_TIMEOUT}s" >>"$err"
}

# lines FILE: the number of lines in FILE.
lines() { wc -l <"$1" | tr -d ' '; }

# on_pvm: true on a host whose KVM is kvm-pvm (shared/ENVIRONMENT.md).
on_pvm() { [ -e /sys/module/kvm_pvm ]; }
