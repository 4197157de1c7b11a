/*
 * The crypto register file of a storage host controller: CCAP, the
 * CRYPTOCAP array and the keyslot (crypto configuration) array
 *
 * UFSHCI 3.0+ and eMMC CQHCI (JESD84-B52) define the same structures at the
 * same offsets from their register blocks: CCAP at 0x100, CRYPTOCAP entries
 * after it, and 128-byte keyslots at CCAP.CFGPTR * 0x100, each committed by
 * a write of its dword 16.  This unit implements them once, in front of the
 * engine of hw/block/inline-crypto.c; the controllers own the per-request
 * fields (CE, CCI, DUN) and the global enable (HCE.CGE, CQHCI_CFG.CGE).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_BLOCK_INLINE_CRYPTO_REGS_H
#define HW_BLOCK_INLINE_CRYPTO_REGS_H

#include "exec/hwaddr.h"
#include "hw/registerfields.h"
#include "system/dma.h"
#include "hw/block/inline-crypto.h"

/* Offsets from the controller's register block */
REG32(ICR_CCAP, 0x100)
    FIELD(ICR_CCAP, CC, 0, 8)
    FIELD(ICR_CCAP, CFGC, 8, 8)
    FIELD(ICR_CCAP, CFGPTR, 24, 8)
REG32(ICR_CRYPTOCAP, 0x104)
    FIELD(ICR_CRYPTOCAP, ALGID, 0, 8)
    FIELD(ICR_CRYPTOCAP, SDUSB, 8, 8)
    FIELD(ICR_CRYPTOCAP, KS, 16, 8)

/* A keyslot: the key in dwords 0-15, its configuration in dword 16 */
#define ICR_CFG_SIZE            128
#define ICR_CFG_DWORDS          (ICR_CFG_SIZE / 4)
#define ICR_CFG_KEY_DWORDS      16
#define ICR_CFG_DW_CFG          16
#define ICR_CFG_DW_VSB          17
    FIELD(ICR_CRYPTOCFG, DUSU, 0, 8)
    FIELD(ICR_CRYPTOCFG, CAPIDX, 8, 8)
    FIELD(ICR_CRYPTOCFG, CFGE, 31, 1)

#define ICR_MAX_SLOTS           256
#define ICR_MAX_CAPS            16

/* What the controller offers: one CRYPTOCAP entry. */
typedef struct InlineCryptoCap {
    uint32_t reg;               /* CRYPTOCAP register value */
    InlineCryptoAlg alg;
    uint32_t key_len;           /* bytes handed to the engine */
} InlineCryptoCap;

/* A keyslot in the migration stream */
typedef struct InlineCryptoMigKey {
    uint8_t alg;                /* InlineCryptoAlg, or __MAX: empty slot */
    uint8_t key_len;
    uint32_t du_size;
    uint8_t key[INLINE_CRYPTO_MAX_KEY_LEN];
} InlineCryptoMigKey;

typedef struct InlineCryptoRegs {
    /* properties: see DEFINE_INLINE_CRYPTO_REGS_PROPERTIES */
    uint16_t nslots;
    uint8_t du_sizes;           /* SDUSB: bit n offers 512 << n bytes */
    char *algs;

    /* set by inline_crypto_regs_init() */
    const char *owner;          /* the controller, in guest-error lines */
    uint8_t cfgptr;             /* CCAP.CFGPTR */
    uint8_t ncaps;
    InlineCryptoCap caps[ICR_MAX_CAPS];
    InlineCryptoEngine engine;
    /*
     * Keyslot registers as the guest wrote them.  Key dwords are only
     * staged here until the configuration is committed, then wiped.
     */
    uint32_t (*cfg)[ICR_CFG_DWORDS];
    uint32_t ncfg;              /* dwords in cfg */

    /* Migration only: raw keys and capabilities while they are in flight */
    InlineCryptoMigKey *mig_keys;
    uint32_t mig_caps[ICR_MAX_CAPS];
} InlineCryptoRegs;

/*
 * The properties of a controller with a crypto register file, @_f being
 * the InlineCryptoRegs field of @_state.
 */
