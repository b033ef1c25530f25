# tests/bench/bench.mk: `make bench`: prints timing figures and ratios (tests/bench/run); not a test.
#   rawkvm            a bare KVM_RUN loop that answers the hypercall port: the
#                     floor gdbvmm's exit path is compared with (rawkvm.c)
#   bench-puts-64m    guests/bench-puts.S with 64 MiB instead of 1 MiB, so
#                     that its time stands out of gdbvmm's start-up noise

#   rspclient         a raw gdb protocol client timing s, g, m and c
#   rspfloor          a server that answers every packet at once: the floor
#   linux-bench       Linux's boot and a gdb session, against QEMU (in the lane
#                     where the host's KVM cannot run Linux)
# The run's figures also go to $(BENCH_DATA), from which tests/bench/charts
# draws SVG charts into $(BENCH_CHARTS); docs/img/ holds the copies that
# docs/performance.md shows (cp them there to update the docs).
BENCH_RAWKVM := $(B)/tests/bench/rawkvm
BENCH_PUTS_BIG := $(B)/tests/bench/bench-puts-64m.bin
BENCH_RSPCLIENT := $(B)/tests/bench/rspclient
BENCH_RSPFLOOR := $(B)/tests/bench/rspfloor
BENCH_CHARTS := $(B)/bench
BENCH_DATA := $(BENCH_CHARTS)/bench.data

$(BENCH_RSPCLIENT): $(B)/tests/bench/rspclient.o
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^

$(BENCH_RSPFLOOR): $(B)/tests/bench/rspfloor.o
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^

$(BENCH_RAWKVM): $(B)/tests/bench/rawkvm.o
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^

# The same guest, only CALLS changed (16384 calls of 4 KiB); the grep
# makes sure the substitution happened.
$(B)/tests/bench/bench-puts-64m.S: guests/bench-puts.S
	@mkdir -p $(dir $@)
	$(Q)sed 's/^#define CALLS .*/#define CALLS 16384 \/* 64 MiB (tests\/bench\/bench.mk) *\//' $< >$@
	$(Q)grep -q '^#define CALLS 16384 ' $@

$(B)/tests/bench/bench-puts-64m.o: $(B)/tests/bench/bench-puts-64m.S
	$(if $(Q),@echo "  AS16    $<")
	$(Q)$(GUEST_CC) -m32 $(GUEST_ASFLAGS) -c $< -o $@

$(BENCH_PUTS_BIG): $(B)/tests/bench/bench-puts-64m.o guests/flat.ld
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(GUEST_LD) -m elf_i386 -T guests/flat.ld $(GUEST_LDFLAGS) -o $(@:.bin=.elf) $<
	$(Q)$(GUEST_OBJCOPY) -O binary -j .text $(@:.bin=.elf) $@

# Where this machine has no KVM the tests can use (tests/tests.mk: HOST_KVM,
# TEST_LANE=1 to force it), the figures come from the VM lane: both
# scripts run there in one boot, QEMU with -enable-kvm inside the lane as
# the side-by-side, and the first line says which KVM they measured.
BENCH_WRAP = $(if $(HOST_KVM),,VMLANE_TIMEOUT=3600 tests/vmlane/run)

bench: all $(BENCH_RAWKVM) $(BENCH_PUTS_BIG) $(BENCH_RSPCLIENT) $(BENCH_RSPFLOOR)
	$(Q)mkdir -p $(BENCH_CHARTS)
	$(Q)$(BENCH_WRAP) sh -c 'echo "#meta when $$(date -u "+%Y-%m-%d %H:%M UTC"), $$(nproc) CPUs, load $$(cut -d" " -f1-3 /proc/loadavg)" >$(BENCH_DATA) && \
		BENCH_DATA=$(BENCH_DATA) RAWKVM=$(BENCH_RAWKVM) BENCH_PUTS_BIG=$(BENCH_PUTS_BIG) tests/bench/run && \
		BENCH_DATA=$(BENCH_DATA) RSPCLIENT=$(BENCH_RSPCLIENT) RSPFLOOR=$(BENCH_RSPFLOOR) tests/bench/gdbstub-bench'
	$(Q)echo; BENCH_DATA=$(BENCH_DATA) tests/bench/linux-bench
	$(Q)echo; echo "charts of this run:"; tests/bench/charts $(BENCH_DATA) $(BENCH_CHARTS)
