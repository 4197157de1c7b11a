/*
 * QEMU UFS host controller inline crypto engine
 *
 * HCE.CGE and the per-request fields of the UTRD (CE, CCI, DUN) in front of
 * the crypto register file (CCAP, CRYPTOCAP, the keyslot array) of
 * hw/block/inline-crypto-regs.c and its engine.  Encrypted READs and
 * WRITEs move their data as the others do, through the request's
 * scatter/gather list, and scsi-disk leaves their block I/O to us
 * (hw/block/inline-crypto-io.c): a read is decrypted in the guest's
 * buffers once it has landed there, before the request completes; a write
 * is encrypted out of the guest's buffers into a buffer of the controller's
 * pool and written from there.  Guest memory is never modified by a write.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/error-report.h"
#include "migration/vmstate.h"
#include "system/dma.h"
#include "system/block-backend.h"
#include "scsi/constants.h"
#include "hw/qdev-properties.h"
#include "hw/registerfields.h"
#include "crypto/secret_common.h"
#include "migration/blocker.h"
#include "trace.h"
#include "ufs.h"

/* A guest error: a trace event and a LOG_GUEST_ERROR line, as hw/nvme does */
#define UFS_CRYPTO_GUEST_ERR(trace, fmt, ...)                             \
    do {                                                                  \
        (trace_##trace)(__VA_ARGS__);                                     \
        qemu_log_mask(LOG_GUEST_ERROR, "ufs-crypto: " #trace " in %s: "   \
                      fmt "\n", __func__, ##__VA_ARGS__);                 \
    } while (0)

typedef struct UfsCryptoHc {
    UfsHc parent_obj;
    UfsCrypto crypto;
} UfsCryptoHc;

typedef struct UfsCryptoClass {
    PCIDeviceClass parent_class;
    void (*parent_realize)(PCIDevice *dev, Error **errp);
    void (*parent_exit)(PCIDevice *dev);
    ResettablePhases parent_phases;
} UfsCryptoClass;

OBJECT_DECLARE_TYPE(UfsCryptoHc, UfsCryptoClass, UFS_CRYPTO)

#define UFS_CRYPTO_DEFAULT_ALGS \
    "aes-256-xts,aes-128-xts,essiv-aes-128-cbc,essiv-aes-256-cbc,adiantum"

/*
 * Registers: the crypto register file, after the upstream ones
 */

hwaddr ufs_crypto_reg_end(UfsHc *u)
{
    return inline_crypto_regs_end(&u->crypto->regs);
}

/*
 * Key manager (wrapped-keys=on): a command register, a status register,
 * and a 128-byte buffer for the command's input and output, reached
 * through an index register and a data register.
 */
REG32(KMCAP, 0xc0)
    FIELD(KMCAP, PRESENT, 0, 1)
    FIELD(KMCAP, WRAPPED_LEN, 8, 8)
    FIELD(KMCAP, RAW_LEN, 16, 8)
    FIELD(KMCAP, SECRET_LEN, 24, 8)
REG32(KMCMD, 0xc4)
    FIELD(KMCMD, OP, 0, 8)
    FIELD(KMCMD, SLOT, 8, 8)
    FIELD(KMCMD, CAPIDX, 16, 8)
    FIELD(KMCMD, DUSU, 24, 8)
REG32(KMSTS, 0xc8)
    FIELD(KMSTS, STATUS, 0, 8)
    FIELD(KMSTS, OUT_LEN, 16, 16)
REG32(KMLEN, 0xcc)
REG32(KMIDX, 0xd0)
REG32(KMDATA, 0xd4)

enum {
    UFS_CRYPTO_KM_IMPORT = 1,
    UFS_CRYPTO_KM_GENERATE = 2,
    UFS_CRYPTO_KM_PREPARE = 3,
    UFS_CRYPTO_KM_DERIVE_SW_SECRET = 4,
    UFS_CRYPTO_KM_PROGRAM = 5,
};

static bool ufs_crypto_is_km_reg(UfsHc *u, hwaddr addr)
{
    return u->crypto->wrapped_keys &&
           addr >= UFS_CRYPTO_KM_BASE && addr < UFS_CRYPTO_KM_END;
}

static void ufs_crypto_km_cmd(UfsCrypto *c, uint32_t cmd)
{
    UfsCryptoKmRegs *k = &c->kmr;
    uint8_t op = FIELD_EX32(cmd, KMCMD, OP);
    uint8_t slot = FIELD_EX32(cmd, KMCMD, SLOT);
    uint8_t key[INLINE_CRYPTO_MAX_KEY_LEN];
    uint8_t out[UFS_CRYPTO_KM_BUF_LEN];
    size_t in_len = MIN(k->len, UFS_CRYPTO_KM_BUF_LEN), out_len = 0;
    InlineCryptoKmStatus st;

    switch (op) {
    case UFS_CRYPTO_KM_IMPORT:
        st = inline_crypto_km_import(&c->km, k->buf, in_len, out);
        out_len = INLINE_CRYPTO_KM_WRAPPED_LEN;
        break;
    case UFS_CRYPTO_KM_GENERATE:
        st = inline_crypto_km_generate(&c->km, out);
        out_len = INLINE_CRYPTO_KM_WRAPPED_LEN;
        break;
    case UFS_CRYPTO_KM_PREPARE:
        st = inline_crypto_km_prepare(&c->km, k->buf, in_len, out);
        out_len = INLINE_CRYPTO_KM_WRAPPED_LEN;
        break;
    case UFS_CRYPTO_KM_DERIVE_SW_SECRET:
        st = inline_crypto_km_derive_sw_secret(&c->km, k->buf, in_len, out);
        out_len = INLINE_CRYPTO_KM_SECRET_LEN;
        break;
    case UFS_CRYPTO_KM_PROGRAM:
        st = inline_crypto_km_inline_key(&c->km, k->buf, in_len, key);
        if (st == INLINE_CRYPTO_KM_OK &&
            !inline_crypto_regs_program_key(&c->regs, slot,
                                            FIELD_EX32(cmd, KMCMD, CAPIDX),
                                            FIELD_EX32(cmd, KMCMD, DUSU),
                                            INLINE_CRYPTO_ALG_AES_XTS, key,
                                            INLINE_CRYPTO_MAX_KEY_LEN)) {
            st = INLINE_CRYPTO_KM_BAD_SLOT;
        }
        inline_crypto_wipe(key, sizeof(key));
        break;
    default:
        st = INLINE_CRYPTO_KM_BAD_COMMAND;
        break;
    }
    if (st != INLINE_CRYPTO_KM_OK) {
        out_len = 0;
        UFS_CRYPTO_GUEST_ERR(ufs_crypto_km_err, "key manager command %u "
                             "(input %zu bytes): status %u", op, in_len, st);
    }
    trace_ufs_crypto_km_cmd(op, slot, in_len, st, out_len);

    /* The buffer now holds the output only: the input is gone. */
    inline_crypto_wipe(k->buf, sizeof(k->buf));
    memcpy(k->buf, out, out_len);
    inline_crypto_wipe(out, sizeof(out));
    k->sts = FIELD_DP32(0, KMSTS, STATUS, st);
    k->sts = FIELD_DP32(k->sts, KMSTS, OUT_LEN, out_len);
    k->len = 0;
    k->idx = 0;
}

static uint32_t ufs_crypto_km_read(UfsCrypto *c, hwaddr addr)
{
    UfsCryptoKmRegs *k = &c->kmr;
    uint32_t val = 0;

    switch (addr) {
    case A_KMCAP:
        val = FIELD_DP32(val, KMCAP, PRESENT, 1);
        val = FIELD_DP32(val, KMCAP, WRAPPED_LEN,
                         INLINE_CRYPTO_KM_WRAPPED_LEN);
        val = FIELD_DP32(val, KMCAP, RAW_LEN, INLINE_CRYPTO_KM_RAW_LEN);
        val = FIELD_DP32(val, KMCAP, SECRET_LEN, INLINE_CRYPTO_KM_SECRET_LEN);
        return val;
    case A_KMSTS:
        return k->sts;
    case A_KMLEN:
        return k->len;
    case A_KMIDX:
        return k->idx;
    case A_KMDATA:
        if (k->idx < UFS_CRYPTO_KM_BUF_LEN) {
            val = ldl_le_p(k->buf + k->idx);
            k->idx += 4;
        }
        return val;
    default:                    /* KMCMD is write-only */
        return 0;
    }
}

static void ufs_crypto_km_write(UfsCrypto *c, hwaddr addr, uint32_t val)
{
    UfsCryptoKmRegs *k = &c->kmr;

    switch (addr) {
    case A_KMCMD:
        ufs_crypto_km_cmd(c, val);
        break;
    case A_KMLEN:
        k->len = MIN(val, UFS_CRYPTO_KM_BUF_LEN);
        break;
    case A_KMIDX:
        k->idx = val & ~3u;
        break;
    case A_KMDATA:
        if (k->idx >= UFS_CRYPTO_KM_BUF_LEN) {
            UFS_CRYPTO_GUEST_ERR(ufs_crypto_km_err_idx, "KMDATA write past "
                                 "the %u-byte buffer (KMIDX %u)",
                                 UFS_CRYPTO_KM_BUF_LEN, k->idx);
            break;
        }
        stl_le_p(k->buf + k->idx, val);
        k->idx += 4;
        break;
    default:                    /* KMCAP, KMSTS */
        break;
    }
}

bool ufs_crypto_mmio_read(UfsHc *u, hwaddr addr, uint64_t *val)
{
    if (ufs_crypto_is_km_reg(u, addr)) {
        *val = ufs_crypto_km_read(u->crypto, addr & ~(hwaddr)3);
        return true;
    }
    return inline_crypto_regs_read(&u->crypto->regs, addr, val);
}

/* Key dwords, and the key manager's buffer: traced as 0 */
bool ufs_crypto_mmio_secret(UfsHc *u, hwaddr addr)
{
    return inline_crypto_regs_is_key(&u->crypto->regs, addr) ||
           (ufs_crypto_is_km_reg(u, addr) && (addr & ~3) == A_KMDATA);
}

bool ufs_crypto_mmio_write(UfsHc *u, hwaddr addr, uint32_t val)
{
    if (ufs_crypto_is_km_reg(u, addr)) {
        if (addr & 3) {
            UFS_CRYPTO_GUEST_ERR(ufs_crypto_km_err_unaligned, "unaligned "
                                 "write at 0x%" HWADDR_PRIx, addr);
        } else {
            ufs_crypto_km_write(u->crypto, addr, val);
        }
        return true;
    }
    return inline_crypto_regs_write(&u->crypto->regs, addr, val);
}

/*
 * Requests
 */

static bool ufs_crypto_sg_valid(QEMUSGList *sg, uint32_t len, DMADirection dir)
{
    for (int i = 0; sg && i < sg->nsg && len; i++) {
        dma_addr_t n = MIN(sg->sg[i].len, len);

        if (!dma_memory_valid(sg->as, sg->sg[i].base, n, dir,
                              MEMTXATTRS_UNSPECIFIED)) {
            return false;
        }
        len -= n;
    }
    return len == 0;
}

/* The commands whose data the engine en/decrypts, block by block */
static bool ufs_crypto_opcode_ok(uint8_t opcode)
{
    switch (opcode) {
    case READ_6:
    case READ_10:
    case READ_12:
    case READ_16:
    case WRITE_6:
    case WRITE_10:
    case WRITE_12:
    case WRITE_16:
    case WRITE_VERIFY_10:
    case WRITE_VERIFY_12:
    case WRITE_VERIFY_16:
        return true;
    default:
        return false;
    }
}

/*
 * Check a command's crypto fields and take a reference on its key.  Called
 * once the SCSI layer has parsed the CDB, so that the transfer length is
 * known, and before any data moves.
 */
int ufs_crypto_prepare_req(UfsHc *u, UfsRequest *req, SCSIRequest *sreq)
{
    InlineCryptoRegs *c = &u->crypto->regs;
    uint32_t dw0 = le32_to_cpu(req->utrd.header.dword_0);
    uint8_t tag = req->req_upiu.header.task_tag;
    uint32_t cci = dw0 & 0xff;
    size_t len = sreq->cmd.xfer;        /* WRITE(16) can ask for > 4 GiB */
    DMADirection dir = sreq->cmd.mode == SCSI_XFER_TO_DEV ?
                       DMA_DIRECTION_TO_DEVICE : DMA_DIRECTION_FROM_DEVICE;
    g_autoptr(InlineCryptoKey) key = NULL;
    uint32_t du_size;

    if (!(dw0 & UFS_UTP_REQ_DESC_CRYPTO_ENABLE_CMD)) {
        return UFS_REQUEST_SUCCESS;
    }
    if (!FIELD_EX32(u->reg.hce, HCE, CGE)) {
        UFS_CRYPTO_GUEST_ERR(ufs_crypto_err_cge_off,
                             "task tag %u: CE=1 while HCE.CGE=0", tag);
        return UFS_REQUEST_INVALID_CRYPTO_CONFIG;
    }
    if (cci >= c->nslots) {
        UFS_CRYPTO_GUEST_ERR(ufs_crypto_err_cci_range,
                             "task tag %u: CCI %" PRIu32 " >= %u keyslots",
                             tag, cci, c->nslots);
        return UFS_REQUEST_INVALID_CRYPTO_CONFIG;
    }
    key = inline_crypto_get_key(&c->engine, cci);
    if (!key) {
        UFS_CRYPTO_GUEST_ERR(ufs_crypto_err_slot_disabled,
                             "task tag %u: keyslot %" PRIu32
                             " is not configured", tag, cci);
        return UFS_REQUEST_INVALID_CRYPTO_CONFIG;
    }
    if (len && !ufs_crypto_opcode_ok(sreq->cmd.buf[0])) {
        UFS_CRYPTO_GUEST_ERR(ufs_crypto_err_opcode,
                             "task tag %u: CE=1 on command 0x%02x, which "
                             "moves data but is not a READ or WRITE", tag,
                             sreq->cmd.buf[0]);
        return UFS_REQUEST_INVALID_CRYPTO_CONFIG;
    }
    /* First the PRDT: from here on the length fits in 32 bits. */
    if (len > req->data_len || !ufs_crypto_sg_valid(req->sg, len, dir)) {
        UFS_CRYPTO_GUEST_ERR(ufs_crypto_err_prdt,
                             "task tag %u: length %zu"
                             " does not fit the PRDT (%" PRIu32 " bytes)",
                             tag, len, req->data_len);
        return UFS_REQUEST_FAIL;
    }
    du_size = inline_crypto_key_du_size(key);
    if (len % du_size) {
        UFS_CRYPTO_GUEST_ERR(ufs_crypto_err_xfer_len,
                             "task tag %u: length %zu"
                             " is not a multiple of the data unit size %"
                             PRIu32, tag, len, du_size);
        return UFS_REQUEST_INVALID_CRYPTO_CONFIG;
    }

    req->crypto.key = g_steal_pointer(&key);
    req->crypto.dun = (uint64_t)le32_to_cpu(req->utrd.header.dword_3) << 32 |
                      le32_to_cpu(req->utrd.header.dword_1);
    req->crypto.start = sreq->cmd.lba * sreq->dev->blocksize;
    trace_ufs_crypto_req(tag, cci, req->crypto.dun, len, sreq->cmd.mode);
    return UFS_REQUEST_SUCCESS;
}

/*
 * scsi-disk's block I/O of one part of an encrypted request's data: the
 * part of the guest's buffers dma_blk_io() could map at once.  It is a
 * whole number of data units unless the PRDT has more entries than can be
 * mapped at once (IOV_MAX) and the cut falls inside a data unit: Linux
 * never does that; the request then fails with nothing written.
 */
BlockAIOCB *ufs_crypto_dma_rw(UfsRequest *req, BlockBackend *blk,
                              int64_t offset, QEMUIOVector *qiov, bool write,
                              BlockCompletionFunc *cb, void *opaque)
{
    UfsCryptoReq *c = &req->crypto;
    uint8_t tag = req->req_upiu.header.task_tag;
    uint32_t du_size = inline_crypto_key_du_size(c->key);
    uint64_t pos = offset - c->start;
    uint64_t dun = c->dun + pos / du_size;

    if (offset < c->start || pos % du_size || qiov->size % du_size) {
        UFS_CRYPTO_GUEST_ERR(ufs_crypto_err_split,
                             "task tag %u: data at offset %" PRIu64
                             " length %zu is not in whole data units of %"
                             PRIu32 " bytes", tag, pos, qiov->size, du_size);
        return blk_abort_aio_request(blk, cb, opaque, -EIO);
    }
    trace_ufs_crypto_chunk(tag, write, dun, pos, qiov->size);
    if (write) {
        return inline_crypto_aio_pwritev(&req->hc->crypto->pool, blk, offset,
                                         qiov, 0, c->key, dun, cb, opaque);
    }
    return inline_crypto_aio_preadv(&req->hc->crypto->pool, blk, offset, qiov,
                                    c->key, dun, cb, opaque);
}

void ufs_crypto_release_req(UfsRequest *req)
{
    inline_crypto_key_unref(req->crypto.key);
    memset(&req->crypto, 0, sizeof(req->crypto));
}

/*
 * Migration: the register file with its keys, see inline-crypto-regs.c
 */

static bool ufs_crypto_vmstate_needed(void *opaque)
{
    UfsHc *u = opaque;

    return u->crypto != NULL;
}

/* A subsection of vmstate_ufs_hc: @opaque is the UfsHc. */
const VMStateDescription vmstate_ufs_crypto = {
    .name = "ufs/crypto",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = ufs_crypto_vmstate_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(crypto.regs, UfsCryptoHc, 1, vmstate_inline_crypto_regs,
                       InlineCryptoRegs),
        VMSTATE_END_OF_LIST()
    },
};

/*
 * Device
 */

static void ufs_crypto_instance_init(Object *obj)
{
    UfsCryptoHc *s = UFS_CRYPTO(obj);

    s->parent_obj.crypto = &s->crypto;
}

/*
 * The long-term wrapping key comes from a secret object, so that wrapped
 * keys outlive the VM; without one it is random.  A VM whose keyslots hold
 * keys derived from wrapped keys cannot migrate: the destination has
 * another ephemeral wrapping key, and the derived keys must not leave the
 * device.
 */
static bool ufs_crypto_km_realize(UfsCrypto *c, Error **errp)
{
    g_autofree uint8_t *secret = NULL;
    size_t len = 0;
    int ret;

    if (c->wrapping_key_secret) {
        if (qcrypto_secret_lookup(c->wrapping_key_secret, &secret, &len,
                                  errp) < 0) {
            return false;
        }
        if (len != INLINE_CRYPTO_KM_WRAPPING_LEN) {
            error_setg(errp, "wrapping-key-secret: the secret must be %d "
                       "bytes, not %zu", INLINE_CRYPTO_KM_WRAPPING_LEN, len);
            inline_crypto_wipe(secret, len);
            return false;
        }
    }
    ret = inline_crypto_km_init(&c->km, secret, errp);
    if (secret) {
        inline_crypto_wipe(secret, len);
    }
    if (ret < 0) {
        return false;
    }
    error_setg(&c->migration_blocker, "%s: wrapped-keys=on cannot be "
               "migrated (keys derived from wrapped keys stay in the device)",
               TYPE_UFS_CRYPTO);
    if (migrate_add_blocker(&c->migration_blocker, errp) < 0) {
        inline_crypto_km_cleanup(&c->km);
        return false;
    }
    return true;
}

static void ufs_crypto_km_unrealize(UfsCrypto *c)
{
    if (c->wrapped_keys) {
        migrate_del_blocker(&c->migration_blocker);
        inline_crypto_km_cleanup(&c->km);
        inline_crypto_wipe(&c->kmr, sizeof(c->kmr));
    }
}

static void ufs_crypto_realize(PCIDevice *pci_dev, Error **errp)
{
    ERRP_GUARD();
    UfsCryptoHc *s = UFS_CRYPTO(pci_dev);

    if (!inline_crypto_regs_init(&s->crypto.regs, TYPE_UFS_CRYPTO,
                                 UFS_CRYPTO_CFGPTR, UFS_CRYPTO_DEFAULT_ALGS,
                                 errp)) {
        return;
    }
    if (s->crypto.wrapped_keys && !ufs_crypto_km_realize(&s->crypto, errp)) {
        inline_crypto_regs_cleanup(&s->crypto.regs);
        return;
    }
    UFS_CRYPTO_GET_CLASS(s)->parent_realize(pci_dev, errp);
    if (*errp) {
        ufs_crypto_km_unrealize(&s->crypto);
        inline_crypto_regs_cleanup(&s->crypto.regs);
        return;
    }
    inline_crypto_io_pool_init(&s->crypto.pool);
}

static void ufs_crypto_exit(PCIDevice *pci_dev)
{
    UfsCryptoHc *s = UFS_CRYPTO(pci_dev);

    UFS_CRYPTO_GET_CLASS(s)->parent_exit(pci_dev);
    inline_crypto_io_pool_cleanup(&s->crypto.pool);
    ufs_crypto_km_unrealize(&s->crypto);
    inline_crypto_regs_cleanup(&s->crypto.regs);
}

static void ufs_crypto_reset_hold(Object *obj, ResetType type)
{
    UfsCryptoHc *s = UFS_CRYPTO(obj);
    UfsCryptoClass *k = UFS_CRYPTO_GET_CLASS(s);
    Error *err = NULL;

    if (k->parent_phases.hold) {
        k->parent_phases.hold(obj, type);
    }
    inline_crypto_regs_reset(&s->crypto.regs);
    if (s->crypto.wrapped_keys) {
        /* Ephemerally wrapped keys die with the reset. */
        inline_crypto_wipe(&s->crypto.kmr, sizeof(s->crypto.kmr));
        if (inline_crypto_km_reset(&s->crypto.km, &err) < 0) {
            error_report_err(err);
        }
    }
}

static const Property ufs_crypto_props[] = {
    DEFINE_INLINE_CRYPTO_REGS_PROPERTIES(UfsCryptoHc, crypto.regs, 0xff),
    DEFINE_PROP_BOOL("wrapped-keys", UfsCryptoHc, crypto.wrapped_keys, false),
    DEFINE_PROP_STRING("wrapping-key-secret", UfsCryptoHc,
                       crypto.wrapping_key_secret),
};

static void ufs_crypto_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    ResettableClass *rc = RESETTABLE_CLASS(oc);
    UfsCryptoClass *k = UFS_CRYPTO_CLASS(oc);

    k->parent_realize = pc->realize;
    pc->realize = ufs_crypto_realize;
    k->parent_exit = pc->exit;
    pc->exit = ufs_crypto_exit;
    resettable_class_set_parent_phases(rc, NULL, ufs_crypto_reset_hold, NULL,
                                       &k->parent_phases);

    dc->desc = "Universal Flash Storage with inline encryption";
    /* Unlike plain -device ufs, migratable */
    dc->vmsd = &vmstate_ufs_hc;
    device_class_set_props(dc, ufs_crypto_props);
    inline_crypto_regs_describe_props(oc, UFS_CRYPTO_DEFAULT_ALGS);
}

static const TypeInfo ufs_crypto_info = {
    .name = TYPE_UFS_CRYPTO,
    .parent = TYPE_UFS,
    .instance_size = sizeof(UfsCryptoHc),
    .instance_init = ufs_crypto_instance_init,
    .class_size = sizeof(UfsCryptoClass),
    .class_init = ufs_crypto_class_init,
};

static void ufs_crypto_register_types(void)
{
    type_register_static(&ufs_crypto_info);
}

type_init(ufs_crypto_register_types)
