/*
 * QEMU Crypto AES-CMAC
 *
 * NIST SP 800-38B (RFC 4493 for AES-128), with AES from the qcrypto
 * cipher API in ECB mode, so that it works with every crypto backend:
 *
 *   L  = AES_K(0^128)
 *   K1 = dbl(L), K2 = dbl(K1)  (shift left by one bit; if the bit shifted
 *                               out is 1, XOR 0x87 into the last byte)
 *   M_1 ... M_n: the message in 16-byte blocks, n >= 1; if the last one is
 *   whole, M_n' = M_n ^ K1, otherwise M_n' = (M_n || 10...0) ^ K2
 *   X_0 = 0^128, X_i = AES_K(X_{i-1} ^ M_i) (M_n' for i = n); T = X_n
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "crypto/cipher.h"
#include "crypto/cmac.h"
#include "crypto/wipe.h"

#define CMAC_BLOCK_LEN  QCRYPTO_AES_CMAC_LEN

struct QCryptoAesCmac {
    QCryptoCipher *aes;
    uint8_t k1[CMAC_BLOCK_LEN];
    uint8_t k2[CMAC_BLOCK_LEN];
    /* the CBC-MAC chaining value X_i of the blocks processed so far */
    uint8_t x[CMAC_BLOCK_LEN];
    /*
     * The bytes not processed yet: up to a whole block, kept back until
     * more data shows that it is not the last block.
     */
    uint8_t buf[CMAC_BLOCK_LEN];
    size_t buf_len;
};

/* Multiply by x in GF(2^128), big-endian bit order, without branches. */
static void cmac_dbl(uint8_t *out, const uint8_t *in)
{
    uint8_t carry = -(in[0] >> 7);

    for (int i = 0; i < CMAC_BLOCK_LEN - 1; i++) {
        out[i] = (in[i] << 1) | (in[i + 1] >> 7);
    }
    out[CMAC_BLOCK_LEN - 1] = (in[CMAC_BLOCK_LEN - 1] << 1) ^ (carry & 0x87);
}

/* X = AES_K(X ^ block) */
static int cmac_chain(QCryptoAesCmac *c, const uint8_t *block, Error **errp)
{
    uint8_t t[CMAC_BLOCK_LEN];
    int ret;

    for (int i = 0; i < CMAC_BLOCK_LEN; i++) {
        t[i] = c->x[i] ^ block[i];
    }
    ret = qcrypto_cipher_encrypt(c->aes, t, c->x, CMAC_BLOCK_LEN, errp);
    qcrypto_wipe(t, sizeof(t));
    return ret;
}

static void cmac_reset(QCryptoAesCmac *c)
{
    qcrypto_wipe(c->x, sizeof(c->x));
    qcrypto_wipe(c->buf, sizeof(c->buf));
    c->buf_len = 0;
}

QCryptoAesCmac *qcrypto_aes_cmac_new(const uint8_t *key, size_t key_len,
                                     Error **errp)
{
    g_autoptr(QCryptoAesCmac) c = g_new0(QCryptoAesCmac, 1);
    static const uint8_t zero[CMAC_BLOCK_LEN];
    uint8_t l[CMAC_BLOCK_LEN];
    QCryptoCipherAlgo alg;
    int ret;

    switch (key_len) {
    case 16:
        alg = QCRYPTO_CIPHER_ALGO_AES_128;
        break;
    case 24:
        alg = QCRYPTO_CIPHER_ALGO_AES_192;
        break;
    case 32:
        alg = QCRYPTO_CIPHER_ALGO_AES_256;
        break;
    default:
        error_setg(errp, "AES-CMAC: key length %zu is not 16, 24 or 32",
                   key_len);
        return NULL;
    }
    c->aes = qcrypto_cipher_new(alg, QCRYPTO_CIPHER_MODE_ECB, key, key_len,
                                errp);
    if (!c->aes) {
        return NULL;
    }
    ret = qcrypto_cipher_encrypt(c->aes, zero, l, CMAC_BLOCK_LEN, errp);
    if (ret == 0) {
        cmac_dbl(c->k1, l);
        cmac_dbl(c->k2, c->k1);
    }
    qcrypto_wipe(l, sizeof(l));
    if (ret < 0) {
        return NULL;
    }
    return g_steal_pointer(&c);
}

int qcrypto_aes_cmac_update(QCryptoAesCmac *c, const uint8_t *data,
                            size_t len, Error **errp)
{
    while (len) {
        size_t n;

        if (c->buf_len == CMAC_BLOCK_LEN) {
            /* More data follows: the buffered block is not the last. */
            if (cmac_chain(c, c->buf, errp) < 0) {
                cmac_reset(c);
                return -1;
            }
            c->buf_len = 0;
        }
        n = MIN(CMAC_BLOCK_LEN - c->buf_len, len);
        memcpy(c->buf + c->buf_len, data, n);
        c->buf_len += n;
        data += n;
        len -= n;
    }
    return 0;
}

int qcrypto_aes_cmac_final(QCryptoAesCmac *c,
                           uint8_t mac[QCRYPTO_AES_CMAC_LEN], Error **errp)
{
    const uint8_t *k;
    int ret;

    if (c->buf_len == CMAC_BLOCK_LEN) {
        k = c->k1;
    } else {
        /* Pad with a single 1 bit and then 0 bits (an empty message too). */
        c->buf[c->buf_len] = 0x80;
        memset(c->buf + c->buf_len + 1, 0, CMAC_BLOCK_LEN - c->buf_len - 1);
        k = c->k2;
    }
    for (int i = 0; i < CMAC_BLOCK_LEN; i++) {
        c->buf[i] ^= k[i];
    }
    ret = cmac_chain(c, c->buf, errp);
    if (ret == 0) {
        memcpy(mac, c->x, CMAC_BLOCK_LEN);
    }
    cmac_reset(c);
    return ret;
}

void qcrypto_aes_cmac_free(QCryptoAesCmac *c)
{
    if (!c) {
        return;
    }
    qcrypto_cipher_free(c->aes);
    qcrypto_wipe(c, sizeof(*c));
    g_free(c);
}

int qcrypto_aes_cmac(const uint8_t *key, size_t key_len,
                     const uint8_t *msg, size_t msg_len,
                     uint8_t mac[QCRYPTO_AES_CMAC_LEN], Error **errp)
{
    g_autoptr(QCryptoAesCmac) c = qcrypto_aes_cmac_new(key, key_len, errp);

    if (!c || qcrypto_aes_cmac_update(c, msg, msg_len, errp) < 0) {
        return -1;
    }
    return qcrypto_aes_cmac_final(c, mac, errp);
}
