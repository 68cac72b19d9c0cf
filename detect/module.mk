# detect/module.mk: builds the rule database at build time. A host program (detect/gen/, built
# without sanitizers whatever the build) compiles every rule into one Vectorscan database and
# serializes it; the blob is linked in through an .incbin object and loaded by detect_open.

DETECT_GEN      := $(BUILD)/gen/detect_gen
DETECT_DB_BIN   := $(BUILD)/gen/detect_db.bin
DETECT_DB_ASM   := $(BUILD)/gen/detect_db.S
DETECT_DB_OBJ   := $(BUILD)/obj/gen/detect_db.o
DETECT_GEN_CFLAGS := -std=c11 -O1 -D_GNU_SOURCE -I. -Icommon -Idetect \
	$(shell pkg-config --cflags libhs 2>/dev/null)
DETECT_GEN_LIBS := $(shell pkg-config --libs libhs 2>/dev/null)

GENERATED_OBJS += $(DETECT_DB_OBJ)

$(DETECT_GEN): detect/gen/detect_gen.c detect/rules.c detect/detect_internal.h detect/detect.h \
		common/common.h detect/module.mk
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(CC) $(DETECT_GEN_CFLAGS) -o $@ detect/gen/detect_gen.c detect/rules.c $(DETECT_GEN_LIBS)

$(DETECT_DB_BIN): $(DETECT_GEN)
	@echo "  GEN     $@"
	$(Q)$(DETECT_GEN) $@.tmp && mv $@.tmp $@

$(DETECT_DB_OBJ): $(DETECT_DB_BIN)
	@mkdir -p $(dir $@)
	@echo "  AS      $@"
	$(Q)printf '%s\n' '.section .rodata' '.balign 64' '.globl detect_db_blob' \
	  '.type detect_db_blob, @object' 'detect_db_blob:' '.incbin "$(abspath $<)"' \
	  '.globl detect_db_blob_end' 'detect_db_blob_end:' '.byte 0' \
	  '.section .note.GNU-stack,"",@progbits' >$(DETECT_DB_ASM)
	$(Q)$(CC) -c $(DETECT_DB_ASM) -o $@

# The detector's unit test reads fixture files relative to the repository root.
