# Devices of ufs-crypto's qemu-system-aarch64 (configure
# --without-default-devices --with-devices-aarch64=ufs-crypto): the virt
# board, the UFS host controllers and what a kernel CI guest commonly uses
# beside them, instead of every Arm board QEMU has.

CONFIG_ARM_VIRT=y
CONFIG_UFS_PCI=y
# eMMC with inline encryption, and plain sdhci-pci beside it
CONFIG_EMMC_CRYPTO=y
CONFIG_SCSI=y

# Common companions of a test guest on virt
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_BLK=y
CONFIG_VIRTIO_NET=y
CONFIG_VIRTIO_SCSI=y
CONFIG_VIRTIO_RNG=y
CONFIG_VIRTIO_SERIAL=y
CONFIG_NVME_PCI=y
CONFIG_PCIE_PORT=y
