#!/usr/bin/python3
"""fscrypt-check.py: recompute fscrypt ciphertext on the host, independently.

For each file the guest reported (UFSC-FILE lines of the serial console), the
file's data blocks are located in the raw image (ext4: debugfs from
e2fsprogs; f2fs: the node address table from dump.f2fs, then the inode and
direct/indirect node blocks read from the image), the expected plaintext is
regenerated from the pattern definition shared with guest/ufsc-guest.c, the
expected ciphertext is computed from the master key with the key derivation
of Linux fs/crypto (HKDF-SHA512, SipHash-2-4) and the policy's contents
mode per data unit (the 4096-byte block, or the policy's
log2_data_unit_size), and compared byte for byte with the image.  The policy
(contents mode, flags, data unit size) is the one the guest read back with
FS_IOC_GET_ENCRYPTION_POLICY_EX, reported on the UFSC-FILE line.

Contents modes, as blk-crypto defines them (and fscrypt's crypto API path):
  1 AES-256-XTS        64-byte key; tweak = DUN as a 128-bit little-endian
                       number
  5 AES-128-CBC-ESSIV  16-byte key; IV = AES-256 keyed by SHA-256(key) over
                       the DUN as a 128-bit little-endian number, then
                       AES-128-CBC over the data unit.  With -o inlinecrypt
                       blk-crypto hands the raw (per-file or per-mode) key to
                       the hardware, which derives the salt from it; the
                       crypto API's essiv(cbc(aes),sha256) does the same.
  9 Adiantum           32-byte key; Adiantum(XChaCha12, AES-256) over the
                       whole data unit with a 32-byte tweak = the DUN as a
                       little-endian number (blk-crypto's IV), by
                       scripts/adiantum.py: a second implementation written
                       from the Adiantum paper, ChaCha's and RFC 8439, checked
                       against the published vectors (--selftest).

Key derivation, as in Linux 6.12 and 7.3 fs/crypto/hkdf.c and keysetup.c:
  PRK      = HMAC-SHA512(salt = 64 zero bytes, master key)        (HKDF-Extract)
  T(i)     = HMAC-SHA512(PRK, T(i-1) || "fscrypt\\0" || ctx || info || i)
  key id   = ctx 1, info empty, 16 bytes
  (the length of a contents key is the mode's key size; mode = its number)
  (index   = the data unit's index in the file: lblk << (12 - log2_dus) + k)
  v2       = ctx 2 (PER_FILE_ENC_KEY), info = 16-byte file nonce; DUN = index
  INO_64   = ctx 4 (IV_INO_LBLK_64_KEY), info = mode || fs UUID;
             DUN = ino << 32 | index
  INO_32   = ctx 6 (IV_INO_LBLK_32_KEY), info = mode || fs UUID;
             DUN = (u32)(SipHash-2-4(k, le64(ino)) + index), k = ctx 7
             (INODE_HASH_KEY), info empty, 16 bytes read as two le64 words

The hardware KDF of hardware-wrapped keys (hw_wrapped_subkeys(): what the
hardware derives from a wrapped key's 32-byte raw key RAW): NIST SP 800-108
in counter mode, PRF AES-256-CMAC:
  KDF(L)   = first L bytes of K(1) || K(2) || ..., K(i) = AES-CMAC(RAW,
             be32(i) || label || 0x00 || context || be32(8 * L))
  label    = 00 00 40 00 00 00 00 00 00 00 20
  inline   = KDF(64), context "inline encryption key" || 00 00 00 00 00 00
             02 43 00 82 50 00 00 00 00: the AES-256-XTS contents key
  secret   = KDF(32), context "raw secret" || 00 00 00 00 00 00 00 00 00 02
             17 00 80 50 00 00 00 00: the software secret
(Android VTS "kdf1", as in xfstests' fscrypt-crypt-util; the self-test has
VTS's vector).

Hardware-wrapped keys in fscrypt (--hw-wrapped-key RAW: a raw key the guest
imported with BLKCRYPTOIMPORTKEY; Linux 7.3 fs/crypto/keyring.c
add_master_key(), keysetup.c setup_per_mode_enc_key() and
fscrypt_setup_v2_file_key()): fscrypt's HKDF above is keyed with the
software secret instead of a master key; key id = ctx 8
(KEY_IDENTIFIER_FOR_HW_WRAPPED_KEY), info empty, 16 bytes; IV_INO_LBLK_32's
SipHash key is ctx 7 as above.  Only IV_INO_LBLK_64 and IV_INO_LBLK_32
policies with AES-256-XTS can use such a key, and their contents key is the
inline key itself (no per-mode HKDF, no UUID); the DUNs are those above.
A file of another policy with a hardware-wrapped key is a failure: Linux
refuses it.

--opaque-key KEYID names a key the host cannot recompute (a
hardware-wrapped key generated inside the device): its UFSC-FS key
identifiers count as known, and its files are SKIPped after the check that
none of their blocks is in plaintext (the policy rules of hardware-wrapped
keys hold for them too).

Uses only the Python standard library, Debian's python3-cryptography (for
AES-XTS, AES-CBC, AES-CMAC and Adiantum's one AES block) and
scripts/adiantum.py.  Run with /usr/bin/python3.

  fscrypt-check.py --console console.log --image ext4=lu0.img --image f2fs=lu1.img
  [--key HEX]... [--hw-wrapped-key RAWHEX]... [--opaque-key KEYID]...
  [--expect-files N]
  fscrypt-check.py --selftest

Each file's master key is found by the key identifier on its UFSC-FILE line
among the given keys (default: the two demo keys of guest/init; the
hardware-wrapped and opaque keys come in addition to them).

Exit status 0 when every check passed.
"""

