/*
 * QEMU UFS host controller inline crypto engine (UFSHCI 3.0+ "crypto")
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_UFS_UFS_CRYPTO_H
#define HW_UFS_UFS_CRYPTO_H

#include "exec/hwaddr.h"
#include "hw/block/inline-crypto-regs.h"
#include "hw/scsi/scsi.h"

#define TYPE_UFS_CRYPTO "ufs-crypto"

/* The keyslot array sits right after the 8 KiB of upstream registers. */
#define UFS_CRYPTO_CFGPTR 0x20

struct UfsHc;
struct UfsRequest;

/* The controller's crypto register file (UfsHc.crypto) */
typedef InlineCryptoRegs UfsCrypto;

/* Per-request state: the key a request started with, and its progress. */
typedef struct UfsCryptoReq {
    InlineCryptoKey *key;       /* NULL: the request is not encrypted */
    uint64_t dun;
    uint32_t offset;            /* bytes of the transfer already handled */
    int result;                 /* UfsReqResult to report if cancelled */
} UfsCryptoReq;

/* Hooks called by the UFS host controller model. */
extern const VMStateDescription vmstate_ufs_crypto;
hwaddr ufs_crypto_reg_end(struct UfsHc *u);
bool ufs_crypto_mmio_read(struct UfsHc *u, hwaddr addr, uint64_t *val);
bool ufs_crypto_mmio_write(struct UfsHc *u, hwaddr addr, uint32_t val);
int ufs_crypto_prepare_req(struct UfsHc *u, struct UfsRequest *req,
                           SCSIRequest *sreq);
void ufs_crypto_transfer_data(struct UfsRequest *req, SCSIRequest *sreq,
                              uint32_t len);
void ufs_crypto_release_req(struct UfsRequest *req);

static inline bool ufs_crypto_req_active(const UfsCryptoReq *c)
{
    return c->key != NULL;
}

#endif /* HW_UFS_UFS_CRYPTO_H */
