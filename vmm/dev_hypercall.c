/* vmm/dev_hypercall.c: the hypercall port 0x500: reads the vCPU's registers and runs the service. */
#include <errno.h>

#include "vmm/console.h"
#include "vmm/devices.h"
#include "vmm/hypercall.h"
#include "vmm/vm.h"
#include "vmm/x86mmu.h"

/* A guest pointer is DS-relative, as the CPU would use DS:EBX; in long
 * mode the segment base is ignored (docs/hypercalls.md). */
static uint64_t linear_of(struct vcpu *cpu, uint64_t ptr, uint64_t *limit)
{
	struct kvm_sregs *s = vcpu_sregs(cpu);
	if (s->efer & X86_EFER_LMA) {
		*limit = UINT64_MAX;
		return ptr;
	}
	*limit = 0xffffffffull;
	return s->ds.base + (ptr & 0xffffffffull);
}

static int env_check(void *opaque, uint64_t ptr, uint64_t len)
{
	struct vcpu *cpu = opaque;
	uint64_t limit, la = linear_of(cpu, ptr, &limit), last;

	if (len == 0)
		return 0;
	if (__builtin_add_overflow(la, len - 1, &last) || last > limit)
		return -EFAULT;
	while (len > 0) {
		uint64_t gpa, left;
		if (vcpu_translate(cpu, la, &gpa, &left) < 0)
			return -EFAULT;
		uint64_t n = len < left ? len : left;
		if (!vm_gpa(cpu->vm, gpa, n))
			return -EFAULT;
		la += n;
		len -= n;
	}
	return 0;
}

static int env_read(void *opaque, uint64_t ptr, void *buf, size_t len)
{
	struct vcpu *cpu = opaque;
	uint64_t limit;
	return vcpu_read_linear(cpu, linear_of(cpu, ptr, &limit), buf, len);
}

static void env_out(void *opaque, const void *buf, size_t len)
{
	struct vcpu *cpu = opaque;
	console_write(cpu->vm->con, cpu->con, buf, len);
}

static int env_getc(void *opaque)
{
	struct vcpu *cpu = opaque;
	return console_getc(cpu->vm->con, cpu->con, &cpu->stop_req);
}

static enum io_result hypercall_io(void *dev, struct vcpu *cpu, uint16_t port, unsigned size,
				   bool write, uint32_t *val)
{
	(void)dev;
	(void)port;
	if (!write) {
		*val = 0xffffffffu;
		return IO_OK;
	}
	struct kvm_regs *r = vcpu_regs(cpu);
	struct kvm_sregs *s = vcpu_sregs(cpu);
	bool lm = s->efer & X86_EFER_LMA;
	struct hc_call call = {
		.nr = size == 4 ? *val : *val & ((1u << (size * 8)) - 1),
		.rax = r->rax, .rbx = lm ? r->rbx : (uint32_t)r->rbx,
		.rcx = lm ? r->rcx : (uint32_t)r->rcx,
	};
	struct hc_env env = {
		.opaque = cpu, .cpu_index = cpu->index, .nr_cpus = cpu->vm->nr_vcpus,
		.check = env_check, .read = env_read, .out = env_out, .getc = env_getc,
	};
	enum io_result res = hc_dispatch(&env, &call);
	if (res == IO_STOP_VCPU) {
		cpu->status = call.status;
		return res;
	}
	if (res == IO_OK && (call.rax != r->rax || call.rbx != (lm ? r->rbx : (uint32_t)r->rbx) ||
			     call.rcx != (lm ? r->rcx : (uint32_t)r->rcx))) {
		r->rax = call.rax;
		if (call.nr == HC_INFO) {
			r->rbx = call.rbx;
			r->rcx = call.rcx;
		}
		vcpu_regs_dirty(cpu);
	}
	return res;
}

const struct vm_device dev_hypercall = {
	.name = "hypercall", .base = HC_PORT, .len = 1, .io = hypercall_io,
};
