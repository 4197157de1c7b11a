// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ufsc-guest: the guest-side helper of the ufs-crypto end-to-end test.
 *
 * A small static program that drives fscrypt through its ioctls (only the
 * kernel UAPI headers are used) and writes and verifies deterministic file
 * contents, so that the host can recompute the expected ciphertext.
 *
 *   ufsc-guest add-key MNT [HEXKEY]            add a v2 master key (default:
 *                                              the demo key 00 01 .. 3f);
 *                                              prints the key identifier
 *   ufsc-guest add-wrapped-key MNT EPHHEX      add a hardware-wrapped master key
 *                                              (FSCRYPT_ADD_KEY_FLAG_HW_WRAPPED), in
 *                                              ephemerally-wrapped form; prints
 *                                              the key identifier
 *   ufsc-guest import-key DEV RAWHEX           BLKCRYPTOIMPORTKEY: prints the
 *                                              long-term wrapped key (hex)
 *   ufsc-guest generate-key DEV                BLKCRYPTOGENERATEKEY: prints the
 *                                              long-term wrapped key (hex)
 *   ufsc-guest prepare-key DEV LTHEX           BLKCRYPTOPREPAREKEY: prints the
 *                                              ephemerally-wrapped key (hex)
 *   ufsc-guest remove-key MNT KEYID            FS_IOC_REMOVE_ENCRYPTION_KEY
 *   ufsc-guest key-status MNT KEYID            FS_IOC_GET_ENCRYPTION_KEY_STATUS
 *   ufsc-guest set-policy DIR KEYID [FLAG...]  v2 policy, AES-256-XTS contents,
 *                                              AES-256-CTS names; FLAG is one of
 *                                              iv_ino_lblk_64 iv_ino_lblk_32
 *                                              direct_key pad4..pad32
 *                                              dus=BYTES (crypto data unit size)
 *                                              or a mode pair: essiv
 *                                              (AES-128-CBC-ESSIV contents,
 *                                              AES-128-CBC-CTS names), adiantum
 *                                              (Adiantum both), xts (default)
 *   ufsc-guest get-policy PATH                 FS_IOC_GET_ENCRYPTION_POLICY_EX
 *   ufsc-guest nonce FILE                      the 16-byte file nonce, in hex
 *   ufsc-guest uuid PATH                       the fs UUID fscrypt uses (hex)
 *   ufsc-guest info FILE                       ino=N size=N blocks512=N
 *                                              contents=N filenames=N
 *                                              flags=0xNN log2_dus=N key=KEYID
 *                                              nonce=HEX
 *   ufsc-guest write FILE SIZE SEED [sparse]   write the pattern and fsync
 *   ufsc-guest verify FILE SIZE SEED [sparse]  read back and compare
 *   ufsc-guest pattern SIZE SEED [sparse]      the expected plaintext on stdout
 *   ufsc-guest seed STRING                     a seed from a name: 32-bit FNV-1a
 *   ufsc-guest wait-disks PREFIX N SECONDS     wait until /sys/class/block holds N
 *                                              disks PREFIX<digits> (see there)
 *
 * The pattern: byte i of a file is byte (i mod 32) of
 * SHA-256("ufsc" || le64(SEED) || le64(i / 32)).  In the sparse variant only
 * the 4096-byte blocks b with b % 8 == 3, and the last block, hold data; the
 * rest are holes that read as zeros.  scripts/fscrypt-check.py implements
 * the same definition.
 *
 * write and verify print "UFSC-PERF op=... bytes=N usec=N MBps=X"; the
 * pattern is generated before (write) or compared after (verify) the timed
 * part, so that the figures are the file system and device throughput.
 *
 * Exit status: 0 ok, 1 failure (mismatch, ioctl error), 2 usage.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <linux/fs.h>
#include <linux/fscrypt.h>
#include <scsi/sg.h>

/* Linux 6.15+ (hardware-wrapped keys); the host's UAPI headers may lack them. */
#ifndef BLKCRYPTOIMPORTKEY
struct blk_crypto_import_key_arg {
	__u64 raw_key_ptr;
	__u64 raw_key_size;
	__u64 lt_key_ptr;
	__u64 lt_key_size;
	__u64 reserved[4];
};

struct blk_crypto_generate_key_arg {
	__u64 lt_key_ptr;
	__u64 lt_key_size;
	__u64 reserved[4];
};

