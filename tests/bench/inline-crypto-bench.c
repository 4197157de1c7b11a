/*
 * Inline crypto engine throughput, against raw libgcrypt and OpenSSL XTS
 *
 * The engine is timed through inline_crypto_encrypt/decrypt() on 128 KiB
 * chunks, the calls ufs-crypto makes for each chunk of a request.  The
 * libraries are timed on the same buffers with the same per-data-unit
 * work: set the tweak, en/decrypt one data unit.  One core.
 *
 * Output: one line per measurement,
 *   BENCH <impl> <alg> <du_size> <enc|dec> <GB/s>
 * Adiantum also once per implementation of its XChaCha12 and NH that the
 * CPU runs, as the algorithm adiantum/<name> ("adiantum" is the default
 * one).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "crypto/init.h"
#include "hw/block/inline-crypto.h"
#include "crypto/adiantum.h"
#include <gcrypt.h>
#include <openssl/evp.h>

#define CHUNK (128 * 1024)

typedef void (*CryptFn)(void *ctx, uint64_t dun, uint8_t *buf, size_t len,
                        uint32_t dus, bool enc);

static double min_seconds = 0.4;

static double now(void)
{
    return g_get_monotonic_time() / 1e6;
}

/* Best of three runs of at least min_seconds each, in GB/s. */
static double measure(CryptFn fn, void *ctx, uint8_t *buf, uint32_t dus,
                      bool enc)
{
    double best = 0;

    for (int run = 0; run < 3; run++) {
        uint64_t bytes = 0, dun = 0;
        double t0 = now(), t;

        do {
            for (int i = 0; i < 64; i++) {
                fn(ctx, dun, buf, CHUNK, dus, enc);
                dun += CHUNK / dus;
                bytes += CHUNK;
            }
            t = now() - t0;
        } while (t < min_seconds);
        best = MAX(best, bytes / t / 1e9);
    }
    return best;
}

static void engine_fn(void *ctx, uint64_t dun, uint8_t *buf, size_t len,
                      uint32_t dus, bool enc)
{
    if (enc) {
        inline_crypto_encrypt(ctx, dun, buf, buf, len, &error_abort);
    } else {
        inline_crypto_decrypt(ctx, dun, buf, buf, len, &error_abort);
    }
}

static void gcrypt_fn(void *ctx, uint64_t dun, uint8_t *buf, size_t len,
                      uint32_t dus, bool enc)
{
    gcry_cipher_hd_t h = ctx;
    uint8_t iv[16] = { 0 };

    for (size_t off = 0; off < len; off += dus, dun++) {
        stq_le_p(iv, dun);
        gcry_cipher_setiv(h, iv, sizeof(iv));
        if (enc) {
            gcry_cipher_encrypt(h, buf + off, dus, NULL, 0);
        } else {
            gcry_cipher_decrypt(h, buf + off, dus, NULL, 0);
        }
    }
}

typedef struct OsslCtx {
    EVP_CIPHER_CTX *enc, *dec;
} OsslCtx;

static void openssl_fn(void *ctx, uint64_t dun, uint8_t *buf, size_t len,
                       uint32_t dus, bool enc)
{
    OsslCtx *o = ctx;
    EVP_CIPHER_CTX *c = enc ? o->enc : o->dec;
    uint8_t iv[16] = { 0 };
    int outl;

    for (size_t off = 0; off < len; off += dus, dun++) {
        stq_le_p(iv, dun);
        EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, -1);
        EVP_CipherUpdate(c, buf + off, &outl, buf + off, dus);
    }
}

