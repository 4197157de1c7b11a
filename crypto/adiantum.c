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
 * XChaCha12, NH and Poly1305 are implemented here in portable C, and
 * XChaCha12 and NH, which take nearly all of the time, also with SIMD
 * (see "Implementations" below).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bitops.h"
#include "crypto/cipher.h"
#include "crypto/adiantum.h"
#include "crypto/wipe.h"
#if defined(__x86_64__)
#include "host/cpuinfo.h"
#include <immintrin.h>
#define ADIANTUM_X86 1
#elif defined(__aarch64__) && defined(__ARM_NEON) && !HOST_BIG_ENDIAN
#include <arm_neon.h>
#define ADIANTUM_NEON 1
#endif

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
    qcrypto_wipe(x, sizeof(x));
}

/*
 * @n whole keystream blocks of ChaCha12 with @state from block @ctr on
 * (the 64-bit counter of the original ChaCha, words 12 and 13), XORed
 * with @in into @out.
 */
static void chacha12_xor_c(const uint32_t *state, uint64_t ctr,
                           const uint8_t *in, uint8_t *out, size_t n)
{
    uint32_t s[16], x[16];

    memcpy(s, state, sizeof(s));
    for (; n; n--, ctr++, in += CHACHA_BLOCK_LEN, out += CHACHA_BLOCK_LEN) {
        s[12] = (uint32_t)ctr;
        s[13] = (uint32_t)(ctr >> 32);
        memcpy(x, s, sizeof(x));
        chacha12_permute(x);
        for (int i = 0; i < 16; i++) {
            stl_le_p(out + 4 * i, ldl_le_p(in + 4 * i) ^ (x[i] + s[i]));
        }
    }
    qcrypto_wipe(s, sizeof(s));
    qcrypto_wipe(x, sizeof(x));
}

static void nh_add_c(const uint32_t *k, const uint8_t *m, size_t len,
                     uint64_t *sums);

/*
 * Implementations of the two hot loops: ChaCha12's whole blocks of the
 * bulk, and NH.  The portable C one, and SIMD ones (GCC's vector
 * extensions for ChaCha12, intrinsics for NH): 4 blocks at a time with
 * SSE2 on x86_64 and NEON on aarch64 (both always there), 8 with AVX2
 * and 16 with AVX-512 where the CPU has them.  The fastest one the CPU
 * runs is the default; tests select each in turn
 * (qcrypto_adiantum_impl_select()).
 */
typedef struct AdiantumImpl {
    const char *name;
    bool (*available)(void);
    void (*chacha12_xor)(const uint32_t *state, uint64_t ctr,
                         const uint8_t *in, uint8_t *out, size_t n);
    void (*nh_add)(const uint32_t *k, const uint8_t *m, size_t len,
                   uint64_t *sums);
} AdiantumImpl;

static const AdiantumImpl *adiantum_impl;
static const AdiantumImpl *adiantum_default_impl(void);

static const AdiantumImpl *impl(void)
{
    if (!adiantum_impl) {
        adiantum_impl = adiantum_default_impl();
    }
    return adiantum_impl;
}

void qcrypto_adiantum_xchacha12(const uint8_t *key, const uint8_t *nonce,
                                uint64_t block, const uint8_t *in,
                                uint8_t *out, size_t len)
{
    static const uint8_t zero[CHACHA_BLOCK_LEN];
    uint32_t state[16];
    uint8_t ks[CHACHA_BLOCK_LEN];

    memcpy(state, chacha_sigma, sizeof(chacha_sigma));
    hchacha12(key, nonce, state + 4);
    state[14] = ldl_le_p(nonce + 16);
    state[15] = ldl_le_p(nonce + 20);
    if (in && len >= CHACHA_BLOCK_LEN) {
        size_t n = len / CHACHA_BLOCK_LEN;

        impl()->chacha12_xor(state, block, in, out, n);
        block += n;
        in += n * CHACHA_BLOCK_LEN;
        out += n * CHACHA_BLOCK_LEN;
        len -= n * CHACHA_BLOCK_LEN;
    }

    /* The keystream alone, and the last partial block */
    for (; len; block++) {
        size_t n = MIN(len, CHACHA_BLOCK_LEN);

        chacha12_xor_c(state, block, zero, ks, 1);
        for (size_t i = 0; i < n; i++) {
            out[i] = in ? in[i] ^ ks[i] : ks[i];
        }
        if (in) {
            in += n;
        }
        out += n;
        len -= n;
    }
    qcrypto_wipe(state, sizeof(state));
    qcrypto_wipe(ks, sizeof(ks));
}

