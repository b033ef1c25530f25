# tests/fuzz/fuzz.mk: libFuzzer harnesses (clang) of the stub's framing and dispatch, the loader, the page walker and the hypercall ABI; `make fuzz` runs each.
#
#   make fuzz                       every harness for FUZZ_SECONDS (default 20) each
#   make fuzz FUZZ_SECONDS=60       what CI runs
#   make fuzz FUZZERS="mmu loader"  only some
#   make fuzz-build                 build them (build-fuzz/fuzz_NAME)
#   make fuzz-regress               run every saved input once (seeds and
#                                   tests/fuzz/regress/NAME/: inputs that
#                                   once crashed), a few seconds in all
#   make fuzz-corpus                regenerate the seeds in tests/fuzz/corpus/
#
# Objects go to build-fuzz/, never mixed with the normal build. The
# harnesses are built with -fsanitize=fuzzer,address,undefined; a crash,
# a leak, a sanitizer report, a broken CHECK or a hang (FUZZ_TIMEOUT s
# per input) fails the run, and libFuzzer keeps the input under
# build-fuzz/artifacts/. tests/fuzz/run prints, per harness, the
# executions, the coverage reached (edges, features) and the corpus size.
# New inputs the fuzzer finds go to build-fuzz/corpus/NAME/ (kept between
# runs, never committed); the committed seeds are a few KB.

FUZZ_CC       ?= clang
FUZZ_B        := build-fuzz
FUZZ_SECONDS  ?= 20
FUZZ_TIMEOUT  ?= 10
FUZZERS       ?= packet session loader mmu hypercall
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS   := $(WARN) -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link \
                 $(FUZZ_SAN) -MMD -MP -D_GNU_SOURCE -I.

# Sources of each harness besides tests/fuzz/fuzz_NAME.c.
FUZZ_SRC_packet    := gdbstub/packet.c
FUZZ_SRC_session   := gdbstub/packet.c gdbstub/regs.c gdbstub/gdbstub.c gdbstub/data.c gdbstub/query.c tests/unit/fake_target.c
FUZZ_SRC_loader    := vmm/loader.c vmm/linux.c vmm/acpi.c
FUZZ_SRC_mmu       := vmm/x86mmu.c
FUZZ_SRC_hypercall := vmm/dev_hypercall.c vmm/hypercall.c vmm/vcpu.c vmm/vcpu_regs.c vmm/vcpu_boot.c vmm/vm.c vmm/hostprobe.c vmm/x86mmu.c \
                      vmm/iobus.c vmm/x86_regs.c

FUZZ_BINS := $(FUZZERS:%=$(FUZZ_B)/fuzz_%)

$(FUZZ_B)/%.o: %.c | fuzz-check-cc
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CCFUZZ  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

# One rule per harness: its own object and its sources' objects.
define fuzz_rule
$(FUZZ_B)/fuzz_$(1): $(FUZZ_B)/tests/fuzz/fuzz_$(1).o $(FUZZ_SRC_$(1):%.c=$(FUZZ_B)/%.o)
	$$(if $$(Q),@echo "  LDFUZZ  $$@")
	$$(Q)$$(FUZZ_CC) -fsanitize=fuzzer $$(FUZZ_SAN) -o $$@ $$^ -lpthread
endef
$(foreach f,packet session loader mmu hypercall,$(eval $(call fuzz_rule,$(f))))

.PHONY: fuzz fuzz-build fuzz-regress fuzz-corpus fuzz-check-cc

# clang and libFuzzer's runtime are installed when missing (tests/deps.sh
# clang); another FUZZ_CC must be there already.
fuzz-check-cc:
ifeq ($(FUZZ_CC),clang)
	$(Q)tests/deps.sh clang
else
	@command -v $(FUZZ_CC) >/dev/null || { \
		echo "fuzz: $(FUZZ_CC) not found"; exit 1; }
endif

fuzz-build: fuzz-check-cc $(FUZZ_BINS)

# The guests' ELF files are extra seeds for the loader (real headers and
# segments); `all` builds them.
fuzz: fuzz-build all
	$(Q)FUZZ_B=$(FUZZ_B) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TIMEOUT=$(FUZZ_TIMEOUT) \
		tests/fuzz/run $(FUZZERS)

fuzz-regress: fuzz-build
	$(Q)FUZZ_B=$(FUZZ_B) tests/fuzz/run --regress $(FUZZERS)

$(FUZZ_B)/mkcorpus: tests/fuzz/mkcorpus.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(WARN) -O1 -D_GNU_SOURCE -I. -o $@ $<

fuzz-corpus: $(FUZZ_B)/mkcorpus
	$(Q)$(FUZZ_B)/mkcorpus tests/fuzz/corpus

-include $(shell find $(FUZZ_B) -name '*.d' 2>/dev/null)
