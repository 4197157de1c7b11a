# ufs-crypto: an inline-encryption UFS host controller for QEMU.
# See README.md.  Long steps print their progress on stderr.

-include config.mk

.PHONY: all qemu demo check check-sanitizers fuzz bench lava-check clean-cache help install uninstall

all: qemu

help:
	@echo "make demo    build everything, boot a Linux guest using fscrypt -o inlinecrypt"
	@echo "             on -device ufs-crypto, check the ciphertext, print a report"
	@echo "make check   build QEMU, guest kernels and initramfs, and run all the tests"
	@echo "make bench   benchmarks, results in out/bench/"
	@echo "make lava-check  the LAVA jobs of contrib/lava/ run with Debian's lava-dispatcher"
	@echo "make qemu    only build QEMU (prints the build directory)"
	@echo "make install [PREFIX=/usr/local/ufs-crypto]   install our QEMU; make uninstall"

qemu:
	@scripts/build-qemu.sh

demo:
	@scripts/demo.sh

check:
	@scripts/check.sh

check-sanitizers:
	@scripts/check-sanitizers.sh

# make fuzz FUZZ_SECONDS=600
fuzz:
	@scripts/fuzz.sh $(or $(FUZZ_SECONDS),300)

bench:
	@scripts/bench.sh

# Installs Debian's lava-dispatcher (about 175 packages): not part of check.
lava-check:
	@scripts/lava-check.sh --arch all

clean-cache:
	@bash -c 'source scripts/lib.sh; echo "removing $$UFSC_CACHE"; rm -rf "$$UFSC_CACHE"'

# make install [PREFIX=/usr/local/ufs-crypto]; make uninstall [PREFIX=...]
PREFIX ?= /usr/local/ufs-crypto
install:
	@scripts/install.sh install "$(PREFIX)"

uninstall:
	@scripts/install.sh uninstall "$(PREFIX)"
