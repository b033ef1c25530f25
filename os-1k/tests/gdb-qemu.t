#!/bin/sh
# os-1k/tests/gdb-qemu.t: drives gdb -batch with os-1k/gdbinit against QEMU's gdb stub: source lines, locals, process table, page directory; prints TAP.
set -u
cd "$(dirname "$0")/../.." || exit 1
kernel=os-1k/kernel.elf

if [ ! -f "$kernel" ]; then
	echo "1..0 # SKIP $kernel not built (make os-1k/kernel.elf)"
	exit 0
fi
for tool in qemu-system-i386 gdb; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool not installed"
		exit 0
	fi
done

tmp=$(mktemp -d)
qpid=
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# Stopped at the first instruction (-S) until gdb says continue; the shell
# then reads "both", starts two spin processes and calls ps: the breakpoint
# in the kernel's ps system call hits with three processes besides idle.
printf 'both\n0\n' > "$tmp/in"
timeout 120 qemu-system-i386 -accel tcg -kernel "$kernel" -display none -serial stdio \
	-device isa-debug-exit,iobase=0xf4,iosize=4 -no-reboot -m 128 \
	-chardev socket,id=gdb,path="$tmp/gdb.sock",server=on,wait=off -gdb chardev:gdb -S \
	< "$tmp/in" > "$tmp/console" 2>&1 &
qpid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ -S "$tmp/gdb.sock" ] && break
	sleep 0.5
done

timeout 120 gdb -batch -nx -x os-1k/gdbinit \
	-ex "target remote $tmp/gdb.sock" \
	-ex 'break sys_ps' -ex continue \
	-ex 'up 2' -ex 'print tf->eax' -ex 'print cur->name' \
	-ex os1k-ps -ex os1k-pgdir -ex 'os1k-pgdir 2' \
	-ex 'os1k-user sh' -ex 'info symbol 0x400000' \
	-ex kill > "$tmp/gdb" 2>&1

n=0
check() {   # check DESCRIPTION EXTENDED-REGEX
	n=$((n + 1))
	if grep -Eq -- "$2" "$tmp/gdb"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		echo "# no line matches: $2"
		sed 's/^/# /' "$tmp/gdb"
	fi
}

echo "1..10"
check "breakpoint in the kernel shows its source line" '^Breakpoint 1, sys_ps \(.*\) at os-1k/proc\.c:[0-9]+'
check "a local of trap(): the system call number (SYS_PS = 9)" '^\$1 = 9$'
check "kernel data: cur->name" '^\$2 = "sh"'
check "os1k-ps: idle" '^ +0 +0 +0 +runnable +idle '
check "os1k-ps: the shell runs, and is current" '^ +1 +1 +0 +running +sh .*<- cur$'
check "os1k-ps: the two spinners wait for their turn" '^ +3 +3 +1 +runnable +spin '
check "os1k-pgdir SLOT: another process's page directory" '^pid 2 \(spin\): page directory at 0x8[0-9a-f]{7}, CR3 0x0[0-9a-f]{7}$'
check "os1k-pgdir: user pages" '^  0x00400000  0x[0-9a-f]{8}  pwu$'
check "os1k-pgdir: the kernel half, shared" '^  and 0x80000000 up: 64 page tables of the kernel, shared by all$'
check "os1k-user: user program symbols" '^_start in section \.text of .*build/os-1k/user/sh\.elf'
