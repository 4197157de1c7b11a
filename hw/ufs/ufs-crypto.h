/*
 * QEMU UFS host controller inline crypto engine (UFSHCI 3.0+ "crypto")
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_UFS_UFS_CRYPTO_H
#define HW_UFS_UFS_CRYPTO_H

#include "exec/hwaddr.h"
#include "hw/block/inline-crypto-io.h"
#include "hw/block/inline-crypto-km.h"
#include "hw/block/inline-crypto-regs.h"
#include "hw/scsi/scsi.h"

#define TYPE_UFS_CRYPTO "ufs-crypto"

/* The keyslot array sits right after the 8 KiB of upstream registers. */
#define UFS_CRYPTO_CFGPTR 0x20

struct UfsHc;
struct UfsRequest;

/*
 * Key manager registers for hardware-wrapped keys, in the UFSHCI
 * vendor-specific space (wrapped-keys=on); see ufs-crypto.rst.
 */
#define UFS_CRYPTO_KM_BASE      0xc0
#define UFS_CRYPTO_KM_END       0xd8
#define UFS_CRYPTO_KM_BUF_LEN   128

typedef struct UfsCryptoKmRegs {
    uint32_t sts;               /* KMSTS */
    uint32_t len;               /* KMLEN: input length in bytes */
    uint32_t idx;               /* KMIDX: byte offset of KMDATA */
    uint8_t buf[UFS_CRYPTO_KM_BUF_LEN];
} UfsCryptoKmRegs;

/*
 * The controller's crypto state (UfsHc.crypto): its register file, the
 * buffers that encrypted writes are encrypted into, and the key manager.
 */
typedef struct UfsCrypto {
    InlineCryptoRegs regs;
    InlineCryptoIOPool pool;
    /* properties */
    bool wrapped_keys;
    char *wrapping_key_secret;

    InlineCryptoKm km;
    UfsCryptoKmRegs kmr;
    Error *migration_blocker;
} UfsCrypto;

/* Per-request state: the key a request started with, and where it starts. */
typedef struct UfsCryptoReq {
    InlineCryptoKey *key;       /* NULL: the request is not encrypted */
    uint64_t dun;               /* of the first data unit */
    uint64_t start;             /* byte offset of the first data unit */
} UfsCryptoReq;

/* Hooks called by the UFS host controller model. */
extern const VMStateDescription vmstate_ufs_crypto;
hwaddr ufs_crypto_reg_end(struct UfsHc *u);
bool ufs_crypto_mmio_read(struct UfsHc *u, hwaddr addr, uint64_t *val);
bool ufs_crypto_mmio_write(struct UfsHc *u, hwaddr addr, uint32_t val);
/* Whether a trace of a write at @addr must not show the value (key dwords) */
bool ufs_crypto_mmio_secret(struct UfsHc *u, hwaddr addr);
int ufs_crypto_prepare_req(struct UfsHc *u, struct UfsRequest *req,
                           SCSIRequest *sreq);
BlockAIOCB *ufs_crypto_dma_rw(struct UfsRequest *req, BlockBackend *blk,
                              int64_t offset, QEMUIOVector *qiov, bool write,
                              BlockCompletionFunc *cb, void *opaque);
void ufs_crypto_release_req(struct UfsRequest *req);

static inline bool ufs_crypto_req_active(const UfsCryptoReq *c)
{
    return c->key != NULL;
}

#endif /* HW_UFS_UFS_CRYPTO_H */