#define DEFINE_INLINE_CRYPTO_REGS_PROPERTIES(_state, _f, _du_sizes)       \
    DEFINE_PROP_UINT16("keyslots", _state, _f.nslots, 32),                \
    DEFINE_PROP_UINT8("data-unit-sizes", _state, _f.du_sizes, _du_sizes), \
    DEFINE_PROP_STRING("algorithms", _state, _f.algs)

/* Descriptions of those properties, for class_init */
void inline_crypto_regs_describe_props(ObjectClass *oc,
                                       const char *default_algs);

/**
 * inline_crypto_regs_init:
 * @r: the register file, its properties set
 * @owner: the controller's name for guest-error lines
 * @cfgptr: CCAP.CFGPTR, where the keyslot array starts (in 256-byte units)
 * @default_algs: the algorithms offered if the "algorithms" property is
 *                unset, a comma-separated list of inline_crypto_regs_algs
 * @errp: error object
 *
 * Builds the capabilities from the properties and an engine with empty
 * keyslots.  Returns: true on success.
 */
bool inline_crypto_regs_init(InlineCryptoRegs *r, const char *owner,
                             uint8_t cfgptr, const char *default_algs,
                             Error **errp);
void inline_crypto_regs_cleanup(InlineCryptoRegs *r);

/* Device reset: every keyslot evicted, every register cleared */
void inline_crypto_regs_reset(InlineCryptoRegs *r);

/* The end of the keyslot array, from the start of the register block */
hwaddr inline_crypto_regs_end(const InlineCryptoRegs *r);

/**
 * inline_crypto_regs_read:
 * @addr: an offset from the start of the controller's register block
 *
 * Reads CCAP, CRYPTOCAP or the keyslot array; a narrower or unaligned
 * access is served by the dword that holds its first byte, shifted to it.
 *
 * Returns: false if @addr is not one of these registers.
 */
bool inline_crypto_regs_read(InlineCryptoRegs *r, hwaddr addr, uint64_t *val);

/**
 * inline_crypto_regs_write:
 * Writes a dword of the crypto registers; a write of dword 16 of a keyslot
 * commits it.  Returns: false if @addr is not one of these registers.
 */
bool inline_crypto_regs_write(InlineCryptoRegs *r, hwaddr addr, uint32_t val);

/**
 * inline_crypto_regs_program_key:
 * Program keyslot @slot as if the guest had committed CAPIDX @capidx and
 * DUSU @dusu with CFGE=1, with @key (as the engine takes it) instead of
 * the key dwords: for a key the controller derived itself, such as one
 * from a hardware-wrapped key.  The capability must be of @alg with keys
 * of @key_len bytes.  On failure (a guest error is logged for a bad
 * CAPIDX or DUSU) the slot is left empty.
 */
bool inline_crypto_regs_program_key(InlineCryptoRegs *r, uint32_t slot,
                                    uint8_t capidx, uint8_t dusu,
                                    InlineCryptoAlg alg, const uint8_t *key,
                                    size_t key_len);

/**
 * inline_crypto_regs_is_key:
 * Whether @addr is one of the key dwords of a keyslot: a controller's trace
 * of its register accesses must not show the value written there.
 */
bool inline_crypto_regs_is_key(const InlineCryptoRegs *r, hwaddr addr);

/**
 * inline_crypto_sg_rw:
 * @sg: the guest buffers of a request
 * @offset: where in the request's data @buf starts
 *
 * Copies @len bytes between @buf and the guest buffers, for a data path
 * that moves a request a chunk at a time through a bounce buffer and
 * en/decrypts it there (the eMMC CQHCI's).
 *
 * Returns: MEMTX_OK, the first DMA error, or MEMTX_DECODE_ERROR if @sg
 * ends before @offset + @len.
 */
MemTxResult inline_crypto_sg_rw(QEMUSGList *sg, uint64_t offset, uint8_t *buf,
                                uint32_t len, DMADirection dir);

/*
 * The register file in the migration stream, for VMSTATE_STRUCT in the
 * controller's state.  The destination must offer the same keyslots and
 * capabilities.
 */
extern const VMStateDescription vmstate_inline_crypto_regs;

#endif /* HW_BLOCK_INLINE_CRYPTO_REGS_H */
