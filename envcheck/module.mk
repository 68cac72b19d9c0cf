# envcheck: until the detection engine (detect/*.c) is in the tree, the committed-keys rule falls
# back to a built-in private-key check instead of failing to link.
ifeq ($(wildcard detect/*.c),)
$(BUILD)/obj/envcheck/%.o: CFLAGS_ALL += -DENVCHECK_NO_DETECT
endif
