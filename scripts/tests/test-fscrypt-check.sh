#!/usr/bin/env bash
# test-fscrypt-check.sh: the hardware-wrapped keys of scripts/fscrypt-check.py.
#  - its self-test passes (it has Android VTS's "kdf1" vector of the
#    hardware KDF and a NIST CAVP SP 800-108 vector), and fails with a
#    wrong label or either context changed to what xfstests had before its
#    SM8650 fix (\x03 for \x02);
#  - its SP 800-108 KDF against python-cryptography's KBKDFCMAC on random
#    keys, labels, contexts and lengths, and its two subkeys against
#    "openssl kdf ... KBKDF" (OpenSSL 3);
#  - a synthetic case: an ext4 image (mkfs.ext4, debugfs) with files
#    encrypted here with keys that "openssl kdf" derives (KBKDF for the
#    hardware subkeys, HKDF-SHA512 for fscrypt's key identifiers, SipHash key
#    and per-mode key), and a console log; the check must pass the files of
#    a hardware-wrapped key with IV_INO_LBLK_64 and IV_INO_LBLK_32 and of a
#    raw key, skip an opaque key's, and fail a wrapped key under a per-file
#    policy, an opaque key's file in plaintext and a wrapped key's file
#    encrypted with an HKDF per-mode key.  Without the new options, the
#    wrapped key's files fail and the raw key's still pass.
# Only AES-XTS itself and SipHash (for IV_INO_LBLK_32's hashed inode
# number) come from python-cryptography and the checker: both have their own
# known answers in the self-test.  Needs python3-cryptography, e2fsprogs and
# openssl (installed by run-host-tests.sh).  TAP on stdout.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
chk=$top/scripts/fscrypt-check.py
py=/usr/bin/python3
# shellcheck source-path=SCRIPTDIR source=tap.sh
source "$top/scripts/tests/tap.sh"
skip() { # skip DESCRIPTION REASON
    n=$((n + 1))
    echo "ok $n - $1 # SKIP $2"
}

# The checker as a module (its file name has a dash): "from fcload import fc".
cat > "$tmp/fcload.py" <<'PY'
import importlib.util
import os
spec = importlib.util.spec_from_file_location("fscrypt_check", os.environ["CHK"])
fc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fc)
PY
export CHK=$chk PYTHONPATH=$tmp

t "fscrypt-check.py --selftest passes" $py "$chk" --selftest

# mutant NAME EXPR: the self-test must fail with NAME = EXPR (evaluated in
# the module's namespace).
mutant() {
    $py - "$1" "$2" <<'PY'
import sys
from fcload import fc
setattr(fc, sys.argv[1], eval(sys.argv[2], vars(fc)))
try:
    fc.selftest()
except AssertionError as e:
    print("the self-test fails as it must:", e)
    sys.exit(0)
sys.exit("the self-test passed with %s = %s" % (sys.argv[1], sys.argv[2]))
PY
}
t "a wrong label fails the self-test" \
    mutant HW_KDF_LABEL 'bytes.fromhex("0000400000000000000010")'
t "an empty label fails the self-test" mutant HW_KDF_LABEL 'b""'
t "the old inline key context (03 43) fails the self-test" \
    mutant HW_KDF_INLINE_KEY_CONTEXT 'HW_KDF_INLINE_KEY_CONTEXT.replace(b"\x02\x43", b"\x03\x43")'
t "the old software secret context (03 17) fails the self-test" \
    mutant HW_KDF_SW_SECRET_CONTEXT 'HW_KDF_SW_SECRET_CONTEXT.replace(b"\x02\x17", b"\x03\x17")'
t "swapped contexts fail the self-test" \
    mutant HW_KDF_INLINE_KEY_CONTEXT 'HW_KDF_SW_SECRET_CONTEXT'

