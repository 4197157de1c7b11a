#!/usr/bin/python3
"""e2e-device-io.py: did the device encrypt what the guest wrote and read?

scripts/e2e.sh runs QEMU with the device's trace events in its log (the
log trace backend writes them to QEMU's stderr, qemu.log) and gives them
here with the console and the host check's log.  The device's side:

  ufs   ufs_exec_scsi_cmd    every SCSI command (that tracing works at all)
        ufs_crypto_req       an encrypted command: its keyslot, length and
                             direction (SCSI_XFER_FROM_DEV 1: a read,
                             SCSI_XFER_TO_DEV 2: a write)
        inline_crypto_regs_program  the data unit size of each keyslot, as
                             programmed (the log is in time order, so a
                             request's keyslot has the size last programmed)
        ufs_crypto_err_*, inline_crypto_regs_err_*  errors
  emmc  cqhci_task           every task: read or write, 512-byte blocks and
                             CE (1: encrypted); the keyslots are all of
                             4096-byte data units (e2e.sh checks that)

The guest's side: the policies whose contents blk-crypto must hand to the
device with -o inlinecrypt (UFSC-POLICIES fs=F native=P,P..), and from the
host check (scripts/fscrypt-check.py) the data blocks of each file of those
policies, found on the medium and checked to be the right ciphertext, and
their data unit size.  Each block of a file written through -o inlinecrypt
(phase hw) was written by the device at least once, and each block of a
file of those policies (written either way) read through -o inlinecrypt
at least once after its page cache was dropped.  So, per data unit size,
the encrypted bytes the device wrote must be at least those of the hw
files, and the encrypted bytes it read at least those of all the files.
If the kernel encrypted in software (before 7.3 fscrypt's crypto API,
since 7.3 blk-crypto-fallback) the device sees plain requests, and the
check fails; zero encrypted requests always fail it.  More than expected is
fine (metadata-free, but files are read more than once, and rewritten).

  e2e-device-io.py --storage ufs|emmc --console console.txt --check check.log
                   --trace qemu.log [--trace qemu-dst.log]

Prints one line per check, "ok|fail|skip NAME MESSAGE", and lines
"report TEXT" for e2e.sh's report.  Exit status 0.
"""

import argparse
import collections
import re
import sys

FILE_RE = re.compile(r'^(PASS|FAIL) (\S+) (\S+) (hw|sw) (/\S+) .*: (\d+) blocks of (\d+)-byte data units')
POL_RE = re.compile(r'^UFSC-POLICIES fs=(\S+) native=(\S*) fallback=(\S*)')
UFS_CMD_RE = re.compile(r'\bufs_exec_scsi_cmd ')
UFS_REQ_RE = re.compile(r'\bufs_crypto_req task tag \d+ keyslot (\d+) dun 0x[0-9a-f]+ len (\d+) dir (\d+)')
PROG_RE = re.compile(r'\binline_crypto_regs_program .*keyslot (\d+) capidx \d+ data unit (\d+)')
UFS_ERR_RE = re.compile(r'\b(ufs_crypto_err_\w+|inline_crypto_regs_err_\w+)')
EMMC_TASK_RE = re.compile(r'\bcqhci_task task \d+ read (\d) blocks (\d+) sector 0x[0-9a-f]+ CE (\d)')

MiB = 1 << 20


def mib(n):
    return "%.2f MiB" % (n / MiB)


def expected_bytes(console, check):
    """(writes, reads, files): per data unit size, from the host check."""
    native = {}
    with open(console, errors='replace') as f:
        for line in f:
            m = POL_RE.match(line.rstrip('\r\n'))
            if m:
                native[m.group(1)] = set(p for p in m.group(2).split(',') if p)
    writes = collections.Counter()
    reads = collections.Counter()
    files = 0
    with open(check, errors='replace') as f:
        for line in f:
            m = FILE_RE.match(line)
            if not m:
                continue
            fs, policy, phase = m.group(2), m.group(3), m.group(4)
            if policy not in native.get(fs, ()):
                continue
            nbytes, dus = int(m.group(6)) * 4096, int(m.group(7))
            files += 1
            reads[dus] += nbytes
            if phase == 'hw':
                writes[dus] += nbytes
    return writes, reads, files, native


