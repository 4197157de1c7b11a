/*
 * Inline crypto engine tests
 *
 * Known answers are IEEE P1619-2007 XTS-AES test vectors 4 (XTS-AES-128)
 * and 10 (XTS-AES-256), whose 512-byte plaintext is the bytes 0x00..0xff
 * twice, and vectors of Linux's testmgr for essiv(cbc(aes),sha256), whose
 * "IV" is the 64-bit little-endian sector number, the DUN here.  Vectors
 * shorter than a data unit are checked on the first bytes of a 512-byte
 * unit: neither mode carries anything backwards from later blocks.
 *
 * Adiantum is a wide-block cipher: every byte of a data unit depends on all
 * of it, and no published vector has a tweak of the DUN's shape.  Its cases
 * check the engine against direct calls of crypto/adiantum.c (which has its
 * own known-answer tests), with the tweak built here.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "crypto/init.h"
#include "crypto/adiantum.h"
#include "hw/block/inline-crypto.h"

#define VEC_LEN 512

/* Vector 4: Key1 || Key2, data unit sequence number 0 */
static const uint8_t p1619_vec4_key[32] = {
    0x27, 0x18, 0x28, 0x18, 0x28, 0x45, 0x90, 0x45,
    0x23, 0x53, 0x60, 0x28, 0x74, 0x71, 0x35, 0x26,
    0x31, 0x41, 0x59, 0x26, 0x53, 0x58, 0x97, 0x93,
    0x23, 0x84, 0x62, 0x64, 0x33, 0x83, 0x27, 0x95,
};

/* Vector 10: Key1 || Key2, data unit sequence number 0xff */
static const uint8_t p1619_vec10_key[64] = {
    0x27, 0x18, 0x28, 0x18, 0x28, 0x45, 0x90, 0x45,
    0x23, 0x53, 0x60, 0x28, 0x74, 0x71, 0x35, 0x26,
    0x62, 0x49, 0x77, 0x57, 0x24, 0x70, 0x93, 0x69,
    0x99, 0x59, 0x57, 0x49, 0x66, 0x96, 0x76, 0x27,
    0x31, 0x41, 0x59, 0x26, 0x53, 0x58, 0x97, 0x93,
    0x23, 0x84, 0x62, 0x64, 0x33, 0x83, 0x27, 0x95,
    0x02, 0x88, 0x41, 0x97, 0x16, 0x93, 0x99, 0x37,
    0x51, 0x05, 0x82, 0x09, 0x74, 0x94, 0x45, 0x92,
};

