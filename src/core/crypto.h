/* crypto.h — every cryptographic primitive Tala uses, behind one header so a certified
 * module can replace it: SM3 hashes and the SM4 + HMAC-SM3 field encryption (national
 * algorithms, OpenSSL 3), random tokens and constant-time compares (libsodium). */
#ifndef TALA_CRYPTO_H
#define TALA_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { CRYPTO_SM3_LEN = 32, CRYPTO_SM3_HEX = 65 };

/* Initialises libsodium and checks OpenSSL offers SM3 and SM4. Returns 0 or -1. */
int crypto_init(void);

/* Loads the data-at-rest key from path, creating it (mode 0600) when create is true and
 * the file does not exist. Returns 0, or -1 with a message in err. */
int crypto_load_key(const char *path, bool create, char *err, size_t errlen);
/* True once a key is loaded. */
bool crypto_has_key(void);

/* SM3 of data, as 64 lowercase hex digits plus NUL in out. */
void crypto_sm3_hex(const void *data, size_t len, char out[CRYPTO_SM3_HEX]);

/* Encrypts a short text field (SM4-CTR, random IV, then HMAC-SM3 over IV and ciphertext).
 * Returns a malloc'd hex string the caller frees. Needs the key. */
char *crypto_seal(const char *plain);
/* Reverses crypto_seal; returns a malloc'd string, or NULL if the field was altered or the
 * key is wrong. */
char *crypto_open(const char *sealed);
/* A keyed blind index of a value (HMAC-SM3, hex), to look a sealed field up by value. */
void crypto_blind_index(const char *value, char out[CRYPTO_SM3_HEX]);

/* HMAC-SM3 of data under the audit-chain key (derived from the data key), hex: without
 * the key nobody can rewrite the chain and its head consistently. */
void crypto_chain_mac(const void *data, size_t len, char out[CRYPTO_SM3_HEX]);
/* Fills out with a random URL-safe token of nbytes random bytes (out needs 2*nbytes+1). */
void crypto_token(char *out, size_t nbytes);
/* Constant-time equality of two NUL-terminated strings. */
bool crypto_str_eq(const char *a, const char *b);

/* argon2id password hashing (libsodium, interactive limits). Returns 0 or -1 (OOM). */
int crypto_password_hash(const char *password, char *out, size_t outlen);
bool crypto_password_verify(const char *hash, const char *password);

/* Writes the bytes as lowercase hex (out needs 2*len+1). */
void crypto_hex(const unsigned char *in, size_t len, char *out);

#endif
