/*
 * eMMC Command Queue Host Controller Interface (CQHCI) with the crypto
 * extension
 *
 * Tasks run to completion one after the other in a bottom half, in tag
 * order, so that no task is ever half done when the guest looks at the
 * registers: HALT takes effect at once and migration needs no in-flight
 * state.  Each data task is sent to the card with the eMMC command
 * queueing protocol (CMD44, CMD45, CMD13 with SQS, CMD46/47), then its
 * data moves a chunk at a time between guest memory and the card through
 * a bounce buffer: a write is encrypted after it is copied out of guest
 * memory, a read decrypted before it is copied in, so guest memory is never
 * modified in place.  Every check on the task (descriptors, lengths, DMA
 * ranges, the crypto configuration) is made before the first command goes
 * to the card, so that a rejected write writes nothing.
 *
 * What Linux's cqhci-core.c and cqhci-crypto.c rely on is in
 * docs/system/devices/emmc-crypto.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/units.h"
#include "qemu/error-report.h"
#include "migration/vmstate.h"
#include "system/dma.h"
#include "system/runstate.h"
#include "hw/sd/cqhci.h"
#include "trace.h"

/* A guest error: a trace event and a LOG_GUEST_ERROR line, as hw/nvme does */
#define CQHCI_GUEST_ERR(trace, fmt, ...)                                  \
    do {                                                                  \
        (trace_##trace)(__VA_ARGS__);                                     \
        qemu_log_mask(LOG_GUEST_ERROR, "cqhci: " #trace " in %s: "        \
                      fmt "\n", __func__, ##__VA_ARGS__);                 \
    } while (0)

#define CQHCI_IS_MASK       0x3f
#define CQHCI_CFG_MASK      (R_CQHCI_CFG_ENABLE_MASK | R_CQHCI_CFG_CGE_MASK | \
                             R_CQHCI_CFG_TDS_MASK | R_CQHCI_CFG_DCMD_MASK)
#define CQHCI_RMEM_RESET    0xfdf9a080
#define CQHCI_SSC1_RESET    0x00011000
/* The bounce buffer: the largest data unit, and a whole ADMA2 segment */
#define CQHCI_BUF_SIZE      (64 * KiB)
/* Link and transfer descriptors one task may visit: loops end here */
#define CQHCI_MAX_DESCS     1024

/* eMMC command queueing commands (JESD84-B51 6.6.39) */
#define EMMC_CMD_SEND_STATUS        13
#define EMMC_CMD_QUEUED_TASK_PARAMS 44
#define EMMC_CMD_QUEUED_TASK_ADDR   45
#define EMMC_CMD_EXECUTE_READ_TASK  46
#define EMMC_CMD_EXECUTE_WRITE_TASK 47
#define EMMC_CMD13_SQS              (1u << 15)

/* The task descriptor, bits 63:0 */
#define TD_DATA_DIR_READ    (1ull << 12)
#define TD_PRIORITY         (1ull << 13)
#define TD_REL_WRITE        (1ull << 15)
#define TD_FORCED_PROG      (1ull << 6)
#define TD_DATA_TAG         (1ull << 11)
/* bits 127:64 with the crypto extension: DUN 31:0, CCI 39:32, CE 47 */
#define TD_CRYPTO_ENABLE    (1ull << 47)

static bool cqhci_enabled(CqhciState *c)
{
    return FIELD_EX32(c->cfg, CQHCI_CFG, ENABLE);
}

static bool cqhci_halted(CqhciState *c)
{
    return FIELD_EX32(c->ctl, CQHCI_CTL, HALT);
}

static void cqhci_update_irq(CqhciState *c)
{
    bool level = (c->is & c->isge) != 0;

    trace_cqhci_irq(level, c->is);
    c->ops->set_irq(c->opaque, level);
}

/* Set the status bits whose status enable (ISTE) is set. */
static void cqhci_raise(CqhciState *c, uint32_t bits)
{
    c->is |= bits & c->iste;
    cqhci_update_irq(c);
}

static void cqhci_kick(CqhciState *c)
{
    if (c->tdbr & ~c->failed) {
        qemu_bh_schedule(c->bh);
    }
}

/*
 * Task errors.  The task stays in TDBR, marked failed so that it does not
 * run again, until the guest clears it (Linux halts, then clears all).
 */

/* A command of the task failed, or its task descriptor is unusable. */
static void cqhci_fail_cmd(CqhciState *c, int tag, uint8_t cmd)
{
    c->failed |= 1u << tag;
    if (!FIELD_EX32(c->terri, CQHCI_TERRI, C_VALID)) {
        c->terri = FIELD_DP32(c->terri, CQHCI_TERRI, C_INDEX, cmd);
        c->terri = FIELD_DP32(c->terri, CQHCI_TERRI, C_TASK, tag);
        c->terri = FIELD_DP32(c->terri, CQHCI_TERRI, C_VALID, 1);
    }
    cqhci_raise(c, R_CQHCI_IS_RED_MASK);
}

/* The data phase of the task failed: the host reports it (ADMA error). */
static void cqhci_fail_data(CqhciState *c, int tag, uint8_t cmd,
                            uint32_t is_bits)
{
    c->failed |= 1u << tag;
    if (!FIELD_EX32(c->terri, CQHCI_TERRI, D_VALID)) {
        c->terri = FIELD_DP32(c->terri, CQHCI_TERRI, D_INDEX, cmd);
        c->terri = FIELD_DP32(c->terri, CQHCI_TERRI, D_TASK, tag);
        c->terri = FIELD_DP32(c->terri, CQHCI_TERRI, D_VALID, 1);
    }
    if (is_bits) {
        cqhci_raise(c, is_bits);
    } else {
        c->ops->data_error(c->opaque);
    }
}

/* An invalid crypto configuration: nothing of the task ran. */
static void cqhci_fail_crypto(CqhciState *c, int tag)
{
    c->failed |= 1u << tag;
    c->tdpe |= 1u << tag;
    cqhci_raise(c, R_CQHCI_IS_ICCE_MASK);
}

static void cqhci_complete(CqhciState *c, int tag, bool intr)
{
    trace_cqhci_complete(tag);
    c->tdbr &= ~(1u << tag);
    c->tcn |= 1u << tag;
    if (intr) {
        cqhci_raise(c, R_CQHCI_IS_TCC_MASK);
    }
}

/*
 * The card
 */

/*
 * Send a command that has a 4-byte response and return it in @resp.
 * With @check (an R1 or R1b card status), the bits RMEM selects are
 * errors.  Returns: false if the card gave no response or an error.
 */
static bool cqhci_card_cmd(CqhciState *c, int tag, uint8_t cmd, uint32_t arg,
                           bool check, uint32_t *resp)
{
    SDRequest req = { .cmd = cmd, .arg = arg };
    uint8_t buf[16];

    c->cri = cmd;
    if (sdbus_do_command(c->sdbus, &req, buf) != 4) {
        CQHCI_GUEST_ERR(cqhci_err_card_noresp, "task %d: CMD%u arg 0x%08"
                        PRIx32 ": no response", tag, cmd, arg);
        return false;
    }
    *resp = c->cra = ldl_be_p(buf);
    if (check && (*resp & c->rmem)) {
        CQHCI_GUEST_ERR(cqhci_err_card_status, "task %d: CMD%u arg 0x%08"
                        PRIx32 ": card status 0x%08" PRIx32, tag, cmd, arg,
                        *resp);
        return false;
    }
    return true;
}

/*
 * Data tasks
 */

typedef struct CqhciTask {
    int tag;
    uint64_t td[2];
    bool read;
    uint32_t blocks;
    uint32_t len;
    QEMUSGList sg;
    InlineCryptoKey *key;       /* NULL: not encrypted */
    uint64_t dun;
} CqhciTask;

static hwaddr cqhci_tdl_base(CqhciState *c)
{
    return (uint64_t)c->tdlbau << 32 | c->tdlba;
}

static unsigned cqhci_td_len(CqhciState *c)
{
    return FIELD_EX32(c->cfg, CQHCI_CFG, TDS) ? 16 : 8;
}

static unsigned cqhci_desc_len(CqhciState *c)
{
    return c->ops->dma64(c->opaque) ? 16 : 8;
}

/* Read a link or transfer descriptor: its attributes and its address. */
static bool cqhci_read_desc(CqhciState *c, hwaddr addr, uint32_t *attr,
                            uint64_t *target)
{
    uint8_t d[16];
    unsigned len = cqhci_desc_len(c);

    if (dma_memory_read(c->as, addr, d, len, MEMTXATTRS_UNSPECIFIED)) {
        return false;
    }
    *attr = ldl_le_p(d);
    *target = len == 16 ? ldq_le_p(d + 4) : ldl_le_p(d + 4);
    return true;
}

static unsigned cqhci_act(uint32_t attr)
{
    return (attr & CQHCI_DESC_ACT_MASK) >> CQHCI_DESC_ACT_SHIFT;
}

/*
 * Follow the task's link descriptor and walk its transfer descriptors
 * (ADMA2: a length of 0 is 64 KiB; link descriptors may chain lists) into
 * t->sg.  The list must describe exactly the task's length.
 */
static bool cqhci_map_task(CqhciState *c, CqhciTask *t, hwaddr slot)
{
    DMADirection dir = t->read ? DMA_DIRECTION_FROM_DEVICE :
                                 DMA_DIRECTION_TO_DEVICE;
    uint64_t total = 0, addr;
    uint32_t attr;
    hwaddr desc;

    if (!cqhci_read_desc(c, slot + cqhci_td_len(c), &attr, &addr) ||
        !(attr & CQHCI_DESC_VALID) || cqhci_act(attr) != CQHCI_ACT_LINK) {
        CQHCI_GUEST_ERR(cqhci_err_link_desc, "task %d: link descriptor "
                        "0x%08" PRIx32 " unreadable or not a valid link",
                        t->tag, attr);
        return false;
    }
    desc = addr;
    for (int n = 0; ; n++) {
        uint32_t len;

        if (n == CQHCI_MAX_DESCS || !cqhci_read_desc(c, desc, &attr, &addr)) {
            CQHCI_GUEST_ERR(cqhci_err_trans_list, "task %d: descriptor %d "
                            "unreadable or past the limit", t->tag, n);
            return false;
        }
        if (!(attr & CQHCI_DESC_VALID)) {
            CQHCI_GUEST_ERR(cqhci_err_trans_desc, "task %d: descriptor %d "
                            "(0x%08" PRIx32 ") not valid", t->tag, n, attr);
            return false;
        }
        switch (cqhci_act(attr)) {
        case CQHCI_ACT_LINK:
            desc = addr;
            continue;
        case CQHCI_ACT_TRAN:
            len = (attr >> 16) ?: 64 * KiB;
            if (total + len > t->len) {
                CQHCI_GUEST_ERR(cqhci_err_length, "task %d: transfer list "
                                "reaches %" PRIu64 " bytes, the task has %"
                                PRIu32, t->tag, total + len, t->len);
                return false;
            }
            if (!dma_memory_valid(c->as, addr, len, dir,
                                  MEMTXATTRS_UNSPECIFIED)) {
                CQHCI_GUEST_ERR(cqhci_err_dma, "task %d: buffer at 0x%"
                                PRIx64 " (+%" PRIu32 ") is not memory",
                                t->tag, addr, len);
                return false;
            }
            qemu_sglist_add(&t->sg, addr, len);
            total += len;
            break;
        case 0:     /* nop */
            break;
        default:
            CQHCI_GUEST_ERR(cqhci_err_trans_desc, "task %d: descriptor %d "
                            "(0x%08" PRIx32 ") has a reserved action",
                            t->tag, n, attr);
            return false;
        }
        if (attr & CQHCI_DESC_END) {
            break;
        }
        desc += cqhci_desc_len(c);
    }
    if (total != t->len) {
        CQHCI_GUEST_ERR(cqhci_err_length, "task %d: transfer list of %"
                        PRIu64 " bytes for a task of %" PRIu32,
                        t->tag, total, t->len);
        return false;
    }
    return true;
}

/*
 * The crypto fields of a task: CE=1 needs the crypto extension enabled,
 * an enabled keyslot, a length in whole data units and DUNs that fit the
 * 32-bit DUN field.  Takes a reference on the key.
 */
static bool cqhci_prepare_crypto(CqhciState *c, CqhciTask *t)
{
    uint64_t hi = t->td[1];
    uint32_t cci = extract64(hi, 32, 8);
    g_autoptr(InlineCryptoKey) key = NULL;
    uint32_t du_size;
    uint64_t ndu;

    if (cqhci_td_len(c) != 16 || !(hi & TD_CRYPTO_ENABLE)) {
        return true;
    }
    if (!c->crypto || !FIELD_EX32(c->cfg, CQHCI_CFG, CGE)) {
        CQHCI_GUEST_ERR(cqhci_err_cge_off, "task %d: CE=1 while CFG.CGE=0",
                        t->tag);
        return false;
    }
    if (cci >= c->crypto->nslots) {
        CQHCI_GUEST_ERR(cqhci_err_cci_range, "task %d: CCI %" PRIu32
                        " >= %u keyslots", t->tag, cci, c->crypto->nslots);
        return false;
    }
    key = inline_crypto_get_key(&c->crypto->engine, cci);
    if (!key) {
        CQHCI_GUEST_ERR(cqhci_err_slot_disabled, "task %d: keyslot %"
                        PRIu32 " is not configured", t->tag, cci);
        return false;
    }
    du_size = inline_crypto_key_du_size(key);
    if (t->len % du_size) {
        CQHCI_GUEST_ERR(cqhci_err_xfer_len, "task %d: length %" PRIu32
                        " is not a multiple of the data unit size %" PRIu32,
                        t->tag, t->len, du_size);
        return false;
    }
    t->dun = extract64(hi, 0, 32);
    ndu = t->len / du_size;
    if (t->dun + ndu - 1 > UINT32_MAX) {
        CQHCI_GUEST_ERR(cqhci_err_dun_range, "task %d: DUN 0x%" PRIx64
                        " + %" PRIu64 " data units passes 2^32",
                        t->tag, t->dun, ndu);
        return false;
    }
    t->key = g_steal_pointer(&key);
    return true;
}

/* Queue the task on the card and start it: CMD44, CMD45, CMD13, CMD46/47 */
static bool cqhci_card_start(CqhciState *c, CqhciTask *t)
{
    uint64_t lo = t->td[0];
    uint32_t params, r1;
    uint8_t exec = t->read ? EMMC_CMD_EXECUTE_READ_TASK :
                             EMMC_CMD_EXECUTE_WRITE_TASK;

    params = t->blocks | t->tag << 16;
    params |= (lo & TD_PRIORITY) ? 1u << 23 : 0;
    params |= (lo & TD_FORCED_PROG) ? 1u << 24 : 0;
    params |= extract64(lo, 7, 4) << 25;                /* context */
    params |= (lo & TD_DATA_TAG) ? 1u << 29 : 0;
    params |= t->read ? 1u << 30 : 0;
    params |= (lo & TD_REL_WRITE) ? 1u << 31 : 0;

    if (!cqhci_card_cmd(c, t->tag, EMMC_CMD_QUEUED_TASK_PARAMS, params,
                        true, &r1)) {
        cqhci_fail_cmd(c, t->tag, EMMC_CMD_QUEUED_TASK_PARAMS);
        return false;
    }
    if (!cqhci_card_cmd(c, t->tag, EMMC_CMD_QUEUED_TASK_ADDR, lo >> 32,
                        true, &r1)) {
        cqhci_fail_cmd(c, t->tag, EMMC_CMD_QUEUED_TASK_ADDR);
        return false;
    }
    /* CMD13 with SQS answers the Queue Status Register: is the task ready? */
    if (!cqhci_card_cmd(c, t->tag, EMMC_CMD_SEND_STATUS,
                        (c->ssc2 & 0xffff) << 16 | EMMC_CMD13_SQS, false,
                        &r1) ||
        !(r1 & (1u << t->tag))) {
        CQHCI_GUEST_ERR(cqhci_err_not_ready, "task %d: not ready in the "
                        "card's queue status 0x%08" PRIx32, t->tag, r1);
        cqhci_fail_cmd(c, t->tag, EMMC_CMD_SEND_STATUS);
        return false;
    }
    if (!cqhci_card_cmd(c, t->tag, exec, t->tag << 16, true, &r1)) {
        cqhci_fail_cmd(c, t->tag, exec);
        return false;
    }
    return true;
}

/* Move the task's data, en/decrypting it on the way. */
static bool cqhci_card_data(CqhciState *c, CqhciTask *t)
{
    uint8_t exec = t->read ? EMMC_CMD_EXECUTE_READ_TASK :
                             EMMC_CMD_EXECUTE_WRITE_TASK;
    uint32_t du_size = t->key ? inline_crypto_key_du_size(t->key) : 1;
    uint32_t chunk = QEMU_ALIGN_DOWN(CQHCI_BUF_SIZE, du_size);
    Error *err = NULL;
    bool ok = true;

    /*
     * An injected error: the card has started the task and waits for its
     * data, as after a transfer error on the bus.  Nothing has moved, and
     * the card is still in its data state: the guest's recovery has to
     * stop it (CMD12) and discard its queue (CMD48).
     */
    if (c->inject_data_errors) {
        c->inject_data_errors--;
        trace_cqhci_inject_data_error(t->tag, t->read);
        cqhci_fail_data(c, t->tag, exec, 0);
        return false;
    }

    for (uint32_t off = 0; off < t->len; off += chunk) {
        uint32_t n = MIN(chunk, t->len - off);
        uint64_t dun = t->dun + off / du_size;
        int ret = 0;

        if (t->read) {
            if (!sdbus_data_ready(c->sdbus)) {
                goto card_error;
            }
            sdbus_read_data(c->sdbus, c->buf, n);
            if (t->key) {
                ret = inline_crypto_decrypt(t->key, dun, c->buf, c->buf, n,
                                            &err);
            }
            if (!ret && inline_crypto_sg_rw(&t->sg, off, c->buf, n,
                                            DMA_DIRECTION_FROM_DEVICE)) {
                goto dma_error;
            }
        } else {
            if (!sdbus_receive_ready(c->sdbus)) {
                goto card_error;
            }
            if (inline_crypto_sg_rw(&t->sg, off, c->buf, n,
                                    DMA_DIRECTION_TO_DEVICE)) {
                goto dma_error;
            }
            if (t->key) {
                ret = inline_crypto_encrypt(t->key, dun, c->buf, c->buf, n,
                                            &err);
            }
            if (!ret) {
                sdbus_write_data(c->sdbus, c->buf, n);
            }
        }
        if (ret < 0) {
            trace_cqhci_err_cipher(t->tag);
            error_report_err(err);
            cqhci_fail_data(c, t->tag, exec, R_CQHCI_IS_GCE_MASK);
            ok = false;
            break;
        }
        continue;

card_error:
        CQHCI_GUEST_ERR(cqhci_err_card_data, "task %d: the card is not "
                        "ready for data at offset %" PRIu32, t->tag, off);
        cqhci_fail_data(c, t->tag, exec, 0);
        ok = false;
        break;
dma_error:
        CQHCI_GUEST_ERR(cqhci_err_dma, "task %d: DMA error at offset %"
                        PRIu64 " (+%" PRIu32 ")", t->tag, (uint64_t)off, n);
        cqhci_fail_data(c, t->tag, exec, 0);
        ok = false;
        break;
    }
    if (t->key) {
        /* Nothing of the plaintext stays behind. */
        inline_crypto_wipe(c->buf, MIN(chunk, t->len));
    }
    return ok;
}

static void cqhci_run_data_task(CqhciState *c, CqhciTask *t, hwaddr slot)
{
    uint64_t lo = t->td[0];
    uint32_t r1;

    t->read = lo & TD_DATA_DIR_READ;
    t->blocks = extract64(lo, 16, 16);
    t->len = t->blocks * 512;
    if (!t->blocks) {
        CQHCI_GUEST_ERR(cqhci_err_task_desc, "task %d: descriptor 0x%016"
                        PRIx64 " has a block count of 0", t->tag, lo);
        cqhci_fail_cmd(c, t->tag, EMMC_CMD_QUEUED_TASK_PARAMS);
        return;
    }
    if (!cqhci_map_task(c, t, slot)) {
        cqhci_fail_data(c, t->tag, t->read ? EMMC_CMD_EXECUTE_READ_TASK :
                                             EMMC_CMD_EXECUTE_WRITE_TASK, 0);
        return;
    }
    if (!cqhci_prepare_crypto(c, t)) {
        cqhci_fail_crypto(c, t->tag);
        return;
    }
    trace_cqhci_task(t->tag, t->read, t->blocks, lo >> 32, t->key != NULL,
                     t->dun);
    if (!cqhci_card_start(c, t) || !cqhci_card_data(c, t)) {
        return;
    }
    /* The card's status once the task is done, for errors of the transfer */
    if (!cqhci_card_cmd(c, t->tag, EMMC_CMD_SEND_STATUS,
                        (c->ssc2 & 0xffff) << 16, true, &r1)) {
        cqhci_fail_data(c, t->tag, EMMC_CMD_SEND_STATUS, 0);
        return;
    }
    cqhci_complete(c, t->tag, lo & CQHCI_DESC_INT);
}

/* A direct command (DCMD) in slot 31: Linux sends the cache flush so. */
static void cqhci_run_dcmd(CqhciState *c, int tag, uint64_t lo)
{
    uint8_t cmd = extract64(lo, 16, 6);
    uint8_t resp_type = extract64(lo, 23, 2);
    uint32_t arg = lo >> 32;

    trace_cqhci_dcmd(tag, cmd, arg, resp_type);
    if (resp_type) {
        if (!cqhci_card_cmd(c, tag, cmd, arg, true, &c->crdct)) {
            cqhci_fail_cmd(c, tag, cmd);
            return;
        }
    } else {
        SDRequest req = { .cmd = cmd, .arg = arg };
        uint8_t buf[16];

        c->cri = cmd;
        sdbus_do_command(c->sdbus, &req, buf);
    }
    cqhci_complete(c, tag, lo & CQHCI_DESC_INT);
}

static void cqhci_run_task(CqhciState *c, int tag)
{
    unsigned td_len = cqhci_td_len(c);
    hwaddr slot = cqhci_tdl_base(c) + tag * (td_len + cqhci_desc_len(c));
    CqhciTask t = { .tag = tag };
    uint8_t td[16] = { 0 };

    if (dma_memory_read(c->as, slot, td, td_len, MEMTXATTRS_UNSPECIFIED)) {
        CQHCI_GUEST_ERR(cqhci_err_task_desc, "task %d: descriptor at 0x%"
                        PRIx64 " is not memory", tag, (uint64_t)slot);
        cqhci_fail_cmd(c, tag, EMMC_CMD_QUEUED_TASK_PARAMS);
        return;
    }
    t.td[0] = ldq_le_p(td);
    t.td[1] = ldq_le_p(td + 8);
    if (!(t.td[0] & CQHCI_DESC_VALID) ||
        cqhci_act(t.td[0]) != CQHCI_ACT_TASK) {
        CQHCI_GUEST_ERR(cqhci_err_task_desc, "task %d: descriptor 0x%016"
                        PRIx64 " is not a valid task", tag, t.td[0]);
        cqhci_fail_cmd(c, tag, EMMC_CMD_QUEUED_TASK_PARAMS);
        return;
    }
    if (tag == CQHCI_DCMD_SLOT && FIELD_EX32(c->cfg, CQHCI_CFG, DCMD)) {
        cqhci_run_dcmd(c, tag, t.td[0]);
        return;
    }

    qemu_sglist_init(&t.sg, NULL, 4, c->as);
    cqhci_run_data_task(c, &t, slot);
    qemu_sglist_destroy(&t.sg);
    inline_crypto_key_unref(t.key);
}

static bool cqhci_can_run(CqhciState *c)
{
    return cqhci_enabled(c) && !cqhci_halted(c) && runstate_is_running();
}

static void cqhci_bh(void *opaque)
{
    CqhciState *c = opaque;
    uint32_t pending;

    /* Each turn completes or fails one task: at most 32 turns. */
    while (cqhci_can_run(c) && (pending = c->tdbr & ~c->failed)) {
        cqhci_run_task(c, ctz32(pending));
    }
}

static void cqhci_vm_state_change(void *opaque, bool running, RunState state)
{
    if (running) {
        cqhci_kick(opaque);
    }
}

/*
 * Registers
 */

/* Drop every task: what CLEAR_ALL_TASKS and disabling the engine do */
static void cqhci_clear_tasks(CqhciState *c)
{
    c->tdbr = 0;
    c->failed = 0;
    c->tdpe = 0;
    c->terri = 0;
}

static uint64_t cqhci_read(void *opaque, hwaddr addr, unsigned size)
{
    CqhciState *c = opaque;
    uint64_t val = 0;

    switch (addr) {
    case A_CQHCI_VER:
        val = CQHCI_VERSION;
        break;
    case A_CQHCI_CAP:
        val = FIELD_DP32(0, CQHCI_CAP, CS, c->crypto != NULL);
        break;
    case A_CQHCI_CFG:
        val = c->cfg;
        break;
    case A_CQHCI_CTL:
        val = c->ctl;
        break;
    case A_CQHCI_IS:
        val = c->is;
        break;
    case A_CQHCI_ISTE:
        val = c->iste;
        break;
    case A_CQHCI_ISGE:
        val = c->isge;
        break;
    case A_CQHCI_IC:
        val = c->ic;
        break;
    case A_CQHCI_TDLBA:
        val = c->tdlba;
        break;
    case A_CQHCI_TDLBAU:
        val = c->tdlbau;
        break;
    case A_CQHCI_TDBR:
        val = c->tdbr;
        break;
    case A_CQHCI_TCN:
        val = c->tcn;
        break;
    case A_CQHCI_TDPE:
        val = c->tdpe;
        break;
    case A_CQHCI_SSC1:
        val = c->ssc1;
        break;
    case A_CQHCI_SSC2:
        val = c->ssc2;
        break;
    case A_CQHCI_CRDCT:
        val = c->crdct;
        break;
    case A_CQHCI_RMEM:
        val = c->rmem;
        break;
    case A_CQHCI_TERRI:
        val = c->terri;
        break;
    case A_CQHCI_CRI:
        val = c->cri;
        break;
    case A_CQHCI_CRA:
        val = c->cra;
        break;
    default:
        if (c->crypto && inline_crypto_regs_read(c->crypto, addr, &val)) {
            break;
        }
        /*
         * DQS and DPT (the card's queue and pending tasks) read as zero:
         * a task never stays queued on the card between bottom halves.
         * TCLR and reserved registers read as zero too.
         */
        break;
    }
    trace_cqhci_read(addr, val);
    return val;
}

static void cqhci_write_cfg(CqhciState *c, uint32_t val)
{
    bool was_enabled = cqhci_enabled(c);

    if (val & R_CQHCI_CFG_CGE_MASK && !c->crypto) {
        val &= ~R_CQHCI_CFG_CGE_MASK;
    }
    c->cfg = val & CQHCI_CFG_MASK;
    if (was_enabled && !cqhci_enabled(c)) {
        cqhci_clear_tasks(c);
    } else if (!was_enabled && cqhci_enabled(c)) {
        cqhci_kick(c);
    }
}

static void cqhci_write_ctl(CqhciState *c, uint32_t val)
{
    if (FIELD_EX32(val, CQHCI_CTL, HALT)) {
        if (!cqhci_halted(c)) {
            trace_cqhci_halt(true);
            c->ctl = FIELD_DP32(c->ctl, CQHCI_CTL, HALT, 1);
            cqhci_raise(c, R_CQHCI_IS_HAC_MASK);
        }
    } else if (cqhci_halted(c)) {
        trace_cqhci_halt(false);
        c->ctl = FIELD_DP32(c->ctl, CQHCI_CTL, HALT, 0);
        cqhci_kick(c);
    }
    if (FIELD_EX32(val, CQHCI_CTL, CLEAR_ALL_TASKS)) {
        /* Clearing is immediate: the bit reads back as 0 at once. */
        if (cqhci_halted(c) || !cqhci_enabled(c)) {
            trace_cqhci_clear_tasks(c->tdbr);
            cqhci_clear_tasks(c);
            cqhci_raise(c, R_CQHCI_IS_TCL_MASK);
        } else {
            CQHCI_GUEST_ERR(cqhci_err_not_halted, "CLEAR_ALL_TASKS while "
                            "running: ignored (0x%08" PRIx32 ")", val);
        }
    }
}

static void cqhci_write_tclr(CqhciState *c, uint32_t val)
{
    if (!cqhci_halted(c) && cqhci_enabled(c)) {
        CQHCI_GUEST_ERR(cqhci_err_not_halted, "TCLR while running: ignored "
                        "(0x%08" PRIx32 ")", val);
        return;
    }
    trace_cqhci_clear_tasks(c->tdbr & val);
    c->tdbr &= ~val;
    c->failed &= ~val;
    c->tdpe &= ~val;
    cqhci_raise(c, R_CQHCI_IS_TCL_MASK);
}

static void cqhci_write(void *opaque, hwaddr addr, uint64_t data,
                        unsigned size)
{
    CqhciState *c = opaque;
    uint32_t val = data;
    bool key = c->crypto && inline_crypto_regs_is_key(c->crypto, addr);

    trace_cqhci_write(addr, key ? 0 : val);    /* key dwords trace as 0 */
    switch (addr) {
    case A_CQHCI_CFG:
        cqhci_write_cfg(c, val);
        break;
    case A_CQHCI_CTL:
        cqhci_write_ctl(c, val);
        break;
    case A_CQHCI_IS:
        c->is &= ~val;
        cqhci_update_irq(c);
        break;
    case A_CQHCI_ISTE:
        c->iste = val & CQHCI_IS_MASK;
        break;
    case A_CQHCI_ISGE:
        c->isge = val & CQHCI_IS_MASK;
        cqhci_update_irq(c);
        break;
    case A_CQHCI_IC:
        c->ic = val;
        break;
    case A_CQHCI_TDLBA:
        c->tdlba = val;
        break;
    case A_CQHCI_TDLBAU:
        c->tdlbau = val;
        break;
    case A_CQHCI_TDBR:
        if (!cqhci_enabled(c)) {
            CQHCI_GUEST_ERR(cqhci_err_doorbell, "doorbell 0x%08" PRIx32
                            " while the engine is disabled", val);
            break;
        }
        c->tdbr |= val;
        cqhci_kick(c);
        break;
    case A_CQHCI_TCN:
        c->tcn &= ~val;
        break;
    case A_CQHCI_TCLR:
        cqhci_write_tclr(c, val);
        break;
    case A_CQHCI_SSC1:
        c->ssc1 = val;
        break;
    case A_CQHCI_SSC2:
        c->ssc2 = val;
        break;
    case A_CQHCI_RMEM:
        c->rmem = val;
        break;
    case A_CQHCI_VER:
    case A_CQHCI_CAP:
    case A_CQHCI_DQS:
    case A_CQHCI_DPT:
    case A_CQHCI_TDPE:
    case A_CQHCI_CRDCT:
    case A_CQHCI_TERRI:
    case A_CQHCI_CRI:
    case A_CQHCI_CRA:
        CQHCI_GUEST_ERR(cqhci_err_ro_write, "register 0x%" PRIx64
                        " is read-only", (uint64_t)addr);
        break;
    default:
        if (c->crypto && inline_crypto_regs_write(c->crypto, addr, val)) {
            break;
        }
        CQHCI_GUEST_ERR(cqhci_err_ro_write, "register 0x%" PRIx64
                        " is reserved", (uint64_t)addr);
        break;
    }
}

static const MemoryRegionOps cqhci_mmio_ops = {
    .read = cqhci_read,
    .write = cqhci_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
    .valid = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
};

uint64_t cqhci_mmio_size(InlineCryptoRegs *crypto)
{
    return crypto ? inline_crypto_regs_end(crypto) : 0x100;
}

void cqhci_reset(CqhciState *c)
{
    c->cfg = 0;
    c->ctl = 0;
    c->is = 0;
    c->iste = 0;
    c->isge = 0;
    c->ic = 0;
    c->tdlba = 0;
    c->tdlbau = 0;
    c->tcn = 0;
    cqhci_clear_tasks(c);
    c->ssc1 = CQHCI_SSC1_RESET;
    c->ssc2 = 0;
    c->crdct = 0;
    c->rmem = CQHCI_RMEM_RESET;
    c->cri = 0;
    c->cra = 0;
    cqhci_update_irq(c);
}

void cqhci_init(CqhciState *c, Object *owner, const CqhciHostOps *ops,
                void *opaque, SDBus *sdbus, AddressSpace *as,
                InlineCryptoRegs *crypto)
{
    c->ops = ops;
    c->opaque = opaque;
    c->sdbus = sdbus;
    c->as = as;
    c->crypto = crypto;
    c->buf = g_malloc(CQHCI_BUF_SIZE);
    memory_region_init_io(&c->mmio, owner, &cqhci_mmio_ops, c, "cqhci",
                          cqhci_mmio_size(crypto));
    c->bh = qemu_bh_new_guarded(cqhci_bh, c,
                                &DEVICE(owner)->mem_reentrancy_guard);
    c->vmstate_change = qemu_add_vm_change_state_handler(
                            cqhci_vm_state_change, c);
}

void cqhci_cleanup(CqhciState *c)
{
    qemu_del_vm_change_state_handler(c->vmstate_change);
    qemu_bh_delete(c->bh);
    inline_crypto_wipe(c->buf, CQHCI_BUF_SIZE);
    g_free(c->buf);
    c->buf = NULL;
}

static int cqhci_post_load(void *opaque, int version_id)
{
    CqhciState *c = opaque;

    /* The host's view of the interrupt line is not migrated: set it. */
    c->ops->set_irq(c->opaque, (c->is & c->isge) != 0);
    return 0;
}

const VMStateDescription vmstate_cqhci = {
    .name = "cqhci",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = cqhci_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(cfg, CqhciState),
        VMSTATE_UINT32(ctl, CqhciState),
        VMSTATE_UINT32(is, CqhciState),
        VMSTATE_UINT32(iste, CqhciState),
        VMSTATE_UINT32(isge, CqhciState),
        VMSTATE_UINT32(ic, CqhciState),
        VMSTATE_UINT32(tdlba, CqhciState),
        VMSTATE_UINT32(tdlbau, CqhciState),
        VMSTATE_UINT32(tdbr, CqhciState),
        VMSTATE_UINT32(tcn, CqhciState),
        VMSTATE_UINT32(tdpe, CqhciState),
        VMSTATE_UINT32(ssc1, CqhciState),
        VMSTATE_UINT32(ssc2, CqhciState),
        VMSTATE_UINT32(crdct, CqhciState),
        VMSTATE_UINT32(rmem, CqhciState),
        VMSTATE_UINT32(terri, CqhciState),
        VMSTATE_UINT32(cri, CqhciState),
        VMSTATE_UINT32(cra, CqhciState),
        VMSTATE_UINT32(failed, CqhciState),
        VMSTATE_END_OF_LIST()
    },
};
