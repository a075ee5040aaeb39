# acmelet: plain make. Options come from .config (make menuconfig), or from
# the committed configs/defconfig when no .config exists.

CONFIG ?= $(if $(wildcard .config),.config,configs/defconfig)
.DEFAULT_GOAL := all
include $(CONFIG)

BUILD   ?= build
CC      ?= cc
PREFIX  ?= /usr/local
VERSION ?= 0.1.0

# WERROR=0 keeps warnings warnings: a distribution's newer compiler must not
# fail a firmware build (buildroot/package/acmelet/acmelet.mk passes it).
WERROR  ?= 1
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) -Wshadow -Wstrict-prototypes \
           -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
           -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64 \
           -DACMELET_VERSION='"$(VERSION)"' \
           -DACMELET_BUILD_TIME=$(BUILD_TIME) \
           -Isrc -Iport -Iport/posix
# SOURCE_DATE_EPOCH (reproducible builds: Buildroot, Debian) comes first.
BUILD_TIME := $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null || date +%s))

# FUZZ=1 (with CC=clang): the library instrumented for libFuzzer, with
# the ASan and UBSan of SAN=1; make fuzz sets it (tests/fuzz/).
ifeq ($(FUZZ),1)
CFLAGS  += -fsanitize=fuzzer-no-link
endif

ifneq ($(filter 1,$(SAN) $(FUZZ)),)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

# Files chosen by the configuration, not #ifdef blocks inside functions.
# An optional part is its file or, when off, a *_none.c with the same
# functions that says it is not built in. $(call off,X) is y when X is not.
off = $(if $(filter y,$(1)),n,y)
LIB_SRC := src/log.c src/loop.c src/proc.c src/b64.c src/json.c src/pem.c src/der.c src/csr.c src/chain_check.c src/schedule.c \
           src/challenge/challenge.c src/challenge/http01.c src/challenge/webroot.c src/challenge/hook.c \
           src/crypto.c src/jws.c src/acme.c src/store.c src/journal.c src/order.c src/agent.c src/conffile.c \
           src/commands.c src/names.c src/eab.c src/chain.c \
           src/store_account.c \
           src/cli.c port/posix/port_posix.c
LIB_SRC-$(CONFIG_HTTP_CURL)    += src/http/curl.c
LIB_SRC-$(CONFIG_HTTP_BEARSSL) += src/http/bearssl.c src/http/http1.c src/http/trust.c
LIB_SRC-$(CONFIG_CHALLENGE_HTTP01) += src/challenge/responder.c src/challenge/listen.c \
                                      src/challenge/slots.c
LIB_SRC-$(CONFIG_CHALLENGE_TLSALPN) += src/challenge/tls_alpn.c src/challenge/tls_server.c \
                                      src/challenge/alpn_cert.c src/challenge/listen.c \
                                      src/challenge/slots.c
LIB_SRC-$(call off,$(CONFIG_CHALLENGE_TLSALPN)) += src/challenge/tls_alpn_none.c
LIB_SRC-$(CONFIG_CHALLENGE_DNS) += src/dns/msg.c src/dns/tsig.c src/dns/keyfile.c \
                                   src/dns/query.c src/dns/resolve.c src/challenge/dns01.c \
                                   src/dns/persist.c
LIB_SRC-$(call off,$(CONFIG_CHALLENGE_DNS)) += src/challenge/dns01_none.c
LIB_SRC-$(CONFIG_CHALLENGE_DNS_PERSIST) += src/challenge/dns_persist.c src/persist_record.c
LIB_SRC-$(call off,$(CONFIG_CHALLENGE_DNS_PERSIST)) += src/challenge/dns_persist_none.c
LIB_SRC-$(CONFIG_EC_SMALL) += src/ec_small.c
LIB_SRC-$(call off,$(CONFIG_EC_SMALL)) += src/ec_fast.c
LIB_SRC-$(CONFIG_ACCOUNT_CMDS) += src/account.c src/acme_account.c src/revoke.c
LIB_SRC-$(call off,$(CONFIG_ACCOUNT_CMDS)) += src/account_none.c
LIB_SRC-$(CONFIG_DAEMON)   += src/daemon.c
LIB_SRC-$(call off,$(CONFIG_DAEMON)) += src/daemon_none.c
LIB_SRC-$(CONFIG_STATUS)   += src/status.c
LIB_SRC-$(call off,$(CONFIG_STATUS)) += src/status_none.c
LIB_SRC-$(CONFIG_HOOK)     += src/hook.c
LIB_SRC-$(call off,$(CONFIG_HOOK)) += src/hook_none.c
LIB_SRC-$(CONFIG_ARI)      += src/ari.c src/ari_state.c
LIB_SRC-$(call off,$(CONFIG_ARI)) += src/ari_none.c
LIB_SRC-$(CONFIG_SYSLOG)   += src/log_syslog.c
LIB_SRC-$(call off,$(CONFIG_SYSLOG)) += src/log_syslog_none.c
LIB_SRC-$(CONFIG_KEY_RSA)  += src/key_rsa.c
LIB_SRC-$(call off,$(CONFIG_KEY_RSA)) += src/key_rsa_none.c
LIBS-y := -lbearssl
LIBS-$(CONFIG_HTTP_CURL) += -lcurl