struct blk_crypto_prepare_key_arg {
	__u64 lt_key_ptr;
	__u64 lt_key_size;
	__u64 eph_key_ptr;
	__u64 eph_key_size;
	__u64 reserved[4];
};

#define BLKCRYPTOIMPORTKEY _IOWR(0x12, 137, struct blk_crypto_import_key_arg)
#define BLKCRYPTOGENERATEKEY _IOWR(0x12, 138, struct blk_crypto_generate_key_arg)
#define BLKCRYPTOPREPAREKEY _IOWR(0x12, 139, struct blk_crypto_prepare_key_arg)
#endif
/* Linux 6.16+: the flags word, __reserved[0] in older UAPI headers. */
#ifndef FSCRYPT_ADD_KEY_FLAG_HW_WRAPPED
#define FSCRYPT_ADD_KEY_FLAG_HW_WRAPPED 0x00000001
#define ADD_KEY_FLAGS(arg) ((arg)->__reserved[0])
#else
#define ADD_KEY_FLAGS(arg) ((arg)->flags)
#endif
/* BLK_CRYPTO_MAX_HW_WRAPPED_KEY_SIZE */
#define WRAPPED_KEY_MAX 128

#ifndef FS_IOC_GETFSUUID
/* Linux 6.5+; older UAPI headers of a cross toolchain may lack it. */
struct fsuuid2 {
	__u8 len;
	__u8 uuid[16];
};
#define FS_IOC_GETFSUUID _IOR(0x15, 0, struct fsuuid2)
#endif

#define BLOCK 4096u

/* The demo master key: bytes 0x00, 0x01, ..., 0x3f.  Never use it for real data. */
static void demo_key(uint8_t key[64])
{
	for (int i = 0; i < 64; i++)
		key[i] = (uint8_t)i;
}

static const char *prog = "ufsc-guest";

