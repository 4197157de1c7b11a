# ufs-crypto: an inline-encryption UFS host controller for QEMU.
# See README.md.  Long steps print their progress on stderr.

-include config.mk

.PHONY: all qemu check bench clean-cache help

all: qemu

help:
	@echo "make check   build QEMU with -device ufs-crypto and run the tests"
	@echo "make bench   benchmarks, results in out/bench/"
	@echo "make qemu    only build QEMU (prints the build directory)"

qemu:
	@scripts/build-qemu.sh

check:
	@scripts/check.sh

bench:
	@scripts/bench.sh

clean-cache:
	@bash -c 'source scripts/lib.sh; echo "removing $$UFSC_CACHE"; rm -rf "$$UFSC_CACHE"'
