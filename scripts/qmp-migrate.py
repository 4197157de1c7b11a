#!/usr/bin/env python3
# qmp-migrate.py SOCKET URI: migrate the QEMU behind the QMP socket SOCKET
# to URI (e.g. file:/path/vm.mig), wait for the migration to finish, print
# one line of figures, and quit that QEMU.  Exits 0 if the migration
# completed.  Used by scripts/e2e.sh --migrate.  It waits for QEMU's
# MIGRATION event, not for a time; the socket's timeout only catches a
# QEMU that hangs.
import json
import socket
import sys
import time


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.sock.settimeout(600)
        self.buf = b''
        self.events = []
        self.recv()                     # greeting
        self.cmd('qmp_capabilities')

    def recv(self):
        while b'\n' not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError('QMP connection closed')
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        self.sock.sendall(json.dumps(msg).encode() + b'\n')
        while True:
            rsp = self.recv()
            if 'event' in rsp:
                self.events.append(rsp)
                continue
            if 'error' in rsp:
                raise RuntimeError('%s: %s' % (name, rsp['error']['desc']))
            return rsp['return']

    def event(self, name):
        """The next event NAME, from those already read or the socket."""
        while True:
            while self.events:
                ev = self.events.pop(0)
                if ev['event'] == name:
                    return ev
            self.events.append(self.recv())


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
