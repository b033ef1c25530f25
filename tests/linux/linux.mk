# tests/linux/linux.mk: the Linux kernel and initramfs the Linux boot tests use.
#   `make linux-kernel` builds both into ~/.cache/gdbvmm/linux (GDBVMM_LINUX_CACHE):
#   tests/linux/build-kernel compiles Debian's linux-source-6.1 (minutes, the
#   first time only) and tests/linux/mkinitramfs packs busybox-static and
#   tests/linux/init. Each is a no-op that prints one line once its cache is
#   up to date. `make clean` leaves the cache alone: rebuilding it is slow.
.PHONY: linux-kernel

linux-kernel:
	$(Q)tests/linux/build-kernel
	$(Q)tests/linux/mkinitramfs

# The Linux tests (boot.t, gdb.t) run through lane.t: on hardware KVM
# directly, elsewhere (kvm-pvm cannot run Linux, or no KVM) in one boot of
# the VM lane. lane.t builds the kernel first when its cache is stale.
SCRIPT_TESTS += tests/linux/lane.t
# host.t: the README's Linux command on this host, as a user runs it
SCRIPT_TESTS += tests/linux/host.t
