/*
 * QEMU Crypto Adiantum length-preserving encryption
 *
 * Adiantum(XChaCha12, AES-256, NH, Poly1305), after section 6 of Crowley
 * and Biggers, "Adiantum: length-preserving encryption for entry-level
 * processors", IACR ToSC 2018(4).  A message P of at least 16 bytes is
 * split into its bulk P_L and its last 16 bytes P_R; with a 32-byte key K
 * and a 32-byte tweak T:
 *
 *   K_E || K_T || K_M || K_N = XChaCha12(K, 1 || 0...)  (32, 16, 16, 1072)
 *   H(T, L)  = Poly1305_{K_T}(le128(8 * |L|) || T)
 *            + Poly1305_{K_M}(NH_{K_N}(L in 1 KiB chunks, zero-padded to
 *                                       a multiple of 16 bytes))
 *   P_M = P_R + H(T, P_L)                      (mod 2^128, little endian)
 *   C_M = AES-256_{K_E}(P_M)
 *   C_L = P_L ^ XChaCha12(K, C_M || 1 || 0...)
 *   C_R = C_M - H(T, C_L)
 *
 * Both Poly1305 instances stop at the value modulo 2^130 - 5, taken modulo
 * 2^128: there is no "s" half.  AES comes from the qcrypto cipher API;
 * XChaCha12, NH and Poly1305 are implemented here in portable C.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bitops.h"
#include "crypto/cipher.h"
#include "crypto/adiantum.h"

#define CHACHA_BLOCK_LEN        64
#define CHACHA12_DOUBLE_ROUNDS  6
#define XCHACHA_NONCE_LEN       24

#define POLY1305_BLOCK_LEN      16
#define POLY1305_HIBIT          (1u << 24)
#define POLY1305_MASK26         0x3ffffffu

#define NH_UNIT_LEN             16
#define NH_PASSES               4
#define NH_KEY_WORDS            (QCRYPTO_ADIANTUM_NH_KEY_LEN / 4)

#define AES_BLOCK_LEN           16
#define AES256_KEY_LEN          32

/* K_E, K_T, K_M and K_N, in this order in the derivation keystream */
#define ADIANTUM_DERIVED_LEN \
    (AES256_KEY_LEN + 2 * POLY1305_BLOCK_LEN + QCRYPTO_ADIANTUM_NH_KEY_LEN)

/* Zero key material in a way the compiler cannot drop. */
static void adiantum_wipe(void *p, size_t len)
{
    memset(p, 0, len);
    asm volatile("" : : "r"(p) : "memory");
}

/*
 * ChaCha12 and XChaCha12
 */

/* "expand 32-byte k" */
static const uint32_t chacha_sigma[4] = {
    0x61707865, 0x3320646e, 0x79622d32, 0x6b206574,
};

static inline void chacha_quarter_round(uint32_t *x, int a, int b, int c,
                                        int d)
{
    x[a] += x[b];
    x[d] = rol32(x[d] ^ x[a], 16);
    x[c] += x[d];
    x[b] = rol32(x[b] ^ x[c], 12);
    x[a] += x[b];
    x[d] = rol32(x[d] ^ x[a], 8);
    x[c] += x[d];
    x[b] = rol32(x[b] ^ x[c], 7);
}

static void chacha12_permute(uint32_t *x)
{
    for (int i = 0; i < CHACHA12_DOUBLE_ROUNDS; i++) {
        /* columns */
        chacha_quarter_round(x, 0, 4, 8, 12);
        chacha_quarter_round(x, 1, 5, 9, 13);
        chacha_quarter_round(x, 2, 6, 10, 14);
        chacha_quarter_round(x, 3, 7, 11, 15);
        /* diagonals */
        chacha_quarter_round(x, 0, 5, 10, 15);
        chacha_quarter_round(x, 1, 6, 11, 12);
        chacha_quarter_round(x, 2, 7, 8, 13);
        chacha_quarter_round(x, 3, 4, 9, 14);
    }
}

