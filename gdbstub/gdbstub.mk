# gdbstub/gdbstub.mk: the gdb stub's objects (linked into ./gdbvmm by vmm/vmm.mk).
GDBSTUB_OBJS += $(B)/gdbstub/packet.o
GDBSTUB_OBJS += $(B)/gdbstub/regs.o
GDBSTUB_OBJS += $(B)/gdbstub/gdbstub.o
GDBSTUB_OBJS += $(B)/gdbstub/data.o
GDBSTUB_OBJS += $(B)/gdbstub/query.o
GDBSTUB_OBJS += $(B)/gdbstub/conn.o
