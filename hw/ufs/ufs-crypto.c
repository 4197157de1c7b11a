/*
 * QEMU UFS host controller inline crypto engine
 *
 * The UFSHCI crypto registers (CCAP, CRYPTOCAP, the keyslot array and
 * HCE.CGE) and the per-request fields of the UTRD (CE, CCI, DUN) in front of
 * the data-unit cipher engine of hw/block/inline-crypto.c.  Encrypted
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

/*
 * Adiantum has no UFSHCI algorithm ID: this controller offers it under 0x80,
 * an ID UFSHCI does not assign, as a vendor would.  Its 32-byte key sits at
 * byte 0 of CRYPTOKEY.
 */
#define UFS_CRYPTO_ALG_VENDOR_ADIANTUM 0x80

typedef struct UfsCryptoAlgInfo {
    const char *name;
    uint8_t algid;
    uint8_t ks;
    InlineCryptoAlg alg;
    uint32_t key_len;
} UfsCryptoAlgInfo;

static const UfsCryptoAlgInfo ufs_crypto_algs[] = {
    { "aes-256-xts", UFS_CRYPTO_ALG_AES_XTS, UFS_CRYPTO_KEY_SIZE_256,
      INLINE_CRYPTO_ALG_AES_XTS, 64 },
    { "aes-128-xts", UFS_CRYPTO_ALG_AES_XTS, UFS_CRYPTO_KEY_SIZE_128,
      INLINE_CRYPTO_ALG_AES_XTS, 32 },
    { "essiv-aes-128-cbc", UFS_CRYPTO_ALG_ESSIV_AES_CBC,
      UFS_CRYPTO_KEY_SIZE_128, INLINE_CRYPTO_ALG_AES_CBC_ESSIV, 16 },
    { "essiv-aes-256-cbc", UFS_CRYPTO_ALG_ESSIV_AES_CBC,
      UFS_CRYPTO_KEY_SIZE_256, INLINE_CRYPTO_ALG_AES_CBC_ESSIV, 32 },
    { "adiantum", UFS_CRYPTO_ALG_VENDOR_ADIANTUM, UFS_CRYPTO_KEY_SIZE_256,
      INLINE_CRYPTO_ALG_ADIANTUM, 32 },
};

#define UFS_CRYPTO_DEFAULT_ALGS \
    "aes-256-xts,aes-128-xts,essiv-aes-128-cbc,essiv-aes-256-cbc,adiantum"

/*
 * Registers
 */

hwaddr ufs_crypto_reg_end(UfsHc *u)
{
    return UFS_CRYPTO_CFG_BASE + u->crypto->nslots * UFS_CRYPTOCFG_SIZE;
}

static uint32_t ufs_crypto_ccap(UfsCrypto *c)
{
    uint32_t ccap = 0;

    ccap = FIELD_DP32(ccap, CCAP, CC, c->ncaps);
    ccap = FIELD_DP32(ccap, CCAP, CFGC, c->nslots - 1);
    ccap = FIELD_DP32(ccap, CCAP, CFGPTR, UFS_CRYPTO_CFGPTR);
    return ccap;
}

static bool ufs_crypto_is_cap_reg(UfsCrypto *c, hwaddr addr)
{
    return addr >= A_CCAP && addr < A_CRYPTOCAP + 4 * c->ncaps;
}

static bool ufs_crypto_is_cfg_reg(UfsHc *u, hwaddr addr)
{
    return addr >= UFS_CRYPTO_CFG_BASE && addr < ufs_crypto_reg_end(u);
}

static uint32_t ufs_crypto_reg_read(UfsHc *u, hwaddr addr)
{
    UfsCrypto *c = u->crypto;
    uint32_t slot, dw;

    if (addr == A_CCAP) {
        return ufs_crypto_ccap(c);
    }
    if (ufs_crypto_is_cap_reg(c, addr)) {
        return c->caps[(addr - A_CRYPTOCAP) / 4].reg;
    }
    slot = (addr - UFS_CRYPTO_CFG_BASE) / UFS_CRYPTOCFG_SIZE;
    dw = (addr - UFS_CRYPTO_CFG_BASE) % UFS_CRYPTOCFG_SIZE / 4;
    /* Keys are write-only; reserved dwords read as zero. */
    if (dw == UFS_CRYPTOCFG_DW_CFG || dw == UFS_CRYPTOCFG_DW_VSB) {
        return c->cfg[slot][dw];
    }
    return 0;
}