kbkdfcmac() {
    $py - <<'PY'
import os
from fcload import fc
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.kdf.kbkdf import CounterLocation, KBKDFCMAC, Mode

def ref(key, label, context, length):
    return KBKDFCMAC(algorithm=algorithms.AES, mode=Mode.CounterMode, length=length,
                     rlen=4, llen=4, location=CounterLocation.BeforeFixed,
                     label=label, context=context, fixed=None,
                     backend=default_backend()).derive(key)

n = 0
for i in range(40):
    key = os.urandom((16, 24, 32)[i % 3])
    label, context = os.urandom(i % 13), os.urandom(i * 7 % 41)
    length = 1 + (i * 11) % 100
    assert fc.sp800_108_cmac(key, label, context, length) == ref(key, label, context, length), \
        (key.hex(), label.hex(), context.hex(), length)
    n += 1
for i in range(20):
    raw = bytes(32) if i == 0 else os.urandom(32)
    inline_key, sw_secret = fc.hw_wrapped_subkeys(raw)
    assert inline_key == ref(raw, fc.HW_KDF_LABEL, fc.HW_KDF_INLINE_KEY_CONTEXT, 64), raw.hex()
    assert sw_secret == ref(raw, fc.HW_KDF_LABEL, fc.HW_KDF_SW_SECRET_CONTEXT, 32), raw.hex()
    n += 1
print("%d derivations agree" % n)
PY
}
t "the KDF agrees with python-cryptography's KBKDFCMAC" kbkdfcmac

# The label and contexts, spelled out here as VTS and xfstests write them.
LABEL=0000400000000000000020
CTX_INLINE=$(printf 'inline encryption key' | xxd -p | tr -d '\n')000000000000024300825000000000
CTX_SECRET=$(printf 'raw secret' | xxd -p | tr -d '\n')000000000000000000021700805000000000
# ossl_kbkdf RAWHEX LEN CONTEXTHEX, ossl_hkdf KEYHEX CTX INFOHEX LEN: hex
ossl_kbkdf() {
    openssl kdf -keylen "$2" -kdfopt mac:CMAC -kdfopt cipher:AES-256-CBC \
        -kdfopt "hexkey:$1" -kdfopt "hexsalt:$LABEL" -kdfopt "hexinfo:$3" KBKDF |
        tr -d ':\n' | tr 'A-F' 'a-f'
}
ossl_hkdf() { # fscrypt's HKDF: info = "fscrypt\0" || context byte || info
    openssl kdf -keylen "$4" -kdfopt digest:SHA2-512 -kdfopt "hexkey:$1" \
        -kdfopt "hexinfo:6673637279707400$2$3" HKDF | tr -d ':\n' | tr 'A-F' 'a-f'
}
subkeys() { # the checker's inline key and software secret, one line
    $py - "$1" <<'PY'
import sys
from fcload import fc
print(" ".join(k.hex() for k in fc.hw_wrapped_subkeys(bytes.fromhex(sys.argv[1]))))
PY
}
openssl_agrees() {
    local raw want got
    for raw in "$(printf '00%.0s' {1..32})" \
               000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f \
               "$(head -c 32 /dev/urandom | xxd -p -c 32)"; do
        want="$(ossl_kbkdf "$raw" 64 "$CTX_INLINE") $(ossl_kbkdf "$raw" 32 "$CTX_SECRET")"
        got=$(subkeys "$raw")
        echo "raw $raw"
        echo "  openssl       $want"
        echo "  fscrypt-check $got"
        [ "$want" = "$got" ] || return 1
    done
    # and OpenSSL has VTS's vector too, so the options above mean what they say
    [ "$(ossl_kbkdf "$(printf '00%.0s' {1..32})" 32 "$CTX_SECRET")" = \
      e26fb19b4fb6266fc7c5fc9654efad643cfebc64c097341155195595c28d5ec9 ]
}
if openssl kdf -help > /dev/null 2>&1; then
    t "the subkeys agree with openssl kdf KBKDF" openssl_agrees
else
    skip "the subkeys agree with openssl kdf KBKDF" "no OpenSSL 3 openssl kdf"
fi

# ---- a synthetic image ------------------------------------------------------
if ! command -v mkfs.ext4 > /dev/null || ! command -v debugfs > /dev/null ||
   ! openssl kdf -help > /dev/null 2>&1; then
    skip "synthetic ext4 case" "needs mkfs.ext4, debugfs and openssl kdf"
    echo "1..$n"
    [ "$failed" = 0 ]
    exit
fi

UUID=0123456789abcdeffedcba9876543210
WRAPPED=a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf
OPAQUE=00112233445566778899aabbccddeeff
DEMO=$(printf '%02x' $(seq 0 63))      # guest/init's first demo key
INLINE=$(ossl_kbkdf "$WRAPPED" 64 "$CTX_INLINE")
SECRET=$(ossl_kbkdf "$WRAPPED" 32 "$CTX_SECRET")
W_KEYID=$(ossl_hkdf "$SECRET" 08 "" 16)
W_INOHASH=$(ossl_hkdf "$SECRET" 07 "" 16)
W_PERMODE=$(ossl_hkdf "$SECRET" 04 "01$UUID" 64)   # what a raw key would use
R_KEYID=$(ossl_hkdf "$DEMO" 01 "" 16)
R_PERMODE=$(ossl_hkdf "$DEMO" 04 "01$UUID" 64)

