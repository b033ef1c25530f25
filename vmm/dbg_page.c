/* vmm/dbg_page.c: Z2 by making the watched page read-only to KVM (KVM_CAP_READONLY_MEM): each write to it exits as MMIO. */
#include <string.h>

#include "vmm/dbg.h"

static bool page_usable(const struct host_caps *c)
{
	return c->ro_mem;
}

bool dbg_page_watched(const struct vm_debug *d, uint64_t page)
{
	for (int i = 0; i < DBG_MAX_BPS; i++)
		if (d->bps[i].used && d->bps[i].how == DBG_PAGE && (d->bps[i].gpa & ~0xfffull) == page)
			return true;
	return false;
}

/* The watched bytes are followed at the physical address they have now;
 * a watch across two pages is left to stepping. */
static int page_insert(struct vm_debug *d, int cpu, struct dbg_bp *b)
{
	int r = dbg_watch_locate(d, cpu, b);
	if (r)
		return r;
	if ((b->gpa >> 12) != ((b->gpa + b->len - 1) >> 12))
		return DBG_NEXT;
	return dbg_set_apart_locked(d, b, DBG_PAGE);
}

/* A guest write to a read-only page (done already): compare watches. */
void dbg_page_write(struct vcpu *cpu, uint64_t gpa, uint64_t len)
{
	struct vm_debug *d = cpu->vm->dbg;
	pthread_mutex_lock(&d->vm->pause_lock);
	for (int i = 0; i < DBG_MAX_BPS; i++) {
		struct dbg_bp *b = &d->bps[i];
		if (!b->used || b->how != DBG_PAGE || gpa >= b->gpa + b->len || b->gpa >= gpa + len)
			continue;
		const uint8_t *now = vm_gpa(d->vm, b->gpa, b->len);
		if (now && memcmp(now, b->snap, b->len)) {
			memcpy(b->snap, now, b->len);
			dbg_record_event_locked(d, cpu, GDB_STOP_WATCH, DBG_SIGTRAP, b->addr);
			break;
		}
	}
	pthread_mutex_unlock(&d->vm->pause_lock);
}

const struct dbg_strategy dbg_page = {
	.how = DBG_PAGE, .name = "read-only page", .usable = page_usable, .insert = page_insert,
};
