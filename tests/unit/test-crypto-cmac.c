/*
 * QEMU Crypto AES-CMAC and SP 800-108 KDF tests
 *
 * Known answers:
 *  - AES-CMAC: RFC 4493 section 4, all four AES-128 examples (0, 16, 40
 *    and 64 bytes); NIST SP 800-38B appendix D.2 and D.3, the AES-192 and
 *    AES-256 examples of the same lengths, with the same message;
 *  - SP 800-108 counter mode with AES-CMAC: NIST CAVP, KDFCTR_gen.rsp
 *    (CAVS 14.4), [CTRLOCATION=BEFORE_FIXED][RLEN=32_BITS]: CMAC_AES128
 *    COUNT=0 (L=128), 10 (L=256), 20 (L=160) and 30 (L=320), and
 *    CMAC_AES256 COUNT=0, 10 and 20 (L=160 and 320 end in a partial
 *    block);
 *  - hardware-wrapped keys: Android VTS (test/vts-testcase/kernel,
 *    encryption/utils.cpp, TEST(UtilsTest, TestKdfVariants), variant
 *    "kdf1"): the inline encryption key and the software secret of the
 *    all-zero raw key.
 *
 * Values computed for this test with an independent implementation (the
 * python3 "cryptography" module 48.0, i.e. OpenSSL 3.0's CMAC; by hand
 * from CMAC and with its KBKDFCMAC class, which agree; and again with
 * "openssl kdf ... -kdfopt mac:CMAC -kdfopt cipher:AES-256-CBC ... KBKDF"
 * for the hardware-wrapped key ones), not with QEMU:
 *  - the SP 800-108 KDF with a label and a context, AES-128 and AES-256;
 *  - the hardware-wrapped key subkeys of the raw key 00 01 ... 1f.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "crypto/init.h"
#include "crypto/cmac.h"
#include "crypto/kdf.h"
#include "crypto-hex.h"

static void assert_hex(const uint8_t *buf, size_t len, const char *hex)
{
    g_autofree char *got = g_malloc0(2 * len + 1);

    for (size_t i = 0; i < len; i++) {
        sprintf(got + 2 * i, "%02x", buf[i]);
    }
    g_assert_cmpstr(got, ==, hex);
}

/*
 * AES-CMAC
 */

/* RFC 4493 section 4 and SP 800-38B appendix D: one message, 4 lengths */
#define CMAC_MSG \
    "6bc1bee22e409f96e93d7e117393172a" \
    "ae2d8a571e03ac9c9eb76fac45af8e51" \
    "30c81c46a35ce411e5fbc1191a0a52ef" \
    "f69f2445df4f9b17ad2b417be66c3710"

#define CMAC_KEY128 "2b7e151628aed2a6abf7158809cf4f3c"
#define CMAC_KEY192 "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b"
#define CMAC_KEY256 \
    "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"

typedef struct CmacVector {
    const char *name;
    const char *key;
    size_t msg_len;             /* bytes of CMAC_MSG */
    const char *mac;
} CmacVector;

static const CmacVector cmac_vectors[] = {
    /* RFC 4493 section 4, Examples 1 to 4 (AES-128) */
    { "rfc4493/aes128-len0", CMAC_KEY128, 0,
      "bb1d6929e95937287fa37d129b756746" },
    { "rfc4493/aes128-len16", CMAC_KEY128, 16,
      "070a16b46b4d4144f79bdd9dd04a287c" },
    { "rfc4493/aes128-len40", CMAC_KEY128, 40,
      "dfa66747de9ae63030ca32611497c827" },
    { "rfc4493/aes128-len64", CMAC_KEY128, 64,
      "51f0bebf7e3b9d92fc49741779363cfe" },
    /* SP 800-38B D.2, Examples 5 to 8 (AES-192) */
    { "sp800-38b/aes192-len0", CMAC_KEY192, 0,
      "d17ddf46adaacde531cac483de7a9367" },
    { "sp800-38b/aes192-len16", CMAC_KEY192, 16,
      "9e99a7bf31e710900662f65e617c5184" },
    { "sp800-38b/aes192-len40", CMAC_KEY192, 40,
      "8a1de5be2eb31aad089a82e6ee908b0e" },
    { "sp800-38b/aes192-len64", CMAC_KEY192, 64,
      "a1d5df0eed790f794d77589659f39a11" },
    /* SP 800-38B D.3, Examples 9 to 12 (AES-256) */
    { "sp800-38b/aes256-len0", CMAC_KEY256, 0,
      "028962f61b7bf89efc6b551f4667d983" },
    { "sp800-38b/aes256-len16", CMAC_KEY256, 16,
      "28a7023f452e8f82bd4bf28d8c37c35c" },
    { "sp800-38b/aes256-len40", CMAC_KEY256, 40,
      "aaf3d8f1de5640c232f5b169b9c911e6" },
    { "sp800-38b/aes256-len64", CMAC_KEY256, 64,
      "e1992190549f6ed5696a2c056c315410" },
};

