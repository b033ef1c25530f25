/* vmm/vm.c: the machine: /dev/kvm, guest RAM, interrupt controller, vCPU threads and how the machine ends. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmm/console.h"
#include "vmm/vm.h"

/* Where KVM may put the real-mode TSS and identity page table on Intel
 * (KVM API, KVM_SET_TSS_ADDR): three pages just below the BIOS area at
 * 4 GiB, far above any RAM we give a guest. */
#define KVM_TSS_ADDR 0xfffbd000u
#define KVM_IDMAP_ADDR 0xfffbc000u

static int kvm_ioctl_retry(int fd, unsigned long req, unsigned long arg)
{
	int r;
	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r;
}

static void vm_init(struct vm *vm, const struct vm_opts *opts)
{
	memset(vm, 0, sizeof(*vm));
	vm->opts = *opts;
	vm->kvm_fd = vm->vm_fd = -1;
	pthread_mutex_init(&vm->lock, NULL);
	pthread_mutex_init(&vm->kick_lock, NULL);
	pthread_mutex_init(&vm->pause_lock, NULL);
	pthread_cond_init(&vm->pause_cond, NULL);
	pthread_cond_init(&vm->cond, NULL);
	iobus_init(&vm->bus, opts->verbose);
}

/* RAM past VM_LOW_RAM_MAX goes above 4 GiB. The hole is part of the host
 * mapping too (never touched, so it costs nothing), so that a guest-physical
 * address is an offset into vm->ram everywhere. */
static int vm_alloc_ram(struct vm *vm)
{
	uint64_t ram = vm->opts.ram_size;
	vm->low_end = ram < VM_LOW_RAM_MAX ? ram : VM_LOW_RAM_MAX;
	vm->ram_size = ram > VM_LOW_RAM_MAX ? VM_HOLE_END + (ram - VM_LOW_RAM_MAX) : ram;
	/* 2 MiB-aligned, so that each 2 MiB of guest RAM can be one huge page
	 * of the host (vm_ram_hugepages) */
	const size_t align = 2u << 20;
	uint8_t *p = mmap(NULL, vm->ram_size + align, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	uint8_t *a = (uint8_t *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	munmap(a + vm->ram_size, (size_t)(p + align - a));
	vm->ram = a;
	return 0;
}

int vm_create_offline(struct vm *vm, const struct vm_opts *opts)
{
	vm_init(vm, opts);
	return vm_alloc_ram(vm);
}

int vm_create(struct vm *vm, const struct vm_opts *opts)
{
	vm_init(vm, opts);

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return -errno;
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return -EPROTO;
	vm->vm_fd = kvm_ioctl_retry(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return -errno;
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size <= 0)
		return -EPROTO;
	vm_probe_host(vm);
	if (!vm->caps.immediate_exit)
		return -ENOTSUP;

	/* Both are only needed on Intel hosts and harmless elsewhere. */
	ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR);
	uint64_t idmap = KVM_IDMAP_ADDR;
	ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap);

	int r = vm_alloc_ram(vm);
	if (r < 0)
		return r;
	return vm_map_ram(vm, NULL, 0);
}

static int set_slot(struct vm *vm, uint32_t slot, uint64_t gpa, uint64_t size, uint32_t flags)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)(vm->ram + gpa),
	};
	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0 ? -errno : 0;
}

static int cmp_page(const void *a, const void *b)
{
	const struct vm_page *x = a, *y = b;
	if (x->gpa != y->gpa)
		return x->gpa < y->gpa ? -1 : 1;
	return (int)y->map - (int)x->map; /* the most restrictive first */
}

static int set_own_slot(struct vm *vm, int i)
{
	static const uint32_t flags[] = { [VM_PAGE_RW] = 0, [VM_PAGE_RO] = KVM_MEM_READONLY };
	const struct vm_page *p = &vm->own[i];
	if (p->map == VM_PAGE_NONE)
		return 0; /* a slot left out (KVM refuses to delete what is not there) */
	return set_slot(vm, vm->own_slot[i], p->gpa, 0x1000, flags[p->map]);
}

