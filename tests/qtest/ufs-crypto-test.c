/*
 * QTest testcase for the UFS inline crypto engine (-device ufs-crypto)
 *
 * Keyslots are programmed through MMIO in the order Linux's ufshcd-crypto
 * uses, requests carry CE/CCI/DUN in their UTRD, and what reaches the
 * backing image is compared with ciphertext computed by OpenSSL, a library
 * the device does not use, and with IEEE P1619 XTS-AES vector 10.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/module.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "libqos/qgraph.h"
#include "libqos/pci.h"
#include "scsi/constants.h"
#include "block/ufs.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qjson.h"
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/core_names.h>

#define TEST_IMAGE_SIZE (16 * 1024 * 1024)
#define BLOCK_SIZE 4096
#define TEST_LUN 1
#define CMD_DESC_SIZE (16 * 1024)
#define RSP_UPIU_OFFSET 1024
#define PRDT_OFFSET 2048
#define MAX_PRDT ((CMD_DESC_SIZE - PRDT_OFFSET) / sizeof(UfshcdSgEntry))
#define MAX_XFER (1024 * 1024)
#define QUEUE_SIZE 32
#define NSLOTS 32
#define CFGPTR_BASE 0x2000

typedef struct QUfsc QUfsc;
struct QUfsc {
    QOSGraphObject obj;
    QPCIDevice dev;
    QPCIBar bar;
    QGuestAllocator *alloc;

    bool mcq;
    bool odd_prdt;              /* PRDT entries of any size, not dwords */
    bool keep_keys;             /* ufsc_init() does not evict keyslots */
    /* Called right after a request is submitted, before waiting for it */
    void (*after_submit)(struct QUfsc *u);
    uint64_t cmd_desc;
    uint64_t data;
    uint64_t utrlba;                    /* doorbell mode */
    uint64_t sqlba, cqlba, sqdao, cqdao; /* MCQ mode, queue 0 */
    uint8_t task_tag;
};

/* Crypto fields of one request */
typedef struct Crypt {
    bool ce;
    uint8_t cci;
    uint64_t dun;
} Crypt;

static const Crypt no_crypt;

static char *image_path;
/* What ufsc_setup() added to the command line qos-test built */
static char *setup_args;
/* Register writes traced into this file, see ufsc_setup_traced() */
static char *trace_path;

static uint32_t rreg(QUfsc *u, uint64_t off)
{
    return qpci_io_readl(&u->dev, u->bar, off);
}

static void wreg(QUfsc *u, uint64_t off, uint32_t val)
{
    qpci_io_writel(&u->dev, u->bar, off, val);
}

static uint64_t cfg_addr(uint32_t slot, uint32_t dw)
{
    return CFGPTR_BASE + slot * UFS_CRYPTOCFG_SIZE + dw * 4;
}

/*
 * Program a keyslot as ufshcd_program_key() does: clear dword 16, write
 * the 16 key dwords and dword 17, commit with dword 16 last.  @key64 is
 * the 64-byte CRYPTOKEY field.
 */
/* The first steps of program_key(): everything but the commit */
static void stage_key(QUfsc *u, uint32_t slot, const uint8_t *key64)
{
    wreg(u, cfg_addr(slot, UFS_CRYPTOCFG_DW_CFG), 0);
    for (int i = 0; i < UFS_CRYPTOCFG_KEY_DWORDS; i++) {
        wreg(u, cfg_addr(slot, i), ldl_le_p(key64 + 4 * i));
    }
    wreg(u, cfg_addr(slot, UFS_CRYPTOCFG_DW_VSB), 0);
}

static void program_key(QUfsc *u, uint32_t slot, uint8_t capidx, uint8_t dusu,
                        const uint8_t *key64, bool cfge)
{
    uint32_t cfg = 0;

    stage_key(u, slot, key64);
    cfg = FIELD_DP32(cfg, CRYPTOCFG, DUSU, dusu);
    cfg = FIELD_DP32(cfg, CRYPTOCFG, CAPIDX, capidx);
    cfg = FIELD_DP32(cfg, CRYPTOCFG, CFGE, cfge);
    wreg(u, cfg_addr(slot, UFS_CRYPTOCFG_DW_CFG), cfg);
}

/* The algorithms of the default capability list, by CAPIDX */
typedef struct Alg {
    const char *name;
    uint8_t capidx;
    size_t key_len;
    bool xts;                   /* else AES-CBC-ESSIV */
} Alg;

static const Alg aes256xts = { "aes-256-xts", 0, 64, true };
static const Alg aes128xts = { "aes-128-xts", 1, 32, true };
static const Alg essiv128 = { "essiv-aes-128-cbc", 2, 16, false };
static const Alg essiv256 = { "essiv-aes-256-cbc", 3, 32, false };
#define NCAPS 5

/* A key of @alg as CRYPTOKEY lays it out: XTS halves at bytes 0 and 32. */
static void key_field(const Alg *alg, const uint8_t *key, uint8_t *key64)
{
    memset(key64, 0, 64);
    if (alg->xts) {
        memcpy(key64, key, alg->key_len / 2);
        memcpy(key64 + 32, key + alg->key_len / 2, alg->key_len / 2);
    } else {
        memcpy(key64, key, alg->key_len);
    }
}

/* The IV of data unit @dun: le128(DUN) for XTS, ESSIV for CBC. */
static void ref_iv(const Alg *alg, const uint8_t *key, uint64_t dun,
                   uint8_t *iv)
{
    uint8_t salt[32];
    unsigned int nsalt = sizeof(salt);
    EVP_CIPHER_CTX *ctx;
    int outl;

    memset(iv, 0, 16);
    stq_le_p(iv, dun);
    if (alg->xts) {
        return;
    }
    g_assert_cmpint(EVP_Digest(key, alg->key_len, salt, &nsalt, EVP_sha256(),
                               NULL), ==, 1);
    ctx = EVP_CIPHER_CTX_new();
    g_assert_cmpint(EVP_EncryptInit_ex(ctx, EVP_aes_256_ecb(), NULL, salt,
                                       NULL), ==, 1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    g_assert_cmpint(EVP_EncryptUpdate(ctx, iv, &outl, iv, 16), ==, 1);
    EVP_CIPHER_CTX_free(ctx);
}

/*
 * Reference ciphertext by OpenSSL: AES-XTS with tweak le128(DUN), or
 * AES-CBC with IV AES-256_{SHA-256(key)}(le128(DUN)); data unit k of the
 * buffer uses DUN + k.
 */
static void ref_crypt(const Alg *alg, const uint8_t *key, uint32_t dus,
                      uint64_t dun, const uint8_t *in, uint8_t *out,
                      size_t len, bool enc)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    const EVP_CIPHER *c;

    if (alg->xts) {
        c = alg->key_len == 64 ? EVP_aes_256_xts() : EVP_aes_128_xts();
    } else {
        c = alg->key_len == 32 ? EVP_aes_256_cbc() : EVP_aes_128_cbc();
    }
    g_assert(len % dus == 0);
    for (size_t off = 0; off < len; off += dus, dun++) {
        uint8_t iv[16];
        int outl = 0;

        ref_iv(alg, key, dun, iv);
        g_assert_cmpint(EVP_CipherInit_ex(ctx, c, NULL, key, iv, enc), ==, 1);
        EVP_CIPHER_CTX_set_padding(ctx, 0);
        g_assert_cmpint(EVP_CipherUpdate(ctx, out + off, &outl, in + off,
                                         dus), ==, 1);
        g_assert_cmpint(outl, ==, dus);
    }
    EVP_CIPHER_CTX_free(ctx);
}

static void image_read(uint64_t lba, uint8_t *buf, size_t len)
{
    int fd = open(image_path, O_RDONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pread(fd, buf, len, lba * BLOCK_SIZE), ==, len);
    close(fd);
}

static void fill_pattern(uint8_t *buf, size_t len, uint32_t seed)
{
    for (size_t i = 0; i < len; i++) {
        seed = seed * 1103515245 + 12345;
        buf[i] = seed >> 16;
    }
}

/*
 * Wait for the completion interrupt, however long the host takes: a
 * request that never completes is a hang, which the harness's timeout
 * catches; no verdict here depends on the host's speed.
 */
static void wait_for_irq(QUfsc *u)
{
    while (rreg(u, A_IS) == 0) {
        qtest_clock_step(u->dev.bus->qts, 100);
    }
}

/* Submit one UTRD and wait for it; returns its OCS. */
static uint8_t submit(QUfsc *u, const UtpTransferReqDesc *utrd)
{
    QTestState *qts = u->dev.bus->qts;

    if (u->mcq) {
        uint32_t sqtp = rreg(u, u->sqdao + 4);
        uint32_t cqhp;
        UfsCqEntry cqe;

        qtest_memwrite(qts, u->sqlba + sqtp, utrd, sizeof(*utrd));
        sqtp = (sqtp + sizeof(UfsSqEntry)) % (QUEUE_SIZE * sizeof(UfsSqEntry));
        wreg(u, u->sqdao + 4, sqtp);
        if (u->after_submit) {
            u->after_submit(u);
        }
        /* after_submit() may have moved us to another QEMU */
        qts = u->dev.bus->qts;
        wait_for_irq(u);
        g_assert_true(FIELD_EX32(rreg(u, A_IS), IS, CQES));
        wreg(u, A_IS, FIELD_DP32(0, IS, CQES, 1));

        cqhp = rreg(u, u->cqdao);
        qtest_memread(qts, u->cqlba + cqhp, &cqe, sizeof(cqe));
        cqhp = (cqhp + sizeof(cqe)) % (QUEUE_SIZE * sizeof(cqe));
        wreg(u, u->cqdao, cqhp);
        return cqe.status;
    } else {
        UtpTransferReqDesc done;

        qtest_memwrite(qts, u->utrlba, utrd, sizeof(*utrd));
        wreg(u, A_UTRLDBR, 1);
        if (u->after_submit) {
            u->after_submit(u);
        }
        qts = u->dev.bus->qts;
        wait_for_irq(u);
        g_assert_true(FIELD_EX32(rreg(u, A_IS), IS, UTRCS));
        wreg(u, A_IS, FIELD_DP32(0, IS, UTRCS, 1));
        qtest_memread(qts, u->utrlba, &done, sizeof(done));
        return le32_to_cpu(done.header.dword_2) & UFS_MASK_OCS;
    }
}

static UtpTransferReqDesc build_utrd(uint32_t dir, uint16_t prdt_len,
                                     const Crypt *cr, uint64_t cmd_desc)
{
    UtpTransferReqDesc utrd = { 0 };
    uint32_t dw0 = UFS_UTP_NATIVE_UFS_COMMAND | dir | UFS_UTP_REQ_DESC_INT_CMD;

    if (cr->ce) {
        dw0 |= UFS_UTP_REQ_DESC_CRYPTO_ENABLE_CMD | cr->cci;
    }
    utrd.header.dword_0 = cpu_to_le32(dw0);
    utrd.header.dword_1 = cpu_to_le32((uint32_t)cr->dun);
    utrd.header.dword_2 = cpu_to_le32(UFS_OCS_INVALID_COMMAND_STATUS);
    utrd.header.dword_3 = cpu_to_le32(cr->dun >> 32);
    utrd.command_desc_base_addr_lo = cpu_to_le32(cmd_desc & 0xffffffff);
    utrd.command_desc_base_addr_hi = cpu_to_le32(cmd_desc >> 32);
    utrd.response_upiu_offset = cpu_to_le16(RSP_UPIU_OFFSET / 4);
    utrd.response_upiu_length = cpu_to_le16(sizeof(UtpUpiuRsp) / 4);
    utrd.prd_table_offset = cpu_to_le16(PRDT_OFFSET / 4);
    utrd.prd_table_length = cpu_to_le16(prdt_len);
    return utrd;
}

static uint8_t send_upiu(QUfsc *u, const UtpUpiuReq *req, uint32_t dir,
                         const UfshcdSgEntry *prdt, uint16_t prdt_len,
                         const Crypt *cr, UtpUpiuRsp *rsp)
{
    QTestState *qts = u->dev.bus->qts;
    UtpTransferReqDesc utrd = build_utrd(dir, prdt_len, cr, u->cmd_desc);
    uint8_t ocs;

    qtest_memwrite(qts, u->cmd_desc, req, sizeof(*req));
    if (prdt_len) {
        qtest_memwrite(qts, u->cmd_desc + PRDT_OFFSET, prdt,
                       prdt_len * sizeof(*prdt));
    }
    ocs = submit(u, &utrd);
    qtest_memread(u->dev.bus->qts, u->cmd_desc + RSP_UPIU_OFFSET, rsp,
                  sizeof(*rsp));
    return ocs;
}

/*
 * Build a PRDT for @len bytes at u->data whose entries have irregular sizes
 * (multiples of 4 bytes, so that they rarely meet data-unit boundaries)
 * and leave a 64-byte hole between entries.  Returns the number of
 * entries; *span is the guest buffer size used.
 */
static uint16_t build_prdt(QUfsc *u, size_t len, uint32_t seed,
                           UfshcdSgEntry *prdt, size_t *span)
{
    uint16_t n = 0;
    uint64_t addr = u->data;

    for (size_t done = 0; done < len; n++) {
        size_t seg;

        seed = seed * 1103515245 + 12345;
        if (u->odd_prdt) {
            seg = 1 + (seed >> 8) % 700;
        } else {
            seg = seed ? 4 * (1 + (seed >> 8) % 4000) : 4096;
        }
        seg = MIN(seg, len - done);
        g_assert_cmpuint(n, <, MAX_PRDT);
        prdt[n].addr = cpu_to_le64(addr);
        prdt[n].size = cpu_to_le32(seg - 1);
        addr += seg + 64;
        done += seg;
    }
    *span = addr - u->data;
    return n;
}

