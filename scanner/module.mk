# scanner/module.mk: extra build steps of the scanner module.
# Until the detection engine (detect/*.c) is merged, a small stand-in implements detect.h so the
# Dockerfile scanner links and its tests run; it drops out by itself once detect_scan exists.
ifeq ($(shell grep -ls '^detect_scan' detect/*.c 2>/dev/null),)
GENERATED_OBJS += $(BUILD)/obj/scanner/fallback/detect_fallback.o
endif
