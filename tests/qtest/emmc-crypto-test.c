/*
 * QTest testcase for the eMMC with inline encryption (-device emmc-crypto)
 *
 * The test drives the controller as Linux's sdhci, cqhci-core and
 * cqhci-crypto do: it brings the card up with legacy SDHCI commands,
 * enables command queueing on it, programs keyslots in the order
 * cqhci_crypto_program_key() uses, and runs tasks through the CQHCI task
 * descriptor list.  What reaches the image is compared with ciphertext
 * computed by OpenSSL, a library the device does not use.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/module.h"
#include "qemu/bswap.h"
#include "qemu/units.h"
#include "libqtest.h"
#include "libqos/qgraph.h"
#include "libqos/pci.h"
#include "qobject/qdict.h"
#include <openssl/evp.h>

/* A command queueing eMMC is sector addressed: more than 2 GiB */
#define IMAGE_SIZE      (4 * GiB)
#define NSLOTS          32
#define RCA             1

/* SDHCI */
#define SDHC_ARGUMENT   0x08
#define SDHC_CMDREG     0x0e
#define SDHC_RSPREG0    0x10
#define SDHC_HOSTCTL    0x28
#define SDHC_PWRCON     0x29
#define SDHC_CLKCON     0x2c
#define SDHC_NORINTSTS  0x30
#define SDHC_ERRINTSTS  0x32
#define SDHC_NORINTSTSEN 0x34
#define SDHC_ERRINTSTSEN 0x36
#define SDHC_NIS_CMDCMP 0x0001
#define SDHC_NIS_CQE    0x4000
#define SDHC_EIS_ADMAERR 0x0200
#define SDHC_CTRL_ADMA2_32 0x10
#define SDHC_CTRL_ADMA2_64 0x18
#define RSP_NONE        0
#define RSP_136         1
#define RSP_48          2
#define RSP_48_BUSY     3
#define SDHC_SWRST      0x2f
#define SDHC_RESET_CMD_DATA 0x06

/* The card status (R1) */
#define R1_ERRORS       0xfdf98080u
#define R1_STATE(r)     (((r) >> 9) & 0xf)
#define R1_STATE_TRAN   4
#define R1_STATE_DATA   5
#define R1_STATE_RCV    6

/* CQHCI, from BAR0 */
#define CQ              0x200
#define CQ_VER          (CQ + 0x00)
#define CQ_CAP          (CQ + 0x04)
#define CQ_CFG          (CQ + 0x08)
#define CQ_CTL          (CQ + 0x0c)
#define CQ_IS           (CQ + 0x10)
#define CQ_ISTE         (CQ + 0x14)
#define CQ_ISGE         (CQ + 0x18)
#define CQ_TDLBA        (CQ + 0x20)
#define CQ_TDLBAU       (CQ + 0x24)
#define CQ_TDBR         (CQ + 0x28)
#define CQ_TCN          (CQ + 0x2c)
#define CQ_TCLR         (CQ + 0x38)
#define CQ_TDPE         (CQ + 0x3c)
#define CQ_SSC2         (CQ + 0x44)
#define CQ_CRDCT        (CQ + 0x48)
#define CQ_TERRI        (CQ + 0x54)
#define CQ_CCAP         (CQ + 0x100)
#define CQ_CRYPTOCAP    (CQ + 0x104)
#define CQ_KEYSLOTS     (CQ + 0x400)

#define CFG_ENABLE      0x1
#define CFG_CGE         0x2
#define CFG_TDS         0x100
#define CFG_DCMD        0x1000
#define CTL_HALT        0x1
#define CTL_CLEAR_ALL   0x100
#define IS_HAC          0x01
#define IS_TCC          0x02
#define IS_RED          0x04
#define IS_TCL          0x08
#define IS_GCE          0x10
#define IS_ICCE         0x20
#define IS_ERRORS       (IS_RED | IS_GCE | IS_ICCE)
#define TERRI_C_VALID   (1u << 15)
#define TERRI_D_VALID   (1u << 31)

#define DESC_VALID      0x1
#define DESC_END        0x2
#define DESC_INT        0x4
#define DESC_ACT(a)     ((a) << 3)
#define ACT_TRAN        0x4
#define ACT_TASK        0x5
#define ACT_LINK        0x6

typedef struct QEmmc {
    QOSGraphObject obj;
    QPCIDevice dev;
    QPCIBar bar;
    QGuestAllocator *alloc;
    bool dma32;
    uint64_t tdl;       /* the task descriptor list */
    uint64_t lists;     /* transfer lists, one page per task */
    uint64_t data;      /* data buffers */
} QEmmc;

/* One segment of a task's transfer list */
typedef struct Seg {
    uint64_t addr;
    uint32_t len;       /* as written in the descriptor: 0 is 64 KiB */
    uint32_t attr;      /* extra attribute bits, or replaces them if set */
} Seg;

/* A task as the test builds it */
typedef struct Task {
    int tag;
    bool read;
    uint32_t sector;
    uint32_t blocks;
    bool ce;
    uint32_t cci;
    uint32_t dun;
    /* Defaults: one segment covering the data buffer */
    const Seg *segs;
    int nsegs;
    uint64_t td_lo_override;    /* if non-zero: written as bits 63:0 */
    uint32_t link_attr;         /* if non-zero: the link's attributes */
    uint64_t link_addr;         /* if non-zero: the link's target */
} Task;

static char *image_path;
/* What emmc_setup() added to the command line qos-test built */
static char *setup_args;
/* The CQHCI's register writes traced into this file (emmc_setup_traced) */
static char *trace_path;

static uint32_t rreg(QEmmc *e, uint64_t off)
{
    return qpci_io_readl(&e->dev, e->bar, off);
}

static void wreg(QEmmc *e, uint64_t off, uint32_t val)
{
    qpci_io_writel(&e->dev, e->bar, off, val);
}

static QTestState *qts_of(QEmmc *e)
{
    return e->dev.bus->qts;
}

/*
 * The card, through legacy SDHCI commands
 */