static const uint8_t p1619_vec4_ctx[512] = {
    0x27, 0xa7, 0x47, 0x9b, 0xef, 0xa1, 0xd4, 0x76,
    0x48, 0x9f, 0x30, 0x8c, 0xd4, 0xcf, 0xa6, 0xe2,
    0xa9, 0x6e, 0x4b, 0xbe, 0x32, 0x08, 0xff, 0x25,
    0x28, 0x7d, 0xd3, 0x81, 0x96, 0x16, 0xe8, 0x9c,
    0xc7, 0x8c, 0xf7, 0xf5, 0xe5, 0x43, 0x44, 0x5f,
    0x83, 0x33, 0xd8, 0xfa, 0x7f, 0x56, 0x00, 0x00,
    0x05, 0x27, 0x9f, 0xa5, 0xd8, 0xb5, 0xe4, 0xad,
    0x40, 0xe7, 0x36, 0xdd, 0xb4, 0xd3, 0x54, 0x12,
    0x32, 0x80, 0x63, 0xfd, 0x2a, 0xab, 0x53, 0xe5,
    0xea, 0x1e, 0x0a, 0x9f, 0x33, 0x25, 0x00, 0xa5,
    0xdf, 0x94, 0x87, 0xd0, 0x7a, 0x5c, 0x92, 0xcc,
    0x51, 0x2c, 0x88, 0x66, 0xc7, 0xe8, 0x60, 0xce,
    0x93, 0xfd, 0xf1, 0x66, 0xa2, 0x49, 0x12, 0xb4,
    0x22, 0x97, 0x61, 0x46, 0xae, 0x20, 0xce, 0x84,
    0x6b, 0xb7, 0xdc, 0x9b, 0xa9, 0x4a, 0x76, 0x7a,
    0xae, 0xf2, 0x0c, 0x0d, 0x61, 0xad, 0x02, 0x65,
    0x5e, 0xa9, 0x2d, 0xc4, 0xc4, 0xe4, 0x1a, 0x89,
    0x52, 0xc6, 0x51, 0xd3, 0x31, 0x74, 0xbe, 0x51,
    0xa1, 0x0c, 0x42, 0x11, 0x10, 0xe6, 0xd8, 0x15,
    0x88, 0xed, 0xe8, 0x21, 0x03, 0xa2, 0x52, 0xd8,
    0xa7, 0x50, 0xe8, 0x76, 0x8d, 0xef, 0xff, 0xed,
    0x91, 0x22, 0x81, 0x0a, 0xae, 0xb9, 0x9f, 0x91,
    0x72, 0xaf, 0x82, 0xb6, 0x04, 0xdc, 0x4b, 0x8e,
    0x51, 0xbc, 0xb0, 0x82, 0x35, 0xa6, 0xf4, 0x34,
    0x13, 0x32, 0xe4, 0xca, 0x60, 0x48, 0x2a, 0x4b,
    0xa1, 0xa0, 0x3b, 0x3e, 0x65, 0x00, 0x8f, 0xc5,
    0xda, 0x76, 0xb7, 0x0b, 0xf1, 0x69, 0x0d, 0xb4,
    0xea, 0xe2, 0x9c, 0x5f, 0x1b, 0xad, 0xd0, 0x3c,
    0x5c, 0xcf, 0x2a, 0x55, 0xd7, 0x05, 0xdd, 0xcd,
    0x86, 0xd4, 0x49, 0x51, 0x1c, 0xeb, 0x7e, 0xc3,
    0x0b, 0xf1, 0x2b, 0x1f, 0xa3, 0x5b, 0x91, 0x3f,
    0x9f, 0x74, 0x7a, 0x8a, 0xfd, 0x1b, 0x13, 0x0e,
    0x94, 0xbf, 0xf9, 0x4e, 0xff, 0xd0, 0x1a, 0x91,
    0x73, 0x5c, 0xa1, 0x72, 0x6a, 0xcd, 0x0b, 0x19,
    0x7c, 0x4e, 0x5b, 0x03, 0x39, 0x36, 0x97, 0xe1,
    0x26, 0x82, 0x6f, 0xb6, 0xbb, 0xde, 0x8e, 0xcc,
    0x1e, 0x08, 0x29, 0x85, 0x16, 0xe2, 0xc9, 0xed,
    0x03, 0xff, 0x3c, 0x1b, 0x78, 0x60, 0xf6, 0xde,
    0x76, 0xd4, 0xce, 0xcd, 0x94, 0xc8, 0x11, 0x98,
    0x55, 0xef, 0x52, 0x97, 0xca, 0x67, 0xe9, 0xf3,
    0xe7, 0xff, 0x72, 0xb1, 0xe9, 0x97, 0x85, 0xca,
    0x0a, 0x7e, 0x77, 0x20, 0xc5, 0xb3, 0x6d, 0xc6,
    0xd7, 0x2c, 0xac, 0x95, 0x74, 0xc8, 0xcb, 0xbc,
    0x2f, 0x80, 0x1e, 0x23, 0xe5, 0x6f, 0xd3, 0x44,
    0xb0, 0x7f, 0x22, 0x15, 0x4b, 0xeb, 0xa0, 0xf0,
    0x8c, 0xe8, 0x89, 0x1e, 0x64, 0x3e, 0xd9, 0x95,
    0xc9, 0x4d, 0x9a, 0x69, 0xc9, 0xf1, 0xb5, 0xf4,
    0x99, 0x02, 0x7a, 0x78, 0x57, 0x2a, 0xee, 0xbd,
    0x74, 0xd2, 0x0c, 0xc3, 0x98, 0x81, 0xc2, 0x13,
    0xee, 0x77, 0x0b, 0x10, 0x10, 0xe4, 0xbe, 0xa7,
    0x18, 0x84, 0x69, 0x77, 0xae, 0x11, 0x9f, 0x7a,
    0x02, 0x3a, 0xb5, 0x8c, 0xca, 0x0a, 0xd7, 0x52,
    0xaf, 0xe6, 0x56, 0xbb, 0x3c, 0x17, 0x25, 0x6a,
    0x9f, 0x6e, 0x9b, 0xf1, 0x9f, 0xdd, 0x5a, 0x38,
    0xfc, 0x82, 0xbb, 0xe8, 0x72, 0xc5, 0x53, 0x9e,
    0xdb, 0x60, 0x9e, 0xf4, 0xf7, 0x9c, 0x20, 0x3e,
    0xbb, 0x14, 0x0f, 0x2e, 0x58, 0x3c, 0xb2, 0xad,
    0x15, 0xb4, 0xaa, 0x5b, 0x65, 0x50, 0x16, 0xa8,
    0x44, 0x92, 0x77, 0xdb, 0xd4, 0x77, 0xef, 0x2c,
    0x8d, 0x6c, 0x01, 0x7d, 0xb7, 0x38, 0xb1, 0x8d,
    0xeb, 0x4a, 0x42, 0x7d, 0x19, 0x23, 0xce, 0x3f,
    0xf2, 0x62, 0x73, 0x57, 0x79, 0xa4, 0x18, 0xf2,
    0x0a, 0x28, 0x2d, 0xf9, 0x20, 0x14, 0x7b, 0xea,
    0xbe, 0x42, 0x1e, 0xe5, 0x31, 0x9d, 0x05, 0x68,
};

