/* gdbstub/regs.c: the i386 and x86-64 register tables and what is derived from them. */
#include "gdbstub/regs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* --- the tables ----------------------------------------------------------
 *
 * Feature order and the order inside org.gnu.gdb.i386.core follow the GDB
 * manual, "i386 Features" (and gdb's own numbering: i386 eax ecx edx ebx,
 * amd64 rax rbx rcx rdx). The two gdbvmm features carry the machine state a
 * bare-metal debugger needs; gdb shows them as ordinary registers.
 */

enum { F_CORE, F_SSE, F_SEGMENTS, F_SYS, F_SEG };

static const char *const x86_features[] = {
	[F_CORE] = "org.gnu.gdb.i386.core",
	[F_SSE] = "org.gnu.gdb.i386.sse",
	[F_SEGMENTS] = "org.gnu.gdb.i386.segments",
	[F_SYS] = "org.gdbvmm.x86.sys",
	[F_SEG] = "org.gdbvmm.x86.seg",
};

#define REG(n, b, t, g, f, s, i) { n, b, t, g, f, s, i }
#define GPR(n, b, t, i) REG(n, b, t, NULL, F_CORE, GDB_SRC_REG, i)
#define SEL(n, i) REG(n, 32, "int32", NULL, F_CORE, GDB_SRC_SEL, i)
#define ST(i) REG("st" #i, 80, "i387_ext", NULL, F_CORE, GDB_SRC_ST, i)
#define FPC(n, i) REG(n, 32, "int", "float", F_CORE, GDB_SRC_REG, i)
#define XMM(i) REG("xmm" #i, 128, "vec128", NULL, F_SSE, GDB_SRC_XMM, i)
#define SYS(n, b, t, i) REG(n, b, t, "system", F_SYS, GDB_SRC_REG, i)
#define SEG(n, b, t, i) REG(n, b, t, "system", F_SEG, GDB_SRC_REG, i)

/* The x87 part is the same for both architectures. */
#define X87_REGS \
	ST(0), ST(1), ST(2), ST(3), ST(4), ST(5), ST(6), ST(7), \
	FPC("fctrl", X86_FCTRL), FPC("fstat", X86_FSTAT), \
	REG("ftag", 32, "int", "float", F_CORE, GDB_SRC_FTAG, X86_FTAG), \
	FPC("fiseg", X86_FISEG), FPC("fioff", X86_FIOFF), \
	FPC("foseg", X86_FOSEG), FPC("fooff", X86_FOOFF), FPC("fop", X86_FOP)

#define SEL_REGS \
	SEL("cs", X86_CS), SEL("ss", X86_SS), SEL("ds", X86_DS), \
	SEL("es", X86_ES), SEL("fs", X86_FS), SEL("gs", X86_GS)

/* Intel SDM Vol. 3A, 2.5 (control registers) and 2.2.1 (EFER). `w` is
 * the architecture's address width. */
#define SYS_REGS(w) \
	SYS("cr0", w, "gdbvmm_cr0", X86_CR0), \
	SYS("cr2", w, "data_ptr", X86_CR2), \
	SYS("cr3", w, "data_ptr", X86_CR3), \
	SYS("cr4", w, "gdbvmm_cr4", X86_CR4), \
	SYS("efer", w, "gdbvmm_efer", X86_EFER)

/* The hidden parts of the segment registers (fs_base and gs_base are in
 * org.gnu.gdb.i386.segments), the descriptor tables, and the raw IP. */