/* Scatter or gather @buf over the guest buffers of a PRDT. */
static void prdt_copy(QUfsc *u, const UfshcdSgEntry *prdt, uint16_t n,
                      uint8_t *buf, bool to_guest)
{
    for (uint16_t i = 0; i < n; i++) {
        uint64_t addr = le64_to_cpu(prdt[i].addr);
        size_t seg = le32_to_cpu(prdt[i].size) + 1;

        if (to_guest) {
            qtest_memwrite(u->dev.bus->qts, addr, buf, seg);
        } else {
            qtest_memread(u->dev.bus->qts, addr, buf, seg);
        }
        buf += seg;
    }
}

/* The command UPIU of a READ(10) or WRITE(10) of @nblocks at @lba */
static UtpUpiuReq rw_upiu(QUfsc *u, bool write, uint32_t lba,
                          uint16_t nblocks)
{
    UtpUpiuReq req = { 0 };

    req.header.trans_type = UFS_UPIU_TRANSACTION_COMMAND;
    req.header.flags = write ? UFS_UPIU_CMD_FLAGS_WRITE
                             : UFS_UPIU_CMD_FLAGS_READ;
    req.header.lun = TEST_LUN;
    req.header.task_tag = u->task_tag++;
    req.sc.exp_data_transfer_len = cpu_to_be32(nblocks * BLOCK_SIZE);
    req.sc.cdb[0] = write ? WRITE_10 : READ_10;
    stl_be_p(&req.sc.cdb[2], lba);
    stw_be_p(&req.sc.cdb[7], nblocks);
    return req;
}

/* READ(10) or WRITE(10) of @nblocks at @lba; returns the OCS. */
static uint8_t rw(QUfsc *u, bool write, uint32_t lba, uint16_t nblocks,
                  uint8_t *buf, const Crypt *cr, uint32_t prdt_seed)
{
    size_t len = nblocks * BLOCK_SIZE, span;
    g_autofree UfshcdSgEntry *prdt = g_new0(UfshcdSgEntry, MAX_PRDT);
    UtpUpiuReq req;
    UtpUpiuRsp rsp;
    uint16_t n;
    uint8_t ocs;

    g_assert_cmpuint(len, <=, MAX_XFER);
    n = build_prdt(u, len, prdt_seed, prdt, &span);
    qtest_memset(u->dev.bus->qts, u->data, 0xee, span);
    if (write) {
        prdt_copy(u, prdt, n, buf, true);
    }

    req = rw_upiu(u, write, lba, nblocks);

    ocs = send_upiu(u, &req, write ? UFS_UTP_HOST_TO_DEVICE
                                   : UFS_UTP_DEVICE_TO_HOST,
                    prdt, n, cr, &rsp);
    if (ocs == UFS_OCS_SUCCESS) {
        g_assert_cmpuint(rsp.header.scsi_status, ==, GOOD);
        if (!write) {
            prdt_copy(u, prdt, n, buf, false);
        }
    }
    return ocs;
}

static uint8_t send_nop(QUfsc *u, UtpUpiuRsp *rsp)
{
    UtpUpiuReq req = { 0 };

    req.header.trans_type = UFS_UPIU_TRANSACTION_NOP_OUT;
    req.header.task_tag = u->task_tag++;
    return send_upiu(u, &req, UFS_UTP_NO_DATA_TRANSFER, NULL, 0, &no_crypt,
                     rsp);
}

/* A query on the fDeviceInit flag */
static uint8_t send_query(QUfsc *u, uint8_t func, uint8_t opcode,
                          UtpUpiuRsp *rsp)
{
    UtpUpiuReq req = { 0 };

    req.header.trans_type = UFS_UPIU_TRANSACTION_QUERY_REQ;
    req.header.query_func = func;
    req.header.task_tag = u->task_tag++;
    req.qr.opcode = opcode;
    req.qr.idn = UFS_QUERY_FLAG_IDN_FDEVICEINIT;
    return send_upiu(u, &req, UFS_UTP_NO_DATA_TRANSFER, NULL, 0, &no_crypt,
                     rsp);
}

static uint8_t test_unit_ready(QUfsc *u)
{
    UtpUpiuReq req = { 0 };
    UtpUpiuRsp rsp;

    req.header.trans_type = UFS_UPIU_TRANSACTION_COMMAND;
    req.header.lun = TEST_LUN;
    req.header.task_tag = u->task_tag++;
    req.sc.cdb[0] = TEST_UNIT_READY;
    g_assert_cmpuint(send_upiu(u, &req, UFS_UTP_NO_DATA_TRANSFER, NULL, 0,
                               &no_crypt, &rsp), ==, UFS_OCS_SUCCESS);
    return rsp.header.scsi_status;
}

/* Bring the controller up as Linux does; @cge sets HCE.CGE with HCE. */
static void ufsc_init(QUfsc *u, QGuestAllocator *alloc, bool cge)
{
    uint32_t hce = FIELD_DP32(0, HCE, HCE, 1), ie = 0, cap;
    UtpUpiuRsp rsp;

    u->alloc = alloc;
    u->bar = qpci_iomap(&u->dev, 0, NULL);
    qpci_device_enable(&u->dev);

    /* Every keyslot is evicted before the controller is enabled. */
    for (int i = 0; i < NSLOTS && !u->keep_keys; i++) {
        static const uint8_t zero[64];

        program_key(u, i, 0, 0, zero, false);
    }

    hce = FIELD_DP32(hce, HCE, CGE, cge);
    wreg(u, A_HCE, hce);
    g_assert_cmpuint(FIELD_EX32(rreg(u, A_HCE), HCE, HCE), ==, 1);
    g_assert_cmpuint(FIELD_EX32(rreg(u, A_HCE), HCE, CGE), ==, cge);

    ie = FIELD_DP32(ie, IE, UCCE, 1);
    wreg(u, A_IE, ie);
    wreg(u, A_UICCMD, UFS_UIC_CMD_DME_LINK_STARTUP);
    g_assert_true(FIELD_EX32(rreg(u, A_IS), IS, UCCS));
    wreg(u, A_IS, FIELD_DP32(0, IS, UCCS, 1));

    cap = rreg(u, A_CAP);
    u->mcq = FIELD_EX32(cap, CAP, MCQS);
    ie = FIELD_DP32(ie, IE, UTRCE, 1);
    ie = FIELD_DP32(ie, IE, CQEE, u->mcq);
    wreg(u, A_IE, ie);

    u->cmd_desc = guest_alloc(alloc, CMD_DESC_SIZE);
    u->data = guest_alloc(alloc, MAX_XFER + MAX_PRDT * 64);
    if (u->mcq) {
        uint32_t qcfgptr = FIELD_EX32(rreg(u, A_MCQCAP), MCQCAP, QCFGPTR);
        uint32_t base = qcfgptr * 0x200, attr;

        u->sqlba = guest_alloc(alloc, QUEUE_SIZE * sizeof(UfsSqEntry));
        u->cqlba = guest_alloc(alloc, QUEUE_SIZE * sizeof(UfsCqEntry));
        wreg(u, base + A_SQLBA, u->sqlba & 0xffffffff);
        wreg(u, base + A_SQUBA, u->sqlba >> 32);
        wreg(u, base + A_CQLBA, u->cqlba & 0xffffffff);
        wreg(u, base + A_CQUBA, u->cqlba >> 32);
        attr = FIELD_DP32(0, CQATTR, CQEN, 1);
        attr = FIELD_DP32(attr, CQATTR, SIZE,
                          QUEUE_SIZE * sizeof(UfsCqEntry) / 4);
        wreg(u, base + A_CQATTR, attr);
        attr = FIELD_DP32(0, SQATTR, SQEN, 1);
        attr = FIELD_DP32(attr, SQATTR, SIZE,
                          QUEUE_SIZE * sizeof(UfsSqEntry) / 4);
        attr = FIELD_DP32(attr, SQATTR, CQID, 0);
        wreg(u, base + A_SQATTR, attr);
        u->sqdao = rreg(u, base + A_SQDAO);
        u->cqdao = rreg(u, base + A_CQDAO);
    } else {
        uint32_t nutrs = FIELD_EX32(cap, CAP, NUTRS) + 1;

        u->utrlba = guest_alloc(alloc, nutrs * sizeof(UtpTransferReqDesc));
        wreg(u, A_UTRLBA, u->utrlba & 0xffffffff);
        wreg(u, A_UTRLBAU, u->utrlba >> 32);
        wreg(u, A_UTRLRSR, 1);
    }

    g_assert_cmpuint(send_nop(u, &rsp), ==, UFS_OCS_SUCCESS);
    g_assert_cmpuint(send_query(u, UFS_UPIU_QUERY_FUNC_STANDARD_WRITE_REQUEST,
                                UFS_UPIU_QUERY_OPCODE_SET_FLAG, &rsp),
                     ==, UFS_OCS_SUCCESS);
    /* fDeviceInit clears when the device is ready (no deadline, as above) */
    do {
        qtest_clock_step(u->dev.bus->qts, 100);
        g_assert_cmpuint(send_query(u,
                                    UFS_UPIU_QUERY_FUNC_STANDARD_READ_REQUEST,
                                    UFS_UPIU_QUERY_OPCODE_READ_FLAG, &rsp),
                         ==, UFS_OCS_SUCCESS);
    } while (be32_to_cpu(rsp.qr.value));

    /* Consume the LU's power-on unit attention. */
    for (int i = 0; i < 3; i++) {
        if (test_unit_ready(u) == GOOD) {
            return;
        }
    }
    g_assert_not_reached();
}

static void ufsc_exit(QUfsc *u)
{
    if (u->mcq) {
        guest_free(u->alloc, u->sqlba);
        guest_free(u->alloc, u->cqlba);
    } else {
        guest_free(u->alloc, u->utrlba);
    }
    guest_free(u->alloc, u->cmd_desc);
    guest_free(u->alloc, u->data);
    qpci_iounmap(&u->dev, u->bar);
}

/* Test keys: the two halves differ, as XTS requires. */
static void make_key(uint8_t *key, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++) {
        key[i] = seed + i * 7;
    }
}

/* Program @slot with @alg, @dus-byte units and a test key made from @seed. */
static void program_test_key(QUfsc *u, const Alg *alg, uint32_t slot,
                             uint32_t dus, uint8_t seed, uint8_t *key)
{
    uint8_t key64[64];

    make_key(key, alg->key_len, seed);
    key_field(alg, key, key64);
    program_key(u, slot, alg->capidx, dus / 512, key64, true);
}

/*
 * Register contract
 */
static void test_regs(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    uint32_t ccap, cap0, cap1;
    uint8_t key64[64];

    ufsc_init(u, alloc, true);
    g_assert_cmpuint(FIELD_EX32(rreg(u, A_CAP), CAP, CS), ==, 1);

    ccap = rreg(u, A_CCAP);
    g_assert_cmpuint(FIELD_EX32(ccap, CCAP, CC), ==, NCAPS);
    g_assert_cmpuint(FIELD_EX32(ccap, CCAP, CFGC), ==, NSLOTS - 1);
    g_assert_cmpuint(FIELD_EX32(ccap, CCAP, CFGPTR) * 0x100, ==, CFGPTR_BASE);

    cap0 = rreg(u, A_CRYPTOCAP);
    cap1 = rreg(u, A_CRYPTOCAP + 4);
    g_assert_cmpuint(FIELD_EX32(cap0, CRYPTOCAP, ALGID), ==,
                     UFS_CRYPTO_ALG_AES_XTS);
    g_assert_cmpuint(FIELD_EX32(cap0, CRYPTOCAP, KS), ==,
                     UFS_CRYPTO_KEY_SIZE_256);
    g_assert_cmpuint(FIELD_EX32(cap0, CRYPTOCAP, SDUSB), ==, 0xff);
    g_assert_cmpuint(FIELD_EX32(cap1, CRYPTOCAP, ALGID), ==,
                     UFS_CRYPTO_ALG_AES_XTS);
    g_assert_cmpuint(FIELD_EX32(cap1, CRYPTOCAP, KS), ==,
                     UFS_CRYPTO_KEY_SIZE_128);
    for (int i = 2; i < 4; i++) {
        uint32_t cap = rreg(u, A_CRYPTOCAP + 4 * i);

        g_assert_cmpuint(FIELD_EX32(cap, CRYPTOCAP, ALGID), ==,
                         UFS_CRYPTO_ALG_ESSIV_AES_CBC);
        g_assert_cmpuint(FIELD_EX32(cap, CRYPTOCAP, KS), ==,
                         i == essiv128.capidx ? UFS_CRYPTO_KEY_SIZE_128
                                              : UFS_CRYPTO_KEY_SIZE_256);
        g_assert_cmpuint(FIELD_EX32(cap, CRYPTOCAP, SDUSB), ==, 0xff);
    }
    /* Adiantum, with the vendor-specific ALGID 0x80 */
    {
        uint32_t cap = rreg(u, A_CRYPTOCAP + 4 * 4);

        g_assert_cmpuint(FIELD_EX32(cap, CRYPTOCAP, ALGID), ==, 0x80);
        g_assert_cmpuint(FIELD_EX32(cap, CRYPTOCAP, KS), ==,
                         UFS_CRYPTO_KEY_SIZE_256);
        g_assert_cmpuint(FIELD_EX32(cap, CRYPTOCAP, SDUSB), ==, 0xff);
    }
    g_assert_cmpuint(rreg(u, A_CRYPTOCAP + 4 * NCAPS), ==, 0);

    /* Capabilities are read-only. */
    wreg(u, A_CRYPTOCAP, 0xffffffff);
    g_assert_cmpuint(rreg(u, A_CRYPTOCAP), ==, cap0);
    wreg(u, A_CCAP, 0);
    g_assert_cmpuint(rreg(u, A_CCAP), ==, ccap);

    /* Keys never read back; the configuration dword does. */
    memset(key64, 0x5a, sizeof(key64));
    program_key(u, NSLOTS - 1, 0, 0x08, key64, true);
    for (int i = 0; i < UFS_CRYPTOCFG_KEY_DWORDS; i++) {
        g_assert_cmpuint(rreg(u, cfg_addr(NSLOTS - 1, i)), ==, 0);
    }
    g_assert_cmpuint(rreg(u, cfg_addr(NSLOTS - 1, UFS_CRYPTOCFG_DW_CFG)), ==,
                     0x80000008);
    for (int i = UFS_CRYPTOCFG_DW_VSB + 1; i < 32; i++) {
        wreg(u, cfg_addr(NSLOTS - 1, i), 0xffffffff);
        g_assert_cmpuint(rreg(u, cfg_addr(NSLOTS - 1, i)), ==, 0);
    }

    /* HCE.CGE follows the guest, and is cleared with HCE. */
    wreg(u, A_HCE, FIELD_DP32(0, HCE, HCE, 1));
    g_assert_cmpuint(rreg(u, A_HCE), ==, 1);
    wreg(u, A_HCE, 3);
    g_assert_cmpuint(rreg(u, A_HCE), ==, 3);
    ufsc_exit(u);
}

