#!/bin/bash
# os-1k/tests/lane.t: os-1k's program tests and its gdb session under ./gdbvmm, on a KVM with 32-bit paging and protected-mode interrupts (the second lane on kvm-pvm hosts); prints TAP.
cd "$(dirname "$0")/../.." || exit 1
tests=(os-1k/tests/run-gdbvmm.t os-1k/tests/gdb-gdbvmm.t)
if [ -n "${VMLANE:-}" ] || [ ! -e /sys/module/kvm_pvm ]; then
	exec tests/vmlane/tap-merge "${tests[@]}"
fi
exec tests/vmlane/run tests/vmlane/tap-merge "${tests[@]}"
