# tests/unit/vmm.mk: unit tests of the monitor's KVM-free parts (bus, UART, hypercalls, MMU, loader, console keys, the lane's framing).
VMM_UNIT :=
VMM_UNIT += test_iobus
VMM_UNIT += test_uart
VMM_UNIT += test_hypercall
VMM_UNIT += test_x86mmu
VMM_UNIT += test_loader
VMM_UNIT += test_console_keys
VMM_UNIT += test_lane_frame

UNIT_TESTS += $(VMM_UNIT:%=$(B)/tests/unit/%.t)

$(B)/tests/unit/test_iobus.t: $(B)/vmm/iobus.o
$(B)/tests/unit/test_uart.t: $(B)/vmm/dev_uart.o $(B)/vmm/console.o
$(B)/tests/unit/test_hypercall.t: $(B)/vmm/hypercall.o
$(B)/tests/unit/test_x86mmu.t: $(B)/vmm/x86mmu.o
$(B)/tests/unit/test_loader.t: $(B)/vmm/loader.o $(B)/vmm/linux.o $(B)/vmm/acpi.o
$(B)/tests/unit/test_console_keys.t: $(B)/vmm/console.o
$(B)/tests/unit/test_lane_frame.t: $(B)/vmm/lane_frame.o

$(VMM_UNIT:%=$(B)/tests/unit/%.t): $(B)/tests/unit/%.t: $(B)/tests/unit/%.o
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LDLIBS)
