# gdbinit: the ready gdb setup for gdbvmm.
#
#   ./gdbvmm -s -S IMAGE          # in one terminal
#   gdb -x gdbinit [FILE]         # in another
#
# Connects to 127.0.0.1:1234 (GDBVMM_PORT in the environment picks another),
# loads FILE's symbols (os-1k/kernel.elf when no FILE is given), and keeps
# the disassembler in step with the guest: i8086 while a vCPU is in real
# mode, the target description's i386 / x86-64 otherwise.

set confirm off
set pagination off
# without /dev/kvm, gdbvmm's stub listens once its nested VM is up (README.md,
# "Without /dev/kvm"): a few seconds, more on a busy machine; gdb retries a
# refused connection this long (15 s by default)
set tcp connect-timeout 120
# guests are bare metal: no GNU/Linux conventions (gdb guesses them for a plain ELF)
set osabi none

python
import os
import gdb

def _gdbvmm_arch(event=None):
    """Follow the selected vCPU's mode: CR0.PE clear is real mode.

    The stub describes a machine of real-mode images as "i8086" and one
    with a 32-bit kernel as "i386"; a 64-bit session is left alone."""
    try:
        if gdb.selected_thread() is None:
            return
        arch = gdb.selected_frame().architecture().name()
        cr0 = int(gdb.parse_and_eval("$cr0"))
    except gdb.error:
        return
    if arch.startswith("i386:x86-64"):
        return
    want = "i8086" if (cr0 & 1) == 0 else "i386"
    if arch != want:
        gdb.execute("set architecture " + want, to_string=True)

gdb.events.stop.connect(_gdbvmm_arch)

# No FILE on the command line: debug the teaching OS. For os-1k, its own
# helpers too (os1k-ps, os1k-pgdir, os1k-user: see os-1k/gdbinit).
if gdb.current_progspace().filename is None and os.path.exists("os-1k/kernel.elf"):
    gdb.execute("file os-1k/kernel.elf")
if (gdb.current_progspace().filename or "").endswith("os-1k/kernel.elf"):
    gdb.execute("source os-1k/gdbinit")

port = os.environ.get("GDBVMM_PORT", "1234")
gdb.execute("target remote 127.0.0.1:" + port)
_gdbvmm_arch()
end

# Switching threads changes the mode to follow as well.
define hookpost-thread
  python _gdbvmm_arch()
end

# `monitor` commands act on the vCPU the stub last addressed (qRcmd names
# no thread): reading the selected thread's pc first makes that this one.
define hook-monitor
  maint flush register-cache
  python gdb.selected_frame().pc()
end