/*
 * NH: sum over 16-byte units of (m0 + k0) * (m2 + k2) + (m1 + k1) * (m3 + k3)
 * in 32-bit words with 64-bit products and sums, for 4 passes whose keys
 * are 4 words apart.  Adds to @sums.
 */
static void nh_add_c(const uint32_t *k, const uint8_t *m, size_t len,
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
    impl()->nh_add(k, msg, len, sums);
    nh_store(sums, hash);
    qcrypto_wipe(k, sizeof(k));
}

/*
 * Implementations
 */

static bool adiantum_always(void)
{
    return true;
}

#if defined(ADIANTUM_X86) || defined(ADIANTUM_NEON)
/*
 * ChaCha12 on 4 or 8 blocks at once: vector i holds word i of each block
 * (lane j: block ctr + j), so that a quarter round is a few vector
 * operations; the blocks' words are then transposed back, 4x4 at a time.
 */
typedef uint32_t vu32x4_t __attribute__((vector_size(16)));

#define CHACHA_V_ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define CHACHA_V_QR(x, a, b, c, d)                                         \
    do {                                                                   \
        x[a] += x[b]; x[d] = CHACHA_V_ROTL(x[d] ^ x[a], 16);               \
        x[c] += x[d]; x[b] = CHACHA_V_ROTL(x[b] ^ x[c], 12);               \
        x[a] += x[b]; x[d] = CHACHA_V_ROTL(x[d] ^ x[a], 8);                \
        x[c] += x[d]; x[b] = CHACHA_V_ROTL(x[b] ^ x[c], 7);                \
    } while (0)
#define CHACHA_V_PERMUTE(x)                                                \
    for (int r_ = 0; r_ < CHACHA12_DOUBLE_ROUNDS; r_++) {                  \
        CHACHA_V_QR(x, 0, 4, 8, 12);                                       \
        CHACHA_V_QR(x, 1, 5, 9, 13);                                       \
        CHACHA_V_QR(x, 2, 6, 10, 14);                                      \
        CHACHA_V_QR(x, 3, 7, 11, 15);                                      \
        CHACHA_V_QR(x, 0, 5, 10, 15);                                      \
        CHACHA_V_QR(x, 1, 6, 11, 12);                                      \
        CHACHA_V_QR(x, 2, 7, 8, 13);                                       \
        CHACHA_V_QR(x, 3, 4, 9, 14);                                       \
    }

/*
 * Words 4g..4g+3 of blocks 0..3 are lanes 0..3 of @v[0..3]: transpose
 * them and XOR them with those words of @in into @out (@in and @out
 * point at word 4g of block 0).
 */
static inline void chacha_v4_xor_words(const vu32x4_t *v, const uint8_t *in,
                                       uint8_t *out)
{
    vu32x4_t t0 = __builtin_shufflevector(v[0], v[1], 0, 4, 1, 5);
    vu32x4_t t1 = __builtin_shufflevector(v[0], v[1], 2, 6, 3, 7);
    vu32x4_t t2 = __builtin_shufflevector(v[2], v[3], 0, 4, 1, 5);
    vu32x4_t t3 = __builtin_shufflevector(v[2], v[3], 2, 6, 3, 7);
    vu32x4_t r[4] = {
        __builtin_shufflevector(t0, t2, 0, 1, 4, 5),
        __builtin_shufflevector(t0, t2, 2, 3, 6, 7),
        __builtin_shufflevector(t1, t3, 0, 1, 4, 5),
        __builtin_shufflevector(t1, t3, 2, 3, 6, 7),
    };

    for (int j = 0; j < 4; j++) {
        vu32x4_t m;

        memcpy(&m, in + j * CHACHA_BLOCK_LEN, sizeof(m));
        m ^= r[j];
        memcpy(out + j * CHACHA_BLOCK_LEN, &m, sizeof(m));
    }
}

