/*
 * QEMU Crypto SP 800-108 key derivation with AES-CMAC
 *
 * NIST SP 800-108r1 section 4.1, KDF in counter mode, PRF = AES-CMAC
 * (crypto/cmac.c), r = 32, counter before the fixed input; see
 * include/crypto/kdf.h.
 *
 * The hardware-wrapped key labels and contexts are those of Android's VTS
 * (test/vts-testcase/kernel, encryption/utils.cpp, variant "kdf1") and of
 * xfstests' src/fscrypt-crypt-util.c (hw_kdf(), after "fscrypt-crypt-util:
 * fix KDF contexts for SM8650"); Linux's
 * Documentation/block/inline-encryption.rst says only "the SP800-108 KDF
 * in Counter Mode with AES-256-CMAC, with a particular choice of labels
 * and contexts".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "crypto/cmac.h"
#include "crypto/kdf.h"
#include "crypto/wipe.h"

/*
 * out = the first out_len bytes of K(1) || K(2) || ..., with
 * K(i) = AES-CMAC(key, [i]_32 || parts[0] || parts[1] || ...).
 */
static int kdf_ctr_cmac(const uint8_t *key, size_t key_len,
                        const struct iovec *parts, size_t nparts,
                        uint8_t *out, size_t out_len, Error **errp)
{
    g_autoptr(QCryptoAesCmac) c = NULL;
    uint8_t block[QCRYPTO_AES_CMAC_LEN];
    size_t done = 0;
    uint32_t i;

    if (out_len == 0 || out_len > UINT32_MAX / 8) {
        error_setg(errp, "SP 800-108 KDF: output length %zu out of range",
                   out_len);
        goto fail;
    }
    c = qcrypto_aes_cmac_new(key, key_len, errp);
    if (!c) {
        goto fail;
    }
    /* out_len <= UINT32_MAX / 8, so i never wraps. */
    for (i = 1; done < out_len; i++) {
        uint8_t ctr[4];
        size_t n = MIN(out_len - done, sizeof(block));

        stl_be_p(ctr, i);
        if (qcrypto_aes_cmac_update(c, ctr, sizeof(ctr), errp) < 0) {
            goto fail;
        }
        for (size_t j = 0; j < nparts; j++) {
            if (qcrypto_aes_cmac_update(c, parts[j].iov_base,
                                        parts[j].iov_len, errp) < 0) {
                goto fail;
            }
        }
        if (qcrypto_aes_cmac_final(c, block, errp) < 0) {
            goto fail;
        }
        memcpy(out + done, block, n);
        done += n;
    }
    qcrypto_wipe(block, sizeof(block));
    return 0;

fail:
    qcrypto_wipe(block, sizeof(block));
    if (out_len) {
        qcrypto_wipe(out, out_len);
    }
    return -1;
}

int qcrypto_kdf_sp800_108_cmac_fixed(const uint8_t *key, size_t key_len,
                                     const uint8_t *fixed, size_t fixed_len,
                                     uint8_t *out, size_t out_len,
                                     Error **errp)
{
    struct iovec parts[] = {
        { .iov_base = (void *)fixed, .iov_len = fixed_len },
    };

    return kdf_ctr_cmac(key, key_len, parts, ARRAY_SIZE(parts),
                        out, out_len, errp);
}

int qcrypto_kdf_sp800_108_cmac(const uint8_t *key, size_t key_len,
                               const uint8_t *label, size_t label_len,
                               const uint8_t *context, size_t context_len,
                               uint8_t *out, size_t out_len, Error **errp)
{
    static const uint8_t separator;
    uint8_t l[4];
    struct iovec parts[] = {
        { .iov_base = (void *)label, .iov_len = label_len },
        { .iov_base = (void *)&separator, .iov_len = 1 },
        { .iov_base = (void *)context, .iov_len = context_len },
        { .iov_base = l, .iov_len = sizeof(l) },
    };

    /* kdf_ctr_cmac() rejects a length whose bit count does not fit. */
    stl_be_p(l, (uint32_t)(out_len * 8));
    return kdf_ctr_cmac(key, key_len, parts, ARRAY_SIZE(parts),
                        out, out_len, errp);
}

/*
 * The label of both subkeys: 11 bytes of which only two are not zero.
 * Android VTS and xfstests take it as an opaque string.
 */
static const uint8_t hw_wrapped_key_label[11] = {
    0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20,
};

/*
 * The contexts: a string, zero padding to a multiple of 8 bytes, and a
 * key policy word (VTS: "software provided context, padding to eight bytes
 * (if required) and the key policy").
 */
static const uint8_t hw_wrapped_key_inline_context[36] = {
    'i', 'n', 'l', 'i', 'n', 'e', ' ', 'e', 'n', 'c', 'r', 'y',
    'p', 't', 'i', 'o', 'n', ' ', 'k', 'e', 'y', 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x02, 0x43, 0x00, 0x82, 0x50, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t hw_wrapped_key_sw_secret_context[28] = {
    'r', 'a', 'w', ' ', 's', 'e', 'c', 'r', 'e', 't', 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x17, 0x00, 0x80, 0x50,
    0x00, 0x00, 0x00, 0x00,
};

int qcrypto_hw_wrapped_key_derive_inline_key(
    const uint8_t raw_key[QCRYPTO_HW_WRAPPED_KEY_RAW_LEN],
    uint8_t inline_key[QCRYPTO_HW_WRAPPED_KEY_INLINE_KEY_LEN], Error **errp)
{
    return qcrypto_kdf_sp800_108_cmac(
        raw_key, QCRYPTO_HW_WRAPPED_KEY_RAW_LEN,
        hw_wrapped_key_label, sizeof(hw_wrapped_key_label),
        hw_wrapped_key_inline_context, sizeof(hw_wrapped_key_inline_context),
        inline_key, QCRYPTO_HW_WRAPPED_KEY_INLINE_KEY_LEN, errp);
}

int qcrypto_hw_wrapped_key_derive_sw_secret(
    const uint8_t raw_key[QCRYPTO_HW_WRAPPED_KEY_RAW_LEN],
    uint8_t sw_secret[QCRYPTO_HW_WRAPPED_KEY_SW_SECRET_LEN], Error **errp)
{
    return qcrypto_kdf_sp800_108_cmac(
        raw_key, QCRYPTO_HW_WRAPPED_KEY_RAW_LEN,
        hw_wrapped_key_label, sizeof(hw_wrapped_key_label),
        hw_wrapped_key_sw_secret_context,
        sizeof(hw_wrapped_key_sw_secret_context),
        sw_secret, QCRYPTO_HW_WRAPPED_KEY_SW_SECRET_LEN, errp);
}
