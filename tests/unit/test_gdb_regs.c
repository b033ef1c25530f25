/* tests/unit/test_gdb_regs.c: register tables: the XML matches the g layout, gdb's core order, real-mode pc both ways. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "gdbstub/regs.h"
#include "tests/unit/tap.h"

static char xml[65536];

static const char *const i386_core[] = {
	"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags",
	"cs", "ss", "ds", "es", "fs", "gs", "st0", "st1", "st2", "st3", "st4",
	"st5", "st6", "st7", "fctrl", "fstat", "ftag", "fiseg", "fioff",
	"foseg", "fooff", "fop",
};

static const char *const amd64_core[] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9",
	"r10", "r11", "r12", "r13", "r14", "r15", "rip", "eflags", "cs", "ss",
	"ds", "es", "fs", "gs", "st0", "st1", "st2", "st3", "st4", "st5", "st6",
	"st7", "fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff",
	"fop",
};

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static const char *const predefined[] = {
	"int", "int8", "int16", "int32", "int64", "int128", "uint8", "uint16",
	"uint32", "uint64", "uint128", "code_ptr", "data_ptr", "ieee_single",
	"ieee_double", "i387_ext",
};

/* Parse-level checks of the XML against the table it came from. */
static void check_xml(const struct gdb_regtab *t, const char *what)
{
	long len = gdb_regs_xml(t, xml, sizeof(xml));
	ok(len > 0 && (size_t)len == strlen(xml), "%s: XML generated (%ld bytes)", what, len);
	is(count(xml, "<reg "), (long long)t->nregs, "%s: one <reg> per table row", what);
	size_t nf = 0;
	for (size_t f = 0; f < t->nfeatures; f++) {
		bool used = false;
		for (size_t i = 0; i < t->nregs; i++)
			used |= t->regs[i].feature == f;
		char pat[96];
		snprintf(pat, sizeof(pat), "<feature name=\"%s\">", t->features[f]);
		if (used)
			nf++;
		is(count(xml, pat), used, "%s: feature %s %s", what, t->features[f],
		   used ? "present once" : "absent (no registers)");
	}
	is(count(xml, "<feature "), (long long)nf, "%s: every feature opened", what);
	is(count(xml, "</feature>"), (long long)nf, "%s: every feature closed", what);
	ok(strstr(xml, "<target version=\"1.0\">") && strstr(xml, "</target>"), "%s: a target document", what);
	{
		char arch[64];
		snprintf(arch, sizeof(arch), "<architecture>%s</architecture>", t->arch);
		ok(strstr(xml, arch) != NULL, "%s: architecture %s", what, t->arch);
	}
	/* every name once, regnum = index, bitsizes sum to the g size */
	int bad_name = 0, bad_num = 0, bad_size = 0, bad_type = 0;
	size_t bits = 0;
	const char *p = xml;
	for (size_t i = 0; i < t->nregs; i++) {
		char pat[96];
		snprintf(pat, sizeof(pat), "<reg name=\"%s\" ", t->regs[i].name);
		if (count(xml, pat) != 1)
			bad_name++;
		const char *r = strstr(p, "<reg ");
		if (!r)
			break;
		unsigned long rn = 0, bs = 0;
		const char *q = strstr(r, "regnum=\"");
		const char *b = strstr(r, "bitsize=\"");
		if (q)
			rn = strtoul(q + 8, NULL, 10);
		if (b)
			bs = strtoul(b + 9, NULL, 10);
		/* registers appear in the document in table order within
		 * features ordered by index, so their regnums ascend */
		if (rn >= t->nregs)
			bad_num++;
		else
			bits += bs;
		if (bs != t->regs[rn < t->nregs ? rn : 0].bits)
			bad_size++;
		/* its type is predefined or defined in the same feature */
		const char *ty = strstr(r, "type=\"");
		char tname[64] = "";
		if (ty)
			sscanf(ty + 6, "%63[^\"]", tname);
		bool pre = false;
		for (size_t k = 0; k < sizeof(predefined) / sizeof(predefined[0]); k++)
			if (!strcmp(tname, predefined[k]))
				pre = true;
		if (!pre) {
			/* the feature start before this reg */
			const char *fs = r;
			while (fs > xml && strncmp(fs, "<feature ", 9))
				fs--;
			char def1[96], def2[96];
			snprintf(def1, sizeof(def1), "id=\"%s\"", tname);
			snprintf(def2, sizeof(def2), "<union id=\"%s\"", tname);
			const char *d = strstr(fs, def1);
			if (!d || d > r)
				bad_type++;
		}
		p = r + 5;
	}
	is(bad_name, 0, "%s: every register name appears exactly once", what);
	is(bad_num, 0, "%s: every regnum is a table index", what);
	is(bad_size, 0, "%s: bitsize matches the table", what);
	is(bad_type, 0, "%s: every type is predefined or defined in its feature", what);
	is((long long)(bits / 8), (long long)gdb_regs_g_size(t), "%s: XML sizes sum to the g packet size", what);
	ok(gdb_regs_g_size(t) <= GDB_REGS_MAX_BYTES, "%s: g size fits GDB_REGS_MAX_BYTES", what);
	is(gdb_regs_xml(t, xml, 100), -ENOSPC, "%s: too small a buffer is -ENOSPC", what);
}

