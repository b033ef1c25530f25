# tests/unit/gdbstub.mk: unit tests of the gdb stub (framing, registers, packets, sockets, the real gdb) over a fake target.
GDBSTUB_UNIT :=
GDBSTUB_UNIT += test_rsp_packet
GDBSTUB_UNIT += test_gdb_regs
GDBSTUB_UNIT += test_gdb_session
GDBSTUB_UNIT += test_gdb_conn

UNIT_TESTS += $(GDBSTUB_UNIT:%=$(B)/tests/unit/%.t)
# the real gdb against the stub over the fake target (skips without gdb)
UNIT_TESTS += $(B)/tests/unit/gdb_fake.t

FAKE_TARGET_OBJ := $(B)/tests/unit/fake_target.o

$(B)/tests/unit/test_rsp_packet.t: $(B)/gdbstub/packet.o
$(B)/tests/unit/test_gdb_regs.t: $(B)/gdbstub/regs.o
$(B)/tests/unit/test_gdb_session.t: $(GDBSTUB_OBJS) $(FAKE_TARGET_OBJ)
$(B)/tests/unit/test_gdb_conn.t: $(GDBSTUB_OBJS) $(FAKE_TARGET_OBJ)

$(GDBSTUB_UNIT:%=$(B)/tests/unit/%.t): $(B)/tests/unit/%.t: $(B)/tests/unit/%.o
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/unit/fakestub: $(B)/tests/unit/fakestub.o $(GDBSTUB_OBJS) $(FAKE_TARGET_OBJ)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LDLIBS)

# The script finds fakestub next to itself.
$(B)/tests/unit/gdb_fake.t: tests/unit/gdb_fake.t $(B)/tests/unit/fakestub
	$(Q)cp $< $@ && chmod +x $@
