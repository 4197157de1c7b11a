/*
 * Inline storage encryption engine: keyslots and data-unit ciphers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/host-utils.h"
#include "crypto/cipher.h"
#include "crypto/ivgen.h"
#include "crypto/adiantum.h"
#include "crypto/wipe.h"
#include "hw/block/inline-crypto.h"

struct InlineCryptoKey {
    unsigned int refcnt;
    InlineCryptoAlg alg;
    uint32_t du_size;
    /* What the key was made from, for inline_crypto_key_export() */
    size_t key_len;
    uint8_t raw[INLINE_CRYPTO_MAX_KEY_LEN];
    QCryptoCipher *cipher;
    QCryptoIVGen *ivgen;
    size_t niv;
    uint8_t *iv;
    QCryptoAdiantum *adiantum;
};

void inline_crypto_wipe(void *p, size_t len)
{
    qcrypto_wipe(p, len);
}

bool inline_crypto_key_valid_len(InlineCryptoAlg alg, size_t key_len)
{
    switch (alg) {
    case INLINE_CRYPTO_ALG_AES_XTS:
        return key_len == 32 || key_len == 64;
    case INLINE_CRYPTO_ALG_AES_CBC_ESSIV:
        return key_len == 16 || key_len == 32;
    case INLINE_CRYPTO_ALG_ADIANTUM:
        return key_len == QCRYPTO_ADIANTUM_KEY_LEN;
    default:
        return false;
    }
}

static bool inline_crypto_du_size_valid(uint32_t du_size)
{
    return is_power_of_2(du_size) &&
           du_size >= INLINE_CRYPTO_MIN_DU_SIZE &&
           du_size <= INLINE_CRYPTO_MAX_DU_SIZE;
}

static void inline_crypto_key_free(InlineCryptoKey *key)
{
    /* The backends wipe their key schedules when freed. */
    qcrypto_adiantum_free(key->adiantum);
    qcrypto_ivgen_free(key->ivgen);
    qcrypto_cipher_free(key->cipher);
    g_free(key->iv);
    inline_crypto_wipe(key->raw, sizeof(key->raw));
    g_free(key);
}

InlineCryptoKey *inline_crypto_key_new(InlineCryptoAlg alg,
                                       const uint8_t *raw, size_t key_len,
                                       uint32_t du_size, Error **errp)
{
    InlineCryptoKey *key;
    QCryptoCipherAlgo cipher_alg;
    QCryptoCipherMode mode;

    if (!inline_crypto_key_valid_len(alg, key_len)) {
        error_setg(errp, "invalid key length %zu for algorithm %d",
                   key_len, alg);
        return NULL;
    }
    if (!inline_crypto_du_size_valid(du_size)) {
        error_setg(errp, "invalid data unit size %" PRIu32, du_size);
        return NULL;
    }

    key = g_new0(InlineCryptoKey, 1);
    key->refcnt = 1;
    key->alg = alg;
    key->du_size = du_size;
    key->key_len = key_len;
    memcpy(key->raw, raw, key_len);

    switch (alg) {
    case INLINE_CRYPTO_ALG_AES_XTS:
        cipher_alg = key_len == 64 ? QCRYPTO_CIPHER_ALGO_AES_256
                                   : QCRYPTO_CIPHER_ALGO_AES_128;
        mode = QCRYPTO_CIPHER_MODE_XTS;
        /* The tweak is the DUN as a 128-bit little-endian integer. */
        key->ivgen = qcrypto_ivgen_new(QCRYPTO_IV_GEN_ALGO_PLAIN64, 0, 0,
                                       NULL, 0, errp);
        break;
    case INLINE_CRYPTO_ALG_AES_CBC_ESSIV:
        cipher_alg = key_len == 32 ? QCRYPTO_CIPHER_ALGO_AES_256
                                   : QCRYPTO_CIPHER_ALGO_AES_128;
        mode = QCRYPTO_CIPHER_MODE_CBC;
        /* The salt SHA-256(key) keys AES-256 whatever the data key size. */
        key->ivgen = qcrypto_ivgen_new(QCRYPTO_IV_GEN_ALGO_ESSIV,
                                       QCRYPTO_CIPHER_ALGO_AES_256,
                                       QCRYPTO_HASH_ALGO_SHA256,
                                       raw, key_len, errp);
        break;
    case INLINE_CRYPTO_ALG_ADIANTUM:
        /* One wide-block cipher call per data unit: no mode, no IV. */
        key->adiantum = qcrypto_adiantum_new(raw, errp);
        if (!key->adiantum) {
            goto fail;
        }
        return key;
    default:
        g_assert_not_reached();
    }
    if (!key->ivgen) {
        goto fail;
    }
    key->cipher = qcrypto_cipher_new(cipher_alg, mode, raw, key_len, errp);
    if (!key->cipher) {
        goto fail;
    }

    key->niv = qcrypto_cipher_get_iv_len(cipher_alg, mode);
    key->iv = g_malloc0(key->niv);
    return key;

fail:
    inline_crypto_key_free(key);
    return NULL;
}

InlineCryptoKey *inline_crypto_key_ref(InlineCryptoKey *key)
{
    key->refcnt++;
    return key;
}