/*
 * Write then read with CE=1 over an irregular PRDT, and check the medium
 * against OpenSSL.
 */
static void check_rw(QUfsc *u, const Alg *alg, uint32_t dus, uint32_t slot,
                     uint64_t dun, uint32_t lba, uint16_t nblocks,
                     uint32_t seed)
{
    size_t len = nblocks * BLOCK_SIZE;
    g_autofree uint8_t *ptx = g_malloc(len);
    g_autofree uint8_t *expect = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);
    uint8_t key[64];
    Crypt cr = { .ce = true, .cci = slot, .dun = dun };

    program_test_key(u, alg, slot, dus, seed, key);

    fill_pattern(ptx, len, seed);
    g_assert_cmpuint(rw(u, true, lba, nblocks, ptx, &cr, seed), ==,
                     UFS_OCS_SUCCESS);

    /* The medium holds exactly the reference ciphertext. */
    ref_crypt(alg, key, dus, dun, ptx, expect, len, true);
    image_read(lba, got, len);
    g_assert_cmpmem(got, len, expect, len);

    /* Read back through the engine, over a different PRDT. */
    g_assert_cmpuint(rw(u, false, lba, nblocks, got, &cr, seed + 1), ==,
                     UFS_OCS_SUCCESS);
    g_assert_cmpmem(got, len, ptx, len);

    /* CE=0 reads the ciphertext as stored. */
    g_assert_cmpuint(rw(u, false, lba, nblocks, got, &no_crypt, seed + 2), ==,
                     UFS_OCS_SUCCESS);
    g_assert_cmpmem(got, len, expect, len);

    /* A read with another DUN does not give the plaintext back. */
    cr.dun = dun + 1;
    g_assert_cmpuint(rw(u, false, lba, nblocks, got, &cr, seed + 3), ==,
                     UFS_OCS_SUCCESS);
    g_assert_true(memcmp(got, ptx, len));
}

static void test_xts256(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;

    ufsc_init(u, alloc, true);
    /* 4 KiB data units, a DUN with both halves set, 48 PRDT-ish entries */
    check_rw(u, &aes256xts, 4096, 3, 0x1234567800000ffeULL, 16, 64, 1);
    /* 256 KiB crosses scsi-disk's 128 KiB buffer; DUN crosses 2^32 */
    check_rw(u, &aes256xts, 4096, 4, 0xfffffff0ULL, 200, 64, 2);
    /* the largest request Linux sends, 64 KiB data units */
    check_rw(u, &aes256xts, 65536, NSLOTS - 1, 7, 1024, 256, 3);
    ufsc_exit(u);
}

static void test_xts128(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;

    ufsc_init(u, alloc, true);
    check_rw(u, &aes128xts, 512, 0, 0xabcdef0123ULL, 40, 3, 4);
    check_rw(u, &aes128xts, 4096, 1, 0, 48, 5, 5);
    ufsc_exit(u);
}

/* AES-CBC-ESSIV, 128- and 256-bit keys, 512 B to 16 KiB data units */
static void test_essiv(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;

    ufsc_init(u, alloc, true);
    check_rw(u, &essiv128, 4096, 7, 0x1122334455667788ULL, 60, 40, 11);
    check_rw(u, &essiv128, 512, 8, 3, 100, 3, 12);
    check_rw(u, &essiv256, 4096, 9, 0xfffffffffffffff0ULL, 110, 33, 13);
    check_rw(u, &essiv256, 16384, 10, 77, 150, 8, 14);
    ufsc_exit(u);
}

/* IEEE P1619 XTS-AES vector 10: AES-256, 512-byte data unit 0xff. */
static const uint8_t vec10_key[64] = {
    0x27, 0x18, 0x28, 0x18, 0x28, 0x45, 0x90, 0x45,
    0x23, 0x53, 0x60, 0x28, 0x74, 0x71, 0x35, 0x26,
    0x62, 0x49, 0x77, 0x57, 0x24, 0x70, 0x93, 0x69,
    0x99, 0x59, 0x57, 0x49, 0x66, 0x96, 0x76, 0x27,
    0x31, 0x41, 0x59, 0x26, 0x53, 0x58, 0x97, 0x93,
    0x23, 0x84, 0x62, 0x64, 0x33, 0x83, 0x27, 0x95,
    0x02, 0x88, 0x41, 0x97, 0x16, 0x93, 0x99, 0x37,
    0x51, 0x05, 0x82, 0x09, 0x74, 0x94, 0x45, 0x92,
};
/* The first and last 32 bytes of its ciphertext */
static const uint8_t vec10_ctx_head[32] = {
    0x1c, 0x3b, 0x3a, 0x10, 0x2f, 0x77, 0x03, 0x86,
    0xe4, 0x83, 0x6c, 0x99, 0xe3, 0x70, 0xcf, 0x9b,
    0xea, 0x00, 0x80, 0x3f, 0x5e, 0x48, 0x23, 0x57,
    0xa4, 0xae, 0x12, 0xd4, 0x14, 0xa3, 0xe6, 0x3b,
};
static const uint8_t vec10_ctx_tail[32] = {
    0x77, 0x3d, 0xad, 0x38, 0x01, 0x4b, 0xd2, 0x09,
    0x2f, 0xa7, 0x55, 0xc8, 0x24, 0xbb, 0x5e, 0x54,
    0xc4, 0xf3, 0x6f, 0xfd, 0xa9, 0xfc, 0xea, 0x70,
    0xb9, 0xc6, 0xe6, 0x93, 0xe1, 0x48, 0xc1, 0x51,
};

static void test_p1619(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    uint8_t buf[BLOCK_SIZE];
    Crypt cr = { .ce = true, .cci = 9 };

    ufsc_init(u, alloc, true);
    program_key(u, 9, 0, 0x01, vec10_key, true);
    /* Unit k of the block holds the vector's plaintext and has DUN 0xff. */
    for (int k = 0; k < BLOCK_SIZE / 512; k++) {
        memset(buf, 0, sizeof(buf));
        for (int i = 0; i < 512; i++) {
            buf[k * 512 + i] = i;
        }
        cr.dun = 0xff - k;
        g_assert_cmpuint(rw(u, true, 300 + k, 1, buf, &cr, 10 + k), ==,
                         UFS_OCS_SUCCESS);
        image_read(300 + k, buf, BLOCK_SIZE);
        g_assert_cmpmem(buf + k * 512, 32, vec10_ctx_head, 32);
        g_assert_cmpmem(buf + k * 512 + 480, 32, vec10_ctx_tail, 32);
    }
    ufsc_exit(u);
}

/* CE=0 requests store plaintext, on the same controller. */
static void test_plaintext(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    size_t len = 20 * BLOCK_SIZE;
    g_autofree uint8_t *ptx = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);

    ufsc_init(u, alloc, true);
    fill_pattern(ptx, len, 77);
    g_assert_cmpuint(rw(u, true, 500, 20, ptx, &no_crypt, 77), ==,
                     UFS_OCS_SUCCESS);
    image_read(500, got, len);
    g_assert_cmpmem(got, len, ptx, len);
    g_assert_cmpuint(rw(u, false, 500, 20, got, &no_crypt, 78), ==,
                     UFS_OCS_SUCCESS);
    g_assert_cmpmem(got, len, ptx, len);
    ufsc_exit(u);
}

/*
 * A rejected encrypted write leaves the medium as it was, and a rejected
 * read leaves the guest's buffers as they were.
 */
static void expect_rejected(QUfsc *u, const Crypt *cr, uint16_t nblocks,
                            uint8_t ocs)
{
    const uint32_t lba = 700;
    size_t len = nblocks * BLOCK_SIZE;
    g_autofree uint8_t *before = g_malloc(len);
    g_autofree uint8_t *after = g_malloc(len);
    g_autofree uint8_t *ptx = g_malloc(len);

    image_read(lba, before, len);
    fill_pattern(ptx, len, 99);
    g_assert_cmpuint(rw(u, true, lba, nblocks, ptx, cr, 5), ==, ocs);
    image_read(lba, after, len);
    g_assert_cmpmem(after, len, before, len);

    g_assert_cmpuint(rw(u, false, lba, nblocks, ptx, cr, 6), ==, ocs);
    memset(before, 0xee, len);
    qtest_memread(u->dev.bus->qts, u->data, after, len);
    g_assert_cmpmem(after, MIN(len, 64), before, MIN(len, 64));
}

static void test_bad_input(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    uint8_t key[64], key64[64];
    g_autofree uint8_t *blk = g_malloc(2 * BLOCK_SIZE);
    Crypt cr = { .ce = true };

    ufsc_init(u, alloc, true);
    /* Something to protect on the medium */
    fill_pattern(blk, 2 * BLOCK_SIZE, 1);
    g_assert_cmpuint(rw(u, true, 700, 2, blk, &no_crypt, 1), ==,
                     UFS_OCS_SUCCESS);
    make_key(key, 64, 42);
    key_field(&aes256xts, key, key64);

    /* CCI beyond the keyslots (this device has data-unit-sizes=0x89) */
    cr.cci = NSLOTS;
    expect_rejected(u, &cr, 1, UFS_OCS_INVALID_CRYPTO_CONFIG);
    cr.cci = 255;
    expect_rejected(u, &cr, 1, UFS_OCS_INVALID_CRYPTO_CONFIG);

    /* Never configured, then configured with CFGE=0 */
    cr.cci = 2;
    expect_rejected(u, &cr, 1, UFS_OCS_INVALID_CRYPTO_CONFIG);
    program_key(u, 2, 0, 0x08, key64, false);
    expect_rejected(u, &cr, 1, UFS_OCS_INVALID_CRYPTO_CONFIG);

    /* CAPIDX past the capabilities */
    program_key(u, 2, NCAPS, 0x08, key64, true);
    expect_rejected(u, &cr, 1, UFS_OCS_INVALID_CRYPTO_CONFIG);
    program_key(u, 2, 0xff, 0x08, key64, true);
    expect_rejected(u, &cr, 1, UFS_OCS_INVALID_CRYPTO_CONFIG);

    /* Data unit sizes: not offered (1 KiB), not one-hot, zero */
    program_key(u, 2, 0, 0x02, key64, true);
    expect_rejected(u, &cr, 1, UFS_OCS_INVALID_CRYPTO_CONFIG);
    program_key(u, 2, 0, 0x09, key64, true);
    expect_rejected(u, &cr, 1, UFS_OCS_INVALID_CRYPTO_CONFIG);
    program_key(u, 2, 0, 0x00, key64, true);
    expect_rejected(u, &cr, 1, UFS_OCS_INVALID_CRYPTO_CONFIG);

    /* 64 KiB data units, 4 KiB and 8 KiB transfers */
    program_key(u, 2, 0, 0x80, key64, true);
    expect_rejected(u, &cr, 1, UFS_OCS_INVALID_CRYPTO_CONFIG);
    expect_rejected(u, &cr, 2, UFS_OCS_INVALID_CRYPTO_CONFIG);

    /* An evicted slot rejects again; a valid one still works. */
    program_key(u, 2, 0, 0x08, key64, true);
    check_rw(u, &aes256xts, 4096, 5, 1, 800, 2, 7);
    program_key(u, 5, 0, 0, key64, false);
    cr.cci = 5;
    expect_rejected(u, &cr, 2, UFS_OCS_INVALID_CRYPTO_CONFIG);

    /* The plaintext written first is still there. */
    {
        g_autofree uint8_t *got = g_malloc(2 * BLOCK_SIZE);

        image_read(700, got, 2 * BLOCK_SIZE);
        g_assert_cmpmem(got, 2 * BLOCK_SIZE, blk, 2 * BLOCK_SIZE);
    }
    ufsc_exit(u);
}

/* CE=1 while HCE.CGE=0 is an invalid crypto configuration. */
static void test_cge_off(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    uint8_t key[64];
    Crypt cr = { .ce = true, .cci = 1 };

    ufsc_init(u, alloc, false);
    program_test_key(u, &aes256xts, 1, 4096, 3, key);
    expect_rejected(u, &cr, 1, UFS_OCS_INVALID_CRYPTO_CONFIG);

    /* Setting CGE later, with HCE already 1, enables the engine. */
    wreg(u, A_HCE, 3);
    check_rw(u, &aes256xts, 4096, 1, 5, 900, 1, 8);
    ufsc_exit(u);
}

/*
 * Keys programmed while HCE=0 survive HCE 0->1, as Linux reprograms them
 * before it enables the controller.
 */