#define SEG_REGS(w, ipgroup) \
	SEG("cs_base", w, "data_ptr", X86_CS_BASE), \
	SEG("ss_base", w, "data_ptr", X86_SS_BASE), \
	SEG("ds_base", w, "data_ptr", X86_DS_BASE), \
	SEG("es_base", w, "data_ptr", X86_ES_BASE), \
	SEG("tr_base", w, "data_ptr", X86_TR_BASE), \
	SEG("ldtr_base", w, "data_ptr", X86_LDTR_BASE), \
	SEG("cs_limit", 32, "uint32", X86_CS_LIMIT), \
	SEG("ss_limit", 32, "uint32", X86_SS_LIMIT), \
	SEG("ds_limit", 32, "uint32", X86_DS_LIMIT), \
	SEG("es_limit", 32, "uint32", X86_ES_LIMIT), \
	SEG("fs_limit", 32, "uint32", X86_FS_LIMIT), \
	SEG("gs_limit", 32, "uint32", X86_GS_LIMIT), \
	SEG("tr_limit", 32, "uint32", X86_TR_LIMIT), \
	SEG("ldtr_limit", 32, "uint32", X86_LDTR_LIMIT), \
	SEG("cs_attr", 32, "uint32", X86_CS_ATTR), \
	SEG("ss_attr", 32, "uint32", X86_SS_ATTR), \
	SEG("ds_attr", 32, "uint32", X86_DS_ATTR), \
	SEG("es_attr", 32, "uint32", X86_ES_ATTR), \
	SEG("fs_attr", 32, "uint32", X86_FS_ATTR), \
	SEG("gs_attr", 32, "uint32", X86_GS_ATTR), \
	SEG("tr_attr", 32, "uint32", X86_TR_ATTR), \
	SEG("ldtr_attr", 32, "uint32", X86_LDTR_ATTR), \
	SEG("tr", 32, "int32", X86_TR), \
	SEG("ldtr", 32, "int32", X86_LDTR), \
	SEG("gdtr_base", w, "data_ptr", X86_GDTR_BASE), \
	SEG("gdtr_limit", 16, "uint16", X86_GDTR_LIMIT), \
	SEG("idtr_base", w, "data_ptr", X86_IDTR_BASE), \
	SEG("idtr_limit", 16, "uint16", X86_IDTR_LIMIT), \
	REG("ip", w, "uint" #w, ipgroup, F_SEG, GDB_SRC_REG, X86_RIP)

static const struct gdb_regdesc i386_regs[] = {
	GPR("eax", 32, "int32", X86_RAX), GPR("ecx", 32, "int32", X86_RCX),
	GPR("edx", 32, "int32", X86_RDX), GPR("ebx", 32, "int32", X86_RBX),
	GPR("esp", 32, "data_ptr", X86_RSP), GPR("ebp", 32, "data_ptr", X86_RBP),
	GPR("esi", 32, "int32", X86_RSI), GPR("edi", 32, "int32", X86_RDI),
	REG("eip", 32, "code_ptr", NULL, F_CORE, GDB_SRC_PC, X86_RIP),
	GPR("eflags", 32, "i386_eflags", X86_RFLAGS),
	SEL_REGS,
	X87_REGS,
	XMM(0), XMM(1), XMM(2), XMM(3), XMM(4), XMM(5), XMM(6), XMM(7),
	REG("mxcsr", 32, "i386_mxcsr", "vector", F_SSE, GDB_SRC_REG, X86_MXCSR),
	SYS_REGS(32),
	/* Not in org.gnu.gdb.i386.segments: gdb 13's i386 GNU/Linux osabi
	 * (its default for a 32-bit ELF without notes) reserves too few
	 * register numbers for that feature and dies on an internal
	 * assertion in tdesc_use_registers. As our own registers they are
	 * shown the same. */
	SEG("fs_base", 32, "data_ptr", X86_FS_BASE),
	SEG("gs_base", 32, "data_ptr", X86_GS_BASE),
	/* real-mode users want CS:IP next to the linear eip */
	SEG_REGS(32, "general"),
};

static const struct gdb_regdesc amd64_regs[] = {
	GPR("rax", 64, "int64", X86_RAX), GPR("rbx", 64, "int64", X86_RBX),
	GPR("rcx", 64, "int64", X86_RCX), GPR("rdx", 64, "int64", X86_RDX),
	GPR("rsi", 64, "int64", X86_RSI), GPR("rdi", 64, "int64", X86_RDI),
	GPR("rbp", 64, "data_ptr", X86_RBP), GPR("rsp", 64, "data_ptr", X86_RSP),
	GPR("r8", 64, "int64", X86_R8), GPR("r9", 64, "int64", X86_R9),
	GPR("r10", 64, "int64", X86_R10), GPR("r11", 64, "int64", X86_R11),
	GPR("r12", 64, "int64", X86_R12), GPR("r13", 64, "int64", X86_R13),
	GPR("r14", 64, "int64", X86_R14), GPR("r15", 64, "int64", X86_R15),
	REG("rip", 64, "code_ptr", NULL, F_CORE, GDB_SRC_PC, X86_RIP),
	GPR("eflags", 32, "i386_eflags", X86_RFLAGS),
	SEL_REGS,
	X87_REGS,
	XMM(0), XMM(1), XMM(2), XMM(3), XMM(4), XMM(5), XMM(6), XMM(7),
	XMM(8), XMM(9), XMM(10), XMM(11), XMM(12), XMM(13), XMM(14), XMM(15),
	REG("mxcsr", 32, "i386_mxcsr", "vector", F_SSE, GDB_SRC_REG, X86_MXCSR),
	REG("fs_base", 64, "int", NULL, F_SEGMENTS, GDB_SRC_REG, X86_FS_BASE),
	REG("gs_base", 64, "int", NULL, F_SEGMENTS, GDB_SRC_REG, X86_GS_BASE),
	SYS_REGS(64),
	SEG_REGS(64, "system"),
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct gdb_regtab i386_tab = {
	"i386", x86_features, NELEM(x86_features), i386_regs, NELEM(i386_regs),
};
/* The same registers for machines that start in real mode: gdb then
 * disassembles 16-bit code, and `set architecture i386` (gdbinit does it)
 * switches to 32-bit once the guest enters protected mode; an "i386"
 * description would not let `set architecture i8086` take effect. */
static const struct gdb_regtab i8086_tab = {
	"i8086", x86_features, NELEM(x86_features), i386_regs, NELEM(i386_regs),
};
static const struct gdb_regtab amd64_tab = {
	"i386:x86-64", x86_features, NELEM(x86_features), amd64_regs,
	NELEM(amd64_regs),
};

const struct gdb_regtab *gdb_regs_table(enum gdb_arch arch)
{
	return arch == GDB_ARCH_X86_64 ? &amd64_tab : arch == GDB_ARCH_I8086 ? &i8086_tab : &i386_tab;
}

size_t gdb_regs_g_size(const struct gdb_regtab *t)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nregs; i++)
		n += t->regs[i].bits / 8;
	return n;
}

