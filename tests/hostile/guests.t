#!/usr/bin/env bash
# tests/hostile/guests.t: hostile guests: bad hypercall pointers and lengths, port-I/O storms, garbage to every device, huge rep outs, a triple fault, endless loops ended by --timeout, code rewritten under a breakpoint.
#
# The guests are tests/hostile/guests/*.S (built by tests/hostile/hostile.mk).
# Each must end the way the monitor promises: the right status, the
# guest's own output, one clear line on stderr for a fault or a timeout,
# and never a crash or a hang of the monitor.
. "$(dirname "$0")/../gdb/lib.sh"

G=tests/hostile/guests
for f in hcbad.bin hcbad64.elf iostorm.bin devstorm.bin devstorm-panic.bin devstorm-reset.bin \
	devstorm-s5.bin pmstorm.elf smc.bin loop.bin hlt64.elf flood.bin; do
	if [ ! -f "$G/$f" ]; then
		echo "1..0 # SKIP $G/$f missing (make hostile-deps)"
		exit 0
	fi
done

now_ms() { date +%s%3N; }
# since T0_MS: MS (milliseconds) and SECS (seconds, text)
elapsed() {
	MS=$(($(now_ms) - T0_MS))
	SECS=$(printf '%d.%03d' $((MS / 1000)) $((MS % 1000)))
}

# run [ARGS...]: gdbvmm without gdb, stdin /dev/null, under a 60 s kill;
# sets STATUS, MS and SECS (wall time), files $T/run.out and $T/run.err.
run() {
	T0_MS=$(now_ms)
	timeout -s KILL 60 "$GDBVMM" "$@" </dev/null >"$T/run.out" 2>"$T/run.err"
	STATUS=$?
	elapsed
	[ "$STATUS" != 137 ] || echo "gdbvmm killed after 60 s" >>"$T/run.err"
}

# stderr_lines N DESCRIPTION: run.err has exactly N lines
stderr_lines() {
	local n
	n=$(wc -l <"$T/run.err")
	if [ "$n" -eq "$1" ]; then pass "$2"; else
		fail "$2" "stderr has $n lines"
		diag_text stderr "$(cat "$T/run.err")"
	fi
}

# ---- hypercalls with pointers outside RAM and lengths that wrap ---------------
run "$G/hcbad.bin"
is "$STATUS" 0 "hcbad (real mode): every bad pointer and length gets -EFAULT, odd services -ENOSYS (status = failures)"
{
	for c in puts-range-wraps-past-4GiB puts-pointer-past-RAM puts-last-byte-of-4GiB \
		puts-length-4GiB puts-crosses-the-end-of-RAM puts-length-0-anywhere; do
		echo "ok $c"
	done
	printf '\0\0\0\0\0\0\0\0'
	echo "ok puts-ends-at-the-end-of-RAM"
	echo "ok service-0xffff-is-enosys"
	echo "ok service-0x10003-is-enosys"
	echo "8-bit service number"
	echo "ok service-in-8-bits"
	echo "ok getchar-at-end-of-input-is-minus-1"
	echo "ok in-from-the-hypercall-port"
	echo "ok in16-from-the-hypercall-port"
} >"$T/hcbad.want"
if cmp -s "$T/run.out" "$T/hcbad.want"; then
	pass "hcbad: nothing printed for a refused puts; the last 8 bytes of RAM print (8 NULs)"
else
	fail "hcbad: nothing printed for a refused puts; the last 8 bytes of RAM print (8 NULs)"
	diff <(cat -v "$T/hcbad.want") <(cat -v "$T/run.out") | sed 's/^/#   /'
fi
stderr_lines 0 "hcbad: nothing on stderr"

run "$G/hcbad64.elf"
is "$STATUS" 0 "hcbad64 (long mode): 64-bit wraps, non-canonical, unmapped and non-RAM pointers get -EFAULT"
like "$(cat "$T/run.out")" '^edge-ok$' "hcbad64: the last 8 bytes of RAM print"
is "$(grep -c '^ok ' "$T/run.out")" 9 "hcbad64: all 9 cases say ok"
unlike "$(cat "$T/run.out")" '^FAIL' "hcbad64: no case failed"
stderr_lines 0 "hcbad64: nothing on stderr"

