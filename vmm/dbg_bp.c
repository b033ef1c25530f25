/* vmm/dbg_bp.c: the breakpoint table: insertion down a ladder of strategies, planted bytes, pages set apart, `monitor info`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm/dbg.h"
#include "vmm/textbuf.h"
#include "vmm/x86_regs.h"
#include "vmm/x86mmu.h"

bool dbg_any(const struct vm_debug *d, enum dbg_how how)
{
	for (int i = 0; i < DBG_MAX_BPS; i++)
		if (d->bps[i].used && d->bps[i].how == how)
			return true;
	return false;
}

static struct dbg_bp *dbg_find(struct vm_debug *d, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	for (int i = 0; i < DBG_MAX_BPS; i++) {
		struct dbg_bp *b = &d->bps[i];
		if (b->used && b->type == type && b->addr == addr && (type <= GDB_BP_HW || b->len == len))
			return b;
	}
	return NULL;
}

/* A vCPU at linear `pc` stands inside the trap's bytes (past its first):
 * with the trap written, it would run the trap's second byte. */
bool dbg_inside_trap(const struct dbg_bp *b, uint64_t pc)
{
	return b->nplant > 1 && pc > b->addr && pc < b->addr + b->nplant;
}

/* Writes a trap's bytes unless a parked vCPU, or the vCPU at `pc` (one
 * that has just stepped), stands inside them; such a trap waits, and that
 * vCPU steps once more before it runs on (debug_resume, on_debug_exit). */
static void arm_locked(struct vm_debug *d, struct dbg_bp *b, uint64_t pc)
{
	if (b->armed || dbg_inside_trap(b, pc))
		return;
	for (int i = 0; i < d->vm->nr_vcpus; i++) {
		const struct vcpu_debug *c = &d->cpus[i];
		if (!c->gone && d->vm->vcpus[i].parked && c->state_ok && dbg_inside_trap(b, x86_regs_linear_pc(&c->regs, &c->sregs)))
			return;
	}
	for (unsigned k = 0; k < b->nplant; k++) {
		uint8_t *p = vm_gpa(d->vm, b->pgpa[k], 1);
		b->saved[k] = *p;
		*p = b->plant[k];
	}
	b->armed = true;
}

/* Traps that waited for `pc` to leave them, armed now where they can be.
 * True when one still waits for this very pc. */
bool dbg_arm_waiting_locked(struct vm_debug *d, uint64_t pc)
{
	bool wait = false;
	for (int i = 0; i < DBG_MAX_BPS; i++) {
		struct dbg_bp *b = &d->bps[i];
		if (b->used && b->nplant && !b->armed) {
			arm_locked(d, b, pc);
			wait |= !b->armed && dbg_inside_trap(b, pc);
		}
	}
	return wait;
}

/* An address the guest has not mapped (yet) that lies in a segment the
 * loader put in RAM: where that code is. A higher-half kernel's
 * breakpoints can so be planted before it turns paging on. */
static int image_phys(struct vm *vm, uint64_t la, uint64_t *gpa)
{
	for (int i = 0; i < vm->nr_images; i++) {
		const struct image *img = &vm->images[i];
		for (int k = 0; k < img->nr_segs; k++) {
			const struct image_seg *sg = &img->segs[k];
			if (la >= sg->vaddr && la - sg->vaddr < sg->size &&
			    vm_gpa(vm, sg->paddr + (la - sg->vaddr), 1)) {
				*gpa = sg->paddr + (la - sg->vaddr);
				return 0;
			}
		}
	}
	return -EFAULT;
}

/* A page the page tables open to user mode (U/S set at every level, SDM
 * vol. 3A, 4.6), as a vCPU with these control registers sees it. */
bool dbg_user_page(struct vm *vm, const struct kvm_sregs *sr, uint64_t la)
{
	if (!(sr->cr0 & X86_CR0_PG))
		return false;
	struct mmu_walk w;
	uint64_t pa, left;
	if (vcpu_walk(vm, sr, la, &pa, &left, &w) < 0)
		return false;
	bool user = w.nr_steps > 0;
	for (int k = 0; k < w.nr_steps; k++)
		/* PAE's PDPTEs have no U/S bit (SDM vol. 3A, 4.4.1) */
		if (strcmp(w.steps[k].level, "PDPTE"))
			user &= (w.steps[k].entry >> 2) & 1;
	return user;
}

/* Plants `n` bytes at linear `addr` (as `cpu` translates it), keeping
 * what they replace; a trap that a parked vCPU stands inside is written
 * once that vCPU has stepped out of it (arm_locked). */
