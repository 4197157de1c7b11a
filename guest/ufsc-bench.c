/*
 * ufsc-bench: the guest side of "make bench" (guest I/O throughput).
 *
 *   ufsc-bench seqwrite FILE MIB REQ_KIB direct|buffered
 *   ufsc-bench seqread  FILE MIB REQ_KIB direct|buffered
 *   ufsc-bench multiread MIB FILE...             (1 MiB O_DIRECT reads,
 *                                                 round robin over FILEs)
 *   ufsc-bench randio read|write FILE QD SECONDS (4 KiB, O_DIRECT, QD
 *                                                 requests in flight)
 *
 * Each prints "UFSC-BENCH test=... MBps=... IOPS=..." on stdout.  A
 * sequential write ends with fsync() inside the timed part; buffered reads
 * should follow a drop_caches.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "ufsc-bench: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void *buffer(size_t len)
{
	void *p;

	if (posix_memalign(&p, 4096, len))
		die("allocating", "buffer");
	memset(p, 0x5a, len);
	return p;
}

static int seq(int argc, char **argv, int write)
{
	const char *path = argv[0];
	uint64_t total = strtoull(argv[1], NULL, 0) << 20;
	size_t req = strtoull(argv[2], NULL, 0) << 10;
	int direct = !strcmp(argv[3], "direct");
	int flags = (write ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY) |
		    (direct ? O_DIRECT : 0);
	unsigned char *buf = buffer(req);
	uint64_t done = 0;
	off_t size;
	double t0, t;
	int fd;

	(void)argc;
	fd = open(path, flags, 0644);
	if (fd < 0)
		die("opening", path);
	/* Reads longer than the file go round it again. */
	size = write ? 0 : lseek(fd, 0, SEEK_END) / req * req;
	if (!write && !size)
		die("too small:", path);
	t0 = now();
	while (done < total) {
		ssize_t n = write ? pwrite(fd, buf, req, done)
				  : pread(fd, buf, req, done % size);

		if (n <= 0)
			die(write ? "writing" : "reading", path);
		done += n;
	}
	if (write && fsync(fd))
		die("syncing", path);
	t = now() - t0;
	close(fd);
	printf("UFSC-BENCH test=seq%s-%s req_kib=%zu mib=%llu MBps=%.1f\n",
	       write ? "write" : "read", argv[3], req >> 10,
	       (unsigned long long)(total >> 20), total / t / 1e6);
	return 0;
}

/*
 * Linux native AIO through the raw system calls (no libaio: the binary is
 * static and the guest has no libraries).
 */
static long io_setup(unsigned int nr, aio_context_t *ctx)
{
	return syscall(__NR_io_setup, nr, ctx);
}

static long io_submit(aio_context_t ctx, long nr, struct iocb **iocbs)
{
	return syscall(__NR_io_submit, ctx, nr, iocbs);
}

static long io_getevents(aio_context_t ctx, long min_nr, long nr,
			 struct io_event *events)
{
	return syscall(__NR_io_getevents, ctx, min_nr, nr, events, NULL);
}

