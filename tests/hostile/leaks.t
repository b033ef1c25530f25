#!/usr/bin/env bash
# tests/hostile/leaks.t: valgrind over whole runs of the monitor: guests alone, and a full gdb session with breakpoints, steps, a watchpoint and detach; no leak, no invalid access.
#
# KVM runs the guest, so the monitor under valgrind is only a few times
# slower. A leak is a definitely or indirectly lost block; "possibly
# lost" is reported but allowed for one block only: the stack of the
# signal thread (vmm/main.c), detached and still waiting in sigwait()
# when the process exits, which is not lost memory.
#
#   VALGRIND  the valgrind command (default valgrind); the test skips without it
. "$(dirname "$0")/../gdb/lib.sh"

VALGRIND=${VALGRIND:-valgrind}
if ! command -v "$VALGRIND" >/dev/null; then
	echo "1..0 # SKIP no valgrind (apt-get install valgrind)"
	exit 0
fi
# A sanitizer build checks itself (LeakSanitizer) and cannot run under valgrind.
if grep -qaE '__(asan|tsan|msan)_init' "$GDBVMM" 2>/dev/null; then
	echo "1..0 # SKIP $GDBVMM is a sanitizer build (its own LeakSanitizer checks leaks)"
	exit 0
fi
VG=("$VALGRIND" --leak-check=full --show-leak-kinds=definite,indirect,possible
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no)

# vg_check LOG WHAT: the valgrind summary in LOG says no leak and no error
vg_check() {
	local log=$1 what=$2
	like "$(cat "$log")" 'ERROR SUMMARY: 0 errors' "$what: valgrind finds no invalid access or leak"
	if grep -q 'definitely lost:' "$log"; then
		like "$(cat "$log")" 'definitely lost: 0 bytes in 0 blocks' "$what: nothing definitely lost"
		like "$(cat "$log")" 'indirectly lost: 0 bytes in 0 blocks' "$what: nothing indirectly lost"
		local possible
		possible=$(sed -n 's/.*possibly lost: [0-9,]* bytes in \([0-9,]*\) blocks/\1/p' "$log")
		ok "$what: at most one 'possibly lost' block, the signal thread's stack (${possible:-0})" \
			test "${possible:-0}" -le 1
	else
		like "$(cat "$log")" 'All heap blocks were freed' "$what: every heap block freed"
	fi
}

# ---- guests alone ----------------------------------------------------------------
for g in guests/hello.bin guests/hctest.bin guests/dbg.elf guests/dbg64.elf; do
	[ -f "$g" ] || { skip "$g not built"; continue; }
	in=/dev/null
	[ -f "tests/guests/$(basename "${g%.*}").in" ] && in="tests/guests/$(basename "${g%.*}").in"
	timeout -s KILL 120 "${VG[@]}" --log-file="$T/vg.log" "$GDBVMM" "$g" <"$in" >"$T/out" 2>"$T/err"
	st=$?
	want=0
	[ -f "tests/guests/$(basename "${g%.*}").status" ] && want=$(cat "tests/guests/$(basename "${g%.*}").status")
	is "$st" "$want" "$g under valgrind: the guest's own status"
	vg_check "$T/vg.log" "$g"
done

# four guests at once: four vCPU threads, the console shared
if [ -f guests/counter.bin ]; then
	timeout -s KILL 120 "${VG[@]}" --log-file="$T/vg.log" "$GDBVMM" guests/multiplication.bin \
		guests/counter.bin guests/fibonacci.bin guests/hello.bin </dev/null >"$T/out" 2>"$T/err"
	is "$?" 0 "four guests at once under valgrind: status 0"
	vg_check "$T/vg.log" "four guests at once"
fi

# a fault and a timeout end the machine from other paths
timeout -s KILL 120 "${VG[@]}" --log-file="$T/vg.log" "$GDBVMM" --timeout 2 tests/hostile/guests/loop.bin \
	</dev/null >"$T/out" 2>"$T/err"
is "$?" 124 "an endless loop ended by --timeout under valgrind: status 124"
vg_check "$T/vg.log" "--timeout"

# ---- a full gdb session ------------------------------------------------------------
ELF=guests/dbg.elf
if [ -f "$ELF" ]; then
	VM_TIMEOUT=300
	GDBVMM_REAL=$GDBVMM
	# vmm_start runs $GDBVMM: valgrind with the monitor as its program
	cat >"$T/vg-gdbvmm" <<-EOS
	#!/bin/sh
	exec ${VG[*]} --log-file=$T/vg-gdb.log $GDBVMM_REAL "\$@"
	EOS
	chmod +x "$T/vg-gdbvmm"
	GDBVMM=$T/vg-gdbvmm
	if vmm_start -S "$ELF"; then
		GDB_TIMEOUT=120
		gdb_run "file $ELF" "$(connect)" 'hbreak kmain' 'break step' 'continue' 'info registers' \
			'continue' 'x/16xb &state' 'p state' 'stepi' 'next' 'delete' 'watch state.sum' \
			'continue' 'delete' 'monitor info' 'monitor regs' 'info threads' 'detach'
		healthy "gdb session under valgrind: healthy"
		like "$GDB_OUT" '^Breakpoint [0-9]+, step' "gdb session under valgrind: breakpoints fire"
		like "$GDB_OUT" '^Hardware watchpoint [0-9]+: state.sum$' "gdb session under valgrind: a watchpoint"
		like "$GDB_OUT" '^New value = ' "gdb session under valgrind: the watchpoint fires"
		like "$GDB_OUT" '^strategies: ' "gdb session under valgrind: monitor commands"
		like "$GDB_OUT" '^\[Inferior 1 \(Remote target\) detached\]$' "gdb session under valgrind: detach"
		vmm_wait 120
		is "$VM_STATUS" "$(cat tests/guests/dbg.status 2>/dev/null || echo 0)" \
			"gdb session under valgrind: the guest runs to its end after detach"
		vg_check "$T/vg-gdb.log" "a full gdb session"
	fi
	GDBVMM=$GDBVMM_REAL
fi

done_testing
