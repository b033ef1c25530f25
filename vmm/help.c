/* vmm/help.c: the command's documentation: the option table, --help and the man page, made from the same text. */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmm/console.h"
#include "vmm/help.h"
#include "vmm/vm.h"

static const struct help_option options[] = {
	{ "help", no_argument, 'h', NULL, "show this help and exit" },
	{ "version", no_argument, 'V', NULL, "show the version and exit" },
	{ "verbose", no_argument, 'v', NULL, "report unclaimed ports and MMIO, the machine chosen (repeatable)" },
	{ "memory", required_argument, 'm', "SIZE", "guest RAM, e.g. 64M or 8G (default 128M; past 3G, above 4G)" },
	{ "smp", required_argument, OPT_SMP, "N", "a Linux kernel's vCPUs (default 1, at most 255)" },
	{ "initrd", required_argument, OPT_INITRD, "FILE", "a Linux kernel's initial RAM disk" },
	{ "stats", no_argument, OPT_STATS, NULL, "print the number of VM exits by reason at the end" },
	{ "irqchip", required_argument, OPT_IRQCHIP, "auto|on|off", "in-kernel PIC/IOAPIC/LAPIC and PIT (auto: on for kernels)" },
	{ "append", required_argument, OPT_APPEND, "TEXT", "a Linux kernel's command line; Multiboot: added to it" },
	{ "timeout", required_argument, OPT_TIMEOUT, "SECONDS", "stop the machine after SECONDS (status 124)" },
	{ "gdb", required_argument, OPT_GDB, "SPEC", "gdb server on [HOST:]PORT or unix:PATH (default host 127.0.0.1)" },
	{ NULL, no_argument, 's', NULL, "shorthand for --gdb 127.0.0.1:1234" },
	{ "wait-gdb", no_argument, 'S', NULL, "start stopped, before the first instruction, until gdb continues" },
	{ "lane", no_argument, OPT_LANE, NULL, "run in a nested KVM VM (QEMU TCG with SVM) even where /dev/kvm works" },
	{ "no-lane", no_argument, OPT_NO_LANE, NULL, "without a usable /dev/kvm, fail instead of using that VM" },
	/* the man page, for `make install` (install.mk); DIR is where gdbinit goes */
	{ "man", optional_argument, OPT_MAN, "DIR", NULL },
};
#define NR_OPTIONS (sizeof(options) / sizeof(options[0]))

const struct help_option *help_options(size_t *n)
{
	*n = NR_OPTIONS;
	return options;
}

/* ---- the text both outputs share -------------------------------------------------- */

static const char synopsis[] = "[OPTION]... IMAGE...";
static const char summary[] = "run small x86 guests on KVM, with a GDB remote stub built in";

_Static_assert(VM_MAX_IMAGES == 8, "the description says at most 8 images");

/* Paragraphs: --help prints them as they are, the man page fills them. */
static const char *const description[] = {
	"Run x86 guests under KVM, one vCPU per IMAGE, console on stdin/stdout.\n"
	"IMAGE is a flat real-mode binary (loaded in its own 64 KiB window), a\n"
	"Multiboot v1 kernel (ELF32), or a 64-bit ELF (entered in long mode).\n"
	"At most 8 images.\n",
	"A Linux kernel (bzImage, or vmlinux) runs alone, on --smp vCPUs, with\n"
	"--initrd and --append as its command line: ACPI tables, the in-kernel\n"
	"PIC, IOAPIC, LAPICs and PIT, and the 16550 on COM1 (IRQ 4) for its\n"
	"console (console=ttyS0). Its poweroff and reboot end gdbvmm, status 0.\n",
	"Without a usable /dev/kvm, gdbvmm runs the machine in a nested KVM VM\n"
	"(qemu-system-x86_64 -accel tcg -cpu EPYC,+svm with Debian's kernel, set up\n"
	"once in ~/.cache/gdbvmm/): seconds to start, guest code fast, each exit\n"
	"slow; the console keys are not there (Ctrl-C ends it). GDBVMM_LANE=off\n"
	"is --no-lane, GDBVMM_LANE=force is --lane.\n",
};

