/* vmm/loader.h: guest image loading (flat, Multiboot v1, ELF64) with bounds-checked parsing. */
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
/* The GDT for protected-mode entry; with long_mode, the identity map too. */
void loader_setup_low_memory(struct vm *vm, bool long_mode);

#endif
