/* tests/fuzz/fuzz_hypercall.c: libFuzzer harness of the hypercall ABI: the port-0x500 handler (vmm/dev_hypercall.c), the services (vmm/hypercall.c) and the guest memory access under them (vmm/vcpu_regs.c, vmm/x86mmu.c), with a fake vCPU.
 *
 * The vCPU is a struct vcpu whose general registers live in a heap
 * kvm_run, as they do on a host with KVM_CAP_SYNC_REGS, and whose segment
 * registers are the ones vcpu_sregs fetched for this exit (cpu->sregs),
 * so the real vcpu_regs, vcpu_sregs, vcpu_translate and vcpu_read_linear
 * run without KVM. The
 * console is a fake that counts and keeps what is printed, and feeds
 * getchar from the input.
 *
 * Input: byte 0 (access size 1, 2 or 4; in or out; getchar interrupted;
 * 1 to 8 vCPUs), the value written, RAX, RBX, RCX, CR0, CR3, CR4, EFER,
 * the DS base, then stdin: a count and that many bytes; the rest fills
 * guest RAM (256 KiB at guest-physical 0, zero but for the 8-byte words
 * the input puts there: records of a 32-bit offset, rounded down to 8
 * and taken modulo the RAM size, and a 64-bit value, so that page tables
 * and a string take a few bytes of input).
 *
 * Checked for every call: no register but RAX changes (RBX and RCX too for
 * `info`); guest memory is never written; puts prints all of its range
 * and returns the length, or prints nothing and returns -EFAULT; with
 * paging off, puts succeeds exactly when DS.base + EBX .. + ECX lies in RAM
 * without wrapping past 4 GiB, and prints those bytes.
 */
#include <errno.h>

#include "tests/fuzz/fuzz.h"
#include "vmm/console.h"
#include "vmm/devices.h"
#include "vmm/hypercall.h"
#include "vmm/vm.h"
#include "vmm/x86mmu.h"

#define RAM_SIZE (256u << 10)

static struct vm *vm;
static struct vcpu *cpu;
static uint8_t *ram_copy;
static uint8_t printed[RAM_SIZE];
static size_t nprinted;
static const uint8_t *stdin_p;
static size_t stdin_left;

/* ---- the fake console ---------------------------------------------------- */

void console_write(struct console *c, int i, const void *buf, size_t len)
{
	(void)c, (void)i;
	size_t room = nprinted < RAM_SIZE ? RAM_SIZE - nprinted : 0;
	if (room)
		memcpy(printed + nprinted, buf, len < room ? len : room);
	nprinted += len;
}

int console_getc(struct console *c, int i, _Atomic bool *cancel)
{
	(void)c, (void)i;
	if (cancel && *cancel)
		return -EINTR;
	if (!stdin_left)
		return -1;
	stdin_left--;
	return *stdin_p++;
}

void console_flush(struct console *c, int i)
{
	(void)c, (void)i;
}

void console_wake(struct console *c)
{
	(void)c;
}

void console_stop_output(struct console *c)
{
	(void)c;
}

/* ---- the harness ---------------------------------------------------------- */

