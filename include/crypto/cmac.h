/*
 * QEMU Crypto AES-CMAC
 *
 * CMAC with AES as its block cipher: NIST SP 800-38B, and RFC 4493 for
 * AES-128.  The MAC is always the full 16-byte block (no truncation).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QCRYPTO_CMAC_H
#define QCRYPTO_CMAC_H

#define QCRYPTO_AES_CMAC_LEN  16

typedef struct QCryptoAesCmac QCryptoAesCmac;

/**
 * qcrypto_aes_cmac_new:
 * @key: the AES key
 * @key_len: its length: 16, 24 or 32 bytes (AES-128, -192 or -256)
 * @errp: error object
 *
 * Set up a CMAC instance: the AES key schedule and the subkeys K1 and K2
 * of SP 800-38B section 6.1.  The caller may wipe @key as soon as this
 * returns.  One instance computes any number of MACs with the same key,
 * one after the other (qcrypto_aes_cmac_final() starts a new message);
 * it is not for two threads at once.
 *
 * Returns: a new instance, or NULL on error
 */
QCryptoAesCmac *qcrypto_aes_cmac_new(const uint8_t *key, size_t key_len,
                                     Error **errp);

/**
 * qcrypto_aes_cmac_update:
 * @c: the CMAC instance
 * @data: the next bytes of the message
 * @len: how many; 0 is allowed
 * @errp: error object
 *
 * Returns: 0 on success, -1 on error (the message in progress is then
 * discarded)
 */
int qcrypto_aes_cmac_update(QCryptoAesCmac *c, const uint8_t *data,
                            size_t len, Error **errp);

/**
 * qcrypto_aes_cmac_final:
 * @c: the CMAC instance
 * @mac: where to store the 16-byte MAC
 * @errp: error object
 *
 * Finish the message fed to qcrypto_aes_cmac_update() since
 * qcrypto_aes_cmac_new() or the previous qcrypto_aes_cmac_final() (an
 * empty one if nothing was fed), and make @c ready for a new message.
 *
 * Returns: 0 on success, -1 on error
 */
int qcrypto_aes_cmac_final(QCryptoAesCmac *c,
                           uint8_t mac[QCRYPTO_AES_CMAC_LEN], Error **errp);

/**
 * qcrypto_aes_cmac_free:
 * Wipe the key material of @c and free it.  @c may be NULL.
 */
void qcrypto_aes_cmac_free(QCryptoAesCmac *c);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QCryptoAesCmac, qcrypto_aes_cmac_free)

/**
 * qcrypto_aes_cmac:
 * @key: the AES key
 * @key_len: its length: 16, 24 or 32 bytes
 * @msg: the message
 * @msg_len: its length; 0 is allowed
 * @mac: where to store the 16-byte MAC
 * @errp: error object
 *
 * AES-CMAC of @msg in one call.
 *
 * Returns: 0 on success, -1 on error
 */
int qcrypto_aes_cmac(const uint8_t *key, size_t key_len,
                     const uint8_t *msg, size_t msg_len,
                     uint8_t mac[QCRYPTO_AES_CMAC_LEN], Error **errp);

#endif /* QCRYPTO_CMAC_H */
