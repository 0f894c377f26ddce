/* crypto.c — SM3/SM4 through OpenSSL 3's EVP API; tokens and argon2id through libsodium. */
#include "core/crypto.h"

#include "core/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { KEY_ENC = 16, KEY_MAC = 32, KEY_LEN = KEY_ENC + KEY_MAC, IV_LEN = 16, MAC_LEN = 32 };

static unsigned char crypto_key[KEY_LEN];
static unsigned char crypto_index_key[CRYPTO_SM3_LEN];
static unsigned char crypto_chain_key[CRYPTO_SM3_LEN];
static bool crypto_key_loaded;
/* Bumped when the keys change: a thread's keyed blind-index context is then made again. */
static _Atomic unsigned crypto_key_gen;

int crypto_init(void)
{
	if (sodium_init() < 0)
		return -1;
	EVP_MD *md = EVP_MD_fetch(NULL, "SM3", NULL);
	EVP_CIPHER *ciph = EVP_CIPHER_fetch(NULL, "SM4-CTR", NULL);
	int ok = md && ciph;
	EVP_MD_free(md);
	EVP_CIPHER_free(ciph);
	return ok ? 0 : -1;
}

void crypto_hex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int crypto_unhex(const char *in, unsigned char *out, size_t max, size_t *len)
{
	size_t n = strlen(in);
	if (n % 2 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int v = 0;
		for (int k = 0; k < 2; k++) {
			char ch = in[2 * i + (size_t)k];
			int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
			if (d < 0)
				return -1;
			v = v * 16 + d;
		}
		out[i] = (unsigned char)v;
	}
	*len = n / 2;
	return 0;
}

static void crypto_sm3(const void *data, size_t len, unsigned char out[CRYPTO_SM3_LEN])
{
	unsigned int outlen = 0;
	EVP_MD *md = EVP_MD_fetch(NULL, "SM3", NULL);
	if (!md || !EVP_Digest(data, len, out, &outlen, md, NULL))
		abort(); /* checked by crypto_init */
	EVP_MD_free(md);
}

void crypto_sm3_hex(const void *data, size_t len, char out[CRYPTO_SM3_HEX])
{
	unsigned char d[CRYPTO_SM3_LEN];
	crypto_sm3(data, len, d);
	crypto_hex(d, sizeof(d), out);
}

static void crypto_hmac_sm3(const unsigned char *key, size_t keylen, const unsigned char *data,
			    size_t len, unsigned char out[MAC_LEN])
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SM3", 0),
		OSSL_PARAM_construct_end(),
	};
	size_t outlen = 0;
	if (!ctx || !EVP_MAC_init(ctx, key, keylen, params) || !EVP_MAC_update(ctx, data, len) ||
	    !EVP_MAC_final(ctx, out, &outlen, MAC_LEN))
		abort();
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
}

/* A thread's HMAC-SM3 context keyed with crypto_index_key. The blind index runs on every
 * viewer's question (the device key): fetching HMAC, making a context and hashing the key's
 * pads each time cost ~2/3 of it (perf, bench/http); a keyed context is reinitialised with
 * EVP_MAC_init(ctx, NULL, …), which restarts from the stored pads. */
struct crypto_index_mac {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
	unsigned gen;
};

static pthread_key_t crypto_index_tls;
static pthread_once_t crypto_index_once = PTHREAD_ONCE_INIT;

static void crypto_index_mac_free(void *p)
{
	struct crypto_index_mac *m = p;
	EVP_MAC_CTX_free(m->ctx);
	EVP_MAC_free(m->mac);
	free(m);
}

static void crypto_index_tls_init(void)
{
	if (pthread_key_create(&crypto_index_tls, crypto_index_mac_free) != 0)
		abort();
}

static void crypto_index_hmac(const unsigned char *data, size_t len, unsigned char out[MAC_LEN])
{
	pthread_once(&crypto_index_once, crypto_index_tls_init);
	struct crypto_index_mac *m = pthread_getspecific(crypto_index_tls);
	if (!m) {
		m = xcalloc(1, sizeof(*m));
		m->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		if (!m->mac || pthread_setspecific(crypto_index_tls, m) != 0)
			abort();
	}
	unsigned gen = atomic_load(&crypto_key_gen);
	int ok;
	if (!m->ctx || m->gen != gen) {
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SM3", 0),
			OSSL_PARAM_construct_end(),
		};
		EVP_MAC_CTX_free(m->ctx);
		m->ctx = EVP_MAC_CTX_new(m->mac);
		ok = m->ctx && EVP_MAC_init(m->ctx, crypto_index_key, sizeof(crypto_index_key), params);
		m->gen = gen;
	} else {
		ok = EVP_MAC_init(m->ctx, NULL, 0, NULL);
	}
	size_t outlen = 0;
	if (!ok || !EVP_MAC_update(m->ctx, data, len) || !EVP_MAC_final(m->ctx, out, &outlen, MAC_LEN))
		abort();
}

/* SM3(mac key || purpose): one key per use, none of them the stored key itself. */
static void crypto_derive(const char purpose[16], unsigned char out[CRYPTO_SM3_LEN])
{
	unsigned char buf[KEY_MAC + 16];
	memcpy(buf, crypto_key + KEY_ENC, KEY_MAC);
	memcpy(buf + KEY_MAC, purpose, 16);
	crypto_sm3(buf, sizeof(buf), out);
	sodium_memzero(buf, sizeof(buf));
}

static void crypto_derive_index_key(void)
{
	crypto_derive("tala-blind-index", crypto_index_key);
	crypto_derive("tala-audit-chain", crypto_chain_key);
	atomic_fetch_add(&crypto_key_gen, 1);
}

