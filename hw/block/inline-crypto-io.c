/*
 * Block I/O through an inline encryption key
 *
 * A request is a coroutine, as blk_aio_preadv() and blk_aio_pwritev()
 * make one: it holds the BlockBackend in flight and a reference on its key
 * until its callback has run, so that a drain waits for it and evicting
 * the keyslot in the meantime changes nothing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/coroutine.h"
#include "qemu/iov.h"
#include "qemu/memalign.h"
#include "system/block-backend.h"
#include "system/replay.h"
#include "hw/block/inline-crypto-io.h"

#define ICIO_NOT_DONE INT_MAX

/*
 * Pool
 */

void inline_crypto_io_pool_init(InlineCryptoIOPool *pool)
{
    memset(pool, 0, sizeof(*pool));
    pool->scratch = qemu_memalign(16, INLINE_CRYPTO_MAX_DU_SIZE);
}

void inline_crypto_io_pool_cleanup(InlineCryptoIOPool *pool)
{
    while (pool->nfree) {
        qemu_vfree(pool->free[--pool->nfree]);
    }
    qemu_vfree(pool->scratch);
    pool->scratch = NULL;
}

/* Not zeroed: it is about to be overwritten with ciphertext. */
static void *icio_buf_get(InlineCryptoIOPool *pool)
{
    if (pool->nfree) {
        return pool->free[--pool->nfree];
    }
    return qemu_try_memalign(qemu_real_host_page_size(),
                             INLINE_CRYPTO_IO_BUF_SIZE);
}

static void icio_buf_put(InlineCryptoIOPool *pool, void *buf)
{
    if (pool->nfree < INLINE_CRYPTO_IO_POOL_KEEP) {
        pool->free[pool->nfree++] = buf;
    } else {
        qemu_vfree(buf);
    }
}

/*
 * En/decrypt @len bytes of @qiov from byte @qoff on, whole data units
 * numbered from @dun: encrypt them into @out, or decrypt them in place in
 * @qiov if @out is NULL.  Runs of whole data units in one element of @qiov
 * go to the cipher as they are; a data unit split over two elements is
 * gathered into @out (encryption) or the scratch buffer (decryption,
 * scattered back and wiped).
 */
static int icio_crypt(InlineCryptoIOPool *pool, InlineCryptoKey *key,
                      uint64_t dun, QEMUIOVector *qiov, size_t qoff,
                      size_t len, uint8_t *out, Error **errp)
{
    size_t du = inline_crypto_key_du_size(key);
    size_t done = 0, off = qoff;
    int i = 0;

    assert(len % du == 0 && qoff + len <= qiov->size);
    while (i < qiov->niov && off >= qiov->iov[i].iov_len) {
        off -= qiov->iov[i++].iov_len;
    }
    while (done < len) {
        size_t avail = qiov->iov[i].iov_len - off;
        size_t n = MIN(QEMU_ALIGN_DOWN(avail, du), len - done);
        uint8_t *p;
        int ret;

        if (n) {
            p = (uint8_t *)qiov->iov[i].iov_base + off;
            ret = out ? inline_crypto_encrypt(key, dun, p, out + done, n, errp)
                      : inline_crypto_decrypt(key, dun, p, p, n, errp);
        } else {
            n = du;
            p = out ? out + done : pool->scratch;
            qemu_iovec_to_buf(qiov, qoff + done, p, n);
            if (out) {
                ret = inline_crypto_encrypt(key, dun, p, p, n, errp);
            } else {
                ret = inline_crypto_decrypt(key, dun, p, p, n, errp);
                if (ret == 0) {
                    qemu_iovec_from_buf(qiov, qoff + done, p, n);
                }
                inline_crypto_wipe(p, n);
            }
        }
        if (ret < 0) {
            return -1;
        }
        done += n;
        dun += n / du;
        off += n;
        while (i < qiov->niov && off >= qiov->iov[i].iov_len) {
            off -= qiov->iov[i++].iov_len;
        }
    }
    return 0;
}

/*
 * Requests
 */

typedef struct InlineCryptoAIOCB {
    BlockAIOCB common;
    InlineCryptoIOPool *pool;
    BlockBackend *blk;
    int64_t offset;
    QEMUIOVector *qiov;
    BdrvRequestFlags flags;
    InlineCryptoKey *key;
    uint64_t dun;
    bool write;
    bool has_returned;
    int ret;
} InlineCryptoAIOCB;

static const AIOCBInfo icio_aiocb_info = {
    .aiocb_size = sizeof(InlineCryptoAIOCB),
};

