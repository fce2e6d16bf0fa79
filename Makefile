# zoned - three-tier network separation for municipal gateways
#
#   make                build zoned, zonectl and libzone into $(O)
#   make check          build with ASan/UBSan and run every test, the unit
#                       tests under valgrind too (namespace tests need root:
#                       `sudo make check`)
#   make check-unit     the unit tests only (no root)
#   make check-root     the namespace tests only (root)
#   make check-valgrind the unit tests under valgrind
#   make demo           a three-zone gateway in network namespaces (root)
#   make bench          the benchmarks (root for the kernel ones)
#   make fuzz           run the fuzzers for FUZZ_SECONDS each (FUZZ=...)
#   make install        PREFIX=/usr/local DESTDIR=
#
# O= picks the build directory, so that several builds can share a tree.

O ?= build
SAN ?= 0
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
SYSTEMDDIR ?= /lib/systemd/system
SYSCTLDIR ?= /usr/lib/sysctl.d
DESTDIR ?=
FUZZ_SECONDS ?= 60

PKGS := libnftnl libmnl libnetfilter_conntrack libconfig
CC ?= cc
WARN := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
	-Wpointer-arith -Wcast-qual -Wsign-compare -Wformat=2
ifneq ($(CI),)
WARN += -Werror
endif
CFLAGS ?= -O2 -g
ifeq ($(SAN),1)
CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -MMD -MP -Ilibzone/include \
	-Ilibzone $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

