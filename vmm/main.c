/* vmm/main.c: the gdbvmm command: options, building the machine, running it, the exit status. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/console.h"
#include "vmm/debug.h"
#include "vmm/devices.h"
#include "vmm/gdbserver.h"
#include "vmm/help.h"
#include "vmm/lane.h"
#include "vmm/loader.h"
#include "vmm/vm.h"

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	unsigned shift = 20; /* a bare number is MiB, as QEMU's -m */
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case '\0': break;
	default: return -EINVAL;
	}
	if (*end || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

struct args {
	struct vm_opts vm;
	enum lane_mode lane;
	const char *gdb;
	bool wait_gdb;
	unsigned timeout;
	int nr_images;
	char **images;
};

static int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int bad_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "gdbvmm: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry 'gdbvmm --help'.\n");
	va_end(ap);
	return VM_STATUS_USAGE;
}

/* 0 to go on, -1 to exit 0 (help, version), or an exit status. */
static int parse_args(int argc, char **argv, struct args *a)
{
	size_t nr_opts;
	const struct help_option *opts = help_options(&nr_opts);
	struct option lopts[nr_opts + 1];
	char shorts[64];
	size_t nl = 0, ns = 0;

	for (size_t i = 0; i < nr_opts; i++) {
		const struct help_option *o = &opts[i];
		if (o->name)
			lopts[nl++] = (struct option){ o->name, o->has_arg, NULL, o->val };
		if (o->val < 256) {
			shorts[ns++] = (char)o->val;
			if (o->has_arg)
				shorts[ns++] = ':';
		}
	}
	lopts[nl] = (struct option){ 0 };
	shorts[ns] = '\0';

	memset(a, 0, sizeof(*a));
	a->vm.ram_size = VM_DEFAULT_RAM;
	a->vm.irqchip = -1;
	if (lane_mode_from_env(&a->lane) < 0)
		return bad_usage("GDBVMM_LANE takes auto, off or force, not '%s'",
				 getenv("GDBVMM_LANE"));
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		switch (c) {
		case 'h': help_print(stdout); return -1;
		case OPT_MAN: help_print_man(stdout, optarg); return -1;
		case 'V': printf("gdbvmm %s\n", GDBVMM_VERSION); return -1;
		case 'v': a->vm.verbose++; break;
		case OPT_STATS: a->vm.stats = true; break;
		case 'm':
			if (parse_size(optarg, &a->vm.ram_size) < 0)
				return bad_usage("invalid memory size '%s'", optarg);
			if (a->vm.ram_size < (2ull << 20) || a->vm.ram_size > VM_MAX_RAM)
				return bad_usage("memory size '%s' is outside 2M..1T", optarg);
			a->vm.ram_size &= ~0xfffull;
			break;
		case OPT_IRQCHIP:
			if (!strcmp(optarg, "auto")) a->vm.irqchip = -1;
			else if (!strcmp(optarg, "on")) a->vm.irqchip = 1;
			else if (!strcmp(optarg, "off")) a->vm.irqchip = 0;
			else return bad_usage("--irqchip takes auto, on or off, not '%s'", optarg);
			break;
		case OPT_APPEND: a->vm.append = optarg; break;
		case OPT_INITRD: a->vm.initrd = optarg; break;
		case OPT_SMP: {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || n == 0 || n > VM_MAX_VCPUS)
				return bad_usage("--smp takes 1..%d, not '%s'", VM_MAX_VCPUS, optarg);
			a->vm.smp = (int)n;
			break;
		}
		case OPT_GDB: a->gdb = optarg; break;
		case 's': a->gdb = "127.0.0.1:1234"; break;
		case 'S': a->wait_gdb = true; break;
		case OPT_LANE: a->lane = LANE_FORCE; break;
		case OPT_NO_LANE: a->lane = LANE_OFF; break;
		case OPT_TIMEOUT: {
			char *end;
			unsigned long t = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end || t == 0 || t > 86400 * 365)
				return bad_usage("invalid timeout '%s'", optarg);
			a->timeout = (unsigned)t;
			break;
		}
		case '?':
		default:
			/* a long option's own spelling, not its short twin's */
			if (optopt && optopt < 256 && strncmp(argv[optind - 1], "--", 2))
				return bad_usage("invalid option or missing argument: -%s",
						 (char[]){ (char)optopt, 0 });
			return bad_usage("invalid option or missing argument: %s", argv[optind - 1]);
		}
	}
	a->nr_images = argc - optind;
	a->images = argv + optind;
	if (a->nr_images == 0)
		return bad_usage("%s", "no guest image given");
	if (a->nr_images > VM_MAX_IMAGES) {
		fprintf(stderr, "gdbvmm: %d images given; at most %d fit (one 64 KiB real-mode "
			"window each below 640 KiB)\n", a->nr_images, VM_MAX_IMAGES);
		return VM_STATUS_USAGE;
	}
	if (a->wait_gdb && !a->gdb)
		a->gdb = "127.0.0.1:1234";
	a->vm.debug = a->gdb != NULL;
	return 0;
}