static const uint8_t p1619_vec10_ctx[512] = {
    0x1c, 0x3b, 0x3a, 0x10, 0x2f, 0x77, 0x03, 0x86,
    0xe4, 0x83, 0x6c, 0x99, 0xe3, 0x70, 0xcf, 0x9b,
    0xea, 0x00, 0x80, 0x3f, 0x5e, 0x48, 0x23, 0x57,
    0xa4, 0xae, 0x12, 0xd4, 0x14, 0xa3, 0xe6, 0x3b,
    0x5d, 0x31, 0xe2, 0x76, 0xf8, 0xfe, 0x4a, 0x8d,
    0x66, 0xb3, 0x17, 0xf9, 0xac, 0x68, 0x3f, 0x44,
    0x68, 0x0a, 0x86, 0xac, 0x35, 0xad, 0xfc, 0x33,
    0x45, 0xbe, 0xfe, 0xcb, 0x4b, 0xb1, 0x88, 0xfd,
    0x57, 0x76, 0x92, 0x6c, 0x49, 0xa3, 0x09, 0x5e,
    0xb1, 0x08, 0xfd, 0x10, 0x98, 0xba, 0xec, 0x70,
    0xaa, 0xa6, 0x69, 0x99, 0xa7, 0x2a, 0x82, 0xf2,
    0x7d, 0x84, 0x8b, 0x21, 0xd4, 0xa7, 0x41, 0xb0,
    0xc5, 0xcd, 0x4d, 0x5f, 0xff, 0x9d, 0xac, 0x89,
    0xae, 0xba, 0x12, 0x29, 0x61, 0xd0, 0x3a, 0x75,
    0x71, 0x23, 0xe9, 0x87, 0x0f, 0x8a, 0xcf, 0x10,
    0x00, 0x02, 0x08, 0x87, 0x89, 0x14, 0x29, 0xca,
    0x2a, 0x3e, 0x7a, 0x7d, 0x7d, 0xf7, 0xb1, 0x03,
    0x55, 0x16, 0x5c, 0x8b, 0x9a, 0x6d, 0x0a, 0x7d,
    0xe8, 0xb0, 0x62, 0xc4, 0x50, 0x0d, 0xc4, 0xcd,
    0x12, 0x0c, 0x0f, 0x74, 0x18, 0xda, 0xe3, 0xd0,
    0xb5, 0x78, 0x1c, 0x34, 0x80, 0x3f, 0xa7, 0x54,
    0x21, 0xc7, 0x90, 0xdf, 0xe1, 0xde, 0x18, 0x34,
    0xf2, 0x80, 0xd7, 0x66, 0x7b, 0x32, 0x7f, 0x6c,
    0x8c, 0xd7, 0x55, 0x7e, 0x12, 0xac, 0x3a, 0x0f,
    0x93, 0xec, 0x05, 0xc5, 0x2e, 0x04, 0x93, 0xef,
    0x31, 0xa1, 0x2d, 0x3d, 0x92, 0x60, 0xf7, 0x9a,
    0x28, 0x9d, 0x6a, 0x37, 0x9b, 0xc7, 0x0c, 0x50,
    0x84, 0x14, 0x73, 0xd1, 0xa8, 0xcc, 0x81, 0xec,
    0x58, 0x3e, 0x96, 0x45, 0xe0, 0x7b, 0x8d, 0x96,
    0x70, 0x65, 0x5b, 0xa5, 0xbb, 0xcf, 0xec, 0xc6,
    0xdc, 0x39, 0x66, 0x38, 0x0a, 0xd8, 0xfe, 0xcb,
    0x17, 0xb6, 0xba, 0x02, 0x46, 0x9a, 0x02, 0x0a,
    0x84, 0xe1, 0x8e, 0x8f, 0x84, 0x25, 0x20, 0x70,
    0xc1, 0x3e, 0x9f, 0x1f, 0x28, 0x9b, 0xe5, 0x4f,
    0xbc, 0x48, 0x14, 0x57, 0x77, 0x8f, 0x61, 0x60,
    0x15, 0xe1, 0x32, 0x7a, 0x02, 0xb1, 0x40, 0xf1,
    0x50, 0x5e, 0xb3, 0x09, 0x32, 0x6d, 0x68, 0x37,
    0x8f, 0x83, 0x74, 0x59, 0x5c, 0x84, 0x9d, 0x84,
    0xf4, 0xc3, 0x33, 0xec, 0x44, 0x23, 0x88, 0x51,
    0x43, 0xcb, 0x47, 0xbd, 0x71, 0xc5, 0xed, 0xae,
    0x9b, 0xe6, 0x9a, 0x2f, 0xfe, 0xce, 0xb1, 0xbe,
    0xc9, 0xde, 0x24, 0x4f, 0xbe, 0x15, 0x99, 0x2b,
    0x11, 0xb7, 0x7c, 0x04, 0x0f, 0x12, 0xbd, 0x8f,
    0x6a, 0x97, 0x5a, 0x44, 0xa0, 0xf9, 0x0c, 0x29,
    0xa9, 0xab, 0xc3, 0xd4, 0xd8, 0x93, 0x92, 0x72,
    0x84, 0xc5, 0x87, 0x54, 0xcc, 0xe2, 0x94, 0x52,
    0x9f, 0x86, 0x14, 0xdc, 0xd2, 0xab, 0xa9, 0x91,
    0x92, 0x5f, 0xed, 0xc4, 0xae, 0x74, 0xff, 0xac,
    0x6e, 0x33, 0x3b, 0x93, 0xeb, 0x4a, 0xff, 0x04,
    0x79, 0xda, 0x9a, 0x41, 0x0e, 0x44, 0x50, 0xe0,
    0xdd, 0x7a, 0xe4, 0xc6, 0xe2, 0x91, 0x09, 0x00,
    0x57, 0x5d, 0xa4, 0x01, 0xfc, 0x07, 0x05, 0x9f,
    0x64, 0x5e, 0x8b, 0x7e, 0x9b, 0xfd, 0xef, 0x33,
    0x94, 0x30, 0x54, 0xff, 0x84, 0x01, 0x14, 0x93,
    0xc2, 0x7b, 0x34, 0x29, 0xea, 0xed, 0xb4, 0xed,
    0x53, 0x76, 0x44, 0x1a, 0x77, 0xed, 0x43, 0x85,
    0x1a, 0xd7, 0x7f, 0x16, 0xf5, 0x41, 0xdf, 0xd2,
    0x69, 0xd5, 0x0d, 0x6a, 0x5f, 0x14, 0xfb, 0x0a,
    0xab, 0x1c, 0xbb, 0x4c, 0x15, 0x50, 0xbe, 0x97,
    0xf7, 0xab, 0x40, 0x66, 0x19, 0x3c, 0x4c, 0xaa,
    0x77, 0x3d, 0xad, 0x38, 0x01, 0x4b, 0xd2, 0x09,
    0x2f, 0xa7, 0x55, 0xc8, 0x24, 0xbb, 0x5e, 0x54,
    0xc4, 0xf3, 0x6f, 0xfd, 0xa9, 0xfc, 0xea, 0x70,
    0xb9, 0xc6, 0xe6, 0x93, 0xe1, 0x48, 0xc1, 0x51,
};

