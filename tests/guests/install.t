#!/bin/bash
# tests/guests/install.t: make install into a temporary DESTDIR gives the expected files, a working gdbvmm and a readable gdbvmm(1); make uninstall takes exactly them away.
#
# (a) make install DESTDIR=D: the three files (monitor, man page, gdbinit)
#     at their GNU places under PREFIX, with their modes, nothing else.
# (b) the installed monitor: --version and --help as the built one's, and
#     it runs guests/hello.bin.
# (c) man -l on the installed page: no groff warning, the sections, every
#     long option of --help, the console keys, gdbinit's installed path;
#     and gdb -x that gdbinit, outside the tree, debugs guests/dbg.elf.
# (d) PREFIX and a single directory variable move the files; the
#     INSTALL_LIBEXEC hook installs and uninstalls a helper.
# (e) make uninstall: nothing of gdbvmm is left; a file of someone else's
#     in the same directories stays.
. "$(dirname "$0")/lib.sh"

# The build this test installs from: a make of its own, not whatever make
# (and jobserver) started the test.
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s "$@" >"$T/make.out" 2>&1
}

# files ROOT: every file under ROOT, as "MODE PATH" relative to it, sorted.
files() { (cd "$1" && find . -type f -printf '%m %P\n' | LC_ALL=C sort); }

D=$T/root

# --- (a) the files ------------------------------------------------------------------

mk install DESTDIR="$D"
is "$?" 0 "make install DESTDIR=...: status 0" || diag_file "make" "$T/make.out"
is "$(files "$D")" "$(printf '%s\n' \
	'644 usr/local/share/gdbvmm/gdbinit' \
	'644 usr/local/share/man/man1/gdbvmm.1' \
	'755 usr/local/bin/gdbvmm' \
	'755 usr/local/libexec/gdbvmm/init' \
	'755 usr/local/libexec/gdbvmm/setup')" \
	"make install: bin/gdbvmm, man1/gdbvmm.1, gdbvmm/gdbinit, the lane's libexec/gdbvmm/{init,setup} under /usr/local, nothing else"
ok "make install: gdbinit is the repository's" cmp -s gdbinit "$D/usr/local/share/gdbvmm/gdbinit"

# --- (b) the installed monitor ------------------------------------------------------------

bin=$D/usr/local/bin/gdbvmm
is "$("$bin" --version 2>&1)" "$(./gdbvmm --version 2>&1)" "installed gdbvmm --version: as the built one"
like "$("$bin" --version 2>&1)" "gdbvmm [0-9]+\\.[0-9]+\\.[0-9]+" "installed gdbvmm --version: gdbvmm X.Y.Z"
"$bin" --help >"$T/help" 2>&1
is "$?" 0 "installed gdbvmm --help: status 0"
help_parts() {
	grep -q '^Usage: gdbvmm ' "$T/help" && grep -q '^Options:' "$T/help" &&
		grep -q 'Ctrl-A, then' "$T/help" && grep -q '^Exit status' "$T/help"
}
ok "installed gdbvmm --help: usage, options, console keys, exit statuses" help_parts
GDBVMM=$bin vm "$T/out" "$T/err" /dev/null guests/hello.bin
is "$status" 0 "installed gdbvmm runs guests/hello.bin: status 0" || diag_file stderr "$T/err"
is "$(cat "$T/out")" "Hello, KVM!" "installed gdbvmm runs guests/hello.bin: Hello, KVM!"

# --- (c) the man page --------------------------------------------------------------------

page=$D/usr/local/share/man/man1/gdbvmm.1
if ! command -v man >/dev/null; then
	for i in $(seq 8); do skip "man missing (man-db: tests/deps.sh)"; done
else
	MANWIDTH=80 MANPAGER=cat man --warnings -l "$page" >"$T/man" 2>"$T/man.err"
	is "$?" 0 "man -l gdbvmm.1: status 0"
	is "$(cat "$T/man.err")" "" "man -l gdbvmm.1: no groff warnings"
	like "$(head -n 1 "$T/man")" 'GDBVMM\(1\) +User Commands +GDBVMM\(1\)' "man -l: the header GDBVMM(1) User Commands"
	ok "man -l: NAME says what gdbvmm is" grep -Eq '^ +gdbvmm - run small x86 guests on KVM' "$T/man"
	missing=
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS 'CONSOLE KEYS' 'EXIT STATUS' FILES EXAMPLES 'SEE ALSO'; do
		grep -q "^$s\$" "$T/man" || missing="$missing '$s'"
	done
	is "$missing" "" "man -l: every section"
	# the same options as --help: one text makes both (vmm/help.c)
	missing= n=0
	for o in $(grep -Eo -- '^ +(-[a-zA-Z], )?--[a-z-]+' "$T/help" | grep -Eo -- '--[a-z-]+'); do
		n=$((n + 1))
		grep -Eq -- "^ +(-[a-zA-Z], )?$o( |\$)" "$T/man" || missing="$missing $o"
	done
	is "$missing" "" "man -l: every long option --help lists ($n)"
	ok "man -l: the console keys and Ctrl-A x's status" \
		grep -Eq '^ +x +quit gdbvmm \(exit status 0' "$T/man"
	ok "man -l: FILES names the installed gdbinit" grep -Eq '^ +/usr/local/share/gdbvmm/gdbinit$' "$T/man"
