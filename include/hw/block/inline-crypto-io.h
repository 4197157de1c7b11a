/*
 * Block I/O through an inline encryption key
 *
 * For a controller whose data moves between guest memory and a
 * BlockBackend without a buffer of the controller's own (the guest's
 * buffers mapped into a QEMUIOVector by dma_blk_io(), for instance): a read
 * lands in the guest's buffers and is decrypted there before it completes;
 * a write is encrypted out of the guest's buffers into a buffer of a pool,
 * so that guest memory is never modified, and written from there.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_BLOCK_INLINE_CRYPTO_IO_H
#define HW_BLOCK_INLINE_CRYPTO_IO_H

#include "block/aio.h"
#include "hw/block/inline-crypto.h"

/* Size of a pool buffer: a write is encrypted and written in such pieces */
#define INLINE_CRYPTO_IO_BUF_SIZE   (1024 * 1024)
/* Free buffers a pool keeps for reuse; more are freed when returned */
#define INLINE_CRYPTO_IO_POOL_KEEP  32

/*
 * The buffers of one controller, reused from request to request so that
 * the data path allocates nothing once the pool has grown to the number of
 * writes in flight.  They only ever hold ciphertext when free; the scratch
 * data unit (for data units that straddle two guest buffers) is wiped after
 * each use.  Used from one AioContext at a time (the BQL's, for controllers
 * without iothreads).
 */
typedef struct InlineCryptoIOPool {
    void *free[INLINE_CRYPTO_IO_POOL_KEEP];
    unsigned nfree;
    uint8_t *scratch;           /* INLINE_CRYPTO_MAX_DU_SIZE bytes */
} InlineCryptoIOPool;

void inline_crypto_io_pool_init(InlineCryptoIOPool *pool);
void inline_crypto_io_pool_cleanup(InlineCryptoIOPool *pool);

/**
 * inline_crypto_aio_preadv:
 * @pool: the controller's pool
 * @blk: the medium
 * @offset: byte offset on @blk
 * @qiov: where the data goes, a whole number of @key's data units
 * @key: the request's key, referenced until completion
 * @dun: data unit number of the first data unit of @qiov
 * @cb: called with 0 or a negative errno once @qiov holds the plaintext
 *      (or, on error, whatever the read left there: never plaintext of
 *      another request)
 * @opaque: for @cb
 *
 * Reads into @qiov and decrypts it in place.  Like blk_aio_preadv(), the
 * returned request can be waited for but not cancelled, and @cb is never
 * called before this returns.
 */
BlockAIOCB *inline_crypto_aio_preadv(InlineCryptoIOPool *pool,
                                     BlockBackend *blk, int64_t offset,
                                     QEMUIOVector *qiov, InlineCryptoKey *key,
                                     uint64_t dun, BlockCompletionFunc *cb,
                                     void *opaque);

/**
 * inline_crypto_aio_pwritev:
 * As inline_crypto_aio_preadv(), for a write: @qiov holds the plaintext
 * and is only read.  It is encrypted into pool buffers, one
 * INLINE_CRYPTO_IO_BUF_SIZE piece after the other, and each piece is
 * written once it is whole ciphertext.  @flags go to blk_co_pwritev().
 */
BlockAIOCB *inline_crypto_aio_pwritev(InlineCryptoIOPool *pool,
                                      BlockBackend *blk, int64_t offset,
                                      QEMUIOVector *qiov,
                                      BdrvRequestFlags flags,
                                      InlineCryptoKey *key, uint64_t dun,
                                      BlockCompletionFunc *cb, void *opaque);

#endif /* HW_BLOCK_INLINE_CRYPTO_IO_H */
