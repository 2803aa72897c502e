# kubectl-multigres: one non-recursive GNU Makefile.
#
#   make            library, plugin, TUI, operator
#   make test       every test suite (unit, loopback HTTPS, real control plane)
#   make asan       the same tests built with ASan + UBSan
#   make check      warnings-as-errors build, tests, cppcheck
#   make install PREFIX=/usr/local
#   make dist       the plugin's release tarball and its krew manifest (dist/)
#   make bench      benchmarks (not part of make test)
#
# Normal builds put the products in the tree (shared/libmultigres.a,
# plugin/kubectl-multigres, ...) and objects under build/; the sanitizer build
# puts everything under build/asan/.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
CC         ?= cc
PKG_CONFIG ?= pkg-config
WERROR     ?= 1

O   ?=
OBJ := $(if $(O),$(O)obj,build/obj)

LIB_PKGS := libcurl libcjson yaml-0.1 openssl
LIB_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(LIB_PKGS))
LIB_LIBS   := $(shell $(PKG_CONFIG) --libs $(LIB_PKGS))
TUI_CFLAGS := $(shell $(PKG_CONFIG) --cflags ncursesw)
TUI_LIBS   := $(shell $(PKG_CONFIG) --libs ncursesw) -pthread
RL_LIBS    := $(shell $(PKG_CONFIG) --libs readline 2>/dev/null || echo -lreadline)
TEST_LIBS  := $(shell $(PKG_CONFIG) --libs cmocka)

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wvla -Wwrite-strings \
	-Wpointer-arith -Wundef -Wcast-qual -fno-common
ifeq ($(WERROR),1)
WARN += -Werror
endif

ifeq ($(SANITIZE),1)
OPT := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
else
OPT := -g -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong
endif

CPPFLAGS += -D_POSIX_C_SOURCE=200809L -DMG_VERSION='"$(VERSION)"' -Ishared
CFLAGS   ?=
CFLAGS   += -std=c11 $(WARN) $(OPT) $(LIB_CFLAGS)
LDFLAGS  += $(if $(filter 1,$(SANITIZE)),-fsanitize=address$(,)undefined)
, := ,