/* The signals the monitor handles itself, blocked in every thread and
 * taken by signal_thread; SIGUSR2 only tells that thread to end. */
static void handled_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
	sigaddset(set, SIGUSR2);
}

/* SIGINT, SIGTERM, SIGHUP and SIGQUIT end the machine cleanly (terminal
 * restored, output flushed) with status 128 + signal, as a shell reports.
 * main joins this thread before it tears the machine down, so a late
 * signal never meets a console or debugger that is being freed. */
static void *signal_thread(void *arg)
{
	struct vm *vm = arg;
	sigset_t set;
	int sig;

	handled_signals(&set);
	while (sigwait(&set, &sig) == 0) {
		if (sig == SIGUSR2)
			break;
		vm_request_exit(vm, 128 + sig);
	}
	return NULL;
}

/* Ctrl-A x on the console (vmm/console.c): the machine ends with
 * VM_STATUS_QUIT, and one line says why, as QEMU says "Terminated". */
static void quit_key(void *arg)
{
	struct vm *vm = arg;

	pthread_mutex_lock(&vm->lock);
	if (!atomic_load(&vm->exiting) && !vm->fault_line[0])
		snprintf(vm->fault_line, sizeof(vm->fault_line), "terminated (Ctrl-A x)");
	pthread_mutex_unlock(&vm->lock);
	vm_request_exit(vm, VM_STATUS_QUIT);
}

/* Loads every image; one line and VM_STATUS_USAGE for a bad one. */
static int load_images(struct vm *vm, const struct args *a, bool *irqchip, bool *any_elf64)
{
	char err[256];
	bool any_kernel = false, any_flat = false;
	int r;

	*any_elf64 = false;

	for (int i = 0; i < a->nr_images; i++) {
		struct image *img = &vm->images[i];
		const char *slash = strrchr(a->images[i], '/');
		img->path = a->images[i];
		img->name = slash ? slash + 1 : img->path;
		r = loader_load(vm, img, i, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "gdbvmm: %s: %s\n", img->path, err);
			return VM_STATUS_USAGE;
		}
		vm->nr_images = i + 1;
		any_flat |= img->boot.kind == IMAGE_FLAT;
		any_kernel |= img->boot.kind != IMAGE_FLAT;
		*any_elf64 |= img->boot.kind == IMAGE_ELF64 || img->boot.kind == IMAGE_LINUX;
	}
	bool is_linux = vm->images[0].boot.kind == IMAGE_LINUX;
	if (is_linux && a->nr_images > 1) {
		fprintf(stderr, "gdbvmm: a Linux kernel must be the only image; %s is another\n",
			vm->images[1].name);
		return VM_STATUS_USAGE;
	}
	if (!is_linux && (a->vm.smp || a->vm.initrd)) {
		fprintf(stderr, "gdbvmm: %s needs a Linux kernel (bzImage or vmlinux); other images "
			"run one vCPU each\n", a->vm.smp ? "--smp" : "--initrd");
		return VM_STATUS_USAGE;
	}
	if (is_linux && a->vm.irqchip == 0) {
		fprintf(stderr, "gdbvmm: a Linux kernel needs the in-kernel interrupt controller "
			"(not --irqchip=off)\n");
		return VM_STATUS_USAGE;
	}
	*irqchip = a->vm.irqchip < 0 ? any_kernel : a->vm.irqchip;
	if (*irqchip && any_flat) {
		fprintf(stderr, "gdbvmm: flat images cannot run on a machine with an interrupt "
			"controller (their final hlt would never return); give kernels and flat "
			"images separately, or --irqchip=off\n");
		return VM_STATUS_USAGE;
	}
	return 0;
}

/* kvm-pvm runs only guests that know it, and Linux does not: the lane's
 * nested KVM runs it instead (README.md, "Without /dev/kvm"). */
#define PVM_NO_LINUX "the host's KVM is kvm-pvm, which cannot run a Linux kernel"
#define NEEDS_LANE (-2)	/* build_machine: run it in the lane instead */

