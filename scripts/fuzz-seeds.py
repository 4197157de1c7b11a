#!/usr/bin/env python3
# fuzz-seeds.py [options] LOG...: turn the qtest protocol logs of the
# ufs-crypto (or, with --device emmc-crypto, emmc-crypto) qtests into seed
# inputs for QEMU's generic-fuzz target, one input per test case.
#
# A LOG is what QEMU writes with -qtest-log (what libqtest asks for when
# QTEST_LOG=1 is set, see system/qtest.c): "[R +t] cmd args" for each command
# QEMU received, "[S +t] OK ..." for its answers, "[I t] OPENED" when a test
# connects.  Each log file, and each further OPENED in one, is one QEMU;
# fuzz.sh gives each QEMU a file of its own, which keeps the lines whole.
# With --names (qos-test's TAP output, whose "# starting QEMU" lines tell
# which test started each QEMU) the QEMUs of one test, such as a migration's
# source and destination, make one case, named after the test; without it
# each QEMU is a case.
#
# The output follows tests/qtest/fuzz/generic_fuzz.c: commands separated by
# "FUZZ", each an opcode byte and the op's packed argument struct.
#   - The controller's BAR is found from the PCI configuration cycles of the
#     log (ports 0xcf8/0xcfc: vendor:device 1b36:0013, then BAR0 sizing and
#     assignment).  libqos on pc does MMIO with "write"/"read" of 1-8 bytes
#     (or writel/readl ...): those inside the BAR become OP_WRITE/OP_READ on
#     region index 0 (generic-fuzz counts matched regions in the flat view
#     of system memory; for QEMU_FUZZ_OBJECTS="*ufs*" that is only the BAR,
#     "ufs"), at the same offset.  A poll (the same read repeated, with only
#     clock steps between) is kept as one read, so that the input does not
#     depend on timing; PCI configuration cycles are dropped, as
#     generic-fuzz maps and enables the BARs itself.
#   - clock_step and clock_set become OP_CLOCK_STEP (to the next deadline).
#   - Guest memory is modelled from write/memset/b64write/write[bwlq].  The
#     device does not see those writes in the fuzzer: generic-fuzz fills
#     each DMA read from guest RAM with the next of its DMA patterns,
#     round robin.  So at each doorbell (UTRLDBR, or an MCQ submission
#     queue's tail pointer, the queues being found where MCQCAP.QCFGPTR
#     says) the script emits OP_CLEAR_DMA_PATTERNS and one
#     OP_ADD_DMA_PATTERN per DMA read the device is expected to make for the
#     request(s) rung, in hw/ufs/ufs.c's order, with the bytes the test had
#     written there: the UTRD (or submission queue entry), the request
#     UPIU's header, the whole request UPIU, the PRDT, then for a
#     host-to-device transfer the first bytes of the first data buffers
#     (--data-bytes, --data-buffers; a pattern repeats to fill the read,
#     and data content matters little here).  Descriptors so
#     read back exactly as the test wrote them; data is approximate, and
#     reads the prediction misses (more data buffers, a chunk split) take
#     the following patterns round robin.  This holds as fuzz.sh runs the
#     fuzzer: with QTEST_LOG or QEMU_AVOID_DOUBLE_FETCH set, generic-fuzz
#     skips a read that overlaps one already filled (the UPIU is read twice)
#     and the patterns shift.  --dma-order=written instead adds the memory
#     writes since the last doorbell in the order the test made them, for
#     comparison: the device reads the UTRD first, which the test writes
#     last, so most descriptors come out wrong.
#   - Not reproduced: QMP and HMP (system_reset among them), IRQ lines, the
#     timing of requests still in flight (the fuzzer runs each request to
#     completion after the command that starts it).
#
# An input is cut at the last command that fits in --max-len bytes (to be
# passed to libFuzzer as -max_len too).  Prints one line per input on stderr
# and the number of inputs written on stdout.

import argparse
import base64
import os
import re
import struct
import sys

SEPARATOR = b"FUZZ"
OP_READ, OP_WRITE = 2, 3
OP_ADD_DMA_PATTERN, OP_CLEAR_DMA_PATTERNS, OP_CLOCK_STEP = 7, 8, 9
SIZE_CODE = {1: 0, 2: 1, 4: 2, 8: 3}   # generic-fuzz's Byte, Word, Long, Quad
WIDTH = {"b": 1, "w": 2, "l": 4, "q": 8}