/* 4 blocks from @ctr on, with @s and @x as scratch */
static inline QEMU_ALWAYS_INLINE void
chacha12_v4_blocks(const uint32_t *state, uint64_t ctr, const uint8_t *in,
                   uint8_t *out, vu32x4_t *s, vu32x4_t *x)
{
    for (int i = 0; i < 16; i++) {
        s[i] = (vu32x4_t){ 0 } + state[i];
    }
    for (int j = 0; j < 4; j++) {
        s[12][j] = (uint32_t)(ctr + j);
        s[13][j] = (uint32_t)((ctr + j) >> 32);
    }
    memcpy(x, s, 16 * sizeof(vu32x4_t));
    CHACHA_V_PERMUTE(x);
    for (int i = 0; i < 16; i++) {
        x[i] += s[i];
    }
    for (int g = 0; g < 4; g++) {
        chacha_v4_xor_words(x + 4 * g, in + 16 * g, out + 16 * g);
    }
}

/*
 * Inlined into the AVX2 function too: there the compiler encodes it with
 * VEX, where a call into SSE code would pay for the transition.  The last
 * 1 to 3 blocks come from 4 blocks of keystream, of which as many are
 * used.
 */
static inline QEMU_ALWAYS_INLINE void
chacha12_xor_v4_inline(const uint32_t *state, uint64_t ctr,
                       const uint8_t *in, uint8_t *out, size_t n)
{
    vu32x4_t s[16], x[16];

    for (; n >= 4; n -= 4, ctr += 4) {
        chacha12_v4_blocks(state, ctr, in, out, s, x);
        in += 4 * CHACHA_BLOCK_LEN;
        out += 4 * CHACHA_BLOCK_LEN;
    }
    if (n) {
        uint8_t zero[4 * CHACHA_BLOCK_LEN] = { 0 };
        uint8_t ks[4 * CHACHA_BLOCK_LEN];

        chacha12_v4_blocks(state, ctr, zero, ks, s, x);
        for (size_t i = 0; i < n * CHACHA_BLOCK_LEN; i++) {
            out[i] = in[i] ^ ks[i];
        }
        qcrypto_wipe(ks, sizeof(ks));
    }
    qcrypto_wipe(s, sizeof(s));
    qcrypto_wipe(x, sizeof(x));
}

static void chacha12_xor_v4(const uint32_t *state, uint64_t ctr,
                            const uint8_t *in, uint8_t *out, size_t n)
{
    chacha12_xor_v4_inline(state, ctr, in, out, n);
}
#endif

#ifdef ADIANTUM_NEON
/* NH: vmlal_u32 multiplies and accumulates two 32-bit pairs at once. */
static void nh_add_neon(const uint32_t *k, const uint8_t *m, size_t len,
                        uint64_t *sums)
{
    uint64x2_t s[NH_PASSES];

    for (int p = 0; p < NH_PASSES; p++) {
        s[p] = vdupq_n_u64(0);
    }
    for (; len >= NH_UNIT_LEN; len -= NH_UNIT_LEN) {
        uint32x4_t mv = vreinterpretq_u32_u8(vld1q_u8(m));

        for (int p = 0; p < NH_PASSES; p++) {
            uint32x4_t t = vaddq_u32(mv, vld1q_u32(k + 4 * p));

            /* (m0 + k0) * (m2 + k2), (m1 + k1) * (m3 + k3) */
            s[p] = vmlal_u32(s[p], vget_low_u32(t), vget_high_u32(t));
        }
        m += NH_UNIT_LEN;
        k += NH_UNIT_LEN / 4;
    }
    for (int p = 0; p < NH_PASSES; p++) {
        sums[p] += vgetq_lane_u64(s[p], 0) + vgetq_lane_u64(s[p], 1);
    }
}

static const AdiantumImpl adiantum_impls[] = {
    { "c", adiantum_always, chacha12_xor_c, nh_add_c },
    { "neon", adiantum_always, chacha12_xor_v4, nh_add_neon },
};
#elif defined(ADIANTUM_X86)
/*
 * NH: _mm_mul_epu32 multiplies lanes 0 and 2; the shuffles put
 * (m0 + k0, m1 + k1) there in one operand and (m2 + k2, m3 + k3) in the
 * other.
 */
