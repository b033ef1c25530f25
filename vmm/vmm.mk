# vmm/vmm.mk: the monitor binary ./gdbvmm (vmm/ + the gdb stub's objects).
VMM_OBJS :=
VMM_OBJS += $(B)/vmm/main.o
VMM_OBJS += $(B)/vmm/help.o
VMM_OBJS += $(B)/vmm/vm.o
VMM_OBJS += $(B)/vmm/hostprobe.o
VMM_OBJS += $(B)/vmm/vcpu.o
VMM_OBJS += $(B)/vmm/vcpu_regs.o
VMM_OBJS += $(B)/vmm/vcpu_boot.o
VMM_OBJS += $(B)/vmm/iobus.o
VMM_OBJS += $(B)/vmm/console.o
VMM_OBJS += $(B)/vmm/loader.o
VMM_OBJS += $(B)/vmm/x86mmu.o
VMM_OBJS += $(B)/vmm/hypercall.o
VMM_OBJS += $(B)/vmm/devices.o
VMM_OBJS += $(B)/vmm/dev_hypercall.o
VMM_OBJS += $(B)/vmm/dev_uart.o
VMM_OBJS += $(B)/vmm/dev_debugcon.o
VMM_OBJS += $(B)/vmm/dev_debugexit.o
VMM_OBJS += $(B)/vmm/dev_acpi_pm.o
VMM_OBJS += $(B)/vmm/dev_reset.o
VMM_OBJS += $(B)/vmm/dev_pvpanic.o
VMM_OBJS += $(B)/vmm/linux.o
VMM_OBJS += $(B)/vmm/acpi.o
VMM_OBJS += $(B)/vmm/x86_regs.o
VMM_OBJS += $(B)/vmm/debug.o
VMM_OBJS += $(B)/vmm/dbg_regs.o
VMM_OBJS += $(B)/vmm/dbg_bp.o
VMM_OBJS += $(B)/vmm/dbg_int3.o
VMM_OBJS += $(B)/vmm/dbg_dr.o
VMM_OBJS += $(B)/vmm/dbg_trap.o
VMM_OBJS += $(B)/vmm/dbg_hole.o
VMM_OBJS += $(B)/vmm/dbg_step.o
VMM_OBJS += $(B)/vmm/dbg_page.o
VMM_OBJS += $(B)/vmm/gdbserver.o
VMM_OBJS += $(B)/vmm/lane.o
VMM_OBJS += $(B)/vmm/lane_boot.o
VMM_OBJS += $(B)/vmm/lane_relay.o
VMM_OBJS += $(B)/vmm/lane_frame.o

GDBVMM := gdbvmm

all: $(GDBVMM)

$(GDBVMM): $(VMM_OBJS) $(GDBSTUB_OBJS)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LDLIBS)

# The lane's scripts, for make install (vmm/install.mk) to put in
# PKGLIBEXECDIR: vmm/lane.c looks for them in ../libexec/gdbvmm/ next to
# the binary's directory when they are not beside it in the source tree.
INSTALL_LIBEXEC += vmm/lane/setup vmm/lane/init
