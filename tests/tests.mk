# tests/tests.mk: every test is a program that prints TAP; `prove` runs them.
#   UNIT_TESTS    C unit tests (built under $(B)/tests/unit/); fragments append
#   SCRIPT_TESTS  executable scripts that print TAP; fragments append
# (both start empty in the top-level Makefile, before any fragment)

include tests/unit/vmm.mk
-include tests/unit/gdbstub.mk
-include tests/guests/guests.mk
-include tests/gdb/gdb.mk
-include tests/vmlane/vmlane.mk
-include tests/hostile/hostile.mk

PROVE ?= prove
PROVE_FLAGS ?=

# Installs what the tests need (qemu, gdb, busybox, a Debian kernel) when
# missing; does nothing on a machine that has them. clang-deps: clang and
# its runtimes for the sanitizer builds and the fuzzers (tests/sanitize.mk,
# tests/fuzz/fuzz.mk), the same way.
.PHONY: test-deps clang-deps unit-test
test-deps:
	$(Q)tests/deps.sh
clang-deps:
	$(Q)tests/deps.sh clang

unit-test: $(UNIT_TESTS)
	$(PROVE) $(PROVE_FLAGS) $(UNIT_TESTS)

test: all test-deps $(UNIT_TESTS)
	$(PROVE) $(PROVE_FLAGS) $(UNIT_TESTS) $(SCRIPT_TESTS)