static void setup(void)
{
	vm = calloc(1, sizeof(*vm));
	CHECK(vm);
	vm->ram_size = RAM_SIZE;
	vm->low_end = RAM_SIZE;
	vm->ram = malloc(RAM_SIZE);
	ram_copy = malloc(RAM_SIZE);
	CHECK(vm->ram && ram_copy);
	vm->caps.sync_regs = true;
	cpu = &vm->vcpus[0];
	cpu->vm = vm;
	cpu->run = calloc(1, sizeof(*cpu->run));
	CHECK(cpu->run);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned sizes[4] = { 1, 2, 4, 4 };
	struct fuzz_in in = { data, size };

	if (!vm)
		setup();
	unsigned b0 = (unsigned)fuzz_take(&in, 1);
	unsigned io_size = sizes[b0 & 3];
	bool write = !(b0 & 4);
	atomic_store(&cpu->stop_req, (b0 & 8) != 0);
	vm->nr_vcpus = (int)((b0 >> 4) & 7) + 1;
	cpu->index = vm->nr_vcpus - 1;
	uint32_t val = (uint32_t)fuzz_take(&in, 4);

	struct kvm_regs *r = &cpu->run->s.regs.regs;
	struct kvm_sregs *s = &cpu->sregs;
	cpu->sregs_valid = true; /* as if fetched for this exit */
	memset(r, 0, sizeof(*r));
	memset(s, 0, sizeof(*s));
	r->rax = fuzz_take(&in, 8);
	r->rbx = fuzz_take(&in, 8);
	r->rcx = fuzz_take(&in, 8);
	r->rdx = 0xd0d0d0d0d0d0d0d0ull;
	r->rip = 0x1234;
	s->cr0 = fuzz_take(&in, 4);
	s->cr3 = fuzz_take(&in, 4);
	s->cr4 = fuzz_take(&in, 4);
	s->efer = fuzz_take(&in, 2);
	s->ds.base = fuzz_take(&in, 8);
	size_t nin = (size_t)fuzz_take(&in, 1);
	stdin_p = in.p;
	stdin_left = nin < in.left ? nin : in.left;
	in.p += stdin_left;
	in.left -= stdin_left;
	memset(vm->ram, 0, RAM_SIZE);
	while (in.left) {
		uint64_t off = (fuzz_take(&in, 4) % RAM_SIZE) & ~7ull;
		uint64_t w = fuzz_take(&in, 8);
		memcpy(vm->ram + off, &w, 8);
	}
	memcpy(ram_copy, vm->ram, RAM_SIZE);
	struct kvm_regs before = *r;
	cpu->run->kvm_dirty_regs = 0;
	cpu->status = -1;
	nprinted = 0;

	uint32_t v = val;
	enum io_result res = dev_hypercall.io(NULL, cpu, HC_PORT, io_size, write, &v);

	CHECK(!memcmp(vm->ram, ram_copy, RAM_SIZE)); /* never writes the guest */
	if (!write) {
		CHECK(res == IO_OK && v == 0xffffffffu && nprinted == 0);
		CHECK(!memcmp(r, &before, sizeof(*r)));
		return 0;
	}
	bool lm = s->efer & X86_EFER_LMA;
	uint32_t nr = io_size == 4 ? val : val & ((1u << (io_size * 8)) - 1);
	uint64_t ptr = lm ? before.rbx : (uint32_t)before.rbx;
	uint64_t len = lm ? before.rcx : (uint32_t)before.rcx;
	int64_t rax = (int64_t)r->rax;

	/* what may change */
	struct kvm_regs after = *r;
	after.rax = before.rax;
	if (nr == HC_INFO && res == IO_OK) {
		CHECK(r->rax == HC_ABI_VERSION);
		CHECK(r->rbx == (uint64_t)cpu->index && r->rcx == (uint64_t)vm->nr_vcpus);
		after.rbx = before.rbx;
		after.rcx = before.rcx;
	}
	CHECK(!memcmp(&after, &before, sizeof(after)));
	CHECK(r->rax == before.rax || (cpu->run->kvm_dirty_regs & KVM_SYNC_X86_REGS));

	switch (nr) {
	case HC_EXIT:
		CHECK(res == IO_STOP_VCPU && cpu->status == (int)(before.rbx & 0xff));
		CHECK(r->rax == before.rax);
		break;
	case HC_PUTCHAR:
		CHECK(res == IO_OK && rax == 0 && nprinted == 1 && printed[0] == (uint8_t)before.rbx);
		break;
	case HC_GETCHAR:
		if (atomic_load(&cpu->stop_req)) {
			CHECK(res == IO_RETRY && r->rax == before.rax);
		} else {
			CHECK(res == IO_OK && rax >= -1 && rax <= 255);
		}
		break;
	case HC_PUTS:
		CHECK(res == IO_OK);
		CHECK((rax == -EFAULT && nprinted == 0) || ((uint64_t)rax == len && nprinted == len));
		if (!(s->cr0 & X86_CR0_PG) && !lm) {
			/* paging off: the range is [DS.base + ptr, + len) */
			uint64_t la = s->ds.base + ptr, last;
			bool fits = len == 0 || (!__builtin_add_overflow(la, len - 1, &last) &&
						 last <= 0xffffffffull && last < RAM_SIZE);
			CHECK(fits == (rax != -EFAULT));
			if (fits && len)
				CHECK(!memcmp(printed, vm->ram + la, len));
		}
		break;
	case HC_INFO:
		CHECK(res == IO_OK);
		break;
	default:
		CHECK(res == IO_OK && rax == -ENOSYS && nprinted == 0);
		break;
	}
	return 0;
}
