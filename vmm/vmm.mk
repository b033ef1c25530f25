# vmm/vmm.mk: the monitor binary ./gdbvmm (vmm/ + the gdb stub's objects).
VMM_OBJS :=
VMM_OBJS += $(B)/vmm/main.o
VMM_OBJS += $(B)/vmm/vm.o
VMM_OBJS += $(B)/vmm/vcpu.o
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
VMM_OBJS += $(B)/vmm/debug.o
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

# `make install [PREFIX=/usr/local] [DESTDIR=]`: the binary, and the lane's
# scripts where vmm/lane.c looks for them: ../libexec/gdbvmm/ next to bin/.
PREFIX ?= /usr/local
.PHONY: install
install: $(GDBVMM)
	install -D -m 755 $(GDBVMM) $(DESTDIR)$(PREFIX)/bin/gdbvmm
	install -D -m 755 vmm/lane/setup $(DESTDIR)$(PREFIX)/libexec/gdbvmm/setup
	install -D -m 755 vmm/lane/init $(DESTDIR)$(PREFIX)/libexec/gdbvmm/init