/* essiv(cbc(aes),sha256) vectors of Linux's crypto/testmgr.h */
static const uint8_t essiv1_key[16] = {
    0x06, 0xa9, 0x21, 0x40, 0x36, 0xb8, 0xa1, 0x5b,
    0x51, 0x2e, 0x03, 0xd5, 0x34, 0x12, 0x00, 0x06,
};
static const uint8_t essiv1_ctx[16] = {
    0xfa, 0x59, 0xe7, 0x5f, 0x41, 0x56, 0x65, 0xc3,
    0x36, 0xca, 0x6b, 0x72, 0x10, 0x9f, 0x8c, 0xd4,
};
static const uint8_t essiv2_key[16] = {
    0xc2, 0x86, 0x69, 0x6d, 0x88, 0x7c, 0x9a, 0xa0,
    0x61, 0x1b, 0xbb, 0x3e, 0x20, 0x25, 0xa4, 0x5a,
};
static const uint8_t essiv2_ctx[32] = {
    0xc8, 0x59, 0x9a, 0xfe, 0x79, 0xe6, 0x7b, 0x20,
    0x06, 0x7d, 0x55, 0x0a, 0x5e, 0xc7, 0xb5, 0xa7,
    0x0b, 0x9c, 0x80, 0xd2, 0x15, 0xa1, 0xb8, 0x6d,
    0xc6, 0xab, 0x7b, 0x65, 0xd9, 0xfd, 0x88, 0xeb,
};
static const uint8_t essiv4_key[32] = {
    0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe,
    0x2b, 0x73, 0xae, 0xf0, 0x85, 0x7d, 0x77, 0x81,
    0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61, 0x08, 0xd7,
    0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4,
};
static const uint8_t essiv4_ptx[64] = {
    0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96,
    0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a,
    0xae, 0x2d, 0x8a, 0x57, 0x1e, 0x03, 0xac, 0x9c,
    0x9e, 0xb7, 0x6f, 0xac, 0x45, 0xaf, 0x8e, 0x51,
    0x30, 0xc8, 0x1c, 0x46, 0xa3, 0x5c, 0xe4, 0x11,
    0xe5, 0xfb, 0xc1, 0x19, 0x1a, 0x0a, 0x52, 0xef,
    0xf6, 0x9f, 0x24, 0x45, 0xdf, 0x4f, 0x9b, 0x17,
    0xad, 0x2b, 0x41, 0x7b, 0xe6, 0x6c, 0x37, 0x10,
};
static const uint8_t essiv4_ctx[64] = {
    0x24, 0x52, 0xf1, 0x48, 0x74, 0xd0, 0xa7, 0x93,
    0x75, 0x9b, 0x63, 0x46, 0xc0, 0x1c, 0x1e, 0x17,
    0x4d, 0xdc, 0x5b, 0x3a, 0x27, 0x93, 0x2a, 0x63,
    0xf7, 0xf1, 0xc7, 0xb3, 0x54, 0x56, 0x5b, 0x50,
    0xa3, 0x31, 0xa5, 0x8b, 0xd6, 0xfd, 0xb6, 0x3c,
    0x8b, 0xf6, 0xf2, 0x45, 0x05, 0x0c, 0xc8, 0xbb,
    0x32, 0x0b, 0x26, 0x1c, 0xe9, 0x8b, 0x02, 0xc0,
    0xb2, 0x6f, 0x37, 0xa7, 0x5b, 0xa8, 0xa9, 0x42,
};

typedef struct KaVector {
    const char *path;
    InlineCryptoAlg alg;
    const uint8_t *key;
    size_t key_len;
    uint64_t dun;
    const uint8_t *ptx;         /* NULL: 0x00..0xff twice */
    const uint8_t *ctx;
    size_t len;                 /* checked bytes at the start of a unit */
} KaVector;