import argparse
import collections
import functools
import hashlib
import hmac
import io
import os
import re
import struct
import subprocess
import sys
import tempfile

try:
    from cryptography.hazmat.backends import default_backend
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.cmac import CMAC
except ImportError:  # pragma: no cover
    sys.exit("fscrypt-check: python3-cryptography is needed (run with /usr/bin/python3)")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adiantum  # noqa: E402  (scripts/adiantum.py, beside this file)

BLOCK = 4096
# The master keys of guest/init (test vectors): 00 01 .. 3f and 40 41 .. 7f.
DEMO_KEYS = [bytes(range(64)), bytes(range(64, 128))]
FSCRYPT_MODE_AES_256_XTS = 1
FSCRYPT_MODE_AES_128_CBC = 5
FSCRYPT_MODE_ADIANTUM = 9
# contents mode -> (name, key size)
CONTENTS_MODES = {
    FSCRYPT_MODE_AES_256_XTS: ("AES-256-XTS", 64),
    FSCRYPT_MODE_AES_128_CBC: ("AES-128-CBC-ESSIV", 16),
    FSCRYPT_MODE_ADIANTUM: ("Adiantum", 32),
}
FSCRYPT_POLICY_FLAG_IV_INO_LBLK_64 = 0x08
FSCRYPT_POLICY_FLAG_IV_INO_LBLK_32 = 0x10

HKDF_CONTEXT_KEY_IDENTIFIER = 1
HKDF_CONTEXT_PER_FILE_ENC_KEY = 2
HKDF_CONTEXT_IV_INO_LBLK_64_KEY = 4
HKDF_CONTEXT_IV_INO_LBLK_32_KEY = 6
HKDF_CONTEXT_INODE_HASH_KEY = 7
HKDF_CONTEXT_KEY_IDENTIFIER_FOR_HW_WRAPPED_KEY = 8

# The hardware KDF of hardware-wrapped keys, variant "kdf1" (Android VTS
# encryption/utils.cpp, the "v1" tables; xfstests src/fscrypt-crypt-util.c
# hw_kdf() and its two contexts): one label, a context per subkey.
HW_WRAPPED_KEY_RAW_LEN = 32
HW_KDF_LABEL = bytes.fromhex("0000400000000000000020")
HW_KDF_INLINE_KEY_CONTEXT = (b"inline encryption key" +
                             bytes.fromhex("000000000000024300825000000000"))
HW_KDF_SW_SECRET_CONTEXT = (b"raw secret" +
                            bytes.fromhex("000000000000000000021700805000000000"))


# --------------------------------------------------------------------------
# Key derivation

class Hkdf:
    """HKDF-SHA512 the way fs/crypto/hkdf.c uses it."""

    def __init__(self, master_key):
        self.prk = hmac.new(bytes(64), master_key, hashlib.sha512).digest()

    def expand(self, context, info, length):
        out, prev, counter = b"", b"", 1
        while len(out) < length:
            prev = hmac.new(self.prk, prev + b"fscrypt\0" + bytes([context]) + info +
                            bytes([counter]), hashlib.sha512).digest()
            out += prev
            counter += 1
        return out[:length]


def sp800_108_ctr_cmac(key, fixed, length):
    """NIST SP 800-108r1 KDF in counter mode, PRF AES-CMAC, r = 32:
    the first length bytes of K(1) || K(2) || ...,
    K(i) = AES-CMAC(key, [i]_32 || fixed), [i]_32 big endian."""
    out, i = b"", 1
    while len(out) < length:
        c = CMAC(algorithms.AES(key), backend=default_backend())
        c.update(struct.pack(">I", i) + fixed)
        out += c.finalize()
        i += 1
    return out[:length]


