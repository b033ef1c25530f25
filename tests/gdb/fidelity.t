#!/bin/bash
# tests/gdb/fidelity.t: register fidelity: guests/fidelity.elf stopped at the same instructions under gdbvmm and under QEMU (TCG), every register gdb shows compared, each known difference checked to be what docs/rsp.md says it is.
#
# The guest (guests/fidelity.S) sets every register to a value of its own
# in four phases and stops at a label in each: fid_pm_stop (protected
# mode), fid_rm_stop (real mode), fid_pg_stop (32-bit paging), fid_lm_stop
# (long mode). At each stop both sides dump `info all-registers` and the
# 32 bytes of the FXSAVE image the guest stored of itself there; QEMU
# also `monitor info registers`, its only view of the hidden parts of the
# segment registers, the descriptor tables and the full x87 tag word.
#
# gdbvmm: guests/fidelity.elf (entered in protected mode, i386 registers)
# for pm, rm and pg; guests/fidelity64.elf (entered in long mode, x86-64
# registers) for lm. QEMU: guests/fidelity.elf through all four (its stub
# always serves x86-64 registers). Where this host's KVM cannot run 32-bit
# paging (kvm-pvm) every pg point says so as a SKIP.
#
# Each point compares one register, or one group, and prints both sides'
# values on failure. docs/rsp.md, "Registers compared with QEMU", lists
# what differs and why.
. "$(dirname "$0")/lib.sh"

QEMU=${QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null || { echo "Bail out! $QEMU not found (make test-deps)"; exit 1; }
ELF32=guests/fidelity.elf
ELF64=guests/fidelity64.elf
for f in "$ELF32" "$ELF64"; do
	[ -f "$f" ] || { echo "Bail out! $f not built (make)"; exit 1; }
done
# QEMU boots its BIOS, then the kernel, under TCG: slow in the VM lane.
GDB_TIMEOUT=${GDB_TIMEOUT:-240}
VM_TIMEOUT=${VM_TIMEOUT:-300}

# sym NAME: the address of a symbol of the guest (the same in both files).
sym() { "${NM:-nm}" "$ELF64" | awk -v s="$1" '$3 == s { print "0x" $1 }'; }

if tests/lib/host-kvm hardware; then
	PG=yes
else
	PG=
	PG_WHY="this host's KVM (kvm-pvm) cannot run 32-bit paging"
fi

# stop_cmds NAME [mon]: the gdb commands that run to fid_NAME_stop and
# dump what is compared, between markers; appended to the array C.
stop_cmds() {
	C+=("hbreak *$(sym "fid_$1_stop")" continue "echo @@stop $1\\n" 'info all-registers'
		'echo @@fx\n' "x/8xw $(sym "fid_fx_$1")")
	[ -z "${2:-}" ] || C+=('echo @@mon\n' 'monitor info registers')
	C+=('echo @@end\n' delete)
}

# parse: gdb's output on stdin, one "STOP NAME VALUE" line per value:
# registers by their gdb names (st: the raw 80 bits, xmm: uint128, mm:
# uint64), fx0..fx7 the words of the guest's FXSAVE, m_* what QEMU's
# monitor printed.
# Hex values lowercase, without 0x and leading zeros.
parse() {
	awk '
	{ sub(/\r$/, "") }
	function norm(v) { v = tolower(v); sub(/^0x/, "", v); sub(/^0+/, "", v); return v == "" ? "0" : v }
	/^@@stop / { stop = $2; part = "regs"; nfx = 0; next }
	/^@@fx$/ { part = "fx"; next }
	/^@@mon$/ { part = "mon"; next }
	/^@@end$/ { stop = ""; next }
	stop == "" { next }
	part == "regs" && /^[a-z][a-z0-9_]* +/ {
		v = ""
		if (match($0, /\(raw 0x[0-9a-f]+\)/)) v = substr($0, RSTART + 5, RLENGTH - 6)
		else if (match($0, /uint128 = 0x[0-9a-f]+/)) v = substr($0, RSTART + 10, RLENGTH - 10)
		else if (match($0, /uint64 = 0x[0-9a-f]+/)) v = substr($0, RSTART + 9, RLENGTH - 9)
		else if ($2 ~ /^0x[0-9a-f]+$/) v = $2
		if (v != "") print stop, $1, norm(v)
		next
	}
	part == "fx" && /^0x[0-9a-f]+:/ {
		for (i = 2; i <= NF; i++) print stop, "fx" nfx++, norm($i)
		next
	}
	part == "mon" && /^(ES|CS|SS|DS|FS|GS|LDT|TR) *=/ {
		line = $0
		sub(/ *=/, " ", line)
		split(line, f, / +/)
		n = tolower(f[1]); if (n == "ldt") n = "ldtr"
		print stop, "m_" n "_sel", norm(f[2])
		print stop, "m_" n "_base", norm(f[3])
		print stop, "m_" n "_limit", norm(f[4])
		print stop, "m_" n "_flags", norm(f[5])
		next
	}
	part == "mon" && /^(GDT|IDT)= / {
		print stop, "m_" tolower(substr($1, 1, 3)) "_base", norm($2)
		print stop, "m_" tolower(substr($1, 1, 3)) "_limit", norm($3)
		next
	}
	part == "mon" && /^FPR[0-7]=/ {
		# FPRn=MANTISSA EXPONENT, two to a line: as gdb raw, exponent first
		for (i = 1; i < NF; i += 2) {
			split($i, f, "=")
			print stop, "m_" tolower(f[1]), norm($(i + 1) f[2])
		}
		next
	}
	part == "mon" {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^[A-Z][A-Z0-9]*=[0-9a-f]+$/) {
				split($i, f, "=")
				print stop, "m_" tolower(f[1]), norm(f[2])
			}
	}'
}

