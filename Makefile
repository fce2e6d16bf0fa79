# zoned - three-tier network separation for municipal gateways
#
#   make                build zoned, zonectl and libzone into $(O)
#   make check          build with ASan/UBSan and run every test, the unit
#                       tests under valgrind too (namespace tests need root:
#                       `sudo make check`)
#   make check-unit     the unit tests and the fuzz smoke run (each fuzzer
#                       once over its seeds, without libFuzzer; no root)
#   make check-structure no call cycle between objects, no private libzone
#                       header in daemon/, no file over 700 lines
#   make check-root     the namespace tests only (root)
#   make check-valgrind the unit tests under valgrind
#   make check-vm       zoned on Debian 12's own kernel (6.1) in a qemu VM
#                       (root; the root file system is cached in $(O)/vm)
#   make demo           a three-zone gateway in network namespaces (root)
#   make bench          the benchmarks (root for the kernel ones)
#   make fuzz           run the fuzzers for FUZZ_SECONDS each (FUZZ=...)
#   make install        PREFIX=/usr/local DESTDIR=
#   make deb            the Debian package, into $(O)/deb (dpkg-buildpackage)
#   make check-system   the package on a booted Debian 12 system (root)
#
# `make`, `make demo` and `make check` first install the Debian packages
# they miss (scripts/install-deps; root), then build in a sub-make: the
# pkg-config flags are read only after the packages are there, so the
# first run on a fresh machine links too.
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
SYSUSERSDIR ?= /usr/lib/sysusers.d
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
# Recursively expanded (=, not :=): pkg-config runs when a recipe needs
# the flags, after `deps` has installed the packages, never when make
# reads this file.  libzone's public API is libzone/include/zone/; its
# private headers (libzone/*.h) are found by its own sources as "..."
# next to them, and by the unit tests and benchmarks through PRIV_CFLAGS,
# never by daemon/ (scripts/check-structure).
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -MMD -MP -Ilibzone/include \
	$(PRIV_CFLAGS) $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
PRIV_CFLAGS :=
$(O)/tests/%.o $(O)/bench/%.o: PRIV_CFLAGS := -Ilibzone
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
# -lresolv: res_nquery(3) and ns_parserr(3) for breakout by name
# (daemon/resolver.c), which the daemon archive carries into unit tests
LIBS = $(shell pkg-config --libs $(PKGS)) -lresolv
CHECK_LIBS = $(shell pkg-config --libs check)