# ---- port-I/O storms and rep outs/ins with big counts --------------------------
run -v "$G/iostorm.bin"
is "$STATUS" 33 "iostorm: the rep outsb of count 0xffffffff to isa-debug-exit ends the machine at its first byte (status 33)"
is "$(grep -c '^ok ' "$T/run.out")" 6 "iostorm: 20,000 outs, 20,000 ins, 20,000 UART register round trips, rep outsb 65535, rep insb 8192, rep insw 2048: all ok"
unlike "$(cat "$T/run.out")" '^FAIL|still running' "iostorm: no storm failed"
is "$(grep -c '^x\{4096\}$' "$T/run.out")" 1 "iostorm: rep outsb of 4096 bytes to the debug console prints them all"
is "$(grep -c '^\.\{1000\}$' "$T/run.out")" 1 "iostorm: rep outsw of 1000 putchar hypercalls prints 1000 dots"
for p in 0080 0081 0084; do
	is "$(grep -c "unclaimed port 0x$p" "$T/run.err")" 1 "iostorm -v: unclaimed port 0x$p reported once, not once per access"
done
ok "iostorm: the storm took less than 60 s ($SECS s)" test "$MS" -lt 60000

# ---- garbage to every device ---------------------------------------------------
# devstorm.bin: for each device of vmm/devices.c, random outs and ins of
# every width at every port of it and random rep outs/ins, leaving out only
# the values that end the machine; then the device must still answer as
# designed ("ok NAME"). The storm prints random bytes (debug console,
# UART, putchar), so the guest starts each of its own lines on a new line.
DEVICES="hypercall uart-com1 debugcon isa-debug-exit acpi-pm1 reset-8042 pvpanic"

# devstorm_stderr NAME [LINE]: with -v, stderr is the line saying which
# machine (and no unclaimed port: every access was to a device), then
# LINE when given, nothing else
devstorm_stderr() {
	local first rest machine='^gdbvmm: 1 vCPU\(s\), [0-9]+ MiB RAM, .+$'
	first=$(head -n 1 "$T/run.err")
	rest=$(tail -n +2 "$T/run.err")
	if [[ $first =~ $machine ]] && [ "$rest" = "${2:-}" ]; then
		pass "$1: stderr is the machine line${2:+ and the ending line}, no unclaimed port, nothing else"
	else
		fail "$1: stderr is the machine line${2:+ and the ending line}, no unclaimed port, nothing else"
		diag_text stderr "$(cat "$T/run.err")"
	fi
}

run -v "$G/devstorm.bin"
is "$STATUS" 85 "devstorm: after the storm, outl 0xdead002a to port 0xf5 (isa-debug-exit) ends the machine: status (0x2a << 1) | 1 = 85"
for d in $DEVICES; do
	is "$(grep -acx "ok $d" "$T/run.out")" 1 "devstorm: $d survived its storm and answers as designed"
done
is "$(grep -ac '^FAIL' "$T/run.out")" 0 "devstorm: no device failed, the guest did not outlive its ending"
is "$(grep -acx 'ending with outl 0xdead002a to port 0xf5 (isa-debug-exit)' "$T/run.out")" 1 \
	"devstorm: it got to its ending"
devstorm_stderr devstorm
ok "devstorm: the storm took less than 60 s ($SECS s)" test "$MS" -lt 60000

# the same, a shorter storm, then the other ways out: each still ends the
# machine cleanly, with its status and no more than its own line
for end in "panic 120 outb 1 to port 0x505 (pvpanic)" "reset 0 outb 0xfe to port 0x64 (reset)" \
	"s5 0 outw SLP_EN|S5 to PM1a_CNT (poweroff)"; do
	read -r name want how <<<"$end"
	run -v "$G/devstorm-$name.bin"
	is "$STATUS" "$want" "devstorm-$name: after the storm, $how ends the machine with status $want"
	is "$(grep -ac '^ok ' "$T/run.out")" 7 "devstorm-$name: all 7 devices ok after the storm"
	is "$(grep -ac '^FAIL' "$T/run.out")" 0 "devstorm-$name: no FAIL, the guest did not outlive its ending"
	is "$(grep -acx "ending with $how" "$T/run.out")" 1 "devstorm-$name: it got to its ending"
	if [ "$name" = panic ]; then
		devstorm_stderr "devstorm-$name" "gdbvmm: vCPU 0 (devstorm-panic.bin): the guest kernel panicked (pvpanic)"
	else
		devstorm_stderr "devstorm-$name"
	fi
