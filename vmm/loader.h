/* vmm/loader.h: guest image loading (flat, Multiboot v1, ELF64, Linux through vmm/linux.c) with bounds-checked parsing. */
#ifndef VMM_LOADER_H
#define VMM_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct image;

/* Loads img->path as image number `index` and fills img->boot. On error a
 * negative errno and one line in err (without the path). */
int loader_load(struct vm *vm, struct image *img, int index, char *err, size_t errlen);
/* The same for an image already in memory (loader_load reads the file and
 * calls this): `data` is only read; img->path goes on the command line. */
int loader_load_buffer(struct vm *vm, struct image *img, int index, const uint8_t *data,
		       size_t size, char *err, size_t errlen);
/* One line into err (as snprintf), and `code` back. */
int loader_error(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Reads exactly len bytes from fd: 0, or -errno (-EIO at an early end). */
int loader_read_all(int fd, void *buf, size_t len);
/* The GDT for protected-mode entry; with long_mode, the identity map too. */
void loader_setup_low_memory(struct vm *vm, bool long_mode);

#endif