static void test_keys_survive_enable(void *obj, void *data,
                                     QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    uint8_t key[64], key64[64];
    uint8_t ptx[BLOCK_SIZE], expect[BLOCK_SIZE], got[BLOCK_SIZE];
    Crypt cr = { .ce = true, .cci = 6, .dun = 33 };

    u->bar = qpci_iomap(&u->dev, 0, NULL);
    qpci_device_enable(&u->dev);
    make_key(key, 64, 9);
    key_field(&aes256xts, key, key64);
    program_key(u, 6, 0, 0x08, key64, true);
    qpci_iounmap(&u->dev, u->bar);

    /* ufsc_init() evicts every slot first: program again after it. */
    ufsc_init(u, alloc, true);
    program_key(u, 6, 0, 0x08, key64, true);
    wreg(u, A_HCE, 0);
    wreg(u, A_HCE, 3);
    fill_pattern(ptx, sizeof(ptx), 6);
    g_assert_cmpuint(rw(u, true, 950, 1, ptx, &cr, 6), ==, UFS_OCS_SUCCESS);
    ref_crypt(&aes256xts, key, 4096, 33, ptx, expect, sizeof(ptx), true);
    image_read(950, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), expect, sizeof(expect));
    ufsc_exit(u);
}

/*
 * MMIO of the wrong width, unaligned, or past the keyslot array: no crash,
 * nothing readable, nothing changed.
 */
static void test_mmio_abuse(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    uint32_t ccap, cap0, end = CFGPTR_BASE + NSLOTS * UFS_CRYPTOCFG_SIZE;
    uint8_t key64[64];

    ufsc_init(u, alloc, true);
    ccap = rreg(u, A_CCAP);
    cap0 = rreg(u, A_CRYPTOCAP);
    memset(key64, 0xa7, sizeof(key64));
    program_key(u, 4, 0, 0x08, key64, true);

    /* Byte, word and quad accesses on every kind of crypto register */
    for (uint64_t off = A_CCAP; off < A_CCAP + 16; off++) {
        qpci_io_writeb(&u->dev, u->bar, off, 0xff);
        qpci_io_readb(&u->dev, u->bar, off);
    }
    for (int dw = 0; dw < 32; dw++) {
        uint64_t off = cfg_addr(4, dw);

        /* However read, no byte of the key comes back. */
        for (int b = 0; b < 4; b++) {
            g_assert_cmpuint(qpci_io_readb(&u->dev, u->bar, off + b), !=,
                             0xa7);
        }
        g_assert_cmpuint(qpci_io_readw(&u->dev, u->bar, off) & 0xff, !=, 0xa7);
        g_assert_cmpuint(qpci_io_readq(&u->dev, u->bar, off & ~7ULL) & 0xff,
                         !=, 0xa7);
        /*
         * Unaligned: the memory core splits it into dword accesses (and
         * may so evict the slot); nothing else happens.
         */
        qpci_io_writel(&u->dev, u->bar, off + 2, 0xffffffff);
    }
    g_assert_cmpuint(rreg(u, A_CCAP), ==, ccap);
    g_assert_cmpuint(rreg(u, A_CRYPTOCAP), ==, cap0);

    /* Past the last keyslot: reads as zero, writes go nowhere. */
    for (uint64_t off = end; off < end + 0x100; off += 4) {
        wreg(u, off, 0xffffffff);
        g_assert_cmpuint(rreg(u, off), ==, 0);
    }
    /* The slot can be programmed again and works. */
    check_rw(u, &aes256xts, 4096, 4, 9, 1100, 2, 21);
    ufsc_exit(u);
}

/* PRDT entries of odd sizes, down to one byte, across data units. */
static void test_odd_prdt(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;

    ufsc_init(u, alloc, true);
    u->odd_prdt = true;
    check_rw(u, &aes256xts, 4096, 2, 0x55, 1200, 9, 31);
    check_rw(u, &aes128xts, 512, 3, 0x66, 1220, 3, 32);
    check_rw(u, &essiv128, 4096, 5, 0x77, 1240, 4, 33);
    ufsc_exit(u);
}

/* The DUN wraps modulo 2^64 from one data unit to the next. */
static void test_dun_wrap(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;

    ufsc_init(u, alloc, true);
    check_rw(u, &aes256xts, 4096, 1, UINT64_MAX - 2, 1300, 8, 41);
    check_rw(u, &aes256xts, 512, 2, UINT64_MAX, 1320, 1, 42);
    ufsc_exit(u);
}

/*
 * A READ(10) or WRITE(10) whose PRDT is empty (found by the fuzzer: it
 * crashed QEMU, with or without CE): the request fails, nothing reaches
 * the medium, and the device goes on working.
 */
static uint8_t rw_no_prdt(QUfsc *u, bool write, uint32_t lba,
                          uint16_t nblocks, const Crypt *cr)
{
    UtpUpiuReq req = rw_upiu(u, write, lba, nblocks);
    UtpUpiuRsp rsp;

    return send_upiu(u, &req, write ? UFS_UTP_HOST_TO_DEVICE
                                    : UFS_UTP_DEVICE_TO_HOST,
                     NULL, 0, cr, &rsp);
}

static void test_empty_prdt(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    uint8_t before[2 * BLOCK_SIZE], after[2 * BLOCK_SIZE], key[64];
    Crypt cr = { .ce = true, .cci = 7, .dun = 3 };

    ufsc_init(u, alloc, true);
    program_test_key(u, &aes256xts, 7, 4096, 0x70, key);
    image_read(1800, before, sizeof(before));
    for (int write = 0; write < 2; write++) {
        /* With CE, the PRDT is found too short before any data moves. */
        g_assert_cmpuint(rw_no_prdt(u, write, 1800, 2, &no_crypt), ==,
                         UFS_OCS_INVALID_CMD_TABLE_ATTR);
        g_assert_cmpuint(rw_no_prdt(u, write, 1800, 2, &cr), ==,
                         UFS_OCS_INVALID_CMD_TABLE_ATTR);
    }
    image_read(1800, after, sizeof(after));
    g_assert_cmpmem(after, sizeof(after), before, sizeof(before));
    check_rw(u, &aes256xts, 4096, 7, 11, 1800, 2, 0x71);
    ufsc_exit(u);
}

/*
 * A keyslot reprogrammed or evicted while a request that uses it is in
 * flight: the request keeps the key it was submitted with.
 */
static uint8_t rekey_other[64];

static void rekey_slot6(QUfsc *u)
{
    program_key(u, 6, 0, 0x08, rekey_other, true);
}

static void evict_slot6(QUfsc *u)
{
    program_key(u, 6, 0, 0, rekey_other, false);
}

static void test_inflight_rekey(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    const uint16_t nblocks = 64;
    size_t len = nblocks * BLOCK_SIZE;
    g_autofree uint8_t *ptx = g_malloc(len);
    g_autofree uint8_t *expect = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);
    uint8_t key[64], key64[64];
    Crypt cr = { .ce = true, .cci = 6, .dun = 1000 };

    ufsc_init(u, alloc, true);
    make_key(key, 64, 50);
    make_key(rekey_other, 64, 99);
    key_field(&aes256xts, key, key64);
    fill_pattern(ptx, len, 50);
    ref_crypt(&aes256xts, key, 4096, cr.dun, ptx, expect, len, true);

    /* Write, then reprogram the slot right after the doorbell. */
    program_key(u, 6, 0, 0x08, key64, true);
    u->after_submit = rekey_slot6;
    g_assert_cmpuint(rw(u, true, 1400, nblocks, ptx, &cr, 51), ==,
                     UFS_OCS_SUCCESS);
    u->after_submit = NULL;
    image_read(1400, got, len);
    g_assert_cmpmem(got, len, expect, len);

    /* Read, and evict the slot right after the doorbell. */
    program_key(u, 6, 0, 0x08, key64, true);
    u->after_submit = evict_slot6;
    g_assert_cmpuint(rw(u, false, 1400, nblocks, got, &cr, 52), ==,
                     UFS_OCS_SUCCESS);
    u->after_submit = NULL;
    g_assert_cmpmem(got, len, ptx, len);

    /* Now the slot is empty: the next request is rejected. */
    g_assert_cmpuint(rw(u, false, 1400, 1, got, &cr, 53), ==,
                     UFS_OCS_INVALID_CRYPTO_CONFIG);
    ufsc_exit(u);
}

/*
 * Requests in flight together, each with its own command descriptor and
 * data buffer: contiguous PRDT entries of up to 64 KiB.
 */
typedef struct Posted {
    uint64_t cmd_desc;
    uint64_t data;
    int slot;                   /* doorbell slot (SDB mode) */
    bool done;
} Posted;

static void posted_alloc(QUfsc *u, Posted *p, int slot, size_t len)
{
    p->cmd_desc = guest_alloc(u->alloc, CMD_DESC_SIZE);
    p->data = guest_alloc(u->alloc, len);
    p->slot = slot;
    p->done = false;
}

static void posted_free(QUfsc *u, Posted *p)
{
    guest_free(u->alloc, p->cmd_desc);
    guest_free(u->alloc, p->data);
}

/* Post a READ(10) or WRITE(10) without waiting for it. */
static void post_rw(QUfsc *u, Posted *p, bool write, uint32_t lba,
                    uint16_t nblocks, const uint8_t *buf, const Crypt *cr)
{
    QTestState *qts = u->dev.bus->qts;
    size_t len = nblocks * BLOCK_SIZE, seg = 64 * 1024;
    uint16_t n = DIV_ROUND_UP(len, seg);
    g_autofree UfshcdSgEntry *prdt = g_new0(UfshcdSgEntry, n);
    UtpUpiuReq req;
    UtpTransferReqDesc utrd;

    g_assert_cmpuint(n, <=, MAX_PRDT);
    for (uint16_t i = 0; i < n; i++) {
        prdt[i].addr = cpu_to_le64(p->data + i * seg);
        prdt[i].size = cpu_to_le32(MIN(seg, len - i * seg) - 1);
    }
    if (write) {
        qtest_memwrite(qts, p->data, buf, len);
    } else {
        qtest_memset(qts, p->data, 0xee, len);
    }
    req = rw_upiu(u, write, lba, nblocks);
    qtest_memwrite(qts, p->cmd_desc, &req, sizeof(req));
    qtest_memwrite(qts, p->cmd_desc + PRDT_OFFSET, prdt, n * sizeof(*prdt));

    utrd = build_utrd(write ? UFS_UTP_HOST_TO_DEVICE : UFS_UTP_DEVICE_TO_HOST,
                      n, cr, p->cmd_desc);
    if (u->mcq) {
        uint32_t sqtp = rreg(u, u->sqdao + 4);

        qtest_memwrite(qts, u->sqlba + sqtp, &utrd, sizeof(utrd));
        sqtp = (sqtp + sizeof(UfsSqEntry)) % (QUEUE_SIZE * sizeof(UfsSqEntry));
        wreg(u, u->sqdao + 4, sqtp);
    } else {
        qtest_memwrite(qts, u->utrlba + p->slot * sizeof(utrd), &utrd,
                       sizeof(utrd));
        wreg(u, A_UTRLDBR, 1u << p->slot);
    }
}

/*
 * Wait for the next of the @n posted requests to complete; returns it and
 * sets *ocs.  No deadline: the clock only moves as the test steps it.
 */
static Posted *wait_posted(QUfsc *u, Posted *ps, int n, uint8_t *ocs)
{
    QTestState *qts = u->dev.bus->qts;

    for (;;) {
        if (u->mcq) {
            uint32_t cqhp = rreg(u, u->cqdao), cqtp = rreg(u, u->cqdao + 4);
            UfsCqEntry cqe;

            if (cqhp != cqtp) {
                qtest_memread(qts, u->cqlba + cqhp, &cqe, sizeof(cqe));
                wreg(u, u->cqdao, (cqhp + sizeof(cqe)) %
                                  (QUEUE_SIZE * sizeof(cqe)));
                wreg(u, A_IS, FIELD_DP32(0, IS, CQES, 1));
                for (int i = 0; i < n; i++) {
                    if (!ps[i].done && ps[i].cmd_desc ==
                        (le64_to_cpu(cqe.utp_addr) & ~0x7full)) {
                        ps[i].done = true;
                        *ocs = cqe.status;
                        return &ps[i];
                    }
                }
                g_assert_not_reached();
            }
        } else {
            uint32_t db = rreg(u, A_UTRLDBR);

            for (int i = 0; i < n; i++) {
                UtpTransferReqDesc done;

                if (ps[i].done || (db & (1u << ps[i].slot))) {
                    continue;
                }
                qtest_memread(qts, u->utrlba + ps[i].slot * sizeof(done),
                              &done, sizeof(done));
                wreg(u, A_IS, FIELD_DP32(0, IS, UTRCS, 1));
                ps[i].done = true;
                *ocs = le32_to_cpu(done.header.dword_2) & UFS_MASK_OCS;
                return &ps[i];
            }
        }
        qtest_clock_step(qts, 100);
    }
}

/*
 * Encrypted requests overlap as unencrypted ones do.  The drive throttles
 * writes (only a drain lets them through): an encrypted write held there
 * does not hold up the encrypted reads posted after it, which complete
 * first with their plaintext.  The write then completes, once the VM stop
 * drains it, with exactly the reference ciphertext, and the guest's buffer
 * still holds its plaintext.
 */
