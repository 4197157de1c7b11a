#!/usr/bin/env bash
# test-adiantum-aarch64.sh: the NEON implementation of Adiantum's XChaCha12
# and NH (crypto/adiantum.c), which only an aarch64 host builds, against
# the portable one and the published vectors, on this x86_64 machine:
# crypto/adiantum.c is cross-compiled for aarch64 with minimal stand-ins
# for the QEMU and GLib headers it includes (AES is never called here),
# linked with a small driver and run under Debian's qemu-aarch64-static.
# The driver checks, on each implementation the aarch64 CPU runs ("c" and
# "neon"): XChaCha12 keystream blocks of github.com/google/adiantum's
# XChaCha12_32.json and NH.json vectors (as tests/unit does), then "neon"
# against "c" on every length up to 20 blocks from counters that carry
# and wrap, and NH on every length up to 1 KiB.  Needs
# gcc-aarch64-linux-gnu and qemu-user-static (installed by
# run-host-tests.sh).  TAP on stdout.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/stub/qemu" "$tmp/stub/qapi" "$tmp/stub/crypto"
cat > "$tmp/stub/qemu/osdep.h" <<'EOF'
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define HOST_BIG_ENDIAN (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#define QEMU_ALWAYS_INLINE __attribute__((always_inline))
#define G_DEFINE_AUTOPTR_CLEANUP_FUNC(t, f)
#define g_new0(t, n) ((t *)calloc((n), sizeof(t)))
#define g_malloc malloc
#define g_free free
static inline uint32_t ldl_le_p(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline uint64_t ldq_le_p(const void *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static inline void stl_le_p(void *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void stq_le_p(void *p, uint64_t v) { memcpy(p, &v, 8); }
EOF
cat > "$tmp/stub/qapi/error.h" <<'EOF'
typedef struct Error Error;
#define error_setg(errp, ...) ((void)(errp))
EOF
cat > "$tmp/stub/qemu/bitops.h" <<'EOF'
static inline uint32_t rol32(uint32_t w, unsigned s)
{
    return (w << (s & 31)) | (w >> (-s & 31));
}
EOF
cat > "$tmp/stub/crypto/cipher.h" <<'EOF'
typedef struct QCryptoCipher QCryptoCipher;
enum { QCRYPTO_CIPHER_ALGO_AES_256, QCRYPTO_CIPHER_MODE_ECB };
QCryptoCipher *qcrypto_cipher_new(int alg, int mode, const uint8_t *key,
                                  size_t nkey, Error **errp);
void qcrypto_cipher_free(QCryptoCipher *c);
int qcrypto_cipher_encrypt(QCryptoCipher *c, const void *in, void *out,
                           size_t len, Error **errp);
int qcrypto_cipher_decrypt(QCryptoCipher *c, const void *in, void *out,
                           size_t len, Error **errp);
EOF
cp "$top/include/crypto/adiantum.h" "$top/include/crypto/wipe.h" "$tmp/stub/crypto/"

cat > "$tmp/driver.c" <<'EOF'
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "crypto/cipher.h"
#include "crypto/adiantum.h"

/* AES is not used by the parts under test. */
QCryptoCipher *qcrypto_cipher_new(int alg, int mode, const uint8_t *key,
                                  size_t nkey, Error **errp) { abort(); }
void qcrypto_cipher_free(QCryptoCipher *c) { }
int qcrypto_cipher_encrypt(QCryptoCipher *c, const void *in, void *out,
                           size_t len, Error **errp) { abort(); }
int qcrypto_cipher_decrypt(QCryptoCipher *c, const void *in, void *out,
                           size_t len, Error **errp) { abort(); }

static int n, failed;

static void ok(int cond, const char *what, const char *impl)
{
    printf("%sok %d - %s: %s\n", cond ? "" : "not ", ++n, impl, what);
    failed += !cond;
}

static void unhex(const char *h, uint8_t *out)
{
    for (size_t i = 0; h[2 * i]; i++) {
        unsigned v;

        sscanf(h + 2 * i, "%2x", &v);
        out[i] = v;
    }
}

/* XChaCha12_32.json: key bit 0, nonce 0, blocks 0 and 1 */
static const struct {
    uint64_t block;
    const char *stream;
} xv[] = {
    { 0, "b9815b9baea6918f3dce2daefad8bfc1c5c0c4f4baebafeb5723f1348004e064"
         "7d444d4b5ccac99d7ab6491e45f85673a6d0ca4b298f2bdd8e989b4bf39ff7a1" },
};

/* NH.json, random-1 */
static const char nh_key[] =
    "225b80c81805370976144b67c4507f2b2cff56c5d566456835e6d29ae5d0c1fb"
    "ac59811a60b03d814ba35ba9ccb3fe2dc24dd926ad36cf8c05113b8a991581c8";
static const char nh_msg[] = "d382e70435ccf7a4f9b2c5ed5ad958eb";
static const char nh_hash[] =
    "41d9ad545a0dcc5348f64c75435ddd77daca7dec913b53165c4b58dc700a7b37";

int main(void)
{
    static uint8_t in[4096], ref[4096], got[4096];
    static uint8_t k1072[QCRYPTO_ADIANTUM_NH_KEY_LEN];
    uint8_t key[32] = { 1 }, nonce[24] = { 0 }, out[64], want[64];
    uint8_t h[32], href[32];
    const uint64_t ctrs[] = { 0, 7, 0xfffffffdull, 0xfffffffffffffffdull };
    const char *impl;
    int nimpl = 0;

    for (unsigned i = 0; (impl = qcrypto_adiantum_impl_name(i)); i++) {
        nimpl++;
        qcrypto_adiantum_impl_select(impl);
        for (int v = 0; v < ARRAY_SIZE(xv); v++) {
            size_t total = (xv[v].block + 1) * 64 + 5 * 64;

            unhex(xv[v].stream, want);
            memset(in, 0, total);
            qcrypto_adiantum_xchacha12(key, nonce, 0, in, ref, total);
            ok(!memcmp(ref + xv[v].block * 64, want, 64),
               "XChaCha12_32.json key-bit-0 keystream, XORed in bulk", impl);
            qcrypto_adiantum_xchacha12(key, nonce, xv[v].block, NULL, out, 64);
            ok(!memcmp(out, want, 64), "the same keystream block alone", impl);
        }
        memset(k1072, 0, sizeof(k1072));
        unhex(nh_key, k1072);
        unhex(nh_msg, in);
        unhex(nh_hash, want);
        qcrypto_adiantum_nh(k1072, in, 16, h);
        ok(!memcmp(h, want, 32), "NH.json random-1", impl);
    }
    ok(nimpl == 2 && !strcmp(qcrypto_adiantum_impl_name(1), "neon"),
       "the aarch64 build has a neon implementation", "all");

    for (int i = 0; i < sizeof(in); i++) {
        in[i] = (i * 151 + (i >> 7)) & 0xff;
    }
    for (int i = 0; i < sizeof(k1072); i++) {
        k1072[i] = (i * 89 + 0x5a) & 0xff;
    }
    for (int i = 0; i < 32; i++) {
        key[i] = 0x11 * i + 1;
    }
    for (int i = 0; i < 24; i++) {
        nonce[i] = 0xf0 - i;
    }
    int same = 1;
    for (int c = 0; c < ARRAY_SIZE(ctrs); c++) {
        for (size_t len = 0; len <= 20 * 64 + 63; len++) {
            qcrypto_adiantum_impl_select("c");
            qcrypto_adiantum_xchacha12(key, nonce, ctrs[c], in, ref, len);
            qcrypto_adiantum_impl_select("neon");
            qcrypto_adiantum_xchacha12(key, nonce, ctrs[c], in, got, len);
            same &= !memcmp(got, ref, len);
        }
    }
    ok(same, "XChaCha12 as c, every length to 20 blocks, 4 counters", "neon");
    same = 1;
    for (size_t len = 0; len <= 1024; len += 16) {
        qcrypto_adiantum_impl_select("c");
        qcrypto_adiantum_nh(k1072, in + len % 64, len, href);
        qcrypto_adiantum_impl_select("neon");
        qcrypto_adiantum_nh(k1072, in + len % 64, len, h);
        same &= !memcmp(h, href, 32);
    }
    ok(same, "NH as c, every length to 1 KiB", "neon");
    printf("1..%d\n", n);
    return failed != 0;
}
EOF

if ! aarch64-linux-gnu-gcc -O2 -Wall -Werror -static -I"$tmp/stub" -o "$tmp/driver" \
        "$tmp/driver.c" "$top/crypto/adiantum.c" > "$tmp/cc.log" 2>&1; then
    echo "not ok 1 - cross-compiling crypto/adiantum.c for aarch64"
    sed 's/^/# /' "$tmp/cc.log"
    echo "1..1"
    exit 1
fi
qemu-aarch64-static "$tmp/driver"
