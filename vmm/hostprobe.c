/* vmm/hostprobe.c: what the host KVM can do: its capabilities, and a self-test of its debug abilities in scratch VMs. */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/vm.h"
#include "vmm/x86mmu.h"

enum probe_kind { PROBE_STEP, PROBE_SW, PROBE_HW, PROBE_WP };

/* One tiny real-mode guest at 0x1000 with IVT vectors 1 and 3 pointing to
 * a hlt at 0x1100: a debug event that KVM does not intercept ends in that
 * hlt instead of KVM_EXIT_DEBUG. */
static bool probe_one(int kvm_fd, int run_size, enum probe_kind kind)
{
	static const uint8_t code_sw[] = { 0x90, 0xcc, 0xf4 };             /* nop; int3; hlt */
	static const uint8_t code_hw[] = { 0x90, 0x90, 0xf4 };             /* nop; nop; hlt */
	static const uint8_t code_wp[] = { 0xc6, 0x06, 0x00, 0x20, 0x01, 0xf4 }; /* movb $1,0x2000; hlt */
	const size_t mem_size = 0x10000;
	bool result = false;
	int vmfd = -1, cpufd = -1;
	struct kvm_run *run = NULL;
	uint8_t *mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		return false;
	vmfd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vmfd < 0)
		goto out;
	ioctl(vmfd, KVM_SET_TSS_ADDR, 0xfffbd000ul);
	struct kvm_userspace_memory_region reg = {
		.memory_size = mem_size, .userspace_addr = (uint64_t)(uintptr_t)mem,
	};
	if (ioctl(vmfd, KVM_SET_USER_MEMORY_REGION, &reg) < 0)
		goto out;
	cpufd = ioctl(vmfd, KVM_CREATE_VCPU, 0);
	if (cpufd < 0)
		goto out;
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, cpufd, 0);
	if (run == MAP_FAILED) {
		run = NULL;
		goto out;
	}
	uint32_t vec = 0x1100; /* 0000:1100 */
	memcpy(mem + 1 * 4, &vec, 4);
	memcpy(mem + 3 * 4, &vec, 4);
	mem[0x1100] = 0xf4;
	const uint8_t *code = kind == PROBE_SW ? code_sw : kind == PROBE_WP ? code_wp : code_hw;
	memcpy(mem + 0x1000, code, kind == PROBE_WP ? sizeof(code_wp) : 3);

	struct kvm_sregs s;
	if (ioctl(cpufd, KVM_GET_SREGS, &s) < 0)
		goto out;
	s.cs.base = 0;
	s.cs.selector = 0;
	s.ds = s.es = s.ss = s.cs;
	s.ds.type = s.es.type = s.ss.type = 3;
	struct kvm_regs r = { .rip = 0x1000, .rsp = 0x8000, .rflags = 2 };
	if (ioctl(cpufd, KVM_SET_SREGS, &s) < 0 || ioctl(cpufd, KVM_SET_REGS, &r) < 0)
		goto out;

	struct kvm_guest_debug dbg = { .control = KVM_GUESTDBG_ENABLE };
	switch (kind) {
	case PROBE_STEP: dbg.control |= KVM_GUESTDBG_SINGLESTEP; break;
	case PROBE_SW: dbg.control |= KVM_GUESTDBG_USE_SW_BP; break;
	case PROBE_HW:
		dbg.control |= KVM_GUESTDBG_USE_HW_BP;
		dbg.arch.debugreg[0] = 0x1001;
		dbg.arch.debugreg[7] = 0x1 | 0x200; /* L0, exec, GE */
		break;
	case PROBE_WP:
		dbg.control |= KVM_GUESTDBG_USE_HW_BP;
		dbg.arch.debugreg[0] = 0x2000;
		dbg.arch.debugreg[7] = 0x1 | 0x200 | (1u << 16); /* L0, write, 1 byte */
		break;
	}
	if (ioctl(cpufd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
		goto out;
	for (int i = 0; i < 8; i++) {
		if (ioctl(cpufd, KVM_RUN, 0) < 0)
			break;
		if (run->exit_reason == KVM_EXIT_DEBUG) {
			uint32_t exc = run->debug.arch.exception;
			uint64_t dr6 = run->debug.arch.dr6;
			result = kind == PROBE_STEP ? exc == 1 && (dr6 & X86_DR6_BS)
				 : kind == PROBE_SW ? exc == 3
				 : exc == 1 && (dr6 & 1);
			break;
		}
		if (run->exit_reason != KVM_EXIT_IO && run->exit_reason != KVM_EXIT_MMIO &&
		    run->exit_reason != KVM_EXIT_INTR)
			break; /* hlt, shutdown, internal error: the event was not intercepted */
	}
out:
	if (run)
		munmap(run, (size_t)run_size);
	if (cpufd >= 0)
		close(cpufd);
	if (vmfd >= 0)
		close(vmfd);
	munmap(mem, mem_size);
	return result;
}


int vm_probe_host(struct vm *vm)
{
	struct host_caps *c = &vm->caps;
	int sync = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
	int dbg2 = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG2);
	int maxv = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);

	c->is_pvm = access("/sys/module/kvm_pvm", F_OK) == 0;
	c->sync_regs = sync > 0 && (sync & (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) ==
				    (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS);
	c->immediate_exit = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) > 0;
	c->ro_mem = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) > 0;
	c->emul_exit = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXIT_ON_EMULATION_FAILURE) > 0;
	c->blockirq = dbg2 > 0 && (dbg2 & KVM_GUESTDBG_BLOCKIRQ);
	c->max_vcpus = maxv > 0 ? maxv : 1;
	c->tsc_deadline = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	/* the debug abilities cost four scratch VMs: only for a debugger */
	if (vm->opts.debug) {
		c->single_step = probe_one(vm->kvm_fd, vm->run_size, PROBE_STEP);
		c->sw_bp = probe_one(vm->kvm_fd, vm->run_size, PROBE_SW);
		c->hw_bp = probe_one(vm->kvm_fd, vm->run_size, PROBE_HW);
		c->hw_wp = probe_one(vm->kvm_fd, vm->run_size, PROBE_WP);
	}
	return 0;
}