static uint32_t sd_cmd(QEmmc *e, uint8_t idx, uint32_t arg, int rsp)
{
    qpci_io_writel(&e->dev, e->bar, SDHC_ARGUMENT, arg);
    qpci_io_writew(&e->dev, e->bar, SDHC_CMDREG, idx << 8 | rsp);
    g_assert(qpci_io_readw(&e->dev, e->bar, SDHC_NORINTSTS) &
             SDHC_NIS_CMDCMP);
    qpci_io_writew(&e->dev, e->bar, SDHC_NORINTSTS, 0xffff);
    return qpci_io_readl(&e->dev, e->bar, SDHC_RSPREG0);
}

/* What Linux's mmc_attach_mmc() and mmc_cmdq_enable() do, in short */
static void card_init(QEmmc *e)
{
    uint32_t r;

    qpci_io_writeb(&e->dev, e->bar, SDHC_PWRCON, 0x0f);
    qpci_io_writew(&e->dev, e->bar, SDHC_CLKCON, 0x0005);
    qpci_io_writew(&e->dev, e->bar, SDHC_NORINTSTSEN, 0xffff);
    qpci_io_writew(&e->dev, e->bar, SDHC_ERRINTSTSEN, 0xffff);

    sd_cmd(e, 0, 0, RSP_NONE);
    r = sd_cmd(e, 1, 0x40ff8080, RSP_48);           /* OCR, sector mode */
    g_assert_cmphex(r & 0xc0000000, ==, 0xc0000000); /* ready, sector */
    sd_cmd(e, 2, 0, RSP_136);
    sd_cmd(e, 3, RCA << 16, RSP_48);
    sd_cmd(e, 7, RCA << 16, RSP_48_BUSY);
    /* CMD6 WRITE_BYTE EXT_CSD[15] CMDQ_MODE_EN = 1 */
    r = sd_cmd(e, 6, 3 << 24 | 15 << 16 | 1 << 8, RSP_48_BUSY);
    g_assert_cmphex(r & 0xfdf9a080, ==, 0);
    r = sd_cmd(e, 13, RCA << 16, RSP_48);
    g_assert_cmphex(r & 0xfdf9a080, ==, 0);
}

/*
 * The command queueing engine, as cqhci-core.c's __cqhci_enable()
 */

static unsigned desc_len(QEmmc *e)
{
    return e->dma32 ? 8 : 16;
}

static unsigned slot_size(QEmmc *e)
{
    return 16 + desc_len(e);
}

static void cqe_enable(QEmmc *e, bool cge)
{
    uint32_t cfg = CFG_TDS | CFG_DCMD | (cge ? CFG_CGE : 0);

    qpci_io_writeb(&e->dev, e->bar, SDHC_HOSTCTL,
                   e->dma32 ? SDHC_CTRL_ADMA2_32 : SDHC_CTRL_ADMA2_64);
    wreg(e, CQ_CFG, cfg);
    wreg(e, CQ_TDLBA, e->tdl);
    wreg(e, CQ_TDLBAU, e->tdl >> 32);
    wreg(e, CQ_SSC2, RCA);
    wreg(e, CQ_ISTE, 0);
    wreg(e, CQ_ISGE, 0);
    wreg(e, CQ_CFG, cfg | CFG_ENABLE);
    if (rreg(e, CQ_CTL) & CTL_HALT) {
        wreg(e, CQ_CTL, 0);
    }
    wreg(e, CQ_ISTE, 0x3f);
    wreg(e, CQ_ISGE, 0x3f);
}

static uint64_t keyslot(uint32_t slot, uint32_t dw)
{
    return CQ_KEYSLOTS + slot * 128 + dw * 4;
}

/* cqhci_crypto_program_key(): an AES-256-XTS key, 4096-byte data units */
static void program_key(QEmmc *e, uint32_t slot, const uint8_t *key64,
                        uint8_t dusu)
{
    wreg(e, keyslot(slot, 16), 0);
    for (int i = 0; i < 16; i++) {
        wreg(e, keyslot(slot, i), ldl_le_p(key64 + 4 * i));
    }
    wreg(e, keyslot(slot, 17), 0);
    wreg(e, keyslot(slot, 16), dusu | 0 << 8 | 1u << 31);
}

static void evict_key(QEmmc *e, uint32_t slot)
{
    wreg(e, keyslot(slot, 16), 0);
    for (int i = 0; i < 16; i++) {
        wreg(e, keyslot(slot, i), 0);
    }
    wreg(e, keyslot(slot, 17), 0);
    wreg(e, keyslot(slot, 16), 0);
}

static void emmc_init(QEmmc *e, QGuestAllocator *alloc, bool cge)
{
    uint64_t size;

    qpci_device_enable(&e->dev);
    e->bar = qpci_iomap(&e->dev, 0, &size);
    g_assert_cmpuint(size, >=, 0x2000);
    e->alloc = alloc;
    e->tdl = guest_alloc(alloc, 32 * 32);
    e->lists = guest_alloc(alloc, 32 * 4096);
    e->data = guest_alloc(alloc, 1 * MiB);
    card_init(e);
    for (int i = 0; i < NSLOTS; i++) {
        evict_key(e, i);
    }
    cqe_enable(e, cge);
}

static void write_desc(QEmmc *e, uint64_t at, uint32_t attr, uint64_t addr)
{
    uint8_t d[16] = { 0 };

    stl_le_p(d, attr);
    if (e->dma32) {
        stl_le_p(d + 4, addr);
    } else {
        stq_le_p(d + 4, addr);
    }
    qtest_memwrite(qts_of(e), at, d, desc_len(e));
}

