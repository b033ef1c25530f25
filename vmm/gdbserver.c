/* vmm/gdbserver.c: the machine as a gdb target (gdbstub/target.h over the debug engine), and its serve loop. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdbstub/gdbstub.h"
#include "vmm/debug.h"
#include "vmm/gdbserver.h"
#include "vmm/textbuf.h"
#include "vmm/vm.h"
#include "vmm/x86_regs.h"
#include "vmm/x86mmu.h"

/* ---- memory ---------------------------------------------------------------- */

/* Walks [addr, addr+len) in pieces that are contiguous in guest-physical
 * memory; only RAM is ever touched, never a device. */
static int mem_access(struct vm *vm, int cpu, uint64_t addr, uint8_t *buf, size_t len,
		      unsigned flags, bool write)
{
	while (len > 0) {
		uint64_t gpa = addr, left = UINT64_MAX;
		if (!(flags & GDB_MEM_PHYS) && debug_translate(vm, cpu, addr, &gpa, &left, NULL) < 0)
			return -EFAULT;
		size_t n = len < left ? len : (size_t)left;
		uint8_t *p = vm_gpa(vm, gpa, n);
		if (!p)
			return -EFAULT;
		if (write) {
			memcpy(p, buf, n);
			debug_shadow_write(vm, gpa, buf, n);
		} else {
			memcpy(buf, p, n);
			debug_shadow_read(vm, gpa, buf, n);
		}
		buf += n;
		addr += n;
		len -= n;
	}
	return 0;
}

static int t_read_mem(void *tgt, int cpu, uint64_t addr, void *buf, size_t len, unsigned flags)
{
	return mem_access(tgt, cpu, addr, buf, len, flags, false);
}

static int t_write_mem(void *tgt, int cpu, uint64_t addr, const void *buf, size_t len,
		       unsigned flags)
{
	/* the buffer is only read: mem_access copies from it when writing */
	return mem_access(tgt, cpu, addr, (uint8_t *)(uintptr_t)buf, len, flags, true);
}

/* ---- threads and registers -------------------------------------------------- */

/* Fixed for the session, from the code loaded: x86-64 if a 64-bit ELF is
 * there, i8086 if every image starts in real mode, else i386. */
static enum gdb_arch t_arch(void *tgt)
{
	struct vm *vm = tgt;
	bool all_flat = true;
	for (int i = 0; i < vm->nr_images; i++) {
		if (vm->images[i].boot.kind == IMAGE_ELF64 || vm->images[i].boot.kind == IMAGE_LINUX)
			return GDB_ARCH_X86_64;
		all_flat &= vm->images[i].boot.kind == IMAGE_FLAT;
	}
	return all_flat ? GDB_ARCH_I8086 : GDB_ARCH_I386;
}

static int t_nr_cpus(void *tgt)
{
	return ((struct vm *)tgt)->nr_vcpus;
}

static bool t_cpu_online(void *tgt, int cpu)
{
	struct vm *vm = tgt;
	return cpu >= 0 && cpu < vm->nr_vcpus && vcpu_started(&vm->vcpus[cpu]);
}

static int t_cpu_describe(void *tgt, int cpu, char *buf, size_t len)
{
	struct vm *vm = tgt;
	struct kvm_regs r;
	struct kvm_sregs s;
	bool gone;
	if (cpu < 0 || cpu >= vm->nr_vcpus || debug_cpu_view(vm, cpu, &r, &s, &gone) < 0)
		return -EINVAL;
	enum vcpu_state st = atomic_load(&vm->vcpus[cpu].state);
	return snprintf(buf, len, "vCPU %d %s, %s%s", cpu, vm->vcpus[cpu].image->name, vcpu_mode_name(&s),
			st == VCPU_FINISHED ? ", finished" : st == VCPU_FAULTED ? ", faulted" : "");
}

static int t_get_state(void *tgt, int cpu, struct x86_state *st)
{
	return debug_get_state(tgt, cpu, st);
}

static int t_set_state(void *tgt, int cpu, const struct x86_state *st)
{
	return debug_set_state(tgt, cpu, st);
}

/* Debug registers and pc compare linear addresses, so a breakpoint at a
 * physical address (monitor phys on) is only possible while the vCPU's
 * linear addresses are its physical ones: paging off. */
static int phys_ok(struct vm *vm, int cpu, unsigned flags)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	bool gone;
	if (!(flags & GDB_MEM_PHYS))
		return 0;
	if (debug_cpu_view(vm, cpu, &r, &s, &gone) < 0)
		return -EINVAL;
	return (s.cr0 & X86_CR0_PG) ? -EOPNOTSUPP : 0;
}

static int t_insert_bp(void *tgt, int cpu, enum gdb_bp_type type, uint64_t addr, uint64_t len,
		       unsigned flags)
{
	int r = phys_ok(tgt, cpu, flags);
	return r < 0 ? r : debug_insert(tgt, cpu, type, addr, len);
}