def sp800_108_cmac(key, label, context, length):
    """The same with the fixed input label || 0x00 || context || [L]_32,
    L the output length in bits (OpenSSL's KBKDF, python-cryptography's
    KBKDFCMAC with CounterLocation.BeforeFixed, rlen = llen = 4)."""
    return sp800_108_ctr_cmac(key, label + b"\0" + context +
                              struct.pack(">I", length * 8), length)


def hw_wrapped_subkeys(raw_key):
    """(inline encryption key, software secret) of a hardware-wrapped key's
    32-byte raw key: what the hardware derives, the 64-byte AES-256-XTS key
    with which it encrypts file contents and the 32-byte secret it returns
    to fscrypt (BLKCRYPTODERIVESWSECRET) to key HKDF with."""
    if len(raw_key) != HW_WRAPPED_KEY_RAW_LEN:
        raise ValueError("a hardware-wrapped key's raw key is %d bytes" %
                         HW_WRAPPED_KEY_RAW_LEN)
    return (sp800_108_cmac(raw_key, HW_KDF_LABEL, HW_KDF_INLINE_KEY_CONTEXT, 64),
            sp800_108_cmac(raw_key, HW_KDF_LABEL, HW_KDF_SW_SECRET_CONTEXT, 32))


MASK64 = (1 << 64) - 1


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & MASK64


def siphash24(k0, k1, data):
    """SipHash-2-4 (Aumasson and Bernstein), 64-bit output."""
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573

    def rounds(n):
        nonlocal v0, v1, v2, v3
        for _ in range(n):
            v0 = (v0 + v1) & MASK64; v1 = _rotl(v1, 13); v1 ^= v0; v0 = _rotl(v0, 32)
            v2 = (v2 + v3) & MASK64; v3 = _rotl(v3, 16); v3 ^= v2
            v0 = (v0 + v3) & MASK64; v3 = _rotl(v3, 21); v3 ^= v0
            v2 = (v2 + v1) & MASK64; v1 = _rotl(v1, 17); v1 ^= v2; v2 = _rotl(v2, 32)

    n = len(data)
    full = n - n % 8
    for i in range(0, full, 8):
        m = struct.unpack_from("<Q", data, i)[0]
        v3 ^= m
        rounds(2)
        v0 ^= m
    tail = data[full:] + bytes(7 - n % 8)
    b = ((n & 0xFF) << 56) | int.from_bytes(tail, "little")
    v3 ^= b
    rounds(2)
    v0 ^= b
    v2 ^= 0xFF
    rounds(4)
    return v0 ^ v1 ^ v2 ^ v3


def selftest():
    # SipHash-2-4 reference vector (paper, appendix A): key 00..0f, message 00..0e.
    k = bytes(range(16))
    k0, k1 = struct.unpack("<QQ", k)
    assert siphash24(k0, k1, bytes(range(15))) == 0xA129CA6149BE45E5, "SipHash self-test"
    # RFC 5869 has no SHA-512 vector; check HKDF-Extract/Expand structure against
    # the generic definition with an empty prefix instead.
    h = Hkdf(b"\x0b" * 22)
    t1 = hmac.new(h.prk, b"fscrypt\0" + b"\x05" + b"abc" + b"\x01", hashlib.sha512).digest()
    assert h.expand(5, b"abc", 64) == t1
    # IEEE P1619 XTS-AES-256 vector 10 (first 16 bytes), tweak = 0xff as le128.
    key = bytes.fromhex("2718281828459045235360287471352662497757247093699959574966967627"
                        "3141592653589793238462643383279502884197169399375105820974944592")
    pt = bytes(range(256)) * 2
    ct = xts_encrypt(key, 0xFF, pt)
    assert ct[:16].hex() == "1c3b3a102f770386e4836c99e370cf9b", "XTS self-test"
    # essiv(cbc(aes),sha256), Linux crypto/testmgr.h essiv_aes_cbc_tv_template[0]:
    # the IV there is the 64-bit sector number, little endian, 8 zero bytes.
    ct = essiv_cbc_encrypt(bytes.fromhex("06a9214036b8a15b512e03d534120006"),
                           0x30B49E9D42BAAF3D, b"Single block msg")
    assert ct.hex() == "fa59e75f415665c336ca6b72109f8cd4", "ESSIV self-test"
    # SP 800-108 counter mode, AES-256-CMAC: NIST CAVP KDFCTR_gen.rsp,
    # [PRF=CMAC_AES256] [CTRLOCATION=BEFORE_FIXED] [RLEN=32_BITS] COUNT=0.
    ko = sp800_108_ctr_cmac(
        bytes.fromhex("d0b1b3b70b2393c48ca05159e7e28cbeadea93f28a7cdae964e5136070c45d5c"),
        bytes.fromhex("dd2f151a3f173492a6fbbb602189d51ddf8ef79fc8e96b8fcbe6dabe73a35b48"
                      "104f9dff2d63d48786d2b3af177091d646a9efae005bdfacb61a1214"), 16)
    assert ko.hex() == "8c449fb474d1c1d4d2a33827103b656a", "SP 800-108 self-test"
    # The hardware KDF, label and contexts included: Android VTS
    # encryption/utils.cpp, TEST(UtilsTest, TestKdfVariants), "v1" (kdf1),
    # the all-zero raw key.
    inline_key, sw_secret = hw_wrapped_subkeys(bytes(32))
    assert inline_key.hex() == (
        "cbe5db40215a3d386d61e54ef2f8a7814b00bacf35b316f88e68e89a47abbab4"
        "834c27dac8a91ae1c3304f31b5f2202c14989661bafccc56cf6212d8b1f72691"), \
        "hardware-wrapped key self-test (inline encryption key)"
    assert sw_secret.hex() == (
        "e26fb19b4fb6266fc7c5fc9654efad643cfebc64c097341155195595c28d5ec9"), \
        "hardware-wrapped key self-test (software secret)"
    # Adiantum: the published vectors, from the table the unit test reads.
    log = io.StringIO()
    assert adiantum.selftest(out=log), "Adiantum self-test:\n" + log.getvalue()


