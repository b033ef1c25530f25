/* os-1k/syscall.h: system call numbers, shared by the kernel (proc.c) and the user library. */
#ifndef OS1K_SYSCALL_H
#define OS1K_SYSCALL_H

/* int $0x80: number in eax, arguments in ebx, ecx, edx, result in eax. */
#define SYS_EXIT          0   /* exit(status): does not return */
#define SYS_WRITE         1   /* write(buf, len): to the console; len or -1 */
#define SYS_READ          2   /* read(buf, size): one edited line with its '\n'; length or -1 */
#define SYS_GETPID        3   /* getpid() */
#define SYS_YIELD         4   /* yield(): give up the rest of this tick */
#define SYS_SLEEP         5   /* sleep(ticks): at 100 ticks a second */
#define SYS_UPTIME        6   /* uptime(): ticks since boot */
#define SYS_SPAWN         7   /* spawn(name, arg): start a program; pid or -1 */
#define SYS_WAIT          8   /* wait(pid): until that child ends; its status or -1 */
#define SYS_PS            9   /* ps(): print the process table */
#define SYS_CRASH_KERNEL 10   /* crash_kernel(): a deliberate kernel fault, to see a panic */

/* What wait() returns for a program that Ctrl-C ended: 128 + 2, as a Unix
 * shell reports a program ended by SIGINT (signal 2). A program's own
 * exit status and a fault's 128 + vector (kernel.c) are the other kinds. */
#define STATUS_INTERRUPTED 130

#endif
