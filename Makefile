# gdbvmm: top-level build. Each area adds its own rules in a fragment:
#   gdbstub/gdbstub.mk  vmm/vmm.mk  vmm/install.mk  guests/guests.mk
#   os-1k/os-1k.mk  tests/tests.mk (which includes tests/unit/vmm.mk,
#   tests/unit/gdbstub.mk, tests/guests/guests.mk, tests/gdb/gdb.mk,
#   tests/vmlane/vmlane.mk, tests/hostile/hostile.mk, tests/linux/linux.mk)
#   tests/bench/bench.mk  tests/sanitize.mk  tests/fuzz/fuzz.mk
# Every fragment is tracked, so each is pulled in with `include`: a
# fragment renamed or removed fails the build instead of dropping its rules.
# `make` builds the monitor and every guest; `make test` runs every test;
# `make install` (PREFIX=/usr/local, DESTDIR) installs the monitor, its
# man page and gdbinit, and `make uninstall` removes them.

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=gnu11 -Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual \
           -Wwrite-strings -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wundef -Werror
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SANFLAGS) -MMD -MP -D_GNU_SOURCE -I.
LDLIBS  := -lpthread

# Build products of a sanitizer build go to their own directory, so that
# `make asan` never mixes objects with the normal build.
B ?= build

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all clean test check bench fuzz asan ubsan tsan
all:

# Every fragment may add tests: C unit tests (built programs), TAP scripts,
# and TAP scripts that start ./gdbvmm and so need a KVM (tests/tests.mk);
# and helper programs for `make install` to put in PKGLIBEXECDIR
# (vmm/install.mk).
UNIT_TESTS :=
SCRIPT_TESTS :=
KVM_TESTS :=
INSTALL_LIBEXEC :=

include gdbstub/gdbstub.mk
include vmm/vmm.mk
include vmm/install.mk
include guests/guests.mk
include os-1k/os-1k.mk
include tests/tests.mk
include tests/bench/bench.mk
include tests/sanitize.mk
include tests/fuzz/fuzz.mk

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

check: test

clean:
	rm -rf build build-* gdbvmm gdbvmm-* $(CLEAN_EXTRA)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
