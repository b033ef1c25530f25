#!/bin/sh
# os-1k/tests/run-qemu.t: the os-1k program tests under QEMU (TCG); prints TAP.
exec "$(dirname "$0")/run-programs.sh" qemu
