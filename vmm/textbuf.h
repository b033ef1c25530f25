/* vmm/textbuf.h: formatted text appended to a fixed buffer and cut at its end, as snprintf cuts (monitor replies, help texts). */
#ifndef VMM_TEXTBUF_H
#define VMM_TEXTBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct textbuf {
	char *buf;
	size_t size;
	size_t n;    /* the length the whole text has, cut or not */
};

static inline void textbuf_add(struct textbuf *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline void textbuf_add(struct textbuf *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(t->n < t->size ? t->buf + t->n : NULL, t->n < t->size ? t->size - t->n : 0,
			  fmt, ap);
	va_end(ap);
	if (k > 0)
		t->n += (size_t)k;
}

/* What a monitor command returns: the length written, at most size - 1. */
static inline int textbuf_len(const struct textbuf *t)
{
	return t->n < t->size ? (int)t->n : (int)t->size - 1;
}

#endif