static void test_overlap(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    QTestState *qts = u->dev.bus->qts;
    const uint16_t nblocks = 8;
    const size_t len = nblocks * BLOCK_SIZE;
    g_autofree uint8_t *ptx = g_malloc(len);
    g_autofree uint8_t *ptx2 = g_malloc(len);
    g_autofree uint8_t *expect = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);
    Crypt cr = { .ce = true, .cci = 3, .dun = 500 };
    Posted ps[3];
    uint8_t key[64], ocs;
    Posted *p;

    ufsc_init(u, alloc, true);
    program_test_key(u, &aes256xts, 3, 4096, 0x33, key);
    /* Data to read back; this write also empties the throttle's bucket. */
    fill_pattern(ptx, len, 0x33);
    g_assert_cmpuint(rw(u, true, 2100, nblocks, ptx, &cr, 0x34), ==,
                     UFS_OCS_SUCCESS);

    for (int i = 0; i < 3; i++) {
        posted_alloc(u, &ps[i], i, len);
    }
    fill_pattern(ptx2, len, 0x35);
    post_rw(u, &ps[0], true, 2200, nblocks, ptx2, &cr);
    post_rw(u, &ps[1], false, 2100, nblocks, NULL, &cr);
    post_rw(u, &ps[2], false, 2100, nblocks / 2, NULL, &cr);

    for (int i = 0; i < 2; i++) {
        p = wait_posted(u, ps, 3, &ocs);
        g_assert_true(p != &ps[0]);
        g_assert_cmpuint(ocs, ==, UFS_OCS_SUCCESS);
        qtest_memread(qts, p->data, got, p == &ps[1] ? len : len / 2);
        g_assert_cmpmem(got, p == &ps[1] ? len : len / 2,
                        ptx, p == &ps[1] ? len : len / 2);
    }
    g_assert_false(ps[0].done);

    qtest_qmp_assert_success(qts, "{ 'execute': 'stop' }");
    qtest_qmp_assert_success(qts, "{ 'execute': 'cont' }");
    g_assert_true(wait_posted(u, ps, 3, &ocs) == &ps[0]);
    g_assert_cmpuint(ocs, ==, UFS_OCS_SUCCESS);
    ref_crypt(&aes256xts, key, 4096, cr.dun, ptx2, expect, len, true);
    image_read(2200, got, len);
    g_assert_cmpmem(got, len, expect, len);
    qtest_memread(qts, ps[0].data, got, len);
    g_assert_cmpmem(got, len, ptx2, len);

    for (int i = 0; i < 3; i++) {
        posted_free(u, &ps[i]);
    }
    ufsc_exit(u);
}

/*
 * A write larger than the engine's write buffers (1 MiB): encrypted and
 * written piece by piece, with the DUN running on across the pieces; read
 * back in one piece.
 */
static void test_big_write(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    QTestState *qts = u->dev.bus->qts;
    const uint16_t nblocks = 3 * 256 + 2;
    const size_t len = nblocks * BLOCK_SIZE;
    g_autofree uint8_t *ptx = g_malloc(len);
    g_autofree uint8_t *expect = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);
    Crypt cr = { .ce = true, .cci = 9, .dun = 0x123456789ull };
    uint8_t key[64], ocs;
    Posted p;

    ufsc_init(u, alloc, true);
    program_test_key(u, &aes128xts, 9, 4096, 0x44, key);
    posted_alloc(u, &p, 0, len);
    fill_pattern(ptx, len, 0x45);
    post_rw(u, &p, true, 3000, nblocks, ptx, &cr);
    g_assert_true(wait_posted(u, &p, 1, &ocs) == &p);
    g_assert_cmpuint(ocs, ==, UFS_OCS_SUCCESS);
    ref_crypt(&aes128xts, key, 4096, cr.dun, ptx, expect, len, true);
    image_read(3000, got, len);
    g_assert_cmpmem(got, len, expect, len);

    p.done = false;
    post_rw(u, &p, false, 3000, nblocks, NULL, &cr);
    g_assert_true(wait_posted(u, &p, 1, &ocs) == &p);
    g_assert_cmpuint(ocs, ==, UFS_OCS_SUCCESS);
    qtest_memread(qts, p.data, got, len);
    g_assert_cmpmem(got, len, ptx, len);
    posted_free(u, &p);
    ufsc_exit(u);
}

/*
 * Only READ and WRITE data is encrypted: CE=1 on another command that
 * moves data is an invalid crypto configuration (nothing reaches the
 * medium), and on a command without data it changes nothing.
 */
static uint8_t send_cdb(QUfsc *u, const uint8_t *cdb, size_t cdb_len,
                        bool write, size_t len, const Crypt *cr)
{
    UfshcdSgEntry prdt = {
        .addr = cpu_to_le64(u->data),
        .size = cpu_to_le32(len - 1),
    };
    UtpUpiuReq req = { 0 };
    UtpUpiuRsp rsp;

    req.header.trans_type = UFS_UPIU_TRANSACTION_COMMAND;
    req.header.flags = len ? (write ? UFS_UPIU_CMD_FLAGS_WRITE
                                    : UFS_UPIU_CMD_FLAGS_READ)
                           : UFS_UPIU_CMD_FLAGS_NONE;
    req.header.lun = TEST_LUN;
    req.header.task_tag = u->task_tag++;
    req.sc.exp_data_transfer_len = cpu_to_be32(len);
    memcpy(req.sc.cdb, cdb, cdb_len);
    return send_upiu(u, &req, !len ? UFS_UTP_NO_DATA_TRANSFER :
                     write ? UFS_UTP_HOST_TO_DEVICE : UFS_UTP_DEVICE_TO_HOST,
                     &prdt, len ? 1 : 0, cr, &rsp);
}

static void test_ce_opcodes(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    g_autofree uint8_t *before = g_malloc(2 * BLOCK_SIZE);
    g_autofree uint8_t *after = g_malloc(2 * BLOCK_SIZE);
    uint8_t key[64];
    Crypt cr = { .ce = true, .cci = 4, .dun = 8 };
    uint8_t inquiry[6] = { INQUIRY, 0, 0, 0, 36, 0 };
    uint8_t write_same[10] = { WRITE_SAME_10, 0, 0, 0, 0x0b, 0xb8, 0, 0, 2 };
    uint8_t tur[6] = { TEST_UNIT_READY };

    ufsc_init(u, alloc, true);
    program_test_key(u, &aes256xts, 4, 4096, 0x55, key);
    fill_pattern(before, 2 * BLOCK_SIZE, 0x56);
    g_assert_cmpuint(rw(u, true, 3000, 2, before, &no_crypt, 0x57), ==,
                     UFS_OCS_SUCCESS);

    g_assert_cmpuint(send_cdb(u, inquiry, sizeof(inquiry), false, 36, &cr),
                     ==, UFS_OCS_INVALID_CRYPTO_CONFIG);
    g_assert_cmpuint(send_cdb(u, inquiry, sizeof(inquiry), false, 36,
                              &no_crypt), ==, UFS_OCS_SUCCESS);
    /* WRITE SAME(10) of 2 blocks at LBA 3000 from one block of data */
    qtest_memset(u->dev.bus->qts, u->data, 0xab, BLOCK_SIZE);
    g_assert_cmpuint(send_cdb(u, write_same, sizeof(write_same), true,
                              BLOCK_SIZE, &cr),
                     ==, UFS_OCS_INVALID_CRYPTO_CONFIG);
    image_read(3000, after, 2 * BLOCK_SIZE);
    g_assert_cmpmem(after, 2 * BLOCK_SIZE, before, 2 * BLOCK_SIZE);
    g_assert_cmpuint(send_cdb(u, tur, sizeof(tur), false, 0, &cr), ==,
                     UFS_OCS_SUCCESS);
    ufsc_exit(u);
}

/*
 * A PRDT with more room than the transfer: only the blocks the command
 * names are written (the next ones keep their data), and a read leaves the
 * rest of the guest's buffer alone; with CE=1 and, as upstream's path is
 * the same, with CE=0 (patches/qemu/0018).
 */
static void test_long_prdt(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    QTestState *qts = u->dev.bus->qts;
    const size_t len = 2 * BLOCK_SIZE;
    g_autofree uint8_t *old = g_malloc(2 * len);
    g_autofree uint8_t *ptx = g_malloc(2 * len);
    g_autofree uint8_t *expect = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(2 * len);
    Crypt cr = { .ce = true, .cci = 6, .dun = 77 };
    uint8_t cdb[10] = { WRITE_10 }, key[64];

    ufsc_init(u, alloc, true);
    program_test_key(u, &aes256xts, 6, 4096, 0x66, key);
    fill_pattern(old, 2 * len, 0x67);
    g_assert_cmpuint(rw(u, true, 3100, 4, old, &no_crypt, 0x68), ==,
                     UFS_OCS_SUCCESS);

    /* WRITE(10) of 2 blocks, PRDT of 4 */
    fill_pattern(ptx, 2 * len, 0x69);
    qtest_memwrite(qts, u->data, ptx, 2 * len);
    stl_be_p(&cdb[2], 3100);
    stw_be_p(&cdb[7], 2);
    g_assert_cmpuint(send_cdb(u, cdb, sizeof(cdb), true, 2 * len, &cr), ==,
                     UFS_OCS_SUCCESS);
    ref_crypt(&aes256xts, key, 4096, cr.dun, ptx, expect, len, true);
    image_read(3100, got, 2 * len);
    g_assert_cmpmem(got, len, expect, len);
    g_assert_cmpmem(got + len, len, old + len, len);

    /* READ(10) of 2 blocks, PRDT of 4 */
    cdb[0] = READ_10;
    qtest_memset(qts, u->data, 0xee, 2 * len);
    g_assert_cmpuint(send_cdb(u, cdb, sizeof(cdb), false, 2 * len, &cr), ==,
                     UFS_OCS_SUCCESS);
    qtest_memread(qts, u->data, got, 2 * len);
    g_assert_cmpmem(got, len, ptx, len);
    memset(expect, 0xee, len);
    g_assert_cmpmem(got + len, len, expect, len);

    /* CE=0: the same WRITE(10) of 2 blocks over 4 old ones, PRDT of 4 */
    g_assert_cmpuint(rw(u, true, 3100, 4, old, &no_crypt, 0x6a), ==,
                     UFS_OCS_SUCCESS);
    cdb[0] = WRITE_10;
    qtest_memwrite(qts, u->data, ptx, 2 * len);
    g_assert_cmpuint(send_cdb(u, cdb, sizeof(cdb), true, 2 * len,
                              &no_crypt), ==, UFS_OCS_SUCCESS);
    image_read(3100, got, 2 * len);
    g_assert_cmpmem(got, len, ptx, len);
    g_assert_cmpmem(got + len, len, old + len, len);
    ufsc_exit(u);
}

/*
 * HCE cleared and set again while an encrypted write is in flight: the
 * medium ends up with the old data or the right ciphertext, never with
 * plaintext.
 */
static void toggle_hce(QUfsc *u)
{
    wreg(u, A_HCE, 0);
    wreg(u, A_HCE, 3);
}

static void test_hce_toggle(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    const uint16_t nblocks = 32;
    size_t len = nblocks * BLOCK_SIZE;
    g_autofree uint8_t *ptx = g_malloc(len);
    g_autofree uint8_t *expect = g_malloc(len);
    g_autofree uint8_t *before = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);
    uint8_t key[64];
    Crypt cr = { .ce = true, .cci = 7, .dun = 77 };

    ufsc_init(u, alloc, true);
    program_test_key(u, &aes256xts, 7, 4096, 70, key);
    fill_pattern(ptx, len, 70);
    ref_crypt(&aes256xts, key, 4096, cr.dun, ptx, expect, len, true);
    image_read(1500, before, len);

    u->after_submit = toggle_hce;
    rw(u, true, 1500, nblocks, ptx, &cr, 71);
    u->after_submit = NULL;
    image_read(1500, got, len);
    for (size_t off = 0; off < len; off += BLOCK_SIZE) {
        g_assert_true(!memcmp(got + off, expect + off, BLOCK_SIZE) ||
                      !memcmp(got + off, before + off, BLOCK_SIZE));
        g_assert_true(memcmp(got + off, ptx + off, BLOCK_SIZE));
    }
    ufsc_exit(u);
}

/* A device reset drops every key. */
static void test_reset_drops_keys(void *obj, void *data,
                                  QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    uint8_t key[64], blk[BLOCK_SIZE];
    Crypt cr = { .ce = true, .cci = 8, .dun = 5 };

    ufsc_init(u, alloc, true);
    program_test_key(u, &aes256xts, 8, 4096, 80, key);
    fill_pattern(blk, sizeof(blk), 80);
    g_assert_cmpuint(rw(u, true, 1600, 1, blk, &cr, 81), ==,
                     UFS_OCS_SUCCESS);
    ufsc_exit(u);

    qtest_system_reset(u->dev.bus->qts);

    /* Bring it up again, evicting nothing: slot 8 is empty all the same. */
    u->keep_keys = true;
    ufsc_init(u, alloc, true);
    u->keep_keys = false;
    g_assert_cmpuint(rreg(u, cfg_addr(8, UFS_CRYPTOCFG_DW_CFG)), ==, 0);
    g_assert_cmpuint(rw(u, false, 1600, 1, blk, &cr, 82), ==,
                     UFS_OCS_INVALID_CRYPTO_CONFIG);
    ufsc_exit(u);
}

/*
 * Key material is not readable through QMP or HMP: program a key whose
 * bytes are all 0xa7 and look for it, in hex and as a dword, in every QOM
 * property of the device and in the monitor's device, PCI and memory
 * listings.
 */
static void assert_no_key(const char *what, const char *text)
{
    g_autofree char *lower = g_ascii_strdown(text, -1);

    if (strstr(lower, "a7a7a7a7") || strstr(text, "2812782503")) {
        g_test_message("key material in %s", what);
        g_assert_not_reached();
    }
}

/*
 * Every property of the device (but its children and links) as
 * "name": value lines of JSON
 */
static char *qom_props_json(QTestState *qts)
{
    GString *all = g_string_new(NULL);
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'qom-list', 'arguments': "
                           "{ 'path': '/machine/peripheral/ufs0' } }");
    QListEntry *e;

    g_assert(qdict_haskey(rsp, "return"));
    QLIST_FOREACH_ENTRY(qdict_get_qlist(rsp, "return"), e) {
        QDict *prop = qobject_to(QDict, qlist_entry_obj(e));
        const char *name = qdict_get_str(prop, "name");
        g_autoptr(GString) json = NULL;
        QDict *val;

        if (g_str_has_prefix(qdict_get_str(prop, "type"), "child<") ||
            g_str_has_prefix(qdict_get_str(prop, "type"), "link<")) {
            continue;
        }
        val = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': "
                        "{ 'path': '/machine/peripheral/ufs0', "
                        "'property': %s } }", name);
        json = qobject_to_json(qdict_get(val, "return") ?: QOBJECT(val));
        g_string_append_printf(all, "\"%s\": %s\n", name, json->str);
        qobject_unref(val);
    }
    qobject_unref(rsp);
    return g_string_free(all, false);
}