static void report(const char *impl, const char *alg, uint32_t dus,
                   const char *dir, double gbps)
{
    printf("BENCH %s %s %" PRIu32 " %s %.3f\n", impl, alg, dus, dir, gbps);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    static const uint32_t du_sizes[] = { 512, 4096, 65536 };
    static const struct {
        const char *name;
        size_t key_len;
    } algs[] = { { "aes-256-xts", 64 }, { "aes-128-xts", 32 } };
    static const struct {
        const char *name;
        InlineCryptoAlg alg;
        size_t key_len;
    } others[] = {
        { "essiv-aes-128-cbc", INLINE_CRYPTO_ALG_AES_CBC_ESSIV, 16 },
        { "essiv-aes-256-cbc", INLINE_CRYPTO_ALG_AES_CBC_ESSIV, 32 },
        { "adiantum", INLINE_CRYPTO_ALG_ADIANTUM, 32 },
    };
    uint8_t key[64];
    g_autofree uint8_t *buf = g_malloc(CHUNK);

    if (argc > 1) {
        min_seconds = atof(argv[1]);
    }
    if (qcrypto_init(NULL) < 0 || !gcry_check_version(NULL)) {
        return 1;
    }
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);

    for (int i = 0; i < sizeof(key); i++) {
        key[i] = i * 13 + 1;
    }
    for (int i = 0; i < CHUNK; i++) {
        buf[i] = i * 7;
    }

    for (int a = 0; a < ARRAY_SIZE(algs); a++) {
        size_t kl = algs[a].key_len;
        gcry_cipher_hd_t gh;
        OsslCtx o = { EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_new() };
        const EVP_CIPHER *oc = kl == 64 ? EVP_aes_256_xts()
                                        : EVP_aes_128_xts();

        g_assert(!gcry_cipher_open(&gh, kl == 64 ? GCRY_CIPHER_AES256
                                                 : GCRY_CIPHER_AES128,
                                   GCRY_CIPHER_MODE_XTS, 0));
        g_assert(!gcry_cipher_setkey(gh, key, kl));
        g_assert(EVP_EncryptInit_ex(o.enc, oc, NULL, key, NULL) == 1);
        g_assert(EVP_DecryptInit_ex(o.dec, oc, NULL, key, NULL) == 1);

        for (int d = 0; d < ARRAY_SIZE(du_sizes); d++) {
            uint32_t dus = du_sizes[d];
            g_autoptr(InlineCryptoKey) k =
                inline_crypto_key_new(INLINE_CRYPTO_ALG_AES_XTS, key, kl, dus,
                                      &error_abort);

            for (int e = 1; e >= 0; e--) {
                const char *dir = e ? "enc" : "dec";

                report("engine", algs[a].name, dus, dir,
                       measure(engine_fn, k, buf, dus, e));
                report("gcrypt", algs[a].name, dus, dir,
                       measure(gcrypt_fn, gh, buf, dus, e));
                report("openssl", algs[a].name, dus, dir,
                       measure(openssl_fn, &o, buf, dus, e));
            }
        }
        gcry_cipher_close(gh);
        EVP_CIPHER_CTX_free(o.enc);
        EVP_CIPHER_CTX_free(o.dec);
    }

    /* The other algorithms, engine only */
    for (int a = 0; a < ARRAY_SIZE(others); a++) {
        for (int d = 0; d < ARRAY_SIZE(du_sizes); d++) {
            g_autoptr(InlineCryptoKey) k =
                inline_crypto_key_new(others[a].alg, key, others[a].key_len,
                                      du_sizes[d], &error_abort);

            for (int e = 1; e >= 0; e--) {
                report("engine", others[a].name, du_sizes[d],
                       e ? "enc" : "dec",
                       measure(engine_fn, k, buf, du_sizes[d], e));
            }
        }
    }

    /* Adiantum on 4 KiB data units, per implementation */
    for (unsigned n = 0; qcrypto_adiantum_impl_name(n); n++) {
        const char *impl = qcrypto_adiantum_impl_name(n);
        g_autofree char *name = g_strdup_printf("adiantum/%s", impl);
        g_autoptr(InlineCryptoKey) k =
            inline_crypto_key_new(INLINE_CRYPTO_ALG_ADIANTUM, key, 32, 4096,
                                  &error_abort);

        g_assert(qcrypto_adiantum_impl_select(impl));
        for (int e = 1; e >= 0; e--) {
            report("engine", name, 4096, e ? "enc" : "dec",
                   measure(engine_fn, k, buf, 4096, e));
        }
    }
    qcrypto_adiantum_impl_select(NULL);
    return 0;
}
