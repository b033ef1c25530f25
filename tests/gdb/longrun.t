#!/bin/bash
# tests/gdb/longrun.t: breakpoints that the guest reaches after millions of instructions fire, on every KVM: guests/tick.elf fills 1 MiB before its first call to tick().
#
# Where execution breakpoints do not fire (the VM lane, shared by every
# machine without hardware KVM), hbreak and break must not single-step
# the guest to the breakpoint: at 45 us a step the fill alone would take
# minutes, past GDB_TIMEOUT. Each breakpoint must fire at the first call,
# then at every later one; memory at a breakpoint reads as the guest's own
# bytes; the guest ends with its usual output once they are gone.
. "$(dirname "$0")/lib.sh"

ELF=guests/tick.elf
# The first two bytes of tick in the ELF, as gdb's x/2xb prints them.
at=$((0x$(nm "$ELF" | awk '$3 == "tick" { print $1 }')))
BYTES=$(objdump -s -j .text --start-address=$at --stop-address=$((at + 2)) "$ELF" |
	awk '/^ [0-9a-f]+ / { print "0x" substr($2, 1, 2) "\t0x" substr($2, 3, 2) }')

for kind in hbreak break; do
	vmm_start -S "$ELF" || { done_testing; exit 1; }
	gdb_run "file $ELF" "$(connect)" \
		'set breakpoint always-inserted on' \
		"$kind tick" 'continue' 'continue' 'continue' \
		'echo BYTES:\n' 'x/2xb tick' 'monitor info' \
		'delete' 'detach'
	out=$GDB_OUT
	healthy "$kind tick: the session stayed healthy"
	in_order "$out" "$kind tick: fires at the first call (after the 1 MiB fill), then at each next one" \
		'^(Hardware assisted )?[Bb]reakpoint 1, tick \(n=1\) at guests/tick\.c:[0-9]+$' \
		'^(Hardware assisted )?[Bb]reakpoint 1, tick \(n=2\) at guests/tick\.c:[0-9]+$' \
		'^(Hardware assisted )?[Bb]reakpoint 1, tick \(n=3\) at guests/tick\.c:[0-9]+$'
	like "$out" "^0x[0-9a-f]+ <tick>:	$BYTES\$" \
		"$kind tick: memory at the breakpoint reads as the guest's own bytes ($BYTES)"
	z=$([ $kind = hbreak ] && echo 'Z1 hbreak' || echo 'Z0 break')
	how=$(printf '%s\n' "$out" | sed -n "s/^  $z at 0x[0-9a-f]*: //p")
	case $how in
	single-stepping | '') fail "$kind tick: monitor info is not carried out by single-stepping (got '$how')" ;;
	*) pass "$kind tick: monitor info is not carried out by single-stepping ($how)" ;;
	esac
	vmm_wait 30
	is "$VM_STATUS" 1 "$kind tick: after detach the guest runs to its end (status 1)"
	like "$(cat "$T/vm.out")" '^ticks 1000 sum 127580$' "$kind tick: the guest's output is unchanged"
done

done_testing
