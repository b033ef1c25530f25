/* tests/fuzz/mkcorpus.c: writes the fuzzers' seed inputs (tests/fuzz/corpus/NAME/): a few valid packets, sessions, images, page tables and hypercalls each.
 *
 * Run by `make fuzz-corpus`; its output is committed, so it stays small
 * (a few KB). Every seed is something valid that the fuzzer then mutates:
 * the interesting malformed inputs are the fuzzer's job.
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *root;

static void put(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", root, dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* ---- packet: framed client bytes ------------------------------------------ */

static size_t frame(const char *body, size_t len, char *out)
{
	unsigned sum = 0;
	size_t n = 0;
	out[n++] = '$';
	for (size_t i = 0; i < len; i++) {
		out[n++] = body[i];
		sum += (uint8_t)body[i];
	}
	n += (size_t)sprintf(out + n, "#%02x", sum & 0xff);
	return n;
}

static void packets(void)
{
	static const char *const bodies[] = {
		"qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+",
		"m100000,40",
		"X1000,4:}\x03}]}\x04}\x0a",  /* escaped $ } $ * */
		"0* ",                       /* run-length: '0' and 3 more */
		"vCont;s:1;c",
	};
	char buf[256];
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		char name[16];
		size_t n = frame(bodies[i], strlen(bodies[i]), buf);
		snprintf(name, sizeof(name), "pkt%zu", i);
		put("packet", name, buf, n);
	}
	static const char mixed[] = "+$?#3f-\x03noise$g#67+$m0,1#fa";
	put("packet", "mixed", mixed, sizeof(mixed) - 1);
	static const char bad[] = "$m0,1#00$qC#b4";
	put("packet", "badsum", bad, sizeof(bad) - 1);
}

/* ---- session: config byte, then one packet per line ------------------------- */

static void hexstr(const char *s, char *out)
{
	while (*s)
		out += sprintf(out, "%02x", (uint8_t)*s++);
}

static void sessions(void)
{
	char buf[2048], h[128];
	int n;

	/* what gdb sends on connect, then reads, a breakpoint, a step, detach */
	n = sprintf(buf, "%c"
		    "qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386\n"
		    "vMustReplyEmpty\nQStartNoAckMode\nHg0\n"
		    "qXfer:features:read:target.xml:0,ffb\n"
		    "qTStatus\n?\nqfThreadInfo\nqsThreadInfo\nqAttached\nHc-1\nqC\n"
		    "g\nm1000,40\np8\nqThreadExtraInfo,1\nT1\n"
		    "Z0,1010,1\nvCont?\nvCont;c\nz0,1010,1\nvCont;s:1\nD\n", 0);
	put("session", "i386", buf, (size_t)n);

	/* x86-64, four vCPUs: threads, registers written, memory written */
	n = sprintf(buf, "%c"
		    "qSupported\nHg2\ng\nP10=0020000000000000\nM2000,4:deadbeef\n"
		    "X2000,2:ab\nm2000,4\nZ2,3000,4\nZ1,1000,1\nvCont;s:2;c\n"
		    "Hc3\ns\nc\nz2,3000,4\nz1,1000,1\nk\n", 1 | (3 << 1));
	put("session", "x86_64", buf, (size_t)n);

	/* monitor commands, hex encoded, and a stop line */
	n = sprintf(buf, "%c", 2 << 1);
	hexstr("help", h);
	n += sprintf(buf + n, "qRcmd,%s\n", h);
	hexstr("phys on", h);
	n += sprintf(buf + n, "qRcmd,%s\nm0,10\n", h);
	hexstr("info", h);
	n += sprintf(buf + n, "qRcmd,%s\nc\n", h);
	/* 0xff: a stop (kind FAULT, vCPU 1, signal 11, address, status, text) */
	static const uint8_t stop[] = { 0xff, 6, 2, 11, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					't', 'r', 'i', 'p', 'l', 'e' };
	memcpy(buf + n, stop, sizeof(stop));
	n += (int)sizeof(stop);
	n += sprintf(buf + n, "\n?\nG%0*d\nvKill;1\n", 2 * 312, 0);
	put("session", "monitor", buf, (size_t)n);
}

/* ---- loader: byte 0 (RAM, image number, append), byte 1, the image -------- */