/* HChaCha12: a 256-bit subkey from a key and 128 bits of nonce. */
static void hchacha12(const uint8_t *key, const uint8_t *nonce,
                      uint32_t *subkey)
{
    uint32_t x[16];

    memcpy(x, chacha_sigma, sizeof(chacha_sigma));
    for (int i = 0; i < 8; i++) {
        x[4 + i] = ldl_le_p(key + 4 * i);
    }
    for (int i = 0; i < 4; i++) {
        x[12 + i] = ldl_le_p(nonce + 4 * i);
    }
    chacha12_permute(x);
    /* No feed-forward: the first and last rows are the subkey. */
    memcpy(subkey, x, 4 * sizeof(uint32_t));
    memcpy(subkey + 4, x + 12, 4 * sizeof(uint32_t));
    adiantum_wipe(x, sizeof(x));
}

void qcrypto_adiantum_xchacha12(const uint8_t *key, const uint8_t *nonce,
                                uint64_t block, const uint8_t *in,
                                uint8_t *out, size_t len)
{
    uint32_t state[16], x[16];
    uint8_t ks[CHACHA_BLOCK_LEN];

    memcpy(state, chacha_sigma, sizeof(chacha_sigma));
    hchacha12(key, nonce, state + 4);
    state[12] = (uint32_t)block;
    state[13] = (uint32_t)(block >> 32);
    state[14] = ldl_le_p(nonce + 16);
    state[15] = ldl_le_p(nonce + 20);

    while (len) {
        size_t n = MIN(len, CHACHA_BLOCK_LEN);

        memcpy(x, state, sizeof(x));
        chacha12_permute(x);
        for (int i = 0; i < 16; i++) {
            x[i] += state[i];
        }
        if (n == CHACHA_BLOCK_LEN && in) {
            for (int i = 0; i < 16; i++) {
                stl_le_p(out + 4 * i, ldl_le_p(in + 4 * i) ^ x[i]);
            }
        } else {
            for (int i = 0; i < 16; i++) {
                stl_le_p(ks + 4 * i, x[i]);
            }
            for (size_t i = 0; i < n; i++) {
                out[i] = in ? in[i] ^ ks[i] : ks[i];
            }
        }
        if (in) {
            in += n;
        }
        out += n;
        len -= n;
        /* The 64-bit block counter of the original ChaCha */
        if (++state[12] == 0) {
            state[13]++;
        }
    }
    adiantum_wipe(state, sizeof(state));
    adiantum_wipe(x, sizeof(x));
    adiantum_wipe(ks, sizeof(ks));
}

/*
 * NH: sum over 16-byte units of (m0 + k0) * (m2 + k2) + (m1 + k1) * (m3 + k3)
 * in 32-bit words with 64-bit products and sums, for 4 passes whose keys
 * are 4 words apart.  Adds to @sums.
 */
static void nh_add(const uint32_t *k, const uint8_t *m, size_t len,
                   uint64_t *sums)
{
    uint64_t s0 = sums[0], s1 = sums[1], s2 = sums[2], s3 = sums[3];

    for (; len >= NH_UNIT_LEN; len -= NH_UNIT_LEN) {
        uint32_t m0 = ldl_le_p(m);
        uint32_t m1 = ldl_le_p(m + 4);
        uint32_t m2 = ldl_le_p(m + 8);
        uint32_t m3 = ldl_le_p(m + 12);

        s0 += (uint64_t)(uint32_t)(m0 + k[0]) * (uint32_t)(m2 + k[2]);
        s0 += (uint64_t)(uint32_t)(m1 + k[1]) * (uint32_t)(m3 + k[3]);
        s1 += (uint64_t)(uint32_t)(m0 + k[4]) * (uint32_t)(m2 + k[6]);
        s1 += (uint64_t)(uint32_t)(m1 + k[5]) * (uint32_t)(m3 + k[7]);
        s2 += (uint64_t)(uint32_t)(m0 + k[8]) * (uint32_t)(m2 + k[10]);
        s2 += (uint64_t)(uint32_t)(m1 + k[9]) * (uint32_t)(m3 + k[11]);
        s3 += (uint64_t)(uint32_t)(m0 + k[12]) * (uint32_t)(m2 + k[14]);
        s3 += (uint64_t)(uint32_t)(m1 + k[13]) * (uint32_t)(m3 + k[15]);
        m += NH_UNIT_LEN;
        k += NH_UNIT_LEN / 4;
    }
    sums[0] = s0;
    sums[1] = s1;
    sums[2] = s2;
    sums[3] = s3;
}