int dbg_plant_locked(struct vm_debug *d, int cpu, struct dbg_bp *b, const uint8_t *bytes,
		     unsigned n)
{
	struct vm *vm = d->vm;
	uint8_t *p[2];
	int r = dbg_ensure_state(vm, cpu);
	if (r < 0)
		return r;
	for (unsigned k = 0; k < n; k++) {
		uint64_t left;
		if ((vcpu_translate_sregs(vm, &d->cpus[cpu].sregs, b->addr + k, &b->pgpa[k], &left) < 0 ||
		     !vm_gpa(vm, b->pgpa[k], 1)) &&
		    image_phys(vm, b->addr + k, &b->pgpa[k]) < 0)
			return -EFAULT;
		p[k] = vm_gpa(vm, b->pgpa[k], 1);
	}
	/* `out` at CPL 3 faults in the guest (#GP) instead of leaving KVM_RUN,
	 * so a trap goes only where ring 0 runs */
	if (n > 1 && dbg_user_page(vm, &d->cpus[cpu].sregs, b->addr))
		return -EPERM;
	for (int i = 0; i < vm->nr_vcpus; i++)
		if (!d->cpus[i].gone && (r = dbg_ensure_state(vm, i)) < 0)
			return r;
	for (unsigned k = 0; k < n; k++) {
		b->saved[k] = *p[k];
		b->plant[k] = bytes[k];
	}
	b->nplant = n;
	b->armed = false;
	arm_locked(d, b, UINT64_MAX);
	return 0;
}

void dbg_remove_locked(struct vm_debug *d, struct dbg_bp *b)
{
	for (unsigned i = 0; b->armed && i < b->nplant; i++) {
		uint8_t *p = vm_gpa(d->vm, b->pgpa[i], 1);
		if (p && *p == b->plant[i])
			*p = b->saved[i];
	}
	b->used = false;
}

/* RAM as KVM sees it: unmapped where a DBG_HOLE breakpoint is (but for
 * a vCPU stepping through it), read-only where a DBG_PAGE watch is. Only
 * called while every vCPU is parked (gdb inserts and removes when stopped). */
int dbg_remap_locked(struct vm_debug *d)
{
	struct vm_page pages[VM_MAX_OWN_PAGES];
	int n = 0;
	bool holes = false;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < DBG_MAX_BPS; i++) {
			const struct dbg_bp *b = &d->bps[i];
			if (!b->used || b->how != (pass ? DBG_PAGE : DBG_HOLE))
				continue;
			if (n == VM_MAX_OWN_PAGES)
				return -ENOSPC;
			uint64_t page = b->gpa & ~0xfffull;
			enum vm_page_map map = pass ? VM_PAGE_RO : VM_PAGE_NONE;
			for (int k = 0; k < d->vm->nr_vcpus && !pass; k++)
				if (d->cpus[k].hole_open && d->cpus[k].hole_page == page)
					map = dbg_page_watched(d, page) ? VM_PAGE_RO : VM_PAGE_RW;
			holes |= !pass;
			pages[n++] = (struct vm_page){ .gpa = b->gpa, .map = map };
		}
	/* a fetch from an unmapped page must exit at CPL 3 as well */
	if (holes != d->emul_exit && vm_exit_on_emulation_failure(d->vm, holes) == 0)
		d->emul_exit = holes;
	if (holes && !d->emul_exit)
		return -EOPNOTSUPP;
	/* Each change of KVM's memory slots makes it drop its mappings of
	 * the guest's memory (KVM API, KVM_SET_USER_MEMORY_REGION): a layout
	 * that did not change is not laid out again. */
	if (n == d->nr_layout && !memcmp(pages, d->layout, (size_t)n * sizeof(pages[0])))
		return 0;
	int r = vm_map_ram(d->vm, pages, n);
	d->nr_layout = r == 0 ? n : -1;
	if (r == 0)
		memcpy(d->layout, pages, (size_t)n * sizeof(pages[0]));
	return r;
}

/* The ladders: the strategies tried in turn, best first (docs/architecture.md). */
static const struct dbg_strategy *const break_ladder[] = {
	&dbg_int3,      /* Z0 where KVM intercepts int3 */
	&dbg_dr_exec,   /* a debug register */
	&dbg_trap,      /* a port-I/O trap in ring-0 code */
	&dbg_hole,      /* an unmapped page in user code */
	&dbg_step_exec, /* stepping */
};
static const struct dbg_strategy *const watch_ladder[] = {
	&dbg_dr_data,    /* Z2-Z4 by debug registers where data breakpoints fire */
	&dbg_page,       /* Z2 by a read-only page */
	&dbg_step_write, /* Z2 by stepping and comparing */
};

