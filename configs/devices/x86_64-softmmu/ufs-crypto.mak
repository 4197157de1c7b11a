# Devices of ufs-crypto's qemu-system-x86_64 (configure
# --without-default-devices --with-devices-x86_64=ufs-crypto): the q35 and
# pc machines, the UFS host controllers and what a kernel CI guest commonly
# uses beside them.

CONFIG_Q35=y
CONFIG_I440FX=y
CONFIG_UFS_PCI=y
# eMMC with inline encryption, and plain sdhci-pci beside it
CONFIG_EMMC_CRYPTO=y
CONFIG_SCSI=y

# Common companions of a test guest
CONFIG_VGA_PCI=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_BLK=y
CONFIG_VIRTIO_NET=y
CONFIG_VIRTIO_SCSI=y
CONFIG_VIRTIO_RNG=y
CONFIG_VIRTIO_SERIAL=y
CONFIG_NVME_PCI=y
CONFIG_E1000E_PCI_EXPRESS=y
CONFIG_E1000_PCI=y
CONFIG_PCIE_PORT=y