static void nh_store(const uint64_t *sums, uint8_t *hash)
{
    for (int i = 0; i < NH_PASSES; i++) {
        stq_le_p(hash + 8 * i, sums[i]);
    }
}

void qcrypto_adiantum_nh(const uint8_t *key, const uint8_t *msg, size_t len,
                         uint8_t *hash)
{
    uint32_t k[NH_KEY_WORDS];
    uint64_t sums[NH_PASSES] = { 0 };
    size_t nwords;

    assert(len % NH_UNIT_LEN == 0 && len <= QCRYPTO_ADIANTUM_NH_MSG_LEN);
    nwords = len / 4 + (NH_PASSES - 1) * NH_UNIT_LEN / 4;
    for (size_t i = 0; i < nwords; i++) {
        k[i] = ldl_le_p(key + 4 * i);
    }
    nh_add(k, msg, len, sums);
    nh_store(sums, hash);
    adiantum_wipe(k, sizeof(k));
}

/*
 * Poly1305 in radix 2^26: h = (h + m) * r mod 2^130 - 5, block by block.
 */

typedef struct Poly1305Key {
    uint32_t r[5];
} Poly1305Key;

typedef struct Poly1305State {
    uint32_t h[5];
} Poly1305State;

static void poly1305_setkey(Poly1305Key *k, const uint8_t *raw)
{
    /* Clamp r with 0x0ffffffc0ffffffc0ffffffc0fffffff. */
    uint32_t t0 = ldl_le_p(raw) & 0x0fffffff;
    uint32_t t1 = ldl_le_p(raw + 4) & 0x0ffffffc;
    uint32_t t2 = ldl_le_p(raw + 8) & 0x0ffffffc;
    uint32_t t3 = ldl_le_p(raw + 12) & 0x0ffffffc;

    k->r[0] = t0 & POLY1305_MASK26;
    k->r[1] = ((t0 >> 26) | (t1 << 6)) & POLY1305_MASK26;
    k->r[2] = ((t1 >> 20) | (t2 << 12)) & POLY1305_MASK26;
    k->r[3] = ((t2 >> 14) | (t3 << 18)) & POLY1305_MASK26;
    k->r[4] = t3 >> 8;
}

/* @hibit is POLY1305_HIBIT for full blocks, 0 for a padded last block. */
static void poly1305_blocks(Poly1305State *st, const Poly1305Key *k,
                            const uint8_t *m, size_t nblocks, uint32_t hibit)
{
    const uint64_t r0 = k->r[0], r1 = k->r[1], r2 = k->r[2];
    const uint64_t r3 = k->r[3], r4 = k->r[4];
    /* 2^130 = 5 modulo p: the limbs of r * 2^130, reduced */
    const uint64_t s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
    uint64_t h0 = st->h[0], h1 = st->h[1], h2 = st->h[2];
    uint64_t h3 = st->h[3], h4 = st->h[4];

    for (; nblocks; nblocks--, m += POLY1305_BLOCK_LEN) {
        uint32_t t0 = ldl_le_p(m);
        uint32_t t1 = ldl_le_p(m + 4);
        uint32_t t2 = ldl_le_p(m + 8);
        uint32_t t3 = ldl_le_p(m + 12);
        uint64_t d0, d1, d2, d3, d4;

        h0 += t0 & POLY1305_MASK26;
        h1 += ((t0 >> 26) | (t1 << 6)) & POLY1305_MASK26;
        h2 += ((t1 >> 20) | (t2 << 12)) & POLY1305_MASK26;
        h3 += ((t2 >> 14) | (t3 << 18)) & POLY1305_MASK26;
        h4 += (t3 >> 8) | hibit;

        d0 = h0 * r0 + h1 * s4 + h2 * s3 + h3 * s2 + h4 * s1;
        d1 = h0 * r1 + h1 * r0 + h2 * s4 + h3 * s3 + h4 * s2;
        d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s4 + h4 * s3;
        d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s4;
        d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;

        /* Partial carry: limbs below 2^26, but h1 may exceed it a little. */
        d1 += d0 >> 26;
        h0 = d0 & POLY1305_MASK26;
        d2 += d1 >> 26;
        h1 = d1 & POLY1305_MASK26;
        d3 += d2 >> 26;
        h2 = d2 & POLY1305_MASK26;
        d4 += d3 >> 26;
        h3 = d3 & POLY1305_MASK26;
        h0 += (d4 >> 26) * 5;
        h4 = d4 & POLY1305_MASK26;
        h1 += h0 >> 26;
        h0 &= POLY1305_MASK26;
    }
    st->h[0] = h0;
    st->h[1] = h1;
    st->h[2] = h2;
    st->h[3] = h3;
    st->h[4] = h4;
}