static int coroutine_fn icio_co_read(InlineCryptoAIOCB *acb)
{
    Error *err = NULL;
    int ret;

    ret = blk_co_preadv(acb->blk, acb->offset, acb->qiov->size, acb->qiov, 0);
    if (ret < 0) {
        return ret;
    }
    if (icio_crypt(acb->pool, acb->key, acb->dun, acb->qiov, 0,
                   acb->qiov->size, NULL, &err) < 0) {
        error_report_err(err);
        return -EIO;
    }
    return 0;
}

static int coroutine_fn icio_co_write(InlineCryptoAIOCB *acb)
{
    uint32_t du = inline_crypto_key_du_size(acb->key);
    Error *err = NULL;

    for (size_t done = 0; done < acb->qiov->size;) {
        size_t n = MIN(acb->qiov->size - done, INLINE_CRYPTO_IO_BUF_SIZE);
        uint8_t *buf = icio_buf_get(acb->pool);
        QEMUIOVector ctx;
        int ret;

        if (!buf) {
            return -ENOMEM;
        }
        if (icio_crypt(acb->pool, acb->key, acb->dun + done / du, acb->qiov,
                       done, n, buf, &err) < 0) {
            /* Some of it may still be plaintext: it goes nowhere. */
            inline_crypto_wipe(buf, n);
            icio_buf_put(acb->pool, buf);
            error_report_err(err);
            return -EIO;
        }
        qemu_iovec_init_buf(&ctx, buf, n);
        ret = blk_co_pwritev(acb->blk, acb->offset + done, n, &ctx,
                             acb->flags);
        icio_buf_put(acb->pool, buf);
        if (ret < 0) {
            return ret;
        }
        done += n;
    }
    return 0;
}

static void icio_complete(InlineCryptoAIOCB *acb)
{
    BlockBackend *blk = acb->blk;

    acb->common.cb(acb->common.opaque, acb->ret);
    inline_crypto_key_unref(acb->key);
    blk_dec_in_flight(blk);
    qemu_aio_unref(acb);
}

static void icio_complete_bh(void *opaque)
{
    InlineCryptoAIOCB *acb = opaque;

    assert(acb->has_returned);
    icio_complete(acb);
}

static void coroutine_fn icio_co_entry(void *opaque)
{
    InlineCryptoAIOCB *acb = opaque;

    acb->ret = acb->write ? icio_co_write(acb) : icio_co_read(acb);
    if (acb->has_returned) {
        icio_complete(acb);
    }
}

static BlockAIOCB *icio_start(InlineCryptoIOPool *pool, BlockBackend *blk,
                              int64_t offset, QEMUIOVector *qiov,
                              BdrvRequestFlags flags, bool write,
                              InlineCryptoKey *key, uint64_t dun,
                              BlockCompletionFunc *cb, void *opaque)
{
    AioContext *ctx = qemu_get_current_aio_context();
    InlineCryptoAIOCB *acb;
    Coroutine *co;

    assert(qiov->size % inline_crypto_key_du_size(key) == 0);
    blk_inc_in_flight(blk);
    acb = blk_aio_get(&icio_aiocb_info, blk, cb, opaque);
    acb->pool = pool;
    acb->blk = blk;
    acb->offset = offset;
    acb->qiov = qiov;
    acb->flags = flags;
    acb->key = inline_crypto_key_ref(key);
    acb->dun = dun;
    acb->write = write;
    acb->has_returned = false;
    acb->ret = ICIO_NOT_DONE;

    co = qemu_coroutine_create(icio_co_entry, acb);
    aio_co_enter(ctx, co);

    acb->has_returned = true;
    if (acb->ret != ICIO_NOT_DONE) {
        replay_bh_schedule_oneshot_event(ctx, icio_complete_bh, acb);
    }
    return &acb->common;
}

BlockAIOCB *inline_crypto_aio_preadv(InlineCryptoIOPool *pool,
                                     BlockBackend *blk, int64_t offset,
                                     QEMUIOVector *qiov, InlineCryptoKey *key,
                                     uint64_t dun, BlockCompletionFunc *cb,
                                     void *opaque)
{
    return icio_start(pool, blk, offset, qiov, 0, false, key, dun, cb, opaque);
}

BlockAIOCB *inline_crypto_aio_pwritev(InlineCryptoIOPool *pool,
                                      BlockBackend *blk, int64_t offset,
                                      QEMUIOVector *qiov,
                                      BdrvRequestFlags flags,
                                      InlineCryptoKey *key, uint64_t dun,
                                      BlockCompletionFunc *cb, void *opaque)
{
    return icio_start(pool, blk, offset, qiov, flags, true, key, dun,
                      cb, opaque);
}