fi

# The installed gdbinit, from a directory with no source tree: gdb -x it,
# on a machine waiting on a port of the kernel's choosing.
if ! command -v gdb >/dev/null; then
	skip "gdb missing (tests/deps.sh)"
else
	timeout -s KILL "$GUEST_TIMEOUT" "$bin" --gdb 127.0.0.1:0 -S guests/dbg.elf \
		</dev/null >"$T/vm.out" 2>"$T/vm.err" &
	vm_pid=$!
	port=
	for i in $(seq 100); do
		port=$(sed -n 's/^gdbvmm: gdb server on 127\.0\.0\.1:\([0-9]*\),.*/\1/p' "$T/vm.err")
		[ -z "$port" ] || break
		sleep 0.1
	done
	repo=$PWD
	(cd "$T" && GDBVMM_PORT=$port timeout -s KILL "$GUEST_TIMEOUT" gdb -nx -batch \
		-x "$D/usr/local/share/gdbvmm/gdbinit" -ex 'hbreak kmain' -ex continue -ex kill \
		"$repo/guests/dbg.elf") >"$T/gdb.out" 2>&1
	wait "$vm_pid"
	ok "gdb -x the installed gdbinit, outside the source tree: connects, stops at kmain" \
		grep -q '^Breakpoint 1, kmain ' "$T/gdb.out" || diag_file gdb "$T/gdb.out"
fi

# --- (d) other directories -----------------------------------------------------------------

D2=$T/root2
mk install DESTDIR="$D2" PREFIX=/opt/gv MANDIR=/opt/man
is "$(files "$D2")" "$(printf '%s\n' \
	'644 opt/gv/share/gdbvmm/gdbinit' \
	'644 opt/man/man1/gdbvmm.1' \
	'755 opt/gv/bin/gdbvmm' \
	'755 opt/gv/libexec/gdbvmm/init' \
	'755 opt/gv/libexec/gdbvmm/setup')" "PREFIX=/opt/gv MANDIR=/opt/man: the files follow" || diag_file make "$T/make.out"
ok "PREFIX=/opt/gv: the page names /opt/gv/share/gdbvmm/gdbinit" \
	grep -q '^\.I /opt/gv/share/gdbvmm/gdbinit$' "$D2/opt/man/man1/gdbvmm.1"
mk uninstall DESTDIR="$D2" PREFIX=/opt/gv MANDIR=/opt/man
is "$(files "$D2")" "" "PREFIX=/opt/gv MANDIR=/opt/man: uninstall with the same variables leaves no file"

# The hook for helper programs (vmm/install.mk): any file will do here.
D3=$T/root3
mk install DESTDIR="$D3" INSTALL_LIBEXEC=tests/guests/lib.sh
ok "INSTALL_LIBEXEC: a helper goes to libexec/gdbvmm/, mode 755" \
	grep -qx '755 usr/local/libexec/gdbvmm/lib.sh' <(files "$D3")
mk uninstall DESTDIR="$D3" INSTALL_LIBEXEC=tests/guests/lib.sh
ok "INSTALL_LIBEXEC: uninstall removes it and libexec/gdbvmm/" \
	test -z "$(files "$D3")" -a ! -e "$D3/usr/local/libexec/gdbvmm"

# --- (e) uninstall --------------------------------------------------------------------------

echo other >"$D/usr/local/bin/other"
echo other >"$D/usr/local/share/man/man1/other.1"
mk uninstall DESTDIR="$D"
is "$?" 0 "make uninstall: status 0" || diag_file make "$T/make.out"
is "$(files "$D")" "$(printf '%s\n' '644 usr/local/bin/other' '644 usr/local/share/man/man1/other.1')" \
	"make uninstall: gdbvmm's files are gone, others' files stay"
ok "make uninstall: gdbvmm's own directory is gone" test ! -e "$D/usr/local/share/gdbvmm"
mk uninstall DESTDIR="$D"
is "$?" 0 "make uninstall again: nothing to remove, status 0"

done_testing
