/*
 * Key manager for hardware-wrapped inline encryption keys
 *
 * See include/hw/block/inline-crypto-km.h.  Layout of a wrapped key:
 *
 *   0       version (1)
 *   1       type: 1 long-term, 2 ephemeral
 *   2..3    zero
 *   4..19   nonce, random
 *   20..51  the raw key, AES-256-CTR with K_enc, IV = nonce
 *   52..67  AES-256-CMAC with K_mac of bytes 0..51
 *
 * K_enc and K_mac are derived from the wrapping key of the type by the
 * SP 800-108 KDF, label "inline-crypto key wrapping", contexts "enc" and
 * "mac" followed by the type byte.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "crypto/cipher.h"
#include "crypto/cmac.h"
#include "crypto/kdf.h"
#include "crypto/random.h"
#include "hw/block/inline-crypto-km.h"

#define KM_VERSION      1
#define KM_TYPE_LT      1
#define KM_TYPE_EPH     2
#define KM_NONCE        4
#define KM_NONCE_LEN    16
#define KM_CT           (KM_NONCE + KM_NONCE_LEN)
#define KM_TAG          (KM_CT + INLINE_CRYPTO_KM_RAW_LEN)

QEMU_BUILD_BUG_ON(KM_TAG + QCRYPTO_AES_CMAC_LEN !=
                  INLINE_CRYPTO_KM_WRAPPED_LEN);

static const char km_label[] = "inline-crypto key wrapping";

/* K_enc and K_mac of a wrapping key */
static int km_subkeys(const uint8_t *wkey, uint8_t type, uint8_t *kenc,
                      uint8_t *kmac, Error **errp)
{
    uint8_t ctx[4] = { 'e', 'n', 'c', type };

    if (qcrypto_kdf_sp800_108_cmac(wkey, INLINE_CRYPTO_KM_WRAPPING_LEN,
                                   (const uint8_t *)km_label,
                                   strlen(km_label), ctx, sizeof(ctx),
                                   kenc, 32, errp) < 0) {
        return -1;
    }
    memcpy(ctx, "mac", 3);
    return qcrypto_kdf_sp800_108_cmac(wkey, INLINE_CRYPTO_KM_WRAPPING_LEN,
                                      (const uint8_t *)km_label,
                                      strlen(km_label), ctx, sizeof(ctx),
                                      kmac, 32, errp);
}

/* AES-256-CTR of the 32 bytes of @in into @out; its own inverse */
static int km_ctr(const uint8_t *kenc, const uint8_t *nonce,
                  const uint8_t *in, uint8_t *out, Error **errp)
{
    g_autoptr(QCryptoCipher) c = NULL;

    c = qcrypto_cipher_new(QCRYPTO_CIPHER_ALGO_AES_256,
                           QCRYPTO_CIPHER_MODE_CTR, kenc, 32, errp);
    if (!c || qcrypto_cipher_setiv(c, nonce, KM_NONCE_LEN, errp) < 0) {
        return -1;
    }
    return qcrypto_cipher_encrypt(c, in, out, INLINE_CRYPTO_KM_RAW_LEN, errp);
}

static InlineCryptoKmStatus km_wrap(const uint8_t *wkey, uint8_t type,
                                    const uint8_t *raw, uint8_t *out)
{
    uint8_t kenc[32], kmac[32];
    Error *err = NULL;
    int ret;

    memset(out, 0, INLINE_CRYPTO_KM_WRAPPED_LEN);
    out[0] = KM_VERSION;
    out[1] = type;
    ret = qcrypto_random_bytes(out + KM_NONCE, KM_NONCE_LEN, &err);
    if (ret == 0) {
        ret = km_subkeys(wkey, type, kenc, kmac, &err);
    }
    if (ret == 0) {
        ret = km_ctr(kenc, out + KM_NONCE, raw, out + KM_CT, &err);
    }
    if (ret == 0) {
        ret = qcrypto_aes_cmac(kmac, sizeof(kmac), out, KM_TAG, out + KM_TAG,
                               &err);
    }
    inline_crypto_wipe(kenc, sizeof(kenc));
    inline_crypto_wipe(kmac, sizeof(kmac));
    if (ret < 0) {
        error_report_err(err);
        memset(out, 0, INLINE_CRYPTO_KM_WRAPPED_LEN);
        return INLINE_CRYPTO_KM_FAILED;
    }
    return INLINE_CRYPTO_KM_OK;
}

