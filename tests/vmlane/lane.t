#!/bin/bash
# tests/vmlane/lane.t: the second lane boots, passes commands and results
# through unchanged, and offers a KVM that does what kvm-pvm cannot.
#
# One VM boot runs everything inside (arguments, environment, shares, the
# probe); a second, cut short by VMLANE_TIMEOUT=1, checks the timeout path.
# On the host, the probe must fail where the host's KVM is kvm-pvm.
# The whole script is one { } block: bash reads it completely before running
# it, so editing this file cannot derail a run that is under way.
{
set -u
cd "$(dirname "$0")/../.." || exit 1

B=${B:-build}
PROBE=$B/tests/vmlane/probe
PLAN=21

n=0 fails=0
ok() { # condition-status description
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}
skip() {
	n=$((n + 1))
	echo "ok $n # SKIP $1"
}
diag() { sed 's/^/# /' "$@"; }
# Not enough of the lane to test: every test left fails with one reason.
give_up() {
	while [ "$n" -lt "$PLAN" ]; do
		n=$((n + 1))
		echo "not ok $n - $1"
	done
	exit 1
}
has() { grep -qxF -- "$1" "$OUT/lane.out"; }
has_re() { grep -qE -- "$1" "$OUT/lane.out"; }

if [ -n "${VMLANE:-}" ]; then
	echo "1..0 # SKIP already inside the lane"
	exit 0
fi
if ! command -v "${VMLANE_QEMU:-qemu-system-x86_64}" >/dev/null; then
	echo "1..0 # SKIP qemu-system-x86_64 missing (tests/deps.sh installs it)"
	exit 0
fi
echo "1..$PLAN"
# Inside the project, which the lane mounts read-write; one per run, kept
# when something failed.
mkdir -p tests/out
OUT=$(mktemp -d tests/out/vmlane.XXXXXX) || give_up "cannot create tests/out/vmlane.*"

# 1. The kernel and initramfs (downloads Debian's kernel the first time).
VMLANE_CACHE=${VMLANE_CACHE:-tests/vmlane/cache} vmm/lane/setup -q >"$OUT/setup.log" 2>&1
st=$?
ok $st "vmm/lane/setup prepares the kernel and initramfs"
[ $st = 0 ] || { diag "$OUT/setup.log"; give_up "lane not set up"; }

# 2. The probe: built by make (vmlane.mk), or here when run on its own.
if [ ! -x "$PROBE" ] || [ "$PROBE" -ot tests/vmlane/probe.c ]; then
	${MAKE:-make} -s "$PROBE" >"$OUT/build.log" 2>&1 ||
		{ mkdir -p "$(dirname "$PROBE")" &&
			${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -o "$PROBE" tests/vmlane/probe.c \
				>>"$OUT/build.log" 2>&1; }
fi
[ -x "$PROBE" ]
st=$?
ok $st "the probe is built ($PROBE)"
[ $st = 0 ] || { diag "$OUT/build.log"; give_up "no probe"; }

# 3-17. One boot. The script's arguments: the output directory, then words
# that a careless quoting would change.
# shellcheck disable=SC2016 # expanded inside the VM
inside='
	out=$1
	shift
	echo "argc=$#"
	for a; do printf "arg=<%s>\n" "$a"; done
	echo "env VMLANE=$VMLANE TERM=$TERM HOME=$HOME"
	echo "pwd=$(pwd)"
	case ":$PATH:" in *:/usr/bin:*) echo "path has /usr/bin" ;; esac
	[ -c /dev/kvm ] && echo "kvm is a character device"
	if touch /usr/.vmlane-write-test 2>/dev/null; then echo "root rw"; else echo "root ro"; fi
	echo "written inside" >"$out/written"
	echo "to stderr" >&2
	"$0" all
	echo "probe status=$?"
	printf "no newline at the end"
	exit 7'
start=$(date +%s)
# shellcheck disable=SC2016 # '$HOME' is one of the words that must arrive as is
tests/vmlane/run sh -c "$inside" "$PROBE" "$OUT" "a b" "it's" '$HOME' '"q"' '' 'back\slash' \
	'*' >"$OUT/lane.out" 2>"$OUT/lane.err"
st=$?
secs=$(($(date +%s) - start))
echo "# one lane boot with the probe: ${secs}s"
ok "$([ $st = 7 ]; echo $?)" "run exits with the command's status (7, got $st)"
[ $st = 7 ] || { diag "$OUT/lane.err" "$OUT/lane.out"; give_up "the lane did not run"; }

# shellcheck disable=SC2016
has "argc=7" && has "arg=<a b>" && has "arg=<it's>" && has 'arg=<$HOME>' &&
	has 'arg=<"q">' && has "arg=<>" && has 'arg=<back\slash>' && has 'arg=<*>'
ok $? "arguments with spaces, quotes, \$, \\, * and empty ones arrive unchanged"
has "env VMLANE=1 TERM=dumb HOME=/tmp"
ok $? "VMLANE=1, TERM=dumb, HOME=/tmp inside"
has "pwd=$(pwd -P)" && has "path has /usr/bin"
ok $? "the command runs in the project directory with a usual PATH"
has "kvm is a character device"
ok $? "/dev/kvm exists inside"
has "root ro"
ok $? "the host's root is read-only inside"
[ "$(cat "$OUT/written" 2>/dev/null)" = "written inside" ]
ok $? "a file written inside the project shows on the host"
has "to stderr"
ok $? "stderr comes back too"
! grep -q $'\r' "$OUT/lane.out"
ok $? "no carriage returns added by the serial console"
[ "$(tail -c 21 "$OUT/lane.out")" = "no newline at the end" ] &&
	[ "$(tail -c 1 "$OUT/lane.out" | od -An -c | tr -d ' ')" = d ]
ok $? "output that does not end in a newline comes back unchanged"
[ ! -s "$OUT/lane.err" ]
ok $? "nothing on run's stderr when all went well"
has "probe status=0" && has "probe ok"
ok $? "the probe passes in the lane"
has_re "^paging ok cr0=0x8[0-9a-f]{7}$"
ok $? "in the lane: 32-bit paging (CR0.PG without EFER.LME)"
has_re '^idt ok int [$]0x80' && has "iret ok eax=0xedcb5432"
ok $? "in the lane: int \$0x80 through the IDT, and iret"
has "pf ok cr2=0x00300000 err=0x0" && has "pf restart ok value=0xc0ffee42"
ok $? "in the lane: #PF with CR2, handled and restarted"
grep -q "^probe ok" "$OUT/lane.out" || diag "$OUT/lane.out"

# 18. Timeouts end the VM with status 125 and one line.
VMLANE_TIMEOUT=1 tests/vmlane/run true >"$OUT/timeout.out" 2>"$OUT/timeout.err"
st=$?
[ $st = 125 ] && grep -q '^vmlane: timeout' "$OUT/timeout.err"
ok $? "VMLANE_TIMEOUT: status 125 and a line saying so (got $st)"

# 19. Unusable arguments are refused before any boot.
tests/vmlane/run >/dev/null 2>&1
[ $? = 125 ]
ok $? "run without a command exits 125"

# 20-21. The host: on kvm-pvm the same guest must fail, which is why the lane
# exists. Elsewhere (a real KVM host, or none) there is nothing to assert.
if [ -d /sys/module/kvm_pvm ] && tests/lib/host-kvm; then
	"$PROBE" paging >"$OUT/host-paging.out" 2>&1
	st=$?
	[ $st = 1 ] && grep -q "KVM_EXIT_SHUTDOWN" "$OUT/host-paging.out"
	ok $? "host kvm-pvm: 32-bit paging ends in SHUTDOWN (status $st)"
	diag "$OUT/host-paging.out"
	"$PROBE" idt >"$OUT/host-idt.out" 2>&1
	st=$?
	[ $st = 1 ] && grep -q "KVM_EXIT_INTERNAL_ERROR" "$OUT/host-idt.out"
	ok $? "host kvm-pvm: int \$0x80 in protected mode is an internal error (status $st)"
	diag "$OUT/host-idt.out"
else
	skip "the host has no kvm-pvm /dev/kvm: nothing to compare"
	skip "the host has no kvm-pvm /dev/kvm: nothing to compare"
fi
if [ "$fails" = 0 ]; then
	rm -rf "$OUT"
else
	echo "# outputs kept in $OUT"
fi
exit $((fails > 0))
}
