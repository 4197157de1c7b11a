/*
 * ufsc-bench: the guest side of "make bench" (guest I/O throughput).
 *
 *   ufsc-bench seqwrite FILE MIB REQ_KIB direct|buffered
 *   ufsc-bench seqread  FILE MIB REQ_KIB direct|buffered
 *   ufsc-bench randread FILE SECONDS             (4 KiB, O_DIRECT)
 *   ufsc-bench multiread MIB FILE...             (1 MiB O_DIRECT reads,
 *                                                 round robin over FILEs)
 *
 * Each prints "UFSC-BENCH test=... MBps=... IOPS=..." on stdout.  A write
 * ends with fsync() inside the timed part; buffered reads should follow a
 * drop_caches.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int randread(int argc, char **argv)
{
	const char *path = argv[0];
	double secs = atof(argv[1]);
	unsigned char *buf = buffer(4096);
	uint64_t blocks, n = 0, x = 88172645463325252ULL;
	double t0, t;
	off_t size;
	int fd;

	(void)argc;
	fd = open(path, O_RDONLY | O_DIRECT);
	if (fd < 0)
		die("opening", path);
	size = lseek(fd, 0, SEEK_END);
	blocks = size / 4096;
	if (!blocks)
		die("empty", path);
	t0 = now();
	do {
		for (int i = 0; i < 64; i++, n++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (pread(fd, buf, 4096, (x % blocks) * 4096) != 4096)
				die("reading", path);
		}
		t = now() - t0;
	} while (t < secs);
	close(fd);
	printf("UFSC-BENCH test=randread-4k IOPS=%.0f MBps=%.1f\n", n / t,
	       n * 4096 / t / 1e6);
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
	if (argc >= 4 && !strcmp(argv[1], "randread"))
		return randread(argc - 2, argv + 2);
	if (argc >= 4 && !strcmp(argv[1], "multiread"))
		return multiread(argc - 2, argv + 2);
	fprintf(stderr, "usage: see the comment at the top of ufsc-bench.c\n");
	return 2;
}