static const char keys_intro[] =
	"When stdin is a terminal, it is in raw mode and QEMU's console keys\n"
	"work (those of its -nographic console): Ctrl-A, then\n";
static const char keys_after[] =
	"Every other byte, Ctrl-C included, goes to the guest. When stdin is not\n"
	"a terminal there are no keys: input reaches the guest byte for byte\n"
	"(0x01 too), and Ctrl-C (SIGINT) ends gdbvmm with status 130.\n";

static const char status_intro[] = "Exit status: the guests' own (the first nonzero one), or\n";

#define STATUS_SIGNAL (-1) /* the row of 128 + signal number */
static const struct exit_row {
	int status;
	const char *what;
} statuses[] = {
	{ VM_STATUS_QUIT, "Ctrl-A x, or gdb's kill" },
	{ VM_STATUS_USAGE, "bad usage or image, no usable /dev/kvm" },
	{ VM_STATUS_PANIC, "the guest kernel panicked (pvpanic)" },
	{ VM_STATUS_TRIPLE_FAULT, "triple fault" },
	{ VM_STATUS_EMULATION, "emulation failure" },
	{ VM_STATUS_UNHANDLED, "unhandled exit" },
	{ VM_STATUS_TIMEOUT, "--timeout ran out" },
	{ VM_STATUS_HOST_LACKS, "the host's KVM cannot run what the guest did" },
	{ STATUS_SIGNAL, "signal N ended it (130 SIGINT, 143 SIGTERM, 129 SIGHUP, 131 SIGQUIT)" },
};
#define NR_STATUSES (sizeof(statuses) / sizeof(statuses[0]))

/* ---- --help ---------------------------------------------------------------------- */

