# tests/linux/linux.mk: the Linux kernel and initramfs the Linux boot tests use.
#   `make linux-kernel` builds both into tests/linux/cache (GDBVMM_LINUX_CACHE):
#   tests/linux/build-kernel compiles Debian's linux-source-6.1 (minutes, the
#   first time only) and tests/linux/mkinitramfs packs busybox-static and
#   tests/linux/init. Each is a no-op that prints one line once its cache is
#   up to date. `make clean` leaves the cache alone: rebuilding it is slow.
.PHONY: linux-kernel

linux-kernel:
	$(Q)tests/linux/build-kernel
	$(Q)tests/linux/mkinitramfs
