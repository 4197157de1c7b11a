/*
 * Hex strings for the crypto unit tests' vectors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef TESTS_UNIT_CRYPTO_HEX_H
#define TESTS_UNIT_CRYPTO_HEX_H

/* The bytes of @hex (a NUL follows them); *@len, if given, their number */
static inline uint8_t *unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    uint8_t *buf;

    g_assert(n % 2 == 0);
    buf = g_malloc0(n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = g_ascii_xdigit_value(hex[2 * i]);
        int lo = g_ascii_xdigit_value(hex[2 * i + 1]);

        g_assert(hi >= 0 && lo >= 0);
        buf[i] = hi << 4 | lo;
    }
    if (len) {
        *len = n / 2;
    }
    return buf;
}

#endif /* TESTS_UNIT_CRYPTO_HEX_H */