static void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ------------------------------------------------------------------------ */
/* SHA-256 (FIPS 180-4), for the deterministic file contents.               */

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* SHA-256 of a message of at most 55 bytes (one block). */
static void sha256_short(const uint8_t *msg, size_t len, uint8_t out[32])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	uint8_t blk[64] = { 0 };
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	memcpy(blk, msg, len);
	blk[len] = 0x80;
	blk[62] = (uint8_t)((len * 8) >> 8);
	blk[63] = (uint8_t)(len * 8);
	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)blk[4 * i] << 24 | (uint32_t)blk[4 * i + 1] << 16 |
		       (uint32_t)blk[4 * i + 2] << 8 | blk[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ROR32(w[i - 15], 7) ^ ROR32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR32(w[i - 2], 17) ^ ROR32(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ROR32(e, 6) ^ ROR32(e, 11) ^ ROR32(e, 25)) + ((e & f) ^ (~e & g)) +
		     sha256_k[i] + w[i];
		t2 = (ROR32(a, 2) ^ ROR32(a, 13) ^ ROR32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(h[i] >> 8);
		out[4 * i + 3] = (uint8_t)h[i];
	}
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Fill buf with pattern bytes [off, off + len) of a (non-sparse) file. */
static void pattern_fill(uint8_t *buf, uint64_t off, size_t len, uint64_t seed)
{
	uint8_t msg[20], dig[32];
	size_t done = 0;

	memcpy(msg, "ufsc", 4);
	put_le64(msg + 4, seed);
	while (done < len) {
		uint64_t pos = off + done;
		size_t in = pos % 32, n = 32 - in;

		if (n > len - done)
			n = len - done;
		put_le64(msg + 12, pos / 32);
		sha256_short(msg, sizeof(msg), dig);
		memcpy(buf + done, dig + in, n);
		done += n;
	}
}

static int sparse_block_has_data(uint64_t blk, uint64_t size)
{
	uint64_t last = size ? (size - 1) / BLOCK : 0;

	return blk % 8 == 3 || blk == last;
}

/* The whole expected file contents. */
static uint8_t *expected(uint64_t size, uint64_t seed, int sparse)
{
	uint8_t *buf = calloc(1, size ? size : 1);

	if (!buf)
		fail("out of memory for %" PRIu64 " bytes", size);
	if (!sparse) {
		pattern_fill(buf, 0, size, seed);
		return buf;
	}
	for (uint64_t b = 0; b * BLOCK < size; b++) {
		uint64_t off = b * BLOCK, n = size - off < BLOCK ? size - off : BLOCK;

		if (sparse_block_has_data(b, size))
			pattern_fill(buf + off, off, n, seed);
	}
	return buf;
}

/* ------------------------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void perf(const char *op, const char *path, uint64_t bytes, double sec)
{
	double mbps = sec > 0 ? bytes / sec / 1e6 : 0;

	printf("UFSC-PERF op=%s path=%s bytes=%" PRIu64 " usec=%.0f MBps=%.2f\n",
	       op, path, bytes, sec * 1e6, mbps);
}

static void hex_print(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static void hex_parse(const char *s, uint8_t *out, size_t n, const char *what)
{
	if (strlen(s) != 2 * n)
		fail("%s must be %zu hex digits", what, 2 * n);
	for (size_t i = 0; i < n; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			fail("bad hex in %s", what);
		out[i] = (uint8_t)v;
	}
}

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s)
		fail("bad %s: %s", what, s);
	return v;
}

static int open_or_fail(const char *path, int flags)
{
	int fd = open(path, flags, 0644);

	if (fd < 0)
		fail("open %s: %s", path, strerror(errno));
	return fd;
}

/* ------------------------------------------------------------------------ */

static int cmd_add_key(int argc, char **argv)
{
	struct {
		struct fscrypt_add_key_arg arg;
		uint8_t raw[64];
	} a;
	int fd;

	if (argc < 1 || argc > 2)
		return 2;
	memset(&a, 0, sizeof(a));
	if (argc == 2)
		hex_parse(argv[1], a.raw, 64, "the key");
	else
		demo_key(a.raw);
	a.arg.key_spec.type = FSCRYPT_KEY_SPEC_TYPE_IDENTIFIER;
	a.arg.raw_size = 64;
	fd = open_or_fail(argv[0], O_RDONLY | O_DIRECTORY);
	if (ioctl(fd, FS_IOC_ADD_ENCRYPTION_KEY, &a.arg) != 0)
		fail("FS_IOC_ADD_ENCRYPTION_KEY on %s: %s", argv[0], strerror(errno));
	close(fd);
	hex_print(a.arg.key_spec.u.identifier, FSCRYPT_KEY_IDENTIFIER_SIZE);
	printf("\n");
	return 0;
}

/* Parse a wrapped key of up to WRAPPED_KEY_MAX bytes; returns its size. */
static size_t wrapped_parse(const char *hex, uint8_t out[WRAPPED_KEY_MAX], const char *what)
{
	size_t n = strlen(hex) / 2;

	if (n == 0 || n > WRAPPED_KEY_MAX || strlen(hex) % 2)
		fail("%s must be 2 to %d hex digits", what, 2 * WRAPPED_KEY_MAX);
	hex_parse(hex, out, n, what);
	return n;
}

static int cmd_add_wrapped_key(int argc, char **argv)
{
	struct {
		struct fscrypt_add_key_arg arg;
		uint8_t raw[WRAPPED_KEY_MAX];
	} a;
	int fd;

	if (argc != 2)
		return 2;
	memset(&a, 0, sizeof(a));
	a.arg.raw_size = (uint32_t)wrapped_parse(argv[1], a.raw, "the wrapped key");
	a.arg.key_spec.type = FSCRYPT_KEY_SPEC_TYPE_IDENTIFIER;
	ADD_KEY_FLAGS(&a.arg) = FSCRYPT_ADD_KEY_FLAG_HW_WRAPPED;
	fd = open_or_fail(argv[0], O_RDONLY | O_DIRECTORY);
	if (ioctl(fd, FS_IOC_ADD_ENCRYPTION_KEY, &a.arg) != 0)
		fail("FS_IOC_ADD_ENCRYPTION_KEY (hw-wrapped) on %s: %s", argv[0], strerror(errno));
	close(fd);
	hex_print(a.arg.key_spec.u.identifier, FSCRYPT_KEY_IDENTIFIER_SIZE);
	printf("\n");
	return 0;
}

/* Run blk-crypto key ioctl REQ (named NAME) on block device DEV. */
static void blk_key_ioctl(const char *dev, unsigned long req, void *arg, const char *name)
{
	int fd = open_or_fail(dev, O_RDONLY);

	if (ioctl(fd, req, arg) != 0)
		fail("%s on %s: %s", name, dev, strerror(errno));
	close(fd);
}

static void hex_line(const uint8_t *p, uint64_t n)
{
	hex_print(p, (size_t)n);
	printf("\n");
}

static int cmd_import_key(int argc, char **argv)
{
	struct blk_crypto_import_key_arg arg;
	uint8_t raw[64], lt[WRAPPED_KEY_MAX];
	size_t n;

	if (argc != 2)
		return 2;
	n = strlen(argv[1]) / 2;
	if (n == 0 || n > sizeof(raw) || strlen(argv[1]) % 2)
		fail("the raw key must be 2 to %zu hex digits", 2 * sizeof(raw));
	hex_parse(argv[1], raw, n, "the raw key");
	memset(&arg, 0, sizeof(arg));
	arg.raw_key_ptr = (uintptr_t)raw;
	arg.raw_key_size = n;
	arg.lt_key_ptr = (uintptr_t)lt;
	arg.lt_key_size = sizeof(lt);
	blk_key_ioctl(argv[0], BLKCRYPTOIMPORTKEY, &arg, "BLKCRYPTOIMPORTKEY");
	hex_line(lt, arg.lt_key_size);
	return 0;
}

static int cmd_generate_key(int argc, char **argv)
{
	struct blk_crypto_generate_key_arg arg;
	uint8_t lt[WRAPPED_KEY_MAX];

	if (argc != 1)
		return 2;
	memset(&arg, 0, sizeof(arg));
	arg.lt_key_ptr = (uintptr_t)lt;
	arg.lt_key_size = sizeof(lt);
	blk_key_ioctl(argv[0], BLKCRYPTOGENERATEKEY, &arg, "BLKCRYPTOGENERATEKEY");
	hex_line(lt, arg.lt_key_size);
	return 0;
}

static int cmd_prepare_key(int argc, char **argv)
{
	struct blk_crypto_prepare_key_arg arg;
	uint8_t lt[WRAPPED_KEY_MAX], eph[WRAPPED_KEY_MAX];

	if (argc != 2)
		return 2;
	memset(&arg, 0, sizeof(arg));
	arg.lt_key_ptr = (uintptr_t)lt;
	arg.lt_key_size = wrapped_parse(argv[1], lt, "the long-term wrapped key");
	arg.eph_key_ptr = (uintptr_t)eph;
	arg.eph_key_size = sizeof(eph);
	blk_key_ioctl(argv[0], BLKCRYPTOPREPAREKEY, &arg, "BLKCRYPTOPREPAREKEY");
	hex_line(eph, arg.eph_key_size);
	return 0;
}

static void key_spec_from_hex(struct fscrypt_key_specifier *ks, const char *hex)
{
	memset(ks, 0, sizeof(*ks));
	ks->type = FSCRYPT_KEY_SPEC_TYPE_IDENTIFIER;
	hex_parse(hex, ks->u.identifier, FSCRYPT_KEY_IDENTIFIER_SIZE, "the key identifier");
}

static int cmd_remove_key(int argc, char **argv)
{
	struct fscrypt_remove_key_arg arg;
	int fd;

	if (argc != 2)
		return 2;
	memset(&arg, 0, sizeof(arg));
	key_spec_from_hex(&arg.key_spec, argv[1]);
	fd = open_or_fail(argv[0], O_RDONLY | O_DIRECTORY);
	if (ioctl(fd, FS_IOC_REMOVE_ENCRYPTION_KEY, &arg) != 0)
		fail("FS_IOC_REMOVE_ENCRYPTION_KEY on %s: %s", argv[0], strerror(errno));
	close(fd);
	printf("removed status_flags=0x%x%s%s\n", arg.removal_status_flags,
	       arg.removal_status_flags & FSCRYPT_KEY_REMOVAL_STATUS_FLAG_FILES_BUSY ?
	       " files_busy" : "",
	       arg.removal_status_flags & FSCRYPT_KEY_REMOVAL_STATUS_FLAG_OTHER_USERS ?
	       " other_users" : "");
	return 0;
}

static int cmd_key_status(int argc, char **argv)
{
	struct fscrypt_get_key_status_arg arg;
	static const char *const names[] = { "?", "absent", "present", "incompletely_removed" };
	int fd;

	if (argc != 2)
		return 2;
	memset(&arg, 0, sizeof(arg));
	key_spec_from_hex(&arg.key_spec, argv[1]);
	fd = open_or_fail(argv[0], O_RDONLY | O_DIRECTORY);
	if (ioctl(fd, FS_IOC_GET_ENCRYPTION_KEY_STATUS, &arg) != 0)
		fail("FS_IOC_GET_ENCRYPTION_KEY_STATUS on %s: %s", argv[0], strerror(errno));
	close(fd);
	printf("%s\n", arg.status <= 3 ? names[arg.status] : "?");
	return 0;
}

static int cmd_set_policy(int argc, char **argv)
{
	struct fscrypt_policy_v2 p;
	int fd;

	if (argc < 2)
		return 2;
	memset(&p, 0, sizeof(p));
	p.version = FSCRYPT_POLICY_V2;
	p.contents_encryption_mode = FSCRYPT_MODE_AES_256_XTS;
	p.filenames_encryption_mode = FSCRYPT_MODE_AES_256_CTS;
	p.flags = FSCRYPT_POLICY_FLAGS_PAD_32;
	hex_parse(argv[1], p.master_key_identifier, FSCRYPT_KEY_IDENTIFIER_SIZE,
		  "the key identifier");
	for (int i = 2; i < argc; i++) {
		const char *f = argv[i];

		if (!strcmp(f, "v2") || !strcmp(f, "default"))
			;
		else if (!strcmp(f, "iv_ino_lblk_64"))
			p.flags |= FSCRYPT_POLICY_FLAG_IV_INO_LBLK_64;
		else if (!strcmp(f, "iv_ino_lblk_32"))
			p.flags |= FSCRYPT_POLICY_FLAG_IV_INO_LBLK_32;
		else if (!strcmp(f, "direct_key"))
			p.flags |= FSCRYPT_POLICY_FLAG_DIRECT_KEY;
		else if (!strncmp(f, "pad", 3)) {
			int pad = atoi(f + 3);

			p.flags &= ~FSCRYPT_POLICY_FLAGS_PAD_MASK;
			p.flags |= pad == 4 ? FSCRYPT_POLICY_FLAGS_PAD_4 :
				   pad == 8 ? FSCRYPT_POLICY_FLAGS_PAD_8 :
				   pad == 16 ? FSCRYPT_POLICY_FLAGS_PAD_16 :
				   FSCRYPT_POLICY_FLAGS_PAD_32;
		} else if (!strncmp(f, "dus=", 4)) {
			/* log2_data_unit_size (Linux 6.7+): byte 4 of the v2 policy,
			 * named __reserved[0] in older UAPI headers. */
			unsigned long dus = strtoul(f + 4, NULL, 0);
			int lg = 0;

			while ((1ul << lg) < dus)
				lg++;
			if (dus < 512 || (1ul << lg) != dus)
				fail("dus= takes a power of two >= 512, not %s", f + 4);
			((uint8_t *)&p)[4] = (uint8_t)lg;
		} else if (!strcmp(f, "xts")) {
			p.contents_encryption_mode = FSCRYPT_MODE_AES_256_XTS;
			p.filenames_encryption_mode = FSCRYPT_MODE_AES_256_CTS;
		} else if (!strcmp(f, "essiv")) {
			p.contents_encryption_mode = FSCRYPT_MODE_AES_128_CBC;
			p.filenames_encryption_mode = FSCRYPT_MODE_AES_128_CTS;
		} else if (!strcmp(f, "adiantum")) {
			p.contents_encryption_mode = FSCRYPT_MODE_ADIANTUM;
			p.filenames_encryption_mode = FSCRYPT_MODE_ADIANTUM;
		} else
			fail("unknown policy flag %s", f);
	}
	fd = open_or_fail(argv[0], O_RDONLY | O_DIRECTORY);
	if (ioctl(fd, FS_IOC_SET_ENCRYPTION_POLICY, &p) != 0)
		fail("FS_IOC_SET_ENCRYPTION_POLICY on %s: %s", argv[0], strerror(errno));
	close(fd);
	return 0;
}

static void get_policy(const char *path, struct fscrypt_get_policy_ex_arg *arg);

static int cmd_get_policy(int argc, char **argv)
{
	struct fscrypt_get_policy_ex_arg arg;

	if (argc != 1)
		return 2;
	get_policy(argv[0], &arg);
	if (arg.policy.version != FSCRYPT_POLICY_V2) {
		printf("version=%u\n", arg.policy.version);
		return 0;
	}
	/* Byte 4 is log2_data_unit_size since Linux 6.7 (reserved, 0, before). */
	printf("version=2 contents=%u filenames=%u flags=0x%02x log2_dus=%u key=",
	       arg.policy.v2.contents_encryption_mode, arg.policy.v2.filenames_encryption_mode,
	       arg.policy.v2.flags, ((const uint8_t *)&arg.policy.v2)[4]);
	hex_print(arg.policy.v2.master_key_identifier, FSCRYPT_KEY_IDENTIFIER_SIZE);
	printf("\n");
	return 0;
}

static void get_nonce(const char *path, uint8_t nonce[16])
{
	int fd = open_or_fail(path, O_RDONLY);

	if (ioctl(fd, FS_IOC_GET_ENCRYPTION_NONCE, nonce) != 0)
		fail("FS_IOC_GET_ENCRYPTION_NONCE on %s: %s", path, strerror(errno));
	close(fd);
}

static int cmd_nonce(int argc, char **argv)
{
	uint8_t nonce[16];

	if (argc != 1)
		return 2;
	get_nonce(argv[0], nonce);
	hex_print(nonce, 16);
	printf("\n");
	return 0;
}

static int cmd_uuid(int argc, char **argv)
{
	struct fsuuid2 u;
	int fd;

	if (argc != 1)
		return 2;
	memset(&u, 0, sizeof(u));
	fd = open_or_fail(argv[0], O_RDONLY);
	if (ioctl(fd, FS_IOC_GETFSUUID, &u) != 0)
		fail("FS_IOC_GETFSUUID on %s: %s", argv[0], strerror(errno));
	close(fd);
	hex_print(u.uuid, u.len <= 16 ? u.len : 16);
	printf("\n");
	return 0;
}

static void get_policy(const char *path, struct fscrypt_get_policy_ex_arg *arg)
{
	int fd = open_or_fail(path, O_RDONLY);

	memset(arg, 0, sizeof(*arg));
	arg->policy_size = sizeof(arg->policy);
	if (ioctl(fd, FS_IOC_GET_ENCRYPTION_POLICY_EX, arg) != 0)
		fail("FS_IOC_GET_ENCRYPTION_POLICY_EX on %s: %s", path, strerror(errno));
	close(fd);
}

static int cmd_info(int argc, char **argv)
{
	struct fscrypt_get_policy_ex_arg pol;
	uint8_t nonce[16];
	struct stat st;

	if (argc != 1)
		return 2;
	if (stat(argv[0], &st) != 0)
		fail("stat %s: %s", argv[0], strerror(errno));
	get_nonce(argv[0], nonce);
	get_policy(argv[0], &pol);
	if (pol.policy.version != FSCRYPT_POLICY_V2)
		fail("%s: not a v2 policy", argv[0]);
	printf("ino=%" PRIu64 " size=%" PRIu64 " blocks512=%" PRIu64
	       " contents=%u filenames=%u flags=0x%02x log2_dus=%u key=",
	       (uint64_t)st.st_ino, (uint64_t)st.st_size, (uint64_t)st.st_blocks,
	       pol.policy.v2.contents_encryption_mode,
	       pol.policy.v2.filenames_encryption_mode,
	       pol.policy.v2.flags, ((const uint8_t *)&pol.policy.v2)[4]);
	hex_print(pol.policy.v2.master_key_identifier, FSCRYPT_KEY_IDENTIFIER_SIZE);
	printf(" nonce=");
	hex_print(nonce, 16);
	printf("\n");
	return 0;
}

static int sparse_arg(int argc, char **argv, int idx)
{
	if (argc <= idx)
		return 0;
	if (strcmp(argv[idx], "sparse"))
		fail("unknown option %s (expected: sparse)", argv[idx]);
	return 1;
}

static void write_all(int fd, const uint8_t *buf, size_t len, uint64_t off, const char *path)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail("write %s at %" PRIu64 ": %s", path, off, strerror(errno));
		}
		buf += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
}

