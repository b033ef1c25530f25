# tests/guests/guests.mk: the guest tests: TAP scripts that run ./gdbvmm on the guests and check what a user sees.
#   run.t      every guest with tests/guests/NAME.out and NAME.status
#   multi.t    several images at once; the 8-image limit
#   errors.t   bad usage and bad images: one line, status 2
#   faults.t   triple fault, and what kvm-pvm cannot run (plus the SVM lane)
#   console.t  terminal restored, idle stdin, -v, --stats, --timeout
#   keys.t     the console keys on a pty (Ctrl-A x, h, Ctrl-A; Ctrl-C to the guest)
#   install.t  make install into a DESTDIR: files, the installed monitor, man -l; uninstall
#   lane.t     /dev/kvm hidden: the machine runs in the nested KVM VM (vmm/lane.c);
#              it boots the VM itself, so it runs here, never inside the lane
KVM_TESTS += tests/guests/run.t tests/guests/multi.t tests/guests/errors.t \
             tests/guests/faults.t tests/guests/console.t tests/guests/keys.t \
             tests/guests/install.t
SCRIPT_TESTS += tests/guests/lane.t

.PHONY: guest-test
guest-test: all
	$(PROVE) $(PROVE_FLAGS) tests/guests/*.t