/* One call, then every split into two updates, then byte by byte. */
static void test_cmac_vector(const void *opaque)
{
    const CmacVector *v = opaque;
    size_t key_len;
    g_autofree uint8_t *key = unhex(v->key, &key_len);
    g_autofree uint8_t *msg = unhex(CMAC_MSG, NULL);
    g_autoptr(QCryptoAesCmac) c = NULL;
    uint8_t mac[QCRYPTO_AES_CMAC_LEN];

    g_assert(qcrypto_aes_cmac(key, key_len, msg, v->msg_len, mac,
                              &error_abort) == 0);
    assert_hex(mac, sizeof(mac), v->mac);

    /* One instance for all of these: final starts a new message. */
    c = qcrypto_aes_cmac_new(key, key_len, &error_abort);
    for (size_t split = 0; split <= v->msg_len; split++) {
        memset(mac, 0, sizeof(mac));
        g_assert(qcrypto_aes_cmac_update(c, msg, split, &error_abort) == 0);
        g_assert(qcrypto_aes_cmac_update(c, msg + split, v->msg_len - split,
                                         &error_abort) == 0);
        g_assert(qcrypto_aes_cmac_final(c, mac, &error_abort) == 0);
        assert_hex(mac, sizeof(mac), v->mac);
    }
    memset(mac, 0, sizeof(mac));
    for (size_t i = 0; i < v->msg_len; i++) {
        g_assert(qcrypto_aes_cmac_update(c, msg + i, 1, &error_abort) == 0);
        g_assert(qcrypto_aes_cmac_update(c, NULL, 0, &error_abort) == 0);
    }
    g_assert(qcrypto_aes_cmac_final(c, mac, &error_abort) == 0);
    assert_hex(mac, sizeof(mac), v->mac);
}

static void test_cmac_bad_key(void)
{
    static const uint8_t key[33];
    uint8_t mac[QCRYPTO_AES_CMAC_LEN];
    Error *err = NULL;

    g_assert(qcrypto_aes_cmac_new(key, 0, &err) == NULL);
    error_free_or_abort(&err);
    g_assert(qcrypto_aes_cmac_new(key, 33, &err) == NULL);
    error_free_or_abort(&err);
    g_assert(qcrypto_aes_cmac(key, 20, NULL, 0, mac, &err) == -1);
    error_free_or_abort(&err);
}

/*
 * SP 800-108 KDF in counter mode, AES-CMAC
 */

typedef struct KdfFixedVector {
    const char *name;
    const char *key;
    const char *fixed;
    const char *out;            /* L bits */
} KdfFixedVector;

/*
 * NIST CAVP KDFCTR_gen.rsp, counter (32 bits, big endian) before the fixed
 * input data; each "out" is KO.
 */
