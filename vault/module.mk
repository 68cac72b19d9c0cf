# vault: the unit test driver checks every heap block freed while a secret passes through the
# vault for that secret's bytes, so it wraps free() (tests/unit/test_vault.c).
TEST_LDFLAGS_test_vault := -Wl,--wrap=free