/* Write the task's descriptors and ring its doorbell. */
static void submit(QEmmc *e, const Task *t)
{
    uint64_t slot = e->tdl + t->tag * slot_size(e);
    uint64_t list = e->lists + t->tag * 4096;
    Seg one = { .addr = e->data, .len = t->blocks * 512 };
    const Seg *segs = t->segs ?: &one;
    int nsegs = t->segs ? t->nsegs : 1;
    uint8_t td[16];
    uint64_t lo;

    lo = DESC_VALID | DESC_END | DESC_INT | DESC_ACT(ACT_TASK) |
         (t->read ? 1ull << 12 : 0) | (uint64_t)t->blocks << 16 |
         (uint64_t)t->sector << 32;
    stq_le_p(td, t->td_lo_override ?: lo);
    stq_le_p(td + 8, (t->ce ? 1ull << 47 : 0) | (uint64_t)t->cci << 32 |
                     t->dun);
    qtest_memwrite(qts_of(e), slot, td, sizeof(td));
    write_desc(e, slot + 16,
               t->link_attr ?: DESC_VALID | DESC_ACT(ACT_LINK),
               t->link_addr ?: list);
    for (int i = 0; i < nsegs; i++) {
        uint32_t attr = segs[i].attr ?: DESC_VALID | DESC_ACT(ACT_TRAN) |
                        (i == nsegs - 1 ? DESC_END : 0);

        write_desc(e, list + i * desc_len(e),
                   attr | (segs[i].len & 0xffff) << 16, segs[i].addr);
    }
    wreg(e, CQ_TDBR, 1u << t->tag);
}

/* Wait for the task to complete or fail; returns IS. */
static uint32_t wait_task(QEmmc *e, int tag)
{
    uint32_t is;

    /* No deadline: the task either completes or reports an error. */
    for (;;) {
        is = rreg(e, CQ_IS);
        if ((rreg(e, CQ_TCN) & (1u << tag)) || (is & IS_ERRORS) ||
            (qpci_io_readw(&e->dev, e->bar, SDHC_ERRINTSTS))) {
            break;
        }
        qtest_clock_step(qts_of(e), 100);
    }
    return is;
}

/* Run a task that must succeed. */
static void run_ok(QEmmc *e, const Task *t)
{
    submit(e, t);
    g_assert_cmphex(wait_task(e, t->tag) & IS_ERRORS, ==, 0);
    g_assert_cmphex(rreg(e, CQ_TCN) & (1u << t->tag), ==, 1u << t->tag);
    g_assert_cmphex(rreg(e, CQ_TDBR) & (1u << t->tag), ==, 0);
    /* Like cqhci_irq(): TCC, then the completed tasks */
    g_assert_cmphex(qpci_io_readw(&e->dev, e->bar, SDHC_NORINTSTS) &
                    SDHC_NIS_CQE, ==, SDHC_NIS_CQE);
    wreg(e, CQ_IS, rreg(e, CQ_IS));
    wreg(e, CQ_TCN, 1u << t->tag);
    g_assert_cmphex(qpci_io_readw(&e->dev, e->bar, SDHC_NORINTSTS) &
                    SDHC_NIS_CQE, ==, 0);
}

/* What Linux's recovery does after an error: halt, clear all, resume. */
static void recover(QEmmc *e)
{
    wreg(e, CQ_CTL, CTL_HALT);
    g_assert(rreg(e, CQ_IS) & IS_HAC);
    wreg(e, CQ_CTL, CTL_HALT | CTL_CLEAR_ALL);
    g_assert_cmphex(rreg(e, CQ_CTL), ==, CTL_HALT);
    g_assert(rreg(e, CQ_IS) & IS_TCL);
    g_assert_cmphex(rreg(e, CQ_TDBR), ==, 0);
    g_assert_cmphex(rreg(e, CQ_TDPE), ==, 0);
    g_assert_cmphex(rreg(e, CQ_TERRI), ==, 0);
    wreg(e, CQ_IS, rreg(e, CQ_IS));
    qpci_io_writew(&e->dev, e->bar, SDHC_ERRINTSTS, 0xffff);
    wreg(e, CQ_CTL, 0);
}

/*
 * The image and the reference cipher
 */

static void image_read(uint64_t off, void *buf, size_t len)
{
    int fd = open(image_path, O_RDONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pread(fd, buf, len, off), ==, len);
    close(fd);
}

static void image_write(uint64_t off, const void *buf, size_t len)
{
    int fd = open(image_path, O_WRONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, buf, len, off), ==, len);
    close(fd);
}

/* AES-256-XTS with OpenSSL: data unit k has the tweak le128(dun + k) */
static void ref_xts(const uint8_t *key64, uint64_t dun, uint32_t du,
                    const uint8_t *in, uint8_t *out, size_t len, bool enc)
{
    for (size_t off = 0; off < len; off += du, dun++) {
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        uint8_t iv[16] = { 0 };
        int outl;

        stq_le_p(iv, dun);
        g_assert_cmpint(EVP_CipherInit_ex(ctx, EVP_aes_256_xts(), NULL,
                                          key64, iv, enc), ==, 1);
        g_assert_cmpint(EVP_CipherUpdate(ctx, out + off, &outl, in + off,
                                         du), ==, 1);
        g_assert_cmpint(outl, ==, du);
        EVP_CIPHER_CTX_free(ctx);
    }
}

static void fill(uint8_t *buf, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = seed + i * 7 + (i >> 9);
    }
}

static const uint8_t key_a[64] = {
    0x27, 0x18, 0x28, 0x18, 0x28, 0x45, 0x90, 0x45, 0x23, 0x53, 0x60, 0x28,
    0x74, 0x71, 0x35, 0x26, 0x62, 0x49, 0x77, 0x57, 0x24, 0x70, 0x93, 0x69,
    0x99, 0x59, 0x57, 0x49, 0x66, 0x96, 0x76, 0x27, 0x31, 0x41, 0x59, 0x26,
    0x53, 0x58, 0x97, 0x93, 0x23, 0x84, 0x62, 0x64, 0x33, 0x83, 0x27, 0x95,
    0x02, 0x88, 0x41, 0x97, 0x16, 0x93, 0x99, 0x37, 0x51, 0x05, 0x82, 0x09,
    0x74, 0x94, 0x45, 0x92,
};

/*
 * Tests
 */