# sort: a file two options select (listen.c, slots.c) is built once.
SRC  := $(LIB_SRC) $(sort $(LIB_SRC-y))
OBJ  := $(SRC:%.c=$(BUILD)/%.o)
LIBA := $(BUILD)/libacmelet.a
BIN  := $(BUILD)/acmelet

# Tests of optional parts are built only when the part is.
UNIT_OPT := tests/unit/test_http_curl.c tests/unit/test_http_bearssl.c \
            tests/unit/test_http1.c tests/unit/test_responder.c \
            tests/unit/test_ari.c tests/unit/test_agent_sim.c \
            tests/unit/test_tls_alpn.c \
            tests/unit/test_dns_msg.c tests/unit/test_dns_persist.c \
            tests/unit/test_log_syslog.c
UNIT_OPT-$(CONFIG_HTTP_CURL) += tests/unit/test_http_curl.c
UNIT_OPT-$(CONFIG_HTTP_BEARSSL) += tests/unit/test_http_bearssl.c tests/unit/test_http1.c
UNIT_OPT-$(CONFIG_CHALLENGE_HTTP01) += tests/unit/test_responder.c
UNIT_OPT-$(CONFIG_CHALLENGE_TLSALPN) += tests/unit/test_tls_alpn.c
UNIT_OPT-$(CONFIG_ARI) += tests/unit/test_ari.c
UNIT_OPT-$(CONFIG_CHALLENGE_DNS) += tests/unit/test_dns_msg.c tests/unit/test_dns_persist.c
UNIT_OPT-$(CONFIG_DAEMON) += tests/unit/test_agent_sim.c
UNIT_OPT-$(CONFIG_SYSLOG) += tests/unit/test_log_syslog.c
UNIT_SRC := $(filter-out $(filter-out $(UNIT_OPT-y),$(UNIT_OPT)),\
              $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

FORCE:
.PHONY: FORCE all check unit demo install clean defconfig menuconfig bench bench-names
all: $(BIN)

$(BUILD)/%.o: %.c $(BUILD)/config.stamp
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# Everything is rebuilt when this build directory was last built with a
# configuration of other content (make compares dates, not contents, and
# two configurations may share a directory, e.g. build-bearssl).
$(BUILD)/config.stamp: FORCE
	@mkdir -p $(BUILD)
	@cmp -s $(CONFIG) $@ || cp $(CONFIG) $@

# The port trusts the wall clock once it is past the build time; rebuild it
# when that changes (make does not track -D values by itself).
$(BUILD)/build_time: FORCE
	@mkdir -p $(BUILD)
	@echo $(BUILD_TIME) | cmp -s - $@ || echo $(BUILD_TIME) > $@
$(BUILD)/port/posix/port_posix.o: $(BUILD)/build_time

# --version names the Kconfig options the binary was built with, so that a
# test can tell a part the build lacks from a part that is broken. cli.o
# depends on config.stamp like every object, so it follows a change.
FEATURES := $(patsubst CONFIG_%=y,%,$(shell grep '^CONFIG_.*=y' $(CONFIG)))
$(BUILD)/src/cli.o: CFLAGS += -DACMELET_FEATURES='"$(FEATURES)"'

$(LIBA): $(OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(BUILD)/src/main.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS-y)
	@echo "built $@ with $(CONFIG): $(FEATURES)"

# Tests may run the agent on the simulated port (port/sim), never the product.
SIM_OBJ := $(BUILD)/port/sim/port_sim.o
$(BUILD)/tests/%: tests/unit/%.c tests/unit/tap.h tests/unit/testlib.h $(LIBA) $(SIM_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(SIM_OBJ) $(LIBA) $(LIBS-y)

# The power-cut proof: a program (it needs Pebble), run by
# tests/integration/40-crash-sim.t, built like the unit tests.
CRASH_BIN := $(BUILD)/tests/crash_run
$(CRASH_BIN): tests/crash/crash_run.c $(LIBA) $(SIM_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(SIM_OBJ) $(LIBA) $(LIBS-y)

# The same for key rollovers (tests/integration/96-crash-rollover.t), in
# builds with ACCOUNT_CMDS.
CRASH_ROLL := $(BUILD)/tests/crash_rollover
$(CRASH_ROLL): tests/crash/crash_rollover.c $(LIBA) $(SIM_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(SIM_OBJ) $(LIBA) $(LIBS-y)

CRASH_ROLL-$(CONFIG_ACCOUNT_CMDS) := $(CRASH_ROLL)
unit: $(UNIT_BIN) $(CRASH_BIN) $(CRASH_ROLL-y)

# The unit test programs this configuration builds (51-bearssl-transport.t
# checks that every one of them ran).
.PHONY: print-unit-bins
print-unit-bins:
	@echo $(UNIT_BIN)

# ---- Fuzzing (tests/fuzz/README) ------------------------------------------
# One libFuzzer harness per tests/fuzz/fuzz_*.c, linked with the library of
# configs/staticconfig (every parser, the built-in transport's included) in
# build-fuzz. make fuzz runs each for FUZZ_SECONDS, one after the other;
# make check runs each for a few seconds (tests/fuzz/fuzz.t).
FUZZ_SECONDS ?= 60
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIBA) $(SIM_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer \
	  $(LDFLAGS) -o $@ $< $(SIM_OBJ) $(LIBA) $(LIBS-y)
fuzz-build: $(FUZZ_BIN)

.PHONY: fuzz fuzz-build
fuzz:
	$(MAKE) BUILD=build-fuzz CONFIG=configs/staticconfig CC=clang FUZZ=1 fuzz-build
	tests/fuzz/run.sh -t $(FUZZ_SECONDS) -k

# The whole suite: installs what is missing (as root), then prove.
check:
	tests/run

demo:
	tests/demo.sh

# make install [DESTDIR=...] [PREFIX=/usr/local]: the binary, both man
# pages, the example configuration, the example hooks of docs/examples/,
# the systemd unit and the BusyBox/SysV init script (dist/). The units
# name the binary at SBINDIR. /etc/acmelet.conf itself is never written.
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/acmelet
SYSCONFDIR ?= /etc
INITDIR ?= $(SYSCONFDIR)/init.d
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
EXAMPLES := $(wildcard docs/examples/*)
install: $(BIN)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR)/examples \
	  $(DESTDIR)$(INITDIR) $(DESTDIR)$(SYSTEMDUNITDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/acmelet
	install -m 0644 man/acmelet.8 $(DESTDIR)$(MANDIR)/man8/acmelet.8
	install -m 0644 man/acmelet.conf.5 $(DESTDIR)$(MANDIR)/man5/acmelet.conf.5
	install -m 0644 dist/acmelet.conf.example $(DESTDIR)$(DOCDIR)/acmelet.conf.example
	$(if $(EXAMPLES),install -m 0755 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/)
	sed 's|/usr/sbin/acmelet|$(SBINDIR)/acmelet|g' dist/acmelet.service \
	  >$(DESTDIR)$(SYSTEMDUNITDIR)/acmelet.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/acmelet.service
	sed 's|/usr/sbin/acmelet|$(SBINDIR)/acmelet|g' dist/acmelet.init \
	  >$(DESTDIR)$(INITDIR)/acmelet
	chmod 0755 $(DESTDIR)$(INITDIR)/acmelet

defconfig:
	cp configs/defconfig .config

menuconfig:
	kconfig-mconf Kconfig

clean:
	rm -rf build build-*

# ---- The static binary, configurations, cross builds, bench -------------
# make static: one fully static, stripped binary (musl, BearSSL inside) in
# build/static, from configs/staticconfig or CONFIG=... given on the command
# line; make static-tiny: the same from configs/tinyconfig in
# build/static-tiny. Debian's libbearssl.a is glibc-built with fortify: the
# static link adds src/fortify_shims.c, and nothing else ever does.
STATIC_CONFIG := $(if $(filter command line,$(origin CONFIG)),$(CONFIG),configs/staticconfig)
STATIC_DIR ?= build/static
MUSL_CC ?= musl-gcc
# -Oz and link-time optimisation (one partition: the same output on every
# run) take 5.5 KiB off our own code. src/static.ld drops the prebuilt
# archives' unwind tables while linking (strip -R left their place as a
# hole); -z norelro: a static non-PIE binary has no loader to apply RELRO,
# and laying out for it cost up to a page of padding.
STATIC_CFLAGS := -Oz -flto -ffat-lto-objects -fno-pie -ffunction-sections -fdata-sections \
                 -fno-asynchronous-unwind-tables -fno-unwind-tables
STATIC_LDFLAGS := -static -no-pie -s -Oz -flto -flto-partition=one \
                  -Wl,--gc-sections -Wl,-z,noseparate-code -Wl,-z,norelro \
                  -Wl,-T,src/static.ld -Wl,--build-id=none

.PHONY: static static-tiny tinyconfig olddefconfig cross-check
static:
	@command -v $(MUSL_CC) >/dev/null || { echo "static: $(MUSL_CC) not found (Debian: apt-get install musl-tools)" >&2; exit 1; }
	@grep -q '^CONFIG_HTTP_BEARSSL=y' $(STATIC_CONFIG) || { echo "static: $(STATIC_CONFIG) must select HTTP_BEARSSL (libcurl cannot be linked statically here)" >&2; exit 1; }
	@# make tracks no flags: objects built with other flags are rebuilt.
	@echo '$(STATIC_CFLAGS) $(STATIC_LDFLAGS)' | cmp -s - $(STATIC_DIR)/flags.stamp || \
	  { rm -rf $(STATIC_DIR); mkdir -p $(STATIC_DIR); \
	    echo '$(STATIC_CFLAGS) $(STATIC_LDFLAGS)' > $(STATIC_DIR)/flags.stamp; }
	@# musl-gcc hides /usr/include: offer BearSSL's and jsmn's headers only.
	@mkdir -p $(STATIC_DIR)/include
	@ln -sfn /usr/include/bearssl.h /usr/include/bearssl /usr/include/jsmn.h $(STATIC_DIR)/include/
	CFLAGS="$(STATIC_CFLAGS) -I$(STATIC_DIR)/include" LDFLAGS="$(STATIC_LDFLAGS)" \
	  $(MAKE) BUILD=$(STATIC_DIR) CONFIG=$(STATIC_CONFIG) CC=$(MUSL_CC) \
	  STATIC_SHIMS=1 LIBS-y="$$(cc -print-file-name=libbearssl.a)" all
	strip -R .comment $(STATIC_DIR)/acmelet
	@echo "static: $(STATIC_DIR)/acmelet $$(wc -c <$(STATIC_DIR)/acmelet) bytes"

static-tiny:
	$(MAKE) static CONFIG=configs/tinyconfig STATIC_DIR=build/static-tiny

ifeq ($(STATIC_SHIMS),1)
$(BIN): $(BUILD)/src/fortify_shims.o
endif

tinyconfig:
	cp configs/tinyconfig .config

# Brings .config up to date with Kconfig without questions.
olddefconfig:
	@[ -f .config ] || cp configs/defconfig .config
	kconfig-conf --olddefconfig Kconfig

# make cross-check ARCH=mipsel|s390x: installs the cross toolchain (as
# root), builds with the BearSSL transport, runs the unit tests and one
# issuance against Pebble under qemu-user.
ARCH ?= mipsel
cross-check:
	tests/cross/run.sh $(ARCH)

# Size, peak RSS, time, requests and connections of one issuance, for the
# libcurl, static and tiny static builds, then of one certificate for 1, 10
# and 100 names on both transports (docs/performance.md). bench-names: the
# second part alone (RUNS=5 BENCH_NAMES="1 10 100").
bench:
	tests/bench/bench.sh
	tests/bench/names.sh

bench-names:
	tests/bench/names.sh

-include $(OBJ:.o=.d) $(BUILD)/src/main.d