/* Each ladder keeps the strategies this host can use (vm->caps, probed
 * once by vm_probe_host). */
void dbg_ladders_init(struct vm_debug *d)
{
	d->nr_break = d->nr_watch = 0;
	for (size_t i = 0; i < sizeof(break_ladder) / sizeof(break_ladder[0]); i++)
		if (break_ladder[i]->usable(&d->vm->caps))
			d->break_ladder[d->nr_break++] = break_ladder[i];
	for (size_t i = 0; i < sizeof(watch_ladder) / sizeof(watch_ladder[0]); i++)
		if (watch_ladder[i]->usable(&d->vm->caps))
			d->watch_ladder[d->nr_watch++] = watch_ladder[i];
}

static const char *how_name(enum dbg_how how)
{
	for (size_t i = 0; i < sizeof(break_ladder) / sizeof(break_ladder[0]); i++)
		if (break_ladder[i]->how == how)
			return break_ladder[i]->name;
	for (size_t i = 0; i < sizeof(watch_ladder) / sizeof(watch_ladder[0]); i++)
		if (watch_ladder[i]->how == how)
			return watch_ladder[i]->name;
	return "?";
}

/* A Z2's watched bytes at the physical address they have now: one
 * translation here, then a compare after each write to their page
 * (read-only to KVM) or after each step. DBG_NEXT for Z3/Z4: reads
 * cannot be seen that way. */
int dbg_watch_locate(struct vm_debug *d, int cpu, struct dbg_bp *b)
{
	struct vm *vm = d->vm;
	uint64_t left;
	uint8_t *p = NULL;
	if (b->type != GDB_WP_WRITE)
		return DBG_NEXT;
	int r = dbg_ensure_state(vm, cpu);
	if (r == 0 && vcpu_translate_sregs(vm, &d->cpus[cpu].sregs, b->addr, &b->gpa, &left) == 0 &&
	    left >= b->len)
		p = vm_gpa(vm, b->gpa, b->len);
	if (!p)
		return left < b->len ? -EINVAL : -EFAULT;
	memcpy(b->snap, p, b->len);
	return 0;
}

/* b's page set apart in KVM's memory map, unmapped (DBG_HOLE) or
 * read-only (DBG_PAGE): 0, or DBG_NEXT with b unused and RAM laid out
 * as before. */
int dbg_set_apart_locked(struct vm_debug *d, struct dbg_bp *b, enum dbg_how how)
{
	b->how = how;
	b->used = true;
	if (dbg_remap_locked(d) < 0) {
		b->used = false;
		dbg_remap_locked(d);
		return DBG_NEXT;
	}
	return 0;
}

int debug_insert(struct vm *vm, int cpu, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	struct vm_debug *d = vm->dbg;
	int r = 0;

	if (cpu < 0 || cpu >= vm->nr_vcpus)
		return -EINVAL;
	if (type > GDB_WP_ACCESS)
		return -EOPNOTSUPP;
	if (type >= GDB_WP_WRITE && (len == 0 || len > DBG_WATCH_MAX))
		return -EINVAL;
	pthread_mutex_lock(&d->vm->pause_lock);
	if (dbg_find(d, type, addr, len)) /* gdb may insert twice; once is enough */
		goto out;
	struct dbg_bp *b = NULL;
	for (int i = 0; i < DBG_MAX_BPS && !b; i++)
		if (!d->bps[i].used)
			b = &d->bps[i];
	if (!b) {
		r = -ENOSPC;
		goto out;
	}
	*b = (struct dbg_bp){ .type = type, .addr = addr, .len = len };
	const struct dbg_strategy *const *ladder = type <= GDB_BP_HW ? d->break_ladder : d->watch_ladder;
	int n = type <= GDB_BP_HW ? d->nr_break : d->nr_watch;
	r = DBG_NEXT;
	for (int i = 0; i < n && r == DBG_NEXT; i++)
		r = ladder[i]->insert(d, cpu, b);
	if (r == DBG_NEXT) /* no strategy could: every debug register taken, or none at all */
		r = type >= GDB_WP_WRITE && vm->caps.hw_wp && dbg_dr_len_ok(addr, len) ? -ENOSPC : -EOPNOTSUPP;
	if (r == 0)
		b->used = true;
out:
	pthread_mutex_unlock(&d->vm->pause_lock);
	return r;
}

