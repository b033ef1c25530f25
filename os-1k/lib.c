/* os-1k/lib.c: string functions and the printf core, compiled into the kernel and into every user program. */
#include "os-1k/lib.h"

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; a++, b++, n--) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (*a == '\0')
			break;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

/* Copies at most size - 1 bytes and always terminates dst. */
char *strncpy0(char *dst, const char *src, size_t size)
{
	size_t i = 0;

	if (size == 0)
		return dst;
	for (; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
	return dst;
}

int vformat(void (*put)(char c, void *arg), void *arg, const char *fmt, va_list ap)
{
	int count = 0;

	for (; *fmt; fmt++) {
		char digits[12];
		const char *s = digits;
		int len = 0, width = 0, left = 0;
		char pad = ' ', sign = 0;

		if (*fmt != '%') {
			put(*fmt, arg);
			count++;
			continue;
		}
		fmt++;
		if (*fmt == '-') {
			left = 1;
			fmt++;
		}
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');

		switch (*fmt) {
		case 'd':
		case 'u':
		case 'x': {
			unsigned int v = va_arg(ap, unsigned int);
			unsigned int base = *fmt == 'x' ? 16 : 10;
			char tmp[12];
			int n = 0;

			if (*fmt == 'd' && (int)v < 0) {
				sign = '-';
				v = -v;
			}
			do {
				tmp[n++] = "0123456789abcdef"[v % base];
				v /= base;
			} while (v);
			while (n > 0)
				digits[len++] = tmp[--n];
			break;
		}
		case 'c':
			digits[0] = (char)va_arg(ap, int);
			len = 1;
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			len = (int)strlen(s);
			break;
		case '%':
			digits[0] = '%';
			len = 1;
			break;
		default:              /* unknown conversion: print it as it is */
			put('%', arg);
			if (!*fmt)
				return count + 1;
			digits[0] = *fmt;
			len = 1;
			count++;
			break;
		}

		/* A sign goes before zero padding and after space padding. */
		width -= len + (sign != 0);
		if (sign && pad == '0') {
			put(sign, arg);
			count++;
		}
		while (!left && width-- > 0) {
			put(pad, arg);
			count++;
		}
		if (sign && pad != '0') {
			put(sign, arg);
			count++;
		}
		for (int i = 0; i < len; i++)
			put(s[i], arg);
		count += len;
		while (left && width-- > 0) {
			put(' ', arg);
			count++;
		}
	}
	return count;
}