static inline QEMU_ALWAYS_INLINE void
nh_add_sse2_inline(const uint32_t *k, const uint8_t *m, size_t len,
                   uint64_t *sums)
{
    __m128i s[NH_PASSES];
    uint64_t lanes[2];

    for (int p = 0; p < NH_PASSES; p++) {
        s[p] = _mm_setzero_si128();
    }
    for (; len >= NH_UNIT_LEN; len -= NH_UNIT_LEN) {
        __m128i mv = _mm_loadu_si128((const __m128i *)m);

        for (int p = 0; p < NH_PASSES; p++) {
            __m128i t = _mm_add_epi32(mv,
                            _mm_loadu_si128((const __m128i *)(k + 4 * p)));

            s[p] = _mm_add_epi64(s[p],
                       _mm_mul_epu32(_mm_shuffle_epi32(t, 0x50),
                                     _mm_shuffle_epi32(t, 0xfa)));
        }
        m += NH_UNIT_LEN;
        k += NH_UNIT_LEN / 4;
    }
    for (int p = 0; p < NH_PASSES; p++) {
        _mm_storeu_si128((__m128i *)lanes, s[p]);
        sums[p] += lanes[0] + lanes[1];
    }
}

static void nh_add_sse2(const uint32_t *k, const uint8_t *m, size_t len,
                        uint64_t *sums)
{
    nh_add_sse2_inline(k, m, len, sums);
}

/*
 * AVX2 functions build in any x86_64 unit with GCC and clang (target
 * attribute), and run only where cpuinfo says the CPU and OS have AVX2.
 */
typedef uint32_t vu32x8_t __attribute__((vector_size(32)));

static bool adiantum_has_avx2(void)
{
    return cpuinfo & CPUINFO_AVX2;
}

/*
 * LANES blocks at a time (8 or 16), STORE transposing them back and
 * XORing them with @in into @out; leaves the rest (n < LANES) to the
 * caller.
 */
#define CHACHA12_XOR_WIDE(vt, lanes, STORE)                                \
    do {                                                                   \
        const vt zero = { 0 };                                             \
        vt b[16], x[16], iota, c0, lo, hi;                                 \
                                                                           \
        for (int i = 0; i < 16; i++) {                                     \
            b[i] = zero + state[i];                                        \
        }                                                                  \
        for (int j = 0; j < (lanes); j++) {                                \
            iota[j] = j;                                                   \
        }                                                                  \
        for (; n >= (lanes); n -= (lanes), ctr += (lanes)) {               \
            /* Lane j: block ctr + j, carried into word 13 */              \
            c0 = zero + (uint32_t)ctr;                                     \
            lo = c0 + iota;                                                \
            hi = zero + (uint32_t)(ctr >> 32) - (vt)(lo < c0);             \
            memcpy(x, b, sizeof(x));                                       \
            x[12] = lo;                                                    \
            x[13] = hi;                                                    \
            CHACHA_V_PERMUTE(x);                                           \
            for (int i = 0; i < 16; i++) {                                 \
                x[i] += i == 12 ? lo : i == 13 ? hi : b[i];                \
            }                                                              \
            STORE(x, in, out);                                             \
            in += (lanes) * CHACHA_BLOCK_LEN;                              \
            out += (lanes) * CHACHA_BLOCK_LEN;                             \
        }                                                                  \
        qcrypto_wipe(b, sizeof(b));                                       \
        qcrypto_wipe(x, sizeof(x));                                       \
    } while (0)

/* 8 blocks: the two halves of 4 through memory, 4x4 transposes */
static inline QEMU_ALWAYS_INLINE void
chacha_v8_xor_blocks(const vu32x8_t *x, const uint8_t *in, uint8_t *out)
{
    for (int h = 0; h < 2; h++) {
        size_t at = h * 4 * CHACHA_BLOCK_LEN;

        for (int g = 0; g < 4; g++) {
            vu32x4_t q4[4];

            for (int q = 0; q < 4; q++) {
                memcpy(&q4[q], (const uint8_t *)&x[4 * g + q] +
                       h * sizeof(vu32x4_t), sizeof(vu32x4_t));
            }
            chacha_v4_xor_words(q4, in + at + 16 * g, out + at + 16 * g);
        }
    }
}