static int build_machine(struct vm *vm, const struct args *a)
{
	bool irqchip, any_elf64;
	int r = load_images(vm, a, &irqchip, &any_elf64);

	if (r)
		return r;
	if (vm->images[0].boot.kind == IMAGE_LINUX && vm->caps.is_pvm) {
		if (a->lane != LANE_OFF)
			return NEEDS_LANE;
		fprintf(stderr, "gdbvmm: %s (and --no-lane or GDBVMM_LANE=off refuses the "
			"nested KVM VM that can)\n", PVM_NO_LINUX);
		return VM_STATUS_USAGE;
	}
	if (irqchip && (r = vm_setup_irqchip(vm)) < 0) {
		fprintf(stderr, "gdbvmm: cannot create the in-kernel interrupt controller: %s\n",
			strerror(-r));
		return VM_STATUS_USAGE;
	}
	loader_setup_low_memory(vm, any_elf64);
	if ((r = devices_init(vm)) < 0) {
		fprintf(stderr, "gdbvmm: cannot set up devices: %s\n", strerror(-r));
		return VM_STATUS_USAGE;
	}
	/* a Linux kernel runs on --smp vCPUs, every other image on one of its own */
	bool is_linux = vm->images[0].boot.kind == IMAGE_LINUX;
	int nr = is_linux ? (a->vm.smp ? a->vm.smp : 1) : a->nr_images;
	if (nr > vm->caps.max_vcpus) {
		fprintf(stderr, "gdbvmm: %d vCPUs: this host's KVM allows at most %d\n", nr,
			vm->caps.max_vcpus);
		return VM_STATUS_USAGE;
	}
	for (int i = 0; i < nr; i++) {
		if ((r = vcpu_create(vm, i, &vm->images[is_linux ? 0 : i])) < 0) {
			fprintf(stderr, "gdbvmm: cannot create vCPU %d: %s\n", i, strerror(-r));
			return VM_STATUS_USAGE;
		}
		vm->nr_vcpus = i + 1;
	}
	if (vm->opts.verbose)
		fprintf(stderr, "gdbvmm: %d vCPU(s), %llu MiB RAM, %s%s\n", vm->nr_vcpus,
			(unsigned long long)(vm->ram_size >> 20),
			irqchip ? "in-kernel PIC/IOAPIC/LAPIC and PIT" : "no interrupt controller",
			vm->caps.is_pvm ? ", host KVM is kvm-pvm" : "");
	return 0;
}

/* The same options for the gdbvmm inside the lane (vmm/lane.c), its gdb
 * stub on the VM's loopback. NULL-ended; freed with free_inner_args. */
static char **inner_args(const struct args *a)
{
	char **v = calloc((size_t)a->nr_images + 32, sizeof(*v));
	int n = 0;

	if (!v)
		return NULL;
#define ADD(...) do { if (asprintf(&v[n], __VA_ARGS__) < 0) v[n] = NULL; n++; } while (0)
	ADD("--memory=%lluK", (unsigned long long)(a->vm.ram_size >> 10));
	for (int i = 0; i < a->vm.verbose && i < 8; i++)
		ADD("-v");
	if (a->vm.stats)
		ADD("--stats");
	ADD("--irqchip=%s", a->vm.irqchip < 0 ? "auto" : a->vm.irqchip ? "on" : "off");
	if (a->vm.append)
		ADD("--append=%s", a->vm.append);
	if (a->vm.smp)
		ADD("--smp=%d", a->vm.smp);
	if (a->vm.initrd)
		ADD("--initrd=%s", a->vm.initrd);
	if (a->timeout)
		ADD("--timeout=%u", a->timeout);
	if (a->gdb)
		ADD("--gdb=%s:%d", LANE_INNER_GDB_HOST, LANE_INNER_GDB_PORT);
	if (a->wait_gdb)
		ADD("--wait-gdb");
	ADD("--");
	for (int i = 0; i < a->nr_images; i++)
		ADD("%s", a->images[i]);
#undef ADD
	for (int i = 0; i < n; i++)
		if (!v[i]) {
			for (int j = 0; j < n; j++)
				free(v[j]);
			free(v);
			return NULL;
		}
	return v;
}

/* No usable /dev/kvm (why), or --lane (why NULL): check the images here,
 * so that a bad one is one line at once, then run in the lane. */