def xts_encrypt(key, dun, data):
    enc = Cipher(algorithms.AES(key), modes.XTS(dun.to_bytes(16, "little")),
                 backend=default_backend()).encryptor()
    return enc.update(data) + enc.finalize()


def essiv_cbc_encrypt(key, dun, data):
    """essiv(cbc(aes),sha256): AES-CBC with IV = AES-256_{SHA-256(key)}(le128(DUN))."""
    salt = hashlib.sha256(key).digest()
    ecb = Cipher(algorithms.AES(salt), modes.ECB(), backend=default_backend()).encryptor()
    iv = ecb.update(dun.to_bytes(16, "little")) + ecb.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv), backend=default_backend()).encryptor()
    return enc.update(data) + enc.finalize()


@functools.lru_cache(maxsize=64)
def _adiantum(key):
    return adiantum.Adiantum(key)


def adiantum_encrypt(key, dun, data):
    """Adiantum over one data unit; the tweak is the DUN as 32 bytes, little endian."""
    return _adiantum(key).encrypt(dun.to_bytes(32, "little"), data)


# contents mode -> encrypt(key, dun, data unit), None where there is none here
ENCRYPT = {
    FSCRYPT_MODE_AES_256_XTS: xts_encrypt,
    FSCRYPT_MODE_AES_128_CBC: essiv_cbc_encrypt,
    FSCRYPT_MODE_ADIANTUM: adiantum_encrypt,
}


# --------------------------------------------------------------------------
# The plaintext pattern of guest/ufsc-guest.c

def pattern(off, length, seed):
    """Bytes [off, off+length) of SHA-256("ufsc" || le64(seed) || le64(i / 32))."""
    if length <= 0:
        return b""
    first, last = off // 32, (off + length - 1) // 32
    prefix = b"ufsc" + struct.pack("<Q", seed)
    buf = b"".join(hashlib.sha256(prefix + struct.pack("<Q", i)).digest()
                   for i in range(first, last + 1))
    start = off - first * 32
    return buf[start:start + length]


def sparse_has_data(blk, size):
    last = (size - 1) // BLOCK if size else 0
    return blk % 8 == 3 or blk == last


def expected_block(blk, size, seed, sparse):
    """The plaintext of data unit blk as it is encrypted: zeros past EOF."""
    off = blk * BLOCK
    n = max(0, min(BLOCK, size - off))
    if sparse and not sparse_has_data(blk, size):
        return bytes(BLOCK)
    return pattern(off, n, seed) + bytes(BLOCK - n)


# --------------------------------------------------------------------------
# Block maps

def run(cmd, cwd=None):
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if r.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), r.stderr.strip()[-300:]))
    return r.stdout