done

run -m 16M "$G/pmstorm.elf"
is "$STATUS" 0 "pmstorm (protected mode): rep outsb of 64 KiB, then 8 KiB across the end of RAM, finish"
is "$(grep -c '^ok ' "$T/run.out")" 2 "pmstorm: both say ok (bytes past RAM read as all ones, the count runs out)"
stderr_lines 0 "pmstorm: nothing on stderr"

# ---- a triple fault --------------------------------------------------------------
# guests/triple.bin triple-faults where KVM checks the real-mode IVT limit
# (status 121); kvm-pvm does not, but there guests/paging32.bin ends in a
# KVM_EXIT_SHUTDOWN (the monitor's triple-fault path, status 125: the host
# cannot run 32-bit paging).
if on_pvm; then
	TRIPLE=guests/paging32.bin TSTATUS=125
else
	TRIPLE=guests/triple.bin TSTATUS=121
fi
if [ -f "$TRIPLE" ]; then
	run "$TRIPLE"
	is "$STATUS" "$TSTATUS" "$(basename "$TRIPLE"): a triple fault ends the machine with status $TSTATUS"
	stderr_lines 1 "$(basename "$TRIPLE"): one line on stderr"
	if [ "$TSTATUS" = 121 ] && grep -q '^vendor_id.*AuthenticAMD' /proc/cpuinfo; then
		# KVM on AMD resets the vCPU at a shutdown (tests/guests/faults.t)
		like "$(cat "$T/run.err")" '^gdbvmm: vCPU 0 \(triple\.bin\): triple fault at an unknown location \(this KVM resets the vCPU on shutdown\)$' \
			"$(basename "$TRIPLE"): the line says triple fault, location unknown (AMD resets the vCPU)"
	else
		like "$(cat "$T/run.err")" '^gdbvmm: vCPU 0 \(.*\): triple fault in .* at CS:[E]?IP [0-9a-f]{4}:[0-9a-f]+ \(linear 0x[0-9a-f]+\)' \
			"$(basename "$TRIPLE"): the line says triple fault, the mode, CS:IP and the linear address"
	fi
	# with a client attached the machine stays for inspection; detach ends it as without gdb
	vmm_start -S "$TRIPLE" || true
	gdb_run "$(connect)" 'continue' 'info registers eip' 'detach'
	like "$GDB_OUT" '^Program received signal SIGSEGV' "$(basename "$TRIPLE") under gdb: gdb is told (SIGSEGV)"
	like "$GDB_OUT" '^eip +0x[0-9a-f]+' "$(basename "$TRIPLE") under gdb: registers readable after the fault"
	vmm_wait 10
	is "$VM_STATUS" "$TSTATUS" "$(basename "$TRIPLE") under gdb: detach ends the machine with the fault's status"
else
	skip "$TRIPLE not built"
fi

# ---- endless loops and --timeout -----------------------------------------------------
run --timeout 2 "$G/loop.bin"
is "$STATUS" 124 "loop: jmp . forever, --timeout 2 ends it with status 124"
is "$(cat "$T/run.err")" "gdbvmm: timeout: the guest was still running after 2 s" "loop: with one clear line"
ok "loop: after about 2 s ($SECS s)" test "$MS" -ge 1900 -a "$MS" -lt 10000

run --timeout 2 "$G/hlt64.elf"
is "$STATUS" 124 "hlt64: cli; hlt in a kernel (a vCPU asleep inside KVM), --timeout 2 ends it"
is "$(cat "$T/run.err")" "gdbvmm: timeout: the guest was still running after 2 s" "hlt64: with one clear line"
like "$(cat "$T/run.out")" '^hlt64: halting' "hlt64: its output before the halt is printed"

