/*
 * QEMU Crypto SP 800-108 key derivation with AES-CMAC
 *
 * The KDF in counter mode of NIST SP 800-108r1 section 4.1 with AES-CMAC
 * as the PRF, a 32-bit counter before the fixed input, and the fixed input
 * of section 5 (what OpenSSL's KBKDF, python-cryptography's KBKDFCMAC and
 * the CAVP KDFCTR vectors with CTRLOCATION=BEFORE_FIXED, RLEN=32_BITS
 * compute):
 *
 *   K(i) = AES-CMAC(key, [i]_32 || label || 0x00 || context || [L]_32)
 *   out  = the first L bits of K(1) || K(2) || ...
 *
 * [x]_32 is big endian; L is the output length in bits.
 *
 * It is also the KDF of inline encryption hardware for hardware-wrapped
 * keys, with the labels and contexts of qcrypto_hw_wrapped_key_derive_*().
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QCRYPTO_KDF_H
#define QCRYPTO_KDF_H

/**
 * qcrypto_kdf_sp800_108_cmac:
 * @key: the key derivation key K_IN: an AES key
 * @key_len: its length: 16, 24 or 32 bytes
 * @label: the label; may be NULL if @label_len is 0
 * @label_len: its length
 * @context: the context; may be NULL if @context_len is 0
 * @context_len: its length
 * @out: where to store the derived key
 * @out_len: its length in bytes: 1 to UINT32_MAX / 8
 * @errp: error object
 *
 * Derive @out_len bytes from @key, @label and @context as above.  On error
 * @out is zeroed.
 *
 * Returns: 0 on success, -1 on error
 */
int qcrypto_kdf_sp800_108_cmac(const uint8_t *key, size_t key_len,
                               const uint8_t *label, size_t label_len,
                               const uint8_t *context, size_t context_len,
                               uint8_t *out, size_t out_len, Error **errp);

/**
 * qcrypto_kdf_sp800_108_cmac_fixed:
 * @key: the key derivation key: an AES key of 16, 24 or 32 bytes
 * @key_len: its length
 * @fixed: the whole fixed input, in whatever format the caller chose
 * @fixed_len: its length
 * @out: where to store the derived key
 * @out_len: its length in bytes: 1 to UINT32_MAX / 8
 * @errp: error object
 *
 * The same KDF with the fixed input given as is:
 * K(i) = AES-CMAC(key, [i]_32 || fixed).  This is what the CAVP KDFCTR
 * vectors test.  On error @out is zeroed.
 *
 * Returns: 0 on success, -1 on error
 */
int qcrypto_kdf_sp800_108_cmac_fixed(const uint8_t *key, size_t key_len,
                                     const uint8_t *fixed, size_t fixed_len,
                                     uint8_t *out, size_t out_len,
                                     Error **errp);

/*
 * Hardware-wrapped keys (Linux, Documentation/block/inline-encryption.rst,
 * "Hardware-wrapped keys"): the hardware unwraps a key to a 32-byte raw
 * key, an AES-256 key for the KDF above, and derives from it the inline
 * encryption key (AES-256-XTS, 64 bytes), which never leaves the hardware,
 * and the 32-byte software secret that it returns to software.  The
 * labels and contexts are the KDF variant that Android calls "kdf1" (also
 * "v1", ro.crypto.hw_wrapped_keys.kdf, the default) and that xfstests'
 * fscrypt-crypt-util replicates: the one of Qualcomm's SM8650 hardware.
 */
#define QCRYPTO_HW_WRAPPED_KEY_RAW_LEN         32
#define QCRYPTO_HW_WRAPPED_KEY_INLINE_KEY_LEN  64
#define QCRYPTO_HW_WRAPPED_KEY_SW_SECRET_LEN   32

/**
 * qcrypto_hw_wrapped_key_derive_inline_key:
 * @raw_key: the 32-byte unwrapped key
 * @inline_key: where to store the 64-byte AES-256-XTS inline encryption key
 * @errp: error object
 *
 * Returns: 0 on success, -1 on error (@inline_key is then zeroed)
 */
int qcrypto_hw_wrapped_key_derive_inline_key(
    const uint8_t raw_key[QCRYPTO_HW_WRAPPED_KEY_RAW_LEN],
    uint8_t inline_key[QCRYPTO_HW_WRAPPED_KEY_INLINE_KEY_LEN], Error **errp);

/**
 * qcrypto_hw_wrapped_key_derive_sw_secret:
 * @raw_key: the 32-byte unwrapped key
 * @sw_secret: where to store the 32-byte software secret
 * @errp: error object
 *
 * Returns: 0 on success, -1 on error (@sw_secret is then zeroed)
 */
int qcrypto_hw_wrapped_key_derive_sw_secret(
    const uint8_t raw_key[QCRYPTO_HW_WRAPPED_KEY_RAW_LEN],
    uint8_t sw_secret[QCRYPTO_HW_WRAPPED_KEY_SW_SECRET_LEN], Error **errp);

#endif /* QCRYPTO_KDF_H */
