/*
 * Inline storage encryption engine: keyslots and data-unit ciphers
 *
 * The engine holds the keys a storage host controller was programmed with
 * and en/decrypts whole data units, each with its own data unit number
 * (DUN).  It knows nothing about the controller's register layout or queue
 * protocol, so that UFSHCI and eMMC CQHCI models can share it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_BLOCK_INLINE_CRYPTO_H
#define HW_BLOCK_INLINE_CRYPTO_H

typedef enum InlineCryptoAlg {
    /* IEEE P1619 XTS-AES, the tweak is the DUN as a 128-bit LE number */
    INLINE_CRYPTO_ALG_AES_XTS,
    /*
     * AES-CBC with ESSIV: the IV is le128(DUN) encrypted with AES-256 keyed
     * by SHA-256(key), as Linux's essiv(cbc(aes),sha256)
     */
    INLINE_CRYPTO_ALG_AES_CBC_ESSIV,
    /*
     * Adiantum(XChaCha12, AES-256) with a 32-byte key; the 32-byte tweak is
     * le64(DUN) followed by zeros, Linux's IV for a DUN below 2^64
     */
    INLINE_CRYPTO_ALG_ADIANTUM,
    INLINE_CRYPTO_ALG__MAX,
} InlineCryptoAlg;

#define INLINE_CRYPTO_MAX_KEY_LEN   64
#define INLINE_CRYPTO_MIN_DU_SIZE   512
#define INLINE_CRYPTO_MAX_DU_SIZE   (64 * 1024)

/*
 * A programmed key: an immutable, reference-counted transform.  A request
 * takes a reference when it starts, so that evicting or reprogramming its
 * keyslot does not change the key the request was issued with.
 */
typedef struct InlineCryptoKey InlineCryptoKey;

/**
 * inline_crypto_key_valid_len:
 * Whether @key_len bytes is a key size @alg supports.
 */
bool inline_crypto_key_valid_len(InlineCryptoAlg alg, size_t key_len);

/**
 * inline_crypto_key_new:
 * @alg: the algorithm
 * @key: the raw key; for AES-XTS the data key followed by the tweak key
 * @key_len: length of @key in bytes (32 or 64 for AES-XTS, 16 or 32 for
 *           AES-CBC-ESSIV, 32 for Adiantum)
 * @du_size: data unit size in bytes, a power of two in
 *           [INLINE_CRYPTO_MIN_DU_SIZE, INLINE_CRYPTO_MAX_DU_SIZE]
 * @errp: error object
 *
 * Returns: a new key holding one reference, or NULL on error.  The caller
 * may wipe @key as soon as this returns.
 */
InlineCryptoKey *inline_crypto_key_new(InlineCryptoAlg alg,
                                       const uint8_t *key, size_t key_len,
                                       uint32_t du_size, Error **errp);
InlineCryptoKey *inline_crypto_key_ref(InlineCryptoKey *key);
void inline_crypto_key_unref(InlineCryptoKey *key);
uint32_t inline_crypto_key_du_size(const InlineCryptoKey *key);

/**
 * inline_crypto_key_export:
 * @key: the key
 * @alg: set to the key's algorithm
 * @raw: a buffer of INLINE_CRYPTO_MAX_KEY_LEN bytes, set to the raw key
 *       @key was created from
 *
 * For migration only: the destination recreates the key from @alg, @raw
 * and inline_crypto_key_du_size().  The caller must wipe @raw after use.
 *
 * Returns: the length of the raw key in bytes.
 */
size_t inline_crypto_key_export(const InlineCryptoKey *key,
                                InlineCryptoAlg *alg, uint8_t *raw);

/**
 * inline_crypto_encrypt:
 * @key: the key
 * @dun: data unit number of the first data unit
 * @in: plaintext
 * @out: ciphertext; may be equal to @in for in-place operation
 * @len: a multiple of the key's data unit size
 * @errp: error object
 *
 * Data unit k of the buffer is encrypted with DUN @dun + k (modulo 2^64).
 *
 * Returns: 0 on success, -1 on error.
 */
int inline_crypto_encrypt(InlineCryptoKey *key, uint64_t dun,
                          const uint8_t *in, uint8_t *out, size_t len,
                          Error **errp);
int inline_crypto_decrypt(InlineCryptoKey *key, uint64_t dun,
                          const uint8_t *in, uint8_t *out, size_t len,
                          Error **errp);

/*
 * A keyslot table.  Slots hold a reference on their key.
 */
typedef struct InlineCryptoEngine {
    uint32_t nslots;
    InlineCryptoKey **slots;
} InlineCryptoEngine;

void inline_crypto_engine_init(InlineCryptoEngine *e, uint32_t nslots);
void inline_crypto_engine_cleanup(InlineCryptoEngine *e);

/**
 * inline_crypto_program:
 * Program keyslot @slot, replacing (and dropping) any key it held.  On error
 * the slot is left empty.  Returns: 0 on success, -1 on error.
 */
int inline_crypto_program(InlineCryptoEngine *e, uint32_t slot,
                          InlineCryptoAlg alg, const uint8_t *key,
                          size_t key_len, uint32_t du_size, Error **errp);
void inline_crypto_evict(InlineCryptoEngine *e, uint32_t slot);
void inline_crypto_evict_all(InlineCryptoEngine *e);

/**
 * inline_crypto_get_key:
 * Returns: a new reference to the key in @slot, or NULL if @slot is out of
 * range or empty.
 */
InlineCryptoKey *inline_crypto_get_key(InlineCryptoEngine *e, uint32_t slot);

/**
 * inline_crypto_wipe:
 * Zero @len bytes of key material at @p in a way the compiler cannot drop.
 */
void inline_crypto_wipe(void *p, size_t len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(InlineCryptoKey, inline_crypto_key_unref)

#endif /* HW_BLOCK_INLINE_CRYPTO_H */