int crypto_load_key(const char *path, bool create, char *err, size_t errlen)
{
	char hex[2 * KEY_LEN + 2];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		unsigned char k[KEY_LEN];
		randombytes_buf(k, sizeof(k));
		crypto_hex(k, sizeof(k), hex);
		sodium_memzero(k, sizeof(k));
		hex[2 * KEY_LEN] = '\n';
		const char *slash = strrchr(path, '/');
		if (slash && slash != path) {
			char dir[4096];
			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
			mkdir(dir, 0750); /* the data directory, if missing; open() reports failures */
		}
		int wfd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (wfd < 0 || write(wfd, hex, 2 * KEY_LEN + 1) != 2 * KEY_LEN + 1 || fsync(wfd) < 0) {
			snprintf(err, errlen, "cannot create key file %s: %s", path, strerror(errno));
			if (wfd >= 0)
				close(wfd);
			return -1;
		}
		close(wfd);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot read key file %s: %s", path, strerror(errno));
		return -1;
	}
	ssize_t n = read(fd, hex, sizeof(hex) - 1);
	close(fd);
	if (n < 2 * KEY_LEN) {
		snprintf(err, errlen, "key file %s: expected %d hex digits", path, 2 * KEY_LEN);
		return -1;
	}
	hex[2 * KEY_LEN] = '\0';
	size_t len = 0;
	if (crypto_unhex(hex, crypto_key, sizeof(crypto_key), &len) < 0 || len != KEY_LEN) {
		snprintf(err, errlen, "key file %s: expected %d hex digits", path, 2 * KEY_LEN);
		return -1;
	}
	sodium_memzero(hex, sizeof(hex));
	crypto_derive_index_key();
	crypto_key_loaded = true;
	return 0;
}

bool crypto_has_key(void)
{
	return crypto_key_loaded;
}

static int crypto_sm4_ctr(const unsigned char *iv, const unsigned char *in, int len,
			  unsigned char *out)
{
	EVP_CIPHER *ciph = EVP_CIPHER_fetch(NULL, "SM4-CTR", NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl = 0, fin = 0, ok = ciph && ctx &&
					EVP_EncryptInit_ex2(ctx, ciph, crypto_key, iv, NULL) &&
					EVP_EncryptUpdate(ctx, out, &outl, in, len) &&
					EVP_EncryptFinal_ex(ctx, out + outl, &fin);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(ciph);
	return ok ? 0 : -1;
}

char *crypto_seal(const char *plain)
{
	if (!crypto_key_loaded)
		abort(); /* the server loads the key before it serves */
	size_t len = strlen(plain);
	unsigned char *buf = xmalloc(IV_LEN + len + MAC_LEN);
	randombytes_buf(buf, IV_LEN);
	if (crypto_sm4_ctr(buf, (const unsigned char *)plain, (int)len, buf + IV_LEN) < 0)
		abort();
	crypto_hmac_sm3(crypto_key + KEY_ENC, KEY_MAC, buf, IV_LEN + len, buf + IV_LEN + len);
	char *out = xmalloc(2 * (IV_LEN + len + MAC_LEN) + 1);
	crypto_hex(buf, IV_LEN + len + MAC_LEN, out);
	free(buf);
	return out;
}

char *crypto_open(const char *sealed)
{
	if (!crypto_key_loaded || !sealed)
		return NULL;
	size_t max = strlen(sealed) / 2 + 1, len = 0;
	unsigned char *buf = xmalloc(max);
	if (crypto_unhex(sealed, buf, max, &len) < 0 || len < IV_LEN + MAC_LEN) {
		free(buf);
		return NULL;
	}
	size_t clen = len - IV_LEN - MAC_LEN;
	unsigned char mac[MAC_LEN];
	crypto_hmac_sm3(crypto_key + KEY_ENC, KEY_MAC, buf, IV_LEN + clen, mac);
	if (sodium_memcmp(mac, buf + IV_LEN + clen, MAC_LEN) != 0) {
		free(buf);
		return NULL;
	}
	char *out = xmalloc(clen + 1);
	if (crypto_sm4_ctr(buf, buf + IV_LEN, (int)clen, (unsigned char *)out) < 0)
		abort();
	out[clen] = '\0';
	free(buf);
	return out;
}

void crypto_blind_index(const char *value, char out[CRYPTO_SM3_HEX])
{
	unsigned char mac[MAC_LEN];
	crypto_index_hmac((const unsigned char *)value, strlen(value), mac);
	crypto_hex(mac, sizeof(mac), out);
}

void crypto_chain_mac(const void *data, size_t len, char out[CRYPTO_SM3_HEX])
{
	if (!crypto_key_loaded)
		abort(); /* the commands that write or check the chain load the key first */
	unsigned char mac[MAC_LEN];
	crypto_hmac_sm3(crypto_chain_key, sizeof(crypto_chain_key), data, len, mac);
	crypto_hex(mac, sizeof(mac), out);
}

void crypto_token(char *out, size_t nbytes)
{
	unsigned char buf[64];
	if (nbytes > sizeof(buf))
		nbytes = sizeof(buf);
	randombytes_buf(buf, nbytes);
	crypto_hex(buf, nbytes, out);
	sodium_memzero(buf, sizeof(buf));
}

bool crypto_str_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return false;
	return sodium_memcmp(a, b, la) == 0;
}

int crypto_password_hash(const char *password, char *out, size_t outlen)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return -1;
	return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				 crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

bool crypto_password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}
