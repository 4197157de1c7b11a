/*
 * QEMU UFS host controller inline crypto engine
 *
 * HCE.CGE and the per-request fields of the UTRD (CE, CCI, DUN) in front of
 * the crypto register file (CCAP, CRYPTOCAP, the keyslot array) of
 * hw/block/inline-crypto-regs.c and its engine.  Encrypted
 * requests move their data through scsi-disk's bounce buffer: a write is
 * copied out of guest memory, then encrypted; a read is decrypted, then
 * copied into guest memory.  Guest memory itself is never modified in place.
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
    return inline_crypto_regs_end(u->crypto);
}

bool ufs_crypto_mmio_read(UfsHc *u, hwaddr addr, uint64_t *val)
{
    return inline_crypto_regs_read(u->crypto, addr, val);
}

bool ufs_crypto_mmio_write(UfsHc *u, hwaddr addr, uint32_t val)
{
    return inline_crypto_regs_write(u->crypto, addr, val);
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

/*
 * Check a command's crypto fields and take a reference on its key.  Called
 * once the SCSI layer has parsed the CDB, so that the transfer length is
 * known, and before any data moves.
 */
int ufs_crypto_prepare_req(UfsHc *u, UfsRequest *req, SCSIRequest *sreq)
{
    UfsCrypto *c = u->crypto;
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
    req->crypto.offset = 0;
    req->crypto.result = UFS_REQUEST_FAIL;
    trace_ufs_crypto_req(tag, cci, req->crypto.dun, len, sreq->cmd.mode);
    return UFS_REQUEST_SUCCESS;
}

/*
 * scsi-disk hands over one chunk of an encrypted request (up to its 128 KiB
 * buffer, a whole number of data units since the transfer length is).
 */
void ufs_crypto_transfer_data(UfsRequest *req, SCSIRequest *sreq, uint32_t len)
{
    UfsCryptoReq *c = &req->crypto;
    uint8_t tag = req->req_upiu.header.task_tag;
    uint8_t *buf = scsi_req_get_buf(sreq);
    uint32_t du_size = inline_crypto_key_du_size(c->key);
    uint64_t dun = c->dun + c->offset / du_size;
    bool to_dev = sreq->cmd.mode == SCSI_XFER_TO_DEV;
    Error *err = NULL;
    int ret;

    trace_ufs_crypto_chunk(tag, dun, c->offset, len);

    if (to_dev) {
        if (inline_crypto_sg_rw(req->sg, c->offset, buf, len,
                                DMA_DIRECTION_TO_DEVICE) != MEMTX_OK) {
            goto dma_error;
        }
        ret = inline_crypto_encrypt(c->key, dun, buf, buf, len, &err);
    } else {
        ret = inline_crypto_decrypt(c->key, dun, buf, buf, len, &err);
    }
    if (ret < 0) {
        trace_ufs_crypto_err_cipher(tag);
        error_report_err(err);
        c->result = UFS_REQUEST_CRYPTO_ERROR;
        goto cancel;
    }
    if (!to_dev && inline_crypto_sg_rw(req->sg, c->offset, buf, len,
                                       DMA_DIRECTION_FROM_DEVICE) != MEMTX_OK) {
        goto dma_error;
    }

    c->offset += len;
    scsi_req_continue(sreq);
    return;

dma_error:
    UFS_CRYPTO_GUEST_ERR(ufs_crypto_err_dma, "task tag %u: DMA error at "
                         "offset %" PRIu32, tag, c->offset);
    c->result = UFS_REQUEST_FAIL;
cancel:
    /* Nothing of this chunk reaches the medium or the guest. */
    memset(buf, 0, len);
    scsi_req_cancel(sreq);
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
        VMSTATE_STRUCT(crypto, UfsCryptoHc, 1, vmstate_inline_crypto_regs,
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

    if (!inline_crypto_regs_init(&s->crypto, TYPE_UFS_CRYPTO,
                                 UFS_CRYPTO_CFGPTR, UFS_CRYPTO_DEFAULT_ALGS,
                                 errp)) {
        return;
    }
    UFS_CRYPTO_GET_CLASS(s)->parent_realize(pci_dev, errp);
    if (*errp) {
        inline_crypto_regs_cleanup(&s->crypto);
    }
}

static void ufs_crypto_exit(PCIDevice *pci_dev)
{
    UfsCryptoHc *s = UFS_CRYPTO(pci_dev);

    UFS_CRYPTO_GET_CLASS(s)->parent_exit(pci_dev);
    inline_crypto_regs_cleanup(&s->crypto);
}

static void ufs_crypto_reset_hold(Object *obj, ResetType type)
{
    UfsCryptoHc *s = UFS_CRYPTO(obj);
    UfsCryptoClass *k = UFS_CRYPTO_GET_CLASS(s);

    if (k->parent_phases.hold) {
        k->parent_phases.hold(obj, type);
    }
    inline_crypto_regs_reset(&s->crypto);
}

static const Property ufs_crypto_props[] = {
    DEFINE_INLINE_CRYPTO_REGS_PROPERTIES(UfsCryptoHc, crypto, 0xff),
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