static const KaVector vectors[] = {
    { "xts-aes-128/p1619-4", INLINE_CRYPTO_ALG_AES_XTS,
      p1619_vec4_key, 32, 0, NULL, p1619_vec4_ctx, VEC_LEN },
    { "xts-aes-256/p1619-10", INLINE_CRYPTO_ALG_AES_XTS,
      p1619_vec10_key, 64, 0xff, NULL, p1619_vec10_ctx, VEC_LEN },
    { "essiv-aes-128-cbc/testmgr-1", INLINE_CRYPTO_ALG_AES_CBC_ESSIV,
      essiv1_key, 16, 0x30b49e9d42baaf3dULL,
      (const uint8_t *)"Single block msg", essiv1_ctx, 16 },
    { "essiv-aes-128-cbc/testmgr-2", INLINE_CRYPTO_ALG_AES_CBC_ESSIV,
      essiv2_key, 16, 0x283d096d99172e56ULL, NULL, essiv2_ctx, 32 },
    { "essiv-aes-256-cbc/testmgr-4", INLINE_CRYPTO_ALG_AES_CBC_ESSIV,
      essiv4_key, 32, 0x0706050403020100ULL, essiv4_ptx, essiv4_ctx, 64 },
};

/* A 512-byte unit starting with the vector's plaintext. */
static void fill_ptx(const KaVector *v, uint8_t *buf)
{
    for (int i = 0; i < VEC_LEN; i++) {
        buf[i] = i & 0xff;
    }
    if (v->ptx) {
        memcpy(buf, v->ptx, v->len);
    }
}

static InlineCryptoKey *vec_key(const KaVector *v, uint32_t du_size)
{
    return inline_crypto_key_new(v->alg, v->key, v->key_len, du_size,
                                 &error_abort);
}

/* One data unit, out of place, both ways. */
static void test_vector(const void *opaque)
{
    const KaVector *v = opaque;
    g_autoptr(InlineCryptoKey) key = vec_key(v, VEC_LEN);
    uint8_t ptx[VEC_LEN], out[VEC_LEN], back[VEC_LEN];

    fill_ptx(v, ptx);
    g_assert_cmpint(inline_crypto_encrypt(key, v->dun, ptx, out, VEC_LEN,
                                          &error_abort), ==, 0);
    g_assert_cmpmem(out, v->len, v->ctx, v->len);
    g_assert_cmpint(inline_crypto_decrypt(key, v->dun, out, back, VEC_LEN,
                                          &error_abort), ==, 0);
    g_assert_cmpmem(back, VEC_LEN, ptx, VEC_LEN);
}

/*
 * What a key exports (for migration) is what it was made from, and a key
 * made from the export gives the vector's ciphertext again.
 */
static void test_export(const void *opaque)
{
    const KaVector *v = opaque;
    g_autoptr(InlineCryptoKey) key = vec_key(v, 1024);
    g_autoptr(InlineCryptoKey) copy = NULL;
    uint8_t raw[INLINE_CRYPTO_MAX_KEY_LEN];
    uint8_t ptx[VEC_LEN], out[VEC_LEN];
    InlineCryptoAlg alg = INLINE_CRYPTO_ALG__MAX;
    size_t len;

    memset(raw, 0, sizeof(raw));
    len = inline_crypto_key_export(key, &alg, raw);
    g_assert_cmpint(alg, ==, v->alg);
    g_assert_cmpmem(raw, len, v->key, v->key_len);
    g_assert_cmpuint(inline_crypto_key_du_size(key), ==, 1024);

    copy = inline_crypto_key_new(alg, raw, len, VEC_LEN, &error_abort);
    inline_crypto_wipe(raw, sizeof(raw));
    fill_ptx(v, ptx);
    g_assert_cmpint(inline_crypto_encrypt(copy, v->dun, ptx, out, VEC_LEN,
                                          &error_abort), ==, 0);
    g_assert_cmpmem(out, v->len, v->ctx, v->len);
}

/*
 * Many data units in one call, in place: with the vector's plaintext in
 * every unit and a first DUN of (vector DUN - k), unit k must come out as
 * the vector's ciphertext.  For vector 4 (DUN 0) the first DUN is below
 * zero, so the DUN wraps modulo 2^64 on the way.
 */
static void test_multi_du(const void *opaque)
{
    const KaVector *v = opaque;
    const int n = 8;
    g_autoptr(InlineCryptoKey) key = vec_key(v, VEC_LEN);
    g_autofree uint8_t *buf = g_malloc(n * VEC_LEN);
    g_autofree uint8_t *ptx = g_malloc(n * VEC_LEN);

    for (int i = 0; i < n; i++) {
        fill_ptx(v, ptx + i * VEC_LEN);
    }
    for (int k = 0; k < n; k++) {
        uint64_t first = v->dun - k;

        memcpy(buf, ptx, n * VEC_LEN);
        g_assert_cmpint(inline_crypto_encrypt(key, first, buf, buf,
                                              n * VEC_LEN, &error_abort),
                        ==, 0);
        g_assert_cmpmem(buf + k * VEC_LEN, v->len, v->ctx, v->len);
        /* Every other unit differs: each has its own DUN. */
        for (int j = 0; j < n; j++) {
            if (j != k) {
                g_assert_true(memcmp(buf + j * VEC_LEN, v->ctx, v->len));
            }
        }
        g_assert_cmpint(inline_crypto_decrypt(key, first, buf, buf,
                                              n * VEC_LEN, &error_abort),
                        ==, 0);
        g_assert_cmpmem(buf, n * VEC_LEN, ptx, n * VEC_LEN);
    }
}

