/* vmm/hypercall.c: the hypercall services (docs/hypercalls.md), one table row per service. */
#include <errno.h>

#include "vmm/hypercall.h"

#define PUTS_CHUNK 4096

static enum io_result hc_exit(const struct hc_env *env, struct hc_call *c)
{
	(void)env;
	c->status = (int)(c->rbx & 0xff);
	return IO_STOP_VCPU;
}

static enum io_result hc_putchar(const struct hc_env *env, struct hc_call *c)
{
	uint8_t ch = (uint8_t)c->rbx;
	env->out(env->opaque, &ch, 1);
	c->rax = 0;
	return IO_OK;
}

static enum io_result hc_getchar(const struct hc_env *env, struct hc_call *c)
{
	int ch = env->getc(env->opaque);
	if (ch == -EINTR)
		return IO_RETRY;
	c->rax = (uint64_t)(int64_t)ch;
	return IO_OK;
}

static enum io_result hc_puts(const struct hc_env *env, struct hc_call *c)
{
	uint64_t ptr = c->rbx, len = c->rcx;
	uint8_t buf[PUTS_CHUNK];

	/* All or nothing: check the whole range before printing a byte. */
	if (env->check(env->opaque, ptr, len) < 0) {
		c->rax = (uint64_t)-EFAULT;
		return IO_OK;
	}
	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < PUTS_CHUNK ? (size_t)(len - done) : PUTS_CHUNK;
		if (env->read(env->opaque, ptr + done, buf, n) < 0) {
			c->rax = (uint64_t)-EFAULT;
			return IO_OK;
		}
		env->out(env->opaque, buf, n);
		done += n;
	}
	c->rax = len;
	return IO_OK;
}

static enum io_result hc_info(const struct hc_env *env, struct hc_call *c)
{
	c->rax = HC_ABI_VERSION;
	c->rbx = (uint64_t)env->cpu_index;
	c->rcx = (uint64_t)env->nr_cpus;
	return IO_OK;
}

static enum io_result (*const services[])(const struct hc_env *, struct hc_call *) = {
	[HC_EXIT] = hc_exit,
	[HC_PUTCHAR] = hc_putchar,
	[HC_GETCHAR] = hc_getchar,
	[HC_PUTS] = hc_puts,
	[HC_INFO] = hc_info,
};

enum io_result hc_dispatch(const struct hc_env *env, struct hc_call *call)
{
	if (call->nr >= sizeof(services) / sizeof(services[0]) || !services[call->nr]) {
		call->rax = (uint64_t)-ENOSYS;
		return IO_OK;
	}
	return services[call->nr](env, call);
}