static int t_remove_bp(void *tgt, int cpu, enum gdb_bp_type type, uint64_t addr, uint64_t len,
		       unsigned flags)
{
	(void)flags; /* whatever mode it went in by, it comes out */
	return debug_remove(tgt, cpu, type, addr, len);
}

static int t_resume(void *tgt, const enum gdb_resume_action *actions)
{
	return debug_resume(tgt, actions);
}

static int t_interrupt(void *tgt)
{
	return debug_interrupt(tgt);
}

static int t_event_fd(void *tgt)
{
	return debug_event_fd(tgt);
}

static int t_get_stop(void *tgt, struct gdb_stop *stop)
{
	return debug_get_stop(tgt, stop);
}

static int t_attach(void *tgt)
{
	return debug_attach(tgt);
}

static void t_detach(void *tgt)
{
	debug_detach(tgt);
}

static void t_kill(void *tgt)
{
	/* as QEMU does for gdb's `kill`: the monitor ends with status 0 */
	vm_request_exit(tgt, 0);
}

/* ---- monitor commands --------------------------------------------------------- */

static int mon_info(struct vm *vm, int cpu, const char *arg, char *out, size_t len)
{
	(void)cpu;
	(void)arg;
	return debug_describe(vm, out, len);
}

static int mon_regs(struct vm *vm, int cpu, const char *arg, char *out, size_t len)
{
	static const char *const names[] = { "cs", "ss", "ds", "es", "fs", "gs", "tr", "ldtr" };
	struct kvm_regs r;
	struct kvm_sregs s;
	bool gone;
	struct textbuf t = { out, len, 0 };
	(void)arg;

	if (debug_cpu_view(vm, cpu, &r, &s, &gone) < 0)
		return -EINVAL;
	textbuf_add(&t, "vCPU %d (%s): %s\n", cpu, vm->vcpus[cpu].image->name, vcpu_mode_name(&s));
	if (!(s.cr0 & X86_CR0_PE))
		textbuf_add(&t, "  real CS:IP %04x:%04llx (linear 0x%llx)\n", s.cs.selector,
		    (unsigned long long)(r.rip & 0xffff),
		    (unsigned long long)x86_regs_linear_pc(&r, &s));
	const struct kvm_segment *sg[] = { &s.cs, &s.ss, &s.ds, &s.es, &s.fs, &s.gs, &s.tr, &s.ldt };
	for (int i = 0; i < 8; i++)
		textbuf_add(&t, "  %-4s %04x base 0x%08llx limit 0x%08x type 0x%x s %u dpl %u p %u db %u l %u g %u%s\n",
		    names[i], sg[i]->selector, (unsigned long long)sg[i]->base, sg[i]->limit,
		    sg[i]->type, sg[i]->s, sg[i]->dpl, sg[i]->present, sg[i]->db, sg[i]->l, sg[i]->g,
		    sg[i]->unusable ? " unusable" : "");
	textbuf_add(&t, "  gdtr base 0x%llx limit 0x%x\n", (unsigned long long)s.gdt.base, s.gdt.limit);
	textbuf_add(&t, "  idtr base 0x%llx limit 0x%x\n", (unsigned long long)s.idt.base, s.idt.limit);
	textbuf_add(&t, "  cr0 0x%llx cr2 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx\n",
	    (unsigned long long)s.cr0, (unsigned long long)s.cr2, (unsigned long long)s.cr3,
	    (unsigned long long)s.cr4, (unsigned long long)s.efer);
	return textbuf_len(&t);
}

static int mon_sstep(struct vm *vm, int cpu, const char *arg, char *out, size_t len)
{
	(void)cpu;
	if (!strcmp(arg, "irq on") || !strcmp(arg, "irq off")) {
		bool on = !strcmp(arg, "irq on");
		debug_set_sstep_irq(vm, on);
		return snprintf(out, len, "single-step %s interrupt handlers%s\n",
				on ? "may enter" : "enters no",
				vm->caps.blockirq || on ? "" : " (this host cannot block them)");
	}
	return snprintf(out, len, "usage: monitor sstep irq on|off\n");
}

static int mon_pagewalk(struct vm *vm, int cpu, const char *arg, char *out, size_t len)
{
	char *end;
	struct mmu_walk w;
	uint64_t gpa, left;
	struct textbuf t = { out, len, 0 };

	errno = 0;
	uint64_t la = strtoull(arg, &end, 0);
	if (!*arg || *end || errno)
		return snprintf(out, len, "usage: monitor pagewalk ADDRESS\n");
	int r = debug_translate(vm, cpu, la, &gpa, &left, &w);
	textbuf_add(&t, "vCPU %d, %s: linear 0x%llx\n", cpu, w.mode ? w.mode : "?", (unsigned long long)la);
	for (int i = 0; i < w.nr_steps; i++)
		textbuf_add(&t, "  %-5s entry at 0x%llx = 0x%llx\n", w.steps[i].level,
		    (unsigned long long)w.steps[i].entry_gpa, (unsigned long long)w.steps[i].entry);
	if (r < 0)
		textbuf_add(&t, "  not mapped\n");
	else
		textbuf_add(&t, "  -> physical 0x%llx%s\n", (unsigned long long)gpa,
		    vm_gpa(vm, gpa, 1) ? "" : " (outside RAM)");
	return textbuf_len(&t);
}