/*
 * Neither XTS nor CBC encryption carries anything back from later blocks:
 * the start of a larger data unit encrypts as the vector with the same DUN.
 * So the vectors also check 4 KiB and 64 KiB data units, out of place.
 */
static void test_large_du(const void *opaque)
{
    const KaVector *v = opaque;
    static const uint32_t sizes[] = { 4096, 65536 };

    for (int i = 0; i < ARRAY_SIZE(sizes); i++) {
        uint32_t dus = sizes[i];
        g_autoptr(InlineCryptoKey) key = vec_key(v, dus);
        g_autofree uint8_t *ptx = g_malloc0(2 * dus);
        g_autofree uint8_t *out = g_malloc0(2 * dus);

        fill_ptx(v, ptx);
        fill_ptx(v, ptx + dus);
        g_assert_cmpint(inline_crypto_encrypt(key, v->dun, ptx, out, 2 * dus,
                                              &error_abort), ==, 0);
        g_assert_cmpmem(out, v->len, v->ctx, v->len);
        /* The second unit has DUN + 1. */
        g_assert_true(memcmp(out + dus, v->ctx, v->len));
        g_assert_cmpint(inline_crypto_encrypt(key, v->dun - 1, ptx, out,
                                              2 * dus, &error_abort), ==, 0);
        g_assert_cmpmem(out + dus, v->len, v->ctx, v->len);
        g_assert_cmpint(inline_crypto_decrypt(key, v->dun - 1, out, out,
                                              2 * dus, &error_abort), ==, 0);
        g_assert_cmpmem(out, 2 * dus, ptx, 2 * dus);
    }
}

static void test_bad_args(void)
{
    Error *err = NULL;
    g_autoptr(InlineCryptoKey) key = NULL;
    uint8_t buf[1024] = { 0 };

    g_assert_null(inline_crypto_key_new(INLINE_CRYPTO_ALG_AES_XTS,
                                        p1619_vec10_key, 48, 512, &err));
    error_free_or_abort(&err);
    g_assert_null(inline_crypto_key_new(INLINE_CRYPTO_ALG_AES_CBC_ESSIV,
                                        p1619_vec10_key, 64, 512, &err));
    error_free_or_abort(&err);
    g_assert_null(inline_crypto_key_new(INLINE_CRYPTO_ALG_AES_XTS,
                                        p1619_vec10_key, 64, 768, &err));
    error_free_or_abort(&err);
    g_assert_null(inline_crypto_key_new(INLINE_CRYPTO_ALG_AES_XTS,
                                        p1619_vec10_key, 64, 256, &err));
    error_free_or_abort(&err);
    g_assert_null(inline_crypto_key_new(INLINE_CRYPTO_ALG_AES_XTS,
                                        p1619_vec10_key, 64, 128 * 1024,
                                        &err));
    error_free_or_abort(&err);

    key = inline_crypto_key_new(INLINE_CRYPTO_ALG_AES_XTS, p1619_vec10_key,
                                64, 512, &error_abort);
    g_assert_cmpint(inline_crypto_encrypt(key, 0, buf, buf, 700, &err), <, 0);
    error_free_or_abort(&err);
}

/*
 * Keyslots: a request's reference keeps the key it started with when the
 * slot is evicted or reprogrammed.
 */
static void test_keyslots(void)
{
    InlineCryptoEngine e;
    InlineCryptoKey *held;
    uint8_t ptx[VEC_LEN], out[VEC_LEN];
    Error *err = NULL;

    fill_ptx(&vectors[0], ptx);
    inline_crypto_engine_init(&e, 4);
    g_assert_null(inline_crypto_get_key(&e, 0));
    g_assert_null(inline_crypto_get_key(&e, 4));

    g_assert_cmpint(inline_crypto_program(&e, 4, INLINE_CRYPTO_ALG_AES_XTS,
                                          p1619_vec10_key, 64, 512, &err),
                    <, 0);
    error_free_or_abort(&err);

    g_assert_cmpint(inline_crypto_program(&e, 3, INLINE_CRYPTO_ALG_AES_XTS,
                                          p1619_vec10_key, 64, 512,
                                          &error_abort), ==, 0);
    held = inline_crypto_get_key(&e, 3);
    g_assert_nonnull(held);
    g_assert_cmpuint(inline_crypto_key_du_size(held), ==, 512);

    /* Reprogram slot 3 with vector 4's key, then evict it. */
    g_assert_cmpint(inline_crypto_program(&e, 3, INLINE_CRYPTO_ALG_AES_XTS,
                                          p1619_vec4_key, 32, 512,
                                          &error_abort), ==, 0);
    {
        g_autoptr(InlineCryptoKey) now = inline_crypto_get_key(&e, 3);

        inline_crypto_encrypt(now, 0, ptx, out, VEC_LEN, &error_abort);
        g_assert_cmpmem(out, VEC_LEN, p1619_vec4_ctx, VEC_LEN);
    }
    inline_crypto_evict(&e, 3);
    g_assert_null(inline_crypto_get_key(&e, 3));

    inline_crypto_encrypt(held, 0xff, ptx, out, VEC_LEN, &error_abort);
    g_assert_cmpmem(out, VEC_LEN, p1619_vec10_ctx, VEC_LEN);
    inline_crypto_key_unref(held);

    /* A failed program leaves the slot empty. */
    g_assert_cmpint(inline_crypto_program(&e, 1, INLINE_CRYPTO_ALG_AES_XTS,
                                          p1619_vec10_key, 64, 512,
                                          &error_abort), ==, 0);
    g_assert_cmpint(inline_crypto_program(&e, 1, INLINE_CRYPTO_ALG_AES_XTS,
                                          p1619_vec10_key, 64, 100, &err),
                    <, 0);
    error_free_or_abort(&err);
    g_assert_null(inline_crypto_get_key(&e, 1));

    inline_crypto_engine_cleanup(&e);
}