/* The 128-bit result: (h mod 2^130 - 5) + @s mod 2^128, @s may be NULL. */
static void poly1305_emit(const Poly1305State *st, const uint8_t *s,
                          uint8_t *out)
{
    uint32_t h[5], g[5], c, mask;
    uint32_t w[4];

    memcpy(h, st->h, sizeof(h));
    /* Two full carry passes leave every limb below 2^26. */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 1; i < 5; i++) {
            h[i] += h[i - 1] >> 26;
            h[i - 1] &= POLY1305_MASK26;
        }
        c = h[4] >> 26;
        h[4] &= POLY1305_MASK26;
        h[0] += c * 5;
    }
    h[1] += h[0] >> 26;
    h[0] &= POLY1305_MASK26;

    /* g = h + 5 - 2^130; take it if it did not borrow, i.e. h >= p. */
    c = 5;
    for (int i = 0; i < 4; i++) {
        g[i] = h[i] + c;
        c = g[i] >> 26;
        g[i] &= POLY1305_MASK26;
    }
    g[4] = h[4] + c - (1u << 26);
    mask = (g[4] >> 31) - 1;
    for (int i = 0; i < 5; i++) {
        h[i] = (h[i] & ~mask) | (g[i] & mask);
    }

    w[0] = h[0] | (h[1] << 26);
    w[1] = (h[1] >> 6) | (h[2] << 20);
    w[2] = (h[2] >> 12) | (h[3] << 14);
    w[3] = (h[3] >> 18) | (h[4] << 8);
    if (s) {
        uint64_t f = 0;

        for (int i = 0; i < 4; i++) {
            f += (uint64_t)w[i] + (uint32_t)ldl_le_p(s + 4 * i);
            w[i] = (uint32_t)f;
            f >>= 32;
        }
    }
    for (int i = 0; i < 4; i++) {
        stl_le_p(out + 4 * i, w[i]);
    }
    adiantum_wipe(h, sizeof(h));
    adiantum_wipe(g, sizeof(g));
}

void qcrypto_adiantum_poly1305(const uint8_t *key, const uint8_t *msg,
                               size_t len, uint8_t *tag)
{
    Poly1305Key k;
    Poly1305State st = { { 0 } };
    size_t full = len / POLY1305_BLOCK_LEN;

    poly1305_setkey(&k, key);
    poly1305_blocks(&st, &k, msg, full, POLY1305_HIBIT);
    if (len % POLY1305_BLOCK_LEN) {
        uint8_t last[POLY1305_BLOCK_LEN] = { 0 };
        size_t n = len % POLY1305_BLOCK_LEN;

        /* The padding 1 bit goes right after the message. */
        memcpy(last, msg + full * POLY1305_BLOCK_LEN, n);
        last[n] = 1;
        poly1305_blocks(&st, &k, last, 1, 0);
    }
    poly1305_emit(&st, key + POLY1305_BLOCK_LEN, tag);
    adiantum_wipe(&k, sizeof(k));
    adiantum_wipe(&st, sizeof(st));
}

/*
 * Adiantum
 */