# a guest flooding a stdout nobody reads: the vCPU blocks in write()
mkfifo "$T/fifo"
(exec 3<"$T/fifo"; sleep 30) &
reader=$!
_pids="$_pids $reader"
T0_MS=$(now_ms)
# (two commands: the subshell waits, and its "Killed" goes to /dev/null)
(timeout -s KILL 8 "$GDBVMM" --timeout 2 "$G/flood.bin" </dev/null >"$T/fifo" 2>"$T/run.err"; exit $?) 2>/dev/null
STATUS=$?
elapsed
kill "$reader" 2>/dev/null
is "$STATUS" 124 "flood: a guest printing forever to a stdout nobody reads still ends by --timeout 2 (status $STATUS after $SECS s)"
like "$(cat "$T/run.err")" '^gdbvmm: timeout: the guest was still running after 2 s$' "flood: with one clear line"

# an endless loop under a debugger that does nothing: --timeout still ends it
# (it counts from the start, so gdb must be attached well before: gdb
# alone takes seconds to start in the VM lane)
vmm_start --timeout 8 -S "$G/loop.bin" || true
gdb_run "$(connect)" 'continue'
like "$GDB_OUT" '^\[Inferior 1 \(Remote target\) exited with code 0174\]$' \
	"loop under gdb: --timeout ends the machine and gdb is told (exit code 124 = 0174)"
vmm_wait 10
is "$VM_STATUS" 124 "loop under gdb: status 124"
like "$(cat "$T/vm.err")" '^gdbvmm: timeout: the guest was still running after 8 s$' "loop under gdb: the same line"

# ---- a guest that rewrites its code under a breakpoint ------------------------------
# smc.bin rewrites the 3-byte instruction at 0x10020 (linear) after each
# pass, alternating opcodes b3 (mov imm8,%bl; nop) and bb (mov imm16,%bx).
vmm_start -S "$G/smc.bin" || true
cmds=("$(connect)" 'monitor info' 'break *0x10020')
for i in 1 2 3 4 5 6; do
	cmds+=('continue' "echo HIT$i:\\n" 'x/3xb 0x10020')
done
cmds+=('delete' 'continue')
gdb_run "${cmds[@]}"
out=$GDB_OUT
healthy "smc: the session stayed healthy"
# int3, or the port-I/O trap: bytes planted in the code, which the guest
# overwrites (then the breakpoint is gone, as with int3 on real hardware)
how=$(sed -n 's/^strategies: Z0 by \([^;]*\);.*/\1/p' <<<"$out")
int3=no
case $how in int3 | port-I/O\ trap) int3=yes ;; esac
want=("0xb3	0x61	0x90" "0xbb	0x62	0x00" "0xb3	0x63	0x90" "0xbb	0x64	0x00" "0xb3	0x65	0x90" "0xbb	0x66	0x00")
hits=$(grep -c '^Breakpoint 1, 0x00010020 in ' <<<"$out")
if [ "$int3" = yes ]; then
	# an int3 the guest overwrote is gone: at least the first pass stops
	ok "smc: the breakpoint (Z0 by $how on this host, planted bytes) stops at least once ($hits)" test "$hits" -ge 1
else
	is "$hits" 6 "smc: the breakpoint (Z0 by $how on this host) stops on all 6 passes"
fi
for i in 1 2 3 4 5 6; do
	got=$(awk -v tag="HIT$i:" '$0 == tag { getline; sub(/^0x10020:\t/, ""); print; exit }' <<<"$out")
	# with planted bytes only the stops that happened have bytes to show
	[ "$int3" = no ] || [ "$i" -le "$hits" ] || continue
	is "$got" "${want[$((i - 1))]}" "smc: at stop $i gdb reads the guest's own bytes, not a planted or stale byte"
done
like "$out" '^\[Inferior 1 \(Remote target\) exited normally\]$' "smc: the guest runs to its end"
vmm_wait 10
is "$VM_STATUS" 0 "smc: status 0"
is "$(cat "$T/vm.out")" "abcdef" "smc: it printed what its rewritten code says: abcdef"

done_testing
