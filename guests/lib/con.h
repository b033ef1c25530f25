/* guests/lib/con.h: console output through port 0xe9 and the isa-debug-exit, for the C guests (32- and 64-bit). */
#ifndef GUESTS_LIB_CON_H
#define GUESTS_LIB_CON_H

void put_char(char c);
void put_str(const char *s);
void put_dec(long v);
void put_hex(unsigned long v);
/* Ends the machine with status (v << 1) | 1, under QEMU and gdbvmm alike. */
__attribute__((noreturn)) void debug_exit(unsigned int v);

#endif