class Ext4Image:
    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            f.seek(1024)
            sb = f.read(1024)
        if struct.unpack_from("<H", sb, 0x38)[0] != 0xEF53:
            raise RuntimeError("%s: not an ext4 image" % path)
        self.block_size = 1024 << struct.unpack_from("<I", sb, 0x18)[0]
        self.uuid = sb[0x68:0x78]

    def block_map(self, ino):
        """{logical block: (physical block, initialized)} from debugfs."""
        out = run(["debugfs", "-R", "dump_extents -l <%d>" % ino, self.path])
        m = {}
        rx = re.compile(r"^\s*\d+/\s*\d+\s+\d+/\s*\d+\s+(\d+)\s*-\s*(\d+)\s+(\d+)\s*-\s*(\d+)\s+(\d+)\s*(.*)$")
        for line in out.splitlines():
            x = rx.match(line)
            if not x:
                continue
            l0, l1, p0, p1 = (int(x.group(i)) for i in range(1, 5))
            init = "Uninit" not in x.group(6)
            for i in range(l1 - l0 + 1):
                m[l0 + i] = (p0 + i, init)
        return m


F2FS_MAGIC = 0xF2F52010
NULL_ADDR, NEW_ADDR = 0, 0xFFFFFFFF


class F2fsImage:
    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            f.seek(1024)
            sb = f.read(1024)
        if struct.unpack_from("<I", sb, 0)[0] != F2FS_MAGIC:
            raise RuntimeError("%s: not an f2fs image" % path)
        self.block_size = 1 << struct.unpack_from("<I", sb, 16)[0]
        self.uuid = sb[108:124]
        self._nat = None

    def read_block(self, addr):
        with open(self.path, "rb") as f:
            f.seek(addr * self.block_size)
            return f.read(self.block_size)

    def nat(self):
        """nid -> block address, as dump.f2fs resolves it (NAT + journal)."""
        if self._nat is None:
            with tempfile.TemporaryDirectory() as d:
                run(["dump.f2fs", "-n", "0~-1", os.path.abspath(self.path)], cwd=d)
                with open(os.path.join(d, "dump_nat")) as f:
                    text = f.read()
            self._nat = {}
            for x in re.finditer(r"nid:\s*(\d+)\s+ino:\s*(\d+)\s+offset:\s*(\d+)\s+blkaddr:\s*(\d+)", text):
                self._nat[int(x.group(1))] = int(x.group(4))
        return self._nat

    def node(self, nid):
        addr = self.nat().get(nid)
        if not addr:
            raise RuntimeError("f2fs: nid %d has no block address" % nid)
        return self.read_block(addr)

    def block_map(self, ino):
        """{logical block: (physical block, True)} from the inode and its node blocks."""
        inode = self.node(ino)
        i_inline = inode[3]
        size = struct.unpack_from("<Q", inode, 16)[0]
        I_ADDR, N_ADDRS = 360, 923
        extra = 0
        xattr_addrs = 0
        if i_inline & 0x20:     # F2FS_EXTRA_ATTR
            extra = struct.unpack_from("<H", inode, I_ADDR)[0] // 4
            if i_inline & 0x01:
                xattr_addrs = struct.unpack_from("<H", inode, I_ADDR + 2)[0] or 50
        elif i_inline & 0x01:   # F2FS_INLINE_XATTR, default size
            xattr_addrs = 50
        if i_inline & 0x02:
            raise RuntimeError("f2fs: inode %d has inline data" % ino)
        addrs = struct.unpack_from("<%dI" % N_ADDRS, inode, I_ADDR)
        nids = struct.unpack_from("<5I", inode, I_ADDR + 4 * N_ADDRS)
        per_inode = N_ADDRS - extra - xattr_addrs
        per_block = 1018  # ADDRS_PER_BLOCK / NIDS_PER_BLOCK (no compression)
        m = {}

        def add(lblk, a):
            if a not in (NULL_ADDR, NEW_ADDR):
                m[lblk] = (a, True)

        for i in range(per_inode):
            add(i, addrs[extra + i])
        lblk = per_inode
        nblocks = (size + BLOCK - 1) // BLOCK

        def direct(nid, base):
            if nid:
                for i, a in enumerate(struct.unpack_from("<%dI" % per_block, self.node(nid), 0)):
                    add(base + i, a)

        def indirect(nid, base, depth):
            if not nid:
                return
            span = per_block ** depth
            for i, child in enumerate(struct.unpack_from("<%dI" % per_block, self.node(nid), 0)):
                if base + i * span >= nblocks:
                    break
                if depth == 1:
                    direct(child, base + i * span)
                else:
                    indirect(child, base + i * span, depth - 1)

        direct(nids[0], lblk); lblk += per_block
        direct(nids[1], lblk); lblk += per_block
        indirect(nids[2], lblk, 1); lblk += per_block ** 2
        indirect(nids[3], lblk, 1); lblk += per_block ** 2
        indirect(nids[4], lblk, 2)
        return m, size


