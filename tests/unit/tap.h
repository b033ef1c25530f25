/* tests/unit/tap.h: a minimal TAP producer for the C unit tests (prove reads it). */
#ifndef TESTS_UNIT_TAP_H
#define TESTS_UNIT_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

/* ok(cond, "name %d", ...): one test point. Returns cond. */
static inline int ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

/* is(got, want, name): integers, with both values shown on failure. */
#define is(got, want, ...)                                                          \
	do {                                                                         \
		long long g_ = (long long)(got), w_ = (long long)(want);             \
		if (!ok(g_ == w_, __VA_ARGS__))                                      \
			printf("#   got %lld (0x%llx), want %lld (0x%llx)\n", g_,     \
			       (unsigned long long)g_, w_, (unsigned long long)w_);  \
	} while (0)

#define is_str(got, want, ...)                                                      \
	do {                                                                         \
		const char *g_ = (got), *w_ = (want);                                \
		if (!ok(g_ && w_ && strcmp(g_, w_) == 0, __VA_ARGS__))               \
			printf("#   got \"%s\"\n#  want \"%s\"\n", g_ ? g_ : "(null)", \
			       w_ ? w_ : "(null)");                                   \
	} while (0)

/* Ends the test: the plan goes last (TAP allows it), status 1 on failure. */
static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
