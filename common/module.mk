# common/module.mk: libgit2 and libxml2 (only --git and JUnit reports use them) are not linked
# into the programs: common/gen/lazy_stubs.sh writes a stub for every function of theirs the
# code calls, and the first call loads the library (common/lazylib.c, lazy_stubs_resolve).
# x86-64 only (the stubs are assembly); elsewhere, and in tests and fuzzers, they are linked.

ifeq ($(shell uname -m),x86_64)
LAZY_STUB_LIBS := git2 xml2
LAZY_STUB_OBJS := $(patsubst %,$(BUILD)/obj/gen/lazy_%.o,$(LAZY_STUB_LIBS))
PROG_LIBS      := $(filter-out $(patsubst %,-l%,$(LAZY_STUB_LIBS)),$(PROG_LIBS))
# Every object a program may link: the stubs cover each function any of them calls.
LAZY_STUB_USERS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS) $(wildcard cli/*.c))

$(BUILD)/gen/lazy_%.S: common/gen/lazy_stubs.sh $(LAZY_STUB_USERS)
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)common/gen/lazy_stubs.sh $* $$($(CC) -print-file-name=lib$*.so) $(LAZY_STUB_USERS) \
	  >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/lazy_%.o: $(BUILD)/gen/lazy_%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $@"
	$(Q)$(CC) -c $< -o $@

.SECONDARY: $(patsubst %,$(BUILD)/gen/lazy_%.S,$(LAZY_STUB_LIBS))
endif