# --------------------------------------------------------------------------

# A key a file's key identifier names: kind "raw" (a master key: --key or the
# demo keys), "hw-wrapped" (--hw-wrapped-key; inline_key is the contents key
# of its IV_INO_LBLK policies) or "opaque" (--opaque-key: nothing is known);
# hkdf is fscrypt's HKDF, ino_hash_key IV_INO_LBLK_32's SipHash key.
MasterKey = collections.namedtuple("MasterKey", "kind hkdf ino_hash_key inline_key")


def parse_console(path):
    fss, files = {}, []
    kv = re.compile(r"(\w+)=(\S+)")
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace").replace("\r", "").strip()
            i = line.find("UFSC-FS ")
            if i >= 0:
                d = dict(kv.findall(line[i:]))
                fss[d.get("fs")] = d
                continue
            i = line.find("UFSC-FILE ")
            if i >= 0:
                d = dict(kv.findall(line[i:]))
                need = ("fs", "policy", "phase", "path", "seed", "sparse", "ino", "size",
                        "flags", "log2_dus", "key", "nonce")
                if all(k in d for k in need):
                    files.append(d)
                else:
                    files.append({"malformed": line})
    return fss, files


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--console", help="serial console log with UFSC-FS/UFSC-FILE lines (required)")
    ap.add_argument("--image", action="append", default=[], metavar="FS=PATH",
                    help="raw image of a file system (ext4=..., f2fs=...)")
    ap.add_argument("--key", action="append", default=[],
                    help="a master key, 128 hex digits (default: the demo keys 00..3f and 40..7f)")
    ap.add_argument("--hw-wrapped-key", action="append", default=[], metavar="RAWHEX",
                    help="the raw key, 64 hex digits, of a key the guest imported as a "
                    "hardware-wrapped key (in addition to the --key or demo keys)")
    ap.add_argument("--opaque-key", action="append", default=[], metavar="KEYID",
                    help="the key identifier, 32 hex digits, of a key the host cannot "
                    "recompute (generated inside the device): its files are skipped")
    ap.add_argument("--expect-files", type=int, help="fail unless this many UFSC-FILE lines")
    ap.add_argument("--selftest", action="store_true",
                    help="only run the known-answer tests of the host's primitives")
    args = ap.parse_args()

    selftest()
    if args.selftest:
        print("fscrypt-check: self-test passed")
        return 0
    if not args.console:
        ap.error("--console is required")
    try:
        masters = [bytes.fromhex(k) for k in args.key] if args.key else DEMO_KEYS
        wrapped = [bytes.fromhex(k) for k in args.hw_wrapped_key]
        opaque = [bytes.fromhex(k) for k in args.opaque_key]
    except ValueError as e:
        sys.exit("fscrypt-check: a key is not hex: %s" % e)
    if any(len(m) != 64 for m in masters):
        sys.exit("fscrypt-check: a master key must be 64 bytes")
    if any(len(w) != HW_WRAPPED_KEY_RAW_LEN for w in wrapped):
        sys.exit("fscrypt-check: a hardware-wrapped key's raw key must be %d bytes"
                 % HW_WRAPPED_KEY_RAW_LEN)
    if any(len(o) != 16 for o in opaque):
        sys.exit("fscrypt-check: a key identifier must be 16 bytes")
    # key identifier -> MasterKey
    keys = {}
    for m in masters:
        h = Hkdf(m)
        keys[h.expand(HKDF_CONTEXT_KEY_IDENTIFIER, b"", 16).hex()] = MasterKey(
            "raw", h, struct.unpack("<QQ", h.expand(HKDF_CONTEXT_INODE_HASH_KEY, b"", 16)),
            None)
    # A hardware-wrapped key (fs/crypto/keyring.c add_master_key()): fscrypt's
    # HKDF is keyed with the software secret, and the key identifier has a
    # context of its own.
    for w in wrapped:
        inline_key, sw_secret = hw_wrapped_subkeys(w)
        h = Hkdf(sw_secret)
        keys[h.expand(HKDF_CONTEXT_KEY_IDENTIFIER_FOR_HW_WRAPPED_KEY, b"", 16).hex()] = MasterKey(
            "hw-wrapped", h,
            struct.unpack("<QQ", h.expand(HKDF_CONTEXT_INODE_HASH_KEY, b"", 16)), inline_key)
    for o in opaque:
        keys.setdefault(o.hex(), MasterKey("opaque", None, None, None))
    known_as = {
        "raw": "the one of a known master key",
        "hw-wrapped": "the one of a known hardware-wrapped key",
        "opaque": "an opaque key's (--opaque-key)",
    }
    passed = failed = skipped = 0
    units_ok = units_bad = 0

    def result(ok, msg):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
        print("%s %s" % ("PASS" if ok else "FAIL", msg))

    images = {}
    for spec in args.image:
        fs, _, path = spec.partition("=")
        if fs not in ("ext4", "f2fs"):
            sys.exit("fscrypt-check: unknown file system %s (ext4 or f2fs)" % fs)
        try:
            img = Ext4Image(path) if fs == "ext4" else F2fsImage(path)
            if img.block_size != BLOCK:
                raise RuntimeError("block size %d, only %d is handled" % (img.block_size, BLOCK))
            images[fs] = img
        except (OSError, RuntimeError) as e:
            result(False, "image %s: %s" % (spec, e))

    fss, files = parse_console(args.console)
    if args.expect_files is not None:
        result(len(files) == args.expect_files,
               "console reports %d files (expected %d)" % (len(files), args.expect_files))

    for fs, img in images.items():
        info = fss.get(fs)
        if not info:
            result(False, "%s: no UFSC-FS line on the console" % fs)
            continue
        for field in ("keyid", "keyid2"):
            if field in info:
                result(info[field] in keys,
                       "%s: key identifier %s is %s" % (fs, info[field],
                       known_as[keys[info[field]].kind] if info[field] in keys else
                       "not derived from any given master key (host computes %s)" % ", ".join(keys)))
        result(info.get("uuid") == img.uuid.hex(),
               "%s: fs UUID %s (image superblock has %s)" % (fs, info.get("uuid"), img.uuid.hex()))

    for d in files:
        if "malformed" in d:
            result(False, "malformed console line: %s" % d["malformed"][:200])
            continue
        fs, policy = d["fs"], d["policy"]
        ino, size, seed = int(d["ino"]), int(d["size"]), int(d["seed"])
        sparse = d["sparse"] == "1"
        flags = int(d.get("flags", "0x03"), 16)
        cmode = int(d.get("contents", str(FSCRYPT_MODE_AES_256_XTS)))
        log2_dus = int(d.get("log2_dus", "0"))
        dus = 1 << log2_dus if log2_dus else BLOCK
        name = "%s %s %s %s ino=%d size=%d" % (fs, policy, d["phase"], d["path"], ino, size)
        if cmode not in CONTENTS_MODES:
            result(False, "%s: unsupported contents mode %d" % (name, cmode))
            continue
        mode_name, keysize = CONTENTS_MODES[cmode]
        encrypt = ENCRYPT[cmode]
        name += " " + mode_name
        mode = bytes([cmode])
        img = images.get(fs)
        if img is None:
            if fs not in [s.partition("=")[0] for s in args.image]:
                skipped += 1
                print("SKIP %s: no image given" % name)
            else:
                result(False, "%s: image unreadable" % name)
            continue
        uuid = img.uuid
        if d["key"] not in keys:
            result(False, "%s: master key %s is not among the given keys" % (name, d["key"]))
            continue
        mk = keys[d["key"]]
        hkdf = mk.hkdf
        # The DUN of a data unit from its index in the file (fscrypt_generate_iv).
        if dus > BLOCK or BLOCK % dus:
            result(False, "%s: unsupported data unit size %d" % (name, dus))
            continue
        if flags & ~0x1B:
            result(False, "%s: unsupported policy flags 0x%02x" % (name, flags))
            continue
        skip_reason = None
        if mk.kind != "raw":
            # A hardware-wrapped key (an opaque key is one the device
            # generated): fscrypt_setup_v2_file_key() refuses any other
            # policy, and the hardware's inline key is an AES-256-XTS key.
            if not flags & (FSCRYPT_POLICY_FLAG_IV_INO_LBLK_64 |
                            FSCRYPT_POLICY_FLAG_IV_INO_LBLK_32):
                result(False, "%s: key %s is a hardware-wrapped key, which Linux refuses for "
                       "policy flags 0x%02x (IV_INO_LBLK_64 or IV_INO_LBLK_32 only)"
                       % (name, d["key"], flags))
                continue
            if cmode != FSCRYPT_MODE_AES_256_XTS:
                result(False, "%s: key %s is a hardware-wrapped key, whose inline key is "
                       "AES-256-XTS only" % (name, d["key"]))
                continue
        if mk.kind == "opaque":
            # No key, no DUN: only make sure that nothing is in plaintext.
            encrypt, key, dun_of = None, None, lambda index: 0
            skip_reason = ("key %s is opaque (--opaque-key: generated inside the device, "
                           "never seen raw), the host cannot recompute the ciphertext" % d["key"])
        elif flags & FSCRYPT_POLICY_FLAG_IV_INO_LBLK_64:
            if mk.kind == "hw-wrapped":
                key = mk.inline_key
            else:
                key = hkdf.expand(HKDF_CONTEXT_IV_INO_LBLK_64_KEY, mode + uuid, keysize)
            dun_of = lambda index, ino=ino: (ino << 32) | index
        elif flags & FSCRYPT_POLICY_FLAG_IV_INO_LBLK_32:
            if mk.kind == "hw-wrapped":
                key = mk.inline_key
            else:
                key = hkdf.expand(HKDF_CONTEXT_IV_INO_LBLK_32_KEY, mode + uuid, keysize)
            k0, k1 = mk.ino_hash_key
            hashed = siphash24(k0, k1, struct.pack("<Q", ino)) & 0xFFFFFFFF
            dun_of = lambda index, h=hashed: (h + index) & 0xFFFFFFFF
        else:
            key = hkdf.expand(HKDF_CONTEXT_PER_FILE_ENC_KEY, bytes.fromhex(d["nonce"]),
                              keysize)
            dun_of = lambda index: index
        per_block = BLOCK // dus
        try:
            if fs == "ext4":
                bmap = img.block_map(ino)
            else:
                bmap, isize = img.block_map(ino)
                if isize != size:
                    result(False, "%s: f2fs inode has i_size %d" % (name, isize))
                    continue
        except RuntimeError as e:
            result(False, "%s: %s" % (name, e))
            continue

        nblocks = (size + BLOCK - 1) // BLOCK
        ok_units = bad_units = 0
        problems = []
        extra = sorted(b for b in bmap if b >= nblocks)
        if extra:
            problems.append("blocks mapped past EOF: %s" % extra[:5])
        with open(img.path, "rb") as f:
            for lblk in range(nblocks):
                hole = sparse and not sparse_has_data(lblk, size)
                ent = bmap.get(lblk)
                if ent is None:
                    if hole:
                        continue
                    bad_units += 1
                    problems.append("data block %d is not mapped" % lblk)
                    continue
                phys, init = ent
                if not init:
                    if hole:
                        continue
                    bad_units += 1
                    problems.append("data block %d is unwritten" % lblk)
                    continue
                f.seek(phys * img.block_size)
                got = f.read(BLOCK)
                plain = expected_block(lblk, size, seed, sparse)
                if encrypt is None:
                    # No independent implementation: only make sure that no
                    # data unit went to the medium in plaintext.
                    clear = [k for k in range(per_block)
                             if got[k * dus:(k + 1) * dus] == plain[k * dus:(k + 1) * dus]]
                    if clear:
                        bad_units += 1
                        if len(problems) < 4:
                            problems.append("block %d (phys %d): %d data unit(s) in plaintext on disk!"
                                            % (lblk, phys, len(clear)))
                    else:
                        ok_units += 1
                    continue
                want = b"".join(encrypt(key, dun_of(lblk * per_block + k),
                                        plain[k * dus:(k + 1) * dus])
                                for k in range(per_block))
                if got == want:
                    ok_units += 1
                else:
                    bad_units += 1
                    if len(problems) < 4:
                        what = "plaintext on disk!" if got == plain else "ciphertext differs"
                        problems.append("block %d (phys %d, first DUN 0x%x, %d-byte units): %s" %
                                        (lblk, phys, dun_of(lblk * per_block), dus, what))
        if encrypt is None and bad_units == 0 and not problems:
            skipped += 1
            if skip_reason:
                print("SKIP %s: %s; %d blocks are not plaintext" % (name, skip_reason, ok_units))
                continue
            print("SKIP %s: no independent %s implementation on the host; %d blocks are not "
                  "plaintext, the guest's software fscrypt cross-checks the ciphertext"
                  % (name, mode_name, ok_units))
            continue
        if encrypt is not None:
            units_ok += ok_units
        units_bad += bad_units
        ok = bad_units == 0 and not problems
        msg = "%s: %d blocks of %d-byte data units, %d passed, %d failed" % (
            name, ok_units + bad_units, dus, ok_units, bad_units)
        if problems:
            msg += "; " + "; ".join(problems[:4])
        result(ok, msg)

    print("blocks: %d passed, %d failed" % (units_ok, units_bad))
    print("fscrypt-check: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
