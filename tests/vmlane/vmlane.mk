# tests/vmlane/vmlane.mk: the second test lane (a real SVM KVM inside QEMU TCG).
#   tests/vmlane/run CMD...  runs CMD there; tests/vmlane/setup builds its kernel
#   and initramfs; lane.t checks the lane, and that it can do what kvm-pvm cannot.
SCRIPT_TESTS += tests/vmlane/lane.t

VMLANE_PROBE := $(B)/tests/vmlane/probe

$(VMLANE_PROBE): $(B)/tests/vmlane/probe.o
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^

test: $(VMLANE_PROBE)