static int cmd_write(int argc, char **argv)
{
	uint64_t size, seed;
	uint8_t *buf;
	double t0;
	int fd, sparse;

	if (argc < 3 || argc > 4)
		return 2;
	size = parse_u64(argv[1], "size");
	seed = parse_u64(argv[2], "seed");
	sparse = sparse_arg(argc, argv, 3);
	buf = expected(size, seed, sparse);
	t0 = now_s();
	fd = open_or_fail(argv[0], O_WRONLY | O_CREAT | O_TRUNC);
	if (!sparse) {
		write_all(fd, buf, size, 0, argv[0]);
	} else {
		for (uint64_t b = 0; b * BLOCK < size; b++) {
			uint64_t off = b * BLOCK, n = size - off < BLOCK ? size - off : BLOCK;

			if (sparse_block_has_data(b, size))
				write_all(fd, buf + off, n, off, argv[0]);
		}
		if (ftruncate(fd, (off_t)size) != 0)
			fail("ftruncate %s: %s", argv[0], strerror(errno));
	}
	if (fsync(fd) != 0)
		fail("fsync %s: %s", argv[0], strerror(errno));
	if (close(fd) != 0)
		fail("close %s: %s", argv[0], strerror(errno));
	perf("write", argv[0], size, now_s() - t0);
	free(buf);
	return 0;
}