struct QCryptoAdiantum {
    uint8_t key[QCRYPTO_ADIANTUM_KEY_LEN];  /* K, for the stream cipher */
    QCryptoCipher *aes;                     /* AES-256 keyed with K_E */
    Poly1305Key header_key;                 /* K_T */
    Poly1305Key msg_key;                    /* K_M */
    uint32_t nh_key[NH_KEY_WORDS];          /* K_N */
};

/* 128-bit little-endian arithmetic; @r may alias @a or @b. */
static void le128_add(uint8_t *r, const uint8_t *a, const uint8_t *b)
{
    uint64_t alo = ldq_le_p(a), ahi = ldq_le_p(a + 8);
    uint64_t blo = ldq_le_p(b), bhi = ldq_le_p(b + 8);
    uint64_t lo = alo + blo;

    stq_le_p(r, lo);
    stq_le_p(r + 8, ahi + bhi + (lo < alo));
}

static void le128_sub(uint8_t *r, const uint8_t *a, const uint8_t *b)
{
    uint64_t alo = ldq_le_p(a), ahi = ldq_le_p(a + 8);
    uint64_t blo = ldq_le_p(b), bhi = ldq_le_p(b + 8);

    stq_le_p(r, alo - blo);
    stq_le_p(r + 8, ahi - bhi - (alo < blo));
}

/* Poly1305_{K_T}(le128(8 * bulk_len) || T), computed once per message. */
static void adiantum_hash_header(QCryptoAdiantum *a, const uint8_t *tweak,
                                 size_t bulk_len, uint8_t *out)
{
    uint8_t buf[POLY1305_BLOCK_LEN + QCRYPTO_ADIANTUM_TWEAK_LEN];
    Poly1305State st = { { 0 } };

    stq_le_p(buf, (uint64_t)bulk_len * 8);
    stq_le_p(buf + 8, 0);
    memcpy(buf + POLY1305_BLOCK_LEN, tweak, QCRYPTO_ADIANTUM_TWEAK_LEN);
    poly1305_blocks(&st, &a->header_key, buf,
                    sizeof(buf) / POLY1305_BLOCK_LEN, POLY1305_HIBIT);
    poly1305_emit(&st, NULL, out);
}

/*
 * H(T, L): @hdr (the tweak's part) plus NH-Poly1305_{K_M, K_N}(L), where
 * each NH hash of up to 1 KiB of L makes two Poly1305 blocks, and the last
 * partial 16-byte unit of L is zero-padded.
 */
static void adiantum_hash(QCryptoAdiantum *a, const uint8_t *hdr,
                          const uint8_t *l, size_t len, uint8_t *out)
{
    Poly1305State st = { { 0 } };
    uint8_t nh_hash[QCRYPTO_ADIANTUM_NH_HASH_LEN];

    while (len) {
        size_t n = MIN(len, QCRYPTO_ADIANTUM_NH_MSG_LEN);
        size_t full = n & ~(size_t)(NH_UNIT_LEN - 1);
        uint64_t sums[NH_PASSES] = { 0 };

        nh_add(a->nh_key, l, full, sums);
        if (n > full) {
            uint8_t last[NH_UNIT_LEN] = { 0 };

            memcpy(last, l + full, n - full);
            nh_add(a->nh_key + full / 4, last, NH_UNIT_LEN, sums);
        }
        nh_store(sums, nh_hash);
        poly1305_blocks(&st, &a->msg_key, nh_hash,
                        sizeof(nh_hash) / POLY1305_BLOCK_LEN, POLY1305_HIBIT);
        l += n;
        len -= n;
    }
    poly1305_emit(&st, NULL, out);
    le128_add(out, out, hdr);
}

