# tests/lib/tap.sh: the TAP core of the test libraries (tests/guests/lib.sh, tests/gdb/lib.sh), sourced by them.
#
# Each helper prints one TAP line and returns 0 when its point passed, 1
# when not, so `is ... || diag ...` adds evidence to a failure. A script
# ends with done_testing, which prints the plan and fails if a point did
# (a TODO point does not count). What a test compares its text with
# (`like`) differs between the libraries and stays in each.

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

# pass DESCRIPTION / fail DESCRIPTION [DIAG...]
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

# skip REASON: a test point that cannot run here, said so in the TAP line.
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP $1"
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# on_pvm: true where the KVM the tests use is kvm-pvm (docs/testing.md):
# the module is there and binds a /dev/kvm, and this is not the VM lane.
tap_lib=$(dirname "${BASH_SOURCE[0]}")
on_pvm() { [ -e /sys/module/kvm_pvm ] && "$tap_lib/host-kvm" && [ -z "${VMLANE:-}" ]; }
