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

python
import os
import gdb

def _gdbvmm_arch(event=None):
    """Follow the selected vCPU's mode: CR0.PE clear is real mode."""
    try:
        if gdb.selected_thread() is None:
            return
        cr0 = int(gdb.parse_and_eval("$cr0"))
    except gdb.error:
        return
    want = "i8086" if (cr0 & 1) == 0 else "auto"
    if getattr(_gdbvmm_arch, "current", None) != want:
        gdb.execute("set architecture " + want, to_string=True)
        _gdbvmm_arch.current = want

gdb.events.stop.connect(_gdbvmm_arch)

# No FILE on the command line: debug the teaching OS.
if gdb.current_progspace().filename is None and os.path.exists("os-1k/kernel.elf"):
    gdb.execute("file os-1k/kernel.elf")

port = os.environ.get("GDBVMM_PORT", "1234")
gdb.execute("target remote 127.0.0.1:" + port)
_gdbvmm_arch()
end

# Switching threads changes the mode to follow as well.
define hookpost-thread
  python _gdbvmm_arch()
end