static void test_no_key_in_monitor(void *obj, void *data,
                                   QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    QTestState *qts = u->dev.bus->qts;
    uint8_t key64[64];
    static const char *const hmp[] = {
        "info qtree", "info pci", "info mtree", "info qom-tree",
    };
    g_autofree char *json = NULL;

    ufsc_init(u, alloc, true);
    memset(key64, 0xa7, sizeof(key64));
    program_key(u, 3, 0, 0x08, key64, true);
    program_key(u, 4, 2, 0x08, key64, true);

    for (int i = 0; i < ARRAY_SIZE(hmp); i++) {
        g_autofree char *out = qtest_hmp(qts, "%s", hmp[i]);

        assert_no_key(hmp[i], out);
    }

    json = qom_props_json(qts);
    assert_no_key("the device's QOM properties", json);
    g_assert_nonnull(strstr(json, "\"keyslots\": 32"));

    /*
     * The trace of the register writes (-trace ufs_mmio_write, see
     * ufsc_setup_traced) has the keyslot's key dwords, as 0.
     */
    {
        g_autofree char *log = NULL;
        g_autofree char *dw0 = g_strdup_printf("addr 0x%x data 0x0 ",
                                               CFGPTR_BASE + 3 * 0x80);

        g_assert_true(g_file_get_contents(trace_path, &log, NULL, NULL));
        g_assert_nonnull(strstr(log, dw0));
        assert_no_key("the trace", log);
    }
    ufsc_exit(u);
}

/*
 * Key manager for hardware-wrapped keys (wrapped-keys=on)
 */
#define A_KMCAP     0xc0
#define A_KMCMD     0xc4
#define A_KMSTS     0xc8
#define A_KMLEN     0xcc
#define A_KMIDX     0xd0
#define A_KMDATA    0xd4
#define KM_WRAPPED_LEN 68

enum { KM_OK, KM_BAD_COMMAND, KM_BAD_LENGTH, KM_BAD_KEY, KM_BAD_SLOT };
enum { KM_IMPORT = 1, KM_GENERATE, KM_PREPARE, KM_DERIVE, KM_PROGRAM };

/* The long-term wrapping key's secret object, and another one */
#define KM_SECRET   "0123456789abcdef0123456789abcdef"
#define KM_SECRET2  "fedcba9876543210fedcba9876543210"

/*
 * Run a key manager command with @in_len bytes of @in; returns the status
 * and copies the output (*out_len bytes) to @out.
 */
static uint8_t km_cmd(QUfsc *u, uint32_t cmd, const uint8_t *in,
                      size_t in_len, uint8_t *out, size_t *out_len)
{
    uint32_t sts;

    wreg(u, A_KMIDX, 0);
    for (size_t i = 0; i < in_len; i += 4) {
        uint8_t dw[4] = { 0 };

        memcpy(dw, in + i, MIN(4, in_len - i));
        wreg(u, A_KMDATA, ldl_le_p(dw));
    }
    wreg(u, A_KMLEN, in_len);
    wreg(u, A_KMCMD, cmd);
    sts = rreg(u, A_KMSTS);
    *out_len = sts >> 16;
    g_assert_cmpuint(*out_len, <=, 128);
    wreg(u, A_KMIDX, 0);
    for (size_t i = 0; i < *out_len; i += 4) {
        stl_le_p(out + i, rreg(u, A_KMDATA));
    }
    return sts & 0xff;
}

static uint32_t km_program_cmd(uint8_t slot, uint8_t capidx, uint8_t dusu)
{
    return KM_PROGRAM | slot << 8 | capidx << 16 | (uint32_t)dusu << 24;
}

/* Linux's hardware KDF, computed by OpenSSL's KBKDF (SP 800-108, CMAC) */
static void ref_hw_kdf(const uint8_t *raw, bool inline_key, uint8_t *out)
{
    static const uint8_t label[11] = { 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x20 };
    static const uint8_t ctx_inline[36] = {
        'i', 'n', 'l', 'i', 'n', 'e', ' ', 'e', 'n', 'c', 'r', 'y',
        'p', 't', 'i', 'o', 'n', ' ', 'k', 'e', 'y', 0, 0, 0,
        0, 0, 0, 0x02, 0x43, 0x00, 0x82, 0x50, 0, 0, 0, 0,
    };
    static const uint8_t ctx_secret[28] = {
        'r', 'a', 'w', ' ', 's', 'e', 'c', 'r', 'e', 't', 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0x02, 0x17, 0x00, 0x80, 0x50, 0, 0, 0, 0,
    };
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "KBKDF", NULL);
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_KDF_PARAM_MODE, (char *)"counter", 0),
        OSSL_PARAM_utf8_string(OSSL_KDF_PARAM_MAC, (char *)"CMAC", 0),
        OSSL_PARAM_utf8_string(OSSL_KDF_PARAM_CIPHER, (char *)"AES-256-CBC",
                               0),
        OSSL_PARAM_octet_string(OSSL_KDF_PARAM_KEY, (void *)raw, 32),
        OSSL_PARAM_octet_string(OSSL_KDF_PARAM_SALT, (void *)label,
                                sizeof(label)),
        OSSL_PARAM_octet_string(OSSL_KDF_PARAM_INFO,
                                (void *)(inline_key ? ctx_inline : ctx_secret),
                                inline_key ? sizeof(ctx_inline)
                                           : sizeof(ctx_secret)),
        OSSL_PARAM_END
    };

    g_assert_nonnull(kctx);
    g_assert_cmpint(EVP_KDF_derive(kctx, out, inline_key ? 64 : 32, params),
                    ==, 1);
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
}

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle,
                     size_t m)
{
    return memmem(hay, n, needle, m) != NULL;
}

/*
 * Import a raw key, prepare it, derive its software secret, program a
 * keyslot with it: the secret is the KDF's, and the medium holds exactly
 * AES-256-XTS with the KDF's inline encryption key.  The raw key is never
 * seen again in the key manager's registers.
 */
static void test_km_program(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    const size_t len = 4 * BLOCK_SIZE;
    g_autofree uint8_t *ptx = g_malloc(len);
    g_autofree uint8_t *expect = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);
    uint8_t raw[32], lt[128], eph[128], secret[128], ref[64], regs[128];
    uint32_t cap;
    size_t n;
    Crypt cr = { .ce = true, .cci = 5, .dun = 42 };

    ufsc_init(u, alloc, true);
    cap = rreg(u, A_KMCAP);
    g_assert_cmphex(cap, ==, 1 | KM_WRAPPED_LEN << 8 | 32 << 16 | 32u << 24);

    make_key(raw, sizeof(raw), 0x61);
    g_assert_cmpuint(km_cmd(u, KM_IMPORT, raw, 32, lt, &n), ==, KM_OK);
    g_assert_cmpuint(n, ==, KM_WRAPPED_LEN);
    g_assert_false(contains(lt, n, raw, 8));
    g_assert_cmpuint(km_cmd(u, KM_PREPARE, lt, n, eph, &n), ==, KM_OK);
    g_assert_cmpuint(n, ==, KM_WRAPPED_LEN);
    g_assert_cmpuint(km_cmd(u, KM_DERIVE, eph, n, secret, &n), ==, KM_OK);
    g_assert_cmpuint(n, ==, 32);
    ref_hw_kdf(raw, false, ref);
    g_assert_cmpmem(secret, 32, ref, 32);

    g_assert_cmpuint(km_cmd(u, km_program_cmd(5, 0, 0x08), eph,
                            KM_WRAPPED_LEN, regs, &n), ==, KM_OK);
    g_assert_cmpuint(n, ==, 0);
    /* CRYPTOCFG reads back as committed: CFGE, CAPIDX 0, DUSU 4 KiB */
    g_assert_cmphex(rreg(u, cfg_addr(5, 16)), ==, 1u << 31 | 0x08);
    fill_pattern(ptx, len, 0x62);
    g_assert_cmpuint(rw(u, true, 2500, 4, ptx, &cr, 0x63), ==,
                     UFS_OCS_SUCCESS);
    ref_hw_kdf(raw, true, ref);
    ref_crypt(&aes256xts, ref, 4096, cr.dun, ptx, expect, len, true);
    image_read(2500, got, len);
    g_assert_cmpmem(got, len, expect, len);
    g_assert_cmpuint(rw(u, false, 2500, 4, got, &cr, 0x64), ==,
                     UFS_OCS_SUCCESS);
    g_assert_cmpmem(got, len, ptx, len);

    /* Nothing of the raw key or the inline key in the registers */
    wreg(u, A_KMIDX, 0);
    for (int i = 0; i < 32; i++) {
        stl_le_p(regs + 4 * i, rreg(u, A_KMDATA));
    }
    for (int i = 0; i < 24; i++) {
        uint32_t v = rreg(u, 0xc0 + 4 * i);

        g_assert_false(contains(regs, 128, (uint8_t *)&v, 4) && v &&
                       contains(raw, 32, (uint8_t *)&v, 4));
    }
    g_assert_false(contains(regs, 128, raw, 8));
    g_assert_false(contains(regs, 128, ref, 8));
    /* Nor in the device's QOM properties */
    {
        g_autofree char *json = qom_props_json(u->dev.bus->qts);
        const uint8_t *keys[] = { raw, secret, ref };

        g_assert_nonnull(strstr(json, "\"wrapped-keys\": true"));
        for (int k = 0; k < ARRAY_SIZE(keys); k++) {
            g_autofree char *hex = g_strdup_printf(
                "%02x%02x%02x%02x", keys[k][0], keys[k][1], keys[k][2],
                keys[k][3]);

            g_assert_null(strstr(json, hex));
        }
    }
    /* Nor in the trace of the register accesses and commands */
    {
        g_autofree char *log = NULL;
        const uint8_t *keys[] = { raw, secret, ref };

        g_assert_true(g_file_get_contents(trace_path, &log, NULL, NULL));
        g_assert_nonnull(strstr(log, "ufs_crypto_km_cmd"));
        for (int k = 0; k < ARRAY_SIZE(keys); k++) {
            for (int i = 0; i < 32; i += 4) {
                g_autofree char *dw = g_strdup_printf(
                    "data 0x%" PRIx32 " ", ldl_le_p(keys[k] + i));

                g_assert_null(strstr(log, dw));
            }
        }
    }
    /* The keyslot can be evicted as any other */
    program_key(u, 5, 0, 0, ref, false);
    g_assert_cmpuint(rw(u, false, 2500, 1, got, &cr, 0x65), ==,
                     UFS_OCS_INVALID_CRYPTO_CONFIG);
    ufsc_exit(u);
}

/*
 * What the key manager refuses, each time with a status and a
 * guest-error line, and QEMU goes on: tampered, truncated and mistyped
 * wrapped keys, ephemeral keys from before a reset, bad keyslots and
 * capabilities, unknown commands.
 */
static void test_km_errors(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    QTestState *qts = u->dev.bus->qts;
    uint8_t raw[32], lt[128], eph[128], eph2[128], bad[128], out[128];
    uint8_t s1[128], s2[128];
    size_t n;

    ufsc_init(u, alloc, true);
    make_key(raw, sizeof(raw), 0x71);
    g_assert_cmpuint(km_cmd(u, KM_IMPORT, raw, 31, out, &n), ==,
                     KM_BAD_LENGTH);
    g_assert_cmpuint(n, ==, 0);
    g_assert_cmpuint(km_cmd(u, KM_IMPORT, raw, 32, lt, &n), ==, KM_OK);
    g_assert_cmpuint(km_cmd(u, KM_PREPARE, lt, KM_WRAPPED_LEN, eph, &n), ==,
                     KM_OK);

    for (int i = 0; i < KM_WRAPPED_LEN; i += 7) {
        memcpy(bad, lt, KM_WRAPPED_LEN);
        bad[i] ^= 0x10;
        g_assert_cmpuint(km_cmd(u, KM_PREPARE, bad, KM_WRAPPED_LEN, out, &n),
                         ==, KM_BAD_KEY);
        memcpy(bad, eph, KM_WRAPPED_LEN);
        bad[i] ^= 0x01;
        g_assert_cmpuint(km_cmd(u, KM_DERIVE, bad, KM_WRAPPED_LEN, out, &n),
                         ==, KM_BAD_KEY);
        g_assert_cmpuint(km_cmd(u, km_program_cmd(1, 0, 0x08), bad,
                                KM_WRAPPED_LEN, out, &n), ==, KM_BAD_KEY);
    }
    g_assert_cmpuint(km_cmd(u, KM_PREPARE, lt, KM_WRAPPED_LEN - 1, out, &n),
                     ==, KM_BAD_LENGTH);
    /* A long-term key where an ephemeral one is due, and the reverse */
    g_assert_cmpuint(km_cmd(u, KM_DERIVE, lt, KM_WRAPPED_LEN, out, &n), ==,
                     KM_BAD_KEY);
    g_assert_cmpuint(km_cmd(u, KM_PREPARE, eph, KM_WRAPPED_LEN, out, &n), ==,
                     KM_BAD_KEY);
    /* Keyslot out of range, CAPIDX of AES-128-XTS, DUSU not offered */
    g_assert_cmpuint(km_cmd(u, km_program_cmd(NSLOTS, 0, 0x08), eph,
                            KM_WRAPPED_LEN, out, &n), ==, KM_BAD_SLOT);
    g_assert_cmpuint(km_cmd(u, km_program_cmd(1, 1, 0x08), eph,
                            KM_WRAPPED_LEN, out, &n), ==, KM_BAD_SLOT);
    g_assert_cmpuint(km_cmd(u, km_program_cmd(1, 0, 0x03), eph,
                            KM_WRAPPED_LEN, out, &n), ==, KM_BAD_SLOT);
    g_assert_cmphex(rreg(u, cfg_addr(1, 16)), ==, 0);
    g_assert_cmpuint(km_cmd(u, 0, NULL, 0, out, &n), ==, KM_BAD_COMMAND);
    g_assert_cmpuint(km_cmd(u, 0xff, NULL, 0, out, &n), ==, KM_BAD_COMMAND);

    /* After a device reset the ephemeral key is refused; prepare again. */
    g_assert_cmpuint(km_cmd(u, KM_DERIVE, eph, KM_WRAPPED_LEN, s1, &n), ==,
                     KM_OK);
    ufsc_exit(u);
    qtest_system_reset(qts);
    ufsc_init(u, alloc, true);
    g_assert_cmpuint(km_cmd(u, KM_DERIVE, eph, KM_WRAPPED_LEN, out, &n), ==,
                     KM_BAD_KEY);
    g_assert_cmpuint(km_cmd(u, KM_PREPARE, lt, KM_WRAPPED_LEN, eph2, &n), ==,
                     KM_OK);
    g_assert_true(memcmp(eph, eph2, KM_WRAPPED_LEN));
    g_assert_cmpuint(km_cmd(u, KM_DERIVE, eph2, KM_WRAPPED_LEN, s2, &n), ==,
                     KM_OK);
    g_assert_cmpmem(s1, 32, s2, 32);
    ufsc_exit(u);
}