static void test_regs(void *obj, void *data, QGuestAllocator *alloc)
{
    QEmmc *e = obj;
    uint32_t ccap;

    emmc_init(e, alloc, true);
    g_assert_cmphex(rreg(e, CQ_VER), ==, 0x510);
    g_assert_cmphex(rreg(e, CQ_CAP) & (1u << 28), ==, 1u << 28);
    ccap = rreg(e, CQ_CCAP);
    g_assert_cmpuint(ccap & 0xff, ==, 1);                   /* CC */
    g_assert_cmpuint((ccap >> 8) & 0xff, ==, NSLOTS - 1);   /* CFGC */
    g_assert_cmpuint(ccap >> 24, ==, 0x04);                 /* CFGPTR */
    /* AES-XTS, every data unit size, 256-bit keys */
    g_assert_cmphex(rreg(e, CQ_CRYPTOCAP), ==, 0x03ff00);
    /* Keys are write-only */
    program_key(e, 3, key_a, 8);
    g_assert_cmphex(rreg(e, keyslot(3, 0)), ==, 0);
    g_assert_cmphex(rreg(e, keyslot(3, 16)), ==, 8 | 1u << 31);
    /* Read-only registers stay */
    wreg(e, CQ_VER, 0);
    wreg(e, CQ_CCAP, 0);
    g_assert_cmphex(rreg(e, CQ_VER), ==, 0x510);
    g_assert_cmphex(rreg(e, CQ_CCAP), ==, ccap);
}

/* Write with CE=1, check the image, read back with CE=1 and CE=0. */
static void xts_roundtrip(QEmmc *e, const Seg *segs, int nsegs)
{
    QTestState *qts = qts_of(e);
    const uint32_t len = 3 * 4096, sector = 0x200000;   /* 1 GiB */
    g_autofree uint8_t *plain = g_malloc(len);
    g_autofree uint8_t *expect = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);
    Task t = { .tag = 5, .sector = sector, .blocks = len / 512,
               .ce = true, .cci = 7, .dun = 0x1234, .segs = segs,
               .nsegs = nsegs };
    uint64_t off = 0;

    program_key(e, 7, key_a, 8);
    fill(plain, len, 0x11);
    /* The data buffer is as the transfer list scatters it */
    for (int i = 0; segs && i < nsegs; i++) {
        uint32_t n = segs[i].len ?: 64 * KiB;

        qtest_memwrite(qts, segs[i].addr, plain + off, n);
        off += n;
    }
    if (!segs) {
        qtest_memwrite(qts, e->data, plain, len);
    }
    run_ok(e, &t);

    ref_xts(key_a, 0x1234, 4096, plain, expect, len, true);
    image_read((uint64_t)sector * 512, got, len);
    g_assert(memcmp(got, expect, len) == 0);
    /* Guest memory is not modified in place */
    qtest_memread(qts, segs ? segs[0].addr : e->data, got,
                  segs ? (segs[0].len ?: 64 * KiB) : len);
    g_assert(memcmp(got, plain, segs ? (segs[0].len ?: 64 * KiB) : len) == 0);

    /* Read back: decrypted with CE=1, as it is on the medium with CE=0 */
    qtest_memset(qts, e->data, 0, len);
    t.segs = NULL;
    t.read = true;
    t.tag = 6;
    run_ok(e, &t);
    qtest_memread(qts, e->data, got, len);
    g_assert(memcmp(got, plain, len) == 0);
    t.ce = false;
    t.tag = 0;
    run_ok(e, &t);
    qtest_memread(qts, e->data, got, len);
    g_assert(memcmp(got, expect, len) == 0);
}

static void test_xts(void *obj, void *data, QGuestAllocator *alloc)
{
    QEmmc *e = obj;

    e->dma32 = !!data;
    emmc_init(e, alloc, true);
    xts_roundtrip(e, NULL, 0);
}

/* Transfer boundaries that do not fall on data units or even sectors */
static void test_odd_segments(void *obj, void *data, QGuestAllocator *alloc)
{
    QEmmc *e = obj;
    uint64_t d;
    Seg segs[4];

    emmc_init(e, alloc, true);
    d = e->data;
    segs[0] = (Seg) { .addr = d + 3, .len = 1000 };
    segs[1] = (Seg) { .addr = d + 0x10000 + 1, .len = 5000 };
    segs[2] = (Seg) { .addr = d + 0x20000 + 7, .len = 4096 };
    segs[3] = (Seg) { .addr = d + 0x30000, .len = 3 * 4096 - 10096 };
    xts_roundtrip(e, segs, 4);
}

/* ADMA2: a transfer descriptor length of 0 is 64 KiB */
static void test_len_zero(void *obj, void *data, QGuestAllocator *alloc)
{
    QEmmc *e = obj;
    const uint32_t len = 64 * KiB, sector = 0x1000;
    g_autofree uint8_t *plain = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);
    Seg seg;
    Task t = { .tag = 2, .sector = sector, .blocks = len / 512,
               .segs = &seg, .nsegs = 1 };

    emmc_init(e, alloc, true);
    seg = (Seg) { .addr = e->data, .len = 0 };
    fill(plain, len, 0x42);
    qtest_memwrite(qts_of(e), e->data, plain, len);
    run_ok(e, &t);
    image_read((uint64_t)sector * 512, got, len);
    g_assert(memcmp(got, plain, len) == 0);
}

/* CE=0: the data goes through as it is */
static void test_plaintext(void *obj, void *data, QGuestAllocator *alloc)
{
    QEmmc *e = obj;
    const uint32_t len = 8192, sector = 0x800000;       /* 4 GiB - ... */
    uint8_t plain[8192], got[8192];
    Task t = { .tag = 30, .sector = sector - 16, .blocks = len / 512 };

    emmc_init(e, alloc, false);
    fill(plain, len, 0x99);
    qtest_memwrite(qts_of(e), e->data, plain, len);
    run_ok(e, &t);
    image_read((uint64_t)(sector - 16) * 512, got, len);
    g_assert(memcmp(got, plain, len) == 0);
}