img=$tmp/lu0.img
make_image() {
    truncate -s 16M "$img" &&
    mkfs.ext4 -q -F -b 4096 -O ^has_journal -U "${UUID:0:8}-${UUID:8:4}-${UUID:12:4}-${UUID:16:4}-${UUID:20}" "$img"
}
t "mkfs.ext4 makes the image" make_image

# gen NAME POLICY SEED SIZE FLAGS KEYID HOW [KEYHEX [SIPKEYHEX]]: write file
# /NAME, then its blocks, and print its UFSC-FILE line.  HOW: xts64 or xts32
# (encrypted with KEYHEX, DUNs of IV_INO_LBLK_64/32), plain, random.
gen() {
    $py - "$img" "$tmp" "$@" <<'PY'
import hashlib, os, re, struct, subprocess, sys
from fcload import fc
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
img, tmp, name, policy, seed, size, flags, keyid, how = sys.argv[1:10]
keyhex = sys.argv[10] if len(sys.argv) > 10 else ""
siphex = sys.argv[11] if len(sys.argv) > 11 else ""
seed, size = int(seed), int(size)

def pattern(n):   # guest/ufsc-guest.c: SHA-256("ufsc" || le64(seed) || le64(i / 32))
    return b"".join(hashlib.sha256(b"ufsc" + struct.pack("<QQ", seed, i)).digest()
                    for i in range((n + 31) // 32))[:n]

def debugfs(*cmds, write=False):
    args = ["debugfs"] + (["-w"] if write else [])
    for c in cmds:
        args += ["-R", c]
    return subprocess.run(args + [img], check=True, capture_output=True, text=True).stdout

nblocks = (size + 4095) // 4096
with open(os.path.join(tmp, "placeholder"), "wb") as f:
    f.write(b"\xff" * size)          # not zeros: debugfs would make holes
debugfs("write %s %s" % (os.path.join(tmp, "placeholder"), name), write=True)
ino = int(re.search(r"Inode:\s*(\d+)", debugfs("stat /" + name)).group(1))
phys = [int(b) for b in debugfs("blocks /" + name).split()]
assert len(phys) == nblocks, phys
plain = pattern(size) + bytes(nblocks * 4096 - size)
if how == "plain":
    data = plain
elif how == "random":
    data = os.urandom(len(plain))
else:
    key = bytes.fromhex(keyhex)
    if how == "xts64":
        dun = lambda i: ino << 32 | i
    else:
        k0, k1 = struct.unpack("<QQ", bytes.fromhex(siphex))
        h = fc.siphash24(k0, k1, struct.pack("<Q", ino)) & 0xFFFFFFFF
        dun = lambda i: (h + i) & 0xFFFFFFFF
    data = b""
    for i in range(nblocks):
        enc = Cipher(algorithms.AES(key), modes.XTS(dun(i).to_bytes(16, "little")),
                     backend=default_backend()).encryptor()
        data += enc.update(plain[i * 4096:(i + 1) * 4096]) + enc.finalize()
with open(img, "r+b") as f:
    for i, p in enumerate(phys):
        f.seek(p * 4096)
        f.write(data[i * 4096:(i + 1) * 4096])
print("UFSC-FILE fs=ext4 policy=%s phase=hw path=/%s seed=%d sparse=0 ino=%d size=%d "
      "blocks512=%d contents=1 filenames=4 flags=%s log2_dus=0 key=%s nonce=%s"
      % (policy, name, seed, ino, size, nblocks * 8, flags, keyid, os.urandom(16).hex()))
PY
}

good=$tmp/good.log bad=$tmp/bad.log
make_console() {
    echo "UFSC-FS fs=ext4 lun=0 dev=sda uuid=$UUID keyid=$W_KEYID keyid2=$OPAQUE" > "$good"
    gen w64 hwwrap-64 1 10000 0x0b "$W_KEYID" xts64 "$INLINE" >> "$good" &&
    gen w32 hwwrap-32 2 8197 0x13 "$W_KEYID" xts32 "$INLINE" "$W_INOHASH" >> "$good" &&
    gen r64 ino64 3 5000 0x0b "$R_KEYID" xts64 "$R_PERMODE" >> "$good" &&
    gen op hwgen-64 4 6000 0x0b "$OPAQUE" random >> "$good" &&
    cp "$good" "$bad" &&
    gen wv2 hwwrap-v2 5 4096 0x03 "$W_KEYID" random >> "$bad" &&
    gen opplain hwgen-32 6 4096 0x13 "$OPAQUE" plain >> "$bad" &&
    gen wbad hwwrap-hkdf 7 4096 0x0b "$W_KEYID" xts64 "$W_PERMODE" >> "$bad"
}
t "the image gets its files and the console its lines" make_console

check() { # check CONSOLE EXPECTED-STATUS ARGS...: run the check, keep its output
    local console=$1 want=$2 rc; shift 2
    $py "$chk" --console "$console" --image "ext4=$img" "$@" > "$tmp/check.out" 2>&1
    rc=$?
    cat "$tmp/check.out"
    [ "$rc" = "$want" ]
}
has() { grep -E -- "$1" "$tmp/check.out"; }
count() { [ "$(grep -cE -- "$2" "$tmp/check.out")" = "$1" ]; }   # count N REGEX
wrapped_opts=(--hw-wrapped-key "$WRAPPED" --opaque-key "$OPAQUE")

t "the good files: exit status 0" check "$good" 0 "${wrapped_opts[@]}" --expect-files 4
t "  7 passed (3 files, 2 key ids, UUID, file count), 1 skipped" has '^fscrypt-check: 7 passed, 0 failed, 1 skipped$'
t "  the wrapped key's identifier is known" \
    has "^PASS ext4: key identifier $W_KEYID is the one of a known hardware-wrapped key$"
t "  the opaque key's identifier is known" \
    has "^PASS ext4: key identifier $OPAQUE is an opaque key's"
t "  IV_INO_LBLK_64 with the wrapped key passes" \
    has '^PASS ext4 hwwrap-64 hw /w64 .*: 3 blocks of 4096-byte data units, 3 passed, 0 failed$'
t "  IV_INO_LBLK_32 with the wrapped key passes" \
    has '^PASS ext4 hwwrap-32 hw /w32 .*: 3 blocks of 4096-byte data units, 3 passed, 0 failed$'
t "  the raw key's file passes" \
    has '^PASS ext4 ino64 hw /r64 .*: 2 blocks of 4096-byte data units, 2 passed, 0 failed$'
t "  the opaque key's file is skipped, with the reason" \
    has "^SKIP ext4 hwgen-64 hw /op .*: key $OPAQUE is opaque .*; 2 blocks are not plaintext$"
t "  blocks: 8 passed" has '^blocks: 8 passed, 0 failed$'

t "the bad files: exit status 1" check "$bad" 1 "${wrapped_opts[@]}"
t "  6 passed, 3 failed, 1 skipped" has '^fscrypt-check: 6 passed, 3 failed, 1 skipped$'
t "  a wrapped key under a per-file policy fails" \
    has '^FAIL ext4 hwwrap-v2 hw /wv2 .*: key [0-9a-f]{32} is a hardware-wrapped key, which Linux refuses for policy flags 0x03'
t "  an opaque key's file in plaintext fails" \
    has '^FAIL ext4 hwgen-32 hw /opplain .*: 1 blocks of 4096-byte data units, 0 passed, 1 failed; block 0 .*plaintext on disk!'
t "  a wrapped key's file encrypted with an HKDF per-mode key fails" \
    has '^FAIL ext4 hwwrap-hkdf hw /wbad .*ciphertext differs$'

t "without --hw-wrapped-key and --opaque-key: exit status 1" check "$good" 1
t "  the raw key's file still passes" has '^PASS ext4 ino64 hw /r64 '
t "  the wrapped key's files fail" \
    count 2 '^FAIL ext4 hwwrap-.*master key [0-9a-f]{32} is not among the given keys$'
t "  so do both identifiers of the UFSC-FS line" \
    count 2 '^FAIL ext4: key identifier .* not derived from any given master key'

t "another raw key for the wrapped one: its files fail" \
    check "$good" 1 --hw-wrapped-key "$(printf '11%.0s' {1..32})" --opaque-key "$OPAQUE"
t "a raw key of 31 bytes is refused" \
    check "$good" 1 --hw-wrapped-key "$(printf '11%.0s' {1..31})"
t "  with a message" has 'must be 32 bytes'

tap_end
