#!/usr/bin/env python3
# e2e-results.py: the results of one scripts/e2e.sh run in the formats CI
# systems read.
#
#   e2e-results.py --cases FILE [--suite NAME] [--junit FILE] [--json FILE]
#                  [--meta KEY=VALUE]...
#
# FILE holds one check per line, tab-separated: CLASS NAME RESULT MESSAGE,
# RESULT being ok, fail or skip (e2e.sh writes it: the guest's checks, the
# host-side ciphertext check's and e2e.sh's own).  --junit writes JUnit XML:
# one testsuite, one testcase per check (classname CLASS), a <failure> with
# the message for a failed one, <skipped> for a skipped one, and the --meta
# pairs as properties.  --json writes a summary: the --meta pairs (a KEY
# with dots makes nested objects; a VALUE that parses as JSON is taken as
# such, e.g. a number or a list), the counts, the counts per class and the
# failed checks.  Prints "N passed, N failed, N skipped".
import argparse
import json
import re
import socket
import sys
import time
import xml.etree.ElementTree as ET

# Characters XML 1.0 cannot hold (console output may have some)
_BAD_XML = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def clean(text):
    return _BAD_XML.sub('?', text)


def read_cases(path):
    cases = []
    with open(path, encoding='utf-8', errors='replace') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line:
                continue
            fields = line.split('\t')
            if len(fields) < 3 or fields[2] not in ('ok', 'fail', 'skip'):
                sys.exit('%s:%d: not CLASS NAME RESULT [MESSAGE]: %r'
                         % (path, n, line))
            cls, name, result = fields[:3]
            msg = '\t'.join(fields[3:])
            cases.append((cls, name, result, msg))
    return cases


def parse_meta(pairs):
    meta = {}
    for pair in pairs:
        key, sep, value = pair.partition('=')
        if not sep or not key:
            sys.exit('--meta takes KEY=VALUE, not %r' % pair)
        try:
            value = json.loads(value)
        except ValueError:
            pass
        node = meta
        parts = key.split('.')
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return meta


def flat(meta, prefix=''):
    for key, value in meta.items():
        if isinstance(value, dict):
            yield from flat(value, prefix + key + '.')
        else:
            yield prefix + key, value if isinstance(value, str) \
                else json.dumps(value)


def counts(cases):
    c = {'passed': 0, 'failed': 0, 'skipped': 0}
    for case in cases:
        c[{'ok': 'passed', 'fail': 'failed', 'skip': 'skipped'}[case[2]]] += 1
    return c


def write_junit(path, suite, cases, meta):
    c = counts(cases)
    attrs = {'name': suite, 'tests': str(len(cases)),
             'failures': str(c['failed']), 'errors': '0',
             'skipped': str(c['skipped'])}
    root = ET.Element('testsuites', attrs)
    ts = ET.SubElement(root, 'testsuite', dict(
        attrs, timestamp=time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime()),
        hostname=socket.gethostname()))
    if meta:
        props = ET.SubElement(ts, 'properties')
        for key, value in flat(meta):
            ET.SubElement(props, 'property', name=key, value=clean(value))
    for cls, name, result, msg in cases:
        tc = ET.SubElement(ts, 'testcase', classname=clean(cls),
                           name=clean(name))
        if result == 'fail':
            el = ET.SubElement(tc, 'failure', message=clean(msg or 'failed'),
                               type='failure')
            el.text = clean(msg)
        elif result == 'skip':
            ET.SubElement(tc, 'skipped', message=clean(msg))
    ET.ElementTree(root).write(path, encoding='utf-8', xml_declaration=True)


def write_json(path, suite, cases, meta):
    by_class = {}
    for cls, _, result, _ in cases:
        k = by_class.setdefault(cls, {'passed': 0, 'failed': 0, 'skipped': 0})
        k[{'ok': 'passed', 'fail': 'failed', 'skip': 'skipped'}[result]] += 1
    doc = dict(meta)
    doc['suite'] = suite
    doc['counts'] = counts(cases)
    doc['counts_by_class'] = by_class
    doc['failures'] = [{'class': cls, 'name': name, 'message': msg}
                       for cls, name, result, msg in cases if result == 'fail']
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(doc, f, indent=2, sort_keys=True)
        f.write('\n')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cases', required=True)
    ap.add_argument('--suite', default='ufs-crypto-e2e')
    ap.add_argument('--junit')
    ap.add_argument('--json')
    ap.add_argument('--meta', action='append', default=[])
    args = ap.parse_args()
    cases = read_cases(args.cases)
    meta = parse_meta(args.meta)
    if args.junit:
        write_junit(args.junit, args.suite, cases, meta)
    if args.json:
        write_json(args.json, args.suite, cases, meta)
    c = counts(cases)
    print('%d passed, %d failed, %d skipped'
          % (c['passed'], c['failed'], c['skipped']))


if __name__ == '__main__':
    main()