static const KdfFixedVector kdf_fixed_vectors[] = {
    { "cavp/cmac-aes128/count0-l128",
      "c10b152e8c97b77e18704e0f0bd38305",
      "98cd4cbbbebe15d17dc86e6dbad800a2dcbd64f7c7ad0e78e9cf94ffdba89d03"
      "e97eadf6c4f7b806caf52aa38f09d0eb71d71f497bcc6906b48d36c4",
      "26faf61908ad9ee881b8305c221db53f" },
    { "cavp/cmac-aes128/count10-l256",
      "695f1b1a16c949cea51cdf2554ec9d42",
      "4fce5942832a390aa1cbe8a0bf9d202cb799e986c9d6b51f45e4d597a6b57f06"
      "a4ebfec6467335d116b7f5f9c5b954062f661820f5db2a5bbb3e0625",
      "d34b601ec18c34dfa0f9e0b7523e218bdddb9befe8d08b6c0202d75ace0dba89" },
    { "cavp/cmac-aes128/count20-l160",
      "b523ae21fc36bc58cc46e5a3cda97493",
      "8dbe6d4d9b09b2eabd165b6e6e97e3bc782f8335cb1ea04ad0403affd88a5071"
      "db5f36ce2e84ab296261730b2226a9189d867991fbd4ff86f43a3cfb",
      "530211df01975dd6c08064c34105f88a6007f2b2" },
    { "cavp/cmac-aes128/count30-l320",
      "b2fcf854b1029888aeb0274ca09bb21a",
      "a6b84baae7a6ceb1d63ed704757500c510c0a8bdc22d2f42af09f79c815f37f3"
      "3b67dad0b30f428fc1e2d355f7f91f65acbedd2fdd5b8c38dd890407",
      "fe4c2c0242c5a295c008aeb87ae0815171de6173773292347f4f5ec07185c3f8"
      "60b5667c199aad55" },
    { "cavp/cmac-aes256/count0-l128",
      "d0b1b3b70b2393c48ca05159e7e28cbeadea93f28a7cdae964e5136070c45d5c",
      "dd2f151a3f173492a6fbbb602189d51ddf8ef79fc8e96b8fcbe6dabe73a35b48"
      "104f9dff2d63d48786d2b3af177091d646a9efae005bdfacb61a1214",
      "8c449fb474d1c1d4d2a33827103b656a" },
    { "cavp/cmac-aes256/count10-l256",
      "d54b6fd94f7cf98fd955517f937e9927f9536caebe148fba1818c1ba46bba3a4",
      "94c4a0c69526196c1377cebf0a2ae0fb4b57797c61bea8eeb0518ca08652d14a"
      "5e1bd1b116b1794ac8a476acbdbbcd4f6142d7b8515bad09ec72f7af",
      "2e1efed4aef3fdd324e098c0a07c0d97f8fd2c748a996ce29861ca042474daea" },
    { "cavp/cmac-aes256/count20-l160",
      "99f212241a343c1c8c2104ca6d28062413d985c21e6bba27fde0c622e2e4e6b7",
      "af8dc1cb7d1f82ca834628c20f0fc81920eb3ff3f75d3f4e3000593e9c158724"
      "79711d99d1b7be794f58d80a31bb112219dc16e6354111ab1161e21d",
      "7f778c625bf0d083169a51584f6683f24af7c35e" },
};

static void test_kdf_fixed_vector(const void *opaque)
{
    const KdfFixedVector *v = opaque;
    size_t key_len, fixed_len, out_len;
    g_autofree uint8_t *key = unhex(v->key, &key_len);
    g_autofree uint8_t *fixed = unhex(v->fixed, &fixed_len);
    g_autofree uint8_t *expected = unhex(v->out, &out_len);
    g_autofree uint8_t *out = g_malloc0(out_len);

    g_assert(qcrypto_kdf_sp800_108_cmac_fixed(key, key_len, fixed, fixed_len,
                                              out, out_len,
                                              &error_abort) == 0);
    assert_hex(out, out_len, v->out);
}

typedef struct KdfVector {
    const char *name;
    const char *key;
    const char *label;
    const char *context;
    const char *out;
} KdfVector;

/*
 * Label and context as separate inputs.  "out" was computed with the
 * python3 "cryptography" module (see the top of this file):
 *   KBKDFCMAC(algorithm=algorithms.AES, mode=Mode.CounterMode,
 *             length=len(out), rlen=4, llen=4,
 *             location=CounterLocation.BeforeFixed,
 *             label=label, context=context, fixed=None).derive(key)
 */
static const KdfVector kdf_vectors[] = {
    /* key 00 01 ... 0f, label "label", context "context", L = 320 */
    { "python-cryptography/aes128-l320",
      "000102030405060708090a0b0c0d0e0f",
      "6c6162656c", "636f6e74657874",
      "3fc9b552ad320ef843abf45fe0209ce553353235b587ffa35dfd387b410da1c1"
      "a60066f8b9f805ce" },
    /* key 00 01 ... 1f, empty label and context, L = 160 */
    { "python-cryptography/aes256-l160-empty",
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
      "", "",
      "412b5f882d784b3386283aeb1b1ed93eab249764" },
};