LIB      := $(O)shared/libmultigres.a
LIB_SRC  := $(sort $(wildcard shared/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(OBJ)/%.o)

PLUGIN     := $(O)plugin/kubectl-multigres
PLUGIN_SRC := $(sort $(wildcard plugin/*.c))
PLUGIN_OBJ := $(PLUGIN_SRC:%.c=$(OBJ)/%.o)
TUI        := $(O)tui/multigres-tui
TUI_SRC    := $(sort $(wildcard tui/*.c))
TUI_OBJ    := $(TUI_SRC:%.c=$(OBJ)/%.o)
# The dashboard without its main(): linked into the plugin too, so that
# `kubectl multigres tui` works from the one binary krew installs.
TUI_LIB_OBJ := $(filter-out $(OBJ)/tui/main.o,$(TUI_OBJ))
OPERATOR     := $(O)operator/multigres-operator
OPERATOR_SRC := $(sort $(wildcard operator/*.c))
OPERATOR_OBJ := $(OPERATOR_SRC:%.c=$(OBJ)/%.o)
PROGRAMS := $(PLUGIN) $(TUI) $(OPERATOR)

# Unit tests: one cmocka binary per tests/unit/test_<name>.c, linked with
# the helpers in tests/unit/lib/.
TEST_SRC     := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN     := $(TEST_SRC:tests/unit/%.c=$(OBJ)/tests/%)
ITEST_SRC    := $(sort $(wildcard tests/integration/itest_*.c))
ITEST_BIN    := $(ITEST_SRC:tests/integration/%.c=$(OBJ)/tests/%)
TESTLIB_SRC  := $(sort $(wildcard tests/unit/lib/*.c))
TESTLIB_OBJ  := $(TESTLIB_SRC:%.c=$(OBJ)/%.o)

.SECONDARY:
.PHONY: all test unit-test asan check cppcheck install uninstall clean \
	testbins sandbox sandbox-down bench dist
all: $(LIB) $(PROGRAMS)

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(OBJ)/tui/%.o: CFLAGS += $(TUI_CFLAGS) -pthread
$(OBJ)/plugin/cmd_tui.o: CPPFLAGS += -Itui

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(PLUGIN): $(PLUGIN_OBJ) $(TUI_LIB_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(PLUGIN_OBJ) $(TUI_LIB_OBJ) $(LIB) $(LIB_LIBS) $(RL_LIBS) $(TUI_LIBS)

$(TUI): $(TUI_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(TUI_OBJ) $(LIB) $(LIB_LIBS) $(TUI_LIBS)

$(OPERATOR): $(OPERATOR_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(OPERATOR_OBJ) $(LIB) $(LIB_LIBS)

$(OBJ)/tests/%: $(OBJ)/tests/unit/%.o $(TESTLIB_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(TESTLIB_OBJ) $(LIB) $(LIB_LIBS) $(TEST_LIBS)

$(OBJ)/tests/itest_%: $(OBJ)/tests/integration/itest_%.o $(TESTLIB_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(TESTLIB_OBJ) $(LIB) $(LIB_LIBS) $(TEST_LIBS)

$(OBJ)/tests/unit/%.o $(OBJ)/tests/integration/%.o: CPPFLAGS += -Itests/unit/lib

unit-test: $(TEST_BIN) $(ITEST_BIN) $(PROGRAMS)
	tests/run-unit $(TEST_BIN)

# Every suite; the control-plane suites start one local cluster and always
# stop it (tests/run).
test: $(TEST_BIN) $(ITEST_BIN) $(PROGRAMS)
	MG_BIN_DIR=$(abspath $(O)) MG_TEST_BIN_DIR=$(abspath $(OBJ)/tests) tests/run

asan:
	$(MAKE) O=build/asan/ SANITIZE=1 test

cppcheck:
	cppcheck --std=c11 --enable=warning,style,performance,portability \
		--inline-suppr --error-exitcode=1 -q \
		--suppress=missingIncludeSystem -Ishared \
		--include=tests/cppcheck.h \
		shared plugin tui operator

check:
	$(MAKE) WERROR=1 all
	$(MAKE) test
	$(MAKE) cppcheck

testbins:
	tests/cluster/build

# The main job: a local control plane with the CRDs, the data-plane
# simulator and a sample cluster, then `kubectl multigres status`.
sandbox: all
	tests/sandbox up

sandbox-down:
	tests/sandbox down

# Benchmarks, not part of `make test`: the snapshot with 200 shards and
# 10 000 watch events (tests/bench/run), then `status` against the kubectl
# call that reads the same objects, on a local control plane with 3 cells
# x 10 shards x 3 pods (tests/bench/status-vs-kubectl: requests and time),
# then the dashboard with 200 shards x 3 pods, in process and in tmux on a
# control plane of its own (tests/bench/bench_tui.sh).
bench: $(PLUGIN) $(TUI)
	tests/bench/run
	tests/bench/status-vs-kubectl
	d=$$(mktemp -d) && tests/cluster/up "$$d" >/dev/null && \
	(set -a; . "$$d/env"; set +a; tests/bench/bench_tui.sh); \
	rc=$$?; tests/cluster/down "$$d" >/dev/null; rm -rf "$$d"; exit $$rc

# Everything a newcomer needs on PATH and MANPATH: the programs, the link
# kubectl (>= 1.26) runs to complete `kubectl multigres`, the man pages and
# the bash, zsh and fish completions.
BINDIR  = $(DESTDIR)$(PREFIX)/bin
MAN1DIR = $(DESTDIR)$(PREFIX)/share/man/man1
MAN8DIR = $(DESTDIR)$(PREFIX)/share/man/man8
BASHDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR  = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
MAN1    = $(wildcard man/*.1)
MAN8    = $(wildcard man/*.8)

install: all
	install -d $(BINDIR) $(MAN1DIR) $(MAN8DIR) $(BASHDIR) $(ZSHDIR) $(FISHDIR)
	install -m 755 $(PROGRAMS) $(BINDIR)/
	ln -sf kubectl-multigres $(BINDIR)/kubectl_complete-multigres
	$(if $(MAN1),install -m 644 $(MAN1) $(MAN1DIR)/)
	$(if $(MAN8),install -m 644 $(MAN8) $(MAN8DIR)/)
	install -m 644 completions/kubectl-multigres.bash $(BASHDIR)/kubectl-multigres
	install -m 644 completions/kubectl-multigres.zsh $(ZSHDIR)/_kubectl-multigres
	install -m 644 completions/kubectl-multigres.fish $(FISHDIR)/kubectl-multigres.fish

uninstall:
	rm -f $(addprefix $(BINDIR)/,$(notdir $(PROGRAMS)) kubectl_complete-multigres)
	rm -f $(addprefix $(MAN1DIR)/,$(notdir $(MAN1))) $(addprefix $(MAN8DIR)/,$(notdir $(MAN8)))
	rm -f $(BASHDIR)/kubectl-multigres $(ZSHDIR)/_kubectl-multigres \
		$(FISHDIR)/kubectl-multigres.fish

# The release tarball of the plugin for this machine's os/arch (krew's
# names: linux/amd64, darwin/arm64...): the stripped binary and LICENSE,
# reproducible (sorted, owner 0, mtime of the last commit, gzip without a
# name or time), and the krew manifest krew/multigres.yaml filled in with
# its version, URL and sha256, next to it in $(DIST_DIR).
DIST_DIR   ?= dist
DIST_OS    ?= $(shell uname -s | tr A-Z a-z)
DIST_ARCH  ?= $(shell uname -m | sed 's/^x86_64$$/amd64/; s/^aarch64$$/arm64/; s/^armv7l$$/arm/; s/^i[3-6]86$$/386/')
DIST_NAME  := kubectl-multigres_v$(VERSION)_$(DIST_OS)_$(DIST_ARCH)
RELEASE_URL ?= https://github.com/multigres/kubectl-multigres/releases/download
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

dist: $(PLUGIN)
	rm -rf $(DIST_DIR)/$(DIST_NAME)
	mkdir -p $(DIST_DIR)/$(DIST_NAME)
	strip --strip-all -o $(DIST_DIR)/$(DIST_NAME)/kubectl-multigres $(PLUGIN)
	cp LICENSE $(DIST_DIR)/$(DIST_NAME)/LICENSE
	chmod 755 $(DIST_DIR)/$(DIST_NAME)/kubectl-multigres
	chmod 644 $(DIST_DIR)/$(DIST_NAME)/LICENSE
	tar --sort=name --mtime=@$(SOURCE_DATE_EPOCH) --owner=0 --group=0 \
		--numeric-owner --format=gnu -C $(DIST_DIR)/$(DIST_NAME) \
		-cf - LICENSE kubectl-multigres | gzip -9n > $(DIST_DIR)/$(DIST_NAME).tar.gz
	rm -rf $(DIST_DIR)/$(DIST_NAME)
	sha=$$(sha256sum $(DIST_DIR)/$(DIST_NAME).tar.gz | cut -d' ' -f1) && \
	sed -e '/^#/d' -e 's|@VERSION@|v$(VERSION)|g' -e 's|@OS@|$(DIST_OS)|g' \
		-e 's|@ARCH@|$(DIST_ARCH)|g' -e "s|@SHA256@|$$sha|g" \
		-e 's|@URI@|$(RELEASE_URL)/v$(VERSION)/$(DIST_NAME).tar.gz|g' \
		krew/multigres.yaml > $(DIST_DIR)/multigres.yaml
	@echo "$(DIST_DIR)/$(DIST_NAME).tar.gz $(DIST_DIR)/multigres.yaml"

clean:
	rm -rf build $(LIB) $(PROGRAMS)

-include $(LIB_OBJ:.o=.d) $(PLUGIN_OBJ:.o=.d) $(TUI_OBJ:.o=.d) $(OPERATOR_OBJ:.o=.d) $(TESTLIB_OBJ:.o=.d) $(TEST_SRC:tests/unit/%.c=$(OBJ)/tests/unit/%.d)
