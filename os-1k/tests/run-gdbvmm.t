#!/bin/sh
# os-1k/tests/run-gdbvmm.t: the os-1k program tests under ./gdbvmm; needs a KVM with 32-bit paging (tests/vmlane/run on kvm-pvm hosts); prints TAP.
exec "$(dirname "$0")/run-programs.sh" gdbvmm