/* The cache flush, as mmc_blk_cqe_issue_flush() sends it: a DCMD */
static void test_dcmd(void *obj, void *data, QGuestAllocator *alloc)
{
    QEmmc *e = obj;
    uint64_t lo;
    uint8_t td[16] = { 0 };
    uint32_t r;

    emmc_init(e, alloc, true);
    /* CMD6 WRITE_BYTE EXT_CSD[33] CACHE_CTRL = 1, as mmc_init_card() */
    wreg(e, CQ_CTL, CTL_HALT);
    r = sd_cmd(e, 6, 3 << 24 | 33 << 16 | 1 << 8, RSP_48_BUSY);
    g_assert_cmphex(r & 0xfdf9a080, ==, 0);
    wreg(e, CQ_IS, rreg(e, CQ_IS));
    wreg(e, CQ_CTL, 0);

    lo = DESC_VALID | DESC_END | DESC_INT | DESC_ACT(ACT_TASK) | 1ull << 14 |
         6ull << 16 | 3ull << 23 |
         (uint64_t)(3 << 24 | 32 << 16 | 1 << 8) << 32;
    stq_le_p(td, lo);
    qtest_memwrite(qts_of(e), e->tdl + 31 * slot_size(e), td, 16);
    wreg(e, CQ_TDBR, 1u << 31);
    g_assert_cmphex(wait_task(e, 31) & IS_ERRORS, ==, 0);
    g_assert_cmphex(rreg(e, CQ_TCN), ==, 1u << 31);
    /* The card's R1 in CRDCT: no error */
    r = rreg(e, CQ_CRDCT);
    g_assert_cmphex(r & 0xfdf9a080, ==, 0);
}

/* Halt, a doorbell while halted, clear all: the task never runs. */
static void test_halt_clear(void *obj, void *data, QGuestAllocator *alloc)
{
    QEmmc *e = obj;
    const uint32_t sector = 0x4000;
    uint8_t buf[4096], got[4096], before[4096];
    Task t = { .tag = 9, .sector = sector, .blocks = 8 };

    emmc_init(e, alloc, true);
    image_read((uint64_t)sector * 512, before, sizeof(before));
    fill(buf, sizeof(buf), 0x5a);
    qtest_memwrite(qts_of(e), e->data, buf, sizeof(buf));

    wreg(e, CQ_CTL, CTL_HALT);
    g_assert_cmphex(rreg(e, CQ_CTL), ==, CTL_HALT);
    g_assert(rreg(e, CQ_IS) & IS_HAC);
    wreg(e, CQ_IS, IS_HAC);
    submit(e, &t);
    for (int i = 0; i < 10; i++) {
        qtest_clock_step(qts_of(e), 1000);
    }
    g_assert_cmphex(rreg(e, CQ_TDBR), ==, 1u << 9);
    g_assert_cmphex(rreg(e, CQ_TCN), ==, 0);
    /* Clearing while running is refused; halted, it is immediate */
    wreg(e, CQ_CTL, CTL_HALT | CTL_CLEAR_ALL);
    g_assert_cmphex(rreg(e, CQ_CTL), ==, CTL_HALT);
    g_assert_cmphex(rreg(e, CQ_TDBR), ==, 0);
    g_assert(rreg(e, CQ_IS) & IS_TCL);
    wreg(e, CQ_IS, rreg(e, CQ_IS));
    wreg(e, CQ_CTL, 0);
    qtest_clock_step(qts_of(e), 1000);
    image_read((uint64_t)sector * 512, got, sizeof(got));
    g_assert(memcmp(got, before, sizeof(got)) == 0);
    g_assert_cmphex(rreg(e, CQ_TCN), ==, 0);

    /* A task cleared by TCLR while halted does not run either */
    wreg(e, CQ_CTL, CTL_HALT);
    submit(e, &t);
    wreg(e, CQ_TCLR, 1u << 9);
    g_assert_cmphex(rreg(e, CQ_TDBR), ==, 0);
    wreg(e, CQ_CTL, 0);
    qtest_clock_step(qts_of(e), 1000);
    image_read((uint64_t)sector * 512, got, sizeof(got));
    g_assert(memcmp(got, before, sizeof(got)) == 0);

    /* And the engine still works */
    run_ok(e, &t);
    image_read((uint64_t)sector * 512, got, sizeof(got));
    g_assert(memcmp(got, buf, sizeof(got)) == 0);
}

/*
 * Bad input: each case is a write of distinct data that must be refused
 * with the error the contract gives, leave the image as it was, and leave
 * the engine usable after Linux's recovery.
 */
typedef enum Expect {
    EXPECT_ICCE,        /* IS.ICCE and TDPE */
    EXPECT_RED,         /* IS.RED and TERRI C fields */
    EXPECT_DATA,        /* SDHCI ADMA error and TERRI D fields */
    EXPECT_ANY,         /* some error, whichever */
} Expect;

static void bad_write(QEmmc *e, Task *t, Expect expect, const char *what)
{
    const uint32_t len = 8192;
    uint8_t before[8192], got[8192], buf[8192];
    uint32_t is, terri;

    g_test_message("bad input: %s", what);
    image_read((uint64_t)t->sector * 512, before, len);
    fill(buf, len, 0xc3);
    qtest_memwrite(qts_of(e), e->data, buf, len);
    submit(e, t);
    is = wait_task(e, t->tag);
    terri = rreg(e, CQ_TERRI);
    g_assert_cmphex(rreg(e, CQ_TCN) & (1u << t->tag), ==, 0);
    g_assert_cmphex(rreg(e, CQ_TDBR) & (1u << t->tag), ==, 1u << t->tag);
    switch (expect) {
    case EXPECT_ICCE:
        g_assert_cmphex(is & IS_ICCE, ==, IS_ICCE);
        g_assert_cmphex(rreg(e, CQ_TDPE), ==, 1u << t->tag);
        break;
    case EXPECT_RED:
        g_assert_cmphex(is & IS_RED, ==, IS_RED);
        g_assert(terri & TERRI_C_VALID);
        g_assert_cmpuint((terri >> 8) & 0x1f, ==, t->tag);
        break;
    case EXPECT_DATA:
        g_assert_cmphex(qpci_io_readw(&e->dev, e->bar, SDHC_ERRINTSTS) &
                        SDHC_EIS_ADMAERR, ==, SDHC_EIS_ADMAERR);
        g_assert(terri & TERRI_D_VALID);
        g_assert_cmpuint((terri >> 24) & 0x1f, ==, t->tag);
        break;
    case EXPECT_ANY:
        break;
    }
    /* A failed task does not run again by itself */
    qtest_clock_step(qts_of(e), 1000);
    g_assert_cmphex(rreg(e, CQ_TCN) & (1u << t->tag), ==, 0);
    image_read((uint64_t)t->sector * 512, got, len);
    g_assert(memcmp(got, before, len) == 0);
    recover(e);
}