/*
 * The controller's registers are accessed as dwords (.impl): a narrower or
 * unaligned access reaches us as the dword access that contains its first
 * byte.  Reads return the bytes from that address on.
 */
bool ufs_crypto_mmio_read(UfsHc *u, hwaddr addr, uint64_t *val)
{
    if (!ufs_crypto_is_cap_reg(u->crypto, addr) &&
        !ufs_crypto_is_cfg_reg(u, addr)) {
        return false;
    }
    *val = ufs_crypto_reg_read(u, addr & ~(hwaddr)3) >> (8 * (addr & 3));
    return true;
}

/* Copy a keyslot's key out of its CRYPTOKEY dwords for the engine. */
static void ufs_crypto_get_key(const uint32_t *cfg, const UfsCryptoCap *cap,
                               uint8_t *key)
{
    uint8_t raw[UFS_CRYPTOCFG_KEY_DWORDS * 4];

    for (int i = 0; i < UFS_CRYPTOCFG_KEY_DWORDS; i++) {
        stl_le_p(raw + 4 * i, cfg[i]);
    }
    if (cap->alg == INLINE_CRYPTO_ALG_AES_XTS) {
        /* The two halves of an XTS key sit at key bytes 0 and 32. */
        memcpy(key, raw, cap->key_len / 2);
        memcpy(key + cap->key_len / 2, raw + 32, cap->key_len / 2);
    } else {
        memcpy(key, raw, cap->key_len);
    }
    inline_crypto_wipe(raw, sizeof(raw));
}

static void ufs_crypto_program(UfsCrypto *c, uint32_t slot, uint32_t val)
{
    uint8_t capidx = FIELD_EX32(val, CRYPTOCFG, CAPIDX);
    uint8_t dusu = FIELD_EX32(val, CRYPTOCFG, DUSU);
    uint8_t key[INLINE_CRYPTO_MAX_KEY_LEN];
    const UfsCryptoCap *cap;
    uint8_t sdusb;
    Error *err = NULL;

    if (capidx >= c->ncaps) {
        UFS_CRYPTO_GUEST_ERR(ufs_crypto_err_capidx,
                             "keyslot %" PRIu32 ": CAPIDX %u >= %u",
                             slot, capidx, c->ncaps);
        return;
    }
    cap = &c->caps[capidx];
    sdusb = FIELD_EX32(cap->reg, CRYPTOCAP, SDUSB);
    if (!is_power_of_2(dusu) || !(dusu & sdusb)) {
        UFS_CRYPTO_GUEST_ERR(ufs_crypto_err_dusu,
                             "keyslot %" PRIu32 ": DUSU 0x%x, offered 0x%x",
                             slot, dusu, sdusb);
        return;
    }

    ufs_crypto_get_key(c->cfg[slot], cap, key);
    if (inline_crypto_program(&c->engine, slot, cap->alg, key, cap->key_len,
                              dusu * 512, &err) < 0) {
        UFS_CRYPTO_GUEST_ERR(ufs_crypto_err_program, "keyslot %" PRIu32 ": %s",
                             slot, error_get_pretty(err));
        error_free(err);
    } else {
        trace_ufs_crypto_keyslot_program(slot, capidx, dusu * 512);
    }
    inline_crypto_wipe(key, sizeof(key));
}

/*
 * Writing dword 16 commits a keyslot: the key it held is dropped, and with
 * CFGE=1 the staged key is programmed.  Either way the staged key dwords
 * are wiped, as Linux rewrites all of them for every configuration.
 */
static void ufs_crypto_commit(UfsCrypto *c, uint32_t slot, uint32_t val)
{
    uint32_t *cfg = c->cfg[slot];

    cfg[UFS_CRYPTOCFG_DW_CFG] = val;
    inline_crypto_evict(&c->engine, slot);
    if (FIELD_EX32(val, CRYPTOCFG, CFGE)) {
        ufs_crypto_program(c, slot, val);
    } else {
        trace_ufs_crypto_keyslot_evict(slot);
    }
    inline_crypto_wipe(cfg, UFS_CRYPTOCFG_KEY_DWORDS * sizeof(*cfg));
}