PCI_CFG_ADDR, PCI_CFG_DATA = 0xCF8, 0xCFC

# UFSHCI registers (include/block/ufs.h, hw/ufs/ufs.c)
A_MCQCAP = 0x04
A_UTRLBA, A_UTRLBAU, A_UTRLDBR = 0x50, 0x54, 0x58
MCQ_QCFGPTR = 2                  # hw/ufs/ufs.c's, until MCQCAP is read
MCQ_CFG_STRIDE = 0x40
A_SQATTR, A_SQLBA, A_SQUBA = 0x0, 0x4, 0x8
MCQ_OP_BASE, MCQ_OP_STRIDE, MCQ_OP_SQTP = 0x1000, 48, 4
MCQ_MAXQ = 32
UTRD_SIZE = 32
UPIU_HEADER_SIZE = 12
UPIU_REQ_MAX = UPIU_HEADER_SIZE + 20 + 256
UTP_HOST_TO_DEVICE = 0x02000000
PRDT_ENTRY_SIZE = 16

# emmc-crypto: SDHCI at BAR0 + 0, CQHCI at BAR0 + 0x200 (hw/sd/cqhci.c)
SDHC_HOSTCTL = 0x28
SDHC_CTRL_DMA_MASK, SDHC_CTRL_ADMA2_64 = 0x18, 0x18
CQ_BASE = 0x200
CQ_CFG, CQ_TDLBA, CQ_TDLBAU, CQ_TDBR = 0x208, 0x220, 0x224, 0x228
CQ_CFG_TDS, CQ_CFG_DCMD = 0x100, 0x1000
CQ_DESC_VALID, CQ_DESC_END = 0x1, 0x2
CQ_ACT_TRAN, CQ_ACT_LINK = 0x4, 0x6
CQ_MAX_TRANS = 8             # transfer descriptors given a pattern

LINE_RE = re.compile(r"\[([RSI]) \+?[0-9.]+\] ?(.*)$")


class Memory:
    """Sparse model of guest RAM as the test wrote it (unwritten = 0)."""

    PAGE = 4096

    def __init__(self):
        self.pages = {}

    def write(self, addr, data):
        off = 0
        while off < len(data):
            page, poff = divmod(addr + off, self.PAGE)
            n = min(len(data) - off, self.PAGE - poff)
            buf = self.pages.setdefault(page, bytearray(self.PAGE))
            buf[poff:poff + n] = data[off:off + n]
            off += n

    def read(self, addr, size):
        out = bytearray()
        while len(out) < size:
            page, poff = divmod(addr + len(out), self.PAGE)
            n = min(size - len(out), self.PAGE - poff)
            buf = self.pages.get(page)
            out += buf[poff:poff + n] if buf else bytes(n)
        return bytes(out)


def le(data):
    return int.from_bytes(data, "little")