static void test_bad_input(void *obj, void *data, QGuestAllocator *alloc)
{
    QEmmc *e = obj;
    const Task good = { .tag = 3, .sector = 0x10000, .blocks = 16,
                        .ce = true, .cci = 1, .dun = 100 };
    Task t;
    Seg segs[2];
    uint8_t pattern[8192];

    emmc_init(e, alloc, true);
    program_key(e, 1, key_a, 8);
    /* Something other than zeros where the bad writes would go */
    fill(pattern, sizeof(pattern), 0x3c);
    image_write((uint64_t)good.sector * 512, pattern, sizeof(pattern));

    t = good;
    t.cci = NSLOTS + 8;
    bad_write(e, &t, EXPECT_ICCE, "CCI out of range");
    t = good;
    t.cci = 2;
    bad_write(e, &t, EXPECT_ICCE, "keyslot not enabled");
    t = good;
    t.blocks = 9;
    bad_write(e, &t, EXPECT_ICCE, "length not a multiple of the data unit");
    t = good;
    t.dun = 0xffffffff;
    bad_write(e, &t, EXPECT_ICCE, "DUN past 2^32");

    t = good;
    t.td_lo_override = DESC_END | DESC_INT | DESC_ACT(ACT_TASK) |
                       16ull << 16 | (uint64_t)good.sector << 32;
    bad_write(e, &t, EXPECT_RED, "task descriptor not valid");
    t = good;
    t.td_lo_override = DESC_VALID | DESC_END | DESC_ACT(2) |
                       16ull << 16 | (uint64_t)good.sector << 32;
    bad_write(e, &t, EXPECT_RED, "task descriptor with a reserved action");
    t = good;
    t.td_lo_override = DESC_VALID | DESC_END | DESC_ACT(ACT_TASK) |
                       (uint64_t)good.sector << 32;
    bad_write(e, &t, EXPECT_RED, "zero-length task");

    t = good;
    t.link_attr = DESC_VALID | DESC_END;
    bad_write(e, &t, EXPECT_DATA, "link descriptor that is not a link");
    t = good;
    segs[0] = (Seg) { .addr = e->data, .len = 4096 };
    t.segs = segs;
    t.nsegs = 1;
    bad_write(e, &t, EXPECT_DATA, "transfer list shorter than the task");
    segs[0] = (Seg) { .addr = e->data, .len = 8192 };
    segs[1] = (Seg) { .addr = e->data, .len = 512 };
    t.nsegs = 2;
    bad_write(e, &t, EXPECT_DATA, "transfer list longer than the task");
    segs[0] = (Seg) { .addr = e->data, .len = 8192,
                      .attr = DESC_ACT(ACT_TRAN) | DESC_END };
    t.nsegs = 1;
    bad_write(e, &t, EXPECT_DATA, "transfer descriptor not valid");
    /* A transfer list that links to itself */
    t = good;
    segs[0] = (Seg) { .addr = e->lists + t.tag * 4096,
                      .attr = DESC_VALID | DESC_ACT(ACT_LINK) };
    t.segs = segs;
    t.nsegs = 1;
    bad_write(e, &t, EXPECT_DATA, "looping transfer list");
    t = good;
    segs[0] = (Seg) { .addr = 0xffffff0000000000ull, .len = 8192 };
    t.segs = segs;
    t.nsegs = 1;
    bad_write(e, &t, EXPECT_DATA, "DMA to unmapped memory");
    /* The task descriptor list inside the controller's own registers */
    t = good;
    wreg(e, CQ_CFG, rreg(e, CQ_CFG) & ~CFG_ENABLE);
    wreg(e, CQ_TDLBA, e->bar.addr);
    wreg(e, CQ_TDLBAU, e->bar.addr >> 32);
    wreg(e, CQ_CFG, rreg(e, CQ_CFG) | CFG_ENABLE);
    wreg(e, CQ_TDBR, 1u << t.tag);
    wait_task(e, t.tag);
    g_assert_cmphex(rreg(e, CQ_TCN) & (1u << t.tag), ==, 0);
    recover(e);
    cqe_enable(e, true);

    /* CE=1 while CGE=0 */
    cqe_enable(e, false);
    t = good;
    bad_write(e, &t, EXPECT_ICCE, "CE=1 with CFG.CGE=0");
    cqe_enable(e, true);

    /* After all that, a good task still works */
    t = good;
    fill(pattern, sizeof(pattern), 0x77);
    qtest_memwrite(qts_of(e), e->data, pattern, sizeof(pattern));
    run_ok(e, &t);
}

/* Keys survive a CQE disable/enable, as Linux expects */
static void test_keys_survive(void *obj, void *data, QGuestAllocator *alloc)
{
    QEmmc *e = obj;
    const uint32_t len = 4096, sector = 0x20000;
    uint8_t plain[4096], expect[4096], got[4096];
    Task t = { .tag = 1, .sector = sector, .blocks = 8, .ce = true,
               .cci = 4, .dun = 9 };

    emmc_init(e, alloc, true);
    program_key(e, 4, key_a, 8);
    wreg(e, CQ_CFG, 0);
    cqe_enable(e, true);
    fill(plain, len, 0x21);
    qtest_memwrite(qts_of(e), e->data, plain, len);
    run_ok(e, &t);
    ref_xts(key_a, 9, 4096, plain, expect, len, true);
    image_read((uint64_t)sector * 512, got, len);
    g_assert(memcmp(got, expect, len) == 0);
}

/*
 * The trace of the CQHCI's register writes (-trace cqhci_write) shows the
 * keyslot's key dwords as 0, never the key.
 */
static void test_no_key_in_trace(void *obj, void *data,
                                 QGuestAllocator *alloc)
{
    QEmmc *e = obj;
    uint8_t key64[64];
    g_autofree char *log = NULL;
    g_autofree char *dw0 = g_strdup_printf("@0x%x <- 0x0\n",
                                           (unsigned)(keyslot(5, 0) - CQ));

    emmc_init(e, alloc, true);
    memset(key64, 0xa7, sizeof(key64));
    program_key(e, 5, key64, 8);
    g_assert_true(g_file_get_contents(trace_path, &log, NULL, NULL));
    g_assert_nonnull(strstr(log, dw0));
    g_assert_null(strstr(log, "a7a7a7a7"));
}

