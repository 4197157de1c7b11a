/*
 * eMMC with inline encryption: a PCI SDHCI host controller with a CQHCI
 * command queueing engine and its crypto extension, and its own eMMC
 *
 * -device emmc-crypto,drive=D is QEMU's sdhci-pci (same IDs and SDHCI
 * registers) with a larger BAR0: the SDHCI registers at 0x000, a CQHCI
 * block at 0x200 (the Intel, Arasan and GLI convention), its crypto
 * registers at CQHCI + 0x100 and the keyslots at CQHCI + 0x400.  The
 * controller creates its eMMC on drive D itself, with command queueing
 * on, so that a guest never sees a host that claims inline encryption
 * beside a card that cannot queue: Linux would then use the legacy path,
 * which ignores the crypto context, and write plaintext.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/module.h"
#include "qemu/units.h"
#include "hw/irq.h"
#include "hw/pci/pci_device.h"
#include "hw/qdev-properties.h"
#include "hw/sd/sdhci.h"
#include "hw/sd/cqhci.h"
#include "migration/vmstate.h"
#include "sdhci-internal.h"

#define TYPE_EMMC_CRYPTO "emmc-crypto"

#define EMMC_CRYPTO_CQHCI_OFFSET    0x200
/* What Linux 6.12's cqhci-crypto.c maps: AES-256-XTS only */
#define EMMC_CRYPTO_DEFAULT_ALGS    "aes-256-xts"

typedef struct EmmcCryptoState {
    SDHCIState parent_obj;

    MemoryRegion bar;
    CqhciState cqhci;
    InlineCryptoRegs crypto;
    char *drive;
    DeviceState *card;
} EmmcCryptoState;

typedef struct EmmcCryptoClass {
    PCIDeviceClass parent_class;
    DeviceReset parent_reset;
} EmmcCryptoClass;

OBJECT_DECLARE_TYPE(EmmcCryptoState, EmmcCryptoClass, EMMC_CRYPTO)

/* The CQHCI block's view of its SDHCI host */

static bool emmc_crypto_dma64(void *opaque)
{
    SDHCIState *s = opaque;

    return SDHC_DMA_TYPE(s->hostctl1) == SDHC_CTRL_ADMA2_64;
}

static void emmc_crypto_set_irq(void *opaque, bool level)
{
    sdhci_cqe_set_irq(opaque, level);
}

static void emmc_crypto_data_error(void *opaque)
{
    sdhci_cqe_data_error(opaque);
}

static const CqhciHostOps emmc_crypto_cqhci_ops = {
    .dma64 = emmc_crypto_dma64,
    .set_irq = emmc_crypto_set_irq,
    .data_error = emmc_crypto_data_error,
};

static void emmc_crypto_instance_init(Object *obj)
{
    SDHCIState *s = PCI_SDHCI(obj);

    /*
     * SDHCI 3.00 with 64-bit system addresses: Linux then uses 64-bit
     * DMA, 16-byte CQHCI link and transfer descriptors.  "capareg" and
     * "sd-spec-version" can still override this.
     */
    s->sd_spec_version = 3;
    s->capareg = FIELD_DP64(SDHC_CAPAB_REG_DEFAULT, SDHC_CAPAB, BUS64BIT, 1);

    /*
     * For tests of the guest's recovery, settable at run time (qom-set):
     * the next N data tasks fail with a data transfer error once the card
     * has started them.
     */
    object_property_add_uint32_ptr(obj, "x-inject-data-errors",
                                   &EMMC_CRYPTO(obj)->cqhci.inject_data_errors,
                                   OBJ_PROP_FLAG_READWRITE);
}

static bool emmc_crypto_add_card(EmmcCryptoState *e, Error **errp)
{
    SDHCIState *s = PCI_SDHCI(e);
    DeviceState *card = qdev_new(TYPE_EMMC);

    if (!object_property_set_str(OBJECT(card), "drive", e->drive, errp) ||
        !object_property_set_bool(OBJECT(card), "cmdq", true, errp) ||
        !qdev_realize_and_unref(card, BUS(&s->sdbus), errp)) {
        object_unparent(OBJECT(card));
        return false;
    }
    e->card = card;
    return true;
}

