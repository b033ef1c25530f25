# vmm/install.mk: make install / make uninstall: the monitor, its man page gdbvmm(1) and the gdb setup.
#
#   make install [PREFIX=/usr/local] [DESTDIR=/staging/root] [BINDIR=...] ...
#   make uninstall (with the same variables) removes exactly what install put
#
# The directory variables are the GNU Coding Standards' ("Variables for
# Installation Directories"), in capitals; each may be set on its own
# command line (not from the environment, where PREFIX can mean other things).
# DESTDIR is prepended to every one of them at copy time only, so a
# staged install (a package build) names the final paths in the man page.
# Paths must not contain spaces or colons (the rows below are colon-separated).

PREFIX        = /usr/local
EXEC_PREFIX   = $(PREFIX)
BINDIR        = $(EXEC_PREFIX)/bin
LIBEXECDIR    = $(EXEC_PREFIX)/libexec
DATAROOTDIR   = $(PREFIX)/share
DATADIR       = $(DATAROOTDIR)
MANDIR        = $(DATAROOTDIR)/man
MAN1DIR       = $(MANDIR)/man1
# gdbvmm's own directories: gdbinit where gdb users look for a package's
# gdb scripts; programs the monitor runs itself, never a user (none yet).
PKGDATADIR    = $(DATADIR)/gdbvmm
PKGLIBEXECDIR = $(LIBEXECDIR)/gdbvmm

INSTALL       = install

# The hook for helper programs gdbvmm starts itself (none yet; the
# runtime scripts of a planned fallback are to be the first): a fragment
# appends their source paths to INSTALL_LIBEXEC (which the top-level
# Makefile starts empty), and install and uninstall take them to and from
# $(PKGLIBEXECDIR), mode 755, with no other change here.

# The man page: `gdbvmm --man=DIR` prints the text of --help as roff
# (vmm/help.c), DIR being where gdbinit is installed.
GDBVMM_MAN := $(B)/man/gdbvmm.1

# What install puts where: SOURCE:DESTINATION:MODE, one row per file.
# uninstall removes the DESTINATIONs, and nothing else.
INSTALL_ROWS = \
	$(GDBVMM):$(BINDIR)/gdbvmm:755 \
	$(GDBVMM_MAN):$(MAN1DIR)/gdbvmm.1:644 \
	gdbinit:$(PKGDATADIR)/gdbinit:644 \
	$(foreach f,$(INSTALL_LIBEXEC),$(f):$(PKGLIBEXECDIR)/$(notdir $(f)):755)

.PHONY: install uninstall man

# Made again at each install: it names PKGDATADIR, which install's
# command line may have changed since the last time.
man: $(GDBVMM)
	@mkdir -p $(dir $(GDBVMM_MAN))
	$(if $(Q),@echo "  MAN     $(GDBVMM_MAN)")
	$(Q)./$(GDBVMM) --man=$(PKGDATADIR) >$(GDBVMM_MAN).tmp
	$(Q)mv $(GDBVMM_MAN).tmp $(GDBVMM_MAN)

install: $(GDBVMM) man
	$(Q)set -e; for row in $(INSTALL_ROWS); do \
		src=$${row%%:*}; rest=$${row#*:}; dst="$(DESTDIR)$${rest%:*}"; \
		$(if $(Q),echo "  INSTALL $$dst";) \
		$(INSTALL) -D -m $${rest##*:} "$$src" "$$dst"; \
	done

# Our own directories go when empty; shared ones (bin, man1) stay.
uninstall:
	$(Q)set -e; for row in $(INSTALL_ROWS); do \
		rest=$${row#*:}; dst="$(DESTDIR)$${rest%:*}"; \
		if [ -e "$$dst" ] || [ -L "$$dst" ]; then \
			$(if $(Q),echo "  RM      $$dst";) rm -f "$$dst"; \
		fi; \
	done
	$(Q)for d in "$(DESTDIR)$(PKGDATADIR)" "$(DESTDIR)$(PKGLIBEXECDIR)"; do \
		[ ! -d "$$d" ] || rmdir "$$d" 2>/dev/null || true; \
	done