/* --- types the registers use ----------------------------------------------
 *
 * Flags types are data too: their size is taken from the register that
 * uses them ("Target Description Format", "Types").
 */

struct flag_bit {
	const char *name;
	uint8_t bit;
};

struct flags_type {
	const char *id;
	const struct flag_bit *bits;
	size_t n;
};

/* Intel SDM Vol. 1, 3.4.3 (EFLAGS) */
static const struct flag_bit eflags_bits[] = {
	{"CF", 0}, {"PF", 2}, {"AF", 4}, {"ZF", 6}, {"SF", 7}, {"TF", 8},
	{"IF", 9}, {"DF", 10}, {"OF", 11}, {"NT", 14}, {"RF", 16}, {"VM", 17},
	{"AC", 18}, {"VIF", 19}, {"VIP", 20}, {"ID", 21},
};
/* Intel SDM Vol. 1, 10.2.3 (MXCSR) */
static const struct flag_bit mxcsr_bits[] = {
	{"IE", 0}, {"DE", 1}, {"ZE", 2}, {"OE", 3}, {"UE", 4}, {"PE", 5},
	{"DAZ", 6}, {"IM", 7}, {"DM", 8}, {"ZM", 9}, {"OM", 10}, {"UM", 11},
	{"PM", 12}, {"FZ", 15},
};
/* Intel SDM Vol. 3A, 2.5 */
static const struct flag_bit cr0_bits[] = {
	{"PE", 0}, {"MP", 1}, {"EM", 2}, {"TS", 3}, {"ET", 4}, {"NE", 5},
	{"WP", 16}, {"AM", 18}, {"NW", 29}, {"CD", 30}, {"PG", 31},
};
static const struct flag_bit cr4_bits[] = {
	{"VME", 0}, {"PVI", 1}, {"TSD", 2}, {"DE", 3}, {"PSE", 4}, {"PAE", 5},
	{"MCE", 6}, {"PGE", 7}, {"PCE", 8}, {"OSFXSR", 9}, {"OSXMMEXCPT", 10},
	{"UMIP", 11}, {"LA57", 12}, {"VMXE", 13}, {"SMXE", 14},
	{"FSGSBASE", 16}, {"PCIDE", 17}, {"OSXSAVE", 18}, {"SMEP", 20},
	{"SMAP", 21}, {"PKE", 22},
};
/* Intel SDM Vol. 3A, 2.2.1; AMD APM Vol. 2, 3.1.7 */
static const struct flag_bit efer_bits[] = {
	{"SCE", 0}, {"LME", 8}, {"LMA", 10}, {"NXE", 11}, {"SVME", 12},
	{"LMSLE", 13}, {"FFXSR", 14}, {"TCE", 15},
};