# ---- the two sides --------------------------------------------------------------

declare -A G Q
load() { # load ARRAY FILE
	local -n arr=$1
	local s n v
	while read -r s n v; do
		arr[$s.$n]=$v
	done <"$2"
}

# gdbvmm: the 32-bit file for pm, rm (and pg where it can run), the 64-bit
# one for lm.
if vmm_start -S "$ELF32"; then
	C=("$(connect)")
	stop_cmds pm
	stop_cmds rm
	[ -z "$PG" ] || stop_cmds pg
	C+=(kill)
	gdb_run "${C[@]}"
	healthy "gdbvmm, $ELF32: the session stayed healthy"
	printf '%s\n' "$GDB_OUT" >"$T/gdbvmm32.txt"
	printf '%s\n' "$GDB_OUT" | parse >"$T/g32"
	load G "$T/g32"
	vmm_wait 10
fi
if vmm_start -S "$ELF64"; then
	C=("$(connect)")
	stop_cmds lm
	# gdb's amd64 fiseg and foseg are the upper halves of FIP and FDP:
	# 32 bits each, written and read back through KVM
	C+=('set $fiseg = 0xfedcba98' 'set $foseg = 0x12345678'
		'echo FISEG:\n' 'p/x $fiseg' 'echo FOSEG:\n' 'p/x $foseg' kill)
	gdb_run "${C[@]}"
	healthy "gdbvmm, $ELF64: the session stayed healthy"
	printf '%s\n' "$GDB_OUT" >"$T/gdbvmm64.txt"
	printf '%s\n' "$GDB_OUT" | parse >"$T/g64"
	load G "$T/g64"
	vmm_wait 10
fi

# QEMU: -S waits for gdb; its stub on a unix socket (no port to pick).
timeout -s KILL "$VM_TIMEOUT" "$QEMU" -accel tcg -nodefaults -display none -no-reboot -m 128 \
	-device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$ELF32" \
	-chardev socket,id=gdb,path="$T/qemu.sock",server=on,wait=off -gdb chardev:gdb -S \
	</dev/null >"$T/qemu.out" 2>&1 &
