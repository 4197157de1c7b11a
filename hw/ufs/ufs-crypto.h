/*
 * QEMU UFS host controller inline crypto engine (UFSHCI 3.0+ "crypto")
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_UFS_UFS_CRYPTO_H
#define HW_UFS_UFS_CRYPTO_H

#include "exec/hwaddr.h"
#include "hw/block/inline-crypto.h"
#include "hw/scsi/scsi.h"

#define TYPE_UFS_CRYPTO "ufs-crypto"

#define UFS_CRYPTO_MAX_SLOTS 256
#define UFS_CRYPTO_MAX_CAPS 16
/* The keyslot array sits right after the 8 KiB of upstream registers. */
#define UFS_CRYPTO_CFGPTR 0x20
#define UFS_CRYPTO_CFG_BASE (UFS_CRYPTO_CFGPTR * 0x100)

struct UfsHc;
struct UfsRequest;

/* What the controller offers: one CRYPTOCAP entry. */
typedef struct UfsCryptoCap {
    uint32_t reg;               /* CRYPTOCAP register value */
    InlineCryptoAlg alg;
    uint32_t key_len;           /* bytes handed to the engine */
} UfsCryptoCap;

/* A keyslot in the migration stream */
typedef struct UfsCryptoMigKey {
    uint8_t alg;                /* InlineCryptoAlg, or __MAX: empty slot */
    uint8_t key_len;
    uint32_t du_size;
    uint8_t key[INLINE_CRYPTO_MAX_KEY_LEN];
} UfsCryptoMigKey;

typedef struct UfsCrypto {
    /* properties */
    uint16_t nslots;
    uint8_t du_sizes;           /* SDUSB: bit n offers 512 << n bytes */
    char *algs;

    uint8_t ncaps;
    UfsCryptoCap caps[UFS_CRYPTO_MAX_CAPS];
    InlineCryptoEngine engine;
    /*
     * Keyslot registers as the guest wrote them.  Key dwords are only
     * staged here until the configuration is committed, then wiped.
     */
    uint32_t (*cfg)[32];
    uint32_t ncfg;              /* dwords in cfg */

    /* Migration only: raw keys and capabilities while they are in flight */
    UfsCryptoMigKey *mig_keys;
    uint32_t mig_caps[UFS_CRYPTO_MAX_CAPS];
} UfsCrypto;

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