class Case:
    """One test case: the QEMU (or QEMUs, in order) of one test."""

    def __init__(self, args):
        self.args = args
        self.mem = Memory()
        self.ops = []             # (kind, ...) tuples, encoded at the end
        self.cfg_addr = 0
        self.pci_ids = {}         # devfn -> [vendor, device]
        self.bar_lo = {}          # devfn -> BAR0 as last written
        self.bar_hi = {}
        self.bar_mask = {}        # devfn -> BAR0 read back after sizing
        self.regs = {}            # BAR offset -> last value written
        self.sq = {}              # qid -> dict(addr, size, head)
        self.mcq_cfg = MCQ_QCFGPTR * 0x200
        self.pending_writes = []  # guest memory writes since the last doorbell
        self.requests = 0
        self.skipped = 0
        self.name = None

    # PCI configuration space, for the BAR ---------------------------------

    def ufs_devfn(self):
        want = self.args.pci_id
        for devfn, ids in self.pci_ids.items():
            if ids == want and devfn in self.bar_lo:
                return devfn
        if len(self.bar_lo) == 1:
            return next(iter(self.bar_lo))
        return None

    def bar(self):
        """(base, size) of the controller's BAR0, or None if not mapped."""
        devfn = self.ufs_devfn()
        if devfn is None:
            return None
        lo = self.bar_lo[devfn]
        mask = self.bar_mask.get(devfn, 0xFFFFC000)
        base = lo & ~0xF
        if (mask & 0x6) == 0x4:                      # 64-bit memory BAR
            base |= self.bar_hi.get(devfn, 0) << 32
        size = (~(mask & ~0xF) + 1) & 0xFFFFFFFF
        return (base, size) if base else None

    def pci_out(self, port, size, value):
        if port == PCI_CFG_ADDR and size == 4:
            self.cfg_addr = value
            return
        if not (PCI_CFG_DATA <= port < PCI_CFG_DATA + 4) or \
           not self.cfg_addr & 0x80000000:
            return
        devfn = (self.cfg_addr >> 8) & 0xFFFF       # bus and devfn
        reg = (self.cfg_addr & 0xFC) + port - PCI_CFG_DATA
        if reg == 0x10 and size == 4 and value != 0xFFFFFFFF:
            self.bar_lo[devfn] = value
        elif reg == 0x14 and size == 4 and value != 0xFFFFFFFF:
            self.bar_hi[devfn] = value

    def pci_in(self, port, size, value):
        if not (PCI_CFG_DATA <= port < PCI_CFG_DATA + 4) or \
           not self.cfg_addr & 0x80000000 or value is None:
            return
        devfn = (self.cfg_addr >> 8) & 0xFFFF
        reg = (self.cfg_addr & 0xFC) + port - PCI_CFG_DATA
        ids = self.pci_ids.setdefault(devfn, [None, None])
        if reg == 0x00:
            ids[0] = value & 0xFFFF
            if size == 4:
                ids[1] = value >> 16
        elif reg == 0x02 and size == 2:
            ids[1] = value
        elif reg == 0x10 and size == 4:
            self.bar_mask[devfn] = value

    # Guest memory and MMIO -------------------------------------------------

    def in_bar(self, addr, size):
        bar = self.bar()
        return bar is not None and bar[0] <= addr and addr + size <= sum(bar)

    def mem_write(self, addr, data):
        if self.in_bar(addr, len(data)):
            off = addr - self.bar()[0]
            if len(data) in SIZE_CODE:
                self.mmio_write(off, len(data), le(data))
            else:
                for i in range(0, len(data) - 3, 4):
                    self.mmio_write(off + i, 4, le(data[i:i + 4]))
            return
        self.mem.write(addr, data)
        self.pending_writes.append((addr, len(data)))

    def mem_read(self, addr, size, value=None):
        if self.in_bar(addr, size) and size in SIZE_CODE:
            op = ("read", size, addr - self.bar()[0])
            if op[2] == A_MCQCAP and size == 4 and value is not None:
                self.mcq_cfg = (value >> 16 & 0xFF) * 0x200
            # A poll: the same read again, with only clock steps between.
            # It is kept once, without the steps, as the number of rounds
            # depends on timing.
            n = len(self.ops)
            while n and self.ops[n - 1] == ("clock",):
                n -= 1
            if n and self.ops[n - 1] == op:
                del self.ops[n:]
                return
            self.ops.append(op)

    def clock(self):
        if not self.ops or self.ops[-1] != ("clock",):
            self.ops.append(("clock",))

    def mmio_write(self, off, size, value):
        self.doorbell(off, size, value)
        self.regs[off] = value
        self.ops.append(("write", size, off, value))

    # What the device reads when a doorbell rings ---------------------------

    def doorbell(self, off, size, value):
        if self.args.device == "emmc-crypto":
            self.cqhci_doorbell(off, size, value)
            return
        utrds = []
        if off == A_UTRLDBR and size == 4 and value:
            base = (self.regs.get(A_UTRLBA, 0) & ~0x3FF) | \
                   (self.regs.get(A_UTRLBAU, 0) << 32)
            utrds = [base + slot * UTRD_SIZE
                     for slot in range(32) if value >> slot & 1]
        elif self.mcq_cfg <= off < self.mcq_cfg + MCQ_MAXQ * MCQ_CFG_STRIDE:
            qid, reg = divmod(off - self.mcq_cfg, MCQ_CFG_STRIDE)
            if reg == A_SQATTR and size == 4:
                regbase = self.mcq_cfg + qid * MCQ_CFG_STRIDE
                if value >> 31 and qid not in self.sq:
                    self.sq[qid] = {
                        "addr": self.regs.get(regbase + A_SQLBA, 0) |
                                self.regs.get(regbase + A_SQUBA, 0) << 32,
                        "size": ((value & 0xFFFF) + 1) * 4 // UTRD_SIZE,
                        "head": 0,
                    }
                elif not value >> 31:
                    self.sq.pop(qid, None)
        elif MCQ_OP_BASE <= off < MCQ_OP_BASE + MCQ_MAXQ * MCQ_OP_STRIDE:
            qid, reg = divmod(off - MCQ_OP_BASE, MCQ_OP_STRIDE)
            sq = self.sq.get(qid)
            if reg == MCQ_OP_SQTP and size == 4 and sq and sq["size"] and \
               value < sq["size"] * UTRD_SIZE:
                head = sq["head"]
                while head != value:
                    utrds.append(sq["addr"] + head)
                    head = (head + UTRD_SIZE) % (sq["size"] * UTRD_SIZE)
                sq["head"] = value
        if not utrds:
            return
        self.requests += len(utrds)
        self.ops.append(("clear",))
        if self.args.dma_order == "written":
            for addr, size in self.pending_writes:
                self.pattern(self.mem.read(addr, min(size, 4096)))
        else:
            for addr in utrds:
                self.request_patterns(addr)
        self.pending_writes = []

    def cqhci_doorbell(self, off, size, value):
        """A CQHCI doorbell (TDBR): for each task rung, in tag order, the
        task descriptor, the link descriptor, the transfer descriptors,
        and for a write the first bytes of its first data buffers, as
        hw/sd/cqhci.c reads them."""
        if off != CQ_TDBR or size != 4 or not value:
            return
        cfg = self.regs.get(CQ_CFG, 0)
        dma64 = (self.regs.get(SDHC_HOSTCTL, 0) & SDHC_CTRL_DMA_MASK) == \
            SDHC_CTRL_ADMA2_64
        td_len = 16 if cfg & CQ_CFG_TDS else 8
        desc_len = 16 if dma64 else 8
        base = self.regs.get(CQ_TDLBA, 0) | self.regs.get(CQ_TDLBAU, 0) << 32
        self.ops.append(("clear",))
        for tag in range(32):
            if not value >> tag & 1:
                continue
            self.requests += 1
            slot = base + tag * (td_len + desc_len)
            td = self.mem.read(slot, td_len)
            self.pattern(td)
            if tag == 31 and cfg & CQ_CFG_DCMD:
                continue
            link = self.mem.read(slot + td_len, desc_len)
            self.pattern(link)
            desc = le(link[4:12]) if dma64 else le(link[4:8])
            write = not le(td[0:8]) >> 12 & 1
            bufs = []
            for _ in range(CQ_MAX_TRANS):
                d = self.mem.read(desc, desc_len)
                self.pattern(d)
                attr = le(d[0:4])
                addr = le(d[4:12]) if dma64 else le(d[4:8])
                act = attr >> 3 & 7
                if not attr & CQ_DESC_VALID:
                    break
                if act == CQ_ACT_LINK:
                    desc = addr
                    continue
                if act == CQ_ACT_TRAN:
                    bufs.append((addr, (attr >> 16) or 65536))
                if attr & CQ_DESC_END:
                    break
                desc += desc_len
            if write:
                for addr, n in bufs[:self.args.data_buffers]:
                    self.pattern(self.mem.read(
                        addr, min(n, self.args.data_bytes)))
        self.pending_writes = []

    def region(self, off):
        """generic-fuzz's (region index, offset) of a BAR offset: for
        emmc-crypto the matched regions are "sdhci" and "cqhci", in the
        order of their addresses."""
        base = self.args.region_index
        if self.args.device == "emmc-crypto" and off >= CQ_BASE:
            return base + 1, off - CQ_BASE
        return base, off

    def pattern(self, data):
        if data:
            self.ops.append(("pattern", data))

    def request_patterns(self, utrd_addr):
        utrd = self.mem.read(utrd_addr, UTRD_SIZE)
        dw0 = le(utrd[0:4])
        ucd = le(utrd[16:20]) | le(utrd[20:24]) << 32
        prdt_len = le(utrd[28:30])
        prdt_off = le(utrd[30:32]) * 4
        header = self.mem.read(ucd, UPIU_HEADER_SIZE)
        dsl = int.from_bytes(header[10:12], "big")
        upiu_len = min(UPIU_HEADER_SIZE + 20 + dsl, UPIU_REQ_MAX)

        self.pattern(utrd)
        self.pattern(header)
        self.pattern(self.mem.read(ucd, upiu_len))
        if not prdt_len:
            return
        prdt = self.mem.read(ucd + prdt_off, prdt_len * PRDT_ENTRY_SIZE)
        self.pattern(prdt)
        if dw0 & UTP_HOST_TO_DEVICE:
            for i in range(min(prdt_len, self.args.data_buffers)):
                e = prdt[i * PRDT_ENTRY_SIZE:(i + 1) * PRDT_ENTRY_SIZE]
                size = (le(e[12:16]) & 0x3FFFF) + 1
                self.pattern(self.mem.read(le(e[0:8]),
                                           min(size, self.args.data_bytes)))

    # One line of the log ----------------------------------------------------

    def command(self, words, reply):
        cmd = words[0]
        try:
            if cmd in ("outb", "outw", "outl"):
                self.pci_out(int(words[1], 0), WIDTH[cmd[-1]],
                             int(words[2], 0))
            elif cmd in ("inb", "inw", "inl"):
                value = int(reply[1], 0) if len(reply) > 1 else None
                self.pci_in(int(words[1], 0), WIDTH[cmd[-1]], value)
            elif cmd == "write":
                addr, size = int(words[1], 0), int(words[2], 0)
                data = bytes.fromhex(words[3][2:]) if size else b""
                if len(data) != size:
                    raise ValueError("length")
                self.mem_write(addr, data)
            elif cmd == "b64write":
                addr, size = int(words[1], 0), int(words[2], 0)
                data = base64.b64decode(words[3]) if size else b""
                self.mem_write(addr, data[:size])
            elif cmd == "memset":
                addr, size = int(words[1], 0), int(words[2], 0)
                self.mem_write(addr, bytes([int(words[3], 0)]) * size)
            elif cmd in ("writeb", "writew", "writel", "writeq"):
                size = WIDTH[cmd[-1]]
                value = int(words[2], 0) & ((1 << 8 * size) - 1)
                self.mem_write(int(words[1], 0),
                               value.to_bytes(size, "little"))
            elif cmd in ("readb", "readw", "readl", "readq"):
                size = WIDTH[cmd[-1]]
                value = int(reply[1], 0) if len(reply) > 1 else None
                self.mem_read(int(words[1], 0), size, value)
            elif cmd == "read":
                size = int(words[2], 0)
                value = None
                if len(reply) > 1 and len(reply[1]) == 2 + 2 * size:
                    value = le(bytes.fromhex(reply[1][2:]))
                self.mem_read(int(words[1], 0), size, value)
            elif cmd == "b64read":
                self.mem_read(int(words[1], 0), int(words[2], 0))
            elif cmd in ("clock_step", "clock_set"):
                self.clock()
        except (IndexError, ValueError, KeyError):
            self.skipped += 1     # a torn line, e.g. from a shared stderr

    # The fuzzer input -------------------------------------------------------

    def encode(self):
        """The input, cut to --max-len; also returns the ops that fit."""
        out, n_ops = bytearray(), 0
        for op in self.ops:
            if op[0] == "write":
                cmd = bytes([OP_WRITE]) + struct.pack(
                    "<BBxxIQ", SIZE_CODE[op[1]], *self.region(op[2]), op[3])
            elif op[0] == "read":
                cmd = bytes([OP_READ]) + struct.pack(
                    "<BBxxI", SIZE_CODE[op[1]], *self.region(op[2]))
            elif op[0] == "clock":
                cmd = bytes([OP_CLOCK_STEP])
            elif op[0] == "clear":
                cmd = bytes([OP_CLEAR_DMA_PATTERNS])
            else:
                data = op[1]
                # The separator would split the command: cut the pattern.
                cut = data.find(SEPARATOR)
                data = data[:max(cut, 1)] if cut >= 0 else data
                cmd = bytes([OP_ADD_DMA_PATTERN, 0, 0]) + data
            if SEPARATOR in cmd:
                continue
            piece = (SEPARATOR if out else b"") + cmd
            if len(out) + len(piece) > self.args.max_len:
                break
            out += piece
            n_ops += 1
        return bytes(out), n_ops