static void test_kdf_vector(const void *opaque)
{
    const KdfVector *v = opaque;
    size_t key_len, label_len, context_len, out_len, fixed_len;
    g_autofree uint8_t *key = unhex(v->key, &key_len);
    g_autofree uint8_t *label = unhex(v->label, &label_len);
    g_autofree uint8_t *context = unhex(v->context, &context_len);
    g_autofree uint8_t *expected = unhex(v->out, &out_len);
    g_autofree uint8_t *out = g_malloc0(out_len);
    g_autofree uint8_t *fixed = NULL;

    g_assert(qcrypto_kdf_sp800_108_cmac(key, key_len, label, label_len,
                                        context, context_len, out, out_len,
                                        &error_abort) == 0);
    assert_hex(out, out_len, v->out);

    /* The same with the fixed input label || 0x00 || context || [L]_32 */
    fixed_len = label_len + 1 + context_len + 4;
    fixed = g_malloc0(fixed_len);
    memcpy(fixed, label, label_len);
    memcpy(fixed + label_len + 1, context, context_len);
    stl_be_p(fixed + label_len + 1 + context_len, out_len * 8);
    memset(out, 0, out_len);
    g_assert(qcrypto_kdf_sp800_108_cmac_fixed(key, key_len, fixed, fixed_len,
                                              out, out_len,
                                              &error_abort) == 0);
    assert_hex(out, out_len, v->out);
}

static void test_kdf_bad_args(void)
{
    static const uint8_t key[32];
    uint8_t out[16];
    Error *err = NULL;

    memset(out, 0xaa, sizeof(out));
    g_assert(qcrypto_kdf_sp800_108_cmac(key, 31, NULL, 0, NULL, 0,
                                        out, sizeof(out), &err) == -1);
    error_free_or_abort(&err);
    for (size_t i = 0; i < sizeof(out); i++) {
        g_assert_cmpint(out[i], ==, 0);
    }
    g_assert(qcrypto_kdf_sp800_108_cmac(key, 32, NULL, 0, NULL, 0,
                                        out, 0, &err) == -1);
    error_free_or_abort(&err);
    g_assert(qcrypto_kdf_sp800_108_cmac_fixed(key, 16, NULL, 0,
                                              out, 0, &err) == -1);
    error_free_or_abort(&err);
}

/*
 * Hardware-wrapped keys
 */

typedef struct HwWrappedKeyVector {
    const char *name;
    const char *raw_key;
    const char *inline_key;
    const char *sw_secret;
} HwWrappedKeyVector;

static const HwWrappedKeyVector hw_wrapped_key_vectors[] = {
    /* Android VTS TestKdfVariants, "kdf1", the all-zero raw key */
    { "vts-kdf1/zero-key",
      "0000000000000000000000000000000000000000000000000000000000000000",
      "cbe5db40215a3d386d61e54ef2f8a7814b00bacf35b316f88e68e89a47abbab4"
      "834c27dac8a91ae1c3304f31b5f2202c14989661bafccc56cf6212d8b1f72691",
      "e26fb19b4fb6266fc7c5fc9654efad643cfebc64c097341155195595c28d5ec9" },
    /* python3 "cryptography" and "openssl kdf ... KBKDF" */
    { "python-cryptography/key-00-1f",
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
      "16317c8fe3133e7aef46bdede2b39f09a81e9fbe0c095f906c5c1341da6eaf17"
      "f151e2982f4f14a5495f78761066cafa5ebb995997d3fb5c8678bb394b6b57dc",
      "48b69fb100fda3d600b75d7f25e2b8f1cf95e5de1bd624b9273d537519270c65" },
};

/*
 * The label and contexts spelled out again here, as Android VTS and
 * xfstests write them, to check the generic KDF call with them too.
 */
static const uint8_t hw_label[] = "\0\0\x40\0\0\0\0\0\0\0\x20";
static const uint8_t hw_inline_context[] =
    "inline encryption key\0\0\0\0\0\0\x02\x43\0\x82\x50\0\0\0\0";
