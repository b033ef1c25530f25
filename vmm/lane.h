/* vmm/lane.h: running the machine on the lane's KVM when the host has no usable /dev/kvm. */
#ifndef VMM_LANE_H
#define VMM_LANE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The lane is Debian's kernel booted in qemu-system-x86_64 -accel tcg
 * -cpu EPYC,+svm: its kvm_amd gives a real /dev/kvm inside. lane_run boots
 * it (vmm/lane/setup prepares the kernel and initramfs once, vmm/lane/init
 * is its PID 1) and runs this same gdbvmm binary there under
 * `gdbvmm --lane-relay` (vmm/lane_relay.c), relaying stdin, stdout, stderr
 * and the gdb stream over virtio-serial ports. The gdb listener stays on
 * the host. docs/architecture.md has the picture.
 */

enum lane_mode {
	LANE_AUTO,   /* only when /dev/kvm is missing or unusable */
	LANE_OFF,    /* never: --no-lane, GDBVMM_LANE=off */
	LANE_FORCE,  /* always: --lane, GDBVMM_LANE=force */
};

/* GDBVMM_LANE from the environment: unset, "" or "auto", "off", "force".
 * -EINVAL for anything else. */
int lane_mode_from_env(enum lane_mode *out);

struct lane_opts {
	const char *why;          /* why not the host's KVM: one phrase, or NULL when forced */
	char *const *inner_args;  /* gdbvmm's options and images for the inside, NULL-ended */
	const char *gdb;          /* the host's listen spec, or NULL */
	bool wait_gdb;
	unsigned timeout;         /* --timeout, 0 for none */
	uint64_t ram_size;        /* the guest's RAM: the VM gets this and more */
};

/* Runs the machine in the lane; returns gdbvmm's exit status: the inner
 * gdbvmm's, 2 when the lane cannot start here (one line says why), 125
 * when the VM stopped without a status, 128 + signal on SIGINT, SIGTERM,
 * SIGHUP, SIGQUIT (which the caller has blocked in every thread). */
int lane_run(const struct lane_opts *o);

/* The inside: `gdbvmm --lane-relay GDBPORT -- ARGS...` (argv as given to
 * main). Runs gdbvmm ARGS with stdin, stdout and stderr on the ports and
 * bridges the gdb port to 127.0.0.1:GDBPORT ("-": no gdb); returns its
 * exit status. */
#define LANE_RELAY_OPT "--lane-relay"
int lane_relay_main(int argc, char **argv);

/* Where the inner stub listens, inside the VM (its own loopback). */
#define LANE_INNER_GDB_HOST "127.0.0.1"
#define LANE_INNER_GDB_PORT 1234
/* The virtio-serial ports, as vmm/lane/init links them. */
#define LANE_PORT_DIR "/dev/virtio-ports/"
#define LANE_PORT_STDIN  "gdbvmm.stdin"
#define LANE_PORT_STDOUT "gdbvmm.stdout"
#define LANE_PORT_STDERR "gdbvmm.stderr"
#define LANE_PORT_GDB    "gdbvmm.gdb"

#endif