LIBZONE_SRCS := $(sort $(wildcard libzone/*.c))
ZONECTL_SRCS := daemon/zonectl.c $(wildcard daemon/ctlmsg.c)
ZONED_SRCS := $(filter-out daemon/zonectl.c,$(sort $(wildcard daemon/*.c)))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRCS := $(sort $(wildcard bench/*.c))

LIBZONE := $(O)/libzone.a
ZONED := $(O)/zoned
ZONECTL := $(O)/zonectl
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(O)/bench/%)
PROGS := $(ZONED) $(if $(wildcard daemon/zonectl.c),$(ZONECTL))

all: $(PROGS)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBZONE): $(LIBZONE_SRCS:%.c=$(O)/%.o)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(ZONED): $(ZONED_SRCS:%.c=$(O)/%.o) $(LIBZONE)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(ZONECTL): $(ZONECTL_SRCS:%.c=$(O)/%.o) $(LIBZONE)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(O)/tests/%: $(O)/tests/unit/%.o $(LIBZONE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(CHECK_LIBS) -lm

# Unit tests of daemon modules also link the objects they test.
$(O)/tests/test_alert: $(O)/daemon/alert.o $(O)/daemon/alert_fmt.o \
	$(O)/daemon/alert_agg.o
$(O)/tests/test_notify: $(O)/daemon/notify.o
$(O)/tests/test_textesc: $(O)/daemon/textesc.o

$(O)/bench/%: $(O)/bench/%.o $(LIBZONE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) -lm

deps:
	@sh scripts/install-deps all

deps-demo:
	@sh scripts/install-deps demo

# The tests run the sanitizer build; the tree's own build stays plain.
SAN_O := $(O)-san

check: deps
	$(MAKE) --no-print-directory O=$(SAN_O) SAN=1 all unit-bins
	$(MAKE) --no-print-directory O=$(SAN_O) SAN=1 run-unit
	$(MAKE) --no-print-directory check-valgrind
	$(MAKE) --no-print-directory O=$(SAN_O) SAN=1 run-root

check-unit:
	$(MAKE) --no-print-directory O=$(SAN_O) SAN=1 unit-bins run-unit

check-root:
	$(MAKE) --no-print-directory O=$(SAN_O) SAN=1 all run-root

unit-bins: $(UNIT_BINS)

run-unit: $(UNIT_BINS)
	@sh tests/run-unit $(UNIT_BINS)

# Namespace tests drive traffic with bench/flowgen too.
run-root: $(PROGS) $(O)/bench/flowgen
	@sh tests/shell/run $(O)

check-valgrind:
	$(MAKE) --no-print-directory O=$(O)-vg unit-bins
	@VALGRIND=1 sh tests/run-unit $(UNIT_BINS:$(O)/%=$(O)-vg/%)

demo: deps-demo all
	@sh tests/demo/demo $(O)

# The town hall behind a gateway pair: keepalived, conntrackd, failover.
demo-ha: deps-demo all
	@bash tests/demo/demo-ha $(O)

bench: all $(BENCH_BINS)
	@sh bench/run $(O)

# The fuzzers (fuzz/fuzz_*.c, clang's libFuzzer): the config loader, the
# netlink parsers (NFLOG, conntrack events, nftables notifications) and the
# control protocol.  FUZZ= picks some; each runs FUZZ_SECONDS.  The seeds of
# the netlink and control fuzzers are made at run time by fuzz/mkseeds.c,
# the config fuzzer's are the test configs themselves.
FUZZ_O := $(O)-fuzz
FUZZ_TARGETS := conf nflog ctevent nftmon ctlmsg
FUZZ ?= $(FUZZ_TARGETS)
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Ilibzone/include -Ilibzone \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_SEEDS_conf := tests/conf/good tests/conf/bad conf

$(FUZZ_O)/mkseeds: fuzz/mkseeds.c daemon/ctlmsg.c
	@mkdir -p $(@D)
	$(CC) $(FUZZ_CFLAGS) -o $@ $^ $(LIBS)

# libzone instrumented, as an archive: a fuzzer's own stubs win.
$(FUZZ_O)/libzone/%.o: libzone/%.c
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined \
		-c -o $@ $<

$(FUZZ_O)/libzone.a: $(LIBZONE_SRCS:libzone/%.c=$(FUZZ_O)/libzone/%.o)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_O)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_O)/libzone.a $(wildcard daemon/*.[ch]) \
		$(wildcard fuzz/*.h) tests/unit/fake_daemon.h
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-o $@ $< $(FUZZ_O)/libzone.a $(LIBS)

fuzz: $(FUZZ:%=$(FUZZ_O)/fuzz_%) $(FUZZ_O)/mkseeds
	@$(FUZZ_O)/mkseeds $(FUZZ_O)/seeds
	@set -e; for t in $(FUZZ); do \
		mkdir -p $(FUZZ_O)/corpus-$$t; \
		seeds="$(FUZZ_O)/seeds/$$t"; \
		[ $$t = conf ] && seeds="$(FUZZ_SEEDS_conf)"; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		$(FUZZ_O)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
			-max_len=4096 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_O)/$$t- \
			$(FUZZ_O)/corpus-$$t $$seeds; \
	done

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/zoned \
		$(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(SYSCTLDIR)
	install -m 0755 $(PROGS) $(DESTDIR)$(SBINDIR)/
	install -m 0644 man/zoned.8 man/zonectl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 man/zoned.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 conf/zoned.conf $(DESTDIR)$(SYSCONFDIR)/zoned/zoned.conf.example
	install -m 0644 conf/conntrackd.conf $(DESTDIR)$(SYSCONFDIR)/zoned/conntrackd.conf.example
	install -m 0644 conf/keepalived.conf $(DESTDIR)$(SYSCONFDIR)/zoned/keepalived.conf.example
	install -m 0755 conf/ha-notify $(DESTDIR)$(SYSCONFDIR)/zoned/ha-notify
	sed 's|/usr/local/sbin/|$(SBINDIR)/|' systemd/zoned.service \
		>$(DESTDIR)$(SYSTEMDDIR)/zoned.service
	chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/zoned.service
	install -m 0644 systemd/zoned-sysctl.conf $(DESTDIR)$(SYSCTLDIR)/50-zoned.conf

clean:
	rm -rf $(O) $(SAN_O) $(O)-vg $(FUZZ_O)

.PHONY: all deps deps-demo check check-unit check-root check-valgrind \
	unit-bins run-unit run-root demo demo-ha bench fuzz install clean

-include $(shell find $(O) -name '*.d' 2>/dev/null)
