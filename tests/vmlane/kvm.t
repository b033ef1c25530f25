#!/bin/bash
# tests/vmlane/kvm.t: every test that starts ./gdbvmm, in one boot of the VM lane, for a machine without a usable /dev/kvm; prints their TAP as one stream.
#
#   KVM_TESTS="tests/guests/run.t ..." tests/vmlane/kvm.t
#
# make test runs this instead of the scripts themselves when
# tests/lib/host-kvm says there is no KVM here (or TEST_LANE=1). One boot
# serves them all: tests/vmlane/tap-merge renumbers their points, each
# prefixed with its script's name. GDBVMM (a sanitizer build), B and the
# sanitizers' options reach the scripts inside (VMLANE_PASSENV);
# KVM_TESTS_WRAP is a command put before them inside (make tsan-test's
# setarch -R, which does not cross into the VM by itself).
{
cd "$(dirname "$0")/../.." || exit 1
tests=${KVM_TESTS:-}
if [ -z "$tests" ]; then
	echo "1..1"
	echo "not ok 1 - KVM_TESTS names no test script (make test sets it)"
	exit 1
fi
# shellcheck disable=SC2086 # a list of paths without spaces
if [ -n "${VMLANE:-}" ]; then
	exec ${KVM_TESTS_WRAP:-} tests/vmlane/tap-merge $tests
fi
if ! command -v "${VMLANE_QEMU:-qemu-system-x86_64}" >/dev/null; then
	echo "1..1"
	echo "not ok 1 - no usable /dev/kvm here and no qemu-system-x86_64 for the lane (apt-get install qemu-system-x86)"
	exit 1
fi
# About 6 minutes for the whole suite under TCG on a 2-core machine; a
# sanitizer build takes longer. The limit only ends a VM that wedged.
export VMLANE_TIMEOUT=${VMLANE_TIMEOUT:-2700}
export VMLANE_PASSENV="${VMLANE_PASSENV:-} KVM_TESTS KVM_TESTS_WRAP GDBVMM B RAWCLIENT PROVE_FLAGS"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# shellcheck disable=SC2086
tests/vmlane/run ${KVM_TESTS_WRAP:-} tests/vmlane/tap-merge $tests | tee "$out"
st=${PIPESTATUS[0]}
if ! grep -q '^1\.\.' "$out"; then
	# the lane did not run the scripts (tests/vmlane/run printed why on
	# stderr): one failing point that says so, not a missing plan
	n=$(grep -cE '^(not )?ok ' "$out")
	echo "not ok $((n + 1)) - the VM lane ran the KVM tests (tests/vmlane/run exit status $st)"
	echo "1..$((n + 1))"
	exit 1
fi
exit "$st"
}
