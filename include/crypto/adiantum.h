/*
 * QEMU Crypto Adiantum length-preserving encryption
 *
 * Adiantum(XChaCha12, AES-256, NH, Poly1305) as specified by Crowley and
 * Biggers, "Adiantum: length-preserving encryption for entry-level
 * processors", IACR ToSC 2018(4), and as used by Linux's
 * "adiantum(xchacha12,aes)" with its 32-byte IV as the tweak.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QCRYPTO_ADIANTUM_H
#define QCRYPTO_ADIANTUM_H

#define QCRYPTO_ADIANTUM_KEY_LEN    32
#define QCRYPTO_ADIANTUM_TWEAK_LEN  32
/* Messages are at least one AES block long: the right-hand part. */
#define QCRYPTO_ADIANTUM_MIN_LEN    16

typedef struct QCryptoAdiantum QCryptoAdiantum;

/**
 * qcrypto_adiantum_new:
 * @key: the 32-byte key
 * @errp: error object
 *
 * Derive the subkeys of @key.  The caller may wipe @key as soon as this
 * returns.
 *
 * Returns: a new Adiantum instance, or NULL on error.  An instance keeps
 * an AES cipher object: it is not for two threads at once.
 */
QCryptoAdiantum *qcrypto_adiantum_new(const uint8_t *key, Error **errp);

/**
 * qcrypto_adiantum_encrypt:
 * @a: the Adiantum instance
 * @tweak: the 32-byte tweak
 * @in: plaintext
 * @out: ciphertext; either equal to @in or not overlapping it
 * @len: length of @in and @out, at least QCRYPTO_ADIANTUM_MIN_LEN
 * @errp: error object
 *
 * Returns: 0 on success, -1 on error
 */
int qcrypto_adiantum_encrypt(QCryptoAdiantum *a, const uint8_t *tweak,
                             const uint8_t *in, uint8_t *out, size_t len,
                             Error **errp);

/**
 * qcrypto_adiantum_decrypt:
 * The inverse of qcrypto_adiantum_encrypt(), with the same arguments.
 */
int qcrypto_adiantum_decrypt(QCryptoAdiantum *a, const uint8_t *tweak,
                             const uint8_t *in, uint8_t *out, size_t len,
                             Error **errp);

/**
 * qcrypto_adiantum_free:
 * Wipe the key material of @a and free it.  @a may be NULL.
 */
void qcrypto_adiantum_free(QCryptoAdiantum *a);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QCryptoAdiantum, qcrypto_adiantum_free)

/*
 * Implementations of XChaCha12 and NH: the portable C one ("c") and SIMD
 * ones ("sse2", "avx2" and "avx512" on x86_64, "neon" on aarch64).  The fastest one
 * the CPU runs is used unless a test selects another.
 */

/**
 * qcrypto_adiantum_impl_name:
 * @i: index
 *
 * Returns: the name of the @i-th implementation this CPU runs, the
 * portable one first and the default last; NULL past the last.
 */
const char *qcrypto_adiantum_impl_name(unsigned i);

/**
 * qcrypto_adiantum_impl_select:
 * @name: an implementation's name, or NULL for the default
 *
 * Use that implementation from now on, in the whole process (for tests
 * and benchmarks).
 *
 * Returns: false if this CPU does not run it (nothing changes then).
 */
bool qcrypto_adiantum_impl_select(const char *name);

/**
 * qcrypto_adiantum_impl_current:
 *
 * Returns: the name of the implementation in use.
 */
const char *qcrypto_adiantum_impl_current(void);

/*
 * The building blocks, exported for known-answer tests.
 */

#define QCRYPTO_ADIANTUM_NH_KEY_LEN     1072
#define QCRYPTO_ADIANTUM_NH_MSG_LEN     1024
#define QCRYPTO_ADIANTUM_NH_HASH_LEN    32

/**
 * qcrypto_adiantum_xchacha12:
 * @key: 32-byte key
 * @nonce: 24-byte nonce
 * @block: the 64-byte keystream block to start at
 * @in: data to XOR with the keystream, or NULL to output the keystream
 * @out: output; may be equal to @in
 * @len: length of @out
 *
 * XChaCha12: HChaCha12 derives a subkey from @key and the first 16 bytes
 * of @nonce; ChaCha12 with that subkey, a 64-bit block counter starting at
 * @block and the last 8 bytes of @nonce generates the keystream.
 */
void qcrypto_adiantum_xchacha12(const uint8_t *key, const uint8_t *nonce,
                                uint64_t block, const uint8_t *in,
                                uint8_t *out, size_t len);

/**
 * qcrypto_adiantum_nh:
 * @key: NH key, at least @len + 48 bytes of a QCRYPTO_ADIANTUM_NH_KEY_LEN
 *       key (the bytes beyond do not influence the result)
 * @msg: the message
 * @len: a multiple of 16, at most QCRYPTO_ADIANTUM_NH_MSG_LEN
 * @hash: the 32-byte hash: four 64-bit little-endian sums
 *
 * NH with 32-bit words, 4 passes and a stride of 2, as Adiantum uses it.
 */
void qcrypto_adiantum_nh(const uint8_t *key, const uint8_t *msg, size_t len,
                         uint8_t *hash);

/**
 * qcrypto_adiantum_poly1305:
 * @key: 32 bytes: r (clamped here) followed by s
 * @msg: the message
 * @len: its length, any
 * @tag: the 16-byte tag
 *
 * The Poly1305 one-time authenticator of RFC 8439.
 */
void qcrypto_adiantum_poly1305(const uint8_t *key, const uint8_t *msg,
                               size_t len, uint8_t *tag);

#endif /* QCRYPTO_ADIANTUM_H */
