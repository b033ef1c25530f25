#!/bin/bash
# os-1k/tests/lane.t: os-1k's program tests under ./gdbvmm, on a KVM with 32-bit paging and protected-mode interrupts (the second lane on kvm-pvm hosts); prints TAP.
#
# The source-level gdb session (os-1k/tests/gdb-gdbvmm.t) runs with
# `make os-1k-test-vmlane`: it passes alone in the lane, but in a CI dry
# run from a fresh clone, booted together with these tests, it did not
# finish within the lane's 15 minutes; until that is understood it stays
# out of `make test`.
cd "$(dirname "$0")/../.." || exit 1
if [ -n "${VMLANE:-}" ] || [ ! -e /sys/module/kvm_pvm ]; then
	exec os-1k/tests/run-gdbvmm.t
fi
exec tests/vmlane/run os-1k/tests/run-gdbvmm.t
