# keys/module.mk: the unit test wraps libsodium's randombytes_uniform at link time, so it can feed
# keys_generate a biased source and prove its chi-square test rejects it (tests/unit/test_keys.c).
TEST_LDFLAGS_test_keys := -Wl,--wrap=randombytes_uniform