static int lay_out(struct vm *vm, const struct vm_page *own, int no);
static int drop_layout(struct vm *vm);

int vm_map_ram(struct vm *vm, const struct vm_page *pages, int n)
{
	struct vm_page own[VM_MAX_OWN_PAGES];
	int no = 0, r;

	for (int i = 0; i < n; i++) {
		if (!vm_gpa(vm, pages[i].gpa & ~0xfffull, 0x1000))
			continue;
		if (no == VM_MAX_OWN_PAGES)
			return -ENOSPC;
		own[no] = pages[i];
		own[no++].gpa &= ~0xfffull;
	}
	qsort(own, (size_t)no, sizeof(own[0]), cmp_page);
	/* drop the old layout, then lay RAM out again: read-write slots
	 * between the pages that have one of their own */
	if ((r = drop_layout(vm)) < 0)
		return r;
	if ((r = lay_out(vm, own, no)) < 0) {
		/* what was laid out goes; plain RAM comes back */
		drop_layout(vm);
		lay_out(vm, NULL, 0);
	}
	return r;
}

/* Deletes every slot there is (not those of unmapped pages: KVM refuses
 * to delete what it does not have). */
static int drop_layout(struct vm *vm)
{
	for (uint32_t sl = 0; sl < vm->nr_slots; sl++) {
		bool absent = false;
		for (int i = 0; i < vm->nr_own; i++)
			absent |= vm->own_slot[i] == sl && vm->own[i].map == VM_PAGE_NONE;
		int r = absent ? 0 : set_slot(vm, sl, 0, 0, 0);
		if (r < 0)
			return r;
	}
	vm->nr_slots = 0;
	vm->nr_own = 0;
	return 0;
}

/* Read-write slots for the RAM in [lo, hi), around the hole. */
static int ram_slots(struct vm *vm, uint64_t lo, uint64_t hi)
{
	uint64_t below = hi < vm->low_end ? hi : vm->low_end;
	uint64_t above = lo > VM_HOLE_END ? lo : VM_HOLE_END;
	int r;
	if (below > lo && (r = set_slot(vm, vm->nr_slots++, lo, below - lo, 0)) < 0)
		return r;
	if (vm->low_end < vm->ram_size && hi > above &&
	    (r = set_slot(vm, vm->nr_slots++, above, hi - above, 0)) < 0)
		return r;
	return 0;
}

static int lay_out(struct vm *vm, const struct vm_page *own, int no)
{
	int r;
	uint64_t at = 0;
	for (int i = 0; i <= no; i++) {
		uint64_t next = i < no ? own[i].gpa : vm->ram_size;
		if (i > 0 && i < no && own[i].gpa == own[i - 1].gpa)
			continue; /* the most restrictive wins (sorted first) */
		if (next > at && (r = ram_slots(vm, at, next)) < 0)
			return r;
		if (i < no) {
			vm->own[vm->nr_own] = own[i];
			vm->own_slot[vm->nr_own] = vm->nr_slots++;
			if ((r = set_own_slot(vm, vm->nr_own++)) < 0)
				return r;
			at = next + 0x1000;
		}
	}
	return 0;
}

int vm_set_page(struct vm *vm, uint64_t gpa, enum vm_page_map map)
{
	for (int i = 0; i < vm->nr_own; i++) {
		if (vm->own[i].gpa != (gpa & ~0xfffull))
			continue;
		if (vm->own[i].map == map)
			return 0;
		/* a slot is deleted before it is created again, whatever changes */
		if (vm->own[i].map != VM_PAGE_NONE) {
			int r = set_slot(vm, vm->own_slot[i], 0, 0, 0);
			if (r < 0)
				return r;
		}
		vm->own[i].map = map;
		return set_own_slot(vm, i);
	}
	return -ENOENT;
}

int vm_page_map(struct vm *vm, uint64_t gpa, enum vm_page_map *map)
{
	for (int i = 0; i < vm->nr_own; i++)
		if (vm->own[i].gpa == (gpa & ~0xfffull)) {
			*map = vm->own[i].map;
			return 0;
		}
	return -ENOENT;
}

