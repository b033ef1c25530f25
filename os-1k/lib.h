/* os-1k/lib.h: string functions and a printf core shared by the kernel and user programs. */
#ifndef OS1K_LIB_H
#define OS1K_LIB_H

#include <stdarg.h>
#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strncpy0(char *dst, const char *src, size_t size);

/* Formats like printf (%d %u %x %s %c %%, with '-', '0' and a width) and
 * hands every output byte to put(c, arg). Returns the number of bytes. */
int vformat(void (*put)(char c, void *arg), void *arg, const char *fmt, va_list ap);

#endif