/* Inlined into the AVX2 and AVX-512 functions only */
static inline QEMU_ALWAYS_INLINE void
chacha12_xor_v8_inline(const uint32_t *state, uint64_t ctr,
                       const uint8_t *in, uint8_t *out, size_t n)
{
    CHACHA12_XOR_WIDE(vu32x8_t, 8, chacha_v8_xor_blocks);
    chacha12_xor_v4_inline(state, ctr, in, out, n);
}

static void __attribute__((target("avx2")))
chacha12_xor_avx2(const uint32_t *state, uint64_t ctr, const uint8_t *in,
                  uint8_t *out, size_t n)
{
    chacha12_xor_v8_inline(state, ctr, in, out, n);
}

/* 32 registers: the 16 words of 16 blocks stay in them. */
typedef uint32_t vu32x16_t __attribute__((vector_size(64)));

static bool adiantum_has_avx512(void)
{
    return (cpuinfo & (CPUINFO_AVX2 | CPUINFO_AVX512F)) ==
           (CPUINFO_AVX2 | CPUINFO_AVX512F);
}

/*
 * 16 blocks, in registers: 4x4 transposes of words within each 128-bit
 * lane (as chacha_v4_xor_words() does), giving in lane L of r[g][k]
 * words 4g..4g+3 of block 4L + k; then 4x4 transposes of 128-bit lanes
 * across g, giving each block whole.
 */
static inline QEMU_ALWAYS_INLINE void __attribute__((target("avx2,avx512f")))
chacha_v16_xor_blocks(const vu32x16_t *x, const uint8_t *in, uint8_t *out)
{
    vu32x16_t r[4][4];

    for (int g = 0; g < 4; g++) {
        vu32x16_t t0 = __builtin_shufflevector(x[4 * g], x[4 * g + 1],
                        0, 16, 1, 17, 4, 20, 5, 21,
                        8, 24, 9, 25, 12, 28, 13, 29);
        vu32x16_t t1 = __builtin_shufflevector(x[4 * g], x[4 * g + 1],
                        2, 18, 3, 19, 6, 22, 7, 23,
                        10, 26, 11, 27, 14, 30, 15, 31);
        vu32x16_t t2 = __builtin_shufflevector(x[4 * g + 2], x[4 * g + 3],
                        0, 16, 1, 17, 4, 20, 5, 21,
                        8, 24, 9, 25, 12, 28, 13, 29);
        vu32x16_t t3 = __builtin_shufflevector(x[4 * g + 2], x[4 * g + 3],
                        2, 18, 3, 19, 6, 22, 7, 23,
                        10, 26, 11, 27, 14, 30, 15, 31);

        r[g][0] = __builtin_shufflevector(t0, t2,
                      0, 1, 16, 17, 4, 5, 20, 21,
                      8, 9, 24, 25, 12, 13, 28, 29);
        r[g][1] = __builtin_shufflevector(t0, t2,
                      2, 3, 18, 19, 6, 7, 22, 23,
                      10, 11, 26, 27, 14, 15, 30, 31);
        r[g][2] = __builtin_shufflevector(t1, t3,
                      0, 1, 16, 17, 4, 5, 20, 21,
                      8, 9, 24, 25, 12, 13, 28, 29);
        r[g][3] = __builtin_shufflevector(t1, t3,
                      2, 3, 18, 19, 6, 7, 22, 23,
                      10, 11, 26, 27, 14, 15, 30, 31);
    }
    for (int k = 0; k < 4; k++) {
        /* 128-bit lanes: u0 = A0 B0 A1 B1, u1 = A2 B2 A3 B3, ... */
        vu32x16_t u0 = __builtin_shufflevector(r[0][k], r[1][k],
                        0, 1, 2, 3, 16, 17, 18, 19,
                        4, 5, 6, 7, 20, 21, 22, 23);
        vu32x16_t u1 = __builtin_shufflevector(r[0][k], r[1][k],
                        8, 9, 10, 11, 24, 25, 26, 27,
                        12, 13, 14, 15, 28, 29, 30, 31);
        vu32x16_t u2 = __builtin_shufflevector(r[2][k], r[3][k],
                        0, 1, 2, 3, 16, 17, 18, 19,
                        4, 5, 6, 7, 20, 21, 22, 23);
        vu32x16_t u3 = __builtin_shufflevector(r[2][k], r[3][k],
                        8, 9, 10, 11, 24, 25, 26, 27,
                        12, 13, 14, 15, 28, 29, 30, 31);
        vu32x16_t blk[4] = {
            __builtin_shufflevector(u0, u2, 0, 1, 2, 3, 4, 5, 6, 7,
                                    16, 17, 18, 19, 20, 21, 22, 23),
            __builtin_shufflevector(u0, u2, 8, 9, 10, 11, 12, 13, 14, 15,
                                    24, 25, 26, 27, 28, 29, 30, 31),
            __builtin_shufflevector(u1, u3, 0, 1, 2, 3, 4, 5, 6, 7,
                                    16, 17, 18, 19, 20, 21, 22, 23),
            __builtin_shufflevector(u1, u3, 8, 9, 10, 11, 12, 13, 14, 15,
                                    24, 25, 26, 27, 28, 29, 30, 31),
        };

        for (int l = 0; l < 4; l++) {
            size_t at = (4 * l + k) * CHACHA_BLOCK_LEN;
            vu32x16_t m;

            memcpy(&m, in + at, sizeof(m));
            m ^= blk[l];
            memcpy(out + at, &m, sizeof(m));
        }
    }
    qcrypto_wipe(r, sizeof(r));
}