_pids="$_pids $!"
for _ in $(seq 200); do
	[ -S "$T/qemu.sock" ] && break
	sleep 0.05
done
C=("target remote $T/qemu.sock")
for s in pm rm pg lm; do
	stop_cmds "$s" mon
done
C+=(detach)
gdb_run "${C[@]}"
printf '%s\n' "$GDB_OUT" >"$T/qemu.txt"
# Detached, the guest exits at once and QEMU with it, sometimes before
# gdb has acknowledged the OK of the detach ("Broken pipe"): the session
# counts up to its last dump.
GDB_OUT=$(awk '{ print } /^@@end$/ { n++ } n == 4 { exit }' "$T/qemu.txt")
healthy "QEMU, $ELF32: the session stayed healthy up to its last dump"
parse <"$T/qemu.txt" >"$T/q"
load Q "$T/q"

# ---- comparing ------------------------------------------------------------------

# hex VALUE: a normalised hex value (as parse prints them) as a number.
hex() { echo $((16#$1)); }
# h NUMBER: a number as parse prints hex.
h() { printf '%x' "$1"; }

# agree STOP DESCRIPTION GOT WANT LABEL [GOT WANT LABEL]...: every value
# GOT (mostly gdbvmm's) equals WANT (mostly QEMU's, mapped); a value that
# is missing ("?", or empty where arithmetic on a missing one failed)
# never agrees. On failure every pair is shown. With SKIP_WHY set the
# point is a SKIP.
agree() {
	local s=$1 d=$2 bad= lines=()
	shift 2
	if [ -n "${SKIP_WHY:-}" ]; then
		tap_n=$((tap_n + 1))
		echo "ok $tap_n - $s: $d # SKIP $SKIP_WHY"
		return
	fi
	local got want mark
	while [ $# -ge 3 ]; do
		got=${1:-?} want=${2:-?} mark=
		if [ "$got" = "?" ] || [ "$want" = "?" ] || [ "$got" != "$want" ]; then
			bad=1 mark="   <- differs"
		fi
		lines+=("$(printf '  %-16s got %-22s want %s%s' "$3" "$got" "$want" "$mark")")
		shift 3
	done
	if [ -z "$bad" ]; then
		pass "$s: $d"
	else
		fail "$s: $d" "${lines[@]}"
	fi
}

# g/q/m STOP NAME: gdbvmm's register, QEMU's register, QEMU's monitor.
g() { echo "${G[$1.$2]:-?}"; }
q() { echo "${Q[$1.$2]:-?}"; }
m() { echo "${Q[$1.m_$2]:-?}"; }

# pairs STOP "GNAME:QNAME"...: the agree arguments for registers that gdb
# shows on both sides (under these names).
pairs() {
	local s=$1 p
	shift
	for p in "$@"; do
		printf '%s\n%s\n%s\n' "$(g "$s" "${p%%:*}")" "$(q "$s" "${p#*:}")" "${p%%:*}"
	done
}

# A stop reached on both sides (its general registers hold the guest's
# values) is what every other point of that stop depends on.
compare_stop() {
	local s=$1 w seg i r top
	local -a a
	if [ "$s" = lm ]; then w=64; else w=32; fi

	# general registers: QEMU shows rax..rdi outside long mode too, cut
	# to 32 bits (r8-r15 then read 0; gdbvmm's i386 registers lack them)
	if [ $w = 64 ]; then
		mapfile -t a < <(pairs "$s" rax:rax rbx:rbx rcx:rcx rdx:rdx rsi:rsi rdi:rdi rbp:rbp rsp:rsp \
			r8:r8 r9:r9 r10:r10 r11:r11 r12:r12 r13:r13 r14:r14 r15:r15)
	else
		mapfile -t a < <(pairs "$s" eax:rax ecx:rcx edx:rdx ebx:rbx esp:rsp ebp:rbp esi:rsi edi:rdi)
	fi
	agree "$s" "general registers" "${a[@]}"

	# the pc: real mode is the one place it differs (gdbvmm's eip is
	# linear, CS.base + IP, and $ip the offset; QEMU's rip is the offset)
	local stop
	stop=$(sym "fid_${s}_stop")
	stop=$(printf %x "$stop")
	if [ "$s" = rm ]; then
		agree "$s" "pc: gdbvmm's eip is linear (the stop's address), QEMU's rip is IP, which is gdbvmm's ip" \
			"$(g "$s" eip)" "$stop" "eip" \
			"$(g "$s" eip)" "$(h $(($(hex "$(m "$s" cs_base)") + $(hex "$(q "$s" rip)"))))" "eip=cs.base+rip" \
			"$(g "$s" ip)" "$(q "$s" rip)" "ip=rip"
	elif [ $w = 64 ]; then
		agree "$s" "pc: rip (and ip) at fid_${s}_stop" "$(g "$s" rip)" "$(q "$s" rip)" rip \
			"$(g "$s" rip)" "$stop" "rip=stop" "$(g "$s" ip)" "$(q "$s" rip)" "ip"
	else
		agree "$s" "pc: eip (and ip) at fid_${s}_stop" "$(g "$s" eip)" "$(q "$s" rip)" eip \
			"$(g "$s" eip)" "$stop" "eip=stop" "$(g "$s" ip)" "$(q "$s" rip)" "ip"
	fi

	mapfile -t a < <(pairs "$s" eflags:eflags)
	agree "$s" "eflags" "${a[@]}"

	mapfile -t a < <(pairs "$s" cs:cs ss:ss ds:ds es:es fs:fs gs:gs)
	agree "$s" "segment selectors cs ss ds es fs gs" "${a[@]}"
	mapfile -t a < <(pairs "$s" fs_base:fs_base gs_base:gs_base)
	agree "$s" "fs_base, gs_base" "${a[@]}"

	# hidden parts: QEMU's monitor only. Its flags are the descriptor's
	# second dword (SDM Vol. 3A, figure 3-8) without the base: gdbvmm's
	# attr is bits 8-15 and 20-23 of it.
	a=()
	for seg in cs ss ds es fs gs tr ldtr; do
		a+=("$(g "$s" "${seg}_base")" "$(m "$s" "${seg}_base")" "${seg}_base")
	done
	agree "$s" "segment bases (cs ss ds es fs gs tr ldtr)" "${a[@]}"
	a=()
	for seg in cs ss ds es fs gs tr ldtr; do
		a+=("$(g "$s" "${seg}_limit")" "$(m "$s" "${seg}_limit")" "${seg}_limit")
	done
	agree "$s" "segment limits (cs ss ds es fs gs tr ldtr)" "${a[@]}"
	a=()
	for seg in tr ldtr; do
		a+=("$(g "$s" "$seg")" "$(m "$s" "${seg}_sel")" "$seg")
	done
	agree "$s" "tr and ldtr selectors" "${a[@]}"

	# attributes, save the two known differences checked after
	a=()
	local nullseg=
	for seg in cs ss ds es fs gs ldtr; do
		if [ "$(m "$s" "${seg}_sel")" = 0 ] && [ "$s" != rm ]; then
			nullseg=$seg
			continue
		fi
		a+=("$(g "$s" "${seg}_attr")" "$(h $(((0x$(m "$s" "${seg}_flags") >> 8) & 0xf0ff)))" "${seg}_attr")
	done
	agree "$s" "segment attributes (type, S, DPL, P, AVL, L, D/B, G)" "${a[@]}"

	# a null selector: KVM marks the segment unusable (attr bit 16); QEMU
	# has no such bit and shows flags 0
	if [ -n "$nullseg" ]; then
		r=$(g "$s" "${nullseg}_attr")
		agree "$s" "$nullseg holds a null selector: gdbvmm's attr has the unusable bit 16, QEMU's flags are 0" \
			"$(h $(((0x${r:-0}) >> 16 & 1)))" 1 "${nullseg}_attr.unusable" \
			"$(m "$s" "${nullseg}_flags")" 0 "qemu ${nullseg} flags"
	fi
	# TR: LTR marks the TSS busy (SDM Vol. 3A, 7.2.4); hardware keeps the
	# busy type in TR, QEMU's TR keeps the type it loaded (available)
	r=$(m "$s" tr_flags)
	agree "$s" "tr_attr: busy TSS (type 11) on KVM; QEMU keeps type 9 in TR, the rest agrees" \
		"$(g "$s" tr_attr)" "$(h $((((0x${r:-0} >> 8) & 0xf0ff) | 2)))" "tr_attr" \
		"$(h $((0x$(m "$s" tr_flags) >> 8 & 0xf)))" 9 "qemu tr type"

	a=("$(g "$s" gdtr_base)" "$(m "$s" gdt_base)" gdtr_base "$(g "$s" gdtr_limit)" "$(m "$s" gdt_limit)" gdtr_limit
		"$(g "$s" idtr_base)" "$(m "$s" idt_base)" idtr_base "$(g "$s" idtr_limit)" "$(m "$s" idt_limit)" idtr_limit)
	agree "$s" "gdtr and idtr" "${a[@]}"

	mapfile -t a < <(pairs "$s" cr0:cr0 cr2:cr2 cr3:cr3 cr4:cr4)
	agree "$s" "control registers cr0 cr2 cr3 cr4" "${a[@]}"
	mapfile -t a < <(pairs "$s" efer:efer)
	agree "$s" "efer" "${a[@]}"

	# x87 and SSE
	mapfile -t a < <(pairs "$s" fctrl:fctrl fstat:fstat)
	agree "$s" "fctrl, fstat" "${a[@]}"
	mapfile -t a < <(pairs "$s" mxcsr:mxcsr)
	agree "$s" "mxcsr" "${a[@]}"

	# st(i) is physical register (TOP + i) mod 8; QEMU's stub shows the
	# physical registers under the names st0-st7 (its monitor as FPRn)
	top=$(((0x$(q "$s" fstat) >> 11) & 7))
	a=()
	for i in 0 1 2 3 4 5 6 7; do
		r=$(((top + i) & 7))
		a+=("$(g "$s" "st$i")" "$(m "$s" "fpr$r")" "st$i=FPR$r")
	done
	agree "$s" "st0-st7 are ST(i); QEMU's st\$((TOP+i)%8) and FPR\$((TOP+i)%8) hold them (TOP=$top)" "${a[@]}"
	a=()
	for i in 0 1 2 3 4 5 6 7; do
		r=$(((top + i) & 7))
		a+=("$(q "$s" "st$r")" "$(m "$s" "fpr$r")" "qemu st$r")
	done
	agree "$s" "QEMU's st0-st7 are its physical registers FPR0-FPR7" "${a[@]}"

	a=()
	for i in $(seq 0 $((w == 64 ? 15 : 7))); do
		a+=("$(g "$s" "xmm$i")" "$(q "$s" "xmm$i")" "xmm$i")
	done
	agree "$s" "xmm0-xmm$((w == 64 ? 15 : 7))" "${a[@]}"

	# gdb's i386 architecture adds mm0-mm7, the low 64 bits of the
	# physical registers (not of st0-st7)
	if [ $w = 32 ]; then
		a=()
		for i in 0 1 2 3 4 5 6 7; do
			r=$(m "$s" "fpr$i")
			a+=("$(g "$s" "mm$i")" "$(hexnorm "${r: -16}")" "mm$i=FPR$i")
		done
		agree "$s" "mm0-mm7 (gdb's, from the physical registers)" "${a[@]}"
	fi

	# the register sets themselves: every register gdbvmm shows is one
	# compared above; QEMU's stub shows two that gdbvmm does not (and
	# r8-r15, xmm8-xmm15 outside long mode, where they read 0). In QEMU's
	# order; gdbvmm's eax is QEMU's rax.
	local mine=" " extra= only= n
	for n in $(names G "$s"); do
		mine+="$n "
		[[ $n =~ $COMPARED ]] || extra+=" $n"
	done
	for n in $(names Q "$s"); do
		case " $mine ${mine//\ e/ r} " in
		*" $n "*) ;;
		*) only+=" $n" ;;
		esac
	done
	if [ $w = 64 ]; then
		r=" k_gs_base cr8"
	else
		r=" r8 r9 r10 r11 r12 r13 r14 r15 k_gs_base cr8 xmm8 xmm9 xmm10 xmm11 xmm12 xmm13 xmm14 xmm15"
	fi
	agree "$s" "register sets: each gdbvmm register is compared; only QEMU's stub shows$r" \
		"${extra:- }" " " "not compared" "$only" "$r" "QEMU only"

	# ftag: gdb wants the full tag word (2 bits a register). QEMU's stub
	# sends 0; its monitor's FTW is the abridged one (a bit a register,
	# set when not empty). The full word follows from it and the values.
	r=$(full_tag "$s")
	agree "$s" "ftag is the full tag word; QEMU's stub sends 0, the word follows from its FTW and registers" \
		"$(g "$s" ftag)" "$r" "ftag" "$(q "$s" ftag)" 0 "qemu ftag"

	# the x87 last-instruction pointers. gdbvmm shows what the CPU under
	# KVM keeps, which the guest's own FXSAVE there shows. QEMU TCG keeps
	# none of them: its stub sends 0, and its FXSAVE stores 0.
	local reg gv qv
	for reg in fop fioff fiseg fooff foseg; do
		gv=$(fxfield G "$s" $reg) qv=$(fxfield Q "$s" $reg)
		# KVM holds the FPU state in XSAVE's 64-bit layout, where FIP and
		# FDP are 64-bit and FCS and FDS are not kept: outside long mode
		# fiseg and foseg read 0 where a CPU that still stores FCS and
		# FDS (no CPUID.(EAX=7):EBX[13]) shows them to the guest
		if [ $w = 32 ] && [[ $reg = f?seg ]] && [ "$(g "$s" $reg)" = 0 ]; then
			gv=0
		fi
		agree "$s" "$reg is what the guest's own FXSAVE stores; QEMU's is 0, as in its FXSAVE" \
			"$(g "$s" $reg)" "$gv" "$reg" \
			"$(q "$s" $reg)" 0 "qemu $reg" "$qv" 0 "qemu FXSAVE"
	done
}

# fxfield ARRAY STOP REGISTER: the x87 register as the guest's own FXSAVE
# at STOP stored it (ARRAY G: under gdbvmm, Q: under QEMU). The 32-bit
# form (Intel SDM Vol. 1, table 10-2) has FOP in the high half of word 1,
# FIP, FCS, FDP, FDS in words 2-5; the 64-bit one (long mode, FXSAVE64)
# has the upper halves of FIP and FDP where FCS and FDS are, which is
# what gdb's amd64 fiseg and foseg are.
fxfield() {
	local -n arr=$1
	local s=$2 word
	case $3 in
	fop) h $(((0x${arr[$s.fx1]:-?} >> 16) & 0x7ff)); return ;;
	fioff) word=2 ;;
	fiseg) word=3 ;;
	fooff) word=4 ;;
	foseg) word=5 ;;
	esac
	if [ "$s" = lm ] || [ $word = 2 ] || [ $word = 4 ]; then
		echo "${arr[$s.fx$word]:-?}"
	else
		h $((0x${arr[$s.fx$word]:-?} & 0xffff))
	fi
}