def segments(paths):
    """Yield the [command words, reply words] of each QEMU in the logs: one
    list per file, and one more for each further OPENED in a file."""
    for path in paths:
        cur, last, opened = [], None, False
        with open(path, "r", encoding="ascii", errors="replace") as f:
            for line in f:
                m = LINE_RE.search(line)
                if not m:
                    continue
                kind, text = m.group(1), m.group(2).split()
                if kind == "I":
                    if text[:1] == ["OPENED"]:
                        if opened:
                            yield cur
                            cur, last = [], None
                        opened = True
                elif kind == "R" and text:
                    last = [text, []]
                    cur.append(last)
                elif kind == "S" and last is not None and not last[1] and \
                        text[:1] in (["OK"], ["FAIL"], ["ERR"]):
                    last[1] = text
        yield cur


def spawn_names(tap_path):
    """The test of each QEMU that qos-test started, from its TAP output:
    a "# starting QEMU" line belongs to the next test result."""
    names, pending = [], 0
    with open(tap_path, "r", errors="replace") as f:
        for line in f:
            if line.startswith("# starting QEMU"):
                pending += 1
                continue
            m = re.match(r"(?:not )?ok \d+ (\S+)", line)
            if m:
                name = m.group(1).rstrip("/").rsplit("/", 1)[-1]
                names += [name] * pending
                pending = 0
    return names + [None] * pending


