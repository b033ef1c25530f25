#!/bin/bash
# tests/gdb/monitor.t: gdb's `monitor` commands: help, info, regs, phys on|off, sstep irq on|off, pagewalk ADDR, quit, and an unknown one.
. "$(dirname "$0")/lib.sh"

ELF=guests/dbg.elf
vmm_start -S "$ELF" || { done_testing; exit 1; }
gdb_run "file $ELF" "$(connect)" 'hbreak step' 'continue' \
	'echo HELP:\n' 'monitor help' \
	'echo INFO:\n' 'monitor info' \
	'echo REGS:\n' 'monitor regs' \
	'echo SSTEP:\n' 'monitor sstep irq off' 'monitor sstep irq on' 'monitor sstep' \
	'echo WALK:\n' 'monitor pagewalk 0x100410' 'monitor pagewalk nonsense' \
	'echo PHYS:\n' 'monitor phys on' 'x/s state.name' 'monitor phys' 'monitor phys off' \
	'echo UNKNOWN:\n' 'monitor frobnicate' \
	'echo QUIT:\n' 'monitor quit' 'info threads'
out=$GDB_OUT
# Only `monitor quit` may end the connection here.
unlike "$out" 'internal-error|too long|gdb killed after' "the session stayed healthy"
in_order "$out" "monitor help: the stub's own commands" \
	'^HELP:$' '^  help ' '^  phys on\|off ' '^  quit '
# The machine's own commands follow (vmm/gdbserver.c).
in_order "$out" "monitor help: the machine's commands" \
	'^HELP:$' '^machine commands:$' '^  info ' '^  regs ' '^  sstep +irq on\|off' '^  pagewalk +ADDR'
in_order "$out" "monitor info: the host's abilities and the strategies" \
	'^INFO:$' '^host KVM: ' '^  single-step: (yes|no); intercepted int3: (yes|no); execution breakpoints: (yes|no); data breakpoints: (yes|no)$' \
	'^strategies: Z0 by .*; Z1 by .*; Z2 by '
in_order "$out" "monitor regs: the vCPU, its mode and every segment with its hidden part" \
	'^REGS:$' '^vCPU 0 \(dbg\.elf\): protected mode$' \
	'^  cs   0008 base 0x00000000 limit 0xffffffff type 0xb s 1 dpl 0 p 1 db 1 l 0 g 1$' \
	'^  ss   0010 base 0x00000000 ' '^  gdtr base 0x[0-9a-f]+ limit 0x[0-9a-f]+$' \
	'^  cr0 0x[0-9a-f]+ cr2 0x[0-9a-f]+ cr3 0x[0-9a-f]+ cr4 0x[0-9a-f]+ efer 0x[0-9a-f]+$'
in_order "$out" "monitor sstep irq off, on, and its usage" \
	'^SSTEP:$' '^single-step enters no interrupt handlers' '^single-step may enter interrupt handlers$' \
	'^usage: monitor sstep irq on\|off$'
in_order "$out" "monitor pagewalk with paging off: linear is physical" \
	'^WALK:$' '^vCPU 0, .*linear 0x100410$' '^  -> physical 0x100410$' '^usage: monitor pagewalk ADDRESS$'
in_order "$out" "monitor phys on: memory by physical address, then off again" \
	'^PHYS:$' '^phys on: addresses are guest-physical$' '^0x[0-9a-f]+:	"dbg"$' \
	'^phys on: addresses are guest-physical$' '^phys off: addresses are virtual$'
in_order "$out" "an unknown command is named, with a hint" \
	'^UNKNOWN:$' '^unknown monitor command: frobnicate \(try `monitor help`\)$'
in_order "$out" "monitor quit ends the machine" '^QUIT:$' '^gdbvmm: machine killed$'
vmm_wait 10
is "$VM_STATUS" 0 "monitor quit: gdbvmm ends with status 0"

# --- phys on with paging: no breakpoint at a physical address ------------------------
# dbg64.elf runs with paging on: a breakpoint by physical address cannot
# be compared with the linear pc, so the stub refuses it; memory reads work.
vmm_start -S guests/dbg64.elf || { done_testing; exit 1; }
gdb_run 'file guests/dbg64.elf' "$(connect)" 'monitor phys on' 'x/4xb 0x100000' \
	'hbreak *0x100000' 'continue' 'delete' 'monitor phys off' 'hbreak square' 'continue' 'kill'
out=$GDB_OUT
healthy "dbg64: the session stayed healthy"
like "$out" '^0x100000 <square>:(	0x[0-9a-f]{2}){4}$' "phys on with paging: memory reads by physical address"
in_order "$out" "phys on with paging: a breakpoint at a physical address is refused" \
	'^Hardware assisted breakpoint 1 at 0x100000' '^Cannot insert hardware breakpoint 1\.$' '^Command aborted\.$'
like "$out" '^Breakpoint 2, square \(' "phys off: the same breakpoint by virtual address fires"
vmm_wait 10
is "$VM_STATUS" 0 "kill ends gdbvmm with status 0"

done_testing
