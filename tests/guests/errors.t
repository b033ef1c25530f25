#!/bin/bash
# tests/guests/errors.t: bad usage, bad images and a missing /dev/kvm give one clear line on stderr, status 2 and nothing on stdout; --help and --version.
#
# What main.c prints: a usage error is "gdbvmm: WHAT" then "Try 'gdbvmm
# --help'."; a bad image is one line "gdbvmm: PATH: WHAT"; everything
# else that stops the monitor before the guest runs is one "gdbvmm: "
# line. All with status 2 (vmm/vm.h, VM_STATUS_USAGE).
. "$(dirname "$0")/lib.sh"

# usage_error DESC REGEX ARGS...: status 2, stderr is exactly the line
# matching "gdbvmm: REGEX" and the --help hint, stdout empty.
usage_error() {
	local d=$1 re=$2
	shift 2
	vm "$T/out" "$T/err" /dev/null "$@"
	is "$status" 2 "$d: exit status 2"
	is "$(lines "$T/err")" 2 "$d: two lines on stderr (the error, the --help hint)" ||
		diag_file stderr "$T/err"
	like "$(sed -n 1p "$T/err")" "gdbvmm: $re" "$d: the error line"
	is "$(sed -n 2p "$T/err")" "Try 'gdbvmm --help'." "$d: the --help hint"
	is "$(wc -c <"$T/out")" 0 "$d: nothing on stdout"
}

# one_line_error DESC REGEX ARGS...: status 2, stderr is exactly one line
# matching "gdbvmm: REGEX", stdout empty.
one_line_error() {
	local d=$1 re=$2
	shift 2
	vm "$T/out" "$T/err" /dev/null "$@"
	is "$status" 2 "$d: exit status 2"
	is "$(lines "$T/err")" 1 "$d: one line on stderr" || diag_file stderr "$T/err"
	like "$(sed -n 1p "$T/err")" "gdbvmm: $re" "$d: the error line"
	is "$(wc -c <"$T/out")" 0 "$d: nothing on stdout"
}

# --- usage --------------------------------------------------------------------

usage_error "no arguments" "no guest image given"
usage_error "unknown long option" ".*--bogus.*" --bogus guests/hello.bin
usage_error "unknown short option" ".*-q.*" -q guests/hello.bin
usage_error "--memory without its argument" ".*(-m|--memory).*" guests/hello.bin --memory
usage_error "--memory 2T" ".*'2T'.*" --memory 2T guests/hello.bin
usage_error "--memory abc" ".*'abc'.*" --memory abc guests/hello.bin
usage_error "--memory 1M (below the minimum)" ".*'1M'.*" --memory 1M guests/hello.bin
usage_error "--irqchip maybe" ".*'maybe'.*" --irqchip maybe guests/hello.bin
usage_error "--timeout abc" ".*'abc'.*" --timeout abc guests/hello.bin
usage_error "--smp 0" ".*--smp.*'0'.*" --smp 0 guests/hello.bin
usage_error "--smp 256" ".*--smp takes 1\.\.255.*'256'.*" --smp 256 guests/hello.bin
usage_error "--smp two" ".*'two'.*" --smp two guests/hello.bin

# --- images -------------------------------------------------------------------

one_line_error "missing file" "$T/nonexistent\\.bin: .*No such file.*" "$T/nonexistent.bin"
one_line_error "a directory" "guests: .*regular file.*" guests
: >"$T/empty.bin"
one_line_error "an empty file" "$T/empty\\.bin: .*empty.*" "$T/empty.bin"

# A flat image may be 0xF000 bytes (the window's top 4 KiB is the stack).
head -c $((0xF001)) /dev/zero >"$T/f001.bin"
one_line_error "flat image of 0xF001 bytes" "$T/f001\\.bin: .*61441.*" "$T/f001.bin"
{ printf '\364'; head -c $((0xF000 - 1)) /dev/zero; } >"$T/f000.bin" # hlt, then zeros
vm "$T/out" "$T/err" /dev/null "$T/f000.bin"
is "$status" 0 "flat image of 0xF000 bytes (hlt first): runs, status 0"
is "$(cat "$T/err" "$T/out" | wc -c)" 0 "flat image of 0xF000 bytes: no output at all"

# Truncated kernels: dbg.elf's program headers end at byte 116, its
# segment starts at 0x1000.
for n in 100 1000; do
	head -c $n guests/dbg.elf >"$T/dbg-$n.elf"
	one_line_error "dbg.elf cut to $n bytes" "$T/dbg-$n\\.elf: .*" "$T/dbg-$n.elf"
	like "$(cat "$T/err")" ".*(truncated|past the end|shorter|cut short|malformed).*" \
		"dbg.elf cut to $n bytes: the line says the ELF is cut short"
done

# An ELF32 without a Multiboot header: dbg.elf with its magic zeroed.
off=$(grep -obUaP '\x02\xb0\xad\x1b' guests/dbg.elf | head -n1 | cut -d: -f1)
if [ -n "$off" ]; then
	cp guests/dbg.elf "$T/nomb.elf"
	printf '\0\0\0\0' | dd of="$T/nomb.elf" bs=1 seek="$off" conv=notrunc status=none
	one_line_error "ELF32 without a Multiboot header" "$T/nomb\\.elf: .*Multiboot.*" "$T/nomb.elf"