static void loader(void)
{
	static uint8_t img[0x300];
	Elf32_Ehdr e32 = { 0 };
	Elf32_Phdr p32 = { 0 };
	Elf64_Ehdr e64 = { 0 };
	Elf64_Phdr p64 = { 0 };

	/* ELF32 Multiboot kernel: one segment at 1 MiB, header at 0x80 */
	memset(img, 0x90, sizeof(img));
	img[0] = 2; /* 16 MiB, image 0 */
	img[1] = 0;
	memcpy(e32.e_ident, ELFMAG, SELFMAG);
	e32.e_ident[EI_CLASS] = ELFCLASS32;
	e32.e_ident[EI_DATA] = ELFDATA2LSB;
	e32.e_type = ET_EXEC;
	e32.e_machine = EM_386;
	e32.e_entry = 0x100080;
	e32.e_phoff = sizeof(e32);
	e32.e_phentsize = sizeof(p32);
	e32.e_phnum = 1;
	p32.p_type = PT_LOAD;
	p32.p_paddr = p32.p_vaddr = 0x100000;
	p32.p_filesz = 0x100;
	p32.p_memsz = 0x2000;
	memcpy(img + 2, &e32, sizeof(e32));
	memcpy(img + 2 + sizeof(e32), &p32, sizeof(p32));
	uint32_t mb[3] = { 0x1badb002u, 3, 0u - 0x1badb002u - 3 };
	memcpy(img + 2 + 0x80, mb, sizeof(mb));
	put("loader", "elf32-mb", img, 2 + 0x100);

	/* the same as image 3, after a flat image and two kernels */
	img[0] = 2 | (3 << 2) | (1 << 5);
	img[1] = 1;
	put("loader", "elf32-mb-3", img, 2 + 0x100);

	/* ELF64 at 2 MiB */
	memset(img, 0xcc, sizeof(img));
	img[0] = 2;
	img[1] = 0;
	memcpy(e64.e_ident, ELFMAG, SELFMAG);
	e64.e_ident[EI_CLASS] = ELFCLASS64;
	e64.e_ident[EI_DATA] = ELFDATA2LSB;
	e64.e_type = ET_EXEC;
	e64.e_machine = EM_X86_64;
	e64.e_entry = 0x200000;
	e64.e_phoff = sizeof(e64);
	e64.e_phentsize = sizeof(p64);
	e64.e_phnum = 1;
	p64.p_type = PT_LOAD;
	p64.p_paddr = p64.p_vaddr = 0x200000;
	p64.p_offset = 0;
	p64.p_filesz = 0x100;
	p64.p_memsz = 0x1000;
	memcpy(img + 2, &e64, sizeof(e64));
	memcpy(img + 2 + sizeof(e64), &p64, sizeof(p64));
	put("loader", "elf64", img, 2 + 0x100);

	/* a.out kludge: header at 0x20, loaded at 2 MiB, bss to 2 MiB + 8 KiB */
	memset(img, 0x90, sizeof(img));
	img[0] = 2;
	img[1] = 0;
	uint32_t k[8] = { 0x1badb002u, 0x10003u, 0u - 0x1badb002u - 0x10003u, 0x200020,
			  0x200000, 0, 0x202000, 0x200040 };
	memcpy(img + 2 + 0x20, k, sizeof(k));
	put("loader", "aout", img, 2 + 0x100);

	/* a flat image as image 1 */
	memset(img, 0xf4, 64);
	img[0] = 1 << 2;
	img[1] = 1;
	put("loader", "flat", img, 64);
}

/* ---- mmu: CR0, CR3, CR4, EFER, linear address (8 bytes each), memory ------ */

#define CR0_PE 1ull
#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)

/* Guest memory as the mmu and hypercall harnesses take it: records of an
 * offset and an 8-byte word. */
static uint8_t words[1024];
static size_t nwords;
static unsigned off_bytes; /* 2 (mmu) or 4 (hypercall) */

static void set64(uint64_t gpa, uint64_t v)
{
	memcpy(words + nwords, &gpa, off_bytes);
	memcpy(words + nwords + off_bytes, &v, 8);
	nwords += off_bytes + 8;
}

/* a 32-bit entry at a 4-byte offset: its half of the 8-byte word */
static void set32(uint64_t gpa, uint32_t v)
{
	set64(gpa & ~7ull, (uint64_t)v << (8 * (gpa & 4)));
}

static void mmu_seed(const char *name, uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer,
		     uint64_t la)
{
	static uint8_t buf[40 + sizeof(words)];
	uint64_t h[5] = { cr0, cr3, cr4, efer, la };
	memcpy(buf, h, sizeof(h));
	memcpy(buf + 40, words, nwords);
	put("mmu", name, buf, 40 + nwords);
	nwords = 0;
}

static void mmu(void)
{
	off_bytes = 2;
	mmu_seed("off", 0x11, 0, 0, 0, 0x12345);

	/* 32-bit: PD at 0x1000, PT at 0x2000, 0x00400000 -> 0x5000; a 4 MiB page at 8 MiB */
	set32(0x1000 + 1 * 4, 0x2000 | 3);
	set32(0x2000 + 0 * 4, 0x5000 | 3);
	set32(0x1000 + 2 * 4, 0x00800000 | 0x83);
	mmu_seed("32bit", CR0_PE | CR0_PG, 0x1000, CR4_PSE, 0, 0x00400123);

	/* PAE: PDPT at 0x1000, PD at 0x2000, PT at 0x3000; a 2 MiB page */
	set64(0x1000, 0x2000 | 1);
	set64(0x2000, 0x3000 | 3);
	set64(0x3000 + 8, 0x6000 | 3);
	set64(0x2000 + 8, 0x200000 | 0x83);
	mmu_seed("pae", CR0_PE | CR0_PG, 0x1000, CR4_PAE, 0, 0x1abc);

	/* 4-level: PML4 0x1000, PDPT 0x2000 (a 1 GiB page too), PD 0x3000, PT 0x4000 */
	for (int five = 0; five < 2; five++) {
		set64(0x1000, 0x2000 | 3);
		set64(0x2000, 0x3000 | 3);
		set64(0x2000 + 8, 0x40000000 | 0x83);
		set64(0x3000, 0x4000 | 3);
		set64(0x3000 + 8, 0x200000 | 0x83);
		set64(0x4000 + 8 * 5, 0x7000 | 3);
		if (five) /* 5-level: a PML5 at 0x6000 over the same tables */
			set64(0x6000, 0x1000 | 3);
		mmu_seed(five ? "5level" : "4level", CR0_PE | CR0_PG, five ? 0x6000 : 0x1000,
			 CR4_PAE | (five ? CR4_LA57 : 0), EFER_LMA | 0x100, 0x5008);
	}
}

