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

. tests/lib/tap.sh

T=$(mktemp -d "${TMPDIR:-/tmp}/guests-test.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

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