/*
 * Migration: the source saves to a file, a destination QEMU with the same
 * command line loads it, and @e then drives the destination.
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
    /* QEMU's MIGRATION events, not a deadline */
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

static QTestState *migrate_via_file(QEmmc *e)
{
    QTestState *src = qts_of(e), *dst;
    g_autofree char *file = g_strdup_printf("%s.mig", image_path);
    g_autofree char *uri = g_strdup_printf("file:%s", file);
    g_autofree char *st = NULL;

    migration_events_on(src);
    qtest_qmp_assert_success(src, "{ 'execute': 'migrate', 'arguments': "
                             "{ 'uri': %s } }", uri);
    st = migration_wait(src);
    g_assert_cmpstr(st, ==, "completed");
    g_free(st);

    dst = qtest_initf("%s %s -incoming defer",
                      qos_get_current_command_line(), setup_args);
    migration_events_on(dst);
    qtest_qmp_assert_success(dst, "{ 'execute': 'migrate-incoming', "
                             "'arguments': { 'uri': %s, "
                             "'exit-on-error': false } }", uri);
    st = migration_wait(dst);
    unlink(file);
    g_assert_cmpstr(st, ==, "completed");
    return dst;
}

/*
 * The keyslots, the engine's configuration and a task rung while halted
 * carry over: the destination runs the task and decrypts what the source
 * wrote, without being given the key or the task list again.
 */
static void test_migrate(void *obj, void *data, QGuestAllocator *alloc)
{
    QEmmc *e = obj;
    QTestState *src = qts_of(e), *dst;
    const uint32_t len = 2 * 4096;
    uint8_t plain[8192], expect[8192], got[8192];
    Task w = { .tag = 4, .sector = 0x30000, .blocks = 16, .ce = true,
               .cci = 11, .dun = 0xfffffff0 };
    Task r = w;

    emmc_init(e, alloc, true);
    program_key(e, 11, key_a, 8);
    fill(plain, len, 0x6d);
    qtest_memwrite(src, e->data, plain, len);
    run_ok(e, &w);
    /* A read task rung while halted: the destination runs it */
    wreg(e, CQ_CTL, CTL_HALT);
    wreg(e, CQ_IS, rreg(e, CQ_IS));
    qtest_memset(src, e->data, 0, len);
    r.read = true;
    r.tag = 12;
    submit(e, &r);
    g_assert_cmphex(rreg(e, CQ_TDBR), ==, 1u << 12);

    dst = migrate_via_file(e);
    e->dev.bus->qts = dst;
    g_assert_cmphex(rreg(e, CQ_TDBR), ==, 1u << 12);
    g_assert_cmphex(rreg(e, keyslot(11, 16)), ==, 8 | 1u << 31);
    wreg(e, CQ_CTL, 0);
    g_assert_cmphex(wait_task(e, 12) & IS_ERRORS, ==, 0);
    g_assert_cmphex(rreg(e, CQ_TCN), ==, 1u << 12);
    qtest_memread(dst, e->data, got, len);
    g_assert(memcmp(got, plain, len) == 0);
    ref_xts(key_a, 0xfffffff0, 4096, plain, expect, len, true);
    image_read((uint64_t)w.sector * 512, got, len);
    g_assert(memcmp(got, expect, len) == 0);

    e->dev.bus->qts = src;
    qtest_quit(dst);
    qos_invalidate_command_line();
}

/*
 * Linux's CQE recovery (mmc_cqe_recovery() with cqhci_recovery_start()
 * and _finish()) after a data transfer error the device injects once the
 * card has started the task: halt, reset of the SDHCI CMD and DATA lines,
 * CMD12 through the legacy path to stop the card's transfer, CMD13, CMD48
 * to discard the card's queue, then clear all tasks and resume.  The task
 * retried must succeed: a write leaves exactly the ciphertext OpenSSL
 * gives, a read the plaintext.
 */
static void inject_data_errors(QEmmc *e, uint32_t n)
{
    QDict *rsp = qtest_qmp(qts_of(e), "{ 'execute': 'qom-set', 'arguments':"
                           " { 'path': '/machine/peripheral/emmc0',"
                           " 'property': 'x-inject-data-errors',"
                           " 'value': %u } }", n);

    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
}

static uint32_t injected_left(QEmmc *e)
{
    QDict *rsp = qtest_qmp(qts_of(e), "{ 'execute': 'qom-get', 'arguments':"
                           " { 'path': '/machine/peripheral/emmc0',"
                           " 'property': 'x-inject-data-errors' } }");
    uint32_t n = qdict_get_int(rsp, "return");

    qobject_unref(rsp);
    return n;
}

static void fail_injected(QEmmc *e, const Task *t)
{
    uint32_t r, terri;

    inject_data_errors(e, 1);
    submit(e, t);
    wait_task(e, t->tag);
    g_assert_cmpuint(injected_left(e), ==, 0);
    terri = rreg(e, CQ_TERRI);
    g_assert_cmphex(qpci_io_readw(&e->dev, e->bar, SDHC_ERRINTSTS) &
                    SDHC_EIS_ADMAERR, ==, SDHC_EIS_ADMAERR);
    g_assert(terri & TERRI_D_VALID);
    g_assert_cmpuint((terri >> 24) & 0x1f, ==, t->tag);
    g_assert_cmpuint((terri >> 16) & 0x3f, ==, t->read ? 46 : 47);
    g_assert_cmphex(rreg(e, CQ_TCN) & (1u << t->tag), ==, 0);

    /* cqhci_recovery_start(): halt, then sdhci_cqe_disable(, true) */
    wreg(e, CQ_CTL, CTL_HALT);
    g_assert(rreg(e, CQ_IS) & IS_HAC);
    qpci_io_writeb(&e->dev, e->bar, SDHC_SWRST, SDHC_RESET_CMD_DATA);
    qpci_io_writew(&e->dev, e->bar, SDHC_ERRINTSTS, 0xffff);
    /* The card is still in its data state: CMD13 says so */
    r = sd_cmd(e, 13, RCA << 16, RSP_48);
    g_assert_cmpuint(R1_STATE(r), ==, t->read ? R1_STATE_DATA : R1_STATE_RCV);
    /* mmc_cqe_recovery(): CMD12, CMD13, CMD48 discard queue */
    r = sd_cmd(e, 12, 0, RSP_48_BUSY);
    g_assert_cmphex(r & R1_ERRORS, ==, 0);
    r = sd_cmd(e, 13, RCA << 16, RSP_48);
    g_assert_cmpuint(R1_STATE(r), ==, R1_STATE_TRAN);
    r = sd_cmd(e, 48, 1, RSP_48_BUSY);
    g_assert_cmphex(r & R1_ERRORS, ==, 0);
    /* The card's queue is empty */
    r = sd_cmd(e, 13, RCA << 16 | 1 << 15, RSP_48);
    g_assert_cmphex(r, ==, 0);
    /* cqhci_recovery_finish(): clear all tasks, resume */
    recover(e);
}

