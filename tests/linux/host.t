#!/bin/bash
# tests/linux/host.t: the README's Linux command on this host, whatever its KVM: hardware KVM runs it, kvm-pvm and no KVM hand it to the nested VM with one line on stderr; --no-lane refuses there; prints TAP.
#
# The other Linux tests run inside the lane on such hosts (lane.t); this
# one is what a user on the host sees.
. "$(dirname "$0")/lib.sh"

# as make decides (tests/lib/host-kvm): a /dev/kvm that is not KVM's
# device (/dev/null bound over it, as in tests/guests/lane.t) is none
if TEST_LANE= tests/lib/host-kvm hardware; then
	host=hardware
elif TEST_LANE= tests/lib/host-kvm any && [ -e /sys/module/kvm_pvm ]; then
	host=kvm-pvm
else
	host=none
fi
diag "this host's KVM: $host"
case $host in
hardware) first='' ;;
kvm-pvm) first="^gdbvmm: the host's KVM is kvm-pvm, which cannot run a Linux kernel: running the machine in a nested KVM VM" ;;
none) first='^gdbvmm: no usable /dev/kvm: .*: running the machine in a nested KVM VM' ;;
esac

# The setup of the lane, the first time on this machine, takes a minute.
linux_boot --smp 2 -m 256M --initrd "$INITRD" --append 'console=ttyS0 nokaslr' "$BZIMAGE"
if linux_ready "$host: the README's command boots Linux to the shell" 400; then
	linux_cmd nproc
	is "$OUT" 2 "$host: nproc prints 2"
	linux_send poweroff
	linux_end 120
	is "$VM_STATUS" 0 "$host: poweroff ends gdbvmm with status 0"
else
	linux_end 1
fi
err=$(grep -v '^gdbvmm: setting up the nested VM once' "$T/err")
if [ -z "$first" ]; then
	is "$err" "" "$host: gdbvmm runs it on the host's KVM and says nothing on stderr"
else
	like_line "$err" "$first" "$host: one line on stderr says why and what happens instead"
	is "$(printf '%s\n' "$err" | wc -l)" 1 "$host: and only that line"
fi

# Refusing the nested VM: one line, status 2, at once.
if [ "$host" != hardware ]; then
	out=$(timeout 30 "$GDBVMM" --no-lane -m 256M --initrd "$INITRD" "$BZIMAGE" 2>&1 </dev/null)
	is "$?" 2 "$host: --no-lane: status 2"
	case $host in
	kvm-pvm) want="^gdbvmm: the host's KVM is kvm-pvm, which cannot run a Linux kernel \(and --no-lane" ;;
	none) want='^gdbvmm: /dev/kvm: ' ;;
	esac
	like_line "$out" "$want" "$host: --no-lane: one line says why"
	is "$(printf '%s\n' "$out" | wc -l)" 1 "$host: --no-lane: only that line"
fi
done_testing