def trace_lines(traces):
    """The lines of each trace file that exists, one after the other."""
    for path in traces:
        try:
            f = open(path, errors='replace')
        except FileNotFoundError:
            continue
        with f:
            yield from f


def device_ufs(traces):
    cmds = 0
    enc = 0
    writes = collections.Counter()
    reads = collections.Counter()
    errors = []
    slot_dus = {}
    for line in trace_lines(traces):
        if UFS_CMD_RE.search(line):
            cmds += 1
            continue
        m = UFS_REQ_RE.search(line)
        if m:
            enc += 1
            dus = slot_dus.get(int(m.group(1)), 'unknown')
            if m.group(3) == '2':
                writes[dus] += int(m.group(2))
            elif m.group(3) == '1':
                reads[dus] += int(m.group(2))
            continue
        m = PROG_RE.search(line)
        if m:
            slot_dus[int(m.group(1))] = int(m.group(2))
            continue
        if UFS_ERR_RE.search(line):
            errors.append(line.strip())
    return cmds, enc, writes, reads, errors


def device_emmc(traces):
    tasks = 0
    enc = 0
    writes = collections.Counter()
    reads = collections.Counter()
    for line in trace_lines(traces):
        m = EMMC_TASK_RE.search(line)
        if not m:
            continue
        tasks += 1
        if m.group(3) != '1':
            continue
        enc += 1
        # Every keyslot has 4096-byte data units (e2e.sh checks it)
        if m.group(1) == '1':
            reads[4096] += int(m.group(2)) * 512
        else:
            writes[4096] += int(m.group(2)) * 512
    return tasks, enc, writes, reads, []


def compare(what, dev, exp):
    """(ok, message): dev >= exp for every data unit size exp has."""
    parts = []
    ok = sum(exp.values()) > 0
    for dus in sorted(exp):
        good = dev.get(dus, 0) >= exp[dus]
        ok = ok and good
        parts.append("%d-byte data units %s of at least %s%s" % (
            dus, mib(dev.get(dus, 0)), mib(exp[dus]), "" if good else " (TOO FEW)"))
    other = {k: v for k, v in dev.items() if k not in exp}
    for dus in sorted(other, key=str):
        parts.append("%s-byte data units %s (no file expects them)" % (dus, mib(other[dus])))
    if not exp:
        parts.append("no file of a native policy in the host check, nothing to expect")
    return ok, "encrypted %s: %s in all; %s" % (what, mib(sum(dev.values())), "; ".join(parts))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--storage', choices=('ufs', 'emmc'), required=True)
    ap.add_argument('--console', required=True)
    ap.add_argument('--check', required=True)
    ap.add_argument('--trace', action='append', default=[])
    args = ap.parse_args()

    exp_w, exp_r, nfiles, native = expected_bytes(args.console, args.check)
    if args.storage == 'ufs':
        ncmd, nenc, dev_w, dev_r, errors = device_ufs(args.trace)
        unit = "SCSI commands"
    else:
        ncmd, nenc, dev_w, dev_r, errors = device_emmc(args.trace)
        unit = "tasks"
    print("report device I/O: %d of %d %s encrypted; %d files of the native policies (%s)" % (
        nenc, ncmd, unit, nfiles,
        "; ".join("%s: %s" % (fs, ",".join(sorted(p))) for fs, p in sorted(native.items())) or
        "no UFSC-POLICIES line"))
    if ncmd == 0:
        msg = "no %s traced (QEMU built without the log trace backend?): not checked" % unit
        print("report device I/O: " + msg)
        print("skip device-encrypted-writes " + msg)
        print("skip device-encrypted-reads " + msg)
        return 0
    for name, what, dev, exp in (("device-encrypted-writes", "writes", dev_w, exp_w),
                                 ("device-encrypted-reads", "reads", dev_r, exp_r)):
        good, msg = compare(what, dev, exp)
        print("report device I/O: %s%s" % (msg, "" if good else " -- FAILED"))
        print("%s %s %s" % ("ok" if good else "fail", name, msg))
    if args.storage == 'ufs':
        if errors:
            print("report device I/O: %d error events, the first: %s" % (len(errors), errors[0]))
            print("fail device-no-errors %d error events: %s" % (len(errors), " | ".join(errors[:3])))
        else:
            print("ok device-no-errors")
    return 0


if __name__ == '__main__':
    sys.exit(main())
