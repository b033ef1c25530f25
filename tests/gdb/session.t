#!/bin/bash
# tests/gdb/session.t: a whole gdb session on the 32-bit Multiboot kernel guests/dbg.elf, as a user types it, with no `set architecture`.
#
# gdbvmm -S stops before the first instruction; gdb reads the i386
# target description by itself (no 'g' packet size error, no "too
# long"); hbreak and break fire; info registers, x, p, stepi, next,
# finish and bt show what the source says; detach lets the guest run to
# its end with its usual output and exit status.
. "$(dirname "$0")/lib.sh"

ELF=guests/dbg.elf
vmm_start -S "$ELF" || { done_testing; exit 1; }
like "$(cat "$T/vm.err")" "^gdbvmm: gdb server on 127\.0\.0\.1:$PORT, waiting for gdb before the first instruction\$" \
	"-S: gdbvmm says it waits for gdb on loopback"

gdb_run "file $ELF" "$(connect)" \
	'echo PC0:\n' 'p/x $pc' \
	'echo FCTRL:\n' 'p/x $fctrl' 'echo FTAG:\n' 'p/x $ftag' 'echo MXCSR:\n' 'p/x $mxcsr' \
	'set $mxcsr = 0x1fa0' 'echo MXCSR2:\n' 'p/x $mxcsr' 'set $mxcsr = 0x1f80' \
	'show architecture' \
	'hbreak kmain' 'break step' \
	'continue' \
	'info registers' \
	'continue' 'continue' 'continue' \
	'x/16xb &state' 'p state' 'x/s state.name' \
	'echo PC1:\n' 'p/x $pc' 'stepi' 'echo PC2:\n' 'p/x $pc' \
	'next' 'next' \
	'delete' 'break add' 'continue' 'finish' \
	'delete' 'break fib if n == 0' 'continue' 'bt' \
	'delete' 'detach'
out=$GDB_OUT

# Stopped before the first instruction: the ELF's entry point.
entry=$(readelf -h "$ELF" | awk '/Entry point/ { print $4 }')
is "$(value_after "$out" PC0)" "$entry" "-S: the first stop is at the ELF entry ($entry)"
like "$out" '^_start \(\) at guests/lib/entry32\.S:[0-9]+$' "the first frame is _start in entry32.S"
# A new vCPU's x87 and SSE state is the power-up one (Intel SDM vol. 3A,
# table 10-1): control word 0x37f, an empty stack (full tag word 0xffff:
# 11 for each register), MXCSR 0x1f80.
is "$(value_after "$out" FCTRL)" 0x37f "-S: \$fctrl is the power-up 0x37f"
is "$(value_after "$out" FTAG)" 0xffff "-S: \$ftag says all eight registers are empty (0xffff)"
is "$(value_after "$out" MXCSR)" 0x1f80 "-S: \$mxcsr is the power-up 0x1f80"
is "$(value_after "$out" MXCSR2)" 0x1fa0 "set \$mxcsr = 0x1fa0 reads back (the precision flag, bit 5)"
like "$out" '^The target architecture is set to "auto" \(currently "i386"\)\.$' \
	"gdb picked i386 by itself"
unlike "$out" 'too long|[Tt]runcated register|Remote .g. packet|set architecture' \
	"no 'g' packet size error or warning anywhere"
unlike "$out" 'internal-error|Remote communication error|Remote connection closed' \
	"gdb and the connection stayed healthy"

like "$out" '^Hardware assisted breakpoint 1 at 0x[0-9a-f]+: file guests/dbg\.c, line [0-9]+\.$' \
	"hbreak kmain is a hardware breakpoint"
in_order "$out" "hbreak kmain fires first, then break step, with the arguments" \
	'^Breakpoint 1, kmain \(magic=732803074, mbi=0x[0-9a-f]+\) at guests/dbg\.c:[0-9]+$' \
	'^Breakpoint 2, step \(i=0\) at guests/dbg\.c:[0-9]+$' \
	'^Breakpoint 2, step \(i=1\) at guests/dbg\.c:[0-9]+$' \
	'^Breakpoint 2, step \(i=2\) at guests/dbg\.c:[0-9]+$'
