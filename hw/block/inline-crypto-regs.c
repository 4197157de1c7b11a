/*
 * The crypto register file of a storage host controller (UFSHCI, CQHCI)
 *
 * CCAP and CRYPTOCAP describe what the engine offers; the keyslot array
 * programs it.  Linux programs a keyslot by clearing dword 16, writing the
 * key in dwords 0-15 and dword 17, then writing dword 16 with CFGE=1, and
 * evicts it the same way with an all-zero entry (ufshcd-crypto.c,
 * cqhci-crypto.c).  Keys are write-only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/log.h"
#include "qemu/error-report.h"
#include "qom/object.h"
#include "migration/vmstate.h"
#include "hw/block/inline-crypto-regs.h"
#include "trace.h"

/* A guest error: a trace event and a LOG_GUEST_ERROR line, as hw/nvme does */
#define ICR_GUEST_ERR(r, trace, fmt, ...)                                 \
    do {                                                                  \
        (trace_##trace)(__VA_ARGS__);                                     \
        qemu_log_mask(LOG_GUEST_ERROR, "%s: " #trace " in %s: " fmt "\n", \
                      (r)->owner, __func__, ##__VA_ARGS__);               \
    } while (0)

/* CRYPTOCAP algorithm identifiers and key sizes, the same in both specs */
#define ICR_ALG_AES_XTS         0x0
#define ICR_ALG_ESSIV_AES_CBC   0x3
/*
 * Adiantum has no standard algorithm ID: it is offered under 0x80, an ID
 * neither specification assigns, as a vendor would.  Its 32-byte key sits
 * at byte 0 of the key dwords.
 */
#define ICR_ALG_VENDOR_ADIANTUM 0x80
#define ICR_KEY_SIZE_128        0x1
#define ICR_KEY_SIZE_256        0x3

typedef struct InlineCryptoAlgInfo {
    const char *name;
    uint8_t algid;
    uint8_t ks;
    InlineCryptoAlg alg;
    uint32_t key_len;
} InlineCryptoAlgInfo;

static const InlineCryptoAlgInfo icr_algs[] = {
    { "aes-256-xts", ICR_ALG_AES_XTS, ICR_KEY_SIZE_256,
      INLINE_CRYPTO_ALG_AES_XTS, 64 },
    { "aes-128-xts", ICR_ALG_AES_XTS, ICR_KEY_SIZE_128,
      INLINE_CRYPTO_ALG_AES_XTS, 32 },
    { "essiv-aes-128-cbc", ICR_ALG_ESSIV_AES_CBC, ICR_KEY_SIZE_128,
      INLINE_CRYPTO_ALG_AES_CBC_ESSIV, 16 },
    { "essiv-aes-256-cbc", ICR_ALG_ESSIV_AES_CBC, ICR_KEY_SIZE_256,
      INLINE_CRYPTO_ALG_AES_CBC_ESSIV, 32 },
    { "adiantum", ICR_ALG_VENDOR_ADIANTUM, ICR_KEY_SIZE_256,
      INLINE_CRYPTO_ALG_ADIANTUM, 32 },
};

#define ICR_ALL_ALGS \
    "aes-256-xts,aes-128-xts,essiv-aes-128-cbc,essiv-aes-256-cbc,adiantum"

/*
 * Registers
 */

static hwaddr icr_cfg_base(const InlineCryptoRegs *r)
{
    return r->cfgptr * 0x100;
}

hwaddr inline_crypto_regs_end(const InlineCryptoRegs *r)
{
    return icr_cfg_base(r) + r->nslots * ICR_CFG_SIZE;
}

static uint32_t icr_ccap(const InlineCryptoRegs *r)
{
    uint32_t ccap = 0;

    ccap = FIELD_DP32(ccap, ICR_CCAP, CC, r->ncaps);
    ccap = FIELD_DP32(ccap, ICR_CCAP, CFGC, r->nslots - 1);
    ccap = FIELD_DP32(ccap, ICR_CCAP, CFGPTR, r->cfgptr);
    return ccap;
}

static bool icr_is_cap_reg(const InlineCryptoRegs *r, hwaddr addr)
{
    return addr >= A_ICR_CCAP && addr < A_ICR_CRYPTOCAP + 4 * r->ncaps;
}

static bool icr_is_cfg_reg(const InlineCryptoRegs *r, hwaddr addr)
{
    return addr >= icr_cfg_base(r) && addr < inline_crypto_regs_end(r);
}

static uint32_t icr_reg_read(InlineCryptoRegs *r, hwaddr addr)
{
    uint32_t slot, dw;

    if (addr == A_ICR_CCAP) {
        return icr_ccap(r);
    }
    if (icr_is_cap_reg(r, addr)) {
        return r->caps[(addr - A_ICR_CRYPTOCAP) / 4].reg;
    }
    slot = (addr - icr_cfg_base(r)) / ICR_CFG_SIZE;
    dw = (addr - icr_cfg_base(r)) % ICR_CFG_SIZE / 4;
    /* Keys are write-only; reserved dwords read as zero. */
    if (dw == ICR_CFG_DW_CFG || dw == ICR_CFG_DW_VSB) {
        return r->cfg[slot][dw];
    }
    return 0;
}

bool inline_crypto_regs_read(InlineCryptoRegs *r, hwaddr addr, uint64_t *val)
{
    if (!icr_is_cap_reg(r, addr) && !icr_is_cfg_reg(r, addr)) {
        return false;
    }
    *val = icr_reg_read(r, addr & ~(hwaddr)3) >> (8 * (addr & 3));
    return true;
}

/* Copy a keyslot's key out of its key dwords for the engine. */
static void icr_get_key(const uint32_t *cfg, const InlineCryptoCap *cap,
                        uint8_t *key)
{
    uint8_t raw[ICR_CFG_KEY_DWORDS * 4];

    for (int i = 0; i < ICR_CFG_KEY_DWORDS; i++) {
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

/* The capability a configuration names, if it and its DUSU are valid */
static const InlineCryptoCap *icr_check_cfg(InlineCryptoRegs *r,
                                            uint32_t slot, uint8_t capidx,
                                            uint8_t dusu)
{
    const InlineCryptoCap *cap;
    uint8_t sdusb;

    if (capidx >= r->ncaps) {
        ICR_GUEST_ERR(r, inline_crypto_regs_err_capidx,
                      "keyslot %" PRIu32 ": CAPIDX %u >= %u",
                      slot, capidx, r->ncaps);
        return NULL;
    }
    cap = &r->caps[capidx];
    sdusb = FIELD_EX32(cap->reg, ICR_CRYPTOCAP, SDUSB);
    if (!is_power_of_2(dusu) || !(dusu & sdusb)) {
        ICR_GUEST_ERR(r, inline_crypto_regs_err_dusu,
                      "keyslot %" PRIu32 ": DUSU 0x%x, offered 0x%x",
                      slot, dusu, sdusb);
        return NULL;
    }
    return cap;
}

static bool icr_program_key(InlineCryptoRegs *r, uint32_t slot,
                            const InlineCryptoCap *cap, uint8_t capidx,
                            uint8_t dusu, const uint8_t *key)
{
    Error *err = NULL;

    if (inline_crypto_program(&r->engine, slot, cap->alg, key, cap->key_len,
                              dusu * 512, &err) < 0) {
        ICR_GUEST_ERR(r, inline_crypto_regs_err_program,
                      "keyslot %" PRIu32 ": %s", slot, error_get_pretty(err));
        error_free(err);
        return false;
    }
    trace_inline_crypto_regs_program(r->owner, slot, capidx, dusu * 512);
    return true;
}

static void icr_program(InlineCryptoRegs *r, uint32_t slot, uint32_t val)
{
    uint8_t capidx = FIELD_EX32(val, ICR_CRYPTOCFG, CAPIDX);
    uint8_t dusu = FIELD_EX32(val, ICR_CRYPTOCFG, DUSU);
    uint8_t key[INLINE_CRYPTO_MAX_KEY_LEN];
    const InlineCryptoCap *cap = icr_check_cfg(r, slot, capidx, dusu);

    if (!cap) {
        return;
    }
    icr_get_key(r->cfg[slot], cap, key);
    icr_program_key(r, slot, cap, capidx, dusu, key);
    inline_crypto_wipe(key, sizeof(key));
}

bool inline_crypto_regs_program_key(InlineCryptoRegs *r, uint32_t slot,
                                    uint8_t capidx, uint8_t dusu,
                                    InlineCryptoAlg alg, const uint8_t *key,
                                    size_t key_len)
{
    const InlineCryptoCap *cap;
    uint32_t val = 0;

    if (slot >= r->nslots) {
        return false;
    }
    /* As a guest commit: the old key and any staged key dwords go. */
    r->cfg[slot][ICR_CFG_DW_CFG] = 0;
    inline_crypto_evict(&r->engine, slot);
    inline_crypto_wipe(r->cfg[slot], ICR_CFG_KEY_DWORDS * sizeof(uint32_t));
    cap = icr_check_cfg(r, slot, capidx, dusu);
    if (!cap || cap->alg != alg || cap->key_len != key_len ||
        !icr_program_key(r, slot, cap, capidx, dusu, key)) {
        return false;
    }
    val = FIELD_DP32(val, ICR_CRYPTOCFG, DUSU, dusu);
    val = FIELD_DP32(val, ICR_CRYPTOCFG, CAPIDX, capidx);
    val = FIELD_DP32(val, ICR_CRYPTOCFG, CFGE, 1);
    r->cfg[slot][ICR_CFG_DW_CFG] = val;
    return true;
}

/*
 * Writing dword 16 commits a keyslot: the key it held is dropped, and with
 * CFGE=1 the staged key is programmed.  Either way the staged key dwords
 * are wiped, as Linux rewrites all of them for every configuration.
 */
static void icr_commit(InlineCryptoRegs *r, uint32_t slot, uint32_t val)
{
    uint32_t *cfg = r->cfg[slot];

    cfg[ICR_CFG_DW_CFG] = val;
    inline_crypto_evict(&r->engine, slot);
    if (FIELD_EX32(val, ICR_CRYPTOCFG, CFGE)) {
        icr_program(r, slot, val);
    } else {
        trace_inline_crypto_regs_evict(r->owner, slot);
    }
    inline_crypto_wipe(cfg, ICR_CFG_KEY_DWORDS * sizeof(*cfg));
}

bool inline_crypto_regs_write(InlineCryptoRegs *r, hwaddr addr, uint32_t val)
{
    uint32_t slot, dw;

    if (icr_is_cap_reg(r, addr)) {
        ICR_GUEST_ERR(r, inline_crypto_regs_err_ro_write,
                      "register 0x%" HWADDR_PRIx " is read-only", addr);
        return true;
    }
    if (!icr_is_cfg_reg(r, addr)) {
        return false;
    }
    if (addr & 3) {
        ICR_GUEST_ERR(r, inline_crypto_regs_err_unaligned,
                      "unaligned write at 0x%" HWADDR_PRIx, addr);
        return true;
    }

    slot = (addr - icr_cfg_base(r)) / ICR_CFG_SIZE;
    dw = (addr - icr_cfg_base(r)) % ICR_CFG_SIZE / 4;
    if (dw < ICR_CFG_KEY_DWORDS || dw == ICR_CFG_DW_VSB) {
        r->cfg[slot][dw] = val;
    } else if (dw == ICR_CFG_DW_CFG) {
        icr_commit(r, slot, val);
    }
    /* Dwords 18-31 are reserved: writes are ignored. */
    return true;
}

bool inline_crypto_regs_is_key(const InlineCryptoRegs *r, hwaddr addr)
{
    return icr_is_cfg_reg(r, addr) &&
           (addr - icr_cfg_base(r)) % ICR_CFG_SIZE / 4 < ICR_CFG_KEY_DWORDS;
}

/*
 * Data paths
 */

MemTxResult inline_crypto_sg_rw(QEMUSGList *sg, uint64_t offset, uint8_t *buf,
                                uint32_t len, DMADirection dir)
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

static void icr_free_mig_keys(InlineCryptoRegs *r)
{
    if (r->mig_keys) {
        inline_crypto_wipe(r->mig_keys, r->nslots * sizeof(*r->mig_keys));
        g_free(r->mig_keys);
        r->mig_keys = NULL;
    }
}

static int icr_pre_save(void *opaque)
{
    InlineCryptoRegs *r = opaque;

    for (int i = 0; i < ICR_MAX_CAPS; i++) {
        r->mig_caps[i] = i < r->ncaps ? r->caps[i].reg : 0;
    }
    icr_free_mig_keys(r);
    r->mig_keys = g_new0(InlineCryptoMigKey, r->nslots);
    for (uint32_t slot = 0; slot < r->nslots; slot++) {
        g_autoptr(InlineCryptoKey) key = inline_crypto_get_key(&r->engine,
                                                               slot);
        InlineCryptoMigKey *m = &r->mig_keys[slot];
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

static int icr_post_save(void *opaque)
{
    icr_free_mig_keys(opaque);
    return 0;
}

static int icr_pre_load(void *opaque)
{
    InlineCryptoRegs *r = opaque;

    icr_free_mig_keys(r);
    r->mig_keys = g_new0(InlineCryptoMigKey, r->nslots);
    return 0;
}

static int icr_load_keys(InlineCryptoRegs *r)
{
    for (int i = 0; i < ICR_MAX_CAPS; i++) {
        if (r->mig_caps[i] != (i < r->ncaps ? r->caps[i].reg : 0)) {
            error_report("%s: capability %d differs from the source "
                         "(algorithms or data-unit-sizes?)", r->owner, i);
            return -EINVAL;
        }
    }
    for (uint32_t slot = 0; slot < r->nslots; slot++) {
        InlineCryptoMigKey *m = &r->mig_keys[slot];
        Error *err = NULL;

        inline_crypto_evict(&r->engine, slot);
        if (m->alg == INLINE_CRYPTO_ALG__MAX) {
            continue;
        }
        if (m->alg > INLINE_CRYPTO_ALG__MAX ||
            inline_crypto_program(&r->engine, slot, m->alg, m->key,
                                  m->key_len, m->du_size, &err) < 0) {
            error_report("%s: keyslot %" PRIu32 ": %s", r->owner, slot,
                         err ? error_get_pretty(err) : "invalid algorithm");
            error_free(err);
            return -EINVAL;
        }
    }
    return 0;
}

static int icr_post_load(void *opaque, int version_id)
{
    InlineCryptoRegs *r = opaque;
    int ret = icr_load_keys(r);

    icr_free_mig_keys(r);
    if (ret) {
        inline_crypto_evict_all(&r->engine);
    }
    return ret;
}

static const VMStateDescription vmstate_icr_key = {
    .name = "inline-crypto-key",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(alg, InlineCryptoMigKey),
        VMSTATE_UINT8(key_len, InlineCryptoMigKey),
        VMSTATE_UINT32(du_size, InlineCryptoMigKey),
        VMSTATE_UINT8_ARRAY(key, InlineCryptoMigKey,
                            INLINE_CRYPTO_MAX_KEY_LEN),
        VMSTATE_END_OF_LIST()
    },
};

const VMStateDescription vmstate_inline_crypto_regs = {
    .name = "inline-crypto-regs",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_save = icr_pre_save,
    .post_save = icr_post_save,
    .pre_load = icr_pre_load,
    .post_load = icr_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16_EQUAL(nslots, InlineCryptoRegs,
                             "keyslots must be the same as on the source"),
        /* Compared with ours in post_load: the number of entries too */
        VMSTATE_UINT32_ARRAY(mig_caps, InlineCryptoRegs, ICR_MAX_CAPS),
        /* The keyslot registers: an array of ncfg dwords */
        {
            .name = "cfg",
            .num_offset = offsetof(InlineCryptoRegs, ncfg),
            .info = &vmstate_info_uint32,
            .size = sizeof(uint32_t),
            .flags = VMS_VARRAY_UINT32 | VMS_POINTER,
            .offset = offsetof(InlineCryptoRegs, cfg),
        },
        VMSTATE_STRUCT_VARRAY_POINTER_UINT16(mig_keys, InlineCryptoRegs,
                                             nslots, vmstate_icr_key,
                                             InlineCryptoMigKey),
        VMSTATE_END_OF_LIST()
    },
};

/*
 * Set-up
 */

static bool icr_add_cap(InlineCryptoRegs *r, const char *name, Error **errp)
{
    for (int i = 0; i < ARRAY_SIZE(icr_algs); i++) {
        const InlineCryptoAlgInfo *a = &icr_algs[i];
        InlineCryptoCap *cap;

        if (strcmp(name, a->name)) {
            continue;
        }
        if (r->ncaps == ICR_MAX_CAPS) {
            error_setg(errp, "at most %d algorithms", ICR_MAX_CAPS);
            return false;
        }
        cap = &r->caps[r->ncaps++];
        cap->alg = a->alg;
        cap->key_len = a->key_len;
        cap->reg = FIELD_DP32(0, ICR_CRYPTOCAP, ALGID, a->algid);
        cap->reg = FIELD_DP32(cap->reg, ICR_CRYPTOCAP, SDUSB, r->du_sizes);
        cap->reg = FIELD_DP32(cap->reg, ICR_CRYPTOCAP, KS, a->ks);
        return true;
    }
    error_setg(errp, "unknown algorithm '%s'", name);
    error_append_hint(errp, "Supported: " ICR_ALL_ALGS "\n");
    return false;
}

bool inline_crypto_regs_init(InlineCryptoRegs *r, const char *owner,
                             uint8_t cfgptr, const char *default_algs,
                             Error **errp)
{
    g_auto(GStrv) names = NULL;

    r->owner = owner;
    r->cfgptr = cfgptr;
    /* The CRYPTOCAP array must end before the keyslots start. */
    assert(A_ICR_CRYPTOCAP + 4 * ICR_MAX_CAPS <= icr_cfg_base(r));
    if (r->nslots < 1 || r->nslots > ICR_MAX_SLOTS) {
        error_setg(errp, "keyslots must be between 1 and %d", ICR_MAX_SLOTS);
        return false;
    }
    if (!r->du_sizes) {
        error_setg(errp, "data-unit-sizes must offer at least one size");
        return false;
    }

    names = g_strsplit(r->algs ?: default_algs, ",", -1);
    r->ncaps = 0;
    for (int i = 0; names[i]; i++) {
        if (!icr_add_cap(r, names[i], errp)) {
            return false;
        }
    }
    if (!r->ncaps) {
        error_setg(errp, "algorithms must name at least one algorithm");
        return false;
    }

    inline_crypto_engine_init(&r->engine, r->nslots);
    r->cfg = g_malloc0(r->nslots * sizeof(*r->cfg));
    r->ncfg = r->nslots * ARRAY_SIZE(*r->cfg);
    return true;
}

void inline_crypto_regs_reset(InlineCryptoRegs *r)
{
    if (r->cfg) {
        inline_crypto_evict_all(&r->engine);
        inline_crypto_wipe(r->cfg, r->nslots * sizeof(*r->cfg));
    }
}

void inline_crypto_regs_cleanup(InlineCryptoRegs *r)
{
    icr_free_mig_keys(r);
    if (r->cfg) {
        inline_crypto_regs_reset(r);
        g_free(r->cfg);
        r->cfg = NULL;
    }
    inline_crypto_engine_cleanup(&r->engine);
}

void inline_crypto_regs_describe_props(ObjectClass *oc,
                                       const char *default_algs)
{
    g_autofree char *algs = g_strdup_printf("comma-separated list of "
                                            ICR_ALL_ALGS " (default %s)",
                                            default_algs);

    object_class_property_set_description(oc, "keyslots",
        "number of keyslots (1-256)");
    object_class_property_set_description(oc, "data-unit-sizes",
        "data unit sizes offered, bit n for 512 << n bytes (SDUSB)");
    object_class_property_set_description(oc, "algorithms", algs);
}