static int adiantum_crypt(QCryptoAdiantum *a, const uint8_t *tweak,
                          const uint8_t *in, uint8_t *out, size_t len,
                          bool encrypt, Error **errp)
{
    uint8_t hdr[POLY1305_BLOCK_LEN], hash[POLY1305_BLOCK_LEN];
    uint8_t pm[AES_BLOCK_LEN], cm[AES_BLOCK_LEN];
    uint8_t nonce[XCHACHA_NONCE_LEN] = { 0 };
    size_t bulk_len;
    int ret;

    if (len < QCRYPTO_ADIANTUM_MIN_LEN) {
        error_setg(errp, "Adiantum needs at least %d bytes, not %zu",
                   QCRYPTO_ADIANTUM_MIN_LEN, len);
        return -1;
    }
    bulk_len = len - AES_BLOCK_LEN;

    /* Everything is read from @in before @out is written. */
    adiantum_hash_header(a, tweak, bulk_len, hdr);
    adiantum_hash(a, hdr, in, bulk_len, hash);
    if (encrypt) {
        le128_add(pm, in + bulk_len, hash);
        ret = qcrypto_cipher_encrypt(a->aes, pm, cm, AES_BLOCK_LEN, errp);
    } else {
        le128_add(cm, in + bulk_len, hash);
        ret = qcrypto_cipher_decrypt(a->aes, cm, pm, AES_BLOCK_LEN, errp);
    }
    if (ret < 0) {
        goto out;
    }

    /* The stream cipher's nonce is C_M || le32(1) || 0^4, either way. */
    memcpy(nonce, cm, AES_BLOCK_LEN);
    nonce[AES_BLOCK_LEN] = 1;
    qcrypto_adiantum_xchacha12(a->key, nonce, 0, in, out, bulk_len);

    adiantum_hash(a, hdr, out, bulk_len, hash);
    le128_sub(out + bulk_len, encrypt ? cm : pm, hash);
    ret = 0;

out:
    adiantum_wipe(pm, sizeof(pm));
    adiantum_wipe(cm, sizeof(cm));
    adiantum_wipe(nonce, sizeof(nonce));
    return ret;
}

int qcrypto_adiantum_encrypt(QCryptoAdiantum *a, const uint8_t *tweak,
                             const uint8_t *in, uint8_t *out, size_t len,
                             Error **errp)
{
    return adiantum_crypt(a, tweak, in, out, len, true, errp);
}

int qcrypto_adiantum_decrypt(QCryptoAdiantum *a, const uint8_t *tweak,
                             const uint8_t *in, uint8_t *out, size_t len,
                             Error **errp)
{
    return adiantum_crypt(a, tweak, in, out, len, false, errp);
}

QCryptoAdiantum *qcrypto_adiantum_new(const uint8_t *key, Error **errp)
{
    /* The key derivation nonce is 1 || 0^...: byte 0 is 1. */
    static const uint8_t derive_nonce[XCHACHA_NONCE_LEN] = { 1 };
    QCryptoAdiantum *a = g_new0(QCryptoAdiantum, 1);
    uint8_t *derived = g_malloc(ADIANTUM_DERIVED_LEN);
    const uint8_t *p = derived;

    memcpy(a->key, key, QCRYPTO_ADIANTUM_KEY_LEN);
    qcrypto_adiantum_xchacha12(key, derive_nonce, 0, NULL, derived,
                               ADIANTUM_DERIVED_LEN);

    a->aes = qcrypto_cipher_new(QCRYPTO_CIPHER_ALGO_AES_256,
                                QCRYPTO_CIPHER_MODE_ECB,
                                p, AES256_KEY_LEN, errp);
    p += AES256_KEY_LEN;
    poly1305_setkey(&a->header_key, p);
    p += POLY1305_BLOCK_LEN;
    poly1305_setkey(&a->msg_key, p);
    p += POLY1305_BLOCK_LEN;
    for (int i = 0; i < NH_KEY_WORDS; i++) {
        a->nh_key[i] = ldl_le_p(p + 4 * i);
    }

    adiantum_wipe(derived, ADIANTUM_DERIVED_LEN);
    g_free(derived);
    if (!a->aes) {
        qcrypto_adiantum_free(a);
        return NULL;
    }
    return a;
}

void qcrypto_adiantum_free(QCryptoAdiantum *a)
{
    if (!a) {
        return;
    }
    /* The cipher backends wipe their own key schedules. */
    qcrypto_cipher_free(a->aes);
    adiantum_wipe(a, sizeof(*a));
    g_free(a);
}
