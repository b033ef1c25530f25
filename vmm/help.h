/* vmm/help.h: the command's documentation: one option table makes getopt's table, --help and the man page. */
#ifndef VMM_HELP_H
#define VMM_HELP_H

#include <stdio.h>

#ifndef GDBVMM_VERSION
#define GDBVMM_VERSION "0.1.0"
#endif

/* Option values without a short option (getopt_long's val). */
enum {
	OPT_STATS = 256,
	OPT_IRQCHIP,
	OPT_APPEND,
	OPT_GDB,
	OPT_TIMEOUT,
	OPT_MAN,
	OPT_LANE,
	OPT_NO_LANE,
	OPT_SMP,
	OPT_INITRD,
};

/* One row per option. `name` NULL: a short option only; `help` NULL: an
 * option --help and the man page do not list (--man, for the build). */
struct help_option {
	const char *name;
	int has_arg; /* getopt_long's no_argument, required_argument, ... */
	int val;     /* the short option's letter, or OPT_* */
	const char *arg;
	const char *help;
};

/* The rows in the order --help lists them; *n is set to their number. */
const struct help_option *help_options(size_t *n);

/* --help: usage, options, console keys, exit statuses. */
void help_print(FILE *f);

/* The same text as a man page, gdbvmm(1), in roff (man(7) macros).
 * pkgdatadir: where `make install` put gdbinit, or NULL for a page that
 * speaks of the source tree's. */
void help_print_man(FILE *f, const char *pkgdatadir);

#endif