static int cmd_verify(int argc, char **argv)
{
	uint64_t size, seed, got = 0;
	uint8_t *want, *buf;
	struct stat st;
	double t0, dt;
	int fd, sparse;

	if (argc < 3 || argc > 4)
		return 2;
	size = parse_u64(argv[1], "size");
	seed = parse_u64(argv[2], "seed");
	sparse = sparse_arg(argc, argv, 3);
	buf = malloc(size + BLOCK);
	if (!buf)
		fail("out of memory");
	t0 = now_s();
	fd = open_or_fail(argv[0], O_RDONLY);
	if (fstat(fd, &st) != 0)
		fail("fstat %s: %s", argv[0], strerror(errno));
	for (;;) {
		ssize_t n = read(fd, buf + got, size + BLOCK - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail("read %s at %" PRIu64 ": %s", argv[0], got, strerror(errno));
		}
		if (n == 0 || got + (uint64_t)n > size) {
			got += (uint64_t)n;
			break;
		}
		got += (uint64_t)n;
	}
	close(fd);
	dt = now_s() - t0;
	if ((uint64_t)st.st_size != size)
		fail("%s: size is %" PRIu64 ", expected %" PRIu64, argv[0],
		     (uint64_t)st.st_size, size);
	if (got != size)
		fail("%s: read %" PRIu64 " bytes, expected %" PRIu64, argv[0], got, size);
	want = expected(size, seed, sparse);
	for (uint64_t i = 0; i < size; i++) {
		if (buf[i] != want[i]) {
			uint64_t bad = 0;

			for (uint64_t j = i; j < size; j++)
				bad += buf[j] != want[j];
			fail("%s: content mismatch at offset %" PRIu64 " (block %" PRIu64
			     "): got %02x expected %02x; %" PRIu64 " bytes differ",
			     argv[0], i, i / BLOCK, buf[i], want[i], bad);
		}
	}
	perf("read", argv[0], size, dt);
	free(want);
	free(buf);
	return 0;
}