static int mon_help(struct vm *vm, int cpu, const char *arg, char *out, size_t len);


/* The target's monitor commands; the stub itself owns phys and quit, and
 * appends this table's help to its own. */
static const struct mon_cmd {
	const char *name;
	int (*fn)(struct vm *vm, int cpu, const char *arg, char *out, size_t len);
	const char *usage;
} mon_cmds[] = {
	{ "help", mon_help, NULL },
	{ "info", mon_info, "host KVM abilities, breakpoint strategies, breakpoints" },
	{ "regs", mon_regs, "segments (base, limit, attributes), gdtr, idtr, CRs, EFER, real CS:IP" },
	{ "sstep", mon_sstep, "irq on|off: may a step enter interrupt handlers (default off)" },
	{ "pagewalk", mon_pagewalk, "ADDR: the page walk of a linear address for this vCPU" },
};

static int mon_help(struct vm *vm, int cpu, const char *arg, char *out, size_t len)
{
	struct textbuf t = { out, len, 0 };
	(void)vm;
	(void)cpu;
	(void)arg;
	for (size_t i = 0; i < sizeof(mon_cmds) / sizeof(mon_cmds[0]); i++)
		if (mon_cmds[i].usage)
			textbuf_add(&t, "  %-14s %s\n", mon_cmds[i].name, mon_cmds[i].usage);
	return textbuf_len(&t);
}

static int t_monitor(void *tgt, int cpu, const char *cmd, char *out, size_t len)
{
	struct vm *vm = tgt;
	size_t k = strcspn(cmd, " ");
	const char *arg = cmd + k + strspn(cmd + k, " ");

	if (cpu < 0 || cpu >= vm->nr_vcpus)
		cpu = 0;
	for (size_t i = 0; i < sizeof(mon_cmds) / sizeof(mon_cmds[0]); i++)
		if (strlen(mon_cmds[i].name) == k && !strncmp(cmd, mon_cmds[i].name, k))
			return mon_cmds[i].fn(vm, cpu, arg, out, len);
	return -ENOENT;
}

static const struct gdb_target_ops target_ops = {
	.arch = t_arch,
	.nr_cpus = t_nr_cpus,
	.cpu_online = t_cpu_online,
	.cpu_describe = t_cpu_describe,
	.get_state = t_get_state,
	.set_state = t_set_state,
	.read_mem = t_read_mem,
	.write_mem = t_write_mem,
	.insert_bp = t_insert_bp,
	.remove_bp = t_remove_bp,
	.resume = t_resume,
	.interrupt = t_interrupt,
	.event_fd = t_event_fd,
	.get_stop = t_get_stop,
	.monitor = t_monitor,
	.attach = t_attach,
	.detach = t_detach,
	.kill = t_kill,
};

/* ---- running the machine under the stub -------------------------------------- */

/* A stop served on the thread of the vCPU that completed it, for as long
 * as that vCPU is not resumed. */
static bool serve_stop_here(void *stub, bool (*stopped)(void *arg), void *arg)
{
	return gdb_stub_serve_here(stub, stopped, arg) == 0;
}

int gdbserver_run(struct vm *vm, const char *spec, bool wait, unsigned timeout_s)
{
	struct gdb_stub *stub;
	int r;

	if ((r = debug_create(vm, wait)) < 0) {
		fprintf(stderr, "gdbvmm: gdb server: %s\n", strerror(-r));
		return VM_STATUS_USAGE;
	}
	r = gdb_stub_open(&stub, &target_ops, vm, spec);
	if (r < 0) {
		fprintf(stderr, "gdbvmm: --gdb %s: %s\n", spec,
			r == -EINVAL ? "expected [HOST:]PORT or unix:PATH" : strerror(-r));
		debug_destroy(vm);
		return VM_STATUS_USAGE;
	}
	fprintf(stderr, "gdbvmm: gdb server on %s%s\n", gdb_stub_address(stub),
		wait ? ", waiting for gdb before the first instruction" : "");
	debug_set_teller(vm, serve_stop_here, stub);
	if ((r = vm_start(vm)) < 0) {
		gdb_stub_close(stub);
		return VM_STATUS_UNHANDLED;
	}
	/* --timeout while the stub serves: vm_wait below stops the timer */
	if (timeout_s && (r = vm_timeout_start(vm, timeout_s)) < 0) {
		fprintf(stderr, "gdbvmm: --timeout: %s\n", strerror(-r));
		vm_request_exit(vm, VM_STATUS_UNHANDLED);
	}
	r = gdb_stub_serve(stub);
	if (r < 0) {
		fprintf(stderr, "gdbvmm: gdb server: %s\n", strerror(-r));
		vm_request_exit(vm, VM_STATUS_UNHANDLED);
	}
	/* the stub goes once no vCPU thread can reach it (serve_stop_here);
	 * the debug engine in main, later still */
	r = vm_wait(vm, 0);
	gdb_stub_close(stub);
	return r;
}