def main():
    p = argparse.ArgumentParser(
        description="qtest protocol logs -> generic-fuzz seed inputs "
                    "(-device ufs-crypto or emmc-crypto)")
    p.add_argument("logs", nargs="+",
                   help="qtest logs, in the order the QEMUs started")
    p.add_argument("-o", "--out", required=True,
                   help="corpus directory to write")
    p.add_argument("--names", help="qos-test's TAP output, to name the inputs")
    p.add_argument("--max-len", type=int, default=65536,
                   help="largest input, bytes (libFuzzer's -max_len)")
    p.add_argument("--data-bytes", type=int, default=64,
                   help="bytes of each data buffer put in a DMA pattern")
    p.add_argument("--data-buffers", type=int, default=4,
                   help="data buffers per request given a DMA pattern")
    p.add_argument("--region-index", type=int, default=0,
                   help="generic-fuzz's index of the BAR among the matched "
                        "memory regions")
    p.add_argument("--device", choices=("ufs-crypto", "emmc-crypto"),
                   default="ufs-crypto", help="the controller the tests "
                   "drive: what its doorbells make it read, its regions")
    p.add_argument("--pci-id", help="vendor:device of the controller "
                   "(default: 1b36:0013 for ufs-crypto, 1b36:0007 for "
                   "emmc-crypto)")
    p.add_argument("--dma-order", choices=("device", "written"),
                   default="device", help="order of the DMA patterns")
    args = p.parse_args()
    if not args.pci_id:
        args.pci_id = "1b36:0007" if args.device == "emmc-crypto" \
            else "1b36:0013"
    args.pci_id = [int(x, 16) for x in args.pci_id.split(":")]

    segs = list(segments(args.logs))
    names = spawn_names(args.names) if args.names else []
    if len(names) > len(segs):
        print(f"fuzz-seeds: {len(names)} QEMUs started but {len(segs)} logs: "
              "inputs are numbered only", file=sys.stderr)
        names = []
    # Logs of QEMUs started before the first one TAP shows come first.
    names = [None] * (len(segs) - len(names)) + names

    # The QEMUs of one test (a migration's source and destination) make one
    # case, in order, the later ones continuing the first one's state.
    cases, prev = [], None
    for seg, name in zip(segs, names):
        if name is None or name != prev:
            cases.append(Case(args))
            cases[-1].name = name
        prev = name
        for words, reply in seg:
            cases[-1].command(words, reply)
    cases = [c for c in cases if c.bar() is not None and c.ops]

    os.makedirs(args.out, exist_ok=True)
    written = 0
    for i, case in enumerate(cases):
        data, n_ops = case.encode()
        name = f"{i + 1:02d}" + (f"-{case.name}" if case.name else "")
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(data)
        written += 1
        note = "" if n_ops == len(case.ops) else \
            f", cut at --max-len after {n_ops} of {len(case.ops)} ops"
        if case.skipped:
            note += f", {case.skipped} unreadable lines"
        print(f"  {name}: {len(data)} bytes, {n_ops} ops, "
              f"{case.requests} requests{note}", file=sys.stderr)
    print(written)
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