/*
 * Adiantum
 */

/* The key of the 4096-byte adiantum(xchacha12,aes) vector of Linux */
static const uint8_t adiantum_key[32] = {
    0x60, 0xd5, 0x36, 0xb0, 0x8e, 0x5d, 0x0e, 0x5f,
    0x70, 0x47, 0x8c, 0xea, 0x87, 0x30, 0x1d, 0x58,
    0x2a, 0xb2, 0xe8, 0xc6, 0xcb, 0x60, 0xe7, 0x6f,
    0x56, 0x95, 0x83, 0x98, 0x38, 0x80, 0x84, 0x8a,
};

/*
 * What a data unit with @dun must become: Adiantum with the tweak of
 * Linux's blk-crypto, the DUN in little-endian order in the first 8 of 32
 * bytes.
 */
static void adiantum_expect(uint64_t dun, const uint8_t *in, uint8_t *out,
                            size_t du_size, bool encrypt)
{
    g_autoptr(QCryptoAdiantum) a = qcrypto_adiantum_new(adiantum_key,
                                                        &error_abort);
    uint8_t tweak[QCRYPTO_ADIANTUM_TWEAK_LEN] = { 0 };

    for (int i = 0; i < 8; i++) {
        tweak[i] = dun >> (8 * i);
    }
    if (encrypt) {
        qcrypto_adiantum_encrypt(a, tweak, in, out, du_size, &error_abort);
    } else {
        qcrypto_adiantum_decrypt(a, tweak, in, out, du_size, &error_abort);
    }
}

static void adiantum_fill(uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (i * 7 + (i >> 9)) & 0xff;
    }
}

/* One 512-byte unit, out of place, both ways. */
static void test_adiantum_single(void)
{
    const uint64_t dun = 0x0123456789abcdefULL;
    g_autoptr(InlineCryptoKey) key =
        inline_crypto_key_new(INLINE_CRYPTO_ALG_ADIANTUM, adiantum_key,
                              sizeof(adiantum_key), VEC_LEN, &error_abort);
    uint8_t ptx[VEC_LEN], out[VEC_LEN], expect[VEC_LEN], back[VEC_LEN];

    adiantum_fill(ptx, sizeof(ptx));
    adiantum_expect(dun, ptx, expect, VEC_LEN, true);
    g_assert_cmpint(inline_crypto_encrypt(key, dun, ptx, out, VEC_LEN,
                                          &error_abort), ==, 0);
    g_assert_cmpmem(out, VEC_LEN, expect, VEC_LEN);
    /* A wide-block cipher: not even the first block survives. */
    g_assert_true(memcmp(out, ptx, 16));
    g_assert_cmpint(inline_crypto_decrypt(key, dun, out, back, VEC_LEN,
                                          &error_abort), ==, 0);
    g_assert_cmpmem(back, VEC_LEN, ptx, VEC_LEN);

    /* The tweak is the DUN: the neighbour's differs. */
    adiantum_expect(dun + 1, ptx, expect, VEC_LEN, true);
    g_assert_true(memcmp(out, expect, VEC_LEN));
}

/*
 * Eight units in one call, in place, from DUN 2^64 - 3: the DUN wraps
 * modulo 2^64 after the third unit, and the tweak with it.  The engine is
 * also reached through a keyslot here.
 */
static void test_adiantum_multi_du(void)
{
    const int n = 8;
    const uint64_t first = UINT64_MAX - 2;
    g_autofree uint8_t *ptx = g_malloc(n * VEC_LEN);
    g_autofree uint8_t *buf = g_malloc(n * VEC_LEN);
    g_autofree uint8_t *expect = g_malloc(VEC_LEN);
    g_autoptr(InlineCryptoKey) key = NULL;
    InlineCryptoEngine e;

    inline_crypto_engine_init(&e, 2);
    g_assert_cmpint(inline_crypto_program(&e, 1, INLINE_CRYPTO_ALG_ADIANTUM,
                                          adiantum_key, sizeof(adiantum_key),
                                          VEC_LEN, &error_abort), ==, 0);
    key = inline_crypto_get_key(&e, 1);
    inline_crypto_engine_cleanup(&e);

    adiantum_fill(ptx, n * VEC_LEN);
    memcpy(buf, ptx, n * VEC_LEN);
    g_assert_cmpint(inline_crypto_encrypt(key, first, buf, buf, n * VEC_LEN,
                                          &error_abort), ==, 0);
    for (int k = 0; k < n; k++) {
        adiantum_expect(first + k, ptx + k * VEC_LEN, expect, VEC_LEN, true);
        g_assert_cmpmem(buf + k * VEC_LEN, VEC_LEN, expect, VEC_LEN);
    }
    g_assert_cmpint(inline_crypto_decrypt(key, first, buf, buf, n * VEC_LEN,
                                          &error_abort), ==, 0);
    g_assert_cmpmem(buf, n * VEC_LEN, ptx, n * VEC_LEN);
}

