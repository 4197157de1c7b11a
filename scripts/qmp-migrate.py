#!/usr/bin/env python3
# qmp-migrate.py SOCKET URI: migrate the QEMU behind the QMP socket SOCKET
# to URI (e.g. file:/path/vm.mig), wait for the migration to finish, print
# one line of figures, and quit that QEMU.  Exits 0 if the migration
# completed.  Used by scripts/e2e.sh --migrate.  It waits for QEMU's
# MIGRATION event, not for a time; the socket's timeout only catches a
# QEMU that hangs.
import sys
import time

from qmp import Qmp  # scripts/qmp.py, beside this script


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: qmp-migrate.py SOCKET URI')
    qmp = Qmp(sys.argv[1])
    t0 = time.monotonic()
    # MIGRATION events are sent only with the events capability on.
    qmp.cmd('migrate-set-capabilities',
            capabilities=[{'capability': 'events', 'state': True}])
    qmp.cmd('migrate', uri=sys.argv[2])
    while True:
        ev = qmp.event('MIGRATION')
        if ev['data']['status'] in ('completed', 'failed', 'cancelled'):
            break
    info = qmp.cmd('query-migrate')
    status = info.get('status')
    ram = info.get('ram', {})
    print('migration %s: %.1f s, downtime %s ms, %.1f MiB transferred, '
          '%s dirty-sync rounds%s' %
          (status, time.monotonic() - t0, info.get('downtime', '?'),
           ram.get('transferred', 0) / 2**20, ram.get('dirty-sync-count', '?'),
           ', error: ' + info['error-desc'] if 'error-desc' in info else ''))
    if status != 'completed':
        sys.exit(1)
    qmp.cmd('quit')


if __name__ == '__main__':
    main()
