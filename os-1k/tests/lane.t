#!/bin/bash
# os-1k/tests/lane.t: os-1k under ./gdbvmm (every program's scripted test, the source-level gdb session, an IDE's gdb/MI session) on a KVM with 32-bit paging and protected-mode interrupts: the second lane on kvm-pvm hosts; prints TAP.
#
# One lane boot runs the three scripts (tests/vmlane/tap-merge renumbers
# their points into one stream). On a host whose KVM can run os-1k
# (hardware KVM, tests/lib/host-kvm) they run here directly; inside the
# lane they are what the lane runs.
cd "$(dirname "$0")/../.." || exit 1
tests="os-1k/tests/run-gdbvmm.t os-1k/tests/gdb-gdbvmm.t os-1k/tests/mi-gdbvmm.t"
if tests/lib/host-kvm hardware; then
	# shellcheck disable=SC2086 # paths without spaces
	exec tests/vmlane/tap-merge $tests
fi
# A normal run takes about 3 minutes under TCG; the default 15 minutes
# would only delay the report of a VM that wedged.
export VMLANE_TIMEOUT=${VMLANE_TIMEOUT:-600}
# shellcheck disable=SC2086
exec tests/vmlane/run tests/vmlane/tap-merge $tests