else
	fail "the Multiboot magic is in guests/dbg.elf"
fi

one_line_error "a flat image and a Multiboot kernel together" ".*flat.*" \
	guests/hello.bin guests/dbg.elf

# --- a Linux kernel: what only it takes, and what it needs ---------------------
# A bzImage's setup header alone (Linux's boot protocol 2.15: the fields
# gdbvmm reads), enough for every check before the kernel would run.
fake_bzimage() { # FILE VERSION
	python3 - "$1" "$2" <<'PY'
import struct, sys
d = bytearray(0x2000)
d[0x1f1] = 1                                   # setup_sects
struct.pack_into('<H', d, 0x1fe, 0xaa55)
d[0x201] = 0x6a                                # header length past 0x202
d[0x202:0x206] = b'HdrS'
struct.pack_into('<H', d, 0x206, int(sys.argv[2], 16))
d[0x211] = 1                                   # LOADED_HIGH
struct.pack_into('<I', d, 0x22c, 0x7fffffff)   # initrd_addr_max
struct.pack_into('<I', d, 0x230, 0x200000)     # kernel_alignment
d[0x234] = 1                                   # relocatable
struct.pack_into('<H', d, 0x236, 3)            # XLF_KERNEL_64, above 4G
struct.pack_into('<I', d, 0x238, 2047)         # cmdline_size
struct.pack_into('<Q', d, 0x258, 0x1000000)    # pref_address
struct.pack_into('<I', d, 0x260, 0x400000)     # init_size
open(sys.argv[1], 'wb').write(d)
PY
}
fake_bzimage "$T/bzImage" 0x20f
fake_bzimage "$T/old-bzImage" 0x20a
one_line_error "--smp with a flat image" "--smp needs a Linux kernel \\(bzImage or vmlinux\\).*" \
	--smp 2 guests/hello.bin
one_line_error "--initrd with a Multiboot kernel" "--initrd needs a Linux kernel.*" \
	--initrd "$T/bzImage" guests/hello-mb.elf
one_line_error "a Linux kernel and another image" "a Linux kernel must be the only image; .*" \
	"$T/bzImage" guests/hello.bin
one_line_error "a Linux kernel, initrd missing" "$T/bzImage: initrd $T/none\\.cpio: No such file or directory" \
	--initrd "$T/none.cpio" "$T/bzImage"
one_line_error "a Linux kernel in 16 MiB" "$T/bzImage: a Linux kernel needs at least 32 MiB of RAM \\(-m\\)" \
	-m 16M "$T/bzImage"
one_line_error "a Linux kernel without the in-kernel irqchip" "a Linux kernel needs the in-kernel interrupt controller.*" \
	--irqchip=off "$T/bzImage"
one_line_error "a bzImage older than boot protocol 2.12" "$T/old-bzImage: bzImage boot protocol 2\\.10: gdbvmm needs 2\\.12 or later.*" \
	"$T/old-bzImage"
one_line_error "a command line longer than the kernel takes" "$T/bzImage: command line is 3000 bytes; this kernel takes 2047" \
	--append "$(printf '%3000s' '' | tr ' ' x)" "$T/bzImage"

# --- no usable /dev/kvm: a private mount namespace with an empty /dev ------
# With the lane refused (GDBVMM_LANE=off): the one line of before. What
# happens without the refusal is tests/guests/lane.t.

if unshare -m true 2>/dev/null; then
	GDBVMM_LANE=off timeout -s KILL "$GUEST_TIMEOUT" unshare -m sh -c \
		'mount -t tmpfs none /dev && exec "$0" guests/hello.bin' "$GDBVMM" \
		</dev/null >"$T/out" 2>"$T/err"
	status=$?
	is "$status" 2 "no /dev/kvm: exit status 2"
	is "$(lines "$T/err")" 1 "no /dev/kvm: one line on stderr" || diag_file stderr "$T/err"
	like "$(cat "$T/err")" "gdbvmm: /dev/kvm: .*" "no /dev/kvm: the line names /dev/kvm"
	is "$(wc -c <"$T/out")" 0 "no /dev/kvm: nothing on stdout"
else
	for i in 1 2 3 4; do skip "unshare not permitted"; done
fi

# --- --help and --version ----------------------------------------------------

vm "$T/out" "$T/err" /dev/null --help
is "$status" 0 "--help: exit status 0"
is "$(wc -c <"$T/err")" 0 "--help: nothing on stderr"
missing=
for o in help version verbose memory stats irqchip append timeout gdb wait-gdb lane no-lane; do
	# an option line: "  -m, --memory SIZE   ..." or "      --stats   ..."
	grep -Eq -- "^ +(-[a-zA-Z], )?--$o( |\$)" "$T/out" || missing="$missing --$o"
done
is "$missing" "" "--help lists every long option"

vm "$T/out" "$T/err" /dev/null --version
is "$status" 0 "--version: exit status 0"
like "$(cat "$T/out")" "gdbvmm [0-9]+\\.[0-9]+\\.[0-9]+" "--version prints 'gdbvmm X.Y.Z'"
is "$(lines "$T/out")" 1 "--version: one line"
is "$(wc -c <"$T/err")" 0 "--version: nothing on stderr"

done_testing
