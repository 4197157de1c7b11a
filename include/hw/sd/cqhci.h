/*
 * eMMC Command Queue Host Controller Interface (CQHCI), with the crypto
 * extension of eMMC 5.2
 *
 * A CQHCI block sits beside an SD host controller (SDHCI) and drives the
 * eMMC on the host's bus with the command queueing protocol of eMMC 5.1
 * (CMD44/45 to queue a task, CMD13 with SQS to see it ready, CMD46/47 to
 * run it, CMD48 to discard).  The guest hands it tasks through a task
 * descriptor list in guest memory and a doorbell (TDBR).  With the crypto
 * extension, the upper half of a 128-bit task descriptor names a keyslot
 * and a data unit number, and the block en/decrypts the task's data on its
 * way between guest memory and the card.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_SD_CQHCI_H
#define HW_SD_CQHCI_H

#include "exec/memory.h"
#include "hw/registerfields.h"
#include "hw/sd/sd.h"
#include "hw/block/inline-crypto-regs.h"

/* Registers, as offsets from the CQHCI block (Linux's cqhci.h names) */
REG32(CQHCI_VER, 0x00)
REG32(CQHCI_CAP, 0x04)
    FIELD(CQHCI_CAP, ITCFVAL, 0, 10)
    FIELD(CQHCI_CAP, ITCFMUL, 12, 4)
    FIELD(CQHCI_CAP, CS, 28, 1)
REG32(CQHCI_CFG, 0x08)
    FIELD(CQHCI_CFG, ENABLE, 0, 1)
    FIELD(CQHCI_CFG, CGE, 1, 1)
    FIELD(CQHCI_CFG, TDS, 8, 1)
    FIELD(CQHCI_CFG, DCMD, 12, 1)
REG32(CQHCI_CTL, 0x0c)
    FIELD(CQHCI_CTL, HALT, 0, 1)
    FIELD(CQHCI_CTL, CLEAR_ALL_TASKS, 8, 1)
REG32(CQHCI_IS, 0x10)
    FIELD(CQHCI_IS, HAC, 0, 1)
    FIELD(CQHCI_IS, TCC, 1, 1)
    FIELD(CQHCI_IS, RED, 2, 1)
    FIELD(CQHCI_IS, TCL, 3, 1)
    FIELD(CQHCI_IS, GCE, 4, 1)
    FIELD(CQHCI_IS, ICCE, 5, 1)
REG32(CQHCI_ISTE, 0x14)
REG32(CQHCI_ISGE, 0x18)
REG32(CQHCI_IC, 0x1c)
REG32(CQHCI_TDLBA, 0x20)
REG32(CQHCI_TDLBAU, 0x24)
REG32(CQHCI_TDBR, 0x28)
REG32(CQHCI_TCN, 0x2c)
REG32(CQHCI_DQS, 0x30)
REG32(CQHCI_DPT, 0x34)
REG32(CQHCI_TCLR, 0x38)
REG32(CQHCI_TDPE, 0x3c)
REG32(CQHCI_SSC1, 0x40)
REG32(CQHCI_SSC2, 0x44)
REG32(CQHCI_CRDCT, 0x48)
REG32(CQHCI_RMEM, 0x50)
REG32(CQHCI_TERRI, 0x54)
    FIELD(CQHCI_TERRI, C_INDEX, 0, 6)
    FIELD(CQHCI_TERRI, C_TASK, 8, 5)
    FIELD(CQHCI_TERRI, C_VALID, 15, 1)
    FIELD(CQHCI_TERRI, D_INDEX, 16, 6)
    FIELD(CQHCI_TERRI, D_TASK, 24, 5)
    FIELD(CQHCI_TERRI, D_VALID, 31, 1)
REG32(CQHCI_CRI, 0x58)
REG32(CQHCI_CRA, 0x5c)
/* 0x100: CCAP, CRYPTOCAP, keyslots: see inline-crypto-regs.h */

#define CQHCI_VERSION           0x510   /* 5.10 */
#define CQHCI_NUM_SLOTS         32
#define CQHCI_DCMD_SLOT         31
/* The keyslot array at 0x400 from the block: CCAP.CFGPTR */
#define CQHCI_CRYPTO_CFGPTR     0x04

/* Task and link/transfer descriptor attributes (bits 5:0, 31:16 length) */
#define CQHCI_DESC_VALID        (1u << 0)
#define CQHCI_DESC_END          (1u << 1)
#define CQHCI_DESC_INT          (1u << 2)
#define CQHCI_DESC_ACT_SHIFT    3
#define CQHCI_DESC_ACT_MASK     (7u << CQHCI_DESC_ACT_SHIFT)
#define CQHCI_ACT_TRAN          0x4
#define CQHCI_ACT_TASK          0x5
#define CQHCI_ACT_LINK          0x6

/* What the block needs from the SD host controller it is part of */
typedef struct CqhciHostOps {
    /* 64-bit DMA: 16-byte link and transfer descriptors instead of 8 */
    bool (*dma64)(void *opaque);
    /* The CQHCI interrupt line, (IS & ISGE) != 0 */
    void (*set_irq)(void *opaque, bool level);
    /* A data transfer error of a task, reported by the host (ADMA error) */
    void (*data_error)(void *opaque);
} CqhciHostOps;

typedef struct CqhciState {
    MemoryRegion mmio;
    QEMUBH *bh;
    VMChangeStateEntry *vmstate_change;
    /* set by cqhci_init() */
    const CqhciHostOps *ops;
    void *opaque;
    SDBus *sdbus;
    AddressSpace *as;
    InlineCryptoRegs *crypto;       /* NULL: no crypto extension */
    uint8_t *buf;                   /* one chunk of a task's data */

    uint32_t cfg;
    uint32_t ctl;
    uint32_t is;
    uint32_t iste;
    uint32_t isge;
    uint32_t ic;
    uint32_t tdlba;
    uint32_t tdlbau;
    uint32_t tdbr;
    uint32_t tcn;
    uint32_t tdpe;
    uint32_t ssc1;
    uint32_t ssc2;
    uint32_t crdct;
    uint32_t rmem;
    uint32_t terri;
    uint32_t cri;
    uint32_t cra;
    /* Tasks that failed: kept in TDBR, not run again until cleared */
    uint32_t failed;
    /*
     * Error injection, for testing a guest's recovery: the number of data
     * tasks still to fail with a data transfer error once the card has
     * started them.  Set by the "x-inject-data-errors" property; neither
     * reset nor migrated.
     */
    uint32_t inject_data_errors;
} CqhciState;

/*
 * cqhci_init: set up @c, owned by @owner, on the card bus @sdbus, with
 * DMA through @as.  @crypto, if not NULL, is an initialised register
 * file: CAP.CS is then set and its registers appear at 0x100.
 */
void cqhci_init(CqhciState *c, Object *owner, const CqhciHostOps *ops,
                void *opaque, SDBus *sdbus, AddressSpace *as,
                InlineCryptoRegs *crypto);
void cqhci_cleanup(CqhciState *c);
/* The size of the register block, crypto registers included */
uint64_t cqhci_mmio_size(InlineCryptoRegs *crypto);
/* Device reset: registers to their reset values (keyslots: the caller) */
void cqhci_reset(CqhciState *c);

extern const VMStateDescription vmstate_cqhci;

#endif /* HW_SD_CQHCI_H */