int debug_remove(struct vm *vm, int cpu, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	struct vm_debug *d = vm->dbg;
	(void)cpu;
	pthread_mutex_lock(&d->vm->pause_lock);
	struct dbg_bp *b = dbg_find(d, type, addr, len);
	if (b) {
		bool page = b->how == DBG_PAGE;
		dbg_remove_locked(d, b);
		if (page)
			dbg_remap_locked(d);
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	return b ? 0 : -ENOENT;
}

void debug_shadow_read(struct vm *vm, uint64_t gpa, void *buf, size_t len)
{
	struct vm_debug *d = vm->dbg;
	pthread_mutex_lock(&d->vm->pause_lock);
	for (int i = 0; i < DBG_MAX_BPS; i++) {
		struct dbg_bp *b = &d->bps[i];
		/* a byte the guest has overwritten since (self-modifying code)
		 * is shown as it is now */
		for (unsigned k = 0; b->used && b->armed && k < b->nplant; k++)
			if (b->pgpa[k] >= gpa && b->pgpa[k] - gpa < len &&
			    ((uint8_t *)buf)[b->pgpa[k] - gpa] == b->plant[k])
				((uint8_t *)buf)[b->pgpa[k] - gpa] = b->saved[k];
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
}

void debug_shadow_write(struct vm *vm, uint64_t gpa, const void *buf, size_t len)
{
	struct vm_debug *d = vm->dbg;
	pthread_mutex_lock(&d->vm->pause_lock);
	for (int i = 0; i < DBG_MAX_BPS; i++) {
		struct dbg_bp *b = &d->bps[i];
		for (unsigned k = 0; b->used && k < b->nplant; k++)
			if (b->pgpa[k] >= gpa && b->pgpa[k] - gpa < len) {
				b->saved[k] = ((const uint8_t *)buf)[b->pgpa[k] - gpa];
				if (b->armed)
					*(uint8_t *)vm_gpa(vm, b->pgpa[k], 1) = b->plant[k];
			}
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
}

int debug_describe(struct vm *vm, char *out, size_t len)
{
	struct vm_debug *d = vm->dbg;
	const struct host_caps *c = &vm->caps;
	static const char *const tname[] = { "Z0 break", "Z1 hbreak", "Z2 watch", "Z3 rwatch", "Z4 awatch" };
	struct textbuf t = { out, len, 0 };

	textbuf_add(&t, "host KVM: %s\n", c->is_pvm ? "kvm-pvm (no 32-bit paging, no protected-mode interrupts)" : "KVM");
	textbuf_add(&t, "  single-step: %s; intercepted int3: %s; execution breakpoints: %s; data breakpoints: %s\n",
	    c->single_step ? "yes" : "no", c->sw_bp ? "yes" : "no", c->hw_bp ? "yes" : "no",
	    c->hw_wp ? "yes" : "no");
	textbuf_add(&t, "  block interrupts while stepping: %s (monitor sstep irq %s)\n",
	    c->blockirq ? "available" : "not available", d->sstep_irq ? "on" : "off");
	textbuf_add(&t, "strategies: Z0 by %s; Z1 by %s; Z2 by %s; Z3/Z4 %s\n",
	    c->sw_bp ? "int3" : c->hw_bp ? "debug register, then port-I/O trap" : "port-I/O trap",
	    c->hw_bp ? "debug register, then port-I/O trap" : "port-I/O trap",
	    c->hw_wp ? "debug register, then single-stepping"
	    : c->ro_mem ? "a read-only page and comparing bytes on each write to it"
	    : "single-stepping and comparing bytes",
	    c->hw_wp ? "by debug register" : "not available (no data breakpoints on this host)");
	/* where the port trap cannot go: code pages open to user mode */
	if (!c->sw_bp && c->emul_exit && c->single_step)
		textbuf_add(&t, "  in user-mode pages: Z0 and Z1 by an unmapped page where they would be a trap or stepping\n");
	if (!c->sw_bp)
		textbuf_add(&t, "  single-stepping only where nothing else can go (no debug register left, "
		    "a trap that cannot be written, a user page without exits on fetches)\n");
	pthread_mutex_lock(&d->vm->pause_lock);
	int k = 0;
	for (int i = 0; i < DBG_MAX_BPS; i++) {
		const struct dbg_bp *b = &d->bps[i];
		if (!b->used)
			continue;
		textbuf_add(&t, "  %s at 0x%llx", tname[b->type], (unsigned long long)b->addr);
		if (b->type >= GDB_WP_WRITE)
			textbuf_add(&t, " len %llu", (unsigned long long)b->len);
		textbuf_add(&t, ": %s", how_name(b->how));
		if (b->how == DBG_DR)
			textbuf_add(&t, " DR%d", b->dr);
		textbuf_add(&t, "\n");
		k++;
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
	if (!k)
		textbuf_add(&t, "  no breakpoints or watchpoints\n");
	return textbuf_len(&t);
}