void inline_crypto_key_unref(InlineCryptoKey *key)
{
    if (key && --key->refcnt == 0) {
        inline_crypto_key_free(key);
    }
}

uint32_t inline_crypto_key_du_size(const InlineCryptoKey *key)
{
    return key->du_size;
}

size_t inline_crypto_key_export(const InlineCryptoKey *key,
                                InlineCryptoAlg *alg, uint8_t *raw)
{
    *alg = key->alg;
    memcpy(raw, key->raw, key->key_len);
    return key->key_len;
}

/*
 * Adiantum's tweak is Linux blk-crypto's IV: the DUN as an array of
 * 64-bit little-endian words, of which a 64-bit DUN fills the first.
 */
static int inline_crypto_adiantum(InlineCryptoKey *key, uint64_t dun,
                                  const uint8_t *in, uint8_t *out,
                                  bool encrypt, Error **errp)
{
    uint8_t tweak[QCRYPTO_ADIANTUM_TWEAK_LEN] = { 0 };

    stq_le_p(tweak, dun);
    if (encrypt) {
        return qcrypto_adiantum_encrypt(key->adiantum, tweak, in, out,
                                        key->du_size, errp);
    }
    return qcrypto_adiantum_decrypt(key->adiantum, tweak, in, out,
                                    key->du_size, errp);
}

/* AES-XTS and AES-CBC-ESSIV: a block cipher mode with an IV generator */
static int inline_crypto_cipher(InlineCryptoKey *key, uint64_t dun,
                                const uint8_t *in, uint8_t *out,
                                bool encrypt, Error **errp)
{
    if (qcrypto_ivgen_calculate(key->ivgen, dun, key->iv, key->niv,
                                errp) < 0 ||
        qcrypto_cipher_setiv(key->cipher, key->iv, key->niv, errp) < 0) {
        return -1;
    }
    if (encrypt) {
        return qcrypto_cipher_encrypt(key->cipher, in, out, key->du_size,
                                      errp);
    }
    return qcrypto_cipher_decrypt(key->cipher, in, out, key->du_size, errp);
}

static int inline_crypto_crypt(InlineCryptoKey *key, uint64_t dun,
                               const uint8_t *in, uint8_t *out, size_t len,
                               bool encrypt, Error **errp)
{
    int (*crypt_du)(InlineCryptoKey *key, uint64_t dun, const uint8_t *in,
                    uint8_t *out, bool encrypt, Error **errp) =
        key->adiantum ? inline_crypto_adiantum : inline_crypto_cipher;

    if (len % key->du_size) {
        error_setg(errp, "length %zu is not a multiple of the data unit size "
                   "%" PRIu32, len, key->du_size);
        return -1;
    }
    for (size_t off = 0; off < len; off += key->du_size, dun++) {
        if (crypt_du(key, dun, in + off, out + off, encrypt, errp) < 0) {
            return -1;
        }
    }
    return 0;
}

int inline_crypto_encrypt(InlineCryptoKey *key, uint64_t dun,
                          const uint8_t *in, uint8_t *out, size_t len,
                          Error **errp)
{
    return inline_crypto_crypt(key, dun, in, out, len, true, errp);
}

int inline_crypto_decrypt(InlineCryptoKey *key, uint64_t dun,
                          const uint8_t *in, uint8_t *out, size_t len,
                          Error **errp)
{
    return inline_crypto_crypt(key, dun, in, out, len, false, errp);
}

void inline_crypto_engine_init(InlineCryptoEngine *e, uint32_t nslots)
{
    e->nslots = nslots;
    e->slots = g_new0(InlineCryptoKey *, nslots);
}

void inline_crypto_engine_cleanup(InlineCryptoEngine *e)
{
    inline_crypto_evict_all(e);
    g_free(e->slots);
    e->slots = NULL;
    e->nslots = 0;
}

int inline_crypto_program(InlineCryptoEngine *e, uint32_t slot,
                          InlineCryptoAlg alg, const uint8_t *raw,
                          size_t key_len, uint32_t du_size, Error **errp)
{
    InlineCryptoKey *key;

    if (slot >= e->nslots) {
        error_setg(errp, "keyslot %" PRIu32 " out of range", slot);
        return -1;
    }
    inline_crypto_evict(e, slot);
    key = inline_crypto_key_new(alg, raw, key_len, du_size, errp);
    if (!key) {
        return -1;
    }
    e->slots[slot] = key;
    return 0;
}

void inline_crypto_evict(InlineCryptoEngine *e, uint32_t slot)
{
    if (slot < e->nslots) {
        inline_crypto_key_unref(e->slots[slot]);
        e->slots[slot] = NULL;
    }
}

void inline_crypto_evict_all(InlineCryptoEngine *e)
{
    for (uint32_t i = 0; i < e->nslots; i++) {
        inline_crypto_evict(e, i);
    }
}

InlineCryptoKey *inline_crypto_get_key(InlineCryptoEngine *e, uint32_t slot)
{
    if (slot >= e->nslots || !e->slots[slot]) {
        return NULL;
    }
    return inline_crypto_key_ref(e->slots[slot]);
}
