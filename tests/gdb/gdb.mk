# tests/gdb/gdb.mk: the end-to-end gdb tests: TAP scripts that drive the real `gdb -batch` against ./gdbvmm (helpers in tests/gdb/lib.sh).
GDB_TESTS :=
GDB_TESTS += tests/gdb/session.t
GDB_TESTS += tests/gdb/breakpoints.t
GDB_TESTS += tests/gdb/threads.t
GDB_TESTS += tests/gdb/sessions.t
GDB_TESTS += tests/gdb/realmode.t
GDB_TESTS += tests/gdb/x86_64.t
GDB_TESTS += tests/gdb/faults.t
GDB_TESTS += tests/gdb/monitor.t
GDB_TESTS += tests/gdb/listen.t
GDB_TESTS += tests/gdb/longrun.t
GDB_TESTS += tests/gdb/mi.t
GDB_TESTS += tests/gdb/lldb.t
GDB_TESTS += tests/gdb/fidelity.t

KVM_TESTS += $(GDB_TESTS)

.PHONY: gdb-test
gdb-test: all
	$(PROVE) $(PROVE_FLAGS) $(GDB_TESTS)