/* ---- hypercall: byte 0, value, RAX, RBX, RCX, CR0, CR3, CR4, EFER, DS base,
 * stdin count, then guest RAM ----------------------------------------------- */

static void hc_seed(const char *name, uint8_t b0, uint32_t val, uint64_t rbx, uint64_t rcx,
		    uint32_t cr0, uint32_t cr3, uint32_t cr4, uint16_t efer, uint64_t ds,
		    uint8_t nin, const void *in)
{
	static uint8_t buf[64 + 256 + sizeof(words)];
	size_t n = 0;
	uint64_t rax = 0x55;
	buf[n++] = b0;
	memcpy(buf + n, &val, 4), n += 4;
	memcpy(buf + n, &rax, 8), n += 8;
	memcpy(buf + n, &rbx, 8), n += 8;
	memcpy(buf + n, &rcx, 8), n += 8;
	memcpy(buf + n, &cr0, 4), n += 4;
	memcpy(buf + n, &cr3, 4), n += 4;
	memcpy(buf + n, &cr4, 4), n += 4;
	memcpy(buf + n, &efer, 2), n += 2;
	memcpy(buf + n, &ds, 8), n += 8;
	buf[n++] = nin;
	memcpy(buf + n, in, nin), n += nin;
	memcpy(buf + n, words, nwords), n += nwords;
	put("hypercall", name, buf, n);
	nwords = 0;
}

/* a string in guest RAM, 8 bytes a record */
static void set_str(uint64_t gpa, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t w = 0;
		memcpy(&w, s + i, len - i < 8 ? len - i : 8);
		set64(gpa + i, w);
	}
}

static void hypercall(void)
{
	static const char hello[] = "hello from the guest\n";
	const size_t hl = sizeof(hello) - 1;

	off_bytes = 4;
	/* real mode puts: 16-bit out, DS base 0 */
	set_str(0x100, hello, hl);
	hc_seed("puts-real", 1, 3, 0x100, hl, 0, 0, 0, 0, 0, 0, "");
	/* puts through a DS base, 32-bit out, 2 vCPUs */
	set_str(0x100, hello, hl);
	hc_seed("puts-ds", 2 | (1 << 4), 3, 0x80, hl, 1, 0, 0, 0, 0x80, 0, "");
	/* puts wrapping past 4 GiB */
	hc_seed("puts-wrap", 2, 3, 0xfffffff0u, 0x20, 1, 0, 0, 0, 0, 0, "");
	hc_seed("putchar", 0, 1, 'A', 0, 0, 0, 0, 0, 0, 0, "");
	hc_seed("getchar", 1, 2, 0, 0, 0, 0, 0, 0, 0, 3, "abc");
	hc_seed("exit", 2, 0, 0x1ff, 0, 0, 0, 0, 0, 0, 0, "");
	hc_seed("info", 2 | (3 << 4), 4, 0, 0, 0, 0, 0, 0, 0, 0, "");
	hc_seed("unknown", 2, 0x10003, 0, 0, 0, 0, 0, 0, 0, 0, "");

	/* long mode, 4-level tables at 0x1000..0x3000 mapping 0-2 MiB */
	set64(0x1000, 0x2000 | 3);
	set64(0x2000, 0x3000 | 3);
	set64(0x3000, 0x83);
	set_str(0x4000, hello, hl);
	hc_seed("puts-long", 2, 3, 0x4000, hl, (uint32_t)(CR0_PE | CR0_PG), 0x1000,
		(uint32_t)CR4_PAE, (uint16_t)(EFER_LMA | 0x100), 0, 0, "");
	/* 32-bit paging: PD at 0x1000, PT at 0x2000, linear 0x00400000 -> 0x4000 */
	set32(0x1000 + 4, 0x2000 | 3);
	set32(0x2000, 0x4000 | 3);
	set_str(0x4000, hello, hl);
	hc_seed("puts-paging32", 2, 3, 0x00400000, hl, (uint32_t)(CR0_PE | CR0_PG), 0x1000, 0, 0,
		0, 0, "");
}

int main(int argc, char **argv)
{
	root = argc > 1 ? argv[1] : "tests/fuzz/corpus";
	mkdir(root, 0755);
	packets();
	sessions();
	loader();
	mmu();
	hypercall();
	return 0;
}
