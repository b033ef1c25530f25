# tests/sanitize.mk: sanitizer builds of the monitor and the unit tests, and the test runs under them.
#
#   make asan        ./gdbvmm-asan and the unit tests in build-asan/ (ASan + UBSan)
#   make ubsan       ./gdbvmm-ubsan and the unit tests in build-ubsan/ (UBSan alone)
#   make tsan        ./gdbvmm-tsan and the unit tests in build-tsan/ (TSan)
#   make asan-test   the unit tests and the end-to-end tests (guests, gdb,
#                    hostile clients and guests) against gdbvmm-asan
#   make ubsan-test  the same against gdbvmm-ubsan
#   make tsan-test   the same against gdbvmm-tsan
#
# CI (.ci/run) runs asan-test and tsan-test after make test. With the
# default SAN_CC (clang), the builds first install clang and its runtimes
# when missing (make clang-deps: tests/deps.sh clang).
#
# Each sanitizer build is a sub-make with its own build directory ($(B))
# and binary name (GDBVMM), so it never mixes objects with the normal
# build. The guests are built by the normal `make` (their flags are their
# own; a sanitizer has nothing to do in a guest). The test scripts start
# the monitor named by $GDBVMM (tests/guests/lib.sh, tests/gdb/lib.sh;
# tests/hostile/*.t use the latter).
#
# Zero reports: every sanitizer writes its reports to files under
# build-*/reports/ (log_path), not only to a stderr that a test may have
# swallowed or a process that was killed at the end of a test; after
# prove, tests/hostile/sanitize-check prints every report and fails if
# there is one. So a report fails the run even when every test passed.

SAN_CC      ?= clang
ASAN_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
UBSAN_CFLAGS := -fsanitize=undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TSAN_CFLAGS := -fsanitize=thread -fno-omit-frame-pointer
# -O1 keeps stacks in reports readable and the builds quick.
SAN_OPT     ?= -O1 -g

# The end-to-end tests the sanitizer runs use: every test of the monitor
# (KVM_TESTS, tests/tests.mk), here or, on a machine without a usable
# /dev/kvm, in the VM lane; not the lane's own checks nor the tests of
# other programs under QEMU (os-1k's *-qemu.t).
SAN_SCRIPT_TESTS = $(KVM_RUNNERS)
# The unit tests of build dir $(1).
san_units = $(patsubst $(B)/%,$(1)/%,$(UNIT_TESTS))

# TSan maps its shadow memory at fixed addresses; with a high
# vm.mmap_rnd_bits (32 on some kernels) a randomized mapping can land
# there and TSan stops with "unexpected memory mapping". Running without
# address randomization (setarch -R, inherited by every child) avoids it
# whatever the host's setting; where setarch is missing we run as is.
SAN_NORAND := $(shell setarch $$(uname -m) -R true >/dev/null 2>&1 && echo setarch $$(uname -m) -R)

.PHONY: asan ubsan tsan asan-test ubsan-test tsan-test

# $(call san_build,DIR,FLAGS,BINARY)
define san_build
	$(MAKE) --no-print-directory B=$(1) CC=$(SAN_CC) CFLAGS='$(SAN_OPT)' \
		SANFLAGS='$(2)' GDBVMM=$(3) $(3) $(call san_units,$(1))
endef

# clang and its sanitizer runtimes are installed when missing (as make
# test installs its tools), unless another compiler is asked for.
SAN_DEPS := $(if $(filter clang,$(SAN_CC)),clang-deps)

asan: $(SAN_DEPS)
	$(call san_build,build-asan,$(ASAN_CFLAGS),gdbvmm-asan)
ubsan: $(SAN_DEPS)
	$(call san_build,build-ubsan,$(UBSAN_CFLAGS),gdbvmm-ubsan)
tsan: $(SAN_DEPS)
	$(call san_build,build-tsan,$(TSAN_CFLAGS),gdbvmm-tsan)

# Options every run gets: reports to files, stack traces, a nonzero exit.
ASAN_RUN_OPTIONS = ASAN_OPTIONS=log_path=$(CURDIR)/build-asan/reports/asan:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1 \
                   UBSAN_OPTIONS=log_path=$(CURDIR)/build-asan/reports/ubsan:print_stacktrace=1:halt_on_error=1
UBSAN_RUN_OPTIONS = UBSAN_OPTIONS=log_path=$(CURDIR)/build-ubsan/reports/ubsan:print_stacktrace=1:halt_on_error=1
TSAN_RUN_OPTIONS = TSAN_OPTIONS=log_path=$(CURDIR)/build-tsan/reports/tsan:halt_on_error=0:second_deadlock_stack=1:history_size=4

# $(call san_test,DIR,BINARY,ENV,PREFIX): PREFIX also goes before the
# scripts inside the lane (KVM_TESTS_WRAP), where it is not inherited.
define san_test
	@rm -rf $(1)/reports && mkdir -p $(1)/reports
	$(3) VMLANE_PASSENV='ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS' GDBVMM=./$(2) \
		KVM_TESTS='$(KVM_TESTS)' KVM_TESTS_WRAP='$(4)' $(4) \
		$(PROVE) $(PROVE_FLAGS) $(call san_units,$(1)) $(SAN_SCRIPT_TESTS); \
		echo $$? >$(1)/reports/prove-status
	$(Q)tests/hostile/sanitize-check $(1)/reports
endef

asan-test: all test-deps hostile-deps asan
	$(call san_test,build-asan,gdbvmm-asan,$(ASAN_RUN_OPTIONS),)
ubsan-test: all test-deps hostile-deps ubsan
	$(call san_test,build-ubsan,gdbvmm-ubsan,$(UBSAN_RUN_OPTIONS),)
tsan-test: all test-deps hostile-deps tsan
	$(call san_test,build-tsan,gdbvmm-tsan,$(TSAN_RUN_OPTIONS),$(SAN_NORAND))
