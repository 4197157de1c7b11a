#!/usr/bin/python3
"""adiantum.py: Adiantum(XChaCha12, AES-256), written from its papers.

A second implementation of Adiantum for the host-side ciphertext check
(scripts/fscrypt-check.py), independent of QEMU's crypto/adiantum.c: it
shares no code with it and is written from

  - Crowley, Biggers, "Adiantum: length-preserving encryption for entry-level
    processors", IACR ToSC 2018(4) (the construction, the key derivation and
    the hash of the tweak and message: section 3 and appendix);
  - Bernstein, "ChaCha, a variant of Salsa20" (2008), with 12 rounds, and the
    XChaCha nonce extension via HChaCha (Arciszewski, draft-irtf-cfrg-xchacha);
  - RFC 8439, section 2.5 (Poly1305), used here without the final addition
    of s, as Adiantum's hash uses it;
  - the NH hash of UMAC (RFC 4418), in Adiantum's 4-pass, 16-byte-stride form;

with AES-256 on one block from python3-cryptography.  Conventions that the
papers leave to the implementation are those of Linux's crypto API, which the
guest uses: a 32-byte tweak; the derived keys come from XChaCha12 with the
nonce 1 || 0...0 (K_E, 32 bytes; the header key, 16; the message key, 16; the
NH key, 1072); the hash key words are clamped as Poly1305 clamps r; the
message is hashed in 1024-byte NH chunks (zero-padded to 16 bytes), each
32-byte NH result being two Poly1305 blocks.

  python3 scripts/adiantum.py --selftest [VECTORS.c]

checks XChaCha12, NH, Poly1305 and Adiantum against the published vectors
(google/adiantum's test vectors and RFC 8439), read from the vector tables
of tests/unit/test-crypto-adiantum.c: data only, no code of that test.
Prints TAP.
"""

import os
import re
import struct
import sys

from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MASK32 = 0xFFFFFFFF
P1305 = (1 << 130) - 5
NH_KEY_BYTES = 1072
NH_MESSAGE_BYTES = 1024
SIGMA = struct.unpack("<4I", b"expand 32-byte k")