/* 4 KiB and 64 KiB units, two of each, out of place. */
static void test_adiantum_large_du(void)
{
    static const uint32_t sizes[] = { 4096, 65536 };
    const uint64_t dun = 0xfffffffeULL;

    for (int i = 0; i < ARRAY_SIZE(sizes); i++) {
        uint32_t dus = sizes[i];
        g_autoptr(InlineCryptoKey) key =
            inline_crypto_key_new(INLINE_CRYPTO_ALG_ADIANTUM, adiantum_key,
                                  sizeof(adiantum_key), dus, &error_abort);
        g_autofree uint8_t *ptx = g_malloc(2 * dus);
        g_autofree uint8_t *out = g_malloc(2 * dus);
        g_autofree uint8_t *back = g_malloc(2 * dus);
        g_autofree uint8_t *expect = g_malloc(dus);

        adiantum_fill(ptx, 2 * dus);
        g_assert_cmpint(inline_crypto_encrypt(key, dun, ptx, out, 2 * dus,
                                              &error_abort), ==, 0);
        for (int k = 0; k < 2; k++) {
            adiantum_expect(dun + k, ptx + k * dus, expect, dus, true);
            g_assert_cmpmem(out + k * dus, dus, expect, dus);
        }
        /* Decryption as the reference does it, unit by unit */
        for (int k = 0; k < 2; k++) {
            adiantum_expect(dun + k, out + k * dus, back + k * dus, dus,
                            false);
        }
        g_assert_cmpmem(back, 2 * dus, ptx, 2 * dus);
        g_assert_cmpint(inline_crypto_decrypt(key, dun, out, out, 2 * dus,
                                              &error_abort), ==, 0);
        g_assert_cmpmem(out, 2 * dus, ptx, 2 * dus);
    }
}

static void test_adiantum_bad_args(void)
{
    Error *err = NULL;
    g_autoptr(InlineCryptoKey) key = NULL;
    uint8_t buf[1024] = { 0 };

    g_assert_true(inline_crypto_key_valid_len(INLINE_CRYPTO_ALG_ADIANTUM,
                                              32));
    g_assert_false(inline_crypto_key_valid_len(INLINE_CRYPTO_ALG_ADIANTUM,
                                               16));
    g_assert_null(inline_crypto_key_new(INLINE_CRYPTO_ALG_ADIANTUM,
                                        p1619_vec10_key, 64, 512, &err));
    error_free_or_abort(&err);
    g_assert_null(inline_crypto_key_new(INLINE_CRYPTO_ALG_ADIANTUM,
                                        adiantum_key, 32, 1000, &err));
    error_free_or_abort(&err);

    key = inline_crypto_key_new(INLINE_CRYPTO_ALG_ADIANTUM, adiantum_key,
                                32, 512, &error_abort);
    g_assert_cmpint(inline_crypto_decrypt(key, 0, buf, buf, 700, &err), <, 0);
    error_free_or_abort(&err);
}

static void test_wipe(void)
{
    uint8_t buf[64];

    memset(buf, 0xa5, sizeof(buf));
    inline_crypto_wipe(buf, sizeof(buf));
    for (int i = 0; i < sizeof(buf); i++) {
        g_assert_cmpuint(buf[i], ==, 0);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert(qcrypto_init(NULL) == 0);

    for (int i = 0; i < ARRAY_SIZE(vectors); i++) {
        g_autofree char *p1 = g_strdup_printf("/inline-crypto/%s/single",
                                              vectors[i].path);
        g_autofree char *p2 = g_strdup_printf("/inline-crypto/%s/multi-du",
                                              vectors[i].path);
        g_autofree char *p3 = g_strdup_printf("/inline-crypto/%s/large-du",
                                              vectors[i].path);
        g_autofree char *p4 = g_strdup_printf("/inline-crypto/%s/export",
                                              vectors[i].path);

        g_test_add_data_func(p1, &vectors[i], test_vector);
        g_test_add_data_func(p2, &vectors[i], test_multi_du);
        g_test_add_data_func(p3, &vectors[i], test_large_du);
        g_test_add_data_func(p4, &vectors[i], test_export);
    }
    g_test_add_func("/inline-crypto/adiantum/single", test_adiantum_single);
    g_test_add_func("/inline-crypto/adiantum/multi-du",
                    test_adiantum_multi_du);
    g_test_add_func("/inline-crypto/adiantum/large-du",
                    test_adiantum_large_du);
    g_test_add_func("/inline-crypto/adiantum/bad-args",
                    test_adiantum_bad_args);
    g_test_add_func("/inline-crypto/bad-args", test_bad_args);
    g_test_add_func("/inline-crypto/keyslots", test_keyslots);
    g_test_add_func("/inline-crypto/wipe", test_wipe);
    return g_test_run();
}