/*
 * A generated key (never seen raw) outlives the VM: a new QEMU with the
 * same secret object unwraps it to the same software secret; one with
 * another secret refuses it.  Without the key manager the registers are
 * upstream's reserved ones.
 */
static uint8_t km_secret(QUfsc *u, const uint8_t *lt, uint8_t *secret)
{
    uint8_t eph[128];
    size_t n;
    uint8_t st = km_cmd(u, KM_PREPARE, lt, KM_WRAPPED_LEN, eph, &n);

    if (st == KM_OK) {
        st = km_cmd(u, KM_DERIVE, eph, KM_WRAPPED_LEN, secret, &n);
    }
    return st;
}

/* The same in another QEMU with the same device */
static uint8_t km_secret_in(QUfsc *u, QTestState *qts, const uint8_t *lt,
                            uint8_t *secret)
{
    QTestState *old = u->dev.bus->qts;
    QPCIBar old_bar = u->bar;
    uint8_t st;

    u->dev.bus->qts = qts;
    qpci_device_enable(&u->dev);
    u->bar = qpci_iomap(&u->dev, 0, NULL);
    st = km_secret(u, lt, secret);
    u->bar = old_bar;
    u->dev.bus->qts = old;
    return st;
}

/*
 * The command line of this test's QEMU, for a second one with the secret
 * @secret (the LU's image is this one's: no image locking there)
 */
static QTestState *km_second_qemu(const char *secret)
{
    g_autoptr(GString) cmd = g_string_new(qos_get_current_command_line());
    g_autofree char *args = g_strdup(setup_args);
    char *p = strstr(args, KM_SECRET);

    g_assert_nonnull(p);
    memcpy(p, secret, strlen(KM_SECRET));
    g_string_append_printf(cmd, " %s", args);
    p = strstr(cmd->str, ",node-name=file1");
    g_assert_nonnull(p);
    g_string_insert(cmd, p - cmd->str, ",locking=off");
    return qtest_init(cmd->str);
}

static void test_km_restart(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    uint8_t lt[128], s1[128], s2[128];
    QTestState *qts;
    size_t n;

    ufsc_init(u, alloc, true);
    g_assert_cmpuint(km_cmd(u, KM_GENERATE, NULL, 0, lt, &n), ==, KM_OK);
    g_assert_cmpuint(n, ==, KM_WRAPPED_LEN);
    g_assert_cmpuint(km_secret(u, lt, s1), ==, KM_OK);

    qts = km_second_qemu(KM_SECRET);
    g_assert_cmpuint(km_secret_in(u, qts, lt, s2), ==, KM_OK);
    g_assert_cmpmem(s1, 32, s2, 32);
    qtest_quit(qts);

    qts = km_second_qemu(KM_SECRET2);
    g_assert_cmpuint(km_secret_in(u, qts, lt, s2), ==, KM_BAD_KEY);
    qtest_quit(qts);
    ufsc_exit(u);
}

/* Without wrapped-keys=on: the registers are upstream's reserved ones. */
static void test_km_off(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    uint8_t raw[32], out[128];
    size_t n;

    ufsc_init(u, alloc, true);
    g_assert_cmphex(rreg(u, A_KMCAP), ==, 0);
    make_key(raw, sizeof(raw), 0x81);
    g_assert_cmpuint(km_cmd(u, KM_IMPORT, raw, 32, out, &n), ==, KM_OK);
    g_assert_cmpuint(n, ==, 0);
    ufsc_exit(u);
}

/*
 * Migration: the source saves to a file, a destination QEMU with the same
 * command line (plus @extra) loads it, and @u then drives the destination.
 */
/* MIGRATION events are sent only with the events capability on. */
static void migration_events_on(QTestState *qts)
{
    qtest_qmp_assert_success(qts, "{ 'execute': 'migrate-set-capabilities', "
                             "'arguments': { 'capabilities': [ "
                             "{ 'capability': 'events', 'state': true } ] } }");
}

static char *migration_wait(QTestState *qts)
{
    /* QEMU's MIGRATION events, not a deadline: see wait_for_irq() */
    for (;;) {
        QDict *ev = qtest_qmp_eventwait_ref(qts, "MIGRATION");
        QDict *data = qdict_get_qdict(ev, "data");
        g_autofree char *status = g_strdup(qdict_get_try_str(data, "status"));

        qobject_unref(ev);
        if (status && (!strcmp(status, "completed") ||
                       !strcmp(status, "failed"))) {
            return g_steal_pointer(&status);
        }
    }
}

static QTestState *migrate_via_file(QUfsc *u, const char *extra,
                                    const char *expect)
{
    QTestState *src = u->dev.bus->qts, *dst;
    g_autofree char *file = g_strdup_printf("%s.mig", image_path);
    g_autofree char *uri = g_strdup_printf("file:%s", file);
    g_autofree char *st = NULL;

    migration_events_on(src);
    qtest_qmp_assert_success(src, "{ 'execute': 'migrate', 'arguments': "
                             "{ 'uri': %s } }", uri);
    st = migration_wait(src);
    g_assert_cmpstr(st, ==, "completed");
    g_free(st);

    dst = qtest_initf("%s %s %s -incoming defer",
                      qos_get_current_command_line(), setup_args, extra);
    migration_events_on(dst);
    qtest_qmp_assert_success(dst, "{ 'execute': 'migrate-incoming', "
                             "'arguments': { 'uri': %s, "
                             "'exit-on-error': false } }", uri);
    st = migration_wait(dst);
    unlink(file);
    g_assert_cmpstr(st, ==, expect);
    return dst;
}

static void migration_end(QUfsc *u, QTestState *src, QTestState *dst)
{
    u->dev.bus->qts = src;
    qtest_quit(dst);
    qos_invalidate_command_line();
}

/*
 * Keyslots, a key staged but not yet committed, HCE.CGE and the request
 * queues all carry over: the destination decrypts what the source wrote
 * without being given the key again, and commits the staged key.
 */
static void test_migrate(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    QTestState *src = u->dev.bus->qts, *dst;
    const size_t len = 4 * BLOCK_SIZE;
    g_autofree uint8_t *ptx = g_malloc(len);
    g_autofree uint8_t *expect = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);
    uint8_t key[64], key2[64], key64[64];
    Crypt cr = { .ce = true, .cci = 5, .dun = 77 };
    uint32_t ccap, cfg = 0;

    ufsc_init(u, alloc, true);
    ccap = rreg(u, A_CCAP);
    program_test_key(u, &aes256xts, 5, 4096, 0x31, key);
    fill_pattern(ptx, len, 0x31);
    g_assert_cmpuint(rw(u, true, 1400, 4, ptx, &cr, 3), ==, UFS_OCS_SUCCESS);

    /* Slot 9: key dwords written, the commit (dword 16) still to come */
    make_key(key2, 64, 0x52);
    key_field(&aes256xts, key2, key64);
    stage_key(u, 9, key64);

    dst = migrate_via_file(u, "", "completed");
    u->dev.bus->qts = dst;

    g_assert_cmpuint(rreg(u, A_CCAP), ==, ccap);
    g_assert_cmpuint(FIELD_EX32(rreg(u, A_HCE), HCE, CGE), ==, 1);
    g_assert_cmpuint(FIELD_EX32(rreg(u, cfg_addr(5, UFS_CRYPTOCFG_DW_CFG)),
                                CRYPTOCFG, CFGE), ==, 1);
    g_assert_cmpuint(rw(u, false, 1400, 4, got, &cr, 4), ==, UFS_OCS_SUCCESS);
    g_assert_cmpmem(got, len, ptx, len);

    cfg = FIELD_DP32(cfg, CRYPTOCFG, DUSU, 0x08);
    cfg = FIELD_DP32(cfg, CRYPTOCFG, CFGE, 1);
    wreg(u, cfg_addr(9, UFS_CRYPTOCFG_DW_CFG), cfg);
    cr.cci = 9;
    fill_pattern(ptx, len, 0x52);
    g_assert_cmpuint(rw(u, true, 1420, 4, ptx, &cr, 5), ==, UFS_OCS_SUCCESS);
    ref_crypt(&aes256xts, key2, 4096, 77, ptx, expect, len, true);
    image_read(1420, got, len);
    g_assert_cmpmem(got, len, expect, len);

    ufsc_exit(u);
    migration_end(u, src, dst);
}

/*
 * A request caught by migration.  With the drive throttled, the write is
 * still in the backend when the VM stops; the drain that stops the VM
 * completes it, and the destination writes its completion back.  With
 * the VM stopped before the doorbell, the request has not even been
 * fetched, and the destination executes it when it runs.  Either way the
 * destination finishes a request whose doorbell it never saw rung, as its
 * trace shows (doorbell mode: in MCQ mode only the result is checked).
 */
static char *inflight_log;
static QTestState *inflight_dst;
static bool inflight_stopped;

static void migrate_now(QUfsc *u)
{
    g_autofree char *extra = g_strdup_printf("-D %s -trace ufs_process_db "
                                             "-trace ufs_process_req "
                                             "-trace ufs_sendback_req",
                                             inflight_log);

    inflight_dst = migrate_via_file(u, extra, "completed");
    u->dev.bus->qts = inflight_dst;
    if (inflight_stopped) {
        qtest_qmp_assert_success(inflight_dst, "{ 'execute': 'cont' }");
    }
}

static void test_migrate_inflight(void *obj, void *data,
                                  QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    QTestState *src = u->dev.bus->qts;
    const size_t len = 8 * BLOCK_SIZE;
    g_autofree uint8_t *ptx = g_malloc(len);
    g_autofree uint8_t *expect = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);
    g_autofree char *log = NULL;
    uint8_t key[64];
    Crypt cr = { .ce = true, .cci = 2, .dun = 1000 };
    int fd;

    inflight_stopped = data && *(const bool *)data;
    fd = g_file_open_tmp("qtest-ufs-crypto-log.XXXXXX", &inflight_log, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);

    ufsc_init(u, alloc, true);
    program_test_key(u, &aes256xts, 2, 4096, 0x77, key);
    /* A first write (it empties the throttle's bucket, if any) */
    fill_pattern(ptx, len, 0x76);
    g_assert_cmpuint(rw(u, true, 1500, 8, ptx, &cr, 6), ==, UFS_OCS_SUCCESS);
    /* The second is caught by migration. */
    if (inflight_stopped) {
        qtest_qmp_assert_success(src, "{ 'execute': 'stop' }");
    }
    u->after_submit = migrate_now;
    fill_pattern(ptx, len, 0x77);
    g_assert_cmpuint(rw(u, true, 1500, 8, ptx, &cr, 7), ==, UFS_OCS_SUCCESS);
    u->after_submit = NULL;

    ref_crypt(&aes256xts, key, 4096, 1000, ptx, expect, len, true);
    image_read(1500, got, len);
    g_assert_cmpmem(got, len, expect, len);
    g_assert_true(g_file_get_contents(inflight_log, &log, NULL, NULL));
    if (!u->mcq) {
        /* Written back on the destination before any doorbell there */
        g_assert_true(g_str_has_prefix(log, inflight_stopped ?
                                       "ufs_process_req" :
                                       "ufs_sendback_req"));
    }
    /* Still usable: read back through the engine */
    g_assert_cmpuint(rw(u, false, 1500, 8, got, &cr, 8), ==, UFS_OCS_SUCCESS);
    g_assert_cmpmem(got, len, ptx, len);
    unlink(inflight_log);
    g_free(inflight_log);

    ufsc_exit(u);
    migration_end(u, src, inflight_dst);
}

/*
 * A host reset as Linux does one (HCE 1 -> 0, then the whole bring-up,
 * queues included, at new addresses): the controller comes back and
 * encrypts again.  In MCQ mode this needs the queues reset with HCE.
 */
static void test_host_reset(void *obj, void *data, QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    QUfsc old;

    ufsc_init(u, alloc, true);
    check_rw(u, &aes256xts, 4096, 4, 0x90, 1900, 3, 0x91);
    wreg(u, A_HCE, 0);
    /* Keep the old queues allocated, so that the new ones move. */
    old = *u;
    qpci_iounmap(&u->dev, u->bar);
    ufsc_init(u, alloc, true);
    g_assert_cmpuint(u->mcq ? u->sqlba : u->utrlba, !=,
                     u->mcq ? old.sqlba : old.utrlba);
    check_rw(u, &aes256xts, 4096, 4, 0x92, 1910, 3, 0x93);
    ufsc_exit(u);
    old.bar = qpci_iomap(&u->dev, 0, NULL);
    ufsc_exit(&old);
}