static void emmc_crypto_realize(PCIDevice *dev, Error **errp)
{
    ERRP_GUARD();
    EmmcCryptoState *e = EMMC_CRYPTO(dev);
    SDHCIState *s = PCI_SDHCI(dev);
    uint64_t size;

    if (!e->drive) {
        error_setg(errp, "drive property not set");
        return;
    }
    if (!inline_crypto_regs_init(&e->crypto, TYPE_EMMC_CRYPTO,
                                 CQHCI_CRYPTO_CFGPTR,
                                 EMMC_CRYPTO_DEFAULT_ALGS, errp)) {
        return;
    }
    sdhci_initfn(s);
    sdhci_common_realize(s, errp);
    if (*errp) {
        goto fail_crypto;
    }
    dev->config[PCI_CLASS_PROG] = 0x01; /* Standard Host supported DMA */
    dev->config[PCI_INTERRUPT_PIN] = 0x01; /* interrupt pin A */
    s->irq = pci_allocate_irq(dev);
    s->dma_as = pci_get_address_space(dev);

    cqhci_init(&e->cqhci, OBJECT(e), &emmc_crypto_cqhci_ops, s, &s->sdbus,
               s->dma_as, &e->crypto);
    size = pow2ceil(EMMC_CRYPTO_CQHCI_OFFSET + cqhci_mmio_size(&e->crypto));
    memory_region_init(&e->bar, OBJECT(e), "emmc-crypto-bar", size);
    memory_region_add_subregion(&e->bar, 0, &s->iomem);
    memory_region_add_subregion(&e->bar, EMMC_CRYPTO_CQHCI_OFFSET,
                                &e->cqhci.mmio);
    pci_register_bar(dev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &e->bar);

    if (!emmc_crypto_add_card(e, errp)) {
        goto fail;
    }
    return;

fail:
    cqhci_cleanup(&e->cqhci);
    qemu_free_irq(s->irq);
    sdhci_common_unrealize(s);
fail_crypto:
    inline_crypto_regs_cleanup(&e->crypto);
}

static void emmc_crypto_exit(PCIDevice *dev)
{
    EmmcCryptoState *e = EMMC_CRYPTO(dev);
    SDHCIState *s = PCI_SDHCI(dev);

    cqhci_cleanup(&e->cqhci);
    inline_crypto_regs_cleanup(&e->crypto);
    qemu_free_irq(s->irq);
    sdhci_common_unrealize(s);
    sdhci_uninitfn(s);
}

/*
 * Device reset: the SDHCI registers, the CQHCI block and every keyslot.
 * An SDHCI software reset (Linux's host reset) keeps the keys, as Linux
 * only reprograms them when the card is power cycled.
 */
static void emmc_crypto_reset(DeviceState *dev)
{
    EmmcCryptoState *e = EMMC_CRYPTO(dev);

    EMMC_CRYPTO_GET_CLASS(e)->parent_reset(dev);
    cqhci_reset(&e->cqhci);
    inline_crypto_regs_reset(&e->crypto);
}

static const VMStateDescription vmstate_emmc_crypto = {
    .name = TYPE_EMMC_CRYPTO,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj.pcidev, EmmcCryptoState),
        VMSTATE_STRUCT(parent_obj, EmmcCryptoState, 1, sdhci_vmstate,
                       SDHCIState),
        VMSTATE_STRUCT(cqhci, EmmcCryptoState, 1, vmstate_cqhci, CqhciState),
        VMSTATE_STRUCT(crypto, EmmcCryptoState, 1,
                       vmstate_inline_crypto_regs, InlineCryptoRegs),
        VMSTATE_END_OF_LIST()
    },
};

static const Property emmc_crypto_props[] = {
    DEFINE_PROP_STRING("drive", EmmcCryptoState, drive),
    DEFINE_INLINE_CRYPTO_REGS_PROPERTIES(EmmcCryptoState, crypto, 0xff),
};

static void emmc_crypto_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    EmmcCryptoClass *k = EMMC_CRYPTO_CLASS(oc);

    pc->realize = emmc_crypto_realize;
    pc->exit = emmc_crypto_exit;
    k->parent_reset = dc->legacy_reset;
    device_class_set_legacy_reset(dc, emmc_crypto_reset);
    dc->vmsd = &vmstate_emmc_crypto;
    dc->desc = "eMMC with inline encryption (SDHCI, CQHCI crypto)";
    device_class_set_props(dc, emmc_crypto_props);
    object_class_property_set_description(oc, "drive",
        "the block device of the eMMC (a -drive id or a node name), "
        "larger than 2 GiB");
    inline_crypto_regs_describe_props(oc, EMMC_CRYPTO_DEFAULT_ALGS);
}

static const TypeInfo emmc_crypto_info = {
    .name = TYPE_EMMC_CRYPTO,
    .parent = TYPE_PCI_SDHCI,
    .instance_size = sizeof(EmmcCryptoState),
    .instance_init = emmc_crypto_instance_init,
    .class_size = sizeof(EmmcCryptoClass),
    .class_init = emmc_crypto_class_init,
};

static void emmc_crypto_register_types(void)
{
    type_register_static(&emmc_crypto_info);
}

type_init(emmc_crypto_register_types)