static int cmd_pattern(int argc, char **argv)
{
	uint64_t size, seed;
	uint8_t *buf;

	if (argc < 2 || argc > 3)
		return 2;
	size = parse_u64(argv[0], "size");
	seed = parse_u64(argv[1], "seed");
	buf = expected(size, seed, sparse_arg(argc, argv, 2));
	if (size && fwrite(buf, 1, size, stdout) != size)
		fail("write to stdout failed");
	free(buf);
	return 0;
}

/* host-reset DEV: a SCSI host reset, as the error handler would do one */
static int cmd_host_reset(int argc, char **argv)
{
	int op = SG_SCSI_RESET_HOST;
	int fd;

	(void)argc;
	fd = open(argv[0], O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		fail("open %s: %s", argv[0], strerror(errno));
	if (ioctl(fd, SG_SCSI_RESET, &op))
		fail("SG_SCSI_RESET_HOST on %s: %s", argv[0], strerror(errno));
	close(fd);
	return 0;
}

static int cmd_seed(int argc, char **argv)
{
	uint32_t h = 2166136261u;

	if (argc != 1)
		return 2;
	for (const char *p = argv[0]; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	printf("%" PRIu32 "\n", h);
	return 0;
}

/* The disks in /sys/class/block named PREFIX followed by digits only */
static int count_disks(const char *prefix)
{
	size_t pl = strlen(prefix);
	DIR *d = opendir("/sys/class/block");
	struct dirent *e;
	int n = 0;

	if (!d)
		fail("/sys/class/block: %s", strerror(errno));
	while ((e = readdir(d))) {
		const char *p = e->d_name + pl;

		if (strncmp(e->d_name, prefix, pl) || !*p)
			continue;
		while (*p >= '0' && *p <= '9')
			p++;
		n += !*p;
	}
	closedir(d);
	return n;
}

/*
 * wait-disks PREFIX N SECONDS: wait until /sys/class/block holds N disks
 * named PREFIX and digits (mmcblk1, not mmcblk1boot0 or mmcblk1p1).  A
 * driver may add its disks in a work item of its own after its probe (the
 * MMC core does), and nothing tells user space when that is done but the
 * device nodes that devtmpfs creates: this waits for /dev's IN_CREATE
 * events, watched from before the first look so that none is missed.
 * device_add() makes a disk's /sys/class/block entry (and its "device"
 * link) before its node; not its /sys/block entry, which add_disk() makes
 * after device_add() returns, so looking there could miss the last disk.
 * SECONDS is only a guard against a disk that never comes.  Exit status 1
 * if it did not come.
 */
static int cmd_wait_disks(int argc, char **argv)
{
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int want, fd, n;
	double deadline;

	if (argc != 3)
		return 2;
	want = (int)parse_u64(argv[1], "N");
	deadline = now_s() + parse_u64(argv[2], "SECONDS");
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0)
		fail("inotify_init1: %s", strerror(errno));
	if (inotify_add_watch(fd, "/dev", IN_CREATE) < 0)
		fail("inotify_add_watch /dev: %s", strerror(errno));
	while ((n = count_disks(argv[0])) < want) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		double left = deadline - now_s();
		int r = left > 0 ? poll(&pfd, 1, (int)(left * 1000) + 1) : 0;

		if (r < 0 && errno != EINTR)
			fail("poll: %s", strerror(errno));
		if (r == 0) {
			fprintf(stderr, "%s: %d of %d disks %s* after %s s\n",
				prog, n, want, argv[0], argv[2]);
			return 1;
		}
		if (r > 0 && read(fd, ev, sizeof(ev)) < 0 && errno != EINTR)
			fail("read inotify: %s", strerror(errno));
	}
	close(fd);
	return 0;
}

