/* Unit tests of src/core/crypto.c: SM3 vectors, sealed fields, tokens, passwords. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/crypto.h"

#include <openssl/evp.h>
#include <pthread.h>

static char key_path[64];

static int setup(void **state)
{
	(void)state;
	if (crypto_init() < 0)
		return -1;
	snprintf(key_path, sizeof(key_path), "/tmp/tala-test-key-%d", (int)getpid());
	unlink(key_path);
	char err[256];
	return crypto_load_key(key_path, true, err, sizeof(err));
}

static int teardown(void **state)
{
	(void)state;
	unlink(key_path);
	return 0;
}

static void test_sm3_matches_the_standard_vector(void **state)
{
	(void)state;
	char out[CRYPTO_SM3_HEX];
	/* GB/T 32905-2016, example 1 */
	crypto_sm3_hex("abc", 3, out);
	assert_string_equal(out, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
}

static void test_seal_roundtrips_and_hides_the_text(void **state)
{
	(void)state;
	const char *id = "150423198001011234";
	char *a = crypto_seal(id), *b = crypto_seal(id);
	/* no run of the number shows: "1980" alone turns up by chance in ~1 of 500 random hex texts */
	assert_null(strstr(a, "198001011234"));
	assert_null(strstr(b, "198001011234"));
	assert_string_not_equal(a, b); /* random IV */
	char *pa = crypto_open(a), *pb = crypto_open(b);
	assert_string_equal(pa, id);
	assert_string_equal(pb, id);
	free(a);
	free(b);
	free(pa);
	free(pb);
}

static void test_open_refuses_an_altered_field(void **state)
{
	(void)state;
	char *s = crypto_seal("15042319800101123X");
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i += 7) {
		char saved = s[i];
		s[i] = s[i] == '0' ? '1' : '0';
		assert_null(crypto_open(s));
		s[i] = saved;
	}
	assert_null(crypto_open("zz"));
	assert_null(crypto_open(""));
	s[n - 2] = '\0'; /* truncated */
	assert_null(crypto_open(s));
	free(s);
}

static void test_blind_index_is_stable_and_keyed(void **state)
{
	(void)state;
	char a[CRYPTO_SM3_HEX], b[CRYPTO_SM3_HEX], plain[CRYPTO_SM3_HEX];
	crypto_blind_index("150423198001011234", a);
	crypto_blind_index("150423198001011234", b);
	crypto_sm3_hex("150423198001011234", 18, plain);
	assert_string_equal(a, b);
	assert_string_not_equal(a, plain);
}

static void *blind_thread(void *arg)
{
	crypto_blind_index("150423198001011234", arg);
	return NULL;
}

/* Each thread keeps a keyed context: it must give the same index as any other thread, and
 * follow a new key at once. */
static void test_blind_index_same_across_threads_and_follows_the_key(void **state)
{
	(void)state;
	char a[CRYPTO_SM3_HEX], t[CRYPTO_SM3_HEX], other[CRYPTO_SM3_HEX], again[CRYPTO_SM3_HEX];
	char err[256], dir[] = "/tmp/tala-crypto-XXXXXX", path[64];
	crypto_blind_index("150423198001011234", a);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, blind_thread, t), 0);
	pthread_join(th, NULL);
	assert_string_equal(a, t);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/other.key", dir);
	/* A known key: the index is HMAC-SM3 under SM3(mac half of the key || purpose). */
	unsigned char k[48], ik[32], mac[32];
	char hex[98];
	for (int i = 0; i < 48; i++)
		k[i] = (unsigned char)i;
	crypto_hex(k, sizeof(k), hex);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", hex);
	fclose(f);
	assert_int_equal(crypto_load_key(path, false, err, sizeof(err)), 0);
	crypto_blind_index("150423198001011234", other);
	unsigned char buf[48];
	memcpy(buf, k + 16, 32);
	memcpy(buf + 32, "tala-blind-index", 16);
	unsigned int iklen = 0;
	assert_true(EVP_Digest(buf, sizeof(buf), ik, &iklen, EVP_sm3(), NULL));
	size_t maclen = 0;
	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SM3", NULL, ik, sizeof(ik),
				  (const unsigned char *)"150423198001011234", 18, mac, sizeof(mac),
				  &maclen));
	crypto_hex(mac, sizeof(mac), hex);
	assert_string_equal(other, hex);
	assert_string_not_equal(a, other);
	assert_int_equal(crypto_load_key(key_path, false, err, sizeof(err)), 0);
	crypto_blind_index("150423198001011234", again);
	assert_string_equal(a, again);
	unlink(path);
	rmdir(dir);
}

static void test_tokens_are_random_hex(void **state)
{
	(void)state;
	char a[65], b[65];
	crypto_token(a, 32);
	crypto_token(b, 32);
	assert_int_equal(strlen(a), 64);
	assert_int_equal(strspn(a, "0123456789abcdef"), 64);
	assert_string_not_equal(a, b);
	assert_true(crypto_str_eq(a, a));
	assert_false(crypto_str_eq(a, b));
	assert_false(crypto_str_eq("abc", "abcd"));
}

static void test_password_hash_verifies_only_the_password(void **state)
{
	(void)state;
	char hash[160];
	assert_int_equal(crypto_password_hash("Tala@2026", hash, sizeof(hash)), 0);
	assert_true(strncmp(hash, "$argon2id$", 10) == 0);
	assert_true(crypto_password_verify(hash, "Tala@2026"));
	assert_false(crypto_password_verify(hash, "tala@2026"));
	assert_false(crypto_password_verify(hash, ""));
}

static void test_key_file_is_reused_not_replaced(void **state)
{
	(void)state;
	char *sealed = crypto_seal("x");
	char err[256];
	assert_int_equal(crypto_load_key(key_path, true, err, sizeof(err)), 0);
	char *plain = crypto_open(sealed);
	assert_non_null(plain);
	assert_string_equal(plain, "x");
	free(plain);
	free(sealed);
	assert_int_equal(crypto_load_key("/nonexistent/dir/key", false, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sm3_matches_the_standard_vector),
		cmocka_unit_test(test_seal_roundtrips_and_hides_the_text),
		cmocka_unit_test(test_open_refuses_an_altered_field),
		cmocka_unit_test(test_blind_index_is_stable_and_keyed),
		cmocka_unit_test(test_blind_index_same_across_threads_and_follows_the_key),
		cmocka_unit_test(test_tokens_are_random_hex),
		cmocka_unit_test(test_password_hash_verifies_only_the_password),
		cmocka_unit_test(test_key_file_is_reused_not_replaced),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
