# guests/guests.mk: builds the guest programs: real-mode flat images (.bin) and Multiboot / 64-bit ELF kernels (.elf).
#
# Products go in guests/ (git-ignored), objects and the linked ELF of each
# flat image (for gdb's symbol-file) under $(B)/guests/. The guests are
# built with GNU gcc/ld/objcopy whatever CC the monitor uses: their flags
# are their own, never the monitor's CFLAGS or sanitizer flags.

GUEST_CC      ?= gcc
GUEST_LD      ?= ld
GUEST_OBJCOPY ?= objcopy
GUEST_NM      ?= nm

# Real-mode flat images: one guests/NAME.S each, linked with lib16.S.
GUESTS_FLAT  := minimal hello counter multiplication fibonacci hctest uart pm32 \
                triple paging32 pmint ports \
                bench-hc bench-puts bench-putchar bench-uart
# Multiboot ELF32 kernels: guests/NAME.c + lib/entry32.S + lib/con.c.
GUESTS_ELF32 := dbg hello-mb tick
# 64-bit ELF kernels: guests/NAME.c + lib/entry64.S + lib/con.c.
GUESTS_ELF64 := dbg64

# Register fidelity (tests/gdb/fidelity.t): one guest in every mode, as
# an ELF32 Multiboot kernel and an ELF64 with the same bytes (below).
GUESTS_FID   := guests/fidelity.elf guests/fidelity64.elf

GUESTS := $(GUESTS_FLAT:%=guests/%.bin) $(GUESTS_ELF32:%=guests/%.elf) \
          $(GUESTS_ELF64:%=guests/%.elf) $(GUESTS_FID)

all: $(GUESTS)
CLEAN_EXTRA += $(GUESTS)

# Assembly goes through the C preprocessor (#include "hc.inc", #define).
GUEST_ASFLAGS := -g -I guests -MMD -MP
# The C guests: freestanding, no SSE (nothing enables it), DWARF kept for
# gdb, -Og and frame pointers so that gdb sees every variable and frame.
GUEST_CFLAGS  := $(WARN) -ffreestanding -fno-pie -fno-pic -fno-stack-protector \
                 -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
                 -mgeneral-regs-only -nostdlib -g -Og -I guests -MMD -MP
GUEST_CFLAGS64 := -m64 -mno-red-zone -mcmodel=small
# No build-id note (it would sit before the Multiboot header), no warnings
# about the assembly files' missing .note.GNU-stack or the one RWX block
# of a flat image.
GUEST_LDFLAGS := --build-id=none -z noexecstack -z max-page-size=0x1000 \
                 --no-warn-rwx-segments

# --- flat images --------------------------------------------------------------

GUEST_FLAT_OBJS := $(GUESTS_FLAT:%=$(B)/guests/%.o) $(B)/guests/lib16.o

$(GUEST_FLAT_OBJS): $(B)/guests/%.o: guests/%.S
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  AS16    $<")
	$(Q)$(GUEST_CC) -m32 $(GUEST_ASFLAGS) -c $< -o $@

# --gc-sections drops the lib16 routines a guest does not call.
$(GUESTS_FLAT:%=$(B)/guests/%.elf): $(B)/guests/%.elf: $(B)/guests/%.o \
		$(B)/guests/lib16.o guests/flat.ld
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(GUEST_LD) -m elf_i386 -T guests/flat.ld --gc-sections $(GUEST_LDFLAGS) \
		-o $@ $(filter %.o,$^)

$(GUESTS_FLAT:%=guests/%.bin): guests/%.bin: $(B)/guests/%.elf
	$(if $(Q),@echo "  OBJCOPY $@")
	$(Q)$(GUEST_OBJCOPY) -O binary -j .text $< $@

# --- Multiboot ELF32 kernels --------------------------------------------------

GUEST_LIB32 := $(B)/guests/32/lib/entry32.o $(B)/guests/32/lib/con.o

$(GUESTS_ELF32:%=$(B)/guests/32/%.o) $(B)/guests/32/lib/con.o: $(B)/guests/32/%.o: guests/%.c
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC32    $<")
	$(Q)$(GUEST_CC) -m32 $(GUEST_CFLAGS) -c $< -o $@

$(B)/guests/32/lib/entry32.o: guests/lib/entry32.S
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  AS32    $<")
	$(Q)$(GUEST_CC) -m32 $(GUEST_ASFLAGS) -c $< -o $@

$(GUESTS_ELF32:%=guests/%.elf): guests/%.elf: $(B)/guests/32/%.o $(GUEST_LIB32) \
		guests/lib/kernel.ld
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(GUEST_LD) -m elf_i386 -T guests/lib/kernel.ld $(GUEST_LDFLAGS) \
		-o $@ $(filter %.o,$^)

# --- 64-bit ELF kernels -------------------------------------------------------

GUEST_LIB64 := $(B)/guests/64/lib/entry64.o $(B)/guests/64/lib/con.o

$(GUESTS_ELF64:%=$(B)/guests/64/%.o) $(B)/guests/64/lib/con.o: $(B)/guests/64/%.o: guests/%.c
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC64    $<")
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS64) $(GUEST_CFLAGS) -c $< -o $@

$(B)/guests/64/lib/entry64.o: guests/lib/entry64.S
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  AS64    $<")
	$(Q)$(GUEST_CC) -m64 $(GUEST_ASFLAGS) -c $< -o $@

$(GUESTS_ELF64:%=guests/%.elf): guests/%.elf: $(B)/guests/64/%.o $(GUEST_LIB64) \
		guests/lib/kernel.ld
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(GUEST_LD) -m elf_x86_64 -T guests/lib/kernel.ld $(GUEST_LDFLAGS) \
		-o $@ $(filter %.o,$^)

# --- the register-fidelity guest ----------------------------------------------
#
# guests/fidelity.S holds 16-, 32- and 64-bit code in one x86-64 object,
# linked once (ELF64, entry _start in long mode: gdbvmm's ELF64 boot). The
# ELF32 is a copy with the same segments at the same addresses and the
# Multiboot entry _start32, so that QEMU's -kernel (which refuses ELF64)
# and gdbvmm both load it; the two files stop at the same addresses.

$(B)/guests/64/fidelity.o: guests/fidelity.S
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  AS64    $<")
	$(Q)$(GUEST_CC) -m64 $(GUEST_ASFLAGS) -c $< -o $@

guests/fidelity64.elf: $(B)/guests/64/fidelity.o guests/lib/kernel.ld
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(GUEST_LD) -m elf_x86_64 -T guests/lib/kernel.ld $(GUEST_LDFLAGS) \
		-o $@ $(filter %.o,$^)

guests/fidelity.elf: guests/fidelity64.elf
	$(if $(Q),@echo "  OBJCOPY $@")
	$(Q)entry=$$($(GUEST_NM) $< | awk '$$3 == "_start32" { print $$1 }') && \
		test -n "$$entry" && \
		$(GUEST_OBJCOPY) -O elf32-i386 --set-start=0x$$entry $< $@