static void test_linux_recovery(void *obj, void *data, QGuestAllocator *alloc)
{
    QEmmc *e = obj;
    const uint32_t len = 2 * 4096, sector = 0x300000;
    uint8_t plain[2 * 4096], expect[2 * 4096], got[2 * 4096];
    uint8_t before[2 * 4096];
    Task t = { .tag = 12, .sector = sector, .blocks = len / 512,
               .ce = true, .cci = 2, .dun = 77 };

    emmc_init(e, alloc, true);
    program_key(e, 2, key_a, 8);
    fill(plain, len, 0x3c);
    ref_xts(key_a, 77, 4096, plain, expect, len, true);
    qtest_memwrite(qts_of(e), e->data, plain, len);
    image_read((uint64_t)sector * 512, before, len);

    /* A write: nothing reaches the medium, the retry writes it all */
    fail_injected(e, &t);
    image_read((uint64_t)sector * 512, got, len);
    g_assert(memcmp(got, before, len) == 0);
    run_ok(e, &t);
    image_read((uint64_t)sector * 512, got, len);
    g_assert(memcmp(got, expect, len) == 0);

    /* A read: the retry reads the plaintext */
    t.read = true;
    t.tag = 13;
    qtest_memset(qts_of(e), e->data, 0, len);
    fail_injected(e, &t);
    run_ok(e, &t);
    qtest_memread(qts_of(e), e->data, got, len);
    g_assert(memcmp(got, plain, len) == 0);
}

/*
 * Set-up
 */

static void drive_destroy(void *path)
{
    unlink(path);
    g_free(path);
}

static void *emmc_setup(GString *cmd_line, void *arg)
{
    int fd;

    image_path = g_strdup("/tmp/qtest-emmc-crypto.XXXXXX");
    fd = g_mkstemp(image_path);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, IMAGE_SIZE), ==, 0);
    close(fd);
    g_test_queue_destroy(drive_destroy, image_path);
    g_free(setup_args);
    setup_args = g_strdup_printf(" -drive if=none,id=emmcdrv,format=raw,"
                                 "file=%s ", image_path);
    g_string_append(cmd_line, setup_args);
    return arg;
}

static void trace_destroy(void *path)
{
    unlink(path);
    g_free(path);
    trace_path = NULL;
}

static void *emmc_setup_traced(GString *cmd_line, void *arg)
{
    int fd = g_file_open_tmp("qtest-emmc-crypto-trace.XXXXXX", &trace_path,
                             NULL);

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_test_queue_destroy(trace_destroy, trace_path);
    emmc_setup(cmd_line, arg);
    g_string_append_printf(cmd_line, " -D %s -trace cqhci_write ",
                           trace_path);
    return arg;
}

static void *emmc_get_driver(void *obj, const char *interface)
{
    QEmmc *e = obj;

    if (!g_strcmp0(interface, "pci-device")) {
        return &e->dev;
    }
    g_assert_not_reached();
}

static void *emmc_create(void *pci_bus, QGuestAllocator *alloc, void *addr)
{
    QEmmc *e = g_new0(QEmmc, 1);

    qpci_device_init(&e->dev, pci_bus, addr);
    e->obj.get_driver = emmc_get_driver;
    return &e->obj;
}

static void emmc_register_nodes(void)
{
    QOSGraphEdgeOptions edge_opts = {
        .extra_device_opts = "addr=04.0,drive=emmcdrv,id=emmc0"
    };
    QOSGraphTestOptions opts = {
        .before = emmc_setup,
    };
    QOSGraphTestOptions traced = {
        .before = emmc_setup_traced,
    };
    QOSGraphTestOptions opts32 = {
        .before = emmc_setup,
        .arg = (void *)1,
    };

    add_qpci_address(&edge_opts, &(QPCIAddress) { .devfn = QPCI_DEVFN(4, 0) });
    qos_node_create_driver("emmc-crypto", emmc_create);
    qos_node_consumes("emmc-crypto", "pci-bus", &edge_opts);
    qos_node_produces("emmc-crypto", "pci-device");

    qos_add_test("regs", "emmc-crypto", test_regs, &opts);
    qos_add_test("xts256-dma64", "emmc-crypto", test_xts, &opts);
    qos_add_test("xts256-dma32", "emmc-crypto", test_xts, &opts32);
    qos_add_test("odd-segments", "emmc-crypto", test_odd_segments, &opts);
    qos_add_test("len-zero-is-64k", "emmc-crypto", test_len_zero, &opts);
    qos_add_test("plaintext", "emmc-crypto", test_plaintext, &opts);
    qos_add_test("dcmd-flush", "emmc-crypto", test_dcmd, &opts);
    qos_add_test("halt-clear", "emmc-crypto", test_halt_clear, &opts);
    qos_add_test("bad-input", "emmc-crypto", test_bad_input, &opts);
    qos_add_test("keys-survive-enable", "emmc-crypto", test_keys_survive,
                 &opts);
    qos_add_test("no-key-in-trace", "emmc-crypto", test_no_key_in_trace,
                 &traced);
    qos_add_test("migrate", "emmc-crypto", test_migrate, &opts);
    qos_add_test("linux-recovery", "emmc-crypto", test_linux_recovery,
                 &opts);
}

libqos_init(emmc_register_nodes);