static void __attribute__((target("avx2,avx512f")))
chacha12_xor_avx512(const uint32_t *state, uint64_t ctr, const uint8_t *in,
                    uint8_t *out, size_t n)
{
    CHACHA12_XOR_WIDE(vu32x16_t, 16, chacha_v16_xor_blocks);
    chacha12_xor_v8_inline(state, ctr, in, out, n);
}

/*
 * NH on two units at once: their keys for a pass are 8 words in a row
 * (unit u, pass p: words 4u + 4p to 4u + 4p + 3).
 */
static inline QEMU_ALWAYS_INLINE void __attribute__((target("avx2")))
nh_add_avx2_inline(const uint32_t *k, const uint8_t *m, size_t len,
                   uint64_t *sums)
{
    __m256i s[NH_PASSES];
    uint64_t lanes[4];

    for (int p = 0; p < NH_PASSES; p++) {
        s[p] = _mm256_setzero_si256();
    }
    for (; len >= 2 * NH_UNIT_LEN; len -= 2 * NH_UNIT_LEN) {
        __m256i mv = _mm256_loadu_si256((const __m256i *)m);

        for (int p = 0; p < NH_PASSES; p++) {
            __m256i t = _mm256_add_epi32(mv,
                            _mm256_loadu_si256((const __m256i *)(k + 4 * p)));

            s[p] = _mm256_add_epi64(s[p],
                       _mm256_mul_epu32(_mm256_shuffle_epi32(t, 0x50),
                                        _mm256_shuffle_epi32(t, 0xfa)));
        }
        m += 2 * NH_UNIT_LEN;
        k += 2 * NH_UNIT_LEN / 4;
    }
    for (int p = 0; p < NH_PASSES; p++) {
        _mm256_storeu_si256((__m256i *)lanes, s[p]);
        sums[p] += lanes[0] + lanes[1] + lanes[2] + lanes[3];
    }
    nh_add_sse2_inline(k, m, len, sums);
}

static void __attribute__((target("avx2")))
nh_add_avx2(const uint32_t *k, const uint8_t *m, size_t len, uint64_t *sums)
{
    nh_add_avx2_inline(k, m, len, sums);
}

/*
 * NH on four units at once, as nh_add_avx2() on two.  GCC 12's AVX-512
 * intrinsics warn of their own "undefined" operands (GCC bug 105593).
 */
