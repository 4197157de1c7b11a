/*
 * QEMU Crypto: wiping secrets
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QCRYPTO_WIPE_H
#define QCRYPTO_WIPE_H

/**
 * qcrypto_wipe:
 * @p: key material, or anything derived from it
 * @len: its length in bytes
 *
 * Zero @len bytes at @p in a way the compiler cannot drop, even when the
 * memory is freed or goes out of scope right after.
 */
static inline void qcrypto_wipe(void *p, size_t len)
{
    memset(p, 0, len);
    asm volatile("" : : "r"(p) : "memory");
}

#endif /* QCRYPTO_WIPE_H */
