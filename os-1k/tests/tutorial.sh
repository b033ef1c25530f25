#!/bin/bash
# os-1k/tests/tutorial.sh: replays the gdb session of docs/debugging-os-1k.md and prints its transcript; needs a KVM with 32-bit paging (tests/vmlane/run os-1k/tests/tutorial.sh on kvm-pvm hosts).
#
# gdb reads the commands below, each echoed as "(gdb) COMMAND" before it
# runs; what a user would type into gdbvmm's terminal goes through a fifo
# and shows as "[console] TEXT". Then the console itself and gdbvmm's
# exit status are printed.
set -u
cd "$(dirname "$0")/../.." || exit 1

OUT=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null; kill "$VMM_PID" 2>/dev/null; rm -rf "$OUT"' EXIT
FIFO=$OUT/console
mkfifo "$FIFO"
./gdbvmm -s -S os-1k/kernel.elf < "$FIFO" > "$OUT/console.out" 2> "$OUT/vmm.err" &
VMM_PID=$!
exec 3> "$FIFO"
for _ in $(seq 50); do
	grep -q 'gdb server on' "$OUT/vmm.err" && break
	sleep 0.1
done

# The session: gdb commands, and "> TEXT" for a line typed on the console.
session='break kmain
continue
bt
next
next
break proc_spawn
continue
print name
print procs[0]
delete
break sys_spawn
> gcd
continue
x/s name
finish
delete
break proc_syscall if cur->pid == $
continue
delete
os1k-ps
os1k-user gcd
break gcd.c:25
> 48 18
continue
info locals
bt
next
next
print x
print y
delete
watch ticks
continue
delete
info threads
monitor info
> 0
continue'

while IFS= read -r line; do
	case $line in
	'> '*)
		text=${line#> }
		printf 'echo [console] %s\\n\n' "$text"
		printf 'shell printf '\''%s\\n'\'' > %s\n' "$text" "$FIFO" ;;
	*)
		printf 'echo (gdb) %s\\n\n' "$line"
		printf '%s\n' "$line" ;;
	esac
done <<< "$session" > "$OUT/cmds"

timeout 300 gdb -batch -x gdbinit -x "$OUT/cmds" 2>&1
exec 3>&-
for _ in $(seq 50); do kill -0 "$VMM_PID" 2>/dev/null || break; sleep 0.1; done
wait "$VMM_PID"
echo "[gdbvmm exited with status $?]"
echo "[console]"
cat "$OUT/console.out"
