/* tests/bench/rawkvm.c: the floor for `make bench`: a bare KVM_RUN loop that runs a flat image and answers the hypercall port with nothing else.
 *
 * Usage: rawkvm [-s] IMAGE
 *
 * It sets the machine up the way gdbvmm starts a flat image (the image
 * at the start of the 64 KiB window at 0x10000, real mode with every
 * segment register 0x1000, IP 0, SP 0, general registers 0) and then
 * services port 0x500 with the least work that keeps the ABI of
 * docs/hypercalls.md for the two services the bench guests need:
 *   4 (info)  RAX = 1, RBX = 0, RCX = 1, through the sync-regs area
 *   0 (exit)  ends with status BL
 * `hlt` ends with status 0. Any other exit is an error (status 3).
 * Registers travel through KVM_CAP_SYNC_REGS (KVM API, 4.8 "KVM_RUN",
 * kvm_run.s.regs): no ioctl per exit but KVM_RUN itself. -s also asks
 * for the segment registers at every exit, as gdbvmm does, to show what
 * that costs.
 *
 * Prints "exits N" on stderr at the end: the number of KVM_RUN returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/kvm.h>

#define RAM_SIZE    (2u << 20)
#define WINDOW      0x10000u
#define FLAT_MAX    0xf000u
#define HC_PORT     0x500
#define HC_EXIT     0
#define HC_INFO     4
#define TSS_ADDR    0xfffbd000u /* as gdbvmm: needed on Intel hosts only */

static int die(const char *what)
{
	fprintf(stderr, "rawkvm: %s: %s\n", what, strerror(errno));
	return 2;
}

static void seg_real(struct kvm_segment *s, uint8_t type)
{
	*s = (struct kvm_segment){
		.base = WINDOW, .limit = 0xffff, .selector = WINDOW >> 4,
		.type = type, .present = 1, .s = 1,
	};
}

/* The CPUID the host supports, as gdbvmm gives its vCPUs: KVM's
 * instruction emulator looks at the guest's CPUID, so a vCPU without one
 * would not be the same machine. */
static int set_cpuid(int kvm, int cpu)
{
	const int n = 128;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + (size_t)n * sizeof(c->entries[0]));
	if (!c)
		return die("calloc");
	c->nent = (uint32_t)n;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) < 0 || ioctl(cpu, KVM_SET_CPUID2, c) < 0) {
		free(c);
		return die("KVM_SET_CPUID2");
	}
	free(c);
	return 0;
}

static int load_image(const char *path, uint8_t *ram)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return die(path);
	ssize_t n = read(fd, ram + WINDOW, FLAT_MAX + 1);
	close(fd);
	if (n <= 0 || n > FLAT_MAX) {
		fprintf(stderr, "rawkvm: %s: not a flat image of 1..%u bytes\n", path, FLAT_MAX);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int sync_sregs = 0;
	if (argc == 3 && !strcmp(argv[1], "-s")) {
		sync_sregs = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: rawkvm [-s] IMAGE\n");
		return 2;
	}

	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return die("/dev/kvm");
	if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) <= 0) {
		fprintf(stderr, "rawkvm: /dev/kvm lacks KVM_CAP_SYNC_REGS\n");
		return 2;
	}
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return die("KVM_CREATE_VM");
	ioctl(vm, KVM_SET_TSS_ADDR, TSS_ADDR);

	uint8_t *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
	if (ram == MAP_FAILED)
		return die("mmap");
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = RAM_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)ram,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return die("KVM_SET_USER_MEMORY_REGION");
	int r = load_image(argv[1], ram);
	if (r)
		return r;

	int cpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (cpu < 0)
		return die("KVM_CREATE_VCPU");
	int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size <= 0)
		return die("KVM_GET_VCPU_MMAP_SIZE");
	struct kvm_run *run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, cpu, 0);
	if (run == MAP_FAILED)
		return die("mmap kvm_run");

	if ((r = set_cpuid(kvm, cpu)) != 0)
		return r;

	struct kvm_sregs sregs;
	if (ioctl(cpu, KVM_GET_SREGS, &sregs) < 0)
		return die("KVM_GET_SREGS");
	seg_real(&sregs.cs, 0xb);
	seg_real(&sregs.ds, 0x3);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	struct kvm_regs regs = { .rflags = 2, .rip = 0, .rsp = 0 };
	if (ioctl(cpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(cpu, KVM_SET_REGS, &regs) < 0)
		return die("KVM_SET_SREGS/REGS");
	run->kvm_valid_regs = KVM_SYNC_X86_REGS | (sync_sregs ? KVM_SYNC_X86_SREGS : 0);

	unsigned long long exits = 0;
	int status = -1;
	while (status < 0) {
		if (ioctl(cpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			return die("KVM_RUN");
		}
		exits++;
		struct kvm_regs *g = &run->s.regs.regs;
		switch (run->exit_reason) {
		case KVM_EXIT_IO: {
			if (run->io.port != HC_PORT || run->io.direction != KVM_EXIT_IO_OUT)
				break; /* not ours: reads see whatever is there, writes vanish */
			uint32_t nr = 0;
			memcpy(&nr, (uint8_t *)run + run->io.data_offset, run->io.size);
			if (nr == HC_EXIT) {
				status = (int)(g->rbx & 0xff);
			} else if (nr == HC_INFO) {
				g->rax = 1;
				g->rbx = 0;
				g->rcx = 1;
				run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
			}
			break;
		}
		case KVM_EXIT_HLT:
			status = 0;
			break;
		default:
			fprintf(stderr, "rawkvm: unexpected exit reason %u\n", run->exit_reason);
			status = 3;
			break;
		}
	}
	fprintf(stderr, "exits %llu\n", exits);
	return status;
}