/*
 * A request the VM stopped on, held for a retry after an I/O error (ENOSPC
 * stops the VM by default), cannot be migrated: the migration fails, and
 * the request completes once the VM runs again.
 */
static void migrate_refused(QUfsc *u)
{
    QTestState *qts = u->dev.bus->qts;
    g_autofree char *file = g_strdup_printf("%s.mig", image_path);
    g_autofree char *uri = g_strdup_printf("file:%s", file);
    g_autofree char *st = NULL;
    QDict *rsp;

    qtest_qmp_eventwait(qts, "STOP");
    rsp = qtest_qmp_assert_success_ref(qts, "{ 'execute': 'query-status' }");
    g_assert_cmpstr(qdict_get_str(rsp, "status"), ==, "io-error");
    qobject_unref(rsp);

    migration_events_on(qts);
    qtest_qmp_assert_success(qts, "{ 'execute': 'migrate', 'arguments': "
                             "{ 'uri': %s } }", uri);
    st = migration_wait(qts);
    g_assert_cmpstr(st, ==, "failed");
    unlink(file);
    /*
     * The "failed" event comes from the migration thread; the main loop
     * cleans the migration up after it, and until then 'cont' is refused
     * as "not finalized yet".  Each QMP command is a turn of the main
     * loop, so asking again is enough: no timing is involved.
     */
    for (;;) {
        QDict *err;

        rsp = qtest_qmp(qts, "{ 'execute': 'cont' }");
        err = qdict_get_qdict(rsp, "error");
        if (!err) {
            g_assert(qdict_haskey(rsp, "return"));
            qobject_unref(rsp);
            break;
        }
        g_assert_cmpstr(qdict_get_str(err, "desc"), ==,
                        "Migration is not finalized yet");
        qobject_unref(rsp);
    }
}

static void test_migrate_refused(void *obj, void *data,
                                 QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    const size_t len = 2 * BLOCK_SIZE;
    uint8_t ptx[2 * BLOCK_SIZE], expect[2 * BLOCK_SIZE], got[2 * BLOCK_SIZE];
    uint8_t key[64];
    Crypt cr = { .ce = true, .cci = 3, .dun = 5 };

    ufsc_init(u, alloc, true);
    program_test_key(u, &aes256xts, 3, 4096, 0x33, key);
    fill_pattern(ptx, len, 0x33);
    u->after_submit = migrate_refused;
    g_assert_cmpuint(rw(u, true, 1700, 2, ptx, &cr, 9), ==, UFS_OCS_SUCCESS);
    u->after_submit = NULL;

    ref_crypt(&aes256xts, key, 4096, 5, ptx, expect, len, true);
    image_read(1700, got, len);
    g_assert_cmpmem(got, len, expect, len);
    ufsc_exit(u);
}

/* A destination with other keyslots refuses the state; the source goes on. */
static void test_migrate_mismatch(void *obj, void *data,
                                  QGuestAllocator *alloc)
{
    QUfsc *u = obj;
    QTestState *src = u->dev.bus->qts, *dst;
    uint8_t key[64];

    ufsc_init(u, alloc, true);
    program_test_key(u, &aes256xts, 1, 4096, 0x11, key);

    /* The test's -device does not set keyslots: the global applies. */
    dst = migrate_via_file(u, "-global ufs-crypto.keyslots=16", "failed");
    qtest_quit(dst);

    qtest_qmp_assert_success(src, "{ 'execute': 'cont' }");
    check_rw(u, &aes256xts, 4096, 1, 5, 1600, 1, 0x12);
    ufsc_exit(u);
    qos_invalidate_command_line();
}

static void drive_destroy(void *path)
{
    unlink(path);
    g_free(path);
    image_path = NULL;
    qos_invalidate_command_line();
}

/*
 * Make the test image and put LU 1 on it: node "file1", under the nodes
 * @filter adds, if any; @top is the node the LU uses.
 */
static void setup_lu(GString *cmd_line, const char *filter, const char *top)
{
    int fd = g_file_open_tmp("qtest-ufs-crypto.XXXXXX", &image_path, NULL);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, TEST_IMAGE_SIZE), ==, 0);
    close(fd);
    g_test_queue_destroy(drive_destroy, image_path);

    g_free(setup_args);
    setup_args = g_strdup_printf(" -blockdev file,filename=%s,node-name=file1 "
                                 "%s -device ufs-lu,bus=ufs0,drive=%s,lun=%d ",
                                 image_path, filter, top, TEST_LUN);
    g_string_append(cmd_line, setup_args);
}

static void *ufsc_setup(GString *cmd_line, void *arg)
{
    setup_lu(cmd_line, "", "file1");
    return arg;
}

static void trace_destroy(void *path)
{
    unlink(path);
    g_free(path);
    trace_path = NULL;
}

static void *ufsc_setup_traced(GString *cmd_line, void *arg)
{
    int fd = g_file_open_tmp("qtest-ufs-crypto-trace.XXXXXX", &trace_path,
                             NULL);

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_test_queue_destroy(trace_destroy, trace_path);
    setup_lu(cmd_line, "", "file1");
    g_string_append_printf(cmd_line, " -D %s -trace ufs_mmio_write ",
                           trace_path);
    return arg;
}

/* The key manager on, its long-term wrapping key from a secret object */
static void *ufsc_setup_km(GString *cmd_line, void *arg)
{
    char *lu_args;

    ufsc_setup_traced(cmd_line, arg);
    g_string_append(cmd_line,
                    " -trace ufs_mmio_read -trace ufs_crypto_km_cmd ");
    g_string_append(cmd_line, " -object secret,id=kmsec,data=" KM_SECRET " ");
    lu_args = setup_args;
    setup_args = g_strdup_printf("%s -object secret,id=kmsec,data=" KM_SECRET
                                 " ", lu_args);
    g_free(lu_args);
    return arg;
}

/* The LU's drive goes through a throttle that only a drain lets through. */
static void *ufsc_setup_throttled(GString *cmd_line, void *arg)
{
    setup_lu(cmd_line, "-object throttle-group,id=tg1,x-bps-write=4096 "
             "-blockdev throttle,node-name=drv1,file=file1,throttle-group=tg1",
             "drv1");
    return arg;
}

/* The LU's first write fails with ENOSPC, once. */
static void *ufsc_setup_enospc(GString *cmd_line, void *arg)
{
    setup_lu(cmd_line, "-blockdev blkdebug,node-name=drv1,image=file1,"
             "inject-error.0.event=pwritev,inject-error.0.errno=28,"
             "inject-error.0.once=on", "drv1");
    return arg;
}

static void *ufsc_get_driver(void *obj, const char *interface)
{
    QUfsc *u = obj;

    if (!g_strcmp0(interface, "pci-device")) {
        return &u->dev;
    }
    g_assert_not_reached();
}

static void *ufsc_create(void *pci_bus, QGuestAllocator *alloc, void *addr)
{
    QUfsc *u = g_new0(QUfsc, 1);

    qpci_device_init(&u->dev, pci_bus, addr);
    u->obj.get_driver = ufsc_get_driver;
    return &u->obj;
}

static void ufsc_register_nodes(void)
{
    QOSGraphEdgeOptions edge_opts = {
        .before_cmd_line = "-blockdev null-co,node-name=drv0,read-zeroes=on",
        .after_cmd_line = "-device ufs-lu,bus=ufs0,drive=drv0,lun=0",
        .extra_device_opts = "addr=04.0,id=ufs0"
    };
    QOSGraphTestOptions sdb = {
        .before = ufsc_setup,
        .edge.extra_device_opts = "mcq=false",
    };
    QOSGraphTestOptions mcq = {
        .before = ufsc_setup,
        .edge.extra_device_opts = "mcq=true,mcq-maxq=1",
    };
    QOSGraphTestOptions sdb_throttled = {
        .before = ufsc_setup_throttled,
        .edge.extra_device_opts = "mcq=false",
    };
    QOSGraphTestOptions mcq_throttled = {
        .before = ufsc_setup_throttled,
        .edge.extra_device_opts = "mcq=true,mcq-maxq=1",
    };
    QOSGraphTestOptions sdb_traced = {
        .before = ufsc_setup_traced,
        .edge.extra_device_opts = "mcq=false",
    };
    QOSGraphTestOptions sdb_km = {
        .before = ufsc_setup_km,
        .edge.extra_device_opts = "mcq=false,wrapped-keys=on,"
                                  "wrapping-key-secret=kmsec",
    };
    QOSGraphTestOptions sdb_enospc = {
        .before = ufsc_setup_enospc,
        .edge.extra_device_opts = "mcq=false",
    };
    static const bool stopped = true;
    QOSGraphTestOptions sdb_stopped = {
        .before = ufsc_setup,
        .arg = (void *)&stopped,
        .edge.extra_device_opts = "mcq=false",
    };
    QOSGraphTestOptions mcq_stopped = {
        .before = ufsc_setup,
        .arg = (void *)&stopped,
        .edge.extra_device_opts = "mcq=true,mcq-maxq=1",
    };
    QOSGraphTestOptions restricted = {
        .before = ufsc_setup,
        .edge.extra_device_opts = "mcq=false,data-unit-sizes=0x89",
    };

    add_qpci_address(&edge_opts, &(QPCIAddress){ .devfn = QPCI_DEVFN(4, 0) });
    qos_node_create_driver("ufs-crypto", ufsc_create);
    qos_node_consumes("ufs-crypto", "pci-bus", &edge_opts);
    qos_node_produces("ufs-crypto", "pci-device");

    if (!strcmp(qtest_get_arch(), "ppc64")) {
        return;
    }
    qos_add_test("regs", "ufs-crypto", test_regs, &sdb);
    qos_add_test("sdb-xts256", "ufs-crypto", test_xts256, &sdb);
    qos_add_test("mcq-xts256", "ufs-crypto", test_xts256, &mcq);
    qos_add_test("sdb-xts128", "ufs-crypto", test_xts128, &sdb);
    qos_add_test("mcq-xts128", "ufs-crypto", test_xts128, &mcq);
    qos_add_test("sdb-essiv", "ufs-crypto", test_essiv, &sdb);
    qos_add_test("mcq-essiv", "ufs-crypto", test_essiv, &mcq);
    qos_add_test("p1619-vector", "ufs-crypto", test_p1619, &sdb);
    qos_add_test("plaintext", "ufs-crypto", test_plaintext, &mcq);
    qos_add_test("bad-input", "ufs-crypto", test_bad_input, &restricted);
    qos_add_test("cge-off", "ufs-crypto", test_cge_off, &sdb);
    qos_add_test("keys-survive-enable", "ufs-crypto",
                 test_keys_survive_enable, &sdb);
    qos_add_test("mmio-abuse", "ufs-crypto", test_mmio_abuse, &sdb);
    qos_add_test("odd-prdt", "ufs-crypto", test_odd_prdt, &mcq);
    qos_add_test("dun-wrap", "ufs-crypto", test_dun_wrap, &sdb);
    qos_add_test("sdb-empty-prdt", "ufs-crypto", test_empty_prdt, &sdb);
    qos_add_test("mcq-empty-prdt", "ufs-crypto", test_empty_prdt, &mcq);
    qos_add_test("sdb-inflight-rekey", "ufs-crypto", test_inflight_rekey,
                 &sdb);
    qos_add_test("mcq-inflight-rekey", "ufs-crypto", test_inflight_rekey,
                 &mcq);
    qos_add_test("sdb-overlap", "ufs-crypto", test_overlap, &sdb_throttled);
    qos_add_test("mcq-overlap", "ufs-crypto", test_overlap, &mcq_throttled);
    qos_add_test("sdb-big-write", "ufs-crypto", test_big_write, &sdb);
    qos_add_test("mcq-big-write", "ufs-crypto", test_big_write, &mcq);
    qos_add_test("ce-opcodes", "ufs-crypto", test_ce_opcodes, &sdb);
    qos_add_test("long-prdt", "ufs-crypto", test_long_prdt, &mcq);
    qos_add_test("hce-toggle-in-flight", "ufs-crypto", test_hce_toggle, &sdb);
    qos_add_test("sdb-host-reset", "ufs-crypto", test_host_reset, &sdb);
    qos_add_test("mcq-host-reset", "ufs-crypto", test_host_reset, &mcq);
    qos_add_test("reset-drops-keys", "ufs-crypto", test_reset_drops_keys,
                 &sdb);
    qos_add_test("no-key-in-monitor", "ufs-crypto", test_no_key_in_monitor,
                 &sdb_traced);
    qos_add_test("km-program", "ufs-crypto", test_km_program, &sdb_km);
    qos_add_test("km-errors", "ufs-crypto", test_km_errors, &sdb_km);
    qos_add_test("km-restart", "ufs-crypto", test_km_restart, &sdb_km);
    qos_add_test("km-off", "ufs-crypto", test_km_off, &sdb);
    qos_add_test("sdb-migrate", "ufs-crypto", test_migrate, &sdb);
    qos_add_test("mcq-migrate", "ufs-crypto", test_migrate, &mcq);
    qos_add_test("sdb-migrate-in-flight", "ufs-crypto",
                 test_migrate_inflight, &sdb_throttled);
    qos_add_test("mcq-migrate-in-flight", "ufs-crypto",
                 test_migrate_inflight, &mcq_throttled);
    qos_add_test("sdb-migrate-stopped", "ufs-crypto",
                 test_migrate_inflight, &sdb_stopped);
    qos_add_test("mcq-migrate-stopped", "ufs-crypto",
                 test_migrate_inflight, &mcq_stopped);
    qos_add_test("migrate-refused-on-io-error", "ufs-crypto",
                 test_migrate_refused, &sdb_enospc);
    qos_add_test("migrate-keyslots-mismatch", "ufs-crypto",
                 test_migrate_mismatch, &sdb);
}

libqos_init(ufsc_register_nodes);
