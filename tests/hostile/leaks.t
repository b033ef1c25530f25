#!/usr/bin/env bash
# tests/hostile/leaks.t: whole runs of the monitor under a leak checker: guests alone, and a full gdb session with breakpoints, steps, a watchpoint and detach; no leak, no invalid access.
#
# The checker is valgrind for a normal build, and LeakSanitizer for an
# ASan build (make asan-test), which cannot run under valgrind: the same
# runs, each with its own report file. KVM runs the guest, so the monitor
# under valgrind is only a few times slower. A leak is a definitely or
# indirectly lost block (valgrind), or any LeakSanitizer report. Valgrind
# must also find every heap block freed: no "possibly lost" block either
# (once the stack of a thread still running at exit; main now joins every
# thread it starts). Every run ends normally, with its own status, so the
# checker looks at the whole heap at exit: a killed run is checked by nobody.
#
#   VALGRIND  the valgrind command (default valgrind)
. "$(dirname "$0")/../gdb/lib.sh"

VALGRIND=${VALGRIND:-valgrind}
if grep -qaE '__asan_init' "$GDBVMM" 2>/dev/null; then
	CHECKER=LeakSanitizer
elif grep -qaE '__(tsan|msan|ubsan)_init|__ubsan_handle' "$GDBVMM" 2>/dev/null; then
	# TSan and UBSan builds have no leak checker, and their runtimes do
	# not run under valgrind; make test and make asan-test cover leaks
	echo "1..0 # SKIP $GDBVMM is a TSan or UBSan build (no leak checker of its own)"
	exit 0
elif command -v "$VALGRIND" >/dev/null; then
	CHECKER=valgrind
else
	echo "1..0 # SKIP no valgrind (apt-get install valgrind)"
	exit 0
fi
VG=("$VALGRIND" --leak-check=full --show-leak-kinds=definite,indirect,possible
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no)

# checker LOG: sets CHK, the command prefix that runs the monitor under
# the leak checker with its report in LOG (valgrind) or LOG.PID
# (LeakSanitizer, which writes a file only when it has something to say)
checker() {
	rm -f "$1" "$1".*
	if [ "$CHECKER" = valgrind ]; then
		CHK=("${VG[@]}" --log-file="$1")
	else
		CHK=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:log_path=$1")
	fi
}

# leak_check LOG WHAT: the checker's report in LOG says no leak and no error
leak_check() {
	local log=$1 what=$2
	if [ "$CHECKER" = LeakSanitizer ]; then
		local reports
		reports=$(cat "$log".* 2>/dev/null)
		if [ -z "$reports" ]; then
			pass "$what: LeakSanitizer (and ASan, UBSan) report nothing"
		else
			fail "$what: LeakSanitizer (and ASan, UBSan) report nothing"
			diag_text "the report" "$reports"
		fi
		return
	fi
	like "$(cat "$log")" 'ERROR SUMMARY: 0 errors' "$what: valgrind finds no invalid access or leak"
	like "$(cat "$log")" 'All heap blocks were freed' "$what: every heap block freed (nothing lost, not even possibly)"
}

# ---- guests alone ----------------------------------------------------------------
for g in guests/hello.bin guests/hctest.bin guests/dbg.elf guests/dbg64.elf; do
	[ -f "$g" ] || { skip "$g not built"; continue; }
	in=/dev/null
	[ -f "tests/guests/$(basename "${g%.*}").in" ] && in="tests/guests/$(basename "${g%.*}").in"
	checker "$T/leak.log"
	timeout -s KILL 120 "${CHK[@]}" "$GDBVMM" "$g" <"$in" >"$T/out" 2>"$T/err"
	st=$?
	want=0
	[ -f "tests/guests/$(basename "${g%.*}").status" ] && want=$(cat "tests/guests/$(basename "${g%.*}").status")
	is "$st" "$want" "$g under $CHECKER: the guest's own status"
	leak_check "$T/leak.log" "$g"
done