static const struct flags_type flags_types[] = {
	{"i386_eflags", eflags_bits, NELEM(eflags_bits)},
	{"i386_mxcsr", mxcsr_bits, NELEM(mxcsr_bits)},
	{"gdbvmm_cr0", cr0_bits, NELEM(cr0_bits)},
	{"gdbvmm_cr4", cr4_bits, NELEM(cr4_bits)},
	{"gdbvmm_efer", efer_bits, NELEM(efer_bits)},
};

/* The views of an SSE register, built from gdb's predefined types. */
static const char vec128_xml[] =
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
	"<union id=\"vec128\">\n"
	" <field name=\"v4_float\" type=\"v4f\"/>\n"
	" <field name=\"v2_double\" type=\"v2d\"/>\n"
	" <field name=\"v16_int8\" type=\"v16i8\"/>\n"
	" <field name=\"v8_int16\" type=\"v8i16\"/>\n"
	" <field name=\"v4_int32\" type=\"v4i32\"/>\n"
	" <field name=\"v2_int64\" type=\"v2i64\"/>\n"
	" <field name=\"uint128\" type=\"uint128\"/>\n"
	"</union>\n";

/* --- the XML --------------------------------------------------------------- */

struct sbuf {
	char *p;
	size_t len, cap;
	bool full;
};

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;

	if (b->full)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->full = true;
		return;
	}
	b->len += (size_t)n;
}

static const struct flags_type *find_flags(const char *id)
{
	for (size_t i = 0; i < NELEM(flags_types); i++)
		if (!strcmp(flags_types[i].id, id))
			return &flags_types[i];
	return NULL;
}

/* Define, at the top of feature f, every non-predefined type its
 * registers use (a type is only visible inside its feature). */
static void emit_types(struct sbuf *b, const struct gdb_regtab *t, size_t f)
{
	for (size_t i = 0; i < t->nregs; i++) {
		const struct gdb_regdesc *r = &t->regs[i];
		bool seen = false;

		if (r->feature != f)
			continue;
		for (size_t j = 0; j < i; j++)
			if (t->regs[j].feature == f &&
			    !strcmp(t->regs[j].type, r->type))
				seen = true;
		if (seen)
			continue;
		if (!strcmp(r->type, "vec128")) {
			sb_printf(b, "%s", vec128_xml);
			continue;
		}
		const struct flags_type *ft = find_flags(r->type);
		if (!ft)
			continue; /* predefined */
		sb_printf(b, "<flags id=\"%s\" size=\"%u\">\n", ft->id,
			  r->bits / 8u);
		for (size_t k = 0; k < ft->n; k++)
			sb_printf(b, " <field name=\"%s\" start=\"%u\" end=\"%u\"/>\n",
				  ft->bits[k].name, ft->bits[k].bit,
				  ft->bits[k].bit);
		sb_printf(b, "</flags>\n");
	}
}

long gdb_regs_xml(const struct gdb_regtab *t, char *buf, size_t cap)
{
	struct sbuf b = { buf, 0, cap, false };

	if (cap == 0)
		return -ENOSPC;
	/* "Target Description Format": one document, every feature inline. */
	sb_printf(&b, "<?xml version=\"1.0\"?>\n"
		      "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
		      "<target version=\"1.0\">\n"
		      "<architecture>%s</architecture>\n", t->arch);
	for (size_t f = 0; f < t->nfeatures; f++) {
		bool used = false;
		for (size_t i = 0; i < t->nregs; i++)
			if (t->regs[i].feature == f)
				used = true;
		/* an empty gnu feature would fail gdb's validation */
		if (!used)
			continue;
		sb_printf(&b, "<feature name=\"%s\">\n", t->features[f]);
		emit_types(&b, t, f);
		for (size_t i = 0; i < t->nregs; i++) {
			const struct gdb_regdesc *r = &t->regs[i];
			if (r->feature != f)
				continue;
			/* explicit regnum: the protocol number is the index */
			sb_printf(&b, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%zu\"",
				  r->name, r->bits, r->type, i);
			if (r->group)
				sb_printf(&b, " group=\"%s\"", r->group);
			sb_printf(&b, "/>\n");
		}
		sb_printf(&b, "</feature>\n");
	}
	sb_printf(&b, "</target>\n");
	if (b.full)
		return -ENOSPC;
	return (long)b.len;
}