void help_print(FILE *f)
{
	size_t nkeys;
	const struct console_key *keys = console_keys(&nkeys);

	fprintf(f, "Usage: gdbvmm %s\n", synopsis);
	for (size_t i = 0; i < sizeof(description) / sizeof(description[0]); i++)
		fprintf(f, "%s%s", i ? "\n" : "", description[i]);
	fprintf(f, "\nOptions:\n");
	for (size_t i = 0; i < NR_OPTIONS; i++) {
		const struct help_option *o = &options[i];
		char lhs[48];
		if (!o->help)
			continue;
		if (o->name && o->val < 256)
			snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", o->val, o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		else if (o->name)
			snprintf(lhs, sizeof(lhs), "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		else
			snprintf(lhs, sizeof(lhs), "-%c", o->val);
		fprintf(f, "  %-28s %s\n", lhs, o->help);
	}
	fprintf(f, "\n%s", keys_intro);
	for (size_t i = 0; i < nkeys; i++)
		fprintf(f, "  %-28s %s\n", keys[i].name, keys[i].help);
	fprintf(f, "%s", keys_after);
	fprintf(f, "\n%s", status_intro);
	for (size_t i = 0; i < NR_STATUSES; i++) {
		if (statuses[i].status == STATUS_SIGNAL)
			fprintf(f, "  %5s  %s\n", "128+N", statuses[i].what);
		else
			fprintf(f, "  %5d  %s\n", statuses[i].status, statuses[i].what);
	}
}

/* ---- the man page ---------------------------------------------------------------- */

/* Text as roff sees it (groff_man(7), groff(7) "Escape sequences"): a
 * backslash is \e; a dash that starts a word (an option) is \-, the minus
 * sign a terminal shows as '-' and a search for "--gdb" finds, while one
 * inside a word ("64-bit", "Ctrl-A") stays a hyphen; a line that starts
 * with '.' or '\'' would be a request, so \& comes before it. */
static void roff(FILE *f, const char *s)
{
	char prev = '\n';

	for (; *s; prev = *s++) {
		if (prev == '\n' && (*s == '.' || *s == '\''))
			fputs("\\&", f);
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-' && !isalnum((unsigned char)prev))
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

static void man_option(FILE *f, const struct help_option *o)
{
	fputs(".TP\n", f);
	if (o->val < 256)
		fprintf(f, "\\fB\\-%c\\fR%s", o->val, o->name ? ", " : "");
	if (o->name)
		fprintf(f, "\\fB\\-\\-%s\\fR", o->name);
	if (o->arg) {
		fputs(" \\fI", f);
		roff(f, o->arg);
		fputs("\\fR", f);
	}
	fputs("\n", f);
	roff(f, o->help);
	fputs("\n", f);
}

void help_print_man(FILE *f, const char *pkgdatadir)
{
	size_t nkeys;
	const struct console_key *keys = console_keys(&nkeys);

	fprintf(f, ".\\\" gdbvmm(1): made by `gdbvmm --man` from the text of --help (vmm/help.c).\n");
	fprintf(f, ".TH GDBVMM 1 \"\" \"gdbvmm %s\" \"User Commands\"\n", GDBVMM_VERSION);
	fputs(".SH NAME\ngdbvmm \\- ", f);
	roff(f, summary);
	fputs("\n.SH SYNOPSIS\n.B gdbvmm\n", f);
	roff(f, synopsis);
	fputs("\n.SH DESCRIPTION\n", f);
	for (size_t i = 0; i < sizeof(description) / sizeof(description[0]); i++) {
		fputs(i ? ".PP\n" : "", f);
		roff(f, description[i]);
	}

	fputs(".SH OPTIONS\n", f);
	for (size_t i = 0; i < NR_OPTIONS; i++)
		if (options[i].help)
			man_option(f, &options[i]);

	fputs(".SH CONSOLE KEYS\n", f);
	roff(f, keys_intro);
	for (size_t i = 0; i < nkeys; i++) {
		fputs(".TP 10\n.B ", f);
		roff(f, keys[i].name);
		fputs("\n", f);
		roff(f, keys[i].help);
		fputs("\n", f);
	}
	fputs(".PP\n", f);
	roff(f, keys_after);

	fputs(".SH EXIT STATUS\n", f);
	roff(f, status_intro);
	for (size_t i = 0; i < NR_STATUSES; i++) {
		if (statuses[i].status == STATUS_SIGNAL)
			fputs(".TP\n.B 128+N\n", f);
		else
			fprintf(f, ".TP\n.B %d\n", statuses[i].status);
		roff(f, statuses[i].what);
		fputs("\n", f);
	}

	/* Not in --help: where the installed files are, and an example. */
	char gdbinit[4096];
	snprintf(gdbinit, sizeof(gdbinit), "%s%sgdbinit", pkgdatadir ? pkgdatadir : "",
		 pkgdatadir ? "/" : "");
	fputs(".SH FILES\n.TP\n.I ", f);
	roff(f, gdbinit);
	fputs("\n", f);
	roff(f, "The ready gdb setup: it connects to 127.0.0.1:1234 (GDBVMM_PORT in the\n"
		"environment picks another port) and keeps gdb's disassembler in step\n"
		"with the mode of the selected vCPU (i8086 in real mode). Give it to\n"
		"gdb with -x, or type source and its path at gdb's prompt once the\n"
		"guest's symbols are loaded.\n");
	if (!pkgdatadir)
		roff(f, "(This page was made without an install directory: the gdbinit\n"
			"meant is the one at the top of the source tree.)\n");

	fputs(".SH EXAMPLES\n.nf\n.RS\n", f);
	roff(f, "gdbvmm kernel.elf\n"
		"gdbvmm -s -S kernel.elf    # stopped, waiting for gdb on 127.0.0.1:1234\n"
		"gdb -x ");
	roff(f, gdbinit);
	roff(f, " kernel.elf\n");
	fputs(".RE\n.fi\n", f);
	fputs(".SH SEE ALSO\n.BR gdb (1),\n.BR qemu-system-i386 (1)\n", f);
}