static long io_destroy(aio_context_t ctx)
{
	return syscall(__NR_io_destroy, ctx);
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Submit all NR iocbs of CBS; io_submit() may take fewer than asked. */
static void submit(aio_context_t ctx, struct iocb **cbs, long nr,
		   const char *path)
{
	while (nr > 0) {
		long n = io_submit(ctx, nr, cbs);

		if (n <= 0) {
			if (n == 0)
				errno = EAGAIN;
			die("io_submit on", path);
		}
		cbs += n;
		nr -= n;
	}
}

/*
 * 4 KiB random reads or writes with O_DIRECT, one thread keeping QD
 * requests in flight through native AIO: QD requests are submitted, and
 * each completion reaped is resubmitted at a new random block at once (all
 * those of one io_getevents() in one io_submit()).  The offsets are
 * uniform over the whole 4 KiB blocks of FILE, which must exist: for
 * writes, a file written sequentially beforehand, so that every write is
 * an overwrite of an allocated, written block (ext4 then takes the
 * direct-I/O overwrite path, with no allocation and no journal commit,
 * and runs overwrites concurrently under a shared inode lock).
 *
 * The clock runs for SECONDS (it is read after each reap, and stops at
 * the first reap past SECONDS); the requests still in flight then are
 * reaped but not counted.  There is no fsync() in the timed part: an
 * O_DIRECT overwrite of an allocated, written block has no metadata to
 * commit, and each write has reached the device when it completes; what
 * an fsync() would add is one SYNCHRONIZE CACHE (the LU reports a write
 * cache: cache=none is writeback on QEMU's side), which is not what this
 * measures.  The file is fdatasync()ed after the clock has stopped, so
 * that where the file system falls back to buffered I/O (software
 * fscrypt has no O_DIRECT: its figures are page-cache ones) no dirty
 * pages are left to the next test.
 */
static int randio(int argc, char **argv)
{
	int write = !strcmp(argv[0], "write");
	const char *path = argv[1];
	long qd = strtol(argv[2], NULL, 0);
	double secs = atof(argv[3]);
	uint64_t blocks, n = 0, x = 88172645463325252ULL;
	struct io_event *ev;
	struct iocb *cb, **cbs;
	aio_context_t ctx = 0;
	unsigned char *buf;
	long inflight;
	double t0, t;
	off_t size;
	int fd;

	(void)argc;
	if (qd < 1 || qd > 1024) {
		errno = EINVAL;
		die("bad queue depth for", path);
	}
	fd = open(path, (write ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0)
		die("opening", path);
	size = lseek(fd, 0, SEEK_END);
	blocks = size / 4096;
	if (!blocks)
		die("empty", path);
	buf = buffer(qd * 4096);
	cb = calloc(qd, sizeof(*cb));
	cbs = calloc(qd, sizeof(*cbs));
	ev = calloc(qd, sizeof(*ev));
	if (!cb || !cbs || !ev)
		die("allocating", "iocbs");
	if (io_setup(qd, &ctx))
		die("io_setup for", path);
	for (long i = 0; i < qd; i++) {
		cb[i].aio_data = i;
		cb[i].aio_lio_opcode = write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD;
		cb[i].aio_fildes = fd;
		cb[i].aio_buf = (uintptr_t)(buf + i * 4096);
		cb[i].aio_nbytes = 4096;
		cb[i].aio_offset = (xorshift(&x) % blocks) * 4096;
		cbs[i] = &cb[i];
	}
	t0 = now();
	submit(ctx, cbs, qd, path);
	inflight = qd;
	for (;;) {
		long got = io_getevents(ctx, 1, qd, ev);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			die("io_getevents on", path);
		}
		for (long i = 0; i < got; i++) {
			if (ev[i].res != 4096) {
				errno = ev[i].res < 0 ? -ev[i].res : EIO;
				die(write ? "writing" : "reading", path);
			}
		}
		inflight -= got;
		n += got;
		t = now() - t0;
		if (t >= secs)
			break;
		for (long i = 0; i < got; i++) {
			struct iocb *c = &cb[ev[i].data];

			c->aio_offset = (xorshift(&x) % blocks) * 4096;
			cbs[i] = c;
		}
		submit(ctx, cbs, got, path);
		inflight += got;
	}
	/* The requests still in flight complete after the clock stopped. */
	while (inflight > 0) {
		long got = io_getevents(ctx, 1, qd, ev);

		if (got < 0 && errno != EINTR)
			die("io_getevents on", path);
		if (got > 0)
			inflight -= got;
	}
	io_destroy(ctx);
	if (write && fdatasync(fd))
		die("syncing", path);
	close(fd);
	printf("UFSC-BENCH test=rand%s-qd%ld IOPS=%.0f MBps=%.1f\n",
	       write ? "write" : "read", qd, n / t, n * 4096 / t / 1e6);
	free(ev);
	free(cbs);
	free(cb);
	free(buf);
	return 0;
}

static int multiread(int argc, char **argv)
{
	uint64_t total = strtoull(argv[0], NULL, 0) << 20, done = 0;
	int nfiles = argc - 1;
	size_t req = 1 << 20;
	unsigned char *buf = buffer(req);
	int fds[256];
	off_t size = 0;
	double t0, t;

	if (nfiles < 1 || nfiles > 256)
		die("bad file count", "");
	for (int i = 0; i < nfiles; i++) {
		fds[i] = open(argv[i + 1], O_RDONLY | O_DIRECT);
		if (fds[i] < 0)
			die("opening", argv[i + 1]);
		size = lseek(fds[i], 0, SEEK_END);
	}
	t0 = now();
	for (uint64_t k = 0; done < total; k++) {
		int i = k % nfiles;
		off_t off = (k / nfiles * req) % size;

		if (pread(fds[i], buf, req, off) != (ssize_t)req)
			die("reading", argv[i + 1]);
		done += req;
	}
	t = now() - t0;
	printf("UFSC-BENCH test=multiread files=%d MBps=%.1f\n", nfiles,
	       total / t / 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && !strcmp(argv[1], "seqwrite"))
		return seq(argc - 2, argv + 2, 1);
	if (argc >= 6 && !strcmp(argv[1], "seqread"))
		return seq(argc - 2, argv + 2, 0);
	if (argc >= 4 && !strcmp(argv[1], "multiread"))
		return multiread(argc - 2, argv + 2);
	if (argc >= 6 && !strcmp(argv[1], "randio") &&
	    (!strcmp(argv[2], "read") || !strcmp(argv[2], "write")))
		return randio(argc - 2, argv + 2);
	fprintf(stderr, "usage: see the comment at the top of ufsc-bench.c\n");
	return 2;
}
