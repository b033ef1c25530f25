/* vmm/x86_regs.c: the one place that knows both KVM's register structures and the stub's struct x86_state. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/vm.h"
#include "vmm/x86_regs.h"
#include "vmm/x86mmu.h"

/* MXCSR's place in the XSAVE area's legacy region (SDM vol. 1, 10.5.1,
 * table 10-2) */
#define XSAVE_MXCSR 24
#define XSAVE_BV 512  /* the XSAVE header's XSTATE_BV (SDM vol. 1, 13.4.2) */

uint64_t x86_regs_linear_pc(const struct kvm_regs *r, const struct kvm_sregs *s)
{
	if (s->efer & X86_EFER_LMA && s->cs.l)
		return r->rip;
	uint64_t ip = (s->cr0 & X86_CR0_PE) ? (r->rip & 0xffffffff) : (r->rip & 0xffff);
	return (s->cs.base + ip) & 0xffffffffull;
}

static uint64_t seg_attr(const struct kvm_segment *s)
{
	return (uint64_t)s->type | (uint64_t)s->s << 4 | (uint64_t)s->dpl << 5 |
	       (uint64_t)s->present << 7 | (uint64_t)s->avl << 12 | (uint64_t)s->l << 13 |
	       (uint64_t)s->db << 14 | (uint64_t)s->g << 15 | (uint64_t)s->unusable << 16;
}

static void set_seg_attr(struct kvm_segment *s, uint64_t a)
{
	s->type = a & 15;
	s->s = (a >> 4) & 1;
	s->dpl = (a >> 5) & 3;
	s->present = (a >> 7) & 1;
	s->avl = (a >> 12) & 1;
	s->l = (a >> 13) & 1;
	s->db = (a >> 14) & 1;
	s->g = (a >> 15) & 1;
	s->unusable = (a >> 16) & 1;
}

static struct kvm_segment *segs(struct kvm_sregs *s, int i)
{
	struct kvm_segment *t[] = { &s->cs, &s->ss, &s->ds, &s->es, &s->fs, &s->gs, &s->tr, &s->ldt };
	return t[i];
}

void x86_regs_from_kvm(const struct kvm_regs *g, const struct kvm_sregs *sregs,
		       const struct kvm_fpu *f, struct x86_state *st)
{
	struct kvm_sregs s = *sregs; /* segs() hands out pointers into it */
	uint64_t *v = st->r;

	memset(st, 0, sizeof(*st));
	const uint64_t gpr[] = { g->rax, g->rbx, g->rcx, g->rdx, g->rsi, g->rdi, g->rbp, g->rsp,
				 g->r8, g->r9, g->r10, g->r11, g->r12, g->r13, g->r14, g->r15 };
	memcpy(v + X86_RAX, gpr, sizeof(gpr));
	v[X86_RIP] = g->rip;
	v[X86_RFLAGS] = g->rflags;
	for (int i = 0; i < 8; i++) {
		const struct kvm_segment *sg = segs(&s, i);
		v[X86_CS + i] = sg->selector;
		v[X86_CS_BASE + i] = sg->base;
		v[X86_CS_LIMIT + i] = sg->limit;
		v[X86_CS_ATTR + i] = seg_attr(sg);
	}
	v[X86_GDTR_BASE] = s.gdt.base;
	v[X86_GDTR_LIMIT] = s.gdt.limit;
	v[X86_IDTR_BASE] = s.idt.base;
	v[X86_IDTR_LIMIT] = s.idt.limit;
	v[X86_CR0] = s.cr0;
	v[X86_CR2] = s.cr2;
	v[X86_CR3] = s.cr3;
	v[X86_CR4] = s.cr4;
	v[X86_CR8] = s.cr8;
	v[X86_EFER] = s.efer;
	v[X86_FCTRL] = f->fcw;
	v[X86_FSTAT] = f->fsw;
	/* the abridged tag, as FXSAVE and KVM keep it (gdbstub/regs.h:
	 * regs.c makes gdb's full ftag from it and the registers) */
	v[X86_FTAG] = f->ftwx;
	/* KVM keeps FIP and FDP as the 64-bit FXSAVE layout has them (the
	 * host saves with XSAVE64; Intel SDM Vol. 1, 10.5.1): no FCS and FDS,
	 * and fiseg/foseg are the upper halves, as gdb's amd64 target takes
	 * them (amd64_supply_fxsave); 0 for code below 4 GiB */
	v[X86_FIOFF] = f->last_ip & 0xffffffff;
	v[X86_FISEG] = f->last_ip >> 32;
	v[X86_FOOFF] = f->last_dp & 0xffffffff;
	v[X86_FOSEG] = f->last_dp >> 32;
	v[X86_FOP] = f->last_opcode;
	v[X86_MXCSR] = f->mxcsr;
	for (int i = 0; i < 8; i++)
		memcpy(st->st[i], f->fpr[i], 10);
	memcpy(st->xmm, f->xmm, sizeof(st->xmm));
}

/* Writing a selector loads its hidden part as the CPU would: base
 * selector*16 in real mode, the descriptor from the GDT in protected mode. */
