# Builds, tests and installs the suite (`secrets`, `scanner`). `make` and `make install` only build
# and install; `make deps` installs the Debian packages (and the npm test tools). The targets that
# a new user runs first (`make test`, `make demo`) and the checkers call `make deps` first, then
# build in a sub-make so pkg-config runs after the packages are there.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
CC      ?= cc
BUILD   ?= build
VERSION := 0.1.0
Q       := $(if $(V),,@)

# Each folder is a module with one header of its own; scanner/ holds one sub-folder per source
# (dockerfile, image, runtime, compose, container, ...), each a module of its own: a new folder
# there is picked up without touching this file.
SCANNER_PARTS := $(patsubst %/,%,$(sort $(dir $(wildcard scanner/*/*.c))))
MODULES  := common keys detect envcheck vault engine scanner $(SCANNER_PARTS)
PROGRAMS := secrets scanner
PKGS     := libsodium libsecret-1 inih libcjson libpcre2-8 libhs libarchive libcurl yaml-0.1 libgit2 libxml-2.0

# Debian packages: to build, and to run the tests (keyring daemon, engine, image tools, linters).
DEPS_BUILD := build-essential clang pkg-config libsodium-dev libsecret-1-dev libinih-dev \
	libcjson-dev libcmocka-dev libpcre2-dev libvectorscan-dev libarchive-dev \
	libcurl4-openssl-dev libzxcvbn-dev libyaml-dev libgit2-dev libxml2-dev libsqlite3-dev
DEPS_TEST  := libclang-rt-14-dev cppcheck clang-tidy gnome-keyring dbus-daemon dbus-bin \
	libsecret-tools podman umoci skopeo zstd distro-info-data git nodejs npm groff-base pass gnupg \
	python3 python3-dotenv strace libxml2-utils pre-commit zsh rpm golang-go

.PHONY: all deps programs test check lint fuzz fuzz-long bench install uninstall clean demo docs \
	unit-tests fuzz-targets

all: programs

# Installs what is missing, and nothing when all is there. Root uses apt-get, others sudo.
deps:
	@missing=""; for p in $(DEPS_BUILD) $(DEPS_TEST); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || \
	    missing="$$missing $$p"; \
	done; \
	if command -v node >/dev/null 2>&1; then missing=$$(echo "$$missing" | sed 's/ nodejs//; s/ npm//'); fi; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing \
	    >/dev/null || { echo "deps: apt-get install failed" >&2; exit 1; }; \
	fi
	@sum=$$(sha256sum < tests/package-lock.json 2>/dev/null); \
	if [ -f tests/package.json ] && [ "$$(cat tests/node_modules/.installed 2>/dev/null)" != "$$sum" ]; then \
	  echo "deps: npm tools for tests (tests/package.json)"; \
	  (cd tests && npm ci --no-audit --no-fund --loglevel=error >/dev/null) && \
	    echo "$$sum" > tests/node_modules/.installed || \
	    echo "deps: npm install failed; tests that need it will fail" >&2; \
	fi

# ---- Flags -----------------------------------------------------------------------------------
cc_has = $(shell $(CC) -Werror $(1) -E -x c /dev/null -o /dev/null >/dev/null 2>&1 && echo $(1))

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lzxcvbn -lm
# The programs start fast: libcurl and libarchive (and the dozens of libraries they bring) are
# loaded with dlopen when a command first needs them (common/lazylib.c), so they are not linked;
# Vectorscan is linked statically with its C++ runtime, so no libstdc++ is loaded and relocated
# at start. Sanitizer builds link everything dynamically. Tests and fuzzers link everything.
LAZY_PKGS  := libcurl libarchive
ifeq ($(SANITIZE),)
HS_STATIC  := $(shell pkg-config --variable=libdir libhs 2>/dev/null)/libhs.a
PROG_LIBS  := $(shell pkg-config --libs $(filter-out $(LAZY_PKGS) libhs,$(PKGS)) 2>/dev/null) \
	$(HS_STATIC) -Wl,-Bstatic -lstdc++ -Wl,-Bdynamic -static-libgcc -lzxcvbn -lm
else
PROG_LIBS  := $(shell pkg-config --libs $(filter-out $(LAZY_PKGS),$(PKGS)) 2>/dev/null) -lzxcvbn -lm
endif
WARN       := -Wall -Wextra -Werror -Wformat -Werror=format-security -Wshadow \
	-Wno-missing-field-initializers \
	-Wstrict-prototypes -Wmissing-prototypes $(call cc_has,-Wtrampolines)
HARDEN     := -fstack-protector-strong $(call cc_has,-fstack-clash-protection) \
	$(call cc_has,-fcf-protection=full) -fPIE
LDHARDEN   := -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack
INCLUDES   := -I. $(addprefix -I,$(MODULES))

ifeq ($(SANITIZE),1)
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
else ifeq ($(SANITIZE),fuzz)
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined,fuzzer-no-link \
	-fno-sanitize-recover=all -DFUZZING
else
OPT      := -O2 -g -D_FORTIFY_SOURCE=2
endif

CPPFLAGS_ALL := -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -DSUITE_VERSION='"$(VERSION)"' $(INCLUDES)
CFLAGS_ALL   := -std=c11 $(OPT) $(WARN) $(HARDEN) $(PKG_CFLAGS) $(CPPFLAGS_ALL) $(CFLAGS)
LDFLAGS_ALL  := $(OPT) $(LDHARDEN) $(LDFLAGS)

# ---- Sources ---------------------------------------------------------------------------------
LIB_SRCS := $(foreach m,$(MODULES),$(wildcard $(m)/*.c))
# Modules may add generated objects and steps in their own module.mk (e.g. a rule database).
GENERATED_OBJS :=
EXTRA_CLEAN    :=
-include $(wildcard $(addsuffix /module.mk,$(MODULES)))

LIB_OBJS  := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS)) $(GENERATED_OBJS)
LIB       := $(BUILD)/libsuite.a
CLI_SRCS  := $(wildcard cli/*.c)
CLI_COMMON_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter cli/cli_%.c,$(CLI_SRCS)))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
UNIT_HELPER_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/unit/helper_*.c))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)

programs: $(addprefix $(BUILD)/,$(PROGRAMS))

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

# Each program: cli/<prog>.c plus cli/<prog>_*.c (one file per subcommand) plus cli/cli_*.c.
define PROGRAM_RULE
$(BUILD)/$(1): $(patsubst %.c,$(BUILD)/obj/%.o,cli/$(1).c $(wildcard cli/$(1)_*.c)) $(CLI_COMMON_OBJS) $(LIB) \
		$(LAZY_STUB_OBJS)
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(LDFLAGS_ALL) -o $$@ $$(filter %.o,$$^) $$(LIB) $$(PROG_LIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call PROGRAM_RULE,$(p))))

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(UNIT_HELPER_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS_ALL) $(TEST_LDFLAGS_$*) -o $@ $(filter %.o,$^) $(LIB) $(PKG_LIBS) -lcmocka

unit-tests: $(UNIT_BINS)

# docs/rules.md is generated from the rule tables: rules_dump prints them, docs/gen/rules_md.py
# lays them into docs/gen/rules.md.in. `make docs` rewrites it; a test fails when it is stale.
RULES_DUMP := $(BUILD)/gen/rules_dump
$(RULES_DUMP): $(BUILD)/obj/docs/gen/rules_dump.o $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(LIB) $(PKG_LIBS)

docs: $(RULES_DUMP) programs
	@python3 docs/gen/rules_md.py $(RULES_DUMP)
	@python3 docs/gen/cli_docs.py $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- Tests -----------------------------------------------------------------------------------
test: deps
	@$(MAKE) --no-print-directory programs unit-tests $(RULES_DUMP)
	@tests/run.sh $(BUILD)

# The same tests with AddressSanitizer + UndefinedBehaviorSanitizer (clang); any report fails.
check: deps
	@$(MAKE) --no-print-directory CC=clang SANITIZE=1 BUILD=build/asan programs unit-tests \
	  build/asan/gen/rules_dump
	@SUITE_MAKE_VARS="CC=clang SANITIZE=1" \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86 \
	  tests/run.sh build/asan

lint: deps
	@tests/lint.sh $(LIB_SRCS) $(CLI_SRCS)

FUZZ_SECONDS ?= 20
fuzz: deps
	@$(MAKE) --no-print-directory CC=clang SANITIZE=fuzz BUILD=build/fuzz fuzz-targets
	@tests/fuzz/run.sh build/fuzz $(FUZZ_SECONDS)

# Every target for FUZZ_SECONDS each (default 1 h here), the corpora in tests/fuzz/corpus grown
# from the runs (-merge=1): `FUZZ_SECONDS=600 make fuzz-long`, `FUZZ_ONLY=config` for one.
fuzz-long: deps
	@$(MAKE) --no-print-directory CC=clang SANITIZE=fuzz BUILD=build/fuzz fuzz-targets
	@tests/fuzz/run.sh build/fuzz $(if $(filter command line environment,$(origin FUZZ_SECONDS)),$(FUZZ_SECONDS),3600) grow

fuzz-targets: $(patsubst tests/fuzz/%.c,$(BUILD)/fuzzers/%,$(FUZZ_SRCS))

$(BUILD)/fuzzers/%: $(BUILD)/obj/tests/fuzz/%.o $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS_ALL) -fsanitize=fuzzer -o $@ $< $(LIB) $(PKG_LIBS)

bench: deps
	@$(MAKE) --no-print-directory programs
	@tests/bench/run.sh $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory programs
	@contrib/examples/demo.sh $(BUILD)

install: programs
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(addprefix $(BUILD)/,$(PROGRAMS)) $(DESTDIR)$(BINDIR)/
	@if ls docs/*.1 >/dev/null 2>&1; then install -d $(DESTDIR)$(MANDIR)/man1 && \
	  install -m 0644 docs/*.1 $(DESTDIR)$(MANDIR)/man1/; fi
	@if [ -d contrib/completions ]; then \
	  install -d $(DESTDIR)$(DATADIR)/bash-completion/completions && \
	  for f in contrib/completions/*.bash; do \
	    install -m 0644 $$f $(DESTDIR)$(DATADIR)/bash-completion/completions/$$(basename $$f .bash); \
	  done; \
	  install -d $(DESTDIR)$(DATADIR)/zsh/vendor-completions && \
	  for f in contrib/completions/*.zsh; do \
	    install -m 0644 $$f $(DESTDIR)$(DATADIR)/zsh/vendor-completions/_$$(basename $$f .zsh); \
	  done; fi

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(PROGRAMS))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(wildcard docs/*.1)))
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/bash-completion/completions/,$(PROGRAMS))
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/zsh/vendor-completions/_,$(PROGRAMS))

clean:
	rm -rf build $(EXTRA_CLEAN)
