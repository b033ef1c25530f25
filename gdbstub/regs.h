/* gdbstub/regs.h: x86 register layouts as data, for the target XML and g/G/p/P.
 *
 * One table per gdb architecture lists every register gdb sees, in the
 * protocol's numbering: its name, size, gdb type, group, feature, and where
 * its value comes from in struct x86_state. The same table generates the
 * target description (qXfer:features:read:target.xml) and the byte layout
 * of g/G/p/P, so the two cannot disagree (GDB manual, "Target
 * Descriptions" and "i386 Features").
 *
 * Real mode is shown the way gdb needs it: while CR0.PE=0 (or EFLAGS.VM=1
 * in protected mode) the program counter (eip/rip) is the LINEAR address
 * CS.base + IP, so symbols and breakpoints at linear addresses match. The
 * raw instruction pointer is the extra register `ip`.
 */
#ifndef GDBSTUB_REGS_H
#define GDBSTUB_REGS_H

#include <stddef.h>
#include <stdint.h>

#include "gdbstub/target.h"

/* Where a gdb register's value lives in struct x86_state. */
enum gdb_regsrc {
	GDB_SRC_REG,  /* r[idx], zero-extended or truncated to the gdb size;
	               * a write keeps the state's bits above that size */
	GDB_SRC_SEL,  /* segment selector r[idx]; in real mode writing a new
	               * selector also sets the base to selector << 4 */
	GDB_SRC_PC,   /* RIP, as a linear address in real mode (see above) */
	GDB_SRC_FTAG, /* x87 tag word: full 2-bit tags built from the FXSAVE
	               * abridged tag in r[X86_FTAG] */
	GDB_SRC_ST,   /* st[idx], 10 bytes */
	GDB_SRC_XMM,  /* xmm[idx], 16 bytes */
};

struct gdb_regdesc {
	const char *name;
	uint16_t bits;       /* a multiple of 8 */
	const char *type;    /* gdb type: int32, code_ptr, i387_ext, vec128 ... */
	const char *group;   /* NULL: gdb's choice from the type */
	uint8_t feature;     /* index into gdb_regtab.features */
	uint8_t src;         /* enum gdb_regsrc */
	uint8_t idx;         /* enum x86_reg, or st/xmm slot */
};

struct gdb_regtab {
	const char *arch;                /* <architecture> */
	const char *const *features;     /* feature names, in document order */
	size_t nfeatures;
	const struct gdb_regdesc *regs;  /* index = gdb register number */
	size_t nregs;
};

/* The table of an architecture (never NULL). */
const struct gdb_regtab *gdb_regs_table(enum gdb_arch arch);

/* Bytes of a `g` reply: every register of the table, in order. */
size_t gdb_regs_g_size(const struct gdb_regtab *t);

/* Largest g_size over all tables: the size of a register buffer. */
#define GDB_REGS_MAX_BYTES 1024

/* Write the target description into buf (NUL-terminated). Returns its
 * length, or -ENOSPC. */
long gdb_regs_xml(const struct gdb_regtab *t, char *buf, size_t cap);

/* Register n's value, little-endian, into out (bits/8 bytes). Returns the
 * byte count, or -EINVAL when n is not in the table. */
int gdb_regs_get(const struct gdb_regtab *t, size_t n,
		 const struct x86_state *st, uint8_t *out);

/* Store register n from val (bits/8 bytes) into st. -EINVAL for a bad n,
 * -ERANGE for a real-mode pc that no CS:IP can reach. */
int gdb_regs_set(const struct gdb_regtab *t, size_t n, struct x86_state *st,
		 const uint8_t *val);

/* `g`: every register into out (gdb_regs_g_size bytes). */
size_t gdb_regs_get_all(const struct gdb_regtab *t, const struct x86_state *st,
			uint8_t *out);

/* `G`: `len` bytes in g layout. A shorter buffer must end on a register
 * boundary; only registers whose bytes differ from the current state are
 * written, the pc last (so `ip`, selectors and `eip` never fight).
 * 0, or -EINVAL / -ERANGE (the state is left unchanged on error). */
int gdb_regs_set_all(const struct gdb_regtab *t, struct x86_state *st,
		     const uint8_t *in, size_t len);

/* True when addresses are CS.base + IP: CR0.PE=0, or virtual-8086 mode. */
int gdb_regs_real_mode(const struct x86_state *st);

/* The pc gdb sees (linear in real mode), and its inverse: in real mode
 * IP = pc - CS.base when that fits 16 bits, else CS = pc >> 4 and
 * IP = pc & 15 (FFFF:IP for the 64 KiB above 1 MiB); -ERANGE for a pc no
 * CS:IP reaches (above 0x10ffef). */
uint64_t gdb_regs_pc(const struct x86_state *st);
int gdb_regs_set_pc(struct x86_state *st, uint64_t pc);

/* Set the pc from an address gdb sent (`c ADDR`, `s ADDR`), at the width
 * of the table's pc register, as a write of that register would. */
int gdb_regs_write_pc(const struct gdb_regtab *t, struct x86_state *st,
		      uint64_t addr);

/* The number of the register called `name`, or -1. */
int gdb_regs_find(const struct gdb_regtab *t, const char *name);

#endif
