/* vmm/hypercall.h: the hypercall services of docs/hypercalls.md, independent of KVM. */
#ifndef VMM_HYPERCALL_H
#define VMM_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/iobus.h"

#define HC_PORT 0x500
#define HC_ABI_VERSION 1

enum hc_service {
	HC_EXIT = 0,
	HC_PUTCHAR = 1,
	HC_GETCHAR = 2,
	HC_PUTS = 3,
	HC_INFO = 4,
};

/* One call: the registers in, the registers out. */
struct hc_call {
	uint32_t nr;
	uint64_t rax, rbx, rcx;
	int status;          /* HC_EXIT: the guest's status */
};

/* What a service may touch; the VMM fills it for one vCPU, the unit tests
 * with fakes. Pointers are guest pointers (DS-relative offsets). */
struct hc_env {
	void *opaque;
	int cpu_index, nr_cpus;
	/* 0 if [ptr, ptr+len) is all readable guest memory, else -EFAULT */
	int (*check)(void *opaque, uint64_t ptr, uint64_t len);
	int (*read)(void *opaque, uint64_t ptr, void *buf, size_t len);
	void (*out)(void *opaque, const void *buf, size_t len);
	/* byte, -1 at end of input, -EINTR when the vCPU must stop waiting */
	int (*getc)(void *opaque);
};

/* Runs the service; IO_OK, IO_STOP_VCPU (exit) or IO_RETRY (interrupted). */
enum io_result hc_dispatch(const struct hc_env *env, struct hc_call *call);

#endif