# four guests at once: four vCPU threads, the console shared
if [ -f guests/counter.bin ]; then
	checker "$T/leak.log"
	timeout -s KILL 120 "${CHK[@]}" "$GDBVMM" guests/multiplication.bin \
		guests/counter.bin guests/fibonacci.bin guests/hello.bin </dev/null >"$T/out" 2>"$T/err"
	is "$?" 0 "four guests at once under $CHECKER: status 0"
	leak_check "$T/leak.log" "four guests at once"
fi

# a timeout ends the machine from another path
checker "$T/leak.log"
timeout -s KILL 120 "${CHK[@]}" "$GDBVMM" --timeout 2 tests/hostile/guests/loop.bin \
	</dev/null >"$T/out" 2>"$T/err"
is "$?" 124 "an endless loop ended by --timeout under $CHECKER: status 124"
leak_check "$T/leak.log" "--timeout"

# ---- full gdb sessions -------------------------------------------------------------
ELF=guests/dbg.elf
if [ -f "$ELF" ]; then
	VM_TIMEOUT=300
	GDB_TIMEOUT=120
	GDBVMM_REAL=$GDBVMM
	# vmm_start runs $GDBVMM: a script that runs the monitor under the checker
	checked_gdbvmm() {
		checker "$1"
		{
			echo '#!/bin/sh'
			printf 'exec'
			printf ' %q' "${CHK[@]}" "$GDBVMM_REAL"
			printf ' "$@"\n'
		} >"$T/checked-gdbvmm"
		chmod +x "$T/checked-gdbvmm"
		GDBVMM=$T/checked-gdbvmm
	}

	# breakpoints, a watchpoint, steps, monitor commands, detach; the
	# guest then runs to its end with nobody attached
	checked_gdbvmm "$T/leak-gdb.log"
	if vmm_start -S "$ELF"; then
		gdb_run "file $ELF" "$(connect)" 'hbreak kmain' 'break step' 'continue' 'info registers' \
			'continue' 'x/16xb &state' 'p state' 'stepi' 'next' 'delete' 'watch state.sum' \
			'continue' 'delete' 'monitor info' 'monitor regs' 'info threads' 'detach'
		healthy "gdb session under $CHECKER: healthy"
		like "$GDB_OUT" '^Breakpoint [0-9]+, step' "gdb session under $CHECKER: breakpoints fire"
		like "$GDB_OUT" '^Hardware watchpoint [0-9]+: state.sum$' "gdb session under $CHECKER: a watchpoint"
		like "$GDB_OUT" '^New value = ' "gdb session under $CHECKER: the watchpoint fires"
		like "$GDB_OUT" '^strategies: ' "gdb session under $CHECKER: monitor commands"
		like "$GDB_OUT" '^\[Inferior 1 \(Remote target\) detached\]$' "gdb session under $CHECKER: detach"
		vmm_wait 120
		is "$VM_STATUS" "$(cat tests/guests/dbg.status 2>/dev/null || echo 0)" \
			"gdb session under $CHECKER: the guest runs to its end after detach"
		leak_check "$T/leak-gdb.log" "a full gdb session ending in detach"
	fi

	# the guest ends while gdb is attached: the stub tells gdb and closes
	checked_gdbvmm "$T/leak-gdb2.log"
	if vmm_start -S "$ELF"; then
		gdb_run "file $ELF" "$(connect)" 'break step' 'continue' 'next' 'delete' 'continue'
		like "$GDB_OUT" '^\[Inferior 1 \(Remote target\) exited (normally|with code [0-9]+)\]$' \
			"gdb session to the guest's end under $CHECKER: gdb sees the guest exit"
		vmm_wait 60
		is "$VM_STATUS" "$(cat tests/guests/dbg.status 2>/dev/null || echo 0)" \
			"gdb session to the guest's end under $CHECKER: the guest's own status"
		leak_check "$T/leak-gdb2.log" "a full gdb session to the guest's end"
	fi
	GDBVMM=$GDBVMM_REAL
fi

done_testing
