/* os-1k/user/user.h: what a user program sees: the system calls and a few library functions (ulib.c, ../lib.c). */
#ifndef OS1K_USER_H
#define OS1K_USER_H

#include "os-1k/lib.h"

/* Every program defines main; arg is the rest of the shell's command line. */
int main(const char *arg);

/* System calls (os-1k/syscall.h) */
void exit(int status) __attribute__((noreturn));
int write(const char *buf, int len);
int read(char *buf, int size);
int getpid(void);
void yield(void);
void sleep(int ticks);
int uptime(void);
int spawn(const char *name, const char *arg);
int wait(int pid);
void ps(void);
void crash_kernel(void);

/* Library */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int readline(const char *prompt, char *buf, int size); /* without the '\n'; -1 on error */
const char *skip_spaces(const char *s);
int parse_int(const char **s, int *v);               /* 1 if a number was there */

#endif
