#!/bin/bash
# tests/gdb/x86_64.t: a gdb session on the 64-bit ELF guests/dbg64.elf: the x86-64 target description, rip, a backtrace, a 64-bit watchpoint, virtual memory through the guest's 4-level page tables.
#
# gdbvmm enters a 64-bit ELF in long mode with the first 4 GiB identity
# mapped by 2 MiB pages (PML4, PDPT, PD), so 0x100000 is mapped and
# 0x100000000 is not.
. "$(dirname "$0")/lib.sh"

ELF=guests/dbg64.elf
vmm_start -S "$ELF" || { done_testing; exit 1; }
gdb_run "file $ELF" "$(connect)" \
	'show architecture' 'info registers rip' \
	'break square' 'continue' 'bt' 'info registers rip' 'p x' \
	'monitor pagewalk 0x100000' 'monitor pagewalk 0x100000000' \
	'x/4xb 0x100000000' 'x/4xb square' \
	'delete' 'watch ticks' 'continue' \
	'info threads' 'detach'
out=$GDB_OUT
healthy "the session stayed healthy (no 'g' packet size error)"
like "$out" '^The target architecture is set to "auto" \(currently "i386:x86-64"\)\.$' "gdb picked x86-64 by itself"
entry=$(readelf -h "$ELF" | awk '/Entry point/ { print $4 }')
like "$out" "^rip +$entry +$entry <_start>\$" "-S: rip is the ELF entry, a 64-bit register"
like "$out" '^Breakpoint 1, square \(x=(x@entry=)?1\) at guests/dbg64\.c:[0-9]+$' "break square fires with x = 1"
in_order "$out" "bt shows square, sum_squares, kmain64, _start" \
	'^#0  square \(x=(x@entry=)?1\) at guests/dbg64\.c:[0-9]+$' \
	'^#1  0x0000000000[0-9a-f]{6} in sum_squares \(n=(n@entry=)?1\) at guests/dbg64\.c:[0-9]+$' \
	'^#2  0x0000000000[0-9a-f]{6} in kmain64 \(' \
	'^#3  0x0000000000[0-9a-f]{6} in _start \(\) at guests/lib/entry64\.S:[0-9]+$'
like "$out" '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <square>$' "info registers rip at square"
in_order "$out" "monitor pagewalk of a mapped address: a 4-level walk to the physical address" \
	'^vCPU 0, 4-level: linear 0x100000$' \
	'^  PML4  entry at 0x[0-9a-f]+ = 0x[0-9a-f]+$' \
	'^  PDPT  entry at 0x[0-9a-f]+ = 0x[0-9a-f]+$' \
	'^  PD    entry at 0x[0-9a-f]+ = 0x[0-9a-f]+$' \
	'^  -> physical 0x100000$'
in_order "$out" "monitor pagewalk above 4 GiB: not mapped" \
	'^vCPU 0, 4-level: linear 0x100000000$' '^  not mapped$'
like "$out" '^0x100000000:	Cannot access memory at address 0x100000000$' "x at an unmapped address is an error"
like "$out" '^0x100000 <square>:(	0x[0-9a-f]{2}){4}$' "x at a mapped address reads the code"
# ticks counts the calls to square: it was 0 at the first call's entry.
in_order "$out" "watch on a 64-bit variable fires with Old/New values" \
	'^Hardware watchpoint [0-9]+: ticks$' '^Old value = 0$' '^New value = 1$'
like "$out" '^\* 1    Thread 1 \(vCPU 0 dbg64\.elf, long mode\) ' "info threads: the vCPU is in long mode"

vmm_wait 10
is "$VM_STATUS" "$(cat tests/guests/dbg64.status)" "after detach the guest ends with its own status"
grep -v '^cmdline:' "$T/vm.out" >"$T/vm.cmp"
if cmp -s "$T/vm.cmp" tests/guests/dbg64.out; then
	pass "the guest's console output is the same as without gdb"
else
	fail "the guest's console output is the same as without gdb" "diff -u expected got:"
	diff -u tests/guests/dbg64.out "$T/vm.cmp" | head -n 30 | sed 's/^/#   /'
fi

done_testing
