# tests/tests.mk: every test is a program that prints TAP; `prove` runs them.
#   UNIT_TESTS    C unit tests (built under $(B)/tests/unit/); fragments append
#   SCRIPT_TESTS  executable scripts that print TAP; fragments append
#   KVM_TESTS     scripts that start ./gdbvmm, so need a KVM; fragments append
# (all start empty in the top-level Makefile, before any fragment)
#
# Where this machine has a /dev/kvm the tests can use (tests/lib/host-kvm:
# kvm-pvm or hardware KVM), the KVM_TESTS run here, one script each. Where
# it has none, they all run inside one boot of the VM lane (a real KVM
# inside QEMU TCG): tests/vmlane/kvm.t, whose TAP carries each point with
# its script's name. `make test TEST_LANE=1` runs them in the lane on any
# machine, as CI on a machine without KVM does.

include tests/unit/vmm.mk
include tests/unit/gdbstub.mk
include tests/guests/guests.mk
include tests/gdb/gdb.mk
include tests/vmlane/vmlane.mk
include tests/hostile/hostile.mk
include tests/linux/linux.mk

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

# TEST_LANE: empty (decide by tests/lib/host-kvm), 1 (the lane), 0 (here).
TEST_LANE ?=
export TEST_LANE
HOST_KVM := $(shell TEST_LANE='$(TEST_LANE)' tests/lib/host-kvm && echo yes)
# The scripts that run the KVM_TESTS: themselves, or the lane's runner.
# A target that uses it exports KVM_TESTS for tests/vmlane/kvm.t.
KVM_RUNNERS = $(if $(HOST_KVM),$(KVM_TESTS),tests/vmlane/kvm.t)

unit-test: $(UNIT_TESTS)
	$(PROVE) $(PROVE_FLAGS) $(UNIT_TESTS)

test: all test-deps $(UNIT_TESTS)
	KVM_TESTS='$(KVM_TESTS)' $(PROVE) $(PROVE_FLAGS) $(UNIT_TESTS) $(SCRIPT_TESTS) $(KVM_RUNNERS)

# Only the tests that need a KVM, where make test would run them.
.PHONY: kvm-test
kvm-test: all test-deps
	KVM_TESTS='$(KVM_TESTS)' $(PROVE) $(PROVE_FLAGS) $(KVM_RUNNERS)
