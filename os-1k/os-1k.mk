# os-1k/os-1k.mk: builds the teaching OS os-1k/kernel.elf and its user programs (included by the top-level Makefile).
#
#   make os-1k/kernel.elf   the Multiboot kernel, user programs embedded
#   make os-1k-qemu         boot it under QEMU (TCG), console on stdio
#   make os-1k-qemu-gdb     the same, stopped, waiting for gdb on :1234
#   make os-1k-test         the program tests and the gdb test under QEMU (TAP)
#   make os-1k-test-vmlane  the program tests and the gdb session under ./gdbvmm, in the KVM test VM

OS1K_B      := $(B)/os-1k
OS1K_CFLAGS := -m32 -march=i686 -ffreestanding -fno-pie -fno-stack-protector \
               -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
               -mgeneral-regs-only -fwrapv -nostdlib -Og -g \
               $(WARN) -MMD -MP -I.
OS1K_LD     := ld -m elf_i386

# The kernel: boot.S must come first (the Multiboot header).
OS1K_KOBJS := \
	$(OS1K_B)/boot.o \
	$(OS1K_B)/entry.o \
	$(OS1K_B)/kernel.o \
	$(OS1K_B)/mm.o \
	$(OS1K_B)/proc.o \
	$(OS1K_B)/uart.o \
	$(OS1K_B)/lib.o \
	$(OS1K_B)/images.o

# User programs: user/NAME.c becomes NAME.bin, embedded by images.S.
OS1K_PROGS := sh mult counter echo fib primes calc fact gcd about spin crash loop
OS1K_ULIB  := $(OS1K_B)/user/ulib.o $(OS1K_B)/lib.o
OS1K_BINS  := $(OS1K_PROGS:%=$(OS1K_B)/user/%.bin)

# Keep the user ELF files: gdb loads their symbols (os-1k/gdbinit).
.SECONDARY: $(OS1K_PROGS:%=$(OS1K_B)/user/%.elf) $(OS1K_PROGS:%=$(OS1K_B)/user/%.o) $(OS1K_ULIB)

all: os-1k/kernel.elf
CLEAN_EXTRA += os-1k/kernel.elf

os-1k/kernel.elf: $(OS1K_KOBJS) os-1k/kernel.ld
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(OS1K_LD) -T os-1k/kernel.ld -z max-page-size=0x1000 -o $@ $(OS1K_KOBJS)

$(OS1K_B)/%.o: os-1k/%.c
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(OS1K_CFLAGS) -c $< -o $@

$(OS1K_B)/%.o: os-1k/%.S
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  AS      $<")
	$(Q)$(CC) $(OS1K_CFLAGS) -c $< -o $@

$(OS1K_B)/images.o: os-1k/images.S $(OS1K_BINS)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  AS      $<")
	$(Q)$(CC) $(OS1K_CFLAGS) -Wa,-I$(OS1K_B)/user -c $< -o $@

$(OS1K_B)/user/%.elf: $(OS1K_B)/user/%.o $(OS1K_ULIB) os-1k/user/user.ld
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(OS1K_LD) -T os-1k/user/user.ld -o $@ $< $(OS1K_ULIB)

$(OS1K_B)/user/%.bin: $(OS1K_B)/user/%.elf
	$(Q)objcopy -O binary $< $@

OS1K_QEMU := qemu-system-i386 -accel tcg -kernel os-1k/kernel.elf -display none \
             -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 -no-reboot -m 128

.PHONY: os-1k-qemu os-1k-qemu-gdb os-1k-test os-1k-test-vmlane
os-1k-qemu: os-1k/kernel.elf
	$(OS1K_QEMU)

os-1k-qemu-gdb: os-1k/kernel.elf
	@echo "waiting for gdb: gdb -x os-1k/gdbinit -ex 'target remote :1234'"
	$(OS1K_QEMU) -s -S

# `make test` runs os-1k under QEMU here, and under ./gdbvmm (the program
# tests, the gdb session, the gdb/MI session) in the second lane:
# os-1k/tests/lane.t.
SCRIPT_TESTS += os-1k/tests/run-qemu.t os-1k/tests/gdb-qemu.t os-1k/tests/lane.t

os-1k-test: os-1k/kernel.elf
	prove os-1k/tests/run-qemu.t os-1k/tests/gdb-qemu.t

# gdbvmm runs os-1k only on a KVM with 32-bit paging (not on kvm-pvm).
os-1k-test-vmlane: os-1k/kernel.elf gdbvmm
	prove -v os-1k/tests/lane.t