int vm_exit_on_emulation_failure(struct vm *vm, bool on)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_EXIT_ON_EMULATION_FAILURE, .args = { on } };
	return ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0 ? -errno : 0;
}

int vm_setup_irqchip(struct vm *vm)
{
	struct kvm_pit_config pit = { .flags = 0 };

	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return -errno;
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return -errno;
	/* Ticks the guest missed are dropped, as a PIC keeps one pending
	 * edge, rather than re-injected as a backlog: a guest stopped or
	 * stepped under gdb would otherwise face a flood of timer interrupts
	 * (KVM API, KVM_REINJECT_CONTROL). Hosts without it keep KVM's way. */
	struct kvm_reinject_control rc = { .pit_reinject = 0 };
	ioctl(vm->vm_fd, KVM_REINJECT_CONTROL, &rc);
	vm->irqchip = true;
	return 0;
}

int vm_irq_line(struct vm *vm, unsigned irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = (uint32_t)level };
	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0 ? -errno : 0;
}

int vm_start(struct vm *vm)
{
	vcpu_install_kick_handler();
	vm->running = vm->nr_vcpus;
	for (int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *cpu = &vm->vcpus[i];
		int err = pthread_create(&cpu->thread, NULL, vcpu_thread, cpu);
		if (err) {
			pthread_mutex_lock(&vm->lock);
			vm->running -= vm->nr_vcpus - i;
			pthread_mutex_unlock(&vm->lock);
			vm_request_exit(vm, VM_STATUS_UNHANDLED);
			return -err;
		}
		pthread_mutex_lock(&vm->kick_lock);
		cpu->thread_started = true;
		pthread_mutex_unlock(&vm->kick_lock);
	}
	return 0;
}

void vm_request_exit(struct vm *vm, int status)
{
	pthread_mutex_lock(&vm->lock);
	if (!atomic_load(&vm->exiting)) {
		vm->exit_status = status;
		atomic_store(&vm->exiting, true);
	}
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	/* A stdout nobody reads must not keep a vCPU, and so the monitor,
	 * alive. First: the kicks below wake the console, which takes the lock
	 * a vCPU blocked in write() holds until its output is given up. */
	console_stop_output(vm->con);
	for (int i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	/* and every parked one */
	pthread_mutex_lock(&vm->pause_lock);
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->pause_lock);
}

/* --timeout: a thread that ends the machine when the time is up, if a
 * guest still runs then. Whoever waits for the machine (vm_wait) stops
 * and joins it, so it never reaches a machine that is being torn down. */
static void *timeout_thread(void *arg)
{
	struct vm *vm = arg;
	struct vm_timer *t = &vm->timer;
	struct timespec deadline;
	bool fire;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += t->seconds;
	pthread_mutex_lock(&t->lock);
	while (!t->cancel && pthread_cond_timedwait(&t->cond, &t->lock, &deadline) != ETIMEDOUT)
		;
	fire = !t->cancel;
	pthread_mutex_unlock(&t->lock);
	if (!fire)
		return NULL;
	pthread_mutex_lock(&vm->lock);
	fire = vm->running > 0 && !atomic_load(&vm->exiting);
	if (fire && !vm->fault_line[0])
		snprintf(vm->fault_line, sizeof(vm->fault_line),
			 "timeout: the guest was still running after %u s", t->seconds);
	pthread_mutex_unlock(&vm->lock);
	if (fire)
		vm_request_exit(vm, VM_STATUS_TIMEOUT);
	return NULL;
}

int vm_timeout_start(struct vm *vm, unsigned seconds)
{
	struct vm_timer *t = &vm->timer;
	pthread_condattr_t ca;
	int err;

	t->seconds = seconds;
	t->cancel = false;
	pthread_mutex_init(&t->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cond, &ca);
	pthread_condattr_destroy(&ca);
	err = pthread_create(&t->thread, NULL, timeout_thread, vm);
	if (err) {
		pthread_cond_destroy(&t->cond);
		pthread_mutex_destroy(&t->lock);
		return -err;
	}
	t->running = true;
	return 0;
}

