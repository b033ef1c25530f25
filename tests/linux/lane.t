#!/bin/bash
# tests/linux/lane.t: the Linux tests (boot.t, gdb.t) on a KVM that runs Linux: here on hardware KVM, else in one boot of the VM lane; builds the test kernel first (cached); prints TAP.
#
# kvm-pvm cannot run a Linux kernel, so on such hosts, as on hosts with
# no KVM at all, they run inside the lane (tests/vmlane/run), with their
# points merged into one stream by tests/vmlane/tap-merge.
cd "$(dirname "$0")/../.." || exit 1
tests="tests/linux/boot.t tests/linux/gdb.t"
LINUX_DIR=${LINUX_DIR:-${GDBVMM_LINUX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gdbvmm/linux}}
export LINUX_DIR
if ! GDBVMM_LINUX_CACHE=$LINUX_DIR tests/linux/build-kernel -q >&2 ||
	! GDBVMM_LINUX_CACHE=$LINUX_DIR tests/linux/mkinitramfs -q >&2; then
	echo "1..1"
	echo "not ok 1 - the test kernel and initramfs were built (tests/linux/build-kernel, tests/linux/mkinitramfs)"
	exit 1
fi
if tests/lib/host-kvm hardware; then
	# shellcheck disable=SC2086 # paths without spaces
	exec tests/vmlane/tap-merge $tests
fi
# About 8 minutes under TCG; the limit only ends a VM that wedged.
export VMLANE_TIMEOUT=${VMLANE_TIMEOUT:-1800}
export VMLANE_PASSENV="${VMLANE_PASSENV:-} LINUX_DIR GDBVMM LINUX_GDB_TRANSCRIPT"
# shellcheck disable=SC2086
exec tests/vmlane/run tests/vmlane/tap-merge $tests
