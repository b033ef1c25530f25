#!/usr/bin/env bash
# tests/hostile/security.t: the stub listens on loopback unless told otherwise, and no code path runs a program or opens a file named by a client or a guest.
#
# Two kinds of checks. In the sources (vmm/, gdbstub/): no call that runs
# a program (system, popen, exec*, posix_spawn, fork, dlopen), and every
# call that opens, creates or removes a file is one of a known few whose
# name comes from the command line or is fixed. In a running monitor,
# under strace: a client asks for files and commands every way the
# protocol has (vFile, qXfer:exec-file, monitor shell, !), a guest prints
# a path; not one open, exec or unlink follows the start.
. "$(dirname "$0")/../gdb/lib.sh"

SRC=(vmm/*.c gdbstub/*.c)

# ---- sources ------------------------------------------------------------------------
# The one exception is the lane (README.md, "Without /dev/kvm"): without a
# usable /dev/kvm, vmm/lane_boot.c runs qemu-system-x86_64 and the setup script
# next to the binary (fixed names, never from a client or a guest), and
# inside the lane's VM vmm/lane_relay.c runs this same binary again.
m=$(grep -nE '\b(system|popen|execl|execlp|execle|execv|execvp|execve|execvpe|fexecve|posix_spawnp?|fork|vfork|clone|dlopen)[[:space:]]*\(' "${SRC[@]}" |
	grep -vE '^vmm/lane_boot\.c:[0-9]+:	(pid_t pid = fork\(\);|execvp\(argv\[0\], argv\);)$' |
	grep -vE '^vmm/lane_relay\.c:[0-9]+:	+(pid_t child = fork\(\);|execv\("/proc/self/exe", argv \+ 3\);)$')
is "$m" "" "no call in vmm/ or gdbstub/ runs a program (system, popen, exec*, posix_spawn, fork, dlopen), but the lane's qemu, setup and inner gdbvmm"

# Every file-system call, and why it is there. A new one fails this test
# until it is listed here with its reason.
allowed=(
	'vmm/vm.c:open("/dev/kvm"'            # fixed name
	'vmm/loader.c:open(path'              # the image named on the command line
	'vmm/linux.c:open(path'               # --initrd FILE, named on the command line
	'gdbstub/conn.c:unlink(s->spec.path)' # --gdb unix:PATH, ours at close
	'gdbstub/conn.c:unlink(l->path)'      # --gdb unix:PATH, a stale socket (lstat: S_ISSOCK)
	# the lane (vmm/lane.c, vmm/lane_boot.c), only without a usable /dev/kvm: its private
	# temp dir (mkdtemp) with the control share, qemu's log and console;
	# the failure log in its cache dir; /dev/null for qemu and setup
	'vmm/lane_boot.c:open("/dev/null"'
	'vmm/lane_boot.c:open(errpath'             # <temp dir>/qemu.err
	'vmm/lane_boot.c:fopen(path'               # <temp dir>/ctl/{params,cmd,status}
	'vmm/lane_boot.c:fopen(dst'                # <cache>/last-failure.log
	'vmm/lane_boot.c:fopen(src'                # <temp dir>/{console,qemu.err}, copied there
	'vmm/lane_boot.c:unlink(path)'             # the temp dir's files, at the end
	'vmm/lane_boot.c:unlink(l->gdb_spec.path)' # --gdb unix:PATH, ours at the end
	'vmm/lane_boot.c:rmdir(path)'              # <temp dir>/ctl
	'vmm/lane_boot.c:rmdir(l->dir)'            # the temp dir
	'vmm/lane.c:mkdir(path'               # <temp dir>/ctl
	# inside the lane's VM (vmm/lane_relay.c): the fixed port devices
	# /dev/virtio-ports/gdbvmm.*, and /proc/net/tcp (is the stub up?)
	'vmm/lane_relay.c:open(path'
	'vmm/lane_relay.c:fopen("/proc/net/tcp"'
)
fs=$(grep -noE '\b(open|openat|fopen|freopen|creat|unlink|unlinkat|rename|renameat|mkdir|rmdir|truncate|chmod|chown|symlink|link|mkfifo|mknod)[[:space:]]*\([^,;]*' "${SRC[@]}" |
	sed -E 's/:[0-9]+:/:/')
unexpected=
while IFS= read -r call; do
	[ -n "$call" ] || continue
	known=no
	for a in "${allowed[@]}"; do
		[ "${call#"$a"}" != "$call" ] && known=yes
	done
	[ $known = yes ] || unexpected="$unexpected$call"$'\n'
done <<<"$fs"
is "$unexpected" "" "every open/unlink/... in vmm/ and gdbstub/ is a known one (the image, /dev/kvm, the unix socket)"

# ---- loopback by default ---------------------------------------------------------------
for spec in 0 :0 tcp::0 127.0.0.1:0; do
	VM_LISTEN=$spec vmm_start tests/hostile/guests/spin.bin || continue
	like "$(cat "$T/vm.err")" '^gdbvmm: gdb server on 127\.0\.0\.1:[0-9]+$' "--gdb $spec listens on 127.0.0.1"
	if command -v ss >/dev/null; then
		l=$(ss -Hltn "sport = :$PORT" 2>/dev/null | awk '{ print $4 }')
		is "$l" "127.0.0.1:$PORT" "--gdb $spec: the socket is bound to loopback only (ss: $l)"
	else
		skip "no ss to look at the socket"
	fi
	kill "$VM_PID" 2>/dev/null
	vmm_wait 5
done
like "$("$GDBVMM" --help)" '127\.0\.0\.1' "--help says the default host is 127.0.0.1"
like "$(cat README.md)" 'loopback only unless you give a host' "README.md says the stub listens on loopback by default"
like "$(cat README.md)" 'anyone who\s*$|anyone who can reach the port controls the guest' \
	"README.md says what exposing the port means"

# ---- a running monitor, under strace ------------------------------------------------------
if ! command -v strace >/dev/null; then
	skip "no strace (apt-get install strace)"
	done_testing
	exit
fi
touch "$T/victim"
GDBVMM_REAL=$GDBVMM
# (LeakSanitizer cannot work under ptrace: a sanitizer build runs without it here)
cat >"$T/traced" <<EOS
#!/bin/sh
ASAN_OPTIONS=\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS
exec strace -f -qq -o $T/strace.log -e trace=execve,execveat,open,openat,openat2,creat,unlink,unlinkat,rename,renameat,renameat2,truncate,chmod,fchmodat,mkdir,mkdirat,symlink,symlinkat,link,linkat $GDBVMM_REAL "\$@"
EOS
chmod +x "$T/traced"
GDBVMM=$T/traced
if vmm_start tests/hostile/guests/spin.bin; then
	started=$(wc -l <"$T/strace.log")
	hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
	gdb_run "$(connect)" \
		"remote get $T/victim $T/fetched" \
		"remote put /etc/hostname $T/victim" \
		"remote delete $T/victim" \
		'info proc' 'info sharedlibrary' \
		"monitor shell touch $T/pwned" "monitor !touch $T/pwned" "monitor exec /bin/true" \
		"monitor pagewalk \`touch $T/pwned\`" "monitor info $T/victim" \
		"maint packet vFile:open:$(hex "$T/victim"),0,0" \
		"maint packet vFile:unlink:$(hex "$T/victim")" \
		"maint packet vFile:setfs:0" \
		"maint packet qXfer:exec-file:read:1:0,ffb" \
		"maint packet qXfer:features:read:$(hex "$T/victim"):0,ffb" \
		"maint packet qXfer:features:read:../../../../etc/passwd:0,ffb" \
		'maint packet !' "maint packet vRun;$(hex /bin/sh)" 'maint packet QEnvironmentHexEncoded:5348454c4c3d2f62696e2f7368' \
		'detach'
	healthy "the hostile session stayed healthy"
	like "$GDB_OUT" '^unknown monitor command: shell touch' "monitor shell ...: an unknown command, nothing run"
	like "$GDB_OUT" 'Remote I/O error|Operation not supported|not supported|Could not' "remote get/put/delete: refused"
	like "$(cat "$T/strace.log")" 'open.*"/dev/kvm"' "strace sees the monitor's own opens (it traces)"
	sleep 0.5
	after=$(tail -n +"$((started + 1))" "$T/strace.log" | grep -vE '^[0-9]+ +(\+\+\+|---)')
	is "$after" "" "after the start, not one exec, open, unlink, rename, ... (strace)"
	ok "the victim file is still there" test -f "$T/victim"
	ok "no command ran (no $T/pwned)" test ! -e "$T/pwned"
	ok "nothing was fetched from the host" test ! -s "$T/fetched"
	kill "$VM_PID" 2>/dev/null
	vmm_wait 5
	named=$(grep -E 'open|exec|unlink' "$T/strace.log" | grep -E 'victim|pwned|passwd|/bin/sh|/bin/true' | grep -v "^[0-9]* execve(\"$GDBVMM_REAL\"")
	is "$named" "" "no file or program a client named was opened or run, ever"
	if grep -qaE '__(asan|tsan|msan)_init' "$GDBVMM_REAL"; then
		skip "a sanitizer build opens its runtime's own files (shadow, symbolizer)"
	else
		opens=$(grep -E 'open' "$T/strace.log" | grep -vE '"/dev/kvm"|spin\.bin|\.so|ld\.so|/etc/ld|/proc/|/sys/|locale|gconv')
		is "$opens" "" "at start it opens /dev/kvm, the image and libraries, nothing else"
	fi
fi
GDBVMM=$GDBVMM_REAL

done_testing