static void timeout_stop(struct vm *vm)
{
	struct vm_timer *t = &vm->timer;
	if (!t->running)
		return;
	pthread_mutex_lock(&t->lock);
	t->cancel = true;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
	t->running = false;
}

int vm_wait(struct vm *vm, unsigned timeout_s)
{
	int r;
	if (timeout_s && (r = vm_timeout_start(vm, timeout_s)) < 0) {
		pthread_mutex_lock(&vm->lock);
		snprintf(vm->fault_line, sizeof(vm->fault_line), "--timeout: %s", strerror(-r));
		pthread_mutex_unlock(&vm->lock);
		vm_request_exit(vm, VM_STATUS_UNHANDLED);
	}
	pthread_mutex_lock(&vm->lock);
	while (vm->running > 0 && !atomic_load(&vm->exiting))
		pthread_cond_wait(&vm->cond, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
	/* the machine has ended: no timeout is due any more */
	timeout_stop(vm);
	if (atomic_load(&vm->exiting))
		for (int i = 0; i < vm->nr_vcpus; i++)
			vcpu_kick(&vm->vcpus[i]);
	for (int i = 0; i < vm->nr_vcpus; i++) {
		/* no kick signals the thread from here on: a pthread_kill
		 * after the join would name a thread that is gone */
		pthread_mutex_lock(&vm->kick_lock);
		bool started = vm->vcpus[i].thread_started;
		vm->vcpus[i].thread_started = false;
		pthread_mutex_unlock(&vm->kick_lock);
		if (started)
			pthread_join(vm->vcpus[i].thread, NULL);
	}

	pthread_mutex_lock(&vm->lock);
	int status = vm_exit_status_locked(vm);
	pthread_mutex_unlock(&vm->lock);
	return status;
}

int vm_exit_status_locked(struct vm *vm)
{
	if (atomic_load(&vm->exiting))
		return vm->exit_status;
	for (int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].status)
			return vm->vcpus[i].status;
	return 0;
}

static const char *const exit_names[] = {
	[KVM_EXIT_UNKNOWN] = "unknown", [KVM_EXIT_EXCEPTION] = "exception",
	[KVM_EXIT_IO] = "io", [KVM_EXIT_HYPERCALL] = "hypercall", [KVM_EXIT_DEBUG] = "debug",
	[KVM_EXIT_HLT] = "hlt", [KVM_EXIT_MMIO] = "mmio",
	[KVM_EXIT_IRQ_WINDOW_OPEN] = "irq_window_open", [KVM_EXIT_SHUTDOWN] = "shutdown",
	[KVM_EXIT_FAIL_ENTRY] = "fail_entry", [KVM_EXIT_INTR] = "intr",
	[KVM_EXIT_INTERNAL_ERROR] = "internal_error", [KVM_EXIT_SYSTEM_EVENT] = "system_event",
};

void vm_print_stats(struct vm *vm)
{
	uint64_t total[64] = { 0 };
	for (int i = 0; i < vm->nr_vcpus; i++)
		for (int r = 0; r < 64; r++)
			total[r] += vm->vcpus[i].exits[r];
	fprintf(stderr, "gdbvmm: exits by reason (all vCPUs):\n");
	for (int r = 0; r < 64; r++) {
		if (!total[r])
			continue;
		const char *n = (size_t)r < sizeof(exit_names) / sizeof(exit_names[0]) && exit_names[r]
					? exit_names[r] : "other";
		fprintf(stderr, "  %-16s %12llu\n", n, (unsigned long long)total[r]);
	}
}

void vm_destroy(struct vm *vm)
{
	for (int i = 0; i < vm->nr_vcpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	pthread_cond_destroy(&vm->cond);
	pthread_mutex_destroy(&vm->lock);
	pthread_mutex_destroy(&vm->kick_lock);
	pthread_cond_destroy(&vm->pause_cond);
	pthread_mutex_destroy(&vm->pause_lock);
}