def _rounds(x, nrounds):
    """ChaCha's double rounds on the 16-word list x, in place."""
    x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15 = x
    for _ in range(nrounds // 2):
        # columns
        x0 = (x0 + x4) & MASK32; x12 ^= x0; x12 = ((x12 << 16) | (x12 >> 16)) & MASK32
        x8 = (x8 + x12) & MASK32; x4 ^= x8; x4 = ((x4 << 12) | (x4 >> 20)) & MASK32
        x0 = (x0 + x4) & MASK32; x12 ^= x0; x12 = ((x12 << 8) | (x12 >> 24)) & MASK32
        x8 = (x8 + x12) & MASK32; x4 ^= x8; x4 = ((x4 << 7) | (x4 >> 25)) & MASK32
        x1 = (x1 + x5) & MASK32; x13 ^= x1; x13 = ((x13 << 16) | (x13 >> 16)) & MASK32
        x9 = (x9 + x13) & MASK32; x5 ^= x9; x5 = ((x5 << 12) | (x5 >> 20)) & MASK32
        x1 = (x1 + x5) & MASK32; x13 ^= x1; x13 = ((x13 << 8) | (x13 >> 24)) & MASK32
        x9 = (x9 + x13) & MASK32; x5 ^= x9; x5 = ((x5 << 7) | (x5 >> 25)) & MASK32
        x2 = (x2 + x6) & MASK32; x14 ^= x2; x14 = ((x14 << 16) | (x14 >> 16)) & MASK32
        x10 = (x10 + x14) & MASK32; x6 ^= x10; x6 = ((x6 << 12) | (x6 >> 20)) & MASK32
        x2 = (x2 + x6) & MASK32; x14 ^= x2; x14 = ((x14 << 8) | (x14 >> 24)) & MASK32
        x10 = (x10 + x14) & MASK32; x6 ^= x10; x6 = ((x6 << 7) | (x6 >> 25)) & MASK32
        x3 = (x3 + x7) & MASK32; x15 ^= x3; x15 = ((x15 << 16) | (x15 >> 16)) & MASK32
        x11 = (x11 + x15) & MASK32; x7 ^= x11; x7 = ((x7 << 12) | (x7 >> 20)) & MASK32
        x3 = (x3 + x7) & MASK32; x15 ^= x3; x15 = ((x15 << 8) | (x15 >> 24)) & MASK32
        x11 = (x11 + x15) & MASK32; x7 ^= x11; x7 = ((x7 << 7) | (x7 >> 25)) & MASK32
        # diagonals
        x0 = (x0 + x5) & MASK32; x15 ^= x0; x15 = ((x15 << 16) | (x15 >> 16)) & MASK32
        x10 = (x10 + x15) & MASK32; x5 ^= x10; x5 = ((x5 << 12) | (x5 >> 20)) & MASK32
        x0 = (x0 + x5) & MASK32; x15 ^= x0; x15 = ((x15 << 8) | (x15 >> 24)) & MASK32
        x10 = (x10 + x15) & MASK32; x5 ^= x10; x5 = ((x5 << 7) | (x5 >> 25)) & MASK32
        x1 = (x1 + x6) & MASK32; x12 ^= x1; x12 = ((x12 << 16) | (x12 >> 16)) & MASK32
        x11 = (x11 + x12) & MASK32; x6 ^= x11; x6 = ((x6 << 12) | (x6 >> 20)) & MASK32
        x1 = (x1 + x6) & MASK32; x12 ^= x1; x12 = ((x12 << 8) | (x12 >> 24)) & MASK32
        x11 = (x11 + x12) & MASK32; x6 ^= x11; x6 = ((x6 << 7) | (x6 >> 25)) & MASK32
        x2 = (x2 + x7) & MASK32; x13 ^= x2; x13 = ((x13 << 16) | (x13 >> 16)) & MASK32
        x8 = (x8 + x13) & MASK32; x7 ^= x8; x7 = ((x7 << 12) | (x7 >> 20)) & MASK32
        x2 = (x2 + x7) & MASK32; x13 ^= x2; x13 = ((x13 << 8) | (x13 >> 24)) & MASK32
        x8 = (x8 + x13) & MASK32; x7 ^= x8; x7 = ((x7 << 7) | (x7 >> 25)) & MASK32
        x3 = (x3 + x4) & MASK32; x14 ^= x3; x14 = ((x14 << 16) | (x14 >> 16)) & MASK32
        x9 = (x9 + x14) & MASK32; x4 ^= x9; x4 = ((x4 << 12) | (x4 >> 20)) & MASK32
        x3 = (x3 + x4) & MASK32; x14 ^= x3; x14 = ((x14 << 8) | (x14 >> 24)) & MASK32
        x9 = (x9 + x14) & MASK32; x4 ^= x9; x4 = ((x4 << 7) | (x4 >> 25)) & MASK32
    return [x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15]


def hchacha(key, nonce16, nrounds=12):
    """HChaCha: the 32-byte subkey of XChaCha from a key and 16 nonce bytes."""
    x = list(SIGMA) + list(struct.unpack("<8I", key)) + list(struct.unpack("<4I", nonce16))
    y = _rounds(x, nrounds)
    return struct.pack("<8I", *(y[0:4] + y[12:16]))


def chacha_stream(key, nonce8, length, block=0, nrounds=12):
    """ChaCha with a 64-bit block counter and a 64-bit nonce (Bernstein's
    original layout): LENGTH keystream bytes from block BLOCK on."""
    k = list(struct.unpack("<8I", key))
    n = list(struct.unpack("<2I", nonce8))
    out = []
    for i in range((length + 63) // 64):
        ctr = block + i
        x = list(SIGMA) + k + [ctr & MASK32, (ctr >> 32) & MASK32] + n
        y = _rounds(x, nrounds)
        out.append(struct.pack("<16I", *((a + b) & MASK32 for a, b in zip(y, x))))
    return b"".join(out)[:length]


def xchacha12_stream(key, nonce24, length, block=0):
    """XChaCha12: HChaCha12 on the first 16 nonce bytes, then ChaCha12 with
    the subkey and the last 8 nonce bytes."""
    return chacha_stream(hchacha(key, nonce24[:16]), nonce24[16:24], length, block)


def _xor(a, b):
    return (int.from_bytes(a, "little") ^ int.from_bytes(b, "little")).to_bytes(len(a), "little")


def poly1305_r(key16):
    """Poly1305's clamped r from 16 key bytes (RFC 8439, 2.5.1)."""
    return int.from_bytes(key16, "little") & 0x0FFFFFFC0FFFFFFC0FFFFFFC0FFFFFFF


def poly1305_blocks(h, r, data):
    """Poly1305's accumulator over DATA (a multiple of 16 bytes, each block
    with the 2^128 bit), without reduction of the output."""
    for i in range(0, len(data), 16):
        h = ((h + int.from_bytes(data[i:i + 16], "little") + (1 << 128)) * r) % P1305
    return h


def poly1305(key32, msg):
    """RFC 8439 Poly1305 (for its test vectors): tag of MSG under KEY32."""
    r, s = poly1305_r(key32[:16]), int.from_bytes(key32[16:], "little")
    h = 0
    for i in range(0, len(msg), 16):
        blk = msg[i:i + 16]
        h = ((h + int.from_bytes(blk + b"\x01", "little")) * r) % P1305
    return ((h + s) % (1 << 128)).to_bytes(16, "little")


def nh(key, msg):
    """NH over MSG (a multiple of 16 bytes, at most 1024): 4 x le64."""
    kw = struct.unpack("<%dI" % (len(key) // 4), key)
    sums = [0, 0, 0, 0]
    for off in range(0, len(msg), 16):
        m0, m1, m2, m3 = struct.unpack_from("<4I", msg, off)
        k = off // 4
        for p in range(4):
            kp = k + 4 * p
            sums[p] += (((m0 + kw[kp]) & MASK32) * ((m2 + kw[kp + 2]) & MASK32) +
                        ((m1 + kw[kp + 1]) & MASK32) * ((m3 + kw[kp + 3]) & MASK32))
    return struct.pack("<4Q", *(s & 0xFFFFFFFFFFFFFFFF for s in sums))


class Adiantum:
    """Adiantum(XChaCha12, AES-256) with a 32-byte key and a 32-byte tweak."""

    def __init__(self, key):
        if len(key) != 32:
            raise ValueError("Adiantum takes a 32-byte key")
        self.key = key
        derived = xchacha12_stream(key, b"\x01" + bytes(23), 32 + 16 + 16 + NH_KEY_BYTES)
        self.aes = Cipher(algorithms.AES(derived[:32]), modes.ECB(), backend=default_backend())
        self.r_header = poly1305_r(derived[32:48])
        self.r_message = poly1305_r(derived[48:64])
        self.nh_key = derived[64:]

    def _hash(self, tweak, left):
        """H(T, L): Poly1305 of the length and tweak plus NH-Poly1305 of L,
        as a number mod 2^128."""
        header = struct.pack("<QQ", len(left) * 8, 0) + tweak
        h1 = poly1305_blocks(0, self.r_header, header) % (1 << 128)
        h2 = 0
        for off in range(0, len(left), NH_MESSAGE_BYTES):
            chunk = left[off:off + NH_MESSAGE_BYTES]
            if len(chunk) % 16:
                chunk += bytes(16 - len(chunk) % 16)
            h2 = poly1305_blocks(h2, self.r_message, nh(self.nh_key, chunk))
        return (h1 + h2 % (1 << 128)) % (1 << 128)

    def _stream(self, c_m, length):
        return xchacha12_stream(self.key, c_m + b"\x01" + bytes(7), length)

    def encrypt(self, tweak, data):
        if len(tweak) != 32 or len(data) < 16:
            raise ValueError("Adiantum: 32-byte tweak and at least 16 bytes of data")
        left, right = data[:-16], data[-16:]
        p_m = (int.from_bytes(right, "little") + self._hash(tweak, left)) % (1 << 128)
        enc = self.aes.encryptor()
        c_m = enc.update(p_m.to_bytes(16, "little")) + enc.finalize()
        c_left = _xor(left, self._stream(c_m, len(left))) if left else b""
        c_right = (int.from_bytes(c_m, "little") - self._hash(tweak, c_left)) % (1 << 128)
        return c_left + c_right.to_bytes(16, "little")

    def decrypt(self, tweak, data):
        if len(tweak) != 32 or len(data) < 16:
            raise ValueError("Adiantum: 32-byte tweak and at least 16 bytes of data")
        c_left, c_right = data[:-16], data[-16:]
        c_m = ((int.from_bytes(c_right, "little") + self._hash(tweak, c_left)) % (1 << 128))
        c_m = c_m.to_bytes(16, "little")
        dec = self.aes.decryptor()
        p_m = int.from_bytes(dec.update(c_m) + dec.finalize(), "little")
        left = _xor(c_left, self._stream(c_m, len(c_left))) if c_left else b""
        right = (p_m - self._hash(tweak, left)) % (1 << 128)
        return left + right.to_bytes(16, "little")


# --------------------------------------------------------------------------
# Self-test against the published vectors

def _c_tables(path):
    """The vector tables of a C file: {table: [{field: value}]}, with
    adjacent string literals joined and C escapes \\n undone."""
    text = open(path, encoding="utf-8").read()
    tables = {}
    for m in re.finditer(r"static const \w+ (\w+)\[\] = \{(.*?)\n\};", text, re.S):
        entries = []
        for body in re.findall(r"\{(.*?)\n    \}", m.group(2), re.S):
            entry = {}
            for fm in re.finditer(r"\.(\w+)\s*=\s*((?:\"(?:[^\"\\]|\\.)*\"\s*)+|[0-9]+)\s*,", body):
                val = fm.group(2)
                if val[0] == '"':
                    val = "".join(re.findall(r"\"((?:[^\"\\]|\\.)*)\"", val))
                    val = val.encode().decode("unicode_escape")
                else:
                    val = int(val)
                entry[fm.group(1)] = val
            entries.append(entry)
        tables[m.group(1)] = entries
    return tables


VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                       "tests", "unit", "test-crypto-adiantum.c")


def selftest(path=VECTORS, out=sys.stdout):
    """Check every published vector of PATH; TAP on OUT; True if all pass."""
    t = _c_tables(path)
    n = failed = 0

    def check(ok, name):
        nonlocal n, failed
        n += 1
        failed += not ok
        print("%s %d - %s" % ("ok" if ok else "not ok", n, name), file=out)

    for v in t.get("xchacha_vectors", []):
        got = xchacha12_stream(bytes.fromhex(v["key"]), bytes.fromhex(v["nonce"]), 64, v["block"])
        check(got.hex() == v["stream"], "XChaCha12 %s" % v["name"])
    for v in t.get("nh_vectors", []):
        key = bytes.fromhex(v["key"]) + bytes(NH_KEY_BYTES - len(v["key"]) // 2)
        check(nh(key, bytes.fromhex(v["msg"])).hex() == v["hash"], "NH %s" % v["name"])
    for v in t.get("poly1305_vectors", []):
        msg = bytes.fromhex(v["msg_hex"]) if "msg_hex" in v else v["msg_str"].encode()
        check(poly1305(bytes.fromhex(v["key"]), msg).hex() == v["tag"], "Poly1305 %s" % v["name"])
    for v in t.get("adiantum_vectors", []):
        a = Adiantum(bytes.fromhex(v["key"]))
        tweak, ptx, ctx = (bytes.fromhex(v[k]) for k in ("tweak", "ptx", "ctx"))
        check(a.encrypt(tweak, ptx) == ctx, "Adiantum encrypt %s bytes" % v["name"])
        check(a.decrypt(tweak, ctx) == ptx, "Adiantum decrypt %s bytes" % v["name"])
    counts = {k: len(t.get(k, [])) for k in ("xchacha_vectors", "nh_vectors",
                                              "poly1305_vectors", "adiantum_vectors")}
    if min(counts.values()) == 0:
        check(False, "vector tables found in %s: %s" % (path, counts))
    print("1..%d" % n, file=out)
    return failed == 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--selftest":
        sys.exit(0 if selftest(*sys.argv[2:3]) else 1)
    sys.exit(__doc__)