/* --- values ---------------------------------------------------------------- */

#define EFLAGS_VM (1ull << 17)
#define CR0_PE 1ull

int gdb_regs_real_mode(const struct x86_state *st)
{
	if (!(st->r[X86_CR0] & CR0_PE))
		return 1;
	/* virtual-8086 mode: segments are also selector << 4 (SDM Vol. 3B,
	 * 20.1.1); never in long mode */
	return (st->r[X86_RFLAGS] & EFLAGS_VM) && !(st->r[X86_EFER] & (1u << 10));
}

uint64_t gdb_regs_pc(const struct x86_state *st)
{
	if (gdb_regs_real_mode(st))
		return st->r[X86_CS_BASE] + st->r[X86_RIP];
	return st->r[X86_RIP];
}

int gdb_regs_set_pc(struct x86_state *st, uint64_t pc)
{
	if (!gdb_regs_real_mode(st)) {
		st->r[X86_RIP] = pc;
		return 0;
	}
	uint64_t base = st->r[X86_CS_BASE];
	if (pc >= base && pc - base <= 0xffff) {
		st->r[X86_RIP] = pc - base;
		return 0;
	}
	/* outside the current code segment: CS = pc >> 4, IP = pc & 15; the
	 * top 64 KiB (the A20 region up to 0x10ffef) only as FFFF:IP */
	uint64_t cs = pc >> 4;
	if (cs > 0xffff) {
		if (pc - 0xffff0 > 0xffff)
			return -ERANGE;
		cs = 0xffff;
	}
	st->r[X86_CS] = cs;
	st->r[X86_CS_BASE] = cs << 4;
	st->r[X86_RIP] = pc - (cs << 4);
	return 0;
}

/* FXSAVE keeps one "not empty" bit per physical register; gdb wants the
 * full tag word, two bits per register: 0 valid, 1 zero, 2 special,
 * 3 empty (Intel SDM Vol. 1, 8.1.7 and 10.5.1). Physical register j is
 * ST((j - TOP) mod 8). */
static unsigned full_tag(const struct x86_state *st)
{
	unsigned top = (st->r[X86_FSTAT] >> 11) & 7, tag = 0;

	for (unsigned j = 0; j < 8; j++) {
		const uint8_t *v = st->st[(j - top) & 7];
		unsigned exp = (v[9] & 0x7fu) << 8 | v[8], t;
		uint64_t mant;

		memcpy(&mant, v, 8);
		if (!(st->r[X86_FTAG] & (1u << j)))
			t = 3;
		else if (exp == 0x7fff)
			t = 2;
		else if (exp == 0)
			t = mant ? 2 : 1;
		else
			t = (mant >> 63) ? 0 : 2;
		tag |= t << (2 * j);
	}
	return tag;
}

static uint64_t abridged_tag(uint64_t full)
{
	uint64_t ab = 0;
	for (unsigned j = 0; j < 8; j++)
		if (((full >> (2 * j)) & 3) != 3)
			ab |= 1u << j;
	return ab;
}

static uint64_t size_mask(unsigned bits)
{
	return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

static void put_le(uint8_t *out, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *in, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes && i < 8; i++)
		v |= (uint64_t)in[i] << (8 * i);
	return v;
}