# names ARRAY STOP: the gdb register names ARRAY (G or Q) holds for STOP,
# in gdb's order (monitor values and FXSAVE words left out).
names() {
	local f
	if [ "$1" = G ]; then f=$T/g32; [ "$2" != lm ] || f=$T/g64; else f=$T/q; fi
	awk -v s="$2" '$1 == s && $2 !~ /^(m_|fx[0-7]$)/ { print $2 }' "$f" 2>/dev/null
}

# Every register gdbvmm shows that compare_stop compares.
COMPARED='^([re]?[abcd]x|[re]?[sd]i|[re]?[sb]p|r([89]|1[0-5])|[re]ip|ip|eflags|[c-gs]s|tr|ldtr|(cs|ss|ds|es|fs|gs|tr|ldtr)_(base|limit|attr)|[gi]dtr_(base|limit)|cr[0234]|efer|st[0-7]|mm[0-7]|xmm([0-9]|1[0-5])|mxcsr|f(ctrl|stat|tag|iseg|ioff|oseg|ooff|op))$'

# hexnorm HEX: as parse prints it.
hexnorm() { local v=${1,,}; v=${v#0x}; v=${v##+(0)}; echo "${v:-0}"; }
shopt -s extglob

# full_tag STOP: the full tag word from QEMU's FTW (abridged), TOP and its
# physical registers (SDM Vol. 1, 8.1.7; 10.5.1.1): 0 valid, 1 zero,
# 2 special, 3 empty.
full_tag() {
	local s=$1 ftw j t e mant tag=0 raw
	ftw=$((0x$(m "$s" ftw)))
	for j in 0 1 2 3 4 5 6 7; do
		raw=$(printf '%020x' 0)
		raw=$(m "$s" "fpr$j")
		raw=$(printf '%20s' "$raw" | tr ' ' 0)
		e=$((0x${raw:0:4} & 0x7fff))
		mant=${raw:4:16}
		if [ $((ftw >> j & 1)) = 0 ]; then
			t=3
		elif [ $e = 32767 ]; then
			t=2
		elif [ $e = 0 ]; then
			if [ "$mant" = 0000000000000000 ]; then t=1; else t=2; fi
		elif [ $((0x${mant:0:1} >> 3)) = 1 ]; then
			t=0
		else
			t=2
		fi
		tag=$((tag | t << (2 * j)))
	done
	h $tag
}

for s in pm rm pg lm; do
	if [ "$s" = pg ] && [ -z "$PG" ]; then
		SKIP_WHY=$PG_WHY
		agree pg "the stop is reached on both sides"
		compare_stop pg 2>/dev/null
		SKIP_WHY=
		continue
	fi
	if [ "$(g "$s" eflags)" = "?" ] || [ "$(q "$s" eflags)" = "?" ]; then
		fail "$s: the stop is reached on both sides" \
			"gdbvmm: $(g "$s" eflags), QEMU: $(q "$s" eflags) (eflags at the stop)"
		diag_text "gdbvmm" "$(cat "$T"/gdbvmm*.txt 2>/dev/null)"
		diag_text "QEMU" "$(cat "$T/qemu.txt")"
		continue
	fi
	pass "$s: the stop is reached on both sides"
	compare_stop "$s"
done

# not a comparison (QEMU's stub ignores the write): the width of fiseg and
# foseg in gdbvmm's x86-64 registers
out=$(cat "$T/gdbvmm64.txt" 2>/dev/null)
agree lm "fiseg and foseg hold FIP[63:32] and FDP[63:32]: 32-bit values written are read back" \
	"$(value_after "$out" FISEG)" 0xfedcba98 '$fiseg' "$(value_after "$out" FOSEG)" 0x12345678 '$foseg'

done_testing
