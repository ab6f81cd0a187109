# baosong - non-recursive build: lib/libbaosong.a, the programs, the tests.
#
#   make            build everything into build/
#   make demo       bootstrap, build, run the demo workspace (README)
#   make check      bootstrap, build, run every test (unit, cli, integration)
#   make bench      benchmarks (slow; never part of check)
#   make SANITIZE=address,undefined check
#   make install PREFIX=/usr/local DESTDIR=stage

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/baosong
O       ?= build$(if $(SANITIZE),-san)

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c17 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wold-style-definition -Wformat=2 \
           -Wwrite-strings -Wvla -Wundef -Wno-format-nonliteral
WERROR  ?= -Werror
ifdef SANITIZE
SAN     := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

PKGS    := odbc odbcinst yaml-0.1 libcrypto libpcre2-8 xlsxwriter libzip libxml-2.0 libpq
PKG_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm

CPPFLAGS += -D_GNU_SOURCE -iquote lib -DBS_DATADIR='"$(DATADIR)"'
ALL_CFLAGS  = $(WARN) $(WERROR) $(SAN) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN) -Wl,--as-needed $(LDFLAGS)

ifndef V
Q_CC = @echo "  CC      $<";
Q_LD = @echo "  LD      $@";
Q_AR = @echo "  AR      $@";
endif

obj = $(patsubst %.c,$(O)/%.o,$(1))

LIB     := $(O)/libbaosong.a
LIB_SRC := $(wildcard lib/*.c)

baosong-extract_SRC   := $(wildcard extract/*.c)
baosong-validate_SRC  := $(filter-out validate/review%,$(wildcard validate/*.c))
baosong-review_SRC    := $(wildcard validate/review*.c)
baosong-transform_SRC := $(wildcard transform/*.c)
baosong-pack_SRC      := $(wildcard submit/pack*.c)
baosong-submit_SRC    := $(wildcard submit/submit*.c)
baosong-run_SRC       := $(wildcard jobs/*.c)
ALL_PROGS := baosong-extract baosong-validate baosong-review baosong-transform \
             baosong-pack baosong-submit baosong-run
PROGS   := $(foreach p,$(ALL_PROGS),$(if $($(p)_SRC),$(p)))
MAN1    := $(wildcard docs/*.1)
MAN5    := $(wildcard docs/*.5)

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(O)/tests/%,$(UNIT_SRC))

all: $(addprefix $(O)/,$(PROGS)) $(UNIT_BIN)

$(LIB): $(call obj,$(LIB_SRC))
	@rm -f $@
	$(Q_AR)$(AR) rcs $@ $^

define PROG_template
$(O)/$(1): $(call obj,$($(1)_SRC)) $(LIB)
	$$(Q_LD)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(PKG_LIBS)
endef
$(foreach p,$(PROGS),$(eval $(call PROG_template,$(p))))

$(O)/tests/%: $(O)/tests/unit/%.o $(LIB)
	$(Q_LD)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

bootstrap:
	@scripts/bootstrap

demo: bootstrap
	@$(MAKE) --no-print-directory all
	@scripts/demo $(O)

check: bootstrap
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check-man check-unit check-cli check-integration

check-unit: $(UNIT_BIN)
	@tests/run-unit.sh $(UNIT_BIN)

check-cli: all
	@tests/cli/run.sh $(O)

check-integration: all
	@tests/integration/run.sh $(O)

check-man:
	@for m in $(MAN1) $(MAN5); do \
	  out=$$(groff -k -t -man -Tutf8 -ww -z $$m 2>&1); \
	  if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; done; echo "man pages: ok"

check-headers:
	@for h in lib/*.h; do echo '#include "bs.h"' > $(O)/hdr.c; echo "#include \"$$h\"" | sed 's|lib/||' >> $(O)/hdr.c; \
	  $(CC) $(CPPFLAGS) $(ALL_CFLAGS) -fsyntax-only $(O)/hdr.c || exit 1; done

bench: all
	@tests/bench/run.sh $(O)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)
	install -m 0755 $(addprefix $(O)/,$(PROGS)) $(DESTDIR)$(BINDIR)
	$(if $(MAN1),install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1)
	$(if $(MAN5),install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5)
	cp -R rules $(DESTDIR)$(DATADIR)/
	chmod -R u=rwX,go=rX $(DESTDIR)$(DATADIR)/rules

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(PROGS))
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(O)

.PHONY: all bootstrap demo check check-unit check-cli check-integration check-man \
        check-headers bench install uninstall clean
.DELETE_ON_ERROR:
ALL_SRC := $(LIB_SRC) $(foreach p,$(PROGS),$($(p)_SRC)) $(UNIT_SRC)
-include $(patsubst %.c,$(O)/%.d,$(ALL_SRC))
