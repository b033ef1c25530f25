#!/bin/bash
# tests/linux/boot.t: Linux under gdbvmm: a built kernel (bzImage and vmlinux) and Debian's own boot to a busybox shell on 1, 2 and 4 vCPUs, run commands, power off and reboot; a panic is one line and status 120; prints TAP.
#
# Needs a KVM that runs a Linux kernel: hardware KVM, or the VM lane
# (tests/linux/lane.t runs this there on other hosts).
. "$(dirname "$0")/lib.sh"

APPEND='console=ttyS0 nokaslr'

# shell_session LABEL N GDBVMM-ARGS...: boots, checks nproc and uname,
# powers off.
shell_session() {
	local label=$1 n=$2
	shift 2
	linux_boot --smp "$n" -m 256M --initrd "$INITRD" "$@"
	linux_ready "$label: boots to the shell" || { linux_end 1; return; }
	linux_cmd nproc
	is "$OUT" "$n" "$label: nproc prints $n"
	linux_cmd 'uname -sr'
	like_line "$OUT" '^Linux 6\.1\.' "$label: uname -sr prints Linux 6.1"
	linux_cmd 'grep -c ^processor /proc/cpuinfo'
	is "$OUT" "$n" "$label: /proc/cpuinfo lists $n processors"
	linux_send poweroff
	linux_end 60
	is "$VM_STATUS" 0 "$label: poweroff ends gdbvmm with status 0"
	like_line "$(console)" 'reboot: Power down' "$label: the kernel powered the machine down"
	is "$(cat "$T/err")" "" "$label: gdbvmm says nothing on stderr"
}

shell_session "bzImage, 1 vCPU" 1 --append "$APPEND" "$BZIMAGE"
shell_session "bzImage, 2 vCPUs, KASLR on" 2 --append 'console=ttyS0' "$BZIMAGE"
shell_session "bzImage, 4 vCPUs" 4 --append "$APPEND" "$BZIMAGE"
shell_session "vmlinux, 2 vCPUs" 2 --append "$APPEND" "$VMLINUX"

# Debian's kernel, the one users try first (the lane's setup fetched it).
DEBIAN=tests/vmlane/cache/vmlinuz
if [ -s "$DEBIAN" ]; then
	linux_boot --smp 2 -m 512M --initrd "$INITRD" --append "$APPEND quiet" "$DEBIAN"
	linux_ready "Debian's kernel, 2 vCPUs: boots to the shell"
	linux_cmd 'uname -r; nproc'
	like_line "$OUT" '^6\.1\..*-amd64$' "Debian's kernel: uname -r is Debian's"
	like_line "$OUT" '^2$' "Debian's kernel: nproc prints 2"
	linux_send poweroff
	linux_end 60
	is "$VM_STATUS" 0 "Debian's kernel: poweroff ends gdbvmm with status 0"
else
	fail "Debian's kernel is there ($DEBIAN, tests/vmlane/run sets it up)"
fi

# RAM past 3 GiB is above 4 GiB, the 3-4 GiB hole left to the APIC's MMIO
linux_boot -m 5G --initrd "$INITRD" --append "$APPEND" "$BZIMAGE"
linux_ready "-m 5G: boots to the shell"
linux_cmd "awk '/^MemTotal/ { print (\$2 > 4.5 * 1024 * 1024) ? \"over 4.5 GiB\" : \$2 \" kB\" }' /proc/meminfo"
is "$OUT" "over 4.5 GiB" "-m 5G: the kernel has all of it (MemTotal)"
linux_cmd "dmesg | grep -c 'BIOS-e820: \[mem 0x0000000100000000-0x000000017fffffff\] usable'"
is "$OUT" 1 "-m 5G: e820 puts 2 GiB above 4 GiB"
linux_send poweroff
linux_end 60
is "$VM_STATUS" 0 "-m 5G: poweroff ends gdbvmm with status 0"

# reboot: the kernel resets the machine through the FADT's reset register
linux_boot --smp 2 -m 256M --initrd "$INITRD" --append "$APPEND" "$BZIMAGE"
linux_ready "reboot: boots to the shell"
linux_send reboot
linux_end 60
is "$VM_STATUS" 0 "reboot ends gdbvmm with status 0"
like_line "$(console)" 'reboot: Restarting system' "reboot: the kernel restarted the machine"

# a panic: no init anywhere; the kernel tells pvpanic, gdbvmm says so
linux_boot -m 256M --append "$APPEND rdinit=/none init=/none" "$BZIMAGE"
linux_end 240
is "$VM_STATUS" 120 "a kernel panic ends gdbvmm with status 120"
like_line "$(console)" 'Kernel panic - not syncing' "the panic is on the console"
is "$(cat "$T/err")" "gdbvmm: vCPU 0 (bzImage): the guest kernel panicked (pvpanic)" \
	"gdbvmm says so in one line on stderr"

done_testing
