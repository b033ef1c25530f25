#!/bin/bash
# tests/gdb/realmode.t: real mode is first class: $pc, breakpoints and memory are linear (CS.base + IP), the real CS:IP stays visible ($ip, $cs, monitor regs); the top-level gdbinit follows the guest from i8086 to i386.
#
# guests/counter.bin is loaded at linear 0x10000 and started at
# 1000:0000; its loop is `incl count` (offset 0), then `mov count, %eax`
# (5), `call put_dec` (9). Its ELF, linked at 0, gives gdb the symbols
# with `add-symbol-file build/guests/counter.elf -o 0x10000`.
. "$(dirname "$0")/lib.sh"

vmm_start -S guests/counter.bin || { done_testing; exit 1; }
gdb_run "$(connect)" \
	'echo PC0:\n' 'p/x $pc' 'echo IP0:\n' 'p/x $ip' 'echo CS0:\n' 'p/x $cs' 'echo CSBASE0:\n' 'p/x $cs_base' \
	'hbreak *0x10009' 'continue' \
	'echo PC1:\n' 'p/x $pc' 'echo IP1:\n' 'p/x $ip' 'echo EIP1:\n' 'p/x $eip' \
	'monitor regs' 'x/wd 0x1007d' \
	'stepi' 'echo IP2:\n' 'p/x $ip' 'echo PC2:\n' 'p/x $pc' \
	'delete' \
	'add-symbol-file build/guests/counter.elf -o 0x10000' \
	'break put_dec' 'continue' 'bt 1' 'delete' \
	'watch *(int *)&count' 'continue' 'delete' \
	'continue'
out=$GDB_OUT
healthy "the session stayed healthy"
is "$(value_after "$out" PC0)" 0x10000 "-S: \$pc is the linear start, CS.base + IP = 0x10000"
is "$(value_after "$out" IP0)" 0x0 "-S: \$ip is the offset, 0"
is "$(value_after "$out" CS0)" 0x1000 "-S: \$cs is the real-mode segment 0x1000"
is "$(value_after "$out" CSBASE0)" 0x10000 "-S: \$cs_base is 0x10000"
like "$out" '^Hardware assisted breakpoint 1 at 0x10009$' "hbreak at a linear address"
like "$out" '^Breakpoint 1, 0x00010009 in \?\? \(\)$' "the breakpoint at linear 0x10009 fires"
is "$(value_after "$out" PC1)" 0x10009 "at the breakpoint \$pc is linear"
is "$(value_after "$out" IP1)" 0x9 "at the breakpoint \$ip is the offset 9"
is "$(value_after "$out" EIP1)" 0x10009 "\$eip is linear too (the i386 pc)"
like "$out" '^  real CS:IP 1000:0009 \(linear 0x10009\)$' "monitor regs shows the real CS:IP and the linear address"
like "$out" '^0x1007d:	1$' "memory is linear: count (DS:0x7d) is at 0x1007d and is 1"
# The instruction at 9 is `call put_dec`: stepi enters put_dec (offset 0x4c).
is "$(value_after "$out" PC2)" 0x1004c "stepi into a real-mode call: \$pc is linear 0x1004c"
is "$(value_after "$out" IP2)" 0x4c "stepi into a real-mode call: \$ip is put_dec's offset 0x4c"
like "$out" '^Breakpoint [0-9]+ at 0x1004c: file guests/lib16\.S, line [0-9]+\.$' \
	"break put_dec: the symbol at its linear address (add-symbol-file -o 0x10000)"
like "$out" '^Breakpoint [0-9]+, put_dec \(\) at guests/lib16\.S:[0-9]+$' "a software breakpoint in real mode fires"
in_order "$out" "watch on count (via single-stepping) fires with Old/New values" \
	'^Hardware watchpoint [0-9]+: \*\(int \*\)&count$' '^Old value = [0-9]+$' '^New value = [0-9]+$'
like "$out" '^\[Inferior 1 \(Remote target\) exited normally\]$' "continue to the guest's end"
vmm_wait 10
is "$VM_STATUS" 0 "gdbvmm ends with the guest's status 0"
if cmp -s "$T/vm.out" tests/guests/counter.out; then
	pass "the console output is counter's usual 1..20"
else
	fail "the console output is counter's usual 1..20"
	diff -u tests/guests/counter.out "$T/vm.out" | head -n 20 | sed 's/^/#   /'
fi