static int run_in_lane(struct vm *vm, const struct args *a, const char *why)
{
	bool irqchip, any_elf64;
	int r = vm_create_offline(vm, &a->vm);

	if (r < 0) {
		fprintf(stderr, "gdbvmm: %s\n", strerror(-r));
		return VM_STATUS_USAGE;
	}
	if ((r = load_images(vm, a, &irqchip, &any_elf64)))
		return r;
	char **args = inner_args(a);
	if (!args) {
		fprintf(stderr, "gdbvmm: out of memory\n");
		return VM_STATUS_USAGE;
	}
	struct lane_opts lo = {
		.why = why, .inner_args = args, .gdb = a->gdb, .wait_gdb = a->wait_gdb,
		.timeout = a->timeout, .ram_size = a->vm.ram_size,
	};
	r = lane_run(&lo);
	for (char **p = args; *p; p++)
		free(*p);
	free(args);
	return r;
}

int main(int argc, char **argv)
{
	struct args a;
	struct vm *vm;

	if (argc > 1 && !strcmp(argv[1], LANE_RELAY_OPT))
		return lane_relay_main(argc, argv);

	int status = parse_args(argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;

	/* Nothing in the monitor should die of a closed pipe: a write error
	 * is handled where it happens. */
	signal(SIGPIPE, SIG_IGN);
	sigset_t set;
	handled_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	vm = calloc(1, sizeof(*vm));
	if (!vm) {
		fprintf(stderr, "gdbvmm: out of memory\n");
		return VM_STATUS_USAGE;
	}
	int r = a.lane == LANE_FORCE ? -EAGAIN : vm_create(vm, &a.vm);
	if (r < 0 && a.lane != LANE_OFF) {
		char why[128];
		if (r == -EAGAIN)
			why[0] = 0;
		else
			snprintf(why, sizeof(why), "no usable /dev/kvm: %s",
				 r == -ENOTSUP ? "it lacks KVM_CAP_IMMEDIATE_EXIT" :
				 r == -EPROTO ? "it does not answer as KVM" : strerror(-r));
		vm_destroy(vm);
		status = run_in_lane(vm, &a, why[0] ? why : NULL);
		vm_destroy(vm);
		free(vm);
		return status;
	}
	if (r < 0) {
		if (r == -ENOTSUP)
			fprintf(stderr, "gdbvmm: /dev/kvm lacks KVM_CAP_IMMEDIATE_EXIT (Linux 4.11+ needed)\n");
		else
			fprintf(stderr, "gdbvmm: /dev/kvm: %s%s\n", strerror(-r),
				r == -ENOENT ? " (is the kvm module loaded?)" :
				r == -EACCES ? " (are you in the kvm group?)" : "");
		status = VM_STATUS_USAGE;
		goto out;
	}
	r = console_open(&vm->con, STDIN_FILENO, STDOUT_FILENO, a.nr_images);
	if (r < 0) {
		fprintf(stderr, "gdbvmm: console: %s\n", strerror(-r));
		status = VM_STATUS_USAGE;
		goto out;
	}
	status = build_machine(vm, &a);
	if (status == NEEDS_LANE) {
		/* the images were good; the lane loads them again there */
		console_close(vm->con);
		vm->con = NULL;
		devices_fini(vm);
		vm_destroy(vm);
		status = run_in_lane(vm, &a, PVM_NO_LINUX);
		vm_destroy(vm);
		free(vm);
		return status;
	}
	if (status)
		goto out;
	/* Only now, as the signal thread: the machine quit_key ends is whole
	 * (and console_set_quit's lock orders build_machine's writes before
	 * the input thread's reads). A Ctrl-A x typed earlier is dropped. */
	console_set_quit(vm->con, quit_key, vm);

	pthread_t sigt;
	bool sigt_ok = pthread_create(&sigt, NULL, signal_thread, vm) == 0;

	if (a.gdb)
		status = gdbserver_run(vm, a.gdb, a.wait_gdb, a.timeout);
	else if ((r = vm_start(vm)) < 0)
		status = VM_STATUS_UNHANDLED;
	else
		status = vm_wait(vm, a.timeout);
	if (sigt_ok) {
		pthread_kill(sigt, SIGUSR2);
		pthread_join(sigt, NULL);
	}
	/* as for a late signal: Ctrl-A x typed now must not meet a debugger
	 * that is being freed */
	console_set_quit(vm->con, NULL, NULL);
	debug_destroy(vm);

	if (vm->con)
		console_close(vm->con);
	vm->con = NULL;
	if (vm->fault_line[0])
		fprintf(stderr, "gdbvmm: %s\n", vm->fault_line);
	if (a.vm.stats)
		vm_print_stats(vm);
out:
	if (vm->con)
		console_close(vm->con);
	devices_fini(vm);
	vm_destroy(vm);
	free(vm);
	return status;
}