bool ufs_crypto_mmio_write(UfsHc *u, hwaddr addr, uint32_t val)
{
    UfsCrypto *c = u->crypto;
    uint32_t slot, dw;

    if (ufs_crypto_is_cap_reg(c, addr)) {
        UFS_CRYPTO_GUEST_ERR(ufs_crypto_err_ro_write,
                             "register 0x%" HWADDR_PRIx " is read-only", addr);
        return true;
    }
    if (!ufs_crypto_is_cfg_reg(u, addr)) {
        return false;
    }
    if (addr & 3) {
        UFS_CRYPTO_GUEST_ERR(ufs_crypto_err_unaligned,
                             "unaligned write at 0x%" HWADDR_PRIx, addr);
        return true;
    }

    slot = (addr - UFS_CRYPTO_CFG_BASE) / UFS_CRYPTOCFG_SIZE;
    dw = (addr - UFS_CRYPTO_CFG_BASE) % UFS_CRYPTOCFG_SIZE / 4;
    if (dw < UFS_CRYPTOCFG_KEY_DWORDS || dw == UFS_CRYPTOCFG_DW_VSB) {
        c->cfg[slot][dw] = val;
    } else if (dw == UFS_CRYPTOCFG_DW_CFG) {
        ufs_crypto_commit(c, slot, val);
    }
    /* Dwords 18-31 are reserved: writes are ignored. */
    return true;
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

/* Copy @len bytes between @buf and the guest buffers, from byte @offset. */
static MemTxResult ufs_crypto_sg_rw(QEMUSGList *sg, uint64_t offset,
                                    uint8_t *buf, uint32_t len,
                                    DMADirection dir)
{
    for (int i = 0; i < sg->nsg && len; i++) {
        ScatterGatherEntry *e = &sg->sg[i];
        dma_addr_t n;
        MemTxResult ret;

        if (offset >= e->len) {
            offset -= e->len;
            continue;
        }
        n = MIN(e->len - offset, len);
        ret = dma_memory_rw(sg->as, e->base + offset, buf, n, dir,
                            MEMTXATTRS_UNSPECIFIED);
        if (ret != MEMTX_OK) {
            return ret;
        }
        buf += n;
        len -= n;
        offset = 0;
    }
    return len ? MEMTX_DECODE_ERROR : MEMTX_OK;
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
        if (ufs_crypto_sg_rw(req->sg, c->offset, buf, len,
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
    if (!to_dev && ufs_crypto_sg_rw(req->sg, c->offset, buf, len,
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
 * Migration
 *
 * The keyslot registers go as they are, staged key dwords included, since
 * the guest may be stopped between writing a key and committing it.  The
 * programmed keys go as the raw keys the engine was given, and the
 * destination programs its engine with them.  The migration stream so
 * carries key material, as it carries guest RAM.  The buffer that holds
 * the keys for the stream only exists while the device state is saved or
 * loaded, and is wiped then.
 */

static void ufs_crypto_free_mig_keys(UfsCrypto *c)
{
    if (c->mig_keys) {
        inline_crypto_wipe(c->mig_keys, c->nslots * sizeof(*c->mig_keys));
        g_free(c->mig_keys);
        c->mig_keys = NULL;
    }
}

static bool ufs_crypto_vmstate_needed(void *opaque)
{
    UfsHc *u = opaque;

    return u->crypto != NULL;
}

static int ufs_crypto_pre_save(void *opaque)
{
    UfsCrypto *c = &UFS_CRYPTO(opaque)->crypto;

    for (int i = 0; i < UFS_CRYPTO_MAX_CAPS; i++) {
        c->mig_caps[i] = i < c->ncaps ? c->caps[i].reg : 0;
    }
    ufs_crypto_free_mig_keys(c);
    c->mig_keys = g_new0(UfsCryptoMigKey, c->nslots);
    for (uint32_t slot = 0; slot < c->nslots; slot++) {
        g_autoptr(InlineCryptoKey) key = inline_crypto_get_key(&c->engine,
                                                               slot);
        UfsCryptoMigKey *m = &c->mig_keys[slot];
        InlineCryptoAlg alg;

        m->alg = INLINE_CRYPTO_ALG__MAX;
        if (key) {
            m->key_len = inline_crypto_key_export(key, &alg, m->key);
            m->alg = alg;
            m->du_size = inline_crypto_key_du_size(key);
        }
    }
    return 0;
}

static int ufs_crypto_post_save(void *opaque)
{
    ufs_crypto_free_mig_keys(&UFS_CRYPTO(opaque)->crypto);
    return 0;
}

static int ufs_crypto_pre_load(void *opaque)
{
    UfsCrypto *c = &UFS_CRYPTO(opaque)->crypto;

    ufs_crypto_free_mig_keys(c);
    c->mig_keys = g_new0(UfsCryptoMigKey, c->nslots);
    return 0;
}

static int ufs_crypto_load_keys(UfsCrypto *c)
{
    for (int i = 0; i < UFS_CRYPTO_MAX_CAPS; i++) {
        if (c->mig_caps[i] != (i < c->ncaps ? c->caps[i].reg : 0)) {
            error_report("ufs-crypto: capability %d differs from the source "
                         "(algorithms or data-unit-sizes?)", i);
            return -EINVAL;
        }
    }
    for (uint32_t slot = 0; slot < c->nslots; slot++) {
        UfsCryptoMigKey *m = &c->mig_keys[slot];
        Error *err = NULL;

        inline_crypto_evict(&c->engine, slot);
        if (m->alg == INLINE_CRYPTO_ALG__MAX) {
            continue;
        }
        if (m->alg > INLINE_CRYPTO_ALG__MAX ||
            inline_crypto_program(&c->engine, slot, m->alg, m->key,
                                  m->key_len, m->du_size, &err) < 0) {
            error_report("ufs-crypto: keyslot %" PRIu32 ": %s", slot,
                         err ? error_get_pretty(err) : "invalid algorithm");
            error_free(err);
            return -EINVAL;
        }
    }
    return 0;
}

static int ufs_crypto_post_load(void *opaque, int version_id)
{
    UfsCrypto *c = &UFS_CRYPTO(opaque)->crypto;
    int ret = ufs_crypto_load_keys(c);

    ufs_crypto_free_mig_keys(c);
    if (ret) {
        inline_crypto_evict_all(&c->engine);
    }
    return ret;
}

static const VMStateDescription vmstate_ufs_crypto_key = {
    .name = "ufs-crypto-key",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(alg, UfsCryptoMigKey),
        VMSTATE_UINT8(key_len, UfsCryptoMigKey),
        VMSTATE_UINT32(du_size, UfsCryptoMigKey),
        VMSTATE_UINT8_ARRAY(key, UfsCryptoMigKey, INLINE_CRYPTO_MAX_KEY_LEN),
        VMSTATE_END_OF_LIST()
    },
};

/* A subsection of vmstate_ufs_hc: @opaque is the UfsHc. */
const VMStateDescription vmstate_ufs_crypto = {
    .name = "ufs/crypto",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = ufs_crypto_vmstate_needed,
    .pre_save = ufs_crypto_pre_save,
    .post_save = ufs_crypto_post_save,
    .pre_load = ufs_crypto_pre_load,
    .post_load = ufs_crypto_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16_EQUAL(crypto.nslots, UfsCryptoHc,
                             "keyslots must be the same as on the source"),
        /* Compared with ours in post_load: the number of entries too */
        VMSTATE_UINT32_ARRAY(crypto.mig_caps, UfsCryptoHc,
                             UFS_CRYPTO_MAX_CAPS),
        /* The keyslot registers: an array of crypto.ncfg dwords */
        {
            .name = "crypto.cfg",
            .num_offset = offsetof(UfsCryptoHc, crypto.ncfg),
            .info = &vmstate_info_uint32,
            .size = sizeof(uint32_t),
            .flags = VMS_VARRAY_UINT32 | VMS_POINTER,
            .offset = offsetof(UfsCryptoHc, crypto.cfg),
        },
        VMSTATE_STRUCT_VARRAY_POINTER_UINT16(crypto.mig_keys, UfsCryptoHc,
                                             crypto.nslots,
                                             vmstate_ufs_crypto_key,
                                             UfsCryptoMigKey),
        VMSTATE_END_OF_LIST()
    },
};

/*
 * Device
 */

static bool ufs_crypto_add_cap(UfsCrypto *c, const char *name, Error **errp)
{
    for (int i = 0; i < ARRAY_SIZE(ufs_crypto_algs); i++) {
        const UfsCryptoAlgInfo *a = &ufs_crypto_algs[i];
        UfsCryptoCap *cap;

        if (strcmp(name, a->name)) {
            continue;
        }
        if (c->ncaps == UFS_CRYPTO_MAX_CAPS) {
            error_setg(errp, "at most %d algorithms", UFS_CRYPTO_MAX_CAPS);
            return false;
        }
        cap = &c->caps[c->ncaps++];
        cap->alg = a->alg;
        cap->key_len = a->key_len;
        cap->reg = FIELD_DP32(0, CRYPTOCAP, ALGID, a->algid);
        cap->reg = FIELD_DP32(cap->reg, CRYPTOCAP, SDUSB, c->du_sizes);
        cap->reg = FIELD_DP32(cap->reg, CRYPTOCAP, KS, a->ks);
        return true;
    }
    error_setg(errp, "unknown algorithm '%s'", name);
    error_append_hint(errp, "Supported: " UFS_CRYPTO_DEFAULT_ALGS "\n");
    return false;
}

static bool ufs_crypto_init(UfsCrypto *c, Error **errp)
{
    g_auto(GStrv) names = NULL;

    if (c->nslots < 1 || c->nslots > UFS_CRYPTO_MAX_SLOTS) {
        error_setg(errp, "keyslots must be between 1 and %d",
                   UFS_CRYPTO_MAX_SLOTS);
        return false;
    }
    if (!c->du_sizes) {
        error_setg(errp, "data-unit-sizes must offer at least one size");
        return false;
    }

    names = g_strsplit(c->algs ?: UFS_CRYPTO_DEFAULT_ALGS, ",", -1);
    c->ncaps = 0;
    for (int i = 0; names[i]; i++) {
        if (!ufs_crypto_add_cap(c, names[i], errp)) {
            return false;
        }
    }
    if (!c->ncaps) {
        error_setg(errp, "algorithms must name at least one algorithm");
        return false;
    }

    inline_crypto_engine_init(&c->engine, c->nslots);
    c->cfg = g_malloc0(c->nslots * sizeof(*c->cfg));
    c->ncfg = c->nslots * ARRAY_SIZE(*c->cfg);
    return true;
}

static void ufs_crypto_clear(UfsCrypto *c)
{
    inline_crypto_evict_all(&c->engine);
    inline_crypto_wipe(c->cfg, c->nslots * sizeof(*c->cfg));
}

static void ufs_crypto_cleanup(UfsCrypto *c)
{
    ufs_crypto_free_mig_keys(c);
    if (c->cfg) {
        ufs_crypto_clear(c);
        g_free(c->cfg);
        c->cfg = NULL;
    }
    inline_crypto_engine_cleanup(&c->engine);
}

static void ufs_crypto_instance_init(Object *obj)
{
    UfsCryptoHc *s = UFS_CRYPTO(obj);

    s->parent_obj.crypto = &s->crypto;
}

static void ufs_crypto_realize(PCIDevice *pci_dev, Error **errp)
{
    ERRP_GUARD();
    UfsCryptoHc *s = UFS_CRYPTO(pci_dev);

    if (!ufs_crypto_init(&s->crypto, errp)) {
        return;
    }
    UFS_CRYPTO_GET_CLASS(s)->parent_realize(pci_dev, errp);
    if (*errp) {
        ufs_crypto_cleanup(&s->crypto);
    }
}

static void ufs_crypto_exit(PCIDevice *pci_dev)
{
    UfsCryptoHc *s = UFS_CRYPTO(pci_dev);

    UFS_CRYPTO_GET_CLASS(s)->parent_exit(pci_dev);
    ufs_crypto_cleanup(&s->crypto);
}

static void ufs_crypto_reset_hold(Object *obj, ResetType type)
{
    UfsCryptoHc *s = UFS_CRYPTO(obj);
    UfsCryptoClass *k = UFS_CRYPTO_GET_CLASS(s);

    if (k->parent_phases.hold) {
        k->parent_phases.hold(obj, type);
    }
    if (s->crypto.cfg) {
        ufs_crypto_clear(&s->crypto);
    }
}

static const Property ufs_crypto_props[] = {
    DEFINE_PROP_UINT16("keyslots", UfsCryptoHc, crypto.nslots, 32),
    DEFINE_PROP_UINT8("data-unit-sizes", UfsCryptoHc, crypto.du_sizes, 0xff),
    DEFINE_PROP_STRING("algorithms", UfsCryptoHc, crypto.algs),
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
    object_class_property_set_description(oc, "keyslots",
        "number of keyslots (1-256)");
    object_class_property_set_description(oc, "data-unit-sizes",
        "data unit sizes offered, bit n for 512 << n bytes (SDUSB)");
    object_class_property_set_description(oc, "algorithms",
        "comma-separated list of " UFS_CRYPTO_DEFAULT_ALGS);
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
