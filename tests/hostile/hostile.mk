# tests/hostile/hostile.mk: hostile clients and hostile guests: TAP scripts, the raw RSP client they drive, the guests they run.
#
#   clients.t   a raw client (tests/hostile/rawclient.c) against the stub:
#               bad checksums, oversized and cut packets, invalid hex,
#               addresses at the end of memory, 10,000 random packets, a
#               killed client, 1,000 connects, two clients at once
#   guests.t    hypercalls with bad pointers and lengths, port-I/O storms,
#               garbage to every device and then each way a guest ends the
#               machine, rep outs with huge counts, a triple fault, endless loops
#               and --timeout, a guest rewriting code under a breakpoint
#   security.t  loopback by default; no shell, no file named by a client
#               or a guest
#   leaks.t     valgrind over a guest run and a gdb session
#
# The guests (tests/hostile/guests/*.S) are built with the guests' own
# tools and flags (guests/guests.mk: GUEST_CC, GUEST_LD, GUEST_OBJCOPY and
# its linker scripts), products next to their sources, objects under
# $(B)/tests/hostile/. The scripts find the monitor as $GDBVMM (default
# ./gdbvmm) and the raw client as $RAWCLIENT (default
# build/tests/hostile/rawclient), so a sanitizer run tests its own monitor
# with the normal client.

HOSTILE_FLAT   := hcbad iostorm devstorm spin smc loop flood
HOSTILE_ELF32  := pmstorm
HOSTILE_ELF64  := hcbad64 hlt64
# devstorm.S again, each ending another way (-DDEVSTORM_END=panic, ...)
DEVSTORM_ENDS  := panic reset s5
HOSTILE_GUESTS := $(HOSTILE_FLAT:%=tests/hostile/guests/%.bin) \
                  $(DEVSTORM_ENDS:%=tests/hostile/guests/devstorm-%.bin) \
                  $(HOSTILE_ELF32:%=tests/hostile/guests/%.elf) \
                  $(HOSTILE_ELF64:%=tests/hostile/guests/%.elf)
HOSTILE_RAWCLIENT := $(B)/tests/hostile/rawclient
HOSTILE_DEPS   := $(HOSTILE_GUESTS) $(HOSTILE_RAWCLIENT)
CLEAN_EXTRA    += $(HOSTILE_GUESTS)

KVM_TESTS += $(wildcard tests/hostile/clients.t tests/hostile/guests.t tests/hostile/security.t \
                tests/hostile/leaks.t)

# A unit test of the fixes made on the way (KVM-free; see the file).
UNIT_TESTS += $(B)/tests/hostile/test_regress.t
$(B)/tests/hostile/test_regress.t: $(B)/tests/hostile/test_regress.o $(B)/vmm/x86mmu.o \
		$(B)/vmm/loader.o $(B)/vmm/linux.o $(B)/vmm/acpi.o $(B)/vmm/console.o \
		$(B)/gdbstub/packet.o
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: hostile-deps hostile-test
hostile-deps: $(HOSTILE_DEPS)
test kvm-test: hostile-deps
hostile-test: all hostile-deps $(B)/tests/hostile/test_regress.t
	$(PROVE) $(PROVE_FLAGS) $(B)/tests/hostile/test_regress.t tests/hostile/*.t

$(HOSTILE_RAWCLIENT): $(B)/tests/hostile/rawclient.o
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LDLIBS)

HOSTILE_ASFLAGS := -g -I guests -I tests/hostile/guests -MMD -MP

$(HOSTILE_FLAT:%=$(B)/tests/hostile/guests/%.o) $(HOSTILE_ELF32:%=$(B)/tests/hostile/guests/%.o): \
		$(B)/tests/hostile/guests/%.o: tests/hostile/guests/%.S
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  AS      $<")
	$(Q)$(GUEST_CC) -m32 $(HOSTILE_ASFLAGS) -c $< -o $@

$(DEVSTORM_ENDS:%=$(B)/tests/hostile/guests/devstorm-%.o): $(B)/tests/hostile/guests/devstorm-%.o: \
		tests/hostile/guests/devstorm.S
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  AS      $@")
	$(Q)$(GUEST_CC) -m32 $(HOSTILE_ASFLAGS) -DDEVSTORM_END=$* -c $< -o $@

$(HOSTILE_ELF64:%=$(B)/tests/hostile/guests/%.o): $(B)/tests/hostile/guests/%.o: tests/hostile/guests/%.S
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  AS64    $<")
	$(Q)$(GUEST_CC) -m64 $(HOSTILE_ASFLAGS) -c $< -o $@

$(HOSTILE_FLAT:%=$(B)/tests/hostile/guests/%.elf) \
$(DEVSTORM_ENDS:%=$(B)/tests/hostile/guests/devstorm-%.elf): %.elf: %.o guests/flat.ld
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(GUEST_LD) -m elf_i386 -T guests/flat.ld $(GUEST_LDFLAGS) -o $@ $<

$(HOSTILE_FLAT:%=tests/hostile/guests/%.bin) $(DEVSTORM_ENDS:%=tests/hostile/guests/devstorm-%.bin): \
		tests/hostile/guests/%.bin: $(B)/tests/hostile/guests/%.elf
	$(if $(Q),@echo "  OBJCOPY $@")
	$(Q)$(GUEST_OBJCOPY) -O binary -j .text $< $@

$(HOSTILE_ELF32:%=tests/hostile/guests/%.elf): tests/hostile/guests/%.elf: \
		$(B)/tests/hostile/guests/%.o guests/lib/kernel.ld
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(GUEST_LD) -m elf_i386 -T guests/lib/kernel.ld $(GUEST_LDFLAGS) -o $@ $<

$(HOSTILE_ELF64:%=tests/hostile/guests/%.elf): tests/hostile/guests/%.elf: \
		$(B)/tests/hostile/guests/%.o guests/lib/kernel.ld
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(GUEST_LD) -m elf_x86_64 -T guests/lib/kernel.ld $(GUEST_LDFLAGS) -o $@ $<
