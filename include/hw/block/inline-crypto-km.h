/*
 * Key manager for hardware-wrapped inline encryption keys
 *
 * The contract is Linux's (Documentation/block/inline-encryption.rst,
 * "Hardware-wrapped keys"): the raw key of a hardware-wrapped key never
 * reaches software after it has been imported.  The key manager wraps it
 * for long-term storage (with a key that survives restarts), rewraps it
 * ephemerally (with a key that lives until the next reset), derives from
 * it a 32-byte software secret, and programs a keyslot with the inline
 * encryption key it derives from it.  Both derivations are the SP 800-108
 * KDF of crypto/kdf.c, so that what lands on the medium is checkable.
 *
 * Wrapped keys are INLINE_CRYPTO_KM_WRAPPED_LEN bytes: a header (version,
 * type), a random nonce, the raw key encrypted with AES-256-CTR and an
 * AES-256-CMAC tag over all of it, with keys derived from the long-term or
 * the ephemeral wrapping key.  A wrapped key that was tampered with,
 * truncated, wrapped by another key manager, or ephemerally wrapped
 * before the last reset is refused.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_BLOCK_INLINE_CRYPTO_KM_H
#define HW_BLOCK_INLINE_CRYPTO_KM_H

#include "hw/block/inline-crypto.h"

#define INLINE_CRYPTO_KM_RAW_LEN        32
#define INLINE_CRYPTO_KM_WRAPPED_LEN    68
#define INLINE_CRYPTO_KM_SECRET_LEN     32
#define INLINE_CRYPTO_KM_WRAPPING_LEN   32  /* the wrapping keys */

typedef enum InlineCryptoKmStatus {
    INLINE_CRYPTO_KM_OK = 0,
    INLINE_CRYPTO_KM_BAD_COMMAND = 1,   /* unknown command */
    INLINE_CRYPTO_KM_BAD_LENGTH = 2,    /* input of the wrong length */
    INLINE_CRYPTO_KM_BAD_KEY = 3,       /* refused wrapped key */
    INLINE_CRYPTO_KM_BAD_SLOT = 4,      /* keyslot, capability or DUSU */
    INLINE_CRYPTO_KM_FAILED = 5,        /* internal error */
} InlineCryptoKmStatus;

typedef struct InlineCryptoKm {
    uint8_t lt_key[INLINE_CRYPTO_KM_WRAPPING_LEN];
    uint8_t eph_key[INLINE_CRYPTO_KM_WRAPPING_LEN];
} InlineCryptoKm;

/**
 * inline_crypto_km_init:
 * @lt_key: the long-term wrapping key, INLINE_CRYPTO_KM_WRAPPING_LEN bytes,
 *          or NULL for a random one (wrapped keys then only live as long
 *          as the process)
 *
 * Also draws a first ephemeral wrapping key.
 */
int inline_crypto_km_init(InlineCryptoKm *km, const uint8_t *lt_key,
                          Error **errp);
/* A device reset: a new ephemeral wrapping key. */
int inline_crypto_km_reset(InlineCryptoKm *km, Error **errp);
void inline_crypto_km_cleanup(InlineCryptoKm *km);

/* @raw: INLINE_CRYPTO_KM_RAW_LEN bytes; @lt_out: the long-term wrapped key */
InlineCryptoKmStatus inline_crypto_km_import(InlineCryptoKm *km,
                                             const uint8_t *raw, size_t len,
                                             uint8_t *lt_out);
InlineCryptoKmStatus inline_crypto_km_generate(InlineCryptoKm *km,
                                               uint8_t *lt_out);
/* Long-term wrapped @lt to ephemerally wrapped @eph_out */
InlineCryptoKmStatus inline_crypto_km_prepare(InlineCryptoKm *km,
                                              const uint8_t *lt, size_t len,
                                              uint8_t *eph_out);
/* The software secret of ephemerally wrapped @eph */
InlineCryptoKmStatus inline_crypto_km_derive_sw_secret(InlineCryptoKm *km,
                                                       const uint8_t *eph,
                                                       size_t len,
                                                       uint8_t *secret);
/*
 * The inline encryption key of ephemerally wrapped @eph: an AES-256-XTS
 * key, INLINE_CRYPTO_MAX_KEY_LEN bytes, for the engine.  The caller wipes
 * it after use.
 */
InlineCryptoKmStatus inline_crypto_km_inline_key(InlineCryptoKm *km,
                                                 const uint8_t *eph,
                                                 size_t len, uint8_t *key);

#endif /* HW_BLOCK_INLINE_CRYPTO_KM_H */