/* Check and unwrap @in into @raw; on any failure @raw is zeroed. */
static InlineCryptoKmStatus km_unwrap(const uint8_t *wkey, uint8_t type,
                                      const uint8_t *in, size_t len,
                                      uint8_t *raw)
{
    uint8_t kenc[32], kmac[32], tag[QCRYPTO_AES_CMAC_LEN], diff = 0;
    InlineCryptoKmStatus st = INLINE_CRYPTO_KM_OK;
    Error *err = NULL;

    memset(raw, 0, INLINE_CRYPTO_KM_RAW_LEN);
    if (len != INLINE_CRYPTO_KM_WRAPPED_LEN) {
        return INLINE_CRYPTO_KM_BAD_LENGTH;
    }
    if (km_subkeys(wkey, type, kenc, kmac, &err) < 0 ||
        qcrypto_aes_cmac(kmac, sizeof(kmac), in, KM_TAG, tag, &err) < 0) {
        error_report_err(err);
        st = INLINE_CRYPTO_KM_FAILED;
        goto out;
    }
    /* The whole tag is compared, whatever the first difference. */
    for (int i = 0; i < QCRYPTO_AES_CMAC_LEN; i++) {
        diff |= tag[i] ^ in[KM_TAG + i];
    }
    if (diff || in[0] != KM_VERSION || in[1] != type || in[2] || in[3]) {
        st = INLINE_CRYPTO_KM_BAD_KEY;
        goto out;
    }
    if (km_ctr(kenc, in + KM_NONCE, in + KM_CT, raw, &err) < 0) {
        error_report_err(err);
        memset(raw, 0, INLINE_CRYPTO_KM_RAW_LEN);
        st = INLINE_CRYPTO_KM_FAILED;
    }
out:
    inline_crypto_wipe(kenc, sizeof(kenc));
    inline_crypto_wipe(kmac, sizeof(kmac));
    return st;
}

int inline_crypto_km_init(InlineCryptoKm *km, const uint8_t *lt_key,
                          Error **errp)
{
    if (lt_key) {
        memcpy(km->lt_key, lt_key, INLINE_CRYPTO_KM_WRAPPING_LEN);
    } else if (qcrypto_random_bytes(km->lt_key, sizeof(km->lt_key),
                                    errp) < 0) {
        return -1;
    }
    return inline_crypto_km_reset(km, errp);
}

int inline_crypto_km_reset(InlineCryptoKm *km, Error **errp)
{
    return qcrypto_random_bytes(km->eph_key, sizeof(km->eph_key), errp);
}

void inline_crypto_km_cleanup(InlineCryptoKm *km)
{
    inline_crypto_wipe(km, sizeof(*km));
}

InlineCryptoKmStatus inline_crypto_km_import(InlineCryptoKm *km,
                                             const uint8_t *raw, size_t len,
                                             uint8_t *lt_out)
{
    if (len != INLINE_CRYPTO_KM_RAW_LEN) {
        return INLINE_CRYPTO_KM_BAD_LENGTH;
    }
    return km_wrap(km->lt_key, KM_TYPE_LT, raw, lt_out);
}

InlineCryptoKmStatus inline_crypto_km_generate(InlineCryptoKm *km,
                                               uint8_t *lt_out)
{
    uint8_t raw[INLINE_CRYPTO_KM_RAW_LEN];
    InlineCryptoKmStatus st = INLINE_CRYPTO_KM_FAILED;
    Error *err = NULL;

    if (qcrypto_random_bytes(raw, sizeof(raw), &err) < 0) {
        error_report_err(err);
    } else {
        st = km_wrap(km->lt_key, KM_TYPE_LT, raw, lt_out);
    }
    inline_crypto_wipe(raw, sizeof(raw));
    return st;
}

InlineCryptoKmStatus inline_crypto_km_prepare(InlineCryptoKm *km,
                                              const uint8_t *lt, size_t len,
                                              uint8_t *eph_out)
{
    uint8_t raw[INLINE_CRYPTO_KM_RAW_LEN];
    InlineCryptoKmStatus st = km_unwrap(km->lt_key, KM_TYPE_LT, lt, len, raw);

    if (st == INLINE_CRYPTO_KM_OK) {
        st = km_wrap(km->eph_key, KM_TYPE_EPH, raw, eph_out);
    }
    inline_crypto_wipe(raw, sizeof(raw));
    return st;
}

/* Unwrap ephemerally wrapped @eph and derive @out from it with @derive */
static InlineCryptoKmStatus km_derive(InlineCryptoKm *km, const uint8_t *eph,
                                      size_t len, uint8_t *out,
                                      int (*derive)(const uint8_t *raw,
                                                    uint8_t *out,
                                                    Error **errp))
{
    uint8_t raw[INLINE_CRYPTO_KM_RAW_LEN];
    InlineCryptoKmStatus st = km_unwrap(km->eph_key, KM_TYPE_EPH, eph, len,
                                        raw);
    Error *err = NULL;

    if (st == INLINE_CRYPTO_KM_OK && derive(raw, out, &err) < 0) {
        error_report_err(err);
        st = INLINE_CRYPTO_KM_FAILED;
    }
    inline_crypto_wipe(raw, sizeof(raw));
    return st;
}

InlineCryptoKmStatus inline_crypto_km_derive_sw_secret(InlineCryptoKm *km,
                                                       const uint8_t *eph,
                                                       size_t len,
                                                       uint8_t *secret)
{
    return km_derive(km, eph, len, secret,
                     qcrypto_hw_wrapped_key_derive_sw_secret);
}

InlineCryptoKmStatus inline_crypto_km_inline_key(InlineCryptoKm *km,
                                                 const uint8_t *eph,
                                                 size_t len, uint8_t *key)
{
    QEMU_BUILD_BUG_ON(QCRYPTO_HW_WRAPPED_KEY_INLINE_KEY_LEN !=
                      INLINE_CRYPTO_MAX_KEY_LEN);
    return km_derive(km, eph, len, key,
                     qcrypto_hw_wrapped_key_derive_inline_key);
}