static void check_core(const struct gdb_regtab *t, const char *const *names, size_t n,
		       const char *what)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(t->regs[i].name, names[i]) || strcmp(t->features[t->regs[i].feature], "org.gnu.gdb.i386.core"))
			bad++;
	is(bad, 0, "%s: org.gnu.gdb.i386.core in gdb's order", what);
	ok(!strcmp(t->features[t->regs[n].feature], "org.gnu.gdb.i386.sse"), "%s: then sse", what);
	ok(gdb_regs_find(t, "fs_base") >= 0 && gdb_regs_find(t, "gs_base") >= 0, "%s: fs_base/gs_base", what);
	ok(gdb_regs_find(t, "cr0") >= 0 && gdb_regs_find(t, "cr3") >= 0 &&
	   gdb_regs_find(t, "efer") >= 0 && gdb_regs_find(t, "ip") >= 0 &&
	   gdb_regs_find(t, "gdtr_base") >= 0 && gdb_regs_find(t, "cs_base") >= 0,
	   "%s: the gdbvmm extras", what);
	is(gdb_regs_find(t, "nosuch"), -1, "%s: unknown name", what);
}

static uint64_t get(const struct gdb_regtab *t, const struct x86_state *st, const char *name)
{
	uint8_t b[16] = { 0 };
	uint64_t v = 0;
	int n = gdb_regs_get(t, (size_t)gdb_regs_find(t, name), st, b);
	for (int i = 0; i < n && i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static int set(const struct gdb_regtab *t, struct x86_state *st, const char *name, uint64_t v)
{
	uint8_t b[16] = { 0 };
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return gdb_regs_set(t, (size_t)gdb_regs_find(t, name), st, b);
}

static void real_mode(struct x86_state *st, uint16_t cs, uint16_t ip)
{
	memset(st, 0, sizeof(*st));
	st->r[X86_CR0] = 0x10;
	st->r[X86_CS] = cs;
	st->r[X86_CS_BASE] = (uint64_t)cs << 4;
	st->r[X86_RIP] = ip;
}

int main(void)
{
	const struct gdb_regtab *t32 = gdb_regs_table(GDB_ARCH_I386);
	const struct gdb_regtab *t64 = gdb_regs_table(GDB_ARCH_X86_64);
	struct x86_state st, st2;
	uint8_t g[GDB_REGS_MAX_BYTES], g2[GDB_REGS_MAX_BYTES];

	check_xml(t32, "i386");
	check_xml(t64, "x86-64");
	check_core(t32, i386_core, sizeof(i386_core) / sizeof(i386_core[0]), "i386");
	check_core(t64, amd64_core, sizeof(amd64_core) / sizeof(amd64_core[0]), "x86-64");
	/* sizes gdb requires: 80-bit st, 128-bit xmm, 32-bit eflags/segments */
	is(t32->regs[gdb_regs_find(t32, "st0")].bits, 80, "st0 is 80 bits");
	is(t64->regs[gdb_regs_find(t64, "xmm15")].bits, 128, "xmm15 is 128 bits");
	is(t64->regs[gdb_regs_find(t64, "eflags")].bits, 32, "amd64 eflags is 32 bits");
	is(t64->regs[gdb_regs_find(t64, "cs")].bits, 32, "amd64 cs is 32 bits");
	is(t32->regs[gdb_regs_find(t32, "fs_base")].bits, 32, "i386 fs_base is 32 bits");
	is(t64->regs[gdb_regs_find(t64, "fs_base")].bits, 64, "amd64 fs_base is 64 bits");
	is(gdb_regs_find(t32, "xmm8"), -1, "i386 has xmm0-7 only");

	/* --- values --- */
	memset(&st, 0, sizeof(st));
	st.r[X86_CR0] = 0x11;
	st.r[X86_RAX] = 0x1122334455667788ull;
	st.r[X86_RCX] = 0xaabbccdd;
	st.r[X86_RIP] = 0xffffffff80001000ull;
	st.r[X86_RFLAGS] = 0x246;
	is(get(t32, &st, "eax"), 0x55667788, "i386 eax truncates rax");
	is(get(t64, &st, "rax"), 0x1122334455667788ull, "x86-64 rax");
	is(get(t64, &st, "rcx"), 0xaabbccdd, "x86-64 rcx from a 32-bit value");
	is(get(t32, &st, "eip"), 0x80001000, "i386 eip truncates rip");
	is(set(t32, &st, "eax", 0xdeadbeef), 0, "write eax");
	is(st.r[X86_RAX], 0x11223344deadbeefull, "eax write keeps the upper half");
	is(set(t64, &st, "rax", 5), 0, "write rax");
	is(st.r[X86_RAX], 5, "rax write is all 64 bits");
	is(gdb_regs_get(t32, t32->nregs, &st, g), -EINVAL, "register past the table");
	is(gdb_regs_set(t32, 9999, &st, g), -EINVAL, "write past the table");

	/* g layout: eax at 0, ecx at 4, ... eip at 32 */
	{
		size_t n = gdb_regs_get_all(t32, &st, g);
		is((long long)n, (long long)gdb_regs_g_size(t32), "g size for i386");
		ok(g[4] == 0xdd && g[5] == 0xcc && g[6] == 0xbb && g[7] == 0xaa, "ecx at offset 4, little-endian");
		ok(g[32] == 0x00 && g[33] == 0x10 && g[34] == 0x00 && g[35] == 0x80, "eip at offset 32");
	}

	/* --- real mode --- */
	real_mode(&st, 0x1000, 0x20);
	ok(gdb_regs_real_mode(&st), "PE=0 is real mode");
	is(gdb_regs_pc(&st), 0x10020, "pc is CS.base + IP");
	is(get(t32, &st, "eip"), 0x10020, "eip is linear");
	is(get(t32, &st, "ip"), 0x20, "ip is raw");
	is(get(t64, &st, "rip"), 0x10020, "x86-64 rip is linear in real mode too");
	is(set(t32, &st, "eip", 0x10100), 0, "pc inside the segment");
	ok(st.r[X86_CS] == 0x1000 && st.r[X86_RIP] == 0x100, "IP = pc - CS.base, CS kept");
	is(set(t32, &st, "eip", 0x1ffff), 0, "pc at the segment's top");
	ok(st.r[X86_CS] == 0x1000 && st.r[X86_RIP] == 0xffff, "IP = 0xffff");
	is(set(t32, &st, "eip", 0x20010), 0, "pc past the segment's top");
	ok(st.r[X86_CS] == 0x2001 && st.r[X86_CS_BASE] == 0x20010 && st.r[X86_RIP] == 0,
	   "CS = pc >> 4, IP = pc & 15 (CS=%#llx IP=%#llx)",
	   (unsigned long long)st.r[X86_CS], (unsigned long long)st.r[X86_RIP]);
	is(set(t32, &st, "eip", 0x7c05), 0, "pc below CS.base");
	ok(st.r[X86_CS] == 0x7c0 && st.r[X86_CS_BASE] == 0x7c00 && st.r[X86_RIP] == 5, "CS=0x7c0 IP=5");
	st2 = st;
	is(set(t32, &st, "eip", 0x10ffef), 0, "highest pc: FFFF:FFFF");
	ok(st.r[X86_CS] == 0xffff && st.r[X86_RIP] == 0xffff, "CS=FFFF IP=FFFF");
	is(set(t32, &st, "eip", 0x10fff0), -ERANGE, "pc no CS:IP reaches");
	is(gdb_regs_write_pc(t32, &st2, 0x7c10), 0, "gdb_regs_write_pc");
	is(st2.r[X86_RIP], 0x10, "... in the current segment");
	is(set(t32, &st, "ip", 0x1234), 0, "write raw ip");
	is(st.r[X86_RIP], 0x1234, "ip is RIP as is");
	/* selectors in real mode carry their base */
	is(set(t32, &st, "ds", 0x2000), 0, "write ds in real mode");
	is(st.r[X86_DS_BASE], 0x20000, "ds base follows");
	st.r[X86_ES_BASE] = 0x123456; /* unreal-mode leftover */
	is(set(t32, &st, "es", st.r[X86_ES]), 0, "rewrite es unchanged");
	is(st.r[X86_ES_BASE], 0x123456, "unchanged selector keeps its base");
	/* virtual-8086 */
	real_mode(&st, 0x1000, 0x20);
	st.r[X86_CR0] = 0x11;
	st.r[X86_RFLAGS] = 1u << 17;
	ok(gdb_regs_real_mode(&st), "EFLAGS.VM is segment << 4 too");
	st.r[X86_RFLAGS] = 0;
	ok(!gdb_regs_real_mode(&st), "PE=1 VM=0 is not");
	is(gdb_regs_pc(&st), 0x20, "protected mode pc is RIP");

	/* --- G: only what changed; pc last --- */
	real_mode(&st, 0x1000, 0x20);
	gdb_regs_get_all(t32, &st, g);
	memcpy(g2, g, sizeof(g));
	{
		int ip = gdb_regs_find(t32, "ip");
		size_t off = 0;
		for (int i = 0; i < ip; i++)
			off += t32->regs[i].bits / 8;
		g2[off] = 0x40; /* ip = 0x40, eip left as it was */
		is(gdb_regs_set_all(t32, &st, g2, gdb_regs_g_size(t32)), 0, "G with a new ip");
		is(st.r[X86_RIP], 0x40, "the changed ip wins over the unchanged eip");
	}
	real_mode(&st, 0x1000, 0x20);
	memcpy(g2, g, sizeof(g));
	g2[32] = 0x80; /* eip = 0x10080 */
	is(gdb_regs_set_all(t32, &st, g2, gdb_regs_g_size(t32)), 0, "G with a new eip");
	is(st.r[X86_RIP], 0x80, "the changed eip wins over the unchanged ip");
	real_mode(&st, 0x1000, 0x20);
	st2 = st;
	is(gdb_regs_set_all(t32, &st, g, 10), -EINVAL, "G not on a register boundary");
	is(gdb_regs_set_all(t32, &st, g, gdb_regs_g_size(t32) + 4), -EINVAL, "G too long");
	memcpy(g2, g, sizeof(g));
	g2[0] = 0x99;
	is(gdb_regs_set_all(t32, &st, g2, 8), 0, "G with a prefix (eax, ecx)");
	is(st.r[X86_RAX], 0x99, "prefix G wrote eax");
	memcpy(g2, g, sizeof(g));
	g2[0] = 0x77;
	g2[32] = 0xff; g2[33] = 0xff; g2[34] = 0xff; g2[35] = 0xff; /* unreachable pc */
	st2 = st;
	is(gdb_regs_set_all(t32, &st, g2, gdb_regs_g_size(t32)), -ERANGE, "G with an impossible pc");
	ok(!memcmp(&st, &st2, sizeof(st)), "state unchanged on error");

	/* --- x87 tag word: FXSAVE abridged <-> full --- */
	memset(&st, 0, sizeof(st));
	st.r[X86_CR0] = 0x11;
	st.r[X86_FSTAT] = 7u << 11; /* TOP = 7: ST(0) is R7 */
	st.r[X86_FTAG] = 0x80;      /* only R7 in use */
	st.st[0][7] = 0x80;         /* 1.0: integer bit */
	st.st[0][8] = 0xff;
	st.st[0][9] = 0x3f;
	is(get(t32, &st, "ftag"), 0x3fff, "R7 valid, the rest empty");
	st.st[0][7] = 0;
	st.st[0][8] = 0;
	st.st[0][9] = 0;
	is(get(t32, &st, "ftag"), 0x7fff, "R7 zero");
	is(set(t32, &st, "ftag", 0xfff0), 0, "write the full tag");
	is(st.r[X86_FTAG], 0x03, "R0 and R1 in use");

	/* --- long mode --- */
	memset(&st, 0, sizeof(st));
	st.r[X86_CR0] = 0x80000011;
	st.r[X86_EFER] = 0x500;
	st.r[X86_RIP] = 0xffffffff80000000ull;
	is(get(t64, &st, "rip"), 0xffffffff80000000ull, "long mode rip");
	is(gdb_regs_write_pc(t64, &st, 0x401000), 0, "write rip");
	is(st.r[X86_RIP], 0x401000, "rip written");
	return done_testing();
}