# Multiboot: EAX holds the magic, the flat segments come from the loader.
like "$out" '^eip +0x[0-9a-f]+ +0x[0-9a-f]+ <kmain>$' "info registers: eip is at kmain"
like "$out" '^cs +0x8 +8$' "info registers: cs is the loader's flat code selector"
like "$out" '^cr0 +0x[0-9a-f]*1 +\[ PE( [A-Z]+)* \]$' "info registers: cr0 has PE"
like "$out" '^esp +0x[0-9a-f]+ +0x[0-9a-f]+$' "info registers: esp"
# Three entries into step(): iterations went 0, 1, 2 (bytes 4-7 of state).
like "$out" '^0x[0-9a-f]+ <state>:(	0x[0-9a-f]{2}){4}	0x02	0x00	0x00	0x00$' \
	"x/16xb &state: iterations (bytes 4-7) is 2 after two loops"
like "$out" '^0x[0-9a-f]+ <state\+8>:(	0x[0-9a-f]{2}){8}$' "x/16xb &state: the second line of 8 bytes"
like "$out" '^\$[0-9]+ = \{name = 0x[0-9a-f]+ "dbg", iterations = 2, sum = 1, where = \{x = 1, y = 1\}\}$' \
	"p state: the whole struct"
like "$out" '^0x[0-9a-f]+:	"dbg"$' "x/s state.name reads the string through the pointer"

pc1=$(value_after "$out" PC1)
pc2=$(value_after "$out" PC2)
if [ -n "$pc1" ] && [ -n "$pc2" ] && [ $((pc2)) -gt $((pc1)) ] && [ $((pc2 - pc1)) -le 15 ]; then
	pass "stepi moves \$pc by one instruction ($pc1 -> $pc2)"
else
	fail "stepi moves \$pc by one instruction" "before: '$pc1' after: '$pc2'"
fi
like "$out" '^71[[:space:]]+int f = fib\(i\);$' "next reaches the fib call line"
like "$out" '^73[[:space:]]+counter\+\+;$' "next steps over fib() to the next line"
in_order "$out" "finish returns from add to step with add's value" \
	'^Breakpoint [0-9]+, add \(a=1, b=2\) at guests/dbg\.c:[0-9]+$' \
	'^(Run till exit from .*|0x[0-9a-f]+ in step \(i=2\) at guests/dbg\.c:75)$' \
	'^Value returned is \$[0-9]+ = 3$'
# In step(3), fib(3) calls fib(2), which calls fib(1) and then fib(0).
in_order "$out" "bt at fib(0) shows the recursion fib(2), fib(3), step(3), kmain, _start" \
	'^#0  fib \(n=0\) at guests/dbg\.c:[0-9]+$' \
	'^#1  0x[0-9a-f]+ in fib \(n=(n@entry=)?2\) at guests/dbg\.c:[0-9]+$' \
	'^#2  0x[0-9a-f]+ in fib \(n=(n@entry=)?3\) at guests/dbg\.c:[0-9]+$' \
	'^#3  0x[0-9a-f]+ in step \(i=3\) at guests/dbg\.c:[0-9]+$' \
	'^#4  0x[0-9a-f]+ in kmain \(magic=732803074, mbi=0x[0-9a-f]+\) at guests/dbg\.c:[0-9]+$' \
	'^#5  0x[0-9a-f]+ in _start \(\) at guests/lib/entry32\.S:[0-9]+$'
like "$out" '^\[Inferior 1 \(Remote target\) detached\]$' "detach"

# After detach the guest runs to its end as it does without gdb.
vmm_wait 10
is "$VM_STATUS" "$(cat tests/guests/dbg.status)" "after detach the guest ends with its own status"
grep -v '^cmdline:' "$T/vm.out" >"$T/vm.cmp"
if cmp -s "$T/vm.cmp" tests/guests/dbg.out; then
	pass "the guest's console output is the same as without gdb"
else
	fail "the guest's console output is the same as without gdb" "diff -u expected got:"
	diff -u tests/guests/dbg.out "$T/vm.cmp" | head -n 30 | sed 's/^/#   /'
fi

done_testing
