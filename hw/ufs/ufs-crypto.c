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

bool ufs_crypto_mmio_read(UfsHc *u, hwaddr addr, uint64_t *val)
{
    return inline_crypto_regs_read(&u->crypto->regs, addr, val);
}

bool ufs_crypto_mmio_secret(UfsHc *u, hwaddr addr)
{
    return inline_crypto_regs_is_key(&u->crypto->regs, addr);
}

bool ufs_crypto_mmio_write(UfsHc *u, hwaddr addr, uint32_t val)
{
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

/* Cut @sg to its first @len bytes (it has at least that many). */
static void ufs_crypto_sg_trim(QEMUSGList *sg, size_t len)
{
    for (int i = 0; i < sg->nsg; i++) {
        if (len <= sg->sg[i].len) {
            sg->sg[i].len = len;
            sg->nsg = len ? i + 1 : i;
            break;
        }
        len -= sg->sg[i].len;
    }
    sg->size = 0;
    for (int i = 0; i < sg->nsg; i++) {
        sg->size += sg->sg[i].len;
    }
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

    /*
     * The data moves through req->sg as a whole: a PRDT longer than the
     * transfer would have scsi-disk move (and the engine en/decrypt) blocks
     * the command did not ask for.
     */
    if (req->sg) {
        ufs_crypto_sg_trim(req->sg, len);
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

static void ufs_crypto_realize(PCIDevice *pci_dev, Error **errp)
{
    ERRP_GUARD();
    UfsCryptoHc *s = UFS_CRYPTO(pci_dev);

    if (!inline_crypto_regs_init(&s->crypto.regs, TYPE_UFS_CRYPTO,
                                 UFS_CRYPTO_CFGPTR, UFS_CRYPTO_DEFAULT_ALGS,
                                 errp)) {
        return;
    }
    UFS_CRYPTO_GET_CLASS(s)->parent_realize(pci_dev, errp);
    if (*errp) {
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
    inline_crypto_regs_cleanup(&s->crypto.regs);
}

static void ufs_crypto_reset_hold(Object *obj, ResetType type)
{
    UfsCryptoHc *s = UFS_CRYPTO(obj);
    UfsCryptoClass *k = UFS_CRYPTO_GET_CLASS(s);

    if (k->parent_phases.hold) {
        k->parent_phases.hold(obj, type);
    }
    inline_crypto_regs_reset(&s->crypto.regs);
}

static const Property ufs_crypto_props[] = {
    DEFINE_INLINE_CRYPTO_REGS_PROPERTIES(UfsCryptoHc, crypto.regs, 0xff),
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