static void load_selector(struct vm *vm, const struct kvm_sregs *s, struct kvm_segment *sg,
			  uint16_t sel)
{
	sg->selector = sel;
	if (!(s->cr0 & X86_CR0_PE)) {
		sg->base = (uint64_t)sel << 4;
		return;
	}
	uint64_t desc;
	uint64_t off = sel & ~7u;
	if ((sel & 4) || off + 7 > s->gdt.limit)
		return;
	uint8_t *p = vm_gpa(vm, s->gdt.base + off, 8);
	if (!p || s->cr0 & X86_CR0_PG)
		return;
	memcpy(&desc, p, 8);
	sg->base = ((desc >> 16) & 0xffffff) | ((desc >> 32) & 0xff000000);
	uint64_t limit = (desc & 0xffff) | ((desc >> 32) & 0xf0000);
	set_seg_attr(sg, (desc >> 40) & 0xf0ff);
	sg->limit = sg->g ? (uint32_t)((limit << 12) | 0xfff) : (uint32_t)limit;
}

void x86_regs_to_kvm(struct vm *vm, const struct x86_state *st, struct kvm_regs *regs,
		     struct kvm_sregs *sregs, struct kvm_fpu *fpu)
{
	struct kvm_regs g = *regs;
	struct kvm_sregs s = *sregs;
	struct kvm_fpu f = *fpu;
	const uint64_t *v = st->r;
	__u64 *gpr[] = { &g.rax, &g.rbx, &g.rcx, &g.rdx, &g.rsi, &g.rdi, &g.rbp, &g.rsp,
			    &g.r8, &g.r9, &g.r10, &g.r11, &g.r12, &g.r13, &g.r14, &g.r15 };

	for (int i = 0; i < 16; i++)
		*gpr[i] = v[X86_RAX + i];
	g.rip = v[X86_RIP];
	g.rflags = v[X86_RFLAGS] | 2;
	for (int i = 0; i < 8; i++) {
		struct kvm_segment *sg = segs(&s, i);
		if (v[X86_CS_BASE + i] != sg->base || v[X86_CS_LIMIT + i] != sg->limit ||
		    v[X86_CS_ATTR + i] != seg_attr(sg)) {
			sg->base = v[X86_CS_BASE + i];
			sg->limit = (uint32_t)v[X86_CS_LIMIT + i];
			set_seg_attr(sg, v[X86_CS_ATTR + i]);
		}
		if (v[X86_CS + i] != sg->selector)
			load_selector(vm, &s, sg, (uint16_t)v[X86_CS + i]);
	}
	s.gdt.base = v[X86_GDTR_BASE];
	s.gdt.limit = (uint16_t)v[X86_GDTR_LIMIT];
	s.idt.base = v[X86_IDTR_BASE];
	s.idt.limit = (uint16_t)v[X86_IDTR_LIMIT];
	s.cr0 = v[X86_CR0];
	s.cr2 = v[X86_CR2];
	s.cr3 = v[X86_CR3];
	s.cr4 = v[X86_CR4];
	s.cr8 = v[X86_CR8];
	s.efer = v[X86_EFER];
	f.fcw = (uint16_t)v[X86_FCTRL];
	f.fsw = (uint16_t)v[X86_FSTAT];
	f.ftwx = (uint8_t)v[X86_FTAG];
	f.last_opcode = (uint16_t)v[X86_FOP];
	f.last_ip = (v[X86_FIOFF] & 0xffffffff) | (v[X86_FISEG] & 0xffffffff) << 32;
	f.last_dp = (v[X86_FOOFF] & 0xffffffff) | (v[X86_FOSEG] & 0xffffffff) << 32;
	f.mxcsr = (uint32_t)v[X86_MXCSR];
	for (int i = 0; i < 8; i++)
		memcpy(f.fpr[i], st->st[i], 10);
	memcpy(f.xmm, st->xmm, sizeof(f.xmm));
	*regs = g;
	*sregs = s;
	*fpu = f;
}

int x86_regs_get_fpu(int fd, struct kvm_fpu *f)
{
	if (ioctl(fd, KVM_GET_FPU, f) < 0)
		return -errno;
	/* MXCSR as the XSAVE area holds it: KVM_GET_FPU on kvm-pvm
	 * reports 0 where XSAVE has the guest's 0x1f80 */
	struct kvm_xsave x;
	if (ioctl(fd, KVM_GET_XSAVE, &x) == 0)
		memcpy(&f->mxcsr, (const uint8_t *)x.region + XSAVE_MXCSR, 4);
	return 0;
}

/* MXCSR into the XSAVE area too, where KVM_SET_FPU does not reach it. */
int x86_regs_set_mxcsr(int fd, uint32_t mxcsr)
{
	struct kvm_xsave x;
	if (ioctl(fd, KVM_GET_XSAVE, &x) < 0)
		return 0; /* no XSAVE: KVM_SET_FPU was all there is */
	memcpy((uint8_t *)x.region + XSAVE_MXCSR, &mxcsr, 4);
	/* MXCSR is taken only with the SSE component marked in use in
	 * XSTATE_BV (the header's first 8 bytes; SDM vol. 1, 13.4.2); the
	 * XMM registers then come from this area, as KVM returned them */
	x.region[XSAVE_BV / 4] |= 1u << 1;
	return ioctl(fd, KVM_SET_XSAVE, &x) < 0 ? -errno : 0;
}
