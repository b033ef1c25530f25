#!/bin/bash
# tests/deps.sh: installs what the tests need on Debian 12, and does nothing
# (quickly) when it is all there. Prints one line saying which.
#
# Usage: tests/deps.sh [GROUP...]   (default: tests)
#
# tests (make test):
#   gdb              the gdb tests drive the real gdb
#   qemu-system-x86  the second lane (tests/vmlane) and the reference gdb stub
#   busybox-static   the lane's initramfs (static: it has no libc of its own)
#   perl             prove, and the lane's console filter
#   xz-utils         unpacks the lane's kernel (xz-compressed vmlinux)
#   time, iproute2, util-linux  /usr/bin/time, ss and script for the console
#                    and listen tests; setarch for make tsan-test
#   valgrind, strace the leak and security tests (tests/hostile)
#   man-db           man -l on the installed gdbvmm(1) (tests/guests/install.t)
#   lldb             tests/gdb/lldb.t: a second client of the remote protocol
#   python3          tests/gdb/mi-drive: drives gdb/MI for tests/gdb/mi.t,
#                    and tests/bench/charts draws make bench's SVG charts
# clang (make asan, ubsan, tsan, fuzz and their -test targets):
#   clang            the sanitizer builds and the libFuzzer harnesses
#   libclang-rt-dev  clang's runtimes: ASan, UBSan, TSan, libFuzzer (clang
#                    alone, without its recommends, links none of them)
#   llvm             llvm-symbolizer: function names and lines in reports
#
# The lane's Debian kernel is not a dependency here: tests/vmlane/setup
# downloads it into a cache without installing it.
set -eu

# package:command that must work afterwards (no command: the package alone)
need=
[ $# -gt 0 ] || set -- tests
for group in "$@"; do
	case $group in
	tests)
		need="$need gdb:gdb qemu-system-x86:qemu-system-x86_64 busybox-static:busybox
			perl:prove xz-utils:xz time:/usr/bin/time iproute2:ss util-linux:script
			valgrind:valgrind strace:strace man-db:man lldb:lldb python3:python3"
		;;
	clang)
		need="$need clang:clang libclang-rt-dev: llvm:llvm-symbolizer"
		;;
	*)
		echo "usage: tests/deps.sh [tests] [clang]" >&2
		exit 2
		;;
	esac
done

missing=
for pc in $need; do
	p=${pc%%:*} c=${pc#*:}
	if ! dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' ||
		{ [ -n "$c" ] && ! command -v "$c" >/dev/null; }; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "tests/deps.sh: all present ($*)"
	exit 0
fi

as_root=
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		as_root=sudo
	else
		echo "tests/deps.sh: missing:$missing; run as root: apt-get install$missing" >&2
		exit 1
	fi
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # one word per package
if ! { $as_root apt-get update -qq &&
	$as_root apt-get install -y -qq --no-install-recommends $missing; } >"$log" 2>&1; then
	tail -n 20 "$log" >&2
	echo "tests/deps.sh: apt-get install$missing failed" >&2
	exit 1
fi
echo "tests/deps.sh: installed$missing"