#if !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
static void __attribute__((target("avx2,avx512f")))
nh_add_avx512(const uint32_t *k, const uint8_t *m, size_t len, uint64_t *sums)
{
    __m512i s[NH_PASSES];
    uint64_t lanes[8];

    for (int p = 0; p < NH_PASSES; p++) {
        s[p] = _mm512_setzero_si512();
    }
    for (; len >= 4 * NH_UNIT_LEN; len -= 4 * NH_UNIT_LEN) {
        __m512i mv = _mm512_loadu_si512(m);

        for (int p = 0; p < NH_PASSES; p++) {
            __m512i t = _mm512_add_epi32(mv, _mm512_loadu_si512(k + 4 * p));

            s[p] = _mm512_add_epi64(s[p],
                       _mm512_mul_epu32(_mm512_shuffle_epi32(t, 0x50),
                                        _mm512_shuffle_epi32(t, 0xfa)));
        }
        m += 4 * NH_UNIT_LEN;
        k += 4 * NH_UNIT_LEN / 4;
    }
    for (int p = 0; p < NH_PASSES; p++) {
        _mm512_storeu_si512(lanes, s[p]);
        for (int l = 0; l < 8; l++) {
            sums[p] += lanes[l];
        }
    }
    nh_add_avx2_inline(k, m, len, sums);
}
#if !defined(__clang__)
#pragma GCC diagnostic pop
#endif

static const AdiantumImpl adiantum_impls[] = {
    { "c", adiantum_always, chacha12_xor_c, nh_add_c },
    { "sse2", adiantum_always, chacha12_xor_v4, nh_add_sse2 },
    { "avx2", adiantum_has_avx2, chacha12_xor_avx2, nh_add_avx2 },
    { "avx512", adiantum_has_avx512, chacha12_xor_avx512, nh_add_avx512 },
};
#else
static const AdiantumImpl adiantum_impls[] = {
    { "c", adiantum_always, chacha12_xor_c, nh_add_c },
};
#endif

/* The last one the CPU runs: the fastest */
static const AdiantumImpl *adiantum_default_impl(void)
{
    for (int i = ARRAY_SIZE(adiantum_impls) - 1; i > 0; i--) {
        if (adiantum_impls[i].available()) {
            return &adiantum_impls[i];
        }
    }
    return &adiantum_impls[0];
}

const char *qcrypto_adiantum_impl_name(unsigned i)
{
    unsigned n = 0;

    for (int j = 0; j < ARRAY_SIZE(adiantum_impls); j++) {
        if (adiantum_impls[j].available() && n++ == i) {
            return adiantum_impls[j].name;
        }
    }
    return NULL;
}

const char *qcrypto_adiantum_impl_current(void)
{
    return impl()->name;
}

bool qcrypto_adiantum_impl_select(const char *name)
{
    if (!name) {
        adiantum_impl = adiantum_default_impl();
        return true;
    }
    for (int j = 0; j < ARRAY_SIZE(adiantum_impls); j++) {
        if (!strcmp(adiantum_impls[j].name, name) &&
            adiantum_impls[j].available()) {
            adiantum_impl = &adiantum_impls[j];
            return true;
        }
    }
    return false;
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
    qcrypto_wipe(h, sizeof(h));
    qcrypto_wipe(g, sizeof(g));
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
    qcrypto_wipe(&k, sizeof(k));
    qcrypto_wipe(&st, sizeof(st));
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

        impl()->nh_add(a->nh_key, l, full, sums);
        if (n > full) {
            uint8_t last[NH_UNIT_LEN] = { 0 };

            memcpy(last, l + full, n - full);
            impl()->nh_add(a->nh_key + full / 4, last, NH_UNIT_LEN, sums);
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
    qcrypto_wipe(pm, sizeof(pm));
    qcrypto_wipe(cm, sizeof(cm));
    qcrypto_wipe(nonce, sizeof(nonce));
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

    qcrypto_wipe(derived, ADIANTUM_DERIVED_LEN);
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
    /* Only libgcrypt wipes the AES key schedule when it is freed. */
    qcrypto_cipher_free(a->aes);
    qcrypto_wipe(a, sizeof(*a));
    g_free(a);
}
