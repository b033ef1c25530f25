#!/bin/bash
# tests/gdb/listen.t: where the gdb server listens: loopback only, QEMU's -s -S on 127.0.0.1:1234, --gdb HOST:PORT and unix:PATH, --wait-gdb, and a bad spec refused in one line with status 2.
#
# The fixed port 1234 of `-s` would collide with anything else on this
# machine, so that part runs in a network namespace of its own
# (unshare -n, root only) where 1234 is surely free.
. "$(dirname "$0")/lib.sh"

ELF=guests/dbg.elf

# --- loopback only ---------------------------------------------------------------
vmm_start --wait-gdb "$ELF" || { done_testing; exit 1; }
like "$(cat "$T/vm.err")" '^gdbvmm: gdb server on 127\.0\.0\.1:[0-9]+, waiting for gdb before the first instruction$' \
	"--wait-gdb (the long -S) waits for gdb"
if command -v ss >/dev/null; then
	# every listening TCP socket on that port, whatever its address
	lst=$(ss -Hltn "sport = :$PORT")
	like "$lst" "^LISTEN .* 127\\.0\\.0\\.1:$PORT " "ss -ltn: gdbvmm listens on 127.0.0.1:$PORT"
	unlike "$lst" '(0\.0\.0\.0|\*|\[::\]):[0-9]+ ' "ss -ltn: it listens on no wildcard address"
else
	fail "ss is installed (iproute2) to check the listening address"
fi
gdb_run "file $ELF" "$(connect)" 'p $pc' 'kill'
like "$GDB_OUT" '^\$1 = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <_start>$' "gdb connects to 127.0.0.1:PORT"
vmm_wait 10
is "$VM_STATUS" 0 "kill ends it with status 0"

# --- -s -S: QEMU's spelling, 127.0.0.1:1234 ---------------------------------------------
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v ip >/dev/null &&
	unshare -n true 2>/dev/null; then
	out=$(unshare -n bash -c '
		ip link set lo up || exit 1
		"$1" -s -S "$2" </dev/null >/dev/null 2>"$3/s.err" &
		vm=$!
		for i in $(seq 100); do grep -q "gdb server on" "$3/s.err" && break; sleep 0.05; done
		ss -Hltn
		timeout -s KILL 30 "$4" -batch -nx -ex "file $2" -ex "target remote :1234" \
			-ex "info threads" -ex kill </dev/null 2>&1
		wait $vm
		echo "STATUS $?"' - "$GDBVMM" "$ELF" "$T" "$GDB" 2>&1)
	like "$(cat "$T/s.err")" '^gdbvmm: gdb server on 127\.0\.0\.1:1234, waiting for gdb before the first instruction$' \
		"-s -S: 127.0.0.1:1234, waiting before the first instruction"
	like "$out" '^LISTEN .* 127\.0\.0\.1:1234 ' "-s: ss shows 127.0.0.1:1234"
	like "$out" '^\* 1    Thread 1 \(vCPU 0 dbg\.elf, protected mode\) _start \(\) at guests/lib/entry32\.S:[0-9]+$' \
		"-s -S: gdb's target remote :1234 finds the vCPU at _start"
	like "$out" '^STATUS 0$' "-s -S: kill ends gdbvmm with status 0"
else
	skip "-s -S on port 1234: needs root and unshare -n for a private port space"
fi

# --- --gdb unix:PATH ---------------------------------------------------------------
sock=$T/gdb.sock
VM_LISTEN=unix:$sock vmm_start -S "$ELF" || { done_testing; exit 1; }
like "$(cat "$T/vm.err")" "^gdbvmm: gdb server on unix:$sock, waiting for gdb before the first instruction\$" \
	"--gdb unix:PATH says where it listens"
ok "--gdb unix:PATH: the socket exists" test -S "$sock"
gdb_run "file $ELF" "target remote $sock" 'hbreak step' 'continue' 'kill'
like "$GDB_OUT" '^Breakpoint 1, step \(i=0\) at guests/dbg\.c:[0-9]+$' "gdb's target remote PATH: a session over the unix socket"
vmm_wait 10
is "$VM_STATUS" 0 "unix socket: kill ends gdbvmm with status 0"
ok "unix socket: the socket file is removed at the end" test ! -e "$sock"

# --- bad specs ---------------------------------------------------------------------
for spec in nonsense 127.0.0.1:99999 unix:; do
	timeout -s KILL 10 "$GDBVMM" --gdb "$spec" "$ELF" </dev/null >"$T/bad.out" 2>"$T/bad.err"
	st=$?
	is "$st" 2 "--gdb $spec: status 2"
	is "$(wc -l <"$T/bad.err" | tr -d ' ')" 1 "--gdb $spec: one line on stderr" ||
		diag_text stderr "$(cat "$T/bad.err")"
	like "$(cat "$T/bad.err")" "^gdbvmm: .*$(printf '%s' "$spec" | sed 's/[.]/\\./g')" "--gdb $spec: the line names the spec"
	ok "--gdb $spec: the guest did not run" test ! -s "$T/bad.out"
done

done_testing