int gdb_regs_get(const struct gdb_regtab *t, size_t n,
		 const struct x86_state *st, uint8_t *out)
{
	if (n >= t->nregs)
		return -EINVAL;
	const struct gdb_regdesc *r = &t->regs[n];
	unsigned bytes = r->bits / 8u;

	switch (r->src) {
	case GDB_SRC_REG:
	case GDB_SRC_SEL:
		put_le(out, st->r[r->idx], bytes);
		break;
	case GDB_SRC_PC:
		put_le(out, gdb_regs_pc(st), bytes);
		break;
	case GDB_SRC_FTAG:
		put_le(out, full_tag(st), bytes);
		break;
	case GDB_SRC_ST:
		memcpy(out, st->st[r->idx], 10);
		break;
	case GDB_SRC_XMM:
		memcpy(out, st->xmm[r->idx], 16);
		break;
	default:
		return -EINVAL;
	}
	return (int)bytes;
}

int gdb_regs_set(const struct gdb_regtab *t, size_t n, struct x86_state *st,
		 const uint8_t *val)
{
	if (n >= t->nregs)
		return -EINVAL;
	const struct gdb_regdesc *r = &t->regs[n];
	unsigned bytes = r->bits / 8u;
	uint64_t mask = size_mask(r->bits), v = get_le(val, bytes);

	switch (r->src) {
	case GDB_SRC_REG:
		/* an i386 session sees the low half: keep the rest */
		st->r[r->idx] = (st->r[r->idx] & ~mask) | v;
		return 0;
	case GDB_SRC_SEL:
		v &= 0xffff;
		/* SDM Vol. 3A, 20.1.1: a real-mode segment's base is sel << 4 */
		if (gdb_regs_real_mode(st) && v != st->r[r->idx])
			st->r[X86_CS_BASE + (r->idx - X86_CS)] = v << 4;
		st->r[r->idx] = v;
		return 0;
	case GDB_SRC_PC:
		if (gdb_regs_real_mode(st))
			return gdb_regs_set_pc(st, v);
		return gdb_regs_set_pc(st, (st->r[X86_RIP] & ~mask) | v);
	case GDB_SRC_FTAG:
		st->r[X86_FTAG] = abridged_tag(v);
		return 0;
	case GDB_SRC_ST:
		memcpy(st->st[r->idx], val, 10);
		return 0;
	case GDB_SRC_XMM:
		memcpy(st->xmm[r->idx], val, 16);
		return 0;
	}
	return -EINVAL;
}

size_t gdb_regs_get_all(const struct gdb_regtab *t, const struct x86_state *st,
			uint8_t *out)
{
	size_t off = 0;
	for (size_t i = 0; i < t->nregs; i++)
		off += (size_t)gdb_regs_get(t, i, st, out + off);
	return off;
}

int gdb_regs_set_all(const struct gdb_regtab *t, struct x86_state *st,
		     const uint8_t *in, size_t len)
{
	uint8_t cur[GDB_REGS_MAX_BYTES];
	struct x86_state next = *st;
	size_t off = 0, pc = t->nregs;

	if (len > gdb_regs_g_size(t))
		return -EINVAL;
	gdb_regs_get_all(t, st, cur);
	for (size_t i = 0; i < t->nregs && off < len; i++) {
		size_t bytes = t->regs[i].bits / 8u;
		if (off + bytes > len)
			return -EINVAL; /* not on a register boundary */
		if (memcmp(cur + off, in + off, bytes)) {
			if (t->regs[i].src == GDB_SRC_PC) {
				pc = i;
			} else {
				int err = gdb_regs_set(t, i, &next, in + off);
				if (err)
					return err;
			}
		}
		off += bytes;
	}
	if (pc < t->nregs) {
		size_t pcoff = 0;
		for (size_t i = 0; i < pc; i++)
			pcoff += t->regs[i].bits / 8u;
		int err = gdb_regs_set(t, pc, &next, in + pcoff);
		if (err)
			return err;
	}
	*st = next;
	return 0;
}

int gdb_regs_write_pc(const struct gdb_regtab *t, struct x86_state *st,
		      uint64_t addr)
{
	uint8_t val[8];

	for (size_t i = 0; i < t->nregs; i++) {
		if (t->regs[i].src != GDB_SRC_PC)
			continue;
		put_le(val, addr, t->regs[i].bits / 8u);
		return gdb_regs_set(t, i, st, val);
	}
	return -EINVAL;
}

int gdb_regs_find(const struct gdb_regtab *t, const char *name)
{
	for (size_t i = 0; i < t->nregs; i++)
		if (!strcmp(t->regs[i].name, name))
			return (int)i;
	return -1;
}