LIBZONE_SRCS := $(sort $(wildcard libzone/*.c))
ZONECTL_SRCS := daemon/zonectl.c daemon/zonectl_call.c daemon/zonectl_policy.c \
	daemon/ctlmsg.c daemon/json.c daemon/policydiff.c \
	daemon/policydiff_blocks.c
ZONED_SRCS := $(filter-out daemon/zonectl%.c,$(sort $(wildcard daemon/*.c)))
DAEMON_SRCS := $(filter-out daemon/zoned.c,$(ZONED_SRCS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRCS := $(sort $(wildcard bench/*.c))

LIBZONE := $(O)/libzone.a
LIBZONE_OBJS := $(LIBZONE_SRCS:%.c=$(O)/%.o)
ZONED_OBJS := $(ZONED_SRCS:%.c=$(O)/%.o)
ZONECTL_OBJS := $(ZONECTL_SRCS:%.c=$(O)/%.o)
DAEMON_A := $(O)/daemon.a
ZONED := $(O)/zoned
ZONECTL := $(O)/zonectl
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
FAKE_TESTS := test_ctwatch test_ha test_nflog test_nftmon test_reload
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(O)/bench/%)
PROGS := $(ZONED) $(if $(wildcard daemon/zonectl.c),$(ZONECTL))

# The packages first, then the programs in a sub-make, so that nothing
# is built before install-deps has run, whatever -j says.
all: deps-build
	@$(MAKE) --no-print-directory progs

progs: $(PROGS)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBZONE): $(LIBZONE_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# Every daemon object but main's, for zoned and for the unit tests.
$(DAEMON_A): $(DAEMON_SRCS:%.c=$(O)/%.o)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(ZONED): $(O)/daemon/zoned.o $(DAEMON_A) $(LIBZONE)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(ZONECTL): $(ZONECTL_OBJS) $(LIBZONE)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# A unit test links the objects it tests from the archives; the tests of
# modules that talk to the rest of the daemon link fake_daemon.o first.
$(O)/tests/%: $(O)/tests/unit/%.o $(DAEMON_A) $(LIBZONE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LIBS) \
		$(CHECK_LIBS) -lm

$(FAKE_TESTS:%=$(O)/tests/%): $(O)/tests/unit/fake_daemon.o
# the nftables monitor's test and fuzzer stand in for the session too
$(O)/tests/test_nftmon $(O)/fuzz/smoke_nftmon: $(O)/tests/unit/fake_nft.o

$(O)/bench/%: $(O)/bench/%.o $(LIBZONE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) -lm

deps:
	@sh scripts/install-deps all

deps-build:
	@sh scripts/install-deps build

deps-unit:
	@sh scripts/install-deps unit

deps-demo:
	@sh scripts/install-deps demo

# The tests run the sanitizer build; the tree's own build stays plain.
SAN_O := $(O)-san

check: deps
	$(MAKE) --no-print-directory O=$(SAN_O) SAN=1 progs unit-bins
	$(MAKE) --no-print-directory O=$(SAN_O) SAN=1 run-unit
	$(MAKE) --no-print-directory O=$(SAN_O) SAN=1 run-fuzz-smoke
	$(MAKE) --no-print-directory check-valgrind
	$(MAKE) --no-print-directory O=$(SAN_O) SAN=1 run-root
	$(MAKE) --no-print-directory check-vm
	$(MAKE) --no-print-directory check-system
	$(MAKE) --no-print-directory O=$(SAN_O) SAN=1 run-structure

check-unit: deps-unit
	$(MAKE) --no-print-directory O=$(SAN_O) SAN=1 unit-bins run-unit \
		run-fuzz-smoke

# The layout rules of HACKING.md on the objects of the programs: each
# "NAME:" starts the objects linked into one program.  The self-test first
# shows that the check fails on each kind of violation.
check-structure: deps-build
	$(MAKE) --no-print-directory run-structure

run-structure: $(ZONED_OBJS) $(ZONECTL_OBJS) $(LIBZONE_OBJS)
	@sh tests/structure-selftest
	@sh scripts/check-structure zoned: $(ZONED_OBJS) $(LIBZONE_OBJS) \
		$(if $(wildcard daemon/zonectl.c),zonectl: $(ZONECTL_OBJS) \
		$(LIBZONE_OBJS))

check-root: deps-build
	$(MAKE) --no-print-directory O=$(SAN_O) SAN=1 progs run-root

# The Debian package, built from this tree into $(O)/deb.
deb: deps
	@sh scripts/mkdeb $(O)/deb

# The package on a fresh, booted Debian 12 system (tests/system/run).
check-system: deb
	@$(MAKE) --no-print-directory progs
	@sh tests/system/run $(O)

unit-bins: $(UNIT_BINS)

run-unit: $(UNIT_BINS)
	@sh tests/run-unit $(UNIT_BINS)

# Namespace tests drive traffic with bench/flowgen too.
run-root: $(PROGS) $(O)/bench/flowgen
	@sh tests/shell/run $(O)

# The VM runs the plain build: the host is Debian 12 too, so its shared
# libraries are the VM's.
check-vm: all
	@sh tests/vm/run $(O)

check-valgrind:
	$(MAKE) --no-print-directory O=$(O)-vg unit-bins
	@VALGRIND=1 sh tests/run-unit $(UNIT_BINS:$(O)/%=$(O)-vg/%)

demo: deps-demo
	@$(MAKE) --no-print-directory progs
	@sh tests/demo/demo $(O)

# The town hall behind a gateway pair: keepalived, conntrackd, failover.
demo-ha: deps-demo
	@$(MAKE) --no-print-directory progs
	@bash tests/demo/demo-ha $(O)

bench: deps-build
	@$(MAKE) --no-print-directory progs bench-bins
	@sh bench/run $(O)

bench-bins: $(BENCH_BINS)

# The fuzzers (fuzz/fuzz_*.c, clang's libFuzzer): the config loader, the
# netlink parsers (NFLOG, conntrack events, nftables notifications) and the
# control protocol.  FUZZ= picks some; each runs FUZZ_SECONDS.  The seeds of
# the netlink and control fuzzers are made at run time by fuzz/mkseeds.c,
# the config fuzzer's are the test configs themselves.
FUZZ_O := $(O)-fuzz
FUZZ_TARGETS := conf nflog ctevent nftmon ctlmsg
FUZZ ?= $(FUZZ_TARGETS)
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -Ilibzone/include \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_SEEDS_conf := tests/conf/good tests/conf/bad conf

$(FUZZ_O)/mkseeds: fuzz/mkseeds.c daemon/ctlmsg.c
	@mkdir -p $(@D)
	$(CC) $(FUZZ_CFLAGS) -o $@ $^ $(LIBS)

# Every object of a fuzzer instrumented, libzone and the daemon (but
# main's) as archives, as the unit tests link them: a fuzzer's own stubs
# win over an archive's member.
FUZZ_OBJ_CFLAGS = $(FUZZ_CFLAGS) -MMD -MP \
	-fsanitize=fuzzer-no-link,address,undefined

$(FUZZ_O)/%.o: %.c
	@mkdir -p $(@D)
	clang $(FUZZ_OBJ_CFLAGS) -c -o $@ $<

$(FUZZ_O)/libzone.a: $(LIBZONE_SRCS:%.c=$(FUZZ_O)/%.o)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_O)/daemon.a: $(DAEMON_SRCS:%.c=$(FUZZ_O)/%.o)
	rm -f $@
	$(AR) rcs $@ $^

# The fuzzers of the watchers link the test doubles of the daemon around
# them first (tests/unit/fake_daemon.c), as their unit tests do.
FUZZ_FAKE := nflog ctevent nftmon

$(FUZZ_O)/fuzz_%: $(FUZZ_O)/fuzz/fuzz_%.o $(FUZZ_O)/daemon.a \
		$(FUZZ_O)/libzone.a
	clang -fsanitize=fuzzer,address,undefined -o $@ $(filter %.o,$^) \
		$(filter %.a,$^) $(LIBS)

$(FUZZ_FAKE:%=$(FUZZ_O)/fuzz_%): $(FUZZ_O)/tests/unit/fake_daemon.o
$(FUZZ_O)/fuzz_nftmon: $(FUZZ_O)/tests/unit/fake_nft.o

# The fuzz smoke run of `make check`: each target linked by the C compiler
# with fuzz/standalone.c instead of libFuzzer (in $(O), with SAN=1's
# sanitizers), and run once over its seeds.
FUZZ_SMOKE := $(FUZZ_TARGETS:%=$(O)/fuzz/smoke_%)

$(O)/fuzz/smoke_%: $(O)/fuzz/fuzz_%.o $(O)/fuzz/standalone.o $(DAEMON_A) \
		$(LIBZONE)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LIBS)

$(FUZZ_FAKE:%=$(O)/fuzz/smoke_%): $(O)/tests/unit/fake_daemon.o

$(O)/fuzz/mkseeds: $(O)/fuzz/mkseeds.o $(DAEMON_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

fuzz-smoke-bins: $(FUZZ_SMOKE) $(O)/fuzz/mkseeds

run-fuzz-smoke: fuzz-smoke-bins
	@rm -rf $(O)/fuzz/seeds
	@$(O)/fuzz/mkseeds $(O)/fuzz/seeds
	@set -e; for t in $(FUZZ_TARGETS); do \
		seeds="$(O)/fuzz/seeds/$$t"; \
		[ $$t = conf ] && seeds="$(FUZZ_SEEDS_conf)"; \
		$(O)/fuzz/smoke_$$t $$seeds; \
	done

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-run

fuzz-run: $(FUZZ:%=$(FUZZ_O)/fuzz_%) $(FUZZ_O)/mkseeds
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
	@$(MAKE) --no-print-directory install-files

# What install puts in place, from the programs already built in $(O).
install-files: $(PROGS)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/zoned \
		$(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(SYSCTLDIR) \
		$(DESTDIR)$(SYSUSERSDIR)
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
	install -m 0644 systemd/zoned.sysusers $(DESTDIR)$(SYSUSERSDIR)/zoned.conf

clean:
	rm -rf $(O) $(SAN_O) $(O)-vg $(FUZZ_O)

.PHONY: all progs deps deps-build deps-unit deps-demo check check-unit \
	check-structure run-structure \
	check-root check-valgrind check-vm check-system deb unit-bins run-unit \
	run-root demo demo-ha bench bench-bins fuzz fuzz-run fuzz-smoke-bins \
	run-fuzz-smoke install \
	install-files clean

# The dependency files of our own objects only: $(O) also caches root
# file systems and package trees, full of names ending in .d.
-include $(wildcard $(O)/libzone/*.d $(O)/daemon/*.d $(O)/tests/unit/*.d \
	$(O)/bench/*.d $(O)/fuzz/*.d $(FUZZ_O)/libzone/*.d $(FUZZ_O)/daemon/*.d \
	$(FUZZ_O)/fuzz/*.d $(FUZZ_O)/tests/unit/*.d)