static const struct {
	const char *name, *args;
	int (*fn)(int, char **);
} cmds[] = {
	{ "add-key", "MNT [HEXKEY128]", cmd_add_key },
	{ "add-wrapped-key", "MNT EPHHEX", cmd_add_wrapped_key },
	{ "import-key", "DEV RAWHEX", cmd_import_key },
	{ "generate-key", "DEV", cmd_generate_key },
	{ "prepare-key", "DEV LTHEX", cmd_prepare_key },
	{ "remove-key", "MNT KEYID", cmd_remove_key },
	{ "key-status", "MNT KEYID", cmd_key_status },
	{ "set-policy",
	  "DIR KEYID [v2|iv_ino_lblk_64|iv_ino_lblk_32|direct_key|padN|dus=N|xts|essiv|adiantum]...",
	  cmd_set_policy },
	{ "get-policy", "PATH", cmd_get_policy },
	{ "nonce", "FILE", cmd_nonce },
	{ "uuid", "PATH", cmd_uuid },
	{ "info", "FILE", cmd_info },
	{ "write", "FILE SIZE SEED [sparse]", cmd_write },
	{ "verify", "FILE SIZE SEED [sparse]", cmd_verify },
	{ "pattern", "SIZE SEED [sparse]", cmd_pattern },
	{ "seed", "STRING", cmd_seed },
	{ "host-reset", "DEV", cmd_host_reset },
	{ "wait-disks", "PREFIX N SECONDS", cmd_wait_disks },
};

static int usage(void)
{
	fprintf(stderr, "usage:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, "  %s %s %s\n", prog, cmds[i].name, cmds[i].args);
	return 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage();
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(argv[1], cmds[i].name)) {
			int rc = cmds[i].fn(argc - 2, argv + 2);

			if (rc == 2)
				fprintf(stderr, "usage: %s %s %s\n", prog, cmds[i].name, cmds[i].args);
			return rc;
		}
	}
	return usage();
}