static const uint8_t hw_sw_secret_context[] =
    "raw secret\0\0\0\0\0\0\0\0\0\x02\x17\0\x80\x50\0\0\0\0";

static void test_hw_wrapped_key_vector(const void *opaque)
{
    const HwWrappedKeyVector *v = opaque;
    g_autofree uint8_t *raw_key = unhex(v->raw_key, NULL);
    uint8_t inline_key[QCRYPTO_HW_WRAPPED_KEY_INLINE_KEY_LEN];
    uint8_t sw_secret[QCRYPTO_HW_WRAPPED_KEY_SW_SECRET_LEN];

    /* sizeof() - 1: the string literals' own NUL is not part of them */
    g_assert_cmpint(sizeof(hw_label) - 1, ==, 11);
    g_assert_cmpint(sizeof(hw_inline_context) - 1, ==, 36);
    g_assert_cmpint(sizeof(hw_sw_secret_context) - 1, ==, 28);

    g_assert(qcrypto_hw_wrapped_key_derive_inline_key(raw_key, inline_key,
                                                      &error_abort) == 0);
    assert_hex(inline_key, sizeof(inline_key), v->inline_key);
    g_assert(qcrypto_hw_wrapped_key_derive_sw_secret(raw_key, sw_secret,
                                                     &error_abort) == 0);
    assert_hex(sw_secret, sizeof(sw_secret), v->sw_secret);

    memset(inline_key, 0, sizeof(inline_key));
    g_assert(qcrypto_kdf_sp800_108_cmac(raw_key,
                                        QCRYPTO_HW_WRAPPED_KEY_RAW_LEN,
                                        hw_label, sizeof(hw_label) - 1,
                                        hw_inline_context,
                                        sizeof(hw_inline_context) - 1,
                                        inline_key, sizeof(inline_key),
                                        &error_abort) == 0);
    assert_hex(inline_key, sizeof(inline_key), v->inline_key);
    memset(sw_secret, 0, sizeof(sw_secret));
    g_assert(qcrypto_kdf_sp800_108_cmac(raw_key,
                                        QCRYPTO_HW_WRAPPED_KEY_RAW_LEN,
                                        hw_label, sizeof(hw_label) - 1,
                                        hw_sw_secret_context,
                                        sizeof(hw_sw_secret_context) - 1,
                                        sw_secret, sizeof(sw_secret),
                                        &error_abort) == 0);
    assert_hex(sw_secret, sizeof(sw_secret), v->sw_secret);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert(qcrypto_init(NULL) == 0);

    for (size_t i = 0; i < ARRAY_SIZE(cmac_vectors); i++) {
        g_autofree char *path =
            g_strdup_printf("/crypto/cmac/%s", cmac_vectors[i].name);

        g_test_add_data_func(path, &cmac_vectors[i], test_cmac_vector);
    }
    g_test_add_func("/crypto/cmac/bad-key", test_cmac_bad_key);

    for (size_t i = 0; i < ARRAY_SIZE(kdf_fixed_vectors); i++) {
        g_autofree char *path =
            g_strdup_printf("/crypto/kdf/%s", kdf_fixed_vectors[i].name);

        g_test_add_data_func(path, &kdf_fixed_vectors[i],
                             test_kdf_fixed_vector);
    }
    for (size_t i = 0; i < ARRAY_SIZE(kdf_vectors); i++) {
        g_autofree char *path =
            g_strdup_printf("/crypto/kdf/%s", kdf_vectors[i].name);

        g_test_add_data_func(path, &kdf_vectors[i], test_kdf_vector);
    }
    g_test_add_func("/crypto/kdf/bad-args", test_kdf_bad_args);

    for (size_t i = 0; i < ARRAY_SIZE(hw_wrapped_key_vectors); i++) {
        g_autofree char *path =
            g_strdup_printf("/crypto/kdf/hw-wrapped-key/%s",
                            hw_wrapped_key_vectors[i].name);

        g_test_add_data_func(path, &hw_wrapped_key_vectors[i],
                             test_hw_wrapped_key_vector);
    }
    return g_test_run();
}