# --- writing $pc in real mode --------------------------------------------------------
# docs/rsp.md: IP = pc - CS.base when that fits 16 bits, else CS = pc >> 4
# and IP = pc & 15.
vmm_start -S guests/counter.bin || { done_testing; exit 1; }
gdb_run "$(connect)" 'set $pc = 0x10005' 'echo IPA:\n' 'p/x $ip' 'echo CSA:\n' 'p/x $cs' \
	'set $pc = 0x20010' 'echo IPB:\n' 'p/x $ip' 'echo CSB:\n' 'p/x $cs' 'echo PCB:\n' 'p/x $pc' 'kill'
out=$GDB_OUT
healthy "set \$pc: the session stayed healthy"
is "$(value_after "$out" IPA):$(value_after "$out" CSA)" "0x5:0x1000" "set \$pc = 0x10005 in CS 0x1000: IP 5, CS kept"
is "$(value_after "$out" IPB):$(value_after "$out" CSB)" "0x0:0x2001" "set \$pc = 0x20010 (out of CS's reach): CS 0x2001, IP 0"
is "$(value_after "$out" PCB)" 0x20010 "\$pc reads back the linear address written"
vmm_wait 10

# --- gdbinit: i8086 in real mode, i386 after guests/pm32.bin switches -------------
# gdb -x gdbinit, as docs/debugging.md says; GDBVMM_PORT picks our port.
# pm32.bin starts with `pushal; mov $0xb3, %ebx` (66 60, 66 bb b3 00 00 00):
# 16-bit code with operand-size prefixes, which i386 decoding reads as
# `pushaw; mov $0xb3, %bx; add %al, (%eax)`. pm_entry is 32-bit code:
# `mov $0x10, %ax` (66 b8 10 00), then `mov %eax, %ds` (8e d8).
vmm_start -S guests/pm32.bin || { done_testing; exit 1; }
GDB_ARGS=(-ex 'symbol-file -o 0x10000 build/guests/pm32.elf' -x gdbinit)
GDBVMM_PORT=$PORT gdb_run 'echo ARCH0:\n' 'show architecture' 'x/2i $pc' \
	'hbreak pm_entry' 'continue' \
	'echo ARCH1:\n' 'show architecture' 'x/2i $pc' 'info threads' 'continue'
GDB_ARGS=()
out=$GDB_OUT
healthy "gdbinit: the session stayed healthy"
like "$out" '^_start \(\) at guests/pm32\.S:[0-9]+$' "gdbinit connects by itself (GDBVMM_PORT) and stops at _start"
# A machine of real-mode images is described as i8086 (gdb 13 would not
# let `set architecture i8086` override an i386 description); gdbinit
# sets i386 once the vCPU is in protected mode.
in_order "$out" "gdbinit: in real mode the architecture is i8086" \
	'^ARCH0:$' '^The target architecture is set to "auto" \(currently "i8086"\)\.$'
in_order "$out" "gdbinit: x/i decodes 16-bit code before the switch" \
	'^=> 0x10000 <_start>:[[:space:]]+pushal$' \
	'^   0x10002 <_start\+2>:[[:space:]]+mov +\$0xb3,%ebx$'
in_order "$out" "gdbinit: after the switch the architecture is i386" \
	'^ARCH1:$' '^The target architecture is set to "i386"\.$'
in_order "$out" "gdbinit: x/i decodes 32-bit code after the switch" \
	'^=> 0x1005a <pm_entry>:[[:space:]]+mov +\$0x10,%ax$' \
	'^   0x1005e <pm_entry\+4>:[[:space:]]+mov +%eax,%ds$'
like "$out" '^\* 1    Thread 1 \(vCPU 0 pm32\.bin, protected mode\) ' "info threads follows the switch: protected mode"
like "$out" '^\[Inferior 1 \(Remote target\) exited normally\]$' "pm32 runs to its end under gdb"
vmm_wait 10
is "$VM_STATUS" 0 "gdbvmm ends with pm32's status 0"

# --- stepi over port I/O ------------------------------------------------------------
# guests/bench-hc.bin loops on `mov $4,%ax` (0x10009), `out %ax,(%dx)`
# (0x1000c, a hypercall), `dec %esi` (0x1000d). A step over the `out`
# must stop after it: in the VM lane KVM itself loses that step's trap
# once userspace did the I/O (the engine then reports it, debug.c).
vmm_start -S guests/bench-hc.bin || { done_testing; exit 1; }
gdb_run 'set architecture i8086' "$(connect)" 'hbreak *0x1000c' 'continue' 'delete' \
	'stepi' 'echo PCA:\n' 'p/x $pc' 'stepi' 'echo PCB:\n' 'p/x $pc' 'kill'
healthy "stepi over out: the session stayed healthy"
is "$(value_after "$GDB_OUT" PCA)" 0x1000d "stepi over a hypercall's out stops at the next instruction"
is "$(value_after "$GDB_OUT" PCB)" 0x1000f "and the next stepi goes on from there"

done_testing
